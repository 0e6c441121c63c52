//! The background indexing run: every article of every workspace folder, read and matched on
//! the blocking pool in chunks, reported with `$/progress` and cancellable.
//!
//! Requests answer from what is indexed so far, so the run takes the state's lock only to
//! insert a finished chunk. An open buffer's text wins over the file: its entry comes from
//! the buffer's own analysis and the run leaves it alone. A reload of the folders (a KB or
//! `khabar.toml` changed) bumps the epoch, and a run of an older epoch stops at its next chunk.

use super::state::State;
use crate::analysis::text::Encoding;
use crate::analysis::Engine;
use crate::workspace::files::{self, Filter};
use crate::workspace::index::Entry;
use crate::workspace::CONFIG_FILE;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tower_lsp_server::ls_types::{MessageType, NumberOrString};
use tower_lsp_server::Client;

/// Articles read and matched per trip to the blocking pool: large enough to keep both cores
/// busy, small enough that progress and cancellation stay prompt.
const CHUNK: usize = 512;

static RUNS: AtomicU64 = AtomicU64::new(0);

struct Job {
    root: PathBuf,
    engine: Arc<Engine>,
    paths: Vec<PathBuf>,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The articles of every folder as the state is now, and the epoch they belong to.
fn plan(state: &Mutex<State>) -> (u64, Encoding, Vec<(PathBuf, Arc<Engine>)>) {
    let st = lock(state);
    let folders = st
        .folders
        .iter()
        .map(|f| (f.root.clone(), f.engine.clone()))
        .collect();
    (st.index_epoch, st.encoding(), folders)
}

fn discover(folders: Vec<(PathBuf, Arc<Engine>)>) -> Vec<Job> {
    folders
        .into_iter()
        .map(|(root, engine)| {
            let paths = match Filter::new(&engine.config, CONFIG_FILE) {
                Ok(filter) => {
                    let (paths, _errors) =
                        files::discover(&root, std::slice::from_ref(&root), &filter);
                    paths.iter().map(|p| super::convert::normalize(p)).collect()
                }
                Err(_) => Vec::new(),
            };
            Job {
                root,
                engine,
                paths,
            }
        })
        .collect()
}

/// Indexes every folder of the current epoch. `progress`: whether the client takes
/// server-initiated progress (`window.workDoneProgress`).
pub async fn run(client: Client, state: Arc<Mutex<State>>, progress: bool) {
    let started = std::time::Instant::now();
    let (epoch, enc, folders) = plan(&state);
    let jobs = match tokio::task::spawn_blocking(move || discover(folders)).await {
        Ok(jobs) => jobs,
        Err(_) => return,
    };
    let total: usize = jobs.iter().map(|j| j.paths.len()).sum();
    let cancel = Arc::new(AtomicBool::new(false));
    let token = format!("khabar/index/{}", RUNS.fetch_add(1, Ordering::Relaxed) + 1);
    lock(&state).index_cancel = Some((token.clone(), cancel.clone()));
    let token = NumberOrString::String(token);
    let ongoing = if progress
        && client
            .create_work_done_progress(token.clone())
            .await
            .is_ok()
    {
        Some(
            client
                .progress(token, "Indexing articles")
                .with_message(format!("0/{total} articles"))
                .with_percentage(0)
                .with_cancel_button()
                .begin()
                .await,
        )
    } else {
        None
    };
    let mut done = 0;
    let mut stopped = None;
    'jobs: for job in jobs {
        for chunk in job.paths.chunks(CHUNK) {
            if cancel.load(Ordering::Relaxed) {
                stopped = Some("cancelled");
                break 'jobs;
            }
            if lock(&state).index_epoch != epoch {
                stopped = Some("superseded");
                break 'jobs;
            }
            let (engine, chunk) = (job.engine.clone(), chunk.to_vec());
            let entries = tokio::task::spawn_blocking(move || {
                chunk
                    .into_par_iter()
                    .map(|p| {
                        let e = Entry::read(&engine, &p, enc)
                            .ok()
                            .map(|e| e.with_link(super::convert::uri_json(&p)));
                        (p, e)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            done += entries.len();
            {
                let mut st = lock(&state);
                if st.index_epoch != epoch {
                    stopped = Some("superseded");
                    break 'jobs;
                }
                let open: Vec<bool> = entries
                    .iter()
                    .map(|(p, _)| st.docs.contains_key(p))
                    .collect();
                let Some(folder) = st.folders.iter_mut().find(|f| f.root == job.root) else {
                    continue;
                };
                for ((path, entry), open) in entries.into_iter().zip(open) {
                    match entry {
                        _ if open => {}
                        Some(e) => folder.index.insert(path, e),
                        // An unreadable file (not UTF-8, binary) names nobody, but stays an
                        // article so that workspace diagnostics report why.
                        None => folder.index.insert(path, Entry::default()),
                    }
                }
            }
            if let Some(p) = &ongoing {
                let pct = (done * 100).checked_div(total).unwrap_or(100) as u32;
                p.report_with_message(format!("{done}/{total} articles"), pct, Some(true))
                    .await;
            }
        }
    }
    let summary = match stopped {
        Some(why) => format!("{why} after {done}/{total} articles"),
        None => format!("{total} articles in {} ms", started.elapsed().as_millis()),
    };
    if let Some(p) = ongoing {
        p.finish_with_message(summary.clone()).await;
    }
    client
        .log_message(MessageType::INFO, format!("khabar: indexed {summary}"))
        .await;
}

/// `window/workDoneProgress/cancel`: stops the indexing run that owns `token`.
pub fn cancel(state: &Mutex<State>, token: &NumberOrString) {
    let st = lock(state);
    if let Some((t, flag)) = &st.index_cancel {
        if matches!(token, NumberOrString::String(s) if s == t) {
            flag.store(true, Ordering::Relaxed);
        }
    }
}
