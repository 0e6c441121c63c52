//! Adding an entity to the workspace knowledge base from the editor.
//!
//! The entry is appended to the first workspace KB that `khabar.toml` names. A folder without
//! one gets `kb.toml`, and `khabar.toml` (created if needed) gets `kb = ["kb.toml"]`. The new
//! file text is parsed before anything is written, so a bad entry never reaches disk; every
//! write is atomic. The corpus text is never touched.

use super::ann::write_atomic;
use super::{read_text, CONFIG_FILE};
use crate::analysis::kb::{parse_kb, Kb, Kind};
use crate::analysis::translit;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The KB file a folder without one gets.
pub const NEW_KB: &str = "kb.toml";

#[derive(Debug, Error)]
pub enum AddError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path, e: impl std::fmt::Display) -> AddError {
    AddError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// What to add: the name as written, its kind, the label's language (`ar` or `fa`) and where
/// it was found (for the description).
#[derive(Clone, Debug)]
pub struct NewEntity<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub lang: &'a str,
    pub origin: &'a str,
}

/// An id for `name` that `kb` does not use yet.
pub fn fresh_id(kb: &Kb, name: &str, kind: Kind) -> String {
    let base = match translit::slug(name) {
        s if s.is_empty() => kind.as_str().to_string(),
        s => s,
    };
    if kb.get(&base).is_none() {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| kb.get(id).is_none())
        .unwrap_or(base)
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The TOML of one entry.
pub fn entry_toml(id: &str, e: &NewEntity<'_>) -> String {
    format!(
        "\n[[entity]]\nid = {}\nkind = {}\nlabels = {{ {} = {} }}\ndescription = {}\n",
        quoted(id),
        quoted(e.kind.as_str()),
        if e.lang == "fa" { "fa" } else { "ar" },
        quoted(e.name),
        quoted(&format!("added from {} in the editor", e.origin)),
    )
}

/// Appends `e` to the folder's workspace KB (`kb_paths` in merge order, as loaded) and returns
/// the file written and the new id.
pub fn add_entity(
    root: &Path,
    kb_paths: &[PathBuf],
    kb: &Kb,
    e: &NewEntity<'_>,
) -> Result<(PathBuf, String), AddError> {
    if e.name.trim().is_empty() || e.name.contains('\n') {
        return Err(AddError::Refused(
            "a name must be one line of text".to_string(),
        ));
    }
    let id = fresh_id(kb, e.name, e.kind);
    let (target, register) = match kb_paths.first() {
        Some(p) => (p.clone(), false),
        None => (root.join(NEW_KB), true),
    };
    let mut text = if target.is_file() {
        read_text(&target).map_err(|err| io(&target, err))?
    } else {
        String::new()
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&entry_toml(&id, e));
    // Refuse to write what would not load.
    if let Err(err) = parse_kb(&target.display().to_string(), &text) {
        return Err(AddError::Refused(format!(
            "the new entry would not parse: {err}"
        )));
    }
    let config = if register {
        Some(registered_config(root)?)
    } else {
        None
    };
    write_atomic(&target, text.as_bytes()).map_err(|err| io(&target, err))?;
    if let Some(config) = config {
        let path = root.join(CONFIG_FILE);
        write_atomic(&path, config.as_bytes()).map_err(|err| io(&path, err))?;
    }
    Ok((target, id))
}

/// `khabar.toml` with `kb = ["kb.toml"]` added: at the top, where a bare key always belongs to
/// the root table, or in place of an empty `kb = []`.
fn registered_config(root: &Path) -> Result<String, AddError> {
    let path = root.join(CONFIG_FILE);
    let old = if path.is_file() {
        read_text(&path).map_err(|err| io(&path, err))?
    } else {
        String::new()
    };
    let line = format!("kb = [{}]", quoted(NEW_KB));
    let mut replaced = false;
    let mut out: Vec<String> = Vec::new();
    let mut in_root = true;
    for l in old.lines() {
        let t = l.trim();
        if t.starts_with('[') {
            in_root = false;
        }
        if in_root && t.starts_with("kb") && t[2..].trim_start().starts_with('=') {
            let value = t[2..].trim_start()[1..].trim();
            if value.replace(' ', "") != "[]" {
                return Err(AddError::Refused(format!(
                    "{CONFIG_FILE} names knowledge bases that could not be loaded; fix them first"
                )));
            }
            out.push(line.clone());
            replaced = true;
        } else {
            out.push(l.to_string());
        }
    }
    let mut text = out.join("\n");
    if !old.is_empty() && old.ends_with('\n') {
        text.push('\n');
    }
    if !replaced {
        text = format!("{line}\n{text}");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::config::Config;

    fn new(name: &str) -> NewEntity<'_> {
        NewEntity {
            name,
            kind: Kind::Person,
            lang: "ar",
            origin: "a.txt",
        }
    }

    #[test]
    fn a_folder_without_a_kb_gets_one_and_khabar_toml_names_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "# mine\nlanguage = \"ar\"\n[rules]\nspacing = \"off\"\n",
        )
        .unwrap();
        let kb = Kb::embedded();
        let (path, id) = add_entity(dir.path(), &[], &kb, &new("حسين عرنوس")).unwrap();
        assert_eq!(path, dir.path().join(NEW_KB));
        assert_eq!(id, "hsin-ernus");
        let config = std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap();
        assert_eq!(
            config,
            "kb = [\"kb.toml\"]\n# mine\nlanguage = \"ar\"\n[rules]\nspacing = \"off\"\n"
        );
        let parsed = Config::parse(CONFIG_FILE, &config, &crate::analysis::rules::ids()).unwrap();
        assert_eq!(parsed.kb, ["kb.toml"]);
        // The entry loads and merges.
        let text = std::fs::read_to_string(&path).unwrap();
        let mut merged = Kb::embedded();
        merged
            .merge(parse_kb("kb.toml", &text).unwrap(), "kb.toml", false)
            .unwrap();
        let e = merged.get("hsin-ernus").unwrap();
        assert_eq!(e.labels.ar.as_deref(), Some("حسين عرنوس"));
        assert_eq!(e.kind, Kind::Person);
    }

    #[test]
    fn entries_append_to_the_first_kb_with_fresh_ids_and_odd_names_are_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let kb_path = dir.path().join("people.toml");
        std::fs::write(&kb_path, "cue_words = [\"وكالة\"]").unwrap();
        let kb = Kb::embedded();
        // An id the KB has already gets a number.
        assert_eq!(fresh_id(&kb, "Iran", Kind::Country), "iran-2");
        assert_eq!(fresh_id(&kb, "«»", Kind::Place), "place");
        let (path, _) = add_entity(
            dir.path(),
            std::slice::from_ref(&kb_path),
            &kb,
            &new("قال \"هو\" \\ نعم"),
        )
        .unwrap();
        assert_eq!(path, kb_path);
        let text = std::fs::read_to_string(&kb_path).unwrap();
        assert!(
            text.starts_with("cue_words = [\"وكالة\"]\n\n[[entity]]"),
            "{text}"
        );
        let raw = parse_kb("people.toml", &text).unwrap();
        let mut merged = Kb::default();
        merged.merge(raw, "people.toml", false).unwrap();
        assert_eq!(
            merged.entities[0].labels.ar.as_deref(),
            Some("قال \"هو\" \\ نعم")
        );
        assert!(!dir.path().join(CONFIG_FILE).exists());
        assert!(matches!(
            add_entity(dir.path(), &[], &kb, &new("a\nb")),
            Err(AddError::Refused(_))
        ));
    }

    #[test]
    fn an_empty_kb_list_is_replaced_and_a_broken_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(CONFIG_FILE);
        std::fs::write(&config, "kb = [ ]\n").unwrap();
        add_entity(dir.path(), &[], &Kb::embedded(), &new("حسين عرنوس")).unwrap();
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "kb = [\"kb.toml\"]\n"
        );
        std::fs::write(&config, "kb = [\"../elsewhere.toml\"]\n").unwrap();
        std::fs::remove_file(dir.path().join(NEW_KB)).unwrap();
        assert!(matches!(
            add_entity(dir.path(), &[], &Kb::embedded(), &new("حسين عرنوس")),
            Err(AddError::Refused(_))
        ));
        assert!(!dir.path().join(NEW_KB).exists());
    }
}
