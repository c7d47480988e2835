//! The store's band-key candidates agree with the in-memory reference
//! index, and the checked-in store fixture still opens.

use copydesk::filter::{self, FilterOptions};
use copydesk::index::memory::MemoryIndex;
use copydesk::index::store::{Store, StoreParams, FORMAT_VERSION};
use copydesk::index::LshParams;
use copydesk::minhash::Signature;
use copydesk::shingle::ShingleSet;
use copydesk::{Params, Tokens};

const LSH: LshParams = LshParams { bands: 16, rows: 4 };

fn signature(text: &str) -> Signature {
    let hashes: Vec<u64> = Tokens::new(text).hashes().collect();
    let set = ShingleSet::from_token_hashes(&hashes, 3);
    Signature::from_shingles(set.as_slice(), 64)
}

fn texts() -> Vec<String> {
    let base = "the health secretary said the new contract would be imposed on junior doctors \
                working for the NHS in England from next summer after talks broke down";
    let mut v = vec![base.to_string()];
    v.push(base.replace("summer", "autumn"));
    v.push(base.replace("health secretary", "prime minister"));
    v.push("a completely different story about the weather in the north and trains".into());
    v.push("another unrelated text about football results and the league table today".into());
    v
}

/// The one suite the store and the in-memory index must pass (a macro:
/// the two share their method names, not a trait).
macro_rules! suite {
    ($index:expr) => {{
        let index = $index;
        let sigs: Vec<Signature> = texts().iter().map(|t| signature(t)).collect();
        assert!(index.is_empty().unwrap());
        for (i, s) in sigs.iter().enumerate() {
            index.insert(i as u64, s).unwrap();
        }
        assert_eq!(index.len().unwrap(), sigs.len());
        let mut answers: Vec<Vec<u64>> = sigs.iter().map(|s| index.query(s).unwrap()).collect();
        for (i, a) in answers.iter().enumerate() {
            assert!(a.contains(&(i as u64)), "a document finds itself");
            assert!(a.windows(2).all(|w| w[0] < w[1]), "ascending, each once");
        }
        index.remove(1, &sigs[1]).unwrap();
        assert_eq!(index.len().unwrap(), sigs.len() - 1);
        let after = index.query(&sigs[1]).unwrap();
        assert!(!after.contains(&1));
        answers.push(after);
        answers
    }};
}

#[test]
fn memory_and_store_return_the_same_candidates() {
    let params = StoreParams::new(&Params::default(), LSH);
    let mut memory = MemoryIndex::in_memory(LSH);
    let mut in_memory_store = Store::in_memory(params).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut disk = Store::open_or_create(&dir.path().join("i.redb"), params).unwrap();
    let a = suite!(&mut memory);
    let b = suite!(&mut in_memory_store);
    let c = suite!(&mut disk);
    assert_eq!(a, b);
    assert_eq!(a, c);
    // The near copies find the base text.
    assert!(a[0].contains(&1) && a[0].contains(&2), "{:?}", a[0]);
    assert_eq!(a[3], vec![3]);
    // And the store still answers the same after a commit and a reopen.
    disk.commit().unwrap();
    drop(disk);
    let disk = Store::open(&dir.path().join("i.redb")).unwrap();
    assert_eq!(
        disk.query(&signature(&texts()[0])).unwrap(),
        a[0].iter().copied().filter(|&d| d != 1).collect::<Vec<_>>()
    );
}

#[test]
fn indexes_of_older_format_versions_are_a_clear_error() {
    // Version 1 stored each bucket page whole; version 2 kept the texts in
    // the database and had no sketches; version 3 signed bodies with the
    // page's furniture in them.
    for version in [1, 2, 3] {
        let name = format!("store-v{version}.redb");
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(&name);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(&name);
        std::fs::copy(&src, &path).unwrap();
        let texts = src.with_extension("redb.texts");
        if texts.exists() {
            std::fs::copy(&texts, path.with_extension("redb.texts")).unwrap();
        }
        let opts = FilterOptions::default();
        let err = Store::open_or_create(&path, opts.store_params())
            .unwrap_err()
            .to_string();
        let p = path.display();
        assert_eq!(
            err,
            format!(
                "index {p}: written by index format {version}; this copydesk reads format \
                 {FORMAT_VERSION}; rebuild it: remove {p} and {p}.texts, then run filter again \
                 over the stream"
            )
        );
    }
}

#[test]
fn fixture_of_format_version_4_still_opens() {
    assert_eq!(
        FORMAT_VERSION, 4,
        "format changed: add a store-v5 fixture and test"
    );
    // The index and its texts file travel together.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store-v4.redb");
    std::fs::copy(fixtures.join("store-v4.redb"), &path).unwrap();
    std::fs::copy(
        fixtures.join("store-v4.redb.texts"),
        dir.path().join("store-v4.redb.texts"),
    )
    .unwrap();
    let opts = FilterOptions::default();
    let mut store = Store::open_or_create(&path, opts.store_params()).unwrap();
    assert_eq!(store.doc_count(), 2);
    let wire = store.find_id("wire-1").unwrap().remove(0);
    assert_eq!(wire.source.as_deref(), Some("wire"));
    assert_eq!(wire.date.as_deref(), Some("2016-02-11"));
    assert!(store
        .text(&wire)
        .unwrap()
        .starts_with("Junior doctors in England"));
    assert!(
        store.find_id("paper-1").unwrap().is_empty(),
        "the copy was dropped"
    );
    let cp = store.checkpoint().unwrap().unwrap();
    assert!(cp.finished);
    assert_eq!(cp.input_lines, 3);
    assert_eq!(filter::state(&store).unwrap().lines_seen, 3);
    let text = store.text(&wire).unwrap();
    let found = filter::query(&mut store, &text, None, &opts).unwrap();
    assert_eq!(found[0].doc.id, "wire-1");
    assert_eq!(found[0].reason, Some(filter::Reason::Exact));
    // Every structure decodes and agrees, the filter's boilerplate snapshot
    // included (the first v4 fixture held one the filter could not read).
    drop(store);
    let report = filter::check_index(&path).unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
    assert!(report.texts_hashed);
}

/// A copy of the checked-in index (and its texts file) in a temporary
/// directory, with `damage` applied to the database's and the texts
/// file's bytes.
fn damaged_fixture(
    damage: impl FnOnce(&mut Vec<u8>, &mut Vec<u8>),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut db = std::fs::read(fixtures.join("store-v4.redb")).unwrap();
    let mut texts = std::fs::read(fixtures.join("store-v4.redb.texts")).unwrap();
    damage(&mut db, &mut texts);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store-v4.redb");
    std::fs::write(&path, db).unwrap();
    std::fs::write(dir.path().join("store-v4.redb.texts"), texts).unwrap();
    (dir, path)
}

/// redb panics (`unreachable!` in its B-tree cursor) opening a file whose
/// table-tree page is zeroed; opening a damaged index is an error (found
/// by the `index` fuzz target; issue 14).
#[test]
fn zeroed_table_page_is_an_error_not_a_panic_fuzz_index() {
    // The fixture's layout changes when it is made again, so every page's
    // first bytes are zeroed in turn: opening never panics, and a page
    // redb must read at open gives the damaged-index error.
    let pages = std::fs::metadata(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v4.redb"),
    )
    .unwrap()
    .len() as usize
        / 0x1000;
    let mut refused = 0;
    for page in 1..pages {
        let at = page * 0x1000;
        let (_dir, path) = damaged_fixture(|db, _| db[at..at + 0x40].fill(0));
        let opened = std::panic::catch_unwind(|| Store::open(&path).map(|_| ()));
        match opened {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                refused += 1;
                assert!(e.to_string().contains("index"), "{e}");
            }
            Err(_) => panic!("opening with page {page} zeroed panicked"),
        }
    }
    assert!(refused > 0, "no zeroed page was refused at open");
}
