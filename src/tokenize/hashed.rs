//! Token hashes without token strings: the corpus-scale path.
//!
//! [`TokenHasher::hash_tokens`] gives, for every token [`for_each_token`]
//! yields, [`folded_word_hash`] of its folded form, but it never builds
//! the folded form of a plain ASCII word (most words of most text): it
//! classifies 64 bytes at a time into bit masks (SSE2 on x86-64, a plain
//! loop elsewhere), finds each word's ends with bit scans instead of a
//! branch per byte, and hashes the word straight from the original bytes,
//! lowercasing inside the hash's loads (for ASCII letters and digits,
//! `byte | 0x20` is the folded byte). Anything else (a percent sign, a
//! non-ASCII character, an apostrophe or a digit group continuing a word)
//! goes through the same steps as [`for_each_token`], so the tokens are
//! the same; tests check the two agree on real books and on generated
//! tricky text.
//!
//! [`for_each_token`]: super::for_each_token

use super::{ascii_word_continues, special_step};
use crate::normalize::normalize_word;

/// Hash of one folded word: its length, then its bytes as little-endian
/// 8-byte chunks (the last one zero-padded), each XOR-ed in, multiplied
/// and rotated. No finalizer: these hashes feed shingle hashes that mix
/// every window again. For words of up to 8 bytes (most of them) the hash
/// is a bijection of the bytes given the length, so distinct words of such
/// lengths never collide.
pub fn folded_word_hash(w: &[u8]) -> u64 {
    hash_chunks(w, 0, w.len(), 0)
}

/// [`folded_word_hash`] of `bytes[start..start + len]` with `fold` OR-ed
/// into every byte: 0 for a folded word, `0x20` in every byte ([`FOLD`])
/// for a run of ASCII letters and digits, which that lowercases (digits
/// already have the bit). Chunks are read with one 8-byte load where the
/// text goes on that far, so a short word costs one load, one mask and
/// one multiply, with no branch on its length.
#[inline(always)]
fn hash_chunks(bytes: &[u8], start: usize, len: usize, fold: u64) -> u64 {
    const M: u64 = 0xFF51_AFD7_ED55_8CCD;
    let mix = |h: u64, v: u64| (h ^ v).wrapping_mul(M).rotate_left(29);
    let mut h = (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut at = start;
    let end = start + len;
    while end - at > 8 {
        h = mix(h, load8(bytes, at, 8) | fold);
        at += 8;
    }
    let rest = end - at;
    let mask = if rest == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * rest)) - 1
    };
    mix(h, (load8(bytes, at, rest) | fold) & mask)
}

/// Little-endian value of up to 8 bytes at `at` (`n` of them are wanted;
/// any bytes after them are garbage the caller masks off).
#[inline(always)]
fn load8(bytes: &[u8], at: usize, n: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(b) => u64::from_le_bytes(b.try_into().expect("8 bytes")),
        None => {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&bytes[at..at + n]);
            u64::from_le_bytes(b)
        }
    }
}

/// Reusable buffers of [`TokenHasher::hash_tokens`]: nothing is allocated
/// per text once warm.
#[derive(Debug, Default, Clone)]
pub struct TokenHasher {
    /// Bit per byte: an ASCII letter or digit.
    alnum: Vec<u64>,
    /// Bit per byte: where a token may start (the first byte of a run of
    /// ASCII letters and digits, `%`, any non-ASCII byte).
    events: Vec<u64>,
    /// Bit per byte: a byte after which an ASCII run may go on as one
    /// word (non-ASCII, an apostrophe, a backslash, or a full stop or
    /// comma between digits). A superset: [`ascii_word_continues`] decides.
    cont: Vec<u64>,
    /// Bit per byte: an ASCII digit (for `cont`).
    digit: Vec<u64>,
    /// Bit per byte: a full stop or comma (for `cont`).
    point: Vec<u64>,
    /// The folded form of a word that needs [`normalize_word`].
    buf: String,
}

impl TokenHasher {
    /// A hasher with empty buffers.
    pub fn new() -> TokenHasher {
        TokenHasher::default()
    }

    /// Appends [`folded_word_hash`] of every token of `text` (the tokens
    /// of [`super::for_each_token`], `per cent` joined into `percent`
    /// included) to `out`.
    pub fn hash_tokens(&mut self, text: &str, out: &mut Vec<u64>) {
        let bytes = text.as_bytes();
        let n = bytes.len();
        self.classify(bytes);
        let mut emit = Emitter::new(text, out);
        let buf = &mut self.buf;
        // Bytes before `i` are done: an event there lies inside a word or
        // character already read. Events are popped from their masks, so
        // finding the next one does not wait for the last word's end.
        let mut i = 0;
        for (w, &events) in self.events.iter().enumerate() {
            let mut m = events;
            while m != 0 {
                let s = w * 64 + m.trailing_zeros() as usize;
                m &= m - 1;
                if s < i {
                    continue;
                }
                if !bit(&self.alnum, s) {
                    i = special_step(text, s, buf, &mut |s, e, norm: &str| {
                        emit.token(s, e, norm.len(), folded_word_hash(norm.as_bytes()));
                    });
                    continue;
                }
                let j = next_clear(&self.alnum, s).min(n);
                if bit(&self.cont, j) {
                    if let Some(end) = ascii_word_continues(text, s, j) {
                        buf.clear();
                        normalize_word(&text[s..end], buf);
                        emit.token(s, end, buf.len(), folded_word_hash(buf.as_bytes()));
                        i = end;
                        continue;
                    }
                }
                emit.token(s, j, j - s, hash_chunks(bytes, s, j - s, FOLD));
                i = j;
            }
        }
        emit.finish();
    }

    /// Fills the masks of `bytes`, 64 bytes to a word (bits past the end
    /// are clear).
    fn classify(&mut self, bytes: &[u8]) {
        let words = bytes.len().div_ceil(64);
        for v in [
            &mut self.alnum,
            &mut self.events,
            &mut self.cont,
            &mut self.digit,
            &mut self.point,
        ] {
            v.clear();
            v.reserve(words);
        }
        let mut push = |c: Classes| {
            self.alnum.push(c.alnum);
            self.events.push(c.special);
            self.cont.push(c.other);
            self.digit.push(c.digit);
            self.point.push(c.point);
        };
        let mut chunks = bytes.chunks_exact(64);
        for c in &mut chunks {
            push(classify64(c.try_into().expect("64-byte chunk")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Zero bytes are in no class.
            let mut pad = [0u8; 64];
            pad[..rest.len()].copy_from_slice(rest);
            push(classify64(&pad));
        }
        for w in 0..words {
            // Runs of letters and digits start where the byte before is
            // not one.
            let a = self.alnum[w];
            let before = a << 1 | if w > 0 { self.alnum[w - 1] >> 63 } else { 0 };
            self.events[w] |= a & !before;
            // A full stop or comma continues a word only between digits.
            let d = self.digit[w];
            let before = d << 1 | if w > 0 { self.digit[w - 1] >> 63 } else { 0 };
            let after = d >> 1 | self.digit.get(w + 1).map_or(0, |x| x << 63);
            self.cont[w] |= self.point[w] & before & after;
        }
    }
}

/// Bit of `bits` at `i` (clear past the end).
#[inline(always)]
fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// `0x20` in every byte: ORed into the loads of an ASCII letter-and-digit
/// run it lowercases the letters and leaves the digits.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// The `per` + `cent` rule of [`super::for_each_token`] over hashes.
struct Emitter<'a> {
    text: &'a str,
    out: &'a mut Vec<u64>,
    /// A `per` waiting to see whether `cent` follows: its byte range.
    pending_per: Option<(usize, usize)>,
    per: u64,
    cent: u64,
    percent: u64,
}

impl<'a> Emitter<'a> {
    fn new(text: &'a str, out: &'a mut Vec<u64>) -> Emitter<'a> {
        Emitter {
            text,
            out,
            pending_per: None,
            per: folded_word_hash(b"per"),
            cent: folded_word_hash(b"cent"),
            percent: folded_word_hash(b"percent"),
        }
    }

    /// One token: its byte range, folded length and hash. The hash is a
    /// bijection for words of 3 and 4 bytes, so `(length, hash)` names
    /// `per` and `cent` exactly.
    #[inline(always)]
    fn token(&mut self, start: usize, end: usize, len: usize, hash: u64) {
        if len == 0 {
            return;
        }
        if let Some((_, per_end)) = self.pending_per.take() {
            if len == 4
                && hash == self.cent
                && self.text[per_end..start].chars().all(char::is_whitespace)
            {
                self.out.push(self.percent);
                return;
            }
            self.out.push(self.per);
        }
        if len == 3 && hash == self.per {
            self.pending_per = Some((start, end));
        } else {
            self.out.push(hash);
        }
    }

    fn finish(self) {
        if self.pending_per.is_some() {
            self.out.push(self.per);
        }
    }
}

/// Index of the first clear bit at or after `from` (`bits.len() * 64`
/// when there is none).
#[inline]
fn next_clear(bits: &[u64], from: usize) -> usize {
    let mut w = from / 64;
    let Some(&first) = bits.get(w) else {
        return bits.len() * 64;
    };
    let mut m = !first & (!0u64 << (from % 64));
    while m == 0 {
        w += 1;
        match bits.get(w) {
            Some(&x) => m = !x,
            None => return bits.len() * 64,
        }
    }
    w * 64 + m.trailing_zeros() as usize
}

/// The classes of 64 bytes, a bit per byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Classes {
    /// ASCII letters and digits.
    alnum: u64,
    /// `%` and non-ASCII bytes.
    special: u64,
    /// ASCII digits.
    digit: u64,
    /// Full stops and commas.
    point: u64,
    /// Non-ASCII bytes, apostrophes, backticks and backslashes.
    other: u64,
}

/// The classes of 64 bytes.
#[cfg(target_arch = "x86_64")]
#[inline]
fn classify64(b: &[u8; 64]) -> Classes {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut c = Classes {
        alnum: 0,
        special: 0,
        digit: 0,
        point: 0,
        other: 0,
    };
    for k in 0..4 {
        // SAFETY: the 16 bytes read lie inside `b` (k < 4) and the load
        // has no alignment requirement; SSE2, the only feature these
        // intrinsics need, is part of every x86-64 CPU.
        let [alnum, special, digit, point, other] = unsafe {
            let x = _mm_loadu_si128(b.as_ptr().add(16 * k).cast::<__m128i>());
            let is = |v: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(v as i8));
            // Signed compares: bytes from 0x80 are negative, never in range.
            let digit = _mm_and_si128(
                _mm_cmpgt_epi8(x, _mm_set1_epi8((b'0' - 1) as i8)),
                _mm_cmplt_epi8(x, _mm_set1_epi8((b'9' + 1) as i8)),
            );
            let low = _mm_or_si128(x, _mm_set1_epi8(0x20));
            let letter = _mm_and_si128(
                _mm_cmpgt_epi8(low, _mm_set1_epi8((b'a' - 1) as i8)),
                _mm_cmplt_epi8(low, _mm_set1_epi8((b'z' + 1) as i8)),
            );
            let an = _mm_or_si128(digit, letter);
            // The movemask of `x` itself is its high bits: non-ASCII bytes.
            let high = _mm_movemask_epi8(x);
            [
                _mm_movemask_epi8(an),
                _mm_movemask_epi8(is(b'%')) | high,
                _mm_movemask_epi8(digit),
                _mm_movemask_epi8(_mm_or_si128(is(b'.'), is(b','))),
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is(b'\''), is(b'`')), is(b'\\')))
                    | high,
            ]
        };
        let at = |m: i32| u64::from(m as u16) << (16 * k);
        c.alnum |= at(alnum);
        c.special |= at(special);
        c.digit |= at(digit);
        c.point |= at(point);
        c.other |= at(other);
    }
    c
}

/// The classes of 64 bytes.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn classify64(b: &[u8; 64]) -> Classes {
    classify64_scalar(b)
}

/// The portable definition [`classify64`] must match.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify64_scalar(b: &[u8; 64]) -> Classes {
    let mut c = Classes {
        alnum: 0,
        special: 0,
        digit: 0,
        point: 0,
        other: 0,
    };
    for (i, &x) in b.iter().enumerate() {
        let a = x.is_ascii_alphanumeric();
        c.alnum |= u64::from(a) << i;
        c.special |= u64::from(x >= 0x80 || x == b'%') << i;
        c.digit |= u64::from(x.is_ascii_digit()) << i;
        c.point |= u64::from(x == b'.' || x == b',') << i;
        c.other |= u64::from(x >= 0x80 || matches!(x, b'\'' | b'`' | b'\\')) << i;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::for_each_token;

    /// What `hash_tokens` must give: the general tokenizer's folded forms,
    /// hashed.
    fn reference(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        for_each_token(text, |_, norm| out.push(folded_word_hash(norm.as_bytes())));
        out
    }

    fn assert_agrees(h: &mut TokenHasher, text: &str) {
        let mut got = Vec::new();
        h.hash_tokens(text, &mut got);
        assert_eq!(got, reference(text), "{text:?}");
    }

    #[test]
    fn word_hash_sees_every_byte_and_the_length() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..=20usize {
            let base: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
            assert!(seen.insert(folded_word_hash(&base)), "length {n}");
            for i in 0..n {
                let mut w = base.clone();
                w[i] = b'z';
                assert!(seen.insert(folded_word_hash(&w)), "length {n} byte {i}");
            }
        }
        assert_ne!(folded_word_hash(b"ab"), folded_word_hash(b"ab\0"));
    }

    #[test]
    fn loads_fold_ascii_case() {
        for w in [
            "a",
            "Ab",
            "NHS",
            "Jeremy",
            "ABCDEFGH",
            "Conservatives",
            "X9y8Z7w6V5u4",
        ] {
            assert_eq!(
                hash_chunks(w.as_bytes(), 0, w.len(), FOLD),
                folded_word_hash(w.to_ascii_lowercase().as_bytes()),
                "{w}"
            );
        }
    }

    #[test]
    fn masks_match_the_portable_definition() {
        let mut b = [0u8; 64];
        for start in (0..256).step_by(64) {
            for (i, x) in b.iter_mut().enumerate() {
                *x = (start + i) as u8;
            }
            assert_eq!(classify64(&b), classify64_scalar(&b), "bytes from {start}");
        }
    }

    #[test]
    fn agrees_with_the_tokenizer_on_tricky_text() {
        let mut h = TokenHasher::new();
        for t in [
            "",
            "   ",
            "a",
            "There\\'ll be 3,000 ops (13.5%); it's `x' don\u{2019}t O\u{2019}Neill caf\u{e9}s",
            "1,2345 1,234,567. 3.x .5 5. a\\'b a\\' 'a' x'y`z \u{FF28}i \u{FB01}nal na\u{EF}ve",
            "end with digit 7,00 7,000 7,0001 \u{2018}quoted\u{2019} l\u{2019}\u{C9}cole \u{0301}mark",
            "per cent per\ncent percent 64\u{FF05} word\u{00B4}s x\u{00A0}y PER CENT per\u{a0}cent",
            "per", "per cent", "per, cent", "per\u{2003}cent", "cent per", "Per Cent.",
            // Words across the 64-byte block edges.
            &"abcdefghij ".repeat(20),
            &format!("{}Averyveryverylongwordthatcrossesablockedge and more", "x".repeat(60)),
        ] {
            assert_agrees(&mut h, t);
        }
    }

    #[test]
    fn agrees_across_block_edges() {
        let mut h = TokenHasher::new();
        for pad in 50..80 {
            for tail in [
                "3,000 13.5 x",
                "don\u{2019}t it's",
                "caf\u{e9} 64%",
                "per cent",
            ] {
                let text = format!("{} {tail}", "y".repeat(pad));
                assert_agrees(&mut h, &text);
                assert_agrees(&mut h, &text[pad / 2..]);
            }
        }
    }

    /// Real books (the shared corpus beside the repository; skipped where
    /// it is absent), a slice of each.
    #[test]
    fn agrees_with_the_tokenizer_on_shared_texts() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/gutenberg");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} not found", dir.display());
            return;
        };
        let mut h = TokenHasher::new();
        for e in entries.flatten() {
            let bytes = std::fs::read(e.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let end = text
                .char_indices()
                .nth(300_000)
                .map_or(text.len(), |(i, _)| i);
            // Paragraph by paragraph, as documents of many lengths.
            for para in text[..end].split("\n\n") {
                assert_agrees(&mut h, para);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_tokenizer(text in "[a-zA-Z0-9 ,.'`%\\\\\u{2019}\u{e9}\u{0301}\u{FF05}\u{a0}\u{2003}\n-]{0,200}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }

        #[test]
        fn agrees_on_per_cent_and_numbers(text in "(per|cent|Per|CENT|3,000|1.5|%|x|\u{e9}| |\n|\u{a0}|,|\\.){0,40}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }
    }
}
