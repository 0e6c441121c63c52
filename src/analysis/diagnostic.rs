//! What the rules report: a finding with a code-point range, related places and certain fixes.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "hint" => Some(Severity::Hint),
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Another place that explains a finding (the first copy of a duplicated line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// One text replacement, in code points of the article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub new_text: String,
}

/// A fix offered only where it is certain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        start: usize,
        end: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            start,
            end,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_related(mut self, start: usize, end: usize, message: impl Into<String>) -> Self {
        self.related.push(Related {
            start,
            end,
            message: message.into(),
        });
        self
    }

    /// Adds a one-edit fix.
    pub fn with_fix(
        mut self,
        title: impl Into<String>,
        start: usize,
        end: usize,
        new_text: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits: vec![Edit {
                start,
                end,
                new_text: new_text.into(),
            }],
        });
        self
    }
}
