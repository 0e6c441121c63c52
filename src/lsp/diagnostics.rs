//! Findings as LSP diagnostics.
//!
//! `code` is the rule id and `source` is "khabar". Rules have no web page, so there is no
//! `codeDescription` (it must be a URL); the rule's help is shown by hovering the finding, and
//! its one-line summary travels in `data` for clients that show it. Fixes are not stored in
//! `data`: code actions recompute them from the current text, which is always fresh.

use super::convert;
use super::state::Problem;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::rules;
use crate::analysis::text::{Document, Encoding};
use serde_json::json;
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

pub const SOURCE: &str = "khabar";

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Hint => DiagnosticSeverity::HINT,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Error => DiagnosticSeverity::ERROR,
    }
}

pub fn to_lsp(doc: &Document, uri: &Uri, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: convert::range(doc, r.start, r.end, enc),
            },
            message: r.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: convert::range(doc, d.start, d.end, enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: rule_meta(d.rule)
            .map(|m| json!({ "summary": m.summary, "fixable": !d.fixes.is_empty() })),
    }
}

/// [`rules::meta`] without collecting every rule's metadata again for each finding: a large
/// article's push converts hundreds of findings per keystroke.
fn rule_meta(id: &str) -> Option<&'static rules::RuleMeta> {
    static ALL: std::sync::OnceLock<Vec<&'static rules::RuleMeta>> = std::sync::OnceLock::new();
    ALL.get_or_init(rules::all_meta)
        .iter()
        .copied()
        .find(|m| m.id == id)
}

pub fn all_to_lsp(
    doc: &Document,
    uri: &Uri,
    ds: &[Diagnostic],
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    ds.iter().map(|d| to_lsp(doc, uri, d, enc)).collect()
}

/// A configuration or KB problem. The file is not open, so the column is given as counted in
/// code points, which is the same in every encoding for the ASCII these files mostly hold.
pub fn problem_to_lsp(p: &Problem) -> lsp::Diagnostic {
    let pos = Position {
        line: p.line as u32,
        character: p.column as u32,
    };
    lsp::Diagnostic {
        range: Range {
            start: pos,
            end: pos,
        },
        severity: Some(DiagnosticSeverity::ERROR),
        code: None,
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: p.message.clone(),
        related_information: None,
        tags: None,
        data: None,
    }
}

/// The result id of an unopened article's report: its text and the folder's epoch (a reload
/// changes every article's findings), hashed. The same text under the same setup gets the same
/// id, so a client's `previousResultIds` spare re-analysing what did not change.
pub fn file_result_id(epoch: u64, text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    epoch.hash(&mut h);
    text.hash(&mut h);
    format!("{epoch}-{:016x}", h.finish())
}

/// An unopened article's report for `workspace/diagnostic`: unchanged when `previous` is its
/// current result id, else its findings (a read error becomes one finding at its place).
pub fn file_report(
    engine: &crate::analysis::Engine,
    path: &std::path::Path,
    epoch: u64,
    enc: Encoding,
    previous: Option<&str>,
) -> Option<lsp::WorkspaceDocumentDiagnosticReport> {
    let uri = convert::uri_of(path)?;
    let text = match crate::workspace::files::read_article(path, &path.display().to_string()) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = match &e {
                crate::workspace::LoadError::Source(s) => (s.line, s.column),
                crate::workspace::LoadError::Io { .. } => (1, 1),
            };
            let problem = Problem {
                path: path.to_path_buf(),
                line: line.saturating_sub(1),
                column: column.saturating_sub(1),
                message: e.to_string(),
            };
            return Some(full_report(uri, None, vec![problem_to_lsp(&problem)], None));
        }
    };
    let id = file_result_id(epoch, &text);
    if previous == Some(id.as_str()) {
        return Some(lsp::WorkspaceDocumentDiagnosticReport::Unchanged(
            lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                uri,
                version: None,
                unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                    result_id: id,
                },
            },
        ));
    }
    let analysis = engine.analyze(&text);
    let doc = Document::new(&text);
    let items = all_to_lsp(&doc, &uri, &analysis.diagnostics, enc);
    Some(full_report(uri, None, items, Some(id)))
}

pub fn full_report(
    uri: Uri,
    version: Option<i64>,
    items: Vec<lsp::Diagnostic>,
    result_id: Option<String>,
) -> lsp::WorkspaceDocumentDiagnosticReport {
    lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
        uri,
        version,
        full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport { result_id, items },
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn cached_metadata_is_the_rules_own() {
        for id in super::rules::ids().into_iter().chain(["no-such-rule"]) {
            assert_eq!(
                super::rule_meta(id).map(|m| m.id),
                super::rules::meta(id).map(|m| m.id)
            );
        }
    }
}
