//! State: what the filter keeps in its index besides the bucket pages.
//! The documents it kept ([`store_kept`], a batch late when it can:
//! [`Unstored`]), its state (lines seen, young documents, the live
//! boilerplate model) and boilerplate snapshot, encoded and decoded, and
//! the commits with their checkpoint ([`Filter::commit`]) a rerun resumes
//! from. Also opening and checking an index as the filter reads it
//! ([`open_index`], [`check_index`]).

use crate::boilerplate::{BoilerplateLookup, BoilerplateModel, BoilerplateSnapshot};
use crate::error::{Error, Result};
use crate::index::check::{CheckReport, Verifier};
use crate::index::store::{Checkpoint, NewDoc, Store};
use crate::index::DocId;

use super::decide::{Decided, Outcome};
use super::emit::sink_error;
use super::gather::BatchKeys;
use super::io::{InputStream, Sink, StreamPosition};
use super::prepare::Prepared;
use super::{boilerplate_params, Filter};

/// Name of the filter's state in the store: lines seen and the live model.
const STATE_BLOB: &str = "filter-state";

/// Name of the boilerplate snapshot (the model signatures use) in the store.
const SNAPSHOT_BLOB: &str = "filter-snapshot";

/// The checkpoint to resume from, when the index holds an unfinished run
/// over inputs with the same names.
pub fn resume_point(store: &Store, input: &InputStream) -> Result<Option<Checkpoint>> {
    Ok(store
        .checkpoint()?
        .filter(|cp| !cp.finished && cp.inputs == input.identity()))
}

/// Reads the part of `input` an interrupted run did (up to its checkpoint
/// `cp`) and checks it is what that run read.
pub(super) fn skip_resumed(store: &Store, input: &mut InputStream, cp: &Checkpoint) -> Result<()> {
    while input.bytes() < cp.input_bytes {
        if input.next_line()?.is_none() {
            break;
        }
    }
    if input.bytes() != cp.input_bytes || input.hash() != cp.input_hash {
        return Err(Error::Index {
            path: store.path().to_path_buf(),
            message: format!(
                "an interrupted run stopped after line {} of this input, but the input \
                 differs from what it read; finish it with the same input or use a new index",
                cp.input_lines
            ),
        });
    }
    Ok(())
}

/// A decided batch whose kept documents are stored while the next batch
/// is decided (see [`Filter::gather`]).
pub(super) struct Unstored {
    pub(super) batch: Vec<Prepared>,
    pub(super) decided: Decided,
    /// The number its first kept document got.
    pub(super) first_id: DocId,
    /// Its kept documents' keys.
    pub(super) keys: BatchKeys,
}

impl Unstored {
    /// The batch position of the document numbered `id`.
    pub(super) fn position(&self, id: DocId) -> usize {
        self.decided.kept_order[(id - self.first_id) as usize]
    }

    /// The number after the last this batch gave.
    pub(super) fn next_id(&self) -> DocId {
        self.first_id + self.decided.kept_order.len() as u64
    }
}

/// True when a document of `source` is young in `snapshot` (see
/// [`BoilerplateLookup::is_young`]).
pub(super) fn is_young(snapshot: &BoilerplateSnapshot, source: Option<&str>) -> bool {
    snapshot.is_young(source)
}

/// Stores the documents a batch kept under the numbers [`Filter::decide`]
/// gave them; those whose source the snapshot had not learned yet are
/// added to `young`.
pub(super) fn store_kept(
    store: &mut Store,
    snapshot: &BoilerplateSnapshot,
    young: &mut Vec<DocId>,
    batch: &[Prepared],
    decided: &Decided,
) -> Result<()> {
    // Past the last number given (a replaced copy's included).
    let end = store.next_doc() + decided.kept_order.len() as u64;
    let mut docs = Vec::with_capacity(decided.kept_order.len());
    for &i in &decided.kept_order {
        let (Outcome::Kept(id), Ok(doc)) = (&decided.outcomes[i], &batch[i].doc) else {
            continue;
        };
        let p = &batch[i];
        docs.push((
            *id,
            NewDoc {
                id: &doc.id,
                source: doc.source.as_deref(),
                date: doc.date.as_deref(),
                exact: p.analysis.exact,
                band_keys: &p.keys,
                signature: &p.sig,
                set_len: p.body_len,
                text: &doc.text,
            },
        ));
        if is_young(snapshot, doc.source.as_deref()) {
            young.push(*id);
        }
    }
    store.insert_docs(&docs)?;
    store.skip_to(end);
    Ok(())
}

/// The filter's state in a store: lines seen, young documents, live model.
pub(super) struct State {
    pub(super) seen: u64,
    pub(super) young: Vec<DocId>,
    pub(super) model: BoilerplateModel,
}

pub(super) fn load_state(store: &Store) -> Result<State> {
    let Some(bytes) = store.blob(STATE_BLOB)? else {
        return Ok(State {
            seen: 0,
            young: Vec::new(),
            model: BoilerplateModel::new(boilerplate_params()),
        });
    };
    decode_state(&bytes).ok_or_else(|| index_damaged(store, "the filter's state does not decode"))
}

/// The filter's state from its bytes (see [`encode_state`]).
fn decode_state(bytes: &[u8]) -> Option<State> {
    let u64_at = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?))
    };
    let seen = u64_at(0)?;
    let n = usize::try_from(u64_at(8)?).ok()?;
    let young = (0..n)
        .map(|i| u64_at(16 + 8 * i))
        .collect::<Option<Vec<_>>>()?;
    let model = BoilerplateModel::decode(bytes.get(16 + 8 * n..)?, boilerplate_params())?;
    Some(State { seen, young, model })
}

fn index_damaged(store: &Store, problem: &str) -> Error {
    Error::IndexDamaged {
        path: store.path().to_path_buf(),
        problem: problem.into(),
        source: None,
    }
}

/// Everything the filter reads from an index before its first line,
/// decoded: the checkpoint, the filter's state and its boilerplate
/// snapshot. A part that does not decode is an error naming the index.
/// The one validating step after [`Store::open`] for the filter and every
/// `copydesk index` command ([`state`], [`query`](super::query), [`open_index`]), so
/// none passes an index the filter refuses.
pub(super) fn load_all(store: &Store) -> Result<(State, Option<BoilerplateSnapshot>)> {
    store.checkpoint()?;
    Ok((load_state(store)?, load_snapshot(store)?))
}

/// Opens the existing filter index at `path` and reads what the filter
/// reads before its first line (its checkpoint, state and boilerplate
/// snapshot): an index this returns is one the filter opens too.
/// ([`check_index`] verifies all the rest.)
pub fn open_index(path: &std::path::Path) -> Result<Store> {
    let store = Store::open(path)?;
    load_all(&store)?;
    Ok(store)
}

/// Checks every structure of the filter index at `path` without changing
/// it ([`check::check`](crate::index::check::check)), with what only the
/// filter can verify: each text against its exact-text hash, and the
/// filter's state and boilerplate snapshot.
pub fn check_index(path: &std::path::Path) -> Result<CheckReport> {
    crate::index::check::check(path, &FilterVerifier)
}

/// The filter's part of [`check_index`].
struct FilterVerifier;

impl Verifier for FilterVerifier {
    fn exact_hash(&self, text: &str) -> Option<u64> {
        Some(crate::analysis::exact_hash(text))
    }

    fn check_blob(&self, name: &str, bytes: &[u8], next_doc: DocId) -> Option<String> {
        match name {
            STATE_BLOB => {
                match decode_state(bytes) {
                    None => Some("the filter's state does not decode".into()),
                    Some(state) => state.young.iter().find(|&&d| d >= next_doc).map(|d| {
                        format!("the filter's state names document {d}, past the last one")
                    }),
                }
            }
            SNAPSHOT_BLOB if !bytes.is_empty() && BoilerplateSnapshot::decode(bytes).is_none() => {
                Some("the filter's boilerplate snapshot does not decode".into())
            }
            _ => None,
        }
    }
}

/// The bytes of the filter's state (see [`load_state`]).
fn encode_state(seen: u64, young: &[DocId], model: &BoilerplateModel) -> Vec<u8> {
    let mut bytes = seen.to_le_bytes().to_vec();
    bytes.extend((young.len() as u64).to_le_bytes());
    for d in young {
        bytes.extend(d.to_le_bytes());
    }
    bytes.extend(model.encode());
    bytes
}

/// The stored boilerplate snapshot; `None` when it is the live model
/// (no blob, or an empty one: see [`Filter::commit`]).
fn load_snapshot(store: &Store) -> Result<Option<BoilerplateSnapshot>> {
    match store.blob(SNAPSHOT_BLOB)? {
        None => Ok(None),
        Some(bytes) if bytes.is_empty() => Ok(None),
        Some(bytes) => BoilerplateSnapshot::decode(&bytes)
            .map(Some)
            .ok_or_else(|| {
                index_damaged(store, "the filter's boilerplate snapshot does not decode")
            }),
    }
}

/// The checkpoint at input position `at` (after the last line decided).
pub(super) fn checkpoint(
    inputs: String,
    kept: &dyn Sink,
    dropped: &Option<&mut dyn Sink>,
    finished: bool,
    at: StreamPosition,
) -> Checkpoint {
    Checkpoint {
        inputs,
        input_bytes: at.bytes,
        input_lines: at.lines,
        input_hash: at.hash,
        kept_bytes: kept.position(),
        dropped_bytes: dropped.as_ref().map_or(0, |d| d.position()),
        finished,
    }
}

impl Filter<'_> {
    /// Makes the outputs durable, then commits the index with `cp`.
    pub(super) fn commit(
        &mut self,
        store: &mut Store,
        kept: &mut dyn Sink,
        dropped: &mut Option<&mut dyn Sink>,
        cp: Checkpoint,
    ) -> Result<()> {
        kept.sync().map_err(|e| sink_error(e, "output"))?;
        if let Some(d) = dropped.as_deref_mut() {
            d.sync().map_err(|e| sink_error(e, "dropped log"))?;
        }
        // The snapshot is stored as an empty blob when it equals the live
        // model, as at commits that follow a refresh (the automatic
        // commits of a stream read from its start: both land on multiples
        // of 1,024 lines); that saves encoding and writing a second model
        // of megabytes. Otherwise both are encoded at once.
        let write_snapshot =
            !self.snapshot_is_model && (self.snapshot_dirty || self.stored_as_model);
        // The model is encoded while the store files its deferred keys and
        // waits for the texts' fsync.
        let ((state, snapshot), prepared) = rayon::join(
            || {
                rayon::join(
                    || encode_state(self.seen, &self.young, &self.model),
                    || write_snapshot.then(|| self.snapshot.encode()),
                )
            },
            || store.prepare_commit(),
        );
        prepared?;
        store.put_blob(STATE_BLOB, &state)?;
        if self.snapshot_is_model {
            if !self.stored_as_model {
                store.put_blob(SNAPSHOT_BLOB, &[])?;
            }
            self.stored_as_model = true;
        } else if let Some(snapshot) = snapshot {
            store.put_blob(SNAPSHOT_BLOB, &snapshot)?;
            self.stored_as_model = false;
        }
        self.snapshot_dirty = false;
        store.set_checkpoint(&cp)?;
        store.commit()
    }
}

/// Counts of the filter's own state in an index, for `index stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterState {
    /// Lines the filter has read into this index over its lifetime.
    pub lines_seen: u64,
    /// Boilerplate counters held (segments, over all sources).
    pub boilerplate_counters: usize,
}

/// The filter's state in `store`, read as the filter reads it before its
/// first line (checkpoint, state and boilerplate snapshot decoded): an
/// index the filter refuses is an error here too.
pub fn state(store: &Store) -> Result<FilterState> {
    let (
        State {
            seen: lines_seen,
            model,
            ..
        },
        _,
    ) = load_all(store)?;
    Ok(FilterState {
        lines_seen,
        boilerplate_counters: model.entries(),
    })
}
