//! The streaming model: segments that recur on the pages of one source or
//! of many, learned one page at a time with bounded memory, and its
//! serial form (the filter commits it with its index).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_64;

use super::snapshot::{BoilerplateSnapshot, SnapshotSource};
use super::{flags_where, BoilerplateLookup, BoilerplateParams, BoilerplateReason};

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
pub(super) struct MixHasher(u64);

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

pub(super) type MixMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;

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

/// The next `n` bytes of `r`, which moves past them.
pub(super) fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = (r.get(..n)?, r.get(n..)?);
    *r = rest;
    Some(head)
}

pub(super) fn read_u32(r: &mut &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(take(r, 4)?.try_into().ok()?))
}

pub(super) fn read_u64(r: &mut &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(take(r, 8)?.try_into().ok()?))
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
