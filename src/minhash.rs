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
        let k = num_hashes.max(1);
        let mut bins = vec![EMPTY; k];
        let mut filled = vec![false; k];
        for &h in shingles {
            // Fast range reduction of the high 32 bits picks the bin.
            let bin = (((h >> 32) * k as u64) >> 32) as usize;
            let v = h as u32;
            if !filled[bin] || v < bins[bin] {
                bins[bin] = v;
                filled[bin] = true;
            }
        }
        if shingles.is_empty() {
            return Signature(bins);
        }
        let source = bins.clone();
        for i in 0..k {
            if filled[i] {
                continue;
            }
            // Probe bins with a hash of (bin, attempt) until a filled one.
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
    fn small_sets_are_densified() {
        let (a, _) = pair(3, 0);
        let sig = Signature::from_shingles(&a, 128);
        assert!(sig.0.iter().all(|&v| v != EMPTY));
        assert_eq!(sig.jaccard(&Signature::from_shingles(&a, 128)), 1.0);
    }
}
