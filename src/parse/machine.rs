//! Reads `bcdedit /enum` output and `msinfo32 /report` text as key/value facts about the
//! machine: firmware mode, boot loader path, OS name and version, Secure Boot state.
//!
//! bcdedit's element names (`identifier`, `path`) stay English in every UI language; only the
//! block headings are localized, so the reader keys on the element names. A loader path ending
//! in `winload.efi` means UEFI boot, `winload.exe` means BIOS boot.

use std::sync::Arc;

use crate::model::{Fact, FactKind, Location, MachineKey, Origin};

/// Reads `bcdedit /enum` text.
pub fn parse_bcdedit(path: &Arc<str>, text: &str) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut loader: Option<(u64, String, bool)> = None;
    let mut block_is_current = false;
    for (number, line) in numbered(text) {
        let mut words = line.split_whitespace();
        let (Some(key), Some(first)) = (words.next(), words.next()) else {
            continue;
        };
        match key {
            "identifier" => block_is_current = first == "{current}",
            "recoveryenabled" if block_is_current => {
                facts.push(machine(
                    path,
                    number,
                    MachineKey::RecoveryEnabled,
                    first.to_string(),
                    false,
                ));
            }
            "bootstatuspolicy" if block_is_current => {
                facts.push(machine(
                    path,
                    number,
                    MachineKey::BootStatusPolicy,
                    first.to_string(),
                    false,
                ));
            }
            "path" => {
                let value = line[line.find(first).unwrap_or(0)..].trim().to_string();
                let lower = value.to_ascii_lowercase();
                if lower.ends_with("winload.efi") || lower.ends_with("winload.exe") {
                    let better = loader
                        .as_ref()
                        .is_none_or(|(_, _, current)| !current && block_is_current);
                    if better {
                        loader = Some((number, value, block_is_current));
                    }
                } else if lower.ends_with(".efi") && lower.contains("bootmgfw") {
                    facts.push(machine(path, number, MachineKey::BootManagerPath, value, false));
                }
            }
            _ => {}
        }
    }
    if let Some((number, value, _)) = loader {
        let mode = if value.to_ascii_lowercase().ends_with(".efi") {
            "UEFI"
        } else {
            "BIOS"
        };
        facts.push(machine(path, number, MachineKey::BootLoaderPath, value, false));
        facts.push(machine(path, number, MachineKey::FirmwareMode, mode.to_string(), true));
    }
    facts
}

/// msinfo32 System Summary items, English and Japanese labels.
const MSINFO_ITEMS: &[(&str, MachineKey)] = &[
    ("OS Name", MachineKey::OsName),
    ("OS 名", MachineKey::OsName),
    ("Version", MachineKey::OsVersion),
    ("バージョン", MachineKey::OsVersion),
    ("System Name", MachineKey::ComputerName),
    ("システム名", MachineKey::ComputerName),
    ("BIOS Version/Date", MachineKey::BiosVersion),
    ("BIOS バージョン/日付", MachineKey::BiosVersion),
    ("BIOS Mode", MachineKey::FirmwareMode),
    ("BIOS モード", MachineKey::FirmwareMode),
    ("Secure Boot State", MachineKey::SecureBootState),
    ("セキュア ブートの状態", MachineKey::SecureBootState),
];

/// Reads the `[System Summary]` section of an msinfo32 text report (`Item<TAB>Value`).
pub fn parse_msinfo32(path: &Arc<str>, text: &str) -> Vec<Fact> {
    let mut facts: Vec<Fact> = Vec::new();
    let mut sections = 0;
    for (number, line) in numbered(text) {
        if line.starts_with('[') && line.ends_with(']') {
            sections += 1;
            continue;
        }
        if sections > 1 {
            break;
        }
        let Some((item, value)) = line.split_once('\t') else {
            continue;
        };
        let value = value.trim_end_matches('\t').trim();
        let Some((_, key)) = MSINFO_ITEMS.iter().find(|(label, _)| *label == item.trim()) else {
            continue;
        };
        if facts
            .iter()
            .any(|f| matches!(&f.kind, FactKind::Machine { key: k, .. } if k == key))
        {
            continue;
        }
        let value = if *key == MachineKey::FirmwareMode {
            firmware_word(value)
        } else {
            value.to_string()
        };
        facts.push(machine(path, number, *key, value, false));
    }
    facts
}

/// `UEFI` stays; `Legacy` / `レガシ` (msinfo32's word for BIOS boot) becomes `BIOS`.
fn firmware_word(value: &str) -> String {
    if value.eq_ignore_ascii_case("uefi") {
        "UEFI".to_string()
    } else if value.eq_ignore_ascii_case("legacy") || value.starts_with("レガシ") {
        "BIOS".to_string()
    } else {
        value.to_string()
    }
}

fn numbered(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r').trim_start_matches('\u{FEFF}')))
}

fn machine(path: &Arc<str>, line: u64, key: MachineKey, value: String, inferred: bool) -> Fact {
    Fact {
        origin: Origin {
            file: Arc::clone(path),
            location: Location::Line(line),
        },
        kind: FactKind::Machine { key, value, inferred },
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_bcdedit, parse_msinfo32};
    use crate::model::{FactKind, MachineKey};

    fn values(facts: &[crate::model::Fact]) -> Vec<(MachineKey, String)> {
        facts
            .iter()
            .filter_map(|f| match &f.kind {
                FactKind::Machine { key, value, .. } => Some((*key, value.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn bcdedit_loader_path_gives_firmware_mode() {
        let uefi = "Windows ブート マネージャー\r\n--------------------------------\r\nidentifier              {bootmgr}\r\ndevice                  partition=\\Device\\HarddiskVolume1\r\npath                    \\EFI\\Microsoft\\Boot\\bootmgfw.efi\r\n\r\nWindows ブート ローダー\r\n--------------------------------\r\nidentifier              {current}\r\npath                    \\WINDOWS\\system32\\winload.efi\r\n";
        let facts = values(&parse_bcdedit(&"bcd.txt".into(), uefi));
        assert!(facts.contains(&(MachineKey::FirmwareMode, "UEFI".into())));
        assert!(facts.contains(&(MachineKey::BootLoaderPath, "\\WINDOWS\\system32\\winload.efi".into())));
        assert!(facts.contains(&(
            MachineKey::BootManagerPath,
            "\\EFI\\Microsoft\\Boot\\bootmgfw.efi".into()
        )));

        let bios = "Windows Boot Loader\n-------------------\nidentifier              {6b0a1e1c-1234-11e1-9f5a-806e6f6e6963}\npath                    \\Windows\\system32\\winload.exe\n\nWindows Boot Loader\n-------------------\nidentifier              {current}\npath                    \\Windows\\system32\\winload.exe\n";
        let facts = parse_bcdedit(&"bcd.txt".into(), bios);
        assert!(values(&facts).contains(&(MachineKey::FirmwareMode, "BIOS".into())));
        assert_eq!(facts[0].origin.location, crate::model::Location::Line(9));
    }

    #[test]
    fn msinfo32_summary_items_in_english_and_japanese() {
        let english = "System Information report written at: 10/21/12 10:00:00\r\nSystem Name: PC01\r\n[System Summary]\r\n\r\nItem\tValue\t\r\nOS Name\tMicrosoft Windows 7 Home Premium \t\r\nVersion\t6.1.7601 Service Pack 1 Build 7601\t\r\nBIOS Mode\tLegacy\t\r\n[Hardware Resources]\r\nVersion\tignored\r\n";
        let facts = values(&parse_msinfo32(&"m.txt".into(), english));
        assert_eq!(
            facts,
            vec![
                (MachineKey::OsName, "Microsoft Windows 7 Home Premium".into()),
                (MachineKey::OsVersion, "6.1.7601 Service Pack 1 Build 7601".into()),
                (MachineKey::FirmwareMode, "BIOS".into()),
            ]
        );
        let japanese = "[システムの要約]\n項目\t値\nBIOS モード\tUEFI\nセキュア ブートの状態\t有効\n";
        let facts = values(&parse_msinfo32(&"m.txt".into(), japanese));
        assert_eq!(
            facts,
            vec![
                (MachineKey::FirmwareMode, "UEFI".into()),
                (MachineKey::SecureBootState, "有効".into())
            ]
        );
    }
}
