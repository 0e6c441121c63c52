//! "Add to the workspace knowledge base": offered for a name after a title word that the KB
//! does not know (اللواء …, ارتشبد …; the KB's `title_words` plus `allow.title_words` of
//! `khabar.toml`), and for any selection. The action is a command the server runs
//! (`workspace/executeCommand`), so every client can use it and the server writes the KB
//! itself, atomically, then reloads so the new name resolves at once.

use crate::analysis::config::Config;
use crate::analysis::kb::{Kb, Kind};
use crate::analysis::script::Lang;
use crate::analysis::text::{self, slice_chars};
use crate::analysis::{titled, Analysis};
use serde::{Deserialize, Serialize};

pub const COMMAND: &str = "khabar.addToKnowledgeBase";
pub const KIND: &str = "refactor.khabar.addToKnowledgeBase";

/// Kinds offered for a selection, most likely first.
const SELECTION_KINDS: [Kind; 6] = [
    Kind::Person,
    Kind::Organization,
    Kind::Place,
    Kind::Country,
    Kind::Source,
    Kind::Other,
];

/// The longest selection offered: a name, not a paragraph.
const MAX_SELECTION_WORDS: usize = 8;

/// The command's argument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddArgs {
    pub uri: String,
    pub name: String,
    pub kind: Kind,
    /// `ar` or `fa`: the label's language, the paragraph's.
    pub lang: String,
}

/// One action to offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub title: String,
    pub args: AddArgs,
    pub preferred: bool,
}

fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::Organization | Kind::Other | Kind::Event => "an",
        _ => "a",
    }
}

fn offer(uri: &str, name: &str, kind: Kind, lang: Lang, preferred: bool) -> Offer {
    Offer {
        title: format!(
            "Add «{name}» to the knowledge base as {} {}",
            article(kind),
            kind.as_str()
        ),
        args: AddArgs {
            uri: uri.to_string(),
            name: name.to_string(),
            kind,
            lang: if lang == Lang::Persian { "fa" } else { "ar" }.to_string(),
        },
        preferred,
    }
}

/// What to offer for the code-point range `start..end` of `text`.
pub fn offers(
    uri: &str,
    text: &str,
    analysis: &Analysis,
    kb: &Kb,
    config: &Config,
    (start, end): (usize, usize),
) -> Vec<Offer> {
    let known = |s: usize, e: usize| analysis.mentions.iter().any(|m| m.start < e && s < m.end);
    let titles: Vec<String> = kb
        .title_words
        .iter()
        .chain(&config.allow.title_words)
        .cloned()
        .collect();
    let mut out = Vec::new();
    for line in text::lines(text).filter(|l| l.start <= end && start <= l.end) {
        let lang = analysis.langs.get(line.index).copied().unwrap_or_default();
        if start < end && start >= line.start && end <= line.end {
            let name = slice_chars(text, start, end).trim();
            let words = name.split_whitespace().count();
            let exact = analysis
                .mentions
                .iter()
                .any(|m| slice_chars(text, m.start, m.end) == name);
            if words > 0 && words <= MAX_SELECTION_WORDS && !exact {
                for (i, kind) in SELECTION_KINDS.iter().enumerate() {
                    out.push(offer(uri, name, *kind, lang, i == 0));
                }
            }
        }
        for t in titled::after_titles(&line, &titles) {
            let Some(&(_, last)) = t.names.last() else {
                continue;
            };
            if !(t.title.0 <= end && start <= last) {
                continue;
            }
            let preferred = t.names.len().min(2) - 1;
            for (i, &(s, e)) in t.names.iter().enumerate() {
                if known(s, e) {
                    continue;
                }
                let name = slice_chars(text, s, e);
                if out.iter().any(|o: &Offer| o.args.name == name) {
                    continue;
                }
                out.push(offer(uri, name, Kind::Person, lang, i == preferred));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Engine;

    fn at(text: &str, needle: &str) -> (usize, usize) {
        let byte = text.find(needle).unwrap();
        let s = text[..byte].chars().count();
        (s, s + needle.chars().count())
    }

    #[test]
    fn a_title_before_an_unknown_name_offers_it_and_a_known_one_does_not() {
        let e = Engine::embedded();
        let text = "قال رئيس الوزراء السوري حسين عرنوس إن رئيس الوزراء السوري عماد خميس زار طهران";
        let a = e.analyze(text);
        let (s, _) = at(text, "رئيس");
        let got = offers("file:///a.txt", text, &a, &e.kb, &e.config, (s + 1, s + 1));
        let names: Vec<(&str, bool)> = got
            .iter()
            .map(|o| (o.args.name.as_str(), o.preferred))
            .collect();
        assert_eq!(names, [("حسين", false), ("حسين عرنوس", true)]);
        assert_eq!(
            got[1].title,
            "Add «حسين عرنوس» to the knowledge base as a person"
        );
        assert_eq!(got[1].args.lang, "ar");
        // On the second title the name is Imad Khamis, whom the KB knows: nothing to add.
        let (s, _) = at(text, "عماد");
        assert!(offers("u", text, &a, &e.kb, &e.config, (s, s)).is_empty());
    }

    #[test]
    fn a_selection_offers_every_kind_unless_it_is_already_a_mention() {
        let e = Engine::embedded();
        let text = "در نشست جامعه عرب و علی شمخانی";
        let a = e.analyze(text);
        let got = offers("u", text, &a, &e.kb, &e.config, at(text, "جامعه عرب"));
        assert_eq!(got.len(), 6);
        assert_eq!(got[0].args.kind, Kind::Person);
        assert_eq!(
            got[1].title,
            "Add «جامعه عرب» to the knowledge base as an organization"
        );
        assert_eq!(got[0].args.lang, "fa");
        assert!(offers("u", text, &a, &e.kb, &e.config, at(text, "علی شمخانی")).is_empty());
    }
}
