//! `entity-variant`: an entity spelt differently from its label.
//!
//! سورية and سوريا are both correct; a corpus that mixes them is harder to search and to
//! count. This hint names the knowledge base's label for the paragraph's language wherever a
//! mention spells the same name otherwise. Differences that folding removes (ی/ي, ة/ه, hamza
//! forms) are left to `mixed-orthography`, and surnames, titles and other aliases of a different
//! length are not variants. There is no fix: the spelling is the curator's choice.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::kb::Needs;
use crate::analysis::normalize::fold_into;
use crate::analysis::script::Lang;

pub struct EntityVariant;

static META: RuleMeta = RuleMeta {
    id: "entity-variant",
    default_severity: Severity::Hint,
    summary: "an entity spelt differently from its knowledge-base label",
    help: "## What it does\n\n\
Points at a mention whose spelling differs from the entity's label in the paragraph's \
language beyond what matching folds (ی/ي, ة/ه, hamza forms), for names of the same number of \
words as the label.\n\n\
## Why it matters\n\n\
Consistent spelling makes a corpus searchable with plain tools and keeps counts per spelling \
meaningful.\n\n\
## Example\n\n\
`سورية` in an Arabic paragraph: the knowledge base's Arabic label is `سوريا`.\n",
    fixable: false,
};

/// `normalize::fold(s)` in a reused buffer: a mention is compared with its label once folded,
/// and a `String` for each was most of this rule.
fn fold_trimmed<'b>(s: &str, buf: &'b mut String) -> &'b str {
    fold_into(s, buf);
    buf.trim()
}

impl Rule for EntityVariant {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut cursor = crate::analysis::text::CharCursor::new(cx.prep.text);
        // One hint per entity and spelling: the first place is enough to decide.
        let mut seen: Vec<(usize, String)> = Vec::new();
        // Folding buffers reused across mentions.
        let (mut fw_buf, mut fl_buf) = (String::new(), String::new());
        for m in cx.mentions {
            if m.is_ambiguous() || m.glued_words || m.needs != Needs::Nothing {
                continue;
            }
            let ent = cx.kb.entity(m.entity);
            let (label, lang_name) = match cx.prep.lang_at(m.start) {
                Lang::Persian => (ent.labels.fa.as_deref(), "Persian"),
                Lang::Arabic => (ent.labels.ar.as_deref(), "Arabic"),
                Lang::Other => continue,
            };
            let Some(label) = label else { continue };
            let written = cursor.slice(m.start, m.end);
            // Written as the label: the same once folded, without folding.
            if written == label {
                continue;
            }
            let (fw, fl) = (
                fold_trimmed(written, &mut fw_buf),
                fold_trimmed(label, &mut fl_buf),
            );
            let words = |s: &str| s.split(' ').count();
            // لل names keep only one ل of the article: compare without it.
            let same = fw == fl || fl.strip_prefix('ا').is_some_and(|r| r == fw);
            if same
                || words(fw) != words(fl)
                || seen.iter().any(|(e, w)| *e == m.entity && *w == fw)
            {
                continue;
            }
            seen.push((m.entity, fw.to_string()));
            out.push(Diagnostic::new(
                META.id,
                Severity::Hint,
                m.start,
                m.end,
                format!(
                    "spelt «{written}» here; the knowledge base's {lang_name} label for {} is «{label}» (first of this spelling in the article)",
                    ent.display_name()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn other_spellings_are_hinted() {
        check(
            "entity-variant",
            "قال إن ⟦سورية⟧ تعاني من الأزمة في هذه الفترة وإن سورية",
        );
        expect_test::expect![[r#"
            1:8-1:13 hint spelt «سورية» here; the knowledge base's Arabic label for Syria is «سوريا» (first of this spelling in the article) [سورية]
        "#]]
        .assert_eq(&render("entity-variant", "قال إن سورية تعاني من الأزمة"));
    }

    #[test]
    fn folded_differences_surnames_and_clitics_are_not_variants() {
        check(
            "entity-variant",
            "قال إن سوريا وإيران وايران وللعراق في هذه المنطقة",
        );
        check(
            "entity-variant",
            "التقى علي شمخاني ثم قال شمخاني إن أمريكا في هذه الفترة",
        );
        check("entity-variant", "در این دیدار سوریه و ایران گفتند که");
    }

    proptest::proptest! {
        /// Folding into a buffer and trimming is `fold`.
        #[test]
        fn fold_trimmed_is_fold(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "سورية", " ", "\u{a0}", "\u{200c}", "أ", "ً", "ـ", "😀", "ی", "\n", "\t", "A",
            ]), 0..12)
        ) {
            let s = parts.concat();
            let mut buf = String::new();
            assert_eq!(super::fold_trimmed(&s, &mut buf), crate::analysis::normalize::fold(&s));
        }
    }
}
