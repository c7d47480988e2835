//! One analysis of each document, the same for every command.
//!
//! [`Analysis::new`] reads a text once: its word hashes (the one tokenizer,
//! [`TokenHasher`]), the hash of its normalised text, its word shingles by
//! position ([`Shingles`]), its *segments* (runs of words between sentence
//! ends, `|`, `:` and `;`: a navigation item, a footer sentence, a headline)
//! and its *furniture*: the words the document itself shows are not
//! article text ([`crate::boilerplate::page_furniture`]: the shape of the
//! text, runs repeated inside the page, link boxes). None of it depends on
//! line breaks: a page and the same page flattened to one line have the
//! same analysis but for byte offsets.
//!
//! What other documents teach (segments a source or the corpus repeats,
//! [`crate::boilerplate::BoilerplateModel`]) comes on top: the *body* of a
//! document under a model is its shingles that touch neither furniture nor
//! a recurring segment. Every command judges bodies ([`crate::judge`]).

use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64;

use crate::boilerplate::{page_furniture, BoilerplateLookup, BoilerplateReason};
use crate::shingle::{ShingleSet, Shingles};
use crate::span::Span;
use crate::tokenize::TokenHasher;

/// The word-level analysis of one text.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Hash of the normalised text (every word, folded).
    pub exact: u64,
    /// Shingle hash at each token position (one for a text shorter than
    /// the shingle size, none for a text without words).
    pub shingles: Vec<u64>,
    /// Number of tokens.
    pub tokens: usize,
    /// First token of each segment.
    pub seg_start: Vec<u32>,
    /// Hash of each segment's words.
    pub segs: Vec<u64>,
    /// Token ranges of the document's own furniture, sorted and disjoint,
    /// with what found each.
    pub furniture: Vec<(Range<u32>, BoilerplateReason)>,
}

/// Bytes that end a segment when found between two words. Line breaks do
/// not: a flattened page must have the same segments.
fn is_break(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?' | b'|' | b':' | b';')
}

fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(23) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn finish(h: u64) -> u64 {
    xxh3_64(&h.to_le_bytes())
}

thread_local! {
    /// Each thread's tokenizer buffers.
    static HASHER: std::cell::RefCell<(TokenHasher, Vec<u64>, Vec<Span>)> =
        std::cell::RefCell::default();
}

/// The [`Analysis::exact`] hash of `text` alone, without the rest of the
/// analysis: what `copydesk index check` compares a stored text with.
pub fn exact_hash(text: &str) -> u64 {
    HASHER.with_borrow_mut(|(hasher, hashes, spans)| {
        hashes.clear();
        spans.clear();
        hasher.hash_tokens_spans(text, hashes, spans);
        let exact = hashes.iter().fold(0, |h, &x| mix(h, x));
        finish(exact ^ hashes.len() as u64)
    })
}

impl Analysis {
    /// The analysis of `text` with shingles of `k` words.
    pub fn new(text: &str, k: usize) -> Analysis {
        HASHER.with_borrow_mut(|(hasher, hashes, spans)| {
            hashes.clear();
            spans.clear();
            hasher.hash_tokens_spans(text, hashes, spans);
            Analysis::of_tokens(text, hashes, spans, k)
        })
    }

    /// [`Analysis::new`] without furniture: every word counts (for
    /// `--no-boilerplate`).
    pub fn without_furniture(text: &str, k: usize) -> Analysis {
        let mut a = Analysis::new(text, k);
        a.furniture.clear();
        a
    }

    /// The analysis of `text` from its token hashes and spans.
    pub fn of_tokens(text: &str, hashes: &[u64], spans: &[Span], k: usize) -> Analysis {
        let bytes = text.as_bytes();
        let (mut segs, mut seg_start) = (Vec::new(), Vec::new());
        let (mut seg, mut exact) = (0u64, 0u64);
        if let (Some(&h), Some(first)) = (hashes.first(), spans.first()) {
            seg_start.push(0);
            seg = mix(seg, h);
            exact = mix(exact, h);
            let mut prev_end = first.end;
            // Token `t + 1` follows token `t`.
            for (t, (&h, span)) in hashes[1..].iter().zip(&spans[1..]).enumerate() {
                if bytes[prev_end..span.start].iter().any(|&b| is_break(b)) {
                    segs.push(finish(seg));
                    seg_start.push((t + 1) as u32);
                    seg = 0;
                }
                seg = mix(seg, h);
                exact = mix(exact, h);
                prev_end = span.end;
            }
            segs.push(finish(seg));
        }
        let shingles = Shingles::new(hashes, k).into_vec();
        let furniture = page_furniture(text, spans, hashes, &seg_start)
            .into_iter()
            .map(|(r, why)| (r.start as u32..r.end as u32, why))
            .collect();
        Analysis {
            exact: finish(exact ^ hashes.len() as u64),
            shingles,
            tokens: hashes.len(),
            seg_start,
            segs,
            furniture,
        }
    }

    /// The hashes of the segments of at least `min_words` words (what the
    /// corpus-wide boilerplate counts).
    pub fn long_segments(&self, min_words: u32) -> Vec<u64> {
        (0..self.segs.len())
            .filter(|&s| self.segment(s).len() >= min_words as usize)
            .map(|s| self.segs[s])
            .collect()
    }

    /// Token range of segment `seg`.
    pub fn segment(&self, seg: usize) -> Range<usize> {
        let start = self.seg_start[seg] as usize;
        let end = self
            .seg_start
            .get(seg + 1)
            .map_or(self.tokens, |&t| t as usize);
        start..end
    }

    /// For each segment, true when it is boilerplate of `source` in
    /// `model`; empty when no segment is.
    pub fn bad_segments(&self, model: &impl BoilerplateLookup, source: Option<&str>) -> Vec<bool> {
        model.boilerplate_flags(source, &self.segs)
    }

    /// Token ranges left out of the body under the boilerplate segments
    /// `bad` (see [`Analysis::bad_segments`]): the furniture and those
    /// segments, sorted, merged where they touch.
    pub fn excluded(&self, bad: &[bool]) -> Vec<Range<usize>> {
        let furniture = self
            .furniture
            .iter()
            .map(|(r, _)| r.start as usize..r.end as usize);
        let learned = bad
            .iter()
            .enumerate()
            .filter(|(_, &b)| b)
            .map(|(seg, _)| self.segment(seg));
        let mut all: Vec<Range<usize>> = furniture.chain(learned).collect();
        all.sort_unstable_by_key(|r| r.start);
        let mut out: Vec<Range<usize>> = Vec::with_capacity(all.len());
        for r in all {
            match out.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => out.push(r),
            }
        }
        out
    }

    /// Per token, true when it is in the body under the boilerplate
    /// segments `bad`.
    pub fn body_mask(&self, bad: &[bool]) -> Vec<bool> {
        let mut keep = vec![true; self.tokens];
        for r in self.excluded(bad) {
            keep[r].iter_mut().for_each(|k| *k = false);
        }
        keep
    }

    /// The shingles, in text order, that touch no excluded token under the
    /// boilerplate segments `bad` (see [`Analysis::excluded`]).
    pub fn content_of(&self, bad: &[bool], k: usize) -> Vec<u64> {
        if self.furniture.is_empty() && !bad.contains(&true) {
            return self.shingles.clone();
        }
        let mut out = Vec::with_capacity(self.shingles.len());
        self.content_into(bad, k, &mut out);
        out
    }

    /// [`Analysis::content_of`] appended to `out`: the shingles between
    /// those that touch an excluded token, copied a run at a time (looking
    /// at each token was a twentieth of the filter's instructions).
    pub fn content_into(&self, bad: &[bool], k: usize, out: &mut Vec<u64>) {
        let width = k.min(self.tokens);
        let n = self.shingles.len();
        // Shingles before `from` are copied or left out.
        let mut from = 0;
        for r in self.excluded(bad) {
            // Shingle `i` covers tokens `i..i + width`: it touches the
            // range when `start + 1 - width <= i < end`.
            let first = (r.start + 1).saturating_sub(width).min(n);
            if first > from {
                out.extend_from_slice(&self.shingles[from..first]);
            }
            from = from.max(r.end.min(n));
        }
        out.extend_from_slice(&self.shingles[from..]);
    }

    /// The content shingles for boilerplate segments `bad` passed to `f`,
    /// in a buffer of the thread's own: signing needs them only for a
    /// moment, and a fresh vector for every document was fresh memory to
    /// fault in.
    pub fn with_content<R>(&self, bad: &[bool], k: usize, f: impl FnOnce(&[u64]) -> R) -> R {
        if self.furniture.is_empty() && !bad.contains(&true) {
            return f(&self.shingles);
        }
        thread_local! {
            static CONTENT: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        CONTENT.with_borrow_mut(|out| {
            out.clear();
            self.content_into(bad, k, out);
            f(out)
        })
    }

    /// The content shingles under `model`.
    pub fn content(
        &self,
        model: &impl BoilerplateLookup,
        source: Option<&str>,
        k: usize,
    ) -> Vec<u64> {
        self.content_of(&self.bad_segments(model, source), k)
    }

    /// The body under `model`: the set of its content shingles.
    pub fn body(
        &self,
        model: &impl BoilerplateLookup,
        source: Option<&str>,
        k: usize,
    ) -> ShingleSet {
        ShingleSet::from_hashes(self.content(model, source, k))
    }

    /// The set of all the text's shingles, furniture and all.
    pub fn full_set(&self) -> ShingleSet {
        ShingleSet::from_hashes(self.shingles.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The content shingles the way they were first made: a shingle is
    /// content when none of its tokens lies in an excluded range.
    fn content_by_token(a: &Analysis, bad: &[bool], k: usize) -> Vec<u64> {
        let width = k.min(a.tokens);
        let keep = a.body_mask(bad);
        a.shingles
            .iter()
            .enumerate()
            .filter(|&(i, _)| (i..i + width).all(|t| keep[t]))
            .map(|(_, &h)| h)
            .collect()
    }

    proptest! {
        #[test]
        fn content_runs_agree_with_a_token_by_token_reading(
            words in prop::collection::vec((0u8..6, 0u8..4), 0..60),
            flags in prop::collection::vec(any::<bool>(), 60),
            k in 1usize..7,
        ) {
            // Words of a few letters and a few capitalised menu items
            // between bars (furniture); 0 ends a sentence after the word.
            let text: String = words
                .iter()
                .map(|&(w, sep)| match sep {
                    0 => format!("w{w}. "),
                    1 => format!("Menu{w} | "),
                    _ => format!("w{w} the "),
                })
                .collect();
            let a = Analysis::new(&text, k);
            prop_assert_eq!(a.seg_start.len(), a.segs.len());
            let bad = &flags[..a.segs.len()];
            let want = content_by_token(&a, bad, k);
            prop_assert_eq!(a.content_of(bad, k), want.clone());
            prop_assert_eq!(a.with_content(bad, k, <[u64]>::to_vec), want);
        }

        #[test]
        fn flattening_lines_changes_nothing_but_offsets(
            words in prop::collection::vec((0u8..8, 0u8..6), 0..80),
        ) {
            let seps = [". ", "\n", "\n\n", " | ", ", ", " "];
            let names = ["Home", "News", "the", "said", "doctors", "strike", "3,000", "Comments"];
            let text: String = words
                .iter()
                .map(|&(w, s)| format!("{}{}", names[w as usize], seps[s as usize]))
                .collect();
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let (a, b) = (Analysis::new(&text, 3), Analysis::new(&flat, 3));
            prop_assert_eq!(a.exact, b.exact);
            prop_assert_eq!(&a.shingles, &b.shingles);
            prop_assert_eq!(&a.segs, &b.segs);
            prop_assert_eq!(&a.furniture, &b.furniture);
        }
    }

    #[test]
    fn exact_hash_is_the_analysis_exact_hash() {
        for text in [
            "",
            "One",
            "One two. Three | four\nfive: six",
            "3,000 per cent — “quoted”",
        ] {
            assert_eq!(exact_hash(text), Analysis::new(text, 3).exact, "{text:?}");
        }
        assert_ne!(exact_hash("one two"), exact_hash("one three"));
    }

    #[test]
    fn segments_end_at_sentence_ends_and_bars_not_at_line_breaks() {
        let a = Analysis::new("One two. Three | four\nfive: six", 3);
        assert_eq!(a.seg_start, [0, 2, 3, 5]);
        assert_eq!(a.segment(1), 2..3);
        assert_eq!(a.segment(3), 5..6);
    }
}
