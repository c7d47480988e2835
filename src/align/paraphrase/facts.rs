//! Facts: the sentence pairs that the passages link, each graded as a
//! whole, with the words that carry the fact linked.
//!
//! A passage says *which words* two texts share; a reader also asks
//! *which sentences state the same thing, and how closely*. Every passage
//! links the sentences it runs through (a passage over several sentences
//! links them in order, by relative position: each side's sentences are
//! placed on the other side, so a sentence the other text split in two is
//! linked to both halves), and each linked sentence pair is one [`Fact`]:
//!
//! - its score is the weighted Dice of the two sentences' words (match
//!   keys, so "three thousand" is "3,000"), a figure weighing its figure
//!   weight (3 for a figure of four or more digits, 2 for a smaller one), a
//!   name [`NAME_WEIGHT`], any other content word 1 and a function word
//!   [`FUNCTION_WEIGHT`]. A figure only one side has counts against the
//!   fact: "41 killed" and "15 killed" are two tolls;
//! - its carriers are the shared figures, names and quoted words, each
//!   linked from its first place in A's sentence to its first in B's; words
//!   next to each other on both sides are one carrier ("Ipsos Mori"). A
//!   name is a carrier when both sides write it as one.

use std::ops::Range;

use super::features::{features, Features, CONTENT, NAME, QUOTED};
use super::NAME_WEIGHT;
use crate::align::{Fact, Passage};
use crate::span::Span;
use crate::tokenize::Tokens;

/// Weight of a function word in a fact's score: it carries no fact, but
/// "not", "will" or "before" change what a sentence says, and a sentence
/// of function words alone is still itself.
const FUNCTION_WEIGHT: f64 = 0.25;

/// Words of one sentence: (key, weight, first position, last position of
/// its unit, flags), sorted by key, one entry a key.
fn sentence_words(f: &Features, range: Range<usize>) -> Vec<(u64, f64, usize, usize, u8)> {
    let mut words: Vec<(u64, f64, usize, usize, u8)> = Vec::new();
    for p in range.clone() {
        let flags = f.flags[p];
        let key = f.keys.key[p];
        if key == 0 {
            continue;
        }
        // A figure's unit runs over its keyless words ("three thousand").
        let mut last = p;
        while last + 1 < range.end && f.keys.key[last + 1] == 0 {
            last += 1;
        }
        let weight = match f.keys.figure[p] {
            Some(w) => w,
            None if flags & CONTENT == 0 => FUNCTION_WEIGHT,
            None if flags & NAME != 0 => NAME_WEIGHT,
            None => 1.0,
        };
        words.push((key, weight, p, last, flags));
    }
    words.sort_by_key(|w| (w.0, w.2));
    words.dedup_by_key(|w| w.0);
    words
}

/// The facts linked by `passages` between `a` (tokens `ta`) and `b`, in
/// (A, B) sentence order.
pub(crate) fn facts(a: &str, ta: &Tokens, b: &str, tb: &Tokens, passages: &[Passage]) -> Vec<Fact> {
    facts_with(
        (a, ta, &features(a, ta)),
        (b, tb, &features(b, tb)),
        passages,
    )
}

/// [`facts`] with both sides' features already read.
pub(crate) fn facts_with(
    (a, ta, fa): (&str, &Tokens, &Features),
    (b, tb, fb): (&str, &Tokens, &Features),
    passages: &[Passage],
) -> Vec<Fact> {
    if passages.is_empty() || ta.is_empty() || tb.is_empty() {
        return Vec::new();
    }
    // Each side's sentences are placed on the other side, so the pairs do
    // not depend on which text is A.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for p in passages {
        let (ra, rb) = (&p.a_tokens, &p.b_tokens);
        if ra.is_empty() || rb.is_empty() {
            continue;
        }
        pairs.extend(placed(fa, ra, fb, rb));
        pairs.extend(placed(fb, rb, fa, ra).map(|(sb, sa)| (sa, sb)));
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|(sa, sb)| fact((a, ta, fa, sa), (b, tb, fb, sb)))
        .collect()
}

/// For each sentence of `from` that the passage's range `rf` runs through,
/// (that sentence, the sentence of `to` at the same relative place in the
/// passage's range `rt` there).
fn placed<'a>(
    from: &'a Features,
    rf: &'a Range<usize>,
    to: &'a Features,
    rt: &'a Range<usize>,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let (first, last) = (from.sentence_of(rf.start), from.sentence_of(rf.end - 1));
    (first..=last).map(move |sf| {
        let s = &from.sentences[sf];
        let (lo, hi) = (s.start.max(rf.start), s.end.min(rf.end));
        // The middle of the sentence's part of the passage, in integers so
        // that a passage of equal lengths maps each word to itself.
        let twice_mid = 2 * (lo - rf.start) + (hi - lo - 1);
        let at = rt.start + twice_mid * rt.len() / (2 * rf.len());
        (sf, to.sentence_of(at.min(rt.end - 1)))
    })
}

/// One side of a fact: the text, its tokens and features, the sentence.
type FactSide<'a> = (&'a str, &'a Tokens, &'a Features, usize);

fn fact((a, ta, fa, sa): FactSide, (b, tb, fb, sb): FactSide) -> Fact {
    let (ra, rb) = (fa.sentences[sa].clone(), fb.sentences[sb].clone());
    let (wa, wb) = (
        sentence_words(fa, ra.clone()),
        sentence_words(fb, rb.clone()),
    );
    let total: f64 = wa.iter().chain(&wb).map(|w| w.1).sum();
    let (mut shared, mut carriers) = (0.0, Vec::new());
    let (mut x, mut y) = (0, 0);
    while x < wa.len() && y < wb.len() {
        let (u, v) = (&wa[x], &wb[y]);
        match u.0.cmp(&v.0) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                // The same key weighs the same on both sides, but a name
                // on one side only may be a plain word on the other.
                let w = u.1.max(v.1);
                shared += 2.0 * w;
                let carries = fa.keys.figure[u.2].is_some_and(|w| w > 1.0)
                    || u.4 & v.4 & (NAME | QUOTED) != 0;
                if carries {
                    carriers.push((u.2..u.3 + 1, v.2..v.3 + 1));
                }
                x += 1;
                y += 1;
            }
        }
    }
    // Words next to each other on both sides, with only spaces between,
    // are one carrier ("Johann Malawana", "Ipsos Mori").
    let spaced = |text: &str, t: &Tokens, left: usize| {
        let gap = Span::new(t.get(left).span.end, t.get(left + 1).span.start);
        gap.slice(text).chars().all(char::is_whitespace)
    };
    carriers.sort_by_key(|c: &(Range<usize>, Range<usize>)| c.0.start);
    let mut merged: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for (x, y) in carriers {
        match merged.last_mut() {
            Some((px, py))
                if px.end == x.start
                    && py.end == y.start
                    && spaced(a, ta, px.end - 1)
                    && spaced(b, tb, py.end - 1) =>
            {
                px.end = x.end;
                py.end = y.end;
            }
            _ => merged.push((x, y)),
        }
    }
    let carriers = merged
        .into_iter()
        .map(|(x, y)| {
            (
                ta.span_of(x.start, x.end - 1),
                tb.span_of(y.start, y.end - 1),
            )
        })
        .collect();
    Fact {
        a: ta.span_of(ra.start, ra.end - 1),
        b: tb.span_of(rb.start, rb.end - 1),
        a_tokens: ra,
        b_tokens: rb,
        score: if total > 0.0 {
            (shared / total).min(1.0)
        } else {
            0.0
        },
        carriers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::align_texts;
    use crate::params::Params;
    use crate::span::Span;

    /// A fact as text: both sentences, its score, its carriers.
    type Shown = (String, String, f64, Vec<(String, String)>);

    fn run(a: &str, b: &str) -> Vec<Shown> {
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let ps = align_texts(a, &ta, b, &tb, &Params::default());
        facts(a, &ta, b, &tb, &ps)
            .into_iter()
            .map(|f| {
                (
                    f.a.slice(a).to_string(),
                    f.b.slice(b).to_string(),
                    f.score,
                    f.carriers
                        .iter()
                        .map(|(x, y)| (x.slice(a).to_string(), y.slice(b).to_string()))
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_retold_fact_links_its_sentences_and_its_figure() {
        let got = run(
            "Strike day. About three thousand operations were cancelled, NHS England said.",
            "Doctors walked out. Almost 3,000 operations have been cancelled across England.",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        let (a, b, score, carriers) = &got[0];
        assert!(a.starts_with("About three thousand") && b.starts_with("Almost 3,000"));
        assert_eq!(
            carriers,
            &[
                ("three thousand".to_string(), "3,000".to_string()),
                ("England".to_string(), "England".to_string())
            ]
        );
        // The figure, two words and a name shared, the rest in other words.
        assert!(*score > 0.6 && *score < 0.9, "{score}");
    }

    #[test]
    fn the_same_sentence_scores_one_and_a_different_figure_less() {
        let a = "Floods cost the region 2,400 jobs in northern Italy.";
        let same = run(a, a);
        assert_eq!(same.len(), 1);
        assert_eq!(same[0].2, 1.0);
        // A word fewer; the same words with another figure.
        let b = "Floods cost the region 2,400 jobs in Italy.";
        let c = "Floods cost the region 4,200 jobs in northern Italy.";
        let (close, other_toll) = (run(a, b), run(a, c));
        assert!(close[0].2 > other_toll[0].2, "{close:?} {other_toll:?}");
    }

    /// Found by the `align` fuzz target: texts with the same words but one
    /// sentence break more are aligned in the order given, and facts placed
    /// only from A's sentences came out different for compare(b, a).
    #[test]
    fn a_sentence_split_in_two_links_both_halves_either_way() {
        let a = "The ward will close in April";
        let b = "The ward will close? In April";
        let shown = |x: &str, y: &str| {
            let (tx, ty) = (Tokens::new(x), Tokens::new(y));
            let ps = align_texts(x, &tx, y, &ty, &Params::default());
            let mut fs: Vec<(Span, Span)> = facts(x, &tx, y, &ty, &ps)
                .iter()
                .map(|f| (f.a, f.b))
                .collect();
            fs.sort_by_key(|f| (f.0.start, f.1.start));
            fs
        };
        let ab = shown(a, b);
        let mut ba: Vec<(Span, Span)> = shown(b, a).into_iter().map(|(x, y)| (y, x)).collect();
        ba.sort_by_key(|f| (f.0.start, f.1.start));
        assert_eq!(ab.len(), 2, "{ab:?}");
        assert_eq!(ab, ba);
    }

    #[test]
    fn a_passage_over_two_sentences_links_them_in_order() {
        let a = "Intro here. The board met on Monday to agree the budget. It then voted to close the ward.";
        let b =
            "The board met on Monday to agree the budget. It then voted to close the ward. Outro.";
        let got = run(a, b);
        let pairs: Vec<(&str, &str)> = got.iter().map(|f| (&f.0[..6], &f.1[..6])).collect();
        assert_eq!(pairs, [("The bo", "The bo"), ("It the", "It the")]);
    }
}
