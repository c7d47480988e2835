//! The one judgement: are two documents the same story?
//!
//! `compare`'s verdict, `report`'s pairs and clusters and `filter`'s drops
//! all come from [`judge`], on the bodies of the two documents (their
//! shingles without furniture or learned boilerplate: see
//! [`crate::analysis::Analysis`]). Scores are exact, from the two shingle
//! sets; nothing is decided on an estimate.
//!
//! 1. **exact**: the same normalised text.
//! 2. **duplicate** / **near-duplicate**: body Jaccard at least
//!    [`Params::duplicate_jaccard`] / [`Params::near_duplicate_jaccard`].
//! 3. **contained**: the shorter body inside the longer, by at least
//!    [`Params::near_duplicate_containment`] with at least
//!    [`Params::min_shared_shingles`] shared (a copy trimmed, extended, or
//!    with a dateline and a footer), or by at least
//!    [`Params::long_containment`] with at least
//!    [`Params::long_shared_shingles`] shared (a long run of the same
//!    sentences, with reader comments or a longer version around it),
//!    provided the shorter page has no run of article text of its own as
//!    long as what it shares (else it is another article that carries the
//!    same block: a site's prose footer, a reprinted statement).
//!
//! Both bodies leave out furniture, and a link box found inside an article
//! may have taken a short sentence of it with its headlines (each reads
//! like one). Shingles one page set aside in a link box that the other
//! page carries as article text therefore count in both bodies, so a box
//! on one copy and not on the other does not make them differ.
//!
//! **Pages of one template** (the same source, or sharing at least
//! [`Params::template_shingles`] shingles of furniture and boilerplate)
//! share chrome by construction, and on a site's first pages some of it is
//! prose the model has not learned yet (an author blurb, a comment policy).
//! While either page's source is young ([`Side::young`]), what they share
//! counts as the same story only when it is several paragraphs
//! ([`Params::template_min_shared`]); and never, young or not, when each
//! page has article text of its own that the other lacks
//! ([`Params::own_article_words`] in a row): two articles under one site's
//! chrome. Such a pair is not the same story, and the judgement says why
//! ([`Guard`]), so the filter can keep the page and say so.

use std::ops::Range;
use std::sync::OnceLock;

use crate::analysis::Analysis;
use crate::boilerplate::BoilerplateReason;
use crate::params::Params;
use crate::shingle::ShingleSet;

/// How two documents are the same story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SameStory {
    /// The same normalised text.
    Exact,
    /// Body Jaccard at least [`Params::duplicate_jaccard`].
    Duplicate,
    /// Body Jaccard at least [`Params::near_duplicate_jaccard`].
    NearDuplicate,
    /// The shorter body inside the longer.
    Contained,
}

/// Why two pages that pass the thresholds are not the same story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// Pages of one template sharing too little article text to tell it
    /// from the template's own prose.
    TemplateOnly,
    /// Pages each carrying article text the other lacks: under one
    /// template, or around one long shared block.
    DifferentArticles,
}

impl Guard {
    /// The name used in every output format.
    pub fn as_str(&self) -> &'static str {
        match self {
            Guard::TemplateOnly => "template-only",
            Guard::DifferentArticles => "different-articles",
        }
    }
}

/// One side of a judgement: a document's analysis and its body.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The document's analysis.
    pub analysis: &'a Analysis,
    /// Its body: the set of its content shingles.
    pub body: &'a ShingleSet,
    /// Its learned boilerplate segments (one flag a segment, or empty).
    pub bad: &'a [bool],
    /// Its source, when known.
    pub source: Option<&'a str>,
    /// The set of all its shingles, made when first needed.
    pub full: &'a OnceLock<ShingleSet>,
    /// True while the boilerplate model has seen too few pages of its
    /// source (or, without a source, of the corpus) to have learned the
    /// prose its template carries (see
    /// [`crate::boilerplate::BoilerplateLookup::template_unlearned`]).
    pub young: bool,
}

impl Side<'_> {
    fn full(&self) -> &ShingleSet {
        self.full.get_or_init(|| self.analysis.full_set())
    }
}

/// The judgement of two documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// How they are the same story, if they are.
    pub same: Option<SameStory>,
    /// Why they are not although the scores alone would say so.
    pub guard: Option<Guard>,
    /// Exact Jaccard of the two bodies (1 for an exact copy).
    pub jaccard: f64,
    /// Share of the shorter body found in the longer (1 for an exact copy).
    pub containment: f64,
    /// Shingles the two bodies share.
    pub shared: usize,
}

impl Judgement {
    /// True when the two are the same story.
    pub fn is_same(&self) -> bool {
        self.same.is_some()
    }

    /// How strong a match is, to pick the best of several: an exact copy
    /// first, then the larger of Jaccard and containment.
    pub fn rank(&self) -> (bool, f64) {
        (
            self.same == Some(SameStory::Exact),
            self.jaccard.max(self.containment),
        )
    }
}

/// The scores of two bodies and what they say before any template check.
pub fn score(a: &ShingleSet, b: &ShingleSet, p: &Params) -> Judgement {
    score_counts(a.len(), b.len(), a.intersection_len(b), p)
}

/// [`score`] of two sets of `a_len` and `b_len` shingles sharing `shared`.
fn score_counts(a_len: usize, b_len: usize, shared: usize, p: &Params) -> Judgement {
    let (jaccard, containment) = if a_len == 0 || b_len == 0 {
        (0.0, 0.0)
    } else {
        let inter = shared as f64;
        (
            inter / ((a_len + b_len) as f64 - inter),
            inter / a_len.min(b_len) as f64,
        )
    };
    let same = if shared == 0 {
        None
    } else if jaccard >= p.duplicate_jaccard {
        Some(SameStory::Duplicate)
    } else if jaccard >= p.near_duplicate_jaccard {
        Some(SameStory::NearDuplicate)
    } else if (containment >= p.near_duplicate_containment && shared >= p.min_shared_shingles)
        || (containment >= p.long_containment && shared >= p.long_shared_shingles)
    {
        Some(SameStory::Contained)
    } else {
        None
    };
    Judgement {
        same,
        guard: None,
        jaccard,
        containment,
        shared,
    }
}

/// Judges two documents (see the module docs).
pub fn judge(a: &Side<'_>, b: &Side<'_>, p: &Params) -> Judgement {
    if a.analysis.exact == b.analysis.exact {
        return Judgement {
            same: Some(SameStory::Exact),
            guard: None,
            jaccard: 1.0,
            containment: 1.0,
            shared: a.body.len().min(b.body.len()),
        };
    }
    let mut j = score(a.body, b.body, p);
    // A link box is found by its header and the headline-length sentences
    // under it, and a box inside an article may take a short sentence of
    // the article with its headlines. What one page set aside in a box and
    // the other carries as article text counts as shared article text.
    let (from_a, from_b) = (recovered(a, b.body), recovered(b, a.body));
    if from_a + from_b > 0 {
        j = score_counts(
            a.body.len() + from_a,
            b.body.len() + from_b,
            j.shared + from_a + from_b,
            p,
        );
    }
    // Bodies the same but for a few words, sharing several paragraphs, are
    // one story whatever template they share: neither can carry an article
    // the other lacks (and the checks below read every shingle of both).
    let plain = j.jaccard >= p.duplicate_jaccard && j.shared >= p.template_min_shared;
    if j.same.is_some() && !plain {
        j.guard = long_copy_guard(a, b, &j, p).or_else(|| template_guard(a, b, j.shared, p));
        if j.guard.is_some() {
            j.same = None;
        }
    }
    j
}

/// Shingles inside `side`'s link boxes that are not in its body but are in
/// `other` (the other page's body): distinct, and disjoint from what the
/// bodies share.
fn recovered(side: &Side<'_>, other: &ShingleSet) -> usize {
    let a = side.analysis;
    let k = shingle_width(a);
    let mut found: Vec<u64> = Vec::new();
    for (r, why) in &a.furniture {
        let (start, end) = (
            r.start as usize,
            (r.end as usize).min(a.shingles.len() + k - 1),
        );
        if *why != BoilerplateReason::LinkBox || end < start + k {
            continue;
        }
        found.extend(
            a.shingles[start..=end - k]
                .iter()
                .copied()
                .filter(|&h| other.contains(h) && !side.body.contains(h)),
        );
    }
    found.sort_unstable();
    found.dedup();
    found.len()
}

/// The check of a copy made by the long-run rule alone (containment under
/// [`Params::near_duplicate_containment`]): the shared run must be the
/// shorter page's main text, so no run of article text of its own may be
/// as long (two articles that each carry the same long block, a site's
/// prose footer or a reprinted statement, are two stories); and while
/// little is learned, pages whose sources are unknown do not get the rule
/// at all (the block may be a template's).
fn long_copy_guard(a: &Side<'_>, b: &Side<'_>, j: &Judgement, p: &Params) -> Option<Guard> {
    if j.same != Some(SameStory::Contained) || j.containment >= p.near_duplicate_containment {
        return None;
    }
    // Two pages of unknown sources early on: the long block may be a
    // template's prose not learned yet (a site's footer, a sidebar), and
    // nothing says the sites differ.
    if (a.source.is_none() || b.source.is_none()) && (a.young || b.young) {
        return Some(Guard::TemplateOnly);
    }
    let (short, long) = if a.body.len() <= b.body.len() {
        (a, b)
    } else {
        (b, a)
    };
    let own = own_article_run(short, long.full(), shingle_width(short.analysis));
    (own >= j.shared).then_some(Guard::DifferentArticles)
}

/// The template check of a pair whose bodies share `shared` shingles.
fn template_guard(a: &Side<'_>, b: &Side<'_>, shared: usize, p: &Params) -> Option<Guard> {
    let same_source = a.source.is_some() && a.source == b.source;
    if !same_source {
        // Shingles the pages share beyond their bodies' shared ones.
        let both = a.full().intersection_len(b.full());
        if both.saturating_sub(shared) < p.template_shingles {
            return None;
        }
    }
    if (a.young || b.young) && shared < p.template_min_shared {
        return Some(Guard::TemplateOnly);
    }
    if shared < p.min_shared_shingles {
        return Some(Guard::TemplateOnly);
    }
    let own_a = own_article_run(a, b.full(), shingle_width(a.analysis));
    if own_a < p.own_article_words {
        return None;
    }
    let own_b = own_article_run(b, a.full(), shingle_width(b.analysis));
    (own_b >= p.own_article_words).then_some(Guard::DifferentArticles)
}

/// Words each shingle of `a` covers (its shingle size, or all its words
/// when it has fewer).
pub fn shingle_width(a: &Analysis) -> usize {
    if a.shingles.len() <= 1 {
        a.tokens
    } else {
        a.tokens + 1 - a.shingles.len()
    }
}

/// The longest run of `side`'s body words that no shingle of `other`
/// covers: article text of its own. Furniture and learned boilerplate
/// neither extend nor end a run (a caption or a promo box inside an
/// article does not split it).
pub fn own_article_run(side: &Side<'_>, other: &ShingleSet, k: usize) -> usize {
    let a = side.analysis;
    let n = a.tokens;
    if n == 0 {
        return 0;
    }
    let mut covered = vec![false; n];
    for (i, &h) in a.shingles.iter().enumerate() {
        if other.contains(h) {
            let end = (i + k).min(n);
            covered[i..end].iter_mut().for_each(|c| *c = true);
        }
    }
    let excluded: Vec<Range<usize>> = a.excluded(side.bad);
    let mut is_body = vec![true; n];
    for r in excluded {
        is_body[r].iter_mut().for_each(|x| *x = false);
    }
    let (mut best, mut run) = (0, 0);
    for t in 0..n {
        if !is_body[t] {
            continue;
        }
        if covered[t] {
            run = 0;
        } else {
            run += 1;
            best = best.max(run);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boilerplate::{BoilerplateModel, BoilerplateParams};

    struct Doc {
        young: bool,
        analysis: Analysis,
        body: ShingleSet,
        bad: Vec<bool>,
        source: Option<String>,
        full: OnceLock<ShingleSet>,
    }

    fn doc(text: &str, source: Option<&str>) -> Doc {
        let analysis = Analysis::new(text, 3);
        let model = BoilerplateModel::new(BoilerplateParams::default());
        let bad = analysis.bad_segments(&model, source);
        let body = ShingleSet::from_hashes(analysis.content_of(&bad, 3));
        Doc {
            young: true,
            analysis,
            body,
            bad,
            source: source.map(str::to_string),
            full: OnceLock::new(),
        }
    }

    fn side(d: &Doc) -> Side<'_> {
        Side {
            analysis: &d.analysis,
            body: &d.body,
            bad: &d.bad,
            source: d.source.as_deref(),
            full: &d.full,
            young: d.young,
        }
    }

    fn judged(a: &str, sa: Option<&str>, b: &str, sb: Option<&str>) -> Judgement {
        let (a, b) = (doc(a, sa), doc(b, sb));
        let p = Params::default();
        let ab = judge(&side(&a), &side(&b), &p);
        let ba = judge(&side(&b), &side(&a), &p);
        assert_eq!(ab, ba, "the judgement is symmetric");
        ab
    }

    /// `n` sentences of a made-up article numbered `seed`, 20-30 words
    /// each: words drawn by a fixed generator, function words between
    /// them, so the text reads as prose and repeats no run of words.
    fn article(seed: usize, n: usize) -> String {
        const NOUNS: &[&str] = &[
            "council", "road", "plan", "bridge", "school", "doctor", "union", "budget", "river",
            "market", "harbour", "station", "library", "tax", "court", "hospital", "farm",
            "museum", "festival", "factory", "airport", "park", "church", "college", "ferry",
            "tunnel", "garden", "prison", "stadium", "theatre",
        ];
        const VERBS: &[&str] = &[
            "said",
            "approved",
            "rejected",
            "delayed",
            "opened",
            "closed",
            "funded",
            "blocked",
            "praised",
            "questioned",
            "reviewed",
            "announced",
        ];
        const GLUE: &[&str] = &[
            "the", "of", "and", "to", "in", "that", "for", "with", "on", "a",
        ];
        let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        let mut out = String::new();
        for _ in 0..n {
            let words = 10 + next(5);
            out.push_str("The");
            for w in 0..words {
                let noun = NOUNS[next(NOUNS.len())];
                let verb = VERBS[next(VERBS.len())];
                let glue = GLUE[next(GLUE.len())];
                let figure = 100 + next(900);
                match w % 3 {
                    0 => out.push_str(&format!(" {noun} {glue}")),
                    1 => out.push_str(&format!(" {verb} {figure}")),
                    _ => out.push_str(&format!(" {glue} {noun}")),
                }
            }
            out.push_str(". ");
        }
        out
    }

    #[test]
    fn article_text_a_link_box_took_counts_when_the_other_page_has_it() {
        // A box inside the article takes its headlines and the short
        // sentences after them (each could be a headline); the copy without
        // the box carries those sentences as article text.
        let shorts = "The ferry will run on Sundays from May. Tickets cost four pounds \
                      each way. Pensioners travel free on weekdays. ";
        let (head, tail) = (article(5, 6), article(6, 6));
        let boxed = format!(
            "{head}Also read: Council approves new ferry timetable. Harbour plan delayed \
             again. {shorts}{tail}"
        );
        let plain = format!("{head}{shorts}{tail}");
        let (a, b) = (doc(&boxed, None), doc(&plain, None));
        let in_box = a
            .analysis
            .furniture
            .iter()
            .any(|(r, why)| *why == BoilerplateReason::LinkBox && r.len() > 20);
        assert!(in_box, "{:?}", a.analysis.furniture);
        let bodies = score(&a.body, &b.body, &Params::default());
        let j = judged(&boxed, None, &plain, None);
        assert!(j.shared > bodies.shared, "{j:?} {bodies:?}");
        assert!(j.jaccard > bodies.jaccard, "{j:?} {bodies:?}");
        // What only one page has, in a box or not, never counts.
        let other = format!("{head}Also read: Council approves new ferry timetable. {tail}");
        let alone = judged(&other, None, &plain, None);
        let (c, d) = (doc(&other, None), doc(&plain, None));
        assert_eq!(
            alone.shared,
            score(&c.body, &d.body, &Params::default()).shared
        );
    }

    #[test]
    fn copies_edits_and_strangers() {
        let a = article(1, 12);
        let exact = judged(&a, None, &a, None);
        assert_eq!(exact.same, Some(SameStory::Exact));
        let edited = a.replacen(" the ", " one ", 1);
        let j = judged(&a, None, &edited, None);
        assert_eq!(j.same, Some(SameStory::Duplicate), "{j:?}");
        let stranger = judged(&a, None, &article(2, 12), None);
        assert_eq!(stranger.same, None);
        assert_eq!(stranger.guard, None);
    }

    #[test]
    fn a_lead_cut_is_contained_but_a_shared_quote_is_not() {
        let long = article(3, 20);
        let lead: String = long.split_inclusive(". ").take(8).collect();
        let j = judged(&long, None, &lead, None);
        assert_eq!(j.same, Some(SameStory::Contained), "{j:?}");
        // Two sentences shared: contained, but far too little.
        let quote: String = long.split_inclusive(". ").take(2).collect();
        let other = format!("{}{quote}", article(4, 2));
        assert_eq!(judged(&long, None, &other, None).same, None);
    }

    #[test]
    fn two_articles_under_one_sites_prose_chrome_are_two_stories() {
        // A site's sidebar of prose, not learned yet (a site's second page),
        // around two different articles.
        let sidebar = article(9, 12);
        let a = format!("{sidebar}{}", article(5, 4));
        let b = format!("{sidebar}{}", article(6, 4));
        let j = judged(&a, Some("site"), &b, Some("site"));
        assert_eq!(j.same, None);
        assert_eq!(j.guard, Some(Guard::DifferentArticles), "{j:?}");
        // From two sites the same text is copying.
        let j = judged(&a, Some("one"), &b, Some("two"));
        assert!(j.is_same(), "{j:?}");
        // Only a short blurb shared on a young site: too little to tell.
        let blurb = article(9, 4);
        let a = format!("{blurb} Photo one.");
        let b = format!("{blurb} Photo two.");
        let j = judged(&a, Some("site"), &b, Some("site"));
        assert_eq!(j.guard, Some(Guard::TemplateOnly), "{j:?}");
        // Once the site's pages have taught the model, a short copy counts.
        let (mut da, mut db) = (doc(&a, Some("site")), doc(&b, Some("site")));
        (da.young, db.young) = (false, false);
        let j = judge(&side(&da), &side(&db), &Params::default());
        assert!(j.is_same(), "{j:?}");
    }

    #[test]
    fn the_same_story_twice_on_one_site_is_still_a_copy() {
        let story = article(7, 14);
        let a = format!("{story} Comments are closed.");
        let b = format!("{story} Comments are closed. Reply");
        let j = judged(&a, Some("site"), &b, Some("site"));
        assert!(j.is_same(), "{j:?}");
        // One page adds a paragraph: its own text, but the other has none.
        let b = format!("{story}{}", article(8, 3));
        let j = judged(&a, Some("site"), &b, Some("site"));
        assert!(j.is_same(), "{j:?}");
    }
}
