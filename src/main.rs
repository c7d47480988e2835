//! The `copydesk` binary: parse arguments, run, turn errors into one line
//! on stderr and an exit code. All logic lives in the library.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // A file name may hold control characters: the error line must
            // neither drive the terminal nor spill onto a second line.
            let line = format!("{err:#}");
            eprintln!("copydesk: {}", copydesk::render::sanitize::escape(&line));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
