//! The exact all-pairs join ([`super::PairsParams::exact`]): every usable
//! document's shingle set made in pass 2, then prefix filtering over
//! shingles ordered rarest first (two sets with Jaccard at least `t` must
//! share one of the first `|x| - ceil(t|x|) + 1` of them) and a size
//! filter, each candidate scored on the exact sets. No sketch, no misses:
//! the benchmark's ground truth.

use rayon::prelude::*;

use super::pass1::Scratch;
use super::verify::{score, SetReader, ShingleTable};
use super::ScoredPair;

/// The pairs among the `ok` documents whose exact Jaccard reaches the
/// threshold, by `(a, b)`; the candidates scored; the documents read
/// again.
pub(super) fn exact_pairs(
    reader: &SetReader<'_, '_>,
    ok: &[bool],
) -> std::io::Result<(Vec<ScoredPair>, usize, usize)> {
    let n = ok.len();
    let need: Vec<u32> = (0..n as u32).filter(|&i| ok[i as usize]).collect();
    let own: Vec<Vec<u64>> = need
        .par_iter()
        .map_init(
            || (Scratch::default(), Vec::new(), ShingleTable::default()),
            |(s, buf, table), &d| -> std::io::Result<Vec<u64>> {
                let mut set = Vec::new();
                reader.read_set(s, buf, table, d, &mut set, true)?;
                Ok(set)
            },
        )
        .collect::<std::io::Result<_>>()?;
    let (pairs, n_candidates) = exact_join(&need, &own, reader.params.threshold);
    Ok((pairs, n_candidates, need.len()))
}

/// Exact all-pairs join by prefix filtering. `docs[i]` owns `sets[i]`.
fn exact_join(docs: &[u32], sets: &[Vec<u64>], t: f64) -> (Vec<ScoredPair>, usize) {
    // Global order: rarest shingle first (ties by value), as ranks.
    let mut all: Vec<u64> = sets.iter().flatten().copied().collect();
    all.par_sort_unstable();
    let mut freq: Vec<(u64, u32)> = Vec::new();
    for &x in &all {
        match freq.last_mut() {
            Some((v, c)) if *v == x => *c += 1,
            _ => freq.push((x, 1)),
        }
    }
    drop(all);
    let mut by_rank: Vec<(u32, u64)> = freq.iter().map(|&(v, c)| (c, v)).collect();
    by_rank.par_sort_unstable();
    let mut rank_of: Vec<(u64, u32)> = by_rank
        .iter()
        .enumerate()
        .map(|(r, &(_, v))| (v, r as u32))
        .collect();
    rank_of.par_sort_unstable();
    let rank = |v: u64| {
        rank_of[rank_of
            .binary_search_by_key(&v, |&(x, _)| x)
            .expect("every shingle ranked")]
        .1
    };
    let ranked: Vec<Vec<u32>> = sets
        .par_iter()
        .map(|s| {
            let mut r: Vec<u32> = s.iter().map(|&v| rank(v)).collect();
            r.sort_unstable();
            r
        })
        .collect();
    // Prefix postings: (rank, set index).
    let prefix_len = |n: usize| n - ((t * n as f64).ceil() as usize).min(n) + 1;
    let mut postings: Vec<(u32, u32)> = ranked
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r[..prefix_len(r.len()).min(r.len())]
                .iter()
                .map(move |&x| (x, i as u32))
        })
        .collect();
    postings.par_sort_unstable();
    let mut cand: Vec<(u32, u32)> = Vec::new();
    let mut i = 0;
    while i < postings.len() {
        let mut j = i + 1;
        while j < postings.len() && postings[j].0 == postings[i].0 {
            j += 1;
        }
        for x in i..j {
            for y in x + 1..j {
                let (p, q) = (postings[x].1, postings[y].1);
                let (lp, lq) = (
                    ranked[p as usize].len() as f64,
                    ranked[q as usize].len() as f64,
                );
                // Size filter: |y| >= t|x| for both directions.
                if lp.min(lq) >= t * lp.max(lq) {
                    cand.push((p.min(q), p.max(q)));
                }
            }
        }
        i = j;
    }
    cand.par_sort_unstable();
    cand.dedup();
    let pairs = cand
        .par_iter()
        .filter_map(|&(p, q)| {
            score(
                docs[p as usize],
                docs[q as usize],
                &sets[p as usize],
                &sets[q as usize],
                t,
            )
        })
        .collect();
    (pairs, cand.len())
}
