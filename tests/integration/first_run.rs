//! What a new user meets first: README's two commands, the progress bar on a real terminal,
//! paths that are missing, empty, unreadable, piped or given twice, and the help pages.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::archives::{cbs_log, zip};
use crate::util::{output_of, repo_root, run, TempCase};

/// README's first ```sh block, its non-empty lines.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    readme
        .lines()
        .skip_while(|l| *l != "```sh")
        .skip(1)
        .take_while(|l| *l != "```")
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_gives_two_commands_and_the_first_one_diagnoses_the_demo() {
    let lines = readme_commands();
    assert_eq!(lines.len(), 2, "README's first sh block: {lines:?}");
    assert_eq!(lines[1], "cargo test");
    let args = lines[0]
        .strip_prefix("cargo run --release -- ")
        .unwrap_or_else(|| panic!("first line runs the binary through cargo: {}", lines[0]));
    let args: Vec<&str> = args.split_whitespace().collect();
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("HYPOTHESES"), "{}", out.stdout);
    assert!(out.stdout.contains("SYS001"), "{}", out.stdout);
    // `cargo run` must know which of the workspace's binaries to run.
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).expect("Cargo.toml");
    let package = manifest.split("\n[").next().unwrap_or_default();
    assert!(package.contains("default-run = \"backupdiag\""), "{package}");
    // CI runs exactly these lines, each as a command of its own, after checking README has them.
    let ci = std::fs::read_to_string(repo_root().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.contains("README.md") && ci.contains("BACKUPDIAG_REQUIRE_CORPUS=1"),
        "{ci}"
    );
    for line in &lines {
        assert!(
            ci.lines().any(|l| l.trim() == line.as_str()),
            ".ci/run does not run `{line}`"
        );
    }
}

/// Runs `command` under a pseudo-terminal (util-linux `script`), so stderr and stdout are a
/// terminal, killed after `seconds`.
pub fn under_terminal(dir: &std::path::Path, command: &str, seconds: u32) -> crate::util::Output {
    output_of(
        Command::new("timeout")
            .arg(seconds.to_string())
            .args(["script", "-qec", command, "/dev/null"])
            .current_dir(dir)
            .env("BACKUPDIAG_PROGRESS_DELAY_MS", "0")
            .env("COLUMNS", "80"),
    )
}

#[test]
fn the_progress_bar_draws_on_a_terminal_and_the_run_finishes() {
    let have_script = Command::new("script").arg("--version").output().is_ok();
    assert!(have_script, "util-linux `script` is needed for the terminal test");
    let case = TempCase::new();
    case.write("CBS.log", cbs_log(60_000));
    for name in ["System.evtx", "Application.evtx", "Microsoft-Windows-Backup.evtx"] {
        let bytes = std::fs::read(repo_root().join("fixtures/demo").join(name)).expect("demo file");
        case.write(name, bytes);
    }
    let command = format!("{} analyze .", env!("CARGO_BIN_EXE_backupdiag"));
    let out = under_terminal(case.path(), &command, 120);
    assert_eq!(out.code, 0, "timed out or failed (124 is a timeout): {}", out.stdout);
    assert!(
        out.stdout.contains("reading 4 input(s)"),
        "no progress drawn: {}",
        out.stdout
    );
    assert!(out.stdout.contains("HYPOTHESES"), "no report: {}", out.stdout);
    // Piped, the same run prints no progress at all.
    let piped = case.run(&["analyze", "."]);
    assert!(!piped.stderr.contains("reading"), "{}", piped.stderr);
}

#[test]
fn a_missing_path_is_one_line_and_exit_2_with_no_report() {
    let out = run(&["analyze", "/nonexistent/case"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr.lines().collect::<Vec<_>>(),
        ["backupdiag: error: /nonexistent/case: no such file or folder"]
    );
    let json = run(&["analyze", "--format", "json", "/nonexistent/case"]);
    assert_eq!(json.code, 2);
    let doc = json.json();
    assert_eq!(doc["schema"], "backupdiag.error/1");
    assert_eq!(doc["problems"][0]["path"], "/nonexistent/case");
    assert_eq!(doc["problems"][0]["reason"], "no such file or folder");
}

#[test]
fn an_empty_folder_is_named_and_nothing_is_reported() {
    let case = TempCase::new();
    std::fs::create_dir(case.path().join("empty")).expect("mkdir");
    let out = case.run(&["analyze", "empty"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("empty: folder holds no file to read"),
        "{}",
        out.stderr
    );
    // Beside a readable log, the empty folder still makes the run partial.
    case.write("CBS.log", cbs_log(3));
    let both = case.run(&["inputs", "empty", "CBS.log"]);
    assert_eq!(both.code, 1, "{}", both.stderr);
    assert!(both.stdout.contains("1 read"), "{}", both.stdout);
}

#[test]
fn an_evtx_with_nothing_readable_fails_the_run() {
    let case = TempCase::new();
    let mut evtx = std::fs::read(repo_root().join("fixtures/demo/System.evtx")).expect("demo evtx");
    // Keep the file header, wipe every chunk.
    for byte in evtx.iter_mut().skip(4096) {
        *byte = 0;
    }
    case.write("System.evtx", evtx);
    let out = case.run(&["inputs", "System.evtx"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
}

/// A file the current user cannot open: mode 000 for a normal user; for root (which ignores
/// file modes) a write-only sysctl, which even root cannot read.
fn unreadable_file(case: &TempCase) -> Option<std::path::PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = case.write("locked.log", cbs_log(2));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        if std::fs::File::open(&path).is_err() {
            return Some(path);
        }
        let sysctl = std::path::PathBuf::from("/proc/sys/vm/drop_caches");
        if sysctl.is_file() && std::fs::File::open(&sysctl).is_err() {
            return Some(sysctl);
        }
    }
    let _ = case;
    None
}

#[test]
fn a_file_that_cannot_be_opened_is_counted_as_failed() {
    let case = TempCase::new();
    let Some(locked) = unreadable_file(&case) else {
        let _ = writeln!(std::io::stderr(), "skipped: no unreadable file can be made here");
        return;
    };
    case.write("CBS.log", cbs_log(3));
    let locked = locked.to_string_lossy().into_owned();
    let out = case.run(&["inputs", "CBS.log", &locked]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("1 read, 0 damaged, 1 failed"), "{}", out.stdout);
    assert!(out.stderr.contains("permission denied"), "{}", out.stderr);
}

#[test]
fn standard_input_and_named_pipes_are_read_as_streams() {
    let case = TempCase::new();
    let log = cbs_log(5);
    let mut child = Command::new(env!("CARGO_BIN_EXE_backupdiag"))
        .args(["inputs", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(log.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["files"][0]["path"], "<stdin>");
    assert_eq!(report["files"][0]["kind"], "cbs");
    assert_eq!(report["files"][0]["records"], 5);
    assert_eq!(report["files"][0]["bytes"], log.len());

    #[cfg(unix)]
    {
        let fifo = case.path().join("pasted.pipe");
        let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(made.success());
        let writer_path = fifo.clone();
        let text = log.clone();
        let writer = std::thread::spawn(move || {
            std::fs::write(writer_path, text).expect("write to the pipe");
        });
        let out = case.run(&["inputs", "pasted.pipe"]);
        writer.join().expect("writer");
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("5  "), "{}", out.stdout);
        assert!(out.stdout.contains("pasted.pipe"), "{}", out.stdout);
    }
}

#[cfg(unix)]
#[test]
fn a_pipe_inside_a_folder_is_never_opened() {
    let case = TempCase::new();
    case.write("case/CBS.log", cbs_log(3));
    let made = Command::new("mkfifo")
        .arg(case.path().join("case/stray.pipe"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Nobody writes to the pipe: opening it would block forever; `timeout` would end that.
    let out = output_of(
        Command::new("timeout")
            .args(["60", env!("CARGO_BIN_EXE_backupdiag"), "inputs", "case"])
            .current_dir(case.path()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("stray.pipe: a named pipe"), "{}", out.stderr);
    assert!(out.stdout.contains("1 files: 1 read"), "{}", out.stdout);
}

#[test]
fn the_same_content_given_twice_is_read_once() {
    let case = TempCase::new();
    let log = cbs_log(4);
    case.write("case/CBS.log", &log);
    case.write("case.zip", zip(&[("CBS.log", log.as_bytes())]));
    let out = case.run(&["inputs", "--format", "json", "case", "case.zip"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["files"].as_array().expect("files").len(), 1);
    assert_eq!(report["events"], 4);
    assert!(
        out.stderr.contains("case.zip!CBS.log: same content as case/CBS.log"),
        "{}",
        out.stderr
    );
}

#[test]
fn every_help_page_has_examples_and_exit_codes() {
    for command in ["analyze", "inputs", "timeline", "rules", "explain"] {
        let out = run(&[command, "--help"]);
        assert_eq!(out.code, 0, "{command}");
        assert!(
            out.stdout.contains("Examples:\n  backupdiag"),
            "{command}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("Exit codes:"), "{command}: {}", out.stdout);
        assert!(out.stdout.contains("  2  usage error"), "{command}: {}", out.stdout);
    }
    let main = run(&["--help"]);
    assert!(main.stdout.contains("Examples:") && main.stdout.contains("Exit codes:"));
}

#[test]
fn since_after_until_is_a_usage_error() {
    let out = run(&[
        "timeline",
        "--since",
        "2024-05-20",
        "--until",
        "2024-05-01",
        "fixtures/demo",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--since"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn inputs_are_reported_in_input_order_whatever_order_they_are_read_in() {
    // The biggest inputs are read first; the report keeps the order of the names.
    let case = TempCase::new();
    let sizes: [(&str, u64); 5] = [("a", 3), ("b", 400), ("c", 40), ("d", 4000), ("e", 1)];
    for (folder, lines) in sizes {
        case.write(&format!("{folder}/CBS.log"), cbs_log(lines as usize));
    }
    let report = case.run(&["inputs", "--format", "json", "."]).json();
    let files = report["files"].as_array().expect("files");
    let listed: Vec<(&str, u64)> = files
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default(),
                f["records"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = sizes
        .iter()
        .map(|(folder, lines)| (format!("./{folder}/CBS.log"), *lines))
        .collect();
    let expected: Vec<(&str, u64)> = expected.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    assert_eq!(listed, expected);
}
