//! The bundled demo case and both seed stories as a user reads them, at 80 and 120 columns,
//! pinned with snapshots (read and checked by hand). Every line fits the width, except a
//! command, which is never cut.

use std::path::Path;
use std::process::Command;

use crate::util::{output_of, repo_root, run, Output};

/// Runs backupdiag in `dir` as if on a terminal `width` columns wide (`COLUMNS`), no colour.
fn at_width(dir: &Path, width: usize, args: &[&str]) -> Output {
    output_of(
        Command::new(env!("CARGO_BIN_EXE_backupdiag"))
            .args(args)
            .current_dir(dir)
            .env("COLUMNS", width.to_string())
            .env_remove("NO_COLOR"),
    )
}

/// Every line fits `width`, but for commands (`> ...`, `collect: ...`), which are never cut.
fn assert_fits(report: &str, width: usize) {
    for line in report.lines() {
        let command = line.trim_start().starts_with("> ") || line.trim_start().starts_with("collect: ");
        assert!(
            command || line.chars().count() <= width,
            "line of {} columns at width {width}:\n{line}",
            line.chars().count()
        );
    }
}

#[test]
fn demo_inputs_report() {
    let out = at_width(&repo_root(), 100, &["inputs", "fixtures/demo"]);
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
fn demo_reports_at_80_and_120_columns() {
    for width in [80, 120] {
        let analysis = at_width(&repo_root(), width, &["analyze", "--tz", "Asia/Tokyo", "fixtures/demo"]);
        assert_eq!(analysis.code, 0, "{}", analysis.stderr);
        assert_fits(&analysis.stdout, width);
        assert!(!analysis.stdout.contains('\x1b'), "no colour in a pipe");
        insta::assert_snapshot!(format!("demo_analysis_{width}"), analysis.stdout);
        let timeline = at_width(
            &repo_root(),
            width,
            &["timeline", "--tz", "Asia/Tokyo", "fixtures/demo"],
        );
        assert_fits(&timeline.stdout, width);
        insta::assert_snapshot!(format!("demo_timeline_{width}"), timeline.stdout);
    }
}

#[test]
fn seed_stories_at_80_and_120_columns() {
    for (name, scenario, zone) in [
        ("win7", "win7-restored-image-services-disabled.toml", "Asia/Tokyo"),
        ("win11", "win11-vss-corrupt-system-files.toml", "Asia/Tokyo"),
    ] {
        let dir = crate::diagnosis::generate_scenario(scenario);
        for width in [80, 120] {
            let analysis = at_width(dir.path(), width, &["analyze", "--tz", zone, "."]);
            assert_eq!(analysis.code, 0, "{}", analysis.stderr);
            assert_fits(&analysis.stdout, width);
            insta::assert_snapshot!(format!("{name}_analysis_{width}"), analysis.stdout);
            let timeline = at_width(dir.path(), width, &["timeline", "--tz", zone, "."]);
            assert_fits(&timeline.stdout, width);
            let head: Vec<&str> = timeline.stdout.lines().take(60).collect();
            insta::assert_snapshot!(format!("{name}_timeline_{width}_head"), head.join("\n"));
        }
    }
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let always = at_width(&repo_root(), 100, &["analyze", "--color", "always", "fixtures/demo"]);
    assert!(
        always.stdout.contains("\x1b[1;31m[HIGH 0.97]\x1b[0m"),
        "{}",
        always.stdout
    );
    assert!(always.stdout.contains("\x1b[1mVERDICT  \x1b[0m"));
    let never = at_width(&repo_root(), 100, &["analyze", "--color", "never", "fixtures/demo"]);
    assert!(!never.stdout.contains('\x1b'));
    // On a terminal colour is on by default, and NO_COLOR turns it off.
    let script = |no_color: bool| {
        let mut command = Command::new("script");
        command
            .args([
                "-qec",
                &format!("{} rules", env!("CARGO_BIN_EXE_backupdiag")),
                "/dev/null",
            ])
            .env("COLUMNS", "100");
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        output_of(&mut command)
    };
    assert!(script(false).stdout.contains("\x1b[1mCODE"), "colour on a terminal");
    assert!(!script(true).stdout.contains('\x1b'), "NO_COLOR");
}

#[test]
fn markdown_and_redacted_reports_of_the_demo_and_both_seed_stories() {
    let seeds = [
        (
            "win7",
            crate::diagnosis::generate_scenario("win7-restored-image-services-disabled.toml"),
        ),
        (
            "win11",
            crate::diagnosis::generate_scenario("win11-vss-corrupt-system-files.toml"),
        ),
    ];
    let mut cases: Vec<(&str, std::path::PathBuf, &str)> = vec![("demo", repo_root(), "fixtures/demo")];
    for (name, dir) in &seeds {
        cases.push((name, dir.path().to_path_buf(), "."));
    }
    for (name, dir, path) in cases {
        let markdown = at_width(
            &dir,
            100,
            &["analyze", "--tz", "Asia/Tokyo", "--format", "markdown", path],
        );
        assert_eq!(markdown.code, 0, "{}", markdown.stderr);
        assert!(
            markdown.stdout.starts_with("# backupdiag diagnosis\n\n**Verdict:** "),
            "{}",
            markdown.stdout
        );
        assert!(markdown.stdout.contains("- [ ] "), "a repair checklist");
        insta::assert_snapshot!(format!("{name}_markdown"), markdown.stdout);
        let redacted = at_width(&dir, 100, &["analyze", "--tz", "Asia/Tokyo", "--redact", path]);
        assert_eq!(redacted.code, 0, "{}", redacted.stderr);
        assert!(redacted.stdout.contains("COMPUTER-1"), "{}", redacted.stdout);
        for computer in ["DESKTOP-DEMO", "PC-KURO", "DESKTOP-HANAKO"] {
            assert!(!redacted.stdout.contains(computer), "{name}: {computer} survives");
        }
        insta::assert_snapshot!(format!("{name}_redacted"), redacted.stdout);
    }
}
