//! `from_proto` / `to_proto`: the only place that knows the negotiated position encoding and
//! how URIs map to paths.
//!
//! The core counts code points; a client counts UTF-16 units unless it offered UTF-8 or
//! UTF-32 in `general.positionEncodings`. Conversions go through
//! [`Document`](crate::analysis::text::Document), which clamps as LSP asks: a column past the
//! end of a line is its end, a line past the end of the document is the document's end.

use crate::analysis::text::{Document, Encoding, LineCol};
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use tower_lsp_server::ls_types::{
    ClientCapabilities, Position, PositionEncodingKind, Range, TextDocumentContentChangeEvent, Uri,
};

/// The encoding to use: the first one the client offers that we support (clients list them
/// in order of preference), else UTF-16, which every client supports.
pub fn negotiate(caps: &ClientCapabilities) -> Encoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    offered
        .into_iter()
        .flatten()
        .find_map(|kind| match kind.as_str() {
            "utf-8" => Some(Encoding::Utf8),
            "utf-16" => Some(Encoding::Utf16),
            "utf-32" => Some(Encoding::Utf32),
            _ => None,
        })
        .unwrap_or(Encoding::Utf16)
}

pub fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn position(doc: &Document, offset: usize, enc: Encoding) -> Position {
    let lc = doc.offset_to_linecol(offset, enc);
    Position {
        line: to_u32(lc.line),
        character: to_u32(lc.col),
    }
}

pub fn range(doc: &Document, start: usize, end: usize, enc: Encoding) -> Range {
    let len = doc.len_chars();
    let (start, end) = (start.min(len), end.max(start).min(len));
    let from = position(doc, start, enc);
    // Nearly every span lies within one line: its end is then its start plus its own length,
    // which spares a second walk down the rope (a push of a large article converts hundreds).
    if doc.line_of(end) != from.line as usize {
        return Range {
            start: from,
            end: position(doc, end, enc),
        };
    }
    let span = doc.rope().slice(start..end);
    let units = match enc {
        Encoding::Utf32 => end - start,
        Encoding::Utf16 => span.len_utf16_cu(),
        Encoding::Utf8 => span.len_bytes(),
    };
    Range {
        start: from,
        end: Position {
            line: from.line,
            character: to_u32(from.character as usize + units),
        },
    }
}

/// The code-point offset of a client position, clamped to the document.
pub fn offset(doc: &Document, pos: Position, enc: Encoding) -> usize {
    doc.linecol_to_offset(
        LineCol {
            line: pos.line as usize,
            col: pos.character as usize,
        },
        enc,
    )
}

/// The code-point span of a client range, ordered.
pub fn span(doc: &Document, range: Range, enc: Encoding) -> (usize, usize) {
    let (a, b) = (offset(doc, range.start, enc), offset(doc, range.end, enc));
    (a.min(b), a.max(b))
}

/// Applies one `didChange` content change: a range replacement, or the whole text.
pub fn apply_change(doc: &mut Document, change: &TextDocumentContentChangeEvent, enc: Encoding) {
    match change.range {
        None => doc.replace_all(&change.text),
        Some(range) => {
            let (start, end) = span(doc, range, enc);
            doc.replace(start, end, &change.text);
        }
    }
}

/// The key a document is stored under: its decoded, lexically normalised file path, so that
/// `%d8%ae` and `%D8%AE` name the same file. Other schemes keep their URI text, which is never
/// inside a workspace folder.
pub fn path_of(uri: &Uri) -> PathBuf {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    match uri.to_file_path() {
        Some(p) if is_file && p.is_absolute() => normalize(&p),
        _ => PathBuf::from(uri.as_str()),
    }
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    if path.is_absolute() {
        Uri::from_file_path(path)
    } else {
        Uri::from_str(&path.to_string_lossy()).ok()
    }
}

/// The URI of `path` as a JSON string literal, quotes included: what a rendered location
/// carries (see [`push_location`]).
pub fn uri_json(path: &Path) -> Option<Box<str>> {
    uri_json_of(&uri_of(path)?)
}

pub fn uri_json_of(uri: &Uri) -> Option<Box<str>> {
    serde_json::to_string(uri.as_str())
        .ok()
        .map(String::into_boxed_str)
}

/// Appends the JSON of a `Location` with `uri` (a JSON string, from [`uri_json`]): the bytes
/// serde_json writes for one turned into a `Value` (keys sorted), so that a pre-rendered
/// answer is the one the server gave before.
pub fn push_location(out: &mut Vec<u8>, uri: &str, range: Range) {
    let (s, e) = (range.start, range.end);
    out.extend_from_slice(br#"{"range":{"end":{"character":"#);
    push_u32(out, e.character);
    out.extend_from_slice(br#","line":"#);
    push_u32(out, e.line);
    out.extend_from_slice(br#"},"start":{"character":"#);
    push_u32(out, s.character);
    out.extend_from_slice(br#","line":"#);
    push_u32(out, s.line);
    out.extend_from_slice(br#"}},"uri":"#);
    out.extend_from_slice(uri.as_bytes());
    out.push(b'}');
}

/// Appends `n` in decimal: `write!` costs more than the rest of a location.
fn push_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The range of an indexed mention, already in the index's encoding (the negotiated one).
pub fn hit_range(hit: &crate::workspace::index::Hit) -> Range {
    Range {
        start: Position {
            line: hit.line,
            character: hit.col,
        },
        end: Position {
            line: hit.line,
            character: hit.end_col,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_case_does_not_matter() {
        let a = Uri::from_str("file:///tmp/a/%d8%ae.txt").unwrap();
        let b = Uri::from_str("file:///tmp/a/%D8%AE.txt").unwrap();
        assert_eq!(path_of(&a), path_of(&b));
        assert_eq!(path_of(&a), PathBuf::from("/tmp/a/خ.txt"));
        let c = Uri::from_str("file:///tmp/a/./b/../%D8%AE.txt").unwrap();
        assert_eq!(path_of(&c), PathBuf::from("/tmp/a/خ.txt"));
        let u = Uri::from_str("untitled:Untitled-1").unwrap();
        assert!(!path_of(&u).is_absolute());
    }

    #[test]
    fn decimal_digits_are_those_of_to_string() {
        let mut n: u32 = 1;
        let mut cases = vec![0, 9, 10, 99, 100, u32::MAX, u32::MAX - 1];
        while let Some(m) = n.checked_mul(7) {
            cases.extend([m, m + 1, m - 1]);
            n = m;
        }
        for c in cases {
            let mut out = Vec::new();
            push_u32(&mut out, c);
            assert_eq!(String::from_utf8(out).unwrap(), c.to_string());
        }
    }

    #[test]
    fn ranges_are_their_two_positions() {
        let doc = Document::new("😀خ\r\nب ت\rث\n\nج😀د");
        let n = doc.len_chars();
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for a in 0..=n + 1 {
                for b in 0..=n + 1 {
                    let want = Range {
                        start: position(&doc, a, enc),
                        end: position(&doc, b.max(a), enc),
                    };
                    assert_eq!(range(&doc, a, b, enc), want, "{enc:?} {a}..{b}");
                }
            }
        }
    }

    #[test]
    fn rendered_locations_are_what_serde_json_writes() {
        use tower_lsp_server::ls_types::Location;
        for path in ["/tmp/a b/خبر.txt", "/tmp/\"q\"/%.txt", "/c/x.txt"] {
            let uri = uri_of(Path::new(path)).unwrap();
            let range = Range {
                start: Position {
                    line: 3,
                    character: 70000,
                },
                end: Position {
                    line: 3,
                    character: u32::MAX,
                },
            };
            let loc = Location {
                uri: uri.clone(),
                range,
            };
            let want = serde_json::to_vec(&serde_json::to_value(&loc).unwrap()).unwrap();
            let mut got = Vec::new();
            push_location(&mut got, &uri_json(Path::new(path)).unwrap(), range);
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    #[test]
    fn positions_round_trip_after_astral_chars() {
        let doc = Document::new("😀خ\r\nب");
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for off in 0..=doc.len_chars() {
                if off == 3 {
                    continue; // inside CRLF: clamps to before it
                }
                assert_eq!(
                    offset(&doc, position(&doc, off, enc), enc),
                    off,
                    "{enc:?} {off}"
                );
            }
        }
        assert_eq!(
            position(&doc, 2, Encoding::Utf16),
            Position {
                line: 0,
                character: 3
            }
        );
        assert_eq!(
            position(&doc, 2, Encoding::Utf8),
            Position {
                line: 0,
                character: 6
            }
        );
        assert_eq!(
            offset(
                &doc,
                Position {
                    line: 9,
                    character: 9
                },
                Encoding::Utf16
            ),
            doc.len_chars()
        );
    }
}
