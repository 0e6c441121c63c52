//! Shared helpers for integration tests: where ../shared is, and skipping with a printed reason
//! when it (or an outside client) is absent — a failure instead when KHABAR_REQUIRE_ALL=1.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `KHABAR_REQUIRE_ALL=1` (set by .ci/run) turns every skip into a failure.
pub fn require_all() -> bool {
    std::env::var("KHABAR_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

/// Says why a test does not run; panics instead when everything is required.
pub fn skip(reason: &str) {
    if require_all() {
        panic!("KHABAR_REQUIRE_ALL=1 but this test would be skipped: {reason}");
    }
    eprintln!("skipped: {reason}");
}

/// `../shared` beside the checkout, when it is there.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("..").join("shared");
    p.is_dir().then_some(p)
}

/// The seed articles, sorted, or `None` (after saying so) when ../shared/seeds is absent.
pub fn seeds() -> Option<Vec<PathBuf>> {
    let dir = shared().map(|s| s.join("seeds")).filter(|d| d.is_dir());
    let Some(dir) = dir else {
        skip("../shared/seeds is absent (the seed articles are read from there, never copied)");
        return None;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    Some(files)
}

static UNPACK: Mutex<()> = Mutex::new(());

/// The ../shared/corpora day unpacked to one `.txt` per article (title, blank line, content)
/// under target/, or `None` (after saying so) when the zip is absent.
pub fn corpora_day() -> Option<PathBuf> {
    let zip = shared()
        .map(|s| s.join("corpora").join("saudinewsnet-2015-07-21.zip"))
        .filter(|z| z.is_file());
    let Some(zip) = zip else {
        skip("../shared/corpora/saudinewsnet-2015-07-21.zip is absent");
        return None;
    };
    let out = repo()
        .join("target")
        .join("test-corpora")
        .join("saudinewsnet-2015-07-21");
    let _guard = UNPACK.lock().unwrap_or_else(|e| e.into_inner());
    let done = out.join(".complete");
    if !done.is_file() {
        unpack(&zip, &out).expect("unpack the corpora day");
        std::fs::write(&done, "").expect("mark unpacked");
    }
    Some(out)
}

fn unpack(zip: &Path, out: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out)?;
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(zip)?).map_err(std::io::Error::other)?;
    let mut json = String::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(std::io::Error::other)?;
        if f.name().ends_with(".json") {
            std::io::Read::read_to_string(&mut f, &mut json)?;
        }
    }
    let articles: Vec<serde_json::Value> =
        serde_json::from_str(&json).map_err(std::io::Error::other)?;
    for (i, a) in articles.iter().enumerate() {
        let get = |k: &str| {
            a.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let (title, content, source) = (get("title"), get("content"), get("source"));
        if title.is_empty() && content.is_empty() {
            continue;
        }
        std::fs::write(
            out.join(format!("{i:05}-{source}.txt")),
            format!("{title}\n\n{content}\n"),
        )?;
    }
    Ok(())
}

/// The release or debug binary cargo built for this test run.
pub fn khabar() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_khabar"))
}

/// Runs `cmd` with its output captured, killing it after `limit`: an editor that hangs fails
/// its test instead of stalling the suite.
pub fn output_within(
    cmd: &mut std::process::Command,
    limit: std::time::Duration,
    what: &str,
) -> (std::process::ExitStatus, String, String) {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} did not finish within {} s", limit.as_secs());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
