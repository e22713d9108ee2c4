//! The backup set and its schedule: a corrupt catalog (BKP001), a backup that completed with
//! skipped files (BKP002), a schedule that is gone (BKP003).

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::phrased::{named_cause, Explains};
use super::repair::{step, CHKDSK_CAUTION};
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

/// Windows Backup found the catalog of the backup set on the target corrupt (Backup 3): every
/// run to that target fails until the damaged set is moved away or another target is used
/// (seed story 001: deleting the old backup files cleared the warnings).
pub fn backup_catalog_corrupt(a: &Analysis<'_>) -> Option<Assessment> {
    let reports = a.select(|k| matches!(k, SignalKind::CatalogCorrupt { .. }));
    if reports.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.45,
        bi(
            "Windows Backup found the backup catalog on the target disk corrupt",
            "Windows バックアップがバックアップ先ディスクのバックアップ カタログの破損を検出した",
        ),
        reports.iter().copied(),
    );
    let first = s.first();
    if s.explain(a, &[], first, None) == 0 {
        s.missing(
            0.1,
            bi(
                "a backup failure after the catalog was found corrupt",
                "カタログの破損が見つかった後のバックアップの失敗",
            ),
        );
    }
    // A backup that succeeds after the last failure (a new set or another target) resolves it:
    // the one status rule in `score` sees to that.
    Some(s)
}

/// BKP001: registered in `RULES`.
pub const BKP001: Rule = Rule {
    code: "BKP001",
    cause: Cause::BackupCatalogCorrupt,
    title: "The backup set on the target is damaged: its catalog is corrupt",
    explanation: Explanation {
        detects: "Microsoft-Windows-Backup 3 (\"Backup catalog on selected backup disk is corrupt. Please choose a different target.\") and the backup failures after it.",
        why: "Windows Backup adds each run to the backup set already on the target; with that set's catalog damaged, every later run to the same disk fails, while the old versions in it may no longer be restorable.",
        check: "whether the target disk itself has errors (a damaged catalog is often the first sign of a failing disk), which backup set is on it, and whether anything in it must be kept.",
    },
    references: &[
        "Microsoft TechNet: Event ID 3 — Backup Set Integrity (http://technet.microsoft.com/en-us/library/cc734307(v=ws.10).aspx)",
        "Microsoft Learn: wbadmin delete catalog / restore catalog (https://learn.microsoft.com/windows-server/administration/windows-commands/wbadmin-restore-catalog)",
        "libyal winevt-kb: BlbEvents.dll message table, event 3 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
    ],
    repair: &[
        step("Check the target disk's file system first (read-only scan)", Some("chkdsk X: /scan  (X: the backup disk; Windows 7: chkdsk X:)"), true, Risk::Low, Some(CHKDSK_CAUTION)),
        step("Copy anything still needed out of the old backup set, then move the set (the WindowsImageBackup folder and the folder named after the computer) off the disk or delete it", None, true, Risk::High, Some("deleting old backups loses them: keep a copy, or use a new target disk and keep the old one aside")),
        step("Run a new full backup to the cleaned or new target", Some("sdclt  (Backup and Restore > Back up now)"), false, Risk::Low, None),
    ],
    needs: &[LogKind::Backup],
    check: backup_catalog_corrupt,
};

/// The backup completed but skipped files: 0x8100002F ("The backup completed but some files
/// were skipped"), Windows Backup 4106 ("Some files were not backed up"), Microsoft-Windows-Backup
/// 547 (a log of files not backed up). A warning about some files, not a failed backup: the
/// skipped paths say why (folders that no longer exist under the profile, OneDrive placeholders).
pub fn file_backup_skipped_files(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::FileBackupSkippedFiles,
        &["files-skipped"],
        0.5,
        bi(
            "the backup completed but skipped some files: a warning about those files, not a failed backup",
            "バックアップは完了したが一部のファイルがスキップされた: 失敗したバックアップではなく、それらのファイルについての警告",
        ),
        Explains::Codes,
    )
}

/// BKP002: registered in `RULES`.
pub const BKP002: Rule = Rule {
    code: "BKP002",
    cause: Cause::FileBackupSkippedFiles,
    title: "The backup completed but skipped some files",
    explanation: Explanation {
        detects: "Windows Backup 0x8100002F (\"The backup completed but some files were skipped.\"), the classic Windows Backup 4106 (\"Some files were not backed up\") and Microsoft-Windows-Backup 547 (a log of files not successfully backed up).",
        why: "the backup finished and everything else is in it; the files listed could not be read: folders that no longer exist (LocalLow, Contacts, Searches on some profiles), files held open, OneDrive placeholders whose content is not on the disk. The rest of the backup is good; only those files are missing from it.",
        check: "the list of skipped files (Backup and Restore > Options > View skipped files, or the log file the event names) and the error for each.",
    },
    references: &[
        "libyal winevt-kb: sdengin2.dll message table, Windows Backup 0x81xxxxxx codes (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)",
        "Microsoft KB 2747459: Windows Server Backup event 547 for $RmMetadata files (harmless) (https://support.microsoft.com/kb/2747459)",
    ],
    repair: &[
        step("Read the list of skipped files and the error for each", None, false, Risk::Low, None),
        step("Remove folders that no longer exist from the backup's libraries or selection, and bring placeholder files back onto the disk (or leave them out)", None, false, Risk::Low, None),
        step("Run the backup again and check that the warning is gone", Some("sdclt"), false, Risk::Low, None),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: file_backup_skipped_files,
};

/// The schedule is gone: Microsoft-Windows-Backup 18/545 ("the schedule settings were not
/// found"), 0x8100002D ("Windows backup is not configured after Windows was upgraded").
pub fn backup_schedule_missing(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::BackupScheduleMissing,
        &["schedule-missing"],
        0.5,
        bi(
            "the scheduled backup's settings were not found (removed, or lost in an upgrade)",
            "スケジュールされたバックアップの設定が見つからなかった (削除された、またはアップグレードで失われた)",
        ),
        Explains::AnyFailure,
    )
}

/// BKP003: registered in `RULES`.
pub const BKP003: Rule = Rule {
    code: "BKP003",
    cause: Cause::BackupScheduleMissing,
    title: "The backup schedule is gone: its settings or task were removed or not carried over",
    explanation: Explanation {
        detects: "Microsoft-Windows-Backup 18 and 545 (\"the schedule settings were not found. Please reconfigure the scheduled backup\") and Windows Backup 0x8100002D (\"Windows backup is not configured after Windows was upgraded from an earlier version\").",
        why: "a scheduled backup runs from a Task Scheduler task and its saved settings; an in-place upgrade does not carry the Windows 7 schedule over, and a deleted task or settings file leaves nothing to run, so no new backup appears while nothing reports a failure every night.",
        check: "Task Scheduler (Microsoft > Windows > Backup or WindowsBackup) for the backup task, and the backup settings in Backup and Restore or Windows Server Backup.",
    },
    references: &[
        "libyal winevt-kb: BlbEvents.dll message table, Microsoft-Windows-Backup events (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
        "libyal winevt-kb: sdengin2.dll message table, Windows Backup 0x81xxxxxx codes (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)",
        "Microsoft Learn: Windows Server Backup snap-in fails to open (KB 2000779) (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/server-backup-mmc-fails-open)",
    ],
    repair: &[
        step("Check Task Scheduler for the backup task", Some("schtasks /query /fo LIST | findstr /i backup"), true, Risk::Low, None),
        step("Set the backup up again (Backup and Restore > Set up backup, or the Windows Server Backup schedule wizard), then run it once by hand", Some("sdclt"), true, Risk::Low, None),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: backup_schedule_missing,
};

#[cfg(test)]
mod tests {
    use super::{BKP001, BKP002, BKP003};
    use crate::rules::testing::{assess, confidence, CaseBuilder};
    use crate::rules::Status;

    fn corrupt() -> CaseBuilder {
        CaseBuilder::new().event(
            "2013-01-05T20:00:00Z",
            "Microsoft-Windows-Backup",
            3,
            &[("TargetDeviceName", "E:")],
        )
    }

    #[test]
    fn a_corrupt_catalog_explains_the_failures_after_it_until_a_success() {
        let alone = confidence(&BKP001, &corrupt().build());
        let failing = confidence(
            &BKP001,
            &corrupt().failure("2013-01-06T20:00:00Z", "0x80780166").build(),
        );
        assert!(failing > alone, "{failing} > {alone}");
        assert!(failing >= 0.5, "{failing}");
        let fixed = corrupt()
            .failure("2013-01-06T20:00:00Z", "0x80780166")
            .success("2013-01-10T20:00:00Z")
            .build();
        assert_eq!(assess(&BKP001, &fixed).map(|h| h.status), Some(Status::Resolved));
        assert_eq!(
            confidence(
                &BKP001,
                &CaseBuilder::new().failure("2013-01-06T20:00:00Z", "0x80070005").build()
            ),
            0.0
        );
    }

    #[test]
    fn skipped_files_are_a_warning_named_by_their_text() {
        let skipped = CaseBuilder::new()
            .fact(crate::rules::testing::phrase("files-skipped"))
            .failure("2013-03-10T19:00:00Z", "0x8100002F")
            .build();
        assert!(confidence(&BKP002, &skipped) >= 0.5);
        let other = CaseBuilder::new().failure("2013-03-10T19:00:00Z", "0x80070002").build();
        assert_eq!(confidence(&BKP002, &other), 0.0);
    }

    #[test]
    fn a_missing_schedule_is_named_by_backup_545() {
        let gone = CaseBuilder::new()
            .event("2016-03-14T21:00:00Z", "Microsoft-Windows-Backup", 545, &[])
            .build();
        assert!(confidence(&BKP003, &gone) >= 0.5);
        assert_eq!(
            confidence(&BKP003, &CaseBuilder::new().success("2016-03-14T21:00:00Z").build()),
            0.0
        );
    }
}
