//! JSON Lines records: the one reader every command uses.
//!
//! In: one line's bytes, its line number and the [`JsonlFields`] naming
//! the id, text, source, date and URL fields. Out: a [`ParsedRecord`]: a
//! zero-copy [`RecordView`] (where each field sits in the line, and
//! whether the text can be read in place) or, for what the view's scanner
//! does not follow, a [`Document`] serde_json built; or why the line is
//! not a record. [`parse_record`] gives the owned [`Document`] either way.
//!
//! The scanner reads a top-level object and checks everything serde_json
//! would check of it (strings, escapes, numbers, nested values), so that
//! whenever it gives a view, serde_json would have read the same document.
//! Anything it is not sure of (an escaped key, a repeated field, a nested
//! or non-integer value in a field, a line that is not UTF-8, any error)
//! goes to serde_json, whose answer (and error message) stands. Tests
//! check the two agree on generated records.
//!
//! The code is laid out by concern. This file holds the configuration
//! ([`JsonlFields`]), the line reader ([`JsonlReader`], [`Record`]), the
//! entry points ([`read_record`], [`parse_record`]) and the source rule
//! ([`jsonl_source`]). `view.rs` holds the zero-copy [`RecordView`] and
//! [`TextView`]; `scan.rs` the hand-written scanner that finds a view's
//! fields and checks the line as serde_json would; `fallback.rs` the
//! serde_json reading of the lines the scanner leaves; `tests.rs` the
//! tests of the whole reader, among them that both paths agree with
//! serde_json.

mod fallback;
mod scan;
mod view;

use std::borrow::Cow;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::line::{read_line, LimitedLine};
use super::{url_host, Document, SourceRule, DEFAULT_MAX_DOC_BYTES};
use crate::error::{too_large_message, Error, Result};
use fallback::parse_with_serde;

pub use view::{RecordView, TextView};

/// Which JSON fields of a JSON Lines record hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlFields {
    /// Field holding the document id (default `id`); the line number is used
    /// when a record has none.
    pub id: String,
    /// Field holding the text (default `text`); required.
    pub text: String,
    /// Field holding the source or outlet (default `source`); optional.
    pub source: String,
    /// Field holding the date (default `date`); optional.
    pub date: String,
    /// Field holding the page's URL (default `url`); optional. Its host
    /// is the source of a record with no source field.
    pub url: String,
}

impl Default for JsonlFields {
    fn default() -> JsonlFields {
        JsonlFields {
            id: "id".into(),
            text: "text".into(),
            source: "source".into(),
            date: "date".into(),
            url: "url".into(),
        }
    }
}

/// Field slots, in the order of [`JsonlFields::names`].
const ID: usize = 0;
const TEXT: usize = 1;
const SOURCE: usize = 2;
const DATE: usize = 3;
const URL: usize = 4;
const SLOTS: usize = 5;

impl JsonlFields {
    fn names(&self) -> [&str; SLOTS] {
        [&self.id, &self.text, &self.source, &self.date, &self.url]
    }

    /// Which fields `key` names, a bit per slot (one key may serve two
    /// roles, as `--id-field text` asks).
    fn roles(&self, key: &[u8]) -> u8 {
        self.names()
            .iter()
            .enumerate()
            .filter(|(_, name)| name.as_bytes() == key)
            .fold(0, |mask, (i, _)| mask | 1 << i)
    }
}

/// One JSON Lines record: the raw line exactly as read and the document in it.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number in the input.
    pub line: u64,
    /// The line's bytes as read, without its line terminator (empty for a
    /// line over the size limit, which is not kept).
    pub raw: Vec<u8>,
    /// The parsed document, or why the line is not one.
    pub document: Result<Document, String>,
}

/// Reads JSON Lines records one by one. Blank lines are skipped (they hold
/// no record); every other line yields a [`Record`], whose `document` is an
/// error message when the line is not a usable record, so no line is lost.
/// A line longer than the size limit ([`JsonlReader::max_doc_bytes`]) is
/// such a record, read no further than the limit.
pub struct JsonlReader<R> {
    reader: R,
    path: PathBuf,
    fields: JsonlFields,
    line: u64,
    max_doc_bytes: u64,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader over `reader`; `path` names the input in errors (`-` for
    /// stdin). Lines may hold [`DEFAULT_MAX_DOC_BYTES`].
    pub fn new(reader: R, path: impl Into<PathBuf>, fields: JsonlFields) -> JsonlReader<R> {
        JsonlReader {
            reader,
            path: path.into(),
            fields,
            line: 0,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }

    /// Sets the most bytes a record's line may hold (its terminator
    /// excluded); a longer line is a record whose document is the error
    /// [`Error::TooLarge`] gives after its location.
    pub fn max_doc_bytes(mut self, max_bytes: u64) -> JsonlReader<R> {
        self.max_doc_bytes = max_bytes;
        self
    }

    /// The next record, `None` at the end of input, or an I/O error.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        loop {
            let line =
                read_line(&mut self.reader, self.max_doc_bytes, &mut |_| {}).map_err(|e| {
                    Error::Io {
                        path: self.path.clone(),
                        source: e,
                    }
                })?;
            let mut raw = match line {
                None => return Ok(None),
                Some(LimitedLine::Line(raw)) => raw,
                Some(LimitedLine::TooLong(size)) => {
                    self.line += 1;
                    let message = too_large_message(true, Some(size.content), self.max_doc_bytes);
                    return Ok(Some(Record {
                        line: self.line,
                        raw: Vec::new(),
                        document: Err(message),
                    }));
                }
            };
            self.line += 1;
            if raw.last() == Some(&b'\n') {
                raw.pop();
                if raw.last() == Some(&b'\r') {
                    raw.pop();
                }
            }
            if raw.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let document = parse_record(&raw, self.line, &self.fields);
            return Ok(Some(Record {
                line: self.line,
                raw,
                document,
            }));
        }
    }

    /// The path this reader names in errors.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Record>;
    fn next(&mut self) -> Option<Result<Record>> {
        self.next_record().transpose()
    }
}

/// A record read by [`read_record`].
#[derive(Debug, Clone)]
pub enum ParsedRecord<'a> {
    /// Found by the scanner: the fields in place.
    View(RecordView<'a>),
    /// Built by serde_json, for a line the scanner does not follow.
    Owned(Document),
}

impl ParsedRecord<'_> {
    /// The owned document.
    pub fn into_document(self) -> Document {
        match self {
            ParsedRecord::View(v) => v.document(),
            ParsedRecord::Owned(d) => d,
        }
    }
}

/// Reads one JSON Lines record (line number `line`, 1-based, names a
/// record without an id): its fields in place when the scanner follows
/// the line, else as serde_json reads it; the same document either way.
/// The error is the message the user sees after `FILE:LINE: `.
pub fn read_record<'a>(
    raw: &'a [u8],
    line: u64,
    fields: &JsonlFields,
) -> Result<ParsedRecord<'a>, String> {
    match RecordView::scan(raw, line, fields) {
        Some(view) => Ok(ParsedRecord::View(view)),
        None => parse_with_serde(raw, line, fields).map(ParsedRecord::Owned),
    }
}

/// Parses one JSON Lines record into a document (see [`read_record`]).
pub fn parse_record(raw: &[u8], line: u64, fields: &JsonlFields) -> Result<Document, String> {
    read_record(raw, line, fields).map(ParsedRecord::into_document)
}

/// The source of a JSON Lines record: its source field's value (a string
/// or number), else the host of its URL field when that is an http(s)
/// URL, else the host of its id when that is one; with the rule that gave
/// it.
pub fn jsonl_source(
    field: Option<Cow<'_, str>>,
    url: Option<&str>,
    id: Option<&str>,
) -> (Option<String>, SourceRule) {
    if let Some(s) = field {
        return (Some(s.into_owned()), SourceRule::Field);
    }
    if let Some(host) = url.and_then(url_host) {
        return (Some(host.to_string()), SourceRule::UrlField);
    }
    if let Some(host) = id.and_then(url_host) {
        return (Some(host.to_string()), SourceRule::IdUrl);
    }
    (None, SourceRule::None)
}

#[cfg(test)]
mod tests;
