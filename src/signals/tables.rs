//! Recognition tables: which events mean what, each entry with its source. Providers match
//! case-insensitively (`Disk`/`disk`, `Volsnap`/`volsnap` vary by machine: event catalogue §0).

/// Microsoft-Windows-Backup failure events and the field holding their HRESULT. Source:
/// `docs/research/event-catalog.md` §4 (OSSEM manifest field lists; libyal winevt-kb
/// MessageFile-blbevents.dll for the messages; 6, 52, 146, 518, 545, 564 and 658 from that
/// message table: another backup running, a share not writeable, a volume missing, the
/// schedule settings not found).
pub const BACKUP_FAILURES: &[(u32, Option<&str>)] = &[
    (5, Some("HRESULT")),
    (6, None),
    (9, Some("HRESULT")),
    (17, Some("HRESULT")),
    (18, None),
    (19, Some("HRESULT")),
    (20, Some("HRESULT")),
    (49, None),
    (50, None),
    (52, None),
    (146, None),
    (517, Some("ErrorCode")),
    (518, None),
    (521, Some("ErrorCode")),
    (544, Some("ErrorCode")),
    (545, None),
    (546, Some("ErrorCode")),
    (561, None),
    (564, None),
    (658, None),
];

/// Microsoft-Windows-Backup 3, LOCAL_CATALOG_FAILURE_EVENT: "Backup catalog on selected backup
/// disk '%1' is corrupt. Please choose a different target." Source: Microsoft TechNet, "Event
/// ID 3 — Backup Set Integrity" (technet.microsoft.com/library/cc734307).
pub const BACKUP_CATALOG_CORRUPT: u32 = 3;

/// Windows 7 Backup and Restore's classic source in the Application log: `Windows Backup` 4104,
/// "The backup was not successful. The error is: The system cannot find the file specified.
/// (0x80070002)." (Level 2, Qualifiers 0).
/// Source: an Event Viewer copy of a real event quoted on superuser.com ("Windows Backup fails
/// with 0x80070002", 2012); the event catalogue had it as unseen.
pub const WIN7_BACKUP_FAILED: (&str, u32) = ("windows backup", 4104);

/// Microsoft-Windows-Backup events that report a finished operation with its HRESULT: 4 ("The
/// backup operation has finished successfully") and 14 ("The backup operation has completed"),
/// both carrying `HRESULT` (0 on success). Source: event catalogue §4 (OSSEM manifest fields).
pub const BACKUP_FINISHED: &[u32] = &[4, 14];

/// VSS error events worth a signal. Source: libyal winevt-kb MessageFile-vssvc.exe (ids and
/// texts identical from Windows 7 to 11), event catalogue §2.
pub const VSS_ERRORS: &[u32] = &[
    13, 20, 22, 32, 39, 40, 8193, 8194, 8229, 12289, 12292, 12293, 12298, 12302,
];

/// volsnap events that delete or abort shadow copies for lack of storage. Source: libyal
/// winevt-kb MessageFile-volsnap.sys (25, 33, 35, 36), event catalogue §3.
pub const SHADOW_STORAGE: &[u32] = &[8, 25, 33, 35, 36];

/// disk events of I/O trouble: 7 bad block, 11 controller error, 51 paging error, 153 I/O
/// retried, 154 I/O failed by hardware error. Source: ntiologc.h (IO_ERR_BAD_BLOCK ...),
/// event catalogue §5.
pub const DISK_ERRORS: &[u32] = &[7, 11, 51, 153, 154];

/// disk 157 "Disk N has been surprise removed." (Windows 8 and later): a disk Windows treats as
/// fixed (internal, or a USB hard disk) dropped off its bus. Source: Microsoft NTDebugging blog,
/// "Event ID 157 'Disk # has been surprise removed'" (2013); the rendered text in public test
/// suites matching `Disk (\d+) has been surprise removed.`
pub const DISK_SURPRISE_REMOVED: u32 = 157;

/// Ntfs corruption events: 55 (structure corrupt), 137 (transaction resource manager could not
/// start). 98 only when its CorruptionActionState is not 0 (98 with 0 says "volume is
/// healthy"). Source: libyal winevt-kb ntfs.sys, event catalogue §5.
pub const NTFS_CORRUPTION: &[u32] = &[55, 137];

/// Antimalware detection (1116) and action taken (1117): Microsoft Security Essentials
/// (`Microsoft Antimalware`, System log, unnamed data, threat name in Data 8) and Defender
/// (named `Threat Name`). Source: event catalogue §6.
pub const MALWARE_PROVIDERS: &[&str] = &["microsoft antimalware", "microsoft-windows-windows defender"];

/// Antimalware events that say protection did not work, from the same providers: 1008 (older
/// engine) and 1118/1119 (non-critical/critical error taking action: the threat stayed),
/// 2001 (security intelligence update failed), 5001 (real-time protection disabled). Source:
/// Microsoft Learn, "Microsoft Defender Antivirus event IDs and error codes"
/// (learn.microsoft.com/defender-endpoint/troubleshoot-microsoft-defender-antivirus); event
/// catalogue §6.
pub const ANTIMALWARE_TROUBLE: &[(u32, AntimalwareTrouble)] = &[
    (1008, AntimalwareTrouble::RemovalFailed),
    (1118, AntimalwareTrouble::RemovalFailed),
    (1119, AntimalwareTrouble::RemovalFailed),
    (2001, AntimalwareTrouble::UpdateFailed),
    (5001, AntimalwareTrouble::ProtectionOff),
];

/// What an antimalware trouble event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AntimalwareTrouble {
    /// It could not remove or quarantine a threat.
    RemovalFailed,
    /// Its security intelligence (signatures) could not be updated.
    UpdateFailed,
    /// Real-time protection was turned off.
    ProtectionOff,
}

/// Software protection events of a re-activation: 1024/1040 hardware changed, 1016 product key
/// installed, 8198 activation failed. Source: libyal winevt-kb sppsvc.exe, event catalogue §7.
pub const ACTIVATION: &[u32] = &[1016, 1024, 1040, 8198];

/// SCM service failures whose data holds a Win32 error: 7000, 7001 (dependency), 7023, 7024.
/// Source: event catalogue §1.
pub const SERVICE_FAILURES: &[u32] = &[7000, 7001, 7023, 7024];

/// The words SCM 7040 uses for "disabled" (English verified in the corpus; Japanese `無効`
/// is the services.msc word, not yet seen in a 7040: `japanese-formats.md` 3).
pub const DISABLED_WORDS: &[&str] = &["disabled", "無効"];

/// Events named as harmless, with the reason and its source.
pub const HARMLESS_EVENTS: &[(&str, u32, &str)] = &[
    ("vss", 8224, "VSS 8224: the VSS service stops after three idle minutes, by design, after every shadow copy (Microsoft KB972623)"),
    ("microsoft-windows-ntfs", 98, "Ntfs 98 with CorruptionActionState 0: the volume's health state changed to healthy, nothing to do (Windows 8 NTFS health model; OSSEM Ntfs event 98)"),
    ("vss", 8230, "VSS 8230 for an account listed in VssAccessControl that no longer resolves: ignorable unless VSS 8213 names the same account (Microsoft KB2537096)"),
];

/// VSS 12289 with 0x80042409: writer session states older than two days are garbage
/// collected. Source: Microsoft KB978773 ("ignore intermittent occurrences").
pub const HARMLESS_OLD_WRITER_SESSION: &str = "VSS 12289 with 0x80042409 (VSS_E_WRITER_STATUS_NOT_AVAILABLE, an older writer session state is being removed): VSS clears writer sessions left from earlier backups; harmless when intermittent (Microsoft KB978773)";

/// VSS 12289 on the virtual floppy of a VM. Source: the event names `fdc#generic_floppy` as the
/// device VSS could not query; the drive cannot hold a shadow copy (docs/research/causes.md;
/// no public page found, so the reason names no source).
pub const HARMLESS_VIRTUAL_FLOPPY: &str = "VSS 12289 on a virtual floppy drive (DeviceIoControl on fdc#generic_floppy): the drive cannot be snapshotted and is skipped; noise unless a shadow copy failed at the same moment";

/// CAPI2 513 AddLegacyDriverFiles. Source: Microsoft KB3209092 ("can be safely ignored").
pub const HARMLESS_CAPI2_LEGACY_DRIVER: &str = "CAPI2 513 AddLegacyDriverFiles (Access is denied on a driver's binary, e.g. mslldp): the System Writer skips it; safe to ignore (Microsoft KB3209092)";

/// Access denied on `$Extend\$RmMetadata`. Source: Microsoft KB2747459.
pub const HARMLESS_RMMETADATA: &str = "access denied on NTFS internal files ($Extend\\$RmMetadata) in a file-level backup: expected; exclude them or use a block-level backup (Microsoft KB2747459)";

/// VSS 13 with 0x8007045B ERROR_SHUTDOWN_IN_PROGRESS: the code itself says Windows was
/// shutting down (System Error Codes 1000-1299).
pub const HARMLESS_VSS13_SHUTDOWN: &str = "VSS 13 with 0x8007045B (ERROR_SHUTDOWN_IN_PROGRESS): VSS could not start the COM+ Event System because Windows was shutting down; harmless";

/// CBS_E_INVALID_PACKAGE lines at Info level in Windows Update sessions (CBSERR 0x805: "an
/// invalid update package"; Microsoft's CBS error code list).
pub const HARMLESS_INVALID_PACKAGE: &str = "CBS_E_INVALID_PACKAGE (0x800F0805) at Info level: Windows Update asking CBS whether a package applies; routine in every CBS.log, not a servicing failure";

/// Every harmless reason backupdiag can print (a test checks none cites a private file).
pub fn harmless_reasons() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = HARMLESS_EVENTS.iter().map(|(_, _, reason)| *reason).collect();
    all.extend([
        HARMLESS_OLD_WRITER_SESSION,
        HARMLESS_VIRTUAL_FLOPPY,
        HARMLESS_CAPI2_LEGACY_DRIVER,
        HARMLESS_RMMETADATA,
        HARMLESS_VSS13_SHUTDOWN,
        HARMLESS_INVALID_PACKAGE,
        super::vhd::REASON,
    ]);
    all
}

/// A harmless reason in Japanese (every reason of [`harmless_reasons`] has one; a test checks).
pub fn harmless_ja(reason: &str) -> Option<&'static str> {
    let ja = match reason {
        r if r == HARMLESS_EVENTS[0].2 => "VSS 8224: VSS サービスはシャドウ コピーの後、3 分間アイドル状態が続くと仕様どおり停止します (Microsoft KB972623)",
        r if r == HARMLESS_EVENTS[1].2 => "Ntfs 98 (CorruptionActionState 0): ボリュームの正常性の状態が「正常」に変わっただけで、対処は不要です (Windows 8 以降の NTFS 正常性モデル、OSSEM の Ntfs イベント 98)",
        r if r == HARMLESS_EVENTS[2].2 => "VssAccessControl に登録され、もう解決できないアカウントについての VSS 8230: 同じアカウントを VSS 8213 が示していなければ無視できます (Microsoft KB2537096)",
        HARMLESS_OLD_WRITER_SESSION => "VSS 12289 (0x80042409、VSS_E_WRITER_STATUS_NOT_AVAILABLE: 古いライター セッションの状態を削除中): 以前のバックアップで残ったライター セッションを VSS が片付けているだけで、ときどき出る程度なら無害です (Microsoft KB978773)",
        HARMLESS_VIRTUAL_FLOPPY => "仮想フロッピー ドライブに対する VSS 12289 (fdc#generic_floppy への DeviceIoControl): このドライブはスナップショットを作成できないためスキップされます。同じ時刻にシャドウ コピーが失敗していなければ無視できます",
        HARMLESS_CAPI2_LEGACY_DRIVER => "CAPI2 513 AddLegacyDriverFiles (ドライバーのファイル、例えば mslldp へのアクセス拒否): System Writer がそのファイルをスキップするだけで、無視してかまいません (Microsoft KB3209092)",
        HARMLESS_RMMETADATA => "ファイル単位のバックアップで NTFS の内部ファイル ($Extend\\$RmMetadata) へのアクセスが拒否される: 想定どおりの動作です。対象から除外するか、ブロック単位のバックアップを使ってください (Microsoft KB2747459)",
        HARMLESS_VSS13_SHUTDOWN => "VSS 13 (0x8007045B、ERROR_SHUTDOWN_IN_PROGRESS): Windows のシャットダウン中だったため VSS が COM+ Event System を開始できなかっただけで、無害です",
        HARMLESS_INVALID_PACKAGE => "Info レベルの CBS_E_INVALID_PACKAGE (0x800F0805): 更新プログラムが適用対象かを Windows Update が CBS に問い合わせているだけで、どの CBS.log にも出る通常の記録です。サービス処理の失敗ではありません",
        super::vhd::REASON => "Windows バックアップがマウントしていたバックアップ用 VHD 上の disk 153 (I/O の再試行) または 157 (予期しない取り外し) (VHDMP 1/2): マウントに伴う再試行で、ディスクの故障ではありません (Microsoft 日本サポート ブログ askcorejp: Windows Server バックアップ中の Disk 153/157)",
        _ => return None,
    };
    Some(ja)
}

/// Recorded events whose id alone states a phrase of `parse::paste::phrases` (provider
/// lowercased, id, phrase id). Source: libyal winevt-kb, BlbEvents.dll message table
/// (Microsoft-Windows-Backup 6, 20, 518 "another backup or recovery operation is in progress";
/// 49, 561 "no backup storage location could be found"; 52, 564 "the remote shared folder ...
/// is not writeable") and volsnap.sys (2, VS_NOT_NTFS: the shadow copy storage volume "is not
/// an NTFS volume"); 18, 545 ("the schedule settings were not found"); 146, 658 ("a volume
/// ... in the list of volumes to include in the backup is missing"); the classic `Windows
/// Backup` 4106 ("Some files were not backed up", sdengin2.dll 0x8000100A).
pub const PHRASE_EVENTS: &[(&str, u32, &str)] = &[
    ("microsoft-windows-backup", 6, "concurrent"),
    ("microsoft-windows-backup", 20, "concurrent"),
    ("microsoft-windows-backup", 518, "concurrent"),
    ("microsoft-windows-backup", 49, "target-not-found"),
    ("microsoft-windows-backup", 561, "target-not-found"),
    ("microsoft-windows-backup", 52, "network-target-denied"),
    ("microsoft-windows-backup", 564, "network-target-denied"),
    ("volsnap", 2, "not-ntfs-storage"),
    ("microsoft-windows-backup", 18, "schedule-missing"),
    ("microsoft-windows-backup", 545, "schedule-missing"),
    ("microsoft-windows-backup", 146, "source-volume-missing"),
    ("microsoft-windows-backup", 658, "source-volume-missing"),
    ("windows backup", 4106, "files-skipped"),
];

/// Providers whose recorded events carry a phrase in their field values (VSS 8193/12289
/// "CreateFileW(...HarddiskVolumeShadowCopyN...) hr = 0x80070001", CAPI2 513
/// "RtlConvertNtFilePathToWin32Path() failed"); other events' fields are not searched.
pub const PHRASE_PROVIDERS: &[&str] = &["vss", "microsoft-windows-capi2"];

#[cfg(test)]
mod harmless_tests {
    #[test]
    fn every_harmless_reason_has_its_japanese() {
        for reason in super::harmless_reasons() {
            assert!(super::harmless_ja(reason).is_some(), "no Japanese for: {reason}");
        }
    }
}
