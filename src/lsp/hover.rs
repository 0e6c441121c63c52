//! Hover: a card for the entity a mention names, and the rule's help for a finding.
//!
//! A curator hovering a name wants to know who it is in every language the corpus uses and
//! how it is spelt here; hovering a finding, why the rule exists and how to fix it. Both are
//! built here as Markdown over code-point spans; the server converts the span.

use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::kb::{Entity, Kb};
use crate::analysis::mentions::Mention;
use crate::analysis::rules;
use crate::analysis::Analysis;
use crate::workspace::index::Stats;
use std::fmt::Write;

/// How many spellings and companions the corpus view lists.
pub const CORPUS_TOP: usize = 5;

/// The Markdown to show at `offset` and the span it describes, if anything is there.
/// `corpus` gives what the whole corpus says of an entity, when the article is in a folder.
pub fn hover(
    kb: &Kb,
    analysis: &Analysis,
    text: &str,
    offset: usize,
    corpus: &dyn Fn(usize) -> Option<Stats>,
) -> Option<(String, usize, usize)> {
    let mut parts = Vec::new();
    let mut span: Option<(usize, usize)> = None;
    if let Some(m) = mention_at(&analysis.mentions, offset) {
        if let Some(mut card) = entity_card(kb, m, text) {
            if let Some(stats) = corpus(m.entity) {
                corpus_view(kb, &stats, &mut card);
            }
            parts.push(card);
            span = Some((m.start, m.end));
        }
    }
    for d in analysis
        .diagnostics
        .iter()
        .filter(|d| covers(d.start, d.end, offset))
    {
        parts.push(finding_help(d));
        span.get_or_insert((d.start, d.end));
    }
    let (start, end) = span?;
    Some((parts.join("\n\n---\n\n"), start, end))
}

/// Whether `offset` is inside `start..end` or at its end (a cursor just after a word still
/// points at it); an empty span covers its own position.
fn covers(start: usize, end: usize, offset: usize) -> bool {
    start <= offset && offset <= end
}

/// The mention under `offset`, preferring one that strictly contains it.
pub fn mention_at(mentions: &[Mention], offset: usize) -> Option<&Mention> {
    mentions
        .iter()
        .find(|m| m.start <= offset && offset < m.end)
        .or_else(|| mentions.iter().find(|m| covers(m.start, m.end, offset)))
}

fn entity_card(kb: &Kb, m: &Mention, text: &str) -> Option<String> {
    let e = kb.entities.get(m.entity)?;
    let mut s = String::new();
    let _ = writeln!(s, "**{}** · {}", e.display_name(), e.kind.as_str());
    s.push('\n');
    for (lang, label) in [
        ("Arabic", &e.labels.ar),
        ("Persian", &e.labels.fa),
        ("English", &e.labels.en),
    ] {
        if let Some(l) = label {
            let _ = writeln!(s, "- {lang}: {l}");
        }
    }
    if let Some(d) = &e.description {
        let _ = write!(s, "\n{d}\n");
    }
    if !e.roles.is_empty() {
        s.push_str("\nRoles:\n");
        for r in &e.roles {
            let when = match (&r.from, &r.to) {
                (Some(f), Some(t)) => format!(" ({f}–{t})"),
                (Some(f), None) => format!(" (from {f})"),
                (None, Some(t)) => format!(" (until {t})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(s, "- {}{when}", r.title);
        }
    }
    if !e.aliases.is_empty() {
        let aliases: Vec<&str> = e.aliases.iter().map(|a| a.text.as_str()).collect();
        let _ = write!(s, "\nAliases: {}\n", aliases.join(" · "));
    }
    let here = crate::analysis::text::slice_chars(text, m.start, m.end);
    let _ = write!(s, "\nSpelt here: {here}");
    if m.is_ambiguous() {
        let others: Vec<String> = m
            .candidates
            .iter()
            .filter(|&&c| c != m.entity)
            .filter_map(|&c| kb.entities.get(c))
            .map(describe)
            .collect();
        let _ = write!(
            s,
            "\n\nAmbiguous: the same spelling also names {}",
            others.join(", ")
        );
    }
    Some(s)
}

/// The corpus view: how widely the entity is named, how it is spelt, and with whom.
fn corpus_view(kb: &Kb, stats: &Stats, s: &mut String) {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let _ = write!(
        s,
        "\n\nIn the corpus: {} in {}",
        plural(stats.mentions, "mention", "mentions"),
        plural(stats.articles, "article", "articles")
    );
    if !stats.spellings.is_empty() {
        let shown: Vec<String> = stats
            .spellings
            .iter()
            .take(CORPUS_TOP)
            .map(|(sp, n)| format!("{sp} ({n})"))
            .collect();
        let more = stats.spellings.len().saturating_sub(CORPUS_TOP);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = write!(s, "\n\nSpellings: {}{tail}", shown.join(" · "));
    }
    if !stats.with.is_empty() {
        let with: Vec<String> = stats
            .with
            .iter()
            .filter_map(|&(e, n)| {
                Some(format!(
                    "{} ({n})",
                    kb.entities.get(e as usize)?.display_name()
                ))
            })
            .collect();
        let _ = write!(s, "\n\nMost often with: {}", with.join(" · "));
    }
}

fn describe(e: &Entity) -> String {
    format!("{} ({})", e.display_name(), e.kind.as_str())
}

fn finding_help(d: &Diagnostic) -> String {
    let mut s = format!("**{}** ({}): {}", d.rule, d.severity.as_str(), d.message);
    if let Some(meta) = rules::meta(d.rule) {
        let _ = write!(s, "\n\n{}", meta.help.trim());
    }
    s
}
