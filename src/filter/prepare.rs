//! Preparation: what a line needs before it is decided, done ahead of the
//! decisions. [`analyze`] parses and tokenises lines ([`Parsed`]: on the
//! feed's thread); [`sign`] makes each body's signature and bucket keys
//! under the boilerplate snapshot ([`Prepared`]: while the batch before is
//! decided), and [`resign_changed`] / [`Filter::resign_young`] sign again
//! what a refreshed snapshot changes.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::analysis::Analysis;
use crate::boilerplate::BoilerplateSnapshot;
use crate::error::{too_large_message, Result};
use crate::index::store::Store;
use crate::index::LshParams;
use crate::input::{parse_record, Document};
use crate::minhash::Signature;
use crate::shingle::ShingleSet;

use super::io::Line;
use super::state::is_young;
use super::{Filter, FilterOptions, LSH_ROWS};

/// Body shingles at the start of a document that make its *lead*
/// signature. A copy cut down to its first paragraph or two has a whole-text
/// Jaccard far below any threshold, but the same lead: 40 shingles is about
/// the first two sentences.
pub const LEAD_SHINGLES: usize = 40;

/// Bands of the lead signature (3 rows each, 24 MinHash values): a lead
/// kept with 10% word edits (lead Jaccard ~0.55) collides with probability
/// 0.77, an unedited one (~0.9) with 1.0, two leads sharing one sentence
/// (~0.3) with 0.2.
pub const LEAD_BANDS: usize = 8;
/// Seed that keeps lead keys apart from whole-body band keys.
const LEAD_SEED: u64 = 0x1ead;

/// The bucket keys of a body given by its `content` shingles in text order
/// (whole-body bands, then bands of the lead: the first
/// [`LEAD_SHINGLES`]) and its signature; nothing for an empty body.
pub(super) fn signature_keys(
    content: &[u64],
    lsh: LshParams,
    num_hashes: usize,
) -> (Vec<u64>, Vec<u32>) {
    if content.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let lead = &content[..content.len().min(LEAD_SHINGLES)];
    let sig = Signature::from_shingles(content, num_hashes);
    let mut keys: Vec<u64> = lsh.band_keys(&sig).collect();
    let lead_lsh = LshParams {
        bands: LEAD_BANDS,
        rows: LSH_ROWS,
    };
    let lead_sig = Signature::from_shingles(lead, lead_lsh.width());
    keys.extend(
        lead_lsh
            .band_keys(&lead_sig)
            .map(|key| xxh3_64_with_seed(&key.to_le_bytes(), LEAD_SEED)),
    );
    (keys, sig.0)
}

/// One parsed line of a batch.
pub(super) struct Prepared {
    pub(super) line: Line,
    pub(super) doc: std::result::Result<Document, String>,
    pub(super) analysis: Analysis,
    pub(super) keys: Vec<u64>,
    pub(super) exact_key: u64,
    /// Signature of the body under the snapshot model (empty without body).
    pub(super) sig: Vec<u32>,
    /// Shingles of that body (repeats counted).
    pub(super) body_len: u32,
    /// The boilerplate segments that body was made without (see
    /// [`Analysis::bad_segments`]; empty for a line that is no document).
    /// The body itself is made again only for a document with candidates
    /// to verify: sorting every document's set was a twelfth of the CPU
    /// time, and keeping its shingles a fresh 8 KB a document.
    pub(super) signed_bad: Vec<bool>,
    /// All its shingles, when a template check needed them.
    pub(super) full: OnceLock<ShingleSet>,
}

/// A line parsed and tokenised: everything that does not depend on the
/// index or the learned model, so it can run ahead of the decisions.
pub(super) struct Parsed {
    line: Line,
    doc: std::result::Result<Document, String>,
    analysis: Analysis,
}

/// Parses and tokenises lines in parallel.
pub(super) fn analyze(opts: &FilterOptions, lines: Vec<Line>) -> Vec<Parsed> {
    let k = opts.params.shingle_size;
    lines
        .into_par_iter()
        .map(|line| {
            let doc = if let Some(size) = line.too_long {
                Err(too_large_message(
                    true,
                    Some(size.content),
                    opts.max_doc_bytes,
                ))
            } else if line.is_blank() {
                Err(String::new())
            } else {
                parse_record(line.content(), line.line, &opts.fields)
            };
            let analysis = match &doc {
                Ok(d) if opts.boilerplate => Analysis::new(&d.text, k),
                Ok(d) => Analysis::without_furniture(&d.text, k),
                Err(_) => Analysis::default(),
            };
            Parsed {
                line,
                doc,
                analysis,
            }
        })
        .collect()
}

/// The bucket keys, signature and body size of `analysis` without the
/// boilerplate segments `bad`.
fn sign_body(
    analysis: &Analysis,
    bad: &[bool],
    opts: &FilterOptions,
    lsh: LshParams,
) -> (Vec<u64>, Vec<u32>, u32) {
    analysis.with_content(bad, opts.params.shingle_size, |content| {
        let (keys, sig) = signature_keys(content, lsh, opts.params.num_hashes);
        (keys, sig, content.len() as u32)
    })
}

/// Body shingles under `snapshot`, signatures and keys, in parallel.
pub(super) fn sign(
    snapshot: &BoilerplateSnapshot,
    opts: &FilterOptions,
    parsed: Vec<Parsed>,
    lsh: LshParams,
) -> Vec<Prepared> {
    parsed
        .into_par_iter()
        .map(|p| {
            let (keys, sig, body_len, signed_bad) = match &p.doc {
                Ok(d) => {
                    let bad = p.analysis.bad_segments(snapshot, d.source.as_deref());
                    let (keys, sig, body_len) = sign_body(&p.analysis, &bad, opts, lsh);
                    (keys, sig, body_len, bad)
                }
                Err(_) => (Vec::new(), Vec::new(), 0, Vec::new()),
            };
            Prepared {
                exact_key: Store::exact_key(p.analysis.exact),
                line: p.line,
                doc: p.doc,
                analysis: p.analysis,
                keys,
                sig,
                body_len,
                signed_bad,
                full: OnceLock::new(),
            }
        })
        .collect()
}

/// Signs again, in parallel, the documents of `batch` (signed under an
/// earlier snapshot) whose boilerplate segments under `snapshot` differ:
/// the others would get the same body, keys and signature. After a
/// refresh the next batch was signed on the critical path, a quarter of
/// all signing; most documents' segments do not change.
pub(super) fn resign_changed(
    snapshot: &BoilerplateSnapshot,
    opts: &FilterOptions,
    batch: &mut [Prepared],
    lsh: LshParams,
) {
    batch.par_iter_mut().for_each(|p| {
        let Ok(d) = &p.doc else {
            return;
        };
        let bad = p.analysis.bad_segments(snapshot, d.source.as_deref());
        if bad == p.signed_bad {
            return;
        }
        (p.keys, p.sig, p.body_len) = sign_body(&p.analysis, &bad, opts, lsh);
        p.signed_bad = bad;
    });
}

/// The next batch, prepared while the current one is decided: parsed
/// (the first batch), or signed under the snapshot it holds.
pub(super) enum Ahead {
    Parsed(Vec<Parsed>),
    Signed(Vec<Prepared>, Arc<BoilerplateSnapshot>),
}

impl Filter<'_> {
    /// Signs the young documents again with the refreshed snapshot; those
    /// whose source now has [`crate::boilerplate::YOUNG_SOURCE_DOCS`] pages in it are done.
    pub(super) fn resign_young(&mut self, store: &mut Store) -> Result<()> {
        if self.young.is_empty() {
            return Ok(());
        }
        let lsh = store.params().lsh;
        let mut still = Vec::new();
        for id in std::mem::take(&mut self.young) {
            let Some(doc) = store.doc(id)? else { continue };
            let text = store.text(&doc)?;
            let a = Analysis::new(&text, self.k);
            let source = doc.source.as_deref();
            let content = a.content(&*self.snapshot, source, self.k);
            let (keys, sig) = signature_keys(&content, lsh, self.opts.params.num_hashes);
            store.rekey(&doc, &keys, &sig, content.len() as u32)?;
            if is_young(&self.snapshot, source) {
                still.push(id);
            }
        }
        self.young = still;
        Ok(())
    }
}
