//! The seed corpus: what a reader of the five articles expects `compare`
//! to report. Every assertion slices the ORIGINAL FILE BYTES with the
//! reported spans (mapped through `Document::original_span`) and checks the
//! words a reader would look for are inside.

use std::path::{Path, PathBuf};

use copydesk::{compare, Comparison, Document, Params, PassageKind, Span};

const IBT_FEB: &str = "corpus/ibtimes/2016-02-11-hunt-to-impose-contract.txt";
const BBC_FEB: &str = "corpus/bbc/2016-02-11-junior-doctors-live.txt";
const LL_FEB: &str = "corpus/labourlist/2016-02-10-second-strike-hopson-imposition.txt";
const UNATT_APR: &str = "corpus/unattributed/2016-04-24-hunt-strike-risks-patient-safety.txt";
const IBT_APR: &str = "corpus/ibtimes/2016-04-24-hunt-rejects-labour-pilot.txt";

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One compared pair with the raw bytes of both files.
struct Pair {
    a: Document,
    b: Document,
    a_bytes: Vec<u8>,
    b_bytes: Vec<u8>,
    c: Comparison,
}

/// A passage as a reader sees it: kind and the original bytes of both
/// sides as text.
#[derive(Debug)]
struct Shown {
    kind: PassageKind,
    a: String,
    b: String,
}

fn file_text(doc: &Document, bytes: &[u8], span: Span) -> String {
    let o = doc.original_span(span);
    assert!(
        o.start <= o.end && o.end <= bytes.len(),
        "span {o:?} out of file"
    );
    String::from_utf8(bytes[o.start..o.end].to_vec()).expect("span on char boundaries")
}

impl Pair {
    fn new(a: &str, b: &str) -> Pair {
        let (pa, pb) = (path(a), path(b));
        let da = Document::read(&pa).expect("seed article reads");
        let db = Document::read(&pb).expect("seed article reads");
        let c = compare(&da.text, &db.text, &Params::default());
        Pair {
            a_bytes: std::fs::read(&pa).unwrap(),
            b_bytes: std::fs::read(&pb).unwrap(),
            a: da,
            b: db,
            c,
        }
    }

    fn shown(&self) -> Vec<Shown> {
        self.c
            .passages
            .iter()
            .map(|p| Shown {
                kind: p.passage.kind,
                a: file_text(&self.a, &self.a_bytes, p.passage.a),
                b: file_text(&self.b, &self.b_bytes, p.passage.b),
            })
            .collect()
    }

    /// The passage whose A side contains every one of `in_a` and whose B
    /// side contains every one of `in_b`; fails listing all passages.
    fn find(&self, in_a: &[&str], in_b: &[&str]) -> Shown {
        let all = self.shown();
        let hit = all.iter().position(|s| {
            in_a.iter().all(|w| s.a.contains(w)) && in_b.iter().all(|w| s.b.contains(w))
        });
        match hit {
            Some(i) => self.shown().swap_remove(i),
            None => panic!("no passage with {in_a:?} in A and {in_b:?} in B; passages: {all:#?}"),
        }
    }
}

/// A fact as a reader sees it: both sentences and each carrier pair, as
/// original text.
type ShownFact = (String, String, Vec<(String, String)>);

impl Pair {
    /// The facts (sentence pairs), as original text.
    fn facts(&self) -> Vec<ShownFact> {
        self.c
            .facts
            .iter()
            .map(|f| {
                let carriers = f
                    .carriers
                    .iter()
                    .map(|&(x, y)| {
                        (
                            file_text(&self.a, &self.a_bytes, x),
                            file_text(&self.b, &self.b_bytes, y),
                        )
                    })
                    .collect();
                let a = file_text(&self.a, &self.a_bytes, f.a);
                (a, file_text(&self.b, &self.b_bytes, f.b), carriers)
            })
            .collect()
    }

    /// Fails unless one fact's A sentence contains `in_a`, its B sentence
    /// `in_b`, and it links the carrier `(ca, cb)`.
    fn fact_carried_by(&self, in_a: &str, in_b: &str, ca: &str, cb: &str) {
        let all = self.facts();
        let hit = all.iter().any(|(a, b, carriers)| {
            a.contains(in_a) && b.contains(in_b) && carriers.iter().any(|(x, y)| x == ca && y == cb)
        });
        assert!(
            hit,
            "no fact {in_a:?} ~ {in_b:?} carried by {ca:?} ~ {cb:?}: {all:#?}"
        );
    }
}

/// The facts named in issue 15, each as one sentence pair with the words
/// that carry it linked, whatever the wording around them.
#[test]
fn the_seed_facts_are_linked_sentence_to_sentence_by_their_carriers() {
    let p = Pair::new(IBT_FEB, LL_FEB);
    p.fact_carried_by("64% of voters", "64 per cent of people", "64", "64");
    p.fact_carried_by("Ipsos Mori", "IPSOS Mori", "Ipsos Mori", "IPSOS Mori");
    p.fact_carried_by("Malawana", "Malawana", "Johann Malawana", "Johann Malawana");
    let p = Pair::new(IBT_FEB, BBC_FEB);
    p.fact_carried_by(
        "Almost 3,000 operations",
        "About 3,000 operations",
        "3,000",
        "3,000",
    );
    let p = Pair::new(UNATT_APR, IBT_APR);
    p.fact_carried_by("125,000", "125,000", "125,000", "125,000");
    // Unrelated stories share names ("Jeremy Hunt", "BMA") but no fact.
    for (a, b) in [(IBT_FEB, IBT_APR), (BBC_FEB, UNATT_APR), (LL_FEB, IBT_APR)] {
        let p = Pair::new(a, b);
        assert!(p.c.facts.is_empty(), "{a} vs {b}: {:#?}", p.facts());
    }
}

#[test]
fn ibtimes_and_labourlist_share_the_ipsos_mori_poll() {
    let p = Pair::new(IBT_FEB, LL_FEB);
    // "64% of voters blaming the Conservative government" /
    // "64 per cent of people blaming the Government".
    let s = p.find(&["64%", "blaming"], &["64 per cent", "blaming"]);
    assert_ne!(s.kind, PassageKind::Verbatim, "{s:?}");
    // The poll's source is part of the same shared fact.
    p.find(&["Ipsos Mori"], &["IPSOS Mori"]);
}

#[test]
fn ibtimes_and_labourlist_share_the_malawana_attribution() {
    let p = Pair::new(IBT_FEB, LL_FEB);
    let s = p.find(
        &["Dr Johann Malawana, BMA junior doctor committee chair"],
        &["Dr Johann Malawana, BMA junior doctor committee chair"],
    );
    assert_eq!(s.kind, PassageKind::Verbatim);
}

#[test]
fn ibtimes_and_the_bbc_share_the_3000_cancelled_operations() {
    let p = Pair::new(IBT_FEB, BBC_FEB);
    let s = p.find(
        &["Almost 3,000 operations were cancelled"],
        &["About 3,000 operations have been cancelled"],
    );
    assert_eq!(s.kind, PassageKind::Paraphrase);
    // The same pair the other way round reports the same passage mirrored.
    let q = Pair::new(BBC_FEB, IBT_FEB);
    q.find(
        &["About 3,000 operations have been cancelled"],
        &["Almost 3,000 operations were cancelled"],
    );
}

#[test]
fn the_april_articles_share_the_labour_pilot_proposal() {
    let p = Pair::new(UNATT_APR, IBT_APR);
    // Heidi Alexander's proposal: test the contract "in a small number of
    // trusts" / "limited to a pilot scheme".
    p.find(
        &["shadow health secretary Heidi Alexander"],
        &["shadow health secretary Heidi Alexander"],
    );
    p.find(&["small number of trusts"], &["pilot scheme"]);
}

#[test]
fn the_april_articles_share_hunts_opportunism_and_the_125000_figure() {
    let p = Pair::new(UNATT_APR, IBT_APR);
    let s = p.find(&["dismissed the proposal", "opportunism"], &["opportunism"]);
    assert_eq!(s.kind, PassageKind::Paraphrase);
    p.find(&["125,000"], &["125,000"]);
}

#[test]
fn a_different_figure_is_a_different_fact() {
    // "Almost 3,000 operations were cancelled" (February) against "Almost
    // 13,000 operations have been postponed" (April).
    let p = Pair::new(IBT_FEB, IBT_APR);
    assert!(
        !p.shown()
            .iter()
            .any(|s| s.a.contains("3,000") && s.b.contains("13,000")),
        "{:#?}",
        p.shown()
    );
}

#[test]
fn february_and_april_articles_share_no_passage() {
    // Different events (the February strike and imposition, the April
    // all-out strike and Labour's pilot plan) told in the same vocabulary:
    // shared names and phrases ("junior doctors", "the BMA", "Jeremy
    // Hunt", "shadow health secretary") are not shared passages.
    for feb in [IBT_FEB, BBC_FEB, LL_FEB] {
        for apr in [UNATT_APR, IBT_APR] {
            for (a, b) in [(feb, apr), (apr, feb)] {
                let p = Pair::new(a, b);
                assert!(p.c.passages.is_empty(), "{a} vs {b}: {:#?}", p.shown());
            }
        }
    }
}

#[test]
fn same_day_stories_are_partial_copies_not_duplicates() {
    let p = Pair::new(IBT_FEB, LL_FEB);
    assert_eq!(p.c.verdict, copydesk::Verdict::Partial);
    let p = Pair::new(UNATT_APR, IBT_APR);
    assert_eq!(p.c.verdict, copydesk::Verdict::Partial);
}

#[test]
fn an_article_against_itself_is_one_verbatim_passage() {
    for f in [IBT_FEB, BBC_FEB, LL_FEB, UNATT_APR, IBT_APR] {
        let p = Pair::new(f, f);
        assert_eq!(p.c.verdict, copydesk::Verdict::Duplicate);
        assert_eq!(p.c.passages.len(), 1);
        let s = &p.shown()[0];
        assert_eq!(s.kind, PassageKind::Verbatim);
        assert_eq!(s.a, s.b);
        assert!(p.c.unique_a.is_empty() && p.c.unique_b.is_empty());
    }
}
