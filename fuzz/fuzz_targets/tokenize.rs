//! The normaliser and tokeniser on arbitrary bytes.
//!
//! The bytes are decoded as a file is (`Document::from_bytes`: UTF-8, else
//! Windows-1252), then tokenised every way the crate tokenises. Asserts:
//! no panic; every span inside the text, on char boundaries, ascending and
//! non-overlapping, and mapping back inside the original bytes; the
//! reference tokeniser (`for_each_token`), the hashing scanner
//! (`TokenHasher`), `Tokens` and the `Analysis` every command builds agree
//! on the tokens; line breaks flattened into spaces change no hash.
#![no_main]

use std::path::Path;

use copydesk::analysis::Analysis;
use copydesk::tokenize::{folded_word_hash, for_each_token, TokenHasher};
use copydesk::{Document, Span, Tokens};
use libfuzzer_sys::fuzz_target;

/// The default shingle size, and a short one that makes more shingles of
/// short inputs.
const SHINGLE_SIZES: [usize; 2] = [5, 2];

fuzz_target!(|data: &[u8]| {
    let doc = match Document::from_bytes("fuzz", data, Path::new("fuzz")) {
        Ok(doc) => doc,
        Err(_) => {
            // Only a NUL byte is refused; the text around it still tokenises.
            assert!(data.contains(&0), "only binary input is refused");
            String::from_utf8_lossy(data).split('\0').for_each(check);
            return;
        }
    };
    check(&doc.text);
    let mut last = 0;
    for_each_token(&doc.text, |span, _| {
        let orig = doc.original_span(span);
        assert!(orig.start < orig.end && orig.end <= data.len(), "{orig:?}");
        assert!(orig.start >= last, "original spans ascend");
        last = orig.end;
    });
});

fn check(text: &str) {
    // The definition.
    let mut reference: Vec<(Span, u64)> = Vec::new();
    for_each_token(text, |span, norm| {
        assert!(!norm.is_empty(), "a token has a folded form");
        reference.push((span, folded_word_hash(norm.as_bytes())));
    });
    let mut prev_end = 0;
    for &(span, _) in &reference {
        assert!(span.start < span.end, "empty token {span:?}");
        assert!(span.end <= text.len(), "{span:?} past {}", text.len());
        assert!(
            span.start >= prev_end,
            "tokens overlap or go back: {span:?}"
        );
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        prev_end = span.end;
    }

    // The scanner every command uses, with and without spans.
    let mut hasher = TokenHasher::new();
    let (mut hashes, mut spans) = (Vec::new(), Vec::new());
    hasher.hash_tokens_spans(text, &mut hashes, &mut spans);
    let scanned: Vec<(Span, u64)> = spans.iter().copied().zip(hashes.iter().copied()).collect();
    assert_eq!(hashes.len(), spans.len());
    assert_eq!(
        scanned, reference,
        "TokenHasher differs from for_each_token"
    );
    let mut only = Vec::new();
    hasher.hash_tokens(text, &mut only);
    assert_eq!(only, hashes, "hash_tokens differs from hash_tokens_spans");

    // The JSON reader hashes a string's content in place when its escapes
    // are all one-character separators.
    let quoted = serde_json::to_string(text).expect("a str serialises");
    let raw = &quoted[1..quoted.len() - 1];
    if !raw.contains("\\\\") && !raw.contains("\\u") {
        let mut json = Vec::new();
        hasher.hash_tokens_json(raw, &mut json);
        assert_eq!(json, hashes, "hash_tokens_json differs on {raw:?}");
    }

    // Tokens (compare, diff) and their folded forms.
    let tokens = Tokens::new(text);
    assert_eq!(tokens.len(), reference.len());
    for (pos, t) in tokens.as_slice().iter().enumerate() {
        assert_eq!((t.span, t.hash), reference[pos]);
        assert_eq!(folded_word_hash(tokens.norm(pos).as_bytes()), t.hash);
    }

    // The analysis every command judges by, and line breaks: a page
    // flattened to one line has the same tokens at the same offsets (each
    // break byte becomes one space) and the same analysis.
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut flat_hashes = Vec::new();
    hasher.hash_tokens(&flat, &mut flat_hashes);
    assert_eq!(
        flat_hashes, hashes,
        "flattening line breaks changed the hashes"
    );
    for k in SHINGLE_SIZES {
        let a = Analysis::new(text, k);
        assert_eq!(a.tokens, hashes.len(), "Analysis counts other tokens");
        let f = Analysis::new(&flat, k);
        assert_eq!(
            (a.exact, &a.shingles, &a.segs, &a.seg_start),
            (f.exact, &f.shingles, &f.segs, &f.seg_start),
            "flattening line breaks changed the analysis"
        );
        assert_eq!(a.furniture, f.furniture, "flattening changed the furniture");
        let mut end = 0;
        for (r, _) in &a.furniture {
            assert!(r.start >= end && r.start < r.end && r.end as usize <= a.tokens);
            end = r.end;
        }
    }
}
