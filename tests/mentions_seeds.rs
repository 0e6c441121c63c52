//! `khabar mentions` on the seed articles in ../shared/seeds (read there, never copied).
//! The snapshot records file, line, column and entity of every mention — not the text.

mod common;

use khabar::analysis::normalize::{fold, is_word_char};
use khabar::analysis::text::{lines, strip_bom, LineIndex};
use khabar::analysis::Engine;
use std::fmt::Write;

fn load() -> Option<Vec<(String, String)>> {
    let files = common::seeds()?;
    Some(
        files
            .iter()
            .map(|p| {
                let name = p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .chars()
                    .take(3)
                    .collect::<String>();
                let text = std::fs::read_to_string(p).expect("seed is UTF-8");
                (name, strip_bom(&text).0.to_string())
            })
            .collect(),
    )
}

/// The whole word around a mention, proclitics and any suffix included.
fn word_around(text: &str, start: usize, end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut s = start;
    while s > 0 && is_word_char(chars[s - 1]) {
        s -= 1;
    }
    let mut e = end;
    while e < chars.len() && is_word_char(chars[e]) {
        e += 1;
    }
    chars[s..e].iter().collect()
}

#[test]
fn snapshot_of_every_mention() {
    let Some(seeds) = load() else { return };
    let engine = Engine::embedded();
    let mut snap = String::new();
    for (name, text) in &seeds {
        let li = LineIndex::new(text);
        for m in engine.mentions(text) {
            let (l, c) = li.line_col(m.start);
            let ent = &engine.kb.entity(m.entity).id;
            let amb = if m.is_ambiguous() { " (ambiguous)" } else { "" };
            writeln!(snap, "{name} {}:{} {ent}{amb}", l + 1, c + 1).unwrap();
        }
    }
    insta::assert_snapshot!("seed_mentions", snap);
}

#[test]
fn shamkhani_in_every_article_in_every_spelling() {
    let Some(seeds) = load() else { return };
    assert_eq!(seeds.len(), 5);
    let engine = Engine::embedded();
    let id = engine
        .kb
        .index_of("ali-shamkhani")
        .expect("Shamkhani is in the KB");
    for (name, text) in &seeds {
        let mentions = engine.mentions(text);
        let his: Vec<_> = mentions.iter().filter(|m| m.entity == id).collect();
        assert!(!his.is_empty(), "{name}: no mention of Shamkhani");
        // Every written form of his name (شمخاني or شمخانی, any prefix) is covered by a mention.
        let chars: Vec<char> = text.chars().collect();
        let folded_name = fold("شمخاني");
        let n = folded_name.chars().count();
        for i in 0..chars.len().saturating_sub(n - 1) {
            let window: String = chars[i..i + n].iter().collect();
            if fold(&window) == folded_name {
                assert!(
                    his.iter().any(|m| m.start <= i && i + n <= m.end),
                    "{name}: Shamkhani at char {i} ({:?}) is not a mention",
                    word_around(text, i, i + n)
                );
            }
        }
    }
}

#[test]
fn adjectives_and_common_words_are_not_entities() {
    let Some(seeds) = load() else { return };
    let engine = Engine::embedded();
    let adjectives = [
        "السورية",
        "السوري",
        "الأمريكي",
        "الأمريكية",
        "الإيرانية",
        "الإيراني",
        "الروسي",
        "السوريين",
        "الأميركي",
        "الأميركية",
        "العراقي",
    ];
    let adjectives: Vec<String> = adjectives.iter().map(|a| fold(a)).collect();
    for (name, text) in &seeds {
        for m in engine.mentions(text) {
            let ent = engine.kb.entity(m.entity);
            let span = khabar::analysis::text::slice_chars(text, m.start, m.end);
            if span.contains(char::is_whitespace) {
                // A multi-word name may end in an adjective of its own (مكتب الأمن الوطني السوري).
                continue;
            }
            let word = fold(&word_around(text, m.start, m.end));
            for adj in &adjectives {
                assert!(
                    !word.ends_with(adj.as_str())
                        && !word.ends_with(&format!("{}ه", adj.trim_end_matches('ه'))),
                    "{name}: adjective {word:?} reported as {}",
                    ent.id
                );
            }
            assert!(
                !(ent.id == "al-watan" && word.ends_with(&fold("الوطني"))),
                "{name}: الوطني reported as Al-Watan"
            );
        }
    }
}

#[test]
fn every_line_of_every_seed_is_scanned() {
    // A guard on the snapshot: the Persian article's mentions span its whole length.
    let Some(seeds) = load() else { return };
    let engine = Engine::embedded();
    let (_, fa) = seeds
        .iter()
        .find(|(n, _)| n == "002")
        .expect("002 is there");
    let last_line = lines(fa).filter(|l| !l.text.trim().is_empty()).count();
    let li = LineIndex::new(fa);
    let max_line = engine
        .mentions(fa)
        .iter()
        .map(|m| li.line_col(m.start).0)
        .max()
        .unwrap_or(0);
    assert!(
        max_line + 8 >= last_line,
        "mentions stop at line {max_line} of {last_line}"
    );
}

#[test]
fn the_fast_mention_path_agrees_on_the_seeds_and_on_noisy_text() {
    let engine = Engine::embedded();
    let mut texts: Vec<String> = load()
        .map(|s| s.into_iter().map(|(_, t)| t).collect())
        .unwrap_or_default();
    // Our own noisy lines: tashkeel, tatweel, NBSP, doubled spaces, NFD hamza, CRLF, Persian
    // letters, Arabic-Indic digits, capital Latin letters.
    texts.push("زار سُورِيَا وسـوريا\r\nوإيران\u{a0}و ا\u{0654}مريكا  والعراق\nدیدار وسوریه\rISIS و داعش ١٢\n".to_string());
    for t in &texts {
        assert_eq!(engine.mentions(t), engine.analyze(t).mentions, "{t:?}");
    }
}
