//! Reads `.evtx` files: the `evtx` crate finds the chunks (in record order, as Windows reads a
//! log that wrapped around) and reports damaged ones; `chunk` reads their records, on every
//! core; damaged chunks and records are reported with their place, the rest kept.

use std::io::Cursor;
use std::sync::Arc;

use evtx::{EvtxParser, ParserSettings};

use crate::input::{Content, Input};
use crate::model::{Event, Notice, Severity, SourceKind};

use super::ParsedFile;

mod chunk;

use chunk::Item;

/// How many damaged places are named in a file's warning before the rest are only counted.
const PLACES_NAMED: usize = 3;

/// Reads every record of an evtx input that can be read.
pub fn parse(input: &Input, max_records: u64) -> ParsedFile {
    let mut parsed = ParsedFile::new(input, Some(SourceKind::Evtx), None);
    let settings = settings();
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

/// For the tests: every chunk of the evtx file `bytes`, read by [`chunk`]'s own walk (`None`
/// where it declines) and through the crate, each rendered with `Debug`.
#[doc(hidden)]
pub fn chunks_both_ways(bytes: Vec<u8>) -> Vec<(Option<String>, String)> {
    let Ok(parser) = EvtxParser::from_buffer(bytes) else {
        return Vec::new();
    };
    let mut parser = parser.with_configuration(settings());
    let settings = Arc::new(settings());
    let file: Arc<str> = Arc::from("test.evtx");
    parser
        .chunks()
        .filter_map(Result::ok)
        .map(|mut data| {
            let walked = chunk::walked(&data, &file).map(|events| format!("{events:?}"));
            let items: Vec<String> = chunk::by_crate(&mut data, &file, &settings)
                .into_iter()
                .map(|item| match item {
                    Item::Event(event) => format!("{event:?}"),
                    Item::Error(error) => error,
                })
                .collect();
            (walked, format!("[{}]", items.join(", ")))
        })
        .collect()
}

/// How many chunks are read at once, in parallel (1 MiB).
const CHUNKS_AT_ONCE: usize = 16;

/// Every record (or the error in its place) in the parser's order, at most `max_records`:
/// chunks are taken from the crate in batches and read on every core, then joined in order.
/// Whether records were left out.
fn read_records<T: std::io::Read + std::io::Seek>(
    mut parser: EvtxParser<T>,
    path: &Arc<str>,
    max_records: u64,
) -> ((Vec<Event>, Vec<String>), bool) {
    use rayon::prelude::*;
    let settings = Arc::new(settings());
    let (mut events, mut errors) = (Vec::new(), Vec::new());
    let mut chunks = parser.chunks();
    let mut read = 0u64;
    loop {
        let batch: Vec<_> = chunks.by_ref().take(CHUNKS_AT_ONCE).collect();
        if batch.is_empty() {
            return ((events, errors), false);
        }
        let items: Vec<Vec<Item>> = batch
            .into_par_iter()
            .map(|chunk| chunk::items(chunk, path, &settings))
            .collect();
        for item in items.into_iter().flatten() {
            if read >= max_records {
                return ((events, errors), true);
            }
            read += 1;
            match item {
                Item::Event(event) => events.push(event),
                Item::Error(error) => errors.push(error),
            }
        }
    }
}

/// What the crate's parser is told: one thread (chunks are spread over the cores here),
/// checksums not enforced (a chunk whose checksum fails is read all the same, and reported
/// when its records cannot be).
fn settings() -> ParserSettings {
    ParserSettings::new()
        .num_threads(1)
        .indent(false)
        .validate_checksums(false)
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
