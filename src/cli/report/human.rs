//! The human report (a plain first version; the rustc-style one replaces it).

use super::FileResult;
use crate::analysis::text::LineIndex;
use std::io::Write;

pub fn write(out: &mut impl Write, files: &[FileResult]) -> anyhow::Result<()> {
    for f in files {
        let li = LineIndex::new(&f.text);
        for d in &f.diagnostics {
            let (l, c) = li.line_col(d.start);
            writeln!(out, "{}:{}:{}: {}[{}]: {}", f.path, l + 1, c + 1, d.severity.as_str(), d.rule, d.message)?;
        }
    }
    Ok(())
}
