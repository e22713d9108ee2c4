//! A small helper API for running the binary on files the tests write.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run printed and returned.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The stdout as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The stdout as JSON Lines.
    pub fn jsonl(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("line is not JSON ({e}): {l}")))
            .collect()
    }
}

/// The repository root (the demo case lives there).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs backupdiag in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    output_of(
        Command::new(env!("CARGO_BIN_EXE_backupdiag"))
            .args(args)
            .current_dir(dir),
    )
}

/// Runs a prepared command and collects what it printed.
pub fn output_of(command: &mut Command) -> Output {
    let out = command.output().expect("the command runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs backupdiag in the repository root.
pub fn run(args: &[&str]) -> Output {
    run_in(&repo_root(), args)
}

/// Set by `.ci/run`: a missing `../shared/corpus` is then an error, not a skip.
pub const REQUIRE_CORPUS: &str = "BACKUPDIAG_REQUIRE_CORPUS";

/// `../shared/corpus` beside the repository, or `None` (the test then skips, with a line on
/// the terminal that the test harness does not swallow) on a fresh clone without it. In CI
/// (`BACKUPDIAG_REQUIRE_CORPUS` set) a missing corpus fails the test.
pub fn shared_corpus() -> Option<PathBuf> {
    let corpus = repo_root().join("../shared/corpus");
    if corpus.is_dir() {
        return Some(corpus);
    }
    assert!(
        std::env::var_os(REQUIRE_CORPUS).is_none(),
        "../shared/corpus is missing and {REQUIRE_CORPUS} is set (CI must run the corpus tests)"
    );
    use std::io::Write as _;
    // Written to the real stderr: `eprintln!` output is captured and hidden for passing tests.
    let _ = writeln!(std::io::stderr(), "skipped: ../shared/corpus is not present");
    None
}

/// A temporary folder of case files.
pub struct TempCase {
    pub dir: tempfile::TempDir,
}

impl TempCase {
    pub fn new() -> TempCase {
        TempCase {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Writes `bytes` to `name` (folders created) and returns the full path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, bytes).expect("write");
        path
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs backupdiag inside this folder.
    pub fn run(&self, args: &[&str]) -> Output {
        run_in(self.path(), args)
    }
}

/// One CBS/DISM line with the real column widths.
pub fn servicing_line(time: &str, level: &str, source: &str, message: &str) -> String {
    format!("{time}, {level:<22}{source:<7}{message}")
}

/// UTF-16LE with a byte-order mark, as PowerShell 5 redirection writes.
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// The vssadmin listing of the Japanese demo, as text.
pub const JAPANESE_WRITERS: &str = "vssadmin 1.1 - ボリューム シャドウ コピー サービス管理コマンド ライン ツール\r\n(C) Copyright 2001-2013 Microsoft Corp.\r\n\r\nライター名: 'Task Scheduler Writer'\r\n   ライター Id: {d61d61c8-d73a-4eee-8cdd-f6f9786b7124}\r\n   ライター インスタンス Id: {1bddd48e-5052-49db-9b07-b96f96727e6b}\r\n   状態: [1] 安定\r\n   最後のエラー: エラーなし\r\n\r\nライター名: 'System Writer'\r\n   ライター Id: {e8132975-6f93-4464-a53e-1050253ae220}\r\n   ライター インスタンス Id: {7d1c4f0e-2a8b-4c3d-9e6f-5a4b3c2d1e0f}\r\n   状態: [8] 失敗\r\n   最後のエラー: 再試行不可能なエラー\r\n";

/// True for a rule code: three or four capital letters and three digits (`SVC001`, `BOOT001`).
pub fn rule_code(word: &str) -> bool {
    let letters = word.chars().take_while(char::is_ascii_uppercase).count();
    let digits = &word[letters..];
    (3..=4).contains(&letters) && digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit())
}
