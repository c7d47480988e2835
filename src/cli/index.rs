//! `copydesk index stats|query|remove|check`: look into, edit and verify a
//! filter index.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, Once, PoisonError};

use anyhow::bail;
use clap::{Args, Subcommand};

use super::{ColorChoice, Output};
use copydesk::filter::{self, FilterOptions};
use copydesk::index::store::{Store, FORMAT_VERSION};
use copydesk::render::count::count;
use copydesk::render::index_text::{write_check, write_query, write_stats, IndexStats};
use copydesk::{Document, Error};

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
    let stats = IndexStats {
        path,
        params: store.params(),
        stats: store.stats()?,
        filter: filter::state(&store)?,
        checkpoint: store.checkpoint()?,
    };
    Output::open(None)?.write_with(|mut out| write_stats(&mut out, &stats))?;
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
    let output = Output::open(None)?;
    let color = q.color.resolve(output.is_terminal());
    output
        .write_with(|mut out| write_query(&mut out, &q.file, &doc.text, &matches, q.top, color))?;
    Ok(if matches.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let report = filter::check_index(path)?;
    Output::open(None)?.write_with(|mut out| write_check(&mut out, &report))?;
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
