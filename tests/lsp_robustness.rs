//! The server answers whatever it is sent and keeps serving: malformed JSON-RPC, unknown
//! methods, malformed params, out-of-range positions, versions that do not increase, and a
//! handler that panics.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};

const TEXT: &str = "قال مسؤول روسي ، إن الاجتماع انتهى\nوأكد المتحدث أن المحادثات كانت مثمرة\nوأكد المتحدث أن المحادثات كانت مثمرة\n";

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// A request that must still be answered normally: the server is alive.
async fn still_serving(c: &mut TestClient, uri: &str) {
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 15)}),
        )
        .await;
    assert!(
        h["contents"]["value"].as_str().unwrap().contains("spacing"),
        "{h}"
    );
}

async fn started(options: Value) -> (TestClient, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().canonicalize().unwrap().join("a.txt"));
    let mut c = TestClient::start();
    c.initialize(
        Some(&dir.path().canonicalize().unwrap()),
        caps(false, &["utf-16"], false),
        options,
    )
    .await;
    c.open(&uri, 1, TEXT).await;
    c.diagnostics(&uri, Some(1)).await;
    (c, uri, dir)
}

fn error_code(r: &Value) -> i64 {
    r["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error response: {r}"))
}

#[tokio::test]
async fn malformed_messages_are_answered() {
    let (mut c, uri, _dir) = started(Value::Null).await;
    let null_error =
        |code: i64| move |m: &Value| m["id"].is_null() && m["error"]["code"] == json!(code);

    c.send_raw(&frame("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":"))
        .await;
    c.wait_for("parse error", null_error(-32700)).await;
    still_serving(&mut c, &uri).await;

    c.send_raw(b"X-Nonsense: 1\r\n\r\n").await;
    c.wait_for("missing Content-Length", null_error(-32700))
        .await;
    still_serving(&mut c, &uri).await;

    c.send_raw(&frame("[1, 2]")).await;
    c.wait_for("not an object", null_error(-32600)).await;

    c.send_raw(&frame("{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":5}"))
        .await;
    let r = c.response(77).await;
    assert_eq!(error_code(&r), -32600);

    c.send_raw(&frame("{\"jsonrpc\":\"2.0\",\"id\":78}")).await;
    assert_eq!(error_code(&c.response(78).await), -32600);

    // Invalid UTF-8 in a body.
    let mut bad = b"Content-Length: 3\r\n\r\n".to_vec();
    bad.extend_from_slice(&[0x7b, 0xff, 0x7d]);
    c.send_raw(&bad).await;
    c.wait_for("invalid UTF-8", null_error(-32700)).await;
    still_serving(&mut c, &uri).await;
    c.shutdown().await;
}

#[tokio::test]
async fn unknown_methods_and_malformed_params() {
    let (mut c, uri, _dir) = started(Value::Null).await;
    assert_eq!(
        error_code(&c.request("khabar/noSuchThing", json!({})).await),
        -32601
    );
    assert_eq!(
        error_code(&c.request("$/noSuchThing", json!({})).await),
        -32601
    );
    c.notify("noSuch/notification", json!({"x": 1})).await;
    // Malformed params: answered with InvalidParams, not dropped.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": "zero"}}),
        )
        .await;
    assert_eq!(error_code(&r), -32602);
    let r = c.request("textDocument/codeAction", json!(42)).await;
    assert_eq!(error_code(&r), -32602);
    let r = c
        .request(
            "textDocument/definition",
            json!({"textDocument": {"uri": "not a uri at all"}, "position": pos(0, 0)}),
        )
        .await;
    assert_eq!(error_code(&r), -32602);
    // A malformed notification has nothing to answer; the next request still is.
    c.notify("textDocument/didChange", json!({"contentChanges": "nope"}))
        .await;
    still_serving(&mut c, &uri).await;
    c.shutdown().await;
}

#[tokio::test]
async fn out_of_range_positions_are_clamped() {
    let (mut c, uri, _dir) = started(Value::Null).await;
    for p in [pos(999, 0), pos(0, 9999), pos(u32::MAX, u32::MAX)] {
        let r = c
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": p}),
            )
            .await;
        assert!(r.get("error").is_none(), "{r}");
    }
    // An edit far past the end appends; one past a line's end lands at its end.
    c.change(
        &uri,
        2,
        json!([{"range": range(999, 5, 1000, 0), "text": "سطر جديد"}]),
    )
    .await;
    c.change(
        &uri,
        3,
        json!([{"range": range(0, 500, 0, 900), "text": " ،"}]),
    )
    .await;
    let diags = c.diagnostics(&uri, Some(3)).await;
    let spacing: Vec<&Value> = diags.iter().filter(|d| d["code"] == "spacing").collect();
    assert_eq!(spacing.len(), 2, "{diags:?}");
    let end0 = TEXT.lines().next().unwrap().chars().count() as u32;
    assert_eq!(
        spacing[1]["range"]["start"],
        pos(0, end0),
        "the inserted space before «،» at the end of line 0"
    );
    // A request about a document that is not open.
    let r = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nowhere/x.txt"}, "position": pos(0, 0)}),
        )
        .await;
    assert_eq!(r, Value::Null);
    still_serving(&mut c, &uri).await;
    c.shutdown().await;
}

#[tokio::test]
async fn a_version_that_does_not_increase_is_logged_and_applied() {
    let (mut c, uri, _dir) = started(Value::Null).await;
    c.change(&uri, 5, json!([{"range": range(0, 0, 0, 0), "text": "x"}]))
        .await;
    c.diagnostics(&uri, Some(5)).await;
    // Remove the duplicated third line, under an older version number.
    c.change(&uri, 4, json!([{"range": range(2, 0, 3, 0), "text": ""}]))
        .await;
    let log = c
        .wait_for("log", |m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("does not increase"))
        })
        .await;
    assert_eq!(log["params"]["type"], 2);
    let codes = codes(&c.diagnostics(&uri, Some(4)).await);
    assert!(
        !codes.contains(&"duplicate-line".to_string()),
        "the change was applied: {codes:?}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_response() {
    // Hidden unless enabled.
    let (mut c, uri, _dir) = started(Value::Null).await;
    assert_eq!(
        error_code(&c.request("khabar/panic", Value::Null).await),
        -32601
    );
    c.shutdown().await;

    let (mut c, uri2, _dir2) = started(json!({"testPanic": true})).await;
    let _ = uri;
    for _ in 0..3 {
        let r = c.request("khabar/panic", Value::Null).await;
        assert_eq!(error_code(&r), -32603);
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("khabar/panic"),
            "{r}"
        );
        still_serving(&mut c, &uri2).await;
    }
    let log = c
        .wait_for("panic log", |m| {
            m["method"] == "window/logMessage" && m["params"]["type"] == 1
        })
        .await;
    assert!(log["params"]["message"]
        .as_str()
        .unwrap()
        .contains("khabar/panic was requested"));
    // Text sync still works after the panics.
    c.change(&uri2, 2, json!([{"range": range(2, 0, 3, 0), "text": ""}]))
        .await;
    assert!(!codes(&c.diagnostics(&uri2, Some(2)).await).contains(&"duplicate-line".to_string()));
    c.shutdown().await;
}

#[tokio::test]
async fn requests_before_initialize_and_after_shutdown() {
    let mut c = TestClient::start();
    assert_eq!(
        error_code(
            &c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": "file:///a.txt"}, "position": pos(0, 0)})
            )
            .await
        ),
        -32002
    );
    c.initialize(None, caps(false, &[], false), Value::Null)
        .await;
    let r = c.request("shutdown", Value::Null).await;
    assert!(r.get("error").is_none());
    assert_eq!(
        error_code(
            &c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": "file:///a.txt"}, "position": pos(0, 0)})
            )
            .await
        ),
        -32600
    );
    c.notify("exit", Value::Null).await;
    tokio::time::timeout(TIMEOUT, c.server)
        .await
        .expect("server exits")
        .expect("cleanly");
}
