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
    validate(name, &bytes)?;
    // SAFETY: `validate` has just checked that `bytes` is UTF-8.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// Checks that `bytes` is an article's text: UTF-8 without a NUL byte. The error locates the
/// first bad byte.
fn validate(name: &str, bytes: &[u8]) -> Result<(), SourceError> {
    // memchr: a byte-at-a-time scan for NUL cost as much as matching every name in the text.
    if let Some(pos) = memchr::memchr(0, bytes) {
        let (line, column) = locate(bytes, pos);
        return Err(SourceError {
            file: name.to_string(),
            line,
            column,
            message: "binary file (NUL byte), not an article".to_string(),
        });
    }
    // Validation is a visible part of reading a corpus; the SIMD validator is several times
    // faster than std's on non-ASCII text. On failure std's error locates the bad byte.
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        return Ok(());
    }
    let pos = match std::str::from_utf8(bytes) {
        Ok(_) => return Ok(()),
        Err(e) => e.valid_up_to(),
    };
    let (line, column) = locate(bytes, pos);
    Err(SourceError {
        file: name.to_string(),
        line,
        column,
        message: "invalid UTF-8".to_string(),
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
///
/// The file is read into a buffer the thread keeps, and the text copied out at its exact size:
/// `std::fs::read` asks the file system for the size first (a `statx` per article, 1% of a
/// check of the corpus day on one thread) to size its buffer.
pub fn read_article(path: &Path, name: &str) -> Result<String, LoadError> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|buf| {
        let mut buf = buf
            .try_borrow_mut()
            .map_err(|_| LoadError::io(path, &std::io::Error::other("reentrant article read")))?;
        let n = read_into(path, &mut buf).map_err(|e| LoadError::io(path, &e))?;
        let text = take_text(name, &buf[..n]);
        // A huge file's buffer is not kept for the rest of the run.
        if buf.len() > MAX_KEPT_BUFFER {
            *buf = Vec::new();
        }
        text
    })
}

/// The largest read buffer a thread keeps between articles.
const MAX_KEPT_BUFFER: usize = 1 << 20;

/// Reads the whole file at `path` into `buf` (grown as needed; its length is its usable
/// size), returning how many bytes it holds.
fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut n = 0;
    loop {
        if n == buf.len() {
            let grown = (buf.len() * 2).max(1 << 16);
            buf.resize(grown, 0);
        }
        match file.read(&mut buf[n..]) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The article text in `bytes` (validated as [`decode`] does), BOM removed, in a string of
/// its own.
fn take_text(name: &str, bytes: &[u8]) -> Result<String, LoadError> {
    validate(name, bytes)?;
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    // SAFETY: `validate` has checked that `bytes` is UTF-8, and a whole UTF-8 character (the
    // BOM) removed from its front leaves UTF-8.
    Ok(unsafe { String::from_utf8_unchecked(body.to_vec()) })
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

    /// `read_article` as it was: `std::fs::read`, then `decode`, then the BOM cut off.
    fn read_article_simply(path: &Path, name: &str) -> Result<String, LoadError> {
        let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, &e))?;
        let text = decode(name, bytes)?;
        Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        })
    }

    #[test]
    fn reading_a_folder_or_a_missing_file_fails_as_before() {
        let dir = tempfile::tempdir().expect("temp dir");
        for p in [dir.path().to_path_buf(), dir.path().join("missing.txt")] {
            let got = read_article(&p, "x").map_err(|e| e.to_string());
            let want = read_article_simply(&p, "x").map_err(|e| e.to_string());
            assert!(got.is_err());
            assert_eq!(got, want);
        }
    }

    proptest::proptest! {
        #[test]
        fn read_article_reads_as_std_read_and_decode(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "ب", "ی", "\u{200c}", "\r\n", "\r", "\n", "😀", "\u{feff}", "\u{0}",
                ]),
                0..40,
            ),
            bad in proptest::option::of(0usize..200),
            bom in proptest::bool::ANY,
            // Past the first buffer's size, so that it grows (and, past the size a thread
            // keeps, is let go).
            big in proptest::sample::select(vec![0usize, 70_000, (1 << 20) + 5]),
        ) {
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice("\u{feff}".as_bytes());
            }
            bytes.extend(std::iter::repeat_n(b'x', big));
            bytes.extend_from_slice(pieces.concat().as_bytes());
            if let Some(at) = bad {
                let at = at.min(bytes.len());
                bytes.insert(at, 0xff);
            }
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("a.txt");
            std::fs::write(&path, &bytes).expect("write");
            let got = read_article(&path, "a.txt").map_err(|e| e.to_string());
            let want = read_article_simply(&path, "a.txt").map_err(|e| e.to_string());
            proptest::prop_assert_eq!(got, want);
        }
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
