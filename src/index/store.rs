//! The persistent index: a redb database holding band-key buckets, the
//! documents seen (record + text), per-source learned state and the
//! filter's input checkpoint, all changed in one ACID transaction per commit.
//!
//! Layout (format version [`FORMAT_VERSION`]):
//!
//! | table | key → value | what |
//! | --- | --- | --- |
//! | `meta` | name → bytes | format version, parameters, counters, checkpoint |
//! | `buckets` | page (u32) → sorted `u64`s | band keys → documents, in pages |
//! | `docs` | doc id (u64) → record | external id, source, date, keys, text location |
//! | `sketches` | chunk (u64) → bytes | per document: exact hash, set size, signature low bytes ([`Sketch`]) |
//! | `blobs` | name → bytes | opaque state of callers (the filter's boilerplate model) |
//!
//! The texts themselves are in a file beside the database,
//! `<index>.texts` ([`TextLog`]): copy or move the two together.
//!
//! **Buckets.** A key (band key, exact-text key or id key, all 64-bit) picks
//! one of 2^[`PAGE_BITS`] pages by its top bits; the page stores
//! `(next 32 bits << 32) | doc` as one sorted `u64` per entry. Pages are
//! loaded lazily on first use and then stay in RAM (8 bytes per key: the
//! filter's 52 keys a document, 42 body bands, 8 lead bands, exact text
//! and id, are about 420 bytes), so opening never reads the whole index
//! and queries never touch the disk twice. A commit appends one run per
//! changed group of pages (see [`GROUP_BITS`]). (One B-tree row per band key was measured first: redb
//! then sustains about 6,000 documents a second; pages keep the write count
//! per commit bounded by the page count, not the key count.)
//!
//! **Transactions.** One redb write transaction is always open; everything
//! written goes into it, reads see it, and [`Store::commit`] makes it durable
//! together with the caller's [`Checkpoint`]. A crash loses exactly the work
//! since the last commit. Without a path ([`Store::in_memory`]) the same code
//! runs on redb's in-memory backend.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::texts::TextLog;
use super::{DocId, LshParams};
use crate::error::{Error, Result};
use crate::minhash::Signature;
use crate::params::Params;

/// Version of the on-disk layout; bumped on any incompatible change. The
/// fixture `tests/fixtures/store-v4.redb` pins it. Version 1 stored whole
/// bucket pages, one row each; version 2 kept texts in the database and
/// had no sketches; version 3 signed bodies without the page's own
/// furniture taken out and kept no corpus-wide boilerplate counts (its
/// keys and sketches would not match a version 4 body's). Opening any of
/// them is a clear error: rebuild the index.
pub const FORMAT_VERSION: u32 = 4;

/// Bits of a key that choose its bucket page: 65,536 pages. Chosen so a
/// commit rewrites at most a few hundred MB even for millions of documents,
/// while a page of a 100,000-document index stays near 70 entries (fast
/// binary search, cheap inserts).
pub const PAGE_BITS: u32 = 16;

/// Bits of a page number that choose its *group*: pages are stored and
/// loaded a group (64 pages) at a time. A commit appends one *run* per
/// changed group holding only the entries it added, so its cost follows
/// what was added, not the size of the index (rewriting every changed page
/// at each commit was a quarter of the decision thread at 100,000 lines);
/// a group is compacted into one run when it has [`MAX_RUNS`] or when a
/// key was removed from it.
pub const GROUP_BITS: u32 = 10;

/// Deferred keys of inserted documents (see [`Store::apply_keys`]) kept
/// before [`Store::settle_keys`] puts them into their pages: about 5,000
/// documents, 12 MB.
pub const RECENT_KEYS: usize = 1 << 18;

/// Runs a group may have before the next commit compacts it.
pub const MAX_RUNS: u32 = 8;

pub(super) const PAGES_PER_GROUP: usize = 1 << (PAGE_BITS - GROUP_BITS);

/// redb page cache. The buckets live in RAM already; the cache only serves
/// documents read back for verification, so it stays small and fixed.
pub(super) const CACHE_BYTES: usize = 16 * 1024 * 1024;

pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Bucket runs: key `(group << 32) | run`, value: the entries a commit
/// added to the group's pages (or, for a compacted run, all of them).
pub(super) const BUCKETS: TableDefinition<u64, &[u8]> = TableDefinition::new("bucket-runs");
pub(super) const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
pub(super) const BLOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("blobs");
/// Sketches: key chunk number, value the sketches of its
/// 2^[`SKETCH_CHUNK_BITS`] documents (see [`Sketch`]).
pub(super) const SKETCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("sketches");

/// Documents per sketch chunk (2^8 = 256): a chunk of 128-value sketches
/// is 35 KB, read in one row when a candidate of it is first looked at.
pub const SKETCH_CHUNK_BITS: u32 = 8;

/// Seed domain of exact-text keys (band keys use seeds `0..bands`).
const EXACT_SEED: u64 = 1 << 32;
/// Seed domain of external-id keys.
const ID_SEED: u64 = (1 << 32) + 1;

/// The parameters an index is built with. Opening an index with other
/// parameters is an error ([`Error::IndexParams`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreParams {
    /// Words per shingle.
    pub shingle_size: usize,
    /// MinHash values per signature.
    pub num_hashes: usize,
    /// LSH banding.
    pub lsh: LshParams,
}

impl StoreParams {
    /// The store parameters for `params` with banding `lsh`.
    pub fn new(params: &Params, lsh: LshParams) -> StoreParams {
        StoreParams {
            shingle_size: params.shingle_size,
            num_hashes: params.num_hashes,
            lsh,
        }
    }

    fn parse(s: &str) -> Option<StoreParams> {
        let mut map = HashMap::new();
        for part in s.split_whitespace() {
            let (k, v) = part.split_once('=')?;
            map.insert(k, v);
        }
        let num = |k: &str| map.get(k)?.parse::<usize>().ok();
        if map.get("page-bits") != Some(&PAGE_BITS.to_string().as_str()) {
            return None;
        }
        Some(StoreParams {
            shingle_size: num("shingle-size")?,
            num_hashes: num("hashes")?,
            lsh: LshParams {
                bands: num("bands")?,
                rows: num("rows")?,
            },
        })
    }
}

impl fmt::Display for StoreParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "shingle-size={} hashes={} bands={} rows={} page-bits={}",
            self.shingle_size, self.num_hashes, self.lsh.bands, self.lsh.rows, PAGE_BITS
        )
    }
}

/// Where the caller stopped in its input, committed atomically with the
/// index state it produced. The store keeps it opaque apart from its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names of the inputs of the run (paths, `-` for stdin), joined by NUL.
    pub inputs: String,
    /// Bytes of input fully processed.
    pub input_bytes: u64,
    /// Lines of input fully processed.
    pub input_lines: u64,
    /// xxh3 of the processed input bytes, to recognise the same input.
    pub input_hash: u64,
    /// Bytes written to the kept-lines output at this point.
    pub kept_bytes: u64,
    /// Bytes written to the dropped log at this point.
    pub dropped_bytes: u64,
    /// True once the run read its input to the end.
    pub finished: bool,
}

impl Checkpoint {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.inputs.len());
        for v in [
            self.input_bytes,
            self.input_lines,
            self.input_hash,
            self.kept_bytes,
            self.dropped_bytes,
            u64::from(self.finished),
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(self.inputs.as_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Option<Checkpoint> {
        let mut r = Reader(bytes);
        Some(Checkpoint {
            input_bytes: r.u64()?,
            input_lines: r.u64()?,
            input_hash: r.u64()?,
            kept_bytes: r.u64()?,
            dropped_bytes: r.u64()?,
            finished: r.u64()? != 0,
            inputs: String::from_utf8(r.0.to_vec()).ok()?,
        })
    }
}

/// The counters a commit records (meta `counters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counters {
    /// The number the next document gets.
    pub next_doc: DocId,
    /// Documents stored.
    pub docs: u64,
    /// Bucket entries stored.
    pub keys: u64,
    /// Bytes of the stored documents' texts.
    pub text_bytes: u64,
    /// Committed length of the texts file.
    pub texts_len: u64,
}

impl Counters {
    pub(super) fn decode(bytes: &[u8]) -> Option<Counters> {
        let mut r = Reader(bytes);
        Some(Counters {
            next_doc: r.u64()?,
            docs: r.u64()?,
            keys: r.u64()?,
            text_bytes: r.u64()?,
            texts_len: r.u64()?,
        })
    }
}

/// A document to add to the store.
#[derive(Debug, Clone, Copy)]
pub struct NewDoc<'a> {
    /// The caller's id for the document.
    pub id: &'a str,
    /// Source (outlet), when known.
    pub source: Option<&'a str>,
    /// Date, when known.
    pub date: Option<&'a str>,
    /// Hash of the normalised text (see [`Store::exact_key`]).
    pub exact: u64,
    /// Band keys of the document's signature (may be empty).
    pub band_keys: &'a [u64],
    /// The MinHash signature the keys came from (empty when none): its low
    /// bytes are kept ([`Sketch`]) to estimate similarity before the
    /// record and text are read back.
    pub signature: &'a [u32],
    /// Size of the shingle set the signature was made from, for estimates
    /// (the filter counts its shingles with repeats, which spares sorting
    /// every document's; in prose repeats are rare).
    pub set_len: u32,
    /// The text itself.
    pub text: &'a str,
}

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    /// The store's number for it.
    pub doc: DocId,
    /// The caller's id.
    pub id: String,
    /// Source, when known.
    pub source: Option<String>,
    /// Date, when known.
    pub date: Option<String>,
    /// Hash of the normalised text.
    pub exact: u64,
    /// Every bucket key of the document (bands, exact, id).
    pub keys: Vec<u64>,
    /// Where the text starts in the texts file.
    pub(super) offset: u64,
    /// Its length in bytes.
    pub(super) len: u32,
}

/// Counts shown by `copydesk index stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStats {
    /// Documents stored.
    pub docs: u64,
    /// Bucket entries (keys) stored.
    pub keys: u64,
    /// Bytes of the texts file (removed documents' texts stay in it).
    pub texts_file_bytes: u64,
    /// Bytes of document text stored.
    pub text_bytes: u64,
    /// Size of the database file (without the texts file), 0 in memory.
    pub file_bytes: u64,
}

/// The redb-backed index and document store. See the module docs.
///
/// ```
/// use copydesk::index::store::{NewDoc, Store, StoreParams};
/// use copydesk::index::LshParams;
/// use copydesk::Params;
/// let params = StoreParams::new(&Params::default(), LshParams { bands: 42, rows: 3 });
/// let mut store = Store::in_memory(params)?; // or Store::open_or_create(path, params)
/// let id = store.insert_doc(&NewDoc {
///     id: "wire-1",
///     source: Some("wire"),
///     date: None,
///     exact: 7,
///     band_keys: &[0x1234_5678_9abc_def0],
///     signature: &[],
///     set_len: 0,
///     text: "Junior doctors will strike again.",
/// })?;
/// assert_eq!(store.lookup(&[0x1234_5678_9abc_def0])?, vec![id]);
/// assert_eq!(store.find_id("wire-1")?[0].doc, id);
/// store.commit()?;
/// # Ok::<(), copydesk::Error>(())
/// ```
pub struct Store {
    db: redb::Database,
    txn: Option<redb::WriteTransaction>,
    path: PathBuf,
    params: StoreParams,
    pages: Vec<Option<Vec<u64>>>,
    groups: Vec<Group>,
    /// Groups with entries added or removed since the last commit.
    dirty_list: Vec<u32>,
    /// `next_doc` at the last commit.
    committed_next_doc: DocId,
    /// Keys of inserted documents not yet in their pages (see
    /// [`Store::apply_keys`]).
    pending_keys: Vec<(u64, DocId)>,
    /// `pending_keys` chained by bucket (`key >> 16`).
    recent: super::SlotChains,
    /// Scratch for [`Store::apply_keys`] (kept to reuse its memory).
    grouped_keys: Vec<(u64, DocId)>,
    next_doc: DocId,
    doc_count: u64,
    key_count: u64,
    text_bytes: u64,
    /// The texts, beside the database.
    texts: TextLog,
    /// Sketch chunks read or written so far, by chunk number.
    sketches: Vec<Option<Vec<u8>>>,
    /// Chunks changed since the last commit.
    dirty_sketches: Vec<u64>,
}

/// What the store keeps in RAM of a document to judge a candidate before
/// reading its record: the exact-text hash, the size of the shingle set
/// behind its signature and the low byte of every signature value (b-bit
/// minwise hashing: two different values share their low byte by chance
/// only 1 time in 256, so an estimate from them errs only upward, by at
/// most 0.004, and a prefilter on them passes every pair full values
/// would).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sketch<'a> {
    /// Hash of the normalised text.
    pub exact: u64,
    /// Size of the shingle set behind the signature (0: no signature), as
    /// [`NewDoc::set_len`] gave it.
    pub set_len: u32,
    /// Low byte of each signature value.
    pub low_bytes: &'a [u8],
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("params", &self.params)
            .field("docs", &self.doc_count)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the index at `path`, creating it with `params` when the file
    /// does not exist. An existing index must have been built by this
    /// format version with the same parameters.
    pub fn open_or_create(path: &Path, params: StoreParams) -> Result<Store> {
        if path.exists() {
            let store = Store::open(path)?;
            if store.params != params {
                return Err(Error::IndexParams {
                    path: path.to_path_buf(),
                    found: store.params.to_string(),
                    expected: params.to_string(),
                });
            }
            return Ok(store);
        }
        // Built beside its final name and renamed once initialised, so a
        // crash during creation never leaves a half-made index behind.
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".creating-{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let db = redb::Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&tmp)
            .map_err(|e| redb_error(path, e))?;
        // The texts file first: an index whose texts file is missing is
        // an error, a texts file without its index is simply replaced.
        let texts = TextLog::create(&TextLog::path_of(path))?;
        let store = Store::init(db, path.to_path_buf(), params, texts)?;
        std::fs::rename(&tmp, path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(store)
    }

    /// Opens an existing index with the parameters it was built with.
    ///
    /// What opening checks (the header: format version, parameters and
    /// counters, and the texts file's length) fails with an error naming
    /// the index, what is wrong and what to do; the rest is checked as it
    /// is read, or all at once by [`check`](super::check::check).
    pub fn open(path: &Path) -> Result<Store> {
        if file_len(path)? == 0 {
            return Err(damaged(path, "the file is empty, not an index", None));
        }
        // redb reads its header, allocator state and table tree at open
        // and panics on some damaged files (an `unreachable!`, a failed
        // assertion) instead of returning an error; a damaged index is an
        // error like any other (found by the `index` fuzz target, issue 14).
        // Nothing of the failed open survives the panic.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Store::open_existing(path)))
            .unwrap_or_else(|panic| {
                let why = panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("unknown fault");
                Err(Error::IndexDamaged {
                    path: path.to_path_buf(),
                    problem: format!(
                        "the database file is damaged: redb stopped on a page it cannot \
                         read (`copydesk index check {}` lists what is wrong): {why}",
                        path.display()
                    ),
                    source: None,
                })
            })
    }

    fn open_existing(path: &Path) -> Result<Store> {
        let db = redb::Database::builder()
            .set_cache_size(CACHE_BYTES)
            .open(path)
            .map_err(|e| redb_error(path, e))?;
        let params = {
            let read = db.begin_read().map_err(|e| redb_error(path, e))?;
            let meta = read.open_table(META).map_err(|e| match e {
                redb::TableError::TableDoesNotExist(_) => damaged(path, NOT_AN_INDEX, None),
                e => redb_error(path, e),
            })?;
            read_header(path, &meta)?
        };
        let texts_path = TextLog::path_of(path);
        if !texts_path.exists() {
            return Err(damaged(path, missing_texts(&texts_path), None));
        }
        let mut store = Store::empty(db, path.to_path_buf(), params, TextLog::in_memory())?;
        store.load_counters()?;
        store.texts = TextLog::open(path, &texts_path, store.texts.committed())?;
        Ok(store)
    }

    /// An index held in memory (redb's in-memory backend): same code, no file.
    pub fn in_memory(params: StoreParams) -> Result<Store> {
        let path = PathBuf::from("<memory>");
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| redb_error(&path, e))?;
        Store::init(db, path, params, TextLog::in_memory())
    }

    fn init(
        db: redb::Database,
        path: PathBuf,
        params: StoreParams,
        texts: TextLog,
    ) -> Result<Store> {
        let mut store = Store::empty(db, path, params, texts)?;
        store.put_meta("format-version", &FORMAT_VERSION.to_le_bytes())?;
        store.put_meta("params", params.to_string().as_bytes())?;
        store.save_counters()?;
        store.commit()?;
        Ok(store)
    }

    fn empty(
        db: redb::Database,
        path: PathBuf,
        params: StoreParams,
        texts: TextLog,
    ) -> Result<Store> {
        let txn = db.begin_write().map_err(|e| redb_error(&path, e))?;
        let n = 1usize << PAGE_BITS;
        Ok(Store {
            db,
            txn: Some(txn),
            path,
            params,
            pages: vec![None; n],
            groups: vec![Group::default(); 1 << GROUP_BITS],
            dirty_list: Vec::new(),
            committed_next_doc: 0,
            pending_keys: Vec::new(),
            recent: super::SlotChains::new(RECENT_SLOT_BITS),
            grouped_keys: Vec::new(),
            next_doc: 0,
            doc_count: 0,
            key_count: 0,
            text_bytes: 0,
            texts,
            sketches: Vec::new(),
            dirty_sketches: Vec::new(),
        })
    }

    /// Where the index lives (`<memory>` for an in-memory one).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parameters the index was built with.
    pub fn params(&self) -> StoreParams {
        self.params
    }

    /// The number the next inserted document gets.
    pub fn next_doc(&self) -> DocId {
        self.next_doc
    }

    /// Number of documents stored.
    pub fn doc_count(&self) -> u64 {
        self.doc_count
    }

    /// The bucket key of an exact-text hash.
    pub fn exact_key(exact: u64) -> u64 {
        xxh3_64_with_seed(&exact.to_le_bytes(), EXACT_SEED)
    }

    /// The bucket key of an external id.
    pub fn id_key(id: &str) -> u64 {
        xxh3_64_with_seed(id.as_bytes(), ID_SEED)
    }

    fn txn(&self) -> &redb::WriteTransaction {
        self.txn
            .as_ref()
            .expect("a write transaction is open between commits")
    }

    /// A redb error on this index, in plain words ([`redb_error`]).
    fn err(&self, e: impl Into<redb::Error>) -> Error {
        redb_error(&self.path, e)
    }

    /// A stored structure of this index that does not decode.
    fn damaged(&self, problem: impl Into<String>) -> Error {
        damaged(&self.path, problem, None)
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        let mut t = self.txn().open_table(META).map_err(|e| self.err(e))?;
        t.insert(key, value).map_err(|e| self.err(e))?;
        Ok(())
    }

    fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let t = self.txn().open_table(META).map_err(|e| self.err(e))?;
        let v = t.get(key).map_err(|e| self.err(e))?;
        Ok(v.map(|v| v.value().to_vec()))
    }

    fn save_counters(&mut self) -> Result<()> {
        let mut v = Vec::with_capacity(40);
        for x in [
            self.next_doc,
            self.doc_count,
            self.key_count,
            self.text_bytes,
            self.texts.len(),
        ] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        self.put_meta("counters", &v)
    }

    fn load_counters(&mut self) -> Result<()> {
        let v = self.get_meta("counters")?.unwrap_or_default();
        let c = Counters::decode(&v).ok_or_else(|| self.damaged("its counters do not decode"))?;
        self.next_doc = c.next_doc;
        self.committed_next_doc = c.next_doc;
        self.doc_count = c.docs;
        self.key_count = c.keys;
        self.text_bytes = c.text_bytes;
        self.texts.committed_to(c.texts_len);
        Ok(())
    }

    /// Makes sure the pages of `keys` are in RAM (with every page of
    /// their groups).
    pub fn load_pages(&mut self, keys: impl IntoIterator<Item = u64>) -> Result<()> {
        let mut missing: Vec<u32> = keys
            .into_iter()
            .map(|k| group_of(page_of(k)))
            .filter(|&g| !self.groups[g as usize].loaded)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        let t = self.txn().open_table(BUCKETS).map_err(|e| self.err(e))?;
        let mut loaded = Vec::with_capacity(missing.len());
        for g in missing {
            loaded.push((g, read_group(&self.path, &t, g)?));
        }
        drop(t);
        for (g, (pages, runs)) in loaded {
            let first = (g as usize) * PAGES_PER_GROUP;
            for (i, page) in pages.into_iter().enumerate() {
                self.pages[first + i] = Some(page);
            }
            let group = &mut self.groups[g as usize];
            group.loaded = true;
            group.runs = runs;
        }
        Ok(())
    }

    fn page_mut(&mut self, key: u64) -> Result<(&mut Vec<u64>, &mut Group)> {
        let p = page_of(key);
        let g = group_of(p);
        if !self.groups[g as usize].loaded {
            self.load_pages([key])?;
        }
        let group = &mut self.groups[g as usize];
        if !group.dirty {
            group.dirty = true;
            self.dirty_list.push(g);
        }
        Ok((
            self.pages[p as usize]
                .as_mut()
                .expect("group loaded just above"),
            group,
        ))
    }

    /// Puts the keys of recently inserted documents into their pages,
    /// group by group in parallel, one merge per page.
    /// [`Store::insert_doc`] defers them (look-ups find them in a small
    /// hash index meanwhile): inserting each key into its page at once
    /// cost a cache miss and a shift of the page per key, a tenth of the
    /// decisions thread. [`Store::commit`] and every change through
    /// `&mut self` apply them first; [`Store::settle_keys`] when they grow.
    pub fn apply_keys(&mut self) -> Result<()> {
        use rayon::prelude::*;
        if self.pending_keys.is_empty() {
            return Ok(());
        }
        // Taken for the merge and given back empty: the buffer keeps its
        // capacity (regrowing it to 4 MB after every apply was a stream of
        // fresh pages for the kernel to zero).
        let mut pending = std::mem::take(&mut self.pending_keys);
        self.recent.clear();
        self.load_pages(pending.iter().map(|&(k, _)| k))?;
        // Grouped by page group (one counting pass), then each group
        // sorted in parallel below.
        let groups = self.groups.len();
        let mut ends = vec![0usize; groups + 1];
        for &(k, _) in &pending {
            ends[group_of(page_of(k)) as usize + 1] += 1;
        }
        for g in 1..=groups {
            ends[g] += ends[g - 1];
        }
        let mut grouped = std::mem::take(&mut self.grouped_keys);
        grouped.clear();
        grouped.resize(pending.len(), (0, 0));
        {
            let mut next = ends.clone();
            for &(k, doc) in &pending {
                let g = group_of(page_of(k)) as usize;
                grouped[next[g]] = (k, doc);
                next[g] += 1;
            }
        }
        let committed = self.committed_next_doc;
        for g in &mut self.groups {
            g.touched = false;
        }
        for &(k, doc) in &grouped {
            let g = &mut self.groups[group_of(page_of(k)) as usize];
            g.touched = true;
            g.compact |= doc < committed;
        }
        let mut slices: Vec<&mut [(u64, DocId)]> = Vec::with_capacity(groups);
        let mut rest = grouped.as_mut_slice();
        for g in 0..groups {
            let (head, tail) = rest.split_at_mut(ends[g + 1] - ends[g]);
            slices.push(head);
            rest = tail;
        }
        for (g, group) in self.groups.iter_mut().enumerate() {
            if group.touched && !group.dirty {
                group.dirty = true;
                self.dirty_list.push(g as u32);
            }
        }
        let added: u64 = self
            .pages
            .par_chunks_mut(PAGES_PER_GROUP)
            .zip(slices)
            .enumerate()
            .map(|(g, (pages, keys))| {
                let first = (g * PAGES_PER_GROUP) as u32;
                // By page, then entry: (page << 48 | fragment << 16) keeps
                // the order of (page, fragment); the doc breaks ties.
                keys.sort_unstable_by_key(|&(k, doc)| (k >> 16, doc));
                let mut added = 0;
                let mut rest = &keys[..];
                while let Some(&(k0, _)) = rest.first() {
                    let p = page_of(k0);
                    let n = rest.iter().take_while(|&&(k, _)| page_of(k) == p).count();
                    let page = pages[(p - first) as usize]
                        .as_mut()
                        .expect("pages loaded above");
                    let before = page.len();
                    merge_sorted(
                        page,
                        rest[..n]
                            .iter()
                            .map(|&(k, doc)| (u64::from(fragment_of(k)) << 32) | doc),
                    );
                    added += (page.len() - before) as u64;
                    rest = &rest[n..];
                }
                added
            })
            .sum();
        self.key_count += added;
        pending.clear();
        self.pending_keys = pending;
        self.grouped_keys = grouped;
        Ok(())
    }

    /// Applies the deferred keys ([`Store::apply_keys`]) once they are
    /// many ([`RECENT_KEYS`]); look-ups are right either way.
    pub fn settle_keys(&mut self) -> Result<()> {
        if self.pending_keys.len() >= RECENT_KEYS {
            self.apply_keys()?;
        }
        Ok(())
    }

    /// Appends the deferred-key documents holding `key` to `out`.
    fn collect_recent(&self, key: u64, out: &mut Vec<DocId>) {
        for at in self.recent.chain(key >> 16) {
            let (k, doc) = self.pending_keys[at];
            if k >> 16 == key >> 16 {
                out.push(doc);
            }
        }
    }

    /// Documents holding any of `keys`, ascending, each once.
    pub fn lookup(&mut self, keys: &[u64]) -> Result<Vec<DocId>> {
        self.apply_keys()?;
        self.load_pages(keys.iter().copied())?;
        let mut out = Vec::new();
        for &key in keys {
            let page = self.pages[page_of(key) as usize]
                .as_ref()
                .expect("pages loaded above");
            collect_fragment(page, fragment_of(key), &mut out);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Like [`Store::lookup`] for pages already in RAM (see
    /// [`Store::load_pages`]); usable from several threads at once.
    pub fn lookup_loaded(&self, keys: &[u64], out: &mut Vec<DocId>) {
        out.clear();
        for &key in keys {
            if let Some(page) = &self.pages[page_of(key) as usize] {
                collect_fragment(page, fragment_of(key), out);
            }
            self.collect_recent(key, out);
        }
        out.sort_unstable();
        out.dedup();
    }

    /// [`Store::lookup_loaded`] for many key lists at once, in parallel:
    /// the documents holding any key of each list (pages already in RAM,
    /// see [`Store::load_pages`]).
    pub fn lookup_many(&self, key_lists: &[Vec<u64>]) -> Vec<Vec<DocId>> {
        use rayon::prelude::*;
        let pages = &self.pages;
        key_lists
            .par_iter()
            .with_min_len(16)
            .map(|keys| {
                // First touch what every key will read: the page, its
                // interpolated entry and the deferred-key bucket. The loads
                // are independent and have no branch on their data, so the
                // CPU overlaps their cache misses; the searches below then
                // mostly hit the cache (the look-ups were memory-bound,
                // about three misses a key).
                let mut touched = 0u64;
                for &key in keys {
                    if let Some(page) = &pages[page_of(key) as usize] {
                        if !page.is_empty() {
                            touched ^=
                                page[interpolate(page.len(), u64::from(fragment_of(key)) << 32)];
                        }
                    }
                    touched ^= u64::from(self.recent.head(key >> 16).unwrap_or(0));
                }
                std::hint::black_box(touched);
                let mut out = Vec::new();
                for &key in keys {
                    if let Some(page) = &pages[page_of(key) as usize] {
                        collect_fragment(page, fragment_of(key), &mut out);
                    }
                    self.collect_recent(key, &mut out);
                }
                out.sort_unstable();
                out.dedup();
                out
            })
            .collect()
    }

    fn add_key(&mut self, key: u64, doc: DocId) -> Result<()> {
        self.apply_keys()?;
        let committed = self.committed_next_doc;
        let entry = (u64::from(fragment_of(key)) << 32) | doc;
        let (page, group) = self.page_mut(key)?;
        if let Err(at) = page.binary_search(&entry) {
            page.insert(at, entry);
            // A run holds the entries of documents numbered from the last
            // commit on; an older document's key needs a compaction.
            group.compact |= doc < committed;
            self.key_count += 1;
        }
        Ok(())
    }

    fn remove_key(&mut self, key: u64, doc: DocId) -> Result<()> {
        self.apply_keys()?;
        let entry = (u64::from(fragment_of(key)) << 32) | doc;
        let (page, group) = self.page_mut(key)?;
        if let Ok(at) = page.binary_search(&entry) {
            page.remove(at);
            group.compact = true;
            self.key_count -= 1;
        }
        Ok(())
    }

    /// Adds a document: its keys (bands, exact text, id), record and text.
    pub fn insert_doc(&mut self, doc: &NewDoc<'_>) -> Result<DocId> {
        self.insert_doc_as(self.next_doc, doc)
    }

    /// [`Store::insert_doc`] under a number the caller chose: at least
    /// [`Store::next_doc`], which then follows it.
    pub fn insert_doc_as(&mut self, id: DocId, doc: &NewDoc<'_>) -> Result<DocId> {
        self.insert_docs(&[(id, *doc)])?;
        Ok(id)
    }

    /// Adds documents under numbers the caller chose, ascending from
    /// [`Store::next_doc`] on (which then follows the last). The filter
    /// numbers a batch's kept documents while deciding and stores them
    /// after; a number it gave and then took back (a preferred source's
    /// copy replaced the document) is skipped. The deferred keys are filed
    /// on one thread while the texts, records and sketches are written on
    /// another (one after the other, they were half of storing a batch).
    pub fn insert_docs(&mut self, docs: &[(DocId, NewDoc<'_>)]) -> Result<()> {
        // Checked first, so a bad document stores nothing.
        let mut next = self.next_doc;
        for (id, doc) in docs {
            if *id < next {
                return Err(index_error(
                    &self.path,
                    format!("document number {id} is taken (the next free one is {next})"),
                ));
            }
            if *id > u64::from(u32::MAX) {
                return Err(index_error(&self.path, "more than 4,294,967,295 documents"));
            }
            if u32::try_from(doc.text.len()).is_err() {
                return Err(index_error(
                    &self.path,
                    format!("the text of {} is over 4 GiB", doc.id),
                ));
            }
            next = id + 1;
        }
        let ids: Vec<DocId> = docs.iter().map(|(id, _)| *id).collect();
        self.load_sketches(&ids)?;
        let (width, num_hashes) = (self.sketch_width(), self.params.num_hashes);
        let err = |e: redb::Error| redb_error(&self.path, e);
        let Store {
            pending_keys,
            recent,
            texts,
            txn,
            sketches,
            dirty_sketches,
            ..
        } = self;
        let txn = txn
            .as_ref()
            .expect("a write transaction is open between commits");
        let ((), written) = rayon::join(
            || {
                for (id, doc) in docs {
                    for k in doc_keys(doc) {
                        recent.push(k >> 16);
                        pending_keys.push((k, *id));
                    }
                }
            },
            || -> Result<()> {
                let mut records = txn.open_table(DOCS).map_err(|e| err(e.into()))?;
                for &(id, doc) in docs {
                    let offset = texts.append(doc.text.as_bytes())?;
                    let stored = StoredDoc {
                        doc: id,
                        id: doc.id.to_string(),
                        source: doc.source.map(str::to_string),
                        date: doc.date.map(str::to_string),
                        exact: doc.exact,
                        keys: doc_keys(&doc).collect(),
                        offset,
                        len: doc.text.len() as u32,
                    };
                    records
                        .insert(id, encode_record(&stored).as_slice())
                        .map_err(|e| err(e.into()))?;
                    put_sketch(
                        sketches,
                        dirty_sketches,
                        sketch_slot(id, width),
                        num_hashes,
                        (doc.exact, doc.set_len, doc.signature),
                    );
                }
                Ok(())
            },
        );
        written?;
        self.next_doc = next;
        self.doc_count += docs.len() as u64;
        self.text_bytes += docs.iter().map(|(_, d)| d.text.len() as u64).sum::<u64>();
        Ok(())
    }

    /// Makes [`Store::next_doc`] at least `next`: the numbers below it that
    /// no document took stay unused.
    pub fn skip_to(&mut self, next: DocId) {
        self.next_doc = self.next_doc.max(next);
    }

    /// The record of document `doc`, if stored.
    pub fn doc(&self, doc: DocId) -> Result<Option<StoredDoc>> {
        let t = self.txn().open_table(DOCS).map_err(|e| self.err(e))?;
        let v = t.get(doc).map_err(|e| self.err(e))?;
        match v {
            Some(v) => decode_record(doc, v.value())
                .map(Some)
                .ok_or_else(|| self.damaged(unreadable_record(doc))),
            None => Ok(None),
        }
    }

    /// The records of `docs` that are stored (one table open for all).
    pub fn records_of(&self, docs: &[DocId]) -> Result<HashMap<DocId, StoredDoc>> {
        let t = self.txn().open_table(DOCS).map_err(|e| self.err(e))?;
        let mut out = HashMap::with_capacity(docs.len());
        for &doc in docs {
            let record = match t.get(doc).map_err(|e| self.err(e))? {
                Some(v) => decode_record(doc, v.value()),
                None => continue,
            };
            let record = record.ok_or_else(|| self.damaged(unreadable_record(doc)))?;
            out.insert(doc, record);
        }
        Ok(out)
    }

    /// [`Store::records_of`] with the reads spread over rayon's threads
    /// (redb serves reads of one table from several threads at once).
    pub fn records_of_par(&self, docs: &[DocId]) -> Result<HashMap<DocId, StoredDoc>> {
        use rayon::prelude::*;
        let t = self.txn().open_table(DOCS).map_err(|e| self.err(e))?;
        let read: Vec<Option<StoredDoc>> = docs
            .par_iter()
            .map(|&doc| -> Result<Option<StoredDoc>> {
                let record = match t.get(doc).map_err(|e| self.err(e))? {
                    Some(v) => decode_record(doc, v.value()),
                    None => return Ok(None),
                };
                record
                    .map(Some)
                    .ok_or_else(|| self.damaged(unreadable_record(doc)))
            })
            .collect::<Result<_>>()?;
        Ok(read.into_iter().flatten().map(|d| (d.doc, d)).collect())
    }

    /// Reads the texts of `docs` on rayon's threads and hands each to
    /// `f` there, in parallel; the results in the order of `docs`.
    pub fn map_texts_par<R: Send>(
        &self,
        docs: Vec<StoredDoc>,
        f: impl Fn(StoredDoc, String) -> R + Sync + Send,
    ) -> Result<Vec<R>> {
        use rayon::prelude::*;
        docs.into_par_iter()
            .map(|doc| {
                let text = self.text(&doc)?;
                Ok(f(doc, text))
            })
            .collect()
    }

    /// The text of a stored document.
    pub fn text(&self, doc: &StoredDoc) -> Result<String> {
        let bytes = self.texts.read(doc.offset, doc.len)?.ok_or_else(|| {
            self.damaged(format!(
                "the text of document {} lies past the end of the texts file",
                doc.id
            ))
        })?;
        String::from_utf8(bytes).map_err(|_| {
            self.damaged(format!(
                "the text of document {} is not UTF-8: the texts file was changed",
                doc.id
            ))
        })
    }

    /// Replaces the band keys, sketch and set size of a stored document
    /// (its exact-text and id keys stay); the keys and record are left
    /// alone when the band keys are the same.
    pub fn rekey(
        &mut self,
        doc: &StoredDoc,
        band_keys: &[u64],
        signature: &[u32],
        set_len: u32,
    ) -> Result<StoredDoc> {
        self.set_sketch(doc.doc, doc.exact, set_len, signature)?;
        if doc.keys.len() == band_keys.len() + 2 && doc.keys[..band_keys.len()] == *band_keys {
            return Ok(doc.clone());
        }
        for &k in &doc.keys {
            self.remove_key(k, doc.doc)?;
        }
        let mut keys = Vec::with_capacity(band_keys.len() + 2);
        keys.extend_from_slice(band_keys);
        keys.push(Store::exact_key(doc.exact));
        keys.push(Store::id_key(&doc.id));
        for &k in &keys {
            self.add_key(k, doc.doc)?;
        }
        let updated = StoredDoc {
            keys,
            ..doc.clone()
        };
        let mut t = self.txn().open_table(DOCS).map_err(|e| self.err(e))?;
        t.insert(doc.doc, encode_record(&updated).as_slice())
            .map_err(|e| self.err(e))?;
        Ok(updated)
    }

    /// Stored documents whose external id is `id`.
    pub fn find_id(&mut self, id: &str) -> Result<Vec<StoredDoc>> {
        let mut out = Vec::new();
        for doc in self.lookup(&[Store::id_key(id)])? {
            if let Some(d) = self.doc(doc)? {
                if d.id == id {
                    out.push(d);
                }
            }
        }
        Ok(out)
    }

    /// Takes a document out: its keys, record, sketch and the count. Its
    /// text stays in the texts file (append-only) but is no longer
    /// reachable.
    pub fn remove_doc(&mut self, doc: &StoredDoc) -> Result<()> {
        for &k in &doc.keys {
            self.remove_key(k, doc.doc)?;
        }
        let removed = {
            let mut t = self.txn().open_table(DOCS).map_err(|e| self.err(e))?;
            let r = t.remove(doc.doc).map_err(|e| self.err(e))?;
            r.is_some()
        };
        if removed {
            self.doc_count -= 1;
            self.text_bytes -= u64::from(doc.len);
        }
        self.set_sketch(doc.doc, 0, 0, &[])
    }

    /// Bytes of one sketch: exact hash, set size, one byte per value.
    fn sketch_width(&self) -> usize {
        sketch_width(self.params.num_hashes)
    }

    /// The chunk holding `doc`'s sketch and the sketch's bytes in it.
    fn sketch_slot(&self, doc: DocId) -> (usize, std::ops::Range<usize>) {
        sketch_slot(doc, self.sketch_width())
    }

    /// Makes sure the sketch chunks of `docs` are in RAM.
    pub fn load_sketches(&mut self, docs: &[DocId]) -> Result<()> {
        let mut missing: Vec<u64> = docs
            .iter()
            .map(|&d| d >> SKETCH_CHUNK_BITS)
            .filter(|&c| self.sketches.get(c as usize).is_none_or(Option::is_none))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let want = self.sketch_width() << SKETCH_CHUNK_BITS;
        let t = self.txn().open_table(SKETCHES).map_err(|e| self.err(e))?;
        let mut read = Vec::with_capacity(missing.len());
        for c in missing {
            let mut chunk = match t.get(c).map_err(|e| self.err(e))? {
                Some(v) => v.value().to_vec(),
                None => Vec::new(),
            };
            if chunk.len() > want {
                return Err(self.damaged(format!(
                    "sketch chunk {c} is {} bytes, more than {want}",
                    chunk.len()
                )));
            }
            chunk.resize(want, 0);
            read.push((c, chunk));
        }
        drop(t);
        for (c, chunk) in read {
            let c = c as usize;
            if self.sketches.len() <= c {
                self.sketches.resize(c + 1, None);
            }
            self.sketches[c] = Some(chunk);
        }
        Ok(())
    }

    /// The sketch of `doc` when its chunk is in RAM (see
    /// [`Store::load_sketches`]) and it has a signature.
    pub fn sketch(&self, doc: DocId) -> Option<Sketch<'_>> {
        let (c, slot) = self.sketch_slot(doc);
        let b = self.sketches.get(c)?.as_ref()?.get(slot)?;
        let set_len = u32::from_le_bytes(b[8..12].try_into().expect("4 bytes"));
        (set_len > 0).then(|| Sketch {
            exact: u64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
            set_len,
            low_bytes: &b[12..],
        })
    }

    /// Writes the sketch of `doc` (a signature of another width than the
    /// store's, or none, leaves no sketch).
    fn set_sketch(
        &mut self,
        doc: DocId,
        exact: u64,
        set_len: u32,
        signature: &[u32],
    ) -> Result<()> {
        self.load_sketches(&[doc])?;
        let slot = self.sketch_slot(doc);
        put_sketch(
            &mut self.sketches,
            &mut self.dirty_sketches,
            slot,
            self.params.num_hashes,
            (exact, set_len, signature),
        );
        Ok(())
    }

    /// A caller's named state (see [`Store::put_blob`]).
    pub fn blob(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let t = self.txn().open_table(BLOBS).map_err(|e| self.err(e))?;
        let v = t.get(name).map_err(|e| self.err(e))?;
        Ok(v.map(|v| v.value().to_vec()))
    }

    /// Stores a caller's named state; it commits with everything else.
    pub fn put_blob(&mut self, name: &str, value: &[u8]) -> Result<()> {
        let mut t = self.txn().open_table(BLOBS).map_err(|e| self.err(e))?;
        t.insert(name, value).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The checkpoint of the last commit, if any.
    pub fn checkpoint(&self) -> Result<Option<Checkpoint>> {
        match self.get_meta("checkpoint")? {
            Some(v) => Checkpoint::decode(&v)
                .map(Some)
                .ok_or_else(|| self.damaged("its checkpoint does not decode")),
            None => Ok(None),
        }
    }

    /// Records `cp` to be committed with the next [`Store::commit`].
    pub fn set_checkpoint(&mut self, cp: &Checkpoint) -> Result<()> {
        self.put_meta("checkpoint", &cp.encode())
    }

    /// The part of [`Store::commit`] that can overlap other work: the
    /// deferred keys put into their pages, and the texts made durable
    /// (before the records pointing into them are committed). `commit`
    /// does it too; what it finds done again costs nothing.
    pub fn prepare_commit(&mut self) -> Result<()> {
        self.apply_keys()?;
        self.texts.sync()
    }

    /// Makes everything written so far durable, atomically, and opens the
    /// next transaction.
    pub fn commit(&mut self) -> Result<()> {
        self.prepare_commit()?;
        {
            let txn = self.txn.as_ref().expect("a write transaction is open");
            let mut t = txn
                .open_table(BUCKETS)
                .map_err(|e| redb_error(&self.path, e))?;
            use rayon::prelude::*;
            // The dirty groups' runs are encoded in parallel (one after
            // the other it was a quarter of a commit), a few groups at a
            // time (a compaction of every group holds the whole index),
            // then written.
            let from = self.committed_next_doc;
            for chunk in self.dirty_list.chunks(32) {
                let (groups, pages) = (&self.groups, &self.pages);
                let runs: Vec<(u32, bool, Vec<u8>)> = chunk
                    .par_iter()
                    .map(|&g| {
                        let group = &groups[g as usize];
                        let first = (g as usize) * PAGES_PER_GROUP;
                        let pages = &pages[first..first + PAGES_PER_GROUP];
                        let mut bytes = Vec::new();
                        let compact = group.compact || group.runs >= MAX_RUNS;
                        if compact {
                            // Every entry of the group in one run.
                            encode_run(
                                pages.iter().map(|p| p.as_deref().unwrap_or_default()),
                                &mut bytes,
                            );
                        } else {
                            // The entries of the documents added since the
                            // last commit.
                            let added: Vec<Vec<u64>> = pages
                                .iter()
                                .map(|p| {
                                    p.as_deref()
                                        .unwrap_or_default()
                                        .iter()
                                        .copied()
                                        .filter(|&e| e & 0xFFFF_FFFF >= from)
                                        .collect()
                                })
                                .collect();
                            encode_run(added.iter().map(Vec::as_slice), &mut bytes);
                        }
                        (g, compact, bytes)
                    })
                    .collect();
                for (g, compact, bytes) in runs {
                    let group = &mut self.groups[g as usize];
                    let base = u64::from(g) << 32;
                    if compact {
                        for run in 0..group.runs {
                            t.remove(base | u64::from(run))
                                .map_err(|e| redb_error(&self.path, e))?;
                        }
                        group.runs = 0;
                    }
                    if bytes.len() > 4 * PAGES_PER_GROUP {
                        t.insert(base | u64::from(group.runs), bytes.as_slice())
                            .map_err(|e| redb_error(&self.path, e))?;
                        group.runs += 1;
                    }
                    group.compact = false;
                    group.dirty = false;
                }
            }
        }
        self.dirty_list.clear();
        {
            let mut dirty = std::mem::take(&mut self.dirty_sketches);
            dirty.sort_unstable();
            dirty.dedup();
            let txn = self.txn.as_ref().expect("a write transaction is open");
            let mut t = txn
                .open_table(SKETCHES)
                .map_err(|e| redb_error(&self.path, e))?;
            for c in dirty {
                if let Some(chunk) = &self.sketches[c as usize] {
                    t.insert(c, chunk.as_slice())
                        .map_err(|e| redb_error(&self.path, e))?;
                }
            }
        }
        self.committed_next_doc = self.next_doc;
        self.save_counters()?;
        let txn = self.txn.take().expect("a write transaction is open");
        txn.commit().map_err(|e| self.err(e))?;
        self.texts.committed_to(self.texts.len());
        self.txn = Some(self.db.begin_write().map_err(|e| self.err(e))?);
        Ok(())
    }

    /// Counts for `index stats`.
    pub fn stats(&self) -> Result<StoreStats> {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        Ok(StoreStats {
            docs: self.doc_count,
            keys: self.key_count,
            text_bytes: self.text_bytes,
            texts_file_bytes: self.texts.len(),
            file_bytes: size(&self.path),
        })
    }

    /// Bytes of RAM held by the loaded bucket pages (entries only) and
    /// sketch chunks.
    pub fn ram_bytes(&self) -> usize {
        let pages: usize = self.pages.iter().flatten().map(|p| p.capacity() * 8).sum();
        let sketches: usize = self.sketches.iter().flatten().map(Vec::capacity).sum();
        pages + sketches
    }
}

/// Band-key candidates by signature (tests and benchmarks compare these
/// with [`super::memory::MemoryIndex`]; the filter looks keys up itself).
impl Store {
    /// The banding this index uses.
    pub fn lsh(&self) -> LshParams {
        self.params.lsh
    }

    /// Adds a document's signature.
    pub fn insert(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        let keys: Vec<u64> = self.params.lsh.band_keys(sig).collect();
        for k in keys {
            self.add_key(k, id)?;
        }
        self.doc_count += 1;
        self.next_doc = self.next_doc.max(id + 1);
        Ok(())
    }

    /// Documents sharing at least one band with `sig`, ascending, each once.
    pub fn query(&self, sig: &Signature) -> Result<Vec<DocId>> {
        let keys: Vec<u64> = self.params.lsh.band_keys(sig).collect();
        let missing = keys
            .iter()
            .any(|&k| self.pages[page_of(k) as usize].is_none());
        let mut out = Vec::new();
        if missing {
            // Read the missing groups without caching them (this takes &self).
            let t = self.txn().open_table(BUCKETS).map_err(|e| self.err(e))?;
            let mut read: HashMap<u32, Vec<Vec<u64>>> = HashMap::new();
            for &key in &keys {
                let p = page_of(key);
                match &self.pages[p as usize] {
                    Some(page) => collect_fragment(page, fragment_of(key), &mut out),
                    None => {
                        let g = group_of(p);
                        if let std::collections::hash_map::Entry::Vacant(slot) = read.entry(g) {
                            slot.insert(read_group(&self.path, &t, g)?.0);
                        }
                        let page = &read[&g][p as usize % PAGES_PER_GROUP];
                        collect_fragment(page, fragment_of(key), &mut out);
                    }
                }
            }
            out.sort_unstable();
            out.dedup();
        } else {
            self.lookup_loaded(&keys, &mut out);
        }
        if missing {
            // Keys not yet applied to their pages (lookup_loaded has them).
            for &key in &keys {
                self.collect_recent(key, &mut out);
            }
            out.sort_unstable();
            out.dedup();
        }
        Ok(out)
    }

    /// Takes a document out (its signature says which buckets hold it).
    pub fn remove(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        let keys: Vec<u64> = self.params.lsh.band_keys(sig).collect();
        let before = self.key_count;
        for k in keys {
            self.remove_key(k, id)?;
        }
        if self.key_count != before {
            self.doc_count -= 1;
        }
        Ok(())
    }

    /// Number of documents indexed.
    pub fn len(&self) -> Result<usize> {
        Ok(self.doc_count as usize)
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.doc_count == 0)
    }
}

/// A group of bucket pages: loaded together, stored as runs.
#[derive(Debug, Clone, Default)]
struct Group {
    loaded: bool,
    /// Runs stored (numbered `0..runs`).
    runs: u32,
    dirty: bool,
    /// Scratch flag of [`Store::apply_keys`].
    touched: bool,
    /// True when the next commit must rewrite the group as one run (an
    /// entry was removed, or one of a document older than the commit).
    compact: bool,
}

/// Every bucket key of a document: its bands, then its exact-text and id
/// keys.
fn doc_keys<'a>(doc: &NewDoc<'a>) -> impl Iterator<Item = u64> + 'a {
    let extra = [Store::exact_key(doc.exact), Store::id_key(doc.id)];
    doc.band_keys.iter().copied().chain(extra)
}

/// Bytes of one sketch of `num_hashes` values: exact hash, set size, one
/// byte per value.
pub(super) fn sketch_width(num_hashes: usize) -> usize {
    12 + num_hashes
}

/// The chunk holding `doc`'s sketch and the sketch's bytes in it, for
/// sketches of `width` bytes.
fn sketch_slot(doc: DocId, width: usize) -> (usize, std::ops::Range<usize>) {
    let at = (doc & ((1 << SKETCH_CHUNK_BITS) - 1)) as usize * width;
    ((doc >> SKETCH_CHUNK_BITS) as usize, at..at + width)
}

/// Writes the sketch `(exact, set_len, signature)` into `slot` of the
/// loaded `sketches` and marks its chunk dirty: no signature (or one of
/// another width than `num_hashes`) gives set size 0.
fn put_sketch(
    sketches: &mut [Option<Vec<u8>>],
    dirty: &mut Vec<u64>,
    (c, slot): (usize, std::ops::Range<usize>),
    num_hashes: usize,
    (exact, set_len, signature): (u64, u32, &[u32]),
) {
    let b = &mut sketches[c].as_mut().expect("chunk loaded")[slot];
    let valid = signature.len() == num_hashes;
    b[..8].copy_from_slice(&exact.to_le_bytes());
    b[8..12].copy_from_slice(&(if valid { set_len } else { 0 }).to_le_bytes());
    for (x, v) in b[12..]
        .iter_mut()
        .zip(signature.iter().chain(std::iter::repeat(&0)))
    {
        *x = *v as u8;
    }
    if dirty.last() != Some(&(c as u64)) {
        dirty.push(c as u64);
    }
}

/// The deferred keys' table has `1 << RECENT_SLOT_BITS` slots, twice
/// [`RECENT_KEYS`], so chains stay short until the keys are applied.
const RECENT_SLOT_BITS: u32 = RECENT_KEYS.trailing_zeros() + 1;

pub(super) fn group_of(page: u32) -> u32 {
    page >> (PAGE_BITS - GROUP_BITS)
}

/// A run: the entry count of each page of the group (u32), then the
/// entries, page after page, each page's sorted.
fn encode_run<'a>(pages: impl Iterator<Item = &'a [u64]> + Clone, out: &mut Vec<u8>) {
    out.clear();
    for p in pages.clone() {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    }
    for p in pages {
        for e in p {
            out.extend_from_slice(&e.to_le_bytes());
        }
    }
}

/// Every page of group `g` (merged from its runs) and its run count.
pub(super) fn read_group(
    path: &Path,
    t: &impl ReadableTable<u64, &'static [u8]>,
    g: u32,
) -> Result<(Vec<Vec<u64>>, u32)> {
    let base = u64::from(g) << 32;
    let mut pages = vec![Vec::new(); PAGES_PER_GROUP];
    let mut runs = 0;
    let short = || {
        damaged(
            path,
            format!("bucket group {g} holds a run cut short"),
            None,
        )
    };
    for row in t
        .range(base..base + (1 << 32))
        .map_err(|e| redb_error(path, e))?
    {
        let (k, v) = row.map_err(|e| redb_error(path, e))?;
        if k.value() != base | u64::from(runs) {
            return Err(damaged(
                path,
                format!("bucket group {g} lacks its run {runs}"),
                None,
            ));
        }
        runs += 1;
        let bytes = v.value();
        let head = bytes.get(..4 * PAGES_PER_GROUP).ok_or_else(short)?;
        let mut at = 4 * PAGES_PER_GROUP;
        for (page, n) in pages.iter_mut().zip(head.chunks_exact(4)) {
            let n = u32::from_le_bytes(n.try_into().expect("4-byte chunk")) as usize;
            let body = at
                .checked_add(8 * n)
                .and_then(|end| bytes.get(at..end))
                .ok_or_else(short)?;
            page.extend(
                body.chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8-byte chunk"))),
            );
            at += 8 * n;
        }
    }
    if runs > 1 {
        for page in &mut pages {
            page.sort_unstable();
        }
    }
    Ok((pages, runs))
}

pub(super) fn page_of(key: u64) -> u32 {
    (key >> (64 - PAGE_BITS)) as u32
}

pub(super) fn fragment_of(key: u64) -> u32 {
    (key >> (32 - PAGE_BITS)) as u32
}

/// Appends the documents of every entry of `page` with `fragment`.
fn collect_fragment(page: &[u64], fragment: u32, out: &mut Vec<DocId>) {
    let lo = u64::from(fragment) << 32;
    let start = first_at_least(page, lo);
    out.extend(
        page[start..]
            .iter()
            .take_while(|&&e| (e >> 32) as u32 == fragment)
            .map(|&e| e & 0xFFFF_FFFF),
    );
}

/// Merges the ascending entries `add` into the sorted `page`, leaving it
/// sorted without duplicates: one pass from the back, where sorting the
/// page again for its few new entries was most of applying keys.
fn merge_sorted(page: &mut Vec<u64>, add: impl Iterator<Item = u64>) {
    let new: Vec<u64> = add.collect();
    let (old, n) = (page.len(), new.len());
    page.resize(old + n, 0);
    let (mut i, mut j, mut k) = (old, n, old + n);
    while j > 0 {
        k -= 1;
        if i > 0 && page[i - 1] > new[j - 1] {
            page[k] = page[i - 1];
            i -= 1;
        } else {
            page[k] = new[j - 1];
            j -= 1;
        }
    }
    page.dedup();
}

/// Where `lo` would sit in a page of `n` uniform entries (`n` > 0).
fn interpolate(n: usize, lo: u64) -> usize {
    ((u128::from(lo) * n as u128) >> 64) as usize
}

/// The first position of the sorted `page` whose entry is at least `lo`.
///
/// Entries are hash bits, uniform over `u64`, so the position is
/// interpolated and the answer bracketed by steps doubling away from it:
/// one or two cache lines per look-up where a binary search of a
/// 70-entry page touched five (look-ups were a tenth of the filter).
/// Any order of entries still gets the right answer, in O(log n).
fn first_at_least(page: &[u64], lo: u64) -> usize {
    let n = page.len();
    if n == 0 {
        return 0;
    }
    let guess = interpolate(n, lo);
    let (a, b) = if page[guess] < lo {
        // The answer is after `guess`.
        let mut step = 1;
        let mut a = guess + 1;
        while a + step <= n && page[a + step - 1] < lo {
            a += step;
            step *= 2;
        }
        (a, (a + step).min(n))
    } else {
        // The answer is at or before `guess`.
        let mut step = 1;
        let mut b = guess;
        while b >= step && page[b - step] >= lo {
            b -= step;
            step *= 2;
        }
        (b.saturating_sub(step), b)
    };
    // page[..a] < lo <= page[b..]
    a + page[a..b].partition_point(|&e| e < lo)
}

fn index_error(path: &Path, e: impl fmt::Display) -> Error {
    Error::Index {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What a file holding a redb database but no copydesk tables is.
pub(super) const NOT_AN_INDEX: &str = "not a copydesk index: the database holds no copydesk tables";

/// The length of the index file at `path`: [`Error::NotFound`] when there
/// is none, the I/O error otherwise (what opening and checking both ask
/// first: an empty file is no index).
pub(super) fn file_len(path: &Path) -> Result<u64> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NotFound {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The index at `path` is damaged: `problem` in plain words, `source`
/// the underlying error.
pub(super) fn damaged(
    path: &Path,
    problem: impl Into<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    Error::IndexDamaged {
        path: path.to_path_buf(),
        problem: problem.into(),
        source,
    }
}

/// What is wrong when the texts file of an index is missing.
pub(super) fn missing_texts(texts: &Path) -> String {
    format!(
        "its texts file {} is missing (an index is two files: if the index was copied or \
         moved, the texts file has to go with it)",
        texts.display()
    )
}

fn unreadable_record(doc: DocId) -> String {
    format!("the record of document {doc} does not decode")
}

/// What a redb error means for the index at `path`, in words a user can
/// act on: a damaged or foreign file ([`Error::IndexDamaged`], redb's
/// report kept as the source), an index in use by another process, or a
/// plain I/O error.
pub(super) fn redb_error(path: &Path, e: impl Into<redb::Error>) -> Error {
    let e: redb::Error = e.into();
    let problem = match &e {
        redb::Error::DatabaseAlreadyOpen | redb::Error::LockProtocolMismatch => {
            return Error::IndexInUse {
                path: path.to_path_buf(),
            }
        }
        redb::Error::Io(io) if io.kind() != std::io::ErrorKind::InvalidData => {
            // Permission denied, disk errors: the file may be sound.
            let redb::Error::Io(source) = e else {
                unreachable!("matched just above")
            };
            return Error::Io {
                path: path.to_path_buf(),
                source,
            };
        }
        _ => redb_problem(&e),
    };
    damaged(path, problem, Some(Box::new(e)))
}

/// A redb error about the file itself, in plain words.
pub(super) fn redb_problem(e: &redb::Error) -> String {
    match e {
        redb::Error::Corrupted(msg) if msg.starts_with("File truncated") => {
            "the database file is shorter than its own layout says: it was truncated".into()
        }
        redb::Error::Corrupted(_) => {
            "the database file is damaged: its pages fail redb's checks (bytes were changed \
             outside copydesk)"
                .into()
        }
        redb::Error::Io(io) if io.to_string().contains("is empty") => {
            "the file is empty, not an index".into()
        }
        redb::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            "not a copydesk index: the file is not a database at all (was another file \
             written over it?)"
                .into()
        }
        redb::Error::UpgradeRequired(v) => {
            format!(
                "the database file is in redb's old file format {v}, which this copydesk \
                 cannot read"
            )
        }
        redb::Error::TableTypeMismatch { .. }
        | redb::Error::TableIsMultimap(_)
        | redb::Error::TableIsNotMultimap(_)
        | redb::Error::TypeDefinitionChanged { .. } => {
            "not a copydesk index: its tables are not copydesk's".into()
        }
        redb::Error::RepairAborted => {
            "the database was not closed cleanly and needs a repair that was not made".into()
        }
        e => format!("the database cannot be read ({e})"),
    }
}

/// The format version and parameters recorded in the `meta` table of the
/// index at `path`. Another format version is [`Error::IndexVersion`].
pub(super) fn read_header(
    path: &Path,
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<StoreParams> {
    let get = |k: &str| -> Result<Option<Vec<u8>>> {
        Ok(meta
            .get(k)
            .map_err(|e| redb_error(path, e))?
            .map(|v| v.value().to_vec()))
    };
    let version = get("format-version")?
        .and_then(|v| Some(u32::from_le_bytes(v.get(..4)?.try_into().ok()?)))
        .ok_or_else(|| {
            damaged(
                path,
                "not a copydesk index: it records no format version",
                None,
            )
        })?;
    if version != FORMAT_VERSION {
        return Err(Error::IndexVersion {
            path: path.to_path_buf(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let text = get("params")?.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    StoreParams::parse(&text).ok_or_else(|| {
        damaged(
            path,
            format!("its parameters do not decode ({text:?})"),
            None,
        )
    })
}

fn put_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
        Some(s) => {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

pub(super) fn encode_record(d: &StoredDoc) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + 8 * d.keys.len() + d.id.len());
    out.extend_from_slice(&d.exact.to_le_bytes());
    out.extend_from_slice(&d.offset.to_le_bytes());
    out.extend_from_slice(&d.len.to_le_bytes());
    out.extend_from_slice(&(d.keys.len() as u32).to_le_bytes());
    for k in &d.keys {
        out.extend_from_slice(&k.to_le_bytes());
    }
    put_str(&mut out, Some(&d.id));
    put_str(&mut out, d.source.as_deref());
    put_str(&mut out, d.date.as_deref());
    out
}

pub(super) fn decode_record(doc: DocId, bytes: &[u8]) -> Option<StoredDoc> {
    let mut r = Reader(bytes);
    let exact = r.u64()?;
    let offset = r.u64()?;
    let len = r.u32()?;
    let n = r.u32()? as usize;
    let keys = (0..n).map(|_| r.u64()).collect::<Option<Vec<u64>>>()?;
    let id = r.str()??;
    let source = r.str()?;
    let date = r.str()?;
    Some(StoredDoc {
        doc,
        id,
        source,
        date,
        exact,
        keys,
        offset,
        len,
    })
}

/// Little-endian reader over a byte slice; `None` past the end.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// `Some(None)` for an absent string, `None` for a broken record.
    fn str(&mut self) -> Option<Option<String>> {
        let n = self.u32()?;
        if n == u32::MAX {
            return Some(None);
        }
        let bytes = self.take(n as usize)?;
        Some(Some(String::from_utf8(bytes.to_vec()).ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> StoreParams {
        StoreParams::new(&Params::default(), LshParams { bands: 4, rows: 2 })
    }

    /// A well-mixed key, as band keys are.
    fn k(n: u64) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes())
    }

    fn new_doc<'a>(id: &'a str, text: &'a str, keys: &'a [u64]) -> NewDoc<'a> {
        NewDoc {
            id,
            source: Some("wire"),
            date: None,
            exact: 7,
            band_keys: keys,
            signature: &[],
            set_len: 0,
            text,
        }
    }

    #[test]
    fn documents_stored_under_chosen_numbers_leave_the_skipped_ones_unused() {
        let mut s = Store::in_memory(params()).unwrap();
        let sig: Vec<u32> = (0..s.params().num_hashes as u32).map(|v| v * 3).collect();
        let (keys_a, keys_b) = ([k(1)], [k(1), k(2)]);
        let a = new_doc("a", "first text", &keys_a);
        let b = NewDoc {
            signature: &sig,
            set_len: 40,
            exact: 9,
            ..new_doc("b", "second", &keys_b)
        };
        s.insert_docs(&[(0, a), (2, b)]).unwrap();
        assert_eq!((s.next_doc(), s.doc_count()), (3, 2));
        assert_eq!(s.lookup(&[k(1)]).unwrap(), vec![0, 2]);
        assert_eq!(s.lookup(&[k(2)]).unwrap(), vec![2]);
        assert!(s.doc(1).unwrap().is_none());
        let stored = s.doc(2).unwrap().unwrap();
        assert_eq!((stored.id.as_str(), stored.exact), ("b", 9));
        assert_eq!(s.text(&stored).unwrap(), "second");
        let sketch = s.sketch(2).unwrap();
        assert_eq!((sketch.exact, sketch.set_len), (9, 40));
        assert_eq!(sketch.low_bytes[1], 3);
        // Taken or descending numbers are refused and store nothing.
        assert!(s.insert_docs(&[(5, a), (4, b)]).is_err());
        assert!(s.insert_docs(&[(2, a)]).is_err());
        assert_eq!((s.next_doc(), s.doc_count()), (3, 2));
        s.skip_to(10);
        assert_eq!(s.insert_doc(&a).unwrap(), 10);
        s.commit().unwrap();
        assert_eq!(s.lookup(&[k(1)]).unwrap(), vec![0, 2, 10]);
    }

    #[test]
    fn documents_round_trip_through_a_commit_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx.redb");
        let mut s = Store::open_or_create(&path, params()).unwrap();
        let a = s
            .insert_doc(&new_doc("a", "first text", &[k(1), k(2)]))
            .unwrap();
        let b = s
            .insert_doc(&new_doc("b", "second", &[k(4), k(3)]))
            .unwrap();
        assert_eq!(s.lookup(&[k(2)]).unwrap(), vec![a]);
        s.set_checkpoint(&Checkpoint {
            input_lines: 2,
            ..Checkpoint::default()
        })
        .unwrap();
        s.commit().unwrap();
        drop(s);
        let mut s = Store::open_or_create(&path, params()).unwrap();
        assert_eq!(s.doc_count(), 2);
        assert_eq!(s.checkpoint().unwrap().unwrap().input_lines, 2);
        let d = s.doc(b).unwrap().unwrap();
        assert_eq!(d.id, "b");
        assert_eq!(s.text(&d).unwrap(), "second");
        assert_eq!(s.lookup(&[k(3), k(1)]).unwrap(), vec![a, b]);
        assert_eq!(s.find_id("a").unwrap()[0].doc, a);
        s.remove_doc(&d).unwrap();
        assert_eq!(s.lookup(&[k(3)]).unwrap(), Vec::<DocId>::new());
        assert_eq!(s.doc_count(), 1);
    }

    #[test]
    fn deferred_keys_of_buckets_sharing_a_slot_are_told_apart() {
        let mut s = Store::in_memory(params()).unwrap();
        // Same slot, other buckets: equal low bits of `key >> 16`, and
        // within a bucket the low 16 bits do not matter.
        let a = k(1);
        let b = a ^ (1 << (RECENT_SLOT_BITS + 16));
        let a2 = a ^ 0xFFFF;
        assert_eq!(s.recent.slot(a >> 16), s.recent.slot(b >> 16));
        assert_ne!(a >> 16, b >> 16);
        let (ka, kb) = ([a], [b]);
        s.insert_docs(&[(0, new_doc("a", "x", &ka)), (1, new_doc("b", "y", &kb))])
            .unwrap();
        s.load_pages([a, b]).unwrap();
        let mut out = Vec::new();
        for (key, want) in [(a, vec![0]), (b, vec![1]), (a2, vec![0])] {
            s.lookup_loaded(&[key], &mut out);
            assert_eq!(out, want, "key {key:x}");
        }
        assert_eq!(
            s.lookup_many(&[vec![a], vec![b, a]]),
            vec![vec![0], vec![0, 1]]
        );
        // Applied to their pages, the same.
        assert_eq!(s.lookup(&[b]).unwrap(), vec![1]);
        assert_eq!(s.lookup(&[a2]).unwrap(), vec![0]);
    }

    #[test]
    fn deferred_keys_runs_and_compaction_agree_with_a_plain_map() {
        use std::collections::{BTreeMap, BTreeSet};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx.redb");
        let mut s = Store::open_or_create(&path, params()).unwrap();
        let mut expected: BTreeMap<u64, BTreeSet<DocId>> = BTreeMap::new();
        let mut docs = Vec::new();
        let ids: Vec<String> = (0..600).map(|i| format!("d{i}")).collect();
        // 12 commits: more than MAX_RUNS runs per group, then compaction;
        // removals force compaction too.
        for round in 0..12u64 {
            for i in 0..50u64 {
                let n = round * 50 + i;
                // A key of its own, one shared by its round, one by all
                // (k(0) is the exact-text key of `new_doc`'s hash 7).
                let n = n + 1;
                let keys = [k(n), k(100_000 + round), k(200_000)];
                let id = s
                    .insert_doc(&new_doc(&ids[n as usize - 1], "text", &keys))
                    .unwrap();
                for key in keys {
                    expected.entry(key).or_default().insert(id);
                }
                docs.push(id);
                // Deferred keys are found before they reach their pages.
                let mut out = Vec::new();
                s.load_pages([k(n), k(200_000)]).unwrap();
                s.lookup_loaded(&[k(n)], &mut out);
                assert_eq!(out, vec![id]);
                assert_eq!(
                    s.lookup_many(&[vec![k(200_000)]])[0].len(),
                    expected[&k(200_000)].len()
                );
            }
            if round % 5 == 4 {
                let d = s.doc(docs[round as usize * 50]).unwrap().unwrap();
                for key in &d.keys {
                    if let Some(set) = expected.get_mut(key) {
                        set.remove(&d.doc);
                    }
                }
                s.remove_doc(&d).unwrap();
            }
            s.commit().unwrap();
        }
        let check = |s: &mut Store| {
            for (key, set) in &expected {
                let found = s.lookup(&[*key]).unwrap();
                assert_eq!(
                    found,
                    set.iter().copied().collect::<Vec<_>>(),
                    "key {key:x}"
                );
            }
        };
        check(&mut s);
        drop(s);
        let mut s = Store::open(&path).unwrap();
        check(&mut s);
        assert_eq!(s.doc_count(), 600 - 2);
        // Entries: three keys, the exact-text key and the id key a document.
        assert_eq!(s.stats().unwrap().keys, (600 - 2) * 5);
    }

    #[test]
    fn uncommitted_work_is_lost_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx.redb");
        let mut s = Store::open_or_create(&path, params()).unwrap();
        s.insert_doc(&new_doc("a", "kept", &[k(1)])).unwrap();
        s.commit().unwrap();
        s.insert_doc(&new_doc("b", "lost", &[k(1)])).unwrap();
        drop(s);
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.doc_count(), 1);
        assert_eq!(s.lookup(&[k(1)]).unwrap().len(), 1);
    }

    #[test]
    fn other_parameters_are_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx.redb");
        drop(Store::open_or_create(&path, params()).unwrap());
        let other = StoreParams {
            shingle_size: 5,
            ..params()
        };
        let err = Store::open_or_create(&path, other).unwrap_err().to_string();
        assert!(err.contains("idx.redb"), "{err}");
        assert!(err.contains("shingle-size=3") && err.contains("shingle-size=5"));
    }

    #[test]
    fn another_format_version_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx.redb");
        let mut s = Store::open_or_create(&path, params()).unwrap();
        s.put_meta("format-version", &99u32.to_le_bytes()).unwrap();
        s.commit().unwrap();
        drop(s);
        let err = Store::open(&path).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "index {}: written by index format 99; this copydesk reads format \
                 {FORMAT_VERSION}; it is newer than this copydesk: read it with a copydesk that \
                 reads format 99",
                path.display()
            )
        );
    }

    #[test]
    fn merge_sorted_agrees_with_sort_and_dedup() {
        let cases: [(&[u64], &[u64]); 6] = [
            (&[], &[]),
            (&[], &[1, 2, 2]),
            (&[1, 5, 9], &[]),
            (&[1, 5, 9], &[0, 5, 10]),
            (&[2, 4, 6, 8], &[1, 3, 5, 7, 9]),
            (&[3, 3, 4], &[3, 4, 4]),
        ];
        for (page, add) in cases {
            let mut want: Vec<u64> = page.iter().chain(add).copied().collect();
            want.sort_unstable();
            want.dedup();
            let mut got = page.to_vec();
            got.dedup();
            merge_sorted(&mut got, add.iter().copied());
            assert_eq!(got, want, "{page:?} + {add:?}");
        }
    }

    #[test]
    fn interpolated_search_agrees_with_partition_point() {
        // Hash values, as the pages hold.
        let mut count = 0u64;
        let mut next = || {
            count += 1;
            xxh3_64_with_seed(&count.to_le_bytes(), 7)
        };
        for n in [0, 1, 2, 3, 7, 70, 700] {
            let mut uniform: Vec<u64> = (0..n).map(|_| next()).collect();
            uniform.sort_unstable();
            // Skewed pages (all entries in a corner, many equal) must be
            // answered right too, only slower.
            let skewed: Vec<u64> = (0..n as u64).map(|i| i / 3).collect();
            for page in [&uniform, &skewed] {
                let mut probes: Vec<u64> = page.clone();
                probes.extend(page.iter().map(|e| e.wrapping_add(1)));
                probes.extend([0, 1, u64::MAX, u64::MAX / 2]);
                probes.extend((0..50).map(|_| next()));
                for lo in probes {
                    assert_eq!(
                        first_at_least(page, lo),
                        page.partition_point(|&e| e < lo),
                        "n {n} lo {lo}"
                    );
                }
            }
        }
    }

    #[test]
    fn records_survive_encoding() {
        let d = StoredDoc {
            doc: 3,
            id: "x".into(),
            source: None,
            date: Some("2016-02-11".into()),
            exact: 9,
            keys: vec![1, 2, 3],
            offset: 5,
            len: 6,
        };
        assert_eq!(decode_record(3, &encode_record(&d)), Some(d));
        assert_eq!(decode_record(3, &[1, 2, 3]), None);
    }
}
