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
use crate::analysis::text::Line;

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
    w.chars()
        .filter_map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
            'ی' => Some('ي'),
            'ک' => Some('ك'),
            '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}' => None,
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            _ => Some(c),
        })
        .collect()
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
fn legit_single(ws: &[Word], i: usize) -> bool {
    let w = ws[i].folded.as_str();
    let letter = |k: &str| LETTER_NAMES.contains(&k);
    if letter(w) {
        if !LETTER_NAMES_ALSO_WORDS.contains(&w) {
            return true;
        }
        let before = i.checked_sub(1).map(|j| ws[j].folded.as_str());
        let after = ws.get(i + 2).map(|x| x.folded.as_str());
        if before.is_some_and(letter) || after.is_some_and(letter) {
            return true;
        }
    }
    // Vowelled differently (or only one of them vowelled, which is how a writer tells two
    // words apart): two words (قرأ الشعراءُ الشعراءَ، على من مِن المخرجين).
    if ws[i].marks != ws[i + 1].marks {
        return true;
    }
    // Right inside quotation marks or brackets: a title, a chant or reported speech
    // («قوي قوي يا أستاذ»، (طاق طاق طاقية)).
    if ws[i].after_open || ws[i + 1].before_close {
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
    folded: String,
    start: usize,
    end: usize,
    /// Only whitespace between this word and the previous one.
    joined: bool,
    number: bool,
    /// The word's tashkeel, in order (empty when it is not vowelled).
    marks: String,
    /// An opening quotation mark or bracket right before the word.
    after_open: bool,
    /// A closing quotation mark or bracket right after the word.
    before_close: bool,
}

fn is_open(c: char) -> bool {
    matches!(c, '«' | '“' | '"' | '(' | '[' | '‘' | '\'')
}

fn is_close(c: char) -> bool {
    matches!(c, '»' | '”' | '"' | ')' | ']' | '’' | '\'')
}

/// Words of one line with their spans; punctuation between two words clears `joined`.
fn words(line: &Line<'_>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut gap_clean = true;
    let mut pos = line.start;
    let chars: Vec<char> = line.text.chars().collect();
    let push =
        |cur: &mut String, start: usize, end: usize, gap_clean: bool, out: &mut Vec<Word>| {
            if cur.is_empty() {
                return;
            }
            let number = cur.chars().all(|c| c.is_numeric());
            let marks: String = cur
                .chars()
                .filter(|c| matches!(c, '\u{064b}'..='\u{0652}'))
                .collect();
            let (ls, le) = (start - line.start, end - line.start);
            let after_open = ls
                .checked_sub(1)
                .and_then(|j| chars.get(j))
                .is_some_and(|&c| is_open(c));
            let before_close = chars.get(le).is_some_and(|&c| is_close(c));
            out.push(Word {
                folded: key(cur),
                start,
                end,
                joined: gap_clean && !out.is_empty(),
                number,
                marks,
                after_open,
                before_close,
            });
            cur.clear();
        };
    for c in line.text.chars() {
        let in_word = crate::analysis::normalize::is_alnum(c)
            || matches!(
                c,
                '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}' | '\u{200c}'
            )
            || (c == '\'' && !cur.is_empty());
        if in_word {
            if cur.is_empty() {
                start = pos;
            }
            cur.push(c);
        } else {
            if !cur.is_empty() {
                push(&mut cur, start, pos, gap_clean, &mut out);
                gap_clean = true;
            }
            if !c.is_whitespace() {
                gap_clean = false;
            }
        }
        pos += 1;
    }
    push(&mut cur, start, pos, gap_clean, &mut out);
    out
}

fn allowed(ws: &[Word], i: usize, allow: &[Vec<String>]) -> bool {
    // A listed phrase that covers both copies (words i and i + 1).
    allow.iter().any(|phrase| {
        let n = phrase.len();
        (0..n).any(|j| {
            let Some(s) = i.checked_sub(j) else {
                return false;
            };
            s + n >= i + 2
                && s + n <= ws.len()
                && ws[s..s + n].iter().zip(phrase).all(|(w, p)| w.folded == *p)
        })
    })
}

impl Rule for RepeatedPhrase {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let allow: Vec<Vec<String>> = REDUPLICATIONS
            .iter()
            .copied()
            .chain(cx.config.allow.reduplications.iter().map(String::as_str))
            .map(|p| {
                p.split(|c: char| c.is_whitespace() || c == '\u{200c}')
                    .filter(|w| !w.is_empty())
                    .map(key)
                    .collect::<Vec<_>>()
            })
            .filter(|p: &Vec<String>| !p.is_empty())
            .collect();
        for line in &cx.prep.lines {
            let ws = words(line);
            let mut i = 0;
            while i < ws.len() {
                if ws[i].number {
                    i += 1;
                    continue;
                }
                // The longest run starting at i that is written twice in a row.
                let found = (1..=MAX_RUN.min((ws.len() - i) / 2)).rev().find(|&k| {
                    (0..k).all(|t| {
                        let (a, b) = (&ws[i + t], &ws[i + k + t]);
                        !a.number && !b.number && a.folded == b.folded
                    }) && (i + 1..i + 2 * k).all(|t| ws[t].joined)
                });
                let Some(k) = found else {
                    i += 1;
                    continue;
                };
                if k == 1 && (allowed(&ws, i, &allow) || legit_single(&ws, i)) {
                    i += 1;
                    continue;
                }
                let (first_end, second) = (ws[i + k - 1].end, &ws[i + k..i + 2 * k]);
                let (s, e) = (second[0].start, second[k - 1].end);
                let shown =
                    crate::analysis::text::slice_chars(cx.prep.text, ws[i].start, first_end);
                let msg = if k == 1 {
                    format!("the word “{shown}” is written twice in a row")
                } else {
                    format!("the {k} words “{shown}” are written twice in a row")
                };
                out.push(
                    Diagnostic::new(META.id, Severity::Warning, s, e, msg)
                        .with_related(ws[i].start, first_end, "first written here")
                        .with_fix("delete the second copy", first_end, e, ""),
                );
                i += 2 * k;
            }
        }
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
}
