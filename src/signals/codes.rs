//! Error codes as events print them: `0x8007045D`, `0x8007045d, text`, `hr=0x...`, decimal
//! (`2147943517`, Backup events), `%%1058` (unexpanded Win32 message references in SCM data).

/// The first error code in `text`.
pub fn parse_code(text: &str) -> Option<u32> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("%%") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return digits.parse::<u64>().ok().and_then(|n| u32::try_from(n).ok());
    }
    if let Some(at) = text.to_ascii_lowercase().find("0x") {
        let hex: String = text[at + 2..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .take(8)
            .collect();
        return u32::from_str_radix(&hex, 16).ok();
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() >= 6 {
        return digits.parse::<u64>().ok().and_then(|n| u32::try_from(n).ok());
    }
    None
}

/// Every error code written in free text, in order, each once: `0x` followed by eight hex
/// digits with the high bit set (HRESULTs, NTSTATUS), or a ten-digit decimal HRESULT in quotes
/// or parentheses (`'2155348237'`, as Backup 517's message writes it).
pub fn codes_in_text(text: &str) -> Vec<u32> {
    let mut codes = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let found = if rest.len() >= 10 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
            let hex = &rest[2..10];
            let ends = rest.get(10).is_none_or(|b| !b.is_ascii_hexdigit());
            (hex.iter().all(u8::is_ascii_hexdigit) && ends)
                .then(|| {
                    std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                })
                .flatten()
                .filter(|code| code & 0x8000_0000 != 0)
                .map(|code| (code, 10))
        } else if matches!(rest[0], b'\'' | b'(') && rest.len() >= 12 {
            let digits = &rest[1..11];
            let closes = matches!(rest[11], b'\'' | b')');
            (digits.iter().all(u8::is_ascii_digit) && closes)
                .then(|| std::str::from_utf8(digits).ok().and_then(|d| d.parse::<u64>().ok()))
                .flatten()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|code| code & 0x8000_0000 != 0)
                .map(|code| (code, 12))
        } else {
            None
        };
        match found {
            Some((code, len)) => {
                if !codes.contains(&code) {
                    codes.push(code);
                }
                i += len;
            }
            None => i += 1,
        }
    }
    codes
}

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
    use super::{codes_in_text, disk_number, parse_code, service_key, utf16_hex};

    #[test]
    fn codes_in_free_text() {
        let text = "バックアップファイルの1つを作成できませんでした。(0x8078002A)\n追加情報: (0x8007045D) / error code '2155348237' / 0x1234 / 0x8007045D again";
        assert_eq!(codes_in_text(text), [0x8078_002a, 0x8007_045d, 0x8078_010d]);
        assert!(codes_in_text("version 0x00000001, 0x8007045D0 is nine digits").is_empty());
        assert_eq!(codes_in_text("(0x8007045Dが発生)"), [0x8007_045d]);
    }

    #[test]
    fn codes_in_every_spelling() {
        for (text, code) in [
            ("0x8007045D", 0x8007_045d),
            ("0x8007007e, The specified module could not be found.", 0x8007_007e),
            ("hr=0xC004F074", 0xc004_f074),
            ("2155348129", 0x8078_00a1),
            ("%%1058", 1058),
            ("%%2147942414", 0x8007_000e),
        ] {
            assert_eq!(parse_code(text), Some(code), "{text}");
        }
        assert_eq!(parse_code("none"), None);
        assert_eq!(parse_code("12"), None);
    }

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
