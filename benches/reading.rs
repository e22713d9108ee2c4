//! The targets of "analyze at reading speed in bounded memory", each as a ratio against a
//! reference measured in the same run (the machine is noisy; ratios travel, seconds do not):
//!
//! 1. a 256 MiB CBS.log (the real CBS logs of `../shared/corpus/text` repeated, or a generated
//!    one without it): `inputs` and `analyze` against `LC_ALL=C grep -c ', Error'` on the same
//!    file (targets 2.0 and 2.5); then a 1 GiB one: time against four times the 256 MiB time
//!    (target 1.15) and peak resident memory of `inputs` and `analyze` (target 256 MiB); the
//!    same for the forge's healthy Windows 11 case at about 1 GiB (mostly System.evtx);
//! 2. `analyze` over `../shared/corpus/evtx` against the `evtx` crate's bare parse of the same
//!    files (every record rendered to JSON, files in parallel; target 1.0).
//!
//! Each backupdiag run is a process of the release binary, timed whole. Run with
//! `cargo bench --bench reading`; `BACKUPDIAG_BENCH=text`, `forge` or `evtx` runs one part.

mod common;

use common::{evtx_files, median};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rayon::prelude::*;

const ROUNDS: usize = 5;
/// Rounds of the evtx part: its runs take a tenth of a second and its target is tight (1.0), so
/// its medians are taken over more of them.
const EVTX_ROUNDS: usize = 15;
const TEXT_BYTES: u64 = 256 << 20;

/// Runs `program args` to its end with output discarded; returns the wall time (to the moment
/// it ends: the wait blocks) and the peak resident memory in KiB (VmHWM, polled from /proc by
/// another thread while it runs).
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the program starts");
    let status_file = format!("/proc/{}/status", child.id());
    let running = std::sync::atomic::AtomicBool::new(true);
    let (elapsed, peak) = std::thread::scope(|scope| {
        let poller = scope.spawn(|| {
            let mut peak = 0;
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(status) = std::fs::read_to_string(&status_file) {
                    let hwm = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.split_whitespace().next()?.parse().ok())
                        .unwrap_or(0);
                    peak = peak.max(hwm);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            peak
        });
        child.wait().expect("wait");
        let elapsed = start.elapsed();
        running.store(false, std::sync::atomic::Ordering::Relaxed);
        (elapsed, poller.join().expect("poller"))
    });
    (elapsed, peak)
}

/// Median time and largest peak of `ROUNDS` runs.
fn measure(program: &str, args: &[&str], env: &[(&str, &str)]) -> (Duration, u64) {
    let runs: Vec<(Duration, u64)> = (0..ROUNDS).map(|_| run(program, args, env)).collect();
    let peak = runs.iter().map(|r| r.1).max().unwrap_or(0);
    (median(runs.into_iter().map(|r| r.0).collect()), peak)
}

/// A CBS.log of `bytes` in `dir`: the corpus's real CBS logs repeated, else generated lines.
fn write_text_case(dir: &Path, corpus: &Path, bytes: u64) -> &'static str {
    let mut parts: Vec<Vec<u8>> = std::fs::read_dir(corpus)
        .map(|entries| {
            let mut names: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with("CBS.log"))
                .collect();
            names.sort();
            names.iter().filter_map(|p| std::fs::read(p).ok()).collect()
        })
        .unwrap_or_default();
    let from = if parts.is_empty() {
        let line = "2024-05-10 13:00:00, Info                  CBS    Read out cached package applicability for package: Package_for_KB5034441~31bf3856ad364e35~amd64~~19041.3920.1.1, ApplicableState: 112, CurrentState:112\r\n";
        parts.push(line.repeat(4096).into_bytes());
        "generated lines"
    } else {
        "the corpus's CBS logs"
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join("CBS.log")).expect("create"));
    let mut written = 0u64;
    while written < bytes {
        for part in &parts {
            file.write_all(part).expect("write");
            written += part.len() as u64;
            if !part.ends_with(b"\n") {
                file.write_all(b"\r\n").expect("write");
                written += 2;
            }
        }
    }
    file.flush().expect("flush");
    from
}

/// The evtx reference: every record rendered to JSON by the crate, files in parallel.
fn bare_parse(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|path| {
            let settings = evtx::ParserSettings::new().num_threads(1).indent(false);
            evtx::EvtxParser::from_path(path).map_or(0, |parser| {
                parser
                    .with_configuration(settings)
                    .records_json()
                    .filter_map(Result::ok)
                    .count()
            })
        })
        .sum()
}

fn ratio_line(what: &str, ours: Duration, reference: Duration, target: f64) {
    let ratio = ours.as_secs_f64() / reference.as_secs_f64();
    let verdict = if ratio <= target { "met" } else { "not met" };
    println!(
        "{what:<34} {:>8.0} ms vs {:>8.0} ms  ratio {ratio:>5.2}  (target {target:.2}: {verdict})",
        ours.as_secs_f64() * 1e3,
        reference.as_secs_f64() * 1e3
    );
}

/// Whether the part `name` runs (all of them unless `BACKUPDIAG_BENCH` names one).
fn part(name: &str) -> bool {
    std::env::var("BACKUPDIAG_BENCH").map_or(true, |only| only == name)
}

fn main() {
    let ours = env!("CARGO_BIN_EXE_backupdiag");
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if part("text") {
        text(ours, &shared);
    }
    if part("forge") {
        forge(ours);
    }
    if part("evtx") {
        evtx(ours, &shared);
    }
}

/// The 256 MiB and 1 GiB CBS.log.
fn text(ours: &str, shared: &Path) {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = write_text_case(dir.path(), &shared.join("text"), TEXT_BYTES);
    let case = dir.path().to_string_lossy().into_owned();
    let file = dir.path().join("CBS.log").to_string_lossy().into_owned();
    let c_locale = [("LC_ALL", "C")];
    let _ = run("grep", &["-c", ", Error", &file], &c_locale); // warm the page cache
    let (grep, _) = measure("grep", &["-c", ", Error", &file], &c_locale);
    let (inputs, _) = measure(ours, &["inputs", "--format", "json", &case], &[]);
    let (analyze, peak) = measure(ours, &["analyze", "--format", "json", &case], &[]);
    println!("text: a 256 MiB CBS.log from {from}");
    ratio_line("inputs vs grep -c", inputs, grep, 2.0);
    ratio_line("analyze vs grep -c", analyze, grep, 2.5);
    println!("{:<34} {:>8} MiB for 256 MiB of input", "analyze peak RSS", peak / 1024);
    drop(dir);

    // Four times the size: time linear in it, memory bounded.
    let big = tempfile::tempdir().expect("tempdir");
    write_text_case(big.path(), &shared.join("text"), 4 * TEXT_BYTES);
    let big_case = big.path().to_string_lossy().into_owned();
    let (big_inputs, big_inputs_peak) = measure(ours, &["inputs", "--format", "json", &big_case], &[]);
    let (big_analyze, big_peak) = measure(ours, &["analyze", "--format", "json", &big_case], &[]);
    println!("text: a 1 GiB CBS.log from {from}");
    ratio_line("1 GiB inputs vs 4x 256 MiB", big_inputs, inputs * 4, 1.15);
    ratio_line("1 GiB analyze vs 4x 256 MiB", big_analyze, analyze * 4, 1.15);
    for (what, kib) in [
        ("1 GiB inputs peak RSS", big_inputs_peak),
        ("1 GiB analyze peak RSS", big_peak),
    ] {
        let verdict = if kib <= 256 * 1024 { "met" } else { "not met" };
        println!("{what:<34} {:>8} MiB (target 256 MiB: {verdict})", kib / 1024);
    }
    drop(big);
}

/// The forge's healthy Windows 11 case at about 1 GiB, against a quarter of it.
fn forge(ours: &str) {
    // The forge's healthy Windows 11 case scaled to about 1 GiB (a System.evtx of 0.7 GiB and a
    // CBS.log of 0.3 GiB), against one of about a quarter of it.
    let forge_case = |scale: u32| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/healthy-win11.toml");
        let text = std::fs::read_to_string(&path).expect("scenario");
        let scenario = backupdiag_forge::scenario::Scenario::from_toml("healthy-win11", &text).expect("scenario");
        backupdiag_forge::bundle::write_folder(&scenario, dir.path(), scale).expect("bundle");
        dir
    };
    let (quarter, whole) = (forge_case(1150), forge_case(4600));
    let size = |dir: &Path| -> u64 {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let (quarter_path, whole_path) = (
        quarter.path().to_string_lossy().into_owned(),
        whole.path().to_string_lossy().into_owned(),
    );
    println!(
        "forge: healthy-win11 at {} MiB and {} MiB",
        size(quarter.path()) >> 20,
        size(whole.path()) >> 20
    );
    for command in ["inputs", "analyze"] {
        let (small, _) = measure(ours, &[command, "--format", "json", &quarter_path], &[]);
        let (large, peak) = measure(ours, &[command, "--format", "json", &whole_path], &[]);
        ratio_line(
            &format!("forge 1 GiB {command} vs 4x a quarter"),
            large,
            small * 4,
            1.15,
        );
        let verdict = if peak <= 256 * 1024 { "met" } else { "not met" };
        println!(
            "{:<34} {:>8} MiB (target 256 MiB: {verdict})",
            format!("forge 1 GiB {command} peak RSS"),
            peak / 1024
        );
    }
    drop((quarter, whole));
}

/// `analyze` over the evtx corpus against the crate's bare parse.
fn evtx(ours: &str, shared: &Path) {
    let mut files = Vec::new();
    evtx_files(&shared.join("evtx"), &mut files);
    if files.is_empty() {
        println!("evtx: skipped, no corpus at {}", shared.join("evtx").display());
        return;
    }
    let evtx = shared.join("evtx").to_string_lossy().into_owned();
    let _ = bare_parse(&files);
    let mut reference = Vec::new();
    let mut analyzed = Vec::new();
    for _ in 0..EVTX_ROUNDS {
        let start = Instant::now();
        let records = bare_parse(&files);
        reference.push(start.elapsed());
        assert!(records > 0);
        analyzed.push(run(ours, &["analyze", "--format", "json", &evtx], &[]).0);
    }
    println!("evtx: {} files of ../shared/corpus/evtx", files.len());
    ratio_line(
        "analyze vs the crate's bare parse",
        median(analyzed),
        median(reference),
        1.0,
    );
}
