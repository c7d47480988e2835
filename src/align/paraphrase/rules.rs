//! The evidence two segments share, rare unit by kind, and the rules that
//! accept a pair on it (see the paraphrase module's documentation).

use super::super::evidence::{PairCounts, FIGURE_WEIGHT, RARE_COUNT, SMALL_FIGURE_WEIGHT};
use super::features::{DATE, NAME, NUMBER, QUOTED, SHORT_QUOTED};
use super::{
    Segment, Side, MIN_LINKED_EVIDENCE, MIN_PLAIN_DICE, MIN_PLAIN_UNITS, NAME_WEIGHT, QUOTE_WEIGHT,
};
use crate::words::is_function_word as is_stop_hash;

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
    /// Both segments date or count something (a figure, a day, a month)
    /// and share none of it: "last week ... in February" against "on
    /// Sunday (24 April) ... this week" are two events.
    pub conflicting_specifics: bool,
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
            || (!self.conflicting_specifics
                && ((rare >= MIN_PLAIN_UNITS && self.dice >= MIN_PLAIN_DICE)
                    || (self.in_linked_sentences && self.weight >= MIN_LINKED_EVIDENCE)))
    }
}

pub(super) fn evidence(a: &Side, sa: &Segment, sb: &Segment, counts: &PairCounts) -> Evidence {
    let fa = a.features;
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
    let specific = |f: u8| f & (NUMBER | DATE) != 0;
    let mut ev = Evidence {
        dice: 2.0 * shared.len() as f64 / (sa.words.len() + sb.words.len()) as f64,
        conflicting_specifics: sa.words.iter().any(|w| specific(w.1))
            && sb.words.iter().any(|w| specific(w.1))
            && !shared.iter().any(|s| specific(s.1 | s.2)),
        ..Evidence::default()
    };
    let toks = a.tokens.as_slice();
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
        let h = fa.keys.key[p];
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
        let number = fa.keys.figure[p];
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
