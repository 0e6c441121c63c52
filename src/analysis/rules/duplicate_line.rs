//! `duplicate-line`: a line that repeats an earlier line of the same article.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct DuplicateLine;

static META: RuleMeta = RuleMeta {
    id: "duplicate-line",
    default_severity: Severity::Warning,
    summary: "a line that repeats an earlier line of the same article",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for DuplicateLine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
