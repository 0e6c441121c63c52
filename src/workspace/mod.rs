//! A corpus on disk: its root, its `khabar.toml`, its knowledge bases and its articles.
//!
//! This is the layer that does I/O for the core. Paths it reports are relative to the corpus
//! root with `/`, the form every output contract uses.

pub mod ann;
pub mod files;
pub mod index;
pub mod kb_write;
pub mod siblings;

use crate::analysis::config::Config;
use crate::analysis::error::SourceError;
use crate::analysis::kb::{parse_kb, Kb};
use crate::analysis::{rules, Engine};
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const CONFIG_FILE: &str = "khabar.toml";

/// Why a corpus or one of its files could not be read.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl LoadError {
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        LoadError::Io {
            path: path.display().to_string(),
            message,
        }
    }
}

/// A corpus: where it is rooted and how to analyse it.
#[derive(Clone, Debug)]
pub struct Corpus {
    pub root: PathBuf,
    /// The `khabar.toml` in use, if any.
    pub config_path: Option<PathBuf>,
    pub engine: Engine,
    /// Workspace KB files in merge order (absolute), for watchers and go-to-definition.
    pub kb_paths: Vec<PathBuf>,
}

/// The nearest folder at or above `start` holding a `khabar.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    let mut dir = std::path::absolute(start).ok()?;
    loop {
        if dir.join(CONFIG_FILE).is_file() {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

impl Corpus {
    /// Loads the corpus rooted at `root`: its `khabar.toml` when there is one, and the KBs it
    /// names merged into the embedded one.
    pub fn load(root: &Path) -> Result<Corpus, LoadError> {
        let root = std::path::absolute(root).map_err(|e| LoadError::io(root, &e))?;
        let config_path = root.join(CONFIG_FILE);
        let (config, config_path) = if config_path.is_file() {
            let text = read_text(&config_path)?;
            let cfg = Config::parse(&display_rel(&root, &config_path), &text, &rules::ids())?;
            (cfg, Some(config_path))
        } else {
            (Config::default(), None)
        };
        Corpus::with_config(root, config, config_path)
    }

    /// Builds the corpus for an already parsed configuration (the server merges editor settings
    /// into it first).
    pub fn with_config(
        root: PathBuf,
        config: Config,
        config_path: Option<PathBuf>,
    ) -> Result<Corpus, LoadError> {
        let mut kb = Kb::embedded();
        let mut kb_paths = Vec::new();
        for rel in &config.kb {
            let path = root.join(rel);
            let text = read_text(&path)?;
            let name = display_rel(&root, &path);
            let raw = parse_kb(&name, &text)?;
            kb.merge(raw, &name, false)?;
            kb_paths.push(path);
        }
        Ok(Corpus {
            root,
            config_path,
            engine: Engine::new(kb, config),
            kb_paths,
        })
    }

    /// `path` relative to the root with `/`, or as given when it is outside.
    pub fn rel(&self, path: &Path) -> String {
        display_rel(&self.root, path)
    }
}

/// `path` relative to `root` with `/` separators; the absolute path when it is outside.
pub fn display_rel(root: &Path, path: &Path) -> String {
    plain_rel(root, path).unwrap_or_else(|| general_rel(root, path))
}

fn general_rel(root: &Path, path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match abs.strip_prefix(root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// [`display_rel`] for the common case, an absolute path with nothing to normalise under a
/// root that has nothing to normalise either: string slicing instead of `std::path::absolute`
/// and a walk over components, which together cost as much per file as reading it. `None`
/// leaves every other case to the general path.
fn plain_rel(root: &Path, path: &Path) -> Option<String> {
    if !cfg!(unix) {
        return None;
    }
    let (p, r) = (path.to_str()?, root.to_str()?);
    if !is_plain_absolute(p) || !is_plain_absolute(r) {
        return None;
    }
    let rest = if r == "/" {
        p.strip_prefix('/')?
    } else {
        p.strip_prefix(r)?.strip_prefix('/')?
    };
    (!rest.is_empty()).then(|| rest.to_string())
}

/// An absolute path whose components `std::path::absolute` would keep as they are: no `.` or
/// `..`, no doubled or trailing separator.
fn is_plain_absolute(p: &str) -> bool {
    p.starts_with('/')
        && (p == "/"
            || (!p.ends_with('/')
                && !p.contains("//")
                && !p.contains("/./")
                && !p.contains("/../")
                && !p.ends_with("/.")
                && !p.ends_with("/..")))
}

/// Reads a UTF-8 configuration or KB file, with located errors for bad bytes.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, &e))?;
    files::decode(&path.display().to_string(), bytes).map_err(LoadError::Source)
}

#[cfg(test)]
mod tests {
    use super::{general_rel, plain_rel};
    use std::path::Path;

    #[test]
    fn plain_rel_agrees_with_the_general_path_or_declines() {
        let roots = [
            "/", "/w", "/w/c", "/w/c/", "/w/./c", "/w//c", "w/c", "/w/c/..",
        ];
        let paths = [
            "/w/c/a.txt",
            "/w/c/d/a.txt",
            "/w/ca.txt",
            "/w/c",
            "/w/c/",
            "/w/c/./a.txt",
            "/w/c//a.txt",
            "/w/c/../a.txt",
            "/w/c/d/..",
            "/w/c/d/.",
            "/x/a.txt",
            "c/a.txt",
            "/w/c/خبر ۱.txt",
        ];
        for r in roots {
            for p in paths {
                let (r, p) = (Path::new(r), Path::new(p));
                if let Some(fast) = plain_rel(r, p) {
                    assert_eq!(fast, general_rel(r, p), "{r:?} {p:?}");
                }
            }
        }
        assert_eq!(
            plain_rel(Path::new("/w/c"), Path::new("/w/c/d/a.txt")).as_deref(),
            Some("d/a.txt")
        );
        assert_eq!(plain_rel(Path::new("/w/c"), Path::new("/w/ca.txt")), None);
    }
}
