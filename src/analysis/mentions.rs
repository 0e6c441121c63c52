//! Clitic-aware entity matching.
//!
//! Every surface form of every entity is folded (see [`super::normalize`]) and searched for at
//! once with aho-corasick over the folded article. All overlapping matches are collected first
//! and resolved afterwards — boundary checks, then cue and full-name conditions, then longest
//! match, then a fixed order — because leftmost-longest search followed by a boundary filter
//! silently loses a shorter match that was the right one.
//!
//! Arabic attaches proclitics to names (و ف ب ل ك and chains like وب، فل); the mention's span is
//! the name without them. The article ال is not a clitic: السورية is "the Syrian", not Syria.
//! A name that begins with ال takes ل as لل (للعراق). Persian writes و and prepositions apart, so
//! a glued one is still a mention but is reported as a missing space.

use super::kb::{Kb, Needs};
use super::normalize::{fold, is_word_char, Normalized};
use super::script::Lang;
use aho_corasick::AhoCorasick;
use lazy_dfa::LazyDfa;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// How the mention is attached to what precedes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attachment {
    /// Stands as a word.
    Free,
    /// Arabic proclitics (و ف ب ل ك …) before it: correct Arabic.
    Clitic,
    /// A Persian conjunction or preposition glued to it: a missing space.
    Glued,
}

/// One mention of an entity in an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Code-point span of the name itself, without proclitics.
    pub start: usize,
    pub end: usize,
    /// Where the word begins, proclitics included (`== start` when there are none).
    pub prefix_start: usize,
    /// Index of the entity in the [`Kb`].
    pub entity: usize,
    /// Every entity the same surface names, in KB order, when more than one does.
    pub candidates: Vec<usize>,
    pub attachment: Attachment,
    /// A multi-word alias written with a space dropped (ولادیمیرپوتین).
    pub glued_words: bool,
    /// The condition the matched alias carried.
    pub needs: Needs,
}

impl Mention {
    pub fn is_ambiguous(&self) -> bool {
        self.candidates.len() > 1
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Plain,
    /// ل + ال written لل: the name starts one letter into the match.
    Lil,
    /// A multi-word alias with a space dropped.
    Glued,
}

#[derive(Clone, Copy, Debug)]
struct Target {
    entity: usize,
    needs: Needs,
    variant: Variant,
}

/// The search automaton over every surface form of a KB, with the word lists the conditions
/// need. Built once per KB.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// Built on first use, or earlier on a pool thread (see [`Matcher::new`]); `None` when the
    /// KB has no surface forms.
    ac: Arc<OnceLock<Option<Searcher>>>,
    patterns: Arc<Vec<String>>,
    targets: Vec<Vec<Target>>,
    cue_before: HashSet<String>,
    cue_after: HashSet<String>,
    /// Folded title words (اللواء، ارتشبد …): a bare surname right after one counts as a name.
    titles: Vec<String>,
}

const CUE_AFTER: &[&str] = &[
    "للأنباء",
    "للانباء",
    "الإخبارية",
    "الاخبارية",
    "نيوز",
    "نیوز",
    "آنلاین",
];

/// Persian conjunction and prepositions that are written apart from a name.
const PERSIAN_GLUED: &[&str] = &["و", "ب", "به", "با", "در", "از", "بر", "تا"];

fn needs_rank(n: Needs) -> u8 {
    match n {
        Needs::Nothing => 0,
        Needs::FullName => 1,
        Needs::Cue => 2,
    }
}

impl Matcher {
    pub fn new(kb: &Kb) -> Matcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut add = |pat: String, t: Target| {
            if pat.is_empty() {
                return;
            }
            let id = *index.entry(pat.clone()).or_insert_with(|| {
                patterns.push(pat);
                targets.push(Vec::new());
                targets.len() - 1
            });
            let list = &mut targets[id];
            // One entity reached twice by the same pattern keeps its least demanding condition.
            if let Some(prev) = list
                .iter_mut()
                .find(|p| p.entity == t.entity && p.variant == t.variant)
            {
                if needs_rank(t.needs) < needs_rank(prev.needs) {
                    prev.needs = t.needs;
                }
            } else {
                list.push(t);
            }
        };
        for (ei, ent) in kb.entities.iter().enumerate() {
            // A label that is also an alias with a condition takes the condition: the Arabic
            // label of Al-Watan is الوطن, which must not count as "the homeland".
            let conditions: HashMap<String, Needs> = ent
                .aliases
                .iter()
                .filter(|a| a.needs != Needs::Nothing)
                .map(|a| (fold(&a.text), a.needs))
                .collect();
            for (surface, needs) in ent.surfaces() {
                let f = fold(surface);
                let needs = conditions.get(&f).copied().unwrap_or(needs);
                let t = |variant| Target {
                    entity: ei,
                    needs,
                    variant,
                };
                if let Some(rest) = f.strip_prefix("ال") {
                    if rest.chars().count() >= 2 {
                        add(format!("لل{rest}"), t(Variant::Lil));
                    }
                }
                let spaces: Vec<usize> = f.match_indices(' ').map(|(i, _)| i).collect();
                for &i in &spaces {
                    add(format!("{}{}", &f[..i], &f[i + 1..]), t(Variant::Glued));
                }
                if spaces.len() > 1 {
                    add(f.replace(' ', ""), t(Variant::Glued));
                }
                add(f, t(Variant::Plain));
            }
        }
        // The automaton takes about a millisecond to build: it is built on a pool thread while
        // the caller goes on (finding the files), and the first search waits for it (`OnceLock`
        // runs one initialiser; others block until it is done).
        let patterns = Arc::new(patterns);
        let ac: Arc<OnceLock<Option<Searcher>>> = Arc::new(OnceLock::new());
        if !patterns.is_empty() {
            let (cell, pats) = (Arc::clone(&ac), Arc::clone(&patterns));
            rayon::spawn(move || {
                cell.get_or_init(|| build_automaton(&pats));
            });
        }
        let cue_before = kb.cue_words.iter().map(|w| fold(w)).collect();
        let cue_after = CUE_AFTER.iter().map(|w| fold(w)).collect();
        let titles = kb
            .title_words
            .iter()
            .map(|w| fold(w))
            .filter(|w| !w.is_empty())
            .collect();
        Matcher {
            ac,
            patterns,
            targets,
            cue_before,
            cue_after,
            titles,
        }
    }

    /// Every mention in a folded article. `lang_at` gives the language of the paragraph holding
    /// an original code-point offset.
    pub fn find(&self, norm: &Normalized, lang_at: &dyn Fn(usize) -> Lang) -> Vec<Mention> {
        self.find_folded(norm, &|b| lang_at(norm.to_orig(b)))
    }

    /// [`Self::find`] with `lang_at` given a byte offset of the folded text instead: a caller
    /// that splits the folded text into lines needs no code-point offsets.
    pub fn find_folded(&self, norm: &Normalized, lang_at: &dyn Fn(usize) -> Lang) -> Vec<Mention> {
        let Some(ac) = self.ac.get_or_init(|| build_automaton(&self.patterns)) else {
            return Vec::new();
        };
        let text = norm.text.as_str();
        let mut cands: Vec<Cand> = Vec::new();
        let mut lang = LineLang::default();
        ac.for_each_overlapping(text, |s, e, pattern| {
            if text[e..].chars().next().is_some_and(is_word_char) {
                return;
            }
            let ws = word_start(text, s);
            let prefix = &text[ws..s];
            for t in &self.targets[pattern] {
                let name_s = if t.variant == Variant::Lil {
                    s + 'ل'.len_utf8()
                } else {
                    s
                };
                let attachment = if prefix.is_empty() {
                    Attachment::Free
                } else {
                    let lil = t.variant == Variant::Lil;
                    let persian_ok = !lil && PERSIAN_GLUED.contains(&prefix);
                    let arabic_ok = arabic_chain(prefix, lil);
                    // A prefix neither language accepts (most matches inside longer words)
                    // needs no paragraph language, which costs a scan of the paragraph.
                    if !persian_ok && !arabic_ok {
                        continue;
                    }
                    if lang.at(text, s, lang_at) == Lang::Persian {
                        if persian_ok {
                            Attachment::Glued
                        } else {
                            continue;
                        }
                    } else if arabic_ok {
                        Attachment::Clitic
                    } else {
                        continue;
                    }
                };
                if t.needs == Needs::Cue && !self.has_cue(text, ws, e) {
                    continue;
                }
                let titled = t.needs == Needs::FullName && self.after_title(text, ws);
                cands.push(Cand {
                    s: name_s,
                    e,
                    ws,
                    entity: t.entity,
                    needs: t.needs,
                    glued: t.variant == Variant::Glued,
                    attachment,
                    titled,
                });
            }
        });
        resolve(norm, cands)
    }

    /// Does a title word (اللواء، الرئيس …) stand right before the word starting at `ws`? Then
    /// a bare surname names the person even before the full name appeared (اللواء مملوك).
    fn after_title(&self, text: &str, ws: usize) -> bool {
        let before = text[..ws].trim_end_matches(' ');
        self.titles.iter().any(|t| {
            before
                .strip_suffix(t.as_str())
                .is_some_and(|rest| !rest.chars().next_back().is_some_and(is_word_char))
        })
    }

    /// Is the word at `ws..e` next to a cue: a cue word among the two words before it, «…» or
    /// quotes around it, a cue word right after it, or a signature line such as
    /// `(سيرياهوم نيوز-وكالات-الوطن)`?
    fn has_cue(&self, text: &str, ws: usize, e: usize) -> bool {
        let line_s = text[..ws].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line_e = text[e..].find('\n').map(|i| e + i).unwrap_or(text.len());
        let before = &text[line_s..ws];
        let after = &text[e..line_e];
        let open = before.chars().next_back();
        let close = after.chars().next();
        if matches!(open, Some('«' | '"' | '“')) && matches!(close, Some('»' | '"' | '”')) {
            return true;
        }
        let strip = |w: &str| -> Vec<String> {
            let mut forms = vec![w.to_string()];
            let mut rest = w;
            for _ in 0..2 {
                if let Some(c) = rest.chars().next() {
                    if matches!(c, 'و' | 'ف' | 'ب' | 'ل' | 'ك') && rest.chars().count() > 3 {
                        rest = &rest[c.len_utf8()..];
                        forms.push(rest.to_string());
                    }
                }
            }
            forms
        };
        // The two words before, read from the end: splitting the whole line before the name
        // for every candidate was 4% of `khabar mentions`.
        let words_before = before
            .rsplit(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
            .take(2);
        for w in words_before {
            if strip(w).iter().any(|f| self.cue_before.contains(f)) {
                return true;
            }
        }
        if let Some(next) = after
            .split(|c: char| !is_word_char(c))
            .find(|w| !w.is_empty())
        {
            if self.cue_after.contains(next) {
                return true;
            }
        }
        let line = text[line_s..line_e].trim();
        line.starts_with('(') && line.ends_with(')') && line.split_whitespace().count() <= 10
    }
}

/// The overlapping search over every pattern.
#[derive(Debug)]
enum Searcher {
    /// The usual case: a DFA built as the text needs it (see [`lazy_dfa`]).
    Lazy(Box<LazyDfa>),
    /// Whatever aho-corasick can build when the lazy table would be too large.
    Other(AhoCorasick),
}

impl Searcher {
    /// Calls `f(start, end, pattern)` for every occurrence of every pattern in `text`,
    /// overlapping ones included, ordered by end and then by pattern as aho-corasick reports
    /// them.
    fn for_each_overlapping(&self, text: &str, mut f: impl FnMut(usize, usize, usize)) {
        match self {
            Searcher::Lazy(dfa) => dfa.for_each_overlapping(text, f),
            Searcher::Other(ac) => {
                for m in ac.find_overlapping_iter(text) {
                    f(m.start(), m.end(), m.pattern().as_usize());
                }
            }
        }
    }
}

/// The overlapping search automaton over `patterns`: the lazy DFA, or whatever aho-corasick
/// can build if its table would be too large.
fn build_automaton(patterns: &[String]) -> Option<Searcher> {
    if patterns.is_empty() {
        return None;
    }
    LazyDfa::new(patterns)
        .map(|d| Searcher::Lazy(Box::new(d)))
        .or_else(|| AhoCorasick::new(patterns).ok().map(Searcher::Other))
}

/// The language of the last folded line asked about: `lang_at` costs a conversion to an
/// original offset and a search of the lines, and a paragraph often holds several matches
/// with proclitics. A folded line is an original one (each break folds to one `\n`).
#[derive(Default)]
struct LineLang {
    /// The line's byte range in the folded text, and its language.
    last: Option<(usize, usize, Lang)>,
}

impl LineLang {
    fn at(&mut self, text: &str, s: usize, lang_at: &dyn Fn(usize) -> Lang) -> Lang {
        if let Some((a, b, lang)) = self.last {
            if (a..b).contains(&s) {
                return lang;
            }
        }
        let bytes = text.as_bytes();
        let a = memchr::memrchr(b'\n', &bytes[..s]).map_or(0, |i| i + 1);
        let b = memchr::memchr(b'\n', &bytes[s..]).map_or(bytes.len(), |i| s + i);
        let lang = lang_at(s);
        self.last = Some((a, b, lang));
        lang
    }
}

/// Is `prefix` a chain of Arabic proclitics: [وف]? then [بلك]? (with لل the ل slot is taken)?
fn arabic_chain(prefix: &str, lil: bool) -> bool {
    let mut chars = prefix.chars().peekable();
    if matches!(chars.peek(), Some('و' | 'ف')) {
        chars.next();
    }
    if !lil && matches!(chars.peek(), Some('ب' | 'ل' | 'ك')) {
        chars.next();
    }
    chars.next().is_none()
}

/// The byte offset where the word holding byte `s` begins.
fn word_start(text: &str, s: usize) -> usize {
    let mut ws = s;
    for (i, c) in text[..s].char_indices().rev() {
        if is_word_char(c) {
            ws = i;
        } else {
            break;
        }
    }
    ws
}

#[derive(Clone, Debug)]
struct Cand {
    s: usize,
    e: usize,
    ws: usize,
    entity: usize,
    needs: Needs,
    glued: bool,
    attachment: Attachment,
    /// A bare surname right after a title word.
    titled: bool,
}

/// Longest first, then leftmost, then KB order; then drops bare surnames that come before any
/// full name of their entity.
fn resolve(norm: &Normalized, mut cands: Vec<Cand>) -> Vec<Mention> {
    cands.sort_by(|a, b| {
        (b.e - b.s)
            .cmp(&(a.e - a.s))
            .then(a.s.cmp(&b.s))
            .then(needs_rank(a.needs).cmp(&needs_rank(b.needs)))
            .then(a.entity.cmp(&b.entity))
    });
    // Accepted spans by start, each with the group of candidates that share it exactly.
    let mut accepted: BTreeMap<usize, (usize, Vec<Cand>)> = BTreeMap::new();
    for c in cands {
        if let Some((_, (end, group))) = accepted.range_mut(c.s..=c.s).next() {
            if *end == c.e {
                if !group.iter().any(|g| g.entity == c.entity) {
                    group.push(c);
                }
                continue;
            }
        }
        let overlaps_before = accepted
            .range(..c.s)
            .next_back()
            .is_some_and(|(_, (end, _))| *end > c.s);
        let overlaps_after = accepted.range(c.s..c.e).next().is_some();
        if overlaps_before || overlaps_after {
            continue;
        }
        accepted.insert(c.s, (c.e, vec![c]));
    }
    let mut seen_full: HashSet<usize> = HashSet::new();
    let mut out = Vec::with_capacity(accepted.len());
    for (_, (_, mut group)) in accepted {
        group.sort_by_key(|g| g.entity);
        let first = &group[0];
        if group.len() == 1 {
            match first.needs {
                Needs::FullName if !first.titled && !seen_full.contains(&first.entity) => continue,
                Needs::Nothing => {
                    seen_full.insert(first.entity);
                }
                _ => {}
            }
        }
        let candidates = if group.len() > 1 {
            group.iter().map(|g| g.entity).collect()
        } else {
            Vec::new()
        };
        out.push(Mention {
            start: norm.to_orig(first.s),
            end: norm.to_orig(first.e),
            prefix_start: norm.to_orig(first.ws),
            entity: first.entity,
            candidates,
            attachment: first.attachment,
            glued_words: first.glued,
            needs: first.needs,
        });
    }
    out
}

mod lazy_dfa;

#[cfg(test)]
mod tests;
