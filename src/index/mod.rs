//! Candidate search: LSH banding over MinHash signatures.
//!
//! A signature of `bands * rows` values is cut into `bands` bands; two
//! documents become candidates when any band is identical. The chance of
//! that for Jaccard `s` is `1 - (1 - s^rows)^bands`, an S-curve whose knee
//! sits near the requested threshold. [`LshParams::optimal`] picks bands and
//! rows the way datasketch does: minimise the weighted area of false
//! positives (below the threshold) plus false negatives (above it).
//!
//! [`store::Store`] holds the band keys on disk (or in memory) for the
//! filter; [`memory::MemoryIndex`] is a plain hash map of them, the
//! reference its candidates are tested against. Candidates are only
//! candidates: callers verify them with exact shingle sets.

pub mod check;
pub mod memory;
pub mod store;
pub mod texts;

use crate::minhash::Signature;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A document's number inside an index.
pub type DocId = u64;

/// Banding of a signature: `bands` bands of `rows` values each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

/// Steps of the numerical integration in [`LshParams::optimal`].
const INTEGRATION_STEPS: usize = 200;

impl LshParams {
    /// Bands and rows for `num_hashes` values minimising
    /// `fp_weight * FP + fn_weight * FN`, where FP is the area under the
    /// collision curve below `threshold` and FN the area above it missed.
    pub fn optimal(threshold: f64, num_hashes: usize, fp_weight: f64, fn_weight: f64) -> LshParams {
        let t = threshold.clamp(0.0, 1.0);
        let mut best = LshParams {
            bands: num_hashes.max(1),
            rows: 1,
        };
        let mut best_err = f64::INFINITY;
        for bands in 1..=num_hashes.max(1) {
            let max_rows = num_hashes / bands;
            for rows in 1..=max_rows {
                let p = LshParams { bands, rows };
                let fp = integrate(|s| p.collision_probability(s), 0.0, t);
                let fnr = integrate(|s| 1.0 - p.collision_probability(s), t, 1.0);
                let err = fp_weight * fp + fn_weight * fnr;
                if err < best_err {
                    best_err = err;
                    best = p;
                }
            }
        }
        best
    }

    /// The banding with the most rows (fewest false candidates) whose chance
    /// of pairing two documents at Jaccard `threshold` is at least
    /// `recall`, within `num_hashes` values. Callers that verify every
    /// candidate exactly use this: a missed pair is lost, an extra one
    /// costs one check.
    pub fn for_recall(threshold: f64, num_hashes: usize, recall: f64) -> LshParams {
        let t = threshold.clamp(0.0, 1.0);
        let n = num_hashes.max(1);
        for rows in (1..=n).rev() {
            let p = LshParams {
                bands: n / rows,
                rows,
            };
            if p.collision_probability(t) >= recall {
                return p;
            }
        }
        LshParams { bands: n, rows: 1 }
    }

    /// Chance that two documents of Jaccard `s` share at least one band.
    pub fn collision_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// Number of signature values used.
    pub fn width(&self) -> usize {
        self.bands * self.rows
    }

    /// One key per band: the band's values hashed with the band number as
    /// seed, so equal values in different bands never collide.
    pub fn band_keys<'a>(&self, sig: &'a Signature) -> impl Iterator<Item = u64> + 'a {
        let rows = self.rows;
        (0..self.bands).map(move |b| {
            let band = &sig.0[b * rows..(b + 1) * rows];
            let mut bytes = [0u8; 4 * 64];
            let mut v = Vec::new();
            let buf: &[u8] = if rows <= 64 {
                for (chunk, x) in bytes.chunks_exact_mut(4).zip(band) {
                    chunk.copy_from_slice(&x.to_le_bytes());
                }
                &bytes[..4 * rows]
            } else {
                v.extend(band.iter().flat_map(|x| x.to_le_bytes()));
                &v
            };
            xxh3_64_with_seed(buf, b as u64)
        })
    }
}

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let h = (b - a) / INTEGRATION_STEPS as f64;
    (0..INTEGRATION_STEPS)
        .map(|i| f(a + (i as f64 + 0.5) * h) * h)
        .sum()
}

/// Chains of entry numbers by bucket, for a multimap whose entries the
/// caller keeps in a vector of its own (entry `i` is the `i`-th pushed):
/// a flat table of chain heads indexed by a bucket's low `bits` bits, and
/// one link an entry. Buckets sharing a slot share a chain, so a reader
/// compares each entry's bucket. Buckets are hashes already, so their low
/// bits spread; a push is one cache miss, where a hash map's insert was a
/// probe sequence (3% of the filter's CPU for the store's deferred keys).
#[derive(Debug, Default)]
pub(crate) struct SlotChains {
    bits: u32,
    /// Slot -> last entry of its chain (`u32::MAX`: none); empty until the
    /// first push.
    head: Vec<u32>,
    /// Entry -> the entry before it in its chain (`u32::MAX`: none).
    next: Vec<u32>,
}

impl SlotChains {
    /// Empty chains over `1 << bits` slots (allocated at the first push).
    pub(crate) fn new(bits: u32) -> SlotChains {
        SlotChains {
            bits,
            head: Vec::new(),
            next: Vec::new(),
        }
    }

    /// The slot of `bucket`.
    pub(crate) fn slot(&self, bucket: u64) -> usize {
        bucket as usize & ((1 << self.bits) - 1)
    }

    /// Forgets every entry, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.head.fill(u32::MAX);
        self.next.clear();
    }

    /// Chains the next entry (number `len()`) under `bucket`.
    pub(crate) fn push(&mut self, bucket: u64) {
        if self.head.is_empty() {
            self.head.resize(1 << self.bits, u32::MAX);
        }
        let slot = self.slot(bucket);
        let at = self.next.len() as u32;
        self.next.push(std::mem::replace(&mut self.head[slot], at));
    }

    /// The last entry chained in `bucket`'s slot, if any: its load is what
    /// a look-up waits for first (see `Store::lookup_many`).
    pub(crate) fn head(&self, bucket: u64) -> Option<u32> {
        self.head.get(self.slot(bucket)).copied()
    }

    /// The entries chained in `bucket`'s slot, newest first; those of
    /// other buckets sharing the slot among them.
    pub(crate) fn chain(&self, bucket: u64) -> impl Iterator<Item = usize> + '_ {
        let link = |at: u32| (at != u32::MAX).then_some(at as usize);
        std::iter::successors(self.head(bucket).and_then(link), move |&at| {
            link(self.next[at])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_banding_puts_the_knee_near_the_threshold() {
        for t in [0.5, 0.8] {
            let p = LshParams::optimal(t, 128, 0.5, 0.5);
            assert!(p.width() <= 128);
            assert!(p.collision_probability(t + 0.15) > 0.9, "{p:?} at {t}");
            assert!(p.collision_probability(t - 0.3) < 0.2, "{p:?} at {t}");
        }
    }

    #[test]
    fn banding_for_recall() {
        let p = LshParams::for_recall(0.8, 128, 0.999);
        assert!(p.collision_probability(0.8) >= 0.999);
        let more_rows = LshParams {
            bands: 128 / (p.rows + 1),
            rows: p.rows + 1,
        };
        assert!(more_rows.collision_probability(0.8) < 0.999);
        assert!(p.collision_probability(0.3) < 0.5, "{p:?}");
    }

    #[test]
    fn band_keys_differ_by_band() {
        let sig = Signature(vec![7; 8]);
        let keys: Vec<u64> = LshParams { bands: 4, rows: 2 }.band_keys(&sig).collect();
        assert_eq!(keys.len(), 4);
        let mut dedup = keys.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), 4);
    }
}
