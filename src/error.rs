//! The library's one error type.
//!
//! Every variant carries the context a user needs to act on it: the path,
//! the JSON Lines line number, the index location, or the version/parameters
//! found versus expected. The binary adds nothing but the `copydesk:` prefix.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error while reading or writing `path`.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The path does not exist.
    #[error("{}: no such file", path.display())]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// A directory was given where a file was expected.
    #[error("{}: is a directory, expected a text file", path.display())]
    IsDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// The file holds a NUL byte: it is binary, not text.
    #[error("{}: binary file (NUL byte at offset {offset}), expected text", path.display())]
    Binary {
        /// The binary file.
        path: PathBuf,
        /// Byte offset of the first NUL byte.
        offset: usize,
    },
    /// A JSON Lines record could not be used.
    #[error("{}:{line}: {message}", path.display())]
    JsonLine {
        /// The JSON Lines file (`-` for standard input).
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with the record.
        message: String,
    },
    /// The persistent index could not be used.
    #[error("index {}: {message}", path.display())]
    Index {
        /// Where the index lives.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The persistent index was written by another format version.
    #[error("index {}: format version {found}, this copydesk reads version {expected}", path.display())]
    IndexVersion {
        /// Where the index lives.
        path: PathBuf,
        /// The version stored in the index.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The persistent index was built with other parameters.
    #[error("index {}: built with {found}, but this run asks for {expected}", path.display())]
    IndexParams {
        /// Where the index lives.
        path: PathBuf,
        /// The parameters stored in the index.
        found: String,
        /// The parameters of this run.
        expected: String,
    },
    /// A parameter is out of its range.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
}
