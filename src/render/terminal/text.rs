//! The `text` view: a header with the scores, each shared passage in A's
//! wording with B's changes inline, then the material only one side has.

use std::io::{self, Write};

use super::paint::Painter;
use super::wrap::{add_brackets, wrap, Atom, Atoms, Mark};
use super::{percent, plural, unique_atoms, Summary, TerminalOptions, BOLD, DIM, MIN_WIDTH};
use crate::compare::SharedPassage;
use crate::diff::DiffTag;
use crate::render::inline_diff::DiffMark;
use crate::render::{sanitize, slice, words_in, LineIndex, Pair};
use crate::span::Span;

/// Indentation of passage text under its heading in `text`.
const INDENT: &str = "    ";

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
        label(out, "reuse")?;
        writeln!(
            out,
            "A of B {:.2} · B of A {:.2} (0 none … 1 copied word for word)",
            c.reuse_a(),
            c.reuse_b()
        )?;
    }
    if let Some(best) = c.facts.iter().map(|f| f.score).max_by(f64::total_cmp) {
        label(out, "facts")?;
        let n = c.facts.len();
        writeln!(
            out,
            "{n} sentence pair{} stating the same fact (closest {best:.2})",
            plural(n)
        )?;
    }
    if sum.has_diff {
        label(out, "diff")?;
        let mut legend = String::new();
        DiffMark::Del.push(&mut legend, "only in A", opts.color);
        legend.push_str(if opts.color { "  " } else { " " });
        DiffMark::Ins.push(&mut legend, "only in B", opts.color);
        writeln!(out, "{legend}")?;
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

#[cfg(test)]
mod tests {
    use super::super::tests::render;
    use super::super::wrap::tests::text;
    use super::super::DEFAULT_WIDTH;
    use super::*;
    use crate::align::PassageKind;
    use crate::diff::DiffOp;
    use crate::render::tests::fixture;
    use crate::tokenize::Tokens;
    use unicode_width::UnicodeWidthStr;

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
        assert!(out.contains("\x1b[31mAlmost\x1b[0m"), "{out}");
        assert!(out.contains("\x1b[32mhave been\x1b[0m"), "{out}");
        assert!(!out.contains("[-"));
        assert!(!out.contains("\x1b[2J"));
    }
}
