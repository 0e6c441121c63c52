//! Attribution triggers and the source they name, and quotation pairing: shared by
//! `unknown-source` and `unattributed-quote`.
//!
//! A trigger (وكالة، نقلا عن، وفق، حسب، ذكرت، به گزارش، به نقل از …) takes proclitics (وحسب، وفق)
//! but a word that merely starts with one is not a trigger: فحسب means "only". The source named
//! is the longest knowledge-base source at that place, else the «…» span, else the next one to
//! three words.

use super::Context;
use crate::analysis::kb::Kind;
use crate::analysis::normalize::{fold, is_word_char};
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
    pub start: usize,
    /// Where the trigger ends (kept for reports that underline it).
    #[allow(dead_code)]
    pub end: usize,
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

/// An article's attributions, and where the search met triggers (`missing-provenance` asks
/// whether some triggers occur at all, which these answer without a search of the article).
#[derive(Default)]
pub struct Attributions {
    pub list: Vec<Attribution>,
    /// Every match of the leftmost-longest search for triggers, accepted or not, as folded
    /// byte ranges.
    met: Vec<(usize, usize)>,
}

impl Attributions {
    /// Whether folded `trigger` occurs in `folded` (the text searched), or `None` when it is
    /// not a trigger. A leftmost-longest search passes over an occurrence only for a match that
    /// overlaps it (it would otherwise have started a match there), so every occurrence of a
    /// trigger overlaps a match: only the few bytes around the matches need a look.
    pub fn occurs(&self, folded: &str, trigger: &str) -> Option<bool> {
        folded_triggers().iter().find(|(t, _)| t == trigger)?;
        let (hay, needle) = (folded.as_bytes(), trigger.as_bytes());
        let reach = needle.len().saturating_sub(1);
        Some(self.met.iter().any(|&(s, e)| {
            let window = hay.get(s.saturating_sub(reach)..(e + reach).min(hay.len()));
            window.is_some_and(|w| memchr::memmem::find(w, needle).is_some())
        }))
    }
}

/// Every attribution in the article, in order.
pub fn attributions(cx: &Context<'_>) -> Attributions {
    let norm = &cx.prep.norm;
    let text = norm.text.as_str();
    let mut out = Attributions::default();
    let Some(ac) = trigger_automaton() else {
        return out;
    };
    let triggers = folded_triggers();
    for m in ac.find_iter(text) {
        let (trig, strong) = &triggers[m.pattern().as_usize()];
        let (s, e) = (m.start(), m.end());
        out.met.push((s, e));
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
        let prefix = &text[ws..s];
        let ok_prefix = match prefix {
            "" | "و" => true,
            // فحسب is "only", not ف + حسب.
            "ف" | "ب" | "وب" => !trig.starts_with("حسب"),
            _ => false,
        };
        if !ok_prefix {
            continue;
        }
        let trigger = Trigger {
            start: norm.to_orig(ws),
            end: norm.to_orig_end_tight(e),
            strong: *strong,
        };
        let source = source_after(cx, trigger.start, e);
        out.list.push(Attribution { trigger, source });
    }
    out
}

/// The source named right after folded byte `e`: a KB source mention, «…», or the next one to
/// three words (up to punctuation).
fn source_after(cx: &Context<'_>, trigger_start: usize, e: usize) -> Option<Source> {
    let norm = &cx.prep.norm;
    let text = norm.text.as_str();
    let rest = &text[e..];
    let skip = rest.len() - rest.trim_start_matches([' ', ':', '-']).len();
    let s = e + skip;
    let orig_s = norm.to_orig(s);
    let line_end = text[s..].find('\n').map(|i| s + i).unwrap_or(text.len());
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
        start: orig_s,
        end: norm.to_orig_end_tight(end),
        entity: None,
        quoted: false,
    })
}

/// A paired quotation: the offsets of its marks (`close` is the closing mark's offset), in code
/// points and in bytes of the article, and in bytes of the folded text where known.
pub struct Quote {
    pub open: usize,
    pub close: usize,
    /// Byte offset of the opening mark, so that callers slice without counting code points.
    pub open_byte: usize,
    /// Byte offset of the closing mark.
    pub close_byte: usize,
    /// Byte offsets of the two marks in the folded text ([`Mark::folded`]).
    pub folded: Option<(usize, usize)>,
}

/// A quotation mark of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Code-point offset in the line.
    pub cp: usize,
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

/// The quotation marks (« » “ ” and ") of `line`, in order, without their folded offsets.
/// Most lines of an article have none, so they are found by a byte search for the marks'
/// first bytes, and code points are only counted between marks. (What [`find_quote_lines`]
/// finds for each line; the tests hold it to this.)
#[cfg(test)]
pub fn quote_marks(line: &str) -> impl Iterator<Item = Mark> + '_ {
    let bytes = line.as_bytes();
    let mut counted = (0usize, 0usize); // (byte, code point) counted up to
    memchr::memchr3_iter(b'"', 0xc2, 0xe2, bytes).filter_map(move |i| {
        let c = mark_at(bytes, i)?;
        let (b0, cp0) = counted;
        let cp = cp0 + count_chars(&bytes[b0..i]);
        counted = (i, cp);
        Some(Mark {
            cp,
            byte: i,
            c,
            folded: None,
        })
    })
}

/// Code points in a UTF-8 byte slice that starts and ends on character boundaries: its bytes
/// less its continuation bytes, counted eight at a time in the byte lanes of a `u64` (the
/// build targets x86-64 without `popcnt`, where `count_ones` is a dozen instructions, and the
/// byte filter the compiler vectorised cost two instructions a byte).
pub(crate) fn count_chars(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW16: u64 = 0x00ff_00ff_00ff_00ff;
    // The eight lane counts, each below 256, added up in 16-bit lanes.
    let lanes_sum = |acc: u64| {
        let pairs = (acc & LOW16) + ((acc >> 8) & LOW16);
        (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut continuation = 0;
    // Continuation bytes (10xxxxxx) per lane, for at most 255 words at a time.
    let (mut acc, mut words) = (0u64, 0);
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        acc += (w >> 7) & !(w >> 6) & ONES;
        words += 1;
        if words == 255 {
            continuation += lanes_sum(acc);
            (acc, words) = (0, 0);
        }
    }
    continuation += lanes_sum(acc);
    continuation += chunks
        .remainder()
        .iter()
        .filter(|&&b| (b & 0xc0) == 0x80)
        .count();
    bytes.len() - continuation
}

/// [`crate::analysis::text::skip_chars`] (the byte offset `k` code points after byte `at`,
/// clamped, and the code points passed), counting 64 bytes at a time with [`count_chars`]
/// while the target lies beyond them: about three times fewer instructions a byte, for rules
/// that find a place in a long paragraph.
pub(crate) fn skip_chars(s: &str, at: usize, k: usize) -> (usize, usize) {
    const BLOCK: usize = 64;
    let bytes = s.as_bytes();
    let (mut i, mut left) = (at.min(bytes.len()), k);
    // A block holds at most BLOCK code points, so it never takes the count past `k`; it may
    // end inside a character, whose remaining bytes the finer skip passes over uncounted.
    while left >= BLOCK {
        let Some(block) = bytes.get(i..i + BLOCK) else {
            break;
        };
        left -= count_chars(block);
        i += BLOCK;
    }
    let (end, passed) = crate::analysis::text::skip_chars(s, i, left);
    (end, k - left + passed)
}

/// [`crate::analysis::text::CharCursor`] with [`skip_chars`]: byte offsets of increasing
/// code-point offsets of one string.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    chr: usize,
    byte: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Cursor {
            text,
            chr: 0,
            byte: 0,
        }
    }

    /// Byte offset of code-point offset `chr` (clamped to the end).
    pub fn byte_of(&mut self, chr: usize) -> usize {
        if chr < self.chr {
            self.chr = 0;
            self.byte = 0;
        }
        let (byte, passed) = skip_chars(self.text, self.byte, chr - self.chr);
        self.byte = byte;
        self.chr += passed;
        self.byte
    }

    /// The substring between two code-point offsets.
    pub fn slice(&mut self, start: usize, end: usize) -> &'a str {
        let b0 = self.byte_of(start);
        let b1 = self.byte_of(end.max(start));
        self.text.get(b0..b1).unwrap_or("")
    }
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
    /// The byte range of every line in the folded text, when the article has a quote line
    /// (and its folded lines correspond to its lines, as they always should).
    folded_lines: Vec<(usize, usize)>,
}

impl QuoteLines {
    /// The byte range of line `i` in the folded text, where known.
    pub fn folded_line(&self, i: usize) -> Option<(usize, usize)> {
        self.folded_lines.get(i).copied()
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
    fn locate_folded(&mut self, folded: &str, n_lines: usize) {
        let mut starts = Vec::with_capacity(n_lines);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', folded.as_bytes()).map(|i| i + 1));
        if starts.len() != n_lines {
            return;
        }
        self.folded_lines = starts
            .iter()
            .enumerate()
            .map(|(k, &s)| (s, starts.get(k + 1).map_or(folded.len(), |&e| e - 1)))
            .collect();
        for q in &self.lines {
            let Some(&(fs, fe)) = self.folded_lines.get(q.line) else {
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
    // The line of the marks being collected: its index, whether it is boilerplate, where its
    // marks start in `out.marks`, and (byte, code point) counted up to in the line.
    let mut cur: Option<(usize, bool, usize, (usize, usize))> = None;
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
            if let Some((l, _, from, _)) = cur {
                out.push_line(l, from);
            }
            cur = Some((li, cx.prep.is_boilerplate(li), out.marks.len(), (0, 0)));
        }
        let Some((_, skip, _, counted)) = cur.as_mut() else {
            continue;
        };
        if *skip {
            continue;
        }
        let b = i - line.byte_start;
        let cp = counted.1 + count_chars(line.text.as_bytes().get(counted.0..b).unwrap_or(&[]));
        *counted = (b, cp);
        out.marks.push(Mark {
            cp,
            byte: b,
            c,
            folded: None,
        });
    }
    if let Some((l, _, from, _)) = cur {
        out.push_line(l, from);
    }
    if !out.lines.is_empty() {
        out.locate_folded(&cx.prep.norm.text, lines.len());
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
    // Open marks: (code point, byte, folded byte).
    let mut stack: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut straight: Option<(usize, usize, Option<usize>)> = None;
    for (line, marks) in quote_lines(cx) {
        for m in marks {
            let at = (line.start + m.cp, line.byte_start + m.byte, m.folded);
            let pair = |open: (usize, usize, Option<usize>)| Quote {
                open: open.0,
                close: at.0,
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
    out.sort_by_key(|q| q.open);
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
                    .map(|q| (q.open, q.close))
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
                        let marks: Vec<_> = quote_marks(line.text).map(|m| (m.cp, m.byte, m.c)).collect();
                        (!marks.is_empty() && !cx.prep.is_boilerplate(li)).then_some((li, marks))
                    })
                    .collect();
                let got: Vec<LineMarks> = quote_lines(cx)
                    .map(|(line, marks)| (line.index, marks.iter().map(|m| (m.cp, m.byte, m.c)).collect()))
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

        /// Counting eight bytes at a time agrees with counting characters.
        #[test]
        fn count_chars_counts_characters(text in article(), from in 0usize..200, to in 0usize..200) {
            let b: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let (a, z) = (b[from.min(b.len() - 1)], b[to.min(b.len() - 1)]);
            let (a, z) = (a.min(z), a.max(z));
            assert_eq!(count_chars(&text.as_bytes()[a..z]), text[a..z].chars().count());
        }

        /// The block skip lands where the chunked one does, from any boundary.
        #[test]
        fn block_skip_agrees_with_skip_chars(text in article(), from in 0usize..200, k in 0usize..300) {
            let b: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let at = b[from.min(b.len() - 1)];
            assert_eq!(skip_chars(&text, at, k), crate::analysis::text::skip_chars(&text, at, k));
        }

        /// Whether a trigger occurs, told from the matches of the search, is whether it is a
        /// substring of the folded text.
        #[test]
        fn occurrences_are_told_by_the_matches(text in article()) {
            with_cx(&text, |cx| {
                let scan = attributions(cx);
                let folded = &cx.prep.norm.text;
                for (t, _) in folded_triggers() {
                    assert_eq!(scan.occurs(folded, t), Some(folded.contains(t.as_str())), "{t}");
                }
                assert_eq!(scan.occurs(folded, "not a trigger"), None);
            });
        }
    }
}
