//! The JSON contract of `compare --format json`.
//!
//! These wire structs ARE the contract documented in README.md; core types
//! stay free to change. Every span is a byte range into the original file
//! (mapped through [`Document::original_span`]), end-exclusive.

use std::io::Write;

use serde::Serialize;

use crate::align::PassageKind;
use crate::compare::{Comparison, Verdict};
use crate::diff::DiffTag;
use crate::input::{Document, Encoding};
use crate::span::Span;

/// Version of the JSON layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// `compare --format json` output.
#[derive(Debug, Serialize)]
pub struct CompareJson<'a> {
    /// Layout version.
    pub schema: u32,
    /// The two documents.
    pub documents: DocumentsJson<'a>,
    /// Exact shingle-set scores.
    pub similarity: SimilarityJson,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the pair is not a copy although the scores alone would say so
    /// (pages of one template): `template-only`, `different-articles`, or
    /// null.
    pub guard: Option<&'static str>,
    /// Shared passages in A's order.
    pub passages: Vec<PassageJson>,
    /// Sentence pairs the passages link, graded as whole sentences.
    pub facts: Vec<FactJson>,
    /// Material found on one side only.
    pub unique: UniqueJson,
    /// Boilerplate set aside on each side (neither shared nor unique).
    pub boilerplate: UniqueJson,
}

/// The two compared documents.
#[derive(Debug, Serialize)]
pub struct DocumentsJson<'a> {
    /// Document A.
    pub a: DocumentJson<'a>,
    /// Document B.
    pub b: DocumentJson<'a>,
}

/// One compared document.
#[derive(Debug, Serialize)]
pub struct DocumentJson<'a> {
    /// Path or id.
    pub id: &'a str,
    /// Length of the original input in bytes.
    pub bytes: usize,
    /// How the input was decoded: `utf-8`, `utf-8-bom` or `windows-1252`.
    /// Offsets are into the original bytes whatever the encoding.
    pub encoding: &'static str,
    /// Number of words.
    pub words: usize,
    /// Share of words inside shared passages.
    pub coverage: f64,
    /// How strongly this document reuses the other, 0..1
    /// ([`Comparison::reuse_a`]): graded like a reader grades reuse.
    pub reuse: f64,
}

/// Similarity scores.
#[derive(Debug, Serialize)]
pub struct SimilarityJson {
    /// Jaccard similarity of the word-shingle sets.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// Words per shingle.
    pub shingle_size: usize,
}

/// One shared passage.
#[derive(Debug, Serialize)]
pub struct PassageJson {
    /// Span in A.
    pub a: Span,
    /// Span in B.
    pub b: Span,
    /// verbatim, edited or paraphrase.
    pub kind: PassageKind,
    /// Whether the passage sits elsewhere in B than A's order predicts.
    pub moved: bool,
    /// Strength of the match, 0..1.
    pub score: f64,
    /// Word diff, run by run.
    pub ops: Vec<OpJson>,
}

/// Two sentences that state the same fact.
#[derive(Debug, Serialize)]
pub struct FactJson {
    /// A's sentence.
    pub a: Span,
    /// B's sentence.
    pub b: Span,
    /// How closely the sentences say the same, 0..1.
    pub score: f64,
    /// The shared figures, names and quoted words that carry the fact.
    pub carriers: Vec<CarrierJson>,
}

/// One word (or figure) that carries a fact, in A and in B.
#[derive(Debug, Serialize)]
pub struct CarrierJson {
    /// Span in A.
    pub a: Span,
    /// Span in B.
    pub b: Span,
}

/// One word-diff run.
#[derive(Debug, Serialize)]
pub struct OpJson {
    /// equal, delete, insert or replace.
    pub op: DiffTag,
    /// Span in A (empty for an insert).
    pub a: Span,
    /// Span in B (empty for a delete).
    pub b: Span,
}

/// Runs of words of each side (unique material, or boilerplate).
#[derive(Debug, Serialize)]
pub struct UniqueJson {
    /// Spans of A.
    pub a: Vec<Span>,
    /// Spans of B.
    pub b: Vec<Span>,
}

/// Builds the wire form of a comparison of `a` and `b`.
pub fn compare_json<'a>(
    a: &'a Document,
    b: &'a Document,
    words: (usize, usize),
    c: &Comparison,
) -> CompareJson<'a> {
    let doc = |d: &'a Document, words: usize, coverage: f64, reuse: f64| DocumentJson {
        id: &d.id,
        bytes: d.original_offset(d.text.len()),
        encoding: match d.encoding() {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Windows1252 => "windows-1252",
        },
        words,
        coverage: round(coverage),
        reuse: round(reuse),
    };
    CompareJson {
        schema: SCHEMA_VERSION,
        documents: DocumentsJson {
            a: doc(a, words.0, c.coverage_a, c.reuse_a()),
            b: doc(b, words.1, c.coverage_b, c.reuse_b()),
        },
        similarity: SimilarityJson {
            jaccard: round(c.similarity.jaccard),
            containment_a: round(c.similarity.containment_a),
            containment_b: round(c.similarity.containment_b),
            shingle_size: c.similarity.shingle_size,
        },
        verdict: c.verdict,
        guard: c.judgement.guard.map(|g| g.as_str()),
        passages: c
            .passages
            .iter()
            .map(|p| PassageJson {
                a: a.original_span(p.passage.a),
                b: b.original_span(p.passage.b),
                kind: p.passage.kind,
                moved: p.passage.moved,
                score: round(p.passage.score),
                ops: p
                    .ops
                    .iter()
                    .map(|o| OpJson {
                        op: o.tag,
                        a: a.original_span(o.a),
                        b: b.original_span(o.b),
                    })
                    .collect(),
            })
            .collect(),
        facts: c
            .facts
            .iter()
            .map(|f| FactJson {
                a: a.original_span(f.a),
                b: b.original_span(f.b),
                score: round(f.score),
                carriers: f
                    .carriers
                    .iter()
                    .map(|&(x, y)| CarrierJson {
                        a: a.original_span(x),
                        b: b.original_span(y),
                    })
                    .collect(),
            })
            .collect(),
        unique: UniqueJson {
            a: c.unique_a.iter().map(|&s| a.original_span(s)).collect(),
            b: c.unique_b.iter().map(|&s| b.original_span(s)).collect(),
        },
        boilerplate: UniqueJson {
            a: c.boilerplate_a
                .iter()
                .map(|&s| a.original_span(s))
                .collect(),
            b: c.boilerplate_b
                .iter()
                .map(|&s| b.original_span(s))
                .collect(),
        },
    }
}

/// Writes the comparison as pretty JSON followed by a newline.
pub fn write_compare(
    out: &mut impl Write,
    a: &Document,
    b: &Document,
    words: (usize, usize),
    c: &Comparison,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &compare_json(a, b, words, c))?;
    writeln!(out)
}

/// Scores rounded to 4 decimals: stable output, no false precision.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
