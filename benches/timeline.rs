//! Times `timeline --format jsonl` over the real evtx corpus (`../shared/corpus/evtx`) against
//! the evtx crate's own JSON rendering of the same files (every record to a string, files in
//! parallel), in the same run, and prints the ratio. Run with `cargo bench --bench timeline`.
//! Skips when the corpus is absent.

mod common;

use common::{evtx_files, median};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use backupdiag::config::{Command, Config, TimelineFormat};
use backupdiag::input::InputLimits;

const ROUNDS: usize = 7;

/// The reference: evtx's JSON rendering of every record, files in parallel.
fn reference(files: &[PathBuf]) -> (usize, usize) {
    files
        .par_iter()
        .map(|path| {
            let settings = evtx::ParserSettings::new().num_threads(1).indent(false);
            let Ok(parser) = evtx::EvtxParser::from_path(path) else {
                return (0, 0);
            };
            let mut parser = parser.with_configuration(settings);
            parser
                .records_json()
                .filter_map(Result::ok)
                .fold((0, 0), |(n, b), r| (n + 1, b + r.data.len()))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Ours: the whole `timeline --format jsonl` run into a buffer.
fn ours(corpus: &Path) -> (usize, usize) {
    let config = Config {
        command: Command::Timeline {
            format: TimelineFormat::Jsonl,
            since: None,
            until: None,
        },
        paths: vec![corpus.to_path_buf()],
        zone: None,
        limits: InputLimits::default(),
        computer: None,
        color: backupdiag::config::ColorChoice::Never,
        redact: false,
        progress: false,
        lang: backupdiag::config::Lang::En,
        exits_after: false,
    };
    let mut out = Vec::with_capacity(64 << 20);
    let mut err = Vec::new();
    let _ = backupdiag::run(&config, &mut out, &mut err);
    (out.iter().filter(|b| **b == b'\n').count(), out.len())
}

fn time<T>(f: impl Fn() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(ROUNDS);
    let mut last = None;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    (median(times), last.expect("at least one round"))
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/evtx");
    let mut files = Vec::new();
    evtx_files(&corpus, &mut files);
    if files.is_empty() {
        println!("timeline bench: skipped, no corpus at {}", corpus.display());
        return;
    }
    // Warm the page cache and both code paths once.
    let _ = reference(&files);
    let _ = ours(&corpus);
    let mut ref_times = Vec::new();
    let mut our_times = Vec::new();
    let (mut ref_counts, mut our_counts) = ((0, 0), (0, 0));
    // Interleave the two so machine noise hits both alike.
    for _ in 0..ROUNDS {
        let (t, c) = time(|| reference(&files));
        ref_times.push(t);
        ref_counts = c;
        let (t, c) = time(|| ours(&corpus));
        our_times.push(t);
        our_counts = c;
    }
    let (r, o) = (median(ref_times), median(our_times));
    println!("files: {}", files.len());
    println!(
        "evtx records_json (reference): {:>8.1} ms  {} records, {} bytes",
        r.as_secs_f64() * 1e3,
        ref_counts.0,
        ref_counts.1
    );
    println!(
        "backupdiag timeline jsonl:     {:>8.1} ms  {} events, {} bytes",
        o.as_secs_f64() * 1e3,
        our_counts.0,
        our_counts.1
    );
    println!("ratio (ours / reference): {:.2}", o.as_secs_f64() / r.as_secs_f64());
}
