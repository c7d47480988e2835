//! Command-line interface: clap definitions and one `run` per subcommand.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod compare;
mod report;

/// Exit status for any error (bad input, unreadable file, bad flag).
pub const EXIT_ERROR: u8 = 2;

/// Find who copied what: shared passages, word-level differences and
/// near-duplicates across news articles.
#[derive(Debug, Parser)]
#[command(name = "copydesk", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare two documents: shared passages, word diff, unique material, scores.
    Compare(compare::CompareArgs),
    /// Map a corpus: near-duplicate clusters, shared passages, unique material, boilerplate.
    Report(Box<report::ReportArgs>),
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
    }
}

/// True when the error chain ends in a broken pipe (output piped to `head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
