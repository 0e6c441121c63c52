//! `unbalanced-quotes`: a quotation mark without its partner.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct UnbalancedQuotes;

static META: RuleMeta = RuleMeta {
    id: "unbalanced-quotes",
    default_severity: Severity::Warning,
    summary: "a quotation mark without its partner",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for UnbalancedQuotes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
