//! Invariants of `compare` on generated texts: a text against itself, the
//! two argument orders, spans, diff ops and unique material, and no panic
//! on any string or byte input.

use std::path::Path;

use copydesk::{
    compare, Comparison, DiffTag, Document, Params, PassageKind, Span, Tokens, Verdict,
};
use proptest::prelude::*;

/// Words news stories are made of: names, figures, quotes, function words.
const VOCAB: &[&str] = &[
    "the",
    "the",
    "the",
    "of",
    "a",
    "to",
    "and",
    "in",
    "said",
    "BMA",
    "Hunt",
    "Jeremy",
    "junior",
    "doctors",
    "contract",
    "strike",
    "3,000",
    "13,000",
    "64%",
    "64",
    "per",
    "cent",
    "operations",
    "were",
    "cancelled",
    "government",
    "Malawana",
    "Dr",
    "Johann",
    "\u{201c}opportunism\u{201d}",
    "\"failure\"",
    "NHS",
    "England",
    "week's",
    "pilot",
    "trusts",
    "caf\u{e9}",
    "na\u{ef}ve",
    "13.5%",
];

const SEPARATORS: &[&str] = &[
    " ",
    " ",
    " ",
    " ",
    ", ",
    ". ",
    ".\n",
    "\n\n",
    " \u{2013} ",
    ": ",
    " (",
    ") ",
    "\u{a0}",
];

/// A news-like text as a list of (word, separator after it).
fn words() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..VOCAB.len(), 0..SEPARATORS.len()), 0..90)
}

fn join(ws: &[(usize, usize)]) -> String {
    ws.iter()
        .map(|&(w, s)| format!("{}{}", VOCAB[w], SEPARATORS[s]))
        .collect()
}

/// Edits turning one text into a related one: (kind, position, word).
fn edits() -> impl Strategy<Value = Vec<(u8, usize, usize)>> {
    prop::collection::vec((0u8..5, 0usize..200, 0..VOCAB.len()), 0..12)
}

fn apply(ws: &[(usize, usize)], edits: &[(u8, usize, usize)]) -> Vec<(usize, usize)> {
    let mut v = ws.to_vec();
    for &(kind, at, w) in edits {
        if v.is_empty() {
            v.push((w, 0));
            continue;
        }
        let i = at % v.len();
        match kind {
            0 => {
                v.remove(i);
            }
            1 => v[i].0 = w,
            2 => v.insert(i, (w, 0)),
            3 => {
                // Move a block (a paragraph) to the end.
                let end = (i + 1 + w).min(v.len());
                let block: Vec<_> = v.drain(i..end).collect();
                v.extend(block);
            }
            _ => {
                // Repeat a block (a repeated sentence).
                let end = (i + 1 + w).min(v.len());
                let block: Vec<_> = v[i..end].to_vec();
                v.splice(i..i, block);
            }
        }
    }
    v
}

/// Strings with the characters that break naive text code.
fn nasty() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\u{0}',
        '\u{7}',
        '\u{1b}',
        '\r',
        '\n',
        '\t',
        '\u{301}',
        '\u{308}',
        '\u{200f}',
        '\u{202e}',
        '\u{5d0}',
        '\u{627}',
        '\u{1f600}',
        '\u{1f1ec}',
        '\u{fe0f}',
        '\u{200d}',
        '\u{a0}',
        '\u{2019}',
        '\u{201c}',
        '\\',
        '\'',
        '%',
        ',',
        '.',
        '3',
        '0',
        'a',
        'A',
        ' ',
        '\u{ff05}',
        '\u{fb01}',
        '\u{130}',
        '\u{df}',
    ]);
    prop::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..120)
        .prop_map(|cs| cs.into_iter().collect())
}

/// The full-token indices whose spans lie inside `s`.
fn tokens_in(t: &Tokens, s: Span) -> Vec<usize> {
    (0..t.len())
        .filter(|&i| s.start <= t.get(i).span.start && t.get(i).span.end <= s.end)
        .collect()
}

/// Every span of `c` lies on char boundaries of its text, in order, inside
/// it; passages and unique runs tile each side's body words (those not in
/// a boilerplate run) exactly once, and no unique run holds a boilerplate
/// word; ops tile their passage on both sides, over every word of it
/// (boilerplate included), and rebuild it.
fn check_spans(a: &str, b: &str, c: &Comparison) -> Result<(), TestCaseError> {
    let (ta, tb) = (Tokens::new(a), Tokens::new(b));
    let ok = |s: Span, text: &str| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    // Boilerplate words of each side.
    let mut boiler_a = vec![false; ta.len()];
    let mut boiler_b = vec![false; tb.len()];
    for (spans, tokens, text, boiler) in [
        (&c.boilerplate_a, &ta, a, &mut boiler_a),
        (&c.boilerplate_b, &tb, b, &mut boiler_b),
    ] {
        for s in spans.iter() {
            prop_assert!(ok(*s, text), "boilerplate span {:?}", s);
            let inside = tokens_in(tokens, *s);
            prop_assert!(!inside.is_empty());
            prop_assert_eq!(*s, tokens.span_of(inside[0], inside[inside.len() - 1]));
            for i in inside {
                prop_assert!(!boiler[i], "word {} in two boilerplate runs", i);
                boiler[i] = true;
            }
        }
    }
    let mut owner_a = vec![0u32; ta.len()];
    let mut owner_b = vec![0u32; tb.len()];
    for p in &c.passages {
        let q = &p.passage;
        prop_assert!(ok(q.a, a) && ok(q.b, b), "passage span {:?}", q);
        prop_assert!(!q.a_tokens.is_empty() && !q.b_tokens.is_empty());
        prop_assert!((0.0..=1.0).contains(&q.score));
        // The passage's words, counted over body words; its token ranges
        // number body words.
        let (wa, wb) = (tokens_in(&ta, q.a), tokens_in(&tb, q.b));
        prop_assert!(!wa.is_empty() && !wb.is_empty());
        prop_assert_eq!(q.a, ta.span_of(wa[0], wa[wa.len() - 1]));
        prop_assert_eq!(q.b, tb.span_of(wb[0], wb[wb.len() - 1]));
        let body_a: Vec<usize> = wa.iter().copied().filter(|&i| !boiler_a[i]).collect();
        let body_b: Vec<usize> = wb.iter().copied().filter(|&i| !boiler_b[i]).collect();
        prop_assert_eq!(body_a.len(), q.a_tokens.len());
        prop_assert_eq!(body_b.len(), q.b_tokens.len());
        for &i in &body_a {
            owner_a[i] += 1;
        }
        for &i in &body_b {
            owner_b[i] += 1;
        }
        // Ops tile every word of the passage on both sides, in order.
        let (mut na, mut nb) = (wa[0], wb[0]);
        for o in &p.ops {
            prop_assert!(ok(o.a, a) && ok(o.b, b), "op span {:?}", o);
            prop_assert_eq!((o.a_tokens.start, o.b_tokens.start), (na, nb));
            prop_assert!(q.a.start <= o.a.start && o.a.end <= q.a.end);
            prop_assert!(q.b.start <= o.b.start && o.b.end <= q.b.end);
            if !o.a_tokens.is_empty() {
                prop_assert_eq!(o.a, ta.span_of(o.a_tokens.start, o.a_tokens.end - 1));
            }
            if !o.b_tokens.is_empty() {
                prop_assert_eq!(o.b, tb.span_of(o.b_tokens.start, o.b_tokens.end - 1));
            }
            match o.tag {
                DiffTag::Equal => {
                    prop_assert_eq!(o.a_tokens.len(), o.b_tokens.len());
                    for (i, j) in o.a_tokens.clone().zip(o.b_tokens.clone()) {
                        prop_assert_eq!(ta.norm(i), tb.norm(j));
                    }
                }
                DiffTag::Delete => prop_assert!(o.b_tokens.is_empty() && !o.a_tokens.is_empty()),
                DiffTag::Insert => prop_assert!(o.a_tokens.is_empty() && !o.b_tokens.is_empty()),
                DiffTag::Replace => {
                    prop_assert!(!o.a_tokens.is_empty() && !o.b_tokens.is_empty())
                }
            }
            na = o.a_tokens.end;
            nb = o.b_tokens.end;
        }
        prop_assert_eq!((na, nb), (wa[wa.len() - 1] + 1, wb[wb.len() - 1] + 1));
    }
    for (spans, tokens, text, owner, boiler) in [
        (&c.unique_a, &ta, a, &mut owner_a, &boiler_a),
        (&c.unique_b, &tb, b, &mut owner_b, &boiler_b),
    ] {
        for s in spans.iter() {
            prop_assert!(ok(*s, text), "unique span {:?}", s);
            let inside = tokens_in(tokens, *s);
            prop_assert!(!inside.is_empty());
            prop_assert_eq!(*s, tokens.span_of(inside[0], inside[inside.len() - 1]));
            for i in inside {
                prop_assert!(!boiler[i], "a unique run holds boilerplate word {}", i);
                owner[i] += 1;
            }
        }
        // Each body word is in exactly one passage or one unique run.
        for (i, &n) in owner.iter().enumerate() {
            prop_assert!(boiler[i] || n == 1, "owners {:?}", owner);
        }
    }
    Ok(())
}

/// `c` seen from the other side equals `m` exactly.
fn check_mirror(c: &Comparison, m: &Comparison) -> Result<(), TestCaseError> {
    prop_assert_eq!(c.verdict, m.verdict);
    prop_assert_eq!(c.similarity.jaccard, m.similarity.jaccard);
    prop_assert_eq!(c.similarity.containment_a, m.similarity.containment_b);
    prop_assert_eq!(c.similarity.containment_b, m.similarity.containment_a);
    prop_assert_eq!(c.coverage_a, m.coverage_b);
    prop_assert_eq!(&c.unique_a, &m.unique_b);
    prop_assert_eq!(&c.unique_b, &m.unique_a);
    let mirrored = m.mirrored();
    prop_assert_eq!(c.passages.len(), mirrored.passages.len());
    for (p, q) in c.passages.iter().zip(&mirrored.passages) {
        prop_assert_eq!(p, q);
    }
    // The facts too: the same sentence pairs, scores and carriers.
    prop_assert_eq!(&c.facts, &mirrored.facts);
    Ok(())
}

fn check_self(a: &str) -> Result<(), TestCaseError> {
    let c = compare(a, a, &Params::default());
    let t = Tokens::new(a);
    let boiler: usize = c
        .boilerplate_a
        .iter()
        .map(|s| tokens_in(&t, *s).len())
        .sum();
    prop_assert_eq!(&c.boilerplate_a, &c.boilerplate_b);
    let n = t.len() - boiler;
    prop_assert_eq!(c.verdict, Verdict::Duplicate);
    prop_assert_eq!(c.similarity.jaccard, 1.0);
    prop_assert!(c.unique_a.is_empty() && c.unique_b.is_empty());
    if n == 0 {
        prop_assert!(c.passages.is_empty());
    } else {
        prop_assert_eq!(c.passages.len(), 1);
        let p = &c.passages[0].passage;
        prop_assert_eq!(p.kind, PassageKind::Verbatim);
        prop_assert_eq!((p.a_tokens.clone(), p.b_tokens.clone()), (0..n, 0..n));
        prop_assert_eq!(p.a, p.b);
        prop_assert!(!p.moved);
        prop_assert_eq!(p.score, 1.0);
        prop_assert_eq!(c.coverage_a, 1.0);
    }
    // Each sentence states its own fact, word for word.
    for f in &c.facts {
        prop_assert!(f.a == f.b && f.score == 1.0, "{:?}", f);
    }
    check_spans(a, a, &c)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_text_against_itself_is_one_verbatim_passage(ws in words(), reps in 1usize..4) {
        // Repeated sentences included: the text repeated `reps` times.
        let a = join(&ws).repeat(reps);
        check_self(&a)?;
    }

    #[test]
    fn any_string_against_itself_is_one_verbatim_passage(a in nasty()) {
        check_self(&a)?;
    }

    #[test]
    fn swapping_the_documents_mirrors_the_comparison(ws in words(), ed in edits()) {
        let (a, b) = (join(&ws), join(&apply(&ws, &ed)));
        let p = Params::default();
        let c = compare(&a, &b, &p);
        let m = compare(&b, &a, &p);
        check_mirror(&c, &m)?;
        check_spans(&a, &b, &c)?;
        check_spans(&b, &a, &m)?;
    }

    #[test]
    fn unrelated_strings_keep_every_invariant(a in nasty(), b in nasty()) {
        let p = Params::default();
        let c = compare(&a, &b, &p);
        check_spans(&a, &b, &c)?;
        check_mirror(&c, &compare(&b, &a, &p))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_spans_map_to_the_file(
        x in prop::collection::vec(any::<u8>(), 0..300),
        y in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let (Ok(da), Ok(db)) = (
            Document::from_bytes("x", &x, Path::new("x")),
            Document::from_bytes("y", &y, Path::new("y")),
        ) else {
            return Ok(());
        };
        let c = compare(&da.text, &db.text, &Params::default());
        check_spans(&da.text, &db.text, &c)?;
        // Every span maps to bytes of the original input that decode to the
        // same text.
        let decoded = |d: &Document, raw: &[u8], s: Span| -> String {
            let o = d.original_span(s);
            match d.encoding() {
                copydesk::Encoding::Windows1252 => encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&raw[o.start..o.end])
                    .0
                    .into_owned(),
                _ => String::from_utf8(raw[o.start..o.end].to_vec()).expect("utf-8 span"),
            }
        };
        for p in &c.passages {
            prop_assert_eq!(decoded(&da, &x, p.passage.a), p.passage.a.slice(&da.text));
            prop_assert_eq!(decoded(&db, &y, p.passage.b), p.passage.b.slice(&db.text));
        }
        for s in &c.unique_a {
            prop_assert_eq!(decoded(&da, &x, *s), s.slice(&da.text));
        }
    }
}

#[test]
fn a_moved_paragraph_is_one_moved_passage() {
    let p1 = "Almost 3,000 operations were cancelled across England due to the BMA's latest strike action.";
    let p2 = "Dr Johann Malawana, BMA junior doctor committee chair, claimed the decision was a sign of total failure.";
    let p3 = "Labour has officially stayed out of the industrial dispute over the proposed junior contract.";
    let a = format!("{p1}\n\n{p2}\n\n{p3}");
    let b = format!("{p2}\n\n{p3}\n\n{p1}");
    let c = compare(&a, &b, &Params::default());
    let shown: Vec<(&str, bool)> = c
        .passages
        .iter()
        .map(|p| (p.passage.a.slice(&a), p.passage.moved))
        .collect();
    assert_eq!(c.passages.len(), 2, "{shown:?}");
    assert!(c
        .passages
        .iter()
        .all(|p| p.passage.kind == PassageKind::Verbatim));
    // The lighter block moved; nothing is reported as deleted and inserted.
    assert_eq!(shown.iter().filter(|s| s.1).count(), 1, "{shown:?}");
    assert!(
        shown.iter().any(|s| s.1 && s.0.starts_with("Almost 3,000")),
        "{shown:?}"
    );
    assert!(c.unique_a.is_empty() && c.unique_b.is_empty());
}

#[test]
fn a_trimmed_copy_is_a_near_duplicate_despite_low_jaccard() {
    let base: String = (0..40)
        .map(|i| {
            format!(
                "Sentence number {i} tells fact {} about the strike. ",
                i * 7 + 3
            )
        })
        .collect();
    let trimmed: String = base.split_inclusive(". ").take(14).collect();
    let c = compare(&base, &trimmed, &Params::default());
    assert!(c.similarity.jaccard < 0.5, "{:?}", c.similarity);
    assert_eq!(c.verdict, Verdict::NearDuplicate);
    let reaction: String = (0..25)
        .map(|i| {
            format!(
                "Local reaction {i}: councillor {} in Leeds said ward {} suffers. ",
                i * 3,
                i + 40
            )
        })
        .collect();
    let extended = format!("{base}{reaction}");
    let c = compare(&base, &extended, &Params::default());
    assert!(c.similarity.jaccard < 0.9, "{:?}", c.similarity);
    assert_eq!(c.verdict, Verdict::NearDuplicate);
}
