//! `khabar.toml`: one configuration for the server and the CLI.
//!
//! The core parses it from a string (it does no I/O); the workspace layer finds and reads it.
//! Unknown keys are errors: a misspelt rule name silently doing nothing is worse than a message.

use super::diagnostic::Severity;
use super::error::SourceError;
use super::script::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A rule's configured level: a severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Hint,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Hint => Some(Severity::Hint),
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageHint {
    #[default]
    Auto,
    Ar,
    Fa,
}

impl LanguageHint {
    pub fn lang(self) -> Option<Lang> {
        match self {
            LanguageHint::Auto => None,
            LanguageHint::Ar => Some(Lang::Arabic),
            LanguageHint::Fa => Some(Lang::Persian),
        }
    }
}

/// Allow-lists that extend the built-in ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Allow {
    /// Legitimate reduplications for `repeated-phrase` (ولي ولي العهد …).
    pub reduplications: Vec<String>,
    /// Source names `unknown-source` accepts besides the KB's sources.
    pub sources: Vec<String>,
    /// Title words before names, beside the KB's.
    pub title_words: Vec<String>,
    /// Phrases `repeated-phrase` and the duplicate rules never report, compared folded (so
    /// their spelling variants too): a repeated run of words that is one (or whose two copies
    /// are), a repeated line or a restated paragraph that is one as a whole.
    pub phrases: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overlaps {
    #[default]
    Allow,
    Forbid,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Annotations {
    /// Whether annotation spans may overlap.
    pub overlaps: Overlaps,
    /// Entity types an `.ann` may use besides the KB kinds.
    pub types: Vec<String>,
}

/// The parsed `khabar.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Globs of articles, relative to the folder holding `khabar.toml`.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Workspace knowledge bases, merged into the embedded one by id, in order.
    pub kb: Vec<String>,
    pub language: LanguageHint,
    /// Severity per rule id.
    pub rules: BTreeMap<String, Level>,
    pub allow: Allow,
    pub annotations: Annotations,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include: vec!["**/*.txt".to_string()],
            exclude: Vec::new(),
            kb: Vec::new(),
            language: LanguageHint::Auto,
            rules: BTreeMap::new(),
            allow: Allow::default(),
            annotations: Annotations::default(),
        }
    }
}

impl Config {
    /// Parses `khabar.toml` text; `name` is the file name used in errors. Rule ids are checked
    /// against `known_rules`.
    pub fn parse(name: &str, text: &str, known_rules: &[&str]) -> Result<Config, SourceError> {
        let cfg: Config =
            toml::from_str(text).map_err(|e| SourceError::from_toml(name, text, &e))?;
        for id in cfg.rules.keys() {
            if !known_rules.contains(&id.as_str()) {
                let byte = text.find(id.as_str()).unwrap_or(0);
                return Err(SourceError::at_byte(
                    name,
                    text,
                    byte,
                    format!("unknown rule `{id}` (`khabar rules` lists them)"),
                ));
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_locates_errors() {
        let c = Config::parse(
            "khabar.toml",
            "kb = [\"kb.toml\"]\n[rules]\nspacing = \"off\"\n",
            &["spacing"],
        )
        .unwrap();
        assert_eq!(c.rules["spacing"], Level::Off);
        assert_eq!(c.include, vec!["**/*.txt"]);

        let e = Config::parse("khabar.toml", "[rules]\nspacing = \"loud\"\n", &["spacing"])
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 11));
        let e = Config::parse(
            "khabar.toml",
            "\n[rules]\nspaceing = \"off\"\n",
            &["spacing"],
        )
        .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown rule"));
        let e = Config::parse("khabar.toml", "includ = []", &[]).unwrap_err();
        assert!(e.message.contains("includ"), "{}", e.message);
    }
}
