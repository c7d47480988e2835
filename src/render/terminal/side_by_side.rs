//! The `side-by-side` view: A's wording on the left, B's on the right,
//! block by block in A's order, the words only one side has marked.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::paint::Painter;
use super::wrap::{add_brackets, line_width, wrap, Atom, Atoms, Line, Mark, Piece};
use super::{plural, unique_atoms, Summary, TerminalOptions, DIM, MIN_WIDTH};
use crate::diff::DiffTag;
use crate::render::{sanitize, slice, words_in, LineIndex, Pair};
use crate::span::Span;

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
            Row::UniqueA(span) | Row::UniqueB(span) => {
                let is_a = matches!(row, Row::UniqueA(_));
                let (side, doc, tokens, ix) = if is_a {
                    ("A", pair.a, pair.tokens_a, &ix_a)
                } else {
                    ("B", pair.b, pair.tokens_b, &ix_b)
                };
                let words = words_in(tokens, span);
                let heading = format!(
                    "── only in {side} · {words} word{} · {side} {}",
                    plural(words),
                    ix.describe(span)
                );
                paint.heading(out, &[(Mark::Style(DIM), &heading)], width, true)?;
                let atoms = unique_atoms(&doc.text, span);
                if is_a {
                    (atoms, Vec::new())
                } else {
                    (Vec::new(), atoms)
                }
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
    use super::super::tests::render;
    use super::*;
    use crate::render::tests::fixture;

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
