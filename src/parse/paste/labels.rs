//! The labels of pasted event text in every layout users paste: Event Viewer's "Copy details
//! as text" (English and Japanese, `japanese-formats.md` 2), `wevtutil qe /f:text`, the Windows
//! 2003 layout (`Event Type:`, `Event Source:`), compact summaries (`Level = Error / Source = VSS
//! / Event ID = 8194`, `ID:/Level:/Source:/Message:`) and full-width colons.

/// What a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// Log (channel) name.
    LogName,
    /// Source (provider).
    Source,
    /// Date, or date and time.
    Date,
    /// Time (the 2003 layout gives it apart).
    Time,
    /// Event id.
    EventId,
    /// Task category.
    Task,
    /// Level or event type.
    Level,
    /// Keywords.
    Keywords,
    /// User.
    User,
    /// Computer.
    Computer,
    /// Description or message (text follows, often on the next lines).
    Description,
    /// The event's XML follows.
    EventXml,
    /// Opcode.
    Opcode,
}

/// Label words, lower case.
const LABELS: &[(&str, Label)] = &[
    ("log name", Label::LogName),
    ("ログの名前", Label::LogName),
    ("ログ", Label::LogName),
    ("source", Label::Source),
    ("event source", Label::Source),
    ("ソース", Label::Source),
    ("イベントソース", Label::Source),
    ("date", Label::Date),
    ("logged", Label::Date),
    ("date and time", Label::Date),
    ("日付", Label::Date),
    ("日付と時刻", Label::Date),
    ("time", Label::Time),
    ("時刻", Label::Time),
    ("event id", Label::EventId),
    ("eventid", Label::EventId),
    ("id", Label::EventId),
    ("イベント id", Label::EventId),
    ("イベントid", Label::EventId),
    ("task category", Label::Task),
    ("task", Label::Task),
    ("category", Label::Task),
    ("タスクのカテゴリ", Label::Task),
    ("分類", Label::Task),
    ("level", Label::Level),
    ("event type", Label::Level),
    ("type", Label::Level),
    ("レベル", Label::Level),
    ("種類", Label::Level),
    ("keywords", Label::Keywords),
    ("keyword", Label::Keywords),
    ("キーワード", Label::Keywords),
    ("user", Label::User),
    ("user name", Label::User),
    ("ユーザー", Label::User),
    ("computer", Label::Computer),
    ("コンピューター", Label::Computer),
    ("コンピュータ", Label::Computer),
    ("description", Label::Description),
    ("message", Label::Description),
    ("説明", Label::Description),
    ("メッセージ", Label::Description),
    ("event xml", Label::EventXml),
    ("イベント xml", Label::EventXml),
    ("opcode", Label::Opcode),
    ("オペコード", Label::Opcode),
];

/// The label and value of a `Label: value` (or `Label = value`, `Label：value`) line.
pub fn split(line: &str) -> Option<(Label, &str)> {
    let line = line.trim();
    let at = line.find([':', '：', '='])?;
    let label = line[..at].trim().to_lowercase();
    let sep_len = line[at..].chars().next().map_or(1, char::len_utf8);
    let value = line[at + sep_len..].trim();
    LABELS.iter().find(|(word, _)| *word == label).map(|(_, l)| (*l, value))
}

/// The `label=value` parts of a compact one-line summary (`Level = Error / Source = VSS`),
/// when the line has at least two.
pub fn compact(line: &str) -> Option<Vec<(Label, &str)>> {
    let parts: Vec<(Label, &str)> = line
        .split(" / ")
        .flat_map(|part| part.split('／'))
        .filter_map(split)
        .collect();
    (parts.len() >= 2).then_some(parts)
}

/// Localized level words -> evtx level numbers.
pub fn level(word: &str) -> Option<u8> {
    match word.trim().to_lowercase().as_str() {
        "critical" | "重大" => Some(1),
        "error" | "エラー" => Some(2),
        "warning" | "警告" => Some(3),
        "information" | "info" | "情報" => Some(4),
        "verbose" | "詳細" => Some(5),
        _ => None,
    }
}

/// Translated log names -> channel names.
pub fn channel(name: &str) -> String {
    match name.trim() {
        "システム" => "System".to_string(),
        "アプリケーション" => "Application".to_string(),
        "セキュリティ" => "Security".to_string(),
        other => other.to_string(),
    }
}

/// Event Viewer shows some providers by a short name; the rules know them by the full name.
pub fn provider(source: &str) -> String {
    match source.trim() {
        "Backup" | "Bakcup" => "Microsoft-Windows-Backup".to_string(),
        "Kernel-General" => "Microsoft-Windows-Kernel-General".to_string(),
        "Kernel-Boot" => "Microsoft-Windows-Kernel-Boot".to_string(),
        "Security-SPP" => "Microsoft-Windows-Security-SPP".to_string(),
        "Wininit" => "Microsoft-Windows-Wininit".to_string(),
        "WindowsUpdateClient" => "Microsoft-Windows-WindowsUpdateClient".to_string(),
        "Windows Defender" => "Microsoft-Windows-Windows Defender".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{compact, split, Label};

    #[test]
    fn labels_in_every_layout() {
        let cases = [
            ("Log Name:      System", Label::LogName, "System"),
            ("ログの名前:        System", Label::LogName, "System"),
            ("イベント ID:      7043", Label::EventId, "7043"),
            ("イベントID：22", Label::EventId, "22"),
            ("Event Type:\tError", Label::Level, "Error"),
            ("  Event ID: 8194", Label::EventId, "8194"),
            ("レベル：エラー", Label::Level, "エラー"),
            ("Description:", Label::Description, ""),
            ("イベント XML:", Label::EventXml, ""),
        ];
        for (line, label, value) in cases {
            assert_eq!(split(line), Some((label, value)), "{line}");
        }
        assert_eq!(split("The backup failed: disk full"), None);
        let parts = compact("Level = Error / Source = VSS / Event ID = 8194").expect("compact");
        assert_eq!(
            parts,
            vec![
                (Label::Level, "Error"),
                (Label::Source, "VSS"),
                (Label::EventId, "8194")
            ]
        );
    }
}
