//! The kinds of collected log the rules rely on, and the command that collects each.

use serde::Serialize;

/// Kinds of collected log the rules rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    /// The System event log.
    System,
    /// The Application event log.
    Application,
    /// The Microsoft-Windows-Backup operational log.
    Backup,
    /// The Windows Defender operational log (Windows 8 and later; Microsoft Security
    /// Essentials on Windows 7 writes to the System log).
    Defender,
    /// CBS.log.
    Cbs,
    /// dism.log.
    Dism,
    /// `vssadmin list writers` output.
    VssWriters,
    /// `bcdedit /enum` or msinfo32 output.
    BootConfig,
    /// Windows Setup's setupact.log.
    Setup,
}

impl LogKind {
    /// The command that collects it (run in an elevated prompt on the broken PC).
    pub fn command(self) -> &'static str {
        match self {
            LogKind::System => "wevtutil epl System System.evtx",
            LogKind::Application => "wevtutil epl Application Application.evtx",
            LogKind::Backup => "wevtutil epl Microsoft-Windows-Backup Microsoft-Windows-Backup.evtx",
            LogKind::Defender => {
                "wevtutil epl \"Microsoft-Windows-Windows Defender/Operational\" Defender.evtx (Windows 8 and later)"
            }
            LogKind::Cbs => "copy %windir%\\Logs\\CBS\\CBS.log CBS.log",
            LogKind::Dism => "copy %windir%\\Logs\\DISM\\dism.log dism.log",
            LogKind::VssWriters => "vssadmin list writers > vssadmin-writers.txt",
            LogKind::BootConfig => "bcdedit /enum all > bcdedit.txt",
            LogKind::Setup => "copy %windir%\\Panther\\setupact.log setupact.log",
        }
    }

    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::System => "system",
            LogKind::Application => "application",
            LogKind::Backup => "backup",
            LogKind::Defender => "defender",
            LogKind::Cbs => "cbs",
            LogKind::Dism => "dism",
            LogKind::VssWriters => "vss-writers",
            LogKind::BootConfig => "boot-config",
            LogKind::Setup => "setup",
        }
    }
}
