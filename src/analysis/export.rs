//! Export of annotated spans to the formats other tools read: CoNLL-2002 style IOB2, JSONL as
//! doccano and Prodigy read it, and W3C Web Annotation JSON-LD.
//!
//! Spans are code points of the article, end exclusive. Tokens for CoNLL are maximal runs of
//! letters, digits and ZWNJ, or single punctuation marks; a proclitic stays in its word (وسوريا is
//! one token, labelled as the name it carries), because splitting clitics needs a morphological
//! analyser and CoNLL readers expect the text's own words. Sentences end at line breaks and at
//! . ! ? ؟.

use super::ann::{AnnFile, Entry};
use super::normalize::is_alnum;
use serde_json::json;

/// One annotated span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// The type (Person, Place …).
    pub label: String,
    /// The linked KB entity, if any.
    pub entity: Option<String>,
}

/// The spans of an `.ann` file: its text-bound annotations that are not marked rejected, with
/// the `khabar:` entity their normalisation names. Discontinuous spans export as their first
/// fragment to its last (the formats below hold one range per span).
pub fn spans_of(ann: &AnnFile) -> Vec<Span> {
    let rejected: Vec<&str> = ann
        .lines
        .iter()
        .filter_map(|l| match &l.entry {
            Entry::Attr { name, target, .. } if name == "Rejected" || name == "NotEntity" => {
                Some(target.as_str())
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for l in &ann.lines {
        if let Entry::Text {
            id, ty, fragments, ..
        } = &l.entry
        {
            if rejected.contains(&id.as_str()) {
                continue;
            }
            let (Some(first), Some(last)) = (fragments.first(), fragments.last()) else {
                continue;
            };
            let entity = ann.lines.iter().find_map(|n| match &n.entry {
                Entry::Norm {
                    target, reference, ..
                } if target == id => reference.strip_prefix("khabar:").map(str::to_string),
                _ => None,
            });
            out.push(Span {
                start: first.0,
                end: last.1,
                label: ty.clone(),
                entity,
            });
        }
    }
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// A token: code-point span and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The sentence ends after this token.
    pub sentence_end: bool,
}

pub fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' || c == '\r' {
            if let Some(t) = out.last_mut() {
                t.sentence_end = true;
            }
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_alnum(c)
            || c == '\u{200c}'
            || ('\u{064b}'..='\u{0652}').contains(&c)
            || c == '\u{0640}'
        {
            let s = i;
            while i < chars.len()
                && (is_alnum(chars[i])
                    || chars[i] == '\u{200c}'
                    || ('\u{064b}'..='\u{0652}').contains(&chars[i])
                    || chars[i] == '\u{0640}')
            {
                i += 1;
            }
            out.push(Token {
                start: s,
                end: i,
                text: chars[s..i].iter().collect(),
                sentence_end: false,
            });
        } else {
            out.push(Token {
                start: i,
                end: i + 1,
                text: c.to_string(),
                sentence_end: matches!(c, '.' | '!' | '?' | '؟'),
            });
            i += 1;
        }
    }
    if let Some(t) = out.last_mut() {
        t.sentence_end = true;
    }
    out
}

/// IOB2 label of each token: `B-`/`I-` plus the span's label, or `O`.
pub fn iob2(tokens: &[Token], spans: &[Span]) -> Vec<String> {
    let mut labels = vec!["O".to_string(); tokens.len()];
    for s in spans {
        let mut first = true;
        for (k, t) in tokens.iter().enumerate() {
            if t.start < s.end && s.start < t.end && labels[k] == "O" {
                labels[k] = format!("{}-{}", if first { "B" } else { "I" }, s.label);
                first = false;
            }
        }
    }
    labels
}

/// CoNLL-2002 style: one `token label` a line, a blank line between sentences.
pub fn conll(text: &str, spans: &[Span]) -> String {
    let toks = tokens(text);
    let labels = iob2(&toks, spans);
    let mut out = String::new();
    for (t, l) in toks.iter().zip(&labels) {
        out.push_str(&t.text);
        out.push(' ');
        out.push_str(l);
        out.push('\n');
        if t.sentence_end {
            out.push('\n');
        }
    }
    out
}

/// One JSONL line: `{"text", "spans": [[start, end, label, entity]]}` (plus `path`).
pub fn jsonl(path: &str, text: &str, spans: &[Span]) -> String {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|s| json!([s.start, s.end, s.label, s.entity]))
        .collect();
    json!({ "path": path, "text": text, "spans": spans }).to_string()
}

/// W3C Web Annotation JSON-LD: one annotation per span, with a TextQuoteSelector (exact,
/// prefix, suffix of up to 32 characters) and a TextPositionSelector.
pub fn w3c(path: &str, text: &str, spans: &[Span]) -> serde_json::Value {
    let chars: Vec<char> = text.chars().collect();
    let take = |a: usize, b: usize| {
        chars
            .get(a.min(chars.len())..b.min(chars.len()))
            .map(|s| s.iter().collect::<String>())
            .unwrap_or_default()
    };
    let items: Vec<serde_json::Value> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut body = vec![json!({"type": "TextualBody", "purpose": "tagging", "value": s.label})];
            if let Some(e) = &s.entity {
                body.push(json!({"type": "SpecificResource", "purpose": "identifying", "source": format!("khabar:{e}")}));
            }
            json!({
                "id": format!("#{path}-{}", i + 1),
                "type": "Annotation",
                "body": body,
                "target": {
                    "source": path,
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": take(s.start, s.end), "prefix": take(s.start.saturating_sub(32), s.start), "suffix": take(s.end, s.end + 32)},
                        {"type": "TextPositionSelector", "start": s.start, "end": s.end},
                    ],
                },
            })
        })
        .collect();
    json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": format!("#{path}"),
        "type": "AnnotationCollection",
        "total": items.len(),
        "first": { "type": "AnnotationPage", "items": items },
    })
}

/// Spans back from a JSONL line (import), with what could not be read said.
pub fn from_jsonl(line: &str) -> Result<(Option<String>, String, Vec<Span>), String> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let text = v["text"].as_str().ok_or("no `text`")?.to_string();
    let path = v["path"].as_str().map(str::to_string);
    let mut spans = Vec::new();
    for s in v["spans"].as_array().ok_or("no `spans`")? {
        let a = s.as_array().ok_or("a span is not an array")?;
        let num = |k: usize| a.get(k).and_then(|x| x.as_u64()).map(|x| x as usize);
        let (Some(start), Some(end)) = (num(0), num(1)) else {
            return Err("a span needs start and end".into());
        };
        spans.push(Span {
            start,
            end,
            label: a
                .get(2)
                .and_then(|x| x.as_str())
                .unwrap_or("Entity")
                .to_string(),
            entity: a.get(3).and_then(|x| x.as_str()).map(str::to_string),
        });
    }
    Ok((path, text, spans))
}

/// An `.ann` file holding `spans` of `text` (T lines with N links).
pub fn to_ann(text: &str, spans: &[Span]) -> AnnFile {
    let chars: Vec<char> = text.chars().collect();
    let mut ann = AnnFile::default();
    let (mut t, mut n) = (0, 0);
    for s in spans {
        t += 1;
        let id = format!("T{t}");
        let covered: String = chars
            .get(s.start..s.end.min(chars.len()))
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        ann.push(Entry::Text {
            id: id.clone(),
            ty: s.label.clone(),
            fragments: vec![(s.start, s.end)],
            text: covered,
        });
        if let Some(e) = &s.entity {
            n += 1;
            ann.push(Entry::Norm {
                id: format!("N{n}"),
                kind: "Reference".into(),
                target: id,
                reference: format!("khabar:{e}"),
                label: e.clone(),
            });
        }
    }
    ann
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ann::parse;

    const TEXT: &str = "زار علي شمخاني دمشق.\nوسوريا بلد.";

    fn spans() -> Vec<Span> {
        spans_of(&parse(
            "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nT2\tPlace 15 19\tدمشق\nT3\tCountry 22 27\tسوريا\nA1\tRejected T2\n",
        ))
    }

    #[test]
    fn rejected_spans_are_not_exported() {
        let s = spans();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].entity.as_deref(), Some("ali-shamkhani"));
    }

    #[test]
    fn conll_matches_the_hand_checked_file() {
        // Hand-checked: the proclitic و stays in its token, which carries the country label.
        let want =
            "زار O\nعلي B-Person\nشمخاني I-Person\nدمشق O\n. O\n\nوسوريا B-Country\nبلد O\n. O\n\n";
        assert_eq!(conll(TEXT, &spans()), want);
    }

    #[test]
    fn jsonl_round_trips() {
        let line = jsonl("a.txt", TEXT, &spans());
        let (path, text, back) = from_jsonl(&line).unwrap();
        assert_eq!((path.as_deref(), text.as_str()), (Some("a.txt"), TEXT));
        assert_eq!(back, spans());
    }

    #[test]
    fn w3c_selectors_quote_the_text() {
        let v = w3c("a.txt", TEXT, &spans());
        let sel = &v["first"]["items"][0]["target"]["selector"];
        assert_eq!(sel[0]["exact"], "علي شمخاني");
        assert_eq!(sel[0]["prefix"], "زار ");
        assert_eq!(sel[1]["start"], 4);
        assert_eq!(
            v["first"]["items"][0]["body"][1]["source"],
            "khabar:ali-shamkhani"
        );
    }

    #[test]
    fn to_ann_writes_t_and_n_lines() {
        let ann = to_ann(TEXT, &spans());
        assert_eq!(
            ann.serialize(),
            "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tali-shamkhani\nT2\tCountry 22 27\tسوريا\n"
        );
    }
}
