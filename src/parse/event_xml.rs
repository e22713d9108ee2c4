//! Reads the XML form of one Windows event (`<Event><System>...<EventData>...`) into its
//! parts. evtx records are rendered to this XML by the `evtx` crate; pasted `wevtutil /f:xml`
//! text will come through the same reader, so one event means the same from both.

use std::borrow::Cow;

use jiff::Timestamp;
use quick_xml::events::{BytesStart, Event as XmlToken};
use quick_xml::Reader;

use crate::model::Field;

/// The parts of one event's XML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlEvent {
    /// `Provider/@Name`.
    pub provider: Option<String>,
    /// `EventID` text.
    pub event_id: Option<u32>,
    /// `Level` text.
    pub level: Option<u8>,
    /// `TimeCreated/@SystemTime`.
    pub time_created: Option<Timestamp>,
    /// `EventRecordID` text.
    pub record_id: Option<u64>,
    /// `Channel` text.
    pub channel: Option<String>,
    /// `Computer` text.
    pub computer: Option<String>,
    /// `EventData/Data` (named, or `%1`, `%2`... by position), `EventData/Binary`, and the leaf
    /// elements of `UserData`.
    pub fields: Vec<Field>,
    /// Set when the XML ended early or was malformed; what came before is kept.
    pub error: Option<String>,
}

/// The elements the reader cares about; everything else is `Other`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    System,
    EventData,
    UserData,
    Provider,
    EventId,
    Level,
    TimeCreated,
    RecordId,
    Channel,
    Computer,
    Data,
    Binary,
    Other,
}

impl Tag {
    fn of(name: &[u8]) -> Tag {
        match name {
            b"System" => Tag::System,
            b"EventData" => Tag::EventData,
            b"UserData" => Tag::UserData,
            b"Provider" => Tag::Provider,
            b"EventID" => Tag::EventId,
            b"Level" => Tag::Level,
            b"TimeCreated" => Tag::TimeCreated,
            b"EventRecordID" => Tag::RecordId,
            b"Channel" => Tag::Channel,
            b"Computer" => Tag::Computer,
            b"Data" => Tag::Data,
            b"Binary" => Tag::Binary,
            _ => Tag::Other,
        }
    }
}

/// Reads an event's XML. Never fails: malformed or cut-off XML yields what could be read and
/// an `error` saying where it stopped.
pub fn read_event_xml(xml: &str) -> XmlEvent {
    let mut reader = Reader::from_str(xml);
    let mut state = State::default();
    loop {
        match reader.read_event() {
            Ok(XmlToken::Start(tag)) => state.open(&tag, false),
            Ok(XmlToken::Empty(tag)) => state.open(&tag, true),
            Ok(XmlToken::End(_)) => state.close(),
            Ok(XmlToken::Text(text)) if state.wants_text() => match text.xml10_content() {
                Ok(content) => state.text.push_str(&content),
                Err(_) => state.text.push_str(&String::from_utf8_lossy(&text)),
            },
            Ok(XmlToken::CData(data)) if state.wants_text() => state.text.push_str(&String::from_utf8_lossy(&data)),
            Ok(XmlToken::GeneralRef(reference)) if state.wants_text() => state.text.push_str(&resolve_reference(&reference)),
            Ok(XmlToken::Eof) => break,
            Ok(_) => {}
            Err(err) => {
                state.event.error = Some(format!("malformed XML at byte {}: {err}", reader.buffer_position()));
                break;
            }
        }
    }
    if state.event.error.is_none() && !state.stack.is_empty() {
        let open: Vec<String> = state.stack.iter().map(|(tag, _)| format!("{tag:?}")).collect();
        state.event.error = Some(format!("XML ends inside <{}>", open.join("><")));
    }
    state.event
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return c.to_string();
    }
    match reference.decode().as_deref() {
        Ok("lt") => "<".to_string(),
        Ok("gt") => ">".to_string(),
        Ok("amp") => "&".to_string(),
        Ok("quot") => "\"".to_string(),
        Ok("apos") => "'".to_string(),
        Ok(other) => format!("&{other};"),
        Err(_) => String::new(),
    }
}

/// Reading state: the open elements (with the UserData leaf name where one is needed), the
/// text of the innermost element, and the event so far.
#[derive(Default)]
struct State {
    event: XmlEvent,
    stack: Vec<(Tag, Option<Box<str>>)>,
    text: String,
    data_name: Option<Box<str>>,
    positional: usize,
}

impl State {
    /// The section (second level) the reader is in.
    fn section(&self) -> Tag {
        self.stack.get(1).map_or(Tag::Other, |(tag, _)| *tag)
    }

    fn wants_text(&self) -> bool {
        matches!(self.section(), Tag::System | Tag::EventData | Tag::UserData)
    }

    fn open(&mut self, start: &BytesStart<'_>, empty: bool) {
        let local = start.local_name();
        let tag = Tag::of(local.as_ref());
        self.text.clear();
        let section = if self.stack.len() == 1 { tag } else { self.section() };
        let leaf_name = (section == Tag::UserData && self.stack.len() >= 3)
            .then(|| String::from_utf8_lossy(local.as_ref()).into());
        self.stack.push((tag, leaf_name));
        match (section, tag) {
            (Tag::System, Tag::Provider) => self.event.provider = attribute(start, b"Name"),
            (Tag::System, Tag::TimeCreated) => {
                self.event.time_created = attribute(start, b"SystemTime").and_then(|t| t.parse().ok());
            }
            (Tag::EventData, Tag::Data) => self.data_name = attribute(start, b"Name").map(Into::into),
            _ => {}
        }
        if empty {
            self.close();
        }
    }

    fn close(&mut self) {
        let section = self.section();
        let Some((tag, leaf_name)) = self.stack.pop() else {
            return;
        };
        match section {
            Tag::System => self.close_system(tag),
            Tag::EventData => self.close_event_data(tag),
            Tag::UserData => {
                if let Some(name) = leaf_name {
                    self.event.fields.push(Field::new(name, self.text.as_str()));
                }
            }
            _ => {}
        }
        self.text.clear();
    }

    fn close_system(&mut self, tag: Tag) {
        let text = self.text.trim();
        match tag {
            Tag::EventId => self.event.event_id = text.parse().ok(),
            Tag::Level => self.event.level = text.parse().ok(),
            Tag::RecordId => self.event.record_id = text.parse().ok(),
            Tag::Channel if !text.is_empty() => self.event.channel = Some(text.to_string()),
            Tag::Computer if !text.is_empty() => self.event.computer = Some(text.to_string()),
            _ => {}
        }
    }

    fn close_event_data(&mut self, tag: Tag) {
        match tag {
            Tag::Data => {
                self.positional += 1;
                let name = self.data_name.take().unwrap_or_else(|| positional_name(self.positional));
                self.event.fields.push(Field::new(name, self.text.as_str()));
            }
            Tag::Binary => self.event.fields.push(Field::new("Binary", self.text.as_str())),
            _ => {}
        }
    }
}

fn positional_name(index: usize) -> Box<str> {
    format!("%{index}").into()
}

fn attribute(tag: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    let attr = tag.try_get_attribute(key).ok().flatten()?;
    attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::read_event_xml;
    use crate::model::Field;

    const SCM_7040: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager" Guid="{555908d1-a6d7-4695-8e1e-26931d2012f4}" EventSourceName="Service Control Manager"/><EventID Qualifiers="16384">7040</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords><TimeCreated SystemTime="2012-10-21T03:04:05.1234567Z"/><EventRecordID>4242</EventRecordID><Correlation/><Execution ProcessID="500" ThreadID="504"/><Channel>System</Channel><Computer>PC01</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="param1">Block Level Backup Engine Service</Data><Data Name="param2">demand start</Data><Data Name="param3">disabled</Data><Data Name="param4">wbengine</Data></EventData></Event>"#;

    #[test]
    fn reads_system_and_named_data() {
        let event = read_event_xml(SCM_7040);
        assert_eq!(event.provider.as_deref(), Some("Service Control Manager"));
        assert_eq!(event.event_id, Some(7040));
        assert_eq!(event.level, Some(4));
        assert_eq!(event.record_id, Some(4242));
        assert_eq!(event.channel.as_deref(), Some("System"));
        assert_eq!(event.computer.as_deref(), Some("PC01"));
        assert_eq!(event.time_created.map(|t| t.to_string()).as_deref(), Some("2012-10-21T03:04:05.1234567Z"));
        assert_eq!(event.fields[3], Field::new("param4", "wbengine"));
        assert_eq!(event.error, None);
    }

    #[test]
    fn unnamed_data_is_positional_and_entities_are_resolved() {
        let xml = r#"<Event><System><Provider Name="VSS"/><EventID Qualifiers="49152">8193</EventID><Level>2</Level></System><EventData><Data>Error calling a routine on a Shadow Copy Provider &amp; more</Data><Data/><Data>0x80070422, &#x30A8;</Data><Binary>2D20436F64</Binary></EventData></Event>"#;
        let event = read_event_xml(xml);
        assert_eq!(
            event.fields,
            vec![
                Field::new("%1", "Error calling a routine on a Shadow Copy Provider & more"),
                Field::new("%2", ""),
                Field::new("%3", "0x80070422, エ"),
                Field::new("Binary", "2D20436F64"),
            ]
        );
    }

    #[test]
    fn user_data_leaves_become_fields() {
        let xml = r#"<Event><System><Provider Name="Microsoft-Windows-Eventlog"/><EventID>104</EventID></System><UserData><LogFileCleared xmlns="x"><SubjectUserName>admin</SubjectUserName><Channel>System</Channel></LogFileCleared></UserData></Event>"#;
        let event = read_event_xml(xml);
        assert_eq!(event.fields, vec![Field::new("SubjectUserName", "admin"), Field::new("Channel", "System")]);
    }

    #[test]
    fn cut_off_xml_keeps_what_came_before() {
        let cut = &SCM_7040[..SCM_7040.find("<Data Name=\"param3\"").expect("marker")];
        let event = read_event_xml(cut);
        assert_eq!(event.event_id, Some(7040));
        assert_eq!(event.fields.len(), 2);
        assert!(event.error.as_deref().is_some_and(|e| e.contains("ends inside")));
    }
}
