//! `copydesk index check`: every structure of a stored index verified,
//! without changing a byte of it.
//!
//! In: the index path and a [`Verifier`] for what only the store's user
//! can decode (its exact-text hash, its named state). Out: a
//! [`CheckReport`] with counts and what is wrong, each problem in plain
//! words. It never writes to the index or its texts file and never prints.
//!
//! What is checked, in order:
//!
//! 1. the two files: the index is there and not empty, its texts file too;
//! 2. redb's own integrity check (every page's checksum, the allocator
//!    state), run on a copy-on-write view of the file: the check repairs
//!    what it can, and its writes stay in RAM;
//! 3. the header: format version, parameters, counters, checkpoint;
//! 4. every document record decodes, numbers below the next free one, its
//!    keys end with its exact-text and id keys, its text lies inside the
//!    committed texts file;
//! 5. every bucket group decodes, its pages are sorted, and its entries
//!    are exactly the keys the document records hold;
//! 6. every sketch chunk has the right size and each document's sketch
//!    holds its exact-text hash; documents not stored have none;
//! 7. every text is UTF-8 and, when the verifier can hash it, matches the
//!    exact-text hash its record holds;
//! 8. the user's named state decodes ([`Verifier::check_blob`]);
//! 9. the counters agree with what the tables hold.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rayon::prelude::*;
use redb::{BackendError, ReadableDatabase, ReadableTable, StorageBackend};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::store::{
    self, Checkpoint, Counters, Store, StoreParams, FORMAT_VERSION, GROUP_BITS, PAGES_PER_GROUP,
    SKETCH_CHUNK_BITS,
};
use super::texts::{self, TextLog};
use super::DocId;
use crate::error::{Error, Result};

/// Problems listed one by one; past this many they are only counted (a
/// texts file overwritten from the middle on would list every document).
pub const MAX_PROBLEMS: usize = 20;

/// Documents whose texts one task reads and verifies.
const TEXTS_PER_TASK: usize = 1024;

/// What only the store's user can verify: the store keeps the exact-text
/// hash and the named state (see [`Store::put_blob`]) opaque.
pub trait Verifier: Sync {
    /// The exact-text hash (`NewDoc::exact`) of `text`, computed as the
    /// user computed it when inserting; `None` when it cannot say.
    fn exact_hash(&self, text: &str) -> Option<u64>;
    /// What is wrong with the named state `name` holding `bytes`, if
    /// anything; document numbers in it are below `next_doc`.
    fn check_blob(&self, name: &str, bytes: &[u8], next_doc: DocId) -> Option<String>;
}

/// A [`Verifier`] that knows nothing beyond the store: texts are checked
/// for their place and UTF-8 only, named state not at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreOnly;

impl Verifier for StoreOnly {
    fn exact_hash(&self, _text: &str) -> Option<u64> {
        None
    }

    fn check_blob(&self, _name: &str, _bytes: &[u8], _next_doc: DocId) -> Option<String> {
        None
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// The index checked.
    pub path: PathBuf,
    /// The format version it records, when it records one.
    pub format_version: Option<u32>,
    /// The parameters it was built with, when they decode.
    pub params: Option<StoreParams>,
    /// Document records found.
    pub docs: u64,
    /// Bucket entries found.
    pub keys: u64,
    /// Sketch chunks found.
    pub sketch_chunks: u64,
    /// Bytes of the documents' texts.
    pub text_bytes: u64,
    /// Size of the texts file (`None`: missing).
    pub texts_file_bytes: Option<u64>,
    /// True when every text was compared with its record's exact-text hash.
    pub texts_hashed: bool,
    /// What is wrong, the first [`MAX_PROBLEMS`].
    pub problems: Vec<String>,
    /// Problems found past those listed.
    pub more_problems: u64,
    /// What is worth knowing but not wrong (bytes an interrupted run left).
    pub notes: Vec<String>,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }

    /// Problems found, listed or not.
    pub fn problem_count(&self) -> u64 {
        self.problems.len() as u64 + self.more_problems
    }

    fn problem(&mut self, problem: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem.into());
        } else {
            self.more_problems += 1;
        }
    }
}

/// A document as the check keeps it (its keys are folded into the bucket
/// sums as they are read).
#[derive(Debug)]
struct DocInfo {
    doc: DocId,
    id: String,
    exact: u64,
    offset: u64,
    len: u32,
}

/// Order-free sum of a bucket group's entries, to compare the pages with
/// the records without holding every key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct GroupSum {
    count: u64,
    hash: u64,
}

impl GroupSum {
    fn add(&mut self, page: u32, entry: u64) {
        self.count += 1;
        self.hash = self.hash.wrapping_add(entry_hash(page, entry));
    }
}

fn entry_hash(page: u32, entry: u64) -> u64 {
    xxh3_64_with_seed(&entry.to_le_bytes(), u64::from(page))
}

/// The bucket entries (page, entry) of a document's `keys`, each once.
fn entries_of(doc: DocId, keys: &[u64]) -> Vec<(u32, u64)> {
    let mut out: Vec<(u32, u64)> = keys
        .iter()
        .map(|&k| {
            (
                store::page_of(k),
                (u64::from(store::fragment_of(k)) << 32) | doc,
            )
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Checks the index at `path` (see the module docs). A missing index, an
/// unreadable file (permissions) or an index in use by another process
/// is an error; whatever is wrong inside it is in the report.
///
/// ```
/// use copydesk::index::check::{check, StoreOnly};
/// use copydesk::index::store::{NewDoc, Store, StoreParams};
/// use copydesk::index::LshParams;
/// use copydesk::Params;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("seen.redb");
/// let params = StoreParams::new(&Params::default(), LshParams { bands: 42, rows: 3 });
/// let mut store = Store::open_or_create(&path, params)?;
/// store.insert_doc(&NewDoc {
///     id: "wire-1",
///     source: None,
///     date: None,
///     exact: 7,
///     band_keys: &[0x1234_5678_9abc_def0],
///     signature: &[],
///     set_len: 0,
///     text: "Junior doctors will strike again.",
/// })?;
/// store.commit()?;
/// drop(store);
/// let report = check(&path, &StoreOnly)?;
/// assert!(report.is_sound(), "{:?}", report.problems);
/// assert_eq!((report.docs, report.keys), (1, 3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(path: &Path, verifier: &dyn Verifier) -> Result<CheckReport> {
    let mut report = CheckReport {
        path: path.to_path_buf(),
        ..CheckReport::default()
    };
    if super::store::file_len(path)? == 0 {
        report.problem("the file is empty, not an index");
        return Ok(report);
    }
    let Some(db) = open_checked(path, &mut report)? else {
        return Ok(report);
    };
    let texts_path = TextLog::path_of(path);
    let texts = match File::open(&texts_path) {
        Ok(f) => Some(f),
        // Said once the header shows an index of this format (older
        // formats kept their texts inside the database).
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(Error::Io {
                path: texts_path,
                source,
            })
        }
    };
    if let Some(f) = &texts {
        let len = f.metadata().map_err(|source| Error::Io {
            path: texts_path.clone(),
            source,
        })?;
        report.texts_file_bytes = Some(len.len());
    }
    let tables = db
        .begin_read()
        .map_err(|e| store::redb_error(path, e))
        .and_then(|read| check_tables(path, &read, texts.as_ref(), verifier, &mut report));
    if let Err(e) = tables {
        report.problem(problem_text(&e));
    }
    Ok(report)
}

/// An error met while checking, as one line of the report (the remedy is
/// said once, by the caller).
fn problem_text(e: &Error) -> String {
    match e {
        Error::IndexDamaged {
            problem,
            source: Some(source),
            ..
        } => format!("{problem} ({source})"),
        Error::IndexDamaged { problem, .. } => problem.clone(),
        Error::IndexVersion {
            found, expected, ..
        } => format!("written by index format {found}; this copydesk reads format {expected}"),
        e => e.to_string(),
    }
}

/// Opens the database for checking, running redb's integrity check on a
/// [`Scratch`] view of it; `None` (and the problem in the report) when it
/// fails.
fn open_checked(path: &Path, report: &mut CheckReport) -> Result<Option<redb::Database>> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let scratch = Scratch::new(File::open(path).map_err(io_error)?).map_err(io_error)?;
    let rolled_back = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&rolled_back);
    let opened = redb::Database::builder()
        .set_cache_size(store::CACHE_BYTES)
        .set_check_integrity_on_open(true)
        .set_repair_callback(move |session| {
            // redb's repair reports progress 0.3 only when the last commit
            // fails its checksums and it goes back to the commit before.
            if (session.progress() - 0.3).abs() < 1e-9 {
                seen.store(true, Ordering::Relaxed);
            }
        })
        .create_with_backend(scratch);
    match opened {
        Ok(db) => {
            if rolled_back.load(Ordering::Relaxed) {
                report.problem(
                    "the pages of the last commit fail their checksums (redb can only go back \
                     to the commit before it; what follows checks that one)",
                );
            }
            Ok(Some(db))
        }
        Err(e) => {
            let e: redb::Error = e.into();
            if matches!(
                e,
                redb::Error::DatabaseAlreadyOpen | redb::Error::LockProtocolMismatch
            ) {
                return Err(Error::IndexInUse {
                    path: path.to_path_buf(),
                });
            }
            report.problem(format!("{} ({e})", store::redb_problem(&e)));
            Ok(None)
        }
    }
}

/// A table of the index, or `None` when no commit created it.
fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
    path: &Path,
    read: &redb::ReadTransaction,
    def: redb::TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>> {
    match read.open_table(def) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(store::redb_error(path, e)),
    }
}

fn check_tables(
    path: &Path,
    read: &redb::ReadTransaction,
    texts: Option<&File>,
    verifier: &dyn Verifier,
    report: &mut CheckReport,
) -> Result<()> {
    let redb_err = |e: redb::StorageError| store::redb_error(path, e);
    let Some(meta) = table(path, read, store::META)? else {
        report.problem(store::NOT_AN_INDEX);
        return Ok(());
    };
    let params = match store::read_header(path, &meta) {
        Ok(params) => params,
        Err(e) => {
            if let Error::IndexVersion { found, .. } = e {
                report.format_version = Some(found);
            }
            report.problem(problem_text(&e));
            return Ok(());
        }
    };
    report.format_version = Some(FORMAT_VERSION);
    report.params = Some(params);
    if texts.is_none() {
        report.problem(store::missing_texts(&TextLog::path_of(path)));
    }
    let get = |k: &str| -> Result<Option<Vec<u8>>> {
        Ok(meta.get(k).map_err(redb_err)?.map(|v| v.value().to_vec()))
    };
    let counters = Counters::decode(&get("counters")?.unwrap_or_default());
    if counters.is_none() {
        report.problem("its counters do not decode");
    }
    if let Some(cp) = get("checkpoint")? {
        if Checkpoint::decode(&cp).is_none() {
            report.problem("its checkpoint does not decode");
        }
    }
    // Texts must lie inside what the last commit made durable.
    let texts_path = TextLog::path_of(path);
    let texts_limit = match (counters, report.texts_file_bytes) {
        (Some(c), Some(len)) if len < c.texts_len => {
            report.problem(texts::shorter_than_committed(&texts_path, len, c.texts_len));
            len
        }
        (Some(c), Some(len)) => {
            if len > c.texts_len {
                report.notes.push(format!(
                    "{} bytes past the committed end of {} (an interrupted run's; the next \
                     filter run cuts them off)",
                    len - c.texts_len,
                    texts_path.display()
                ));
            }
            c.texts_len
        }
        (None, len) => len.unwrap_or(0),
        (Some(c), None) => c.texts_len,
    };

    let docs_table = table(path, read, store::DOCS)?;
    let mut docs: Vec<DocInfo> = Vec::new();
    let groups = 1usize << GROUP_BITS;
    let mut expected = vec![GroupSum::default(); groups];
    let next_doc = counters.map(|c| c.next_doc);
    // Documents whose texts lie past the end (a cut texts file: said once).
    let mut past_end = Vec::new();
    if let Some(t) = &docs_table {
        for row in t.iter().map_err(redb_err)? {
            let (k, v) = row.map_err(redb_err)?;
            let doc = k.value();
            let Some(d) = store::decode_record(doc, v.value()) else {
                report.problem(format!("the record of document {doc} does not decode"));
                continue;
            };
            let name = format!("document {doc} ({})", d.id);
            if next_doc.is_some_and(|n| doc >= n) {
                report.problem(format!(
                    "{name} is numbered past the next free number, {}",
                    next_doc.unwrap_or_default()
                ));
            }
            let n = d.keys.len();
            if n < 2
                || d.keys[n - 2] != Store::exact_key(d.exact)
                || d.keys[n - 1] != Store::id_key(&d.id)
            {
                report.problem(format!(
                    "{name}: its keys do not end with its exact-text and id keys"
                ));
            }
            let end = d.offset.saturating_add(u64::from(d.len));
            if report.texts_file_bytes.is_some() && end > texts_limit {
                past_end.push(name);
            }
            for (page, entry) in entries_of(doc, &d.keys) {
                expected[store::group_of(page) as usize].add(page, entry);
            }
            docs.push(DocInfo {
                doc,
                id: d.id,
                exact: d.exact,
                offset: d.offset,
                len: d.len,
            });
        }
    }
    match past_end.as_slice() {
        [] => {}
        [one] => report.problem(format!(
            "the text of {one} lies past the end of the texts file ({texts_limit} bytes)"
        )),
        [first, ..] => report.problem(format!(
            "the texts of {} documents lie past the end of the texts file ({texts_limit} bytes), \
             from {first} on",
            past_end.len()
        )),
    }
    report.docs = docs.len() as u64;
    report.text_bytes = docs.iter().map(|d| u64::from(d.len)).sum();

    // Buckets: every group decodes and holds exactly the records' keys.
    let mut mismatched = Vec::new();
    if let Some(t) = table(path, read, store::BUCKETS)? {
        for g in 0..groups as u32 {
            let (pages, _runs) = match store::read_group(path, &t, g) {
                Ok(read) => read,
                Err(e) => {
                    report.problem(problem_text(&e));
                    continue;
                }
            };
            let mut stored = GroupSum::default();
            for (i, page) in pages.iter().enumerate() {
                let p = g * PAGES_PER_GROUP as u32 + i as u32;
                if page.windows(2).any(|w| w[0] >= w[1]) {
                    report.problem(format!(
                        "bucket page {p} is out of order or lists an entry twice"
                    ));
                }
                for &e in page {
                    stored.add(p, e);
                }
            }
            report.keys += stored.count;
            if stored != expected[g as usize] {
                mismatched.push(g);
            }
        }
        let past = t
            .range((1u64 << (32 + GROUP_BITS))..)
            .map_err(redb_err)?
            .next()
            .is_some();
        if past {
            report.problem("the bucket table holds rows past its last group");
        }
    } else if expected.iter().any(|s| s.count > 0) {
        report.problem("the bucket table is missing");
    }
    if let Some(t) = &docs_table {
        describe_mismatches(path, t, read, &mismatched, report)?;
    }

    check_sketches(path, read, params, &docs, next_doc, report)?;

    if let Some(file) = texts {
        check_texts(file, &docs, texts_limit, verifier, report);
    }

    if let Some(t) = table(path, read, store::BLOBS)? {
        for row in t.iter().map_err(redb_err)? {
            let (k, v) = row.map_err(redb_err)?;
            if let Some(p) = verifier.check_blob(k.value(), v.value(), next_doc.unwrap_or(0)) {
                report.problem(p);
            }
        }
    }

    if let Some(c) = counters {
        for (what, said, found) in [
            ("documents", c.docs, report.docs),
            ("bucket keys", c.keys, report.keys),
            ("bytes of text", c.text_bytes, report.text_bytes),
        ] {
            if said != found {
                report.problem(format!(
                    "its counters say {said} {what}, the tables hold {found}"
                ));
            }
        }
    }
    Ok(())
}

/// Lists what differs in the bucket groups whose entries are not the
/// records' keys (the first few groups).
fn describe_mismatches(
    path: &Path,
    docs: &redb::ReadOnlyTable<u64, &'static [u8]>,
    read: &redb::ReadTransaction,
    mismatched: &[u32],
    report: &mut CheckReport,
) -> Result<()> {
    let redb_err = |e: redb::StorageError| store::redb_error(path, e);
    let shown: HashSet<u32> = mismatched.iter().copied().take(MAX_PROBLEMS).collect();
    report.more_problems += (mismatched.len() - shown.len()) as u64;
    if shown.is_empty() {
        return Ok(());
    }
    let mut expected: HashMap<u32, HashSet<(u32, u64)>> = HashMap::new();
    for row in docs.iter().map_err(redb_err)? {
        let (k, v) = row.map_err(redb_err)?;
        let Some(d) = store::decode_record(k.value(), v.value()) else {
            continue;
        };
        for (page, entry) in entries_of(d.doc, &d.keys) {
            let g = store::group_of(page);
            if shown.contains(&g) {
                expected.entry(g).or_default().insert((page, entry));
            }
        }
    }
    let Some(buckets) = table(path, read, store::BUCKETS)? else {
        return Ok(());
    };
    let mut groups: Vec<u32> = shown.into_iter().collect();
    groups.sort_unstable();
    for g in groups {
        let Ok((pages, _)) = store::read_group(path, &buckets, g) else {
            continue;
        };
        let stored: HashSet<(u32, u64)> = pages
            .iter()
            .enumerate()
            .flat_map(|(i, page)| {
                let p = g * PAGES_PER_GROUP as u32 + i as u32;
                page.iter().map(move |&e| (p, e))
            })
            .collect();
        let want = expected.remove(&g).unwrap_or_default();
        let first_doc =
            |set: &mut dyn Iterator<Item = &(u32, u64)>| set.map(|&(_, e)| e & 0xFFFF_FFFF).min();
        let missing = first_doc(&mut want.difference(&stored));
        let extra = first_doc(&mut stored.difference(&want));
        let n_missing = want.difference(&stored).count();
        let n_extra = stored.difference(&want).count();
        let mut parts = Vec::new();
        if let Some(d) = missing {
            parts.push(format!(
                "{n_missing} keys of stored documents are missing from its pages (document {d} \
                 among them)"
            ));
        }
        if let Some(d) = extra {
            parts.push(format!(
                "{n_extra} entries are keys no stored document holds (naming document {d} among \
                 them)"
            ));
        }
        if parts.is_empty() {
            parts.push("its entries differ from the records' keys".into());
        }
        report.problem(format!("bucket group {g}: {}", parts.join("; ")));
    }
    Ok(())
}

/// Every sketch chunk has its size, every stored document's sketch holds
/// its exact-text hash, and no other number has one.
fn check_sketches(
    path: &Path,
    read: &redb::ReadTransaction,
    params: StoreParams,
    docs: &[DocInfo],
    next_doc: Option<DocId>,
    report: &mut CheckReport,
) -> Result<()> {
    let redb_err = |e: redb::StorageError| store::redb_error(path, e);
    let width = store::sketch_width(params.num_hashes);
    let chunk_bytes = width << SKETCH_CHUNK_BITS;
    let mut chunks: HashSet<u64> = HashSet::new();
    let mut at = 0;
    if let Some(t) = table(path, read, store::SKETCHES)? {
        for row in t.iter().map_err(redb_err)? {
            let (k, v) = row.map_err(redb_err)?;
            let (c, bytes) = (k.value(), v.value());
            report.sketch_chunks += 1;
            chunks.insert(c);
            if bytes.len() != chunk_bytes {
                report.problem(format!(
                    "sketch chunk {c} is {} bytes, not {chunk_bytes}",
                    bytes.len()
                ));
                continue;
            }
            if next_doc.is_some_and(|n| c > n.saturating_sub(1) >> SKETCH_CHUNK_BITS) {
                report.problem(format!("sketch chunk {c} lies past the last document"));
            }
            // Documents are in number order, so are chunks.
            while at < docs.len() && docs[at].doc >> SKETCH_CHUNK_BITS < c {
                at += 1;
            }
            for (slot, sketch) in bytes.chunks_exact(width).enumerate() {
                let doc = (c << SKETCH_CHUNK_BITS) | slot as u64;
                let exact = u64::from_le_bytes(sketch[..8].try_into().expect("8 bytes"));
                let set_len = u32::from_le_bytes(sketch[8..12].try_into().expect("4 bytes"));
                while at < docs.len() && docs[at].doc < doc {
                    at += 1;
                }
                match docs.get(at).filter(|d| d.doc == doc) {
                    Some(d) if d.exact != exact => report.problem(format!(
                        "document {doc} ({}): its sketch holds another exact-text hash than its \
                         record",
                        d.id
                    )),
                    None if set_len != 0 => report.problem(format!(
                        "the sketch of document {doc} is set, but no such document is stored"
                    )),
                    _ => {}
                }
            }
        }
    }
    let mut without: Vec<DocId> = docs
        .iter()
        .filter(|d| !chunks.contains(&(d.doc >> SKETCH_CHUNK_BITS)))
        .map(|d| d.doc)
        .collect();
    without.dedup_by_key(|d| *d >> SKETCH_CHUNK_BITS);
    for doc in without {
        report.problem(format!(
            "the sketch chunk of document {doc} is missing (chunk {})",
            doc >> SKETCH_CHUNK_BITS
        ));
    }
    Ok(())
}

/// Reads every text that lies inside the texts file, on rayon's threads,
/// and checks it is UTF-8 and has the hash its record holds.
fn check_texts(
    file: &File,
    docs: &[DocInfo],
    limit: u64,
    verifier: &dyn Verifier,
    report: &mut CheckReport,
) {
    let hashed = AtomicBool::new(true);
    let found: Vec<Vec<String>> = docs
        .par_chunks(TEXTS_PER_TASK)
        .map(|chunk| {
            let mut problems = Vec::new();
            let mut buf = Vec::new();
            for d in chunk {
                let end = d.offset.saturating_add(u64::from(d.len));
                if end > limit {
                    continue; // said above
                }
                let name = format!("document {} ({})", d.doc, d.id);
                buf.resize(d.len as usize, 0);
                if let Err(e) = texts::read_exact_at(file, &mut buf, d.offset) {
                    problems.push(format!("{name}: its text cannot be read ({e})"));
                    continue;
                }
                let Ok(text) = std::str::from_utf8(&buf) else {
                    problems.push(format!(
                        "{name}: its text, bytes {}..{end} of the texts file, is not UTF-8: \
                         the texts file was changed",
                        d.offset
                    ));
                    continue;
                };
                match verifier.exact_hash(text) {
                    Some(h) if h != d.exact => problems.push(format!(
                        "{name}: its text, bytes {}..{end} of the texts file, does not match \
                         its stored hash: the texts file was changed",
                        d.offset
                    )),
                    Some(_) => {}
                    None => hashed.store(false, Ordering::Relaxed),
                }
                if problems.len() > MAX_PROBLEMS {
                    break;
                }
            }
            problems
        })
        .collect();
    report.texts_hashed = hashed.into_inner() && !docs.is_empty();
    for p in found.into_iter().flatten() {
        report.problem(p);
    }
}

/// Bytes of a [`Scratch`] block.
const BLOCK: u64 = 4096;

/// A copy-on-write view of a database file, for redb's integrity check:
/// reads come from the file, writes (the check's repair and its commit)
/// stay in RAM, so checking never changes the index. Lock requests go to
/// the file as *shared* locks: an index held by a writer (a running
/// filter) is reported in use, and a filter started during the check
/// finds it in use, while other checks may run beside it.
#[derive(Debug)]
struct Scratch {
    file: redb::backends::FileBackend,
    file_len: u64,
    state: Mutex<ScratchState>,
}

#[derive(Debug, Default)]
struct ScratchState {
    /// The length redb sees.
    len: u64,
    /// Bytes at and past this offset that no write covers read as zeros
    /// (the storage was cut shorter and grown again); below it, from the
    /// file.
    from_file: u64,
    /// Blocks written, by number.
    blocks: HashMap<u64, Box<[u8]>>,
}

impl Scratch {
    fn new(file: File) -> io::Result<Scratch> {
        let file_len = file.metadata()?.len();
        let file = redb::backends::FileBackend::new(file).map_err(io::Error::other)?;
        Ok(Scratch {
            file,
            file_len,
            state: Mutex::new(ScratchState {
                len: file_len,
                from_file: file_len,
                blocks: HashMap::new(),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, ScratchState> {
        // A panic while holding the lock leaves plain bytes behind.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fills `out` with the file's bytes at `offset` (zeros where the file
    /// shows none), ignoring written blocks.
    fn read_file(&self, st: &ScratchState, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let visible = self.file_len.min(st.from_file);
        let n = (visible.saturating_sub(offset) as usize).min(out.len());
        if n > 0 {
            self.file.read(offset, &mut out[..n])?;
        }
        out[n..].fill(0);
        Ok(())
    }
}

impl StorageBackend for Scratch {
    fn len(&self) -> io::Result<u64> {
        Ok(self.state().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let st = self.state();
        let end = offset
            .checked_add(out.len() as u64)
            .filter(|&end| end <= st.len)
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        let blocks = offset / BLOCK..end.div_ceil(BLOCK);
        if blocks.clone().all(|b| !st.blocks.contains_key(&b)) {
            return self.read_file(&st, offset, out);
        }
        for b in blocks {
            let (lo, hi) = (offset.max(b * BLOCK), end.min((b + 1) * BLOCK));
            let dst = &mut out[(lo - offset) as usize..(hi - offset) as usize];
            match st.blocks.get(&b) {
                Some(block) => dst
                    .copy_from_slice(&block[(lo - b * BLOCK) as usize..(hi - b * BLOCK) as usize]),
                None => self.read_file(&st, lo, dst)?,
            }
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut st = self.state();
        if len < st.len {
            st.blocks.retain(|&b, _| b * BLOCK < len);
            if let Some(block) = st.blocks.get_mut(&(len / BLOCK)) {
                block[(len % BLOCK) as usize..].fill(0);
            }
            st.from_file = st.from_file.min(len);
        }
        st.len = len;
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut st = self.state();
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        for b in offset / BLOCK..end.div_ceil(BLOCK) {
            if !st.blocks.contains_key(&b) {
                let mut block = vec![0; BLOCK as usize].into_boxed_slice();
                self.read_file(&st, b * BLOCK, &mut block)?;
                st.blocks.insert(b, block);
            }
            let (lo, hi) = (offset.max(b * BLOCK), end.min((b + 1) * BLOCK));
            let block = st.blocks.get_mut(&b).expect("inserted just above");
            block[(lo - b * BLOCK) as usize..(hi - b * BLOCK) as usize]
                .copy_from_slice(&data[(lo - offset) as usize..(hi - offset) as usize]);
        }
        st.len = st.len.max(end);
        Ok(())
    }

    fn close(&self) -> io::Result<()> {
        self.file.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.file.try_lock_shared_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.file.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.lock_shared_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.file.query_lock_range(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store::NewDoc;
    use crate::index::LshParams;
    use crate::params::Params;

    /// A committed index of three documents; returns its path.
    fn three_docs(dir: &Path) -> PathBuf {
        let path = dir.join("i.redb");
        let params = StoreParams::new(&Params::default(), LshParams { bands: 4, rows: 2 });
        let mut s = Store::open_or_create(&path, params).unwrap();
        let sig: Vec<u32> = (0..params.num_hashes as u32).collect();
        for (i, text) in ["first text", "second text", "third"].iter().enumerate() {
            let keys = [xxh3_64_with_seed(text.as_bytes(), 1), 0xAB00 + i as u64];
            s.insert_doc(&NewDoc {
                id: &format!("d{i}"),
                source: None,
                date: None,
                exact: 100 + i as u64,
                band_keys: &keys,
                signature: &sig,
                set_len: 10,
                text,
            })
            .unwrap();
        }
        s.commit().unwrap();
        path
    }

    /// Changes the index at `path` through redb, behind the store's back.
    fn tamper(path: &Path, f: impl FnOnce(&redb::WriteTransaction)) {
        let db = redb::Database::open(path).unwrap();
        let txn = db.begin_write().unwrap();
        f(&txn);
        txn.commit().unwrap();
    }

    fn problems(path: &Path) -> Vec<String> {
        check(path, &StoreOnly).unwrap().problems
    }

    #[test]
    fn a_sound_index_has_no_problems_and_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = three_docs(dir.path());
        let before = std::fs::read(&path).unwrap();
        let r = check(&path, &StoreOnly).unwrap();
        assert!(r.is_sound(), "{:?}", r.problems);
        // Four keys a document: two bands, the exact text and the id.
        assert_eq!((r.docs, r.keys, r.sketch_chunks), (3, 12, 1));
        assert_eq!(r.text_bytes, 26);
        assert_eq!(r.format_version, Some(FORMAT_VERSION));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn records_buckets_sketches_and_counters_that_disagree_are_each_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = three_docs(dir.path());
        tamper(&path, |txn| {
            let mut docs = txn.open_table(store::DOCS).unwrap();
            // Document 1 claims a key its page does not hold.
            let mut d = store::decode_record(1, docs.get(1).unwrap().unwrap().value()).unwrap();
            d.keys[0] ^= 1 << 40;
            let bytes = store::encode_record(&d);
            docs.insert(1, bytes.as_slice()).unwrap();
            // Document 2's record no longer decodes.
            docs.insert(2, &[1u8, 2, 3][..]).unwrap();
            let mut sketches = txn.open_table(store::SKETCHES).unwrap();
            let mut chunk = sketches.get(0).unwrap().unwrap().value().to_vec();
            chunk[0] ^= 1;
            sketches.insert(0, chunk.as_slice()).unwrap();
        });
        let p = problems(&path);
        let has = |s: &str| p.iter().any(|p| p.contains(s));
        assert!(has("the record of document 2 does not decode"), "{p:?}");
        assert!(
            has("keys of stored documents are missing from its pages (document 1 among"),
            "{p:?}"
        );
        assert!(has("entries are keys no stored document holds"), "{p:?}");
        assert!(
            has("document 0 (d0): its sketch holds another exact-text hash"),
            "{p:?}"
        );
        assert!(
            has("its counters say 3 documents, the tables hold 2"),
            "{p:?}"
        );
    }

    #[test]
    fn a_database_without_copydesk_tables_is_not_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.redb");
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<u64, u64>::new("x"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        txn.commit().unwrap();
        drop(db);
        std::fs::write(TextLog::path_of(&path), b"").unwrap();
        assert_eq!(problems(&path), [store::NOT_AN_INDEX]);
    }

    #[test]
    fn scratch_reads_the_file_and_keeps_writes_in_ram() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let original: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &original).unwrap();
        let s = Scratch::new(File::open(&path).unwrap()).unwrap();
        let mut out = vec![0; 100];
        s.read(4090, &mut out).unwrap();
        assert_eq!(out, original[4090..4190]);
        s.write(4095, b"abc").unwrap();
        s.read(4090, &mut out).unwrap();
        assert_eq!(&out[..5], &original[4090..4095]);
        assert_eq!(&out[5..8], b"abc");
        assert_eq!(&out[8..], &original[4098..4190]);
        // Cut short and grown again: the cut bytes read as zeros.
        s.set_len(5000).unwrap();
        assert!(s.read(4999, &mut [0; 2]).is_err());
        s.set_len(12_000).unwrap();
        let mut tail = vec![1; 7000];
        s.read(5000, &mut tail).unwrap();
        assert!(tail.iter().all(|&b| b == 0));
        s.write(11_000, b"end").unwrap();
        s.read(4095, &mut out[..3]).unwrap();
        assert_eq!(&out[..3], b"abc");
        // The file itself is untouched.
        assert_eq!(std::fs::read(&path).unwrap(), original);
    }
}
