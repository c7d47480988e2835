//! The shape of the text: article prose versus page furniture, word by
//! word, in one document, without help from any other.
//!
//! A scraped page is one run of words: menus, "most popular" lists, login
//! boxes, share bars and footers around (and inside) the article. Nothing
//! marks where the article starts, and line breaks cannot be trusted (many
//! scrapers flatten a page to one line). What does mark it is the shape of
//! the words. Running text is about half function words and ends its
//! sentences with full stops; a menu is a run of capitalised names with no
//! function word and no full stop; a list of links is split by `|` or `»`;
//! a comment form or a footer talks about the page itself (`subscribe`,
//! `reply`, `privacy`, `copyright`).
//!
//! [`furniture`] labels each word *article* or *furniture* with a
//! two-state hidden Markov model, decoded by Viterbi: each word's evidence
//! is a log-likelihood ratio looked up by its class (digit, function word,
//! capitalised function word, interface word, capitalised word, lower-case
//! word: see [`crate::words`]) and the separator before it (a sentence end,
//! a bar, a comma or colon, a quote or bracket, other punctuation, only
//! spaces); changing state costs [`SWITCH_COST`], so the labels come in
//! runs and one capitalised name inside a sentence does not break it.
//!
//! The ratios ([`EVIDENCE`]) were counted on the 1,381 Dragnet pages
//! (`../shared/data/dragnet`, 2.4 million words, each marked article or not
//! by aligning the page with its hand-annotated main text), with half a
//! count added to every cell. Counted on the pages of half the sites and
//! decoded on the other half's, and the other way round, the model keeps
//! 92-95% of article words and labels 71-75% of the other words furniture
//! (what it leaves is prose: reader comments, author blurbs, legal notices,
//! which recurrence across pages finds: [`crate::boilerplate`]). The table
//! has 36 numbers and no site names, so it describes English pages, not
//! those sites.
//!
//! The labels depend on the words and the punctuation between them, never
//! on line breaks: a page and the same page flattened to one line get the
//! same labels.

use std::ops::Range;

use crate::span::Span;
use crate::words::{word_table, WordTable};

/// Log-likelihood ratio, article over furniture, of a word by its class
/// (rows: digit-initial, function word, capitalised function word,
/// interface word, other capitalised word, other lower-case word) and the
/// separator before it (columns: sentence end `. ! ?`, bar `| » • · ›`,
/// comma, colon or semicolon, quote or bracket, other punctuation, spaces
/// only). Counted on Dragnet (module docs).
pub const EVIDENCE: [[f32; 6]; 6] = [
    // end    bar   comma  quote  other  space
    [-0.50, -0.88, 0.74, -2.46, -1.20, -0.73],  // digit
    [0.86, -1.98, 1.36, 1.16, 0.58, 0.86],      // function word
    [1.20, -3.01, -0.11, -0.80, -0.84, -1.06],  // Function word
    [-2.07, -4.62, -1.53, -3.18, -1.86, -2.06], // interface word
    [-0.06, -2.07, -0.99, -2.13, -1.35, -1.54], // Capitalised word
    [-0.49, -2.90, 0.19, -0.25, -0.01, 0.79],   // lower-case word
];

/// Cost of changing between article and furniture from one word to the
/// next: `-ln(0.001)`, a change every thousand words a priori. Decoded on
/// half the Dragnet sites with the other half's ratios, 0.01 kept 1% fewer
/// article words and labelled 0.3% more furniture; 0.0003 the reverse. A
/// sticky model keeps a quote or a capitalised name inside a sentence.
pub const SWITCH_COST: f32 = 6.907_755;

/// [`EVIDENCE`] in hundredths, row by row, and [`SWITCH_COST`] likewise:
/// Viterbi's chain of maxima and sums runs on integers (one cycle a step
/// where floating point takes four; the chain was most of the decoding).
const EVIDENCE_CENTS: [i32; 36] = {
    let mut t = [0i32; 36];
    let mut i = 0;
    while i < 36 {
        let x = EVIDENCE[i / 6][i % 6] * 100.0;
        t[i] = if x < 0.0 {
            (x - 0.5) as i32
        } else {
            (x + 0.5) as i32
        };
        i += 1;
    }
    t
};
const SWITCH_CENTS: i32 = (SWITCH_COST * 100.0 + 0.5) as i32;

/// Fewest words a text needs before its shape says anything: a headline
/// or a sentence alone is all capitals and names, and a page with fewer
/// words has no room for furniture worth the name.
pub const MIN_PAGE_WORDS: usize = 50;

/// Fewest words a furniture run needs: one or two capitalised words
/// between sentences are names.
pub const MIN_RUN_WORDS: usize = 3;

/// The row of [`EVIDENCE`] for a word's initial (0 lower case or other, 1
/// capital, 2 digit) and kind ([`WordTable::kind_index`]: 0 other, 1
/// function word, 2 interface word).
const ROW: [[u8; 3]; 3] = [[5, 1, 3], [4, 2, 3], [0, 0, 0]];

/// [`ROW`] times the six columns of [`EVIDENCE`] (the first cell of the
/// row), at `initial << 2 | kind`: one look-up without bounds checks.
const ROW_CELL: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut i = 0;
    while i < 3 {
        let mut k = 0;
        while k < 3 {
            t[i << 2 | k] = ROW[i][k] * 6;
            k += 1;
        }
        i += 1;
    }
    t
};

/// The initial class of an ASCII byte opening a word (see [`ROW`]).
const ASCII_INITIAL: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The first cell in [`EVIDENCE_CENTS`] of a word's row (see [`ROW`]).
#[inline]
fn word_cell(words: &WordTable, text: &str, span: Span, hash: u64) -> usize {
    let Some(&b) = text.as_bytes().get(span.start) else {
        return 5 * 6;
    };
    // ASCII (most words) without decoding.
    let initial = if b < 0x80 {
        usize::from(ASCII_INITIAL[usize::from(b)])
    } else {
        match text[span.start..span.end].chars().next() {
            Some(c) if c.is_numeric() => 2,
            Some(c) if c.is_uppercase() => 1,
            _ => 0,
        }
    };
    usize::from(ROW_CELL[(initial << 2 | words.kind_index(hash)) & 15])
}

/// The column in [`EVIDENCE`] of each ASCII byte found between two words
/// (whitespace 5; letters and digits never are).
const ASCII_SEPARATOR: [u8; 128] = {
    let mut t = [4u8; 128];
    t[b' ' as usize] = 5;
    t[b'\t' as usize] = 5;
    t[b'\n' as usize] = 5;
    t[b'\r' as usize] = 5;
    t[0x0b] = 5;
    t[0x0c] = 5;
    t[b'.' as usize] = 0;
    t[b'!' as usize] = 0;
    t[b'?' as usize] = 0;
    t[b'|' as usize] = 1;
    t[b',' as usize] = 2;
    t[b';' as usize] = 2;
    t[b':' as usize] = 2;
    t[b'"' as usize] = 3;
    t[b'(' as usize] = 3;
    t[b')' as usize] = 3;
    t
};

/// The class of the separator `text[from..to]` before a word (its column
/// in [`EVIDENCE`]): the strongest mark it holds.
#[inline]
fn separator_class(text: &str, from: usize, to: usize) -> usize {
    let gap = &text.as_bytes()[from.min(to)..to];
    // One byte between words (most gaps: a space).
    if let [b] = *gap {
        if b < 0x80 {
            return usize::from(ASCII_SEPARATOR[usize::from(b)]);
        }
    }
    let mut class = 5;
    for (i, &b) in gap.iter().enumerate() {
        let this = if b < 0x80 {
            ASCII_SEPARATOR[b as usize] as usize
        } else if b < 0xC0 {
            // A continuation byte: its character was classed at its start.
            continue;
        } else {
            match text[from + i..].chars().next() {
                Some('\u{BB}' | '\u{2022}' | '\u{B7}' | '\u{203A}') => 1,
                Some('\u{201C}' | '\u{201D}') => 3,
                Some(c) if c.is_whitespace() => 5,
                _ => 4,
            }
        };
        class = class.min(this);
        if class == 0 {
            break;
        }
    }
    class
}

/// Token ranges of `text` labelled page furniture, sorted and disjoint.
/// `spans` and `hashes` are the text's tokens (their byte spans and word
/// hashes, as [`crate::tokenize::TokenHasher::hash_tokens_spans`] gives
/// them).
pub fn furniture(text: &str, spans: &[Span], hashes: &[u64]) -> Vec<Range<usize>> {
    let n = spans.len().min(hashes.len());
    if n < MIN_PAGE_WORDS {
        return Vec::new();
    }
    // Viterbi over two states, scores relative to furniture's evidence
    // (zero). `from_other[i]`: bit 0 set when the best path into word i as
    // article came from furniture, bit 1 when the best path into it as
    // furniture came from article.
    FROM_OTHER.with_borrow_mut(|from_other| decode(text, spans, hashes, n, from_other))
}

thread_local! {
    /// Each thread's Viterbi back-pointers, reused from page to page.
    static FROM_OTHER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`furniture`] of a page of `n >= MIN_PAGE_WORDS` words, with a buffer
/// for the back-pointers.
fn decode(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    n: usize,
    from_other: &mut Vec<u8>,
) -> Vec<Range<usize>> {
    let words = word_table();
    // Each word's evidence (its cell of EVIDENCE, row * 6 + column) first,
    // then Viterbi over them, writing the back-pointers in their place: the
    // look-ups pipeline, and the chain of maxima runs on bytes.
    // The common case inline: a word opening with an ASCII byte after
    // one ASCII byte (a space); the rest by the general functions.
    let bytes = text.as_bytes();
    from_other.clear();
    from_other.resize(n, 0);
    let mut prev_end = spans[0].start;
    for ((c, &span), &h) in from_other.iter_mut().zip(&spans[..n]).zip(&hashes[..n]) {
        let one = span.start == prev_end + 1;
        *c = match (bytes.get(prev_end), bytes.get(span.start)) {
            (Some(&gap), Some(&first)) if one && gap < 0x80 && first < 0x80 => {
                let kind = words.kind_index(h);
                ROW_CELL[(usize::from(ASCII_INITIAL[usize::from(first & 0x7F)]) << 2 | kind) & 15]
                    + ASCII_SEPARATOR[usize::from(gap & 0x7F)]
            }
            _ => {
                (word_cell(words, text, span, h) + separator_class(text, prev_end, span.start))
                    as u8
            }
        };
        prev_end = span.end;
    }
    let cell = |c: u8| EVIDENCE_CENTS[usize::from(c)];
    let (mut article, mut chrome) = (cell(from_other[0]), 0i32);
    from_other[0] = 0;
    for b in &mut from_other[1..n] {
        let x = cell(*b);
        let (a_switch, c_switch) = (chrome - SWITCH_CENTS, article - SWITCH_CENTS);
        *b = u8::from(a_switch > article) | u8::from(c_switch > chrome) << 1;
        article = article.max(a_switch) + x;
        chrome = chrome.max(c_switch);
    }
    // Back from the better end state.
    let mut is_article = article >= chrome;
    let mut runs = Vec::new();
    let mut end = n;
    for i in (0..n).rev() {
        let switch = if is_article {
            from_other[i] & 1 != 0
        } else {
            from_other[i] & 2 != 0
        };
        if switch || i == 0 {
            if !is_article {
                runs.push(i..end);
            }
            end = i;
            is_article = !is_article;
        }
    }
    runs.reverse();
    runs.retain(|r| r.len() >= MIN_RUN_WORDS);
    // A capitalised word that closes a furniture run and runs on into
    // lower-case text is the first word of a sentence ("... Register
    // Junior doctors in England ..."): Viterbi cannot tell it from one more
    // menu item, its successor can.
    for r in &mut runs {
        let last = r.end - 1;
        if r.end < n && r.len() > 1 {
            let starts = |i: usize| text[spans[i].start..spans[i].end].chars().next();
            let gap = &text[spans[last].end..spans[r.end].start];
            if starts(last).is_some_and(char::is_uppercase)
                && starts(r.end).is_some_and(char::is_lowercase)
                && gap.chars().all(char::is_whitespace)
            {
                r.end = last;
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::TokenHasher;

    /// The furniture of `text` as the words it covers.
    fn furniture_of(text: &str) -> Vec<String> {
        let (mut hashes, mut spans) = (Vec::new(), Vec::new());
        TokenHasher::new().hash_tokens_spans(text, &mut hashes, &mut spans);
        furniture(text, &spans, &hashes)
            .into_iter()
            .map(|r| text[spans[r.start].start..spans[r.end - 1].end].to_string())
            .collect()
    }

    #[test]
    fn menus_and_forms_are_furniture_and_sentences_are_not() {
        let page = "Home | News | Sport | Weather | Politics | Business Log In | Register \
                    Junior doctors in England will strike again next month after talks with \
                    the government over a new contract broke down, the British Medical \
                    Association said on Thursday. The union said the offer was not enough \
                    and that ministers had refused to move on weekend pay. Health Secretary \
                    Jeremy Hunt said he would impose the contract. Post a comment Your email \
                    address will not be published. Required fields are marked. Subscribe to \
                    our newsletter Privacy Policy Terms of Use Copyright 2016 All rights reserved";
        let f = furniture_of(page);
        // Boundaries may be off by a word (a capitalised word opening the
        // article reads like one more menu item); what lies between is not.
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].starts_with("Home") && f[0].ends_with("Register"),
            "{f:?}"
        );
        assert!(
            f[1].contains("Your email address") && f[1].ends_with("reserved"),
            "{f:?}"
        );
        for sentence in [
            "strike again next month",
            "refused to move",
            "impose the contract",
        ] {
            assert!(
                f.iter().all(|run| !run.contains(sentence)),
                "{sentence}: {f:?}"
            );
        }
    }

    #[test]
    fn short_texts_and_short_runs_have_no_furniture() {
        assert!(furniture_of("Obama Signs Health Care Bill Into Law").is_empty());
        assert!(furniture_of("3").is_empty());
    }

    #[test]
    fn plain_prose_has_no_furniture() {
        let text = "“I have not brought Arthur, because I was in a hurry,” said Celia, and \
                    they sat down on two small chairs opposite each other. The Royal College \
                    of Surgeons said about 3,000 operations were cancelled across England on \
                    Wednesday, and that the cost to the health service would run into the \
                    millions. Dr Johann Malawana, the chair of the committee, told reporters \
                    that the doctors had no choice but to walk out again next month.";
        assert!(text.split_whitespace().count() >= MIN_PAGE_WORDS);
        assert!(furniture_of(text).is_empty(), "{:?}", furniture_of(text));
    }

    #[test]
    fn labels_do_not_depend_on_line_breaks() {
        let lines = "Home\nNews\nSport\nWeather\nBusiness\nPolitics\nCulture\n\nThe union said \
                     the offer was not enough and that\nministers had refused to move on weekend \
                     pay. Talks with the government broke down on Thursday, and the \
                     union said its members would strike again in\nMarch unless the health \
                     secretary agreed to meet them before the end of the month.\n\n\
                     Contact us\nAbout us\nPrivacy policy\nTerms of use\n";
        let flat = furniture_of(&lines.replace('\n', " "));
        let lined: Vec<String> = furniture_of(lines)
            .iter()
            .map(|s| s.replace('\n', " "))
            .collect();
        assert_eq!(flat, lined);
        assert!(!flat.is_empty());
    }
}
