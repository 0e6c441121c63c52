//! `unbalanced-quotes`: a quotation mark without its partner.
//!
//! Quotes are paired over the whole article, not per paragraph: news often opens a quotation in
//! one paragraph and closes it only at the end of the next. Lines that are scraper boilerplate
//! are skipped, because their quote marks are HTML remnants (`" />`), not quotations.
//! Where to put a missing mark is not certain, so there is no fix.

use super::attribution::{cp_in_line, quote_lines};
use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub struct UnbalancedQuotes;

static META: RuleMeta = RuleMeta {
    id: "unbalanced-quotes",
    default_severity: Severity::Warning,
    summary: "a quotation mark without its partner",
    help: "## What it does\n\n\
Pairs « with », “ with ” and straight double quotes over the whole article and reports each \
mark left without a partner.\n\n\
## Why it matters\n\n\
An unclosed quotation makes everything after it look quoted: attribution checks, quote \
extraction and readers all go wrong. It usually means a scraper cut the text or an editor \
lost a mark.\n\n\
## Example\n\n\
`ونقلت صحيفة «الوطن عن مصدر …` — the « is never closed.\n",
    fixable: false,
};

impl Rule for UnbalancedQuotes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // Open marks waiting for their partner: (line, byte in it, closing mark). Code points
        // are counted only for the marks reported.
        let mut open = Vec::new();
        let mut straight = None;
        for (line, marks) in quote_lines(cx) {
            for m in marks {
                let (here, c) = ((line, m.byte), m.c);
                let cp = |(line, byte)| cp_in_line(line, byte);
                match c {
                    '«' => open.push((here, '»')),
                    '»' => match open.iter().rposition(|&(_, close)| close == c) {
                        Some(k) => {
                            open.remove(k);
                        }
                        None => out.push(Diagnostic::new(
                            META.id,
                            Severity::Warning,
                            cp(here),
                            cp(here) + 1,
                            format!("this {c} closes a quotation that was never opened"),
                        )),
                    },
                    // Right-to-left text swaps “ and ” as often as not: curly quotes pair like
                    // straight ones, whichever way round they are.
                    _ => {
                        straight = match straight {
                            Some(_) => None,
                            None => Some(here),
                        }
                    }
                }
            }
        }
        for (here, _) in open {
            let at = cp_in_line(here.0, here.1);
            let opener = '«';
            out.push(Diagnostic::new(
                META.id,
                Severity::Warning,
                at,
                at + 1,
                format!("this {opener} opens a quotation that is never closed"),
            ));
        }
        if let Some((line, byte)) = straight {
            let at = cp_in_line(line, byte);
            out.push(Diagnostic::new(
                META.id,
                Severity::Warning,
                at,
                at + 1,
                "this quotation mark has no partner: the article has an odd number of \" “ ” marks",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn unclosed_and_unopened() {
        check(
            "unbalanced-quotes",
            "ونقلت صحيفة ⟦«⟧الوطن عن مصدر مطلع أن الاجتماع انتهى.",
        );
        check("unbalanced-quotes", "قال المتحدث إن الاجتماع انتهى⟦»⟧ أمس.");
        check("unbalanced-quotes", "قال: \"نحن هنا\" ثم قال ⟦\"⟧نعم");
        expect_test::expect![[r#"
            1:13-1:14 warning this « opens a quotation that is never closed [«]
        "#]]
        .assert_eq(&render("unbalanced-quotes", "ونقلت صحيفة «الوطن عن مصدر"));
    }

    #[test]
    fn balanced_nested_and_across_paragraphs() {
        check(
            "unbalanced-quotes",
            "قال «لقد تابعنا ما نشرته «فارس» عن الاجتماع» أمس.",
        );
        check(
            "unbalanced-quotes",
            "وأضاف: «إن الحل السياسي\n\nهو الطريق الوحيد».",
        );
        check("unbalanced-quotes", "قال “نحن هنا” و\"نعم\".");
    }

    #[test]
    fn boilerplate_quote_marks_are_ignored() {
        check("unbalanced-quotes", "عقد الاجتماع الأول،...\" /> عقد الاجتماع الأول،...\" /> عقد الاجتماع الأول،...\" />\nقال \"نعم\".");
    }
}
