//! `missing-space`: names glued to each other or to a Persian conjunction or preposition.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct MissingSpace;

static META: RuleMeta = RuleMeta {
    id: "missing-space",
    default_severity: Severity::Warning,
    summary: "names glued to each other or to a Persian conjunction or preposition",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for MissingSpace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
