//! The zero-copy reading of a record: [`RecordView`], where each
//! configured field sits in the line, and [`TextView`], how its text can
//! be read (in place, or decoded into a string). The scanner (`scan.rs`)
//! finds the [`Value`]s; nothing here allocates except to decode an
//! escaped string or build the owned [`Document`].

use std::borrow::Cow;

use super::scan::{decode_escapes, scan_object, Piece};
use super::{jsonl_source, JsonlFields, DATE, ID, SLOTS, SOURCE, TEXT, URL};
use crate::input::{Document, SourceRule};

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
pub(super) struct Value {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
