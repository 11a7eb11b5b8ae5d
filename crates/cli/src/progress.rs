//! Progress bars for the commands that can take more than a second (`household import`, `sync`,
//! `registry backup`, `registry restore`).
//!
//! A bar (with its rate and the time remaining) is drawn on standard error only when standard error
//! is a terminal and `--json` was not given. Otherwise a [`Bar`] does nothing at all: piped output,
//! logs and scripts see exactly the lines they saw before, with no control sequences. Results are
//! always printed on standard output after the bar is cleared.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// What a bar counts.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Bytes (shown as KiB/MiB, with bytes per second).
    Bytes,
    /// Households.
    Households,
}

/// A progress bar on a terminal, or nothing.
#[derive(Debug)]
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar for `unit`, drawn only on a terminal without `--json`.
    pub fn new(json: bool, unit: Unit) -> Bar {
        if json || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let template = match unit {
            Unit::Bytes => {
                "{msg:<11} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec}, {eta} left"
            }
            Unit::Households => "{msg:<11} [{bar:30}] {pos}/{len} households {per_sec}, {eta} left",
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10))
            .with_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Bar(Some(bar))
    }

    /// A bar with no known end (a spinner with the count and rate), for work whose size is unknown.
    pub fn spinner(json: bool, stage: &str, what: &str) -> Bar {
        if json || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let template = format!("{{spinner}} {{msg:<11}} {{pos}} {what} {{per_sec}}");
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10))
            .with_style(style)
            .with_message(stage.to_string());
        bar.enable_steady_tick(Duration::from_millis(250));
        Bar(Some(bar))
    }

    /// Shows `done` of `total` (`None`: not known) for the step `stage`.
    pub fn set(&self, stage: &str, done: u64, total: Option<u64>) {
        if let Some(bar) = &self.0 {
            if bar.message() != stage {
                bar.set_message(stage.to_string());
                // A new step starts its own rate and estimate.
                bar.reset();
            }
            match total {
                Some(t) => bar.set_length(t),
                // A step of unknown size (the feed of a first sync) shows its count and rate only.
                None => bar.unset_length(),
            }
            bar.set_position(done);
        }
    }

    /// Whether a bar is drawn (so work done only for the bar, like counting lines, can be skipped).
    pub fn is_drawn(&self) -> bool {
        self.0.is_some()
    }

    /// Adds `n` to the count.
    pub fn add(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Removes the bar from the terminal, so the result printed next stands alone.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}
