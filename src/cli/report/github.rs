//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, which
//! the runner turns into annotations on the changed files.

use super::FileResult;
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::LineIndex;
use std::io::Write;

/// Escapes a command's message (data).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Workflow commands, a line per finding.
pub struct Github;

impl super::Reporter for Github {
    fn render_file(&self, f: &FileResult) -> Vec<u8> {
        let mut out = Vec::new();
        if f.diagnostics.is_empty() {
            return out;
        }
        let li = LineIndex::new(&f.text);
        for d in &f.diagnostics {
            let (l0, c0) = li.line_col(d.start);
            let (l1, c1) = li.line_col(d.end);
            let cmd = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "notice",
            };
            // Writing to a Vec cannot fail.
            let _ = writeln!(
                out,
                "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&f.path),
                l0 + 1,
                c0 + 1,
                l1 + 1,
                c1 + 1,
                property(d.rule),
                data(&d.message)
            );
        }
        out
    }

    fn write(
        &self,
        out: &mut dyn Write,
        files: &[FileResult],
        _totals: super::Totals,
    ) -> anyhow::Result<()> {
        super::write_parts(out, files)?;
        Ok(())
    }
}
