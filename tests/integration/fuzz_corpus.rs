//! Replays every committed fuzz corpus file (`fuzz/corpus/TARGET/`) through its target, so the
//! seeds and every crash the fuzzers found are checked by `cargo test`, without libFuzzer.
//! The targets call the parsers without the `catch_unwind` net: a panic fails this test.

use std::path::Path;

use backupdiag::fuzzing::TARGETS;

fn corpus_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus"))
}

#[test]
fn every_fuzz_target_has_a_seed_corpus_and_a_libfuzzer_entry() {
    let sources = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/fuzz_targets"));
    let mut declared: Vec<String> = std::fs::read_dir(sources)
        .expect("fuzz/fuzz_targets")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".rs").map(str::to_string))
        .collect();
    declared.sort();
    let mut registered: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    registered.sort();
    assert_eq!(
        declared, registered,
        "fuzz/fuzz_targets and backupdiag::fuzzing::TARGETS differ"
    );
    for (name, _) in TARGETS {
        let seeds = std::fs::read_dir(corpus_dir().join(name)).map_or(0, |d| d.count());
        assert!(
            seeds > 0,
            "fuzz target {name} has no committed corpus in fuzz/corpus/{name}"
        );
    }
}

#[test]
fn every_committed_fuzz_input_replays_without_a_panic() {
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let mut files: Vec<_> = std::fs::read_dir(corpus_dir().join(name))
            .expect("corpus folder")
            .filter_map(|e| Some(e.ok()?.path()))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).expect("corpus file");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "fuzz target {name} panics on {}", file.display());
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len(), "only {replayed} corpus files replayed");
}
