//! The persistent index reader on damaged files.
//!
//! Each input damages a copy of the checked-in valid index
//! (`tests/fixtures/store-v4.redb`: three documents, a checkpoint, the
//! filter's model blob) in one of four ways, chosen by its first byte:
//!
//! 0. the rest of the input is the whole database file;
//! 1. the rest is a list of patches (offset, bytes) to the valid database;
//! 2. the rest is the `.texts` file beside the valid database;
//! 3. the rest picks rows to write into the valid database's tables
//!    through redb (meta values such as counters, parameters, format
//!    version and checkpoint; document records; bucket runs; sketch
//!    chunks, the filter's blobs), so the store's own decoders see
//!    arbitrary values.
//!
//! Then `Store::open` and every read a command makes (stats, checkpoint,
//! the filter's state and snapshot decoded, each record, its text, id and
//! key look-ups, sketches), then an insert and a commit. Asserts: no
//! panic, no abort; only errors.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use copydesk::boilerplate::{BoilerplateModel, BoilerplateSnapshot};
use copydesk::filter::boilerplate_params;
use copydesk::index::store::{NewDoc, Store};
use copydesk::index::texts::TextLog;
use libfuzzer_sys::fuzz_target;
use redb::TableDefinition;

// The store's tables, as src/index/store.rs defines them.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const BUCKETS: TableDefinition<u64, &[u8]> = TableDefinition::new("bucket-runs");
const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
const SKETCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("sketches");
const BLOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("blobs");

/// The filter's blobs (src/filter/mod.rs): its state (lines seen, young
/// documents, then the boilerplate model) and its boilerplate snapshot.
fn blob_name(state: bool) -> &'static str {
    if state {
        "filter-state"
    } else {
        "filter-snapshot"
    }
}

/// Records read back at most (a damaged counter may claim billions).
const MAX_DOCS_READ: u64 = 16;

/// The checked-in index of format version 4 (tests/fixtures/README.md):
/// three documents, a checkpoint, the filter's model blob.
const VALID_DB: &[u8] = include_bytes!("../../tests/fixtures/store-v4.redb");
const VALID_TEXTS: &[u8] = include_bytes!("../../tests/fixtures/store-v4.redb.texts");

struct Fixture {
    _dir: tempfile::TempDir,
    /// Where each input's copy goes.
    path: PathBuf,
    texts: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // `Store::open` turns redb's panics on some damaged files into
        // errors (catch_unwind); libfuzzer-sys's panic hook would abort on
        // those caught panics too. redb also panics on damaged pages that
        // later reads reach (FUZZING.md, finding 5, not fixed): those are
        // let through to `exercise`, which counts them as known; any other
        // panic aborts at once, a crash.
        drop(std::panic::take_hook());
        std::panic::set_hook(Box::new(|info| {
            let in_redb = info.location().is_some_and(|l| l.file().contains("/redb-"));
            if !in_redb {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("fuzz.redb");
        let texts = TextLog::path_of(&path);
        Fixture {
            _dir: dir,
            path,
            texts,
        }
    })
}

#[derive(Debug, Arbitrary)]
enum Row {
    Meta(MetaKey, Vec<u8>),
    RemoveMeta(MetaKey),
    Doc(u8, Vec<u8>),
    /// A record as the store writes it, with chosen numbers.
    Record {
        doc: u8,
        offset: u64,
        len: u32,
        keys: Vec<u64>,
        id: Vec<u8>,
    },
    Bucket(u64, Vec<u8>),
    Sketch(u64, Vec<u8>),
    /// The filter's state or boilerplate snapshot.
    Blob(bool, Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum MetaKey {
    FormatVersion,
    Params,
    Counters,
    Checkpoint,
}

impl MetaKey {
    fn name(&self) -> &'static str {
        match self {
            MetaKey::FormatVersion => "format-version",
            MetaKey::Params => "params",
            MetaKey::Counters => "counters",
            MetaKey::Checkpoint => "checkpoint",
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    match mode % 4 {
        0 => {
            write(&f.path, rest);
            write(&f.texts, b"");
        }
        1 => {
            let mut db = VALID_DB.to_vec();
            patch(&mut db, rest);
            write(&f.path, &db);
            write(&f.texts, VALID_TEXTS);
        }
        2 => {
            write(&f.path, VALID_DB);
            write(&f.texts, rest);
        }
        _ => {
            write(&f.path, VALID_DB);
            write(&f.texts, VALID_TEXTS);
            if write_rows(&f.path, rest).is_err() {
                return;
            }
        }
    }
    // A panic here comes from redb (see the hook above).
    let _ = std::panic::catch_unwind(|| exercise(&f.path));
});

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("a temporary file");
}

/// Applies patches: 4 bytes of offset (modulo the length), 1 byte of
/// length, then that many bytes; to the end of the input.
fn patch(db: &mut [u8], mut rest: &[u8]) {
    while rest.len() >= 5 {
        let at = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize % db.len();
        let n = usize::from(rest[4]).min(rest.len() - 5).min(db.len() - at);
        db[at..at + n].copy_from_slice(&rest[5..5 + n]);
        rest = &rest[5 + n..];
    }
}

/// Writes the rows the input picks into the index at `path` through redb.
fn write_rows(path: &Path, input: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    let rows = Vec::<Row>::arbitrary_take_rest(Unstructured::new(input))?;
    let db = redb::Database::open(path)?;
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        let mut docs = txn.open_table(DOCS)?;
        let mut buckets = txn.open_table(BUCKETS)?;
        let mut sketches = txn.open_table(SKETCHES)?;
        let mut blobs = txn.open_table(BLOBS)?;
        for row in &rows {
            match row {
                Row::Meta(k, v) => {
                    meta.insert(k.name(), v.as_slice())?;
                }
                Row::RemoveMeta(k) => {
                    meta.remove(k.name())?;
                }
                Row::Doc(doc, v) => {
                    docs.insert(u64::from(*doc % 8), v.as_slice())?;
                }
                Row::Record {
                    doc,
                    offset,
                    len,
                    keys,
                    id,
                } => {
                    let mut v = Vec::new();
                    v.extend_from_slice(&7u64.to_le_bytes());
                    v.extend_from_slice(&offset.to_le_bytes());
                    v.extend_from_slice(&len.to_le_bytes());
                    v.extend_from_slice(&(keys.len() as u32).to_le_bytes());
                    for k in keys {
                        v.extend_from_slice(&k.to_le_bytes());
                    }
                    v.extend_from_slice(&(id.len() as u32).to_le_bytes());
                    v.extend_from_slice(id);
                    v.extend_from_slice(&u32::MAX.to_le_bytes());
                    v.extend_from_slice(&u32::MAX.to_le_bytes());
                    docs.insert(u64::from(*doc % 8), v.as_slice())?;
                }
                Row::Bucket(k, v) => {
                    buckets.insert(*k, v.as_slice())?;
                }
                Row::Sketch(k, v) => {
                    sketches.insert(*k, v.as_slice())?;
                }
                Row::Blob(state, v) => {
                    blobs.insert(blob_name(*state), v.as_slice())?;
                }
            }
        }
    }
    txn.commit()?;
    Ok(())
}

/// Opens the index and reads what commands read; only errors may come.
fn exercise(path: &Path) {
    let Ok(mut store) = Store::open(path) else {
        return;
    };
    let _ = store.stats();
    let _ = store.checkpoint();
    if let Ok(Some(state)) = store.blob(blob_name(true)) {
        // The model follows the lines seen, the young count and the
        // young documents.
        let young = state.get(8..16).map_or(0, |n| {
            u64::from_le_bytes(n.try_into().expect("8 bytes")).min(1 << 20) as usize
        });
        if let Some(model) = state.get(16 + 8 * young..) {
            let _ = BoilerplateModel::decode(model, boilerplate_params());
        }
    }
    if let Ok(Some(snapshot)) = store.blob(blob_name(false)) {
        let _ = BoilerplateSnapshot::decode(&snapshot);
    }
    let _ = store.params().to_string();
    let next = store.next_doc();
    let docs: Vec<u64> = (0..next.min(MAX_DOCS_READ)).collect();
    if let Ok(records) = store.records_of(&docs) {
        for d in records.values() {
            let _ = store.text(d);
            let _ = store.lookup(&d.keys);
            let _ = store.find_id(&d.id);
        }
    }
    for &doc in &docs {
        if let Ok(Some(d)) = store.doc(doc) {
            let _ = store.text(&d);
        }
    }
    if store.load_sketches(&docs).is_ok() {
        for &doc in &docs {
            let _ = store.sketch(doc);
        }
    }
    let _ = store.lookup(&[0x1234_5678, 0xFFFF_FFFF_FFFF_FFFF, 1 << 63]);
    let keys = [0x0123_4567_89ab_cdef];
    let signature = vec![3; store.params().num_hashes.min(4096)];
    let inserted = store.insert_doc(&NewDoc {
        id: "fuzz-1",
        source: None,
        date: None,
        exact: 1,
        band_keys: &keys,
        signature: &signature,
        set_len: 5,
        text: "a new text",
    });
    if inserted.is_ok() {
        let _ = store.commit();
    }
}
