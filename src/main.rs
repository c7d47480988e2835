//! The `copydesk` binary: parse arguments, run, turn errors into one line
//! on stderr and an exit code. All logic lives in the library.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("copydesk: {err:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
