//! The ticket suite (`fixtures/tickets/`): support-ticket inputs written from public sources,
//! each with an `expect.toml`. Every case is analysed as a user would (its input files named on
//! the command line); the test prints top-1 / top-3 and every miss, and fails when top-3 falls
//! below the floor or when a healthy or harmless control reaches medium confidence.

use std::path::{Path, PathBuf};

use crate::util::{repo_root, run};

/// Cases whose expected cause (or an accepted one) must be among the first three hypotheses.
/// A regression guard, raised as the rules improve.
const TOP3_FLOOR: usize = 71;

#[derive(Debug, serde::Deserialize)]
struct Expect {
    source: String,
    cause: String,
    #[serde(default)]
    accepted: Vec<String>,
    language: String,
    dated: bool,
    shape: String,
}

struct Case {
    name: String,
    expect: Expect,
    inputs: Vec<PathBuf>,
}

fn cases() -> Vec<Case> {
    let root = repo_root().join("fixtures/tickets");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/tickets")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|dir| read_case(dir)).collect()
}

fn read_case(dir: &Path) -> Case {
    let name = dir.file_name().and_then(|n| n.to_str()).expect("name").to_string();
    let text = std::fs::read_to_string(dir.join("expect.toml")).expect("expect.toml");
    let expect: Expect = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("case folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "expect.toml"))
        .collect();
    inputs.sort();
    Case { name, expect, inputs }
}

/// Where the expected cause ranks (1-based), and the hypotheses at medium or above.
struct Outcome {
    rank: Option<usize>,
    top: Vec<String>,
    medium_or_above: Vec<String>,
}

fn analyse(case: &Case) -> Outcome {
    let mut args = vec!["analyze".to_string(), "--format".into(), "json".into()];
    args.extend(case.inputs.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    // Nothing readable (exit 2) is a miss, not a failure of the test.
    assert!(out.code <= 2, "{}: exit {}: {}", case.name, out.code, out.stderr);
    let report = out.json();
    let hypotheses = report["hypotheses"].as_array().cloned().unwrap_or_default();
    let cause_of = |h: &serde_json::Value| h["cause"].as_str().unwrap_or_default().to_string();
    let wanted = |cause: &str| cause == case.expect.cause || case.expect.accepted.iter().any(|a| a == cause);
    Outcome {
        rank: hypotheses.iter().position(|h| wanted(&cause_of(h))).map(|i| i + 1),
        top: hypotheses
            .iter()
            .take(3)
            .map(|h| format!("{}({})", cause_of(h), h["confidence"]))
            .collect(),
        medium_or_above: hypotheses
            .iter()
            .filter(|h| h["level"] != "low")
            .map(cause_of)
            .collect(),
    }
}

#[test]
fn every_case_has_a_public_source_and_known_fields() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for case in &cases {
        assert!(case.expect.source.starts_with("http"), "{}", case.name);
        assert!(!case.inputs.is_empty(), "{}: no input", case.name);
        assert!(!case.expect.language.is_empty() && !case.expect.shape.is_empty());
    }
    let controls = cases.iter().filter(|c| c.expect.cause == "none").count();
    let japanese = cases.iter().filter(|c| c.expect.language == "ja").count();
    let undated = cases.iter().filter(|c| !c.expect.dated).count();
    assert!(
        controls >= 10 && japanese >= 10 && undated >= 10,
        "{controls} {japanese} {undated}"
    );
}

#[test]
fn every_ticket_only_cause_is_found_by_a_ticket() {
    let cases = cases();
    for cause in crate::diagnosis::TICKET_ONLY {
        let hit = cases
            .iter()
            .filter(|c| c.expect.cause == *cause)
            .any(|c| analyse(c).rank == Some(1));
        assert!(hit, "{cause}: no ticket finds it first");
    }
}

#[test]
fn the_ticket_suite_stays_above_its_floor() {
    let cases = cases();
    let (mut top1, mut top3, mut diagnosable) = (0, 0, 0);
    let mut misses = Vec::new();
    let mut loud_controls = Vec::new();
    for case in &cases {
        let outcome = analyse(case);
        if case.expect.cause == "none" {
            if !outcome.medium_or_above.is_empty() {
                loud_controls.push(format!("{}: {:?}", case.name, outcome.medium_or_above));
            }
            continue;
        }
        diagnosable += 1;
        if outcome.rank == Some(1) {
            top1 += 1;
        }
        if outcome.rank.is_some_and(|r| r <= 3) {
            top3 += 1;
        } else {
            misses.push(format!(
                "{}: expected {}, got {:?}",
                case.name, case.expect.cause, outcome.top
            ));
        }
    }
    use std::io::Write as _;
    let mut report = format!("ticket suite: top-1 {top1}/{diagnosable}, top-3 {top3}/{diagnosable}\n");
    for miss in &misses {
        report.push_str(&format!("  miss  {miss}\n"));
    }
    let _ = std::io::stderr().write_all(report.as_bytes());
    assert!(
        loud_controls.is_empty(),
        "controls at medium or above: {loud_controls:#?}"
    );
    assert!(
        top3 >= TOP3_FLOOR,
        "top-3 {top3} fell below the floor {TOP3_FLOOR}\n{report}"
    );
}
