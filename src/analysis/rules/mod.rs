//! The diagnostic rules: one file each, one registry listing them all.
//!
//! Every rule has a stable kebab-case id, a default severity, a one-line summary and a help text
//! laid out the same way ("What it does", "Why it matters", an example). A rule reports with its
//! default severity; `khabar.toml` may turn it off or change its severity, which the registry
//! applies for every rule alike.

use super::config::Config;
use super::diagnostic::{Diagnostic, Severity};
use super::kb::Kb;
use super::mentions::Mention;
use super::Prepared;

mod attribution;
mod duplicate_line;
mod entity_variant;
mod missing_provenance;
mod missing_space;
mod mixed_digits;
mod mixed_orthography;
mod near_duplicate_paragraph;
mod repeated_phrase;
pub mod scraper_boilerplate;
mod spacing;
mod unattributed_quote;
mod unbalanced_quotes;
mod unknown_source;
mod zwnj;

/// What a rule looks at.
pub struct Context<'a> {
    pub prep: &'a Prepared<'a>,
    pub mentions: &'a [Mention],
    pub kb: &'a Kb,
    pub config: &'a Config,
    /// What rules derive from `kb` once per engine instead of once per article.
    pub derived: &'a Derived,
    /// The article's attributions, found on first use: `unknown-source` and
    /// `unattributed-quote` both need them, and finding them twice was a third of each rule.
    attributions: std::cell::OnceCell<attribution::Attributions>,
    /// The lines with quotation marks, found on first use: `unattributed-quote` and
    /// `unbalanced-quotes` both pair them.
    quote_lines: std::cell::OnceCell<attribution::QuoteLines>,
    /// [`attribution::holds_split_chars`] of the folded text, for the rules that read the
    /// shared words as their own.
    split_chars: std::cell::OnceCell<bool>,
}

impl<'a> Context<'a> {
    pub fn new(
        prep: &'a Prepared<'a>,
        mentions: &'a [Mention],
        kb: &'a Kb,
        config: &'a Config,
        derived: &'a Derived,
    ) -> Self {
        Context {
            prep,
            mentions,
            kb,
            config,
            derived,
            attributions: std::cell::OnceCell::new(),
            quote_lines: std::cell::OnceCell::new(),
            split_chars: std::cell::OnceCell::new(),
        }
    }

    /// Whether the folded text holds a character that splits words otherwise than the shared
    /// words do ([`attribution::holds_split_chars`]).
    fn holds_split_chars(&self) -> bool {
        *self
            .split_chars
            .get_or_init(|| attribution::holds_split_chars(&self.prep.norm.text))
    }

    /// Every attribution of the article, in order ([`attribution::attributions`]).
    fn attributions(&self) -> &[attribution::Attribution] {
        &self
            .attributions
            .get_or_init(|| attribution::attributions(self))
            .list
    }

    /// The lines quotation pairing looks at ([`attribution::find_quote_lines`]).
    fn quote_lines(&self) -> &attribution::QuoteLines {
        self.quote_lines
            .get_or_init(|| attribution::find_quote_lines(self))
    }
}

/// Lists rules derive from the knowledge base, built on first use and kept by the
/// [`crate::analysis::Engine`] for every article after: folding every KB source for each
/// article was a fifth of `unknown-source`. Always used with the KB the engine was built with.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// Every surface form of every KB source: (surface, words in its folded form, folded
    /// form as characters for the edit distance).
    source_forms: std::sync::OnceLock<Vec<(String, usize, Vec<char>)>>,
}

impl Derived {
    pub fn source_forms(&self, kb: &Kb) -> &[(String, usize, Vec<char>)] {
        self.source_forms.get_or_init(|| {
            kb.entities
                .iter()
                .filter(|e| e.kind == super::kb::Kind::Source)
                .flat_map(|e| e.surfaces().map(|(s, _)| s))
                .map(|s| {
                    let f = super::normalize::fold(s);
                    let n_words = f.split(' ').count();
                    (s.to_string(), n_words, f.chars().collect())
                })
                .collect()
        })
    }
}

/// A rule's fixed description.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line, lower-case start, no full stop.
    pub summary: &'static str,
    /// Markdown: `## What it does`, `## Why it matters`, `## Example`.
    pub help: &'static str,
    /// Whether the rule offers fixes (where they are certain).
    pub fixable: bool,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// A line's content span without its leading and trailing whitespace: where whole-line findings
/// point.
pub(crate) fn line_span(line: &crate::analysis::text::Line<'_>) -> (usize, usize) {
    let lead = line.text.chars().take_while(|c| c.is_whitespace()).count();
    let len = line.text.chars().count();
    let trail = line
        .text
        .chars()
        .rev()
        .take_while(|c| c.is_whitespace())
        .count();
    (
        line.start + lead,
        (line.start + len.saturating_sub(trail)).max(line.start + lead),
    )
}

/// The span that deletes line `i` with one of its line breaks: its own, or for the last line the
/// one before it.
pub(crate) fn deletion_span(lines: &[crate::analysis::text::Line<'_>], i: usize) -> (usize, usize) {
    let Some(line) = lines.get(i) else {
        return (0, 0);
    };
    match lines.get(i + 1) {
        Some(next) => (line.start, next.start),
        None => match i.checked_sub(1).and_then(|p| lines.get(p)) {
            Some(prev) => (prev.end, line.end),
            None => (line.start, line.end),
        },
    }
}

/// Every rule, in the order `khabar rules` lists them.
pub static REGISTRY: &[&dyn Rule] = &[
    &mixed_orthography::MixedOrthography,
    &mixed_digits::MixedDigits,
    &scraper_boilerplate::ScraperBoilerplate,
    &duplicate_line::DuplicateLine,
    &near_duplicate_paragraph::NearDuplicateParagraph,
    &repeated_phrase::RepeatedPhrase,
    &spacing::Spacing,
    &missing_space::MissingSpace,
    &zwnj::Zwnj,
    &unbalanced_quotes::UnbalancedQuotes,
    &unknown_source::UnknownSource,
    &unattributed_quote::UnattributedQuote,
    &missing_provenance::MissingProvenance,
    &entity_variant::EntityVariant,
];

/// Rules that live outside the text analysis (they read other files) but share the registry's
/// ids, configuration and documentation.
pub static EXTERNAL: &[&[&RuleMeta]] = &[
    crate::analysis::ann_check::RULES,
    crate::analysis::curation::RULES,
];

/// Every rule's metadata, text rules first.
pub fn all_meta() -> Vec<&'static RuleMeta> {
    REGISTRY
        .iter()
        .map(|r| r.meta())
        .chain(EXTERNAL.iter().flat_map(|g| g.iter().copied()))
        .collect()
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    all_meta().into_iter().find(|m| m.id == id)
}

pub fn ids() -> Vec<&'static str> {
    all_meta().iter().map(|m| m.id).collect()
}

/// The severity `config` gives rule `id`: `None` when it is off, `Some(None)` to keep what the
/// rule reported.
pub fn configured(config: &Config, id: &str) -> Option<Option<Severity>> {
    match config.rules.get(id) {
        None => Some(None),
        Some(level) => level.severity().map(Some),
    }
}

/// Runs every enabled rule and returns the findings sorted by position, then rule.
pub fn run_all(cx: &Context<'_>) -> Vec<Diagnostic> {
    run_some(cx, &|_| true)
}

/// Runs the enabled rules whose id `keep` accepts, with findings sorted as [`run_all`] sorts
/// them.
pub fn run_some(cx: &Context<'_>, keep: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    for rule in REGISTRY.iter().filter(|r| keep(r.meta().id)) {
        run_one(*rule, cx, &mut all);
    }
    all.sort_by(|a, b| (a.start, a.end, a.rule).cmp(&(b.start, b.end, b.rule)));
    all
}

fn run_one(rule: &dyn Rule, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(severity) = configured(cx.config, rule.meta().id) else {
        return;
    };
    let from = out.len();
    rule.check(cx, out);
    if let Some(sev) = severity {
        for d in &mut out[from..] {
            d.severity = sev;
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! One helper for every rule's tests: run a single rule on a text and compare its findings
    //! with spans marked in the input by `⟦` and `⟧`.

    use super::*;
    use crate::analysis::Engine;

    fn engine() -> &'static Engine {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        E.get_or_init(Engine::embedded)
    }

    /// A seeded linear congruential generator: the randomised tests' inputs, reproducible
    /// without a dependency.
    pub struct Lcg(pub u64);

    impl Lcg {
        /// A number below `n` (which must not be 0).
        pub fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize % n
        }
    }

    /// Runs rule `id` alone on `text` with the embedded KB and default configuration.
    pub fn run(id: &str, text: &str) -> Vec<Diagnostic> {
        run_with(engine(), id, text)
    }

    /// Calls `f` with the context rules get for `text` (embedded KB, default configuration).
    pub fn with_context<T>(text: &str, f: impl FnOnce(&Context<'_>) -> T) -> T {
        context_with(engine(), text, f)
    }

    fn context_with<T>(engine: &Engine, text: &str, f: impl FnOnce(&Context<'_>) -> T) -> T {
        let prep = Prepared::new(text, engine.config.language.lang());
        let mentions = engine.matcher.find(&prep.norm, &|o| prep.lang_at(o));
        let cx = Context::new(
            &prep,
            &mentions,
            &engine.kb,
            &engine.config,
            &engine.derived,
        );
        f(&cx)
    }

    pub fn run_with(engine: &Engine, id: &str, text: &str) -> Vec<Diagnostic> {
        let rule = REGISTRY
            .iter()
            .find(|r| r.meta().id == id)
            .expect("rule exists");
        let mut out = Vec::new();
        context_with(engine, text, |cx| rule.check(cx, &mut out));
        out.sort_by_key(|d| (d.start, d.end));
        out
    }

    /// Removes `⟦`/`⟧` markers, returning the plain text and the marked code-point spans.
    pub fn unmark(marked: &str) -> (String, Vec<(usize, usize)>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut open = Vec::new();
        let mut n = 0;
        for c in marked.chars() {
            match c {
                '⟦' => open.push(n),
                '⟧' => spans.push((open.pop().expect("balanced markers"), n)),
                _ => {
                    text.push(c);
                    n += 1;
                }
            }
        }
        spans.sort();
        (text, spans)
    }

    /// Asserts that rule `id` reports exactly the marked spans of `marked`.
    #[track_caller]
    pub fn check(id: &str, marked: &str) {
        let (text, want) = unmark(marked);
        let got: Vec<(usize, usize)> = run(id, &text).iter().map(|d| (d.start, d.end)).collect();
        assert_eq!(got, want, "rule {id} on {text:?}:\n{}", render(id, &text));
    }

    /// One line per finding: `line:col-line:col severity message` plus its fixes, with the
    /// covered text, for expect-test snapshots.
    pub fn render(id: &str, text: &str) -> String {
        let li = crate::analysis::text::LineIndex::new(text);
        let mut s = String::new();
        for d in run(id, text) {
            let (l0, c0) = li.line_col(d.start);
            let (l1, c1) = li.line_col(d.end);
            let covered = crate::analysis::text::slice_chars(text, d.start, d.end);
            s.push_str(&format!(
                "{}:{}-{}:{} {} {} [{covered}]\n",
                l0 + 1,
                c0 + 1,
                l1 + 1,
                c1 + 1,
                d.severity.as_str(),
                d.message
            ));
            for f in &d.fixes {
                let edits: Vec<String> = f
                    .edits
                    .iter()
                    .map(|e| format!("{}..{}={:?}", e.start, e.end, e.new_text))
                    .collect();
                s.push_str(&format!("  fix: {} {}\n", f.title, edits.join(" ")));
            }
        }
        s
    }
}
