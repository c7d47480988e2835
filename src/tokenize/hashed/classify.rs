//! Byte classes: 64 bytes at a time into bit masks (SSE2 on x86-64, a
//! plain loop elsewhere), and the masks the scan reads words from.

use super::TokenHasher;

impl TokenHasher {
    /// Fills the masks of `bytes`, 64 bytes to a word (bits past the end
    /// are clear).
    pub(super) fn classify(&mut self, bytes: &[u8], json: bool) {
        let words = bytes.len().div_ceil(64);
        self.classes.clear();
        self.classes.reserve(words);
        let mut chunks = bytes.chunks_exact(64);
        for c in &mut chunks {
            self.classes
                .push(classify64(c.try_into().expect("64-byte chunk")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Zero bytes are in no class.
            let mut pad = [0u8; 64];
            pad[..rest.len()].copy_from_slice(rest);
            self.classes.push(classify64(&pad));
        }
        if json {
            // The letter after each backslash is an escape's, no word's;
            // the backslash itself never continues a word.
            let mut carry = 0;
            for c in &mut self.classes {
                let escape = c.bslash << 1 | carry;
                carry = c.bslash >> 63;
                c.alnum &= !escape;
                c.digit &= !escape;
                c.other &= !c.bslash;
            }
        }
        self.alnum.clear();
        self.cont.clear();
        self.blocks.clear();
        // Exact sizes: a fresh hasher (one per `Tokens::new`) then grows
        // each vector once, not by doubling.
        self.alnum.reserve(words);
        self.cont.reserve(words);
        self.blocks.reserve(words);
        let none = Classes::default();
        let c = &self.classes;
        for w in 0..words {
            let (prev, this, next) = (
                if w > 0 { &c[w - 1] } else { &none },
                &c[w],
                c.get(w + 1).unwrap_or(&none),
            );
            // U+2000..=U+203F (E2 80 xx: spaces, dashes, quotes, ellipsis)
            // holds no letter or digit: never a token. After a word, only
            // its apostrophes (U+2018, U+2019) may continue it.
            let punct = this.e2 & (this.b80 >> 1 | next.b80 << 63);
            let apostrophe = punct & (this.quote >> 2 | next.quote << 62);
            // A full stop or comma continues a word only between digits.
            let digit_before = this.digit << 1 | prev.digit >> 63;
            let digit_after = this.digit >> 1 | next.digit << 63;
            let point = this.point & digit_before & digit_after;
            let alnum_before = this.alnum << 1 | prev.alnum >> 63;
            let alnum_after = this.alnum >> 1 | next.alnum << 63;
            self.alnum.push(this.alnum);
            self.cont.push(this.other & !(punct & !apostrophe) | point);
            self.blocks.push(Block {
                // Runs of letters and digits start where the byte before
                // is not one, and end where the byte after is not one.
                starts: this.alnum & !alnum_before,
                ends: this.alnum & !alnum_after,
                special: this.special & !punct,
                flagged: 0,
            });
        }
        // Ends followed by a byte that may continue the word.
        for w in 0..words {
            let next = self.cont.get(w + 1).map_or(0, |x| x << 63);
            let b = &mut self.blocks[w];
            b.flagged = b.ends & (self.cont[w] >> 1 | next);
        }
    }
}

/// Bit of `bits` at `i` (clear past the end).
#[inline(always)]
pub(super) fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// Index of the first clear bit at or after `from` (`bits.len() * 64`
/// when there is none).
#[inline]
pub(super) fn next_clear(bits: &[u64], from: usize) -> usize {
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

/// What the scan of 64 bytes needs, a bit per byte.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Block {
    /// First bytes of runs of ASCII letters and digits.
    pub(super) starts: u64,
    /// Last bytes of such runs.
    pub(super) ends: u64,
    /// `%` and the first bytes of non-ASCII characters outside
    /// U+2000..=U+203F: steps of the general scanner.
    pub(super) special: u64,
    /// Ends whose next byte may continue the word.
    pub(super) flagged: u64,
}

/// The classes of 64 bytes, a bit per byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Classes {
    /// ASCII letters and digits.
    alnum: u64,
    /// `%` and the first bytes of non-ASCII characters.
    special: u64,
    /// ASCII digits.
    digit: u64,
    /// Full stops and commas.
    point: u64,
    /// Non-ASCII bytes, apostrophes, backticks and backslashes.
    other: u64,
    /// 0xE2 bytes (first of U+2000..=U+2FFF).
    e2: u64,
    /// 0x80 bytes.
    b80: u64,
    /// 0x98 and 0x99 bytes (the last of U+2018 and U+2019).
    quote: u64,
    /// Backslashes.
    bslash: u64,
}

/// The classes of 64 bytes.
#[cfg(target_arch = "x86_64")]
#[inline]
fn classify64(b: &[u8; 64]) -> Classes {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut c = Classes::default();
    for k in 0..4 {
        // SAFETY: the 16 bytes read lie inside `b` (k < 4) and the load
        // has no alignment requirement; SSE2, the only feature these
        // intrinsics need, is part of every x86-64 CPU.
        let [alnum, special, digit, point, other, e2, b80, quote, bslash] = unsafe {
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
            // The movemask of `x` itself is its high bits: non-ASCII bytes;
            // of those, 0xC0 and up (-64..=-1 signed) start a character.
            let high = _mm_movemask_epi8(x);
            let starts = _mm_movemask_epi8(_mm_cmpgt_epi8(x, _mm_set1_epi8(-65))) & high;
            [
                _mm_movemask_epi8(an),
                _mm_movemask_epi8(is(b'%')) | starts,
                _mm_movemask_epi8(digit),
                _mm_movemask_epi8(_mm_or_si128(is(b'.'), is(b','))),
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is(b'\''), is(b'`')), is(b'\\')))
                    | high,
                _mm_movemask_epi8(is(0xE2)),
                _mm_movemask_epi8(is(0x80)),
                _mm_movemask_epi8(_mm_or_si128(is(0x98), is(0x99))),
                _mm_movemask_epi8(is(b'\\')),
            ]
        };
        let at = |m: i32| u64::from(m as u16) << (16 * k);
        c.alnum |= at(alnum);
        c.special |= at(special);
        c.digit |= at(digit);
        c.point |= at(point);
        c.other |= at(other);
        c.e2 |= at(e2);
        c.b80 |= at(b80);
        c.quote |= at(quote);
        c.bslash |= at(bslash);
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
    let mut c = Classes::default();
    for (i, &x) in b.iter().enumerate() {
        let a = x.is_ascii_alphanumeric();
        c.alnum |= u64::from(a) << i;
        c.special |= u64::from(x >= 0xC0 || x == b'%') << i;
        c.digit |= u64::from(x.is_ascii_digit()) << i;
        c.point |= u64::from(x == b'.' || x == b',') << i;
        c.other |= u64::from(x >= 0x80 || matches!(x, b'\'' | b'`' | b'\\')) << i;
        c.e2 |= u64::from(x == 0xE2) << i;
        c.b80 |= u64::from(x == 0x80) << i;
        c.quote |= u64::from(x == 0x98 || x == 0x99) << i;
        c.bslash |= u64::from(x == b'\\') << i;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
