//! `compare --format html`: one self-contained page.
//!
//! The two texts sit in two columns; shared passages are highlighted by kind
//! (verbatim, edited, paraphrase; moved ones marked) and linked: pointing at
//! a passage lights up its partner, clicking scrolls the other column to it.
//! Inside a passage the words only one side has are marked, with a caret
//! where the other side adds words; material unique to a side is marked too.
//!
//! Everything is inline (CSS, a small script, no fonts, no images), and a
//! Content-Security-Policy allows nothing but that one script (by hash) and
//! inline styles, so the page loads nothing from anywhere. Document text is
//! HTML-escaped: a document holding `<script>` or `<img onerror=…>` shows
//! those characters and runs nothing. Control and bidi characters are shown
//! as visible escapes, as on the terminal.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::html_escape::{self, Context};
use super::{sanitize, slice, words_in, LineIndex, Pair, PassageCounts};
use crate::compare::SharedPassage;
use crate::diff::DiffTag;
use crate::span::Span;

/// The page's only script. Its SHA-256 is [`SCRIPT_CSP_HASH`]; a unit test
/// keeps the two in step. It links each passage to its partner and records
/// how many it linked in `body[data-linked]` (tests read that back).
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  function partnerOf(el) {
    var other = el.getAttribute("data-side") === "a" ? "b" : "a";
    return document.getElementById(other + "-p" + el.getAttribute("data-p"));
  }
  function light(n, on) {
    ["a-p", "b-p", "chip-"].forEach(function (prefix) {
      var el = document.getElementById(prefix + n);
      if (el) { el.classList.toggle("hl", on); }
    });
  }
  function show(el) {
    el.scrollIntoView({ block: "center", behavior: "smooth" });
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
  }
  var linked = 0;
  Array.prototype.forEach.call(document.querySelectorAll(".p[data-p]"), function (el) {
    var partner = partnerOf(el);
    if (!partner) { return; }
    var n = el.getAttribute("data-p");
    linked += 1;
    el.setAttribute("data-partner", partner.id);
    el.addEventListener("mouseenter", function () { light(n, true); });
    el.addEventListener("mouseleave", function () { light(n, false); });
    el.addEventListener("focus", function () { light(n, true); });
    el.addEventListener("blur", function () { light(n, false); });
    el.addEventListener("click", function () { show(partner); });
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        show(partner);
        partner.focus({ preventScroll: true });
      }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".chip[data-p]"), function (chip) {
    var n = chip.getAttribute("data-p");
    chip.addEventListener("mouseenter", function () { light(n, true); });
    chip.addEventListener("mouseleave", function () { light(n, false); });
    chip.addEventListener("click", function (e) {
      e.preventDefault();
      ["a-p", "b-p"].forEach(function (prefix) {
        var el = document.getElementById(prefix + n);
        if (el) { show(el); }
      });
    });
  });
  document.body.setAttribute("data-linked", String(linked));
})();"#;

/// `sha256-…` source expression of [`SCRIPT`] for the page's CSP.
pub const SCRIPT_CSP_HASH: &str = "sha256-yn77s3xQdftK7ZNoGv3XR868oR1iQkTWX2fgdUI2cnc=";

const STYLE: &str = r#"
:root {
  --bg: #fbfaf7; --paper: #ffffff; --fg: #1f1f1f; --muted: #6a6a6a; --rule: #e4e0d6;
  --verbatim: #d5e6ff; --verbatim-ink: #1f5fbf;
  --edited: #ffe8b0; --edited-ink: #9a6a00;
  --paraphrase: #eddfff; --paraphrase-ink: #7a3fcf;
  --del-bg: #ffcfc9; --del-ink: #8e1b12; --ins-bg: #c8efcf; --ins-ink: #17642a;
  --unique-ink: #3d3d3d; --unique-line: #c9c4b8; --hl: #1f1f1f;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #17181a; --paper: #1e1f22; --fg: #e6e4df; --muted: #9c9a95; --rule: #34353a;
    --verbatim: #1f3656; --verbatim-ink: #8fb8ff;
    --edited: #4a3a12; --edited-ink: #f0c25e;
    --paraphrase: #3a2a55; --paraphrase-ink: #c9a5ff;
    --del-bg: #5c1f1a; --del-ink: #ffb4aa; --ins-bg: #17472a; --ins-ink: #a6e9b5;
    --unique-ink: #cfccc6; --unique-line: #5a5b60; --hl: #f5f3ee;
  }
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body {
  display: flex; flex-direction: column; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
header { flex: none; padding: 14px 28px 12px; background: var(--paper); border-bottom: 1px solid var(--rule); }
h1 { margin: 0 0 8px; font-size: 17px; font-weight: 650; letter-spacing: .01em; }
h1 .brand { color: var(--muted); font-weight: 500; }
.summary { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 22px; }
.verdict { font-weight: 700; text-transform: uppercase; letter-spacing: .06em; font-size: 12px;
  padding: 3px 9px; border-radius: 999px; background: var(--fg); color: var(--paper); }
.verdict.duplicate { background: #b3261e; color: #fff; }
.verdict.near-duplicate { background: #c25e00; color: #fff; }
.verdict.partial { background: #1f5fbf; color: #fff; }
.verdict.distinct { background: #4d5a4d; color: #fff; }
.score { color: var(--muted); }
.score b { color: var(--fg); font-weight: 600; font-variant-numeric: tabular-nums; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; margin-top: 10px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; color: var(--muted); font-size: 12.5px; }
.sw { padding: 1px 7px; border-radius: 4px; color: var(--fg); }
.chips { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.chips .lbl { color: var(--muted); font-size: 12.5px; margin-right: 2px; }
.chip { display: inline-block; min-width: 24px; text-align: center; padding: 1px 6px; border-radius: 6px;
  font-size: 12px; font-weight: 600; text-decoration: none; color: var(--fg); border: 1px solid transparent; }
.chip.hl, .chip:focus-visible { border-color: var(--hl); }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: 1fr 1fr; }
.doc { overflow: auto; padding: 0 32px 45vh; scroll-behavior: smooth; }
.doc + .doc { border-left: 1px solid var(--rule); }
.doc h2 { position: sticky; top: 0; z-index: 2; margin: 0; padding: 12px 0 9px; background: var(--bg);
  font-size: 13px; font-weight: 600; border-bottom: 1px solid var(--rule); overflow-wrap: anywhere; }
.doc h2 .side { display: inline-block; width: 20px; height: 20px; line-height: 20px; text-align: center;
  border-radius: 50%; background: var(--fg); color: var(--bg); margin-right: 8px; font-size: 12px; }
.doc h2 small { color: var(--muted); font-weight: 400; margin-left: 6px; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 40em; padding-top: 16px;
  font: 17px/1.7 Charter, "Bitstream Charter", Georgia, Cambria, "Times New Roman", serif; }
.p { border-radius: 3px; cursor: pointer; padding: 2px 0; -webkit-box-decoration-break: clone;
  box-decoration-break: clone; transition: box-shadow .12s; outline: none; }
.p::before { content: attr(data-p); font: 700 10px/1 system-ui, sans-serif; vertical-align: 2px;
  margin: 0 4px 0 1px; padding: 2px 4px; border-radius: 5px; color: var(--paper); }
.p.moved::before { content: "\21C4\2009" attr(data-p); }
.verbatim { background: var(--verbatim); } .p.verbatim::before, .chip.verbatim { background: var(--verbatim-ink); color: var(--paper); }
.edited { background: var(--edited); } .p.edited::before, .chip.edited { background: var(--edited-ink); color: var(--paper); }
.paraphrase { background: var(--paraphrase); } .p.paraphrase::before, .chip.paraphrase { background: var(--paraphrase-ink); color: var(--paper); }
.p.moved { border-bottom: 2px dashed var(--fg); }
.sw.moved { border-bottom: 2px dashed var(--fg); border-radius: 0; padding: 0 2px; }
.p.hl, .p:focus-visible { box-shadow: 0 0 0 2px var(--hl); }
.p.flash { animation: flash 1.2s ease-out; }
@keyframes flash { 0% { box-shadow: 0 0 0 6px var(--hl); } 100% { box-shadow: 0 0 0 0 transparent; } }
del, ins { text-decoration: none; border-radius: 2px; padding: 1px 0; }
del { background: var(--del-bg); color: var(--del-ink); }
ins { background: var(--ins-bg); color: var(--ins-ink); }
.gap { display: inline-block; width: 0; height: 1.15em; margin: 0 2px; vertical-align: -0.22em;
  border-left: 2px solid var(--ins-ink); }
.gap.in-b { border-left-color: var(--del-ink); }
.u { color: var(--unique-ink); text-decoration: underline dotted var(--unique-line); text-underline-offset: 5px;
  text-decoration-thickness: 1px; }
.ctl { font: 600 .72em/1 ui-monospace, Menlo, Consolas, monospace; padding: 1px 3px; border-radius: 3px;
  background: var(--fg); color: var(--paper); }
.hint { color: var(--muted); font-size: 12.5px; }
@media (max-width: 820px) {
  html, body { height: auto; }
  main { display: block; }
  .doc { overflow: visible; padding-bottom: 24px; }
  .doc + .doc { border-left: 0; border-top: 1px solid var(--rule); }
}
"#;

/// Writes the comparison as one self-contained HTML page.
///
/// ```
/// use copydesk::render::{html, Pair};
/// use copydesk::compare::Text;
/// use copydesk::{compare_texts, Document, Params};
/// let a = Document::from_text("a.txt", "<script>alert(1)</script> The strike that took place last week was unnecessary.");
/// let b = Document::from_text("b.txt", "The strike that took place last week was unnecessary, officials said.");
/// let p = Params::default();
/// let (xa, xb) = (Text::new(&a.text, &p), Text::new(&b.text, &p));
/// let c = compare_texts(&xa, &xb, &p);
/// let (ta, tb) = (xa.tokens, xb.tokens);
/// let mut out = Vec::new();
/// html::write_html(&mut out, &Pair::new(&a, &b, &ta, &tb, &c)).unwrap();
/// let page = String::from_utf8(out).unwrap();
/// assert!(page.contains("alert(1)&lt;/script") && !page.contains("<script>alert"));
/// ```
pub fn write_html(out: &mut impl Write, pair: &Pair) -> io::Result<()> {
    out.write_all(page(pair).as_bytes())
}

/// The page as a string.
fn page(pair: &Pair) -> String {
    let c = pair.comparison;
    let s = &c.similarity;
    let mut h = String::with_capacity(16 * 1024 + 4 * (pair.a.text.len() + pair.b.text.len()));
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        h,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src '{SCRIPT_CSP_HASH}'; base-uri 'none'; form-action 'none'\">"
    );
    h.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n<title>copydesk: ");
    push_attr(&mut h, file_name(&pair.a.id));
    h.push_str(" vs ");
    push_attr(&mut h, file_name(&pair.b.id));
    h.push_str("</title>\n<style>");
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body>\n<header>\n");

    h.push_str("<h1><span class=\"brand\">copydesk</span> compare</h1>\n<div class=\"summary\">");
    let verdict = c.verdict.as_str();
    let _ = write!(
        h,
        "<span class=\"verdict {verdict}\" title=\"verdict\">{verdict}</span>\
         <span class=\"score\">Jaccard <b>{:.3}</b></span>\
         <span class=\"score\" title=\"share of A's {n}-word shingles found in B\">A in B <b>{:.1}%</b></span>\
         <span class=\"score\" title=\"share of B's {n}-word shingles found in A\">B in A <b>{:.1}%</b></span>",
        s.jaccard,
        s.containment_a * 100.0,
        s.containment_b * 100.0,
        n = s.shingle_size,
    );
    h.push_str("<span class=\"score\">");
    push_text(&mut h, &PassageCounts::new(c).to_string());
    h.push_str("</span>");
    h.push_str("</div>\n<div class=\"bar\">\n<div class=\"legend\">");
    h.push_str(
        "<span class=\"sw verbatim\">verbatim</span><span class=\"sw edited\">edited</span>\
         <span class=\"sw paraphrase\">paraphrase</span><span class=\"sw moved\">\u{21C4} moved</span>\
         <del>only in A</del><ins>only in B</ins><span class=\"u\">unique to one side</span>",
    );
    h.push_str("</div>\n");
    if !c.passages.is_empty() {
        h.push_str("<nav class=\"chips\" aria-label=\"Shared passages\"><span class=\"lbl\">passages</span>");
        for (i, sp) in c.passages.iter().enumerate() {
            let n = i + 1;
            let p = &sp.passage;
            let _ = write!(
                h,
                "<a class=\"chip {kind}\" id=\"chip-{n}\" data-p=\"{n}\" href=\"#a-p{n}\" \
                 title=\"{kind}{moved} · score {:.2}\">{n}</a>",
                p.score,
                kind = p.kind.as_str(),
                moved = if p.moved { ", moved" } else { "" },
            );
        }
        h.push_str("</nav>\n");
    }
    h.push_str(
        "<span class=\"hint\">Point at a passage to light up its partner; click it to scroll the other text there.</span>\n",
    );
    h.push_str("</div>\n</header>\n<main>\n");
    for side in [Side::A, Side::B] {
        doc_column(&mut h, pair, side);
    }
    h.push_str("</main>\n<script>");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    A,
    B,
}

impl Side {
    fn id(self) -> &'static str {
        match self {
            Side::A => "a",
            Side::B => "b",
        }
    }
}

/// What a stretch of one document is.
#[derive(Debug, Clone, Copy)]
enum Region {
    Passage(usize),
    Unique,
}

fn doc_column(h: &mut String, pair: &Pair, side: Side) {
    let c = pair.comparison;
    let (doc, tokens, other_name, coverage, uniques) = match side {
        Side::A => (pair.a, pair.tokens_a, "B", c.coverage_a, &c.unique_a),
        Side::B => (pair.b, pair.tokens_b, "A", c.coverage_b, &c.unique_b),
    };
    let text = &doc.text;
    let lines = LineIndex::new(text);
    let _ = write!(
        h,
        "<section class=\"doc\" id=\"doc-{id}\" aria-label=\"Document {upper}\">\n\
         <h2><span class=\"side\">{upper}</span>",
        id = side.id(),
        upper = side.id().to_ascii_uppercase()
    );
    push_attr(h, &doc.id);
    let _ = write!(
        h,
        "<small>{} words · {:.0}% shared with {other_name}</small></h2>\n<div class=\"text\">",
        tokens.len(),
        (coverage * 100.0).clamp(0.0, 100.0)
    );

    let mut regions: Vec<(Span, Region)> = c
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let span = match side {
                Side::A => p.passage.a,
                Side::B => p.passage.b,
            };
            (span, Region::Passage(i))
        })
        .chain(uniques.iter().map(|&s| (s, Region::Unique)))
        .filter(|(s, _)| !s.is_empty() && s.end <= text.len())
        .collect();
    regions.sort_by_key(|(s, _)| (s.start, s.end));

    let mut cursor = 0;
    for (span, region) in regions {
        if span.start < cursor {
            // Overlapping regions cannot nest as elements; the first wins.
            continue;
        }
        push_text(h, slice(text, Span::new(cursor, span.start)));
        match region {
            Region::Unique => {
                let words = words_in(tokens, span);
                let _ = write!(
                    h,
                    "<span class=\"u\" title=\"only in {} · {words} word{} · {}\">",
                    side.id().to_ascii_uppercase(),
                    if words == 1 { "" } else { "s" },
                    lines.describe(span)
                );
                push_text(h, slice(text, span));
                h.push_str("</span>");
            }
            Region::Passage(i) => passage(h, pair, side, i, &c.passages[i], &lines),
        }
        cursor = span.end;
    }
    push_text(
        h,
        slice(text, Span::new(cursor.min(text.len()), text.len())),
    );
    h.push_str("</div>\n</section>\n");
}

fn passage(
    h: &mut String,
    pair: &Pair,
    side: Side,
    i: usize,
    sp: &SharedPassage,
    lines: &LineIndex,
) {
    let p = &sp.passage;
    let n = i + 1;
    let (text, other_text, span) = match side {
        Side::A => (&pair.a.text, &pair.b.text, p.a),
        Side::B => (&pair.b.text, &pair.a.text, p.b),
    };
    let _ = write!(
        h,
        "<span class=\"p {kind}{moved}\" id=\"{sid}-p{n}\" data-p=\"{n}\" data-side=\"{sid}\" \
         data-kind=\"{kind}\" tabindex=\"0\" title=\"passage {n} · {kind}{moved_t} · score {score:.2} · {loc}\">",
        kind = p.kind.as_str(),
        moved = if p.moved { " moved" } else { "" },
        moved_t = if p.moved { ", moved" } else { "" },
        sid = side.id(),
        score = p.score,
        loc = lines.describe(span),
    );
    // Marks inside the passage: the words this side has and the other lacks
    // (del on A, ins on B), and a caret where the other side adds words.
    enum Mark<'t> {
        Own { span: Span, other: &'t str },
        Gap { at: usize, other: &'t str },
    }
    let mut marks: Vec<Mark> = Vec::new();
    for op in &sp.ops {
        let (own, other) = match side {
            Side::A => (op.a, op.b),
            Side::B => (op.b, op.a),
        };
        let other_words = slice(other_text, other);
        match op.tag {
            DiffTag::Equal => {}
            DiffTag::Replace => marks.push(Mark::Own {
                span: own,
                other: other_words,
            }),
            DiffTag::Delete | DiffTag::Insert => {
                let own_side_has = (op.tag == DiffTag::Delete) == (side == Side::A);
                if own_side_has {
                    marks.push(Mark::Own {
                        span: own,
                        other: "",
                    });
                } else {
                    marks.push(Mark::Gap {
                        at: own.start,
                        other: other_words,
                    });
                }
            }
        }
    }
    let key = |m: &Mark| match m {
        Mark::Own { span, .. } => span.start,
        Mark::Gap { at, .. } => *at,
    };
    marks.sort_by_key(key);
    let (tag, other_side) = match side {
        Side::A => ("del", "B"),
        Side::B => ("ins", "A"),
    };
    let mut cursor = span.start;
    for m in marks {
        match m {
            Mark::Own { span: own, other } => {
                if own.is_empty() || own.start < cursor || own.end > span.end {
                    continue;
                }
                push_text(h, slice(text, Span::new(cursor, own.start)));
                let _ = write!(h, "<{tag} title=\"");
                if other.is_empty() {
                    let _ = write!(h, "not in {other_side}");
                } else {
                    let _ = write!(h, "{other_side}: ");
                    push_attr(h, other);
                }
                h.push_str("\">");
                push_text(h, slice(text, own));
                let _ = write!(h, "</{tag}>");
                cursor = own.end;
            }
            Mark::Gap { at, other } => {
                if at < cursor || at > span.end {
                    continue;
                }
                push_text(h, slice(text, Span::new(cursor, at)));
                let _ = write!(
                    h,
                    "<span class=\"gap in-{}\" title=\"{other_side} adds: ",
                    side.id()
                );
                push_attr(h, other);
                h.push_str("\"></span>");
                cursor = at;
            }
        }
    }
    push_text(h, slice(text, Span::new(cursor.min(span.end), span.end)));
    h.push_str("</span>");
}

/// The last path component of an id, for the page title.
fn file_name(id: &str) -> &str {
    id.rsplit(['/', '\\']).next().unwrap_or(id)
}

/// Appends `s` as HTML text: markup characters escaped, control and bidi
/// characters as visible escapes. Newlines and tabs stay (the text column
/// keeps the document's own line breaks).
fn push_text(h: &mut String, s: &str) {
    html_escape::push_escaped(h, s, Context::Text, |h, c| match c {
        '\n' | '\t' | '\r' => h.push(c),
        c if sanitize::is_unsafe(c) => {
            h.push_str("<span class=\"ctl\">");
            sanitize::push_escaped(h, c);
            h.push_str("</span>");
        }
        c => h.push(c),
    });
}

/// Appends `s` for a double-quoted attribute value (or the title element):
/// quotes and markup escaped, control and bidi characters as visible escapes.
fn push_attr(h: &mut String, s: &str) {
    html_escape::push_escaped(h, s, Context::Attribute, |h, c| {
        if sanitize::is_unsafe(c) {
            sanitize::push_escaped(h, c);
        } else {
            h.push(c);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparison;
    use crate::input::Document;
    use crate::render::tests::fixture;
    use sha2::{Digest, Sha256};

    fn base64(bytes: &[u8]) -> String {
        const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn csp_hash_matches_the_script() {
        assert_eq!(base64(b"hi?"), "aGk/");
        assert_eq!(base64(b"h"), "aA==");
        let hash = format!("sha256-{}", base64(&Sha256::digest(SCRIPT.as_bytes())));
        assert_eq!(
            SCRIPT_CSP_HASH, hash,
            "update SCRIPT_CSP_HASH after editing SCRIPT"
        );
    }

    /// The page with every tag removed (entities kept).
    fn strip_tags(s: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    fn page_of(a: &str, b: &str) -> String {
        let (da, db) = (
            Document::from_text("a<1>.txt", a),
            Document::from_text("b.txt", b),
        );
        let p = crate::Params::default();
        let (xa, xb) = (
            crate::compare::Text::new(a, &p),
            crate::compare::Text::new(b, &p),
        );
        let c: Comparison = crate::compare::compare_texts(&xa, &xb, &p);
        page(&Pair::new(&da, &db, &xa.tokens, &xb.tokens, &c))
    }

    #[test]
    fn document_markup_is_escaped() {
        let evil = "<script>alert(1)</script> <img src=x onerror=\"alert(2)\"> & \x1b[31m \u{202e}";
        let page = page_of(evil, "plain words here");
        let text = strip_tags(&page);
        assert!(
            text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{text}"
        );
        assert!(text.contains("&lt;img src=x onerror=\"alert(2)\"&gt; &amp;"));
        assert!(!page.contains("<img") && !page.contains("<script>alert"));
        assert!(page.contains("<span class=\"ctl\">\\x1b</span>[31m"));
        assert!(page.contains("<span class=\"ctl\">\\u{202e}</span>"));
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(page.contains("<title>copydesk: a&lt;1&gt;.txt vs b.txt</title>"));
        assert!(!page.contains('\x1b') && !page.contains('\u{202e}'));
    }

    #[test]
    fn page_is_self_contained() {
        let f = fixture();
        let page = page(&f.pair());
        for needle in ["http:", "https:", "src=", "@import", "url("] {
            assert!(!page.contains(needle), "{needle} in page");
        }
        assert!(page.contains("default-src 'none'"));
    }

    #[test]
    fn passages_are_linked_and_marked_by_kind() {
        let f = fixture();
        let page = page(&f.pair());
        for (n, kind) in [
            (1, "paraphrase moved"),
            (2, "edited"),
            (3, "verbatim moved"),
        ] {
            assert!(
                page.contains(&format!(
                    "class=\"p {kind}\" id=\"a-p{n}\" data-p=\"{n}\" data-side=\"a\""
                )),
                "{kind}"
            );
            assert!(
                page.contains(&format!(
                    "class=\"p {kind}\" id=\"b-p{n}\" data-p=\"{n}\" data-side=\"b\""
                )),
                "{kind}"
            );
        }
        // A's replaced word carries B's wording; B's inserted words are marked.
        assert!(
            page.contains("<del title=\"B: have been\">were</del>"),
            "{page}"
        );
        assert!(page.contains("<ins title=\"A: were\">have been</ins>"));
        assert!(page.contains("<ins title=\"not in A\">across England</ins>"));
        assert!(page.contains("<span class=\"gap in-a\" title=\"B adds: across England\"></span>"));
        assert!(page.contains("<span class=\"u\" title=\"only in A · 5 words · 3:1-3:21\">Unique to A <span class=\"ctl\">\\x1b</span>[2J here</span>"), "{page}");
    }

    #[test]
    fn text_is_kept_whole() {
        // Stripping the markup gives back each document's text.
        let f = fixture();
        let page = page(&f.pair());
        let strip = |s: &str| {
            strip_tags(s)
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
                .replace("\\x1b", "\x1b")
        };
        for (side, doc) in [("a", &f.a), ("b", &f.b)] {
            let start = page
                .find(&format!("<section class=\"doc\" id=\"doc-{side}\""))
                .unwrap();
            let body = &page[start..];
            let text_start =
                body.find("<div class=\"text\">").unwrap() + "<div class=\"text\">".len();
            let text_end = body.find("</div>\n</section>").unwrap();
            assert_eq!(strip(&body[text_start..text_end]), doc.text);
        }
    }
}
