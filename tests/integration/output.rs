//! What people read: every reference and reason printed is public, tables fit the terminal,
//! colour only where it belongs.

use crate::util::run;

/// Words that only the project's own files, corpus or seed write-ups would explain.
const PRIVATE: &[&str] = &[
    "seed",
    "docs/research",
    "shared/",
    "windows-knowledge",
    "japanese-formats",
    "catalogue",
    "corpus",
    "causes.md",
    "event-catalog",
    ".md §",
];

fn assert_public(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for word in PRIVATE {
        assert!(!lower.contains(word), "{what} cites a private source ({word}):\n{text}");
    }
}

#[test]
fn everything_rules_explain_and_the_harmless_catalogue_print_is_public() {
    let rules = run(&["rules"]);
    assert_eq!(rules.code, 0);
    assert_public("rules", &rules.stdout);
    let codes: Vec<String> = rules
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| crate::util::rule_code(c))
        .map(str::to_string)
        .collect();
    assert!(codes.len() >= 19, "{codes:?}");
    for code in &codes {
        let explain = run(&["explain", code]);
        assert_eq!(explain.code, 0, "{code}");
        assert_public(code, &explain.stdout);
        assert!(explain.stdout.contains("http"), "{code} has no public link");
    }
    for reason in backupdiag::signals::tables::harmless_reasons() {
        assert_public("harmless reason", reason);
    }
}

#[test]
fn explain_reads_an_error_code_in_every_spelling() {
    for spelling in ["0x8007045D", "0x8007045d", "1117", "-2147023779", "2147943517"] {
        let out = run(&["explain", spelling]);
        assert_eq!(out.code, 0, "{spelling}: {}", out.stderr);
        assert!(
            out.stdout.starts_with("0x8007045d ERROR_IO_DEVICE (Win32 error 1117)"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("disk-io-error"), "{}", out.stdout);
        assert!(out.stdout.contains("DSK001"), "{}", out.stdout);
        assert!(out.stdout.contains("Source: https://"), "{}", out.stdout);
    }
    let unknown = run(&["explain", "0x12345678"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("'0x12345678'"), "{}", unknown.stderr);
}

#[test]
fn readmes_rule_table_is_the_registry() {
    let path = crate::util::repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme.find("<!-- rules:start").expect("rules:start marker");
    let body = start + readme[start..].find("-->").expect("end of the start marker") + 3;
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    let expected = format!("\n{}", backupdiag::report::rules::readme_table());
    if std::env::var_os("BACKUPDIAG_WRITE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..body], &readme[end..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    assert_eq!(
        &readme[body..end],
        expected,
        "README's rule table is stale: run BACKUPDIAG_WRITE_README=1 cargo test readme"
    );
}

/// The stages of `src/` import each other in one direction only (a later stage never imported
/// by an earlier one): no cycle between folders.
#[test]
fn no_import_cycle_between_stages() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = crate::util::repo_root().join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src");
            let stage = relative
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or_default()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&path).expect("source");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != stage {
                    edges.entry(stage.clone()).or_default().insert(name);
                }
            }
        }
    }
    // Depth-first search for a path back to the start.
    fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str, seen: &mut BTreeSet<String>) -> bool {
        edges
            .get(from)
            .into_iter()
            .flatten()
            .any(|next| next == to || (seen.insert(next.clone()) && reaches(edges, next, to, seen)))
    }
    for (stage, uses) in &edges {
        for used in uses {
            assert!(
                !reaches(&edges, used, stage, &mut BTreeSet::new()),
                "import cycle: {stage} uses {used}, which leads back to {stage}"
            );
        }
    }
    assert!(
        edges.contains_key("rules") && edges["rules"].contains("history"),
        "{edges:?}"
    );
}

#[test]
fn the_inputs_summary_is_wrapped_to_the_terminal() {
    let demo = crate::util::repo_root().join("fixtures/demo");
    let out = crate::util::output_of(
        std::process::Command::new(env!("CARGO_BIN_EXE_backupdiag"))
            .args(["inputs", demo.to_str().expect("utf-8 path")])
            .env("COLUMNS", "50"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary: Vec<&str> = out
        .stdout
        .trim_end()
        .rsplit("\n\n")
        .next()
        .unwrap_or_default()
        .lines()
        .collect();
    assert!(summary.len() > 1, "the summary is wrapped: {summary:?}");
    assert!(
        summary[0].contains("files:") && summary.iter().all(|l| l.chars().count() <= 50),
        "{summary:?}"
    );
}
