//! Folding of one word to the form matching compares.
//!
//! The tokenizer finds word boundaries on the original text and hands each
//! word's original slice here; the folded form goes into a separate buffer,
//! so no offset into the original text ever moves. Folds: case, Unicode
//! compatibility forms (NFKD: full-width letters, ligatures), diacritics,
//! every apostrophe variant and the scraped `\'` artefact (dropped, so
//! `There\'ll` = `There’ll` = `there'll`), digit-group commas (`3,000` =
//! `3000`) and `%` (= `percent`; the tokenizer joins `per cent`).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// True for the characters outlets and scrapers use as an apostrophe.
pub fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '`' | '\u{00B4}' | '\u{FF07}'
    )
}

/// True for a percent sign (ASCII, full-width or small form).
pub fn is_percent(c: char) -> bool {
    matches!(c, '%' | '\u{FF05}' | '\u{FE6A}')
}

/// Appends the folded form of `word` (one token's original text) to `out`.
pub fn normalize_word(word: &str, out: &mut String) {
    if word.is_ascii() {
        for b in word.bytes() {
            match b {
                b'A'..=b'Z' => out.push((b + 32) as char),
                b'a'..=b'z' | b'0'..=b'9' | b'.' => out.push(b as char),
                b'%' => out.push_str("percent"),
                // Apostrophes, the `\'` artefact and digit-group commas.
                _ => {}
            }
        }
        return;
    }
    for c in word.chars() {
        if c.is_ascii() {
            // NFKD leaves ASCII alone: the same rules without its tables.
            match c {
                '\\' | ',' | '\'' | '`' => {}
                '%' => out.push_str("percent"),
                _ => out.push(c.to_ascii_lowercase()),
            }
            continue;
        }
        if is_apostrophe(c) {
            continue;
        }
        if let Some(folded) = latin1_folded(c) {
            out.push_str(folded);
            continue;
        }
        fold_by_decomposition(c, out);
    }
}

/// The folded form of a character of Latin-1's upper half (the accented
/// letters of most European names: `é` is `e`), from a table the general
/// rule fills once; `None` for any other character.
fn latin1_folded(c: char) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let i = (c as usize).checked_sub(0xC0).filter(|&i| i < 0x40)?;
    let table = TABLE.get_or_init(|| {
        (0xC0..=0xFFu32)
            .filter_map(char::from_u32)
            .map(|c| {
                let mut s = String::new();
                fold_by_decomposition(c, &mut s);
                s
            })
            .collect()
    });
    Some(&table[i])
}

/// The general rule for one non-ASCII, non-apostrophe character: its
/// compatibility decomposition without combining marks, backslashes,
/// commas or apostrophes, percent signs spelled out, lowercased.
fn fold_by_decomposition(c: char, out: &mut String) {
    for d in std::iter::once(c).nfkd() {
        if is_combining_mark(d) || d == '\\' || d == ',' || is_apostrophe(d) {
            continue;
        }
        if is_percent(d) {
            out.push_str("percent");
        } else {
            out.extend(d.to_lowercase());
        }
    }
}

/// The folded form of `word` as a new string.
pub fn normalized(word: &str) -> String {
    let mut s = String::with_capacity(word.len());
    normalize_word(word, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_quotes_and_artefacts() {
        assert_eq!(normalized("There\\'ll"), "therell");
        assert_eq!(normalized("There\u{2019}ll"), "therell");
        assert_eq!(normalized("there'll"), "therell");
        assert_eq!(normalized("NHS"), "nhs");
    }

    #[test]
    fn folds_numbers_and_percent() {
        assert_eq!(normalized("3,000"), "3000");
        assert_eq!(normalized("13.5"), "13.5");
        assert_eq!(normalized("%"), "percent");
        assert_eq!(normalized("\u{FF05}"), "percent");
    }

    #[test]
    fn folds_compatibility_forms_and_diacritics() {
        assert_eq!(normalized("\u{FF28}\u{FF55}\u{FF4E}\u{FF54}"), "hunt");
        assert_eq!(normalized("\u{FB01}nal"), "final");
        assert_eq!(normalized("na\u{EF}ve"), "naive");
        assert_eq!(normalized("Caf\u{E9}"), "cafe");
        // Latin-1 letters take the table; it holds the general rule's forms.
        assert_eq!(normalized("Nat\u{E1}sha"), "natasha");
        assert_eq!(normalized("\u{C6}sir Stra\u{DF}e"), "\u{E6}sir stra\u{DF}e");
        for c in (0xC0..=0xFFu32).filter_map(char::from_u32) {
            let mut general = String::new();
            fold_by_decomposition(c, &mut general);
            assert_eq!(latin1_folded(c), Some(general.as_str()), "{c:?}");
        }
        assert_eq!(latin1_folded('\u{100}'), None);
    }
}
