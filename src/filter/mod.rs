//! Streaming keep/drop decisions over JSON Lines: the engine of
//! `copydesk filter`.
//!
//! In: an [`InputStream`] of JSON Lines, a [`Store`] (on disk or in memory)
//! and [`FilterOptions`]. Out: every kept line, byte for byte and in input
//! order, on the kept [`Sink`]; one JSON line per dropped, blank or skipped
//! malformed or oversized line on the dropped sink ([`DroppedRecord`]); a
//! [`Summary`].
//! Nothing here prints or reads the environment.
//!
//! **Decisions**, per document in input order, against everything kept
//! before it (this run and earlier runs on the same index), by the one
//! judgement every command uses ([`crate::judge`]): *exact* (the same
//! normalised text), *near-duplicate* (body Jaccard at least
//! [`Params::near_duplicate_jaccard`]) or *contained* (the shorter body
//! inside the longer), with the template check on pages of one source or
//! template. A page that passed the scores but failed the template check is
//! kept, and the dropped log notes it (`kept: true`, reason
//! `template-only` or `different-articles`).
//!
//! The *body* is the document without its boilerplate
//! ([`crate::analysis::Analysis`]): the page's own furniture (the shape of
//! the text, runs repeated in the page, link boxes), and the segments (runs
//! of words between sentence ends, `|`, `:` and `;`) that the streaming
//! [`BoilerplateModel`] learned recur on the source's kept pages, or on
//! kept pages of several sources (bounded memory, committed with the
//! index). Only kept pages teach the model.
//! Candidates come from MinHash + LSH over the body shingles
//! ([`LSH_BANDS`]) and over its first [`LEAD_SHINGLES`] ([`LEAD_BANDS`], for
//! copies cut to their lead); every drop is verified with exact shingle
//! sets. The corpus report runs this same engine over its documents in
//! memory ([`decide_documents`]).
//!
//! **Work in batches**: a feed thread reads lines and has them parsed and
//! tokenised in parallel, up to [`FEED_CHUNKS`] chunks ahead; the next
//! batch is signed while the current one is decided. That preparation runs
//! on a pool of its own at a lower priority (nice 10 on Linux), so the
//! decisions, the critical path, get the cores when they need them:
//! candidates are read and analysed in parallel, decisions are made one by
//! one in input order, and passages for the dropped log are computed in
//! parallel while outputs are written in order. The documents kept (their
//! texts, records and bucket keys) are stored while the next batch is
//! decided one by one, which does not touch the store; that batch finds
//! them meanwhile through their keys in RAM, as the store would. Before
//! a commit, or when a kept document's source is young, they are stored
//! at once.
//!
//! **Determinism and crash safety**: a decision depends only on the index
//! state and the document, never on where batches end. Verification uses
//! the live boilerplate model (updated after every kept document); the
//! signatures computed in parallel use a snapshot of its answers
//! ([`BoilerplateSnapshot`]: the shingles then recurring in each source)
//! taken at fixed points of the index's lifetime line count
//! ([`next_refresh`]), where batches end. A commit (at a batch end) stores
//! the documents, the bucket pages, the model and the snapshot (as "the
//! model's" when it is), the input position and the output lengths
//! ([`Checkpoint`]) in one redb transaction, after the outputs and the
//! index's texts file were flushed and fsynced. Rerunning the same input
//! after a crash resumes at the checkpoint with exactly that state, so it
//! decides as an uninterrupted run would.

pub mod io;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::analysis::Analysis;
use crate::boilerplate::{
    BoilerplateLookup, BoilerplateModel, BoilerplateParams, BoilerplateSnapshot,
};
use crate::error::{too_large_message, Error, Result};
use crate::index::check::{CheckReport, Verifier};
use crate::index::store::{Checkpoint, NewDoc, Store, StoreParams, StoredDoc};
use crate::index::{DocId, LshParams, SlotChains};
use crate::input::{parse_record, Document, JsonlFields, DEFAULT_MAX_DOC_BYTES};
use crate::judge::{judge, Guard, Judgement, SameStory, Side};
use crate::minhash::Signature;
use crate::params::Params;
use crate::shingle::ShingleSet;
use crate::span::Span;
pub use io::{FileSink, InputStream, Line, Sink, StreamPosition, StreamSink};
use std::sync::OnceLock;

/// LSH bands of the filter's index. 42 bands of 3 rows (126 of 128 MinHash
/// values) find a pair with body Jaccard 0.4 with probability 0.93 and 0.3
/// with 0.68 (copies with 10% word edits and a cut ending sit near 0.45),
/// while a pair sharing one sentence (Jaccard ~0.02) collides with
/// probability 0.0003: about one needless verification per 5,000 pairs.
pub const LSH_BANDS: usize = 42;
/// Rows per band (see [`LSH_BANDS`]).
pub const LSH_ROWS: usize = 3;

/// Body shingles at the start of a document that make its *lead*
/// signature. A copy cut down to its first paragraph or two has a whole-text
/// Jaccard far below any threshold, but the same lead: 40 shingles is about
/// the first two sentences.
pub const LEAD_SHINGLES: usize = 40;
/// Bands of the lead signature (3 rows each, 24 MinHash values): a lead
/// kept with 10% word edits (lead Jaccard ~0.55) collides with probability
/// 0.77, an unedited one (~0.9) with 1.0, two leads sharing one sentence
/// (~0.3) with 0.2.
pub const LEAD_BANDS: usize = 8;
/// Seed that keeps lead keys apart from whole-body band keys.
const LEAD_SEED: u64 = 0x1ead;

/// Candidates whose estimated similarity (from the stored signature) is
/// this far below both thresholds are not read back: the estimate's
/// standard error at 128 values is under 0.05, so 0.2 is four of them.
pub const PREFILTER_MARGIN: f64 = 0.2;

/// Share of [`Params::long_shared_shingles`] a candidate's estimated shared
/// shingles must reach to be judged by the long-run rule (the estimate's
/// error at 128 values and a few hundred shingles is about a tenth).
pub const LONG_SHARED_MARGIN: f64 = 0.7;

/// Most documents decided in one batch. Two batches are in flight (one
/// decided, the next signed). At 512 a batch's buffers (texts, tokens,
/// shingles: about 25 KB a document) come to about 13 MB; against 256,
/// fewer batches spread each one's fixed steps (the parallel phases'
/// start-up, the store's look-up set-up) over more documents: 4-7% faster
/// on 100,000 lines, peak RSS within the runs' noise. (When documents
/// kept 40 KB each, 512 had cost 40 MB of peak RSS for no gain.)
pub const BATCH_DOCS: usize = 512;

/// Lines between refreshes of the boilerplate snapshot once the index has
/// seen that many (before, refreshes come at 16, 32, 64, ... lines so a new
/// stream learns its sources' chrome early).
pub const REFRESH_LINES: u64 = 1024;

/// Largest `--window`: a window is decided as one batch, about 40 KB of
/// buffers a line, two batches in flight (2,048 lines: about 160 MB).
pub const MAX_WINDOW: u64 = 2048;

/// Most passages listed per dropped document.
pub const MAX_PASSAGES: usize = 20;

/// Most boilerplate counters kept over all sources (segments, not
/// shingles: about 35 per page). 262,144 counters are about 8 MB, enough for
/// thousands of sources' chrome and a few hundred pages of grace each.
pub const BOILERPLATE_COUNTERS: usize = 1 << 18;

/// Kept pages of a source a segment must be on before it is boilerplate.
/// 2, not the shared default 3: the filter counts only pages it keeps, so a
/// story the source runs twice is dropped as a copy and never counted,
/// while waiting for a third page lets a site's second page be judged with
/// its chrome still counted as text (measured: 5 false drops in the first
/// 200 lines of the accuracy stream with 3, none with 2).
pub const BOILERPLATE_MIN_DOCS: u32 = 2;

/// The boilerplate parameters of the filter: the shared defaults with the
/// filter's counter cap and [`BOILERPLATE_MIN_DOCS`].
pub fn boilerplate_params() -> BoilerplateParams {
    BoilerplateParams {
        max_entries: BOILERPLATE_COUNTERS,
        min_docs: BOILERPLATE_MIN_DOCS,
        ..BoilerplateParams::default()
    }
}

/// Name of the filter's state in the store: lines seen and the live model.
const STATE_BLOB: &str = "filter-state";
/// Name of the boilerplate snapshot (the model signatures use) in the store.
const SNAPSHOT_BLOB: &str = "filter-snapshot";

/// What to do with a malformed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop with an error naming the line.
    #[default]
    Fail,
    /// Record it in the dropped log and go on.
    Skip,
}

/// Options of a filter run. Thresholds are documented in README.md.
#[derive(Debug, Clone)]
pub struct FilterOptions {
    /// JSON fields holding id, text, source and date.
    pub fields: JsonlFields,
    /// Shingle size, MinHash width and the thresholds of the judgement
    /// ([`crate::judge`]).
    pub params: Params,
    /// Preferred sources, best first (`--keep sources=...`).
    pub keep_sources: Vec<String>,
    /// Window, in lines, within which a preferred source's copy replaces a
    /// copy kept earlier (tumbling windows of the index's line count, at
    /// most [`MAX_WINDOW`]).
    pub window: u64,
    /// What to do with malformed lines, and lines over `max_doc_bytes`.
    pub on_error: OnError,
    /// The most bytes a line may hold (its terminator excluded): a longer
    /// line is read no further than this, then skipped to its end, and is
    /// an error under [`OnError::Fail`] or dropped with reason `oversized`
    /// under [`OnError::Skip`].
    pub max_doc_bytes: u64,
    /// Commit at least this many lines apart (0: automatic, see
    /// [`FilterOptions::commit_interval`]).
    pub commit_every: u64,
    /// Compute shared passages for the dropped log.
    pub passages: bool,
    /// Set boilerplate aside (the page's furniture and what the model
    /// learns); when false every word counts and nothing is learned.
    pub boilerplate: bool,
}

impl Default for FilterOptions {
    fn default() -> FilterOptions {
        FilterOptions {
            fields: JsonlFields::default(),
            params: Params::default(),
            keep_sources: Vec::new(),
            window: 0,
            on_error: OnError::Fail,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            commit_every: 0,
            passages: true,
            boilerplate: true,
        }
    }
}

impl FilterOptions {
    /// The index parameters these options need.
    pub fn store_params(&self) -> StoreParams {
        StoreParams::new(
            &self.params,
            LshParams {
                bands: LSH_BANDS,
                rows: LSH_ROWS,
            },
        )
    }

    /// Checks every option is in range.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()?;
        if self.params.num_hashes < LSH_BANDS * LSH_ROWS {
            return Err(Error::InvalidParams(format!(
                "the filter needs at least {} MinHash values",
                LSH_BANDS * LSH_ROWS
            )));
        }
        if !self.keep_sources.is_empty() && !(1..=MAX_WINDOW).contains(&self.window) {
            return Err(Error::InvalidParams(format!(
                "the window for preferred sources must be 1 to {MAX_WINDOW} lines, not {}",
                self.window
            )));
        }
        Ok(())
    }

    /// Lines between commits for an index of `docs` documents: at least
    /// 32,768 (under two seconds of work at 20,000 lines a second), and an
    /// eighth of the index, so the bucket runs written per commit stay a
    /// small multiple of what was added. Each commit waits for two fsyncs
    /// and writes the boilerplate model: measured on 100,000 lines, four
    /// runs each alternating, a median 5.48 s committing every 16,384
    /// lines and 5.23 s every 32,768 (30,000 lines, earlier: 12.1 s every
    /// 4,096, 8.6 s every 16,384). A crash loses at most this many lines
    /// of work, never a line.
    pub fn commit_interval(&self, docs: u64) -> u64 {
        if self.commit_every > 0 {
            self.commit_every
        } else {
            (docs / 8).max(32_768)
        }
    }
}

/// Why a line went to the dropped log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Same normalised text as a kept document.
    Exact,
    /// Body Jaccard at or above the threshold.
    NearDuplicate,
    /// The shorter body contained in the longer.
    Contained,
    /// A copy from a preferred source arrived within the window.
    PreferredSource,
    /// Not a usable JSON record (with `--on-error skip`).
    Malformed,
    /// A line over the size limit (with `--on-error skip`).
    Oversized,
    /// An empty or whitespace-only line.
    Blank,
    /// Kept, and noted: it resembled a kept page only through the
    /// template they share (chrome and too little article text).
    TemplateOnly,
    /// Kept, and noted: it shares a template with a kept page, but each
    /// carries article text of its own.
    DifferentArticles,
}

impl Reason {
    /// The name used in the dropped log and the summary.
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::Exact => "exact",
            Reason::NearDuplicate => "near-duplicate",
            Reason::Contained => "contained",
            Reason::PreferredSource => "preferred-source",
            Reason::Malformed => "malformed",
            Reason::Oversized => "oversized",
            Reason::Blank => "blank",
            Reason::TemplateOnly => "template-only",
            Reason::DifferentArticles => "different-articles",
        }
    }
}

/// A span in each of the two documents of a drop.
#[derive(Debug, Clone, Serialize)]
pub struct PassageRecord {
    /// Byte span in the dropped document's text.
    pub doc: Span,
    /// Byte span in the kept document's text.
    pub duplicate_of: Span,
    /// verbatim, edited or paraphrase.
    pub kind: crate::align::PassageKind,
}

/// One line of the dropped log: the wire contract, documented in README.md.
/// A line that was kept but resembled a kept page only through their
/// shared template is noted too, with `kept: true` and `resembles` (never
/// `duplicate_of`).
#[derive(Debug, Clone, Serialize)]
pub struct DroppedRecord {
    /// The dropped document's id (absent for malformed and blank lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The kept document's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// True for a note on a line that was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<bool>,
    /// For a note: the kept document the line resembled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resembles: Option<String>,
    /// Why.
    pub reason: Reason,
    /// Body Jaccard with the kept document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Containment of the shorter body in the longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containment: Option<f64>,
    /// Shared passages, spans into both texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<Vec<PassageRecord>>,
    /// The input the line came from.
    pub input: String,
    /// 1-based line number in that input.
    pub line: u64,
    /// What is wrong with a malformed or oversized line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A malformed or blank line itself (lossy UTF-8), so no line is lost
    /// (an oversized line is not copied: `input` and `line` find it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// Counts of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Lines read (skipped resume prefix excluded).
    pub lines: u64,
    /// Bytes read (skipped resume prefix excluded).
    pub bytes: u64,
    /// Lines kept.
    pub kept: u64,
    /// Lines dropped, by reason.
    pub dropped: BTreeMap<&'static str, u64>,
    /// Lines kept with a note in the dropped log, by reason
    /// (`template-only`, `different-articles`).
    pub noted: BTreeMap<&'static str, u64>,
    /// Lines skipped at the start because an interrupted run had done them.
    pub resumed_lines: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Documents in the index at the end.
    pub index_docs: u64,
    /// Bytes of RAM the index's bucket pages and sketches hold at the end.
    pub index_ram_bytes: u64,
}

/// Progress after each batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Lines done.
    pub lines: u64,
    /// Bytes done.
    pub bytes: u64,
    /// Lines kept.
    pub kept: u64,
}

/// The checkpoint to resume from, when the index holds an unfinished run
/// over inputs with the same names.
pub fn resume_point(store: &Store, input: &InputStream) -> Result<Option<Checkpoint>> {
    Ok(store
        .checkpoint()?
        .filter(|cp| !cp.finished && cp.inputs == input.identity()))
}

/// Line count at which the boilerplate snapshot is next refreshed after
/// `seen` lines: 16, 32, 64, ..., 1024, then every [`REFRESH_LINES`].
/// (Refreshing every 8 lines early on was tried: one more copy found on
/// the 240-line fixture, five times the run time from re-signing.)
pub fn next_refresh(seen: u64) -> u64 {
    if seen < REFRESH_LINES {
        (seen + 1).next_power_of_two().max(16)
    } else {
        (seen / REFRESH_LINES + 1) * REFRESH_LINES
    }
}

/// The body of `analysis` for boilerplate segments `bad`, with them.
fn body_of(analysis: &Analysis, bad: Vec<bool>, k: usize) -> BodyCache {
    let body = ShingleSet::from_hashes(analysis.content_of(&bad, k));
    BodyCache { bad, body }
}

/// The body of `analysis` under `model`, reusing `cache` (computed in
/// parallel with an earlier state of the model) when the same segments are
/// boilerplate now: the body is then the same set.
fn body_cached<'a>(
    analysis: &Analysis,
    cache: Option<&'a BodyCache>,
    model: &BoilerplateModel,
    source: Option<&str>,
    k: usize,
) -> std::borrow::Cow<'a, BodyCache> {
    let bad = analysis.bad_segments(model, source);
    match cache {
        Some(c) if c.bad == bad => std::borrow::Cow::Borrowed(c),
        _ => std::borrow::Cow::Owned(body_of(analysis, bad, k)),
    }
}

/// The bucket keys of a body given by its `content` shingles in text order
/// (whole-body bands, then bands of the lead: the first
/// [`LEAD_SHINGLES`]) and its signature; nothing for an empty body.
fn signature_keys(content: &[u64], lsh: LshParams, num_hashes: usize) -> (Vec<u64>, Vec<u32>) {
    if content.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let lead = &content[..content.len().min(LEAD_SHINGLES)];
    let sig = Signature::from_shingles(content, num_hashes);
    let mut keys: Vec<u64> = lsh.band_keys(&sig).collect();
    let lead_lsh = LshParams {
        bands: LEAD_BANDS,
        rows: LSH_ROWS,
    };
    let lead_sig = Signature::from_shingles(lead, lead_lsh.width());
    keys.extend(
        lead_lsh
            .band_keys(&lead_sig)
            .map(|key| xxh3_64_with_seed(&key.to_le_bytes(), LEAD_SEED)),
    );
    (keys, sig.0)
}

/// Estimated Jaccard and containment (shorter in longer) of two sets from
/// their signatures and sizes.
fn estimate(a: &[u32], a_len: u32, b: &[u32], b_len: u32) -> (f64, f64) {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    similarity_of(same, a.len().min(b.len()), a_len, b_len)
}

/// [`estimate`] against a stored [`Sketch`](crate::index::store::Sketch):
/// its low bytes stand for the values (a chance agreement of low bytes
/// only raises the estimate).
fn estimate_low_bytes(a: &[u32], a_len: u32, low: &[u8], b_len: u32) -> (f64, f64) {
    let same = a.iter().zip(low).filter(|&(&x, &y)| x as u8 == y).count();
    similarity_of(same, a.len().min(low.len()), a_len, b_len)
}

/// Jaccard and containment (shorter in longer) from `same` agreeing
/// values of `n` and the two set sizes; zero when either is empty.
fn similarity_of(same: usize, n: usize, a_len: u32, b_len: u32) -> (f64, f64) {
    if n == 0 || a_len == 0 || b_len == 0 {
        return (0.0, 0.0);
    }
    let j = same as f64 / n as f64;
    let inter = j / (1.0 + j) * f64::from(a_len + b_len);
    (j, (inter / f64::from(a_len.min(b_len))).min(1.0))
}

/// One parsed line of a batch.
struct Prepared {
    line: Line,
    doc: std::result::Result<Document, String>,
    analysis: Analysis,
    keys: Vec<u64>,
    exact_key: u64,
    /// Signature of the body under the snapshot model (empty without body).
    sig: Vec<u32>,
    /// Shingles of that body (repeats counted).
    body_len: u32,
    /// The boilerplate segments that body was made without (see
    /// [`Analysis::bad_segments`]; empty for a line that is no document).
    /// The body itself is made again only for a document with candidates
    /// to verify: sorting every document's set was a twelfth of the CPU
    /// time, and keeping its shingles a fresh 8 KB a document.
    signed_bad: Vec<bool>,
    /// All its shingles, when a template check needed them.
    full: OnceLock<ShingleSet>,
}

/// What happened to a line.
#[derive(Debug, Clone)]
enum Outcome {
    Kept(DocId),
    Dropped {
        reason: Reason,
        of: Target,
        jaccard: f64,
        containment: f64,
    },
    Malformed(String),
    Blank,
}

/// The kept document a drop points at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Stored(DocId),
    Batch(usize),
}

/// A stored document read back as a candidate.
struct Candidate {
    /// The caller's id.
    id: String,
    source: Option<String>,
    text: String,
    analysis: Analysis,
    /// Its body under the model as the batch began.
    body: BodyCache,
    /// All its shingles, when a template check needed them.
    full: OnceLock<ShingleSet>,
}

/// A body and the boilerplate segments it was made without.
#[derive(Clone)]
struct BodyCache {
    bad: Vec<bool>,
    body: ShingleSet,
}

/// A kept document's note: it resembled a kept document (`of`) only
/// through a shared template (see [`Guard`]).
#[derive(Debug, Clone, Copy)]
struct Note {
    of: Target,
    guard: Guard,
    jaccard: f64,
    containment: f64,
}

/// The judgement of two documents with the same normalised text.
fn exact_judgement() -> Judgement {
    Judgement {
        same: Some(SameStory::Exact),
        guard: None,
        jaccard: 1.0,
        containment: 1.0,
        shared: 0,
    }
}

/// The reason a drop is logged with, for how the two are the same story.
fn reason_of(same: SameStory) -> Reason {
    match same {
        SameStory::Exact => Reason::Exact,
        SameStory::Duplicate | SameStory::NearDuplicate => Reason::NearDuplicate,
        SameStory::Contained => Reason::Contained,
    }
}

/// Keys of the documents kept in the batch being decided -> their batch
/// positions: entries chained by key in a [`SlotChains`] (no allocation
/// per key; the hash map it replaced was a hundredth of the filter's CPU,
/// on the serial loop).
struct BatchKeys {
    chains: SlotChains,
    /// (key, batch position), in the order added.
    entries: Vec<(u64, usize)>,
}

/// [`BatchKeys`] has `1 << BATCH_KEY_SLOT_BITS` slots: a batch keeps at
/// most [`BATCH_DOCS`] documents of some fifty keys (a window with
/// preferred sources, more: longer chains).
const BATCH_KEY_SLOT_BITS: u32 = 16;

impl Default for BatchKeys {
    fn default() -> BatchKeys {
        BatchKeys {
            chains: SlotChains::new(BATCH_KEY_SLOT_BITS),
            entries: Vec::new(),
        }
    }
}

impl BatchKeys {
    /// Empties it, keeping its memory for the next batch.
    fn clear(&mut self) {
        self.chains.clear();
        self.entries.clear();
    }

    fn add(&mut self, key: u64, at: usize) {
        self.chains.push(key);
        self.entries.push((key, at));
    }

    fn get(&self, key: u64, out: &mut Vec<usize>) {
        out.extend(self.chains.chain(key).filter_map(|e| {
            let (k, at) = self.entries[e];
            (k == key).then_some(at)
        }));
    }
}

/// What [`Filter::gather`] found for a batch.
struct Gathered {
    /// Each line's keys to look up (its bands and exact key).
    lookups: Vec<Vec<u64>>,
    /// Each line's candidates among the documents kept before the batch,
    /// ascending.
    found_before: Vec<Vec<DocId>>,
    /// Those worth verifying, read and analysed.
    candidates: HashMap<DocId, Candidate>,
    /// The bodies of the lines with candidates, under the model as the
    /// batch began.
    fresh: Vec<Option<BodyCache>>,
}

/// A decided batch whose kept documents are stored while the next batch
/// is decided (see [`Filter::gather`]).
struct Unstored {
    batch: Vec<Prepared>,
    decided: Decided,
    /// The number its first kept document got.
    first_id: DocId,
    /// Its kept documents' keys.
    keys: BatchKeys,
}

impl Unstored {
    /// The batch position of the document numbered `id`.
    fn position(&self, id: DocId) -> usize {
        self.decided.kept_order[(id - self.first_id) as usize]
    }

    /// The number after the last this batch gave.
    fn next_id(&self) -> DocId {
        self.first_id + self.decided.kept_order.len() as u64
    }
}

/// A decided batch: what happened to each line, the stored documents
/// read as candidates, and the kept documents to store.
struct Decided {
    outcomes: Vec<Outcome>,
    /// Per line: the note of a kept line that resembled a kept document
    /// only through a shared template.
    notes: Vec<Option<Note>>,
    candidates: HashMap<DocId, Candidate>,
    /// Batch positions of the documents kept, in the order they were:
    /// they got the numbers from the store's next one on, one each; a
    /// copy a preferred source replaced is among them, dropped in
    /// `outcomes`.
    kept_order: Vec<usize>,
}

/// True when a document of `source` is young in `snapshot` (see
/// [`BoilerplateLookup::is_young`]).
fn is_young(snapshot: &BoilerplateSnapshot, source: Option<&str>) -> bool {
    snapshot.is_young(source)
}

/// Stores the documents a batch kept under the numbers [`Filter::decide`]
/// gave them; those whose source the snapshot had not learned yet are
/// added to `young`.
fn store_kept(
    store: &mut Store,
    snapshot: &BoilerplateSnapshot,
    young: &mut Vec<DocId>,
    batch: &[Prepared],
    decided: &Decided,
) -> Result<()> {
    // Past the last number given (a replaced copy's included).
    let end = store.next_doc() + decided.kept_order.len() as u64;
    let mut docs = Vec::with_capacity(decided.kept_order.len());
    for &i in &decided.kept_order {
        let (Outcome::Kept(id), Ok(doc)) = (&decided.outcomes[i], &batch[i].doc) else {
            continue;
        };
        let p = &batch[i];
        docs.push((
            *id,
            NewDoc {
                id: &doc.id,
                source: doc.source.as_deref(),
                date: doc.date.as_deref(),
                exact: p.analysis.exact,
                band_keys: &p.keys,
                signature: &p.sig,
                set_len: p.body_len,
                text: &doc.text,
            },
        ));
        if is_young(snapshot, doc.source.as_deref()) {
            young.push(*id);
        }
    }
    store.insert_docs(&docs)?;
    store.skip_to(end);
    Ok(())
}

/// The filter: options, the learned model and the counters of a run.
struct Filter<'a> {
    opts: &'a FilterOptions,
    k: usize,
    model: BoilerplateModel,
    snapshot: Arc<BoilerplateSnapshot>,
    /// True when the snapshot equals the live model (a refresh, and no
    /// document observed since).
    snapshot_is_model: bool,
    /// True when the stored snapshot says "the same as the stored model".
    stored_as_model: bool,
    /// True when the snapshot changed since the last commit.
    snapshot_dirty: bool,
    /// Documents signed while their source's boilerplate was still being
    /// learned (see [`crate::boilerplate::YOUNG_SOURCE_DOCS`]), to sign again at refreshes.
    young: Vec<DocId>,
    seen: u64,
    preferred: HashMap<&'a str, usize>,
    /// Keys of the documents kept in the batch being decided.
    batch_keys: BatchKeys,
}

/// The filter's state in a store: lines seen, young documents, live model.
struct State {
    seen: u64,
    young: Vec<DocId>,
    model: BoilerplateModel,
}

fn load_state(store: &Store) -> Result<State> {
    let Some(bytes) = store.blob(STATE_BLOB)? else {
        return Ok(State {
            seen: 0,
            young: Vec::new(),
            model: BoilerplateModel::new(boilerplate_params()),
        });
    };
    decode_state(&bytes).ok_or_else(|| index_damaged(store, "the filter's state does not decode"))
}

/// The filter's state from its bytes (see [`encode_state`]).
fn decode_state(bytes: &[u8]) -> Option<State> {
    let u64_at = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?))
    };
    let seen = u64_at(0)?;
    let n = usize::try_from(u64_at(8)?).ok()?;
    let young = (0..n)
        .map(|i| u64_at(16 + 8 * i))
        .collect::<Option<Vec<_>>>()?;
    let model = BoilerplateModel::decode(bytes.get(16 + 8 * n..)?, boilerplate_params())?;
    Some(State { seen, young, model })
}

fn index_damaged(store: &Store, problem: &str) -> Error {
    Error::IndexDamaged {
        path: store.path().to_path_buf(),
        problem: problem.into(),
        source: None,
    }
}

/// Everything the filter reads from an index before its first line,
/// decoded: the checkpoint, the filter's state and its boilerplate
/// snapshot. A part that does not decode is an error naming the index.
/// The one validating step after [`Store::open`] for the filter and every
/// `copydesk index` command ([`state`], [`query`], [`open_index`]), so
/// none passes an index the filter refuses.
fn load_all(store: &Store) -> Result<(State, Option<BoilerplateSnapshot>)> {
    store.checkpoint()?;
    Ok((load_state(store)?, load_snapshot(store)?))
}

/// Opens the existing filter index at `path` and reads what the filter
/// reads before its first line (its checkpoint, state and boilerplate
/// snapshot): an index this returns is one the filter opens too.
/// ([`check_index`] verifies all the rest.)
pub fn open_index(path: &std::path::Path) -> Result<Store> {
    let store = Store::open(path)?;
    load_all(&store)?;
    Ok(store)
}

/// Checks every structure of the filter index at `path` without changing
/// it ([`check::check`](crate::index::check::check)), with what only the
/// filter can verify: each text against its exact-text hash, and the
/// filter's state and boilerplate snapshot.
pub fn check_index(path: &std::path::Path) -> Result<CheckReport> {
    crate::index::check::check(path, &FilterVerifier)
}

/// The filter's part of [`check_index`].
struct FilterVerifier;

impl Verifier for FilterVerifier {
    fn exact_hash(&self, text: &str) -> Option<u64> {
        Some(crate::analysis::exact_hash(text))
    }

    fn check_blob(&self, name: &str, bytes: &[u8], next_doc: DocId) -> Option<String> {
        match name {
            STATE_BLOB => {
                match decode_state(bytes) {
                    None => Some("the filter's state does not decode".into()),
                    Some(state) => state.young.iter().find(|&&d| d >= next_doc).map(|d| {
                        format!("the filter's state names document {d}, past the last one")
                    }),
                }
            }
            SNAPSHOT_BLOB if !bytes.is_empty() && BoilerplateSnapshot::decode(bytes).is_none() => {
                Some("the filter's boilerplate snapshot does not decode".into())
            }
            _ => None,
        }
    }
}

/// The bytes of the filter's state (see [`load_state`]).
fn encode_state(seen: u64, young: &[DocId], model: &BoilerplateModel) -> Vec<u8> {
    let mut bytes = seen.to_le_bytes().to_vec();
    bytes.extend((young.len() as u64).to_le_bytes());
    for d in young {
        bytes.extend(d.to_le_bytes());
    }
    bytes.extend(model.encode());
    bytes
}

/// The stored boilerplate snapshot; `None` when it is the live model
/// (no blob, or an empty one: see [`Filter::commit`]).
fn load_snapshot(store: &Store) -> Result<Option<BoilerplateSnapshot>> {
    match store.blob(SNAPSHOT_BLOB)? {
        None => Ok(None),
        Some(bytes) if bytes.is_empty() => Ok(None),
        Some(bytes) => BoilerplateSnapshot::decode(&bytes)
            .map(Some)
            .ok_or_else(|| {
                index_damaged(store, "the filter's boilerplate snapshot does not decode")
            }),
    }
}

/// Runs the filter over `input`, writing kept lines to `kept` and the
/// dropped log to `dropped`, and calls `progress` after every batch.
///
/// With `resume` (see [`resume_point`]) the first `resume.input_bytes` of
/// the input are read, checked against the checkpoint and skipped; the
/// caller has already cut its output files back to the checkpoint.
///
/// ```
/// use copydesk::filter::{self, FilterOptions, InputStream, StreamSink};
/// use copydesk::index::store::Store;
/// let text = "Junior doctors in England will strike again next month after talks broke down.";
/// let line = |id: &str| format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}\n");
/// let input = format!("{}{}", line("a"), line("b"));
/// let reader: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(input));
/// let mut input = InputStream::new(vec![("-".into(), reader)]);
/// let opts = FilterOptions::default();
/// let mut store = Store::in_memory(opts.store_params())?;
/// let mut kept = StreamSink::new(Vec::new());
/// let summary = filter::run(&mut store, &mut input, &mut kept, None, &opts, None, &mut |_| {})?;
/// assert_eq!(kept.into_inner(), line("a").into_bytes());
/// assert_eq!(summary.dropped["exact"], 1);
/// # Ok::<(), copydesk::Error>(())
/// ```
pub fn run(
    store: &mut Store,
    input: &mut InputStream,
    kept: &mut dyn Sink,
    dropped: Option<&mut dyn Sink>,
    opts: &FilterOptions,
    resume: Option<&Checkpoint>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Summary> {
    run_with(
        store,
        input,
        kept,
        dropped,
        opts,
        resume,
        progress,
        &mut |_| {},
    )
}

/// What happened to one line, as data (see [`run_with`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Which input the line came from (its position in the stream's list).
    pub file: usize,
    /// 1-based line number in that input.
    pub line: u64,
    /// What was decided.
    pub outcome: DecisionOutcome,
}

/// What was decided for a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DecisionOutcome {
    /// Kept, and stored under `doc`; `note` when it resembled the kept
    /// document `of` only through their shared template.
    Kept {
        /// The number it is stored under.
        doc: DocId,
        /// The kept document it resembled and why it is still kept.
        note: Option<(DocId, Guard)>,
    },
    /// Dropped as a copy of the kept document `of`.
    Dropped {
        /// The kept document.
        of: DocId,
        /// How it copies it.
        reason: Reason,
        /// Body Jaccard.
        jaccard: f64,
        /// Containment of the shorter body in the longer.
        containment: f64,
    },
    /// Not a usable record (with `--on-error skip`).
    Malformed,
    /// A blank line.
    Blank,
}

/// [`run`] that also reports every line's [`Decision`] to `decisions`, in
/// input order.
#[allow(clippy::too_many_arguments)]
pub fn run_with(
    store: &mut Store,
    input: &mut InputStream,
    kept: &mut dyn Sink,
    mut dropped: Option<&mut dyn Sink>,
    opts: &FilterOptions,
    resume: Option<&Checkpoint>,
    progress: &mut dyn FnMut(&Progress),
    decisions: &mut dyn FnMut(&Decision),
) -> Result<Summary> {
    opts.validate()?;
    let start = Instant::now();
    let mut summary = Summary::default();
    input.set_max_line_bytes(opts.max_doc_bytes);
    if let Some(cp) = resume {
        while input.bytes() < cp.input_bytes {
            if input.next_line()?.is_none() {
                break;
            }
        }
        if input.bytes() != cp.input_bytes || input.hash() != cp.input_hash {
            return Err(Error::Index {
                path: store.path().to_path_buf(),
                message: format!(
                    "an interrupted run stopped after line {} of this input, but the input \
                     differs from what it read; finish it with the same input or use a new index",
                    cp.input_lines
                ),
            });
        }
        summary.resumed_lines = cp.input_lines;
    }
    let (state, snapshot) = load_all(store)?;
    let mut f = Filter::new(opts, state, snapshot);
    let decide_pool = thread_pool("decide", false)?;
    let prep_pool = thread_pool("prep", true)?;
    let names: Vec<std::path::PathBuf> = input
        .names()
        .into_iter()
        .map(std::path::Path::to_path_buf)
        .collect();
    let mut since_commit = 0u64;
    // Position after the last line decided (for a checkpoint before a bad line).
    let mut done_at = input.position();
    let identity = input.identity();
    // Lines are read, parsed and tokenised ahead on a thread of their own
    // (see [`Feed`]); the next batch is signed while the current one is
    // decided.
    let interval = opts.commit_interval(store.doc_count());
    let lsh = store.params().lsh;
    // A decided batch whose documents are stored with the next one.
    let mut unstored: Option<Unstored> = None;
    let input_end = std::thread::scope(|threads| -> Result<StreamPosition> {
        let mut feed = Feed::start(threads, input, opts, &prep_pool);
        let first = feed.take(f.batch_cap(f.seen, since_commit, interval))?;
        let mut ahead = Ahead::Parsed(first);
        loop {
            let mut batch = match ahead {
                Ahead::Parsed(parsed) => {
                    decide_pool.install(|| sign(&f.snapshot, opts, parsed, lsh))
                }
                Ahead::Signed(mut batch, signed_with) => {
                    if !Arc::ptr_eq(&signed_with, &f.snapshot) {
                        // Signed before a refresh: sign again only what the
                        // refreshed boilerplate changes.
                        decide_pool.install(|| resign_changed(&f.snapshot, opts, &mut batch, lsh));
                    }
                    batch
                }
            };
            if batch.is_empty() {
                break;
            }
            // Stop before the first malformed or oversized line unless
            // skipping them.
            let mut failure = None;
            if opts.on_error == OnError::Fail {
                if let Some(i) = batch
                    .iter()
                    .position(|p| p.doc.is_err() && !p.line.is_blank())
                {
                    let bad = batch.split_off(i).swap_remove(0);
                    let before = batch.last().map_or(done_at, |p| p.line.end);
                    let path = names[bad.line.file].clone();
                    let error = match bad.line.too_long {
                        Some(size) => Error::TooLarge {
                            path,
                            line: Some(bad.line.line),
                            size: Some(size.content),
                            limit: opts.max_doc_bytes,
                        },
                        None => Error::JsonLine {
                            path,
                            line: bad.line.line,
                            message: bad.doc.err().unwrap_or_default(),
                        },
                    };
                    failure = Some((error, before));
                }
            }
            let interval = opts.commit_interval(store.doc_count());
            let seen_after = f.seen + batch.len() as u64;
            let since_after = since_commit + batch.len() as u64;
            let next_cap = failure.is_none().then(|| {
                let since = if since_after >= interval {
                    0
                } else {
                    since_after
                };
                f.batch_cap(seen_after, since, interval)
            });
            // The snapshot the next batch is signed with (checked against
            // the current one when it is decided: a refresh may come between).
            let refresh = next_refresh(f.seen) <= seen_after;
            let snapshot = Arc::clone(&f.snapshot);
            // Where a commit after this batch checkpoints (after its last line).
            let batch_end = batch.last().map_or(done_at, |p| p.line.end);
            let commit_now = failure.is_none() && since_after >= interval;
            let can_defer = failure.is_none() && !commit_now;
            // The next batch is taken from the feed here, on this thread:
            // waiting for the feed inside a rayon job could deadlock (a
            // worker waiting in the feed's own parallel analysis may pick
            // that job up and block under it).
            let parsed_next = match next_cap {
                Some(cap) => feed.take(cap)?,
                None => Vec::new(),
            };
            let mut next = None;
            // The kept documents get numbers from here on (after those of
            // the batch before, stored or not).
            let next_id = unstored
                .as_ref()
                .map_or(store.next_doc(), Unstored::next_id);
            let deferred = prep_pool.in_place_scope(|scope| {
                // The next batch is signed while this one is decided.
                let next = &mut next;
                scope.spawn(move |_| {
                    *next = Some(Ahead::Signed(
                        sign(&snapshot, opts, parsed_next, lsh),
                        snapshot,
                    ));
                });
                // The decisions' parallel steps run on their own threads: in
                // the shared pool they would queue behind the analysis of the
                // next batch and the decisions would wait for all of it.
                let gathered =
                    decide_pool.install(|| f.gather(store, &batch, unstored.as_ref()))?;
                // The batch before, when its documents are not stored yet,
                // is stored while this one's serial loop runs (which does
                // not touch the store); one after the other, both were on
                // the decisions' path.
                let before = unstored.take();
                let mut young = std::mem::take(&mut f.young);
                let snapshot_now = Arc::clone(&f.snapshot);
                let (decided, stored_before) = decide_pool.install(|| {
                    rayon::join(
                        || f.decide(&batch, gathered, next_id),
                        || match &before {
                            Some(u) => {
                                store_kept(store, &snapshot_now, &mut young, &u.batch, &u.decided)
                            }
                            None => Ok(()),
                        },
                    )
                });
                f.young = young;
                stored_before?;
                if let Some(u) = before {
                    prep_pool.spawn(move || drop(u));
                }
                // This batch's documents are stored with the next batch's
                // loop, unless the index is committed after it, or one of
                // them is young (a refresh signs young documents again from
                // the store).
                let defer = can_defer
                    && !decided.kept_order.iter().any(|&i| {
                        (batch[i].doc.as_ref())
                            .is_ok_and(|d| is_young(&f.snapshot, d.source.as_deref()))
                    });
                // Otherwise they are stored (and their records put into the
                // transaction) while the batch's lines are written out.
                let mut stored = Ok(());
                // At a refresh point the model's snapshot is taken meanwhile
                // too (on the decisions' path it was a twentieth of a run).
                let mut refreshed = None;
                let emitted = decide_pool.in_place_scope(|s| {
                    let (store, stored) = (&mut *store, &mut stored);
                    let (batch, decided) = (&batch, &decided);
                    let (young, snapshot) = (&mut f.young, &f.snapshot);
                    if !defer {
                        s.spawn(move |_| {
                            *stored = store_kept(store, snapshot, young, batch, decided);
                        });
                    }
                    if refresh {
                        let (model, refreshed) = (&f.model, &mut refreshed);
                        s.spawn(move |_| *refreshed = Some(Arc::new(model.snapshot())));
                    }
                    emit(
                        opts,
                        &decide_pool,
                        &names,
                        batch,
                        decided,
                        kept,
                        &mut dropped,
                        &mut summary,
                        decisions,
                    )
                });
                emitted?;
                stored?;
                f.seen = seen_after;
                // A refresh point was reached (batches end at them, or at
                // window ends past them with preferred sources).
                if let Some(snapshot) = refreshed {
                    f.snapshot = snapshot;
                    f.snapshot_is_model = true;
                    f.snapshot_dirty = true;
                    f.resign_young(store)?;
                }
                // Commits overlap the next batch's preparation too.
                if commit_now {
                    let cp = checkpoint(identity.clone(), kept, &dropped, false, batch_end);
                    f.commit(store, kept, &mut dropped, cp)?;
                }
                Ok::<_, Error>(defer.then_some(decided))
            });
            ahead = next.unwrap_or(Ahead::Parsed(Vec::new()));
            since_commit = if commit_now { 0 } else { since_after };
            summary.lines += batch.len() as u64;
            summary.bytes += batch.iter().map(|p| p.line.bytes()).sum::<u64>();
            match deferred? {
                Some(decided) => {
                    unstored = Some(Unstored {
                        batch,
                        decided,
                        first_id: next_id,
                        keys: std::mem::take(&mut f.batch_keys),
                    });
                }
                // Freeing a batch's thousands of buffers is left to a
                // preparation thread.
                None => {
                    prep_pool.spawn(move || drop(batch));
                }
            }
            done_at = batch_end;
            if let Some((err, before)) = failure {
                let cp = checkpoint(identity.clone(), kept, &dropped, false, before);
                f.commit(store, kept, &mut dropped, cp)?;
                return Err(err);
            }
            progress(&Progress {
                lines: summary.lines,
                bytes: summary.bytes,
                kept: summary.kept,
            });
        }
        if let Some(u) = unstored.take() {
            decide_pool
                .install(|| store_kept(store, &f.snapshot, &mut f.young, &u.batch, &u.decided))?;
        }
        feed.finish()
    })?;
    let cp = checkpoint(identity, kept, &dropped, true, input_end);
    f.commit(store, kept, &mut dropped, cp)?;
    summary.seconds = start.elapsed().as_secs_f64();
    summary.index_docs = store.doc_count();
    summary.index_ram_bytes = store.ram_bytes() as u64;
    Ok(summary)
}

/// The decisions of the filter's engine over documents in memory, in the
/// order given: for each document, kept (with its note) or dropped as a
/// copy of an earlier one (by its position in the list). The corpus
/// report takes its clusters from here, so that it and `filter` judge the
/// same documents alike.
#[derive(Debug, Clone)]
pub struct DocumentDecisions {
    /// Per document, in the order given.
    pub outcomes: Vec<DocumentOutcome>,
    /// The boilerplate the engine had learned at the end.
    pub model: BoilerplateModel,
}

/// What the engine decided for one document (positions index the list
/// given to [`decide_documents`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DocumentOutcome {
    /// Kept; `note` when it resembled the kept document at that position
    /// only through their shared template.
    Kept {
        /// The kept document it resembled, and why it is kept.
        note: Option<(usize, Guard)>,
    },
    /// A copy of the kept document at position `of`.
    Dropped {
        /// The kept document.
        of: usize,
        /// How it copies it.
        reason: Reason,
        /// Body Jaccard.
        jaccard: f64,
        /// Containment of the shorter body in the longer.
        containment: f64,
    },
}

/// Runs the filter's engine over `docs` in order, in memory (see
/// [`DocumentDecisions`]). Only their ids' order matters; their texts,
/// sources and dates are read as the filter reads a JSON Lines record's.
/// `progress` is told how many documents are decided so far, batch by batch.
pub fn decide_documents(
    docs: &[&Document],
    opts: &FilterOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<DocumentDecisions> {
    let fields = JsonlFields::default();
    let mut lines = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let record = serde_json::json!({
            fields.id.as_str(): i.to_string(),
            fields.text.as_str(): d.text,
            fields.source.as_str(): d.source,
            fields.date.as_str(): d.date,
        });
        serde_json::to_writer(&mut lines, &record).map_err(|e| Error::Io {
            path: "documents".into(),
            source: e.into(),
        })?;
        lines.push(b'\n');
    }
    let opts = FilterOptions {
        fields,
        on_error: OnError::Fail,
        // The documents were read under the limit; their JSON lines are
        // longer than their texts.
        max_doc_bytes: u64::MAX,
        passages: false,
        ..opts.clone()
    };
    let reader: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(lines));
    let mut input = InputStream::new(vec![("documents".into(), reader)]);
    let mut store = Store::in_memory(opts.store_params())?;
    let mut kept = StreamSink::new(std::io::sink());
    let mut by_line: Vec<Option<DecisionOutcome>> = vec![None; docs.len()];
    run_with(
        &mut store,
        &mut input,
        &mut kept,
        None,
        &opts,
        None,
        &mut |p| progress(p.lines),
        &mut |d| {
            if let Some(slot) = (d.line as usize)
                .checked_sub(1)
                .and_then(|i| by_line.get_mut(i))
            {
                *slot = Some(d.outcome);
            }
        },
    )?;
    // Stored numbers back to positions.
    let mut position: HashMap<DocId, usize> = HashMap::new();
    for (i, o) in by_line.iter().enumerate() {
        if let Some(DecisionOutcome::Kept { doc, .. }) = o {
            position.insert(*doc, i);
        }
    }
    let at = |id: DocId| -> Result<usize> {
        position.get(&id).copied().ok_or_else(|| Error::Index {
            path: "documents".into(),
            message: format!("a decision points at document {id}, which was not kept"),
        })
    };
    let mut outcomes = Vec::with_capacity(docs.len());
    for (i, o) in by_line.into_iter().enumerate() {
        outcomes.push(match o {
            Some(DecisionOutcome::Kept { note, .. }) => DocumentOutcome::Kept {
                note: note.map(|(id, g)| at(id).map(|p| (p, g))).transpose()?,
            },
            Some(DecisionOutcome::Dropped {
                of,
                reason,
                jaccard,
                containment,
            }) => DocumentOutcome::Dropped {
                of: at(of)?,
                reason,
                jaccard,
                containment,
            },
            _ => {
                return Err(Error::Index {
                    path: "documents".into(),
                    message: format!("document {i} was not decided"),
                })
            }
        });
    }
    Ok(DocumentDecisions {
        outcomes,
        model: load_state(&store)?.model,
    })
}

/// The checkpoint at input position `at` (after the last line decided).
fn checkpoint(
    inputs: String,
    kept: &dyn Sink,
    dropped: &Option<&mut dyn Sink>,
    finished: bool,
    at: StreamPosition,
) -> Checkpoint {
    Checkpoint {
        inputs,
        input_bytes: at.bytes,
        input_lines: at.lines,
        input_hash: at.hash,
        kept_bytes: kept.position(),
        dropped_bytes: dropped.as_ref().map_or(0, |d| d.position()),
        finished,
    }
}

/// Lines read, parsed and tokenised by a thread of their own, running up
/// to [`FEED_CHUNKS`] chunks of [`FEED_LINES`] lines ahead of the
/// decisions: work that depends on neither the index nor the learned model
/// goes on while the decisions wait (a commit's `fsync`, the serial loop).
struct Feed {
    rx: std::sync::mpsc::Receiver<Result<Vec<Parsed>>>,
    buf: std::collections::VecDeque<Parsed>,
    /// The reader's position once it stopped at the end of the input.
    end: std::sync::mpsc::Receiver<StreamPosition>,
    done: bool,
}

/// Lines in one chunk of the filter's feed (the thread that reads, parses and
/// tokenises ahead of the decisions).
pub const FEED_LINES: u64 = 128;
/// Chunks the feed may hold ready (2,048 lines, about 50 MB): with 1,024
/// the decisions sometimes waited for it after a commit.
pub const FEED_CHUNKS: usize = 16;

impl Feed {
    fn start<'scope>(
        threads: &'scope std::thread::Scope<'scope, '_>,
        input: &'scope mut InputStream,
        opts: &'scope FilterOptions,
        pool: &'scope rayon::ThreadPool,
    ) -> Feed {
        let (tx, rx) = std::sync::mpsc::sync_channel(FEED_CHUNKS);
        let (end_tx, end) = std::sync::mpsc::sync_channel(1);
        threads.spawn(move || loop {
            background_priority();
            match read_batch(input, FEED_LINES) {
                Ok(lines) if lines.is_empty() => {
                    let _ = end_tx.send(input.position());
                    break;
                }
                Ok(lines) => {
                    // The decisions stopped (an error): stop reading.
                    if tx.send(Ok(pool.install(|| analyze(opts, lines)))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        });
        Feed {
            rx,
            buf: std::collections::VecDeque::new(),
            end,
            done: false,
        }
    }

    /// The next `cap` lines (fewer at the end of the input).
    fn take(&mut self, cap: u64) -> Result<Vec<Parsed>> {
        let cap = cap as usize;
        while self.buf.len() < cap && !self.done {
            match self.rx.recv() {
                Ok(chunk) => self.buf.extend(chunk?),
                Err(_) => self.done = true,
            }
        }
        let n = cap.min(self.buf.len());
        Ok(self.buf.drain(..n).collect())
    }

    /// Where the input ended, once every line was taken.
    fn finish(self) -> Result<StreamPosition> {
        drop(self.rx);
        self.end.recv().map_err(|_| Error::Io {
            path: "input".into(),
            source: std::io::Error::other("the reader stopped before the end of the input"),
        })
    }
}

/// Lowers the calling thread's scheduling priority (nice 10) on Linux.
///
/// The filter's critical path is the decisions (one batch after the
/// other); the feed and the signing of the next batch only need to keep
/// ahead of them. At equal priority the preparation threads took half of
/// each core whenever the decisions' parallel steps ran, and those steps
/// took twice as long; at nice 10 the preparation runs in what the
/// decisions leave idle. Measured on 100,000 lines (a noisy machine),
/// four runs each, alternating: median 5.96 s without, 5.73 s with; the
/// time spent deciding fell from 3.5-3.7 s to 2.9-3.3 s a run.
fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its three integer arguments; the id
    // is this thread's own, so it changes nothing but this thread's nice
    // value. A failure (not permitted) leaves the priority as it was,
    // which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}

/// Reads up to `cap` lines.
fn read_batch(input: &mut InputStream, cap: u64) -> Result<Vec<Line>> {
    let mut lines = Vec::with_capacity(cap as usize);
    while (lines.len() as u64) < cap {
        match input.next_line()? {
            Some(l) => lines.push(l),
            None => break,
        }
    }
    Ok(lines)
}

/// The bucket keys, signature and body size of `analysis` without the
/// boilerplate segments `bad`.
fn sign_body(
    analysis: &Analysis,
    bad: &[bool],
    opts: &FilterOptions,
    lsh: LshParams,
) -> (Vec<u64>, Vec<u32>, u32) {
    analysis.with_content(bad, opts.params.shingle_size, |content| {
        let (keys, sig) = signature_keys(content, lsh, opts.params.num_hashes);
        (keys, sig, content.len() as u32)
    })
}

/// Signs again, in parallel, the documents of `batch` (signed under an
/// earlier snapshot) whose boilerplate segments under `snapshot` differ:
/// the others would get the same body, keys and signature. After a
/// refresh the next batch was signed on the critical path, a quarter of
/// all signing; most documents' segments do not change.
fn resign_changed(
    snapshot: &BoilerplateSnapshot,
    opts: &FilterOptions,
    batch: &mut [Prepared],
    lsh: LshParams,
) {
    batch.par_iter_mut().for_each(|p| {
        let Ok(d) = &p.doc else {
            return;
        };
        let bad = p.analysis.bad_segments(snapshot, d.source.as_deref());
        if bad == p.signed_bad {
            return;
        }
        (p.keys, p.sig, p.body_len) = sign_body(&p.analysis, &bad, opts, lsh);
        p.signed_bad = bad;
    });
}

/// Body shingles under `snapshot`, signatures and keys, in parallel.
fn sign(
    snapshot: &BoilerplateSnapshot,
    opts: &FilterOptions,
    parsed: Vec<Parsed>,
    lsh: LshParams,
) -> Vec<Prepared> {
    parsed
        .into_par_iter()
        .map(|p| {
            let (keys, sig, body_len, signed_bad) = match &p.doc {
                Ok(d) => {
                    let bad = p.analysis.bad_segments(snapshot, d.source.as_deref());
                    let (keys, sig, body_len) = sign_body(&p.analysis, &bad, opts, lsh);
                    (keys, sig, body_len, bad)
                }
                Err(_) => (Vec::new(), Vec::new(), 0, Vec::new()),
            };
            Prepared {
                exact_key: Store::exact_key(p.analysis.exact),
                line: p.line,
                doc: p.doc,
                analysis: p.analysis,
                keys,
                sig,
                body_len,
                signed_bad,
                full: OnceLock::new(),
            }
        })
        .collect()
}

/// The next batch, prepared while the current one is decided: parsed
/// (the first batch), or signed under the snapshot it holds.
enum Ahead {
    Parsed(Vec<Parsed>),
    Signed(Vec<Prepared>, Arc<BoilerplateSnapshot>),
}

/// A line parsed and tokenised: everything that does not depend on the
/// index or the learned model, so it can run ahead of the decisions.
struct Parsed {
    line: Line,
    doc: std::result::Result<Document, String>,
    analysis: Analysis,
}

/// Parses and tokenises lines in parallel.
fn analyze(opts: &FilterOptions, lines: Vec<Line>) -> Vec<Parsed> {
    let k = opts.params.shingle_size;
    lines
        .into_par_iter()
        .map(|line| {
            let doc = if let Some(size) = line.too_long {
                Err(too_large_message(
                    true,
                    Some(size.content),
                    opts.max_doc_bytes,
                ))
            } else if line.is_blank() {
                Err(String::new())
            } else {
                parse_record(line.content(), line.line, &opts.fields)
            };
            let analysis = match &doc {
                Ok(d) if opts.boilerplate => Analysis::new(&d.text, k),
                Ok(d) => Analysis::without_furniture(&d.text, k),
                Err(_) => Analysis::default(),
            };
            Parsed {
                line,
                doc,
                analysis,
            }
        })
        .collect()
}

/// A pool of the machine's thread count named `copydesk-{name}-N`, at
/// background priority when `background` (see [`background_priority`]).
fn thread_pool(name: &'static str, background: bool) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(move |i| format!("copydesk-{name}-{i}"));
    if background {
        builder = builder.start_handler(|_| background_priority());
    }
    builder.build().map_err(|e| Error::Io {
        path: "threads".into(),
        source: std::io::Error::other(e),
    })
}

impl<'a> Filter<'a> {
    /// The filter over a stored `state`, with the stored boilerplate
    /// snapshot (`None`: the same as the state's model).
    fn new(
        opts: &'a FilterOptions,
        state: State,
        snapshot: Option<BoilerplateSnapshot>,
    ) -> Filter<'a> {
        let State { seen, young, model } = state;
        let snapshot_is_model = snapshot.is_none();
        let snapshot = snapshot.unwrap_or_else(|| model.snapshot());
        Filter {
            opts,
            k: opts.params.shingle_size,
            snapshot: Arc::new(snapshot),
            snapshot_dirty: false,
            snapshot_is_model,
            stored_as_model: snapshot_is_model,
            young,
            model,
            seen,
            preferred: opts
                .keep_sources
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), i))
                .collect(),
            batch_keys: BatchKeys::default(),
        }
    }
}

impl Filter<'_> {
    /// Lines the batch starting after `seen` lines may hold: batches end at
    /// snapshot refreshes, window ends and commits.
    ///
    /// With preferred sources a batch is exactly one window (the rest of
    /// it), so a later preferred copy can replace any copy of its window
    /// before either is written; refreshes and commits then happen at
    /// window ends.
    fn batch_cap(&self, seen: u64, since_commit: u64, interval: u64) -> u64 {
        if !self.opts.keep_sources.is_empty() {
            return self.opts.window - seen % self.opts.window;
        }
        let cap = (next_refresh(seen) - seen).min(BATCH_DOCS as u64);
        cap.min(interval.saturating_sub(since_commit).max(1))
    }

    /// Finds, reads and analyses in parallel what deciding `batch` needs:
    /// its candidates among the stored documents and among those of
    /// `unstored` (the batch before, when its kept documents are not
    /// stored yet: found through its keys, as the store would find them),
    /// and its own bodies.
    fn gather(
        &self,
        store: &mut Store,
        batch: &[Prepared],
        unstored: Option<&Unstored>,
    ) -> Result<Gathered> {
        // Candidates already in the store, read and analysed in parallel.
        store.settle_keys()?;
        store.load_pages(
            batch
                .iter()
                .flat_map(|p| p.keys.iter().copied().chain([p.exact_key])),
        )?;
        // Candidates among the documents stored before this batch, looked
        // up in parallel; documents kept in this batch are found below
        // through `batch_keys`.
        let lookups: Vec<Vec<u64>> = batch
            .iter()
            .map(|p| {
                if p.doc.is_ok() {
                    let mut keys = Vec::with_capacity(p.keys.len() + 1);
                    keys.extend_from_slice(&p.keys);
                    keys.push(p.exact_key);
                    keys
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut found_before = store.lookup_many(&lookups);
        // Numbers from `first_unstored` on are the unstored batch's; they
        // follow every stored one, so each list stays ascending.
        let first_unstored = unstored.map_or(store.next_doc(), |u| u.first_id);
        if let Some(u) = unstored {
            let mut local = Vec::new();
            for (f, keys) in found_before.iter_mut().zip(&lookups) {
                local.clear();
                for k in keys {
                    u.keys.get(k >> 16, &mut local);
                }
                if local.is_empty() {
                    continue;
                }
                let mut ids: Vec<DocId> = local
                    .iter()
                    .filter_map(|&j| match u.decided.outcomes[j] {
                        Outcome::Kept(id) => Some(id),
                        _ => None,
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                f.extend(ids);
            }
        }
        let found: Vec<(usize, &Vec<DocId>)> = found_before
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.is_empty())
            .collect();
        let mut ids: Vec<DocId> = found
            .iter()
            .flat_map(|(_, f)| f.iter().copied())
            .filter(|&id| id < first_unstored)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        // Judged first by their sketches (in RAM); only the likely ones
        // have their records and texts read. An unstored document is
        // judged by the sketch it will be stored with.
        store.load_sketches(&ids)?;
        let mut wanted: Vec<DocId> = Vec::new();
        let mut low = Vec::new();
        for (i, f) in &found {
            let p = &batch[*i];
            for &id in f.iter() {
                let sketch =
                    match unstored.filter(|_| id >= first_unstored) {
                        Some(u) => {
                            let q = &u.batch[u.position(id)];
                            low.clear();
                            low.extend(q.sig.iter().map(|&v| v as u8));
                            (q.sig.len() == self.opts.params.num_hashes && q.body_len > 0)
                                .then_some((q.analysis.exact, q.body_len, low.as_slice()))
                        }
                        None => store.sketch(id).map(|s| (s.exact, s.set_len, s.low_bytes)),
                    };
                let Some((exact, set_len, low_bytes)) = sketch else {
                    // No signature (an empty body): only an exact copy
                    // could match, and its exact key found it.
                    wanted.push(id);
                    continue;
                };
                let (j, c) = estimate_low_bytes(&p.sig, p.body_len, low_bytes, set_len);
                if exact == p.analysis.exact || self.worth_verifying(j, c, p.body_len, set_len) {
                    wanted.push(id);
                }
            }
        }
        wanted.sort_unstable();
        wanted.dedup();
        let unstored_wanted = wanted.split_off(wanted.partition_point(|&id| id < first_unstored));
        let mut records = store.records_of_par(&wanted)?;
        let fetched: Vec<StoredDoc> = wanted
            .into_iter()
            .filter_map(|id| records.remove(&id))
            .collect();
        let k = self.k;
        let model = &self.model;
        let mut candidates: HashMap<DocId, Candidate> = store
            .map_texts_par(fetched, |doc, text| {
                let analysis = Analysis::new(&text, k);
                let bad = analysis.bad_segments(model, doc.source.as_deref());
                let body = body_of(&analysis, bad, k);
                (
                    doc.doc,
                    Candidate {
                        id: doc.id,
                        source: doc.source,
                        text,
                        analysis,
                        body,
                        full: OnceLock::new(),
                    },
                )
            })?
            .into_iter()
            .collect();
        // The unstored batch's documents, from what it holds in RAM (the
        // analysis of its text is the one reading the stored text gives).
        if let Some(u) = unstored {
            candidates.extend(
                unstored_wanted
                    .par_iter()
                    .filter_map(|&id| {
                        let q = &u.batch[u.position(id)];
                        let d = q.doc.as_ref().ok()?;
                        let bad = q.analysis.bad_segments(model, d.source.as_deref());
                        Some((
                            id,
                            Candidate {
                                id: d.id.clone(),
                                source: d.source.clone(),
                                text: d.text.clone(),
                                analysis: q.analysis.clone(),
                                body: body_of(&q.analysis, bad, k),
                                full: OnceLock::new(),
                            },
                        ))
                    })
                    .collect::<Vec<_>>(),
            );
        }

        // The batch's own bodies under the model as the batch begins, in
        // parallel, for the documents with stored candidates to verify;
        // checked against the live model where used (the sorts were a
        // tenth of the serial loop). Other bodies are made there when
        // needed.
        let fresh: Vec<Option<BodyCache>> = batch
            .par_iter()
            .zip(&found_before)
            .map(|(p, f)| match &p.doc {
                Ok(d) if f.iter().any(|id| candidates.contains_key(id)) => {
                    let bad = p.analysis.bad_segments(model, d.source.as_deref());
                    Some(body_of(&p.analysis, bad, k))
                }
                _ => None,
            })
            .collect();
        Ok(Gathered {
            lookups,
            found_before,
            candidates,
            fresh,
        })
    }

    /// Decides a batch against the store and itself, from what
    /// [`Filter::gather`] found; the documents kept are numbered from
    /// `next_id` on. The model learns from each document kept as it is
    /// kept. This loop is the filter's one serial step: the documents are
    /// stored after it (by [`store_kept`]), or while the next batch's
    /// loop runs.
    fn decide(&mut self, batch: &[Prepared], gathered: Gathered, next_id: DocId) -> Decided {
        let Gathered {
            lookups,
            found_before,
            candidates,
            fresh,
        } = gathered;
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(batch.len());
        let mut notes: Vec<Option<Note>> = Vec::with_capacity(batch.len());
        // Bucket (top 48 bits of a key, as the store matches them) -> batch
        // positions of the documents kept in this batch holding it.
        // (Its memory is reused from batch to batch.)
        let mut batch_keys = std::mem::take(&mut self.batch_keys);
        batch_keys.clear();
        let mut local: Vec<usize> = Vec::new();
        // Numbers for the documents kept, in the order they are kept (a
        // number given to a copy a preferred source then replaced stays
        // unused, as when it was stored and removed).
        let mut next_id = next_id;
        let mut kept_order: Vec<usize> = Vec::new();
        let mut number = |i: usize| {
            kept_order.push(i);
            next_id += 1;
            next_id - 1
        };
        for (i, p) in batch.iter().enumerate() {
            let doc = match &p.doc {
                Ok(d) => d,
                Err(e) if e.is_empty() => {
                    outcomes.push(Outcome::Blank);
                    notes.push(None);
                    continue;
                }
                Err(e) => {
                    outcomes.push(Outcome::Malformed(e.clone()));
                    notes.push(None);
                    continue;
                }
            };
            local.clear();
            for k in &lookups[i] {
                batch_keys.get(k >> 16, &mut local);
            }
            local.sort_unstable();
            local.dedup();
            // Stored documents first (ascending ids), then this batch's
            // kept documents in input order: ascending ids as well.
            let stored = found_before[i].iter().map(|&id| (id, None));
            let in_batch = local.iter().filter_map(|&j| match outcomes[j] {
                Outcome::Kept(id) => Some((id, Some(j))),
                _ => None,
            });
            let mut best: Option<(Judgement, Target)> = None;
            // The strongest match a template check turned down.
            let mut guarded: Option<(Judgement, Target)> = None;
            let mut mine: Option<std::borrow::Cow<'_, BodyCache>> = None;
            for (id, at) in stored.chain(in_batch) {
                let (analysis, cache, source, full, target) = if let Some(j) = at {
                    let Ok(d) = &batch[j].doc else { continue };
                    let q = &batch[j];
                    let (je, ce) = estimate(&p.sig, p.body_len, &q.sig, q.body_len);
                    if q.analysis.exact != p.analysis.exact
                        && !self.worth_verifying(je, ce, p.body_len, q.body_len)
                    {
                        continue;
                    }
                    (
                        &q.analysis,
                        fresh[j].as_ref(),
                        d.source.as_deref(),
                        &q.full,
                        Target::Batch(j),
                    )
                } else {
                    let Some(c) = candidates.get(&id) else {
                        continue;
                    };
                    (
                        &c.analysis,
                        Some(&c.body),
                        c.source.as_deref(),
                        &c.full,
                        Target::Stored(id),
                    )
                };
                let j = if analysis.exact == p.analysis.exact {
                    exact_judgement()
                } else {
                    let mine = mine.get_or_insert_with(|| {
                        body_cached(
                            &p.analysis,
                            fresh[i].as_ref(),
                            &self.model,
                            doc.source.as_deref(),
                            self.k,
                        )
                    });
                    let theirs = body_cached(analysis, cache, &self.model, source, self.k);
                    judge(
                        &Side {
                            analysis: &p.analysis,
                            body: &mine.body,
                            bad: &mine.bad,
                            source: doc.source.as_deref(),
                            full: &p.full,
                            young: self.model.template_unlearned(doc.source.as_deref()),
                        },
                        &Side {
                            analysis,
                            body: &theirs.body,
                            bad: &theirs.bad,
                            source,
                            full,
                            young: self.model.template_unlearned(source),
                        },
                        &self.opts.params,
                    )
                };
                let slot = if j.is_same() {
                    &mut best
                } else if j.guard.is_some() {
                    &mut guarded
                } else {
                    continue;
                };
                if slot.is_none_or(|(b, _)| j.rank() > b.rank()) {
                    *slot = Some((j, target));
                }
            }
            notes.push(None);
            match best {
                Some((j, target)) => {
                    if let Target::Batch(t) = target {
                        // A batch target is always a kept document.
                        if let (true, Outcome::Kept(_)) = (self.prefers(batch, i, t), &outcomes[t])
                        {
                            // Swap: keep this copy, drop the earlier one
                            // (not stored yet).
                            let id = number(i);
                            self.learn(doc, p);
                            for k in &lookups[i] {
                                batch_keys.add(k >> 16, i);
                            }
                            outcomes[t] = Outcome::Dropped {
                                reason: Reason::PreferredSource,
                                of: Target::Batch(i),
                                jaccard: j.jaccard,
                                containment: j.containment,
                            };
                            outcomes.push(Outcome::Kept(id));
                            continue;
                        }
                    }
                    outcomes.push(Outcome::Dropped {
                        reason: reason_of(j.same.expect("a match is the same story")),
                        of: target,
                        jaccard: j.jaccard,
                        containment: j.containment,
                    });
                }
                None => {
                    let id = number(i);
                    self.learn(doc, p);
                    for k in &lookups[i] {
                        batch_keys.add(k >> 16, i);
                    }
                    outcomes.push(Outcome::Kept(id));
                    if let Some((j, of)) = guarded {
                        notes[i] = Some(Note {
                            of,
                            guard: j.guard.expect("a guarded match has a guard"),
                            jaccard: j.jaccard,
                            containment: j.containment,
                        });
                    }
                }
            }
        }
        self.batch_keys = batch_keys;
        // Drops pointing at a document later replaced point at its replacement.
        for i in 0..outcomes.len() {
            let mut hops = 0;
            while let Outcome::Dropped {
                of: Target::Batch(j),
                ..
            } = outcomes[i]
            {
                match outcomes[j] {
                    Outcome::Dropped {
                        reason: Reason::PreferredSource,
                        of,
                        ..
                    } if hops < outcomes.len() => {
                        if let Outcome::Dropped { of: o, .. } = &mut outcomes[i] {
                            *o = of;
                        }
                        hops += 1;
                    }
                    _ => break,
                }
            }
        }
        Decided {
            outcomes,
            notes,
            candidates,
            kept_order,
        }
    }

    /// True when a candidate with estimated Jaccard `j` and containment
    /// `c` (bodies of `a_len` and `b_len` shingles) is worth reading back
    /// and judging: within [`PREFILTER_MARGIN`] of a rule of the judgement.
    /// The long-run rule's low containment is asked only of pairs whose
    /// estimated shared shingles come within [`LONG_SHARED_MARGIN`] of its
    /// count: most bodies of one site share a tenth of their shingles, and
    /// reading all of them back was two thirds of a 100,000-line run.
    fn worth_verifying(&self, j: f64, c: f64, a_len: u32, b_len: u32) -> bool {
        let p = &self.opts.params;
        let shared = c * f64::from(a_len.min(b_len));
        j >= p.near_duplicate_jaccard - PREFILTER_MARGIN
            || c >= p.near_duplicate_containment - PREFILTER_MARGIN
            || (c >= p.long_containment - PREFILTER_MARGIN
                && shared >= LONG_SHARED_MARGIN * p.long_shared_shingles as f64)
    }

    /// True when line `i` should replace kept line `j` of the same batch.
    fn prefers(&self, batch: &[Prepared], i: usize, j: usize) -> bool {
        if self.preferred.is_empty() || self.opts.window == 0 {
            return false;
        }
        let rank = |p: &Prepared| {
            p.doc
                .as_ref()
                .ok()
                .and_then(|d| d.source.as_deref())
                .and_then(|s| self.preferred.get(s).copied())
                .unwrap_or(usize::MAX)
        };
        let window = |pos: usize| (self.seen + pos as u64) / self.opts.window;
        window(i) == window(j) && rank(&batch[i]) < rank(&batch[j])
    }

    /// Teaches the model the segments of a document kept.
    fn learn(&mut self, doc: &Document, p: &Prepared) {
        if !self.opts.boilerplate {
            return;
        }
        let long = p
            .analysis
            .long_segments(self.model.params().corpus_min_words);
        self.model
            .observe(doc.source.as_deref(), &p.analysis.segs, &long);
        self.snapshot_is_model = false;
    }

    /// Signs the young documents again with the refreshed snapshot; those
    /// whose source now has [`crate::boilerplate::YOUNG_SOURCE_DOCS`] pages in it are done.
    fn resign_young(&mut self, store: &mut Store) -> Result<()> {
        if self.young.is_empty() {
            return Ok(());
        }
        let lsh = store.params().lsh;
        let mut still = Vec::new();
        for id in std::mem::take(&mut self.young) {
            let Some(doc) = store.doc(id)? else { continue };
            let text = store.text(&doc)?;
            let a = Analysis::new(&text, self.k);
            let source = doc.source.as_deref();
            let content = a.content(&*self.snapshot, source, self.k);
            let (keys, sig) = signature_keys(&content, lsh, self.opts.params.num_hashes);
            store.rekey(&doc, &keys, &sig, content.len() as u32)?;
            if is_young(&self.snapshot, source) {
                still.push(id);
            }
        }
        self.young = still;
        Ok(())
    }
}

/// Writes a decided batch: kept lines, dropped records with passages.
#[allow(clippy::too_many_arguments)]
fn emit(
    opts: &FilterOptions,
    pool: &rayon::ThreadPool,
    names: &[std::path::PathBuf],
    batch: &[Prepared],
    decided: &Decided,
    kept: &mut dyn Sink,
    dropped: &mut Option<&mut dyn Sink>,
    summary: &mut Summary,
    decisions: &mut dyn FnMut(&Decision),
) -> Result<()> {
    let (outcomes, notes, candidates) = (&decided.outcomes, &decided.notes, &decided.candidates);
    // The number of a kept document a drop or a note points at.
    let number = |t: Target| -> DocId {
        match t {
            Target::Stored(id) => id,
            Target::Batch(j) => match outcomes[j] {
                Outcome::Kept(id) => id,
                _ => unreachable!("a batch target is a kept line"),
            },
        }
    };
    for ((p, o), note) in batch.iter().zip(outcomes).zip(notes) {
        let outcome = match o {
            Outcome::Kept(id) => DecisionOutcome::Kept {
                doc: *id,
                note: note.map(|n| (number(n.of), n.guard)),
            },
            Outcome::Dropped {
                reason,
                of,
                jaccard,
                containment,
            } => DecisionOutcome::Dropped {
                of: number(*of),
                reason: *reason,
                jaccard: *jaccard,
                containment: *containment,
            },
            Outcome::Malformed(_) => DecisionOutcome::Malformed,
            Outcome::Blank => DecisionOutcome::Blank,
        };
        decisions(&Decision {
            file: p.line.file,
            line: p.line.line,
            outcome,
        });
    }
    let target_text = |t: Target| -> Option<(&str, &str)> {
        match t {
            Target::Batch(j) => batch[j]
                .doc
                .as_ref()
                .ok()
                .map(|d| (d.id.as_str(), d.text.as_str())),
            Target::Stored(id) => candidates
                .get(&id)
                .map(|c| (c.id.as_str(), c.text.as_str())),
        }
    };
    let want_passages = opts.passages && dropped.is_some();
    let passages: Vec<Option<Vec<PassageRecord>>> = pool.install(|| {
        outcomes
            .par_iter()
            .enumerate()
            .map(|(i, o)| match o {
                Outcome::Dropped { of, .. } if want_passages => {
                    let a = batch[i].doc.as_ref().ok()?;
                    let (_, b) = target_text(*of)?;
                    Some(passages(&a.text, b, &opts.params))
                }
                _ => None,
            })
            .collect()
    });
    let mut line_buf = Vec::new();
    for (((p, o), note), passages) in batch.iter().zip(outcomes).zip(notes).zip(passages) {
        let input_name = || names[p.line.file].display().to_string();
        let record = match o {
            Outcome::Kept(_) => {
                kept.write_all(&p.line.raw)
                    .map_err(|e| sink_error(e, "output"))?;
                summary.kept += 1;
                let Some(n) = note else { continue };
                let reason = match n.guard {
                    Guard::TemplateOnly => Reason::TemplateOnly,
                    Guard::DifferentArticles => Reason::DifferentArticles,
                };
                *summary.noted.entry(reason.as_str()).or_default() += 1;
                let record = DroppedRecord {
                    id: p.doc.as_ref().ok().map(|d| d.id.clone()),
                    duplicate_of: None,
                    kept: Some(true),
                    resembles: target_text(n.of).map(|(id, _)| id.to_string()),
                    reason,
                    similarity: Some(round(n.jaccard)),
                    containment: Some(round(n.containment)),
                    passages: None,
                    input: input_name(),
                    line: p.line.line,
                    error: None,
                    raw: None,
                };
                write_record(dropped, &mut line_buf, &record)?;
                continue;
            }
            Outcome::Dropped {
                reason,
                of,
                jaccard,
                containment,
            } => DroppedRecord {
                id: p.doc.as_ref().ok().map(|d| d.id.clone()),
                duplicate_of: target_text(*of).map(|(id, _)| id.to_string()),
                kept: None,
                resembles: None,
                reason: *reason,
                similarity: Some(round(*jaccard)),
                containment: Some(round(*containment)),
                passages,
                input: input_name(),
                line: p.line.line,
                error: None,
                raw: None,
            },
            Outcome::Malformed(e) => DroppedRecord {
                id: None,
                duplicate_of: None,
                kept: None,
                resembles: None,
                reason: match p.line.too_long {
                    Some(_) => Reason::Oversized,
                    None => Reason::Malformed,
                },
                similarity: None,
                containment: None,
                passages: None,
                input: input_name(),
                line: p.line.line,
                error: Some(e.clone()),
                raw: p
                    .line
                    .too_long
                    .is_none()
                    .then(|| String::from_utf8_lossy(p.line.content()).into_owned()),
            },
            Outcome::Blank => DroppedRecord {
                id: None,
                duplicate_of: None,
                kept: None,
                resembles: None,
                reason: Reason::Blank,
                similarity: None,
                containment: None,
                passages: None,
                input: input_name(),
                line: p.line.line,
                error: None,
                raw: Some(String::from_utf8_lossy(p.line.content()).into_owned()),
            },
        };
        *summary.dropped.entry(record.reason.as_str()).or_default() += 1;
        write_record(dropped, &mut line_buf, &record)?;
    }
    Ok(())
}

/// Writes one record to the dropped log, if there is one.
fn write_record(
    dropped: &mut Option<&mut dyn Sink>,
    line_buf: &mut Vec<u8>,
    record: &DroppedRecord,
) -> Result<()> {
    if let Some(d) = dropped.as_deref_mut() {
        line_buf.clear();
        serde_json::to_writer(&mut *line_buf, record)
            .map_err(|e| sink_error(e.into(), "dropped log"))?;
        line_buf.push(b'\n');
        d.write_all(line_buf)
            .map_err(|e| sink_error(e, "dropped log"))?;
    }
    Ok(())
}

impl Filter<'_> {
    /// Makes the outputs durable, then commits the index with `cp`.
    fn commit(
        &mut self,
        store: &mut Store,
        kept: &mut dyn Sink,
        dropped: &mut Option<&mut dyn Sink>,
        cp: Checkpoint,
    ) -> Result<()> {
        kept.sync().map_err(|e| sink_error(e, "output"))?;
        if let Some(d) = dropped.as_deref_mut() {
            d.sync().map_err(|e| sink_error(e, "dropped log"))?;
        }
        // The snapshot is stored as an empty blob when it equals the live
        // model, as at commits that follow a refresh (the automatic
        // commits of a stream read from its start: both land on multiples
        // of 1,024 lines); that saves encoding and writing a second model
        // of megabytes. Otherwise both are encoded at once.
        let write_snapshot =
            !self.snapshot_is_model && (self.snapshot_dirty || self.stored_as_model);
        // The model is encoded while the store files its deferred keys and
        // waits for the texts' fsync.
        let ((state, snapshot), prepared) = rayon::join(
            || {
                rayon::join(
                    || encode_state(self.seen, &self.young, &self.model),
                    || write_snapshot.then(|| self.snapshot.encode()),
                )
            },
            || store.prepare_commit(),
        );
        prepared?;
        store.put_blob(STATE_BLOB, &state)?;
        if self.snapshot_is_model {
            if !self.stored_as_model {
                store.put_blob(SNAPSHOT_BLOB, &[])?;
            }
            self.stored_as_model = true;
        } else if let Some(snapshot) = snapshot {
            store.put_blob(SNAPSHOT_BLOB, &snapshot)?;
            self.stored_as_model = false;
        }
        self.snapshot_dirty = false;
        store.set_checkpoint(&cp)?;
        store.commit()
    }
}

fn sink_error(source: std::io::Error, what: &str) -> Error {
    Error::Io {
        path: what.into(),
        source,
    }
}

/// Shared passages of a dropped text and its kept copy, from
/// [`crate::compare::compare_texts`].
fn passages(dropped: &str, kept: &str, params: &Params) -> Vec<PassageRecord> {
    let c = crate::compare::compare(dropped, kept, params);
    c.passages
        .into_iter()
        .take(MAX_PASSAGES)
        .map(|p| PassageRecord {
            doc: p.passage.a,
            duplicate_of: p.passage.b,
            kind: p.passage.kind,
        })
        .collect()
}

/// Scores rounded to 4 decimals.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// A stored document found by [`query`].
#[derive(Debug, Clone)]
pub struct QueryMatch {
    /// The stored document.
    pub doc: StoredDoc,
    /// Its text.
    pub text: String,
    /// Body Jaccard with the query.
    pub jaccard: f64,
    /// Containment of the shorter body in the longer.
    pub containment: f64,
    /// What the filter would decide for the query against this document
    /// (`None`: not a copy by the thresholds of `opts`).
    pub reason: Option<Reason>,
    /// Why it is not a copy although the scores alone would say so.
    pub guard: Option<Guard>,
}

/// "Have we seen this, and where?": the stored documents sharing a band or
/// the exact text with `text`, scored with exact body shingle sets, best
/// first. `source` selects which learned boilerplate to strip from `text`.
pub fn query(
    store: &mut Store,
    text: &str,
    source: Option<&str>,
    opts: &FilterOptions,
) -> Result<Vec<QueryMatch>> {
    let (State { model, .. }, _) = load_all(store)?;
    // A query signs nothing: its snapshot stays empty.
    let f = Filter::new(
        opts,
        State {
            seen: 0,
            young: Vec::new(),
            model,
        },
        Some(BoilerplateSnapshot::default()),
    );
    let k = f.k;
    let analysis = Analysis::new(text, k);
    let bad = analysis.bad_segments(&f.model, source);
    let content = analysis.content_of(&bad, k);
    let (mut keys, _) = signature_keys(&content, store.params().lsh, store.params().num_hashes);
    let body = ShingleSet::from_hashes(content);
    let full = OnceLock::new();
    keys.push(Store::exact_key(analysis.exact));
    let mut out = Vec::new();
    for id in store.lookup(&keys)? {
        let Some(doc) = store.doc(id)? else { continue };
        let text = store.text(&doc)?;
        let a = Analysis::new(&text, k);
        let their_bad = a.bad_segments(&f.model, doc.source.as_deref());
        let theirs = ShingleSet::from_hashes(a.content_of(&their_bad, k));
        let their_full = OnceLock::new();
        let j = judge(
            &Side {
                analysis: &analysis,
                body: &body,
                bad: &bad,
                source,
                full: &full,
                young: f.model.template_unlearned(source),
            },
            &Side {
                analysis: &a,
                body: &theirs,
                bad: &their_bad,
                source: doc.source.as_deref(),
                full: &their_full,
                young: f.model.template_unlearned(doc.source.as_deref()),
            },
            &opts.params,
        );
        out.push(QueryMatch {
            doc,
            text,
            jaccard: j.jaccard,
            containment: j.containment,
            reason: j.same.map(reason_of),
            guard: j.guard,
        });
    }
    out.sort_by(|a, b| {
        (b.reason.is_some(), b.jaccard.max(b.containment))
            .partial_cmp(&(a.reason.is_some(), a.jaccard.max(a.containment)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(out)
}

/// Counts of the filter's own state in an index, for `index stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterState {
    /// Lines the filter has read into this index over its lifetime.
    pub lines_seen: u64,
    /// Boilerplate counters held (segments, over all sources).
    pub boilerplate_counters: usize,
}

/// The filter's state in `store`, read as the filter reads it before its
/// first line (checkpoint, state and boilerplate snapshot decoded): an
/// index the filter refuses is an error here too.
pub fn state(store: &Store) -> Result<FilterState> {
    let (
        State {
            seen: lines_seen,
            model,
            ..
        },
        _,
    ) = load_all(store)?;
    Ok(FilterState {
        lines_seen,
        boilerplate_counters: model.entries(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_keys_sharing_a_slot_are_told_apart() {
        let mut keys = BatchKeys::default();
        let (a, b) = (
            0x1234_5678_9abc,
            0x1234_5678_9abc + (1 << BATCH_KEY_SLOT_BITS),
        );
        assert_eq!(keys.chains.slot(a), keys.chains.slot(b));
        keys.add(a, 3);
        keys.add(b, 5);
        keys.add(a, 7);
        let mut out = Vec::new();
        keys.get(a, &mut out);
        assert_eq!(out, [7, 3]);
        out.clear();
        keys.get(b, &mut out);
        assert_eq!(out, [5]);
        keys.clear();
        out.clear();
        keys.get(a, &mut out);
        assert!(out.is_empty());
    }
}
