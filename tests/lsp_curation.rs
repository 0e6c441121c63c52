//! Curation from the editor, through the protocol: accept, reject, link and note, each a code
//! action whose command the server runs, with the `.ann` beside the article checked afterwards;
//! decisions in hovers and semantic tokens; decisions made in an unsaved buffer written on save
//! at the places the text then has.

#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::path::PathBuf;

const TEXT: &str = "وصل علي شمخاني إلى دمشق\nوقال الشمخاني إن الزيارة ناجحة\n";

fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("khabar.toml"), "").unwrap();
    std::fs::write(root.join("a.txt"), TEXT).unwrap();
    (dir, root)
}

async fn started(root: &std::path::Path) -> (TestClient, String) {
    let mut c = TestClient::start();
    let mut caps = caps(false, &["utf-16"], false);
    caps["workspace"]["semanticTokens"] = json!({"refreshSupport": false});
    c.initialize(Some(root), caps, Value::Null).await;
    let uri = file_uri(&root.join("a.txt"));
    c.open(&uri, 1, TEXT).await;
    c.diagnostics(&uri, Some(1)).await;
    (c, uri)
}

async fn curation_actions(c: &mut TestClient, uri: &str, r: Value) -> Vec<Value> {
    let got = c
        .call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": r, "context": {"diagnostics": [], "only": ["refactor.khabar.annotate"]}}),
        )
        .await;
    got.as_array().cloned().unwrap_or_default()
}

async fn run(c: &mut TestClient, action: &Value) -> Value {
    let cmd = &action["command"];
    c.call(
        "workspace/executeCommand",
        json!({"command": cmd["command"], "arguments": cmd["arguments"]}),
    )
    .await
}

/// Waits (the server writes in the background) until the file at `path` satisfies `ok`; returns
/// its text. Panics after the client's timeout, showing what the file holds.
async fn until_file(path: &std::path::Path, ok: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if ok(&text) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{}: {text:?}",
            path.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn titles(actions: &[Value]) -> Vec<&str> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

fn ann(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join("a.ann")).unwrap_or_default()
}

#[tokio::test]
async fn accept_then_reject_a_mention_and_note_on_it() {
    let (_dir, root) = corpus();
    let (mut c, uri) = started(&root).await;
    let actions = curation_actions(&mut c, &uri, range(0, 6, 0, 6)).await;
    assert_eq!(
        titles(&actions),
        [
            "Accept «علي شمخاني» as Ali Shamkhani",
            "Mark «علي شمخاني» as not an entity",
            "Add or edit a note on «علي شمخاني»",
        ]
    );
    let r = run(&mut c, &actions[0]).await;
    assert_eq!(
        (r["id"].as_str(), r["written"].as_bool()),
        (Some("T1"), Some(true))
    );
    assert_eq!(
        ann(&root),
        "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n"
    );
    // The hover says so, and the token carries the `accepted` modifier (bit 2).
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 6)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**Curated** (Person, `T1`): accepted as Ali Shamkhani (`ali-shamkhani`)"),
        "{md}"
    );
    let t = c
        .call(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(t["data"][4], 4, "{t}");
    // Rejected: the reference goes, the attribute comes; the token says `rejected` (bit 3).
    run(&mut c, &actions[1]).await;
    assert_eq!(ann(&root), "T1\tPerson 4 14\tعلي شمخاني\nA1\tRejected T1\n");
    let t = c
        .call(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(t["data"][4], 8, "{t}");
    // A note, through the same command (clients with a prompt pass the text).
    let mut args = actions[1]["command"]["arguments"][0].clone();
    args["op"] = json!("note");
    args["note"] = json!("the wire copy spells it otherwise");
    c.call(
        "workspace/executeCommand",
        json!({"command": "khabar.annotate", "arguments": [args]}),
    )
    .await;
    assert!(ann(&root).ends_with("#1\tAnnotatorNotes T1\tthe wire copy spells it otherwise\n"));
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 6)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("not an entity\n\nNote: the wire copy spells it otherwise"),
        "{md}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_selection_links_to_an_entity_chosen_from_the_offered_ones() {
    let (_dir, root) = corpus();
    let (mut c, uri) = started(&root).await;
    // الشمخاني is not a mention (the article is not a clitic on a name): select it.
    let actions = curation_actions(&mut c, &uri, range(1, 5, 1, 13)).await;
    let t = titles(&actions);
    assert_eq!(
        t.first(),
        Some(&"Link «الشمخاني» to Ali Shamkhani (ali-shamkhani)"),
        "{t:?}"
    );
    run(&mut c, &actions[0]).await;
    assert_eq!(
        ann(&root),
        "T1\tPerson 29 37\tالشمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n"
    );
    // The command refuses a span whose text is not what it was offered for.
    let mut args = actions[0]["command"]["arguments"][0].clone();
    args["text"] = json!("شيء آخر");
    let bad = c
        .request(
            "workspace/executeCommand",
            json!({"command": "khabar.annotate", "arguments": [args]}),
        )
        .await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let mut args = actions[0]["command"]["arguments"][0].clone();
    args["entity"] = json!("no-such-entity");
    let bad = c
        .request(
            "workspace/executeCommand",
            json!({"command": "khabar.annotate", "arguments": [args]}),
        )
        .await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    c.shutdown().await;
}

#[tokio::test]
async fn decisions_in_an_unsaved_buffer_are_written_on_save_where_the_text_then_is() {
    let (_dir, root) = corpus();
    let (mut c, uri) = started(&root).await;
    // An unsaved edit: a word typed before the name.
    c.change(
        &uri,
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "أمس "}]),
    )
    .await;
    c.diagnostics(&uri, Some(2)).await;
    let actions = curation_actions(&mut c, &uri, range(0, 10, 0, 10)).await;
    let r = run(&mut c, &actions[0]).await;
    assert_eq!(r["written"], false);
    assert_eq!(
        ann(&root),
        "",
        "nothing is written while the buffer differs from the file"
    );
    // More typing before the name; then the buffer is saved.
    c.change(&uri, 3, json!([{"range": range(0, 0, 0, 0), "text": "و"}]))
        .await;
    let saved = format!("وأمس {TEXT}");
    std::fs::write(root.join("a.txt"), &saved).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    until_file(&root.join("a.ann"), |t| !t.is_empty()).await;
    assert_eq!(
        ann(&root),
        "T1\tPerson 9 19\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n"
    );
    let chars: Vec<char> = saved.chars().collect();
    assert_eq!(chars[9..19].iter().collect::<String>(), "علي شمخاني");
    c.shutdown().await;
}

#[tokio::test]
async fn annotations_follow_their_text_when_the_article_changes_on_disk() {
    let (_dir, root) = corpus();
    std::fs::write(root.join("b.txt"), "قال علي شمخاني إن دمشق\n").unwrap();
    std::fs::write(
        root.join("b.ann"),
        "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nT2\tPlace 18 22\tدمشق\n",
    )
    .unwrap();
    let mut c = TestClient::start();
    c.initialize(Some(&root), caps(false, &["utf-16"], false), Value::Null)
        .await;
    // Another program rewrites the article: words before the name, and دمشق gone.
    std::fs::write(root.join("b.txt"), "أمس قال علي شمخاني إن الوفد وصل\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&root.join("b.txt")), "type": 2}]}),
    )
    .await;
    let warning = c.notification("window/showMessage").await;
    let msg = warning["message"].as_str().unwrap();
    assert!(msg.contains("T2 «دمشق» (1)"), "{msg}");
    // The name moved with its text; the lost span is kept as it was, not dropped.
    assert_eq!(
        std::fs::read_to_string(root.join("b.ann")).unwrap(),
        "T1\tPerson 8 18\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nT2\tPlace 18 22\tدمشق\n"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_selection_becomes_a_new_entity_of_the_workspace_kb_and_is_linked_to_it() {
    let (_dir, root) = corpus();
    let (mut c, uri) = started(&root).await;
    // "الزيارة" names nothing in the KB: the new-entity variants come after any links.
    let actions = curation_actions(&mut c, &uri, range(1, 17, 1, 24)).await;
    let new_place = actions
        .iter()
        .find(|a| a["title"] == "Annotate «الزيارة» as a new place (added to the knowledge base)")
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    let r = run(&mut c, new_place).await;
    assert_eq!(r["written"], true);
    let kb = std::fs::read_to_string(root.join("kb.toml")).unwrap();
    assert!(
        kb.contains("kind = \"place\"") && kb.contains("ar = \"الزيارة\""),
        "{kb}"
    );
    let id = kb
        .lines()
        .find_map(|l| l.strip_prefix("id = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    assert_eq!(
        ann(&root),
        format!("T1\tPlace 41 48\tالزيارة\nN1\tReference T1 khabar:{id}\tالزيارة\n")
    );
    let chars: Vec<char> = TEXT.chars().collect();
    assert_eq!(chars[41..48].iter().collect::<String>(), "الزيارة");
    // The word is now a mention of the new entity: hovering it shows its card.
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 20)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**الزيارة** · place"), "{md}");
    c.shutdown().await;
}

#[tokio::test]
async fn curation_status_lists_what_is_left_across_the_corpus() {
    let (_dir, root) = corpus();
    std::fs::write(root.join("b.txt"), "زار بوتين طهران ودمشق\n").unwrap();
    let mut c = TestClient::start();
    let mut caps = caps(false, &["utf-16"], false);
    caps["window"] = json!({"workDoneProgress": true});
    c.initialize(Some(&root), caps, Value::Null).await;
    c.wait_for("end of indexing", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    })
    .await;
    let uri = file_uri(&root.join("a.txt"));
    c.open(&uri, 1, TEXT).await;
    c.diagnostics(&uri, Some(1)).await;
    let actions = curation_actions(&mut c, &uri, range(0, 6, 0, 6)).await;
    run(&mut c, &actions[0]).await;
    let s = c
        .call(
            "workspace/executeCommand",
            json!({"command": "khabar.curationStatus", "arguments": []}),
        )
        .await;
    // a.txt: علي شمخاني and دمشق, one decided; b.txt: three names, none decided.
    assert_eq!(
        (
            s["mentions"].as_u64(),
            s["decided"].as_u64(),
            s["left"].as_u64()
        ),
        (Some(5), Some(1), Some(4)),
        "{s}"
    );
    let rows: Vec<(String, u64)> = s["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["uri"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                r["left"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("b.txt".to_string(), 3), ("a.txt".into(), 1)]);
    c.shutdown().await;
}

#[tokio::test]
async fn decisions_in_a_buffer_closed_unsaved_are_kept_at_their_text_in_the_file() {
    let (_dir, root) = corpus();
    let (mut c, uri) = started(&root).await;
    // Unsaved: a word typed before the name, and the name accepted (at 8..18 in the buffer).
    c.change(
        &uri,
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "أمس "}]),
    )
    .await;
    c.diagnostics(&uri, Some(2)).await;
    let actions = curation_actions(&mut c, &uri, range(0, 10, 0, 10)).await;
    assert_eq!(run(&mut c, &actions[0]).await["written"], false);
    // Closed without saving: the decision is written where the name is in the file (4..14).
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    until_file(&root.join("a.ann"), |t| !t.is_empty()).await;
    assert_eq!(
        ann(&root),
        "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_stale_annotation_is_reported_where_it_was_and_can_be_attached_or_dropped() {
    let (_dir, root) = corpus();
    // T1 points at 0..4 ("وصل ") but says دمشق; T2 says مسؤول, which the text does not hold.
    std::fs::write(
        root.join("a.ann"),
        "T1\tPlace 0 4\tدمشق\nT2\tOther 30 35\tمسؤول\n",
    )
    .unwrap();
    let (mut c, uri) = started(&root).await;
    // `started` consumed the first publish; ask again through a change-free re-open.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    c.open(&uri, 5, TEXT).await;
    let diags = c.diagnostics(&uri, Some(5)).await;
    let stale: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "stale-annotation")
        .collect();
    assert_eq!(stale.len(), 2, "{diags:?}");
    assert_eq!(stale[0]["range"], range(0, 0, 0, 4));
    assert!(stale[0]["message"].as_str().unwrap().contains("T1 «دمشق»"));
    // Select the real دمشق (0:19..0:23) and attach T1 to it.
    let actions = curation_actions(&mut c, &uri, range(0, 19, 0, 23)).await;
    let attach = actions
        .iter()
        .find(|a| a["title"] == "Attach annotation T1 «دمشق» to «دمشق»")
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    run(&mut c, attach).await;
    // Drop T2 where it is reported.
    let actions = curation_actions(&mut c, &uri, range(1, 7, 1, 7)).await;
    let drop = actions
        .iter()
        .find(|a| a["title"] == "Drop annotation T2 «مسؤول»")
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    run(&mut c, drop).await;
    assert_eq!(ann(&root), "T1\tPlace 19 23\tدمشق\n");
    // Nothing stale is reported any more.
    c.change(&uri, 6, json!([{"range": range(1, 0, 1, 0), "text": ""}]))
        .await;
    let diags = c.diagnostics(&uri, Some(6)).await;
    assert!(
        diags.iter().all(|d| d["code"] != "stale-annotation"),
        "{diags:?}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn saving_an_edited_article_moves_its_annotations_with_their_text() {
    let (_dir, root) = corpus();
    let (mut c, uri) = started(&root).await;
    let actions = curation_actions(&mut c, &uri, range(0, 6, 0, 6)).await;
    run(&mut c, &actions[0]).await;
    assert!(ann(&root).starts_with("T1\tPerson 4 14\t"));
    // Words typed before the name, then saved: the .ann follows the name.
    c.change(
        &uri,
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "أمس "}]),
    )
    .await;
    std::fs::write(root.join("a.txt"), format!("أمس {TEXT}")).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    until_file(&root.join("a.ann"), |t| t.starts_with("T1	Person 8 18	")).await;
    c.shutdown().await;
}

#[tokio::test]
async fn a_note_from_a_client_without_a_prompt_opens_in_the_ann_ready_to_type() {
    let (_dir, root) = corpus();
    let mut c = TestClient::start();
    let mut caps = caps(false, &["utf-16"], false);
    caps["window"] = json!({"showDocument": {"support": true}});
    c.initialize(Some(&root), caps, Value::Null).await;
    let uri = file_uri(&root.join("a.txt"));
    c.open(&uri, 1, TEXT).await;
    c.diagnostics(&uri, Some(1)).await;
    let actions = curation_actions(&mut c, &uri, range(0, 6, 0, 6)).await;
    let note = actions
        .iter()
        .find(|a| a["title"] == "Add or edit a note on «علي شمخاني»")
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    run(&mut c, note).await;
    assert_eq!(
        ann(&root),
        "T1\tPerson 4 14\tعلي شمخاني\n#1\tAnnotatorNotes T1\twrite the note here\n"
    );
    // The server asks the client to show the note's text, selected.
    let show = c
        .wait_for("showDocument", |m| m["method"] == "window/showDocument")
        .await;
    assert!(show["params"]["uri"].as_str().unwrap().ends_with("/a.ann"));
    assert_eq!(show["params"]["selection"], range(1, 21, 1, 40));
    c.shutdown().await;
}

#[tokio::test]
async fn undecided_mentions_show_as_hints_when_asked_for() {
    let (_dir, root) = corpus();
    let mut c = TestClient::start();
    c.initialize(
        Some(&root),
        caps(false, &["utf-16"], false),
        json!({"curationHints": true}),
    )
    .await;
    let uri = file_uri(&root.join("a.txt"));
    c.open(&uri, 1, TEXT).await;
    let diags = c.diagnostics(&uri, Some(1)).await;
    let hints: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "uncurated-mention")
        .collect();
    // علي شمخاني and دمشق on line 0.
    assert_eq!(hints.len(), 2, "{diags:?}");
    assert_eq!(hints[0]["severity"], 4);
    assert_eq!(
        hints[0]["message"],
        "not curated yet: taken as Ali Shamkhani"
    );
    // Accepting one leaves the other.
    let actions = curation_actions(&mut c, &uri, range(0, 6, 0, 6)).await;
    run(&mut c, &actions[0]).await;
    c.change(&uri, 2, json!([{"range": range(1, 0, 1, 0), "text": ""}]))
        .await;
    let diags = c.diagnostics(&uri, Some(2)).await;
    let left: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "uncurated-mention")
        .collect();
    assert_eq!(left.len(), 1, "{diags:?}");
    assert_eq!(left[0]["range"], range(0, 19, 0, 23));
    c.shutdown().await;
    // Off by default.
    let (mut c, uri) = started(&root).await;
    c.change(&uri, 2, json!([{"range": range(1, 0, 1, 0), "text": ""}]))
        .await;
    let diags = c.diagnostics(&uri, Some(2)).await;
    assert!(diags.iter().all(|d| d["code"] != "uncurated-mention"));
    c.shutdown().await;
}

#[tokio::test]
async fn equal_quotes_are_told_apart_by_their_context_when_the_file_changes_on_disk() {
    let (_dir, root) = corpus();
    // Two شمخاني; T1 is the second (its context: «قال إن» before it).
    let old = "كتب شمخاني رسالة ثم قال إن شمخاني سيزور دمشق\n";
    std::fs::write(root.join("b.txt"), old).unwrap();
    std::fs::write(root.join("b.ann"), "T1\tPerson 27 33\tشمخاني\n").unwrap();
    let chars: Vec<char> = old.chars().collect();
    assert_eq!(chars[27..33].iter().collect::<String>(), "شمخاني");
    let mut c = TestClient::start();
    c.initialize(Some(&root), caps(false, &["utf-16"], false), Value::Null)
        .await;
    // The server sees the file once (opened and closed unchanged)…
    let b = file_uri(&root.join("b.txt"));
    c.open(&b, 1, old).await;
    c.diagnostics(&b, Some(1)).await;
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}))
        .await;
    // …then another program inserts 24 characters at the start: the first شمخاني (now 28) is
    // nearer the old place (27) than the second (51); only the context tells them apart.
    let new = format!("أمس نشرت الصحيفة الخبر: {old}");
    std::fs::write(root.join("b.txt"), &new).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": b, "type": 2}]}),
    )
    .await;
    let want = "T1\tPerson 51 57\tشمخاني\n";
    until_file(&root.join("b.ann"), |t| t == want).await;
    let nc: Vec<char> = new.chars().collect();
    assert_eq!(nc[51..57].iter().collect::<String>(), "شمخاني");
    c.shutdown().await;
}

#[tokio::test]
async fn the_annotator_setting_records_who_decided_and_hovers_say_so() {
    let (_dir, root) = corpus();
    let mut c = TestClient::start();
    c.initialize(
        Some(&root),
        caps(false, &["utf-16"], false),
        json!({"annotator": "Sara K"}),
    )
    .await;
    let uri = file_uri(&root.join("a.txt"));
    c.open(&uri, 1, TEXT).await;
    c.diagnostics(&uri, Some(1)).await;
    let actions = curation_actions(&mut c, &uri, range(0, 6, 0, 6)).await;
    run(&mut c, &actions[0]).await;
    assert_eq!(
        ann(&root),
        "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nA1\tAnnotator T1 Sara_K\n"
    );
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 6)}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with(
            "**Curated** (Person, `T1`): accepted as Ali Shamkhani (`ali-shamkhani`), by Sara_K"
        ),
        "{md}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn annotations_on_disk_move_with_typing_before_the_buffer_is_saved() {
    let (_dir, root) = corpus();
    std::fs::write(
        root.join("a.ann"),
        "T1\tPerson 4 14\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\n",
    )
    .unwrap();
    let (mut c, uri) = started(&root).await;
    // Typing before the name (unsaved): no stale finding, and the hover follows the name.
    c.change(
        &uri,
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "أمس "}]),
    )
    .await;
    let diags = c.diagnostics(&uri, Some(2)).await;
    assert!(
        diags.iter().all(|d| d["code"] != "stale-annotation"),
        "{diags:?}"
    );
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 10)}),
        )
        .await;
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**Curated** (Person, `T1`)"),
        "{h}"
    );
    // A decision made now lands beside the moved one; saving writes both at the saved text.
    let actions = curation_actions(&mut c, &uri, range(0, 24, 0, 24)).await;
    assert_eq!(actions[0]["title"], "Accept «دمشق» as Damascus");
    run(&mut c, &actions[0]).await;
    std::fs::write(root.join("a.txt"), format!("أمس {TEXT}")).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    let want = "T1\tPerson 8 18\tعلي شمخاني\nN1\tReference T1 khabar:ali-shamkhani\tAli Shamkhani\nT2\tPlace 23 27\tدمشق\nN2\tReference T2 khabar:damascus\tDamascus\n";
    until_file(&root.join("a.ann"), |t| t == want).await;
    c.shutdown().await;
}
