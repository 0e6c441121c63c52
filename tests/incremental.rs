//! The quick re-check after an edit rests on one claim: the rules it re-runs on a line alone
//! find there exactly what they find in the whole article. Checked on every line of the seed
//! articles and of the first 600 articles of the corpora day.

mod common;

use khabar::analysis::{incremental, Engine};

fn check(engine: &Engine, name: &str, text: &str) {
    let alone = incremental::by_line(engine, text);
    let whole = incremental::in_article(engine, text);
    if alone != whole {
        let only_alone: Vec<&(usize, String)> =
            alone.iter().filter(|x| !whole.contains(x)).collect();
        let only_whole: Vec<&(usize, String)> =
            whole.iter().filter(|x| !alone.contains(x)).collect();
        panic!("{name}: line alone only {only_alone:?}; article only {only_whole:?}");
    }
}

#[test]
fn line_local_rules_hold_on_the_seeds() {
    let Some(seeds) = common::seeds() else { return };
    let engine = Engine::embedded();
    for p in seeds {
        let text = std::fs::read_to_string(&p).unwrap();
        check(&engine, &p.display().to_string(), &text);
    }
}

#[test]
fn line_local_rules_hold_on_the_corpora_day() {
    let Some(dir) = common::corpora_day() else {
        return;
    };
    let engine = Engine::embedded();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(
        files.len() > 600,
        "the corpora day unpacks to {} articles",
        files.len()
    );
    for p in files.iter().take(600) {
        let text = std::fs::read_to_string(p).unwrap();
        check(&engine, &p.display().to_string(), &text);
    }
}
