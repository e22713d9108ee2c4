//! Honest times, clocks, computers and statuses: a local time is never shown as UTC, every time
//! keeps its precision, impossible times are named, offsets are borrowed only within one
//! folder and one story, a case says which computer it is, and status has one definition.

use crate::util::{run_in, servicing_line, TempCase};

/// An event as "Save as XML" writes it.
fn event_xml(computer: &str, time: &str, provider: &str, id: u32, data: &str) -> String {
    format!(
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"{provider}\"/><EventID>{id}</EventID><Level>2</Level><TimeCreated SystemTime=\"{time}\"/><Channel>Application</Channel><Computer>{computer}</Computer></System><EventData>{data}</EventData></Event>\r\n"
    )
}

fn backup_failure(computer: &str, time: &str) -> String {
    event_xml(
        computer,
        time,
        "Microsoft-Windows-Backup",
        517,
        "<Data Name=\"BackupTime\">x</Data><Data Name=\"ErrorCode\">0x8007045D</Data>",
    )
}

#[test]
fn an_unanchored_local_time_is_never_shown_as_utc() {
    let case = TempCase::new();
    let lines = [
        servicing_line("2024-05-13 19:01:00", "Info", "DISM", "DISM.EXE: <----- Starting Dism.exe session ----->"),
        servicing_line(
            "2024-05-13 19:01:05",
            "Error",
            "DISM",
            "DISM Package Manager: PID=1 TID=2 Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)",
        ),
    ];
    case.write("dism.log", lines.join("\r\n") + "\r\n");
    let table = case.run(&["analyze", "dism.log"]);
    assert!(table.stdout.contains("2024-05-13 19:01 (local)"), "{}", table.stdout);
    assert!(!table.stdout.contains("19:01 UTC"), "{}", table.stdout);
    let json = case.run(&["analyze", "--format", "json", "dism.log"]).json();
    let milestone = json["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .find(|m| m["kind"] == "repair")
        .expect("the failed repair is a milestone");
    assert_eq!(milestone["time"], serde_json::Value::Null);
    assert_eq!(milestone["local_time"], "2024-05-13T19:01:05");
    assert_eq!(milestone["clock"], "local-unanchored");
}

#[test]
fn a_month_from_the_users_notes_stays_a_month() {
    let case = TempCase::new();
    case.write(
        "history.txt",
        "2012年3月 システムイメージを作成\n2012年5月 OSをクリーンインストール\n2012-08-25 BIOS から UEFI に切り替え\n",
    );
    let json = case
        .run(&["analyze", "--tz", "Asia/Tokyo", "--format", "json", "history.txt"])
        .json();
    let reported: Vec<&serde_json::Value> = json["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .filter(|m| m["kind"] == "reported")
        .collect();
    assert_eq!(reported.len(), 3);
    assert_eq!(reported[0]["local_time"], "2012-03");
    assert_eq!(reported[0]["precision"], "month");
    assert_eq!(reported[0]["time"], serde_json::Value::Null, "a month is no instant");
    assert_eq!(reported[2]["local_time"], "2012-08-25");
    assert_eq!(reported[2]["precision"], "day");
    let table = case.run(&["analyze", "--tz", "Asia/Tokyo", "history.txt"]);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.trim_start().starts_with("2012-03 ") && l.contains("reported by the user")),
        "{}",
        table.stdout
    );
}

#[test]
fn an_ambiguous_date_is_flagged_wherever_it_is_shown() {
    let case = TempCase::new();
    case.write(
        "event.txt",
        "Log Name:      System\r\nSource:        Disk\r\nDate:          05/06/2024 08:00:00\r\nEvent ID:      7\r\nLevel:         Error\r\nDescription:\r\nThe device, \\Device\\Harddisk0\\DR0, has a bad block.\r\n",
    );
    let timeline = case.run(&["timeline", "event.txt"]);
    assert!(timeline.stdout.contains("(day/month?)"), "{}", timeline.stdout);
    let inputs = case.run(&["inputs", "--format", "json", "event.txt"]).json();
    assert_eq!(inputs["files"][0]["first"]["ambiguous_date"], true, "{inputs}");
    let analysis = case.run(&["analyze", "--format", "json", "event.txt"]).json();
    let evidence = analysis["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .flat_map(|h| h["evidence"].as_array().cloned().unwrap_or_default())
        .find(|e| e["location"].as_str().is_some_and(|l| l.starts_with("event.txt")))
        .expect("the pasted disk 7 is evidence");
    assert_eq!(evidence["ambiguous_date"], true, "{evidence}");
}

#[test]
fn an_empty_filetime_is_an_invalid_time_not_1601() {
    let case = TempCase::new();
    let xml = event_xml("PC1", "1601-01-01T00:00:00.0000000Z", "VSS", 8193, "<Data>x</Data>");
    case.write("event.xml", xml);
    let line = case.run(&["timeline", "--format", "jsonl", "event.xml"]).jsonl();
    assert_eq!(line[0]["clock"], "invalid");
    assert_eq!(line[0]["time"], serde_json::Value::Null);
    assert_eq!(line[0]["recorded_time"], "1601-01-01T00:00:00Z");
    let table = case.run(&["timeline", "event.xml"]);
    assert!(table.stdout.contains("invalid time (1601-01-01)"), "{}", table.stdout);
}

/// A CBS.log whose first session states `offset` (UTC `utc` for local `local`).
fn cbs_log(local: &str, utc: &str) -> String {
    [
        servicing_line(local, "Info", "CBS", "TI: --- Initializing Trusted Installer ---"),
        servicing_line(local, "Info", "CBS", &format!("Universal Time is: {utc}.000")),
        servicing_line(local, "Info", "CBS", "Exec: nothing to do"),
    ]
    .join("\r\n")
        + "\r\n"
}

fn dism_log(local: &str) -> String {
    servicing_line(
        local,
        "Info",
        "DISM",
        "DISM.EXE: <----- Starting Dism.exe session ----->",
    ) + "\r\n"
}

#[test]
fn offsets_are_borrowed_only_within_one_folder_and_one_story() {
    let case = TempCase::new();
    // Another machine's CBS.log, 2022, UTC+08:00.
    case.write("other/CBS.log", cbs_log("2022-03-01 10:00:00", "2022-03-01 02:00:00"));
    // This machine: a dism.log of 2024 with no sibling that states an offset.
    case.write("this/dism.log", dism_log("2024-05-20 10:00:01"));
    // Same folder, same story: the CBS.log of the same DISM session states UTC+01:00.
    case.write("same/CBS.log", cbs_log("2024-05-20 09:59:00", "2024-05-20 08:59:00"));
    case.write("same/dism.log", dism_log("2024-05-20 10:00:00"));
    // Same folder, another year: no story in common.
    case.write("stale/CBS.log", cbs_log("2019-01-01 10:00:00", "2019-01-01 01:00:00"));
    case.write("stale/dism.log", dism_log("2024-05-20 10:00:02"));
    let json = case.run(&["inputs", "--format", "json", "."]).json();
    let clock = |path: &str| {
        json["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["clock"].clone())
            .unwrap_or_else(|| panic!("{path} in {json}"))
    };
    assert_eq!(clock("./this/dism.log")["basis"], "unanchored");
    assert_eq!(clock("./same/dism.log")["basis"], "borrowed");
    assert_eq!(clock("./same/dism.log")["offset"], "+01:00");
    assert_eq!(clock("./stale/dism.log")["basis"], "unanchored");
}

#[test]
fn a_tz_that_contradicts_a_logs_own_offset_is_named() {
    let case = TempCase::new();
    case.write("CBS.log", cbs_log("2024-05-20 10:00:00", "2024-05-20 01:00:00"));
    let out = case.run(&["inputs", "--tz", "America/New_York", "CBS.log"]);
    assert!(
        out.stderr
            .contains("--tz America/New_York gives UTC-04:00 here, but the log states UTC+09:00"),
        "{}",
        out.stderr
    );
    let agreeing = case.run(&["inputs", "--tz", "Asia/Tokyo", "CBS.log"]);
    assert!(!agreeing.stderr.contains("--tz"), "{}", agreeing.stderr);
}

#[test]
fn a_case_names_its_computer_and_warns_when_there_are_several() {
    let case = TempCase::new();
    case.write("a/events.xml", backup_failure("PC-A", "2024-05-20T10:00:00.0000000Z"));
    case.write(
        "b/events.xml",
        backup_failure("PC-B.contoso.local", "2024-05-21T10:00:00.0000000Z"),
    );
    case.write("b/dism.log", dism_log("2024-05-21 10:00:00"));
    let mixed = case.run(&["analyze", "--format", "json", "."]);
    assert!(
        mixed.stderr.contains("the logs come from 2 computers"),
        "{}",
        mixed.stderr
    );
    let names: Vec<&str> = mixed.json()["computers"]
        .as_array()
        .expect("computers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .map(|n| if n.starts_with("PC-A") { "PC-A" } else { "PC-B" })
        .collect();
    assert_eq!(names.len(), 2);
    let one = case.run(&["inputs", "--computer", "pc-b", "--format", "json", "."]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let report = one.json();
    let paths: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths, ["./b/dism.log", "./b/events.xml"], "dism.log follows its folder");
    assert_eq!(report["computers"][0]["name"], "PC-B.contoso.local");
    let table = case.run(&["analyze", "--computer", "PC-B", "."]);
    assert!(
        table.stdout.contains("computer: PC-B.contoso.local"),
        "{}",
        table.stdout
    );
    let unknown = case.run(&["inputs", "--computer", "PC-Z", "."]);
    assert!(
        unknown.stderr.contains("no log names computer 'PC-Z'"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn an_empty_or_bom_only_log_is_empty_and_coverage_says_so() {
    let case = TempCase::new();
    case.write("CBS.log", b"\xef\xbb\xbf");
    case.write(
        "System.evtx",
        std::fs::read(crate::util::repo_root().join("fixtures/demo/System.evtx")).expect("demo"),
    );
    let inputs = case.run(&["inputs", "--format", "json", "."]).json();
    let cbs = inputs["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "./CBS.log")
        .expect("CBS.log")
        .clone();
    assert_eq!(cbs["status"], "empty", "{cbs}");
    let analysis = case.run(&["analyze", "--format", "json", "."]).json();
    let gap = analysis["coverage"]
        .as_array()
        .expect("coverage")
        .iter()
        .find(|g| g["log"] == "cbs")
        .expect("cbs gap")
        .clone();
    assert_eq!(gap["empty"][0], "./CBS.log");
}

#[test]
fn every_json_output_says_its_version() {
    let case = TempCase::new();
    case.write("event.xml", backup_failure("PC1", "2024-05-20T10:00:00.0000000Z"));
    assert_eq!(
        case.run(&["analyze", "--format", "json", "."]).json()["schema"],
        "backupdiag.analysis/2"
    );
    assert_eq!(
        case.run(&["inputs", "--format", "json", "."]).json()["schema"],
        "backupdiag.inputs/2"
    );
    let lines = case.run(&["timeline", "--format", "jsonl", "."]).jsonl();
    assert!(lines.iter().all(|l| l["schema"] == "backupdiag.timeline/2"));
}

#[test]
fn status_has_one_definition_rules_on_the_same_events_agree() {
    let dir = crate::diagnosis::generate_scenario("win7-restored-image-services-disabled.toml");
    let json = run_in(dir.path(), &["analyze", "--format", "json", "."]).json();
    let status = |rule: &str| {
        json["hypotheses"]
            .as_array()
            .expect("hypotheses")
            .iter()
            .find(|h| h["rule"] == rule)
            .map(|h| h["status"].clone())
            .unwrap_or_else(|| panic!("{rule} missing"))
    };
    assert_eq!(status("DSK001"), status("DSK002"), "both read the same disk 7 events");
    // Evidence without a time describes the machine as collected: never resolved.
    for h in json["hypotheses"].as_array().expect("hypotheses") {
        let untimed = h["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["clock"] == "none");
        if untimed {
            assert_eq!(h["status"], "active", "{}", h["rule"]);
        }
    }
}
