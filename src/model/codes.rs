//! The one table of error codes met in backup logs (`codes.toml`, each row with its public
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
    use super::{all, lookup, pointing_to};

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
