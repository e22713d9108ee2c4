//! Sentences that name a cause by themselves, wherever they are pasted: Windows' own message
//! texts (Windows Backup and Windows Server Backup message tables, volsnap and VSS events),
//! and console lines that show a machine's configuration (`dir /AL`, `reg query`, `sc sdshow`).
//! Each entry is a stable id and the lowercased fragments one line must hold, all of them; the
//! signal stage maps ids to causes.
//!
//! Sources: libyal winevt-kb message tables of BlbEvents.dll (Microsoft-Windows-Backup 6, 20,
//! 49, 52, 518, 561, 564) and sdengin2.dll (0x81000003, 0x81000031, 0x81000032, 0x81000035,
//! 0x810000E2, 0x810000F6); the 0x8078011E text quoted from a Windows Server 2022 event and its
//! Japanese dialog (qiita.com/okomme); volsnap 2 (VS_NOT_NTFS); Microsoft KB 2009365 (adding a
//! disk to the schedule while another is offline); Microsoft Japan support blog (2017-05-17,
//! `sc sdshow cryptsvc`); sdengin2.dll 0x8100002F, 0x8100002B, 0x8100002D; BlbEvents.dll 18,
//! 545, 146, 658; KB 2298620 (VSS 8193 on VSS\Diag); KB 913642 (NTBackup, 0x800423f0); KB
//! vsserror.h
//! (VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED, VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT).

/// A phrase: its id, and alternatives of fragments that must all be on one line.
pub type Phrase = (&'static str, &'static [&'static [&'static str]]);

/// Every phrase backupdiag recognises.
pub const PHRASES: &[Phrase] = &[
    (
        "esp-lock",
        &[
            &["exclusive lock", "efi system partition"],
            &["排他ロック", "esp"],
            &["排他ロック", "efi"],
        ],
    ),
    (
        "target-not-found",
        &[
            &["no target could be found"],
            &["no backup storage location could be found"],
            &["the backup disk cannot be found"],
            &["backup location cannot be found"],
        ],
    ),
    (
        "destination-offline",
        &[
            &["volume label syntax is incorrect"],
            &["ボリューム ラベルの構文が間違っています"],
            &["(disk offline)"],
        ],
    ),
    (
        "concurrent",
        &[
            &["another backup or recovery", "in progress"],
            &["another backup is already in progress"],
            &["shadow copy is already in progress"],
            &["snapshot_set_in_progress"],
            // VSS_E_SNAPSHOT_SET_IN_PROGRESS (vsserror.h): a requester's message with the code alone.
            &["failed to create a snapshot", "0x80042316"],
        ],
    ),
    ("invalid-media-id", &[&["invalid mediaid.bin"]]),
    (
        "network-target-denied",
        &[
            &["network target", "not writeable"],
            &["remote shared folder", "not writeable"],
            &["network credentials are not valid"],
            &["full control", "network"],
        ],
    ),
    ("critical-volume", &[&["critical volumes cannot be included"]]),
    (
        "shadow-device-unreadable",
        &[&["harddiskvolumeshadowcopy", "0x80070001"]],
    ),
    // A blank entry in a class filter list (`reg query` prints the REG_MULTI_SZ separators as
    // `\0`): the vendor KB's broken registration (Actiphy, Exit Code -311).
    (
        "upper-filters",
        &[
            &["upperfilters", "reg_multi_sz", "\\0\\0"],
            &["lowerfilters", "reg_multi_sz", "\\0\\0"],
        ],
    ),
    (
        "not-ntfs-storage",
        &[&["location for shadow copy storage", "not an ntfs volume"]],
    ),
    (
        "volume-not-supported",
        &[
            &["isvolumesupported"],
            &["snapshots are not supported"],
            &["volume_not_supported"],
        ],
    ),
    (
        "users-junction",
        &[&["<junction>", "users ["], &["<junction>", "programdata ["]],
    ),
    ("path-unresolvable", &[&["rtlconvertntfilepathtowin32path"]]),
    (
        "bitlocker-files-missing",
        &[&["critical bitlocker system files are missing"]],
    ),
    (
        "recovery-partition",
        &[
            &["recovery partition"],
            &["回復パーティション"],
            &["partition", "回復"],
            &["volume label:", "recovery"],
        ],
    ),
    // `sc sdshow` / `sc sdset` descriptors (the DACL's first entry allows or denies), and `sc`
    // refused the service itself (`[SC] OpenService FAILED 5:`, Microsoft Learn: sc.exe).
    ("service-sddl", &[&["d:(a;;"], &["d:(d;;"]]),
    (
        "service-denied",
        &[&["[sc] ", "openservice failed 5"], &["[sc] startservice failed 5"]],
    ),
    (
        "files-skipped",
        &[
            &["backup completed but some files were skipped"],
            &["一部のファイルがスキップされました"],
            &["some files were not backed up"],
            &["log of files not successfully backed up"],
        ],
    ),
    ("vss-diag-denied", &[&["services\\vss\\diag", "0x80070005"]]),
    (
        "max-snapshots",
        &[
            &["maximum_number_of_snapshots_reached"],
            &["maximum number of shadow copies"],
            &["maximum number of shadow copy sets"],
        ],
    ),
    (
        "bitlocker-locked-target",
        &[&["backup location is locked by bitlocker"]],
    ),
    (
        "bitlocker-locked-volume",
        &[
            &["lock status:", " locked"],
            &["is locked by bitlocker drive encryption"],
        ],
    ),
    (
        "inconsistent-snapshot",
        &[
            &["inconsistent shadow copy"],
            &["writererror_inconsistentsnapshot"],
            // NTBackup's report (KB 913642): `"NTDS" has reported an error 0x800423f0.`
            &["has reported an error 0x800423f0"],
        ],
    ),
    (
        "schedule-missing",
        &[
            &["schedule settings were not found"],
            &["schedule settings was not found"],
            &["backup is not configured after windows was upgraded"],
        ],
    ),
    // A requester's report of a writer that timed out (vsserror.h VSS_E_WRITERERROR_TIMEOUT).
    ("writer-timeout", &[&["vss_e_writererror_timeout"]]),
    (
        "source-volume-missing",
        &[
            &["included for backup is missing"],
            &["in the list of volumes to include in the backup is missing"],
        ],
    ),
];

/// The ids of the phrases on `line`.
pub fn find(line: &str) -> impl Iterator<Item = &'static str> + '_ {
    let lower = line.to_lowercase();
    PHRASES
        .iter()
        .filter(move |(_, alternatives)| {
            alternatives
                .iter()
                .any(|fragments| fragments.iter().all(|f| lower.contains(f)))
        })
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn windows_texts_and_console_lines_name_their_phrase() {
        let cases = [
            ("The backup operation that started at 'x' has failed with following error code '0x8078011E' (Windows Backup failed to get an exclusive lock on the EFI system partition (ESP).", "esp-lock"),
            ("EFI システム パーティション(ESP)で排他ロックが取得できませんでした。 (0x8078011E)", "esp-lock"),
            ("Backup started at '2009-02-10T22:31:52.000Z' failed as no target could be found.", "target-not-found"),
            ("Backup started at 'x' failed as network target '\\\\nas01\\wsb' is not writeable.", "network-target-denied"),
            ("Volume Shadow Copy Service error: Unexpected error CreateFileW(\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy2\\,0x80000000,0x00000003,...).  hr = 0x80070001, Incorrect function.", "shadow-device-unreadable"),
            ("    <JUNCTION>     Users [D:\\MyUsers]", "users-junction"),
            ("    UpperFilters    REG_MULTI_SZ    volsnap\\0\\0AipTrack", "upper-filters"),
            ("  Partition 1    回復                 499 MB  1024 KB", "recovery-partition"),
        ];
        for (line, id) in cases {
            assert_eq!(find(line).collect::<Vec<_>>(), vec![id], "{line}");
        }
        // The floppy variant of 0x80070001 is another event's noise; plain text names nothing.
        assert_eq!(
            find("DeviceIoControl(\\\\?\\fdc#generic_floppy_drive) hr = 0x80070001").count(),
            0
        );
        assert_eq!(find("The backup operation successfully completed.").count(), 0);
    }
}
