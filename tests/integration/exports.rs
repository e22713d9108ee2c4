//! `timeline --format csv` and `--format timesketch`: the CSV has one row per timeline event
//! with the same values as the JSON Lines; every Timesketch line carries the three fields
//! Timesketch documents as mandatory (`message`, `datetime` in ISO 8601, `timestamp_desc`),
//! untimed events are left out and counted, and an unanchored local time says so.

use std::str::FromStr;

use crate::util::{repo_root, run, servicing_line, TempCase};

/// Splits RFC 4180 CSV into rows of fields (quoted fields may hold commas, quotes, breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn csv_rows_match_the_json_lines() {
    let csv = run(&["timeline", "--format", "csv", "fixtures/demo"]);
    let jsonl = run(&["timeline", "--format", "jsonl", "fixtures/demo"]).jsonl();
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let rows = parse_csv(&csv.stdout);
    let header = &rows[0];
    assert_eq!(header.len(), 14);
    assert_eq!(&header[..4], ["time", "local_time", "clock", "source"]);
    assert_eq!(rows.len() - 1, jsonl.len(), "one row per event");
    let column = |name: &str| header.iter().position(|h| h == name).expect("column");
    for (row, event) in rows[1..].iter().zip(&jsonl) {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert_eq!(row[column("provider")], event["provider"].as_str().unwrap_or_default());
        let id = event["event_id"].as_u64().map(|i| i.to_string()).unwrap_or_default();
        assert_eq!(row[column("event_id")], id);
        assert_eq!(row[column("time")], event["time"].as_str().unwrap_or_default());
        let fields: serde_json::Value = serde_json::from_str(&row[column("fields")]).expect("fields are JSON");
        assert_eq!(fields, event["fields"]);
    }
}

/// The Timesketch lines, the stderr and the exit code.
fn timesketch_lines(args: &[&str]) -> (Vec<serde_json::Value>, String, i32) {
    let mut all = vec!["timeline", "--format", "timesketch"];
    all.extend_from_slice(args);
    let out = run(&all);
    (out.jsonl(), out.stderr, out.code)
}

#[test]
fn timesketch_lines_carry_the_mandatory_fields() {
    let (lines, stderr, code) = timesketch_lines(&["fixtures/demo"]);
    assert_eq!(code, 0, "{stderr}");
    let jsonl = run(&["timeline", "--format", "jsonl", "fixtures/demo"]).jsonl();
    assert_eq!(lines.len(), jsonl.len());
    for line in &lines {
        for key in ["message", "datetime", "timestamp_desc"] {
            assert!(
                line[key].as_str().is_some_and(|v| !v.trim().is_empty()),
                "{key} missing: {line}"
            );
        }
        let datetime = line["datetime"].as_str().unwrap_or_default();
        assert!(datetime.ends_with("+00:00"), "ISO 8601 with its offset: {datetime}");
        let at = jiff::Timestamp::from_str(datetime).expect("ISO 8601");
        assert_eq!(line["timestamp"], at.as_microsecond(), "timestamp in microseconds");
    }
}

#[test]
fn untimed_events_are_left_out_and_counted() {
    let mut tried = 0;
    for entry in std::fs::read_dir(repo_root().join("fixtures/tickets")).expect("tickets") {
        let path = entry.expect("entry").path().join("ticket.txt");
        if !path.is_file() {
            continue;
        }
        let path = path.to_string_lossy().into_owned();
        let (lines, stderr, code) = timesketch_lines(&[&path]);
        if code == 2 {
            continue; // nothing in it backupdiag reads
        }
        let total = run(&["inputs", "--format", "json", &path]).json()["events"]
            .as_u64()
            .unwrap_or(0);
        let untimed: u64 = stderr
            .lines()
            .filter(|l| l.contains("event(s) without a time"))
            .find_map(|l| l.strip_prefix("backupdiag: note: "))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert_eq!(lines.len() as u64 + untimed, total, "{path}: {stderr}");
        assert!(lines.iter().all(|l| l["clock"] != "none"), "{path}");
        tried += u64::from(untimed > 0);
    }
    assert!(tried >= 10, "tickets with untimed events: {tried}");
}

#[test]
fn an_unanchored_local_time_is_exported_as_read_and_says_so() {
    let case = TempCase::new();
    let line = servicing_line(
        "2024-05-13 19:01:05",
        "Error",
        "DISM",
        "DISM Package Manager: PID=1 TID=2 Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)",
    );
    case.write("dism.log", line + "\r\n");
    let out = case.run(&["timeline", "--format", "timesketch", "dism.log"]);
    let lines = out.jsonl();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert_eq!(lines[0]["clock"], "local-unanchored");
    assert_eq!(lines[0]["datetime"], "2024-05-13T19:01:05+00:00");
    assert_eq!(lines[0]["timestamp_desc"], "Log Line Written");
}
