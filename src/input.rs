//! Reading documents: text files (UTF-8, UTF-8 with BOM, or Windows-1252) and
//! JSON Lines records.
//!
//! A [`Document`] holds the decoded text the pipeline works on and remembers
//! how it was decoded, so every span can be mapped back to byte offsets in
//! the original file ([`Document::original_span`]). Nothing here prints: a
//! Windows-1252 fallback is reported through [`Document::encoding`] and the
//! caller decides whether to tell the user.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::span::Span;

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
    /// Publication date as given (ISO 8601 sorts correctly), when known.
    pub date: Option<String>,
    encoding: Encoding,
    /// For Windows-1252 input: the decoded byte offset at which each
    /// original byte's character starts (one character per original byte).
    cp1252_starts: Vec<u32>,
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

    /// Reads a text file. Missing files, directories and binary files are
    /// errors naming the path; an empty file is a valid, empty document.
    pub fn read(path: &Path) -> Result<Document> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        if meta.is_dir() {
            return Err(Error::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
        Document::from_bytes(path.display().to_string(), &bytes, path)
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
}

impl Default for JsonlFields {
    fn default() -> JsonlFields {
        JsonlFields {
            id: "id".into(),
            text: "text".into(),
            source: "source".into(),
            date: "date".into(),
        }
    }
}

/// One JSON Lines record: the raw line exactly as read and the document in it.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number in the input.
    pub line: u64,
    /// The line's bytes as read, without its line terminator.
    pub raw: Vec<u8>,
    /// The parsed document, or why the line is not one.
    pub document: Result<Document, String>,
}

/// Reads JSON Lines records one by one. Blank lines are skipped (they hold
/// no record); every other line yields a [`Record`], whose `document` is an
/// error message when the line is not a usable record, so no line is lost.
pub struct JsonlReader<R> {
    reader: R,
    path: PathBuf,
    fields: JsonlFields,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader over `reader`; `path` names the input in errors (`-` for stdin).
    pub fn new(reader: R, path: impl Into<PathBuf>, fields: JsonlFields) -> JsonlReader<R> {
        JsonlReader {
            reader,
            path: path.into(),
            fields,
            line: 0,
            buf: Vec::new(),
        }
    }

    /// The next record, `None` at the end of input, or an I/O error.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| Error::Io {
                    path: self.path.clone(),
                    source: e,
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let mut raw = std::mem::take(&mut self.buf);
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

/// Parses one JSON Lines record into a document.
pub fn parse_record(raw: &[u8], line: u64, fields: &JsonlFields) -> Result<Document, String> {
    let value: serde_json::Value =
        serde_json::from_slice(raw).map_err(|e| format!("malformed JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or_else(|| "expected a JSON object".to_string())?;
    let text = match obj.get(&fields.text) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("field \"{}\" is not a string", fields.text)),
        None => return Err(format!("missing text field \"{}\"", fields.text)),
    };
    let scalar = |name: &str| -> Option<String> {
        match obj.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let id = scalar(&fields.id).unwrap_or_else(|| format!("line-{line}"));
    let mut doc = Document::from_text(id, text);
    doc.source = scalar(&fields.source);
    doc.date = scalar(&fields.date);
    Ok(doc)
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

    #[test]
    fn jsonl_records_keep_raw_lines_and_report_bad_ones() {
        let input = b"{\"id\":\"a\",\"text\":\"one\"}\n\nnot json\n{\"id\":7}\r\n";
        let mut r = JsonlReader::new(&input[..], "in.jsonl", JsonlFields::default());
        let first = r.next_record().unwrap().unwrap();
        assert_eq!(first.line, 1);
        assert_eq!(first.raw, b"{\"id\":\"a\",\"text\":\"one\"}");
        assert_eq!(first.document.unwrap().text, "one");
        let bad = r.next_record().unwrap().unwrap();
        assert_eq!(bad.line, 3);
        assert!(bad.document.unwrap_err().starts_with("malformed JSON"));
        let missing = r.next_record().unwrap().unwrap();
        assert_eq!(missing.line, 4);
        assert_eq!(missing.document.unwrap_err(), "missing text field \"text\"");
        assert!(r.next_record().unwrap().is_none());
    }
}
