//! Which logs the case holds, and the command that collects each kind.

use crate::case::Case;
pub use crate::model::LogKind;
use crate::model::SourceKind;

/// The kinds of log present in the case.
pub fn logs_present(case: &Case) -> Vec<LogKind> {
    let mut present = Vec::new();
    for file in &case.files {
        let kind = match file.kind {
            Some(SourceKind::Evtx) => evtx_kind(file.channel.as_deref(), &file.path),
            Some(source) => source.provides(),
            None => None,
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

/// The kind of an evtx file: from the channel of its first event, or from its name when it
/// holds none.
fn evtx_kind(channel: Option<&str>, path: &str) -> Option<LogKind> {
    let channel = channel.map(str::to_ascii_lowercase).unwrap_or_else(|| {
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
