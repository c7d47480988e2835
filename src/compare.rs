//! `Comparison`: everything copydesk says about one pair of documents.
//!
//! [`compare`] tokenizes both texts, scores them from their exact shingle
//! sets, aligns their shared passages, diffs the wording inside each
//! passage and collects what each side has that the other lacks. Every
//! renderer (text, side-by-side, JSON, HTML) draws from this one result.

use std::cmp::Ordering;
use std::time::Instant;

use serde::Serialize;

use crate::align::{align_texts, canonical_order, Passage, PassageKind};
use crate::diff::{word_diff_until, DiffOp};
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
/// `compare(b, a)` is the mirror of `compare(a, b)`: the same passages
/// with the sides swapped, the same kinds, scores and verdict, the two
/// containments and coverages swapped.
///
/// ```
/// use copydesk::{compare, Params, Verdict};
/// let a = "Almost 3,000 operations were cancelled across England on Wednesday.";
/// let c = compare(a, a, &Params::default());
/// assert_eq!(c.verdict, Verdict::Duplicate);
/// assert_eq!(c.similarity.jaccard, 1.0);
/// ```
pub fn compare(a: &str, b: &str, params: &Params) -> Comparison {
    compare_texts(a, &Tokens::new(a), b, &Tokens::new(b), params)
}

/// Compares two texts whose tokens the caller already has (the corpus
/// report reuses tokens); `ta` must be `Tokens::new(a)` and `tb`
/// `Tokens::new(b)`.
pub fn compare_texts(a: &str, ta: &Tokens, b: &str, tb: &Tokens, params: &Params) -> Comparison {
    compare_sides(a, ta, b, tb, params)
}

fn compare_sides(a: &str, ta: &Tokens, b: &str, tb: &Tokens, params: &Params) -> Comparison {
    // Work in the aligner's canonical order, so that every tie (in the
    // alignment and in the word diff) is broken the same way whichever
    // document comes first.
    if canonical_order(ta, tb) == Ordering::Greater {
        compare_oriented(b, tb, a, ta, params).mirrored()
    } else {
        compare_oriented(a, ta, b, tb, params)
    }
}

fn compare_oriented(a: &str, ta: &Tokens, b: &str, tb: &Tokens, params: &Params) -> Comparison {
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
    let passages: Vec<SharedPassage> = align_texts(a, ta, b, tb, params)
        .into_iter()
        .map(|p| {
            let deadline = Instant::now().checked_add(params.diff_time_limit);
            let ops = word_diff_until(ta, p.a_tokens.clone(), tb, p.b_tokens.clone(), deadline);
            SharedPassage { passage: p, ops }
        })
        .collect();
    let (unique_a, coverage_a) = uncovered(ta, passages.iter().map(|p| p.passage.a_tokens.clone()));
    let (unique_b, coverage_b) = uncovered(tb, passages.iter().map(|p| p.passage.b_tokens.clone()));
    let mut c = Comparison {
        similarity,
        verdict: Verdict::Distinct,
        passages,
        unique_a,
        unique_b,
        coverage_a,
        coverage_b,
    };
    c.verdict = verdict(&c, (ta.len(), tb.len()), params);
    c
}

impl Comparison {
    /// The same comparison seen from the other document (A and B swapped).
    pub fn mirrored(&self) -> Comparison {
        let s = &self.similarity;
        let mut passages: Vec<SharedPassage> = self
            .passages
            .iter()
            .map(|p| SharedPassage {
                passage: p.passage.mirrored(),
                ops: p.ops.iter().map(DiffOp::mirrored).collect(),
            })
            .collect();
        passages.sort_by_key(|p| p.passage.a_tokens.start);
        Comparison {
            similarity: Similarity {
                jaccard: s.jaccard,
                containment_a: s.containment_b,
                containment_b: s.containment_a,
                shingle_size: s.shingle_size,
                shingles_a: s.shingles_b,
                shingles_b: s.shingles_a,
            },
            verdict: self.verdict,
            passages,
            unique_a: self.unique_b.clone(),
            unique_b: self.unique_a.clone(),
            coverage_a: self.coverage_b,
            coverage_b: self.coverage_a,
        }
    }

    /// How strongly A reuses B, from 0 (no shared passage) towards 1 (A
    /// copied verbatim from B): the reuse level of A, as in plagiarism
    /// grading (copied > lightly edited > rewritten > independent).
    ///
    /// It is *how faithfully* A's shared words were taken, times *how sure*
    /// it is that A reuses B at all:
    ///
    /// - faithfulness: the mean, over A's words inside passages, of their
    ///   passage's copy intensity: 1 for verbatim, the passage's score (its
    ///   share of matched words) for edited, [`PARAPHRASE_INTENSITY`] for a
    ///   paraphrase;
    /// - certainty: `1 - exp(-s / REUSE_CERTAINTY_SCALE)` where `s` is the
    ///   share of A's words inside passages (`coverage_a`).
    ///
    /// The amount enters only through certainty, because the level of
    /// reuse is about how text was taken, not how much of it: a third of
    /// an answer pasted from a source is a cut-and-paste, the whole answer
    /// reworded is a rewrite. 0 for a text without words.
    pub fn reuse_a(&self) -> f64 {
        self.reuse(true)
    }

    /// How strongly B reuses A (see [`Comparison::reuse_a`]).
    pub fn reuse_b(&self) -> f64 {
        self.reuse(false)
    }

    fn reuse(&self, side_a: bool) -> f64 {
        let (mut inside, mut intensity) = (0.0, 0.0);
        for p in &self.passages {
            let q = &p.passage;
            let n = if side_a {
                q.a_tokens.len()
            } else {
                q.b_tokens.len()
            } as f64;
            inside += n;
            intensity += n * match q.kind {
                PassageKind::Verbatim => 1.0,
                PassageKind::Edited => q.score,
                PassageKind::Paraphrase => PARAPHRASE_INTENSITY,
            };
        }
        if inside == 0.0 {
            return 0.0;
        }
        // The share of the side inside passages is its coverage.
        let share = if side_a {
            self.coverage_a
        } else {
            self.coverage_b
        };
        intensity / inside * (1.0 - (-share / REUSE_CERTAINTY_SCALE).exp())
    }
}

/// Copy intensity of a paraphrase passage's words in
/// [`Comparison::reuse_a`]: the same facts in other words, halfway between
/// no reuse and a verbatim copy; an edited passage scores between it and 1
/// (its share of matched words is above one half by construction).
pub const PARAPHRASE_INTENSITY: f64 = 0.5;

/// Share of a text inside shared passages at which
/// [`Comparison::reuse_a`] is 63% sure the text reuses the other (a tenth:
/// one paragraph of a short article); a third gives 96%. A round value,
/// not fitted: on the Clough-Stevenson corpus 0.05 to 0.15 give AUC
/// 0.979-0.980 and rho 0.857-0.859 (README, "Evaluation").
pub const REUSE_CERTAINTY_SCALE: f64 = 0.1;

/// The verdict rule, documented in README.md ("Verdicts and thresholds").
///
/// - `duplicate`: shingle Jaccard at least `duplicate_jaccard`;
/// - `near-duplicate`: Jaccard at least `near_duplicate_jaccard`, or the
///   shorter document (in words; both when equal) is contained in the
///   longer (shingle containment, or the share of its words inside
///   verbatim and edited passages) at least `near_duplicate_containment`
///   while being at least `near_duplicate_min_ratio` of the longer's length;
/// - `partial`: at least one verbatim or edited passage;
/// - `distinct`: otherwise (paraphrases alone are shared facts, not copying).
///
/// Every input is symmetric in A and B, so the verdict is too.
fn verdict(c: &Comparison, (words_a, words_b): (usize, usize), params: &Params) -> Verdict {
    let s = &c.similarity;
    if s.jaccard >= params.duplicate_jaccard {
        return Verdict::Duplicate;
    }
    let copied_a = copied_share(c, true, words_a);
    let copied_b = copied_share(c, false, words_b);
    let held = |containment: f64, copied: f64| containment.max(copied);
    let contained = match words_a.cmp(&words_b) {
        Ordering::Less => held(s.containment_a, copied_a),
        Ordering::Greater => held(s.containment_b, copied_b),
        Ordering::Equal => held(s.containment_a, copied_a).max(held(s.containment_b, copied_b)),
    };
    let (short, long) = (words_a.min(words_b), words_a.max(words_b));
    let ratio = if long == 0 {
        1.0
    } else {
        short as f64 / long as f64
    };
    if s.jaccard >= params.near_duplicate_jaccard
        || (contained >= params.near_duplicate_containment
            && ratio >= params.near_duplicate_min_ratio)
    {
        Verdict::NearDuplicate
    } else if c
        .passages
        .iter()
        .any(|p| p.passage.kind != PassageKind::Paraphrase)
    {
        Verdict::Partial
    } else {
        Verdict::Distinct
    }
}

/// Share of one side's words inside verbatim or edited passages.
fn copied_share(c: &Comparison, side_a: bool, words: usize) -> f64 {
    if words == 0 {
        return 0.0;
    }
    let inside: usize = c
        .passages
        .iter()
        .filter(|p| p.passage.kind != PassageKind::Paraphrase)
        .map(|p| {
            if side_a {
                p.passage.a_tokens.len()
            } else {
                p.passage.b_tokens.len()
            }
        })
        .sum();
    inside as f64 / words as f64
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
