//! Paraphrases: sentence pairs that report the same fact, figure or quote
//! in other words.
//!
//! Works on what the verbatim and edited stage left: each sentence is cut
//! at the passages already found, and the uncovered pieces (segments) of A
//! are paired with those of B. A pair needs real evidence, made of the
//! content words (not function words) both segments contain. Only words
//! *rare in the pair* count as evidence (at most `RARE_COUNT` times in each
//! text, see [`super::evidence`]): "junior doctors", "the BMA" or "Jeremy
//! Hunt", all through two stories on one dispute, say nothing about which
//! sentence matches which. Each shared rare word is one unit of one kind,
//! read from the folded word and the original text:
//!
//! - a *figure*: a number of four or more digits that is not a year
//!   ("3,000", "125,000"), or a smaller *figure* (three digits, a decimal,
//!   a percentage: "13.5%", "64%"); a day or an hour is a plain word. A
//!   figure is matched by its value, whatever its form: "three thousand"
//!   is "3,000" and "£1.2bn" is "£1.2 billion" (`keys.rs`);
//! - a *quote*: a word inside quotation marks in both texts, in a short
//!   quotation (at most [`SHORT_QUOTE_WORDS`] words) in at least one;
//! - a *name*: capitalised away from the start of a sentence or clause, or
//!   in capitals; adjacent names, or names joined by one function word, are
//!   one unit ("Johann Malawana", "Department of Health"); days and months
//!   are plain words;
//! - a *plain* word: any other.
//!
//! A pair is kept when it shows one of:
//!
//! 1. a shared figure of four or more digits and any other shared content
//!    word used at most twice `RARE_COUNT` times ("125,000 NHS patients" /
//!    "the NHS has cancelled 125,000 operations");
//! 2. a smaller figure and another rare unit (so "11%" alone, or with
//!    "health", is not a fact);
//! 3. a quote and another rare unit ("dismissed ... as 'opportunism'");
//! 4. two names;
//! 5. [`MIN_PLAIN_UNITS`] rare units whose words make up at least
//!    [`MIN_PLAIN_DICE`] of the two segments' content words;
//! 6. two rare units' worth (a name counts 1.5) when the two segments are
//!    the rest of two sentences that already share a verbatim or edited
//!    passage: that passage shows the sentences tell the same thing.
//!
//! Rules 5 and 6, which rest on ordinary words, do not hold when both
//! segments date or count something (a figure, a day, a month) and share
//! none of it: "talks collapsed in February" and "talks collapsed in April"
//! are two events told in one vocabulary.
//!
//! So "about 3,000 operations have been cancelled" pairs with "almost 3,000
//! operations were cancelled" but not with "almost 13,000 operations have
//! been postponed" (different figures, two plain words).
//!
//! Pairs are taken by evidence, best first; each segment is used once.
//!
//! A rewrite also splits and merges sentences, so no sentence pair may
//! carry enough evidence while the whole does: what is still uncovered
//! after the pairs is searched for chains of rare words in the same order
//! on both sides ([`rare_word_chains`]), each becoming one paraphrase
//! across sentences.
//!
//! Here: the tuning constants, the segments and the pairing of segments by
//! their evidence. `features.rs` flags each word (content word, figure,
//! name, quoted, date) and finds the sentences, `keys.rs` gives each word
//! the key it is matched by, `rules.rs` counts the evidence
//! two segments share and holds the acceptance rules above, and
//! `chains.rs` finds the chains of rare words across sentences.

mod chains;
mod facts;
mod features;
mod keys;
mod rules;

use std::ops::Range;

use super::evidence::{HashKeyed, PairCounts, RARE_COUNT};
use crate::tokenize::Tokens;
use chains::rare_word_chains;
pub(crate) use facts::{facts, facts_with};
use features::CONTENT;
pub(crate) use features::{features, Features};
use rules::{evidence, Evidence};

/// Base weight of a name unit (plain words weigh 1) in rule 6 and in the
/// ordering of pairs.
pub(crate) const NAME_WEIGHT: f64 = 1.5;
/// Base weight of a quote unit.
pub(crate) const QUOTE_WEIGHT: f64 = 2.0;
/// Rare units a pair needs on plain words alone (rule 5): one or two
/// shared words are what any two sentences on one subject have.
pub(crate) const MIN_PLAIN_UNITS: usize = 4;
/// Content-word Dice a pair needs on plain words alone (rule 5): four rare
/// words scattered in two 30-word sentences are chance; four out of ten
/// are the same sentence retold.
pub(crate) const MIN_PLAIN_DICE: f64 = 0.35;
/// Weight of rare units the rest of two sentences joined by a verbatim or
/// edited passage needs (rule 6).
pub(crate) const MIN_LINKED_EVIDENCE: f64 = 2.0;
/// A quotation of at most this many words is a quoted phrase
/// ("opportunism", "sign of total failure"); a longer one is a statement
/// in ordinary words, whose words do not make quote units unless the other
/// text quotes them in a short quotation.
pub(crate) const SHORT_QUOTE_WORDS: usize = 8;
/// Rare words a chain paraphrase needs (see [`rare_word_chains`]): three
/// uncommon words in the same order happen between texts on one subject;
/// four rarely do.
pub(crate) const MIN_CHAIN_WORDS: usize = 4;
/// Largest distance, in words on either side, between two consecutive
/// words of a chain paraphrase: about a sentence.
pub(crate) const MAX_CHAIN_GAP: usize = 16;
/// Sentences longer than this are cut into pieces of this many words, so
/// unpunctuated text still pairs piece by piece.
const MAX_SENTENCE_WORDS: usize = 60;
/// Candidate pairs evaluated at most (each rare word yields at most
/// `RARE_COUNT²` pairs, so this only bites on huge texts).
const MAX_CANDIDATES: usize = 200_000;

/// What the paraphrase stage needs to know about one side.
pub(crate) struct Side<'a> {
    pub tokens: &'a Tokens,
    /// Its per-word features ([`features`]).
    pub features: &'a Features,
    /// Tokens already inside a verbatim or edited passage.
    pub covered: &'a [bool],
}

/// One accepted paraphrase: token ranges and the content-word Dice score.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Paraphrase {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub score: f64,
}

/// A piece of a sentence outside every earlier passage: its range and its
/// content words (hash, flags of all occurrences), sorted by hash.
struct Segment {
    range: Range<usize>,
    words: Vec<(u64, u8)>,
    /// Index of its sentence.
    sentence: usize,
}

fn segments(side: &Side) -> Vec<Segment> {
    let feats = side.features;
    let mut out = Vec::new();
    for (si, s) in feats.sentences.iter().enumerate() {
        let mut i = s.start;
        while i < s.end {
            if side.covered[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i < s.end && !side.covered[i] {
                i += 1;
            }
            let mut words: Vec<(u64, u8)> = (start..i)
                .filter(|&p| feats.flags[p] & CONTENT != 0)
                .map(|p| (feats.keys.key[p], feats.flags[p]))
                .collect();
            words.sort_unstable();
            words.dedup_by(|later, first| {
                if later.0 == first.0 {
                    first.1 |= later.1;
                    true
                } else {
                    false
                }
            });
            if !words.is_empty() {
                out.push(Segment {
                    range: start..i,
                    words,
                    sentence: si,
                });
            }
        }
    }
    out
}

/// Paraphrase pairs between the uncovered sentence pieces of `a` and `b`,
/// at most `max` of them, in the order they were accepted.
///
/// `kept` are the token ranges (A, B) of the verbatim and edited passages
/// already found: the rest of two sentences joined by one of them needs
/// less evidence ([`MIN_LINKED_EVIDENCE`]).
pub(crate) fn paraphrases(
    a: &Side,
    b: &Side,
    counts: &PairCounts,
    kept: &[(Range<usize>, Range<usize>)],
    max: usize,
) -> Vec<Paraphrase> {
    if max == 0 || a.tokens.is_empty() || b.tokens.is_empty() {
        return Vec::new();
    }
    let (fa, fb) = (a.features, b.features);
    // Rarity is counted over match keys: "three thousand" and "3,000" are
    // one figure used twice. Chains (below) keep to the words as written.
    let key_counts = &PairCounts::new(&fa.keys.key, &fb.keys.key);
    let sa = segments(a);
    let sb = segments(b);
    // Rare word -> segments holding it, per side.
    let mut postings: HashKeyed<(Vec<u32>, Vec<u32>)> = HashKeyed::default();
    for (side, segs) in [&sa, &sb].into_iter().enumerate() {
        for (si, s) in segs.iter().enumerate() {
            for &(h, _) in &s.words {
                let [ca, cb] = key_counts.get(h);
                if ca == 0 || cb == 0 || ca.max(cb) > RARE_COUNT {
                    continue;
                }
                let e = postings.entry(h).or_default();
                if side == 0 { &mut e.0 } else { &mut e.1 }.push(si as u32);
            }
        }
    }
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (xs, ys) in postings.values() {
        for &x in xs {
            for &y in ys {
                pairs.push((x, y));
            }
        }
    }
    // Sentence pairs joined by a kept passage (at its first and its last
    // word), and their segments.
    let mut linked: Vec<(usize, usize)> = kept
        .iter()
        .filter(|(ra, rb)| !ra.is_empty() && !rb.is_empty())
        .flat_map(|(ra, rb)| {
            [
                (fa.sentence_of(ra.start), fb.sentence_of(rb.start)),
                (fa.sentence_of(ra.end - 1), fb.sentence_of(rb.end - 1)),
            ]
        })
        .collect();
    linked.sort_unstable();
    linked.dedup();
    let segs_of = |segs: &[Segment], sentence: usize| {
        let lo = segs.partition_point(|s| s.sentence < sentence);
        let hi = segs.partition_point(|s| s.sentence <= sentence);
        lo..hi
    };
    for &(x, y) in &linked {
        for i in segs_of(&sa, x) {
            for j in segs_of(&sb, y) {
                pairs.push((i as u32, j as u32));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs.truncate(MAX_CANDIDATES);
    let mut scored: Vec<(Evidence, u32, u32)> = pairs
        .into_iter()
        .filter_map(|(x, y)| {
            let (sx, sy) = (&sa[x as usize], &sb[y as usize]);
            let mut ev = evidence(a, sx, sy, key_counts);
            ev.in_linked_sentences = linked.binary_search(&(sx.sentence, sy.sentence)).is_ok();
            ev.is_enough().then_some((ev, x, y))
        })
        .collect();
    // Strongest evidence first; ties in (A, B) order.
    scored.sort_by(|p, q| {
        q.0.weight
            .total_cmp(&p.0.weight)
            .then(q.0.dice.total_cmp(&p.0.dice))
            .then((p.1, p.2).cmp(&(q.1, q.2)))
    });
    let mut used_a = vec![false; sa.len()];
    let mut used_b = vec![false; sb.len()];
    let mut out = Vec::new();
    for (ev, x, y) in scored {
        let (x, y) = (x as usize, y as usize);
        if used_a[x] || used_b[y] {
            continue;
        }
        used_a[x] = true;
        used_b[y] = true;
        out.push(Paraphrase {
            a: sa[x].range.clone(),
            b: sb[y].range.clone(),
            score: ev.dice,
        });
        if out.len() >= max {
            break;
        }
    }
    let left = max.saturating_sub(out.len());
    let chained = rare_word_chains(a, b, counts, &out, left);
    out.extend(chained);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn run(a: &str, b: &str) -> Vec<(String, String)> {
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let (ca, cb) = (vec![false; ta.len()], vec![false; tb.len()]);
        let (fa, fb) = (features(a, &ta), features(b, &tb));
        let sa = Side {
            tokens: &ta,
            features: &fa,
            covered: &ca,
        };
        let sb = Side {
            tokens: &tb,
            features: &fb,
            covered: &cb,
        };
        let ah: Vec<u64> = ta.hashes().collect();
        let bh: Vec<u64> = tb.hashes().collect();
        paraphrases(&sa, &sb, &PairCounts::new(&ah, &bh), &[], 100)
            .into_iter()
            .map(|p| {
                (
                    ta.span_of(p.a.start, p.a.end - 1).slice(a).to_string(),
                    tb.span_of(p.b.start, p.b.end - 1).slice(b).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn a_shared_figure_with_a_shared_word_is_a_paraphrase() {
        let got = run(
            "Strike day. Almost 3,000 operations were cancelled across England.",
            "Doctors walked out. About 3000 operations have been cancelled as a result.",
        );
        assert_eq!(
            got,
            [(
                "Almost 3,000 operations were cancelled across England".to_string(),
                "About 3000 operations have been cancelled as a result".to_string()
            )]
        );
    }

    #[test]
    fn a_different_figure_is_a_different_fact() {
        let got = run(
            "Almost 3,000 operations were cancelled.",
            "Almost 13,000 operations have been postponed.",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_figure_in_words_is_the_figure_in_digits() {
        let got = run(
            "Strike day. About three thousand operations were cancelled.",
            "Doctors walked out. Almost 3,000 operations have been cancelled.",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        let got = run(
            "The trust faces a £1.2bn shortfall, its board said.",
            "Its board warned of a £1.2 billion shortfall at the trust.",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        // 1.2 billion is not 1.2 million.
        let got = run(
            "The trust faces a £1.2bn shortfall, its board said.",
            "Its board warned of a £1.2m shortfall at the trust.",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn sentences_dated_differently_need_more_than_plain_words() {
        // Four shared plain words, but one is about February and the
        // other about April: two events told alike.
        let a = "Pay talks collapsed in February, so emergency care staff will strike.";
        let b = "Emergency care staff will strike after pay talks collapsed in April.";
        assert!(run(a, b).is_empty(), "{:?}", run(a, b));
        let b = "Emergency care staff will strike after pay talks collapsed in February.";
        assert_eq!(run(a, b).len(), 1);
    }

    #[test]
    fn names_all_through_both_texts_are_no_evidence() {
        let a = "Jeremy Hunt met junior doctors. Junior doctors walked out. \
                 Jeremy Hunt spoke. Junior doctors and Jeremy Hunt disagree.";
        let b = "Junior doctors oppose Jeremy Hunt. Jeremy Hunt spoke to junior doctors. \
                 Jeremy Hunt again. Junior doctors again.";
        let got = run(a, b);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_quoted_word_and_a_rare_word_are_enough() {
        let got = run(
            "Hunt has dismissed the idea as \"opportunism\".",
            "Hunt dismissed the proposal as Labour \"opportunism\".",
        );
        assert_eq!(got.len(), 1, "{got:?}");
    }
}
