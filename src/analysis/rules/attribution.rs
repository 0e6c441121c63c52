//! Attribution triggers and the source they name, and quotation pairing: shared by
//! `unknown-source` and `unattributed-quote`.
//!
//! A trigger (وكالة، نقلا عن، وفق، حسب، ذكرت، به گزارش، به نقل از …) takes proclitics (وحسب، وفق)
//! but a word that merely starts with one is not a trigger: فحسب means "only". The source named
//! is the longest knowledge-base source at that place, else the «…» span, else the next one to
//! three words.

use super::Context;
use crate::analysis::kb::Kind;
use crate::analysis::normalize::{fold, is_alnum, is_word_char};
use crate::analysis::text::count_chars;
use crate::analysis::words::{hash_bytes, FoldedWords, Word};
use std::sync::OnceLock;

/// Triggers, folded, and whether what follows them is a source name by construction (an agency
/// word or «به گزارش» is always followed by a source; «حسب» often by an ordinary noun).
const TRIGGERS: &[(&str, bool)] = &[
    ("وكالة", true),
    ("وكالات", true),
    ("صحيفة", true),
    ("جريدة", true),
    ("موقع", false),
    ("قناة", true),
    ("نقلا عن", true),
    ("نقلاً عن", true),
    ("وفق", false),
    ("وفقا", false),
    ("حسب", false),
    ("بحسب", false),
    ("ذكرت", false),
    ("أفادت", false),
    ("أوردت", false),
    ("نقلت", false),
    ("به گزارش", true),
    ("به نقل از", true),
    ("خبرگزاری", true),
    ("روزنامه", true),
    ("پایگاه خبری", true),
];

/// Words after a trigger that name no particular source.
const GENERIC: &[&str] = &[
    "مصادر",
    "مصدر",
    "وسائل",
    "مراسل",
    "مراسلنا",
    "مندوب",
    "تقارير",
    "تقرير",
    "بيان",
    "مسؤول",
    "مسؤولين",
    "شهود",
    "أنباء",
    "انباء",
    "خبرنگار",
    "منابع",
    "منبع",
    "گزارش",
    "رسانه",
    "رسانه‌ها",
    "ما",
    "الإعلام",
    "الاعلام",
    "ما",
    "معلومات",
    "مصادرنا",
    "التلفزيون",
    "الوكالة",
    "الصحيفة",
];

/// Words that end a source name: function words and speech verbs, folded.
fn stop_words() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        [
            "إن",
            "أن",
            "ان",
            "عن",
            "في",
            "من",
            "على",
            "إلى",
            "الى",
            "ما",
            "قد",
            "أنه",
            "انه",
            "التي",
            "الذي",
            "أمس",
            "اليوم",
            "قال",
            "قالت",
            "أمس",
            "که",
            "در",
            "از",
            "به",
            "با",
            "را",
            "و",
            "امروز",
            "گفت",
        ]
        .iter()
        .map(|w| fold(w))
        .collect()
    })
}

pub struct Trigger {
    /// The trigger as it is listed, folded (without the proclitic).
    pub folded: &'static str,
    pub start: usize,
    /// What follows is a source name by construction.
    pub strong: bool,
}

/// The source an attribution names.
pub struct Source {
    pub start: usize,
    pub end: usize,
    /// The knowledge-base source entity, when it is one.
    pub entity: Option<usize>,
    /// Whether it was written in «…».
    pub quoted: bool,
}

pub struct Attribution {
    pub trigger: Trigger,
    pub source: Option<Source>,
}

fn folded_triggers() -> &'static Vec<(String, bool)> {
    static T: OnceLock<Vec<(String, bool)>> = OnceLock::new();
    T.get_or_init(|| TRIGGERS.iter().map(|(t, s)| (fold(t), *s)).collect())
}

pub fn is_generic(word: &str) -> bool {
    static G: OnceLock<Vec<String>> = OnceLock::new();
    let g = G.get_or_init(|| GENERIC.iter().map(|w| fold(w)).collect());
    let f = fold(word);
    g.contains(&f)
}

fn trigger_automaton() -> Option<&'static aho_corasick::AhoCorasick> {
    static AC: OnceLock<Option<aho_corasick::AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(folded_triggers().iter().map(|(t, _)| t.as_str()))
            .ok()
    })
    .as_ref()
}

/// An article's attributions.
#[derive(Default)]
pub struct Attributions {
    pub list: Vec<Attribution>,
}

/// Every attribution in the article, in order: found among the article's folded words
/// ([`by_words`]), which is what a leftmost-longest search of the folded text for the triggers
/// finds ([`by_automaton`]) unless a character that is alphanumeric but not a word character
/// splits a word differently for the two ([`holds_split_chars`]), where that search is made.
pub fn attributions(cx: &Context<'_>) -> Attributions {
    if cx.holds_split_chars() {
        by_automaton(cx)
    } else {
        by_words(cx)
    }
}

/// The attributions by a leftmost-longest search of the folded text for the triggers, each
/// match kept when it ends a word and is preceded in its word only by a proclitic. The
/// definition [`by_words`] must agree with, and what is used where it cannot.
pub fn by_automaton(cx: &Context<'_>) -> Attributions {
    let norm = &cx.prep.norm;
    let text = norm.text.as_str();
    let mut out = Attributions::default();
    let Some(ac) = trigger_automaton() else {
        return out;
    };
    let triggers = folded_triggers();
    for m in ac.find_iter(text) {
        let (trig, strong) = &triggers[m.pattern().as_usize()];
        let trig = trig.as_str();
        let (s, e) = (m.start(), m.end());
        // The trigger must end a word and be preceded only by a proclitic.
        if text[e..].chars().next().is_some_and(is_word_char) {
            continue;
        }
        let ws = text[..s]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_word_char(c))
            .last()
            .map(|(i, _)| i)
            .unwrap_or(s);
        if !proclitic_allowed(&text[ws..s], trig) {
            continue;
        }
        out.list.push(attribution(cx, trig, *strong, (ws, e), None));
    }
    out
}

/// Whether `prefix`, what precedes trigger `trig` in its word, may: a proclitic, but فحسب is
/// "only", not ف + حسب.
fn proclitic_allowed(prefix: &str, trig: &str) -> bool {
    match prefix {
        "" | "و" => true,
        "ف" | "ب" | "وب" => !trig.starts_with("حسب"),
        _ => false,
    }
}

/// The attribution of trigger `trig` whose word starts at folded byte `ws` and which ends at
/// folded byte `e`, on the folded line that ends at byte `line_end` (found when not given).
fn attribution(
    cx: &Context<'_>,
    trig: &'static str,
    strong: bool,
    (ws, e): (usize, usize),
    line_end: Option<usize>,
) -> Attribution {
    let trigger = Trigger {
        folded: trig,
        start: cx.prep.norm.to_orig(ws),
        strong,
    };
    let source = source_after(cx, trigger.start, e, line_end);
    Attribution { trigger, source }
}

/// The proclitics a trigger takes, in the order a left-to-right search meets the trigger
/// after them (the shorter first). Only these can precede a trigger in its word.
const PROCLITICS: [&str; 5] = ["", "و", "ف", "ب", "وب"];

/// The triggers by the words of the folded text they start with: every trigger is whole
/// words, so a word that starts one is a proclitic and the trigger's first word, and one
/// hash look-up per word of the article (the words and their hashes are made anyway) finds
/// them. A byte search for the triggers' letters cost far more: they begin with letters that
/// begin every tenth Arabic word.
struct TriggerWords {
    /// Bit `hash >> (64 - FILTER_BITS)` of each key's hash: nearly every word of an article
    /// is turned away by one load from this, which fits the first-level cache.
    filter: Box<[u64]>,
    /// Sorted: (hash of proclitic + first word, proclitic, trigger index).
    keys: Vec<(u64, usize, usize)>,
    /// Each trigger's words, in [`folded_triggers`] order.
    words: Vec<Vec<&'static str>>,
}

/// Bits of [`TriggerWords::filter`]: about a hundred keys in 32 768 bits let one word in
/// three hundred through.
const FILTER_BITS: u32 = 15;

impl TriggerWords {
    fn get() -> &'static TriggerWords {
        static T: OnceLock<TriggerWords> = OnceLock::new();
        T.get_or_init(|| {
            let triggers = folded_triggers();
            let words: Vec<Vec<&'static str>> = triggers
                .iter()
                .map(|(t, _)| t.split(' ').collect())
                .collect();
            let mut keys = Vec::new();
            for (t, w) in words.iter().enumerate() {
                let first = w.first().copied().unwrap_or_default();
                for (k, p) in PROCLITICS.iter().enumerate() {
                    keys.push((hash_bytes(format!("{p}{first}").as_bytes()), k, t));
                }
            }
            keys.sort_unstable();
            let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)].into_boxed_slice();
            for &(h, ..) in &keys {
                let b = Self::bit(h);
                filter[b / 64] |= 1 << (b % 64);
            }
            TriggerWords {
                filter,
                keys,
                words,
            }
        })
    }

    #[inline(always)]
    fn bit(hash: u64) -> usize {
        (hash >> (64 - FILTER_BITS)) as usize
    }

    /// Whether a word with this hash may start a trigger.
    #[inline(always)]
    fn may_start(&self, hash: u64) -> bool {
        let b = Self::bit(hash);
        self.filter
            .get(b / 64)
            .is_some_and(|w| w & (1 << (b % 64)) != 0)
    }

    /// The trigger that starts with word `i` of `line` (words of `folded`) as the
    /// leftmost-longest search meets it: (proclitic, trigger index, end of the trigger in
    /// `folded`). Of the ways the word splits into a proclitic and a trigger's first word, the
    /// search meets the one with the shorter proclitic first, and there the longest trigger
    /// whose other words follow, each after a single space.
    fn at(&self, folded: &str, line: &[Word], i: usize) -> Option<(&'static str, usize, usize)> {
        let w = line.get(i)?;
        let word = folded.get(w.start as usize..w.end as usize)?;
        let from = self.keys.partition_point(|k| k.0 < w.hash);
        let mut best: Option<(usize, usize, usize)> = None; // (proclitic, trigger, end)
        for &(h, k, t) in self.keys.get(from..)? {
            if h != w.hash || best.is_some_and(|(bk, ..)| bk < k) {
                break;
            }
            let p = PROCLITICS[k];
            let words = self.words.get(t)?;
            let first = words.first()?;
            if word.len() != p.len() + first.len() || !word.starts_with(p) || !word.ends_with(first)
            {
                continue;
            }
            let Some(end) = self.rest_follows(folded, line, i, &words[1..]) else {
                continue;
            };
            if best.is_none_or(|(_, _, be)| end > be) {
                best = Some((k, t, end));
            }
        }
        best.map(|(k, t, e)| (PROCLITICS[k], t, e))
    }

    /// Where `rest`, a trigger's words after its first, ends when they are the words after
    /// word `i` of `line`, each after a single space.
    fn rest_follows(&self, folded: &str, line: &[Word], i: usize, rest: &[&str]) -> Option<usize> {
        let mut end = line.get(i)?.end as usize;
        for (k, r) in rest.iter().enumerate() {
            let w = line.get(i + 1 + k)?;
            let (s, e) = (w.start as usize, w.end as usize);
            if s != end + 1 || folded.as_bytes().get(end) != Some(&b' ') || folded.get(s..e)? != *r
            {
                return None;
            }
            end = e;
        }
        Some(end)
    }
}

/// [`by_automaton`] among the words of the folded text. The words are the runs of
/// alphanumeric characters, and where the folded text holds no [`splits_words`] character
/// those are its runs of word characters but for ZWNJ, which is a word character: a trigger
/// the search would keep is then a whole word less its proclitic (and the next words, for a
/// trigger of several), not after or before a ZWNJ. No match of the search hides one: the
/// triggers' proclitics begin none of the triggers that begin with their letters, and no
/// trigger's first word begins with a later word of another, so no match starts before a
/// trigger it overlaps.
fn by_words(cx: &Context<'_>) -> Attributions {
    let folded = cx.prep.norm.text.as_str();
    let words = cx.prep.words();
    let index = TriggerWords::get();
    let triggers = folded_triggers();
    let mut out = Attributions::default();
    for (li, line) in (0..).map_while(|i| words.line(i)).enumerate() {
        for (i, w) in line.iter().enumerate() {
            if !index.may_start(w.hash) {
                continue;
            }
            let Some((p, t, e)) = index.at(folded, line, i) else {
                continue;
            };
            let Some((trig, strong)) = triggers.get(t) else {
                continue;
            };
            let trig = trig.as_str();
            let ws = w.start as usize;
            let word_char_before = folded[..ws].chars().next_back().is_some_and(is_word_char);
            let word_char_after = folded[e..].chars().next().is_some_and(is_word_char);
            if word_char_before || word_char_after || !proclitic_allowed(p, trig) {
                continue;
            }
            let line_end = words.line_range(li).map(|(_, end)| end);
            out.list
                .push(attribution(cx, trig, *strong, (ws, e), line_end));
        }
    }
    out
}

/// A character that is alphanumeric but not a word character (a digit of another script, a
/// superscript, a fraction): it is part of a word of the shared words but ends a run of word
/// characters, so that the two split words apart differently around it.
fn splits_words(c: char) -> bool {
    is_alnum(c) && !is_word_char(c)
}

/// Bytes of the folded text [`holds_split_chars`] rules out at a time.
const SPLIT_CHUNK: usize = 64;

/// Whether the folded text holds a [`splits_words`] character. Folding has made the digits of
/// Arabic script ASCII, so each is outside the Arabic block (lead bytes D8..DB), and the text
/// is ruled out a chunk at a time by a test the compiler vectorises; the few chunks with
/// other characters are decoded.
pub fn holds_split_chars(folded: &str) -> bool {
    let bytes = folded.as_bytes();
    let mut p = 0;
    while let Some(chunk) = bytes.get(p..p + SPLIT_CHUNK + 1) {
        if let Ok(chunk) = <&[u8; SPLIT_CHUNK + 1]>::try_from(chunk) {
            if may_hold_split_char(chunk) && split_char_in(folded, p, p + SPLIT_CHUNK) {
                return true;
            }
        }
        p += SPLIT_CHUNK;
    }
    split_char_in(folded, p, bytes.len())
}

/// Whether one of the first [`SPLIT_CHUNK`] bytes of `chunk` (which holds one byte more, the
/// second byte of a character starting at the last) may start a [`splits_words`] character:
/// a lead byte outside the Arabic block, but not U+2000..U+203F (ZWNJ, dashes, quotation
/// marks: E2 80) nor U+0080..U+00B1 or » (C2 below B2, C2 BB), which hold no such character.
/// Without an early exit, so that it compiles to vector instructions.
#[inline]
fn may_hold_split_char(chunk: &[u8; SPLIT_CHUNK + 1]) -> bool {
    let (firsts, seconds) = (&chunk[..SPLIT_CHUNK], &chunk[1..]);
    // Most chunks hold no lead byte outside the Arabic block at all.
    let mut any = 0u8;
    for &b in firsts {
        any |= u8::from(b >= 0xc0) & u8::from(b & 0xfc != 0xd8);
    }
    if any == 0 {
        return false;
    }
    let mut any = 0u8;
    for (&b, &n) in firsts.iter().zip(seconds) {
        let lead = u8::from(b & 0xc0 == 0xc0);
        let arabic = u8::from(b & 0xfc == 0xd8);
        let punctuation = u8::from(b == 0xe2) & u8::from(n == 0x80);
        let latin1 = u8::from(b == 0xc2) & (u8::from(n < 0xb2) | u8::from(n == 0xbb));
        any |= lead & !(arabic | punctuation | latin1);
    }
    any != 0
}

/// Whether a [`splits_words`] character starts in bytes `from..to` of `text`.
#[cold]
fn split_char_in(text: &str, from: usize, to: usize) -> bool {
    let mut s = from.min(text.len());
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    text[s..]
        .char_indices()
        .take_while(|&(i, _)| s + i < to)
        .any(|(_, c)| splits_words(c))
}

/// The source named right after folded byte `e`, on the folded line that ends at byte
/// `line_end` (found when not given): a KB source mention, «…», or the next one to three words
/// (up to punctuation).
fn source_after(
    cx: &Context<'_>,
    trigger_start: usize,
    e: usize,
    line_end: Option<usize>,
) -> Option<Source> {
    let norm = &cx.prep.norm;
    let text = norm.text.as_str();
    let rest = &text[e..];
    let skip = rest.len() - rest.trim_start_matches([' ', ':', '-']).len();
    let s = e + skip;
    let line_end = line_end
        .filter(|&l| l >= s)
        .unwrap_or_else(|| text[s..].find('\n').map(|i| s + i).unwrap_or(text.len()));
    // A KB source mention starting within the next few words (وكالة أنباء فارس).
    let window_end = norm.to_orig(
        text[s..line_end]
            .char_indices()
            .filter(|&(_, c)| c == ' ')
            .nth(2)
            .map(|(i, _)| s + i)
            .unwrap_or(line_end),
    );
    if let Some(m) = cx
        .mentions
        .iter()
        // A source name may hold the trigger itself (وكالة تسنيم للأنباء). An organisation or a
        // person the KB knows is a known source too (به نقل از دبیرخانه شورای عالی امنیت).
        .filter(|m| m.end > trigger_start && m.start < window_end)
        .max_by_key(|m| {
            (
                cx.kb.entity(m.entity).kind == Kind::Source,
                m.end - m.start,
                std::cmp::Reverse(m.start),
            )
        })
    {
        return Some(Source {
            start: m.start,
            end: m.end,
            entity: Some(m.entity),
            quoted: false,
        });
    }
    if text[s..].starts_with('«') {
        let close = text[s..line_end].find('»')?;
        let (qs, qe) = (s + '«'.len_utf8(), s + close);
        return Some(Source {
            start: norm.to_orig(qs),
            end: norm.to_orig_end_tight(qe),
            entity: None,
            quoted: true,
        });
    }
    // The next one to three words, up to punctuation or a function word.
    let stop = stop_words();
    let mut end = s;
    for (k, word) in text[s..line_end].split(' ').enumerate() {
        let w_end = word.find(|c: char| !is_word_char(c)).unwrap_or(word.len());
        let w = &word[..w_end];
        if k == 3 || w.is_empty() || stop.iter().any(|x| x == w) {
            break;
        }
        let start_of_word = word.as_ptr() as usize - text.as_ptr() as usize;
        end = start_of_word + w_end;
        if w_end < word.len() {
            break;
        }
    }
    (end > s).then(|| Source {
        start: norm.to_orig(s),
        end: norm.to_orig_end_tight(end),
        entity: None,
        quoted: false,
    })
}

/// A paired quotation: the lines and byte offsets of its marks in the article, and their byte
/// offsets in the folded text where known. Their code-point offsets ([`Quote::offsets`]) are
/// counted only for the quotations a rule looks at closely: counting them for every mark of
/// every article was most of the cost of finding the marks.
pub struct Quote {
    /// The lines of the opening and the closing mark.
    pub open_line: usize,
    pub close_line: usize,
    /// Byte offset of the opening mark in the article.
    pub open_byte: usize,
    /// Byte offset of the closing mark.
    pub close_byte: usize,
    /// Byte offsets of the two marks in the folded text ([`Mark::folded`]).
    pub folded: Option<(usize, usize)>,
}

impl Quote {
    /// The code-point offsets of the opening and the closing mark.
    #[cfg(test)]
    pub fn offsets(&self, prep: &crate::analysis::Prepared<'_>) -> (usize, usize) {
        (
            cp_at(prep, self.open_line, self.open_byte),
            cp_at(prep, self.close_line, self.close_byte),
        )
    }
}

/// The code-point offset of byte `byte` of the article, which lies on line `li`.
pub fn cp_at(prep: &crate::analysis::Prepared<'_>, li: usize, byte: usize) -> usize {
    prep.lines
        .get(li)
        .map_or(0, |l| cp_in_line(l, byte - l.byte_start.min(byte)))
}

/// The code-point offset of byte `byte` of `line` (counted from the article's start).
pub fn cp_in_line(line: &crate::analysis::text::Line<'_>, byte: usize) -> usize {
    line.start + count_chars(line.text.as_bytes().get(..byte).unwrap_or_default())
}

/// A quotation mark of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Byte offset in the line.
    pub byte: usize,
    pub c: char,
    /// Byte offset of the same mark in the folded text, so that rules read folded words
    /// around a quotation instead of folding its paragraphs again. Folding keeps every mark
    /// and makes none, so the marks of a folded line are those of the line, in order; `None`
    /// where that check failed, and callers then fold for themselves.
    pub folded: Option<usize>,
}

/// The quotation mark whose UTF-8 form starts at byte `i` of `bytes`, if one does.
fn mark_at(bytes: &[u8], i: usize) -> Option<char> {
    Some(match (bytes.get(i)?, bytes.get(i + 1), bytes.get(i + 2)) {
        (b'"', _, _) => '"',
        (0xc2, Some(0xab), _) => '«',
        (0xc2, Some(0xbb), _) => '»',
        (0xe2, Some(0x80), Some(0x9c)) => '“',
        (0xe2, Some(0x80), Some(0x9d)) => '”',
        _ => return None,
    })
}

/// The quotation marks (« » “ ” and ") of `line`, in order, with their code-point offsets in
/// the line. (What [`find_quote_lines`] finds for each line; the tests hold it to this.)
#[cfg(test)]
pub fn quote_marks(line: &str) -> impl Iterator<Item = (usize, usize, char)> + '_ {
    line.char_indices()
        .enumerate()
        .filter(|(_, (_, c))| matches!(c, '"' | '«' | '»' | '“' | '”'))
        .map(|(cp, (b, c))| (cp, b, c))
}

/// A line of the article that quotation pairing looks at.
pub struct QuoteLine {
    /// Index of the line in [`crate::analysis::Prepared::lines`].
    pub line: usize,
    /// Its marks: a range of [`QuoteLines::marks`].
    marks: (usize, usize),
}

/// The lines of an article that quotation pairing looks at (lines with a mark that are not
/// scraper boilerplate), with their marks, and where each line lies in the folded text.
#[derive(Default)]
pub struct QuoteLines {
    pub lines: Vec<QuoteLine>,
    marks: Vec<Mark>,
    /// Whether the folded text has as many lines as the article (as it always should), so
    /// that the shared words' line ranges are the folded lines'.
    lines_agree: bool,
}

impl QuoteLines {
    /// The byte range of line `i` in the folded text, where known.
    pub fn folded_line(&self, words: &FoldedWords, i: usize) -> Option<(usize, usize)> {
        words.line_range(i).filter(|_| self.lines_agree)
    }

    fn push_line(&mut self, line: usize, from: usize) {
        if self.marks.len() > from {
            self.lines.push(QuoteLine {
                line,
                marks: (from, self.marks.len()),
            });
        }
    }

    /// Sets each mark's [`Mark::folded`] from the same line of the folded text.
    fn locate_folded(&mut self, folded: &str, words: &FoldedWords, n_lines: usize) {
        self.lines_agree = n_lines
            .checked_sub(1)
            .is_some_and(|last| words.line_range(last).is_some())
            && words.line_range(n_lines).is_none();
        for q in &self.lines {
            let Some((fs, fe)) = self.folded_line(words, q.line) else {
                continue;
            };
            let Some(marks) = self.marks.get_mut(q.marks.0..q.marks.1) else {
                continue;
            };
            let fline = folded.as_bytes().get(fs..fe).unwrap_or_default();
            let mut found = memchr::memchr3_iter(b'"', 0xc2, 0xe2, fline)
                .filter_map(|i| Some((i, mark_at(fline, i)?)));
            let mut agree = true;
            for m in marks.iter_mut() {
                match found.next() {
                    Some((i, c)) if c == m.c => m.folded = Some(fs + i),
                    _ => agree = false,
                }
            }
            if !agree || found.next().is_some() {
                marks.iter_mut().for_each(|m| m.folded = None);
            }
        }
    }
}

/// The lines of the article that quotation pairing looks at: lines with a mark that are not
/// scraper boilerplate. Found once per article ([`Context::quote_lines`]) by one byte search
/// over the whole text, which finds the few marks of an article without a search per line.
pub fn find_quote_lines(cx: &Context<'_>) -> QuoteLines {
    let bytes = cx.prep.text.as_bytes();
    let lines = &cx.prep.lines;
    let mut out = QuoteLines::default();
    // The line of the marks being collected: its index, whether it is boilerplate, and where
    // its marks start in `out.marks`.
    let mut cur: Option<(usize, bool, usize)> = None;
    let mut li = 0;
    for i in memchr::memchr3_iter(b'"', 0xc2, 0xe2, bytes) {
        let Some(c) = mark_at(bytes, i) else {
            continue;
        };
        while lines.get(li + 1).is_some_and(|l| l.byte_start <= i) {
            li += 1;
        }
        let Some(line) = lines.get(li) else { break };
        if cur.is_none_or(|(l, ..)| l != li) {
            if let Some((l, _, from)) = cur {
                out.push_line(l, from);
            }
            cur = Some((li, cx.prep.is_boilerplate(li), out.marks.len()));
        }
        if cur.is_some_and(|(_, skip, _)| skip) {
            continue;
        }
        out.marks.push(Mark {
            byte: i - line.byte_start,
            c,
            folded: None,
        });
    }
    if let Some((l, _, from)) = cur {
        out.push_line(l, from);
    }
    if !out.lines.is_empty() {
        out.locate_folded(&cx.prep.norm.text, cx.prep.words(), lines.len());
    }
    out
}

/// The lines of the article that quotation pairing looks at, with their marks. Shared by
/// `unattributed-quote` and `unbalanced-quotes`, which pair marks the same way.
pub fn quote_lines<'p, 'a>(
    cx: &'p Context<'a>,
) -> impl Iterator<Item = (&'p crate::analysis::text::Line<'a>, &'p [Mark])> + 'p {
    let ql = cx.quote_lines();
    ql.lines.iter().filter_map(move |q| {
        Some((
            cx.prep.lines.get(q.line)?,
            ql.marks.get(q.marks.0..q.marks.1)?,
        ))
    })
}

/// Pairs «…», “…” and straight quotes over the article (a quotation may run across paragraphs),
/// skipping boilerplate lines; returns the outermost quotations.
pub fn quotes(cx: &Context<'_>) -> Vec<Quote> {
    let mut out = Vec::new();
    // Open marks: (line, byte, folded byte).
    let mut stack: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut straight: Option<(usize, usize, Option<usize>)> = None;
    for (line, marks) in quote_lines(cx) {
        for m in marks {
            let at = (line.index, line.byte_start + m.byte, m.folded);
            let pair = |open: (usize, usize, Option<usize>)| Quote {
                open_line: open.0,
                close_line: at.0,
                open_byte: open.1,
                close_byte: at.1,
                folded: open.2.zip(at.2),
            };
            match m.c {
                '«' => stack.push(at),
                '»' => {
                    // Only « is ever pushed, so the partner of » is the top of the stack.
                    if let Some(open) = stack.pop() {
                        if stack.is_empty() && straight.is_none() {
                            out.push(pair(open));
                        }
                    }
                }
                _ => match straight.take() {
                    Some(open) => {
                        if stack.is_empty() {
                            out.push(pair(open));
                        }
                    }
                    None => straight = Some(at),
                },
            }
        }
    }
    out.sort_by_key(|q| q.open_byte);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{unmark, with_context as with_cx};

    #[test]
    fn triggers_take_proclitics_but_fahasb_is_not_one() {
        let n = with_cx(
            "وحسب «فارس» قال، وهذا لا يزعزع الأمن في سورية فحسب بل",
            |cx| attributions(cx).list.len(),
        );
        assert_eq!(n, 1);
    }

    #[test]
    fn source_is_the_kb_source_or_the_guillemets_or_the_next_words() {
        let (text, spans) = unmark(
            "وفق وكالة «⟦سانا⟧» أمس، وبحسب «⟦مصدر مطلع⟧»، به گزارش ⟦جام حم آنلاین⟧، به نقل از",
        );
        let got = with_cx(&text, |cx| {
            attributions(cx)
                .list
                .into_iter()
                .filter_map(|a| a.source.map(|s| (s.start, s.end)))
                .collect::<Vec<_>>()
        });
        for s in &spans {
            assert!(got.contains(s), "{s:?} not in {got:?}");
        }
    }

    #[test]
    fn quotes_pair_across_paragraphs_and_skip_boilerplate() {
        let q = with_cx(
            "قال «أولا\n\nثانيا» ثم \"x\"\nالثلاثاء،...\" /> عقد",
            |cx| {
                quotes(cx)
                    .iter()
                    .map(|q| q.offsets(cx.prep))
                    .collect::<Vec<_>>()
            },
        );
        assert_eq!(q, vec![(4, 16), (21, 23)]);
    }

    /// Pieces of random articles: Arabic and Persian letters, ZWNJ, tashkeel, every quotation
    /// mark, NBSP and other bytes that share the marks' first bytes, line breaks of every kind,
    /// boilerplate, astral characters, digits and punctuation.
    const PIECES: &[&str] = &[
        "قال",
        " ",
        " ",
        "«",
        "»",
        "\"",
        "“",
        "”",
        "\u{a0}",
        "\u{200c}",
        "\u{2013}",
        "\n",
        "\r\n",
        "\r",
        "\" />",
        "سانا",
        "وحسب",
        "فحسب",
        "وكالة",
        "به گزارش",
        "نقلا عن",
        "می‌شود",
        "ً",
        "ـ",
        "😀",
        "٣",
        "۱۲",
        "x",
        "،",
        ":",
        "-",
        "أ",
        "\u{654}",
        "ی",
        "  ",
        "\t",
        "حسب",
        "به نقل از",
        "خبرگزاری",
        "روزنامه",
        "ات",
        "صحيفة",
        "ة",
        "و",
        "ب",
        "²",
        "١",
        "\u{0966}",
        "½",
        "ⅷ",
        "ف",
        "وب",
        "وفقا",
        "بحسب",
        "الصحيفة",
        "عن",
        "نقل",
        "از",
        "پایگاه خبری",
        "خبری",
        "وكالات",
        "موقع",
        "é",
        "«سانا»",
    ];

    fn article() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
    }

    use proptest::strategy::Strategy;

    /// A line's index and its marks as (code point, byte, mark).
    type LineMarks = (usize, Vec<(usize, usize, char)>);

    proptest::proptest! {
        /// One search over the article finds what a search of each line finds, and each mark's
        /// folded offset holds the same mark.
        #[test]
        fn quote_lines_agree_with_a_search_per_line(text in article()) {
            with_cx(&text, |cx| {
                let want: Vec<LineMarks> = cx
                    .prep
                    .lines
                    .iter()
                    .enumerate()
                    .filter_map(|(li, line)| {
                        let marks: Vec<_> = quote_marks(line.text).collect();
                        (!marks.is_empty() && !cx.prep.is_boilerplate(li)).then_some((li, marks))
                    })
                    .collect();
                let got: Vec<LineMarks> = quote_lines(cx)
                    .map(|(line, marks)| (line.index, marks.iter().map(|m| (cp_in_line(line, m.byte) - line.start, m.byte, m.c)).collect()))
                    .collect();
                assert_eq!(got, want);
                let folded = &cx.prep.norm.text;
                for (_, marks) in quote_lines(cx) {
                    for m in marks {
                        let f = m.folded.expect("folding keeps every mark");
                        assert_eq!(folded[f..].chars().next(), Some(m.c));
                    }
                }
            });
        }

        /// The word search finds the attributions the automaton finds, where it is used.
        #[test]
        fn words_find_what_the_automaton_finds(text in article()) {
            with_cx(&text, |cx| {
                let key = |a: &Attributions| {
                    a.list
                        .iter()
                        .map(|a| {
                            let s = a.source.as_ref().map(|s| (s.start, s.end, s.entity, s.quoted));
                            (a.trigger.folded, a.trigger.start, a.trigger.strong, s)
                        })
                        .collect::<Vec<_>>()
                };
                let want = key(&by_automaton(cx));
                assert_eq!(key(&attributions(cx)), want.clone());
                if !holds_split_chars(&cx.prep.norm.text) {
                    assert_eq!(key(&by_words(cx)), want);
                }
            });
        }

        /// The chunked test finds a splitting character wherever one is.
        #[test]
        fn split_chars_are_found(text in article()) {
            let folded = &with_cx(&text, |cx| cx.prep.norm.text.clone());
            assert_eq!(holds_split_chars(folded), folded.chars().any(splits_words));
        }
    }

    /// Every character that splits words after folding is found by the chunked test, at every
    /// place in a chunk.
    #[test]
    fn every_split_char_is_found() {
        let mut found = 0;
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            for d in fold(c.encode_utf8(&mut [0; 4]))
                .chars()
                .filter(|&d| splits_words(d))
            {
                found += 1;
                for pad in [0, 1, 30, 61, 62, 63, 64, 100] {
                    let text = format!(
                        "{}{d}{}",
                        "ب".repeat(pad / 2) + &"x".repeat(pad % 2),
                        "ي".repeat(40)
                    );
                    assert!(holds_split_chars(&text), "{d:?} at {pad}");
                }
            }
        }
        assert!(found > 100, "{found}");
        assert!(!holds_split_chars(
            &"قال «نعم» – “لا”\u{200c}ها ١٢ a1 ª".repeat(9)
        ));
    }
}
