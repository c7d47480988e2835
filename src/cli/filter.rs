//! `copydesk filter [FILE...]`: drop duplicate copies from a JSON Lines stream.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use copydesk::filter::{self, FileSink, FilterOptions, InputStream, OnError, Sink, StreamSink};
use copydesk::index::store::Store;
use copydesk::input::JsonlFields;
use copydesk::render::count::{count, thousands};
use copydesk::render::sanitize::escape;
use copydesk::report::KeepRule;
use copydesk::Params;

/// Shown after `copydesk filter --help`.
pub const EXAMPLES: &str = "\
Examples:
  copydesk filter --index seen.redb < today.jsonl > kept.jsonl
      keep the first copy of each story; later runs remember earlier ones
  copydesk filter --index seen.redb --dropped dropped.jsonl -o kept.jsonl a.jsonl b.jsonl
      and log each dropped line: which kept document it copies, the scores
      and the shared passages
  copydesk filter --keep sources=ap,reuters --window 2000 < wire.jsonl
      prefer the agencies' copies among copies within 2,000 lines
  copydesk index stats seen.redb

Each kept line is written exactly as read. An interrupted run resumes where
it stopped when run again with the same index, input and -o file. Exit
status: 0 when the stream was filtered, 2 on any error (a malformed line
under --on-error fail, an unreadable input or index).";

use super::limits::DocLimit;
use super::progress::LineCounter;

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// JSON Lines inputs, read in order (none or `-`: standard input).
    files: Vec<PathBuf>,
    /// Keep what has been seen in this index file (redb); a run continues
    /// from what earlier runs stored, and resumes an interrupted run.
    #[arg(long, value_name = "PATH")]
    index: Option<PathBuf>,
    /// Write kept lines to FILE instead of standard output (needed for
    /// exactly-once output across a crash: the file is cut back to the
    /// last checkpoint when an interrupted run resumes); `-`: standard
    /// output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write one JSON line per dropped, blank or skipped line to FILE
    /// (`-`: standard output, when -o FILE takes the kept lines).
    #[arg(long, value_name = "FILE")]
    dropped: Option<PathBuf>,
    /// JSON field holding the document id.
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_field: String,
    /// JSON field holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// JSON field holding the source (outlet, site); a record without one
    /// takes the host of --url-field, else of its id when that is a URL.
    #[arg(long, default_value = "source", value_name = "NAME")]
    source_field: String,
    /// JSON field holding the page's URL (its host is the source of a
    /// record with no --source-field).
    #[arg(long, default_value = "url", value_name = "NAME")]
    url_field: String,
    /// JSON field holding the date.
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_field: String,
    /// Body Jaccard at or above which a document is a near-duplicate.
    #[arg(long, default_value_t = Params::default().near_duplicate_jaccard, value_name = "X")]
    jaccard: f64,
    /// Containment of the shorter body in the longer at or above which a
    /// document is a contained copy.
    #[arg(long, default_value_t = Params::default().near_duplicate_containment, value_name = "X")]
    containment: f64,
    /// Shingles (3-word) the two bodies must share before containment may
    /// drop a document.
    #[arg(long, default_value_t = Params::default().min_shared_shingles, value_name = "N")]
    min_shared_shingles: usize,
    /// Which copy to keep: `first` (default) or `sources=A,B,...` to prefer
    /// those sources, best first, among copies within --window lines.
    #[arg(long, default_value = "first", value_name = "RULE")]
    keep: String,
    /// Window in lines for --keep sources=... (tumbling windows).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    window: u64,
    /// What to do with a malformed line or one over --max-doc-bytes: fail
    /// (exit 2, after writing everything before it) or skip (record it in
    /// the dropped log and go on).
    #[arg(long, value_enum, default_value_t = OnErrorArg::Fail)]
    on_error: OnErrorArg,
    #[command(flatten)]
    limit: DocLimit,
    /// Commit the index at least every N lines (default: automatic).
    #[arg(long, value_name = "N")]
    commit_every: Option<u64>,
    /// Leave shared passages out of the dropped log (faster).
    #[arg(long)]
    no_passages: bool,
    /// No summary on standard error.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OnErrorArg {
    Fail,
    Skip,
}

fn options(args: &FilterArgs) -> anyhow::Result<FilterOptions> {
    // One parser for every command's --keep (`KeepRule::parse`); the
    // filter, which sees each line once, takes two of its rules.
    let keep_sources = match KeepRule::parse(&args.keep) {
        Ok(KeepRule::First) => Vec::new(),
        Ok(KeepRule::Sources(list)) => list,
        _ => bail!(
            "--keep {}: expected `first` or `sources=A,B,...`",
            escape(&args.keep)
        ),
    };
    let opts = FilterOptions {
        fields: JsonlFields {
            id: args.id_field.clone(),
            text: args.text_field.clone(),
            source: args.source_field.clone(),
            date: args.date_field.clone(),
            url: args.url_field.clone(),
        },
        params: Params {
            near_duplicate_jaccard: args.jaccard,
            near_duplicate_containment: args.containment,
            min_shared_shingles: args.min_shared_shingles,
            ..Params::default()
        },
        keep_sources,
        window: args.window,
        on_error: match args.on_error {
            OnErrorArg::Fail => OnError::Fail,
            OnErrorArg::Skip => OnError::Skip,
        },
        max_doc_bytes: args.limit.max_doc_bytes,
        commit_every: args.commit_every.unwrap_or(0),
        passages: !args.no_passages,
        ..FilterOptions::default()
    };
    opts.validate()?;
    Ok(opts)
}

fn open_inputs(files: &[PathBuf]) -> anyhow::Result<InputStream> {
    let mut inputs: Vec<(PathBuf, Box<dyn BufRead + Send>)> = Vec::new();
    if files.is_empty() {
        inputs.push(("-".into(), Box::new(BufReader::new(std::io::stdin()))));
    }
    for f in files {
        if f.as_os_str() == "-" {
            inputs.push(("-".into(), Box::new(BufReader::new(std::io::stdin()))));
            continue;
        }
        if f.is_dir() {
            bail!(
                "{}: is a directory, expected a JSON Lines file",
                f.display()
            );
        }
        let file = File::open(f).with_context(|| format!("{}", f.display()))?;
        inputs.push((f.clone(), Box::new(BufReader::with_capacity(1 << 20, file))));
    }
    Ok(InputStream::new(inputs))
}

/// The output files a run created. Should the run fail, those it left
/// empty are removed again, so a failed run leaves no empty file behind
/// (`--dropped nodir/d.jsonl -o kept.jsonl` failed after creating
/// kept.jsonl). A file that existed before the run is never removed.
#[derive(Default)]
struct NewFiles(Vec<PathBuf>);

impl NewFiles {
    /// Opens `path` for writing, creating it when it does not exist. It is
    /// neither truncated nor cut here: see [`sink`].
    fn open(&mut self, path: &Path) -> anyhow::Result<File> {
        let name = || path.display().to_string();
        match OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(file) => {
                self.0.push(path.to_path_buf());
                Ok(file)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                OpenOptions::new().write(true).open(path).with_context(name)
            }
            Err(e) => Err(e).with_context(name),
        }
    }

    /// The run succeeded: every file stays, empty or not.
    fn keep(mut self) {
        self.0.clear();
    }
}

impl Drop for NewFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// An opened output file as a sink: cut back to `position` when resuming,
/// else emptied.
fn sink(file: File, path: &Path, position: Option<u64>) -> anyhow::Result<FileSink> {
    let len = file.metadata()?.len();
    if let Some(p) = position {
        if len < p {
            bail!(
                "{}: holds {len} bytes but the interrupted run had committed {p}; \
                 it was changed since, so the run cannot resume exactly",
                path.display()
            );
        }
    }
    FileSink::new(file, position.unwrap_or(0)).with_context(|| format!("{}", path.display()))
}

pub fn run(args: FilterArgs) -> anyhow::Result<ExitCode> {
    match args.index.clone() {
        Some(index) => super::index::guard(&index, || run_filter(args)),
        None => run_filter(args),
    }
}

fn run_filter(args: FilterArgs) -> anyhow::Result<ExitCode> {
    let opts = options(&args)?;
    let output = super::output_file(args.output.as_deref());
    // `--dropped -`: the log on standard output, which must then be free.
    let dropped_path = super::output_file(args.dropped.as_deref());
    let dropped_to_stdout = args.dropped.is_some() && dropped_path.is_none();
    if dropped_to_stdout && output.is_none() {
        bail!(
            "--dropped - writes the dropped log to standard output, where the kept lines go: \
             give -o FILE for the kept lines, or --dropped FILE"
        );
    }
    // Inputs first, then the outputs, then the index: nothing is created
    // before what can be checked is (a missing input made an empty index).
    let mut input = open_inputs(&args.files)?;
    // Declared before the sinks, so dropped after them: a sink flushes
    // what it holds before an empty new file is removed.
    let mut new_files = NewFiles::default();
    let kept_file = output.map(|p| new_files.open(p)).transpose()?;
    let dropped_file = dropped_path.map(|p| new_files.open(p)).transpose()?;
    let mut store = match &args.index {
        Some(path) => Store::open_or_create(path, opts.store_params())?,
        None => Store::in_memory(opts.store_params())?,
    };
    let resume = match args.index {
        Some(_) => filter::resume_point(&store, &input)?,
        None => None,
    };
    if let Some(cp) = &resume {
        if !args.quiet {
            diag!(
                "copydesk: resuming the interrupted run after line {} of its input",
                cp.input_lines
            );
        }
        if output.is_none() && !args.quiet {
            diag!(
                "copydesk: note: kept lines the interrupted run wrote to standard output after \
                 its last checkpoint are written again; use -o FILE for exactly-once output"
            );
        }
        if dropped_to_stdout && !args.quiet {
            diag!(
                "copydesk: note: dropped-log lines the interrupted run wrote to standard output \
                 after its last checkpoint are written again; use --dropped FILE for \
                 exactly-once output"
            );
        }
    }
    let mut kept: Box<dyn Sink> = match (kept_file, output) {
        (Some(file), Some(p)) => Box::new(sink(file, p, resume.as_ref().map(|c| c.kept_bytes))?),
        _ => Box::new(StreamSink::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout().lock(),
        ))),
    };
    let mut dropped: Option<Box<dyn Sink>> = match (dropped_file, dropped_path) {
        (Some(file), Some(p)) => Some(Box::new(sink(
            file,
            p,
            resume.as_ref().map(|c| c.dropped_bytes),
        )?)),
        _ if dropped_to_stdout => Some(Box::new(StreamSink::new(
            std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock()),
        ))),
        _ => None,
    };
    let bar = LineCounter::new(args.quiet);
    let summary = filter::run(
        &mut store,
        &mut input,
        kept.as_mut(),
        dropped.as_mut().map(|d| d.as_mut() as &mut dyn Sink),
        &opts,
        resume.as_ref(),
        &mut |p| {
            if let Some(b) = &bar {
                b.set(p.lines, p.kept);
            }
        },
    );
    if let Some(b) = &bar {
        b.finish();
    }
    let summary = summary?;
    new_files.keep();
    if !args.quiet {
        let dropped: u64 = summary.dropped.values().sum();
        let reasons = counted(&summary.dropped);
        // Kept lines that resembled a kept page only through a shared
        // template: kept, and noted in the dropped log.
        let noted = counted(&summary.noted);
        let noted = if noted.is_empty() {
            String::new()
        } else {
            format!(" ({} noted in the dropped log)", noted.join(", "))
        };
        let secs = summary.seconds.max(1e-9);
        diag!(
            "copydesk: read {}, kept {}{}, dropped {}{}{} in {:.2}s ({:.0} docs/s, {:.1} MB/s); index holds {}, {:.1} MB of buckets and sketches in RAM ({:.0} bytes a document)",
            count(summary.lines, "line"),
            thousands(summary.kept),
            noted,
            thousands(dropped),
            if reasons.is_empty() { "" } else { " (" },
            if reasons.is_empty() { String::new() } else { reasons.join(", ") + ")" },
            summary.seconds,
            summary.lines as f64 / secs,
            summary.bytes as f64 / secs / 1e6,
            count(summary.index_docs, "document"),
            summary.index_ram_bytes as f64 / 1e6,
            summary.index_ram_bytes as f64 / summary.index_docs.max(1) as f64,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `"N reason"` for each reason counted.
fn counted(counts: &std::collections::BTreeMap<&'static str, u64>) -> Vec<String> {
    counts.iter().map(|(r, n)| format!("{n} {r}")).collect()
}
