//! The JSON contract of `report --format json`.
//!
//! Wire structs built from a [`CorpusReport`] and its documents; their field
//! names are the contract documented in README.md ("`report` JSON"). Every
//! span is a byte range into the original file or record text (mapped
//! through [`Document::original_span`]), end-exclusive. Documents are
//! referred to by their index in `documents`.

use std::io::Write;

use serde::Serialize;

use crate::align::PassageKind;
use crate::compare::Verdict;
use crate::diff::DiffTag;
use crate::input::Document;
use crate::report::{CorpusReport, KeepRule, ReportParams};
use crate::span::Span;

/// Version of the report JSON layout; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// `report --format json` output.
#[derive(Debug, Serialize)]
pub struct ReportJson<'a> {
    /// Layout version.
    pub schema: u32,
    /// The parameters the report was made with.
    pub params: ParamsJson,
    /// How the candidates were found.
    pub stats: StatsJson,
    /// Every document, in input order (`a`, `b`, `doc`, `kept` and
    /// `members` below are indices into this list).
    pub documents: Vec<DocumentJson<'a>>,
    /// Per source.
    pub sources: Vec<SourceJson<'a>>,
    /// Verified pairs sharing something, closest first.
    pub pairs: Vec<PairJson>,
    /// Near-duplicate clusters.
    pub clusters: Vec<ClusterJson<'a>>,
    /// Corpus-wide shared passages, most widely shared first.
    pub passages: Vec<PassageJson<'a>>,
    /// Boilerplate per source, each block once.
    pub boilerplate: Vec<BoilerplateJson<'a>>,
    /// Inputs that could not be read.
    pub unreadable: Vec<UnreadableJson<'a>>,
}

/// Report parameters.
#[derive(Debug, Serialize)]
pub struct ParamsJson {
    /// Words per shingle.
    pub shingle_size: usize,
    /// MinHash values per signature.
    pub num_hashes: usize,
    /// Jaccard from which a pair is near-duplicate.
    pub near_duplicate_jaccard: f64,
    /// Containment from which a pair is near-duplicate.
    pub near_duplicate_containment: f64,
    /// Keep rule of the clusters.
    pub keep: String,
    /// Whether boilerplate was taken out.
    pub strip_boilerplate: bool,
}

/// Candidate statistics.
#[derive(Debug, Serialize)]
pub struct StatsJson {
    /// Documents read.
    pub documents: usize,
    /// LSH bands.
    pub lsh_bands: usize,
    /// LSH rows per band.
    pub lsh_rows: usize,
    /// Pairs proposed by LSH.
    pub lsh_pairs: usize,
    /// Pairs proposed by the shingle index.
    pub index_pairs: usize,
    /// Pairs verified exactly.
    pub verified_pairs: usize,
    /// Pairs aligned with the full aligner.
    pub aligned_pairs: usize,
}

/// One document.
#[derive(Debug, Serialize)]
pub struct DocumentJson<'a> {
    /// Position in `documents`.
    pub index: usize,
    /// Path or record id.
    pub id: &'a str,
    /// Source, if known.
    pub source: Option<&'a str>,
    /// Which rule gave the source: `field`, `url`, `id-url`, `folder`,
    /// `pattern`, or `null` for none.
    pub source_rule: Option<&'static str>,
    /// Date, if known.
    pub date: Option<&'a str>,
    /// All words.
    pub words: usize,
    /// Words that are not boilerplate.
    pub content_words: usize,
    /// Words of boilerplate.
    pub boilerplate_words: usize,
    /// Content words no other source shares.
    pub unique_words: usize,
    /// `unique_words / content_words`.
    pub unique_fraction: f64,
    /// Unique runs as spans of the original file.
    pub unique: Vec<Span>,
    /// Boilerplate runs as spans of the original file, each with what
    /// found it.
    pub boilerplate: Vec<BoilerplateSpanJson>,
}

/// One run of a document's boilerplate.
#[derive(Debug, Serialize)]
pub struct BoilerplateSpanJson {
    /// First byte (of the original file).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// `shape`, `recurring`, `widespread`, `repeated` or `link-box`.
    pub reason: &'static str,
}

/// One source.
#[derive(Debug, Serialize)]
pub struct SourceJson<'a> {
    /// Name (`null` gathers documents with no source).
    pub name: Option<&'a str>,
    /// Its documents.
    pub documents: &'a [usize],
    /// The rules that gave its documents this name (see
    /// [`DocumentJson::source_rule`]); empty for the unnamed group.
    pub rules: Vec<&'static str>,
    /// Content words.
    pub content_words: usize,
    /// Content words no other source shares.
    pub unique_words: usize,
    /// `unique_words / content_words`.
    pub unique_fraction: f64,
    /// Boilerplate words.
    pub boilerplate_words: usize,
}

/// One verified pair.
#[derive(Debug, Serialize)]
pub struct PairJson {
    /// First document.
    pub a: usize,
    /// Second document.
    pub b: usize,
    /// Exact Jaccard of the content shingle sets.
    pub jaccard: f64,
    /// The larger of the two containments.
    pub containment: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// duplicate, near-duplicate, partial or distinct.
    pub verdict: Verdict,
    /// Pairwise passages.
    pub passages: usize,
    /// Aligned with the full aligner (else verbatim runs only).
    pub aligned: bool,
}

/// One cluster.
#[derive(Debug, Serialize)]
pub struct ClusterJson<'a> {
    /// The document kept.
    pub kept: usize,
    /// All members, the kept one first.
    pub members: &'a [usize],
    /// Why it was kept.
    pub reason: &'a str,
}

/// One corpus passage.
#[derive(Debug, Serialize)]
pub struct PassageJson<'a> {
    /// verbatim, edited or paraphrase (the loosest among its occurrences).
    pub kind: PassageKind,
    /// Lowest pairwise score.
    pub score: f64,
    /// Words in the first occurrence.
    pub words: usize,
    /// Distinct sources.
    pub sources: usize,
    /// Every occurrence.
    pub occurrences: Vec<OccurrenceJson<'a>>,
    /// Distinct wordings.
    pub variants: Vec<VariantJson<'a>>,
}

/// One occurrence of a passage.
#[derive(Debug, Serialize)]
pub struct OccurrenceJson<'a> {
    /// Document index.
    pub doc: usize,
    /// The document's source.
    pub source: Option<&'a str>,
    /// Start byte in the original file.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Index into `variants`.
    pub variant: usize,
    /// Moved relative to the first occurrence's document.
    pub moved: bool,
    /// Word diff from the first occurrence to this one (empty for it).
    pub diff: Vec<DiffOpJson>,
}

/// One wording.
#[derive(Debug, Serialize)]
pub struct VariantJson<'a> {
    /// The wording, as its first occurrence has it.
    pub text: &'a str,
    /// Occurrence indices with this wording.
    pub occurrences: &'a [usize],
}

/// One diff op: `a` in the first occurrence's file, `b` in this one's.
#[derive(Debug, Serialize)]
pub struct DiffOpJson {
    /// equal, delete, insert or replace.
    pub op: DiffTag,
    /// Span in the first occurrence's file.
    pub a: Span,
    /// Span in this occurrence's file.
    pub b: Span,
}

/// One source's boilerplate.
#[derive(Debug, Serialize)]
pub struct BoilerplateJson<'a> {
    /// Source name (a document id when the document has no source).
    pub source: &'a str,
    /// Documents of the source.
    pub documents: usize,
    /// Boilerplate words over them.
    pub words: usize,
    /// Distinct blocks.
    pub blocks: Vec<BlockJson<'a>>,
}

/// One distinct boilerplate block.
#[derive(Debug, Serialize)]
pub struct BlockJson<'a> {
    /// `shape`, `recurring`, `widespread`, `repeated` or `link-box`.
    pub reason: &'a str,
    /// Document showing it.
    pub doc: usize,
    /// Start byte in that document's original file.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// Words.
    pub words: usize,
    /// Documents holding it.
    pub documents: usize,
    /// Times it occurs.
    pub occurrences: usize,
    /// Its text.
    pub text: &'a str,
}

/// An input that could not be read.
#[derive(Debug, Serialize)]
pub struct UnreadableJson<'a> {
    /// File or `FILE:LINE`.
    pub name: &'a str,
    /// Why.
    pub message: &'a str,
}

/// Rounds a score for output (6 decimals: stable across platforms).
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn keep_name(k: &KeepRule) -> String {
    match k {
        KeepRule::Earliest => "earliest".into(),
        KeepRule::Longest => "longest".into(),
        KeepRule::First => "first".into(),
        KeepRule::Sources(l) => format!("sources={}", l.join(",")),
    }
}

/// Builds the wire structs.
pub fn report_json<'a>(
    r: &'a CorpusReport,
    docs: &'a [Document],
    rp: &ReportParams,
) -> ReportJson<'a> {
    let orig = |d: usize, s: Span| docs[d].original_span(s);
    ReportJson {
        schema: REPORT_SCHEMA_VERSION,
        params: ParamsJson {
            shingle_size: rp.params.shingle_size,
            num_hashes: rp.params.num_hashes,
            near_duplicate_jaccard: rp.params.near_duplicate_jaccard,
            near_duplicate_containment: rp.params.near_duplicate_containment,
            keep: keep_name(&rp.keep),
            strip_boilerplate: rp.strip_boilerplate,
        },
        stats: StatsJson {
            documents: r.stats.documents,
            lsh_bands: r.stats.lsh.bands,
            lsh_rows: r.stats.lsh.rows,
            lsh_pairs: r.stats.lsh_pairs,
            index_pairs: r.stats.index_pairs,
            verified_pairs: r.stats.verified_pairs,
            aligned_pairs: r.stats.aligned_pairs,
        },
        documents: r
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| DocumentJson {
                index: i,
                id: &d.id,
                source: d.source.as_deref(),
                source_rule: d.source_rule.name(),
                date: d.date.as_deref(),
                words: d.words,
                content_words: d.content_words,
                boilerplate_words: d.boilerplate_words,
                unique_words: d.unique_words,
                unique_fraction: round(d.unique_fraction),
                unique: d.unique.iter().map(|&s| orig(i, s)).collect(),
                boilerplate: r.boilerplate.docs[i]
                    .iter()
                    .map(|b| {
                        let s = orig(i, b.span);
                        BoilerplateSpanJson {
                            start: s.start,
                            end: s.end,
                            reason: b.reason.as_str(),
                        }
                    })
                    .collect(),
            })
            .collect(),
        sources: r
            .sources
            .iter()
            .map(|s| SourceJson {
                name: s.name.as_deref(),
                documents: &s.docs,
                rules: s.rules.iter().filter_map(|r| r.name()).collect(),
                content_words: s.content_words,
                unique_words: s.unique_words,
                unique_fraction: round(s.unique_fraction),
                boilerplate_words: s.boilerplate_words,
            })
            .collect(),
        pairs: r
            .pairs
            .iter()
            .map(|p| PairJson {
                a: p.a,
                b: p.b,
                jaccard: round(p.jaccard),
                containment: round(p.containment()),
                containment_a: round(p.containment_a),
                containment_b: round(p.containment_b),
                verdict: p.verdict,
                passages: p.passages,
                aligned: p.aligned,
            })
            .collect(),
        clusters: r
            .clusters
            .iter()
            .map(|c| ClusterJson {
                kept: c.kept,
                members: &c.members,
                reason: &c.reason,
            })
            .collect(),
        passages: r
            .passages
            .iter()
            .map(|p| {
                let seed = p.occurrences[0].doc;
                PassageJson {
                    kind: p.kind,
                    score: round(p.score),
                    words: p.words(),
                    sources: p.sources,
                    occurrences: p
                        .occurrences
                        .iter()
                        .map(|o| {
                            let s = orig(o.doc, o.span);
                            OccurrenceJson {
                                doc: o.doc,
                                source: docs[o.doc].source.as_deref(),
                                start: s.start,
                                end: s.end,
                                variant: o.variant,
                                moved: o.moved,
                                diff: o
                                    .ops
                                    .iter()
                                    .map(|op| DiffOpJson {
                                        op: op.tag,
                                        a: orig(seed, op.a),
                                        b: orig(o.doc, op.b),
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                    variants: p
                        .variants
                        .iter()
                        .map(|v| {
                            let o = &p.occurrences[v.occurrences[0]];
                            VariantJson {
                                text: o.span.slice(&docs[o.doc].text),
                                occurrences: &v.occurrences,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        boilerplate: r
            .boilerplate
            .sources
            .iter()
            .map(|s| BoilerplateJson {
                source: &s.source,
                documents: s.docs,
                words: s.words,
                blocks: s
                    .blocks
                    .iter()
                    .map(|b| {
                        let o = orig(b.doc, b.span);
                        BlockJson {
                            reason: b.reason.as_str(),
                            doc: b.doc,
                            start: o.start,
                            end: o.end,
                            words: b.words,
                            documents: b.docs.len(),
                            occurrences: b.occurrences,
                            text: b.span.slice(&docs[b.doc].text),
                        }
                    })
                    .collect(),
            })
            .collect(),
        unreadable: r
            .unreadable
            .iter()
            .map(|u| UnreadableJson {
                name: &u.name,
                message: &u.message,
            })
            .collect(),
    }
}

/// `report --pairs-only --format json` output.
#[derive(Debug, Serialize)]
pub struct PairsJson<'a> {
    /// Layout version.
    pub schema: u32,
    /// Always `pairs-only`.
    pub mode: &'static str,
    /// Jaccard threshold.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle_size: usize,
    /// How candidates were found: `lsh` or `exact`.
    pub method: &'static str,
    /// LSH bands (0 for the exact join).
    pub lsh_bands: usize,
    /// LSH rows per band.
    pub lsh_rows: usize,
    /// Documents read (usable records; the lines that were not are in
    /// `unreadable`).
    pub documents: usize,
    /// Candidate pairs verified exactly.
    pub candidates: usize,
    /// Pairs with Jaccard at least the threshold.
    pub pairs: Vec<PairsPairJson<'a>>,
    /// Star clusters over those pairs.
    pub clusters: Vec<PairsClusterJson<'a>>,
    /// Lines that were not usable records.
    pub unreadable: Vec<UnreadableJson<'a>>,
}

/// One pair of the pairs-only output (documents by id).
#[derive(Debug, Serialize)]
pub struct PairsPairJson<'a> {
    /// First document's id (input order).
    pub a: &'a str,
    /// Second document's id.
    pub b: &'a str,
    /// Exact Jaccard.
    pub jaccard: f64,
    /// Share of the smaller shingle set found in the larger.
    pub containment: f64,
}

/// One cluster of the pairs-only output.
#[derive(Debug, Serialize)]
pub struct PairsClusterJson<'a> {
    /// The id kept.
    pub kept: &'a str,
    /// All member ids, the kept one first.
    pub members: Vec<&'a str>,
}

/// Writes the pairs-only result as JSON (one line per pair and cluster).
pub fn write_pairs<W: Write>(
    out: &mut W,
    r: &crate::report::pairs::PairsReport,
    p: &crate::report::pairs::PairsParams,
) -> std::io::Result<()> {
    let id = |i: u32| r.ids[i as usize].as_str();
    let j = PairsJson {
        schema: REPORT_SCHEMA_VERSION,
        mode: "pairs-only",
        threshold: p.threshold,
        shingle_size: p.shingle_size,
        method: if p.exact { "exact" } else { "lsh" },
        lsh_bands: r.stats.lsh.map_or(0, |l| l.bands),
        lsh_rows: r.stats.lsh.map_or(0, |l| l.rows),
        documents: r.documents(),
        candidates: r.stats.candidates,
        pairs: r
            .pairs
            .iter()
            .map(|x| PairsPairJson {
                a: id(x.a),
                b: id(x.b),
                jaccard: round(x.jaccard),
                containment: round(x.containment),
            })
            .collect(),
        clusters: r
            .clusters
            .iter()
            .map(|(k, m)| PairsClusterJson {
                kept: id(*k),
                members: m.iter().map(|&x| id(x)).collect(),
            })
            .collect(),
        unreadable: r
            .failures
            .iter()
            .map(|u| UnreadableJson {
                name: &u.name,
                message: &u.message,
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &j)?;
    out.write_all(b"\n")
}

/// Writes the report as pretty-printed JSON and a final newline.
pub fn write_report<W: Write>(
    out: &mut W,
    r: &CorpusReport,
    docs: &[Document],
    rp: &ReportParams,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_json(r, docs, rp))?;
    out.write_all(b"\n")
}
