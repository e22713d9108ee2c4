//! A progress bar on stderr for long runs: drawn only when stderr is a terminal, only once the
//! run has taken a second (`BACKUPDIAG_PROGRESS_DELAY_MS` changes that, for tests), and
//! cleared when the work is done, so piped output never sees it. Nothing here holds a lock on
//! stderr: indicatif takes it for each draw.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Environment variable: milliseconds before the bar first shows (default 1000).
pub const DELAY_VAR: &str = "BACKUPDIAG_PROGRESS_DELAY_MS";
const DEFAULT_DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);

/// Bytes of finished inputs against the total, shown by a bar that appears after a delay.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    waiter: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts counting over `total_bytes` in `files` inputs; shows the bar when `enabled` and
    /// stderr is a terminal.
    pub fn start(files: usize, total_bytes: u64, enabled: bool) -> Progress {
        let template = "{spinner} reading {msg} [{bar:24}] {binary_bytes}/{binary_total_bytes} {elapsed}";
        Progress::begin(total_bytes, template, format!("{files} input(s)"), enabled)
    }

    /// Starts counting finished cases out of `cases` (for `batch`); [`Progress::done`] counts
    /// one case per unit.
    pub fn start_cases(cases: usize, enabled: bool) -> Progress {
        let template = "{spinner} {msg} [{bar:24}] {pos}/{len} cases {elapsed}";
        Progress::begin(cases as u64, template, "analysing".to_string(), enabled)
    }

    fn begin(total: u64, template: &str, message: String, enabled: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(message);
        let stop = Arc::new(AtomicBool::new(false));
        let shown = enabled && std::io::stderr().is_terminal();
        let delay = delay();
        let waiter = if !shown {
            None
        } else if delay.is_zero() {
            show(&bar);
            None
        } else {
            let (bar, stop) = (bar.clone(), Arc::clone(&stop));
            Some(std::thread::spawn(move || wait_then_show(&bar, &stop, delay)))
        };
        Progress { bar, stop, waiter }
    }

    /// Records `units` more done: bytes of a finished input, or one case.
    pub fn done(&self, units: u64) {
        self.bar.inc(units);
    }

    /// Stops and clears the bar.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.join();
        }
        self.bar.finish_and_clear();
    }
}

fn delay() -> Duration {
    std::env::var(DELAY_VAR)
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(DEFAULT_DELAY, Duration::from_millis)
}

fn show(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(TICK);
    bar.tick();
}

fn wait_then_show(bar: &ProgressBar, stop: &AtomicBool, delay: Duration) {
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        if started.elapsed() >= delay {
            show(bar);
            return;
        }
        std::thread::sleep(TICK.min(delay));
    }
}
