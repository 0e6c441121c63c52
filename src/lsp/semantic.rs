//! Semantic tokens and inlay hints: what an editor colours and what it writes beside a name.
//!
//! Each entity kind is its own token type in the legend (`person`, `place`, …) so that themes
//! and editor plugins can colour people and places apart; modifiers mark an ambiguous mention
//! and one glued to a Persian word, and spans a curator accepted or rejected. Deltas are computed as one edit between the common prefix
//! and suffix of the previous and the new token arrays: an edit changes tokens near it only,
//! so that edit is small, and nothing cleverer is needed.

use super::convert;
use crate::analysis::kb::{Kb, Kind};
use crate::analysis::mentions::{Attachment, Mention};
use crate::analysis::text::{self, Document, Encoding};
use tower_lsp_server::ls_types::{
    InlayHint, InlayHintLabel, SemanticToken, SemanticTokenModifier, SemanticTokenType,
    SemanticTokensEdit, SemanticTokensLegend,
};

/// Token modifiers, in legend order (bit `i` is `MODIFIERS[i]`).
pub const MODIFIERS: [&str; 4] = ["ambiguous", "glued", "accepted", "rejected"];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: Kind::ALL
            .iter()
            .map(|k| SemanticTokenType::new(k.as_str()))
            .collect(),
        token_modifiers: MODIFIERS
            .iter()
            .map(|m| SemanticTokenModifier::new(m))
            .collect(),
    }
}

fn type_index(kind: Kind) -> u32 {
    Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0) as u32
}

/// The tokens of the mentions inside `span` (code points; the whole text when `None`), in the
/// relative encoding LSP sends. `curated` are the spans a curator decided on: `(start, end,
/// accepted)`, marked `accepted` or `rejected`.
pub fn tokens(
    doc: &Document,
    mentions: &[Mention],
    kb: &Kb,
    enc: Encoding,
    span: Option<(usize, usize)>,
    curated: &[(usize, usize, bool)],
) -> Vec<SemanticToken> {
    let mut sorted: Vec<&Mention> = mentions
        .iter()
        .filter(|m| span.is_none_or(|(s, e)| m.end > s && m.start < e))
        .collect();
    sorted.sort_by_key(|m| (m.start, m.end));
    let mut out = Vec::with_capacity(sorted.len());
    let (mut line, mut col) = (0u32, 0u32);
    let mut last_end: Option<(u32, u32)> = None;
    for m in sorted {
        let Some(entity) = kb.entities.get(m.entity) else {
            continue;
        };
        let r = convert::range(doc, m.start, m.end, enc);
        if r.start.line != r.end.line || r.end.character <= r.start.character {
            continue;
        }
        // Tokens may not overlap: a mention inside the previous one is left out.
        if last_end.is_some_and(|(l, c)| (r.start.line, r.start.character) < (l, c)) {
            continue;
        }
        let delta_line = r.start.line - line;
        let delta_start = if delta_line == 0 {
            r.start.character - col
        } else {
            r.start.character
        };
        let mut modifiers = 0;
        if m.is_ambiguous() {
            modifiers |= 1;
        }
        if m.attachment == Attachment::Glued {
            modifiers |= 2;
        }
        match curated.iter().find(|c| c.0 == m.start && c.1 == m.end) {
            Some((_, _, true)) => modifiers |= 4,
            Some((_, _, false)) => modifiers |= 8,
            None => {}
        }
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: r.end.character - r.start.character,
            token_type: type_index(entity.kind),
            token_modifiers_bitset: modifiers,
        });
        line = r.start.line;
        col = r.start.character;
        last_end = Some((r.end.line, r.end.character));
    }
    out
}

/// The one edit that turns `old` into `new`, or none when they are equal. Offsets count
/// integers of the flat array (five a token), as LSP says.
pub fn delta(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let rest_old = &old[prefix..];
    let rest_new = &new[prefix..];
    let suffix = rest_old
        .iter()
        .rev()
        .zip(rest_new.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let deleted = rest_old.len() - suffix;
    let inserted = &rest_new[..rest_new.len() - suffix];
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: (prefix * 5) as u32,
        delete_count: (deleted * 5) as u32,
        data: Some(inserted.to_vec()),
    }]
}

/// The English label after each mention inside `span` whose spelling is not already it.
pub fn inlay_hints(
    doc: &Document,
    text: &str,
    mentions: &[Mention],
    kb: &Kb,
    enc: Encoding,
    span: (usize, usize),
) -> Vec<InlayHint> {
    let mut cursor = text::CharCursor::new(text);
    let mut sorted: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.end >= span.0 && m.start <= span.1)
        .collect();
    sorted.sort_by_key(|m| (m.start, m.end));
    sorted
        .into_iter()
        .filter_map(|m| {
            let en = kb.entities.get(m.entity)?.labels.en.as_deref()?;
            if cursor.slice(m.start, m.end) == en {
                return None;
            }
            Some(InlayHint {
                position: convert::position(doc, m.end, enc),
                label: InlayHintLabel::String(en.to_string()),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: Some(false),
                data: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(delta_line: u32, delta_start: u32, length: u32) -> SemanticToken {
        SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    /// Applies edits the way a client does.
    fn apply(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<SemanticToken> {
        let mut v = old.to_vec();
        for e in edits {
            let (s, n) = (e.start as usize / 5, e.delete_count as usize / 5);
            v.splice(s..s + n, e.data.clone().unwrap_or_default());
        }
        v
    }

    #[test]
    fn a_delta_is_one_edit_that_turns_old_into_new() {
        let old = [tok(0, 1, 2), tok(1, 0, 3), tok(0, 5, 2), tok(2, 0, 1)];
        for new in [
            vec![tok(0, 1, 2), tok(1, 0, 3), tok(0, 5, 2), tok(2, 0, 1)],
            vec![tok(0, 1, 2), tok(1, 0, 4), tok(0, 5, 2), tok(2, 0, 1)],
            vec![tok(0, 1, 2), tok(2, 0, 1)],
            vec![],
            vec![
                tok(0, 0, 1),
                tok(0, 1, 2),
                tok(1, 0, 3),
                tok(0, 5, 2),
                tok(2, 0, 1),
            ],
        ] {
            let edits = delta(&old, &new);
            assert!(edits.len() <= 1);
            assert_eq!(apply(&old, &edits), new);
        }
        let e = delta(
            &old,
            &[tok(0, 1, 2), tok(1, 0, 4), tok(0, 5, 2), tok(2, 0, 1)],
        );
        assert_eq!((e[0].start, e[0].delete_count), (5, 5));
    }

    #[test]
    fn tokens_are_relative_typed_by_kind_and_counted_in_the_encoding() {
        let e = crate::analysis::Engine::embedded();
        let text = "😀 علي شمخاني في دمشق\nإيران";
        let doc = Document::new(text);
        let mentions = e.mentions(text);
        let t = tokens(&doc, &mentions, &e.kb, Encoding::Utf16, None, &[]);
        let types: Vec<&str> = t
            .iter()
            .map(|t| Kind::ALL[t.token_type as usize].as_str())
            .collect();
        assert_eq!(types, ["person", "place", "country"]);
        // Line 0: the name after a surrogate pair and a space (3 units), 10 long; دمشق 4
        // units after its start; then line 1 at column 0.
        let pos: Vec<(u32, u32, u32)> = t
            .iter()
            .map(|t| (t.delta_line, t.delta_start, t.length))
            .collect();
        assert_eq!(pos, [(0, 3, 10), (0, 14, 4), (1, 0, 5)]);
        let utf8 = tokens(&doc, &mentions, &e.kb, Encoding::Utf8, None, &[]);
        assert_eq!((utf8[0].delta_start, utf8[0].length), (5, 19));
        // A range keeps only what it overlaps.
        let in_range = tokens(&doc, &mentions, &e.kb, Encoding::Utf16, Some((20, 30)), &[]);
        assert_eq!(in_range.len(), 1);
        assert_eq!(in_range[0].delta_line, 1);
        let hints = inlay_hints(&doc, text, &mentions, &e.kb, Encoding::Utf16, (0, 100));
        let labels: Vec<String> = hints
            .iter()
            .map(|h| match &h.label {
                InlayHintLabel::String(s) => s.clone(),
                InlayHintLabel::LabelParts(_) => String::new(),
            })
            .collect();
        assert_eq!(labels, ["Ali Shamkhani", "Damascus", "Iran"]);
        assert_eq!(hints[0].position.character, 13);
    }
}
