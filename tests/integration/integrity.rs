//! Evidence integrity: backupdiag only reads. After `analyze` (every format), `inputs`,
//! `timeline` (every format) and `batch` (with and without `--out-dir` outside the inputs),
//! every input file's bytes (sha256), size and modification time, and the listing of every
//! input folder, are what they were before.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::util::run_in;

/// Path -> (sha256, size, mtime) of every file below `root`, folders included as entries.
fn snapshot(root: &Path) -> BTreeMap<String, (String, u64, Option<SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("listing") {
            let path = entry.expect("entry").path();
            let meta = std::fs::metadata(&path).expect("metadata");
            let key = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .into_owned();
            if meta.is_dir() {
                out.insert(format!("{key}/"), (String::new(), 0, meta.modified().ok()));
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("file");
                let digest = format!("{:x}", Sha256::digest(&bytes));
                out.insert(key, (digest, meta.len(), meta.modified().ok()));
            }
        }
    }
    out
}

#[test]
fn no_command_changes_its_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = dir.path().join("cases");
    std::fs::create_dir_all(&cases).expect("mkdir");
    let demo = crate::util::repo_root().join("fixtures/demo");
    let case = cases.join("demo");
    std::fs::create_dir_all(&case).expect("mkdir");
    for entry in std::fs::read_dir(&demo).expect("demo") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, case.join(path.file_name().expect("name"))).expect("copy");
    }
    let zipped = std::fs::File::create(cases.join("demo.zip")).expect("zip");
    let mut zip = zip::ZipWriter::new(zipped);
    for entry in std::fs::read_dir(&demo).expect("demo") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        std::io::Write::write_all(&mut zip, &std::fs::read(&path).expect("read")).expect("write");
    }
    zip.finish().expect("zip written");
    std::fs::write(
        cases.join("pasted.txt"),
        "ボリューム シャドウ コピーを作成できませんでした (0x81000019)\n",
    )
    .expect("paste");

    let before = snapshot(&cases);
    let runs: &[&[&str]] = &[
        &["analyze", "cases"],
        &["analyze", "--format", "json", "cases"],
        &["analyze", "--format", "markdown", "--redact", "cases"],
        &["analyze", "--format", "html", "--lang", "ja", "cases"],
        &["inputs", "--format", "json", "cases"],
        &["timeline", "cases"],
        &["timeline", "--format", "jsonl", "cases"],
        &["timeline", "--format", "csv", "cases"],
        &["timeline", "--format", "timesketch", "cases"],
        &["batch", "cases"],
        &["batch", "cases", "--out-dir", "reports", "--format", "html"],
    ];
    for args in runs {
        let out = run_in(dir.path(), args);
        assert!(matches!(out.code, 0 | 1 | 3), "{args:?}: {}", out.stderr);
        assert_eq!(snapshot(&cases), before, "{args:?} changed its inputs");
    }
    assert!(
        dir.path().join("reports/demo.html").is_file(),
        "the reports went where asked"
    );
    // A report folder inside the inputs is refused, and nothing is written there.
    let inside = run_in(dir.path(), &["batch", "cases", "--out-dir", "cases/reports"]);
    assert_eq!(inside.code, 2, "{}", inside.stderr);
    assert!(
        inside.stderr.contains("never writes to its inputs"),
        "{}",
        inside.stderr
    );
    assert_eq!(snapshot(&cases), before);
}

/// The reason the parser's panic net gives; it must never appear on real or project inputs.
const NET_FIRED: &str = "internal error while reading this file";

#[test]
fn the_panic_net_never_fires_on_fixtures_or_the_corpus() {
    let root = crate::util::repo_root();
    let mut folders = vec![root.join("fixtures")];
    if let Some(corpus) = crate::util::shared_corpus() {
        folders.push(corpus);
    }
    for folder in folders {
        let out = run_in(&root, &["inputs", "--format", "json", &folder.to_string_lossy()]);
        assert!(matches!(out.code, 0 | 1), "{}: {}", folder.display(), out.stderr);
        assert!(
            !out.stdout.contains(NET_FIRED),
            "{}: the panic net fired",
            folder.display()
        );
        assert!(!out.stderr.contains("panicked"), "{}: {}", folder.display(), out.stderr);
        let files = out.json()["files"].as_array().map_or(0, Vec::len);
        assert!(files > 20, "{}: only {files} files read", folder.display());
    }
}
