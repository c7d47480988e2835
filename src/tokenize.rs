//! Word tokens with byte spans into the original text, and their hashes.
//!
//! A word is a run of letters, digits and combining marks; it may hold an
//! apostrophe (any variant, or the scraped `\'`) between word characters,
//! digit-group commas (`3,000`, `1,250,000`) and a decimal point between
//! digits (`13.5`). A percent sign is a token of its own (`percent`), and
//! `per cent` becomes one `percent` token spanning both words, so `64%`,
//! `64 per cent` and `64 percent` all read `64 percent`. Everything else
//! (whitespace of any kind, no-break spaces, dashes, quotes, punctuation,
//! control characters) separates words and is never a token.
//!
//! [`for_each_token`] is the definition: it yields each token's span and
//! folded form. Every token hash in the crate is [`folded_word_hash`] of
//! that folded form, and one scanner computes them: [`TokenHasher`], which
//! reads 64 bytes at a time and hashes plain ASCII words straight from the
//! text. [`Tokens::new`] is built on it (hashes and spans) and adds each
//! token's folded form; [`TokenHasher::hash_tokens`] gives the hashes alone
//! without allocating per text (the filter, `report --pairs-only`). Tests
//! hold both to [`for_each_token`], and its byte-wise scanner to a
//! character-by-character reference, on books and generated text.

mod hashed;

pub use hashed::{folded_word_hash, TokenHasher};

use crate::normalize::{is_apostrophe, is_percent, normalize_word};
use crate::span::Span;
use unicode_normalization::char::is_combining_mark;

/// One word: where it is in the original text and the hash of its folded form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte span of the word in the original text.
    pub span: Span,
    /// [`folded_word_hash`] of the folded form: equal folded words have
    /// equal hashes.
    pub hash: u64,
}

/// Bytes of text per token assumed when reserving room for a text's
/// tokens: news and book English run 5.5 to 6.5 (a word and the space or
/// punctuation after it; 22,134 bytes and 3,647 words in `corpus/`), so
/// five is rarely too few, and too few costs one doubling.
const TOKEN_BYTES_ESTIMATE: usize = 5;

/// The tokens of one text, with their folded forms.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    tokens: Vec<Token>,
    /// Holds every folded form: the text with its ASCII letters lowercased
    /// (where a plain word's folded form is its own span), then the folded
    /// forms of the other words.
    folded: String,
    /// Where each token's folded form lies in `folded`.
    norms: Vec<(u32, u32)>,
}

impl Tokens {
    /// Tokenizes `text`: the tokens, hashes and spans
    /// [`TokenHasher::hash_tokens_spans`] gives, each with its folded form.
    pub fn new(text: &str) -> Tokens {
        let capacity = text.len() / TOKEN_BYTES_ESTIMATE + 1;
        let mut t = Tokens {
            tokens: Vec::with_capacity(capacity),
            folded: String::with_capacity(text.len() + text.len() / 32 + 8),
            norms: Vec::with_capacity(capacity),
        };
        t.folded.push_str(text);
        t.folded.make_ascii_lowercase();
        TokenHasher::new().fold_tokens(
            text,
            hashed::FoldedTokens {
                tokens: &mut t.tokens,
                folded: &mut t.folded,
                norms: &mut t.norms,
            },
        );
        t
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True when the text has no word.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// All tokens in text order.
    pub fn as_slice(&self) -> &[Token] {
        &self.tokens
    }

    /// The token at `pos`.
    pub fn get(&self, pos: usize) -> &Token {
        &self.tokens[pos]
    }

    /// The folded form of the token at `pos`.
    pub fn norm(&self, pos: usize) -> &str {
        let (start, end) = self.norms[pos];
        &self.folded[start as usize..end as usize]
    }

    /// The tokens' hashes in text order.
    pub fn hashes(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.tokens.iter().map(|t| t.hash)
    }

    /// Byte span from the start of token `first` to the end of token `last`
    /// (inclusive token indices).
    pub fn span_of(&self, first: usize, last: usize) -> Span {
        Span::new(self.tokens[first].span.start, self.tokens[last].span.end)
    }

    /// The tokens whose `keep` flag is true, in order, renumbered from 0;
    /// spans still point into the same text. Positions past the end of
    /// `keep` are dropped. The corpus report compares documents with their
    /// boilerplate taken out this way.
    pub fn filtered(&self, keep: &[bool]) -> Tokens {
        let mut t = Tokens::default();
        for (pos, _) in keep.iter().enumerate().filter(|(_, &k)| k) {
            if pos >= self.tokens.len() {
                break;
            }
            let start = t.folded.len() as u32;
            t.folded.push_str(self.norm(pos));
            t.norms.push((start, t.folded.len() as u32));
            t.tokens.push(self.tokens[pos]);
        }
        t
    }
}

/// Calls `f` with the span and folded form of every token of `text`, in
/// order: the definition of the tokens, which [`TokenHasher`] (and so
/// [`Tokens::new`]) must match.
pub fn for_each_token(text: &str, mut f: impl FnMut(Span, &str)) {
    // A `per` waiting to see whether `cent` follows.
    let mut pending_per: Option<Span> = None;
    let f = &mut f;
    let mut buf = String::new();
    scan_folded(text, &mut buf, |start, end, norm| {
        if norm.is_empty() {
            return;
        }
        if let Some(per) = pending_per.take() {
            if norm == "cent" && text[per.end..start].chars().all(char::is_whitespace) {
                f(Span::new(per.start, end), "percent");
                return;
            }
            f(per, "per");
        }
        if norm == "per" {
            pending_per = Some(Span::new(start, end));
        } else {
            f(Span::new(start, end), norm);
        }
    });
    if let Some(per) = pending_per {
        f(per, "per");
    }
}

/// Calls `g(start, end, folded)` for each word and percent sign of `text`
/// (the folded form may be empty). Words made of ASCII are scanned and
/// folded byte by byte; a word that holds or continues into a non-ASCII
/// character goes through the general scanner and [`normalize_word`], so
/// the result is the same either way (a test checks the two agree).
fn scan_folded(text: &str, buf: &mut String, mut g: impl FnMut(usize, usize, &str)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if b >= 0x80 || b == b'%' {
            i = special_step(text, i, buf, &mut g);
            continue;
        }
        if !b.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < n && bytes[j].is_ascii_alphanumeric() {
            j += 1;
        }
        buf.clear();
        if let Some(end) = ascii_word_continues(text, start, j) {
            normalize_word(&text[start..end], buf);
            g(start, end, buf);
            i = end;
            continue;
        }
        // A plain ASCII word: already folded when it has no capital.
        let word = &text[start..j];
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            buf.push_str(word);
            buf.make_ascii_lowercase();
            g(start, j, buf);
        } else {
            g(start, j, word);
        }
        i = j;
    }
}

/// One step of the scanners at byte `i`, a `%` or the first byte of a
/// non-ASCII character: calls `g` for the percent sign or the word that
/// starts there (if any) and returns where scanning goes on.
fn special_step(
    text: &str,
    i: usize,
    buf: &mut String,
    g: &mut impl FnMut(usize, usize, &str),
) -> usize {
    let Some((c, w)) = char_at(text, i) else {
        return text.len();
    };
    if is_percent(c) {
        g(i, i + w, "percent");
    } else if !('\u{2000}'..='\u{206F}').contains(&c) && c.is_alphanumeric() {
        let end = word_end(text, i, w, c.is_numeric());
        buf.clear();
        normalize_word(&text[i..end], buf);
        g(i, end, buf);
        return end;
    }
    i + w
}

/// For the run of ASCII letters and digits `start..j`: `None` when it is
/// the whole word (the common case, decided by cheap checks on the byte at
/// `j`), or the end of the longer word it begins (a grouped number, a
/// decimal, an apostrophe, a non-ASCII letter), which then needs
/// [`normalize_word`].
fn ascii_word_continues(text: &str, start: usize, j: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let c = *bytes.get(j)?;
    // A full stop or comma after a word is common: checked first.
    let may_continue = match c {
        0x80.. => char_at(text, j)
            .is_some_and(|(c, w)| is_word_char(c) || (is_apostrophe(c) && is_word_at(text, j + w))),
        b'.' | b',' => {
            bytes[j - 1].is_ascii_digit() && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
        }
        b'\'' | b'`' => is_word_at(text, j + 1),
        b'\\' => bytes
            .get(j + 1)
            .is_some_and(|&a| a == b'\'' || a == b'`' || a >= 0x80),
        _ => false,
    };
    if !may_continue {
        return None;
    }
    // The general scanner decides where the word ends.
    let end = word_end(text, start, 1, bytes[start].is_ascii_digit());
    (end != j).then_some(end)
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // General Punctuation (curly quotes, dashes, ellipsis, no-break and
    // thin spaces) holds no letter, digit or combining mark, and news text
    // is full of it; Latin-1's upper half is letters but for × and ÷.
    // Both skip the Unicode tables (a test checks them against the tables).
    if ('\u{2000}'..='\u{206F}').contains(&c) {
        return false;
    }
    if ('\u{C0}'..='\u{FF}').contains(&c) {
        return c != '\u{D7}' && c != '\u{F7}';
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// The character at byte `i` of `text` and its length, if any.
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let c = text[i..].chars().next()?;
    Some((c, c.len_utf8()))
}

fn is_word_at(text: &str, i: usize) -> bool {
    char_at(text, i).is_some_and(|(c, _)| is_word_char(c))
}

/// End of the word whose first character (`w` bytes, numeric or not)
/// starts at `start`: letters, digits and combining marks, apostrophes
/// (and the scraped `\'`) between word characters, digit-group commas and
/// a decimal point between digits.
fn word_end(text: &str, start: usize, w: usize, first_is_digit: bool) -> usize {
    let bytes = text.as_bytes();
    let mut last_digit = first_is_digit;
    let mut i = start + w;
    while let Some((c, w)) = char_at(text, i) {
        if is_word_char(c) {
            last_digit = c.is_numeric() || (last_digit && is_combining_mark(c));
            i += w;
        } else if is_apostrophe(c) && is_word_at(text, i + w) {
            last_digit = false;
            i += w;
        } else if c == '\\'
            && char_at(text, i + 1).is_some_and(|(a, _)| is_apostrophe(a))
            && is_word_at(text, i + 1 + char_at(text, i + 1).map_or(0, |(_, w)| w))
        {
            last_digit = false;
            i += 1 + char_at(text, i + 1).map_or(0, |(_, w)| w);
        } else if c == ','
            && last_digit
            && bytes.len() >= i + 4
            && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && !bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
        {
            i += 4;
        } else if c == '.' && last_digit && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Reference scanner: calls `f(start, end)` for each word's byte range and
/// each percent sign, character by character. [`scan_folded`] must agree.
#[cfg(test)]
fn scan_words(text: &str, mut f: impl FnMut(usize, usize)) {
    let mut i = 0;
    while let Some((c, w)) = char_at(text, i) {
        if is_percent(c) {
            f(i, i + w);
            i += w;
            continue;
        }
        if !c.is_alphanumeric() {
            // A stray combining mark or any separator.
            i += w;
            continue;
        }
        let end = word_end(text, i, w, c.is_numeric());
        f(i, end);
        i = end;
    }
}

/// The first `chars` characters of each book of the shared corpus beside
/// the repository (none, with a note, where it is absent): real text for
/// the tests that hold the scanners to each other. A slice per book keeps
/// them quick.
#[cfg(test)]
fn shared_book_slices(chars: usize) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/gutenberg");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        // Straight to standard error: libtest would hide an eprintln!.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED the shared-book checks: {} not found",
            dir.display()
        );
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let end = text
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| i);
            text[..end].to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (original slice, folded form) of every token.
    fn words(text: &str) -> Vec<(String, String)> {
        let t = Tokens::new(text);
        (0..t.len())
            .map(|i| (t.get(i).span.slice(text).to_string(), t.norm(i).to_string()))
            .collect()
    }

    fn norms(text: &str) -> Vec<String> {
        words(text).into_iter().map(|(_, n)| n).collect()
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "A  defiant\u{a0}Jeremy Hunt \u{2013} NHS";
        assert_eq!(
            words(text),
            vec![
                ("A".into(), "a".into()),
                ("defiant".into(), "defiant".into()),
                ("Jeremy".into(), "jeremy".into()),
                ("Hunt".into(), "hunt".into()),
                ("NHS".into(), "nhs".into()),
            ]
        );
    }

    #[test]
    fn percent_forms_agree() {
        assert_eq!(norms("64% of voters"), ["64", "percent", "of", "voters"]);
        assert_eq!(
            norms("64 per cent of voters"),
            ["64", "percent", "of", "voters"]
        );
        assert_eq!(
            norms("64 percent of voters"),
            ["64", "percent", "of", "voters"]
        );
        let w = words("64 per cent of");
        assert_eq!(w[1].0, "per cent");
        assert_eq!(norms("per capita, per\ncent"), ["per", "capita", "percent"]);
        assert_eq!(norms("paid per"), ["paid", "per"]);
    }

    #[test]
    fn numbers_fold_grouping_and_keep_decimals() {
        assert_eq!(
            norms("Almost 3,000 operations"),
            ["almost", "3000", "operations"]
        );
        assert_eq!(norms("13,000 and 1,250,000"), ["13000", "and", "1250000"]);
        assert_eq!(
            norms("13.5% (up from 11%)."),
            ["13.5", "percent", "up", "from", "11", "percent"]
        );
        // A list, not a grouped number.
        assert_eq!(
            norms("1,2,3 and 1,2345"),
            ["1", "2", "3", "and", "1", "2345"]
        );
    }

    #[test]
    fn apostrophes_and_scraped_backslash() {
        assert_eq!(norms("Tories\\' doorstep"), ["tories", "doorstep"]);
        assert_eq!(norms("There\\'ll be"), ["therell", "be"]);
        assert_eq!(norms("There\u{2019}ll be"), ["therell", "be"]);
        assert_eq!(
            norms("\u{2018}quoted\u{2019} doctors' pay"),
            ["quoted", "doctors", "pay"]
        );
        assert_eq!(words("There\\'ll")[0].0, "There\\'ll");
    }

    /// `Tokens::new` gives exactly the hashes and spans of
    /// `TokenHasher::hash_tokens_spans`, and the folded forms and spans of
    /// `for_each_token` (whose folded forms, hashed, are the hashes).
    fn assert_tokens_agree(text: &str) {
        let t = Tokens::new(text);
        let (mut hashes, mut spans) = (Vec::new(), Vec::new());
        TokenHasher::new().hash_tokens_spans(text, &mut hashes, &mut spans);
        assert_eq!(t.hashes().collect::<Vec<_>>(), hashes, "{text:?}");
        let t_spans: Vec<Span> = t.as_slice().iter().map(|t| t.span).collect();
        assert_eq!(t_spans, spans, "{text:?}");
        let mut reference = Vec::new();
        for_each_token(text, |span, norm| reference.push((span, norm.to_string())));
        let got: Vec<(Span, String)> = (0..t.len())
            .map(|i| (t.get(i).span, t.norm(i).to_string()))
            .collect();
        assert_eq!(got, reference, "{text:?}");
        for (i, (_, norm)) in reference.iter().enumerate() {
            assert_eq!(t.get(i).hash, folded_word_hash(norm.as_bytes()), "{norm:?}");
        }
    }

    #[test]
    fn tokens_match_the_token_hasher_on_tricky_text() {
        for t in [
            "The BMA\u{2019}s 64 per cent \u{2014} caf\u{e9}",
            "There\\'ll be 3,000 ops (13.5%); it's `x' don\u{2019}t O\u{2019}Neill caf\u{e9}s",
            "1,2345 1,234,567. 3.x .5 5. a\\'b a\\' 'a' x'y`z \u{FF28}i \u{FB01}nal na\u{EF}ve",
            "per cent per\ncent Per\u{a0}Cent per\u{2003}cent PER  CENT percent 64\u{FF05} 5\u{FE6A}",
            "per per cent cent per, cent per",
            "end with digit 7,00 7,000 7,0001 \u{2018}quoted\u{2019} l\u{2019}\u{C9}cole \u{0301}mark",
            "",
            " \u{2014} ... \n\t",
        ] {
            assert_tokens_agree(t);
        }
    }

    /// On whole real books (the shared corpus beside the repository;
    /// skipped where it is absent).
    #[test]
    fn tokens_match_the_token_hasher_on_shared_texts() {
        for text in shared_book_slices(usize::MAX) {
            assert_tokens_agree(&text);
        }
    }

    #[test]
    fn filtered_keeps_spans_and_folded_forms() {
        let text = "Home | News. The BMA\u{2019}s offer";
        let t = Tokens::new(text);
        let f = t.filtered(&[false, false, true, true, true]);
        assert_eq!(f.len(), 3);
        assert_eq!(f.norm(1), "bmas");
        assert_eq!(f.get(2).span.slice(text), "offer");
        assert_eq!(f.get(0).hash, t.get(2).hash);
    }

    /// The byte-wise scanner gives exactly the reference scanner's words
    /// and folded forms.
    fn assert_scanners_agree(text: &str) {
        let mut reference = Vec::new();
        scan_words(text, |s, e| {
            reference.push((s, e, crate::normalize::normalized(&text[s..e])));
        });
        let mut fast = Vec::new();
        let mut buf = String::new();
        scan_folded(text, &mut buf, |s, e, n| fast.push((s, e, n.to_string())));
        assert_eq!(fast, reference, "{text:?}");
    }

    #[test]
    fn fast_scanner_matches_reference_on_tricky_text() {
        for t in [
            "There\\'ll be 3,000 ops (13.5%); it's `x' don\u{2019}t O\u{2019}Neill caf\u{e9}s",
            "1,2345 1,234,567. 3.x .5 5. a\\'b a\\' 'a' x'y`z \u{FF28}i \u{FB01}nal na\u{EF}ve",
            "end with digit 7,00 7,000 7,0001 \u{2018}quoted\u{2019} l\u{2019}\u{C9}cole \u{0301}mark",
            "per cent per\ncent percent 64\u{FF05} word\u{00B4}s x\u{00A0}y",
        ] {
            assert_scanners_agree(t);
        }
    }

    /// The two scanners agree on real books and news (the shared corpus
    /// beside the repository; skipped where it is absent).
    #[test]
    fn fast_scanner_matches_reference_on_shared_texts() {
        for text in shared_book_slices(400_000) {
            assert_scanners_agree(&text);
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_scanner_matches_reference(text in "[a-zA-Z0-9 ,.'`%\\\\\u{2019}\u{e9}\u{0301}\u{FF05}\u{a0}\n-]{0,60}") {
            assert_scanners_agree(&text);
        }

        #[test]
        fn tokens_match_the_token_hasher(text in "([a-zA-Z0-9]{1,12}|per|cent|Per|CENT|3,000|1.5|[ ,.'`%\\\\\u{2019}\u{e9}\u{0301}\u{FF05}\u{FE6A}\u{a0}\u{2003}\n-]){0,80}") {
            assert_tokens_agree(&text);
        }
    }

    #[test]
    fn word_char_shortcuts_agree_with_the_tables() {
        for c in ('\u{80}'..='\u{2FF}').chain('\u{2000}'..='\u{206F}') {
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() || is_combining_mark(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(Tokens::new("").is_empty());
        assert!(Tokens::new(" \u{2014} ... \n\t").is_empty());
    }
}
