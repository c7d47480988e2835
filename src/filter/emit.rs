//! Emit: a decided batch written out in input order. Kept lines go to the
//! kept sink byte for byte; every other line, and every kept line with a
//! note, gets a record in the dropped log ([`DroppedRecord`]), with the
//! passages it shares with its kept copy ([`PassageRecord`], computed in
//! parallel). Each line's [`Decision`] goes to the caller too.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::DocId;
use crate::judge::Guard;
use crate::params::Params;
use crate::span::Span;

use super::decide::{Decided, Outcome, Target};
use super::io::Sink;
use super::prepare::Prepared;
use super::{Decision, DecisionOutcome, FilterOptions, Reason, Summary};

/// Most passages listed per dropped document.
pub const MAX_PASSAGES: usize = 20;

/// A span in each of the two documents of a drop.
#[derive(Debug, Clone, Serialize)]
pub struct PassageRecord {
    /// Byte span in the dropped document's text.
    pub doc: Span,
    /// Byte span in the kept document's text.
    pub duplicate_of: Span,
    /// verbatim, edited or paraphrase.
    pub kind: crate::align::PassageKind,
}

/// One line of the dropped log: the wire contract, documented in README.md.
/// A line that was kept but resembled a kept page only through their
/// shared template is noted too, with `kept: true` and `resembles` (never
/// `duplicate_of`).
#[derive(Debug, Clone, Serialize)]
pub struct DroppedRecord {
    /// The dropped document's id (absent for malformed and blank lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The kept document's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// True for a note on a line that was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<bool>,
    /// For a note: the kept document the line resembled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resembles: Option<String>,
    /// Why.
    pub reason: Reason,
    /// Body Jaccard with the kept document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Containment of the shorter body in the longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containment: Option<f64>,
    /// Shared passages, spans into both texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<Vec<PassageRecord>>,
    /// The input the line came from.
    pub input: String,
    /// 1-based line number in that input.
    pub line: u64,
    /// What is wrong with a malformed or oversized line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A malformed or blank line itself (lossy UTF-8), so no line is lost
    /// (an oversized line is not copied: `input` and `line` find it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// Writes a decided batch: kept lines, dropped records with passages.
#[allow(clippy::too_many_arguments)]
pub(super) fn emit(
    opts: &FilterOptions,
    pool: &rayon::ThreadPool,
    names: &[std::path::PathBuf],
    batch: &[Prepared],
    decided: &Decided,
    kept: &mut dyn Sink,
    dropped: &mut Option<&mut dyn Sink>,
    summary: &mut Summary,
    decisions: &mut dyn FnMut(&Decision),
) -> Result<()> {
    let (outcomes, notes, candidates) = (&decided.outcomes, &decided.notes, &decided.candidates);
    // The number of a kept document a drop or a note points at.
    let number = |t: Target| -> DocId {
        match t {
            Target::Stored(id) => id,
            Target::Batch(j) => match outcomes[j] {
                Outcome::Kept(id) => id,
                _ => unreachable!("a batch target is a kept line"),
            },
        }
    };
    for ((p, o), note) in batch.iter().zip(outcomes).zip(notes) {
        let outcome = match o {
            Outcome::Kept(id) => DecisionOutcome::Kept {
                doc: *id,
                note: note.map(|n| (number(n.of), n.guard)),
            },
            Outcome::Dropped {
                reason,
                of,
                jaccard,
                containment,
            } => DecisionOutcome::Dropped {
                of: number(*of),
                reason: *reason,
                jaccard: *jaccard,
                containment: *containment,
            },
            Outcome::Malformed(_) => DecisionOutcome::Malformed,
            Outcome::Blank => DecisionOutcome::Blank,
        };
        decisions(&Decision {
            file: p.line.file,
            line: p.line.line,
            outcome,
        });
    }
    let target_text = |t: Target| -> Option<(&str, &str)> {
        match t {
            Target::Batch(j) => batch[j]
                .doc
                .as_ref()
                .ok()
                .map(|d| (d.id.as_str(), d.text.as_str())),
            Target::Stored(id) => candidates
                .get(&id)
                .map(|c| (c.id.as_str(), c.text.as_str())),
        }
    };
    let want_passages = opts.passages && dropped.is_some();
    let passages: Vec<Option<Vec<PassageRecord>>> = pool.install(|| {
        outcomes
            .par_iter()
            .enumerate()
            .map(|(i, o)| match o {
                Outcome::Dropped { of, .. } if want_passages => {
                    let a = batch[i].doc.as_ref().ok()?;
                    let (_, b) = target_text(*of)?;
                    Some(passages(&a.text, b, &opts.params))
                }
                _ => None,
            })
            .collect()
    });
    let mut line_buf = Vec::new();
    for (((p, o), note), passages) in batch.iter().zip(outcomes).zip(notes).zip(passages) {
        let input_name = || names[p.line.file].display().to_string();
        let record = match o {
            Outcome::Kept(_) => {
                kept.write_all(&p.line.raw)
                    .map_err(|e| sink_error(e, "output"))?;
                summary.kept += 1;
                let Some(n) = note else { continue };
                let reason = match n.guard {
                    Guard::TemplateOnly => Reason::TemplateOnly,
                    Guard::DifferentArticles => Reason::DifferentArticles,
                };
                *summary.noted.entry(reason.as_str()).or_default() += 1;
                let record = DroppedRecord {
                    id: p.doc.as_ref().ok().map(|d| d.id.clone()),
                    duplicate_of: None,
                    kept: Some(true),
                    resembles: target_text(n.of).map(|(id, _)| id.to_string()),
                    reason,
                    similarity: Some(round(n.jaccard)),
                    containment: Some(round(n.containment)),
                    passages: None,
                    input: input_name(),
                    line: p.line.line,
                    error: None,
                    raw: None,
                };
                write_record(dropped, &mut line_buf, &record)?;
                continue;
            }
            Outcome::Dropped {
                reason,
                of,
                jaccard,
                containment,
            } => DroppedRecord {
                id: p.doc.as_ref().ok().map(|d| d.id.clone()),
                duplicate_of: target_text(*of).map(|(id, _)| id.to_string()),
                kept: None,
                resembles: None,
                reason: *reason,
                similarity: Some(round(*jaccard)),
                containment: Some(round(*containment)),
                passages,
                input: input_name(),
                line: p.line.line,
                error: None,
                raw: None,
            },
            Outcome::Malformed(e) => DroppedRecord {
                id: None,
                duplicate_of: None,
                kept: None,
                resembles: None,
                reason: match p.line.too_long {
                    Some(_) => Reason::Oversized,
                    None => Reason::Malformed,
                },
                similarity: None,
                containment: None,
                passages: None,
                input: input_name(),
                line: p.line.line,
                error: Some(e.clone()),
                raw: p
                    .line
                    .too_long
                    .is_none()
                    .then(|| String::from_utf8_lossy(p.line.content()).into_owned()),
            },
            Outcome::Blank => DroppedRecord {
                id: None,
                duplicate_of: None,
                kept: None,
                resembles: None,
                reason: Reason::Blank,
                similarity: None,
                containment: None,
                passages: None,
                input: input_name(),
                line: p.line.line,
                error: None,
                raw: Some(String::from_utf8_lossy(p.line.content()).into_owned()),
            },
        };
        *summary.dropped.entry(record.reason.as_str()).or_default() += 1;
        write_record(dropped, &mut line_buf, &record)?;
    }
    Ok(())
}

/// Writes one record to the dropped log, if there is one.
fn write_record(
    dropped: &mut Option<&mut dyn Sink>,
    line_buf: &mut Vec<u8>,
    record: &DroppedRecord,
) -> Result<()> {
    if let Some(d) = dropped.as_deref_mut() {
        line_buf.clear();
        serde_json::to_writer(&mut *line_buf, record)
            .map_err(|e| sink_error(e.into(), "dropped log"))?;
        line_buf.push(b'\n');
        d.write_all(line_buf)
            .map_err(|e| sink_error(e, "dropped log"))?;
    }
    Ok(())
}

pub(super) fn sink_error(source: std::io::Error, what: &str) -> Error {
    Error::Io {
        path: what.into(),
        source,
    }
}

/// Shared passages of a dropped text and its kept copy, from
/// [`crate::compare::compare_texts`].
fn passages(dropped: &str, kept: &str, params: &Params) -> Vec<PassageRecord> {
    let c = crate::compare::compare(dropped, kept, params);
    c.passages
        .into_iter()
        .take(MAX_PASSAGES)
        .map(|p| PassageRecord {
            doc: p.passage.a,
            duplicate_of: p.passage.b,
            kind: p.passage.kind,
        })
        .collect()
}

/// Scores rounded to 4 decimals.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
