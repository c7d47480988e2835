//! Boilerplate across a corpus, for the report: each source's blocks and
//! the documents that carry them.

use std::collections::HashMap;
use std::ops::Range;

use super::BoilerplateReason;
use crate::shingle::run_hash;
use crate::span::Span;

// ---------------------------------------------------------------------------
// Reporting

/// A run of boilerplate tokens in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoilerplateRun {
    /// Token range, end-exclusive.
    pub tokens: Range<usize>,
    /// Byte span in the document's text.
    pub span: Span,
    /// Which detector found it.
    pub reason: BoilerplateReason,
}

/// A distinct block of boilerplate of one source, reported once.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateBlock {
    /// Index of the first document holding the block, whose text shows it.
    pub doc: usize,
    /// Byte span of the block in that document.
    pub span: Span,
    /// Words in the block.
    pub words: usize,
    /// Documents holding this exact block (same folded words), ascending.
    pub docs: Vec<usize>,
    /// Times the block occurs in all those documents together.
    pub occurrences: usize,
    /// Which detector found it.
    pub reason: BoilerplateReason,
}

/// The boilerplate of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceBoilerplate {
    /// The source's name.
    pub source: String,
    /// Documents of the source in the corpus.
    pub docs: usize,
    /// Words of boilerplate over all the source's documents.
    pub words: usize,
    /// Distinct blocks, most widespread first.
    pub blocks: Vec<BoilerplateBlock>,
}

/// The boilerplate of a corpus, per document and per source.
#[derive(Debug, Clone, Default)]
pub struct CorpusBoilerplate {
    /// Per document (in input order): boilerplate runs, sorted, disjoint.
    pub docs: Vec<Vec<BoilerplateRun>>,
    /// Per source (sorted by name): its blocks, each reported once.
    pub sources: Vec<SourceBoilerplate>,
}

impl CorpusBoilerplate {
    /// Per token of document `doc`: true when it is boilerplate.
    pub fn mask(&self, doc: usize, len: usize) -> Vec<bool> {
        let mut m = vec![false; len];
        for r in &self.docs[doc] {
            m[r.tokens.clone()].iter_mut().for_each(|x| *x = true);
        }
        m
    }

    /// Boilerplate words of document `doc`.
    pub fn words(&self, doc: usize) -> usize {
        self.docs[doc].iter().map(|r| r.tokens.len()).sum()
    }

    /// Groups each document's runs (`docs`, in input order, with the
    /// documents' source keys `sources` and token hashes `hashes`) into
    /// distinct blocks per source.
    pub fn group(
        docs: Vec<Vec<BoilerplateRun>>,
        sources: &[String],
        hashes: &[Vec<u64>],
    ) -> CorpusBoilerplate {
        let mut by_source: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in sources.iter().enumerate() {
            by_source.entry(s.as_str()).or_default().push(i);
        }
        let mut names: Vec<&str> = by_source.keys().copied().collect();
        names.sort_unstable();
        let sources = names
            .into_iter()
            .map(|name| source_blocks(name, &by_source[name], &docs, hashes))
            .collect();
        CorpusBoilerplate { docs, sources }
    }
}

/// Groups one source's boilerplate runs into distinct blocks.
fn source_blocks(
    name: &str,
    members: &[usize],
    runs: &[Vec<BoilerplateRun>],
    hashes: &[Vec<u64>],
) -> SourceBoilerplate {
    let mut blocks: Vec<BoilerplateBlock> = Vec::new();
    let mut index: HashMap<(u64, BoilerplateReason), usize> = HashMap::new();
    let mut words = 0;
    for &d in members {
        for r in &runs[d] {
            words += r.tokens.len();
            let key = (run_hash(&hashes[d][r.tokens.clone()]), r.reason);
            match index.get(&key) {
                Some(&b) => {
                    let block = &mut blocks[b];
                    block.occurrences += 1;
                    if block.docs.last() != Some(&d) {
                        block.docs.push(d);
                    }
                }
                None => {
                    index.insert(key, blocks.len());
                    blocks.push(BoilerplateBlock {
                        doc: d,
                        span: r.span,
                        words: r.tokens.len(),
                        docs: vec![d],
                        occurrences: 1,
                        reason: r.reason,
                    });
                }
            }
        }
    }
    // Most widespread first, then longest, then by first appearance.
    blocks.sort_by(|a, b| {
        (b.docs.len(), b.occurrences, b.words)
            .cmp(&(a.docs.len(), a.occurrences, a.words))
            .then((a.doc, a.span.start).cmp(&(b.doc, b.span.start)))
    });
    SourceBoilerplate {
        source: name.to_string(),
        docs: members.len(),
        words,
        blocks,
    }
}
