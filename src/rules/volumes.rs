//! The volumes a backup reads as the cause: the EFI system partition locked by another program
//! (VOL001), a critical volume that cannot be included (VOL002), a source volume VSS cannot
//! snapshot (VOL003), the recovery partition (VOL004), user folders moved behind junctions
//! (VOL005), a volume in the backup that is gone or locked (VOL006).

use crate::history::{Analysis, LogKind};

use super::phrased::{named_cause, phrases, Explains};
use super::repair::step;
use super::score::codes_for;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

const SDENGIN2: &str = "libyal winevt-kb: sdengin2.dll message table, Windows Backup 0x81xxxxxx codes (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)";

/// Windows Backup could not lock the ESP (0x8078011E, "another application is using files on
/// the ESP"): quoted from a Windows Server 2022 event (github.com/moritzc/WSBEFILock) and a
/// Japanese dialog (qiita.com/okomme), both naming security software as the holder.
pub fn esp_exclusive_lock_failed(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::EspExclusiveLockFailed,
        &["esp-lock"],
        0.5,
        bi(
            "Windows Backup could not get an exclusive lock on the EFI system partition (another program held files on it)",
            "Windows バックアップが EFI システム パーティションの排他ロックを取得できなかった (別のプログラムがファイルを開いていた)",
        ),
        Explains::Codes,
    )
}

/// VOL001: registered in `RULES`.
pub const VOL001: Rule = Rule {
    code: "VOL001",
    cause: Cause::EspExclusiveLockFailed,
    title: "Windows Backup could not lock the EFI system partition: another program holds files on it",
    explanation: Explanation {
        detects: "0x8078011E (\"Windows Backup failed to get an exclusive lock on the EFI system partition (ESP). This may happen if another application is using files on the ESP.\"), in Microsoft-Windows-Backup 5/517 or the dialog, usually with an inner 0x80070005.",
        why: "a bare-metal or system image backup includes the ESP and must lock it; security software that scans or protects the boot files there (BCD, bootmgfw.efi) at the same moment makes the run fail, often only some nights.",
        check: "which security software is installed and whether its scan or self-protection touches the ESP at the backup time; whether a manual rerun succeeds.",
    },
    references: &[
        "github.com/moritzc/WSBEFILock: the event text and a retry with the endpoint protection stopped (https://github.com/moritzc/WSBEFILock)",
        "Qiita (ja): EFI システム パーティション(ESP)で排他ロックが取得できませんでした (0x8078011E) (https://qiita.com/okomme/items/f05e09db84fff6147263)",
    ],
    repair: &[
        step("Run the backup again: the lock often succeeds on a second try", Some("wbadmin start backup ..."), true, Risk::Low, None),
        step("Exclude the ESP's boot files and the backup processes (wbengine.exe, wbadmin.exe, vssvc.exe) from the security software's real-time scan, or move its scheduled scan away from the backup time", None, true, Risk::Medium, Some("change exclusions through the product's own console, and only for these paths and processes")),
        step("Update the security software; if it still holds the ESP, ask its vendor", None, true, Risk::Low, None),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: esp_exclusive_lock_failed,
};

/// A critical volume cannot be included in the system image (0x81000032, "Check that volume
/// is online and is formatted NTFS").
pub fn critical_volume_not_includable(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::CriticalVolumeNotIncludable,
        &["critical-volume"],
        0.5,
        bi(
            "Windows Backup skipped the system image: a critical volume cannot be included",
            "Windows バックアップがシステム イメージをスキップした: 重要なボリュームを含められない",
        ),
        Explains::Codes,
    )
}

/// VOL002: registered in `RULES`.
pub const VOL002: Rule = Rule {
    code: "VOL002",
    cause: Cause::CriticalVolumeNotIncludable,
    title: "A critical volume of the system image cannot be included (not NTFS, or offline)",
    explanation: Explanation {
        detects: "Windows Backup 0x81000032 (\"Windows Backup skipped backing up system image because one of the critical volumes cannot be included for backup. Check that volume is online and is formatted NTFS.\").",
        why: "a system image must hold every critical volume: the boot and system volumes and any volume with a service or application installed on it; a FAT32 partition (an OEM partition marked active, a data drive holding a program) or an offline volume among them makes the image impossible.",
        check: "which volumes are critical (a service or program installed on them, the active partition) with `fsutil fsinfo volumeinfo X:` for each, and whether one is FAT32 or offline.",
    },
    references: &[
        SDENGIN2,
        "Microsoft Learn: wbadmin start backup, -allCritical (https://learn.microsoft.com/windows-server/administration/windows-commands/wbadmin-start-backup)",
    ],
    repair: &[
        step("Find the critical volume that is not NTFS or not online", Some("fsutil fsinfo volumeinfo X:"), true, Risk::Low, None),
        step("Move the program or service off that volume, or convert the volume to NTFS after a copy of its data", Some("convert X: /fs:ntfs"), true, Risk::High, Some("converting the active or an OEM partition can stop the machine from booting: convert only data volumes, after a backup of their files")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: critical_volume_not_includable,
};

/// The source volume cannot be shadow-copied: volsnap 2 (VS_NOT_NTFS), VSS_E_VOLUME_NOT_SUPPORTED
/// 0x8004230C (vsserror.h), a requester's IsVolumeSupported failure.
pub fn source_volume_not_vss_capable(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::SourceVolumeNotVssCapable,
        &["not-ntfs-storage", "volume-not-supported"],
        0.45,
        bi(
            "VSS reports the volume as one it cannot shadow-copy (not NTFS, or not supported by any provider)",
            "VSS がこのボリュームをシャドウ コピーできないと報告した (NTFS ではない、またはどのプロバイダーも対応していない)",
        ),
        Explains::Codes,
    )
}

/// VOL003: registered in `RULES`.
pub const VOL003: Rule = Rule {
    code: "VOL003",
    cause: Cause::SourceVolumeNotVssCapable,
    title: "A volume in the backup cannot be shadow-copied (not NTFS, a pooled or encrypted container volume)",
    explanation: Explanation {
        detects: "volsnap 2 (\"... is not an NTFS volume or an error was encountered while trying to determine the file system type of this volume\"), VSS_E_VOLUME_NOT_SUPPORTED 0x8004230C, and a requester's IsVolumeSupported error for one drive.",
        why: "the Microsoft provider snapshots NTFS and ReFS volumes only; FAT32 and exFAT drives, pooled volumes (DrivePool) and mounted containers (VeraCrypt) fail, and a backup that includes them fails or must skip them.",
        check: "the file system and kind of each volume in the backup (`fsutil fsinfo volumeinfo X:`), and whether the backup succeeds with that volume left out.",
    },
    references: &[
        "Microsoft Learn: VSS error codes, VSS_E_VOLUME_NOT_SUPPORTED (https://learn.microsoft.com/windows/win32/vss/volume-shadow-copy-api-error-codes)",
        "libyal winevt-kb: volsnap.sys message table, event 2 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-volsnap.sys.md)",
    ],
    repair: &[
        step("Find the volume the error names and its file system", Some("fsutil fsinfo volumeinfo X:"), true, Risk::Low, None),
        step("Leave that volume out of the snapshot (back it up without VSS, or back up the disks underneath a pool), or move its data to an NTFS volume", None, false, Risk::Low, None),
    ],
    needs: &[LogKind::System, LogKind::Application],
    check: source_volume_not_vss_capable,
};

/// The recovery partition: BitLocker moved Windows RE to the backup disk (KB 975692, 0x81000031
/// with "critical BitLocker system files are missing or corrupted"), or the recovery partition
/// has no room for its shadow copy (a listing of it next to a failure whose code the table
/// points here: 0x8004231F, 0x81000033). A recovery partition in a listing alone is every
/// healthy machine's.
pub fn recovery_partition_issue(a: &Analysis<'_>) -> Option<Assessment> {
    let winre = phrases(a, &["bitlocker-files-missing"]);
    let listed = phrases(a, &["recovery-partition"]);
    let mut s = Assessment::default();
    if !winre.is_empty() {
        s.support(
            0.45,
            bi(
                "BitLocker reports its critical files missing: Windows RE was moved to the backup disk when BitLocker was turned on (KB 975692)",
                "BitLocker が重要なファイルの欠落を報告: BitLocker を有効にしたときに Windows RE がバックアップ ディスクに移された (KB 975692)",
            ),
            winre.iter().copied(),
        );
    }
    let explained = s.explain(a, &codes_for(Cause::RecoveryPartitionIssue), None, None);
    if !listed.is_empty() && explained > 0 {
        s.support(
            0.2,
            bi(
                "the recovery partition is listed next to a failure for lack of shadow copy space",
                "シャドウ コピー領域の不足による失敗とあわせて、回復パーティションが示されている",
            ),
            listed.iter().copied(),
        );
    }
    s.has_own_evidence().then_some(s)
}

/// VOL004: registered in `RULES`.
pub const VOL004: Rule = Rule {
    code: "VOL004",
    cause: Cause::RecoveryPartitionIssue,
    title: "The recovery partition blocks the backup (Windows RE on the backup disk, or no room for its shadow copy)",
    explanation: Explanation {
        detects: "Windows Backup 0x81000031 with \"critical BitLocker system files are missing or corrupted\" (Windows RE moved to the backup disk, KB 975692), and a listed recovery partition next to a failure for shadow copy space (0x8004231F, 0x81000033).",
        why: "a system image includes the recovery partition and needs room on it for a shadow copy; a small recovery partition that is almost full fails the snapshot, and a Windows RE that BitLocker placed on the external backup disk makes the backup of that disk fail.",
        check: "`reagentc /info` for where Windows RE lives, and the free space on the recovery partition (Disk Management, `diskpart` list partition / volume).",
    },
    references: &[
        "Microsoft Learn: Error 0x81000031 when you back up files (KB 975692) (https://learn.microsoft.com/troubleshoot/windows-client/backup-and-storage/error-0x81000031-back-up-files-backup-restore-wizard)",
        "Microsoft Learn: REAgentC command-line options (https://learn.microsoft.com/windows-hardware/manufacture/desktop/reagentc-command-line-options)",
    ],
    repair: &[
        step("See where Windows RE is and whether it is enabled", Some("reagentc /info"), true, Risk::Low, None),
        step("If Windows RE is on the backup disk: with that disk attached, disable Windows RE, detach the disk, enable Windows RE again", Some("reagentc /disable & reagentc /enable"), true, Risk::Medium, Some("run the two commands in two steps, detaching the backup disk in between")),
        step("If the recovery partition is almost full, give it room (Microsoft documents resizing it for KB5034441) or leave it out of the image where the tool allows", None, true, Risk::High, Some("resizing partitions can lose data: back up first and follow Microsoft's steps exactly")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: recovery_partition_issue,
};

/// User folders moved behind junctions: `dir /AL` showing `<JUNCTION> Users [D:\...]`, CAPI2
/// 513 `RtlConvertNtFilePathToWin32Path() failed` in the System Writer (TechNet forum: Users and
/// ProgramData moved to D:), 0x81000031 (library location).
pub fn user_folders_relocated(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::UserFoldersRelocated,
        &["users-junction", "path-unresolvable"],
        0.45,
        bi(
            "user folders (Users, ProgramData) were moved to another volume behind a junction, and paths under them no longer resolve",
            "ユーザー フォルダー (Users、ProgramData) がジャンクションで別のボリュームに移され、その下のパスが解決できない",
        ),
        Explains::Codes,
    )
}

/// VOL005: registered in `RULES`.
pub const VOL005: Rule = Rule {
    code: "VOL005",
    cause: Cause::UserFoldersRelocated,
    title: "User folders moved to another volume behind junctions break the backup",
    explanation: Explanation {
        detects: "a `<JUNCTION> Users [D:\\...]` (or ProgramData) line of `dir /AL C:\\`, CAPI2 513 \"AddCoreCsiFiles : RtlConvertNtFilePathToWin32Path() failed\" in the System Writer, and Windows Backup 0x81000031 (library location).",
        why: "the System Writer and backup tools resolve every file they report to a path on the volume they snapshot; Users or ProgramData moved to another volume behind a junction are not in the shadow copy of C:, and the System Writer fails to convert their paths.",
        check: "`dir /AL C:\\` for junctions in place of Users or ProgramData, and where the profiles really live (HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList).",
    },
    references: &[
        "Microsoft TechNet forum: Windows Server 2008 R2 backup fails unless a file is removed from winsxs\\FileMaps (Users and ProgramData moved) (https://social.technet.microsoft.com/Forums/en-US/9ca364e8-d646-4a12-8429-5eed8faab32f/)",
        "Microsoft Learn: Error 0x81000031 when you back up files (KB 975692) (https://learn.microsoft.com/troubleshoot/windows-client/backup-and-storage/error-0x81000031-back-up-files-backup-restore-wizard)",
    ],
    repair: &[
        step("List the junctions on the system drive", Some("dir /AL C:\\"), false, Risk::Low, None),
        step("Include the volume the folders live on in the backup (and in the snapshot), or back up the folders from their real location", None, false, Risk::Low, None),
        step("For system state backups, move Users and ProgramData back to the system volume; Microsoft supports moving them only at setup time", None, true, Risk::High, Some("moving profile folders on a running system can break profiles: back up first")),
    ],
    needs: &[LogKind::Application],
    check: user_folders_relocated,
};

/// A volume in the backup is missing or locked: Microsoft-Windows-Backup 146/658 ("A volume
/// ... in the list of volumes to include in the backup is missing"), and a BitLocker-locked
/// data volume (`manage-bde` "Lock Status: Locked", FVE_E_LOCKED_VOLUME's text) beside it.
pub fn source_volume_missing_or_locked(a: &Analysis<'_>) -> Option<Assessment> {
    let mut s = named_cause(
        a,
        Cause::SourceVolumeMissingOrLocked,
        &["source-volume-missing"],
        0.5,
        bi(
            "a volume in the backup's list is missing (removed, dismounted, reformatted, or its disk detached)",
            "バックアップ対象の一覧にあるボリュームが見つからない (取り外し、マウント解除、再フォーマット、またはディスクの切断)",
        ),
        Explains::AnyFailure,
    );
    let locked = phrases(a, &["bitlocker-locked-volume"]);
    if let Some(s) = s.as_mut() {
        s.support_if(
            0.15,
            bi(
                "a volume is locked by BitLocker",
                "ボリュームが BitLocker でロックされている",
            ),
            &locked,
        );
    }
    s
}

/// VOL006: registered in `RULES`.
pub const VOL006: Rule = Rule {
    code: "VOL006",
    cause: Cause::SourceVolumeMissingOrLocked,
    title: "A volume in the backup is gone or locked (removed disk, BitLocker-locked data drive)",
    explanation: Explanation {
        detects: "Microsoft-Windows-Backup 146 and 658 (\"A volume '%1' in the list of volumes to include in the backup is missing. This could be because the volume is dismounted, reformatted, or the disk is detached.\"), with a BitLocker-locked volume beside them.",
        why: "a scheduled backup keeps the list of volumes it was set up with; a data disk that was removed or replaced, or a BitLocker data drive that is still locked after a restart, fails the whole run until the volume is back or taken off the list.",
        check: "which volume the event names, whether it still exists (Disk Management, `mountvol`), and `manage-bde -status` for a locked data drive.",
    },
    references: &[
        "libyal winevt-kb: BlbEvents.dll message table, Microsoft-Windows-Backup events 146 and 658 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
        "Microsoft Learn: manage-bde autounlock (https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-autounlock)",
    ],
    repair: &[
        step("If the volume was removed on purpose, take it off the backup's list of volumes (the schedule wizard or Backup and Restore settings)", None, true, Risk::Low, None),
        step("If it is a BitLocker data drive, turn on automatic unlocking or unlock it before the backup runs", Some("manage-bde -autounlock -enable X:"), true, Risk::Medium, Some("automatic unlocking lets anyone who starts this computer read the drive")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: source_volume_missing_or_locked,
};

#[cfg(test)]
mod tests {
    use super::{VOL001, VOL002, VOL003, VOL004, VOL005, VOL006};
    use crate::rules::testing::{confidence, phrase, CaseBuilder};

    #[test]
    fn the_esp_lock_text_with_its_code_is_found_and_the_code_alone_is_left_to_the_table() {
        let locked = CaseBuilder::new()
            .fact(phrase("esp-lock"))
            .failure("2024-05-20T10:00:00Z", "0x8078011E")
            .build();
        let named = confidence(&VOL001, &locked);
        assert!(named >= 0.5);
        // The code alone reaches at most medium, said to be the code's word only.
        let code = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x8078011E").build();
        let alone = crate::rules::testing::assess(&VOL001, &code).expect("the code table names it");
        assert!(alone.confidence < named, "{}", alone.confidence);
        assert!(alone.against.iter().any(|t| t.contains("only the error code")));
    }

    #[test]
    fn a_critical_volume_that_cannot_be_included() {
        let skipped = CaseBuilder::new()
            .fact(phrase("critical-volume"))
            .failure("2024-05-20T10:00:00Z", "0x81000032")
            .build();
        assert!(confidence(&VOL002, &skipped) >= 0.5);
        assert_eq!(confidence(&VOL002, &CaseBuilder::new().build()), 0.0);
    }

    #[test]
    fn volsnap_2_names_a_volume_vss_cannot_snapshot() {
        let not_ntfs = CaseBuilder::new()
            .event("2024-05-20T10:00:00Z", "volsnap", 2, &[])
            .failure("2024-05-20T10:00:05Z", "0x8004230C")
            .build();
        assert!(confidence(&VOL003, &not_ntfs) >= 0.5);
        let other = CaseBuilder::new()
            .event("2024-05-20T10:00:00Z", "volsnap", 25, &[])
            .build();
        assert_eq!(confidence(&VOL003, &other), 0.0);
    }

    #[test]
    fn a_listed_recovery_partition_is_every_machines_and_counts_only_beside_a_space_failure() {
        let listed = CaseBuilder::new().fact(phrase("recovery-partition")).build();
        assert_eq!(confidence(&VOL004, &listed), 0.0, "a healthy diskpart listing");
        let full = CaseBuilder::new()
            .fact(phrase("recovery-partition"))
            .failure("2024-05-20T10:00:00Z", "0x8004231F")
            .build();
        assert!(confidence(&VOL004, &full) > 0.0);
        let winre = CaseBuilder::new()
            .fact(phrase("bitlocker-files-missing"))
            .failure("2024-05-20T10:00:00Z", "0x81000031")
            .build();
        assert!(confidence(&VOL004, &winre) >= 0.5);
    }

    #[test]
    fn users_behind_a_junction_explain_a_library_failure() {
        let moved = CaseBuilder::new()
            .fact(phrase("users-junction"))
            .failure("2024-05-20T10:00:00Z", "0x81000031")
            .build();
        let named = confidence(&VOL005, &moved);
        assert!(named >= 0.5);
        let code = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x81000031").build();
        assert!(confidence(&VOL005, &code) < named);
    }

    #[test]
    fn a_missing_volume_is_named_by_backup_658() {
        let gone = CaseBuilder::new()
            .event("2016-03-14T21:00:18Z", "Microsoft-Windows-Backup", 658, &[])
            .build();
        assert!(confidence(&VOL006, &gone) >= 0.5);
        let locked = CaseBuilder::new().fact(phrase("bitlocker-locked-volume")).build();
        assert_eq!(
            confidence(&VOL006, &locked),
            0.0,
            "a locked volume alone breaks no backup"
        );
    }
}
