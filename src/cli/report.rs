//! `copydesk report INPUT...`: the corpus-wide overlap map.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use copydesk::input::{read_jsonl, read_tree, DocumentSet, FileGlob, InputFailure, JsonlFields};
use copydesk::render::report_html::{write_report_html, HtmlOptions};
use copydesk::render::report_json::{write_pairs, write_report};
use copydesk::render::report_text::{write_pairs_text, write_report_text, TextOptions};
use copydesk::render::sanitize::escape;
use copydesk::render::SourceFields;
use copydesk::report::pairs::{pairs_from_jsonl, pairs_from_jsonl_file, PairsParams};
use copydesk::report::{build, KeepRule, NoProgress, Progress, ReportParams};
use copydesk::{Encoding, Params};

use super::limits::DocLimit;
use super::progress::StageBar;
use super::{ColorChoice, Output};

/// Shown after `copydesk report --help`: examples and the exit status.
pub const AFTER_HELP: &str = "\
Examples:
  copydesk report corpus/
      clusters, shared passages and what each source alone has
  copydesk report corpus/ -f html -o report.html
      one self-contained offline page: open it in any browser
  copydesk report --jsonl pages.jsonl -f json | jq '.clusters'
  copydesk report news/ --source-pattern '([^/]+)/[^/]+$' --keep sources=ap,reuters
      each file's source is its own folder; clusters keep AP's, else Reuters' copy
  copydesk report --jsonl crawl.jsonl --pairs-only -f json
      only the near-duplicate pairs and clusters: the fast path for large corpora

A file's source is its first folder under the folder given (or
--source-pattern); a JSON Lines record's is --source-field, else the host
of --url-field, else the host of a URL id. Offsets in the JSON output are
byte offsets into the original texts.

Exit status: 0 when the report was written; 2 on any error, and when an
input (a file, a JSON Lines line) could not be read: each is named on
stderr and no report is written. With --skip-bad the report covers the
inputs that could be read, lists the others, and the status is 0 (2 when
no document could be read at all).";

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Clusters, top shared passages, per-source unique share.
    Text,
    /// The full report (schema in README).
    Json,
    /// One self-contained offline page: heat map, clusters, passages side
    /// by side, each document coloured by who shares it.
    Html,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Folders (walked for --glob files; a file's source is its first folder
    /// under the folder given, or see --source-pattern), single files, or
    /// `-` for JSON Lines on stdin.
    inputs: Vec<PathBuf>,
    /// A JSON Lines file of documents (`-` for stdin); repeatable.
    #[arg(long, value_name = "FILE")]
    jsonl: Vec<PathBuf>,
    /// File-name pattern for folders (`*`, `?`, `[abc]`, `[!abc]`, `{a,b}`;
    /// with a `/`, matched against the path under the folder).
    #[arg(long, default_value = "*.txt", value_parser = FileGlob::new)]
    glob: FileGlob,
    /// JSON Lines field holding the id.
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSON Lines field holding the text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSON Lines field holding the source (else the host of --url-field,
    /// else the host of a URL id).
    #[arg(long, default_value = "source")]
    source_field: String,
    /// JSON Lines field holding the page's URL: its host is the source of
    /// a record with no --source-field.
    #[arg(long, default_value = "url", value_name = "NAME")]
    url_field: String,
    /// For files read from folders: the source is this regular
    /// expression's first capture group in the file's path as the report
    /// names it (or the whole match when it has no group) instead of the
    /// first folder; a file it does not match has no source.
    #[arg(long, value_name = "REGEX", value_parser = regex::Regex::new)]
    source_pattern: Option<regex::Regex>,
    /// JSON Lines field holding the date (for --keep earliest).
    #[arg(long, default_value = "date")]
    date_field: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Write the report to FILE instead of stdout (`-`: stdout).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Which copy each near-duplicate cluster keeps: earliest, longest,
    /// first, or sources=a,b,c (preferred sources, in order).
    #[arg(long, default_value = "earliest", value_parser = KeepRule::parse)]
    keep: KeepRule,
    /// Jaccard from which two documents are near-duplicates.
    #[arg(long, default_value_t = Params::default().near_duplicate_jaccard)]
    threshold: f64,
    /// Containment (share of the smaller found in the larger) from which two
    /// documents are near-duplicates.
    #[arg(long, default_value_t = Params::default().near_duplicate_containment)]
    containment: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = Params::default().shingle_size)]
    shingle: usize,
    /// MinHash values per signature.
    #[arg(long, default_value_t = Params::default().num_hashes)]
    hashes: usize,
    /// Keep boilerplate in (do not learn or strip it).
    #[arg(long)]
    no_boilerplate: bool,
    /// Most passages, pairs and clusters listed in text output.
    #[arg(long, default_value_t = 20)]
    max_items: usize,
    /// Only the pairs of documents with Jaccard at least --threshold, and
    /// their clusters: the fast path for large JSON Lines corpora (one
    /// --jsonl input; no passages, no boilerplate).
    #[arg(long)]
    pairs_only: bool,
    /// With --pairs-only: find pairs by an exact all-pairs join instead of
    /// LSH (slower; misses nothing).
    #[arg(long, requires = "pairs_only")]
    exact: bool,
    /// Colour diff marks in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Report on the inputs that could be read when some (files, JSON
    /// Lines lines) could not: they are listed in the report and on stderr,
    /// and the exit status is 0. Without it they are an error (exit 2).
    #[arg(long)]
    skip_bad: bool,
    #[command(flatten)]
    limit: DocLimit,
}

/// Corpora from this size on show a progress bar (on a terminal).
const PROGRESS_MIN_DOCS: usize = 2_000;

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let fields = JsonlFields {
        id: args.id_field.clone(),
        text: args.text_field.clone(),
        source: args.source_field.clone(),
        date: args.date_field.clone(),
        url: args.url_field.clone(),
    };
    if args.pairs_only {
        return run_pairs(&args, fields);
    }
    let set = read_inputs(&args, &fields)?;
    for d in &set.documents {
        if d.encoding() == Encoding::Windows1252 {
            diag!(
                "copydesk: note: {} is not valid UTF-8; read as Windows-1252",
                d.id
            );
        }
    }
    check_failures(&set.failures, set.documents.len(), args.skip_bad)?;

    let rp = ReportParams {
        params: Params {
            shingle_size: args.shingle,
            num_hashes: args.hashes,
            near_duplicate_jaccard: args.threshold,
            near_duplicate_containment: args.containment,
            ..Params::default()
        },
        keep: args.keep.clone(),
        strip_boilerplate: !args.no_boilerplate,
        ..ReportParams::default()
    };
    let bar = StageBar::new(set.documents.len() >= PROGRESS_MIN_DOCS);
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None => &NoProgress,
    };
    let report = build(&set.documents, &rp, progress);
    if let Some(b) = &bar {
        b.finish();
    }
    let mut report = report?;
    report.unreadable = set.failures;

    let output = Output::open(args.output.as_deref())?;
    let color = args.color.resolve(output.is_terminal());
    output.write_with(|mut out| match args.format {
        ReportFormat::Text => {
            let opt = TextOptions {
                color,
                max_items: args.max_items,
                source_fields: source_fields(&args),
                ..TextOptions::default()
            };
            write_report_text(&mut out, &report, &set.documents, &opt)
        }
        ReportFormat::Json => write_report(&mut out, &report, &set.documents, &rp),
        ReportFormat::Html => {
            let opt = HtmlOptions {
                source_fields: source_fields(&args),
                ..HtmlOptions::default()
            };
            write_report_html(&mut out, &report, &set.documents, &opt)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The one rule for inputs that could not be read (files, JSON Lines
/// lines), in the full report and `--pairs-only` alike: each is named on
/// stderr; then, without `--skip-bad`, the run fails (exit 2, no report
/// written). With it the report goes on and lists them, unless no document
/// was read at all.
fn check_failures(
    failures: &[InputFailure],
    documents: usize,
    skip_bad: bool,
) -> anyhow::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    for f in failures {
        diag!("copydesk: {}: {}", escape(&f.name), escape(&f.message));
    }
    let inputs = match failures.len() {
        1 => "1 input".to_string(),
        n => format!("{n} inputs"),
    };
    if documents == 0 {
        anyhow::bail!("nothing to report: no document could be read ({inputs} failed)");
    }
    if !skip_bad {
        anyhow::bail!(
            "{inputs} could not be read; no report written (--skip-bad reports on the others)"
        );
    }
    diag!("copydesk: {inputs} could not be read (skipped, listed in the report)");
    Ok(())
}

/// The field names the report's source summary mentions.
fn source_fields(args: &ReportArgs) -> SourceFields {
    SourceFields {
        source: args.source_field.clone(),
        url: args.url_field.clone(),
    }
}

/// `--pairs-only`: the whole JSON Lines input in memory, then the fast path.
fn run_pairs(args: &ReportArgs, fields: JsonlFields) -> anyhow::Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.jsonl.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.inputs.iter().map(PathBuf::as_path));
    let [path] = inputs[..] else {
        anyhow::bail!("--pairs-only reads exactly one JSON Lines input (--jsonl FILE or -)");
    };
    if args.format == ReportFormat::Html {
        anyhow::bail!("--pairs-only writes text or json");
    }
    let params = PairsParams {
        threshold: args.threshold,
        shingle_size: args.shingle,
        num_hashes: args.hashes,
        exact: args.exact,
        keep: args.keep.clone(),
        fields,
        max_doc_bytes: args.limit.max_doc_bytes,
        ..PairsParams::default()
    };
    let r = if path.as_os_str() == "-" {
        // Standard input cannot be read twice: hold it all.
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut data)
            .context("standard input")?;
        pairs_from_jsonl(&data, path, &params)?
    } else {
        let file = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        // A regular file is mapped: the pages the kernel already holds are
        // read in place instead of copied (0.1 s of kernel time on 300 MB).
        // Anything else (an empty file, a failed map, a pipe named by path)
        // goes to `pairs_from_jsonl_file`.
        let map = match file.metadata() {
            // SAFETY: the mapping is only read. Another process truncating
            // the file while it is read would raise SIGBUS (the trade
            // ripgrep makes for large files too); one rewriting it in place
            // can only give an inconsistent report of that file.
            Ok(m) if m.is_file() && m.len() > 0 => unsafe { memmap2::Mmap::map(&file) }.ok(),
            _ => None,
        };
        match &map {
            Some(map) => pairs_from_jsonl(map, path, &params)?,
            None => pairs_from_jsonl_file(&file, path, &params)?,
        }
    };
    check_failures(&r.failures, r.documents(), args.skip_bad)?;
    Output::open(args.output.as_deref())?.write_with(|mut out| match args.format {
        ReportFormat::Json => write_pairs(&mut out, &r, &params),
        ReportFormat::Html => unreachable!("refused before reading"),
        ReportFormat::Text => write_pairs_text(&mut out, &r, &params),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn read_inputs(args: &ReportArgs, fields: &JsonlFields) -> anyhow::Result<DocumentSet> {
    let mut set = DocumentSet::default();
    let max = args.limit.max_doc_bytes;
    let mut jsonl: Vec<&Path> = args.jsonl.iter().map(PathBuf::as_path).collect();
    for input in &args.inputs {
        if input.as_os_str() == "-" {
            jsonl.push(input);
        } else {
            set.extend(read_tree(
                input,
                &args.glob,
                args.source_pattern.as_ref(),
                max,
            )?);
        }
    }
    for path in jsonl {
        let part = if path.as_os_str() == "-" {
            read_jsonl(std::io::stdin().lock(), path, fields.clone(), max)?
        } else {
            let f = std::fs::File::open(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            read_jsonl(
                BufReader::with_capacity(1 << 20, f),
                path,
                fields.clone(),
                max,
            )?
        };
        set.extend(part);
    }
    if set.documents.is_empty() && set.failures.is_empty() {
        anyhow::bail!("no documents: give folders, files, --jsonl FILE or - (stdin)");
    }
    Ok(set)
}
