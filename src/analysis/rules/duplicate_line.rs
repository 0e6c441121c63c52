//! `duplicate-line`: a line that repeats an earlier line of the same article.
//!
//! Scrapers that take both a page's `<title>` and its `<h1>`, or a headline and its copy typed on
//! a Persian keyboard, leave the same line twice. Lines are compared on a key that folds letters
//! (so the Persian-lettered copy شمخانی: … meets شمخاني: …), and drops bullets, indentation and
//! punctuation (so `• لابد من …` meets `لابد من …`).
//!
//! A line made of one sentence written several times over (a scraped `content="…"` attribute
//! repeated with its `" />` remnants) is a duplicate of itself and is reported too.
//!
//! Lines of fewer than five words are ignored: on a day of Saudi news every repeat that short
//! was legitimate — a song's chorus, an ingredient in two recipes (ملعقة صغيرة من الملح), a
//! section label or byline — while the accidental repeats (headlines, bullet points, paragraphs)
//! all had six words or more. Enumerated list items (`3 - تطبيق «فيسبوك»`) are ignored too: the
//! same entry in two rankings is not a duplicate. Navigation lines are left to
//! `scraper-boilerplate`.

use std::collections::{HashMap, HashSet};

use super::{deletion_span, line_span, Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::fold_push;
use crate::analysis::text::Line;
use crate::analysis::words::{hash_bytes, hash_pair};

pub struct DuplicateLine;

static META: RuleMeta = RuleMeta {
    id: "duplicate-line",
    default_severity: Severity::Warning,
    summary: "a line that repeats an earlier line of the same article",
    help: "## What it does\n\n\
Reports a line whose text repeats an earlier line of the same article, comparing after folding \
letter variants (ي/ی، ك/ک، ة/ه، alef forms, tashkeel) and dropping bullets, indentation and \
punctuation. A line made of the same sentence several times over is reported too. Blank lines, \
lines of fewer than five words, enumerated list items and navigation lines are ignored.\n\n\
## Why it matters\n\n\
A duplicated headline or paragraph is a scraping accident; it doubles the weight of that text in \
every count and every model trained on the corpus.\n\n\
## Example\n\n\
```text\n\
  • لابد من استمرار التعاون\n\
    لابد من استمرار التعاون\n\
```\n\n\
The second line is reported, with the first as related information; the fix deletes it.\n",
    fixable: true,
};

/// Lines with fewer words than this are not compared (see the module documentation).
const MIN_WORDS: usize = 5;
/// Longest line (in words) checked for repeating itself; longer lines are prose, and the check
/// is quadratic in the worst case.
const MAX_SELF_WORDS: usize = 4000;

/// The folded words of a line: one buffer holding them joined by single spaces (the line's
/// comparison key), and each word's range in it with its code-point span in the article. One
/// buffer reused from line to line instead of a `String` per word.
#[derive(Default)]
struct Words {
    key: String,
    /// `(start, end)` in `key`, then the code-point span in the article.
    list: Vec<(usize, usize, usize, usize)>,
}

impl Words {
    fn len(&self) -> usize {
        self.list.len()
    }

    fn word(&self, i: usize) -> &str {
        let (s, e, _, _) = self.list[i];
        &self.key[s..e]
    }

    fn fill(&mut self, line: &Line<'_>) {
        self.key.clear();
        self.list.clear();
        let mut start: Option<(usize, usize)> = None;
        let mut pos = line.start;
        for (b, c) in line.text.char_indices() {
            // Tashkeel and tatweel are not letters for `is_alphanumeric` but belong to the word.
            let in_word = crate::analysis::normalize::is_alnum(c)
                || matches!(c, '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}');
            if in_word {
                if start.is_none() {
                    start = Some((b, pos));
                }
            } else if let Some((sb, sc)) = start.take() {
                // ZWNJ, bullets, punctuation and spaces all separate words for comparison.
                self.push(&line.text[sb..b], sc, pos);
            }
            pos += 1;
        }
        if let Some((sb, sc)) = start {
            self.push(&line.text[sb..], sc, pos);
        }
    }

    /// Adds one word; a word that folds to nothing (tashkeel alone) is left out.
    fn push(&mut self, word: &str, start: usize, end: usize) {
        let mark = self.key.len();
        if !self.list.is_empty() {
            self.key.push(' ');
        }
        let at = self.key.len();
        fold_push(word, &mut self.key);
        if self.key.len() == at {
            self.key.truncate(mark);
        } else {
            self.list.push((at, self.key.len(), start, end));
        }
    }
}

/// The shortest period `p` (in words, at least [`MIN_WORDS`]) such that a line of `n` words is
/// its first `p` words written `n ≥ 2` times, the last copy possibly cut short; returns
/// `(p, copies)`, counting a cut copy as one. `same(i, j)` tells whether words `i` and `j` are
/// equal (as strings, or as hashes for a test that may only err towards yes).
fn self_period(n: usize, same: impl Fn(usize, usize) -> bool) -> Option<(usize, usize)> {
    if !(2 * MIN_WORDS..=MAX_SELF_WORDS).contains(&n) {
        return None;
    }
    for p in MIN_WORDS..=n / 2 {
        if !same(p, 0) {
            continue;
        }
        if (p..n).all(|i| same(i, i - p)) {
            return Some((p, n.div_ceil(p)));
        }
    }
    None
}

impl Words {
    fn self_period(&self) -> Option<(usize, usize)> {
        self_period(self.len(), |a, b| self.word(a) == self.word(b))
    }
}

/// The lines that might be reported, in order: those whose comparison key another line might
/// share (an equal [`signature`]), and those that might repeat themselves (by their words'
/// hashes). Any other line is neither reported nor met by another line, so the rule leaves it
/// before folding its words one by one.
///
/// A line's words are the folded text's words ([`FoldedWords`](crate::analysis::words)), which
/// are this rule's words unless the line holds a character that splits words here but not
/// there: such a line is split the rule's own way.
fn candidates(cx: &Context<'_>) -> Vec<usize> {
    let fw = cx.prep.words();
    let mut keys: Vec<(u64, usize)> = Vec::new();
    let mut repeating: Vec<usize> = Vec::new();
    let mut hashes: Vec<u64> = Vec::new();
    let mut ws = Words::default();
    for (i, line) in cx.prep.lines.iter().enumerate() {
        let (Some(folded), Some((s, e))) = (fw.line(i), fw.line_range(i)) else {
            continue;
        };
        if folded.len() + line.text.len().saturating_sub(e - s) / 2 < MIN_WORDS {
            // Too short however the line splits: a separator that folding drops is two bytes
            // or more, and makes at most one word more here.
            continue;
        }
        let repeats_itself = if !fw.has_marks(i) && !fw.drops_separator(i, line.text) {
            if folded.len() < MIN_WORDS {
                continue;
            }
            keys.push((signature(folded.len(), |j| folded[j].hash), i));
            self_period(folded.len(), |a, b| folded[a].hash == folded[b].hash).is_some()
        } else {
            ws.fill(line);
            if ws.len() < MIN_WORDS {
                continue;
            }
            hashes.clear();
            hashes.extend((0..ws.len()).map(|j| hash_bytes(ws.word(j).as_bytes())));
            keys.push((signature(hashes.len(), |j| hashes[j]), i));
            self_period(hashes.len(), |a, b| hashes[a] == hashes[b]).is_some()
        };
        if repeats_itself {
            repeating.push(i);
        }
    }
    let mut which = shared_signatures(keys);
    which.extend(repeating);
    which.sort_unstable();
    which.dedup();
    which
}

/// A summary of a line of `n ≥ 1` words whose `j`th word hashes to `hash(j)`: lines with equal
/// comparison keys have equal words, so equal summaries. Its word count and first and last
/// words tell lines apart nearly as well as all of its words would, at the cost of one hash.
fn signature(n: usize, hash: impl Fn(usize) -> u64) -> u64 {
    hash_pair(hash_pair(n as u64, hash(0)), hash(n.saturating_sub(1)))
}

/// The lines of `keys` (signature, line) whose signature another line shares.
fn shared_signatures(mut keys: Vec<(u64, usize)>) -> Vec<usize> {
    keys.sort_unstable();
    let shared = |k: usize| {
        let sig = keys[k].0;
        (k > 0 && keys[k - 1].0 == sig) || keys.get(k + 1).is_some_and(|n| n.0 == sig)
    };
    (0..keys.len())
        .filter(|&k| shared(k))
        .map(|k| keys[k].1)
        .collect()
}

impl Rule for DuplicateLine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        report(cx, candidates(cx), out);
    }
}

/// The comparison keys of `allow.phrases`: a line whose key is one of them is never reported.
fn allowed_keys(cx: &Context<'_>) -> HashSet<String, crate::analysis::script::FastHash> {
    let mut ws = Words::default();
    let mut keys = HashSet::default();
    for phrase in &cx.config.allow.phrases {
        if let Some(line) = crate::analysis::text::lines(phrase).next() {
            ws.fill(&line);
            if !ws.key.is_empty() {
                keys.insert(ws.key.clone());
            }
        }
    }
    keys
}

/// The rule itself, on lines `which` (in order): every line, or only [`candidates`].
fn report(cx: &Context<'_>, which: impl IntoIterator<Item = usize>, out: &mut Vec<Diagnostic>) {
    let lines = &cx.prep.lines;
    let allowed = allowed_keys(cx);
    let mut seen: HashMap<String, usize, crate::analysis::script::FastHash> = HashMap::default();
    let mut ws = Words::default();
    for i in which {
        let Some(line) = lines.get(i) else {
            continue;
        };
        ws.fill(line);
        let enumerated = ws.len() > 0 && ws.word(0).chars().all(|c| c.is_ascii_digit());
        if enumerated
            || ws.len() < MIN_WORDS
            || (cx.prep.is_boilerplate(i) && !has_prose_repeat(&ws))
            || allowed.contains(&ws.key)
        {
            continue;
        }
        let (s, e) = line_span(line);
        let key = ws.key.as_str();
        if let Some(&j) = seen.get(key) {
            let (fs, fe) = line_span(&lines[j]);
            let (ds, de) = deletion_span(lines, i);
            out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    s,
                    e,
                    format!("this line repeats line {}", j + 1),
                )
                .with_related(fs, fe, "first written here")
                .with_fix("delete the repeated line", ds, de, ""),
            );
            continue;
        }
        seen.insert(key.to_string(), i);
        if let Some((p, copies)) = ws.self_period() {
            // Keep the first copy up to its last word; what follows is the repeats.
            let keep_end = ws.list[p - 1].3;
            out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    s,
                    e,
                    format!("this line repeats itself: the same {p} words {copies} times"),
                )
                .with_fix("keep only the first copy", keep_end, e, ""),
            );
        }
    }
}

/// A boilerplate line (one with `" />` remnants) is still checked when it is prose repeated
/// over itself: that is the very shape a scraped `content` attribute takes.
fn has_prose_repeat(ws: &Words) -> bool {
    ws.self_period().is_some()
}

#[cfg(test)]
mod tests {
    use crate::analysis::config::Config;
    use crate::analysis::kb::Kb;
    use crate::analysis::rules::testing::{check, render, run_with, with_context};
    use crate::analysis::words::drops_separator;
    use crate::analysis::Engine;

    const R: &str = "duplicate-line";

    #[test]
    fn repeated_lines() {
        check(
            R,
            "قال الرئيس اليوم كلاما طويلا\n\n⟦قال الرئيس اليوم كلاما طويلا⟧",
        );
        // Folded letters: the Persian-lettered copy of an Arabic headline.
        check(R, "شمخاني: تجربة العمليات المشتركة يمكن تعميمها\n\n⟦شمخانی: تجربة العملیات المشترکة یمکن تعمیمها⟧");
        // Bullets, indentation and punctuation do not count.
        check(
            R,
            "  • لا بد من استمرار التعاون\n    ⟦لا بد من استمرار التعاون.⟧",
        );
        check(
            R,
            "ذهب الولد إلى المدرسة صباحا\r\n⟦ذهب الولد إلى المدرسة صباحا⟧\r\n",
        );
        // Tashkeel does not count.
        check(R, "وصل الوفد إلى المدينة أمس\n⟦وَصَلَ الوفد إلى المدينة أمس⟧");
    }

    #[test]
    fn distinct_and_short_lines() {
        check(R, "قال الرئيس اليوم كلاما\nقال الرئيس أمس كلاما");
        // Short lines: labels, bylines, a chorus, an ingredient may legitimately repeat.
        check(R, "الرياض - واس\nنص أول\nالرياض - واس\nنص أول");
        check(
            R,
            "- ملعقة صغيرة من الملح.\nطريقة التحضير\n- ملعقة صغيرة من الملح.",
        );
        // The same entry in two enumerated lists.
        check(
            R,
            "1. تطبيق «فيسبوك» للتواصل مع الأصدقاء\n\n3. تطبيق «فيسبوك» للتواصل مع الأصدقاء",
        );
        check(R, "\n\n   \n\n");
        // A longer line is not a duplicate of a shorter one it starts with.
        check(R, "قال الرئيس اليوم كلاما\nقال الرئيس اليوم كلاما كثيرا");
        // Navigation lines are scraper-boilerplate's.
        check(R, "أهم الأخبار ايران\nالنص هنا\nأهم الأخبار ايران");
    }

    #[test]
    fn allowed_phrases() {
        let mut config = Config::default();
        config
            .allow
            .phrases
            .push("تابعونا على مواقع التواصل الاجتماعي".to_string());
        let engine = Engine::new(Kb::embedded(), config);
        // The phrase and its Persian-lettered, bulleted and punctuated copy; the phrase twice.
        let allowed = [
            "تابعونا على مواقع التواصل الاجتماعي\nنص الخبر\n• تابعونا علی مواقع التواصل الاجتماعی.",
            "تابعونا على مواقع التواصل الاجتماعي\nتابعونا على مواقع التواصل الاجتماعي",
        ];
        for t in allowed {
            assert!(run_with(&engine, R, t).is_empty(), "{t}");
            assert_eq!(run_with(&Engine::embedded(), R, t).len(), 1, "{t}");
        }
        // Other repeated lines, and a line that only starts with the phrase, are still reported.
        let reported = [
            "قال الرئيس اليوم كلاما طويلا\nقال الرئيس اليوم كلاما طويلا",
            "تابعونا على مواقع التواصل الاجتماعي اليوم\nتابعونا على مواقع التواصل الاجتماعي اليوم",
        ];
        for t in reported {
            assert_eq!(run_with(&engine, R, t).len(), 1, "{t}");
        }
    }

    #[test]
    fn line_repeating_itself() {
        check(
            R,
            "⟦عقد الاجتماع الأول للمسؤولين الثلاثاء،...\" /> عقد الاجتماع الأول للمسؤولين الثلاثاء،...\" /> عقد الاجتماع الأول⟧\nنص",
        );
        // A sentence that merely uses a word twice is not a repeat.
        check(R, "الأمن هو الأمن والأمن هو الأساس في كل شيء");
    }

    #[test]
    fn messages_and_fixes() {
        expect_test::expect![[r#"
            5:1-5:29 warning this line repeats line 3 [ذهب الولد للمدرسة صباح اليوم]
              fix: delete the repeated line 58..87=""
        "#]]
        .assert_eq(&render(R, "ذهب الولد إلى المدرسة صباحا\n\nذهب الولد للمدرسة صباح اليوم\n\nذهب الولد للمدرسة صباح اليوم"));
        expect_test::expect![[r#"
            1:1-1:68 warning this line repeats itself: the same 5 words 3 times [جاء الوفد الرسمي إلى المدينة جاء الوفد الرسمي إلى المدينة جاء الوفد]
              fix: keep only the first copy 28..67=""
        "#]]
        .assert_eq(&render(R, "جاء الوفد الرسمي إلى المدينة جاء الوفد الرسمي إلى المدينة جاء الوفد"));
        expect_test::expect![[r#"
            2:1-2:26 warning this line repeats line 1 [نص المقال الأول هنا كاملا]
              fix: delete the repeated line 25..52=""
        "#]]
        .assert_eq(&render(
            R,
            "نص المقال الأول هنا كاملا\r\nنص المقال الأول هنا كاملا",
        ));
    }

    /// Pieces of text with everything that splits words differently in the folded text, or
    /// makes keys meet: folding letters, tashkeel, combining hamza, bullets, digits, invisible
    /// marks, line breaks of every kind.
    fn pieces() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "ا",
                "و",
                "ي",
                "ی",
                "ة",
                "ه",
                "أ",
                "ك",
                "ک",
                "\u{0654}",
                "\u{064e}",
                "\u{0656}",
                "\u{0640}",
                "\u{200c}",
                "\u{200f}",
                "\u{feff}",
                "\u{ad}",
                " ",
                "  ",
                "\u{a0}",
                "\t",
                "\r",
                "\n",
                "\r\n",
                "A",
                "7",
                "٣",
                "۴",
                "•",
                "«",
                "»",
                "،",
                ".",
                "😀",
                "𝐀",
                "²",
                "\" />",
                "قال الرئيس اليوم كلاما طويلا",
                "قال\u{200f}الرئيس\u{feff}اليوم\u{ad}كلاما\u{200f}طويلا",
                "قال الرئيس\u{0656}اليوم كلاما طويلا",
                "وصل الوفد إلى المدينة أمس ",
                "1. تطبيق «فيسبوك» للتواصل مع الأصدقاء",
                "أهم الأخبار ايران",
            ]),
            0..60,
        )
        .prop_map(|v| v.concat())
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Where the folded text's words stand in for the rule's, they are the rule's words.
        #[test]
        fn folded_words_are_the_rules_words(t in pieces()) {
            let bad = with_context(&t, |cx| {
                let fw = cx.prep.words();
                let mut ws = super::Words::default();
                let mut bad = Vec::new();
                for (i, line) in cx.prep.lines.iter().enumerate() {
                    if fw.has_marks(i) || drops_separator(line.text) {
                        continue;
                    }
                    ws.fill(line);
                    let mine: Vec<&str> = (0..ws.len()).map(|j| ws.word(j)).collect();
                    let folded: Vec<&str> = fw
                        .line(i)
                        .unwrap_or_default()
                        .iter()
                        .map(|w| &cx.prep.norm.text[w.start as usize..w.end as usize])
                        .collect();
                    if mine != folded {
                        bad.push(format!("{:?}: {mine:?} / {folded:?}", line.text));
                    }
                }
                bad
            });
            proptest::prop_assert!(bad.is_empty(), "{bad:?}");
        }

        /// Leaving out the lines that are not candidates changes nothing.
        #[test]
        fn candidates_lose_no_finding(t in pieces()) {
            let (all, some) = with_context(&t, |cx| {
                let (mut all, mut some) = (Vec::new(), Vec::new());
                super::report(cx, 0..cx.prep.lines.len(), &mut all);
                super::report(cx, super::candidates(cx), &mut some);
                (all, some)
            });
            proptest::prop_assert_eq!(all, some);
        }
    }

    #[test]
    fn candidates_on_lines_split_differently() {
        // An invisible mark splits a word here but not in the folded text.
        check(
            R,
            "قال الرئيس اليوم كلاما\u{200f}طويلا\n⟦قال الرئيس اليوم كلاما طويلا⟧",
        );
        check(
            R,
            "قال الرئيس اليوم كلاما طويلا\n⟦قال الرئيس اليوم كلاما\u{feff}طويلا⟧",
        );
        check(
            R,
            "قال الرئيس\u{0656}اليوم كلاما طويلا جدا\n⟦قال الرئيس\u{0656}اليوم كلاما طويلا جدا⟧",
        );
        // One folded word, five words here.
        check(
            R,
            "قال الرئيس اليوم كلاما طويلا\n⟦قال\u{200f}الرئيس\u{200f}اليوم\u{200f}كلاما\u{200f}طويلا⟧",
        );
        check(
            R,
            "قال\u{feff}الرئيس\u{ad}اليوم\u{200f}كلاما\u{200f}طويلا\n⟦قال الرئيس اليوم كلاما طويلا⟧",
        );
    }
}
