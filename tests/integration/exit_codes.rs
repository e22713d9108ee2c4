//! Exit codes usable in CI: 0 all read, 1 something read but some inputs failed, 2 usage error
//! or nothing readable.

use crate::util::{run, TempCase};

#[test]
fn exit_codes_follow_the_contract() {
    assert_eq!(run(&["inputs", "fixtures/demo"]).code, 0);
    let partial = run(&["inputs", "fixtures/demo", "no-such-file.evtx"]);
    assert_eq!(partial.code, 1);
    assert!(
        partial
            .stderr
            .contains("error: no-such-file.evtx: no such file or folder"),
        "{}",
        partial.stderr
    );
    let case = TempCase::new();
    case.write("notes.txt", "nothing to see\n");
    let nothing = case.run(&["inputs", "notes.txt"]);
    assert_eq!(nothing.code, 2);
    assert!(nothing.stderr.contains("skipped: notes.txt: "), "{}", nothing.stderr);
    assert_eq!(nothing.stdout, "", "no report body when nothing was read");
    assert_eq!(run(&["timeline", "--tz", "Mars/Olympus", "fixtures/demo"]).code, 2);
    assert_eq!(run(&["timeline", "--since", "last tuesday", "fixtures/demo"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
}

#[test]
fn a_file_that_is_not_a_log_is_skipped_with_a_reason() {
    let case = TempCase::new();
    case.write("System.evtx", "evtx/System.evtx");
    case.write("empty.log", "");
    let out = case.run(&["inputs", "--format", "json", "."]);
    assert_eq!(out.code, 2);
    let report = out.json();
    assert_eq!(report["schema"], "backupdiag.error/1");
    let reasons: Vec<&str> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|f| f["reason"].as_str().expect("reason"))
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(
        reasons.iter().any(|r| r.contains("its name looks like a log")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("skipped: empty file")),
        "{reasons:?}"
    );
}

#[cfg(unix)]
#[test]
fn inputs_are_never_modified() {
    let case = TempCase::new();
    let log = case.write(
        "CBS.log",
        crate::util::servicing_line("2024-05-20 21:03:11", "Info", "CBS", "Exec: x"),
    );
    let before = std::fs::metadata(&log).expect("meta").modified().expect("mtime");
    let mut perms = std::fs::metadata(&log).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&log, perms).expect("chmod");
    assert_eq!(case.run(&["timeline", "CBS.log"]).code, 0);
    assert_eq!(
        std::fs::metadata(&log).expect("meta").modified().expect("mtime"),
        before
    );
}
