//! `khabar lsp` in process, over framed JSON-RPC bytes: every capability on our own fixtures,
//! and on ../shared/seeds when present.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Our own sentences: two spacing findings (one fix each), a mixed number, a Persian "و" glued
/// to a name, a duplicated line (with related information), and Ali Shamkhani named in Arabic
/// on line 0 (columns 52..62) and in Persian on line 1 (columns 44..54).
const FIXTURE: &str = "قال مسؤول روسي ، إن الاجتماع ، انتهى في عام ٢٠17 مع علي شمخاني\n\
در این نشست ایران، عراق وسوریه شرکت کردند و علی شمخانی گفت\n\
وأكد المتحدث أن المحادثات كانت مثمرة وبناءة للغاية\n\
وأكد المتحدث أن المحادثات كانت مثمرة وبناءة للغاية\n";

async fn started(corpus: &Corpus, caps: Value, options: Value) -> TestClient {
    let mut c = TestClient::start();
    c.initialize(Some(&corpus.root()), caps, options).await;
    c
}

fn push() -> Value {
    caps(false, &["utf-16"], false)
}

#[tokio::test]
async fn lifecycle_and_negotiated_encodings() {
    for (offered, chosen) in [
        (vec![], "utf-16"),
        (vec!["utf-8", "utf-16"], "utf-8"),
        (vec!["utf-32", "utf-16"], "utf-32"),
        (vec!["utf-16", "utf-8"], "utf-16"),
        (vec!["latin-1"], "utf-16"),
    ] {
        let corpus = Corpus::new(&[]);
        let mut c = TestClient::start();
        let r = c
            .initialize(
                Some(&corpus.root()),
                caps(false, &offered, false),
                Value::Null,
            )
            .await;
        assert_eq!(
            r["capabilities"]["positionEncoding"], chosen,
            "offered {offered:?}"
        );
        assert_eq!(
            r["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental"
        );
        assert_eq!(r["capabilities"]["hoverProvider"], true);
        assert!(
            r["capabilities"].get("diagnosticProvider").is_none(),
            "push client: no pull provider"
        );
        c.shutdown().await;
    }
    let corpus = Corpus::new(&[]);
    let mut c = TestClient::start();
    let r = c
        .initialize(Some(&corpus.root()), caps(true, &[], false), Value::Null)
        .await;
    let provider = &r["capabilities"]["diagnosticProvider"];
    assert_eq!(provider["identifier"], "khabar");
    assert_eq!(provider["interFileDependencies"], false);
    assert_eq!(provider["workspaceDiagnostics"], true);
    c.shutdown().await;
}

#[tokio::test]
async fn push_diagnostics_carry_version_rule_and_related_information() {
    let corpus = Corpus::new(&[("a.txt", FIXTURE)]);
    let uri = corpus.uri("a.txt");
    let mut c = started(&corpus, push(), Value::Null).await;
    c.open(&uri, 7, FIXTURE).await;
    let diags = c.diagnostics(&uri, Some(7)).await;
    let codes = codes(&diags);
    for rule in ["spacing", "mixed-digits", "missing-space", "duplicate-line"] {
        assert!(codes.contains(&rule.to_string()), "{rule} in {codes:?}");
    }
    assert!(diags.iter().all(|d| d["source"] == "khabar"));
    let spacing = diags.iter().find(|d| d["code"] == "spacing").unwrap();
    assert_eq!(spacing["range"], range(0, 14, 0, 15));
    assert_eq!(spacing["severity"], 3);
    let dup = diags
        .iter()
        .find(|d| d["code"] == "duplicate-line")
        .unwrap();
    let rel = &dup["relatedInformation"][0];
    assert_eq!(rel["location"]["uri"], uri);
    assert_eq!(rel["location"]["range"]["start"], pos(2, 0));
    assert_eq!(rel["message"], "first written here");
    // Closing clears them.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    assert!(c.diagnostics(&uri, None).await.is_empty());
    c.shutdown().await;
}

#[tokio::test]
async fn pull_clients_get_reports_and_no_pushes() {
    let corpus = Corpus::new(&[("a.txt", FIXTURE)]);
    let uri = corpus.uri("a.txt");
    let mut c = started(&corpus, caps(true, &["utf-16"], false), Value::Null).await;
    c.open(&uri, 1, FIXTURE).await;
    let report = c
        .call(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap();
    assert!(
        codes(items).contains(&"missing-space".to_string()),
        "{report}"
    );
    // The change is reflected in the next pull.
    c.change(&uri, 2, json!([{"text": "سطر بلا مشاكل ، هنا\n"}]))
        .await;
    let report = c
        .call(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let codes2 = codes(report["items"].as_array().unwrap());
    assert!(
        codes2.contains(&"spacing".to_string()) && !codes2.contains(&"missing-space".to_string()),
        "{codes2:?}"
    );
    let rest = c.drain(Duration::from_millis(300)).await;
    assert!(
        rest.iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "a pull client never gets pushes: {rest:?}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn hover_on_a_mention_and_on_a_finding() {
    let corpus = Corpus::new(&[("a.txt", FIXTURE)]);
    let uri = corpus.uri("a.txt");
    let mut c = started(&corpus, push(), Value::Null).await;
    c.open(&uri, 1, FIXTURE).await;
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 56)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert_eq!(h["contents"]["kind"], "markdown");
    for part in [
        "Ali Shamkhani",
        "علي شمخاني",
        "علی شمخانی",
        "person",
        "Secretary of the Supreme National Security Council",
        "Aliases:",
        "Spelt here: علي شمخاني",
    ] {
        assert!(md.contains(part), "{part} in {md}");
    }
    assert_eq!(h["range"], range(0, 52, 0, 62));
    insta::assert_snapshot!("hover_card_ali_shamkhani", md);
    // The Persian spelling on line 1 is the one shown there.
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 46)}),
        )
        .await;
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("Spelt here: علی شمخانی"));
    // A finding: the rule's help.
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 14)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("**spacing**") && md.contains("## What it does"),
        "{md}"
    );
    // Nothing there: null.
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(2, 8)}),
        )
        .await;
    assert_eq!(h, Value::Null);
    c.shutdown().await;
}

#[tokio::test]
async fn definition_lands_on_the_kb_entry_and_highlight_finds_every_mention() {
    let kb = "[[entity]]\nid = \"test-mediator\"\nkind = \"person\"\nlabels = { ar = \"زهير قنديلجي\", en = \"Zuhair Qandilji\" }\n";
    let text = format!("{FIXTURE}وصل زهير قنديلجي أمس\n");
    let corpus = Corpus::new(&[
        ("khabar.toml", "kb = [\"kb/people.toml\"]\n"),
        ("kb/people.toml", kb),
        ("a.txt", &text),
    ]);
    let uri = corpus.uri("a.txt");
    let mut c = started(&corpus, push(), Value::Null).await;
    c.open(&uri, 1, &text).await;
    // An embedded entity: the read-only copy under .khabar/.
    let loc = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 56)}),
        )
        .await;
    let copy = corpus.root().join(".khabar").join("default.toml");
    assert_eq!(loc["uri"], file_uri(&copy));
    let line = loc["range"]["start"]["line"].as_u64().unwrap() as usize;
    let written = std::fs::read_to_string(&copy).unwrap();
    assert_eq!(written.lines().nth(line).unwrap(), "id = \"ali-shamkhani\"");
    assert!(std::fs::metadata(&copy).unwrap().permissions().readonly());
    // A workspace entity: its own file.
    let loc = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": pos(4, 6)}),
        )
        .await;
    assert_eq!(loc["uri"], corpus.uri("kb/people.toml"));
    assert_eq!(loc["range"]["start"], pos(1, 0));
    // Highlight: both spellings of Shamkhani.
    let hl = c
        .call(
            "textDocument/documentHighlight",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 46)}),
        )
        .await;
    let ranges: Vec<Value> = hl
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["range"].clone())
        .collect();
    assert_eq!(ranges, vec![range(0, 52, 0, 62), range(1, 44, 1, 54)]);
    let none = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": pos(2, 3)}),
        )
        .await;
    assert_eq!(none, Value::Null);
    c.shutdown().await;
}

/// The quick fixes at `p`, by title.
async fn actions_at(c: &mut TestClient, uri: &str, p: Value) -> Vec<Value> {
    let params = json!({
        "textDocument": {"uri": uri},
        "range": {"start": p, "end": p},
        "context": {"diagnostics": []},
    });
    // Curation and knowledge-base actions are offered on names too: only quick fixes here.
    c.call("textDocument/codeAction", params)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["kind"] == "quickfix")
        .collect()
}

#[tokio::test]
async fn code_actions_fix_one_finding_or_all_of_a_rule() {
    for document_changes in [false, true] {
        let corpus = Corpus::new(&[("a.txt", FIXTURE)]);
        let uri = corpus.uri("a.txt");
        let mut c = started(
            &corpus,
            caps(false, &["utf-16"], document_changes),
            Value::Null,
        )
        .await;
        c.open(&uri, 3, FIXTURE).await;
        let actions = actions_at(&mut c, &uri, pos(0, 14)).await;
        let titles: Vec<&str> = actions
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            vec![
                "remove the space",
                "fix all spacing in this file (2 findings)"
            ]
        );
        assert_eq!(actions[0]["isPreferred"], true);
        assert_eq!(actions[0]["kind"], "quickfix");
        assert_eq!(actions[0]["diagnostics"][0]["code"], "spacing");
        let edits: Vec<Value> = if document_changes {
            let dc = &actions[1]["edit"]["documentChanges"][0];
            assert_eq!(dc["textDocument"], json!({"uri": uri, "version": 3}));
            dc["edits"].as_array().unwrap().clone()
        } else {
            actions[1]["edit"]["changes"][&uri]
                .as_array()
                .unwrap()
                .clone()
        };
        assert_eq!(edits.len(), 2);
        let fixed = apply_edits(FIXTURE, &edits, "utf-16");
        c.change(&uri, 4, json!([{"text": fixed}])).await;
        let codes = codes(&c.diagnostics(&uri, Some(4)).await);
        assert!(
            !codes.contains(&"spacing".to_string()) && codes.contains(&"mixed-digits".to_string()),
            "{codes:?}"
        );
        // The Persian glued "و": one fix, no fix-all for a single finding.
        let actions = actions_at(&mut c, &uri, pos(1, 26)).await;
        assert_eq!(actions.len(), 1, "{actions:?}");
        // Nothing fixable here.
        assert!(actions_at(&mut c, &uri, pos(2, 3)).await.is_empty());
        c.shutdown().await;
    }
}

#[tokio::test]
async fn editor_settings_fill_in_only_what_khabar_toml_leaves_unset() {
    let corpus = Corpus::new(&[
        ("khabar.toml", "[rules]\nspacing = \"error\"\n"),
        ("a.txt", FIXTURE),
    ]);
    let uri = corpus.uri("a.txt");
    let options = json!({"rules": {"spacing": "off", "mixed-digits": "off"}});
    let mut c = started(&corpus, push(), options).await;
    c.open(&uri, 1, FIXTURE).await;
    let diags = c.diagnostics(&uri, Some(1)).await;
    let spacing: Vec<&Value> = diags.iter().filter(|d| d["code"] == "spacing").collect();
    assert_eq!(spacing.len(), 2, "khabar.toml wins: {diags:?}");
    assert!(spacing.iter().all(|d| d["severity"] == 1));
    assert!(!codes(&diags).contains(&"mixed-digits".to_string()));
    // An empty settings object (Neovim's default) changes nothing; new settings re-analyse
    // open articles.
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}))
        .await;
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"khabar": {"rules": {"duplicate-line": "off"}}}}),
    )
    .await;
    let codes = codes(&c.diagnostics(&uri, Some(1)).await);
    assert!(
        codes.contains(&"mixed-digits".to_string())
            && !codes.contains(&"duplicate-line".to_string()),
        "{codes:?}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_broken_khabar_toml_is_reported_and_the_articles_still_analysed() {
    let corpus = Corpus::new(&[
        ("khabar.toml", "\n[rules]\nspaceing = \"off\"\n"),
        ("a.txt", FIXTURE),
    ]);
    let uri = corpus.uri("a.txt");
    let mut c = started(&corpus, push(), Value::Null).await;
    let shown = c.notification("window/showMessage").await;
    assert_eq!(shown["type"], 1);
    assert!(
        shown["message"]
            .as_str()
            .unwrap()
            .contains("unknown rule `spaceing`"),
        "{shown}"
    );
    let config = c.diagnostics(&corpus.uri("khabar.toml"), None).await;
    assert_eq!(config[0]["range"]["start"]["line"], 2);
    c.open(&uri, 1, FIXTURE).await;
    assert!(codes(&c.diagnostics(&uri, Some(1)).await).contains(&"spacing".to_string()));
    c.shutdown().await;
}

#[tokio::test]
async fn nothing_outside_the_workspace_folder_is_read() {
    let outside = Corpus::new(&[(
        "outside.toml",
        "[[entity]]\nid = \"far-away\"\nkind = \"person\"\nlabels = { ar = \"زهير قنديلجي\" }\n",
    )]);
    let rel = format!(
        "../{}/outside.toml",
        outside.root().file_name().unwrap().to_string_lossy()
    );
    let corpus = Corpus::new(&[
        ("khabar.toml", &format!("kb = [\"{rel}\"]\n")),
        ("a.txt", "وصل زهير قنديلجي أمس\n"),
    ]);
    assert!(
        corpus.root().join(&rel).is_file(),
        "the KB exists; it must still not be read"
    );
    let uri = corpus.uri("a.txt");
    let mut c = started(&corpus, push(), Value::Null).await;
    let shown = c.notification("window/showMessage").await;
    assert!(
        shown["message"]
            .as_str()
            .unwrap()
            .contains("outside the workspace folder"),
        "{shown}"
    );
    c.open(&uri, 1, "وصل زهير قنديلجي أمس\n").await;
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 6)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        !md.contains("Spelt here"),
        "the outside entity is unknown: {md}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn articles_outside_every_folder_use_the_embedded_kb() {
    let corpus = Corpus::new(&[]);
    let elsewhere = Corpus::new(&[("b.txt", FIXTURE)]);
    let uri = elsewhere.uri("b.txt");
    let mut c = started(&corpus, push(), Value::Null).await;
    c.open(&uri, 1, FIXTURE).await;
    assert!(codes(&c.diagnostics(&uri, Some(1)).await).contains(&"spacing".to_string()));
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 56)}),
        )
        .await;
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("Ali Shamkhani"));
    let loc = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 56)}),
        )
        .await;
    assert_eq!(loc, Value::Null, "nothing is written outside the folders");
    assert!(!elsewhere.root().join(".khabar").exists());
    // No folder at all works too.
    let mut c2 = TestClient::start();
    c2.initialize(None, push(), Value::Null).await;
    c2.open(&uri, 1, FIXTURE).await;
    assert!(!c2.diagnostics(&uri, Some(1)).await.is_empty());
    c2.shutdown().await;
    c.shutdown().await;
}

#[tokio::test]
async fn documents_are_keyed_by_decoded_path() {
    let corpus = Corpus::new(&[("خبر.txt", FIXTURE)]);
    let upper = corpus.uri("خبر.txt");
    assert!(upper.contains("%D8%AE"), "{upper}");
    let lower = lower_percent(&upper);
    assert_ne!(upper, lower);
    let mut c = started(&corpus, push(), Value::Null).await;
    c.open(&upper, 1, FIXTURE).await;
    c.diagnostics(&upper, Some(1)).await;
    // A change sent under the other spelling edits the same document.
    c.change(&lower, 2, json!([{"range": range(3, 0, 4, 0), "text": ""}]))
        .await;
    let codes = codes(&c.diagnostics(&upper, Some(2)).await);
    assert!(!codes.contains(&"duplicate-line".to_string()), "{codes:?}");
    c.shutdown().await;
}

fn lower_percent(uri: &str) -> String {
    let mut out = String::new();
    let mut chars = uri.chars();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if ch == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
}

fn seed(prefix: &str) -> Option<PathBuf> {
    common::seeds()?.into_iter().find(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
    })
}

/// The seeds folder is opened as the workspace (read, never written: no definition request).
async fn open_seed(path: &Path) -> (TestClient, String, String, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let uri = file_uri(&path.canonicalize().unwrap());
    let mut c = TestClient::start();
    c.initialize(
        Some(&path.parent().unwrap().canonicalize().unwrap()),
        push(),
        Value::Null,
    )
    .await;
    c.open(&uri, 1, &text).await;
    let diags = c.diagnostics(&uri, Some(1)).await;
    (c, uri, text, diags)
}

#[tokio::test]
async fn seed_002_hover_on_shamkhani_names_ali_shamkhani() {
    let Some(path) = seed("002") else { return };
    let (mut c, uri, text, _) = open_seed(&path).await;
    let at = text.find("شمخانی").expect("the seed names him");
    let off = text[..at].chars().count() + 1;
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position_of(&text, off, "utf-16")}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("Ali Shamkhani"), "{h}");
    c.shutdown().await;
}

#[tokio::test]
async fn seed_002_quick_fix_for_the_misspelt_agency_removes_the_finding() {
    let Some(path) = seed("002") else { return };
    let (mut c, uri, text, before) = open_seed(&path).await;
    let wrong = "جام حم آنلاین";
    let at = text.find(wrong).expect("the seed misspells the agency");
    let start = text[..at].chars().count();
    let p = position_of(&text, start + 1, "utf-16");
    let actions = actions_at(&mut c, &uri, p.clone()).await;
    let fix = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "unknown-source")
        .unwrap_or_else(|| panic!("an unknown-source quick fix at the agency: {actions:?}"));
    assert!(
        fix["title"].as_str().unwrap().contains("جام جم آنلاین"),
        "{fix}"
    );
    let edits = fix["edit"]["changes"][&uri].as_array().unwrap().clone();
    let fixed = apply_edits(&text, &edits, "utf-16");
    assert!(fixed.contains("جام جم آنلاین") && !fixed.contains(wrong));
    // Sent as the client would: the edit itself, as an incremental change.
    c.change(
        &uri,
        2,
        Value::Array(
            edits
                .iter()
                .map(|e| json!({"range": e["range"], "text": e["newText"]}))
                .collect(),
        ),
    )
    .await;
    let diags = c.diagnostics(&uri, Some(2)).await;
    let at_agency = |d: &&Value| {
        d["code"] == "unknown-source" && d["range"]["start"] == position_of(&text, start, "utf-16")
    };
    assert_eq!(before.iter().filter(at_agency).count(), 1, "{before:?}");
    assert_eq!(diags.iter().filter(at_agency).count(), 0, "{diags:?}");
    c.shutdown().await;
}
