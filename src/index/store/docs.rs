//! Documents in the store: the record of each (external id, source,
//! date, keys, where its text lies), its exact-text and id keys, and its
//! text in the texts file. Inserting files a document's keys, record,
//! text and sketch at once; removing takes them out.

use std::collections::HashMap;

use redb::ReadableTable;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::errors::{index_error, redb_error, unreadable_record};
use super::format::{Reader, DOCS};
use super::sketches::{put_sketch, sketch_slot};
use super::Store;
use crate::error::Result;
use crate::index::DocId;

/// Seed domain of exact-text keys (band keys use seeds `0..bands`).
const EXACT_SEED: u64 = 1 << 32;
/// Seed domain of external-id keys.
const ID_SEED: u64 = (1 << 32) + 1;
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
    /// bytes are kept ([`Sketch`](super::Sketch)) to estimate similarity before the
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
    pub(in crate::index) offset: u64,
    /// Its length in bytes.
    pub(in crate::index) len: u32,
}
impl Store {
    /// The bucket key of an exact-text hash.
    pub fn exact_key(exact: u64) -> u64 {
        xxh3_64_with_seed(&exact.to_le_bytes(), EXACT_SEED)
    }

    /// The bucket key of an external id.
    pub fn id_key(id: &str) -> u64 {
        xxh3_64_with_seed(id.as_bytes(), ID_SEED)
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
}

/// Every bucket key of a document: its bands, then its exact-text and id
/// keys.
fn doc_keys<'a>(doc: &NewDoc<'a>) -> impl Iterator<Item = u64> + 'a {
    let extra = [Store::exact_key(doc.exact), Store::id_key(doc.id)];
    doc.band_keys.iter().copied().chain(extra)
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

pub(in crate::index) fn encode_record(d: &StoredDoc) -> Vec<u8> {
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

pub(in crate::index) fn decode_record(doc: DocId, bytes: &[u8]) -> Option<StoredDoc> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{k, new_doc, params};
    use super::*;
    use crate::index::store::Checkpoint;

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
