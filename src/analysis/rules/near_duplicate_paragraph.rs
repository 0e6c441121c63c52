//! `near-duplicate-paragraph`: the same sentence reworded inside one article.
//!
//! Agency copy is often assembled from two drafts of one statement, so a paragraph comes back a
//! few lines later with a word changed (للمواجهة المؤثرة for لمواجهة … بشكل مؤثر). Exact repeats
//! are `duplicate-line`'s; this rule finds the near ones.
//!
//! Similarity is measured on word pairs (bigram shingles) of folded words, with a leading و
//! dropped so that "واعتبر" meets "اعتبر". Two measures, either of which reports:
//! - Jaccard similarity of the two sets of pairs at least [`MIN_JACCARD`] (two paragraphs of
//!   similar length that are mostly the same);
//! - containment at least [`MIN_CONTAINMENT`]: most pairs of the shorter paragraph recur in the
//!   longer one (a sentence pasted again inside a longer paragraph). The shorter one must have
//!   at least [`MIN_CONTAINED_PAIRS`] pairs, which leaves headlines out: a headline echoed by
//!   the lead is ordinary journalism (the Persian seed's headline restated in its lead is not
//!   reported; its verbatim repeat is `duplicate-line`'s).
//!
//! An article may be a megabyte of short paragraphs, so nothing is compared pairwise: an
//! inverted index from pair to the earlier paragraphs holding it counts the shared pairs, and a
//! pair held by more than [`MAX_POSTINGS`] paragraphs (a stock phrase) is not followed.

use crate::analysis::script::{FastHash, Fnv};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use super::scraper_boilerplate::strip_footer;
use super::{line_span, Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::fold_into;

pub struct NearDuplicateParagraph;

static META: RuleMeta = RuleMeta {
    id: "near-duplicate-paragraph",
    default_severity: Severity::Info,
    summary: "the same sentence reworded inside one article",
    help: "## What it does\n\n\
Reports a paragraph that restates an earlier paragraph of the same article with small changes: \
most of its word pairs recur there. Exact repeats are left to `duplicate-line`; short lines are \
not compared. The earlier paragraph is shown as related information. There is no fix: which \
wording to keep is an editor's choice.\n\n\
## Why it matters\n\n\
A statement told twice is usually two drafts of agency copy pasted together; it reads badly \
and doubles the weight of that statement in the corpus.\n\n\
## Example\n\n\
```text\n\
اعتبر الأمين أن التجربة الناجحة لمقر العمليات المشتركة بهدف حشد الطاقات لمواجهة الإرهاب …\n\
…\n\
واعتبر الأمين أن التجربة الناجحة لمقر العمليات المشتركة بهدف حشد الطاقات للمواجهة المؤثرة …\n\
```\n",
    fixable: false,
};

/// Paragraphs with fewer words than this are not compared.
const MIN_WORDS: usize = 6;
const MIN_JACCARD: f64 = 0.5;
const MIN_CONTAINMENT: f64 = 0.7;
/// A headline is shorter than this: a headline whose words recur in the lead is how news is
/// written, not a defect (on a day of Saudi news, 60 of 100 findings were exactly that).
const MIN_CONTAINED_PAIRS: usize = 15;
/// A word pair found in more earlier paragraphs than this is a stock phrase and not followed.
const MAX_POSTINGS: usize = 32;

struct Para {
    line: usize,
    pairs: usize,
    /// Hash of the whole word sequence, to leave exact repeats to `duplicate-line`.
    exact: u64,
}

fn hash<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = Fnv::default();
    t.hash(&mut h);
    h.finish()
}

/// The folded words of `text`, as slices of `buf` (folded into it, which is reused from line to
/// line: a `String` per word was most of this rule's cost). A leading و is dropped from words
/// that keep three letters.
fn words<'b>(text: &str, buf: &'b mut String) -> Vec<&'b str> {
    fold_into(text, buf);
    buf.split(|c: char| !crate::analysis::normalize::is_alnum(c))
        .filter(|w| !w.is_empty())
        .map(|w| match w.strip_prefix('و') {
            Some(rest) if rest.chars().count() >= 3 => rest,
            _ => w,
        })
        .collect()
}

impl Rule for NearDuplicateParagraph {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let lines = &cx.prep.lines;
        let mut paras: Vec<Para> = Vec::new();
        // Posting lists as chains through one vector: `index` holds each pair's latest node and
        // the list's length, `nodes` each (paragraph, previous node). Most pairs occur once, and
        // a `Vec` per pair was an allocation per word.
        let mut index: HashMap<u64, (u32, u32), FastHash> = HashMap::default();
        let mut nodes: Vec<(u32, u32)> = Vec::new();
        let mut pairs: HashSet<u64, FastHash> = HashSet::default();
        let mut shared: HashMap<u32, usize, FastHash> = HashMap::default();
        let mut exacts: HashSet<u64, FastHash> = HashSet::default();
        let mut buf = String::new();
        for (i, line) in lines.iter().enumerate() {
            if cx.prep.is_boilerplate(i) {
                continue;
            }
            let ws = words(strip_footer(line.text), &mut buf);
            if ws.len() < MIN_WORDS {
                continue;
            }
            pairs.clear();
            pairs.extend(ws.windows(2).map(|p| hash(&(&p[0], &p[1]))));
            let exact = hash(&ws);
            // An exact repeat is duplicate-line's, and the earlier copy is already indexed.
            if !exacts.insert(exact) {
                continue;
            }
            shared.clear();
            for p in &pairs {
                if let Some(&(mut node, len)) = index.get(p) {
                    if len as usize <= MAX_POSTINGS {
                        for _ in 0..len {
                            let Some(&(q, prev)) = nodes.get(node as usize) else {
                                break;
                            };
                            *shared.entry(q).or_insert(0) += 1;
                            node = prev;
                        }
                    }
                }
            }
            // The earlier paragraph it is most like, if it is like one enough.
            let mut best: Option<(f64, u32, f64)> = None;
            for (&q, &n) in &shared {
                let Some(other) = paras.get(q as usize) else {
                    continue;
                };
                if other.exact == exact {
                    continue;
                }
                let (a, b) = (pairs.len(), other.pairs);
                let union = (a + b).saturating_sub(n).max(1);
                let jaccard = n as f64 / union as f64;
                let small = a.min(b).max(1);
                let containment = n as f64 / small as f64;
                let hit = jaccard >= MIN_JACCARD
                    || (small >= MIN_CONTAINED_PAIRS && containment >= MIN_CONTAINMENT);
                if hit {
                    let score = jaccard.max(containment);
                    // Ties go to the earliest paragraph.
                    if best.is_none_or(|(s, bq, _)| score > s || (score == s && q < bq)) {
                        best = Some((score, q, jaccard));
                    }
                }
            }
            if let Some((score, q, _)) = best {
                if let Some(other) = paras.get(q as usize) {
                    let (s, e) = line_span(line);
                    let (fs, fe) = line_span(&lines[other.line]);
                    out.push(
                        Diagnostic::new(
                            META.id,
                            Severity::Info,
                            s,
                            e,
                            format!(
                                "this paragraph restates line {} ({}% of the word pairs are shared)",
                                other.line + 1,
                                (score * 100.0).round() as u32
                            ),
                        )
                        .with_related(fs, fe, "said first here"),
                    );
                }
            }
            let id = paras.len() as u32;
            for p in pairs.iter() {
                let at = nodes.len() as u32;
                let head = index.entry(*p).or_insert((u32::MAX, 0));
                nodes.push((id, head.0));
                *head = (at, head.1 + 1);
            }
            paras.push(Para {
                line: i,
                pairs: pairs.len(),
                exact,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render, run};

    const R: &str = "near-duplicate-paragraph";

    const FIRST: &str = "اعتبر الأمين العام أن التجربة الناجحة للعمليات المشتركة بين البلدين بهدف حشد الطاقات لمواجهة الإرهاب بشكل مؤثر نموذج يمكن تعميمه";
    const REWORDED: &str = "واعتبر الأمين العام أن التجربة الناجحة للعمليات المشتركة بين البلدين بهدف حشد الطاقات للمواجهة المؤثرة مع الإرهاب نموذج يمكن تعميمه";

    #[test]
    fn reworded_paragraph() {
        check(
            R,
            &format!("{FIRST}\n\nجاء ذلك خلال لقاء في العاصمة.\n\n⟦{REWORDED}⟧"),
        );
    }

    #[test]
    fn sentence_pasted_into_a_longer_paragraph() {
        check(
            R,
            "وزیر گفت که برگزاری اجلاس سه جانبه نشان دهنده اراده خلل ناپذیر سه کشور برای مقابله با تروریسم تکفیری در منطقه است\n\n\
             ⟦وی در پایان افزود: برگزاری اجلاس سه جانبه نشان دهنده اراده خلل ناپذیر سه کشور برای مقابله با تروریسم تکفیری در منطقه است و این همکاری ادامه خواهد داشت.⟧",
        );
    }

    #[test]
    fn headline_echoed_by_the_lead_is_journalism() {
        check(
            R,
            "الجيش يقتل 16 عنصرا من القاعدة بينهم أجانب في عملية\n\n\
             ذكرت صحيفة محلية أن قوات الجيش قتلت 16 عنصرا من القاعدة بينهم أجانب في عملية لا تزال متواصلة غرب البلاد.",
        );
    }

    #[test]
    fn different_paragraphs_and_exact_repeats() {
        // Same topic, different sentences.
        check(
            R,
            "التقى الوزير نظيره الروسي في موسكو وبحث معه العلاقات الثنائية بين البلدين\n\
             وأكد الوزير الروسي أن العلاقات بين البلدين تشهد تطورا كبيرا في كل المجالات",
        );
        // Exact repeats are duplicate-line's, even after a reworded copy.
        check(R, &format!("{FIRST}\n{FIRST}"));
        check(R, &format!("{FIRST}\n⟦{REWORDED}⟧\n{FIRST}"));
        // Short lines are not compared.
        check(R, "قال الوزير إن الوضع جيد\nقال الوزير إن الوضع سيئ");
        check(R, "");
    }

    #[test]
    fn large_article_with_stock_phrases() {
        // Thousands of paragraphs sharing stock phrases (speed is measured by benches/, not here).
        let mut text = String::new();
        for i in 0..4000 {
            text.push_str(&format!(
                "وقال المتحدث باسم الوزارة في بيان رقم {i} إن العمل مستمر في المشروع رقم {}\n",
                i * 7
            ));
        }
        let found = run(R, &text);
        // They are near-duplicates of each other, reported against earlier ones.
        assert!(!found.is_empty());
    }

    #[test]
    fn message() {
        expect_test::expect![[r#"
            2:1-2:132 info this paragraph restates line 1 (74% of the word pairs are shared) [واعتبر الأمين العام أن التجربة الناجحة للعمليات المشتركة بين البلدين بهدف حشد الطاقات للمواجهة المؤثرة مع الإرهاب نموذج يمكن تعميمه]
        "#]]
        .assert_eq(&render(R, &format!("{FIRST}\n{REWORDED}")));
    }
}
