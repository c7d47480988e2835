//! Renderers: turn a [`crate::Comparison`] into text for people or programs.
//!
//! Renderers write to any `std::io::Write` and take resolved options (colour
//! on or off, width); they never look at the terminal or the environment.
//! [`json`] is the machine contract, [`terminal`] the `text` and
//! `side-by-side` views, [`html`] the self-contained page; `report_*` are
//! the same three for a corpus report; [`index_text`] describes a filter
//! index (`index stats|query|check`). Document text on its way to a
//! terminal goes through [`sanitize`], and a word diff shown inline there
//! is drawn by [`inline_diff`]; on its way into either HTML page text is
//! escaped by `html_escape`. Counts of things read as words go through
//! [`count`]; the terminal styles (bold, dim, colours) are named in [`style`].

pub mod count;
pub mod html;
mod html_escape;
pub mod index_text;
pub mod inline_diff;
pub mod json;
pub mod report_html;
pub mod report_json;
pub mod report_text;
pub mod sanitize;
pub mod style;
pub mod terminal;

use crate::align::PassageKind;
use crate::compare::Comparison;
use crate::input::Document;
use crate::span::Span;
use crate::tokenize::Tokens;

/// Everything a renderer draws from: the two documents, their tokens and
/// the comparison of the two.
///
/// `tokens_a` must be the tokens of `a.text` (and `tokens_b` of `b.text`),
/// the ones the comparison was computed from.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a> {
    /// Document A.
    pub a: &'a Document,
    /// Document B.
    pub b: &'a Document,
    /// Tokens of A's text.
    pub tokens_a: &'a Tokens,
    /// Tokens of B's text.
    pub tokens_b: &'a Tokens,
    /// The comparison of A with B.
    pub comparison: &'a Comparison,
}

impl<'a> Pair<'a> {
    /// Bundles the inputs of a renderer.
    pub fn new(
        a: &'a Document,
        b: &'a Document,
        tokens_a: &'a Tokens,
        tokens_b: &'a Tokens,
        comparison: &'a Comparison,
    ) -> Pair<'a> {
        Pair {
            a,
            b,
            tokens_a,
            tokens_b,
            comparison,
        }
    }
}

/// How many passages of each kind a comparison has; displays as
/// "3 passages: 1 verbatim, 2 edited; 1 moved".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PassageCounts {
    pub verbatim: usize,
    pub edited: usize,
    pub paraphrase: usize,
    pub moved: usize,
}

impl PassageCounts {
    pub fn new(c: &Comparison) -> PassageCounts {
        let count = |k| c.passages.iter().filter(|p| p.passage.kind == k).count();
        PassageCounts {
            verbatim: count(PassageKind::Verbatim),
            edited: count(PassageKind::Edited),
            paraphrase: count(PassageKind::Paraphrase),
            moved: c.passages.iter().filter(|p| p.passage.moved).count(),
        }
    }
}

impl std::fmt::Display for PassageCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.verbatim + self.edited + self.paraphrase;
        if n == 0 {
            return f.write_str("no passage");
        }
        write!(f, "{n} passage{}: ", if n == 1 { "" } else { "s" })?;
        let mut first = true;
        for (count, name) in [
            (self.verbatim, "verbatim"),
            (self.edited, "edited"),
            (self.paraphrase, "paraphrase"),
        ] {
            if count > 0 {
                write!(f, "{}{count} {name}", if first { "" } else { ", " })?;
                first = false;
            }
        }
        if self.moved > 0 {
            write!(f, "; {} moved", self.moved)?;
        }
        Ok(())
    }
}

/// Number of tokens lying inside `span`.
pub(crate) fn words_in(tokens: &Tokens, span: Span) -> usize {
    let t = tokens.as_slice();
    let first = t.partition_point(|t| t.span.start < span.start);
    let end = t.partition_point(|t| t.span.end <= span.end);
    end.saturating_sub(first)
}

/// `text[span]`, or "" when the span is out of bounds or off a char
/// boundary (renderers never panic on a malformed comparison).
pub(crate) fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

/// 1-based line and column (in characters) of byte offsets in one text.
///
/// Lines end at `\n`; a `\r` before it is part of the line it ends. Each
/// lookup costs a binary search plus counting at most one block of bytes,
/// so a document on one very long line stays cheap.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
    /// Characters before byte `k * CHAR_BLOCK`, for every block.
    block_chars: Vec<usize>,
}

/// Bytes per block of the character-count table.
const CHAR_BLOCK: usize = 4096;

/// The JSON Lines field names a report's source summary mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFields {
    /// The source field (`--source-field`).
    pub source: String,
    /// The URL field (`--url-field`).
    pub url: String,
}

impl Default for SourceFields {
    fn default() -> SourceFields {
        SourceFields {
            source: "source".into(),
            url: "url".into(),
        }
    }
}

/// One line saying where the documents' sources came from, by rule, for
/// the text and HTML reports: `sources: 408 from the "source" field`, or
/// `no sources (each document is its own)`. Counts are of documents.
pub fn source_rules_line(r: &crate::report::CorpusReport, fields: &SourceFields) -> String {
    use crate::input::SourceRule;
    let mut counts: std::collections::BTreeMap<SourceRule, usize> = Default::default();
    for d in &r.documents {
        *counts.entry(d.source_rule).or_default() += 1;
    }
    if counts.keys().all(|&rule| rule == SourceRule::None) {
        return "no sources (each document is its own)".into();
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(rule, n)| match rule {
            SourceRule::Field => format!("{n} from the \"{}\" field", fields.source),
            SourceRule::UrlField => format!("{n} from the hosts of the \"{}\" field", fields.url),
            SourceRule::IdUrl => format!("{n} from the hosts of URL ids"),
            SourceRule::Folder => format!("{n} from folders"),
            SourceRule::Pattern => format!("{n} from --source-pattern"),
            SourceRule::None => format!("{n} without one (each its own)"),
        })
        .collect();
    format!("sources: {}", parts.join(", "))
}

/// True for the first byte of a UTF-8 character.
fn is_char_start(b: u8) -> bool {
    (b & 0xC0) != 0x80
}

impl<'t> LineIndex<'t> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut block_chars = vec![0];
        let mut total = 0;
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            total += block.iter().filter(|&&b| is_char_start(b)).count();
            block_chars.push(total);
        }
        LineIndex {
            text,
            starts,
            block_chars,
        }
    }

    /// Characters before byte `offset` (counted by first bytes, so an
    /// offset off a char boundary cannot panic).
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let from = block * CHAR_BLOCK;
        self.block_chars[block]
            + self.text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| is_char_start(b))
                .count()
    }

    /// Line and column of the character at byte `offset`, both 1-based.
    /// An offset past the end is clamped to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = self.chars_before(offset) - self.chars_before(self.starts[line]);
        (line + 1, col + 1)
    }

    /// `line:col-line:col`, from the first character of `span` to its last
    /// (inclusive, as an editor shows a selection); `line:col` when empty.
    pub fn describe(&self, span: Span) -> String {
        let (l1, c1) = self.line_col(span.start);
        if span.is_empty() {
            return format!("{l1}:{c1}");
        }
        let last = self.text[..span.end.min(self.text.len())]
            .char_indices()
            .next_back()
            .map_or(span.start, |(i, _)| i.max(span.start));
        let (l2, c2) = self.line_col(last);
        format!("{l1}:{c1}-{l2}:{c2}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::align::Passage;
    use crate::compare::{SharedPassage, Similarity, Verdict};
    use crate::diff::{DiffOp, DiffTag};

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\ncafé x\r\nend";
        let ix = LineIndex::new(text);
        assert_eq!(ix.line_col(0), (1, 1));
        assert_eq!(ix.line_col(3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(ix.line_col(x), (2, 6), "é is one column");
        assert_eq!(ix.line_col(text.find("end").unwrap()), (3, 1));
        assert_eq!(ix.line_col(10_000), (3, 4));
        assert_eq!(ix.describe(Span::new(3, x + 1)), "2:1-2:6");
        assert_eq!(ix.describe(Span::empty(1)), "1:2");
    }

    #[test]
    fn line_col_on_a_long_line_crosses_blocks() {
        let text = format!("x\n{}end", "é".repeat(5000));
        let ix = LineIndex::new(&text);
        assert_eq!(ix.line_col(text.find("end").unwrap()), (2, 5001));
        assert_eq!(ix.line_col(2 + 2 * 2047), (2, 2048));
    }

    #[test]
    fn words_in_counts_tokens_inside_a_span() {
        let text = "one two three four";
        let t = Tokens::new(text);
        assert_eq!(words_in(&t, Span::new(0, text.len())), 4);
        assert_eq!(words_in(&t, Span::new(4, 13)), 2);
        assert_eq!(words_in(&t, Span::empty(5)), 0);
    }

    /// A hand-built comparison with every kind, a moved passage and every
    /// diff op, independent of what the aligner finds.
    pub(crate) struct Fixture {
        pub a: Document,
        pub b: Document,
        pub ta: Tokens,
        pub tb: Tokens,
        pub c: Comparison,
    }

    impl Fixture {
        pub fn pair(&self) -> Pair<'_> {
            Pair::new(&self.a, &self.b, &self.ta, &self.tb, &self.c)
        }
    }

    /// Token range `r` of `t` as a span; an empty range is an empty span
    /// at the end of the token before it.
    pub(crate) fn span(t: &Tokens, r: std::ops::Range<usize>) -> Span {
        if r.is_empty() {
            Span::empty(t.get(r.start.saturating_sub(1)).span.end)
        } else {
            t.span_of(r.start, r.end - 1)
        }
    }

    pub(crate) fn op(
        ta: &Tokens,
        tb: &Tokens,
        tag: DiffTag,
        a: std::ops::Range<usize>,
        b: std::ops::Range<usize>,
    ) -> DiffOp {
        DiffOp {
            tag,
            a: span(ta, a.clone()),
            b: span(tb, b.clone()),
            a_tokens: a,
            b_tokens: b,
        }
    }

    pub(crate) fn fixture() -> Fixture {
        let a = "Local intro. Almost 3,000 operations were cancelled on Wednesday.\n\n\
                 Unique to A \x1b[2J here. The quick brown fox jumps over the lazy dog.";
        let b = "The quick brown fox jumps over the lazy dog. Only B says this. \
                 About 3000 operations have been cancelled on Wednesday across England, \
                 officials said. Opening words.";
        let ta = Tokens::new(a);
        let tb = Tokens::new(b);
        let pos = |t: &Tokens, text: &str, word: &str| {
            let at = text.find(word).unwrap();
            t.as_slice()
                .iter()
                .position(|k| k.span.start == at)
                .unwrap()
        };
        let passage =
            |a: std::ops::Range<usize>, b: std::ops::Range<usize>, kind, moved, score| Passage {
                a: span(&ta, a.clone()),
                b: span(&tb, b.clone()),
                a_tokens: a,
                b_tokens: b,
                kind,
                moved,
                score,
            };
        // "Local intro" told as "Opening words", at the end of B.
        let (p0, q0) = (pos(&ta, a, "Local"), pos(&tb, b, "Opening"));
        let para = SharedPassage {
            passage: passage(p0..p0 + 2, q0..q0 + 2, PassageKind::Paraphrase, true, 0.25),
            ops: vec![op(&ta, &tb, DiffTag::Replace, p0..p0 + 2, q0..q0 + 2)],
        };
        // "Almost 3,000 operations were cancelled on Wednesday" /
        // "About 3000 operations have been cancelled on Wednesday across England"
        let (e0, f0) = (pos(&ta, a, "Almost"), pos(&tb, b, "About"));
        let edited = SharedPassage {
            passage: passage(e0..e0 + 7, f0..f0 + 10, PassageKind::Edited, false, 0.6667),
            ops: vec![
                op(&ta, &tb, DiffTag::Replace, e0..e0 + 1, f0..f0 + 1),
                op(&ta, &tb, DiffTag::Equal, e0 + 1..e0 + 3, f0 + 1..f0 + 3),
                op(&ta, &tb, DiffTag::Replace, e0 + 3..e0 + 4, f0 + 3..f0 + 5),
                op(&ta, &tb, DiffTag::Equal, e0 + 4..e0 + 7, f0 + 5..f0 + 8),
                op(&ta, &tb, DiffTag::Insert, e0 + 7..e0 + 7, f0 + 8..f0 + 10),
            ],
        };
        let v0 = pos(&ta, a, "The quick");
        let verbatim = SharedPassage {
            passage: passage(v0..v0 + 9, 0..9, PassageKind::Verbatim, true, 1.0),
            ops: vec![op(&ta, &tb, DiffTag::Equal, v0..v0 + 9, 0..9)],
        };
        let u0 = pos(&ta, a, "Unique");
        let (o0, s0) = (pos(&tb, b, "Only"), pos(&tb, b, "officials"));
        let c = Comparison {
            similarity: Similarity {
                jaccard: 0.123_456,
                containment_a: 0.5,
                containment_b: 0.45,
                shingle_size: 3,
                shingles_a: 20,
                shingles_b: 18,
            },
            verdict: Verdict::Partial,
            judgement: crate::judge::Judgement {
                same: None,
                guard: None,
                jaccard: 0.123_456,
                containment: 0.5,
                shared: 4,
            },
            passages: vec![para, edited, verbatim],
            facts: Vec::new(),
            unique_a: vec![span(&ta, u0..v0)],
            unique_b: vec![span(&tb, o0..o0 + 4), span(&tb, s0..s0 + 2)],
            coverage_a: 0.7,
            coverage_b: 0.9,
            boilerplate_a: Vec::new(),
            boilerplate_b: Vec::new(),
        };
        Fixture {
            a: Document::from_text("a.txt", a),
            b: Document::from_text("b.txt", b),
            ta,
            tb,
            c,
        }
    }
}
