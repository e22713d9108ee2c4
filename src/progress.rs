//! A progress line on stderr for long runs: shown only on a terminal, only after the run has
//! taken a second, and erased when the work is done, so piped output never sees it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Counts finished files and, from a helper thread, shows the count.
#[derive(Debug)]
pub struct Progress {
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing progress over `total` files when `enabled` and stderr is a terminal.
    pub fn start(total: usize, enabled: bool) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = (enabled && std::io::stderr().is_terminal()).then(|| {
            let (done, stop) = (Arc::clone(&done), Arc::clone(&stop));
            std::thread::spawn(move || show(total, &done, &stop))
        });
        Progress { done, stop, thread }
    }

    /// Records one more finished file.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops and erases the progress line.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn show(total: usize, done: &AtomicUsize, stop: &AtomicBool) {
    let started = Instant::now();
    let mut shown = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        if started.elapsed() >= Duration::from_secs(1) {
            let line = format!("\rreading files: {}/{total}", done.load(Ordering::Relaxed));
            let _ = std::io::stderr().write_all(line.as_bytes());
            shown = true;
        }
    }
    if shown {
        let _ = std::io::stderr().write_all(b"\r\x1b[2K");
    }
}
