//! Writing wrapped lines and headings to the terminal, with or without
//! colour.

use std::io::{self, Write};

use anstyle::Style;

use super::wrap::{line_width, wrap, Atoms, Mark, Piece};
use super::{BOLD, DIM};
use crate::align::{Passage, PassageKind};
use crate::render::style;

/// Writes text in a style when colour is on, resetting after it.
pub(super) struct Painter {
    pub(super) color: bool,
}

impl Painter {
    pub(super) fn paint(&self, out: &mut impl Write, style: Style, text: &str) -> io::Result<()> {
        if self.color {
            write!(out, "{}", style::paint(style, text))
        } else {
            out.write_all(text.as_bytes())
        }
    }

    pub(super) fn pieces(&self, out: &mut impl Write, line: &[Piece]) -> io::Result<()> {
        for p in line {
            self.paint(out, p.mark.style(), &p.text)?;
        }
        Ok(())
    }

    /// Writes a heading: its parts wrapped to `width`, the last line
    /// filled with a rule when `rule` is set.
    pub(super) fn heading(
        &self,
        out: &mut impl Write,
        parts: &[(Mark, &str)],
        width: usize,
        rule: bool,
    ) -> io::Result<()> {
        let mut atoms = Atoms::default();
        for (mark, text) in parts {
            atoms.push(text, *mark);
            atoms.sep();
        }
        for line in wrap(&atoms.finish(), width) {
            self.pieces(out, &line)?;
            let fill = width.saturating_sub(line_width(&line) + 1);
            if rule && fill >= 2 {
                self.paint(out, DIM, &format!(" {}", "─".repeat(fill)))?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// A passage's heading: its number (bold), its kind (coloured, see
    /// [`kind_label`]) and `details` (dim), one layout's wording.
    pub(super) fn passage_heading(
        &self,
        out: &mut impl Write,
        number: &str,
        p: &Passage,
        details: &str,
        width: usize,
        rule: bool,
    ) -> io::Result<()> {
        let (kind_mark, kind) = kind_label(p.kind, p.moved);
        self.heading(
            out,
            &[
                (Mark::Style(BOLD), number),
                (kind_mark, &kind),
                (Mark::Style(DIM), details),
            ],
            width,
            rule,
        )
    }
}

/// The bold, coloured label of a passage's kind ("edited, moved").
fn kind_label(kind: PassageKind, moved: bool) -> (Mark, String) {
    let label = if moved {
        format!("{}, moved", kind.as_str())
    } else {
        kind.as_str().to_string()
    };
    (Mark::Style(style::kind(kind)), label)
}
