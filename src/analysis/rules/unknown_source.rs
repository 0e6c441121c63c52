//! `unknown-source`: an attributed source the knowledge base does not know.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct UnknownSource;

static META: RuleMeta = RuleMeta {
    id: "unknown-source",
    default_severity: Severity::Warning,
    summary: "an attributed source the knowledge base does not know",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for UnknownSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
