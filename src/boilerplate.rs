//! Boilerplate: material a source repeats on many of its pages.
//!
//! Scraped news pages carry site chrome (navigation bars, "related stories"
//! and "most read" boxes, newsletter boxes, copyright footers) and page
//! furniture (an embedded-content notice repeated under every tweet of a
//! live page, a closing "More from LabourList" link list). None of it is
//! article text: it must never make two documents look related, and it is
//! neither shared nor unique material. This module finds it; callers drop
//! boilerplate shingles or tokens before they compute similarity.
//!
//! Three detectors, in two shapes:
//!
//! * **Recurring across a source** (needs several documents of the source):
//!   a word shingle found in at least [`BoilerplateParams::min_docs`]
//!   documents of one source, and in at least
//!   [`BoilerplateParams::min_share`] of that source's documents, is that
//!   source's boilerplate. Two front ends share this rule:
//!   - [`BoilerplateModel`] is the **streaming** form (the ingestion
//!     filter): [`BoilerplateModel::observe`] one document at a time,
//!     [`BoilerplateModel::is_boilerplate`] any time. Its memory is capped
//!     ([`BoilerplateParams::max_entries`] counters in all, whatever the
//!     number of documents), by lossy counting: shingles too rare to ever
//!     reach the share threshold are forgotten first.
//!   - [`learn_corpus`] is the **batch** form (the corpus report): exact
//!     counts over the whole corpus, then the same rule, plus one check a
//!     stream cannot afford: a large block of shingles carried by the same
//!     small set of documents of a source is a story the source ran more
//!     than once (copies), not chrome, and stays article text.
//! * **Repeated inside one document** ([`repeated_runs`]): a short run
//!   that occurs three times or more in the same document (the BBC live
//!   page's "Greenwich Mean Time 11 February 2016" timestamps), or a long
//!   one that occurs twice (its "This Twitter post cannot be displayed..."
//!   notice). A sentence a live page repeats once, from its summary into
//!   an entry, is news and stays.
//! * **Link boxes** ([`link_boxes`]): a line that opens a list of links
//!   ("More from LabourList", "Related stories:", "Most read:") and the short
//!   headline lines that follow it.
//!
//! The per-document detectors need no state and work on a corpus with one
//! document per source, like the seed corpus. Everything is deterministic:
//! the same input gives the same boilerplate.
//!
//! In a stream, observe only the documents you keep: a story the filter
//! drops as a duplicate then never teaches the model that its text recurs.
//!
//! ```
//! use copydesk::boilerplate::{BoilerplateModel, BoilerplateParams};
//! let mut model = BoilerplateModel::new(BoilerplateParams::default());
//! // Shingle 7 is on every page of site-a (its footer); 100+i is article text.
//! for i in 0..5 {
//!     model.observe("site-a", &[7, 100 + i]);
//! }
//! assert!(model.is_boilerplate("site-a", 7));
//! assert!(!model.is_boilerplate("site-a", 100));
//! assert!(!model.is_boilerplate("site-b", 7));
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64;

use crate::shingle::{run_hash, Shingles};
use crate::span::Span;
use crate::tokenize::Tokens;

/// Tuning of every boilerplate detector.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateParams {
    /// Words per shingle when this module shingles tokens itself
    /// ([`learn_corpus`]); the streaming model takes the caller's shingles.
    pub shingle_size: usize,
    /// Documents of one source a shingle must occur in to be boilerplate.
    /// 3: two pages of a site sharing a paragraph is as often a follow-up
    /// story quoting itself as it is chrome; three is a pattern.
    pub min_docs: u32,
    /// Share of a source's documents (counted from the first one that had
    /// the shingle) the shingle must occur in. 0.05: site chrome is on
    /// nearly every page and a "related stories" headline on a few per cent
    /// of them, while a story a site runs three times in a year of output is
    /// far below it.
    pub min_share: f64,
    /// Batch only: a block carried by at least this share of a source's
    /// documents is chrome however long it is. 0.5: copies of one story
    /// rarely make up half a site's pages; a site's fixed navigation and
    /// footer are on all of them.
    pub chrome_share: f64,
    /// Batch only: a block of recurring shingles carried by the same small
    /// set of documents (under `chrome_share`) is article text the source
    /// ran more than once when it holds more than this many shingles. 16: a
    /// "related stories" headline is 6-12 words (under 12 shingles), a
    /// reprinted story hundreds.
    pub max_block_shingles: usize,
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
    /// Streaming only: most shingle counters kept over all sources. At
    /// about 24 bytes each, the default 4,194,304 is about 100 MB whatever
    /// the number of documents (100 bytes per document at 1,000,000).
    pub max_entries: usize,
}

impl Default for BoilerplateParams {
    fn default() -> BoilerplateParams {
        BoilerplateParams {
            shingle_size: 3,
            min_docs: 3,
            min_share: 0.05,
            chrome_share: 0.5,
            max_block_shingles: 16,
            min_repeat_words: 6,
            min_repeats: 3,
            long_repeat_words: 30,
            max_entries: 1 << 22,
        }
    }
}

impl BoilerplateParams {
    /// The recurrence rule both front ends share: `count` documents of the
    /// source hold the shingle, out of `docs_since` documents of the source
    /// seen since the first that held it.
    pub fn is_recurring(&self, count: u32, docs_since: u64) -> bool {
        count >= self.min_docs && count as f64 >= self.min_share * docs_since as f64
    }
}

/// Why a run of tokens is boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BoilerplateReason {
    /// Recurs across documents of the source (site chrome).
    Recurring,
    /// Repeated inside the document (embedded-content notices, timestamps).
    Repeated,
    /// A list of links ("More from ...", "Related stories:").
    LinkBox,
}

impl BoilerplateReason {
    /// The name used in every output format.
    pub fn as_str(&self) -> &'static str {
        match self {
            BoilerplateReason::Recurring => "recurring",
            BoilerplateReason::Repeated => "repeated",
            BoilerplateReason::LinkBox => "link-box",
        }
    }
}

// ---------------------------------------------------------------------------
// Streaming model

/// One shingle's counter in the streaming model.
#[derive(Debug, Clone, Copy)]
struct Counter {
    /// Documents of the source that held the shingle.
    count: u32,
    /// The source's document count when the shingle was first seen.
    first_doc: u32,
    /// The model's global document count when the shingle was first seen.
    first_global: u32,
}

/// Hasher of the streaming model's maps: its keys are hashes already (the
/// filter's shingles and segment hashes, and short source names), so one
/// multiply mixes them enough; SipHash was 8% of the filter's decision
/// thread.
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

    /// True when `shingle` recurs in this source.
    fn is_boilerplate(&self, params: &BoilerplateParams, shingle: u64) -> bool {
        self.counters
            .get(&shingle)
            .is_some_and(|c| self.recurs(params, c))
    }
}

/// Documents of a source a new counter is kept for before lossy counting
/// may forget it: long enough for a site's second and third page to confirm
/// its chrome, short enough that one-off article shingles go soon.
const GRACE_DOCS: u32 = 8;

/// Streaming boilerplate learner with bounded memory.
///
/// Feed it each kept document's shingle hashes with
/// [`observe`](BoilerplateModel::observe); ask
/// [`is_boilerplate`](BoilerplateModel::is_boilerplate) or
/// [`retain_content`](BoilerplateModel::retain_content) before comparing a
/// document. Counters are per source; the total is capped by
/// [`BoilerplateParams::max_entries`]. When the cap is reached, counters
/// that can no longer reach the share threshold go first (lossy counting),
/// then the oldest counters seen only once, then the least frequent: a
/// source that publishes one page in millions may then take longer to
/// learn, but memory never grows with the stream.
#[derive(Debug)]
pub struct BoilerplateModel {
    params: BoilerplateParams,
    sources: MixMap<String, SourceCounts>,
    entries: usize,
    global_docs: u32,
    scratch: Vec<u64>,
}

impl Clone for BoilerplateModel {
    fn clone(&self) -> BoilerplateModel {
        BoilerplateModel {
            params: self.params.clone(),
            sources: self.sources.clone(),
            entries: self.entries,
            global_docs: self.global_docs,
            scratch: Vec::new(),
        }
    }
}

impl BoilerplateModel {
    /// An empty model.
    pub fn new(params: BoilerplateParams) -> BoilerplateModel {
        BoilerplateModel {
            params,
            sources: MixMap::default(),
            entries: 0,
            global_docs: 0,
            scratch: Vec::new(),
        }
    }

    /// The parameters the model was built with.
    pub fn params(&self) -> &BoilerplateParams {
        &self.params
    }

    /// Counts one document of `source`: each distinct shingle once.
    /// `shingles` may be in any order and hold duplicates.
    pub fn observe(&mut self, source: &str, shingles: &[u64]) {
        self.scratch.clear();
        self.scratch.extend_from_slice(shingles);
        self.scratch.sort_unstable();
        self.scratch.dedup();
        let global = self.global_docs;
        let counts = match self.sources.get_mut(source) {
            Some(c) => c,
            None => self.sources.entry(source.to_string()).or_default(),
        };
        let doc = counts.docs;
        let mut added = 0;
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
        self.global_docs = self.global_docs.saturating_add(1);
        self.entries += added;
        if self.entries > self.params.max_entries {
            self.prune();
        }
    }

    /// True when `shingle` is boilerplate of `source` by what the model has
    /// seen so far.
    pub fn is_boilerplate(&self, source: &str, shingle: u64) -> bool {
        self.sources
            .get(source)
            .is_some_and(|c| c.is_boilerplate(&self.params, shingle))
    }

    /// Drops the boilerplate shingles of `source` from `shingles`.
    pub fn retain_content(&self, source: &str, shingles: &mut Vec<u64>) {
        if let Some(counts) = self.sources.get(source) {
            shingles.retain(|&h| !counts.is_boilerplate(&self.params, h));
        }
    }

    /// Documents of `source` observed so far.
    pub fn source_docs(&self, source: &str) -> u64 {
        self.sources.get(source).map_or(0, |c| u64::from(c.docs))
    }

    /// Shingle counters currently kept, over all sources.
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
        tables + self.scratch.capacity() * 8
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
        self.recount();
        if self.entries <= target {
            return;
        }
        // 2. Still too many: drop the least frequent, oldest first.
        let mut keys: Vec<(u32, u32)> = self
            .sources
            .values()
            .flat_map(|c| c.counters.values().map(|c| (c.count, c.first_global)))
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
        self.sources
            .retain(|_, c| !c.counters.is_empty() || c.docs > 0);
        self.recount();
    }

    fn recount(&mut self) {
        self.entries = self.sources.values().map(|c| c.counters.len()).sum();
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
        }
    }
}

/// The answers of a [`BoilerplateModel`] at one moment, without its
/// counters: each source's document count and the shingles recurring in it
/// then. Its [`BoilerplateLookup`] answers (`boilerplate_flags`,
/// `source_docs`) are the model's when the
/// snapshot was taken. The filter signs documents in parallel under one
/// while its model learns. A copy of the whole model (megabytes of
/// counters, two of them kept) cost about as much to take every 1,024
/// lines as this scan of it, but its look-ups missed the cache where the
/// recurring shingles of all sources are a few kilobytes, and it was
/// stored whole at commits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoilerplateSnapshot {
    sources: MixMap<String, SnapshotSource>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct SnapshotSource {
    docs: u32,
    recurring: MixMap<u64, ()>,
}

/// What both the live model and a snapshot of it answer.
pub trait BoilerplateLookup {
    /// Documents of `source` observed so far.
    fn source_docs(&self, source: &str) -> u64;
    /// For each of `shingles`, true when it is boilerplate of `source`;
    /// empty when none is (what [`BoilerplateModel::retain_content`]
    /// drops, one look-up each).
    fn boilerplate_flags(&self, source: &str, shingles: &[u64]) -> Vec<bool>;
}

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

    fn boilerplate_flags(&self, source: &str, shingles: &[u64]) -> Vec<bool> {
        match self.sources.get(source) {
            Some(counts) => flags_where(shingles, |&h| counts.is_boilerplate(&self.params, h)),
            None => Vec::new(),
        }
    }
}

impl BoilerplateLookup for BoilerplateSnapshot {
    fn source_docs(&self, source: &str) -> u64 {
        self.sources.get(source).map_or(0, |c| u64::from(c.docs))
    }

    fn boilerplate_flags(&self, source: &str, shingles: &[u64]) -> Vec<bool> {
        match self.sources.get(source) {
            Some(c) if !c.recurring.is_empty() => {
                flags_where(shingles, |h| c.recurring.contains_key(h))
            }
            _ => Vec::new(),
        }
    }
}

impl BoilerplateSnapshot {
    /// Recurring shingles kept, over all sources.
    pub fn entries(&self) -> usize {
        self.sources.values().map(|c| c.recurring.len()).sum()
    }

    /// Serialises the snapshot as [`BoilerplateModel::encode`] would a
    /// model holding only its recurring shingles (each counted `u32::MAX`
    /// times from the source's current document on): decoded as a model,
    /// by this version or an earlier one, it answers as the snapshot does.
    pub fn encode(&self) -> Vec<u8> {
        encode_counts(
            0,
            self.sources
                .iter()
                .map(|(name, c)| {
                    let as_counter = move |&h: &u64| {
                        let k = Counter {
                            count: u32::MAX,
                            first_doc: c.docs,
                            first_global: 0,
                        };
                        (h, k)
                    };
                    (name.as_str(), c.docs, c.recurring.keys().map(as_counter))
                })
                .collect(),
        )
    }

    /// Reads what [`BoilerplateSnapshot::encode`] wrote, or a whole model
    /// [`BoilerplateModel::encode`] wrote (its snapshot); `None` when the
    /// bytes are neither.
    pub fn decode(bytes: &[u8], params: BoilerplateParams) -> Option<BoilerplateSnapshot> {
        BoilerplateModel::decode(bytes, params).map(|m| m.snapshot())
    }
}

// ---------------------------------------------------------------------------
// Per-document detectors

/// Token ranges of `token_hashes` (one document) covered by a run of at
/// least `min_words` words that occurs at least `min_count` times, without
/// overlapping itself, in the same document. Sorted and disjoint.
pub fn repeated_runs(
    token_hashes: &[u64],
    min_words: usize,
    min_count: usize,
) -> Vec<Range<usize>> {
    let m = min_words.max(2);
    let min_count = min_count.max(2);
    if token_hashes.len() < min_count * m {
        return Vec::new();
    }
    // Per m-word window: occurrences that do not overlap the previous one
    // counted ("very very very ..." is one long run, not a repeat), and
    // where the last counted one started.
    let mut seen: HashMap<u64, (usize, usize)> = HashMap::new();
    // One shingle per window position (the text has at least `m` words).
    let window_hashes: Vec<u64> = Shingles::new(token_hashes, m).into_vec();
    for (i, &h) in window_hashes.iter().enumerate() {
        seen.entry(h)
            .and_modify(|e| {
                if i >= e.1 + m {
                    *e = (e.0 + 1, i);
                }
            })
            .or_insert((1, i));
    }
    let mut covered = vec![false; token_hashes.len()];
    for (i, h) in window_hashes.iter().enumerate() {
        if seen[h].0 >= min_count {
            covered[i..i + m].iter_mut().for_each(|c| *c = true);
        }
    }
    runs_of(&covered)
}

/// Lowercase openings of a line that introduces a list of links.
/// Collected from news sites' "more" boxes; a line must be one of these
/// alone (plus at most [`MAX_LINK_HEADER_WORDS`] words, such as the site's
/// name in "More from LabourList") or one of these followed by a colon.
const LINK_BOX_HEADERS: &[&str] = &[
    "also read",
    "editor's picks",
    "editors' picks",
    "further reading",
    "latest news",
    "more from",
    "more on this story",
    "more stories",
    "most popular",
    "most read",
    "most viewed",
    "popular now",
    "read more",
    "read next",
    "recommended",
    "related",
    "related articles",
    "related content",
    "related coverage",
    "related stories",
    "see also",
    "top stories",
    "trending",
    "you may also like",
    "you might also like",
];

/// Most words a header-only line may have ("More from The Daily Ledger").
const MAX_LINK_HEADER_WORDS: usize = 6;

/// Most words a line under a link-box header may have and still read as a
/// headline (a link), not a paragraph; a line ending with a full stop is
/// prose whatever its length.
const MAX_LINK_WORDS: usize = 25;

/// Token ranges of link boxes in `text`: a line that is a link-box header
/// ("More from LabourList") with the headline-length lines that follow it,
/// or a line that opens with a header and a colon ("Related stories: ...").
/// `tokens` must be `Tokens::new(text)`. Sorted and disjoint.
pub fn link_boxes(text: &str, tokens: &Tokens) -> Vec<Range<usize>> {
    let lines = line_token_ranges(text, tokens);
    let mut covered = vec![false; tokens.len()];
    let mut i = 0;
    while i < lines.len() {
        let (line, toks) = &lines[i];
        let trimmed = text[line.clone()].trim();
        match link_header(trimmed, toks.len()) {
            Some(HeaderShape::WithText) => {
                covered[toks.clone()].iter_mut().for_each(|c| *c = true);
                i += 1;
            }
            Some(HeaderShape::Alone) => {
                let mut j = i + 1;
                while j < lines.len() {
                    let n = lines[j].1.len();
                    // Headlines are short and do not end like a sentence.
                    let prose = text[lines[j].0.clone()].trim_end().ends_with('.');
                    if n == 0 || n > MAX_LINK_WORDS || prose {
                        break;
                    }
                    j += 1;
                }
                // A header with no link under it is a heading, unless it
                // closes the document.
                if j > i + 1 || j == lines.len() {
                    for (_, t) in &lines[i..j] {
                        covered[t.clone()].iter_mut().for_each(|c| *c = true);
                    }
                }
                i = j.max(i + 1);
            }
            None => i += 1,
        }
    }
    runs_of(&covered)
}

enum HeaderShape {
    /// The header is the whole line; links follow on their own lines.
    Alone,
    /// "Header: link. link." on one line.
    WithText,
}

fn link_header(line: &str, words: usize) -> Option<HeaderShape> {
    let lower = line.to_lowercase();
    for h in LINK_BOX_HEADERS {
        let Some(rest) = lower.strip_prefix(h) else {
            continue;
        };
        if rest.starts_with(':') {
            return Some(HeaderShape::WithText);
        }
        if (rest.is_empty() || rest.starts_with(' ')) && words <= MAX_LINK_HEADER_WORDS {
            // "Related" alone, or "More from LabourList", not "Related to
            // the strike, ministers said ...".
            let last = rest.trim_end();
            if !last.ends_with('.') && !last.ends_with(',') {
                return Some(HeaderShape::Alone);
            }
        }
    }
    None
}

/// Non-blank lines of `text` (blank lines skipped) with the token range of
/// each.
fn line_token_ranges(text: &str, tokens: &Tokens) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut tok = 0;
    let toks = tokens.as_slice();
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let first = tok;
        while tok < toks.len() && toks[tok].span.start < end {
            tok += 1;
        }
        if !line.trim().is_empty() {
            out.push((start..end, first..tok));
        }
        start = end;
    }
    out
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

/// Token ranges found by the stateless per-document detectors
/// ([`repeated_runs`] and [`link_boxes`]), each with its reason. A stream
/// uses this before shingling a document; [`learn_corpus`] includes it.
/// Runs found separately stay separate (a timestamp right before an
/// embedded-post notice is two blocks), so each distinct block can be
/// reported once.
pub fn document_boilerplate(
    text: &str,
    tokens: &Tokens,
    params: &BoilerplateParams,
) -> Vec<(Range<usize>, BoilerplateReason)> {
    let mut labels: Vec<Label> = vec![None; tokens.len()];
    label_document(text, tokens, params, &mut labels, 1);
    label_runs(&labels)
}

/// A token's boilerplate label: the reason and the id of the run that
/// claimed it (adjacent runs with different ids stay apart).
type Label = Option<(BoilerplateReason, u32)>;

/// Labels the per-document detectors' runs, ids from `next_id` on; later
/// detectors win where runs overlap. Returns the next free id.
fn label_document(
    text: &str,
    tokens: &Tokens,
    params: &BoilerplateParams,
    labels: &mut [Label],
    mut next_id: u32,
) -> u32 {
    let hashes: Vec<u64> = tokens.hashes().collect();
    let found = repeated_runs(&hashes, params.min_repeat_words, params.min_repeats)
        .into_iter()
        .map(|r| (r, BoilerplateReason::Repeated))
        .chain(
            repeated_runs(&hashes, params.long_repeat_words, 2)
                .into_iter()
                .map(|r| (r, BoilerplateReason::Repeated)),
        )
        .chain(
            link_boxes(text, tokens)
                .into_iter()
                .map(|r| (r, BoilerplateReason::LinkBox)),
        );
    for (r, why) in found {
        labels[r].iter_mut().for_each(|x| *x = Some((why, next_id)));
        next_id += 1;
    }
    next_id
}

fn label_runs(labels: &[Label]) -> Vec<(Range<usize>, BoilerplateReason)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        match labels[i] {
            Some(l) => {
                let s = i;
                while i < labels.len() && labels[i] == Some(l) {
                    i += 1;
                }
                out.push((s..i, l.0));
            }
            None => i += 1,
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Batch

/// One document handed to [`learn_corpus`].
#[derive(Debug, Clone, Copy)]
pub struct CorpusDoc<'a> {
    /// The source (outlet, site) the document belongs to.
    pub source: &'a str,
    /// The document's text.
    pub text: &'a str,
    /// `Tokens::new(text)`.
    pub tokens: &'a Tokens,
}

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
    /// Index (into the slice given to [`learn_corpus`]) of the first
    /// document holding the block, whose text shows it.
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

/// Everything [`learn_corpus`] found.
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
}

/// Learns the boilerplate of a whole corpus at once: recurring shingles
/// per source (exact counts, with the copies check described in the module
/// docs), repeated runs and link boxes per document.
pub fn learn_corpus(docs: &[CorpusDoc<'_>], params: &BoilerplateParams) -> CorpusBoilerplate {
    let k = params.shingle_size.max(1);
    let hashes: Vec<Vec<u64>> = docs.iter().map(|d| d.tokens.hashes().collect()).collect();
    // Shingle hashes by start position: position `i` covers tokens
    // `i..i + k` (a text shorter than `k` words has one shingle).
    let shingles: Vec<Vec<u64>> = hashes
        .iter()
        .map(|h| Shingles::new(h, k).into_vec())
        .collect();

    // Documents per source, in input order.
    let mut by_source: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        by_source.entry(d.source).or_default().push(i);
    }

    // Recurring runs all carry id 0: adjacent recurring shingles are one
    // block.
    let mut labels: Vec<Vec<Label>> = docs.iter().map(|d| vec![None; d.tokens.len()]).collect();
    for members in by_source.values() {
        let recurring = recurring_shingles(members, &shingles, params);
        if recurring.is_empty() {
            continue;
        }
        for &d in members {
            let n = hashes[d].len();
            for (i, h) in shingles[d].iter().enumerate() {
                if recurring.contains(h) {
                    let end = (i + k).min(n);
                    labels[d][i..end]
                        .iter_mut()
                        .for_each(|x| *x = Some((BoilerplateReason::Recurring, 0)));
                }
            }
        }
    }
    for (d, doc) in docs.iter().enumerate() {
        label_document(doc.text, doc.tokens, params, &mut labels[d], 1);
    }

    let runs: Vec<Vec<BoilerplateRun>> = labels
        .iter()
        .zip(docs)
        .map(|(ls, d)| {
            label_runs(ls)
                .into_iter()
                .map(|(r, reason)| BoilerplateRun {
                    span: d.tokens.span_of(r.start, r.end - 1),
                    tokens: r,
                    reason,
                })
                .collect()
        })
        .collect();

    let mut names: Vec<&str> = by_source.keys().copied().collect();
    names.sort_unstable();
    let sources = names
        .into_iter()
        .map(|name| source_blocks(name, &by_source[name], &runs, &hashes))
        .collect();
    CorpusBoilerplate {
        docs: runs,
        sources,
    }
}

/// The recurring shingles of one source's documents (batch rule).
fn recurring_shingles(
    members: &[usize],
    shingles: &[Vec<u64>],
    params: &BoilerplateParams,
) -> HashSet<u64> {
    let n = members.len();
    if n < params.min_docs as usize {
        return HashSet::new();
    }
    // Per shingle: documents holding it, and a fingerprint of which ones.
    let mut df: HashMap<u64, (u32, u64)> = HashMap::new();
    let mut distinct = Vec::new();
    for &d in members {
        distinct.clear();
        distinct.extend_from_slice(&shingles[d]);
        distinct.sort_unstable();
        distinct.dedup();
        let tag = xxh3_64(&(d as u64).to_le_bytes());
        for &h in &distinct {
            let e = df.entry(h).or_insert((0, 0));
            e.0 += 1;
            e.1 ^= tag;
        }
    }
    let candidates: Vec<(u64, u32, u64)> = df
        .into_iter()
        .filter(|&(_, (count, _))| params.is_recurring(count, n as u64))
        .map(|(h, (count, set))| (h, count, set))
        .collect();
    // Shingles carried by exactly the same documents form one block.
    let mut block_len: HashMap<(u32, u64), usize> = HashMap::new();
    for &(_, count, set) in &candidates {
        *block_len.entry((count, set)).or_default() += 1;
    }
    candidates
        .into_iter()
        .filter(|&(_, count, set)| {
            count as f64 >= params.chrome_share * n as f64
                || block_len[&(count, set)] <= params.max_block_shingles
        })
        .map(|(h, _, _)| h)
        .collect()
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
    /// Serialises the counters (little-endian, sources in name order,
    /// counters in hash order), so a persistent index can commit the model
    /// and a later run continue with exactly the same state. The parameters
    /// are not included: the caller restores them.
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
        )
    }

    /// Reads what [`BoilerplateModel::encode`] wrote, with `params`; `None`
    /// when the bytes are not such a model.
    pub fn decode(bytes: &[u8], params: BoilerplateParams) -> Option<BoilerplateModel> {
        fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            let (head, rest) = (r.get(..n)?, r.get(n..)?);
            *r = rest;
            Some(head)
        }
        fn u32_(r: &mut &[u8]) -> Option<u32> {
            Some(u32::from_le_bytes(take(r, 4)?.try_into().ok()?))
        }
        fn u64_(r: &mut &[u8]) -> Option<u64> {
            Some(u64::from_le_bytes(take(r, 8)?.try_into().ok()?))
        }
        let mut r = bytes;
        let mut model = BoilerplateModel::new(params);
        model.global_docs = u32_(&mut r)?;
        for _ in 0..u64_(&mut r)? {
            let len = usize::try_from(u64_(&mut r)?).ok()?;
            let name = String::from_utf8(take(&mut r, len)?.to_vec()).ok()?;
            let docs = u32_(&mut r)?;
            let n = usize::try_from(u64_(&mut r)?).ok()?;
            let mut counters =
                MixMap::with_capacity_and_hasher(n.min(r.len() / 20), Default::default());
            for _ in 0..n {
                let h = u64_(&mut r)?;
                let counter = Counter {
                    count: u32_(&mut r)?,
                    first_doc: u32_(&mut r)?,
                    first_global: u32_(&mut r)?,
                };
                counters.insert(h, counter);
            }
            model.entries += counters.len();
            model.sources.insert(name, SourceCounts { docs, counters });
        }
        r.is_empty().then_some(model)
    }
}

/// The serial form of a model: `global_docs`, then each source in name
/// order with its document count and its counters (in table order:
/// nothing in the model depends on the order of its counters, and sorting
/// them was half of the encoding, which the filter does at every commit).
fn encode_counts<I>(global_docs: u32, mut sources: Vec<(&str, u32, I)>) -> Vec<u8>
where
    I: ExactSizeIterator<Item = (u64, Counter)>,
{
    sources.sort_by_key(|s| s.0);
    let mut out = Vec::new();
    out.extend_from_slice(&global_docs.to_le_bytes());
    out.extend_from_slice(&(sources.len() as u64).to_le_bytes());
    for (name, docs, counters) in sources {
        out.extend_from_slice(&(name.len() as u64).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&docs.to_le_bytes());
        out.extend_from_slice(&(counters.len() as u64).to_le_bytes());
        out.reserve(counters.len() * 20);
        for (h, k) in counters {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&k.count.to_le_bytes());
            out.extend_from_slice(&k.first_doc.to_le_bytes());
            out.extend_from_slice(&k.first_global.to_le_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(text: &str) -> Vec<u64> {
        Tokens::new(text).hashes().collect()
    }

    fn slices<'t>(text: &'t str, runs: &[Range<usize>]) -> Vec<&'t str> {
        let t = Tokens::new(text);
        runs.iter()
            .map(|r| t.span_of(r.start, r.end - 1).slice(text))
            .collect()
    }

    #[test]
    fn repeated_notice_inside_one_document() {
        let notice = "The BBC is not responsible for the content of external sites.";
        let text = format!("Hunt spoke first. {notice} Then the BMA replied at length. {notice}");
        let runs = repeated_runs(&hashes(&text), 6, 2);
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
        assert!(repeated_runs(&hashes(text), 6, 2).is_empty());
        // Twice is not three times.
        assert!(repeated_runs(&hashes("a b c d e f. a b c d e f."), 5, 3).is_empty());
    }

    #[test]
    fn closing_link_list_is_a_link_box() {
        let text = "Ninety-eight per cent of junior doctors balloted were in support of the strike.\n\
                    More from LabourList\n\
                    \u{2018}Deepening ties with EU best way for UK to deal with Trump tariff fears\u{2019}\n\
                    Activist abused in viral clip vows to keep canvassing\n";
        let t = Tokens::new(text);
        let boxes = link_boxes(text, &t);
        assert_eq!(boxes.len(), 1);
        let s = t.span_of(boxes[0].start, boxes[0].end - 1).slice(text);
        assert!(s.starts_with("More from LabourList"));
        assert!(s.ends_with("keep canvassing"));
    }

    #[test]
    fn inline_related_box_and_prose_that_is_not_one() {
        let text = "Related stories: Storm hits coast. Mayor resigns.\n\n\
                    Related to the strike, ministers said talks would go on.\n\
                    Read more\n";
        let t = Tokens::new(text);
        let found = slices(text, &link_boxes(text, &t));
        // "Read more" closes the document: a header with nothing under it.
        assert_eq!(
            found,
            [
                "Related stories: Storm hits coast. Mayor resigns",
                "Read more"
            ]
        );
        // A heading with prose under it is not a link box.
        let prose = "Read more\nThe health secretary said on Sunday that the strike was unnecessary and that talks should continue.\n";
        assert!(link_boxes(prose, &Tokens::new(prose)).is_empty());
    }

    #[test]
    fn streaming_model_learns_chrome_not_articles() {
        let mut m = BoilerplateModel::new(BoilerplateParams::default());
        for i in 0..10u64 {
            m.observe("s", &[1, 2, 3, 1000 + i, 2000 + i]);
        }
        assert!(m.is_boilerplate("s", 1));
        assert!(!m.is_boilerplate("s", 1000));
        let mut doc = vec![1, 2, 5000];
        m.retain_content("s", &mut doc);
        assert_eq!(doc, [5000]);
        assert_eq!(m.source_docs("s"), 10);
    }

    #[test]
    fn a_snapshot_answers_as_the_model_did() {
        let params = BoilerplateParams {
            max_entries: 600,
            ..BoilerplateParams::default()
        };
        let mut m = BoilerplateModel::new(params.clone());
        // Chrome on every page, a block on every fourth, articles once.
        for d in 0..300u64 {
            let mut s: Vec<u64> = (0..20).map(|j| 1_000_000 + d * 100 + j).collect();
            s.extend(1..=5);
            if d % 4 == 0 {
                s.extend(50..=52);
            }
            m.observe(&format!("site-{}", d % 3), &s);
        }
        let snap = m.snapshot();
        let queries: Vec<u64> = (0..60).chain(1_000_000..1_030_000).collect();
        let check = |snap: &BoilerplateSnapshot| {
            for site in ["site-0", "site-1", "site-2", "nowhere"] {
                assert_eq!(snap.source_docs(site), m.source_docs(site), "{site}");
                let mut a = queries.clone();
                m.retain_content(site, &mut a);
                // The snapshot flags what the model flags, and the flags
                // mark exactly what retaining drops.
                let flags = m.boilerplate_flags(site, &queries);
                assert_eq!(flags, snap.boilerplate_flags(site, &queries), "{site}");
                let kept: Vec<u64> = if flags.is_empty() {
                    queries.clone()
                } else {
                    queries
                        .iter()
                        .zip(&flags)
                        .filter(|(_, &f)| !f)
                        .map(|(&q, _)| q)
                        .collect()
                };
                assert_eq!(kept, a, "{site}");
                assert!(flags.is_empty() || flags.contains(&true), "{site}");
            }
        };
        check(&snap);
        assert!(snap.entries() >= 3 * 8 && snap.entries() < m.entries());
        // Stored and read back, by this version or as a whole model.
        let back = BoilerplateSnapshot::decode(&snap.encode(), params.clone()).unwrap();
        assert_eq!(back, snap);
        check(&back);
        check(&BoilerplateSnapshot::decode(&m.encode(), params.clone()).unwrap());
        // An earlier version reads the stored snapshot as a model.
        let as_model = BoilerplateModel::decode(&snap.encode(), params).unwrap();
        check(&as_model.snapshot());
        for h in [1, 2, 50, 1_000_005] {
            assert_eq!(
                as_model.is_boilerplate("site-1", h),
                m.is_boilerplate("site-1", h)
            );
        }
        // A later observation changes the model, not the snapshot.
        m.observe("site-0", &[1_000_000]);
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
            // 50 article shingles per page plus 5 of chrome.
            let mut s: Vec<u64> = (0..50).map(|j| 1_000_000 + d * 100 + j).collect();
            s.extend(1..=5);
            m.observe(&format!("site-{}", d % 4), &s);
            assert!(m.entries() <= 1000);
        }
        for site in 0..4 {
            for h in 1..=5 {
                assert!(m.is_boilerplate(&format!("site-{site}"), h));
            }
        }
    }

    fn corpus_docs<'a>(items: &'a [(String, String, Tokens)]) -> Vec<CorpusDoc<'a>> {
        items
            .iter()
            .map(|(s, t, tok)| CorpusDoc {
                source: s,
                text: t,
                tokens: tok,
            })
            .collect()
    }

    #[test]
    fn batch_strips_chrome_but_keeps_a_story_run_twice() {
        let nav = "Home News Sport Weather Business Politics Culture Opinion";
        let stories = [
            "Storm damages the pier at dawn while crowds gather to watch the waves",
            "Council approves the new bus lane after a long and heated public debate",
            "Local bakery wins a national prize for its sourdough loaf and rye bread",
            "The mayor opens the library extension with a reading by schoolchildren",
        ];
        let copy = "A reprinted wire story about the harbour that the site ran three times over with every paragraph kept word for word by the desk editors on duty that week and more text to make the block long enough";
        let mut items: Vec<(String, String, Tokens)> = Vec::new();
        for s in stories {
            items.push(("site".into(), format!("{nav}\n{s}\n"), Tokens::new("")));
        }
        for _ in 0..3 {
            items.push(("site".into(), format!("{nav}\n{copy}\n"), Tokens::new("")));
        }
        for it in &mut items {
            it.2 = Tokens::new(&it.1);
        }
        let docs = corpus_docs(&items);
        let bp = learn_corpus(&docs, &BoilerplateParams::default());
        for (d, (_, text, _)) in items.iter().enumerate() {
            let runs = &bp.docs[d];
            assert_eq!(runs.len(), 1, "doc {d}: {runs:?}");
            assert_eq!(runs[0].span.slice(text), nav);
            assert_eq!(runs[0].reason, BoilerplateReason::Recurring);
        }
        let site = &bp.sources[0];
        assert_eq!(site.blocks.len(), 1);
        assert_eq!(site.blocks[0].docs.len(), 7);
    }
}
