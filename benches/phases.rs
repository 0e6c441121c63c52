//! Where `khabar check` spends its time, phase by phase, on the unpacked corpus day: folding,
//! the rest of preparing an article (lines, words, languages), the mention search, every rule,
//! timed on one thread over every article, best of `KHABAR_BENCH_RUNS` passes (default 5).
//!
//! `cargo bench --bench phases` (it unpacks the day into `target/bench/corpus` like
//! `benches/compare.sh`). The figures are milliseconds summed over the articles: a guide to
//! what to work on, beside the wall-time comparison of `compare.sh`, not a target in itself.

use khabar::analysis::rules::{Context, Derived, REGISTRY};
use khabar::analysis::{normalize, Engine, Prepared};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpus_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench/corpus");
    let status = std::process::Command::new("python3")
        .arg(root.join("benches/unpack-corpus.py"))
        .arg(&dir)
        .status()
        .ok()?;
    status.success().then_some(dir)
}

fn articles(dir: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// Adds the time `f` takes to `slot` and returns what it returned.
fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let r = f();
    *slot += t0.elapsed();
    r
}

fn main() {
    let Some(dir) = corpus_dir() else {
        if std::env::var("KHABAR_REQUIRE_ALL").as_deref() == Ok("1") {
            eprintln!("../shared/corpora absent");
            std::process::exit(1);
        }
        println!("skipped: ../shared/corpora absent");
        return;
    };
    let texts = articles(&dir);
    let bytes: usize = texts.iter().map(String::len).sum();
    let engine = Engine::embedded();
    let runs: usize = std::env::var("KHABAR_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let names: Vec<&str> = ["normalize", "prepare (all)", "mentions"]
        .into_iter()
        .chain(REGISTRY.iter().map(|r| r.meta().id))
        .chain(["analyze (alone)"])
        .collect();
    let mut best = vec![Duration::MAX; names.len()];
    for _ in 0..runs {
        let mut t = vec![Duration::ZERO; names.len()];
        let derived = Derived::default();
        for text in &texts {
            // Folding alone, then the whole of `Prepared::new` (folding, lines, the shared words
            // and each paragraph's language from them).
            timed(&mut t[0], || normalize::normalize(text));
            let p = timed(&mut t[1], || Prepared::new(text, None));
            let mentions = timed(&mut t[2], || {
                engine.matcher.find(&p.norm, &|o| p.lang_at(o))
            });
            let cx = Context::new(&p, &mentions, &engine.kb, &engine.config, &derived);
            for (i, rule) in REGISTRY.iter().enumerate() {
                let mut out = Vec::new();
                timed(&mut t[3 + i], || rule.check(&cx, &mut out));
            }
        }
        // The whole analysis again, alone, as `khabar check` runs it: nothing of the article
        // warmed by the phases above.
        let n = names.len();
        t[n - 1] = Duration::ZERO;
        for text in &texts {
            timed(&mut t[n - 1], || engine.analyze(text));
        }
        for (b, x) in best.iter_mut().zip(t) {
            *b = (*b).min(x);
        }
    }
    println!(
        "{} articles, {:.1} MB, best of {runs} passes on one thread (ms, summed over articles)",
        texts.len(),
        bytes as f64 / 1e6
    );
    for (name, d) in names.iter().zip(&best) {
        println!("{:>28} {:8.2}", name, d.as_secs_f64() * 1e3);
    }
}
