//! `scraper-boilerplate`: HTML remnants, entities and site navigation left by a scraper.
//!
//! (Being written: this rule reports nothing yet.)

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct ScraperBoilerplate;

static META: RuleMeta = RuleMeta {
    id: "scraper-boilerplate",
    default_severity: Severity::Warning,
    summary: "HTML remnants, entities and site navigation left by a scraper",
    help: "## What it does\n\n(Being written.)\n",
    fixable: false,
};

impl Rule for ScraperBoilerplate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
