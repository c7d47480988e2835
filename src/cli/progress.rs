//! Progress on standard error: the one place bars are drawn (indicatif).
//!
//! A bar is drawn only when standard error is a terminal; in a pipe, a log
//! or under `--quiet` there is none, and the commands' output is the same
//! with or without one. `report` shows a bar per stage ([`StageBar`]),
//! `filter` a running count of lines ([`LineCounter`]).

use std::io::IsTerminal;

use copydesk::report::Progress;
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// True when progress may be drawn: standard error is a terminal and the
/// user did not ask for quiet.
fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A bar per stage of a long job: `deciding [=====>   ] 1200/5000 (3s)`.
pub struct StageBar(ProgressBar);

impl StageBar {
    /// A bar when standard error is a terminal and `worth_it` (a job big
    /// enough to wait for), else none.
    pub fn new(worth_it: bool) -> Option<StageBar> {
        if !(worth_it && wanted(false)) {
            return None;
        }
        let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Some(StageBar(pb))
    }

    /// Takes the bar off the screen.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for StageBar {
    fn start(&self, stage: &str, total: u64) {
        self.0.set_message(stage.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// A spinner counting lines read and kept, with the rate:
/// `⠙ 12,000 lines, 11,200 kept [00:00:03] 3,765 lines/s`.
pub struct LineCounter(ProgressBar);

impl LineCounter {
    /// A counter when standard error is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Option<LineCounter> {
        if !wanted(quiet) {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        // indicatif's own `{per_sec}` prints four decimals ("3,765.3437/s").
        bar.set_style(
            ProgressStyle::with_template("{spinner} {human_pos} lines, {msg} [{elapsed}] {rate}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{} lines/s", HumanCount(state.per_sec() as u64));
                    },
                ),
        );
        Some(LineCounter(bar))
    }

    /// Shows `lines` read, `kept` of them kept.
    pub fn set(&self, lines: u64, kept: u64) {
        // The message first: the position redraws the bar.
        self.0.set_message(format!("{} kept", HumanCount(kept)));
        self.0.set_position(lines);
    }

    /// Takes the counter off the screen.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
