//! Stable cause ids, used in JSON output and by the code table; each has a rule.

use serde::Serialize;

/// Root causes of failing backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// Corrupt system files (component store or live files) break VSS.
    SystemFilesCorrupt,
    /// DISM could not find a repair source.
    DismSourceMissing,
    /// A reboot is pending and blocks repairs or VSS.
    PendingReboot,
    /// Security software (an unfinished update, its filter drivers) interferes.
    SecuritySoftwareInterference,
    /// A service backups need is disabled.
    RequiredServiceDisabled,
    /// A VSS writer failed.
    VssWriterFailed,
    /// A VSS writer timed out.
    VssWriterTimeout,
    /// VSS 8194 access denied from the requester's own COM security (noise when backups work).
    RequesterComSecurity,
    /// VSS COM classes are not registered.
    VssComRegistrationBroken,
    /// The COM+ Event System is down or its subscriptions are damaged; writers vanish.
    ComEventSystemBroken,
    /// Shadow copy storage is too small or cannot grow.
    ShadowStorageInsufficient,
    /// The backup target is full.
    TargetDiskFull,
    /// I/O errors on source or target.
    DiskIoError,
    /// Bad sectors on the source disk.
    BadSectorsSource,
    /// The boot mode differs from the one Windows was installed or imaged in.
    FirmwareBootModeMismatch,
    /// Malware damaged the system.
    MalwareDamage,
    /// A third-party VSS provider interferes (second group).
    ThirdPartyVssProvider,
    /// A driver conflicts with snapshots (second group).
    DriverConflict,
    /// The backup catalog is corrupt (second group).
    BackupCatalogCorrupt,
    /// The target is unsuitable: system disk, FAT32, too small, holds VM/system files (second group).
    TargetDiskUnsuitable,
    /// The System Reserved partition is full (second group).
    SystemReservedPartitionFull,
    /// The recovery partition is a problem (second group).
    RecoveryPartitionIssue,
    /// USB connection trouble (second group).
    UsbConnection,
    /// User folders were relocated (second group).
    UserFoldersRelocated,
    /// A service's security descriptor is wrong (second group).
    ServiceSecurityDescriptor,
    /// The System Writer or Cryptographic Services were denied access (second group).
    SystemWriterPermissions,
    /// A service or driver ImagePath cannot be resolved (second group).
    InvalidServiceImagepath,
    /// The source volume cannot be shadow-copied (second group).
    SourceVolumeNotVssCapable,
    /// Windows Backup could not lock the EFI system partition (0x8078011E): another program
    /// holds files on it.
    EspExclusiveLockFailed,
    /// The backup target was not found: disconnected, offline, asleep, or a rotated disk.
    BackupTargetNotFound,
    /// Another shadow copy or backup was running at the same time.
    ConcurrentSnapshotOrBackup,
    /// What is already on the target (an old or foreign image set, its MediaID) blocks the run.
    StaleImageSetOnTarget,
    /// The network share the backup writes to refuses access.
    NetworkTargetAccessDenied,
    /// A critical volume of the system image cannot be included (not NTFS, offline).
    CriticalVolumeNotIncludable,
    /// The backup completed but skipped some files (a warning, not a failed backup).
    FileBackupSkippedFiles,
    /// The VSS\Diag registry key's permissions were changed; VSS 8193 access denied on it.
    VssDiagKeyPermissions,
    /// A volume reached its maximum number of shadow copies.
    SnapshotLimitReached,
    /// The backup target is locked by BitLocker.
    TargetLockedByBitlocker,
    /// A writer's data lies on a volume outside the shadow copy set (0x800423F0).
    WriterDataOutsideBackupSet,
    /// The scheduled backup's settings or task are missing (after an upgrade, or deleted).
    BackupScheduleMissing,
    /// A volume in the backup is missing (removed, dismounted) or locked.
    SourceVolumeMissingOrLocked,
}

impl Cause {
    /// The stable id JSON prints (`system-files-corrupt`).
    pub fn id(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}
