//! Token hashes: the one scanner behind every token hash of the crate.
//!
//! [`TokenHasher::hash_tokens`] gives, for every token [`for_each_token`]
//! yields, [`folded_word_hash`] of its folded form (the filter and
//! `report --pairs-only` take these alone; [`super::Tokens::new`] takes
//! them with spans and folded forms), but it never builds
//! the folded form of a plain ASCII word (most words of most text): it
//! classifies 64 bytes at a time into bit masks (SSE2 on x86-64, a plain
//! loop elsewhere), finds each word's ends with bit scans instead of a
//! branch per byte, and hashes the word straight from the original bytes,
//! lowercasing inside the hash's loads (for ASCII letters and digits,
//! `byte | 0x20` is the folded byte). Anything else (a percent sign, a
//! non-ASCII character, an apostrophe or a digit group continuing a word)
//! goes through the same steps as [`for_each_token`], so the tokens are
//! the same; tests check the two agree on real books and on generated
//! tricky text.
//!
//! Here: [`TokenHasher`] and its scan, block by block and word by word.
//! `word_hash.rs` holds the word hash and its chunked loads, `classify.rs`
//! the 64-byte classification into bit masks (SSE2 and portable), and
//! `sink.rs` where tokens go (hashes, spans, folded forms) and the
//! `per cent` join.
//!
//! [`for_each_token`]: super::for_each_token

mod classify;
mod sink;
mod word_hash;

pub use word_hash::folded_word_hash;

pub(super) use sink::FoldedTokens;

use super::{ascii_word_continues, special_step};
use crate::normalize::normalize_word;
use crate::span::Span;
use classify::{bit, next_clear, Block, Classes};
use sink::{join_per_cent, note, Mark, TokenSink, WithSpans};
use word_hash::{hash_chunks, CENT, FOLD, PER};

/// Reusable buffers of [`TokenHasher::hash_tokens`]: nothing is allocated
/// per text once warm.
#[derive(Debug, Default, Clone)]
pub struct TokenHasher {
    /// Bit per byte: an ASCII letter or digit.
    alnum: Vec<u64>,
    /// The masks each 64 bytes are read by.
    blocks: Vec<Block>,
    /// Bit per byte: a byte after which an ASCII run may go on as one
    /// word (non-ASCII, an apostrophe, a backslash, or a full stop or
    /// comma between digits). A superset: [`ascii_word_continues`] decides.
    cont: Vec<u64>,
    /// The classes of each 64 bytes, before the masks above combine them.
    classes: Vec<Classes>,
    /// The folded form of a word that needs [`normalize_word`].
    buf: String,
    /// The `per` and `cent` tokens of the text.
    marks: Vec<Mark>,
}

impl TokenHasher {
    /// A hasher with empty buffers.
    pub fn new() -> TokenHasher {
        TokenHasher::default()
    }

    /// Appends [`folded_word_hash`] of every token of `text` (the tokens
    /// of [`super::for_each_token`], `per cent` joined into `percent`
    /// included) to `out`.
    pub fn hash_tokens(&mut self, text: &str, out: &mut Vec<u64>) {
        self.hash(text, false, out);
    }

    /// [`TokenHasher::hash_tokens`] of the string a JSON string's content
    /// `raw` stands for, read in place, for content whose escapes are all
    /// `\n \r \t \b \f \" \/` (no `\\`, no `\u`): each stands for one
    /// character that is no part of a word, so its two bytes separate
    /// words as that character would.
    pub fn hash_tokens_json(&mut self, raw: &str, out: &mut Vec<u64>) {
        self.hash(raw, true, out);
    }

    /// [`TokenHasher::hash_tokens`] with each token's span in `text` pushed
    /// to `spans` (a joined `per cent` spans both words), as
    /// [`super::for_each_token`] gives them.
    pub fn hash_tokens_spans(&mut self, text: &str, out: &mut Vec<u64>, spans: &mut Vec<Span>) {
        self.hash(text, false, &mut WithSpans { hashes: out, spans });
    }

    /// [`TokenHasher::hash_tokens_spans`] as whole [`Token`](super::Token)s with their
    /// folded forms: what [`super::Tokens::new`] keeps. `out.folded` must
    /// start as `text` with its ASCII letters lowercased.
    pub(super) fn fold_tokens(&mut self, text: &str, mut out: FoldedTokens<'_>) {
        self.hash(text, false, &mut out);
    }

    fn hash<S: TokenSink>(&mut self, text: &str, json: bool, out: &mut S) {
        let bytes = text.as_bytes();
        self.classify(bytes, json);
        self.marks.clear();
        let marks = &mut self.marks;
        let buf = &mut self.buf;
        let scan = Scan {
            text,
            alnum: &self.alnum,
            cont: &self.cont,
        };
        // Bytes before `i` are done.
        let mut i = 0;
        for (w, b) in self.blocks.iter().enumerate() {
            let base = w * 64;
            let first = b.starts.trailing_zeros() as usize;
            if b.special == 0 && b.flagged == 0 && (b.starts == 0 || i <= base + first) {
                // A plain block: no special character, no word that goes
                // on past its letters. Its words are its runs: pop starts
                // and ends in step (an end before `i` closes a word read
                // with the block before).
                if b.starts == 0 {
                    continue;
                }
                // `i <= base + first < base + 64`: the shift is in range.
                let done = if i > base {
                    (1u64 << (i - base)) - 1
                } else {
                    0
                };
                let mut starts = b.starts;
                let mut ends = b.ends & !done;
                while starts != 0 {
                    let s = base + starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    if ends == 0 {
                        // The last run goes on into the next block.
                        i = scan.word(s, buf, marks, out);
                        break;
                    }
                    let e = base + ends.trailing_zeros() as usize + 1;
                    ends &= ends - 1;
                    token(
                        out,
                        marks,
                        (s, e),
                        e - s,
                        hash_chunks(bytes, s, e - s, FOLD),
                        None,
                    );
                    i = e;
                }
                continue;
            }
            // Any other block, event by event: an event before `i` lies
            // inside a word or character already read.
            let mut m = b.starts | b.special;
            while m != 0 {
                let s = base + m.trailing_zeros() as usize;
                m &= m - 1;
                if s < i {
                    continue;
                }
                if b.special >> (s - base) & 1 == 0 {
                    i = scan.word(s, buf, marks, out);
                    continue;
                }
                i = special_step(text, s, buf, &mut |s, e, norm: &str| {
                    if !norm.is_empty() {
                        let h = folded_word_hash(norm.as_bytes());
                        token(out, marks, (s, e), norm.len(), h, Some(norm));
                    }
                });
            }
        }
        join_per_cent(text, json, &self.marks, out);
    }
}

/// What reading one word needs.
struct Scan<'a> {
    text: &'a str,
    alnum: &'a [u64],
    cont: &'a [u64],
}

impl Scan<'_> {
    /// Pushes the word whose run of ASCII letters and digits starts at
    /// `s` and returns where it ends: at the run's end, or further when
    /// the word goes on (an apostrophe, a digit group, a non-ASCII
    /// letter), which [`normalize_word`] then folds.
    #[inline(always)]
    fn word<S: TokenSink>(
        &self,
        s: usize,
        buf: &mut String,
        marks: &mut Vec<Mark>,
        out: &mut S,
    ) -> usize {
        let bytes = self.text.as_bytes();
        let j = next_clear(self.alnum, s).min(bytes.len());
        if bit(self.cont, j) {
            if let Some(end) = ascii_word_continues(self.text, s, j) {
                buf.clear();
                normalize_word(&self.text[s..end], buf);
                if !buf.is_empty() {
                    let h = folded_word_hash(buf.as_bytes());
                    token(out, marks, (s, end), buf.len(), h, Some(buf));
                }
                return end;
            }
        }
        token(
            out,
            marks,
            (s, j),
            j - s,
            hash_chunks(bytes, s, j - s, FOLD),
            None,
        );
        j
    }
}

/// Pushes one token's hash (and its folded form, `None` for a plain run
/// of ASCII letters and digits); `per` and `cent` are also noted for
/// [`join_per_cent`] (the hash is a bijection for words of 3 and 4 bytes,
/// so length and hash name them exactly). Almost every token only pays
/// two compares.
#[inline(always)]
fn token<S: TokenSink>(
    out: &mut S,
    marks: &mut Vec<Mark>,
    at: (usize, usize),
    len: usize,
    h: u64,
    folded: Option<&str>,
) {
    if h == PER || h == CENT {
        note(out.len(), marks, at, len, h);
    }
    out.push(h, at, folded);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::for_each_token;

    /// What `hash_tokens` must give: the general tokenizer's folded forms,
    /// hashed.
    fn reference(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        for_each_token(text, |_, norm| out.push(folded_word_hash(norm.as_bytes())));
        out
    }

    fn assert_agrees(h: &mut TokenHasher, text: &str) {
        let mut got = Vec::new();
        h.hash_tokens(text, &mut got);
        let want = reference(text);
        assert_eq!(got, want, "{text:?}");
        // With spans: the same hashes, and the general tokenizer's spans.
        let (mut hashes, mut spans) = (Vec::new(), Vec::new());
        h.hash_tokens_spans(text, &mut hashes, &mut spans);
        assert_eq!(hashes, want, "{text:?}");
        let mut want_spans = Vec::new();
        for_each_token(text, |span, _| want_spans.push(span));
        assert_eq!(spans, want_spans, "{text:?}");
    }

    #[test]
    fn agrees_with_the_tokenizer_on_tricky_text() {
        let mut h = TokenHasher::new();
        for t in [
            "",
            "   ",
            "a",
            "There\\'ll be 3,000 ops (13.5%); it's `x' don\u{2019}t O\u{2019}Neill caf\u{e9}s",
            "1,2345 1,234,567. 3.x .5 5. a\\'b a\\' 'a' x'y`z \u{FF28}i \u{FB01}nal na\u{EF}ve",
            "end with digit 7,00 7,000 7,0001 \u{2018}quoted\u{2019} l\u{2019}\u{C9}cole \u{0301}mark",
            "per cent per\ncent percent 64\u{FF05} word\u{00B4}s x\u{00A0}y PER CENT per\u{a0}cent",
            "per", "per cent", "per, cent", "per\u{2003}cent", "cent per", "Per Cent.",
            // Words across the 64-byte block edges.
            &"abcdefghij ".repeat(20),
            &format!("{}Averyveryverylongwordthatcrossesablockedge and more", "x".repeat(60)),
        ] {
            assert_agrees(&mut h, t);
        }
    }

    #[test]
    fn agrees_across_block_edges() {
        let mut h = TokenHasher::new();
        for pad in 50..80 {
            for tail in [
                "3,000 13.5 x",
                "don\u{2019}t it's",
                "caf\u{e9} 64%",
                "per cent",
            ] {
                let text = format!("{} {tail}", "y".repeat(pad));
                assert_agrees(&mut h, &text);
                assert_agrees(&mut h, &text[pad / 2..]);
            }
        }
    }

    /// Real books (the shared corpus beside the repository; skipped where
    /// it is absent), a slice of each.
    #[test]
    fn agrees_with_the_tokenizer_on_shared_texts() {
        let mut h = TokenHasher::new();
        for text in super::super::shared_book_slices(300_000) {
            // Paragraph by paragraph, as documents of many lengths.
            for para in text.split("\n\n") {
                assert_agrees(&mut h, para);
            }
        }
    }

    /// JSON string content with simple escapes reads as its decoded text.
    fn assert_json_agrees(h: &mut TokenHasher, text: &str) {
        let quoted = serde_json::to_string(text).unwrap();
        let raw = &quoted[1..quoted.len() - 1];
        let simple = !raw.contains("\\\\") && !raw.contains("\\u");
        if !simple {
            return;
        }
        let mut got = Vec::new();
        h.hash_tokens_json(raw, &mut got);
        assert_eq!(got, reference(text), "{raw:?}");
    }

    #[test]
    fn json_content_reads_as_its_text() {
        let mut h = TokenHasher::new();
        for t in [
            "line one\nline two\n\nthree \"quoted\" a/b",
            "64 per\ncent, per\tcent, per\r\ncent, per\u{8}cent",
            "3\n000 3,\n000 13.\n5 n\nn t\tt don\u{2019}t\ncaf\u{e9}\n%",
            "\nnnn\ttt\rrr\u{c}fff\"x\"",
        ] {
            assert_json_agrees(&mut h, t);
        }
        // `\/` (which serde_json never writes) is a slash.
        let mut got = Vec::new();
        h.hash_tokens_json(r"per\/cent per\ncent a\/b", &mut got);
        assert_eq!(got, reference("per/cent per\ncent a/b"));
        // A backslash or \u escape is no simple content: checked here
        // that the test does not skip everything.
        let q = serde_json::to_string("a\nb").unwrap();
        assert_eq!(&q[1..q.len() - 1], "a\\nb");
    }

    proptest::proptest! {
        #[test]
        fn json_content_agrees(text in "([a-zA-Z0-9]{1,9}|per|cent|[\n\t\r\u{c}\u{8}\"/ ,.%]|\u{2019}|\u{e9}){0,80}") {
            assert_json_agrees(&mut TokenHasher::new(), &text);
        }

        #[test]
        fn agrees_with_the_tokenizer(text in "[a-zA-Z0-9 ,.'`%\\\\\u{2019}\u{e9}\u{0301}\u{FF05}\u{a0}\u{2003}\n-]{0,200}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }

        /// Long texts of plain words (blocks the fast loop reads whole)
        /// with now and then a character that sends a block to the
        /// general loop.
        #[test]
        fn agrees_on_long_mostly_plain_text(text in "([a-zA-Z0-9]{1,14}([ ,.\n]|, |\u{201C}|\u{2019}|\u{e9}|%|3,000){1,2}){0,120}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }

        #[test]
        fn agrees_on_per_cent_and_numbers(text in "(per|cent|Per|CENT|3,000|1.5|%|x|\u{e9}| |\n|\u{a0}|,|\\.){0,40}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }
    }
}
