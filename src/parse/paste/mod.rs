//! Reads what users paste into tickets: Event Viewer copies (English and Japanese), event XML
//! (whole or cut off), `wevtutil` text, the Windows 2003 layout, compact summaries, saved `sfc`
//! and `dism` console output, the user's own dated notes, and, from any other text, only what
//! can be recognised for sure. Pasted events become events of the same model as evtx records,
//! marked with their certainty; nothing is dropped silently (unread lines are counted and named).

mod blocks;
mod console;
mod dates;
mod friendly;
mod labels;
mod mentions;
mod notes;
pub mod phrases;
mod statements;

use std::sync::Arc;

use crate::input::encoding::Decoded;
use crate::model::{
    Certainty, Event, EventTime, Fact, FactKind, Fields, FieldsFrom, Interner, Level, Location, Notice, Origin,
    Precision, Severity, SourceKind,
};

use super::event_xml::read_event_xml;
use super::ParsedFile;

pub use blocks::Shape;
pub(crate) use dates::parse as parse_date;

/// Reads a pasted text; `None` when nothing in it can be recognised.
pub fn parse(path: &Arc<str>, size: u64, decoded: &Decoded<'_>) -> Option<ParsedFile> {
    let text = decoded.text.trim_start_matches('\u{feff}');
    if notes::looks_like(text) {
        return Some(read_notes(path, size, decoded, text));
    }
    if friendly::looks_like(text) {
        return Some(read_friendly(path, size, decoded, text));
    }
    let (read, stray) = if console::looks_like(text) {
        (Some(read_console(path, size, decoded, text)), None)
    } else {
        let (found, stray) = blocks::split(text);
        if found.is_empty() {
            let identified = read_messages(path, size, decoded, text);
            let mentions = mentions::find(text);
            let read = if identified.records > 0 {
                Some(identified)
            } else {
                (!mentions.is_empty()).then(|| read_mentions(path, size, decoded, text, mentions))
            };
            (read, None)
        } else {
            let read = read_events(path, size, decoded, found, &stray);
            (Some(read), Some(stray))
        }
    };
    // Runs stated in words, and facts about volumes, outside any pasted event.
    let allowed = |line: u64| stray.as_ref().is_none_or(|s| s.binary_search(&line).is_ok());
    let stated = statements::find(text, allowed);
    let mentioned = read
        .as_ref()
        .is_some_and(|r| r.facts.iter().any(|f| matches!(f.kind, FactKind::Mention { .. })));
    let notable = if mentioned {
        Vec::new()
    } else {
        mentions::notable(text, allowed)
    };
    if stated.is_empty() && notable.is_empty() {
        return read;
    }
    let mut parsed = read.unwrap_or_else(|| ParsedFile::new_text(path, size, Some(SourceKind::Text), decoded));
    for (what, value, line) in notable {
        parsed.facts.push(Fact {
            origin: origin(path, line),
            kind: FactKind::Mention {
                what: what.to_string(),
                value,
            },
        });
        parsed.records += 1;
    }
    if !stated.is_empty() {
        parsed.shapes.push(format!("backup statement x{}", stated.len()));
    }
    parsed.records += stated.len();
    for statement in stated {
        parsed.facts.push(Fact {
            origin: origin(path, statement.line),
            kind: FactKind::BackupStatement {
                failed: statement.failed,
                code: statement.code,
                inner: statement.inner,
                text: statement.text,
            },
        });
    }
    Some(parsed)
}

/// Paragraphs that are the message of a known event, pasted without any header.
fn read_messages(path: &Arc<str>, size: u64, decoded: &Decoded<'_>, text: &str) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(path, size, Some(SourceKind::Paste), decoded);
    let mut unread = 0;
    let mut line = 1u64;
    for paragraph in text.split("\n\n").flat_map(|p| p.split("\r\n\r\n")) {
        let start = line;
        line += paragraph.matches('\n').count() as u64 + 2;
        if paragraph.trim().is_empty() {
            continue;
        }
        match crate::model::messages::identify(paragraph) {
            Some((provider, event_id, fields)) => parsed.events.push(Event {
                time: EventTime::Unknown,
                origin: origin(path, start),
                source: SourceKind::Paste,
                provider: Arc::from(provider),
                event_id: Some(event_id),
                level: Level::Other,
                channel: None,
                computer: None,
                fields,
                message: Some(paragraph.trim().into()),
                certainty: Certainty::Inferred,
                fields_from: FieldsFrom::MessageTemplate,
            }),
            None => unread += 1,
        }
    }
    parsed.records = parsed.events.len();
    parsed.shapes = vec![format!("message-text-only x{}", parsed.records)];
    if unread > 0 && parsed.records > 0 {
        let reason = format!("{unread} paragraph(s) match no known event message and were not read");
        parsed.notices.push(Notice::new(Severity::Note, &**path, reason));
    }
    parsed
}

fn origin(path: &Arc<str>, line: u64) -> Origin {
    Origin {
        file: Arc::clone(path),
        location: Location::Line(line),
    }
}

fn read_events(
    path: &Arc<str>,
    size: u64,
    decoded: &Decoded<'_>,
    found: Vec<blocks::Block>,
    stray: &[u64],
) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(path, size, Some(SourceKind::Paste), decoded);
    let mut interner = Interner::default();
    let mut shapes: Vec<(Shape, usize)> = Vec::new();
    for block in found {
        let shape = block.shape.unwrap_or(Shape::EventViewerText);
        match shapes.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, n)) => *n += 1,
            None => shapes.push((shape, 1)),
        }
        match to_event(path, &block, &mut interner) {
            Ok((event, note)) => {
                parsed.events.push(event);
                if let Some(note) = note {
                    parsed
                        .notices
                        .push(Notice::new(Severity::Note, &**path, note).at(format!("line {}", block.line)));
                }
            }
            Err(mention) => parsed.facts.push(Fact {
                origin: origin(path, block.line),
                kind: *mention,
            }),
        }
    }
    parsed.shapes = shapes.iter().map(|(s, n)| format!("{} x{n}", s.as_str())).collect();
    parsed.records = parsed.events.len() + parsed.facts.len();
    if !stray.is_empty() {
        let reason = format!(
            "{} line(s) are not part of any event and were not read: {}",
            stray.len(),
            ranges(stray)
        );
        parsed.notices.push(Notice::new(Severity::Note, &**path, reason));
    }
    parsed
}

/// `3, 7-9, 12` (at most ten ranges).
fn ranges(lines: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut start = lines[0];
    let mut end = start;
    for &line in &lines[1..] {
        if line == end + 1 {
            end = line;
            continue;
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        start = line;
        end = line;
    }
    out.push(if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    });
    if out.len() > 10 {
        let more = out.len() - 10;
        out.truncate(10);
        out.push(format!("and {more} more"));
    }
    out.join(", ")
}

/// An event from a block (without a time when the block gives no date), or, when the block
/// names no event at all, a mention.
fn to_event(
    path: &Arc<str>,
    block: &blocks::Block,
    interner: &mut Interner,
) -> Result<(Event, Option<String>), Box<FactKind>> {
    use labels::Label;
    let xml = (!block.xml.is_empty()).then(|| read_event_xml(&block.xml, interner));
    let note = xml
        .as_ref()
        .and_then(|x| x.error.clone())
        .map(|e| format!("pasted event XML is incomplete ({e}); what came before was read"));
    let provider = xml
        .as_ref()
        .and_then(|x| x.provider.as_deref().map(str::to_string))
        .or_else(|| block.get(Label::Source).map(labels::provider))
        .unwrap_or_default();
    let event_id = xml
        .as_ref()
        .and_then(|x| x.event_id)
        .or_else(|| block.get(Label::EventId).and_then(|v| v.trim().parse().ok()));
    let message = block.description.join("\n").trim().to_string();
    let mut fields = xml
        .as_ref()
        .map(|x| x.fields.clone())
        .filter(|f| !f.is_empty())
        .unwrap_or_default();
    // Where the fields came from, so a reader knows how far to trust them.
    let mut from = if fields.is_empty() {
        FieldsFrom::Labels
    } else {
        FieldsFrom::Xml
    };
    if fields.is_empty() {
        if let Some(extracted) = event_id.and_then(|id| crate::model::messages::extract(&provider, id, &message)) {
            fields = extracted;
            from = FieldsFrom::MessageTemplate;
        }
    }
    let time = match xml.as_ref().and_then(|x| x.time_created) {
        Some(utc) => EventTime::recorded_utc(utc),
        None => {
            let stamp = match (block.get(Label::Date), block.get(Label::Time)) {
                (Some(date), Some(time)) => format!("{date} {time}"),
                (Some(date), None) => date.to_string(),
                _ => String::new(),
            };
            match dates::parse(&stamp) {
                Some(date) => EventTime::Local {
                    local: date.local,
                    utc: None,
                    precision: Precision::Second,
                    ambiguous: date.ambiguous,
                },
                None if provider.is_empty() || event_id.is_none() => {
                    let what = format!("{provider} {}", event_id.map(|i| i.to_string()).unwrap_or_default());
                    return Err(Box::new(FactKind::Mention {
                        what: "event".into(),
                        value: what.trim().to_string(),
                    }));
                }
                None => EventTime::Unknown,
            }
        }
    };
    let level = xml
        .as_ref()
        .and_then(|x| x.level)
        .or_else(|| block.get(Label::Level).and_then(labels::level))
        .map_or(Level::Other, Level::from_evtx);
    let channel = xml
        .as_ref()
        .and_then(|x| x.channel.clone())
        .or_else(|| block.get(Label::LogName).map(|c| interner.get(&labels::channel(c))));
    let computer = xml
        .as_ref()
        .and_then(|x| x.computer.clone())
        .or_else(|| block.get(Label::Computer).map(|c| interner.get(c)));
    let event = Event {
        time,
        origin: origin(path, block.line),
        source: SourceKind::Paste,
        provider: interner.get(&provider),
        event_id,
        level,
        channel,
        computer,
        fields,
        message: (!message.is_empty()).then(|| message.into()),
        certainty: Certainty::Pasted,
        fields_from: from,
    };
    Ok((event, note))
}

fn read_friendly(path: &Arc<str>, size: u64, decoded: &Decoded<'_>, text: &str) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(path, size, Some(SourceKind::Paste), decoded);
    let mut interner = Interner::default();
    for (line, xml) in friendly::read(text, &mut interner) {
        let time = xml.time_created.map_or(EventTime::Unknown, EventTime::recorded_utc);
        parsed.events.push(xml.into_event(
            time,
            origin(path, line),
            SourceKind::Paste,
            Certainty::Pasted,
            FieldsFrom::FriendlyView,
        ));
    }
    parsed.records = parsed.events.len() + parsed.facts.len();
    parsed.shapes = vec![format!("event-viewer-friendly-view x{}", parsed.records)];
    parsed
}

fn read_notes(path: &Arc<str>, size: u64, decoded: &Decoded<'_>, text: &str) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(path, size, Some(SourceKind::Notes), decoded);
    let provider: Arc<str> = Arc::from("user notes");
    let (notes, unplaced) = notes::read(text);
    if unplaced > 0 {
        let reason =
            format!("{unplaced} line(s) before the first dated line could not be placed in time and were not read");
        parsed
            .notices
            .push(Notice::new(Severity::Note, &**path, reason).at("line 1"));
    }
    for note in notes {
        let fields = Fields::new();
        parsed.events.push(Event {
            time: EventTime::Local {
                local: note.date.to_datetime(jiff::civil::Time::midnight()),
                utc: None,
                precision: note.precision,
                ambiguous: false,
            },
            origin: origin(path, note.line),
            source: SourceKind::Notes,
            provider: Arc::clone(&provider),
            event_id: None,
            level: Level::Info,
            channel: None,
            computer: None,
            fields,
            message: Some(note.text.into()),
            certainty: Certainty::Reported,
            fields_from: FieldsFrom::Notes,
        });
    }
    parsed.records = parsed.events.len();
    parsed.shapes = vec![format!("user-notes x{}", parsed.records)];
    parsed
}

fn read_console(path: &Arc<str>, size: u64, decoded: &Decoded<'_>, text: &str) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(path, size, Some(SourceKind::Console), decoded);
    let verdicts = console::verdicts(text);
    for v in &verdicts {
        let kind = FactKind::ConsoleVerdict {
            tool: v.tool.to_string(),
            verdict: v.verdict,
            code: v.code,
        };
        parsed.facts.push(Fact {
            origin: origin(path, v.line),
            kind,
        });
    }
    parsed.records = verdicts.len();
    parsed.shapes = vec![format!("sfc-dism-console x{}", verdicts.len())];
    let other = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
        .saturating_sub(verdicts.len());
    if other > 0 {
        let reason = format!("{other} other console line(s) (banners, progress) carry no verdict and were not read");
        parsed.notices.push(Notice::new(Severity::Note, &**path, reason));
    }
    parsed
}

fn read_mentions(
    path: &Arc<str>,
    size: u64,
    decoded: &Decoded<'_>,
    text: &str,
    found: Vec<mentions::Mention>,
) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(path, size, Some(SourceKind::Text), decoded);
    let lines: std::collections::BTreeSet<u64> = found.iter().map(|(_, _, line)| *line).collect();
    for (what, value, line) in found {
        parsed.facts.push(Fact {
            origin: origin(path, line),
            kind: FactKind::Mention {
                what: what.to_string(),
                value,
            },
        });
    }
    parsed.records = parsed.facts.len();
    parsed.shapes = vec!["free text (codes, event ids and writer names only, low certainty)".to_string()];
    let other = text
        .lines()
        .enumerate()
        .filter(|(i, l)| !l.trim().is_empty() && !lines.contains(&(*i as u64 + 1)))
        .count();
    if other > 0 {
        let reason = format!("{other} line(s) hold nothing backupdiag recognises for sure and were not read");
        parsed.notices.push(Notice::new(Severity::Note, &**path, reason));
    }
    parsed
}
