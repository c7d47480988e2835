//! The copy-on-write storage that step 2 of the check (see the module docs
//! of [`check`](super)) runs redb's integrity check on, so that the
//! check's repair and commit never reach the index file.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};

use redb::{BackendError, StorageBackend};

/// Bytes of a [`Scratch`] block.
const BLOCK: u64 = 4096;

/// A copy-on-write view of a database file, for redb's integrity check:
/// reads come from the file, writes (the check's repair and its commit)
/// stay in RAM, so checking never changes the index. Lock requests go to
/// the file as *shared* locks: an index held by a writer (a running
/// filter) is reported in use, and a filter started during the check
/// finds it in use, while other checks may run beside it.
#[derive(Debug)]
pub(super) struct Scratch {
    file: redb::backends::FileBackend,
    file_len: u64,
    state: Mutex<ScratchState>,
}

#[derive(Debug, Default)]
struct ScratchState {
    /// The length redb sees.
    len: u64,
    /// Bytes at and past this offset that no write covers read as zeros
    /// (the storage was cut shorter and grown again); below it, from the
    /// file.
    from_file: u64,
    /// Blocks written, by number.
    blocks: HashMap<u64, Box<[u8]>>,
}

impl Scratch {
    pub(super) fn new(file: File) -> io::Result<Scratch> {
        let file_len = file.metadata()?.len();
        let file = redb::backends::FileBackend::new(file).map_err(io::Error::other)?;
        Ok(Scratch {
            file,
            file_len,
            state: Mutex::new(ScratchState {
                len: file_len,
                from_file: file_len,
                blocks: HashMap::new(),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, ScratchState> {
        // A panic while holding the lock leaves plain bytes behind.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fills `out` with the file's bytes at `offset` (zeros where the file
    /// shows none), ignoring written blocks.
    fn read_file(&self, st: &ScratchState, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let visible = self.file_len.min(st.from_file);
        let n = (visible.saturating_sub(offset) as usize).min(out.len());
        if n > 0 {
            self.file.read(offset, &mut out[..n])?;
        }
        out[n..].fill(0);
        Ok(())
    }
}

impl StorageBackend for Scratch {
    fn len(&self) -> io::Result<u64> {
        Ok(self.state().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let st = self.state();
        let end = offset
            .checked_add(out.len() as u64)
            .filter(|&end| end <= st.len)
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        let blocks = offset / BLOCK..end.div_ceil(BLOCK);
        if blocks.clone().all(|b| !st.blocks.contains_key(&b)) {
            return self.read_file(&st, offset, out);
        }
        for b in blocks {
            let (lo, hi) = (offset.max(b * BLOCK), end.min((b + 1) * BLOCK));
            let dst = &mut out[(lo - offset) as usize..(hi - offset) as usize];
            match st.blocks.get(&b) {
                Some(block) => dst
                    .copy_from_slice(&block[(lo - b * BLOCK) as usize..(hi - b * BLOCK) as usize]),
                None => self.read_file(&st, lo, dst)?,
            }
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut st = self.state();
        if len < st.len {
            st.blocks.retain(|&b, _| b * BLOCK < len);
            if let Some(block) = st.blocks.get_mut(&(len / BLOCK)) {
                block[(len % BLOCK) as usize..].fill(0);
            }
            st.from_file = st.from_file.min(len);
        }
        st.len = len;
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut st = self.state();
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        for b in offset / BLOCK..end.div_ceil(BLOCK) {
            if !st.blocks.contains_key(&b) {
                let mut block = vec![0; BLOCK as usize].into_boxed_slice();
                self.read_file(&st, b * BLOCK, &mut block)?;
                st.blocks.insert(b, block);
            }
            let (lo, hi) = (offset.max(b * BLOCK), end.min((b + 1) * BLOCK));
            let block = st.blocks.get_mut(&b).expect("inserted just above");
            block[(lo - b * BLOCK) as usize..(hi - b * BLOCK) as usize]
                .copy_from_slice(&data[(lo - offset) as usize..(hi - offset) as usize]);
        }
        st.len = st.len.max(end);
        Ok(())
    }

    fn close(&self) -> io::Result<()> {
        self.file.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.file.try_lock_shared_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.file.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.lock_shared_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.file.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.file.query_lock_range(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_reads_the_file_and_keeps_writes_in_ram() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let original: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &original).unwrap();
        let s = Scratch::new(File::open(&path).unwrap()).unwrap();
        let mut out = vec![0; 100];
        s.read(4090, &mut out).unwrap();
        assert_eq!(out, original[4090..4190]);
        s.write(4095, b"abc").unwrap();
        s.read(4090, &mut out).unwrap();
        assert_eq!(&out[..5], &original[4090..4095]);
        assert_eq!(&out[5..8], b"abc");
        assert_eq!(&out[8..], &original[4098..4190]);
        // Cut short and grown again: the cut bytes read as zeros.
        s.set_len(5000).unwrap();
        assert!(s.read(4999, &mut [0; 2]).is_err());
        s.set_len(12_000).unwrap();
        let mut tail = vec![1; 7000];
        s.read(5000, &mut tail).unwrap();
        assert!(tail.iter().all(|&b| b == 0));
        s.write(11_000, b"end").unwrap();
        s.read(4095, &mut out[..3]).unwrap();
        assert_eq!(&out[..3], b"abc");
        // The file itself is untouched.
        assert_eq!(std::fs::read(&path).unwrap(), original);
    }
}
