//! The same vssadmin listing and CBS log in every encoding and line ending Windows writes.

use crate::util::{servicing_line, utf16le_bom, TempCase, JAPANESE_WRITERS};

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = match (bom, big_endian) {
        (false, _) => Vec::new(),
        (true, false) => vec![0xFF, 0xFE],
        (true, true) => vec![0xFE, 0xFF],
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn vssadmin_output_reads_the_same_in_every_encoding() {
    let case = TempCase::new();
    let (cp932, _, unmappable) = encoding_rs::SHIFT_JIS.encode(JAPANESE_WRITERS);
    assert!(!unmappable);
    let variants: Vec<(&str, Vec<u8>, &str)> = vec![
        ("utf8.txt", JAPANESE_WRITERS.as_bytes().to_vec(), "utf-8"),
        (
            "utf8bom.txt",
            [b"\xEF\xBB\xBF".as_slice(), JAPANESE_WRITERS.as_bytes()].concat(),
            "utf-8-bom",
        ),
        ("utf16le-bom.txt", utf16le_bom(JAPANESE_WRITERS), "utf-16le-bom"),
        ("utf16le.txt", utf16(JAPANESE_WRITERS, false, false), "utf-16le"),
        ("utf16be-bom.txt", utf16(JAPANESE_WRITERS, true, true), "utf-16be-bom"),
        ("cp932.txt", cp932.into_owned(), "cp932"),
    ];
    for (name, bytes, _) in &variants {
        case.write(name, bytes);
    }
    let out = case.run(&["inputs", "--format", "json", "."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    for (name, _, encoding) in &variants {
        let file = report["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["path"] == format!("./{name}"))
            .expect(name);
        assert_eq!(file["encoding"], *encoding, "{name}");
        assert_eq!(file["records"], 2, "{name}");
        let writer = &file["facts"][1];
        assert_eq!(writer["type"], "vss-writer", "{name}");
        assert_eq!(writer["name"], "System Writer", "{name}");
        assert_eq!(writer["state"], 8, "{name}");
        assert_eq!(writer["state_text"], "失敗", "{name}");
        assert_eq!(writer["last_error"], "再試行不可能なエラー", "{name}");
    }
}

#[test]
fn a_french_cp1252_listing_is_read() {
    let case = TempCase::new();
    let text = "vssadmin 1.1 - Outil ligne de commande d'administration du service de clich\u{e9} instantan\u{e9} de volume\r\n\r\nNom du r\u{e9}dacteur : 'Task Scheduler Writer'\r\n   ID du r\u{e9}dacteur : {d61d61c8-d73a-4eee-8cdd-f6f9786b7124}\r\n   ID de l'instance du r\u{e9}dacteur : {1bddd48e-5052-49db-9b07-b96f96727e6b}\r\n   \u{c9}tat : [1] Stable\r\n   Derni\u{e8}re erreur : Aucune erreur\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    case.write("writers-fr.txt", bytes);
    let out = case.run(&["inputs", "--format", "json", "writers-fr.txt"]);
    let file = &out.json()["files"][0];
    assert_eq!(file["encoding"], "cp1252");
    assert_eq!(file["facts"][0]["last_error"], "Aucune erreur");
}

#[test]
fn crlf_lf_and_mixed_line_ends_give_the_same_entries() {
    let case = TempCase::new();
    let lines = [
        servicing_line(
            "2024-05-20 21:10:44",
            "Info",
            "CSI",
            "00000007 Hashes for file member [l:10]'vssapi.dll' do not match.",
        ),
        " Expected: {l:32 ml:33 b:5d1c}.".to_string(),
        " Actual: {l:32 b:0f1e}.".to_string(),
        servicing_line(
            "2024-05-20 21:10:45",
            "Error",
            "CBS",
            "Failed [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]",
        ),
    ];
    case.write("crlf/CBS.log", lines.join("\r\n"));
    case.write("lf/CBS.log", lines.join("\n"));
    case.write(
        "mixed/CBS.log",
        format!("{}\n{}\r\n{}\n{}\r\n", lines[0], lines[1], lines[2], lines[3]),
    );
    let mut renderings = Vec::new();
    for dir in ["crlf", "lf", "mixed"] {
        let out = case.run(&["timeline", "--format", "jsonl", dir]);
        let events = out.jsonl();
        assert_eq!(events.len(), 2, "{dir}");
        assert_eq!(events[0]["message"], "00000007 Hashes for file member [l:10]'vssapi.dll' do not match.\n Expected: {l:32 ml:33 b:5d1c}.\n Actual: {l:32 b:0f1e}.", "{dir}");
        assert_eq!(events[1]["fields"]["hresult_name"], "CBS_E_SOURCE_MISSING", "{dir}");
        renderings.push(out.stdout.replace(&format!("\"{dir}/CBS.log\""), "\"CBS.log\""));
    }
    assert_eq!(renderings[0], renderings[1]);
    assert_eq!(renderings[1], renderings[2]);
}
