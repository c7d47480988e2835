//! Tests of the whole reader: records read line by line, the source
//! rules, and the agreement of both paths (the scanner's view and the
//! serde_json fallback) with serde_json's reading of a whole `Value`, on
//! literal and generated lines.

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
fn parse_record_via_value(raw: &[u8], line: u64, fields: &JsonlFields) -> Result<Fields5, String> {
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
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
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
    let member =
        (ws(), key(), ws(), value(), ws()).prop_map(|(a, k, b, v, c)| format!("{a}{k}{b}:{v}{c}"));
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
