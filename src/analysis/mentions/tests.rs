//! One test per matching rule of design.md, each with positive and negative cases, on a small KB
//! written here so that the rules are tested apart from the embedded KB's contents.

use super::*;
use crate::analysis::kb::{parse_kb, Kb};
use crate::analysis::rules::testing::unmark;
use crate::analysis::Prepared;

const KB: &str = r#"
cue_words = ["وكالة", "صحيفة", "خبرگزاری", "روزنامه"]
title_words = ["رئيس الوزراء", "اللواء"]

[[entity]]
id = "syria"
kind = "country"
labels = { ar = "سوريا", fa = "سوریه", en = "Syria" }
aliases = ["سورية"]

[[entity]]
id = "iraq"
kind = "country"
labels = { ar = "العراق", fa = "عراق", en = "Iraq" }

[[entity]]
id = "usa"
kind = "country"
labels = { ar = "الولايات المتحدة", fa = "ایالات متحده", en = "United States" }
aliases = ["أمريكا", "أميركا"]

[[entity]]
id = "putin"
kind = "person"
labels = { ar = "فلاديمير بوتين", fa = "ولادیمیر پوتین", en = "Vladimir Putin" }
aliases = ["بوتين"]

[[entity]]
id = "khamis"
kind = "person"
labels = { ar = "عماد خميس", fa = "عماد خمیس", en = "Imad Khamis" }
aliases = [{ text = "خميس", needs = "full-name" }]

[[entity]]
id = "al-watan"
kind = "source"
labels = { ar = "الوطن", fa = "الوطن", en = "Al-Watan" }
aliases = [{ text = "الوطن", needs = "cue" }]

[[entity]]
id = "fars"
kind = "source"
labels = { ar = "فارس", fa = "فارس", en = "Fars News Agency" }
aliases = [{ text = "فارس", needs = "cue" }]

[[entity]]
id = "shamkhani"
kind = "person"
labels = { ar = "علي شمخاني", fa = "علی شمخانی", en = "Ali Shamkhani" }
aliases = ["شمخاني"]

[[entity]]
id = "snsc"
kind = "organization"
labels = { ar = "المجلس الأعلى للأمن القومي", fa = "شورای عالی امنیت ملی", en = "Supreme National Security Council" }

[[entity]]
id = "tripoli-lebanon"
kind = "place"
labels = { ar = "طرابلس", fa = "طرابلس لبنان", en = "Tripoli (Lebanon)" }

[[entity]]
id = "tripoli-libya"
kind = "place"
labels = { ar = "طرابلس", fa = "طرابلس لیبی", en = "Tripoli (Libya)" }
"#;

fn kb() -> &'static (Kb, Matcher) {
    static K: std::sync::OnceLock<(Kb, Matcher)> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        let mut kb = Kb::default();
        kb.merge(
            parse_kb("test.toml", KB).expect("test KB parses"),
            "test.toml",
            false,
        )
        .expect("merges");
        let m = Matcher::new(&kb);
        (kb, m)
    })
}

fn find(text: &str) -> Vec<Mention> {
    let (_, m) = kb();
    let p = Prepared::new(text, None);
    m.find(&p.norm, &|o| p.lang_at(o))
}

/// Asserts that exactly the marked spans are mentions, of the given entities in order.
#[track_caller]
fn check(marked: &str, entities: &[&str]) {
    let (kb, _) = kb();
    let (text, want) = unmark(marked);
    let got = find(&text);
    let spans: Vec<(usize, usize)> = got.iter().map(|m| (m.start, m.end)).collect();
    let ids: Vec<&str> = got
        .iter()
        .map(|m| kb.entity(m.entity).id.as_str())
        .collect();
    assert_eq!(spans, want, "spans in {text:?} (entities {ids:?})");
    assert_eq!(ids, entities, "entities in {text:?}");
}

#[test]
fn plain_and_folded_spellings() {
    check(
        "زار ⟦سوريا⟧ ثم ⟦سورية⟧ و⟦سوریه⟧",
        &["syria", "syria", "syria"],
    );
    check("التقى ⟦شمخانی⟧ و⟦شمخاني⟧", &["shamkhani", "shamkhani"]);
    check("⟦أميركا⟧ و⟦امريكا⟧ و⟦آمریکا⟧", &["usa", "usa", "usa"]);
}

#[test]
fn proclitic_chains() {
    check(
        "⟦سوريا⟧ و⟦سوريا⟧ ل⟦سوريا⟧ ب⟦سوريا⟧ وب⟦سوريا⟧ فل⟦سوريا⟧ ك⟦سوريا⟧",
        &["syria"; 7],
    );
    check("و⟦العراق⟧ ب⟦العراق⟧", &["iraq", "iraq"]);
    // Not a chain: two conjunctions, or a preposition before a conjunction.
    check("ووسوريا بوسوريا", &[]);
}

#[test]
fn article_is_not_a_clitic() {
    check("الحكومة السورية والسوريا", &[]);
    check("قال ⟦سورية⟧ لا السورية", &["syria"]);
}

#[test]
fn lil_for_names_with_the_article() {
    // The span is the name without the preposition: its ل is the article's.
    check("دعم ل⟦لعراق⟧ وللعراقيين", &["iraq"]);
    check("ول⟦لعراق⟧ فل⟦لعراق⟧", &["iraq", "iraq"]);
    check("بللعراق", &[]);
}

#[test]
fn adjectives_are_not_mentions() {
    check("الجيش الأمريكي والرئيس السوري والسوريون", &[]);
    check("⟦أمريكا⟧ الأمريكية", &["usa"]);
}

#[test]
fn multi_word_and_glued() {
    let text = "قال ولادیمیرپوتین و ولادیمیر پوتین";
    let got = find(text);
    assert_eq!(got.len(), 2);
    assert!(got[0].glued_words && !got[1].glued_words);
    check("دبیرشورای عالی امنیت ملی", &[]);
}

#[test]
fn persian_glued_conjunction_is_reported_as_glued() {
    let text = "اراده ایران، روسیه وسوریه در این دیدار است";
    let got = find(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].attachment, Attachment::Glued);
    assert_eq!(slice(text, &got[0]), "سوریه");
    let ar = find("بين ايران وسوريا في المنطقة");
    assert_eq!(ar[0].attachment, Attachment::Clitic);
}

#[test]
fn cue_requiring_aliases() {
    check("حب الوطن واجب على كل مواطن", &[]);
    check("ذكرت صحيفة ⟦الوطن⟧ أمس", &["al-watan"]);
    check("ذكرت وكالة «⟦فارس⟧» الإيرانية", &["fars"]);
    check("نقلت «⟦الوطن⟧» عن مصادر", &["al-watan"]);
    check("(سيرياهوم نيوز-وكالات-⟦الوطن⟧)", &["al-watan"]);
    check("الخليج الفارسي وبلاد فارس", &[]);
    check("خبرگزاری ⟦فارس⟧ گزارش داد", &["fars"]);
}

#[test]
fn bare_surname_needs_the_full_name_first() {
    check("يوم الخميس قال خميس", &[]);
    check(
        "قال ⟦عماد خميس⟧ إن … وأضاف ⟦خميس⟧ يوم الخميس",
        &["khamis", "khamis"],
    );
    check("وأضاف خميس ثم قال ⟦عماد خميس⟧", &["khamis"]);
    // A title before the surname names the person too.
    check("قال رئيس الوزراء ⟦خميس⟧ يوم الخميس", &["khamis"]);
    check("قال رئيس خميس", &[]);
}

#[test]
fn longest_match_wins_and_nothing_is_lost() {
    check("أمين ⟦المجلس الأعلى للأمن القومي⟧", &["snsc"]);
    // A shorter alias inside a longer one is not reported twice.
    check("⟦فلاديمير بوتين⟧ و⟦بوتين⟧", &["putin", "putin"]);
}

#[test]
fn ambiguous_alias_reports_both() {
    let got = find("وصل إلى طرابلس");
    assert_eq!(got.len(), 1);
    let (kb, _) = kb();
    let ids: Vec<&str> = got[0]
        .candidates
        .iter()
        .map(|&c| kb.entity(c).id.as_str())
        .collect();
    assert_eq!(ids, vec!["tripoli-lebanon", "tripoli-libya"]);
}

#[test]
fn word_boundaries() {
    check("سورياني ⟦سوريا⟧، ⟦سوريا⟧.", &["syria", "syria"]);
    check("xسوريا (⟦سوريا⟧)", &["syria"]);
}

#[test]
fn tashkeel_tatweel_and_nfd_stay_in_the_span() {
    check("زار ⟦سُورِيَا⟧ أمس", &["syria"]);
    check("زار ⟦سـوريا⟧ أمس", &["syria"]);
    check("⟦ا\u{0654}مريكا⟧", &["usa"]);
    check("\u{a0}⟦سوريا⟧\u{a0}", &["syria"]);
}

fn slice<'a>(text: &'a str, m: &Mention) -> &'a str {
    crate::analysis::text::slice_chars(text, m.start, m.end)
}

mod properties {
    use super::*;
    use crate::analysis::normalize::normalize;
    use proptest::prelude::*;

    /// Pieces that random texts are built from: names, clitics, noise the folding must undo.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("سوريا".to_string()),
            Just("سُورِيَا".to_string()),
            Just("سـوريا".to_string()),
            Just("العراق".to_string()),
            Just("ا\u{0654}مريكا".to_string()),
            Just("شمخانی".to_string()),
            Just("و".to_string()),
            Just("لل".to_string()),
            Just(" ".to_string()),
            Just("\u{a0}".to_string()),
            Just("  ".to_string()),
            Just("\r\n".to_string()),
            Just("\r".to_string()),
            Just("\n".to_string()),
            Just("\u{200c}".to_string()),
            Just("\u{feff}".to_string()),
            Just("😀".to_string()),
            Just("𝐀".to_string()),
            Just("قال".to_string()),
            Just("«".to_string()),
            Just("»".to_string()),
            "[a-z0-9٠-٩۰-۹ ]{0,4}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn every_match_maps_back_to_its_original_span(parts in proptest::collection::vec(piece(), 0..24)) {
            let text: String = parts.concat();
            let n = normalize(&text);
            let orig: Vec<char> = text.chars().collect();
            // Every folded character maps to an original one that folds to it.
            for (b, c) in n.text.char_indices() {
                let o = n.to_orig(b);
                prop_assert!(o < orig.len());
                let folded = crate::analysis::normalize::fold(&orig[o].to_string());
                if c != ' ' && c != '\n' {
                    prop_assert!(folded.starts_with(c) || (orig[o] == 'ا' || orig[o] == 'ي' || orig[o] == 'و' || orig[o] == 'ه'),
                        "folded {c:?} at {b} maps to {:?}", orig[o]);
                }
            }
            // Every mention's span folds to a surface form of its entity.
            let (kb, _) = kb();
            for m in find(&text) {
                prop_assert!(m.start < m.end && m.end <= orig.len());
                let span: String = orig[m.start..m.end].iter().collect();
                let f = crate::analysis::normalize::fold(&span).replace(' ', "");
                let ok = kb.entity(m.entity).surfaces().any(|(s, _)| {
                    let s = crate::analysis::normalize::fold(s).replace(' ', "");
                    s == f || s.strip_prefix("ا").is_some_and(|r| r == f)
                });
                prop_assert!(ok, "span {span:?} of {} in {text:?}", kb.entity(m.entity).id);
            }
        }
    }
}
