//! Curation files end to end: brat round trips losslessly on disk, exports read back through real
//! readers (Python's json module, nltk's ConllCorpusReader), imports write `.ann` files that
//! `khabar check` accepts, and `khabar agree` reports full agreement on identical annotations.

mod common;

use std::path::Path;
use std::process::Command;

fn khabar(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(common::khabar())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run khabar")
}

/// Own fixture: every brat line kind, an unknown line, astral characters and a span across a
/// line break (two fragments).
const TXT: &str = "زار علي شمخاني 😀 دمشق\nثم طهران أمس.\n";
const ANN: &str = "T1\tPerson 4 14\tعلي شمخاني\n\
N1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n\
T2\tPlace 17 21\tدمشق\n\
T3\tPlace 17 21;25 30\tدمشق طهران\n\
A1\tRejected T3\n\
#1\tAnnotatorNotes T1\tchecked\n\
R1\tLocated Arg1:T1 Arg2:T2\n\
E1\tVisit:T1 Dest:T2\n\
*\tEquiv T2 T3\n\
Q7 a line no tool knows\n";

fn corpus() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("temp dir");
    std::fs::write(d.path().join("a.txt"), TXT).unwrap();
    std::fs::write(d.path().join("a.ann"), ANN).unwrap();
    d
}

#[test]
fn brat_file_survives_parse_and_write_byte_for_byte() {
    let f = khabar::analysis::ann::parse(ANN);
    assert_eq!(f.serialize(), ANN);
}

#[test]
fn brat_export_import_and_agreement() {
    let d = corpus();
    let out = d.path().join("out");
    assert!(khabar(
        d.path(),
        &[
            "export",
            "a.txt",
            "--format",
            "brat",
            "--out",
            out.to_str().unwrap()
        ]
    )
    .status
    .success());
    // brat to brat loses nothing: every line, the unknown one included, is kept.
    assert_eq!(std::fs::read_to_string(out.join("a.ann")).unwrap(), ANN);
    let imported = d.path().join("imported");
    let o = khabar(
        d.path(),
        &[
            "import",
            out.to_str().unwrap(),
            "--format",
            "brat",
            "--into",
            imported.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = khabar(
        d.path(),
        &[
            "agree",
            out.to_str().unwrap(),
            imported.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("agree JSON");
    assert_eq!(
        (v["exact"]["f1"].as_f64(), v["kappa"].as_f64()),
        (Some(1.0), Some(1.0)),
        "{v}"
    );
    assert_eq!(
        std::fs::read_to_string(imported.join("a.ann")).unwrap(),
        ANN
    );
    // JSONL cannot hold notes or attributes: export says so, and what import writes validates.
    let o = khabar(d.path(), &["export", "a.txt", "--format", "jsonl"]);
    let note = String::from_utf8_lossy(&o.stderr);
    assert!(
        note.contains("jsonl cannot hold 1 notes") && note.contains("1 rejected"),
        "{note}"
    );
    let jsonl = d.path().join("a.jsonl");
    std::fs::write(&jsonl, &o.stdout).unwrap();
    let from_jsonl = d.path().join("from-jsonl");
    assert!(khabar(
        d.path(),
        &[
            "import",
            "a.jsonl",
            "--format",
            "jsonl",
            "--into",
            from_jsonl.to_str().unwrap()
        ]
    )
    .status
    .success());
    let o = khabar(&from_jsonl, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"].as_str().unwrap_or("").ends_with(".ann")),
        "{v}"
    );
}

fn python(script: &str, args: &[&str]) -> Option<std::process::Output> {
    // nltk reads corpora only under its data roots: make the folder read one of them.
    let root = args.first().copied().unwrap_or(".");
    Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .env("NLTK_DATA", root)
        .output()
        .ok()
}

#[test]
fn jsonl_reads_back_through_python_with_the_same_spans() {
    let d = corpus();
    let o = khabar(d.path(), &["export", "a.txt", "--format", "jsonl"]);
    let file = d.path().join("a.jsonl");
    std::fs::write(&file, &o.stdout).unwrap();
    let Some(py) = python(
        "import json,sys\nfor l in open(sys.argv[1], encoding='utf-8'):\n  d=json.loads(l)\n  for s,e,lab,ent in d['spans']: print(s,e,lab,ent,d['text'][s:e])",
        &[file.to_str().unwrap()],
    ) else {
        common::skip("python3 is not installed");
        return;
    };
    let out = String::from_utf8_lossy(&py.stdout);
    // Python indexes strings by code point, as the offsets do.
    assert_eq!(
        out,
        "4 14 Person ali-shamkhani علي شمخاني\n17 21 Place None دمشق\n",
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
}

#[test]
fn conll_reads_back_through_nltk() {
    let d = corpus();
    let out = d.path().join("conll");
    assert!(khabar(
        d.path(),
        &[
            "export",
            "a.txt",
            "--format",
            "conll",
            "--out",
            out.to_str().unwrap()
        ]
    )
    .status
    .success());
    let script = "import sys\nfrom nltk.corpus.reader import ConllCorpusReader\nr = ConllCorpusReader(sys.argv[1], ['a.conll'], ('words', 'pos'))\nfor sent in r.tagged_sents():\n  print(' '.join(f'{w}/{t}' for w, t in sent))";
    let Some(py) = python(script, &[out.to_str().unwrap()]) else {
        common::skip("python3 is not installed");
        return;
    };
    if !py.status.success()
        && String::from_utf8_lossy(&py.stderr).contains("No module named 'nltk'")
    {
        common::skip("nltk is not installed (pip install nltk)");
        return;
    }
    let got = String::from_utf8_lossy(&py.stdout);
    assert_eq!(
        got,
        "زار/O علي/B-Person شمخاني/I-Person 😀/O دمشق/B-Place\nثم/O طهران/O أمس/O ./O\n",
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
}

#[test]
fn w3c_has_quote_and_position_selectors() {
    let d = corpus();
    let o = khabar(d.path(), &["export", "a.txt", "--format", "w3c"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON-LD");
    let item = &v[0]["first"]["items"][0];
    assert_eq!(v[0]["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(item["target"]["selector"][0]["exact"], "علي شمخاني");
    assert_eq!(item["target"]["selector"][1]["start"], 4);
}

/// A `kill -9` in the middle of writing leaves the old `.ann` or the new one, never a mix.
#[test]
fn killed_during_a_write_leaves_the_old_or_the_new_file() {
    let d = tempfile::tempdir().expect("temp dir");
    // One large article with many spans, so that writing its .ann takes a while.
    let word = "شمخاني ";
    let text: String = word.repeat(60_000);
    let spans: Vec<String> = (0..60_000)
        .map(|i| format!("[{},{},\"Person\",\"ali-shamkhani\"]", i * 7, i * 7 + 6))
        .collect();
    let line = format!(
        "{{\"path\":\"big.txt\",\"text\":{},\"spans\":[{}]}}\n",
        serde_json::to_string(&text).unwrap(),
        spans.join(",")
    );
    let jsonl = d.path().join("in.jsonl");
    std::fs::write(&jsonl, line).unwrap();
    // The new content, from an import run to the end elsewhere.
    let full = d.path().join("full");
    assert!(khabar(
        d.path(),
        &[
            "import",
            "in.jsonl",
            "--format",
            "jsonl",
            "--into",
            full.to_str().unwrap()
        ]
    )
    .status
    .success());
    let new = std::fs::read(full.join("big.ann")).unwrap();
    let target = d.path().join("target");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("big.txt"), &text).unwrap();
    let old = b"T1\tPerson 0 6\t\xd8\xb4\xd9\x85\xd8\xae\xd8\xa7\xd9\x86\xd9\x8a\n".to_vec();
    let mut outcomes = (0, 0);
    for i in 0..12u64 {
        std::fs::write(target.join("big.ann"), &old).unwrap();
        let mut child = Command::new(common::khabar())
            .args([
                "import",
                "in.jsonl",
                "--format",
                "jsonl",
                "--into",
                target.to_str().unwrap(),
            ])
            .current_dir(d.path())
            .spawn()
            .expect("spawn import");
        std::thread::sleep(std::time::Duration::from_millis(5 + i * 9));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let now = std::fs::read(target.join("big.ann")).unwrap();
        assert!(
            now == old || now == new,
            "run {i}: the .ann is neither the old nor the new file ({} bytes)",
            now.len()
        );
        if now == old {
            outcomes.0 += 1
        } else {
            outcomes.1 += 1
        }
    }
    eprintln!(
        "killed 12 imports: {} left the old file, {} the new one",
        outcomes.0, outcomes.1
    );
}
