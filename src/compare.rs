//! `Comparison`: everything copydesk says about one pair of documents.
//!
//! [`compare`] analyses both texts ([`Text`]: tokens, furniture, body),
//! judges them ([`crate::judge`], the verdict every command gives), scores
//! them from their bodies' exact shingle sets, aligns the passages their
//! bodies share, diffs the wording inside each passage over every word of
//! both sides (furniture included: a word both have is never shown as
//! deleted), and collects the article text each side has that the other
//! lacks. Every renderer (text, side-by-side, JSON, HTML) draws from this
//! one result.

use std::cmp::Ordering;
use std::sync::OnceLock;
use std::time::Instant;

use serde::Serialize;

use crate::align::{align_texts_and_facts, canonical_order, Fact, Passage, PassageKind};
use crate::analysis::Analysis;
use crate::boilerplate::BoilerplateLookup;
use crate::diff::{word_diff_until, DiffOp};
use crate::judge::{judge, Judgement, SameStory, Side};
use crate::params::Params;
use crate::shingle::ShingleSet;
use crate::span::Span;
use crate::tokenize::Tokens;

/// A text ready to be compared: its words, its analysis and its body (the
/// words left once furniture and learned boilerplate are out).
#[derive(Debug)]
pub struct Text<'a> {
    /// The text every span points into.
    pub text: &'a str,
    /// All its words.
    pub tokens: Tokens,
    /// Its analysis.
    pub analysis: Analysis,
    /// Its learned boilerplate segments (one flag a segment, or empty).
    pub bad: Vec<bool>,
    /// Its body words, renumbered from 0 (spans still into `text`).
    pub content: Tokens,
    /// For each body word, its position among all words.
    pub content_pos: Vec<u32>,
    /// The set of its body's shingles.
    pub body: ShingleSet,
    /// Its source, when known.
    pub source: Option<&'a str>,
    /// True when nothing (or too little) was learned of its source's
    /// boilerplate (see [`crate::judge::Side::young`]).
    pub young: bool,
    full: OnceLock<ShingleSet>,
}

impl<'a> Text<'a> {
    /// `text` with its own furniture set aside and no source.
    pub fn new(text: &'a str, params: &Params) -> Text<'a> {
        Text::build(
            text,
            None,
            None::<&crate::boilerplate::BoilerplateSnapshot>,
            true,
            params,
        )
    }

    /// `text` of `source` with its own furniture (unless `furniture` is
    /// false: every word then counts) and what `model` learned of its
    /// source and the corpus set aside.
    pub fn with_model(
        text: &'a str,
        source: Option<&'a str>,
        model: &impl BoilerplateLookup,
        furniture: bool,
        params: &Params,
    ) -> Text<'a> {
        Text::build(text, source, Some(model), furniture, params)
    }

    fn build(
        text: &'a str,
        source: Option<&'a str>,
        model: Option<&impl BoilerplateLookup>,
        furniture: bool,
        params: &Params,
    ) -> Text<'a> {
        let k = params.shingle_size;
        let analysis = if furniture {
            Analysis::new(text, k)
        } else {
            Analysis::without_furniture(text, k)
        };
        let bad = model.map_or_else(Vec::new, |m| analysis.bad_segments(m, source));
        let young = model.is_none_or(|m| m.template_unlearned(source));
        let tokens = Tokens::new(text);
        let keep = analysis.body_mask(&bad);
        let content = tokens.filtered(&keep);
        let content_pos = (0..tokens.len() as u32)
            .filter(|&p| keep.get(p as usize).copied().unwrap_or(false))
            .collect();
        let body = ShingleSet::from_hashes(analysis.content_of(&bad, k));
        Text {
            text,
            tokens,
            analysis,
            bad,
            content,
            content_pos,
            body,
            source,
            young,
            full: OnceLock::new(),
        }
    }

    /// The text as [`judge`] sees it.
    pub fn side(&self) -> Side<'_> {
        Side {
            analysis: &self.analysis,
            body: &self.body,
            bad: &self.bad,
            source: self.source,
            full: &self.full,
            young: self.young,
        }
    }

    /// Runs of words that are not in the body (furniture and learned
    /// boilerplate), as spans.
    pub fn boilerplate(&self) -> Vec<Span> {
        let mut out = Vec::new();
        let mut next = 0usize;
        let mut push = |from: usize, to: usize| {
            if from < to {
                out.push(self.tokens.span_of(from, to - 1));
            }
        };
        for &p in &self.content_pos {
            push(next, p as usize);
            next = p as usize + 1;
        }
        push(next, self.tokens.len());
        out
    }

    /// The full-token range a range of body words spans.
    fn full_range(&self, r: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        if r.is_empty() {
            let at = self
                .content_pos
                .get(r.start)
                .map_or(self.tokens.len(), |&p| p as usize);
            return at..at;
        }
        self.content_pos[r.start] as usize..self.content_pos[r.end - 1] as usize + 1
    }
}

/// Similarity scores from the exact shingle sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Similarity {
    /// |A ∩ B| / |A ∪ B| over word shingles.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// Words per shingle.
    pub shingle_size: usize,
    /// Distinct shingles in A.
    pub shingles_a: usize,
    /// Distinct shingles in B.
    pub shingles_b: usize,
}

/// The overall relation of two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The same text (Jaccard at or above the duplicate threshold).
    Duplicate,
    /// A copy with edits, or one side mostly contained in the other.
    NearDuplicate,
    /// Some passages shared, most of the text not.
    Partial,
    /// Nothing shared beyond coincidence.
    Distinct,
}

impl Verdict {
    /// The verdict of a pair, for every command: from the judgement
    /// ([`crate::judge`]) whether the two are the same story (`duplicate`
    /// for an exact copy or Jaccard at least [`Params::duplicate_jaccard`],
    /// `near-duplicate` otherwise); if not, `partial` when they share a
    /// copied passage (verbatim or edited), `distinct` otherwise
    /// (paraphrases alone are shared facts, not copying).
    pub fn of(same: Option<SameStory>, shares_copied_passage: bool) -> Verdict {
        match same {
            Some(SameStory::Exact | SameStory::Duplicate) => Verdict::Duplicate,
            Some(SameStory::NearDuplicate | SameStory::Contained) => Verdict::NearDuplicate,
            None if shares_copied_passage => Verdict::Partial,
            None => Verdict::Distinct,
        }
    }

    /// The name used in every output format.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Duplicate => "duplicate",
            Verdict::NearDuplicate => "near-duplicate",
            Verdict::Partial => "partial",
            Verdict::Distinct => "distinct",
        }
    }
}

/// A shared passage with the word diff inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedPassage {
    /// Where the passage is in both documents, its kind and score.
    pub passage: Passage,
    /// How the wording differs, run by run, covering the whole passage.
    pub ops: Vec<DiffOp>,
}

/// The result of comparing document A with document B.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Exact shingle-set scores of the two bodies.
    pub similarity: Similarity,
    /// Duplicate, near-duplicate, partial or distinct.
    pub verdict: Verdict,
    /// The judgement the verdict comes from ([`crate::judge`]).
    pub judgement: Judgement,
    /// Shared passages in A's order.
    pub passages: Vec<SharedPassage>,
    /// The sentence pairs the passages link, graded as whole sentences, in
    /// A's order ([`crate::align::facts`]).
    pub facts: Vec<Fact>,
    /// Runs of A's words in no passage.
    pub unique_a: Vec<Span>,
    /// Runs of B's words in no passage.
    pub unique_b: Vec<Span>,
    /// Share of A's words inside passages.
    pub coverage_a: f64,
    /// Share of B's words inside passages.
    pub coverage_b: f64,
    /// Runs of A's words set aside as boilerplate (neither shared nor
    /// unique).
    pub boilerplate_a: Vec<Span>,
    /// Runs of B's words set aside as boilerplate.
    pub boilerplate_b: Vec<Span>,
}

/// Compares two texts.
///
/// `compare(b, a)` is the mirror of `compare(a, b)`: the same passages
/// with the sides swapped, the same kinds, scores and verdict, the two
/// containments and coverages swapped.
///
/// ```
/// use copydesk::{compare, Params, Verdict};
/// let a = "Almost 3,000 operations were cancelled across England on Wednesday.";
/// let c = compare(a, a, &Params::default());
/// assert_eq!(c.verdict, Verdict::Duplicate);
/// assert_eq!(c.similarity.jaccard, 1.0);
/// ```
pub fn compare(a: &str, b: &str, params: &Params) -> Comparison {
    compare_texts(&Text::new(a, params), &Text::new(b, params), params)
}

/// Compares two prepared texts (the corpus report prepares each document
/// once, with what the corpus taught).
pub fn compare_texts(a: &Text<'_>, b: &Text<'_>, params: &Params) -> Comparison {
    let judgement = judge(&a.side(), &b.side(), params);
    // Work in the aligner's canonical order, so that every tie (in the
    // alignment and in the word diff) is broken the same way whichever
    // document comes first.
    if canonical_order(&a.content, &b.content) == Ordering::Greater {
        compare_oriented(b, a, judgement, params).mirrored()
    } else {
        compare_oriented(a, b, judgement, params)
    }
}

fn compare_oriented(
    a: &Text<'_>,
    b: &Text<'_>,
    judgement: Judgement,
    params: &Params,
) -> Comparison {
    let (sa, sb) = (&a.body, &b.body);
    let similarity = Similarity {
        jaccard: sa.jaccard(sb),
        containment_a: sa.containment_in(sb),
        containment_b: sb.containment_in(sa),
        shingle_size: params.shingle_size,
        shingles_a: sa.len(),
        shingles_b: sb.len(),
    };
    let (found, facts) =
        align_texts_and_facts(a.text, &a.content, b.text, &b.content, params, true);
    let passages: Vec<SharedPassage> = found
        .into_iter()
        .map(|p| {
            let deadline = Instant::now().checked_add(params.diff_time_limit);
            // The diff covers every word of both sides within the
            // passage, furniture included.
            let (fa, fb) = (a.full_range(&p.a_tokens), b.full_range(&p.b_tokens));
            let ops = word_diff_until(&a.tokens, fa, &b.tokens, fb, deadline);
            SharedPassage { passage: p, ops }
        })
        .collect();
    let (unique_a, coverage_a) = uncovered(a, passages.iter().map(|p| p.passage.a_tokens.clone()));
    let (unique_b, coverage_b) = uncovered(b, passages.iter().map(|p| p.passage.b_tokens.clone()));
    let mut c = Comparison {
        similarity,
        verdict: Verdict::Distinct,
        judgement,
        passages,
        facts,
        unique_a,
        unique_b,
        coverage_a,
        coverage_b,
        boilerplate_a: a.boilerplate(),
        boilerplate_b: b.boilerplate(),
    };
    c.verdict = verdict(&c);
    c
}

impl Comparison {
    /// The same comparison seen from the other document (A and B swapped).
    pub fn mirrored(&self) -> Comparison {
        let s = &self.similarity;
        let mut passages: Vec<SharedPassage> = self
            .passages
            .iter()
            .map(|p| SharedPassage {
                passage: p.passage.mirrored(),
                ops: p.ops.iter().map(DiffOp::mirrored).collect(),
            })
            .collect();
        passages.sort_by_key(|p| p.passage.a_tokens.start);
        let mut facts: Vec<Fact> = self.facts.iter().map(Fact::mirrored).collect();
        facts.sort_by_key(|f| (f.a_tokens.start, f.b_tokens.start));
        Comparison {
            similarity: Similarity {
                jaccard: s.jaccard,
                containment_a: s.containment_b,
                containment_b: s.containment_a,
                shingle_size: s.shingle_size,
                shingles_a: s.shingles_b,
                shingles_b: s.shingles_a,
            },
            verdict: self.verdict,
            judgement: self.judgement,
            passages,
            facts,
            unique_a: self.unique_b.clone(),
            unique_b: self.unique_a.clone(),
            coverage_a: self.coverage_b,
            coverage_b: self.coverage_a,
            boilerplate_a: self.boilerplate_b.clone(),
            boilerplate_b: self.boilerplate_a.clone(),
        }
    }

    /// How strongly A reuses B, from 0 (no shared passage) towards 1 (A
    /// copied verbatim from B): the reuse level of A, as in plagiarism
    /// grading (copied > lightly edited > rewritten > independent).
    ///
    /// It is *how faithfully* A's shared words were taken, times *how sure*
    /// it is that A reuses B at all:
    ///
    /// - faithfulness: the mean, over A's words inside passages, of their
    ///   passage's copy intensity: 1 for verbatim, the passage's score (its
    ///   share of matched words) for edited, [`PARAPHRASE_INTENSITY`] for a
    ///   paraphrase;
    /// - certainty: `1 - exp(-s / REUSE_CERTAINTY_SCALE)` where `s` is the
    ///   share of A's words inside passages (`coverage_a`).
    ///
    /// The amount enters only through certainty, because the level of
    /// reuse is about how text was taken, not how much of it: a third of
    /// an answer pasted from a source is a cut-and-paste, the whole answer
    /// reworded is a rewrite. 0 for a text without words.
    pub fn reuse_a(&self) -> f64 {
        self.reuse(true)
    }

    /// How strongly B reuses A (see [`Comparison::reuse_a`]).
    pub fn reuse_b(&self) -> f64 {
        self.reuse(false)
    }

    fn reuse(&self, side_a: bool) -> f64 {
        let (mut inside, mut intensity) = (0.0, 0.0);
        for p in &self.passages {
            let q = &p.passage;
            let n = if side_a {
                q.a_tokens.len()
            } else {
                q.b_tokens.len()
            } as f64;
            inside += n;
            intensity += n * match q.kind {
                PassageKind::Verbatim => 1.0,
                PassageKind::Edited => q.score,
                PassageKind::Paraphrase => PARAPHRASE_INTENSITY,
            };
        }
        if inside == 0.0 {
            return 0.0;
        }
        // The share of the side inside passages is its coverage.
        let share = if side_a {
            self.coverage_a
        } else {
            self.coverage_b
        };
        intensity / inside * (1.0 - (-share / REUSE_CERTAINTY_SCALE).exp())
    }
}

/// Copy intensity of a paraphrase passage's words in
/// [`Comparison::reuse_a`]: the same facts in other words, halfway between
/// no reuse and a verbatim copy; an edited passage scores between it and 1
/// (its share of matched words is above one half by construction).
pub const PARAPHRASE_INTENSITY: f64 = 0.5;

/// Share of a text inside shared passages at which
/// [`Comparison::reuse_a`] is 63% sure the text reuses the other (a tenth:
/// one paragraph of a short article); a third gives 96%. A round value,
/// not fitted: on the Clough-Stevenson corpus 0.05 to 0.15 give AUC
/// 0.979-0.980 and rho 0.857-0.859 (README, "Evaluation").
pub const REUSE_CERTAINTY_SCALE: f64 = 0.1;

/// The verdict of a comparison ([`Verdict::of`], the rule README.md
/// documents in "Verdicts and thresholds").
fn verdict(c: &Comparison) -> Verdict {
    Verdict::of(
        c.judgement.same,
        c.passages
            .iter()
            .any(|p| p.passage.kind != PassageKind::Paraphrase),
    )
}

/// Maximal runs of body words outside the `covered` ranges (of body
/// words), as spans (a run never spans boilerplate between two body
/// words), and the share of body words covered.
fn uncovered(
    t: &Text<'_>,
    covered: impl Iterator<Item = std::ops::Range<usize>>,
) -> (Vec<Span>, f64) {
    let n = t.content.len();
    let mut is_covered = vec![false; n];
    for r in covered {
        is_covered[r].iter_mut().for_each(|c| *c = true);
    }
    let mut spans = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for (i, &c) in is_covered.iter().enumerate() {
        let pos = t.content_pos[i] as usize;
        run = match (c, run) {
            (false, Some((s, last))) if pos == last + 1 => Some((s, pos)),
            (false, prev) => {
                if let Some((s, last)) = prev {
                    spans.push(t.tokens.span_of(s, last));
                }
                Some((pos, pos))
            }
            (true, prev) => {
                if let Some((s, last)) = prev {
                    spans.push(t.tokens.span_of(s, last));
                }
                None
            }
        };
    }
    if let Some((s, last)) = run {
        spans.push(t.tokens.span_of(s, last));
    }
    let inside = is_covered.iter().filter(|&&c| c).count();
    let share = if n == 0 {
        1.0
    } else {
        inside as f64 / n as f64
    };
    (spans, share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_are_one_verbatim_passage() {
        let a = "The BMA said the offer was not enough. Ministers will impose the contract.";
        let c = compare(a, a, &Params::default());
        assert_eq!(c.verdict, Verdict::Duplicate);
        assert_eq!(c.passages.len(), 1);
        assert_eq!(c.passages[0].passage.a.slice(a), &a[..a.len() - 1]);
        assert!(c.unique_a.is_empty() && c.unique_b.is_empty());
    }

    /// The word diff of a short passage never depends on how busy the
    /// machine is: under load the 100 ms deadline passed mid-diff and
    /// `compare(b, a)` came out coarser than the mirror of `compare(a, b)`
    /// (found by the `align` fuzz target; issue 14). A deadline already
    /// past stands for the busiest machine.
    #[test]
    fn short_passage_diff_ignores_the_deadline_fuzz_align() {
        let a = "Home | News | Sport\nThe mhe contract.\nShare thes article";
        let b = "Home | News | Sport\nWeeks of pressure ended on Tuesday: the minis\u{1}\
                 \0\0\0\0\0\0\0gned over the contract.\nShare this article";
        let busy = Params {
            diff_time_limit: std::time::Duration::ZERO,
            ..Params::default()
        };
        for (x, y) in [(a, b), (b, a)] {
            let calm = compare(x, y, &Params::default());
            assert!(calm.passages.iter().any(|p| p.ops.len() > 2), "{calm:?}");
            assert_eq!(format!("{:?}", compare(x, y, &busy)), format!("{calm:?}"));
        }
    }

    #[test]
    fn unique_material_is_reported_per_side() {
        let a = "Local reaction first. The quick brown fox jumps over the lazy dog.";
        let b = "The quick brown fox jumps over the lazy dog. A footer line.";
        let c = compare(a, b, &Params::default());
        let ua: Vec<&str> = c.unique_a.iter().map(|s| s.slice(a)).collect();
        let ub: Vec<&str> = c.unique_b.iter().map(|s| s.slice(b)).collect();
        assert_eq!(ua, ["Local reaction first"]);
        assert_eq!(ub, ["A footer line"]);
    }
}
