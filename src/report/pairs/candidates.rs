//! Candidate pairs from pass 1's band keys: documents sharing a key, by
//! the sort-based bucketing of [`crate::report::candidates`] (keys
//! partitioned by their top bits and sorted in cache, no hash map), less
//! the pairs whose signature bytes agree far less than the threshold asks.

use super::{PairsParams, PREFILTER_MARGIN};
use crate::report::candidates::pairs_sharing_a_key;

/// Distinct pairs `(a, b)`, `a < b`, of `ok` documents sharing one of
/// their `bands` keys, prefiltered on the signature bytes `low`
/// (`params.num_hashes` a document).
pub(super) fn candidate_pairs(
    keys: &[u64],
    low: &[u8],
    bands: usize,
    ok: &[bool],
    params: &PairsParams,
) -> Vec<(u32, u32)> {
    let h = params.num_hashes;
    let mut c = pairs_sharing_a_key(keys, bands, ok);
    // Candidates whose signatures agree far less than the threshold
    // asks are dropped before the exact check (which every reported
    // pair still passes): at 128 values the estimate's standard error
    // is at most 0.045, so a pair at the threshold lands PREFILTER_MARGIN
    // (over 4 standard errors) below it with chance under 1e-5.
    let floor = params.threshold - PREFILTER_MARGIN * (128.0 / h as f64).sqrt();
    c.retain(|&(a, b)| {
        let (x, y) = (&low[a as usize * h..][..h], &low[b as usize * h..][..h]);
        let agree = x.iter().zip(y).filter(|(p, q)| p == q).count();
        agree as f64 >= floor * h as f64
    });
    c
}
