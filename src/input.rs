//! Reading documents: text files (UTF-8, UTF-8 with BOM, or Windows-1252) and
//! JSON Lines records.
//!
//! A [`Document`] holds the decoded text the pipeline works on and remembers
//! how it was decoded, so every span can be mapped back to byte offsets in
//! the original file ([`Document::original_span`]). Nothing here prints: a
//! Windows-1252 fallback is reported through [`Document::encoding`] and the
//! caller decides whether to tell the user.
//!
//! Every document also gets its source (outlet, site) here, by one rule
//! for every command ([`SourceRule`]): a JSON Lines source field, else the
//! host of its URL field, else the host of a URL id; for files, a
//! `--source-pattern` match on the path, else the first folder under the
//! input root; else none.

pub mod jsonl;
pub mod line;

use std::io::{BufRead, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::span::Span;

pub use jsonl::{
    parse_record, read_record, JsonlFields, JsonlReader, ParsedRecord, Record, RecordView, TextView,
};
pub use line::{read_line, LimitedLine, LineSize};

/// The default limit on one document's bytes (`--max-doc-bytes`): a file's
/// size, or a JSON Lines record's line without its terminator. Over it a
/// document is an error naming it, read no further than the limit.
///
/// 64 MiB is generous: a long news page flattened to text is under 1 MB
/// and War and Peace is 3.2 MB, so only a runaway input (a whole crawl in
/// one record, a log file) reaches it. It bounds what one document costs:
/// comparing two documents at the limit peaked at 2.8 GB (book text) to
/// 6.0 GB (every word distinct and rare) and took 25 to 72 s on a loaded
/// 2-core machine (benches/README.md, "Long documents"); a 1 GB record
/// made every command abort on an allocation of several GiB (issue 14).
pub const DEFAULT_MAX_DOC_BYTES: u64 = 64 << 20;

/// How a document's bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Valid UTF-8 (or text given as a string).
    Utf8,
    /// Valid UTF-8 after a byte order mark, which is skipped.
    Utf8Bom,
    /// Not valid UTF-8: decoded as Windows-1252, one byte per character.
    Windows1252,
}

/// One document: an id, its decoded text and where it came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// File path, JSON Lines id, or any name the caller chose.
    pub id: String,
    /// The decoded text every span points into.
    pub text: String,
    /// The outlet or site the document belongs to, when known.
    pub source: Option<String>,
    /// Which rule gave [`Document::source`].
    pub source_rule: SourceRule,
    /// Publication date as given (ISO 8601 sorts correctly), when known.
    pub date: Option<String>,
    encoding: Encoding,
    /// For Windows-1252 input: the decoded byte offset at which each
    /// original byte's character starts (one character per original byte).
    cp1252_starts: Vec<u32>,
}

/// Which rule gave a document its source, tried in this order: for a JSON
/// Lines record [`Field`](SourceRule::Field), [`UrlField`](SourceRule::UrlField),
/// [`IdUrl`](SourceRule::IdUrl); for a file [`Pattern`](SourceRule::Pattern)
/// when a pattern is given, else [`Folder`](SourceRule::Folder); else
/// [`None`](SourceRule::None).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceRule {
    /// The JSON Lines source field (a string or number).
    Field,
    /// The host of the JSON Lines URL field (an http(s) URL).
    UrlField,
    /// The host of the id, an http(s) URL.
    IdUrl,
    /// The first folder under the input root (or a single file's folder).
    Folder,
    /// The `--source-pattern` match on the file's path.
    Pattern,
    /// No source: the document is its own.
    #[default]
    None,
}

impl SourceRule {
    /// The rule's name in JSON output: `field`, `url`, `id-url`, `folder`,
    /// `pattern`; `None` for [`SourceRule::None`].
    pub fn name(self) -> Option<&'static str> {
        match self {
            SourceRule::Field => Some("field"),
            SourceRule::UrlField => Some("url"),
            SourceRule::IdUrl => Some("id-url"),
            SourceRule::Folder => Some("folder"),
            SourceRule::Pattern => Some("pattern"),
            SourceRule::None => None,
        }
    }
}

/// UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Document {
    /// A document from text already in memory (offsets are into `text`).
    pub fn from_text(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            source: None,
            source_rule: SourceRule::None,
            date: None,
            encoding: Encoding::Utf8,
            cp1252_starts: Vec::new(),
        }
    }

    /// Decodes raw file bytes: UTF-8 (a BOM is skipped), else Windows-1252.
    /// `path` names the file in errors; a NUL byte makes it binary.
    pub fn from_bytes(id: impl Into<String>, bytes: &[u8], path: &Path) -> Result<Document> {
        if let Some(offset) = memchr::memchr(0, bytes) {
            return Err(Error::Binary {
                path: path.to_path_buf(),
                offset,
            });
        }
        let (body, encoding) = match bytes.strip_prefix(BOM) {
            Some(rest) => (rest, Encoding::Utf8Bom),
            None => (bytes, Encoding::Utf8),
        };
        let mut doc = match std::str::from_utf8(body) {
            Ok(text) => Document::from_text(id, text),
            Err(_) => {
                // Windows-1252 maps every byte to exactly one character, so
                // the k-th character comes from original byte k.
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                let starts = text.char_indices().map(|(i, _)| i as u32).collect();
                let mut doc = Document::from_text(id, text.into_owned());
                doc.encoding = Encoding::Windows1252;
                doc.cp1252_starts = starts;
                return Ok(doc);
            }
        };
        doc.encoding = encoding;
        Ok(doc)
    }

    /// Reads a text file of at most [`DEFAULT_MAX_DOC_BYTES`] (see
    /// [`Document::read_with_limit`]).
    pub fn read(path: &Path) -> Result<Document> {
        Document::read_with_limit(path, DEFAULT_MAX_DOC_BYTES)
    }

    /// Reads a text file. Missing files, directories and binary files are
    /// errors naming the path; an empty file is a valid, empty document.
    /// A file of more than `max_bytes` bytes is [`Error::TooLarge`]: a
    /// regular file is not read at all, anything else (a pipe) is read no
    /// further than the limit.
    pub fn read_with_limit(path: &Path, max_bytes: u64) -> Result<Document> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        if meta.is_dir() {
            return Err(Error::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        let too_large = |size| Error::TooLarge {
            path: path.to_path_buf(),
            line: None,
            size,
            limit: max_bytes,
        };
        if meta.is_file() && meta.len() > max_bytes {
            return Err(too_large(Some(meta.len())));
        }
        let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let capacity = if meta.is_file() { meta.len() } else { 0 };
        // A pipe, or a file that grew since its size was read, is cut at
        // the limit.
        Document::from_reader_with_limit(
            path.display().to_string(),
            file,
            path,
            capacity,
            max_bytes,
        )
    }

    /// The document `id` read from `reader` (standard input, a pipe), which
    /// `path` names in errors: [`Error::TooLarge`] once it gives more than
    /// `max_bytes` bytes, read no further. `capacity`: bytes expected, if known.
    pub fn from_reader_with_limit(
        id: impl Into<String>,
        reader: impl Read,
        path: &Path,
        capacity: u64,
        max_bytes: u64,
    ) -> Result<Document> {
        let mut bytes = Vec::with_capacity(capacity.min(max_bytes) as usize);
        reader
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(path, e))?;
        if bytes.len() as u64 > max_bytes {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                line: None,
                size: None,
                limit: max_bytes,
            });
        }
        Document::from_bytes(id, &bytes, path)
    }

    /// How the text was decoded.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Maps a byte offset in [`Document::text`] to the byte offset in the
    /// original input. `offset` must lie on a char boundary.
    pub fn original_offset(&self, offset: usize) -> usize {
        match self.encoding {
            Encoding::Utf8 => offset,
            Encoding::Utf8Bom => offset + BOM.len(),
            Encoding::Windows1252 => self
                .cp1252_starts
                .partition_point(|&s| (s as usize) < offset),
        }
    }

    /// Maps a span of [`Document::text`] to the original input's bytes.
    pub fn original_span(&self, span: Span) -> Span {
        Span::new(
            self.original_offset(span.start),
            self.original_offset(span.end),
        )
    }
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::NotFound {
        Error::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// An input that could not be read: named in the report and counted,
/// never silently skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFailure {
    /// The file (or `FILE:LINE` for a JSON Lines record).
    pub name: String,
    /// Why it could not be used.
    pub message: String,
}

impl InputFailure {
    /// The failure to read the file `path`: its name, and `err`'s message
    /// without the `PATH: ` it starts with, so a list of failures names
    /// each file once.
    pub fn of_file(path: &Path, err: &Error) -> InputFailure {
        let name = path.display().to_string();
        let full = err.to_string();
        let message = match full.strip_prefix(&name).and_then(|m| m.strip_prefix(": ")) {
            Some(cause) => cause.to_string(),
            None => full,
        };
        InputFailure { name, message }
    }
}

/// Documents read for a corpus, with what could not be read.
#[derive(Debug, Default)]
pub struct DocumentSet {
    /// Documents in a stable order (paths sorted, records in file order).
    pub documents: Vec<Document>,
    /// Inputs that could not be read, in the same order.
    pub failures: Vec<InputFailure>,
}

impl DocumentSet {
    /// Appends another set.
    pub fn extend(&mut self, other: DocumentSet) {
        self.documents.extend(other.documents);
        self.failures.extend(other.failures);
    }
}

/// Which files [`read_tree`] reads from a folder: a shell-style pattern
/// (globset's syntax: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}`, `**/`,
/// and on Unix `\` escaping the next character). A pattern without a `/`
/// is matched against each file's name (`*.txt` takes `a/b/c.txt`); one
/// with a `/` against its path under the folder, `/`-separated, where `*`
/// and `?` also match a `/` (`ibtimes/*` takes `ibtimes/2016/x.txt`).
#[derive(Debug, Clone)]
pub struct FileGlob {
    matcher: globset::GlobMatcher,
    is_path: bool,
}

impl FileGlob {
    /// Compiles `pattern`; [`Error::Glob`] says what is wrong with a
    /// malformed one (an unclosed `[` or `{`, say).
    pub fn new(pattern: &str) -> Result<FileGlob> {
        let glob = globset::Glob::new(pattern).map_err(|e| Error::Glob {
            pattern: pattern.to_string(),
            message: e.kind().to_string(),
        })?;
        Ok(FileGlob {
            matcher: glob.compile_matcher(),
            is_path: pattern.contains('/'),
        })
    }

    /// Whether the file at `rel` (its path under the folder walked) is
    /// one to read.
    pub fn is_match(&self, rel: &Path) -> bool {
        if self.is_path {
            self.matcher.is_match(rel)
        } else {
            rel.file_name().is_some_and(|n| self.matcher.is_match(n))
        }
    }
}

/// Reads every file under `root` (or the file `root` itself) that `glob`
/// takes ([`FileGlob`]), in sorted path order. A document's source comes from [`file_source`]: the
/// `pattern`'s match on its path when a pattern is given, else its first
/// folder under `root` (`corpus/ibtimes/x.txt` is `ibtimes`; a single
/// file's own folder). Its date is the `YYYY-MM-DD` a file name starts
/// with ([`date_prefix`]), else the file's modification time. Files that cannot be read,
/// and files of more than `max_doc_bytes` bytes, go to
/// [`DocumentSet::failures`]; only a `root` that cannot be walked at all
/// is an error.
pub fn read_tree(
    root: &Path,
    glob: &FileGlob,
    pattern: Option<&regex::Regex>,
    max_doc_bytes: u64,
) -> Result<DocumentSet> {
    let meta = std::fs::metadata(root).map_err(|e| io_error(root, e))?;
    if !meta.is_dir() {
        // A single file: its parent folder names the source.
        let folder = root
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        let mut set = DocumentSet::default();
        read_one(root, folder, pattern, max_doc_bytes, &mut set);
        return Ok(set);
    }
    let mut set = DocumentSet::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let name = e
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                // walkdir's message names the path too: keep only the cause.
                let message = e
                    .io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string);
                set.failures.push(InputFailure { name, message });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path);
        if !glob.is_match(rel) {
            continue;
        }
        // The first folder under the root, when the file is in one.
        let mut parts = rel.components();
        let first = parts.next();
        let folder = match (first, parts.next()) {
            (Some(dir), Some(_)) => Some(dir.as_os_str().to_string_lossy().into_owned()),
            _ => None,
        };
        read_one(path, folder, pattern, max_doc_bytes, &mut set);
    }
    Ok(set)
}

/// The source of a file read from a folder: with a `pattern`, its first
/// capture group's match in `path` (the path as the document's id gives
/// it, `/`-separated), or the whole match when it has no group, and no
/// source when it does not match (or matches nothing); without one, the
/// file's `folder` (the first under the input root). With the rule that
/// gave it.
pub fn file_source(
    path: &str,
    folder: Option<String>,
    pattern: Option<&regex::Regex>,
) -> (Option<String>, SourceRule) {
    let Some(re) = pattern else {
        return match folder {
            Some(f) => (Some(f), SourceRule::Folder),
            None => (None, SourceRule::None),
        };
    };
    let path = path.replace('\\', "/");
    let found = re.captures(&path).and_then(|c| {
        let m = if re.captures_len() > 1 {
            c.get(1)
        } else {
            c.get(0)
        };
        m.map(|m| m.as_str().to_string())
    });
    match found {
        Some(s) if !s.is_empty() => (Some(s), SourceRule::Pattern),
        _ => (None, SourceRule::None),
    }
}

/// Reads one file into `set` (or its failure).
fn read_one(
    path: &Path,
    folder: Option<String>,
    pattern: Option<&regex::Regex>,
    max_doc_bytes: u64,
    set: &mut DocumentSet,
) {
    match Document::read_with_limit(path, max_doc_bytes) {
        Ok(mut doc) => {
            (doc.source, doc.source_rule) = file_source(&doc.id, folder, pattern);
            let name = path.file_name().map(|n| n.to_string_lossy());
            doc.date = name.as_deref().and_then(date_prefix).or_else(|| {
                std::fs::metadata(path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(iso_date_time)
            });
            set.documents.push(doc);
        }
        Err(e) => set.failures.push(InputFailure::of_file(path, &e)),
    }
}

/// Reads every record of a JSON Lines input. Records that are not usable
/// documents, and records whose line is longer than `max_doc_bytes`, go
/// to [`DocumentSet::failures`] as `PATH:LINE`. Sources are the reader's
/// ([`jsonl::jsonl_source`]).
pub fn read_jsonl<R: BufRead>(
    reader: R,
    path: &Path,
    fields: JsonlFields,
    max_doc_bytes: u64,
) -> Result<DocumentSet> {
    let mut set = DocumentSet::default();
    let mut r = JsonlReader::new(reader, path, fields).max_doc_bytes(max_doc_bytes);
    while let Some(rec) = r.next_record()? {
        match rec.document {
            Ok(doc) => set.documents.push(doc),
            Err(message) => set.failures.push(InputFailure {
                name: format!("{}:{}", path.display(), rec.line),
                message,
            }),
        }
    }
    Ok(set)
}

/// The host of a `http://` or `https://` URL, without `www.` and port.
pub fn url_host(id: &str) -> Option<&str> {
    let rest = id
        .strip_prefix("https://")
        .or_else(|| id.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// `YYYY-MM-DD` at the start of a file name, when it is a real date
/// (`2016-02-30-x.txt` has none) and no digit follows it.
pub fn date_prefix(name: &str) -> Option<String> {
    let date = name.get(..10)?;
    let b = date.as_bytes();
    let shaped = b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && !name.as_bytes().get(10).is_some_and(u8::is_ascii_digit);
    // The shape is checked first: jiff's parser also takes other ISO 8601
    // forms (`+002016-02-11`), which are not this rule's.
    (shaped && date.parse::<jiff::civil::Date>().is_ok()).then(|| date.to_string())
}

/// A system time as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), so it
/// sorts with dates; none for a time outside years -9999 to 9999.
fn iso_date_time(t: std::time::SystemTime) -> Option<String> {
    let t = jiff::Timestamp::try_from(t).ok()?;
    Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_skipped_and_offsets_map_back() {
        let doc = Document::from_bytes("x", b"\xEF\xBB\xBFhello world", Path::new("x")).unwrap();
        assert_eq!(doc.text, "hello world");
        assert_eq!(doc.encoding(), Encoding::Utf8Bom);
        assert_eq!(doc.original_span(Span::new(6, 11)), Span::new(9, 14));
    }

    #[test]
    fn windows_1252_fallback_maps_offsets_to_original_bytes() {
        // 0x93/0x94 are curly double quotes, 0x85 an ellipsis in cp1252.
        let bytes = b"say \x93hi\x94 now\x85 end";
        let doc = Document::from_bytes("x", bytes, Path::new("x")).unwrap();
        assert_eq!(doc.encoding(), Encoding::Windows1252);
        assert_eq!(doc.text, "say \u{201c}hi\u{201d} now\u{2026} end");
        let end_at = doc.text.find("end").unwrap();
        let span = doc.original_span(Span::new(end_at, end_at + 3));
        assert_eq!(&bytes[span.start..span.end], b"end");
        let hi = doc.text.find("hi").unwrap();
        let span = doc.original_span(Span::new(hi, hi + 2));
        assert_eq!(&bytes[span.start..span.end], b"hi");
    }

    #[test]
    fn nul_byte_is_binary() {
        let err = Document::from_bytes("x", b"ab\0c", Path::new("bin.dat")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bin.dat: binary file (NUL byte at offset 2), expected text"
        );
    }

    /// Issue 14: a 1 GB file made the process abort on an allocation of
    /// 6 GiB. A file over the limit is an error naming it, its size and
    /// the limit, and is not read; a stream is read no further than it.
    #[test]
    fn files_over_the_limit_are_errors_naming_size_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.txt");
        std::fs::write(&big, "word ".repeat(600)).unwrap();
        let err = Document::read_with_limit(&big, 2048).unwrap_err();
        assert!(matches!(
            err,
            Error::TooLarge {
                line: None,
                size: Some(3000),
                limit: 2048,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            format!(
                "{}: file of 3000 bytes is over the limit of 2 KiB on one document; \
                 raise it with --max-doc-bytes",
                big.display()
            )
        );
        assert_eq!(
            Document::read_with_limit(&big, 3000).unwrap().text.len(),
            3000
        );
        // In a set, it is a failure and the rest is read.
        std::fs::write(dir.path().join("small.txt"), "small").unwrap();
        let set = read_tree(dir.path(), &txt(), None, 2048).unwrap();
        assert_eq!(set.documents.len(), 1);
        assert!(set.failures[0].message.contains("file of 3000 bytes"));
        // An endless stream stops at the limit.
        #[cfg(unix)]
        assert_eq!(
            Document::read_with_limit(Path::new("/dev/zero"), 4096)
                .unwrap_err()
                .to_string(),
            "/dev/zero: file of more than 4096 bytes is over the limit of 4 KiB on one \
             document; raise it with --max-doc-bytes"
        );
    }

    /// `*.txt` as the report's default gives it.
    fn txt() -> FileGlob {
        FileGlob::new("*.txt").unwrap()
    }

    #[test]
    fn glob_patterns() {
        let takes =
            |pattern: &str, rel: &str| FileGlob::new(pattern).unwrap().is_match(Path::new(rel));
        assert!(takes("*.txt", "a.txt"));
        assert!(!takes("*.txt", "a.txt.bak"));
        assert!(takes("2016-*-[0-9]?.txt", "2016-02-11.txt"));
        assert!(takes("[!a]*", "bcd"));
        assert!(!takes("[!a]*", "abc"));
        assert!(takes("a*b*c", "axxbyyc"));
        assert!(!takes("a*b*c", "axxbyy"));
        assert!(takes("*.{txt,md}", "a.md"));
        // Without a `/`, the file's name decides, however deep it lies.
        assert!(takes("*.txt", "bbc/live/a.txt"));
        assert!(!takes("bbc*", "bbc/live/a.txt"));
        // With one, its path under the folder; `*` crosses folders.
        assert!(takes("bbc/*", "bbc/live/a.txt"));
        assert!(!takes("bbc/*", "itv/a.txt"));
        assert!(!takes("live/*.txt", "bbc/live/a.txt"));
        assert!(takes("**/live/*.txt", "bbc/live/a.txt"));
        assert!(takes("**/*.txt", "top.txt"));
    }

    #[test]
    fn malformed_glob_says_what_is_wrong() {
        let err = FileGlob::new("2016-[01.txt").unwrap_err();
        assert!(matches!(err, Error::Glob { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "glob \"2016-[01.txt\": unclosed character class; missing ']'"
        );
        assert!(FileGlob::new("{a,b").is_err());
    }

    #[test]
    fn url_hosts_and_date_prefixes() {
        assert_eq!(
            url_host("https://www.bbc.co.uk/news/x?y"),
            Some("bbc.co.uk")
        );
        assert_eq!(url_host("http://user@host.org:8080"), Some("host.org"));
        assert_eq!(url_host("d0000001"), None);
        assert_eq!(
            date_prefix("2016-02-11-hunt.txt").as_deref(),
            Some("2016-02-11")
        );
        assert_eq!(date_prefix("2016-02-11").as_deref(), Some("2016-02-11"));
        assert_eq!(date_prefix("20160211.txt"), None);
        assert_eq!(date_prefix("2016-02-111.txt"), None);
        assert_eq!(date_prefix("2016-02-1"), None);
        assert_eq!(date_prefix("2016-2-11-x.txt"), None);
        assert_eq!(date_prefix("+002016-02-11.txt"), None);
        // Only real dates: no 30 February, no month 13, 29 February only
        // in a leap year.
        assert_eq!(date_prefix("2016-02-30-hunt.txt"), None);
        assert_eq!(date_prefix("2016-13-01-hunt.txt"), None);
        assert_eq!(date_prefix("2016-02-00-hunt.txt"), None);
        assert_eq!(date_prefix("2015-02-29.txt"), None);
        assert_eq!(date_prefix("2016-02-29.txt").as_deref(), Some("2016-02-29"));
        // Not a char boundary at 10: no panic.
        assert_eq!(date_prefix("2016-02-1é.txt"), None);
        let epoch = std::time::UNIX_EPOCH;
        let secs = std::time::Duration::from_secs;
        let t = epoch + secs(1_455_188_096) + std::time::Duration::from_millis(999);
        assert_eq!(iso_date_time(t).as_deref(), Some("2016-02-11T10:54:56Z"));
        assert_eq!(
            iso_date_time(epoch).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            iso_date_time(epoch + secs(253_370_764_800)).as_deref(),
            Some("9999-01-01T00:00:00Z")
        );
        // Past year 9999 (a corrupt timestamp): undated, not a five-digit
        // year that would sort before 2016.
        assert_eq!(iso_date_time(epoch + secs(300_000_000_000)), None);
    }

    #[test]
    fn tree_sources_dates_and_failures() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("bbc/live")).unwrap();
        std::fs::write(root.join("bbc/live/2016-02-11-a.txt"), "hello").unwrap();
        std::fs::write(root.join("top.txt"), "top").unwrap();
        std::fs::write(root.join("2016-02-30-bad.txt"), "feb").unwrap();
        std::fs::write(root.join("skip.md"), "no").unwrap();
        std::fs::write(root.join("bin.txt"), b"a\0b").unwrap();
        let set = read_tree(root, &txt(), None, DEFAULT_MAX_DOC_BYTES).unwrap();
        let ids: Vec<(&str, Option<&str>)> = set
            .documents
            .iter()
            .map(|d| (d.text.as_str(), d.source.as_deref()))
            .collect();
        assert_eq!(ids, [("feb", None), ("hello", Some("bbc")), ("top", None)]);
        assert_eq!(set.documents[1].date.as_deref(), Some("2016-02-11"));
        // No date in the name (or no real one): the modification time.
        for d in [&set.documents[0], &set.documents[2]] {
            let date = d.date.as_deref().unwrap();
            assert!(date.len() == 20 && date.ends_with('Z'), "{date}");
        }
        assert_eq!(set.failures.len(), 1);
        assert!(set.failures[0].name.ends_with("bin.txt"));
    }

    #[test]
    fn file_sources_by_pattern_else_folder_else_none() {
        let re = |p: &str| regex::Regex::new(p).unwrap();
        let folder = || Some("feed".to_string());
        let s = |x: &str| Some(x.to_string());
        // 4. a pattern, when given, decides: its first group, else its
        // whole match; no match (or an empty one) is no source, not the
        // folder.
        let group = re(r"/([a-z]+)-\d+\.txt$");
        assert_eq!(
            file_source("in/feed/bbc-1.txt", folder(), Some(&group)),
            (s("bbc"), SourceRule::Pattern)
        );
        assert_eq!(
            file_source(r"in\feed\bbc-1.txt", folder(), Some(&group)),
            (s("bbc"), SourceRule::Pattern)
        );
        assert_eq!(
            file_source("in/feed/x.txt", folder(), Some(&group)),
            (None, SourceRule::None)
        );
        assert_eq!(
            file_source("in/feed/bbc-1.txt", folder(), Some(&re("[a-z]+-1"))),
            (s("bbc-1"), SourceRule::Pattern)
        );
        assert_eq!(
            file_source("in/x.txt", folder(), Some(&re("(z*)"))),
            (None, SourceRule::None)
        );
        // Without one: the folder, else none.
        assert_eq!(
            file_source("in/feed/bbc-1.txt", folder(), None),
            (s("feed"), SourceRule::Folder)
        );
        assert_eq!(
            file_source("in/x.txt", None, None),
            (None, SourceRule::None)
        );
    }

    #[test]
    fn tree_sources_by_pattern() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bbc")).unwrap();
        std::fs::write(dir.path().join("bbc/itv-1.txt"), "a").unwrap();
        std::fs::write(dir.path().join("top.txt"), "b").unwrap();
        let re = regex::Regex::new(r"([a-z]+)-1\.txt").unwrap();
        let set = read_tree(dir.path(), &txt(), Some(&re), DEFAULT_MAX_DOC_BYTES).unwrap();
        let got: Vec<(Option<&str>, SourceRule)> = set
            .documents
            .iter()
            .map(|d| (d.source.as_deref(), d.source_rule))
            .collect();
        assert_eq!(
            got,
            [(Some("itv"), SourceRule::Pattern), (None, SourceRule::None)]
        );
        let set = read_tree(dir.path(), &txt(), None, DEFAULT_MAX_DOC_BYTES).unwrap();
        assert_eq!(set.documents[0].source_rule, SourceRule::Folder);
        assert_eq!(set.documents[1].source_rule, SourceRule::None);
    }

    #[test]
    fn jsonl_set_takes_url_hosts_and_counts_bad_lines() {
        let input = b"{\"id\":\"https://www.example.com/a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\",\"source\":\"s\"}\nnope\n";
        let set = read_jsonl(
            &input[..],
            Path::new("in.jsonl"),
            JsonlFields::default(),
            DEFAULT_MAX_DOC_BYTES,
        )
        .unwrap();
        assert_eq!(set.documents[0].source.as_deref(), Some("example.com"));
        assert_eq!(set.documents[0].source_rule, SourceRule::IdUrl);
        assert_eq!(set.documents[1].source.as_deref(), Some("s"));
        assert_eq!(set.documents[1].source_rule, SourceRule::Field);
        assert_eq!(set.failures[0].name, "in.jsonl:3");
    }
}
