//! `mixed-digits`: one number written in two digit systems, or an article that uses two.
//!
//! Arabic text writes numbers in Western (0-9) or Arabic-Indic (٠-٩) digits, Persian in
//! Extended Arabic-Indic (۰-۹). Scraped articles mix them, and a number that mixes them (٢٠17)
//! breaks search and sorting. Note that regex `\d` and `char::is_numeric` accept every digit
//! system, so the systems are told apart explicitly here.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::count_chars;

pub struct MixedDigits;

static META: RuleMeta = RuleMeta {
    id: "mixed-digits",
    default_severity: Severity::Warning,
    summary: "a number that mixes digit systems, or an article that uses two",
    help: "## What it does\n\n\
Reports a number written in more than one digit system (Western 0-9, Arabic-Indic ٠-٩, \
Persian ۰-۹) as a warning, and an article whose numbers use two systems as a hint.\n\n\
## Why it matters\n\n\
A mixed number is almost always a scraping or typing accident; it defeats search, sorting and \
any reader that parses the number. An article with two systems is usually boilerplate glued to \
the text.\n\n\
## Example\n\n\
`في عام ٢٠17` → `في عام ٢٠١٧` (the fix writes the number in the system most of the article \
uses).\n",
    fixable: true,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum System {
    Western,
    ArabicIndic,
    Persian,
}

impl System {
    fn of(c: char) -> Option<System> {
        match c {
            '0'..='9' => Some(System::Western),
            '٠'..='٩' => Some(System::ArabicIndic),
            '۰'..='۹' => Some(System::Persian),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            System::Western => "Western",
            System::ArabicIndic => "Arabic-Indic",
            System::Persian => "Persian",
        }
    }

    fn zero(self) -> u32 {
        match self {
            System::Western => '0' as u32,
            System::ArabicIndic => '٠' as u32,
            System::Persian => '۰' as u32,
        }
    }

    fn convert(self, c: char) -> char {
        match System::of(c) {
            Some(from) => char::from_u32(self.zero() + (c as u32 - from.zero())).unwrap_or(c),
            None => c,
        }
    }
}

/// A maximal run of digits, with single separators between digits (1,000 / ٠٦:٠٣ / ۱۲٫۵).
/// Only its bytes are kept: code points are counted for the few numbers reported
/// ([`CodePoints`]), since counting them up to every number was a third of this rule.
struct Number {
    /// Byte range of the number in the article.
    bytes: (usize, usize),
    systems: Systems,
}

/// Code-point offsets of byte offsets of one text, counted on from the last one asked for.
struct CodePoints<'t> {
    text: &'t [u8],
    counted: (usize, usize),
}

impl<'t> CodePoints<'t> {
    fn new(text: &'t str) -> Self {
        CodePoints {
            text: text.as_bytes(),
            counted: (0, 0),
        }
    }

    fn at(&mut self, b: usize) -> usize {
        if b < self.counted.0 {
            self.counted = (0, 0);
        }
        let (b0, c0) = self.counted;
        let c = c0 + count_chars(&self.text[b0..b]);
        self.counted = (b, c);
        c
    }

    /// The code-point span of `n`.
    fn span(&mut self, n: &Number) -> (usize, usize) {
        (self.at(n.bytes.0), self.at(n.bytes.1))
    }
}

/// The digit systems of one number in the order they appear: at most three, kept inline since
/// an article has hundreds of numbers and a `Vec` each was most of this rule's allocations.
#[derive(Clone, Copy, Debug)]
struct Systems {
    seen: [System; 3],
    len: usize,
}

impl Systems {
    fn new(first: System) -> Self {
        Systems {
            seen: [first; 3],
            len: 1,
        }
    }

    fn add(&mut self, s: System) {
        if !self.as_slice().contains(&s) {
            if let Some(slot) = self.seen.get_mut(self.len) {
                *slot = s;
                self.len += 1;
            }
        }
    }

    fn as_slice(&self) -> &[System] {
        &self.seen[..self.len]
    }
}

/// Every number of `text`, adding each digit to `counts` by system: every digit belongs to
/// exactly one number. Digits are found by [`next_digit`].
fn numbers(text: &str, counts: &mut [usize; 3]) -> Vec<Number> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut p = 0;
    while let Some(d) = next_digit(bytes, p) {
        let n = number_at(text, d, counts);
        p = n.bytes.1;
        out.push(n);
    }
    out
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `v` that is below `n` (at most 128), exactly: seven-bit sums
/// cannot carry into the next byte.
fn bytes_below(v: u64, n: u8) -> u64 {
    !(((v & !HIGHS) + (0x80 - u64::from(n)) * ONES) | v) & HIGHS
}

/// The high bit of each byte of `v` in `base..base + 10`, for a `base` whose low nibble is 0
/// (so that XOR maps the range onto 0..10 and nothing else there).
fn bytes_in_ten(v: u64, base: u8) -> u64 {
    bytes_below(v ^ (u64::from(base) * ONES), 10)
}

/// Whether byte `i` of `bytes` starts a digit of one of the three systems.
fn digit_at(bytes: &[u8], i: usize) -> bool {
    match (bytes[i], bytes.get(i + 1)) {
        (b'0'..=b'9', _) => true,
        (0xd9, Some(0xa0..=0xa9)) => true, // ٠-٩ (U+0660..U+0669)
        (0xdb, Some(0xb0..=0xb9)) => true, // ۰-۹ (U+06F0..U+06F9)
        _ => false,
    }
}

/// The byte offset of the first digit (0-9, ٠-٩, ۰-۹) at or after byte `from`. Eight bytes
/// are looked at at once (a digit's first byte is never inside another character), since
/// decoding every letter of an article to find its few digits was most of this rule's cost.
pub(super) fn next_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let mut p = from;
    // Most of an article holds no digit: 64 bytes at a time are ruled out by a test the
    // compiler vectorises, and only the chunks that may hold one are looked at word by word.
    while let Some(chunk) = bytes.get(p..p + CHUNK + 1) {
        if chunk_may_have_digit(chunk) {
            if let Some(i) = next_digit_by_words(&bytes[..p + CHUNK + 1], p) {
                if i < p + CHUNK {
                    return Some(i);
                }
            }
        }
        p += CHUNK;
    }
    next_digit_by_words(bytes, p)
}

/// Bytes [`next_digit`] rules out at once.
const CHUNK: usize = 64;

/// Whether one of the first [`CHUNK`] bytes of `chunk` (which holds one byte more, the second
/// byte of a character starting at the last) may start a digit: a superset of [`digit_at`]
/// (lead byte D9 or DB with second byte A0..A9 or B0..B9, as in [`next_digit_by_words`]),
/// without an early exit so that it compiles to vector instructions.
#[inline]
fn chunk_may_have_digit(chunk: &[u8]) -> bool {
    let Ok(chunk) = <&[u8; CHUNK + 1]>::try_from(chunk) else {
        return true;
    };
    let mut any = 0u8;
    for k in 0..CHUNK {
        let (b, n) = (chunk[k], chunk[k + 1]);
        // Bitwise, not short-circuit: a branch per byte would keep it scalar.
        let ascii = u8::from(b.wrapping_sub(b'0') < 10);
        let indic = u8::from((b | 0x02) == 0xdb) & u8::from((n & !0x10).wrapping_sub(0xa0) < 10);
        any |= ascii | indic;
    }
    any != 0
}

/// [`next_digit`] eight bytes at a time.
fn next_digit_by_words(bytes: &[u8], from: usize) -> Option<usize> {
    let mut p = from;
    while p + 9 <= bytes.len() {
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(w)
        };
        // `x` holds the candidates' first bytes, `y` their second bytes. Lead bytes D9 and DB
        // (they differ in one bit) with second bytes A0..A9 or B0..B9 (likewise): a superset
        // of the two non-ASCII digit ranges in half the operations, whose few extra characters
        // (U+0670..U+0679, U+06E0..U+06E9) are passed over by `digit_at`.
        let (x, y) = (word(p), word(p + 1));
        let mut found = bytes_in_ten(x, 0x30)
            | (bytes_below((x ^ (0xd9 * ONES)) & !(0x02 * ONES), 1)
                & bytes_in_ten(y & !(0x10 * ONES), 0xa0));
        while found != 0 {
            let i = p + found.trailing_zeros() as usize / 8;
            if digit_at(bytes, i) {
                return Some(i);
            }
            found &= found - 1;
        }
        p += 8;
    }
    (p..bytes.len()).find(|&i| digit_at(bytes, i))
}

/// The byte offset of the first ASCII digit at or after byte `from`: the digits of folded
/// text, where every digit system has become ASCII. Sixteen bytes are looked at per step.
pub(super) fn next_ascii_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let mut p = from;
    // As in [`next_digit`]: whole chunks without a digit are passed over by a vector test.
    while let Some(chunk) = bytes.get(p..p + CHUNK) {
        let Ok(chunk) = <&[u8; CHUNK]>::try_from(chunk) else {
            break;
        };
        let mut any = 0u8;
        for &b in chunk {
            any |= u8::from(b.wrapping_sub(b'0') < 10);
        }
        if any != 0 {
            break;
        }
        p += CHUNK;
    }
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    while p + 16 <= bytes.len() {
        let (lo, hi) = (bytes_in_ten(word(p), 0x30), bytes_in_ten(word(p + 8), 0x30));
        if lo | hi != 0 {
            let found = if lo != 0 {
                lo.trailing_zeros()
            } else {
                64 + hi.trailing_zeros()
            };
            return Some(p + found as usize / 8);
        }
        p += 16;
    }
    (p..bytes.len()).find(|&i| bytes[i].is_ascii_digit())
}

/// The number whose first digit is at byte `b` of `text`.
fn number_at(text: &str, b: usize, counts: &mut [usize; 3]) -> Number {
    let mut it = text[b..].char_indices().peekable();
    let mut systems = Systems::new(System::Western);
    let mut end_b = b;
    if let Some((_, c)) = it.next() {
        if let Some(first) = System::of(c) {
            counts[first as usize] += 1;
            systems = Systems::new(first);
        }
        end_b = b + c.len_utf8();
    }
    while let Some(&(b2, c2)) = it.peek() {
        if let Some(s) = System::of(c2) {
            systems.add(s);
            counts[s as usize] += 1;
        } else if matches!(c2, ',' | '.' | ':' | '/' | '٫' | '٬' | '،') && {
            let mut ahead = it.clone();
            ahead.next();
            ahead.next().and_then(|(_, c3)| System::of(c3)).is_some()
        } {
            // A separator with a digit after it: the digit is taken next time round.
        } else {
            break;
        }
        it.next();
        end_b = b + b2 + c2.len_utf8();
    }
    Number {
        bytes: (b, end_b),
        systems,
    }
}

impl Rule for MixedDigits {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // Digits per system over the article, to know which one it mostly uses.
        let mut counts = [0usize; 3];
        let nums = numbers(cx.prep.text, &mut counts);
        let majority = [System::Western, System::ArabicIndic, System::Persian]
            .into_iter()
            .max_by_key(|s| (counts[*s as usize], std::cmp::Reverse(*s as usize)))
            .unwrap_or(System::Western);
        let mut cps = CodePoints::new(cx.prep.text);
        for n in nums.iter().filter(|n| n.systems.len > 1) {
            let (start, end) = cps.span(n);
            let names: Vec<&str> = n.systems.as_slice().iter().map(|s| s.name()).collect();
            let fixed: String = cx.prep.text[n.bytes.0..n.bytes.1]
                .chars()
                .map(|c| majority.convert(c))
                .collect();
            out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    start,
                    end,
                    format!("this number mixes {} digits", names.join(" and ")),
                )
                .with_fix(
                    format!("write it in {} digits", majority.name()),
                    start,
                    end,
                    fixed,
                ),
            );
        }
        // An article whose numbers use two systems: one hint, on its first minority number.
        let used: Vec<System> = [System::Western, System::ArabicIndic, System::Persian]
            .into_iter()
            .filter(|s| nums.iter().any(|n| n.systems.as_slice() == [*s]))
            .collect();
        if used.len() > 1 {
            if let Some(n) = nums
                .iter()
                .find(|n| n.systems.len == 1 && n.systems.seen[0] != majority)
            {
                let others: Vec<&str> = used
                    .iter()
                    .filter(|s| **s != majority)
                    .map(|s| s.name())
                    .collect();
                let (start, end) = cps.span(n);
                out.push(Diagnostic::new(
                    META.id,
                    Severity::Hint,
                    start,
                    end,
                    format!(
                        "this article writes numbers in {} digits and also in {} digits",
                        majority.name(),
                        others.join(" and ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{next_digit, numbers, System};
    use crate::analysis::rules::testing::{check, render};

    /// A number as (start, end, byte range, systems).
    type Found = (usize, usize, (usize, usize), Vec<System>);

    /// The numbers of `text` found by decoding every character: what `numbers` replaced.
    fn numbers_by_chars(text: &str, counts: &mut [usize; 3]) -> Vec<Found> {
        let mut out = Vec::new();
        let mut it = text.char_indices().peekable();
        let mut idx = 0;
        while let Some((b, c)) = it.next() {
            idx += 1;
            let Some(first) = System::of(c) else {
                continue;
            };
            let start = idx - 1;
            counts[first as usize] += 1;
            let mut systems = vec![first];
            let mut end_b = b + c.len_utf8();
            while let Some(&(b2, c2)) = it.peek() {
                if let Some(s) = System::of(c2) {
                    if !systems.contains(&s) {
                        systems.push(s);
                    }
                    counts[s as usize] += 1;
                } else if matches!(c2, ',' | '.' | ':' | '/' | '٫' | '٬' | '،') && {
                    let mut ahead = it.clone();
                    ahead.next();
                    ahead.next().and_then(|(_, c3)| System::of(c3)).is_some()
                } {
                } else {
                    break;
                }
                it.next();
                idx += 1;
                end_b = b2 + c2.len_utf8();
            }
            out.push((start, idx, (b, end_b), systems));
        }
        out
    }

    #[test]
    fn numbers_agree_with_the_character_walk() {
        let alphabet: Vec<char> =
            "09٠٩۰۹5٣۷,.:/٫٬،ءابةيیكکنهٹ  \u{a0}\u{200c}\u{64b}\u{670}\u{6e4}\u{6e9}\r\n😀zA«»"
                .chars()
                .collect();
        let mut rng = crate::analysis::rules::testing::Lcg(11);
        let mut next = move |n: usize| rng.below(n);
        for _ in 0..4000 {
            let len = next(40);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let (mut c1, mut c2) = ([0; 3], [0; 3]);
            let mut cps = super::CodePoints::new(&text);
            let got: Vec<_> = numbers(&text, &mut c1)
                .into_iter()
                .map(|n| {
                    let (start, end) = cps.span(&n);
                    (start, end, n.bytes, n.systems.as_slice().to_vec())
                })
                .collect();
            assert_eq!(got, numbers_by_chars(&text, &mut c2), "{text:?}");
            assert_eq!(c1, c2, "{text:?}");
            let first = text
                .char_indices()
                .find(|&(_, c)| System::of(c).is_some())
                .map(|(b, _)| b);
            assert_eq!(next_digit(text.as_bytes(), 0), first, "{text:?}");
        }
    }

    #[test]
    fn ascii_digit_search_agrees_with_a_byte_walk() {
        let pieces = [
            "1", "9", "٣", "۷", "ب", "a", " ", "/", "0", "😀", "abcdefgh",
        ];
        let mut rng = crate::analysis::rules::testing::Lcg(12);
        for _ in 0..4000 {
            let text: String = (0..rng.below(30))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            let bytes = text.as_bytes();
            for from in 0..=bytes.len() {
                let want = (from..bytes.len()).find(|&i| bytes[i].is_ascii_digit());
                assert_eq!(
                    super::next_ascii_digit(bytes, from),
                    want,
                    "{text:?} {from}"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// The chunked searches find the first digit from every offset, on texts long enough
        /// for many chunks, with digits and their look-alikes (U+0670..U+0679, U+06E0..U+06E9,
        /// letters whose second byte is a digit's) at every place in a chunk.
        #[test]
        fn chunked_searches_find_the_first_digit(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "0", "9", "٠", "٩", "۰", "۹", "ٰ", "ٹ", "۠", "۩", "ا", "ب", "ي", "ۀ", " ",
                "abcdefghijklmnopqrstuvwxyz", "في المنطقة التي ", "😀", "/", ":", "\n",
            ]),
            0..120,
        )) {
            let text: String = pieces.concat();
            let bytes = text.as_bytes();
            for from in 0..=bytes.len() {
                let want = (from..bytes.len()).find(|&i| super::digit_at(bytes, i));
                proptest::prop_assert_eq!(next_digit(bytes, from), want, "{}", from);
                let want = (from..bytes.len()).find(|&i| bytes[i].is_ascii_digit());
                proptest::prop_assert_eq!(super::next_ascii_digit(bytes, from), want);
            }
        }
    }

    #[test]
    fn mixed_number() {
        check("mixed-digits", "في عام ⟦٢٠17⟧ قال");
        check("mixed-digits", "کد خبر: ⟦۹۱٢٠۹۰⟧");
    }

    #[test]
    fn clean_numbers() {
        check("mixed-digits", "في عام ٢٠١٧ الساعة ٠٦:٠٣");
        check("mixed-digits", "in 2017 at 06:03:29, 1,000.5");
        check("mixed-digits", "کد خبر: ۹۱۲۰۹۰");
    }

    #[test]
    fn two_systems_in_one_article() {
        check("mixed-digits", "modified 24 May 2017 06:03\nMay ⟦٢٤⟧, ٢٠١٧");
        expect_test::expect![[r#"
            1:8-1:12 warning this number mixes Arabic-Indic and Western digits [٢٠17]
              fix: write it in Arabic-Indic digits 7..11="٢٠١٧"
        "#]]
        .assert_eq(&render("mixed-digits", "في عام ٢٠17 و٢٠١٨"));
    }
}
