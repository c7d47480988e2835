//! Per-word features of one text for the paraphrase stage: content words,
//! figures, names, words inside (short) quotations, and the sentences.

use std::ops::Range;

use super::keys::{keys, Keys};
use super::{MAX_SENTENCE_WORDS, SHORT_QUOTE_WORDS};
use crate::tokenize::Tokens;
use crate::words::is_function_word as is_stop_hash;

pub(super) const CONTENT: u8 = 1;
pub(super) const NUMBER: u8 = 2;
pub(super) const NAME: u8 = 4;
/// Inside a quotation.
pub(super) const QUOTED: u8 = 8;
/// Inside a short quotation.
pub(super) const SHORT_QUOTED: u8 = 16;
/// A day or a month.
pub(super) const DATE: u8 = 32;

/// Per-token flags and sentence starts of one text.
pub(crate) struct Features {
    pub(super) flags: Vec<u8>,
    pub(super) sentences: Vec<Range<usize>>,
    /// Each word's match key and figure weight.
    pub(super) keys: Keys,
}

impl Features {
    /// The sentence holding token `pos` (the last sentence past the end).
    pub(super) fn sentence_of(&self, pos: usize) -> usize {
        self.sentences
            .partition_point(|s| s.end <= pos)
            .min(self.sentences.len().saturating_sub(1))
    }
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '\u{201C}' | '\u{201E}' | '\u{00AB}')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '\u{201D}' | '\u{00BB}')
}

/// Days and months are capitalised but are dates, not names.
const CALENDAR: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// True for a word capitalised away from the start of a sentence or
/// clause, or written in capitals (at least two letters).
fn is_capitalised(word: &str, initial: bool) -> bool {
    if word.is_ascii() {
        let b = word.as_bytes();
        let first_upper = b.first().is_some_and(u8::is_ascii_uppercase);
        if !first_upper {
            return false;
        }
        if !initial {
            return true;
        }
        let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
        return letters >= 2 && !b.iter().any(u8::is_ascii_lowercase);
    }
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    if first_upper && !initial {
        return true;
    }
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && letters.all(char::is_uppercase)
}

pub(crate) fn features(text: &str, t: &Tokens) -> Features {
    let mut flags = Vec::with_capacity(t.len());
    let mut sentences = Vec::new();
    let mut start = 0;
    // First token of the quotation being read, if any.
    let mut quote: Option<usize> = None;
    let mut prev_end = 0;
    // A quotation ending before token `end` flags its words.
    let close_quote = |quote: &mut Option<usize>, end: usize, flags: &mut Vec<u8>| {
        if let Some(q) = quote.take() {
            let short = if end - q <= SHORT_QUOTE_WORDS {
                SHORT_QUOTED
            } else {
                0
            };
            flags[q..end].iter_mut().for_each(|f| *f |= QUOTED | short);
        }
    };
    for (i, tok) in t.as_slice().iter().enumerate() {
        let gap = text.get(prev_end..tok.span.start).unwrap_or("");
        let mut ends_sentence = false;
        let mut opens_clause = false;
        // Most gaps are one space.
        let plain_gap = gap.bytes().all(|b| b == b' ');
        for c in gap.chars().filter(|_| !plain_gap) {
            match c {
                '.' | '!' | '?' | '\u{2026}' | '\u{2022}' => ends_sentence = true,
                '\n' | '\r' => {
                    ends_sentence = true;
                    close_quote(&mut quote, i, &mut flags);
                }
                ':' | ';' | '(' | '[' | '\'' | '\u{2018}' => opens_clause = true,
                '"' if quote.is_some() => close_quote(&mut quote, i, &mut flags),
                '"' => {
                    quote = Some(i);
                    opens_clause = true;
                }
                c if is_open_quote(c) => {
                    close_quote(&mut quote, i, &mut flags);
                    quote = Some(i);
                    opens_clause = true;
                }
                c if is_close_quote(c) => close_quote(&mut quote, i, &mut flags),
                _ => {}
            }
        }
        if i > start && (ends_sentence || i - start >= MAX_SENTENCE_WORDS) {
            sentences.push(start..i);
            start = i;
        }
        let word = tok.span.slice(text);
        let norm = t.norm(i);
        let mut f = 0u8;
        let is_number = norm.bytes().any(|b| b.is_ascii_digit());
        if !is_stop_hash(tok.hash) && (is_number || norm.chars().nth(1).is_some()) {
            f |= CONTENT;
        }
        if is_number {
            f |= NUMBER;
        }
        let initial = i == start || opens_clause;
        if CALENDAR.contains(&norm) {
            f |= DATE;
        } else if is_capitalised(word, initial) {
            f |= NAME;
        }
        flags.push(f);
        prev_end = tok.span.end;
    }
    close_quote(&mut quote, t.len(), &mut flags);
    if start < t.len() {
        sentences.push(start..t.len());
    }
    // The second and later words of a figure ("three *thousand*") are
    // part of its first word's unit, not content of their own.
    let keys = keys(text, t);
    for (f, &k) in flags.iter_mut().zip(&keys.key) {
        if k == 0 {
            *f &= !CONTENT;
        }
    }
    Features {
        flags,
        sentences,
        keys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_mark_names_numbers_and_quotes() {
        let text = "The BMA said: \"Hunt is wrong\". Later Heidi Alexander spoke of 64% growth.";
        let t = Tokens::new(text);
        let f = features(text, &t);
        let flagged = |mask: u8| -> Vec<&str> {
            (0..t.len())
                .filter(|&i| f.flags[i] & mask != 0)
                .map(|i| t.get(i).span.slice(text))
                .collect()
        };
        assert_eq!(flagged(NAME), ["BMA", "Heidi", "Alexander"]);
        assert_eq!(flagged(NUMBER), ["64"]);
        assert_eq!(flagged(QUOTED), ["Hunt", "is", "wrong"]);
        assert_eq!(f.sentences.len(), 2);
        let long = "He said: \"one two three four five six seven eight nine\" and \"ok\".";
        let t = Tokens::new(long);
        let f = features(long, &t);
        let short: Vec<&str> = (0..t.len())
            .filter(|&i| f.flags[i] & SHORT_QUOTED != 0)
            .map(|i| t.get(i).span.slice(long))
            .collect();
        assert_eq!(short, ["ok"]);
    }
}
