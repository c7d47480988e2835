//! In-memory [`CandidateIndex`]: a hash map from band key to documents.

use std::collections::HashMap;

use super::{CandidateIndex, DocId, LshParams};
use crate::error::Result;
use crate::minhash::Signature;

/// Band-key buckets held in memory.
#[derive(Debug, Clone)]
pub struct MemoryIndex {
    lsh: LshParams,
    buckets: HashMap<u64, Vec<DocId>>,
    docs: usize,
}

impl MemoryIndex {
    /// An empty index with the given banding.
    pub fn in_memory(lsh: LshParams) -> MemoryIndex {
        MemoryIndex {
            lsh,
            buckets: HashMap::new(),
            docs: 0,
        }
    }
}

impl CandidateIndex for MemoryIndex {
    fn lsh(&self) -> LshParams {
        self.lsh
    }

    fn insert(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        for key in self.lsh.band_keys(sig) {
            self.buckets.entry(key).or_default().push(id);
        }
        self.docs += 1;
        Ok(())
    }

    fn query(&self, sig: &Signature) -> Result<Vec<DocId>> {
        let mut out: Vec<DocId> = self
            .lsh
            .band_keys(sig)
            .filter_map(|key| self.buckets.get(&key))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn remove(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        let mut found = false;
        for key in self.lsh.band_keys(sig) {
            if let Some(ids) = self.buckets.get_mut(&key) {
                let before = ids.len();
                ids.retain(|&d| d != id);
                found |= ids.len() != before;
                if ids.is_empty() {
                    self.buckets.remove(&key);
                }
            }
        }
        if found {
            self.docs -= 1;
        }
        Ok(())
    }

    fn len(&self) -> Result<usize> {
        Ok(self.docs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_query_remove() {
        let lsh = LshParams { bands: 4, rows: 2 };
        let mut idx = MemoryIndex::in_memory(lsh);
        let a = Signature(vec![1, 2, 3, 4, 5, 6, 7, 8]);
        let b = Signature(vec![1, 2, 9, 9, 9, 9, 9, 9]);
        let c = Signature(vec![0; 8]);
        idx.insert(1, &a).unwrap();
        idx.insert(2, &b).unwrap();
        assert_eq!(idx.query(&a).unwrap(), vec![1, 2]);
        assert!(idx.query(&c).unwrap().is_empty());
        idx.remove(1, &a).unwrap();
        assert_eq!(idx.query(&a).unwrap(), vec![2]);
        assert_eq!(idx.len().unwrap(), 1);
    }
}
