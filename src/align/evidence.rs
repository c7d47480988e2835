//! How much a shared word says about two texts sharing a passage.
//!
//! A shared word is evidence in proportion to how unlikely it is to be
//! shared by chance, judged within the pair (a document-frequency
//! weighting over the two texts):
//!
//! - function words ([`super::stopwords`]) say nothing;
//! - a word occurring at most [`RARE_COUNT`] times in each text weighs its
//!   full base weight; a more frequent one `RARE_COUNT / count` of it
//!   ("junior doctors", "the BMA" and "Jeremy Hunt", all through both
//!   texts of the seed corpus, weigh little);
//! - the base weight of a number grows with how specific it is (a
//!   six-digit figure is not matched by chance, a day of the month is).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::tokenize::{folded_word_hash, Tokens};
use crate::words::is_function_word as is_stop_hash;

/// A word is rare in a pair when it occurs at most this many times in each
/// text. Two, not one: news repeats the key word of a fact once (the
/// headline figure, then the quote containing it).
pub(crate) const RARE_COUNT: u32 = 2;

/// Base weight of a number of four or more digits that is not a year
/// (`3,000`, `125,000`): a figure is the strongest sign of one fact.
pub(crate) const FIGURE_WEIGHT: f64 = 3.0;
/// Base weight of a three-digit number, a decimal (`13.5`) or a one- or
/// two-digit percentage (`64%`).
pub(crate) const SMALL_FIGURE_WEIGHT: f64 = 2.0;
/// Base weight of any other number (days, hours, years, counts below 100):
/// an ordinary word.
pub(crate) const PLAIN_NUMBER_WEIGHT: f64 = 1.0;

/// Hasher for keys that already are token hashes: the low bits of a
/// [`folded_word_hash`], which pick the bucket, are the high bits of a
/// 64-bit product, so they are mixed enough as they are.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by token hash.
pub(crate) type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

/// How often each word occurs in A and in B.
pub(crate) struct PairCounts {
    map: HashKeyed<[u32; 2]>,
}

impl PairCounts {
    pub fn new(ah: &[u64], bh: &[u64]) -> PairCounts {
        let mut map: HashKeyed<[u32; 2]> = HashKeyed::default();
        map.reserve(ah.len().max(bh.len()));
        for &h in ah {
            map.entry(h).or_default()[0] += 1;
        }
        for &h in bh {
            map.entry(h).or_default()[1] += 1;
        }
        PairCounts { map }
    }

    /// Occurrences of the word in A and in B.
    pub fn get(&self, h: u64) -> [u32; 2] {
        self.map.get(&h).copied().unwrap_or_default()
    }

    /// 1 for a rare word, `RARE_COUNT / count` for a frequent one.
    pub fn rarity(&self, h: u64) -> f64 {
        let [a, b] = self.get(h);
        let most = a.max(b).max(1);
        if most <= RARE_COUNT {
            1.0
        } else {
            f64::from(RARE_COUNT) / f64::from(most)
        }
    }
}

/// The base weight of a token whose folded form is `norm`, if it is a
/// number; `percent_follows` when the next token is `%` / `per cent`.
pub(crate) fn number_weight(norm: &str, percent_follows: bool) -> Option<f64> {
    let digits = norm.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let all_digits = digits == norm.len();
    let is_year = all_digits && digits == 4 && (norm.starts_with("19") || norm.starts_with("20"));
    Some(if !all_digits && !norm.contains('.') {
        // `8am`, `24th`, `a4`: a number inside a word.
        PLAIN_NUMBER_WEIGHT
    } else if digits >= 4 && !is_year {
        FIGURE_WEIGHT
    } else if digits == 3 || norm.contains('.') || percent_follows {
        SMALL_FIGURE_WEIGHT
    } else {
        PLAIN_NUMBER_WEIGHT
    })
}

/// The hash of the `percent` token.
pub(crate) fn percent_hash() -> u64 {
    folded_word_hash(b"percent")
}

/// Evidence weight of every token of `t` (base weight × rarity; 0 for a
/// function word), from the folded words alone.
pub(crate) fn token_weights(t: &Tokens, counts: &PairCounts) -> Vec<f64> {
    let percent = percent_hash();
    let toks = t.as_slice();
    (0..toks.len())
        .map(|i| {
            let h = toks[i].hash;
            if is_stop_hash(h) {
                return 0.0;
            }
            let next_percent = toks.get(i + 1).is_some_and(|n| n.hash == percent);
            let base = number_weight(t.norm(i), next_percent).unwrap_or(1.0);
            base * counts.rarity(h)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_weigh_by_how_specific_they_are() {
        assert_eq!(number_weight("125000", false), Some(FIGURE_WEIGHT));
        assert_eq!(number_weight("3000", false), Some(FIGURE_WEIGHT));
        assert_eq!(number_weight("2016", false), Some(PLAIN_NUMBER_WEIGHT));
        assert_eq!(number_weight("13.5", true), Some(SMALL_FIGURE_WEIGHT));
        assert_eq!(number_weight("64", true), Some(SMALL_FIGURE_WEIGHT));
        assert_eq!(number_weight("24", false), Some(PLAIN_NUMBER_WEIGHT));
        assert_eq!(number_weight("8am", false), Some(PLAIN_NUMBER_WEIGHT));
        assert_eq!(number_weight("operations", false), None);
    }

    #[test]
    fn frequent_words_weigh_less() {
        let a = Tokens::new("Hunt met Hunt and Hunt; the figure was 125,000.");
        let b = Tokens::new("Hunt said 125000 was right.");
        let ah: Vec<u64> = a.hashes().collect();
        let bh: Vec<u64> = b.hashes().collect();
        let c = PairCounts::new(&ah, &bh);
        let w = token_weights(&a, &c);
        assert!((w[0] - 2.0 / 3.0).abs() < 1e-9, "{w:?}");
        assert_eq!(w[5], 0.0);
        assert_eq!(w[8], FIGURE_WEIGHT);
    }
}
