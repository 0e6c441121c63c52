//! `missing-space`: a name glued to the word before it, or a multi-word name written without
//! its space.
//!
//! Persian writes و and prepositions apart from the next word, so وسوریه is "و سوریه" with the
//! space lost (Arabic, where و is a proclitic, is not concerned). Scraped text also drops the
//! space inside names (ولادیمیرپوتین). Both are found by the matcher already; this rule reports
//! them. Persian words glued to ordinary words (باتروریسم) are left alone on purpose: without a
//! lexicon, telling a glued preposition from a word that starts with the same letters (بازار،
//! درمان) is guesswork, and a guess here would drown the real findings.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::mentions::Attachment;
use crate::analysis::normalize::fold;
use crate::analysis::text::CharCursor;

pub struct MissingSpace;

static META: RuleMeta = RuleMeta {
    id: "missing-space",
    default_severity: Severity::Warning,
    summary: "a name glued to a Persian conjunction or preposition, or written without its inner space",
    help: "## What it does\n\n\
Reports a knowledge-base name that a Persian conjunction or preposition is glued to \
(وسوریه, باایران) and a multi-word name written without its space (ولادیمیرپوتین).\n\n\
## Why it matters\n\n\
Search, tokenisers and annotators see one unknown word instead of a known name. In Persian, \
و and prepositions are separate words; in Arabic, و ف ب ل ك are proclitics and are not reported.\n\n\
## Example\n\n\
`ایران، روسیه وسوریه` → `ایران، روسیه و سوریه`; `ولادیمیرپوتین` → `ولادیمیر پوتین`.\n",
    fixable: true,
};

impl Rule for MissingSpace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut cursor = CharCursor::new(cx.prep.text);
        for m in cx.mentions {
            let name = cx.kb.entity(m.entity).display_name();
            if m.attachment == Attachment::Glued && m.prefix_start < m.start {
                let prefix = cursor.slice(m.prefix_start, m.start).to_string();
                out.push(
                    Diagnostic::new(
                        META.id,
                        Severity::Warning,
                        m.prefix_start,
                        m.end,
                        format!("“{prefix}” is glued to the name {name}: Persian writes it apart"),
                    )
                    .with_fix(
                        format!("insert a space after “{prefix}”"),
                        m.start,
                        m.start,
                        " ",
                    ),
                );
            }
            if m.glued_words {
                let written = cursor.slice(m.start, m.end).to_string();
                let fix = space_position(cx, m.entity, &written);
                let mut d = Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    m.start,
                    m.end,
                    format!("«{written}» is written without the space between its words (a name of {name})"),
                );
                if let Some(at) = fix {
                    d = d.with_fix("insert the missing space", m.start + at, m.start + at, " ");
                }
                out.push(d);
            }
        }
    }
}

/// Where (in code points of `written`) the one missing space goes, when exactly one surface form
/// of the entity, with exactly one space, folds to `written` once that space is dropped.
fn space_position(cx: &Context<'_>, entity: usize, written: &str) -> Option<usize> {
    let folded_written = fold(written);
    let mut found: Option<usize> = None;
    for (surface, _) in cx.kb.entity(entity).surfaces() {
        let f = fold(surface);
        let spaces: Vec<usize> = f.match_indices(' ').map(|(i, _)| i).collect();
        for &sp in &spaces {
            let joined = format!("{}{}", &f[..sp], &f[sp + 1..]);
            if joined != folded_written || spaces.len() != 1 {
                continue;
            }
            // The space goes after as many of `written`'s letters as fold to the part before it.
            let want = f[..sp].chars().count();
            let mut letters = 0;
            for (i, c) in written.chars().enumerate() {
                if !fold(&c.to_string()).is_empty() {
                    letters += 1;
                }
                if letters == want {
                    let at = i + 1;
                    if found.is_some_and(|f| f != at) {
                        return None;
                    }
                    found = Some(at);
                    break;
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn persian_conjunction_glued_to_a_name() {
        check(
            "missing-space",
            "اراده ایران، روسیه ⟦وسوریه⟧ در این دیدار است",
        );
        expect_test::expect![[r#"
            1:20-1:26 warning “و” is glued to the name Syria: Persian writes it apart [وسوریه]
              fix: insert a space after “و” 20..20=" "
        "#]]
        .assert_eq(&render(
            "missing-space",
            "اراده ایران، روسیه وسوریه در این دیدار است",
        ));
    }

    #[test]
    fn arabic_proclitics_are_right() {
        check("missing-space", "بين ايران وسوريا وروسيا في المنطقة");
        check("missing-space", "در این دیدار ایران و سوریه گفتند که");
    }

    #[test]
    fn multi_word_name_without_its_space() {
        check(
            "missing-space",
            "از سیاستهای ⟦ولادیمیرپوتین⟧ رئیس جمهور روسیه در این دیدار قدردانی کرد",
        );
        expect_test::expect![[r#"
            1:13-1:26 warning «ولادیمیرپوتین» is written without the space between its words (a name of Vladimir Putin) [ولادیمیرپوتین]
              fix: insert the missing space 20..20=" "
        "#]]
        .assert_eq(&render("missing-space", "از سیاستهای ولادیمیرپوتین رئیس جمهور روسیه در این دیدار"));
    }
}
