//! Word-level differences inside a passage, computed with `similar` over
//! the project's own tokens (compared by folded form), reported as byte
//! spans into both original texts.

use std::ops::Range;

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm};

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

/// The word diff between tokens `ar` of `a` and tokens `br` of `b`.
pub fn word_diff(a: &Tokens, ar: Range<usize>, b: &Tokens, br: Range<usize>) -> Vec<DiffOp> {
    let ah: Vec<u64> = a.as_slice()[ar.clone()].iter().map(|t| t.hash).collect();
    let bh: Vec<u64> = b.as_slice()[br.clone()].iter().map(|t| t.hash).collect();
    capture_diff_slices(Algorithm::Patience, &ah, &bh)
        .into_iter()
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
}
