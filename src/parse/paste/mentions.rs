//! What can be recognised for sure in any other text: HRESULTs and Win32/NTSTATUS codes
//! (`0x8xxxxxxx`, `0xCxxxxxxx`), event ids next to a known source, and VSS writer names. Each
//! is a low-certainty untimed fact; nothing else is guessed.

/// Sources whose event ids a mention may name.
const SOURCES: &[&str] = &[
    "VSS",
    "Backup",
    "Service Control Manager",
    "Disk",
    "Ntfs",
    "volsnap",
    "Volsnap",
    "SPP",
    "Wininit",
];

/// Writer names of `vssadmin list writers`.
const WRITERS: &[&str] = &[
    "System Writer",
    "ASR Writer",
    "Registry Writer",
    "COM+ REGDB Writer",
    "WMI Writer",
    "Task Scheduler Writer",
    "VSS Metadata Store Writer",
    "Performance Counters Writer",
    "Shadow Copy Optimization Writer",
];

/// Partition names meaning the System Reserved partition, as Disk Management shows it
/// (English, German, Japanese).
const SYSTEM_RESERVED: &[&str] = &["System Reserved", "System-reserviert", "システムで予約済み"];

/// One recognised thing: kind, value, line.
pub type Mention = (&'static str, String, u64);

/// Everything recognisable in `text`.
pub fn find(text: &str) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index as u64 + 1;
        for code in codes(line) {
            push(&mut out, ("hresult", format!("{code:#010x}"), number));
        }
        for event in events(line) {
            push(&mut out, ("event", event, number));
        }
        for writer in WRITERS.iter().filter(|w| line.contains(*w)) {
            push(&mut out, ("writer", writer.to_string(), number));
        }
    }
    out.extend(notable(text, |_| true));
    out
}

/// The facts about volumes that name a cause even inside other pastes, on lines `allowed`
/// accepts: a FAT32 or exFAT file system (`fsutil fsinfo volumeinfo`'s `File System Name :`),
/// the System Reserved partition named in the user's words, and the [`super::phrases`].
pub fn notable(text: &str, allowed: impl Fn(u64) -> bool) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index as u64 + 1;
        if !allowed(number) {
            continue;
        }
        let trimmed = line.trim();
        if let Some((label, value)) = trimmed.split_once(':') {
            let label = label.trim();
            let value = value.trim().to_ascii_uppercase();
            let fs_label = label.eq_ignore_ascii_case("File System Name") || label == "ファイル システム名";
            if fs_label && (value == "FAT32" || value == "EXFAT" || value == "FAT") {
                push(&mut out, ("file-system", value, number));
            }
        }
        for name in SYSTEM_RESERVED.iter().filter(|n| line.contains(*n)) {
            push(&mut out, ("partition", (*name).to_string(), number));
        }
        for id in super::phrases::find(line) {
            push(&mut out, ("phrase", id.to_string(), number));
        }
    }
    out
}

fn push(out: &mut Vec<Mention>, mention: Mention) {
    if !out.iter().any(|(k, v, _)| *k == mention.0 && *v == mention.1) {
        out.push(mention);
    }
}

/// `0x8xxxxxxx` and `0xCxxxxxxx` codes (8 hex digits: error HRESULTs and NTSTATUS values).
fn codes(line: &str) -> Vec<u32> {
    let lower = line.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("0x") {
        let start = from + at + 2;
        let hex: String = lower[start..].chars().take_while(char::is_ascii_hexdigit).collect();
        if hex.len() == 8 && (hex.starts_with('8') || hex.starts_with('c')) {
            if let Ok(code) = u32::from_str_radix(&hex, 16) {
                out.push(code);
            }
        }
        from = start;
    }
    out
}

/// `VSS 8193`, `Event ID 7040 (Service Control Manager)`: an id counts when it stands right
/// after a known source, or after `ID` on a line naming exactly one known source.
fn events(line: &str) -> Vec<String> {
    let present: Vec<&str> = SOURCES.iter().copied().filter(|s| line.contains(*s)).collect();
    if present.is_empty() {
        return Vec::new();
    }
    line.split(|c: char| !c.is_ascii_digit())
        .filter(|n| (1..=5).contains(&n.len()))
        .filter_map(|n| n.parse::<u32>().ok())
        .filter(|id| (4..=65535).contains(id) && !(1990..=2100).contains(id))
        .filter_map(|id| {
            let adjacent = present.iter().find(|s| line.contains(&format!("{s} {id}")));
            let by_label = ["ID {id}", "ID: {id}", "ID:{id}"]
                .iter()
                .any(|p| line.contains(&p.replace("{id}", &id.to_string())));
            adjacent
                .or_else(|| (by_label && present.len() == 1).then(|| &present[0]))
                .map(|s| format!("{s} {id}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn only_what_is_certain() {
        let text = "The backup failed with 0x81000019 again (also saw VSS 8193 and Event ID 7040 from Service Control Manager).\nSystem Writer was failed.\nIt cost me 2012 yen and 0x1234.\n";
        let found: Vec<(&str, String)> = find(text).into_iter().map(|(k, v, _)| (k, v)).collect();
        assert_eq!(
            found,
            [
                ("hresult", "0x81000019".to_string()),
                ("event", "VSS 8193".to_string()),
                ("writer", "System Writer".to_string()),
            ]
        );
    }
}
