//! End to end with a real client: a Node script on vscode-languageserver-protocol drives the
//! built binary over stdio (open, diagnostics, hover, quick fix applied, edits, shutdown).
//! Skips with a reason when node or the npm packages are missing (`.ci/run` installs both).

mod common;

use std::process::Command;

#[test]
fn node_client_session() {
    let dir = common::repo().join("tests").join("e2e").join("node");
    if Command::new("node").arg("--version").output().is_err() {
        common::skip("node is not installed");
        return;
    }
    if !dir
        .join("node_modules")
        .join("vscode-languageserver-protocol")
        .is_dir()
    {
        common::skip(
            "tests/e2e/node/node_modules is missing: run `npm ci --prefix tests/e2e/node`",
        );
        return;
    }
    let corpus = tempfile::tempdir().expect("temp dir");
    let fixtures = common::repo().join("tests").join("fixtures").join("e2e");
    for e in std::fs::read_dir(&fixtures).expect("fixtures") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, corpus.path().join(p.file_name().unwrap())).expect("copy fixture");
    }
    let out = Command::new("node")
        .arg(dir.join("client.mjs"))
        .arg(common::khabar())
        .arg(corpus.path())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node client failed:\n{stdout}\n{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("JSON summary");
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["lastVersion"], 3);
    assert_eq!(
        summary["references"],
        serde_json::json!(["ar-visit.txt", "fa-visit.txt"])
    );
    assert!(summary["symbol"]
        .as_str()
        .unwrap_or("")
        .starts_with("Ali Shamkhani"));
    assert_eq!(summary["newEntity"], "**An official** · other");
    assert!(summary["hover"]
        .as_str()
        .unwrap_or("")
        .contains("Ali Shamkhani"));
}
