//! `unknown-source`: an attributed source that the knowledge base does not know.
//!
//! When the name is one or two letters away from a KB source it is almost certainly a typo
//! (جام حم آنلاین for جام جم آنلاین): a warning with the fix. Otherwise the source may simply be
//! missing from the KB: an info finding, only where the words after the trigger are a source
//! name by construction (after وكالة، صحيفة، به گزارش …, or in «…»), because «حسب الخطة» and
//! «وفق الأنظمة» name no source at all.

use super::attribution::is_generic;
use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::fold;
use crate::analysis::text::skip_chars;

pub struct UnknownSource;

static META: RuleMeta = RuleMeta {
    id: "unknown-source",
    default_severity: Severity::Warning,
    summary: "an attributed source the knowledge base does not know",
    help: "## What it does\n\n\
Looks at the source named after an attribution (وكالة، صحيفة، نقلا عن، به گزارش، به نقل از, \
or a name in «…» after وفق/حسب) and reports it when the knowledge base has no such source. \
When a KB source is one or two letters away, the finding is a warning with a fix; otherwise \
an info finding suggests adding the source to the KB or to `allow.sources` in khabar.toml.\n\n\
## Why it matters\n\n\
Provenance is only useful when sources are recognised: a misspelt agency breaks every \
per-source count and search.\n\n\
## Example\n\n\
`به گزارش جام حم آنلاین` → `به گزارش جام جم آنلاین`.\n",
    fixable: true,
};

/// Levenshtein distance over chars when it is at most `limit`, otherwise some number above
/// `limit`: only near misses are wanted, and since the minimum of a row of the table never
/// decreases, a row that is all above `limit` ends the work. `rows` is scratch space reused
/// across calls.
fn distance_within(
    a: &[char],
    b: &[char],
    limit: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> usize {
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=b.len());
    cur.clear();
    cur.resize(b.len() + 1, 0);
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            let v = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            cur[j + 1] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(prev, cur);
    }
    prev[b.len()]
}

/// A set of characters in 64 bits (a character sets bit `c mod 64`; the letters of Arabic,
/// U+0621..U+064A, each have their own). A character of one string whose bit the other string
/// lacks is missing from it, and every such character takes an edit of its own, so the
/// distance between two strings is at least the number of bits either has alone: enough to
/// pass over most KB sources without filling a table.
fn char_bits(s: &[char]) -> u64 {
    s.iter().fold(0, |bits, &c| bits | 1 << (c as u32 % 64))
}

/// The fewest edits [`char_bits`] allows between strings with bits `a` and `b`.
fn min_distance(a: u64, b: u64) -> usize {
    (a & !b).count_ones().max((b & !a).count_ones()) as usize
}

/// The byte offset of code point `cp` of the article, counted from the start of its line:
/// only a few places of an article are looked at, and counting from the start of the article
/// each time (or from the last place) cost as much as the rest of the rule.
fn byte_of(cx: &Context<'_>, cp: usize) -> usize {
    let prep = cx.prep;
    let (from_byte, from_cp) = prep
        .lines
        .get(prep.line_at(cp))
        .filter(|l| l.start <= cp)
        .map_or((0, 0), |l| (l.byte_start, l.start));
    skip_chars(prep.text, from_byte, cp - from_cp).0
}

/// The text between two code-point offsets of the article.
fn slice<'a>(cx: &Context<'a>, start: usize, end: usize) -> &'a str {
    let text = cx.prep.text;
    let b0 = byte_of(cx, start);
    let b1 = skip_chars(text, b0, end.saturating_sub(start)).0;
    text.get(b0..b1).unwrap_or("")
}

impl Rule for UnknownSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let atts = cx.attributions();
        if atts
            .iter()
            .all(|a| a.source.as_ref().is_none_or(|s| s.entity.is_some()))
        {
            return;
        }
        // Every surface form of every KB source with its folded form (see
        // `Derived::source_forms`), built once per engine when an unknown source first needs it.
        let sources = || cx.derived.source_forms(cx.kb);
        let allowed: Vec<String> = cx.config.allow.sources.iter().map(|s| fold(s)).collect();
        let mut rows = (Vec::new(), Vec::new());
        let mut seen_at = Vec::new();
        let mut joined: Vec<char> = Vec::new();
        let mut joined_len: Vec<(usize, u64)> = Vec::new();
        for a in atts {
            let Some(src) = &a.source else { continue };
            if src.entity.is_some() || seen_at.contains(&src.start) {
                continue;
            }
            seen_at.push(src.start);
            let written = slice(cx, src.start, src.end);
            let folded = fold(written);
            let mut words = folded.split(' ').filter(|w| !w.is_empty());
            let Some(first) = words.clone().next() else {
                continue;
            };
            if is_generic(first) || allowed.iter().any(|a| folded.starts_with(a.as_str())) {
                continue;
            }
            // The nearest KB source over the same number of words. The first n written words
            // joined by spaces, for n = 1, 2, …, are prefixes of all of them joined: their
            // lengths and character bits let a source be passed over without computing the
            // distance when its length differs by more than the distance allowed, or its
            // characters do.
            joined.clear();
            joined_len.clear();
            let mut bits = 0;
            for w in words.by_ref() {
                if !joined.is_empty() {
                    joined.push(' ');
                }
                let from = joined.len();
                joined.extend(w.chars());
                bits |= char_bits(&joined[from.saturating_sub(1)..]);
                joined_len.push((joined.len(), bits));
            }
            let mut best: Option<(usize, &str, usize)> = None; // (distance, surface, words used)
            for (surface, sw_len, b) in sources() {
                let (surface, sw_len) = (surface.as_str(), *sw_len);
                let Some(&(a_len, a_bits)) = sw_len.checked_sub(1).and_then(|i| joined_len.get(i))
                else {
                    continue;
                };
                let limit = if b.len() >= 8 { 2 } else { 1 };
                if a_len.abs_diff(b.len()) > limit || min_distance(a_bits, char_bits(b)) > limit {
                    continue;
                }
                let d = distance_within(&joined[..a_len], b, limit, &mut rows);
                if d > 0 && d <= limit && best.is_none_or(|(bd, _, _)| d < bd) {
                    best = Some((d, surface, sw_len));
                }
            }
            if let Some((_, surface, n)) = best {
                // The span of the first `n` written words.
                let mut end = src.start;
                let mut count = 0;
                let mut in_word = false;
                for (i, c) in written.chars().enumerate() {
                    if c.is_whitespace() {
                        if in_word {
                            count += 1;
                            if count == n {
                                break;
                            }
                        }
                        in_word = false;
                    } else {
                        in_word = true;
                        end = src.start + i + 1;
                    }
                }
                let misspelt = slice(cx, src.start, end);
                out.push(
                    Diagnostic::new(
                        META.id,
                        Severity::Warning,
                        src.start,
                        end,
                        format!("unknown source «{misspelt}»: did you mean «{surface}»?"),
                    )
                    .with_fix(
                        format!("replace with «{surface}»"),
                        src.start,
                        end,
                        surface,
                    ),
                );
            } else if a.trigger.strong || src.quoted {
                out.push(Diagnostic::new(
                    META.id,
                    Severity::Info,
                    src.start,
                    src.end,
                    format!("source «{written}» is not in the knowledge base"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    /// Levenshtein distance over chars, the plain way.
    fn distance(a: &[char], b: &[char]) -> usize {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        let mut cur = vec![0; b.len() + 1];
        for (i, ca) in a.iter().enumerate() {
            cur[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != cb);
                cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        prev[b.len()]
    }

    /// `n` pairs of words of up to eight letters of `alphabet`, drawn from seed `seed`.
    fn random_pairs(alphabet: &str, seed: u64, n: usize) -> Vec<(Vec<char>, Vec<char>)> {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut rng = crate::analysis::rules::testing::Lcg(seed);
        let mut word = move || -> Vec<char> {
            let len = rng.below(9);
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        };
        (0..n).map(|_| (word(), word())).collect()
    }

    #[test]
    fn bounded_distance_is_exact_up_to_its_limit() {
        let mut rows = (Vec::new(), Vec::new());
        for (a, b) in random_pairs("جامحن ی", 7, 3000) {
            let d = distance(&a, &b);
            for limit in 0..4 {
                let got = super::distance_within(&a, &b, limit, &mut rows);
                if d <= limit {
                    assert_eq!(got, d, "{a:?} {b:?} {limit}");
                } else {
                    assert!(got > limit, "{a:?} {b:?} {limit}");
                }
            }
        }
    }

    #[test]
    fn misspelt_agency_gets_a_fix() {
        check(
            "unknown-source",
            "به گزارش ⟦جام حم آنلاین⟧، ارتشبد شویگو به تهران سفر کرد",
        );
        expect_test::expect![[r#"
            1:10-1:23 warning unknown source «جام حم آنلاین»: did you mean «جام جم آنلاین»? [جام حم آنلاین]
              fix: replace with «جام جم آنلاین» 9..22="جام جم آنلاین"
        "#]]
        .assert_eq(&render("unknown-source", "به گزارش جام حم آنلاین، ارتشبد"));
    }

    #[test]
    fn unknown_after_an_agency_word_is_info() {
        check("unknown-source", "وقالت وكالة ⟦الأنباء الكويتية⟧ إن الوزير");
        check("unknown-source", "وحسب «⟦الشرق الجديد⟧» فإن الوزير");
    }

    #[test]
    fn known_generic_and_ordinary_words_are_not_reported() {
        check(
            "unknown-source",
            "وذكرت وكالة «سانا» أن الوزير، ونقلت وكالة تسنيم للأنباء",
        );
        check("unknown-source", "وحسب الخطة الموضوعة وفق الأنظمة فإن");
        check("unknown-source", "ونقلا عن مصادر مطلعة، به گزارش خبرنگار ما");
        check("unknown-source", "لا يزعزع الأمن في سورية فحسب بل");
    }

    /// The character-set bound never exceeds the distance, so no near source is passed over.
    #[test]
    fn character_bits_bound_the_distance() {
        for (a, b) in random_pairs("جامحن یك😀پ", 11, 5000) {
            let bound = super::min_distance(super::char_bits(&a), super::char_bits(&b));
            assert!(bound <= distance(&a, &b), "{a:?} {b:?}");
        }
    }

    proptest::proptest! {
        /// Counting from a line's start lands where counting from the article's start does.
        #[test]
        fn slice_from_the_line_agrees_with_slice_chars(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "قال", " ", "\n", "\r\n", "\r", "😀", "ی", "x",
            ]), 0..30),
            a in 0usize..120,
            b in 0usize..120,
        ) {
            let text = parts.concat();
            crate::analysis::rules::testing::with_context(&text, |cx| {
                let (a, b) = (a.min(b), a.max(b));
                assert_eq!(super::slice(cx, a, b), crate::analysis::text::slice_chars(&text, a, b));
            });
        }
    }
}
