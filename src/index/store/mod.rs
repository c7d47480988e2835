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
//!
//! The code is laid out by concern: `format.rs` holds the format version,
//! the tables, the meta entries and their encodings; `buckets.rs` the key
//! pages and runs (and the look-ups by band key); `docs.rs` the records, ids and texts of documents;
//! `sketches.rs` the per-document sketches; `errors.rs` what a redb failure
//! or a damaged structure means for the user. This file holds [`Store`]
//! itself: opening, the meta entries, blobs, the checkpoint and the commit.

mod buckets;
mod docs;
mod errors;
mod format;
mod sketches;

use std::fmt;
use std::path::{Path, PathBuf};

use redb::{ReadableDatabase, ReadableTable};

use super::texts::TextLog;
use super::DocId;
use crate::error::{Error, Result};
use buckets::{encode_run, Group, RECENT_SLOT_BITS};

pub(super) use buckets::{fragment_of, group_of, page_of, read_group, PAGES_PER_GROUP};
pub use buckets::{GROUP_BITS, MAX_RUNS, PAGE_BITS, RECENT_KEYS};
pub(super) use docs::decode_record;
#[cfg(test)]
pub(super) use docs::encode_record;
pub use docs::{NewDoc, StoredDoc};
pub(super) use errors::{damaged, file_len, missing_texts, redb_error, redb_problem, NOT_AN_INDEX};
pub(super) use format::{read_header, Counters, BLOBS, BUCKETS, DOCS, META, SKETCHES};
pub use format::{Checkpoint, StoreParams, FORMAT_VERSION};
pub(super) use sketches::sketch_width;
pub use sketches::{Sketch, SKETCH_CHUNK_BITS};

/// redb page cache. The buckets live in RAM already; the cache only serves
/// documents read back for verification, so it stays small and fixed.
pub(super) const CACHE_BYTES: usize = 16 * 1024 * 1024;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::LshParams;
    use crate::params::Params;

    pub(super) fn params() -> StoreParams {
        StoreParams::new(&Params::default(), LshParams { bands: 4, rows: 2 })
    }

    /// A well-mixed key, as band keys are.
    pub(super) fn k(n: u64) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes())
    }

    pub(super) fn new_doc<'a>(id: &'a str, text: &'a str, keys: &'a [u64]) -> NewDoc<'a> {
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
}
