//! Steps 3 to 5, 8 and 9 of the check (see the module docs of
//! [`check`](super)): the header, the document records, the bucket groups
//! against the records' keys, the named state and the counters. Records
//! read here are kept as [`DocInfo`]s for the sketch and text steps.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

use redb::ReadableTable;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::sketches::check_sketches;
use super::texts::check_texts;
use super::{problem_text, CheckReport, Verifier, MAX_PROBLEMS};
use crate::error::{Error, Result};
use crate::index::store::{
    self, Checkpoint, Counters, Store, FORMAT_VERSION, GROUP_BITS, PAGES_PER_GROUP,
};
use crate::index::texts::{self, TextLog};
use crate::index::DocId;

/// A document as the check keeps it (its keys are folded into the bucket
/// sums as they are read).
#[derive(Debug)]
pub(super) struct DocInfo {
    pub(super) doc: DocId,
    pub(super) id: String,
    pub(super) exact: u64,
    pub(super) offset: u64,
    pub(super) len: u32,
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

/// A table of the index, or `None` when no commit created it.
pub(super) fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
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

pub(super) fn check_tables(
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
