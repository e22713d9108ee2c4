//! Error codes: how they are written (`0x8007045D`, `0x8007045d, text`, `hr=0x...`, decimal
//! `2147943517` as Backup events write it, `%%1058` in SCM data) and the one table of codes met
//! in backup logs (`codes.toml`, each row with its public
//! source): Win32 and HRESULT, VSS, Windows Backup, servicing, COM and NTSTATUS codes, their
//! symbolic names, English and (where a real Japanese paste was found) Japanese messages, and
//! the causes each code points to with a weight (how specific the code is for that cause).

use std::sync::OnceLock;

use serde::Deserialize;

/// One code.
#[derive(Debug, Clone, Deserialize)]
pub struct CodeInfo {
    /// The value as logs write it (`0x80070422`).
    pub value: u32,
    /// The plain Win32 number, for `0x8007xxxx` codes (`1058`).
    #[serde(default)]
    pub win32: Option<u32>,
    /// The symbolic name (`ERROR_SERVICE_DISABLED`); Windows Backup codes have none published.
    #[serde(default)]
    pub name: Option<String>,
    /// The English message.
    #[serde(default)]
    pub en: Option<String>,
    /// The Japanese message, as Japanese Windows prints it.
    #[serde(default)]
    pub ja: Option<String>,
    /// Cause ids and how strongly the code points to each (0 to 1).
    #[serde(default)]
    pub causes: Vec<(String, f64)>,
    /// Where the name and message come from.
    pub source: String,
}

impl CodeInfo {
    /// `0x80070422 ERROR_SERVICE_DISABLED`, or the value alone.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{:#010x} {name}", self.value),
            None => format!("{:#010x}", self.value),
        }
    }

    /// How strongly it points to `cause` (0 when it does not).
    pub fn weight_for(&self, cause: &str) -> f64 {
        self.causes
            .iter()
            .find(|(id, _)| id == cause)
            .map_or(0.0, |(_, weight)| *weight)
    }
}

#[derive(Deserialize)]
struct Table {
    code: Vec<CodeInfo>,
}

/// Every code of the table, in table order.
pub fn all() -> &'static [CodeInfo] {
    static TABLE: OnceLock<Vec<CodeInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The table is part of the binary and checked by a test: a parse error is a bug.
        toml::from_str::<Table>(include_str!("codes.toml")).map_or_else(|_| Vec::new(), |t| t.code)
    })
}

/// The entry of `code`: an HRESULT, or a plain Win32 number (`1058` is `0x80070422`).
pub fn lookup(code: u32) -> Option<&'static CodeInfo> {
    let table = all();
    table.iter().find(|c| c.value == code).or_else(|| {
        (code < 0x1_0000)
            .then(|| table.iter().find(|c| c.win32 == Some(code)))
            .flatten()
    })
}

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

/// A code as a user types it: `0x8007045D` (any case), `1117` (a Win32 number), `2147943517`
/// or `-2147023779` (the HRESULT as a decimal, signed as .NET and PowerShell print it).
pub fn parse_query(text: &str) -> Option<u32> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if let Some(negative) = text.strip_prefix('-') {
        let value: i64 = negative.parse().ok()?;
        return i32::try_from(-value).ok().map(|v| v as u32);
    }
    text.parse::<u32>().ok()
}

/// The codes that point to `cause` with at least `min` weight.
pub fn pointing_to(cause: &str, min: f64) -> Vec<u32> {
    all()
        .iter()
        .filter(|c| c.weight_for(cause) >= min)
        .map(|c| c.value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{all, codes_in_text, lookup, parse_code, pointing_to};

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
    fn the_table_parses_and_every_row_has_a_source() {
        let table = all();
        assert!(table.len() >= 100, "{} codes", table.len());
        for code in table {
            assert!(code.source.starts_with("http"), "{:#x}", code.value);
            for (_, weight) in &code.causes {
                assert!((0.0..=1.0).contains(weight), "{:#x}", code.value);
            }
        }
        let mut values: Vec<u32> = table.iter().map(|c| c.value).collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), table.len(), "each code once");
    }

    #[test]
    fn codes_are_typed_in_every_spelling() {
        for text in ["0x8007045D", "0x8007045d", "2147943517", "-2147023779"] {
            assert_eq!(super::parse_query(text), Some(0x8007_045d), "{text}");
        }
        assert_eq!(super::parse_query("1117"), Some(1117));
        assert_eq!(lookup(1117).map(|c| c.value), Some(0x8007_045d));
        assert_eq!(super::parse_query("SVC001"), None);
    }

    #[test]
    fn codes_are_found_by_hresult_or_win32_number() {
        let disabled = lookup(0x8007_0422).expect("0x80070422");
        assert_eq!(disabled.name.as_deref(), Some("ERROR_SERVICE_DISABLED"));
        assert_eq!(lookup(1058).map(|c| c.value), Some(0x8007_0422));
        assert!(pointing_to("required-service-disabled", 0.5).contains(&0x8007_0422));
        assert!(lookup(0x1234_5678).is_none());
    }
}
