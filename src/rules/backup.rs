//! BKP001 backup-catalog-corrupt.

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

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

#[cfg(test)]
mod tests {
    use super::BKP001;
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
}
