//! `--lang ja`: the analysis (terminal table and Markdown), `rules` and `explain` in Japanese
//! for the demo and both seed stories, pinned by snapshots that were read as a Japanese
//! support engineer reads them. Codes, commands, cause ids and file names stay as they are.

use crate::util::{repo_root, run_in};

fn at_100(dir: &std::path::Path, args: &[&str]) -> crate::util::Output {
    crate::util::output_of(
        std::process::Command::new(env!("CARGO_BIN_EXE_backupdiag"))
            .args(args)
            .current_dir(dir)
            .env("COLUMNS", "100"),
    )
}

#[test]
fn the_demo_and_both_seed_stories_in_japanese() {
    let cases = [
        ("demo", None),
        ("win7", Some("win7-restored-image-services-disabled.toml")),
        ("win11", Some("win11-vss-corrupt-system-files.toml")),
    ];
    for (name, scenario) in cases {
        let generated = scenario.map(crate::diagnosis::generate_scenario);
        let dir = generated
            .as_ref()
            .map_or_else(|| repo_root().join("fixtures/demo"), |d| d.path().to_path_buf());
        let table = at_100(&dir, &["analyze", "--lang", "ja", "--tz", "Asia/Tokyo", "."]);
        assert!(matches!(table.code, 0 | 1), "{}", table.stderr);
        assert!(table.stdout.contains("判定  "), "{}", table.stdout);
        assert!(table.stdout.contains("原因の候補"), "{}", table.stdout);
        // Commands are never translated.
        assert!(table.stdout.contains("> "), "{}", table.stdout);
        insta::assert_snapshot!(format!("{name}_analysis_ja"), table.stdout);
        let markdown = run_in(
            &dir,
            &[
                "analyze",
                "--lang",
                "ja",
                "--format",
                "markdown",
                "--tz",
                "Asia/Tokyo",
                ".",
            ],
        );
        assert!(markdown.stdout.starts_with("# backupdiag 診断結果"));
        insta::assert_snapshot!(format!("{name}_markdown_ja"), markdown.stdout);
        let html = run_in(
            &dir,
            &["analyze", "--lang", "ja", "--format", "html", "--tz", "Asia/Tokyo", "."],
        );
        assert!(html.stdout.contains("<html lang=\"ja\">") && html.stdout.contains("<h2>原因の候補</h2>"));
        // JSON keys and cause ids do not change with the language.
        let en = run_in(&dir, &["analyze", "--format", "json", "--tz", "Asia/Tokyo", "."]).json();
        let ja = run_in(
            &dir,
            &["analyze", "--lang", "ja", "--format", "json", "--tz", "Asia/Tokyo", "."],
        )
        .json();
        assert_eq!(en["hypotheses"][0]["cause"], ja["hypotheses"][0]["cause"]);
        assert_eq!((en["lang"].as_str(), ja["lang"].as_str()), (Some("en"), Some("ja")));
        assert_ne!(
            en["hypotheses"][0]["title"], ja["hypotheses"][0]["title"],
            "the title follows --lang"
        );
        assert_eq!(
            en["hypotheses"][0]["repair"][0]["command"], ja["hypotheses"][0]["repair"][0]["command"],
            "commands never change"
        );
        crate::contract::assert_valid(&crate::contract::validator("analysis"), name, &ja);
    }
}

#[test]
fn rules_and_explain_in_japanese() {
    let rules = at_100(&repo_root(), &["rules", "--lang", "ja"]);
    assert_eq!(rules.code, 0);
    assert!(rules.stdout.contains("コード"));
    insta::assert_snapshot!("rules_ja", rules.stdout);
    for code in ["SYS001", "SVC001", "BOOT001"] {
        let explain = at_100(&repo_root(), &["explain", "--lang", "ja", code]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        assert!(explain.stdout.contains("検出する内容: "), "{}", explain.stdout);
        insta::assert_snapshot!(format!("explain_{code}_ja"), explain.stdout);
    }
}
