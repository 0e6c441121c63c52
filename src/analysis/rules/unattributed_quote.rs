//! `unattributed-quote`: a quotation with no source named for it.
//!
//! A quotation is only reported when it is longer than a few words and is not a name: «سانا»,
//! «فارس» and «سرگئی شویگو» are names in guillemets. It counts as attributed when its paragraph
//! (or, for a quotation opening a paragraph, the one before) names a speaker: a speech verb
//! (قال، أضاف، أكد، گفت، افزود …), an attribution (وفق، نقلا عن، به گزارش …) or a person from the
//! knowledge base. Quotes are paired over the whole article, since news often closes a
//! quotation only at the end of its last paragraph.

use super::attribution::{attributions, quotes};
use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::kb::Kind;
use crate::analysis::normalize::{fold, is_word_char};
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

fn speech_words() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| SPEECH.iter().map(|w| fold(w)).collect())
}

/// Does folded `text` hold a speech verb (with a proclitic و/ف/ل allowed)?
fn has_speech(text: &str) -> bool {
    let words = speech_words();
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = w.trim_start_matches(['و', 'ف']);
            words
                .iter()
                .any(|s| s == w || w.strip_prefix('ل').is_some_and(|r| r == s))
        })
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
        let atts = attributions(cx);
        let prep = cx.prep;
        let mut cursor = crate::analysis::text::CharCursor::new(prep.text);
        for q in qs {
            let content = cursor.slice(q.open + 1, q.close);
            let folded = fold(content);
            let n_words = folded
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
            if covered * 10 >= content.chars().count() * 6 {
                continue;
            }
            let first_line = prep.line_at(q.open);
            let last_line = prep.line_at(q.close);
            // Where a speaker may be named: the opening paragraph up to the quote, the closing
            // paragraph after it, and the paragraph before when the quote opens its own.
            let open_line = &prep.lines[first_line];
            let before =
                crate::analysis::text::slice_chars(open_line.text, 0, q.open - open_line.start);
            let close_line = &prep.lines[last_line];
            let after = crate::analysis::text::slice_chars(
                close_line.text,
                q.close + 1 - close_line.start,
                usize::MAX,
            );
            let mut context = format!("{before} {after}");
            if before.trim().is_empty() {
                if let Some(prev) = (0..first_line)
                    .rev()
                    .map(|i| &prep.lines[i])
                    .find(|l| !l.text.trim().is_empty())
                {
                    context.push(' ');
                    context.push_str(prev.text);
                }
            }
            let ctx_start = if before.trim().is_empty() {
                prep.lines
                    .get(first_line.saturating_sub(2))
                    .map(|l| l.start)
                    .unwrap_or(0)
            } else {
                open_line.start
            };
            let ctx_end = close_line.end;
            let attributed = has_speech(&fold(&context))
                || atts.iter().any(|a| {
                    a.trigger.start >= ctx_start
                        && a.trigger.start < ctx_end
                        && (a.trigger.start < q.open || a.trigger.start > q.close)
                })
                || cx.mentions.iter().any(|m| {
                    cx.kb.entity(m.entity).kind == Kind::Person
                        && m.start >= ctx_start
                        && m.end <= ctx_end
                        && (m.end <= q.open || m.start > q.close)
                });
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
