//! Where the scanner's tokens go ([`TokenSink`]: hashes alone, with
//! spans, or as whole [`Token`]s with folded forms), and the `per cent`
//! join done on them after the scan.

use super::word_hash::{CENT, PER, PERCENT};
use crate::span::Span;
use crate::tokenize::Token;

/// Where the tokens go: their hashes, and their spans and folded forms
/// when asked for.
pub(super) trait TokenSink {
    /// One token: its hash, byte range, and folded form, which is `None`
    /// for a plain run of ASCII letters and digits (its fold is its lower
    /// case).
    fn push(&mut self, h: u64, at: (usize, usize), folded: Option<&str>);
    fn len(&self) -> usize;
    /// Makes token `per` a `percent` ending at `end` (where its `cent` ends).
    fn join(&mut self, per: usize, end: usize);
    /// Removes the tokens at `drop` (ascending, not empty).
    fn remove(&mut self, drop: &[usize]);
}

impl TokenSink for Vec<u64> {
    #[inline(always)]
    fn push(&mut self, h: u64, _: (usize, usize), _: Option<&str>) {
        Vec::push(self, h);
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn join(&mut self, per: usize, _: usize) {
        self[per] = PERCENT;
    }

    fn remove(&mut self, drop: &[usize]) {
        remove_sorted(self, drop);
    }
}

/// Hashes and spans, in step.
pub(super) struct WithSpans<'a> {
    pub(super) hashes: &'a mut Vec<u64>,
    pub(super) spans: &'a mut Vec<Span>,
}

impl TokenSink for WithSpans<'_> {
    #[inline(always)]
    fn push(&mut self, h: u64, (start, end): (usize, usize), _: Option<&str>) {
        self.hashes.push(h);
        self.spans.push(Span { start, end });
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn join(&mut self, per: usize, end: usize) {
        self.hashes[per] = PERCENT;
        self.spans[per].end = end;
    }

    fn remove(&mut self, drop: &[usize]) {
        remove_sorted(self.hashes, drop);
        remove_sorted(self.spans, drop);
    }
}

/// Whole tokens with their folded forms, as [`crate::tokenize::Tokens`] keeps them.
pub(in crate::tokenize) struct FoldedTokens<'a> {
    /// The tokens.
    pub(in crate::tokenize) tokens: &'a mut Vec<Token>,
    /// The text with its ASCII letters lowercased (a plain ASCII word's
    /// folded form is its own span of it), then the other folded forms.
    pub(in crate::tokenize) folded: &'a mut String,
    /// Where each token's folded form lies in `folded`.
    pub(in crate::tokenize) norms: &'a mut Vec<(u32, u32)>,
}

impl FoldedTokens<'_> {
    fn append(&mut self, norm: &str) -> (u32, u32) {
        let start = self.folded.len() as u32;
        self.folded.push_str(norm);
        (start, self.folded.len() as u32)
    }
}

impl TokenSink for FoldedTokens<'_> {
    #[inline(always)]
    fn push(&mut self, hash: u64, (start, end): (usize, usize), folded: Option<&str>) {
        self.tokens.push(Token {
            span: Span { start, end },
            hash,
        });
        let norm = match folded {
            None => (start as u32, end as u32),
            Some(f) => self.append(f),
        };
        self.norms.push(norm);
    }

    fn len(&self) -> usize {
        self.tokens.len()
    }

    fn join(&mut self, per: usize, end: usize) {
        self.tokens[per].hash = PERCENT;
        self.tokens[per].span.end = end;
        self.norms[per] = self.append("percent");
    }

    fn remove(&mut self, drop: &[usize]) {
        remove_sorted(self.tokens, drop);
        remove_sorted(self.norms, drop);
    }
}

/// Removes the items at the ascending positions `drop` (not empty).
fn remove_sorted<T: Copy>(v: &mut Vec<T>, drop: &[usize]) {
    let mut next = drop.iter().peekable();
    let mut kept = drop[0];
    for i in drop[0]..v.len() {
        if next.peek() == Some(&&i) {
            next.next();
            continue;
        }
        v[kept] = v[i];
        kept += 1;
    }
    v.truncate(kept);
}

#[cold]
#[inline(never)]
pub(super) fn note(
    index: usize,
    marks: &mut Vec<Mark>,
    (start, end): (usize, usize),
    len: usize,
    h: u64,
) {
    if (h == PER && len == 3) || (h == CENT && len == 4) {
        marks.push(Mark {
            index,
            start,
            end,
            per: h == PER,
        });
    }
}

/// A `per` or `cent` token: its index in the output and byte range.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    index: usize,
    start: usize,
    end: usize,
    per: bool,
}

/// The `per` + `cent` rule of [`crate::tokenize::for_each_token`] over the noted
/// tokens: a `per` directly followed by `cent` with only
/// whitespace between them becomes one `percent`.
pub(super) fn join_per_cent<S: TokenSink>(text: &str, json: bool, marks: &[Mark], out: &mut S) {
    let mut drop = Vec::new();
    for pair in marks.windows(2) {
        let (per, cent) = (pair[0], pair[1]);
        if per.per
            && !cent.per
            && cent.index == per.index + 1
            && gap_is_whitespace(&text[per.end..cent.start], json)
        {
            out.join(per.index, cent.end);
            drop.push(cent.index);
        }
    }
    if !drop.is_empty() {
        out.remove(&drop);
    }
}

/// True when `gap` is all whitespace; with `json`, the escapes `\n \r \t
/// \f` count as the whitespace they stand for.
fn gap_is_whitespace(gap: &str, json: bool) -> bool {
    if !json {
        return gap.chars().all(char::is_whitespace);
    }
    let mut chars = gap.chars();
    while let Some(c) = chars.next() {
        let white = if c == '\\' {
            matches!(chars.next(), Some('n' | 'r' | 't' | 'f'))
        } else {
            c.is_whitespace()
        };
        if !white {
            return false;
        }
    }
    true
}
