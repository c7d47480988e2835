//! The filter's input and outputs: lines read byte for byte with their
//! position, and sinks that can be made durable and report their length.

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};
use crate::input::{read_line, LimitedLine, LineSize};

/// One input line exactly as read.
#[derive(Debug, Clone)]
pub struct Line {
    /// Which input it came from (index into [`InputStream::names`]).
    pub file: usize,
    /// 1-based line number within that input.
    pub line: u64,
    /// The bytes, line terminator included (the last line may have none);
    /// empty for a line over the size limit.
    pub raw: Vec<u8>,
    /// For a line whose content is longer than the stream's limit
    /// ([`InputStream::set_max_line_bytes`]): its size. Such a line was
    /// read to its end but not kept.
    pub too_long: Option<LineSize>,
    /// Position of the stream after this line: bytes, lines and xxh3 of
    /// everything read (what a checkpoint after this line records).
    pub end: StreamPosition,
}

/// A position in an [`InputStream`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamPosition {
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// xxh3 of the bytes read.
    pub hash: u64,
}

impl Line {
    /// The line without its terminator (`\n` or `\r\n`).
    pub fn content(&self) -> &[u8] {
        let r = self.raw.strip_suffix(b"\n").unwrap_or(&self.raw);
        r.strip_suffix(b"\r").unwrap_or(r)
    }

    /// Bytes the line took in the input, terminator included.
    pub fn bytes(&self) -> u64 {
        self.too_long
            .map_or(self.raw.len() as u64, |size| size.bytes)
    }

    /// True for an empty or whitespace-only line (one over the size limit
    /// is not blank).
    pub fn is_blank(&self) -> bool {
        self.too_long.is_none() && self.content().iter().all(u8::is_ascii_whitespace)
    }
}

/// One or more inputs read as one stream of lines, with the running byte
/// count and xxh3 of everything read (to recognise the same input again).
pub struct InputStream {
    inputs: Vec<(PathBuf, Box<dyn BufRead + Send>)>,
    current: usize,
    line: u64,
    bytes: u64,
    lines: u64,
    hasher: Xxh3,
    max_line_bytes: u64,
}

impl std::fmt::Debug for InputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputStream")
            .field("names", &self.names())
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl InputStream {
    /// A stream over `inputs`, read in order; each is named in errors.
    /// Lines of any length are kept until [`InputStream::set_max_line_bytes`].
    pub fn new(inputs: Vec<(PathBuf, Box<dyn BufRead + Send>)>) -> InputStream {
        InputStream {
            inputs,
            current: 0,
            line: 0,
            bytes: 0,
            lines: 0,
            hasher: Xxh3::new(),
            max_line_bytes: u64::MAX,
        }
    }

    /// Sets the most bytes a line's content may hold: a longer line is
    /// read to its end (and hashed) but not kept ([`Line::too_long`]).
    pub fn set_max_line_bytes(&mut self, max_bytes: u64) {
        self.max_line_bytes = max_bytes;
    }

    /// The inputs' names, in order.
    pub fn names(&self) -> Vec<&Path> {
        self.inputs.iter().map(|(p, _)| p.as_path()).collect()
    }

    /// The names joined by NUL (how a checkpoint records them).
    pub fn identity(&self) -> String {
        let names: Vec<String> = self
            .inputs
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        names.join("\0")
    }

    /// The name of input `file`.
    pub fn name(&self, file: usize) -> &Path {
        &self.inputs[file].0
    }

    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Lines read so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// xxh3 of all bytes read so far.
    pub fn hash(&self) -> u64 {
        self.hasher.digest()
    }

    /// The current position.
    pub fn position(&self) -> StreamPosition {
        StreamPosition {
            bytes: self.bytes,
            lines: self.lines,
            hash: self.hasher.digest(),
        }
    }

    /// The next line, `None` at the end of the last input.
    pub fn next_line(&mut self) -> Result<Option<Line>> {
        while self.current < self.inputs.len() {
            let (path, reader) = &mut self.inputs[self.current];
            let hasher = &mut self.hasher;
            let line = read_line(reader.as_mut(), self.max_line_bytes, &mut |b| {
                hasher.update(b)
            })
            .map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            let (raw, too_long) = match line {
                None => {
                    self.current += 1;
                    self.line = 0;
                    continue;
                }
                Some(LimitedLine::Line(raw)) => {
                    self.hasher.update(&raw);
                    (raw, None)
                }
                // Its bytes were hashed as they were skipped.
                Some(LimitedLine::TooLong(size)) => (Vec::new(), Some(size)),
            };
            self.line += 1;
            self.lines += 1;
            self.bytes += too_long.map_or(raw.len() as u64, |size| size.bytes);
            return Ok(Some(Line {
                file: self.current,
                line: self.line,
                raw,
                too_long,
                end: self.position(),
            }));
        }
        Ok(None)
    }
}

/// An output the filter writes to: it can be made durable and knows how
/// many bytes it holds.
pub trait Sink: Write {
    /// Flushes buffers and, for files, makes the bytes durable (fsync).
    fn sync(&mut self) -> std::io::Result<()>;
    /// Bytes in the output so far (for a file: its length).
    fn position(&self) -> u64;
}

/// A file output, buffered, fsynced on [`Sink::sync`]: a [`StreamSink`]
/// (which counts the bytes) over the file, plus the fsync.
#[derive(Debug)]
pub struct FileSink {
    out: StreamSink<BufWriter<File>>,
    /// A regular file (fsync applies), not a pipe or device.
    is_file: bool,
}

impl FileSink {
    /// Writes after the first `position` bytes of `file` (the file is cut
    /// there: anything beyond was written after the last checkpoint).
    ///
    /// A pipe or device (`/dev/stderr`, a FIFO) cannot be cut: it is written
    /// from where it stands, and only from position 0.
    pub fn new(file: File, position: u64) -> std::io::Result<FileSink> {
        use std::io::Seek;
        let mut file = file;
        let is_file = file.metadata()?.is_file();
        if is_file {
            file.set_len(position)?;
            file.seek(std::io::SeekFrom::Start(position))?;
        } else if position > 0 {
            return Err(std::io::Error::other(
                "not a regular file, so it cannot be cut back to the checkpoint",
            ));
        }
        Ok(FileSink {
            out: StreamSink {
                out: BufWriter::with_capacity(1 << 20, file),
                position,
            },
            is_file,
        })
    }
}

impl Write for FileSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Sink for FileSink {
    fn sync(&mut self) -> std::io::Result<()> {
        self.out.sync()?;
        if self.is_file {
            self.out.out.get_ref().sync_data()?;
        }
        Ok(())
    }
    fn position(&self) -> u64 {
        self.out.position()
    }
}

/// Any writer (stdout, a pipe, a buffer): flushed on [`Sink::sync`], never
/// truncated.
#[derive(Debug)]
pub struct StreamSink<W: Write> {
    out: W,
    position: u64,
}

impl<W: Write> StreamSink<W> {
    /// Wraps `out`.
    pub fn new(out: W) -> StreamSink<W> {
        StreamSink { out, position: 0 }
    }

    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Write for StreamSink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.position += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Sink for StreamSink<W> {
    fn sync(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
    fn position(&self) -> u64 {
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_longer_than_the_read_buffer_come_whole() {
        let text = b"first line, longer than the buffer\n\nlast, unterminated";
        let small: Box<dyn BufRead + Send> =
            Box::new(std::io::BufReader::with_capacity(4, &text[..]));
        let mut s = InputStream::new(vec![("a".into(), small)]);
        let mut got = Vec::new();
        while let Some(l) = s.next_line().unwrap() {
            got.push(l.raw);
        }
        assert_eq!(
            got,
            [
                &b"first line, longer than the buffer\n"[..],
                b"\n",
                b"last, unterminated"
            ]
        );
        assert_eq!(s.bytes(), text.len() as u64);
    }

    #[test]
    fn lines_keep_terminators_and_positions_across_inputs() {
        let a: Box<dyn BufRead + Send> = Box::new(&b"x\r\ny\n"[..]);
        let b: Box<dyn BufRead + Send> = Box::new(&b"z"[..]);
        let mut s = InputStream::new(vec![("a".into(), a), ("b".into(), b)]);
        let l1 = s.next_line().unwrap().unwrap();
        assert_eq!(
            (l1.file, l1.line, &l1.raw[..], l1.content()),
            (0, 1, &b"x\r\n"[..], &b"x"[..])
        );
        let l2 = s.next_line().unwrap().unwrap();
        assert_eq!((l2.line, l2.content()), (2, &b"y"[..]));
        let l3 = s.next_line().unwrap().unwrap();
        assert_eq!((l3.file, l3.line, &l3.raw[..]), (1, 1, &b"z"[..]));
        assert!(s.next_line().unwrap().is_none());
        assert_eq!((s.bytes(), s.lines()), (6, 3));
        assert_eq!(s.hash(), xxhash_rust::xxh3::xxh3_64(b"x\r\ny\nz"));
    }

    #[test]
    fn a_line_over_the_limit_is_counted_and_hashed_but_not_kept() {
        let text = b"{\"a\":1}\n{\"text\":\"far too long\"}\r\nok\n";
        let small: Box<dyn BufRead + Send> =
            Box::new(std::io::BufReader::with_capacity(4, &text[..]));
        let mut s = InputStream::new(vec![("a".into(), small)]);
        s.set_max_line_bytes(8);
        let mut got = Vec::new();
        while let Some(l) = s.next_line().unwrap() {
            got.push((l.line, l.raw.clone(), l.too_long, l.is_blank(), l.end.bytes));
        }
        assert_eq!(
            got,
            [
                (1, b"{\"a\":1}\n".to_vec(), None, false, 8),
                (
                    2,
                    Vec::new(),
                    Some(LineSize {
                        bytes: 25,
                        content: 23
                    }),
                    false,
                    33
                ),
                (3, b"ok\n".to_vec(), None, false, 36),
            ]
        );
        // The position is the same as when every line is kept.
        assert_eq!(s.hash(), xxhash_rust::xxh3::xxh3_64(text));
    }
}
