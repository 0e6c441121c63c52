//! Reporters for `khabar check`: one module per output format.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::analysis::diagnostic::Diagnostic;

/// One checked article.
pub struct FileResult {
    /// Relative to the corpus root, with `/`.
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}
