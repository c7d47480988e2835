//! `Comparison`: everything copydesk says about one pair of documents.
//!
//! [`compare`] tokenizes both texts, scores them from their exact shingle
//! sets, aligns their shared passages, diffs the wording inside each
//! passage and collects what each side has that the other lacks. Every
//! renderer (text, side-by-side, JSON, HTML) draws from this one result.

use serde::Serialize;

use crate::align::{align, Passage, PassageKind};
use crate::diff::{word_diff, DiffOp};
use crate::params::Params;
use crate::shingle::ShingleSet;
use crate::span::Span;
use crate::tokenize::Tokens;

/// Similarity scores from the exact shingle sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Similarity {
    /// |A ∩ B| / |A ∪ B| over word shingles.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// Words per shingle.
    pub shingle_size: usize,
    /// Distinct shingles in A.
    pub shingles_a: usize,
    /// Distinct shingles in B.
    pub shingles_b: usize,
}

/// The overall relation of two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The same text (Jaccard at or above the duplicate threshold).
    Duplicate,
    /// A copy with edits, or one side mostly contained in the other.
    NearDuplicate,
    /// Some passages shared, most of the text not.
    Partial,
    /// Nothing shared beyond coincidence.
    Distinct,
}

impl Verdict {
    /// The name used in every output format.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Duplicate => "duplicate",
            Verdict::NearDuplicate => "near-duplicate",
            Verdict::Partial => "partial",
            Verdict::Distinct => "distinct",
        }
    }
}

/// A shared passage with the word diff inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedPassage {
    /// Where the passage is in both documents, its kind and score.
    pub passage: Passage,
    /// How the wording differs, run by run, covering the whole passage.
    pub ops: Vec<DiffOp>,
}

/// The result of comparing document A with document B.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Exact shingle-set scores.
    pub similarity: Similarity,
    /// Duplicate, near-duplicate, partial or distinct.
    pub verdict: Verdict,
    /// Shared passages in A's order.
    pub passages: Vec<SharedPassage>,
    /// Runs of A's words in no passage.
    pub unique_a: Vec<Span>,
    /// Runs of B's words in no passage.
    pub unique_b: Vec<Span>,
    /// Share of A's words inside passages.
    pub coverage_a: f64,
    /// Share of B's words inside passages.
    pub coverage_b: f64,
}

/// Compares two texts.
///
/// ```
/// use copydesk::{compare, Params, Verdict};
/// let a = "Almost 3,000 operations were cancelled across England on Wednesday.";
/// let c = compare(a, a, &Params::default());
/// assert_eq!(c.verdict, Verdict::Duplicate);
/// assert_eq!(c.similarity.jaccard, 1.0);
/// ```
pub fn compare(a: &str, b: &str, params: &Params) -> Comparison {
    compare_tokens(&Tokens::new(a), &Tokens::new(b), params)
}

/// Compares two already tokenized texts (the corpus report reuses tokens).
pub fn compare_tokens(ta: &Tokens, tb: &Tokens, params: &Params) -> Comparison {
    let ah: Vec<u64> = ta.hashes().collect();
    let bh: Vec<u64> = tb.hashes().collect();
    let sa = ShingleSet::from_token_hashes(&ah, params.shingle_size);
    let sb = ShingleSet::from_token_hashes(&bh, params.shingle_size);
    let similarity = Similarity {
        jaccard: sa.jaccard(&sb),
        containment_a: sa.containment_in(&sb),
        containment_b: sb.containment_in(&sa),
        shingle_size: params.shingle_size,
        shingles_a: sa.len(),
        shingles_b: sb.len(),
    };
    let passages: Vec<SharedPassage> = align(ta, tb, params)
        .into_iter()
        .map(|p| {
            let ops = word_diff(ta, p.a_tokens.clone(), tb, p.b_tokens.clone());
            SharedPassage { passage: p, ops }
        })
        .collect();
    let (unique_a, coverage_a) = uncovered(ta, passages.iter().map(|p| p.passage.a_tokens.clone()));
    let (unique_b, coverage_b) = uncovered(tb, passages.iter().map(|p| p.passage.b_tokens.clone()));
    let verdict = verdict(&similarity, &passages, params);
    Comparison {
        similarity,
        verdict,
        passages,
        unique_a,
        unique_b,
        coverage_a,
        coverage_b,
    }
}

/// The verdict rule, documented in README.md.
fn verdict(s: &Similarity, passages: &[SharedPassage], params: &Params) -> Verdict {
    let contained = s.containment_a.max(s.containment_b);
    if s.jaccard >= params.duplicate_jaccard {
        Verdict::Duplicate
    } else if s.jaccard >= params.near_duplicate_jaccard
        || contained >= params.near_duplicate_containment
    {
        Verdict::NearDuplicate
    } else if passages
        .iter()
        .any(|p| p.passage.kind != PassageKind::Paraphrase)
    {
        Verdict::Partial
    } else {
        Verdict::Distinct
    }
}

/// Maximal runs of tokens outside `covered` ranges, as spans, and the share
/// of tokens covered.
fn uncovered(
    t: &Tokens,
    covered: impl Iterator<Item = std::ops::Range<usize>>,
) -> (Vec<Span>, f64) {
    let mut is_covered = vec![false; t.len()];
    for r in covered {
        is_covered[r].iter_mut().for_each(|c| *c = true);
    }
    let mut spans = Vec::new();
    let mut run: Option<usize> = None;
    for (i, &c) in is_covered.iter().enumerate() {
        match (c, run) {
            (false, None) => run = Some(i),
            (true, Some(s)) => {
                spans.push(t.span_of(s, i - 1));
                run = None;
            }
            _ => {}
        }
    }
    if let Some(s) = run {
        spans.push(t.span_of(s, t.len() - 1));
    }
    let n = is_covered.iter().filter(|&&c| c).count();
    let share = if t.is_empty() {
        1.0
    } else {
        n as f64 / t.len() as f64
    };
    (spans, share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_are_one_verbatim_passage() {
        let a = "The BMA said the offer was not enough. Ministers will impose the contract.";
        let c = compare(a, a, &Params::default());
        assert_eq!(c.verdict, Verdict::Duplicate);
        assert_eq!(c.passages.len(), 1);
        assert_eq!(c.passages[0].passage.a.slice(a), &a[..a.len() - 1]);
        assert!(c.unique_a.is_empty() && c.unique_b.is_empty());
    }

    #[test]
    fn unique_material_is_reported_per_side() {
        let a = "Local reaction first. The quick brown fox jumps over the lazy dog.";
        let b = "The quick brown fox jumps over the lazy dog. A footer line.";
        let c = compare(a, b, &Params::default());
        let ua: Vec<&str> = c.unique_a.iter().map(|s| s.slice(a)).collect();
        let ub: Vec<&str> = c.unique_b.iter().map(|s| s.slice(b)).collect();
        assert_eq!(ua, ["Local reaction first"]);
        assert_eq!(ub, ["A footer line"]);
    }
}
