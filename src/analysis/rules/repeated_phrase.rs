//! `repeated-phrase`: words repeated back to back.
//!
//! A run of two or more words written twice in a row (صلاحیت تعیین صلاحیت تعیین) is a slip of
//! copy and paste, never style. A single repeated word is different: Arabic and Persian
//! reduplicate on purpose (قطعة قطعة "piece by piece", کم کم "little by little", ولي ولي العهد
//! "the deputy crown prince"), so one word twice is a finding only outside an allow-list, which
//! `khabar.toml` extends (`allow.reduplications`).
//!
//! Words are compared lightly folded: tashkeel, alef forms and the Persian keyboard's ی ک do
//! not make a different word, but ى/ي and ة/ه do (علي على is a name and a preposition, and the
//! full fold would merge them). A single word is also legitimate when it is a Latin letter
//! spelt out in an acronym (بي بي سي، سي إن إن) or an indefinite accusative repeated
//! distributively (حجرا حجرا، فصلا فصلا، مرحلة مرحلة), when the two copies are vowelled
//! differently (الشعراءُ الشعراءَ), or when the pair opens or closes a quotation or bracket
//! (a title, a chant, reported speech: «قوي قوي»). Copies must be separated by
//! whitespace only: «نعم، نعم» and a repeat across a full stop are deliberate. Numbers are not
//! words here (`10 10` in a table, a score): they neither repeat nor join a run.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::ZWNJ;
use crate::analysis::text::Line;
use crate::analysis::words::{hash_bytes, phrase_key, FoldedWords, Word as FoldedWord};

pub struct RepeatedPhrase;

static META: RuleMeta = RuleMeta {
    id: "repeated-phrase",
    default_severity: Severity::Warning,
    summary: "words repeated back to back",
    help: "## What it does\n\n\
Reports a run of words written twice in a row with nothing but spaces between the copies. A \
run of two or more words is always reported; a single word only when the pair is not a \
legitimate reduplication (ولي ولي العهد، قطعة قطعة، خطوة خطوة، کم کم، آرام آرام، تک تک …). \
Extend the list with `allow.reduplications` in `khabar.toml`. Numbers are ignored.\n\n\
## Why it matters\n\n\
A doubled phrase is an editing slip (a paste made twice); it reads badly and skews phrase \
counts in the corpus.\n\n\
## Example\n\n\
`هیچکس به جز مردم سوریه صلاحیت تعیین صلاحیت تعیین ندارد` → the fix deletes the second \
`صلاحیت تعیین`.\n",
    fixable: true,
};

/// Legitimate reduplications (compared with [`key`]).
const REDUPLICATIONS: &[&str] = &[
    "ولي ولي العهد",
    "قطعة قطعة",
    "خطوة خطوة",
    "شيئا شيئا",
    "رويدا رويدا",
    "حرفا حرفا",
    "كلمة كلمة",
    "واحدا واحدا",
    "واحد واحد",
    "بيت بيت",
    "دار دار",
    "زنقة زنقة",
    "شبرا شبرا",
    "يوما يوما",
    "جنبا جنبا",
    "مليار مليار",
    "محمد محمد",
    "ما لقيصر لقيصر",
    "وما لله لله",
    "والتعليم والتعليم العالي",
    "مليون مليون",
    "مرة مرة",
    "لا لا",
    "آرام آرام",
    "گاه گاه",
    "تک تک",
    "جدا جدا",
    "دسته دسته",
    "گروه گروه",
    "رفته رفته",
    "کم کم",
    "ذره ذره",
    "قطره قطره",
    "لحظه لحظه",
    "بارها بارها",
    "یکی یکی",
    "دانه دانه",
    "جور جور",
    "رنگ رنگ",
    "تند تند",
    "یواش یواش",
];

/// Longest run (in words) looked for; a longer doubled run is found as its own prefix anyway.
const MAX_RUN: usize = 12;

/// The comparison key of a word: tashkeel and tatweel dropped, alef forms unified, Persian ی ک
/// met with Arabic ي ك (the same letter from another keyboard), but ى kept apart from ي and ة
/// from ه: على and علي, or a name and a preposition, are different words.
fn key(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    key_push(w, &mut out);
    out
}

/// [`key`] onto the end of `out`. Most words have nothing to change (no alef with hamza or
/// madda, no tashkeel, no Persian ی ک, no capital): those are copied whole, found by a byte
/// scan instead of rebuilding them a character at a time.
fn key_push(w: &str, out: &mut String) {
    let b = w.as_bytes();
    let unchanged = (0..b.len()).all(|i| match b[i] {
        b'A'..=b'Z' | 0xda | 0xdb => false,
        // آ أ إ
        0xd8 => !matches!(b.get(i + 1), Some(0xa2 | 0xa3 | 0xa5)),
        // tatweel, tashkeel U+064B..U+065F, superscript alef, ٱ
        0xd9 => !matches!(b.get(i + 1), Some(0x80 | 0x8b..=0x9f | 0xb0 | 0xb1)),
        _ => true,
    });
    if unchanged {
        out.push_str(w);
        return;
    }
    out.extend(w.chars().filter_map(|c| match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ی' => Some('ي'),
        'ک' => Some('ك'),
        '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}' => None,
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        _ => Some(c),
    }));
}

/// Latin letters spelt out in Arabic script: acronyms (بي بي سي، سي إن إن) repeat them.
const LETTER_NAMES: &[&str] = &[
    "بي",
    "سي",
    "دي",
    "جي",
    "تي",
    "اف",
    "ال",
    "ام",
    "ان",
    "اس",
    "اي",
    "او",
    "يو",
    "في",
    "كيو",
    "ار",
    "اكس",
    "اتش",
    "زد",
    "واي",
    "دبليو",
    "كي",
    "اوه",
];
/// Letter names that are also Arabic words (ان، في، او، اي): an acronym only next to another
/// letter name.
const LETTER_NAMES_ALSO_WORDS: &[&str] = &["ان", "في", "او", "اي", "ال", "ام", "كي"];

/// A single word repeated that is legitimate anyway: an acronym spelt out, or an indefinite
/// accusative repeated distributively (حجرا حجرا، فصلا فصلا "stone by stone, chapter by chapter").
fn legit_single(ws: &Words<'_>, i: usize) -> bool {
    let w = ws.key(i);
    let letter = |k: &str| LETTER_NAMES.contains(&k);
    if letter(w) {
        if !LETTER_NAMES_ALSO_WORDS.contains(&w) {
            return true;
        }
        let before = i.checked_sub(1).map(|j| ws.key(j));
        let after = (i + 2 < ws.len()).then(|| ws.key(i + 2));
        if before.is_some_and(letter) || after.is_some_and(letter) {
            return true;
        }
    }
    // Vowelled differently (or only one of them vowelled, which is how a writer tells two
    // words apart): two words (قرأ الشعراءُ الشعراءَ، على من مِن المخرجين).
    if !ws.marks(i).eq(ws.marks(i + 1)) {
        return true;
    }
    // Right inside quotation marks or brackets: a title, a chant or reported speech
    // («قوي قوي يا أستاذ»، (طاق طاق طاقية)).
    if ws.list[i].after_open || ws.list[i + 1].before_close {
        return true;
    }
    let n = w.chars().count();
    // An indefinite noun in ة repeated distributively (مرحلة مرحلة، طبقة طبقة).
    if n >= 3 && w.ends_with('ة') && !w.starts_with("ال") {
        return true;
    }
    // Tanween fath written as a final alef: an indefinite accusative, not a slip.
    n >= 3
        && w.ends_with('ا')
        && !w.starts_with("ال")
        && !matches!(
            w,
            "هذا" | "ماذا" | "لماذا" | "اذا" | "كذا" | "انما" | "ربما" | "كلما" | "بينما"
        )
}

struct Word {
    /// The word's [`key`]: a range of [`Words::keys`].
    key: (usize, usize),
    /// A hash of the key: the search compares every word with the twelve after it, and
    /// different hashes settle nearly all of those comparisons.
    hash: u64,
    /// Byte range of the word in its line.
    bytes: (usize, usize),
    start: usize,
    end: usize,
    /// Only whitespace between this word and the previous one.
    joined: bool,
    number: bool,
    /// An opening quotation mark or bracket right before the word.
    after_open: bool,
    /// A closing quotation mark or bracket right after the word.
    before_close: bool,
}

/// The words of one line, their keys in one buffer: filled again for every line, so that a
/// line costs no allocation per word.
#[derive(Default)]
struct Words<'a> {
    line: &'a str,
    keys: String,
    list: Vec<Word>,
}

impl<'a> Words<'a> {
    fn len(&self) -> usize {
        self.list.len()
    }

    fn key(&self, i: usize) -> &str {
        let (s, e) = self.list[i].key;
        &self.keys[s..e]
    }

    /// The word's tashkeel, in order (nothing when it is not vowelled).
    fn marks(&self, i: usize) -> impl Iterator<Item = char> + '_ {
        let (s, e) = self.list[i].bytes;
        self.line[s..e]
            .chars()
            .filter(|c| matches!(c, '\u{064b}'..='\u{0652}'))
    }

    /// Splits `line` into words with their spans; punctuation between two words clears
    /// `joined`.
    fn fill(&mut self, line: &Line<'a>) {
        self.line = line.text;
        self.keys.clear();
        self.list.clear();
        let text = line.text;
        // (byte, code point) where the current word starts.
        let mut cur: Option<(usize, usize)> = None;
        let mut gap_clean = true;
        // The character before the current word, and the one before the current character.
        let mut before_word: Option<char> = None;
        let mut prev: Option<char> = None;
        let mut pos = line.start;
        for (b, c) in text.char_indices() {
            let in_word = crate::analysis::normalize::is_alnum(c)
                || matches!(
                    c,
                    '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}' | '\u{200c}'
                )
                || (c == '\'' && cur.is_some());
            if in_word {
                if cur.is_none() {
                    cur = Some((b, pos));
                    before_word = prev;
                }
            } else {
                if let Some((sb, sc)) = cur.take() {
                    self.push(sb, b, sc, pos, gap_clean, before_word, Some(c));
                    gap_clean = true;
                }
                if !c.is_whitespace() {
                    gap_clean = false;
                }
            }
            prev = Some(c);
            pos += 1;
        }
        if let Some((sb, sc)) = cur {
            self.push(sb, text.len(), sc, pos, gap_clean, before_word, None);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        sb: usize,
        eb: usize,
        start: usize,
        end: usize,
        gap_clean: bool,
        before: Option<char>,
        after: Option<char>,
    ) {
        let word = &self.line[sb..eb];
        let at = self.keys.len();
        key_push(word, &mut self.keys);
        // Letters are answered without the Unicode table `is_numeric` searches.
        let number = word.chars().all(|c| {
            !matches!(c, 'a'..='z' | 'A'..='Z' | '\u{0621}'..='\u{064a}') && c.is_numeric()
        });
        let mut h = crate::analysis::script::Fnv::default();
        std::hash::Hasher::write(&mut h, &self.keys.as_bytes()[at..]);
        self.list.push(Word {
            key: (at, self.keys.len()),
            hash: std::hash::Hasher::finish(&h),
            bytes: (sb, eb),
            start,
            end,
            joined: gap_clean && !self.list.is_empty(),
            number,
            after_open: before.is_some_and(is_open),
            before_close: after.is_some_and(is_close),
        });
    }
}

fn is_open(c: char) -> bool {
    matches!(c, '«' | '“' | '"' | '(' | '[' | '‘' | '\'')
}

fn is_close(c: char) -> bool {
    matches!(c, '»' | '”' | '"' | ')' | ']' | '’' | '\'')
}

fn allowed(ws: &Words<'_>, i: usize, allow: &[Vec<String>]) -> bool {
    // A listed phrase that covers both copies (words i and i + 1).
    allow.iter().any(|phrase| {
        let n = phrase.len();
        (0..n).any(|j| {
            let Some(s) = i.checked_sub(j) else {
                return false;
            };
            s + n >= i + 2
                && s + n <= ws.len()
                && (s..s + n).zip(phrase).all(|(w, p)| ws.key(w) == p.as_str())
        })
    })
}

/// [`REDUPLICATIONS`] split into keyed words, once.
fn builtin_allow() -> &'static [Vec<String>] {
    static A: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    A.get_or_init(|| phrases(REDUPLICATIONS.iter().copied()))
}

fn phrases<'s>(list: impl Iterator<Item = &'s str>) -> Vec<Vec<String>> {
    list.map(|p| {
        p.split(|c: char| c.is_whitespace() || c == '\u{200c}')
            .filter(|w| !w.is_empty())
            .map(key)
            .collect::<Vec<_>>()
    })
    .filter(|p: &Vec<String>| !p.is_empty())
    .collect()
}

impl Rule for RepeatedPhrase {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        RECENT.with(|cell| match cell.try_borrow_mut() {
            Ok(mut recent) => self.check_with(cx, &mut recent, out),
            Err(_) => self.check_with(cx, &mut Recent::default(), out),
        });
    }
}

thread_local! {
    /// One [`Recent`] table per thread, kept from article to article: clearing a fresh one
    /// for every article cost more than the look-ups it serves.
    static RECENT: std::cell::RefCell<Recent> = std::cell::RefCell::new(Recent::default());
}

impl RepeatedPhrase {
    fn check_with(&self, cx: &Context<'_>, recent: &mut Recent, out: &mut Vec<Diagnostic>) {
        let allow = Allow::new(cx);
        let fw = cx.prep.words();
        let folded = cx.prep.norm.text.as_str();
        let mut scan = Scan::default();
        let mut ws = Words::default();
        for (i, line) in cx.prep.lines.iter().enumerate() {
            let fast = recent.line(fw, folded, i);
            let no_repeat = match fast {
                Fast::NoRepeat => true,
                Fast::Repeat => false,
                Fast::Unknown => scan.fill_folded(fw, folded, i) == Some(false),
            };
            if no_repeat && folded_words_tell(line.text, fw, i) {
                continue;
            }
            // A repeat of folded words is nearly always one of the rule's words as well (the
            // folded text merges few more letters than keys do): the scan, a filter only, is
            // left out for it.
            if fast == Fast::Repeat || {
                scan.fill(line.text);
                scan.might_repeat()
            } {
                report_line(cx, line, &allow, &mut ws, out);
            }
        }
    }
}

/// Whether the folded text's words of line `i`, grouped by [`Scan::fill_folded`], stand for the
/// rule's words of `text` closely enough that no repeat on the folded side means none here.
///
/// They do when folding works character by character inside this line's words and
/// drops no word whole. Then the rule's words map one to one, in order, onto those groups: equal
/// [`key`]s fold alike (the key drops what folding drops and merges letters that folding merges
/// too), and only whitespace between words folds to only whitespace. What breaks that:
/// - a character folding drops between words (U+200F, U+FEFF …), which glues two words;
/// - a combining hamza or madda (U+0653..U+0655), which folding composes with the letter before
///   (ي + U+0654 is ئ) where the key only drops it, and U+0656..U+065F, which folding keeps
///   between letters;
/// - a word of tashkeel or tatweel alone (ـ as a dash), which folds to nothing: two of them in
///   a row are a repeat with no folded word at all. The second starts right after whitespace.
///
/// A line that folds to as many bytes as it has holds none of these: folding never lengthens
/// text, and every one of these characters it drops or merges (U+0656..U+065F, which it keeps,
/// are [`FoldedWords::has_marks`], already ruled out by the grouping).
fn folded_words_tell(text: &str, fw: &FoldedWords, i: usize) -> bool {
    let folded_len = fw.line_range(i).map_or(0, |(s, e)| e - s);
    if folded_len == text.len() {
        return true;
    }
    !has_hazard(text)
}

/// What [`folded_words_tell`] rules out on a line that folding shortened: a character folding
/// drops between words, or a mark that composes or follows whitespace. By the definition.
#[cfg(test)]
fn has_hazard_by_chars(text: &str) -> bool {
    crate::analysis::words::drops_separator(text)
        || crate::analysis::words::marks(text).any(|m| mark_hazard(text, m))
}

/// Whether the mark at byte `m` of `text` composes with the letter before it (U+0653..U+065F)
/// or starts a word of its own (after whitespace).
fn mark_hazard(text: &str, m: usize) -> bool {
    let composes = matches!(text.as_bytes().get(m + 1), Some(0x93..=0x9f));
    composes
        || text[..m]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
}

/// Bytes [`has_hazard`] rules out at once.
const HAZARD_CHUNK: usize = 32;
/// Bytes before a chunk that [`chunk_may_hold_hazard`] looks at: a whitespace character
/// before a mark is at most three bytes long.
const HAZARD_BEFORE: usize = 3;
/// Bytes after a chunk's last that it looks at: a dropped separator is at most three bytes.
const HAZARD_AFTER: usize = 2;

/// [`has_hazard_by_chars`] in one pass: chunks of 32 bytes are ruled out by a branch-free test
/// the compiler vectorises ([`chunk_may_hold_hazard`]), and only the characters of the rare
/// chunks it does not rule out are looked at (one in eight hundred on the corpus day). A
/// shortened line is often vowelled text, with marks in half its chunks: the test looks at
/// the bytes around each mark too, so that a mark after a letter (no hazard) does not send its
/// chunk to the closer look, as a test of the marks alone did. The ends of the line are tested
/// the same way, with zeros around them (no character).
fn has_hazard(text: &str) -> bool {
    const LEN: usize = HAZARD_BEFORE + HAZARD_CHUNK + HAZARD_AFTER;
    let b = text.as_bytes();
    let chunk = |p: usize, window: &[u8]| {
        chunk_may_hold_hazard(window) && hazard_in(text, p, p + HAZARD_CHUNK)
    };
    // The first chunk, with zeros before it.
    let mut first = [0u8; LEN];
    let head = b.len().min(HAZARD_CHUNK + HAZARD_AFTER);
    first[HAZARD_BEFORE..HAZARD_BEFORE + head].copy_from_slice(&b[..head]);
    if chunk(0, &first) {
        return true;
    }
    let mut p = HAZARD_CHUNK;
    while let Some(window) = b.get(p - HAZARD_BEFORE..p + HAZARD_CHUNK + HAZARD_AFTER) {
        if chunk(p, window) {
            return true;
        }
        p += HAZARD_CHUNK;
    }
    // The last bytes, with zeros after them.
    if p >= b.len() {
        return false;
    }
    let mut last = [0u8; LEN];
    let tail = &b[p - HAZARD_BEFORE..];
    last[..tail.len()].copy_from_slice(tail);
    chunk(p, &last)
}

/// Whether a character starting in the [`HAZARD_CHUNK`] bytes of `window` after its first
/// [`HAZARD_BEFORE`] may be a hazard ([`hazard_in`]): a mark that composes (D9 93..9F), a mark
/// (D9 80, D9 8B..9F, D9 B0) after a byte that may end whitespace (09..0D, 20, C2 85, C2 A0,
/// or any three-byte character: E1..E3 three bytes back), or a dropped separator (C2 AD, D8 9C,
/// E2 80 8D..8F, E2 80 AA..AE, E2 81 A6..A9, EF BB BF).
#[inline]
fn chunk_may_hold_hazard(window: &[u8]) -> bool {
    const LEN: usize = HAZARD_BEFORE + HAZARD_CHUNK + HAZARD_AFTER;
    let Ok(w) = <&[u8; LEN]>::try_from(window) else {
        return true;
    };
    let mut any = 0u8;
    for k in 0..HAZARD_CHUNK {
        let (p3, p2, p1) = (w[k], w[k + 1], w[k + 2]);
        let (b, n, t) = (w[k + 3], w[k + 4], w[k + 5]);
        // Bitwise, not short-circuit: a branch per byte would keep it scalar.
        let in_range = |x: u8, lo: u8, len: u8| u8::from(x.wrapping_sub(lo) < len);
        let is = |x: u8, v: u8| u8::from(x == v);
        let composes = in_range(n, 0x93, 0x0d);
        let mark = is(n, 0x80) | in_range(n, 0x8b, 0x15) | is(n, 0xb0);
        let space_before = is(p1, 0x20)
            | in_range(p1, 0x09, 5)
            | (is(p2, 0xc2) & (is(p1, 0x85) | is(p1, 0xa0)))
            | in_range(p3, 0xe1, 3);
        let mark_hazard = is(b, 0xd9) & (composes | (mark & space_before));
        let separator = (is(b, 0xc2) & is(n, 0xad))
            | (is(b, 0xd8) & is(n, 0x9c))
            | (is(b, 0xe2)
                & ((is(n, 0x80) & (in_range(t, 0x8d, 3) | in_range(t, 0xaa, 5)))
                    | (is(n, 0x81) & in_range(t, 0xa6, 4))))
            | (is(b, 0xef) & is(n, 0xbb) & is(t, 0xbf));
        any |= mark_hazard | separator;
    }
    any != 0
}

/// Whether a character starting in bytes `from..to` of `text` is a hazard (characters that
/// start before `from` are the previous chunk's).
fn hazard_in(text: &str, from: usize, to: usize) -> bool {
    let b = text.as_bytes();
    (from..to.min(b.len())).any(|i| match b[i] {
        0xd9 if matches!(b.get(i + 1), Some(0x80 | 0x8b..=0x9f | 0xb0)) => mark_hazard(text, i),
        // The separators' lead bytes and second bytes (D8 is most Arabic letters' lead byte).
        0xc2 | 0xd8 | 0xe2 | 0xef
            if matches!(
                (b[i], b.get(i + 1)),
                (0xc2, Some(0xad))
                    | (0xd8, Some(0x9c))
                    | (0xe2, Some(0x80 | 0x81))
                    | (0xef, Some(0xbb))
            ) =>
        {
            text.get(i..)
                .and_then(|s| s.chars().next())
                .is_some_and(crate::analysis::words::is_dropped_separator)
        }
        _ => false,
    })
}

/// What `khabar.toml` allows besides [`REDUPLICATIONS`].
#[derive(Default)]
struct Allow {
    /// `allow.reduplications`, split into keyed words.
    reduplications: Vec<Vec<String>>,
    /// `allow.phrases` as [`phrase_key`]s.
    phrases: Vec<String>,
}

impl Allow {
    fn new(cx: &Context<'_>) -> Self {
        let allow = &cx.config.allow;
        Allow {
            reduplications: phrases(allow.reduplications.iter().map(String::as_str)),
            phrases: allow
                .phrases
                .iter()
                .map(|p| phrase_key(p))
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }

    /// Whether the run of `k` words from word `i` written twice is an allowed phrase, or its
    /// two copies together are one (compared folded, so spelling variants of it are allowed
    /// too).
    fn phrase(&self, ws: &Words<'_>, i: usize, k: usize) -> bool {
        if self.phrases.is_empty() {
            return false;
        }
        let text = |last: usize| {
            let (s, e) = (ws.list[i].bytes.0, ws.list[last].bytes.1);
            phrase_key(ws.line.get(s..e).unwrap_or_default())
        };
        let (once, twice) = (text(i + k - 1), text(i + 2 * k - 1));
        self.phrases.iter().any(|p| *p == once || *p == twice)
    }
}

/// The rule itself on one line; `ws` is a buffer reused from line to line.
fn report_line<'a>(
    cx: &Context<'_>,
    line: &Line<'a>,
    allow: &Allow,
    ws: &mut Words<'a>,
    out: &mut Vec<Diagnostic>,
) {
    ws.fill(line);
    let list = &ws.list;
    // The key hashes side by side: the search below compares each word with the
    // twelve after it, and almost never gets further than this comparison.
    let hashes: Vec<u64> = list.iter().map(|w| w.hash).collect();
    let mut i = 0;
    while i < list.len() {
        if list[i].number {
            i += 1;
            continue;
        }
        // The longest run starting at i that is written twice in a row.
        let max_k = MAX_RUN.min((list.len() - i) / 2);
        let h = hashes[i];
        let found = hashes[i + 1..=i + max_k]
            .iter()
            .enumerate()
            .rev()
            .filter(|&(_, &x)| x == h)
            .map(|(j, _)| j + 1)
            .find(|&k| {
                (0..k).all(|t| {
                    let (a, b) = (i + t, i + k + t);
                    hashes[a] == hashes[b]
                        && !list[a].number
                        && !list[b].number
                        && ws.key(a) == ws.key(b)
                }) && (i + 1..i + 2 * k).all(|t| list[t].joined)
            });
        let Some(k) = found else {
            i += 1;
            continue;
        };
        if (k == 1
            && (allowed(ws, i, builtin_allow())
                || allowed(ws, i, &allow.reduplications)
                || legit_single(ws, i)))
            || allow.phrase(ws, i, k)
        {
            i += 1;
            continue;
        }
        let first_end = list[i + k - 1].end;
        let (s, e) = (list[i + k].start, list[i + 2 * k - 1].end);
        let shown = crate::analysis::text::slice_chars(cx.prep.text, list[i].start, first_end);
        let msg = if k == 1 {
            format!("the word “{shown}” is written twice in a row")
        } else {
            format!("the {k} words “{shown}” are written twice in a row")
        };
        out.push(
            Diagnostic::new(META.id, Severity::Warning, s, e, msg)
                .with_related(list[i].start, first_end, "first written here")
                .with_fix("delete the second copy", first_end, e, ""),
        );
        i += 2 * k;
    }
}

/// What a character is to [`Scan`]: part of a word, whitespace, or changed by [`key`].
const WORD: u8 = 1;
const SPACE: u8 = 2;
const KEYED: u8 = 4;

fn class(c: char) -> u8 {
    let word = crate::analysis::normalize::is_alnum(c)
        || matches!(
            c,
            '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}' | '\u{200c}'
        );
    let keyed = matches!(
        c,
        'A'..='Z'
            | 'أ'
            | 'إ'
            | 'آ'
            | 'ٱ'
            | 'ی'
            | 'ک'
            | '\u{064b}'..='\u{065f}'
            | '\u{0670}'
            | '\u{0640}'
    );
    (u8::from(word) * WORD) | (u8::from(c.is_whitespace()) * SPACE) | (u8::from(keyed) * KEYED)
}

/// [`class`] for U+0000..U+07FF, once.
static CLASS: std::sync::LazyLock<[u8; 0x800]> = std::sync::LazyLock::new(|| {
    let mut t = [0u8; 0x800];
    for (i, slot) in t.iter_mut().enumerate() {
        *slot = char::from_u32(i as u32).map_or(0, class);
    }
    t
});

/// A line's words split as [`Words::fill`] splits them, but only hashed: the hash of each
/// word's [`key`] and whether only whitespace separates it from the word before. Words whose key
/// is their text (most) are hashed where they lie, without building the key. A line is
/// split this way first, and [`Words::fill`] only splits the few lines where equal hashes
/// suggest a repeat ([`Scan::might_repeat`]): splitting every line that way was most of this
/// rule's cost.
#[derive(Default)]
struct Scan {
    /// Each word's hash, side by side for [`Scan::might_repeat`]'s comparisons.
    hashes: Vec<u64>,
    /// Whether only whitespace separates each word from the word before.
    joined: Vec<bool>,
    key: String,
    /// The words of [`Scan::fill_folded`].
    squares: Squares,
}

/// Hash buckets of [`Squares`]: a power of two well above the twelve words it looks back.
const BUCKETS: usize = 64;

/// Words pushed one by one, telling as each comes whether the words up to it end a run
/// written twice in a row with only whitespace inside (what [`Scan::might_repeat`] finds, in
/// one pass). Each word looks back only at the earlier words of its hash's bucket, chained,
/// instead of comparing itself with the twelve words ahead.
struct Squares {
    hashes: Vec<u64>,
    /// For each word, 1 + the latest word before it in the same bucket (0: none).
    prev: Vec<u32>,
    /// For each bucket, 1 + its latest word (0: none).
    latest: [u32; BUCKETS],
    /// The first word of the run of words joined to the word before, up to the last one.
    run_start: usize,
}

impl Default for Squares {
    fn default() -> Self {
        Squares {
            hashes: Vec::new(),
            prev: Vec::new(),
            latest: [0; BUCKETS],
            run_start: 0,
        }
    }
}

impl Squares {
    fn clear(&mut self) {
        self.hashes.clear();
        self.prev.clear();
        self.latest = [0; BUCKETS];
        self.run_start = 0;
    }

    /// Adds a word, `joined` when only whitespace separates it from the one before. True when
    /// it ends the second copy of a run of at most [`MAX_RUN`] words, both copies joined.
    fn push(&mut self, hash: u64, joined: bool) -> bool {
        let j = self.hashes.len();
        if !joined {
            self.run_start = j;
        }
        self.hashes.push(hash);
        let bucket = (hash >> 58) as usize % BUCKETS;
        let mut p = std::mem::replace(&mut self.latest[bucket], j as u32 + 1);
        self.prev.push(p);
        // Copies of k words ending here start at j + 1 - 2k, inside the joined run.
        let max_k = MAX_RUN.min((j + 1 - self.run_start) / 2);
        let earliest = j - max_k;
        while p as usize > earliest {
            let q = p as usize - 1;
            if self.hashes[q] == hash {
                let k = j - q;
                if self.hashes[j + 1 - 2 * k..=q] == self.hashes[q + 1..=j] {
                    return true;
                }
            }
            p = self.prev[q];
        }
        false
    }
}

/// What [`Recent::line`] tells of a folded line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fast {
    /// [`Scan::fill_folded`] would find no repeat.
    NoRepeat,
    /// It would find one.
    Repeat,
    /// The line needs [`Scan::fill_folded`] itself (words joined by ZWNJ or apostrophes,
    /// marks folding keeps).
    Unknown,
}

/// Buckets of [`Recent`]: enough that another word of the twelve before a word shares its
/// bucket about once in three hundred words.
const RECENT_BUCKETS: usize = 4096;

/// [`Scan::fill_folded`] for the lines whose folded words are the rule's words one to one (no
/// ZWNJ or apostrophe between two of them), which is nearly every line: instead of chaining
/// every word into [`Squares`], each word looks up the latest word of the article in its hash's
/// bucket, and only when that is one of the words a repeat ending here could start with are the
/// hashes before it compared. Most words cost a table look-up and a store.
struct Recent {
    /// For each bucket, 1 + the number of the latest word in it (0: none). Words are numbered
    /// on from line to line and article to article, so the words of earlier lines number below
    /// [`Recent::base`] and the table needs no clearing (but when the numbers run out).
    latest: Vec<u32>,
    /// `latest.len() - 1`.
    mask: usize,
    /// The number of the first word of the next line.
    base: u32,
}

impl Default for Recent {
    fn default() -> Self {
        Recent::with_buckets(RECENT_BUCKETS)
    }
}

impl Recent {
    /// A table of `n` buckets (a power of two; tests use one or two, to collide often).
    fn with_buckets(n: usize) -> Self {
        Recent {
            latest: vec![0; n],
            mask: n - 1,
            base: 0,
        }
    }

    /// Folded line `i`. Lines are asked about in order, and an article's after the ones
    /// before: the numbers of earlier words must be below those of this line.
    #[inline(never)]
    fn line(&mut self, fw: &FoldedWords, folded: &str, i: usize) -> Fast {
        let (Some(words), Some((start, end))) = (fw.line(i), fw.line_range(i)) else {
            return Fast::Unknown;
        };
        let Some(n) = u32::try_from(words.len()).ok().filter(|&n| n < u32::MAX) else {
            return Fast::Unknown;
        };
        if u32::MAX - self.base <= n {
            self.latest.fill(0);
            self.base = 0;
        }
        let base = self.base;
        self.base += n;
        if fw.has_marks(i) {
            return Fast::Unknown;
        }
        let t = folded.as_bytes();
        let latest = &mut self.latest[..];
        let mask = self.mask;
        let mut prev_end = start;
        // The first word of the run of words joined to the word before, up to word j.
        let mut run_start = 0;
        // 1 + the number of word j (at most base + n < u32::MAX).
        let mut g = base;
        for (j, w) in words.iter().enumerate() {
            g += 1;
            let s = w.start as usize;
            if s != prev_end + 1 || t.get(prev_end) != Some(&b' ') {
                match gap(folded.get(prev_end..s).unwrap_or_default()) {
                    Gap::Space => {}
                    Gap::Other => run_start = j,
                    Gap::Inside | Gap::Unclear => return Fast::Unknown,
                }
            }
            prev_end = w.end as usize;
            let Some(slot) = latest.get_mut((w.hash >> 40) as usize & mask) else {
                return Fast::Unknown;
            };
            let p = std::mem::replace(slot, g);
            // The latest word of this bucket, when at most `max_k` words back, may start a
            // repeat ending here: copies of k words, both inside the joined run (k ≤ max_k),
            // the second starting with the first's first word, k words back. Numbers only grow
            // (p < g), and a word of an earlier line is more than j words back: one comparison,
            // rarely true, where three branches failed to be predicted on long lines. (An
            // empty bucket, 0, may pass it near the start of the numbers; the hashes settle
            // it.)
            let max_k = MAX_RUN.min((j + 1 - run_start) / 2);
            if g.wrapping_sub(p) <= max_k as u32 && square_ends_at(words, j, max_k) {
                return Fast::Repeat;
            }
        }
        let tail = folded.get(prev_end..end).unwrap_or_default();
        if tail.contains([ZWNJ, '\'']) {
            return Fast::Unknown;
        }
        Fast::NoRepeat
    }
}

/// Whether words `j + 1 - 2k..=j` are a run of k words written twice, for some k ≤ `max_k`
/// (by their hashes).
fn square_ends_at(words: &[FoldedWord], j: usize, max_k: usize) -> bool {
    let h = |x: usize| words[x].hash;
    (1..=max_k.min(j.div_ceil(2))).any(|k| (0..k).all(|d| h(j - d) == h(j - k - d)))
}

/// How the folded text between two folded words groups them into the rule's words.
enum Gap {
    /// Only whitespace: the next word starts a new word, joined to the one before.
    Space,
    /// Only ZWNJ and apostrophes, which are inside a word for this rule: the same word goes on.
    Inside,
    /// Anything else without ZWNJ or apostrophes: a new word, not joined.
    Other,
    /// ZWNJ or apostrophes with something else: where the word they belong to ends cannot be
    /// told here.
    Unclear,
}

fn gap(text: &str) -> Gap {
    let b = text.as_bytes();
    if b == b" " {
        return Gap::Space;
    }
    // Most gaps are punctuation and a space: without an apostrophe or ZWNJ's lead byte E2
    // there is no joiner, and an ASCII character that is not whitespace or an Arabic-block
    // character settles it without decoding.
    if !b.iter().any(|&x| x == b'\'' || x == 0xe2) {
        let visible =
            |x: u8| (0xd8..=0xdb).contains(&x) || (x < 0x80 && !(x as char).is_whitespace());
        return if !b.iter().any(|&x| visible(x)) && text.chars().all(char::is_whitespace) {
            Gap::Space
        } else {
            Gap::Other
        };
    }
    let (mut joiner, mut only_joiners, mut only_space) = (false, true, true);
    for c in text.chars() {
        let j = c == ZWNJ || c == '\'';
        joiner |= j;
        only_joiners &= j;
        only_space &= c.is_whitespace();
    }
    match (joiner, only_joiners, only_space) {
        (true, true, _) => Gap::Inside,
        (true, false, _) => Gap::Unclear,
        (false, _, true) => Gap::Space,
        (false, _, false) => Gap::Other,
    }
}

impl Scan {
    /// Fills the scan from folded line `i` instead of the line: the folded words grouped into
    /// the rule's words (runs joined by ZWNJ or apostrophes), each hashed on its folded text.
    /// Folding merges more than [`key`] does, so equal keys give equal hashes wherever
    /// [`folded_words_tell`] holds, and more words may look alike: a repeat found here is
    /// only a hint. Returns whether there is one (found as the words come, by [`Squares`]), or
    /// `None` where the grouping is unclear (see [`Gap::Unclear`]) or the line holds marks
    /// folding keeps (U+0656..U+065F).
    fn fill_folded(&mut self, fw: &FoldedWords, folded: &str, i: usize) -> Option<bool> {
        self.squares.clear();
        let (Some(words), Some((start, end))) = (fw.line(i), fw.line_range(i)) else {
            return None;
        };
        if fw.has_marks(i) {
            return None;
        }
        let t = folded.as_bytes();
        // The group being built: its first and last folded word, joined to the one before.
        let mut group: Option<(usize, usize, bool)> = None;
        let mut prev_end = start;
        for (j, w) in words.iter().enumerate() {
            let (s, e) = (w.start as usize, w.end as usize);
            let kind = if s == prev_end + 1 && t[prev_end] == b' ' {
                Gap::Space
            } else {
                gap(folded.get(prev_end..s).unwrap_or_default())
            };
            prev_end = e;
            match (kind, group) {
                (Gap::Unclear, _) | (Gap::Inside, None) => return None,
                (Gap::Inside, Some((first, _, joined))) => group = Some((first, j, joined)),
                (kind, _) => {
                    if self.push_group(words, t, group) {
                        return Some(true);
                    }
                    group = Some((j, j, j > 0 && matches!(kind, Gap::Space)));
                }
            }
        }
        let repeat = self.push_group(words, t, group);
        let tail = folded.get(prev_end..end).unwrap_or_default();
        (!tail.contains([ZWNJ, '\''])).then_some(repeat)
    }

    /// Pushes a group of folded words as one word; true when a repeat ends with it.
    fn push_group(
        &mut self,
        words: &[FoldedWord],
        t: &[u8],
        group: Option<(usize, usize, bool)>,
    ) -> bool {
        let Some((first, last, joined)) = group else {
            return false;
        };
        let hash = if first == last {
            words[first].hash
        } else {
            hash_bytes(&t[words[first].start as usize..words[last].end as usize])
        };
        self.squares.push(hash, joined)
    }

    fn fill(&mut self, text: &str) {
        self.hashes.clear();
        self.joined.clear();
        let table = &*CLASS;
        let b = text.as_bytes();
        let mut p = 0;
        // Byte where the current word starts, and whether a character of it changes in its key.
        let mut word: Option<usize> = None;
        let mut keyed = false;
        let mut gap_clean = true;
        while p < b.len() {
            let c0 = b[p];
            let (cl, len) = if c0 < 0x80 {
                (table[usize::from(c0)], 1)
            } else if (0xc0..0xe0).contains(&c0) && p + 1 < b.len() {
                let cp = (usize::from(c0 & 0x1f) << 6) | usize::from(b[p + 1] & 0x3f);
                (table[cp], 2)
            } else {
                let c = text[p..].chars().next().unwrap_or(' ');
                (class(c), c.len_utf8())
            };
            if cl & WORD != 0 || (c0 == b'\'' && word.is_some()) {
                word.get_or_insert(p);
                keyed |= cl & KEYED != 0;
            } else {
                if let Some(s) = word.take() {
                    self.push(&text[s..p], keyed, gap_clean);
                    keyed = false;
                    gap_clean = true;
                }
                if cl & SPACE == 0 {
                    gap_clean = false;
                }
            }
            p += len;
        }
        if let Some(s) = word {
            self.push(&text[s..], keyed, gap_clean);
        }
    }

    fn push(&mut self, word: &str, keyed: bool, gap_clean: bool) {
        let hash = if keyed {
            self.key.clear();
            key_push(word, &mut self.key);
            hash_bytes(self.key.as_bytes())
        } else {
            hash_bytes(word.as_bytes())
        };
        let joined = gap_clean && !self.hashes.is_empty();
        self.hashes.push(hash);
        self.joined.push(joined);
    }

    /// Whether some run of words is written twice in a row by the hashes of their keys, with
    /// only whitespace in between: what the rule needs before anything else (numbers and
    /// legitimate reduplications aside), so a line without is left at once.
    fn might_repeat(&self) -> bool {
        let h = &self.hashes;
        let n = h.len().min(self.joined.len());
        // How many words after `i` in a row follow the word before with only whitespace.
        let mut joined_after = 0usize;
        for i in (0..n).rev() {
            // Both copies, words i..i + 2k, must be joined: k ≤ (joined_after + 1) / 2.
            let max_k = MAX_RUN.min((n - i) / 2).min(joined_after.div_ceil(2));
            // Nearly always no word ahead has this hash: one pass over a few of them says so.
            if max_k > 0 && h[i + 1..=i + max_k].contains(&h[i]) {
                let copies = |k: usize| h[i..i + k] == h[i + k..i + 2 * k];
                if (1..=max_k).any(copies) {
                    return true;
                }
            }
            joined_after = if self.joined[i] { joined_after + 1 } else { 0 };
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::config::Config;
    use crate::analysis::kb::Kb;
    use crate::analysis::rules::testing::{check, render, run_with};
    use crate::analysis::Engine;

    const R: &str = "repeated-phrase";

    #[test]
    fn repeated_runs() {
        check(R, "هیچکس به جز مردم سوریه صلاحیت تعیین ⟦صلاحیت تعیین⟧ ندارد");
        check(R, "قال إن ⟦إن⟧ الوفد وصل");
        check(R, "this is the ⟦the⟧ end");
        // Tashkeel, alef forms and the Persian keyboard's ی do not make a different word.
        check(R, "في المنطقة العربية ⟦المنطقةُ العربيّة⟧ اليوم");
        check(R, "قال إن ⟦ان⟧ الوفد وصل");
        check(R, "في شمخانی ⟦شمخاني⟧ الیوم");
    }

    #[test]
    fn legitimate_reduplication() {
        check(R, "استقبل ولي ولي العهد الوفد");
        check(R, "تقدم الجيش قطعة قطعة وخطوة خطوة");
        check(R, "کم کم هوا سرد شد و آرام آرام باران آمد");
        check(R, "تک تک افراد حاضر بودند");
        check(R, "شيئا فشيئا ويوما بعد يوم");
        // ولي alone twice, not before العهد, is a slip.
        check(R, "قال ولي ⟦ولي⟧ الأمر");
    }

    #[test]
    fn different_words_that_fold_alike() {
        // A name and a preposition: على ≠ علي.
        check(R, "حصل عبدالرحمن علي على المركز الأول");
        check(R, "خرجوا على علي بن أبي طالب");
    }

    #[test]
    fn acronyms_and_distributive_accusatives() {
        check(R, "قالت هيئة الإذاعة البريطانية «بي بي سي» إن");
        check(R, "في تلفزيون «سي إن إن» الأمريكي");
        check(R, "لهدم الكعبة حجرا حجرا أهون");
        check(R, "ناقشته اللجنة فصلاً فصلاً");
        // A letter name that is also a word repeats as a slip when no acronym is near.
        check(R, "وقال إن ⟦إن⟧ الوفد وصل");
        check(R, "ذهب في ⟦في⟧ الصباح");
        check(R, "قال هذا ⟦هذا⟧ الرجل");
    }

    #[test]
    fn quotes_vowels_and_distributive_nouns() {
        check(R, "وأضافت: «قوي قوي يا أستاذ»");
        check(R, "ولعبة (طاق طاق طاقية) الشعبية");
        check(R, "كما قرأ الشعراءُ الشعراءَ");
        check(R, "وعينك على من مِن المخرجين");
        check(R, "أعطِ ما لقيصر لقيصر وما لله لله");
        check(R, "يسرد مراحل رحلته مرحلة مرحلة");
        check(R, "دمج وزارتي التربية والتعليم والتعليم العالي");
        check(R, "وقال محمد محمد صالح المدير");
        // The same vowelling is the same word.
        check(R, "قال إنَّ ⟦إنَّ⟧ الوفد وصل");
    }

    #[test]
    fn punctuation_and_numbers_break_repeats() {
        check(R, "قال: نعم، نعم سنفعل");
        check(R, "انتهى الاجتماع. انتهى الاجتماع بنجاح");
        check(R, "النتيجة 2 2 في الشوط الأول");
        check(R, "سجل ١٠ ١٠ نقاط");
        check(R, "");
    }

    #[test]
    fn repeats_the_folded_text_hides() {
        // Words of tashkeel or tatweel alone fold to nothing.
        check(R, "قال ـ ⟦ـ⟧ نعم");
        check(R, "قال \u{064e} ⟦\u{064e}⟧ نعم");
        // A combining hamza folds into ئ, but the key only drops it.
        check(R, "قال ي\u{0654} ⟦ي⟧ نعم");
        // An invisible mark glues قال to the first copy in the folded text.
        check(R, "قال\u{200f}نعم ⟦نعم⟧ سنفعل");
        check(R, "ذهب الى\u{200f}الى البيت");
        // ZWNJ and apostrophes inside a word, or starting one.
        check(R, "قال \u{200c}كتاب ⟦\u{200c}كتاب⟧");
        check(R, "it's ⟦it's⟧ fine");
        check(R, "او می\u{200c}شود ⟦می\u{200c}شود⟧ گفت");
        check(R, "او می\u{200c}شود می شود گفت");
    }

    /// Every character before a mark, and every character alone, at every place of a chunk:
    /// the chunked test lets through every hazard the character walk finds.
    #[test]
    fn chunked_hazard_test_misses_no_character() {
        let pad = "ب".repeat(20);
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            for shift in [0, 2, 31] {
                let lead = &"abcdefghijklmnopqrstuvwxyz0123456789"[..shift];
                for after in ["\u{064e}", "\u{0653}"] {
                    let t = format!("{pad}{lead}{c}{after}{pad}");
                    assert_eq!(
                        super::has_hazard(&t),
                        super::has_hazard_by_chars(&t),
                        "{c:?} {shift} {after:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn squares_look_back_twelve_words_and_no_further() {
        for (n, want) in [(12u64, true), (13, false)] {
            let mut squares = super::Squares::default();
            let found = (0..2 * n)
                .map(|i| squares.push(i % n, i > 0))
                .collect::<Vec<_>>()
                .contains(&true);
            assert_eq!(found, want, "{n}");
        }
        // Punctuation inside the second copy breaks it.
        let mut squares = super::Squares::default();
        let found = [(1, false), (2, true), (1, true), (2, false)]
            .iter()
            .map(|&(h, j)| squares.push(h, j))
            .collect::<Vec<_>>()
            .contains(&true);
        assert!(!found);
    }

    /// Plain lines are left on their folded words, without looking at their characters.
    #[test]
    fn plain_lines_need_only_their_folded_words() {
        let text = "قال الوزير إن الوفد وصل\nمی\u{200c}شود کتاب را خواند، و رفت\nحضر مُحَمَّد  أمس";
        crate::analysis::rules::testing::with_context(text, |cx| {
            let fw = cx.prep.words();
            let mut scan = super::Scan::default();
            for (i, line) in cx.prep.lines.iter().enumerate() {
                assert_eq!(scan.fill_folded(fw, &cx.prep.norm.text, i), Some(false));
                assert!(super::folded_words_tell(line.text, fw, i), "{i}");
            }
        });
    }

    /// The first line of article `t` on which the bucket table (`buckets` of them, numbers from
    /// `base`) answers otherwise than the chained squares: a repeat, or none, where they find
    /// the other (the squares may give up on the line after a repeat, which is no
    /// disagreement).
    fn recent_disagrees_with_scan(t: &str, buckets: usize, base: u32) -> Option<usize> {
        crate::analysis::rules::testing::with_context(t, |cx| {
            let fw = cx.prep.words();
            let folded = cx.prep.norm.text.as_str();
            let mut recent = super::Recent::with_buckets(buckets);
            recent.base = base;
            let mut scan = super::Scan::default();
            (0..cx.prep.lines.len()).find(|&i| {
                let fast = recent.line(fw, folded, i);
                let slow = scan.fill_folded(fw, folded, i);
                match fast {
                    super::Fast::NoRepeat => slow != Some(false),
                    super::Fast::Repeat => slow == Some(false),
                    super::Fast::Unknown => false,
                }
            })
        })
    }

    /// Cases the bucket table once answered wrongly: numbers near `u32::MAX` (an overflow),
    /// and a repeat before a ZWNJ the squares give up on.
    #[test]
    fn recent_table_edge_cases() {
        for t in ["می\u{200c}شود \r\nعلى قال a b a b ـ ", "في في \u{200c}"] {
            for (buckets, base) in [(2, 0), (2, u32::MAX - 9), (1, u32::MAX - 3)] {
                let line = recent_disagrees_with_scan(t, buckets, base);
                assert_eq!(line, None, "{t:?} {buckets} {base}");
            }
        }
    }

    #[test]
    fn allowed_phrases() {
        let mut config = Config::default();
        config.allow.phrases.push("إن شاء الله".to_string());
        config.allow.phrases.push("نعم، نعم".to_string());
        config.allow.phrases.push("خیلی خوب".to_string());
        let engine = Engine::new(Kb::embedded(), config);
        let allowed = [
            "قال إن شاء الله إن شاء الله سنفعل",
            // Spelling variants of the phrase: alef forms, tashkeel, ي/ی.
            "قال ان شاء اللهُ ان شاء الله سنفعل",
            "گفت خيلي خوب خیلی خوب",
            // The two copies together are the phrase.
            "فقال نعم نعم",
        ];
        for t in allowed {
            assert!(run_with(&engine, R, t).is_empty(), "{t}");
            assert_eq!(run_with(&Engine::embedded(), R, t).len(), 1, "{t}");
        }
        // A repeat that is not one of the phrases, nor all of one, is still reported.
        for t in [
            "ذهب إلى إلى المدرسة",
            "قال شاء الله شاء الله",
            "قال إن إن شاء الله",
        ] {
            assert_eq!(run_with(&engine, R, t).len(), 1, "{t}");
        }
    }

    #[test]
    fn configured_reduplications() {
        let mut config = Config::default();
        config.allow.reduplications.push("جدید جدید".to_string());
        let engine = Engine::new(Kb::embedded(), config);
        assert!(run_with(&engine, R, "خبر جدید جدید").is_empty());
        assert_eq!(run_with(&Engine::embedded(), R, "خبر جدید جدید").len(), 1);
    }

    #[test]
    fn messages_and_fixes() {
        expect_test::expect![[r#"
            1:25-1:37 warning the 2 words “صلاحیت تعیین” are written twice in a row [صلاحیت تعیین]
              fix: delete the second copy 23..36=""
        "#]]
        .assert_eq(&render(R, "مردم سوریه صلاحیت تعیین صلاحیت تعیین ندارد"));
        expect_test::expect![[r#"
            1:9-1:12 warning the word “إلى” is written twice in a row [إلى]
              fix: delete the second copy 7..11=""
        "#]]
        .assert_eq(&render(R, "ذهب إلى إلى المدرسة"));
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Leaving out the lines whose folded words or hashes show no repeat changes nothing:
        /// on text full of what folds differently from the key or splits words differently
        /// (tashkeel and tatweel alone, combining hamza after و and ي, marks folding keeps,
        /// invisible marks, ZWNJ and apostrophes next to spaces, Arabic-Indic digits, ى ة).
        #[test]
        fn scan_loses_no_finding(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "قطعة", "قطعه", "على", "علي", "عليّ", "إن", "ان", "أن", "إنَّ", "بي", "سي",
                "حجرا", "ولي", "العهد", "صلاحیت", "تعیین", "ی", "ي", "ک", "ك", "می\u{200c}شود",
                "\u{200c}", "\u{064e}", "\u{0654}", "\u{0656}", "\u{0640}", "'", "it's", "The",
                "the", "10", "١٠", "²", "𝐀", "😀", "«", "»", "(", ")", "،", ".", " ", " ", " ",
                "  ", "\u{a0}", "\u{2009}", "\u{200b}", "\u{200f}", "\t", "\n", "\r\n", "\r",
                "ـ", " ـ ", "ي\u{0654}", "و\u{0654}", "ا\u{0653}", "ئ", "ؤ", "\u{0670}",
                "\u{0653}", "\u{0658}", "\u{065f}", "\u{feff}", "\u{ad}", "\u{061c}", "ى", "ة",
                "ه", "٠", "0", "\u{2028}", "\u{b}", "\u{3000}", "\u{200c}\u{200c}", "x'", "'x",
                "پ", "گ", "ۀ", "ے", "中",
            ]),
            0..50,
        ).prop_map(|v| v.concat())) {
            let (all, some) = crate::analysis::rules::testing::with_context(&t, |cx| {
                let allow = super::Allow::default();
                let mut ws = super::Words::default();
                let mut all = Vec::new();
                for line in &cx.prep.lines {
                    super::report_line(cx, line, &allow, &mut ws, &mut all);
                }
                let mut some = Vec::new();
                super::Rule::check(&super::RepeatedPhrase, cx, &mut some);
                (all, some)
            });
            proptest::prop_assert_eq!(all, some);
        }

        /// The same on lines that are mostly plain words and spaces, so that most of them are
        /// left on their folded words alone, with a repeat or a hazard here and there.
        #[test]
        fn folded_prefilter_loses_no_finding(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "قال ", "قال ", "في ", "في ", "على ", "علي ", "إلى ", "الى ", "می\u{200c}شود ",
                "کتاب ", "كتاب ", "وزارة ", "وزاره ", "الجديدة ", "it's ", "its ", "جدا ", "جداً ",
                "مُحَمَّد ", "محمد ", "ـ ", " ", "، ", "\n", "\n", "\u{a0}", "\u{0654}", "ي", "\u{200f}",
                "\u{200c}", "'", "\u{0656}", "\u{064e} ", "«", "10 ", "١٠ ", "\r\n",
            ]),
            0..60,
        ).prop_map(|v| v.concat())) {
            let (all, some) = crate::analysis::rules::testing::with_context(&t, |cx| {
                let allow = super::Allow::default();
                let mut ws = super::Words::default();
                let mut all = Vec::new();
                for line in &cx.prep.lines {
                    super::report_line(cx, line, &allow, &mut ws, &mut all);
                }
                let mut some = Vec::new();
                super::Rule::check(&super::RepeatedPhrase, cx, &mut some);
                (all, some)
            });
            proptest::prop_assert_eq!(all, some);
        }

        /// The bucket table answers for every line it answers what the chained squares answer
        /// (a repeat, or none), line after line of one article, whether buckets collide always
        /// (one), often (two) or seldom.
        #[test]
        fn recent_answers_like_fill_folded(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "قال ", "قال ", "في ", "في ", "على ", "علي ", "إلى ", "الى ", "می\u{200c}شود ",
                "کتاب ", "it's ", "جدا ", "جداً ", "ـ ", " ", "، ", ". ", "\n", "\n", "\u{a0}",
                "\u{0656}", "'", "\u{064e} ", "«", "10 ", "١٠ ", "\r\n", "a ", "b ", "c ",
                "a b ", "a b c ", "\u{200f}", "\u{200c}", " '",
            ]),
            0..80,
        ).prop_map(|v| v.concat())) {
            // Numbers that run out within the article, too.
            for (buckets, base) in [(1, 0), (2, 0), (super::RECENT_BUCKETS, 0), (2, u32::MAX - 9)] {
                let line = recent_disagrees_with_scan(&t, buckets, base);
                proptest::prop_assert_eq!(line, None, "{} {}", buckets, base);
            }
        }

        /// The byte tests of [`super::gap`] classify as its character walk does.
        #[test]
        fn gaps_by_bytes_agree_with_characters(t in proptest::collection::vec(
            proptest::sample::select(vec![
                " ", "\u{a0}", "\u{2003}", "\u{3000}", "\t", "\u{b}", "\u{85}", "\u{1680}",
                "'", "\u{200c}", "\u{200b}", "،", ".", "-", "«", "“", "–", "a", "ب", "😀",
                "\u{2028}", "\u{202f}",
            ]),
            0..6,
        ).prop_map(|v| v.concat())) {
            let by_chars = {
                let (mut joiner, mut only_joiners, mut only_space) = (false, true, true);
                for c in t.chars() {
                    let j = c == super::ZWNJ || c == '\'';
                    joiner |= j;
                    only_joiners &= j;
                    only_space &= c.is_whitespace();
                }
                match (joiner, only_joiners, only_space) {
                    (true, true, _) => "inside",
                    (true, false, _) => "unclear",
                    (false, _, true) => "space",
                    (false, _, false) => "other",
                }
            };
            let by_bytes = match super::gap(&t) {
                super::Gap::Inside => "inside",
                super::Gap::Unclear => "unclear",
                super::Gap::Space => "space",
                super::Gap::Other => "other",
            };
            proptest::prop_assert_eq!(by_bytes, by_chars);
        }

        /// The chunked hazard search agrees with the two searches by characters.
        #[test]
        fn hazards_are_found_where_they_are(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "ـ", "\u{064b}", "\u{064e}", "\u{0651}", "\u{0652}", "\u{0653}", "\u{0654}",
                "\u{0655}", "\u{0656}", "\u{065f}", "\u{0670}", "\u{0671}", "\u{064a}", "ي",
                "\u{0660}", "\u{061c}", "\u{060c}", "\u{200c}", "\u{200f}", "\u{feff}",
                "\u{ad}", "\u{a0}", "«", "“", "–", "\u{202b}", "\u{2067}", "\u{fe8e}", " ",
                "\u{2003}", "\t", "a", "قال المسؤول في هذا الاجتماع", "😀", "\u{3000}",
                "\u{85}", "\u{1680}", "\u{2028}", "\u{205f}", "\u{202f}", "\u{200a}", "\u{1c}",
                "\u{2066}", "\u{2069}", "\u{202a}", "\u{202e}", "\u{200d}", "\u{2026}", "\n",
                "\u{0648}\u{064e}", "\u{0640}",
            ]),
            0..60,
        ).prop_map(|v| v.concat())) {
            proptest::prop_assert_eq!(super::has_hazard(&t), super::has_hazard_by_chars(&t));
        }

        /// Words pushed one by one into [`super::Squares`] end a repeat exactly where
        /// [`super::Scan::might_repeat`] finds one in the whole line.
        #[test]
        fn squares_find_what_might_repeat_finds(words in proptest::collection::vec(
            (0u64..4, proptest::bool::weighted(0.85)),
            0..60,
        )) {
            // Few distinct hashes, some alike in their top bits (one bucket), runs of all lengths.
            let hashes: Vec<u64> = words.iter().map(|&(h, _)| (h % 2) << 63 | h).collect();
            let scan = super::Scan {
                hashes: hashes.clone(),
                joined: words.iter().enumerate().map(|(i, &(_, j))| j && i > 0).collect(),
                ..Default::default()
            };
            let mut squares = super::Squares::default();
            let online = hashes
                .iter()
                .zip(&scan.joined)
                .fold(false, |found, (&h, &j)| squares.push(h, j) || found);
            proptest::prop_assert_eq!(online, scan.might_repeat());
        }

        /// The scan splits a line into as many words as [`super::Words::fill`], joined alike,
        /// with equal hashes exactly where the keys are equal.
        #[test]
        fn scan_splits_like_fill(t in "[a-zA-Z'ایيیکكأة\u{064e}\u{0654}\u{200c}\u{a0} ,.«»0-9١]{0,40}") {
            let line = crate::analysis::text::lines(&t).next();
            let Some(line) = line else { return Ok(()); };
            let mut ws = super::Words::default();
            ws.fill(&line);
            let mut scan = super::Scan::default();
            scan.fill(line.text);
            proptest::prop_assert_eq!(scan.hashes.len(), ws.len());
            for i in 0..ws.len() {
                proptest::prop_assert_eq!(scan.joined[i], ws.list[i].joined);
                for j in 0..i {
                    proptest::prop_assert_eq!(
                        scan.hashes[i] == scan.hashes[j],
                        ws.key(i) == ws.key(j)
                    );
                }
            }
        }
    }
}
