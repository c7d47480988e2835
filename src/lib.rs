//! copydesk finds who copied what.
//!
//! One pipeline serves every command:
//!
//! input → [`normalize`]/[`tokenize`] (byte spans into the original text,
//! one hash per folded word) → [`shingle`] (a rolling hash of `k` word
//! hashes, finalized) → [`minhash`] → [`index`] (LSH candidates) →
//! [`align`] (shared passages) → [`diff`] (word-level, via `similar`) →
//! [`compare`](mod@compare) → [`render`].
//!
//! ```
//! use copydesk::{compare, Params};
//! let a = "About 3,000 operations have been cancelled as a result of the action.";
//! let b = "Almost 3000 operations have been cancelled as a result of the strike.";
//! let c = compare(a, b, &Params::default());
//! assert!(c.similarity.jaccard > 0.3);
//! let p = &c.passages[0].passage;
//! assert_eq!(&a[p.a.start..p.a.end], "3,000 operations have been cancelled as a result of the");
//! ```
#![warn(missing_docs)]

pub mod align;
pub mod analysis;
pub mod boilerplate;
pub mod compare;
pub mod diff;
pub mod error;
pub mod filter;
pub mod index;
pub mod input;
pub mod judge;
pub mod minhash;
pub mod normalize;
pub mod params;
pub mod render;
pub mod report;
pub mod shingle;
pub mod span;
pub mod tokenize;
pub mod words;

pub use align::{Passage, PassageKind};
pub use compare::{compare, compare_texts, Comparison, SharedPassage, Similarity, Verdict};
pub use diff::{DiffOp, DiffTag};
pub use error::{Error, Result};
pub use input::{Document, Encoding};
pub use params::Params;
pub use span::Span;
pub use tokenize::{Token, Tokens};
