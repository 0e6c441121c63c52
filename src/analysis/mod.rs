//! The pure analysis core: no I/O, no LSP types, no async.
//!
//! [`Engine`] holds what is fixed for a corpus (knowledge base, its search automaton,
//! configuration) and analyses one article's text at a time. Analysis cannot fail: it returns
//! what it found and the diagnostics, whatever the input.

pub mod agree;
pub mod ann;
pub mod ann_check;
pub mod config;
pub mod curation;
pub mod diagnostic;
pub mod error;
pub mod export;
pub mod incremental;
pub mod kb;
pub mod mentions;
pub mod normalize;
pub mod rules;
pub mod script;
pub mod text;
pub mod titled;
pub mod translit;
pub mod words;

use config::Config;
use diagnostic::Diagnostic;
use kb::Kb;
use mentions::{Matcher, Mention};
use normalize::Normalized;
use script::Lang;
use text::Line;

/// What is fixed for a corpus: the merged KB, its matcher and the configuration.
#[derive(Clone, Debug)]
pub struct Engine {
    pub kb: Kb,
    pub matcher: Matcher,
    pub config: Config,
    /// Rule look-ups derived from `kb` (built lazily, shared by every article).
    derived: rules::Derived,
}

/// An article's text split into lines, with the language of each and its folded form: what
/// mentions and every rule look at.
pub struct Prepared<'a> {
    pub text: &'a str,
    pub lines: Vec<Line<'a>>,
    /// Language of each line (a line is a paragraph).
    pub langs: Vec<Lang>,
    pub norm: Normalized,
    /// [`rules::scraper_boilerplate::is_boilerplate_line`] of each line, worked out once for
    /// the four rules that skip such lines, and only for the lines they ask about: the word
    /// rules ask only about lines that might hold a finding, and testing every line was 4% of
    /// `check`.
    boilerplate: Box<[std::sync::OnceLock<bool>]>,
    /// The words of the folded text, for the rules that compare words.
    words: words::FoldedWords,
}

impl<'a> Prepared<'a> {
    pub fn new(text: &'a str, hint: Option<Lang>) -> Self {
        let lines: Vec<Line<'a>> = text::lines(text).collect();
        let norm = normalize::normalize(text);
        // The words of the folded text serve the word rules and the languages alike, so they
        // are split here, once, rather than on first use.
        let mut word_ev = script::WordEvidence::default();
        let words = words::FoldedWords::scan(&norm.text, &mut word_ev);
        let evs = script::paragraph_evidence(lines.iter().map(|l| l.text), &norm, &words, &word_ev);
        let langs = script::decide_all(evs, hint);
        let boilerplate = (0..lines.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Prepared {
            text,
            lines,
            langs,
            boilerplate,
            norm,
            words,
        }
    }

    /// Whether line `i` is scraper boilerplate as a whole (navigation, metadata, HTML).
    pub fn is_boilerplate(&self, i: usize) -> bool {
        match (self.boilerplate.get(i), self.lines.get(i)) {
            (Some(cell), Some(line)) => {
                *cell.get_or_init(|| rules::scraper_boilerplate::is_boilerplate_line(line.text))
            }
            _ => false,
        }
    }

    /// The words of the folded text.
    pub fn words(&self) -> &words::FoldedWords {
        &self.words
    }

    /// The index of the line holding code-point offset `offset`.
    pub fn line_at(&self, offset: usize) -> usize {
        match self.lines.binary_search_by(|l| l.start.cmp(&offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The language of the paragraph holding `offset`.
    pub fn lang_at(&self, offset: usize) -> Lang {
        self.langs
            .get(self.line_at(offset))
            .copied()
            .unwrap_or_default()
    }
}

/// The lines of `text` as [`text::lines`] splits them (`\n`, `\r\n`, `\r`), contents only,
/// without counting code points.
fn orig_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if i < start {
            continue; // the \n of a \r\n pair
        }
        out.push(&text[start..i]);
        start = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
    }
    out.push(&text[start..]);
    out
}

/// Everything known about one article.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub langs: Vec<Lang>,
    pub mentions: Vec<Mention>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Engine {
    pub fn new(kb: Kb, config: Config) -> Self {
        let matcher = Matcher::new(&kb);
        Engine {
            kb,
            matcher,
            config,
            derived: rules::Derived::default(),
        }
    }

    /// The embedded KB and default configuration.
    pub fn embedded() -> Self {
        Engine::new(Kb::embedded(), Config::default())
    }

    fn prepare<'a>(&self, text: &'a str) -> Prepared<'a> {
        Prepared::new(text, self.config.language.lang())
    }

    /// Mentions only, for `khabar mentions` and the index. `text` must not start with a BOM
    /// (see [`text::strip_bom`]).
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        // Only mentions with something glued before them need their paragraph's language, so
        // languages are worked out per line on demand rather than for the whole article, and the
        // lines themselves are only split out when the first language is asked for: as byte
        // ranges (folded line starts by `memchr`, original lines by their breaks), since
        // counting code points per line was a tenth of this function.
        let norm = normalize::normalize(text);
        let split = std::cell::OnceCell::new();
        let split = || {
            split.get_or_init(|| {
                let folded: Vec<&str> = norm.text.split('\n').collect();
                let mut starts = Vec::with_capacity(folded.len());
                let mut at = 0;
                for f in &folded {
                    starts.push(at);
                    at += f.len() + 1;
                }
                (orig_lines(text), folded, starts)
            })
        };
        let cache: std::cell::RefCell<Vec<Option<Lang>>> = std::cell::RefCell::new(Vec::new());
        let all: std::cell::OnceCell<Vec<Lang>> = std::cell::OnceCell::new();
        let lang_at = |b: usize| -> Lang {
            let (lines, folded, starts) = split();
            let i = match starts.binary_search(&b) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            };
            if let Some(Some(l)) = cache.borrow().get(i) {
                return *l;
            }
            let Some(line) = lines.get(i) else {
                return Lang::Other;
            };
            let ev = script::evidence_folded(line, folded.get(i).copied().unwrap_or(""));
            let lang = ev.decide().unwrap_or_else(|| {
                let langs = all.get_or_init(|| {
                    let evs = lines
                        .iter()
                        .zip(folded.iter().chain(std::iter::repeat(&"")))
                        .map(|(l, f)| script::evidence_folded(l, f))
                        .collect();
                    script::decide_all(evs, self.config.language.lang())
                });
                langs.get(i).copied().unwrap_or_default()
            });
            let mut cache = cache.borrow_mut();
            if cache.len() < lines.len() {
                cache.resize(lines.len(), None);
            }
            if let Some(slot) = cache.get_mut(i) {
                *slot = Some(lang);
            }
            lang
        };
        self.matcher.find_folded(&norm, &lang_at)
    }

    /// Mentions and every enabled rule's findings, sorted by position.
    pub fn analyze(&self, text: &str) -> Analysis {
        self.analyze_with(text, &|_| true)
    }

    /// [`Self::analyze`] with only the rules whose id `keep` accepts: the quick re-check of an
    /// edited line needs six of them, and running the others only to drop their findings was
    /// most of its time.
    pub fn analyze_with(&self, text: &str, keep: &dyn Fn(&str) -> bool) -> Analysis {
        let p = self.prepare(text);
        let mentions = self.matcher.find(&p.norm, &|o| p.lang_at(o));
        let cx = rules::Context::new(&p, &mentions, &self.kb, &self.config, &self.derived);
        let diagnostics = rules::run_some(&cx, keep);
        Analysis {
            langs: p.langs,
            mentions,
            diagnostics,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn orig_lines_split_like_text_lines() {
        for t in [
            "",
            "\n",
            "\r",
            "\r\n",
            "a",
            "a\r\nb\rc\nd",
            "a\r\r\nb\n\n",
            "سلام\r\nخبر\r",
        ] {
            let want: Vec<&str> = super::text::lines(t).map(|l| l.text).collect();
            assert_eq!(super::orig_lines(t), want, "{t:?}");
        }
    }
}
