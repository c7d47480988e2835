//! The on-disk format of the store: the format version, the redb tables,
//! the parameters, checkpoint and counters kept in `meta`, and the
//! little-endian reader the encodings share. A change here is a change of
//! [`FORMAT_VERSION`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use redb::{ReadableTable, TableDefinition};

use super::buckets::PAGE_BITS;
use super::errors::{damaged, redb_error};
use crate::error::{Error, Result};
use crate::index::{DocId, LshParams};
use crate::params::Params;

/// Version of the on-disk layout; bumped on any incompatible change. The
/// fixture `tests/fixtures/store-v4.redb` pins it. Version 1 stored whole
/// bucket pages, one row each; version 2 kept texts in the database and
/// had no sketches; version 3 signed bodies without the page's own
/// furniture taken out and kept no corpus-wide boilerplate counts (its
/// keys and sketches would not match a version 4 body's). Opening any of
/// them is a clear error: rebuild the index.
pub const FORMAT_VERSION: u32 = 4;
pub(in crate::index) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Bucket runs: key `(group << 32) | run`, value: the entries a commit
/// added to the group's pages (or, for a compacted run, all of them).
pub(in crate::index) const BUCKETS: TableDefinition<u64, &[u8]> =
    TableDefinition::new("bucket-runs");
pub(in crate::index) const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
pub(in crate::index) const BLOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("blobs");
/// Sketches: key chunk number, value the sketches of its
/// 2^[`SKETCH_CHUNK_BITS`] documents (see [`Sketch`]).
pub(in crate::index) const SKETCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("sketches");
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
    pub(super) fn encode(&self) -> Vec<u8> {
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

    pub(in crate::index) fn decode(bytes: &[u8]) -> Option<Checkpoint> {
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
pub(in crate::index) struct Counters {
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
    pub(in crate::index) fn decode(bytes: &[u8]) -> Option<Counters> {
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
/// The format version and parameters recorded in the `meta` table of the
/// index at `path`. Another format version is [`Error::IndexVersion`].
pub(in crate::index) fn read_header(
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
/// Little-endian reader over a byte slice; `None` past the end.
pub(super) struct Reader<'a>(pub(super) &'a [u8]);

impl Reader<'_> {
    pub(super) fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    pub(super) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(super) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// `Some(None)` for an absent string, `None` for a broken record.
    pub(super) fn str(&mut self) -> Option<Option<String>> {
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
    use super::super::tests::params;
    use super::*;
    use crate::index::store::Store;

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
}
