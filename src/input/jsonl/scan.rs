//! The hand-written JSON scanner behind [`super::RecordView`]: it finds the
//! configured fields of a one-line object ([`scan_object`]) and checks
//! everything else in the line as serde_json would (strings, escapes,
//! numbers, literals, nested values), giving up (`None`) on anything it
//! is not sure of, which then goes to serde_json (`fallback.rs`).
//!
//! Why hand-written: a benchmark justifies it. It lets the tokenizer read
//! a record's text in place, not decoded into a copy, one of the changes
//! that took `report --pairs-only` on 100,000 documents from 2.15 s to
//! 0.65 s (benches/README.md, `dedup_bench.sh`, runs 4 and 5); and moving
//! the filter's records from serde_json alone onto it cut 1.9 to 2.6% of
//! the instructions on the first 10,000 lines (cachegrind, commit
//! 23f71bb). Keep it in step with serde_json: the tests in `tests.rs`
//! check the two agree on generated records.

use super::view::{Kind, Value};
use super::{JsonlFields, SLOTS};

/// Finds the configured fields of a one-line JSON object, checking the
/// whole line as serde_json would. `None` for anything unusual.
pub(super) fn scan_object(line: &str, fields: &JsonlFields) -> Option<[Option<Value>; SLOTS]> {
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
pub(super) enum Piece<'s> {
    Str(&'s str),
    Char(char),
}

/// Decodes the escapes of a JSON string's content `s` (free of control
/// characters), handing each piece to `push`; false at a bad escape or a
/// lone surrogate (as serde_json's reading of a string).
#[inline]
pub(super) fn decode_escapes<'s>(s: &'s str, mut push: impl FnMut(Piece<'s>)) -> bool {
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

#[cfg(test)]
mod tests {
    use crate::input::jsonl::{read_record, JsonlFields, ParsedRecord, RecordView, TextView};
    use crate::input::SourceRule;

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
}
