//! The JSON contract and CI exit codes: every JSON document backupdiag writes for the demo,
//! every forge scenario and every ticket case validates against `schema/`, and `--fail-on`
//! exits 3 exactly when a hypothesis reaches the level.

use std::path::{Path, PathBuf};

use crate::util::{repo_root, run, run_in};

pub fn validator(name: &str) -> jsonschema::Validator {
    let path = repo_root().join("schema").join(format!("{name}.schema.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("schema file")).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn assert_valid(validator: &jsonschema::Validator, what: &str, document: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// The demo, every ticket case (as one folder each) and every scenario, generated.
fn cases() -> Vec<(String, PathBuf, Option<tempfile::TempDir>)> {
    let mut out = vec![("demo".to_string(), repo_root().join("fixtures/demo"), None)];
    let tickets = repo_root().join("fixtures/tickets");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&tickets)
        .expect("tickets")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        out.push((name, dir, None));
    }
    let mut scenarios: Vec<String> = std::fs::read_dir(repo_root().join("fixtures/scenarios"))
        .expect("scenarios")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    scenarios.sort();
    for scenario in scenarios {
        let dir = crate::diagnosis::generate_scenario(&scenario);
        out.push((scenario, dir.path().to_path_buf(), Some(dir)));
    }
    out
}

#[test]
fn every_json_output_validates_against_its_schema() {
    let (analysis, inputs, timeline, error) = (
        validator("analysis"),
        validator("inputs"),
        validator("timeline"),
        validator("error"),
    );
    for (name, dir, _keep) in cases() {
        let path = dir.to_string_lossy().into_owned();
        let out = run(&["analyze", "--format", "json", &path]);
        let doc = out.json();
        let schema = if out.code == 2 { &error } else { &analysis };
        assert_valid(schema, &format!("{name} analyze"), &doc);
        let out = run(&["inputs", "--format", "json", &path]);
        let schema = if out.code == 2 { &error } else { &inputs };
        assert_valid(schema, &format!("{name} inputs"), &out.json());
        for (n, line) in run(&["timeline", "--format", "jsonl", &path])
            .jsonl()
            .iter()
            .enumerate()
        {
            assert_valid(&timeline, &format!("{name} timeline line {}", n + 1), line);
        }
    }
    // The error document itself.
    let missing = run(&["analyze", "--format", "json", "/nonexistent/case"]);
    assert_valid(&error, "missing path", &missing.json());
}

#[test]
fn the_schemas_reject_what_they_must() {
    let analysis = validator("analysis");
    let mut doc = run(&["analyze", "--format", "json", "fixtures/demo"]).json();
    assert_valid(&analysis, "demo", &doc);
    doc["hypotheses"][0]["level"] = serde_json::json!("certain");
    assert!(!analysis.is_valid(&doc), "an unknown level must not validate");
    doc["schema"] = serde_json::json!("backupdiag.analysis/1");
    assert!(!analysis.is_valid(&doc));
}

#[test]
fn fail_on_exits_3_when_a_hypothesis_reaches_the_level() {
    let demo = |args: &[&str]| {
        let mut all = vec!["analyze", "fixtures/demo"];
        all.extend_from_slice(args);
        run(&all).code
    };
    assert_eq!(demo(&[]), 0, "no threshold, all read");
    assert_eq!(demo(&["--fail-on", "high"]), 3, "SYS001 is high");
    assert_eq!(demo(&["--fail-on", "medium"]), 3);
    // A healthy machine stays below medium: 0 with --fail-on medium.
    let dir = crate::diagnosis::generate_scenario("healthy-win11.toml");
    assert_eq!(run_in(dir.path(), &["analyze", ".", "--fail-on", "medium"]).code, 0);
    // 3 wins over 1 (an unreadable input beside the demo), 2 wins over both.
    let partial = run(&["analyze", "fixtures/demo", "no-such-file.evtx", "--fail-on", "high"]);
    assert_eq!(partial.code, 3);
    assert!(partial.stderr.contains("no-such-file.evtx"), "{}", partial.stderr);
    assert_eq!(run(&["analyze", "no-such-file.evtx", "--fail-on", "low"]).code, 2);
    let help = run(&["analyze", "--help"]);
    assert!(help.stdout.contains("3  analyze --fail-on LEVEL"), "{}", help.stdout);
}

/// A case holding every kind of name `--redact` hides: an FQDN computer, a domain account's
/// SID, a user profile path and an e-mail address.
fn identifying_case(dir: &Path) {
    let xml = "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"Microsoft-Windows-Backup\"/><EventID>517</EventID><Level>2</Level><TimeCreated SystemTime=\"2024-05-20T10:00:00.0000000Z\"/><Channel>Application</Channel><Computer>KURO-PC.kuroda.example</Computer></System><EventData><Data Name=\"BackupTime\">x</Data><Data Name=\"ErrorCode\">0x8007045D</Data><Data Name=\"ErrorMessage\">C:\\Users\\taro.kuroda\\Documents could not be read by S-1-5-21-1004336348-1177238915-682003330-1001 (mail taro@kuroda.example)</Data></EventData></Event>\r\n";
    std::fs::write(dir.join("event.xml"), xml).expect("write");
}

#[test]
fn redaction_leaves_no_original_anywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    identifying_case(dir.path());
    let originals = [
        "KURO-PC",
        "kuroda.example",
        "taro.kuroda",
        "S-1-5-21-1004336348-1177238915-682003330-1001",
        "S-1-5-21-1004336348",
        "taro@kuroda.example",
    ];
    for args in [
        vec!["analyze", "--redact", "."],
        vec!["analyze", "--redact", "--format", "json", "."],
        vec!["analyze", "--redact", "--format", "markdown", "."],
        vec!["inputs", "--redact", "--format", "json", "."],
        vec!["timeline", "--redact", "--format", "jsonl", "."],
        vec!["timeline", "--redact", "."],
    ] {
        let out = run_in(dir.path(), &args);
        for original in originals {
            let all = format!("{}{}", out.stdout, out.stderr).to_lowercase();
            assert!(
                !all.contains(&original.to_lowercase()),
                "{args:?} leaks {original}:\n{}",
                out.stdout
            );
        }
        assert!(out.stdout.contains("-1"), "{args:?}: no token at all:\n{}", out.stdout);
    }
    let json = run_in(dir.path(), &["timeline", "--redact", "--format", "jsonl", "."]).jsonl();
    assert_eq!(json[0]["computer"], "COMPUTER-1");
    let message = json[0]["fields"]["ErrorMessage"].as_str().expect("message");
    assert!(
        message.contains("USER-") && message.contains("SID-1") && message.contains("EMAIL-1"),
        "{message}"
    );
    // Without --redact the names are there (the test above is not vacuous).
    let plain = run_in(dir.path(), &["analyze", "--format", "json", "."]);
    assert!(plain.stdout.contains("KURO-PC"));
}
