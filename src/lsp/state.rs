//! What the server knows: workspace folders with their corpus, the open articles, the editor's
//! settings and what the client can do.
//!
//! Everything here is synchronous and lives behind one `std::sync::Mutex` in the backend,
//! locked only between `.await`s. Documents are keyed by decoded path (see
//! [`convert::path_of`](super::convert::path_of)).

use crate::analysis::config::{Config, Level};
use crate::analysis::error::SourceError;
use crate::analysis::text::{Document, Encoding};
use crate::analysis::{rules, Analysis, Engine};
use crate::workspace::files::Filter;
use crate::workspace::index::Index;
use crate::workspace::{self, Corpus, LoadError, CONFIG_FILE};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;

/// Editor settings (`initializationOptions` or `settings.khabar`). They fill in only what
/// `khabar.toml` leaves unset.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub rules: BTreeMap<String, Level>,
    /// Inlay hints with the English label after mentions.
    pub inlay_hints: bool,
    /// Mentions nobody has accepted or rejected yet, shown as hints.
    pub curation_hints: bool,
    /// The curator's name, recorded with each decision (`Annotator` attributes).
    pub annotator: Option<String>,
    /// Enables the test-only `khabar/panic` request.
    pub test_panic: bool,
}

impl Settings {
    /// Whether `value` carries khabar settings at all (`{"khabar": ...}` or one of its keys).
    pub fn mentioned_in(value: &Value) -> bool {
        value.get("khabar").is_some()
            || [
                "rules",
                "inlayHints",
                "curationHints",
                "annotator",
                "testPanic",
            ]
            .iter()
            .any(|k| value.get(k).is_some())
    }

    /// Reads settings from `{"khabar": {...}}` or the object itself; returns the problems
    /// found (unknown rules, bad severities) beside what could be used.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let obj = value.get("khabar").unwrap_or(value);
        let mut s = Settings::default();
        let mut problems = Vec::new();
        if let Some(rules_obj) = obj.get("rules").and_then(Value::as_object) {
            let known = rules::ids();
            for (id, level) in rules_obj {
                if !known.contains(&id.as_str()) {
                    problems.push(format!("unknown rule `{id}` in the editor settings"));
                    continue;
                }
                match serde_json::from_value::<Level>(level.clone()) {
                    Ok(l) => {
                        s.rules.insert(id.clone(), l);
                    }
                    Err(_) => problems.push(format!(
                        "rule `{id}`: severity must be one of off, hint, info, warning, error"
                    )),
                }
            }
        }
        s.inlay_hints = obj
            .get("inlayHints")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        s.curation_hints = obj
            .get("curationHints")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        s.annotator = obj
            .get("annotator")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        s.test_panic = obj
            .get("testPanic")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        (s, problems)
    }
}

/// A problem in a workspace's own files (`khabar.toml`, a KB): shown to the user and reported
/// as a diagnostic on that file. Line and column are 0-based code points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A workspace folder and how to analyse its articles.
#[derive(Debug)]
pub struct Folder {
    pub root: PathBuf,
    pub engine: Arc<Engine>,
    /// Workspace KB files in merge order: `kb.files[i]` is `kb_paths[i - 1]` (file 0 is the
    /// embedded KB).
    pub kb_paths: Vec<PathBuf>,
    pub problems: Vec<Problem>,
    /// Every article of the folder, from disk or from its open buffer.
    pub index: Index,
}

impl Folder {
    /// Loads `khabar.toml` and the KBs it names, never failing: a broken file becomes a
    /// [`Problem`] and the folder falls back to what could be read. Nothing outside `root` is
    /// read (a KB path that leads out of it is a problem, not a read).
    pub fn load(root: &Path, settings: &Settings, enc: Encoding) -> Folder {
        let root = super::convert::normalize(root);
        let mut problems = Vec::new();
        let config_path = root.join(CONFIG_FILE);
        let mut config_text = String::new();
        let (mut config, used_path) = if config_path.is_file() {
            match workspace::read_text(&config_path) {
                Ok(text) => {
                    let parsed = Config::parse(CONFIG_FILE, &text, &rules::ids());
                    config_text = text;
                    match parsed {
                        Ok(c) => (c, Some(config_path.clone())),
                        Err(e) => {
                            problems.push(source_problem(&root, &e));
                            (Config::default(), Some(config_path.clone()))
                        }
                    }
                }
                Err(e) => {
                    problems.push(load_problem(&root, &config_path, &e));
                    (Config::default(), None)
                }
            }
        } else {
            (Config::default(), None)
        };
        for (id, level) in &settings.rules {
            config.rules.entry(id.clone()).or_insert(*level);
        }
        let kb = std::mem::take(&mut config.kb);
        for rel in kb {
            if inside(&root, &root.join(&rel)) {
                config.kb.push(rel);
            } else {
                let (line, column) = locate(&config_text, &rel);
                problems.push(Problem {
                    path: config_path.clone(),
                    line,
                    column,
                    message: format!(
                        "knowledge base `{rel}` is outside the workspace folder, so it is not read"
                    ),
                });
            }
        }
        let corpus = match Corpus::with_config(root.clone(), config.clone(), used_path.clone()) {
            Ok(c) => c,
            Err(e) => {
                problems.push(load_problem(&root, &config_path, &e));
                let mut without_kbs = config;
                without_kbs.kb.clear();
                Corpus {
                    root: root.clone(),
                    config_path: used_path,
                    engine: Engine::new(crate::analysis::kb::Kb::embedded(), without_kbs),
                    kb_paths: Vec::new(),
                }
            }
        };
        let Corpus {
            engine, kb_paths, ..
        } = corpus;
        Folder {
            root,
            engine: Arc::new(engine),
            kb_paths,
            problems,
            index: Index::new(enc),
        }
    }

    /// Whether `path` is one of this folder's articles by its include and exclude globs.
    pub fn is_article(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
            && Filter::new(&self.engine.config, CONFIG_FILE)
                .is_ok_and(|f| f.accepts(&workspace::display_rel(&self.root, path)))
    }

    /// Whether `path` is this folder's `khabar.toml` or one of its KBs: a change to it changes
    /// how every article is read.
    pub fn is_setup_file(&self, path: &Path) -> bool {
        path == self.root.join(CONFIG_FILE) || self.kb_paths.iter().any(|p| p == path)
    }
}

/// Whether `path` stays inside `root`, lexically and (when it exists) after resolving links.
fn inside(root: &Path, path: &Path) -> bool {
    let lexical = super::convert::normalize(path);
    if !lexical.starts_with(root) {
        return false;
    }
    match (std::fs::canonicalize(root), std::fs::canonicalize(&lexical)) {
        (Ok(r), Ok(p)) => p.starts_with(r),
        _ => true,
    }
}

/// 0-based line and column of the first occurrence of `needle` in `text`, else the start.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    let Some(byte) = text.find(needle) else {
        return (0, 0);
    };
    let before = &text[..byte];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap_or("").chars().count();
    (line, col)
}

fn source_problem(root: &Path, e: &SourceError) -> Problem {
    Problem {
        path: root.join(&e.file),
        line: e.line.saturating_sub(1),
        column: e.column.saturating_sub(1),
        message: e.message.clone(),
    }
}

fn load_problem(root: &Path, config_path: &Path, e: &LoadError) -> Problem {
    match e {
        LoadError::Source(s) => source_problem(root, s),
        LoadError::Io { .. } => Problem {
            path: config_path.to_path_buf(),
            line: 0,
            column: 0,
            message: e.to_string(),
        },
    }
}

/// An open article.
#[derive(Clone, Debug)]
pub struct Doc {
    pub uri: Uri,
    pub text: Document,
    /// The client's version, as last sent.
    pub version: i32,
    /// Bumped on every change: results computed for an older generation are dropped.
    pub generation: u64,
    /// The analysis of the current generation, once computed.
    pub analysis: Option<Arc<Analysis>>,
    /// The last full analysis, kept while the text changes, and the changes made since (with
    /// the generation each produced): what the quick re-check after an edit starts from.
    /// `None` after a whole-text replacement, which leaves nothing to move.
    pub base: Option<Arc<Analysis>>,
    pub pending: Vec<(u64, crate::analysis::incremental::Change)>,
    /// Curation decisions made while the buffer had unsaved changes: the `.ann` to write when
    /// it is saved (offsets in the buffer's text, moved with its edits).
    pub held_ann: Option<crate::analysis::ann::AnnFile>,
    /// The semantic tokens last sent and their result id, for deltas.
    pub tokens: Option<(String, Vec<tower_lsp_server::ls_types::SemanticToken>)>,
}

/// What the client declared it can do.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFlags {
    /// Pull diagnostics (`textDocument/diagnostic`): then nothing is pushed.
    pub pull: bool,
    pub refresh: bool,
    pub document_changes: bool,
    /// Server-initiated `$/progress` (`window.workDoneProgress`).
    pub progress: bool,
    /// Dynamic registration of `workspace/didChangeWatchedFiles`.
    pub watch: bool,
    /// `DocumentSymbol` trees rather than flat `SymbolInformation`.
    pub hierarchical_symbols: bool,
    pub inlay_refresh: bool,
    /// `window/showDocument` (LSP 3.16; Neovim 0.7 lacks it).
    pub show_document: bool,
    pub semantic_refresh: bool,
}

#[derive(Debug, Default)]
pub struct State {
    pub folders: Vec<Folder>,
    pub docs: HashMap<PathBuf, Doc>,
    pub settings: Settings,
    pub encoding: Option<Encoding>,
    pub flags: ClientFlags,
    /// Embedded KB and default configuration plus the editor's rules: for articles outside
    /// every folder.
    pub fallback: Option<Arc<Engine>>,
    /// Bumped whenever the folders are (re)loaded: an indexing run for an older epoch stops.
    pub index_epoch: u64,
    /// The progress token of the indexing run and its cancellation flag.
    pub index_cancel: Option<(String, Arc<std::sync::atomic::AtomicBool>)>,
    /// The text last seen on disk of each article that has a `.ann`: when the file then
    /// changes, its annotations are found again with the context they had in it.
    pub ann_texts: HashMap<PathBuf, String>,
}

impl State {
    pub fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    /// (Re)loads every folder and the fallback engine with the current settings.
    pub fn load_folders(&mut self, roots: Vec<PathBuf>) {
        let enc = self.encoding();
        self.folders = roots
            .iter()
            .map(|r| Folder::load(r, &self.settings, enc))
            .collect();
        self.index_epoch += 1;
        // Longest root first, so that nested folders win.
        self.folders
            .sort_by_key(|f| std::cmp::Reverse(f.root.as_os_str().len()));
        let config = Config {
            rules: self.settings.rules.clone(),
            ..Config::default()
        };
        self.fallback = Some(Arc::new(Engine::new(
            crate::analysis::kb::Kb::embedded(),
            config,
        )));
    }

    pub fn reload(&mut self) {
        let roots = self.folders.iter().map(|f| f.root.clone()).collect();
        self.load_folders(roots);
    }

    pub fn folder_of(&self, path: &Path) -> Option<&Folder> {
        self.folders.iter().find(|f| path.starts_with(&f.root))
    }

    pub fn folder_of_mut(&mut self, path: &Path) -> Option<&mut Folder> {
        self.folders.iter_mut().find(|f| path.starts_with(&f.root))
    }

    pub fn engine_for(&self, path: &Path) -> Arc<Engine> {
        match self.folder_of(path) {
            Some(f) => f.engine.clone(),
            None => self
                .fallback
                .clone()
                .unwrap_or_else(|| Arc::new(Engine::embedded())),
        }
    }

    /// Every problem of every folder, grouped by file.
    pub fn problems(&self) -> BTreeMap<PathBuf, Vec<Problem>> {
        let mut out: BTreeMap<PathBuf, Vec<Problem>> = BTreeMap::new();
        for f in &self.folders {
            for p in &f.problems {
                out.entry(p.path.clone()).or_default().push(p.clone());
            }
        }
        out
    }
}
