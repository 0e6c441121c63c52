//! Which articles have a standoff annotation file (`.ann`) beside them.
//!
//! `khabar check` validates an article's `.ann` when there is one. Asking the file system for
//! `x.ann` beside every article cost a `stat` (and a walk of the whole path) each, 2–3% of a
//! check of a corpus with none; listing each folder once answers every article in it.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The `.ann` files of each folder, listed on first use. Shared by the worker threads.
#[derive(Default)]
pub struct Annotations {
    folders: Mutex<HashMap<PathBuf, Folder>>,
}

/// What is known of a folder.
enum Folder {
    /// One thread is listing it.
    Listing,
    Listed(Listing),
}

/// A folder's `.ann` names, or `None` when it could not be listed (then each is asked for).
type Listing = Option<Arc<HashSet<OsString>>>;

impl Annotations {
    /// The `.ann` file beside `article`, if it is there.
    pub fn beside(&self, article: &Path) -> Option<PathBuf> {
        let folder = article.parent().unwrap_or(Path::new("."));
        let listing = self.listing(folder);
        // Most folders hold no `.ann` at all: then no name is built to look for.
        if listing.as_ref().is_some_and(|names| names.is_empty()) {
            return None;
        }
        let ann = article.with_extension("ann");
        let name = ann.file_name()?;
        let there = match listing {
            Some(names) => names.contains(name) && ann.is_file(),
            None => ann.is_file(),
        };
        there.then_some(ann)
    }

    /// The listing of `folder`, made on first use by the thread that asks first, outside the
    /// lock: the others ask the file system for each article's `.ann` meanwhile instead of
    /// waiting (listing a folder of 3,000 articles took a millisecond, while the other thread
    /// waited for it at the start of every check). The map is searched by the borrowed path,
    /// so the path is copied only the first time.
    fn listing(&self, folder: &Path) -> Listing {
        let lock = || self.folders.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut folders = lock();
            match folders.get(folder) {
                Some(Folder::Listed(listing)) => return listing.clone(),
                Some(Folder::Listing) => return None,
                None => {
                    folders.insert(folder.to_path_buf(), Folder::Listing);
                }
            }
        }
        let listing = list(folder);
        lock().insert(folder.to_path_buf(), Folder::Listed(listing.clone()));
        listing
    }
}

/// The names ending in `.ann` in `folder` (whatever their type: the caller confirms the few it
/// finds are files).
fn list(folder: &Path) -> Listing {
    let entries = std::fs::read_dir(if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    })
    .ok()?;
    let mut names = HashSet::new();
    for entry in entries {
        let name = entry.ok()?.file_name();
        if Path::new(&name).extension().is_some_and(|e| e == "ann") {
            names.insert(name);
        }
    }
    Some(Arc::new(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_ann_beside_an_article_and_only_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path();
        for f in ["a.txt", "a.ann", "b.txt", "c.txt"] {
            std::fs::write(p.join(f), "").expect("write");
        }
        std::fs::create_dir(p.join("c.ann")).expect("mkdir");
        let anns = Annotations::default();
        assert_eq!(anns.beside(&p.join("a.txt")), Some(p.join("a.ann")));
        assert_eq!(anns.beside(&p.join("b.txt")), None);
        assert_eq!(
            anns.beside(&p.join("c.txt")),
            None,
            "a folder is not an .ann"
        );
        assert_eq!(anns.beside(&p.join("missing/d.txt")), None);
    }

    #[test]
    fn while_a_folder_is_being_listed_each_ann_is_asked_for() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path();
        for f in ["a.txt", "a.ann", "b.txt"] {
            std::fs::write(p.join(f), "").expect("write");
        }
        let anns = Annotations::default();
        anns.folders
            .lock()
            .expect("lock")
            .insert(p.to_path_buf(), Folder::Listing);
        assert_eq!(anns.beside(&p.join("a.txt")), Some(p.join("a.ann")));
        assert_eq!(anns.beside(&p.join("b.txt")), None);
    }
}
