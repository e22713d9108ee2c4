//! The bundled demo case, pinned with snapshots (read and checked by hand).

use crate::util::run;

#[test]
fn demo_inputs_report() {
    let out = run(&["inputs", "fixtures/demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn demo_timeline_in_tokyo_time() {
    let out = run(&["timeline", "--tz", "Asia/Tokyo", "fixtures/demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn demo_timeline_jsonl_first_events() {
    let out = run(&["timeline", "--format", "jsonl", "fixtures/demo"]);
    let first: Vec<&str> = out.stdout.lines().take(3).collect();
    insta::assert_snapshot!(first.join("\n"));
}

#[test]
fn demo_analysis_report() {
    let out = run(&["analyze", "--tz", "Asia/Tokyo", "fixtures/demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}
