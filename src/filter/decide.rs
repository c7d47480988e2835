//! Decide: the filter's one serial step. Each line of a batch, in input
//! order, is judged against the candidates [`Filter::gather`] found and
//! the documents kept earlier in the batch, then kept (the model learns
//! from it: [`Filter::learn`]) or dropped ([`Decided`]). Also the
//! signature estimates that choose which candidates are worth verifying.

use std::collections::HashMap;

use crate::boilerplate::BoilerplateLookup;
use crate::index::DocId;
use crate::input::Document;
use crate::judge::{judge, Guard, Judgement, SameStory, Side};

use super::gather::{body_cached, BodyCache, Candidate, Gathered};
use super::prepare::Prepared;
use super::{Filter, Reason};

/// Candidates whose estimated similarity (from the stored signature) is
/// this far below both thresholds are not read back: the estimate's
/// standard error at 128 values is under 0.05, so 0.2 is four of them.
pub const PREFILTER_MARGIN: f64 = 0.2;

/// Share of [`Params::long_shared_shingles`] a candidate's estimated shared
/// shingles must reach to be judged by the long-run rule (the estimate's
/// error at 128 values and a few hundred shingles is about a tenth).
///
/// [`Params::long_shared_shingles`]: crate::params::Params::long_shared_shingles
pub const LONG_SHARED_MARGIN: f64 = 0.7;

/// What happened to a line.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Kept(DocId),
    Dropped {
        reason: Reason,
        of: Target,
        jaccard: f64,
        containment: f64,
    },
    Malformed(String),
    Blank,
}

/// The kept document a drop points at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    Stored(DocId),
    Batch(usize),
}

/// A kept document's note: it resembled a kept document (`of`) only
/// through a shared template (see [`Guard`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Note {
    pub(super) of: Target,
    pub(super) guard: Guard,
    pub(super) jaccard: f64,
    pub(super) containment: f64,
}

/// A decided batch: what happened to each line, the stored documents
/// read as candidates, and the kept documents to store.
pub(super) struct Decided {
    pub(super) outcomes: Vec<Outcome>,
    /// Per line: the note of a kept line that resembled a kept document
    /// only through a shared template.
    pub(super) notes: Vec<Option<Note>>,
    pub(super) candidates: HashMap<DocId, Candidate>,
    /// Batch positions of the documents kept, in the order they were:
    /// they got the numbers from the store's next one on, one each; a
    /// copy a preferred source replaced is among them, dropped in
    /// `outcomes`.
    pub(super) kept_order: Vec<usize>,
}

/// The judgement of two documents with the same normalised text.
fn exact_judgement() -> Judgement {
    Judgement {
        same: Some(SameStory::Exact),
        guard: None,
        jaccard: 1.0,
        containment: 1.0,
        shared: 0,
    }
}

/// The reason a drop is logged with, for how the two are the same story.
pub(super) fn reason_of(same: SameStory) -> Reason {
    match same {
        SameStory::Exact => Reason::Exact,
        SameStory::Duplicate | SameStory::NearDuplicate => Reason::NearDuplicate,
        SameStory::Contained => Reason::Contained,
    }
}

impl Filter<'_> {
    /// Decides a batch against the store and itself, from what
    /// [`Filter::gather`] found; the documents kept are numbered from
    /// `next_id` on. The model learns from each document kept as it is
    /// kept. This loop is the filter's one serial step: the documents are
    /// stored after it (by [`store_kept`](super::state::store_kept)), or while the next batch's
    /// loop runs.
    pub(super) fn decide(
        &mut self,
        batch: &[Prepared],
        gathered: Gathered,
        next_id: DocId,
    ) -> Decided {
        let Gathered {
            lookups,
            found_before,
            candidates,
            fresh,
        } = gathered;
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(batch.len());
        let mut notes: Vec<Option<Note>> = Vec::with_capacity(batch.len());
        // Bucket (top 48 bits of a key, as the store matches them) -> batch
        // positions of the documents kept in this batch holding it.
        // (Its memory is reused from batch to batch.)
        let mut batch_keys = std::mem::take(&mut self.batch_keys);
        batch_keys.clear();
        let mut local: Vec<usize> = Vec::new();
        // Numbers for the documents kept, in the order they are kept (a
        // number given to a copy a preferred source then replaced stays
        // unused, as when it was stored and removed).
        let mut next_id = next_id;
        let mut kept_order: Vec<usize> = Vec::new();
        let mut number = |i: usize| {
            kept_order.push(i);
            next_id += 1;
            next_id - 1
        };
        for (i, p) in batch.iter().enumerate() {
            let doc = match &p.doc {
                Ok(d) => d,
                Err(e) if e.is_empty() => {
                    outcomes.push(Outcome::Blank);
                    notes.push(None);
                    continue;
                }
                Err(e) => {
                    outcomes.push(Outcome::Malformed(e.clone()));
                    notes.push(None);
                    continue;
                }
            };
            local.clear();
            for k in &lookups[i] {
                batch_keys.get(k >> 16, &mut local);
            }
            local.sort_unstable();
            local.dedup();
            // Stored documents first (ascending ids), then this batch's
            // kept documents in input order: ascending ids as well.
            let stored = found_before[i].iter().map(|&id| (id, None));
            let in_batch = local.iter().filter_map(|&j| match outcomes[j] {
                Outcome::Kept(id) => Some((id, Some(j))),
                _ => None,
            });
            let mut best: Option<(Judgement, Target)> = None;
            // The strongest match a template check turned down.
            let mut guarded: Option<(Judgement, Target)> = None;
            let mut mine: Option<std::borrow::Cow<'_, BodyCache>> = None;
            for (id, at) in stored.chain(in_batch) {
                let (analysis, cache, source, full, target) = if let Some(j) = at {
                    let Ok(d) = &batch[j].doc else { continue };
                    let q = &batch[j];
                    let (je, ce) = estimate(&p.sig, p.body_len, &q.sig, q.body_len);
                    if q.analysis.exact != p.analysis.exact
                        && !self.worth_verifying(je, ce, p.body_len, q.body_len)
                    {
                        continue;
                    }
                    (
                        &q.analysis,
                        fresh[j].as_ref(),
                        d.source.as_deref(),
                        &q.full,
                        Target::Batch(j),
                    )
                } else {
                    let Some(c) = candidates.get(&id) else {
                        continue;
                    };
                    (
                        &c.analysis,
                        Some(&c.body),
                        c.source.as_deref(),
                        &c.full,
                        Target::Stored(id),
                    )
                };
                let j = if analysis.exact == p.analysis.exact {
                    exact_judgement()
                } else {
                    let mine = mine.get_or_insert_with(|| {
                        body_cached(
                            &p.analysis,
                            fresh[i].as_ref(),
                            &self.model,
                            doc.source.as_deref(),
                            self.k,
                        )
                    });
                    let theirs = body_cached(analysis, cache, &self.model, source, self.k);
                    judge(
                        &Side {
                            analysis: &p.analysis,
                            body: &mine.body,
                            bad: &mine.bad,
                            source: doc.source.as_deref(),
                            full: &p.full,
                            young: self.model.template_unlearned(doc.source.as_deref()),
                        },
                        &Side {
                            analysis,
                            body: &theirs.body,
                            bad: &theirs.bad,
                            source,
                            full,
                            young: self.model.template_unlearned(source),
                        },
                        &self.opts.params,
                    )
                };
                let slot = if j.is_same() {
                    &mut best
                } else if j.guard.is_some() {
                    &mut guarded
                } else {
                    continue;
                };
                if slot.is_none_or(|(b, _)| j.rank() > b.rank()) {
                    *slot = Some((j, target));
                }
            }
            notes.push(None);
            match best {
                Some((j, target)) => {
                    if let Target::Batch(t) = target {
                        // A batch target is always a kept document.
                        if let (true, Outcome::Kept(_)) = (self.prefers(batch, i, t), &outcomes[t])
                        {
                            // Swap: keep this copy, drop the earlier one
                            // (not stored yet).
                            let id = number(i);
                            self.learn(doc, p);
                            for k in &lookups[i] {
                                batch_keys.add(k >> 16, i);
                            }
                            outcomes[t] = Outcome::Dropped {
                                reason: Reason::PreferredSource,
                                of: Target::Batch(i),
                                jaccard: j.jaccard,
                                containment: j.containment,
                            };
                            outcomes.push(Outcome::Kept(id));
                            continue;
                        }
                    }
                    outcomes.push(Outcome::Dropped {
                        reason: reason_of(j.same.expect("a match is the same story")),
                        of: target,
                        jaccard: j.jaccard,
                        containment: j.containment,
                    });
                }
                None => {
                    let id = number(i);
                    self.learn(doc, p);
                    for k in &lookups[i] {
                        batch_keys.add(k >> 16, i);
                    }
                    outcomes.push(Outcome::Kept(id));
                    if let Some((j, of)) = guarded {
                        notes[i] = Some(Note {
                            of,
                            guard: j.guard.expect("a guarded match has a guard"),
                            jaccard: j.jaccard,
                            containment: j.containment,
                        });
                    }
                }
            }
        }
        self.batch_keys = batch_keys;
        // Drops pointing at a document later replaced point at its replacement.
        for i in 0..outcomes.len() {
            let mut hops = 0;
            while let Outcome::Dropped {
                of: Target::Batch(j),
                ..
            } = outcomes[i]
            {
                match outcomes[j] {
                    Outcome::Dropped {
                        reason: Reason::PreferredSource,
                        of,
                        ..
                    } if hops < outcomes.len() => {
                        if let Outcome::Dropped { of: o, .. } = &mut outcomes[i] {
                            *o = of;
                        }
                        hops += 1;
                    }
                    _ => break,
                }
            }
        }
        Decided {
            outcomes,
            notes,
            candidates,
            kept_order,
        }
    }

    /// True when a candidate with estimated Jaccard `j` and containment
    /// `c` (bodies of `a_len` and `b_len` shingles) is worth reading back
    /// and judging: within [`PREFILTER_MARGIN`] of a rule of the judgement.
    /// The long-run rule's low containment is asked only of pairs whose
    /// estimated shared shingles come within [`LONG_SHARED_MARGIN`] of its
    /// count: most bodies of one site share a tenth of their shingles, and
    /// reading all of them back was two thirds of a 100,000-line run.
    pub(super) fn worth_verifying(&self, j: f64, c: f64, a_len: u32, b_len: u32) -> bool {
        let p = &self.opts.params;
        let shared = c * f64::from(a_len.min(b_len));
        j >= p.near_duplicate_jaccard - PREFILTER_MARGIN
            || c >= p.near_duplicate_containment - PREFILTER_MARGIN
            || (c >= p.long_containment - PREFILTER_MARGIN
                && shared >= LONG_SHARED_MARGIN * p.long_shared_shingles as f64)
    }

    /// True when line `i` should replace kept line `j` of the same batch.
    fn prefers(&self, batch: &[Prepared], i: usize, j: usize) -> bool {
        if self.preferred.is_empty() || self.opts.window == 0 {
            return false;
        }
        let rank = |p: &Prepared| {
            p.doc
                .as_ref()
                .ok()
                .and_then(|d| d.source.as_deref())
                .and_then(|s| self.preferred.get(s).copied())
                .unwrap_or(usize::MAX)
        };
        let window = |pos: usize| (self.seen + pos as u64) / self.opts.window;
        window(i) == window(j) && rank(&batch[i]) < rank(&batch[j])
    }

    /// Teaches the model the segments of a document kept.
    fn learn(&mut self, doc: &Document, p: &Prepared) {
        if !self.opts.boilerplate {
            return;
        }
        let long = p
            .analysis
            .long_segments(self.model.params().corpus_min_words);
        self.model
            .observe(doc.source.as_deref(), &p.analysis.segs, &long);
        self.snapshot_is_model = false;
    }
}

/// Estimated Jaccard and containment (shorter in longer) of two sets from
/// their signatures and sizes.
fn estimate(a: &[u32], a_len: u32, b: &[u32], b_len: u32) -> (f64, f64) {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    similarity_of(same, a.len().min(b.len()), a_len, b_len)
}

/// [`estimate`] against a stored [`Sketch`](crate::index::store::Sketch):
/// its low bytes stand for the values (a chance agreement of low bytes
/// only raises the estimate).
pub(super) fn estimate_low_bytes(a: &[u32], a_len: u32, low: &[u8], b_len: u32) -> (f64, f64) {
    let same = a.iter().zip(low).filter(|&(&x, &y)| x as u8 == y).count();
    similarity_of(same, a.len().min(low.len()), a_len, b_len)
}

/// Jaccard and containment (shorter in longer) from `same` agreeing
/// values of `n` and the two set sizes; zero when either is empty.
fn similarity_of(same: usize, n: usize, a_len: u32, b_len: u32) -> (f64, f64) {
    if n == 0 || a_len == 0 || b_len == 0 {
        return (0.0, 0.0);
    }
    let j = same as f64 / n as f64;
    let inter = j / (1.0 + j) * f64::from(a_len + b_len);
    (j, (inter / f64::from(a_len.min(b_len))).min(1.0))
}
