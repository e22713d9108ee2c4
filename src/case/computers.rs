//! One case is one computer. Event logs name the computer of every record; text logs do not
//! and follow the folder (or archive folder) they came in. This module says which computers a
//! case holds, with the Windows version each ran, and keeps one of them on request.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Event, FactKind, MachineKey, Notice, Severity};
use crate::parse::ParsedFile;

use super::clock::folder_of;

/// A computer the logs come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Computer {
    /// The name its event logs give (`DESKTOP-DEMO`), or `unnamed` for text-only cases.
    pub name: String,
    /// Events read from it.
    pub events: usize,
    /// The Windows it ran, when the logs say (`Windows 11`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Its last version read (`10.0.22631.3570`), when the logs say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Every computer named in `files`, most events first, with its OS where the logs say.
pub fn computers(files: &[ParsedFile]) -> Vec<Computer> {
    use rayon::prelude::*;
    let mut by_name: BTreeMap<String, Computer> = BTreeMap::new();
    // Names and counts from every event read (kept or tallied), in file order.
    for (name, count) in files.iter().flat_map(|f| f.census.computers.iter()) {
        let entry = by_name.entry(short(name)).or_insert_with(|| Computer {
            name: name.to_string(),
            events: 0,
            os: None,
            version: None,
        });
        entry.events += count;
    }
    // Versions from the boots, which are always kept: the last one read wins. The boots are
    // found on every core (a big CBS.log's hundred thousand events hold none).
    let boots: Vec<(&str, [u32; 4])> = files
        .par_iter()
        .flat_map(|f| f.events.par_iter())
        .filter_map(|event| Some((event.computer.as_deref()?, os_version(event)?)))
        .collect();
    for (name, version) in boots {
        if let Some(entry) = by_name.get_mut(&short(name)) {
            entry.os = Some(family(&version));
            entry.version = Some(version.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
        }
    }
    let mut out: Vec<Computer> = by_name.into_values().collect();
    out.sort_by(|a, b| b.events.cmp(&a.events).then(a.name.cmp(&b.name)));
    if let [only] = out.as_mut_slice() {
        // msinfo32 names the edition exactly; it belongs to the one computer there is.
        if let Some(name) = machine_value(files, MachineKey::OsName) {
            only.os = Some(name);
        }
    }
    out
}

/// A warning when the case mixes computers.
pub fn mixed_warning(computers: &[Computer]) -> Option<Notice> {
    if computers.len() < 2 {
        return None;
    }
    let named: Vec<String> = computers
        .iter()
        .map(|c| format!("{} ({} events)", c.name, c.events))
        .collect();
    let reason = format!(
        "the logs come from {} computers: {}; they are analysed as one machine unless --computer NAME picks one",
        computers.len(),
        named.join(", ")
    );
    Some(Notice::new(Severity::Note, "(case)", reason))
}

/// Keeps the events of computer `name` (short or full name, any case). A file without a
/// computer name of its own stays when its folder holds no event of another computer.
pub fn keep_computer(files: &mut Vec<ParsedFile>, name: &str) {
    let wanted = short(name);
    let mut folders: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for file in files.iter() {
        let entry = folders.entry(folder_of(&file.path).to_string()).or_default();
        for computer in file.events.iter().filter_map(|e| e.computer.as_deref()) {
            if short(computer) == wanted {
                entry.0 = true;
            } else {
                entry.1 = true;
            }
        }
    }
    files.retain_mut(|file| {
        let named = file.events.iter().any(|e| e.computer.is_some());
        if named {
            file.events
                .retain(|e| e.computer.as_deref().is_none_or(|c| short(c) == wanted));
            file.census = crate::model::Census::of(&file.events);
            file.records = file.records.min(file.events.len().max(file.facts.len()));
            return !file.events.is_empty();
        }
        let (ours, others) = folders.get(folder_of(&file.path)).copied().unwrap_or_default();
        ours || !others
    });
}

/// `DESKTOP-DEMO.contoso.local` and `desktop-demo` are one computer.
fn short(name: &str) -> String {
    name.split('.').next().unwrap_or(name).to_ascii_lowercase()
}

/// Kernel-General 12 (the OS started) gives the version it started.
pub(crate) fn os_version(event: &Event) -> Option<[u32; 4]> {
    if event.event_id != Some(12) || !event.provider.eq_ignore_ascii_case("Microsoft-Windows-Kernel-General") {
        return None;
    }
    let part = |name: &str| event.field(name).and_then(|v| v.trim().parse::<u32>().ok());
    Some([
        part("MajorVersion")?,
        part("MinorVersion")?,
        part("BuildVersion")?,
        part("QfeVersion").unwrap_or(0),
    ])
}

/// The Windows a version belongs to. Client and server releases share version numbers, and
/// builds 14393, 17763 and 26100 are each both (Windows release information on Microsoft
/// Learn); 20348 is only Windows Server 2022.
fn family(version: &[u32; 4]) -> String {
    match (version[0], version[1], version[2]) {
        (6, 0, _) => "Windows Vista / Server 2008",
        (6, 1, _) => "Windows 7 / Server 2008 R2",
        (6, 2, _) => "Windows 8 / Server 2012",
        (6, 3, _) => "Windows 8.1 / Server 2012 R2",
        (10, 0, 14393) => "Windows 10 / Server 2016",
        (10, 0, 17763) => "Windows 10 / Server 2019",
        (10, 0, 20348) => "Windows Server 2022",
        (10, 0, 26100) => "Windows 11 / Server 2025",
        (10, 0, build) if build >= 22000 => "Windows 11",
        (10, 0, _) => "Windows 10",
        _ => "Windows",
    }
    .to_string()
}

fn machine_value(files: &[ParsedFile], wanted: MachineKey) -> Option<String> {
    files
        .iter()
        .flat_map(|f| f.facts.iter())
        .find_map(|fact| match &fact.kind {
            FactKind::Machine { key, value, .. } if *key == wanted => Some(value.clone()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn versions_name_their_windows_family() {
        assert_eq!(family(&[6, 1, 7601, 0]), "Windows 7 / Server 2008 R2");
        assert_eq!(family(&[10, 0, 19045, 0]), "Windows 10");
        assert_eq!(family(&[10, 0, 17763, 0]), "Windows 10 / Server 2019");
        assert_eq!(family(&[10, 0, 22631, 3570]), "Windows 11");
    }
}
