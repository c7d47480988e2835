//! The filter's engine over documents in memory, for the corpus report:
//! the documents become JSON Lines run through [`run_with`] on an
//! in-memory index, and the decisions come back by position, so the report
//! and `filter` judge the same documents alike.

use std::collections::HashMap;

use crate::boilerplate::BoilerplateModel;
use crate::error::{Error, Result};
use crate::index::store::Store;
use crate::index::DocId;
use crate::input::{Document, JsonlFields};
use crate::judge::Guard;

use super::io::{InputStream, StreamSink};
use super::state::load_state;
use super::{run_with, DecisionOutcome, FilterOptions, OnError, Reason};

/// The decisions of the filter's engine over documents in memory, in the
/// order given: for each document, kept (with its note) or dropped as a
/// copy of an earlier one (by its position in the list). The corpus
/// report takes its clusters from here, so that it and `filter` judge the
/// same documents alike.
#[derive(Debug, Clone)]
pub struct DocumentDecisions {
    /// Per document, in the order given.
    pub outcomes: Vec<DocumentOutcome>,
    /// The boilerplate the engine had learned at the end.
    pub model: BoilerplateModel,
}

/// What the engine decided for one document (positions index the list
/// given to [`decide_documents`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DocumentOutcome {
    /// Kept; `note` when it resembled the kept document at that position
    /// only through their shared template.
    Kept {
        /// The kept document it resembled, and why it is kept.
        note: Option<(usize, Guard)>,
    },
    /// A copy of the kept document at position `of`.
    Dropped {
        /// The kept document.
        of: usize,
        /// How it copies it.
        reason: Reason,
        /// Body Jaccard.
        jaccard: f64,
        /// Containment of the shorter body in the longer.
        containment: f64,
    },
}

/// Runs the filter's engine over `docs` in order, in memory (see
/// [`DocumentDecisions`]). Only their ids' order matters; their texts,
/// sources and dates are read as the filter reads a JSON Lines record's.
/// `progress` is told how many documents are decided so far, batch by batch.
pub fn decide_documents(
    docs: &[&Document],
    opts: &FilterOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<DocumentDecisions> {
    let fields = JsonlFields::default();
    let mut lines = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let record = serde_json::json!({
            fields.id.as_str(): i.to_string(),
            fields.text.as_str(): d.text,
            fields.source.as_str(): d.source,
            fields.date.as_str(): d.date,
        });
        serde_json::to_writer(&mut lines, &record).map_err(|e| Error::Io {
            path: "documents".into(),
            source: e.into(),
        })?;
        lines.push(b'\n');
    }
    let opts = FilterOptions {
        fields,
        on_error: OnError::Fail,
        // The documents were read under the limit; their JSON lines are
        // longer than their texts.
        max_doc_bytes: u64::MAX,
        passages: false,
        ..opts.clone()
    };
    let reader: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(lines));
    let mut input = InputStream::new(vec![("documents".into(), reader)]);
    let mut store = Store::in_memory(opts.store_params())?;
    let mut kept = StreamSink::new(std::io::sink());
    let mut by_line: Vec<Option<DecisionOutcome>> = vec![None; docs.len()];
    run_with(
        &mut store,
        &mut input,
        &mut kept,
        None,
        &opts,
        None,
        &mut |p| progress(p.lines),
        &mut |d| {
            if let Some(slot) = (d.line as usize)
                .checked_sub(1)
                .and_then(|i| by_line.get_mut(i))
            {
                *slot = Some(d.outcome);
            }
        },
    )?;
    // Stored numbers back to positions.
    let mut position: HashMap<DocId, usize> = HashMap::new();
    for (i, o) in by_line.iter().enumerate() {
        if let Some(DecisionOutcome::Kept { doc, .. }) = o {
            position.insert(*doc, i);
        }
    }
    let at = |id: DocId| -> Result<usize> {
        position.get(&id).copied().ok_or_else(|| Error::Index {
            path: "documents".into(),
            message: format!("a decision points at document {id}, which was not kept"),
        })
    };
    let mut outcomes = Vec::with_capacity(docs.len());
    for (i, o) in by_line.into_iter().enumerate() {
        outcomes.push(match o {
            Some(DecisionOutcome::Kept { note, .. }) => DocumentOutcome::Kept {
                note: note.map(|(id, g)| at(id).map(|p| (p, g))).transpose()?,
            },
            Some(DecisionOutcome::Dropped {
                of,
                reason,
                jaccard,
                containment,
            }) => DocumentOutcome::Dropped {
                of: at(of)?,
                reason,
                jaccard,
                containment,
            },
            _ => {
                return Err(Error::Index {
                    path: "documents".into(),
                    message: format!("document {i} was not decided"),
                })
            }
        });
    }
    Ok(DocumentDecisions {
        outcomes,
        model: load_state(&store)?.model,
    })
}
