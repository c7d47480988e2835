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

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use super::cluster::{star_clusters, KeepKey, KeepRule};
use crate::error::{too_large_message, Error, Result};
use crate::index::LshParams;
use crate::input::{
    read_record, InputFailure, JsonlFields, ParsedRecord, TextView, DEFAULT_MAX_DOC_BYTES,
};
use crate::minhash::sketch_iter;
use crate::shingle::{finalize, Shingles};
use crate::tokenize::TokenHasher;

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
/// that need a second look are read again by offset.
pub fn pairs_from_jsonl_file(
    file: &File,
    path: &Path,
    params: &PairsParams,
) -> Result<PairsReport> {
    run(Input::File(Mutex::new(file), CHUNK), path, params)
}

enum Input<'a> {
    Bytes(&'a [u8]),
    /// A file and the bytes to read at a time.
    File(Mutex<&'a File>, usize),
}

/// Bytes read at a time from a file. 8 MiB: large enough that each chunk
/// keeps both cores busy, small enough to stay in cache-friendly memory.
const CHUNK: usize = 8 << 20;

/// Where one record sits in the input.
#[derive(Debug, Clone, Copy)]
struct Rec {
    offset: u64,
    len: u32,
    line: u64,
}

/// What pass 1 gives for one chunk of complete lines.
#[derive(Default)]
struct Pass1 {
    recs: Vec<Rec>,
    metas: Vec<Meta>,
    /// The low byte of each signature value, `h` a document: enough for
    /// the prefilter's agreement count (b-bit minwise hashing: a byte only
    /// adds chance agreements, 1 in 256, so it never drops a pair the full
    /// values would keep).
    low: Vec<u8>,
    /// The LSH band keys, `bands` a document.
    keys: Vec<u64>,
}

fn run(input: Input<'_>, path: &Path, params: &PairsParams) -> Result<PairsReport> {
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
    let k = params.shingle_size;
    let h = params.num_hashes;
    let sketch = !params.exact;
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source: e,
    };

    let lsh = sketch.then(|| LshParams::for_recall(params.threshold, h, params.lsh_recall));
    let bands = lsh.map_or(0, |l| l.bands);

    // Pass 1: ids and (for LSH) signatures, made into band keys while
    // they are at hand, chunk by chunk, in parallel.
    let chunk_pass = |chunk: &[u8], base: u64, first_line: u64| -> Pass1 {
        let lines = split_lines(chunk);
        let docs = if sketch { lines.len() } else { 0 };
        let mut low = vec![0u8; docs * h];
        let mut keys = vec![0u64; docs * bands];
        let one = |s: &mut Scratch,
                   out: Option<(&mut [u8], &mut [u64])>,
                   &(start, end, line): &(usize, usize, u64)| {
            let meta = s.document(chunk, start, end, first_line + line - 1, params);
            if meta.ok {
                if let (Some((low, keys)), Some(lsh)) = (out, lsh) {
                    s.sig.resize(h, 0);
                    sketch_iter(Shingles::new(&s.tokens, k), &mut s.sig);
                    let sig = &s.sig;
                    for (l, &v) in low.iter_mut().zip(sig) {
                        *l = v as u8;
                    }
                    for (b, key) in keys.iter_mut().enumerate() {
                        *key = band_key(&sig[b * lsh.rows..(b + 1) * lsh.rows], b);
                    }
                }
            }
            meta
        };
        let metas: Vec<Meta> = if sketch {
            low.par_chunks_mut(h)
                .zip(keys.par_chunks_mut(bands.max(1)))
                .zip(lines.par_iter())
                .map_init(Scratch::default, |s, ((low, keys), line)| {
                    one(s, Some((low, keys)), line)
                })
                .collect()
        } else {
            lines
                .par_iter()
                .map_init(Scratch::default, |s, line| one(s, None, line))
                .collect()
        };
        let recs = lines
            .iter()
            .map(|&(start, end, line)| Rec {
                offset: base + start as u64,
                len: (end - start) as u32,
                line: first_line + line - 1,
            })
            .collect();
        Pass1 {
            recs,
            metas,
            low,
            keys,
        }
    };
    let mut all = Pass1::default();
    let mut absorb = |p: Pass1| {
        if all.recs.is_empty() {
            all = p;
        } else {
            all.recs.extend(p.recs);
            all.metas.extend(p.metas);
            all.low.extend(p.low);
            all.keys.extend(p.keys);
        }
    };
    match &input {
        Input::Bytes(data) => {
            // Bytes in memory (or mapped) need no chunks: one pass, so
            // the per-document results are allocated once, not copied.
            absorb(chunk_pass(data, 0, 1));
        }
        Input::File(file, chunk) => {
            let chunk = *chunk;
            let mut f = *file
                .lock()
                .map_err(|_| Error::InvalidParams("input lock poisoned".into()))?;
            let (mut base, mut line) = (0u64, 1u64);
            let mut cur = Vec::with_capacity(chunk);
            let mut carry = Vec::new();
            // Two buffers take turns, so no chunk is read into fresh
            // (page-faulting, kernel-zeroed) memory.
            let mut spare = Vec::with_capacity(chunk);
            let mut eof = read_chunk(&mut f, &mut cur, &carry, chunk).map_err(io)?;
            loop {
                // Complete lines now; the tail waits for the next chunk.
                let complete = if eof {
                    cur.len()
                } else {
                    memchr::memrchr(b'\n', &cur).map_or(0, |i| i + 1)
                };
                carry.clear();
                carry.extend_from_slice(&cur[complete..]);
                let mut next = std::mem::take(&mut spare);
                let (done, read) = if eof {
                    (chunk_pass(&cur[..complete], base, line), Ok(true))
                } else {
                    rayon::join(
                        || chunk_pass(&cur[..complete], base, line),
                        || read_chunk(&mut f, &mut next, &carry, chunk),
                    )
                };
                absorb(done);
                line += memchr::memchr_iter(b'\n', &cur[..complete]).count() as u64;
                base += complete as u64;
                if eof {
                    break;
                }
                eof = read.map_err(io)?;
                spare = std::mem::replace(&mut cur, next);
            }
        }
    }
    let Pass1 {
        recs,
        metas,
        low,
        keys,
    } = all;
    let n = recs.len();

    let mut ids = Vec::with_capacity(n);
    let mut failures = Vec::new();
    let mut ok = Vec::with_capacity(n);
    let mut sources = Vec::new();
    let mut dates = Vec::new();
    let mut words = Vec::new();
    for (i, m) in metas.into_iter().enumerate() {
        if let Some(msg) = m.error {
            failures.push(InputFailure {
                name: format!("{}:{}", path.display(), recs[i].line),
                message: msg,
            });
        }
        ok.push(m.ok && !m.empty);
        ids.push(m.id);
        sources.push(m.source);
        dates.push(m.date);
        words.push(m.words);
    }

    let candidates = if sketch {
        let mut c = super::candidates::pairs_sharing_a_key(&keys, bands, &ok);
        // Candidates whose signatures agree far less than the threshold
        // asks are dropped before the exact check (which every reported
        // pair still passes): at 128 values the estimate's standard error
        // is at most 0.045, so a pair at the threshold lands PREFILTER_MARGIN
        // (over 4 standard errors) below it with chance under 1e-5.
        let floor = params.threshold - PREFILTER_MARGIN * (128.0 / h as f64).sqrt();
        c.retain(|&(a, b)| {
            let (x, y) = (&low[a as usize * h..][..h], &low[b as usize * h..][..h]);
            let agree = x.iter().zip(y).filter(|(p, q)| p == q).count();
            agree as f64 >= floor * h as f64
        });
        c
    } else {
        Vec::new()
    };
    drop((low, keys));

    // Pass 2: exact shingle sets of the documents that need them, read
    // again by offset (the exact join's prefix filter needs them sorted;
    // the LSH path only their members, de-duplicated by a hash table).
    let read_set = |s: &mut Scratch,
                    buf: &mut Vec<u8>,
                    table: &mut ShingleTable,
                    d: u32,
                    set: &mut Vec<u64>,
                    dedup: bool|
     -> std::io::Result<()> {
        let r = recs[d as usize];
        let raw: &[u8] = match &input {
            Input::Bytes(data) => &data[r.offset as usize..r.offset as usize + r.len as usize],
            Input::File(file, _) => {
                buf.resize(r.len as usize, 0);
                let mut f = file
                    .lock()
                    .map_err(|_| std::io::Error::other("input lock poisoned"))?;
                f.seek(SeekFrom::Start(r.offset))?;
                f.read_exact(buf)?;
                buf
            }
        };
        s.document(raw, 0, raw.len(), r.line, params);
        set.clear();
        set.extend(Shingles::new(&s.tokens, k));
        if !dedup {
            return Ok(());
        }
        if sketch {
            table.reset(set.len());
            set.retain(|&h| table.insert(h));
        } else {
            set.sort_unstable();
            set.dedup();
        }
        Ok(())
    };
    let (pairs, n_candidates, verified_docs) = if sketch {
        // Candidate pairs link documents into small groups (a copy and
        // its originals): each group's sets are made, its pairs scored
        // and the sets dropped, in parallel, so no more than a group's
        // sets per thread are ever held.
        let groups = candidate_groups(n, &candidates);
        let verified_docs = groups.iter().map(|g| g.docs.len()).sum();
        let scored_groups = groups
            .par_iter()
            .map_init(
                || {
                    let sets: Vec<Vec<u64>> = Vec::new();
                    (
                        Scratch::default(),
                        Vec::new(),
                        ShingleTable::default(),
                        sets,
                    )
                },
                |(s, buf, table, sets), g| -> std::io::Result<Vec<ScoredPair>> {
                    if sets.len() < g.docs.len() {
                        sets.resize_with(g.docs.len(), Vec::new);
                    }
                    if let [(a, b)] = g.pairs[..] {
                        // The usual group, one pair: one table tags each
                        // shingle with the documents holding it, which
                        // counts both sets and their intersection at once.
                        let (x, rest) = sets.split_at_mut(1);
                        read_set(s, buf, table, a, &mut x[0], false)?;
                        read_set(s, buf, table, b, &mut rest[0], false)?;
                        return Ok(pair_of_raw(a, b, &x[0], &rest[0], table, params.threshold)
                            .into_iter()
                            .collect());
                    }
                    for (&d, set) in g.docs.iter().zip(sets.iter_mut()) {
                        read_set(s, buf, table, d, set, true)?;
                    }
                    let set_of = |d: u32| &sets[g.docs.binary_search(&d).expect("member")];
                    Ok(g.pairs
                        .iter()
                        .filter_map(|&(a, b)| {
                            let (x, y) = (set_of(a), set_of(b));
                            table.reset(x.len());
                            for &h in x {
                                table.insert(h);
                            }
                            let inter = y.iter().filter(|&&h| table.contains(h)).count();
                            scored(a, b, inter, x.len(), y.len(), params.threshold)
                        })
                        .collect())
                },
            )
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(io)?;
        let mut pairs: Vec<ScoredPair> = scored_groups.into_iter().flatten().collect();
        pairs.sort_unstable_by_key(|p| (p.a, p.b));
        (pairs, candidates.len(), verified_docs)
    } else {
        let need: Vec<u32> = (0..n as u32).filter(|&i| ok[i as usize]).collect();
        let own: Vec<Vec<u64>> = need
            .par_iter()
            .map_init(
                || (Scratch::default(), Vec::new(), ShingleTable::default()),
                |(s, buf, table), &d| -> std::io::Result<Vec<u64>> {
                    let mut set = Vec::new();
                    read_set(s, buf, table, d, &mut set, true)?;
                    Ok(set)
                },
            )
            .collect::<std::io::Result<_>>()
            .map_err(io)?;
        let (pairs, n_candidates) = exact_join(&need, &own, params.threshold);
        (pairs, n_candidates, need.len())
    };

    let edges: Vec<(usize, usize)> = pairs.iter().map(|p| (p.a as usize, p.b as usize)).collect();
    let key = |i: usize| KeepKey {
        date: dates[i].as_deref(),
        source: sources[i].as_deref(),
        words: words[i] as usize,
    };
    let order = |x: usize, y: usize| params.keep.order(key(x), key(y));
    let clusters = star_clusters(n, &edges, order)
        .into_iter()
        .map(|(kept, members)| (kept as u32, members.into_iter().map(|m| m as u32).collect()))
        .collect();
    Ok(PairsReport {
        ids,
        pairs,
        clusters,
        failures,
        stats: PairsStats {
            lsh,
            candidates: n_candidates,
            verified_docs,
        },
    })
}

/// Reads up to `chunk` bytes (more when one line is longer) after `carry`
/// into `buf`; true at the end of the file.
fn read_chunk(
    f: &mut &File,
    buf: &mut Vec<u8>,
    carry: &[u8],
    chunk: usize,
) -> std::io::Result<bool> {
    buf.clear();
    buf.extend_from_slice(carry);
    loop {
        let want = chunk.max(buf.len() + 1) - buf.len();
        let got = f.take(want as u64).read_to_end(buf)?;
        if got == 0 {
            return Ok(true);
        }
        // A chunk must hold at least one line end (or be the last).
        if buf.len() >= chunk && memchr::memchr(b'\n', &buf[carry.len()..]).is_some() {
            return Ok(false);
        }
    }
}

/// The verified pair of sorted sets `x` and `y`, when its Jaccard reaches
/// `t`.
fn score(a: u32, b: u32, x: &[u64], y: &[u64], t: f64) -> Option<ScoredPair> {
    scored(a, b, intersection(x, y), x.len(), y.len(), t)
}

/// The pair of sets of `nx` and `ny` members sharing `inter`, when its
/// Jaccard reaches `t`.
fn scored(a: u32, b: u32, inter: usize, nx: usize, ny: usize, t: f64) -> Option<ScoredPair> {
    let union = nx + ny - inter;
    let jaccard = if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    };
    (jaccard >= t).then(|| ScoredPair {
        a: a.min(b),
        b: a.max(b),
        jaccard,
        containment: inter as f64 / nx.min(ny).max(1) as f64,
    })
}

/// Documents linked by candidate pairs, and those pairs.
struct Group {
    /// Ascending.
    docs: Vec<u32>,
    pairs: Vec<(u32, u32)>,
}

/// The connected groups of the candidate graph (union-find), each with
/// its documents and pairs; groups in order of their first document.
fn candidate_groups(n: usize, candidates: &[(u32, u32)]) -> Vec<Group> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for &(a, b) in candidates {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    // Group number of each root, in order of first appearance.
    let mut by_root: Vec<(u32, u32, u32)> = candidates
        .iter()
        .map(|&(a, b)| (root(&mut parent, a), a, b))
        .collect();
    by_root.sort_unstable();
    let mut groups: Vec<Group> = Vec::new();
    let mut last = u32::MAX;
    for (r, a, b) in by_root {
        if r != last {
            groups.push(Group {
                docs: Vec::new(),
                pairs: Vec::new(),
            });
            last = r;
        }
        let g = groups.last_mut().expect("pushed");
        g.docs.extend([a, b]);
        g.pairs.push((a, b));
    }
    for g in &mut groups {
        g.docs.sort_unstable();
        g.docs.dedup();
    }
    groups
}

/// The verified pair of documents whose shingles (duplicates included)
/// are `x` and `y`, when its Jaccard reaches `t`.
fn pair_of_raw(
    a: u32,
    b: u32,
    x: &[u64],
    y: &[u64],
    table: &mut ShingleTable,
    t: f64,
) -> Option<ScoredPair> {
    table.reset(x.len() + y.len());
    let nx = x.iter().filter(|&&h| table.tag(h, 1) == 0).count();
    let (mut ny, mut inter) = (0, 0);
    for &h in y {
        match table.tag(h, 2) {
            0 => ny += 1,
            1 => {
                ny += 1;
                inter += 1;
            }
            _ => {}
        }
    }
    scored(a, b, inter, nx, ny, t)
}

/// A set of shingle hashes by open addressing, emptied in constant time
/// by a generation stamp: a pair's intersection costs one insert per
/// member of one set and one probe per member of the other, where sorting
/// both sets cost a dozen comparisons per member.
#[derive(Default)]
struct ShingleTable {
    keys: Vec<u64>,
    /// Per slot, bits naming which sets hold the key (see `tag`).
    tags: Vec<u8>,
    /// The generation that wrote each slot; other slots are empty.
    stamps: Vec<u32>,
    now: u32,
    mask: usize,
}

impl ShingleTable {
    /// Empties the set, with room for `expected` members.
    fn reset(&mut self, expected: usize) {
        let size = (expected * 2).next_power_of_two().max(16);
        if size > self.keys.len() {
            self.keys = vec![0; size];
            self.tags = vec![0; size];
            self.stamps = vec![0; size];
            self.now = 0;
        }
        self.mask = size - 1;
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            self.stamps.fill(0);
            self.now = 1;
        }
    }

    /// Adds `h`; true when it was not a member. (Shingle hashes are fully
    /// mixed, so their low bits pick the slot.)
    fn insert(&mut self, h: u64) -> bool {
        let mut i = h as usize & self.mask;
        loop {
            if self.stamps[i] != self.now {
                self.stamps[i] = self.now;
                self.keys[i] = h;
                return true;
            }
            if self.keys[i] == h {
                return false;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Adds `h` with `bit` among its tags; returns its tags before (0
    /// when it was not a member).
    fn tag(&mut self, h: u64, bit: u8) -> u8 {
        let mut i = h as usize & self.mask;
        loop {
            if self.stamps[i] != self.now {
                self.stamps[i] = self.now;
                self.keys[i] = h;
                self.tags[i] = bit;
                return 0;
            }
            if self.keys[i] == h {
                let before = self.tags[i];
                self.tags[i] |= bit;
                return before;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn contains(&self, h: u64) -> bool {
        let mut i = h as usize & self.mask;
        while self.stamps[i] == self.now {
            if self.keys[i] == h {
                return true;
            }
            i = (i + 1) & self.mask;
        }
        false
    }
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// `(start, end, line number)` of lines.
type Lines = Vec<(usize, usize, u64)>;

/// `(start, end, line number)` of every non-blank line. Large inputs are
/// cut at line ends into pieces scanned in parallel.
fn split_lines(data: &[u8]) -> Lines {
    const PIECE: usize = 4 << 20;
    if data.len() <= 2 * PIECE {
        return split_piece(data, 0, data.len());
    }
    let mut cuts = vec![0];
    while let Some(&last) = cuts.last() {
        let want = last + PIECE;
        if want >= data.len() {
            break;
        }
        match memchr::memchr(b'\n', &data[want..]) {
            Some(i) => cuts.push(want + i + 1),
            None => break,
        }
    }
    cuts.push(data.len());
    let pieces: Vec<(Lines, u64)> = cuts
        .par_windows(2)
        .map(|w| {
            let lines = split_piece(data, w[0], w[1]);
            let ends = memchr::memchr_iter(b'\n', &data[w[0]..w[1]]).count() as u64;
            (lines, ends)
        })
        .collect();
    let mut out = Vec::with_capacity(pieces.iter().map(|p| p.0.len()).sum());
    let mut before = 0u64;
    for (lines, ends) in pieces {
        out.extend(lines.into_iter().map(|(s, e, l)| (s, e, l + before)));
        before += ends;
    }
    out
}

/// The lines of `data[from..to]` (which starts a line), numbered from 1
/// within it.
fn split_piece(data: &[u8], from: usize, to: usize) -> Lines {
    let mut out = Vec::with_capacity((to - from) / 2048 + 1);
    let mut start = from;
    let mut line = 0;
    let mut push = |s: usize, mut e: usize, line: u64| {
        if e > s && data[e - 1] == b'\r' {
            e -= 1;
        }
        if data[s..e].iter().any(|b| !b.is_ascii_whitespace()) {
            out.push((s, e, line));
        }
    };
    for nl in memchr::memchr_iter(b'\n', &data[from..to]) {
        line += 1;
        push(start, from + nl, line);
        start = from + nl + 1;
    }
    if start < to {
        push(start, to, line + 1);
    }
    out
}

/// What pass 1 keeps of a record.
struct Meta {
    id: String,
    source: Option<String>,
    date: Option<String>,
    words: u32,
    ok: bool,
    empty: bool,
    error: Option<String>,
}

/// Per-thread buffers: nothing is allocated per document once warm.
#[derive(Default)]
struct Scratch {
    text: String,
    tokens: Vec<u64>,
    hasher: TokenHasher,
    /// One signature.
    sig: Vec<u32>,
}

impl Scratch {
    /// Reads record `line` (bytes `start..end`) and its token hashes into
    /// `self.tokens` (through `self.text` when the text must be decoded).
    fn document(
        &mut self,
        data: &[u8],
        start: usize,
        end: usize,
        line: u64,
        params: &PairsParams,
    ) -> Meta {
        let raw = &data[start..end];
        self.text.clear();
        self.tokens.clear();
        let record = if raw.len() as u64 > params.max_doc_bytes {
            let size = Some(raw.len() as u64);
            Err(too_large_message(true, size, params.max_doc_bytes))
        } else {
            read_record(raw, line, &params.fields)
        };
        let (id, source, date) = match record {
            Ok(ParsedRecord::View(view)) => {
                // The text is read where it stands when it holds no
                // escape, or only simple ones the tokenizer reads in place
                // (the usual case: nothing is copied), else decoded.
                match view.text() {
                    TextView::Plain(text) => self.hasher.hash_tokens(text, &mut self.tokens),
                    TextView::SimpleEscapes(raw) => {
                        self.hasher.hash_tokens_json(raw, &mut self.tokens)
                    }
                    TextView::Escaped(_) => {
                        view.decode_text_into(&mut self.text);
                        self.hasher.hash_tokens(&self.text, &mut self.tokens);
                    }
                }
                (view.id(), view.source().0, view.date())
            }
            Ok(ParsedRecord::Owned(doc)) => {
                self.text = doc.text;
                self.hasher.hash_tokens(&self.text, &mut self.tokens);
                (doc.id, doc.source, doc.date)
            }
            Err(message) => {
                return Meta {
                    id: format!("line-{line}"),
                    source: None,
                    date: None,
                    words: 0,
                    ok: false,
                    empty: true,
                    error: Some(message),
                }
            }
        };
        Meta {
            id,
            source,
            date,
            words: self.tokens.len() as u32,
            ok: true,
            empty: self.tokens.is_empty(),
            error: None,
        }
    }
}

/// The key of band `b` of a signature: its values two to a word, each
/// word multiplied and rotated in after the band number, then finalized
/// (equal bands give equal keys; unequal ones collide with chance about
/// 2^-64, which only adds a candidate the exact check then drops).
fn band_key(band: &[u32], b: usize) -> u64 {
    const M: u64 = 0xFF51_AFD7_ED55_8CCD;
    let mut h = (b as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for two in band.chunks(2) {
        let v = u64::from(two[0]) | u64::from(*two.get(1).unwrap_or(&0)) << 32;
        h = (h ^ v).wrapping_mul(M).rotate_left(29);
    }
    finalize(h ^ band.len() as u64)
}

/// Exact all-pairs join by prefix filtering. `docs[i]` owns `sets[i]`.
fn exact_join(docs: &[u32], sets: &[Vec<u64>], t: f64) -> (Vec<ScoredPair>, usize) {
    // Global order: rarest shingle first (ties by value), as ranks.
    let mut all: Vec<u64> = sets.iter().flatten().copied().collect();
    all.par_sort_unstable();
    let mut freq: Vec<(u64, u32)> = Vec::new();
    for &x in &all {
        match freq.last_mut() {
            Some((v, c)) if *v == x => *c += 1,
            _ => freq.push((x, 1)),
        }
    }
    drop(all);
    let mut by_rank: Vec<(u32, u64)> = freq.iter().map(|&(v, c)| (c, v)).collect();
    by_rank.par_sort_unstable();
    let mut rank_of: Vec<(u64, u32)> = by_rank
        .iter()
        .enumerate()
        .map(|(r, &(_, v))| (v, r as u32))
        .collect();
    rank_of.par_sort_unstable();
    let rank = |v: u64| {
        rank_of[rank_of
            .binary_search_by_key(&v, |&(x, _)| x)
            .expect("every shingle ranked")]
        .1
    };
    let ranked: Vec<Vec<u32>> = sets
        .par_iter()
        .map(|s| {
            let mut r: Vec<u32> = s.iter().map(|&v| rank(v)).collect();
            r.sort_unstable();
            r
        })
        .collect();
    // Prefix postings: (rank, set index).
    let prefix_len = |n: usize| n - ((t * n as f64).ceil() as usize).min(n) + 1;
    let mut postings: Vec<(u32, u32)> = ranked
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r[..prefix_len(r.len()).min(r.len())]
                .iter()
                .map(move |&x| (x, i as u32))
        })
        .collect();
    postings.par_sort_unstable();
    let mut cand: Vec<(u32, u32)> = Vec::new();
    let mut i = 0;
    while i < postings.len() {
        let mut j = i + 1;
        while j < postings.len() && postings[j].0 == postings[i].0 {
            j += 1;
        }
        for x in i..j {
            for y in x + 1..j {
                let (p, q) = (postings[x].1, postings[y].1);
                let (lp, lq) = (
                    ranked[p as usize].len() as f64,
                    ranked[q as usize].len() as f64,
                );
                // Size filter: |y| >= t|x| for both directions.
                if lp.min(lq) >= t * lp.max(lq) {
                    cand.push((p.min(q), p.max(q)));
                }
            }
        }
        i = j;
    }
    cand.par_sort_unstable();
    cand.dedup();
    let pairs = cand
        .par_iter()
        .filter_map(|&(p, q)| {
            score(
                docs[p as usize],
                docs[q as usize],
                &sets[p as usize],
                &sets[q as usize],
                t,
            )
        })
        .collect();
    (pairs, cand.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_in_pieces_as_whole() {
        // Lines of many lengths, blank ones and CRLF among them, over
        // several 4 MiB pieces.
        let mut data = Vec::new();
        for i in 0..40_000usize {
            match i % 9 {
                0 => data.extend_from_slice(b"\n"),
                1 => data.extend_from_slice(b"  \r\n"),
                _ => {
                    data.extend(std::iter::repeat_n(b'x', i % 700 + 1));
                    data.extend_from_slice(if i % 5 == 0 { b"\r\n" } else { b"\n" });
                }
            }
        }
        data.extend_from_slice(b"last");
        assert!(data.len() > 8 << 20);
        let whole = split_piece(&data, 0, data.len());
        assert_eq!(split_lines(&data), whole);
        assert_eq!(whole.last().unwrap().2, 40_001);
    }

    #[test]
    fn candidate_groups_follow_the_links() {
        let g = candidate_groups(10, &[(5, 7), (1, 2), (2, 9), (3, 4), (7, 8)]);
        let docs: Vec<&[u32]> = g.iter().map(|g| &g.docs[..]).collect();
        assert_eq!(docs, [&[1, 2, 9][..], &[3, 4], &[5, 7, 8]]);
        let pairs: Vec<&[(u32, u32)]> = g.iter().map(|g| &g.pairs[..]).collect();
        assert_eq!(pairs, [&[(1, 2), (2, 9)][..], &[(3, 4)], &[(5, 7), (7, 8)]]);
        assert!(candidate_groups(3, &[]).is_empty());
    }

    #[test]
    fn shingle_table_counts_like_sorted_sets() {
        let mut t = ShingleTable::default();
        let mix = |x: u64| finalize(x);
        for (n, m, shared) in [
            (0u64, 5u64, 0u64),
            (10, 10, 10),
            (300, 200, 150),
            (1000, 40, 7),
        ] {
            let x: Vec<u64> = (0..n).map(mix).collect();
            let y: Vec<u64> = (0..shared)
                .chain(5000..5000 + m - shared)
                .map(mix)
                .collect();
            t.reset(x.len());
            assert!(x.iter().all(|&h| t.insert(h)));
            assert!(x.iter().all(|&h| !t.insert(h)), "members stay members");
            let inter = y.iter().filter(|&&h| t.contains(h)).count();
            assert_eq!(inter as u64, shared.min(n));
            // A reset empties it.
            t.reset(4);
            assert!(x.iter().all(|&h| !t.contains(h)));
        }
        // Raw shingles with duplicates count as their sets.
        let x = vec![mix(1), mix(2), mix(2), mix(3), mix(4)];
        let y = vec![mix(2), mix(3), mix(3), mix(5), mix(2)];
        let p = pair_of_raw(0, 1, &x, &y, &mut t, 0.0).unwrap();
        // {1,2,3,4} and {2,3,5}: 2 shared of 5.
        assert_eq!((p.jaccard, p.containment), (2.0 / 5.0, 2.0 / 3.0));
        // Duplicates are dropped once.
        let mut v = vec![mix(1), mix(2), mix(1), mix(3), mix(2)];
        t.reset(v.len());
        v.retain(|&h| t.insert(h));
        assert_eq!(v, [mix(1), mix(2), mix(3)]);
    }

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
