//! `missing-provenance`: an article with neither a named source nor a date.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct MissingProvenance;

static META: RuleMeta = RuleMeta {
    id: "missing-provenance",
    default_severity: Severity::Warning,
    summary: "an article with neither a named source nor a date",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for MissingProvenance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
