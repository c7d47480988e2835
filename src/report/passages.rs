//! Corpus passages: pairwise passages grouped so that the same passage in
//! several documents is one entry.
//!
//! Grouping is star-shaped, like the clusters: the longest link endpoint not
//! yet used seeds a passage; every link from a stretch of the seed's
//! document that overlaps the seed by at least half of both adds its other
//! end as an occurrence. No transitive chaining: a sentence that runs on
//! into the next one in a third document does not drag that document's
//! other passages in. Each occurrence carries the word diff from the seed's
//! wording to its own (from the link that joined it), and occurrences with
//! the same folded words share one variant.

use std::collections::HashMap;
use std::ops::Range;

use super::{Link, Prepared};
use crate::align::PassageKind;
use crate::diff::{DiffOp, DiffTag};
use crate::span::Span;

/// One place a corpus passage occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The document.
    pub doc: usize,
    /// Byte span in the document's text.
    pub span: Span,
    /// Content-token range (boilerplate taken out), end-exclusive.
    pub tokens: Range<usize>,
    /// Index into the passage's variants.
    pub variant: usize,
    /// Word diff from the first occurrence's wording to this one (empty for
    /// the first occurrence itself). Spans: `a` in the first occurrence's
    /// document, `b` in this one's.
    pub ops: Vec<DiffOp>,
    /// True when this copy sits elsewhere in its document than the order of
    /// passages predicts (moved paragraph).
    pub moved: bool,
}

/// One wording of a passage.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Indices of the occurrences worded this way (same folded words).
    pub occurrences: Vec<usize>,
}

/// A passage shared by two or more documents.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusPassage {
    /// Every occurrence; the first is the seed every diff is taken from.
    pub occurrences: Vec<Occurrence>,
    /// Distinct wordings; the first is the seed's.
    pub variants: Vec<Variant>,
    /// The loosest relation among the occurrences: verbatim, edited or
    /// paraphrase.
    pub kind: PassageKind,
    /// Lowest match score among the links that formed it.
    pub score: f64,
    /// Distinct sources among the occurrences.
    pub sources: usize,
}

impl CorpusPassage {
    /// Words of the seed occurrence.
    pub fn words(&self) -> usize {
        self.occurrences[0].tokens.len()
    }
}

/// Overlap two stretches of one document need, as a share of each, to be
/// the same passage. 0.5: one sentence of a two-sentence run is not the run.
const SAME_STRETCH: f64 = 0.5;

fn same_stretch(x: &Range<usize>, y: &Range<usize>) -> bool {
    let o = x.end.min(y.end).saturating_sub(x.start.max(y.start));
    o as f64 >= SAME_STRETCH * x.len().max(y.len()) as f64
}

/// Groups links into corpus passages. Also returns, per document and per
/// content token, whether another source shares it.
pub(crate) fn group(
    links: &[Link],
    prepared: &[Prepared],
    source_keys: &[String],
) -> (Vec<CorpusPassage>, Vec<Vec<bool>>) {
    let n = prepared.len();
    // Unique material: covered by a link to another source.
    let mut covered: Vec<Vec<bool>> = prepared
        .iter()
        .map(|p| vec![false; p.text.content.len()])
        .collect();
    for l in links {
        if source_keys[l.a] != source_keys[l.b] {
            covered[l.a][l.a_tokens.clone()]
                .iter_mut()
                .for_each(|c| *c = true);
            covered[l.b][l.b_tokens.clone()]
                .iter_mut()
                .for_each(|c| *c = true);
        }
    }

    // Endpoints per document: (range, link, is the link's A side).
    let mut ends: Vec<Vec<(Range<usize>, usize, bool)>> = vec![Vec::new(); n];
    for (i, l) in links.iter().enumerate() {
        ends[l.a].push((l.a_tokens.clone(), i, true));
        ends[l.b].push((l.b_tokens.clone(), i, false));
    }
    for e in &mut ends {
        e.sort_by_key(|x| (x.0.start, x.0.end, x.1));
    }
    // Seeds: longest first, then by document and place.
    let mut seeds: Vec<(usize, usize)> = (0..n)
        .flat_map(|d| (0..ends[d].len()).map(move |j| (d, j)))
        .collect();
    seeds.sort_by(|&(d1, j1), &(d2, j2)| {
        let (r1, r2) = (&ends[d1][j1].0, &ends[d2][j2].0);
        r2.len()
            .cmp(&r1.len())
            .then((d1, r1.start).cmp(&(d2, r2.start)))
    });
    let mut used = vec![false; links.len()];
    let mut passages = Vec::new();
    for (d, j) in seeds {
        let (seed, li, _) = &ends[d][j];
        if used[*li] {
            continue;
        }
        let seed = seed.clone();
        // Every unused link from a stretch of d matching the seed.
        let mut members: Vec<(usize, Range<usize>, usize, bool)> = Vec::new(); // doc, range, link, seed is link's A side
        for (r, li, is_a) in &ends[d] {
            if r.start >= seed.end {
                break;
            }
            if used[*li] || !same_stretch(r, &seed) {
                continue;
            }
            let l = &links[*li];
            let (other, orange) = if *is_a {
                (l.b, l.b_tokens.clone())
            } else {
                (l.a, l.a_tokens.clone())
            };
            if other == d || members.iter().any(|m| m.0 == other) {
                continue;
            }
            members.push((other, orange, *li, *is_a));
        }
        if members.is_empty() {
            continue;
        }
        members.sort_by_key(|m| (m.0, m.1.start));
        for m in &members {
            used[m.2] = true;
        }
        // Links among the members (and from the seed's doc) describing the
        // same stretches are part of this passage too: mark them used.
        let docs_in: HashMap<usize, Range<usize>> = std::iter::once((d, seed.clone()))
            .chain(members.iter().map(|m| (m.0, m.1.clone())))
            .collect();
        for (&doc, range) in &docs_in {
            for (r, li, is_a) in &ends[doc] {
                if r.start >= range.end {
                    break;
                }
                if used[*li] || !same_stretch(r, range) {
                    continue;
                }
                let l = &links[*li];
                let (other, orange) = if *is_a {
                    (l.b, &l.b_tokens)
                } else {
                    (l.a, &l.a_tokens)
                };
                if docs_in.get(&other).is_some_and(|o| same_stretch(o, orange)) {
                    used[*li] = true;
                }
            }
        }
        passages.push(build_passage(
            d,
            seed,
            &members,
            links,
            prepared,
            source_keys,
        ));
    }
    passages.sort_by(|a, b| {
        (b.sources, b.occurrences.len(), b.words())
            .cmp(&(a.sources, a.occurrences.len(), a.words()))
            .then(
                (a.occurrences[0].doc, a.occurrences[0].tokens.start)
                    .cmp(&(b.occurrences[0].doc, b.occurrences[0].tokens.start)),
            )
    });
    (passages, covered)
}

fn build_passage(
    d: usize,
    seed: Range<usize>,
    members: &[(usize, Range<usize>, usize, bool)],
    links: &[Link],
    prepared: &[Prepared],
    source_keys: &[String],
) -> CorpusPassage {
    let mut kind = PassageKind::Verbatim;
    let mut score: f64 = 1.0;
    let mut occurrences = vec![Occurrence {
        doc: d,
        span: prepared[d].text.content.span_of(seed.start, seed.end - 1),
        tokens: seed.clone(),
        variant: 0,
        ops: Vec::new(),
        moved: false,
    }];
    for (doc, range, li, seed_is_a) in members {
        let l = &links[*li];
        kind = kind.max(l.kind);
        score = score.min(l.score);
        let ops = if *seed_is_a {
            l.ops.clone()
        } else {
            l.ops.iter().map(flip).collect()
        };
        occurrences.push(Occurrence {
            doc: *doc,
            span: prepared[*doc]
                .text
                .content
                .span_of(range.start, range.end - 1),
            tokens: range.clone(),
            variant: 0,
            ops,
            moved: l.moved,
        });
    }
    // Variants by folded words.
    let mut variants: Vec<Variant> = Vec::new();
    let mut by_words: HashMap<Vec<u64>, usize> = HashMap::new();
    for (i, o) in occurrences.iter_mut().enumerate() {
        let words: Vec<u64> = prepared[o.doc].text.content.as_slice()[o.tokens.clone()]
            .iter()
            .map(|t| t.hash)
            .collect();
        let v = *by_words.entry(words).or_insert_with(|| {
            variants.push(Variant {
                occurrences: Vec::new(),
            });
            variants.len() - 1
        });
        variants[v].occurrences.push(i);
        o.variant = v;
    }
    let mut sources: Vec<&str> = occurrences
        .iter()
        .map(|o| source_keys[o.doc].as_str())
        .collect();
    sources.sort_unstable();
    sources.dedup();
    CorpusPassage {
        sources: sources.len(),
        occurrences,
        variants,
        kind,
        score,
    }
}

/// A diff op seen from the other side.
fn flip(op: &DiffOp) -> DiffOp {
    DiffOp {
        tag: match op.tag {
            DiffTag::Delete => DiffTag::Insert,
            DiffTag::Insert => DiffTag::Delete,
            t => t,
        },
        a: op.b,
        b: op.a,
        a_tokens: op.b_tokens.clone(),
        b_tokens: op.a_tokens.clone(),
    }
}
