//! The pipeline of [`run_with`](super::run_with): one batch's trip
//! through the phases, and what runs beside it. While a batch is gathered
//! and decided, the next one is signed on the preparation pool and the
//! batch before is stored; while its lines are written out its kept
//! documents are stored and, at a refresh point, the model's snapshot is
//! taken; a commit overlaps the next batch's preparation. Each overlap is
//! deliberate and measured: see the comments at each.

use std::path::PathBuf;
use std::sync::Arc;

use crate::boilerplate::BoilerplateSnapshot;
use crate::error::{Error, Result};
use crate::index::store::Store;
use crate::index::{DocId, LshParams};

use super::decide::Decided;
use super::emit::emit;
use super::feed::Feed;
use super::io::{Sink, StreamPosition};
use super::prepare::{resign_changed, sign, Ahead, Prepared};
use super::state::{checkpoint, is_young, store_kept, Unstored};
use super::{next_refresh, Decision, Filter, FilterOptions, OnError, Summary};

/// The loop of [`run_with`](super::run_with) over a run's batches: the
/// filter, the index and the outputs, and what one batch leaves to the
/// next.
pub(super) struct Run<'a> {
    pub(super) opts: &'a FilterOptions,
    pub(super) f: Filter<'a>,
    pub(super) store: &'a mut Store,
    pub(super) kept: &'a mut dyn Sink,
    pub(super) dropped: Option<&'a mut dyn Sink>,
    pub(super) decisions: &'a mut dyn FnMut(&Decision),
    /// The decisions' parallel steps.
    pub(super) decide_pool: &'a rayon::ThreadPool,
    /// The preparation of what comes next, at background priority.
    pub(super) prep_pool: &'a rayon::ThreadPool,
    /// The inputs' names, for errors and the dropped log.
    pub(super) names: Vec<PathBuf>,
    /// The inputs as a checkpoint names them.
    pub(super) identity: String,
    pub(super) lsh: LshParams,
    pub(super) summary: Summary,
    /// Lines decided since the last commit.
    pub(super) since_commit: u64,
    /// Position after the last line decided (for a checkpoint before a bad line).
    pub(super) done_at: StreamPosition,
    /// A decided batch whose documents are stored with the next one.
    pub(super) unstored: Option<Unstored>,
}

/// Where a batch leaves the run, worked out before it is decided.
struct BatchPlan {
    /// Lines seen over the index's lifetime after the batch.
    seen_after: u64,
    /// Lines since the last commit after the batch.
    since_after: u64,
    /// Lines the next batch may hold (`None`: the run stops after this one).
    next_cap: Option<u64>,
    /// True when the boilerplate snapshot is refreshed after the batch.
    refresh: bool,
    /// Where a commit after this batch checkpoints (after its last line).
    batch_end: StreamPosition,
    /// True when the index is committed after the batch.
    commit_now: bool,
    /// True when the batch's kept documents may be stored with the next
    /// batch's decisions.
    can_defer: bool,
}

impl Run<'_> {
    /// The batch `ahead` holds, signed under the current snapshot.
    pub(super) fn signed(&self, ahead: Ahead) -> Vec<Prepared> {
        let (f, opts, lsh, decide_pool) = (&self.f, self.opts, self.lsh, self.decide_pool);
        match ahead {
            Ahead::Parsed(parsed) => decide_pool.install(|| sign(&f.snapshot, opts, parsed, lsh)),
            Ahead::Signed(mut batch, signed_with) => {
                if !Arc::ptr_eq(&signed_with, &f.snapshot) {
                    // Signed before a refresh: sign again only what the
                    // refreshed boilerplate changes.
                    decide_pool.install(|| resign_changed(&f.snapshot, opts, &mut batch, lsh));
                }
                batch
            }
        }
    }

    /// Decides `batch`, writes its lines and stores its kept documents (at
    /// once, or while the next batch is decided) while the next batch is
    /// taken from `feed` and signed; commits when a commit is due. Returns
    /// the next batch, or the error of a bad line that stops the run
    /// (after a commit before it).
    pub(super) fn step(&mut self, feed: &mut Feed, mut batch: Vec<Prepared>) -> Result<Ahead> {
        // Stop before the first malformed or oversized line unless
        // skipping them.
        let failure = self.split_failure(&mut batch);
        let plan = self.plan(&batch, &failure);
        // The snapshot the next batch is signed with (checked against
        // the current one when it is decided: a refresh may come between).
        let snapshot = Arc::clone(&self.f.snapshot);
        // The next batch is taken from the feed here, on this thread:
        // waiting for the feed inside a rayon job could deadlock (a
        // worker waiting in the feed's own parallel analysis may pick
        // that job up and block under it).
        let parsed_next = match plan.next_cap {
            Some(cap) => feed.take(cap)?,
            None => Vec::new(),
        };
        let mut next = None;
        // The kept documents get numbers from here on (after those of
        // the batch before, stored or not).
        let next_id = self
            .unstored
            .as_ref()
            .map_or(self.store.next_doc(), Unstored::next_id);
        let (opts, lsh, prep_pool) = (self.opts, self.lsh, self.prep_pool);
        let deferred = prep_pool.in_place_scope(|scope| {
            // The next batch is signed while this one is decided.
            let next = &mut next;
            scope.spawn(move |_| {
                *next = Some(Ahead::Signed(
                    sign(&snapshot, opts, parsed_next, lsh),
                    snapshot,
                ));
            });
            let decided = self.decide_batch(&batch, next_id)?;
            // This batch's documents are stored with the next batch's
            // loop, unless the index is committed after it, or one of
            // them is young (a refresh signs young documents again from
            // the store).
            let defer = plan.can_defer
                && !decided.kept_order.iter().any(|&i| {
                    (batch[i].doc.as_ref())
                        .is_ok_and(|d| is_young(&self.f.snapshot, d.source.as_deref()))
                });
            let refreshed = self.write_batch(&batch, &decided, defer, plan.refresh)?;
            self.f.seen = plan.seen_after;
            // A refresh point was reached (batches end at them, or at
            // window ends past them with preferred sources).
            if let Some(snapshot) = refreshed {
                let f = &mut self.f;
                f.snapshot = snapshot;
                f.snapshot_is_model = true;
                f.snapshot_dirty = true;
                f.resign_young(self.store)?;
            }
            // Commits overlap the next batch's preparation too.
            if plan.commit_now {
                self.commit(plan.batch_end, false)?;
            }
            Ok::<_, Error>(defer.then_some(decided))
        });
        let ahead = next.unwrap_or(Ahead::Parsed(Vec::new()));
        self.since_commit = if plan.commit_now { 0 } else { plan.since_after };
        self.summary.lines += batch.len() as u64;
        self.summary.bytes += batch.iter().map(|p| p.line.bytes()).sum::<u64>();
        match deferred? {
            Some(decided) => {
                self.unstored = Some(Unstored {
                    batch,
                    decided,
                    first_id: next_id,
                    keys: std::mem::take(&mut self.f.batch_keys),
                });
            }
            // Freeing a batch's thousands of buffers is left to a
            // preparation thread.
            None => {
                prep_pool.spawn(move || drop(batch));
            }
        }
        self.done_at = plan.batch_end;
        if let Some((err, before)) = failure {
            self.commit(before, false)?;
            return Err(err);
        }
        Ok(ahead)
    }

    /// Cuts `batch` before its first malformed or oversized line when
    /// they are errors ([`OnError::Fail`]): that line's error, and the
    /// position before it.
    fn split_failure(&self, batch: &mut Vec<Prepared>) -> Option<(Error, StreamPosition)> {
        let (opts, done_at) = (self.opts, self.done_at);
        let mut failure = None;
        if opts.on_error == OnError::Fail {
            if let Some(i) = batch
                .iter()
                .position(|p| p.doc.is_err() && !p.line.is_blank())
            {
                let bad = batch.split_off(i).swap_remove(0);
                let before = batch.last().map_or(done_at, |p| p.line.end);
                let path = self.names[bad.line.file].clone();
                let error = match bad.line.too_long {
                    Some(size) => Error::TooLarge {
                        path,
                        line: Some(bad.line.line),
                        size: Some(size.content),
                        limit: opts.max_doc_bytes,
                    },
                    None => Error::JsonLine {
                        path,
                        line: bad.line.line,
                        message: bad.doc.err().unwrap_or_default(),
                    },
                };
                failure = Some((error, before));
            }
        }
        failure
    }

    /// Where `batch` leaves the run: lines seen, whether a refresh or a
    /// commit follows it, the next batch's size.
    fn plan(&self, batch: &[Prepared], failure: &Option<(Error, StreamPosition)>) -> BatchPlan {
        let (f, opts, done_at) = (&self.f, self.opts, self.done_at);
        let interval = opts.commit_interval(self.store.doc_count());
        let seen_after = f.seen + batch.len() as u64;
        let since_after = self.since_commit + batch.len() as u64;
        let next_cap = failure.is_none().then(|| {
            let since = if since_after >= interval {
                0
            } else {
                since_after
            };
            f.batch_cap(seen_after, since, interval)
        });
        let refresh = next_refresh(f.seen) <= seen_after;
        let batch_end = batch.last().map_or(done_at, |p| p.line.end);
        let commit_now = failure.is_none() && since_after >= interval;
        let can_defer = failure.is_none() && !commit_now;
        BatchPlan {
            seen_after,
            since_after,
            next_cap,
            refresh,
            batch_end,
            commit_now,
            can_defer,
        }
    }

    /// Gathers the candidates of `batch` in parallel, then decides it one
    /// line after the other while the batch before, when its documents are
    /// not stored yet, is stored.
    fn decide_batch(&mut self, batch: &[Prepared], next_id: DocId) -> Result<Decided> {
        let (decide_pool, prep_pool) = (self.decide_pool, self.prep_pool);
        let Run {
            f, store, unstored, ..
        } = self;
        // The decisions' parallel steps run on their own threads: in
        // the shared pool they would queue behind the analysis of the
        // next batch and the decisions would wait for all of it.
        let gathered = decide_pool.install(|| f.gather(store, batch, unstored.as_ref()))?;
        // The batch before, when its documents are not stored yet,
        // is stored while this one's serial loop runs (which does
        // not touch the store); one after the other, both were on
        // the decisions' path.
        let before = unstored.take();
        let mut young = std::mem::take(&mut f.young);
        let snapshot_now = Arc::clone(&f.snapshot);
        let (decided, stored_before) = decide_pool.install(|| {
            rayon::join(
                || f.decide(batch, gathered, next_id),
                || match &before {
                    Some(u) => store_kept(store, &snapshot_now, &mut young, &u.batch, &u.decided),
                    None => Ok(()),
                },
            )
        });
        f.young = young;
        stored_before?;
        if let Some(u) = before {
            prep_pool.spawn(move || drop(u));
        }
        Ok(decided)
    }

    /// Writes the lines of a decided batch out ([`emit`]) while, unless
    /// `defer`, its kept documents are stored and, at a `refresh` point,
    /// the model's snapshot is taken; returns that snapshot.
    fn write_batch(
        &mut self,
        batch: &[Prepared],
        decided: &Decided,
        defer: bool,
        refresh: bool,
    ) -> Result<Option<Arc<BoilerplateSnapshot>>> {
        let (opts, decide_pool) = (self.opts, self.decide_pool);
        let Run {
            f,
            store,
            kept,
            dropped,
            decisions,
            names,
            summary,
            ..
        } = self;
        // Otherwise they are stored (and their records put into the
        // transaction) while the batch's lines are written out.
        let mut stored = Ok(());
        // At a refresh point the model's snapshot is taken meanwhile
        // too (on the decisions' path it was a twentieth of a run).
        let mut refreshed = None;
        let emitted = decide_pool.in_place_scope(|s| {
            let (store, stored) = (&mut **store, &mut stored);
            let (young, snapshot) = (&mut f.young, &f.snapshot);
            if !defer {
                s.spawn(move |_| {
                    *stored = store_kept(store, snapshot, young, batch, decided);
                });
            }
            if refresh {
                let (model, refreshed) = (&f.model, &mut refreshed);
                s.spawn(move |_| *refreshed = Some(Arc::new(model.snapshot())));
            }
            emit(
                opts,
                decide_pool,
                names,
                batch,
                decided,
                &mut **kept,
                dropped,
                summary,
                &mut **decisions,
            )
        });
        emitted?;
        stored?;
        Ok(refreshed)
    }

    /// Stores the documents of the last batch, when they are not stored yet.
    pub(super) fn store_unstored(&mut self) -> Result<()> {
        if let Some(u) = self.unstored.take() {
            let (store, f) = (&mut *self.store, &mut self.f);
            self.decide_pool
                .install(|| store_kept(store, &f.snapshot, &mut f.young, &u.batch, &u.decided))?;
        }
        Ok(())
    }

    /// Makes the outputs durable and commits the index with a checkpoint
    /// at input position `at` (see [`Filter::commit`]).
    pub(super) fn commit(&mut self, at: StreamPosition, finished: bool) -> Result<()> {
        let cp = checkpoint(
            self.identity.clone(),
            &*self.kept,
            &self.dropped,
            finished,
            at,
        );
        self.f
            .commit(self.store, &mut *self.kept, &mut self.dropped, cp)
    }
}
