//! Latency of the real `khabar lsp` binary on a large workspace, as an editor sees it.
//!
//! What it measures, over stdio with Content-Length framed JSON-RPC (the bytes an editor
//! sends), on a workspace of 30,000 real articles (`KHABAR_BENCH_ARTICLES` overrides the
//! count) plus one 1 MB article `big.txt`:
//!
//! | measure | from … until … | target |
//! |---|---|---|
//! | cold index | `initialized` sent → `$/progress` `end` of the token whose `begin` title says "Index" | ≤ 3 s |
//! | hover | `textDocument/hover` on an entity mention → its response (500 in a row) | p99 ≤ 1 ms |
//! | references | `textDocument/references` at the same place → its response (200 in a row) | p99 ≤ 20 ms |
//! | edit → diagnostics | one-character `didChange` in `big.txt` → `publishDiagnostics` of that version (100) | p99 ≤ 2 ms |
//! | peak RSS | the server's `VmHWM` just before shutdown, against the articles' total bytes | ≤ 2× corpus |
//!
//! Why: the issue sets these budgets for an editor on a real corpus, and only the real binary
//! over real pipes shows what an editor waits for (framing, JSON, the runtime's scheduling,
//! the blocking pool), which in-process tests skip. Every wait is bounded: a wait that times
//! out is reported as such and the bench goes on (or stops with a message when the session
//! cannot go on). A server that sends no indexing progress (the index is not there yet) is
//! reported as "n/a" and the rest still runs.
//!
//! The articles come from `../shared/corpora/saudinewsnet-2015-07-21.zip` (one day of Saudi
//! newspapers, 2,953 non-empty articles): written once as `title, blank line, content`, then
//! hard-linked into `copy1/`, `copy2/` … until the count is reached. The workspace lives in
//! `$CARGO_TARGET_TMPDIR/lsp-workspace` and is reused while the count is unchanged. Without
//! the zip the bench prints `skipped: ../shared/corpora absent` and exits 0 (1 when
//! `KHABAR_REQUIRE_ALL=1`).
//!
//! Run: `cargo bench --bench lsp_latency` (quick: `KHABAR_BENCH_ARTICLES=3000 cargo bench
//! --bench lsp_latency`).

use anyhow::{anyhow, bail, Context, Result};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Settings and targets
// ---------------------------------------------------------------------------------------------

const ZIP_NAME: &str = "saudinewsnet-2015-07-21.zip";
const DEFAULT_ARTICLES: usize = 30_000;
/// `big.txt` is at least this many bytes of real paragraphs.
const BIG_BYTES: usize = 1_000_000;
/// Bump when the workspace layout changes, so that a cached one is rebuilt.
const LAYOUT: &str = "lsp-latency-workspace v1";

const HOVER_N: usize = 500;
const REFS_N: usize = 200;
const EDITS_N: usize = 100;

/// How long to wait for the end of indexing after `initialized`.
const INDEX_TIMEOUT: Duration = Duration::from_secs(120);
/// Without any progress (no `window/workDoneProgress/create`, no `begin`) this long after
/// `initialized`, the server is taken to send none: waiting the full two minutes for a
/// feature that is not there would only make every run slower.
const INDEX_BEGIN_GRACE: Duration = Duration::from_secs(20);
const INIT_TIMEOUT: Duration = Duration::from_secs(30);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const OPEN_TIMEOUT: Duration = Duration::from_secs(60);
const EDIT_TIMEOUT: Duration = Duration::from_secs(10);
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// Wall-clock budget of each sampling loop; a loop that runs out stops and reports what it has.
const PHASE_BUDGET: Duration = Duration::from_secs(60);
/// A loop stops after this many timeouts in a row (the server is stuck, not slow).
const MAX_TIMEOUTS_IN_A_ROW: usize = 3;

const TARGET_INDEX: Duration = Duration::from_secs(3);
const TARGET_HOVER_P99: Duration = Duration::from_millis(1);
const TARGET_REFS_P99: Duration = Duration::from_millis(20);
const TARGET_EDIT_P99: Duration = Duration::from_millis(2);
const TARGET_RSS_RATIO: f64 = 2.0;

/// Entities of the embedded KB that the corpus day mentions often, in order of preference.
const NEEDLES: &[&str] = &["إيران", "السعودية", "الرياض"];
/// Articles tried as the hover article before giving up on finding a recognised mention.
const MAX_HOVER_CANDIDATES: usize = 12;

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("lsp_latency: error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn run() -> Result<i32> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then do nothing heavy.
    if !std::env::args().any(|a| a == "--bench") {
        println!("lsp_latency: a benchmark; run it with `cargo bench --bench lsp_latency`");
        return Ok(0);
    }
    let started = Instant::now();
    let require_all = std::env::var("KHABAR_REQUIRE_ALL").is_ok_and(|v| v == "1");
    let zip = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(ZIP_NAME);
    if !zip.is_file() {
        if require_all {
            eprintln!(
                "lsp_latency: ../shared/corpora absent ({}), and KHABAR_REQUIRE_ALL=1",
                zip.display()
            );
            return Ok(1);
        }
        println!("skipped: ../shared/corpora absent");
        return Ok(0);
    }
    let count = match std::env::var("KHABAR_BENCH_ARTICLES") {
        Ok(v) => v
            .trim()
            .replace(['_', ','], "")
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| anyhow!("KHABAR_BENCH_ARTICLES must be a positive number, not `{v}`"))?,
        Err(_) => DEFAULT_ARTICLES,
    };

    let articles = load_articles(&zip)?;
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-workspace");
    let t = Instant::now();
    let ws = Workspace::build(&root, &articles, count)?;
    println!(
        "workspace: {} ({} articles + big.txt, {:.1} MB; {} in {:.1} s)",
        ws.root.display(),
        ws.articles,
        ws.total_bytes as f64 / 1e6,
        if ws.reused { "reused" } else { "built" },
        t.elapsed().as_secs_f64()
    );

    let log = root.with_file_name("lsp-latency-server.stderr");
    let mut server = Server::spawn(Path::new(env!("CARGO_BIN_EXE_khabar")), &log)?;
    let mut report = Report::default();
    let outcome = session(&mut server, &ws, &mut report);
    // Whatever happened, the server must not outlive the bench.
    let exit = server.finish();
    report.server_exit = Some(exit);
    report.log = server.log_lines.clone();
    report.index_late = server
        .progress
        .ended
        .map(|e| e.duration_since(server.initialized_at.unwrap_or(e)));
    print_report(&report, &ws, started.elapsed());
    match outcome {
        Ok(()) => Ok(0),
        Err(e) => {
            eprintln!("lsp_latency: error: {e:#}");
            eprintln!("lsp_latency: the server's stderr is in {}", log.display());
            Ok(1)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The session: every measurement, in order
// ---------------------------------------------------------------------------------------------

fn session(server: &mut Server, ws: &Workspace, report: &mut Report) -> Result<()> {
    // initialize + initialized
    let root_uri = file_uri(&ws.root);
    let params = json!({
        "processId": std::process::id(),
        "clientInfo": {"name": "khabar lsp_latency bench"},
        "rootUri": root_uri,
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": true},
            "textDocument": {"publishDiagnostics": {"versionSupport": true}},
            "workspace": {"workspaceFolders": true},
        },
        "workspaceFolders": [{"uri": root_uri, "name": "lsp-workspace"}],
    });
    let (took, resp) = server.request("initialize", params, INIT_TIMEOUT)?;
    let resp = resp.ok_or_else(|| anyhow!("no answer to initialize within {INIT_TIMEOUT:?}"))?;
    if let Some(e) = resp.get("error") {
        bail!("initialize failed: {e}");
    }
    report.initialize = Some(took);
    let enc = &resp["result"]["capabilities"]["positionEncoding"];
    if !(enc.is_null() || enc == "utf-16") {
        bail!("the server chose position encoding {enc}, though only utf-16 was offered");
    }
    report.references_advertised = !resp["result"]["capabilities"]["referencesProvider"].is_null()
        && resp["result"]["capabilities"]["referencesProvider"] != json!(false);
    server.notify("initialized", json!({}))?;
    server.initialized_at = Some(Instant::now());

    report.index = Some(server.wait_for_index()?);
    report.index_title = server.progress.title.clone();

    hover_and_references(server, ws, report)?;
    report.rss_before_big = peak_rss(server.pid());
    edits(server, ws, report)?;

    report.rss = peak_rss(server.pid());
    Ok(())
}

/// Opens the hover article (the first candidate on which hover answers with a card), then
/// times hovers and references there.
fn hover_and_references(server: &mut Server, ws: &Workspace, report: &mut Report) -> Result<()> {
    let mut chosen = None;
    for cand in ws.hover_candidates.iter().take(MAX_HOVER_CANDIDATES) {
        let uri = file_uri(&cand.path);
        let text = fs::read_to_string(&cand.path)
            .with_context(|| format!("reading {}", cand.path.display()))?;
        let t0 = Instant::now();
        server.open(&uri, 1, &text)?;
        let opened = server
            .diagnostics(&cand.path, 1, OPEN_TIMEOUT)?
            .map(|(at, _)| at - t0);
        let (_, resp) = server.request(
            "textDocument/hover",
            position_params(&uri, cand.line, cand.character),
            REQUEST_TIMEOUT,
        )?;
        let has_card = resp
            .as_ref()
            .is_some_and(|r| r.get("error").is_none() && !r["result"].is_null());
        if has_card {
            report.article_open = opened;
            chosen = Some((cand, uri));
            break;
        }
        server.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        )?;
    }
    let Some((cand, uri)) = chosen else {
        report.notes.push(format!(
            "no hover card on any of {} candidate articles: hover and references not measured",
            ws.hover_candidates.len().min(MAX_HOVER_CANDIDATES)
        ));
        return Ok(());
    };
    report.hover_at = Some(format!(
        "{} line {} character {} («{}»)",
        ws.rel(&cand.path),
        cand.line,
        cand.character,
        cand.needle
    ));
    let params = position_params(&uri, cand.line, cand.character);

    let mut cards = 0;
    report.hover = sample(server, HOVER_N, REQUEST_TIMEOUT, |s| {
        let (took, resp) = s.request("textDocument/hover", params.clone(), REQUEST_TIMEOUT)?;
        Ok(resp.map(|r| {
            let res = answer(&r);
            if matches!(&res, Ok(v) if !v.is_null()) {
                cards += 1;
            }
            (took, res.map(|_| ()))
        }))
    })?;
    report.hover_cards = cards;

    let mut params = params;
    params["context"] = json!({"includeDeclaration": false});
    let mut locations = None;
    report.references = sample(server, REFS_N, REQUEST_TIMEOUT, |s| {
        let (took, resp) = s.request("textDocument/references", params.clone(), REQUEST_TIMEOUT)?;
        Ok(resp.map(|r| {
            let res = answer(&r);
            if let Ok(v) = &res {
                locations.get_or_insert((v.as_array().map_or(0, Vec::len), s.last_bytes));
            }
            (took, res.map(|_| ()))
        }))
    })?;
    report.reference_locations = locations;
    Ok(())
}

/// Opens `big.txt`, then alternately inserts and deletes a space in the middle of a line in
/// its middle, timing each change until the diagnostics of its version arrive.
fn edits(server: &mut Server, ws: &Workspace, report: &mut Report) -> Result<()> {
    let uri = file_uri(&ws.big);
    let text =
        fs::read_to_string(&ws.big).with_context(|| format!("reading {}", ws.big.display()))?;
    let t0 = Instant::now();
    server.open(&uri, 1, &text)?;
    match server.diagnostics(&ws.big, 1, OPEN_TIMEOUT)? {
        Some((at, n)) => {
            report.big_open = Some(at - t0);
            report.big_diagnostics = Some(n);
        }
        None => {
            report.notes.push(format!(
                "big.txt: no diagnostics for version 1 within {OPEN_TIMEOUT:?} of didOpen: edits not measured"
            ));
            return Ok(());
        }
    }
    let (line, character) = edit_point(&text)?;
    report.edit_at = Some(format!("big.txt line {line} character {character}"));
    let mut version = 1;
    let big = ws.big.clone();
    report.edits = sample(server, EDITS_N, EDIT_TIMEOUT, |s| {
        version += 1;
        let at = json!({"line": line, "character": character});
        let change = if version % 2 == 0 {
            json!({"range": {"start": at, "end": at}, "text": " "})
        } else {
            let end = json!({"line": line, "character": character + 1});
            json!({"range": {"start": at, "end": end}, "text": ""})
        };
        let params = json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [change],
        });
        let t0 = Instant::now();
        s.notify("textDocument/didChange", params)?;
        Ok(s.diagnostics(&big, version, EDIT_TIMEOUT)?
            .map(|(at, _)| (at - t0, Ok(()))))
    })?;
    Ok(())
}

/// The result of a response, or its error's message.
fn answer(resp: &Value) -> std::result::Result<Value, String> {
    match resp.get("error") {
        Some(e) => Err(format!(
            "{} ({})",
            e["message"].as_str().unwrap_or("error"),
            e["code"]
        )),
        None => Ok(resp["result"].clone()),
    }
}

fn position_params(uri: &str, line: u32, character: u32) -> Value {
    json!({
        "textDocument": {"uri": uri},
        "position": {"line": line, "character": character},
    })
}

/// The place of the edits in `big.txt`: the middle of the first line of 20 characters or
/// more from the middle of the article on (line and UTF-16 column).
fn edit_point(text: &str) -> Result<(u32, u32)> {
    let starts = line_starts(text);
    for (i, &s) in starts.iter().enumerate().skip(starts.len() / 2) {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let line = text[s..end].trim_end_matches(['\r', '\n']);
        let chars = line.chars().count();
        if chars >= 20 {
            let mid: usize = line.chars().take(chars / 2).map(char::len_utf8).sum();
            let (l, c) = position(text, &starts, s + mid);
            return Ok((l, c));
        }
    }
    bail!("big.txt has no line of 20 characters in its second half")
}

// ---------------------------------------------------------------------------------------------
// Sampling and statistics
// ---------------------------------------------------------------------------------------------

/// Round-trip times of one kind of exchange, and what went wrong.
#[derive(Debug, Default)]
struct Samples {
    planned: usize,
    times: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    timeouts: usize,
    stopped: Option<String>,
}

impl Samples {
    fn sorted(&self) -> Vec<Duration> {
        let mut t = self.times.clone();
        t.sort();
        t
    }

    /// Nearest-rank percentile (`p` in 0..=1).
    fn pct(&self, p: f64) -> Option<Duration> {
        let t = self.sorted();
        if t.is_empty() {
            return None;
        }
        let rank = ((p * t.len() as f64).ceil() as usize).clamp(1, t.len());
        Some(t[rank - 1])
    }

    fn max(&self) -> Option<Duration> {
        self.times.iter().max().copied()
    }

    /// Every exchange was an error (a method the server does not have).
    fn all_errors(&self) -> bool {
        self.errors > 0 && self.errors == self.times.len()
    }
}

/// Runs `one` up to `n` times, within [`PHASE_BUDGET`]. `one` returns `None` on a timeout,
/// else the time and whether the server answered with an error.
fn sample(
    server: &mut Server,
    n: usize,
    timeout: Duration,
    mut one: impl FnMut(&mut Server) -> Result<Option<(Duration, std::result::Result<(), String>)>>,
) -> Result<Samples> {
    let mut s = Samples {
        planned: n,
        ..Samples::default()
    };
    let start = Instant::now();
    let mut in_a_row = 0;
    for i in 0..n {
        if start.elapsed() > PHASE_BUDGET {
            s.stopped = Some(format!(
                "stopped after {i} of {n}: over the {PHASE_BUDGET:?} budget"
            ));
            break;
        }
        match one(server)? {
            Some((took, res)) => {
                in_a_row = 0;
                s.times.push(took);
                if let Err(e) = res {
                    s.errors += 1;
                    s.first_error.get_or_insert(e);
                }
            }
            None => {
                s.timeouts += 1;
                in_a_row += 1;
                if in_a_row >= MAX_TIMEOUTS_IN_A_ROW {
                    s.stopped = Some(format!(
                        "stopped after {} of {n}: {in_a_row} timeouts ({timeout:?}) in a row",
                        i + 1
                    ));
                    break;
                }
            }
        }
    }
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// The server process and a small synchronous JSON-RPC client
// ---------------------------------------------------------------------------------------------

/// A message from the server, stamped when its last byte was read.
struct Incoming {
    at: Instant,
    /// The body's length in bytes.
    bytes: usize,
    msg: Value,
}

/// What the reader thread passes on.
enum Event {
    Message(Incoming),
    /// The output ended or could not be read (the reason).
    Closed(String),
}

/// Indexing progress as seen so far.
#[derive(Debug, Default)]
struct Progress {
    /// Any `window/workDoneProgress/create` or `$/progress` at all.
    any: bool,
    index_tokens: Vec<Value>,
    title: Option<String>,
    began: Option<Instant>,
    ended: Option<Instant>,
}

#[derive(Debug, Clone)]
enum IndexResult {
    Done(Duration),
    NoProgress,
    Timeout { began: bool },
}

struct Server {
    child: Child,
    writer: Arc<Mutex<ChildStdin>>,
    rx: Receiver<Event>,
    closed: Option<String>,
    next_id: i64,
    /// The body size of the last response [`Server::request`] got.
    last_bytes: usize,
    progress: Progress,
    initialized_at: Option<Instant>,
    /// `window/logMessage` and `window/showMessage` of type error or warning.
    log_lines: Vec<String>,
    log_path: PathBuf,
}

impl Server {
    fn spawn(bin: &Path, log: &Path) -> Result<Server> {
        let stderr =
            fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new(bin)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .with_context(|| format!("starting {} lsp", bin.display()))?;
        let stdin = child
            .stdin
            .take()
            .context("the server's stdin is not piped")?;
        let stdout = child
            .stdout
            .take()
            .context("the server's stdout is not piped")?;
        let writer = Arc::new(Mutex::new(stdin));
        let (tx, rx) = mpsc::channel();
        let w = writer.clone();
        std::thread::Builder::new()
            .name("lsp-reader".into())
            .spawn(move || read_loop(stdout, w, tx))
            .context("starting the reader thread")?;
        Ok(Server {
            child,
            writer,
            rx,
            closed: None,
            next_id: 1,
            last_bytes: 0,
            progress: Progress::default(),
            initialized_at: None,
            log_lines: Vec::new(),
            log_path: log.to_path_buf(),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&self, msg: &Value) -> Result<()> {
        write_frame(&self.writer, msg).with_context(|| {
            format!(
                "writing to the server (did it exit? its stderr is in {})",
                self.log_path.display()
            )
        })
    }

    fn notify(&self, method: &str, params: Value) -> Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    fn open(&self, uri: &str, version: i32, text: &str) -> Result<()> {
        let doc = json!({"uri": uri, "languageId": "plaintext", "version": version, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}))
    }

    /// Sends a request and waits for its response: the round trip and the whole response
    /// (`result` or `error`), or `None` after `timeout`.
    fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<(Duration, Option<Value>)> {
        let id = self.next_id;
        self.next_id += 1;
        let t0 = Instant::now();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let got = self.recv_until(t0 + timeout, |m| {
            m.get("method").is_none() && m["id"] == json!(id)
        })?;
        Ok(match got {
            Some(inc) => {
                self.last_bytes = inc.bytes;
                (inc.at - t0, Some(inc.msg))
            }
            None => (t0.elapsed(), None),
        })
    }

    /// Waits for `publishDiagnostics` of `path` at `version`: when it arrived and how many
    /// diagnostics it carried, or `None` after `timeout`.
    fn diagnostics(
        &mut self,
        path: &Path,
        version: i32,
        timeout: Duration,
    ) -> Result<Option<(Instant, usize)>> {
        let want = path.to_string_lossy().into_owned();
        let got = self.recv_until(Instant::now() + timeout, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["version"] == json!(version)
                && m["params"]["uri"]
                    .as_str()
                    .is_some_and(|u| path_of_uri(u) == want)
        })?;
        Ok(got.map(|inc| {
            let n = inc.msg["params"]["diagnostics"]
                .as_array()
                .map_or(0, Vec::len);
            (inc.at, n)
        }))
    }

    /// Waits for the end of indexing (see [`INDEX_BEGIN_GRACE`] and [`INDEX_TIMEOUT`]).
    fn wait_for_index(&mut self) -> Result<IndexResult> {
        let t0 = self.initialized_at.unwrap_or_else(Instant::now);
        loop {
            if let Some(end) = self.progress.ended {
                return Ok(IndexResult::Done(end - t0));
            }
            let deadline = if self.progress.any {
                t0 + INDEX_TIMEOUT
            } else {
                t0 + INDEX_BEGIN_GRACE
            };
            if self.recv_one(deadline)?.is_none() {
                if self.progress.ended.is_some() {
                    continue;
                }
                if !self.progress.any {
                    return Ok(IndexResult::NoProgress);
                }
                if Instant::now() >= t0 + INDEX_TIMEOUT {
                    return Ok(IndexResult::Timeout {
                        began: self.progress.began.is_some(),
                    });
                }
            }
        }
    }

    /// The first message matching `pred` before `deadline` (others are looked at and dropped).
    fn recv_until(
        &mut self,
        deadline: Instant,
        pred: impl Fn(&Value) -> bool,
    ) -> Result<Option<Incoming>> {
        while let Some(inc) = self.recv_one(deadline)? {
            if pred(&inc.msg) {
                return Ok(Some(inc));
            }
        }
        Ok(None)
    }

    /// The next message before `deadline`, noting progress and log messages on the way.
    fn recv_one(&mut self, deadline: Instant) -> Result<Option<Incoming>> {
        if let Some(why) = &self.closed {
            bail!(
                "the server closed its output: {why} (its stderr is in {})",
                self.log_path.display()
            );
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(wait) {
            Ok(Event::Message(inc)) => {
                self.observe(&inc);
                Ok(Some(inc))
            }
            Ok(Event::Closed(why)) => {
                self.closed = Some(why.clone());
                bail!(
                    "the server closed its output: {why} (its stderr is in {})",
                    self.log_path.display()
                )
            }
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => {
                bail!(
                    "the reader thread ended (its stderr is in {})",
                    self.log_path.display()
                )
            }
        }
    }

    fn observe(&mut self, inc: &Incoming) {
        let m = &inc.msg;
        match m["method"].as_str() {
            Some("window/workDoneProgress/create") => self.progress.any = true,
            Some("$/progress") => {
                self.progress.any = true;
                let token = &m["params"]["token"];
                let value = &m["params"]["value"];
                match value["kind"].as_str() {
                    Some("begin") => {
                        let title = value["title"].as_str().unwrap_or("");
                        if title.to_lowercase().contains("index") {
                            self.progress.index_tokens.push(token.clone());
                            self.progress.title.get_or_insert_with(|| title.to_string());
                            self.progress.began.get_or_insert(inc.at);
                        }
                    }
                    Some("end") if self.progress.index_tokens.contains(token) => {
                        self.progress.ended.get_or_insert(inc.at);
                    }
                    _ => {}
                }
            }
            Some("window/logMessage") | Some("window/showMessage") => {
                let kind = m["params"]["type"].as_i64().unwrap_or(0);
                if (kind == 1 || kind == 2) && self.log_lines.len() < 20 {
                    let what = if kind == 1 { "error" } else { "warning" };
                    let text = m["params"]["message"].as_str().unwrap_or("");
                    self.log_lines
                        .push(format!("{what}: {}", truncate(text, 200)));
                }
            }
            _ => {}
        }
    }

    /// `shutdown`, `exit`, and the process's end (killed after [`SHUTDOWN_TIMEOUT`]): what
    /// happened, in words.
    fn finish(&mut self) -> String {
        if let Ok(Some(status)) = self.child.try_wait() {
            return format!("had already exited ({status})");
        }
        let mut said = String::new();
        if self.closed.is_none() {
            match self.request("shutdown", Value::Null, SHUTDOWN_TIMEOUT) {
                Ok((_, Some(r))) if r.get("error").is_none() => {}
                Ok((_, Some(r))) => said = format!("shutdown answered {}; ", r["error"]),
                Ok((_, None)) => {
                    said = format!("no answer to shutdown within {SHUTDOWN_TIMEOUT:?}; ")
                }
                Err(e) => said = format!("shutdown failed: {e:#}; "),
            }
            let _ = self.notify("exit", Value::Null);
        }
        let deadline = Instant::now() + SHUTDOWN_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return format!("{said}exited cleanly"),
                Ok(Some(status)) => return format!("{said}exited with {status}"),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return format!(
                        "{said}did not exit within {SHUTDOWN_TIMEOUT:?} of `exit`: killed"
                    );
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn write_frame(writer: &Mutex<ChildStdin>, msg: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(msg)?;
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    let mut w = writer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    w.write_all(&frame)?;
    w.flush()
}

/// Reads frames until the output ends; answers every server-to-client request with a `null`
/// result at once (as a lenient editor would) and passes every message on.
fn read_loop(stdout: ChildStdout, writer: Arc<Mutex<ChildStdin>>, tx: Sender<Event>) {
    let mut r = BufReader::with_capacity(1 << 16, stdout);
    loop {
        let body = match read_frame(&mut r) {
            Ok(Some(b)) => b,
            Ok(None) => {
                let _ = tx.send(Event::Closed("end of output".into()));
                return;
            }
            Err(e) => {
                let _ = tx.send(Event::Closed(e));
                return;
            }
        };
        let at = Instant::now();
        let msg: Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let _ = tx.send(Event::Closed(format!("a message that is not JSON: {e}")));
                return;
            }
        };
        if msg.get("method").is_some() && msg.get("id").is_some() {
            let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
            if let Err(e) = write_frame(&writer, &reply) {
                let _ = tx.send(Event::Closed(format!(
                    "answering a request from the server: {e}"
                )));
                return;
            }
        }
        let bytes = body.len();
        if tx
            .send(Event::Message(Incoming { at, bytes, msg }))
            .is_err()
        {
            return;
        }
    }
}

/// One Content-Length frame's body; `None` at the end of output.
fn read_frame(r: &mut impl BufRead) -> std::result::Result<Option<Vec<u8>>, String> {
    let mut length = None;
    let mut saw_header = false;
    loop {
        let mut line = String::new();
        let n = r
            .read_line(&mut line)
            .map_err(|e| format!("reading a header: {e}"))?;
        if n == 0 {
            return if saw_header {
                Err("output ended inside a header".into())
            } else {
                Ok(None)
            };
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length `{}`", value.trim()))?,
                );
            }
        }
    }
    let length = length.ok_or("a frame without Content-Length")?;
    let mut body = vec![0; length];
    r.read_exact(&mut body)
        .map_err(|e| format!("reading a body of {length} bytes: {e}"))?;
    Ok(Some(body))
}

/// The server's peak resident set (`VmHWM`), in bytes (Linux only).
fn peak_rss(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

// ---------------------------------------------------------------------------------------------
// URIs and positions
// ---------------------------------------------------------------------------------------------

/// What stays unencoded in a path: RFC 3986 unreserved characters and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// `file://` URI of an absolute path, percent-encoded (upper-case hex, as Node writes it).
fn file_uri(path: &Path) -> String {
    format!(
        "file://{}",
        utf8_percent_encode(&path.to_string_lossy(), PATH)
    )
}

/// The decoded path of a `file://` URI (for comparing the server's URIs with ours whatever
/// its escaping).
fn path_of_uri(uri: &str) -> String {
    let rest = uri.strip_prefix("file://").unwrap_or(uri);
    percent_decode_str(rest).decode_utf8_lossy().into_owned()
}

/// Byte offsets where each line starts, with LSP's line breaks (`\n`, `\r\n`, `\r`).
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                starts.push(i);
            }
            b'\r' | b'\n' => {
                i += 1;
                starts.push(i);
            }
            _ => i += 1,
        }
    }
    starts
}

/// LSP position (line, UTF-16 column) of byte offset `byte` (a char boundary).
fn position(text: &str, starts: &[usize], byte: usize) -> (u32, u32) {
    let line = starts.partition_point(|&s| s <= byte).saturating_sub(1);
    let col = text[starts[line]..byte].encode_utf16().count();
    (line as u32, col as u32)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).chain(['…']).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The workspace
// ---------------------------------------------------------------------------------------------

/// An article of the corpus day: file name and text.
struct Article {
    name: String,
    text: String,
}

/// The non-empty articles of the zip, as `title, blank line, content` (as
/// `benches/unpack-corpus.py` writes them).
fn load_articles(zip_path: &Path) -> Result<Vec<Article>> {
    let file =
        fs::File::open(zip_path).with_context(|| format!("opening {}", zip_path.display()))?;
    let mut zip =
        zip::ZipArchive::new(file).with_context(|| format!("reading {}", zip_path.display()))?;
    let name = zip
        .file_names()
        .find(|n| n.ends_with(".json"))
        .map(str::to_string)
        .ok_or_else(|| anyhow!("{} holds no .json file", zip_path.display()))?;
    let mut json_text = String::new();
    zip.by_name(&name)
        .with_context(|| format!("opening {name} in {}", zip_path.display()))?
        .read_to_string(&mut json_text)
        .with_context(|| format!("reading {name} in {}", zip_path.display()))?;
    let all: Vec<Value> =
        serde_json::from_str(&json_text).with_context(|| format!("parsing {name}"))?;
    let mut out = Vec::new();
    for (i, art) in all.iter().enumerate() {
        let title = art["title"].as_str().unwrap_or("").trim();
        let content = art["content"].as_str().unwrap_or("").trim();
        if title.is_empty() && content.is_empty() {
            continue;
        }
        let source: String = art["source"]
            .as_str()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let source = if source.is_empty() {
            "unknown".to_string()
        } else {
            source
        };
        out.push(Article {
            name: format!("{i:05}-{source}.txt"),
            text: format!("{title}\n\n{content}\n"),
        });
    }
    if out.is_empty() {
        bail!(
            "{} holds no article with a title or content",
            zip_path.display()
        );
    }
    Ok(out)
}

/// An article to hover in, and where.
struct HoverCandidate {
    path: PathBuf,
    needle: &'static str,
    line: u32,
    character: u32,
}

struct Workspace {
    root: PathBuf,
    /// Articles besides `big.txt`.
    articles: usize,
    big: PathBuf,
    big_bytes: u64,
    /// Bytes of every article, `big.txt` included.
    total_bytes: u64,
    reused: bool,
    hover_candidates: Vec<HoverCandidate>,
}

impl Workspace {
    /// `count` articles under `root` (the day at the root, then hard-linked copies in
    /// `copy1/`, `copy2/` …), `big.txt` and `khabar.toml`. Reused when a previous run left the
    /// same layout.
    fn build(root: &Path, base: &[Article], count: usize) -> Result<Workspace> {
        let big_text = big_article(base);
        let marker = root.join(".bench-complete");
        let want = format!(
            "{LAYOUT}: {count} articles from {} bases, big {} bytes",
            base.len(),
            big_text.len()
        );
        let reused = fs::read_to_string(&marker).is_ok_and(|m| m == want);
        let dir_of = |copy: usize| {
            if copy == 0 {
                root.to_path_buf()
            } else {
                root.join(format!("copy{copy}"))
            }
        };
        if !reused {
            if root.exists() {
                fs::remove_dir_all(root)
                    .with_context(|| format!("removing the old {}", root.display()))?;
            }
            fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
            let mut linked = true;
            for i in 0..count {
                let (copy, a) = (i / base.len(), &base[i % base.len()]);
                let dir = dir_of(copy);
                let path = dir.join(&a.name);
                if copy == 0 {
                    fs::write(&path, &a.text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    continue;
                }
                if i % base.len() == 0 {
                    fs::create_dir_all(&dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                let original = root.join(&a.name);
                if !(linked && fs::hard_link(&original, &path).is_ok()) {
                    linked = false;
                    fs::copy(&original, &path)
                        .with_context(|| format!("copying to {}", path.display()))?;
                }
            }
            let big = root.join("big.txt");
            fs::write(&big, &big_text).with_context(|| format!("writing {}", big.display()))?;
            let config = root.join("khabar.toml");
            fs::write(&config, "include = [\"**/*.txt\"]\n")
                .with_context(|| format!("writing {}", config.display()))?;
            fs::write(&marker, &want).with_context(|| format!("writing {}", marker.display()))?;
        }
        let article_bytes: u64 = (0..count)
            .map(|i| base[i % base.len()].text.len() as u64)
            .sum();
        let mut hover_candidates = Vec::new();
        for &needle in NEEDLES {
            for a in base
                .iter()
                .take(count)
                .filter(|a| a.text.contains(needle))
                .take(4)
            {
                let Some(start) = a.text.find(needle) else {
                    continue;
                };
                let mid: usize = needle
                    .chars()
                    .take(needle.chars().count() / 2)
                    .map(char::len_utf8)
                    .sum();
                let starts = line_starts(&a.text);
                let (line, character) = position(&a.text, &starts, start + mid);
                hover_candidates.push(HoverCandidate {
                    path: root.join(&a.name),
                    needle,
                    line,
                    character,
                });
            }
        }
        Ok(Workspace {
            root: root.to_path_buf(),
            articles: count,
            big: root.join("big.txt"),
            big_bytes: big_text.len() as u64,
            total_bytes: article_bytes + big_text.len() as u64,
            reused,
            hover_candidates,
        })
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }
}

/// About [`BIG_BYTES`] of real paragraphs, one a line, articles in order.
fn big_article(base: &[Article]) -> String {
    let mut out = String::with_capacity(BIG_BYTES + 4096);
    'outer: loop {
        for a in base {
            for para in a.text.split(['\n', '\r']) {
                let para = para.trim();
                if !para.is_empty() {
                    out.push_str(para);
                    out.push('\n');
                }
            }
            if out.len() >= BIG_BYTES {
                break 'outer;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Report {
    initialize: Option<Duration>,
    index: Option<IndexResult>,
    /// When the index ended, whenever that was (possibly after the bench moved on).
    index_late: Option<Duration>,
    /// The title of the indexing progress's `begin`.
    index_title: Option<String>,
    references_advertised: bool,
    article_open: Option<Duration>,
    hover_at: Option<String>,
    hover: Samples,
    hover_cards: usize,
    references: Samples,
    /// Locations in the first successful answer, and its size in bytes.
    reference_locations: Option<(usize, usize)>,
    big_open: Option<Duration>,
    big_diagnostics: Option<usize>,
    edit_at: Option<String>,
    edits: Samples,
    rss: Option<u64>,
    /// Peak RSS after indexing, hover and references, before `big.txt` is opened.
    rss_before_big: Option<u64>,
    server_exit: Option<String>,
    log: Vec<String>,
    notes: Vec<String>,
}

fn fmt_d(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

fn fmt_opt(d: Option<Duration>) -> String {
    d.map_or("—".to_string(), fmt_d)
}

fn yes_no(ok: bool) -> String {
    if ok { "yes" } else { "**no**" }.to_string()
}

/// One table row for a sampled measure with a p99 target.
fn sampled_row(name: String, s: &Samples, target: Duration) -> [String; 6] {
    let met = if s.times.is_empty() {
        "n/a".to_string()
    } else if s.all_errors() {
        format!("n/a ({})", s.first_error.as_deref().unwrap_or("error"))
    } else {
        let ok = s.pct(0.99).is_some_and(|p| p <= target) && s.timeouts == 0;
        yes_no(ok)
    };
    [
        name,
        fmt_opt(s.pct(0.5)),
        fmt_opt(s.pct(0.99)),
        fmt_opt(s.max()),
        format!("p99 ≤ {}", fmt_d(target)),
        met,
    ]
}

fn sample_notes(what: &str, s: &Samples, notes: &mut Vec<String>) {
    if s.times.len() + s.timeouts < s.planned || s.timeouts > 0 {
        notes.push(format!(
            "{what}: {} of {} answered, {} timeouts{}",
            s.times.len(),
            s.planned,
            s.timeouts,
            s.stopped
                .as_ref()
                .map(|x| format!("; {x}"))
                .unwrap_or_default()
        ));
    }
    if s.errors > 0 {
        notes.push(format!(
            "{what}: {} error responses, first: {}",
            s.errors,
            s.first_error.as_deref().unwrap_or("?")
        ));
    }
}

fn print_report(r: &Report, ws: &Workspace, elapsed: Duration) {
    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut notes = r.notes.clone();

    let (index_value, index_met) = match &r.index {
        Some(IndexResult::Done(d)) => (fmt_d(*d), yes_no(*d <= TARGET_INDEX)),
        Some(IndexResult::NoProgress) => {
            if let Some(late) = r.index_late {
                notes.push(format!(
                    "index progress arrived late: ended {} after `initialized`",
                    fmt_d(late)
                ));
            }
            (
                "n/a (server sent no index progress)".to_string(),
                "n/a".to_string(),
            )
        }
        Some(IndexResult::Timeout { began }) => (
            format!(
                "timeout (> {}, {})",
                fmt_d(INDEX_TIMEOUT),
                if *began {
                    "begun, no end"
                } else {
                    "progress created, no begin"
                }
            ),
            "**no**".to_string(),
        ),
        None => ("not measured".to_string(), "n/a".to_string()),
    };
    rows.push([
        "cold index (`initialized` → index `$/progress` end)".into(),
        index_value,
        "—".into(),
        "—".into(),
        format!("≤ {}", fmt_d(TARGET_INDEX)),
        index_met,
    ]);

    rows.push(sampled_row(
        format!("hover (N={})", r.hover.times.len()),
        &r.hover,
        TARGET_HOVER_P99,
    ));
    let locs = match r.reference_locations {
        Some((n, bytes)) => format!("{n} locations, {:.2} MB", bytes as f64 / 1e6),
        None => "no result".into(),
    };
    rows.push(sampled_row(
        format!("references (N={}, {locs})", r.references.times.len()),
        &r.references,
        TARGET_REFS_P99,
    ));
    rows.push(sampled_row(
        format!(
            "edit → diagnostics, 1 MB big.txt (N={})",
            r.edits.times.len()
        ),
        &r.edits,
        TARGET_EDIT_P99,
    ));
    let corpus_mb = ws.total_bytes as f64 / 1e6;
    let (rss_value, rss_met) = match r.rss {
        Some(b) => {
            let ratio = b as f64 / ws.total_bytes as f64;
            (
                format!("{:.1} MB ({ratio:.2}× corpus)", b as f64 / 1e6),
                yes_no(ratio <= TARGET_RSS_RATIO),
            )
        }
        None => ("n/a (no /proc/PID/status)".into(), "n/a".into()),
    };
    rows.push([
        "peak RSS (VmHWM before shutdown)".into(),
        rss_value,
        "—".into(),
        "—".into(),
        format!(
            "≤ {TARGET_RSS_RATIO}× corpus ({:.1} MB)",
            corpus_mb * TARGET_RSS_RATIO
        ),
        rss_met,
    ]);
    // Context without targets.
    let info = |name: &str, d: Option<Duration>| -> [String; 6] {
        [
            name.to_string(),
            fmt_opt(d),
            "—".into(),
            "—".into(),
            "—".into(),
            "".into(),
        ]
    };
    rows.push([
        "peak RSS before big.txt was opened".into(),
        r.rss_before_big
            .map_or("n/a".into(), |b| format!("{:.1} MB", b as f64 / 1e6)),
        "—".into(),
        "—".into(),
        "—".into(),
        "".into(),
    ]);
    rows.push(info("initialize round trip", r.initialize));
    rows.push(info(
        "hover article: didOpen → first diagnostics",
        r.article_open,
    ));
    rows.push(info(
        &format!(
            "big.txt: didOpen → first diagnostics ({} diagnostics)",
            r.big_diagnostics.map_or("?".to_string(), |n| n.to_string())
        ),
        r.big_open,
    ));

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!("## khabar lsp latency");
    println!();
    println!(
        "corpus: {} articles + big.txt ({:.2} MB) = {:.1} MB; {cores} cores; load average {}; commit {}",
        ws.articles,
        ws.big_bytes as f64 / 1e6,
        corpus_mb,
        load_average(),
        git_describe()
    );
    println!();
    let header = ["measure", "p50", "p99", "max", "target", "met?"];
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    line(&header.map(String::from));
    line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
    for row in &rows {
        line(row);
    }
    println!();

    if let Some(title) = &r.index_title {
        println!("index progress: «{title}»");
    }
    if let Some(at) = &r.hover_at {
        println!(
            "hover and references at {at}; hover returned a card {} of {} times",
            r.hover_cards,
            r.hover.times.len()
        );
    }
    if let Some(at) = &r.edit_at {
        println!("edits at {at}: a space inserted, then deleted, alternately");
    }
    if !r.references_advertised {
        notes.push("the server does not advertise referencesProvider".into());
    }
    sample_notes("hover", &r.hover, &mut notes);
    sample_notes("references", &r.references, &mut notes);
    sample_notes("edits", &r.edits, &mut notes);
    if let Some(exit) = &r.server_exit {
        notes.push(format!("server: {exit}"));
    }
    for n in &notes {
        println!("note: {n}");
    }
    if !r.log.is_empty() {
        println!("server messages ({} shown):", r.log.len());
        for l in &r.log {
            println!("  {l}");
        }
    }
    println!("bench took {:.1} s", elapsed.as_secs_f64());
}

fn git_describe() -> String {
    Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The 1-minute load average (Linux): figures from a busy machine are not comparable.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}
