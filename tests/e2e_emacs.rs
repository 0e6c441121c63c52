//! End to end with a real editor: headless Emacs through `editors/emacs/khabar.el` and Eglot
//! (Debian: emacs-nox and elpa-eglot; built in from Emacs 29) on a copy of examples/corpus:
//! diagnostics, hover, references across articles through Eglot's xref backend, and the quick
//! fix for the misspelt agency through `eglot-code-actions`, the buffer checked afterwards.
//! Skips with a reason when Emacs or Eglot is missing (`.ci/run` installs both).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn emacs_eglot_session() {
    let has_eglot = Command::new("emacs")
        .args(["--batch", "-q", "--eval", "(require 'eglot)"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_eglot {
        common::skip("emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot)");
        return;
    }
    let repo = common::repo();
    let corpus = tempfile::tempdir().expect("temp dir");
    for e in std::fs::read_dir(repo.join("examples/corpus")).expect("examples/corpus") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, corpus.path().join(p.file_name().unwrap())).expect("copy example");
    }
    let (status, stdout, stderr) = common::output_within(
        Command::new("emacs")
            .args(["--batch", "-q", "-L"])
            .arg(repo.join("editors/emacs"))
            .arg("-l")
            .arg(repo.join("tests/e2e/emacs/test.el"))
            .env("KHABAR_BIN", common::khabar())
            .env("KHABAR_CORPUS", corpus.path()),
        Duration::from_secs(120),
        "emacs",
    );
    let line = stdout.lines().find(|l| l.starts_with('{')).unwrap_or("");
    assert!(
        status.success(),
        "emacs test failed: {line}\n{stdout}\n{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(line).expect("JSON result line");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["hover"], "**Ali Shamkhani** · person");
    // Eglot asks with includeDeclaration, so the KB entry (the embedded KB's copy) comes too.
    assert_eq!(
        v["references"],
        serde_json::json!(["ar-visit.txt", "default.toml", "fa-meeting.txt"])
    );
    assert_eq!(v["fixed"], true);
    let fixed = std::fs::read_to_string(corpus.path().join("fa-meeting.txt")).expect("read");
    // The fix was applied to the buffer, not written: the file on disk is unchanged.
    assert!(fixed.contains("جام حم آنلاین"));
}
