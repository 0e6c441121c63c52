//! `zwnj`: a Persian affix written without the zero-width non-joiner (U+200C) it needs.
//!
//! Persian separates the verbal prefix می/نمی and the plural ها/های from their word with a ZWNJ:
//! the letters stay apart without a space (می‌شود، همکاری‌های). Written joined they fuse into a
//! different-looking word that search and tokenisers miss; written with a space they split one
//! word in two. The suffix needs a ZWNJ only after a letter that joins: after ا د ذ ر ز ژ و it is
//! written joined (کشورها is right). Only these two affixes are checked: تر/ترین and the others
//! are too often part of the word itself (دفتر، بیشتر) to tell without a lexicon.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::ZWNJ;
use crate::analysis::script::{is_arabic_letter, Lang};

pub struct Zwnj;

static META: RuleMeta = RuleMeta {
    id: "zwnj",
    default_severity: Severity::Info,
    summary: "a Persian affix (می, نمی, ها, های) written without the zero-width non-joiner",
    help: "## What it does\n\n\
In Persian paragraphs, reports the verbal prefix می/نمی and the plural suffix ها/های/هایی \
written joined to their word, or the prefix written with a space, where standard orthography \
puts a zero-width non-joiner (U+200C).\n\n\
## Why it matters\n\n\
`میشود`, `می شود` and `می‌شود` are one word to a reader but three to search and tokenisers.\n\n\
## Example\n\n\
`همکاریهای` → `همکاری‌های`; `میشود` → `می‌شود`; `می شود` → `می‌شود`. `کشورها` is right: \
ر does not join the next letter.\n",
    fixable: true,
};

/// Letters that do not join the following letter: after them the suffix is written joined.
fn non_joining(c: char) -> bool {
    matches!(
        c,
        'ا' | 'آ' | 'أ' | 'إ' | 'د' | 'ذ' | 'ر' | 'ز' | 'ژ' | 'و' | 'ؤ' | 'ة' | 'ء'
    )
}

/// Words that begin with می or end with ها without holding the affix.
const NOT_PREFIXED: &[&str] = &[
    "میان",
    "میانه",
    "میانی",
    "میدان",
    "میز",
    "میزان",
    "میل",
    "میلی",
    "میلیون",
    "میلیارد",
    "میلادی",
    "میراث",
    "میهن",
    "میهمان",
    "میوه",
    "میکروب",
    "میثاق",
    "میخ",
    "میگو",
    "میدانها",
    "میزها",
    "میلیونها",
    "میمون",
    "مینا",
    "میر",
    "میرزا",
    "میسر",
    "میعاد",
    "میقات",
    "میکائیل",
    "میلاد",
    "میدانی",
    "میادین",
    "میزبان",
    "میزبانی",
    "میراثی",
    "میلیونی",
    "میلیاردی",
    "میهنی",
    "میانجی",
    "میانجیگری",
];
const NOT_SUFFIXED: &[&str] = &[
    "تنها",
    "بها",
    "انتها",
    "آنها",
    "اینها",
    "تنهایی",
    "تنهای",
    "بهای",
    "انتهای",
    "ابتها",
];

fn word_letter(c: char) -> bool {
    is_arabic_letter(c)
}

impl Rule for Zwnj {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (li, line) in cx.prep.lines.iter().enumerate() {
            if cx.prep.langs.get(li).copied() != Some(Lang::Persian) {
                continue;
            }
            let chars: Vec<char> = line.text.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if !word_letter(chars[i]) {
                    i += 1;
                    continue;
                }
                let s = i;
                while i < chars.len() && word_letter(chars[i]) {
                    i += 1;
                }
                let word: String = chars[s..i].iter().collect();
                let at = |k: usize| line.start + k;
                // Followed by a ZWNJ: the word goes on; its parts were separated on purpose.
                let zwnj_around = chars.get(i) == Some(&ZWNJ) || (s > 0 && chars[s - 1] == ZWNJ);
                if zwnj_around {
                    continue;
                }
                // می / نمی written apart with a space: «می شود».
                if (word == "می" || word == "نمی")
                    && chars.get(i) == Some(&' ')
                    && chars.get(i + 1).copied().is_some_and(word_letter)
                {
                    out.push(
                        Diagnostic::new(META.id, Severity::Info, at(s), at(i + 1), format!("“{word}” is written with a space before its verb: Persian uses a zero-width non-joiner"))
                            .with_fix("replace the space with a zero-width non-joiner", at(i), at(i + 1), ZWNJ.to_string()),
                    );
                    continue;
                }
                // می / نمی glued: «میشود».
                for prefix in ["نمی", "می"] {
                    let plen = prefix.chars().count();
                    if word.starts_with(prefix)
                        && word.chars().count() >= plen + 3
                        && !NOT_PREFIXED.contains(&word.as_str())
                        && !(prefix == "می" && word.starts_with("نمی"))
                    {
                        out.push(
                            Diagnostic::new(META.id, Severity::Info, at(s), at(i), format!("the prefix “{prefix}” is joined to its verb: Persian separates it with a zero-width non-joiner"))
                                .with_fix("insert a zero-width non-joiner", at(s + plen), at(s + plen), ZWNJ.to_string()),
                        );
                        break;
                    }
                }
                // ها / های / هایی glued after a joining letter: «همکاریهای».
                for suffix in ["هایی", "های", "ها"] {
                    let slen = suffix.chars().count();
                    let n = word.chars().count();
                    if n >= slen + 2
                        && word.ends_with(suffix)
                        && !NOT_SUFFIXED.contains(&word.as_str())
                    {
                        let before = chars[i - slen - 1];
                        if !non_joining(before) && before != 'ه' {
                            out.push(
                                Diagnostic::new(META.id, Severity::Info, at(s), at(i), format!("the plural “{suffix}” is joined to its word: after “{before}” Persian separates it with a zero-width non-joiner"))
                                    .with_fix("insert a zero-width non-joiner", at(i - slen), at(i - slen), ZWNJ.to_string()),
                            );
                        }
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn glued_affixes() {
        check(
            "zwnj",
            "در این دیدار ⟦همکاریهای⟧ دو کشور گفت که ⟦میشود⟧ ادامه داد",
        );
        check("zwnj", "این کار ⟦نمیشود⟧ و باید ⟦سیاستها⟧ را تغییر داد");
        expect_test::expect![[r#"
            1:14-1:23 info the plural “های” is joined to its word: after “ی” Persian separates it with a zero-width non-joiner [همکاریهای]
              fix: insert a zero-width non-joiner 19..19="\u{200c}"
        "#]]
        .assert_eq(&render("zwnj", "در این دیدار همکاریهای دو کشور"));
    }

    #[test]
    fn prefix_with_a_space() {
        check("zwnj", "این همکاری ⟦می ⟧شود که در این دیدار گفت");
    }

    #[test]
    fn right_forms_and_traps() {
        check(
            "zwnj",
            "در این دیدار کشورها و گفتگوهای دو کشور که روزها ادامه دارد",
        );
        check("zwnj", "در این دیدار همکاری‌های دو کشور که می‌شود و نمی‌شود");
        check(
            "zwnj",
            "در این دیدار میدان و میزان و میلیون‌ها نفر که تنها و آنها گفت",
        );
        // Arabic paragraphs are not concerned.
        check("zwnj", "قال المسؤول في هذا الاجتماع إن سياستها تتغير");
    }
}
