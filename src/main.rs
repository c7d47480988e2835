//! The `copydesk` binary: parse arguments, run, turn errors into one line
//! on stderr and an exit code. All logic lives in the library.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

/// mimalloc's `mi_option_purge_delay` (its v3 `mi_option_e`, which the
/// bundled libmimalloc-sys builds; the crate names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory stays with the process for reuse instead of going back
    // to the kernel a second after: the filter frees a batch's buffers and
    // allocates the next one's all the time, and each page given back came
    // again as a page fault and a page zeroed by the kernel. On 100,000
    // lines that was 30,000-60,000 faults and a fifth of the system time
    // (450 faults after); peak RSS rises by about a tenth.
    // SAFETY: mi_option_set only stores an integer in mimalloc's option
    // table (an atomic write), valid at any time; -1 is the documented
    // "never purge" value of this option.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // A file name may hold control characters: the error line must
            // neither drive the terminal nor spill onto a second line.
            let line = error_line(&err);
            cli::diag!("copydesk: {}", copydesk::render::sanitize::escape(&line));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}

/// The error as one line, `context: cause: root cause`, each part once.
/// An error whose message already ends with its `source()`'s (copydesk's
/// `Error::Io`, walkdir's and redb's I/O errors show the cause they also
/// return as their source) would otherwise print the cause twice, as
/// anyhow's `{:#}` does: `x: Is a directory (os error 21): Is a directory
/// (os error 21)`.
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_line_names_path_and_cause_once() {
        let io = || std::io::Error::from_raw_os_error(13);
        let err = anyhow::Error::from(copydesk::Error::Io {
            path: "noperm.txt".into(),
            source: io(),
        });
        assert_eq!(
            error_line(&err),
            format!("noperm.txt: {}", io()),
            "the cause once"
        );
        let err = anyhow::Error::from(io()).context("out.html: cannot write output");
        assert_eq!(
            error_line(&err),
            format!("out.html: cannot write output: {}", io())
        );
    }

    #[test]
    fn the_purge_delay_option_number_is_mimallocs() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // mimalloc v3's default purge delay is 1,000 ms, and no other
        // option defaults to 1,000: a library whose option numbers moved
        // fails here instead of having another option set to -1.
        // SAFETY: mi_option_get only reads mimalloc's option table.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            1000
        );
    }
}
