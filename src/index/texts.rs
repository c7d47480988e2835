//! Document texts of a [`Store`](super::store::Store): one append-only
//! file beside the database, `<index>.texts` (or a buffer, in memory).
//!
//! Texts are most of an index's bytes and are never changed once written,
//! so they stay out of the B-tree (keys apart from values, as WiscKey
//! does): a text costs one append, and reading one back one `pread`. In
//! redb every 15 KiB block of texts was a B-tree value, copied into the
//! page cache, checksummed and written at each commit; that was a third
//! of the filter's commit and insert time.
//!
//! **Crash safety.** The database records how many bytes of the file are
//! committed ([`TextLog::committed`]), in the same transaction as the
//! records that point into them. A commit writes the buffered texts and
//! `fsync`s the file *before* the database commits; opening cuts the file
//! back to the committed length (bytes past it belong to a run that
//! crashed before its commit) and refuses a file shorter than that.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Texts buffered before they are written to the file: few enough bytes
/// that a batch's reads of its own recent texts stay in RAM, enough that
/// each write is large.
const BUFFER_BYTES: usize = 1 << 20;

/// The texts of a store.
#[derive(Debug)]
pub struct TextLog {
    file: Option<File>,
    path: PathBuf,
    /// Bytes made durable by the last commit.
    committed: u64,
    /// Bytes in the file (committed, or written since).
    written: u64,
    /// Texts appended since the last write, starting at `written` (all
    /// texts, for an in-memory log).
    buf: Vec<u8>,
    /// Length at the last [`TextLog::sync`] (or when opened): a sync with
    /// nothing appended since is skipped.
    synced: u64,
}

impl TextLog {
    /// The file of the index at `index`.
    pub fn path_of(index: &Path) -> PathBuf {
        let mut p = index.as_os_str().to_owned();
        p.push(".texts");
        PathBuf::from(p)
    }

    /// A new, empty file at `path` (an existing one is emptied).
    pub fn create(path: &Path) -> Result<TextLog> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        Ok(TextLog {
            file: Some(file),
            path: path.to_path_buf(),
            committed: 0,
            written: 0,
            buf: Vec::new(),
            synced: 0,
        })
    }

    /// The file at `path` of the index at `index`, of which `committed`
    /// bytes were committed: any bytes past them are cut off.
    pub fn open(index: &Path, path: &Path, committed: u64) -> Result<TextLog> {
        let file = File::options()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        let len = file.metadata().map_err(|e| io_error(path, e))?.len();
        if len < committed {
            return Err(Error::IndexDamaged {
                path: index.to_path_buf(),
                problem: shorter_than_committed(path, len, committed),
                source: None,
            });
        }
        if len > committed {
            file.set_len(committed).map_err(|e| io_error(path, e))?;
        }
        Ok(TextLog {
            file: Some(file),
            path: path.to_path_buf(),
            committed,
            written: committed,
            buf: Vec::new(),
            synced: committed,
        })
    }

    /// A log held in RAM.
    pub fn in_memory() -> TextLog {
        TextLog {
            file: None,
            path: PathBuf::from("<memory>"),
            committed: 0,
            written: 0,
            buf: Vec::new(),
            synced: 0,
        }
    }

    /// Bytes committed.
    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// Bytes in the log, committed or not.
    pub fn len(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    /// True when the log holds no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `text` and returns its offset.
    pub fn append(&mut self, text: &[u8]) -> Result<u64> {
        let at = self.len();
        self.buf.extend_from_slice(text);
        if self.file.is_some() && self.buf.len() >= BUFFER_BYTES {
            self.write()?;
        }
        Ok(at)
    }

    /// Writes the buffered texts to the file.
    fn write(&mut self) -> Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        if self.buf.is_empty() {
            return Ok(());
        }
        write_all_at(file, &self.buf, self.written).map_err(|e| io_error(&self.path, e))?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Writes and `fsync`s everything appended; the caller then commits
    /// the database with [`TextLog::len`] as the committed length and
    /// calls [`TextLog::committed_to`].
    pub fn sync(&mut self) -> Result<()> {
        if self.synced == self.len() {
            return Ok(());
        }
        self.write()?;
        if let Some(file) = &self.file {
            file.sync_data().map_err(|e| io_error(&self.path, e))?;
        }
        self.synced = self.len();
        Ok(())
    }

    /// Records that the database committed `len` bytes.
    pub fn committed_to(&mut self, len: u64) {
        self.committed = len;
    }

    /// The `len` bytes at `offset`; `None` when they lie past the end.
    pub fn read(&self, offset: u64, len: u32) -> Result<Option<Vec<u8>>> {
        // The offset comes from a stored record, which a damaged index may
        // hold anything in: one past `u64::MAX` is past the end too
        // (found by the `index` fuzz target; issue 14).
        let Some(end) = offset.checked_add(u64::from(len)) else {
            return Ok(None);
        };
        if end > self.len() {
            return Ok(None);
        }
        let Some(file) = &self.file else {
            return Ok(Some(self.buf[offset as usize..end as usize].to_vec()));
        };
        if offset >= self.written {
            let from = (offset - self.written) as usize;
            return Ok(Some(self.buf[from..from + len as usize].to_vec()));
        }
        // Writes take the whole buffer, so the write point always falls
        // between two texts: a text is wholly in the file or in the buffer.
        let mut out = vec![0; len as usize];
        read_exact_at(file, &mut out, offset).map_err(|e| io_error(&self.path, e))?;
        Ok(Some(out))
    }
}

/// What is wrong when the texts file at `path` holds `len` bytes but the
/// index committed `committed`.
pub(super) fn shorter_than_committed(path: &Path, len: u64, committed: u64) -> String {
    format!(
        "its texts file {} holds {len} bytes but the index committed {committed}: \
         it was truncated or replaced",
        path.display()
    )
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_write(buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
pub(super) fn read_exact_at(
    file: &File,
    mut buf: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_read(buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back_from_buffer_and_file_and_uncommitted_bytes_are_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.texts");
        let mut log = TextLog::create(&path).unwrap();
        let a = log.append(b"first text").unwrap();
        let big = vec![b'x'; BUFFER_BYTES];
        let b = log.append(&big).unwrap();
        let c = log.append("third, é".as_bytes()).unwrap();
        assert_eq!(log.read(a, 10).unwrap().unwrap(), b"first text");
        assert_eq!(log.read(b, big.len() as u32).unwrap().unwrap(), big);
        assert_eq!(log.read(c, 9).unwrap().unwrap(), "third, é".as_bytes());
        assert_eq!(log.read(c, 10).unwrap(), None);
        log.sync().unwrap();
        let committed = log.len();
        log.committed_to(committed);
        // Written after the commit, then a crash: cut on reopen.
        log.append(b"lost").unwrap();
        log.sync().unwrap();
        drop(log);
        let log = TextLog::open(Path::new("i"), &path, committed).unwrap();
        assert_eq!(log.len(), committed);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), committed);
        assert_eq!(log.read(a, 10).unwrap().unwrap(), b"first text");
        // A file shorter than the commit is an error naming the index,
        // the file and what to do.
        let err = TextLog::open(Path::new("i"), &path, committed + 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("index i: its texts file ")
                && err.contains("i.texts")
                && err.contains("truncated")
                && err.contains("rebuild it: remove i and i.texts"),
            "{err}"
        );
    }

    #[test]
    fn in_memory_log_reads_what_it_holds() {
        let mut log = TextLog::in_memory();
        let a = log.append(b"one").unwrap();
        let b = log.append(b"two").unwrap();
        assert_eq!(log.read(b, 3).unwrap().unwrap(), b"two");
        assert_eq!(log.read(a, 6).unwrap().unwrap(), b"onetwo");
        log.sync().unwrap();
        assert_eq!(log.len(), 6);
    }

    /// A record's offset near `u64::MAX` overflowed `offset + len` (a
    /// panic, or in release a wrapped end and an out-of-range slice);
    /// such a text is simply missing (found by the `index` fuzz target;
    /// issue 14).
    #[test]
    fn offset_near_the_top_of_u64_is_missing_not_a_panic_fuzz_index() {
        let mut log = TextLog::in_memory();
        log.append(b"one").unwrap();
        assert!(log.read(u64::MAX - 1, 3).unwrap().is_none());
        assert!(log.read(u64::MAX, u32::MAX).unwrap().is_none());
    }
}
