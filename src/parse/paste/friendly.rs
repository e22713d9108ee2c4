//! Event Viewer's "Friendly View" (the Details tab) copied as text: an indented tree with
//! `- System`, `[ Name]  value` attributes, `- EventID 7040`, `Level 4`, `[ SystemTime]`, and
//! the `- EventData` lines (`param1 value`, or bare values for unnamed `<Data>`).

use crate::model::{Fields, Interner};

use super::super::event_xml::XmlEvent;

/// True when the text holds a Friendly View tree.
pub fn looks_like(text: &str) -> bool {
    let lines = || text.lines().map(str::trim);
    lines().any(|l| l == "- System") && lines().any(|l| l.starts_with("- EventID") || l.starts_with("EventID "))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    System,
    Data,
}

/// The events of a Friendly View text, each with its first line.
pub fn read(text: &str, interner: &mut Interner) -> Vec<(u64, XmlEvent)> {
    let mut events: Vec<(u64, XmlEvent)> = Vec::new();
    let mut section = Section::System;
    let mut parent = String::new();
    let mut positional = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line == "- System" {
            events.push((index as u64 + 1, XmlEvent::default()));
            section = Section::System;
            positional = 0;
            continue;
        }
        let Some((_, event)) = events.last_mut() else { continue };
        if line == "- EventData" || line == "- UserData" {
            section = Section::Data;
            continue;
        }
        match section {
            Section::System => system_line(line, &mut parent, event, interner),
            Section::Data => data_line(line, &mut positional, &mut event.fields),
        }
    }
    events
}

fn system_line(line: &str, parent: &mut String, event: &mut XmlEvent, interner: &mut Interner) {
    if let Some(node) = line.strip_prefix("- ") {
        let (name, value) = node.split_once(' ').unwrap_or((node, ""));
        *parent = name.to_string();
        if name == "EventID" {
            event.event_id = value.trim().parse().ok();
        }
        return;
    }
    if let Some(attribute) = line.strip_prefix('[') {
        let Some((name, value)) = attribute.split_once(']') else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        match (parent.as_str(), name) {
            ("Provider", "Name") => event.provider = Some(interner.get(value)),
            ("TimeCreated", "SystemTime") => event.time_created = value.parse().ok(),
            _ => {}
        }
        return;
    }
    let (name, value) = line.split_once(' ').unwrap_or((line, ""));
    let value = value.trim();
    match name {
        "EventID" => event.event_id = value.parse().ok(),
        "Level" => event.level = value.parse().ok(),
        "EventRecordID" => event.record_id = value.parse().ok(),
        "Channel" if !value.is_empty() => event.channel = Some(interner.get(value)),
        "Computer" if !value.is_empty() => event.computer = Some(interner.get(value)),
        _ => {}
    }
}

/// `param1 Windows Modules Installer` (named) or a bare value (unnamed, `%n`).
fn data_line(line: &str, positional: &mut usize, fields: &mut Fields) {
    *positional += 1;
    let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
    let identifier = first.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let named =
        identifier && !rest.is_empty() && (first.starts_with("param") || first.chars().any(|c| c.is_ascii_uppercase()));
    if named {
        fields.push(first, rest.trim());
    } else {
        fields.push(&format!("%{positional}"), line);
    }
}

#[cfg(test)]
mod tests {
    use super::{looks_like, read};
    use crate::model::Interner;

    #[test]
    fn reads_the_friendly_view_tree() {
        let text = "- System \n\n  - Provider \n\n   [ Name]  Service Control Manager \n   [ Guid]  {555908d1-a6d7-4695-8e1e-26931d2012f4} \n\n  - EventID 7040 \n\n   [ Qualifiers]  16384 \n\n   Level 4 \n\n  - TimeCreated \n\n   [ SystemTime]  2012-10-21T03:04:05.123456700Z \n\n   EventRecordID 4242 \n\n   Channel System \n\n   Computer PC01 \n\n- EventData \n\n  param1 Block Level Backup Engine Service \n  param2 demand start \n  param3 disabled \n  param4 wbengine \n";
        assert!(looks_like(text));
        let events = read(text, &mut Interner::default());
        assert_eq!(events.len(), 1);
        let (line, event) = &events[0];
        assert_eq!(*line, 1);
        assert_eq!(event.provider.as_deref(), Some("Service Control Manager"));
        assert_eq!(
            (event.event_id, event.level, event.record_id),
            (Some(7040), Some(4), Some(4242))
        );
        assert_eq!(
            event.time_created.map(|t| t.to_string()).as_deref(),
            Some("2012-10-21T03:04:05.1234567Z")
        );
        assert_eq!(event.fields.get("param4"), Some("wbengine"));
        assert_eq!(event.fields.get("param2"), Some("demand start"));
    }
}
