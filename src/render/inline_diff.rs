//! Word diffs shown inline, for a terminal: the other wording written out
//! with the words only A has marked as deleted and the words only B has
//! marked as inserted.
//!
//! [`DiffMark`] is the one definition of how the marks look: red and green
//! with colour, `[-…-]` and `{+…+}` (wdiff style) without. [`inline_diff`]
//! walks the ops of [`crate::diff::word_diff`] over B's wording and draws
//! them with those marks, every piece of document text made safe by
//! [`sanitize`]; `report --format text` writes its variants with it.
//! `compare --format text` shows A's wording instead and wraps it to a
//! width, so it walks the ops itself (`terminal::text`), with the same marks.
//! Nothing here looks at the terminal: the caller resolves colour.

use crate::diff::{DiffOp, DiffTag};
use crate::span::Span;

use super::sanitize;
use super::style::{self, paint};

/// A run of words only one side has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffMark {
    /// Only in A (deleted): red, or `[-…-]`.
    Del,
    /// Only in B (inserted): green, or `{+…+}`.
    Ins,
}

impl DiffMark {
    /// The style that colours the run.
    pub fn style(self) -> anstyle::Style {
        match self {
            DiffMark::Del => style::DELETED,
            DiffMark::Ins => style::INSERTED,
        }
    }

    /// The marks around the run when colour is off.
    pub fn brackets(self) -> (&'static str, &'static str) {
        match self {
            DiffMark::Del => ("[-", "-]"),
            DiffMark::Ins => ("{+", "+}"),
        }
    }

    /// Appends `text` (already safe for a terminal) marked: coloured and
    /// reset after it when `color`, else between the brackets.
    pub fn push(self, out: &mut String, text: &str, color: bool) {
        if color {
            use std::fmt::Write as _;
            write!(out, "{}", paint(self.style(), text)).expect("writing to a String cannot fail");
        } else {
            let (open, close) = self.brackets();
            out.push_str(open);
            out.push_str(text);
            out.push_str(close);
        }
    }
}

/// What becomes of the document's whitespace in an inline diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Everything on one line: each run of whitespace is one space
    /// ([`sanitize::escape_one_line`]).
    OneLine,
    /// Line breaks and tabs kept, so a whole document reads in paragraphs
    /// ([`sanitize::escape_keeping_breaks`]).
    KeepBreaks,
}

impl Layout {
    /// `text` made safe for the terminal in this layout.
    fn clean(self, text: &str) -> String {
        match self {
            Layout::OneLine => sanitize::escape_one_line(text),
            Layout::KeepBreaks => sanitize::escape_keeping_breaks(text).into_owned(),
        }
    }

    /// The text between two runs of the diff: in one line, a leading or
    /// trailing space is kept, so the runs on either side stay apart.
    fn gap(self, text: &str) -> String {
        let core = self.clean(text);
        if self == Layout::KeepBreaks {
            return core;
        }
        let lead = text.starts_with(char::is_whitespace);
        let trail = text.ends_with(char::is_whitespace) && !core.is_empty();
        format!(
            "{}{core}{}",
            if lead { " " } else { "" },
            if trail { " " } else { "" }
        )
    }
}

/// B's wording of `within` (a span of `b`) with the word diff `ops` from A
/// inline: A's words that B lacks marked [`DiffMark::Del`] where B drops
/// them, B's own words marked [`DiffMark::Ins`], a replacement as the
/// deletion then the insertion, and a space between two runs B writes
/// together. Text of `within` outside every op is written as it is.
///
/// ```
/// use copydesk::diff::word_diff;
/// use copydesk::render::inline_diff::{inline_diff, Layout};
/// use copydesk::{Span, Tokens};
/// let (old, new) = ("About 3,000 operations", "Almost 3,000 operations");
/// let (ta, tb) = (Tokens::new(old), Tokens::new(new));
/// let ops = word_diff(&ta, 0..ta.len(), &tb, 0..tb.len());
/// let whole = Span::new(0, new.len());
/// assert_eq!(
///     inline_diff(old, new, &ops, whole, false, Layout::OneLine),
///     "[-About-]{+Almost+} 3,000 operations"
/// );
/// ```
pub fn inline_diff(
    a: &str,
    b: &str,
    ops: &[DiffOp],
    within: Span,
    color: bool,
    layout: Layout,
) -> String {
    let mut s = String::new();
    let mut prev_b = within.start;
    for op in ops {
        if op.b.start > prev_b {
            s.push_str(&layout.gap(&b[prev_b..op.b.start]));
        } else if !s.is_empty() && !s.ends_with(char::is_whitespace) {
            s.push(' ');
        }
        let (del, ins) = (DiffMark::Del, DiffMark::Ins);
        match op.tag {
            DiffTag::Equal => s.push_str(&layout.clean(op.b.slice(b))),
            DiffTag::Delete => del.push(&mut s, &layout.clean(op.a.slice(a)), color),
            DiffTag::Insert => ins.push(&mut s, &layout.clean(op.b.slice(b)), color),
            DiffTag::Replace => {
                del.push(&mut s, &layout.clean(op.a.slice(a)), color);
                ins.push(&mut s, &layout.clean(op.b.slice(b)), color);
            }
        }
        prev_b = prev_b.max(op.b.end);
    }
    if prev_b < within.end {
        s.push_str(&layout.gap(&b[prev_b..within.end]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::word_diff;
    use crate::tokenize::Tokens;

    fn diff(old: &str, new: &str, color: bool, layout: Layout) -> String {
        let (ta, tb) = (Tokens::new(old), Tokens::new(new));
        let ops = word_diff(&ta, 0..ta.len(), &tb, 0..tb.len());
        inline_diff(old, new, &ops, Span::new(0, new.len()), color, layout)
    }

    #[test]
    fn marks_deletions_insertions_and_replacements() {
        let (old, new) = (
            "About 3,000 operations were cancelled today.",
            "LONDON - Almost 3,000 operations were cancelled.",
        );
        assert_eq!(
            diff(old, new, false, Layout::OneLine),
            "[-About-]{+LONDON - Almost+} 3,000 operations were cancelled [-today-]."
        );
        assert_eq!(
            diff(old, new, true, Layout::OneLine),
            "\x1b[31mAbout\x1b[0m\x1b[32mLONDON - Almost\x1b[0m 3,000 operations were \
             cancelled \x1b[31mtoday\x1b[0m."
        );
    }

    #[test]
    fn a_deletion_between_words_b_writes_together_stands_apart() {
        assert_eq!(
            diff("one two three", "one three", false, Layout::OneLine),
            "one [-two-] three"
        );
    }

    #[test]
    fn layouts_fold_or_keep_line_breaks() {
        let (old, new) = (
            "First line.\n\nSecond  line.",
            "First line.\n\nSecond\tpart.",
        );
        assert_eq!(
            diff(old, new, false, Layout::OneLine),
            "First line. Second [-line-]{+part+}."
        );
        assert_eq!(
            diff(old, new, false, Layout::KeepBreaks),
            "First line.\n\nSecond\t[-line-]{+part+}."
        );
    }

    #[test]
    fn document_text_cannot_drive_the_terminal() {
        for layout in [Layout::OneLine, Layout::KeepBreaks] {
            // The bidi controls sit inside a deleted and an inserted run.
            let out = diff(
                "a \x1b[2J b c\u{202e}c d",
                "a \x1b[2J b e\u{2066}e d",
                true,
                layout,
            );
            assert!(!out.contains("\x1b[2J"), "{out:?}");
            assert!(!out.contains(['\u{202e}', '\u{2066}']), "{out:?}");
            assert!(
                out.contains("\\u{202e}") && out.contains("\\u{2066}"),
                "{out:?}"
            );
        }
    }
}
