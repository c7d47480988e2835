//! Token hashes: the one scanner behind every token hash of the crate.
//!
//! [`TokenHasher::hash_tokens`] gives, for every token [`for_each_token`]
//! yields, [`folded_word_hash`] of its folded form (the filter and
//! `report --pairs-only` take these alone; [`super::Tokens::new`] takes
//! them with spans and folded forms), but it never builds
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

use super::{ascii_word_continues, special_step, Token};
use crate::normalize::normalize_word;
use crate::span::Span;

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

/// Reusable buffers of [`TokenHasher::hash_tokens`]: nothing is allocated
/// per text once warm.
#[derive(Debug, Default, Clone)]
pub struct TokenHasher {
    /// Bit per byte: an ASCII letter or digit.
    alnum: Vec<u64>,
    /// The masks each 64 bytes are read by.
    blocks: Vec<Block>,
    /// Bit per byte: a byte after which an ASCII run may go on as one
    /// word (non-ASCII, an apostrophe, a backslash, or a full stop or
    /// comma between digits). A superset: [`ascii_word_continues`] decides.
    cont: Vec<u64>,
    /// The classes of each 64 bytes, before the masks above combine them.
    classes: Vec<Classes>,
    /// The folded form of a word that needs [`normalize_word`].
    buf: String,
    /// The `per` and `cent` tokens of the text.
    marks: Vec<Mark>,
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
        self.hash(text, false, out);
    }

    /// [`TokenHasher::hash_tokens`] of the string a JSON string's content
    /// `raw` stands for, read in place, for content whose escapes are all
    /// `\n \r \t \b \f \" \/` (no `\\`, no `\u`): each stands for one
    /// character that is no part of a word, so its two bytes separate
    /// words as that character would.
    pub fn hash_tokens_json(&mut self, raw: &str, out: &mut Vec<u64>) {
        self.hash(raw, true, out);
    }

    /// [`TokenHasher::hash_tokens`] with each token's span in `text` pushed
    /// to `spans` (a joined `per cent` spans both words), as
    /// [`super::for_each_token`] gives them.
    pub fn hash_tokens_spans(&mut self, text: &str, out: &mut Vec<u64>, spans: &mut Vec<Span>) {
        self.hash(text, false, &mut WithSpans { hashes: out, spans });
    }

    /// [`TokenHasher::hash_tokens_spans`] as whole [`Token`]s with their
    /// folded forms: what [`super::Tokens::new`] keeps. `out.folded` must
    /// start as `text` with its ASCII letters lowercased.
    pub(super) fn fold_tokens(&mut self, text: &str, mut out: FoldedTokens<'_>) {
        self.hash(text, false, &mut out);
    }

    fn hash<S: TokenSink>(&mut self, text: &str, json: bool, out: &mut S) {
        let bytes = text.as_bytes();
        self.classify(bytes, json);
        self.marks.clear();
        let marks = &mut self.marks;
        let buf = &mut self.buf;
        let scan = Scan {
            text,
            alnum: &self.alnum,
            cont: &self.cont,
        };
        // Bytes before `i` are done.
        let mut i = 0;
        for (w, b) in self.blocks.iter().enumerate() {
            let base = w * 64;
            let first = b.starts.trailing_zeros() as usize;
            if b.special == 0 && b.flagged == 0 && (b.starts == 0 || i <= base + first) {
                // A plain block: no special character, no word that goes
                // on past its letters. Its words are its runs: pop starts
                // and ends in step (an end before `i` closes a word read
                // with the block before).
                if b.starts == 0 {
                    continue;
                }
                // `i <= base + first < base + 64`: the shift is in range.
                let done = if i > base {
                    (1u64 << (i - base)) - 1
                } else {
                    0
                };
                let mut starts = b.starts;
                let mut ends = b.ends & !done;
                while starts != 0 {
                    let s = base + starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    if ends == 0 {
                        // The last run goes on into the next block.
                        i = scan.word(s, buf, marks, out);
                        break;
                    }
                    let e = base + ends.trailing_zeros() as usize + 1;
                    ends &= ends - 1;
                    token(
                        out,
                        marks,
                        (s, e),
                        e - s,
                        hash_chunks(bytes, s, e - s, FOLD),
                        None,
                    );
                    i = e;
                }
                continue;
            }
            // Any other block, event by event: an event before `i` lies
            // inside a word or character already read.
            let mut m = b.starts | b.special;
            while m != 0 {
                let s = base + m.trailing_zeros() as usize;
                m &= m - 1;
                if s < i {
                    continue;
                }
                if b.special >> (s - base) & 1 == 0 {
                    i = scan.word(s, buf, marks, out);
                    continue;
                }
                i = special_step(text, s, buf, &mut |s, e, norm: &str| {
                    if !norm.is_empty() {
                        let h = folded_word_hash(norm.as_bytes());
                        token(out, marks, (s, e), norm.len(), h, Some(norm));
                    }
                });
            }
        }
        join_per_cent(text, json, &self.marks, out);
    }

    /// Fills the masks of `bytes`, 64 bytes to a word (bits past the end
    /// are clear).
    fn classify(&mut self, bytes: &[u8], json: bool) {
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
fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// `0x20` in every byte: ORed into the loads of an ASCII letter-and-digit
/// run it lowercases the letters and leaves the digits.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// What reading one word needs.
struct Scan<'a> {
    text: &'a str,
    alnum: &'a [u64],
    cont: &'a [u64],
}

impl Scan<'_> {
    /// Pushes the word whose run of ASCII letters and digits starts at
    /// `s` and returns where it ends: at the run's end, or further when
    /// the word goes on (an apostrophe, a digit group, a non-ASCII
    /// letter), which [`normalize_word`] then folds.
    #[inline(always)]
    fn word<S: TokenSink>(
        &self,
        s: usize,
        buf: &mut String,
        marks: &mut Vec<Mark>,
        out: &mut S,
    ) -> usize {
        let bytes = self.text.as_bytes();
        let j = next_clear(self.alnum, s).min(bytes.len());
        if bit(self.cont, j) {
            if let Some(end) = ascii_word_continues(self.text, s, j) {
                buf.clear();
                normalize_word(&self.text[s..end], buf);
                if !buf.is_empty() {
                    let h = folded_word_hash(buf.as_bytes());
                    token(out, marks, (s, end), buf.len(), h, Some(buf));
                }
                return end;
            }
        }
        token(
            out,
            marks,
            (s, j),
            j - s,
            hash_chunks(bytes, s, j - s, FOLD),
            None,
        );
        j
    }
}

/// Pushes one token's hash (and its folded form, `None` for a plain run
/// of ASCII letters and digits); `per` and `cent` are also noted for
/// [`join_per_cent`] (the hash is a bijection for words of 3 and 4 bytes,
/// so length and hash name them exactly). Almost every token only pays
/// two compares.
#[inline(always)]
fn token<S: TokenSink>(
    out: &mut S,
    marks: &mut Vec<Mark>,
    at: (usize, usize),
    len: usize,
    h: u64,
    folded: Option<&str>,
) {
    if h == PER || h == CENT {
        note(out.len(), marks, at, len, h);
    }
    out.push(h, at, folded);
}

/// Where the tokens go: their hashes, and their spans and folded forms
/// when asked for.
trait TokenSink {
    /// One token: its hash, byte range, and folded form, which is `None`
    /// for a plain run of ASCII letters and digits (its fold is its lower
    /// case).
    fn push(&mut self, h: u64, at: (usize, usize), folded: Option<&str>);
    fn len(&self) -> usize;
    /// Makes token `per` a `percent` ending at `end` (where its `cent` ends).
    fn join(&mut self, per: usize, end: usize);
    /// Removes the tokens at `drop` (ascending, not empty).
    fn remove(&mut self, drop: &[usize]);
}

impl TokenSink for Vec<u64> {
    #[inline(always)]
    fn push(&mut self, h: u64, _: (usize, usize), _: Option<&str>) {
        Vec::push(self, h);
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn join(&mut self, per: usize, _: usize) {
        self[per] = PERCENT;
    }

    fn remove(&mut self, drop: &[usize]) {
        remove_sorted(self, drop);
    }
}

/// Hashes and spans, in step.
struct WithSpans<'a> {
    hashes: &'a mut Vec<u64>,
    spans: &'a mut Vec<Span>,
}

impl TokenSink for WithSpans<'_> {
    #[inline(always)]
    fn push(&mut self, h: u64, (start, end): (usize, usize), _: Option<&str>) {
        self.hashes.push(h);
        self.spans.push(Span { start, end });
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn join(&mut self, per: usize, end: usize) {
        self.hashes[per] = PERCENT;
        self.spans[per].end = end;
    }

    fn remove(&mut self, drop: &[usize]) {
        remove_sorted(self.hashes, drop);
        remove_sorted(self.spans, drop);
    }
}

/// Whole tokens with their folded forms, as [`super::Tokens`] keeps them.
pub(super) struct FoldedTokens<'a> {
    /// The tokens.
    pub tokens: &'a mut Vec<Token>,
    /// The text with its ASCII letters lowercased (a plain ASCII word's
    /// folded form is its own span of it), then the other folded forms.
    pub folded: &'a mut String,
    /// Where each token's folded form lies in `folded`.
    pub norms: &'a mut Vec<(u32, u32)>,
}

impl FoldedTokens<'_> {
    fn append(&mut self, norm: &str) -> (u32, u32) {
        let start = self.folded.len() as u32;
        self.folded.push_str(norm);
        (start, self.folded.len() as u32)
    }
}

impl TokenSink for FoldedTokens<'_> {
    #[inline(always)]
    fn push(&mut self, hash: u64, (start, end): (usize, usize), folded: Option<&str>) {
        self.tokens.push(Token {
            span: Span { start, end },
            hash,
        });
        let norm = match folded {
            None => (start as u32, end as u32),
            Some(f) => self.append(f),
        };
        self.norms.push(norm);
    }

    fn len(&self) -> usize {
        self.tokens.len()
    }

    fn join(&mut self, per: usize, end: usize) {
        self.tokens[per].hash = PERCENT;
        self.tokens[per].span.end = end;
        self.norms[per] = self.append("percent");
    }

    fn remove(&mut self, drop: &[usize]) {
        remove_sorted(self.tokens, drop);
        remove_sorted(self.norms, drop);
    }
}

/// Removes the items at the ascending positions `drop` (not empty).
fn remove_sorted<T: Copy>(v: &mut Vec<T>, drop: &[usize]) {
    let mut next = drop.iter().peekable();
    let mut kept = drop[0];
    for i in drop[0]..v.len() {
        if next.peek() == Some(&&i) {
            next.next();
            continue;
        }
        v[kept] = v[i];
        kept += 1;
    }
    v.truncate(kept);
}

#[cold]
#[inline(never)]
fn note(index: usize, marks: &mut Vec<Mark>, (start, end): (usize, usize), len: usize, h: u64) {
    if (h == PER && len == 3) || (h == CENT && len == 4) {
        marks.push(Mark {
            index,
            start,
            end,
            per: h == PER,
        });
    }
}

/// A `per` or `cent` token: its index in the output and byte range.
#[derive(Debug, Clone, Copy)]
struct Mark {
    index: usize,
    start: usize,
    end: usize,
    per: bool,
}

/// Hashes of `per`, `cent` and `percent` ([`folded_word_hash`]; a test
/// checks them).
const PER: u64 = short_word_hash(b"per");
const CENT: u64 = short_word_hash(b"cent");
const PERCENT: u64 = short_word_hash(b"percent");

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

/// The `per` + `cent` rule of [`super::for_each_token`] over the noted
/// tokens: a `per` directly followed by `cent` with only
/// whitespace between them becomes one `percent`.
fn join_per_cent<S: TokenSink>(text: &str, json: bool, marks: &[Mark], out: &mut S) {
    let mut drop = Vec::new();
    for pair in marks.windows(2) {
        let (per, cent) = (pair[0], pair[1]);
        if per.per
            && !cent.per
            && cent.index == per.index + 1
            && gap_is_whitespace(&text[per.end..cent.start], json)
        {
            out.join(per.index, cent.end);
            drop.push(cent.index);
        }
    }
    if !drop.is_empty() {
        out.remove(&drop);
    }
}

/// True when `gap` is all whitespace; with `json`, the escapes `\n \r \t
/// \f` count as the whitespace they stand for.
fn gap_is_whitespace(gap: &str, json: bool) -> bool {
    if !json {
        return gap.chars().all(char::is_whitespace);
    }
    let mut chars = gap.chars();
    while let Some(c) = chars.next() {
        let white = if c == '\\' {
            matches!(chars.next(), Some('n' | 'r' | 't' | 'f'))
        } else {
            c.is_whitespace()
        };
        if !white {
            return false;
        }
    }
    true
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

/// What the scan of 64 bytes needs, a bit per byte.
#[derive(Debug, Clone, Copy, Default)]
struct Block {
    /// First bytes of runs of ASCII letters and digits.
    starts: u64,
    /// Last bytes of such runs.
    ends: u64,
    /// `%` and the first bytes of non-ASCII characters outside
    /// U+2000..=U+203F: steps of the general scanner.
    special: u64,
    /// Ends whose next byte may continue the word.
    flagged: u64,
}

/// The classes of 64 bytes, a bit per byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Classes {
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
        let want = reference(text);
        assert_eq!(got, want, "{text:?}");
        // With spans: the same hashes, and the general tokenizer's spans.
        let (mut hashes, mut spans) = (Vec::new(), Vec::new());
        h.hash_tokens_spans(text, &mut hashes, &mut spans);
        assert_eq!(hashes, want, "{text:?}");
        let mut want_spans = Vec::new();
        for_each_token(text, |span, _| want_spans.push(span));
        assert_eq!(spans, want_spans, "{text:?}");
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
        let mut h = TokenHasher::new();
        for text in super::super::shared_book_slices(300_000) {
            // Paragraph by paragraph, as documents of many lengths.
            for para in text.split("\n\n") {
                assert_agrees(&mut h, para);
            }
        }
    }

    /// JSON string content with simple escapes reads as its decoded text.
    fn assert_json_agrees(h: &mut TokenHasher, text: &str) {
        let quoted = serde_json::to_string(text).unwrap();
        let raw = &quoted[1..quoted.len() - 1];
        let simple = !raw.contains("\\\\") && !raw.contains("\\u");
        if !simple {
            return;
        }
        let mut got = Vec::new();
        h.hash_tokens_json(raw, &mut got);
        assert_eq!(got, reference(text), "{raw:?}");
    }

    #[test]
    fn json_content_reads_as_its_text() {
        let mut h = TokenHasher::new();
        for t in [
            "line one\nline two\n\nthree \"quoted\" a/b",
            "64 per\ncent, per\tcent, per\r\ncent, per\u{8}cent",
            "3\n000 3,\n000 13.\n5 n\nn t\tt don\u{2019}t\ncaf\u{e9}\n%",
            "\nnnn\ttt\rrr\u{c}fff\"x\"",
        ] {
            assert_json_agrees(&mut h, t);
        }
        // `\/` (which serde_json never writes) is a slash.
        let mut got = Vec::new();
        h.hash_tokens_json(r"per\/cent per\ncent a\/b", &mut got);
        assert_eq!(got, reference("per/cent per\ncent a/b"));
        // A backslash or \u escape is no simple content: checked here
        // that the test does not skip everything.
        let q = serde_json::to_string("a\nb").unwrap();
        assert_eq!(&q[1..q.len() - 1], "a\\nb");
    }

    proptest::proptest! {
        #[test]
        fn json_content_agrees(text in "([a-zA-Z0-9]{1,9}|per|cent|[\n\t\r\u{c}\u{8}\"/ ,.%]|\u{2019}|\u{e9}){0,80}") {
            assert_json_agrees(&mut TokenHasher::new(), &text);
        }

        #[test]
        fn agrees_with_the_tokenizer(text in "[a-zA-Z0-9 ,.'`%\\\\\u{2019}\u{e9}\u{0301}\u{FF05}\u{a0}\u{2003}\n-]{0,200}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }

        /// Long texts of plain words (blocks the fast loop reads whole)
        /// with now and then a character that sends a block to the
        /// general loop.
        #[test]
        fn agrees_on_long_mostly_plain_text(text in "([a-zA-Z0-9]{1,14}([ ,.\n]|, |\u{201C}|\u{2019}|\u{e9}|%|3,000){1,2}){0,120}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }

        #[test]
        fn agrees_on_per_cent_and_numbers(text in "(per|cent|Per|CENT|3,000|1.5|%|x|\u{e9}| |\n|\u{a0}|,|\\.){0,40}") {
            assert_agrees(&mut TokenHasher::new(), &text);
        }
    }
}
