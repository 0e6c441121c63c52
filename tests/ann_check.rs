//! `khabar check` validates each article's brat standoff file (`NAME.ann` beside `NAME.txt`).

mod common;

use std::process::Command;

fn check(txt: &str, ann: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.txt"), txt).unwrap();
    std::fs::write(dir.path().join("a.ann"), ann).unwrap();
    let o = Command::new(common::khabar())
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    serde_json::from_slice(&o.stdout).expect("JSON report")
}

const TXT: &str = "قال علي شمخاني في طهران أمس (وكالة تسنيم)\n";

#[test]
fn a_valid_ann_raises_nothing() {
    let ann = "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nA1\tRejected T1\n#1\tAnnotatorNotes T1\tchecked\n";
    let v = check(TXT, ann);
    let on_ann: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "a.ann")
        .collect();
    assert!(on_ann.is_empty(), "{on_ann:?}");
}

#[test]
fn planted_faults_are_reported_on_their_line() {
    let ann = "T1\tPerson 4 14\tعلي شمخاني\nT2\tPerson 4 14\tعلي شمخانی\nN1\tReference T1 khabar:nobody\tX\nbroken line\n";
    let v = check(TXT, ann);
    let got: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "a.ann")
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(got.contains(&("ann-text-mismatch".into(), 2)), "{got:?}");
    assert!(got.contains(&("ann-unknown-entity".into(), 3)), "{got:?}");
    assert!(got.contains(&("ann-malformed-line".into(), 4)), "{got:?}");
}
