//! Finding the records of a JSON Lines input: the non-blank lines of a
//! byte slice (cut into pieces scanned in parallel when it is large), and
//! a file read chunk by chunk, each chunk ending at a line end, the next
//! one read while the last is processed.
//!
//! Only offsets and line numbers come out; no record is parsed here.

use std::fs::File;
use std::io::Read;

use rayon::prelude::*;

/// `(start, end, line number)` of lines.
pub(super) type Lines = Vec<(usize, usize, u64)>;

/// `(start, end, line number)` of every non-blank line. Large inputs are
/// cut at line ends into pieces scanned in parallel.
pub(super) fn split_lines(data: &[u8]) -> Lines {
    const PIECE: usize = 4 << 20;
    if data.len() <= 2 * PIECE {
        return split_piece(data, 0, data.len());
    }
    let mut cuts = vec![0];
    while let Some(&last) = cuts.last() {
        let want = last + PIECE;
        if want >= data.len() {
            break;
        }
        match memchr::memchr(b'\n', &data[want..]) {
            Some(i) => cuts.push(want + i + 1),
            None => break,
        }
    }
    cuts.push(data.len());
    let pieces: Vec<(Lines, u64)> = cuts
        .par_windows(2)
        .map(|w| {
            let lines = split_piece(data, w[0], w[1]);
            let ends = memchr::memchr_iter(b'\n', &data[w[0]..w[1]]).count() as u64;
            (lines, ends)
        })
        .collect();
    let mut out = Vec::with_capacity(pieces.iter().map(|p| p.0.len()).sum());
    let mut before = 0u64;
    for (lines, ends) in pieces {
        out.extend(lines.into_iter().map(|(s, e, l)| (s, e, l + before)));
        before += ends;
    }
    out
}

/// The lines of `data[from..to]` (which starts a line), numbered from 1
/// within it.
fn split_piece(data: &[u8], from: usize, to: usize) -> Lines {
    let mut out = Vec::with_capacity((to - from) / 2048 + 1);
    let mut start = from;
    let mut line = 0;
    let mut push = |s: usize, mut e: usize, line: u64| {
        if e > s && data[e - 1] == b'\r' {
            e -= 1;
        }
        if data[s..e].iter().any(|b| !b.is_ascii_whitespace()) {
            out.push((s, e, line));
        }
    };
    for nl in memchr::memchr_iter(b'\n', &data[from..to]) {
        line += 1;
        push(start, from + nl, line);
        start = from + nl + 1;
    }
    if start < to {
        push(start, to, line + 1);
    }
    out
}

/// Reads `f` in chunks of about `chunk` bytes and hands each chunk's
/// complete lines to `pass`, with the offset and line number they start
/// at, while the next chunk is read; `absorb` takes what `pass` gives, in
/// input order. Stops at the first read error, after absorbing the chunk
/// before it.
pub(super) fn read_in_chunks<T: Send>(
    mut f: &File,
    chunk: usize,
    pass: impl Fn(&[u8], u64, u64) -> T + Sync,
    mut absorb: impl FnMut(T),
) -> std::io::Result<()> {
    let (mut base, mut line) = (0u64, 1u64);
    let mut cur = Vec::with_capacity(chunk);
    let mut carry = Vec::new();
    // Two buffers take turns, so no chunk is read into fresh
    // (page-faulting, kernel-zeroed) memory.
    let mut spare = Vec::with_capacity(chunk);
    let mut eof = read_chunk(&mut f, &mut cur, &carry, chunk)?;
    loop {
        // Complete lines now; the tail waits for the next chunk.
        let complete = if eof {
            cur.len()
        } else {
            memchr::memrchr(b'\n', &cur).map_or(0, |i| i + 1)
        };
        carry.clear();
        carry.extend_from_slice(&cur[complete..]);
        let mut next = std::mem::take(&mut spare);
        let (done, read) = if eof {
            (pass(&cur[..complete], base, line), Ok(true))
        } else {
            rayon::join(
                || pass(&cur[..complete], base, line),
                || read_chunk(&mut f, &mut next, &carry, chunk),
            )
        };
        absorb(done);
        line += memchr::memchr_iter(b'\n', &cur[..complete]).count() as u64;
        base += complete as u64;
        if eof {
            break;
        }
        eof = read?;
        spare = std::mem::replace(&mut cur, next);
    }
    Ok(())
}

/// Reads up to `chunk` bytes (more when one line is longer) after `carry`
/// into `buf`; true at the end of the file.
fn read_chunk(
    f: &mut &File,
    buf: &mut Vec<u8>,
    carry: &[u8],
    chunk: usize,
) -> std::io::Result<bool> {
    buf.clear();
    buf.extend_from_slice(carry);
    loop {
        let want = chunk.max(buf.len() + 1) - buf.len();
        let got = f.take(want as u64).read_to_end(buf)?;
        if got == 0 {
            return Ok(true);
        }
        // A chunk must hold at least one line end (or be the last).
        if buf.len() >= chunk && memchr::memchr(b'\n', &buf[carry.len()..]).is_some() {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_in_pieces_as_whole() {
        // Lines of many lengths, blank ones and CRLF among them, over
        // several 4 MiB pieces.
        let mut data = Vec::new();
        for i in 0..40_000usize {
            match i % 9 {
                0 => data.extend_from_slice(b"\n"),
                1 => data.extend_from_slice(b"  \r\n"),
                _ => {
                    data.extend(std::iter::repeat_n(b'x', i % 700 + 1));
                    data.extend_from_slice(if i % 5 == 0 { b"\r\n" } else { b"\n" });
                }
            }
        }
        data.extend_from_slice(b"last");
        assert!(data.len() > 8 << 20);
        let whole = split_piece(&data, 0, data.len());
        assert_eq!(split_lines(&data), whole);
        assert_eq!(whole.last().unwrap().2, 40_001);
    }
}
