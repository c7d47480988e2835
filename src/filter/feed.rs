//! Feed: reading the input ahead of the decisions. A thread of its own
//! reads lines ([`read_batch`]) and has them parsed and tokenised
//! ([`analyze`]) on the preparation pool, which runs at background priority
//! ([`background_priority`]) so the decisions get the cores first.

use crate::error::{Error, Result};

use super::io::{InputStream, Line, StreamPosition};
use super::prepare::{analyze, Parsed};
use super::FilterOptions;

/// Lines read, parsed and tokenised by a thread of their own, running up
/// to [`FEED_CHUNKS`] chunks of [`FEED_LINES`] lines ahead of the
/// decisions: work that depends on neither the index nor the learned model
/// goes on while the decisions wait (a commit's `fsync`, the serial loop).
pub(super) struct Feed {
    rx: std::sync::mpsc::Receiver<Result<Vec<Parsed>>>,
    buf: std::collections::VecDeque<Parsed>,
    /// The reader's position once it stopped at the end of the input.
    end: std::sync::mpsc::Receiver<StreamPosition>,
    done: bool,
}

/// Lines in one chunk of the filter's feed (the thread that reads, parses and
/// tokenises ahead of the decisions).
pub const FEED_LINES: u64 = 128;
/// Chunks the feed may hold ready (2,048 lines, about 50 MB): with 1,024
/// the decisions sometimes waited for it after a commit.
pub const FEED_CHUNKS: usize = 16;

impl Feed {
    pub(super) fn start<'scope>(
        threads: &'scope std::thread::Scope<'scope, '_>,
        input: &'scope mut InputStream,
        opts: &'scope FilterOptions,
        pool: &'scope rayon::ThreadPool,
    ) -> Feed {
        let (tx, rx) = std::sync::mpsc::sync_channel(FEED_CHUNKS);
        let (end_tx, end) = std::sync::mpsc::sync_channel(1);
        threads.spawn(move || loop {
            background_priority();
            match read_batch(input, FEED_LINES) {
                Ok(lines) if lines.is_empty() => {
                    let _ = end_tx.send(input.position());
                    break;
                }
                Ok(lines) => {
                    // The decisions stopped (an error): stop reading.
                    if tx.send(Ok(pool.install(|| analyze(opts, lines)))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        });
        Feed {
            rx,
            buf: std::collections::VecDeque::new(),
            end,
            done: false,
        }
    }

    /// The next `cap` lines (fewer at the end of the input).
    pub(super) fn take(&mut self, cap: u64) -> Result<Vec<Parsed>> {
        let cap = cap as usize;
        while self.buf.len() < cap && !self.done {
            match self.rx.recv() {
                Ok(chunk) => self.buf.extend(chunk?),
                Err(_) => self.done = true,
            }
        }
        let n = cap.min(self.buf.len());
        Ok(self.buf.drain(..n).collect())
    }

    /// Where the input ended, once every line was taken.
    pub(super) fn finish(self) -> Result<StreamPosition> {
        drop(self.rx);
        self.end.recv().map_err(|_| Error::Io {
            path: "input".into(),
            source: std::io::Error::other("the reader stopped before the end of the input"),
        })
    }
}

/// Lowers the calling thread's scheduling priority (nice 10) on Linux.
///
/// The filter's critical path is the decisions (one batch after the
/// other); the feed and the signing of the next batch only need to keep
/// ahead of them. At equal priority the preparation threads took half of
/// each core whenever the decisions' parallel steps ran, and those steps
/// took twice as long; at nice 10 the preparation runs in what the
/// decisions leave idle. Measured on 100,000 lines (a noisy machine),
/// four runs each, alternating: median 5.96 s without, 5.73 s with; the
/// time spent deciding fell from 3.5-3.7 s to 2.9-3.3 s a run.
fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its three integer arguments; the id
    // is this thread's own, so it changes nothing but this thread's nice
    // value. A failure (not permitted) leaves the priority as it was,
    // which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}

/// Reads up to `cap` lines.
fn read_batch(input: &mut InputStream, cap: u64) -> Result<Vec<Line>> {
    let mut lines = Vec::with_capacity(cap as usize);
    while (lines.len() as u64) < cap {
        match input.next_line()? {
            Some(l) => lines.push(l),
            None => break,
        }
    }
    Ok(lines)
}

/// A pool of the machine's thread count named `copydesk-{name}-N`, at
/// background priority when `background` (see [`background_priority`]).
pub(super) fn thread_pool(name: &'static str, background: bool) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(move |i| format!("copydesk-{name}-{i}"));
    if background {
        builder = builder.start_handler(|_| background_priority());
    }
    builder.build().map_err(|e| Error::Io {
        path: "threads".into(),
        source: std::io::Error::other(e),
    })
}
