//! `analyze` reads only the events a signal or the clock needs and `inputs` only those the
//! clock needs; both tally the rest (`parse::Keep`). Every report they write must be byte for
//! byte the one written from every event: record counts, first and last times, clocks, the
//! chart's density, the hypotheses and their evidence.

use std::path::PathBuf;

use backupdiag::config::{Command, Config, InputsFormat};
use backupdiag::model::Zone;
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
