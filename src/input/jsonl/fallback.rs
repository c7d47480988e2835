//! The serde_json reading of a record, for the lines the scanner
//! (`scan.rs`) does not follow: its answer, and its error message, stand.
//! Only the configured fields are built ([`RecordSeed`], [`KeySeed`]).

use std::borrow::Cow;

use super::{jsonl_source, JsonlFields, SLOTS};
use crate::input::Document;

/// The serde_json reading of a record, for lines the scanner does not
/// follow.
///
/// Only the configured fields are built; every other value is skipped by
/// the parser without allocating. As with a `Value`, the last of repeated
/// keys counts. A UTF-8 line is parsed as a `str` (serde_json checks each
/// string of a byte slice with `std`'s validator); a line that is not
/// UTF-8 is parsed from its bytes, for serde_json's error and its position.
pub(super) fn parse_with_serde(
    raw: &[u8],
    line: u64,
    fields: &JsonlFields,
) -> Result<Document, String> {
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
    use crate::input::jsonl::{parse_record, JsonlFields};

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
}
