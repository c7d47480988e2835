//! Furniture found in the page alone: its shape, runs repeated inside it,
//! and link boxes.

use std::ops::Range;

use super::{link_boxes, BoilerplateParams, BoilerplateReason};
use crate::shingle::Shingles;
use crate::span::Span;

// ---------------------------------------------------------------------------
// The page itself

/// Token ranges of a page's furniture found in the page alone, each with
/// its reason, sorted and disjoint: the shape of the text
/// ([`crate::boilerplate::shape::furniture`]), runs repeated inside the page
/// ([`repeated_runs`]) and link boxes ([`link_boxes`]); where they
/// overlap, link boxes win over repeats and repeats over shape. `spans`
/// and `hashes` are the page's tokens; `seg_start` the first token of each
/// segment (see [`crate::analysis::Analysis`]).
pub fn page_furniture(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    seg_start: &[u32],
) -> Vec<(Range<usize>, BoilerplateReason)> {
    let params = BoilerplateParams::default();
    // Each token's reason and the number of the run that claimed it: runs
    // found separately stay separate (a timestamp right before an
    // embedded-post notice is two blocks), so each distinct block can be
    // reported once.
    let mut labels: Vec<Option<(BoilerplateReason, u32)>> = vec![None; hashes.len()];
    // Runs repeated among the words the shape leaves: furniture found by
    // its shape needs no second finding (and the count costs a look-up a
    // word).
    let shape = crate::boilerplate::shape::furniture(text, spans, hashes);
    let short = repeated_runs_counted(hashes, &shape, params.min_repeat_words, params.min_repeats);
    // A long run's second occurrence is a run of short windows each seen
    // before, one a word, as many as the long run has short windows: with
    // no such run (most pages; the long count was a thirtieth of the
    // filter's CPU for a long run on one page in 650), there is none.
    let long_windows = params.long_repeat_words.saturating_sub(short.window) + 1;
    let long = if short.echoed >= long_windows {
        repeated_runs_counted(hashes, &shape, params.long_repeat_words, 2).runs
    } else {
        Vec::new()
    };
    let repeated = short.runs.into_iter().chain(
        long.into_iter()
            .filter(|r| r.len() <= params.max_repeat_words),
    );
    let found = shape
        .into_iter()
        .map(|r| (r, BoilerplateReason::Shape))
        .chain(repeated.map(|r| (r, BoilerplateReason::Repeated)))
        .chain(
            link_boxes(text, spans, hashes, seg_start)
                .into_iter()
                .map(|r| (r, BoilerplateReason::LinkBox)),
        );
    for (id, (r, why)) in found.enumerate() {
        labels[r]
            .iter_mut()
            .for_each(|x| *x = Some((why, id as u32)));
    }
    label_runs(&labels)
        .into_iter()
        .map(|(r, (why, _))| (r, why))
        .collect()
}

/// Maximal runs of equal labels, with their label (unlabelled tokens are
/// in none): a token labelled by the detector that found it and the
/// number of its find becomes one run per find.
pub(crate) fn label_runs<L: Copy + PartialEq>(labels: &[Option<L>]) -> Vec<(Range<usize>, L)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        match labels[i] {
            Some(label) => {
                let s = i;
                while i < labels.len() && labels[i] == Some(label) {
                    i += 1;
                }
                out.push((s..i, label));
            }
            None => i += 1,
        }
    }
    out
}

/// Token ranges of `token_hashes` (one document) covered by a run of at
/// least `min_words` words that occurs at least `min_count` times, without
/// overlapping itself, in the same document. Sorted and disjoint.
pub fn repeated_runs(
    token_hashes: &[u64],
    min_words: usize,
    min_count: usize,
) -> Vec<Range<usize>> {
    repeated_runs_counted(token_hashes, &[], min_words, min_count).runs
}

/// What [`repeated_runs_counted`] found.
struct Repeats {
    /// The runs found, sorted and disjoint.
    runs: Vec<Range<usize>>,
    /// The window length counted.
    window: usize,
    /// The most consecutive windows each of which occurred before (at any
    /// earlier word, overlapping or not): a run of `w` words occurring
    /// twice makes `w - window + 1` of them at its second occurrence.
    echoed: usize,
}

/// [`repeated_runs`] among the words outside the sorted, disjoint token
/// ranges `skip` (a window touching one is not counted), with the longest
/// run of windows that each occurred before ([`Repeats::echoed`]).
fn repeated_runs_counted(
    token_hashes: &[u64],
    skip: &[Range<usize>],
    min_words: usize,
    min_count: usize,
) -> Repeats {
    let m = min_words.max(2);
    let min_count = min_count.max(2);
    let none = |echoed| Repeats {
        runs: Vec::new(),
        window: m,
        echoed,
    };
    if token_hashes.len() < 2 * m {
        return none(0);
    }
    WINDOWS.with_borrow_mut(|table| {
        // `into_vec`: `collect` checks the capacity at every window.
        let mut hashes: Vec<u64> = Shingles::new(token_hashes, m).into_vec();
        // Window `i` covers words `i..i + m`: it touches `r` when
        // `r.start + 1 - m <= i < r.end`. Zero marks a window not counted.
        let n = hashes.len();
        for r in skip {
            let first = (r.start + 1).saturating_sub(m).min(n);
            hashes[first..r.end.min(n)].fill(0);
        }
        let (most, echoed) = table.count(&hashes, m);
        if most < min_count as u32 {
            return none(echoed);
        }
        let mut covered = vec![false; token_hashes.len()];
        for (i, &h) in hashes.iter().enumerate() {
            if table.get(h) >= min_count as u32 {
                covered[i..i + m].iter_mut().for_each(|c| *c = true);
            }
        }
        Repeats {
            runs: runs_of(&covered),
            window: m,
            echoed,
        }
    })
}

thread_local! {
    /// Each thread's table of window counts for [`repeated_runs`].
    static WINDOWS: std::cell::RefCell<WindowCounts> = std::cell::RefCell::default();
}

/// Counts of window hashes in one document: open addressing over a
/// power-of-two table at most half full, reused from document to document
/// without clearing (each slot is stamped with the document it was filled
/// for; clearing the table was a third of the counting, and a hash map of
/// xxh3 window hashes, then a sort of them, a tenth of the filter's
/// preparation).
#[derive(Default)]
struct WindowCounts {
    /// (hash, non-overlapping occurrences, start of the last one counted,
    /// stamp of the document): a slot of another stamp is free.
    slots: Vec<(u64, u32, u32, u32)>,
    bits: u32,
    stamp: u32,
}

impl WindowCounts {
    /// Counts `hashes` (window `i` starts at word `i` and is `m` words
    /// long); an occurrence overlapping the previous one counted is not
    /// counted ("very very very ..." is one long run, not a repeat).
    /// Returns the highest count, and the most consecutive windows each of
    /// which occurred before (see [`Repeats::echoed`]).
    fn count(&mut self, hashes: &[u64], m: usize) -> (u32, usize) {
        let bits = (usize::BITS - (2 * hashes.len()).leading_zeros()).max(10);
        if bits > self.bits || self.stamp == u32::MAX {
            self.bits = bits.max(self.bits);
            self.slots.clear();
            self.slots.resize(1 << self.bits, (0, 0, 0, 0));
            self.stamp = 0;
        }
        self.stamp += 1;
        let (stamp, bits) = (self.stamp, self.bits);
        let mask = (1usize << bits) - 1;
        let mut most = 1;
        let (mut echoed, mut run) = (0, 0);
        for (i, &h) in hashes.iter().enumerate() {
            if h == 0 {
                run = 0;
                continue;
            }
            let mut s = (h >> (64 - bits)) as usize;
            loop {
                let slot = &mut self.slots[s];
                if slot.3 != stamp {
                    *slot = (h, 1, i as u32, stamp);
                    run = 0;
                    break;
                }
                if slot.0 == h {
                    if i >= slot.2 as usize + m {
                        slot.1 += 1;
                        slot.2 = i as u32;
                        most = most.max(slot.1);
                    }
                    run += 1;
                    echoed = echoed.max(run);
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        (most, echoed)
    }

    /// The count of `h` in the last document counted (zero when absent,
    /// and for zero, the mark of a window not counted).
    fn get(&self, h: u64) -> u32 {
        if h == 0 {
            return 0;
        }
        let mask = (1usize << self.bits) - 1;
        let mut s = (h >> (64 - self.bits)) as usize;
        loop {
            let slot = self.slots[s];
            if slot.3 != self.stamp {
                return 0;
            }
            if slot.0 == h {
                return slot.1;
            }
            s = (s + 1) & mask;
        }
    }
}

/// Maximal runs of `true`.
fn runs_of(covered: &[bool]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < covered.len() {
        if covered[i] {
            let s = i;
            while i < covered.len() && covered[i] {
                i += 1;
            }
            runs.push(s..i);
        } else {
            i += 1;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::boilerplate::test_util::{slices, tokens};

    #[test]
    fn repeated_notice_inside_one_document() {
        let notice = "The BBC is not responsible for the content of external sites.";
        let text = format!("Hunt spoke first. {notice} Then the BMA replied at length. {notice}");
        let runs = repeated_runs(&tokens(&text).0, 6, 2);
        assert_eq!(
            slices(&text, &runs),
            [
                "The BBC is not responsible for the content of external sites",
                "The BBC is not responsible for the content of external sites"
            ]
        );
    }

    #[test]
    fn self_overlapping_repetition_is_not_a_block() {
        let text = "no no no no no no no no no said the crowd";
        assert!(repeated_runs(&tokens(text).0, 6, 2).is_empty());
        // Twice is not three times.
        assert!(repeated_runs(&tokens("a b c d e f. a b c d e f.").0, 5, 3).is_empty());
    }

    #[test]
    fn echoed_counts_the_windows_of_a_second_occurrence() {
        // 12 distinct words, then 8 of them again: 8 - 6 + 1 windows of
        // six words each occurred before.
        let text = "one two three four five six seven eight nine ten eleven twelve \
                    one two three four five six seven eight";
        let r = repeated_runs_counted(&tokens(text).0, &[], 6, 3);
        assert_eq!((r.window, r.echoed), (6, 3));
        assert!(r.runs.is_empty(), "twice is not three times");
        let r = repeated_runs_counted(&tokens("a b c d e f g h i j k l m n").0, &[], 6, 2);
        assert_eq!(r.echoed, 0);
    }

    #[test]
    fn a_long_notice_twice_is_found_past_the_shortcut() {
        // A notice of exactly `long_repeat_words` (30) words twice among
        // sentences: its second occurrence echoes 25 six-word windows, just
        // enough for the long count to run.
        let notice = "This embedded post cannot be displayed in your browser because it uses \
                      features your settings have turned off so please change them or open \
                      the original on its own site";
        assert_eq!(notice.split_whitespace().count(), 30);
        let text = format!(
            "Junior doctors will strike again next month after talks broke down, the union \
             said on Thursday. {notice}. The health secretary said he would impose the new \
             contract and that the offer was fair. {notice}. Talks may resume in the spring, \
             a spokesman for the department said later that evening."
        );
        let (hashes, spans) = tokens(&text);
        let a = Analysis::new(&text, 3);
        let f = page_furniture(&text, &spans, &hashes, &a.seg_start);
        let repeated: Vec<Range<usize>> = f
            .iter()
            .filter(|(_, w)| *w == BoilerplateReason::Repeated)
            .map(|(r, _)| r.clone())
            .collect();
        let s = slices(&text, &repeated);
        assert_eq!(s.len(), 2, "{f:?}");
        assert!(
            s.iter().all(|x| x.starts_with("This embedded post")),
            "{s:?}"
        );
    }

    #[test]
    fn page_furniture_labels_shape_repeats_and_boxes() {
        let text = "Home | News | Sport | Weather | Business | Politics \
                    Junior doctors will strike again next month after talks with the \
                    government broke down, the union said on Thursday. The health secretary \
                    said he would impose the new contract, and that the offer made to the \
                    doctors was fair and would not be improved whatever the union did. \
                    Related stories: Storm hits coast. Mayor resigns.";
        let (hashes, spans) = tokens(text);
        let a = Analysis::new(text, 3);
        let f = page_furniture(text, &spans, &hashes, &a.seg_start);
        let reasons: Vec<BoilerplateReason> = f.iter().map(|(_, w)| *w).collect();
        assert_eq!(
            reasons,
            [BoilerplateReason::Shape, BoilerplateReason::LinkBox],
            "{f:?}"
        );
        let runs: Vec<Range<usize>> = f.iter().map(|(r, _)| r.clone()).collect();
        let s = slices(text, &runs);
        assert!(
            s[0].starts_with("Home") && s[0].contains("Politics"),
            "{s:?}"
        );
        assert_eq!(s[1], "Related stories: Storm hits coast. Mayor resigns");
    }
}
