//! Passages shared by two documents.
//!
//! Input: the two texts' [`Tokens`] (and the texts themselves, for
//! paraphrases) and [`Params`]. Output: [`Passage`]s, each a pair of token
//! ranges (and byte spans) with a kind, a score and whether it moved. Token
//! ranges never overlap within one side. This module decides *what* is
//! shared; [`crate::diff`] says *how* the wording differs inside each
//! passage. It does no I/O and never fails: expensive steps are capped.
//!
//! Stages, each in its own file:
//!
//! 1. `anchors`: exact matches of at least [`SEED_WORDS`] words, chained
//!    across small gaps into verbatim (one match) and edited (several)
//!    passages, taken best first without overlap;
//! 2. `evidence`: word counts within the pair, so that a passage needs
//!    words that are not everyday vocabulary of both texts;
//! 3. `paraphrase`: on the rest, sentence pieces that share rare figures,
//!    quotes, names or several rare words, then chains of rare words in
//!    the same order across sentences;
//! 4. `moved`: passages off the heaviest chain whose B order agrees with
//!    their A order.
//!
//! Both argument orders align the same canonical pair (see
//! [`align_texts`]), so swapping the documents mirrors the result exactly.

mod anchors;
mod evidence;
mod paraphrase;

use std::cmp::Ordering;
use std::ops::Range;

use serde::Serialize;

use crate::params::Params;
use crate::span::Span;
use crate::tokenize::Tokens;
use anchors::AnchorParams;
use evidence::PairCounts;

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
    /// Strength of the match, 0..=1: 1 for verbatim; for edited, the share
    /// of both sides' words inside exact matches (2 × matched words / words
    /// of both sides); for paraphrase, the share of content words the two
    /// sides have in common (Dice over their content-word sets).
    pub score: f64,
}

impl Passage {
    /// The same passage seen from the other document (A and B swapped).
    pub fn mirrored(&self) -> Passage {
        Passage {
            a: self.b,
            b: self.a,
            a_tokens: self.b_tokens.clone(),
            b_tokens: self.a_tokens.clone(),
            kind: self.kind,
            moved: self.moved,
            score: self.score,
        }
    }
}

/// Two sentences that state the same fact: a sentence pair that shared
/// passages link, graded as a whole (see [`facts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// A's sentence, as a byte span.
    pub a: Span,
    /// B's sentence.
    pub b: Span,
    /// A's sentence as a token range, end-exclusive.
    pub a_tokens: Range<usize>,
    /// B's sentence as a token range.
    pub b_tokens: Range<usize>,
    /// How closely the two sentences say the same, 0..=1: the weighted
    /// Dice of their words (figures 2-3, names 1.5, other content words 1,
    /// function words 0.25; a figure only one side has counts against it). 1 for the same
    /// sentence; about 0.8 for the same sentence lightly reworded; about
    /// 0.3 for the same figure or name in two otherwise different
    /// sentences.
    pub score: f64,
    /// The words that carry the fact (shared figures, names and quoted
    /// words, matched by value: "three thousand" is "3,000"), each as its
    /// span in A and in B.
    pub carriers: Vec<(Span, Span)>,
}

impl Fact {
    /// The same fact seen from the other document (A and B swapped).
    pub fn mirrored(&self) -> Fact {
        let mut carriers: Vec<(Span, Span)> = self.carriers.iter().map(|&(a, b)| (b, a)).collect();
        carriers.sort_by_key(|c| c.0.start);
        Fact {
            a: self.b,
            b: self.a,
            a_tokens: self.b_tokens.clone(),
            b_tokens: self.a_tokens.clone(),
            score: self.score,
            carriers,
        }
    }
}

/// The facts that `passages` (found by [`align_texts`] on the same texts
/// and tokens) link between `a` and `b`: every sentence pair a passage
/// runs through, in (A, B) order. A passage over several sentences links
/// them in order, each side's sentences placed on the other, so
/// `facts(b, .., a, ..)` gives the same pairs mirrored.
pub fn facts(a: &str, ta: &Tokens, b: &str, tb: &Tokens, passages: &[Passage]) -> Vec<Fact> {
    paraphrase::facts(a, ta, b, tb, passages)
}

/// Words of an exact match that seed an edited passage: two-word matches
/// ("the government") are everywhere, three-word ones are rare enough to
/// anchor a chain, and the chain still needs `min_passage_words` matched
/// words in all.
pub const SEED_WORDS: usize = 3;

/// Evidence a verbatim or edited passage needs from its matched words
/// (within the pair, a function word weighs 0, a word occurring at most
/// twice in each text 1, a figure up to 3, a word repeated all through both
/// texts `2 / count`): two rare words, or one figure. Five words made only of the
/// pair's everyday vocabulary ("Health Secretary Jeremy Hunt has") are
/// coincidence.
pub const MIN_PASSAGE_EVIDENCE: f64 = 2.0;

/// A verbatim or edited passage with at least this many times
/// `min_passage_words` matched words needs no further evidence: fifteen
/// words in a row are not shared by chance, whatever the words.
pub const LONG_PASSAGE_FACTOR: usize = 3;

/// The verbatim and edited passages shared by `a` and `b`, in A's order.
///
/// Without the original texts there are no sentences, names or quotes, so
/// no paraphrases; [`align_texts`] finds all three kinds.
pub fn align(a: &Tokens, b: &Tokens, params: &Params) -> Vec<Passage> {
    let (passages, _) = align_sides(
        Side {
            text: None,
            tokens: a,
        },
        Side {
            text: None,
            tokens: b,
        },
        params,
        false,
    );
    passages
}

/// The passages (verbatim, edited and paraphrase) shared by the texts `a`
/// and `b`, whose tokens are `ta` and `tb`, in A's order.
///
/// Passages never overlap on either side. The result does not depend on
/// the argument order: `align_texts(b, .., a, ..)` gives the same passages
/// with the sides swapped (see [`Passage::mirrored`]).
///
/// ```
/// use copydesk::align::{align_texts, PassageKind};
/// use copydesk::{Params, Tokens};
/// let a = "Intro. The health secretary made the dramatic announcement on Thursday.";
/// let b = "The health secretary made a dramatic announcement on Thursday, aides said.";
/// let ps = align_texts(a, &Tokens::new(a), b, &Tokens::new(b), &Params::default());
/// assert_eq!(ps[0].kind, PassageKind::Edited);
/// assert_eq!(ps[0].a.slice(a), "The health secretary made the dramatic announcement on Thursday");
/// ```
pub fn align_texts(a: &str, ta: &Tokens, b: &str, tb: &Tokens, params: &Params) -> Vec<Passage> {
    align_texts_and_facts(a, ta, b, tb, params, false).0
}

/// [`align_texts`] and, when `with_facts`, the [`facts`] its passages link
/// (each side's sentences read once for both), mirrored like the passages.
pub fn align_texts_and_facts(
    a: &str,
    ta: &Tokens,
    b: &str,
    tb: &Tokens,
    params: &Params,
    with_facts: bool,
) -> (Vec<Passage>, Vec<Fact>) {
    align_sides(
        Side {
            text: Some(a),
            tokens: ta,
        },
        Side {
            text: Some(b),
            tokens: tb,
        },
        params,
        with_facts,
    )
}

/// One document as the aligner sees it.
#[derive(Clone, Copy)]
struct Side<'a> {
    text: Option<&'a str>,
    tokens: &'a Tokens,
}

/// Which argument order the aligner works in. Every tie in the algorithm
/// is broken by position, so to make `align(b, a)` the mirror of
/// `align(a, b)` by construction, both calls align the same (first, second)
/// pair: the one whose folded word sequences are in lexicographic order.
pub(crate) fn canonical_order(a: &Tokens, b: &Tokens) -> std::cmp::Ordering {
    a.hashes().cmp(b.hashes())
}

fn align_sides(a: Side, b: Side, params: &Params, with_facts: bool) -> (Vec<Passage>, Vec<Fact>) {
    match canonical_order(a.tokens, b.tokens) {
        Ordering::Equal => {
            let ps = identical(a.tokens, b.tokens);
            let fs = match (a.text, b.text) {
                (Some(x), Some(y)) if with_facts => facts(x, a.tokens, y, b.tokens, &ps),
                _ => Vec::new(),
            };
            (ps, fs)
        }
        Ordering::Less => align_oriented(a, b, params, with_facts),
        Ordering::Greater => {
            let (ps, fs) = align_oriented(b, a, params, with_facts);
            let mut ps: Vec<Passage> = ps.iter().map(Passage::mirrored).collect();
            ps.sort_by_key(|p| p.a_tokens.start);
            let mut fs: Vec<Fact> = fs.iter().map(Fact::mirrored).collect();
            fs.sort_by_key(|f| (f.a_tokens.start, f.b_tokens.start));
            (ps, fs)
        }
    }
}

/// Texts with the same folded words are one verbatim passage, however
/// short or repetitive.
fn identical(a: &Tokens, b: &Tokens) -> Vec<Passage> {
    if a.is_empty() {
        return Vec::new();
    }
    vec![Passage {
        a: a.span_of(0, a.len() - 1),
        b: b.span_of(0, b.len() - 1),
        a_tokens: 0..a.len(),
        b_tokens: 0..b.len(),
        kind: PassageKind::Verbatim,
        moved: false,
        score: 1.0,
    }]
}

fn align_oriented(
    a: Side,
    b: Side,
    params: &Params,
    with_facts: bool,
) -> (Vec<Passage>, Vec<Fact>) {
    let (ta, tb) = (a.tokens, b.tokens);
    let ah: Vec<u64> = ta.hashes().collect();
    let bh: Vec<u64> = tb.hashes().collect();
    let min_words = params.min_passage_words.max(1);
    let ap = AnchorParams {
        seed_words: SEED_WORDS.min(min_words),
        max_gap_words: params.max_gap_words,
        min_passage_words: min_words,
        min_evidence: MIN_PASSAGE_EVIDENCE,
        long_passage_words: LONG_PASSAGE_FACTOR * min_words,
        max_passages: params.max_passages,
    };
    let counts = PairCounts::new(&ah, &bh);
    let weights_a = evidence::token_weights(ta, &counts);
    let mut passages: Vec<Passage> = anchors::chains(&ah, &bh, &weights_a, &ap)
        .into_iter()
        .map(|c| {
            let (ra, rb) = (c.a_range(), c.b_range());
            let matched = c.matched();
            let kind = if c.anchors.len() == 1 {
                PassageKind::Verbatim
            } else {
                PassageKind::Edited
            };
            Passage {
                a: ta.span_of(ra.start, ra.end - 1),
                b: tb.span_of(rb.start, rb.end - 1),
                score: 2.0 * matched as f64 / (ra.len() + rb.len()) as f64,
                a_tokens: ra,
                b_tokens: rb,
                kind,
                moved: false,
            }
        })
        .collect();
    // Each side's sentences, names and figures, read once for the
    // paraphrases and the facts.
    let texts = a.text.zip(b.text);
    let features = texts.map(|(x, y)| (paraphrase::features(x, ta), paraphrase::features(y, tb)));
    if let Some((fa, fb)) = &features {
        let left = params.max_passages.saturating_sub(passages.len());
        let covered_a = covered(ta.len(), passages.iter().map(|p| p.a_tokens.clone()));
        let covered_b = covered(tb.len(), passages.iter().map(|p| p.b_tokens.clone()));
        let found = paraphrase::paraphrases(
            &paraphrase::Side {
                tokens: ta,
                features: fa,
                covered: &covered_a,
            },
            &paraphrase::Side {
                tokens: tb,
                features: fb,
                covered: &covered_b,
            },
            &counts,
            &passages
                .iter()
                .map(|p| (p.a_tokens.clone(), p.b_tokens.clone()))
                .collect::<Vec<_>>(),
            left,
        );
        passages.extend(found.into_iter().map(|p| Passage {
            a: ta.span_of(p.a.start, p.a.end - 1),
            b: tb.span_of(p.b.start, p.b.end - 1),
            a_tokens: p.a,
            b_tokens: p.b,
            kind: PassageKind::Paraphrase,
            moved: false,
            score: p.score,
        }));
    }
    passages.sort_by_key(|p| p.a_tokens.start);
    mark_moved(&mut passages);
    let facts = match (texts, &features) {
        (Some((x, y)), Some((fa, fb))) if with_facts => {
            paraphrase::facts_with((x, ta, fa), (y, tb, fb), &passages)
        }
        _ => Vec::new(),
    };
    (passages, facts)
}

fn covered(len: usize, ranges: impl Iterator<Item = Range<usize>>) -> Vec<bool> {
    let mut v = vec![false; len];
    for r in ranges {
        v[r].iter_mut().for_each(|c| *c = true);
    }
    v
}

/// Stage 4: marks the passages that sit elsewhere in B than A's order
/// predicts.
///
/// The passages that stay in place are the heaviest chain whose B order
/// agrees with their A order (a heaviest increasing subsequence of B starts
/// over passages sorted by A start, each weighing its matched words); every
/// other passage moved. So a moved paragraph is one passage marked
/// `moved`, and when two blocks swap, the lighter one is the one that moved.
fn mark_moved(passages: &mut [Passage]) {
    let n = passages.len();
    if n < 2 {
        return;
    }
    let weight = |p: &Passage| p.score * p.a_tokens.len().min(p.b_tokens.len()) as f64;
    // Rank of each passage by B start (B ranges never overlap: distinct).
    let mut by_b: Vec<usize> = (0..n).collect();
    by_b.sort_by_key(|&i| passages[i].b_tokens.start);
    let mut rank = vec![0; n];
    for (r, &i) in by_b.iter().enumerate() {
        rank[i] = r;
    }
    // Fenwick tree over B ranks holding the best (weight, passage) chain
    // ending at or below each rank.
    let mut tree: Vec<Option<(f64, usize)>> = vec![None; n + 1];
    let better = |x: Option<(f64, usize)>, y: Option<(f64, usize)>| match (x, y) {
        (None, y) => y,
        (x, None) => x,
        (Some(p), Some(q)) => {
            if q.0 > p.0 {
                Some(q)
            } else {
                Some(p)
            }
        }
    };
    let mut best_to = vec![0.0f64; n];
    let mut pred = vec![None; n];
    for i in 0..n {
        // Best chain among ranks below this one.
        let mut k = rank[i];
        let mut acc = None;
        while k > 0 {
            acc = better(acc, tree[k]);
            k &= k - 1;
        }
        best_to[i] = weight(&passages[i]) + acc.map_or(0.0, |x| x.0);
        pred[i] = acc.map(|x| x.1);
        let mut k = rank[i] + 1;
        while k <= n {
            tree[k] = better(tree[k], Some((best_to[i], i)));
            k += k & k.wrapping_neg();
        }
    }
    let mut end = 0;
    for i in 1..n {
        if best_to[i] > best_to[end] {
            end = i;
        }
    }
    let mut stays = vec![false; n];
    let mut at = Some(end);
    while let Some(i) = at {
        stays[i] = true;
        at = pred[i];
    }
    for (p, s) in passages.iter_mut().zip(stays) {
        p.moved = !s;
    }
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

    #[test]
    fn without_text_there_are_no_paraphrases_but_the_same_copies() {
        let a = "Almost 3,000 operations were cancelled. The health secretary made the \
                 dramatic announcement on Thursday in the Commons.";
        let b = "About 3,000 operations have been cancelled. The health secretary made a \
                 dramatic announcement on Thursday in the Commons.";
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let p = Params::default();
        let with_text = align_texts(a, &ta, b, &tb, &p);
        let kinds: Vec<PassageKind> = with_text.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, [PassageKind::Paraphrase, PassageKind::Edited]);
        let without = align(&ta, &tb, &p);
        assert_eq!(without, with_text[1..]);
    }

    #[test]
    fn swapped_arguments_give_mirrored_passages() {
        let a = "One two three. The quick brown fox jumps over the lazy dog. Four five six seven.";
        let b = "Four five six seven, eight. The quick brown fox jumps over the lazy dog.";
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let p = Params::default();
        let ab = align(&ta, &tb, &p);
        let ba: Vec<Passage> = align(&tb, &ta, &p).iter().map(Passage::mirrored).collect();
        assert_eq!(ab, ba);
        assert!(!ab.is_empty());
    }

    #[test]
    fn the_lighter_of_two_swapped_blocks_is_the_moved_one() {
        let block =
            |i: usize| format!("Paragraph {i} tells fact {} with words unique{i}. ", i * 11);
        let a: String = (0..6).map(block).collect();
        // B: paragraph 1 moved to the end.
        let b: String = [0, 2, 3, 4, 5, 1].into_iter().map(block).collect();
        let ps = align(&Tokens::new(&a), &Tokens::new(&b), &Params::default());
        let moved: Vec<&str> = ps
            .iter()
            .filter(|p| p.moved)
            .map(|p| p.a.slice(&a))
            .collect();
        assert_eq!(
            moved,
            ["Paragraph 1 tells fact 11 with words unique1"],
            "{ps:?}"
        );
    }
}
