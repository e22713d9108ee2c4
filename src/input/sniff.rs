//! Decides what an input is from its content, never from its name alone: evtx by its file
//! magic, cabinets by theirs, text logs by the shape of their lines.

use super::encoding::{self, TextEncoding};

/// How many bytes of a file are read to decide what it is.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What an input looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A binary event log (`ElfFile\0` header).
    Evtx,
    /// A Microsoft cabinet (`MSCF`), such as a rotated `CbsPersist_*.cab`.
    Cab,
    /// A text file of a known shape, in the detected encoding.
    Text(TextKind, TextEncoding),
    /// Nothing in it: zero bytes, or only a byte-order mark and white space.
    Empty,
    /// Not something backupdiag reads, with the reason.
    Skip(String),
}

/// The text formats backupdiag reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// CBS.log, dism.log, setupact.log and their relatives: one timestamped line family.
    Servicing,
    /// `vssadmin list writers` / `list providers` output.
    Vssadmin,
    /// `bcdedit /enum` output.
    Bcdedit,
    /// `msinfo32 /report` text.
    Msinfo32,
    /// Any other text: pasted events, console output, notes, free text.
    Pasted,
}

/// Looks at the first bytes of an input (see [`SNIFF_BYTES`]).
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.is_empty() {
        return Sniffed::Empty;
    }
    if head.starts_with(b"ElfFile\0") {
        return Sniffed::Evtx;
    }
    if head.starts_with(b"MSCF") {
        return Sniffed::Cab;
    }
    let encoding = encoding::detect(head);
    let decoded = encoding::decode_as(head, encoding);
    let text = &decoded.text;
    if head.len() < SNIFF_BYTES
        && text
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .is_empty()
    {
        return Sniffed::Empty;
    }
    if !matches!(
        encoding,
        TextEncoding::Utf16Le | TextEncoding::Utf16LeBom | TextEncoding::Utf16Be | TextEncoding::Utf16BeBom
    ) && head.contains(&0)
    {
        return Sniffed::Skip("binary file of a format backupdiag does not read".to_string());
    }
    match text_kind(text) {
        Some(kind) => Sniffed::Text(kind, encoding),
        None => Sniffed::Text(TextKind::Pasted, encoding),
    }
}

/// A test on a file's first 64 KiB of text.
type LooksLike = fn(&str) -> bool;

/// The text formats with a shape of their own, and how each is recognised, tried in order
/// (anything else is read as pasted text). A new format is a row here, a reader in `parse`,
/// and its `SourceKind` (which says which log it provides).
const TEXT_FORMATS: &[(TextKind, LooksLike)] = &[
    (TextKind::Servicing, looks_servicing),
    (TextKind::Vssadmin, looks_vssadmin),
    (TextKind::Bcdedit, looks_bcdedit),
    (TextKind::Msinfo32, looks_msinfo32),
];

fn text_kind(text: &str) -> Option<TextKind> {
    TEXT_FORMATS
        .iter()
        .find(|(_, looks_like)| looks_like(text))
        .map(|(kind, _)| *kind)
}

/// True when a line starts `YYYY-MM-DD HH:MM:SS, ` as CBS, DISM and Panther lines do.
pub fn is_servicing_timestamp(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 21
        && b[..21].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            19 => *c == b',',
            20 => *c == b' ',
            _ => c.is_ascii_digit(),
        })
}

fn looks_servicing(text: &str) -> bool {
    let mut stamped = 0usize;
    let mut nonempty = 0usize;
    for line in text.lines().take(400) {
        let line = line.trim_start_matches('\u{FEFF}');
        if line.trim().is_empty() {
            continue;
        }
        nonempty += 1;
        if is_servicing_timestamp(line) {
            stamped += 1;
        }
    }
    stamped >= 20 || (stamped > 0 && stamped * 4 >= nonempty)
}

fn looks_vssadmin(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(400)
        .collect();
    lines.iter().any(|l| l.starts_with("vssadmin 1.1 - "))
        || lines.windows(4).any(|w| is_writer_block(w) || is_provider_block(w))
        || lines.windows(3).any(is_listed_provider)
}

/// PowerShell's list view of a `Win32_ShadowProvider`: `Name :`, `ID : {guid}`, `Version :`.
fn is_listed_provider(w: &[&str]) -> bool {
    let labelled = |line: &str, label: &str| {
        line.split_once(':')
            .is_some_and(|(l, _)| l.trim().eq_ignore_ascii_case(label))
    };
    labelled(w[0], "Name") && labelled(w[1], "ID") && has_guid(w[1]) && labelled(w[2], "Version")
}

/// A quoted name, two GUID lines and a `[N]` state line.
fn is_writer_block(w: &[&str]) -> bool {
    has_quoted_name(w[0]) && has_guid(w[1]) && has_guid(w[2]) && bracketed_number(w[3])
}

/// A quoted name, a type line, a GUID line and a version line (`1.0.0.7`).
fn is_provider_block(w: &[&str]) -> bool {
    let version = w[3].rsplit([' ', ':', '：']).next().unwrap_or_default();
    has_quoted_name(w[0])
        && !has_guid(w[1])
        && has_guid(w[2])
        && version.split('.').count() >= 2
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn bracketed_number(line: &str) -> bool {
    let Some(open) = line.find('[') else {
        return false;
    };
    let inner = line[open + 1..].split(']').next().unwrap_or_default();
    !inner.is_empty() && inner.len() <= 2 && inner.bytes().all(|b| b.is_ascii_digit())
}

/// True when the line holds a name in single (or typographic) quotes.
pub fn has_quoted_name(line: &str) -> bool {
    quoted(line).is_some()
}

/// The text between the first and last quote of `line`: ASCII single quotes (English,
/// Japanese, French output), double quotes (German output writes `Verfassername: "..."`), or
/// the typographic quotes a blog or forum turns them into.
pub fn quoted(line: &str) -> Option<&str> {
    let is_quote = |c: char| {
        matches!(
            c,
            '\'' | '"' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{201E}'
        )
    };
    let start = line.find(is_quote)?;
    let end = line.rfind(is_quote)?;
    let first_len = line[start..].chars().next().map_or(1, char::len_utf8);
    (end > start).then(|| &line[start + first_len..end])
}

/// True when the line holds a `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` GUID.
pub fn has_guid(line: &str) -> bool {
    find_guid(line).is_some()
}

/// The first braced GUID in `line`, as written.
pub fn find_guid(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(pos) = line[from..].find('{') {
        let start = from + pos;
        if let Some(candidate) = line.get(start..start + 38) {
            let inner = &bytes[start + 1..start + 37];
            let ok = bytes[start + 37] == b'}'
                && inner.iter().enumerate().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => *c == b'-',
                    _ => c.is_ascii_hexdigit(),
                });
            if ok {
                return Some(candidate);
            }
        }
        from = start + 1;
    }
    None
}

/// bcdedit keeps its element names English in Japanese output (`identifier`, `path`), but
/// German output says `Bezeichner`; a boot loader path is decisive in any language.
fn looks_bcdedit(text: &str) -> bool {
    text.lines().take(400).any(|line| {
        let mut words = line.split_whitespace();
        let key = words.next();
        let value = words.next().unwrap_or_default();
        let lower = value.to_ascii_lowercase();
        (matches!(key, Some("identifier" | "Bezeichner")) && value.starts_with('{'))
            || lower.ends_with("\\winload.exe")
            || lower.ends_with("\\winload.efi")
    })
}

/// The `[System Summary]` section (Japanese `[システムの要約]`) with its `Item<TAB>Value`
/// header, or the English first line.
fn looks_msinfo32(text: &str) -> bool {
    text.contains("System Information report written at")
        || ((text.contains("[System Summary]") || text.contains("[システムの要約]")) && text.contains('\t'))
}

#[cfg(test)]
mod tests {
    use super::{find_guid, quoted, sniff, Sniffed, TextKind};

    #[test]
    fn decides_by_content() {
        let cbs = "2023-05-17 08:44:05, Info                  CBS    Exec: x\r\n".repeat(3);
        let vss = "Writer name: 'System Writer'\n   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\n   Writer Instance Id: {b1c47cec-0e12-4ac6-b84b-9c1d8292a9f3}\n   State: [1] Stable\n";
        let bcd = "Windows Boot Loader\n-------------------\nidentifier              {current}\npath  \\Windows\\system32\\winload.efi\n";
        let cases: Vec<(&[u8], Sniffed)> = vec![
            (b"ElfFile\0rest", Sniffed::Evtx),
            (b"MSCF\0\0\0\0", Sniffed::Cab),
            (
                cbs.as_bytes(),
                Sniffed::Text(TextKind::Servicing, super::TextEncoding::Utf8),
            ),
            (
                vss.as_bytes(),
                Sniffed::Text(TextKind::Vssadmin, super::TextEncoding::Utf8),
            ),
            (
                bcd.as_bytes(),
                Sniffed::Text(TextKind::Bcdedit, super::TextEncoding::Utf8),
            ),
            (
                b"[System Summary]\n\nItem\tValue\nBIOS Mode\tUEFI\n",
                Sniffed::Text(TextKind::Msinfo32, super::TextEncoding::Utf8),
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), expected);
        }
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(b"\xef\xbb\xbf"), Sniffed::Empty, "a UTF-8 byte-order mark alone");
        assert_eq!(
            sniff(b"\xff\xfe\r\x00\n\x00"),
            Sniffed::Empty,
            "UTF-16LE: a BOM and a line end"
        );
        assert_eq!(
            sniff(b"# Notes\nnothing here\n"),
            Sniffed::Text(TextKind::Pasted, super::TextEncoding::Utf8)
        );
        let lookalike = b"<![LOG['Software Update' {e8132975-6f93-4464-a53e-1050253ae220}]LOG]!>\n{b1c47cec-0e12-4ac6-b84b-9c1d8292a9f3} x\nno state\nmore\n";
        assert_eq!(
            sniff(lookalike),
            Sniffed::Text(TextKind::Pasted, super::TextEncoding::Utf8)
        );
        assert!(matches!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0"), Sniffed::Skip(r) if r.contains("binary")));
    }

    #[test]
    fn finds_guids_and_quoted_names() {
        assert_eq!(
            find_guid("   Writer Id: {E8132975-6f93-4464-a53e-1050253ae220}"),
            Some("{E8132975-6f93-4464-a53e-1050253ae220}")
        );
        assert_eq!(find_guid("{not a guid} {bootmgr}"), None);
        assert_eq!(quoted("Writer name: 'System Writer'"), Some("System Writer"));
        assert_eq!(
            quoted("Nom du rédacteur : \u{2018}Task Scheduler Writer\u{2019}"),
            Some("Task Scheduler Writer")
        );
        assert_eq!(quoted("no quotes"), None);
    }
}
