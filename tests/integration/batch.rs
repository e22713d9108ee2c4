//! `batch`: a folder of generated cases with a broken zip and an empty folder is one batch
//! with two failed cases; each case's analysis is what `analyze` gives alone; shards split the
//! cases with no overlap and no loss; reports go to `--out-dir` in any format.

use std::collections::BTreeSet;
use std::path::Path;

use backupdiag_forge::bundle::{write_folder, write_zip};
use backupdiag_forge::scenario::Scenario;

use crate::contract::{assert_valid, validator};
use crate::util::{repo_root, run_in, Output};

fn scenario(name: &str) -> Scenario {
    let path = repo_root().join("fixtures/scenarios").join(name);
    let text = std::fs::read_to_string(&path).expect("scenario file");
    Scenario::from_toml(name, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Four generated cases (three folders, one zip), a zip cut inside its first entry, an empty folder and a
/// hidden file that is no case.
fn case_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = dir.path().join("cases");
    for (name, file) in [
        ("pc-full", "cause-target-full.toml"),
        ("pc-usb", "cause-usb-connection.toml"),
        ("pc-services", "fixed-services-then-disk-errors.toml"),
    ] {
        write_folder(&scenario(file), &cases.join(name), 1).expect("bundle");
    }
    write_zip(&scenario("cause-shadow-storage.toml"), &cases.join("pc-storage.zip"), 1).expect("zip");
    let whole = std::fs::read(cases.join("pc-storage.zip")).expect("zip bytes");
    // Cut inside its first entry: nothing can be salvaged from its local headers.
    std::fs::write(cases.join("pc-broken.zip"), &whole[..100]).expect("broken zip");
    std::fs::create_dir(cases.join("pc-empty")).expect("empty folder");
    std::fs::write(cases.join(".DS_Store"), b"\0\0\0\x01Bud1").expect("hidden file");
    dir
}

fn batch(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["batch", "cases"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

const NAMES: [&str; 6] = [
    "pc-broken.zip",
    "pc-empty",
    "pc-full",
    "pc-services",
    "pc-storage.zip",
    "pc-usb",
];

#[test]
fn a_broken_zip_and_an_empty_folder_are_failed_cases_and_the_rest_is_analysed_as_alone() {
    let dir = case_folder();
    let out = batch(dir.path(), &[]);
    assert_eq!(out.code, 2, "a failed case makes the batch exit 2\n{}", out.stderr);
    let lines = out.jsonl();
    let names: Vec<&str> = lines.iter().map(|l| l["case"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        names, NAMES,
        "one line per case, in name order, the hidden file left out"
    );

    let batch_schema = validator("batch");
    let analysis_schema = validator("analysis");
    let error_schema = validator("error");
    for line in &lines {
        let case = line["case"].as_str().unwrap_or_default();
        assert_valid(&batch_schema, case, line);
        let alone = run_in(dir.path(), &["analyze", "--format", "json", &format!("cases/{case}")]);
        assert_eq!(line["exit"], alone.code, "{case}: the exit analyze gives alone");
        if case == "pc-broken.zip" || case == "pc-empty" {
            assert_eq!(line["status"], "failed", "{case}");
            assert_valid(&error_schema, case, &line["error"]);
            assert!(
                line["notices"].as_array().is_some_and(|n| !n.is_empty()),
                "{case}: the reason is named"
            );
            assert!(
                out.stderr.contains(&format!("backupdiag: {case}: ")),
                "{case} named on stderr"
            );
        } else {
            assert_valid(&analysis_schema, case, &line["analysis"]);
            assert_eq!(line["analysis"], alone.json(), "{case}: the same analysis as alone");
        }
    }
    let top = |case: &str| {
        let line = lines.iter().find(|l| l["case"] == case).expect("line");
        line["analysis"]["hypotheses"][0]["cause"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(top("pc-full"), "target-disk-full");
    assert_eq!(top("pc-storage.zip"), "shadow-storage-insufficient");

    // The summary: a row per case with its verdict, then the counts.
    for name in NAMES {
        assert!(
            out.stderr.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} row:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("not read"), "{}", out.stderr);
    assert!(
        out.stderr.contains("6 case(s)") && out.stderr.contains("2 not read"),
        "{}",
        out.stderr
    );
}

#[test]
fn shards_cover_every_case_once() {
    let dir = case_folder();
    let mut seen = Vec::new();
    for k in 1..=3 {
        let out = batch(dir.path(), &["--shard", &format!("{k}/3")]);
        assert!(matches!(out.code, 0..=3), "{}", out.stderr);
        assert!(out.stderr.contains(&format!("(shard {k}/3 of 6)")), "{}", out.stderr);
        seen.extend(
            out.jsonl()
                .iter()
                .map(|l| l["case"].as_str().unwrap_or_default().to_string()),
        );
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no case in two shards: {seen:?}");
    assert_eq!(
        unique.into_iter().cloned().collect::<Vec<_>>(),
        NAMES,
        "the shards' union is the whole set"
    );

    let bad = batch(dir.path(), &["--shard", "4/3"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("'4/3' is not a shard"), "{}", bad.stderr);
}

#[test]
fn reports_go_to_the_out_dir_in_the_chosen_format() {
    let dir = case_folder();
    let out = batch(
        dir.path(),
        &["--out-dir", "reports", "--format", "markdown", "--fail-on", "high"],
    );
    assert_eq!(out.code, 2, "the failed cases still rank first\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "reports are in files: {}", out.stdout);
    let written: BTreeSet<String> = std::fs::read_dir(dir.path().join("reports"))
        .expect("reports")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = ["pc-full.md", "pc-services.md", "pc-storage.zip.md", "pc-usb.md"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(written, expected, "one report per readable case");
    let alone = run_in(dir.path(), &["analyze", "--format", "markdown", "cases/pc-full"]);
    let report = std::fs::read_to_string(dir.path().join("reports/pc-full.md")).expect("report");
    assert_eq!(report, alone.stdout);

    // Without the failed cases, --fail-on decides: 3.
    std::fs::remove_file(dir.path().join("cases/pc-broken.zip")).expect("rm");
    std::fs::remove_dir(dir.path().join("cases/pc-empty")).expect("rmdir");
    let out = batch(dir.path(), &["--fail-on", "high"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let out = batch(dir.path(), &[]);
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
}

#[test]
fn a_folder_without_cases_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("cases")).expect("mkdir");
    let out = batch(dir.path(), &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no case in this folder"), "{}", out.stderr);
    let missing = run_in(dir.path(), &["batch", "nowhere"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nowhere: cannot list the cases"),
        "{}",
        missing.stderr
    );
}

#[test]
fn on_a_terminal_batch_shows_its_progress_and_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["a", "b", "c"] {
        let case = dir.path().join("cases").join(name);
        std::fs::create_dir_all(&case).expect("mkdir");
        for file in ["System.evtx", "Microsoft-Windows-Backup.evtx"] {
            std::fs::copy(repo_root().join("fixtures/demo").join(file), case.join(file)).expect("copy");
        }
    }
    let command = format!("{} batch cases --out-dir reports", env!("CARGO_BIN_EXE_backupdiag"));
    let out = crate::first_run::under_terminal(dir.path(), &command, 120);
    assert_eq!(out.code, 0, "timed out or failed (124 is a timeout): {}", out.stdout);
    assert!(out.stdout.contains("analysing"), "no progress drawn: {}", out.stdout);
    assert!(out.stdout.contains("/3 cases"), "no case count: {}", out.stdout);
    assert!(out.stdout.contains("3 case(s)"), "no summary: {}", out.stdout);
    let row = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("a "))
        .expect("row of case a");
    assert!(
        row.contains("DESKTOP-DEMO") && row.trim_end().chars().count() <= 80,
        "{row}"
    );
}
