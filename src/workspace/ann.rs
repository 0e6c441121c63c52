//! Annotation files on disk: `NAME.ann` beside `NAME.txt`, written atomically.
//!
//! A write goes to a temporary file in the same folder, is flushed to disk, then renamed over
//! the old file (and the folder synced): a crash or kill at any moment leaves the old file or the
//! new one, never a partial one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The `.ann` path of an article.
pub fn ann_path(article: &Path) -> PathBuf {
    article.with_extension("ann")
}

/// Writes `contents` to `path` atomically.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".khabar-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ann");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, "T1\tPerson 0 3\tعلي\n".as_bytes()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "T1\tPerson 0 3\tعلي\n"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
