//! Evaluates copydesk on the Clough & Stevenson corpus of plagiarised short
//! answers: every answer is compared with its task's original through the
//! public API (`Document::read` + `compare_texts`), scored with
//! [`Comparison::reuse_a`] (the share of the answer's words found in the
//! original: words in the equal runs of verbatim and edited passages count
//! 1, words of paraphrase passages half their passage's score), and the
//! scores are measured against the corpus labels.
//!
//! ```sh
//! cargo run --release --example clough_stevenson -- ../shared/data/clough-stevenson
//! ```
//!
//! Prints ROC AUC (non against reused: heavy, light, cut), Spearman's rho
//! against the reuse level (non 0 < heavy 1 < light 2 < cut 3), and 4-class
//! accuracy where each answer is classified by three cut points chosen on
//! the other 94 answers (leave one out). `--scores` also prints each
//! answer's score.

#[path = "clough_stevenson/eval.rs"]
mod eval;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use eval::{metrics, score_corpus, LEVELS};

fn main() -> ExitCode {
    let mut dir = PathBuf::from("../shared/data/clough-stevenson");
    let mut show_scores = false;
    for arg in std::env::args().skip(1) {
        if arg == "--scores" {
            show_scores = true;
        } else {
            dir = PathBuf::from(arg);
        }
    }
    match run(&dir, show_scores) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("clough_stevenson: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &Path, show_scores: bool) -> Result<(), String> {
    let scored = score_corpus(dir)?;
    if show_scores {
        for s in &scored {
            println!(
                "{:<16} {:<6} score {:.3}  3-shingle containment {:.3}",
                s.file, LEVELS[s.level], s.score, s.shingle_containment
            );
        }
    }
    let m = metrics(&scored);
    println!(
        "answers scored:     {} (all read without error)",
        scored.len()
    );
    println!("ROC AUC non/reused: {:.3}", m.auc);
    println!("Spearman rho:       {:.3}", m.rho);
    println!("4-class LOO acc.:   {:.3}", m.accuracy);
    Ok(())
}
