//! Validation of an article's `.ann` file against the article and the knowledge base.
//!
//! Each problem is its own rule id, so that CI can gate on some and not others: spans outside
//! the text, covered text that no longer matches the text on disk, types the KB and
//! configuration do not know, KB ids that do not exist, duplicate ids, overlapping spans where
//! `khabar.toml` forbids them, and malformed lines (kept in the file, reported here).
//! Findings are located in the `.ann` file (code points of that file), one line each.

use super::ann::{covered_text, AnnFile, Entry};
use super::config::{Config, Overlaps};
use super::diagnostic::{Diagnostic, Severity};
use super::kb::{Kb, Kind};
use super::rules::RuleMeta;
use std::collections::HashMap;

macro_rules! ann_rule {
    ($name:ident, $id:literal, $sev:ident, $summary:literal, $help:literal) => {
        pub static $name: RuleMeta = RuleMeta {
            id: $id,
            default_severity: Severity::$sev,
            summary: $summary,
            help: concat!(
                "## What it does\n\n",
                $summary,
                ".\n\n## Why it matters\n\n",
                $help,
                "\n\n## Example\n\nSee the README's \"Curation files\" section.\n"
            ),
            fixable: false,
        };
    };
}

ann_rule!(
    MALFORMED,
    "ann-malformed-line",
    Error,
    "an `.ann` line that is not brat standoff",
    "The line is kept as written, but no tool can read what it says."
);
ann_rule!(
    OUT_OF_RANGE,
    "ann-span-out-of-range",
    Error,
    "an annotation span outside the article's text",
    "The article changed or the offsets are wrong: the annotation points nowhere."
);
ann_rule!(
    TEXT_MISMATCH,
    "ann-text-mismatch",
    Error,
    "an annotation whose covered text differs from the article on disk",
    "The article was edited after it was annotated; the span may now cover other words."
);
ann_rule!(UNKNOWN_TYPE, "ann-unknown-type", Warning, "an annotation type that is neither a KB kind nor configured", "Types outside the schema fragment the corpus; add it to `annotations.types` if it is intended.");
ann_rule!(
    UNKNOWN_ENTITY,
    "ann-unknown-entity",
    Error,
    "a `khabar:` reference to an entity the knowledge base lacks",
    "A link to nothing: the entity was renamed or removed, or the id is misspelt."
);
ann_rule!(
    DUPLICATE_ID,
    "ann-duplicate-id",
    Error,
    "an annotation id used twice",
    "Other lines refer to annotations by id; a duplicate makes those references ambiguous."
);
ann_rule!(
    OVERLAP,
    "ann-overlap",
    Warning,
    "overlapping annotation spans where `khabar.toml` forbids them",
    "Flat named-entity exports (CoNLL) cannot hold overlapping spans."
);
ann_rule!(
    DANGLING,
    "ann-dangling-reference",
    Error,
    "a normalisation, attribute or note that refers to a missing annotation",
    "The line refers to an id that no annotation has."
);

/// The `.ann` rules, for the registry.
pub static RULES: &[&RuleMeta] = &[
    &MALFORMED,
    &OUT_OF_RANGE,
    &TEXT_MISMATCH,
    &UNKNOWN_TYPE,
    &UNKNOWN_ENTITY,
    &DUPLICATE_ID,
    &OVERLAP,
    &DANGLING,
];

/// A text-bound annotation as validation sees it: its line, id and fragments.
type TextAnn<'a> = (usize, &'a str, &'a [(usize, usize)]);

/// Types always accepted: the KB kinds in brat's capitalised style and as written in the KB.
fn known_type(ty: &str, config: &Config) -> bool {
    Kind::ALL
        .iter()
        .any(|k| k.as_str().eq_ignore_ascii_case(ty))
        || matches!(
            ty,
            "Entity" | "Mention" | "Location" | "GPE" | "ORG" | "PER" | "LOC"
        )
        || config.annotations.types.iter().any(|t| t == ty)
}

/// Validates `ann_text` against `article`; offsets of the findings are code points of `ann_text`.
pub fn validate(ann_text: &str, article: &str, kb: &Kb, config: &Config) -> Vec<Diagnostic> {
    let ann: AnnFile = super::ann::parse(ann_text);
    let chars: Vec<char> = article.chars().collect();
    // Code-point span of every line of the .ann file.
    let mut spans = Vec::new();
    let mut pos = 0;
    for l in ann_text.split('\n') {
        let n = l.trim_end_matches('\r').chars().count();
        spans.push((pos, pos + n));
        pos += l.chars().count() + 1;
    }
    let mut out = Vec::new();
    let mut add = |meta: &RuleMeta, i: usize, msg: String| {
        let (s, e) = spans.get(i).copied().unwrap_or((0, 0));
        out.push(Diagnostic::new(meta.id, meta.default_severity, s, e, msg));
    };
    let mut ids: HashMap<&str, usize> = HashMap::new();
    // (line, id, fragments) of every text-bound annotation.
    let mut texts: Vec<TextAnn<'_>> = Vec::new();
    for (i, l) in ann.lines.iter().enumerate() {
        if let Some(id) = l.entry.id() {
            if let Some(first) = ids.insert(id, i) {
                add(
                    &DUPLICATE_ID,
                    i,
                    format!("id `{id}` is already used on line {}", first + 1),
                );
            }
        }
        match &l.entry {
            Entry::Malformed { message } => add(
                &MALFORMED,
                i,
                format!("line {} is not brat standoff: {message}", i + 1),
            ),
            Entry::Text {
                id,
                ty,
                fragments,
                text,
            } => {
                texts.push((i, id, fragments));
                if !known_type(ty, config) {
                    add(&UNKNOWN_TYPE, i, format!("type `{ty}` is neither a knowledge-base kind nor in `annotations.types`"));
                }
                match covered_text(&chars, fragments) {
                    None => add(
                        &OUT_OF_RANGE,
                        i,
                        format!(
                            "`{id}` spans past the end of the article ({} characters)",
                            chars.len()
                        ),
                    ),
                    Some(covered) if covered != *text => add(
                        &TEXT_MISMATCH,
                        i,
                        format!("`{id}` says «{text}» but the article has «{covered}» there"),
                    ),
                    Some(_) => {}
                }
            }
            Entry::Norm { reference, .. } => {
                if let Some(entity) = reference.strip_prefix("khabar:") {
                    if kb.get(entity).is_none() {
                        add(
                            &UNKNOWN_ENTITY,
                            i,
                            format!("the knowledge base has no entity `{entity}`"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    for (i, l) in ann.lines.iter().enumerate() {
        let target = match &l.entry {
            Entry::Norm { target, .. }
            | Entry::Attr { target, .. }
            | Entry::Note { target, .. } => target,
            _ => continue,
        };
        if !ids.contains_key(target.as_str()) {
            add(
                &DANGLING,
                i,
                format!("`{target}` is not an annotation in this file"),
            );
        }
    }
    if config.annotations.overlaps == Overlaps::Forbid {
        let mut flat: Vec<(usize, usize, usize, &str)> = texts
            .iter()
            .flat_map(|(i, id, frags)| frags.iter().map(move |&(a, b)| (a, b, *i, *id)))
            .collect();
        flat.sort();
        for w in flat.windows(2) {
            let ((_, b0, _, id0), (a1, _, i1, id1)) = (w[0], w[1]);
            if a1 < b0 && id0 != id1 {
                add(&OVERLAP, i1, format!("`{id1}` overlaps `{id0}`"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "قال علي شمخاني في طهران 😀 أمس\nسطر ثان";

    fn run(ann: &str, forbid: bool) -> Vec<&'static str> {
        let mut config = Config::default();
        if forbid {
            config.annotations.overlaps = Overlaps::Forbid;
        }
        validate(ann, ARTICLE, &Kb::embedded(), &config)
            .iter()
            .map(|d| d.rule)
            .collect()
    }

    const VALID: &str = "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nT2\tPlace 18 23\tطهران\nA1\tRejected T2\n#1\tAnnotatorNotes T1\tok\nT3\tOther 24 25;26 29\t😀 أمس\n";

    #[test]
    fn a_valid_file_raises_nothing() {
        assert_eq!(run(VALID, true), Vec::<&str>::new());
    }

    #[test]
    fn each_planted_fault_is_its_own_rule() {
        assert_eq!(
            run("T1\tPerson 4 14\tعلي شمخانی\n", false),
            ["ann-text-mismatch"]
        );
        assert_eq!(
            run("T1\tPerson 4 99\tx\n", false),
            ["ann-span-out-of-range"]
        );
        assert_eq!(
            run("T1\tPlanet 18 23\tطهران\n", false),
            ["ann-unknown-type"]
        );
        assert_eq!(
            run(
                "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:nobody\tX\n",
                false
            ),
            ["ann-unknown-entity"]
        );
        assert_eq!(
            run("T1\tPlace 18 23\tطهران\nT1\tPlace 18 23\tطهران\n", false),
            ["ann-duplicate-id"]
        );
        assert_eq!(
            run(
                "T1\tPerson 4 14\tعلي شمخاني\nT2\tPerson 8 14\tشمخاني\n",
                true
            ),
            ["ann-overlap"]
        );
        assert_eq!(
            run(
                "T1\tPerson 4 14\tعلي شمخاني\nT2\tPerson 8 14\tشمخاني\n",
                false
            ),
            Vec::<&str>::new()
        );
        assert_eq!(run("T1 Person 4 14\n", false), ["ann-malformed-line"]);
        assert_eq!(run("A1\tRejected T9\n", false), ["ann-dangling-reference"]);
    }

    #[test]
    fn findings_point_at_their_line() {
        let ann = "T1\tPlace 18 23\tطهران\nT2\tPlanet 18 23\tطهران\n";
        let d = validate(ann, ARTICLE, &Kb::embedded(), &Config::default());
        assert_eq!(d.len(), 1);
        let line2_start = "T1\tPlace 18 23\tطهران\n".chars().count();
        assert_eq!(d[0].start, line2_start);
    }
}
