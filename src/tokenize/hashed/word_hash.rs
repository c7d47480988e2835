//! The word hash every token hash of the crate is, and the chunked,
//! case-folding loads the scanner hashes plain ASCII words with.

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
pub(super) fn hash_chunks(bytes: &[u8], start: usize, len: usize, fold: u64) -> u64 {
    const M: u64 = 0xFF51_AFD7_ED55_8CCD;
    let mix = |h: u64, v: u64| (h ^ v).wrapping_mul(M).rotate_left(29);
    let mut h = (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // Most words: one load and a mask, no branch on the length.
    if (1..=8).contains(&len) {
        if let Some(b) = bytes.get(start..start + 8) {
            let v = u64::from_le_bytes(b.try_into().expect("8 bytes"));
            return mix(h, (v | fold) & (u64::MAX >> (64 - 8 * len)));
        }
    }
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

/// `0x20` in every byte: ORed into the loads of an ASCII letter-and-digit
/// run it lowercases the letters and leaves the digits.
pub(super) const FOLD: u64 = 0x2020_2020_2020_2020;

/// Hashes of `per`, `cent` and `percent` ([`folded_word_hash`]; a test
/// checks them).
pub(super) const PER: u64 = short_word_hash(b"per");
pub(super) const CENT: u64 = short_word_hash(b"cent");
pub(super) const PERCENT: u64 = short_word_hash(b"percent");

/// [`folded_word_hash`] of a word of at most 8 bytes, at compile time.
const fn short_word_hash(w: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < w.len() {
        v |= (w[i] as u64) << (8 * i);
        i += 1;
    }
    let h = (w.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h ^ v).wrapping_mul(0xFF51_AFD7_ED55_8CCD).rotate_left(29)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn compile_time_hashes_are_the_word_hashes() {
        assert_eq!(PER, folded_word_hash(b"per"));
        assert_eq!(CENT, folded_word_hash(b"cent"));
        assert_eq!(PERCENT, folded_word_hash(b"percent"));
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
}
