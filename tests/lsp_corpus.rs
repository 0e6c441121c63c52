//! `khabar lsp` over the whole corpus, in process: the background index with `$/progress`,
//! references across articles, the corpus view in hovers, watched-file changes, symbols,
//! semantic tokens, inlay hints, workspace diagnostics and "add to the knowledge base"; on our
//! own fixtures and, when present, on ../shared/seeds.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Three articles of our own. Ali Shamkhani: twice in a.txt (Arabic, one with a clitic), once
/// in b.txt (Persian), never in c.txt; Syria in a.txt and c.txt.
const A: &str = "وصل علي شمخاني إلى دمشق\nوقال لشمخاني مسؤول سوري إن سوريا ترحب بالزيارة\n";
const B: &str = "علی شمخانی در تهران گفت که ایران آماده است\n";
const C: &str = "ذكرت وكالة سانا أن الرئيس السوري استقبل الوفد في سورية\n";

struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    fn new(files: &[(&str, &str)]) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Corpus { dir }
    }
    fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }
    fn uri(&self, name: &str) -> String {
        file_uri(&self.root().join(name))
    }
    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.root().join(name), text).unwrap();
    }
}

fn fixture() -> Corpus {
    Corpus::new(&[
        ("khabar.toml", "kb = [\"kb.toml\"]\n"),
        ("kb.toml", ""),
        ("a.txt", A),
        ("b.txt", B),
        ("sub/c.txt", C),
    ])
}

/// Client capabilities of a full client: progress, watched files, hierarchical symbols.
fn full_caps() -> Value {
    let mut c = caps(false, &["utf-16"], false);
    c["window"] = json!({"workDoneProgress": true});
    c["workspace"]["didChangeWatchedFiles"] = json!({"dynamicRegistration": true});
    c["textDocument"]["documentSymbol"] = json!({"hierarchicalDocumentSymbolSupport": true});
    c
}

/// Starts a client and waits until the first indexing run has ended; returns the messages of
/// that run's progress (create request, begin, reports, end).
async fn indexed(corpus: &Corpus, caps: Value, options: Value) -> (TestClient, Vec<Value>) {
    let mut c = TestClient::start();
    c.initialize(Some(&corpus.root()), caps, options).await;
    let progress = wait_index(&mut c).await;
    (c, progress)
}

/// Waits for the end of an indexing run; returns its progress messages.
async fn wait_index(c: &mut TestClient) -> Vec<Value> {
    let end = c
        .wait_for("end of indexing", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
    let token = end["params"]["token"].clone();
    let mut seen: Vec<Value> = c
        .drain(std::time::Duration::from_millis(1))
        .await
        .into_iter()
        .filter(|m| {
            m["params"]["token"] == token
                || (m["method"] == "window/workDoneProgress/create"
                    && m["params"]["token"] == token)
        })
        .collect();
    seen.push(end);
    seen
}

async fn references(c: &mut TestClient, uri: &str, p: Value, decl: bool) -> Vec<(String, Value)> {
    let r = c
        .call(
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": p, "context": {"includeDeclaration": decl}}),
        )
        .await;
    let mut v: Vec<(String, Value)> = r
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|l| (l["uri"].as_str().unwrap().to_string(), l["range"].clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn name_of(uri: &str, corpus: &Corpus) -> String {
    uri.strip_prefix(&file_uri(&corpus.root()))
        .unwrap_or(uri)
        .trim_start_matches('/')
        .to_string()
}

#[tokio::test]
async fn the_index_reports_progress_and_references_cross_articles() {
    let corpus = fixture();
    let (mut c, progress) = indexed(&corpus, full_caps(), Value::Null).await;
    let kinds: Vec<&str> = progress
        .iter()
        .filter_map(|m| m["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"), "{progress:?}");
    assert_eq!(kinds.last(), Some(&"end"));
    let begin = &progress
        .iter()
        .find(|m| m["params"]["value"]["kind"] == "begin")
        .unwrap()["params"]["value"];
    assert_eq!(begin["title"], "Indexing articles");
    assert_eq!(begin["cancellable"], true);
    let end = &progress.last().unwrap()["params"]["value"];
    assert!(
        end["message"].as_str().unwrap().starts_with("3 articles"),
        "{end}"
    );

    // From the Arabic mention in a.txt (line 0, columns 4..14): every mention in every
    // article, in every spelling and with its clitic, and none in c.txt.
    c.open(&corpus.uri("a.txt"), 1, A).await;
    let refs = references(&mut c, &corpus.uri("a.txt"), pos(0, 6), false).await;
    let got: Vec<(String, Value)> = refs
        .iter()
        .map(|(u, r)| (name_of(u, &corpus), r.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("a.txt".to_string(), range(0, 4, 0, 14)),
            ("a.txt".to_string(), range(1, 6, 1, 12)),
            ("b.txt".to_string(), range(0, 0, 0, 10)),
        ]
    );
    // includeDeclaration adds the KB entry (the embedded KB's copy under .khabar/).
    let with_decl = references(&mut c, &corpus.uri("a.txt"), pos(0, 6), true).await;
    assert_eq!(with_decl.len(), 4);
    assert!(with_decl
        .iter()
        .any(|(u, _)| u.ends_with("/.khabar/default.toml")));
    // Nothing under the cursor: no references.
    let none = c
        .call(
            "textDocument/references",
            json!({"textDocument": {"uri": corpus.uri("a.txt")}, "position": pos(0, 0), "context": {"includeDeclaration": false}}),
        )
        .await;
    assert_eq!(none, Value::Null);
    c.shutdown().await;
}

#[tokio::test]
async fn an_open_buffer_replaces_its_file_in_the_index() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let b = corpus.uri("b.txt");
    // Open b.txt and delete its mention (unsaved): references from a.txt no longer reach it.
    c.open(&b, 1, B).await;
    c.diagnostics(&b, Some(1)).await;
    c.change(&b, 2, json!([{"range": range(0, 0, 0, 10), "text": "او"}]))
        .await;
    c.diagnostics(&b, Some(2)).await;
    c.open(&corpus.uri("a.txt"), 1, A).await;
    let a = corpus.uri("a.txt");
    let refs = references(&mut c, &a, pos(0, 6), false).await;
    assert!(refs.iter().all(|(u, _)| !u.ends_with("b.txt")), "{refs:?}");
    assert_eq!(refs.len(), 2);
    // Closing it without saving brings back the file's text.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}))
        .await;
    let refs = loop {
        let refs = references(&mut c, &a, pos(0, 6), false).await;
        if refs.len() == 3 {
            break refs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(refs.iter().any(|(u, _)| u.ends_with("b.txt")));
    c.shutdown().await;
}

#[tokio::test]
async fn hover_shows_the_corpus_view() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let a = corpus.uri("a.txt");
    c.open(&a, 1, A).await;
    c.diagnostics(&a, Some(1)).await;
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": a}, "position": pos(0, 6)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("In the corpus: 3 mentions in 2 articles"),
        "{md}"
    );
    assert!(
        md.contains("Spellings: شمخاني (1) · علي شمخاني (1) · علی شمخانی (1)"),
        "{md}"
    );
    // a.txt names Damascus and Syria beside him, b.txt Tehran and Iran: one article each.
    let with = md
        .lines()
        .find(|l| l.starts_with("Most often with: "))
        .unwrap();
    for name in ["Damascus", "Syria", "Tehran", "Iran"] {
        assert!(with.contains(&format!("{name} (1)")), "{with}");
    }
    c.shutdown().await;
}

#[tokio::test]
async fn watched_file_changes_keep_the_index_current() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    // The server registered its watchers.
    let a = corpus.uri("a.txt");
    c.open(&a, 1, A).await;
    c.diagnostics(&a, Some(1)).await;
    // A new article on disk, then b.txt deleted.
    corpus.write("d.txt", "التقى شمخاني بالوفد\n");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": corpus.uri("d.txt"), "type": 1}]}),
    )
    .await;
    std::fs::remove_file(corpus.root().join("b.txt")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": corpus.uri("b.txt"), "type": 3}]}),
    )
    .await;
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let refs = references(&mut c, &a, pos(0, 6), false).await;
        let names: Vec<String> = refs.iter().map(|(u, _)| name_of(u, &corpus)).collect();
        if names == ["a.txt", "a.txt", "d.txt"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "d.txt indexed and b.txt gone: {names:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // A KB change: a new entity in kb.toml, announced as a watched-file change, resolves in
    // every article after the re-index.
    corpus.write(
        "kb.toml",
        "[[entity]]\nid = \"al-wafd\"\nkind = \"other\"\nlabels = { ar = \"الوفد\", en = \"The delegation\" }\n",
    );
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": corpus.uri("kb.toml"), "type": 2}]}),
    )
    .await;
    wait_index(&mut c).await;
    let d = corpus.uri("d.txt");
    let text = std::fs::read_to_string(corpus.root().join("d.txt")).unwrap();
    c.open(&d, 1, &text).await;
    c.diagnostics(&d, Some(1)).await;
    // "بالوفد": the entity is named after the clitic ب; references reach c.txt too.
    let refs: Vec<String> = references(&mut c, &d, pos(0, 15), false)
        .await
        .iter()
        .map(|(u, _)| name_of(u, &corpus))
        .collect();
    assert_eq!(refs, ["d.txt", "sub/c.txt"]);
    c.shutdown().await;
}

#[tokio::test]
async fn cancelling_the_index_stops_it_and_requests_still_answer() {
    // Enough articles that the run is still going when the cancel arrives.
    let files: Vec<(String, String)> = (0..10_000)
        .map(|i| (format!("n/{}/{i:05}.txt", i % 16), A.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let corpus = Corpus::new(&refs);
    let mut c = TestClient::start();
    c.initialize(Some(&corpus.root()), full_caps(), Value::Null)
        .await;
    let begin = c
        .wait_for("begin of indexing", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
        })
        .await;
    let token = begin["params"]["token"].clone();
    c.notify("window/workDoneProgress/cancel", json!({ "token": token }))
        .await;
    let end = c
        .wait_for("end of indexing", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
    let msg = end["params"]["value"]["message"].as_str().unwrap();
    assert!(msg.starts_with("cancelled after "), "{msg}");
    // The server still answers.
    let u = corpus.uri("n/0/00000.txt");
    c.open(&u, 1, A).await;
    let r = references(&mut c, &u, pos(0, 6), false).await;
    assert!(r.len() >= 2);
    c.shutdown().await;
}

fn seed(prefix: &str) -> Option<PathBuf> {
    let seeds = common::seeds()?;
    seeds
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
}

/// A corpus folder that holds copies of the seed articles: the seeds folder itself is
/// read-only and must stay as it is.
fn seeds_corpus() -> Option<Corpus> {
    let seeds = common::seeds()?;
    let files: Vec<(String, String)> = seeds
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Some(Corpus::new(&refs))
}

#[tokio::test]
async fn seeds_references_from_shamkhani_in_002_reach_all_five_articles() {
    let Some(corpus) = seeds_corpus() else { return };
    let Some(p002) = seed("002") else { return };
    let name = p002.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(&p002).unwrap();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let uri = corpus.uri(&name);
    c.open(&uri, 1, &text).await;
    c.diagnostics(&uri, Some(1)).await;
    let line = text
        .lines()
        .position(|l| l.contains("شمخانی"))
        .expect("002 names شمخانی");
    let col16: usize = text
        .lines()
        .nth(line)
        .unwrap()
        .split("شمخانی")
        .next()
        .unwrap()
        .encode_utf16()
        .count();
    let refs = references(&mut c, &uri, pos(line as u32, col16 as u32 + 1), false).await;
    let mut articles: Vec<String> = refs.iter().map(|(u, _)| name_of(u, &corpus)).collect();
    articles.dedup();
    assert_eq!(articles.len(), 5, "{articles:?}");
    c.shutdown().await;
}
