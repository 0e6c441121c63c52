//! The quick re-check after an edit: what the server publishes at once, before the whole
//! article is analysed again.
//!
//! Analysing a 1 MB article takes about a hundred milliseconds; a keystroke should be answered
//! in one or two. Most rules judge a line (a paragraph) on its own, so after an edit only the
//! lines it touched are analysed, each as if it were an article of one line, and their
//! findings of those rules replace the old ones there. Every other finding is moved by the
//! edit (or dropped when the edit touched it). Rules that compare lines across the article
//! keep their moved findings until the full analysis, which always follows and supersedes this
//! one. Which rules are line-local is not a guess: a test checks, line by line on real
//! articles, that these rules find on each line alone exactly what they find in the article.

use super::diagnostic::Diagnostic;
use super::Engine;

/// Rules whose findings on a line depend on that line alone (tests/incremental.rs checks it on
/// real articles; mixed-orthography is not among them, since a short line's language is
/// decided by its neighbours, nor mixed-digits, whose article-wide hint counts every line).
pub const LINE_LOCAL: &[&str] = &[
    "spacing",
    "zwnj",
    "repeated-phrase",
    "missing-space",
    "scraper-boilerplate",
    "unknown-source",
];

/// One text change, in code points of the text it applied to: `start..old_end` was replaced
/// by `new_len` code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub start: usize,
    pub old_end: usize,
    pub new_len: usize,
}

impl Change {
    /// Moves a span; `None` when the change touches it (overlaps it or borders it: an edit
    /// right after a word changes the word).
    fn map_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if end < self.start {
            return Some((start, end));
        }
        if start > self.old_end {
            let by = self.new_len as isize - (self.old_end - self.start) as isize;
            let at = |o: usize| (o as isize + by).max(0) as usize;
            return Some((at(start), at(end)));
        }
        None
    }
}

/// Moves every offset of `d` through `changes`, in order; `None` when one touches it.
fn moved(d: &Diagnostic, changes: &[Change]) -> Option<Diagnostic> {
    let mut d = d.clone();
    for c in changes {
        let (s, e) = c.map_span(d.start, d.end)?;
        d.start = s;
        d.end = e;
        for r in &mut d.related {
            // Related places (an earlier copy of a line) may be dropped alone.
            let (s, e) = c.map_span(r.start, r.end)?;
            r.start = s;
            r.end = e;
        }
        for f in &mut d.fixes {
            for ed in &mut f.edits {
                let (s, e) = c.map_span(ed.start, ed.end)?;
                ed.start = s;
                ed.end = e;
            }
        }
    }
    Some(d)
}

/// Shifts every offset of `d` by `by`.
fn shifted(mut d: Diagnostic, by: usize) -> Diagnostic {
    d.start += by;
    d.end += by;
    for r in &mut d.related {
        r.start += by;
        r.end += by;
    }
    for f in &mut d.fixes {
        for e in &mut f.edits {
            e.start += by;
            e.end += by;
        }
    }
    d
}

/// The line-local rules' findings of every line analysed alone, as `rule start..end message`
/// sorted: for checking that they are what the whole article's analysis finds.
pub fn by_line(engine: &Engine, article: &str) -> Vec<(usize, String)> {
    let mut v: Vec<(usize, String)> = super::text::lines(article)
        .flat_map(|l| line_findings(engine, l.start, l.text))
        .map(|d| {
            (
                d.start,
                format!("{} {}..{} {}", d.rule, d.start, d.end, d.message),
            )
        })
        .collect();
    v.sort();
    v
}

/// The line-local rules' findings of the whole article's analysis, as [`by_line`] gives them.
pub fn in_article(engine: &Engine, article: &str) -> Vec<(usize, String)> {
    let mut v: Vec<(usize, String)> = engine
        .analyze(article)
        .diagnostics
        .into_iter()
        .filter(|d| LINE_LOCAL.contains(&d.rule))
        .map(|d| {
            (
                d.start,
                format!("{} {}..{} {}", d.rule, d.start, d.end, d.message),
            )
        })
        .collect();
    v.sort();
    v
}

/// The line-local rules' findings on one line, analysed alone, at the line's place.
pub fn line_findings(engine: &Engine, line_start: usize, line: &str) -> Vec<Diagnostic> {
    engine
        .analyze_with(line, &|id| LINE_LOCAL.contains(&id))
        .diagnostics
        .into_iter()
        .map(|d| shifted(d, line_start))
        .collect()
}

/// The findings to publish right after `changes` turned the text `base` was computed for into
/// the current one. `dirty` are the current text's lines the changes touched: their start
/// offset and content (without the line break).
pub fn quick(
    engine: &Engine,
    base: &[Diagnostic],
    changes: &[Change],
    dirty: &[(usize, String)],
) -> Vec<Diagnostic> {
    // Each dirty line's span, counted once rather than once per finding.
    let spans: Vec<(usize, usize)> = dirty
        .iter()
        .map(|(s, l)| (*s, s + l.chars().count()))
        .collect();
    let on_dirty = |d: &Diagnostic| spans.iter().any(|&(s, e)| d.start <= e && s <= d.end);
    let mut out: Vec<Diagnostic> = base
        .iter()
        .filter_map(|d| moved(d, changes))
        .filter(|d| !(LINE_LOCAL.contains(&d.rule) && on_dirty(d)))
        .collect();
    for (start, line) in dirty {
        out.extend(line_findings(engine, *start, line));
    }
    out.sort_by(|a, b| (a.start, a.end, a.rule).cmp(&(b.start, b.end, b.rule)));
    out.dedup_by(|a, b| {
        a.start == b.start && a.end == b.end && a.rule == b.rule && a.message == b.message
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_local_rules_find_on_a_line_alone_what_they_find_in_the_article() {
        let e = Engine::embedded();
        let articles = [
            "قال مسؤول روسي ، إن الاجتماع  انتهى\nدر این نشست ایران، عراق وسوریه شرکت کردند و علی شمخانی گفت\nمی شود کتابها\nقال قال الوزير إن إن الحكومة ستجتمع",
            "ولادیمیرپوتین گفت\n\nو روسيا ترحب ، بالزيارة .  \n",
        ];
        for a in articles {
            assert_eq!(by_line(&e, a), in_article(&e, a), "{a}");
        }
    }

    #[test]
    fn an_edit_moves_findings_after_it_and_rechecks_the_line() {
        let e = Engine::embedded();
        let old = "سطر أول  فيه مسافتان\nسطر ثان\nسطر ثالث  فيه مسافتان\n";
        let base = e.analyze(old).diagnostics;
        // Insert "  " into line 1 (offset 21 + 3).
        let new = "سطر أول  فيه مسافتان\nسطر  ثان\nسطر ثالث  فيه مسافتان\n";
        let change = Change {
            start: 24,
            old_end: 24,
            new_len: 1,
        };
        let dirty = vec![(21usize, "سطر  ثان".to_string())];
        let got = quick(&e, &base, &[change], &dirty);
        let full = e.analyze(new).diagnostics;
        let spans = |v: &[Diagnostic]| -> Vec<(String, usize, usize)> {
            v.iter()
                .map(|d| (d.rule.to_string(), d.start, d.end))
                .collect()
        };
        assert_eq!(spans(&got), spans(&full));
    }
}
