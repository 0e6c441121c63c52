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
use std::fmt::Write;

/// The Markdown to show at `offset` and the span it describes, if anything is there.
pub fn hover(
    kb: &Kb,
    analysis: &Analysis,
    text: &str,
    offset: usize,
) -> Option<(String, usize, usize)> {
    let mut parts = Vec::new();
    let mut span: Option<(usize, usize)> = None;
    if let Some(m) = mention_at(&analysis.mentions, offset) {
        if let Some(card) = entity_card(kb, m, text) {
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
