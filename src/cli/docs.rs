//! `copydesk completions SHELL` and `copydesk man`: the shell completion
//! scripts and manual pages, generated from the same clap definitions that
//! parse the command line (clap_complete, clap_mangen), so they never
//! drift from the flags.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Output};

/// `copydesk completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Examples shown under `copydesk completions --help`.
pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  copydesk completions bash > ~/.local/share/bash-completion/completions/copydesk
  copydesk completions zsh > ~/.zfunc/_copydesk      # with fpath+=(~/.zfunc) in ~/.zshrc
  copydesk completions fish > ~/.config/fish/completions/copydesk.fish
  copydesk completions powershell >> $PROFILE";

/// `copydesk man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (copydesk.1, copydesk-compare.1, ...)
    /// into this folder instead of printing copydesk(1).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Examples shown under `copydesk man --help`.
pub const MAN_EXAMPLES: &str = "\
Examples:
  copydesk man | man -l -
  copydesk man --dir ~/.local/share/man/man1 && man copydesk-report";

/// Prints the completion script for a shell to standard output.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "copydesk", &mut buf);
    Output::open(None)?.write_with(|w| w.write_all(&buf))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints copydesk(1), or writes every command's page into a folder.
pub fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    let cmd = Cli::command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("{}: cannot write manual pages", dir.display()))?;
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            Output::open(None)?.write_with(|w| w.write_all(&buf))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
