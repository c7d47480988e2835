//! `report --format text`: the corpus map for a person at a terminal.
//!
//! Sections: a header, near-duplicate clusters, the most widely shared
//! passages (each occurrence with its place, each other wording as a word
//! diff against the first), the closest pairs, unique material per source,
//! boilerplate per source, unreadable inputs. Document text is flattened
//! to one line and its control and bidi characters escaped
//! ([`escape_one_line`](super::sanitize::escape_one_line)), so nothing in a
//! document reaches the terminal raw. Variants are drawn by
//! [`inline_diff`]: colour (red deletions, green insertions) only when
//! asked; `[-old-]{+new+}` otherwise.

use std::io::{self, Write};

use crate::input::{Document, InputFailure};
use crate::report::pairs::{PairsParams, PairsReport};
use crate::report::{CorpusPassage, CorpusReport};

use super::inline_diff::{inline_diff, Layout};
use super::sanitize::escape_one_line as clean;
use super::style::{paint, BOLD};
use super::{source_rules_line, SourceFields};

/// Text rendering options, resolved by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours for diff marks.
    pub color: bool,
    /// Most passages and pairs listed (the JSON output has all).
    pub max_items: usize,
    /// Longest quoted passage, in characters, before it is cut with `…`.
    pub max_quote_chars: usize,
    /// Field names the source summary mentions.
    pub source_fields: SourceFields,
}

impl Default for TextOptions {
    fn default() -> TextOptions {
        TextOptions {
            color: false,
            max_items: 20,
            max_quote_chars: 240,
            source_fields: SourceFields::default(),
        }
    }
}

/// Writes the text report.
pub fn write_report_text<W: Write>(
    out: &mut W,
    r: &CorpusReport,
    docs: &[Document],
    opt: &TextOptions,
) -> io::Result<()> {
    let words: usize = r.documents.iter().map(|d| d.words).sum();
    let bp: usize = r.documents.iter().map(|d| d.boilerplate_words).sum();
    let named = r.sources.iter().filter(|s| s.name.is_some()).count();
    writeln!(
        out,
        "{}: {} from {}, {} ({} boilerplate)",
        bold(opt, "copydesk report"),
        count(r.documents.len(), "document"),
        count(named, "source"),
        count(words, "word"),
        thousands(bp)
    )?;
    writeln!(out, "{}", source_rules_line(r, &opt.source_fields))?;
    unreadable_note(out, &r.unreadable)?;

    heading(
        out,
        opt,
        &format!("Near-duplicate clusters: {}", r.clusters.len()),
    )?;
    for (i, c) in r.clusters.iter().take(opt.max_items).enumerate() {
        writeln!(
            out,
            "  #{} kept {} ({})",
            i + 1,
            name(docs, c.kept),
            c.reason
        )?;
        for &m in &c.members[1..] {
            writeln!(out, "      {}", name(docs, m))?;
        }
    }
    more(out, r.clusters.len(), opt.max_items)?;

    heading(out, opt, &format!("Shared passages: {}", r.passages.len()))?;
    for (i, p) in r.passages.iter().take(opt.max_items).enumerate() {
        passage(out, i, p, docs, opt)?;
    }
    more(out, r.passages.len(), opt.max_items)?;

    heading(
        out,
        opt,
        &format!("Pairs sharing material: {}", r.pairs.len()),
    )?;
    if !r.pairs.is_empty() {
        writeln!(
            out,
            "  jaccard  contain  verdict         passages  documents"
        )?;
    }
    for p in r.pairs.iter().take(opt.max_items) {
        writeln!(
            out,
            "  {:<7.3}  {:<7.3}  {:<14}  {:<8}  {} ~ {}",
            p.jaccard,
            p.containment(),
            p.verdict.as_str(),
            p.passages,
            name(docs, p.a),
            name(docs, p.b)
        )?;
    }
    more(out, r.pairs.len(), opt.max_items)?;

    heading(
        out,
        opt,
        "Unique material by source (content words in no other source)",
    )?;
    writeln!(
        out,
        "  {:<16}  {:>4}  {:>13}  {:>7}",
        "source", "docs", "content words", "unique"
    )?;
    for s in &r.sources {
        writeln!(
            out,
            "  {:<16}  {:>4}  {:>13}  {:>6.1}%",
            clean(s.name.as_deref().unwrap_or("(none)")),
            s.docs.len(),
            thousands(s.content_words),
            100.0 * s.unique_fraction
        )?;
    }
    writeln!(out, "  per document:")?;
    for d in &r.documents {
        writeln!(
            out,
            "  {:>6.1}%  {}",
            100.0 * d.unique_fraction,
            clean(&d.id)
        )?;
    }

    heading(
        out,
        opt,
        "Boilerplate by source (not counted as shared or unique)",
    )?;
    if r.boilerplate.sources.is_empty() {
        writeln!(out, "  none found")?;
    }
    for s in &r.boilerplate.sources {
        writeln!(
            out,
            "  {} ({} in {})",
            clean(&s.source),
            count(s.words, "word"),
            count(s.docs, "document")
        )?;
        for b in s.blocks.iter().take(opt.max_items) {
            let times = if b.occurrences > 1 {
                format!(", {}x", b.occurrences)
            } else {
                String::new()
            };
            writeln!(
                out,
                "    {} in {} doc{}{}: \"{}\"",
                b.reason.as_str(),
                b.docs.len(),
                if b.docs.len() == 1 { "" } else { "s" },
                times,
                quote(b.span.slice(&docs[b.doc].text), opt.max_quote_chars)
            )?;
        }
        more(out, s.blocks.len(), opt.max_items)?;
    }

    unreadable_section(out, opt, &r.unreadable)
}

/// Writes `report --pairs-only` as text: a header, one line per pair
/// (`jaccard<TAB>id<TAB>id`), and the inputs that could not be read, noted
/// and listed as the full report does.
pub fn write_pairs_text<W: Write>(out: &mut W, r: &PairsReport, p: &PairsParams) -> io::Result<()> {
    writeln!(
        out,
        "{}, {} with Jaccard >= {} ({}-word shingles, {} verified), {}",
        count(r.documents(), "document"),
        count(r.pairs.len(), "pair"),
        p.threshold,
        p.shingle_size,
        count(r.stats.candidates, "candidate"),
        count(r.clusters.len(), "cluster")
    )?;
    unreadable_note(out, &r.failures)?;
    for pair in &r.pairs {
        writeln!(
            out,
            "{:.3}\t{}\t{}",
            pair.jaccard,
            clean(&r.ids[pair.a as usize]),
            clean(&r.ids[pair.b as usize])
        )?;
    }
    unreadable_section(out, &TextOptions::default(), &r.failures)
}

/// The header's line saying inputs could not be read, when some could not.
fn unreadable_note<W: Write>(out: &mut W, failures: &[InputFailure]) -> io::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} could not be read (listed at the end)",
        count(failures.len(), "input")
    )
}

/// The closing section naming each input that could not be read, and why.
fn unreadable_section<W: Write>(
    out: &mut W,
    opt: &TextOptions,
    failures: &[InputFailure],
) -> io::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    heading(out, opt, &format!("Unreadable inputs: {}", failures.len()))?;
    for u in failures {
        writeln!(out, "  {}: {}", clean(&u.name), clean(&u.message))?;
    }
    Ok(())
}

fn passage<W: Write>(
    out: &mut W,
    i: usize,
    p: &CorpusPassage,
    docs: &[Document],
    opt: &TextOptions,
) -> io::Result<()> {
    writeln!(
        out,
        "  #{} {}, {}, {}, {}",
        i + 1,
        p.kind.as_str(),
        count(p.sources, "source"),
        count(p.occurrences.len(), "occurrence"),
        count(p.words(), "word")
    )?;
    for o in &p.occurrences {
        let (line, col) = line_col(&docs[o.doc].text, o.span.start);
        writeln!(
            out,
            "      {:<14} {}:{}:{}{}",
            clean(docs[o.doc].source.as_deref().unwrap_or("-")),
            clean(&docs[o.doc].id),
            line,
            col,
            if o.moved { " (moved)" } else { "" }
        )?;
    }
    let seed = &p.occurrences[0];
    writeln!(
        out,
        "      \"{}\"",
        quote(seed.span.slice(&docs[seed.doc].text), opt.max_quote_chars)
    )?;
    for v in p.variants.iter().skip(1) {
        let o = &p.occurrences[v.occurrences[0]];
        let who: Vec<String> = v
            .occurrences
            .iter()
            .map(|&k| clean(docs[p.occurrences[k].doc].source.as_deref().unwrap_or("-")))
            .collect();
        writeln!(
            out,
            "      {}: {}",
            who.join(", "),
            inline_diff(
                &docs[seed.doc].text,
                &docs[o.doc].text,
                &o.ops,
                o.span,
                opt.color,
                Layout::OneLine
            )
        )?;
    }
    Ok(())
}

fn heading<W: Write>(out: &mut W, opt: &TextOptions, title: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", bold(opt, title))
}

fn more<W: Write>(out: &mut W, total: usize, shown: usize) -> io::Result<()> {
    if total > shown {
        writeln!(
            out,
            "  ... and {} more (--format json lists all)",
            total - shown
        )?;
    }
    Ok(())
}

/// `text` in bold when colour is on.
fn bold<'t>(opt: &TextOptions, text: &'t str) -> impl std::fmt::Display + 't {
    paint(
        if opt.color {
            BOLD
        } else {
            anstyle::Style::new()
        },
        text,
    )
}

fn name(docs: &[Document], i: usize) -> String {
    clean(&docs[i].id)
}

/// 1-based line and column (in characters) of byte `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn quote(t: &str, max: usize) -> String {
    let f = clean(t);
    if f.chars().count() <= max {
        return f;
    }
    let cut: String = f.chars().take(max).collect();
    format!("{cut}…")
}

/// [`super::count::thousands`] of a `usize`.
fn thousands(n: usize) -> String {
    super::count::thousands(n as u64)
}

/// [`super::count::count`] of a `usize`.
fn count(n: usize, noun: &str) -> String {
    super::count::count(n as u64, noun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_places_and_quotes() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(quote("abcdef", 3), "abc…");
    }
}
