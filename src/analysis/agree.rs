//! Agreement between two annotators: span precision, recall and F1 (exact and overlapping) and
//! Cohen's kappa on token labels, with the disagreements listed.
//!
//! Annotator A is taken as the reference and B as the prediction; F1 is symmetric, precision and
//! recall swap if the folders do. Kappa is over every token of every article (label = the type
//! of the span covering it, or O), the usual chance-corrected agreement for sequence labelling.

use super::export::{tokens, Span};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn prf(matched_b: usize, n_b: usize, matched_a: usize, n_a: usize) -> Prf {
    let precision = if n_b == 0 {
        1.0
    } else {
        matched_b as f64 / n_b as f64
    };
    let recall = if n_a == 0 {
        1.0
    } else {
        matched_a as f64 / n_a as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Prf {
        precision,
        recall,
        f1,
    }
}

/// A span one annotator has and the other does not (exactly).
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    pub article: String,
    pub only_in: char,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Agreement {
    pub exact: Prf,
    pub overlap: Prf,
    pub kappa: f64,
    pub tokens: usize,
    pub disagreements: Vec<Disagreement>,
}

fn token_labels(text: &str, spans: &[Span]) -> Vec<String> {
    tokens(text)
        .iter()
        .map(|t| {
            spans
                .iter()
                .find(|s| t.start < s.end && s.start < t.end)
                .map(|s| s.label.clone())
                .unwrap_or_else(|| "O".into())
        })
        .collect()
}

/// Counts the spans of `side` that the other annotator has exactly and overlapping (same type),
/// recording the ones it lacks exactly as disagreements.
fn compare_side(
    article: &str,
    who: char,
    side: &[Span],
    other: &[Span],
    dis: &mut Vec<Disagreement>,
) -> (usize, usize) {
    let (mut exact, mut overlap) = (0, 0);
    for s in side {
        if other
            .iter()
            .any(|t| t.start == s.start && t.end == s.end && t.label == s.label)
        {
            exact += 1;
        } else {
            dis.push(Disagreement {
                article: article.to_string(),
                only_in: who,
                span: s.clone(),
            });
        }
        overlap += usize::from(
            other
                .iter()
                .any(|t| s.start < t.end && t.start < s.end && t.label == s.label),
        );
    }
    (exact, overlap)
}

/// Compares annotations article by article: `(article, text, spans of A, spans of B)`.
pub fn agree(articles: &[(String, String, Vec<Span>, Vec<Span>)]) -> Agreement {
    let (mut na, mut nb, mut exact_a, mut exact_b, mut over_a, mut over_b) = (0, 0, 0, 0, 0, 0);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut dis = Vec::new();
    for (name, text, a, b) in articles {
        na += a.len();
        nb += b.len();
        let (e, o) = compare_side(name, 'A', a, b, &mut dis);
        exact_a += e;
        over_a += o;
        let (e, o) = compare_side(name, 'B', b, a, &mut dis);
        exact_b += e;
        over_b += o;
        pairs.extend(token_labels(text, a).into_iter().zip(token_labels(text, b)));
    }
    let n = pairs.len();
    let kappa = if n == 0 {
        1.0
    } else {
        let po = pairs.iter().filter(|(x, y)| x == y).count() as f64 / n as f64;
        let mut fa: BTreeMap<&str, usize> = BTreeMap::new();
        let mut fb: BTreeMap<&str, usize> = BTreeMap::new();
        for (x, y) in &pairs {
            *fa.entry(x).or_default() += 1;
            *fb.entry(y).or_default() += 1;
        }
        let pe: f64 = fa
            .iter()
            .map(|(k, &c)| c as f64 / n as f64 * fb.get(k).copied().unwrap_or(0) as f64 / n as f64)
            .sum();
        if (1.0 - pe).abs() < f64::EPSILON {
            1.0
        } else {
            (po - pe) / (1.0 - pe)
        }
    };
    dis.sort_by(|x, y| {
        (&x.article, x.span.start, x.only_in).cmp(&(&y.article, y.span.start, y.only_in))
    });
    Agreement {
        exact: prf(exact_b, nb, exact_a, na),
        overlap: prf(over_b, nb, over_a, na),
        kappa,
        tokens: n,
        disagreements: dis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(start: usize, end: usize, label: &str) -> Span {
        Span {
            start,
            end,
            label: label.into(),
            entity: None,
        }
    }

    /// Worked by hand. Text tokens: زار(0-3) علي(4-7) شمخاني(8-14) دمشق(15-19) أمس(20-23).
    /// A: Person 4-14, Place 15-19. B: Person 8-14, Place 15-19, Place 20-23.
    /// Exact: 1 shared (Place 15-19): P = 1/3, R = 1/2, F1 = 2·(1/3·1/2)/(5/6) = 0.4.
    /// Overlap: A's both overlap B (2/2); of B, Person 8-14 and Place 15-19 overlap A (2/3):
    /// P = 2/3, R = 1, F1 = 0.8.
    /// Token labels A: O P P L O; B: O O P L L. Agreement po = 3/5.
    /// A: O 2, P 2, L 1; B: O 2, P 1, L 2 → pe = (2·2 + 2·1 + 1·2)/25 = 8/25.
    /// κ = (3/5 − 8/25)/(1 − 8/25) = (7/25)/(17/25) = 7/17.
    #[test]
    fn matches_the_hand_computed_case() {
        let text = "زار علي شمخاني دمشق أمس".to_string();
        let a = vec![s(4, 14, "Person"), s(15, 19, "Place")];
        let b = vec![s(8, 14, "Person"), s(15, 19, "Place"), s(20, 23, "Place")];
        let r = agree(&[("a.txt".into(), text, a, b)]);
        let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
        assert!(
            close(r.exact.precision, 1.0 / 3.0)
                && close(r.exact.recall, 0.5)
                && close(r.exact.f1, 0.4),
            "{r:?}"
        );
        assert!(
            close(r.overlap.precision, 2.0 / 3.0)
                && close(r.overlap.recall, 1.0)
                && close(r.overlap.f1, 0.8),
            "{r:?}"
        );
        assert!(close(r.kappa, 7.0 / 17.0), "{}", r.kappa);
        assert_eq!(r.tokens, 5);
        assert_eq!(r.disagreements.len(), 3);
    }

    #[test]
    fn identical_annotations_agree_fully() {
        let text = "زار علي شمخاني دمشق".to_string();
        let a = vec![s(4, 14, "Person")];
        let r = agree(&[("a.txt".into(), text, a.clone(), a)]);
        assert_eq!((r.exact.f1, r.kappa), (1.0, 1.0));
        assert!(r.disagreements.is_empty());
    }
}
