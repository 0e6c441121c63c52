//! `entity-variant`: an entity spelt differently from its label.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct EntityVariant;

static META: RuleMeta = RuleMeta {
    id: "entity-variant",
    default_severity: Severity::Hint,
    summary: "an entity spelt differently from its label",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for EntityVariant {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
