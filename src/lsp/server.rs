//! The `LanguageServer` implementation: thin handlers over [`State`] and the feature modules.
//!
//! tower-lsp-server polls handlers concurrently on one task. Text changes are applied under
//! the state's `std::sync::Mutex` in the handler's first poll, before any `.await`, so they
//! land in the order they arrive; the mutex is never held across an `.await`. Analysis runs on
//! the blocking pool against a snapshot of the rope (a cheap clone) and its result is dropped
//! if the document changed meanwhile. Pushed diagnostics go out under an async lock, after a
//! last check that they are still current, so the last ones a client gets are the latest's.

use super::state::{ClientFlags, Doc, Settings, State};
use super::{
    actions, convert, curate, definition, diagnostics, hover, indexer, kb_action, prerendered,
    semantic, symbols, transport, TEST_PANIC_ENV,
};
use crate::analysis::incremental::{self, Change};
use crate::analysis::text::{Document, Encoding};
use crate::analysis::{Analysis, Engine};
use crate::workspace::index::Entry;

/// Below this size a full analysis answers an edit in about a millisecond, and the quick
/// re-check would only add a second publish.
const QUICK_MIN_CHARS: usize = 20_000;

/// How long typing must pause before a large article, answered quickly, is analysed in full.
const FULL_AFTER_QUICK: std::time::Duration = std::time::Duration::from_millis(150);

/// Changes the quick re-check moves findings through before it waits for a full analysis.
const MAX_PENDING: usize = 256;

/// A folder's engine, KB files, root and per-entity article counts, for workspace symbols.
type SymbolSource = (Arc<Engine>, Vec<PathBuf>, Option<PathBuf>, Vec<usize>);

/// The annotations re-anchoring could not find again, as `T3 «quote», …`; `None` when all were.
fn lost_annotations(report: &[crate::analysis::curation::Anchor]) -> Option<String> {
    let lost: Vec<String> = report
        .iter()
        .filter_map(|a| match a {
            crate::analysis::curation::Anchor::Lost { id, text } => Some(format!("{id} «{text}»")),
            _ => None,
        })
        .collect();
    (!lost.is_empty()).then(|| format!("{} ({})", lost.join(", "), lost.len()))
}

/// A code action that runs `command` in the server with `args` as its one argument.
fn command_action(
    title: String,
    kind: &'static str,
    command: &str,
    args: &impl serde::Serialize,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::new(kind)),
        command: Some(Command {
            title,
            command: command.to_string(),
            arguments: serde_json::to_value(args).ok().map(|v| vec![v]),
        }),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    })
}

/// Moves the spans of held annotations through one buffer edit: a span after it shifts; one the
/// edit touches keeps its place and is checked against the text when it is written.
fn move_annotations(
    ann: &mut crate::analysis::ann::AnnFile,
    start: usize,
    old_end: usize,
    new_len: usize,
) {
    let by = new_len as isize - (old_end - start) as isize;
    for line in &mut ann.lines {
        if let crate::analysis::ann::Entry::Text { fragments, .. } = &mut line.entry {
            if !fragments.is_empty() && fragments.iter().all(|&(a, _)| a >= old_end) {
                for f in fragments.iter_mut() {
                    f.0 = (f.0 as isize + by).max(0) as usize;
                    f.1 = (f.1 as isize + by).max(0) as usize;
                }
                line.raw = None;
            }
        }
    }
}

/// The lines of `doc` that `changes` (applied in order) touched: start offset and content.
fn dirty_lines(doc: &Document, changes: &[Change]) -> Vec<(usize, String)> {
    // Each change's new text, carried through the later changes.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for c in changes {
        let by = c.new_len as isize - (c.old_end - c.start) as isize;
        let at = |o: usize| (o as isize + by).max(0) as usize;
        for s in &mut spans {
            if s.0 > c.old_end {
                *s = (at(s.0), at(s.1));
            } else if s.1 >= c.start {
                *s = (s.0.min(c.start), at(s.1.max(c.old_end)));
            }
        }
        spans.push((c.start, c.start + c.new_len));
    }
    let mut lines: Vec<usize> = spans
        .iter()
        .flat_map(|&(s, e)| doc.line_of(s)..=doc.line_of(e))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
        .into_iter()
        .map(|l| {
            let (start, end) = (doc.line_start(l), doc.line_content_end(l));
            (start, doc.rope().slice(start..end).to_string())
        })
        .collect()
}
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

pub struct Backend {
    client: Client,
    /// Shared with the background indexing run.
    state: Arc<Mutex<State>>,
    /// Serialises pushes so that a stale set never overtakes a newer one.
    publish: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    /// Woken on every text change, for handlers waiting for a pause in typing.
    changed: tokio::sync::Notify,
    /// The output's frame queue, when the server runs behind [`super::serve`]: diagnostics are
    /// then serialized straight into it rather than through a `Value` tree.
    frames: Option<transport::Frames>,
}

/// An open article with everything a request needs, taken in one lock.
struct Snapshot {
    uri: Uri,
    text: Document,
    version: i32,
    analysis: Arc<Analysis>,
    engine: Arc<Engine>,
    root: Option<PathBuf>,
    kb_paths: Vec<PathBuf>,
    enc: Encoding,
    flags: ClientFlags,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Backend::with_frames(client, None)
    }

    pub fn with_frames(client: Client, frames: Option<transport::Frames>) -> Self {
        Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
            publish: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            changed: tokio::sync::Notify::new(),
            frames,
        }
    }

    /// Sends `textDocument/publishDiagnostics`. Every push goes through here, so that pushes
    /// for one document leave in the order they are made.
    async fn push_diagnostics(&self, uri: Uri, diags: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams::new(uri, diags, version);
        match &self.frames {
            Some(frames) => {
                use futures::SinkExt;
                use tower_lsp_server::ls_types::notification::Notification;
                let method = notification::PublishDiagnostics::METHOD;
                if let Some(frame) = transport::notification_frame(method, &params) {
                    // A closed output has nobody left to tell.
                    let _ = frames.clone().send(frame).await;
                }
            }
            None => {
                self.client
                    .send_notification::<notification::PublishDiagnostics>(params)
                    .await
            }
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// `khabar/panic`: panics on purpose, for robustness tests; method-not-found unless the
    /// `testPanic` setting or the `KHABAR_TEST_PANIC=1` environment variable enables it.
    pub async fn test_panic(&self) -> Result<()> {
        let enabled = self.lock().settings.test_panic
            || std::env::var(TEST_PANIC_ENV).is_ok_and(|v| v == "1");
        if !enabled {
            return Err(Error::method_not_found());
        }
        panic!("khabar/panic was requested");
    }

    /// Answers a message the transport found malformed with the error it describes.
    pub async fn invalid_message(&self, params: Value) -> Result<()> {
        let code = params.get("code").and_then(Value::as_i64).unwrap_or(-32600);
        let message = params
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("invalid message")
            .to_string();
        Err(Error {
            code: ErrorCode::from(code),
            message: message.into(),
            data: None,
        })
    }

    /// Analyses document `key` at generation `gen` and, for push clients, publishes the result.
    async fn refresh(&self, key: PathBuf, gen: u64) {
        // Let changes already queued land first: their analysis supersedes this one.
        tokio::task::yield_now().await;
        let (text, engine, quick) = {
            let st = self.lock();
            match st.docs.get(&key) {
                Some(doc) if doc.generation == gen => {
                    let quick = match &doc.base {
                        Some(base)
                            if !doc.pending.is_empty()
                                && !st.flags.pull
                                && doc.text.len_chars() >= QUICK_MIN_CHARS =>
                        {
                            let changes: Vec<Change> =
                                doc.pending.iter().map(|(_, c)| *c).collect();
                            Some((base.clone(), changes))
                        }
                        _ => None,
                    };
                    (doc.text.clone(), st.engine_for(&key), quick)
                }
                _ => return,
            }
        };
        if let Some((base, changes)) = quick {
            self.publish_quick(&key, gen, engine.clone(), text.clone(), base, changes)
                .await;
            // While the curator types, each full analysis would be stale before it ends and
            // would hold a core the next quick answer needs: wait for a pause first.
            if !self.pause_after(&key, gen).await {
                return;
            }
        }
        let text_now = text.clone();
        let Some(analysis) = self.analyze(engine, text).await else {
            return;
        };
        let mut stale = self.stale_findings(&key, &text_now);
        stale.extend(self.uncurated_hints(&key, &analysis));
        let _order = self.publish.lock().await;
        let push = {
            let mut st = self.lock();
            let (enc, pull) = (st.encoding(), st.flags.pull);
            let Some(doc) = st.docs.get_mut(&key) else {
                return;
            };
            if doc.generation != gen {
                return;
            }
            let mut diags =
                diagnostics::all_to_lsp(&doc.text, &doc.uri, &analysis.diagnostics, enc);
            diags.extend(diagnostics::all_to_lsp(&doc.text, &doc.uri, &stale, enc));
            doc.analysis = Some(analysis.clone());
            doc.base = Some(analysis.clone());
            doc.pending.retain(|(g, _)| *g > gen);
            (!pull).then(|| (doc.uri.clone(), diags, doc.version))
        };
        if let Some((uri, diags, version)) = push {
            self.push_diagnostics(uri, diags, Some(version)).await;
        }
        drop(_order);
        self.index_buffer(key, gen, analysis).await;
    }

    /// Waits until document `key` has stayed at generation `gen` for [`FULL_AFTER_QUICK`];
    /// `false` as soon as it changes. Returning at once on a change matters: every waiting
    /// handler holds one of the server's [`CONCURRENCY`](super::CONCURRENCY) slots, and a
    /// burst of keystrokes faster than the pause would otherwise fill them all and leave the
    /// next keystroke unread until the oldest wait ends.
    async fn pause_after(&self, key: &std::path::Path, gen: u64) -> bool {
        let deadline = tokio::time::Instant::now() + FULL_AFTER_QUICK;
        loop {
            // Registered before the check, so that a change right after it still wakes us.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self
                .lock()
                .docs
                .get(key)
                .is_none_or(|d| d.generation != gen)
            {
                return false;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = &mut changed => {}
            }
        }
        self.lock()
            .docs
            .get(key)
            .is_some_and(|d| d.generation == gen)
    }

    /// Publishes the quick re-check of a large article right after an edit: the last full
    /// analysis moved through the changes, with the touched lines checked again by the
    /// line-local rules. The full analysis follows and supersedes it.
    async fn publish_quick(
        &self,
        key: &PathBuf,
        gen: u64,
        engine: Arc<Engine>,
        text: Document,
        base: Arc<Analysis>,
        changes: Vec<Change>,
    ) {
        let dirty_doc = text.clone();
        let quick = tokio::task::spawn_blocking(move || {
            let dirty = dirty_lines(&dirty_doc, &changes);
            incremental::quick(&engine, &base.diagnostics, &changes, &dirty)
        })
        .await;
        let Ok(quick) = quick else { return };
        let _order = self.publish.lock().await;
        let push = {
            let st = self.lock();
            let enc = st.encoding();
            match st.docs.get(key) {
                Some(doc) if doc.generation == gen => Some((
                    doc.uri.clone(),
                    diagnostics::all_to_lsp(&doc.text, &doc.uri, &quick, enc),
                    doc.version,
                )),
                _ => None,
            }
        };
        if let Some((uri, diags, version)) = push {
            self.push_diagnostics(uri, diags, Some(version)).await;
        }
    }

    /// Puts an open buffer's mentions into its folder's index (the buffer's text wins over the
    /// file's), unless the buffer changed again meanwhile.
    async fn index_buffer(&self, key: PathBuf, gen: u64, analysis: Arc<Analysis>) {
        let (text, enc) = {
            let st = self.lock();
            match (st.docs.get(&key), st.folder_of(&key)) {
                (Some(doc), Some(f)) if doc.generation == gen && f.is_article(&key) => {
                    (doc.text.clone(), f.index.encoding())
                }
                _ => return,
            }
        };
        let link = convert::uri_json(&key);
        let entry = tokio::task::spawn_blocking(move || {
            Entry::from_mentions(&text.text(), &analysis.mentions, enc).with_link(link)
        })
        .await;
        let Ok(entry) = entry else { return };
        let mut st = self.lock();
        if st.docs.get(&key).is_some_and(|d| d.generation == gen) {
            if let Some(f) = st.folder_of_mut(&key) {
                f.index.insert(key, entry);
            }
        }
    }

    /// Re-reads `path` from disk into its folder's index, or drops it when it is gone or no
    /// longer an article. An open buffer keeps its own entry.
    async fn index_file(&self, path: PathBuf) {
        let (engine, enc) = {
            let mut st = self.lock();
            if st.docs.contains_key(&path) {
                return;
            }
            let Some(f) = st.folder_of_mut(&path) else {
                return;
            };
            if !f.is_article(&path) || !path.is_file() {
                f.index.remove(&path);
                return;
            }
            (f.engine.clone(), f.index.encoding())
        };
        let p = path.clone();
        let entry = tokio::task::spawn_blocking(move || {
            let link = convert::uri_json(&p);
            Entry::read(&engine, &p, enc)
                .ok()
                .map(|e| e.with_link(link))
        })
        .await;
        let mut st = self.lock();
        if st.docs.contains_key(&path) {
            return;
        }
        if let Some(f) = st.folder_of_mut(&path) {
            let entry = entry.ok().flatten().unwrap_or_default();
            f.index.insert(path, entry);
        }
    }

    /// The curation states of article `key`: what is held for its unsaved buffer, else its
    /// `.ann` on disk.
    fn ann_states(&self, key: &std::path::Path) -> Vec<crate::analysis::curation::State> {
        if let Some(held) = self.lock().docs.get(key).and_then(|d| d.held_ann.clone()) {
            return crate::analysis::curation::states(&held);
        }
        self.disk_ann_for_buffer(key)
            .map(|a| crate::analysis::curation::states(&a))
            .unwrap_or_default()
    }

    /// The `.ann` on disk of article `key`; for an open buffer that differs from the file, its
    /// spans found again in the buffer's text (in memory: the file is re-anchored on save), so
    /// that annotations move with edits as the curator types.
    fn disk_ann_for_buffer(&self, key: &std::path::Path) -> Option<crate::analysis::ann::AnnFile> {
        let text = std::fs::read_to_string(crate::workspace::ann::ann_path(key)).ok()?;
        let mut ann = crate::analysis::ann::parse(&text);
        let (buffer, old) = {
            let st = self.lock();
            let buffer = st.docs.get(key).map(|d| d.text.text());
            (buffer, st.ann_texts.get(key).cloned())
        };
        if let (Some(buffer), Some(old)) = (buffer, old) {
            if buffer != old {
                crate::analysis::curation::reanchor(&mut ann, &old, &buffer);
            }
        }
        Some(ann)
    }

    /// `khabar.curationStatus`: what is left to curate, article by article across every
    /// folder (indexed mentions without a decision in the article's `.ann`), most first.
    fn curation_status(&self) -> Value {
        let articles: Vec<(PathBuf, Vec<(u32, u32)>)> = {
            let st = self.lock();
            st.folders
                .iter()
                .flat_map(|f| {
                    f.index.paths().into_iter().filter_map(|p| {
                        let a = f.index.article(p)?;
                        Some((
                            p.to_path_buf(),
                            a.hits.iter().map(|h| (h.start, h.end)).collect(),
                        ))
                    })
                })
                .collect()
        };
        let mut rows = Vec::new();
        let (mut all, mut done) = (0, 0);
        for (path, spans) in articles {
            let decided: Vec<(usize, usize)> = self
                .ann_states(&path)
                .into_iter()
                .filter(|s| s.rejected || s.entity.is_some())
                .map(|s| (s.start, s.end))
                .collect();
            let n = spans.len();
            let d = spans
                .iter()
                .filter(|&&(s, e)| decided.contains(&(s as usize, e as usize)))
                .count();
            all += n;
            done += d;
            if let Some(uri) = convert::uri_of(&path) {
                rows.push((
                    n - d,
                    serde_json::json!({
                        "uri": uri.as_str(), "mentions": n, "decided": d, "left": n - d,
                    }),
                ));
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.0));
        serde_json::json!({
            "articles": rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
            "mentions": all,
            "decided": done,
            "left": all - done,
        })
    }

    /// The article's annotations whose text is no longer at their place in `text`, as
    /// findings (none when it has no `.ann`).
    fn stale_findings(
        &self,
        key: &std::path::Path,
        text: &Document,
    ) -> Vec<crate::analysis::diagnostic::Diagnostic> {
        let states = self.ann_states(key);
        if states.is_empty() {
            return Vec::new();
        }
        let severity = {
            let st = self.lock();
            let engine = st.engine_for(key);
            crate::analysis::rules::configured(&engine.config, crate::analysis::curation::STALE.id)
        };
        let Some(severity) = severity else {
            return Vec::new();
        };
        let mut found = crate::analysis::curation::stale(&states, &text.text());
        if let Some(sev) = severity {
            for d in &mut found {
                d.severity = sev;
            }
        }
        found
    }

    /// Opens the `.ann` at the note on `target` with its text selected, so that a curator whose
    /// client cannot prompt types the note in place (`window/showDocument`).
    async fn show_note(&self, ann_path: &std::path::Path, target: &str) {
        let Ok(text) = std::fs::read_to_string(ann_path) else {
            return;
        };
        let found = text.lines().enumerate().find_map(|(i, l)| {
            let mut cols = l.splitn(3, '\t');
            let (id, mid, note) = (cols.next()?, cols.next()?, cols.next()?);
            (id.starts_with('#') && mid == format!("AnnotatorNotes {target}")).then(|| {
                (
                    i,
                    (id.len() + mid.len() + 2) as u32,
                    note.encode_utf16().count() as u32,
                )
            })
        });
        let (Some((line, col, len)), Some(uri)) = (found, convert::uri_of(ann_path)) else {
            return;
        };
        let at = |c| Position {
            line: line as u32,
            character: c,
        };
        let params = ShowDocumentParams {
            uri,
            external: None,
            take_focus: Some(true),
            selection: Some(Range {
                start: at(col),
                end: at(col + len),
            }),
        };
        if let Err(e) = self.client.show_document(params).await {
            let msg = format!("khabar: the note is in {}: {e}", ann_path.display());
            self.client.log_message(MessageType::INFO, msg).await;
        }
    }

    /// With the `curationHints` setting, a hint on every mention nobody has accepted or
    /// rejected yet (rule `uncurated-mention`): what is left to curate, where it is.
    fn uncurated_hints(
        &self,
        key: &std::path::Path,
        analysis: &Analysis,
    ) -> Vec<crate::analysis::diagnostic::Diagnostic> {
        let (on, engine) = {
            let st = self.lock();
            (st.settings.curation_hints, st.engine_for(key))
        };
        let rule = &crate::analysis::curation::UNCURATED;
        let severity = match crate::analysis::rules::configured(&engine.config, rule.id) {
            Some(s) if on => s.unwrap_or(rule.default_severity),
            _ => return Vec::new(),
        };
        let decided = self.curated_spans(key);
        analysis
            .mentions
            .iter()
            .filter(|m| !decided.iter().any(|&(s, e, _)| s == m.start && e == m.end))
            .map(|m| {
                let name = engine
                    .kb
                    .entities
                    .get(m.entity)
                    .map_or("an entity", |e| e.display_name());
                crate::analysis::diagnostic::Diagnostic::new(
                    rule.id,
                    severity,
                    m.start,
                    m.end,
                    format!("not curated yet: taken as {name}"),
                )
            })
            .collect()
    }

    /// Spans with a decision, for semantic-token modifiers: `(start, end, accepted)`.
    fn curated_spans(&self, key: &std::path::Path) -> Vec<(usize, usize, bool)> {
        self.ann_states(key)
            .into_iter()
            .filter(|s| s.rejected || s.entity.is_some())
            .map(|s| (s.start, s.end, !s.rejected))
            .collect()
    }

    /// `khabar.annotate`: records a decision in the article's `.ann`, now when the buffer is
    /// saved, else when it next is.
    async fn annotate(&self, mut args: curate::AnnotateArgs) -> Result<Option<Value>> {
        let Ok(uri) = args.uri.parse::<Uri>() else {
            return Err(Error::invalid_params("`uri` is not a URI"));
        };
        let key = convert::path_of(&uri);
        if args.op == "new" {
            // First the entity, in the workspace KB; then the span is linked to it.
            let kind = args
                .kind
                .ok_or_else(|| Error::invalid_params("`new` needs `kind`"))?;
            let snap = self
                .snapshot(&uri)
                .await
                .ok_or_else(|| Error::invalid_params("the article is not open"))?;
            let lang = match snap.analysis.langs.get(snap.text.line_of(args.start)) {
                Some(crate::analysis::script::Lang::Persian) => "fa",
                _ => "ar",
            };
            let written = {
                let st = self.lock();
                let Some(f) = st.folder_of(&key) else {
                    return Err(Error::invalid_params(
                        "the article is outside every workspace folder",
                    ));
                };
                let origin = crate::workspace::display_rel(&f.root, &key);
                let new = crate::workspace::kb_write::NewEntity {
                    name: args.text.trim(),
                    kind,
                    lang,
                    origin: &origin,
                };
                crate::workspace::kb_write::add_entity(&f.root, &f.kb_paths, &f.engine.kb, &new)
            };
            let (_, id) = written.map_err(|e| Error::invalid_params(e.to_string()))?;
            self.reload().await;
            args.op = "link".to_string();
            args.entity = Some(id);
        }
        let Some(snap) = self.snapshot(&uri).await else {
            return Err(Error::invalid_params("the article is not open"));
        };
        let text = snap.text.text();
        if args.op != "drop"
            && (args.start > args.end
                || crate::analysis::text::slice_chars(&text, args.start, args.end) != args.text)
        {
            return Err(Error::invalid_params(
                "the text changed since the action was offered; ask for actions again",
            ));
        }
        let ty = args.brat_type(&snap.engine.kb, &snap.analysis);
        let ann_path = crate::workspace::ann::ann_path(&key);
        let on_disk = crate::workspace::files::read_article(&key, &key.display().to_string())
            .ok()
            .is_some_and(|t| t == text);
        let held = self.lock().docs.get(&key).and_then(|d| d.held_ann.clone());
        // Decisions apply to the buffer's text: the `.ann` from disk is first moved to it.
        let mut ann = match held {
            Some(held) => held,
            None => match self.disk_ann_for_buffer(&key) {
                Some(a) => a,
                None if !ann_path.exists() => Default::default(),
                None => {
                    return Err(Error::invalid_params(format!(
                        "{}: could not be read",
                        ann_path.display()
                    )))
                }
            },
        };
        let target = || {
            args.target
                .clone()
                .ok_or_else(|| Error::invalid_params(format!("`{}` needs `target`", args.op)))
        };
        let id = match args.op.as_str() {
            "drop" => {
                let t = target()?;
                crate::analysis::curation::drop_span(&mut ann, &t);
                t
            }
            "attach" => {
                let t = target()?;
                if !crate::analysis::curation::attach(
                    &mut ann, &t, args.start, args.end, &args.text,
                ) {
                    return Err(Error::invalid_params(format!("no annotation `{t}`")));
                }
                t
            }
            _ => {
                let decision = args
                    .decision(&snap.engine.kb)
                    .map_err(Error::invalid_params)?;
                let t = crate::analysis::curation::decide(
                    &mut ann, args.start, args.end, &ty, &args.text, &decision,
                );
                if let Some(by) = self.lock().settings.annotator.clone() {
                    crate::analysis::curation::set_annotator(&mut ann, &t, &by);
                }
                t
            }
        };
        let written = if on_disk {
            crate::workspace::ann::write_atomic(&ann_path, ann.serialize().as_bytes())
                .map_err(|e| Error::invalid_params(format!("{}: {e}", ann_path.display())))?;
            self.lock().ann_texts.insert(key.clone(), text.clone());
            if let Some(d) = self.lock().docs.get_mut(&key) {
                d.held_ann = None;
            }
            true
        } else {
            if let Some(d) = self.lock().docs.get_mut(&key) {
                d.held_ann = Some(ann);
            }
            false
        };
        let flags = self.lock().flags;
        if flags.semantic_refresh {
            let _ = self.client.semantic_tokens_refresh().await;
        }
        if args.op == "note" && args.note.is_none() && written && flags.show_document {
            self.show_note(&ann_path, &id).await;
        }
        Ok(Some(serde_json::json!({
            "id": id,
            "ann": ann_path,
            "written": written,
        })))
    }

    /// After an article changed on disk (and is not open), finds its annotations again by
    /// their quotes and rewrites its `.ann` if any moved; says which could not be found. The
    /// text before the change is not known here, so among equal quotes the nearest wins.
    async fn reanchor_file(&self, path: &std::path::Path) {
        if self.lock().docs.contains_key(path) {
            return;
        }
        self.reanchor_on_disk(path).await;
    }

    /// Re-anchors the `.ann` of `path` to the article's text on disk (see [`reanchor_file`]).
    async fn reanchor_on_disk(&self, path: &std::path::Path) {
        let ann_path = crate::workspace::ann::ann_path(path);
        let (Ok(ann_text), Ok(text)) = (
            std::fs::read_to_string(&ann_path),
            crate::workspace::files::read_article(path, &path.display().to_string()),
        ) else {
            return;
        };
        let mut ann = crate::analysis::ann::parse(&ann_text);
        let old = self
            .lock()
            .ann_texts
            .insert(path.to_path_buf(), text.clone())
            .unwrap_or_default();
        let report = crate::analysis::curation::reanchor(&mut ann, &old, &text);
        use crate::analysis::curation::Anchor;
        if report.iter().any(|a| matches!(a, Anchor::Moved { .. })) {
            if let Err(e) =
                crate::workspace::ann::write_atomic(&ann_path, ann.serialize().as_bytes())
            {
                let msg = format!("khabar: could not write {}: {e}", ann_path.display());
                self.client.show_message(MessageType::ERROR, msg).await;
            }
        }
        if let Some(lost) = lost_annotations(&report) {
            let msg = format!(
                "khabar: annotation(s) of {} no longer in its text: {lost} (kept, and reported as stale-annotation when the article is open)",
                path.display(),
            );
            self.client.show_message(MessageType::WARNING, msg).await;
        }
    }

    /// Remembers the text on disk of article `key` when it has a `.ann` (see
    /// [`State::ann_texts`]).
    fn remember_disk_text(&self, key: &std::path::Path) {
        if !crate::workspace::ann::ann_path(key).is_file() {
            return;
        }
        if let Ok(text) = crate::workspace::files::read_article(key, &key.display().to_string()) {
            self.lock().ann_texts.insert(key.to_path_buf(), text);
        }
    }

    /// Writes the decisions held for a buffer that was closed unsaved, re-anchored from the
    /// buffer's text `buffer` to the file on disk.
    async fn write_held_after_close(
        &self,
        key: &std::path::Path,
        mut held: crate::analysis::ann::AnnFile,
        buffer: &str,
    ) {
        let Ok(text) = crate::workspace::files::read_article(key, &key.display().to_string())
        else {
            return;
        };
        let report = crate::analysis::curation::reanchor(&mut held, buffer, &text);
        let ann_path = crate::workspace::ann::ann_path(key);
        if let Err(e) = crate::workspace::ann::write_atomic(&ann_path, held.serialize().as_bytes())
        {
            let msg = format!("khabar: could not write {}: {e}", ann_path.display());
            self.client.show_message(MessageType::ERROR, msg).await;
        }
        if let Some(lost) = lost_annotations(&report) {
            let msg = format!(
                "khabar: {} was closed unsaved; annotation(s) whose text is not in the file were kept as made: {lost}",
                key.display(),
            );
            self.client.show_message(MessageType::WARNING, msg).await;
        }
    }

    /// Starts indexing every folder in the background.
    fn start_indexing(&self) {
        let progress = self.lock().flags.progress;
        tokio::spawn(indexer::run(
            self.client.clone(),
            self.state.clone(),
            progress,
        ));
    }

    /// `window/workDoneProgress/cancel`.
    pub async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        indexer::cancel(&self.state, &params.token);
    }

    async fn analyze(&self, engine: Arc<Engine>, text: Document) -> Option<Arc<Analysis>> {
        match tokio::task::spawn_blocking(move || engine.analyze(&text.text())).await {
            Ok(a) => Some(Arc::new(a)),
            Err(e) => {
                self.client
                    .log_message(MessageType::ERROR, format!("khabar: analysis failed: {e}"))
                    .await;
                None
            }
        }
    }

    /// Re-analyses every open document (after settings or the workspace's files changed).
    async fn refresh_all(&self) {
        let keys: Vec<(PathBuf, u64)> = {
            let mut st = self.lock();
            st.docs
                .iter_mut()
                .map(|(k, d)| {
                    d.generation = self.next_generation();
                    d.analysis = None;
                    (k.clone(), d.generation)
                })
                .collect()
        };
        let flags = self.lock().flags;
        if flags.pull {
            if flags.refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
        } else {
            futures::future::join_all(keys.into_iter().map(|(k, g)| self.refresh(k, g))).await;
        }
    }

    /// Shows workspace-file problems and, for push clients, reports them on their files,
    /// clearing files that no longer have any.
    async fn report_problems(&self, before: BTreeMap<PathBuf, Vec<super::state::Problem>>) {
        let (now, pull) = {
            let st = self.lock();
            (st.problems(), st.flags.pull)
        };
        for p in now.values().flatten() {
            let msg = format!(
                "khabar: {}:{}:{}: {}",
                p.path.display(),
                p.line + 1,
                p.column + 1,
                p.message
            );
            self.client.show_message(MessageType::ERROR, msg).await;
        }
        if pull {
            return;
        }
        for path in before.keys().filter(|p| !now.contains_key(*p)) {
            if let Some(uri) = convert::uri_of(path) {
                self.push_diagnostics(uri, Vec::new(), None).await;
            }
        }
        for (path, problems) in &now {
            if let Some(uri) = convert::uri_of(path) {
                let diags = problems.iter().map(diagnostics::problem_to_lsp).collect();
                self.push_diagnostics(uri, diags, None).await;
            }
        }
    }

    async fn reload(&self) {
        let before = {
            let mut st = self.lock();
            let before = st.problems();
            st.reload();
            before
        };
        self.report_problems(before).await;
        self.refresh_all().await;
        self.start_indexing();
        let flags = self.lock().flags;
        if flags.semantic_refresh {
            let _ = self.client.semantic_tokens_refresh().await;
        }
        if flags.inlay_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
    }

    /// The full semantic tokens of `uri`, remembered under a new result id for deltas.
    async fn full_tokens(&self, uri: &Uri) -> Option<(String, Vec<SemanticToken>)> {
        let snap = self.snapshot(uri).await?;
        let curated = self.curated_spans(&convert::path_of(uri));
        let data = semantic::tokens(
            &snap.text,
            &snap.analysis.mentions,
            &snap.engine.kb,
            snap.enc,
            None,
            &curated,
        );
        let id = self.next_generation().to_string();
        if let Some(doc) = self.lock().docs.get_mut(&convert::path_of(uri)) {
            doc.tokens = Some((id.clone(), data.clone()));
        }
        Some((id, data))
    }

    /// The document's snapshot and the entity of the mention under the cursor, if any.
    async fn entity_at(&self, pos: TextDocumentPositionParams) -> Option<(Snapshot, usize)> {
        let snap = self.snapshot(&pos.text_document.uri).await?;
        let offset = convert::offset(&snap.text, pos.position, snap.enc);
        let entity = hover::mention_at(&snap.analysis.mentions, offset)?.entity;
        Some((snap, entity))
    }

    /// The open document `uri` with an analysis of its current text (computed now if the
    /// background one has not finished).
    async fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let key = convert::path_of(uri);
        let (snap, gen) = {
            let st = self.lock();
            let doc = st.docs.get(&key)?;
            let folder = st.folder_of(&key);
            let snap = Snapshot {
                uri: doc.uri.clone(),
                text: doc.text.clone(),
                version: doc.version,
                analysis: doc.analysis.clone().unwrap_or_default(),
                engine: st.engine_for(&key),
                root: folder.map(|f| f.root.clone()),
                kb_paths: folder.map(|f| f.kb_paths.clone()).unwrap_or_default(),
                enc: st.encoding(),
                flags: st.flags,
            };
            (snap, doc.analysis.is_none().then_some(doc.generation))
        };
        let Some(gen) = gen else { return Some(snap) };
        let analysis = self.analyze(snap.engine.clone(), snap.text.clone()).await?;
        if let Some(doc) = self.lock().docs.get_mut(&key) {
            if doc.generation == gen {
                doc.analysis = Some(analysis.clone());
            }
        }
        Some(Snapshot { analysis, ..snap })
    }

    fn workspace_edit(
        &self,
        snap: &Snapshot,
        edits: &[crate::analysis::diagnostic::Edit],
    ) -> WorkspaceEdit {
        let text_edits: Vec<TextEdit> = edits
            .iter()
            .map(|e| TextEdit {
                range: convert::range(&snap.text, e.start, e.end, snap.enc),
                new_text: e.new_text.clone(),
            })
            .collect();
        if snap.flags.document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: snap.uri.clone(),
                        version: Some(snap.version),
                    },
                    edits: text_edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..Default::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some(HashMap::from([(snap.uri.clone(), text_edits)])),
                ..Default::default()
            }
        }
    }
}

impl Backend {
    /// The JSON array answering `textDocument/references`: the declaration when asked for,
    /// the open article's mentions from its fresh analysis, then every other article's from
    /// the index (see [`crate::workspace::index::Index::references`] for the order). Rendered
    /// straight to bytes: thousands of locations as `Value`s cost several times the rest.
    async fn render_references(&self, params: ReferenceParams) -> Option<Vec<u8>> {
        let (snap, entity) = self.entity_at(params.text_document_position).await?;
        let key = convert::path_of(&snap.uri);
        let mut out = Vec::with_capacity(1 << 16);
        let mut first = true;
        let mut push = |out: &mut Vec<u8>, uri: &str, range: Range| {
            out.push(if first { b'[' } else { b',' });
            first = false;
            convert::push_location(out, uri, range);
        };
        if params.context.include_declaration {
            if let Ok(Some((path, line))) = definition::locate(
                &snap.engine.kb,
                entity,
                &snap.kb_paths,
                snap.root.as_deref(),
            ) {
                if let Some(uri) = convert::uri_json(&path) {
                    let at = Position {
                        line: line as u32,
                        character: 0,
                    };
                    push(&mut out, &uri, Range { start: at, end: at });
                }
            }
        }
        if let Some(uri) = convert::uri_json_of(&snap.uri) {
            for m in snap.analysis.mentions.iter().filter(|m| m.entity == entity) {
                let range = convert::range(&snap.text, m.start, m.end, snap.enc);
                push(&mut out, &uri, range);
            }
        }
        {
            let st = self.lock();
            if let Some(f) = st.folder_of(&key) {
                for (article, hits) in f.index.references_by_article(entity) {
                    if article.path == key {
                        continue;
                    }
                    // Every article the server indexes has its link; this is a fallback.
                    let computed;
                    let uri = match &article.link {
                        Some(l) => l,
                        None => match convert::uri_json(&article.path) {
                            Some(l) => {
                                computed = l;
                                &computed
                            }
                            None => continue,
                        },
                    };
                    for hit in hits {
                        push(&mut out, uri, convert::hit_range(hit));
                    }
                }
            }
        }
        if first {
            out.push(b'[');
        }
        out.push(b']');
        Some(out)
    }
}

fn client_flags(caps: &ClientCapabilities) -> ClientFlags {
    let ws = caps.workspace.as_ref();
    ClientFlags {
        pull: caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some()),
        refresh: ws
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        document_changes: ws
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false),
        progress: caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        watch: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        hierarchical_symbols: caps
            .text_document
            .as_ref()
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            .unwrap_or(false),
        show_document: caps
            .window
            .as_ref()
            .and_then(|w| w.show_document.as_ref())
            .is_some_and(|s| s.support),
        inlay_refresh: ws
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        semantic_refresh: ws
            .and_then(|w| w.semantic_tokens.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
    }
}

fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .map(|f| convert::path_of(&f.uri))
        .filter(|p| p.is_absolute())
        .collect();
    if !folders.is_empty() {
        return folders;
    }
    #[allow(deprecated)]
    let root = params
        .root_uri
        .as_ref()
        .map(convert::path_of)
        .filter(|p| p.is_absolute());
    root.into_iter().collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = convert::negotiate(&params.capabilities);
        let flags = client_flags(&params.capabilities);
        let (settings, problems) = params
            .initialization_options
            .as_ref()
            .map(Settings::from_json)
            .unwrap_or_default();
        {
            let mut st = self.lock();
            st.encoding = Some(enc);
            st.flags = flags;
            st.settings = settings;
            st.load_folders(roots(&params));
        }
        for p in problems {
            self.client
                .log_message(MessageType::WARNING, format!("khabar: {p}"))
                .await;
        }
        let diagnostic_provider = flags.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("khabar".to_string()),
                inter_file_dependencies: false,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        });
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(enc)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            work_done_progress_options: WorkDoneProgressOptions::default(),
                            legend: semantic::legend(),
                            range: Some(true),
                            full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                        },
                    ),
                ),
                inlay_hint_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![
                        kb_action::COMMAND.to_string(),
                        curate::COMMAND.to_string(),
                        curate::STATUS_COMMAND.to_string(),
                    ],
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(kb_action::KIND),
                            CodeActionKind::new(curate::KIND),
                        ]),
                        ..Default::default()
                    },
                )),
                diagnostic_provider,
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "khabar".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.report_problems(BTreeMap::new()).await;
        self.start_indexing();
        if self.lock().flags.watch {
            let watchers: Vec<Value> = ["**/*.txt", "**/*.toml", "**/*.ann"]
                .iter()
                .map(|g| serde_json::json!({ "globPattern": g }))
                .collect();
            let registration = Registration {
                id: "khabar-watched-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: Some(serde_json::json!({ "watchers": watchers })),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                let msg = format!("khabar: could not watch the workspace's files: {e}");
                self.client.log_message(MessageType::WARNING, msg).await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let key = convert::path_of(&item.uri);
        self.remember_disk_text(&key);
        let gen = self.next_generation();
        self.lock().docs.insert(
            key.clone(),
            Doc {
                uri: item.uri,
                text: Document::new(&item.text),
                version: item.version,
                generation: gen,
                analysis: None,
                base: None,
                pending: Vec::new(),
                held_ann: None,
                tokens: None,
            },
        );
        self.refresh(key, gen).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let key = convert::path_of(&params.text_document.uri);
        let version = params.text_document.version;
        let gen = self.next_generation();
        let previous = {
            let mut st = self.lock();
            let enc = st.encoding();
            st.docs.get_mut(&key).map(|doc| {
                for change in &params.content_changes {
                    match change.range {
                        Some(range) if doc.base.is_some() => {
                            let (start, old_end) = convert::span(&doc.text, range, enc);
                            let new_len = change.text.chars().count();
                            if doc.pending.len() >= MAX_PENDING {
                                // Typing faster than full analyses finish: start afresh from
                                // the next one instead of moving findings through every key.
                                doc.base = None;
                                doc.pending.clear();
                            }
                            doc.pending.push((
                                gen,
                                Change {
                                    start,
                                    old_end,
                                    new_len,
                                },
                            ));
                        }
                        Some(_) => {}
                        None => {
                            doc.base = None;
                            doc.pending.clear();
                        }
                    }
                    if let (Some(range), Some(held)) = (change.range, doc.held_ann.as_mut()) {
                        let (start, old_end) = convert::span(&doc.text, range, enc);
                        move_annotations(held, start, old_end, change.text.chars().count());
                    }
                    convert::apply_change(&mut doc.text, change, enc);
                }
                let previous = doc.version;
                doc.version = version;
                doc.generation = gen;
                doc.analysis = None;
                previous
            })
        };
        self.changed.notify_waiters();
        let Some(previous) = previous else {
            let msg = format!(
                "khabar: change to a document that is not open: {}",
                params.text_document.uri.as_str()
            );
            self.client.log_message(MessageType::WARNING, msg).await;
            return;
        };
        if version <= previous {
            let msg = format!(
                "khabar: version {version} of {} does not increase (was {previous}); change applied",
                params.text_document.uri.as_str()
            );
            self.client.log_message(MessageType::WARNING, msg).await;
        }
        self.refresh(key, gen).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let key = convert::path_of(&params.text_document.uri);
        let held = self
            .lock()
            .docs
            .get_mut(&key)
            .and_then(|d| d.held_ann.take());
        if let Some(ann) = held {
            let path = crate::workspace::ann::ann_path(&key);
            if let Err(e) = crate::workspace::ann::write_atomic(&path, ann.serialize().as_bytes()) {
                let msg = format!("khabar: could not write {}: {e}", path.display());
                self.client.show_message(MessageType::ERROR, msg).await;
            }
            self.remember_disk_text(&key);
        } else {
            // The saved text may have moved what the `.ann` on disk points at.
            self.reanchor_on_disk(&key).await;
        }
        let affects_config = self.lock().folders.iter().any(|f| f.is_setup_file(&key));
        if affects_config {
            self.reload().await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let key = convert::path_of(&params.text_document.uri);
        let (pull, closed) = {
            let mut st = self.lock();
            let closed = st.docs.remove(&key);
            (st.flags.pull, closed)
        };
        // Decisions held for a buffer closed without saving refer to text that never reached
        // the disk: find them again in the file, write those found, report the rest.
        if let Some(doc) = closed {
            if let Some(held) = doc.held_ann {
                self.write_held_after_close(&key, held, &doc.text.text())
                    .await;
            }
        }
        self.index_file(key).await;
        if !pull {
            let _order = self.publish.lock().await;
            self.push_diagnostics(params.text_document.uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Neovim sends `{}` (its default `settings`) right after initializing: that is no new
        // setting, and must not undo the initialization options.
        if !Settings::mentioned_in(&params.settings) {
            return;
        }
        let (settings, problems) = Settings::from_json(&params.settings);
        for p in problems {
            self.client
                .log_message(MessageType::WARNING, format!("khabar: {p}"))
                .await;
        }
        let changed = {
            let mut st = self.lock();
            let changed = st.settings != settings;
            st.settings = settings;
            changed
        };
        if changed {
            self.reload().await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri).await else {
            return Ok(None);
        };
        let offset = convert::offset(&snap.text, pos.position, snap.enc);
        let text = snap.text.text();
        let key = convert::path_of(&snap.uri);
        let corpus = |entity: usize| {
            let st = self.lock();
            let f = st.folder_of(&key)?;
            let mut cursor = crate::analysis::text::CharCursor::new(&text);
            let fresh: Vec<(usize, &str)> = snap
                .analysis
                .mentions
                .iter()
                .map(|m| (m.entity, cursor.slice(m.start, m.end)))
                .collect();
            Some(
                f.index
                    .stats(entity, hover::CORPUS_TOP, Some((&key, &fresh))),
            )
        };
        let found = hover::hover(&snap.engine.kb, &snap.analysis, &text, offset, &corpus);
        let curated = curate::hover_part(&self.ann_states(&key), &snap.engine.kb, offset);
        let found = match (found, curated) {
            (Some((v, s, e)), Some((c, _, _))) => Some((format!("{c}\n\n---\n\n{v}"), s, e)),
            (None, c) => c,
            (f, None) => f,
        };
        Ok(found.map(|(value, start, end)| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(convert::range(&snap.text, start, end, snap.enc)),
        }))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let Some((snap, entity)) = self.entity_at(params.text_document_position_params).await
        else {
            return Ok(None);
        };
        let target = match definition::locate(
            &snap.engine.kb,
            entity,
            &snap.kb_paths,
            snap.root.as_deref(),
        ) {
            Ok(t) => t,
            Err(e) => {
                let msg = format!("khabar: could not write the embedded knowledge base: {e}");
                self.client.log_message(MessageType::ERROR, msg).await;
                return Ok(None);
            }
        };
        let Some((path, line)) = target else {
            return Ok(None);
        };
        let Some(uri) = convert::uri_of(&path) else {
            return Ok(None);
        };
        let at = Position {
            line: line as u32,
            character: 0,
        };
        Ok(Some(GotoDefinitionResponse::Scalar(Location {
            uri,
            range: Range { start: at, end: at },
        })))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let Some((snap, entity)) = self.entity_at(params.text_document_position_params).await
        else {
            return Ok(None);
        };
        let highlights = snap
            .analysis
            .mentions
            .iter()
            .filter(|o| o.entity == entity)
            .map(|o| DocumentHighlight {
                range: convert::range(&snap.text, o.start, o.end, snap.enc),
                kind: Some(DocumentHighlightKind::TEXT),
            })
            .collect();
        Ok(Some(highlights))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let Some(result) = self.render_references(params).await else {
            return Ok(None);
        };
        match prerendered::offer(result) {
            Ok(()) => Ok(None),
            Err(result) => serde_json::from_slice(&result)
                .map(Some)
                .map_err(|e| Error {
                    code: ErrorCode::InternalError,
                    message: format!("khabar: rendering references: {e}").into(),
                    data: None,
                }),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let text = snap.text.text();
        let tree =
            symbols::document_symbols(&snap.text, &text, &snap.analysis, &snap.engine.kb, snap.enc);
        Ok(Some(if snap.flags.hierarchical_symbols {
            DocumentSymbolResponse::Nested(tree)
        } else {
            DocumentSymbolResponse::Flat(symbols::flatten(&snap.uri, tree))
        }))
    }

    #[allow(deprecated)]
    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        /// Enough for any real query; an empty one lists the KB up to this.
        const LIMIT: usize = 200;
        // Each folder's KB, with what locating an entry needs; the embedded KB when there is
        // no folder.
        let sources: Vec<SymbolSource> = {
            let st = self.lock();
            let mut v: Vec<_> = st
                .folders
                .iter()
                .map(|f| {
                    let counts = (0..f.engine.kb.entities.len())
                        .map(|e| f.index.article_count(e))
                        .collect();
                    (
                        f.engine.clone(),
                        f.kb_paths.clone(),
                        Some(f.root.clone()),
                        counts,
                    )
                })
                .collect();
            if v.is_empty() {
                v.push((
                    st.engine_for(std::path::Path::new("")),
                    Vec::new(),
                    None,
                    Vec::new(),
                ));
            }
            v
        };
        let mut found: Vec<(u8, String, SymbolInformation)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (engine, kb_paths, root, counts) in &sources {
            for (i, entity) in engine.kb.entities.iter().enumerate() {
                let Some(score) = symbols::score(&params.query, entity) else {
                    continue;
                };
                if !seen.insert(entity.id.clone()) {
                    continue;
                }
                let Ok(Some((path, line))) =
                    definition::locate(&engine.kb, i, kb_paths, root.as_deref())
                else {
                    continue;
                };
                let Some(uri) = convert::uri_of(&path) else {
                    continue;
                };
                let at = Position {
                    line: line as u32,
                    character: 0,
                };
                let articles = counts.get(i).copied().unwrap_or(0);
                let label = entity
                    .labels
                    .ar
                    .as_deref()
                    .or(entity.labels.fa.as_deref())
                    .filter(|l| *l != entity.display_name());
                let name = match label {
                    Some(l) => format!("{} ({l})", entity.display_name()),
                    None => entity.display_name().to_string(),
                };
                let container = match articles {
                    0 => entity.kind.as_str().to_string(),
                    1 => format!("{} · 1 article", entity.kind.as_str()),
                    n => format!("{} · {n} articles", entity.kind.as_str()),
                };
                found.push((
                    score,
                    name.clone(),
                    SymbolInformation {
                        name,
                        kind: symbols::symbol_kind(entity.kind),
                        tags: None,
                        deprecated: None,
                        location: Location {
                            uri,
                            range: Range { start: at, end: at },
                        },
                        container_name: Some(container),
                    },
                ));
            }
        }
        found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        found.truncate(LIMIT);
        Ok(Some(WorkspaceSymbolResponse::Flat(
            found.into_iter().map(|(_, _, s)| s).collect(),
        )))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(self
            .full_tokens(&params.text_document.uri)
            .await
            .map(|(id, data)| {
                SemanticTokensResult::Tokens(SemanticTokens {
                    result_id: Some(id),
                    data,
                })
            }))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let previous = self
            .lock()
            .docs
            .get(&convert::path_of(&uri))
            .and_then(|d| d.tokens.clone())
            .filter(|(id, _)| *id == params.previous_result_id);
        let Some((id, data)) = self.full_tokens(&uri).await else {
            return Ok(None);
        };
        Ok(Some(match previous {
            Some((_, old)) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                result_id: Some(id),
                edits: semantic::delta(&old, &data),
            }),
            None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                result_id: Some(id),
                data,
            }),
        }))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let span = convert::span(&snap.text, params.range, snap.enc);
        let curated = self.curated_spans(&convert::path_of(&params.text_document.uri));
        let data = semantic::tokens(
            &snap.text,
            &snap.analysis.mentions,
            &snap.engine.kb,
            snap.enc,
            Some(span),
            &curated,
        );
        Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        if !self.lock().settings.inlay_hints {
            return Ok(Some(Vec::new()));
        }
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let span = convert::span(&snap.text, params.range, snap.enc);
        let text = snap.text.text();
        Ok(Some(semantic::inlay_hints(
            &snap.text,
            &text,
            &snap.analysis.mentions,
            &snap.engine.kb,
            snap.enc,
            span,
        )))
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut setup_changed = false;
        let mut articles = Vec::new();
        {
            let st = self.lock();
            for change in &params.changes {
                let path = convert::path_of(&change.uri);
                if st.folders.iter().any(|f| f.is_setup_file(&path)) {
                    setup_changed = true;
                } else if st.folder_of(&path).is_some() {
                    articles.push(path);
                }
            }
        }
        if setup_changed {
            // A new KB or configuration changes every article's mentions: reload and re-index.
            self.reload().await;
            return;
        }
        for path in articles {
            self.reanchor_file(&path).await;
            self.index_file(path).await;
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        // `only` names kinds by prefix: "refactor" asks for "refactor.khabar…" too.
        let wanted = |kind: &str| {
            params
                .context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
        };
        let (fixes, additions, curation) = (
            wanted(CodeActionKind::QUICKFIX.as_str()),
            wanted(kb_action::KIND),
            wanted(curate::KIND),
        );
        if !fixes && !additions && !curation {
            return Ok(None);
        }
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let (start, end) = convert::span(&snap.text, params.range, snap.enc);
        let ds = &snap.analysis.diagnostics;
        let plans = if fixes {
            actions::plan(ds, start, end)
        } else {
            Vec::new()
        };
        let mut actions: Vec<CodeActionOrCommand> = plans
            .into_iter()
            .map(|plan| {
                let fixed = plan
                    .fixes
                    .iter()
                    .filter_map(|&i| ds.get(i))
                    .map(|d| diagnostics::to_lsp(&snap.text, &snap.uri, d, snap.enc))
                    .collect();
                CodeActionOrCommand::CodeAction(CodeAction {
                    title: plan.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(fixed),
                    edit: Some(self.workspace_edit(&snap, &plan.edits)),
                    is_preferred: plan.preferred.then_some(true),
                    ..Default::default()
                })
            })
            .collect();
        if curation && convert::path_of(&snap.uri).is_absolute() {
            let text = snap.text.text();
            let in_folder = self
                .lock()
                .folder_of(&convert::path_of(&snap.uri))
                .is_some();
            let stale: Vec<crate::analysis::curation::State> = {
                let states = self.ann_states(&convert::path_of(&snap.uri));
                let chars: Vec<char> = text.chars().collect();
                states
                    .into_iter()
                    .filter(|s| {
                        chars
                            .get(s.start..s.end)
                            .map(|c| c.iter().collect::<String>())
                            != Some(s.text.clone())
                    })
                    .collect()
            };
            let offers = curate::offers(
                snap.uri.as_str(),
                &text,
                &snap.analysis,
                &snap.engine.kb,
                (start, end),
                in_folder,
                &stale,
            );
            actions.extend(offers.into_iter().map(|o| {
                command_action(o.title, curate::KIND, curate::COMMAND, &o.args, o.preferred)
            }));
        }
        if additions
            && self
                .lock()
                .folder_of(&convert::path_of(&snap.uri))
                .is_some()
        {
            let text = snap.text.text();
            let offers = kb_action::offers(
                snap.uri.as_str(),
                &text,
                &snap.analysis,
                &snap.engine.kb,
                &snap.engine.config,
                (start, end),
            );
            actions.extend(offers.into_iter().map(|o| {
                command_action(
                    o.title,
                    kb_action::KIND,
                    kb_action::COMMAND,
                    &o.args,
                    o.preferred,
                )
            }));
        }
        Ok(Some(actions))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command == curate::STATUS_COMMAND {
            return Ok(Some(self.curation_status()));
        }
        if params.command == curate::COMMAND {
            let args: curate::AnnotateArgs = params
                .arguments
                .into_iter()
                .next()
                .and_then(|v| serde_json::from_value(v).ok())
                .ok_or_else(|| {
                    Error::invalid_params("expected one argument {uri, start, end, text, op}")
                })?;
            return self.annotate(args).await;
        }
        if params.command != kb_action::COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let args: kb_action::AddArgs = params
            .arguments
            .into_iter()
            .next()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                Error::invalid_params("expected one argument {uri, name, kind, lang}")
            })?;
        let Ok(uri) = args.uri.parse::<Uri>() else {
            return Err(Error::invalid_params("`uri` is not a URI"));
        };
        let key = convert::path_of(&uri);
        let written = {
            let st = self.lock();
            let Some(f) = st.folder_of(&key) else {
                return Err(Error::invalid_params(
                    "the article is outside every workspace folder",
                ));
            };
            let origin = crate::workspace::display_rel(&f.root, &key);
            let new = crate::workspace::kb_write::NewEntity {
                name: args.name.trim(),
                kind: args.kind,
                lang: &args.lang,
                origin: &origin,
            };
            crate::workspace::kb_write::add_entity(&f.root, &f.kb_paths, &f.engine.kb, &new)
        };
        match written {
            Ok((path, id)) => {
                self.reload().await;
                Ok(Some(serde_json::json!({ "id": id, "path": path })))
            }
            Err(e) => {
                let msg = format!("khabar: could not add «{}»: {e}", args.name);
                self.client
                    .show_message(MessageType::ERROR, msg.clone())
                    .await;
                Err(Error::invalid_params(msg))
            }
        }
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let previous: HashMap<PathBuf, String> = params
            .previous_result_ids
            .into_iter()
            .map(|p| (convert::path_of(&p.uri), p.value))
            .collect();
        // Open articles answer from their buffers; every other indexed article from disk.
        let (open, files, problems, epoch, enc) = {
            let st = self.lock();
            let open: Vec<Uri> = st.docs.values().map(|d| d.uri.clone()).collect();
            let files: Vec<(Arc<Engine>, PathBuf)> = st
                .folders
                .iter()
                .flat_map(|f| {
                    f.index
                        .paths()
                        .into_iter()
                        .filter(|p| !st.docs.contains_key(*p))
                        .map(|p| (f.engine.clone(), p.to_path_buf()))
                        .collect::<Vec<_>>()
                })
                .collect();
            (open, files, st.problems(), st.index_epoch, st.encoding())
        };
        let mut items = Vec::new();
        for uri in open {
            if let Some(snap) = self.snapshot(&uri).await {
                let diags =
                    diagnostics::all_to_lsp(&snap.text, &snap.uri, &snap.analysis.diagnostics, enc);
                items.push(diagnostics::full_report(
                    snap.uri.clone(),
                    Some(i64::from(snap.version)),
                    diags,
                    None,
                ));
            }
        }
        for (path, ps) in &problems {
            if let Some(uri) = convert::uri_of(path) {
                let diags = ps.iter().map(diagnostics::problem_to_lsp).collect();
                items.push(diagnostics::full_report(uri, None, diags, None));
            }
        }
        let reports = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            files
                .par_iter()
                .filter_map(|(engine, path)| {
                    let prev = previous.get(path).map(String::as_str);
                    diagnostics::file_report(engine, path, epoch, enc, prev)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        items.extend(reports);
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let full = |items: Vec<Diagnostic>, result_id: Option<String>| {
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id,
                        items,
                    },
                },
            ))
        };
        let key = convert::path_of(&uri);
        let problems = self.lock().problems().remove(&key).unwrap_or_default();
        let mut items: Vec<Diagnostic> = problems.iter().map(diagnostics::problem_to_lsp).collect();
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(full(items, None));
        };
        items.extend(diagnostics::all_to_lsp(
            &snap.text,
            &snap.uri,
            &snap.analysis.diagnostics,
            snap.enc,
        ));
        let mut stale = self.stale_findings(&key, &snap.text);
        stale.extend(self.uncurated_hints(&key, &snap.analysis));
        items.extend(diagnostics::all_to_lsp(
            &snap.text, &snap.uri, &stale, snap.enc,
        ));
        Ok(full(items, None))
    }
}
