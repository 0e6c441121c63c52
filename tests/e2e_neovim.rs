//! End to end with a real editor: headless Neovim (0.7+) through the plugin in editors/neovim
//! drives the built binary on a copy of examples/corpus (diagnostics, hover, a quick fix
//! through `vim.lsp.buf.code_action`, an edit followed by fresh diagnostics, references across
//! articles, a workspace symbol, a KB saved in Neovim). Skips with a reason when `nvim` is
//! missing (`.ci/run` installs Debian's).

mod common;

use std::process::Command;
use std::time::Duration;

#[test]
fn neovim_plugin_session() {
    if Command::new("nvim").arg("--version").output().is_err() {
        common::skip("nvim is not installed (apt-get install neovim)");
        return;
    }
    let repo = common::repo();
    let corpus = tempfile::tempdir().expect("temp dir");
    for e in std::fs::read_dir(repo.join("examples/corpus")).expect("examples/corpus") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, corpus.path().join(p.file_name().unwrap())).expect("copy fixture");
    }
    let (status, stdout, stderr) = common::output_within(
        Command::new("nvim")
            .args(["--headless", "--clean", "-u", "NONE"])
            .arg("-c")
            .arg(format!(
                "set rtp+={}",
                repo.join("editors/neovim").display()
            ))
            .args(["-c", "filetype on", "-c"])
            .arg(format!(
                "luafile {}",
                repo.join("tests/e2e/neovim/test.lua").display()
            ))
            .env("KHABAR_BIN", common::khabar())
            .env("KHABAR_CORPUS", corpus.path()),
        Duration::from_secs(90),
        "nvim",
    );
    let line = stdout
        .lines()
        .chain(stderr.lines())
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    assert!(
        status.success(),
        "nvim test failed: {line}\n{stdout}\n{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(line).expect("JSON result line");
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["hover"].as_str().unwrap_or("").contains("Ali Shamkhani"));
    assert!(v["fix"].as_str().unwrap_or("").contains("جام جم"));
    assert_eq!(
        v["references"],
        serde_json::json!(["ar-visit.txt", "fa-meeting.txt"])
    );
    assert!(v["symbol"]
        .as_str()
        .unwrap_or("")
        .starts_with("Ali Shamkhani"));
    assert_eq!(v["new_entity"], "**The two sides** · other");
    assert!(v["accepted"]
        .as_str()
        .unwrap_or("")
        .ends_with("as Ali Shamkhani"));
    // The .ann Neovim's action wrote, checked against the saved article.
    let article = std::fs::read_to_string(corpus.path().join("fa-meeting.txt")).expect("article");
    let ann = std::fs::read_to_string(corpus.path().join("fa-meeting.ann")).expect(".ann");
    let t = ann
        .lines()
        .find(|l| l.starts_with("T1	"))
        .expect("a T line");
    let mut cols = t.split('\t');
    let (_, span, covered) = (cols.next(), cols.next().unwrap(), cols.next().unwrap());
    let mut nums = span.split(' ').skip(1).map(|n| n.parse::<usize>().unwrap());
    let (s, e) = (nums.next().unwrap(), nums.next().unwrap());
    let chars: Vec<char> = article.chars().collect();
    assert_eq!(chars[s..e].iter().collect::<String>(), covered);
    // Accepted, then rejected through the same path; and a selection linked to Russia.
    assert!(ann.contains("\tRejected T1"), "{ann}");
    assert!(!ann.contains("khabar:ali-shamkhani"), "{ann}");
    assert!(ann.contains("khabar:russia\tRussia"), "{ann}");
    assert_eq!(v["linked"], "Link «دفاع روسیه» to Russia (russia)");
    // Neovim 0.8+ shows the .ann at the note; 0.7 has no window/showDocument.
    assert!(
        v["note_shown"] == "fa-meeting.ann" || v["note_shown"] == "not supported by this Neovim",
        "{v}"
    );
    assert!(
        ann.contains("\tAnnotatorNotes T1\twrite the note here"),
        "{ann}"
    );
    // The new entity: in the workspace KB, and the span linked to it.
    let kb = std::fs::read_to_string(corpus.path().join("kb.toml")).expect("kb.toml");
    assert!(kb.contains("fa = \"تروریسم\""), "{kb}");
    assert!(ann.contains("\tتروریسم\n"), "{ann}");
}
