//! `mixed-orthography`: Persian-only letters in an Arabic paragraph, or Arabic-only letters in a Persian one.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct MixedOrthography;

static META: RuleMeta = RuleMeta {
    id: "mixed-orthography",
    default_severity: Severity::Warning,
    summary: "Persian-only letters in an Arabic paragraph, or Arabic-only letters in a Persian one",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for MixedOrthography {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
