//! `copydesk index stats|query|check`: a filter index described for a
//! person at a terminal.
//!
//! Names that come from outside (paths, document ids and sources, the
//! problems `index check` quotes) go through [`sanitize::escape`](super::sanitize::escape); the two
//! texts of a query's word diff are drawn by [`inline_diff`] in the
//! [`Layout::KeepBreaks`] layout, with the marks every other inline diff
//! uses. Nothing here looks at the terminal: the caller resolves colour.

use std::io::{self, Write};
use std::path::Path;

use crate::diff::word_diff;
use crate::filter::{FilterState, QueryMatch};
use crate::index::check::CheckReport;
use crate::index::store::{Checkpoint, StoreParams, StoreStats, FORMAT_VERSION};
use crate::span::Span;
use crate::tokenize::Tokens;

use super::inline_diff::{inline_diff, Layout};
use super::sanitize::escape;

/// What `index stats` shows of one index.
#[derive(Debug, Clone)]
pub struct IndexStats<'a> {
    /// The index file.
    pub path: &'a Path,
    /// Its parameters.
    pub params: StoreParams,
    /// Its counts and sizes.
    pub stats: StoreStats,
    /// The filter's state in it.
    pub filter: FilterState,
    /// The last run's checkpoint, if any run was recorded.
    pub checkpoint: Option<Checkpoint>,
}

/// Writes `index stats`: one labelled line per count.
pub fn write_stats(out: &mut impl Write, s: &IndexStats<'_>) -> io::Result<()> {
    let st = &s.stats;
    writeln!(out, "index {}", escape(&s.path.display().to_string()))?;
    writeln!(out, "format version   {FORMAT_VERSION}")?;
    writeln!(out, "parameters       {}", s.params)?;
    writeln!(out, "documents        {}", st.docs)?;
    writeln!(out, "bucket keys      {}", st.keys)?;
    writeln!(
        out,
        "text             {} bytes, texts file {} bytes",
        st.text_bytes, st.texts_file_bytes
    )?;
    writeln!(out, "file size        {} bytes", st.file_bytes)?;
    writeln!(out, "lines filtered   {}", s.filter.lines_seen)?;
    writeln!(
        out,
        "boilerplate      {} segment counters",
        s.filter.boilerplate_counters
    )?;
    match &s.checkpoint {
        None => writeln!(out, "last run         none"),
        Some(cp) => writeln!(
            out,
            "last run         {} after line {} of {}",
            if cp.finished {
                "finished"
            } else {
                "interrupted"
            },
            cp.input_lines,
            escape(&cp.inputs.replace('\0', ", "))
        ),
    }
}

/// Writes `index query`: the `top` best of `matches` for the document
/// `file` (whose text is `text`), then its word diff against the best
/// stored text; or one line saying nothing stored resembles it.
pub fn write_query(
    out: &mut impl Write,
    file: &Path,
    text: &str,
    matches: &[QueryMatch],
    top: usize,
    color: bool,
) -> io::Result<()> {
    let file = file.display().to_string();
    let file = escape(&file);
    let Some(best) = matches.first() else {
        return writeln!(
            out,
            "not seen: no stored document shares a band with {file}"
        );
    };
    writeln!(
        out,
        "{} match{} for {file}:",
        matches.len(),
        if matches.len() == 1 { "" } else { "es" },
    )?;
    for m in matches.iter().take(top) {
        writeln!(
            out,
            "  {:<24} {:<16} jaccard {:.3}  containment {:.3}  {}",
            escape(&m.doc.id),
            escape(m.doc.source.as_deref().unwrap_or("-")),
            m.jaccard,
            m.containment,
            m.reason.map_or("distinct", |r| r.as_str()),
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "diff against {} ([-stored-]{{+this document+}}):",
        escape(&best.doc.id)
    )?;
    writeln!(out, "{}", diff(&best.text, text, color))
}

/// `new` with the words `old` had instead marked deleted and the words
/// only `new` has marked inserted, line breaks kept.
fn diff(old: &str, new: &str, color: bool) -> String {
    let (ta, tb) = (Tokens::new(old), Tokens::new(new));
    let ops = word_diff(&ta, 0..ta.len(), &tb, 0..tb.len());
    inline_diff(
        old,
        new,
        &ops,
        Span::new(0, new.len()),
        color,
        Layout::KeepBreaks,
    )
}

/// Writes the report of `index check`: a verdict line, what was checked,
/// then each problem and note.
pub fn write_check(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    let path = r.path.display().to_string();
    let path = escape(&path);
    if r.is_sound() {
        writeln!(out, "index {path}: sound")?;
    } else if let Some(v) = r.format_version.filter(|&v| v != FORMAT_VERSION) {
        // Not damaged, and its layout is not this build's to check.
        writeln!(
            out,
            "index {path}: not checked: written by index format {v}"
        )?;
    } else {
        let n = r.problem_count();
        writeln!(
            out,
            "index {path}: damaged, {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
    }
    if let Some(v) = r.format_version {
        writeln!(out, "format version   {v}")?;
    }
    if let Some(p) = r.params {
        writeln!(out, "parameters       {p}")?;
        writeln!(out, "documents        {}", r.docs)?;
        writeln!(out, "bucket keys      {}", r.keys)?;
        writeln!(out, "sketch chunks    {}", r.sketch_chunks)?;
        let texts = match r.texts_file_bytes {
            Some(n) => format!("texts file {n} bytes"),
            None => "texts file missing".into(),
        };
        let hashed = if r.texts_hashed {
            ", texts checked against their stored hashes"
        } else {
            ""
        };
        writeln!(
            out,
            "text             {} bytes, {texts}{hashed}",
            r.text_bytes
        )?;
    }
    for p in &r.problems {
        writeln!(out, "problem          {}", escape(p))?;
    }
    if r.more_problems > 0 {
        writeln!(
            out,
            "problem          … and {} more not listed",
            r.more_problems
        )?;
    }
    for n in &r.notes {
        writeln!(out, "note             {}", escape(n))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_old_and_new_words_and_keeps_breaks() {
        assert_eq!(
            diff(
                "About 3,000 operations were cancelled.",
                "LONDON (Wire) - Almost 3,000 operations were cancelled.\n\nMore.",
                false,
            ),
            "[-About-]{+LONDON (Wire) - Almost+} 3,000 operations were cancelled.\n\n{+More+}."
        );
    }

    #[test]
    fn document_text_cannot_drive_the_terminal() {
        let out = diff("a b", "a\x1b[31mb\nc\u{202e}d", false);
        assert!(!out.contains(['\x1b', '\u{202e}']), "{out:?}");
        assert!(
            out.contains("\\x1b[") && out.contains("\\u{202e}"),
            "{out:?}"
        );
        assert!(out.contains('\n'), "line breaks stay: {out:?}");
    }
}
