//! The human report: each finding shown with its line, the way rustc shows errors
//! (annotate-snippets), then a summary.
//!
//! Terminals lay out right-to-left lines by the bidi algorithm, so carets under an Arabic line
//! point at the wrong letters as often as not. For a line holding right-to-left letters the
//! report therefore also spells the span out in a note — its columns and the exact text — which
//! stays right whatever the terminal does. Colours only when stdout is a terminal and NO_COLOR is
//! unset.

use super::FileResult;
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::{lines, LineIndex};
use annotate_snippets::{Level, Renderer, Snippet};
use std::io::{IsTerminal, Write};

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
        Severity::Hint => Level::Help,
    }
}

fn has_rtl(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{0590}'..='\u{08ff}' | '\u{fb1d}'..='\u{fdff}' | '\u{fe70}'..='\u{feff}'))
}

/// Byte offset of code-point column `col` in `line` (clamped).
fn byte_at(line: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col)
        .map(|(b, _)| b)
        .unwrap_or(line.len())
}

/// The human report; colours only on a terminal with NO_COLOR unset.
pub struct Human {
    colour: bool,
}

impl Human {
    pub fn new() -> Self {
        Human {
            colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

impl Default for Human {
    fn default() -> Self {
        Self::new()
    }
}

impl super::Reporter for Human {
    fn render_file(&self, f: &FileResult) -> Vec<u8> {
        let mut out = Vec::new();
        if f.diagnostics.is_empty() {
            return out;
        }
        let renderer = if self.colour {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let li = LineIndex::new(&f.text);
        let all_lines: Vec<&str> = lines(&f.text).map(|l| l.text).collect();
        for d in &f.diagnostics {
            let (l0, c0) = li.line_col(d.start);
            let (l1, c1) = li.line_col(d.end);
            let line = all_lines.get(l0).copied().unwrap_or("");
            // The snippet shows the first line of the span; a span running past it is cut there.
            let end_col = if l1 == l0 { c1 } else { line.chars().count() };
            let span = byte_at(line, c0)..byte_at(line, end_col.max(c0));
            let covered: String = line
                .chars()
                .skip(c0)
                .take(end_col.saturating_sub(c0))
                .collect();
            let note = format!("columns {}–{}: «{}»", c0 + 1, end_col + 1, covered);
            let fix_titles: Vec<String> = d
                .fixes
                .iter()
                .map(|x| format!("fix: {}", x.title))
                .collect();
            let related: Vec<String> = d
                .related
                .iter()
                .map(|r| {
                    let (rl, rc) = li.line_col(r.start);
                    format!("{} (line {}, column {})", r.message, rl + 1, rc + 1)
                })
                .collect();
            let mut msg = level(d.severity).title(&d.message).id(d.rule).snippet(
                Snippet::source(line)
                    .line_start(l0 + 1)
                    .origin(&f.path)
                    .annotation(level(d.severity).span(span)),
            );
            if has_rtl(line) && !covered.is_empty() {
                msg = msg.footer(Level::Note.title(&note));
            }
            for r in &related {
                msg = msg.footer(Level::Note.title(r));
            }
            for t in &fix_titles {
                msg = msg.footer(Level::Help.title(t));
            }
            // Writing to a Vec cannot fail.
            let _ = writeln!(out, "{}\n", renderer.render(msg));
        }
        out
    }

    fn write(
        &self,
        out: &mut dyn Write,
        files: &[FileResult],
        totals: super::Totals,
    ) -> anyhow::Result<()> {
        super::write_parts(out, files)?;
        let counts = super::severity_counts(files);
        let n = |k: usize, one: &str| {
            if k == 1 {
                format!("1 {one}")
            } else {
                format!("{k} {one}s")
            }
        };
        writeln!(
            out,
            "{}, {}, {}, {} in {} files{}",
            n(counts[Severity::Error as usize], "error"),
            n(counts[Severity::Warning as usize], "warning"),
            n(counts[Severity::Info as usize], "info"),
            n(counts[Severity::Hint as usize], "hint"),
            files.len(),
            if totals.unreadable > 0 {
                format!(" ({} unreadable)", totals.unreadable)
            } else {
                String::new()
            }
        )?;
        Ok(())
    }
}
