//! Reporters for `khabar check`: one module per output format.
//!
//! A report is written in two steps. Each file's part is rendered by the worker thread that
//! checked it ([`Reporter::render_file`]), and the main thread only joins the parts in path order
//! and adds what spans the run ([`Reporter::write`]): rendering 10,000 findings after the
//! parallel part was a serial tail of several milliseconds, a tenth of a `check` of the corpus
//! day on two cores.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::analysis::diagnostic::{Diagnostic, Severity};
use std::io::Write;

/// One checked file.
pub struct FileResult {
    /// Relative to the corpus root, with `/`.
    pub path: String,
    /// The text and its findings, kept only for a reporter that renders at the end
    /// ([`Reporter::keeps_findings`]); for the others they are let go once the file's part is
    /// rendered, so that the next article reuses their memory instead of the heap growing by
    /// the whole corpus.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// This file's part of the report ([`Reporter::render_file`]).
    pub rendered: Vec<u8>,
    pub tally: Tally,
}

/// What a file's findings add to the run's summary.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Findings by [`Severity`] (indexed by its value).
    pub by_severity: [usize; 4],
    /// Findings by rule id, in the order the rules first appear.
    pub by_rule: Vec<(&'static str, usize)>,
    /// The highest severity found, if any.
    pub worst: Option<Severity>,
}

impl Tally {
    fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut t = Tally::default();
        for d in diagnostics {
            t.by_severity[d.severity as usize] += 1;
            match t.by_rule.iter_mut().find(|(r, _)| *r == d.rule) {
                Some((_, n)) => *n += 1,
                None => t.by_rule.push((d.rule, 1)),
            }
            t.worst = t.worst.max(Some(d.severity));
        }
        t
    }
}

impl FileResult {
    /// A checked file, its part of the report rendered by `reporter`.
    pub fn new(
        reporter: &dyn Reporter,
        path: String,
        text: String,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        let mut f = FileResult {
            path,
            tally: Tally::of(&diagnostics),
            text,
            diagnostics,
            rendered: Vec::new(),
        };
        f.rendered = reporter.render_file(&f);
        if !reporter.keeps_findings() {
            f.text = String::new();
            f.diagnostics = Vec::new();
        }
        f
    }
}

/// What the whole run saw, for the parts of a report that span it.
#[derive(Clone, Copy, Debug)]
pub struct Totals {
    /// Articles checked (not counting their `.ann` files).
    pub articles: usize,
    /// Files that could not be read.
    pub unreadable: usize,
}

/// One output format.
pub trait Reporter: Sync {
    /// The part of the report that belongs to file `f` alone; empty for formats that render
    /// everything in [`Reporter::write`].
    fn render_file(&self, _f: &FileResult) -> Vec<u8> {
        Vec::new()
    }

    /// Whether [`Reporter::write`] reads the files' text and findings (not only their parts
    /// and tallies).
    fn keeps_findings(&self) -> bool {
        false
    }

    /// Writes the whole report: the files' parts in the order given, and what spans the run.
    fn write(
        &self,
        out: &mut dyn Write,
        files: &[FileResult],
        totals: Totals,
    ) -> anyhow::Result<()>;
}

/// Writes every file's rendered part, in the files' order: all of a report but its ending, for
/// the formats whose parts stand side by side.
fn write_parts(out: &mut dyn Write, files: &[FileResult]) -> std::io::Result<()> {
    for f in files {
        out.write_all(&f.rendered)?;
    }
    Ok(())
}

/// The severity counts of `files`, indexed by [`Severity`].
fn severity_counts(files: &[FileResult]) -> [usize; 4] {
    let mut counts = [0usize; 4];
    for f in files {
        for (c, n) in counts.iter_mut().zip(f.tally.by_severity) {
            *c += n;
        }
    }
    counts
}
