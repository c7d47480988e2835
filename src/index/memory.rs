//! An in-memory index of band keys: a hash map from band key to documents,
//! the reference the store's candidates are tested against.

use std::collections::HashMap;

use super::{DocId, LshParams};
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

    /// The banding this index uses.
    pub fn lsh(&self) -> LshParams {
        self.lsh
    }

    /// Adds a document's signature.
    pub fn insert(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        for key in self.lsh.band_keys(sig) {
            self.buckets.entry(key).or_default().push(id);
        }
        self.docs += 1;
        Ok(())
    }

    /// Documents sharing at least one band with `sig`, ascending, each once.
    pub fn query(&self, sig: &Signature) -> Result<Vec<DocId>> {
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

    /// Takes a document out (its signature says which buckets hold it).
    pub fn remove(&mut self, id: DocId, sig: &Signature) -> Result<()> {
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

    /// Number of documents indexed.
    pub fn len(&self) -> Result<usize> {
        Ok(self.docs)
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.docs == 0)
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
