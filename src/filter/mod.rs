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
//!
//! **Layout**, a file per phase in the order a line meets them:
//! `feed.rs` reads lines ahead of the decisions on a thread of their own;
//! `prepare.rs` parses, tokenises and signs them; `gather.rs` finds, reads
//! and analyses each batch's candidates; `decide.rs` makes the decisions,
//! one by one; `emit.rs` writes the kept lines and the dropped log;
//! `state.rs` stores the kept documents, the filter's state and the
//! checkpoints, and opens and checks an index. `query.rs` answers
//! `index query`, `documents.rs` runs the engine over documents in memory
//! (for the report), and `io.rs` holds the input stream and the sinks.
//! This file holds the options, the public types and [`run_with`], whose
//! loop steps through `pipeline.rs`: one batch's trip through the phases,
//! and what runs beside it.

mod decide;
mod documents;
mod emit;
mod feed;
mod gather;
pub mod io;
mod pipeline;
mod prepare;
mod query;
mod state;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::boilerplate::{BoilerplateModel, BoilerplateParams, BoilerplateSnapshot};
use crate::error::{Error, Result};
use crate::index::store::{Checkpoint, Store, StoreParams};
use crate::index::{DocId, LshParams};
use crate::input::{JsonlFields, DEFAULT_MAX_DOC_BYTES};
use crate::judge::Guard;
use crate::params::Params;

pub use decide::{LONG_SHARED_MARGIN, PREFILTER_MARGIN};
pub use documents::{decide_documents, DocumentDecisions, DocumentOutcome};
pub use emit::{DroppedRecord, PassageRecord, MAX_PASSAGES};
use feed::{thread_pool, Feed};
pub use feed::{FEED_CHUNKS, FEED_LINES};
use gather::BatchKeys;
pub use io::{FileSink, InputStream, Line, Sink, StreamPosition, StreamSink};
use pipeline::Run;
use prepare::Ahead;
pub use prepare::{LEAD_BANDS, LEAD_SHINGLES};
pub use query::{query, QueryMatch};
pub use state::{check_index, open_index, resume_point, state, FilterState};
use state::{load_all, skip_resumed, State};

/// LSH bands of the filter's index. 42 bands of 3 rows (126 of 128 MinHash
/// values) find a pair with body Jaccard 0.4 with probability 0.93 and 0.3
/// with 0.68 (copies with 10% word edits and a cut ending sit near 0.45),
/// while a pair sharing one sentence (Jaccard ~0.02) collides with
/// probability 0.0003: about one needless verification per 5,000 pairs.
pub const LSH_BANDS: usize = 42;
/// Rows per band (see [`LSH_BANDS`]).
pub const LSH_ROWS: usize = 3;

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
    dropped: Option<&mut dyn Sink>,
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
        skip_resumed(store, input, cp)?;
        summary.resumed_lines = cp.input_lines;
    }
    let (state, snapshot) = load_all(store)?;
    let f = Filter::new(opts, state, snapshot);
    let decide_pool = thread_pool("decide", false)?;
    let prep_pool = thread_pool("prep", true)?;
    let mut run = Run {
        opts,
        f,
        lsh: store.params().lsh,
        store,
        kept,
        // (Each sink's own lifetime, shortened to the run's.)
        dropped: dropped.map(|d| -> &mut dyn Sink { d }),
        decisions,
        decide_pool: &decide_pool,
        prep_pool: &prep_pool,
        names: input
            .names()
            .into_iter()
            .map(std::path::Path::to_path_buf)
            .collect(),
        identity: input.identity(),
        summary,
        since_commit: 0,
        done_at: input.position(),
        unstored: None,
    };
    // Lines are read, parsed and tokenised ahead on a thread of their own
    // (see [`Feed`]); the next batch is signed while the current one is
    // decided.
    let interval = opts.commit_interval(run.store.doc_count());
    let input_end = std::thread::scope(|threads| -> Result<StreamPosition> {
        let mut feed = Feed::start(threads, input, opts, &prep_pool);
        let first = feed.take(run.f.batch_cap(run.f.seen, run.since_commit, interval))?;
        let mut ahead = Ahead::Parsed(first);
        loop {
            let batch = run.signed(ahead);
            if batch.is_empty() {
                break;
            }
            ahead = run.step(&mut feed, batch)?;
            progress(&Progress {
                lines: run.summary.lines,
                bytes: run.summary.bytes,
                kept: run.summary.kept,
            });
        }
        run.store_unstored()?;
        feed.finish()
    })?;
    run.commit(input_end, true)?;
    let mut summary = run.summary;
    summary.seconds = start.elapsed().as_secs_f64();
    summary.index_docs = run.store.doc_count();
    summary.index_ram_bytes = run.store.ram_bytes() as u64;
    Ok(summary)
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
