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

use std::borrow::Cow;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::line::{read_line, LimitedLine};
use super::{url_host, Document, SourceRule, DEFAULT_MAX_DOC_BYTES};
use crate::error::{too_large_message, Error, Result};

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

/// A record's configured fields found in place in its line.
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'a> {
    /// The whole line (checked to be UTF-8).
    line: &'a str,
    number: u64,
    values: [Option<Value>; SLOTS],
}

/// A JSON value's bytes in the line: a string's content between its
/// quotes, or a scalar's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Value {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A string without escapes.
    Plain,
    /// A string whose escapes are all `\n \r \t \b \f \" \/`: two bytes
    /// that stand for one character that is no part of a word, so the
    /// tokenizer can read the string as it stands.
    Simple,
    /// A string with other escapes (checked to decode).
    Escaped,
    /// An integer serde_json writes back as it stands (no `-0`, no
    /// leading zero, fits in 64 bits).
    Integer,
    /// `true`, `false` or `null`.
    Literal,
}

/// How a view's text can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextView<'a> {
    /// The text itself, in place (no escapes).
    Plain(&'a str),
    /// The JSON string content, in place, whose escapes are all
    /// `\n \r \t \b \f \" \/`: [`crate::tokenize::TokenHasher::hash_tokens_json`]
    /// reads it as it stands.
    SimpleEscapes(&'a str),
    /// The JSON string content with escapes that need decoding
    /// ([`RecordView::decode_text_into`]).
    Escaped(&'a str),
}

impl<'a> RecordView<'a> {
    /// Finds the fields of a one-line JSON object; `None` for anything the
    /// scanner does not follow or that is not a usable record (serde_json
    /// then decides).
    pub fn scan(raw: &'a [u8], line: u64, fields: &JsonlFields) -> Option<RecordView<'a>> {
        let text = simdutf8::basic::from_utf8(raw).ok()?;
        let values = scan_object(text, fields)?;
        // A text that is not a string, or none: serde_json's error.
        if !values[TEXT].is_some_and(|v| v.is_string()) {
            return None;
        }
        Some(RecordView {
            line: text,
            number: line,
            values,
        })
    }

    /// The text, in place.
    pub fn text(&self) -> TextView<'a> {
        let v = self.values[TEXT].expect("a view has a text");
        let s = &self.line[v.start..v.end];
        match v.kind {
            Kind::Plain => TextView::Plain(s),
            Kind::Simple => TextView::SimpleEscapes(s),
            _ => TextView::Escaped(s),
        }
    }

    /// Byte range of the text's content (between its quotes) in the line.
    pub fn text_range(&self) -> std::ops::Range<usize> {
        let v = self.values[TEXT].expect("a view has a text");
        v.start..v.end
    }

    /// Appends the decoded text to `out`.
    pub fn decode_text_into(&self, out: &mut String) {
        let v = self.values[TEXT].expect("a view has a text");
        push_string(&self.line[v.start..v.end], v.kind, out);
    }

    /// The id: the id field's string or number, else `line-N`.
    pub fn id(&self) -> String {
        self.scalar(ID)
            .map_or_else(|| format!("line-{}", self.number), Cow::into_owned)
    }

    /// The date field's string or number.
    pub fn date(&self) -> Option<String> {
        self.scalar(DATE).map(Cow::into_owned)
    }

    /// The source field's string or number, else the host of an http(s)
    /// URL in the URL field, else in the id ([`jsonl_source`]).
    pub fn source(&self) -> (Option<String>, SourceRule) {
        if let Some(s) = self.scalar(SOURCE) {
            return (Some(s.into_owned()), SourceRule::Field);
        }
        jsonl_source(
            None,
            self.string(URL).as_deref(),
            self.string(ID).as_deref(),
        )
    }

    /// The owned document.
    pub fn document(&self) -> Document {
        let mut text = String::new();
        self.decode_text_into(&mut text);
        let mut doc = Document::from_text(self.id(), text);
        (doc.source, doc.source_rule) = self.source();
        doc.date = self.date();
        doc
    }

    /// A field's string content, or a number's text.
    fn scalar(&self, slot: usize) -> Option<Cow<'a, str>> {
        let v = self.values[slot]?;
        match v.kind {
            Kind::Integer => Some(Cow::Borrowed(&self.line[v.start..v.end])),
            Kind::Literal => None,
            _ => self.string(slot),
        }
    }

    /// A field's string content.
    fn string(&self, slot: usize) -> Option<Cow<'a, str>> {
        let v = self.values[slot]?;
        let s = &self.line[v.start..v.end];
        match v.kind {
            Kind::Plain => Some(Cow::Borrowed(s)),
            Kind::Simple | Kind::Escaped => {
                let mut out = String::new();
                push_string(s, v.kind, &mut out);
                Some(Cow::Owned(out))
            }
            Kind::Integer | Kind::Literal => None,
        }
    }
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

impl Value {
    fn is_string(&self) -> bool {
        matches!(self.kind, Kind::Plain | Kind::Simple | Kind::Escaped)
    }
}

/// Appends the string content `s` (of kind `kind`, checked by the scanner)
/// decoded to `out`.
fn push_string(s: &str, kind: Kind, out: &mut String) {
    if kind == Kind::Plain {
        out.push_str(s);
    } else {
        let ok = decode_escapes(s, |piece| match piece {
            Piece::Str(t) => out.push_str(t),
            Piece::Char(c) => out.push(c),
        });
        debug_assert!(ok, "the scanner checked the escapes");
    }
}

/// Finds the configured fields of a one-line JSON object, checking the
/// whole line as serde_json would. `None` for anything unusual.
fn scan_object(line: &str, fields: &JsonlFields) -> Option<[Option<Value>; SLOTS]> {
    let raw = line.as_bytes();
    let mut values = [None; SLOTS];
    let mut seen = 0u8;
    let mut i = skip_ws(raw, 0);
    if raw.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(raw, i + 1);
    if raw.get(i) == Some(&b'}') {
        return (skip_ws(raw, i + 1) == raw.len()).then_some(values);
    }
    loop {
        if raw.get(i) != Some(&b'"') {
            return None;
        }
        let (key_end, key_escaped, _) = string_end(raw, i + 1)?;
        let key = &raw[i + 1..key_end];
        // serde_json decodes keys; an escaped one is left to it.
        if key_escaped || has_control(key) {
            return None;
        }
        i = skip_ws(raw, key_end + 1);
        if raw.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(raw, i + 1);
        let roles = fields.roles(key);
        // A repeated field: serde_json keeps the last, after checking
        // the ones before; it decides.
        if roles & seen != 0 {
            return None;
        }
        seen |= roles;
        let value = match *raw.get(i)? {
            b'"' => {
                let (end, escaped, simple) = string_end(raw, i + 1)?;
                let content = &raw[i + 1..end];
                if has_control(content) {
                    return None;
                }
                let kind = match (escaped, simple) {
                    (false, _) => Kind::Plain,
                    (true, true) => Kind::Simple,
                    (true, false) => Kind::Escaped,
                };
                // Quotes are ASCII: the content is a slice of the line.
                let s = &line[i + 1..end];
                let valid = match kind {
                    Kind::Plain | Kind::Simple => true,
                    // A field's string is decoded: every escape must stand
                    // for a character (no lone surrogate).
                    _ if roles != 0 => decode_escapes(s, |_| {}),
                    // Another is skipped: serde_json only checks its
                    // escapes' form.
                    _ => escapes_well_formed(s),
                };
                if !valid {
                    return None;
                }
                let v = Value {
                    start: i + 1,
                    end,
                    kind,
                };
                i = end + 1;
                v
            }
            b'{' | b'[' => {
                // Nested values in a field: serde_json builds them (with
                // its own limits) and decides.
                if roles != 0 {
                    return None;
                }
                i = skip_value(line, i, MAX_DEPTH)?;
                match after_value(raw, &mut i)? {
                    After::Member => continue,
                    After::End => return Some(values),
                }
            }
            b't' | b'f' | b'n' => {
                let end = skip_literal(raw, i)?;
                let v = Value {
                    start: i,
                    end,
                    kind: Kind::Literal,
                };
                i = end;
                v
            }
            b'-' | b'0'..=b'9' => {
                let end = skip_number(raw, i)?;
                // Only integers serde_json writes back unchanged are read
                // in place; other numbers in a field go to serde_json.
                if roles != 0 && !is_plain_integer(&raw[i..end]) {
                    return None;
                }
                let v = Value {
                    start: i,
                    end,
                    kind: Kind::Integer,
                };
                i = end;
                v
            }
            _ => return None,
        };
        for (slot, out) in values.iter_mut().enumerate() {
            if roles & 1 << slot != 0 {
                *out = Some(value);
            }
        }
        match after_value(raw, &mut i)? {
            After::Member => {}
            After::End => return Some(values),
        }
    }
}

/// What follows a member of the top-level object.
enum After {
    /// A comma: `*i` is at the next member.
    Member,
    /// The closing brace, then only whitespace to the end of the line.
    End,
}

/// Reads past what follows a member's value at `*i`; `None` for anything
/// but a comma or the end of the object and line.
fn after_value(raw: &[u8], i: &mut usize) -> Option<After> {
    let j = skip_ws(raw, *i);
    match raw.get(j)? {
        b',' => {
            *i = skip_ws(raw, j + 1);
            Some(After::Member)
        }
        b'}' => (skip_ws(raw, j + 1) == raw.len()).then_some(After::End),
        _ => None,
    }
}

/// Deepest nesting the scanner follows in a skipped value (deeper ones
/// are left to serde_json, which skips any depth). 64: records nest a
/// few levels; anything deeper is not worth a second code path.
const MAX_DEPTH: usize = 64;

/// Index just past the value starting at `raw[i]`, checked as serde_json
/// checks a value it skips (strings' escapes only by form).
fn skip_value(line: &str, i: usize, depth: usize) -> Option<usize> {
    let raw = line.as_bytes();
    match *raw.get(i)? {
        b'"' => {
            let (end, escaped, _) = string_end(raw, i + 1)?;
            if has_control(&raw[i + 1..end]) {
                return None;
            }
            if escaped && !escapes_well_formed(&line[i + 1..end]) {
                return None;
            }
            Some(end + 1)
        }
        open @ (b'{' | b'[') => {
            let depth = depth.checked_sub(1)?;
            let close = if open == b'{' { b'}' } else { b']' };
            let mut j = skip_ws(raw, i + 1);
            if raw.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if open == b'{' {
                    if raw.get(j) != Some(&b'"') {
                        return None;
                    }
                    j = skip_value(line, j, depth)?;
                    j = skip_ws(raw, j);
                    if raw.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(raw, j + 1);
                }
                j = skip_value(line, j, depth)?;
                j = skip_ws(raw, j);
                match *raw.get(j)? {
                    b',' => j = skip_ws(raw, j + 1),
                    c if c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b't' | b'f' | b'n' => skip_literal(raw, i),
        b'-' | b'0'..=b'9' => skip_number(raw, i),
        _ => None,
    }
}

/// Index just past the `true`, `false` or `null` at `i`.
fn skip_literal(raw: &[u8], i: usize) -> Option<usize> {
    let rest = &raw[i..];
    [&b"true"[..], b"false", b"null"]
        .iter()
        .find(|lit| rest.starts_with(lit))
        .map(|lit| i + lit.len())
}

/// Index just past the JSON number at `i` (RFC 8259 grammar).
fn skip_number(raw: &[u8], mut i: usize) -> Option<usize> {
    let digits = |raw: &[u8], mut i: usize| {
        let s = i;
        while raw.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if raw.get(i) == Some(&b'-') {
        i += 1;
    }
    match raw.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(raw, i)?,
        _ => return None,
    }
    if raw.get(i) == Some(&b'.') {
        i = digits(raw, i + 1)?;
    }
    if matches!(raw.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(raw.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(raw, i)?;
    }
    Some(i)
}

/// True for an integer serde_json reads as one and writes back as it
/// stands: `0` or no leading zero, at most 18 digits (so it fits in an
/// `i64`), and not `-0` (which serde_json reads as the float `-0.0`).
fn is_plain_integer(t: &[u8]) -> bool {
    let digits = t.strip_prefix(b"-").unwrap_or(t);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.iter().all(u8::is_ascii_digit)
        && (digits == b"0" || digits[0] != b'0')
        && t != b"-0"
}

fn skip_ws(raw: &[u8], mut i: usize) -> usize {
    while i < raw.len() && matches!(raw[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// End (the closing quote's index) of a string whose content starts at
/// `i`, whether it holds escapes, and whether they are all simple (see
/// [`Kind::Simple`]).
fn string_end(raw: &[u8], mut i: usize) -> Option<(usize, bool, bool)> {
    let mut escaped = false;
    let mut simple = true;
    loop {
        let j = i + memchr::memchr2(b'"', b'\\', raw.get(i..)?)?;
        if raw[j] == b'"' {
            return Some((j, escaped, simple));
        }
        escaped = true;
        simple &= matches!(
            raw.get(j + 1),
            Some(b'n' | b'r' | b't' | b'b' | b'f' | b'"' | b'/')
        );
        i = j + 2;
        if i > raw.len() {
            return None;
        }
    }
}

/// True when `t` holds a control character, which JSON forbids raw in
/// strings (serde_json agrees).
fn has_control(t: &[u8]) -> bool {
    t.iter().fold(false, |acc, &b| acc | (b < 0x20))
}

/// A piece of a decoded string.
enum Piece<'s> {
    Str(&'s str),
    Char(char),
}

/// Decodes the escapes of a JSON string's content `s` (free of control
/// characters), handing each piece to `push`; false at a bad escape or a
/// lone surrogate (as serde_json's reading of a string).
#[inline]
fn decode_escapes<'s>(s: &'s str, mut push: impl FnMut(Piece<'s>)) -> bool {
    let mut rest = s;
    while let Some(p) = memchr::memchr(b'\\', rest.as_bytes()) {
        let (plain, tail) = rest.split_at(p);
        push(Piece::Str(plain));
        let c = match tail.as_bytes().get(1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let Some(hi) = hex4(&tail[2..]) else {
                    return false;
                };
                let mut used = 6;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    let lo = tail
                        .get(6..8)
                        .filter(|x| *x == "\\u")
                        .and_then(|_| hex4(&tail[8..]));
                    match lo {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            used = 12;
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        _ => return false,
                    }
                } else {
                    hi
                };
                let Some(c) = char::from_u32(code) else {
                    return false;
                };
                push(Piece::Char(c));
                rest = &tail[used..];
                continue;
            }
            _ => return false,
        };
        push(Piece::Char(c));
        rest = &tail[2..];
    }
    push(Piece::Str(rest));
    true
}

/// True when every escape of `s` has a valid form (a known letter, or
/// `\u` and four hex digits), which is all serde_json checks of a string
/// it skips.
fn escapes_well_formed(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\\', &b[i..]) {
        let j = i + p;
        match b.get(j + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i = j + 2,
            Some(b'u') if s.get(j + 2..).and_then(hex4).is_some() => i = j + 6,
            _ => return false,
        }
    }
    true
}

fn hex4(s: &str) -> Option<u32> {
    let h = s.get(..4)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(h, 16).ok()
}

/// The serde_json reading of a record, for lines the scanner does not
/// follow.
///
/// Only the configured fields are built; every other value is skipped by
/// the parser without allocating. As with a `Value`, the last of repeated
/// keys counts. A UTF-8 line is parsed as a `str` (serde_json checks each
/// string of a byte slice with `std`'s validator); a line that is not
/// UTF-8 is parsed from its bytes, for serde_json's error and its position.
fn parse_with_serde(raw: &[u8], line: u64, fields: &JsonlFields) -> Result<Document, String> {
    let record = match simdutf8::basic::from_utf8(raw) {
        Ok(text) => read_with(serde_json::Deserializer::from_str(text), fields),
        Err(_) => read_with(serde_json::Deserializer::from_slice(raw), fields),
    }
    .map_err(|e| format!("malformed JSON: {e}"))?
    .ok_or_else(|| "expected a JSON object".to_string())?;
    let [id, text, source, date, url] = record;
    let text = match text {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(format!("field \"{}\" is not a string", fields.text)),
        None => return Err(format!("missing text field \"{}\"", fields.text)),
    };
    let scalar = |v: Option<serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let as_str = |v: &Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let (url, id_str) = (as_str(&url), as_str(&id));
    let (source, rule) = jsonl_source(
        scalar(source).map(Cow::Owned),
        url.as_deref(),
        id_str.as_deref(),
    );
    let id = scalar(id).unwrap_or_else(|| format!("line-{line}"));
    let mut doc = Document::from_text(id, text);
    doc.source = source;
    doc.source_rule = rule;
    doc.date = scalar(date);
    Ok(doc)
}

/// The configured fields of the one JSON value `de` reads.
fn read_with<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    fields: &JsonlFields,
) -> serde_json::Result<RecordFields> {
    use serde::de::DeserializeSeed;
    let record = RecordSeed(fields).deserialize(&mut de)?;
    de.end()?;
    Ok(record)
}

/// The values of the configured fields of a record, in slot order
/// (`None` for a record that is not an object).
type RecordFields = Option<[Option<serde_json::Value>; SLOTS]>;

/// Deserializes a record keeping only the fields of a [`JsonlFields`].
struct RecordSeed<'a>(&'a JsonlFields);

impl<'de> serde::de::DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<RecordFields, D::Error> {
        d.deserialize_any(self)
    }
}

/// Which of the fields a key names (a bit each: one key may serve two
/// roles).
struct KeySeed<'a>(&'a JsonlFields);

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = u8;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u8, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for KeySeed<'_> {
    type Value = u8;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<u8, E> {
        Ok(self.0.roles(key.as_bytes()))
    }
}

impl<'de> serde::de::Visitor<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RecordFields, A::Error> {
        let mut out: [Option<serde_json::Value>; SLOTS] = Default::default();
        while let Some(mask) = map.next_key_seed(KeySeed(self.0))? {
            if mask == 0 {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            let value: serde_json::Value = map.next_value()?;
            let last = 7 - mask.leading_zeros() as usize;
            for (i, slot) in out.iter_mut().enumerate().take(last) {
                if mask & 1 << i != 0 {
                    *slot = Some(value.clone());
                }
            }
            out[last] = Some(value);
        }
        Ok(Some(out))
    }

    // Any other JSON value is a record that is not an object.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RecordFields, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<RecordFields, E> {
        Ok(None)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<RecordFields, E> {
        Ok(None)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<RecordFields, E> {
        Ok(None)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<RecordFields, E> {
        Ok(None)
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<RecordFields, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<RecordFields, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The parts of a document a record gives.
    type Fields5 = (String, String, Option<String>, SourceRule, Option<String>);

    fn parts(d: Document) -> Fields5 {
        (d.id, d.text, d.source, d.source_rule, d.date)
    }

    /// The reading of a record through a whole `serde_json::Value`, as
    /// `parse_record` once did, with the source rule written out again:
    /// the reader must agree with it.
    fn parse_record_via_value(
        raw: &[u8],
        line: u64,
        fields: &JsonlFields,
    ) -> Result<Fields5, String> {
        let value: serde_json::Value =
            serde_json::from_slice(raw).map_err(|e| format!("malformed JSON: {e}"))?;
        let obj = value.as_object().ok_or("expected a JSON object")?;
        let text = match obj.get(&fields.text) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => return Err(format!("field \"{}\" is not a string", fields.text)),
            None => return Err(format!("missing text field \"{}\"", fields.text)),
        };
        let scalar = |name: &str| match obj.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let host = |name: &str| {
            let s = obj.get(name)?.as_str()?;
            url_host(s).map(str::to_string)
        };
        let (source, rule) = if let Some(s) = scalar(&fields.source) {
            (Some(s), SourceRule::Field)
        } else if let Some(h) = host(&fields.url) {
            (Some(h), SourceRule::UrlField)
        } else if let Some(h) = host(&fields.id) {
            (Some(h), SourceRule::IdUrl)
        } else {
            (None, SourceRule::None)
        };
        let id = scalar(&fields.id).unwrap_or_else(|| format!("line-{line}"));
        Ok((id, text, source, rule, scalar(&fields.date)))
    }

    /// The scanner's reading, when it follows the line.
    fn fast(raw: &[u8], fields: &JsonlFields) -> Option<Fields5> {
        RecordView::scan(raw, 3, fields).map(|v| parts(v.document()))
    }

    #[test]
    fn records_parse_as_through_a_whole_value() {
        let lines = [
            r#"{"id":"a","text":"Hello there.","source":"wire","date":"2016-02-11","url":"x"}"#,
            r#"{"text":"no id","id":null,"extra":{"nested":[1,2,{"text":"not me"}]}}"#,
            r#"{"id":17,"text":"numeric id","source":1.5e3,"date":-2}"#,
            r#"{"id":-0,"text":"minus zero","source":12345678901234567890123}"#,
            r#"{"id":"a","text":"first","text":"last wins"}"#,
            r#"{"id":"a","text":"string first","text":7}"#,
            r#"{"id":"a","text":"été \"quoted\"","source":"escaped key"}"#,
            r#"{"id":"a","te\u0078t":"escaped key","s":"\ud83d\ude00 \u00e9 \\ \/"}"#,
            r#"{"id":"a","text":"lone \ud800 surrogate"}"#,
            r#"{"id":"a","text":"ok","x":"lone \ud800 skipped"}"#,
            r#"{"id":"a","text":"bad \q escape"}"#,
            r#"{"id":"https://www.bbc.co.uk/news/1","text":"url id"}"#,
            r#"{"id":"b","text":"url field","url":"https:\/\/example.org\/x"}"#,
            r#"{"id":"https://a.org/1","text":"both","url":"http://b.org/2"}"#,
            r#"{"id":"c","text":"not a URL","url":"ftp://c.org/"}"#,
            r#"{"id":"c","text":"url number","url":7,"source":null}"#,
            r#"{"id":"a"}"#,
            r#"{"id":"a","text":["not","a","string"]}"#,
            r#"{"id":"a","text":"ok","x":[1,}"#,
            r#"{"id":"a","text":"ok","x":tru}"#,
            r#"{"id":"a","text":"ok","x":01}"#,
            r#"{"id":"a","text":"ok","x":{"k" 1}}"#,
            r#"{"id":"a","text":"ok","x":[[[[{"y":[true,false,null,-1.5E+3]}]]]]}"#,
            r#"["an","array"]"#,
            r#""a string""#,
            r#"42"#,
            r#"null"#,
            r#"{"id":"a","text":"ok"} trailing"#,
            r#"{"id":"a","text":"unterminated"#,
            r#"{"id":"a","text":"ok",}"#,
            r#"  {"id":"a","text":"ok"}  "#,
            r#"{}"#,
            r#""#,
        ];
        let default = JsonlFields::default();
        let shared = JsonlFields {
            id: "text".into(),
            ..JsonlFields::default()
        };
        let url_is_id = JsonlFields {
            url: "id".into(),
            ..JsonlFields::default()
        };
        // Not UTF-8: in the text, outside any string.
        let bytes: [&[u8]; 3] = [
            b"{\"id\":\"a\",\"text\":\"caf\xe9 au lait\"}",
            b"{\"id\":\"a\",\"text\":\"ok\"}\xc3",
            b"{\"id\":\"a\",\"text\":\"raw \x01 control\"}",
        ];
        for fields in [&default, &shared, &url_is_id] {
            for line in lines.iter().map(|l| l.as_bytes()).chain(bytes) {
                let want = parse_record_via_value(line, 3, fields);
                let got = parse_record(line, 3, fields).map(parts);
                let shown = String::from_utf8_lossy(line);
                // serde_json's `Value` checks a skipped lone surrogate,
                // which serde_json skipping a value does not.
                if shown.contains(r"lone \ud800 skipped") {
                    assert!(got.is_ok() && want.is_err(), "{shown}");
                    continue;
                }
                assert_eq!(got, want, "{shown}");
                if let Some(f) = fast(line, fields) {
                    assert_eq!(Ok(f), want, "fast path: {shown}");
                }
            }
        }
        for line in bytes {
            assert!(parse_record(line, 3, &default).is_err());
        }
        // A value the record's fields do not name is skipped unread, bytes
        // that are not UTF-8 included (a whole `Value` rejects them).
        let skipped = b"{\"id\":\"a\",\"text\":\"ok\",\"link\":\"\xff\xfe\"}";
        let doc = parse_record(skipped, 3, &default).unwrap();
        assert_eq!((doc.id.as_str(), doc.text.as_str()), ("a", "ok"));
    }

    #[test]
    fn usual_records_are_read_in_place_and_odd_ones_by_serde() {
        let f = JsonlFields::default();
        let line = br#" {"id": 7, "meta": {"a": [1, "}"]}, "text": "a \"b\" \u00e9\ud83d\ude00\n", "source":"s"} "#;
        let Ok(ParsedRecord::View(v)) = read_record(line, 3, &f) else {
            panic!("read in place");
        };
        assert!(matches!(v.text(), TextView::Escaped(_)));
        assert_eq!(&line[v.text_range()], br#"a \"b\" \u00e9\ud83d\ude00\n"#);
        let mut s = String::new();
        v.decode_text_into(&mut s);
        assert_eq!(s, "a \"b\" \u{e9}\u{1F600}\n");
        assert_eq!(v.id(), "7");
        assert_eq!(v.source(), (Some("s".into()), SourceRule::Field));
        let simple = br#"{"id":"x","text":"one\ntwo \"three\""}"#;
        let Ok(ParsedRecord::View(v)) = read_record(simple, 3, &f) else {
            panic!("read in place");
        };
        assert_eq!(v.text(), TextView::SimpleEscapes(r#"one\ntwo \"three\""#));
        let plain = br#"{"text":"plain","id":true}"#;
        let Ok(ParsedRecord::View(v)) = read_record(plain, 9, &f) else {
            panic!("read in place");
        };
        assert_eq!(v.text(), TextView::Plain("plain"));
        assert_eq!(v.id(), "line-9");
        // What the scanner leaves to serde_json: a repeated field, an
        // escaped key, a number it would not write back as it stands, a
        // nested field, a line that is not UTF-8.
        for odd in [
            &br#"{"id":"a","text":"x","text":"y"}"#[..],
            br#"{"id":"a","te\u0078t":"x"}"#,
            br#"{"id":1.0,"text":"x"}"#,
            br#"{"id":"a","text":"x","source":["s"]}"#,
            b"{\"id\":\"a\",\"text\":\"x\",\"link\":\"\xff\"}",
        ] {
            assert!(RecordView::scan(odd, 3, &f).is_none());
            assert!(matches!(
                read_record(odd, 3, &f),
                Ok(ParsedRecord::Owned(_))
            ));
        }
        assert!(RecordView::scan(b"[1,2]", 3, &f).is_none());
        assert!(RecordView::scan(br#"{"text": "x""#, 3, &f).is_none());
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

    /// Issue 14: a record over the limit is a record whose document is the
    /// error (the line is not kept), and the records after it are read.
    #[test]
    fn a_record_over_the_limit_is_an_error_record() {
        let long = format!("{{\"id\":\"b\",\"text\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{\"id\":\"a\",\"text\":\"one\"}}\n{long}\r\n{{\"text\":\"three\"}}");
        let r = JsonlReader::new(input.as_bytes(), "in.jsonl", JsonlFields::default());
        let records: Vec<Record> = r.max_doc_bytes(64).map(Result::unwrap).collect();
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].document.as_ref().unwrap().text, "one");
        assert_eq!((records[1].line, records[1].raw.len()), (2, 0));
        assert_eq!(
            records[1].document.as_ref().unwrap_err(),
            &format!(
                "record of {} bytes is over the limit of 64 bytes on one document; \
                 raise it with --max-doc-bytes",
                long.len()
            )
        );
        assert_eq!(records[2].document.as_ref().unwrap().text, "three");
    }

    #[test]
    fn source_rules_in_order() {
        let f = JsonlFields::default();
        let rule = |line: &str| {
            let d = parse_record(line.as_bytes(), 1, &f).unwrap();
            (d.source, d.source_rule)
        };
        let s = |x: &str| Some(x.to_string());
        // 1. the source field, a string or a number, before any URL.
        assert_eq!(
            rule(r#"{"id":"https://a.org/1","url":"https://b.org/","source":"wire","text":""}"#),
            (s("wire"), SourceRule::Field)
        );
        assert_eq!(
            rule(r#"{"source":42,"text":""}"#),
            (s("42"), SourceRule::Field)
        );
        // 2. else the URL field's host (a null or list source is none).
        assert_eq!(
            rule(
                r#"{"id":"https://a.org/1","url":"https://www.b.org:8080/x","source":null,"text":""}"#
            ),
            (s("b.org"), SourceRule::UrlField)
        );
        // 3. else the id's host, when the URL field is no http(s) URL.
        assert_eq!(
            rule(r#"{"id":"http://a.org/1","url":"mailto:x@y.org","source":["x"],"text":""}"#),
            (s("a.org"), SourceRule::IdUrl)
        );
        // 5. else none.
        assert_eq!(
            rule(r#"{"id":"d1","url":7,"text":""}"#),
            (None, SourceRule::None)
        );
        let other = JsonlFields {
            source: "site".into(),
            url: "link".into(),
            ..JsonlFields::default()
        };
        let d = parse_record(
            br#"{"source":"not this","link":"https://c.net/","text":""}"#,
            1,
            &other,
        )
        .unwrap();
        assert_eq!(
            (d.source.as_deref(), d.source_rule),
            (Some("c.net"), SourceRule::UrlField)
        );
    }

    /// A JSON string literal, quotes included, of pieces that exercise
    /// the scanner: escapes simple and not, unicode escapes with pairs and
    /// lone surrogates, bad escapes, raw control and non-ASCII characters,
    /// URLs.
    fn json_string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            6 => "[a-z ]{1,8}",
            1 => Just("é ü".to_string()),
            1 => Just("😀".to_string()),
            1 => Just(r"\n".to_string()),
            1 => Just(r#"\""#.to_string()),
            1 => Just(r"\\".to_string()),
            1 => Just(r"\/\t\r\b\f".to_string()),
            1 => Just(r"\u00e9".to_string()),
            1 => Just(r"\ud83d\ude00".to_string()),
            1 => Just(r"\ud800".to_string()),
            1 => Just(r"\udc00x".to_string()),
            1 => Just(r"\u12".to_string()),
            1 => Just(r"\x".to_string()),
            1 => Just("\u{1}".to_string()),
            1 => Just("https://www.ex.com/a".to_string()),
            1 => Just(r"http:\/\/h.org:80\/".to_string()),
        ];
        prop::collection::vec(piece, 0..5).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => json_string(),
            2 => "-?[0-9]{1,21}",
            1 => Just("-0".to_string()),
            1 => Just("1.5e3".to_string()),
            1 => Just("-2.25E-2".to_string()),
            1 => Just("1e999".to_string()),
            1 => Just("007".to_string()),
            1 => Just("true".to_string()),
            1 => Just("false".to_string()),
            1 => Just("null".to_string()),
            1 => Just("nul".to_string()),
            1 => Just("1.".to_string()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => Just(r#""text""#),
            2 => Just(r#""id""#),
            2 => Just(r#""source""#),
            2 => Just(r#""date""#),
            2 => Just(r#""url""#),
            3 => Just(r#""other""#),
            1 => Just(r#""te\u0078t""#),
            1 => Just("\"a\u{1}\""),
        ]
        .prop_map(str::to_string)
    }

    fn value() -> impl Strategy<Value = String> {
        scalar().prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((key(), inner), 0..3).prop_map(|m| {
                    let m: Vec<String> = m.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", m.join(","))
                }),
            ]
        })
    }

    fn ws() -> impl Strategy<Value = String> {
        prop_oneof![4 => Just(""), 1 => Just(" "), 1 => Just("\t \r\n")].prop_map(str::to_string)
    }

    /// A line: mostly objects (with a text string most of the time),
    /// sometimes another value, sometimes broken: cut short, a byte
    /// put in (`0xff` is never UTF-8), something after it.
    fn line() -> impl Strategy<Value = Vec<u8>> {
        let member = (ws(), key(), ws(), value(), ws())
            .prop_map(|(a, k, b, v, c)| format!("{a}{k}{b}:{v}{c}"));
        let object = (
            prop::collection::vec(member, 0..5),
            prop::option::weighted(0.8, (any::<prop::sample::Index>(), json_string())),
            ws(),
        )
            .prop_map(|(mut members, text, after)| {
                if let Some((at, t)) = text {
                    let at = at.index(members.len() + 1);
                    members.insert(at, format!("\"text\":{t}"));
                }
                format!("{{{}}}{after}", members.join(","))
            });
        let text = prop_oneof![8 => object, 1 => value()];
        (
            text,
            0..6u8,
            any::<prop::sample::Index>(),
            prop_oneof![
                Just(0xffu8),
                Just(b','),
                Just(b'"'),
                Just(b'}'),
                Just(b'\\')
            ],
        )
            .prop_map(|(t, how, at, byte)| {
                let mut b = t.into_bytes();
                let i = at.index(b.len() + 1);
                match how {
                    0 => b.truncate(i),
                    1 => b.insert(i, byte),
                    2 => b.extend_from_slice(b" x"),
                    _ => {}
                }
                b
            })
    }

    /// The property below means something only if the generated lines
    /// take both paths, the scanner's often and with every kind of text.
    #[test]
    fn generated_lines_take_both_paths() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let f = JsonlFields::default();
        let (mut kinds, mut owned) = ([0; 3], 0);
        for _ in 0..2000 {
            let raw = line().new_tree(&mut runner).unwrap().current();
            match RecordView::scan(&raw, 1, &f).map(|v| v.text()) {
                Some(TextView::Plain(_)) => kinds[0] += 1,
                Some(TextView::SimpleEscapes(_)) => kinds[1] += 1,
                Some(TextView::Escaped(_)) => kinds[2] += 1,
                None => owned += parse_with_serde(&raw, 1, &f).is_ok() as usize,
            }
        }
        assert!(kinds.iter().all(|&n| n >= 20), "{kinds:?}");
        assert!(owned >= 20, "{owned}");
    }

    /// A float id reads back as the number serde_json wrote: without
    /// correct rounding the last digit of a long mantissa could change
    /// (found by the `jsonl` fuzz target; issue 14).
    #[test]
    fn float_id_reads_back_as_written_fuzz_jsonl() {
        for id in ["2.6021876195969827e+251", "0.30000000000000004", "1e-7"] {
            let written = serde_json::to_string(&id.parse::<f64>().unwrap()).unwrap();
            let line = format!(r#"{{"id":{written},"text":"x"}}"#);
            let d = parse_record(line.as_bytes(), 1, &JsonlFields::default()).unwrap();
            assert_eq!(d.id, written, "{line}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whenever the scanner reads a line, serde_json reads the same
        /// document from it; and whatever a whole `Value` reads, the
        /// reader reads too.
        #[test]
        fn fast_path_and_serde_agree(raw in line()) {
            let shared = JsonlFields { id: "text".into(), url: "id".into(), ..JsonlFields::default() };
            for fields in [&JsonlFields::default(), &shared] {
                let serde = parse_with_serde(&raw, 3, fields).map(parts);
                if let Some(got) = fast(&raw, fields) {
                    prop_assert_eq!(Ok(got), serde.clone());
                }
                prop_assert_eq!(parse_record(&raw, 3, fields).map(parts), serde.clone());
                if let Ok(want) = parse_record_via_value(&raw, 3, fields) {
                    prop_assert_eq!(serde, Ok(want));
                }
            }
        }
    }
}
