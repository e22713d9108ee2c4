//! The forge's scenarios, generated and read back: every file backupdiag reads yields the
//! record count the forge wrote, the seed stories carry their evidence, healthy machines log no
//! error, and output is byte-for-byte deterministic (the committed demo included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use backupdiag_forge::bundle::{write_folder, write_zip};
use backupdiag_forge::scenario::Scenario;

use crate::util::{repo_root, run_in};

fn scenario(name: &str) -> Scenario {
    let path = repo_root().join("fixtures/scenarios").join(name);
    let text = std::fs::read_to_string(&path).expect("scenario file");
    Scenario::from_toml(name, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn generate(name: &str) -> (tempfile::TempDir, BTreeMap<String, u64>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = write_folder(&scenario(name), dir.path(), 1).expect("bundle");
    (dir, summary.records)
}

fn events(dir: &Path) -> Vec<serde_json::Value> {
    run_in(dir, &["timeline", "--format", "jsonl", "."]).jsonl()
}

fn has(events: &[serde_json::Value], provider: &str, id: u64, field: (&str, &str)) -> bool {
    events
        .iter()
        .any(|e| e["provider"] == provider && e["event_id"] == id && e["fields"][field.0] == field.1)
}

#[test]
fn every_scenario_reads_back_with_the_counts_the_forge_wrote() {
    let names: Vec<PathBuf> = std::fs::read_dir(repo_root().join("fixtures/scenarios"))
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(names.len() >= 5);
    for path in names {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let (dir, written) = generate(&name);
        let out = run_in(dir.path(), &["inputs", "--format", "json", "."]);
        let report = out.json();
        for file in report["files"].as_array().expect("files") {
            // A log Windows never wrote to is left out, never written as a BOM alone.
            assert_ne!(file["status"], "empty", "{name}: {}", file["path"]);
            assert!(file["skipped"].is_null(), "{name}: {}", file["path"]);
            let file_name = file["path"]
                .as_str()
                .expect("path")
                .trim_start_matches("./")
                .to_string();
            if matches!(file["kind"].as_str(), Some("evtx" | "cbs" | "dism" | "panther")) {
                assert_eq!(
                    file["records"].as_u64(),
                    Some(written.get(&file_name).copied().unwrap_or(0)),
                    "{name}: {file_name}"
                );
                assert_eq!(file["status"], "read", "{name}: {file_name}");
            }
        }
    }
}

#[test]
fn the_windows_7_story_carries_its_evidence_and_its_gap() {
    let (dir, _) = generate("win7-restored-image-services-disabled.toml");
    let events = events(dir.path());
    assert!(
        has(&events, "EventLog", 6008, ("%2", "\u{200e}3/\u{200e}10/\u{200e}2012")),
        "restore: unexpected shutdown at the image time"
    );
    assert!(has(
        &events,
        "Microsoft Antimalware",
        1116,
        ("%8", "Trojan:DOS/Alureon.E")
    ));
    assert!(has(&events, "Service Control Manager", 7040, ("param4", "wbengine")));
    assert!(has(&events, "Service Control Manager", 7000, ("param2", "%%1058")));
    assert!(has(
        &events,
        "Microsoft-Windows-Backup",
        517,
        ("ErrorCode", "0x80070422")
    ));
    assert!(has(
        &events,
        "Microsoft-Windows-Backup",
        517,
        ("ErrorCode", "0x8007045D")
    ));
    assert!(
        events.iter().any(|e| e["fields"]["firmware"] == "BIOS"),
        "setupact.log of the restored install says BIOS"
    );
    let in_gap = events.iter().filter(|e| e["certainty"] == "recorded").filter(|e| {
        let t = e["time"].as_str().unwrap_or("");
        ("2012-03-11".."2012-10-20").contains(&t)
    });
    assert_eq!(
        in_gap.count(),
        0,
        "the restore of the March image erased March to October"
    );
    let bcd = run_in(dir.path(), &["inputs", "bcdedit.txt"]);
    assert!(bcd.stdout.contains("firmware-mode: UEFI"), "{}", bcd.stdout);
}

#[test]
fn the_windows_11_story_carries_its_evidence() {
    let (dir, _) = generate("win11-vss-corrupt-system-files.toml");
    let events = events(dir.path());
    let failures = events
        .iter()
        .filter(|e| e["event_id"] == 517 && e["fields"]["ErrorCode"] == "0x81000019")
        .count();
    assert_eq!(failures, 4);
    assert!(has(&events, "VSS", 8193, ("%1", "CoCreateInstance")));
    assert!(events.iter().any(|e| e["fields"]["sr"] == "cannot-repair"));
    assert!(events.iter().any(|e| e["fields"]["checksur_repaired"] == "1"));
    assert!(events
        .iter()
        .any(|e| e["provider"] == "MsiInstaller" && e["event_id"] == 1038));
    let writers = run_in(dir.path(), &["inputs", "--format", "json", "vssadmin-writers.txt"]).json();
    let failed = writers["files"][0]["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .filter(|f| f["state"] == 8)
        .count();
    assert_eq!(failed, 1);
}

#[test]
fn healthy_machines_log_no_error() {
    for name in ["healthy-win11.toml", "healthy-win7-english.toml"] {
        let (dir, _) = generate(name);
        let events = events(dir.path());
        assert!(events.len() > 500, "{name}: a realistic haystack");
        let errors: Vec<_> = events
            .iter()
            .filter(|e| matches!(e["level"].as_str(), Some("error" | "critical")))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert!(
            events
                .iter()
                .any(|e| e["fields"]["hresult_name"] == "CBS_E_INVALID_PACKAGE"),
            "{name}: harmless CBS noise"
        );
    }
}

#[test]
fn zip_bundles_are_deterministic_and_readable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    write_zip(&scenario("demo.toml"), &a, 1).expect("zip");
    write_zip(&scenario("demo.toml"), &b, 1).expect("zip");
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    let out = run_in(dir.path(), &["inputs", "--format", "json", "a.zip"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["files"].as_array().map(Vec::len), Some(7));
}

#[test]
fn the_committed_demo_is_exactly_what_its_scenario_generates() {
    let (dir, _) = generate("demo.toml");
    let demo = repo_root().join("fixtures/demo");
    let mut committed: Vec<String> = std::fs::read_dir(&demo)
        .expect("demo")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut generated: Vec<String> = std::fs::read_dir(dir.path())
        .expect("gen")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    assert_eq!(committed, generated);
    for name in committed {
        let want = std::fs::read(dir.path().join(&name)).expect("generated");
        let have = std::fs::read(demo.join(&name)).expect("committed");
        assert!(
            want == have,
            "demo/{name} differs from what scenarios/demo.toml generates"
        );
    }
}

#[test]
fn a_dism_log_without_cbs_log_is_anchored_by_matching_installer_starts() {
    let (dir, _) = generate("win11-vss-corrupt-system-files.toml");
    std::fs::remove_file(dir.path().join("CBS.log")).expect("remove CBS.log");
    let report = run_in(dir.path(), &["inputs", "--format", "json", "."]).json();
    let dism = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "./dism.log")
        .expect("dism.log");
    assert_eq!(dism["clock"]["basis"], "matched", "{dism}");
    assert_eq!(dism["clock"]["offset"], "+09:00");
    assert_eq!(dism["first"]["time"], "2024-05-20T11:00:00Z", "20:00 in Tokyo");
    assert_eq!(dism["first"]["local_time"], "2024-05-20T20:00:00");
}
