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

/// The JSON report. Its `diagnostics` array is written from each file's part, rendered by the
/// worker that checked the file: the same bytes `serde_json` writes for the whole report.
pub struct Json;

impl super::Reporter for Json {
    fn render_file(&self, f: &FileResult) -> Vec<u8> {
        if f.diagnostics.is_empty() {
            return Vec::new();
        }
        let li = LineIndex::new(&f.text);
        let mut out = Vec::with_capacity(f.diagnostics.len() * 384);
        for (i, d) in f.diagnostics.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_diag(&mut out, &f.path, &li, d);
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

/// Writes one finding as `serde_json` writes [`Diag`] (compact, fields in order), without
/// building the borrowed structs and their vectors, and escaping strings a word at a time:
/// serde's per-token writes and byte-at-a-time escaping were 3.5% of a check on one thread.
fn write_diag(out: &mut Vec<u8>, path: &str, li: &LineIndex, d: &Diagnostic) {
    let (l0, c0) = li.line_col(d.start);
    let (l1, c1) = li.line_col(d.end);
    out.extend_from_slice(b"{\"path\":");
    write_str(out, path);
    out.extend_from_slice(b",\"rule\":");
    write_str(out, d.rule);
    out.extend_from_slice(b",\"severity\":");
    write_str(out, d.severity.as_str());
    out.extend_from_slice(b",\"message\":");
    write_str(out, &d.message);
    write_num(out, b",\"start\":", d.start);
    write_num(out, b",\"end\":", d.end);
    write_num(out, b",\"line\":", l0 + 1);
    write_num(out, b",\"column\":", c0 + 1);
    write_num(out, b",\"end_line\":", l1 + 1);
    write_num(out, b",\"end_column\":", c1 + 1);
    out.extend_from_slice(b",\"related\":[");
    for (i, r) in d.related.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let (l, c) = li.line_col(r.start);
        out.extend_from_slice(b"{\"path\":");
        write_str(out, path);
        write_num(out, b",\"start\":", r.start);
        write_num(out, b",\"end\":", r.end);
        write_num(out, b",\"line\":", l + 1);
        write_num(out, b",\"column\":", c + 1);
        out.extend_from_slice(b",\"message\":");
        write_str(out, &r.message);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"fixes\":[");
    for (i, x) in d.fixes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"title\":");
        write_str(out, &x.title);
        out.extend_from_slice(b",\"edits\":[");
        for (j, e) in x.edits.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            write_num(out, b"{\"start\":", e.start);
            write_num(out, b",\"end\":", e.end);
            out.extend_from_slice(b",\"new_text\":");
            write_str(out, &e.new_text);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"]}");
}

/// `key` then `n` in decimal (`itoa`, as `serde_json` writes numbers).
fn write_num(out: &mut Vec<u8>, key: &[u8], n: usize) {
    out.extend_from_slice(key);
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `s` as a JSON string, escaped as `serde_json` escapes it: `"` and `\\`, the control
/// characters (`\\b \\t \\n \\f \\r` by name, the others as `\\u00xx`), nothing else. Runs
/// of bytes needing no escape are found eight at a time and copied whole.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(w)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if let Some(esc) = escape(b) {
            out.extend_from_slice(&bytes[done..i]);
            out.extend_from_slice(&esc.0[..esc.1]);
            done = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `w` is below 0x20, `"` or `\\`.
fn needs_escape(w: u64) -> bool {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // `has_zero(v)` is non-zero exactly when some byte of `v` is zero; a byte is below 0x20
    // exactly when its top three bits are clear.
    let has_zero = |v: u64| v.wrapping_sub(LOW) & !v & HIGH;
    has_zero(w & 0xe0e0_e0e0_e0e0_e0e0)
        | has_zero(w ^ (LOW * b'"' as u64))
        | has_zero(w ^ (LOW * b'\\' as u64))
        != 0
}

/// The escape of byte `b` (its bytes and length), or `None` when it stands for itself.
fn escape(b: u8) -> Option<([u8; 6], usize)> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = |c: u8| Some(([b'\\', c, 0, 0, 0, 0], 2));
    match b {
        b'"' => short(b'"'),
        b'\\' => short(b'\\'),
        0x08 => short(b'b'),
        0x09 => short(b't'),
        0x0a => short(b'n'),
        0x0c => short(b'f'),
        0x0d => short(b'r'),
        0x00..=0x1f => Some((
            [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            6,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! The contract as `serde_json` writes it from borrowed structs (how the report was
    //! written before [`write_diag`]), the reference the fast writer is held to.

    use super::*;
    use crate::analysis::diagnostic::{Edit as DEdit, Fix as DFix, Related};

    #[derive(serde::Serialize)]
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

    #[derive(serde::Serialize)]
    struct Rel<'a> {
        path: &'a str,
        start: usize,
        end: usize,
        line: usize,
        column: usize,
        message: &'a str,
    }

    #[derive(serde::Serialize)]
    struct Fix<'a> {
        title: &'a str,
        edits: Vec<Edit<'a>>,
    }

    #[derive(serde::Serialize)]
    struct Edit<'a> {
        start: usize,
        end: usize,
        new_text: &'a str,
    }

    /// One finding as the contract lays it out.
    fn diag<'a>(path: &'a str, li: &LineIndex, d: &'a Diagnostic) -> Diag<'a> {
        let (l0, c0) = li.line_col(d.start);
        let (l1, c1) = li.line_col(d.end);
        Diag {
            path,
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
                        path,
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

    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        let pieces = vec![
            "a", "Z", "0", "٣", "۴", "ب", "ی", "\u{200c}", "\u{64e}", "\r\n", "\r", "\n", "\t",
            "\u{8}", "\u{c}", "\u{0}", "\u{1f}", "\u{7f}", "\"", "\\", "/", " ", "«", "»", "😀",
            "\u{feff}", "\u{2028}", "ة", "ك",
        ];
        proptest::collection::vec(proptest::sample::select(pieces), 0..24).prop_map(|v| v.concat())
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn write_diag_writes_what_serde_writes(
            article in text(),
            path in text(),
            message in text(),
            title in text(),
            new_text in text(),
            offsets in proptest::collection::vec(0usize..40, 6),
            n_related in 0usize..3,
            n_fixes in 0usize..3,
            severity in 0usize..4,
        ) {
            let severity = [Severity::Hint, Severity::Info, Severity::Warning, Severity::Error][severity];
            let mut d = Diagnostic::new("some-rule", severity, offsets[0], offsets[1], message.clone());
            d.related = (0..n_related)
                .map(|i| Related { start: offsets[2] + i, end: offsets[3], message: message.clone() + &title })
                .collect();
            d.fixes = (0..n_fixes)
                .map(|i| DFix {
                    title: title.clone(),
                    edits: (0..i + 1)
                        .map(|j| DEdit { start: offsets[4] * j, end: offsets[5], new_text: new_text.clone() })
                        .collect(),
                })
                .collect();
            let li = LineIndex::new(&article);
            let mut fast = Vec::new();
            write_diag(&mut fast, &path, &li, &d);
            let want = serde_json::to_vec(&diag(&path, &li, &d)).expect("serialisable");
            prop_assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&want));
        }

        #[test]
        fn write_str_escapes_as_serde_does(s in text(), raw in proptest::collection::vec(any::<char>(), 0..40)) {
            for s in [s, raw.into_iter().collect::<String>()] {
                let mut fast = Vec::new();
                write_str(&mut fast, &s);
                prop_assert_eq!(fast, serde_json::to_vec(&s).expect("serialisable"));
            }
        }
    }

    #[test]
    fn every_byte_escapes_as_serde_does() {
        for b in 0u8..0x80 {
            let s = (b as char).to_string().repeat(9);
            let mut fast = Vec::new();
            write_str(&mut fast, &s);
            assert_eq!(
                fast,
                serde_json::to_vec(&s).expect("serialisable"),
                "byte {b:#x}"
            );
        }
        let mut fast = Vec::new();
        write_num(&mut fast, b"", usize::MAX);
        assert_eq!(fast, usize::MAX.to_string().as_bytes());
    }
}
