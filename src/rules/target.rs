//! The backup target as the cause: not there (TGT001), refusing access over the network
//! (TGT002), holding an old or foreign backup set (TGT003), or busy with another backup
//! (TGT004). Windows names each in its own words; the sentences are in
//! [`crate::parse::paste::phrases`].

use crate::history::{Analysis, LogKind};

use super::phrased::{named_cause, Explains};
use super::repair::step;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

const BLB_EVENTS: &str = "libyal winevt-kb: BlbEvents.dll message table, Microsoft-Windows-Backup events (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)";
const SDENGIN2: &str = "libyal winevt-kb: sdengin2.dll message table, Windows Backup 0x81xxxxxx codes (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)";

/// The target was not found: Microsoft-Windows-Backup 49/561 ("no backup storage location
/// could be found"), 0x81000003/0x81000006, and the schedule wizard's 0x8007007B while a
/// scheduled disk is offline (KB 2009365).
pub fn backup_target_not_found(a: &Analysis<'_>) -> Option<Assessment> {
    let mut s = named_cause(
        a,
        Cause::BackupTargetNotFound,
        &["target-not-found"],
        0.45,
        bi(
            "Windows Backup found no backup storage location (the target disk or share was not there)",
            "Windows バックアップがバックアップの保存先を見つけられなかった (保存先のディスクや共有がなかった)",
        ),
        Explains::AnyFailure,
    );
    let offline = super::phrased::phrases(a, &["destination-offline"]);
    if !offline.is_empty() {
        let s = s.get_or_insert_with(Assessment::default);
        s.support(
            0.3,
            bi(
                "the schedule wizard refused a disk with \"The filename, directory name, or volume label syntax is incorrect\": a scheduled disk is offline (KB 2009365)",
                "スケジュール ウィザードが「ファイル名、ディレクトリ名、またはボリューム ラベルの構文が間違っています」でディスクの追加を拒否した: スケジュール済みのディスクがオフライン (KB 2009365)",
            ),
            offline.iter().copied(),
        );
    }
    s
}

/// TGT001: registered in `RULES`.
pub const TGT001: Rule = Rule {
    code: "TGT001",
    cause: Cause::BackupTargetNotFound,
    title: "The backup target was not found (disconnected, offline, or a rotated disk)",
    explanation: Explanation {
        detects: "Microsoft-Windows-Backup 49 and 561 (\"no backup storage location could be found\"), Windows Backup 0x81000003 (\"The backup disk cannot be found\") and 0x81000006, and the schedule wizard's \"The filename, directory name, or volume label syntax is incorrect\" while a scheduled disk is away.",
        why: "a scheduled backup writes to the disks or share it was set up with; when none of them is attached and online at the scheduled time (a USB disk unplugged, asleep or given a new letter, a rotated disk taken offsite), the run fails before anything is read.",
        check: "whether the target disk is attached and online (Disk Management), `wbadmin get disks` for the disks the schedule knows, and whether the failures fall on days a rotated disk was away.",
    },
    references: &[
        BLB_EVENTS,
        SDENGIN2,
        "Microsoft Learn: Error when you add a disk to a scheduled backup while another disk is offline (KB 2009365) (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/fail-to-add-disk-to-schedule-backup)",
    ],
    repair: &[
        step("Attach the backup disk (or make the share reachable), bring it online in Disk Management, and run the backup again", Some("wbadmin get disks"), true, Risk::Low, None),
        step("With rotated disks, add each disk to the schedule while it is attached; to change the schedule while one is away, attach it first or remove it from the schedule", Some("wbadmin enable backup -addtarget:{disk identifier}"), true, Risk::Low, None),
        step("If a USB disk drops out while idle, turn off USB selective suspend for it and check its cable and port", None, true, Risk::Low, None),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: backup_target_not_found,
};

/// The network share refuses the backup: Microsoft-Windows-Backup 52/564 ("the remote shared
/// folder ... is not writeable"), 0x8100002A (Full Control needed), 0x810000F6 (network
/// credentials not valid).
pub fn network_target_access_denied(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::NetworkTargetAccessDenied,
        &["network-target-denied"],
        0.5,
        bi(
            "Windows Backup could not write to the network share (not writeable, or the credentials were refused)",
            "Windows バックアップがネットワーク共有に書き込めなかった (書き込み不可、または資格情報が拒否された)",
        ),
        Explains::AnyFailure,
    )
}

/// TGT002: registered in `RULES`.
pub const TGT002: Rule = Rule {
    code: "TGT002",
    cause: Cause::NetworkTargetAccessDenied,
    title: "The network share the backup writes to refuses access",
    explanation: Explanation {
        detects: "Microsoft-Windows-Backup 52 and 564 (\"the remote shared folder ... is not writeable\", naming the share and the user), Windows Backup 0x8100002A (Full Control needed) and 0x810000F6 (\"Your network credentials are not valid\").",
        why: "a backup to a share runs with the credentials saved in the schedule; a changed password, missing share or NTFS permissions, or a NAS that refuses the authentication Windows offers (NTLMv2 only since Vista, KB 954387) stops every run.",
        check: "`net use \\\\server\\share /user:NAME` from the backed-up machine with the saved account, the share and folder permissions for that account, and whether the NAS supports NTLMv2.",
    },
    references: &[
        BLB_EVENTS,
        SDENGIN2,
        "Microsoft KB 954387: access denied to a NAS from Windows Vista or Server 2008 with correct credentials (https://support.microsoft.com/kb/954387)",
    ],
    repair: &[
        step("Test the share with the account the backup uses", Some("net use \\\\server\\share /user:DOMAIN\\account *"), false, Risk::Low, None),
        step("Give that account write (Full Control for Windows 7 Backup and Restore) on the share and the folder, or enter the current password again in the backup settings", None, true, Risk::Low, None),
        step("If a NAS refuses correct credentials, update its firmware to support NTLMv2; lowering LmCompatibilityLevel is the last resort", None, true, Risk::Medium, Some("LmCompatibilityLevel below 3 sends weaker authentication for every connection of the machine: prefer updating the NAS")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: network_target_access_denied,
};

/// The set already on the target blocks the run: 0x81000035 (invalid MediaID.bin), and
/// 0x80780166 with STATUS_WAIT_1 after an old WindowsImageBackup folder (jc-lan.org).
pub fn stale_image_set_on_target(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::StaleImageSetOnTarget,
        &["invalid-media-id"],
        0.5,
        bi(
            "Windows Backup found an invalid MediaID.bin on the target",
            "Windows バックアップがバックアップ先で無効な MediaID.bin を検出した",
        ),
        Explains::Codes,
    )
}

/// TGT003: registered in `RULES`.
pub const TGT003: Rule = Rule {
    code: "TGT003",
    cause: Cause::StaleImageSetOnTarget,
    title: "An old or foreign backup set on the target blocks the backup",
    explanation: Explanation {
        detects: "Windows Backup 0x81000035 (\"invalid MediaID.bin file on the drive where the backup is saved\"), and 0x80780166 (\"error when writing data to the backup target\", with STATUS_WAIT_1 0x80070001) on a target that holds an earlier WindowsImageBackup folder.",
        why: "Windows Backup adds to the backup set it finds on the target; a set written by another machine, an older Windows or a damaged run (its MediaID.bin no longer matches) makes every run to that target fail until the set is moved away.",
        check: "what the target holds: the WindowsImageBackup folder, the folder named after the computer and the MediaID.bin files, and whether any of them must be kept.",
    },
    references: &[
        SDENGIN2,
        "jc-lan.org: Windows backup fails with error 0x80780166 and 0x80070001 (https://jc-lan.org/2024/03/02/windows-backup-fails-with-error-0x80780166-and-0x80070001/)",
    ],
    repair: &[
        step("Copy anything still needed off the target's old backup set", None, false, Risk::Low, None),
        step("Rename or move the old WindowsImageBackup folder (and MediaID.bin) on the target, then run a new full backup", Some("ren X:\\WindowsImageBackup WindowsImageBackup.old"), true, Risk::Medium, Some("the old versions are no longer offered for restore while renamed; keep them until a new backup has succeeded")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: stale_image_set_on_target,
};

/// Another backup or snapshot was running: Microsoft-Windows-Backup 6/20/518 ("another backup
/// or recovery operation is in progress"), 0x810000E2, VSS_E_SNAPSHOT_SET_IN_PROGRESS
/// 0x80042316 (vsserror.h).
pub fn concurrent_snapshot_or_backup(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::ConcurrentSnapshotOrBackup,
        &["concurrent"],
        0.45,
        bi(
            "another backup or shadow copy was in progress when this one started",
            "このバックアップの開始時に、別のバックアップまたはシャドウ コピーが実行中だった",
        ),
        Explains::AnyFailure,
    )
}

/// TGT004: registered in `RULES`.
pub const TGT004: Rule = Rule {
    code: "TGT004",
    cause: Cause::ConcurrentSnapshotOrBackup,
    title: "Another backup or shadow copy ran at the same time",
    explanation: Explanation {
        detects: "Microsoft-Windows-Backup 6, 20 and 518 (\"another backup or recovery operation is in progress\"), Windows Backup 0x810000E2 (\"Another backup is already in progress\"), and VSS_E_SNAPSHOT_SET_IN_PROGRESS 0x80042316 (\"The creation of a shadow copy is already in progress\").",
        why: "VSS creates one shadow copy set at a time; a second backup tool, System Restore or a storage agent that starts a snapshot at the same minute, or a snapshot set left in progress by a crashed requester, makes the other backup fail.",
        check: "which backup tools and schedules run on the machine and when (Task Scheduler, third-party agents), `vssadmin list shadows` for a set left behind, and whether a rerun at another time succeeds.",
    },
    references: &[
        BLB_EVENTS,
        SDENGIN2,
        "Microsoft Learn: VSS error codes, VSS_E_SNAPSHOT_SET_IN_PROGRESS (https://learn.microsoft.com/windows/win32/vss/volume-shadow-copy-api-error-codes)",
    ],
    repair: &[
        step("List the backup tools and their schedules, and move them apart so no two start together", Some("schtasks /query /fo LIST"), true, Risk::Low, None),
        step("If no other backup runs, restart the Volume Shadow Copy service to end a snapshot set left in progress, then run the backup again", Some("net stop vss & net start vss"), true, Risk::Low, Some("only while no backup is running")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: concurrent_snapshot_or_backup,
};

/// The target is locked by BitLocker: 0x8100002B ("The backup location is locked by
/// BitLocker"), and `manage-bde -status` showing the disk locked (BackupAssist: a data drive
/// locks itself again after a restart or a swap unless it unlocks automatically).
pub fn target_locked_by_bitlocker(a: &Analysis<'_>) -> Option<Assessment> {
    let mut s = named_cause(
        a,
        Cause::TargetLockedByBitlocker,
        &["bitlocker-locked-target"],
        0.5,
        bi(
            "Windows Backup found the backup location locked by BitLocker",
            "Windows バックアップがバックアップ先を BitLocker でロックされた状態で見つけた",
        ),
        Explains::Codes,
    );
    let locked = super::phrased::phrases(a, &["bitlocker-locked-volume"]);
    if let Some(s) = s.as_mut() {
        s.support_if(
            0.15,
            bi(
                "manage-bde shows a volume locked",
                "manage-bde でボリュームがロックされている",
            ),
            &locked,
        );
    }
    s
}

/// TGT005: registered in `RULES`.
pub const TGT005: Rule = Rule {
    code: "TGT005",
    cause: Cause::TargetLockedByBitlocker,
    title: "The backup disk is locked by BitLocker when the backup runs",
    explanation: Explanation {
        detects: "Windows Backup 0x8100002B (\"The backup location is locked by BitLocker. Unlock the drive and try again.\"), with `manage-bde -status` showing the disk `Lock Status: Locked`.",
        why: "a BitLocker data drive unlocked by password or key stays locked after every restart, unplug or disk swap unless automatic unlocking is on; a scheduled backup that starts before someone unlocks it cannot write.",
        check: "`manage-bde -status X:` for the backup disk (Lock Status, Automatic Unlock), and whether the failures follow restarts or disk swaps.",
    },
    references: &[
        SDENGIN2,
        "Microsoft Learn: manage-bde autounlock (https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-autounlock)",
    ],
    repair: &[
        step("See whether the backup disk is locked and whether it unlocks automatically", Some("manage-bde -status X:"), true, Risk::Low, None),
        step("Turn on automatic unlocking for the backup disk on this computer (the system drive must be BitLocker-protected), or unlock it before each run", Some("manage-bde -autounlock -enable X:"), true, Risk::Medium, Some("automatic unlocking lets anyone who starts this computer read the backup disk; keep the recovery key elsewhere")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: target_locked_by_bitlocker,
};

#[cfg(test)]
mod tests {
    use super::{TGT001, TGT002, TGT003, TGT004, TGT005};
    use crate::rules::testing::{confidence, phrase, CaseBuilder};

    #[test]
    fn a_missing_target_is_named_by_backup_561_and_not_by_a_plain_failure() {
        let missing = CaseBuilder::new()
            .event("2024-05-20T10:00:00Z", "Microsoft-Windows-Backup", 561, &[])
            .build();
        assert!(confidence(&TGT001, &missing) >= 0.5);
        let plain = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x80070005").build();
        assert_eq!(confidence(&TGT001, &plain), 0.0);
        // The wizard's 0x8007007B text alone is a hint, not a finding.
        let wizard = confidence(&TGT001, &CaseBuilder::new().fact(phrase("destination-offline")).build());
        assert!(wizard > 0.0 && wizard < 0.5, "{wizard}");
    }

    #[test]
    fn a_share_that_refuses_is_named_by_backup_564() {
        let denied = CaseBuilder::new()
            .event("2024-05-20T10:00:00Z", "Microsoft-Windows-Backup", 564, &[])
            .build();
        assert!(confidence(&TGT002, &denied) >= 0.5);
        let local = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x80070005").build();
        assert_eq!(confidence(&TGT002, &local), 0.0, "access denied alone is no share");
    }

    #[test]
    fn an_invalid_media_id_is_the_stale_set_and_its_code_alone_is_not_this_rule() {
        let stale = CaseBuilder::new()
            .fact(phrase("invalid-media-id"))
            .failure("2024-05-20T10:00:00Z", "0x81000035")
            .build();
        let named = confidence(&TGT003, &stale);
        assert!(named >= 0.5);
        // 0x80780166 has other causes too: the code alone stays below the named set.
        let code = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x80780166").build();
        let alone = confidence(&TGT003, &code);
        assert!(alone < 0.5 && alone < named, "{alone}");
    }

    #[test]
    fn another_backup_in_progress_is_named_by_backup_518() {
        let busy = CaseBuilder::new()
            .event("2024-05-20T10:00:00Z", "Microsoft-Windows-Backup", 518, &[])
            .build();
        assert!(confidence(&TGT004, &busy) >= 0.5);
        let fine = CaseBuilder::new().success("2024-05-20T10:00:00Z").build();
        assert_eq!(confidence(&TGT004, &fine), 0.0);
    }

    #[test]
    fn a_locked_backup_disk_is_named_by_0x8100002b_and_a_lock_status_alone_is_not() {
        let locked = CaseBuilder::new()
            .fact(phrase("bitlocker-locked-target"))
            .failure("2024-05-20T10:00:00Z", "0x8100002B")
            .build();
        assert!(confidence(&TGT005, &locked) >= 0.5);
        let status = CaseBuilder::new().fact(phrase("bitlocker-locked-volume")).build();
        assert_eq!(
            confidence(&TGT005, &status),
            0.0,
            "a locked data volume may be no target"
        );
    }
}
