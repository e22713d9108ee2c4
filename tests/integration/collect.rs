//! `collect-script`: the script is pinned by snapshots (it cannot run here), is plain ASCII in
//! English and starts with a UTF-8 byte-order mark in Japanese, and every file it writes is one
//! backupdiag recognises by content when given a sample of that kind.

use std::io::{Cursor, Write};
use std::path::Path;

use backupdiag::report::collect_script::{script, written_files};
use backupdiag_forge::bundle::write_folder;
use backupdiag_forge::scenario::Scenario;

use crate::util::{repo_root, run, run_in, servicing_line, utf16le_bom};

#[test]
fn the_script_is_pinned_and_printed_as_is() {
    let english = run(&["collect-script"]);
    assert_eq!(english.code, 0);
    assert_eq!(english.stdout, script(false));
    assert!(
        english.stdout.is_ascii(),
        "Windows PowerShell reads an ASCII script in any code page"
    );
    insta::assert_snapshot!("collect_script_en", english.stdout);

    let japanese = run(&["collect-script", "--lang", "ja"]);
    assert!(
        japanese.stdout.starts_with('\u{feff}'),
        "PowerShell 5.1 needs the BOM for UTF-8"
    );
    assert!(japanese.stdout.contains("管理者として実行"));
    insta::assert_snapshot!("collect_script_ja", japanese.stdout);

    // Reads only: no command that changes a setting, a service or a file outside its folder.
    for forbidden in [
        "Set-",
        "Stop-",
        "Remove-",
        "sc config",
        "bcdedit /set",
        "vssadmin delete",
        "vssadmin resize",
        "reg add",
        "Move-Item",
    ] {
        assert!(!english.stdout.contains(forbidden), "{forbidden}");
    }
    // Every file it writes is named in it.
    for file in written_files() {
        let name = file.rsplit('\\').next().unwrap_or(&file);
        assert!(english.stdout.contains(name), "{name}");
    }
}

/// The kind `inputs` reports for a sample of each file the script writes.
const EXPECTED: &[(&str, &str)] = &[
    ("System.evtx", "evtx"),
    ("Application.evtx", "evtx"),
    ("Microsoft-Windows-Backup.evtx", "evtx"),
    ("Defender.evtx", "evtx"),
    ("CBS\\CBS.log", "cbs"),
    ("CBS\\CbsPersist_*.log", "cbs"),
    ("CBS\\CbsPersist_*.cab", "cbs"),
    ("DISM\\dism.log", "dism"),
    ("Panther\\setupact.log", "panther"),
    ("Panther\\setuperr.log", "panther"),
    ("vssadmin-writers.txt", "vssadmin"),
    ("vssadmin-providers.txt", "vssadmin"),
    ("vssadmin-shadowstorage.txt", "vssadmin"),
    ("bcdedit.txt", "bcdedit"),
    ("msinfo32.txt", "msinfo32"),
    ("manifest.txt", "-"),
];

/// Generated logs of every kind the forge writes.
fn generated() -> tempfile::TempDir {
    let path = repo_root().join("fixtures/scenarios/demo.toml");
    let text = std::fs::read_to_string(path).expect("scenario");
    let files = r#"files = ["System.evtx", "Application.evtx", "Microsoft-Windows-Backup.evtx", "Microsoft-Windows-Windows Defender%4Operational.evtx", "CBS.log", "dism.log", "vssadmin-writers.txt", "vssadmin-providers.txt", "bcdedit.txt"]"#;
    let text: String = text
        .lines()
        .map(|l| if l.starts_with("files = ") { files } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    let scenario = Scenario::from_toml("all-files", &text).expect("scenario");
    let dir = tempfile::tempdir().expect("tempdir");
    write_folder(&scenario, dir.path(), 1).expect("bundle");
    dir
}

/// A cabinet holding `name` (MSZIP), as CBS rotates its log into `CbsPersist_*.cab`.
fn cabinet(name: &str, data: &[u8]) -> Vec<u8> {
    let mut builder = cab::CabinetBuilder::new();
    builder.add_folder(cab::CompressionType::MsZip).add_file(name);
    let mut writer = builder.build(Cursor::new(Vec::new())).expect("cabinet");
    while let Some(mut file) = writer.next_file().expect("member") {
        file.write_all(data).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

/// The first (0) or second (1) half of a text's lines.
fn half(text: &[u8], which: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    [first, second][which].join("\r\n").into_bytes()
}

/// A sample of the file the script writes at `path`.
fn sample(path: &str, generated: &Path) -> Vec<u8> {
    let read = |name: &str| std::fs::read(generated.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let setup = [
        servicing_line(
            "2024-11-01 10:00:00",
            "Info",
            "MOUPG",
            "SetupHost::Initialize: CmdLine = [/Install /Media]",
        ),
        servicing_line(
            "2024-11-01 10:00:01",
            "Info",
            "SP",
            "Executing operation: Set Firmware Type",
        ),
        servicing_line(
            "2024-11-01 10:00:02",
            "Error",
            "MOUPG",
            "SetupHost: Error in processing [0x80070005]",
        ),
    ]
    .join("\r\n");
    match path {
        "Defender.evtx" => read("Microsoft-Windows-Windows Defender%4Operational.evtx"),
        // Rotated logs hold older lines: halves of the generated one (the same bytes twice
        // would be read once).
        "CBS\\CBS.log" => read("CBS.log"),
        "CBS\\CbsPersist_*.log" => half(&read("CBS.log"), 0),
        "CBS\\CbsPersist_*.cab" => cabinet("CbsPersist_20241101000000.log", &half(&read("CBS.log"), 1)),
        "DISM\\dism.log" => read("dism.log"),
        "Panther\\setupact.log" => setup.into_bytes(),
        // setuperr.log repeats setupact's errors only.
        "Panther\\setuperr.log" => setup.lines().filter(|l| l.contains("Error")).collect::<Vec<_>>().join("\r\n").into_bytes(),
        "vssadmin-shadowstorage.txt" => "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\r\n(C) Copyright 2001-2013 Microsoft Corp.\r\n\r\nShadow Copy Storage association\r\n   For volume: (C:)\\\\?\\Volume{4c5a1d2e-0000-0000-0000-100000000000}\\\r\n   Shadow Copy Storage volume: (C:)\\\\?\\Volume{4c5a1d2e-0000-0000-0000-100000000000}\\\r\n   Used Shadow Copy Storage space: 1.02 GB (1%)\r\n   Allocated Shadow Copy Storage space: 1.5 GB (1%)\r\n   Maximum Shadow Copy Storage space: 9.53 GB (10%)\r\n".as_bytes().to_vec(),
        "msinfo32.txt" => utf16le_bom("System Information report written at: 11/14/24 10:00:00\r\nSystem Name: PC-MAL\r\n[System Summary]\r\n\r\nItem\tValue\t\r\nOS Name\tMicrosoft Windows 11 Pro\t\r\nVersion\t10.0.22631 Build 22631\t\r\nBIOS Mode\tUEFI\t\r\n"),
        "manifest.txt" => "\u{feff}backupdiag collection 0.1.0\r\ncomputer\tPC-MAL\r\nwindows\tMicrosoft Windows NT 10.0.22631.0\r\npowershell\t5.1.22621.4391\r\ntime zone\tTokyo Standard Time\r\ncollected (UTC)\t2024-11-14T01:00:00Z\r\n\r\nfile\tstatus\tcommand\twhat\r\nSystem.evtx\tok\twevtutil epl \"System\"\tSystem event log\r\nDefender.evtx\tnot exported (exit 15007)\twevtutil epl \"Microsoft-Windows-Windows Defender/Operational\"\tMicrosoft Defender log\r\n".as_bytes().to_vec(),
        other => read(other),
    }
}

#[test]
fn every_file_the_script_writes_is_recognised_by_content() {
    let files = written_files();
    let expected: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, expected, "a new file in the script needs a sample here");

    let generated = generated();
    let case = tempfile::tempdir().expect("tempdir");
    for (file, _) in EXPECTED {
        let path = case.path().join(file.replace('*', "20241101000000").replace('\\', "/"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, sample(file, generated.path())).expect("write");
    }
    let inputs = run_in(case.path(), &["inputs", "--format", "json", "."]).json();
    let listed = inputs["files"].as_array().expect("files");
    for (file, kind) in EXPECTED {
        let wanted = file.replace('*', "20241101000000").replace('\\', "/");
        let entry = listed
            .iter()
            .find(|f| {
                let path = f["path"].as_str().unwrap_or_default();
                path.trim_start_matches("./") == wanted || path.starts_with(&format!("./{wanted}!"))
            })
            .unwrap_or_else(|| panic!("{wanted} not listed: {listed:#?}"));
        if *kind == "-" {
            assert_eq!(entry["records"], 0, "the manifest adds no event: {entry:#}");
        } else {
            assert_eq!(entry["kind"], *kind, "{wanted}: {entry:#}");
            assert_eq!(entry["status"], "read", "{wanted}: {entry:#}");
        }
    }
    // And the case analyses with nothing unread but the manifest.
    let analysis = run_in(case.path(), &["analyze", "--format", "json", "."]);
    assert!(matches!(analysis.code, 0 | 3), "{}", analysis.stderr);
}
