//! Which logs the case holds, and the command that collects each kind.

use serde::Serialize;

use crate::case::Case;
use crate::model::SourceKind;

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

/// The kinds of log present in the case.
pub fn logs_present(case: &Case) -> Vec<LogKind> {
    let mut present = Vec::new();
    for file in &case.files {
        let kind = match file.kind {
            Some(SourceKind::Cbs) => Some(LogKind::Cbs),
            Some(SourceKind::Dism) => Some(LogKind::Dism),
            Some(SourceKind::Panther) => Some(LogKind::Setup),
            Some(SourceKind::Vssadmin) => Some(LogKind::VssWriters),
            Some(SourceKind::Bcdedit | SourceKind::Msinfo32) => Some(LogKind::BootConfig),
            Some(SourceKind::Evtx) => evtx_kind(case, &file.path),
            Some(SourceKind::Paste | SourceKind::Console | SourceKind::Notes | SourceKind::Text) | None => None,
        };
        if let Some(kind) = kind {
            if !present.contains(&kind) {
                present.push(kind);
            }
        }
    }
    present.sort();
    present
}

/// The channel of an evtx file: from its events, or its name when it holds none.
fn evtx_kind(case: &Case, path: &str) -> Option<LogKind> {
    let channel = case
        .events
        .iter()
        .find(|e| &*e.origin.file == path)
        .and_then(|e| e.channel.as_deref())
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| {
            path.rsplit(['/', '\\', '!'])
                .next()
                .unwrap_or(path)
                .to_ascii_lowercase()
        });
    if channel.starts_with("system") {
        Some(LogKind::System)
    } else if channel.starts_with("application") {
        Some(LogKind::Application)
    } else if channel.starts_with("microsoft-windows-backup") {
        Some(LogKind::Backup)
    } else if channel.starts_with("microsoft-windows-windows defender") {
        Some(LogKind::Defender)
    } else {
        None
    }
}

/// The log a file's name says it is (for empty files, which have no content to tell).
pub fn kind_by_name(path: &str) -> Option<LogKind> {
    let name = path
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let kind = if name.starts_with("cbs") {
        LogKind::Cbs
    } else if name.starts_with("dism") {
        LogKind::Dism
    } else if name.starts_with("setupact") || name.starts_with("setuperr") {
        LogKind::Setup
    } else if name.starts_with("vssadmin") || name.contains("writers") {
        LogKind::VssWriters
    } else if name.starts_with("bcdedit") || name.starts_with("msinfo") {
        LogKind::BootConfig
    } else if name.ends_with(".evtx") {
        return evtx_kind_by_name(&name);
    } else {
        return None;
    };
    Some(kind)
}

fn evtx_kind_by_name(name: &str) -> Option<LogKind> {
    [
        ("system", LogKind::System),
        ("application", LogKind::Application),
        ("microsoft-windows-backup", LogKind::Backup),
        ("microsoft-windows-windows defender", LogKind::Defender),
    ]
    .into_iter()
    .find_map(|(prefix, kind)| name.starts_with(prefix).then_some(kind))
}
