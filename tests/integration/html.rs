//! `analyze --format html`: pinned by a snapshot, and rendered by a real browser (headless
//! Chromium): the DOM it builds holds every timed milestone and backup run on the axis in time
//! order, failures marked, every marker linked to its table row, and every hypothesis's
//! evidence inside its `<details>`; a screenshot of each report is written to
//! `target/html-screenshots/`. Without Chromium the browser test says so and skips, except
//! under `CI=true`, where it fails (`.ci/run` installs Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{repo_root, run, run_in};

#[test]
fn the_demo_report_is_pinned() {
    let out = run(&["analyze", "--tz", "Asia/Tokyo", "--format", "html", "fixtures/demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = &out.stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing is fetched, no script runs.
    for forbidden in ["<script", "src=\"http", "<link", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    insta::assert_snapshot!("demo_html", html);
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Chromium with the flags it needs as root on a closed network.
fn browser(binary: &Path, profile: &Path) -> Command {
    let mut command = Command::new("timeout");
    command.arg("120").arg(binary).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The values of `attribute` in each element of `class` (in DOM order), as numbers.
fn attribute_after(dom: &str, marker: &str, attribute: &str) -> Vec<f64> {
    dom.split(marker)
        .skip(1)
        .filter_map(|chunk| {
            let at = chunk.find(&format!("{attribute}=\""))? + attribute.len() + 2;
            chunk[at..].split('"').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn a_real_browser_renders_the_history_in_time_order() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but Chromium is not installed (.ci/run installs Debian's chromium)"
        );
        println!("skipped: Chromium is not installed (apt-get install chromium); the HTML snapshot still runs");
        return;
    };
    let shots = repo_root().join("target/html-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let seeds = [
        ("win7", Some("win7-restored-image-services-disabled.toml")),
        ("win11", Some("win11-vss-corrupt-system-files.toml")),
        ("demo", None),
    ];
    for (name, scenario) in seeds {
        let generated = scenario.map(crate::diagnosis::generate_scenario);
        let case = generated
            .as_ref()
            .map_or_else(|| repo_root().join("fixtures/demo"), |d| d.path().to_path_buf());
        let case = case.to_string_lossy().into_owned();
        let work = tempfile::tempdir().expect("tempdir");
        let html = run_in(
            work.path(),
            &["analyze", "--tz", "Asia/Tokyo", "--format", "html", &case],
        );
        assert_eq!(html.code, 0, "{name}: {}", html.stderr);
        let page = work.path().join(format!("{name}.html"));
        std::fs::write(&page, &html.stdout).expect("page");
        let json = run_in(
            work.path(),
            &["analyze", "--tz", "Asia/Tokyo", "--format", "json", &case],
        )
        .json();

        let dump = browser(&binary, &work.path().join("profile"))
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&dump.stdout).into_owned();
        assert!(
            dom.contains("<svg"),
            "{name}: no DOM from Chromium: {}",
            String::from_utf8_lossy(&dump.stderr)
        );

        // Every timed milestone and run is on the axis, in time order.
        let timed = |items: &serde_json::Value| {
            items
                .as_array()
                .map_or(0, |a| a.iter().filter(|i| i["clock"] != "none").count())
        };
        let milestone_times = attribute_after(&dom, "<g class=\"milestone\"", "data-time");
        let milestone_xs = attribute_after(&dom, "<g class=\"milestone\"", "x1");
        assert_eq!(
            milestone_times.len(),
            timed(&json["milestones"]),
            "{name}: milestones on the axis"
        );
        let mut pairs: Vec<(f64, f64)> = milestone_times.into_iter().zip(milestone_xs).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            pairs.windows(2).all(|w| w[0].1 <= w[1].1),
            "{name}: milestones out of time order: {pairs:?}"
        );
        let runs = json["backups"].as_array().expect("backups");
        let failed = runs
            .iter()
            .filter(|r| r["succeeded"] == false && r["clock"] != "none")
            .count();
        assert_eq!(
            dom.matches("<g class=\"run failed\"").count(),
            failed,
            "{name}: failures marked"
        );
        assert_eq!(
            dom.matches("<g class=\"run ").count(),
            runs.iter().filter(|r| r["clock"] != "none").count(),
            "{name}: runs on the axis"
        );
        assert!(failed > 0, "{name}: the seed stories and the demo all have failures");

        // Every marker links to a row that exists; every hypothesis holds its evidence.
        for target in dom.split("href=\"#").skip(1).filter_map(|c| c.split('"').next()) {
            assert!(
                dom.contains(&format!("id=\"{target}\"")),
                "{name}: #{target} leads nowhere"
            );
        }
        let hypotheses = json["hypotheses"].as_array().expect("hypotheses");
        let details: Vec<&str> = dom.split("<details class=\"hypothesis\"").skip(1).collect();
        assert_eq!(details.len(), hypotheses.len(), "{name}");
        for (h, d) in hypotheses.iter().zip(&details) {
            let body = d.split("</details>").next().unwrap_or_default();
            let evidence = h["evidence"].as_array().map_or(0, Vec::len);
            assert_eq!(
                body.matches("<tr><td>").count(),
                evidence,
                "{name}: {} evidence",
                h["rule"]
            );
        }

        let shot = shots.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&shot);
        let status = browser(&binary, &work.path().join("profile-shot"))
            .arg("--window-size=1100,1000")
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium runs");
        let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{name}: no screenshot ({e}): {status:?}"));
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "{name}: screenshot of {} bytes",
            png.len()
        );
    }
}
