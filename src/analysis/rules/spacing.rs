//! `spacing`: runs of spaces, NBSP between words, trailing whitespace, misplaced spaces around
//! punctuation, and an Arabic و written apart from its word.
//!
//! Each of these is scraped noise or a typing slip whose fix is certain. NBSP is reported at hint
//! severity only: it is in about a fifth of ordinary scraped articles and harms little. Numbers
//! and times (06:03:29، ٠٦:٠٣، 1.5) and ellipses are not missing spaces. Persian writes و apart
//! correctly, so the detached-و check runs on Arabic paragraphs only.

use super::attribution::count_chars;
use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::is_alnum;
use crate::analysis::script::Lang;
use crate::analysis::text::Line;

pub struct Spacing;

static META: RuleMeta = RuleMeta {
    id: "spacing",
    default_severity: Severity::Info,
    summary: "runs of spaces, NBSP, trailing whitespace, spaces around punctuation, a detached و",
    help: "## What it does\n\n\
Reports runs of two or more spaces, non-breaking spaces used between words (hint), whitespace \
at the end of a line, a space before ، ؛ : . and a missing space after them (outside numbers, \
times and ellipses), and in Arabic text a و written apart from the word it belongs to.\n\n\
## Why it matters\n\n\
Tokenisers, search and diff tools treat these as different text; they are almost always \
left by scraping or hurried typing.\n\n\
## Example\n\n\
`قال مسؤول ، إن` → `قال مسؤول، إن`; `الاجتماع،بعد` → `الاجتماع، بعد`; `و روسيا` → `وروسيا`.\n",
    fixable: true,
};

const NBSP: char = '\u{a0}';

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == NBSP
}

impl Rule for Spacing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (li, line) in cx.prep.lines.iter().enumerate() {
            let arabic = cx.prep.langs.get(li).copied() == Some(Lang::Arabic);
            check_line(line, arabic, true, out);
        }
    }
}

/// The findings of one line. `prefilter` is only off in tests, which check [`may_have_finding`]
/// against the full walk.
fn check_line(line: &Line<'_>, arabic: bool, prefilter: bool, out: &mut Vec<Diagnostic>) {
    let text = line.text;
    // Code points of the line; `line.end - line.start` counts them already.
    let n = line.end - line.start;
    let at = |i: usize| line.start + i;
    let trimmed_end = text.trim_end();
    let trimmed = trimmed_end.trim_start();
    // A line of whitespace only.
    if n > 0 && trimmed.is_empty() {
        out.push(
            Diagnostic::new(
                META.id,
                Severity::Hint,
                at(0),
                at(n),
                "this blank line holds whitespace",
            )
            .with_fix("empty the line", at(0), at(n), ""),
        );
        return;
    }
    // Trailing whitespace.
    let content_end = n - count_chars(&text.as_bytes()[trimmed_end.len()..]);
    if content_end < n {
        out.push(
            Diagnostic::new(
                META.id,
                Severity::Hint,
                at(content_end),
                at(n),
                "trailing whitespace",
            )
            .with_fix("remove the trailing whitespace", at(content_end), at(n), ""),
        );
    }
    if prefilter && !may_have_finding(trimmed, arabic) {
        return;
    }
    // The rest looks at characters around each space and punctuation mark.
    let chars: Vec<char> = text.chars().collect();
    let lead = count_chars(&text.as_bytes()[..trimmed_end.len() - trimmed.len()]);
    let mut i = lead;
    while i < content_end {
        let c = chars[i];
        if is_space(c) {
            let mut j = i;
            while j < content_end && is_space(chars[j]) {
                j += 1;
            }
            let run = &chars[i..j];
            let next = chars.get(j).copied();
            let prev = i.checked_sub(1).map(|p| chars[p]);
            if matches!(
                next,
                Some('،' | '؛' | ',' | ';' | ':' | '.' | '!' | '?' | '؟')
            ) && prev.is_some_and(is_alnum)
                && !next_is_ellipsis(&chars, j)
            {
                out.push(
                    Diagnostic::new(
                        META.id,
                        Severity::Info,
                        at(i),
                        at(j),
                        format!("space before “{}”", next.unwrap_or(' ')),
                    )
                    .with_fix("remove the space", at(i), at(j), ""),
                );
            } else if run.len() > 1 {
                // With NBSP in it, the run is scraped noise like a lone NBSP: a hint.
                let (msg, sev) = if run.contains(&NBSP) {
                    ("a run of spaces, with non-breaking ones", Severity::Hint)
                } else {
                    ("a run of spaces", Severity::Info)
                };
                out.push(Diagnostic::new(META.id, sev, at(i), at(j), msg).with_fix(
                    "use one space",
                    at(i),
                    at(j),
                    " ",
                ));
            } else if run[0] == NBSP {
                out.push(
                    Diagnostic::new(
                        META.id,
                        Severity::Hint,
                        at(i),
                        at(j),
                        "a non-breaking space between words",
                    )
                    .with_fix("use a plain space", at(i), at(j), " "),
                );
            }
            // A detached Arabic و: a lone و word followed by a word.
            if arabic && prev == Some('و') && run.len() == 1 && next.is_some_and(is_alnum) {
                let before = i.checked_sub(2).map(|p| chars[p]);
                let next_is_digit = next.is_some_and(|c| c.is_numeric());
                if !before.is_some_and(is_alnum) && !next_is_digit {
                    out.push(
                        Diagnostic::new(
                            META.id,
                            Severity::Info,
                            at(i - 1),
                            at(j),
                            "the conjunction و is written apart from its word",
                        )
                        .with_fix(
                            "join و to the next word",
                            at(i),
                            at(j),
                            "",
                        ),
                    );
                }
            }
            i = j;
            continue;
        }
        // A missing space after Arabic punctuation (، ؛) and after : or . before a letter.
        if matches!(c, '،' | '؛' | ':' | '.') {
            let next = chars.get(i + 1).copied();
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let letter_next = next.is_some_and(|n| n.is_alphabetic());
            let digits_around =
                prev.is_some_and(|p| p.is_numeric()) && next.is_some_and(|n| n.is_numeric());
            let latin = prev.is_some_and(|p| p.is_ascii_alphanumeric())
                || next.is_some_and(|n| n.is_ascii_alphanumeric());
            let arabic_next = next.is_some_and(|n| ('\u{0600}'..='\u{06ff}').contains(&n));
            // A one-letter word before a full stop is an abbreviation (د.محمد).
            let abbreviation = c == '.' && (i < 2 || !is_alnum(chars[i - 2]));
            if letter_next
                && arabic_next
                && !digits_around
                && !latin
                && prev.is_some_and(is_alnum)
                && c != '.'
                || (c == '.'
                    && !abbreviation
                    && letter_next
                    && arabic_next
                    && prev.is_some_and(|p| ('\u{0621}'..='\u{064a}').contains(&p))
                    && !next_is_ellipsis(&chars, i))
            {
                out.push(
                    Diagnostic::new(
                        META.id,
                        Severity::Info,
                        at(i),
                        at(i + 1),
                        format!("no space after “{c}”"),
                    )
                    .with_fix("insert a space", at(i + 1), at(i + 1), " "),
                );
            }
        }
        i += 1;
    }
}

/// Whether a line's content (without its leading and trailing whitespace) may hold a finding
/// inside it: a cheap byte scan for what every such finding needs, so that the full check
/// (which decodes the line into characters) runs on the few lines that need it. It may say yes
/// wrongly, never no wrongly: a tab or NBSP; a space before a space, a tab, an NBSP or
/// punctuation; a lone و before a space (Arabic only); or ، ؛ : . right before an Arabic-block
/// character.
fn may_have_finding(line: &str, arabic: bool) -> bool {
    let bytes = line.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let arabic_block = |b: u8| (0xd8..=0xdb).contains(&b);
    // Each check is one `memchr` pass for a byte that is rare in Arabic and Persian text, or
    // (spaces) one whose every occurrence needs a look at its neighbours anyway.
    memchr::memchr(b'\t', bytes).is_some()
        || memchr::memchr_iter(0xc2, bytes).any(|i| at(i + 1) == 0xa0)
        || memchr::memchr2_iter(b':', b'.', bytes).any(|i| arabic_block(at(i + 1)))
        // ، (D8 8C) or ؛ (D8 9B) before an Arabic-block character.
        || memchr::memchr2_iter(0x8c, 0x9b, bytes)
            .any(|i| i >= 1 && bytes[i - 1] == 0xd8 && arabic_block(at(i + 1)))
        || memchr::memchr_iter(b' ', bytes).any(|i| {
            let next = at(i + 1);
            matches!(
                next,
                b' ' | b'\t' | b',' | b';' | b':' | b'.' | b'!' | b'?'
            ) || (next == 0xc2 && at(i + 2) == 0xa0)
                // ، ؛ ؟
                || (next == 0xd8 && matches!(at(i + 2), 0x8c | 0x9b | 0x9f))
                || (arabic && lone_waw_before(line, i))
        })
}

/// Whether the space at byte `i` of `line` follows a و that is not the end of a longer word.
fn lone_waw_before(line: &str, i: usize) -> bool {
    i >= 2
        && line.as_bytes()[i - 2..i] == [0xd9, 0x88]
        && !line
            .get(..i - 2)
            .and_then(|s| s.chars().next_back())
            .is_some_and(is_alnum)
}

/// Is there an ellipsis (… or ..) at `j`?
fn next_is_ellipsis(chars: &[char], j: usize) -> bool {
    chars.get(j) == Some(&'…')
        || (chars.get(j) == Some(&'.') && chars.get(j + 1) == Some(&'.'))
        || (j > 0 && chars.get(j - 1) == Some(&'.') && chars.get(j) == Some(&'.'))
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn runs_nbsp_trailing() {
        check("spacing", "قال الوزير⟦  ⟧إن الاجتماع انتهى");
        check("spacing", "قال الوزير⟦\u{a0}⟧إن الاجتماع انتهى");
        check("spacing", "قال الوزير إن الاجتماع انتهى⟦  ⟧\nوأضاف أنه");
        check("spacing", "سطر\n⟦ \u{a0} ⟧\nسطر");
    }

    #[test]
    fn punctuation() {
        check("spacing", "قال مسؤول روسي⟦ ⟧، إن الاجتماع سيعقد");
        check("spacing", "بعد انتهاء المشاورات⟦،⟧بعد ذلك");
        check("spacing", "وقال⟦:⟧ان الاجتماع");
        expect_test::expect![[r#"
            1:15-1:16 info space before “،” [ ]
              fix: remove the space 14..15=""
        "#]]
        .assert_eq(&render("spacing", "قال مسؤول روسي ، إن"));
    }

    #[test]
    fn numbers_times_ellipses_are_not_missing_spaces() {
        check("spacing", "الساعة 06:03:29 و٠٦:٠٣ ونسبة 1.5 و١٫٥ بالمئة");
        check("spacing", "عقد الاجتماع الأول...ثم انتهى");
        check("spacing", "visit www.example.com or mail a.b@c.d now");
        check("spacing", "الثلاثاء،...\" /> عقد");
        check("spacing", "قال د.محمد إن الاجتماع");
    }

    #[test]
    fn prefilter_keeps_every_line_with_a_finding() {
        let alphabet: Vec<char> = "وا ب،؛:.,؟!\u{a0}\t1٣…«د".chars().collect();
        let mut rng = crate::analysis::rules::testing::Lcg(5);
        let mut next = move |n: usize| rng.below(n);
        for _ in 0..4000 {
            let len = 1 + next(12);
            let body: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            // An Arabic paragraph, so that the detached-و check runs too.
            let text = format!("قال المسؤول في هذا الاجتماع {body} في المنطقة");
            let n = text.chars().count();
            let line = crate::analysis::text::Line {
                index: 0,
                text: &text,
                start: 0,
                end: n,
                byte_start: 0,
            };
            let (mut full, mut filtered) = (Vec::new(), Vec::new());
            super::check_line(&line, true, false, &mut full);
            super::check_line(&line, true, true, &mut filtered);
            assert_eq!(filtered, full, "{text:?}");
            if !full.is_empty() {
                assert!(super::may_have_finding(&text, true), "{text:?}");
            }
        }
    }

    #[test]
    fn detached_waw_in_arabic_only() {
        check(
            "spacing",
            "بين ايران وسوريا ⟦و ⟧روسيا وجبهة المقاومة في المنطقة",
        );
        check(
            "spacing",
            "در این دیدار ایران و روسیه و سوریه گفتند که همکاری ادامه دارد",
        );
        check("spacing", "بين ٣ و ٤ ساعات في المنطقة التي");
    }
}
