//! Paraphrases across sentences: chains of rare words in the same order on
//! both sides.

use std::ops::Range;

use super::super::evidence::{HashKeyed, PairCounts, RARE_COUNT};
use super::features::{Features, CONTENT};
use super::{Paraphrase, Side, MAX_CHAIN_GAP, MIN_CHAIN_WORDS};

/// Paraphrases of more than one sentence: chains of at least
/// [`MIN_CHAIN_WORDS`] rare content words that occur in the same order in
/// both texts, each within [`MAX_CHAIN_GAP`] words of the previous one on
/// both sides, over the words no other passage took. A text rewritten
/// from another in its own words keeps the other's uncommon words in their
/// order; two texts on one subject share some of them in no order.
pub(super) fn rare_word_chains(
    a: &Side,
    fa: &Features,
    b: &Side,
    fb: &Features,
    counts: &PairCounts,
    taken: &[Paraphrase],
    max: usize,
) -> Vec<Paraphrase> {
    if max == 0 {
        return Vec::new();
    }
    // Words already in a passage, per side, as prefix counts.
    let blocked = |side: &Side, ranges: &mut dyn Iterator<Item = Range<usize>>| {
        let mut v: Vec<bool> = side.covered.to_vec();
        for r in ranges {
            v[r].iter_mut().for_each(|x| *x = true);
        }
        v
    };
    let cov_a = blocked(a, &mut taken.iter().map(|p| p.a.clone()));
    let cov_b = blocked(b, &mut taken.iter().map(|p| p.b.clone()));
    let prefix = |v: &[bool]| {
        let mut p = Vec::with_capacity(v.len() + 1);
        p.push(0u32);
        for &x in v {
            p.push(p[p.len() - 1] + u32::from(x));
        }
        p
    };
    let (pa, pb) = (prefix(&cov_a), prefix(&cov_b));
    let free = |p: &[u32], r: Range<usize>| p[r.end] == p[r.start];
    let rare_at = |side: &Side, f: &Features, cov: &[bool], i: usize| {
        let h = side.tokens.get(i).hash;
        let [ca, cb] = counts.get(h);
        !cov[i] && f.flags[i] & CONTENT != 0 && ca >= 1 && cb >= 1 && ca.max(cb) <= RARE_COUNT
    };
    let mut in_b: HashKeyed<Vec<usize>> = HashKeyed::default();
    for j in 0..b.tokens.len() {
        if rare_at(b, fb, &cov_b, j) {
            in_b.entry(b.tokens.get(j).hash).or_default().push(j);
        }
    }
    let mut matches: Vec<(usize, usize)> = Vec::new();
    for i in 0..a.tokens.len() {
        if rare_at(a, fa, &cov_a, i) {
            if let Some(js) = in_b.get(&a.tokens.get(i).hash) {
                matches.extend(js.iter().map(|&j| (i, j)));
            }
        }
    }
    // Longest chain ending at each match (matches are in (A, B) order),
    // in units: a word right after the previous one on both sides continues
    // its phrase ("British Medical Association" is one unit, not three).
    let mut len = vec![1usize; matches.len()];
    let mut pred: Vec<Option<usize>> = vec![None; matches.len()];
    for q in 0..matches.len() {
        let (qi, qj) = matches[q];
        for p in (0..q).rev() {
            let (pi, pj) = matches[p];
            if qi - pi > MAX_CHAIN_GAP {
                break;
            }
            let step = usize::from(!(pi + 1 == qi && pj + 1 == qj));
            if pi < qi
                && pj < qj
                && qj - pj <= MAX_CHAIN_GAP
                && free(&pa, pi..qi)
                && free(&pb, pj..qj)
                && len[p] + step > len[q]
            {
                len[q] = len[p] + step;
                pred[q] = Some(p);
            }
        }
    }
    let mut order: Vec<usize> = (0..matches.len()).collect();
    order.sort_by(|&x, &y| len[y].cmp(&len[x]).then(x.cmp(&y)));
    let mut used = vec![false; matches.len()];
    let mut out: Vec<Paraphrase> = Vec::new();
    for end in order {
        if len[end] < MIN_CHAIN_WORDS || out.len() >= max {
            break;
        }
        let mut members = vec![end];
        while let Some(p) = pred[members[members.len() - 1]] {
            members.push(p);
        }
        members.reverse();
        if members.iter().any(|&m| used[m]) {
            continue;
        }
        let (first, last) = (matches[members[0]], matches[end]);
        let (ra, rb) = (first.0..last.0 + 1, first.1..last.1 + 1);
        let overlaps = |r: &Range<usize>, s: &Range<usize>| r.start < s.end && s.start < r.end;
        if out
            .iter()
            .any(|p| overlaps(&p.a, &ra) || overlaps(&p.b, &rb))
        {
            continue;
        }
        members.iter().for_each(|&m| used[m] = true);
        let content = |f: &Features, r: &Range<usize>| {
            f.flags[r.clone()]
                .iter()
                .filter(|&&x| x & CONTENT != 0)
                .count()
        };
        let denom = (content(fa, &ra) + content(fb, &rb)).max(1);
        out.push(Paraphrase {
            score: (2.0 * members.len() as f64 / denom as f64).min(1.0),
            a: ra,
            b: rb,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;

    #[test]
    fn a_rewritten_paragraph_is_one_chain_across_sentences() {
        // Rewritten in other words and other sentences, the uncommon words
        // keep their order.
        let a = "Categorization is a powerful mechanism of information processing. \
                 It is crucial to human learning by means of generalization.";
        let b = "Categorization, they say, is powerful. It helps information \
                 processing and human learning; generalization does the rest.";
        let got = run(a, b);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].0.starts_with("Categorization") && got[0].0.ends_with("generalization"));
        // The same words in another order are a shared subject, not a rewrite.
        let c = "Generalization and human learning matter. Processing information \
                 is powerful. Categorization is old.";
        assert!(run(a, c).is_empty(), "{:?}", run(a, c));
    }

    #[test]
    fn a_shared_name_counts_once_in_a_chain() {
        let got = run(
            "Thousands of British Medical Association members walked out.",
            "The British Medical Association said its members were ready.",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
