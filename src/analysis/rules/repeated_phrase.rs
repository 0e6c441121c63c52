//! `repeated-phrase`: words repeated back to back.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct RepeatedPhrase;

static META: RuleMeta = RuleMeta {
    id: "repeated-phrase",
    default_severity: Severity::Warning,
    summary: "words repeated back to back",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for RepeatedPhrase {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
