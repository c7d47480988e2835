//! `copydesk compare A B`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use copydesk::{Document, Encoding, Params, Tokens};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// First document (A).
    a: PathBuf,
    /// Second document (B).
    b: PathBuf,
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let a = read(&args.a)?;
    let b = read(&args.b)?;
    let params = Params::default();
    let (ta, tb) = (Tokens::new(&a.text), Tokens::new(&b.text));
    let c = copydesk::compare_tokens(&ta, &tb, &params);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    copydesk::render::json::write_compare(&mut out, &a, &b, (ta.len(), tb.len()), &c)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn read(path: &std::path::Path) -> anyhow::Result<Document> {
    let doc = Document::read(path)?;
    if doc.encoding() == Encoding::Windows1252 {
        eprintln!(
            "copydesk: note: {} is not valid UTF-8; read as Windows-1252",
            path.display()
        );
    }
    Ok(doc)
}
