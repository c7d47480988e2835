//! Step 6 of the check (see the module docs of [`check`](super)): every
//! sketch chunk has the right size, each stored document's sketch holds
//! its exact-text hash, and documents not stored have none.

use std::collections::HashSet;
use std::path::Path;

use redb::ReadableTable;

use super::tables::{table, DocInfo};
use super::CheckReport;
use crate::error::Result;
use crate::index::store::{self, StoreParams, SKETCH_CHUNK_BITS};
use crate::index::DocId;

/// Every sketch chunk has its size, every stored document's sketch holds
/// its exact-text hash, and no other number has one.
pub(super) fn check_sketches(
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
