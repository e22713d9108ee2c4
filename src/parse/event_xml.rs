//! Reads the XML form of one Windows event (`<Event><System>...<EventData>...`) into its
//! parts. evtx records are rendered to this XML by the `evtx` crate; pasted `wevtutil /f:xml`
//! text will come through the same reader, so one event means the same from both.

use std::borrow::Cow;

use jiff::Timestamp;
use quick_xml::events::{BytesStart, Event as XmlToken};
use quick_xml::Reader;

use std::sync::Arc;

use crate::model::{Certainty, Event, EventTime, Fields, FieldsFrom, Interner, Level, Origin, SourceKind};

/// The parts of one event's XML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlEvent {
    /// `Provider/@Name`.
    pub provider: Option<Arc<str>>,
    /// `EventID` text.
    pub event_id: Option<u32>,
    /// `Level` text.
    pub level: Option<u8>,
    /// `TimeCreated/@SystemTime`.
    pub time_created: Option<Timestamp>,
    /// `EventRecordID` text.
    pub record_id: Option<u64>,
    /// `Channel` text.
    pub channel: Option<Arc<str>>,
    /// `Computer` text.
    pub computer: Option<Arc<str>>,
    /// `EventData/Data` (named, or `%1`, `%2`... by position), `EventData/Binary`, and the leaf
    /// elements of `UserData`.
    pub fields: Fields,
    /// Set when the XML ended early or was malformed; what came before is kept.
    pub error: Option<String>,
}

impl XmlEvent {
    /// The model event these parts make, at `time` and `origin`: how it was read (`source`,
    /// `certainty`, `fields_from`) is the caller's to say.
    pub fn into_event(
        self,
        time: EventTime,
        origin: Origin,
        source: SourceKind,
        certainty: Certainty,
        fields_from: FieldsFrom,
    ) -> Event {
        Event {
            time,
            origin,
            source,
            provider: self.provider.unwrap_or_else(|| Arc::from("")),
            event_id: self.event_id,
            level: self.level.map_or(Level::Other, Level::from_evtx),
            channel: self.channel,
            computer: self.computer,
            fields: self.fields,
            message: None,
            certainty,
            fields_from,
        }
    }
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
pub fn read_event_xml(xml: &str, interner: &mut Interner) -> XmlEvent {
    let mut reader = Reader::from_str(xml);
    let mut state = State {
        interner,
        event: XmlEvent::default(),
        stack: Vec::with_capacity(8),
        text: String::new(),
        data_name: None,
        positional: 0,
    };
    loop {
        match reader.read_event() {
            Ok(XmlToken::Start(tag)) => state.open(&tag, false),
            Ok(XmlToken::Empty(tag)) => state.open(&tag, true),
            Ok(XmlToken::End(_)) => state.close(),
            // Raw text, not XML-normalized: event data keeps its CRLFs as Windows recorded them.
            Ok(XmlToken::Text(text)) if state.wants_text() => match text.decode() {
                Ok(content) => state.text.push_str(&content),
                Err(_) => state.text.push_str(&String::from_utf8_lossy(&text)),
            },
            Ok(XmlToken::CData(data)) if state.wants_text() => state.text.push_str(&String::from_utf8_lossy(&data)),
            Ok(XmlToken::GeneralRef(reference)) if state.wants_text() => {
                state.text.push_str(&resolve_reference(&reference))
            }
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
struct State<'i> {
    interner: &'i mut Interner,
    event: XmlEvent,
    stack: Vec<(Tag, Option<Box<str>>)>,
    text: String,
    data_name: Option<String>,
    positional: usize,
}

impl State<'_> {
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
        let leaf_name =
            (section == Tag::UserData && self.stack.len() >= 3).then(|| String::from_utf8_lossy(local.as_ref()).into());
        self.stack.push((tag, leaf_name));
        match (section, tag) {
            (Tag::System, Tag::Provider) => {
                let interner = &mut *self.interner;
                self.event.provider = with_attribute(start, b"Name", |name| interner.get(name));
            }
            (Tag::System, Tag::TimeCreated) => {
                self.event.time_created = with_attribute(start, b"SystemTime", |t| t.parse().ok()).flatten();
            }
            (Tag::EventData, Tag::Data) => self.data_name = with_attribute(start, b"Name", str::to_string),
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
                    self.event.fields.push(&name, &self.text);
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
            Tag::Channel if !text.is_empty() => self.event.channel = Some(self.interner.get(text)),
            Tag::Computer if !text.is_empty() => self.event.computer = Some(self.interner.get(text)),
            _ => {}
        }
    }

    fn close_event_data(&mut self, tag: Tag) {
        match tag {
            Tag::Data => {
                self.positional += 1;
                match self.data_name.take() {
                    Some(name) => self.event.fields.push(&name, &self.text),
                    None => self.event.fields.push(&positional_name(self.positional), &self.text),
                }
            }
            Tag::Binary => self.event.fields.push("Binary", &self.text),
            _ => {}
        }
    }
}

/// `%1`, `%2`, ... without allocating for the common counts.
fn positional_name(index: usize) -> Cow<'static, str> {
    const NAMES: [&str; 16] = [
        "%0", "%1", "%2", "%3", "%4", "%5", "%6", "%7", "%8", "%9", "%10", "%11", "%12", "%13", "%14", "%15",
    ];
    NAMES
        .get(index)
        .map_or_else(|| Cow::Owned(format!("%{index}")), |n| Cow::Borrowed(*n))
}

/// Calls `f` with the unescaped value of attribute `key`, when the tag has it.
fn with_attribute<R>(tag: &BytesStart<'_>, key: &[u8], f: impl FnOnce(&str) -> R) -> Option<R> {
    let attr = tag.try_get_attribute(key).ok().flatten()?;
    let value = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()?;
    Some(f(&value))
}

#[cfg(test)]
mod tests {
    use super::{read_event_xml, XmlEvent};
    use crate::model::Interner;

    fn read(xml: &str) -> XmlEvent {
        read_event_xml(xml, &mut Interner::default())
    }

    fn pairs(event: &XmlEvent) -> Vec<(&str, &str)> {
        event.fields.iter().collect()
    }

    const SCM_7040: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager" Guid="{555908d1-a6d7-4695-8e1e-26931d2012f4}" EventSourceName="Service Control Manager"/><EventID Qualifiers="16384">7040</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords><TimeCreated SystemTime="2012-10-21T03:04:05.1234567Z"/><EventRecordID>4242</EventRecordID><Correlation/><Execution ProcessID="500" ThreadID="504"/><Channel>System</Channel><Computer>PC01</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="param1">Block Level Backup Engine Service</Data><Data Name="param2">demand start</Data><Data Name="param3">disabled</Data><Data Name="param4">wbengine</Data></EventData></Event>"#;

    #[test]
    fn reads_system_and_named_data() {
        let event = read(SCM_7040);
        assert_eq!(event.provider.as_deref(), Some("Service Control Manager"));
        assert_eq!(event.event_id, Some(7040));
        assert_eq!(event.level, Some(4));
        assert_eq!(event.record_id, Some(4242));
        assert_eq!(event.channel.as_deref(), Some("System"));
        assert_eq!(event.computer.as_deref(), Some("PC01"));
        assert_eq!(
            event.time_created.map(|t| t.to_string()).as_deref(),
            Some("2012-10-21T03:04:05.1234567Z")
        );
        assert_eq!(pairs(&event)[3], ("param4", "wbengine"));
        assert_eq!(event.error, None);
    }

    #[test]
    fn unnamed_data_is_positional_and_entities_are_resolved() {
        let xml = r#"<Event><System><Provider Name="VSS"/><EventID Qualifiers="49152">8193</EventID><Level>2</Level></System><EventData><Data>Error calling a routine on a Shadow Copy Provider &amp; more</Data><Data/><Data>0x80070422, &#x30A8;</Data><Binary>2D20436F64</Binary></EventData></Event>"#;
        let event = read(xml);
        assert_eq!(
            pairs(&event),
            [
                ("%1", "Error calling a routine on a Shadow Copy Provider & more"),
                ("%2", ""),
                ("%3", "0x80070422, エ"),
                ("Binary", "2D20436F64"),
            ]
        );
    }

    #[test]
    fn user_data_leaves_become_fields() {
        let xml = r#"<Event><System><Provider Name="Microsoft-Windows-Eventlog"/><EventID>104</EventID></System><UserData><LogFileCleared xmlns="x"><SubjectUserName>admin</SubjectUserName><Channel>System</Channel></LogFileCleared></UserData></Event>"#;
        let event = read(xml);
        assert_eq!(pairs(&event), [("SubjectUserName", "admin"), ("Channel", "System")]);
    }

    #[test]
    fn cut_off_xml_keeps_what_came_before() {
        let cut = &SCM_7040[..SCM_7040.find("<Data Name=\"param3\"").expect("marker")];
        let event = read(cut);
        assert_eq!(event.event_id, Some(7040));
        assert_eq!(event.fields.len(), 2);
        assert!(event.error.as_deref().is_some_and(|e| e.contains("ends inside")));
    }
}
