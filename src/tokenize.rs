//! Word tokens with byte spans into the original text.
//!
//! A word is a run of letters, digits and combining marks; it may hold an
//! apostrophe (any variant, or the scraped `\'`) between word characters,
//! digit-group commas (`3,000`, `1,250,000`) and a decimal point between
//! digits (`13.5`). A percent sign is a token of its own (`percent`), and
//! `per cent` becomes one `percent` token spanning both words, so `64%`,
//! `64 per cent` and `64 percent` all read `64 percent`. Everything else
//! (whitespace of any kind, no-break spaces, dashes, quotes, punctuation,
//! control characters) separates words and is never a token.

use crate::normalize::{is_apostrophe, is_percent, normalize_word};
use crate::span::Span;
use unicode_normalization::char::is_combining_mark;
use xxhash_rust::xxh3::xxh3_64;

/// One word: where it is in the original text and the hash of its folded form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte span of the word in the original text.
    pub span: Span,
    /// xxh3 of the folded form: equal folded words have equal hashes.
    pub hash: u64,
}

/// The tokens of one text, with their folded forms.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    tokens: Vec<Token>,
    norm: String,
    norm_ends: Vec<u32>,
}

impl Tokens {
    /// Tokenizes `text`.
    pub fn new(text: &str) -> Tokens {
        let mut t = Tokens::default();
        for_each_token(text, |span, norm| {
            t.norm.push_str(norm);
            t.norm_ends.push(t.norm.len() as u32);
            t.tokens.push(Token {
                span,
                hash: xxh3_64(norm.as_bytes()),
            });
        });
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
        let start = if pos == 0 {
            0
        } else {
            self.norm_ends[pos - 1] as usize
        };
        &self.norm[start..self.norm_ends[pos] as usize]
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
            t.norm.push_str(self.norm(pos));
            t.norm_ends.push(t.norm.len() as u32);
            t.tokens.push(self.tokens[pos]);
        }
        t
    }
}

/// Calls `f` with the span and folded form of every token of `text`, in
/// order. The one tokenizer behind [`Tokens::new`] and [`token_hashes`].
pub fn for_each_token(text: &str, mut f: impl FnMut(Span, &str)) {
    let mut norm = String::new();
    // A `per` waiting to see whether `cent` follows.
    let mut pending_per: Option<Span> = None;
    let f = &mut f;
    scan_words(text, |start, end| {
        norm.clear();
        normalize_word(&text[start..end], &mut norm);
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
            f(Span::new(start, end), &norm);
        }
    });
    if let Some(per) = pending_per {
        f(per, "per");
    }
}

/// Appends the hash of every token of `text` to `out`: the allocation-free
/// path for corpus-scale signatures, same tokens as [`Tokens::new`].
pub fn token_hashes(text: &str, out: &mut Vec<u64>) {
    for_each_token(text, |_, norm| out.push(xxh3_64(norm.as_bytes())));
}

fn is_word_char(c: char) -> bool {
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

/// Calls `f(start, end)` for each word's byte range and each percent sign.
fn scan_words(text: &str, mut f: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
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
        let start = i;
        let mut last_digit = c.is_numeric();
        i += w;
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
        f(start, i);
    }
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

    #[test]
    fn hashes_match_token_hashes() {
        let text = "The BMA\u{2019}s 64 per cent \u{2014} caf\u{e9}";
        let mut fast = Vec::new();
        token_hashes(text, &mut fast);
        assert_eq!(Tokens::new(text).hashes().collect::<Vec<_>>(), fast);
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

    #[test]
    fn empty_and_punctuation_only() {
        assert!(Tokens::new("").is_empty());
        assert!(Tokens::new(" \u{2014} ... \n\t").is_empty());
    }
}
