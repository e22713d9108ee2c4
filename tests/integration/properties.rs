//! Property tests: any bytes, and text shaped like every format backupdiag reads (servicing
//! logs, pasted events in English and Japanese with any date, vssadmin listings, bcdedit and
//! msinfo32 text), parse to a value: the parser's panic net never fires and nothing hangs.

use std::sync::Arc;

use backupdiag::input::{Content, Input};
use proptest::prelude::*;

/// Parses `bytes` as one input and fails when the panic net caught anything.
fn parses_cleanly(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let input = {
        let size = bytes.len() as u64;
        Input::new(Arc::from("prop.txt"), Content::Memory(Arc::from(bytes)), size)
    };
    for file in backupdiag::parse::parse_input(
        &input,
        backupdiag::parse::ReadOptions::everything(backupdiag::input::InputLimits::default().max_records),
    ) {
        for notice in &file.notices {
            prop_assert!(
                !notice.reason.contains("internal error"),
                "the panic net fired: {}",
                notice.reason
            );
        }
    }
    Ok(())
}

/// A word of the kind these formats hold: labels, codes, GUIDs, dates, quotes, Japanese.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z]{1,12}",
        "0x[0-9A-Fa-f]{1,9}",
        "[0-9]{1,6}",
        "\\{[0-9a-f-]{0,40}\\}",
        "[0-9]{1,4}[/.-][0-9]{1,4}[/.-][0-9]{1,5}",
        "[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?( [AP]M)?",
        "'[^'\\n]{0,20}'?",
        "\\[[0-9]{0,3}\\]?",
        "(ログの名前|ソース|日付|イベント ID|レベル|説明|ライター名|状態|最後のエラー|午前|午後)[:：]?",
        "(Log Name|Source|Date|Event ID|Level|Description|Writer name|State|Last error|Computer)[:：]?",
        "(CBS|CSI|DISM|SP|MOUPG|Info|Error|Warning)",
        "[\\u{3040}-\\u{30ff}\\u{4e00}-\\u{4e40}]{1,8}",
        "(%%[0-9]{1,5}|%[0-9])",
        "\\u{200e}|\\u{feff}|\\t|\\r",
    ]
}

fn line() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(String::new()),
            "20[0-9]{2}-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9], ",
            "   ",
        ],
        prop::collection::vec(token(), 0..8),
    )
        .prop_map(|(prefix, words)| format!("{prefix}{}", words.join(" ")))
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..40).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parses_cleanly(bytes)?;
    }

    #[test]
    fn text_shaped_like_our_formats_parses_without_panic(text in document()) {
        parses_cleanly(text.clone().into_bytes())?;
        // The same text as Windows saves it: UTF-16LE with a byte-order mark, CRLF.
        let crlf = text.replace('\n', "\r\n");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
        parses_cleanly(utf16)?;
    }

    #[test]
    fn a_real_log_with_a_line_spliced_in_parses(
        which in 0usize..3,
        at in 0usize..60,
        spliced in line(),
    ) {
        let demo = crate::util::repo_root().join("fixtures/demo");
        let name = ["CBS.log", "dism.log", "vssadmin-writers.txt"][which];
        let bytes = std::fs::read(demo.join(name)).expect("fixture");
        let text = match bytes.strip_prefix(&[0xFF, 0xFE]) {
            Some(utf16) => String::from_utf16_lossy(
                &utf16.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect::<Vec<_>>(),
            ),
            None => String::from_utf8_lossy(&bytes).into_owned(),
        };
        let mut lines: Vec<&str> = text.lines().collect();
        let at = at.min(lines.len());
        lines.insert(at, &spliced);
        parses_cleanly(lines.join("\n").into_bytes())?;
    }
}
