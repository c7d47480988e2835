//! `copydesk index stats|query|remove|check`: look into, edit and verify a
//! filter index.

use std::io::{IsTerminal, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, Once, PoisonError};

use anyhow::bail;
use clap::{Args, Subcommand};

use super::ColorChoice;
use copydesk::diff::{word_diff, DiffTag};
use copydesk::filter::{self, FilterOptions};
use copydesk::index::check::CheckReport;
use copydesk::index::store::{Store, FORMAT_VERSION};
use copydesk::render::count::count;
use copydesk::{Document, Error, Tokens};

/// Shown after `copydesk index --help`.
pub const EXAMPLES: &str = "\
Examples:
  copydesk index stats seen.redb
      documents, parameters, learned boilerplate and the last run's state
  copydesk index query seen.redb article.txt --top 3
      the stored documents this one resembles, best first, with a word diff
  copydesk index remove seen.redb d0000042 d0000043
      forget documents: a later copy of them is no longer dropped as theirs
  copydesk index check seen.redb
      verify every structure of both files, read-only; exit 2 listing each problem";

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
    /// Counts, parameters and the state of the last run.
    Stats {
        /// The index file.
        path: PathBuf,
    },
    /// Have we seen this document, and where? Matching ids, scores and a
    /// word diff against the best match.
    Query(QueryArgs),
    /// Take documents out of the index by id.
    Remove {
        /// The index file.
        path: PathBuf,
        /// Ids of the documents to remove.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Verify every structure of the index without changing it: exit
    /// status 0 when sound, 2 with the problems found.
    Check {
        /// The index file.
        path: PathBuf,
    },
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// The index file.
    path: PathBuf,
    /// The document to look for (a text file).
    file: PathBuf,
    /// Strip this source's learned boilerplate from the document first.
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// Most matches listed.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub fn run(args: IndexArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        IndexCommand::Stats { path } => guard(&path.clone(), || stats(&path)),
        IndexCommand::Query(q) => guard(&q.path.clone(), || query(q)),
        IndexCommand::Remove { path, ids } => guard(&path.clone(), || remove(&path, &ids)),
        IndexCommand::Check { path } => check(&path),
    }
}

/// The message of the last panic raised inside redb (see [`guard`]).
static REDB_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// True for a panic raised in redb's own source.
fn is_redb_panic(info: &std::panic::PanicHookInfo<'_>) -> bool {
    info.location().is_some_and(|l| {
        let file = l.file().replace('\\', "/");
        file.contains("/redb-") || file.contains("/redb/")
    })
}

/// Runs `f`, which reads the index at `path`, turning a panic inside redb
/// into an error naming the index and what to do. A plain open trusts the
/// file's pages (checking every checksum would read the whole index at
/// each open), and redb may panic on a page that was overwritten outside
/// it; `index check` verifies the pages first and never gets there. Such
/// a panic's message is kept rather than printed; every other panic is
/// printed and raised as before.
pub fn guard<T>(path: &Path, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if is_redb_panic(info) {
                let payload = info.payload();
                let text = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("");
                // From the crate's folder on: `redb-4.5.0/src/…:LINE`.
                let place = info.location().map(|l| {
                    let file = l.file().replace('\\', "/");
                    let at = file.rfind("/redb").map_or(0, |i| i + 1);
                    format!(" at {}:{}", &file[at..], l.line())
                });
                let message = format!("redb panicked{}: {text}", place.unwrap_or_default());
                *REDB_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = Some(message);
            } else if REDB_PANIC
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_none()
            {
                // (A panic while a redb one unwinds, such as a thread
                // scope passing it on, is part of it: not printed either.)
                previous(info);
            }
        }));
    });
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let Some(message) = REDB_PANIC
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            else {
                std::panic::resume_unwind(payload)
            };
            Err(Error::IndexDamaged {
                path: path.to_path_buf(),
                problem: format!(
                    "the database file is damaged: redb stopped on a page it cannot read \
                     (`copydesk index check {}` lists what is wrong)",
                    path.display()
                ),
                source: Some(message.into()),
            }
            .into())
        }
    }
}

fn stats(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    // Opened and read as the filter does (`filter::state` decodes all the
    // filter reads before its first line), so stats cannot pass an index
    // the filter refuses.
    let store = Store::open(path)?;
    let s = store.stats()?;
    let f = filter::state(&store)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "index {}", path.display())?;
    writeln!(out, "format version   {FORMAT_VERSION}")?;
    writeln!(out, "parameters       {}", store.params())?;
    writeln!(out, "documents        {}", s.docs)?;
    writeln!(out, "bucket keys      {}", s.keys)?;
    writeln!(
        out,
        "text             {} bytes, texts file {} bytes",
        s.text_bytes, s.texts_file_bytes
    )?;
    writeln!(out, "file size        {} bytes", s.file_bytes)?;
    writeln!(out, "lines filtered   {}", f.lines_seen)?;
    writeln!(
        out,
        "boilerplate      {} segment counters",
        f.boilerplate_counters
    )?;
    match store.checkpoint()? {
        None => writeln!(out, "last run         none")?,
        Some(cp) => writeln!(
            out,
            "last run         {} after line {} of {}",
            if cp.finished {
                "finished"
            } else {
                "interrupted"
            },
            cp.input_lines,
            cp.inputs.replace('\0', ", ")
        )?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn remove(path: &std::path::Path, ids: &[String]) -> anyhow::Result<ExitCode> {
    let mut store = filter::open_index(path)?;
    let mut missing = Vec::new();
    let mut removed = 0u64;
    for id in ids {
        let docs = store.find_id(id)?;
        if docs.is_empty() {
            missing.push(id.as_str());
        }
        for d in docs {
            store.remove_doc(&d)?;
            removed += 1;
        }
    }
    store.commit()?;
    diag!(
        "copydesk: removed {} from {}",
        count(removed, "document"),
        path.display()
    );
    if !missing.is_empty() {
        bail!(
            "index {}: no document with id {}",
            path.display(),
            missing.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn query(q: QueryArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&q.path)?;
    let doc = Document::read(&q.file)?;
    let opts = FilterOptions::default();
    // Its errors are the index's and name it (the document was read above).
    let matches = filter::query(&mut store, &doc.text, q.source.as_deref(), &opts)?;
    let color = q.color.resolve(std::io::stdout().is_terminal());
    let mut out = std::io::stdout().lock();
    if matches.is_empty() {
        writeln!(
            out,
            "not seen: no stored document shares a band with {}",
            q.file.display()
        )?;
        out.flush()?;
        return Ok(ExitCode::from(1));
    }
    writeln!(
        out,
        "{} match{} for {}:",
        matches.len(),
        if matches.len() == 1 { "" } else { "es" },
        q.file.display()
    )?;
    for m in matches.iter().take(q.top) {
        writeln!(
            out,
            "  {:<24} {:<16} jaccard {:.3}  containment {:.3}  {}",
            sanitize(&m.doc.id),
            sanitize(m.doc.source.as_deref().unwrap_or("-")),
            m.jaccard,
            m.containment,
            m.reason.map_or("distinct", |r| r.as_str()),
        )?;
    }
    let best = &matches[0];
    writeln!(out)?;
    writeln!(
        out,
        "diff against {} ([-stored-]{{+this document+}}):",
        sanitize(&best.doc.id)
    )?;
    render_diff(&mut out, &best.text, &doc.text, color)?;
    writeln!(out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn check(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let report = filter::check_index(path)?;
    let mut out = std::io::stdout().lock();
    render_check(&mut out, &report)?;
    out.flush()?;
    if report.is_sound() {
        return Ok(ExitCode::SUCCESS);
    }
    // Another format version has its own remedy (a newer index needs a
    // newer copydesk, not a rebuild).
    if let Some(found) = report.format_version.filter(|&v| v != FORMAT_VERSION) {
        return Err(Error::IndexVersion {
            path: path.to_path_buf(),
            found,
            expected: FORMAT_VERSION,
        }
        .into());
    }
    let n = report.problem_count();
    Err(Error::IndexDamaged {
        path: path.to_path_buf(),
        problem: format!(
            "damaged: {n} problem{} found (listed above)",
            if n == 1 { "" } else { "s" }
        ),
        source: None,
    }
    .into())
}

/// The report of `index check`: a verdict line, what was checked, then
/// each problem and note.
fn render_check(out: &mut impl Write, r: &CheckReport) -> std::io::Result<()> {
    let path = sanitize(&r.path.display().to_string());
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
        writeln!(out, "problem          {}", sanitize(p))?;
    }
    if r.more_problems > 0 {
        writeln!(
            out,
            "problem          … and {} more not listed",
            r.more_problems
        )?;
    }
    for n in &r.notes {
        writeln!(out, "note             {}", sanitize(n))?;
    }
    Ok(())
}

/// Writes `new` with the words `old` had instead marked `[-old-]` and the
/// words only `new` has marked `{+new+}` (red/green with colour).
fn render_diff(out: &mut impl Write, old: &str, new: &str, color: bool) -> std::io::Result<()> {
    let (ta, tb) = (Tokens::new(old), Tokens::new(new));
    let ops = word_diff(&ta, 0..ta.len(), &tb, 0..tb.len());
    let (del, ins, reset) = if color {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut at = 0;
    for op in ops {
        let b_start = op.b.start.max(at);
        write!(out, "{}", sanitize(&new[at..b_start]))?;
        at = b_start;
        if matches!(op.tag, DiffTag::Delete | DiffTag::Replace) {
            write!(out, "{del}[-{}-]{reset}", sanitize(op.a.slice(old)))?;
        }
        match op.tag {
            DiffTag::Equal => {
                write!(out, "{}", sanitize(&new[at..op.b.end]))?;
                at = op.b.end;
            }
            DiffTag::Insert | DiffTag::Replace => {
                write!(out, "{ins}{{+{}+}}{reset}", sanitize(&new[at..op.b.end]))?;
                at = op.b.end;
            }
            DiffTag::Delete => {}
        }
    }
    write!(out, "{}", sanitize(&new[at..]))
}

/// Text safe for a terminal: escapes, controls and bidi overrides come out
/// as visible escapes ([`sanitize`](copydesk::render::sanitize)); line
/// breaks and tabs stay, so paragraphs read as paragraphs.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c != '\n' && c != '\t' && copydesk::render::sanitize::is_unsafe(c) {
            copydesk::render::sanitize::push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_text_cannot_drive_the_terminal() {
        assert_eq!(
            sanitize("a\x1b[31mb\nc\u{202e}d"),
            "a\\x1b[31mb\nc\\u{202e}d"
        );
    }

    #[test]
    fn diff_marks_old_and_new_words() {
        let mut out = Vec::new();
        render_diff(
            &mut out,
            "About 3,000 operations were cancelled.",
            "LONDON (Wire) - Almost 3,000 operations were cancelled.",
            false,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[-About-]{+LONDON (Wire) - Almost+} 3,000 operations were cancelled."
        );
    }
}
