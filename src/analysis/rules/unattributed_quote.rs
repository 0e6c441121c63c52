//! `unattributed-quote`: a quotation with no source named.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct UnattributedQuote;

static META: RuleMeta = RuleMeta {
    id: "unattributed-quote",
    default_severity: Severity::Info,
    summary: "a quotation with no source named",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for UnattributedQuote {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
