//! `mixed-orthography`: Persian-only letters in an Arabic paragraph, or Arabic-only letters in a
//! Persian one.
//!
//! Arabic and Persian share a script but not all of its letters: Persian writes ی and ک where
//! Arabic writes ي/ى and ك, and has پ چ ژ گ; Arabic has ة, and its ي ك ى are foreign to Persian
//! spelling. Text typed on the other language's keyboard looks right and is wrong: search for
//! شمخاني misses شمخانی, and a tokenizer sees two words.
//!
//! One finding per word (its whole span), whatever the number of wrong letters in it. A fix is
//! offered only where it is certain (design: "a fix is offered only where it is certain"):
//! - Arabic paragraph: ک → ك always; ی → ي inside a word. A word-final ی may be ي or ى (علي /
//!   على), so it is decided only by the knowledge base (a KB name written with ي or with ى) or a
//!   small lexicon of frequent words (في، الذي / على، إلى، حتى …), and only when exactly one of
//!   the two readings is known. Inside a recognised name the KB alone decides, so the علی of
//!   «علی شمخانی» becomes علي. پ چ ژ گ have no Arabic equivalent to write: no fix.
//! - Persian paragraph: ي ى → ی and ك → ک always; ة (ه or ت?) has no fix.
//!
//! A paragraph typed wholesale on the wrong keyboard (the Persian-lettered copy of an Arabic
//! headline; Persian typed with Arabic ي and ك) gets one summary finding on the line, with one
//! fix converting every word that can be converted with certainty, instead of a finding per
//! word. Words of such a line whose fix is not certain still get their own finding (without a
//! fix), so that what the summary fix leaves behind can be found.

use std::collections::HashSet;

use super::{line_span, Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::analysis::script::{evidence, is_arabic_letter, Lang};
use crate::analysis::text::Line;

pub struct MixedOrthography;

static META: RuleMeta = RuleMeta {
    id: "mixed-orthography",
    default_severity: Severity::Warning,
    summary: "Persian-only letters in an Arabic paragraph, or Arabic-only letters in a Persian one",
    help: "## What it does\n\n\
Reports words of an Arabic paragraph written with Persian letters (ی ک, and پ چ ژ گ), and \
words of a Persian paragraph written with Arabic letters (ي ك ى ة), one finding per word. A \
paragraph typed wholesale on the other keyboard gets one finding for the whole line instead.\n\n\
Fixes are offered only where they are certain: ک → ك and a ی inside a word → ي in Arabic; \
ي ى → ی and ك → ک in Persian. A word-final ی in Arabic may be ي or ى (علي / على): it is fixed \
only when the knowledge base or a short list of frequent words knows exactly one of the two. \
پ چ ژ گ in Arabic and ة in Persian have no fix. Words in Latin script are ignored.\n\n\
## Why it matters\n\n\
The letters look alike and are different code points: searching, counting and entity matching \
over the corpus silently miss the misspelt copies.\n\n\
## Example\n\n\
In an Arabic paragraph `العملیات المشترکة` → `العمليات المشتركة`; `شمخانی` → `شمخاني` (the \
knowledge base writes the name with ي).\n",
    fixable: true,
};

/// A paragraph with at least this many wrongly-lettered words…
const SUMMARY_MIN_WORDS: usize = 3;
/// …making up at least this share (numerator, denominator) of its words that have a yeh or a
/// kaf, is reported as a whole.
const SUMMARY_SHARE: (usize, usize) = (2, 3);

/// Frequent Arabic words that end in ى (alef forms unified, no tashkeel).
const ALEF_MAQSURA_WORDS: &[&str] = &[
    "على",
    "الى",
    "حتى",
    "لدى",
    "سوى",
    "متى",
    "مدى",
    "اخرى",
    "كبرى",
    "صغرى",
    "عظمى",
    "اولى",
    "الاخرى",
    "الكبرى",
    "الصغرى",
    "العظمى",
    "الاولى",
    "الوسطى",
    "القصوى",
    "الشورى",
    "مستشفى",
    "المستشفى",
    "مستوى",
    "المستوى",
    "مبنى",
    "المبنى",
    "معنى",
    "المعنى",
    "ملتقى",
    "الملتقى",
    "منتدى",
    "المنتدى",
    "مصطفى",
    "موسى",
    "عيسى",
    "يحيى",
    "ليلى",
    "سلمى",
    "هدى",
    "بشرى",
    "ذكرى",
    "الذكرى",
    "فتوى",
    "دعوى",
    "شكوى",
    "قوى",
    "القوى",
    "ادنى",
    "اقصى",
    "اعلى",
    "رؤى",
    "مرمى",
    "مقهى",
    "جدوى",
    "تقوى",
    "قرى",
    "القرى",
    "اسرى",
    "الاسرى",
    "جرحى",
    "الجرحى",
    "مرضى",
    "المرضى",
    "قتلى",
    "القتلى",
    "موسيقى",
    "الموسيقى",
    "ادى",
    "اجرى",
    "جرى",
    "مضى",
    "راى",
    "القى",
    "ابدى",
    "اعطى",
    "انهى",
    "تلقى",
    "سعى",
    "نفى",
    "اتى",
    "تبنى",
    "ابقى",
    "لقى",
    "بقى",
    "ارسى",
    "اخفى",
    "تولى",
    "ادلى",
    "تعافى",
    "تبقى",
];

/// Frequent Arabic words that end in ي and have no ى reading.
const YEH_WORDS: &[&str] = &["في", "الذي", "التي", "اي", "كي", "لكي", "الذى"];

/// The spelling key a final ي/ى is decided on: alef forms unified, tashkeel and tatweel
/// dropped, ک → ك, but ي and ى kept apart (which `normalize::fold` merges).
fn spell_key(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
            'ک' => Some('ك'),
            '\u{064b}'..='\u{0652}' | '\u{0670}' | '\u{0640}' => None,
            _ => Some(c),
        })
        .collect()
}

/// The word itself and the word without one or two leading proclitics (و ف ب ل ك).
fn variants(key: &str) -> Vec<String> {
    let mut out = vec![key.to_string()];
    let mut cur = key;
    for _ in 0..2 {
        let mut it = cur.chars();
        match it.next() {
            Some('و' | 'ف' | 'ب' | 'ل' | 'ك') if it.as_str().chars().count() >= 2 => {
                cur = it.as_str();
                out.push(cur.to_string());
            }
            _ => break,
        }
    }
    out
}

/// Words of Arabic-script KB names, keyed by [`spell_key`]; Persian spellings are left out.
fn kb_words(cx: &Context<'_>) -> HashSet<String> {
    let mut set = HashSet::new();
    for e in &cx.kb.entities {
        for (surface, _) in e.surfaces() {
            for w in surface.split(|c: char| !is_word_char(c)) {
                if w.is_empty()
                    || w.chars()
                        .any(|c| matches!(c, 'ی' | 'ک' | 'پ' | 'چ' | 'ژ' | 'گ'))
                {
                    continue;
                }
                if w.chars().any(is_arabic_letter) {
                    set.insert(spell_key(w));
                }
            }
        }
    }
    set
}

fn is_word_char(c: char) -> bool {
    is_arabic_letter(c)
        || crate::analysis::normalize::is_alnum(c)
        || matches!(
            c,
            '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}' | '\u{200c}'
        )
}

struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn words<'a>(line: &Line<'a>) -> Vec<Word<'a>> {
    let mut out = Vec::new();
    let mut pos = line.start;
    let mut begin: Option<(usize, usize)> = None; // (byte, code point)
    for (b, c) in line.text.char_indices() {
        if is_word_char(c) {
            if begin.is_none() {
                begin = Some((b, pos));
            }
        } else if let Some((bb, cp)) = begin.take() {
            out.push(Word {
                text: &line.text[bb..b],
                start: cp,
                end: pos,
            });
        }
        pos += 1;
    }
    if let Some((bb, cp)) = begin {
        out.push(Word {
            text: &line.text[bb..],
            start: cp,
            end: pos,
        });
    }
    out
}

/// Words of an Arabic paragraph that belong to a Persian phrase quoted on purpose: a run of
/// consecutive words that all carry Persian-only letters, one of them پ چ ژ گ. Those four are
/// never a keyboard slip (an Arabic keyboard has no key for them), so a word with one is Persian
/// written as Persian — «الصحوة الإسلامية» (بیداری اسلامی) — and so are its Persian-lettered
/// neighbours.
fn persian_islands(ws: &[Word<'_>]) -> Vec<bool> {
    let persianish: Vec<bool> = ws
        .iter()
        .map(|w| {
            w.text
                .chars()
                .any(|c| matches!(c, 'ی' | 'ک' | 'پ' | 'چ' | 'ژ' | 'گ'))
        })
        .collect();
    let mut out = vec![false; ws.len()];
    let mut i = 0;
    while i < ws.len() {
        if !persianish[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < ws.len() && persianish[i] {
            i += 1;
        }
        if ws[start..i]
            .iter()
            .any(|w| w.text.chars().any(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ')))
        {
            out[start..i].iter_mut().for_each(|q| *q = true);
        }
    }
    out
}

/// Whether a line labelled Persian is Persian enough to "fix" towards Persian letters: it has a
/// Persian-only letter, or clear Persian evidence and none for Arabic.
fn trusted_persian(line: &str) -> bool {
    if line
        .chars()
        .any(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی' | 'ک'))
    {
        return true;
    }
    let ev = evidence(line);
    ev.persian >= 6 && ev.arabic == 0
}

/// What is wrong with one word and how to write it right.
struct Finding {
    start: usize,
    end: usize,
    /// The wrong letters, in order of appearance, each once.
    letters: Vec<char>,
    /// The corrected word, when certain.
    fixed: Option<String>,
    /// Whether a yeh or kaf is among the wrong letters (what the paragraph summary counts).
    yeh_kaf: bool,
}

/// Lazily built lookups for the final-ی decision.
struct Lexicon {
    kb: Option<HashSet<String>>,
    yeh: &'static HashSet<String>,
    maqsura: &'static HashSet<String>,
}

/// The keyed word lists, built once (per article, they were most of this rule's cost).
fn word_lists() -> &'static (HashSet<String>, HashSet<String>) {
    static L: std::sync::OnceLock<(HashSet<String>, HashSet<String>)> = std::sync::OnceLock::new();
    L.get_or_init(|| {
        (
            YEH_WORDS.iter().map(|w| spell_key(w)).collect(),
            ALEF_MAQSURA_WORDS.iter().map(|w| spell_key(w)).collect(),
        )
    })
}

impl Lexicon {
    fn new() -> Self {
        let (yeh, maqsura) = word_lists();
        Lexicon {
            kb: None,
            yeh,
            maqsura,
        }
    }

    /// ي or ى for a word whose last letter is a Persian ی, if exactly one reading is known.
    /// `stem` is the word with everything but that letter already corrected.
    fn final_yeh(&mut self, cx: &Context<'_>, stem: &str, in_name: bool) -> Option<char> {
        let kb = self.kb.get_or_insert_with(|| kb_words(cx));
        let known = |letter: char, lexicon: &HashSet<String>| {
            let key = spell_key(&format!("{stem}{letter}"));
            variants(&key)
                .iter()
                .any(|v| kb.contains(v) || (!in_name && lexicon.contains(v)))
        };
        match (known('ي', self.yeh), known('ى', self.maqsura)) {
            (true, false) => Some('ي'),
            (false, true) => Some('ى'),
            _ => None,
        }
    }
}

fn check_arabic_word(
    cx: &Context<'_>,
    w: &Word<'_>,
    in_name: bool,
    lex: &mut Lexicon,
) -> Option<Finding> {
    if !w
        .text
        .chars()
        .any(|c| matches!(c, 'ی' | 'ک' | 'پ' | 'چ' | 'ژ' | 'گ'))
        || !w.text.chars().any(is_arabic_letter)
    {
        return None;
    }
    let chars: Vec<char> = w.text.chars().collect();
    // The last letter of the word (tashkeel after it does not count).
    let last_letter = chars
        .iter()
        .rposition(|&c| is_arabic_letter(c) || c.is_alphabetic());
    let mut letters = Vec::new();
    let mut certain = true;
    let mut fixed = String::with_capacity(w.text.len());
    let mut final_yeh = false;
    for (i, &c) in chars.iter().enumerate() {
        let bad = matches!(c, 'ی' | 'ک' | 'پ' | 'چ' | 'ژ' | 'گ');
        if bad && !letters.contains(&c) {
            letters.push(c);
        }
        match c {
            'ک' => fixed.push('ك'),
            'ی' if Some(i) == last_letter => final_yeh = true,
            'ی' => fixed.push('ي'),
            'پ' | 'چ' | 'ژ' | 'گ' => {
                certain = false;
                fixed.push(c);
            }
            _ if final_yeh => {} // tashkeel after the final letter: re-attached below
            _ => fixed.push(c),
        }
    }
    if final_yeh && certain {
        match lex.final_yeh(cx, &fixed, in_name) {
            Some(letter) => {
                fixed.push(letter);
                // Marks that followed the final letter.
                if let Some(li) = last_letter {
                    fixed.extend(chars[li + 1..].iter());
                }
            }
            None => certain = false,
        }
    }
    let yeh_kaf = letters.iter().any(|c| matches!(c, 'ی' | 'ک'));
    Some(Finding {
        start: w.start,
        end: w.end,
        letters,
        fixed: certain.then_some(fixed),
        yeh_kaf,
    })
}

fn check_persian_word(w: &Word<'_>) -> Option<Finding> {
    if !w.text.chars().any(|c| matches!(c, 'ي' | 'ك' | 'ى' | 'ة')) {
        return None;
    }
    let mut letters = Vec::new();
    let mut certain = true;
    let mut fixed = String::with_capacity(w.text.len());
    for c in w.text.chars() {
        if matches!(c, 'ي' | 'ك' | 'ى' | 'ة') && !letters.contains(&c) {
            letters.push(c);
        }
        match c {
            'ي' | 'ى' => fixed.push('ی'),
            'ك' => fixed.push('ک'),
            'ة' => {
                certain = false;
                fixed.push(c);
            }
            _ => fixed.push(c),
        }
    }
    let yeh_kaf = letters.iter().any(|c| matches!(c, 'ي' | 'ك'));
    Some(Finding {
        start: w.start,
        end: w.end,
        letters,
        fixed: certain.then_some(fixed),
        yeh_kaf,
    })
}

fn letter_list(letters: &[char]) -> String {
    let v: Vec<String> = letters.iter().map(|c| c.to_string()).collect();
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        _ => format!("{} and {}", v[..v.len() - 1].join(", "), v[v.len() - 1]),
    }
}

impl Rule for MixedOrthography {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut lex = Lexicon::new();
        for (i, line) in cx.prep.lines.iter().enumerate() {
            let lang = cx.prep.langs.get(i).copied().unwrap_or_default();
            if lang == Lang::Other {
                continue;
            }
            // Only a word holding a letter of the other language can be a finding: a line
            // without one is done. (ی ک پ چ ژ گ all start with byte DA or DB, rare in Arabic.)
            let other_letter = match lang {
                Lang::Arabic => memchr::memchr2(0xda, 0xdb, line.text.as_bytes()).is_some(),
                _ => line.text.contains(['ي', 'ك', 'ى', 'ة']),
            };
            if !other_letter {
                continue;
            }
            // A Persian label without a trace of Persian in the line is the article's majority
            // or a hint, not evidence: Arabic lines of a mixed article must not be "fixed".
            // Short Arabic lines share words with Persian (ما، اين، كل): without a Persian letter,
            // only strong, unopposed evidence is trusted.
            if lang == Lang::Persian && !trusted_persian(line.text) {
                continue;
            }
            let ws = words(line);
            let quoted = if lang == Lang::Arabic {
                persian_islands(&ws)
            } else {
                vec![false; ws.len()]
            };
            let mut found = Vec::new();
            // Words that carry a yeh or a kaf at all: the base of the paragraph share.
            let mut yeh_kaf_words = 0;
            for (w, &quoted) in ws.iter().zip(&quoted) {
                if quoted {
                    continue;
                }
                let f = match lang {
                    Lang::Arabic => {
                        if w.text.chars().any(|c| matches!(c, 'ي' | 'ی' | 'ك' | 'ک')) {
                            yeh_kaf_words += 1;
                        }
                        let in_name = cx
                            .mentions
                            .iter()
                            .any(|m| m.start <= w.start && w.end <= m.end);
                        check_arabic_word(cx, w, in_name, &mut lex)
                    }
                    Lang::Persian => {
                        if w.text.chars().any(|c| matches!(c, 'ي' | 'ی' | 'ك' | 'ک')) {
                            yeh_kaf_words += 1;
                        }
                        check_persian_word(w)
                    }
                    Lang::Other => None,
                };
                found.extend(f);
            }
            if found.is_empty() {
                continue;
            }
            let wrong = found.iter().filter(|f| f.yeh_kaf).count();
            let summary = wrong >= SUMMARY_MIN_WORDS
                && wrong * SUMMARY_SHARE.1 >= yeh_kaf_words * SUMMARY_SHARE.0;
            let (lang_name, other, fix_title) = match lang {
                Lang::Persian => ("Persian", "Arabic", "Persian"),
                _ => ("Arabic", "Persian", "Arabic"),
            };
            if summary {
                let (s, e) = line_span(line);
                let mut all: Vec<char> = Vec::new();
                for f in &found {
                    for c in &f.letters {
                        if !all.contains(c) {
                            all.push(*c);
                        }
                    }
                }
                let edits: Vec<Edit> = found
                    .iter()
                    .filter_map(|f| {
                        f.fixed.as_ref().map(|t| Edit {
                            start: f.start,
                            end: f.end,
                            new_text: t.clone(),
                        })
                    })
                    .collect();
                let mut d = Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    s,
                    e,
                    format!(
                        "this {lang_name} paragraph is typed with {other} letters ({} in {} words)",
                        letter_list(&all),
                        found.len()
                    ),
                );
                if !edits.is_empty() {
                    d.fixes.push(Fix {
                        title: format!("write the paragraph with {fix_title} letters"),
                        edits,
                    });
                }
                out.push(d);
            }
            for f in &found {
                if summary && f.fixed.is_some() {
                    continue;
                }
                let plural = if f.letters.len() > 1 {
                    "letters"
                } else {
                    "letter"
                };
                let mut d = Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    f.start,
                    f.end,
                    format!(
                        "{other} {plural} {} in {} word",
                        letter_list(&f.letters),
                        article(lang_name)
                    ),
                );
                if let Some(t) = &f.fixed {
                    d = d.with_fix(
                        format!("write it with {fix_title} letters"),
                        f.start,
                        f.end,
                        t.clone(),
                    );
                }
                out.push(d);
            }
        }
    }
}

fn article(lang_name: &str) -> String {
    if lang_name.starts_with('A') {
        format!("an {lang_name}")
    } else {
        format!("a {lang_name}")
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    const R: &str = "mixed-orthography";

    #[test]
    fn persian_letters_in_arabic_words() {
        check(R, "قال المسؤول إن ⟦العملیات⟧ العسكرية مستمرة في المنطقة");
        check(R, "وصل الوفد إلى ⟦مکة⟧ أمس في زيارة رسمية");
        // One finding per word, however many wrong letters it has.
        check(R, "قال الوزير إن ⟦المشترکیة⟧ قائمة في البلاد");
        check(R, "قال الوزير إن ⟦الکبرى⟧ قائمة");
    }

    #[test]
    fn quoted_persian_in_arabic_is_left_alone() {
        // پ چ ژ گ are never a keyboard slip: the word is Persian on purpose, and so are the
        // Persian-lettered words next to it.
        check(R, "ويسمى «الكيان الإسرائيلي» (رژیم صهیونیستی) في خطابهم");
        check(R, "مصطلح «الصحوة الإسلامية» (پیداری إسلامی) وهو البديل");
        check(R, "مصطلح (رژیم آل ⟦خلیفة⟧) كما يقولون");
    }

    #[test]
    fn arabic_letters_in_persian_words() {
        check(
            R,
            "وزیر دفاع روسیه در این دیدار ⟦گفتگوي⟧ خوبی داشت و گفت که همکاری ادامه دارد",
        );
        check(R, "این ⟦كشور⟧ در سال گذشته با مشکلات زیادی روبرو بود");
    }

    #[test]
    fn clean_text_and_latin_words() {
        check(R, "قال الوزير إن العمليات المشتركة مستمرة على الأرض");
        check(R, "وزیر دفاع روسیه در این دیدار گفت که همکاری ادامه دارد");
        check(R, "قال الوزير إن شركة Google تعمل في البلاد منذ عام 2010");
        check(R, "newsQrCode");
        // Short Arabic lines with words Persian shares (أين، ما، كل) are not Persian.
        check(
            R,
            "وزیر دفاع روسیه در این دیدار گفت که همکاری ادامه دارد\nأين الـ25 مليار دولار؟",
        );
        check(R, "كل مكتوب خير ،، واللي ما يصير خيره");
        // An Arabic line in a Persian article keeps its Arabic letters.
        check(R, "وزیر دفاع روسیه در این دیدار گفت که همکاری ادامه دارد\nقال الرئيس في كلمته إن التعاون مستمر");
        check(R, "");
        check(R, "\r\n\r");
    }

    #[test]
    fn final_yeh_needs_a_decision() {
        // على or علي? No fix: the word is still reported.
        expect_test::expect![[r#"
            1:6-1:9 warning Persian letter ی in an Arabic word [علی]
        "#]]
        .assert_eq(&render(R, "وقال علی الأرض شيئا"));
        // The KB writes the name with ي: certain.
        expect_test::expect![[r#"
            1:6-1:12 warning Persian letter ی in an Arabic word [شمخانی]
              fix: write it with Arabic letters 5..11="شمخاني"
        "#]]
        .assert_eq(&render(R, "وقال شمخانی إن الاجتماع كان مثمرا"));
        // The lexicon knows فی and الی, each with one reading; a proclitic is looked through.
        expect_test::expect![[r#"
            1:5-1:7 warning Persian letter ی in an Arabic word [فی]
              fix: write it with Arabic letters 4..6="في"
            1:15-1:19 warning Persian letter ی in an Arabic word [والی]
              fix: write it with Arabic letters 14..18="والى"
        "#]]
        .assert_eq(&render(R, "وصل فی الموعد والی المدينة"));
        // Inside a recognised name the KB decides alone: this علی is the name علي.
        expect_test::expect![[r#"
            1:12-1:15 warning Persian letter ی in an Arabic word [علی]
              fix: write it with Arabic letters 11..14="علي"
        "#]]
        .assert_eq(&render(R, "وقال السيد علی شمخاني إن الاجتماع كان مثمرا"));
    }

    #[test]
    fn whole_paragraph_typed_on_the_other_keyboard() {
        expect_test::expect![[r#"
            1:1-1:54 warning this Arabic paragraph is typed with Persian letters (ی and ک in 6 words) [شمخانی: تجربة العملیات المشترکة بین دمشق یمکن تعمیمها]
              fix: write the paragraph with Arabic letters 0..6="شمخاني" 14..22="العمليات" 23..31="المشتركة" 32..35="بين" 41..45="يمكن" 46..53="تعميمها"
        "#]]
        .assert_eq(&render(R, "شمخانی: تجربة العملیات المشترکة بین دمشق یمکن تعمیمها"));
        // Persian typed with Arabic ي and ك: one finding for the line.
        expect_test::expect![[r#"
            1:1-1:48 warning this Persian paragraph is typed with Arabic letters (ي and ك in 4 words) [اين كشور در سال گذشته با مشكلات زيادي روبرو بود]
              fix: write the paragraph with Persian letters 0..3="این" 4..8="کشور" 25..31="مشکلات" 32..37="زیادی"
        "#]]
        .assert_eq(&render(R, "اين كشور در سال گذشته با مشكلات زيادي روبرو بود"));
    }
}
