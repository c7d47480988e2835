//! Terminal renderers: `text` (passages with an inline word diff) and
//! `side-by-side` (the two wordings in two columns).
//!
//! Both take a [`Pair`] and resolved [`TerminalOptions`] (colour on or off,
//! width) and write to any `Write`; neither looks at the terminal itself.
//! Document text is split into words on whitespace, every word goes through
//! [`sanitize::escape`], and lines are wrapped by display width (wide CJK
//! characters count two columns, combining marks none). With colour off the
//! diff is marked `[-only in A-]{+only in B+}` (wdiff style), so the output
//! reads the same in a pipe, a file or a mail.
//!
//! This file holds the options, the header counts and the shortening of long
//! unique runs that both views share; `text.rs` ([`write_text`]) and
//! `side_by_side.rs` ([`write_side_by_side`]) are the two views, `wrap.rs`
//! turns marked text into words and wrapped lines, and `paint.rs` writes
//! lines and headings with or without colour.
//!
//! [`sanitize::escape`]: super::sanitize::escape

mod paint;
mod side_by_side;
mod text;
mod wrap;

pub use side_by_side::write_side_by_side;
pub use text::write_text;

use super::{slice, Pair, PassageCounts};
use crate::diff::DiffTag;
use crate::span::Span;
use wrap::{Atom, Atoms, Mark, Piece};

/// How to draw for a terminal, resolved by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Write ANSI colour. When off, diff marks are `[-…-]` and `{+…+}`.
    pub color: bool,
    /// Columns available: `text` wraps to it, `side-by-side` splits it in two.
    /// Values below [`MIN_WIDTH`] are raised to it.
    pub width: usize,
}

impl Default for TerminalOptions {
    fn default() -> TerminalOptions {
        TerminalOptions {
            color: false,
            width: DEFAULT_WIDTH,
        }
    }
}

/// Width used when the output is not a terminal: fits a maximised editor or
/// a code review pane, and two 48-column halves still hold a sentence line.
pub const DEFAULT_WIDTH: usize = 100;

/// Narrowest layout drawn: below it side-by-side columns hold two or three
/// words a line and stop being readable.
pub const MIN_WIDTH: usize = 40;

/// Runs of unique material up to this many words are shown whole; a typical
/// news paragraph is 30 to 60 words, so one paragraph is never cut.
const UNIQUE_FULL_WORDS: usize = 60;
/// Words shown from the start of a longer unique run.
const UNIQUE_HEAD_WORDS: usize = 30;
/// Words shown from the end of a longer unique run.
const UNIQUE_TAIL_WORDS: usize = 12;

use super::style::{BOLD, DIM};

/// Counts shown in the header.
struct Summary {
    words_a: usize,
    words_b: usize,
    passages: PassageCounts,
    has_diff: bool,
}

impl Summary {
    fn new(pair: &Pair) -> Summary {
        let ps = &pair.comparison.passages;
        Summary {
            words_a: pair.tokens_a.len(),
            words_b: pair.tokens_b.len(),
            passages: PassageCounts::new(pair.comparison),
            has_diff: ps
                .iter()
                .any(|p| p.ops.iter().any(|o| o.tag != DiffTag::Equal)),
        }
    }
}

/// [`crate::render::count::plural`] of a `usize`.
fn plural(n: usize) -> &'static str {
    crate::render::count::plural(n as u64)
}

fn percent(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).clamp(0.0, 100.0))
}

/// A run of unique material, its middle left out when it is long.
fn unique_atoms(text: &str, span: Span) -> Vec<Atom> {
    let mut b = Atoms::default();
    b.push(slice(text, span), Mark::Same);
    let atoms = b.finish();
    let words = atoms.iter().filter(|a| matches!(a, Atom::Word(_))).count();
    if words <= UNIQUE_FULL_WORDS {
        return atoms;
    }
    let omitted = words - UNIQUE_HEAD_WORDS - UNIQUE_TAIL_WORDS;
    let word_at: Vec<usize> = atoms
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(a, Atom::Word(_)))
        .map(|(i, _)| i)
        .collect();
    // Paragraph breaks inside the head and tail stay; those next to the
    // omission go with it.
    let head_end = word_at[UNIQUE_HEAD_WORDS - 1] + 1;
    let tail_start = word_at[words - UNIQUE_TAIL_WORDS];
    let mut out = atoms[..head_end].to_vec();
    out.push(Atom::Word(vec![Piece {
        mark: Mark::Style(DIM),
        text: format!("[… {omitted} more words …]"),
    }]));
    out.extend_from_slice(&atoms[tail_start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wrap::tests::text;

    /// What a renderer writes into a buffer, as a string.
    pub(super) fn render(f: impl Fn(&mut Vec<u8>) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn long_unique_runs_are_abbreviated_with_a_count() {
        let words: Vec<String> = (1..=100).map(|i| format!("w{i}")).collect();
        let text_in = words.join(" ");
        let t = text(&unique_atoms(&text_in, Span::new(0, text_in.len())));
        assert!(t.starts_with("w1 w2 "), "{t}");
        assert!(t.contains("w30 [… 58 more words …] w89"), "{t}");
        assert!(t.ends_with("w100"), "{t}");
        let short = "just a few words";
        assert_eq!(text(&unique_atoms(short, Span::new(0, short.len()))), short);
    }
}
