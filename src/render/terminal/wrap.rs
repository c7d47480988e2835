//! Marked text for the terminal views, cut into words and wrapped.
//!
//! A renderer pushes document text with a [`Mark`] (shared, only in A, only
//! in B, or one of our own styles) into [`Atoms`], which sanitizes every
//! character and splits the text into words on whitespace, keeping
//! paragraph breaks; [`add_brackets`] marks diff runs `[-…-]`/`{+…+}` when
//! colour is off; [`wrap`] fills lines of a display width.

use anstyle::Style;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::render::inline_diff::DiffMark;
use crate::render::sanitize;

/// What a piece of text is in the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// Shared wording, or plain document text.
    Same,
    /// Only in A: drawn as [`DiffMark::Del`].
    Del,
    /// Only in B: drawn as [`DiffMark::Ins`].
    Ins,
    /// Our own words (headings, notes), drawn in this style.
    Style(Style),
}

impl Mark {
    /// How the piece is drawn with colour on (plain for shared text).
    pub(super) fn style(self) -> Style {
        match self {
            Mark::Same => Style::new(),
            Mark::Del => DiffMark::Del.style(),
            Mark::Ins => DiffMark::Ins.style(),
            Mark::Style(style) => style,
        }
    }

    /// Opening and closing marks used when colour is off.
    fn brackets(self) -> Option<(&'static str, &'static str)> {
        match self {
            Mark::Del => Some(DiffMark::Del.brackets()),
            Mark::Ins => Some(DiffMark::Ins.brackets()),
            Mark::Same | Mark::Style(_) => None,
        }
    }
}

/// A run of characters with one mark, already sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Piece {
    pub(super) mark: Mark,
    pub(super) text: String,
}

/// The unit of wrapping: a word (possibly several marks, e.g. `said,` with
/// its comma) or a paragraph break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Atom {
    Word(Vec<Piece>),
    Break,
}

/// Builds atoms from a stream of marked text.
#[derive(Debug, Default)]
pub(super) struct Atoms {
    atoms: Vec<Atom>,
    word: Vec<Piece>,
    /// Line breaks seen since the last word; two or more make a paragraph.
    newlines: usize,
    prev_cr: bool,
}

impl Atoms {
    pub(super) fn push(&mut self, text: &str, mark: Mark) {
        for c in text.chars() {
            if c.is_whitespace() {
                self.end_word();
                self.newlines += match c {
                    '\n' if self.prev_cr => 0,
                    '\n' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' => 1,
                    '\u{2029}' => 2,
                    _ => 0,
                };
                self.prev_cr = c == '\r';
                continue;
            }
            self.prev_cr = false;
            if self.word.is_empty() {
                if self.newlines >= 2 && !self.atoms.is_empty() {
                    self.atoms.push(Atom::Break);
                }
                self.newlines = 0;
            }
            match self.word.last_mut() {
                Some(p) if p.mark == mark => push_char(&mut p.text, c),
                _ => {
                    let mut text = String::new();
                    push_char(&mut text, c);
                    self.word.push(Piece { mark, text });
                }
            }
        }
    }

    /// Ends the current word, as a space would.
    pub(super) fn sep(&mut self) {
        self.end_word();
    }

    fn end_word(&mut self) {
        if !self.word.is_empty() {
            self.atoms.push(Atom::Word(std::mem::take(&mut self.word)));
        }
    }

    pub(super) fn finish(mut self) -> Vec<Atom> {
        self.end_word();
        self.atoms
    }
}

fn push_char(out: &mut String, c: char) {
    if sanitize::is_unsafe(c) {
        sanitize::push_escaped(out, c);
    } else {
        out.push(c);
    }
}

/// Adds `[-…-]` / `{+…+}` around every run of one diff mark (colour off).
pub(super) fn add_brackets(atoms: &mut [Atom]) {
    let mut prev = Mark::Same;
    let mut last: Option<(usize, usize)> = None;
    for ai in 0..atoms.len() {
        let n = match &atoms[ai] {
            Atom::Word(pieces) => pieces.len(),
            Atom::Break => continue,
        };
        for pi in 0..n {
            let mark = piece_mut(atoms, (ai, pi)).mark;
            if mark != prev {
                if let (Some((_, close)), Some(at)) = (prev.brackets(), last) {
                    piece_mut(atoms, at).text.push_str(close);
                }
                if let Some((open, _)) = mark.brackets() {
                    piece_mut(atoms, (ai, pi)).text.insert_str(0, open);
                }
            }
            prev = mark;
            last = Some((ai, pi));
        }
    }
    if let (Some((_, close)), Some(at)) = (prev.brackets(), last) {
        piece_mut(atoms, at).text.push_str(close);
    }
}

fn piece_mut(atoms: &mut [Atom], (ai, pi): (usize, usize)) -> &mut Piece {
    match &mut atoms[ai] {
        Atom::Word(pieces) => &mut pieces[pi],
        Atom::Break => unreachable!("positions are recorded for words only"),
    }
}

pub(super) type Line = Vec<Piece>;

pub(super) fn line_width(line: &[Piece]) -> usize {
    line.iter().map(|p| p.text.width()).sum()
}

/// Appends text to a line, joining it to the last piece when marked alike.
fn push_piece(line: &mut Line, mark: Mark, text: &str) {
    match line.last_mut() {
        Some(p) if p.mark == mark => p.text.push_str(text),
        _ => line.push(Piece {
            mark,
            text: text.to_string(),
        }),
    }
}

/// Greedy word wrap to `width` display columns. A word wider than a line
/// is cut at character boundaries; a paragraph break starts a new line.
pub(super) fn wrap(atoms: &[Atom], width: usize) -> Vec<Line> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line: Line = Vec::new();
    let mut used = 0;
    for atom in atoms {
        let pieces = match atom {
            Atom::Break => {
                lines.push(std::mem::take(&mut line));
                used = 0;
                continue;
            }
            Atom::Word(pieces) => pieces,
        };
        let w = line_width(pieces);
        if used > 0 && used + 1 + w <= width {
            // The space takes the mark of a run it sits inside, so a
            // coloured run is one escape sequence, not one per word.
            let before = line.last().map(|p| p.mark);
            let after = pieces.first().map(|p| p.mark);
            let mark = if before == after {
                before.unwrap_or(Mark::Same)
            } else {
                Mark::Same
            };
            push_piece(&mut line, mark, " ");
            for p in pieces {
                push_piece(&mut line, p.mark, &p.text);
            }
            used += 1 + w;
        } else if w <= width {
            if used > 0 {
                lines.push(std::mem::take(&mut line));
            }
            for p in pieces {
                push_piece(&mut line, p.mark, &p.text);
            }
            used = w;
        } else {
            // Too long for any line: fill lines character by character.
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            for p in pieces {
                let mut chunk = String::new();
                for c in p.text.chars() {
                    let cw = c.width().unwrap_or(0);
                    if used + cw > width && used > 0 {
                        if !chunk.is_empty() {
                            line.push(Piece {
                                mark: p.mark,
                                text: std::mem::take(&mut chunk),
                            });
                        }
                        lines.push(std::mem::take(&mut line));
                        used = 0;
                    }
                    chunk.push(c);
                    used += cw;
                }
                if !chunk.is_empty() {
                    line.push(Piece {
                        mark: p.mark,
                        text: chunk,
                    });
                }
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The words of `atoms` on one line (paragraph breaks as newlines).
    pub(in crate::render::terminal) fn text(atoms: &[Atom]) -> String {
        wrap(atoms, 10_000)
            .iter()
            .map(|l| l.iter().map(|p| p.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn paragraph_breaks_survive_and_single_newlines_do_not() {
        let mut b = Atoms::default();
        b.push("one\ntwo\r\n\r\nthree\n\n\nfour", Mark::Same);
        assert_eq!(text(&b.finish()), "one two\nthree\nfour");
    }

    #[test]
    fn wrap_respects_display_width() {
        let mut b = Atoms::default();
        b.push("東京 東京東京 abc defgh 東京東京東京東京東京", Mark::Same);
        let lines = wrap(&b.finish(), 8);
        for l in &lines {
            assert!(line_width(l) <= 8, "{l:?}");
        }
        let joined: String = lines
            .iter()
            .flat_map(|l| l.iter().map(|p| p.text.clone()))
            .collect();
        assert_eq!(
            joined.replace(' ', ""),
            "東京東京東京abcdefgh東京東京東京東京東京"
        );
    }
}
