//! brat standoff annotations (`NAME.ann` beside `NAME.txt`), read and written losslessly.
//!
//! Curators' decisions live in plain files any editor and any CI can read. brat's format is the
//! lingua franca of annotation tools (brat, INCEpTION), so khabar keeps it: `T` text-bound
//! annotations (type, code-point offsets, `;`-separated fragments, covered text), `N`
//! normalisations (`N1<TAB>Reference T1 khabar:<entity-id><TAB><label>`), `A`/`M` attributes, `#`
//! notes; `R`, `E` and `*` lines are read and kept. A line the tool does not understand is kept
//! byte for byte, in place, and reported. Offsets are code points of the article on disk, as brat
//! counts them.

use std::fmt::Write;

/// One line of an `.ann` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `T1<TAB>Person 0 5;6 10<TAB>text`
    Text {
        id: String,
        ty: String,
        fragments: Vec<(usize, usize)>,
        text: String,
    },
    /// `N1<TAB>Reference T1 khabar:id<TAB>label`
    Norm {
        id: String,
        kind: String,
        target: String,
        reference: String,
        label: String,
    },
    /// `A1<TAB>Rejected T1` or `A1<TAB>Confidence T1 High` (and `M`, brat's old name).
    Attr {
        id: String,
        name: String,
        target: String,
        value: Option<String>,
    },
    /// `#1<TAB>AnnotatorNotes T1<TAB>text`
    Note {
        id: String,
        kind: String,
        target: String,
        text: String,
    },
    /// `R`, `E` and `*` lines: kept as written, their id (if any) remembered.
    Other { id: Option<String> },
    /// A line that does not parse: kept as written.
    Malformed { message: String },
    /// An empty line.
    Blank,
}

impl Entry {
    pub fn id(&self) -> Option<&str> {
        match self {
            Entry::Text { id, .. }
            | Entry::Norm { id, .. }
            | Entry::Attr { id, .. }
            | Entry::Note { id, .. } => Some(id),
            Entry::Other { id } => id.as_deref(),
            Entry::Malformed { .. } | Entry::Blank => None,
        }
    }
}

/// A line as read: what it says and exactly how it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub entry: Entry,
    /// The line as it is on disk (without its line break); `None` once changed, so that it is
    /// written out from `entry`.
    pub raw: Option<String>,
}

/// An `.ann` file: its lines, and whether it ended with a line break.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnnFile {
    pub lines: Vec<Line>,
    pub final_newline: bool,
}

fn parse_fragments(s: &str) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    for frag in s.split(';') {
        let mut it = frag.split(' ');
        let a = it.next()?.parse().ok()?;
        let b = it.next()?.parse().ok()?;
        if it.next().is_some() || b < a {
            return None;
        }
        out.push((a, b));
    }
    Some(out)
}

fn parse_line(line: &str) -> Entry {
    if line.trim().is_empty() {
        return Entry::Blank;
    }
    let bad = |m: &str| Entry::Malformed {
        message: m.to_string(),
    };
    let mut cols = line.splitn(3, '\t');
    let id = cols.next().unwrap_or("");
    let mid = cols.next();
    let last = cols.next();
    let Some(kind) = id.chars().next() else {
        return bad("empty id");
    };
    let Some(mid) = mid else {
        return bad("no tab after the id");
    };
    match kind {
        'T' => {
            let Some((ty, offsets)) = mid.split_once(' ') else {
                return bad("a T line needs a type and offsets");
            };
            let Some(fragments) = parse_fragments(offsets) else {
                return bad("offsets must be `start end` pairs separated by `;`");
            };
            Entry::Text {
                id: id.to_string(),
                ty: ty.to_string(),
                fragments,
                text: last.unwrap_or("").to_string(),
            }
        }
        'N' => {
            let parts: Vec<&str> = mid.split(' ').collect();
            if parts.len() != 3 {
                return bad("an N line needs `Reference T<n> <db>:<id>`");
            }
            Entry::Norm {
                id: id.to_string(),
                kind: parts[0].to_string(),
                target: parts[1].to_string(),
                reference: parts[2].to_string(),
                label: last.unwrap_or("").to_string(),
            }
        }
        'A' | 'M' => {
            let parts: Vec<&str> = mid.split(' ').collect();
            match parts.as_slice() {
                [name, target] => Entry::Attr {
                    id: id.to_string(),
                    name: name.to_string(),
                    target: target.to_string(),
                    value: None,
                },
                [name, target, value] => Entry::Attr {
                    id: id.to_string(),
                    name: name.to_string(),
                    target: target.to_string(),
                    value: Some(value.to_string()),
                },
                _ => bad("an A line needs `<name> <target> [value]`"),
            }
        }
        '#' => {
            let Some((k, target)) = mid.split_once(' ') else {
                return bad("a note needs `AnnotatorNotes <target>`");
            };
            Entry::Note {
                id: id.to_string(),
                kind: k.to_string(),
                target: target.to_string(),
                text: last.unwrap_or("").to_string(),
            }
        }
        'R' | 'E' => Entry::Other {
            id: Some(id.to_string()),
        },
        '*' => Entry::Other { id: None },
        _ => bad("unknown annotation kind (brat knows T, N, A, M, R, E, * and #)"),
    }
}

/// Parses an `.ann` file. Parsing never fails: what does not parse is kept as a
/// [`Entry::Malformed`] line for validation to report.
pub fn parse(text: &str) -> AnnFile {
    let final_newline = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines = if text.is_empty() {
        Vec::new()
    } else {
        body.split('\n')
            .map(|l| Line {
                entry: parse_line(l.trim_end_matches('\r')),
                raw: Some(l.to_string()),
            })
            .collect()
    };
    AnnFile {
        lines,
        final_newline: final_newline || text.is_empty(),
    }
}

fn format_entry(e: &Entry) -> String {
    let mut s = String::new();
    match e {
        Entry::Text {
            id,
            ty,
            fragments,
            text,
        } => {
            let frags: Vec<String> = fragments.iter().map(|(a, b)| format!("{a} {b}")).collect();
            let _ = write!(s, "{id}\t{ty} {}\t{text}", frags.join(";"));
        }
        Entry::Norm {
            id,
            kind,
            target,
            reference,
            label,
        } => {
            let _ = write!(s, "{id}\t{kind} {target} {reference}\t{label}");
        }
        Entry::Attr {
            id,
            name,
            target,
            value,
        } => {
            let _ = write!(s, "{id}\t{name} {target}");
            if let Some(v) = value {
                let _ = write!(s, " {v}");
            }
        }
        Entry::Note {
            id,
            kind,
            target,
            text,
        } => {
            let _ = write!(s, "{id}\t{kind} {target}\t{text}");
        }
        Entry::Other { .. } | Entry::Malformed { .. } | Entry::Blank => {}
    }
    s
}

impl AnnFile {
    /// Writes the file back: unchanged lines exactly as read, changed and new ones formatted.
    pub fn serialize(&self) -> String {
        let mut out = String::new();
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match &l.raw {
                Some(raw) => out.push_str(raw),
                None => out.push_str(&format_entry(&l.entry)),
            }
        }
        if self.final_newline && !self.lines.is_empty() {
            out.push('\n');
        }
        out
    }

    /// Adds an entry at the end (formatted when written).
    pub fn push(&mut self, entry: Entry) {
        self.lines.push(Line { entry, raw: None });
        self.final_newline = true;
    }

    /// The next free id with `prefix` (T, N, A, #).
    pub fn next_id(&self, prefix: char) -> String {
        let n = self
            .lines
            .iter()
            .filter_map(|l| l.entry.id())
            .filter_map(|id| id.strip_prefix(prefix))
            .filter_map(|n| n.parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        format!("{prefix}{}", n + 1)
    }
}

/// The text a span covers in brat's convention: fragments joined by a space.
pub fn covered_text(article: &[char], fragments: &[(usize, usize)]) -> Option<String> {
    let mut parts = Vec::new();
    for &(a, b) in fragments {
        parts.push(article.get(a..b)?.iter().collect::<String>());
    }
    Some(parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "T1\tPerson 0 10\tعلي شمخاني\n\
N1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n\
T2\tPlace 12 14;15 20\t😀x هناك\n\
A1\tRejected T2\n\
A2\tConfidence T1 High\n\
#1\tAnnotatorNotes T1\tchecked against the KB\n\
R1\tLocated Arg1:T1 Arg2:T2\n\
E1\tMeeting:T1 Agent:T2\n\
*\tEquiv T1 T2\n\
X9 something the tool does not know\n\
\n\
T3\tOrganization 30 40\tmulti\r\n";

    #[test]
    fn round_trip_is_byte_for_byte() {
        let f = parse(SAMPLE);
        assert_eq!(f.serialize(), SAMPLE);
        let no_final = SAMPLE.trim_end_matches('\n');
        assert_eq!(parse(no_final).serialize(), no_final);
        assert_eq!(parse("").serialize(), "");
    }

    #[test]
    fn every_line_kind_is_read() {
        let f = parse(SAMPLE);
        let kinds: Vec<&str> = f
            .lines
            .iter()
            .map(|l| match &l.entry {
                Entry::Text { .. } => "T",
                Entry::Norm { .. } => "N",
                Entry::Attr { .. } => "A",
                Entry::Note { .. } => "#",
                Entry::Other { .. } => "other",
                Entry::Malformed { .. } => "bad",
                Entry::Blank => "blank",
            })
            .collect();
        assert_eq!(
            kinds,
            ["T", "N", "T", "A", "A", "#", "other", "other", "other", "bad", "blank", "T"]
        );
        let Entry::Text { fragments, .. } = &f.lines[2].entry else {
            panic!("T2")
        };
        assert_eq!(fragments, &vec![(12, 14), (15, 20)]);
        let Entry::Norm {
            reference, target, ..
        } = &f.lines[1].entry
        else {
            panic!("N1")
        };
        assert_eq!(
            (reference.as_str(), target.as_str()),
            ("khabar:ali-shamkhani", "T1")
        );
    }

    #[test]
    fn new_lines_are_formatted_and_old_ones_kept() {
        let mut f = parse(SAMPLE);
        let id = f.next_id('T');
        assert_eq!(id, "T4");
        f.push(Entry::Text {
            id,
            ty: "Place".into(),
            fragments: vec![(1, 3)],
            text: "ab".into(),
        });
        let out = f.serialize();
        assert!(out.starts_with(SAMPLE));
        assert!(out.ends_with("T4\tPlace 1 3\tab\n"));
    }

    #[test]
    fn covered_text_joins_fragments_and_counts_code_points() {
        let article: Vec<char> = "😀x هناك\nسطر".chars().collect();
        assert_eq!(
            covered_text(&article, &[(0, 2), (3, 7)]).as_deref(),
            Some("😀x هناك")
        );
        assert_eq!(covered_text(&article, &[(0, 99)]), None);
    }
}
