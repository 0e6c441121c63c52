//! A small LSP client for in-process tests: it runs `khabar::lsp::serve` over
//! `tokio::io::duplex` and speaks real JSON-RPC framed bytes (Content-Length) to it.
//!
//! Server-to-client requests (registrations, refreshes) are answered with `null` at once, as a
//! lenient client would, so handlers that wait on them go on.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, WriteHalf};
use tokio::sync::{mpsc, Mutex};

pub const TIMEOUT: Duration = Duration::from_secs(20);

type Writer = Arc<Mutex<WriteHalf<tokio::io::DuplexStream>>>;

pub struct TestClient {
    writer: Writer,
    rx: mpsc::UnboundedReceiver<Value>,
    /// Messages read but not yet asked for.
    backlog: VecDeque<Value>,
    next_id: i64,
    pub server: tokio::task::JoinHandle<()>,
}

async fn write_frame(writer: &Writer, body: &[u8]) {
    let mut w = writer.lock().await;
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await
        .expect("write header");
    w.write_all(body).await.expect("write body");
    w.flush().await.expect("flush");
}

impl TestClient {
    /// Starts a server on its own task.
    pub fn start() -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (sr, sw) = tokio::io::split(server_end);
        let server = tokio::spawn(khabar::lsp::serve(sr, sw));
        let (cr, cw) = tokio::io::split(client_end);
        let writer: Writer = Arc::new(Mutex::new(cw));
        let (tx, rx) = mpsc::unbounded_channel();
        let w2 = writer.clone();
        tokio::spawn(async move {
            let mut r = BufReader::new(cr);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("server frames carry Content-Length")];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("server sends JSON");
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
                    write_frame(&w2, reply.to_string().as_bytes()).await;
                }
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        TestClient {
            writer,
            rx,
            backlog: VecDeque::new(),
            next_id: 1,
            server,
        }
    }

    pub async fn send_raw(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().await;
        w.write_all(bytes).await.expect("write");
        w.flush().await.expect("flush");
    }

    pub async fn send(&self, msg: &Value) {
        write_frame(&self.writer, msg.to_string().as_bytes()).await;
    }

    pub async fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request without waiting; returns its id.
    pub async fn send_request(&mut self, method: &str, params: Option<Value>) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(p) = params {
            msg["params"] = p;
        }
        self.send(&msg).await;
        id
    }

    /// The next message matching `pred`, keeping the others for later.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).expect("present");
        }
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("timed out waiting for {what}; backlog: {:?}", self.backlog)
                })
                .unwrap_or_else(|| panic!("server closed while waiting for {what}"));
            if pred(&msg) {
                return msg;
            }
            self.backlog.push_back(msg);
        }
    }

    /// The response to request `id` (the whole message: `result` or `error`).
    pub async fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m.get("method").is_none() && m["id"] == json!(id)
        })
        .await
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, Some(params)).await;
        self.response(id).await
    }

    /// The result of a request that must succeed.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params).await;
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    pub async fn notification(&mut self, method: &str) -> Value {
        let m = method.to_string();
        self.wait_for(method, move |msg| {
            msg["method"] == json!(m) && msg.get("id").is_none()
        })
        .await["params"]
            .clone()
    }

    /// The next `publishDiagnostics` for `uri` with `version` (any version when `None`).
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let (u, what) = (
            uri.to_string(),
            format!("diagnostics for {uri} v{version:?}"),
        );
        let msg = self
            .wait_for(&what, move |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == json!(u)
                    && version.is_none_or(|v| m["params"]["version"] == json!(v))
            })
            .await;
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Every message received so far and within `quiet` after it, without waiting for more.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        while let Ok(Some(m)) = tokio::time::timeout(quiet, self.rx.recv()).await {
            self.backlog.push_back(m);
        }
        self.backlog.drain(..).collect()
    }

    /// `initialize` + `initialized` with one folder (or none), client capabilities and
    /// initialization options; returns the initialize result.
    pub async fn initialize(
        &mut self,
        folder: Option<&Path>,
        capabilities: Value,
        options: Value,
    ) -> Value {
        let folders = match folder {
            Some(f) => json!([{"uri": file_uri(f), "name": "corpus"}]),
            None => Value::Null,
        };
        let params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities,
            "workspaceFolders": folders,
            "initializationOptions": options,
        });
        let result = self.call("initialize", params).await;
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn open(&self, uri: &str, version: i64, text: &str) {
        let doc = json!({"uri": uri, "languageId": "text", "version": version, "text": text});
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }))
            .await;
    }

    pub async fn change(&self, uri: &str, version: i64, changes: Value) {
        let params =
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes});
        self.notify("textDocument/didChange", params).await;
    }

    pub async fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null).await;
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server)
            .await
            .expect("server exits")
            .expect("server task ends cleanly");
    }
}

/// A corpus folder of real files in a temporary directory.
pub struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    /// Writes `files` (relative paths, folders created as needed).
    pub fn new(files: &[(&str, &str)]) -> Corpus {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(p, text).expect("write fixture");
        }
        Corpus { dir }
    }

    /// The folder, with links resolved (as the server keys documents).
    pub fn root(&self) -> std::path::PathBuf {
        self.dir.path().canonicalize().expect("canonical root")
    }

    pub fn uri(&self, name: &str) -> String {
        file_uri(&self.root().join(name))
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.root().join(name), text).expect("write");
    }
}

/// `file://` URI of a path, percent-encoded in upper case as Node does.
pub fn file_uri(path: &Path) -> String {
    tower_lsp_server::ls_types::Uri::from_file_path(path)
        .expect("absolute path")
        .as_str()
        .to_string()
}

pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

pub fn range(l0: u32, c0: u32, l1: u32, c1: u32) -> Value {
    json!({"start": pos(l0, c0), "end": pos(l1, c1)})
}

/// Client capabilities: push or pull diagnostics, the position encodings offered, and
/// `documentChanges` support for workspace edits.
pub fn caps(pull: bool, encodings: &[&str], document_changes: bool) -> Value {
    let mut c = json!({
        "general": {"positionEncodings": encodings},
        "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true}},
        "workspace": {"workspaceEdit": {"documentChanges": document_changes}},
    });
    if pull {
        c["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    }
    c
}

/// Code-point offsets where each line starts, with LSP's line breaks (`\n`, `\r\n`, `\r`).
pub fn line_starts(chars: &[char]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\r' if chars.get(i + 1) == Some(&'\n') => {
                i += 2;
                starts.push(i);
            }
            '\r' | '\n' => {
                i += 1;
                starts.push(i);
            }
            _ => i += 1,
        }
    }
    starts
}

/// Units of `c` in an encoding ("utf-8", "utf-16", "utf-32").
pub fn units(c: char, enc: &str) -> usize {
    match enc {
        "utf-8" => c.len_utf8(),
        "utf-16" => c.len_utf16(),
        _ => 1,
    }
}

/// The position of code-point offset `off` (which must not be inside a CRLF pair).
pub fn position_of(text: &str, off: usize, enc: &str) -> Value {
    let chars: Vec<char> = text.chars().collect();
    let starts = line_starts(&chars);
    let line = starts.iter().rposition(|&s| s <= off).unwrap_or(0);
    let col: usize = chars[starts[line]..off]
        .iter()
        .map(|&c| units(c, enc))
        .sum();
    pos(line as u32, col as u32)
}

/// The code-point offset of an in-range position.
pub fn offset_of(text: &str, p: &Value, enc: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let starts = line_starts(&chars);
    let line = p["line"].as_u64().unwrap() as usize;
    let mut col = p["character"].as_u64().unwrap() as usize;
    let mut off = starts[line];
    while col > 0 {
        col -= units(chars[off], enc);
        off += 1;
    }
    off
}

/// Applies LSP `TextEdit`s (non-overlapping, positions in the original text).
pub fn apply_edits(text: &str, edits: &[Value], enc: &str) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"], enc),
                offset_of(text, &e["range"]["end"], enc),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut chars: Vec<char> = text.chars().collect();
    for (s, e, new) in spans {
        chars.splice(s..e, new.chars());
    }
    chars.into_iter().collect()
}

/// The rule ids (`code`) of a list of LSP diagnostics, in order.
pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}
