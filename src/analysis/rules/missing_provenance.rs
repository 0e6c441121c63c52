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
use regex::Regex;
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

fn numeric_date() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        // Digits of every system: \d would accept them all, which is what is wanted here.
        // ASCII mode: folding has made every digit ASCII, and Unicode word boundaries would
        // make this the slowest rule by far.
        Regex::new(
            r"(?x-u)\b(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b
              |(?i:\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b)
              |(?i:\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
        )
        .ok()
    })
    .as_ref()
}

/// The folded month names as a set: every word of the article is looked up.
fn months() -> &'static std::collections::HashSet<String, crate::analysis::script::FastHash> {
    static M: OnceLock<std::collections::HashSet<String, crate::analysis::script::FastHash>> =
        OnceLock::new();
    M.get_or_init(|| MONTHS.iter().map(|m| fold(m)).collect())
}

/// The folded [`ATTRIBUTIONS`].
fn attribution_words() -> &'static [String] {
    static A: OnceLock<Vec<String>> = OnceLock::new();
    A.get_or_init(|| ATTRIBUTIONS.iter().map(|a| fold(a)).collect())
}

/// Does the folded text hold one of the [`ATTRIBUTIONS`]? (A substring search per word: on
/// Arabic text, where no byte is rare, an Aho-Corasick pass over the article cost five times
/// as much.)
fn has_attribution(folded: &str) -> bool {
    attribution_words()
        .iter()
        .any(|a| folded.contains(a.as_str()))
}

/// Does the folded text hold a date: a numeric one, or a number next to a month name? Folding
/// has already turned every digit system into ASCII digits.
fn has_date(folded: &str) -> bool {
    numeric_date().is_some_and(|re| re.is_match(folded)) || month_next_to_number(folded)
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
    let is_month =
        |w: Option<(usize, usize)>| w.is_some_and(|(s, e)| months.contains(&folded[s..e]));
    let bytes = folded.as_bytes();
    let mut p = 0;
    // Folding has made every digit ASCII; a digit of another system found here would only
    // fail the number test below.
    while let Some(d) = super::mixed_digits::next_digit(bytes, p) {
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
        if has_attribution(folded) || has_date(folded) {
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
    use crate::analysis::rules::testing::check;

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
    fn a_month_word_without_a_number_is_not_a_date() {
        check(
            "missing-provenance",
            "⟦نهاية شهر رمضان⟧\n\nقال مسؤول إن الاستعدادات لشهر رمضان بدأت.",
        );
    }
}
