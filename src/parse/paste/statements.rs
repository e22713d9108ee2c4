//! Backup runs stated in text: the Windows Backup dialog ("The backup did not complete
//! successfully", 「バックアップは正常に完了しませんでした」), `wbadmin` and Windows Server
//! Backup console output (`ERROR - ...`, "Backup of system state failed", "The backup operation
//! successfully completed"), and a user's own words ("backup failed with 0x80070422"). Each
//! becomes one run, failed or succeeded, with the code it states and the inner code under
//! "Additional information" / 追加情報 / "Detailed error".
//!
//! Phrases: the Windows 7 Backup and Restore dialog and its message table (sdengin2.dll, as
//! libyal winevt-kb lists it), `wbadmin` output quoted in Microsoft Learn's Windows Server
//! Backup troubleshooting articles, and Japanese dialogs quoted on Microsoft Community (ja-jp).

use crate::model::codes::codes_in_text;

/// One run stated in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Line of the statement.
    pub line: u64,
    /// True when it says the backup failed.
    pub failed: bool,
    /// The first code stated (not under an "additional information" heading).
    pub code: Option<u32>,
    /// The code under "Additional information" and its translations.
    pub inner: Option<u32>,
    /// The statement's line as written.
    pub text: String,
}

/// Lowercased phrases saying a backup failed.
const FAILED: &[&str] = &[
    "backup did not complete successfully",
    "the backup was not successful",
    "backup failed",
    "the backup operation failed",
    "backup operation stopped before completing",
    "backup of system state failed",
    "a volume shadow copy service operation failed",
    "error - ",
    "バックアップは正常に完了しませんでした",
    "バックアップに失敗しました",
    "バックアップが失敗しました",
    "バックアップ操作は失敗しました",
    "エラー - ",
    "die sicherung wurde nicht erfolgreich abgeschlossen",
    "sicherung fehlgeschlagen",
    "fehler - ",
];

/// Lowercased phrases saying a backup succeeded.
const SUCCEEDED: &[&str] = &[
    "the backup operation successfully completed",
    "the backup operation completed successfully",
    "backup completed successfully",
    "バックアップ操作が正常に完了しました",
    "バックアップは正常に完了しました",
];

/// Headings after which a code is the inner one.
const INNER: &[&str] = &[
    "additional information",
    "detailed error",
    "error-specific details",
    "追加情報",
    "詳細なエラー",
    "zusätzliche informationen",
];

/// Lines after a statement that may still carry its codes.
const FOLLOWING: usize = 8;

/// Phrases of `phrases` that are themselves the report of a failed run (a dialog or message
/// that says why the backup failed), so a line holding one is a failure statement even without
/// "backup failed" in it: `EFI システム パーティション(ESP)で排他ロックが取得できませんでした。
/// (0x8078011E)` pasted alone.
const FAILURE_PHRASES: &[&str] = &[
    "esp-lock",
    "target-not-found",
    "network-target-denied",
    "concurrent",
    "invalid-media-id",
    "critical-volume",
    "bitlocker-locked-target",
    "schedule-missing",
    "source-volume-missing",
    "writer-timeout",
];

/// Every stated run in `text`, on lines `allowed` accepts (1-based line numbers).
pub fn find(text: &str, allowed: impl Fn(u64) -> bool) -> Vec<Statement> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut out: Vec<Statement> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let number = index as u64 + 1;
        if !allowed(number) {
            continue;
        }
        let failed = match outcome(line) {
            Some(failed) => failed,
            // A failure reported in its own words; not when it is the detail of a statement
            // just above (the dialog's heading and its reason are one run).
            None if names_a_failure(line) && out.last().is_none_or(|s| number > s.line + FOLLOWING as u64) => true,
            None => continue,
        };
        let (code, inner) = codes_after(&lines[index..], &allowed, number);
        out.push(Statement {
            line: number,
            failed,
            code: if failed { code } else { None },
            inner: if failed { inner } else { None },
            text: line.trim().chars().take(200).collect(),
        });
    }
    out
}

/// True when `line` holds one of the [`FAILURE_PHRASES`].
fn names_a_failure(line: &str) -> bool {
    super::phrases::find(line).any(|id| FAILURE_PHRASES.contains(&id))
}

/// `Some(true)` for a failure statement, `Some(false)` for a success, `None` otherwise.
fn outcome(line: &str) -> Option<bool> {
    let lower = line.to_lowercase();
    if SUCCEEDED.iter().any(|p| lower.contains(p)) {
        return Some(false);
    }
    // `error - ` only where wbadmin writes it: at the start of the line.
    let failed = FAILED.iter().any(|p| {
        if p.ends_with(" - ") {
            lower.trim_start().starts_with(p)
        } else {
            lower.contains(p)
        }
    });
    failed.then_some(true)
}

/// The primary and inner codes of the statement starting `lines`: on its line and the lines
/// after it, up to the next statement or a second blank line.
fn codes_after(lines: &[&str], allowed: &impl Fn(u64) -> bool, first: u64) -> (Option<u32>, Option<u32>) {
    let (mut code, mut inner) = (None, None);
    let mut under_heading = false;
    let mut blanks = 0;
    for (offset, line) in lines.iter().take(FOLLOWING + 1).enumerate() {
        if offset > 0 && (outcome(line).is_some() || !allowed(first + offset as u64)) {
            break;
        }
        if line.trim().is_empty() {
            blanks += 1;
            if blanks == 2 {
                break;
            }
            continue;
        }
        blanks = 0;
        let lower = line.to_lowercase();
        if INNER.iter().any(|h| lower.contains(h)) {
            under_heading = true;
        }
        for found in codes_in_text(line) {
            if under_heading && inner.is_none() && Some(found) != code {
                inner = Some(found);
            } else if code.is_none() {
                code = Some(found);
            }
        }
    }
    (code, inner)
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn dialogs_console_output_and_words_in_three_languages() {
        let text = "Windows 7 です。\r\nバックアップに失敗しました。\r\nバックアップファイルの1つを作成できませんでした。(0x8078002A)\r\n追加情報:\r\nI/Oデバイス エラーが発生したため、要求を実行できませんでした。(0x8007045D)\r\n\r\nwbadmin 1.0\r\nERROR - The backup storage location is invalid.\r\n\r\nThe backup operation successfully completed.\r\nDie Sicherung wurde nicht erfolgreich abgeschlossen. Fehlercode: 0x81000019\r\n";
        let found = find(text, |_| true);
        let summary: Vec<(u64, bool, Option<u32>, Option<u32>)> =
            found.iter().map(|s| (s.line, s.failed, s.code, s.inner)).collect();
        assert_eq!(
            summary,
            [
                (2, true, Some(0x8078_002a), Some(0x8007_045d)),
                (8, true, None, None),
                (10, false, None, None),
                (11, true, Some(0x8100_0019), None),
            ]
        );
    }

    #[test]
    fn lines_outside_the_allowed_set_are_not_read() {
        let text = "Backup failed\r\nError: (0x80070422)\r\n";
        assert!(find(text, |line| line != 1).is_empty());
        let first_only = find(text, |line| line == 1);
        assert_eq!(first_only[0].code, None, "the code line belongs to something else");
        assert_eq!(find(text, |_| true)[0].code, Some(0x8007_0422));
    }

    #[test]
    fn the_event_message_of_a_failure_is_not_a_statement() {
        let text = "Backup started at '11/2/2009 10:15:03 PM' failed with following error code '2155348237' (Enumeration of the files failed.).\r\nThe VSS service is shutting down due to idle timeout.\r\n";
        assert!(find(text, |_| true).is_empty());
    }

    #[test]
    fn a_reason_pasted_alone_is_a_failure_and_under_its_heading_is_the_same_run() {
        let alone = find(
            "EFI システム パーティション(ESP)で排他ロックが取得できませんでした。 (0x8078011E)\r\n",
            |_| true,
        );
        assert_eq!(alone.len(), 1);
        assert!(alone[0].failed);
        assert_eq!(alone[0].code, Some(0x8078_011E));
        let dialog = "The backup did not complete successfully.\r\nThe backup location is locked by BitLocker. Unlock the drive and try again.\r\nError code: 0x8100002B\r\n";
        let found = find(dialog, |_| true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, Some(0x8100_002B));
        let timeout = find("  Snapshot creation failed. VSS writer status: FAILED_AT_FREEZE (0x800423f2 - VSS_E_WRITERERROR_TIMEOUT)\r\n", |_| true);
        assert_eq!(timeout.first().and_then(|s| s.code), Some(0x8004_23F2));
        // A warning that some files were skipped is no failed run.
        assert!(find("The backup completed but some files were skipped.\r\n", |_| true).is_empty());
    }
}
