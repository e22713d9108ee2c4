//! The happenings a scenario can name. Each is a high-level fact about the machine ("the
//! firmware was switched to UEFI"); `expand` turns it into what Windows really logs for it.

use jiff::civil::DateTime;
use serde::{Deserialize, Deserializer};

use super::Firmware;

/// One dated happening.
#[derive(Debug, Clone, Deserialize)]
pub struct Happening {
    /// Local time on the machine's clock (`2012-10-21` means noon).
    #[serde(deserialize_with = "local_time")]
    pub at: DateTime,
    /// What happened.
    #[serde(flatten)]
    pub what: What,
}

fn local_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    super::parse_local(&text).map_err(serde::de::Error::custom)
}

/// Windows Backup job kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupKind {
    /// A scheduled file backup (Windows Backup, sdclt).
    #[default]
    Files,
    /// A system image (wbengine image of the system volumes).
    SystemImage,
}

/// Service start types as SCM 7040 logs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartType {
    /// `auto start`.
    Auto,
    /// `demand start` (Manual).
    Demand,
    /// `disabled`.
    Disabled,
}

/// Outcomes of an `sfc /scannow` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SfcResult {
    /// No integrity violations.
    Clean,
    /// Corrupt files found and repaired.
    Repaired,
    /// Corrupt files found, some not repairable (the store copy is corrupt too).
    CannotRepair,
    /// Repairs wait for a reboot (files in use).
    RebootRequired,
}

/// Outcomes of `DISM /Online /Cleanup-Image /RestoreHealth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DismResult {
    /// No component store corruption.
    Clean,
    /// Corruption found and repaired.
    Repaired,
    /// Repair source not found (0x800f081f).
    SourceMissing,
    /// A pending reboot blocks the repair (0x80070bc9).
    RebootPending,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "what", rename_all = "kebab-case", deny_unknown_fields)]
pub enum What {
    /// Windows was installed (or reinstalled clean): a boot with a new OS install.
    OsInstalled,
    /// The machine started (a boot with its shutdown before it).
    Boot,
    /// The machine was restarted.
    Reboot,
    /// A backup job finished successfully.
    BackupSucceeded {
        /// Job kind.
        #[serde(default)]
        kind: BackupKind,
    },
    /// A backup job failed with an error code.
    BackupFailed {
        /// Job kind.
        #[serde(default)]
        kind: BackupKind,
        /// The HRESULT, as hex (`0x81000019`).
        code: String,
    },
    /// The firmware boot mode was switched (the system was reinstalled or converted for it).
    FirmwareSwitched {
        /// The new mode.
        to: Firmware,
    },
    /// The antimalware product detected a threat.
    MalwareDetected {
        /// Threat name (`Trojan:DOS/Alureon.E`).
        threat: String,
        /// Whether the product removed it.
        #[serde(default)]
        removed: bool,
        /// Whether the product tried to remove it and failed (1118 after the detection).
        #[serde(default)]
        removal_failed: bool,
    },
    /// The MBR was repaired by hand from WinRE (`bootrec /fixmbr`): leaves no event.
    MbrRepairedManually,
    /// A system image was restored.
    ImageRestored {
        /// When the restored image had been taken (`2012-03-10`).
        image_from: String,
    },
    /// Windows was activated again.
    WindowsReactivated,
    /// A service's start type was changed.
    ServiceStartTypeChanged {
        /// Service key name (`wbengine`, `RpcSs`, `VSS`, `swprv`, `EventSystem`, `SENS`).
        service: String,
        /// The new start type.
        to: StartType,
    },
    /// A service could not start because it is disabled (SCM 7000 with error 1058).
    ServiceStartFailed {
        /// Service key name.
        service: String,
        /// The Win32 error (default 1058, disabled; 3 for a path not found).
        #[serde(default)]
        error: Option<u32>,
    },
    /// The disk reported bad blocks.
    DiskBadBlock {
        /// Disk number (`\Device\Harddisk0\DR0`).
        disk: u32,
        /// How many events.
        #[serde(default = "one")]
        count: u32,
    },
    /// A disk dropped off its bus (disk 157, Windows 8 and later).
    DiskSurpriseRemoved {
        /// Disk number.
        disk: u32,
    },
    /// `sfc /scannow` ran.
    SfcRun {
        /// Its outcome.
        result: SfcResult,
    },
    /// `DISM /RestoreHealth` ran.
    DismRestoreHealth {
        /// Its outcome.
        result: DismResult,
    },
    /// A security product's update was left unfinished (pending its reboot).
    SecurityUpdateUnfinished {
        /// Product name.
        product: String,
    },
    /// A VSS writer is left in a failed state (shows in `vssadmin list writers`).
    VssWriterFailed {
        /// Writer name (`System Writer`).
        writer: String,
        /// `VSS_WRITER_STATE` number.
        state: u8,
        /// Last error words (`Non-retryable error`).
        error: String,
    },
    /// VSS logged an error event (13 COM server cannot start, 22/32 not registered, 8194
    /// writer callback access denied, 12292 provider class, 12298 writes not held, ...).
    VssError {
        /// Event id.
        id: u16,
        /// The hr, as hex (`0x80070005`).
        #[serde(default)]
        code: Option<String>,
    },
    /// One error event of a known provider, for causes whose evidence is a single event: a
    /// Microsoft-Windows-Backup event by its id (518 another backup running, 545 schedule
    /// settings not found, 561 no target, 564 share not writeable, 658 volume missing),
    /// volsnap 2 (storage volume not NTFS), a VSS or CAPI2 error with its own texts.
    Event {
        /// `Microsoft-Windows-Backup`, `volsnap`, `VSS` or `Microsoft-Windows-CAPI2`.
        provider: String,
        /// Event id.
        id: u16,
        /// Its data strings, in order (unnamed `Data` elements).
        #[serde(default)]
        data: Vec<String>,
    },
    /// Shadow copies were aborted because their storage could not grow (volsnap 36).
    ShadowStorageExhausted,
    /// Windows Backup found the catalog of the backup set on the target corrupt (Backup 3).
    BackupCatalogCorrupt,
    /// `vssadmin list writers` lists no writer at all from now on.
    WritersVanished,
    /// A third-party VSS provider is registered (it shows in `vssadmin list providers`).
    VssProviderInstalled {
        /// The provider's name.
        name: String,
    },
    /// The System Writer is denied access to the files it lists (tightened ACLs under
    /// `%windir%\\winsxs`): CAPI2 513 in Application, and the writer drops out of the listing.
    SystemWriterDenied,
    /// `chkdsk /r` ran at boot.
    ChkdskRun {
        /// Whether it found and fixed problems.
        #[serde(default)]
        fixed: bool,
    },
    /// Something the user wrote in their own notes (`history.txt`).
    UserNote {
        /// The note, as the user wrote it.
        text: String,
    },
}

fn one() -> u32 {
    1
}
