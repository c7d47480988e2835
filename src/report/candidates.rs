//! Candidate pairs: LSH over MinHash signatures, and an inverted index of
//! content shingles.
//!
//! LSH finds documents whose whole shingle sets are close (near-duplicates,
//! whatever shingles they are made of). It cannot find a copy cut to its
//! lead (Jaccard 0.2, containment 1.0) nor a quote shared by three outlets;
//! the inverted index does: two documents sharing `min_shared` shingles
//! (one passage of the shortest reported length) become a candidate, and
//! the same postings give the verbatim runs between them. Shingles in more
//! than `max_df` documents are left out of the index (stock phrases would
//! pair everything); LSH still sees them. Both are sort-based: no hash map
//! grows with the corpus.

use std::collections::HashSet;

use rayon::prelude::*;

use super::{equal_ops, Link, Prepared};
use crate::align::PassageKind;
use crate::index::LshParams;
use crate::minhash::Signature;

/// Distinct pairs `(a, b)`, `a < b`, sharing at least one LSH band.
/// Documents with no content shingle take no part.
pub(crate) fn lsh_pairs(
    sigs: &[Signature],
    prepared: &[Prepared],
    lsh: LshParams,
) -> Vec<(u32, u32)> {
    let keys: Vec<u64> = sigs
        .par_iter()
        .flat_map_iter(|s| lsh.band_keys(s))
        .collect();
    let live: Vec<bool> = prepared.iter().map(|p| !p.text.body.is_empty()).collect();
    pairs_sharing_a_key(&keys, lsh.bands, &live)
}

/// Every pair of live documents that share a key, ascending, each pair
/// once: the sort-based bucketing behind both LSH candidate generators (no
/// hash map grows with the corpus). `keys` holds `per_doc` keys for each
/// document of `live`, document by document.
///
/// Keys are hashes, so their top bits spread them evenly: a counting pass
/// and a scatter (both in parallel, over ranges of documents) split them
/// into parts of a few thousand that sort in cache, in parallel (a
/// comparison sort of the whole array streams it through memory a dozen
/// times).
pub(crate) fn pairs_sharing_a_key(keys: &[u64], per_doc: usize, live: &[bool]) -> Vec<(u32, u32)> {
    let n = live.len();
    debug_assert_eq!(keys.len(), n * per_doc);
    let total = live.iter().filter(|&&l| l).count() * per_doc;
    let bits = (total / 2048).max(1).ilog2().min(16);
    let parts = 1usize << bits;
    let part_of = |k: u64| {
        if bits == 0 {
            0
        } else {
            (k >> (64 - bits)) as usize
        }
    };
    let tasks = if n < 4096 { 1 } else { 64 };
    let ranges: Vec<std::ops::Range<usize>> = (0..tasks)
        .map(|t| n * t / tasks..n * (t + 1) / tasks)
        .collect();
    let keys_of = |d: usize| &keys[d * per_doc..(d + 1) * per_doc];
    let counts: Vec<Vec<usize>> = ranges
        .par_iter()
        .map(|r| {
            let mut c = vec![0usize; parts];
            for d in r.clone().filter(|&d| live[d]) {
                for &k in keys_of(d) {
                    c[part_of(k)] += 1;
                }
            }
            c
        })
        .collect();
    // Part by part, range by range: each range writes its own slices.
    let mut split = vec![(0u64, 0u32); total];
    {
        let mut outs: Vec<Vec<&mut [(u64, u32)]>> =
            (0..tasks).map(|_| Vec::with_capacity(parts)).collect();
        let mut rest = split.as_mut_slice();
        for p in 0..parts {
            for (count, out) in counts.iter().zip(outs.iter_mut()) {
                let (mine, tail) = std::mem::take(&mut rest).split_at_mut(count[p]);
                out.push(mine);
                rest = tail;
            }
        }
        ranges
            .par_iter()
            .zip(outs.par_iter_mut())
            .for_each(|(r, out)| {
                let mut at = vec![0usize; parts];
                for d in r.clone().filter(|&d| live[d]) {
                    for &k in keys_of(d) {
                        let p = part_of(k);
                        out[p][at[p]] = (k, d as u32);
                        at[p] += 1;
                    }
                }
            });
    }
    let mut slices = Vec::with_capacity(parts);
    let mut rest = split.as_mut_slice();
    for p in 0..parts {
        let len = counts.iter().map(|c| c[p]).sum();
        let (part, tail) = rest.split_at_mut(len);
        slices.push(part);
        rest = tail;
    }
    let mut pairs: Vec<(u32, u32)> = slices
        .into_par_iter()
        .flat_map_iter(|part| {
            part.sort_unstable();
            let mut pairs = Vec::new();
            let mut i = 0;
            while i < part.len() {
                let mut j = i + 1;
                while j < part.len() && part[j].0 == part[i].0 {
                    j += 1;
                }
                for x in i..j {
                    for y in x + 1..j {
                        pairs.push((part[x].1, part[y].1));
                    }
                }
                i = j;
            }
            pairs
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Inverted index of content shingles held by 2..=max_df documents.
pub(crate) struct ShingleIndex {
    /// Per document, per content shingle position: its group, or `NONE`.
    group_at: Vec<Vec<u32>>,
    /// `(doc, position)` of every occurrence, grouped by shingle, each
    /// group sorted by document then position.
    postings: Vec<(u32, u32)>,
    /// Start of each group in `postings` (plus one final end).
    starts: Vec<u32>,
    /// Words per shingle.
    k: usize,
}

const NONE: u32 = u32::MAX;

impl ShingleIndex {
    /// Indexes the content shingles of `prepared` (`k` words each).
    pub(crate) fn build(prepared: &[Prepared], k: usize, max_df: usize) -> ShingleIndex {
        let mut occ: Vec<(u64, u32, u32)> = prepared
            .par_iter()
            .enumerate()
            .flat_map_iter(|(d, p)| {
                p.shingles_at
                    .iter()
                    .enumerate()
                    .map(move |(pos, &h)| (h, d as u32, pos as u32))
            })
            .collect();
        occ.par_sort_unstable();
        let mut group_at: Vec<Vec<u32>> = prepared
            .iter()
            .map(|p| vec![NONE; p.shingles_at.len()])
            .collect();
        let mut postings = Vec::new();
        let mut starts = Vec::new();
        let mut i = 0;
        while i < occ.len() {
            let mut j = i + 1;
            let mut docs = 1;
            while j < occ.len() && occ[j].0 == occ[i].0 {
                if occ[j].1 != occ[j - 1].1 {
                    docs += 1;
                }
                j += 1;
            }
            if docs >= 2 && docs <= max_df {
                let g = starts.len() as u32;
                starts.push(postings.len() as u32);
                for &(_, d, pos) in &occ[i..j] {
                    group_at[d as usize][pos as usize] = g;
                    postings.push((d, pos));
                }
            }
            i = j;
        }
        starts.push(postings.len() as u32);
        ShingleIndex {
            group_at,
            postings,
            starts,
            k,
        }
    }

    fn group(&self, g: u32) -> &[(u32, u32)] {
        &self.postings[self.starts[g as usize] as usize..self.starts[g as usize + 1] as usize]
    }

    /// Pairs `(a, b, n)`, `a < b`, sharing `n >= min_shared` distinct
    /// indexed shingles.
    pub(crate) fn pair_counts(&self, min_shared: u32) -> Vec<(u32, u32, u32)> {
        (0..self.group_at.len())
            .into_par_iter()
            .flat_map_iter(|d| {
                let mut groups: Vec<u32> = self.group_at[d]
                    .iter()
                    .copied()
                    .filter(|&g| g != NONE)
                    .collect();
                groups.sort_unstable();
                groups.dedup();
                let mut partners: Vec<u32> = Vec::new();
                for g in groups {
                    let mut last = NONE;
                    for &(d2, _) in self.group(g) {
                        if d2 as usize > d && d2 != last {
                            partners.push(d2);
                            last = d2;
                        }
                    }
                }
                partners.sort_unstable();
                let mut out = Vec::new();
                let mut i = 0;
                while i < partners.len() {
                    let mut j = i + 1;
                    while j < partners.len() && partners[j] == partners[i] {
                        j += 1;
                    }
                    let n = (j - i) as u32;
                    if n >= min_shared {
                        out.push((d as u32, partners[i], n));
                    }
                    i = j;
                }
                out
            })
            .collect()
    }

    /// Verbatim runs of at least `min_shared` consecutive shared shingles
    /// between every indexed pair not in `skip`, as links (content tokens).
    pub(crate) fn verbatim_runs(
        &self,
        prepared: &[Prepared],
        min_shared: usize,
        skip: &HashSet<(u32, u32)>,
    ) -> Vec<Link> {
        let k = self.k;
        let mut links: Vec<Link> = (0..self.group_at.len())
            .into_par_iter()
            .flat_map_iter(|d| {
                // (partner, diagonal, position in d) for every shared shingle.
                let mut hits: Vec<(u32, i64, u32)> = Vec::new();
                for (p, &g) in self.group_at[d].iter().enumerate() {
                    if g == NONE {
                        continue;
                    }
                    for &(d2, p2) in self.group(g) {
                        if d2 as usize > d && !skip.contains(&(d as u32, d2)) {
                            hits.push((d2, i64::from(p2) - p as i64, p as u32));
                        }
                    }
                }
                hits.sort_unstable();
                let mut out = Vec::new();
                let mut i = 0;
                while i < hits.len() {
                    let (d2, diag, start) = hits[i];
                    let mut j = i + 1;
                    while j < hits.len()
                        && hits[j].0 == d2
                        && hits[j].1 == diag
                        && hits[j].2 == hits[j - 1].2 + 1
                    {
                        j += 1;
                    }
                    if j - i >= min_shared {
                        let (pa, pb) = (&prepared[d], &prepared[d2 as usize]);
                        let a_start = start as usize;
                        let a_end = (hits[j - 1].2 as usize + k).min(pa.text.content.len());
                        let b_start = (i64::from(start) + diag) as usize;
                        let b_end = (b_start + (a_end - a_start)).min(pb.text.content.len());
                        let a_tokens = a_start..a_end;
                        let b_tokens = b_start..b_end;
                        out.push(Link {
                            a: d,
                            b: d2 as usize,
                            ops: equal_ops(pa, &a_tokens, pb, &b_tokens),
                            a_tokens,
                            b_tokens,
                            kind: PassageKind::Verbatim,
                            moved: false,
                            score: 1.0,
                        });
                    }
                    i = j;
                }
                out
            })
            .collect();
        links.sort_by_key(|l| (l.a, l.b, l.a_tokens.start));
        links
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of documents sharing a key, the slow way.
    fn brute(keys: &[(u64, u32)]) -> Vec<(u32, u32)> {
        let mut by_key: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
        for &(k, d) in keys {
            by_key.entry(k).or_default().push(d);
        }
        let mut pairs = Vec::new();
        for docs in by_key.values_mut() {
            docs.sort_unstable();
            for x in 0..docs.len() {
                for y in x + 1..docs.len() {
                    pairs.push((docs[x], docs[y]));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    #[test]
    fn partitioned_bucketing_finds_every_shared_key() {
        let mix = |x: u64| xxhash_rust::xxh3::xxh3_64(&x.to_le_bytes());
        // Sizes below and well above the partitioning threshold; every
        // 7th document repeats the keys of the one before, a few keys are
        // shared by many documents, every 11th document is not live.
        for n in [0u32, 1, 50, 3_000, 40_000] {
            let mut keys = Vec::new();
            let live: Vec<bool> = (0..n).map(|d| d % 11 != 5).collect();
            for d in 0..n {
                for band in 0..4u64 {
                    let owner = if d % 7 == 0 && d > 0 { d - 1 } else { d };
                    keys.push(if band == 3 && d % 1000 == 0 {
                        mix(u64::MAX)
                    } else {
                        mix(u64::from(owner) * 4 + band)
                    });
                }
            }
            let listed: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| live[i / 4])
                .map(|(i, &k)| (k, (i / 4) as u32))
                .collect();
            let want = brute(&listed);
            assert_eq!(pairs_sharing_a_key(&keys, 4, &live), want, "{n} documents");
        }
    }
}
