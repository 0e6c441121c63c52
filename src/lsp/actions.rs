//! Code actions: every finding's fixes as quick fixes, and "fix all of this rule in this file".
//!
//! Actions are planned here over code-point edits from a fresh analysis of the current text
//! (never from fixes cached in a diagnostic's `data`, which may describe an older text); the
//! server turns them into a `WorkspaceEdit`.

use crate::analysis::diagnostic::{Diagnostic, Edit};
use std::collections::BTreeMap;

/// One action to offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub title: String,
    pub rule: &'static str,
    /// Sorted, non-overlapping.
    pub edits: Vec<Edit>,
    pub preferred: bool,
    /// The findings it fixes (indexes into the analysis' diagnostics).
    pub fixes: Vec<usize>,
}

/// The actions for findings that touch `start..end` (code points; a cursor is an empty range).
pub fn plan(diagnostics: &[Diagnostic], start: usize, end: usize) -> Vec<Plan> {
    let mut out = Vec::new();
    let mut rules_here: Vec<&'static str> = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if d.fixes.is_empty() || !(d.start <= end && start <= d.end) {
            continue;
        }
        for (k, fix) in d.fixes.iter().enumerate() {
            let Some(edits) = clean(fix.edits.clone()) else {
                continue;
            };
            out.push(Plan {
                title: fix.title.clone(),
                rule: d.rule,
                edits,
                preferred: k == 0,
                fixes: vec![i],
            });
        }
        if !rules_here.contains(&d.rule) {
            rules_here.push(d.rule);
        }
    }
    for rule in rules_here {
        let all: Vec<usize> = diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| d.rule == rule && !d.fixes.is_empty())
            .map(|(i, _)| i)
            .collect();
        if all.len() < 2 {
            continue;
        }
        // The first fix of each finding, skipping any that would overlap one already taken.
        let mut taken: BTreeMap<(usize, usize), Edit> = BTreeMap::new();
        let mut fixed = Vec::new();
        'findings: for &i in &all {
            let Some(edits) = diagnostics[i]
                .fixes
                .first()
                .and_then(|f| clean(f.edits.clone()))
            else {
                continue;
            };
            for e in &edits {
                if taken.values().any(|t| overlaps(t, e)) {
                    continue 'findings;
                }
            }
            for e in edits {
                taken.insert((e.start, e.end), e);
            }
            fixed.push(i);
        }
        out.push(Plan {
            title: format!("fix all {rule} in this file ({} findings)", fixed.len()),
            rule,
            edits: taken.into_values().collect(),
            preferred: false,
            fixes: fixed,
        });
    }
    out
}

/// Two edits conflict when their ranges overlap, or when both insert at the same place (their
/// order would be ambiguous).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    (a.start < b.end && b.start < a.end)
        || (a.start == b.start && (a.start == a.end || b.start == b.end))
}

/// A fix's edits sorted, or `None` if they overlap each other.
fn clean(mut edits: Vec<Edit>) -> Option<Vec<Edit>> {
    edits.sort_by_key(|e| (e.start, e.end));
    for w in edits.windows(2) {
        if overlaps(&w[0], &w[1]) {
            return None;
        }
    }
    Some(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diagnostic::Severity;

    fn d(start: usize, end: usize, new: &str) -> Diagnostic {
        Diagnostic::new("spacing", Severity::Warning, start, end, "m")
            .with_fix("fix it", start, end, new)
    }

    #[test]
    fn quick_fixes_and_fix_all() {
        let ds = vec![
            d(0, 2, "a"),
            d(5, 6, "b"),
            d(5, 7, "c"),
            Diagnostic::new("zwnj", Severity::Hint, 0, 1, "m"),
        ];
        let plans = plan(&ds, 1, 1);
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].title, "fix it");
        assert!(plans[0].preferred);
        assert_eq!(plans[1].title, "fix all spacing in this file (2 findings)");
        let spans: Vec<(usize, usize)> = plans[1].edits.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(
            spans,
            vec![(0, 2), (5, 6)],
            "the overlapping third fix is left out"
        );
        assert!(plan(&ds, 3, 4).is_empty());
    }
}
