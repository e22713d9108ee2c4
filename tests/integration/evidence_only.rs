//! `analyze` reads only the events a signal or the clock needs and `inputs` only those the
//! clock needs; both tally the rest (`parse::Keep`). Every report they write must be byte for
//! byte the one written from every event: record counts, first and last times, clocks, the
//! chart's density, the hypotheses and their evidence.

use std::path::PathBuf;

use backupdiag::config::{Command, Config, InputsFormat};
use backupdiag::model::{SourceKind, Zone};
use backupdiag::parse::Keep;

use crate::util::{repo_root, shared_corpus};

fn config(paths: Vec<PathBuf>, zone: Option<&str>) -> Config {
    let mut config = Config::without_inputs(Command::Inputs {
        format: InputsFormat::Json,
    });
    config.paths = paths;
    config.zone = zone.map(|z| Zone::parse(z).expect("zone"));
    config
}

fn assert_same_reports(paths: Vec<PathBuf>, zone: Option<&str>) {
    let config = config(paths, zone);
    let same = |what: &str, everything: Vec<u8>, tallied: Vec<u8>| {
        assert!(everything.len() > 1000, "{:?}: {what} was written", config.paths);
        if everything != tallied {
            let (a, b) = (String::from_utf8_lossy(&everything), String::from_utf8_lossy(&tallied));
            let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            panic!("{:?} (zone {zone:?}): {what} differs, first at {line:?}", config.paths);
        }
    };
    let inputs = |keep| backupdiag::inputs_reports(&config, keep).expect("inputs");
    let analysis = |keep| backupdiag::analysis_reports(&config, keep).expect("analysis");
    same(
        "inputs, keeping the clock's events",
        inputs(Keep::Everything),
        inputs(Keep::Clock),
    );
    same(
        "analyze, keeping the evidence",
        analysis(Keep::Everything),
        analysis(Keep::Evidence),
    );
}

#[test]
fn the_fixtures_report_the_same_from_evidence_alone() {
    let root = repo_root().join("fixtures");
    let mut cases = vec![root.join("demo")];
    let mut tickets: Vec<PathBuf> = std::fs::read_dir(root.join("tickets"))
        .expect("tickets")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    tickets.sort();
    cases.extend(tickets);
    for case in cases {
        assert_same_reports(vec![case], None);
    }
    assert_same_reports(vec![root.join("demo")], Some("Asia/Tokyo"));
}

#[test]
fn the_real_servicing_logs_report_the_same_from_evidence_alone() {
    let Some(corpus) = shared_corpus() else { return };
    for zone in [None, Some("Asia/Tokyo"), Some("America/New_York")] {
        assert_same_reports(vec![corpus.join("text")], zone);
    }
}

#[test]
fn the_real_event_logs_report_the_same_from_evidence_alone() {
    let Some(corpus) = shared_corpus() else { return };
    assert_same_reports(vec![corpus.join("evtx"), corpus.join("evtx-damaged")], None);
}

/// Every evtx record of `dirs` (read whole) that a stage keeps is one `signals::wants` lets a
/// reader read whole: the skim after `System` never drops an event that would be kept.
fn assert_wants_covers_reads(dirs: &[PathBuf]) -> usize {
    let collected = backupdiag::input::collect(dirs, backupdiag::input::InputLimits::default());
    let mut checked = 0;
    for input in &collected.inputs {
        for file in backupdiag::parse::parse_input(input, backupdiag::parse::ReadOptions::everything(u64::MAX)) {
            // Only evtx records are skimmed; servicing lines are told by their fields.
            for event in file.events.iter().filter(|e| e.source == SourceKind::Evtx) {
                for keep in [Keep::Evidence, Keep::Clock] {
                    if backupdiag::signals::reads(event, keep) {
                        checked += 1;
                        assert!(
                            backupdiag::signals::wants(&event.provider, event.event_id, keep),
                            "{keep:?} keeps {} {:?} at {:?}, but wants() would skim it",
                            event.provider,
                            event.event_id,
                            event.origin
                        );
                    }
                }
            }
        }
    }
    checked
}

/// Every forge scenario written as a case (each carries the events its cause's rule reads).
fn forge_cases() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenarios = repo_root().join("fixtures/scenarios");
    for entry in std::fs::read_dir(&scenarios).expect("scenarios").flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("scenario");
        let scenario = backupdiag_forge::scenario::Scenario::from_toml(&name, &text).expect("scenario");
        backupdiag_forge::bundle::write_folder(&scenario, &dir.path().join(&name), 1).expect("bundle");
    }
    dir
}

#[test]
fn only_events_no_stage_keeps_are_skimmed() {
    let fixtures = repo_root().join("fixtures");
    let forge = forge_cases();
    let checked = assert_wants_covers_reads(&[
        fixtures.join("demo"),
        fixtures.join("tickets"),
        forge.path().to_path_buf(),
    ]);
    assert!(checked > 500, "{checked} kept events checked");
    let Some(corpus) = shared_corpus() else { return };
    let checked = assert_wants_covers_reads(&[corpus.join("evtx"), corpus.join("evtx-damaged")]);
    assert!(checked > 1000, "{checked} kept corpus events checked");
}
