//! Step 7 of the check (see the module docs of [`check`](super)): every
//! text that lies inside the texts file is read back, on rayon's threads,
//! and must be UTF-8 and, when the [`Verifier`] can hash it, match the
//! exact-text hash its record holds.

use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::tables::DocInfo;
use super::{CheckReport, Verifier, MAX_PROBLEMS};
use crate::index::texts;

/// Documents whose texts one task reads and verifies.
const TEXTS_PER_TASK: usize = 1024;

/// Reads every text that lies inside the texts file, on rayon's threads,
/// and checks it is UTF-8 and has the hash its record holds.
pub(super) fn check_texts(
    file: &File,
    docs: &[DocInfo],
    limit: u64,
    verifier: &dyn Verifier,
    report: &mut CheckReport,
) {
    let hashed = AtomicBool::new(true);
    let found: Vec<Vec<String>> = docs
        .par_chunks(TEXTS_PER_TASK)
        .map(|chunk| {
            let mut problems = Vec::new();
            let mut buf = Vec::new();
            for d in chunk {
                let end = d.offset.saturating_add(u64::from(d.len));
                if end > limit {
                    continue; // said above
                }
                let name = format!("document {} ({})", d.doc, d.id);
                buf.resize(d.len as usize, 0);
                if let Err(e) = texts::read_exact_at(file, &mut buf, d.offset) {
                    problems.push(format!("{name}: its text cannot be read ({e})"));
                    continue;
                }
                let Ok(text) = std::str::from_utf8(&buf) else {
                    problems.push(format!(
                        "{name}: its text, bytes {}..{end} of the texts file, is not UTF-8: \
                         the texts file was changed",
                        d.offset
                    ));
                    continue;
                };
                match verifier.exact_hash(text) {
                    Some(h) if h != d.exact => problems.push(format!(
                        "{name}: its text, bytes {}..{end} of the texts file, does not match \
                         its stored hash: the texts file was changed",
                        d.offset
                    )),
                    Some(_) => {}
                    None => hashed.store(false, Ordering::Relaxed),
                }
                if problems.len() > MAX_PROBLEMS {
                    break;
                }
            }
            problems
        })
        .collect();
    report.texts_hashed = hashed.into_inner() && !docs.is_empty();
    for p in found.into_iter().flatten() {
        report.problem(p);
    }
}
