//! Values events carry that signals read: service names and keys, SCM's UTF-16 key names, disk
//! numbers. (Error codes are read by `model::codes`.)

/// Display names of the services rules care about -> key names (English display names; most
/// stay English on Japanese Windows, see `japanese-formats.md` 3).
const SERVICE_NAMES: &[(&str, &str)] = &[
    ("Remote Procedure Call (RPC)", "RpcSs"),
    ("Block Level Backup Engine Service", "wbengine"),
    ("Volume Shadow Copy", "VSS"),
    ("Microsoft Software Shadow Copy Provider", "swprv"),
    ("COM+ Event System", "EventSystem"),
    ("System Event Notification Service", "SENS"),
    ("Windows Backup", "SDRSVC"),
    ("Windows Modules Installer", "TrustedInstaller"),
    ("Cryptographic Services", "CryptSvc"),
];

/// The key name of a service given by display name or key name.
pub fn service_key(name: &str) -> Option<&'static str> {
    let name = name.trim();
    SERVICE_NAMES
        .iter()
        .find(|(display, key)| display.eq_ignore_ascii_case(name) || key.eq_ignore_ascii_case(name))
        .map(|(_, key)| *key)
}

/// The text of a UTF-16LE hex Binary (SCM key names: `7700620065006E00...`).
pub fn utf16_hex(hex: &str) -> Option<String> {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let text = String::from_utf16(&units).ok()?;
    Some(text.trim_end_matches('\0').to_string())
}

/// `\Device\Harddisk3\DR3` -> 3; a bare number (disk 157's "Disk 3") is the number itself.
pub fn disk_number(value: &str) -> Option<u32> {
    let value = value.trim();
    if let Ok(number) = value.parse() {
        return Some(number);
    }
    let lower = value.to_ascii_lowercase();
    let after = lower.split("\\device\\harddisk").nth(1)?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{disk_number, service_key, utf16_hex};

    #[test]
    fn service_names_and_binary_keys() {
        assert_eq!(service_key("Block Level Backup Engine Service"), Some("wbengine"));
        assert_eq!(service_key("rpcss"), Some("RpcSs"));
        assert_eq!(service_key("Themes"), None);
        assert_eq!(utf16_hex("770062006500").as_deref(), Some("wbe"));
    }

    #[test]
    fn disk_numbers_come_from_the_device_path() {
        assert_eq!(disk_number("\\Device\\Harddisk3\\DR3"), Some(3));
        assert_eq!(disk_number("\\Device\\Harddisk12\\DR14"), Some(12));
        assert_eq!(disk_number("\\Device\\CdRom0"), None);
        assert_eq!(disk_number(" 2 "), Some(2));
        assert_eq!(disk_number("0x1000"), None);
    }
}
