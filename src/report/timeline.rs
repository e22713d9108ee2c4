//! The `timeline` report: one line per event, as an aligned table or as JSON Lines.

use std::io::{self, Write};

use jiff::tz::TimeZone;
use rayon::prelude::{ParallelIterator, ParallelSlice};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::model::{Event, Fields, Location, TimeKeys};

use super::layout::{clip, Layout, Paint};
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

/// Widths of the fixed columns (the message takes the rest of the line and wraps under itself).
#[derive(Debug, Clone, Copy)]
struct Columns {
    time: usize,
    source: usize,
    /// Where the message column starts; 0 when the line is too narrow and the message goes on
    /// lines of its own below.
    message: usize,
}

/// Narrowest message column worth keeping beside the others.
const MIN_MESSAGE: usize = 28;

impl Columns {
    fn fit(width: usize, time: usize) -> Columns {
        let source = if width >= 110 { 24 } else { 16 };
        // time, level (8), source, id (5), with two spaces after each.
        let fixed = time + 2 + 8 + 2 + source + 2 + 5 + 2;
        let message = if width >= fixed + MIN_MESSAGE { fixed } else { 0 };
        Columns { time, source, message }
    }
}

/// Writes one row per event: time, level, source, id, then the message (as Event Viewer shows
/// it, with where it was read), wrapped to the layout's width.
pub fn write_table(events: &[&Event], zone: Option<&TimeZone>, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    // As wide as the widest time shown (`(local)`, `(day/month?)` and zones widen it).
    let time_width = events
        .iter()
        .map(|e| times::for_table(&e.time, zone).chars().count())
        .max()
        .unwrap_or(20);
    let columns = Columns::fit(layout.width, time_width.max(4));
    let header = format!(
        "{:<time$}  {:<8}  {:<source$}  {:>5}  MESSAGE [WHERE]",
        "TIME",
        "LEVEL",
        "SOURCE",
        "ID",
        time = columns.time,
        source = columns.source
    );
    writeln!(out, "{}", layout.paint(Paint::Heading, &header))?;
    write_parallel(events, out, |chunk, buf| table_rows(chunk, zone, layout, columns, buf))
}

fn table_rows(
    events: &[&Event],
    zone: Option<&TimeZone>,
    layout: &Layout,
    columns: Columns,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    for event in events {
        let id = event.event_id.map(|id| id.to_string()).unwrap_or_default();
        let level = event.level.as_str();
        let paint = match event.level {
            crate::model::Level::Critical | crate::model::Level::Error => Paint::Bad,
            crate::model::Level::Warning => Paint::Warn,
            _ => Paint::Dim,
        };
        let head = format!(
            "{:<time$}  {}  {:<source$}  {:>5}  ",
            times::for_table(&event.time, zone),
            layout.paint(paint, &format!("{level:<8}")),
            clip(short_provider(&event.provider), columns.source),
            id,
            time = columns.time,
            source = columns.source
        );
        let text = format!("{}  [{}]", summary(event), event.origin);
        if columns.message == 0 {
            writeln!(out, "{}", head.trim_end())?;
            writeln!(out, "{}", layout.wrap("    ", 4, &text))?;
        } else {
            // The head's colour codes take no columns: wrap as if it were plain.
            let plain = " ".repeat(columns.message);
            let wrapped = layout.wrap(&plain, columns.message, &text);
            writeln!(out, "{head}{}", wrapped.get(columns.message..).unwrap_or_default())?;
        }
    }
    Ok(())
}

/// `Microsoft-Windows-Kernel-General` reads `Kernel-General` in a narrow column.
fn short_provider(provider: &str) -> &str {
    provider.strip_prefix("Microsoft-Windows-").unwrap_or(provider)
}

/// The message as Event Viewer shows it, or the fields as `name=value`.
fn summary(event: &Event) -> String {
    let text = crate::model::messages::one_line(event, " ");
    clip(&text, SUMMARY_CHARS)
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

/// Writes the timeline as CSV (RFC 4180: a header row, every field quoted when it must be):
/// time, local_time, clock, source, file, place, provider, event_id, level, channel, computer,
/// message, fields (a JSON object), certainty.
pub fn write_csv(events: &[&Event], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "time,local_time,clock,source,file,place,provider,event_id,level,channel,computer,message,fields,certainty"
    )?;
    for e in events {
        let place = match e.origin.location {
            Location::Record(id) => format!("#{id}"),
            Location::Line(line) => format!(":{line}"),
        };
        let fields = serde_json::to_string(&FieldMap(&e.fields)).unwrap_or_default();
        let row = [
            e.time.reliable_utc().map(|t| t.to_string()).unwrap_or_default(),
            e.time.local_text().unwrap_or_default(),
            e.time.clock_name().to_string(),
            e.source.as_str().to_string(),
            e.origin.file.to_string(),
            place,
            e.provider.to_string(),
            e.event_id.map(|id| id.to_string()).unwrap_or_default(),
            e.level.as_str().to_string(),
            e.channel.as_deref().unwrap_or_default().to_string(),
            e.computer.as_deref().unwrap_or_default().to_string(),
            summary(e),
            fields,
            serde_json::to_value(e.certainty)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ];
        let quoted: Vec<String> = row.iter().map(|v| csv_field(v)).collect();
        writeln!(out, "{}", quoted.join(","))?;
    }
    Ok(())
}

/// A CSV field, quoted when it holds a comma, a quote or a line break. A field a spreadsheet
/// would run as a formula (starting `=`, `+`, `-`, `@`) gets a leading `'`, as OWASP advises
/// against CSV injection: log text comes from the inspected machine.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Writes the timeline as Timesketch imports JSON Lines: the three fields it requires
/// (`message`, `datetime` in ISO 8601 with its offset, `timestamp_desc`), `timestamp` in
/// microseconds, and the event's fields as attributes. A local time with no known offset is
/// exported at its wall-clock reading taken as UTC, and its `clock: local-unanchored` says so.
pub fn write_timesketch(events: &[&Event], out: &mut dyn Write) -> io::Result<()> {
    use serde_json::Value;
    for e in events {
        let at = e.time.sort_key();
        let id = e.event_id.map(|i| format!(" {i}")).unwrap_or_default();
        let description = match e.source {
            crate::model::SourceKind::Evtx => "Event Recorded",
            crate::model::SourceKind::Paste => "Event Pasted",
            crate::model::SourceKind::Notes => "Reported by User",
            _ => "Log Line Written",
        };
        let mut object = serde_json::Map::new();
        let mut put = |key: &str, value: Value| {
            object.entry(key.to_string()).or_insert(value);
        };
        put("message", Value::from(format!("{}{id}: {}", e.provider, summary(e))));
        put("datetime", Value::from(at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()));
        put("timestamp", Value::from(at.as_microsecond()));
        put("timestamp_desc", Value::from(description));
        put("clock", Value::from(e.time.clock_name()));
        put("source", Value::from(e.source.as_str()));
        put("file", Value::from(e.origin.to_string()));
        put("provider", Value::from(e.provider.to_string()));
        if let Some(id) = e.event_id {
            put("event_id", Value::from(id));
        }
        put("level", Value::from(e.level.as_str()));
        if let Some(computer) = e.computer.as_deref() {
            put("computer", Value::from(computer));
        }
        for (name, value) in e.fields.iter().filter(|(name, _)| *name != "Binary") {
            put(name, Value::from(value.to_string()));
        }
        serde_json::to_writer(&mut *out, &object)?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_never_run_as_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
