//! Command-line interface: clap definitions and one `run` per subcommand.
//!
//! Everything that depends on the environment (colour, terminal width,
//! where output goes) is resolved here once and handed to the library and
//! renderers as plain values.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

/// `diag!("...")`: one line on standard error, as `eprintln!` but never a
/// panic (see [`write_diagnostic`]). Defined before the subcommand modules
/// so they see it; `main` reaches it as `cli::diag!`.
macro_rules! diag {
    ($($arg:tt)*) => {
        $crate::cli::write_diagnostic(format_args!($($arg)*))
    };
}
pub(crate) use diag;

mod compare;
mod docs;
mod filter;
mod index;
mod limits;
mod progress;
mod report;

/// Exit status for any error (bad input, unreadable file, bad flag).
pub const EXIT_ERROR: u8 = 2;

/// Find who copied what: shared passages, word-level differences and
/// near-duplicates across news articles.
#[derive(Debug, Parser)]
#[command(name = "copydesk", version = version(), about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare two documents: shared passages, word diff, unique material, scores.
    #[command(after_help = compare::EXAMPLES)]
    Compare(compare::CompareArgs),
    /// Map a corpus: near-duplicate clusters, shared passages, unique material, boilerplate.
    #[command(after_help = report::AFTER_HELP)]
    Report(Box<report::ReportArgs>),
    /// Drop duplicate copies from a JSON Lines stream; keep the first copy.
    #[command(after_help = filter::EXAMPLES)]
    Filter(filter::FilterArgs),
    /// Look into, edit or verify a filter index: stats, query, remove, check.
    #[command(after_help = index::EXAMPLES)]
    Index(index::IndexArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = docs::COMPLETIONS_EXAMPLES)]
    Completions(docs::CompletionsArgs),
    /// Print the manual page, or write one page per command into a folder.
    #[command(after_help = docs::MAN_EXAMPLES)]
    Man(docs::ManArgs),
}

/// `--version`: the release and the index format it reads and writes (two
/// releases of one version number may write different index formats).
fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (index format {})",
            env!("CARGO_PKG_VERSION"),
            copydesk::index::store::FORMAT_VERSION
        )
    })
}

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    match cli.command {
        Command::Compare(args) => compare::run(args),
        Command::Report(args) => report::run(*args),
        Command::Filter(args) => filter::run(args),
        Command::Index(args) => index::run(args),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
    }
}

/// Writes one diagnostic line (a note, a summary, the final error) to
/// standard error. Best effort, as in ripgrep: when standard error cannot
/// be written (its reader has exited, `2>&1 | head`; a full disk) the line
/// is dropped and the command goes on with its own exit status, where
/// `eprintln!` would panic and exit with 101. (A closed descriptor,
/// `2>&-`, is reopened on /dev/null by Rust's runtime before `main`.)
pub fn write_diagnostic(line: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(line).and_then(|()| err.write_all(b"\n"));
}

/// True when the error chain ends in a broken pipe (output piped to `head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `--color`: when to write ANSI colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is set
    /// (CLICOLOR_FORCE forces it on).
    #[default]
    Auto,
    /// Always colour, even into a pipe or file.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves the choice against the environment: the flag wins; under
    /// `auto`, a non-empty NO_COLOR turns colour off, then a CLICOLOR_FORCE
    /// other than `0` turns it on, else colour goes to a terminal whose
    /// TERM is not `dumb`.
    pub fn resolve(self, output_is_terminal: bool) -> bool {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if var("NO_COLOR").is_some() {
                    false
                } else if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    true
                } else {
                    output_is_terminal && var("TERM").is_none_or(|t| t != "dumb")
                }
            }
        }
    }
}

/// Where a command writes its result: standard output or `-o FILE`.
pub struct Output {
    writer: BufWriter<Box<dyn Write>>,
    path: Option<PathBuf>,
    is_terminal: bool,
}

/// The file an `-o/--output` names: `None` for standard output, which is
/// what no `-o` and `-o -` both mean.
pub fn output_file(path: Option<&Path>) -> Option<&Path> {
    path.filter(|p| p.as_os_str() != "-")
}

impl Output {
    /// Opens `path` for writing (created or truncated), or standard output
    /// (no path, or `-`).
    pub fn open(path: Option<&Path>) -> anyhow::Result<Output> {
        let path = output_file(path);
        let (writer, is_terminal): (Box<dyn Write>, bool) = match path {
            Some(p) => {
                let file = File::create(p)
                    .with_context(|| format!("{}: cannot write output", p.display()))?;
                (Box::new(file), false)
            }
            None => {
                let stdout = io::stdout();
                let tty = stdout.is_terminal();
                (Box::new(stdout), tty)
            }
        };
        Ok(Output {
            writer: BufWriter::with_capacity(64 * 1024, writer),
            path: path.map(Path::to_path_buf),
            is_terminal,
        })
    }

    /// True when the output is an interactive terminal.
    pub fn is_terminal(&self) -> bool {
        self.is_terminal
    }

    /// Columns of the terminal when the output is one.
    pub fn terminal_width(&self) -> Option<usize> {
        if !self.is_terminal {
            return None;
        }
        terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
    }

    /// Runs `f` on the writer and flushes, naming the output file in errors.
    pub fn write_with(
        mut self,
        f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        let result = f(&mut self.writer).and_then(|()| self.writer.flush());
        match (&self.path, result) {
            (_, Ok(())) => Ok(()),
            (Some(p), Err(e)) => {
                Err(e).with_context(|| format!("{}: cannot write output", p.display()))
            }
            (None, Err(e)) => Err(e).context("standard output"),
        }
    }
}
