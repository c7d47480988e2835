//! `copydesk index stats|query|remove`: look into and edit a filter index.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::ColorChoice;
use copydesk::diff::{word_diff, DiffTag};
use copydesk::filter::{self, FilterOptions};
use copydesk::index::store::{Store, FORMAT_VERSION};
use copydesk::{Document, Tokens};

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
        IndexCommand::Stats { path } => stats(&path),
        IndexCommand::Query(q) => query(q),
        IndexCommand::Remove { path, ids } => remove(&path, &ids),
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
    let mut removed = 0;
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
    eprintln!(
        "copydesk: removed {removed} document{} from {}",
        if removed == 1 { "" } else { "s" },
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
    let matches = filter::query(&mut store, &doc.text, q.source.as_deref(), &opts)
        .with_context(|| format!("querying {}", q.file.display()))?;
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
