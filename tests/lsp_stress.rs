//! Text sync under load and under every position encoding.
//!
//! The test keeps its own model of the text and applies the same edits; afterwards the
//! server's findings must equal those for a fresh document holding the model's text.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::time::Duration;

const BASE: &str = "قال مسؤول روسي ، إن الاجتماع في عام ٢٠17 مع علي شمخاني\r\n\
در این نشست ایران، عراق وسوریه شرکت کردند 😀 و علی شمخانی گفت\r\
وأكد المتحدث أن المحادثات كانت مثمرة\n\
وأكد المتحدث أن المحادثات كانت مثمرة\n";

const SNIPPETS: &[&str] = &[
    "سلام",
    "علي شمخاني",
    " ایران وسوریه ",
    " ، ",
    "😀",
    "🇮🇷",
    "\r\n",
    "\r",
    "\n",
    "٢٠17",
    "می\u{200c}شود",
    "a",
    "𝕏𝕐",
    " و ",
    "۱۲۳",
];

/// A small deterministic generator (xorshift), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A code-point offset not inside a CRLF pair (editors never produce one).
fn valid_offset(chars: &[char], rng: &mut Rng) -> usize {
    loop {
        let off = rng.below(chars.len() + 1);
        if !(off > 0 && off < chars.len() && chars[off - 1] == '\r' && chars[off] == '\n') {
            return off;
        }
    }
}

/// One random edit as (start, end, new text) in code points of `text`.
fn random_edit(text: &str, rng: &mut Rng) -> (usize, usize, String) {
    let chars: Vec<char> = text.chars().collect();
    let a = valid_offset(&chars, rng);
    let kind = rng.below(10);
    // Keep the text between a few hundred and a thousand characters: long enough to hold many
    // findings, short enough to analyse 2,000 times.
    let replace = chars.len() > 900 || (chars.len() > 300 && kind < 4);
    let (start, end) = if replace {
        let b = valid_offset(&chars, rng);
        let (s, e) = (a.min(b), a.max(b));
        (s, e.min(s + 12).max(s))
    } else {
        (a, a)
    };
    // Shrinking may land inside a CRLF pair: step back out of it.
    let end = if end > 0 && end < chars.len() && chars[end - 1] == '\r' && chars[end] == '\n' {
        end - 1
    } else {
        end
    };
    let new = if replace && kind < 2 {
        String::new()
    } else {
        SNIPPETS[rng.below(SNIPPETS.len())].to_string()
    };
    (start, end.max(start), new)
}

fn splice(text: &str, start: usize, end: usize, new: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars.splice(start..end, new.chars());
    chars.into_iter().collect()
}

fn change_event(text: &str, start: usize, end: usize, new: &str, enc: &str) -> Value {
    json!({"range": {"start": position_of(text, start, enc), "end": position_of(text, end, enc)}, "text": new})
}

/// Findings without the parts that legitimately differ between two documents.
fn comparable(diags: &[Value]) -> Vec<Value> {
    diags
        .iter()
        .map(|d| {
            let related: Vec<Value> = d["relatedInformation"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .map(|x| json!([x["location"]["range"], x["message"]]))
                        .collect()
                })
                .unwrap_or_default();
            json!([d["code"], d["range"], d["severity"], d["message"], related])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_edits_sent_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (uri, fresh) = (
        file_uri(&root.join("a.txt")),
        file_uri(&root.join("fresh.txt")),
    );
    let mut c = TestClient::start();
    c.initialize(Some(&root), caps(false, &["utf-16"], false), Value::Null)
        .await;
    c.open(&uri, 1, BASE).await;
    c.diagnostics(&uri, Some(1)).await;

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut text = BASE.to_string();
    let (mut version, mut edits) = (1, 0);
    while edits < 2000 {
        // Most notifications carry one change; some carry several, applied in order.
        let n = if rng.below(8) == 0 {
            1 + rng.below(4)
        } else {
            1
        };
        let mut changes = Vec::new();
        for _ in 0..n.min(2000 - edits) {
            let (s, e, new) = random_edit(&text, &mut rng);
            changes.push(change_event(&text, s, e, &new, "utf-16"));
            text = splice(&text, s, e, &new);
            edits += 1;
        }
        version += 1;
        c.change(&uri, version, Value::Array(changes)).await;
    }
    // Everything the server sends, in arrival order, until it has published the last version
    // and then stayed quiet for a while.
    let is_ours = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri)
    };
    let mut all: Vec<Value> = Vec::new();
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !all
        .iter()
        .any(|m| is_ours(m) && m["params"]["version"] == json!(version))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no diagnostics for version {version}"
        );
        all.extend(c.drain(Duration::from_millis(500)).await);
    }
    let last = all.iter().rfind(|m| is_ours(m)).unwrap();
    assert_eq!(
        last["params"]["version"],
        json!(version),
        "the last diagnostics carry the last version"
    );
    let got = last["params"]["diagnostics"].as_array().unwrap().clone();

    c.open(&fresh, 1, &text).await;
    let want = c.diagnostics(&fresh, Some(1)).await;
    assert!(
        want.len() >= 10,
        "the final text has findings to compare: {want:?}"
    );
    eprintln!(
        "{} findings on {} characters",
        want.len(),
        text.chars().count()
    );
    assert_eq!(comparable(&got), comparable(&want), "final text: {text:?}");
    c.shutdown().await;
}

#[tokio::test]
async fn every_encoding_lands_on_the_same_characters() {
    // Astral characters before everything that matters, on several lines.
    let base = "😀🇮🇷 قال مسؤول روسي ، إن 𝕏 الاجتماع انتهى\n𝕐😀 علي شمخاني قال ، هنا\r\n😀";
    let mut results = Vec::new();
    for enc in ["utf-8", "utf-16", "utf-32"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let uri = file_uri(&root.join("a.txt"));
        let mut c = TestClient::start();
        let r = c
            .initialize(Some(&root), caps(false, &[enc], false), Value::Null)
            .await;
        assert_eq!(r["capabilities"]["positionEncoding"], enc);
        c.open(&uri, 1, base).await;
        c.diagnostics(&uri, Some(1)).await;
        // The same edits, given in code points and sent in this encoding.
        let mut text = base.to_string();
        let mut rng = Rng(42);
        for v in 2..40 {
            let (s, e, new) = random_edit(&text, &mut rng);
            c.change(&uri, v, json!([change_event(&text, s, e, &new, enc)]))
                .await;
            text = splice(&text, s, e, &new);
        }
        // Insert a known name after an astral character and hover it.
        let at = text.chars().position(|ch| ch == '😀').unwrap() + 1;
        c.change(
            &uri,
            40,
            json!([change_event(&text, at, at, " عماد خميس ", enc)]),
        )
        .await;
        text = splice(&text, at, at, " عماد خميس ");
        let diags = c.diagnostics(&uri, Some(40)).await;
        let spans: Vec<(String, usize, usize)> = diags
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    offset_of(&text, &d["range"]["start"], enc),
                    offset_of(&text, &d["range"]["end"], enc),
                )
            })
            .collect();
        let h = c
            .call(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": position_of(&text, at + 3, enc)}),
            )
            .await;
        assert!(
            h["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("Imad Khamis"),
            "{enc}: {h}"
        );
        let (hs, he) = (
            offset_of(&text, &h["range"]["start"], enc),
            offset_of(&text, &h["range"]["end"], enc),
        );
        let covered: String = text.chars().skip(hs).take(he - hs).collect();
        assert_eq!(covered, "عماد خميس", "{enc}");
        results.push((enc, text.clone(), spans, hs, he));
        c.shutdown().await;
    }
    let (_, t0, s0, h0, e0) = &results[0];
    assert!(!s0.is_empty());
    for (enc, t, s, h, e) in &results[1..] {
        assert_eq!(t, t0);
        assert_eq!(s, s0, "{enc}: findings land on the same characters");
        assert_eq!(
            (h, e),
            (h0, e0),
            "{enc}: hover lands on the same characters"
        );
    }
}
