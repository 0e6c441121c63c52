//! The JSON report: the stable contract of design.md ("Machine-readable outputs").

use super::FileResult;
use crate::analysis::text::LineIndex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: usize,
    diagnostics: Vec<Diag<'a>>,
    summary: Summary,
}

#[derive(Serialize, Default)]
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

pub fn write(out: &mut impl Write, files: &[FileResult], n_files: usize) -> anyhow::Result<()> {
    let mut summary = Summary::default();
    let mut diagnostics = Vec::new();
    for f in files {
        let li = LineIndex::new(&f.text);
        for d in &f.diagnostics {
            let (l0, c0) = li.line_col(d.start);
            let (l1, c1) = li.line_col(d.end);
            match d.severity {
                crate::analysis::diagnostic::Severity::Error => summary.error += 1,
                crate::analysis::diagnostic::Severity::Warning => summary.warning += 1,
                crate::analysis::diagnostic::Severity::Info => summary.info += 1,
                crate::analysis::diagnostic::Severity::Hint => summary.hint += 1,
            }
            *summary.by_rule.entry(d.rule).or_default() += 1;
            diagnostics.push(Diag {
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
            });
        }
    }
    serde_json::to_writer(
        &mut *out,
        &Report {
            version: 1,
            files: n_files,
            diagnostics,
            summary,
        },
    )?;
    out.write_all(b"\n")?;
    Ok(())
}
