//! The real files of `../shared/corpus`: every count must match the reference counts that
//! were taken with other tools (evtx_dump 0.15.1 for evtx, a line regex for text logs).

use std::collections::BTreeMap;

use crate::util::{run, shared_corpus};

/// `path -> (records, stderr_lines)` from `manifest.tsv`.
fn manifest(corpus: &std::path::Path) -> BTreeMap<String, (u64, u64)> {
    let text = std::fs::read_to_string(corpus.join("manifest.tsv")).expect("manifest.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (path, records, stderr) = (col("path"), col("records"), col("stderr_lines"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .map(|f| {
            (
                f[path].to_string(),
                (f[records].parse().expect("records"), f[stderr].parse().expect("stderr")),
            )
        })
        .collect()
}

/// Files of the inputs report keyed by their path below the corpus folder.
fn files_by_path(report: &serde_json::Value, corpus: &std::path::Path) -> BTreeMap<String, serde_json::Value> {
    let prefix = format!("{}/", corpus.display());
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .expect("path")
                    .trim_start_matches(&prefix)
                    .to_string(),
                f.clone(),
            )
        })
        .collect()
}

#[test]
fn every_evtx_file_yields_the_manifest_record_count() {
    let Some(corpus) = shared_corpus() else { return };
    let out = run(&[
        "inputs",
        "--format",
        "json",
        corpus.join("evtx").to_str().expect("utf-8 path"),
    ]);
    assert!(out.code == 0 || out.code == 1, "exit {}: {}", out.code, out.stderr);
    let files = files_by_path(&out.json(), &corpus);
    let mut checked = 0;
    for (path, (records, stderr_lines)) in manifest(&corpus).into_iter().filter(|(p, _)| p.starts_with("evtx/")) {
        let file = files.get(&path).unwrap_or_else(|| panic!("{path} not reported"));
        let got = file["records"].as_u64().expect("records");
        if stderr_lines == 0 {
            assert_eq!(got, records, "{path}");
        } else {
            assert!(got >= records, "{path}: {got} < {records}");
        }
        assert_eq!(file["kind"], "evtx", "{path}");
        checked += 1;
    }
    assert!(checked >= 250, "only {checked} manifest rows checked");
}

#[test]
fn damaged_evtx_files_give_partial_results_and_warnings() {
    let Some(corpus) = shared_corpus() else { return };
    let out = run(&[
        "inputs",
        "--format",
        "json",
        corpus.join("evtx-damaged").to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.code, 1, "damage must show in the exit code: {}", out.stderr);
    let files = files_by_path(&out.json(), &corpus);
    // (file, records evtx_dump reads, must carry a damage warning)
    let expected = [
        ("evtx-damaged/omerbenamram__evtx__sample_with_a_bad_chunk_magic.evtx", 301, true),
        ("evtx-damaged/omerbenamram__evtx__sample-with-zero-data-size-event.evtx", 449, true),
        ("evtx-damaged/omerbenamram__evtx__sysmon.evtx", 358, true),
        ("evtx-damaged/omerbenamram__evtx__2-vss_0-Microsoft-Windows-TerminalServices-RemoteConnectionManager%4Operational.evtx", 1795, true),
        ("evtx-damaged/omerbenamram__evtx__security_bad_string_cache.evtx", 2261, false),
        ("evtx-damaged/omerbenamram__evtx__Microsoft-Windows-HelloForBusiness%4Operational.evtx", 6, false),
    ];
    for (path, records, damaged) in expected {
        let file = &files[path];
        assert_eq!(file["records"], records, "{path}");
        assert_eq!(file["status"] == "damaged", damaged, "{path}: {file}");
        if damaged {
            let reason = file["notices"][0]["reason"].as_str().expect("reason");
            assert!(
                reason.contains("chunk") || reason.contains("record"),
                "{path}: {reason}"
            );
        }
    }
    let link = &files["evtx-damaged/log2timeline__plaso__link_to_System.evtx"];
    assert_eq!(link["status"], "skipped");
    assert!(link["skipped"].as_str().expect("reason").contains("not one"), "{link}");
}

/// `file -> ts entries` from the table in `text/SOURCES.md`.
fn text_entries(corpus: &std::path::Path) -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(corpus.join("text/SOURCES.md")).expect("SOURCES.md");
    let mut column = None;
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if column.is_none() {
            column = cells.iter().position(|c| *c == "ts entries");
            continue;
        }
        if let Some(n) = column.and_then(|c| cells.get(c)).and_then(|c| c.parse::<u64>().ok()) {
            out.insert(cells[0].to_string(), n);
        }
    }
    out
}

#[test]
fn every_servicing_log_yields_its_timestamped_entry_count() {
    let Some(corpus) = shared_corpus() else { return };
    let out = run(&[
        "inputs",
        "--format",
        "json",
        corpus.join("text").to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = files_by_path(&out.json(), &corpus);
    let mut checked = 0;
    for (name, entries) in text_entries(&corpus).into_iter().filter(|(_, n)| *n > 0) {
        let file = &files[&format!("text/{name}")];
        assert_eq!(file["records"], entries, "{name}");
        let kind = file["kind"].as_str().expect("kind");
        let expected_kind = if name.contains("CBS") {
            "cbs"
        } else if name.contains("dism") {
            "dism"
        } else {
            "panther"
        };
        assert_eq!(kind, expected_kind, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 9);
    // Logs that are not of the servicing family are not misread: only codes are taken from
    // them, as low-certainty mentions, or they are skipped with a reason.
    for name in [
        "findingsanity__Logs__WindowsUpdate.log",
        "findingsanity__Logs__UpdatesStore.log",
        "findingsanity__Logs__WUAHandler.log",
    ] {
        let file = &files[&format!("text/{name}")];
        assert!(file["kind"] == "text" || file["status"] == "skipped", "{name}: {file}");
        assert_eq!(
            file["first"],
            serde_json::Value::Null,
            "{name}: nothing timed is taken from it"
        );
    }
}

#[test]
fn cbs_logs_anchor_their_own_clock() {
    let Some(corpus) = shared_corpus() else { return };
    let path = corpus.join("text/hofcake__CBS.log__CBS.log");
    let out = run(&["timeline", "--format", "jsonl", path.to_str().expect("utf-8 path")]);
    let events = out.jsonl();
    assert_eq!(events.len(), 1668);
    // Local 21:47:28 with "Universal Time is: 2015-02-24 02:47:28.286": UTC-05:00.
    let first = &events[0];
    assert_eq!(first["local_time"], "2015-02-23T21:47:27");
    assert_eq!(first["time"], "2015-02-24T02:47:27Z");
    assert_eq!(first["clock"], "local-anchored");
}

#[test]
fn a_cut_off_evtx_keeps_its_whole_chunks_and_says_where_it_ends() {
    let Some(corpus) = shared_corpus() else { return };
    let bytes = std::fs::read(corpus.join("evtx/omerbenamram__evtx/samples/system.evtx")).expect("sample");
    let case = crate::util::TempCase::new();
    case.write("cut.evtx", &bytes[..300_000]);
    case.write("header-only.evtx", &bytes[..4096]);
    let out = case.run(&["inputs", "--format", "json", "cut.evtx", "header-only.evtx"]);
    assert_eq!(out.code, 1);
    let report = out.json();
    let cut = &report["files"][0];
    assert_eq!(cut["status"], "damaged");
    assert_eq!(cut["records"], 444, "the four whole chunks before the cut");
    assert_eq!(cut["notices"][0]["place"], "offset 0x493e0");
    assert!(cut["notices"][0]["reason"]
        .as_str()
        .expect("reason")
        .contains("ends 33760 bytes into chunk 4"));
    let header_only = &report["files"][1];
    assert_eq!(header_only["records"], 0);
    assert!(header_only["notices"][0]["reason"]
        .as_str()
        .expect("reason")
        .contains("announces 3 chunks"));
}
