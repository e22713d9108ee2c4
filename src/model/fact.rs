//! Untimed facts about the machine: VSS writer states, vssadmin listing outcomes, boot
//! configuration and system summary values.
//!
//! They are not timeline events (the files that hold them carry no time of their own), but
//! `inputs` counts them and diagnosis rules read them.

use serde::Serialize;

use super::event::Origin;

/// One writer block of `vssadmin list writers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriterState {
    /// Writer name as printed (writer names are not localized).
    pub name: String,
    /// `Writer Id` GUID, lower case, with braces.
    pub writer_id: String,
    /// `Writer Instance Id` GUID, lower case, with braces.
    pub instance_id: String,
    /// The bracketed `VSS_WRITER_STATE` number.
    pub state: u8,
    /// The state words as printed (localized).
    pub state_text: String,
    /// The last-error words as printed (localized).
    pub last_error: String,
}

impl WriterState {
    /// True for the `VSS_WS_FAILED_AT_*` states (6 to 15).
    pub fn is_failed(&self) -> bool {
        (6..=15).contains(&self.state)
    }
}

/// One provider block of `vssadmin list providers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    /// Provider name as printed.
    pub name: String,
    /// Provider type words as printed (`System`, `Software`, ...; localized).
    pub provider_type: String,
    /// Provider GUID, lower case, with braces.
    pub provider_id: String,
    /// Version as printed.
    pub version: String,
}

/// What a whole vssadmin listing said, beyond its blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum VssListing {
    /// Writers were listed.
    Writers {
        /// How many writer blocks.
        count: usize,
    },
    /// Providers were listed.
    Providers {
        /// How many provider blocks.
        count: usize,
    },
    /// The banner was printed but no writer at all: itself a known failure mode
    /// (all writers vanish when the COM+ Event System or VSS registration is damaged).
    NoWriters,
    /// `vssadmin list shadowstorage` associations were listed (no writer is expected there).
    StorageAssociations {
        /// How many associations.
        count: usize,
    },
    /// A message and no block, such as `No items found that satisfy the query.` from
    /// `list shadowstorage` on a machine without any: not a failure.
    NothingListed {
        /// The message as printed.
        message: String,
    },
    /// vssadmin printed an error instead of a listing.
    Error {
        /// The error line(s) as printed.
        message: String,
        /// The hex code in the message, when there is one.
        code: Option<u32>,
    },
}

/// A named fact about the machine from `bcdedit` or `msinfo32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MachineKey {
    /// `UEFI` or `BIOS` (msinfo32 `BIOS Mode`, or inferred from the boot loader path).
    FirmwareMode,
    /// The Windows Boot Loader `path` (`\Windows\system32\winload.efi` or `.exe`).
    BootLoaderPath,
    /// The Windows Boot Manager `path` (`\EFI\Microsoft\Boot\bootmgfw.efi` under UEFI).
    BootManagerPath,
    /// msinfo32 `OS Name`.
    OsName,
    /// msinfo32 `Version`.
    OsVersion,
    /// msinfo32 `Secure Boot State`.
    SecureBootState,
    /// msinfo32 `System Name` or bcdedit has none.
    ComputerName,
    /// msinfo32 `BIOS Version/Date`.
    BiosVersion,
    /// bcdedit `recoveryenabled` of the current boot entry (`Yes`, `No`).
    RecoveryEnabled,
    /// bcdedit `bootstatuspolicy` of the current boot entry (`IgnoreAllFailures`, ...).
    BootStatusPolicy,
}

impl MachineKey {
    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            MachineKey::FirmwareMode => "firmware-mode",
            MachineKey::BootLoaderPath => "boot-loader-path",
            MachineKey::BootManagerPath => "boot-manager-path",
            MachineKey::OsName => "os-name",
            MachineKey::OsVersion => "os-version",
            MachineKey::SecureBootState => "secure-boot-state",
            MachineKey::ComputerName => "computer-name",
            MachineKey::BiosVersion => "bios-version",
            MachineKey::RecoveryEnabled => "recovery-enabled",
            MachineKey::BootStatusPolicy => "boot-status-policy",
        }
    }
}

/// What one untimed fact says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FactKind {
    /// A VSS writer's state.
    VssWriter(WriterState),
    /// A VSS provider.
    VssProvider(ProviderInfo),
    /// The outcome of a whole vssadmin listing.
    VssListing(VssListing),
    /// The verdict of a saved `sfc` or `dism` console run.
    ConsoleVerdict {
        /// `sfc` or `dism`.
        tool: String,
        /// What it concluded.
        verdict: super::Verdict,
        /// The error code it printed, when any.
        code: Option<u32>,
    },
    /// A backup run stated in text: a Windows Backup dialog, `wbadmin` or Windows Server Backup
    /// console output, or the user's own words ("the backup failed with 0x80070422").
    BackupStatement {
        /// True when it says the backup failed.
        failed: bool,
        /// The first code stated.
        code: Option<u32>,
        /// The code under "Additional information" / "Detailed error" / 追加情報, when given.
        inner: Option<u32>,
        /// The statement's first line, as written.
        text: String,
    },
    /// An error code, event id or writer name recognised in free text (low certainty, untimed).
    Mention {
        /// What kind of thing (`hresult`, `event`, `writer`).
        what: String,
        /// The value (`0x81000019`, `VSS 8193`, `System Writer`).
        value: String,
    },
    /// A machine configuration value.
    Machine {
        /// Which value.
        key: MachineKey,
        /// The value as printed (or as inferred, see `inferred`).
        value: String,
        /// True when the value was inferred (firmware mode from the loader path).
        inferred: bool,
    },
}

/// An untimed fact with the place it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Where it was read.
    pub origin: Origin,
    /// What it says.
    pub kind: FactKind,
}
