//! `unattributed-quote`: a quotation with no source named for it.
//!
//! A quotation is only reported when it is longer than a few words and is not a name: «سانا»,
//! «فارس» and «سرگئی شویگو» are names in guillemets. It counts as attributed when its paragraph
//! (or, for a quotation opening a paragraph, the one before) names a speaker: a speech verb
//! (قال، أضاف، أكد، گفت، افزود …), an attribution (وفق، نقلا عن، به گزارش …) or a person from the
//! knowledge base. Quotes are paired over the whole article, since news often closes a
//! quotation only at the end of its last paragraph.

use super::attribution::{count_chars, quotes};
use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::kb::Kind;
use crate::analysis::normalize::{fold, fold_into, is_word_char};
use crate::analysis::script::FastHash;
use std::collections::HashSet;
use std::sync::OnceLock;

pub struct UnattributedQuote;

static META: RuleMeta = RuleMeta {
    id: "unattributed-quote",
    default_severity: Severity::Info,
    summary: "a quotation with no source named",
    help: "## What it does\n\n\
Reports a quotation of five words or more whose paragraph names no speaker: no speech verb \
(قال، أضاف، أكد، گفت، افزود …), no attribution (وفق، نقلا عن، به گزارش …) and no person from \
the knowledge base. Names in guillemets («سانا», «سرگئی شویگو») are not quotations.\n\n\
## Why it matters\n\n\
A quotation without a speaker cannot be verified or attributed in the annotated corpus.\n\n\
## Example\n\n\
`«إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»` standing alone is reported; \
`وقال الوزير: «إن الحل السياسي …»` is not.\n",
    fixable: false,
};

const MIN_WORDS: usize = 5;

const SPEECH: &[&str] = &[
    "قال",
    "قالت",
    "يقول",
    "تقول",
    "أضاف",
    "أضافت",
    "يضيف",
    "أكد",
    "أكدت",
    "يؤكد",
    "أوضح",
    "أوضحت",
    "صرح",
    "صرحت",
    "تابع",
    "تابعت",
    "لافتا",
    "مشددا",
    "داعيا",
    "مؤكدا",
    "معتبرا",
    "مضيفا",
    "موضحا",
    "أشار",
    "أشارت",
    "ذكر",
    "ذكرت",
    "قوله",
    "بقوله",
    "أعلن",
    "أعلنت",
    "كتب",
    "كتبت",
    "اعتبر",
    "شدد",
    "نقل",
    "نقلت",
    "عنه",
    "لسان",
    "وفق",
    "حسب",
    "بحسب",
    "متسائلا",
    "مضيفة",
    "قائلا",
    "قائلة",
    "يرى",
    "گفت",
    "افزود",
    "اظهار",
    "تاکید",
    "نوشت",
    "اعلام",
    "تصریح",
    "خاطرنشان",
    "گفته",
];

/// The folded [`SPEECH`] words, as a set: every word around a quotation is looked up.
fn speech_words() -> &'static HashSet<String, FastHash> {
    static S: OnceLock<HashSet<String, FastHash>> = OnceLock::new();
    S.get_or_init(|| SPEECH.iter().map(|w| fold(w)).collect())
}

/// Does folded `text` hold a speech verb (with a proclitic و/ف/ل allowed)?
fn has_speech(text: &str) -> bool {
    let words = speech_words();
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = w.trim_start_matches(['و', 'ف']);
            words.contains(w) || w.strip_prefix('ل').is_some_and(|r| words.contains(r))
        })
}

/// Whether `text` holds a speech verb once folded. Folding is local to characters apart from
/// runs of spaces, so the parts of a space-joined context can be looked at one at a time, folded
/// into one reused buffer.
fn part_has_speech(text: &str, buf: &mut String) -> bool {
    fold_into(text, buf);
    has_speech(buf)
}

/// The length in bytes of the character at byte `b` of `text` (a quotation mark).
fn char_len_at(text: &str, b: usize) -> usize {
    text.get(b..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8)
}

impl Rule for UnattributedQuote {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let qs = quotes(cx);
        if qs.is_empty() {
            return;
        }
        let prep = cx.prep;
        let text = prep.text;
        let mut buf = String::new();
        for q in qs {
            let content_start = q.open_byte + char_len_at(text, q.open_byte);
            let content = text.get(content_start..q.close_byte).unwrap_or("");
            fold_into(content, &mut buf);
            let n_words = buf
                .split(|c: char| !is_word_char(c))
                .filter(|w| !w.is_empty())
                .count();
            if n_words < MIN_WORDS {
                continue;
            }
            // A name in guillemets: a mention covering most of the content.
            let covered: usize = cx
                .mentions
                .iter()
                .filter(|m| m.start > q.open && m.end <= q.close)
                .map(|m| m.end - m.start)
                .sum();
            if covered * 10 >= count_chars(content.as_bytes()) * 6 {
                continue;
            }
            let first_line = prep.line_at(q.open);
            let last_line = prep.line_at(q.close);
            // Where a speaker may be named: the opening paragraph up to the quote, the closing
            // paragraph after it, and the paragraph before when the quote opens its own.
            let open_line = &prep.lines[first_line];
            let before = text.get(open_line.byte_start..q.open_byte).unwrap_or("");
            let close_line = &prep.lines[last_line];
            let after = text
                .get(
                    q.close_byte + char_len_at(text, q.close_byte)
                        ..close_line.byte_start + close_line.text.len(),
                )
                .unwrap_or("");
            let opens_paragraph = before.trim().is_empty();
            let prev = if opens_paragraph {
                (0..first_line)
                    .rev()
                    .map(|i| &prep.lines[i])
                    .find(|l| !l.text.trim().is_empty())
            } else {
                None
            };
            let ctx_start = if opens_paragraph {
                prep.lines
                    .get(first_line.saturating_sub(2))
                    .map(|l| l.start)
                    .unwrap_or(0)
            } else {
                open_line.start
            };
            let ctx_end = close_line.end;
            let attributed = cx.mentions.iter().any(|m| {
                cx.kb.entity(m.entity).kind == Kind::Person
                    && m.start >= ctx_start
                    && m.end <= ctx_end
                    && (m.end <= q.open || m.start > q.close)
            }) || cx.attributions().iter().any(|a| {
                a.trigger.start >= ctx_start
                    && a.trigger.start < ctx_end
                    && (a.trigger.start < q.open || a.trigger.start > q.close)
            }) || part_has_speech(before, &mut buf)
                || part_has_speech(after, &mut buf)
                || prev.is_some_and(|l| part_has_speech(l.text, &mut buf));
            if !attributed {
                out.push(Diagnostic::new(
                    META.id,
                    Severity::Info,
                    q.open,
                    q.close + 1,
                    format!("a quotation of {n_words} words with no source named"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn quotation_without_a_speaker() {
        check(
            "unattributed-quote",
            "مقدمة الخبر.\n\n⟦«إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة في البلاد»⟧.",
        );
        expect_test::expect![[r#"
            1:1-1:27 info a quotation of 5 words with no source named [«إن الحل هو الطريق الوحيد»]
        "#]]
        .assert_eq(&render("unattributed-quote", "«إن الحل هو الطريق الوحيد»"));
    }

    #[test]
    fn attributed_quotations() {
        check(
            "unattributed-quote",
            "وقال الوزير: «إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»",
        );
        check(
            "unattributed-quote",
            "«إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»، قال الوزير",
        );
        check(
            "unattributed-quote",
            "وأكد علي شمخاني أن «التعاون السوري الإيراني يصب في دعم الأمن الإقليمي»",
        );
        check(
            "unattributed-quote",
            "وقال: \"اذا أوقفت الأطراف المقابلة الدعم سيعود الأمن\"",
        );
        check("unattributed-quote", "وأضاف المتحدث في بيانه:\n«لقد تابعنا ما جرى في الاجتماع ونحن نرحب\n\nبكل جهد صادق يخدم الاستقرار»");
    }

    #[test]
    fn names_in_guillemets_are_not_quotations() {
        check(
            "unattributed-quote",
            "ذكرت وكالة «سانا» و«فارس» أن الاجتماع انتهى",
        );
        check("unattributed-quote", "ارتشبد «سرگئی شویگو» وزیر دفاع روسیه");
        check("unattributed-quote", "«أربع كلمات فقط هنا»");
    }
}
