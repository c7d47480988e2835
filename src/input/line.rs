//! Reading one line of a JSON Lines input under the size limit on one
//! document.
//!
//! In: a [`BufRead`] and the limit. Out: the line with its terminator, or,
//! for a line whose content is longer than the limit, only its length:
//! the reader stops keeping bytes at the limit and skips to the next
//! newline, so an oversized record costs at most the limit (plus one read
//! buffer) in memory, never its own size. Every command that reads JSON
//! Lines (`report`'s [`super::JsonlReader`], `filter`'s input stream) reads
//! its lines here, so they apply the same rule.

use std::io::{self, BufRead};

/// One line read by [`read_line`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitedLine {
    /// The line, its terminator included (the last line may have none).
    Line(Vec<u8>),
    /// A line whose content (terminator excluded) is longer than the
    /// limit: read to its end and not kept.
    TooLong(LineSize),
}

/// How long a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSize {
    /// Bytes the line took in the input, terminator included.
    pub bytes: u64,
    /// Bytes of its content, terminator excluded.
    pub content: u64,
}

/// The next line of `reader` (`None` at the end of the input).
///
/// A line's content may hold at most `max_bytes` bytes (its `\n` or `\r\n`
/// does not count). Bytes of a longer line are passed to `skipped` as
/// they are read and dropped (whoever hashes the input sees every byte),
/// and the line comes back as [`LimitedLine::TooLong`].
///
/// A line within the reader's buffer is copied once into a vector of its
/// exact size: `read_until` grew the vector by doubling from empty (a
/// dozen copies of a 6 KB line) and looked for the newline a byte at a
/// time.
pub fn read_line(
    reader: &mut dyn BufRead,
    max_bytes: u64,
    skipped: &mut dyn FnMut(&[u8]),
) -> io::Result<Option<LimitedLine>> {
    let mut raw = Vec::new();
    // For an oversized line: bytes read so far, and whether the last was `\r`.
    let mut over: Option<(u64, bool)> = None;
    let too_long = |(bytes, cr): (u64, bool), ends: bool| {
        LimitedLine::TooLong(LineSize {
            bytes,
            content: bytes - u64::from(ends) - u64::from(ends && cr),
        })
    };
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(match over {
                Some((bytes, _)) => Some(too_long((bytes, false), false)),
                None if raw.is_empty() => None,
                None => Some(LimitedLine::Line(raw)),
            });
        }
        let (take, ends) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        match &mut over {
            Some((bytes, cr)) => {
                let chunk = &buf[..take];
                skipped(chunk);
                *bytes += take as u64;
                // The byte before this chunk's `\n`, or its last.
                let before = chunk.len() - usize::from(ends);
                if before > 0 {
                    *cr = chunk[before - 1] == b'\r';
                }
            }
            None => {
                raw.extend_from_slice(&buf[..take]);
                if content_len(&raw, ends) > max_bytes {
                    skipped(&raw);
                    let before = raw.len() - usize::from(ends);
                    over = Some((raw.len() as u64, raw[..before].ends_with(b"\r")));
                    raw = Vec::new();
                }
            }
        }
        reader.consume(take);
        if ends {
            return Ok(Some(match over {
                Some(state) => too_long(state, true),
                None => LimitedLine::Line(raw),
            }));
        }
    }
}

/// Bytes of a line's content in `raw`: without its `\n` or `\r\n` when it
/// `ends`; else without a last `\r`, which a `\n` may follow.
fn content_len(raw: &[u8], ends: bool) -> u64 {
    let n = raw.len() - usize::from(ends);
    (n - usize::from(raw[..n].ends_with(b"\r"))) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `input` read through a 4-byte buffer with limit
    /// `max`, and the bytes reported skipped.
    fn lines(input: &[u8], max: u64) -> (Vec<LimitedLine>, Vec<u8>) {
        let mut reader = io::BufReader::with_capacity(4, input);
        let (mut out, mut skipped) = (Vec::new(), Vec::new());
        while let Some(l) = read_line(&mut reader, max, &mut |b| skipped.extend(b)).unwrap() {
            out.push(l);
        }
        (out, skipped)
    }

    fn line(s: &str) -> LimitedLine {
        LimitedLine::Line(s.as_bytes().to_vec())
    }

    #[test]
    fn lines_at_the_limit_are_kept_whole_with_their_terminators() {
        let (got, skipped) = lines(b"12345\n1234\r\n\n12345", 5);
        assert_eq!(
            got,
            [line("12345\n"), line("1234\r\n"), line("\n"), line("12345")]
        );
        assert!(skipped.is_empty());
        // The `\r` of `\r\n` is no part of the content, wherever the
        // buffer cuts the line.
        let (got, _) = lines(b"12345\r\nx", 5);
        assert_eq!(got, [line("12345\r\n"), line("x")]);
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_to_its_end_and_measured() {
        let input = b"ok\n1234567890abcdef\r\nnext\n123456\nlast line over";
        let (got, skipped) = lines(input, 5);
        let too_long = |bytes, content| LimitedLine::TooLong(LineSize { bytes, content });
        assert_eq!(
            got,
            [
                line("ok\n"),
                too_long(18, 16),
                line("next\n"),
                too_long(7, 6),
                too_long(14, 14),
            ]
        );
        // Every byte of the skipped lines went to `skipped`, in order.
        assert_eq!(skipped, b"1234567890abcdef\r\n123456\nlast line over");
        // A `\r` in one read and its `\n` in the next.
        let (got, _) = lines(b"1234567\r\n", 5);
        assert_eq!(got, [too_long(9, 7)]);
    }
}
