//! Verbatim and edited passages: exact matches (anchors) joined across
//! small gaps.
//!
//! 1. Seeds: every `k`-word window of A whose words also occur, in the same
//!    order, in B (found by sorting window hashes, not by a quadratic scan).
//!    Windows repeated so often that pairing them would be quadratic are
//!    skipped as seeds; runs through them are still found by extending
//!    neighbouring seeds, and the common prefix and suffix are always seeds.
//! 2. Anchors: each seed extended both ways to a maximal exact match; one
//!    anchor per match (seeds inside an anchor on its diagonal are skipped).
//! 3. Chains: a local chaining dynamic programme over anchors ordered by A.
//!    An anchor continues a chain when it starts after the previous anchor
//!    ends on both sides (an overlap is trimmed off its head) and both gaps
//!    are at most `max_gap_words`; each word of the longer gap costs half a
//!    matched word, so a chain only grows across a gap the next anchor pays
//!    for. A gap holding a whole exact match to elsewhere is not bridged: a
//!    short moved sentence is its own passage, not a deletion.
//! 4. Selection: chains are taken best first; a chain is kept when its
//!    anchors are free, its spans overlap no kept passage on either side and
//!    it carries enough evidence (matched words, content words). Chains that
//!    were blocked are rebuilt from the remaining anchors in the next round.
//!
//! Works on token hashes only; it is orientation-dependent only through
//! tie-breaking, which [`super::align`] makes canonical.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::shingle::Shingles;
use crate::words::is_function_word as is_stop_hash;

/// Pairs of equal windows allowed per distinct window before the window
/// stops seeding: 4 copies on each side still seed (a repeated sentence or
/// boilerplate line), a phrase repeated 10 times on both sides (100 pairs)
/// does not. Keeps seeding linear on repetitive text.
const MAX_SEED_PAIRS: usize = 16;

/// Chain scores count matched words twice, so half a word per gap word is
/// an integer: a chain grows across a gap of `g` words only when the next
/// anchor has more than `g / 2` words (a 3-word anchor pays for a 5-word
/// substitution, not for a 6-word one).
const WORD_VALUE: i64 = 2;
/// See [`WORD_VALUE`].
const GAP_WORD_COST: i64 = 1;

/// Predecessors looked at per anchor in the chaining programme; more only
/// happen on highly repetitive text, where the nearest ones are the ones
/// worth joining.
const MAX_PREDECESSORS: usize = 64;

/// Rounds of chaining and selection; a round only happens when the one
/// before kept a chain and left another blocked, so real texts need two or
/// three.
const MAX_ROUNDS: usize = 6;

/// An exact match: `len` equal words from `a` in A and `b` in B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Anchor {
    pub a: usize,
    pub b: usize,
    pub len: usize,
}

impl Anchor {
    fn a_end(&self) -> usize {
        self.a + self.len
    }
    fn b_end(&self) -> usize {
        self.b + self.len
    }
}

/// A kept verbatim or edited passage: its anchors (trimmed, in order).
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub anchors: Vec<Anchor>,
}

impl Chain {
    pub fn a_range(&self) -> Range<usize> {
        self.anchors[0].a..self.anchors[self.anchors.len() - 1].a_end()
    }
    pub fn b_range(&self) -> Range<usize> {
        self.anchors[0].b..self.anchors[self.anchors.len() - 1].b_end()
    }
    pub fn matched(&self) -> usize {
        self.anchors.iter().map(|x| x.len).sum()
    }
}

/// Limits and thresholds of the anchor stage (from [`crate::Params`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnchorParams {
    /// Words of an exact match that seed a chain.
    pub seed_words: usize,
    /// Largest gap, in words on either side, bridged between two anchors.
    pub max_gap_words: usize,
    /// Matched words a passage needs.
    pub min_passage_words: usize,
    /// Summed evidence weight ([`super::evidence`]) of its matched words a
    /// passage needs, unless it is long.
    pub min_evidence: f64,
    /// Matched words from which a passage needs no further evidence.
    pub long_passage_words: usize,
    /// Most passages kept.
    pub max_passages: usize,
}

/// Verbatim (one anchor) and edited (several) passages between `ah` and
/// `bh`, as chains that overlap nowhere on either side, best first.
/// `weights_a` is the evidence weight of each token of A.
pub(crate) fn chains(ah: &[u64], bh: &[u64], weights_a: &[f64], p: &AnchorParams) -> Vec<Chain> {
    let k = p.seed_words.max(1);
    let mut anchors = find_anchors(ah, bh, k);
    let mut kept: Vec<Chain> = Vec::new();
    let mut taken_a = Taken::new(ah.len());
    let mut taken_b = Taken::new(bh.len());
    for _ in 0..MAX_ROUNDS {
        if anchors.is_empty() || kept.len() >= p.max_passages {
            break;
        }
        let (accepted, blocked) = select_round(
            weights_a,
            &anchors,
            p,
            &mut taken_a,
            &mut taken_b,
            &mut kept,
        );
        if accepted == 0 || blocked == 0 {
            break;
        }
        // Keep what lies outside every kept passage on both sides.
        anchors = anchors
            .iter()
            .flat_map(|x| trim(x, &taken_a, &taken_b, k))
            .collect();
        anchors.sort_unstable();
    }
    kept
}

/// Ranges already kept on one side: a mark per word for short queries and
/// the ranges keyed by start (they never overlap) for long ones.
#[derive(Debug)]
pub(super) struct Taken {
    marked: Vec<bool>,
    ranges: BTreeMap<usize, usize>,
}

/// Ranges up to this many words are checked word by word.
const SHORT_RANGE: usize = 64;

impl Taken {
    pub(super) fn new(len: usize) -> Taken {
        Taken {
            marked: vec![false; len],
            ranges: BTreeMap::new(),
        }
    }

    /// True when `r` shares a position with a kept range.
    pub(super) fn overlaps(&self, r: &Range<usize>) -> bool {
        if r.is_empty() {
            return false;
        }
        if r.len() <= SHORT_RANGE {
            return self.marked[r.clone()].iter().any(|&m| m);
        }
        if let Some((_, &end)) = self.ranges.range(..=r.start).next_back() {
            if end > r.start {
                return true;
            }
        }
        self.ranges.range(r.start..r.end).next().is_some()
    }

    /// True when position `pos` is inside a kept range.
    fn contains(&self, pos: usize) -> bool {
        self.marked[pos]
    }

    /// Records the kept range `r`, which overlaps no kept range.
    pub(super) fn insert(&mut self, r: Range<usize>) {
        self.marked[r.clone()].iter_mut().for_each(|m| *m = true);
        self.ranges.insert(r.start, r.end);
    }
}

/// The parts of anchor `x` of at least `k` words whose positions are free
/// on both sides.
fn trim(x: &Anchor, ta: &Taken, tb: &Taken, k: usize) -> Vec<Anchor> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for t in 0..=x.len {
        let free = t < x.len && !ta.contains(x.a + t) && !tb.contains(x.b + t);
        match (free, start) {
            (true, None) => start = Some(t),
            (false, Some(s)) => {
                if t - s >= k {
                    out.push(Anchor {
                        a: x.a + s,
                        b: x.b + s,
                        len: t - s,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The key of every `k`-word window holding a content word (its shingle,
/// [`Shingles`]), with its position, sorted. Windows of function words only
/// ("and it was") seed nothing: they match everywhere, and a run through
/// them is still found from the windows around it.
fn keyed_windows(h: &[u64], k: usize) -> Vec<(u64, u32)> {
    if h.len() < k {
        return Vec::new();
    }
    let stop: Vec<bool> = h.iter().map(|&x| is_stop_hash(x)).collect();
    // One shingle per window position: the text has at least `k` words.
    let mut v: Vec<(u64, u32)> = Shingles::new(h, k)
        .enumerate()
        .filter(|&(i, _)| !stop[i..i + k].iter().all(|&s| s))
        .map(|(i, key)| (key, i as u32))
        .collect();
    v.sort_unstable();
    v
}

/// Maximal exact matches of at least `k` words, sorted by (A start, B start).
pub(crate) fn find_anchors(ah: &[u64], bh: &[u64], k: usize) -> Vec<Anchor> {
    let (na, nb) = (ah.len(), bh.len());
    if na < k || nb < k || k == 0 {
        return Vec::new();
    }
    let wa = keyed_windows(ah, k);
    let wb = keyed_windows(bh, k);
    // Seeds as (diagonal, A position); diagonal = B - A, offset to stay
    // unsigned.
    let mut seeds: Vec<(usize, usize)> = Vec::new();
    let diag = |i: usize, j: usize| j + na - i;
    let (mut x, mut y) = (0, 0);
    while x < wa.len() && y < wb.len() {
        let (ka, kb) = (wa[x].0, wb[y].0);
        if ka < kb {
            x += 1;
        } else if kb < ka {
            y += 1;
        } else {
            let xe = x + wa[x..].iter().take_while(|w| w.0 == ka).count();
            let ye = y + wb[y..].iter().take_while(|w| w.0 == kb).count();
            if (xe - x) * (ye - y) <= MAX_SEED_PAIRS {
                for &(_, i) in &wa[x..xe] {
                    for &(_, j) in &wb[y..ye] {
                        seeds.push((diag(i as usize, j as usize), i as usize));
                    }
                }
            }
            x = xe;
            y = ye;
        }
    }
    // The common prefix and suffix seed even when their words repeat.
    let prefix = ah.iter().zip(bh).take_while(|(x, y)| x == y).count();
    if prefix >= k {
        seeds.push((diag(0, 0), 0));
    }
    let suffix = ah
        .iter()
        .rev()
        .zip(bh.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
        .min(na.min(nb) - prefix);
    if suffix >= k {
        seeds.push((diag(na - suffix, nb - suffix), na - suffix));
    }
    seeds.sort_unstable();
    seeds.dedup();

    let mut anchors = Vec::new();
    let mut current_diag = usize::MAX;
    let mut covered_end = 0;
    for &(d, i) in &seeds {
        if d != current_diag {
            current_diag = d;
            covered_end = 0;
        }
        if i < covered_end {
            continue;
        }
        let j = d + i - na;
        if ah[i..i + k] != bh[j..j + k] {
            continue;
        }
        let back = ah[..i]
            .iter()
            .rev()
            .zip(bh[..j].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let fwd = ah[i + k..]
            .iter()
            .zip(&bh[j + k..])
            .take_while(|(x, y)| x == y)
            .count();
        let (s, len) = (i - back, back + k + fwd);
        anchors.push(Anchor {
            a: s,
            b: j - back,
            len,
        });
        covered_end = s + len;
    }
    anchors.sort_unstable();
    anchors
}

/// One round of chaining and greedy selection. Returns how many chains were
/// kept and how many were blocked by an earlier kept chain.
fn select_round(
    weights_a: &[f64],
    anchors: &[Anchor],
    p: &AnchorParams,
    taken_a: &mut Taken,
    taken_b: &mut Taken,
    kept: &mut Vec<Chain>,
) -> (usize, usize) {
    let nodes = chain_scores(
        anchors,
        p.max_gap_words,
        p.min_passage_words,
        taken_a,
        taken_b,
    );
    let mut order: Vec<usize> = (0..anchors.len()).collect();
    // Best chain end first; equal scores in (A, B) order.
    order.sort_by(|&x, &y| nodes[y].score.cmp(&nodes[x].score).then(x.cmp(&y)));
    let mut used = vec![false; anchors.len()];
    let (mut accepted, mut blocked) = (0, 0);
    for &end in &order {
        if kept.len() >= p.max_passages {
            break;
        }
        if used[end] {
            continue;
        }
        // The chain's spans, from its first anchor (never trimmed) and its
        // last, before walking it: a chain through a kept anchor overlaps
        // that passage, so a blocked chain costs a look-up, not a walk.
        // Walking every blocked chain was quadratic: a copy of A repeated
        // in B made a second chain of every length, each walked (issue 14).
        let (first, last) = (anchors[nodes[end].root], anchors[end]);
        let (ra, rb) = (first.a..last.a_end(), first.b..last.b_end());
        if taken_a.overlaps(&ra) || taken_b.overlaps(&rb) {
            blocked += 1;
            continue;
        }
        // Walk back from `end`, trimming each anchor's head as the chain
        // step decided.
        let mut members = Vec::new();
        let mut at = Some(end);
        while let Some(q) = at {
            members.push(q);
            at = nodes[q].pred;
        }
        members.reverse();
        debug_assert!(
            members.iter().all(|&m| !used[m]),
            "a chain through a kept anchor overlaps its passage"
        );
        let chain = Chain {
            anchors: members
                .iter()
                .map(|&m| {
                    let x = anchors[m];
                    let s = nodes[m].shift;
                    Anchor {
                        a: x.a + s,
                        b: x.b + s,
                        len: x.len - s,
                    }
                })
                .collect(),
        };
        debug_assert_eq!((chain.a_range(), chain.b_range()), (ra.clone(), rb.clone()));
        if !has_evidence(weights_a, &chain, p) {
            continue;
        }
        for &m in &members {
            used[m] = true;
        }
        taken_a.insert(ra);
        taken_b.insert(rb);
        kept.push(chain);
        accepted += 1;
    }
    (accepted, blocked)
}

/// Enough matched words, and among them enough words that are not matched
/// by chance: "in the middle of the" or "Health Secretary Jeremy Hunt has"
/// (all function words, or words all through both texts) are coincidence,
/// not a shared passage. A long run is evidence by its length.
fn has_evidence(weights_a: &[f64], c: &Chain, p: &AnchorParams) -> bool {
    let matched = c.matched();
    if matched < p.min_passage_words {
        return false;
    }
    if matched >= p.long_passage_words {
        return true;
    }
    let evidence: f64 = c
        .anchors
        .iter()
        .map(|x| weights_a[x.a..x.a_end()].iter().sum::<f64>())
        .sum();
    evidence >= p.min_evidence
}

#[derive(Debug, Clone, Copy)]
struct Node {
    /// Best chain score ending with this anchor.
    score: i64,
    /// Previous anchor of that chain.
    pred: Option<usize>,
    /// Words trimmed off this anchor's head to follow `pred`.
    shift: usize,
    /// First anchor of that chain (this one when it has no `pred`).
    root: usize,
}

/// The local chaining programme over `anchors` (sorted by A start). A chain
/// may not bridge a gap that holds a kept passage on either side, nor a gap
/// of which an exact match to somewhere else covers `min_words` or more
/// words: those words were moved, not changed, and must stay free to be
/// their own (moved) passage.
fn chain_scores(
    anchors: &[Anchor],
    max_gap: usize,
    min_words: usize,
    taken_a: &Taken,
    taken_b: &Taken,
) -> Vec<Node> {
    // Anchor indices by A end, to find the ones ending just before each.
    let mut by_end: Vec<usize> = (0..anchors.len()).collect();
    by_end.sort_by_key(|&x| (anchors[x].a_end(), x));
    // Long anchors by B start, to look inside gaps on side B.
    let mut long_by_b: Vec<Anchor> = anchors
        .iter()
        .filter(|x| x.len >= min_words)
        .copied()
        .collect();
    long_by_b.sort_by_key(|x| (x.b, x.a));
    // True when an exact match covers at least `min_words` words of the
    // gap on side A, or of the gap on side B.
    let overlap =
        |s: usize, e: usize, r: &Range<usize>| e.min(r.end).saturating_sub(s.max(r.start));
    let hides_a_passage = |ga: Range<usize>, gb: Range<usize>| {
        let from = ga.start.saturating_sub(max_gap);
        let in_a = anchors[anchors.partition_point(|x| x.a < from)..]
            .iter()
            .take_while(|x| x.a < ga.end)
            .any(|x| overlap(x.a, x.a_end(), &ga) >= min_words);
        let from = gb.start.saturating_sub(max_gap);
        in_a || long_by_b[long_by_b.partition_point(|x| x.b < from)..]
            .iter()
            .take_while(|x| x.b < gb.end)
            .any(|x| overlap(x.b, x.b_end(), &gb) >= min_words)
    };
    let mut nodes: Vec<Node> = Vec::with_capacity(anchors.len());
    for (qi, q) in anchors.iter().enumerate() {
        let own = WORD_VALUE * q.len as i64;
        let mut best = Node {
            score: own,
            pred: None,
            shift: 0,
            root: qi,
        };
        let lo = q.a.saturating_sub(max_gap);
        let first = by_end.partition_point(|&x| anchors[x].a_end() < lo);
        let mut seen = 0;
        for &pi in &by_end[first..] {
            let pa = anchors[pi];
            if pa.a_end() >= q.a_end() {
                break;
            }
            if pa.a >= q.a || pa.b >= q.b || pa.b_end() >= q.b_end() {
                continue;
            }
            seen += 1;
            if seen > MAX_PREDECESSORS {
                break;
            }
            let shift = (pa.a_end().saturating_sub(q.a)).max(pa.b_end().saturating_sub(q.b));
            if shift >= q.len {
                continue;
            }
            let (qa, qb) = (q.a + shift, q.b + shift);
            let (ga, gb) = (qa - pa.a_end(), qb - pa.b_end());
            if ga > max_gap || gb > max_gap {
                continue;
            }
            let (gap_a, gap_b) = (pa.a_end()..qa, pa.b_end()..qb);
            if taken_a.overlaps(&gap_a) || taken_b.overlaps(&gap_b) {
                continue;
            }
            if ga.max(gb) >= min_words && hides_a_passage(gap_a, gap_b) {
                continue;
            }
            let pn = &nodes[pi];
            let score =
                pn.score + WORD_VALUE * (q.len - shift) as i64 - GAP_WORD_COST * ga.max(gb) as i64;
            if score > best.score {
                best = Node {
                    score,
                    pred: Some(pi),
                    shift,
                    root: pn.root,
                };
            }
        }
        nodes.push(best);
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::Tokens;

    fn hashes(text: &str) -> Vec<u64> {
        Tokens::new(text).hashes().collect()
    }

    #[test]
    fn anchors_are_maximal_exact_matches() {
        let a = hashes("x y the quick brown fox jumps z");
        let b = hashes("the quick brown fox jumps over");
        assert_eq!(find_anchors(&a, &b, 3), vec![Anchor { a: 2, b: 0, len: 5 }]);
    }

    #[test]
    fn repeated_windows_give_one_anchor_per_diagonal_run() {
        let a = hashes("a b c a b c a b c");
        let b = hashes("a b c a b c a b c");
        let anchors = find_anchors(&a, &b, 3);
        assert!(anchors.contains(&Anchor { a: 0, b: 0, len: 9 }));
        // Every anchor is maximal: it cannot be extended on either end.
        for x in &anchors {
            assert!(x.a == 0 || x.b == 0 || a[x.a - 1] != b[x.b - 1]);
            assert!(x.a_end() == a.len() || x.b_end() == b.len() || a[x.a_end()] != b[x.b_end()]);
        }
    }

    #[test]
    fn chains_join_anchors_across_a_substitution() {
        let a = hashes("one two the health secretary made the dramatic announcement on Thursday");
        let b = hashes("the health secretary made a dramatic announcement on Thursday three");
        let p = AnchorParams {
            seed_words: 3,
            max_gap_words: 8,
            min_passage_words: 5,
            min_evidence: 2.0,
            long_passage_words: 15,
            max_passages: 100,
        };
        let cs = chains(&a, &b, &vec![1.0; a.len()], &p);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].a_range(), 2..11);
        assert_eq!(cs[0].b_range(), 0..9);
        assert_eq!(cs[0].anchors.len(), 2);
    }

    /// Issue 14: A copied twice into B, each copy with every fourth word
    /// changed at other places, made the second copy a blocked chain of
    /// every length, and each was walked and copied before the overlap was
    /// seen: quadratic in the words (7.3 s for 200,000 words in a test build;
    /// now 0.15 s).
    #[test]
    fn a_text_copied_twice_into_the_other_is_chained_in_linear_time() {
        let n = 200_000u64;
        // Distinct word hashes (none a function word's).
        let word = |i: u64| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let a: Vec<u64> = (0..n).map(word).collect();
        let copy = |offset: u64, fresh: u64| {
            (0..n).map(move |i| word(i + fresh * (i + offset).is_multiple_of(4) as u64))
        };
        let b: Vec<u64> = copy(0, n).chain(copy(2, 2 * n)).collect();
        let p = AnchorParams {
            seed_words: 3,
            max_gap_words: 8,
            min_passage_words: 5,
            min_evidence: 2.0,
            long_passage_words: 15,
            max_passages: 10_000,
        };
        let start = std::time::Instant::now();
        let cs = chains(&a, &b, &vec![1.0; a.len()], &p);
        let took = start.elapsed();
        assert_eq!(cs.len(), 1);
        assert_eq!(
            (cs[0].a_range(), cs[0].b_range()),
            (1..n as usize, 1..n as usize)
        );
        assert!(took.as_secs_f64() < 2.0, "{took:?} for {n} words");
    }
}
