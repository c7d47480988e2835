//! Sketches: what the store keeps in RAM of each document to judge a
//! candidate before reading its record (exact hash, set size, signature
//! low bytes), stored in chunks of 2^[`SKETCH_CHUNK_BITS`] documents.

use redb::ReadableTable;

use super::format::SKETCHES;
use super::Store;
use crate::error::Result;
use crate::index::DocId;

/// Documents per sketch chunk (2^8 = 256): a chunk of 128-value sketches
/// is 35 KB, read in one row when a candidate of it is first looked at.
pub const SKETCH_CHUNK_BITS: u32 = 8;
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
    /// [`NewDoc::set_len`](super::NewDoc::set_len) gave it.
    pub set_len: u32,
    /// Low byte of each signature value.
    pub low_bytes: &'a [u8],
}
impl Store {
    /// Bytes of one sketch: exact hash, set size, one byte per value.
    pub(super) fn sketch_width(&self) -> usize {
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
    pub(super) fn set_sketch(
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
}

/// Bytes of one sketch of `num_hashes` values: exact hash, set size, one
/// byte per value.
pub(in crate::index) fn sketch_width(num_hashes: usize) -> usize {
    12 + num_hashes
}

/// The chunk holding `doc`'s sketch and the sketch's bytes in it, for
/// sketches of `width` bytes.
pub(super) fn sketch_slot(doc: DocId, width: usize) -> (usize, std::ops::Range<usize>) {
    let at = (doc & ((1 << SKETCH_CHUNK_BITS) - 1)) as usize * width;
    ((doc >> SKETCH_CHUNK_BITS) as usize, at..at + width)
}

/// Writes the sketch `(exact, set_len, signature)` into `slot` of the
/// loaded `sketches` and marks its chunk dirty: no signature (or one of
/// another width than `num_hashes`) gives set size 0.
pub(super) fn put_sketch(
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
