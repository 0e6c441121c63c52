//! Errors from parsing a user's file (knowledge base, configuration, annotations).
//!
//! Analysis of text cannot fail; reading what a user wrote can, and then the user needs to know
//! where: every error names the file, the line and the column (1-based, columns in code points).

use thiserror::Error;

/// An error in a user's file, located.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{file}:{line}:{column}: {message}")]
pub struct SourceError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in code points.
    pub column: usize,
    pub message: String,
}

impl SourceError {
    /// Locates byte offset `byte` of `text` (clamped) for an error about file `file`.
    pub fn at_byte(file: &str, text: &str, byte: usize, message: impl Into<String>) -> Self {
        let mut byte = byte.min(text.len());
        while !text.is_char_boundary(byte) {
            byte -= 1;
        }
        let before = &text[..byte];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        SourceError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Turns a `toml` deserialisation error into a located one; the message keeps toml's first
    /// line, which says what was expected.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        let byte = err.span().map(|s| s.start).unwrap_or(0);
        let message = err.message().trim().to_string();
        SourceError::at_byte(file, text, byte, message)
    }
}
