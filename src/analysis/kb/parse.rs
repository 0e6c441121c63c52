//! The knowledge base's TOML format.
//!
//! Parsing keeps the line of every entity's `id` so that errors and go-to-definition can point
//! at it, and checks what serde alone cannot: unique ids, well-formed ids, non-empty aliases.

use super::{Alias, Kind, Labels, Needs, Role};
use crate::analysis::error::SourceError;
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKb {
    #[serde(default)]
    cue_words: Vec<String>,
    #[serde(default)]
    title_words: Vec<String>,
    #[serde(default)]
    entity: Vec<RawEntity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    id: Spanned<String>,
    kind: Option<Kind>,
    description: Option<String>,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    aliases: Vec<Spanned<RawAlias>>,
    #[serde(default)]
    roles: Vec<Role>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawAlias {
    Plain(String),
    Table(AliasTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasTable {
    text: String,
    #[serde(default)]
    needs: Needs,
}

/// One entity as a file states it (kind optional: a merge may omit it).
#[derive(Clone, Debug)]
pub struct ParsedEntity {
    pub id: String,
    /// 0-based line of the `id`.
    pub line: usize,
    pub kind: Option<Kind>,
    pub description: Option<String>,
    pub labels: Labels,
    pub aliases: Vec<Alias>,
    pub roles: Vec<Role>,
}

/// A KB file as written, before merging.
#[derive(Clone, Debug, Default)]
pub struct ParsedKb {
    pub cue_words: Vec<String>,
    pub title_words: Vec<String>,
    pub entities: Vec<ParsedEntity>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
        })
        && !id.starts_with('-')
}

/// Parses KB file `name` (used in errors) holding `text`.
pub fn parse_kb(name: &str, text: &str) -> Result<ParsedKb, SourceError> {
    let raw: RawKb = toml::from_str(text).map_err(|e| SourceError::from_toml(name, text, &e))?;
    // Entities come in order, so each line number is counted on from the one before: counting
    // from the start for every entity was most of loading the embedded KB.
    let mut counted = (0usize, 0usize);
    let mut line_of = |byte: usize| {
        let byte = byte.min(text.len());
        let (from, lines) = if byte >= counted.0 { counted } else { (0, 0) };
        let more = memchr::memchr_iter(b'\n', &text.as_bytes()[from..byte]).count();
        counted = (byte, lines + more);
        lines + more
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut entities = Vec::with_capacity(raw.entity.len());
    for e in raw.entity {
        let span = e.id.span();
        let id = e.id.into_inner();
        if !valid_id(&id) {
            return Err(SourceError::at_byte(
                name,
                text,
                span.start,
                format!("entity id `{id}` must be lower-case ASCII letters, digits and `-`"),
            ));
        }
        if let Some(first) = seen.insert(id.clone(), line_of(span.start)) {
            return Err(SourceError::at_byte(
                name,
                text,
                span.start,
                format!(
                    "entity id `{id}` is used twice in this file (first on line {})",
                    first + 1
                ),
            ));
        }
        let mut aliases = Vec::with_capacity(e.aliases.len());
        for a in e.aliases {
            let span = a.span();
            let alias = match a.into_inner() {
                RawAlias::Plain(text) => Alias {
                    text,
                    needs: Needs::Nothing,
                },
                RawAlias::Table(t) => Alias {
                    text: t.text,
                    needs: t.needs,
                },
            };
            if alias.text.trim().is_empty() {
                return Err(SourceError::at_byte(
                    name,
                    text,
                    span.start,
                    "an alias is empty",
                ));
            }
            aliases.push(alias);
        }
        for l in [&e.labels.ar, &e.labels.fa, &e.labels.en]
            .into_iter()
            .flatten()
        {
            if l.trim().is_empty() {
                return Err(SourceError::at_byte(
                    name,
                    text,
                    span.start,
                    format!("entity `{id}` has an empty label"),
                ));
            }
        }
        entities.push(ParsedEntity {
            id,
            line: line_of(span.start),
            kind: e.kind,
            description: e.description,
            labels: e.labels,
            aliases,
            roles: e.roles,
        });
    }
    Ok(ParsedKb {
        cue_words: raw.cue_words,
        title_words: raw.title_words,
        entities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_located() {
        let e = parse_kb("kb.toml", "[[entity]]\nid = \"a\"\nkind = \"planet\"\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("kb.toml", 3, 8));
        assert!(e.message.contains("planet"), "{}", e.message);

        let e = parse_kb("kb.toml", "[[entity]\nid = 1").unwrap_err();
        assert_eq!(e.line, 1);

        let e = parse_kb(
            "kb.toml",
            "[[entity]]\nid = \"a\"\nkind=\"place\"\n[[entity]]\nid = \"a\"\nkind=\"place\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("twice"));

        let e = parse_kb("kb.toml", "[[entity]]\nid = \"Bad Id\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 6));

        let e = parse_kb(
            "kb.toml",
            "[[entity]]\nid = \"a\"\nkind=\"place\"\naliases = [\"\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4);

        let e = parse_kb("kb.toml", "[[entity]]\nid = \"a\"\ncolour = 1\n").unwrap_err();
        assert!(e.message.contains("colour"), "{}", e.message);
    }

    #[test]
    fn alias_forms() {
        let kb = parse_kb(
            "kb.toml",
            "[[entity]]\nid = \"a\"\nkind=\"source\"\naliases = [\"x\", { text = \"الوطن\", needs = \"cue\" }, { text = \"y\", needs = \"full-name\" }]\n",
        )
        .unwrap();
        let needs: Vec<_> = kb.entities[0].aliases.iter().map(|a| a.needs).collect();
        assert_eq!(needs, vec![Needs::Nothing, Needs::Cue, Needs::FullName]);
    }
}
