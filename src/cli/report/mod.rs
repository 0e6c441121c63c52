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

use crate::analysis::diagnostic::Diagnostic;
use std::io::Write;

/// One checked article.
pub struct FileResult {
    /// Relative to the corpus root, with `/`.
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// This file's part of the report ([`Reporter::render_file`]).
    pub rendered: Vec<u8>,
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
            text,
            diagnostics,
            rendered: Vec::new(),
        };
        f.rendered = reporter.render_file(&f);
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

    /// Writes the whole report: the files' parts in the order given, and what spans the run.
    fn write(
        &self,
        out: &mut dyn Write,
        files: &[FileResult],
        totals: Totals,
    ) -> anyhow::Result<()>;
}

/// The severity counts of `files`, indexed by [`crate::analysis::diagnostic::Severity`].
fn severity_counts(files: &[FileResult]) -> [usize; 4] {
    let mut counts = [0usize; 4];
    for d in files.iter().flat_map(|f| &f.diagnostics) {
        counts[d.severity as usize] += 1;
    }
    counts
}
