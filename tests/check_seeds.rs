//! `khabar check` on the seed articles in ../shared/seeds (read there, never copied). The
//! snapshot records file, rule, line, column and message of every finding, with the article's
//! words quoted in messages masked, so that no seed text enters the repository.

mod common;

use khabar::analysis::text::{strip_bom, LineIndex};
use khabar::analysis::Engine;
use std::fmt::Write;

/// Replaces what a message quotes from the article («…», “…”) with an ellipsis.
fn mask(message: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in message.chars() {
        match c {
            '«' | '“' => {
                if depth == 0 {
                    out.push(c);
                    out.push('…');
                }
                depth += 1;
            }
            '»' | '”' => {
                depth -= 1;
                if depth == 0 {
                    out.push(c);
                }
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// (file, rule, severity, line, column, masked message)
type Finding = (String, String, String, usize, usize, String);

fn findings() -> Option<Vec<Finding>> {
    let files = common::seeds()?;
    let engine = Engine::embedded();
    let mut out = Vec::new();
    for p in files {
        let name: String = p.file_name()?.to_string_lossy().chars().take(3).collect();
        let text = std::fs::read_to_string(&p).ok()?;
        let text = strip_bom(&text).0;
        let li = LineIndex::new(text);
        for d in engine.analyze(text).diagnostics {
            let (l, c) = li.line_col(d.start);
            out.push((
                name.clone(),
                d.rule.to_string(),
                d.severity.as_str().to_string(),
                l + 1,
                c + 1,
                mask(&d.message),
            ));
        }
    }
    Some(out)
}

#[test]
fn snapshot_of_every_finding() {
    let Some(all) = findings() else { return };
    let mut snap = String::new();
    for (f, rule, sev, l, c, msg) in &all {
        writeln!(snap, "{f} {l}:{c} {sev}[{rule}] {msg}").unwrap();
    }
    insta::assert_snapshot!("seed_findings", snap);
}

#[test]
fn the_problems_the_seeds_were_chosen_for_are_found() {
    let Some(all) = findings() else { return };
    let has = |file: &str, rule: &str, line: usize| {
        all.iter()
            .any(|(f, r, _, l, _, _)| f == file && r == rule && *l == line)
    };
    // The Persian-lettered duplicate headlines.
    for f in ["000", "001"] {
        assert!(
            has(f, "duplicate-line", 4) && has(f, "mixed-orthography", 4),
            "{f} headline copy"
        );
    }
    // 002: repeated headline, news-code line, repeated phrase, misspelt agency, glued names.
    assert!(has("002", "duplicate-line", 11));
    assert!(has("002", "scraper-boilerplate", 10));
    assert!(has("002", "repeated-phrase", 21));
    assert!(has("002", "unknown-source", 13));
    assert!(has("002", "missing-space", 7) && has("002", "missing-space", 15));
    // 004: the first line repeats itself with HTML remnants; the bullet line is repeated.
    assert!(has("004", "duplicate-line", 1) && has("004", "scraper-boilerplate", 1));
    assert!(has("004", "duplicate-line", 6));
    // Trailing navigation.
    for (f, line) in [("000", 30), ("001", 28), ("002", 33), ("004", 38)] {
        assert!(has(f, "scraper-boilerplate", line), "{f}:{line} navigation");
    }
    // Traps: «سانا» and «فارس» in 003 are names, not unattributed quotations; 001's quotes are
    // attributed.
    assert!(!all
        .iter()
        .any(|(f, r, ..)| (f == "003" || f == "001") && r == "unattributed-quote"));
}

#[test]
fn masking_keeps_no_quoted_text() {
    assert_eq!(
        mask("unknown source «جام حم»: did you mean «جام جم»?"),
        "unknown source «…»: did you mean «…»?"
    );
    assert_eq!(mask("the word “x” twice"), "the word “…” twice");
}
