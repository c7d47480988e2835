//! Word shingles and their hashes, and exact set similarity.
//!
//! A shingle is `k` consecutive folded words. Its hash is the one rule for
//! windows of words in the crate ([`Shingles`]): a polynomial rolling hash
//! of the `k` word hashes ([`crate::tokenize::folded_word_hash`]), plus the
//! window's length, through the splitmix64 [`finalize`]r. `compare`,
//! `report` (its sets, LSH signatures, inverted index and boilerplate),
//! the aligner's seeds, `report --pairs-only` and the filter all shingle
//! this way, so their sets can meet. A text shorter than `k` words (but not
//! empty) has one shingle of all its words, so short texts still compare;
//! an empty text has none. [`run_hash`] is the same hash of a run of any
//! length, for code that groups runs of words by their words.
//! [`ShingleSet`] is the sorted, deduplicated set: the exact scores a user
//! sees come from it, never from a MinHash estimate.

/// The shingle hashes of word hashes, made as they are read: a
/// polynomial rolling hash of the `k` word hashes, then a 64-bit
/// finalizer. A text of fewer than `k` words is one shingle; an empty
/// text has none.
#[derive(Clone)]
pub struct Shingles<'a> {
    tokens: &'a [u64],
    k: usize,
    /// Index of the next word to roll in.
    next: usize,
    /// Rolling hash of the current window.
    h: u64,
    /// ROLL^(k-1): the weight of the word leaving the window.
    top: u64,
}

impl<'a> Shingles<'a> {
    /// The shingles of `tokens`, `k` words each.
    pub fn new(tokens: &'a [u64], k: usize) -> Shingles<'a> {
        let k = k.max(1);
        let first = k.min(tokens.len());
        Shingles {
            tokens,
            k,
            next: first,
            h: rolled(&tokens[..first]),
            top: (1..k).fold(1u64, |p, _| p.wrapping_mul(ROLL)),
        }
    }
}

impl Shingles<'_> {
    /// The shingles still to come, in one vector of their exact size,
    /// written without the per-item capacity check `collect` makes here
    /// (it was a twelfth of the filter's instructions).
    pub fn into_vec(self) -> Vec<u64> {
        let n = self.len();
        let mut out = Vec::with_capacity(n);
        let t = self.tokens;
        if n == 0 {
            return out;
        }
        if t.len() < self.k {
            out.push(window_shingle(self.h, t.len()));
            return out;
        }
        // As `next` does: emit the window before word `next`, then roll
        // each later word in and the word `k` before it out.
        // (Zipped slices, not indices: no bounds checks in the loop.)
        let (k, top, mut h) = (self.k, self.top, self.h);
        out.push(window_shingle(h, k));
        let (incoming, outgoing) = (&t[self.next..], &t[self.next - k..]);
        out.extend(incoming.iter().zip(outgoing).map(|(&new, &old)| {
            h = roll(h, old, new, top);
            window_shingle(h, k)
        }));
        out
    }
}

/// The hash of a run of words taken as one window (`words` are word
/// hashes): what [`Shingles`] gives for a window of these words, whatever
/// the run's length. A key for grouping runs by their words (equal runs
/// hash equal, unequal ones collide with chance about 2^-64).
pub fn run_hash(words: &[u64]) -> u64 {
    window_shingle(rolled(words), words.len())
}

/// The rolling hash of a whole window of word hashes.
#[inline]
fn rolled(words: &[u64]) -> u64 {
    words
        .iter()
        .fold(0u64, |h, &x| h.wrapping_mul(ROLL).wrapping_add(x))
}

/// The rolling hash `h` of a window with word `old` rolled out (`top` is
/// its weight, `ROLL^(k-1)`) and word `new` rolled in.
#[inline]
fn roll(h: u64, old: u64, new: u64, top: u64) -> u64 {
    h.wrapping_sub(old.wrapping_mul(top))
        .wrapping_mul(ROLL)
        .wrapping_add(new)
}

/// The shingle of a window of `k` words (all of a text shorter than the
/// shingle size) with rolling hash `h`.
#[inline]
fn window_shingle(h: u64, k: usize) -> u64 {
    finalize(h.wrapping_add(k as u64))
}

impl Iterator for Shingles<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let t = self.tokens;
        if self.next > t.len() || t.is_empty() {
            return None;
        }
        if t.len() < self.k {
            // The one shingle of a short text, weighted by its length.
            self.next = t.len() + 1;
            return Some(window_shingle(self.h, t.len()));
        }
        // `h` is the window ending before word `next`: emit it, then
        // roll word `next` in and word `next - k` out.
        let i = self.next;
        self.next += 1;
        let out = window_shingle(self.h, self.k);
        if i < t.len() {
            self.h = roll(self.h, t[i - self.k], t[i], self.top);
        }
        Some(out)
    }

    /// Exact, so that collecting shingles allocates once: growing the
    /// vector by doubling copied it and faulted in fresh pages (a
    /// twentieth of the filter's CPU time).
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }
}

impl ExactSizeIterator for Shingles<'_> {
    /// Shingles still to come: one per window position, or the one
    /// shingle of a text shorter than `k`.
    #[inline]
    fn len(&self) -> usize {
        if self.tokens.is_empty() {
            0
        } else {
            (self.tokens.len() + 1).saturating_sub(self.next)
        }
    }
}

/// Odd multiplier of the rolling shingle hash (a 64-bit prime).
const ROLL: u64 = 0x9E37_79B9_7F4A_7C15 | 1;

/// The splitmix64 finalizer: every output bit depends on every input bit,
/// as one-permutation MinHash needs (bin from the high bits, value from
/// the low ones).
pub fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A sorted, deduplicated set of shingle hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShingleSet {
    hashes: Vec<u64>,
}

/// Sorts hash values (uniform over `u64`): one counting pass on the top
/// bits into about two values a bucket, then each bucket sorted in place.
/// Three times faster than `sort_unstable` on a document's thousand
/// shingles (the sort was a twentieth of the filter's CPU); a skewed
/// input only makes some buckets bigger, each still sorted in
/// O(m log m).
pub fn sort_hashes(v: &mut Vec<u64>) {
    let n = v.len();
    if n < 256 {
        v.sort_unstable();
        return;
    }
    let bits = (usize::BITS - 1 - (n / 2).leading_zeros()).min(16);
    let shift = 64 - bits;
    let mut ends = vec![0u32; (1 << bits) + 1];
    for &h in v.iter() {
        ends[(h >> shift) as usize + 1] += 1;
    }
    for b in 1..ends.len() {
        ends[b] += ends[b - 1];
    }
    let mut out = vec![0u64; n];
    // `ends[b]` is the next free slot of bucket b, then the bucket's end.
    for &h in v.iter() {
        let b = (h >> shift) as usize;
        out[ends[b] as usize] = h;
        ends[b] += 1;
    }
    let mut start = 0;
    for &end in &ends[..1 << bits] {
        let bucket = &mut out[start..end as usize];
        if bucket.len() > 16 {
            bucket.sort_unstable();
        } else {
            for i in 1..bucket.len() {
                let x = bucket[i];
                let mut j = i;
                while j > 0 && bucket[j - 1] > x {
                    bucket[j] = bucket[j - 1];
                    j -= 1;
                }
                bucket[j] = x;
            }
        }
        start = end as usize;
    }
    *v = out;
}

impl ShingleSet {
    /// The set of `k`-word shingles ([`Shingles`]) over a sequence of word
    /// hashes.
    pub fn from_token_hashes(token_hashes: &[u64], k: usize) -> ShingleSet {
        ShingleSet::from_hashes(Shingles::new(token_hashes, k).into_vec())
    }

    /// The set of the given hashes (any order, duplicates allowed).
    pub fn from_hashes(mut hashes: Vec<u64>) -> ShingleSet {
        sort_hashes(&mut hashes);
        hashes.dedup();
        ShingleSet { hashes }
    }

    /// The hashes in ascending order.
    pub fn as_slice(&self) -> &[u64] {
        &self.hashes
    }

    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when the text had no word.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// True when `hash` is in the set.
    pub fn contains(&self, hash: u64) -> bool {
        self.hashes.binary_search(&hash).is_ok()
    }

    /// Number of shingles in both sets.
    pub fn intersection_len(&self, other: &ShingleSet) -> usize {
        let (a, b) = (&self.hashes, &other.hashes);
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }

    /// Exact Jaccard similarity: |A ∩ B| / |A ∪ B|. Two empty sets are
    /// identical (1.0); an empty and a non-empty set share nothing (0.0).
    pub fn jaccard(&self, other: &ShingleSet) -> f64 {
        if self.is_empty() && other.is_empty() {
            return 1.0;
        }
        let inter = self.intersection_len(other);
        inter as f64 / (self.len() + other.len() - inter) as f64
    }

    /// Share of this set found in `other`: |A ∩ B| / |A|. An empty set is
    /// contained in an empty set (1.0) and in nothing else (0.0).
    pub fn containment_in(&self, other: &ShingleSet) -> f64 {
        if self.is_empty() {
            return if other.is_empty() { 1.0 } else { 0.0 };
        }
        self.intersection_len(other) as f64 / self.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::Tokens;

    fn set(text: &str, k: usize) -> ShingleSet {
        ShingleSet::from_token_hashes(&Tokens::new(text).hashes().collect::<Vec<_>>(), k)
    }

    #[test]
    fn sort_hashes_sorts_uniform_and_skewed_values() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for n in [0, 1, 255, 256, 257, 1000, 5000] {
            let uniform: Vec<u64> = (0..n).map(|_| next()).collect();
            let skewed: Vec<u64> = (0..n).map(|_| next() >> 40).collect();
            let repeated: Vec<u64> = (0..n).map(|i| [7, u64::MAX, 1 << 63][i % 3]).collect();
            for v in [uniform, skewed, repeated] {
                let mut want = v.clone();
                want.sort_unstable();
                let mut got = v;
                sort_hashes(&mut got);
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn shingles_roll_windows_of_k_words() {
        let all = |t: &[u64], k| Shingles::new(t, k).collect::<Vec<_>>();
        assert!(all(&[], 3).is_empty());
        assert_eq!(all(&[7, 8], 3).len(), 1);
        assert_ne!(all(&[7, 8], 3), all(&[7, 8, 0], 3));
        let s = all(&[1, 2, 3, 1, 2, 3, 4], 3);
        assert_eq!(s.len(), 5);
        // Equal windows hash equal wherever they are; others differ.
        assert_eq!(s[0], s[3]);
        assert_eq!(s[0], all(&[1, 2, 3], 3)[0]);
        let distinct: std::collections::HashSet<_> = s.iter().collect();
        assert_eq!(distinct.len(), 4);
        // The signature made as shingles are read is the stored one's.
        let mut a = vec![0u32; 16];
        let mut b = vec![0u32; 16];
        crate::minhash::sketch_iter(Shingles::new(&[5, 6, 7, 8, 9, 10], 2), &mut a);
        crate::minhash::sketch_into(&all(&[5, 6, 7, 8, 9, 10], 2), &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn run_hash_is_the_shingle_of_the_run() {
        let t: Vec<u64> = (0..12u64)
            .map(|i| i.wrapping_mul(0x1234_5678_9ABC_DEF1))
            .collect();
        for k in 1..6 {
            let s: Vec<u64> = Shingles::new(&t, k).collect();
            for (i, &h) in s.iter().enumerate() {
                assert_eq!(run_hash(&t[i..i + k]), h, "k {k} at {i}");
            }
        }
        // A text shorter than the shingle size: its one shingle.
        assert_eq!(run_hash(&t[..2]), Shingles::new(&t[..2], 5).next().unwrap());
        assert_ne!(run_hash(&t[..3]), run_hash(&t[1..4]));
        assert_ne!(run_hash(&t[..2]), run_hash(&t[..3]));
    }

    #[test]
    fn shingles_report_how_many_are_left() {
        for n in 0..8u64 {
            let tokens: Vec<u64> = (0..n).collect();
            for k in 1..5 {
                let mut it = Shingles::new(&tokens, k);
                let mut left = it.len();
                assert_eq!(left, it.clone().count(), "n {n} k {k}");
                assert_eq!(it.clone().into_vec(), it.clone().collect::<Vec<_>>());
                while it.next().is_some() {
                    assert_eq!(it.clone().into_vec(), it.clone().collect::<Vec<_>>());
                    assert_eq!(it.len(), left - 1, "n {n} k {k}");
                    left -= 1;
                }
                assert_eq!(left, 0, "n {n} k {k}");
            }
        }
    }

    #[test]
    fn jaccard_and_containment() {
        let a = set("the cat sat on the mat", 2);
        let b = set("the cat sat on a mat", 2);
        assert_eq!(a.len(), 5);
        assert_eq!(a.intersection_len(&b), 3);
        assert!((a.jaccard(&b) - 3.0 / 7.0).abs() < 1e-12);
        assert!((a.containment_in(&b) - 0.6).abs() < 1e-12);
        assert_eq!(a.jaccard(&a), 1.0);
    }

    #[test]
    fn short_texts_have_one_shingle_and_empty_sets_are_defined() {
        assert_eq!(set("two words", 5).len(), 1);
        assert_eq!(set("", 5).jaccard(&set("", 5)), 1.0);
        assert_eq!(set("", 5).jaccard(&set("a b", 5)), 0.0);
        assert_eq!(set("", 5).containment_in(&set("a b", 5)), 0.0);
    }

    #[test]
    fn folding_makes_variants_equal() {
        assert_eq!(
            set("64% of people blaming", 3),
            set("64 per cent of People blaming", 3)
        );
    }
}
