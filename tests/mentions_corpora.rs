//! `khabar mentions` on one real day of Saudi news (../shared/corpora, unpacked under target/):
//! common words that are also names must not become mentions.

mod common;

use khabar::analysis::normalize::fold;
use khabar::analysis::text::slice_chars;
use khabar::analysis::Engine;
use std::collections::BTreeMap;

fn articles() -> Option<Vec<(String, String)>> {
    let dir = common::corpora_day()?;
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("read corpus dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "txt") {
            out.push((
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(&p).expect("utf-8"),
            ));
        }
    }
    out.sort();
    assert!(out.len() > 2900, "{} articles", out.len());
    Some(out)
}

#[test]
fn homeland_and_thursday_are_not_names() {
    let Some(arts) = articles() else { return };
    let engine = Engine::embedded();
    let watan = engine.kb.index_of("al-watan").expect("al-watan in KB");
    let khamis = engine
        .kb
        .index_of("imad-khamis")
        .expect("imad-khamis in KB");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut watan_words, mut watan_mentions, mut khamis_words) = (0, 0, 0);
    for (name, text) in &arts {
        let folded = fold(text);
        watan_words += folded.matches(&fold("الوطن")).count();
        khamis_words += folded.matches(&fold("الخميس")).count();
        let has_full_khamis = folded.contains(&fold("عماد خميس"));
        for m in engine.mentions(text) {
            *counts
                .entry(engine.kb.entity(m.entity).id.clone())
                .or_default() += 1;
            let before = slice_chars(text, m.start.saturating_sub(12), m.start);
            if m.entity == watan {
                watan_mentions += 1;
                // Homeland contexts: حب الوطن، أبناء الوطن، خدمة الوطن، الدفاع عن الوطن، تراب الوطن.
                for ctx in [
                    "حب ",
                    "أبناء ",
                    "ابناء ",
                    "خدمة ",
                    "عن ",
                    "تراب ",
                    "حماية ",
                    "أمن ",
                ] {
                    assert!(
                        !before.ends_with(ctx),
                        "{name}: «{before}» + الوطن taken as Al-Watan"
                    );
                }
            }
            if m.entity == khamis {
                assert!(
                    has_full_khamis,
                    "{name}: Imad Khamis found without his full name: «{before}»"
                );
            }
        }
    }
    println!(
        "entity mentions on the corpora day ({} articles):",
        arts.len()
    );
    let mut rows: Vec<_> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1));
    for (id, n) in &rows {
        println!("  {id:<32} {n}");
    }
    println!("الوطن occurs {watan_words} times; {watan_mentions} of them taken as Al-Watan");
    assert!(
        watan_words > 100,
        "the corpus should use الوطن often ({watan_words})"
    );
    assert!(
        watan_mentions * 10 < watan_words,
        "{watan_mentions} of {watan_words} الوطن taken as the newspaper"
    );
    assert!(khamis_words > 10);
    // Plausibility: a Saudi news day names Saudi Arabia's capital and the region's countries.
    for id in ["riyadh", "syria", "iran", "iraq", "united-states"] {
        assert!(
            counts.get(id).copied().unwrap_or(0) >= 10,
            "{id}: {:?}",
            counts.get(id)
        );
    }
}

/// `Engine::mentions` works out paragraph languages lazily, per line; on every article of the
/// day it must find exactly what the full analysis finds.
#[test]
fn the_fast_mention_path_finds_what_the_full_analysis_finds() {
    let Some(arts) = articles() else { return };
    let engine = Engine::embedded();
    let mut total = 0;
    for (name, text) in &arts {
        let fast = engine.mentions(text);
        let full = engine.analyze(text).mentions;
        assert_eq!(fast, full, "{name}");
        total += fast.len();
    }
    assert!(total > 5000, "{total}");
}
