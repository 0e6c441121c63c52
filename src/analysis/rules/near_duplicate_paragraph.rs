//! `near-duplicate-paragraph`: the same sentence reworded inside one article.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct NearDuplicateParagraph;

static META: RuleMeta = RuleMeta {
    id: "near-duplicate-paragraph",
    default_severity: Severity::Info,
    summary: "the same sentence reworded inside one article",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for NearDuplicateParagraph {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
