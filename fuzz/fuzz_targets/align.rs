//! `compare` (analysis, judgement, alignment, word diff) on two arbitrary
//! texts: the input read as UTF-8 (lossily), split at its first NUL into
//! A and B (B empty without one).
//!
//! Asserts: no panic; every span (passages, diff ops, unique and
//! boilerplate runs) inside its text on char boundaries; passages disjoint
//! on each side; scores, similarities and coverages in 0..=1;
//! facts and their carriers inside their texts, carriers inside their
//! sentences; `compare(b, a)` is the mirror of `compare(a, b)`; `compare(a, a)` is a
//! duplicate, the same seen from either side.
#![no_main]

use copydesk::{compare, Comparison, Params, Span, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (a, b) = input.split_once('\0').unwrap_or((&input, ""));
    let params = Params::default();

    let ab = compare(a, b, &params);
    check(&ab, a, b);
    let ba = compare(b, a, &params);
    assert_eq!(
        format!("{:?}", ba),
        format!("{:?}", ab.mirrored()),
        "compare(b, a) is not the mirror of compare(a, b)"
    );

    let aa = compare(a, a, &params);
    check(&aa, a, a);
    assert_eq!(
        aa.verdict,
        Verdict::Duplicate,
        "a text is not a duplicate of itself"
    );
    assert_eq!(
        format!("{:?}", aa),
        format!("{:?}", aa.mirrored()),
        "compare(a, a) differs between its two sides"
    );
    if aa.similarity.shingles_a > 0 {
        assert_eq!(aa.similarity.jaccard, 1.0);
    }
});

fn in_text(span: Span, text: &str, what: &str) {
    assert!(
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end),
        "{what} {span:?} outside a text of {} bytes",
        text.len()
    );
}

fn unit(x: f64, what: &str) {
    assert!((0.0..=1.0).contains(&x), "{what} = {x}");
}

fn check(c: &Comparison, a: &str, b: &str) {
    let s = &c.similarity;
    unit(s.jaccard, "jaccard");
    unit(s.containment_a, "containment_a");
    unit(s.containment_b, "containment_b");
    unit(c.coverage_a, "coverage_a");
    unit(c.coverage_b, "coverage_b");
    unit(c.reuse_a(), "reuse_a");
    unit(c.reuse_b(), "reuse_b");
    let (mut end_a, mut b_ranges) = (0, Vec::new());
    for sp in &c.passages {
        let p = &sp.passage;
        in_text(p.a, a, "passage");
        in_text(p.b, b, "passage");
        assert!(
            p.a.start < p.a.end && p.b.start < p.b.end,
            "empty passage {p:?}"
        );
        assert!(!p.a_tokens.is_empty() && !p.b_tokens.is_empty(), "{p:?}");
        unit(p.score, "passage score");
        assert!(p.a_tokens.start >= end_a, "passages overlap in A");
        end_a = p.a_tokens.end;
        b_ranges.push(p.b_tokens.clone());
        for op in &sp.ops {
            in_text(op.a, a, "diff op");
            in_text(op.b, b, "diff op");
        }
    }
    for f in &c.facts {
        in_text(f.a, a, "fact");
        in_text(f.b, b, "fact");
        unit(f.score, "fact score");
        for &(x, y) in &f.carriers {
            in_text(x, a, "fact carrier");
            in_text(y, b, "fact carrier");
            assert!(
                f.a.start <= x.start
                    && x.end <= f.a.end
                    && f.b.start <= y.start
                    && y.end <= f.b.end,
                "carrier outside its fact {f:?}"
            );
        }
    }
    b_ranges.sort_by_key(|r| r.start);
    for w in b_ranges.windows(2) {
        assert!(w[0].end <= w[1].start, "passages overlap in B: {w:?}");
    }
    for &u in c.unique_a.iter().chain(&c.boilerplate_a) {
        in_text(u, a, "run of A");
    }
    for &u in c.unique_b.iter().chain(&c.boilerplate_b) {
        in_text(u, b, "run of B");
    }
}
