//! `copydesk compare A B`: read both files, compare, render in the chosen
//! format.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use copydesk::compare::Text;
use copydesk::render::terminal::{self, TerminalOptions};
use copydesk::render::{html, json, Pair};
use copydesk::{Document, Encoding, Params};

use super::limits::DocLimit;
use super::{ColorChoice, Output};

/// Shown after `copydesk compare --help`.
pub const EXAMPLES: &str = "\
Examples:
  copydesk compare a.txt b.txt
      passages, inline word diff and what each side alone has
  copydesk compare a.txt b.txt --format side-by-side --width 160
  copydesk compare a.txt b.txt --format html -o a-vs-b.html
      one self-contained page: open it in any browser
  copydesk compare a.txt b.txt --format json | jq '.passages[] | {kind, score}'
  curl -s https://example.com/story.txt | copydesk compare - b.txt
      `-` reads one side from standard input

Text is read as UTF-8 (a byte order mark is skipped); a file that is not
valid UTF-8 is read as Windows-1252, with a note on stderr. Every offset in
the JSON output is a byte offset into the original file. Exit status: 0 when
the comparison was written, 2 on any error.";

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Scores, then each shared passage with an inline word diff, then the
    /// material unique to each side.
    #[default]
    Text,
    /// The two wordings of each passage in two columns.
    SideBySide,
    /// Machine-readable: scores, passages and unique spans as byte offsets
    /// into the original files (schema in README).
    Json,
    /// One self-contained page with both texts, passages highlighted and
    /// linked.
    Html,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// First document (A): a text file, or `-` for standard input.
    a: PathBuf,
    /// Second document (B): a text file, or `-` for standard input.
    b: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t)]
    format: Format,
    /// When to colour `text` and `side-by-side` output.
    #[arg(long, value_enum, default_value_t, value_name = "WHEN")]
    color: ColorChoice,
    /// Write the result to FILE instead of standard output (`-`: standard
    /// output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Columns for `text` and `side-by-side`, at least 40 [default: the
    /// terminal's width, or 100 when not writing to a terminal].
    #[arg(short, long, value_name = "N")]
    width: Option<usize>,
    /// Words per shingle for the similarity scores (1-16).
    #[arg(long, value_name = "N", default_value_t = Params::default().shingle_size)]
    shingle: usize,
    /// Fewest words an exact shared run needs to count as a passage.
    #[arg(long, value_name = "N", default_value_t = Params::default().min_passage_words)]
    min_words: usize,
    #[command(flatten)]
    limit: DocLimit,
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let params = Params {
        shingle_size: args.shingle,
        min_passage_words: args.min_words,
        ..Params::default()
    };
    params.validate()?;
    if is_stdin(&args.a) && is_stdin(&args.b) {
        anyhow::bail!("standard input can be only one side: give `-` for A or for B");
    }
    let a = read(&args.a, args.limit.max_doc_bytes)?;
    let b = read(&args.b, args.limit.max_doc_bytes)?;
    let (xa, xb) = (Text::new(&a.text, &params), Text::new(&b.text, &params));
    let c = copydesk::compare_texts(&xa, &xb, &params);
    let (ta, tb) = (xa.tokens, xb.tokens);
    let pair = Pair::new(&a, &b, &ta, &tb, &c);

    // Inputs are read before the output is opened, so a bad input never
    // leaves an empty output file behind.
    let output = Output::open(args.output.as_deref())?;
    let opts = TerminalOptions {
        color: args.color.resolve(output.is_terminal()),
        width: args
            .width
            .or_else(|| output.terminal_width())
            .unwrap_or(terminal::DEFAULT_WIDTH),
    };
    output.write_with(|mut out| match args.format {
        Format::Text => terminal::write_text(&mut out, &pair, &opts),
        Format::SideBySide => terminal::write_side_by_side(&mut out, &pair, &opts),
        Format::Json => json::write_compare(&mut out, &a, &b, (ta.len(), tb.len()), &c),
        Format::Html => html::write_html(&mut out, &pair),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads one input file (`-`: standard input, whose id is `-`), telling the
/// user (one line) when it was not UTF-8.
fn read(path: &Path, max_doc_bytes: u64) -> anyhow::Result<Document> {
    let doc = if is_stdin(path) {
        Document::from_reader_with_limit("-", std::io::stdin().lock(), path, 0, max_doc_bytes)?
    } else {
        Document::read_with_limit(path, max_doc_bytes)?
    };
    if doc.encoding() == Encoding::Windows1252 {
        diag!(
            "copydesk: note: {}: not valid UTF-8, read as Windows-1252",
            copydesk::render::sanitize::escape(&path.display().to_string())
        );
    }
    Ok(doc)
}
