//! The JSON report: the stable contract of design.md ("Machine-readable outputs").

use super::FileResult;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::LineIndex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
    hint: usize,
    by_rule: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct Diag<'a> {
    path: &'a str,
    rule: &'static str,
    severity: &'static str,
    message: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    related: Vec<Rel<'a>>,
    fixes: Vec<Fix<'a>>,
}

#[derive(Serialize)]
struct Rel<'a> {
    path: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    start: usize,
    end: usize,
    new_text: &'a str,
}

/// The JSON report. Its `diagnostics` array is written from each file's part, rendered by the
/// worker that checked the file: the same bytes `serde_json` writes for the whole report.
pub struct Json;

impl super::Reporter for Json {
    fn render_file(&self, f: &FileResult) -> Vec<u8> {
        if f.diagnostics.is_empty() {
            return Vec::new();
        }
        let li = LineIndex::new(&f.text);
        let mut out = Vec::new();
        for (i, d) in f.diagnostics.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Writing to a Vec fails only for a value serde cannot represent, which these
            // plain structs are not; such a finding would be left out rather than abort.
            let _ = serde_json::to_writer(&mut out, &diag(f, &li, d));
        }
        out
    }

    fn write(
        &self,
        out: &mut dyn Write,
        files: &[FileResult],
        totals: super::Totals,
    ) -> anyhow::Result<()> {
        let counts = super::severity_counts(files);
        let mut summary = Summary {
            error: counts[Severity::Error as usize],
            warning: counts[Severity::Warning as usize],
            info: counts[Severity::Info as usize],
            hint: counts[Severity::Hint as usize],
            by_rule: BTreeMap::new(),
        };
        for &(rule, n) in files.iter().flat_map(|f| &f.tally.by_rule) {
            *summary.by_rule.entry(rule).or_default() += n;
        }
        write!(
            out,
            "{{\"version\":1,\"files\":{},\"diagnostics\":[",
            totals.articles
        )?;
        let mut first = true;
        for f in files.iter().filter(|f| !f.rendered.is_empty()) {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(&f.rendered)?;
        }
        out.write_all(b"],\"summary\":")?;
        serde_json::to_writer(&mut *out, &summary)?;
        out.write_all(b"}\n")?;
        Ok(())
    }
}

/// One finding as the contract lays it out.
fn diag<'a>(f: &'a FileResult, li: &LineIndex, d: &'a Diagnostic) -> Diag<'a> {
    let (l0, c0) = li.line_col(d.start);
    let (l1, c1) = li.line_col(d.end);
    Diag {
        path: &f.path,
        rule: d.rule,
        severity: d.severity.as_str(),
        message: &d.message,
        start: d.start,
        end: d.end,
        line: l0 + 1,
        column: c0 + 1,
        end_line: l1 + 1,
        end_column: c1 + 1,
        related: d
            .related
            .iter()
            .map(|r| {
                let (l, c) = li.line_col(r.start);
                Rel {
                    path: &f.path,
                    start: r.start,
                    end: r.end,
                    line: l + 1,
                    column: c + 1,
                    message: &r.message,
                }
            })
            .collect(),
        fixes: d
            .fixes
            .iter()
            .map(|x| Fix {
                title: &x.title,
                edits: x
                    .edits
                    .iter()
                    .map(|e| Edit {
                        start: e.start,
                        end: e.end,
                        new_text: &e.new_text,
                    })
                    .collect(),
            })
            .collect(),
    }
}
