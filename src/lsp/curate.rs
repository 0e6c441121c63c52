//! Curation from any LSP client: accept a mention, link a selection to an entity, reject a
//! mention, note something on it. Each is a code action whose command the server runs
//! (`workspace/executeCommand`), so a client needs nothing beyond LSP. The server writes the
//! `.ann` beside the article itself, atomically; for a buffer with unsaved changes it holds the
//! new file and writes it when the buffer is saved, so the `.ann` always matches the `.txt` on
//! disk.

use super::symbols;
use crate::analysis::curation::{self, Decision, State};
use crate::analysis::kb::{Kb, Kind};
use crate::analysis::normalize::fold;
use crate::analysis::text::slice_chars;
use crate::analysis::Analysis;
use serde::{Deserialize, Serialize};

pub const COMMAND: &str = "khabar.annotate";
pub const KIND: &str = "refactor.khabar.annotate";
/// Lists what is left to curate across the corpus.
pub const STATUS_COMMAND: &str = "khabar.curationStatus";
/// The text of a note added from a client that cannot prompt, selected in the `.ann` for the
/// curator to type over.
pub const NOTE_PLACEHOLDER: &str = "write the note here";

/// How many entities a selection is offered to be linked to.
const LINK_CHOICES: usize = 8;

/// The command's argument: a span of the buffer in code points and what to record on it.
/// `text` is the span's text when the action was offered: if the buffer changed since, the
/// command refuses rather than annotate the wrong words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnotateArgs {
    pub uri: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// `link` (with `entity`), `reject`, `note` (with `note`), or `new` (with `kind`: the span
    /// becomes a new entity of the workspace KB, and is linked to it).
    pub op: String,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// For `new`: the kind of the entity to add to the workspace KB and link the span to.
    #[serde(default)]
    pub kind: Option<Kind>,
    /// For `drop` and `attach`: the `T` id of a stale annotation.
    #[serde(default)]
    pub target: Option<String>,
}

impl AnnotateArgs {
    /// The decision the arguments ask for, checked against `kb`.
    pub fn decision(&self, kb: &Kb) -> Result<Decision, String> {
        match self.op.as_str() {
            "link" => {
                let id = self.entity.as_deref().ok_or("`link` needs `entity`")?;
                let e = kb
                    .get(id)
                    .ok_or_else(|| format!("no entity `{id}` in the knowledge base"))?;
                Ok(Decision::Link {
                    id: id.to_string(),
                    label: e.display_name().to_string(),
                })
            }
            "reject" => Ok(Decision::Reject),
            // Without a text (LSP has no prompt) the note starts as a placeholder the server
            // then opens in the `.ann` for the curator to write over.
            "note" => Ok(Decision::Note(
                self.note
                    .clone()
                    .unwrap_or_else(|| NOTE_PLACEHOLDER.to_string()),
            )),
            "drop" | "attach" => Err(format!("`{}` is not a decision", self.op)),
            other => Err(format!("unknown operation `{other}`")),
        }
    }

    /// The brat type of the span's `T` line: the entity's kind, else `Entity`.
    pub fn brat_type(&self, kb: &Kb, analysis: &Analysis) -> String {
        let kind = self
            .entity
            .as_deref()
            .and_then(|id| kb.get(id))
            .map(|e| e.kind)
            .or_else(|| {
                analysis
                    .mentions
                    .iter()
                    .find(|m| m.start == self.start && m.end == self.end)
                    .and_then(|m| kb.entities.get(m.entity))
                    .map(|e| e.kind)
            });
        kind.map_or("Entity".to_string(), |k| curation::brat_type(k.as_str()))
    }
}

/// An action to offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub title: String,
    pub args: AnnotateArgs,
    pub preferred: bool,
}

fn args(uri: &str, start: usize, end: usize, text: &str, op: &str) -> AnnotateArgs {
    AnnotateArgs {
        uri: uri.to_string(),
        start,
        end,
        text: text.to_string(),
        op: op.to_string(),
        entity: None,
        note: None,
        kind: None,
        target: None,
    }
}

/// Kinds offered for annotating a selection as a new entity.
const NEW_KINDS: [Kind; 4] = [Kind::Person, Kind::Organization, Kind::Place, Kind::Other];

/// What to offer for the code-point range `start..end`: at a mention, accepting it as its
/// entity (each candidate when it is ambiguous) or rejecting it; for a selection that is not a
/// mention, linking it to the entities its words name best.
pub fn offers(
    uri: &str,
    text: &str,
    analysis: &Analysis,
    kb: &Kb,
    (start, end): (usize, usize),
    in_folder: bool,
    stale: &[State],
) -> Vec<Offer> {
    let mut out = Vec::new();
    // A stale annotation: drop it where it is reported, or attach it to the selection.
    for s in stale {
        let touches = s.start <= end && start <= s.end;
        if touches {
            let mut a = args(uri, s.start, s.end, "", "drop");
            a.target = Some(s.id.clone());
            out.push(Offer {
                title: format!("Drop annotation {} «{}»", s.id, s.text),
                args: a,
                preferred: false,
            });
        }
        if start < end {
            let sel = slice_chars(text, start, end);
            let mut a = args(uri, start, end, sel, "attach");
            a.target = Some(s.id.clone());
            out.push(Offer {
                title: format!("Attach annotation {} «{}» to «{sel}»", s.id, s.text),
                args: a,
                preferred: false,
            });
        }
    }
    let mention = analysis
        .mentions
        .iter()
        .find(|m| m.start <= start && end <= m.end && (start < m.end || start == end));
    if let Some(m) = mention {
        let spelled = slice_chars(text, m.start, m.end);
        let candidates = if m.is_ambiguous() {
            m.candidates.clone()
        } else {
            vec![m.entity]
        };
        for (i, &c) in candidates.iter().enumerate() {
            let Some(e) = kb.entities.get(c) else {
                continue;
            };
            let mut a = args(uri, m.start, m.end, spelled, "link");
            a.entity = Some(e.id.clone());
            out.push(Offer {
                title: format!("Accept «{spelled}» as {}", e.display_name()),
                args: a,
                preferred: i == 0,
            });
        }
        out.push(Offer {
            title: format!("Mark «{spelled}» as not an entity"),
            args: args(uri, m.start, m.end, spelled, "reject"),
            preferred: false,
        });
        out.push(Offer {
            title: format!("Add or edit a note on «{spelled}»"),
            args: args(uri, m.start, m.end, spelled, "note"),
            preferred: false,
        });
        return out;
    }
    if start >= end {
        return out;
    }
    let selected = slice_chars(text, start, end);
    let name = selected.trim();
    if name.is_empty() || name.contains('\n') {
        return out;
    }
    // Offsets of the trimmed selection.
    let lead = selected.chars().take_while(|c| c.is_whitespace()).count();
    let (s, e) = (start + lead, start + lead + name.chars().count());
    // Entities the selection's words name (a fragment of a label, or a spelling the matcher
    // does not take, such as a name with the article: الشمخاني holds شمخاني).
    let folded = fold(name);
    let mut ranked: Vec<(u8, &str, &str)> = kb
        .entities
        .iter()
        .filter_map(|ent| {
            let holds = || {
                ent.surfaces()
                    .map(|(s, _)| fold(s))
                    .any(|f| f.chars().count() >= 3 && folded.contains(&f))
            };
            let score = symbols::score(name, ent).or_else(|| holds().then_some(6))?;
            Some((score, ent.id.as_str(), ent.display_name()))
        })
        .collect();
    ranked.sort();
    for (_, id, shown) in ranked.into_iter().take(LINK_CHOICES) {
        let mut a = args(uri, s, e, name, "link");
        a.entity = Some(id.to_string());
        out.push(Offer {
            title: format!("Link «{name}» to {shown} ({id})"),
            args: a,
            preferred: false,
        });
    }
    // A new entity needs a workspace KB to live in, so only inside a folder.
    if in_folder {
        for kind in NEW_KINDS {
            let mut a = args(uri, s, e, name, "new");
            a.kind = Some(kind);
            out.push(Offer {
                title: format!(
                    "Annotate «{name}» as a new {} (added to the knowledge base)",
                    kind.as_str()
                ),
                args: a,
                preferred: false,
            });
        }
    }
    out
}

/// The Markdown a hover adds for a curated span at `offset`.
pub fn hover_part(states: &[State], kb: &Kb, offset: usize) -> Option<(String, usize, usize)> {
    let s = states
        .iter()
        .find(|s| s.start <= offset && offset <= s.end)?;
    let mut md = format!("**Curated** ({}, `{}`): ", s.ty, s.id);
    if s.rejected {
        md.push_str("not an entity");
    } else if let Some(id) = &s.entity {
        let name = kb.get(id).map_or(id.as_str(), |e| e.display_name());
        md.push_str(&format!("accepted as {name} (`{id}`)"));
    } else {
        md.push_str("annotated, not linked");
    }
    if let Some(by) = &s.by {
        md.push_str(&format!(", by {by}"));
    }
    if let Some(n) = &s.note {
        md.push_str(&format!("\n\nNote: {n}"));
    }
    Some((md, s.start, s.end))
}
