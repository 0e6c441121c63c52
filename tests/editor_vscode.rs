//! The VS Code extension's own tests (editors/vscode): `npm run --silent test` compiles the
//! TypeScript and runs node's test runner on the logic that needs no VS Code (finding the
//! server, the settings sent to it, package.json's contributions) and, with `KHABAR_BIN` set to
//! the built binary, checks the rule list and the settings against the real server.
//! Skips with a reason when node or editors/vscode/node_modules is missing (`.ci/run` runs
//! `npm ci --prefix editors/vscode` first).

mod common;

use std::process::Command;

#[test]
fn vscode_extension_unit_tests() {
    let dir = common::repo().join("editors").join("vscode");
    if Command::new("node").arg("--version").output().is_err() {
        common::skip("node is not installed");
        return;
    }
    if !dir.join("node_modules").join("typescript").is_dir()
        || !dir
            .join("node_modules")
            .join("vscode-languageclient")
            .is_dir()
    {
        common::skip(
            "editors/vscode/node_modules is missing: run `npm ci --prefix editors/vscode`",
        );
        return;
    }
    let out = Command::new("npm")
        .args(["run", "--silent", "test"])
        .current_dir(&dir)
        .env("KHABAR_BIN", common::khabar())
        .output()
        .expect("run npm (node is installed, so npm should be too)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "npm test in editors/vscode failed:\n{stdout}\n{stderr}"
    );
    // node's test runner ends with its counts; nothing may be skipped when the binary is given.
    assert!(stdout.contains("# fail 0"), "no summary in:\n{stdout}");
    assert!(
        stdout.contains("# skipped 0"),
        "a test skipped although KHABAR_BIN was set:\n{stdout}"
    );
}
