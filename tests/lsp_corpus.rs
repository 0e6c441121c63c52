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
        .filter(|m| m["params"]["token"] == token)
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
    // The index takes the buffer's mentions just after its diagnostics go out: ask until then.
    let deadline = std::time::Instant::now() + TIMEOUT;
    let refs = loop {
        let refs = references(&mut c, &a, pos(0, 6), false).await;
        if refs.iter().all(|(u, _)| !u.ends_with("b.txt")) {
            break refs;
        }
        assert!(std::time::Instant::now() < deadline, "{refs:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
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

#[tokio::test]
async fn document_symbols_outline_headline_paragraphs_and_entities() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let a = corpus.uri("a.txt");
    c.open(&a, 1, A).await;
    let tree = c
        .call(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": a}}),
        )
        .await;
    let tree = tree.as_array().unwrap();
    let outline: Vec<(String, String)> = tree
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        outline,
        [
            (
                "وصل علي شمخاني إلى دمشق".to_string(),
                "headline".to_string()
            ),
            (
                "وقال لشمخاني مسؤول سوري إن سوريا ترحب بالزيارة".into(),
                "paragraph 1".into()
            ),
            ("Ali Shamkhani".into(), "person · 2 mentions".into()),
            ("Damascus".into(), "place · 1 mention".into()),
            ("Syria".into(), "country · 1 mention".into()),
        ]
    );
    let shamkhani = &tree[2];
    let children: Vec<(&str, &Value)> = shamkhani["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), &c["range"]))
        .collect();
    assert_eq!(
        children,
        [
            ("علي شمخاني", &range(0, 4, 0, 14)),
            ("شمخاني", &range(1, 6, 1, 12))
        ]
    );
    assert_eq!(shamkhani["range"], range(0, 4, 1, 12));
    assert_eq!(shamkhani["selectionRange"], range(0, 4, 0, 14));
    c.shutdown().await;

    // A client without hierarchical symbols gets the flat form, mentions under their entity.
    let (mut c, _) = indexed(&corpus, caps_with_progress(), Value::Null).await;
    c.open(&a, 1, A).await;
    let flat = c
        .call(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": a}}),
        )
        .await;
    let flat = flat.as_array().unwrap();
    assert_eq!(flat.len(), 2 + 4);
    assert!(flat.iter().all(|s| s["location"]["uri"] == json!(a)));
    assert_eq!(flat[2]["containerName"], "Ali Shamkhani");
    c.shutdown().await;
}

fn caps_with_progress() -> Value {
    let mut c = caps(false, &["utf-16"], false);
    c["window"] = json!({"workDoneProgress": true});
    c
}

async fn workspace_symbols(c: &mut TestClient, q: &str) -> Vec<(String, String)> {
    let r = c.call("workspace/symbol", json!({ "query": q })).await;
    r.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["containerName"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn workspace_symbols_find_entities_by_any_label_or_a_latin_fragment() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let want = (
        "Ali Shamkhani (علي شمخاني)".to_string(),
        "person · 2 articles".to_string(),
    );
    for q in ["shamk", "Shamkhani", "شمخانی", "علي شمخاني"] {
        let got = workspace_symbols(&mut c, q).await;
        assert_eq!(got.first(), Some(&want), "{q}: {got:?}");
    }
    let r = c.call("workspace/symbol", json!({"query": "shamk"})).await;
    let loc = &r[0]["location"];
    assert!(loc["uri"]
        .as_str()
        .unwrap()
        .ends_with("/.khabar/default.toml"));
    let line = loc["range"]["start"]["line"].as_u64().unwrap() as usize;
    let kb = std::fs::read_to_string(corpus.root().join(".khabar/default.toml")).unwrap();
    assert!(kb.lines().nth(line).unwrap().contains("ali-shamkhani"));
    assert!(workspace_symbols(&mut c, "qqqqqq").await.is_empty());
    c.shutdown().await;
}

#[tokio::test]
async fn semantic_tokens_full_delta_and_range() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let init_legend = {
        let mut c2 = TestClient::start();
        let r = c2
            .initialize(Some(&corpus.root()), full_caps(), Value::Null)
            .await;
        let legend = r["capabilities"]["semanticTokensProvider"]["legend"].clone();
        c2.shutdown().await;
        legend
    };
    let types: Vec<&str> = init_legend["tokenTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "person",
            "organization",
            "place",
            "country",
            "source",
            "event",
            "other"
        ]
    );
    let a = corpus.uri("a.txt");
    c.open(&a, 1, A).await;
    let full = c
        .call(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": a}}),
        )
        .await;
    // علي شمخاني (person) 0:4, دمشق (place) 0:19, شمخاني 1:6, سوريا (country) 1:27.
    assert_eq!(
        full["data"],
        json!([0, 4, 10, 0, 0, 0, 15, 4, 2, 0, 1, 6, 6, 0, 0, 0, 21, 5, 3, 0])
    );
    // Delete "علي " on line 0: one edit, and the edited array equals a fresh full one.
    c.change(&a, 2, json!([{"range": range(0, 4, 0, 8), "text": ""}]))
        .await;
    let delta = c
        .call(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": a}, "previousResultId": full["resultId"]}),
        )
        .await;
    let edits = delta["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{delta}");
    let mut data: Vec<Value> = full["data"].as_array().unwrap().clone();
    let (s, n) = (
        edits[0]["start"].as_u64().unwrap() as usize,
        edits[0]["deleteCount"].as_u64().unwrap() as usize,
    );
    data.splice(
        s..s + n,
        edits[0]["data"].as_array().cloned().unwrap_or_default(),
    );
    let fresh = c
        .call(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": a}}),
        )
        .await;
    assert_eq!(json!(data), fresh["data"]);
    // An unknown previous id gets full tokens.
    let again = c
        .call(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": a}, "previousResultId": "nope"}),
        )
        .await;
    assert_eq!(again["data"], fresh["data"]);
    let r = c
        .call(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": a}, "range": range(1, 0, 1, 100)}),
        )
        .await;
    assert_eq!(r["data"], json!([1, 6, 6, 0, 0, 0, 21, 5, 3, 0]));
    c.shutdown().await;
}

async fn hints(c: &mut TestClient, uri: &str) -> Value {
    c.call(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range(0, 0, 2, 0)}),
    )
    .await
}

#[tokio::test]
async fn inlay_hints_are_off_by_default_and_give_english_labels_when_on() {
    let corpus = fixture();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    c.open(&corpus.uri("a.txt"), 1, A).await;
    assert_eq!(hints(&mut c, &corpus.uri("a.txt")).await, json!([]));
    c.shutdown().await;
    let (mut c, _) = indexed(&corpus, full_caps(), json!({"inlayHints": true})).await;
    c.open(&corpus.uri("a.txt"), 1, A).await;
    let h = hints(&mut c, &corpus.uri("a.txt")).await;
    let got: Vec<(String, Value)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["label"].as_str().unwrap().to_string(),
                h["position"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Ali Shamkhani".to_string(), pos(0, 14)),
            ("Damascus".into(), pos(0, 23)),
            ("Ali Shamkhani".into(), pos(1, 12)),
            ("Syria".into(), pos(1, 32)),
        ]
    );
    c.shutdown().await;
}

#[tokio::test]
async fn workspace_diagnostics_cover_unopened_articles_and_skip_unchanged_ones() {
    let corpus = fixture();
    corpus.write("bad.txt", "ok\n\u{0}binary");
    let mut caps = caps(true, &["utf-16"], false);
    caps["window"] = json!({"workDoneProgress": true});
    let (mut c, _) = indexed(&corpus, caps, Value::Null).await;
    let r = c
        .call("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    let items = r["items"].as_array().unwrap();
    let by_name = |items: &[Value], name: &str| -> Value {
        items
            .iter()
            .find(|i| i["uri"].as_str().unwrap().ends_with(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(items.len(), 4, "{r}");
    // c.txt (in a subfolder, never opened) names a source but no date and has no problems
    // beyond that; bad.txt reports why it is not an article.
    let c_report = by_name(items, "sub/c.txt");
    assert_eq!(c_report["kind"], "full");
    let bad = by_name(items, "bad.txt");
    let msg = bad["items"][0]["message"].as_str().unwrap();
    assert!(msg.contains("binary"), "{msg}");
    assert_eq!(bad["items"][0]["range"]["start"], pos(1, 0));
    // Asking again with the result ids: unchanged, except an article edited on disk.
    let previous: Vec<Value> = items
        .iter()
        .filter(|i| i["resultId"].is_string())
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    corpus.write("b.txt", "علی شمخانی   گفت\n");
    let r = c
        .call(
            "workspace/diagnostic",
            json!({ "previousResultIds": previous }),
        )
        .await;
    let items = r["items"].as_array().unwrap();
    assert_eq!(by_name(items, "a.txt")["kind"], "unchanged");
    assert_eq!(by_name(items, "sub/c.txt")["kind"], "unchanged");
    let b = by_name(items, "b.txt");
    assert_eq!(b["kind"], "full");
    assert!(
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "spacing"),
        "{b}"
    );
    c.shutdown().await;
}

/// The "add to the knowledge base" actions at `p` (a cursor or a selection).
async fn add_actions(c: &mut TestClient, uri: &str, r: Value) -> Vec<Value> {
    let got = c
        .call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": r, "context": {"diagnostics": [], "only": ["refactor"]}}),
        )
        .await;
    got.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn add_to_the_knowledge_base_from_a_title_writes_an_entry_that_then_resolves() {
    let text = "قال رئيس الوزراء السوري حسين عرنوس إن الحكومة ستجتمع\nوأكد عرنوس أن حسين عرنوس سيزور طهران\n";
    let corpus = Corpus::new(&[
        ("khabar.toml", "language = \"ar\"\n"),
        ("a.txt", text),
        ("b.txt", "التقى حسين عرنوس بالوفد\n"),
    ]);
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let a = corpus.uri("a.txt");
    c.open(&a, 1, text).await;
    c.diagnostics(&a, Some(1)).await;
    // On the title: the name after it, one word or two, two preferred.
    let actions = add_actions(&mut c, &a, range(0, 6, 0, 6)).await;
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Add «حسين» to the knowledge base as a person",
            "Add «حسين عرنوس» to the knowledge base as a person"
        ]
    );
    assert_eq!(actions[1]["isPreferred"], true);
    assert_eq!(actions[1]["kind"], "refactor.khabar.addToKnowledgeBase");
    // Quick fixes only: none of these.
    let only_fixes = c
        .call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": a}, "range": range(0, 6, 0, 6), "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
        .await;
    assert!(only_fixes
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["kind"] == "quickfix"));
    // Run it the way a client does: the action's command through workspace/executeCommand.
    let cmd = actions[1]["command"].clone();
    let r = c
        .call(
            "workspace/executeCommand",
            json!({"command": cmd["command"], "arguments": cmd["arguments"]}),
        )
        .await;
    assert_eq!(r["id"], "hsin-ernus");
    let kb = std::fs::read_to_string(corpus.root().join("kb.toml")).unwrap();
    assert!(kb.contains("labels = { ar = \"حسين عرنوس\" }"), "{kb}");
    assert!(kb.contains("kind = \"person\""));
    let config = std::fs::read_to_string(corpus.root().join("khabar.toml")).unwrap();
    assert_eq!(config, "kb = [\"kb.toml\"]\nlanguage = \"ar\"\n");
    // The name now resolves, in the open article and (after the re-index) across the corpus;
    // the title offers nothing more.
    wait_index(&mut c).await;
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": a}, "position": pos(0, 26)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**حسين عرنوس** · person"), "{md}");
    let refs = references(&mut c, &a, pos(0, 26), false).await;
    let names: Vec<String> = refs.iter().map(|(u, _)| name_of(u, &corpus)).collect();
    assert_eq!(names, ["a.txt", "a.txt", "b.txt"]);
    assert!(add_actions(&mut c, &a, range(0, 6, 0, 6)).await.is_empty());
    // A bad argument is an error, and the server goes on.
    let bad = c
        .request(
            "workspace/executeCommand",
            json!({"command": "khabar.addToKnowledgeBase", "arguments": [{"uri": a}]}),
        )
        .await;
    assert_eq!(bad["error"]["code"], -32602);
    c.shutdown().await;
}

#[tokio::test]
async fn seeds_shamk_finds_shamkhani_and_khamis_after_his_title_resolves_already() {
    let Some(corpus) = seeds_corpus() else { return };
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let got = workspace_symbols(&mut c, "shamk").await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "Ali Shamkhani (علي شمخاني)");
    assert_eq!(got[0].1, "person · 5 articles");
    // 001: رئيس الوزراء السوري عماد خميس. The name after the title (past the adjective) is
    // Imad Khamis, whom the KB knows: a mention, and no "add" action for it.
    let Some(p001) = seed("001") else { return };
    let name = p001.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(&p001).unwrap();
    let uri = corpus.uri(&name);
    c.open(&uri, 1, &text).await;
    c.diagnostics(&uri, Some(1)).await;
    let (line, l) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("رئيس الوزراء السوري عماد خميس"))
        .expect("001 names the prime minister after his title");
    let col = l
        .split("رئيس الوزراء")
        .next()
        .unwrap()
        .encode_utf16()
        .count() as u32;
    let actions = add_actions(
        &mut c,
        &uri,
        range(line as u32, col + 1, line as u32, col + 1),
    )
    .await;
    assert!(
        actions
            .iter()
            .all(|a| !a["title"].as_str().unwrap().contains("عماد")),
        "{actions:?}"
    );
    let name_col = l.split("عماد خميس").next().unwrap().encode_utf16().count() as u32;
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(line as u32, name_col + 1)}),
        )
        .await;
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**Imad Khamis**"),
        "{h}"
    );
    c.shutdown().await;
}

/// A large article (past the size where the server answers an edit with a quick re-check first).
fn large_article() -> String {
    let mut s = String::new();
    for i in 0..400 {
        s.push_str(&format!(
            "الفقرة {i}: قال مسؤول إن علي شمخاني زار دمشق وبحث مع المسؤولين التعاون بين البلدين في مجالات عدة\n"
        ));
    }
    s
}

#[tokio::test]
async fn an_edit_in_a_large_article_is_answered_at_once_then_in_full() {
    let corpus = fixture();
    let text = large_article();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let u = corpus.uri("big.txt");
    c.open(&u, 1, &text).await;
    let first = c.diagnostics(&u, Some(1)).await;
    assert!(codes(&first).iter().all(|c| c != "spacing"), "{first:?}");
    // A doubled space typed on line 200: the quick answer already reports it, on its line.
    c.change(
        &u,
        2,
        json!([{"range": range(200, 6, 200, 6), "text": " "}]),
    )
    .await;
    let quick = c.diagnostics(&u, Some(2)).await;
    let spacing: Vec<&Value> = quick.iter().filter(|d| d["code"] == "spacing").collect();
    assert_eq!(spacing.len(), 1, "{quick:?}");
    assert_eq!(spacing[0]["range"]["start"]["line"], 200);
    // Then the full analysis of the same version, which says the same here.
    let full = c.diagnostics(&u, Some(2)).await;
    assert_eq!(codes(&full), codes(&quick));
    c.shutdown().await;
}

#[tokio::test]
async fn rapid_edits_in_a_large_article_end_with_the_full_analysis_of_the_last_text() {
    let corpus = fixture();
    let mut text = large_article();
    let (mut c, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let u = corpus.uri("big.txt");
    c.open(&u, 1, &text).await;
    c.diagnostics(&u, Some(1)).await;
    // 60 edits sent without waiting: spaces typed, lines joined, a line deleted, text pasted.
    let mut version = 1;
    for i in 0..60u32 {
        version += 1;
        let line = (i * 37) % 390;
        let (r, new) = match i % 4 {
            0 => (range(line, 5, line, 5), "  ".to_string()),
            1 => (range(line, 0, line + 1, 0), String::new()),
            2 => (range(line, 10, line, 14), "شمخانی".to_string()),
            _ => (range(line, 0, line, 0), "و روسيا ،بالزيارة\n".to_string()),
        };
        text = apply_edits(&text, &[json!({"range": r, "newText": new})], "utf-16");
        c.change(&u, version, json!([{"range": r, "text": new}]))
            .await;
    }
    // The last publish for the last version is the full analysis of the last text.
    // The last publish for the last version is the full analysis of the last text (the quick
    // answer, if any, comes first).
    let mut last = c.diagnostics(&u, Some(version)).await;
    for m in c.drain(std::time::Duration::from_millis(800)).await {
        if m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == json!(u)
            && m["params"]["version"] == json!(version)
        {
            last = m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
    }
    let (mut fresh, _) = indexed(&corpus, full_caps(), Value::Null).await;
    let u2 = corpus.uri("big2.txt");
    fresh.open(&u2, 1, &text).await;
    let want = fresh.diagnostics(&u2, Some(1)).await;
    let key = |v: &[Value]| -> Vec<(String, Value, String)> {
        v.iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_string(),
                    d["range"].clone(),
                    d["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(key(&last), key(&want));
    c.shutdown().await;
    fresh.shutdown().await;
}
