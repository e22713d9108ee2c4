//! The `timeline` report: one line per event, as an aligned table or as JSON Lines.

use std::io::{self, Write};

use jiff::tz::TimeZone;
use rayon::prelude::{ParallelIterator, ParallelSlice};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::model::{Event, Fields, Location, TimeKeys};

use super::times;

/// Longest summary shown in a table row.
const SUMMARY_CHARS: usize = 160;

/// Events rendered per parallel task.
const RENDER_CHUNK: usize = 4096;

/// Renders events on all cores in order-preserving chunks and writes them in timeline order,
/// a bounded batch at a time so the output is never held in memory whole.
fn write_parallel(
    events: &[&Event],
    out: &mut dyn Write,
    render: impl Fn(&[&Event], &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let batch = RENDER_CHUNK * rayon::current_num_threads().max(1) * 4;
    for events in events.chunks(batch) {
        let rendered: Vec<io::Result<Vec<u8>>> = events
            .par_chunks(RENDER_CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 512);
                render(chunk, &mut buf).map(|()| buf)
            })
            .collect();
        for buf in rendered {
            out.write_all(&buf?)?;
        }
    }
    Ok(())
}

/// Writes one aligned line per event.
pub fn write_table(events: &[&Event], zone: Option<&TimeZone>, out: &mut dyn Write) -> io::Result<()> {
    write_parallel(events, out, |chunk, buf| table_rows(chunk, zone, buf))
}

fn table_rows(events: &[&Event], zone: Option<&TimeZone>, out: &mut Vec<u8>) -> io::Result<()> {
    for event in events {
        let id = event.event_id.map(|id| id.to_string()).unwrap_or_default();
        let channel = event.channel.as_deref().unwrap_or(event.source.as_str());
        writeln!(
            out,
            "{:<25} {:<8} {:<12} {:<32} {:>5}  {}  [{}]",
            times::for_table(&event.time, zone),
            event.level.as_str(),
            truncate(channel, 12),
            truncate(&event.provider, 32),
            id,
            summary(event),
            event.origin
        )?;
    }
    Ok(())
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The message's first line, or the fields as `name=value`.
fn summary(event: &Event) -> String {
    let text = match &event.message {
        Some(message) => message.lines().next().unwrap_or_default().trim().replace('\t', " "),
        None => event
            .fields
            .iter()
            .filter(|(name, value)| !value.is_empty() && *name != "Binary")
            .map(|(name, value)| format!("{name}={}", value.replace(['\r', '\n'], " ")))
            .collect::<Vec<_>>()
            .join(" "),
    };
    truncate(&text, SUMMARY_CHARS)
}

/// The schema name and version every JSON Lines object of `timeline` carries.
pub const SCHEMA: &str = "backupdiag.timeline/2";

/// Writes one JSON object per event, one per line.
pub fn write_jsonl(events: &[&Event], out: &mut dyn Write) -> io::Result<()> {
    write_parallel(events, out, |chunk, buf| {
        for event in chunk {
            serde_json::to_writer(&mut *buf, &JsonEvent(event))?;
            buf.push(b'\n');
        }
        Ok(())
    })
}

/// The JSON form of an event (see README "Timeline JSON Lines").
struct JsonEvent<'a>(&'a Event);

impl Serialize for JsonEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("schema", SCHEMA)?;
        TimeKeys(Some(&e.time)).write(&mut map)?;
        map.serialize_entry("source", e.source.as_str())?;
        map.serialize_entry("file", &*e.origin.file)?;
        match e.origin.location {
            Location::Record(id) => map.serialize_entry("record", &id)?,
            Location::Line(line) => map.serialize_entry("line", &line)?,
        }
        map.serialize_entry("provider", &*e.provider)?;
        map.serialize_entry("event_id", &e.event_id)?;
        map.serialize_entry("level", e.level.as_str())?;
        map.serialize_entry("channel", &e.channel.as_deref())?;
        map.serialize_entry("computer", &e.computer.as_deref())?;
        map.serialize_entry("fields", &FieldMap(&e.fields))?;
        map.serialize_entry("message", &e.message.as_deref())?;
        map.serialize_entry("certainty", &e.certainty)?;
        map.serialize_entry("fields_from", &e.fields_from)?;
        map.end()
    }
}

/// Fields as a JSON object in source order; a repeated name holds an array of its values.
struct FieldMap<'a>(&'a Fields);

impl Serialize for FieldMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (index, (name, value)) in self.0.iter().enumerate() {
            if self.0.iter().take(index).any(|(earlier, _)| earlier == name) {
                continue;
            }
            if self.0.get_all(name).nth(1).is_some() {
                map.serialize_entry(name, &self.0.get_all(name).collect::<Vec<_>>())?;
            } else {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}
