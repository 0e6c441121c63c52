//! The knowledge base: who and what the corpus talks about.
//!
//! An embedded default covers the entities of this domain; a workspace KB (named in
//! `khabar.toml`) adds to it. A workspace entry whose id exists merges into it: its scalar fields
//! replace, its lists extend — so a team can add a spelling without copying the entry.

mod parse;

pub use parse::parse_kb;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The embedded default knowledge base, as TOML.
pub const DEFAULT_KB: &str = include_str!("default.toml");
/// The name the embedded KB goes by in messages and on disk under `.khabar/`.
pub const DEFAULT_KB_NAME: &str = "default.toml";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Person,
    Organization,
    Place,
    Country,
    Source,
    Event,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Person,
        Kind::Organization,
        Kind::Place,
        Kind::Country,
        Kind::Source,
        Kind::Event,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Organization => "organization",
            Kind::Place => "place",
            Kind::Country => "country",
            Kind::Source => "source",
            Kind::Event => "event",
            Kind::Other => "other",
        }
    }
}

/// When an alias counts as a mention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Needs {
    /// Wherever it stands as a word.
    #[default]
    Nothing,
    /// Only next to a cue: a cue word before it, «…» around it, or a signature line. For aliases
    /// that are common words (الوطن "the homeland", فارس "Persian").
    Cue,
    /// Only once a full name of the same entity appeared earlier in the article. For bare
    /// surnames that are common words or names (خميس "Thursday").
    FullName,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub ar: Option<String>,
    pub fa: Option<String>,
    pub en: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alias {
    pub text: String,
    pub needs: Needs,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// English title.
    pub title: String,
    pub ar: Option<String>,
    pub fa: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Where an entity is written down: which KB file, which line (0-based) holds its `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Decl {
    pub file: usize,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entity {
    pub id: String,
    pub kind: Kind,
    pub labels: Labels,
    pub aliases: Vec<Alias>,
    pub description: Option<String>,
    pub roles: Vec<Role>,
    /// The first declaration is the one go-to-definition lands on.
    pub decls: Vec<Decl>,
}

impl Entity {
    /// The name to show: English, else Arabic, else Persian, else the id.
    pub fn display_name(&self) -> &str {
        self.labels
            .en
            .as_deref()
            .or(self.labels.ar.as_deref())
            .or(self.labels.fa.as_deref())
            .unwrap_or(&self.id)
    }

    /// Every surface form: the labels (which need nothing) and then the aliases.
    pub fn surfaces(&self) -> impl Iterator<Item = (&str, Needs)> {
        let labels = [&self.labels.ar, &self.labels.fa, &self.labels.en];
        labels
            .into_iter()
            .flatten()
            .map(|l| (l.as_str(), Needs::Nothing))
            .chain(self.aliases.iter().map(|a| (a.text.as_str(), a.needs)))
    }
}

/// A knowledge base file the entities came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KbFile {
    /// The name used in messages: a path relative to the corpus, or `default.toml`.
    pub name: String,
    pub embedded: bool,
}

/// The merged knowledge base.
#[derive(Clone, Debug, Default)]
pub struct Kb {
    pub entities: Vec<Entity>,
    pub files: Vec<KbFile>,
    /// Words that, before a cue-requiring alias, make it count (وكالة، صحيفة، خبرگزاری …).
    pub cue_words: Vec<String>,
    /// Titles before a person's name (اللواء، العماد، ارتشبد …).
    pub title_words: Vec<String>,
    by_id: HashMap<String, usize>,
}

impl Kb {
    /// The embedded default KB. It is part of the binary and tested, so failing to parse it is
    /// a bug, not an input error; the empty KB is returned in that case to keep analysis total.
    pub fn embedded() -> Kb {
        let mut kb = Kb::default();
        match parse_kb(DEFAULT_KB_NAME, DEFAULT_KB) {
            Ok(raw) => {
                // Merging into an empty KB cannot fail.
                let _ = kb.merge(raw, DEFAULT_KB_NAME, true);
            }
            Err(e) => debug_assert!(false, "embedded KB does not parse: {e}"),
        }
        kb
    }

    pub fn get(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|&i| &self.entities[i])
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn entity(&self, idx: usize) -> &Entity {
        &self.entities[idx]
    }

    /// Merges a parsed KB file into this one (see the module doc). Errors name the entry.
    pub fn merge(
        &mut self,
        raw: parse::ParsedKb,
        name: &str,
        embedded: bool,
    ) -> Result<(), crate::analysis::error::SourceError> {
        let file = self.files.len();
        self.files.push(KbFile {
            name: name.to_string(),
            embedded,
        });
        extend_unique(&mut self.cue_words, raw.cue_words);
        extend_unique(&mut self.title_words, raw.title_words);
        for e in raw.entities {
            let decl = Decl { file, line: e.line };
            match self.by_id.get(&e.id) {
                Some(&i) => {
                    let ent = &mut self.entities[i];
                    if let Some(kind) = e.kind {
                        ent.kind = kind;
                    }
                    if e.description.is_some() {
                        ent.description = e.description;
                    }
                    for (slot, new) in [
                        (&mut ent.labels.ar, e.labels.ar),
                        (&mut ent.labels.fa, e.labels.fa),
                        (&mut ent.labels.en, e.labels.en),
                    ] {
                        if new.is_some() {
                            *slot = new;
                        }
                    }
                    for a in e.aliases {
                        if !ent.aliases.contains(&a) {
                            ent.aliases.push(a);
                        }
                    }
                    ent.roles.extend(e.roles);
                    ent.decls.push(decl);
                }
                None => {
                    let Some(kind) = e.kind else {
                        return Err(crate::analysis::error::SourceError {
                            file: name.to_string(),
                            line: e.line + 1,
                            column: 1,
                            message: format!(
                                "entity `{}` is not in the knowledge base yet, so it needs a `kind`",
                                e.id
                            ),
                        });
                    };
                    self.by_id.insert(e.id.clone(), self.entities.len());
                    self.entities.push(Entity {
                        id: e.id,
                        kind,
                        labels: e.labels,
                        aliases: e.aliases,
                        description: e.description,
                        roles: e.roles,
                        decls: vec![decl],
                    });
                }
            }
        }
        Ok(())
    }
}

fn extend_unique(list: &mut Vec<String>, new: Vec<String>) {
    for w in new {
        if !list.contains(&w) {
            list.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_kb_parses_and_is_complete() {
        let raw = parse_kb(DEFAULT_KB_NAME, DEFAULT_KB).expect("embedded KB parses");
        assert!(raw.entities.len() >= 30, "{} entities", raw.entities.len());
        let kb = Kb::embedded();
        for e in &kb.entities {
            assert!(
                e.labels.ar.is_some() && e.labels.fa.is_some() && e.labels.en.is_some(),
                "{}",
                e.id
            );
        }
        for id in ["ali-shamkhani", "syria", "iran", "tasnim", "al-watan"] {
            assert!(kb.get(id).is_some(), "{id} missing");
        }
    }

    #[test]
    fn workspace_entry_merges_by_id() {
        let mut kb = Kb::embedded();
        let n = kb.entities.len();
        let raw = parse_kb(
            "kb.toml",
            "[[entity]]\nid = \"ali-shamkhani\"\naliases = [\"الأدميرال شمخاني\"]\ndescription = \"x\"\n",
        )
        .unwrap();
        kb.merge(raw, "kb.toml", false).unwrap();
        assert_eq!(kb.entities.len(), n);
        let e = kb.get("ali-shamkhani").unwrap();
        assert_eq!(e.description.as_deref(), Some("x"));
        assert!(e.aliases.iter().any(|a| a.text == "الأدميرال شمخاني"));
        assert!(e.aliases.len() > 1, "lists extend, not replace");
        assert_eq!(e.decls.len(), 2);
        assert_eq!(e.decls[1], Decl { file: 1, line: 1 });
    }

    #[test]
    fn new_entity_needs_kind() {
        let mut kb = Kb::embedded();
        let raw = parse_kb("kb.toml", "\n[[entity]]\nid = \"nobody\"\n").unwrap();
        let err = kb.merge(raw, "kb.toml", false).unwrap_err();
        assert_eq!((err.line, err.file.as_str()), (3, "kb.toml"));
        assert!(err.message.contains("needs a `kind`"), "{}", err.message);
    }
}
