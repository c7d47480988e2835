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
//!   a percentage: "13.5%", "64%"); a day or an hour is a plain word;
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

use std::ops::Range;

use super::anchors::Taken;
use super::evidence::{
    number_weight, percent_hash, HashKeyed, PairCounts, FIGURE_WEIGHT, RARE_COUNT,
    SMALL_FIGURE_WEIGHT,
};
use crate::tokenize::Tokens;
use crate::words::is_function_word as is_stop_hash;

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
    pub text: &'a str,
    pub tokens: &'a Tokens,
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

const CONTENT: u8 = 1;
const NUMBER: u8 = 2;
const NAME: u8 = 4;
/// Inside a quotation.
const QUOTED: u8 = 8;
/// Inside a short quotation.
const SHORT_QUOTED: u8 = 16;

/// Per-token flags and sentence starts of one text.
struct Features {
    flags: Vec<u8>,
    sentences: Vec<Range<usize>>,
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '\u{201C}' | '\u{201E}' | '\u{00AB}')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '\u{201D}' | '\u{00BB}')
}

/// Days and months are capitalised but are dates, not names.
const CALENDAR: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// True for a word capitalised away from the start of a sentence or
/// clause, or written in capitals (at least two letters).
fn is_capitalised(word: &str, initial: bool) -> bool {
    if word.is_ascii() {
        let b = word.as_bytes();
        let first_upper = b.first().is_some_and(u8::is_ascii_uppercase);
        if !first_upper {
            return false;
        }
        if !initial {
            return true;
        }
        let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
        return letters >= 2 && !b.iter().any(u8::is_ascii_lowercase);
    }
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    if first_upper && !initial {
        return true;
    }
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && letters.all(char::is_uppercase)
}

fn features(text: &str, t: &Tokens) -> Features {
    let mut flags = Vec::with_capacity(t.len());
    let mut sentences = Vec::new();
    let mut start = 0;
    // First token of the quotation being read, if any.
    let mut quote: Option<usize> = None;
    let mut prev_end = 0;
    // A quotation ending before token `end` flags its words.
    let close_quote = |quote: &mut Option<usize>, end: usize, flags: &mut Vec<u8>| {
        if let Some(q) = quote.take() {
            let short = if end - q <= SHORT_QUOTE_WORDS {
                SHORT_QUOTED
            } else {
                0
            };
            flags[q..end].iter_mut().for_each(|f| *f |= QUOTED | short);
        }
    };
    for (i, tok) in t.as_slice().iter().enumerate() {
        let gap = text.get(prev_end..tok.span.start).unwrap_or("");
        let mut ends_sentence = false;
        let mut opens_clause = false;
        // Most gaps are one space.
        let plain_gap = gap.bytes().all(|b| b == b' ');
        for c in gap.chars().filter(|_| !plain_gap) {
            match c {
                '.' | '!' | '?' | '\u{2026}' | '\u{2022}' => ends_sentence = true,
                '\n' | '\r' => {
                    ends_sentence = true;
                    close_quote(&mut quote, i, &mut flags);
                }
                ':' | ';' | '(' | '[' | '\'' | '\u{2018}' => opens_clause = true,
                '"' if quote.is_some() => close_quote(&mut quote, i, &mut flags),
                '"' => {
                    quote = Some(i);
                    opens_clause = true;
                }
                c if is_open_quote(c) => {
                    close_quote(&mut quote, i, &mut flags);
                    quote = Some(i);
                    opens_clause = true;
                }
                c if is_close_quote(c) => close_quote(&mut quote, i, &mut flags),
                _ => {}
            }
        }
        if i > start && (ends_sentence || i - start >= MAX_SENTENCE_WORDS) {
            sentences.push(start..i);
            start = i;
        }
        let word = tok.span.slice(text);
        let norm = t.norm(i);
        let mut f = 0u8;
        let is_number = norm.bytes().any(|b| b.is_ascii_digit());
        if !is_stop_hash(tok.hash) && (is_number || norm.chars().nth(1).is_some()) {
            f |= CONTENT;
        }
        if is_number {
            f |= NUMBER;
        }
        let initial = i == start || opens_clause;
        if is_capitalised(word, initial) && !CALENDAR.contains(&norm) {
            f |= NAME;
        }
        flags.push(f);
        prev_end = tok.span.end;
    }
    close_quote(&mut quote, t.len(), &mut flags);
    if start < t.len() {
        sentences.push(start..t.len());
    }
    Features { flags, sentences }
}

/// A piece of a sentence outside every earlier passage: its range and its
/// content words (hash, flags of all occurrences), sorted by hash.
struct Segment {
    range: Range<usize>,
    words: Vec<(u64, u8)>,
    /// Index of its sentence.
    sentence: usize,
}

fn segments(side: &Side, feats: &Features) -> Vec<Segment> {
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
                .map(|p| (side.tokens.get(p).hash, feats.flags[p]))
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

/// The evidence two segments share (rare units by kind).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Evidence {
    /// Shared figures of four or more digits.
    pub big_figures: usize,
    /// Shared smaller figures.
    pub small_figures: usize,
    /// Shared quote units.
    pub quotes: usize,
    /// Shared name units.
    pub names: usize,
    /// Shared plain rare words.
    pub plain: usize,
    /// Shared content words used at most twice `RARE_COUNT` times, rare or
    /// not (rule 1's second word).
    pub content: usize,
    /// Summed weight of the rare units (figures 3 or 2, quotes 2, names
    /// 1.5, plain words 1); orders the pairs.
    pub weight: f64,
    /// The two segments are the rest of two sentences that already share a
    /// verbatim or edited passage.
    pub in_linked_sentences: bool,
    /// Content-word Dice of the two segments.
    pub dice: f64,
}

impl Evidence {
    fn rare_units(&self) -> usize {
        self.big_figures + self.small_figures + self.quotes + self.names + self.plain
    }

    /// The acceptance rule (see the module documentation).
    pub fn is_enough(&self) -> bool {
        let rare = self.rare_units();
        (self.big_figures >= 1 && self.content >= 2)
            || (self.small_figures >= 1 && rare >= 2)
            || (self.quotes >= 1 && rare >= 2)
            || self.names >= 2
            || (rare >= MIN_PLAIN_UNITS && self.dice >= MIN_PLAIN_DICE)
            || (self.in_linked_sentences && self.weight >= MIN_LINKED_EVIDENCE)
    }
}

fn evidence(a: &Side, sa: &Segment, sb: &Segment, counts: &PairCounts) -> Evidence {
    // Shared words with the flags of both sides.
    let mut shared: Vec<(u64, u8, u8)> = Vec::new();
    let (mut x, mut y) = (0, 0);
    while x < sa.words.len() && y < sb.words.len() {
        let (ha, fla) = sa.words[x];
        let (hb, flb) = sb.words[y];
        if ha < hb {
            x += 1;
        } else if hb < ha {
            y += 1;
        } else {
            shared.push((ha, fla, flb));
            x += 1;
            y += 1;
        }
    }
    let mut ev = Evidence {
        dice: 2.0 * shared.len() as f64 / (sa.words.len() + sb.words.len()) as f64,
        ..Evidence::default()
    };
    let toks = a.tokens.as_slice();
    let percent = percent_hash();
    let mut seen: Vec<u64> = Vec::with_capacity(shared.len());
    // The name unit being read: where it ends in A, whether one of its
    // words is rare, whether one is used at most 2 × RARE_COUNT times.
    let mut name: Option<(usize, bool, bool)> = None;
    let finish = |name: &mut Option<(usize, bool, bool)>, ev: &mut Evidence| {
        if let Some((_, rare, content)) = name.take() {
            if content {
                ev.content += 1;
            }
            if rare {
                ev.names += 1;
                ev.weight += NAME_WEIGHT;
            }
        }
    };
    for p in sa.range.clone() {
        let h = toks[p].hash;
        let Ok(k) = shared.binary_search_by_key(&h, |s| s.0) else {
            continue;
        };
        if seen.contains(&h) {
            continue;
        }
        seen.push(h);
        let [ca, cb] = counts.get(h);
        let most = ca.max(cb);
        let (rare, content) = (most <= RARE_COUNT, most <= 2 * RARE_COUNT);
        let (_, fla, flb) = shared[k];
        let percent_follows = toks.get(p + 1).is_some_and(|n| n.hash == percent);
        let number = number_weight(a.tokens.norm(p), percent_follows);
        if number.is_none() && (fla | flb) & NAME != 0 {
            // Names next to each other, or joined by one function word, are
            // one unit, whatever their counts ("Department of Health").
            match &mut name {
                Some((end, r, c))
                    if p == *end + 1 || (p == *end + 2 && is_stop_hash(toks[*end + 1].hash)) =>
                {
                    *end = p;
                    *r |= rare;
                    *c |= content;
                }
                _ => {
                    finish(&mut name, &mut ev);
                    name = Some((p, rare, content));
                }
            }
            continue;
        }
        finish(&mut name, &mut ev);
        if !content {
            continue;
        }
        ev.content += 1;
        if !rare {
            continue;
        }
        let quoted = fla & flb & QUOTED != 0 && (fla | flb) & SHORT_QUOTED != 0;
        match number {
            Some(w) if w >= FIGURE_WEIGHT => {
                ev.big_figures += 1;
                ev.weight += FIGURE_WEIGHT;
            }
            Some(w) if w >= SMALL_FIGURE_WEIGHT => {
                ev.small_figures += 1;
                ev.weight += SMALL_FIGURE_WEIGHT;
            }
            None if quoted => {
                ev.quotes += 1;
                ev.weight += QUOTE_WEIGHT;
            }
            _ => {
                ev.plain += 1;
                ev.weight += 1.0;
            }
        }
    }
    finish(&mut name, &mut ev);
    ev
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
    let fa = features(a.text, a.tokens);
    let fb = features(b.text, b.tokens);
    let sa = segments(a, &fa);
    let sb = segments(b, &fb);
    // Rare word -> segments holding it, per side.
    let mut postings: HashKeyed<(Vec<u32>, Vec<u32>)> = HashKeyed::default();
    for (side, segs) in [&sa, &sb].into_iter().enumerate() {
        for (si, s) in segs.iter().enumerate() {
            for &(h, _) in &s.words {
                let [ca, cb] = counts.get(h);
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
    let sentence_of = |f: &Features, pos: usize| f.sentences.partition_point(|s| s.end <= pos);
    let mut linked: Vec<(usize, usize)> = kept
        .iter()
        .filter(|(ra, rb)| !ra.is_empty() && !rb.is_empty())
        .flat_map(|(ra, rb)| {
            [
                (sentence_of(&fa, ra.start), sentence_of(&fb, rb.start)),
                (sentence_of(&fa, ra.end - 1), sentence_of(&fb, rb.end - 1)),
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
            let mut ev = evidence(a, sx, sy, counts);
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
    let chained = rare_word_chains(a, &fa, b, &fb, counts, &out, left);
    out.extend(chained);
    out
}

/// Paraphrases of more than one sentence: chains of at least
/// [`MIN_CHAIN_WORDS`] rare content words that occur in the same order in
/// both texts, each within [`MAX_CHAIN_GAP`] words of the previous one on
/// both sides, over the words no other passage took. A text rewritten
/// from another in its own words keeps the other's uncommon words in their
/// order; two texts on one subject share some of them in no order.
fn rare_word_chains(
    a: &Side,
    fa: &Features,
    b: &Side,
    fb: &Features,
    counts: &PairCounts,
    taken: &[Paraphrase],
    max: usize,
) -> Vec<Paraphrase> {
    if max == 0 {
        return Vec::new();
    }
    // Words already in a passage, per side, as prefix counts.
    let blocked = |side: &Side, ranges: &mut dyn Iterator<Item = Range<usize>>| {
        let mut v: Vec<bool> = side.covered.to_vec();
        for r in ranges {
            v[r].iter_mut().for_each(|x| *x = true);
        }
        v
    };
    let cov_a = blocked(a, &mut taken.iter().map(|p| p.a.clone()));
    let cov_b = blocked(b, &mut taken.iter().map(|p| p.b.clone()));
    let prefix = |v: &[bool]| {
        let mut p = Vec::with_capacity(v.len() + 1);
        p.push(0u32);
        for &x in v {
            p.push(p[p.len() - 1] + u32::from(x));
        }
        p
    };
    let (pa, pb) = (prefix(&cov_a), prefix(&cov_b));
    let free = |p: &[u32], r: Range<usize>| p[r.end] == p[r.start];
    let rare_at = |side: &Side, f: &Features, cov: &[bool], i: usize| {
        let h = side.tokens.get(i).hash;
        let [ca, cb] = counts.get(h);
        !cov[i] && f.flags[i] & CONTENT != 0 && ca >= 1 && cb >= 1 && ca.max(cb) <= RARE_COUNT
    };
    let mut in_b: HashKeyed<Vec<usize>> = HashKeyed::default();
    for j in 0..b.tokens.len() {
        if rare_at(b, fb, &cov_b, j) {
            in_b.entry(b.tokens.get(j).hash).or_default().push(j);
        }
    }
    let mut matches: Vec<(usize, usize)> = Vec::new();
    for i in 0..a.tokens.len() {
        if rare_at(a, fa, &cov_a, i) {
            if let Some(js) = in_b.get(&a.tokens.get(i).hash) {
                matches.extend(js.iter().map(|&j| (i, j)));
            }
        }
    }
    // Longest chain ending at each match (matches are in (A, B) order),
    // in units: a word right after the previous one on both sides continues
    // its phrase ("British Medical Association" is one unit, not three).
    let mut len = vec![1usize; matches.len()];
    let mut pred: Vec<Option<usize>> = vec![None; matches.len()];
    // First match of that chain.
    let mut root: Vec<usize> = (0..matches.len()).collect();
    for q in 0..matches.len() {
        let (qi, qj) = matches[q];
        for p in (0..q).rev() {
            let (pi, pj) = matches[p];
            if qi - pi > MAX_CHAIN_GAP {
                break;
            }
            let step = usize::from(!(pi + 1 == qi && pj + 1 == qj));
            if pi < qi
                && pj < qj
                && qj - pj <= MAX_CHAIN_GAP
                && free(&pa, pi..qi)
                && free(&pb, pj..qj)
                && len[p] + step > len[q]
            {
                len[q] = len[p] + step;
                pred[q] = Some(p);
            }
        }
        if let Some(p) = pred[q] {
            root[q] = root[p];
        }
    }
    let mut order: Vec<usize> = (0..matches.len()).collect();
    order.sort_by(|&x, &y| len[y].cmp(&len[x]).then(x.cmp(&y)));
    let mut used = vec![false; matches.len()];
    let mut out: Vec<Paraphrase> = Vec::new();
    // The ranges of `out` on each side, which never overlap.
    let (mut taken_a, mut taken_b) = (Taken::new(a.tokens.len()), Taken::new(b.tokens.len()));
    for end in order {
        if len[end] < MIN_CHAIN_WORDS || out.len() >= max {
            break;
        }
        // The chain's ranges come from its first and last match, before it
        // is walked: a chain through a used match overlaps that match's
        // paraphrase, so a blocked chain costs a look-up. Walking each one
        // was quadratic: rare words in the same order all through two
        // texts made one chain of every length (issue 14).
        let (first, last) = (matches[root[end]], matches[end]);
        let (ra, rb) = (first.0..last.0 + 1, first.1..last.1 + 1);
        if taken_a.overlaps(&ra) || taken_b.overlaps(&rb) {
            continue;
        }
        let mut members = vec![end];
        while let Some(p) = pred[members[members.len() - 1]] {
            members.push(p);
        }
        debug_assert!(
            members.iter().all(|&m| !used[m]),
            "a chain through a used match overlaps its paraphrase"
        );
        members.reverse();
        taken_a.insert(ra.clone());
        taken_b.insert(rb.clone());
        members.iter().for_each(|&m| used[m] = true);
        let content = |f: &Features, r: &Range<usize>| {
            f.flags[r.clone()]
                .iter()
                .filter(|&&x| x & CONTENT != 0)
                .count()
        };
        let denom = (content(fa, &ra) + content(fb, &rb)).max(1);
        out.push(Paraphrase {
            score: (2.0 * members.len() as f64 / denom as f64).min(1.0),
            a: ra,
            b: rb,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(a: &str, b: &str) -> Vec<(String, String)> {
        let (ta, tb) = (Tokens::new(a), Tokens::new(b));
        let (ca, cb) = (vec![false; ta.len()], vec![false; tb.len()]);
        let sa = Side {
            text: a,
            tokens: &ta,
            covered: &ca,
        };
        let sb = Side {
            text: b,
            tokens: &tb,
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

    #[test]
    fn a_rewritten_paragraph_is_one_chain_across_sentences() {
        // Rewritten in other words and other sentences, the uncommon words
        // keep their order.
        let a = "Categorization is a powerful mechanism of information processing. \
                 It is crucial to human learning by means of generalization.";
        let b = "Categorization, they say, is powerful. It helps information \
                 processing and human learning; generalization does the rest.";
        let got = run(a, b);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].0.starts_with("Categorization") && got[0].0.ends_with("generalization"));
        // The same words in another order are a shared subject, not a rewrite.
        let c = "Generalization and human learning matter. Processing information \
                 is powerful. Categorization is old.";
        assert!(run(a, c).is_empty(), "{:?}", run(a, c));
    }

    /// Issue 14: one rare word in four shared, in the same order, all
    /// through two long texts (too few in any sentence to pair it) made one
    /// chain of every length, and each was walked whole: quadratic in the
    /// words (4 s for 200,000 words in a test build; now 0.15 s).
    #[test]
    fn chains_all_through_two_long_texts_take_linear_time() {
        // Distinct words of consonants (no figures, no function words).
        let word = |mut i: usize| {
            let mut w = String::from("w");
            loop {
                w.push(char::from(b"bcdfghjklmnpqrstvxz"[i % 19]));
                i /= 19;
                if i == 0 {
                    break w;
                }
            }
        };
        let n = 200_000;
        let text = |own: usize| {
            let words: Vec<String> = (0..n)
                .map(|i| word(if i % 4 == 0 { i } else { own + i }))
                .collect();
            words.join(" ")
        };
        let (a, b) = (text(n), text(2 * n));
        let start = std::time::Instant::now();
        let got = run(&a, &b);
        let took = start.elapsed();
        // One paraphrase, from the first shared word to the last.
        assert_eq!(got.len(), 1);
        let last = format!(" {}", word(n - 4));
        for (found, text) in [(&got[0].0, &a), (&got[0].1, &b)] {
            assert!(text.starts_with(found.as_str()) && found.ends_with(&last));
        }
        assert!(took.as_secs_f64() < 2.0, "{took:?} for {n} words");
    }

    #[test]
    fn a_shared_name_counts_once_in_a_chain() {
        let got = run(
            "Thousands of British Medical Association members walked out.",
            "The British Medical Association said its members were ready.",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn features_mark_names_numbers_and_quotes() {
        let text = "The BMA said: \"Hunt is wrong\". Later Heidi Alexander spoke of 64% growth.";
        let t = Tokens::new(text);
        let f = features(text, &t);
        let flagged = |mask: u8| -> Vec<&str> {
            (0..t.len())
                .filter(|&i| f.flags[i] & mask != 0)
                .map(|i| t.get(i).span.slice(text))
                .collect()
        };
        assert_eq!(flagged(NAME), ["BMA", "Heidi", "Alexander"]);
        assert_eq!(flagged(NUMBER), ["64"]);
        assert_eq!(flagged(QUOTED), ["Hunt", "is", "wrong"]);
        assert_eq!(f.sentences.len(), 2);
        let long = "He said: \"one two three four five six seven eight nine\" and \"ok\".";
        let t = Tokens::new(long);
        let f = features(long, &t);
        let short: Vec<&str> = (0..t.len())
            .filter(|&i| f.flags[i] & SHORT_QUOTED != 0)
            .map(|i| t.get(i).span.slice(long))
            .collect();
        assert_eq!(short, ["ok"]);
    }
}
