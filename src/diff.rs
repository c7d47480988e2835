//! Word-level differences inside a passage, computed with `similar` over
//! the project's own tokens (compared by folded form), reported as byte
//! spans into both original texts.
//!
//! The ops of one passage cover both token ranges completely and in order,
//! so they rebuild either side. A passage whose words are equal on both
//! sides is one `Equal` op without running a diff; past the optional
//! deadline `similar` returns a coarser diff rather than running on.

use std::ops::Range;
use std::time::Instant;

use serde::Serialize;
use similar::{capture_diff_slices_deadline, Algorithm};

use crate::span::Span;
use crate::tokenize::Tokens;

/// What a diff operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffTag {
    /// The words are the same (after folding) on both sides.
    Equal,
    /// Words only A has.
    Delete,
    /// Words only B has.
    Insert,
    /// A's words replaced by B's.
    Replace,
}

/// One run of the word diff between two token ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOp {
    /// Equal, delete, insert or replace.
    pub tag: DiffTag,
    /// Span in A (empty, at the insertion point, for an insert).
    pub a: Span,
    /// Span in B (empty, at the deletion point, for a delete).
    pub b: Span,
    /// Token range in A.
    pub a_tokens: Range<usize>,
    /// Token range in B.
    pub b_tokens: Range<usize>,
}

impl DiffTag {
    /// The tag seen from the other side (delete and insert swap).
    pub fn mirrored(self) -> DiffTag {
        match self {
            DiffTag::Delete => DiffTag::Insert,
            DiffTag::Insert => DiffTag::Delete,
            t => t,
        }
    }
}

impl DiffOp {
    /// The same op seen from the other document (A and B swapped).
    pub fn mirrored(&self) -> DiffOp {
        DiffOp {
            tag: self.tag.mirrored(),
            a: self.b,
            b: self.a,
            a_tokens: self.b_tokens.clone(),
            b_tokens: self.a_tokens.clone(),
        }
    }
}

/// Words on both sides together up to which a diff ignores its deadline.
/// Myers' diff (what patience falls back to) takes at most about
/// `(n + m)²` steps, four million here: milliseconds, where the deadline
/// ([`crate::Params::diff_time_limit`], 100 ms) is meant for passages of
/// many thousand words. Below it a deadline only made the diff of a short
/// passage coarser when the process was descheduled (issue 14: found by
/// the `align` fuzz target on a loaded machine).
pub const UNCAPPED_DIFF_WORDS: usize = 2_000;

/// The word diff between tokens `ar` of `a` and tokens `br` of `b`.
pub fn word_diff(a: &Tokens, ar: Range<usize>, b: &Tokens, br: Range<usize>) -> Vec<DiffOp> {
    word_diff_until(a, ar, b, br, None)
}

/// [`word_diff`] that gives up refining at `deadline` (the ops still cover
/// both ranges; unrefined stretches come back as one replace). Ranges of
/// at most [`UNCAPPED_DIFF_WORDS`] words together always get the full
/// diff, so their diff never depends on how busy the machine is.
pub fn word_diff_until(
    a: &Tokens,
    ar: Range<usize>,
    b: &Tokens,
    br: Range<usize>,
    deadline: Option<Instant>,
) -> Vec<DiffOp> {
    let ah: Vec<u64> = a.as_slice()[ar.clone()].iter().map(|t| t.hash).collect();
    let bh: Vec<u64> = b.as_slice()[br.clone()].iter().map(|t| t.hash).collect();
    let raw = if ah == bh {
        if ah.is_empty() {
            Vec::new()
        } else {
            vec![similar::DiffOp::Equal {
                old_index: 0,
                new_index: 0,
                len: ah.len(),
            }]
        }
    } else {
        let deadline = deadline.filter(|_| ah.len() + bh.len() > UNCAPPED_DIFF_WORDS);
        capture_diff_slices_deadline(Algorithm::Patience, &ah, &bh, deadline)
    };
    raw.into_iter()
        .map(|op| {
            let (tag, ra, rb) = op.as_tag_tuple();
            let at = ra.start + ar.start..ra.end + ar.start;
            let bt = rb.start + br.start..rb.end + br.start;
            DiffOp {
                tag: match tag {
                    similar::DiffTag::Equal => DiffTag::Equal,
                    similar::DiffTag::Delete => DiffTag::Delete,
                    similar::DiffTag::Insert => DiffTag::Insert,
                    similar::DiffTag::Replace => DiffTag::Replace,
                },
                a: token_range_span(a, &at, &ar),
                b: token_range_span(b, &bt, &br),
                a_tokens: at,
                b_tokens: bt,
            }
        })
        .collect()
}

/// The byte span of a token range; an empty range becomes an empty span at
/// the start of the next token of the passage (or the end of the last).
fn token_range_span(t: &Tokens, r: &Range<usize>, within: &Range<usize>) -> Span {
    if r.is_empty() {
        if r.start < within.end {
            Span::empty(t.get(r.start).span.start)
        } else if within.end > within.start {
            Span::empty(t.get(within.end - 1).span.end)
        } else {
            Span::empty(0)
        }
    } else {
        t.span_of(r.start, r.end - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_is_a_replace() {
        let a = "about 3,000 operations have been cancelled";
        let b = "almost 3000 operations were cancelled";
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let ops = word_diff(&ta, 0..ta.len(), &tb, 0..tb.len());
        let shown: Vec<(DiffTag, &str, &str)> = ops
            .iter()
            .map(|o| (o.tag, o.a.slice(a), o.b.slice(b)))
            .collect();
        assert_eq!(
            shown,
            vec![
                (DiffTag::Replace, "about", "almost"),
                (DiffTag::Equal, "3,000 operations", "3000 operations"),
                (DiffTag::Replace, "have been", "were"),
                (DiffTag::Equal, "cancelled", "cancelled"),
            ]
        );
    }

    #[test]
    fn equal_words_are_one_equal_op_and_mirroring_swaps_sides() {
        let a = "The BMA said";
        let b = "the bma SAID";
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let ops = word_diff(&ta, 0..3, &tb, 0..3);
        assert_eq!(ops.len(), 1);
        assert_eq!(
            (ops[0].tag, ops[0].a.slice(a), ops[0].b.slice(b)),
            (DiffTag::Equal, a, b)
        );
        let m = DiffOp {
            tag: DiffTag::Delete,
            ..ops[0].clone()
        }
        .mirrored();
        assert_eq!((m.tag, m.a.slice(b), m.b.slice(a)), (DiffTag::Insert, b, a));
    }

    #[test]
    fn ops_cover_both_sides_in_order() {
        let a = "one two three four five six";
        let b = "zero two three 4 five six seven";
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let ops = word_diff(&ta, 1..6, &tb, 0..7);
        let (mut na, mut nb) = (1, 0);
        for o in &ops {
            assert_eq!((o.a_tokens.start, o.b_tokens.start), (na, nb));
            na = o.a_tokens.end;
            nb = o.b_tokens.end;
        }
        assert_eq!((na, nb), (6, 7));
    }
}
