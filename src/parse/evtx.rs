//! Reads `.evtx` files through the `evtx` crate: every record rendered to XML and read by
//! `event_xml`, damaged chunks and records reported with their place, the rest kept.

use std::io::Cursor;
use std::sync::Arc;

use evtx::{EvtxParser, ParserSettings};

use crate::input::{Content, Input};
use crate::model::{Certainty, Event, EventTime, FieldsFrom, Interner, Location, Notice, Origin, Severity, SourceKind};

use super::event_xml::{read_event_xml, XmlEvent};
use super::ParsedFile;

/// How many damaged places are named in a file's warning before the rest are only counted.
const PLACES_NAMED: usize = 3;

/// Reads every record of an evtx input that can be read.
pub fn parse(input: &Input, max_records: u64) -> ParsedFile {
    let mut parsed = ParsedFile::new(input, Some(SourceKind::Evtx), None);
    let settings = ParserSettings::new()
        .num_threads(1)
        .indent(false)
        .validate_checksums(false);
    let outcome = match &input.content {
        Content::Mapped { map, .. } => {
            EvtxParser::from_read_seek(Cursor::new(crate::input::Bytes::Mapped(Arc::clone(map))))
                .map(|p| read_file(p.with_configuration(settings), input, max_records))
        }
        Content::File(path) => {
            EvtxParser::from_path(path).map(|p| read_file(p.with_configuration(settings), input, max_records))
        }
        Content::Memory(bytes) => EvtxParser::from_read_seek(Cursor::new(Arc::clone(bytes)))
            .map(|p| read_file(p.with_configuration(settings), input, max_records)),
    };
    match outcome {
        Ok(((events, errors), header_notices)) => {
            parsed.records = events.len();
            parsed.events = events;
            parsed.notices.extend(header_notices);
            if let Some(notice) = damage_notice(&input.path, &errors, parsed.events.len()) {
                parsed.notices.push(notice);
            }
            if let Some(notice) = unsigned_chunks_notice(input, parsed.events.len()) {
                parsed.notices.push(notice);
            }
        }
        Err(err) => parsed.notices.push(Notice::new(
            Severity::Error,
            &*input.path,
            format!("not a readable event log: {}", error_chain(&err)),
        )),
    }
    parsed
}

/// Header checks, then every record.
fn read_file<T: std::io::Read + std::io::Seek>(
    parser: EvtxParser<T>,
    input: &Input,
    max_records: u64,
) -> ((Vec<Event>, Vec<String>), Vec<Notice>) {
    let mut notices = header_notices(parser.header(), input);
    let (read, stopped) = read_records(parser, &input.path, max_records);
    if stopped {
        notices.push(crate::parse::budget_notice(&input.path, max_records));
    }
    (read, notices)
}

fn read_records<T: std::io::Read + std::io::Seek>(
    mut parser: EvtxParser<T>,
    path: &Arc<str>,
    max_records: u64,
) -> ((Vec<Event>, Vec<String>), bool) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let file = Arc::clone(path);
    // The fast path reads the record's Binary XML itself; what it cannot read is rendered to
    // XML by the crate and read by `event_xml` (see `binxml`). The crate clones this closure
    // for each chunk, so both caches live one chunk.
    let mut chunk_interner = Interner::default();
    let mut names = super::binxml::Names::default();
    let records = parser.serialized_records(move |record| {
        let record = record?;
        let fast = super::binxml::read_record(
            record.chunk.data,
            record.binxml_offset as usize,
            record.binxml_size as usize,
            &mut chunk_interner,
            &mut names,
        );
        let (id, written) = (record.event_record_id, record.timestamp);
        match fast {
            Some(event) => Ok((id, written, Decoded::Fast(event))),
            None => Ok((id, written, Decoded::Xml(record.into_xml_bytes()?.data))),
        }
    });
    let mut interner = Interner::default();
    let mut records = records.peekable();
    let mut read = 0u64;
    while let Some(record) = records.next_if(|_| read < max_records) {
        read += 1;
        match record {
            Ok((id, written, Decoded::Fast(event))) => events.push(to_event(&file, id, written, event)),
            Ok((id, written, Decoded::Xml(xml))) => {
                let xml = match std::str::from_utf8(&xml) {
                    Ok(text) => read_event_xml(text, &mut interner),
                    Err(_) => read_event_xml(&String::from_utf8_lossy(&xml), &mut interner),
                };
                events.push(to_event(&file, id, written, xml));
            }
            Err(err) => errors.push(error_chain(&err)),
        }
    }
    let stopped = records.peek().is_some();
    ((events, errors), stopped)
}

/// A record read by the fast path, or its XML for the fallback.
enum Decoded {
    Fast(XmlEvent),
    Xml(Vec<u8>),
}

fn to_event(file: &Arc<str>, record_id: u64, written: jiff::Timestamp, xml: XmlEvent) -> Event {
    let time = EventTime::recorded_utc(xml.time_created.unwrap_or(written));
    let origin = Origin {
        file: Arc::clone(file),
        location: Location::Record(xml.record_id.unwrap_or(record_id)),
    };
    xml.into_event(time, origin, SourceKind::Evtx, Certainty::Recorded, FieldsFrom::Xml)
}

/// Size of the file header block and of one chunk.
const HEADER_BYTES: u64 = 4096;
const CHUNK_BYTES: u64 = 65536;

/// What the file header says about the file's completeness: a cut-off file loses records
/// silently in the parser, so the sizes are checked here.
fn header_notices(header: &evtx::EvtxFileHeader, input: &Input) -> Vec<Notice> {
    let mut notices = Vec::new();
    let path = &*input.path;
    let body = input.size.saturating_sub(HEADER_BYTES);
    let whole_chunks = body / CHUNK_BYTES;
    if body % CHUNK_BYTES != 0 {
        let reason = format!(
            "file is truncated: it ends {} bytes into chunk {whole_chunks}, whose records are lost",
            body % CHUNK_BYTES
        );
        notices.push(Notice::new(Severity::Damaged, path, reason).at(format!("offset {:#x}", input.size)));
    } else if u64::from(header.chunk_count) > whole_chunks {
        let reason = format!(
            "file is truncated: its header announces {} chunks but the file holds {whole_chunks}",
            header.chunk_count
        );
        notices.push(Notice::new(Severity::Damaged, path, reason).at(format!("offset {:#x}", input.size)));
    }
    if !header.validate_checksum() {
        notices.push(
            Notice::new(
                Severity::Note,
                path,
                "file header checksum does not match; chunks were read at their fixed offsets",
            )
            .at("offset 0x0"),
        );
    }
    notices
}

/// Chunks whose `ElfChnk` signature is gone (wiped, overwritten) are passed over in silence by
/// the parser. Among the chunks the header announces, an all-zero chunk after the last signed
/// one is unused space; one holding data without its signature, or any unsigned chunk before a
/// signed one, is damage. A file whose header says records were written
/// but holds no signed chunk at all is damaged too, however its chunks look.
fn unsigned_chunks_notice(input: &Input, read: usize) -> Option<Notice> {
    let bytes = input.content.bytes().ok()?;
    let le = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .map_or(0, |b| b.iter().rev().fold(0u64, |n, &byte| (n << 8) | u64::from(byte)))
    };
    let (next_record, announced) = (le(24..32), le(42..44));
    let present = (input.size.saturating_sub(HEADER_BYTES) / CHUNK_BYTES).min(announced);
    let chunk = |index: u64| {
        let start = usize::try_from(HEADER_BYTES + index * CHUNK_BYTES).unwrap_or(usize::MAX);
        bytes
            .get(start..start.saturating_add(CHUNK_BYTES as usize))
            .unwrap_or_default()
    };
    let is_signed = |i: u64| chunk(i).starts_with(b"ElfChnk\0");
    let signed = (0..present).filter(|&i| is_signed(i)).count();
    // Unused space only ever follows the written chunks: an unsigned chunk up to the last
    // signed one, or up to the last chunk the header names, was written once and wiped.
    // The header's last chunk number says how far the log was written.
    let written = (0..present)
        .rev()
        .find(|&i| is_signed(i))
        .max(Some(le(16..24)).filter(|_| next_record > 1));
    let damaged: Vec<u64> = (0..present)
        .filter(|&i| !is_signed(i) && (chunk(i).iter().any(|&b| b != 0) || written.is_some_and(|last| i <= last)))
        .collect();
    let (reason, place) = if let Some(&first) = damaged.first() {
        let reason = format!(
            "{} of {present} chunk(s) have no chunk signature (overwritten or wiped), their records are lost; {read} records read",
            damaged.len()
        );
        (reason, format!("chunk {first}"))
    } else if signed == 0 && read == 0 && next_record > 1 {
        let reason = format!(
            "the header says {} record(s) were written, but no chunk holds any (wiped)",
            next_record - 1
        );
        (reason, "offset 0x1000".to_string())
    } else {
        return None;
    };
    // Damage that left nothing readable is a failed file, not a damaged one.
    let severity = if read == 0 { Severity::Error } else { Severity::Damaged };
    Some(Notice::new(severity, &*input.path, reason).at(place))
}

fn damage_notice(path: &str, errors: &[String], read: usize) -> Option<Notice> {
    let first = errors.first()?;
    let mut reason = format!(
        "{} damaged chunk(s) or record(s) skipped, {read} records read; {first}",
        errors.len()
    );
    for more in errors.iter().skip(1).take(PLACES_NAMED - 1) {
        reason.push_str("; ");
        reason.push_str(more);
    }
    if errors.len() > PLACES_NAMED {
        reason.push_str(&format!("; and {} more", errors.len() - PLACES_NAMED));
    }
    // Damage that left nothing readable is a failed file, not a damaged one.
    let severity = if read == 0 { Severity::Error } else { Severity::Damaged };
    Some(Notice::new(severity, path, reason))
}

/// An error and its causes on one line (`outer: inner: innermost`).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}
