//! Boilerplate: what is on a page but is not its article.
//!
//! Scraped pages carry site chrome (navigation bars, "related stories" and
//! "most read" boxes, login and comment forms, share bars, copyright
//! footers) and page furniture (an embedded-content notice repeated under
//! every tweet of a live page). None of it is article text: it must never
//! make two documents look related, and it is neither shared nor unique
//! material. This module finds it; [`crate::analysis::Analysis`] leaves it
//! out of a document's *body*, the only thing documents are judged on.
//!
//! Two kinds of evidence:
//!
//! * **The page itself** ([`page_furniture`]), so a site with one page is
//!   covered: the shape of the text ([`crate::shape`]: menus, link lists
//!   and forms read differently from sentences), runs repeated inside the
//!   page ([`repeated_runs`]: the BBC live page's "Greenwich Mean Time 11
//!   February 2016" under every entry) and link boxes (a "Related stories:"
//!   or "More from LabourList" header and the headlines under it).
//! * **Other pages** ([`BoilerplateModel`]): a *segment* (the words between
//!   two sentence ends, bars, colons or semicolons: a footer sentence, a
//!   headline, a menu item) that recurs on the pages of one source
//!   ([`BoilerplateReason::Recurring`]: at least
//!   [`BoilerplateParams::min_docs`] pages and
//!   [`BoilerplateParams::min_share`] of them), or on pages of several
//!   sources ([`BoilerplateReason::Widespread`]: a comment form of a blog
//!   platform, "Privacy Policy Terms of Use"; pages without a source count
//!   as sources of their own). The model learns from the pages it is shown
//!   one at a time, with bounded memory, in the order of the stream; the
//!   filter shows it the pages it keeps, so a story dropped as a copy never
//!   teaches it that its text recurs, and the report runs the same engine.
//!
//! Nothing here depends on line breaks, and everything is deterministic:
//! the same input gives the same boilerplate.
//!
//! ```
//! use copydesk::boilerplate::{BoilerplateModel, BoilerplateParams};
//! let mut model = BoilerplateModel::new(BoilerplateParams::default());
//! // Segment 7 is on every page of site-a (its footer); 100+i is article text.
//! for i in 0..5 {
//!     model.observe(Some("site-a"), &[7, 100 + i], &[]);
//! }
//! assert!(model.is_boilerplate(Some("site-a"), 7));
//! assert!(!model.is_boilerplate(Some("site-a"), 100));
//! assert!(!model.is_boilerplate(Some("site-b"), 7));
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64;

use crate::shingle::{run_hash, Shingles};
use crate::span::Span;

/// Tuning of every boilerplate detector.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateParams {
    /// Pages of one source a segment must be on to be that source's
    /// boilerplate. 2 in the filter, which counts only pages it keeps: a
    /// story the source runs twice is dropped as a copy and never counted,
    /// while waiting for a third page lets a site's second page be judged
    /// with its chrome still counted as text.
    pub min_docs: u32,
    /// Share of a source's pages (counted from the first one that had the
    /// segment) the segment must be on. 0.05: site chrome is on nearly
    /// every page and a "related stories" headline on a few per cent of
    /// them, while a story a site runs three times in a year of output is
    /// far below it.
    pub min_share: f64,
    /// Pages, of at least two sources, a segment must be on to be
    /// boilerplate everywhere ([`BoilerplateReason::Widespread`]). 3: two
    /// unrelated articles may quote the same sentence; a third page of yet
    /// another source makes it a pattern (a platform's comment form, a
    /// syndicated footer).
    pub corpus_min_docs: u32,
    /// Share of the pages seen since a segment first appeared that it must
    /// be on to be widespread: 0.02. Chrome recurs densely (a platform's
    /// comment form, a syndicated footer: on several pages in a hundred of
    /// the stream that carries them); a sentence two or three unrelated
    /// articles happen to share (a quote, a stock phrase; in a generated
    /// corpus, a sentence drawn twice from the pool) recurs once in
    /// thousands of pages.
    pub corpus_min_share: f64,
    /// Words a segment needs for the corpus-wide count (shorter ones,
    /// "Home", "he said", are everywhere for no reason; the shape of the
    /// text finds menus). 4.
    pub corpus_min_words: u32,
    /// Shortest run of words that is boilerplate when it occurs
    /// [`min_repeats`](Self::min_repeats) times inside one document. 6: the
    /// BBC live page repeats "Greenwich Mean Time 11 February 2016" (6
    /// words) under every entry and "The BBC is not responsible for the
    /// content of external sites." under every embedded post, while the
    /// story's own stock phrases are shorter ("a contract on junior
    /// doctors", 5 words, three times on that page).
    pub min_repeat_words: usize,
    /// Occurrences inside one document that make a short run boilerplate.
    /// 3: a live page repeats its own news lines twice (the summary, then
    /// the entry: "which included a concession on Saturday pay"), and an
    /// article may quote its headline in the text; furniture recurs more.
    pub min_repeats: usize,
    /// A run of at least this many words occurring twice in one document is
    /// boilerplate (the BBC's 90-word "This Twitter post cannot be
    /// displayed..." notice). 30: longer than the sentences a live page
    /// repeats from its summary.
    pub long_repeat_words: usize,
    /// Longest run that is furniture for occurring twice in one page: 200
    /// words. A notice is a paragraph or two; a page that prints its whole
    /// article twice (a teaser and the story, a print view) repeats a
    /// thousand words, and that is the article.
    pub max_repeat_words: usize,
    /// Most segment counters kept, over all sources and the corpus-wide
    /// ones. At about 24 bytes each, 4,194,304 is about 100 MB whatever the
    /// number of documents.
    pub max_entries: usize,
}

impl Default for BoilerplateParams {
    fn default() -> BoilerplateParams {
        BoilerplateParams {
            min_docs: 3,
            min_share: 0.05,
            corpus_min_docs: 3,
            corpus_min_share: 0.02,
            corpus_min_words: 4,
            min_repeat_words: 6,
            min_repeats: 3,
            long_repeat_words: 30,
            max_repeat_words: 200,
            max_entries: 1 << 22,
        }
    }
}

impl BoilerplateParams {
    /// The recurrence rule of a source: `count` pages of the source hold
    /// the segment, out of `docs_since` pages of the source seen since the
    /// first that held it.
    pub fn is_recurring(&self, count: u32, docs_since: u64) -> bool {
        count >= self.min_docs && count as f64 >= self.min_share * docs_since as f64
    }
}

/// Why a run of words is boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BoilerplateReason {
    /// Shaped like page furniture: a menu, a list of links, a form
    /// ([`crate::shape`]).
    Shape,
    /// Recurs on pages of the document's source (site chrome).
    Recurring,
    /// Recurs on pages of several sources (a platform's forms, stock
    /// footers).
    Widespread,
    /// Repeated inside the document (embedded-content notices, timestamps).
    Repeated,
    /// A list of links ("More from ...", "Related stories:").
    LinkBox,
}

impl BoilerplateReason {
    /// The name used in every output format.
    pub fn as_str(&self) -> &'static str {
        match self {
            BoilerplateReason::Shape => "shape",
            BoilerplateReason::Recurring => "recurring",
            BoilerplateReason::Widespread => "widespread",
            BoilerplateReason::Repeated => "repeated",
            BoilerplateReason::LinkBox => "link-box",
        }
    }
}

// ---------------------------------------------------------------------------
// Streaming model

/// One segment's counter in the streaming model.
#[derive(Debug, Clone, Copy)]
struct Counter {
    /// Pages that held the segment.
    count: u32,
    /// Per source: the source's page count when the segment was first
    /// seen. Corpus-wide: the tag of the first source that had it
    /// ([`MANY_SOURCES`] once a second one did).
    first_doc: u32,
    /// The model's page count when the segment was first seen.
    first_global: u32,
}

/// [`Counter::first_doc`] of a corpus-wide counter seen on two sources.
const MANY_SOURCES: u32 = u32::MAX;

/// Hasher of the streaming model's maps: its keys are hashes already (the
/// segment hashes, and short source names), so one multiply mixes them
/// enough; SipHash was 8% of the filter's decision thread.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().expect("8-byte chunk")));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(last) ^ bytes.len() as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type MixMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;

#[derive(Debug, Default, Clone)]
struct SourceCounts {
    docs: u32,
    counters: MixMap<u64, Counter>,
}

impl SourceCounts {
    /// True when counter `c` of this source recurs (the one rule every
    /// answer of the model, and its snapshots, follows).
    fn recurs(&self, params: &BoilerplateParams, c: &Counter) -> bool {
        params.is_recurring(c.count, u64::from(self.docs - c.first_doc))
    }

    /// True when `segment` recurs in this source.
    fn is_boilerplate(&self, params: &BoilerplateParams, segment: u64) -> bool {
        self.counters
            .get(&segment)
            .is_some_and(|c| self.recurs(params, c))
    }
}

/// True when corpus-wide counter `c` makes its segment boilerplate of a
/// page with a source (`sourced`) or without, with `docs` pages seen in
/// all. A page without a source learns only from the corpus, so there the
/// corpus-wide counts stand for its source's: [`BoilerplateParams::min_docs`]
/// pages suffice, where a page with a source asks for
/// [`BoilerplateParams::corpus_min_docs`] (it has its own source's counts
/// besides).
fn is_widespread(params: &BoilerplateParams, c: &Counter, docs: u32, sourced: bool) -> bool {
    let min = if sourced {
        params.corpus_min_docs
    } else {
        params.min_docs
    };
    c.count >= min
        && c.first_doc == MANY_SOURCES
        && f64::from(c.count) >= params.corpus_min_share * f64::from(docs - c.first_global)
}

/// Pages of a source a new counter is kept for before lossy counting
/// may forget it: long enough for a site's second and third page to confirm
/// its chrome, short enough that one-off article segments go soon.
const GRACE_DOCS: u32 = 8;

/// Pages a new corpus-wide counter is kept for before lossy counting may
/// forget it (when it is too rare to reach half
/// [`BoilerplateParams::corpus_min_share`]).
const CORPUS_GRACE_DOCS: u32 = 256;

/// Streaming boilerplate learner with bounded memory.
///
/// Feed it each kept page's segment hashes with
/// [`observe`](BoilerplateModel::observe); ask
/// [`is_boilerplate`](BoilerplateModel::is_boilerplate) or
/// [`boilerplate_flags`](BoilerplateLookup::boilerplate_flags) before
/// judging a page. Counters are per source, plus one corpus-wide set; the
/// total is capped by [`BoilerplateParams::max_entries`]. When the cap is
/// reached, counters that can no longer reach their threshold go first
/// (lossy counting), then the least frequent, oldest first: a source that
/// publishes one page in millions may then take longer to learn, but
/// memory never grows with the stream.
#[derive(Debug)]
pub struct BoilerplateModel {
    params: BoilerplateParams,
    sources: MixMap<String, SourceCounts>,
    /// Corpus-wide counters (see [`Counter`]).
    corpus: MixMap<u64, Counter>,
    entries: usize,
    global_docs: u32,
    scratch: Vec<u64>,
}

impl Clone for BoilerplateModel {
    fn clone(&self) -> BoilerplateModel {
        BoilerplateModel {
            params: self.params.clone(),
            sources: self.sources.clone(),
            corpus: self.corpus.clone(),
            entries: self.entries,
            global_docs: self.global_docs,
            scratch: Vec::new(),
        }
    }
}

/// The tag of a page's source for the corpus-wide counters: the name's
/// hash, or for a page without a source one of its own (its number).
fn source_tag(source: Option<&str>, page: u32) -> u32 {
    let tag = match source {
        Some(s) => xxh3_64(s.as_bytes()) as u32,
        None => page ^ 0x5bd1_e995,
    };
    tag.min(MANY_SOURCES - 1)
}

impl BoilerplateModel {
    /// An empty model.
    pub fn new(params: BoilerplateParams) -> BoilerplateModel {
        BoilerplateModel {
            params,
            sources: MixMap::default(),
            corpus: MixMap::default(),
            entries: 0,
            global_docs: 0,
            scratch: Vec::new(),
        }
    }

    /// The parameters the model was built with.
    pub fn params(&self) -> &BoilerplateParams {
        &self.params
    }

    /// Counts one page of `source` (`None`: unknown): each distinct
    /// segment of `segments` once for its source, and each of `long` (its
    /// segments of at least [`BoilerplateParams::corpus_min_words`] words)
    /// once corpus-wide. Either may be in any order and hold duplicates.
    pub fn observe(&mut self, source: Option<&str>, segments: &[u64], long: &[u64]) {
        let global = self.global_docs;
        let mut added = 0;
        if let Some(source) = source {
            self.scratch.clear();
            self.scratch.extend_from_slice(segments);
            self.scratch.sort_unstable();
            self.scratch.dedup();
            let counts = match self.sources.get_mut(source) {
                Some(c) => c,
                None => self.sources.entry(source.to_string()).or_default(),
            };
            let doc = counts.docs;
            for &h in &self.scratch {
                counts
                    .counters
                    .entry(h)
                    .and_modify(|c| c.count = c.count.saturating_add(1))
                    .or_insert_with(|| {
                        added += 1;
                        Counter {
                            count: 1,
                            first_doc: doc,
                            first_global: global,
                        }
                    });
            }
            counts.docs = counts.docs.saturating_add(1);
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(long);
        self.scratch.sort_unstable();
        self.scratch.dedup();
        let tag = source_tag(source, global);
        for &h in &self.scratch {
            self.corpus
                .entry(h)
                .and_modify(|c| {
                    c.count = c.count.saturating_add(1);
                    if c.first_doc != tag {
                        c.first_doc = MANY_SOURCES;
                    }
                })
                .or_insert_with(|| {
                    added += 1;
                    Counter {
                        count: 1,
                        first_doc: tag,
                        first_global: global,
                    }
                });
        }
        self.global_docs = self.global_docs.saturating_add(1);
        self.entries += added;
        if self.entries > self.params.max_entries {
            self.prune();
        }
    }

    /// True when `segment` is boilerplate of `source` (per source or
    /// corpus-wide) by what the model has seen so far.
    pub fn is_boilerplate(&self, source: Option<&str>, segment: u64) -> bool {
        self.reason(source, segment).is_some()
    }

    /// Why `segment` is boilerplate of `source`, if it is: recurring in the
    /// source first, then widespread.
    pub fn reason(&self, source: Option<&str>, segment: u64) -> Option<BoilerplateReason> {
        let p = &self.params;
        if source
            .and_then(|s| self.sources.get(s))
            .is_some_and(|c| c.is_boilerplate(p, segment))
        {
            return Some(BoilerplateReason::Recurring);
        }
        self.corpus
            .get(&segment)
            .is_some_and(|c| is_widespread(p, c, self.global_docs, source.is_some()))
            .then_some(BoilerplateReason::Widespread)
    }

    /// Pages of `source` observed so far.
    pub fn source_docs(&self, source: &str) -> u64 {
        self.sources.get(source).map_or(0, |c| u64::from(c.docs))
    }

    /// Pages observed so far, over all sources.
    pub fn docs(&self) -> u64 {
        u64::from(self.global_docs)
    }

    /// Segment counters currently kept, over all sources.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Approximate heap bytes held by the counters (hash-table slots at
    /// their load factor, plus per-source overhead).
    pub fn approx_memory_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(u64, Counter)>() + 1;
        let tables: usize = self
            .sources
            .iter()
            .map(|(name, c)| c.counters.capacity() * slot + name.len() + 64)
            .sum();
        tables + self.corpus.capacity() * slot + self.scratch.capacity() * 8
    }

    /// Brings the counters back under half the cap (hysteresis, so pruning
    /// runs rarely).
    fn prune(&mut self) {
        let target = self.params.max_entries / 2;
        // 1. Lossy counting: forget counters past their grace period that
        //    are too rare to reach half the share threshold.
        let p = &self.params;
        for counts in self.sources.values_mut() {
            let docs = counts.docs;
            counts.counters.retain(|_, c| {
                let age = docs - c.first_doc;
                age < GRACE_DOCS
                    || c.count >= p.min_docs
                    || c.count as f64 >= 0.5 * p.min_share * age as f64
            });
        }
        let global = self.global_docs;
        self.corpus.retain(|_, c| {
            let age = global - c.first_global;
            age < CORPUS_GRACE_DOCS
                || f64::from(c.count) >= 0.5 * p.corpus_min_share * f64::from(age)
        });
        self.recount();
        if self.entries <= target {
            return;
        }
        // 2. Still too many: drop the least frequent, oldest first.
        let mut keys: Vec<(u32, u32)> = self
            .sources
            .values()
            .flat_map(|c| c.counters.values())
            .chain(self.corpus.values())
            .map(|c| (c.count, c.first_global))
            .collect();
        let excess = self.entries - target;
        keys.select_nth_unstable(excess - 1);
        let cut = keys[excess - 1];
        // Counters equal to the cut key go too, so the cut is never missed.
        for counts in self.sources.values_mut() {
            counts
                .counters
                .retain(|_, c| (c.count, c.first_global) > cut);
        }
        self.corpus.retain(|_, c| (c.count, c.first_global) > cut);
        self.sources
            .retain(|_, c| !c.counters.is_empty() || c.docs > 0);
        self.recount();
    }

    fn recount(&mut self) {
        self.entries = self
            .sources
            .values()
            .map(|c| c.counters.len())
            .sum::<usize>()
            + self.corpus.len();
    }

    /// What the model says is boilerplate now, frozen (see
    /// [`BoilerplateSnapshot`]).
    pub fn snapshot(&self) -> BoilerplateSnapshot {
        let p = &self.params;
        BoilerplateSnapshot {
            sources: self
                .sources
                .iter()
                .map(|(name, c)| {
                    let recurring = c
                        .counters
                        .iter()
                        .filter(|(_, k)| c.recurs(p, k))
                        .map(|(&h, _)| (h, ()))
                        .collect();
                    (
                        name.clone(),
                        SnapshotSource {
                            docs: c.docs,
                            recurring,
                        },
                    )
                })
                .collect(),
            widespread: self
                .corpus
                .iter()
                .filter(|(_, c)| is_widespread(p, c, self.global_docs, false))
                .map(|(&h, c)| (h, is_widespread(p, c, self.global_docs, true)))
                .collect(),
            docs: self.global_docs,
            min_docs: p.min_docs,
        }
    }
}

/// The answers of a [`BoilerplateModel`] at one moment, without its
/// counters: each source's page count and the segments recurring in it
/// then, and the widespread segments. Its [`BoilerplateLookup`] answers
/// are the model's when the snapshot was taken. The filter signs documents
/// in parallel under one while its model learns. A copy of the whole model
/// (megabytes of counters, two of them kept) cost about as much to take
/// every 1,024 lines as this scan of it, but its look-ups missed the cache
/// where the recurring segments are a few kilobytes, and it was stored
/// whole at commits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoilerplateSnapshot {
    sources: MixMap<String, SnapshotSource>,
    /// Widespread segments for pages without a source, each with whether
    /// it is widespread for pages with one too.
    widespread: MixMap<u64, bool>,
    docs: u32,
    min_docs: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct SnapshotSource {
    docs: u32,
    recurring: MixMap<u64, ()>,
}

/// What both the live model and a snapshot of it answer.
pub trait BoilerplateLookup {
    /// Pages of `source` observed so far.
    fn source_docs(&self, source: &str) -> u64;
    /// Pages observed so far, over all sources.
    fn docs(&self) -> u64;
    /// For each of `segments`, true when it is boilerplate of `source`;
    /// empty when none is (one look-up each).
    fn boilerplate_flags(&self, source: Option<&str>, segments: &[u64]) -> Vec<bool>;

    /// True while too few pages of `source` (without a source, of the
    /// corpus) were seen to have learned the boilerplate a page of it
    /// carries: fewer than [`YOUNG_SOURCE_DOCS`] ([`YOUNG_CORPUS_DOCS`]).
    fn is_young(&self, source: Option<&str>) -> bool {
        match source {
            Some(s) => self.source_docs(s) < YOUNG_SOURCE_DOCS,
            None => self.docs() < YOUNG_CORPUS_DOCS,
        }
    }

    /// Pages of a source a segment must be on to be its boilerplate
    /// ([`BoilerplateParams::min_docs`] of the model).
    fn min_docs(&self) -> u32;

    /// True while nothing of `source`'s template can have been learned:
    /// fewer of its pages were seen than a segment must be on to be
    /// boilerplate (without a source: while the corpus is young). Two
    /// pages of such a source may share template prose the model has not
    /// seen recur yet ([`crate::judge`]).
    fn template_unlearned(&self, source: Option<&str>) -> bool {
        match source {
            Some(s) => self.source_docs(s) < u64::from(self.min_docs()),
            None => self.docs() < YOUNG_CORPUS_DOCS,
        }
    }
}

/// Pages of a source below which its boilerplate is still being learned.
/// The filter signs the pages it kept meanwhile again as the model learns
/// (without it the first pages of every site kept signatures made over
/// their chrome and later copies, signed without it, missed them: recall
/// 0.79 on the 240-line accuracy fixture), and the judgement asks more of
/// two pages of one template while it lasts ([`crate::judge`]).
pub const YOUNG_SOURCE_DOCS: u64 = 16;

/// Pages in all below which a page without a source is young (see
/// [`YOUNG_SOURCE_DOCS`]): its boilerplate is learned only from segments
/// widespread over the corpus, which a stream of a few sites shows within
/// its first hundreds of pages.
pub const YOUNG_CORPUS_DOCS: u64 = 256;

/// The flags of `items` by `is`, or nothing when none is set.
fn flags_where<T>(items: &[T], mut is: impl FnMut(&T) -> bool) -> Vec<bool> {
    let Some(first) = items.iter().position(&mut is) else {
        return Vec::new();
    };
    let mut flags = vec![false; first];
    flags.push(true);
    flags.extend(items[first + 1..].iter().map(is));
    flags
}

impl BoilerplateLookup for BoilerplateModel {
    fn source_docs(&self, source: &str) -> u64 {
        BoilerplateModel::source_docs(self, source)
    }

    fn min_docs(&self) -> u32 {
        self.params.min_docs
    }

    fn docs(&self) -> u64 {
        BoilerplateModel::docs(self)
    }

    fn boilerplate_flags(&self, source: Option<&str>, segments: &[u64]) -> Vec<bool> {
        let p = &self.params;
        let counts = source.and_then(|s| self.sources.get(s));
        if counts.is_none() && self.corpus.is_empty() {
            return Vec::new();
        }
        flags_where(segments, |h| {
            counts.is_some_and(|c| c.is_boilerplate(p, *h))
                || self
                    .corpus
                    .get(h)
                    .is_some_and(|c| is_widespread(p, c, self.global_docs, source.is_some()))
        })
    }
}

impl BoilerplateLookup for BoilerplateSnapshot {
    fn source_docs(&self, source: &str) -> u64 {
        self.sources.get(source).map_or(0, |c| u64::from(c.docs))
    }

    fn min_docs(&self) -> u32 {
        self.min_docs
    }

    fn docs(&self) -> u64 {
        u64::from(self.docs)
    }

    fn boilerplate_flags(&self, source: Option<&str>, segments: &[u64]) -> Vec<bool> {
        let recurring = source
            .and_then(|s| self.sources.get(s))
            .map(|c| &c.recurring)
            .filter(|r| !r.is_empty());
        if recurring.is_none() && self.widespread.is_empty() {
            return Vec::new();
        }
        flags_where(segments, |h| {
            recurring.is_some_and(|r| r.contains_key(h))
                || self
                    .widespread
                    .get(h)
                    .is_some_and(|&for_all| for_all || source.is_none())
        })
    }
}

impl BoilerplateSnapshot {
    /// Recurring and widespread segments kept, over all sources.
    pub fn entries(&self) -> usize {
        self.sources
            .values()
            .map(|c| c.recurring.len())
            .sum::<usize>()
            + self.widespread.len()
    }

    /// Serialises the snapshot (little-endian: its page count and
    /// [`BoilerplateLookup::min_docs`]; each
    /// source in name order with its page count and recurring segments;
    /// the widespread segments, each with whether it holds for pages with
    /// a source).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.docs.to_le_bytes());
        out.extend_from_slice(&self.min_docs.to_le_bytes());
        let mut names: Vec<&String> = self.sources.keys().collect();
        names.sort_unstable();
        out.extend_from_slice(&(names.len() as u64).to_le_bytes());
        for name in names {
            let c = &self.sources[name];
            out.extend_from_slice(&(name.len() as u64).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&c.docs.to_le_bytes());
            out.extend_from_slice(&(c.recurring.len() as u64).to_le_bytes());
            for h in c.recurring.keys() {
                out.extend_from_slice(&h.to_le_bytes());
            }
        }
        out.extend_from_slice(&(self.widespread.len() as u64).to_le_bytes());
        for (h, &for_all) in &self.widespread {
            out.extend_from_slice(&h.to_le_bytes());
            out.push(u8::from(for_all));
        }
        out
    }

    /// Reads what [`BoilerplateSnapshot::encode`] wrote; `None` when the
    /// bytes are not such a snapshot.
    pub fn decode(bytes: &[u8]) -> Option<BoilerplateSnapshot> {
        let mut r = bytes;
        let mut snap = BoilerplateSnapshot {
            docs: read_u32(&mut r)?,
            min_docs: read_u32(&mut r)?,
            ..BoilerplateSnapshot::default()
        };
        for _ in 0..read_u64(&mut r)? {
            let len = usize::try_from(read_u64(&mut r)?).ok()?;
            let name = String::from_utf8(take(&mut r, len)?.to_vec()).ok()?;
            let docs = read_u32(&mut r)?;
            let n = usize::try_from(read_u64(&mut r)?).ok()?;
            let mut recurring =
                MixMap::with_capacity_and_hasher(n.min(r.len() / 8), Default::default());
            for _ in 0..n {
                recurring.insert(read_u64(&mut r)?, ());
            }
            snap.sources
                .insert(name, SnapshotSource { docs, recurring });
        }
        for _ in 0..read_u64(&mut r)? {
            let h = read_u64(&mut r)?;
            let for_all = match take(&mut r, 1)?[0] {
                0 => false,
                1 => true,
                _ => return None,
            };
            snap.widespread.insert(h, for_all);
        }
        r.is_empty().then_some(snap)
    }
}

/// The next `n` bytes of `r`, which moves past them.
fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = (r.get(..n)?, r.get(n..)?);
    *r = rest;
    Some(head)
}

fn read_u32(r: &mut &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(take(r, 4)?.try_into().ok()?))
}

fn read_u64(r: &mut &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(take(r, 8)?.try_into().ok()?))
}

// ---------------------------------------------------------------------------
// The page itself

/// Token ranges of a page's furniture found in the page alone, each with
/// its reason, sorted and disjoint: the shape of the text
/// ([`crate::shape::furniture`]), runs repeated inside the page
/// ([`repeated_runs`]) and link boxes ([`link_boxes`]); where they
/// overlap, link boxes win over repeats and repeats over shape. `spans`
/// and `hashes` are the page's tokens; `seg_start` the first token of each
/// segment (see [`crate::analysis::Analysis`]).
pub fn page_furniture(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    seg_start: &[u32],
) -> Vec<(Range<usize>, BoilerplateReason)> {
    let params = BoilerplateParams::default();
    // Each token's reason and the number of the run that claimed it: runs
    // found separately stay separate (a timestamp right before an
    // embedded-post notice is two blocks), so each distinct block can be
    // reported once.
    let mut labels: Vec<Option<(BoilerplateReason, u32)>> = vec![None; hashes.len()];
    // Runs repeated among the words the shape leaves: furniture found by
    // its shape needs no second finding (and the count costs a look-up a
    // word).
    let shape = crate::shape::furniture(text, spans, hashes);
    let (short, most) =
        repeated_runs_counted(hashes, &shape, params.min_repeat_words, params.min_repeats);
    // A long run twice means its first short window twice at least.
    let long = if most >= 2 {
        repeated_runs_counted(hashes, &shape, params.long_repeat_words, 2).0
    } else {
        Vec::new()
    };
    let repeated = short.into_iter().chain(
        long.into_iter()
            .filter(|r| r.len() <= params.max_repeat_words),
    );
    let found = shape
        .into_iter()
        .map(|r| (r, BoilerplateReason::Shape))
        .chain(repeated.map(|r| (r, BoilerplateReason::Repeated)))
        .chain(
            link_boxes(text, spans, hashes, seg_start)
                .into_iter()
                .map(|r| (r, BoilerplateReason::LinkBox)),
        );
    for (id, (r, why)) in found.enumerate() {
        labels[r]
            .iter_mut()
            .for_each(|x| *x = Some((why, id as u32)));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        match labels[i] {
            Some(label) => {
                let s = i;
                while i < labels.len() && labels[i] == Some(label) {
                    i += 1;
                }
                out.push((s..i, label.0));
            }
            None => i += 1,
        }
    }
    out
}

/// Token ranges of `token_hashes` (one document) covered by a run of at
/// least `min_words` words that occurs at least `min_count` times, without
/// overlapping itself, in the same document. Sorted and disjoint.
pub fn repeated_runs(
    token_hashes: &[u64],
    min_words: usize,
    min_count: usize,
) -> Vec<Range<usize>> {
    repeated_runs_counted(token_hashes, &[], min_words, min_count).0
}

/// [`repeated_runs`] among the words outside the sorted, disjoint token
/// ranges `skip` (a window touching one is not counted), and the most times
/// any `min_words`-word window occurs without overlapping itself (a run of
/// more words cannot occur more often than its first window).
fn repeated_runs_counted(
    token_hashes: &[u64],
    skip: &[Range<usize>],
    min_words: usize,
    min_count: usize,
) -> (Vec<Range<usize>>, u32) {
    let m = min_words.max(2);
    let min_count = min_count.max(2);
    if token_hashes.len() < 2 * m {
        return (Vec::new(), 1);
    }
    WINDOWS.with_borrow_mut(|table| {
        let mut hashes: Vec<u64> = Shingles::new(token_hashes, m).collect();
        // Window `i` covers words `i..i + m`: it touches `r` when
        // `r.start + 1 - m <= i < r.end`. Zero marks a window not counted.
        let n = hashes.len();
        for r in skip {
            let first = (r.start + 1).saturating_sub(m).min(n);
            hashes[first..r.end.min(n)].fill(0);
        }
        let most = table.count(&hashes, m);
        if most < min_count as u32 {
            return (Vec::new(), most);
        }
        let mut covered = vec![false; token_hashes.len()];
        for (i, &h) in hashes.iter().enumerate() {
            if table.get(h) >= min_count as u32 {
                covered[i..i + m].iter_mut().for_each(|c| *c = true);
            }
        }
        (runs_of(&covered), most)
    })
}

thread_local! {
    /// Each thread's table of window counts for [`repeated_runs`].
    static WINDOWS: std::cell::RefCell<WindowCounts> = std::cell::RefCell::default();
}

/// Counts of window hashes in one document: open addressing over a
/// power-of-two table at most half full, reused from document to document
/// without clearing (each slot is stamped with the document it was filled
/// for; clearing the table was a third of the counting, and a hash map of
/// xxh3 window hashes, then a sort of them, a tenth of the filter's
/// preparation).
#[derive(Default)]
struct WindowCounts {
    /// (hash, non-overlapping occurrences, start of the last one counted,
    /// stamp of the document): a slot of another stamp is free.
    slots: Vec<(u64, u32, u32, u32)>,
    bits: u32,
    stamp: u32,
}

impl WindowCounts {
    /// Counts `hashes` (window `i` starts at word `i` and is `m` words
    /// long); an occurrence overlapping the previous one counted is not
    /// counted ("very very very ..." is one long run, not a repeat).
    /// Returns the highest count.
    fn count(&mut self, hashes: &[u64], m: usize) -> u32 {
        let bits = (usize::BITS - (2 * hashes.len()).leading_zeros()).max(10);
        if bits > self.bits || self.stamp == u32::MAX {
            self.bits = bits.max(self.bits);
            self.slots.clear();
            self.slots.resize(1 << self.bits, (0, 0, 0, 0));
            self.stamp = 0;
        }
        self.stamp += 1;
        let (stamp, bits) = (self.stamp, self.bits);
        let mask = (1usize << bits) - 1;
        let mut most = 1;
        for (i, &h) in hashes.iter().enumerate() {
            if h == 0 {
                continue;
            }
            let mut s = (h >> (64 - bits)) as usize;
            loop {
                let slot = &mut self.slots[s];
                if slot.3 != stamp {
                    *slot = (h, 1, i as u32, stamp);
                    break;
                }
                if slot.0 == h {
                    if i >= slot.2 as usize + m {
                        slot.1 += 1;
                        slot.2 = i as u32;
                        most = most.max(slot.1);
                    }
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        most
    }

    /// The count of `h` in the last document counted (zero when absent,
    /// and for zero, the mark of a window not counted).
    fn get(&self, h: u64) -> u32 {
        if h == 0 {
            return 0;
        }
        let mask = (1usize << self.bits) - 1;
        let mut s = (h >> (64 - self.bits)) as usize;
        loop {
            let slot = self.slots[s];
            if slot.3 != self.stamp {
                return 0;
            }
            if slot.0 == h {
                return slot.1;
            }
            s = (s + 1) & mask;
        }
    }
}

/// Maximal runs of `true`.
fn runs_of(covered: &[bool]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < covered.len() {
        if covered[i] {
            let s = i;
            while i < covered.len() && covered[i] {
                i += 1;
            }
            runs.push(s..i);
        } else {
            i += 1;
        }
    }
    runs
}

/// Lowercase openings of a segment that introduces a list of links,
/// collected from news sites' "more" boxes, with whether the opening is
/// a box's whatever follows it (`true`: no article sentence starts "More
/// from ..." or "Most read ..."), or only followed by a colon or alone in a
/// short segment (`false`: "Related to the strike, ministers said ...").
const LINK_BOX_HEADERS: &[(&str, bool)] = &[
    ("also read", false),
    ("editor's picks", true),
    ("editors' picks", true),
    ("further reading", true),
    ("latest news", false),
    ("more from", true),
    ("more on this story", true),
    ("more stories", true),
    ("most popular", true),
    ("most read", true),
    ("most viewed", true),
    ("popular now", true),
    ("read more", false),
    ("read next", true),
    ("recommended", false),
    ("related", false),
    ("related articles", true),
    ("related content", true),
    ("related coverage", true),
    ("related stories", true),
    ("see also", false),
    ("top stories", true),
    ("trending", false),
    ("you may also like", true),
    ("you might also like", true),
];

/// Most words a header segment may have without a colon after it ("More
/// from The Daily Ledger"): longer, it is a sentence that happens to open
/// with "related".
const MAX_LINK_HEADER_WORDS: usize = 6;

/// Most words a segment under a link-box header may have and still read as
/// a headline (a link), not a sentence of the article: headlines run 5-15
/// words, news sentences 15-30.
const MAX_LINK_WORDS: usize = 15;

/// Most links taken under one header (a box lists 3-10).
const MAX_LINKS: usize = 12;

/// [`LINK_BOX_HEADERS`] as folded word hashes (headers are matched as the
/// tokenizer folds them: `Editor’s picks` is `editors picks`), with the
/// sorted hashes of their first and last words, which rule out almost
/// every segment with one look-up.
struct LinkHeaders {
    headers: Vec<(Vec<u64>, bool)>,
    first: Vec<u64>,
    last: Vec<u64>,
}

fn link_headers() -> &'static LinkHeaders {
    static HEADERS: OnceLock<LinkHeaders> = OnceLock::new();
    HEADERS.get_or_init(|| {
        let headers: Vec<(Vec<u64>, bool)> = LINK_BOX_HEADERS
            .iter()
            .map(|&(h, strong)| {
                let mut hashes = Vec::new();
                crate::tokenize::TokenHasher::new().hash_tokens(h, &mut hashes);
                (hashes, strong)
            })
            .collect();
        let sorted = |pick: fn(&[u64]) -> u64| {
            let mut v: Vec<u64> = headers.iter().map(|(h, _)| pick(h)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        LinkHeaders {
            first: sorted(|h| h[0]),
            last: sorted(|h| h[h.len() - 1]),
            headers,
        }
    })
}

/// Token ranges of link boxes: a segment that opens with a link-box
/// header, followed by a colon ("Related stories: ...") or short ("More
/// from LabourList"), or a header with a colon closing a segment (a page
/// cut mid-sentence runs its last words into "Related stories:"), with the
/// headline-length segments after it. A header with no link under it is a
/// heading, unless it closes the page. `spans` and `hashes` are the page's
/// tokens. Sorted and disjoint.
pub fn link_boxes(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    seg_start: &[u32],
) -> Vec<Range<usize>> {
    let n = spans.len().min(hashes.len());
    let seg = |s: usize| {
        let start = seg_start[s] as usize;
        let end = seg_start.get(s + 1).map_or(n, |&t| t as usize);
        start..end
    };
    let headers = link_headers();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut s = 0;
    while s < seg_start.len() {
        let r = seg(s);
        let Some(from) = link_header(text, spans, hashes, headers, r.clone()) else {
            s += 1;
            continue;
        };
        let mut next = s + 1;
        while next < seg_start.len() && next - s <= MAX_LINKS && seg(next).len() <= MAX_LINK_WORDS {
            next += 1;
        }
        if next > s + 1 || next == seg_start.len() {
            out.push(from..seg(next - 1).end);
        }
        s = next.max(s + 1);
    }
    out
}

/// Where a link-box header starts in the segment of tokens `r`, if it
/// holds one (see [`link_boxes`]).
fn link_header(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    table: &LinkHeaders,
    r: Range<usize>,
) -> Option<usize> {
    if r.is_empty() || r.end > hashes.len() {
        return None;
    }
    let words = &hashes[r.clone()];
    let headers = &table.headers;
    // A colon right after the segment: "Related stories: ...".
    let colon = || {
        text[spans[r.end - 1].end..]
            .chars()
            .find(|c| !c.is_whitespace())
            == Some(':')
    };
    let opens = table.first.binary_search(&words[0]).is_ok()
        && headers.iter().any(|(h, strong)| {
            words.starts_with(h)
                && (*strong
                    || words.len() <= MAX_LINK_HEADER_WORDS
                    || (words.len() == h.len() && colon()))
        });
    if opens {
        return Some(r.start);
    }
    // At the segment's end, before a colon.
    if table.last.binary_search(&words[words.len() - 1]).is_err() {
        return None;
    }
    headers
        .iter()
        .find(|(h, _)| words.len() > h.len() && words.ends_with(h))
        .filter(|_| colon())
        .map(|(h, _)| r.end - h.len())
}

// ---------------------------------------------------------------------------
// Reporting

/// A run of boilerplate tokens in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoilerplateRun {
    /// Token range, end-exclusive.
    pub tokens: Range<usize>,
    /// Byte span in the document's text.
    pub span: Span,
    /// Which detector found it.
    pub reason: BoilerplateReason,
}

/// A distinct block of boilerplate of one source, reported once.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateBlock {
    /// Index of the first document holding the block, whose text shows it.
    pub doc: usize,
    /// Byte span of the block in that document.
    pub span: Span,
    /// Words in the block.
    pub words: usize,
    /// Documents holding this exact block (same folded words), ascending.
    pub docs: Vec<usize>,
    /// Times the block occurs in all those documents together.
    pub occurrences: usize,
    /// Which detector found it.
    pub reason: BoilerplateReason,
}

/// The boilerplate of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceBoilerplate {
    /// The source's name.
    pub source: String,
    /// Documents of the source in the corpus.
    pub docs: usize,
    /// Words of boilerplate over all the source's documents.
    pub words: usize,
    /// Distinct blocks, most widespread first.
    pub blocks: Vec<BoilerplateBlock>,
}

/// The boilerplate of a corpus, per document and per source.
#[derive(Debug, Clone, Default)]
pub struct CorpusBoilerplate {
    /// Per document (in input order): boilerplate runs, sorted, disjoint.
    pub docs: Vec<Vec<BoilerplateRun>>,
    /// Per source (sorted by name): its blocks, each reported once.
    pub sources: Vec<SourceBoilerplate>,
}

impl CorpusBoilerplate {
    /// Per token of document `doc`: true when it is boilerplate.
    pub fn mask(&self, doc: usize, len: usize) -> Vec<bool> {
        let mut m = vec![false; len];
        for r in &self.docs[doc] {
            m[r.tokens.clone()].iter_mut().for_each(|x| *x = true);
        }
        m
    }

    /// Boilerplate words of document `doc`.
    pub fn words(&self, doc: usize) -> usize {
        self.docs[doc].iter().map(|r| r.tokens.len()).sum()
    }

    /// Groups each document's runs (`docs`, in input order, with the
    /// documents' source keys `sources` and token hashes `hashes`) into
    /// distinct blocks per source.
    pub fn group(
        docs: Vec<Vec<BoilerplateRun>>,
        sources: &[String],
        hashes: &[Vec<u64>],
    ) -> CorpusBoilerplate {
        let mut by_source: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in sources.iter().enumerate() {
            by_source.entry(s.as_str()).or_default().push(i);
        }
        let mut names: Vec<&str> = by_source.keys().copied().collect();
        names.sort_unstable();
        let sources = names
            .into_iter()
            .map(|name| source_blocks(name, &by_source[name], &docs, hashes))
            .collect();
        CorpusBoilerplate { docs, sources }
    }
}

/// Groups one source's boilerplate runs into distinct blocks.
fn source_blocks(
    name: &str,
    members: &[usize],
    runs: &[Vec<BoilerplateRun>],
    hashes: &[Vec<u64>],
) -> SourceBoilerplate {
    let mut blocks: Vec<BoilerplateBlock> = Vec::new();
    let mut index: HashMap<(u64, BoilerplateReason), usize> = HashMap::new();
    let mut words = 0;
    for &d in members {
        for r in &runs[d] {
            words += r.tokens.len();
            let key = (run_hash(&hashes[d][r.tokens.clone()]), r.reason);
            match index.get(&key) {
                Some(&b) => {
                    let block = &mut blocks[b];
                    block.occurrences += 1;
                    if block.docs.last() != Some(&d) {
                        block.docs.push(d);
                    }
                }
                None => {
                    index.insert(key, blocks.len());
                    blocks.push(BoilerplateBlock {
                        doc: d,
                        span: r.span,
                        words: r.tokens.len(),
                        docs: vec![d],
                        occurrences: 1,
                        reason: r.reason,
                    });
                }
            }
        }
    }
    // Most widespread first, then longest, then by first appearance.
    blocks.sort_by(|a, b| {
        (b.docs.len(), b.occurrences, b.words)
            .cmp(&(a.docs.len(), a.occurrences, a.words))
            .then((a.doc, a.span.start).cmp(&(b.doc, b.span.start)))
    });
    SourceBoilerplate {
        source: name.to_string(),
        docs: members.len(),
        words,
        blocks,
    }
}

// ---------------------------------------------------------------------------
// Persistence of the streaming model (the filter commits it with its index)

impl BoilerplateModel {
    /// Serialises the counters (little-endian, sources in name order), so
    /// a persistent index can commit the model and a later run continue
    /// with exactly the same state. The parameters are not included: the
    /// caller restores them.
    pub fn encode(&self) -> Vec<u8> {
        encode_counts(
            self.global_docs,
            self.sources
                .iter()
                .map(|(name, c)| {
                    let counters = c.counters.iter().map(|(&h, &k)| (h, k));
                    (name.as_str(), c.docs, counters)
                })
                .collect(),
            self.corpus.iter().map(|(&h, &k)| (h, k)),
        )
    }

    /// Reads what [`BoilerplateModel::encode`] wrote, with `params`; `None`
    /// when the bytes are not such a model.
    pub fn decode(bytes: &[u8], params: BoilerplateParams) -> Option<BoilerplateModel> {
        fn counters(r: &mut &[u8]) -> Option<MixMap<u64, Counter>> {
            let n = usize::try_from(read_u64(r)?).ok()?;
            let mut counters =
                MixMap::with_capacity_and_hasher(n.min(r.len() / 20), Default::default());
            for _ in 0..n {
                let h = read_u64(r)?;
                let counter = Counter {
                    count: read_u32(r)?,
                    first_doc: read_u32(r)?,
                    first_global: read_u32(r)?,
                };
                counters.insert(h, counter);
            }
            Some(counters)
        }
        let mut r = bytes;
        let mut model = BoilerplateModel::new(params);
        model.global_docs = read_u32(&mut r)?;
        for _ in 0..read_u64(&mut r)? {
            let len = usize::try_from(read_u64(&mut r)?).ok()?;
            let name = String::from_utf8(take(&mut r, len)?.to_vec()).ok()?;
            let docs = read_u32(&mut r)?;
            let counters = counters(&mut r)?;
            model.sources.insert(name, SourceCounts { docs, counters });
        }
        model.corpus = counters(&mut r)?;
        model.recount();
        r.is_empty().then_some(model)
    }
}

/// The serial form of a model: `global_docs`, then each source in name
/// order with its page count and its counters, then the corpus-wide
/// counters (counters in table order: nothing in the model depends on
/// their order, and sorting them was half of the encoding, which the
/// filter does at every commit).
fn encode_counts<I, J>(global_docs: u32, mut sources: Vec<(&str, u32, I)>, corpus: J) -> Vec<u8>
where
    I: ExactSizeIterator<Item = (u64, Counter)>,
    J: ExactSizeIterator<Item = (u64, Counter)>,
{
    fn put_counters(out: &mut Vec<u8>, counters: impl ExactSizeIterator<Item = (u64, Counter)>) {
        out.extend_from_slice(&(counters.len() as u64).to_le_bytes());
        out.reserve(counters.len() * 20);
        for (h, k) in counters {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&k.count.to_le_bytes());
            out.extend_from_slice(&k.first_doc.to_le_bytes());
            out.extend_from_slice(&k.first_global.to_le_bytes());
        }
    }
    sources.sort_by_key(|s| s.0);
    let mut out = Vec::new();
    out.extend_from_slice(&global_docs.to_le_bytes());
    out.extend_from_slice(&(sources.len() as u64).to_le_bytes());
    for (name, docs, counters) in sources {
        out.extend_from_slice(&(name.len() as u64).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&docs.to_le_bytes());
        put_counters(&mut out, counters);
    }
    put_counters(&mut out, corpus);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::tokenize::TokenHasher;

    fn tokens(text: &str) -> (Vec<u64>, Vec<Span>) {
        let (mut hashes, mut spans) = (Vec::new(), Vec::new());
        TokenHasher::new().hash_tokens_spans(text, &mut hashes, &mut spans);
        (hashes, spans)
    }

    fn slices<'t>(text: &'t str, runs: &[Range<usize>]) -> Vec<&'t str> {
        let (_, spans) = tokens(text);
        runs.iter()
            .map(|r| &text[spans[r.start].start..spans[r.end - 1].end])
            .collect()
    }

    fn boxes(text: &str) -> Vec<&str> {
        let (hashes, spans) = tokens(text);
        let a = Analysis::new(text, 3);
        slices(text, &link_boxes(text, &spans, &hashes, &a.seg_start))
    }

    #[test]
    fn repeated_notice_inside_one_document() {
        let notice = "The BBC is not responsible for the content of external sites.";
        let text = format!("Hunt spoke first. {notice} Then the BMA replied at length. {notice}");
        let runs = repeated_runs(&tokens(&text).0, 6, 2);
        assert_eq!(
            slices(&text, &runs),
            [
                "The BBC is not responsible for the content of external sites",
                "The BBC is not responsible for the content of external sites"
            ]
        );
    }

    #[test]
    fn self_overlapping_repetition_is_not_a_block() {
        let text = "no no no no no no no no no said the crowd";
        assert!(repeated_runs(&tokens(text).0, 6, 2).is_empty());
        // Twice is not three times.
        assert!(repeated_runs(&tokens("a b c d e f. a b c d e f.").0, 5, 3).is_empty());
    }

    #[test]
    fn closing_link_list_is_a_link_box_flattened_or_not() {
        let text = "Ninety-eight per cent of junior doctors balloted were in support of the strike.\n\
                    More from LabourList:\n\
                    \u{2018}Deepening ties with EU best way for UK to deal with Trump tariff fears\u{2019}.\n\
                    Activist abused in viral clip vows to keep canvassing\n";
        for t in [text.to_string(), text.replace('\n', " ")] {
            let found = boxes(&t);
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(found[0].starts_with("More from LabourList"));
            assert!(found[0].ends_with("keep canvassing"));
        }
    }

    #[test]
    fn inline_related_box_and_prose_that_is_not_one() {
        let text = "Related stories: Storm hits coast. Mayor resigns. \
                    The health secretary said on Sunday that the strike was unnecessary and that \
                    talks with the union should continue. Related to the strike, ministers said \
                    on Sunday that the talks would go on for as long as the union wanted them to. \
                    Read more";
        // "Read more" closes the document: a header with nothing under it.
        assert_eq!(
            boxes(text),
            [
                "Related stories: Storm hits coast. Mayor resigns",
                "Read more"
            ]
        );
        // A heading with prose under it is not a link box.
        let prose = "Read more. The health secretary said on Sunday that the strike was \
                     unnecessary and that talks with the union should continue for weeks.";
        assert!(boxes(prose).is_empty());
    }

    #[test]
    fn page_furniture_labels_shape_repeats_and_boxes() {
        let text = "Home | News | Sport | Weather | Business | Politics \
                    Junior doctors will strike again next month after talks with the \
                    government broke down, the union said on Thursday. The health secretary \
                    said he would impose the new contract, and that the offer made to the \
                    doctors was fair and would not be improved whatever the union did. \
                    Related stories: Storm hits coast. Mayor resigns.";
        let (hashes, spans) = tokens(text);
        let a = Analysis::new(text, 3);
        let f = page_furniture(text, &spans, &hashes, &a.seg_start);
        let reasons: Vec<BoilerplateReason> = f.iter().map(|(_, w)| *w).collect();
        assert_eq!(
            reasons,
            [BoilerplateReason::Shape, BoilerplateReason::LinkBox],
            "{f:?}"
        );
        let runs: Vec<Range<usize>> = f.iter().map(|(r, _)| r.clone()).collect();
        let s = slices(text, &runs);
        assert!(
            s[0].starts_with("Home") && s[0].contains("Politics"),
            "{s:?}"
        );
        assert_eq!(s[1], "Related stories: Storm hits coast. Mayor resigns");
    }

    #[test]
    fn streaming_model_learns_chrome_not_articles() {
        let mut m = BoilerplateModel::new(BoilerplateParams::default());
        for i in 0..10u64 {
            m.observe(Some("s"), &[1, 2, 3, 1000 + i, 2000 + i], &[]);
        }
        assert!(m.is_boilerplate(Some("s"), 1));
        assert!(!m.is_boilerplate(Some("s"), 1000));
        assert!(!m.is_boilerplate(None, 1));
        assert_eq!(m.boilerplate_flags(Some("s"), &[5000, 1]), [false, true]);
        assert!(m.boilerplate_flags(Some("s"), &[5000]).is_empty());
        assert_eq!(m.source_docs("s"), 10);
        assert_eq!(m.reason(Some("s"), 2), Some(BoilerplateReason::Recurring));
    }

    #[test]
    fn widespread_segments_need_pages_of_several_sources() {
        let mut m = BoilerplateModel::new(BoilerplateParams::default());
        // A platform's comment form (segment 9) on three blogs.
        m.observe(Some("blog-a"), &[9, 100], &[9, 100]);
        m.observe(Some("blog-a"), &[9, 101], &[9, 101]);
        m.observe(Some("blog-a"), &[9, 102], &[9, 102]);
        // Three pages of one source: that source's chrome, not everyone's.
        assert_eq!(
            m.reason(Some("blog-a"), 9),
            Some(BoilerplateReason::Recurring)
        );
        assert_eq!(m.reason(Some("blog-b"), 9), None);
        m.observe(Some("blog-b"), &[9, 103], &[9, 103]);
        assert_eq!(
            m.reason(Some("blog-c"), 9),
            Some(BoilerplateReason::Widespread)
        );
        assert_eq!(m.reason(None, 9), Some(BoilerplateReason::Widespread));
        // Pages without a source are sources of their own.
        let mut m = BoilerplateModel::new(BoilerplateParams::default());
        for i in 0..2 {
            m.observe(None, &[7, 200 + i], &[7, 200 + i]);
        }
        assert!(!m.is_boilerplate(None, 7));
        m.observe(None, &[7, 300], &[7, 300]);
        assert!(m.is_boilerplate(None, 7));
        assert!(!m.is_boilerplate(None, 200));
    }

    #[test]
    fn a_snapshot_answers_as_the_model_did() {
        let params = BoilerplateParams {
            max_entries: 900,
            ..BoilerplateParams::default()
        };
        let mut m = BoilerplateModel::new(params.clone());
        // Chrome on every page, a block on every fourth, articles once, a
        // widespread footer.
        for d in 0..300u64 {
            let mut s: Vec<u64> = (0..20).map(|j| 1_000_000 + d * 100 + j).collect();
            s.extend(1..=5);
            if d % 4 == 0 {
                s.extend(50..=52);
            }
            m.observe(Some(&format!("site-{}", d % 3)), &s, &[77, 2_000_000 + d]);
        }
        let snap = m.snapshot();
        let queries: Vec<u64> = (0..80).chain(1_000_000..1_030_000).collect();
        let check = |snap: &BoilerplateSnapshot| {
            for site in [
                Some("site-0"),
                Some("site-1"),
                Some("site-2"),
                Some("nowhere"),
                None,
            ] {
                if let Some(s) = site {
                    assert_eq!(snap.source_docs(s), m.source_docs(s), "{site:?}");
                }
                let flags = m.boilerplate_flags(site, &queries);
                assert_eq!(flags, snap.boilerplate_flags(site, &queries), "{site:?}");
                for (q, f) in queries.iter().zip(&flags) {
                    assert_eq!(*f, m.is_boilerplate(site, *q), "{site:?} {q}");
                }
                assert!(flags.is_empty() || flags.contains(&true), "{site:?}");
            }
        };
        check(&snap);
        assert!(snap.entries() >= 3 * 8 && snap.entries() < m.entries());
        assert!(m.is_boilerplate(None, 77));
        // Stored and read back, the snapshot and the whole model.
        let back = BoilerplateSnapshot::decode(&snap.encode()).unwrap();
        assert_eq!(back, snap);
        check(&back);
        assert!(BoilerplateSnapshot::decode(&snap.encode()[1..]).is_none());
        let model_back = BoilerplateModel::decode(&m.encode(), params).unwrap();
        assert_eq!(model_back.entries(), m.entries());
        assert_eq!(model_back.snapshot(), snap);
        // A later observation changes the model, not the snapshot.
        m.observe(Some("site-0"), &[1_000_000], &[]);
        assert_eq!(snap.source_docs("site-0"), 100);
    }

    #[test]
    fn streaming_model_memory_is_capped() {
        let params = BoilerplateParams {
            max_entries: 1000,
            ..BoilerplateParams::default()
        };
        let mut m = BoilerplateModel::new(params);
        for d in 0..2000u64 {
            // 50 article segments per page plus 5 of chrome.
            let mut s: Vec<u64> = (0..50).map(|j| 1_000_000 + d * 100 + j).collect();
            s.extend(1..=5);
            m.observe(Some(&format!("site-{}", d % 4)), &s, &s);
            assert!(m.entries() <= 1000);
        }
        for site in 0..4 {
            for h in 1..=5 {
                assert!(m.is_boilerplate(Some(&format!("site-{site}")), h));
            }
        }
    }
}
