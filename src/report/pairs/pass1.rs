//! Pass 1: every record read once, in parallel, into its id and the
//! fields the keep rule needs; for LSH its text is tokenised in place,
//! shingled, signed (one-permutation MinHash) and made into band keys at
//! once, keeping only the keys and one byte of each signature value.
//!
//! [`Scratch`] is also how pass 2 reads a record again. Nothing is
//! allocated per document once a thread's scratch is warm.

use std::path::Path;

use rayon::prelude::*;

use super::lines::{read_in_chunks, split_lines};
use super::{io_error, Input, PairsParams};
use crate::error::{too_large_message, Error, Result};
use crate::index::LshParams;
use crate::input::{read_record, InputFailure, ParsedRecord, TextView};
use crate::minhash::sketch_iter;
use crate::shingle::{finalize, Shingles};
use crate::tokenize::TokenHasher;

/// Where one record sits in the input.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rec {
    pub(super) offset: u64,
    pub(super) len: u32,
    pub(super) line: u64,
}

/// What pass 1 gives for one chunk of complete lines (and, chunks
/// absorbed in order, for the whole input).
#[derive(Default)]
pub(super) struct Pass1 {
    pub(super) recs: Vec<Rec>,
    pub(super) metas: Vec<Meta>,
    /// The low byte of each signature value, `h` a document: enough for
    /// the prefilter's agreement count (b-bit minwise hashing: a byte only
    /// adds chance agreements, 1 in 256, so it never drops a pair the full
    /// values would keep).
    pub(super) low: Vec<u8>,
    /// The LSH band keys, `bands` a document.
    pub(super) keys: Vec<u64>,
}

impl Pass1 {
    /// Appends a later chunk's results.
    fn absorb(&mut self, p: Pass1) {
        if self.recs.is_empty() {
            *self = p;
        } else {
            self.recs.extend(p.recs);
            self.metas.extend(p.metas);
            self.low.extend(p.low);
            self.keys.extend(p.keys);
        }
    }
}

/// Pass 1 over the whole input: ids and (for LSH, when `lsh` is given)
/// signatures, made into band keys while they are at hand, chunk by
/// chunk, in parallel.
pub(super) fn read_all(
    input: &Input<'_>,
    path: &Path,
    params: &PairsParams,
    lsh: Option<LshParams>,
) -> Result<Pass1> {
    let mut all = Pass1::default();
    match input {
        Input::Bytes(data) => {
            // Bytes in memory (or mapped) need no chunks: one pass, so
            // the per-document results are allocated once, not copied.
            all.absorb(sign_chunk(data, 0, 1, params, lsh));
        }
        Input::File(file, chunk) => {
            let f = *file
                .lock()
                .map_err(|_| Error::InvalidParams("input lock poisoned".into()))?;
            read_in_chunks(
                f,
                *chunk,
                |chunk, base, line| sign_chunk(chunk, base, line, params, lsh),
                |p| all.absorb(p),
            )
            .map_err(|e| io_error(path, e))?;
        }
    }
    Ok(all)
}

/// Pass 1 over `chunk`, the complete lines from byte `base` and line
/// `first_line` of the input.
fn sign_chunk(
    chunk: &[u8],
    base: u64,
    first_line: u64,
    params: &PairsParams,
    lsh: Option<LshParams>,
) -> Pass1 {
    let k = params.shingle_size;
    let h = params.num_hashes;
    let sketch = lsh.is_some();
    let bands = lsh.map_or(0, |l| l.bands);
    let lines = split_lines(chunk);
    let docs = if sketch { lines.len() } else { 0 };
    let mut low = vec![0u8; docs * h];
    let mut keys = vec![0u64; docs * bands];
    let one = |s: &mut Scratch,
               out: Option<(&mut [u8], &mut [u64])>,
               &(start, end, line): &(usize, usize, u64)| {
        let meta = s.document(chunk, start, end, first_line + line - 1, params);
        if meta.ok {
            if let (Some((low, keys)), Some(lsh)) = (out, lsh) {
                s.sig.resize(h, 0);
                sketch_iter(Shingles::new(&s.tokens, k), &mut s.sig);
                let sig = &s.sig;
                for (l, &v) in low.iter_mut().zip(sig) {
                    *l = v as u8;
                }
                for (b, key) in keys.iter_mut().enumerate() {
                    *key = band_key(&sig[b * lsh.rows..(b + 1) * lsh.rows], b);
                }
            }
        }
        meta
    };
    let metas: Vec<Meta> = if sketch {
        low.par_chunks_mut(h)
            .zip(keys.par_chunks_mut(bands.max(1)))
            .zip(lines.par_iter())
            .map_init(Scratch::default, |s, ((low, keys), line)| {
                one(s, Some((low, keys)), line)
            })
            .collect()
    } else {
        lines
            .par_iter()
            .map_init(Scratch::default, |s, line| one(s, None, line))
            .collect()
    };
    let recs = lines
        .iter()
        .map(|&(start, end, line)| Rec {
            offset: base + start as u64,
            len: (end - start) as u32,
            line: first_line + line - 1,
        })
        .collect();
    Pass1 {
        recs,
        metas,
        low,
        keys,
    }
}

/// What pass 1 keeps of a record.
pub(super) struct Meta {
    id: String,
    source: Option<String>,
    date: Option<String>,
    words: u32,
    ok: bool,
    empty: bool,
    error: Option<String>,
}

/// Pass 1's records, field by field, indexed by document.
pub(super) struct Records {
    /// The report's ids (`line-N` for a line that is no usable record).
    pub(super) ids: Vec<String>,
    /// Lines that are not usable records.
    pub(super) failures: Vec<InputFailure>,
    /// Usable and not empty: takes part in candidates and verification.
    pub(super) ok: Vec<bool>,
    pub(super) sources: Vec<Option<String>>,
    pub(super) dates: Vec<Option<String>>,
    pub(super) words: Vec<u32>,
}

impl Records {
    /// Splits `metas` (one per record of `recs`) into fields; failures
    /// name `path` and the line.
    pub(super) fn from_metas(metas: Vec<Meta>, recs: &[Rec], path: &Path) -> Records {
        let n = recs.len();
        let mut ids = Vec::with_capacity(n);
        let mut failures = Vec::new();
        let mut ok = Vec::with_capacity(n);
        let mut sources = Vec::new();
        let mut dates = Vec::new();
        let mut words = Vec::new();
        for (i, m) in metas.into_iter().enumerate() {
            if let Some(msg) = m.error {
                failures.push(InputFailure {
                    name: format!("{}:{}", path.display(), recs[i].line),
                    message: msg,
                });
            }
            ok.push(m.ok && !m.empty);
            ids.push(m.id);
            sources.push(m.source);
            dates.push(m.date);
            words.push(m.words);
        }
        Records {
            ids,
            failures,
            ok,
            sources,
            dates,
            words,
        }
    }
}

/// Per-thread buffers: nothing is allocated per document once warm.
#[derive(Default)]
pub(super) struct Scratch {
    text: String,
    /// The token hashes of the last document read.
    pub(super) tokens: Vec<u64>,
    hasher: TokenHasher,
    /// One signature.
    sig: Vec<u32>,
}

impl Scratch {
    /// Reads record `line` (bytes `start..end`) and its token hashes into
    /// `self.tokens` (through `self.text` when the text must be decoded).
    pub(super) fn document(
        &mut self,
        data: &[u8],
        start: usize,
        end: usize,
        line: u64,
        params: &PairsParams,
    ) -> Meta {
        let raw = &data[start..end];
        self.text.clear();
        self.tokens.clear();
        let record = if raw.len() as u64 > params.max_doc_bytes {
            let size = Some(raw.len() as u64);
            Err(too_large_message(true, size, params.max_doc_bytes))
        } else {
            read_record(raw, line, &params.fields)
        };
        let (id, source, date) = match record {
            Ok(ParsedRecord::View(view)) => {
                // The text is read where it stands when it holds no
                // escape, or only simple ones the tokenizer reads in place
                // (the usual case: nothing is copied), else decoded.
                match view.text() {
                    TextView::Plain(text) => self.hasher.hash_tokens(text, &mut self.tokens),
                    TextView::SimpleEscapes(raw) => {
                        self.hasher.hash_tokens_json(raw, &mut self.tokens)
                    }
                    TextView::Escaped(_) => {
                        view.decode_text_into(&mut self.text);
                        self.hasher.hash_tokens(&self.text, &mut self.tokens);
                    }
                }
                (view.id(), view.source().0, view.date())
            }
            Ok(ParsedRecord::Owned(doc)) => {
                self.text = doc.text;
                self.hasher.hash_tokens(&self.text, &mut self.tokens);
                (doc.id, doc.source, doc.date)
            }
            Err(message) => {
                return Meta {
                    id: format!("line-{line}"),
                    source: None,
                    date: None,
                    words: 0,
                    ok: false,
                    empty: true,
                    error: Some(message),
                }
            }
        };
        Meta {
            id,
            source,
            date,
            words: self.tokens.len() as u32,
            ok: true,
            empty: self.tokens.is_empty(),
            error: None,
        }
    }
}

/// The key of band `b` of a signature: its values two to a word, each
/// word multiplied and rotated in after the band number, then finalized
/// (equal bands give equal keys; unequal ones collide with chance about
/// 2^-64, which only adds a candidate the exact check then drops).
fn band_key(band: &[u32], b: usize) -> u64 {
    const M: u64 = 0xFF51_AFD7_ED55_8CCD;
    let mut h = (b as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for two in band.chunks(2) {
        let v = u64::from(two[0]) | u64::from(*two.get(1).unwrap_or(&0)) << 32;
        h = (h ^ v).wrapping_mul(M).rotate_left(29);
    }
    finalize(h ^ band.len() as u64)
}
