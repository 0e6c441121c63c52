//! Words for the rules that compare them (`duplicate-line`, `near-duplicate-paragraph`,
//! `repeated-phrase`), split and hashed once per article instead of once per rule and line.
//!
//! Those rules used to fold every word on its own, into a `String` or a buffer, and hash the
//! strings in sets rebuilt for every line: together nearly half of `khabar check`. The folded
//! text of the whole article is already in [`Normalized`](super::normalize::Normalized), so
//! [`FoldedWords`] splits that into words (runs of [`is_alnum`] characters) and hashes each one
//! where it lies. The rules then compare 64-bit hashes; where equal hashes suggest a finding,
//! they confirm it on the words themselves, so a hash collision can only cost time.
//!
//! The rules' own word definitions are not all "runs of letters in the folded text": where one
//! differs on a line, the rule falls back to its own splitting for that line (see
//! [`drops_separator`] and [`FoldedWords::has_marks`]).
//!
//! The paragraph languages look at the same words (their function words, their article ال, the
//! Persian affixes joined by ZWNJ), so the one scan also reports each line's runs of
//! Arabic-script letters ([`FoldedWords::scan`], [`LetterRuns`]) with the hashes it makes
//! anyway: a second scan of the folded text for the languages was as dear as this one.

use super::normalize::{fold, is_alnum};
use super::script::is_arabic_letter;

/// A word of the folded text: its byte range there and a hash of its bytes ([`hash_bytes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    pub start: u32,
    pub end: u32,
    pub hash: u64,
}

/// One folded line: its byte range, its words' range in [`FoldedWords::words`], and whether it
/// holds a combining mark the fold keeps (U+0656..U+065F).
#[derive(Clone, Copy, Debug)]
struct FoldedLine {
    start: u32,
    end: u32,
    first: u32,
    last: u32,
    marks: bool,
}

/// The words of an article's folded text, line by line (folded lines correspond one to one
/// with the original lines).
#[derive(Debug, Default)]
pub struct FoldedWords {
    words: Vec<Word>,
    lines: Vec<FoldedLine>,
}

/// A word character that is not a letter of the Arabic script ([`is_alnum`] but not
/// [`is_arabic_letter`]): Latin letters, digits, other scripts, the marks folding keeps.
const OTHER: u8 = 1;
/// A letter of the Arabic script ([`is_arabic_letter`], every one of which is [`is_alnum`]).
const ARABIC: u8 = 2;
/// U+0656..U+065F: combining marks that folding keeps. `duplicate-line` counts them as part of
/// a word; in the folded text they are not letters.
const MARK: u8 = 4;

/// [`OTHER`], [`ARABIC`] and [`MARK`] for U+0000..U+07FF, once: a load per character in the scan.
static CLASS: std::sync::LazyLock<[u8; 0x800]> = std::sync::LazyLock::new(|| {
    let mut t = [0u8; 0x800];
    for (i, slot) in t.iter_mut().enumerate() {
        let Some(c) = char::from_u32(i as u32) else {
            continue;
        };
        *slot = char_class(c) | (u8::from(matches!(c, '\u{0656}'..='\u{065f}')) * MARK);
    }
    t
});

/// [`OTHER`], [`ARABIC`] or 0 (not a word character) for `c`.
fn char_class(c: char) -> u8 {
    if is_arabic_letter(c) {
        ARABIC
    } else {
        u8::from(is_alnum(c)) * OTHER
    }
}

/// Characters of the [`FAST`] table: the letters of Arabic-script folded text (folding leaves
/// no tashkeel, Arabic-Indic digits, ی or ک). Every one is [`is_arabic_letter`] and none a
/// [`MARK`].
#[cfg(any(test, not(target_arch = "x86_64")))]
const fn fast_letter(cp: usize) -> bool {
    matches!(cp, 0x0621..=0x063a | 0x0641..=0x064a | 0x0671..=0x06d3)
}

/// By the first two bytes of a character: its class when it is an ASCII letter or digit
/// ([`OTHER`]) or a [`fast_letter`] ([`ARABIC`]), else 0 (the class is also the character's
/// length). One load tells what the word is made of, where decoding the code point and looking
/// it up in [`CLASS`] cost twice the instructions.
#[cfg(any(test, not(target_arch = "x86_64")))]
static FAST: [u8; 0x10000] = {
    let mut t = [0u8; 0x10000];
    let mut i = 0;
    while i < 0x10000 {
        let (b0, b1) = (i & 0xff, i >> 8);
        t[i] = if b0 < 0x80 {
            (b0 as u8).is_ascii_alphanumeric() as u8 * OTHER
        } else if b0 >= 0xd8 && b0 <= 0xdb && b1 & 0xc0 == 0x80 {
            fast_letter(((b0 & 0x1f) << 6) | (b1 & 0x3f)) as u8 * ARABIC
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Continuation bytes in [`PASS`]: their character was judged at its first byte.
#[cfg(any(test, not(target_arch = "x86_64")))]
const CONT: u8 = 8;

/// [`FAST`] with every continuation byte let through ([`CONT`]), for the byte-by-byte scan of
/// [`fast_run`].
#[cfg(any(test, not(target_arch = "x86_64")))]
static PASS: [u8; 0x10000] = {
    let mut t = [0u8; 0x10000];
    let mut i = 0;
    while i < 0x10000 {
        t[i] = if i & 0xc0 == 0x80 { CONT } else { FAST[i] };
        i += 1;
    }
    t
};

/// Bits of 64 bytes of the folded text, bit `i` for byte `i` of the block: the bytes that a
/// run of [`FAST`] characters may hold (continuation bytes pass, as in [`PASS`]), and those
/// that are an [`OTHER`] one (ASCII letters and digits). The other bytes of a run are those of
/// its [`ARABIC`] letters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Block {
    inside: u64,
    other: u64,
}

/// The [`Block`]s of `t`, and one more past its end (all clear, like the bits past the end), so
/// that every byte up to `t.len()` has a block after its own: worked out in one pass before the
/// scan, which then finds the end of each run from them without waiting on the text. Walking
/// a run instead (a table load per byte, or sixteen bytes at a time from the run's start) put
/// the loads on the chain from one word to the next, and the walk's exit was mispredicted.
fn blocks(t: &[u8]) -> Vec<Block> {
    #[cfg(target_arch = "x86_64")]
    let mut out = sse2::blocks(t);
    #[cfg(not(target_arch = "x86_64"))]
    let mut out = blocks_bytes(t);
    out.resize(t.len() / 64 + 2, Block::default());
    out
}

/// [`blocks`] byte by byte from the [`FAST`] and [`PASS`] tables (the byte after the text
/// taken as 0): at least `t.len() / 64 + 1` blocks.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn blocks_bytes(t: &[u8]) -> Vec<Block> {
    let mut out = vec![Block::default(); t.len() / 64 + 1];
    for (i, &b0) in t.iter().enumerate() {
        let pair = usize::from(b0) | usize::from(t.get(i + 1).copied().unwrap_or(0)) << 8;
        let (bit, block) = (1u64 << (i % 64), &mut out[i / 64]);
        block.inside |= u64::from(PASS[pair] != 0) * bit;
        block.other |= u64::from(FAST[pair] == OTHER) * bit;
    }
    out
}

/// The end of the run of [`FAST`] characters from byte `q` (a character boundary), and the
/// union of their classes, from the [`blocks`] of the text. A run is found 64 bytes at a time
/// from the two blocks it starts in (a run may hold the text's last byte, an ASCII letter or
/// digit, which the scan would have taken anyway).
#[inline(always)]
fn fast_run(blocks: &[Block], mut q: usize) -> (usize, u8) {
    let mut kind = 0;
    while let Some([a, b]) = blocks
        .get(q / 64..q / 64 + 2)
        .and_then(|w| <&[Block; 2]>::try_from(w).ok())
    {
        let s = q % 64;
        // Bits of bytes q..q + 64.
        let ahead = |x: u64, y: u64| ((u128::from(y) << 64 | u128::from(x)) >> s) as u64;
        let stop = !ahead(a.inside, b.inside);
        let n = stop.trailing_zeros();
        let taken = u64::MAX.checked_shr(64 - n).unwrap_or(0);
        let other = ahead(a.other, b.other);
        kind |= (u8::from(!other & taken != 0) * ARABIC) | (u8::from(other & taken != 0) * OTHER);
        q += n as usize;
        if stop != 0 {
            break;
        }
    }
    (q, kind)
}

/// [`blocks`] on x86-64: sixteen bytes at a time with SSE2 (part of every x86-64 processor).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::Block;
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8, _mm_slli_epi16,
    };

    /// A block of 64 bytes and the byte after it (zero past the text's end).
    type Window = [u8; 65];

    /// [`super::blocks_bytes`].
    pub(super) fn blocks(t: &[u8]) -> Vec<Block> {
        let mut out = Vec::with_capacity(t.len() / 64 + 2);
        for start in (0..t.len()).step_by(64) {
            out.push(
                match t
                    .get(start..start + 65)
                    .and_then(|w| <&Window>::try_from(w).ok())
                {
                    Some(w) => block(w),
                    None => block(&padded(t, start)),
                },
            );
        }
        out
    }

    /// The window of the block at `start`, where it reaches past the end of `t`.
    fn padded(t: &[u8], start: usize) -> Window {
        let mut window = [0u8; 65];
        let src = t.get(start..).unwrap_or_default();
        let n = src.len().min(65);
        window[..n].copy_from_slice(&src[..n]);
        window
    }

    fn block(w: &Window) -> Block {
        let mut out = Block::default();
        for q in 0..4 {
            let (inside, other) = sixteen(&w[16 * q..]);
            out.inside |= u64::from(inside) << (16 * q);
            out.other |= u64::from(other) << (16 * q);
        }
        out
    }

    /// For bytes `w[0..16]` (`w[16]` follows the last): the bits of the bytes a run may hold
    /// (continuation bytes, ASCII letters and digits, first bytes of a [`super::fast_letter`])
    /// and of the ASCII letters and digits. The text is UTF-8, so a byte D8..DB is followed by
    /// a continuation byte.
    #[inline(always)]
    fn sixteen(w: &[u8]) -> (u16, u16) {
        let (Some(here), Some(next)) = (
            w.first_chunk::<16>(),
            w.get(1..).and_then(<[u8]>::first_chunk::<16>),
        ) else {
            return (0, 0);
        };
        // SAFETY: `_mm_loadu_si128` reads 16 bytes at a pointer with no alignment required, and
        // each pointer is that of a `[u8; 16]`. The other intrinsics only compute on values;
        // they need SSE2, which every x86-64 processor has (it is in the target's baseline).
        unsafe {
            let b = _mm_loadu_si128(here.as_ptr().cast());
            let n = _mm_loadu_si128(next.as_ptr().cast());
            let splat = |x: u8| _mm_set1_epi8(x as i8);
            // Bytes from `lo` to `hi` (`hi - lo` below 255): moved so that `lo` is -128, they
            // are the signed bytes below -128 + (hi - lo) + 1.
            let within = |x: __m128i, lo: u8, hi: u8| {
                let moved = _mm_add_epi8(x, splat(0x80u8.wrapping_sub(lo)));
                _mm_cmplt_epi8(moved, splat(0x81u8.wrapping_add(hi - lo)))
            };
            let digit = within(b, b'0', b'9');
            let alpha = within(_mm_or_si128(b, splat(0x20)), b'a', b'z');
            let other = _mm_or_si128(digit, alpha);
            // A character of lead byte D8..DB is U+0600 plus ((lead & 3) << 6 | next & 3F), a
            // byte; the 16-bit shift moves no bit across bytes once the lead's are masked.
            let low = _mm_or_si128(
                _mm_slli_epi16(_mm_and_si128(b, splat(3)), 6),
                _mm_and_si128(n, splat(0x3f)),
            );
            let letter = _mm_or_si128(
                _mm_or_si128(within(low, 0x21, 0x3a), within(low, 0x41, 0x4a)),
                within(low, 0x71, 0xd3),
            );
            let arabic = _mm_and_si128(within(b, 0xd8, 0xdb), letter);
            // 0x80..=0xBF are the signed bytes below 0xC0.
            let cont = _mm_cmplt_epi8(b, splat(0xc0));
            let inside = _mm_or_si128(_mm_or_si128(cont, other), arabic);
            let bits = |x: __m128i| _mm_movemask_epi8(x) as u16;
            (bits(inside), bits(other))
        }
    }
}

/// What [`FoldedWords::scan`] reports besides the words, for the paragraph languages
/// ([`crate::analysis::script::WordEvidence`]): the runs of Arabic-script letters of each line
/// (whole words, or the letter runs of a word that mixes them with digits or Latin letters),
/// the ZWNJs that may join them into one word, and the ends of lines. The language evidence
/// reads the same words as the word rules, so one scan of the folded text serves both.
pub trait LetterRuns {
    /// Whether anything is reported at all: `()` wants nothing, and its scan does no more
    /// than [`FoldedWords::new`] always did.
    const WANTED: bool = true;
    /// Bytes `start..end` of `folded` are a maximal run of Arabic-script letters (two bytes
    /// each); `hash` is their [`hash_bytes`]. Runs come in order.
    fn run(&mut self, folded: &[u8], start: usize, end: usize, hash: u64);
    /// A ZWNJ starts at byte `at`.
    fn zwnj(&mut self, at: usize);
    /// The current line ended (at a `\n` or the end of the text).
    fn line_end(&mut self, folded: &[u8]);
}

impl LetterRuns for () {
    const WANTED: bool = false;
    fn run(&mut self, _: &[u8], _: usize, _: usize, _: u64) {}
    fn zwnj(&mut self, _: usize) {}
    fn line_end(&mut self, _: &[u8]) {}
}

/// The UTF-8 form of ZWNJ, which ends a word of the folded text but joins the parts of a word
/// for the language evidence.
const ZWNJ_BYTES: [u8; 3] = [0xe2, 0x80, 0x8c];

impl FoldedWords {
    /// Splits `folded` (the text of a [`Normalized`](super::normalize::Normalized)) into lines
    /// at `\n` and each line into words.
    pub fn new(folded: &str) -> Self {
        Self::scan(folded, &mut ())
    }

    /// [`Self::new`], reporting the Arabic-script letter runs of each line to `runs` on the way.
    #[inline(never)]
    pub fn scan<R: LetterRuns>(folded: &str, runs: &mut R) -> Self {
        let t = folded.as_bytes();
        let class = &*CLASS;
        let blocks = blocks(t);
        let mut out = FoldedWords {
            words: Vec::with_capacity(t.len() / 6 + 1),
            lines: Vec::new(),
        };
        let mut line = FoldedLine {
            start: 0,
            end: 0,
            first: 0,
            last: 0,
            marks: false,
        };
        // The word being read: its start and the union of its characters' classes (0: none).
        let mut start = 0;
        let mut kind = 0u8;
        let mut p = 0;
        while p < t.len() {
            // Letters in a row, the bulk of a word, then one character looked at closely.
            let (q, k) = fast_run(&blocks, p);
            if q > p {
                if kind == 0 {
                    start = p;
                }
                kind |= k;
                p = q;
                if p >= t.len() {
                    break;
                }
            }
            let b = t[p];
            let (k, len) = if b == b' ' {
                (0, 1)
            } else if b < 0x80 {
                if b == b'\n' {
                    out.end_word(t, start, p, kind, runs);
                    kind = 0;
                    runs.line_end(t);
                    out.end_line(&mut line, p);
                    p += 1;
                    continue;
                }
                (u8::from(b.is_ascii_alphanumeric()) * OTHER, 1)
            } else if let (0xc0..0xe0, Some(&b1)) = (b, t.get(p + 1)) {
                let cl = class[(usize::from(b & 0x1f) << 6) | usize::from(b1 & 0x3f)];
                line.marks |= cl & MARK != 0;
                (cl & (OTHER | ARABIC), 2)
            } else if t.get(p..p + 3) == Some(&ZWNJ_BYTES[..]) {
                out.end_word(t, start, p, kind, runs);
                kind = 0;
                runs.zwnj(p);
                p += 3;
                continue;
            } else {
                let c = folded
                    .get(p..)
                    .and_then(|r| r.chars().next())
                    .unwrap_or(' ');
                (char_class(c), c.len_utf8())
            };
            if k != 0 {
                if kind == 0 {
                    start = p;
                }
                kind |= k;
            } else {
                out.end_word(t, start, p, kind, runs);
                kind = 0;
            }
            p += len;
        }
        out.end_word(t, start, t.len(), kind, runs);
        runs.line_end(t);
        out.end_line(&mut line, t.len());
        out
    }

    /// Ends the word `start..end` of the folded text `t` if one is being read (`kind` is not 0),
    /// and reports its Arabic-script letters.
    #[inline(always)]
    fn end_word<R: LetterRuns>(
        &mut self,
        t: &[u8],
        start: usize,
        end: usize,
        kind: u8,
        runs: &mut R,
    ) {
        if kind == 0 {
            return;
        }
        let hash = hash_at(t, start, end);
        self.words.push(Word {
            start: start as u32,
            end: end as u32,
            hash,
        });
        if R::WANTED && kind & ARABIC != 0 {
            if kind == ARABIC {
                runs.run(t, start, end, hash);
            } else {
                mixed_runs(t, start, end, runs);
            }
        }
    }

    fn end_line(&mut self, line: &mut FoldedLine, end: usize) {
        line.end = end as u32;
        line.last = self.words.len() as u32;
        self.lines.push(*line);
        *line = FoldedLine {
            start: end as u32 + 1,
            end: 0,
            first: self.words.len() as u32,
            last: 0,
            marks: false,
        };
    }

    /// The words of line `i`, or `None` past the last line.
    pub fn line(&self, i: usize) -> Option<&[Word]> {
        let l = self.lines.get(i)?;
        self.words.get(l.first as usize..l.last as usize)
    }

    /// The byte range of line `i` in the folded text.
    pub fn line_range(&self, i: usize) -> Option<(usize, usize)> {
        self.lines
            .get(i)
            .map(|l| (l.start as usize, l.end as usize))
    }

    /// Whether line `i`, whose original text is `text`, holds an [`is_dropped_separator`]
    /// character: [`drops_separator`], but a line that folds to as many bytes as it has holds
    /// none (folding never lengthens text, and it drops those), which spares most lines the
    /// search.
    pub fn drops_separator(&self, i: usize, text: &str) -> bool {
        self.line_range(i).is_none_or(|(s, e)| e - s != text.len()) && drops_separator(text)
    }

    /// Whether folded line `i` holds one of U+0656..U+065F, which are letters of a word for
    /// `duplicate-line` but separate words in the folded text (true past the last line).
    pub fn has_marks(&self, i: usize) -> bool {
        self.lines.get(i).is_none_or(|l| l.marks)
    }
}

/// Reports the runs of Arabic-script letters of the word `start..end` of `t`, which mixes them
/// with other word characters (`2024م`): rare, so decoded character by character.
#[cold]
fn mixed_runs<R: LetterRuns>(t: &[u8], start: usize, end: usize, runs: &mut R) {
    let Some(word) = t.get(start..end).and_then(|w| std::str::from_utf8(w).ok()) else {
        return;
    };
    let mut run: Option<usize> = None;
    // A space after the word ends the last run.
    for (i, c) in word.char_indices().chain([(word.len(), ' ')]) {
        match (is_arabic_letter(c), run) {
            (true, None) => run = Some(i),
            (false, Some(s)) => {
                let (s, e) = (start + s, start + i);
                runs.run(t, s, e, hash_bytes(&t[s..e]));
                run = None;
            }
            _ => {}
        }
    }
}

/// The folded words of `text` (runs of [`is_alnum`] characters in [`fold`]) joined by single
/// spaces: how `repeated-phrase` compares a repeat with the phrases of `allow.phrases`, so that
/// their spelling variants (ي/ی, أ/ا, tashkeel, spacing and punctuation) meet.
pub fn phrase_key(text: &str) -> String {
    let folded = fold(text);
    let mut key = String::with_capacity(folded.len());
    for w in folded
        .split(|c: char| !is_alnum(c))
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(w);
    }
    key
}

/// Characters that separate words in the original text but that folding drops, so that the
/// words on either side run together in the folded text: invisible format marks scrapers leave.
pub fn is_dropped_separator(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{200d}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// Whether `text` holds an [`is_dropped_separator`] character. Their UTF-8 forms start with
/// 0xC2, 0xD8 (U+061C, found by its second byte 0x9C), 0xE2 or 0xEF; `memchr` finds those few
/// bytes so that a line is not decoded character by character.
pub fn drops_separator(text: &str) -> bool {
    let b = text.as_bytes();
    let at = |i: usize| {
        text.get(i..)
            .and_then(|s| s.chars().next())
            .is_some_and(is_dropped_separator)
    };
    memchr::memchr3_iter(0xc2, 0xe2, 0xef, b).any(at)
        || memchr::memchr_iter(0x9c, b).any(|i| i > 0 && b[i - 1] == 0xd8)
}

/// Whether `c` is one of the marks [`marks`] finds: tatweel U+0640, U+064B..U+065F (tashkeel
/// and the other combining marks) and superscript alef U+0670.
pub fn is_mark(c: char) -> bool {
    matches!(c, '\u{0640}' | '\u{064b}'..='\u{065f}' | '\u{0670}')
}

/// The byte offsets of the [`is_mark`] characters of `text`, in order.
///
/// Folding drops most of them, so the folded text cannot tell where they were; a rule that
/// must know looks for them here. They are a few per thousand bytes of even vowelled text, but
/// their lead byte 0xD9 is a fifth of all Arabic bytes: the search tests their second bytes
/// (0x80, 0x8B..0x9F, 0xB0) eight bytes at a time, and looks back for 0xD9 only where one is.
pub fn marks(text: &str) -> Marks<'_> {
    Marks {
        bytes: text.as_bytes(),
        next: 0,
        base: 0,
        lanes: 0,
    }
}

/// The iterator of [`marks`].
pub struct Marks<'t> {
    bytes: &'t [u8],
    /// Start of the next chunk to test.
    next: usize,
    /// Start of the chunk `lanes` belongs to.
    base: usize,
    /// The high bit of each byte of that chunk that may be a mark's second byte, not yet looked at.
    lanes: u64,
}

const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// `b` in every byte.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `w` that is 0x80, 0x8B..=0x9F or 0xB0. Every sum stays within
/// its byte (the low seven bits plus at most 0x7F), so bytes do not carry into each other.
#[inline]
fn mark_tails(w: u64) -> u64 {
    let z = w & LOW7;
    let in_range = (z + splat(0x80 - 0x0b)) & !(z + splat(0x80 - 0x20));
    let is_zero = !(z + LOW7);
    let is_b0 = !((z ^ splat(0x30)) + LOW7);
    w & HIGH & (in_range | is_zero | is_b0)
}

impl Iterator for Marks<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            while self.lanes != 0 {
                let q = self.base + (self.lanes.trailing_zeros() / 8) as usize;
                self.lanes &= self.lanes - 1;
                // 0xD9 is a lead byte, never a continuation: the character starts there.
                if q > 0 && self.bytes[q - 1] == 0xd9 {
                    return Some(q - 1);
                }
            }
            let rest = self.bytes.get(self.next..).filter(|r| !r.is_empty())?;
            let mut w = [0u8; 8];
            let n = rest.len().min(8);
            w[..n].copy_from_slice(&rest[..n]);
            self.base = self.next;
            self.next += n;
            self.lanes = mark_tails(u64::from_le_bytes(w));
        }
    }
}

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// The murmur3 finaliser: every input bit reaches every output bit.
#[inline]
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A hash of a word's bytes, eight at a time. Equal bytes give equal hashes, which is all that
/// correctness needs: every rule confirms on the words what equal hashes suggest, or (like
/// `near-duplicate-paragraph` always did) counts hashed word pairs.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = (bytes.len() as u64).wrapping_mul(K2);
    let mut rest = bytes;
    // Most words are at most 16 bytes: a whole chunk and at most 8 more bytes, which `tail`
    // reads as the chunk they would be when there are 8 (so no loop is needed for them).
    while let Some((c, r)) = rest.split_first_chunk::<8>().filter(|_| rest.len() > 16) {
        h = mix(h, u64::from_le_bytes(*c));
        rest = r;
    }
    if let Some((c, r)) = rest.split_first_chunk::<8>() {
        h = mix(h, u64::from_le_bytes(*c));
        rest = r;
    }
    if !rest.is_empty() {
        h = mix(h, tail(rest));
    }
    fmix(h)
}

/// [`hash_bytes`] of bytes `start..end` of `t`, for a word of the scan: a word of at most 16
/// bytes with 16 bytes of text from its start (nearly every word) is hashed from two loads,
/// its length choosing among the values without a branch, where `hash_bytes`' tests of the
/// length went either way from one word to the next.
#[inline(always)]
fn hash_at(t: &[u8], start: usize, end: usize) -> u64 {
    let n = end.wrapping_sub(start);
    match t.get(start..start + 16) {
        Some(w) if (1..=16).contains(&n) => {
            let (a, b) = w.split_at(8);
            let a = u64::from_le_bytes(a.try_into().unwrap_or_default());
            let b = u64::from_le_bytes(b.try_into().unwrap_or_default());
            let long = n > 8;
            // The chunk the tail is read from, and the tail's length (1 to 8).
            let (x, m) = if long { (b, n - 8) } else { (a, n) };
            let h = (n as u64).wrapping_mul(K2);
            let h = if long { mix(h, a) } else { h };
            fmix(mix(h, tail_of(x, m)))
        }
        _ => hash_bytes(t.get(start..end).unwrap_or_default()),
    }
}

/// [`tail`] of the first `m` (1 to 8) bytes of `x`, by shifts rather than loads.
#[inline(always)]
fn tail_of(x: u64, m: usize) -> u64 {
    let byte = |i: usize| (x >> (8 * (i & 7))) & 0xff;
    let short = byte(0) | byte(m / 2) << 8 | byte(m - 1) << 16;
    let long = (x & 0xffff_ffff) | ((x >> (8 * (m.wrapping_sub(4) & 7))) & 0xffff_ffff) << 32;
    if m >= 4 {
        long
    } else {
        short
    }
}

/// One step of [`hash_bytes`]: eight bytes into the state.
#[inline(always)]
fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(K1).rotate_left(29)
}

/// The 1 to 8 bytes after a word's last whole chunk as one number, read in at most two loads
/// (which may overlap) rather than copied byte by byte: a different number for different bytes
/// of one length, and [`hash_bytes`] starts from the length. Eight bytes are read as the
/// chunk they are.
#[inline]
fn tail(rest: &[u8]) -> u64 {
    let n = rest.len();
    if n >= 4 {
        let word = |i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&rest[i..i + 4]);
            u64::from(u32::from_le_bytes(w))
        };
        word(0) | word(n - 4) << 32
    } else {
        u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16
    }
}

/// A hash of two word hashes in order: a word pair.
#[inline]
pub fn hash_pair(a: u64, b: u64) -> u64 {
    fmix(a.wrapping_mul(K2) ^ b)
}

/// A hash of a sequence of word hashes (a line's words in order).
pub fn hash_seq(hashes: impl IntoIterator<Item = u64>) -> u64 {
    let mut n = 0u64;
    let mut h = K1;
    for w in hashes {
        h = hash_pair(h, w);
        n += 1;
    }
    hash_pair(h, n)
}

/// A hasher for keys that are already hashes ([`hash_bytes`], [`hash_pair`]): it passes them
/// through, so a map look-up costs no hashing.
#[derive(Default)]
pub struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` and `write_u32` are used; anything else is still hashed, slowly.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(K1);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = fmix(u64::from(n));
    }
}

/// Hash maps keyed by [`PreHashed`] keys.
pub type PreHash = std::hash::BuildHasherDefault<PreHashed>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize::{fold_push, normalize};

    /// The words of each folded line, written straight from the definition.
    fn reference(folded: &str) -> Vec<Vec<&str>> {
        folded
            .split('\n')
            .map(|l| {
                l.split(|c: char| !is_alnum(c))
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .collect()
    }

    fn words_of<'t>(fw: &FoldedWords, folded: &'t str) -> Vec<Vec<&'t str>> {
        (0..)
            .map_while(|i| fw.line(i))
            .map(|ws| {
                ws.iter()
                    .map(|w| &folded[w.start as usize..w.end as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn splits_lines_and_words() {
        let n = normalize("قال الرئيسُ: «نعم»\r\n\nA1 b\u{200c}c ١٢");
        let fw = FoldedWords::new(&n.text);
        assert_eq!(
            words_of(&fw, &n.text),
            vec![
                vec!["قال", "الرئيس", "نعم"],
                vec![],
                vec!["a1", "b", "c", "12"]
            ]
        );
        assert_eq!(fw.line(3), None);
        assert!(!fw.has_marks(0));
        assert!(FoldedWords::new("ab\u{0656}c").has_marks(0));
        let w = fw.line(0).unwrap_or_default()[0];
        assert_eq!(w.hash, hash_bytes("قال".as_bytes()));
    }

    #[test]
    fn dropped_separators_are_the_fold_drops_between_words() {
        // Every character that is not part of a word and that folding removes is listed, and
        // nothing else is.
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            let in_word =
                is_alnum(c) || matches!(c, '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}');
            let mut f = String::new();
            fold_push(c.encode_utf8(&mut [0; 4]), &mut f);
            assert_eq!(!in_word && f.is_empty(), is_dropped_separator(c), "{c:?}");
            assert_eq!(
                drops_separator(&format!("ab{c}d")),
                is_dropped_separator(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn lines_that_keep_their_length_drop_no_separator() {
        let t = "قال\u{200f}نعم\nقال نعم\r\n\u{feff}x\n\u{064e}a\u{ad}b";
        let n = normalize(t);
        let fw = FoldedWords::new(&n.text);
        for (i, line) in crate::analysis::text::lines(t).enumerate() {
            assert_eq!(
                fw.drops_separator(i, line.text),
                drops_separator(line.text),
                "{i}"
            );
        }
    }

    #[test]
    fn hashes_tell_words_and_pairs_apart() {
        let ws = ["", "a", "ab", "abcdefgh", "abcdefghi", "قال", "قا", "ل"];
        let hs: Vec<u64> = ws.iter().map(|w| hash_bytes(w.as_bytes())).collect();
        for i in 0..hs.len() {
            for j in 0..i {
                assert_ne!(hs[i], hs[j], "{} {}", ws[i], ws[j]);
                assert_ne!(hash_pair(hs[i], hs[j]), hash_pair(hs[j], hs[i]));
            }
        }
        assert_ne!(hash_seq([hs[1], hs[2]]), hash_seq([hs[2], hs[1]]));
        assert_ne!(hash_seq([hs[1]]), hash_seq([hs[1], hs[1]]));
        assert_eq!(hash_seq([hs[3], hs[4]]), hash_seq(vec![hs[3], hs[4]]));
    }

    #[test]
    fn fast_characters_are_letters_of_words() {
        // Every byte pair the fast scan takes is a word character that is not a mark, so that
        // a run of them is part of a word and changes nothing of `has_marks`.
        for (i, &len) in FAST.iter().enumerate() {
            let (b0, b1) = ((i & 0xff) as u8, (i >> 8) as u8);
            let len = usize::from(len);
            let bytes = [b0, b1];
            let c = std::str::from_utf8(&bytes[..len.max(1)])
                .ok()
                .and_then(|s| s.chars().next());
            match (len, c) {
                (0, _) => {}
                (_, Some(c)) => {
                    assert_eq!(c.len_utf8(), len, "{i:#x}");
                    assert!(is_alnum(c) && CLASS[c as usize] & MARK == 0, "{c:?}");
                    assert_eq!(char_class(c), FAST[i], "{c:?}");
                }
                (_, None) => panic!("{i:#x} is no character"),
            }
        }
        // The letters of folded Arabic and Persian text are all taken.
        for c in "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئپچژگ".chars()
        {
            let mut b = [0u8; 4];
            c.encode_utf8(&mut b);
            assert_eq!(FAST[usize::from(b[0]) | usize::from(b[1]) << 8], 2, "{c:?}");
        }
    }

    #[test]
    fn tails_of_one_length_hash_apart() {
        // Every string of up to three bytes from a small alphabet, and of four to seven bytes
        // differing in one place: the overlapping loads of `tail` still see every byte.
        let alphabet = [0u8, 1, 0x20, 0x80, 0xd8, 0xd9, 0xff];
        let mut seen = std::collections::HashSet::new();
        let mut count = 0;
        for n in 1..=3u32 {
            for code in 0..alphabet.len().pow(n) {
                let mut v = Vec::new();
                let mut c = code;
                for _ in 0..n {
                    v.push(alphabet[c % alphabet.len()]);
                    c /= alphabet.len();
                }
                assert!(seen.insert(hash_bytes(&v)), "{v:?}");
                count += 1;
            }
        }
        for n in 4..=15usize {
            for at in 0..n {
                for &b in &alphabet[1..] {
                    let mut v = vec![0u8; n];
                    v[at] = b;
                    assert!(seen.insert(hash_bytes(&v)), "{v:?}");
                    count += 1;
                }
            }
            assert!(seen.insert(hash_bytes(&vec![0u8; n])));
            count += 1;
        }
        assert_eq!(seen.len(), count);
    }

    #[test]
    fn arabic_letters_are_word_characters() {
        // A run of letters lies within a word, so that the words' classes tell where they are.
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            if is_arabic_letter(c) {
                assert!(
                    is_alnum(c) && (c as u32) < 0x800 && c.len_utf8() == 2,
                    "{c:?}"
                );
                assert_eq!(CLASS[c as usize] & (OTHER | ARABIC), ARABIC, "{c:?}");
            } else if (c as u32) < 0x800 {
                assert_eq!(CLASS[c as usize] & (OTHER | ARABIC), char_class(c), "{c:?}");
            }
        }
    }

    /// What [`FoldedWords::scan`] reports, in order.
    #[derive(Debug, Default, PartialEq)]
    struct Reports(Vec<(char, usize, usize, u64)>);

    impl LetterRuns for Reports {
        fn run(&mut self, _: &[u8], start: usize, end: usize, hash: u64) {
            self.0.push(('r', start, end, hash));
        }
        fn zwnj(&mut self, at: usize) {
            self.0.push(('z', at, at + 3, 0));
        }
        fn line_end(&mut self, folded: &[u8]) {
            self.0.push(('n', 0, folded.len(), 0));
        }
    }

    /// The reports written straight from their definition: maximal runs of
    /// [`is_arabic_letter`] characters, every ZWNJ, every line break and the end.
    fn reports_reference(folded: &str) -> Reports {
        let mut out = Reports::default();
        let mut run: Option<usize> = None;
        for (i, c) in folded.char_indices().chain([(folded.len(), '\n')]) {
            if is_arabic_letter(c) {
                run.get_or_insert(i);
                continue;
            }
            if let Some(s) = run.take() {
                out.0
                    .push(('r', s, i, hash_bytes(&folded.as_bytes()[s..i])));
            }
            match c {
                '\u{200c}' => out.0.push(('z', i, i + 3, 0)),
                '\n' => out.0.push(('n', 0, folded.len(), 0)),
                _ => {}
            }
        }
        out
    }

    /// [`hash_bytes`] as it was first written: whole chunks in a loop, then the tail.
    fn hash_reference(bytes: &[u8]) -> u64 {
        let mut h = (bytes.len() as u64).wrapping_mul(K2);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K1).rotate_left(29);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            h = (h ^ tail(rest)).wrapping_mul(K1).rotate_left(29);
        }
        fmix(h)
    }

    proptest::proptest! {
        #[test]
        fn hashes_are_the_first_definitions(bytes in proptest::collection::vec(0u8..=255, 0..60)) {
            proptest::prop_assert_eq!(hash_bytes(&bytes), hash_reference(&bytes));
        }

        /// The scan's hash of a word in its text is the hash of its bytes, whatever follows.
        #[test]
        fn word_hashes_in_place_are_hashes_of_the_bytes(
            bytes in proptest::collection::vec(0u8..=255, 0..50),
            a in 0usize..50,
            b in 0usize..50,
        ) {
            let (s, e) = (a.min(b).min(bytes.len()), a.max(b).min(bytes.len()));
            proptest::prop_assert_eq!(hash_at(&bytes, s, e), hash_bytes(&bytes[s..e]));
        }
    }

    /// The end of the run of [`FAST`] characters from `q` and their classes as the scan first
    /// found it, byte by byte through [`PASS`], leaving the text's last byte to the scan's
    /// closer look (which the runs of [`fast_run`] may take when it is an ASCII letter or
    /// digit).
    fn fast_run_reference(t: &[u8], mut q: usize) -> (usize, u8) {
        let mut kind = 0;
        while let Some(&[a, b]) = t.get(q..q + 2) {
            let v = PASS[usize::from(u16::from_le_bytes([a, b]))];
            if v == 0 {
                break;
            }
            kind |= v;
            q += 1;
        }
        if q > 0 && t.get(q).is_some_and(|&b| b & 0xc0 == 0x80) {
            q += 1;
        }
        (q, kind & (OTHER | ARABIC))
    }

    /// Text for the run tests: every kind of byte the classes tell apart, around the edges of
    /// the fast letter ranges and of the blocks.
    fn mixed_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            proptest::sample::select(vec![
                "ا",
                "و",
                "ي",
                "ء",
                "\u{0620}",
                "\u{0621}",
                "\u{063a}",
                "\u{063b}",
                "\u{0640}",
                "\u{0641}",
                "\u{064a}",
                "\u{064b}",
                "\u{0656}",
                "\u{0670}",
                "\u{0671}",
                "ڀ",
                "\u{06d3}",
                "\u{06d4}",
                "\u{06d5}",
                "\u{06ff}",
                "\u{0600}",
                "،",
                "پ",
                "گ",
                " ",
                "\n",
                "\r",
                "\t",
                "a",
                "z",
                "A",
                "Z",
                "0",
                "9",
                "/",
                ":",
                "@",
                "[",
                "`",
                "{",
                "\u{7f}",
                "\u{80}",
                "é",
                "«",
                "\u{200c}",
                "—",
                "中",
                "😀",
                "الرئيس السوري قال",
                "abcdefghijklmnopqrstuvwxyz0123456789",
            ]),
            0..120,
        )
        .prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// The blocks of the SSE2 pass are those of the byte-by-byte one, and the runs found from
        /// them are the runs of the byte walk.
        #[test]
        fn runs_from_blocks_are_the_byte_walk(t in mixed_text()) {
            let t = t.as_bytes();
            let got = blocks(t);
            let mut want = blocks_bytes(t);
            want.resize(got.len(), Block::default());
            proptest::prop_assert_eq!(&got, &want);
            for q in (0..=t.len()).filter(|&q| t.get(q).is_none_or(|b| b & 0xc0 != 0x80)) {
                let (mut end, mut kind) = fast_run_reference(t, q);
                if end + 1 == t.len() && t[end].is_ascii_alphanumeric() {
                    (end, kind) = (t.len(), kind | OTHER);
                }
                proptest::prop_assert_eq!(fast_run(&got, q), (end, kind), "at {}", q);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// The chunked search finds exactly the marks a character walk finds.
        #[test]
        fn marks_are_found_where_they_are(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "ـ", "\u{064b}", "\u{064e}", "\u{0651}", "\u{0652}", "\u{0653}", "\u{0654}",
                "\u{0655}", "\u{0656}", "\u{0658}", "\u{065f}", "\u{0670}", "\u{0671}", "\u{064a}",
                "\u{0660}", "\u{0680}", "\u{06b0}", "\u{0620}", "و", "ي", "ل", "“", "–", "—",
                "\u{200c}", "ڀ", "ۀ", "a", " ", "\n", "😀", "\u{d9}", "\u{80}", "\u{b0}",
            ]),
            0..60,
        )) {
            let t: String = pieces.concat();
            let want: Vec<usize> = t
                .char_indices()
                .filter(|&(_, c)| is_mark(c))
                .map(|(i, _)| i)
                .collect();
            proptest::prop_assert_eq!(marks(&t).collect::<Vec<_>>(), want);
        }

        #[test]
        fn agrees_with_splitting_each_line(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "ا", "و", "ي", "ی", "ة", "أ", "ك", "ک", "سوريا", "محمد", "\u{0654}", "\u{064e}",
                "\u{0656}", "\u{0640}", "\u{200c}", "\u{200f}", "\u{feff}", " ", "\u{a0}", "\t",
                "\r", "\n", "\r\n", "A", "b", "7", "٣", "۴", "«", "»", "،", "…", "😀", "'",
                "𝐀", "²", "ⅷ", "الرئيس السوري قال في مؤتمر صحفي", "پ", "چ", "ژ", "گ", "ۀ",
                "ے", "ۓ", "۔", "\u{0658}", "\u{065f}", "\u{0670}", "ٱ", "中", "é", "ß", "ـ",
                "ي", "\u{0660}", "\u{06f0}", "؟", "؛", "٪", "2024م", "\u{0620}", "\u{06ff}",
                "\u{066e}", "ـا",
            ]),
            0..80,
        )) {
            let t: String = pieces.concat();
            let n = normalize(&t);
            let fw = FoldedWords::new(&n.text);
            proptest::prop_assert_eq!(words_of(&fw, &n.text), reference(&n.text));
            let mut reports = Reports::default();
            let fw2 = FoldedWords::scan(&n.text, &mut reports);
            proptest::prop_assert_eq!(&fw2.words, &fw.words);
            proptest::prop_assert_eq!(reports, reports_reference(&n.text));
            for (i, ws) in (0..).map_while(|i| fw.line(i)).enumerate() {
                let (s, e) = fw.line_range(i).unwrap_or_default();
                for w in ws {
                    proptest::prop_assert!(s <= w.start as usize && w.end as usize <= e);
                    let bytes = &n.text.as_bytes()[w.start as usize..w.end as usize];
                    proptest::prop_assert_eq!(w.hash, hash_bytes(bytes));
                }
                proptest::prop_assert_eq!(
                    fw.has_marks(i),
                    n.text[s..e].contains(|c| matches!(c, '\u{0656}'..='\u{065f}'))
                );
            }
        }
    }
}
