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

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{sanitize, slice, words_in, LineIndex, Pair, PassageCounts};
use crate::align::{Passage, PassageKind};
use crate::compare::SharedPassage;
use crate::diff::DiffTag;
use crate::span::Span;

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

/// Indentation of passage text under its heading in `text`.
const INDENT: &str = "    ";

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";

/// What a piece of text is in the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Shared wording, or plain document text.
    Same,
    /// Only in A.
    Del,
    /// Only in B.
    Ins,
    /// Our own words (headings, notes), drawn with this SGR style.
    Style(&'static str),
}

impl Mark {
    fn sgr(self) -> Option<&'static str> {
        match self {
            Mark::Same => None,
            Mark::Del => Some(RED),
            Mark::Ins => Some(GREEN),
            Mark::Style(sgr) => Some(sgr),
        }
    }

    /// Opening and closing marks used when colour is off.
    fn brackets(self) -> Option<(&'static str, &'static str)> {
        match self {
            Mark::Del => Some(("[-", "-]")),
            Mark::Ins => Some(("{+", "+}")),
            Mark::Same | Mark::Style(_) => None,
        }
    }
}

/// A run of characters with one mark, already sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    mark: Mark,
    text: String,
}

/// The unit of wrapping: a word (possibly several marks, e.g. `said,` with
/// its comma) or a paragraph break.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Word(Vec<Piece>),
    Break,
}

/// Builds atoms from a stream of marked text.
#[derive(Debug, Default)]
struct Atoms {
    atoms: Vec<Atom>,
    word: Vec<Piece>,
    /// Line breaks seen since the last word; two or more make a paragraph.
    newlines: usize,
    prev_cr: bool,
}

impl Atoms {
    fn push(&mut self, text: &str, mark: Mark) {
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
    fn sep(&mut self) {
        self.end_word();
    }

    fn end_word(&mut self) {
        if !self.word.is_empty() {
            self.atoms.push(Atom::Word(std::mem::take(&mut self.word)));
        }
    }

    fn finish(mut self) -> Vec<Atom> {
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
fn add_brackets(atoms: &mut [Atom]) {
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

type Line = Vec<Piece>;

fn line_width(line: &[Piece]) -> usize {
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
fn wrap(atoms: &[Atom], width: usize) -> Vec<Line> {
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

/// Writes text with an optional SGR style, resetting after it.
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, out: &mut impl Write, sgr: &str, text: &str) -> io::Result<()> {
        if self.color && !sgr.is_empty() {
            write!(out, "{sgr}{text}{RESET}")
        } else {
            out.write_all(text.as_bytes())
        }
    }

    fn pieces(&self, out: &mut impl Write, line: &[Piece]) -> io::Result<()> {
        for p in line {
            self.paint(out, p.mark.sgr().unwrap_or(""), &p.text)?;
        }
        Ok(())
    }

    /// Writes a heading: its parts wrapped to `width`, the last line
    /// filled with a rule when `rule` is set.
    fn heading(
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
    fn passage_heading(
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
    let sgr = match kind {
        PassageKind::Verbatim => "\x1b[1;36m",
        PassageKind::Edited => "\x1b[1;33m",
        PassageKind::Paraphrase => "\x1b[1;35m",
    };
    let label = if moved {
        format!("{}, moved", kind.as_str())
    } else {
        kind.as_str().to_string()
    };
    (Mark::Style(sgr), label)
}

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

/// [`super::count::plural`] of a `usize`.
fn plural(n: usize) -> &'static str {
    super::count::plural(n as u64)
}

fn percent(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).clamp(0.0, 100.0))
}

/// Writes the `text` view: header, passages with inline word diff, unique
/// material of each side.
///
/// ```
/// use copydesk::render::{terminal, Pair};
/// use copydesk::compare::Text;
/// use copydesk::{compare_texts, Document, Params};
/// let a = Document::from_text("a.txt", "Almost 3,000 operations were cancelled across England on Wednesday.");
/// let b = Document::from_text("b.txt", "About 3000 operations were cancelled across England on Wednesday.");
/// let p = Params::default();
/// let (xa, xb) = (Text::new(&a.text, &p), Text::new(&b.text, &p));
/// let c = compare_texts(&xa, &xb, &p);
/// let (ta, tb) = (xa.tokens, xb.tokens);
/// let mut out = Vec::new();
/// terminal::write_text(&mut out, &Pair::new(&a, &b, &ta, &tb, &c), &Default::default()).unwrap();
/// let out = String::from_utf8(out).unwrap();
/// assert!(out.contains("operations were cancelled across England"));
/// ```
pub fn write_text(out: &mut impl Write, pair: &Pair, opts: &TerminalOptions) -> io::Result<()> {
    let width = opts.width.max(MIN_WIDTH);
    let paint = Painter { color: opts.color };
    let c = pair.comparison;
    let sum = Summary::new(pair);
    let (ix_a, ix_b) = (LineIndex::new(&pair.a.text), LineIndex::new(&pair.b.text));

    let label = |out: &mut _, l: &str| paint.paint(out, DIM, &format!("{l:<12}"));
    for (side, doc, words) in [("A", pair.a, sum.words_a), ("B", pair.b, sum.words_b)] {
        paint.paint(out, BOLD, side)?;
        writeln!(
            out,
            "{}{} · {words} word{}",
            " ".repeat(12 - side.len()),
            sanitize::escape(&doc.id),
            plural(words)
        )?;
    }
    label(out, "verdict")?;
    paint.paint(out, BOLD, c.verdict.as_str())?;
    writeln!(out)?;
    label(out, "similarity")?;
    let s = &c.similarity;
    writeln!(
        out,
        "Jaccard {:.3} · containment A in B {:.3}, B in A {:.3} · {}-word shingles",
        s.jaccard, s.containment_a, s.containment_b, s.shingle_size
    )?;
    label(out, "shared")?;
    writeln!(out, "{}", sum.passages)?;
    if !c.passages.is_empty() {
        label(out, "coverage")?;
        writeln!(
            out,
            "{} of A's words, {} of B's words",
            percent(c.coverage_a),
            percent(c.coverage_b)
        )?;
    }
    if sum.has_diff {
        label(out, "diff")?;
        if opts.color {
            paint.paint(out, RED, "only in A")?;
            write!(out, "  ")?;
            paint.paint(out, GREEN, "only in B")?;
            writeln!(out)?;
        } else {
            writeln!(out, "[-only in A-] {{+only in B+}}")?;
        }
    }

    let n = c.passages.len();
    let text_width = width - INDENT.len();
    for (i, sp) in c.passages.iter().enumerate() {
        let p = &sp.passage;
        writeln!(out)?;
        let (wa, wb) = (p.a_tokens.len(), p.b_tokens.len());
        let words = if wa == wb {
            format!("{wa} word{}", plural(wa))
        } else {
            format!("{wa}/{wb} words")
        };
        let number = format!("[{}/{n}]", i + 1);
        let details = format!(
            "· score {:.2} · A {} · B {} · {words}",
            p.score,
            ix_a.describe(p.a),
            ix_b.describe(p.b)
        );
        paint.passage_heading(out, &number, p, &details, width, false)?;
        let mut atoms = inline_atoms(&pair.a.text, &pair.b.text, sp);
        if !opts.color {
            add_brackets(&mut atoms);
        }
        for line in wrap(&atoms, text_width) {
            out.write_all(INDENT.as_bytes())?;
            paint.pieces(out, &line)?;
            writeln!(out)?;
        }
    }

    for (side, doc, tokens, ix, spans) in [
        ("A", pair.a, pair.tokens_a, &ix_a, &c.unique_a),
        ("B", pair.b, pair.tokens_b, &ix_b, &c.unique_b),
    ] {
        writeln!(out)?;
        let total: usize = spans.iter().map(|&s| words_in(tokens, s)).sum();
        paint.paint(out, BOLD, &format!("Only in {side}"))?;
        if spans.is_empty() {
            writeln!(out, ": nothing")?;
            continue;
        }
        writeln!(
            out,
            ": {} run{}, {total} word{}",
            spans.len(),
            plural(spans.len()),
            plural(total)
        )?;
        for &span in spans {
            let words = words_in(tokens, span);
            paint.paint(
                out,
                DIM,
                &format!(
                    "  {side} {} · {words} word{}",
                    ix.describe(span),
                    plural(words)
                ),
            )?;
            writeln!(out)?;
            for line in wrap(&unique_atoms(&doc.text, span), text_width) {
                out.write_all(INDENT.as_bytes())?;
                paint.pieces(out, &line)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

/// A's wording of a passage with B's changes inline: deletions and the A
/// side of replacements marked `Del`, insertions and the B side `Ins`.
fn inline_atoms(a: &str, b: &str, sp: &SharedPassage) -> Vec<Atom> {
    let p = &sp.passage;
    let mut atoms = Atoms::default();
    let mut cursor = p.a.start;
    let mut b_cursor = p.b.start;
    for op in &sp.ops {
        let op_a_start = op.a.start.clamp(cursor, p.a.end.max(cursor));
        let gap = slice(a, Span::new(cursor, op_a_start));
        match op.tag {
            DiffTag::Equal | DiffTag::Delete | DiffTag::Replace => {
                atoms.push(gap, Mark::Same);
                let mark = if op.tag == DiffTag::Equal {
                    Mark::Same
                } else {
                    Mark::Del
                };
                atoms.push(slice(a, op.a), mark);
                if op.tag == DiffTag::Replace {
                    atoms.sep();
                    atoms.push(slice(b, op.b), Mark::Ins);
                }
            }
            DiffTag::Insert => {
                // An insertion has no place in A's text; put it on the side
                // of A's punctuation that B puts it (B: "cancelled on
                // Wednesday, said" shows "cancelled {+on Wednesday+}, said").
                let b_gap_start = b_cursor.min(op.b.start);
                let b_gap = slice(b, Span::new(b_gap_start, op.b.start));
                let b_has_punct = b_gap.chars().any(|c| !c.is_whitespace());
                if b_has_punct {
                    atoms.push(gap, Mark::Same);
                }
                atoms.sep();
                atoms.push(slice(b, op.b), Mark::Ins);
                if b_has_punct || gap.is_empty() {
                    atoms.sep();
                } else {
                    // A's punctuation follows the insertion, glued to it.
                    atoms.push(gap, Mark::Same);
                }
            }
        }
        cursor = cursor.max(op.a.end.min(p.a.end));
        cursor = cursor.max(op_a_start);
        b_cursor = b_cursor.max(op.b.end);
    }
    if cursor < p.a.end {
        atoms.push(slice(a, Span::new(cursor, p.a.end)), Mark::Same);
    }
    atoms.finish()
}

/// One side of a passage with the words the other side lacks marked.
fn side_atoms(text: &str, span: Span, marked: impl Iterator<Item = Span>, mark: Mark) -> Vec<Atom> {
    let mut atoms = Atoms::default();
    let mut cursor = span.start;
    let mut marked: Vec<Span> = marked.filter(|m| !m.is_empty()).collect();
    marked.sort();
    for m in marked {
        let start = m.start.clamp(cursor, span.end.max(cursor));
        let end = m.end.clamp(start, span.end.max(start));
        atoms.push(slice(text, Span::new(cursor, start)), Mark::Same);
        atoms.push(slice(text, Span::new(start, end)), mark);
        cursor = end;
    }
    if cursor < span.end {
        atoms.push(slice(text, Span::new(cursor, span.end)), Mark::Same);
    }
    atoms.finish()
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

/// Writes the `side-by-side` view: A's wording on the left, B's on the
/// right, passage by passage in A's order, with the words only one side has
/// marked; unique runs of B sit next to the passage that follows them in B.
pub fn write_side_by_side(
    out: &mut impl Write,
    pair: &Pair,
    opts: &TerminalOptions,
) -> io::Result<()> {
    let width = opts.width.max(MIN_WIDTH);
    let left_w = (width - 3) / 2;
    let right_w = width - 3 - left_w;
    let paint = Painter { color: opts.color };
    let c = pair.comparison;
    let sum = Summary::new(pair);
    let (ix_a, ix_b) = (LineIndex::new(&pair.a.text), LineIndex::new(&pair.b.text));

    let title = |side: &str, id: &str, words: usize, w: usize| {
        let tail = format!(" · {words} word{}", plural(words));
        let room = w.saturating_sub(side.len() + 1 + tail.width());
        let line = vec![Piece {
            mark: Mark::Same,
            text: format!(
                "{side} {}{tail}",
                truncate_start(&sanitize::escape(id), room)
            ),
        }];
        vec![line]
    };
    write_columns(
        out,
        &paint,
        &title("A", &pair.a.id, sum.words_a, left_w),
        &title("B", &pair.b.id, sum.words_b, right_w),
        left_w,
    )?;
    let s = &c.similarity;
    let mut head = Atoms::default();
    head.push(
        &format!(
            "{} · Jaccard {:.3} · containment A in B {:.3}, B in A {:.3} · {}",
            c.verdict.as_str(),
            s.jaccard,
            s.containment_a,
            s.containment_b,
            sum.passages
        ),
        Mark::Same,
    );
    for line in wrap(&head.finish(), width) {
        paint.pieces(out, &line)?;
        writeln!(out)?;
    }
    paint.paint(out, DIM, &"═".repeat(width))?;
    writeln!(out)?;

    for row in rows(pair) {
        let (left, right) = match row {
            Row::Passage(i) => {
                let sp = &c.passages[i];
                let p = &sp.passage;
                let number = format!("── [{}/{}]", i + 1, c.passages.len());
                let details = format!(
                    "· {:.2} · A {} · B {}",
                    p.score,
                    ix_a.describe(p.a),
                    ix_b.describe(p.b)
                );
                paint.passage_heading(out, &number, p, &details, width, true)?;
                let dels = sp
                    .ops
                    .iter()
                    .filter(|o| matches!(o.tag, DiffTag::Delete | DiffTag::Replace))
                    .map(|o| o.a);
                let ins = sp
                    .ops
                    .iter()
                    .filter(|o| matches!(o.tag, DiffTag::Insert | DiffTag::Replace))
                    .map(|o| o.b);
                (
                    side_atoms(&pair.a.text, p.a, dels, Mark::Del),
                    side_atoms(&pair.b.text, p.b, ins, Mark::Ins),
                )
            }
            Row::UniqueA(span) => {
                let words = words_in(pair.tokens_a, span);
                let heading = format!(
                    "── only in A · {words} word{} · A {}",
                    plural(words),
                    ix_a.describe(span)
                );
                paint.heading(out, &[(Mark::Style(DIM), &heading)], width, true)?;
                (unique_atoms(&pair.a.text, span), Vec::new())
            }
            Row::UniqueB(span) => {
                let words = words_in(pair.tokens_b, span);
                let heading = format!(
                    "── only in B · {words} word{} · B {}",
                    plural(words),
                    ix_b.describe(span)
                );
                paint.heading(out, &[(Mark::Style(DIM), &heading)], width, true)?;
                (Vec::new(), unique_atoms(&pair.b.text, span))
            }
        };
        let (mut left, mut right) = (left, right);
        if !opts.color {
            add_brackets(&mut left);
            add_brackets(&mut right);
        }
        let left = if left.is_empty() {
            Vec::new()
        } else {
            wrap(&left, left_w)
        };
        let right = if right.is_empty() {
            Vec::new()
        } else {
            wrap(&right, right_w)
        };
        write_columns(out, &paint, &left, &right, left_w)?;
    }
    if c.passages.is_empty() && c.unique_a.is_empty() && c.unique_b.is_empty() {
        writeln!(out, "(both documents are empty)")?;
    }
    Ok(())
}

/// Two columns side by side, the left padded to `left_w`.
fn write_columns(
    out: &mut impl Write,
    paint: &Painter,
    left: &[Line],
    right: &[Line],
    left_w: usize,
) -> io::Result<()> {
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).map_or(&[][..], |l| &l[..]);
        paint.pieces(out, l)?;
        let pad = left_w.saturating_sub(line_width(l));
        write!(out, "{}", " ".repeat(pad))?;
        paint.paint(out, DIM, " │")?;
        if let Some(r) = right.get(i).filter(|r| !r.is_empty()) {
            write!(out, " ")?;
            paint.pieces(out, r)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `s` cut to `width` columns, keeping its end (the file name of a path).
fn truncate_start(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut kept = Vec::new();
    let mut used = 1; // the ellipsis
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// One block of the side-by-side view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Passage(usize),
    UniqueA(Span),
    UniqueB(Span),
}

/// Blocks in A's order; each unique run of B goes just before the passage
/// that follows it in B (at the end when none does).
fn rows(pair: &Pair) -> Vec<Row> {
    let c = pair.comparison;
    let mut a_items: Vec<(usize, Row)> = c
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.passage.a.start, Row::Passage(i)))
        .chain(c.unique_a.iter().map(|&s| (s.start, Row::UniqueA(s))))
        .collect();
    a_items.sort_by_key(|&(start, _)| start);
    let mut before: Vec<Vec<Span>> = vec![Vec::new(); c.passages.len()];
    let mut at_end = Vec::new();
    for &u in &c.unique_b {
        let next = c
            .passages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.passage.b.start >= u.end)
            .min_by_key(|(_, p)| p.passage.b.start)
            .map(|(i, _)| i);
        match next {
            Some(i) => before[i].push(u),
            None => at_end.push(u),
        }
    }
    let mut rows = Vec::new();
    for (_, row) in a_items {
        if let Row::Passage(i) = row {
            rows.extend(before[i].iter().map(|&s| Row::UniqueB(s)));
        }
        rows.push(row);
    }
    rows.extend(at_end.into_iter().map(Row::UniqueB));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffOp;
    use crate::render::tests::fixture;
    use crate::tokenize::Tokens;

    fn text(atoms: &[Atom]) -> String {
        wrap(atoms, 10_000)
            .iter()
            .map(|l| l.iter().map(|p| p.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn render(f: impl Fn(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn inline_diff_marks_deletions_and_insertions() {
        let f = fixture();
        let mut atoms = inline_atoms(&f.a.text, &f.b.text, &f.c.passages[1]);
        add_brackets(&mut atoms);
        assert_eq!(
            text(&atoms),
            "[-Almost-] {+About+} 3,000 operations [-were-] {+have been+} cancelled on Wednesday {+across England+}"
        );
    }

    #[test]
    fn insertion_sits_on_the_side_of_punctuation_that_b_puts_it() {
        use crate::align::Passage;
        use crate::render::tests::{op, span};
        let cases = [
            // B inserts before A's comma, then after it.
            (
                "were cancelled, officials said",
                "were cancelled on Wednesday, officials said",
                "were cancelled {+on Wednesday+}, officials said",
            ),
            (
                "were cancelled, officials said",
                "were cancelled, NHS officials said",
                "were cancelled, {+NHS+} officials said",
            ),
        ];
        for (a, b, want) in cases {
            let (ta, tb) = (Tokens::new(a), Tokens::new(b));
            let extra = tb.len() - ta.len();
            let at = 2;
            let sp = SharedPassage {
                passage: Passage {
                    a: span(&ta, 0..ta.len()),
                    b: span(&tb, 0..tb.len()),
                    a_tokens: 0..ta.len(),
                    b_tokens: 0..tb.len(),
                    kind: PassageKind::Edited,
                    moved: false,
                    score: 0.8,
                },
                ops: vec![
                    op(&ta, &tb, DiffTag::Equal, 0..at, 0..at),
                    DiffOp {
                        tag: DiffTag::Insert,
                        // As diff::word_diff places it: at A's next token.
                        a: Span::empty(ta.get(at).span.start),
                        b: span(&tb, at..at + extra),
                        a_tokens: at..at,
                        b_tokens: at..at + extra,
                    },
                    op(&ta, &tb, DiffTag::Equal, at..ta.len(), at + extra..tb.len()),
                ],
            };
            let mut atoms = inline_atoms(a, b, &sp);
            add_brackets(&mut atoms);
            assert_eq!(text(&atoms), want);
        }
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

    #[test]
    fn text_view_plain() {
        let f = fixture();
        let out = render(|o| write_text(o, &f.pair(), &TerminalOptions::default()));
        assert!(!out.contains('\x1b'), "raw escape in {out}");
        assert!(out.contains("Unique to A \\x1b[2J here"), "{out}");
        assert!(out.contains("[1/3] paraphrase, moved · score 0.25 · A 1:1-1:11 · B 1:"));
        assert!(
            out.contains("[-Local intro.-] {+Opening words+}")
                || out.contains("[-Local intro-] {+Opening words+}"),
            "{out}"
        );
        assert!(out.contains("verdict     partial"));
        assert!(out.contains("Only in B: 2 runs, 6 words"), "{out}");
        for line in out.lines() {
            assert!(line.width() <= DEFAULT_WIDTH, "{line}");
        }
    }

    #[test]
    fn colour_marks_without_brackets_and_no_raw_document_escape() {
        let f = fixture();
        let opts = TerminalOptions {
            color: true,
            width: 80,
        };
        let out = render(|o| write_text(o, &f.pair(), &opts));
        assert!(out.contains(&format!("{RED}Almost{RESET}")), "{out}");
        assert!(out.contains(&format!("{GREEN}have been{RESET}")), "{out}");
        assert!(!out.contains("[-"));
        assert!(!out.contains("\x1b[2J"));
    }

    #[test]
    fn side_by_side_fits_the_width_and_places_unique_b() {
        let f = fixture();
        for width in [40, 63, 100] {
            let opts = TerminalOptions {
                color: false,
                width,
            };
            let out = render(|o| write_side_by_side(o, &f.pair(), &opts));
            for line in out.lines() {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
            assert!(
                out.contains("{+across+}") || out.contains("{+across"),
                "{out}"
            );
        }
        let rows = rows(&f.pair());
        // "Only B says this" precedes the edited passage (index 1) in B.
        let at = rows.iter().position(|r| *r == Row::Passage(1)).unwrap();
        assert!(matches!(rows[at - 1], Row::UniqueB(_)), "{rows:?}");
    }

    #[test]
    fn truncate_start_keeps_the_file_name() {
        assert_eq!(truncate_start("short", 10), "short");
        assert_eq!(
            truncate_start("a/very/long/path/name.txt", 10),
            "…/name.txt"
        );
    }
}
