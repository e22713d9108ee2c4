//! Reads the servicing line family: CBS.log (and rotated CbsPersist logs), dism.log, and
//! Windows Setup's Panther setupact.log / setuperr.log. One grammar (`line`) splits the
//! entries, `structure` pulls out what they say, and the mix of source columns tells which
//! log it is.

mod line;
pub mod structure;

use std::sync::Arc;

use crate::input::encoding::Decoded;
use crate::model::{
    AnchorBasis, Certainty, ClockAnchor, Event, EventTime, Fields, FieldsFrom, Interner, Level, Location, Notice,
    Origin, Severity, SourceKind,
};

use super::ParsedFile;

pub use line::{parse_line, LineHead};

/// Reads a decoded servicing log, at most `max_lines` lines of it.
pub fn parse(path: &Arc<str>, size: u64, decoded: &Decoded<'_>, max_lines: u64) -> ParsedFile {
    let mut reader = EntryReader::new(Arc::clone(path));
    let mut lines = decoded.text.split('\n');
    for (number, raw) in (1..=max_lines).zip(lines.by_ref()) {
        reader.line(number, raw.strip_suffix('\r').unwrap_or(raw));
    }
    let stopped = lines.next().is_some();
    reader.finish();
    let mut parsed = ParsedFile::new_text(path, size, Some(kind_of(&reader.sources)), decoded);
    if stopped {
        parsed.notices.push(crate::parse::budget_notice(path, max_lines));
    }
    if reader.preamble > 0 {
        let reason = format!(
            "{} text line(s) before the first timestamped line are not on the timeline",
            reader.preamble
        );
        parsed
            .notices
            .push(Notice::new(Severity::Note, &**path, reason).at("line 1"));
    }
    for event in &mut reader.events {
        event.source = parsed.kind.unwrap_or(SourceKind::Cbs);
    }
    parsed.records = reader.events.len();
    parsed.events = reader.events;
    parsed.anchors = reader.anchors;
    parsed
}

/// Counts of source columns, to tell a CBS.log from a dism.log from a setupact.log.
#[derive(Debug, Default)]
struct SourceCounts {
    cbs: usize,
    dism: usize,
    setup: usize,
}

fn kind_of(counts: &SourceCounts) -> SourceKind {
    let total = counts.cbs + counts.dism + counts.setup;
    if counts.setup * 10 > total {
        SourceKind::Panther
    } else if counts.dism > counts.cbs {
        SourceKind::Dism
    } else {
        SourceKind::Cbs
    }
}

struct Pending<'a> {
    line: u64,
    head: LineHead<'a>,
    continuation: Vec<&'a str>,
}

struct EntryReader<'a> {
    file: Arc<str>,
    pending: Option<Pending<'a>>,
    events: Vec<Event>,
    anchors: Vec<ClockAnchor>,
    sources: SourceCounts,
    preamble: usize,
    interner: Interner,
}

impl<'a> EntryReader<'a> {
    fn new(file: Arc<str>) -> EntryReader<'a> {
        EntryReader {
            file,
            pending: None,
            events: Vec::new(),
            anchors: Vec::new(),
            sources: SourceCounts::default(),
            preamble: 0,
            interner: Interner::default(),
        }
    }

    fn line(&mut self, number: u64, text: &'a str) {
        let text = if number == 1 {
            text.trim_start_matches('\u{FEFF}')
        } else {
            text
        };
        match parse_line(text) {
            Some(head) => {
                self.flush();
                self.pending = Some(Pending {
                    line: number,
                    head,
                    continuation: Vec::new(),
                });
            }
            None => match &mut self.pending {
                Some(pending) => pending.continuation.push(text),
                None if !text.trim().is_empty() => self.preamble += 1,
                None => {}
            },
        }
    }

    fn finish(&mut self) {
        self.flush();
    }

    fn flush(&mut self) {
        let Some(mut pending) = self.pending.take() else {
            return;
        };
        while pending.continuation.last().is_some_and(|l| l.trim().is_empty()) {
            pending.continuation.pop();
        }
        let head = &pending.head;
        self.count_source(head.source);
        let message = if pending.continuation.is_empty() {
            head.message.to_string()
        } else {
            let mut joined = head.message.to_string();
            for more in &pending.continuation {
                joined.push('\n');
                joined.push_str(more);
            }
            joined
        };
        let mut fields = Fields::new();
        if let Some(id) = head.message_id {
            fields.push("message_id", id);
        }
        let found = structure::extract(head.source, &message, fields);
        if let Some(utc) = found.utc {
            let basis = if head.source == "CSI" {
                AnchorBasis::CsiUtcStamp
            } else {
                AnchorBasis::UniversalTimeLine
            };
            self.add_anchor(ClockAnchor::from_readings(pending.line, head.local, utc, basis));
        }
        self.events.push(Event {
            time: EventTime::local(head.local),
            origin: Origin {
                file: Arc::clone(&self.file),
                location: Location::Line(pending.line),
            },
            source: SourceKind::Cbs,
            provider: self.interner.get(head.source),
            event_id: None,
            level: Level::from_text(head.level),
            channel: None,
            computer: None,
            fields: found.fields,
            message: Some(message.into()),
            certainty: Certainty::Recorded,
            fields_from: FieldsFrom::Record,
        });
    }

    fn count_source(&mut self, source: &str) {
        match source {
            "CBS" | "CSI" | "DPX" | "DEPLOY" | "SQM" => self.sources.cbs += 1,
            "DISM" | "" => self.sources.dism += 1,
            _ => self.sources.setup += 1,
        }
    }

    /// Keeps an anchor only where the offset changes, so the list stays short.
    fn add_anchor(&mut self, anchor: Option<ClockAnchor>) {
        let Some(anchor) = anchor else {
            return;
        };
        if self.anchors.last().is_none_or(|last| last.offset != anchor.offset) {
            self.anchors.push(anchor);
        }
    }
}
