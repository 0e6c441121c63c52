//! Document and workspace symbols.
//!
//! An article's outline is what a curator scans it by: the headline, the paragraphs, and the
//! entities it names (each with its mentions, so the outline doubles as an index of the
//! article). Workspace symbols are the knowledge base's entities, found by any label in any
//! script, by the English name, or by a Latin fragment of a transliteration (`shamk` finds
//! شمخاني): curators type names the way they hear them.

use super::convert;
use crate::analysis::kb::{Entity, Kb, Kind};
use crate::analysis::normalize::fold;
use crate::analysis::text::{self, Document, Encoding};
use crate::analysis::{translit, Analysis};
use std::collections::BTreeMap;
use tower_lsp_server::ls_types::{DocumentSymbol, Location, SymbolInformation, SymbolKind, Uri};

/// How many words of a paragraph name it in the outline.
const NAME_WORDS: usize = 8;

/// The symbol kind an entity kind is shown with (LSP has no kinds for people and places; these
/// give each entity kind its own icon).
pub fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Person => SymbolKind::OBJECT,
        Kind::Organization => SymbolKind::STRUCT,
        Kind::Place => SymbolKind::NAMESPACE,
        Kind::Country => SymbolKind::PACKAGE,
        Kind::Source => SymbolKind::FILE,
        Kind::Event => SymbolKind::EVENT,
        Kind::Other => SymbolKind::KEY,
    }
}

/// The first words of a paragraph, as its name.
fn excerpt(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut s = words
        .iter()
        .take(NAME_WORDS)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if words.len() > NAME_WORDS {
        s.push_str(" …");
    }
    s
}

#[allow(deprecated)]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: tower_lsp_server::ls_types::Range,
    selection: tower_lsp_server::ls_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children,
    }
}

/// The outline of an article: headline, paragraphs, then one symbol per entity named (in order
/// of first mention) with its mentions as children.
pub fn document_symbols(
    doc: &Document,
    text: &str,
    analysis: &Analysis,
    kb: &Kb,
    enc: Encoding,
) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    let mut paragraph = 0;
    for line in text::lines(text) {
        if line.text.trim().is_empty() {
            continue;
        }
        let lead = line.text.chars().take_while(|c| c.is_whitespace()).count();
        let range = convert::range(doc, line.start + lead, line.end, enc);
        let detail = if paragraph == 0 {
            "headline".to_string()
        } else {
            format!("paragraph {paragraph}")
        };
        paragraph += 1;
        out.push(symbol(
            excerpt(line.text),
            Some(detail),
            SymbolKind::STRING,
            range,
            range,
            None,
        ));
    }
    let mut by_entity: BTreeMap<usize, Vec<&crate::analysis::mentions::Mention>> = BTreeMap::new();
    let mut order = Vec::new();
    for m in &analysis.mentions {
        let list = by_entity.entry(m.entity).or_default();
        if list.is_empty() {
            order.push(m.entity);
        }
        list.push(m);
    }
    let mut cursor = text::CharCursor::new(text);
    let mut spelled: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for m in &analysis.mentions {
        spelled.insert((m.start, m.end), cursor.slice(m.start, m.end).to_string());
    }
    for e in order {
        let (Some(entity), Some(ms)) = (kb.entities.get(e), by_entity.get(&e)) else {
            continue;
        };
        let kind = symbol_kind(entity.kind);
        let children: Vec<DocumentSymbol> = ms
            .iter()
            .map(|m| {
                let r = convert::range(doc, m.start, m.end, enc);
                let name = spelled.get(&(m.start, m.end)).cloned().unwrap_or_default();
                let detail = format!("line {}", r.start.line + 1);
                symbol(name, Some(detail), kind, r, r, None)
            })
            .collect();
        let (Some(first), Some(last)) = (ms.first(), ms.last()) else {
            continue;
        };
        let whole = convert::range(doc, first.start, last.end, enc);
        let selection = convert::range(doc, first.start, first.end, enc);
        let n = ms.len();
        let detail = format!(
            "{} · {n} mention{}",
            entity.kind.as_str(),
            if n == 1 { "" } else { "s" }
        );
        out.push(symbol(
            entity.display_name().to_string(),
            Some(detail),
            kind,
            whole,
            selection,
            Some(children),
        ));
    }
    out
}

/// The outline flattened, for clients without hierarchical symbols: mentions name their
/// entity as container.
#[allow(deprecated)]
pub fn flatten(uri: &Uri, symbols: Vec<DocumentSymbol>) -> Vec<SymbolInformation> {
    let mut out = Vec::new();
    for s in symbols {
        let container = s.name.clone();
        let has_children = s.children.is_some();
        if !has_children {
            out.push(SymbolInformation {
                name: s.name,
                kind: s.kind,
                tags: None,
                deprecated: None,
                location: Location {
                    uri: uri.clone(),
                    range: s.range,
                },
                container_name: s.detail,
            });
            continue;
        }
        for c in s.children.into_iter().flatten() {
            out.push(SymbolInformation {
                name: c.name,
                kind: c.kind,
                tags: None,
                deprecated: None,
                location: Location {
                    uri: uri.clone(),
                    range: c.range,
                },
                container_name: Some(container.clone()),
            });
        }
    }
    out
}

/// How well `query` names `entity`: lower is better, `None` when it does not.
pub fn score(query: &str, entity: &Entity) -> Option<u8> {
    let q = query.trim();
    if q.is_empty() {
        return Some(9);
    }
    let lower = q.to_lowercase();
    let folded = fold(q);
    let mut best: Option<u8> = None;
    let mut consider = |s: u8| best = Some(best.map_or(s, |b| b.min(s)));
    if entity.id.contains(&lower) {
        consider(if entity.id.starts_with(&lower) { 1 } else { 4 });
    }
    for (surface, _) in entity.surfaces() {
        let f = fold(surface);
        if !folded.is_empty() && f.contains(&folded) {
            consider(if f.starts_with(&folded) { 0 } else { 3 });
        }
        if surface.to_lowercase().contains(&lower) {
            consider(2);
        }
        if q.is_ascii() && !surface.is_ascii() && translit::latin_matches(q, surface) {
            consider(5);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_find_entities_in_any_script_and_by_latin_fragments() {
        let kb = Kb::embedded();
        let find = |q: &str| -> Vec<&str> {
            let mut v: Vec<(u8, &str)> = kb
                .entities
                .iter()
                .filter_map(|e| score(q, e).map(|s| (s, e.id.as_str())))
                .collect();
            v.sort();
            v.into_iter().map(|(_, id)| id).collect()
        };
        assert_eq!(find("shamk"), ["ali-shamkhani"]);
        assert_eq!(find("Shamkhani"), ["ali-shamkhani"]);
        assert_eq!(find("شمخانی"), ["ali-shamkhani"]);
        assert_eq!(find("شمخاني"), ["ali-shamkhani"]);
        assert_eq!(find("مملوك").first(), Some(&"ali-mamlouk"));
        assert!(find("putin").contains(&"vladimir-putin"));
        assert!(find("zzzz").is_empty());
        assert_eq!(find("").len(), kb.entities.len());
    }
}
