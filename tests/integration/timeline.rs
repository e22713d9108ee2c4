//! The timeline contract: JSON Lines only on stdout, time order, clocks never mixed silently,
//! filters, determinism.

use crate::util::{run, servicing_line, TempCase};

fn dism_only_case() -> TempCase {
    let case = TempCase::new();
    let lines = [
        servicing_line(
            "2012-10-21 08:00:00",
            "Info",
            "DISM",
            "DISM.EXE: <----- Starting Dism.exe session ----->",
        ),
        servicing_line(
            "2012-10-21 08:30:00",
            "Error",
            "DISM",
            "DISM Package Manager: PID=1 TID=2 Failed to restore the image health. (hr:0x800f081f)",
        ),
        servicing_line(
            "2012-10-21 09:00:00",
            "Info",
            "DISM",
            "DISM.EXE: <----- Ending Dism.exe session ----->",
        ),
    ];
    case.write("dism.log", lines.join("\r\n"));
    case
}

#[test]
fn jsonl_is_one_object_per_event_in_time_order_and_warnings_go_to_stderr() {
    let case = dism_only_case();
    case.write("notes.md", "# not a log\n");
    let out = case.run(&["timeline", "--format", "jsonl", "."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let events = out.jsonl();
    assert_eq!(events.len(), 3);
    assert!(out.stderr.contains("skipped: ./notes.md"), "{}", out.stderr);
    let times: Vec<&str> = events
        .iter()
        .map(|e| e["local_time"].as_str().expect("local"))
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert_eq!(events[1]["fields"]["hresult"], "0x800f081f");
    assert_eq!(events[1]["level"], "error");
    assert_eq!(events[1]["line"], 2);
}

#[test]
fn local_times_without_an_anchor_are_flagged_not_passed_off_as_utc() {
    let case = dism_only_case();
    let out = case.run(&["timeline", "--format", "jsonl", "dism.log"]);
    let first = &out.jsonl()[0];
    assert_eq!(first["time"], serde_json::Value::Null);
    assert_eq!(first["clock"], "local-unanchored");
    assert_eq!(first["local_time"], "2012-10-21T08:00:00");
    let table = case.run(&["timeline", "dism.log"]);
    assert!(
        table
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|row| row.starts_with("2012-10-21T08:00:00 (local)")),
        "{}",
        table.stdout
    );
    let inputs = case.run(&["inputs", "dism.log"]);
    assert!(inputs.stdout.contains("unanchored"), "{}", inputs.stdout);
}

#[test]
fn tz_anchors_local_logs_with_daylight_saving_time() {
    let case = TempCase::new();
    let lines = [
        servicing_line(
            "2012-03-24 12:00:00",
            "Info",
            "DISM",
            "before the change to summer time",
        ),
        servicing_line("2012-03-26 12:00:00", "Info", "DISM", "after the change to summer time"),
    ];
    case.write("dism.log", lines.join("\r\n"));
    let out = case.run(&["timeline", "--format", "jsonl", "--tz", "Europe/Berlin", "dism.log"]);
    let events = out.jsonl();
    assert_eq!(events[0]["time"], "2012-03-24T11:00:00Z");
    assert_eq!(events[1]["time"], "2012-03-26T10:00:00Z");
    assert_eq!(events[1]["clock"], "local-anchored");
    let fixed = case.run(&["timeline", "--format", "jsonl", "--tz", "+09:00", "dism.log"]);
    assert_eq!(fixed.jsonl()[0]["time"], "2012-03-24T03:00:00Z");
}

#[test]
fn since_and_until_keep_the_events_between() {
    let case = dism_only_case();
    let out = case.run(&[
        "timeline",
        "--format",
        "jsonl",
        "--tz",
        "+09:00",
        "--since",
        "2012-10-21 08:15",
        "--until",
        "2012-10-20T23:59:59Z",
        "dism.log",
    ]);
    let events = out.jsonl();
    assert_eq!(events.len(), 1, "{}", out.stdout);
    assert_eq!(events[0]["local_time"], "2012-10-21T08:30:00");
}

#[test]
fn output_is_the_same_on_every_run() {
    let first = run(&["timeline", "--format", "jsonl", "fixtures/demo"]);
    for _ in 0..3 {
        assert_eq!(
            run(&["timeline", "--format", "jsonl", "fixtures/demo"]).stdout,
            first.stdout
        );
    }
    assert!(!first.stdout.is_empty());
}
