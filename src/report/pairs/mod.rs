//! The fast path for one job at corpus scale: every pair of documents whose
//! word-shingle Jaccard reaches a threshold, and their clusters, straight
//! from a JSON Lines file (`report --pairs-only`).
//!
//! No passages, no boilerplate, no per-document report: the whole budget
//! goes to the pairs.
//!
//! - **Pass 1**, in parallel: each line's fields are found by the JSON
//!   Lines reader's scanner ([`read_record`]; serde_json takes over for
//!   any line it does not follow); the text is tokenized in place by
//!   [`TokenHasher`] (a string whose escapes are all `\n`-like is not even
//!   decoded), its shingles are rolled and signed as they come
//!   (one-permutation MinHash), and the signature is turned into LSH band
//!   keys at once; only the keys and one byte of each signature value (for
//!   the prefilter) are kept. Nothing is allocated per document.
//! - **Candidates**: band keys are partitioned by their top bits and
//!   sorted in cache, not put in hash maps; candidate pairs whose
//!   signature bytes agree far less than the threshold asks are dropped.
//! - **Pass 2**, in parallel: candidate pairs link documents into small
//!   groups; each group's documents are shingled again and every pair is
//!   verified on exact shingle sets (a hash table counts the sets and
//!   their intersection), so no pair is reported on an estimate.
//!
//! The input is a byte slice (a mapped file, or standard input read whole)
//! or a file read in chunks (records that need a second look are read
//! again by offset).
//!
//! [`PairsParams::exact`] swaps LSH for an exact all-pairs join (prefix
//! filtering over shingles ordered rarest first: two sets with Jaccard at
//! least `t` must share one of the first `|x| - ceil(t|x|) + 1` of them),
//! which needs no sketch and misses nothing: the benchmark's ground truth.
//!
//! One file a stage, in the order `run` takes them:
//!
//! - `mod.rs` (here): parameters, the report, the two entry points and
//!   `run`, which calls the stages below in turn, then clusters the pairs.
//! - `lines.rs`: the non-blank lines of the input, found in parallel, and
//!   reading a file chunk by chunk.
//! - `pass1.rs`: pass 1, reading and signing each record (its per-thread
//!   `Scratch`, which pass 2 reuses to read a record again) and band keys.
//! - `candidates.rs`: candidate pairs from shared band keys (the bucketing
//!   itself is [`super::candidates`]'s), and the prefilter.
//! - `verify.rs`: pass 2, shingle sets read again by offset, candidate
//!   groups, and exact scoring with a `ShingleTable`.
//! - `exact.rs`: the exact all-pairs join that replaces the last two.
//!
//! [`read_record`]: crate::input::read_record
//! [`TokenHasher`]: crate::tokenize::TokenHasher

mod candidates;
mod exact;
mod lines;
mod pass1;
mod verify;

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use super::cluster::{star_clusters, KeepKey, KeepRule};
use crate::error::{Error, Result};
use crate::index::LshParams;
use crate::input::{InputFailure, JsonlFields, DEFAULT_MAX_DOC_BYTES};
use pass1::{Pass1, Records};
use verify::SetReader;

/// What the pairs job needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PairsParams {
    /// Jaccard from which a pair is reported.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle_size: usize,
    /// MinHash values per signature.
    pub num_hashes: usize,
    /// Recall the banding must reach at the threshold (see
    /// [`LshParams::for_recall`]).
    pub lsh_recall: f64,
    /// Exact all-pairs join instead of LSH (slower, misses nothing).
    pub exact: bool,
    /// Which document a cluster keeps.
    pub keep: KeepRule,
    /// Field names.
    pub fields: JsonlFields,
    /// The most bytes a record's line may hold (its terminator excluded):
    /// a longer record is a failure, its text never tokenised.
    pub max_doc_bytes: u64,
}

impl Default for PairsParams {
    fn default() -> PairsParams {
        PairsParams {
            threshold: 0.8,
            shingle_size: 5,
            num_hashes: 128,
            lsh_recall: LSH_RECALL,
            exact: false,
            keep: KeepRule::First,
            fields: JsonlFields::default(),
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }
}

/// Chance a pair exactly at the threshold must have of becoming a
/// candidate. 0.999: pairs just above the threshold are the ones LSH
/// libraries lose (their recall is 0.81-0.89 on the benchmark corpus);
/// every extra candidate costs one exact check of a few microseconds.
pub const LSH_RECALL: f64 = 0.999;

/// How far under the threshold a candidate's estimated Jaccard may fall
/// and still be checked exactly (at 128 hashes; scaled by the estimate's
/// standard error for other counts). 0.2.
pub const PREFILTER_MARGIN: f64 = 0.2;

/// One verified pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// First document (input order), `a < b`.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Exact Jaccard.
    pub jaccard: f64,
    /// Share of the smaller set found in the larger.
    pub containment: f64,
}

/// Statistics of a pairs run.
#[derive(Debug, Clone, PartialEq)]
pub struct PairsStats {
    /// Banding used (`None` for the exact join).
    pub lsh: Option<LshParams>,
    /// Distinct candidate pairs verified.
    pub candidates: usize,
    /// Documents shingled a second time for verification.
    pub verified_docs: usize,
}

/// Result of the pairs job.
#[derive(Debug, Clone)]
pub struct PairsReport {
    /// One id per record (non-blank line) in input order, indexed by
    /// [`ScoredPair::a`] and `b`. A line that is not a usable record keeps
    /// its place as `line-N` and is listed in [`PairsReport::failures`]:
    /// [`PairsReport::documents`] counts the documents.
    pub ids: Vec<String>,
    /// Pairs with Jaccard at least the threshold, by `(a, b)`.
    pub pairs: Vec<ScoredPair>,
    /// Star clusters over those pairs: (kept, members with kept first).
    pub clusters: Vec<(u32, Vec<u32>)>,
    /// Lines that are not usable records.
    pub failures: Vec<InputFailure>,
    /// How it went.
    pub stats: PairsStats,
}

impl PairsReport {
    /// Documents read: the records that were usable (as the full report
    /// counts them), not the lines that failed.
    pub fn documents(&self) -> usize {
        self.ids.len() - self.failures.len()
    }
}

/// Runs the pairs job over a JSON Lines file's bytes; `path` names it in
/// failures.
pub fn pairs_from_jsonl(data: &[u8], path: &Path, params: &PairsParams) -> Result<PairsReport> {
    run(Input::Bytes(data), path, params)
}

/// Runs the pairs job over a JSON Lines file, read in chunks (reading the
/// next chunk while the last one is processed) rather than whole; records
/// that need a second look are read again by offset. A file that cannot be
/// read again by offset (a pipe named by path: `/dev/stdin`, a shell's
/// `<(...)`) is read whole first.
pub fn pairs_from_jsonl_file(
    file: &File,
    path: &Path,
    params: &PairsParams,
) -> Result<PairsReport> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if !file.metadata().map_err(io)?.is_file() {
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut &*file, &mut data).map_err(io)?;
        return pairs_from_jsonl(&data, path, params);
    }
    run(Input::File(Mutex::new(file), CHUNK), path, params)
}

/// The input: bytes at hand, or a file read in chunks (and again by
/// offset in pass 2).
enum Input<'a> {
    Bytes(&'a [u8]),
    /// A file and the bytes to read at a time.
    File(Mutex<&'a File>, usize),
}

/// Bytes read at a time from a file. 8 MiB: large enough that each chunk
/// keeps both cores busy, small enough to stay in cache-friendly memory.
const CHUNK: usize = 8 << 20;

/// The pairs job, stage by stage: parameters checked, pass 1, candidates
/// (LSH) and pass 2, or the exact join, then clusters.
fn run(input: Input<'_>, path: &Path, params: &PairsParams) -> Result<PairsReport> {
    validate(params)?;
    let lsh = (!params.exact)
        .then(|| LshParams::for_recall(params.threshold, params.num_hashes, params.lsh_recall));

    // Pass 1: ids and (for LSH) band keys and signature bytes.
    let Pass1 {
        recs,
        metas,
        low,
        keys,
    } = pass1::read_all(&input, path, params, lsh)?;
    let n = recs.len();
    let records = Records::from_metas(metas, &recs, path);

    // Candidates (LSH only): documents sharing a band key, prefiltered.
    let candidates = match lsh {
        Some(lsh) => candidates::candidate_pairs(&keys, &low, lsh.bands, &records.ok, params),
        None => Vec::new(),
    };
    drop((low, keys));

    // Pass 2: the candidates verified on exact shingle sets, or the exact
    // join over all of them.
    let reader = SetReader {
        input: &input,
        recs: &recs,
        params,
    };
    let (pairs, n_candidates, verified_docs) = if lsh.is_some() {
        let (pairs, verified_docs) =
            verify::verified_pairs(&reader, n, &candidates).map_err(|e| io_error(path, e))?;
        (pairs, candidates.len(), verified_docs)
    } else {
        exact::exact_pairs(&reader, &records.ok).map_err(|e| io_error(path, e))?
    };

    let clusters = cluster_pairs(n, &pairs, &records, &params.keep);
    Ok(PairsReport {
        ids: records.ids,
        pairs,
        clusters,
        failures: records.failures,
        stats: PairsStats {
            lsh,
            candidates: n_candidates,
            verified_docs,
        },
    })
}

/// Refuses a threshold outside 0..=1 and shingle sizes or hash counts
/// out of range.
fn validate(params: &PairsParams) -> Result<()> {
    if !(0.0..=1.0).contains(&params.threshold) || params.threshold.is_nan() {
        return Err(Error::InvalidParams(format!(
            "threshold {} is not in 0..=1",
            params.threshold
        )));
    }
    if !(1..=16).contains(&params.shingle_size) || !(8..=1024).contains(&params.num_hashes) {
        return Err(Error::InvalidParams(
            "shingle size or hash count out of range".into(),
        ));
    }
    Ok(())
}

/// An I/O error on the input at `path`.
fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Star clusters over the verified pairs of `n` documents, each kept by
/// `keep`: (kept, members with kept first).
fn cluster_pairs(
    n: usize,
    pairs: &[ScoredPair],
    records: &Records,
    keep: &KeepRule,
) -> Vec<(u32, Vec<u32>)> {
    let edges: Vec<(usize, usize)> = pairs.iter().map(|p| (p.a as usize, p.b as usize)).collect();
    let key = |i: usize| KeepKey {
        date: records.dates[i].as_deref(),
        source: records.sources[i].as_deref(),
        words: records.words[i] as usize,
    };
    let order = |x: usize, y: usize| keep.order(key(x), key(y));
    star_clusters(n, &edges, order)
        .into_iter()
        .map(|(kept, members)| (kept as u32, members.into_iter().map(|m| m as u32).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<u8> {
        let base = "the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat by the door of the old house";
        let mut lines = vec![
            format!(r#"{{"id":"a","text":"{base}"}}"#),
            format!(r#"{{"id":"b","text":"{base} today"}}"#),
            r#"{"id":"c","text":"an entirely different text about weather and rain in the hills"}"#
                .to_string(),
            "not json".to_string(),
            format!(r#"{{"id":"d","text":"{}"}}"#, base.replace("fox", "wolf")),
        ];
        lines.push(String::new());
        lines.join("\n").into_bytes()
    }

    #[test]
    fn lsh_and_exact_agree_and_verify() {
        let data = corpus();
        let p = PairsParams {
            threshold: 0.6,
            ..PairsParams::default()
        };
        let fast = pairs_from_jsonl(&data, Path::new("x.jsonl"), &p).unwrap();
        let exact = pairs_from_jsonl(
            &data,
            Path::new("x.jsonl"),
            &PairsParams { exact: true, ..p },
        )
        .unwrap();
        let key = |r: &PairsReport| r.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>();
        assert_eq!(key(&fast), key(&exact));
        assert_eq!(key(&fast), [(0, 1), (0, 4), (1, 4)]);
        assert_eq!(fast.failures.len(), 1);
        assert_eq!(fast.failures[0].name, "x.jsonl:4");
        // a~b, a~d: one star around a (first), b~d is not needed.
        assert_eq!(fast.clusters, [(0, vec![0, 1, 4])]);
        // Scores are exact: b adds one word, so one shingle more.
        let ab = fast.pairs[0];
        let shingles_a = base_words() - 4;
        assert!((ab.jaccard - shingles_a as f64 / (shingles_a + 1) as f64).abs() < 1e-12);
    }

    #[test]
    fn file_in_small_chunks_gives_what_bytes_give() {
        let data = corpus();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(&path, &data).unwrap();
        let p = PairsParams {
            threshold: 0.6,
            ..PairsParams::default()
        };
        let whole = pairs_from_jsonl(&data, &path, &p).unwrap();
        for chunk in [1, 7, 64, 1 << 20] {
            let f = File::open(&path).unwrap();
            let r = run(Input::File(Mutex::new(&f), chunk), &path, &p).unwrap();
            assert_eq!(r.ids, whole.ids, "chunk {chunk}");
            assert_eq!(r.pairs, whole.pairs, "chunk {chunk}");
            assert_eq!(r.failures, whole.failures, "chunk {chunk}");
        }
    }

    fn base_words() -> usize {
        24
    }
}
