//! Message templates of the events rules read, English and Japanese: to pull parameters out of
//! a pasted description when no XML came with it, and to show a recorded event's message as
//! Event Viewer shows it. Texts: libyal winevt-kb message tables
//! (services.exe, vssvc.exe, blbevents.dll, disk.sys) via `docs/research/event-catalog.md`;
//! Japanese SCM texts: `japanese-formats.md` 3 (verified pastes). Disk 157, Backup 3 and the
//! Windows 7 `Windows Backup` 4104: `docs/research/causes.md` and the event catalogue §4.

use crate::model::{Event, Fields};

struct Template {
    provider: &'static str,
    id: u32,
    text: &'static str,
    /// The field name of `%1`, `%2`, ... (as the event's XML names them).
    names: &'static [&'static str],
}

const SCM: &str = "Service Control Manager";
const BACKUP: &str = "Microsoft-Windows-Backup";

const TEMPLATES: &[Template] = &[
    Template { provider: SCM, id: 7040, text: "The start type of the %1 service was changed from %2 to %3.", names: &["param1", "param2", "param3"] },
    Template { provider: SCM, id: 7040, text: "%1 サービスの開始の種類は %2 から %3 に変更されました。", names: &["param1", "param2", "param3"] },
    Template { provider: SCM, id: 7036, text: "The %1 service entered the %2 state.", names: &["param1", "param2"] },
    Template { provider: SCM, id: 7036, text: "%1 サービスは %2 状態に移行しました。", names: &["param1", "param2"] },
    Template { provider: SCM, id: 7000, text: "The %1 service failed to start due to the following error: %2", names: &["param1", "param2"] },
    Template { provider: SCM, id: 7000, text: "%1 サービスは次のエラーのため開始できませんでした: %2", names: &["param1", "param2"] },
    Template { provider: SCM, id: 7023, text: "The %1 service terminated with the following error: %2", names: &["param1", "param2"] },
    Template { provider: "VSS", id: 8193, text: "Volume Shadow Copy Service error: Unexpected error calling routine %1. hr = %2.", names: &["%1", "%2"] },
    Template { provider: "VSS", id: 8194, text: "Volume Shadow Copy Service error: Unexpected error querying for the IVssWriterCallback interface. hr = %1.", names: &["%1"] },
    Template { provider: BACKUP, id: 517, text: "The backup operation that started at '%1' has failed with following error code '%2' (%3).", names: &["BackupTime", "ErrorCode", "ErrorMessage"] },
    Template { provider: BACKUP, id: 521, text: "The backup operation that started at '%1' has failed because the Volume Shadow Copy Service operation to create a shadow copy of the volumes being backed up failed with following error code '%2'.", names: &["BackupTime", "ErrorCode"] },
    Template { provider: "disk", id: 7, text: "The device, %1, has a bad block.", names: &["%1"] },
    Template { provider: "disk", id: 157, text: "Disk %1 has been surprise removed.", names: &["%1"] },
    Template { provider: BACKUP, id: 3, text: "Backup catalog on selected backup disk '%1' is corrupt. Please choose a different target.", names: &["%1"] },
    Template { provider: "Windows Backup", id: 4104, text: "The backup was not successful. The error is: %1", names: &["%1"] },
];

/// Characters Event Viewer copies carry that are not text: left-to-right and right-to-left
/// marks and embeddings (`‎3/‎10/‎2012`).
const FORMAT_MARKS: &[char] = &[
    '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
];

/// A field value as shown: format marks removed, line breaks folded, `%%N` system message
/// references (`%%1058`) replaced by their text when the code table has it.
pub fn clean(value: &str) -> String {
    let text: String = value.chars().filter(|c| !FORMAT_MARKS.contains(c)).collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.strip_prefix("%%").and_then(|n| n.parse::<u32>().ok()) {
        Some(number) => super::codes::lookup(number).and_then(|c| c.en.clone()).unwrap_or(text),
        None => text,
    }
}

/// The event's message in English as Event Viewer shows it, when its template is known and its
/// fields fill it.
pub fn render(event: &Event) -> Option<String> {
    let id = event.event_id?;
    TEMPLATES
        .iter()
        .filter(|t| t.id == id && t.provider.eq_ignore_ascii_case(&event.provider) && t.text.is_ascii())
        .find_map(|t| fill(t, event))
}

fn fill(template: &Template, event: &Event) -> Option<String> {
    let mut text = template.text.to_string();
    // Highest number first, so %1 never eats the start of %10.
    for (index, name) in template.names.iter().enumerate().rev() {
        let value = clean(event.field(name)?);
        text = text.replace(&format!("%{}", index + 1), &value);
    }
    Some(text)
}

/// Whitespace runs folded to one space.
fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fields pulled from `message` by the template of (`provider`, `id`), when one matches.
pub fn extract(provider: &str, id: u32, message: &str) -> Option<Fields> {
    let message = fold(message);
    TEMPLATES
        .iter()
        .filter(|t| t.provider.eq_ignore_ascii_case(provider) && t.id == id)
        .find_map(|t| matches(&fold(t.text), &message).map(|values| fields(t, values)))
}

/// Identifies an event from its message text alone: (provider, id, fields) of the first
/// template that matches.
pub fn identify(message: &str) -> Option<(&'static str, u32, Fields)> {
    let folded = fold(message);
    TEMPLATES
        .iter()
        .find_map(|t| matches(&fold(t.text), &folded).map(|values| (t.provider, t.id, fields(t, values))))
}

fn fields(template: &Template, values: Vec<String>) -> Fields {
    let mut fields = Fields::new();
    let error_text = matches!(template.id, 7000 | 7023);
    for (name, value) in template.names.iter().zip(values) {
        // SCM prints the Win32 error as words; the XML holds %%1058 for "disabled".
        let disabled = value.contains("it is disabled") || value.contains("無効");
        let value = if error_text && disabled {
            "%%1058".to_string()
        } else {
            value
        };
        fields.push(name, value.trim());
    }
    fields
}

/// Matches `message` against a template whose `%N` placeholders stand for any text; returns
/// the text of each placeholder in order.
fn matches(template: &str, message: &str) -> Option<Vec<String>> {
    let mut pieces: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        pieces.push(&rest[..at]);
        let digits = rest[at + 1..].chars().take_while(char::is_ascii_digit).count();
        rest = &rest[at + 1 + digits..];
    }
    pieces.push(rest);
    let mut values = Vec::new();
    let mut position = message.strip_prefix(pieces[0])?;
    for (i, literal) in pieces.iter().enumerate().skip(1) {
        let end = if literal.is_empty() && i == pieces.len() - 1 {
            Some(position.len())
        } else {
            position.find(literal)
        };
        let end = end?;
        values.push(position[..end].to_string());
        position = &position[end + literal.len()..];
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::{clean, extract};

    #[test]
    fn values_lose_format_marks_and_references_become_text() {
        assert_eq!(clean("\u{200e}3/\u{200e}10/\u{200e}2012"), "3/10/2012");
        assert_eq!(
            clean("%%1058"),
            "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it."
        );
        assert_eq!(clean("  a\r\n b "), "a b");
    }

    #[test]
    fn parameters_come_out_of_english_and_japanese_messages() {
        let cases = [
            ("Service Control Manager", 7040, "The start type of the Block Level Backup Engine Service service was changed from demand start\n to disabled.", "param3", "disabled"),
            ("Service Control Manager", 7040, "Windows Modules Installer サービスの開始の種類は 要求による開始 から 自動的な開始 に変更されました。", "param2", "要求による開始"),
            ("Service Control Manager", 7000, "The Block Level Backup Engine Service service failed to start due to the following error: \nThe service cannot be started, either because it is disabled or because it has no enabled devices associated with it.", "param2", "%%1058"),
            ("VSS", 8193, "Volume Shadow Copy Service error: Unexpected error calling routine CoCreateInstance.  hr = 0x80070422, The service cannot be started.", "%2", "0x80070422, The service cannot be started"),
            ("Windows Backup", 4104, "The backup was not successful. The error is: The system cannot find the file specified. (0x80070002).", "%1", "The system cannot find the file specified. (0x80070002)."),
            ("disk", 157, "Disk 2 has been surprise removed.", "%1", "2"),
            ("Microsoft-Windows-Backup", 517, "The backup operation that started at '?2012?-?10?-?21T11:00:00.000Z' has failed with following error code '0x81000019' (A shadow copy could not be created.).", "ErrorCode", "0x81000019"),
        ];
        for (provider, id, message, name, value) in cases {
            let fields = extract(provider, id, message).unwrap_or_else(|| panic!("{message}"));
            assert_eq!(fields.get(name), Some(value), "{message}");
        }
        assert!(extract("VSS", 8193, "something else entirely").is_none());
        let (provider, id, fields) = super::identify(
            "The start type of the Volume Shadow Copy service was\nchanged from demand start to disabled.",
        )
        .expect("identified");
        assert_eq!(
            (provider, id, fields.get("param1")),
            ("Service Control Manager", 7040, Some("Volume Shadow Copy"))
        );
    }
}
