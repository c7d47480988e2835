//! `CorpusReport`: the overlap map of a whole corpus.
//!
//! In: [`Document`]s (with their sources and dates) and [`ReportParams`].
//! Out: one [`CorpusReport`] every renderer draws from: per-document and
//! per-source figures, verified pairs, near-duplicate clusters, corpus-wide
//! shared passages with each outlet's variant, unique material and each
//! source's boilerplate. Nothing here prints or reads files.
//!
//! The pipeline:
//!
//! 1. the same-story decisions: the filter's engine
//!    ([`crate::filter::decide_documents`]) over the documents in the keep
//!    rule's order, so the copy the rule keeps is met first; its drops are
//!    the clusters ([`cluster`]), which therefore never chain, and agree with
//!    what `copydesk filter` drops of the same documents in the same order;
//! 2. every document analysed ([`crate::compare::Text`]) under the
//!    boilerplate the engine learned by the end: every score, passage and
//!    unique share below is over the *body* words;
//! 3. candidates ([`candidates`]): MinHash + LSH banding for near-duplicates,
//!    and an inverted index of body shingles for everything that shares a
//!    passage (trimmed and extended copies, lead-only cuts, a quote carried
//!    by three outlets), which LSH on whole documents cannot see;
//! 4. judgement: [`crate::judge`] for every candidate pair, exact scores,
//!    no pair reported on an estimate (a pair the engine dropped keeps the
//!    engine's judgement);
//! 5. alignment: `compare_texts` (edited and paraphrased passages, word
//!    diffs over every word of both sides) on all pairs of a small corpus
//!    and on the closest pairs of a large one (rayon); verbatim runs from
//!    the index for the rest;
//! 6. [`passages`]: pairwise passages grouped into corpus passages, unique
//!    material per document and per source.

pub mod candidates;
pub mod cluster;
pub mod pairs;
pub mod passages;

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use crate::align::PassageKind;
use crate::analysis::Analysis;
use crate::boilerplate::{
    label_runs, BoilerplateModel, BoilerplateReason, BoilerplateRun, CorpusBoilerplate,
};
use crate::compare::{compare_texts, SharedPassage, Text, Verdict};
use crate::diff::DiffOp;
use crate::error::{Error, Result};
use crate::filter::{decide_documents, DocumentOutcome, FilterOptions, Reason};
use crate::index::LshParams;
use crate::input::{Document, InputFailure, SourceRule};
use crate::judge::{judge, Judgement, SameStory};
use crate::minhash::Signature;
use crate::params::Params;
use crate::shingle::Shingles;
use crate::span::Span;

pub use cluster::{Cluster, KeepKey, KeepRule};
pub use passages::{CorpusPassage, Occurrence, Variant};

/// Everything `report` can be tuned with.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportParams {
    /// Shingle size, hash count, verdict thresholds, shortest passage.
    pub params: Params,
    /// Which copy a near-duplicate cluster keeps.
    pub keep: KeepRule,
    /// Take boilerplate out before anything is compared (default true).
    pub strip_boilerplate: bool,
    /// Corpora of at most this many documents have every pair aligned with
    /// `compare_texts` (paraphrases need no shared shingle). 64 documents
    /// are 2,016 pairs: a few seconds at most.
    pub align_all_up_to: usize,
    /// In larger corpora, pairs whose containment (either way) reaches this
    /// are aligned with `compare_texts`; the others get verbatim runs from
    /// the shingle index. 0.2: a fifth of a document shared is a copy or a
    /// rewrite worth a word diff; below it the overlap is quotes and
    /// stock sentences, which verbatim runs describe fully.
    pub align_min_containment: f64,
    /// Most pairs aligned with `compare_texts` in a large corpus (closest
    /// first); the rest get verbatim runs.
    pub max_aligned_pairs: usize,
    /// A shingle in more documents than this is not used to pair documents
    /// through the index (LSH still sees it): stock phrases would otherwise
    /// pair everything with everything. 64.
    pub max_df: usize,
}

impl Default for ReportParams {
    fn default() -> ReportParams {
        ReportParams {
            params: Params::default(),
            keep: KeepRule::Earliest,
            strip_boilerplate: true,
            align_all_up_to: 64,
            align_min_containment: 0.2,
            max_aligned_pairs: 50_000,
            max_df: 64,
        }
    }
}

impl ReportParams {
    /// Checks every field is in its range.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()?;
        if !(0.0..=1.0).contains(&self.align_min_containment) {
            return Err(Error::InvalidParams(format!(
                "alignment containment {} is not in 0..=1",
                self.align_min_containment
            )));
        }
        if self.max_df < 2 {
            return Err(Error::InvalidParams(
                "the index document-frequency cap must be at least 2".into(),
            ));
        }
        Ok(())
    }

    /// The LSH banding used for near-duplicate candidates: knee at the
    /// near-duplicate threshold, false negatives weighted over false
    /// positives (every candidate is verified exactly, a miss is final).
    pub fn lsh(&self) -> LshParams {
        LshParams::optimal(
            self.params.near_duplicate_jaccard,
            self.params.num_hashes,
            LSH_FP_WEIGHT,
            1.0 - LSH_FP_WEIGHT,
        )
    }
}

/// Weight of false positives when choosing bands x rows. 0.2: a false
/// candidate costs one exact check, a missed pair is lost for good.
pub const LSH_FP_WEIGHT: f64 = 0.2;

/// Stage reports for a progress display. The library never draws one; the
/// CLI implements this with indicatif.
pub trait Progress: Sync {
    /// A stage starts with `total` steps.
    fn start(&self, _stage: &str, _total: u64) {}
    /// `n` more steps of the current stage are done.
    fn advance(&self, _n: u64) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// One document's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSummary {
    /// The document's id (path or JSONL id).
    pub id: String,
    /// Its source, if known.
    pub source: Option<String>,
    /// Which rule gave the source.
    pub source_rule: SourceRule,
    /// Its date, if known.
    pub date: Option<String>,
    /// All words.
    pub words: usize,
    /// Words of boilerplate.
    pub boilerplate_words: usize,
    /// Words of content (all words less boilerplate).
    pub content_words: usize,
    /// Content words shared with no other source.
    pub unique_words: usize,
    /// `unique_words / content_words` (1 for a document with no content).
    pub unique_fraction: f64,
    /// Runs of unique content, as spans of the document's text.
    pub unique: Vec<Span>,
}

/// One verified pair of documents.
#[derive(Debug, Clone, PartialEq)]
pub struct PairReport {
    /// Index of the first document (`a < b`).
    pub a: usize,
    /// Index of the second document.
    pub b: usize,
    /// Exact Jaccard of the content shingle sets.
    pub jaccard: f64,
    /// Share of A's content shingles found in B.
    pub containment_a: f64,
    /// Share of B's content shingles found in A.
    pub containment_b: f64,
    /// The verdict, by the same rule as `compare`.
    pub verdict: Verdict,
    /// Pairwise passages found between the two.
    pub passages: usize,
    /// True when the pair was aligned with `compare_texts` (else its
    /// passages are verbatim runs from the shingle index).
    pub aligned: bool,
}

impl PairReport {
    /// The larger containment: how much of the smaller side is in the other.
    pub fn containment(&self) -> f64 {
        self.containment_a.max(self.containment_b)
    }
}

/// One source's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSummary {
    /// The source's name (`None` groups documents with no source; each of
    /// them counts as its own source for unique material).
    pub name: Option<String>,
    /// Its documents, ascending.
    pub docs: Vec<usize>,
    /// Content words over its documents.
    pub content_words: usize,
    /// Content words shared with no other source.
    pub unique_words: usize,
    /// `unique_words / content_words`.
    pub unique_fraction: f64,
    /// Boilerplate words over its documents.
    pub boilerplate_words: usize,
    /// The rules that gave its documents this source, each once, in
    /// [`SourceRule`] order ([`SourceRule::None`] for the unnamed group).
    pub rules: Vec<SourceRule>,
}

/// How the candidates were found, for the curious and for benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportStats {
    /// Documents.
    pub documents: usize,
    /// Words per shingle.
    pub shingle_size: usize,
    /// LSH banding used.
    pub lsh: LshParams,
    /// Distinct pairs proposed by LSH.
    pub lsh_pairs: usize,
    /// Distinct pairs proposed by the shingle index.
    pub index_pairs: usize,
    /// Pairs verified exactly (union of both).
    pub verified_pairs: usize,
    /// Pairs aligned with `compare_texts`.
    pub aligned_pairs: usize,
}

/// The corpus-wide overlap map.
#[derive(Debug, Clone)]
pub struct CorpusReport {
    /// Per document, in input order.
    pub documents: Vec<DocumentSummary>,
    /// Per source, sorted by name (no-source documents last).
    pub sources: Vec<SourceSummary>,
    /// Pairs that share something (verdict other than distinct, or at least
    /// one passage), by closeness: Jaccard, then containment, descending.
    pub pairs: Vec<PairReport>,
    /// Near-duplicate clusters, largest first.
    pub clusters: Vec<Cluster>,
    /// Corpus-wide shared passages, most widely shared first.
    pub passages: Vec<CorpusPassage>,
    /// Boilerplate per document and per source.
    pub boilerplate: CorpusBoilerplate,
    /// Inputs that could not be read (filled by the caller).
    pub unreadable: Vec<InputFailure>,
    /// How the work went.
    pub stats: ReportStats,
}

/// One document prepared for comparison: its text (tokens, analysis and
/// body under the engine's final model) and the shingles of its body words
/// by position (for the shingle index and verbatim runs).
pub(crate) struct Prepared<'a> {
    pub text: Text<'a>,
    pub shingles_at: Vec<u64>,
}

/// One pairwise passage: `a`'s content tokens `a_tokens` and `b`'s
/// `b_tokens` hold the same material.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub a: usize,
    pub b: usize,
    pub a_tokens: Range<usize>,
    pub b_tokens: Range<usize>,
    pub kind: PassageKind,
    pub moved: bool,
    pub score: f64,
    /// The word diff from A's side to B's (content token indices).
    pub ops: Vec<DiffOp>,
}

/// Builds the report of `docs`.
///
/// ```
/// use copydesk::report::{build, NoProgress, ReportParams};
/// use copydesk::Document;
/// let shared = "Almost 3,000 operations were cancelled across England due to the strike.";
/// let mut a = Document::from_text("a", format!("{shared} Ministers said more."));
/// a.source = Some("ibtimes".into());
/// let mut b = Document::from_text("b", format!("Doctors walked out. {shared}"));
/// b.source = Some("bbc".into());
/// let r = build(&[a, b], &ReportParams::default(), &NoProgress).unwrap();
/// assert_eq!(r.passages.len(), 1);
/// assert_eq!(r.passages[0].occurrences.len(), 2);
/// assert!(r.documents[0].unique_fraction < 0.5);
/// ```
pub fn build(
    docs: &[Document],
    rp: &ReportParams,
    progress: &dyn Progress,
) -> Result<CorpusReport> {
    rp.validate()?;
    let k = rp.params.shingle_size;
    let n = docs.len();
    // 1. The same-story decisions: the filter's engine over the corpus in
    //    the keep rule's order, so the copy the rule keeps is met first.
    progress.start("deciding", n as u64);
    let words: Vec<usize> = if rp.keep == KeepRule::Longest {
        docs.par_iter()
            .map(|d| {
                let a = Analysis::new(&d.text, k);
                a.body_mask(&[]).iter().filter(|&&b| b).count()
            })
            .collect()
    } else {
        vec![0; n]
    };
    let order = cluster::keep_order(docs, &words, &rp.keep);
    let ordered: Vec<&Document> = order.iter().map(|&i| &docs[i]).collect();
    let opts = FilterOptions {
        params: rp.params.clone(),
        boilerplate: rp.strip_boilerplate,
        ..FilterOptions::default()
    };
    let mut done = 0;
    let decided = decide_documents(&ordered, &opts, &mut |lines| {
        progress.advance(lines.saturating_sub(done));
        done = done.max(lines);
    })?;
    let mut drops: Vec<(usize, usize)> = Vec::new();
    let mut engine_pairs: HashMap<(usize, usize), (f64, f64, Reason)> = HashMap::new();
    for (pos, o) in decided.outcomes.iter().enumerate() {
        if let DocumentOutcome::Dropped {
            of,
            reason,
            jaccard,
            containment,
        } = *o
        {
            let (copy, kept) = (order[pos], order[of]);
            drops.push((copy, kept));
            engine_pairs.insert(
                (copy.min(kept), copy.max(kept)),
                (jaccard, containment, reason),
            );
        }
    }
    progress.advance((n as u64).saturating_sub(done));
    // 2. Every document under what the engine learned by the end.
    progress.start("analysing", n as u64);
    let model = &decided.model;
    let prepared: Vec<Prepared<'_>> = docs
        .par_iter()
        .map(|d| {
            let text = Text::with_model(
                &d.text,
                d.source.as_deref(),
                model,
                rp.strip_boilerplate,
                &rp.params,
            );
            let hashes: Vec<u64> = text.content.hashes().collect();
            let shingles_at = shingle_positions(&hashes, k);
            progress.advance(1);
            Prepared { text, shingles_at }
        })
        .collect();
    let source_keys: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| source_key(d, i))
        .collect();
    let boilerplate = corpus_boilerplate(docs, &prepared, model, &source_keys);
    // 3. Candidates for the pairs: LSH over the bodies, and the index of
    //    body shingles for everything that shares a passage.
    progress.start("candidates", n as u64);
    let lsh = rp.lsh();
    let sigs: Vec<Signature> = prepared
        .par_iter()
        .map(|p| Signature::from_shingles(p.text.body.as_slice(), lsh.width()))
        .collect();
    let lsh_pairs = candidates::lsh_pairs(&sigs, &prepared, lsh);
    let index = candidates::ShingleIndex::build(&prepared, k, rp.max_df);
    let min_shared = rp.params.min_passage_words.saturating_sub(k - 1).max(1);
    let index_pairs = index.pair_counts(min_shared as u32);
    progress.advance(n as u64);
    let mut pair_keys: Vec<(u32, u32)> = lsh_pairs
        .iter()
        .copied()
        .chain(index_pairs.iter().map(|&(a, b, _)| (a, b)))
        .chain(engine_pairs.keys().map(|&(a, b)| (a as u32, b as u32)))
        .collect();
    if n <= rp.align_all_up_to {
        for a in 0..n as u32 {
            for b in a + 1..n as u32 {
                pair_keys.push((a, b));
            }
        }
    }
    pair_keys.sort_unstable();
    pair_keys.dedup();
    // 4. Every candidate judged, by the one judgement; a pair the engine
    //    decided keeps the engine's judgement (it was made as the stream
    //    stood then, with what the model knew of both).
    progress.start("judging", pair_keys.len() as u64);
    let judged: Vec<Judgement> = pair_keys
        .par_iter()
        .map(|&(a, b)| {
            let (pa, pb) = (&prepared[a as usize].text, &prepared[b as usize].text);
            let mut j = judge(&pa.side(), &pb.side(), &rp.params);
            if let Some(&(jaccard, containment, reason)) =
                engine_pairs.get(&(a as usize, b as usize))
            {
                j.same = Some(same_story_of(reason, jaccard, &rp.params));
                j.guard = None;
                j.jaccard = jaccard;
                j.containment = containment;
            }
            progress.advance(1);
            j
        })
        .collect();
    // Which pairs get the full aligner.
    let containment_of = |i: usize| {
        let (a, b) = (pair_keys[i].0 as usize, pair_keys[i].1 as usize);
        let (sa, sb) = (&prepared[a].text.body, &prepared[b].text.body);
        sa.containment_in(sb).max(sb.containment_in(sa))
    };
    let mut align_idx: Vec<usize> = if n <= rp.align_all_up_to {
        (0..pair_keys.len()).collect()
    } else {
        let mut v: Vec<(usize, f64)> = (0..pair_keys.len())
            .map(|i| (i, containment_of(i)))
            .filter(|&(i, c)| judged[i].is_same() || c >= rp.align_min_containment)
            .collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        v.truncate(rp.max_aligned_pairs);
        let mut v: Vec<usize> = v.into_iter().map(|(i, _)| i).collect();
        v.sort_unstable();
        v
    };
    align_idx.dedup();
    progress.start("aligning", align_idx.len() as u64);
    let aligned: Vec<(usize, Verdict, Vec<Link>)> = align_idx
        .par_iter()
        .map(|&i| {
            let (a, b) = (pair_keys[i].0 as usize, pair_keys[i].1 as usize);
            let mut c = compare_texts(&prepared[a].text, &prepared[b].text, &rp.params);
            c.judgement = judged[i];
            let verdict = verdict_of(&judged[i], &c.passages);
            let links = c
                .passages
                .into_iter()
                .map(|sp| Link {
                    a,
                    b,
                    a_tokens: sp.passage.a_tokens,
                    b_tokens: sp.passage.b_tokens,
                    kind: sp.passage.kind,
                    moved: sp.passage.moved,
                    score: sp.passage.score,
                    ops: sp.ops,
                })
                .collect();
            progress.advance(1);
            (i, verdict, links)
        })
        .collect();
    // Verbatim runs from the index for the pairs not aligned.
    let mut is_aligned = vec![false; pair_keys.len()];
    for &i in &align_idx {
        is_aligned[i] = true;
    }
    let aligned_set: std::collections::HashSet<(u32, u32)> =
        align_idx.iter().map(|&i| pair_keys[i]).collect();
    let run_links = index.verbatim_runs(&prepared, min_shared, &aligned_set);
    let mut links: Vec<Link> = Vec::new();
    let mut verdicts: Vec<Option<Verdict>> = vec![None; pair_keys.len()];
    let mut passage_counts = vec![0usize; pair_keys.len()];
    for (i, v, ls) in aligned {
        verdicts[i] = Some(v);
        passage_counts[i] = ls.len();
        links.extend(ls);
    }
    let mut run_count: HashMap<(u32, u32), usize> = HashMap::new();
    for l in &run_links {
        *run_count.entry((l.a as u32, l.b as u32)).or_default() += 1;
    }
    links.extend(run_links);
    let mut pairs: Vec<PairReport> = Vec::new();
    for (i, &(a, b)) in pair_keys.iter().enumerate() {
        let (pa, pb) = (
            &prepared[a as usize].text.body,
            &prepared[b as usize].text.body,
        );
        let j = &judged[i];
        let count = if is_aligned[i] {
            passage_counts[i]
        } else {
            run_count.get(&(a, b)).copied().unwrap_or(0)
        };
        let verdict = verdicts[i].unwrap_or_else(|| Verdict::of(j.same, count > 0));
        if verdict == Verdict::Distinct && count == 0 {
            continue;
        }
        pairs.push(PairReport {
            a: a as usize,
            b: b as usize,
            jaccard: j.jaccard,
            containment_a: pa.containment_in(pb),
            containment_b: pb.containment_in(pa),
            verdict,
            passages: count,
            aligned: is_aligned[i],
        });
    }
    pairs.sort_by(|x, y| {
        y.jaccard
            .total_cmp(&x.jaccard)
            .then(y.containment().total_cmp(&x.containment()))
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    progress.start("clustering", 1);
    let clusters = cluster::clusters(docs, &words, &drops, &rp.keep);
    let (passages, covered) = passages::group(&links, &prepared, &source_keys);
    progress.advance(1);
    let documents: Vec<DocumentSummary> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| summarize(d, &prepared[i], &covered[i]))
        .collect();
    let sources = summarize_sources(docs, &documents);
    let stats = ReportStats {
        documents: n,
        shingle_size: k,
        lsh,
        lsh_pairs: lsh_pairs.len(),
        index_pairs: index_pairs.len(),
        verified_pairs: pair_keys.len(),
        aligned_pairs: align_idx.len(),
    };
    Ok(CorpusReport {
        documents,
        sources,
        pairs,
        clusters,
        passages,
        boilerplate,
        unreadable: Vec::new(),
        stats,
    })
}

/// How a pair the engine dropped is the same story, from its reason.
fn same_story_of(reason: Reason, jaccard: f64, p: &Params) -> SameStory {
    match reason {
        Reason::Exact => SameStory::Exact,
        Reason::Contained => SameStory::Contained,
        _ if jaccard >= p.duplicate_jaccard => SameStory::Duplicate,
        _ => SameStory::NearDuplicate,
    }
}

/// The verdict of a pair from its judgement and its passages (the rule of
/// `compare`).
fn verdict_of(j: &Judgement, passages: &[SharedPassage]) -> Verdict {
    Verdict::of(
        j.same,
        passages
            .iter()
            .any(|p| p.passage.kind != PassageKind::Paraphrase),
    )
}

/// Each document's boilerplate runs (furniture, and segments the model
/// learned as recurring or widespread), grouped into blocks per source.
fn corpus_boilerplate(
    docs: &[Document],
    prepared: &[Prepared<'_>],
    model: &BoilerplateModel,
    source_keys: &[String],
) -> CorpusBoilerplate {
    let runs: Vec<Vec<BoilerplateRun>> = prepared
        .par_iter()
        .zip(docs)
        .map(|(p, d)| {
            let t = &p.text;
            let a = &t.analysis;
            // Each word's reason and run: learned segments first, the
            // page's own furniture over them; runs found apart stay apart.
            let mut labels: Vec<Option<(BoilerplateReason, usize)>> = vec![None; t.tokens.len()];
            for (seg, &bad) in t.bad.iter().enumerate() {
                if bad {
                    let why = model
                        .reason(d.source.as_deref(), a.segs[seg])
                        .unwrap_or(BoilerplateReason::Recurring);
                    labels[a.segment(seg)]
                        .iter_mut()
                        .for_each(|l| *l = Some((why, usize::MAX)));
                }
            }
            for (id, (r, why)) in a.furniture.iter().enumerate() {
                labels[r.start as usize..r.end as usize]
                    .iter_mut()
                    .for_each(|l| *l = Some((*why, id)));
            }
            label_runs(&labels)
                .into_iter()
                .map(|(r, (why, _))| BoilerplateRun {
                    span: t.tokens.span_of(r.start, r.end - 1),
                    tokens: r,
                    reason: why,
                })
                .collect()
        })
        .collect();
    let hashes: Vec<Vec<u64>> = prepared
        .iter()
        .map(|p| p.text.tokens.hashes().collect())
        .collect();
    let mut bp = CorpusBoilerplate::group(runs, source_keys, &hashes);
    // Report sources under their real names.
    bp.sources.retain(|s| !s.blocks.is_empty());
    for s in &mut bp.sources {
        if s.source.starts_with('\u{0}') {
            s.source = docs[s.blocks[0].doc].id.clone();
        }
    }
    bp
}

/// The key a document's source is grouped by: its name, or a key of its
/// own when it has none (so it is its own source).
fn source_key(d: &Document, i: usize) -> String {
    match &d.source {
        Some(s) => s.clone(),
        None => format!("\u{0}{i}"),
    }
}

/// Shingle hashes by start position (a text shorter than `k` words but not
/// empty has one shingle).
pub(crate) fn shingle_positions(hashes: &[u64], k: usize) -> Vec<u64> {
    Shingles::new(hashes, k).into_vec()
}

fn summarize(d: &Document, p: &Prepared<'_>, covered: &[bool]) -> DocumentSummary {
    let p = &p.text;
    let words = p.tokens.len();
    let content_words = p.content.len();
    // Unique content at full-token positions, so a run never spans
    // boilerplate that was taken out between two content tokens.
    let mut unique_full = vec![false; words];
    let mut unique_words = 0;
    for (c, &pos) in p.content_pos.iter().enumerate() {
        if !covered[c] {
            unique_full[pos as usize] = true;
            unique_words += 1;
        }
    }
    let mut unique = Vec::new();
    let mut i = 0;
    while i < words {
        if unique_full[i] {
            let s = i;
            while i < words && unique_full[i] {
                i += 1;
            }
            unique.push(p.tokens.span_of(s, i - 1));
        } else {
            i += 1;
        }
    }
    DocumentSummary {
        id: d.id.clone(),
        source: d.source.clone(),
        source_rule: d.source_rule,
        date: d.date.clone(),
        words,
        boilerplate_words: words - content_words,
        content_words,
        unique_words,
        unique_fraction: fraction(unique_words, content_words),
        unique,
    }
}

fn fraction(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

fn summarize_sources(docs: &[Document], summaries: &[DocumentSummary]) -> Vec<SourceSummary> {
    let mut by: std::collections::BTreeMap<Option<&str>, Vec<usize>> = Default::default();
    for (i, d) in docs.iter().enumerate() {
        by.entry(d.source.as_deref()).or_default().push(i);
    }
    let mut out: Vec<SourceSummary> = by
        .into_iter()
        .map(|(name, members)| {
            let content: usize = members.iter().map(|&i| summaries[i].content_words).sum();
            let unique: usize = members.iter().map(|&i| summaries[i].unique_words).sum();
            let bp: usize = members
                .iter()
                .map(|&i| summaries[i].boilerplate_words)
                .sum();
            let mut rules: Vec<SourceRule> = members.iter().map(|&i| docs[i].source_rule).collect();
            rules.sort_unstable();
            rules.dedup();
            SourceSummary {
                rules,
                name: name.map(str::to_string),
                docs: members,
                content_words: content,
                unique_words: unique,
                unique_fraction: fraction(unique, content),
                boilerplate_words: bp,
            }
        })
        .collect();
    // Named sources by name, then the documents with none.
    out.sort_by(|a, b| (a.name.is_none(), &a.name).cmp(&(b.name.is_none(), &b.name)));
    out
}

/// A verbatim link's diff, over every word of both sides within it (the
/// body words match; furniture between them may not).
pub(crate) fn equal_ops(
    pa: &Prepared<'_>,
    ar: &Range<usize>,
    pb: &Prepared<'_>,
    br: &Range<usize>,
) -> Vec<DiffOp> {
    let full = |t: &Text<'_>, r: &Range<usize>| {
        t.content_pos[r.start] as usize..t.content_pos[r.end - 1] as usize + 1
    };
    crate::diff::word_diff(
        &pa.text.tokens,
        full(&pa.text, ar),
        &pb.text.tokens,
        full(&pb.text, br),
    )
}
