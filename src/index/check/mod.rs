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
//!
//! The code is laid out by step: this file holds [`check`] itself (steps 1
//! and 2, then the report), [`Verifier`] and [`CheckReport`];
//! `scratch.rs` the copy-on-write storage step 2 runs on; `tables.rs` the
//! header, the records, the buckets, the named state and the counters
//! (steps 3 to 5, 8 and 9, and the walk that calls the other two);
//! `sketches.rs` the sketches (step 6); `texts.rs` the texts (step 7).

mod scratch;
mod sketches;
mod tables;
mod texts;

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use redb::ReadableDatabase;

use super::store::{self, StoreParams};
use super::texts::TextLog;
use super::DocId;
use crate::error::{Error, Result};
use scratch::Scratch;
use tables::check_tables;

/// Problems listed one by one; past this many they are only counted (a
/// texts file overwritten from the middle on would list every document).
pub const MAX_PROBLEMS: usize = 20;

/// What only the store's user can verify: the store keeps the exact-text
/// hash and the named state (see
/// [`Store::put_blob`](super::store::Store::put_blob)) opaque.
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

#[cfg(test)]
mod tests {
    use redb::ReadableTable;
    use xxhash_rust::xxh3::xxh3_64_with_seed;

    use super::*;
    use crate::index::store::{NewDoc, Store, FORMAT_VERSION};
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
}
