//! How failures of an index reach the user: redb errors, damaged or
//! foreign files and missing texts, in words a user can act on. Opening
//! and `index check` share them.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::index::DocId;

pub(in crate::index) fn index_error(path: &Path, e: impl fmt::Display) -> Error {
    Error::Index {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What a file holding a redb database but no copydesk tables is.
pub(in crate::index) const NOT_AN_INDEX: &str =
    "not a copydesk index: the database holds no copydesk tables";

/// The length of the index file at `path`: [`Error::NotFound`] when there
/// is none, the I/O error otherwise (what opening and checking both ask
/// first: an empty file is no index).
pub(in crate::index) fn file_len(path: &Path) -> Result<u64> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NotFound {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The index at `path` is damaged: `problem` in plain words, `source`
/// the underlying error.
pub(in crate::index) fn damaged(
    path: &Path,
    problem: impl Into<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    Error::IndexDamaged {
        path: path.to_path_buf(),
        problem: problem.into(),
        source,
    }
}

/// What is wrong when the texts file of an index is missing.
pub(in crate::index) fn missing_texts(texts: &Path) -> String {
    format!(
        "its texts file {} is missing (an index is two files: if the index was copied or \
         moved, the texts file has to go with it)",
        texts.display()
    )
}

pub(in crate::index) fn unreadable_record(doc: DocId) -> String {
    format!("the record of document {doc} does not decode")
}

/// What a redb error means for the index at `path`, in words a user can
/// act on: a damaged or foreign file ([`Error::IndexDamaged`], redb's
/// report kept as the source), an index in use by another process, or a
/// plain I/O error.
pub(in crate::index) fn redb_error(path: &Path, e: impl Into<redb::Error>) -> Error {
    let e: redb::Error = e.into();
    let problem = match &e {
        redb::Error::DatabaseAlreadyOpen | redb::Error::LockProtocolMismatch => {
            return Error::IndexInUse {
                path: path.to_path_buf(),
            }
        }
        redb::Error::Io(io) if io.kind() != std::io::ErrorKind::InvalidData => {
            // Permission denied, disk errors: the file may be sound.
            let redb::Error::Io(source) = e else {
                unreachable!("matched just above")
            };
            return Error::Io {
                path: path.to_path_buf(),
                source,
            };
        }
        _ => redb_problem(&e),
    };
    damaged(path, problem, Some(Box::new(e)))
}

/// A redb error about the file itself, in plain words.
pub(in crate::index) fn redb_problem(e: &redb::Error) -> String {
    match e {
        redb::Error::Corrupted(msg) if msg.starts_with("File truncated") => {
            "the database file is shorter than its own layout says: it was truncated".into()
        }
        redb::Error::Corrupted(_) => {
            "the database file is damaged: its pages fail redb's checks (bytes were changed \
             outside copydesk)"
                .into()
        }
        redb::Error::Io(io) if io.to_string().contains("is empty") => {
            "the file is empty, not an index".into()
        }
        redb::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            "not a copydesk index: the file is not a database at all (was another file \
             written over it?)"
                .into()
        }
        redb::Error::UpgradeRequired(v) => {
            format!(
                "the database file is in redb's old file format {v}, which this copydesk \
                 cannot read"
            )
        }
        redb::Error::TableTypeMismatch { .. }
        | redb::Error::TableIsMultimap(_)
        | redb::Error::TableIsNotMultimap(_)
        | redb::Error::TypeDefinitionChanged { .. } => {
            "not a copydesk index: its tables are not copydesk's".into()
        }
        redb::Error::RepairAborted => {
            "the database was not closed cleanly and needs a repair that was not made".into()
        }
        e => format!("the database cannot be read ({e})"),
    }
}
