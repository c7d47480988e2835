//! Snapshots of every `compare` format over one hand-built comparison.
//!
//! The comparison is written out by hand (every passage kind, a moved
//! passage, every diff op, unique material on both sides), so these
//! snapshots change only when a renderer does, not when the aligner finds
//! something else. Review changes with `cargo insta review`.

use std::ops::Range;

use copydesk::render::terminal::{self, TerminalOptions};
use copydesk::render::{html, json, Pair};
use copydesk::{
    Comparison, DiffOp, DiffTag, Document, Passage, PassageKind, SharedPassage, Similarity, Span,
    Tokens, Verdict,
};

const A: &str = "Junior doctors walked out on Wednesday.\n\n\
Almost 3,000 operations were cancelled across England as a result of the strike.\n\n\
Dr Johann Malawana, BMA junior doctor committee chair, said the government had refused to listen.\n\n\
An Ipsos Mori poll found 64% of voters blaming the Conservative government.\n";

const B: &str = "An Ipsos Mori poll found 64 per cent of people blaming the Government.\n\n\
About 3,000 operations have been cancelled across England as a result of the action, officials said.\n\n\
Dr Johann Malawana, BMA junior doctor committee chair, said the government had refused to listen.\n\n\
Hospitals said emergency care was unaffected.\n";

struct Fixture {
    a: Document,
    b: Document,
    ta: Tokens,
    tb: Tokens,
    c: Comparison,
}

impl Fixture {
    fn pair(&self) -> Pair<'_> {
        Pair::new(&self.a, &self.b, &self.ta, &self.tb, &self.c)
    }
}

/// The token position at byte `at`.
fn token_at(t: &Tokens, at: usize) -> usize {
    t.as_slice()
        .iter()
        .position(|k| k.span.start == at)
        .expect("a token starts there")
}

/// Span of tokens `r`; an empty range sits at the next token of the
/// passage, or at the end of its last token (as `diff::word_diff` does).
fn span(t: &Tokens, r: &Range<usize>, within: &Range<usize>) -> Span {
    if !r.is_empty() {
        t.span_of(r.start, r.end - 1)
    } else if r.start < within.end {
        Span::empty(t.get(r.start).span.start)
    } else {
        Span::empty(t.get(within.end - 1).span.end)
    }
}

/// A passage over `a_text`/`b_text` (found in A and B) with the word diff
/// given as (tag, A's words, B's words) runs in order.
fn passage(
    (ta, tb): (&Tokens, &Tokens),
    (a_text, b_text): (&str, &str),
    kind: PassageKind,
    moved: bool,
    score: f64,
    ops: &[(DiffTag, &str, &str)],
) -> SharedPassage {
    let a0 = token_at(ta, A.find(a_text).unwrap());
    let b0 = token_at(tb, B.find(b_text).unwrap());
    let ar = a0..a0 + Tokens::new(a_text).len();
    let br = b0..b0 + Tokens::new(b_text).len();
    let (mut i, mut j) = (a0, b0);
    let ops = ops
        .iter()
        .map(|&(tag, a_words, b_words)| {
            let at = i..i + Tokens::new(a_words).len();
            let bt = j..j + Tokens::new(b_words).len();
            (i, j) = (at.end, bt.end);
            DiffOp {
                tag,
                a: span(ta, &at, &ar),
                b: span(tb, &bt, &br),
                a_tokens: at,
                b_tokens: bt,
            }
        })
        .collect();
    assert_eq!((i, j), (ar.end, br.end), "ops cover the passage");
    SharedPassage {
        passage: Passage {
            a: ta.span_of(ar.start, ar.end - 1),
            b: tb.span_of(br.start, br.end - 1),
            a_tokens: ar,
            b_tokens: br,
            kind,
            moved,
            score,
        },
        ops,
    }
}

fn text_span(text: &str, needle: &str) -> Span {
    let at = text.find(needle).unwrap();
    Span::new(at, at + needle.len())
}

fn fixture() -> Fixture {
    let (ta, tb) = (Tokens::new(A), Tokens::new(B));
    let t = (&ta, &tb);
    use DiffTag::*;
    let edited = passage(
        t,
        (
            "Almost 3,000 operations were cancelled across England as a result of the strike",
            "About 3,000 operations have been cancelled across England as a result of the action",
        ),
        PassageKind::Edited,
        false,
        0.7213,
        &[
            (Replace, "Almost", "About"),
            (Equal, "3,000 operations", "3,000 operations"),
            (Replace, "were", "have been"),
            (
                Equal,
                "cancelled across England as a result of the",
                "cancelled across England as a result of the",
            ),
            (Replace, "strike", "action"),
        ],
    );
    let quote = "Dr Johann Malawana, BMA junior doctor committee chair, said the government had refused to listen";
    let verbatim = passage(
        t,
        (quote, quote),
        PassageKind::Verbatim,
        false,
        1.0,
        &[(Equal, quote, quote)],
    );
    let paraphrase = passage(
        t,
        (
            "An Ipsos Mori poll found 64% of voters blaming the Conservative government",
            "An Ipsos Mori poll found 64 per cent of people blaming the Government",
        ),
        PassageKind::Paraphrase,
        true,
        0.5538,
        &[
            (
                Equal,
                "An Ipsos Mori poll found 64% of",
                "An Ipsos Mori poll found 64 per cent of",
            ),
            (Replace, "voters", "people"),
            (Equal, "blaming the", "blaming the"),
            (Delete, "Conservative", ""),
            (Equal, "government", "Government"),
        ],
    );
    let c = Comparison {
        similarity: Similarity {
            jaccard: 0.312_512_3,
            containment_a: 0.454_545_4,
            containment_b: 0.416_666_6,
            shingle_size: 3,
            shingles_a: 44,
            shingles_b: 48,
        },
        verdict: Verdict::Partial,
        judgement: copydesk::judge::Judgement {
            same: None,
            guard: None,
            jaccard: 0.312_512_3,
            containment: 0.454_545_4,
            shared: 20,
        },
        // The facts the library finds for these passages (a literal would
        // only restate them).
        facts: copydesk::align::facts(
            A,
            &ta,
            B,
            &tb,
            &[&edited, &verbatim, &paraphrase].map(|p| p.passage.clone()),
        ),
        passages: vec![edited, verbatim, paraphrase],
        unique_a: vec![text_span(A, "Junior doctors walked out on Wednesday")],
        unique_b: vec![
            text_span(B, "officials said"),
            text_span(B, "Hospitals said emergency care was unaffected"),
        ],
        coverage_a: 0.8571,
        coverage_b: 0.8,
        boilerplate_a: Vec::new(),
        boilerplate_b: Vec::new(),
    };
    Fixture {
        a: Document::from_text("left/outlet-a.txt", A),
        b: Document::from_text("right/outlet-b.txt", B),
        ta,
        tb,
        c,
    }
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text_plain() {
    let f = fixture();
    let opts = TerminalOptions {
        color: false,
        width: 80,
    };
    insta::assert_snapshot!(render(|o| terminal::write_text(o, &f.pair(), &opts)));
}

#[test]
fn text_coloured() {
    let f = fixture();
    let opts = TerminalOptions {
        color: true,
        width: 80,
    };
    // ESC shown as ␛ so the snapshot file reads in any viewer.
    let out = render(|o| terminal::write_text(o, &f.pair(), &opts)).replace('\x1b', "␛");
    insta::assert_snapshot!(out);
}

#[test]
fn side_by_side() {
    let f = fixture();
    let opts = TerminalOptions {
        color: false,
        width: 90,
    };
    insta::assert_snapshot!(render(|o| terminal::write_side_by_side(
        o,
        &f.pair(),
        &opts
    )));
}

#[test]
fn json_contract() {
    let f = fixture();
    let out = render(|o| json::write_compare(o, &f.a, &f.b, (f.ta.len(), f.tb.len()), &f.c));
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Floats are rounded to 4 decimals by the renderer itself.
    assert_eq!(value["similarity"]["jaccard"], 0.3125);
    insta::assert_snapshot!(out);
}

#[test]
fn html_page() {
    let f = fixture();
    insta::assert_snapshot!(render(|o| html::write_html(o, &f.pair())));
}

/// Every bidirectional control: embeddings, overrides, isolates and the
/// three marks.
const BIDI: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

/// Issue 14: every view written for a terminal (`compare` text and
/// side-by-side, `report` text; with and without colour) shows every bidi
/// control as a visible escape, wherever it sits: file and source names,
/// shared passages, the words a diff marks, unique runs.
#[test]
fn terminal_views_escape_every_bidi_control() {
    use copydesk::compare::Text;
    use copydesk::render::report_text::{write_report_text, TextOptions};
    use copydesk::report::{build, NoProgress, ReportParams};
    use copydesk::{compare_texts, Params};

    let all: String = BIDI.iter().collect();
    let marks: String = BIDI
        .iter()
        .enumerate()
        .map(|(i, c)| format!("left{i}{c}right{i} "))
        .collect();
    let shared = "Almost 3,000 operations were cancelled across England on Wednesday \
                  as junior doctors walked out over the new contract";
    let mut a = Document::from_text(
        format!("left/a{all}.txt"),
        format!("Only A says {marks}here.\n\n{shared} in protest {marks}today.\n"),
    );
    let mut b = Document::from_text(
        format!("right/b{all}.txt"),
        format!("{shared} in anger {marks}today.\n\nOnly B says {marks}there.\n"),
    );
    a.source = Some(format!("one{all}"));
    b.source = Some(format!("two{all}"));

    let p = Params::default();
    let (xa, xb) = (Text::new(&a.text, &p), Text::new(&b.text, &p));
    let c = compare_texts(&xa, &xb, &p);
    assert!(!c.passages.is_empty(), "the fixture needs a shared passage");
    let pair = Pair::new(&a, &b, &xa.tokens, &xb.tokens, &c);
    let docs = vec![a.clone(), b.clone()];
    let r = build(&docs, &ReportParams::default(), &NoProgress).unwrap();
    assert!(!r.passages.is_empty(), "the fixture needs a corpus passage");

    for color in [false, true] {
        let opts = TerminalOptions { color, width: 100 };
        let text_opts = TextOptions {
            color,
            ..TextOptions::default()
        };
        let views = [
            ("text", render(|o| terminal::write_text(o, &pair, &opts))),
            (
                "side-by-side",
                render(|o| terminal::write_side_by_side(o, &pair, &opts)),
            ),
            (
                "report text",
                render(|o| write_report_text(o, &r, &docs, &text_opts)),
            ),
        ];
        for (view, out) in views {
            assert!(
                !out.contains(BIDI),
                "raw bidi control in {view} (colour {color}):\n{out}"
            );
            for ch in BIDI {
                let shown = format!("\\u{{{:x}}}", ch as u32);
                assert!(
                    out.contains(&shown),
                    "{shown} missing from {view} (colour {color}):\n{out}"
                );
            }
        }
    }
}
