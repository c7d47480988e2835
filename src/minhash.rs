//! MinHash signatures by one-permutation hashing with optimal densification.
//!
//! Classic MinHash evaluates `k` hash functions per shingle; one-permutation
//! hashing (Li, Owen & Zhang 2012) splits one well-mixed hash into a bin
//! (high bits) and a value (low bits) and keeps the minimum per bin, so a
//! signature costs one pass over the shingles whatever `k` is. Empty bins
//! borrow from a pseudo-randomly probed non-empty bin ("optimal
//! densification", Shrivastava 2017), which keeps the estimator unbiased
//! with variance close to classic MinHash. Signatures are for finding
//! candidates only; scores shown to users come from exact shingle sets.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A MinHash signature: one 32-bit minimum per bin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature(pub Vec<u32>);

/// Value of every bin in the signature of an empty set.
const EMPTY: u32 = u32::MAX;

impl Signature {
    /// The signature of a set of shingle hashes (any order, duplicates
    /// allowed) with `num_hashes` bins.
    pub fn from_shingles(shingles: &[u64], num_hashes: usize) -> Signature {
        let mut bins = vec![EMPTY; num_hashes.max(1)];
        sketch_into(shingles, &mut bins);
        Signature(bins)
    }

    /// Number of bins.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for a signature with no bin.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Estimated Jaccard similarity: the share of equal bins.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let eq = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        eq as f64 / n as f64
    }
}

/// Writes the signature of `shingles` into `out` (one value per bin,
/// `out.len()` bins, at most 1,024) without allocating: the corpus-scale
/// path. Gives exactly [`Signature::from_shingles`]'s values.
pub fn sketch_into(shingles: &[u64], out: &mut [u32]) {
    sketch_iter(shingles.iter().copied(), out);
}

/// [`sketch_into`] over shingle hashes made as they are read (no slice of
/// them needs to exist): the same values for the same hashes.
pub fn sketch_iter(shingles: impl IntoIterator<Item = u64>, out: &mut [u32]) {
    let k = out.len();
    if k == 0 {
        return;
    }
    out.fill(EMPTY);
    let mut any = false;
    // Which bins hold a real minimum (u32::MAX is a possible value, so
    // EMPTY alone cannot tell).
    let mut filled = [0u64; 16];
    let big = k > 16 * 64;
    let mut filled_big = if big { vec![false; k] } else { Vec::new() };
    let is_filled = |f: &[u64; 16], fb: &[bool], i: usize| {
        if big {
            fb[i]
        } else {
            f[i >> 6] >> (i & 63) & 1 == 1
        }
    };
    for h in shingles {
        any = true;
        // Fast range reduction of the high 32 bits picks the bin.
        let bin = (((h >> 32) * k as u64) >> 32) as usize;
        let v = h as u32;
        // An empty bin holds EMPTY = u32::MAX, so the minimum takes any
        // first value. No branch: whether a value is a new minimum is a
        // coin toss early in a document, which a branch would mispredict.
        let slot = &mut out[bin];
        *slot = (*slot).min(v);
        if big {
            filled_big[bin] = true;
        } else {
            filled[bin >> 6] |= 1 << (bin & 63);
        }
    }
    if !any {
        return;
    }
    // Empty bins borrow from a probed filled bin's own minimum (the values
    // before densification, so the result does not depend on bin order:
    // a probe only ever reads a filled bin, and filled bins do not change).
    for i in (0..k).filter(|&i| !is_filled(&filled, &filled_big, i)) {
        // Probe bins with a hash of (bin, attempt) until a filled one.
        let mut attempt = 0u64;
        loop {
            attempt += 1;
            let probe = xxh3_64_with_seed(&(i as u64).to_le_bytes(), attempt);
            let j = (((probe >> 32) * k as u64) >> 32) as usize;
            if is_filled(&filled, &filled_big, j) {
                out[i] = out[j];
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::ShingleSet;

    /// Sets of `n` shingles sharing `shared` of them.
    fn pair(n: u64, shared: u64) -> (Vec<u64>, Vec<u64>) {
        let mix = |x: u64| xxhash_rust::xxh3::xxh3_64(&x.to_le_bytes());
        let a: Vec<u64> = (0..n).map(mix).collect();
        let b: Vec<u64> = (0..shared).chain(n..2 * n - shared).map(mix).collect();
        (a, b)
    }

    #[test]
    fn estimates_track_exact_jaccard() {
        for shared in [0, 100, 250, 400, 500] {
            let (a, b) = pair(500, shared);
            let exact =
                ShingleSet::from_hashes(a.clone()).jaccard(&ShingleSet::from_hashes(b.clone()));
            let est = Signature::from_shingles(&a, 128).jaccard(&Signature::from_shingles(&b, 128));
            // Four standard errors of a 128-sample estimate.
            let bound = 4.0 * (exact * (1.0 - exact) / 128.0).sqrt() + 0.02;
            assert!(
                (est - exact).abs() <= bound,
                "shared {shared}: est {est} exact {exact}"
            );
        }
    }

    #[test]
    fn sketch_into_matches_the_reference_signature() {
        // The original algorithm, kept here as the reference.
        fn reference(shingles: &[u64], k: usize) -> Vec<u32> {
            let mut bins = vec![EMPTY; k];
            let mut filled = vec![false; k];
            for &h in shingles {
                let bin = (((h >> 32) * k as u64) >> 32) as usize;
                let v = h as u32;
                if !filled[bin] || v < bins[bin] {
                    bins[bin] = v;
                    filled[bin] = true;
                }
            }
            if shingles.is_empty() {
                return bins;
            }
            let source = bins.clone();
            for i in 0..k {
                if filled[i] {
                    continue;
                }
                let mut attempt = 0u64;
                loop {
                    attempt += 1;
                    let probe = xxh3_64_with_seed(&(i as u64).to_le_bytes(), attempt);
                    let j = (((probe >> 32) * k as u64) >> 32) as usize;
                    if filled[j] {
                        bins[i] = source[j];
                        break;
                    }
                }
            }
            bins
        }
        for n in [0u64, 1, 3, 50, 500] {
            let (a, _) = pair(n.max(1), 0);
            let a = &a[..n as usize];
            for k in [8, 128, 1024, 2000] {
                assert_eq!(
                    Signature::from_shingles(a, k).0,
                    reference(a, k),
                    "n {n} k {k}"
                );
            }
        }
    }

    #[test]
    fn small_sets_are_densified() {
        let (a, _) = pair(3, 0);
        let sig = Signature::from_shingles(&a, 128);
        assert!(sig.0.iter().all(|&v| v != EMPTY));
        assert_eq!(sig.jaccard(&Signature::from_shingles(&a, 128)), 1.0);
    }
}
