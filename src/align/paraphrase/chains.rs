//! Paraphrases across sentences: chains of rare words in the same order on
//! both sides.

use std::ops::Range;

use super::super::anchors::Taken;
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
    b: &Side,
    counts: &PairCounts,
    taken: &[Paraphrase],
    max: usize,
) -> Vec<Paraphrase> {
    let (fa, fb) = (a.features, b.features);
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
    // First match of that chain.
    let mut root: Vec<usize> = (0..matches.len()).collect();
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
        if let Some(p) = pred[q] {
            root[q] = root[p];
        }
    }
    let mut order: Vec<usize> = (0..matches.len()).collect();
    order.sort_by(|&x, &y| len[y].cmp(&len[x]).then(x.cmp(&y)));
    let mut used = vec![false; matches.len()];
    let mut out: Vec<Paraphrase> = Vec::new();
    // The ranges of `out` on each side, which never overlap.
    let (mut taken_a, mut taken_b) = (Taken::new(a.tokens.len()), Taken::new(b.tokens.len()));
    for end in order {
        if len[end] < MIN_CHAIN_WORDS || out.len() >= max {
            break;
        }
        // The chain's ranges come from its first and last match, before it
        // is walked: a chain through a used match overlaps that match's
        // paraphrase, so a blocked chain costs a look-up. Walking each one
        // was quadratic: rare words in the same order all through two
        // texts made one chain of every length (issue 14).
        let (first, last) = (matches[root[end]], matches[end]);
        let (ra, rb) = (first.0..last.0 + 1, first.1..last.1 + 1);
        if taken_a.overlaps(&ra) || taken_b.overlaps(&rb) {
            continue;
        }
        let mut members = vec![end];
        while let Some(p) = pred[members[members.len() - 1]] {
            members.push(p);
        }
        debug_assert!(
            members.iter().all(|&m| !used[m]),
            "a chain through a used match overlaps its paraphrase"
        );
        members.reverse();
        taken_a.insert(ra.clone());
        taken_b.insert(rb.clone());
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

    /// Issue 14: one rare word in four shared, in the same order, all
    /// through two long texts (too few in any sentence to pair it) made one
    /// chain of every length, and each was walked whole: quadratic in the
    /// words (4 s for 200,000 words in a test build; now 0.15 s).
    #[test]
    fn chains_all_through_two_long_texts_take_linear_time() {
        // Distinct words of consonants (no figures, no function words).
        let word = |mut i: usize| {
            let mut w = String::from("w");
            loop {
                w.push(char::from(b"bcdfghjklmnpqrstvxz"[i % 19]));
                i /= 19;
                if i == 0 {
                    break w;
                }
            }
        };
        let n = 200_000;
        let text = |own: usize| {
            let words: Vec<String> = (0..n)
                .map(|i| word(if i % 4 == 0 { i } else { own + i }))
                .collect();
            words.join(" ")
        };
        let (a, b) = (text(n), text(2 * n));
        let start = std::time::Instant::now();
        let got = run(&a, &b);
        let took = start.elapsed();
        // One paraphrase, from the first shared word to the last.
        assert_eq!(got.len(), 1);
        let last = format!(" {}", word(n - 4));
        for (found, text) in [(&got[0].0, &a), (&got[0].1, &b)] {
            assert!(text.starts_with(found.as_str()) && found.ends_with(&last));
        }
        assert!(took.as_secs_f64() < 2.0, "{took:?} for {n} words");
    }

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
