//! `Params`: every tuning number of the pipeline in one place.
//!
//! The defaults are documented in README.md ("Verdicts and thresholds");
//! each field says how its default was chosen. Commands build one `Params`
//! from their flags and pass it down; nothing reads globals.

use std::time::Duration;

use crate::error::{Error, Result};

/// Tuning parameters shared by `compare`, `report` and `filter`.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Words per shingle for similarity scores and candidate search.
    /// 3 keeps scores meaningful for edited copies of short news texts
    /// (a 5-word shingle is broken by one edit in every five words).
    pub shingle_size: usize,
    /// MinHash values per signature (candidate search only; scores shown for
    /// a pair always come from exact shingle sets).
    pub num_hashes: usize,
    /// Jaccard at or above which two documents are `duplicate`.
    pub duplicate_jaccard: f64,
    /// Jaccard at or above which two documents are `near-duplicate`.
    pub near_duplicate_jaccard: f64,
    /// Containment of the shorter document in the longer at or above which
    /// the pair is `near-duplicate` even when Jaccard is low (a copy trimmed
    /// from the bottom or extended with local reaction).
    pub near_duplicate_containment: f64,
    /// Length of the shorter document relative to the longer at or above
    /// which high containment makes a `near-duplicate`; below it the pair is
    /// `partial`. 0.25: a wire story cut to its first quarter is still a
    /// copy of it, a paragraph quoted in a long article is not.
    pub near_duplicate_min_ratio: f64,
    /// Words a verbatim passage needs at least (shorter exact runs are
    /// coincidence: "the health secretary said"); an edited passage needs as
    /// many words inside its exact matches.
    pub min_passage_words: usize,
    /// Largest gap, in words on either side, an edited passage bridges
    /// between two exact matches. 8 covers a replaced clause or a deleted
    /// parenthesis ("(instances of which are called objects)"); a longer
    /// insertion splits the passage in two, which is how a reader sees it.
    pub max_gap_words: usize,
    /// Most passages reported for one pair (a cap, not an error: two
    /// 200,000-word books sharing a third of their text stay far below it).
    pub max_passages: usize,
    /// Time allowed to the word diff of one passage; past it `similar`
    /// returns a coarser diff (still covering both sides) instead of running
    /// on. 100 ms is two orders of magnitude above what a 5,000-word passage
    /// with edits needs.
    pub diff_time_limit: Duration,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            shingle_size: 3,
            num_hashes: 128,
            duplicate_jaccard: 0.9,
            near_duplicate_jaccard: 0.5,
            near_duplicate_containment: 0.8,
            near_duplicate_min_ratio: 0.25,
            min_passage_words: 5,
            max_gap_words: 8,
            max_passages: 10_000,
            diff_time_limit: Duration::from_millis(100),
        }
    }
}

impl Params {
    /// Checks every field is in its range.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidParams(m));
        if !(1..=16).contains(&self.shingle_size) {
            return bad(format!(
                "shingle size {} is not in 1..=16",
                self.shingle_size
            ));
        }
        if !(8..=1024).contains(&self.num_hashes) {
            return bad(format!("hash count {} is not in 8..=1024", self.num_hashes));
        }
        for (name, v) in [
            ("duplicate threshold", self.duplicate_jaccard),
            ("near-duplicate threshold", self.near_duplicate_jaccard),
            ("containment threshold", self.near_duplicate_containment),
            ("length ratio", self.near_duplicate_min_ratio),
        ] {
            if !(0.0..=1.0).contains(&v) || v.is_nan() {
                return bad(format!("{name} {v} is not in 0..=1"));
            }
        }
        if self.min_passage_words == 0 {
            return bad("minimum passage length must be at least 1 word".into());
        }
        if self.max_gap_words > 1000 {
            return bad(format!(
                "gap of {} words is not in 0..=1000",
                self.max_gap_words
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ranges_checked() {
        assert!(Params::default().validate().is_ok());
        let p = Params {
            shingle_size: 0,
            ..Params::default()
        };
        assert!(p.validate().is_err());
        let p = Params {
            duplicate_jaccard: 1.5,
            ..Params::default()
        };
        assert!(p.validate().is_err());
    }
}
