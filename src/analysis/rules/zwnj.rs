//! `zwnj`: a Persian affix written without the zero-width non-joiner it needs.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct Zwnj;

static META: RuleMeta = RuleMeta {
    id: "zwnj",
    default_severity: Severity::Info,
    summary: "a Persian affix written without the zero-width non-joiner it needs",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for Zwnj {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
