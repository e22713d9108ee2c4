//! DSK001 disk-io-error, DSK002 bad-sectors-source, DSK003 target-disk-full.

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::repair::{step, CHKDSK_CAUTION};
use super::score::codes_for;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

/// The disk driver reported I/O errors (7 bad block, 11 controller error, 51 paging error, 154
/// hardware failure; 153 retries weigh less) and backups failed with an I/O code.
pub fn disk_io_error(a: &Analysis<'_>) -> Option<Assessment> {
    let hard = a.select(|k| {
        matches!(
            k,
            SignalKind::DiskError {
                id: 7 | 11 | 51 | 154,
                ..
            }
        )
    });
    let retried = a.select(|k| matches!(k, SignalKind::DiskError { id: 153, .. }));
    let coded = !a.failures_pointing_to(Cause::DiskIoError, 0.3).is_empty();
    if hard.is_empty() && retried.is_empty() && !coded {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.4,
        bi(
            format!("the disk driver reported {} I/O error(s)", hard.len()),
            format!("ディスク ドライバーが I/O エラーを {} 件報告した", hard.len()),
        ),
        &hard,
    );
    if !retried.is_empty() {
        s.support(
            0.1,
            bi(
                format!("{} I/O operation(s) had to be retried", retried.len()),
                format!("I/O 操作の再試行が {} 件発生した", retried.len()),
            ),
            retried.iter().copied().take(2),
        );
    }
    if hard.is_empty() && retried.is_empty() {
        s.missing(
            0.1,
            bi(
                "disk or Ntfs errors in the System log",
                "システム ログの disk または Ntfs のエラー",
            ),
        );
    }
    let since = s.first();
    s.explain(
        a,
        &codes_for(Cause::DiskIoError),
        since.map(|t| t.saturating_sub(jiff::SignedDuration::from_hours(2)).unwrap_or(t)),
        None,
    );
    let fixed = a.select(|k| matches!(k, SignalKind::Chkdsk { fixed: true }));
    if let Some(fix) = fixed.iter().filter_map(|f| f.time).max() {
        if let Some(success) = a.success_after(fix) {
            s.resolved(
                fix,
                bi(
                    format!(
                        "chkdsk made corrections (last on {}) and a backup succeeded on {}",
                        fix.strftime("%Y-%m-%d"),
                        success.strftime("%Y-%m-%d")
                    ),
                    format!(
                        "chkdsk が修正を行い (最後は {})、{}にバックアップが成功した",
                        fix.strftime("%Y年%-m月%-d日"),
                        success.strftime("%Y年%-m月%-d日")
                    ),
                ),
            );
        }
    }
    Some(s)
}

/// DSK001: registered in `RULES`.
pub const DSK001: Rule = Rule {
    code: "DSK001",
    cause: Cause::DiskIoError,
    title: "I/O errors on the source or target disk",
    explanation: Explanation {
        detects: "disk driver errors (disk 7 bad block, 11 controller error, 51 paging error, 154 hardware failure; 153 retries weigh less) and backup failures with I/O codes (0x8007045D ERROR_IO_DEVICE, 0x80070017 CRC error).",
        why: "the backup reads every used block of the source and writes the target; one unreadable sector or a flaky cable or USB enclosure aborts it, typically near the end of a system image.",
        check: "which disk the events name (\\Device\\HarddiskN), SMART status, cables and USB ports, and whether the errors follow the target or the source.",
    },
    references: &[
        "Microsoft Learn: Data corruption and disk errors troubleshooting guidance (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/troubleshoot-data-corruption-and-disk-errors)",
        "Microsoft Learn: Information about event ID 51 (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/event-id-51-information)",
        "Microsoft Learn: System Error Codes 1000-1299, ERROR_IO_DEVICE 1117 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-)",
        "libyal winevt-kb: IoLogMsg.dll message table, disk events 7, 11, 51 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-iologmsg.dll.md)",
    ],
    repair: &[
        step("Find which disk the errors name and read its SMART status", Some("wmic diskdrive get model,status  (or the vendor's tool)"), true, Risk::Low, None),
        step("Reseat or replace cables; move an external target to another USB port or enclosure", None, false, Risk::Low, None),
        step("Check the file system and recover readable data from bad sectors", Some("chkdsk C: /r"), true, Risk::Medium, Some(CHKDSK_CAUTION)),
        step("Replace a disk whose bad sectors keep growing, after copying its data", None, false, Risk::Medium, None),
    ],
    needs: &[LogKind::System, LogKind::Backup],
    check: disk_io_error,
};

/// Bad blocks on the system disk (disk 7 on `Harddisk0`, Ntfs corruption, chkdsk replacing bad
/// clusters): the source of the image cannot be read.
pub fn bad_sectors_source(a: &Analysis<'_>) -> Option<Assessment> {
    let bad = a.select(|k| matches!(k, SignalKind::DiskError { id: 7, device } if device.contains("Harddisk0")));
    let ntfs = a.select(|k| matches!(k, SignalKind::FileSystemCorrupt { .. }));
    let chkdsk = a.select(|k| matches!(k, SignalKind::Chkdsk { fixed: true }));
    if bad.is_empty() && ntfs.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.35,
        bi(
            "bad blocks on disk 0, the system disk the image is read from",
            "イメージの読み取り元であるシステム ディスク (disk 0) に不良ブロックがある",
        ),
        &bad,
    );
    s.support_if(
        0.2,
        bi(
            "the file system on a source volume reported corruption",
            "バックアップ元ボリュームのファイル システムが破損を報告した",
        ),
        &ntfs,
    );
    s.support_if(
        0.2,
        bi(
            "chkdsk later replaced bad clusters or made corrections",
            "その後 chkdsk が不良クラスターを置き換えたか、修正を行った",
        ),
        &chkdsk,
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::BadSectorsSource), since, None);
    Some(s)
}

/// DSK002: registered in `RULES`.
pub const DSK002: Rule = Rule {
    code: "DSK002",
    cause: Cause::BadSectorsSource,
    title: "Bad sectors on the system disk the image is read from",
    explanation: Explanation {
        detects: "bad blocks reported on disk 0 (disk 7), Ntfs corruption (55, 137), and boot-time chkdsk replacing bad clusters (Wininit 1001).",
        why: "a system image reads every used cluster of the system volume; unreadable clusters make it fail (0x8007045D) even when the target is healthy.",
        check: "the chkdsk report in the Application log, SMART reallocated and pending sector counts, and whether the disk is an SSD.",
    },
    references: &[
        "Microsoft Learn: chkdsk, /r and its event log entries (https://learn.microsoft.com/windows-server/administration/windows-commands/chkdsk)",
        "Microsoft Learn: Data corruption and disk errors troubleshooting guidance, Ntfs 55 and 98 (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/troubleshoot-data-corruption-and-disk-errors)",
        "libyal winevt-kb: BlbEvents.dll message table, bad clusters not backed up (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
    ],
    repair: &[
        step("Back up the user's data first, by copying files if images fail", None, false, Risk::Low, None),
        step("Run chkdsk /r once on the system volume (it runs at the next boot)", Some("chkdsk C: /r"), true, Risk::Medium, Some(CHKDSK_CAUTION)),
        step("Then repair system files that sat on bad clusters", Some("sfc /scannow"), true, Risk::Low, None),
        step("Replace the disk if SMART shows reallocated or pending sectors growing", None, false, Risk::Medium, None),
    ],
    needs: &[LogKind::System, LogKind::Application],
    check: bad_sectors_source,
};

/// Backups failed for lack of space on the target (0x80070070 ERROR_DISK_FULL, Backup 50).
pub fn target_disk_full(a: &Analysis<'_>) -> Option<Assessment> {
    if a.failures_pointing_to(Cause::TargetDiskFull, 0.5).is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.add(
        0.3,
        bi(
            "the backup reported that the target has no space left",
            "バックアップ先の空き領域がなくなったとバックアップが報告した",
        ),
    );
    s.explain(a, &codes_for(Cause::TargetDiskFull), None, None);
    Some(s)
}

/// DSK003: registered in `RULES`.
pub const DSK003: Rule = Rule {
    code: "DSK003",
    cause: Cause::TargetDiskFull,
    title: "The backup target ran out of space",
    explanation: Explanation {
        detects: "backup failures with 0x80070070 (ERROR_DISK_FULL) or 0x80070027 (ERROR_HANDLE_DISK_FULL), or Microsoft-Windows-Backup 50.",
        why: "Windows Backup keeps old versions and images until space runs out; a full target stops every later run.",
        check: "free space on the target, how many old backup sets and images it holds, and whether other data shares the disk.",
    },
    references: &[
        "Microsoft Learn: System Error Codes 0-499, ERROR_DISK_FULL 112 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-)",
        "libyal winevt-kb: BlbEvents.dll message table, event 50 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
    ],
    repair: &[
        step("Let Windows Backup manage space, or delete old backup sets from Control Panel > Backup and Restore > Manage space", None, true, Risk::Medium, Some("deleting old backups loses them: keep at least one good recent backup")),
        step("Use a larger target disk", None, false, Risk::Low, None),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: target_disk_full,
};

/// The backup target cannot hold the backup: a FAT32 or exFAT volume (system images need NTFS;
/// FAT32 files stop at 4 GB), the storage location being a volume the backup includes
/// (KB944530), or a Windows 7 system image on a drive whose logical sectors are not 512 bytes
/// (0x8078002A, KB2510009). Sources: Microsoft KB944530, KB2510009; the Storage team blog on
/// system image backup (2009).
pub fn target_disk_unsuitable(a: &Analysis<'_>) -> Option<Assessment> {
    let said = a.select(|k| matches!(k, SignalKind::TargetUnsuitable { .. }));
    let coded = a.failures_pointing_to(Cause::TargetDiskUnsuitable, 0.4);
    if said.is_empty() && coded.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    let reasons: Vec<String> = said
        .iter()
        .filter_map(|sig| match &sig.kind {
            SignalKind::TargetUnsuitable { why } => Some(why.clone()),
            _ => None,
        })
        .collect();
    let reasons_ja: Vec<String> = reasons.iter().map(|why| unsuitable_ja(why.as_str())).collect();
    s.support_if(
        0.4,
        bi(
            format!("the target cannot hold the backup: {}", reasons.join("; ")),
            format!(
                "バックアップ先にこのバックアップを保存できない: {}",
                reasons_ja.join("、")
            ),
        ),
        &said,
    );
    if !coded.is_empty() {
        s.support(
            0.3,
            bi(
                "backups failed with a code that names an unsuitable target",
                "バックアップ先が使えないことを示すコードでバックアップが失敗した",
            ),
            coded.iter().copied(),
        );
    }
    // A target that cannot hold the backup fails it whatever the code says.
    let codes = if said.is_empty() {
        codes_for(Cause::TargetDiskUnsuitable)
    } else {
        Vec::new()
    };
    s.explain(a, &codes, None, None);
    Some(s)
}

/// The Japanese of a `TargetUnsuitable` reason (the signal words it in English); an unknown
/// wording stays English.
fn unsuitable_ja(why: &str) -> String {
    if let Some(fs) = why
        .strip_prefix("a ")
        .and_then(|w| w.strip_suffix(" volume: Windows Backup writes system images only to NTFS"))
    {
        format!("{fs} のボリューム (Windows バックアップはシステム イメージを NTFS にしか書き込まない)")
    } else if why.starts_with("the storage location is a volume included in the backup") {
        "保存場所がバックアップ対象に含まれるボリューム (KB944530)".to_string()
    } else {
        why.to_string()
    }
}

/// DSK004: registered in `RULES`.
pub const DSK004: Rule = Rule {
    code: "DSK004",
    cause: Cause::TargetDiskUnsuitable,
    title: "The backup target cannot hold this backup (file system, sector size, or a volume the backup includes)",
    explanation: Explanation {
        detects: "a FAT32 or exFAT target (fsutil fsinfo volumeinfo), wbadmin refusing a storage location that the backup itself includes, and failures with 0x8078002A (one of the backup files could not be created: on Windows 7, a target whose logical sectors are not 512 bytes).",
        why: "a system image is a VHD that FAT32 cannot hold (4 GB file limit) and Windows Backup writes only to NTFS; Windows 7 and Server 2008 R2 cannot write an image to a 4K-native disk; and a volume included in the backup cannot receive it.",
        check: "the target's file system and sector size (fsutil fsinfo ntfsinfo X: shows Bytes Per Sector and Bytes per Physical Sector), and which volumes the backup includes.",
    },
    references: &[
        "Microsoft KB944530: the backup storage location is invalid, a volume included in the backup (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/error-when-you-do-system-state-backup)",
        "Microsoft KB2510009: system image backup to a drive whose logical sector size is not 512 bytes fails with 0x8078002A (https://support.microsoft.com/kb/2510009)",
        "Microsoft Storage team blog: Learn more about system image backup (http://blogs.technet.com/b/filecab/archive/2009/10/31/learn-more-about-system-image-backup.aspx)",
    ],
    repair: &[
        step("Read the target's file system and sector sizes", Some("fsutil fsinfo volumeinfo X: & fsutil fsinfo ntfsinfo X:"), true, Risk::Low, None),
        step("Use an NTFS target that is not part of the backup (another disk, or a network share for file backups)", None, false, Risk::Low, None),
        step("Reformat a FAT32 or exFAT target as NTFS after copying anything on it elsewhere", Some("format X: /FS:NTFS /Q"), true, Risk::High, Some("formatting erases the target: copy its files first")),
        step("On Windows 7 / Server 2008 R2 with a 4K-native target, use a 512e disk instead", None, false, Risk::Low, None),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: target_disk_unsuitable,
};

#[cfg(test)]
mod tests {
    use super::{DSK001, DSK002, DSK003, DSK004};
    use crate::model::FactKind;
    use crate::rules::testing::{confidence, CaseBuilder};

    fn bad_block(disk: &str) -> CaseBuilder {
        CaseBuilder::new().event("2024-12-01T10:00:00Z", "disk", 7, &[("%1", disk)])
    }

    #[test]
    fn io_errors_bad_sectors_and_a_full_target() {
        let source = "\\Device\\Harddisk0\\DR0";
        let target = "\\Device\\Harddisk1\\DR1";
        // (rule, what, case, lowest, highest)
        let cases = [
            (
                &DSK001,
                "errors on the target, failures after",
                bad_block(target).failure("2024-12-02T20:00:00Z", "0x8007045D").build(),
                0.6,
                0.97,
            ),
            (
                &DSK001,
                "nothing",
                CaseBuilder::new().success("2024-12-02T20:00:00Z").build(),
                0.0,
                0.0,
            ),
            (
                &DSK001,
                "the same errors but backups succeed: quiet",
                bad_block(target).success("2024-12-02T20:00:00Z").build(),
                0.0,
                0.45,
            ),
            (
                &DSK002,
                "bad blocks on disk 0, failures after",
                bad_block(source).failure("2024-12-02T20:00:00Z", "0x8007045D").build(),
                0.5,
                0.97,
            ),
            (
                &DSK002,
                "bad blocks on another disk only",
                bad_block(target).build(),
                0.0,
                0.0,
            ),
            (
                &DSK003,
                "no space on the target",
                CaseBuilder::new().failure("2024-12-02T20:00:00Z", "0x80070070").build(),
                0.5,
                0.97,
            ),
            (
                &DSK003,
                "another code",
                CaseBuilder::new().failure("2024-12-02T20:00:00Z", "0x8007045D").build(),
                0.0,
                0.0,
            ),
        ];
        for (rule, what, case, low, high) in cases {
            let c = confidence(rule, &case);
            assert!((low..=high).contains(&c), "{} {what}: {c}", rule.code);
        }
    }

    #[test]
    fn an_unsuitable_target() {
        let fat32 = CaseBuilder::new().fact(FactKind::Mention {
            what: "file-system".into(),
            value: "FAT32".into(),
        });
        assert!(confidence(&DSK004, &fat32.clone_events().failure("", "0x81000019").build()) >= 0.5);
        let sector = CaseBuilder::new().failure("", "0x8078002A").build();
        assert!(confidence(&DSK004, &sector) >= 0.45, "the code names the cause");
        let ntfs = CaseBuilder::new().fact(FactKind::Mention {
            what: "event".into(),
            value: "VSS 8193".into(),
        });
        assert_eq!(confidence(&DSK004, &ntfs.failure("", "0x81000019").build()), 0.0);
    }
}
