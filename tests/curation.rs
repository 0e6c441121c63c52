//! Curation files end to end: brat round trips losslessly on disk, exports read back through real
//! readers (Python's json module, nltk's ConllCorpusReader), imports write `.ann` files that
//! `khabar check` accepts, and `khabar agree` reports full agreement on identical annotations.

mod common;

use std::path::Path;
use std::process::Command;

fn khabar(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(common::khabar()).args(args).current_dir(dir).output().expect("run khabar")
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
    assert!(khabar(d.path(), &["export", "a.txt", "--format", "brat", "--out", out.to_str().unwrap()]).status.success());
    let exported = std::fs::read_to_string(out.join("a.ann")).unwrap();
    // Rejected T3 is not exported; the linked entity is.
    assert_eq!(exported, "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tali-shamkhani\nT2\tPlace 17 21\tدمشق\n");
    let imported = d.path().join("imported");
    let o = khabar(d.path(), &["import", out.to_str().unwrap(), "--format", "brat", "--into", imported.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = khabar(d.path(), &["agree", out.to_str().unwrap(), imported.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("agree JSON");
    assert_eq!((v["exact"]["f1"].as_f64(), v["kappa"].as_f64()), (Some(1.0), Some(1.0)), "{v}");
    // What import wrote passes validation.
    let o = khabar(&imported, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v["diagnostics"].as_array().unwrap().iter().any(|d| d["path"].as_str().unwrap_or("").ends_with(".ann")), "{v}");
}

fn python(script: &str, args: &[&str]) -> Option<std::process::Output> {
    // nltk reads corpora only under its data roots: make the folder read one of them.
    let root = args.first().copied().unwrap_or(".");
    Command::new("python3").arg("-c").arg(script).args(args).env("NLTK_DATA", root).output().ok()
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
    assert_eq!(out, "4 14 Person ali-shamkhani علي شمخاني\n17 21 Place None دمشق\n", "{}", String::from_utf8_lossy(&py.stderr));
}

#[test]
fn conll_reads_back_through_nltk() {
    let d = corpus();
    let out = d.path().join("conll");
    assert!(khabar(d.path(), &["export", "a.txt", "--format", "conll", "--out", out.to_str().unwrap()]).status.success());
    let script = "import sys\nfrom nltk.corpus.reader import ConllCorpusReader\nr = ConllCorpusReader(sys.argv[1], ['a.conll'], ('words', 'pos'))\nfor sent in r.tagged_sents():\n  print(' '.join(f'{w}/{t}' for w, t in sent))";
    let Some(py) = python(script, &[out.to_str().unwrap()]) else {
        common::skip("python3 is not installed");
        return;
    };
    if !py.status.success() && String::from_utf8_lossy(&py.stderr).contains("No module named 'nltk'") {
        common::skip("nltk is not installed (pip install nltk)");
        return;
    }
    let got = String::from_utf8_lossy(&py.stdout);
    assert_eq!(got, "زار/O علي/B-Person شمخاني/I-Person 😀/O دمشق/B-Place\nثم/O طهران/O أمس/O ./O\n", "{}", String::from_utf8_lossy(&py.stderr));
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
