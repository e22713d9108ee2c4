//! Zip archives read in place (never extracted to disk) under limits, and CbsPersist cabinets.

use std::io::{Cursor, Write};

use crate::util::{servicing_line, utf16le_bom, TempCase, JAPANESE_WRITERS};

/// A cabinet holding one MSZIP-compressed member, as CBS writes its rotated logs.
pub fn mszip_cabinet(member: &str, bytes: &[u8]) -> Vec<u8> {
    let mut builder = cab::CabinetBuilder::new();
    builder.add_folder(cab::CompressionType::MsZip).add_file(member);
    let mut writer = builder.build(Cursor::new(Vec::new())).expect("cab");
    while let Some(mut file) = writer.next_file().expect("next file") {
        file.write_all(bytes).expect("write member");
    }
    writer.finish().expect("finish").into_inner()
}

pub fn cbs_log(lines: usize) -> String {
    let mut text = String::from("\u{feff}");
    for i in 0..lines {
        let message = format!("Exec: line {i}");
        text.push_str(&servicing_line("2024-05-20 21:03:11", "Info", "CBS", &message));
        text.push_str("\r\n");
    }
    text
}

/// A zip of `(name, bytes)` entries, deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("start entry");
        writer.write_all(bytes).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

#[test]
fn zip_entries_are_read_in_place_with_their_inner_paths() {
    let case = TempCase::new();
    let inner = zip(&[("nested/dism.log", cbs_log(2).replace("CBS    ", "DISM   ").as_bytes())]);
    let archive = zip(&[
        ("logs/CBS.log", cbs_log(3).as_bytes()),
        ("logs/vssadmin.txt", &utf16le_bom(JAPANESE_WRITERS)),
        ("readme.md", b"# collected on 2024-05-20\n"),
        ("inner.zip", &inner),
    ]);
    case.write("case.zip", archive);
    let out = case.run(&["inputs", "--format", "json", "case.zip"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    let files: Vec<(String, String, u64)> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["status"].as_str().expect("status").to_string(),
                f["records"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("case.zip!logs/CBS.log".to_string(), "read".to_string(), 3),
            ("case.zip!logs/vssadmin.txt".to_string(), "read".to_string(), 2),
            ("case.zip!readme.md".to_string(), "skipped".to_string(), 0),
            ("case.zip!inner.zip!nested/dism.log".to_string(), "read".to_string(), 2),
        ]
    );
    // Nothing was extracted next to the archive.
    let entries: Vec<_> = std::fs::read_dir(case.path()).expect("dir").collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn entries_that_escape_the_archive_are_refused_and_the_rest_is_read() {
    let case = TempCase::new();
    case.write(
        "bad.zip",
        zip(&[
            ("../evil.log", cbs_log(1).as_bytes()),
            ("/etc/abs.log", cbs_log(1).as_bytes()),
            ("ok/CBS.log", cbs_log(4).as_bytes()),
        ]),
    );
    let out = case.run(&["inputs", "--format", "json", "bad.zip"]);
    assert_eq!(out.code, 1, "refused entries are failures: {}", out.stderr);
    assert!(
        out.stderr
            .contains("bad.zip!../evil.log: entry name contains '..'; refused"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("bad.zip!/etc/abs.log: entry name is an absolute path; refused"),
        "{}",
        out.stderr
    );
    let report = out.json();
    assert_eq!(report["files"][0]["path"], "bad.zip!ok/CBS.log");
    assert_eq!(report["files"][0]["records"], 4);
    assert_eq!(report["notices"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_zip_bomb_entry_is_refused_by_its_ratio() {
    let case = TempCase::new();
    let zeros = vec![b'A'; 48 << 20];
    case.write(
        "bomb.zip",
        zip(&[("huge.log", &zeros), ("CBS.log", cbs_log(1).as_bytes())]),
    );
    let out = case.run(&["inputs", "bomb.zip"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("bomb.zip!huge.log: compression ratio"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("bomb.zip!CBS.log"), "{}", out.stdout);
}

#[test]
fn a_broken_zip_is_named_and_the_rest_of_the_case_is_read() {
    let case = TempCase::new();
    let mut broken = zip(&[("CBS.log", cbs_log(2).as_bytes())]);
    broken.truncate(broken.len() / 2);
    case.write("broken.zip", broken);
    case.write("CBS.log", cbs_log(5));
    let out = case.run(&["inputs", "--format", "json", "."]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("broken.zip: not a readable zip archive"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["files"][0]["records"], 5);
}

#[test]
fn cbs_persist_cabinets_are_opened_in_memory() {
    let case = TempCase::new();
    let log = cbs_log(6);
    let mut builder = cab::CabinetBuilder::new();
    builder
        .add_folder(cab::CompressionType::MsZip)
        .add_file("CbsPersist_20240520120311.log");
    let mut writer = builder.build(Cursor::new(Vec::new())).expect("cab");
    while let Some(mut file) = writer.next_file().expect("next file") {
        file.write_all(log.as_bytes()).expect("write member");
    }
    case.write(
        "CbsPersist_20240520120311.cab",
        writer.finish().expect("finish").into_inner(),
    );
    let out = case.run(&["inputs", "--format", "json", "CbsPersist_20240520120311.cab"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = &out.json()["files"][0];
    assert_eq!(
        file["path"],
        "CbsPersist_20240520120311.cab!CbsPersist_20240520120311.log"
    );
    assert_eq!(file["kind"], "cbs");
    assert_eq!(file["records"], 6);
}

/// Replaces every occurrence of `from` by `to` (same length) in `bytes`: entry names in both the
/// local and the central headers, as a zip tool of another code page writes them.
fn replace_name(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    while let Some(pos) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + pos..at + pos + from.len()].copy_from_slice(to);
        at += pos + from.len();
    }
}

#[test]
fn a_zip_cut_before_its_central_directory_yields_the_entries_before_the_cut() {
    let cbs = cbs_log(40);
    let dism = cbs.replace("CBS    Exec", "DISM   DISM.EXE");
    let bytes = zip(&[
        ("CBS.log", cbs.as_bytes()),
        ("dism.log", dism.as_bytes()),
        ("vssadmin-writers.txt", JAPANESE_WRITERS.as_bytes()),
    ]);
    let central = bytes
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    let locals: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(locals.len(), 3);
    for (cut, expected) in [(central, 3), (locals[2] + 40, 2)] {
        let case = TempCase::new();
        case.write("case.zip", &bytes[..cut]);
        let out = case.run(&["inputs", "--format", "json", "."]);
        assert_eq!(out.code, 1, "damaged, not failed: {}", out.stderr);
        assert!(out.stderr.contains("without its central directory"), "{}", out.stderr);
        assert!(
            out.stderr.contains(&format!("{expected} entries read")),
            "{}",
            out.stderr
        );
        let files = out.json()["files"].as_array().expect("files").clone();
        let read: Vec<&str> = files
            .iter()
            .filter(|f| f["status"] == "read")
            .filter_map(|f| f["path"].as_str())
            .collect();
        assert_eq!(read.len(), expected, "{read:?}");
        assert!(read[0].ends_with("case.zip!CBS.log"), "{read:?}");
    }
}

#[test]
fn cp932_names_symlinks_and_nul_names() {
    let placeholder = b"XXXX.log";
    let cp932 = [0x83, 0x8D, 0x83, 0x4F, b'.', b'l', b'o', b'g']; // ログ.log in Shift_JIS
    let mut bytes = zip(&[
        ("XXXX.log", cbs_log(30).as_bytes()),
        ("ABCD.log", cbs_log(31).as_bytes()),
    ]);
    replace_name(&mut bytes, placeholder, &cp932);
    replace_name(&mut bytes, b"ABCD.log", b"AB\0D.log");
    let case = TempCase::new();
    case.write("case.zip", bytes);
    // A symbolic link entry in a second archive.
    let mut linked = zip::ZipWriter::new(Cursor::new(Vec::new()));
    linked
        .add_symlink("link.log", "/etc/passwd", zip::write::SimpleFileOptions::default())
        .expect("symlink");
    case.write("links.zip", linked.finish().expect("zip").into_inner());

    let out = case.run(&["inputs", "--format", "json", "."]);
    let files = out.json()["files"].as_array().expect("files").clone();
    let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("case.zip!ログ.log")),
        "CP932 name decoded: {paths:?}"
    );
    assert!(out.stderr.contains("NUL character; refused"), "{}", out.stderr);
    assert!(out.stderr.contains("symbolic link; not followed"), "{}", out.stderr);
}
