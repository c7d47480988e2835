//! The JSON Lines readers on arbitrary bytes, and on records serde_json
//! wrote.
//!
//! The bytes are read as a whole input by `JsonlReader` (compare, report)
//! and `read_jsonl`, and line by line by the filter's `InputStream` with
//! `parse_record`. Asserts: no panic; every line is accounted for (the
//! stream gives back every byte, each record carries its 1-based line
//! number, every unusable record is a failure named `PATH:LINE` with a
//! message); both readers give the same document for each line; whenever
//! serde_json reads a line as an object with a string text, the reader
//! gives the document serde_json's values make (id, text, source, date).
//! Then the same bytes drive a generated record (arbitrary fields, keys in
//! any order, repeated keys) that serde_json writes as one line: the
//! reader must read back what was written.
#![no_main]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use copydesk::filter::io::InputStream;
use copydesk::input::jsonl::{parse_record, JsonlFields, JsonlReader};
use copydesk::input::{read_jsonl, url_host, DEFAULT_MAX_DOC_BYTES};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    whole_input(data);
    generated_record(data);
});

/// What a record must read as: id, text, source, date.
type Fields = (String, String, Option<String>, Option<String>);

/// The document serde_json's reading of `line` (line number `n`) makes,
/// or `None` when serde_json finds no object with a string text in it.
fn expected(line: &[u8], n: u64) -> Option<Fields> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(line) else {
        return None;
    };
    expected_of(&map, n)
}

fn expected_of(map: &Map<String, Value>, n: u64) -> Option<Fields> {
    let text = map.get("text")?.as_str()?.to_string();
    let scalar = |k: &str| match map.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        _ => None,
    };
    let host = |k: &str| Some(url_host(map.get(k)?.as_str()?)?.to_string());
    let source = scalar("source")
        .or_else(|| host("url"))
        .or_else(|| host("id"));
    let id = scalar("id").unwrap_or_else(|| format!("line-{n}"));
    Some((id, text, source, scalar("date")))
}

fn whole_input(data: &[u8]) {
    let path = Path::new("fuzz.jsonl");
    let fields = JsonlFields::default();

    // The filter's reader: every byte comes back, lines numbered from 1.
    let mut stream = InputStream::new(vec![(
        PathBuf::from(path),
        Box::new(Cursor::new(data.to_vec())) as Box<dyn std::io::BufRead + Send>,
    )]);
    let mut lines = Vec::new();
    let mut read = Vec::new();
    while let Some(line) = stream.next_line().expect("reading memory cannot fail") {
        assert_eq!(line.line, lines.len() as u64 + 1, "line numbers skip");
        assert!(!line.raw.is_empty());
        let newline = line.raw.iter().position(|&b| b == b'\n');
        assert!(
            newline.is_none_or(|i| i == line.raw.len() - 1),
            "a line holds a line break before its end"
        );
        assert_eq!(line.end.bytes, (read.len() + line.raw.len()) as u64);
        read.extend_from_slice(&line.raw);
        lines.push(line);
    }
    assert_eq!(read, data, "the stream lost or changed bytes");
    assert_eq!(stream.lines(), lines.len() as u64);

    // The reader of compare and report: a record for each non-blank line.
    let mut records = Vec::new();
    for rec in JsonlReader::new(Cursor::new(data), path, fields.clone()) {
        records.push(rec.expect("reading memory cannot fail"));
    }
    let mut records_at = records.iter().peekable();
    for line in &lines {
        let content = line.content();
        let blank = content.iter().all(u8::is_ascii_whitespace);
        let rec = match records_at.peek() {
            Some(r) if r.line == line.line => records_at.next().expect("peeked"),
            _ => {
                assert!(blank, "line {} has no record", line.line);
                continue;
            }
        };
        assert!(!blank, "blank line {} gave a record", line.line);
        // The last line may end in a lone `\r` (no `\n` after it) that only
        // the stream strips: JSON whitespace either way. Elsewhere both strip
        // the `\r` of a `\r\n` and keep any before it.
        let last_without_newline = !line.raw.ends_with(b"\n");
        let raw = match rec.raw.strip_suffix(b"\r") {
            Some(stripped) if last_without_newline => stripped,
            _ => &rec.raw[..],
        };
        assert_eq!(raw, content, "the readers disagree on line {}", line.line);
        // Both read the same document; an error's column may differ by the
        // lone `\r` (FUZZING.md, "Not fixed").
        let doc = parse_record(content, line.line, &fields);
        assert_eq!(
            format!("{:?}", doc.as_ref().ok()),
            format!("{:?}", rec.document.as_ref().ok()),
            "the readers read line {} differently",
            line.line
        );
        assert_eq!(doc.is_ok(), rec.document.is_ok());
        match &rec.document {
            Err(message) => assert!(!message.is_empty(), "an error without a message"),
            Ok(d) => assert!(content.len() >= d.text.len(), "text longer than its line"),
        }
        if let Some(want) = expected(content, line.line) {
            let d = rec.document.as_ref().unwrap_or_else(|e| {
                panic!(
                    "serde_json reads line {} but the reader says {e}",
                    line.line
                )
            });
            let got = (
                d.id.clone(),
                d.text.clone(),
                d.source.clone(),
                d.date.clone(),
            );
            assert_eq!(
                got, want,
                "line {} read otherwise than serde_json",
                line.line
            );
        }
    }
    assert!(records_at.next().is_none(), "a record without a line");

    // Whole-input reading: documents and failures add up to the records,
    // and each failure names its line.
    let set = read_jsonl(Cursor::new(data), path, fields, DEFAULT_MAX_DOC_BYTES)
        .expect("reading memory cannot fail");
    assert_eq!(set.documents.len() + set.failures.len(), records.len());
    let failed = records.iter().filter(|r| r.document.is_err());
    for (f, rec) in set.failures.iter().zip(failed) {
        assert_eq!(f.name, format!("{}:{}", path.display(), rec.line));
    }
}

/// A JSON value of a record's field.
#[derive(Debug, Arbitrary)]
enum FieldValue {
    Str(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Null,
    List(Vec<String>),
    Nested(Vec<(String, String)>),
}

impl FieldValue {
    fn json(&self) -> Value {
        match self {
            FieldValue::Str(s) => Value::String(s.clone()),
            FieldValue::Unsigned(n) => Value::from(*n),
            FieldValue::Signed(n) => Value::from(*n),
            // Not finite: serde_json writes null.
            FieldValue::Float(x) => Value::from(*x),
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Null => Value::Null,
            FieldValue::List(v) => v.iter().map(|s| Value::String(s.clone())).collect(),
            FieldValue::Nested(v) => Value::Object(
                v.iter()
                    .map(|(k, s)| (k.clone(), Value::String(s.clone())))
                    .collect(),
            ),
        }
    }
}

/// A record: the text, then fields in the order written; names are the
/// configured ones or anything else.
#[derive(Debug, Arbitrary)]
struct GeneratedRecord {
    text: String,
    fields: Vec<(Name, FieldValue)>,
    text_at: u8,
}

#[derive(Debug, Arbitrary)]
enum Name {
    Id,
    Text,
    Source,
    Date,
    Url,
    Other(String),
}

impl Name {
    fn as_str(&self) -> &str {
        match self {
            Name::Id => "id",
            Name::Text => "text",
            Name::Source => "source",
            Name::Date => "date",
            Name::Url => "url",
            Name::Other(s) => s,
        }
    }
}

fn generated_record(data: &[u8]) {
    let Ok(rec) = GeneratedRecord::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    // Written by hand so keys may repeat, in the order given; each value
    // as serde_json writes it.
    let mut entries: Vec<(String, Value)> = rec
        .fields
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.json()))
        .collect();
    let at = usize::from(rec.text_at).min(entries.len());
    entries.insert(at, ("text".into(), Value::String(rec.text.clone())));
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| {
            format!(
                "{}:{}",
                serde_json::to_string(k).expect("a string serialises"),
                serde_json::to_string(v).expect("a value serialises")
            )
        })
        .collect();
    let line = format!("{{{}}}", body.join(","));
    // serde_json reads repeated keys as the last one: the same map.
    let map: Map<String, Value> = entries.into_iter().collect();
    let want = expected_of(&map, 7);
    let got = parse_record(line.as_bytes(), 7, &JsonlFields::default());
    match (want, got) {
        (Some(want), Ok(d)) => {
            assert_eq!(
                (d.id, d.text, d.source, d.date),
                want,
                "{line} read otherwise than written"
            );
        }
        (None, Err(_)) => {}
        (want, got) => panic!("{line}: serde_json gives {want:?}, the reader {got:?}"),
    }
}
