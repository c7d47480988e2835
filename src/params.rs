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
    /// Jaccard of the two bodies at or above which two documents are
    /// `duplicate` (the same text but for a few words).
    pub duplicate_jaccard: f64,
    /// Jaccard of the two bodies at or above which two documents are the
    /// same story with words changed (`near-duplicate`). 0.5: a copy with a
    /// tenth of its words edited scores about 0.55 with 3-word shingles.
    pub near_duplicate_jaccard: f64,
    /// Share of the shorter body found in the longer at or above which the
    /// shorter is a copy of the longer, trimmed or extended (`contained`),
    /// when the two share at least [`Params::min_shared_shingles`]. 0.6: the
    /// first third of a wire story with a dateline and a footer has
    /// Jaccard 0.37 with the full story but containment 0.9.
    pub near_duplicate_containment: f64,
    /// Shingles two bodies must share before containment counts (about
    /// four sentences). Unrelated articles can share a run of two or three
    /// sentences (quotes, agency boilerplate), and a short article can sit
    /// almost wholly inside another that way: measured on a 100,000-line
    /// generated stream, with 20 the filter dropped 151 unrelated articles,
    /// with 80 it dropped 82 at the cost of 1% recall.
    pub min_shared_shingles: usize,
    /// Shingles shared by two bodies that make the shorter a copy even
    /// when less of it is contained, down to [`Params::long_containment`]:
    /// a dozen sentences in a row are taken, not met by chance, whatever
    /// else the shorter page holds (reader comments, a longer version of
    /// the story on the other side). 250: the AP story that cbsnews.com
    /// and msnbc.com carry in Dragnet shares 520 with comments below it on
    /// one side; two articles quoting the same statement share under 150.
    pub long_shared_shingles: usize,
    /// Containment from which [`Params::long_shared_shingles`] makes a copy.
    pub long_containment: f64,
    /// Shingles two pages share that are furniture or learned boilerplate
    /// in either of them, from which the two are read as pages of one
    /// template (the same site, or the same blog platform): 100, a
    /// navigation bar or a footer, where two sites' pages share a few
    /// dozen ("All rights reserved", "Privacy Policy").
    pub template_shingles: usize,
    /// Body shingles two pages of one template must share to be the same
    /// story: 150. A template carries prose that has not been learned yet
    /// on a site's second page (an author blurb, a comment policy, a
    /// sidebar of testimonials: 70-130 shingles in Dragnet's chrome-only
    /// pairs); an article shared is several paragraphs.
    pub template_min_shared: usize,
    /// Words of article text a page must have that the other page lacks,
    /// in one run, to be a different article from a page of the same
    /// template whatever else they share: 30, a paragraph (the two pages
    /// then each carry their own story under shared chrome).
    pub own_article_words: usize,
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
    /// with edits needs. Passages of up to
    /// [`crate::diff::UNCAPPED_DIFF_WORDS`] words (both sides) are always
    /// diffed in full.
    pub diff_time_limit: Duration,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            shingle_size: 3,
            num_hashes: 128,
            duplicate_jaccard: 0.9,
            near_duplicate_jaccard: 0.5,
            near_duplicate_containment: 0.6,
            min_shared_shingles: 80,
            long_shared_shingles: 250,
            long_containment: 0.3,
            template_shingles: 100,
            template_min_shared: 150,
            own_article_words: 30,
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
            ("long-copy containment", self.long_containment),
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
