//! Go to definition: from a mention to its entity's entry in a knowledge base.
//!
//! An entity declared in a workspace KB lands in that file. One declared only in the embedded
//! KB lands in a read-only copy written to `<folder>/.khabar/default.toml`, so the curator can
//! read the entry (and copy it into a workspace KB to change it) without the binary's source.

use crate::analysis::kb::{Kb, DEFAULT_KB, DEFAULT_KB_NAME};
use std::path::{Path, PathBuf};

/// The folder, under a workspace folder, where the server writes files of its own.
pub const DIR: &str = ".khabar";

/// Where entity `idx`'s first declaration is: a file and a 0-based line. `kb_paths` are the
/// workspace KBs in merge order (`kb.files[i]` is `kb_paths[i - 1]`); `root` is the folder
/// the article belongs to, needed for the embedded KB's copy. `None` for an article outside
/// every folder whose entity is embedded: the server writes nothing outside its folders.
pub fn locate(
    kb: &Kb,
    idx: usize,
    kb_paths: &[PathBuf],
    root: Option<&Path>,
) -> std::io::Result<Option<(PathBuf, usize)>> {
    let Some(entity) = kb.entities.get(idx) else {
        return Ok(None);
    };
    let Some(decl) = entity.decls.first() else {
        return Ok(None);
    };
    let embedded = kb.files.get(decl.file).is_none_or(|f| f.embedded);
    if !embedded {
        return Ok(decl
            .file
            .checked_sub(1)
            .and_then(|i| kb_paths.get(i))
            .map(|p| (p.clone(), decl.line)));
    }
    match root {
        Some(root) => Ok(Some((write_embedded(root)?, decl.line))),
        None => Ok(None),
    }
}

/// Writes the embedded KB to `<root>/.khabar/default.toml`, read-only, unless an identical
/// copy is already there.
pub fn write_embedded(root: &Path) -> std::io::Result<PathBuf> {
    let dir = root.join(DIR);
    let path = dir.join(DEFAULT_KB_NAME);
    if std::fs::read(&path).is_ok_and(|b| b == DEFAULT_KB.as_bytes()) {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir)?;
    if let Ok(meta) = std::fs::metadata(&path) {
        let mut perms = meta.permissions();
        if perms.readonly() {
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&path, perms)?;
        }
    }
    // Written beside and renamed, so a reader never sees half a file.
    let tmp = dir.join(format!(".{DEFAULT_KB_NAME}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, DEFAULT_KB)?;
    let mut perms = std::fs::metadata(&tmp)?.permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&tmp, perms)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_copy_is_written_once_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let kb = Kb::embedded();
        let idx = kb.index_of("ali-shamkhani").unwrap();
        let (path, line) = locate(&kb, idx, &[], Some(dir.path())).unwrap().unwrap();
        assert_eq!(path, dir.path().join(".khabar/default.toml"));
        assert!(DEFAULT_KB
            .lines()
            .nth(line)
            .unwrap()
            .contains("ali-shamkhani"));
        assert!(std::fs::metadata(&path).unwrap().permissions().readonly());
        // A second call with an identical copy leaves it alone; a stale one is replaced.
        let (again, _) = locate(&kb, idx, &[], Some(dir.path())).unwrap().unwrap();
        assert_eq!(again, path);
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
        std::fs::write(&path, "stale").unwrap();
        write_embedded(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), DEFAULT_KB);
        assert_eq!(locate(&kb, idx, &[], None).unwrap(), None);
    }
}
