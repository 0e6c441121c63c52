//! `missing-provenance`: an article with neither a named source nor a date anywhere in it.
//!
//! A curated news corpus is only as useful as what it can say about where each text came from
//! and when. Either one is enough: a knowledge-base source mentioned anywhere (a dateline «دمشق -
//! سانا», a signature line (… - الوطن)), an attribution such as به گزارش or نقلا عن, or a date
//! (24/05/2017, 2017-05-24, ٢٤ أيار ٢٠١٧, 3 خرداد 1396, May 24, 2017). An empty article has
//! nothing to attribute and is not reported.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::kb::Kind;
use crate::analysis::normalize::fold;
use std::sync::OnceLock;

pub struct MissingProvenance;

static META: RuleMeta = RuleMeta {
    id: "missing-provenance",
    default_severity: Severity::Warning,
    summary: "an article with neither a named source nor a date",
    help: "## What it does\n\n\
Reports an article in which no news source (from the knowledge base, or after an attribution \
such as «نقلا عن», «به گزارش») and no date appear anywhere.\n\n\
## Why it matters\n\n\
Without a source or a date an article cannot be cited, deduplicated against its origin, or \
placed in time.\n\n\
## Example\n\n\
An article that ends with `(سيرياهوم نيوز-وكالات-الوطن)` or starts with `دمشق، 12 كانون الثاني \
2017` is fine; one with neither is reported on its first line.\n",
    fixable: false,
};

const MONTHS: &[&str] = &[
    // Arabic (Egyptian/Gulf and Levantine names)
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ابريل",
    "إبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "اغسطس",
    "سبتمبر",
    "أكتوبر",
    "اكتوبر",
    "نوفمبر",
    "ديسمبر",
    "كانون",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "ايار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "ايلول",
    "تشرين",
    // Hijri
    "محرم",
    "صفر",
    "ربيع",
    "جمادى",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
    // Persian (solar and Gregorian)
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
    "ژانویه",
    "فوریه",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
];

const ATTRIBUTIONS: &[&str] = &[
    "نقلا عن",
    "نقلاً عن",
    "به گزارش",
    "به نقل از",
    "وكالة",
    "صحيفة",
    "خبرگزاری",
    "روزنامه",
];

/// The first three letters of the month names a numeric-looking English date may use
/// (`May 24`, `24 May`), compared without regard to ASCII case.
const MONTH_ABBREVIATIONS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// A word byte for an ASCII word boundary (`\b` of an ASCII-mode regex): every byte outside
/// ASCII is a non-word byte.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// ASCII whitespace as an ASCII-mode regex's `\s` has it: with the vertical tab, which
/// `u8::is_ascii_whitespace` leaves out.
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

fn is_date_separator(b: u8) -> bool {
    matches!(b, b'-' | b'/' | b'.')
}

/// The end of the run of bytes satisfying `class` that starts at `from`.
fn run_end(bytes: &[u8], from: usize, class: impl Fn(u8) -> bool) -> usize {
    from + bytes[from.min(bytes.len())..]
        .iter()
        .take_while(|&&b| class(b))
        .count()
}

/// The start of the run of bytes satisfying `class` that ends at `to`.
fn run_start(bytes: &[u8], to: usize, class: impl Fn(u8) -> bool) -> usize {
    to - bytes[..to].iter().rev().take_while(|&&b| class(b)).count()
}

/// Whether `bytes[from..to]` is an ASCII word that starts with a month abbreviation.
fn is_month_word(bytes: &[u8], from: usize, to: usize) -> bool {
    to >= from + 3
        && MONTH_ABBREVIATIONS
            .iter()
            .any(|m| bytes[from..from + 3].eq_ignore_ascii_case(&m[..]))
}

/// Does the folded text hold a date written with ASCII digits: 2017-05-24, 24/05/2017 (any of
/// `-`, `/`, `.` between the parts), `May 24` or `24 May`? Exactly what the ASCII-mode regex
/// ```text
/// \b(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b
/// |(?i:\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b)
/// |(?i:\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)
/// ```
/// matches (the tests hold it to that regex), looked for only around runs of digits, which
/// every alternative needs: the regex's first-byte prefilter tested every byte of the article
/// one at a time, and building the regex cost as much again as running it on 300 articles.
fn has_numeric_date(folded: &str) -> bool {
    let bytes = folded.as_bytes();
    let mut p = 0;
    while let Some(s) = super::mixed_digits::next_ascii_digit(bytes, p) {
        let e = run_end(bytes, s, |b| b.is_ascii_digit());
        if date_at_digits(bytes, s, e) {
            return true;
        }
        p = e;
    }
    false
}

/// Whether the maximal run of digits `bytes[s..e]` takes part in a date as
/// [`has_numeric_date`] defines it: as the first part of a numeric date, or as the day beside
/// a month.
fn date_at_digits(bytes: &[u8], s: usize, e: usize) -> bool {
    let boundary_before = s == 0 || !is_word_byte(bytes[s - 1]);
    let boundary_after = |i: usize| !bytes.get(i).copied().is_some_and(is_word_byte);
    // A maximal run of digits after a separator at `i`, when there is one: its end.
    let part_after = |i: usize, lens: std::ops::RangeInclusive<usize>| {
        if !bytes.get(i).copied().is_some_and(is_date_separator) {
            return None;
        }
        let end = run_end(bytes, i + 1, |b| b.is_ascii_digit());
        lens.contains(&(end - i - 1)).then_some(end)
    };
    let len = e - s;
    // The second and third parts of a numeric date whose first part is this run.
    let numeric = |first_fits: bool, last: std::ops::RangeInclusive<usize>| {
        first_fits
            && part_after(e, 1..=2)
                .and_then(|e2| part_after(e2, last))
                .is_some_and(boundary_after)
    };
    if boundary_before && (numeric(len == 4, 1..=2) || numeric((1..=2).contains(&len), 2..=4)) {
        return true;
    }
    if !(1..=2).contains(&len) || !boundary_after(e) {
        return false;
    }
    // A month before the day: `May 24`, `May. 24`.
    let ws = run_start(bytes, s, is_space_byte);
    if ws < s {
        let q = if ws > 0 && bytes[ws - 1] == b'.' {
            ws - 1
        } else {
            ws
        };
        let ls = run_start(bytes, q, |b| b.is_ascii_alphabetic());
        if (ls == 0 || !is_word_byte(bytes[ls - 1])) && is_month_word(bytes, ls, q) {
            return true;
        }
    }
    // A month after the day: `24 May`.
    let we = run_end(bytes, e, is_space_byte);
    if boundary_before && we > e {
        let le = run_end(bytes, we, |b| b.is_ascii_alphabetic());
        if is_month_word(bytes, we, le) && boundary_after(le) {
            return true;
        }
    }
    false
}

/// The folded month names as a set: every word of the article is looked up.
fn months() -> &'static std::collections::HashSet<String, crate::analysis::script::FastHash> {
    static M: OnceLock<std::collections::HashSet<String, crate::analysis::script::FastHash>> =
        OnceLock::new();
    M.get_or_init(|| {
        MONTHS
            .iter()
            .filter(|m| !m.contains(' '))
            .map(|m| fold(m))
            .collect()
    })
}

/// The folded month names of two words (ذو القعدة، ذو الحجة) as (first word, second word):
/// the text is looked at one word at a time, so they are matched word by word.
fn two_word_months() -> &'static [(String, String)] {
    static M: OnceLock<Vec<(String, String)>> = OnceLock::new();
    M.get_or_init(|| {
        MONTHS
            .iter()
            .filter_map(|m| {
                let f = fold(m);
                let (a, b) = f.split_once(' ')?;
                Some((a.to_string(), b.to_string()))
            })
            .collect()
    })
}

/// Byte frequencies of folded Arabic and Persian text, for `memmem` to pick the rarest two bytes
/// of a needle to look for: its default table is tuned for English, where every byte of Arabic
/// script looks rare, so it would look for the lead bytes D8 and D9 that start most letters.
struct ArabicRanks;

impl memchr::arch::all::packedpair::HeuristicFrequencyRank for ArabicRanks {
    fn rank(&self, byte: u8) -> u8 {
        match byte {
            // Lead bytes of U+0600..U+06FF and the space between words.
            0xd8 | 0xd9 | b' ' => 255,
            0xda | 0xdb => 160,
            // Second bytes of the most frequent letters: ا ل ي م ن و ه ر ت ب ع د ف ق ك س ح.
            0xa7 | 0x84 => 250,
            0x8a | 0x85 | 0x86 | 0x88 | 0x87 => 235,
            0xb1 | 0xaa | 0xa8 => 220,
            0xb9 | 0xaf | 0x81 | 0x82 | 0x83 | 0xb3 | 0xad => 190,
            0xac | 0xb4 | 0xb5 | 0xb7 | 0xae | 0xb2 | 0x8c => 140,
            0x80..=0xbf => 90,
            _ => 40,
        }
    }
}

/// Parts of the [`ATTRIBUTIONS`] searched for in their stead: گزار stands for خبرگزاری and
/// به گزارش, نقل for نقلا عن and به نقل از, so that five searches of the article do the work of
/// seven.
const ATTRIBUTION_PARTS: &[&str] = &["وكالة", "صحيفة", "روزنامه", "گزار", "نقل"];

/// The folded [`ATTRIBUTIONS`].
fn attribution_words() -> &'static [String] {
    static W: OnceLock<Vec<String>> = OnceLock::new();
    W.get_or_init(|| ATTRIBUTIONS.iter().map(|a| fold(a)).collect())
}

/// A substring searcher for each folded part of [`ATTRIBUTION_PARTS`] (and for each attribution
/// word that holds none), with the attribution words it stands for, each with where the part
/// lies in it.
type Finders = Vec<(memchr::memmem::Finder<'static>, Vec<(usize, String)>)>;

fn attribution_finders() -> &'static Finders {
    static A: OnceLock<Finders> = OnceLock::new();
    A.get_or_init(|| {
        let mut parts: Vec<String> = ATTRIBUTION_PARTS.iter().map(|p| fold(p)).collect();
        let mut words: Vec<Vec<(usize, String)>> = vec![Vec::new(); parts.len()];
        for w in attribution_words() {
            match parts.iter().position(|p| w.contains(p.as_str())) {
                Some(k) => {
                    let at = w.find(parts[k].as_str()).unwrap_or_default();
                    if !words[k].iter().any(|(_, x)| x == w) {
                        words[k].push((at, w.clone()));
                    }
                }
                None => {
                    parts.push(w.clone());
                    words.push(vec![(0, w.clone())]);
                }
            }
        }
        parts
            .iter()
            .zip(words)
            .filter(|(_, ws)| !ws.is_empty())
            .map(|(p, ws)| {
                let f = memchr::memmem::FinderBuilder::new()
                    .build_forward_with_ranker(ArabicRanks, p.as_bytes())
                    .into_owned();
                (f, ws)
            })
            .collect()
    })
}

/// Does the folded text hold one of the [`ATTRIBUTIONS`]? One vectorised substring search per
/// part of them: on Arabic text, where no byte is rare, an Aho-Corasick pass over the article
/// cost five times as much as `str::contains`, and `str::contains` four times as much as this.
fn has_attribution(folded: &str) -> bool {
    let bytes = folded.as_bytes();
    attribution_finders().iter().any(|(f, words)| {
        f.find_iter(bytes).any(|hit| {
            words.iter().any(|(at, w)| {
                hit.checked_sub(*at)
                    .and_then(|s| bytes.get(s..))
                    .is_some_and(|rest| rest.starts_with(w.as_bytes()))
            })
        })
    })
}

/// Whether the article has an attribution by one of the [`ATTRIBUTIONS`] (every one of them is
/// an attribution trigger): then [`has_attribution`] holds without a search.
fn attributed(cx: &Context<'_>) -> bool {
    let words = attribution_words();
    cx.attributions()
        .iter()
        .any(|a| words.iter().any(|w| w == a.trigger.folded))
}

/// Does the folded text hold a date: a numeric one, or a number next to a month name? Folding
/// has already turned every digit system into ASCII digits.
fn has_date(folded: &str) -> bool {
    has_numeric_date(folded) || month_next_to_number(folded)
}

/// A character of a word as dates are split into words: letters, digits and ZWNJ.
fn is_date_word_char(c: char) -> bool {
    crate::analysis::normalize::is_alnum(c) || c == '\u{200c}'
}

/// Is a month name one word before a number or one or two words after one? The text's words
/// are runs of [`is_date_word_char`]; a month needs a number beside it, so only the words around
/// each number (a word of ASCII digits) are looked at, and the rest of the text is only scanned
/// for digits.
fn month_next_to_number(folded: &str) -> bool {
    let months = months();
    let word = |w: (usize, usize)| &folded[w.0..w.1];
    let single = |w: (usize, usize)| months.contains(word(w));
    // A month name that starts with word `w` (after a number) or ends with it (before one).
    let starts_month = |w: Option<(usize, usize)>| {
        w.is_some_and(|w| {
            single(w)
                || two_word_months().iter().any(|(a, b)| {
                    word(w) == a && word_after(folded, w.1).is_some_and(|n| word(n) == b)
                })
        })
    };
    let ends_month = |w: Option<(usize, usize)>| {
        w.is_some_and(|w| {
            single(w)
                || two_word_months().iter().any(|(a, b)| {
                    word(w) == b && word_before(folded, w.0).is_some_and(|p| word(p) == a)
                })
        })
    };
    let bytes = folded.as_bytes();
    let mut p = 0;
    // Folding has made every digit ASCII; a digit of another system found here would only
    // fail the number test below.
    while let Some(d) = super::mixed_digits::next_ascii_digit(bytes, p) {
        let (s, e) = word_around(folded, d);
        if bytes[s..e].iter().all(u8::is_ascii_digit) {
            let before = word_before(folded, s);
            if starts_month(word_after(folded, e))
                || ends_month(before)
                || ends_month(before.and_then(|(bs, _)| word_before(folded, bs)))
            {
                return true;
            }
        }
        p = e.max(d + 1);
    }
    false
}

/// The byte range of the word holding the word character at byte `b`.
fn word_around(text: &str, b: usize) -> (usize, usize) {
    let start = text[..b]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_date_word_char(c))
        .last()
        .map_or(b, |(i, _)| i);
    let end = text[b..]
        .char_indices()
        .find(|&(_, c)| !is_date_word_char(c))
        .map_or(text.len(), |(i, _)| b + i);
    (start, end)
}

/// The byte range of the last word that ends at or before byte `b`.
fn word_before(text: &str, b: usize) -> Option<(usize, usize)> {
    let (i, c) = text[..b]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_date_word_char(c))?;
    let end = i + c.len_utf8();
    Some((word_around(text, i).0, end))
}

/// The byte range of the first word that starts at or after byte `b`.
fn word_after(text: &str, b: usize) -> Option<(usize, usize)> {
    let (i, _) = text[b..]
        .char_indices()
        .find(|&(_, c)| is_date_word_char(c))?;
    Some(word_around(text, b + i))
}

impl Rule for MissingProvenance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(first) = cx.prep.lines.iter().find(|l| !l.text.trim().is_empty()) else {
            return;
        };
        if cx
            .mentions
            .iter()
            .any(|m| cx.kb.entity(m.entity).kind == Kind::Source)
        {
            return;
        }
        let folded = &cx.prep.norm.text;
        // The cheap answers first: attributions are found for `unknown-source` anyway, and a
        // date is looked for only around digits, where a search for the attribution words
        // reads every byte.
        if attributed(cx) || has_date(folded) || has_attribution(folded) {
            return;
        }
        let lead = first.text.chars().take_while(|c| c.is_whitespace()).count();
        let trail = first.text.trim_end().chars().count();
        out.push(Diagnostic::new(
            META.id,
            Severity::Warning,
            first.start + lead,
            first.start + trail,
            "this article names no source and gives no date",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{check, Lcg};

    /// The regex [`has_numeric_date`] replaced.
    fn numeric_date_regex() -> regex::Regex {
        regex::Regex::new(
            r"(?x-u)\b(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b
              |(?i:\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b)
              |(?i:\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
        )
        .expect("valid regex")
    }

    /// Random text from pieces that make and break dates: digits, separators, every kind of
    /// ASCII space, month names in any case, word bytes, Arabic letters and digits.
    fn random_text(rng: &mut Lcg, pieces: &[&str], max: usize) -> String {
        let n = rng.below(max);
        (0..n).map(|_| pieces[rng.below(pieces.len())]).collect()
    }

    const DATE_PIECES: &[&str] = &[
        "1", "2", "05", "24", "2017", "123", "-", "/", ".", ".", " ", " ", "\t", "\n", "\r\n",
        "\u{b}", "\u{c}", "\u{a0}", "jan", "May", "SEPT", "dec", "ember", "x", "_", "ب", "٣", "۱",
        "ي", ",", "\u{200c}", "12/", "3-", "2017.", "may ", " 5", "Dec. ",
    ];

    #[test]
    fn numeric_date_scan_agrees_with_the_regex() {
        let re = numeric_date_regex();
        let mut rng = Lcg(21);
        let mut dates = 0;
        for _ in 0..30000 {
            let text = random_text(&mut rng, DATE_PIECES, 14);
            let want = re.is_match(&text);
            assert_eq!(has_numeric_date(&text), want, "{text:?}");
            dates += usize::from(want);
        }
        // Both answers are common enough for the comparison to mean something.
        assert!((2000..28000).contains(&dates), "{dates} dates");
        for t in [
            "2017-05-24",
            "ب2017-05-24",
            "24/05/2017",
            "24.5.17x",
            "May 24",
            "may. 4",
            "Sept\u{b}24",
            "24 December",
            "24 Mayo_",
            "x24 May",
            "2017-05-245",
        ] {
            assert_eq!(has_numeric_date(t), re.is_match(t), "{t:?}");
        }
    }

    /// [`month_next_to_number`] as it was, stepping through digits of every system.
    fn month_next_to_number_all_digits(folded: &str) -> bool {
        let months = months();
        let is_month =
            |w: Option<(usize, usize)>| w.is_some_and(|(s, e)| months.contains(&folded[s..e]));
        let bytes = folded.as_bytes();
        let mut p = 0;
        while let Some(d) = crate::analysis::rules::mixed_digits::next_digit(bytes, p) {
            let (s, e) = word_around(folded, d);
            if bytes[s..e].iter().all(u8::is_ascii_digit) {
                let before = word_before(folded, s);
                if is_month(word_after(folded, e))
                    || is_month(before)
                    || is_month(before.and_then(|(bs, _)| word_before(folded, bs)))
                {
                    return true;
                }
            }
            p = e.max(d + 1);
        }
        false
    }

    #[test]
    fn month_search_by_ascii_digits_agrees_with_every_digit() {
        let pieces = &[
            "12",
            "3",
            "٣",
            "۱۲",
            " ",
            " ",
            "\n",
            "مه",
            "دي",
            "رمضان",
            "شهر",
            "ب",
            "\u{200c}",
            ".",
            " 12 ",
            " مه ",
            "٣ ",
        ];
        let mut rng = Lcg(22);
        let mut found = 0;
        for _ in 0..20000 {
            let text = random_text(&mut rng, pieces, 10);
            let want = month_next_to_number_all_digits(&text);
            assert_eq!(month_next_to_number(&text), want, "{text:?}");
            found += usize::from(want);
        }
        assert!((1000..19000).contains(&found), "{found} found");
    }

    #[test]
    fn attribution_search_agrees_with_contains() {
        let pieces = &[
            "به",
            " ",
            "گزارش",
            "نقلا",
            "عن",
            "وكاله",
            "صحيفه",
            "روز",
            "نامه",
            "ب",
            "خبر",
            "گزار",
            "نقل",
            "از",
            "ش",
            "ی",
        ];
        let mut rng = Lcg(23);
        for _ in 0..5000 {
            let text = random_text(&mut rng, pieces, 8);
            let want = ATTRIBUTIONS.iter().any(|a| text.contains(fold(a).as_str()));
            assert_eq!(has_attribution(&text), want, "{text:?}");
        }
    }

    #[test]
    fn no_source_no_date() {
        check(
            "missing-provenance",
            "\n⟦عنوان الخبر⟧\n\nقال مسؤول إن الاجتماع كان مثمرا.\n",
        );
    }

    #[test]
    fn a_source_or_a_date_is_enough() {
        check(
            "missing-provenance",
            "عنوان\n\nدمشق - سانا: قال مسؤول إن الاجتماع كان مثمرا.",
        );
        check(
            "missing-provenance",
            "عنوان\n\nقال مسؤول إن الاجتماع كان مثمرا.\n(سيرياهوم نيوز-وكالات-الوطن)",
        );
        check(
            "missing-provenance",
            "عنوان\n\nدمشق، 12 كانون الثاني 2017 - قال مسؤول إن الاجتماع كان مثمرا.",
        );
        check(
            "missing-provenance",
            "عنوان\n\nقال مسؤول في ٢٤/٠٥/٢٠١٧ إن الاجتماع كان مثمرا.",
        );
        check(
            "missing-provenance",
            "عنوان\n\nبه گزارش خبرنگار ما، جلسه امروز برگزار شد.",
        );
        check(
            "missing-provenance",
            "title\n\nMay 24, 2017 06:03 UTC the meeting ended.",
        );
        check(
            "missing-provenance",
            "عنوان\n\nتهران، ۳ خرداد ۱۳۹۶: جلسه امروز برگزار شد.",
        );
    }

    #[test]
    fn empty_article_is_not_reported() {
        check("missing-provenance", "");
        check("missing-provenance", "\n \n");
    }

    #[test]
    fn two_word_hijri_months_next_to_a_number_are_dates() {
        check(
            "missing-provenance",
            "عنوان\n\nمكة المكرمة في 15 ذو القعدة قال مسؤول إن الاجتماع كان مثمرا.",
        );
        check(
            "missing-provenance",
            "عنوان\n\nفي ذو الحجة 1438 قال مسؤول إن الاجتماع كان مثمرا.",
        );
        check(
            "missing-provenance",
            "عنوان\n\nفي ذو الحجة عام 1438 قال مسؤول إن الاجتماع كان مثمرا.",
        );
    }

    #[test]
    fn half_a_two_word_month_is_not_a_month() {
        check(
            "missing-provenance",
            "⟦عنوان⟧\n\nقال ذو الخبرة 15 مرة إن القعدة 3 أيام، والحجة 4 أيام.",
        );
        check(
            "missing-provenance",
            "⟦عنوان⟧\n\nفي ذو الحجة قال مسؤول إن الاجتماع كان مثمرا.",
        );
    }

    #[test]
    fn a_month_word_without_a_number_is_not_a_date() {
        check(
            "missing-provenance",
            "⟦نهاية شهر رمضان⟧\n\nقال مسؤول إن الاستعدادات لشهر رمضان بدأت.",
        );
    }
}
