//! Per-case overhead of `batch`: 1,000 small generated cases analysed by one `batch` run
//! against the sum of single `analyze --format json` runs of the same cases in the same
//! process (so process start-up is left out), both on one thread so the ratio measures
//! overhead, not parallelism; then `batch` on every core, for the record. Target: at most 1.2.
//! Run with `cargo bench --bench batch`.

mod common;

use common::median;

use std::path::{Path, PathBuf};
use std::time::Instant;

use backupdiag::config::{AnalyzeFormat, ColorChoice, Command, Config};
use backupdiag::input::InputLimits;
use backupdiag_forge::bundle::write_folder;
use backupdiag_forge::scenario::Scenario;

const CASES: usize = 1000;
const ROUNDS: usize = 3;
const TARGET: f64 = 1.2;

/// Small scenarios, generated once each and copied to make up the cases.
const SCENARIOS: &[&str] = &[
    "cause-target-full.toml",
    "cause-usb-connection.toml",
    "cause-vss-writer-failed.toml",
    "cause-shadow-storage.toml",
    "healthy-win11.toml",
];

fn config(command: Command, paths: Vec<PathBuf>) -> Config {
    Config {
        command,
        paths,
        zone: None,
        limits: InputLimits::default(),
        progress: false,
        computer: None,
        color: ColorChoice::Never,
        redact: false,
        lang: backupdiag::config::Lang::En,
        exits_after: false,
    }
}

fn generate(root: &Path) -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut templates = Vec::new();
    for name in SCENARIOS {
        let text = std::fs::read_to_string(fixtures.join(name)).expect("scenario");
        let scenario = Scenario::from_toml(name, &text).expect("scenario parses");
        let dir = root.join("templates").join(name);
        write_folder(&scenario, &dir, 1).expect("bundle");
        templates.push(dir);
    }
    let cases = root.join("cases");
    (0..CASES)
        .map(|i| {
            let case = cases.join(format!("case-{i:04}"));
            std::fs::create_dir_all(&case).expect("case folder");
            let template = &templates[i % templates.len()];
            for file in std::fs::read_dir(template).expect("template") {
                let file = file.expect("entry").path();
                std::fs::copy(&file, case.join(file.file_name().expect("name"))).expect("copy");
            }
            case
        })
        .collect()
}

fn singles(cases: &[PathBuf]) -> usize {
    cases
        .iter()
        .map(|case| {
            let command = Command::Analyze {
                format: AnalyzeFormat::Json,
                fail_on: None,
            };
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let _ = backupdiag::run(&config(command, vec![case.clone()]), &mut out, &mut err);
            out.len()
        })
        .sum()
}

fn batch(root: &Path) -> usize {
    let command = Command::Batch {
        format: AnalyzeFormat::Json,
        out_dir: None,
        shard: None,
        fail_on: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let _ = backupdiag::run(&config(command, vec![root.join("cases")]), &mut out, &mut err);
    out.len()
}

fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let cases = generate(root.path());
    println!(
        "{} cases generated in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    // Warm the page cache and both paths.
    let _ = one.install(|| (singles(&cases), batch(root.path())));
    let (mut single_times, mut batch_times, mut parallel_times) = (Vec::new(), Vec::new(), Vec::new());
    let (mut single_bytes, mut batch_bytes) = (0, 0);
    // Interleaved, so machine noise hits both alike.
    for _ in 0..ROUNDS {
        let start = Instant::now();
        single_bytes = one.install(|| singles(&cases));
        single_times.push(start.elapsed());
        let start = Instant::now();
        batch_bytes = one.install(|| batch(root.path()));
        batch_times.push(start.elapsed());
        let start = Instant::now();
        let _ = batch(root.path());
        parallel_times.push(start.elapsed());
    }
    let (s, b, p) = (median(single_times), median(batch_times), median(parallel_times));
    println!(
        "sum of single analyze runs (1 thread): {:>8.1} ms  {single_bytes} bytes of JSON",
        s.as_secs_f64() * 1e3
    );
    println!(
        "batch (1 thread):                      {:>8.1} ms  {batch_bytes} bytes of JSON Lines",
        b.as_secs_f64() * 1e3
    );
    println!(
        "batch (all cores):                     {:>8.1} ms",
        p.as_secs_f64() * 1e3
    );
    let ratio = b.as_secs_f64() / s.as_secs_f64();
    let verdict = if ratio <= TARGET { "within" } else { "OVER" };
    println!("ratio (batch / sum of singles, 1 thread): {ratio:.2} ({verdict} the {TARGET} target)");
}
