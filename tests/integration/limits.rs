//! The limits that bound one run: the stream size (standard input and named pipes), the
//! per-file work budget, and, behind `BACKUPDIAG_STREAM_TEST=1`, a 10 GiB stream through
//! standard input in bounded memory.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::{servicing_line, TempCase};

fn cbs_lines(n: usize) -> String {
    (0..n)
        .map(|i| {
            let time = format!("2024-05-10 13:{:02}:{:02}", (i / 60) % 60, i % 60);
            servicing_line(
                &time,
                "Info",
                "CBS",
                &format!("Read out cached package applicability {i}"),
            ) + "\r\n"
        })
        .collect()
}

/// backupdiag with `args`, `stdin` written to its standard input.
fn with_stdin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backupdiag"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // A reader that stops at its limit closes the pipe: the writer's error is expected.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_stream_is_read_up_to_max_stream_and_the_cut_says_how_to_raise_it() {
    let text = cbs_lines(200);
    let (code, stdout, stderr) = with_stdin(
        &["inputs", "--format", "json", "--max-stream", "4K", "-"],
        text.as_bytes(),
    );
    assert_eq!(code, 1, "a cut stream is a partial read: {stderr}");
    assert!(stderr.contains("--max-stream"), "{stderr}");
    let cut: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let cut_records = cut["files"][0]["records"].as_u64().expect("records");
    assert!(cut_records > 0 && cut_records < 200, "{cut_records}");
    let (code, stdout, stderr) = with_stdin(
        &["inputs", "--format", "json", "--max-stream", "1M", "-"],
        text.as_bytes(),
    );
    assert_eq!(code, 0, "{stderr}");
    let whole: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(whole["files"][0]["records"], 200);
}

#[test]
fn sizes_that_are_not_sizes_are_usage_errors() {
    for bad in ["0", "12Q", "lots", "99999999999T"] {
        let (code, _, stderr) = with_stdin(&["inputs", "--max-stream", bad, "-"], b"");
        assert_eq!(code, 2, "--max-stream {bad}: {stderr}");
    }
    let (code, _, _) = with_stdin(&["inputs", "--max-records", "0", "-"], b"");
    assert_eq!(code, 2);
}

#[test]
fn a_file_over_the_work_budget_is_read_up_to_it_and_named_the_same_way_every_time() {
    let case = TempCase::new();
    case.write("CBS.log", cbs_lines(100));
    let demo = crate::util::repo_root().join("fixtures/demo/System.evtx");
    std::fs::copy(demo, case.path().join("System.evtx")).expect("copy");
    let first = case.run(&["inputs", "--format", "json", "--max-records", "10", "."]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let json = first.json();
    for file in json["files"].as_array().expect("files") {
        assert_eq!(file["records"], 10, "{file}");
    }
    for name in ["CBS.log", "System.evtx"] {
        assert!(
            first
                .stderr
                .lines()
                .any(|l| l.contains(name) && l.contains("per-file work budget") && l.contains("--max-records")),
            "{name}: {}",
            first.stderr
        );
    }
    let again = case.run(&["inputs", "--format", "json", "--max-records", "10", "."]);
    assert_eq!(
        again.stdout, first.stdout,
        "the budget cuts at the same place every run"
    );
    let whole = case.run(&["inputs", "--format", "json", "."]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
}

/// The peak resident memory of process `pid` so far (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// 10 GiB of CBS-shaped lines through standard input: read up to the stream limit (256 MiB by
/// default), analysed, the cut reported, in memory bounded by the limit and not by the
/// stream. Opt-in: it streams a quarter gigabyte and takes about half a minute. (Every
/// servicing line is held as an event today, about 6 bytes of memory per byte read; keeping
/// less is the work of "Analyze at reading speed in bounded memory".)
#[test]
fn ten_gib_through_standard_input_in_bounded_memory() {
    if std::env::var_os("BACKUPDIAG_STREAM_TEST").is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: set BACKUPDIAG_STREAM_TEST=1 for the 10 GiB stream test"
        );
        return;
    }
    const TOTAL: u64 = 10 << 30;
    const PEAK_LIMIT_MIB: u64 = 2 * 1024;
    let mut child = Command::new(env!("CARGO_BIN_EXE_backupdiag"))
        .args(["analyze", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let block = cbs_lines(10_000);
        let mut sent = 0u64;
        while sent < TOTAL {
            if input.write_all(block.as_bytes()).is_err() {
                break;
            }
            sent += block.len() as u64;
        }
        sent
    });
    let mut peak = 0;
    while child.try_wait().expect("wait").is_none() {
        peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let sent = writer.join().expect("writer");
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--max-stream"), "{stderr}");
    assert!(
        sent < TOTAL,
        "the reader stopped at its limit, the writer was cut off: {sent}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(report["hypotheses"].is_array());
    let peak_mib = peak / 1024;
    let _ = writeln!(
        std::io::stderr(),
        "10 GiB stream: {sent} bytes written, peak RSS {peak_mib} MiB"
    );
    assert!(peak_mib < PEAK_LIMIT_MIB, "peak RSS {peak_mib} MiB");
}
