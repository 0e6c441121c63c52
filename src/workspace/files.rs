//! Finding and reading articles.
//!
//! Articles are plain UTF-8 text. A file that is not (invalid UTF-8, or binary) is reported with
//! the line and column of the first bad byte and skipped; the run goes on with the others.

use super::{display_rel, LoadError};
use crate::analysis::config::Config;
use crate::analysis::error::SourceError;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Decodes `bytes` as UTF-8 text, refusing binary files (a NUL byte) and locating the first
/// invalid sequence.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
    // memchr: a byte-at-a-time scan for NUL cost as much as matching every name in the text.
    if let Some(pos) = memchr::memchr(0, &bytes) {
        let (line, column) = locate(&bytes, pos);
        return Err(SourceError {
            file: name.to_string(),
            line,
            column,
            message: "binary file (NUL byte), not an article".to_string(),
        });
    }
    // Validation is a visible part of reading a corpus; the SIMD validator is several times
    // faster than std's on non-ASCII text. On failure std's error locates the bad byte.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just validated `bytes` as UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        let (line, column) = locate(e.as_bytes(), pos);
        SourceError {
            file: name.to_string(),
            line,
            column,
            message: "invalid UTF-8".to_string(),
        }
    })
}

/// 1-based line and column (in code points of the valid prefix) of byte `pos`.
fn locate(bytes: &[u8], pos: usize) -> (usize, usize) {
    let before = &bytes[..pos.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Include and exclude globs of a configuration, matched against paths relative to the root.
pub struct Filter {
    include: GlobSet,
    exclude: GlobSet,
}

impl Filter {
    pub fn new(config: &Config, config_name: &str) -> Result<Filter, SourceError> {
        let build = |globs: &[String], key: &str| -> Result<GlobSet, SourceError> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                let glob = Glob::new(g).map_err(|e| SourceError {
                    file: config_name.to_string(),
                    line: 1,
                    column: 1,
                    message: format!("invalid glob `{g}` in `{key}`: {}", e.kind()),
                })?;
                b.add(glob);
            }
            b.build().map_err(|e| SourceError {
                file: config_name.to_string(),
                line: 1,
                column: 1,
                message: e.to_string(),
            })
        };
        Ok(Filter {
            include: build(&config.include, "include")?,
            exclude: build(&config.exclude, "exclude")?,
        })
    }

    pub fn accepts(&self, rel: &str) -> bool {
        self.include.is_match(rel) && !self.exclude.is_match(rel)
    }
}

/// A path a walk could not read: the index of the argument it was found under, the path, the
/// error.
pub type WalkError = (usize, PathBuf, LoadError);

/// What a walk over the paths finds, in the order it finds it.
pub enum Found {
    Article(PathBuf),
    /// A path that cannot be read, with the index of the argument it was found under.
    Error(usize, PathBuf, LoadError),
}

/// The articles named by `paths` (files as given; folders walked and filtered by the globs),
/// sorted and without duplicates. Missing paths are returned as errors beside the list.
pub fn discover(root: &Path, paths: &[PathBuf], filter: &Filter) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for found in walk(root, paths, filter) {
        match found {
            Found::Article(p) => out.push(p),
            Found::Error(arg, path, e) => errors.push((arg, path, e)),
        }
    }
    sort_dedup_by_path(&mut out, |p| p);
    (out, sorted_errors(errors))
}

/// Errors in the order `discover` reports them: by argument, then by path, so that they come
/// in the same order on every file system and however the walk was shared out.
pub fn sorted_errors(mut errors: Vec<WalkError>) -> Vec<LoadError> {
    errors.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    errors.into_iter().map(|(_, _, e)| e).collect()
}

/// The walk behind [`discover`], unsorted and lazy, so that articles can be worked on while
/// the rest are still being found (finding 3,000 files was a tenth of `khabar mentions`, spent
/// on one thread while the others waited). Paths are absolute.
pub fn walk<'a>(
    root: &'a Path,
    paths: &'a [PathBuf],
    filter: &'a Filter,
) -> impl Iterator<Item = Found> + Send + 'a {
    paths
        .iter()
        .enumerate()
        .flat_map(move |(arg, p)| walk_one(root, arg, p, filter))
}

fn walk_one<'a>(
    root: &'a Path,
    arg: usize,
    p: &'a PathBuf,
    filter: &'a Filter,
) -> Box<dyn Iterator<Item = Found> + Send + 'a> {
    match std::fs::metadata(p) {
        Err(e) => Box::new(std::iter::once(Found::Error(
            arg,
            p.clone(),
            LoadError::io(p, &e),
        ))),
        Ok(m) if m.is_file() => Box::new(std::iter::once(Found::Article(
            std::path::absolute(p).unwrap_or_else(|_| p.clone()),
        ))),
        Ok(_) => {
            // Entries are made absolute by joining to the folder made absolute once:
            // `std::path::absolute` per entry asks for the working directory every time.
            // Not sorted by walkdir: the list is sorted once at the end, and walkdir's sort
            // parsed both paths' components on every comparison (4% of `khabar mentions`).
            let abs_dir = std::path::absolute(p).ok();
            let walker = walkdir::WalkDir::new(p).follow_links(false).into_iter();
            Box::new(
                walker
                    .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
                    .filter_map(move |entry| match entry {
                        Err(e) => {
                            let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone());
                            let io = e
                                .into_io_error()
                                .unwrap_or_else(|| std::io::Error::other("walk error"));
                            let err = LoadError::io(&path, &io);
                            Some(Found::Error(arg, path, err))
                        }
                        Ok(e) if e.file_type().is_file() => {
                            let abs = match (&abs_dir, e.path().strip_prefix(p)) {
                                (Some(dir), Ok(rest)) => dir.join(rest),
                                _ => std::path::absolute(e.path())
                                    .unwrap_or_else(|_| e.path().to_path_buf()),
                            };
                            filter
                                .accepts(&display_rel(root, &abs))
                                .then_some(Found::Article(abs))
                        }
                        Ok(_) => None,
                    }),
            )
        }
    }
}

/// Sorts items by their paths as `Path`'s order does (component by component) and keeps the
/// first of each run of equal paths. Faster for the plain absolute paths a walk yields:
/// comparing their bytes with `/` taken as the lowest byte gives the same order and byte
/// equality the same equality, with one key per path, where `Path::cmp` and `Path::eq` parsed
/// components on every comparison. Any other path (`.` or `..` components, doubled or
/// trailing separators) sorts all of them the general way. Stable.
pub fn sort_dedup_by_path<T>(items: &mut Vec<T>, path: impl Fn(&T) -> &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        if items
            .iter()
            .all(|t| is_plain(path(t).as_os_str().as_bytes()))
        {
            items.sort_by_cached_key(|t| {
                let b = path(t).as_os_str().as_bytes();
                b.iter()
                    .map(|&c| if c == b'/' { 0 } else { c })
                    .collect::<Vec<u8>>()
            });
            items.dedup_by(|b, a| path(a).as_os_str() == path(b).as_os_str());
            return;
        }
    }
    items.sort_by(|a, b| path(a).cmp(path(b)));
    items.dedup_by(|b, a| path(a) == path(b));
}

/// An absolute path whose every component is a name: no `.`, `..` or empty ones.
#[cfg(unix)]
fn is_plain(b: &[u8]) -> bool {
    b.first() == Some(&b'/')
        && b.len() > 1
        && b[1..]
            .split(|&c| c == b'/')
            .all(|name| !name.is_empty() && name != b"." && name != b"..")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
}

/// Reads one article: UTF-8, BOM removed (offsets count from after it).
pub fn read_article(path: &Path, name: &str) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, &e))?;
    let text = decode(name, bytes)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_are_located() {
        let e = decode("a.txt", b"ok\nab\xffc".to_vec()).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (2, 3, "invalid UTF-8")
        );
        let e = decode("a.txt", "خ\0".as_bytes().to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 2));
        assert!(e.message.contains("binary"));
        assert_eq!(decode("a.txt", Vec::new()).unwrap(), "");
    }

    #[test]
    fn paths_sort_by_components_not_bytes_and_lose_duplicates() {
        // `-` sorts before `/` as a byte, but a folder's contents come before a longer name.
        let mut v: Vec<PathBuf> = [
            "/c/a-b", "/c/a/z", "/c/a", "/c/a b/x", "/c/a.txt", "/b", "/c/a",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        sort_dedup_by_path(&mut v, |p| p);
        let got: Vec<&str> = v.iter().filter_map(|p| p.to_str()).collect();
        assert_eq!(
            got,
            ["/b", "/c/a", "/c/a/z", "/c/a b/x", "/c/a-b", "/c/a.txt"]
        );
    }

    proptest::proptest! {
        #[test]
        fn path_sort_and_dedup_agree_with_path_order(
            paths in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec!["a", "b", "-", ".", " ", "/", "é", "ز", "Z"]),
                    0..8,
                ),
                0..12,
            ),
            relative in proptest::bool::ANY,
        ) {
            let mut v: Vec<PathBuf> = paths
                .iter()
                .map(|parts| {
                    let s = parts.concat();
                    PathBuf::from(if relative { s } else { format!("/{s}") })
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            want.dedup();
            sort_dedup_by_path(&mut v, |p| p);
            proptest::prop_assert_eq!(v, want);
        }
    }
}
