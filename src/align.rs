//! Passages shared by two documents.
//!
//! Input: the two texts' [`Tokens`] and [`Params`]. Output: [`Passage`]s,
//! each a pair of token ranges (and byte spans) with a kind, a score and
//! whether it moved. Token ranges never overlap within one side.
//! This module decides *what* is shared; [`crate::diff`] says *how* the
//! wording differs inside each passage.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::params::Params;
use crate::span::Span;
use crate::tokenize::Tokens;

/// How a shared passage relates the two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PassageKind {
    /// Identical after normalisation.
    Verbatim,
    /// The same passage with words substituted, inserted or deleted.
    Edited,
    /// The same fact, figure or quote told in other words.
    Paraphrase,
}

impl PassageKind {
    /// The name used in every output format.
    pub fn as_str(&self) -> &'static str {
        match self {
            PassageKind::Verbatim => "verbatim",
            PassageKind::Edited => "edited",
            PassageKind::Paraphrase => "paraphrase",
        }
    }
}

/// One passage shared by documents A and B.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Byte span in A's text (first token's start to last token's end).
    pub a: Span,
    /// Byte span in B's text.
    pub b: Span,
    /// Token range in A, end-exclusive.
    pub a_tokens: Range<usize>,
    /// Token range in B, end-exclusive.
    pub b_tokens: Range<usize>,
    /// Verbatim, edited or paraphrase.
    pub kind: PassageKind,
    /// True when the passage sits at another place in B than A's order of
    /// passages predicts (a paragraph moved).
    pub moved: bool,
    /// Strength of the match, 0..=1 (1 for verbatim).
    pub score: f64,
}

/// The passages shared by `a` and `b`, in A's order.
pub fn align(a: &Tokens, b: &Tokens, params: &Params) -> Vec<Passage> {
    let min = params.min_passage_words.max(1);
    if a.len() < min || b.len() < min {
        return Vec::new();
    }
    let ah: Vec<u64> = a.hashes().collect();
    let bh: Vec<u64> = b.hashes().collect();
    // Every position of each `min`-word window of B.
    let mut windows: HashMap<&[u64], Vec<usize>> = HashMap::new();
    for (j, w) in bh.windows(min).enumerate() {
        windows.entry(w).or_default().push(j);
    }
    let mut used_b = vec![false; bh.len()];
    let mut passages = Vec::new();
    let mut i = 0;
    while i + min <= ah.len() {
        let mut best: Option<(usize, usize)> = None;
        if let Some(starts) = windows.get(&ah[i..i + min]) {
            for &j in starts {
                if used_b[j] {
                    continue;
                }
                let mut len = 0;
                while i + len < ah.len()
                    && j + len < bh.len()
                    && ah[i + len] == bh[j + len]
                    && !used_b[j + len]
                {
                    len += 1;
                }
                if len >= min && best.is_none_or(|(_, l)| len > l) {
                    best = Some((j, len));
                }
            }
        }
        match best {
            Some((j, len)) => {
                used_b[j..j + len].iter_mut().for_each(|u| *u = true);
                passages.push(Passage {
                    a: a.span_of(i, i + len - 1),
                    b: b.span_of(j, j + len - 1),
                    a_tokens: i..i + len,
                    b_tokens: j..j + len,
                    kind: PassageKind::Verbatim,
                    moved: false,
                    score: 1.0,
                });
                i += len;
            }
            None => i += 1,
        }
    }
    passages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_verbatim_run() {
        let a = "Intro here. The quick brown fox jumps over the lazy dog. End.";
        let b = "Other text: the quick brown fox jumps over the lazy dog!";
        let ps = align(&Tokens::new(a), &Tokens::new(b), &Params::default());
        assert_eq!(ps.len(), 1);
        assert_eq!(
            ps[0].a.slice(a),
            "The quick brown fox jumps over the lazy dog"
        );
        assert_eq!(
            ps[0].b.slice(b),
            "the quick brown fox jumps over the lazy dog"
        );
        assert_eq!(ps[0].kind, PassageKind::Verbatim);
    }
}
