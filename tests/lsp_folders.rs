//! Several workspace folders in one session: each article is analysed with its own folder's
//! `khabar.toml` and knowledge base.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};

const TEXT: &str = "قال مسؤول روسي ، إن الاجتماع في اللاذقية انتهى\n";

#[tokio::test]
async fn each_folder_uses_its_own_configuration_and_kb() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    // Folder a turns spacing off and knows Latakia; folder b has neither.
    std::fs::write(
        a.path().join("khabar.toml"),
        "kb = [\"kb.toml\"]\n[rules]\nspacing = \"off\"\n",
    )
    .unwrap();
    std::fs::write(
        a.path().join("kb.toml"),
        "[[entity]]\nid = \"latakia\"\nkind = \"place\"\nlabels = { ar = \"اللاذقية\", en = \"Latakia\" }\n",
    )
    .unwrap();
    std::fs::write(b.path().join("khabar.toml"), "").unwrap();
    for d in [&a, &b] {
        std::fs::write(d.path().join("x.txt"), TEXT).unwrap();
    }
    let mut c = TestClient::start();
    let params = json!({
        "processId": null,
        "rootUri": null,
        "capabilities": caps(false, &["utf-16"], false),
        "workspaceFolders": [
            {"uri": file_uri(a.path()), "name": "a"},
            {"uri": file_uri(b.path()), "name": "b"},
        ],
    });
    c.call("initialize", params).await;
    c.notify("initialized", json!({})).await;
    let (ua, ub) = (
        file_uri(&a.path().join("x.txt")),
        file_uri(&b.path().join("x.txt")),
    );
    c.open(&ua, 1, TEXT).await;
    c.open(&ub, 1, TEXT).await;
    let da = c.diagnostics(&ua, Some(1)).await;
    let db = c.diagnostics(&ub, Some(1)).await;
    assert!(
        !codes(&da).contains(&"spacing".to_string()),
        "folder a turned spacing off: {da:?}"
    );
    assert!(
        codes(&db).contains(&"spacing".to_string()),
        "folder b keeps spacing: {db:?}"
    );
    // Hover on اللاذقية: an entity in folder a only.
    let at = TEXT
        .find("اللاذقية")
        .map(|b| TEXT[..b].encode_utf16().count() as u32 + 2)
        .unwrap();
    let hover = |uri: &str| json!({"textDocument": {"uri": uri}, "position": pos(0, at)});
    let ha = c.call("textDocument/hover", hover(&ua)).await;
    let hb = c.call("textDocument/hover", hover(&ub)).await;
    assert!(ha.to_string().contains("Latakia"), "{ha}");
    assert!(
        hb == Value::Null || !hb.to_string().contains("Latakia"),
        "{hb}"
    );
    c.shutdown().await;
}
