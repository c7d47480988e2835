//! `report --format html`: one self-contained, offline page.
//!
//! Sections: a summary; a heat map of pairwise overlap (containment, the
//! share of the smaller document found in the larger; each cell links to
//! its pair); the near-duplicate clusters; the shared passages with every
//! wording side by side (word diffs marked against the first); a view of
//! each document with its passages coloured by the sources that share
//! them, boilerplate greyed and unique material plain. No script, no
//! external resource: a Content-Security-Policy of `default-src 'none'`
//! forbids both, and every piece of document text is HTML-escaped.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::diff::DiffTag;
use crate::input::Document;
use crate::report::CorpusReport;
use crate::span::Span;

use super::count::{count, thousands};
use super::html_escape::{self, Context};
use super::{source_rules_line, SourceFields};

/// Page size limits (a corpus of 100,000 documents still gives a page a
/// browser can open), and the field names the source summary mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Most documents in the heat map (those in most pairs).
    pub max_heat_docs: usize,
    /// Most passages shown.
    pub max_passages: usize,
    /// Most documents given a full view.
    pub max_doc_views: usize,
    /// Field names the source summary mentions.
    pub source_fields: SourceFields,
}

impl Default for HtmlOptions {
    fn default() -> HtmlOptions {
        HtmlOptions {
            max_heat_docs: 60,
            max_passages: 200,
            max_doc_views: 200,
            source_fields: SourceFields::default(),
        }
    }
}

/// Colours for sources, in order of source name; chosen to stay readable
/// under dark text.
const PALETTE: &[&str] = &[
    "#ffd27f", "#9fd4ff", "#b8f0a0", "#ffb3c6", "#d7c2ff", "#ffe99a", "#a7f0e6", "#ffc8a2",
    "#c9e27a", "#e3b8f0",
];

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#222}\
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
table.heat{border-collapse:collapse;font-size:11px}table.heat td,table.heat th{border:1px solid #eee;padding:0}\
table.heat td a{display:block;width:18px;height:18px}table.heat th.row{text-align:right;padding-right:4px;white-space:nowrap}\
table.heat th.col{font-weight:normal;font-size:9px;width:18px}\
.variants{display:grid;grid-template-columns:repeat(auto-fit,minmax(18em,1fr));gap:.6em}\
.variant{border:1px solid #ddd;border-radius:4px;padding:.4em .6em;background:#fafafa}\
.who{font-size:.85em;color:#555}del{background:#fdd;text-decoration:line-through}ins{background:#dfd;text-decoration:none}\
.doc{white-space:pre-wrap;border:1px solid #ddd;padding:.6em;background:#fff}\
.bp{color:#999;background:#f2f2f2}.legend span{padding:0 .4em;margin-right:.4em;border-radius:3px}\
.kind{font-weight:bold}table.list td{padding:0 .6em}summary{cursor:pointer}";

/// Writes the report page.
pub fn write_report_html<W: Write>(
    out: &mut W,
    r: &CorpusReport,
    docs: &[Document],
    opt: &HtmlOptions,
) -> io::Result<()> {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    h.push_str("<title>copydesk report</title>\n<style>");
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body>\n");

    let words: usize = r.documents.iter().map(|d| d.words).sum();
    let bp: usize = r.documents.iter().map(|d| d.boilerplate_words).sum();
    let _ = write!(
        h,
        "<h1>copydesk report</h1>\n<p>{} from {}, {} ({} boilerplate); {}, {} sharing material, {}.</p>\n",
        count(r.documents.len() as u64, "document"),
        count(r.sources.iter().filter(|s| s.name.is_some()).count() as u64, "source"),
        count(words as u64, "word"),
        thousands(bp as u64),
        count(r.passages.len() as u64, "shared passage"),
        count(r.pairs.len() as u64, "pair"),
        count(r.clusters.len() as u64, "near-duplicate cluster")
    );
    let _ = writeln!(
        h,
        "<p class=\"sources\">{}.</p>",
        esc(&source_rules_line(r, &opt.source_fields))
    );
    legend(&mut h, r);
    heat_map(&mut h, r, docs, opt);
    clusters(&mut h, r, docs);
    passages(&mut h, r, docs, opt);
    sources(&mut h, r, docs);
    doc_views(&mut h, r, docs, opt);
    if !r.unreadable.is_empty() {
        h.push_str("<h2 id=\"unreadable\">Unreadable inputs</h2>\n<ul>\n");
        for u in &r.unreadable {
            let _ = writeln!(h, "<li>{}: {}</li>", esc(&u.name), esc(&u.message));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    out.write_all(h.as_bytes())
}

/// Sorted distinct source names (documents without one are `-`).
fn source_names(r: &CorpusReport) -> Vec<String> {
    r.sources
        .iter()
        .map(|s| s.name.clone().unwrap_or_else(|| "-".into()))
        .collect()
}

fn color_of(r: &CorpusReport, source: Option<&str>) -> &'static str {
    let i = r
        .sources
        .iter()
        .position(|s| s.name.as_deref() == source)
        .unwrap_or(0);
    PALETTE[i % PALETTE.len()]
}

fn legend(h: &mut String, r: &CorpusReport) {
    h.push_str("<p class=\"legend\">Sources: ");
    for name in source_names(r) {
        let src = (name != "-").then_some(name.as_str());
        let _ = write!(
            h,
            "<span style=\"background:{}\">{}</span>",
            color_of(r, src),
            esc(&name)
        );
    }
    h.push_str("<span class=\"bp\">boilerplate</span></p>\n");
}

fn doc_label(docs: &[Document], i: usize) -> String {
    let d = &docs[i];
    let name = d.id.rsplit('/').next().unwrap_or(&d.id);
    match &d.source {
        Some(s) => format!("{s}: {name}"),
        None => name.to_string(),
    }
}

fn heat_map(h: &mut String, r: &CorpusReport, docs: &[Document], opt: &HtmlOptions) {
    h.push_str("<h2 id=\"overlap\">Pairwise overlap</h2>\n");
    // The documents in most pairs, shown in input order.
    let mut in_pairs = vec![0usize; docs.len()];
    for p in &r.pairs {
        in_pairs[p.a] += 1;
        in_pairs[p.b] += 1;
    }
    let mut shown: Vec<usize> = (0..docs.len()).collect();
    shown.sort_by(|&x, &y| in_pairs[y].cmp(&in_pairs[x]).then(x.cmp(&y)));
    shown.truncate(opt.max_heat_docs);
    shown.sort_unstable();
    if shown.len() < docs.len() {
        let _ = writeln!(
            h,
            "<p>The {} in most pairs.</p>",
            count(shown.len() as u64, "document")
        );
    }
    let mut cell = std::collections::HashMap::new();
    for (i, p) in r.pairs.iter().enumerate() {
        cell.insert((p.a, p.b), i);
    }
    h.push_str("<p>Colour: containment (share of the smaller document found in the larger, boilerplate excluded). Each cell links to its pair.</p>\n<table class=\"heat\"><tr><th></th>");
    for &c in &shown {
        let _ = write!(
            h,
            "<th class=\"col\" title=\"{}\">{}</th>",
            esc(&doc_label(docs, c)),
            c + 1
        );
    }
    h.push_str("</tr>\n");
    for &row in &shown {
        let _ = write!(
            h,
            "<tr><th class=\"row\">{}</th>",
            esc(&doc_label(docs, row))
        );
        for &col in &shown {
            let key = (row.min(col), row.max(col));
            match (row == col, cell.get(&key)) {
                (true, _) => h.push_str("<td style=\"background:#444\"></td>"),
                (false, Some(&i)) => {
                    let p = &r.pairs[i];
                    let c = p.containment();
                    // White to deep red as containment grows.
                    let shade = (255.0 * (1.0 - c.sqrt())).round() as u8;
                    let _ = write!(
                        h,
                        "<td style=\"background:rgb(255,{shade},{shade})\"><a href=\"#pair-{i}\" title=\"{} ~ {}: jaccard {:.3}, containment {:.3}, {}\"></a></td>",
                        esc(&doc_label(docs, p.a)),
                        esc(&doc_label(docs, p.b)),
                        p.jaccard,
                        c,
                        p.verdict.as_str()
                    );
                }
                (false, None) => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    h.push_str("<table class=\"list\"><tr><th>pair</th><th>jaccard</th><th>containment</th><th>verdict</th><th>passages</th><th>documents</th></tr>\n");
    for (i, p) in r.pairs.iter().enumerate().take(opt.max_passages) {
        let _ = writeln!(
            h,
            "<tr id=\"pair-{i}\"><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{}</td><td><a href=\"#doc-{}\">{}</a> ~ <a href=\"#doc-{}\">{}</a></td></tr>",
            i + 1,
            p.jaccard,
            p.containment(),
            p.verdict.as_str(),
            p.passages,
            p.a,
            esc(&doc_label(docs, p.a)),
            p.b,
            esc(&doc_label(docs, p.b))
        );
    }
    h.push_str("</table>\n");
}

fn clusters(h: &mut String, r: &CorpusReport, docs: &[Document]) {
    let _ = writeln!(
        h,
        "<h2 id=\"clusters\">Near-duplicate clusters: {}</h2>",
        r.clusters.len()
    );
    if r.clusters.is_empty() {
        h.push_str("<p>None.</p>\n");
        return;
    }
    h.push_str("<ol>\n");
    for c in &r.clusters {
        let _ = write!(
            h,
            "<li>kept <a href=\"#doc-{}\">{}</a> ({}); copies:",
            c.kept,
            esc(&doc_label(docs, c.kept)),
            esc(&c.reason)
        );
        for &m in &c.members[1..] {
            let _ = write!(h, " <a href=\"#doc-{m}\">{}</a>", esc(&doc_label(docs, m)));
        }
        h.push_str("</li>\n");
    }
    h.push_str("</ol>\n");
}

fn passages(h: &mut String, r: &CorpusReport, docs: &[Document], opt: &HtmlOptions) {
    let _ = writeln!(
        h,
        "<h2 id=\"passages\">Shared passages: {}</h2>",
        r.passages.len()
    );
    if r.passages.len() > opt.max_passages {
        let _ = writeln!(
            h,
            "<p>The {} most widely shared (the JSON output lists all).</p>",
            opt.max_passages
        );
    }
    for (pi, p) in r.passages.iter().enumerate().take(opt.max_passages) {
        let _ = writeln!(
            h,
            "<section id=\"passage-{pi}\"><h3>#{} <span class=\"kind\">{}</span>, {} sources, {} occurrences, {} words</h3>\n<div class=\"variants\">",
            pi + 1,
            p.kind.as_str(),
            p.sources,
            p.occurrences.len(),
            p.words()
        );
        let seed = &p.occurrences[0];
        for v in &p.variants {
            let o = &p.occurrences[v.occurrences[0]];
            let who: Vec<String> = v
                .occurrences
                .iter()
                .map(|&k| {
                    let d = p.occurrences[k].doc;
                    format!("<a href=\"#doc-{d}\">{}</a>", esc(&doc_label(docs, d)))
                })
                .collect();
            let _ = write!(
                h,
                "<div class=\"variant\"><div class=\"who\">{}</div>",
                who.join(", ")
            );
            if o.ops.is_empty() {
                h.push_str(&esc(o.span.slice(&docs[o.doc].text)));
            } else {
                let (a, b) = (&docs[seed.doc].text, &docs[o.doc].text);
                let mut prev = o.span.start;
                for op in &o.ops {
                    if op.b.start > prev {
                        h.push_str(&esc(&b[prev..op.b.start]));
                    } else if op.tag == DiffTag::Delete {
                        h.push(' ');
                    }
                    match op.tag {
                        DiffTag::Equal => h.push_str(&esc(op.b.slice(b))),
                        DiffTag::Insert => {
                            let _ = write!(h, "<ins>{}</ins>", esc(op.b.slice(b)));
                        }
                        DiffTag::Delete => {
                            let _ = write!(h, "<del>{}</del>", esc(op.a.slice(a)));
                        }
                        DiffTag::Replace => {
                            let _ = write!(
                                h,
                                "<del>{}</del><ins>{}</ins>",
                                esc(op.a.slice(a)),
                                esc(op.b.slice(b))
                            );
                        }
                    }
                    prev = prev.max(op.b.end);
                }
            }
            h.push_str("</div>\n");
        }
        h.push_str("</div></section>\n");
    }
}

fn sources(h: &mut String, r: &CorpusReport, docs: &[Document]) {
    h.push_str("<h2 id=\"unique\">Unique material by source</h2>\n<table class=\"list\"><tr><th>source</th><th>documents</th><th>content words</th><th>unique</th><th>boilerplate words</th></tr>\n");
    for s in &r.sources {
        let _ = writeln!(
            h,
            "<tr><td><span style=\"background:{}\">{}</span></td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{}</td></tr>",
            color_of(r, s.name.as_deref()),
            esc(s.name.as_deref().unwrap_or("-")),
            s.docs.len(),
            s.content_words,
            100.0 * s.unique_fraction,
            s.boilerplate_words
        );
    }
    h.push_str("</table>\n");
    h.push_str("<h2 id=\"boilerplate\">Boilerplate by source</h2>\n");
    if r.boilerplate.sources.is_empty() {
        h.push_str("<p>None found.</p>\n");
    }
    for s in &r.boilerplate.sources {
        let _ = writeln!(
            h,
            "<details><summary>{}: {} in {}, {}</summary><ul>",
            esc(&s.source),
            count(s.words as u64, "word"),
            count(s.docs as u64, "document"),
            count(s.blocks.len() as u64, "distinct block")
        );
        for b in s.blocks.iter().take(50) {
            let _ = writeln!(
                h,
                "<li>{} in {} ({}x): <span class=\"bp\">{}</span></li>",
                b.reason.as_str(),
                count(b.docs.len() as u64, "document"),
                b.occurrences,
                esc(&flatten(b.span.slice(&docs[b.doc].text)))
            );
        }
        h.push_str("</ul></details>\n");
    }
}

fn doc_views(h: &mut String, r: &CorpusReport, docs: &[Document], opt: &HtmlOptions) {
    h.push_str("<h2 id=\"documents\">Documents</h2>\n<p>Passages are coloured by the other sources that share them (hover for the list); boilerplate is grey; the rest is unique to the document's source.</p>\n");
    // Per document: (span, sharing sources) of each occurrence.
    let mut marks: Vec<Vec<(Span, BTreeSet<String>)>> = vec![Vec::new(); docs.len()];
    for p in &r.passages {
        for o in &p.occurrences {
            let others: BTreeSet<String> = p
                .occurrences
                .iter()
                .filter(|x| x.doc != o.doc)
                .map(|x| docs[x.doc].source.clone().unwrap_or_else(|| "-".into()))
                .collect();
            marks[o.doc].push((o.span, others));
        }
    }
    for (d, doc) in docs.iter().enumerate().take(opt.max_doc_views) {
        let s = &r.documents[d];
        let _ = writeln!(
            h,
            "<details id=\"doc-{d}\"{}><summary>{} — {} words, {:.1}% unique</summary><div class=\"doc\">",
            if docs.len() <= 10 { " open" } else { "" },
            esc(&doc_label(docs, d)),
            s.words,
            100.0 * s.unique_fraction
        );
        let bp: Vec<Span> = r.boilerplate.docs[d].iter().map(|b| b.span).collect();
        let mut bounds: Vec<usize> = vec![0, doc.text.len()];
        for sp in bp.iter().chain(marks[d].iter().map(|m| &m.0)) {
            bounds.push(sp.start);
            bounds.push(sp.end);
        }
        bounds.sort_unstable();
        bounds.dedup();
        for w in bounds.windows(2) {
            let seg = Span::new(w[0], w[1]);
            let text = esc(seg.slice(&doc.text));
            if bp.iter().any(|b| b.start <= seg.start && seg.end <= b.end) {
                let _ = write!(h, "<span class=\"bp\">{text}</span>");
            } else if let Some((_, others)) = marks[d]
                .iter()
                .find(|(m, _)| m.start <= seg.start && seg.end <= m.end)
            {
                let first = others.iter().next().map(String::as_str);
                let list: Vec<&str> = others.iter().map(String::as_str).collect();
                let _ = write!(
                    h,
                    "<mark style=\"background:{}\" title=\"shared with {}\">{text}</mark>",
                    color_of(r, first.filter(|f| *f != "-")),
                    esc(&list.join(", "))
                );
            } else {
                h.push_str(&text);
            }
        }
        h.push_str("</div></details>\n");
    }
    if docs.len() > opt.max_doc_views {
        let _ = writeln!(
            h,
            "<p>{} more documents not shown.</p>",
            docs.len() - opt.max_doc_views
        );
    }
}

fn flatten(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML-escapes text for element content and quoted attribute values;
/// control characters other than newline and tab are dropped.
pub fn esc(t: &str) -> String {
    let mut s = String::with_capacity(t.len());
    html_escape::push_escaped(&mut s, t, Context::Attribute, |s, c| {
        if !c.is_control() || c == '\n' || c == '\t' {
            s.push(c);
        }
    });
    s
}
