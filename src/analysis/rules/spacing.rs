//! `spacing`: runs of spaces, NBSP, trailing whitespace and misplaced spaces around punctuation.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct Spacing;

static META: RuleMeta = RuleMeta {
    id: "spacing",
    default_severity: Severity::Info,
    summary: "runs of spaces, NBSP, trailing whitespace and misplaced spaces around punctuation",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for Spacing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
