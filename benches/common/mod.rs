//! What the benchmarks share: the median of timed rounds, and the evtx files of a folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The median of `times` (the upper one of an even count).
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Every `.evtx` file under `dir`, recursively.
#[allow(dead_code)] // not every benchmark reads evtx files
pub fn evtx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            evtx_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "evtx") {
            out.push(path);
        }
    }
}
