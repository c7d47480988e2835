//! A snapshot of the streaming model's answers, without its counters.

use super::model::{read_u32, read_u64, take, MixMap};
use super::{flags_where, BoilerplateLookup};

/// The answers of a [`BoilerplateModel`](super::BoilerplateModel) at one moment, without its
/// counters: each source's page count and the segments recurring in it
/// then, and the widespread segments. Its [`BoilerplateLookup`] answers
/// are the model's when the snapshot was taken. The filter signs documents
/// in parallel under one while its model learns. A copy of the whole model
/// (megabytes of counters, two of them kept) cost about as much to take
/// every 1,024 lines as this scan of it, but its look-ups missed the cache
/// where the recurring segments are a few kilobytes, and it was stored
/// whole at commits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoilerplateSnapshot {
    pub(super) sources: MixMap<String, SnapshotSource>,
    /// Widespread segments for pages without a source, each with whether
    /// it is widespread for pages with one too.
    pub(super) widespread: MixMap<u64, bool>,
    pub(super) docs: u32,
    pub(super) min_docs: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct SnapshotSource {
    pub(super) docs: u32,
    pub(super) recurring: MixMap<u64, ()>,
}

impl BoilerplateLookup for BoilerplateSnapshot {
    fn source_docs(&self, source: &str) -> u64 {
        self.sources.get(source).map_or(0, |c| u64::from(c.docs))
    }

    fn min_docs(&self) -> u32 {
        self.min_docs
    }

    fn docs(&self) -> u64 {
        u64::from(self.docs)
    }

    fn boilerplate_flags(&self, source: Option<&str>, segments: &[u64]) -> Vec<bool> {
        let recurring = source
            .and_then(|s| self.sources.get(s))
            .map(|c| &c.recurring)
            .filter(|r| !r.is_empty());
        if recurring.is_none() && self.widespread.is_empty() {
            return Vec::new();
        }
        flags_where(segments, |h| {
            recurring.is_some_and(|r| r.contains_key(h))
                || self
                    .widespread
                    .get(h)
                    .is_some_and(|&for_all| for_all || source.is_none())
        })
    }
}

impl BoilerplateSnapshot {
    /// Recurring and widespread segments kept, over all sources.
    pub fn entries(&self) -> usize {
        self.sources
            .values()
            .map(|c| c.recurring.len())
            .sum::<usize>()
            + self.widespread.len()
    }

    /// Serialises the snapshot (little-endian: its page count and
    /// [`BoilerplateLookup::min_docs`]; each
    /// source in name order with its page count and recurring segments;
    /// the widespread segments, each with whether it holds for pages with
    /// a source).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.docs.to_le_bytes());
        out.extend_from_slice(&self.min_docs.to_le_bytes());
        let mut names: Vec<&String> = self.sources.keys().collect();
        names.sort_unstable();
        out.extend_from_slice(&(names.len() as u64).to_le_bytes());
        for name in names {
            let c = &self.sources[name];
            out.extend_from_slice(&(name.len() as u64).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&c.docs.to_le_bytes());
            out.extend_from_slice(&(c.recurring.len() as u64).to_le_bytes());
            for h in c.recurring.keys() {
                out.extend_from_slice(&h.to_le_bytes());
            }
        }
        out.extend_from_slice(&(self.widespread.len() as u64).to_le_bytes());
        for (h, &for_all) in &self.widespread {
            out.extend_from_slice(&h.to_le_bytes());
            out.push(u8::from(for_all));
        }
        out
    }

    /// Reads what [`BoilerplateSnapshot::encode`] wrote; `None` when the
    /// bytes are not such a snapshot.
    pub fn decode(bytes: &[u8]) -> Option<BoilerplateSnapshot> {
        let mut r = bytes;
        let mut snap = BoilerplateSnapshot {
            docs: read_u32(&mut r)?,
            min_docs: read_u32(&mut r)?,
            ..BoilerplateSnapshot::default()
        };
        for _ in 0..read_u64(&mut r)? {
            let len = usize::try_from(read_u64(&mut r)?).ok()?;
            let name = String::from_utf8(take(&mut r, len)?.to_vec()).ok()?;
            let docs = read_u32(&mut r)?;
            let n = usize::try_from(read_u64(&mut r)?).ok()?;
            let mut recurring =
                MixMap::with_capacity_and_hasher(n.min(r.len() / 8), Default::default());
            for _ in 0..n {
                recurring.insert(read_u64(&mut r)?, ());
            }
            snap.sources
                .insert(name, SnapshotSource { docs, recurring });
        }
        for _ in 0..read_u64(&mut r)? {
            let h = read_u64(&mut r)?;
            let for_all = match take(&mut r, 1)?[0] {
                0 => false,
                1 => true,
                _ => return None,
            };
            snap.widespread.insert(h, for_all);
        }
        r.is_empty().then_some(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boilerplate::{BoilerplateModel, BoilerplateParams};

    #[test]
    fn a_snapshot_answers_as_the_model_did() {
        let params = BoilerplateParams {
            max_entries: 900,
            ..BoilerplateParams::default()
        };
        let mut m = BoilerplateModel::new(params.clone());
        // Chrome on every page, a block on every fourth, articles once, a
        // widespread footer.
        for d in 0..300u64 {
            let mut s: Vec<u64> = (0..20).map(|j| 1_000_000 + d * 100 + j).collect();
            s.extend(1..=5);
            if d % 4 == 0 {
                s.extend(50..=52);
            }
            m.observe(Some(&format!("site-{}", d % 3)), &s, &[77, 2_000_000 + d]);
        }
        let snap = m.snapshot();
        let queries: Vec<u64> = (0..80).chain(1_000_000..1_030_000).collect();
        let check = |snap: &BoilerplateSnapshot| {
            for site in [
                Some("site-0"),
                Some("site-1"),
                Some("site-2"),
                Some("nowhere"),
                None,
            ] {
                if let Some(s) = site {
                    assert_eq!(snap.source_docs(s), m.source_docs(s), "{site:?}");
                }
                let flags = m.boilerplate_flags(site, &queries);
                assert_eq!(flags, snap.boilerplate_flags(site, &queries), "{site:?}");
                for (q, f) in queries.iter().zip(&flags) {
                    assert_eq!(*f, m.is_boilerplate(site, *q), "{site:?} {q}");
                }
                assert!(flags.is_empty() || flags.contains(&true), "{site:?}");
            }
        };
        check(&snap);
        assert!(snap.entries() >= 3 * 8 && snap.entries() < m.entries());
        assert!(m.is_boilerplate(None, 77));
        // Stored and read back, the snapshot and the whole model.
        let back = BoilerplateSnapshot::decode(&snap.encode()).unwrap();
        assert_eq!(back, snap);
        check(&back);
        assert!(BoilerplateSnapshot::decode(&snap.encode()[1..]).is_none());
        let model_back = BoilerplateModel::decode(&m.encode(), params).unwrap();
        assert_eq!(model_back.entries(), m.entries());
        assert_eq!(model_back.snapshot(), snap);
        // A later observation changes the model, not the snapshot.
        m.observe(Some("site-0"), &[1_000_000], &[]);
        assert_eq!(snap.source_docs("site-0"), 100);
    }
}
