//! Curators' decisions on mentions, as edits of a brat `.ann` file.
//!
//! A decision is about a span: accept it as a mention of an entity (a `T` line and an
//! `N … Reference … khabar:<id>` line), reject it (`A … Rejected`), link it to another entity,
//! or note something on it (`# … AnnotatorNotes`). A span that already has a `T` line reuses
//! it, so deciding twice changes the decision instead of stacking lines, and every line khabar
//! does not touch stays byte for byte.

use super::ann::{AnnFile, Entry, Line};
use super::diagnostic::Severity;
use super::rules::RuleMeta;

/// An annotation whose text is no longer at its place in the article (reported on the article
/// by the language server; `khabar check` reports the same on the `.ann` as `ann-text-mismatch`).
pub static STALE: RuleMeta = RuleMeta {
    id: "stale-annotation",
    default_severity: Severity::Warning,
    summary: "an annotation whose text is no longer at its place in the article",
    help: "## What it does\n\nReports, on the article where it was, an annotation of the `.ann` whose \
covered text is no longer there and could not be found again (the article was edited \
elsewhere, or the words were deleted).\n\n## Why it matters\n\nA decision that points at \
the wrong words is worse than none; khabar never drops one silently. Its code actions drop \
the annotation or attach it to a selected span.\n\n## Example\n\n`T3 Person 120 130 علي شمخاني` \
after the name was deleted from the article. Reported by the language server.\n",
    fixable: false,
};

/// A mention nobody has accepted or rejected yet (with the `curationHints` setting).
pub static UNCURATED: RuleMeta = RuleMeta {
    id: "uncurated-mention",
    default_severity: Severity::Hint,
    summary: "a mention nobody has accepted or rejected yet",
    help: "## What it does\n\nMarks every mention without a decision in the article's `.ann`, \
when the editor setting `curationHints` is on.\n\n## Why it matters\n\nIt shows, in the \
text, what is left to curate; `khabar.curationStatus` lists it across the corpus.\n\n\
## Example\n\nعلي شمخاني in an article whose `.ann` says nothing about it. Reported by the \
language server.\n",
    fixable: false,
};

/// The curation rules, reported by the language server.
pub static RULES: &[&RuleMeta] = &[&STALE, &UNCURATED];

/// The `N` reference prefix for KB entities.
pub const REFERENCE_PREFIX: &str = "khabar:";

/// What a curator decided about a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The span names entity `id` (labelled `label` in the `N` line).
    Link { id: String, label: String },
    /// The span is not an entity.
    Reject,
    /// A note on the span (replaces an earlier note).
    Note(String),
}

/// A span's curation state, summed up from its lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The `T` id.
    pub id: String,
    pub ty: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The linked KB entity id.
    pub entity: Option<String>,
    pub rejected: bool,
    pub note: Option<String>,
    /// Who decided last (`A… Annotator T… NAME`), when the editor says.
    pub by: Option<String>,
}

/// The brat type for an entity kind: capitalised, as brat schemas write types.
pub fn brat_type(kind: &str) -> String {
    let mut c = kind.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn target_of(e: &Entry) -> Option<&str> {
    match e {
        Entry::Norm { target, .. } | Entry::Attr { target, .. } | Entry::Note { target, .. } => {
            Some(target)
        }
        _ => None,
    }
}

/// The `T` id for the single-fragment span `start..end`, added with type `ty` and covered text
/// `text` if there is none.
fn text_id(ann: &mut AnnFile, start: usize, end: usize, ty: &str, text: &str) -> String {
    let found = ann.lines.iter().find_map(|l| match &l.entry {
        Entry::Text { id, fragments, .. } if fragments.as_slice() == [(start, end)] => {
            Some(id.clone())
        }
        _ => None,
    });
    if let Some(id) = found {
        return id;
    }
    let id = ann.next_id('T');
    ann.push(Entry::Text {
        id: id.clone(),
        ty: ty.to_string(),
        fragments: vec![(start, end)],
        text: text.to_string(),
    });
    id
}

/// Removes the lines about `target` that `drop` selects.
fn remove(ann: &mut AnnFile, target: &str, drop: impl Fn(&Entry) -> bool) {
    ann.lines
        .retain(|l| !(target_of(&l.entry) == Some(target) && drop(&l.entry)));
}

/// Records `decision` on the span `start..end` covering `text` (type `ty` for a new `T` line);
/// returns the span's `T` id.
pub fn decide(
    ann: &mut AnnFile,
    start: usize,
    end: usize,
    ty: &str,
    text: &str,
    decision: &Decision,
) -> String {
    let t = text_id(ann, start, end, ty, text);
    let is_ref = |e: &Entry| matches!(e, Entry::Norm { kind, .. } if kind == "Reference");
    let is_rejected = |e: &Entry| matches!(e, Entry::Attr { name, .. } if name == "Rejected");
    match decision {
        Decision::Link { id, label } => {
            remove(ann, &t, |e| is_ref(e) || is_rejected(e));
            let n = ann.next_id('N');
            ann.push(Entry::Norm {
                id: n,
                kind: "Reference".to_string(),
                target: t.clone(),
                reference: format!("{REFERENCE_PREFIX}{id}"),
                label: label.clone(),
            });
        }
        Decision::Reject => {
            remove(ann, &t, |e| is_ref(e) || is_rejected(e));
            let a = ann.next_id('A');
            ann.push(Entry::Attr {
                id: a,
                name: "Rejected".to_string(),
                target: t.clone(),
                value: None,
            });
        }
        Decision::Note(note) => {
            remove(
                ann,
                &t,
                |e| matches!(e, Entry::Note { kind, .. } if kind == "AnnotatorNotes"),
            );
            let id = ann.next_id('#');
            ann.push(Entry::Note {
                id,
                kind: "AnnotatorNotes".to_string(),
                target: t.clone(),
                text: note.replace(['\n', '\r', '\t'], " "),
            });
        }
    }
    t
}

/// Every single-fragment `T` span with its decisions.
pub fn states(ann: &AnnFile) -> Vec<State> {
    let mut out: Vec<State> = ann
        .lines
        .iter()
        .filter_map(|l: &Line| match &l.entry {
            Entry::Text {
                id,
                ty,
                fragments,
                text,
            } => {
                let (&(start, _), &(_, end)) = (fragments.first()?, fragments.last()?);
                Some(State {
                    id: id.clone(),
                    ty: ty.clone(),
                    start,
                    end,
                    text: text.clone(),
                    ..State::default()
                })
            }
            _ => None,
        })
        .collect();
    for l in &ann.lines {
        let Some(s) = target_of(&l.entry).and_then(|t| out.iter_mut().find(|s| s.id == t)) else {
            continue;
        };
        match &l.entry {
            Entry::Norm {
                kind, reference, ..
            } if kind == "Reference" => {
                s.entity = reference.strip_prefix(REFERENCE_PREFIX).map(str::to_string);
            }
            Entry::Attr { name, .. } if name == "Rejected" => s.rejected = true,
            Entry::Attr {
                name,
                value: Some(v),
                ..
            } if name == "Annotator" => s.by = Some(v.clone()),
            Entry::Note { kind, text, .. } if kind == "AnnotatorNotes" => {
                s.note = Some(text.clone())
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ann::parse;

    #[test]
    fn deciding_twice_changes_the_decision_and_keeps_other_lines() {
        let mut ann = parse("# a comment line khabar does not know\nR1\tRel Arg1:T9 Arg2:T8\n");
        let link = Decision::Link {
            id: "ali-shamkhani".into(),
            label: "Ali Shamkhani".into(),
        };
        let t = decide(&mut ann, 4, 14, "Person", "علي شمخاني", &link);
        assert_eq!(t, "T1");
        assert_eq!(
            ann.serialize(),
            "# a comment line khabar does not know\nR1\tRel Arg1:T9 Arg2:T8\nT1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n"
        );
        // Rejecting the same span replaces the link; a note is added beside it.
        decide(&mut ann, 4, 14, "Person", "علي شمخاني", &Decision::Reject);
        decide(
            &mut ann,
            4,
            14,
            "Person",
            "علي شمخاني",
            &Decision::Note("not him\there".into()),
        );
        let s = states(&ann);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].rejected, s[0].entity.as_deref()), (true, None));
        assert_eq!(s[0].note.as_deref(), Some("not him here"));
        assert!(ann
            .serialize()
            .starts_with("# a comment line khabar does not know\nR1\t"));
        // Who decided, when the editor says: one attribute, replaced on the next decision.
        set_annotator(&mut ann, "T1", "Sara K");
        set_annotator(&mut ann, "T1", "Omid");
        assert_eq!(states(&ann)[0].by.as_deref(), Some("Omid"));
        assert_eq!(ann.serialize().matches("Annotator T1").count(), 1);
        // Linking again clears the rejection.
        decide(&mut ann, 4, 14, "Person", "علي شمخاني", &link);
        let s = states(&ann);
        assert_eq!(
            (s[0].rejected, s[0].entity.as_deref()),
            (false, Some("ali-shamkhani"))
        );
        // The file parses back to the same states.
        assert_eq!(states(&parse(&ann.serialize())), s);
    }

    #[test]
    fn brat_types_are_capitalised_kinds() {
        assert_eq!(brat_type("person"), "Person");
        assert_eq!(brat_type(""), "");
    }
}

/// Records who decided on span `t` (an `Annotator` attribute, replacing an earlier one); brat
/// attribute values are single tokens, so spaces in the name become `_`.
pub fn set_annotator(ann: &mut AnnFile, t: &str, name: &str) {
    let value: String = name
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    if value.is_empty() {
        return;
    }
    remove(
        ann,
        t,
        |e| matches!(e, Entry::Attr { name, .. } if name == "Annotator"),
    );
    let id = ann.next_id('A');
    ann.push(Entry::Attr {
        id,
        name: "Annotator".to_string(),
        target: t.to_string(),
        value: Some(value),
    });
}

/// Removes the `T` line `id` and every line about it.
pub fn drop_span(ann: &mut AnnFile, id: &str) {
    ann.lines
        .retain(|l| l.entry.id() != Some(id) && target_of(&l.entry) != Some(id));
}

/// Moves the `T` line `id` to the span `start..end` covering `text`; false when there is none.
pub fn attach(ann: &mut AnnFile, id: &str, start: usize, end: usize, text: &str) -> bool {
    for line in &mut ann.lines {
        if let Entry::Text {
            id: tid,
            fragments,
            text: covered,
            ..
        } = &mut line.entry
        {
            if tid == id {
                *fragments = vec![(start, end)];
                *covered = text.to_string();
                line.raw = None;
                return true;
            }
        }
    }
    false
}

/// The annotations whose text is no longer at their place in `text` (the article as the
/// editor has it): each a [`STALE`] finding on the article at that place, so that the curator
/// sees it where it was and can drop it or attach it elsewhere.
pub fn stale(states: &[State], text: &str) -> Vec<super::diagnostic::Diagnostic> {
    let chars: Vec<char> = text.chars().collect();
    let severity = STALE.default_severity;
    states
        .iter()
        .filter(|s| {
            chars
                .get(s.start..s.end)
                .map(|c| c.iter().collect::<String>())
                != Some(s.text.clone())
        })
        .map(|s| {
            let start = s.start.min(chars.len());
            let end = s.end.min(chars.len()).max(start);
            super::diagnostic::Diagnostic::new(
                STALE.id,
                severity,
                start,
                end,
                format!(
                    "annotation {} «{}» no longer matches the text here",
                    s.id, s.text
                ),
            )
        })
        .collect()
}

/// What re-anchoring did to one `T` span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Its text is still where it was.
    Kept,
    /// Its text was found again elsewhere: old and new start.
    Moved { id: String, from: usize, to: usize },
    /// Its text is nowhere in the article: left as it was, for a curator to decide.
    Lost { id: String, text: String },
}

/// Finds every single-fragment `T` span of `ann` again in `text` (the article as it is now) by
/// its quote, as the W3C TextQuoteSelector and Hypothesis do: where it was if the text is still
/// there, else the occurrence whose surroundings best match what surrounded it in `old` (the
/// article before; nearest to the old place on a tie). Spans whose quote is gone are reported
/// `Lost` and left untouched: nothing is dropped without the curator.
pub fn reanchor(ann: &mut AnnFile, old: &str, text: &str) -> Vec<Anchor> {
    /// Characters of context compared on each side.
    const CONTEXT: usize = 32;
    let now: Vec<char> = text.chars().collect();
    let before: Vec<char> = old.chars().collect();
    let mut out = Vec::new();
    for line in &mut ann.lines {
        let Entry::Text {
            id,
            fragments,
            text: quote,
            ..
        } = &mut line.entry
        else {
            continue;
        };
        let [(start, end)] = fragments.as_slice() else {
            continue;
        };
        let (start, end) = (*start, *end);
        let q: Vec<char> = quote.chars().collect();
        if now.get(start..end) == Some(q.as_slice()) {
            out.push(Anchor::Kept);
            continue;
        }
        if q.is_empty() {
            out.push(Anchor::Lost {
                id: id.clone(),
                text: quote.clone(),
            });
            continue;
        }
        let prefix: Vec<char> = before
            [start.saturating_sub(CONTEXT).min(before.len())..start.min(before.len())]
            .to_vec();
        let suffix: Vec<char> =
            before[end.min(before.len())..(end + CONTEXT).min(before.len())].to_vec();
        let score = |at: usize| -> (usize, std::cmp::Reverse<usize>) {
            let p = prefix
                .iter()
                .rev()
                .zip(now[..at].iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let s = suffix
                .iter()
                .zip(now[at + q.len()..].iter())
                .take_while(|(a, b)| a == b)
                .count();
            (p + s, std::cmp::Reverse(at.abs_diff(start)))
        };
        let best = (0..now.len().saturating_sub(q.len() - 1))
            .filter(|&at| now[at..at + q.len()] == q[..])
            .max_by_key(|&at| score(at));
        match best {
            Some(at) => {
                *fragments = vec![(at, at + q.len())];
                line.raw = None;
                out.push(Anchor::Moved {
                    id: id.clone(),
                    from: start,
                    to: at,
                });
            }
            None => out.push(Anchor::Lost {
                id: id.clone(),
                text: quote.clone(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod reanchor_tests {
    use super::*;
    use crate::analysis::ann::parse;

    fn t_spans(ann: &AnnFile) -> Vec<(usize, usize)> {
        states(ann).iter().map(|s| (s.start, s.end)).collect()
    }

    #[test]
    fn spans_follow_their_text_through_edits_on_disk() {
        let old = "قال شمخاني إن شمخاني سيزور دمشق\r\nوقال مسؤول";
        // T1: the second شمخاني (14..20); T2: دمشق (27..31); T3: مسؤول (38..43).
        let mut ann =
            parse("T1\tPerson 14 20\tشمخاني\nT2\tPlace 27 31\tدمشق\nT3\tOther 38 43\tمسؤول\n");
        // Inserted before the spans, inside the line, with CRLF turned into LF, and مسؤول gone.
        let new = "أمس قال شمخاني إن شمخاني سيزور  دمشق\nوقال";
        let r = reanchor(&mut ann, old, new);
        assert_eq!(
            r,
            [
                Anchor::Moved {
                    id: "T1".into(),
                    from: 14,
                    to: 18
                },
                Anchor::Moved {
                    id: "T2".into(),
                    from: 27,
                    to: 32
                },
                Anchor::Lost {
                    id: "T3".into(),
                    text: "مسؤول".into()
                },
            ]
        );
        // The second شمخاني, not the first: its context decides between equal quotes.
        let chars: Vec<char> = new.chars().collect();
        assert_eq!(chars[18..24].iter().collect::<String>(), "شمخاني");
        assert_eq!(t_spans(&ann), [(18, 24), (32, 36), (38, 43)]);
        // Unchanged text keeps every span, and the file is written back exactly.
        let mut same = parse("T1\tPerson 4 10\tشمخاني\n");
        assert_eq!(reanchor(&mut same, old, old), [Anchor::Kept]);
        assert_eq!(same.serialize(), "T1\tPerson 4 10\tشمخاني\n");
    }

    #[test]
    fn inserts_before_inside_and_after_a_span_and_its_deletion() {
        let old = "قال علي شمخاني في دمشق";
        let t = "T1\tPerson 4 14\tعلي شمخاني\n";
        let case = |new: &str| {
            let mut ann = parse(t);
            let r = reanchor(&mut ann, old, new);
            (r, t_spans(&ann))
        };
        // Before: the span moves with its text.
        let (r, s) = case("وقد قال علي شمخاني في دمشق");
        assert_eq!(s, [(8, 18)]);
        assert!(matches!(r[0], Anchor::Moved { to: 8, .. }));
        // After: nothing moves.
        assert_eq!(case("قال علي شمخاني في دمشق أمس").0, [Anchor::Kept]);
        // Inside: the quote is no longer there; kept as it was and reported, not dropped.
        let (r, s) = case("قال علي بن شمخاني في دمشق");
        assert!(matches!(&r[0], Anchor::Lost { id, .. } if id == "T1"));
        assert_eq!(s, [(4, 14)]);
        // Deleted: likewise.
        assert!(matches!(case("قال في دمشق").0[0], Anchor::Lost { .. }));
        // Line breaks rewritten CRLF -> LF before the span shift it back by one.
        let mut ann = parse("T1\tPlace 19 23\tدمشق\n");
        let r = reanchor(
            &mut ann,
            "قال\r\nعلي شمخاني في دمشق",
            "قال\nعلي شمخاني في دمشق",
        );
        assert!(matches!(
            r[0],
            Anchor::Moved {
                from: 19,
                to: 18,
                ..
            }
        ));
    }
}
