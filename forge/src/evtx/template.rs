//! The template every event is written with: the System element as Windows lays it out
//! (provider attributes as literals, everything else substituted) and the EventData part, and
//! the substitution values of one record.
//!
//! Value indexes: 0 Level, 1 Opcode, 2 Task, 3 EventID, 4 Qualifiers, 5 Keywords, 6 SystemTime,
//! 7 ProcessID, 8 ThreadID, 9 EventRecordID, 10 Version, 11 UserID, 12 Channel, 13 Computer,
//! then one per `<Data>`, then `<Binary>`.

use super::binxml::{TokenWriter, ValueType};
use super::chunk::filetime;
use super::event::{EventData, EvtxEvent};

const FIRST_DATA: u16 = 14;
const EVENT_NAMESPACE: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// The shape of an event's template: events with the same key share a definition.
pub fn template_key(event: &EvtxEvent) -> String {
    let p = &event.provider;
    let names: Vec<&str> = event
        .data
        .data
        .iter()
        .map(|(n, _)| n.as_deref().unwrap_or("#"))
        .collect();
    let data = format!(
        "{}{}",
        names.join("\u{1f}"),
        if event.data.binary.is_some() { "+b" } else { "" }
    );
    format!(
        "{}\u{1e}{}\u{1e}{}\u{1e}{}\u{1e}{}\u{1e}{data}",
        p.name,
        p.guid.as_deref().unwrap_or(""),
        p.event_source_name.as_deref().unwrap_or(""),
        u8::from(event.qualifiers.is_some()),
        u8::from(event.user_sid.is_some()),
    )
}

/// Writes the template body: fragment header, the `<Event>` element, end of stream.
pub fn write_template_body(w: &mut TokenWriter<'_>, event: &EvtxEvent) {
    w.buf.extend_from_slice(&[0x0f, 0x01, 0x01, 0x00]);
    let root = w.open("Event", true);
    w.attribute("xmlns", true);
    w.text(EVENT_NAMESPACE);
    w.close_start(root);
    let system = w.open("System", false);
    w.close_start(system);
    provider(w, event);
    event_id(w, event);
    w.simple("Version", 10, ValueType::UInt8);
    w.simple("Level", 0, ValueType::UInt8);
    w.simple("Task", 2, ValueType::UInt16);
    w.simple("Opcode", 1, ValueType::UInt8);
    w.simple("Keywords", 5, ValueType::HexInt64);
    empty_with(w, "TimeCreated", &[("SystemTime", 6, ValueType::FileTime)]);
    w.simple("EventRecordID", 9, ValueType::UInt64);
    let correlation = w.open("Correlation", false);
    w.close_empty(correlation);
    empty_with(
        w,
        "Execution",
        &[("ProcessID", 7, ValueType::UInt32), ("ThreadID", 8, ValueType::UInt32)],
    );
    w.simple("Channel", 12, ValueType::String);
    w.simple("Computer", 13, ValueType::String);
    if event.user_sid.is_some() {
        empty_with(w, "Security", &[("UserID", 11, ValueType::Sid)]);
    } else {
        let security = w.open("Security", false);
        w.close_empty(security);
    }
    w.end(system);
    event_data(w, &event.data);
    w.end(root);
    w.buf.push(0x00);
}

fn provider(w: &mut TokenWriter<'_>, event: &EvtxEvent) {
    let p = &event.provider;
    let mut attributes: Vec<(&str, &str)> = vec![("Name", &p.name)];
    if let Some(guid) = &p.guid {
        attributes.push(("Guid", guid));
    }
    if let Some(source) = &p.event_source_name {
        attributes.push(("EventSourceName", source));
    }
    let open = w.open("Provider", true);
    for (i, (name, value)) in attributes.iter().enumerate() {
        w.attribute(name, i + 1 == attributes.len());
        w.text(value);
    }
    w.close_empty(open);
}

fn event_id(w: &mut TokenWriter<'_>, event: &EvtxEvent) {
    if event.qualifiers.is_none() {
        w.simple("EventID", 3, ValueType::UInt16);
        return;
    }
    let open = w.open("EventID", true);
    w.attribute("Qualifiers", true);
    w.substitution(4, ValueType::UInt16);
    w.close_start(open);
    w.substitution(3, ValueType::UInt16);
    w.end(open);
}

fn empty_with(w: &mut TokenWriter<'_>, name: &str, attributes: &[(&str, u16, ValueType)]) {
    let open = w.open(name, true);
    for (i, (attribute, index, kind)) in attributes.iter().enumerate() {
        w.attribute(attribute, i + 1 == attributes.len());
        w.substitution(*index, *kind);
    }
    w.close_empty(open);
}

fn event_data(w: &mut TokenWriter<'_>, data: &EventData) {
    let data_element = w.open("EventData", false);
    w.close_start(data_element);
    let mut index = FIRST_DATA;
    for (name, _) in &data.data {
        match name {
            Some(name) => {
                let open = w.open("Data", true);
                w.attribute("Name", true);
                w.text(name);
                w.close_start(open);
                w.substitution(index, ValueType::String);
                w.end(open);
            }
            None => w.simple("Data", index, ValueType::String),
        }
        index += 1;
    }
    if data.binary.is_some() {
        w.simple("Binary", index, ValueType::Binary);
    }
    w.end(data_element);
}

/// Writes the substitution values of one record: count, descriptors, values.
pub fn write_values(buf: &mut Vec<u8>, record_id: u64, event: &EvtxEvent) {
    let mut values: Vec<(ValueType, Vec<u8>)> = vec![
        (ValueType::UInt8, vec![event.level]),
        (ValueType::UInt8, vec![event.opcode]),
        (ValueType::UInt16, event.task.to_le_bytes().to_vec()),
        (ValueType::UInt16, event.event_id.to_le_bytes().to_vec()),
        match event.qualifiers {
            Some(q) => (ValueType::UInt16, q.to_le_bytes().to_vec()),
            None => (ValueType::Null, Vec::new()),
        },
        (ValueType::HexInt64, event.keywords.to_le_bytes().to_vec()),
        (ValueType::FileTime, filetime(event.time).to_le_bytes().to_vec()),
        (ValueType::UInt32, event.process_id.to_le_bytes().to_vec()),
        (ValueType::UInt32, event.thread_id.to_le_bytes().to_vec()),
        (ValueType::UInt64, record_id.to_le_bytes().to_vec()),
        (ValueType::UInt8, vec![event.version]),
        match event.user_sid.as_deref().and_then(sid_bytes) {
            Some(sid) => (ValueType::Sid, sid),
            None => (ValueType::Null, Vec::new()),
        },
        (ValueType::String, utf16(&event.channel)),
        (ValueType::String, utf16(&event.computer)),
    ];
    values.extend(event.data.data.iter().map(|(_, v)| (ValueType::String, utf16(v))));
    if let Some(binary) = &event.data.binary {
        values.push((ValueType::Binary, binary.clone()));
    }
    buf.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for (kind, bytes) in &values {
        buf.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
        buf.push(*kind as u8);
        buf.push(0);
    }
    for (_, bytes) in values {
        buf.extend_from_slice(&bytes);
    }
}

/// UTF-16LE without terminator; NULs (which would end the string early) are dropped and the
/// value is cut to what a 16-bit size can hold.
fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16()
        .filter(|u| *u != 0)
        .take(32_000)
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// `S-1-5-21-1-2-3-1001` as a binary SID.
pub fn sid_bytes(sid: &str) -> Option<Vec<u8>> {
    let mut parts = sid.strip_prefix("S-")?.split('-');
    let revision: u8 = parts.next()?.parse().ok()?;
    let authority: u64 = parts.next()?.parse().ok()?;
    let subs: Vec<u32> = parts.map(str::parse).collect::<Result<_, _>>().ok()?;
    let mut out = vec![revision, u8::try_from(subs.len()).ok()?];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in subs {
        out.extend_from_slice(&sub.to_le_bytes());
    }
    Some(out)
}
