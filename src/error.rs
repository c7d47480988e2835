//! The library's one error type.
//!
//! Every variant carries the context a user needs to act on it: the path,
//! the JSON Lines line number, the index location, or the version/parameters
//! found versus expected. The binary adds nothing but the `copydesk:` prefix.

use std::path::{Path, PathBuf};

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
    /// The persistent index is damaged, or the file is not an index: it
    /// cannot be used and has to be rebuilt. The message says what is
    /// wrong in plain words; redb's own report, when there is one, is the
    /// `source`.
    #[error("index {}: {problem}; {}", path.display(), rebuild_hint(path))]
    IndexDamaged {
        /// Where the index lives.
        path: PathBuf,
        /// What is wrong, in plain words.
        problem: String,
        /// The underlying error (redb's report, an I/O error), if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Another process has the index open (a filter still running on it).
    #[error(
        "index {}: in use by another process (is a filter still running on it?); \
         wait for it to finish, then try again",
        path.display()
    )]
    IndexInUse {
        /// Where the index lives.
        path: PathBuf,
    },
    /// The persistent index was written by another format version.
    #[error(
        "index {}: written by index format {found}; this copydesk reads format {expected}; {}",
        path.display(),
        version_hint(path, *found, *expected)
    )]
    IndexVersion {
        /// Where the index lives.
        path: PathBuf,
        /// The version stored in the index.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The persistent index was built with other parameters.
    #[error(
        "index {}: built with {found}, but this run asks for {expected}; \
         run with the options it was built with, or give another --index path",
        path.display()
    )]
    IndexParams {
        /// Where the index lives.
        path: PathBuf,
        /// The parameters stored in the index.
        found: String,
        /// The parameters of this run.
        expected: String,
    },
    /// A document is larger than the limit on one document's bytes: a
    /// file, or a JSON Lines record's line.
    #[error("{}{}: {}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default(), too_large_message(line.is_some(), *size, *limit))]
    TooLarge {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// 1-based line number of a JSON Lines record; `None` for a file.
        line: Option<u64>,
        /// Its size in bytes, when known (a pipe is not read past the
        /// limit, so its size is not).
        size: Option<u64>,
        /// The limit in bytes.
        limit: u64,
    },
    /// A file-name pattern (`report --glob`) is malformed.
    #[error("glob {pattern:?}: {message}")]
    Glob {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// A parameter is out of its range.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
}

/// What [`Error::TooLarge`] says after the file (and line): the size, the
/// limit and how to raise it. The same words go wherever an oversized
/// document is reported without stopping the run (the report's unreadable
/// inputs, the filter's dropped log), so the flag is named here.
pub fn too_large_message(is_record: bool, size: Option<u64>, limit: u64) -> String {
    let what = if is_record { "record" } else { "file" };
    let size = match size {
        Some(n) => format!("{what} of {n} bytes"),
        None => format!("{what} of more than {limit} bytes"),
    };
    format!(
        "{size} is over the limit of {} on one document; raise it with --max-doc-bytes",
        byte_count(limit)
    )
}

/// A byte count as written to `--max-doc-bytes`: `64 MiB` when it is a
/// whole number of KiB, MiB or GiB, else `N bytes`.
fn byte_count(n: u64) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}

/// What to do with a damaged index: it is two files, `PATH` and
/// `PATH.texts` (see `index::texts::TextLog::path_of`), and the filter
/// builds both again from the stream.
fn rebuild_hint(path: &Path) -> String {
    let mut texts = path.as_os_str().to_owned();
    texts.push(".texts");
    format!(
        "rebuild it: remove {} and {}, then run filter again over the stream",
        path.display(),
        Path::new(&texts).display()
    )
}

/// What to do with an index of another format version: an older one is
/// rebuilt, a newer one needs the copydesk that wrote it.
fn version_hint(path: &Path, found: u32, expected: u32) -> String {
    if found > expected {
        format!("it is newer than this copydesk: read it with a copydesk that reads format {found}")
    } else {
        rebuild_hint(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_errors_say_what_to_do() {
        let damaged = Error::IndexDamaged {
            path: "dir/i.redb".into(),
            problem: "the file is empty".into(),
            source: None,
        };
        assert_eq!(
            damaged.to_string(),
            "index dir/i.redb: the file is empty; rebuild it: remove dir/i.redb and \
             dir/i.redb.texts, then run filter again over the stream"
        );
        let older = Error::IndexVersion {
            path: "i.redb".into(),
            found: 3,
            expected: 4,
        };
        assert!(older.to_string().starts_with(
            "index i.redb: written by index format 3; this copydesk reads format 4; rebuild it"
        ));
        let newer = Error::IndexVersion {
            path: "i.redb".into(),
            found: 5,
            expected: 4,
        };
        assert!(newer
            .to_string()
            .ends_with("read it with a copydesk that reads format 5"));
    }
}
