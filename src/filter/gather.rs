//! Gather: what deciding a batch needs, found and read in parallel before
//! the serial loop. Each line's candidates among the stored documents and
//! those of the batch before (still unstored, found through its
//! [`BatchKeys`]), judged first by their sketches; the likely ones read
//! back and analysed ([`Candidate`]); the batch's own bodies under the
//! model as the batch begins ([`BodyCache`]). Out: [`Gathered`].

use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::boilerplate::BoilerplateModel;
use crate::error::Result;
use crate::index::store::{Store, StoredDoc};
use crate::index::{DocId, SlotChains};
use crate::shingle::ShingleSet;

use super::decide::{estimate_low_bytes, Outcome};
use super::prepare::Prepared;
use super::state::Unstored;
use super::Filter;

/// A stored document read back as a candidate.
pub(super) struct Candidate {
    /// The caller's id.
    pub(super) id: String,
    pub(super) source: Option<String>,
    pub(super) text: String,
    pub(super) analysis: Analysis,
    /// Its body under the model as the batch began.
    pub(super) body: BodyCache,
    /// All its shingles, when a template check needed them.
    pub(super) full: OnceLock<ShingleSet>,
}

/// A body and the boilerplate segments it was made without.
#[derive(Clone)]
pub(super) struct BodyCache {
    pub(super) bad: Vec<bool>,
    pub(super) body: ShingleSet,
}

/// The body of `analysis` for boilerplate segments `bad`, with them.
fn body_of(analysis: &Analysis, bad: Vec<bool>, k: usize) -> BodyCache {
    let body = ShingleSet::from_hashes(analysis.content_of(&bad, k));
    BodyCache { bad, body }
}

/// The body of `analysis` under `model`, reusing `cache` (computed in
/// parallel with an earlier state of the model) when the same segments are
/// boilerplate now: the body is then the same set.
pub(super) fn body_cached<'a>(
    analysis: &Analysis,
    cache: Option<&'a BodyCache>,
    model: &BoilerplateModel,
    source: Option<&str>,
    k: usize,
) -> std::borrow::Cow<'a, BodyCache> {
    let bad = analysis.bad_segments(model, source);
    match cache {
        Some(c) if c.bad == bad => std::borrow::Cow::Borrowed(c),
        _ => std::borrow::Cow::Owned(body_of(analysis, bad, k)),
    }
}

/// Keys of the documents kept in the batch being decided -> their batch
/// positions: entries chained by key in a [`SlotChains`] (no allocation
/// per key; the hash map it replaced was a hundredth of the filter's CPU,
/// on the serial loop).
pub(super) struct BatchKeys {
    chains: SlotChains,
    /// (key, batch position), in the order added.
    entries: Vec<(u64, usize)>,
}

/// [`BatchKeys`] has `1 << BATCH_KEY_SLOT_BITS` slots: a batch keeps at
/// most [`BATCH_DOCS`](super::BATCH_DOCS) documents of some fifty keys (a window with
/// preferred sources, more: longer chains).
const BATCH_KEY_SLOT_BITS: u32 = 16;

impl Default for BatchKeys {
    fn default() -> BatchKeys {
        BatchKeys {
            chains: SlotChains::new(BATCH_KEY_SLOT_BITS),
            entries: Vec::new(),
        }
    }
}

impl BatchKeys {
    /// Empties it, keeping its memory for the next batch.
    pub(super) fn clear(&mut self) {
        self.chains.clear();
        self.entries.clear();
    }

    pub(super) fn add(&mut self, key: u64, at: usize) {
        self.chains.push(key);
        self.entries.push((key, at));
    }

    pub(super) fn get(&self, key: u64, out: &mut Vec<usize>) {
        out.extend(self.chains.chain(key).filter_map(|e| {
            let (k, at) = self.entries[e];
            (k == key).then_some(at)
        }));
    }
}

/// What [`Filter::gather`] found for a batch.
pub(super) struct Gathered {
    /// Each line's keys to look up (its bands and exact key).
    pub(super) lookups: Vec<Vec<u64>>,
    /// Each line's candidates among the documents kept before the batch,
    /// ascending.
    pub(super) found_before: Vec<Vec<DocId>>,
    /// Those worth verifying, read and analysed.
    pub(super) candidates: HashMap<DocId, Candidate>,
    /// The bodies of the lines with candidates, under the model as the
    /// batch began.
    pub(super) fresh: Vec<Option<BodyCache>>,
}

impl Filter<'_> {
    /// Finds, reads and analyses in parallel what deciding `batch` needs:
    /// its candidates among the stored documents and among those of
    /// `unstored` (the batch before, when its kept documents are not
    /// stored yet: found through its keys, as the store would find them),
    /// and its own bodies.
    pub(super) fn gather(
        &self,
        store: &mut Store,
        batch: &[Prepared],
        unstored: Option<&Unstored>,
    ) -> Result<Gathered> {
        // Candidates already in the store, read and analysed in parallel.
        store.settle_keys()?;
        store.load_pages(
            batch
                .iter()
                .flat_map(|p| p.keys.iter().copied().chain([p.exact_key])),
        )?;
        // Candidates among the documents stored before this batch, looked
        // up in parallel; documents kept in this batch are found below
        // through `batch_keys`.
        let lookups: Vec<Vec<u64>> = batch
            .iter()
            .map(|p| {
                if p.doc.is_ok() {
                    let mut keys = Vec::with_capacity(p.keys.len() + 1);
                    keys.extend_from_slice(&p.keys);
                    keys.push(p.exact_key);
                    keys
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut found_before = store.lookup_many(&lookups);
        // Numbers from `first_unstored` on are the unstored batch's; they
        // follow every stored one, so each list stays ascending.
        let first_unstored = unstored.map_or(store.next_doc(), |u| u.first_id);
        if let Some(u) = unstored {
            let mut local = Vec::new();
            for (f, keys) in found_before.iter_mut().zip(&lookups) {
                local.clear();
                for k in keys {
                    u.keys.get(k >> 16, &mut local);
                }
                if local.is_empty() {
                    continue;
                }
                let mut ids: Vec<DocId> = local
                    .iter()
                    .filter_map(|&j| match u.decided.outcomes[j] {
                        Outcome::Kept(id) => Some(id),
                        _ => None,
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                f.extend(ids);
            }
        }
        let found: Vec<(usize, &Vec<DocId>)> = found_before
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.is_empty())
            .collect();
        let mut ids: Vec<DocId> = found
            .iter()
            .flat_map(|(_, f)| f.iter().copied())
            .filter(|&id| id < first_unstored)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        // Judged first by their sketches (in RAM); only the likely ones
        // have their records and texts read. An unstored document is
        // judged by the sketch it will be stored with.
        store.load_sketches(&ids)?;
        let mut wanted: Vec<DocId> = Vec::new();
        let mut low = Vec::new();
        for (i, f) in &found {
            let p = &batch[*i];
            for &id in f.iter() {
                let sketch =
                    match unstored.filter(|_| id >= first_unstored) {
                        Some(u) => {
                            let q = &u.batch[u.position(id)];
                            low.clear();
                            low.extend(q.sig.iter().map(|&v| v as u8));
                            (q.sig.len() == self.opts.params.num_hashes && q.body_len > 0)
                                .then_some((q.analysis.exact, q.body_len, low.as_slice()))
                        }
                        None => store.sketch(id).map(|s| (s.exact, s.set_len, s.low_bytes)),
                    };
                let Some((exact, set_len, low_bytes)) = sketch else {
                    // No signature (an empty body): only an exact copy
                    // could match, and its exact key found it.
                    wanted.push(id);
                    continue;
                };
                let (j, c) = estimate_low_bytes(&p.sig, p.body_len, low_bytes, set_len);
                if exact == p.analysis.exact || self.worth_verifying(j, c, p.body_len, set_len) {
                    wanted.push(id);
                }
            }
        }
        wanted.sort_unstable();
        wanted.dedup();
        let unstored_wanted = wanted.split_off(wanted.partition_point(|&id| id < first_unstored));
        let mut records = store.records_of_par(&wanted)?;
        let fetched: Vec<StoredDoc> = wanted
            .into_iter()
            .filter_map(|id| records.remove(&id))
            .collect();
        let k = self.k;
        let model = &self.model;
        let mut candidates: HashMap<DocId, Candidate> = store
            .map_texts_par(fetched, |doc, text| {
                let analysis = Analysis::new(&text, k);
                let bad = analysis.bad_segments(model, doc.source.as_deref());
                let body = body_of(&analysis, bad, k);
                (
                    doc.doc,
                    Candidate {
                        id: doc.id,
                        source: doc.source,
                        text,
                        analysis,
                        body,
                        full: OnceLock::new(),
                    },
                )
            })?
            .into_iter()
            .collect();
        // The unstored batch's documents, from what it holds in RAM (the
        // analysis of its text is the one reading the stored text gives).
        if let Some(u) = unstored {
            candidates.extend(
                unstored_wanted
                    .par_iter()
                    .filter_map(|&id| {
                        let q = &u.batch[u.position(id)];
                        let d = q.doc.as_ref().ok()?;
                        let bad = q.analysis.bad_segments(model, d.source.as_deref());
                        Some((
                            id,
                            Candidate {
                                id: d.id.clone(),
                                source: d.source.clone(),
                                text: d.text.clone(),
                                analysis: q.analysis.clone(),
                                body: body_of(&q.analysis, bad, k),
                                full: OnceLock::new(),
                            },
                        ))
                    })
                    .collect::<Vec<_>>(),
            );
        }

        // The batch's own bodies under the model as the batch begins, in
        // parallel, for the documents with stored candidates to verify;
        // checked against the live model where used (the sorts were a
        // tenth of the serial loop). Other bodies are made there when
        // needed.
        let fresh: Vec<Option<BodyCache>> = batch
            .par_iter()
            .zip(&found_before)
            .map(|(p, f)| match &p.doc {
                Ok(d) if f.iter().any(|id| candidates.contains_key(id)) => {
                    let bad = p.analysis.bad_segments(model, d.source.as_deref());
                    Some(body_of(&p.analysis, bad, k))
                }
                _ => None,
            })
            .collect();
        Ok(Gathered {
            lookups,
            found_before,
            candidates,
            fresh,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_keys_sharing_a_slot_are_told_apart() {
        let mut keys = BatchKeys::default();
        let (a, b) = (
            0x1234_5678_9abc,
            0x1234_5678_9abc + (1 << BATCH_KEY_SLOT_BITS),
        );
        assert_eq!(keys.chains.slot(a), keys.chains.slot(b));
        keys.add(a, 3);
        keys.add(b, 5);
        keys.add(a, 7);
        let mut out = Vec::new();
        keys.get(a, &mut out);
        assert_eq!(out, [7, 3]);
        out.clear();
        keys.get(b, &mut out);
        assert_eq!(out, [5]);
        keys.clear();
        out.clear();
        keys.get(a, &mut out);
        assert!(out.is_empty());
    }
}
