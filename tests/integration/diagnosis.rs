//! `analyze` end to end on generated bundles: every scenario's expected top cause, the causes
//! it expects beside it, nothing else at medium or above, its milestones in order; every
//! first-group cause found where it is planted and quiet where it is not; the real corpus
//! quiet.

use std::collections::BTreeSet;
use std::path::Path;

use backupdiag_forge::bundle::write_folder;
use backupdiag_forge::evtx::{EventData, EvtxEvent, EvtxWriter, Provider};
use backupdiag_forge::scenario::Scenario;

use crate::util::{repo_root, run, run_in, shared_corpus};

/// Causes whose end-to-end check is the ticket suite alone: their evidence is a sentence only
/// a pasted text carries (KB 975692's BitLocker message; for skipped files a warning, not a
/// failure), which the forge's logs do not write.
/// `tickets::every_ticket_only_cause_is_found_by_a_ticket` holds them to it.
pub const TICKET_ONLY: &[&str] = &["recovery-partition-issue", "file-backup-skipped-files"];

/// Every cause id that has a rule and a forge scenario, from the registry (a new rule joins
/// every check here).
fn causes_with_rules() -> Vec<String> {
    backupdiag::rules::RULES
        .iter()
        .map(|r| r.cause.id())
        .filter(|id| !TICKET_ONLY.contains(&id.as_str()))
        .collect()
}

struct Outcome {
    name: String,
    confident: Vec<(String, f64)>,
}

/// `analyze --format json` over a folder.
fn analyze(dir: &Path) -> serde_json::Value {
    run_in(dir, &["analyze", "--format", "json", "."]).json()
}

/// A scenario's text (from `scenarios/`), generated into a temporary folder.
fn generate(name: &str, text: &str) -> tempfile::TempDir {
    let scenario = Scenario::from_toml(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let dir = tempfile::tempdir().expect("tempdir");
    write_folder(&scenario, dir.path(), 1).expect("bundle");
    dir
}

/// A scenario file of `fixtures/scenarios/`, generated into a temporary folder.
pub fn generate_scenario(file: &str) -> tempfile::TempDir {
    generate(file, &scenario_text(file))
}

/// A scenario file of `fixtures/scenarios/`, its text.
fn scenario_text(file: &str) -> String {
    std::fs::read_to_string(repo_root().join("fixtures/scenarios").join(file)).expect("scenario file")
}

/// Files written into a temporary folder, then analysed.
fn analyze_files<T: AsRef<[u8]>>(files: &[(&str, T)]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    analyze(dir.path())
}

fn analyze_all() -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for entry in std::fs::read_dir(repo_root().join("fixtures/scenarios")).expect("scenarios") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let text = std::fs::read_to_string(&path).expect("read");
        let scenario = Scenario::from_toml(&name, &text).expect("scenario");
        let Some(expect) = scenario.expect.clone() else {
            continue;
        };
        let dir = generate(&name, &text);
        let report = analyze(dir.path());
        assert_eq!(report["schema"], "backupdiag.analysis/2");
        let hypotheses = report["hypotheses"].as_array().expect("hypotheses");
        let confident: Vec<(String, f64)> = hypotheses
            .iter()
            .map(|h| {
                (
                    h["cause"].as_str().expect("cause").to_string(),
                    h["confidence"].as_f64().expect("confidence"),
                )
            })
            .filter(|(_, c)| *c >= 0.5)
            .collect();
        match &expect.top {
            Some(top) => assert_eq!(
                confident.first().map(|(c, _)| c.as_str()),
                Some(top.as_str()),
                "{name}: {confident:?}"
            ),
            None => assert!(confident.is_empty(), "{name} must stay quiet: {confident:?}"),
        }
        for also in &expect.also {
            assert!(
                confident.iter().any(|(c, _)| c == also),
                "{name}: {also} expected at medium or above: {confident:?}"
            );
        }
        let allowed: BTreeSet<&str> = expect
            .top
            .iter()
            .chain(expect.also.iter())
            .map(String::as_str)
            .collect();
        for (cause, confidence) in &confident {
            assert!(
                allowed.contains(cause.as_str()),
                "{name}: {cause} at {confidence} was not planted"
            );
        }
        check_milestones(&name, &report["milestones"], &expect.milestones);
        for h in hypotheses {
            assert!(
                !h["evidence"].as_array().expect("evidence").is_empty(),
                "{name}: {} without evidence",
                h["rule"]
            );
            assert!(
                !h["repair"].as_array().expect("repair").is_empty(),
                "{name}: {} without repair",
                h["rule"]
            );
        }
        outcomes.push(Outcome { name, confident });
    }
    outcomes
}

fn check_milestones(name: &str, milestones: &serde_json::Value, expected: &[String]) {
    let list = milestones.as_array().expect("milestones");
    let mut last_time = String::new();
    // The expected kinds must appear as an ordered subsequence of the timed milestones;
    // untimed ones (a boot-mode change the logs cannot date) only need to be present.
    for kind in expected {
        let of_kind: Vec<&serde_json::Value> = list.iter().filter(|m| m["kind"] == kind.as_str()).collect();
        assert!(!of_kind.is_empty(), "{name}: milestone {kind} missing: {milestones}");
        let untimed = of_kind.iter().any(|m| m["time"].is_null());
        let next = of_kind
            .iter()
            .filter_map(|m| m["time"].as_str())
            .find(|t| *t >= last_time.as_str());
        match next {
            Some(time) => last_time = time.to_string(),
            None => assert!(untimed, "{name}: no {kind} after {last_time}: {milestones}"),
        }
    }
}

#[test]
fn every_scenario_gets_its_diagnosis_and_every_cause_is_found_and_quiet_elsewhere() {
    let outcomes = analyze_all();
    assert!(outcomes.len() >= 15, "{} scenarios with expectations", outcomes.len());
    for cause in &causes_with_rules() {
        let found = outcomes
            .iter()
            .filter(|o| o.confident.iter().any(|(c, _)| c == cause))
            .count();
        let quiet = outcomes
            .iter()
            .filter(|o| !o.confident.iter().any(|(c, _)| c == cause))
            .count();
        assert!(found >= 1, "{cause}: no scenario finds it");
        assert!(quiet >= 3, "{cause}: raised in too many scenarios");
    }
    let healthy: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.confident.is_empty())
        .map(|o| o.name.as_str())
        .collect();
    assert!(healthy.len() >= 3, "healthy scenarios: {healthy:?}");
}

#[test]
fn the_windows_7_story_shows_the_restore_before_the_failures() {
    let dir = generate("win7", &scenario_text("win7-restored-image-services-disabled.toml"));
    let report = analyze(dir.path());
    let time_of = |kind: &str| {
        report["milestones"]
            .as_array()
            .expect("milestones")
            .iter()
            .find(|m| m["kind"] == kind)
            .and_then(|m| m["time"].as_str())
            .map(str::to_string)
    };
    let restored = time_of("image-restored").expect("restore");
    let failed = time_of("first-backup-failure").expect("failure");
    assert!(restored < failed);
    let top = &report["hypotheses"][0];
    assert_eq!(top["rule"], "SVC001");
    assert_eq!(top["status"], "resolved");
    let table = run_in(dir.path(), &["analyze", "--tz", "Asia/Tokyo", "."]).stdout;
    assert!(table.contains("system image restored"), "{table}");
    assert!(table.contains("leave no event"), "{table}");
}

/// The malware-damage hypothesis of a variant of the malware scenario, as JSON.
fn malware_hypothesis(variant: &str) -> serde_json::Value {
    let text = scenario_text("cause-malware-not-removed.toml").replace("removal_failed = true", variant);
    let report = analyze(generate("malware", &text).path());
    report["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .find(|h| h["cause"] == "malware-damage")
        .cloned()
        .expect("malware-damage assessed")
}

#[test]
fn a_threat_antimalware_could_not_remove_weighs_more_than_a_removed_one() {
    let stayed = malware_hypothesis("removal_failed = true");
    let removed = malware_hypothesis("removed = true");
    let confidence = |h: &serde_json::Value| h["confidence"].as_f64().expect("confidence");
    assert!(
        confidence(&stayed) > confidence(&removed),
        "{} vs {}",
        confidence(&stayed),
        confidence(&removed)
    );
    let cites_1118 = |h: &serde_json::Value| {
        h["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["text"].as_str().is_some_and(|t| t.contains(" 1118:")))
    };
    assert!(cites_1118(&stayed), "{stayed}");
    assert!(!cites_1118(&removed), "{removed}");
}

/// A System log of Kernel-General 12 boots with these (date, QFE revision) of build 22631.
fn boots_log(boots: &[(&str, u32)]) -> Vec<u8> {
    let mut writer = EvtxWriter::new(std::io::Cursor::new(Vec::new())).expect("writer");
    for (date, qfe) in boots {
        let time: jiff::Timestamp = format!("{date}T08:00:00Z").parse().expect("time");
        let data = EventData::named([
            ("MajorVersion", "10".to_string()),
            ("MinorVersion", "0".to_string()),
            ("BuildVersion", "22631".to_string()),
            ("QfeVersion", qfe.to_string()),
            ("ServiceVersion", "0".to_string()),
            ("BootMode", "0".to_string()),
            ("StartTime", format!("{date}T07:59:58.5000000Z")),
        ]);
        writer
            .write(&EvtxEvent {
                provider: Provider {
                    name: "Microsoft-Windows-Kernel-General".into(),
                    guid: Some("{a68ca8b7-004f-d7b6-a698-07e2de0f1f5d}".into()),
                    event_source_name: None,
                },
                event_id: 12,
                qualifiers: None,
                version: 2,
                level: 4,
                task: 1,
                opcode: 0,
                keywords: 0x8000_0000_0000_0080,
                time,
                process_id: 4,
                thread_id: 8,
                channel: "System".into(),
                computer: "PC-ROLLBACK".into(),
                user_sid: Some("S-1-5-18".into()),
                data,
            })
            .expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

#[test]
fn an_older_build_after_a_newer_one_is_a_milestone_once() {
    let log = boots_log(&[
        ("2025-01-10", 2861),
        ("2025-02-12", 3570),
        ("2025-03-01", 2861),
        ("2025-03-02", 2861),
        ("2025-03-20", 3737),
    ]);
    let report = analyze_files(&[("System.evtx", log)]);
    let back: Vec<&serde_json::Value> = report["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .filter(|m| m["kind"] == "build-went-back")
        .collect();
    assert_eq!(back.len(), 1, "{}", report["milestones"]);
    assert_eq!(back[0]["time"], "2025-03-01T08:00:00Z");
    let summary = back[0]["summary"].as_str().expect("summary");
    assert!(
        summary.contains("build 10.0.22631.2861 after running build 10.0.22631.3570"),
        "{summary}"
    );
    assert_eq!(back[0]["evidence"].as_array().map(Vec::len), Some(2));
}

#[test]
fn an_old_writer_session_being_cleared_is_named_harmless_not_an_error() {
    let report = analyze(generate("noise", &scenario_text("healthy-vss-8194-noise.toml")).path());
    let harmless = report["harmless"].as_array().expect("harmless");
    let session = harmless
        .iter()
        .find(|h| h["reason"].as_str().is_some_and(|r| r.contains("KB978773")))
        .unwrap_or_else(|| panic!("12289 not named harmless: {harmless:?}"));
    assert_eq!(session["count"], 1);
    assert!(
        session["example"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("VSS 12289")),
        "{session}"
    );
}

#[test]
fn known_look_alikes_in_saved_event_xml_are_named_harmless() {
    let capi2 = saved_event(
        "Microsoft-Windows-CAPI2",
        513,
        None,
        "Application",
        "2024-05-01T10:00:00.000Z",
        71,
        "<Data>Details: AddLegacyDriverFiles: Unable to back up image of binary Microsoft Link-Layer Discovery Protocol. System Error: Access is denied.</Data>",
    );
    let txf = saved_event(
        "Microsoft-Windows-Backup",
        547,
        None,
        "Microsoft-Windows-Backup",
        "2024-05-01T11:00:00.000Z",
        72,
        r#"<Data Name="FileName">C:\$Extend\$RmMetadata\$TxfLog\$TxfLog.blf</Data><Data Name="ErrorCode">0x80070005</Data>"#,
    );
    let report = analyze_files(&[("saved-events.xml", format!("{capi2}\r\n{txf}\r\n"))]);
    let reasons: Vec<&str> = report["harmless"]
        .as_array()
        .expect("harmless")
        .iter()
        .filter_map(|h| h["reason"].as_str())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("KB3209092")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("KB2747459")), "{reasons:?}");
    let confident = report["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .filter(|h| h["confidence"].as_f64().unwrap_or(0.0) >= 0.5)
        .count();
    assert_eq!(confident, 0, "{}", report["hypotheses"]);
}

/// One saved event as Event Viewer's "Save as XML" writes it (classic sources: `qualifiers`).
fn saved_event(
    provider: &str,
    id: u32,
    qualifiers: Option<u32>,
    channel: &str,
    time: &str,
    record: u64,
    data: &str,
) -> String {
    let qualifiers = qualifiers.map_or_else(String::new, |q| format!(" Qualifiers=\"{q}\""));
    format!(
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"{provider}\"/><EventID{qualifiers}>{id}</EventID><Level>3</Level><TimeCreated SystemTime=\"{time}\"/><EventRecordID>{record}</EventRecordID><Channel>{channel}</Channel><Computer>PC-XML</Computer></System><EventData>{data}</EventData></Event>"
    )
}

#[test]
fn disk_retries_on_the_mounted_backup_vhd_are_harmless_and_others_are_not() {
    let vhd = r"E:\WindowsImageBackup\PC-XML\Backup 2024-05-01 100000\6c0e4f1a.vhdx";
    let mount = |id: u32, time: &str, record: u64| {
        let data = format!("<Data Name=\"VhdFileName\">{vhd}</Data><Data Name=\"VhdDiskNumber\">3</Data>");
        saved_event(
            "Microsoft-Windows-VHDMP",
            id,
            None,
            "Microsoft-Windows-VHDMP-Operational",
            time,
            record,
            &data,
        )
    };
    let retry = |time: &str, record: u64| {
        let data = r"<Data>\Device\Harddisk3\DR3</Data><Data>0x1000</Data><Data>3</Data><Data>\Device\00000024</Data>";
        saved_event("disk", 153, Some(32772), "System", time, record, data)
    };
    let removed = saved_event(
        "disk",
        157,
        Some(32772),
        "System",
        "2024-05-01T10:39:00.000Z",
        85,
        r"<Data>\Device\Harddisk3\DR3</Data><Data>3</Data>",
    );
    let events = [
        mount(1, "2024-05-01T10:00:00.000Z", 81),
        retry("2024-05-01T10:20:00.000Z", 82),
        removed,
        mount(2, "2024-05-01T10:40:00.000Z", 83),
        retry("2024-05-01T12:00:00.000Z", 84),
    ];
    let report = analyze_files(&[("events.xml", events.join("\r\n"))]);
    let vhd_groups: Vec<&serde_json::Value> = report["harmless"]
        .as_array()
        .expect("harmless")
        .iter()
        .filter(|h| h["reason"].as_str().is_some_and(|r| r.contains("backup's own VHD")))
        .collect();
    assert_eq!(vhd_groups.len(), 1, "{}", report["harmless"]);
    assert_eq!(vhd_groups[0]["count"], 2);
    assert!(vhd_groups[0]["example"]["location"]
        .as_str()
        .is_some_and(|l| l.ends_with("events.xml:2")));
    let disk = report["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .find(|h| h["rule"] == "DSK001")
        .expect("the retry after the unmount still counts");
    let cited: Vec<&str> = disk["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["location"].as_str())
        .collect();
    assert!(cited.iter().any(|l| l.ends_with("events.xml:5")), "{cited:?}");
    assert!(!cited.iter().any(|l| l.ends_with("events.xml:2")), "{cited:?}");
    // The unmount's surprise removal is the VHD's, not a USB disk dropping off.
    assert!(
        !report["hypotheses"]
            .as_array()
            .expect("hypotheses")
            .iter()
            .any(|h| h["rule"] == "USB001"),
        "{}",
        report["hypotheses"]
    );
}

#[test]
fn a_windows_7_file_backup_failure_in_the_application_log_is_a_failed_run() {
    let event = saved_event(
        "Windows Backup",
        4104,
        Some(0),
        "Application",
        "2012-04-12T04:38:44.000000000Z",
        5120,
        "<Data>The system cannot find the file specified. (0x80070002)</Data>",
    );
    let report = analyze_files(&[("application-event.xml", event)]);
    let runs = report["backups"].as_array().expect("backups");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["succeeded"], false);
    assert_eq!(runs[0]["code"], "0x80070002");
    assert_eq!(runs[0]["time"], "2012-04-12T04:38:44Z");
}

#[test]
fn the_real_corpus_raises_nothing_above_low() {
    let Some(corpus) = shared_corpus() else { return };
    let out = run(&[
        "analyze",
        "--format",
        "json",
        corpus.join("evtx").to_str().expect("utf-8"),
    ]);
    let report = out.json();
    let confident: Vec<_> = report["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .filter(|h| h["confidence"].as_f64().unwrap_or(0.0) >= 0.5)
        .map(|h| h["rule"].clone())
        .collect();
    assert!(confident.is_empty(), "{confident:?}");
    // One real machine updates its kernel (17134.137 to .165); no build goes back anywhere.
    assert!(
        !report["milestones"]
            .as_array()
            .expect("milestones")
            .iter()
            .any(|m| m["kind"] == "build-went-back"),
        "{}",
        report["milestones"]
    );
    assert!(
        report["harmless"].as_array().is_some_and(|h| !h.is_empty()),
        "the corpus has VSS 8224 and Ntfs 98 noise"
    );
}

#[test]
fn rules_and_explain_come_from_the_registry() {
    let list = run(&["rules"]);
    assert_eq!(list.code, 0);
    let rows = list
        .stdout
        .lines()
        .filter(|l| crate::util::rule_code(l.split_whitespace().next().unwrap_or_default()))
        .count();
    let every_cause: Vec<String> = backupdiag::rules::RULES.iter().map(|r| r.cause.id()).collect();
    assert_eq!(rows, every_cause.len(), "{}", list.stdout);
    for cause in &every_cause {
        assert!(list.stdout.contains(cause), "{cause} not listed");
    }
    let explain = run(&["explain", "svc001"]);
    assert_eq!(explain.code, 0);
    assert!(explain.stdout.starts_with("SVC001"));
    assert!(explain.stdout.contains("sc config wbengine start= demand"));
    assert!(explain.stdout.contains("References:"));
    assert!(explain.stdout.contains("\n\nWhy it matters: "), "{}", explain.stdout);
    assert!(explain.stdout.contains("\n\nWhat to check: "), "{}", explain.stdout);
    let unknown = run(&["explain", "NOPE01"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown
        .stderr
        .contains("'NOPE01' is no rule code, cause id or error code"));
    let by_cause = run(&["explain", "system-files-corrupt"]);
    assert_eq!(by_cause.code, 0, "{}", by_cause.stderr);
    assert!(by_cause.stdout.starts_with("SYS001"), "{}", by_cause.stdout);
}

#[test]
fn a_cause_fixed_long_ago_ranks_below_the_active_one_that_explains_the_last_failure() {
    let dir = generate_scenario("fixed-services-then-disk-errors.toml");
    let report = analyze(dir.path());
    let hypotheses = report["hypotheses"].as_array().expect("hypotheses");
    let position = |cause: &str| {
        hypotheses
            .iter()
            .position(|h| h["cause"] == cause)
            .unwrap_or_else(|| panic!("{cause} missing"))
    };
    let fixed = &hypotheses[position("required-service-disabled")];
    assert_eq!(fixed["status"], "resolved");
    assert!(
        fixed["confidence"].as_f64() > hypotheses[0]["confidence"].as_f64(),
        "the fixed cause has the higher confidence, so the ranking is what puts it below"
    );
    assert!(fixed["against"].as_array().expect("against").iter().any(|a| a
        .as_str()
        .is_some_and(|a| a.contains("resolved: wbengine enabled again by 2013-02-0"))));
    assert_eq!(hypotheses[0]["status"], "active");
    assert_eq!(hypotheses[0]["explains_current_failure"], true);
    assert!(position("disk-io-error") < position("required-service-disabled"));
    assert!(position("bad-sectors-source") < position("required-service-disabled"));
}
