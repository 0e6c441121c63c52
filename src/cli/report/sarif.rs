//! SARIF 2.1.0 for code-scanning dashboards.
//!
//! Columns are code points (`columnKind: "unicodeCodePoints"`, set explicitly because the
//! default is UTF-16 units), artifact URIs are relative to `%SRCROOT%` and percent-encoded (corpus
//! file names are often Arabic), and every rule carries its metadata and help.

use super::FileResult;
use crate::analysis::diagnostic::Severity;
use crate::analysis::rules::{all_meta, RuleMeta};
use crate::analysis::text::LineIndex;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// What a URI path segment must escape (RFC 3986 unreserved and `/` stay).
const URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, URI).to_string()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule_json(m: &RuleMeta) -> Value {
    json!({
        "id": m.id,
        "name": pascal(m.id),
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": m.summary },
        "defaultConfiguration": { "level": level(m.default_severity) },
        "help": { "text": m.help, "markdown": m.help },
    })
}

/// The SARIF log, rendered whole at the end: its results sit deep inside one pretty-printed
/// document.
pub struct Sarif {
    pub root: std::path::PathBuf,
}

impl super::Reporter for Sarif {
    fn keeps_findings(&self) -> bool {
        true
    }

    fn write(
        &self,
        out: &mut dyn Write,
        files: &[FileResult],
        _totals: super::Totals,
    ) -> anyhow::Result<()> {
        write(out, files, &self.root)
    }
}

fn write(out: &mut dyn Write, files: &[FileResult], root: &Path) -> anyhow::Result<()> {
    let metas = all_meta();
    let mut results = Vec::new();
    for f in files {
        let li = LineIndex::new(&f.text);
        let uri = encode_path(&f.path);
        let region = |start: usize, end: usize| {
            let (l0, c0) = li.line_col(start);
            let (l1, c1) = li.line_col(end);
            json!({
                "startLine": l0 + 1, "startColumn": c0 + 1, "endLine": l1 + 1, "endColumn": c1 + 1,
                "charOffset": start, "charLength": end.saturating_sub(start),
            })
        };
        let location = |start: usize, end: usize| {
            json!({ "physicalLocation": {
                "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                "region": region(start, end),
            }})
        };
        for d in &f.diagnostics {
            let mut r = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [location(d.start, d.end)],
            });
            if let Some(i) = metas.iter().position(|m| m.id == d.rule) {
                r["ruleIndex"] = json!(i);
            }
            if !d.related.is_empty() {
                let rel: Vec<Value> = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let mut l = location(x.start, x.end);
                        l["id"] = json!(i + 1);
                        l["message"] = json!({ "text": x.message });
                        l
                    })
                    .collect();
                r["relatedLocations"] = json!(rel);
            }
            if !d.fixes.is_empty() {
                let fixes: Vec<Value> = d
                    .fixes
                    .iter()
                    .map(|fx| {
                        json!({
                            "description": { "text": fx.title },
                            "artifactChanges": [{
                                "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                                "replacements": fx.edits.iter().map(|e| json!({
                                    "deletedRegion": { "charOffset": e.start, "charLength": e.end.saturating_sub(e.start) },
                                    "insertedContent": { "text": e.new_text },
                                })).collect::<Vec<_>>(),
                            }],
                        })
                    })
                    .collect();
                r["fixes"] = json!(fixes);
            }
            results.push(r);
        }
    }
    let root_uri = format!(
        "file://{}/",
        encode_path(&root.display().to_string()).trim_end_matches('/')
    );
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "khabar",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": metas.iter().map(|m| rule_json(m)).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")?;
    Ok(())
}
