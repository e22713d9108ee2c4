//! Reads `.evtx` files: the `evtx` crate finds the chunks (in record order, as Windows reads a
//! log that wrapped around) and reports damaged ones; `chunk` reads their records, on every
//! core; damaged chunks and records are reported with their place, the rest kept.

use std::io::Cursor;
use std::sync::Arc;

use evtx::{EvtxParser, ParserSettings};

use crate::input::{Content, Input};
use crate::model::{Census, Earliest, Event, HarmlessTally, Location, Notice, Severity, SourceKind, Tally};

use super::{Judged, Keep, ParsedFile, ReadOptions};

mod chunk;
mod ring;

use chunk::Item;

/// How many damaged places are named in a file's warning before the rest are only counted.
const PLACES_NAMED: usize = 3;

/// Reads every record of an evtx input that can be read.
pub fn parse(input: &Input, options: ReadOptions) -> ParsedFile {
    let mut parsed = ParsedFile::new(input, Some(SourceKind::Evtx), None);
    let settings = settings();
    let outcome = match &input.content {
        Content::Mapped { map, .. } => {
            EvtxParser::from_read_seek(Cursor::new(crate::input::Bytes::Mapped(Arc::clone(map))))
                .map(|p| read_file(p.with_configuration(settings), Some(&map[..]), input, options))
        }
        Content::File(path) => {
            EvtxParser::from_path(path).map(|p| read_file(p.with_configuration(settings), None, input, options))
        }
        Content::Memory(bytes) => EvtxParser::from_read_seek(Cursor::new(Arc::clone(bytes)))
            .map(|p| read_file(p.with_configuration(settings), Some(&bytes[..]), input, options)),
    };
    match outcome {
        Ok((records, header_notices)) => {
            parsed.records = records.events.len() + records.tally.count();
            parsed.events = records.events;
            parsed.tally = records.tally;
            parsed.harmless = records.harmless;
            parsed.census = records.census;
            parsed.notices.extend(header_notices);
            if let Some(notice) = damage_notice(&input.path, &records.errors, parsed.records) {
                parsed.notices.push(notice);
            }
            if let Some(notice) = unsigned_chunks_notice(input, parsed.records) {
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

/// Header checks, then every record (its chunks read in place when the file's `bytes` are at
/// hand).
fn read_file<T: std::io::Read + std::io::Seek>(
    parser: EvtxParser<T>,
    bytes: Option<&[u8]>,
    input: &Input,
    options: ReadOptions,
) -> (Records, Vec<Notice>) {
    let mut notices = header_notices(parser.header(), input);
    let (read, stopped) = read_records(parser, bytes, &input.path, options);
    if stopped {
        notices.push(crate::parse::budget_notice(&input.path, options.max_records));
    }
    (read, notices)
}

/// What a file's records gave: the events kept, the others tallied, who and where they all
/// are, and the errors read in place of records.
#[derive(Default)]
struct Records {
    events: Vec<Event>,
    tally: Tally,
    harmless: HarmlessTally,
    /// Each harmless reason's earliest (time, record) so far.
    earliest_harmless: Earliest<(jiff::Timestamp, u64)>,
    census: Census,
    errors: Vec<String>,
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
            let everything = crate::parse::ReadOptions::everything(u64::MAX);
            let walked = chunk::walked(&data.data, &data.header, &file, everything).map(render);
            (walked, render(chunk::by_crate(&mut data, &file, &settings)))
        })
        .collect()
}

/// For the tests: every chunk of the evtx file `bytes` walked with the templates' `System`
/// plans and without, each record kept only as far as `System` unless `wanted(provider, id)`,
/// each rendered with `Debug` (`None` where the walk declines the chunk).
#[doc(hidden)]
pub fn chunks_with_and_without_plans(
    bytes: Vec<u8>,
    wanted: fn(&str, Option<u32>, Keep) -> bool,
) -> Vec<(Option<String>, Option<String>)> {
    let Ok(parser) = EvtxParser::from_buffer(bytes) else {
        return Vec::new();
    };
    let mut parser = parser.with_configuration(settings());
    let file: Arc<str> = Arc::from("test.evtx");
    let options = crate::parse::ReadOptions {
        keep: Keep::Evidence,
        wants: wanted,
        ..crate::parse::ReadOptions::everything(u64::MAX)
    };
    parser
        .chunks()
        .filter_map(Result::ok)
        .map(|data| {
            let read = |cache| chunk::walked_with(&data.data, &data.header, &file, options, cache).map(render);
            (
                read(crate::parse::binxml::Cache::for_one_chunk()),
                read(crate::parse::binxml::Cache::walking_one_chunk()),
            )
        })
        .collect()
}

/// For the tests: the chunk numbers of the evtx file `bytes` in the order `ring` finds them
/// (`None` where it leaves the file to the crate), and as the crate reads them (each chunk's
/// number, or its error); `None` when the crate cannot open the file.
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn chunk_orders_both_ways(bytes: Vec<u8>) -> Option<(Option<Vec<u64>>, Vec<Result<u64, String>>)> {
    let mut parser = EvtxParser::from_buffer(bytes.clone()).ok()?;
    let ours = ring::chunk_order(&bytes, u64::from(parser.header().header_block_size));
    let theirs = parser
        .chunks()
        .map(|chunk| chunk.map(|c| c.number.unwrap_or(u64::MAX)).map_err(|e| error_chain(&e)))
        .collect();
    Some((ours, theirs))
}

/// Items as the chunk test compares them.
fn render(items: Vec<Item>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|item| match item {
            Item::Event(event) => format!("{event:?}"),
            Item::Skimmed(event) => format!("skimmed {event:?}"),
            Item::Error(error) => error,
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// How many chunks are read at once, in parallel (1 MiB).
const CHUNKS_AT_ONCE: usize = 16;

/// Every record (or the error in its place) in the parser's order, at most `max_records`:
/// chunks are taken in batches and read on every core, then joined in order. They are read
/// where they lie in `bytes` when `ring` finds them all there; else the crate finds them.
/// Whether records were left out.
fn read_records<T: std::io::Read + std::io::Seek>(
    mut parser: EvtxParser<T>,
    bytes: Option<&[u8]>,
    path: &Arc<str>,
    options: ReadOptions,
) -> (Records, bool) {
    use rayon::prelude::*;
    let settings = Arc::new(settings());
    let mut records = Records::default();
    let mut read = 0u64;
    let header_block = u64::from(parser.header().header_block_size);
    if let Some((bytes, order)) = bytes.and_then(|b| ring::chunk_order(b, header_block).map(|o| (b, o))) {
        for batch in order.chunks(CHUNKS_AT_ONCE) {
            let items: Vec<Vec<Item>> = batch
                .par_iter()
                .map(|&number| chunk::items_in_place(bytes, number, path, &settings, options))
                .collect();
            if records.join(items, &mut read, options) {
                return (records, true);
            }
        }
        return (records, false);
    }
    let mut chunks = parser.chunks();
    loop {
        let batch: Vec<_> = chunks.by_ref().take(CHUNKS_AT_ONCE).collect();
        if batch.is_empty() {
            return (records, false);
        }
        let items: Vec<Vec<Item>> = batch
            .into_par_iter()
            .map(|chunk| chunk::items(chunk, path, &settings, options))
            .collect();
        if records.join(items, &mut read, options) {
            return (records, true);
        }
    }
}

impl Records {
    /// Takes in the items of a batch of chunks, in order, counting them in `read`; true when
    /// `max_records` stopped it.
    fn join(&mut self, items: Vec<Vec<Item>>, read: &mut u64, options: ReadOptions) -> bool {
        for item in items.into_iter().flatten() {
            if *read >= options.max_records {
                return true;
            }
            *read += 1;
            match item {
                Item::Event(event) => self.add(event, options),
                Item::Skimmed(event) => self.tally(&event),
                Item::Error(error) => self.errors.push(error),
            }
        }
        false
    }

    /// Counts `event`, and keeps it or tallies it (a harmless one unless it is the earliest of
    /// its reason so far).
    fn add(&mut self, event: Event, options: ReadOptions) {
        match (options.judge(&event), event.origin.location) {
            (Judged::Tally, _) => return self.tally(&event),
            (Judged::Harmless(reason), Location::Record(record))
                if !self
                    .earliest_harmless
                    .is_earliest(reason, (event.time.sort_key(), record)) =>
            {
                self.tally(&event);
                return self.harmless.add(reason, record, event.time);
            }
            _ => {}
        }
        self.census.count(&event);
        self.events.push(event);
    }

    /// Counts `event` and tallies it.
    fn tally(&mut self, event: &Event) {
        self.census.count(event);
        if let Location::Record(record) = event.origin.location {
            self.tally.add(record, event.time);
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
    let mut source = Parts::open(&input.content)?;
    let header = source.part(0, 64);
    let le = |range: std::ops::Range<usize>| {
        header
            .get(range)
            .map_or(0, |b| b.iter().rev().fold(0u64, |n, &byte| (n << 8) | u64::from(byte)))
    };
    let (next_record, announced) = (le(24..32), le(42..44));
    let present = (input.size.saturating_sub(HEADER_BYTES) / CHUNK_BYTES).min(announced);
    let start = |index: u64| HEADER_BYTES + index * CHUNK_BYTES;
    let signed_chunks: Vec<bool> = (0..present)
        .map(|i| source.part(start(i), 8).starts_with(b"ElfChnk\0"))
        .collect();
    let is_signed = |i: u64| usize::try_from(i).ok().and_then(|i| signed_chunks.get(i)) == Some(&true);
    let signed = (0..present).filter(|&i| is_signed(i)).count();
    // Unused space only ever follows the written chunks: an unsigned chunk up to the last
    // signed one, or up to the last chunk the header names, was written once and wiped.
    // The header's last chunk number says how far the log was written.
    let written = (0..present)
        .rev()
        .find(|&i| is_signed(i))
        .max(Some(le(16..24)).filter(|_| next_record > 1));
    let damaged: Vec<u64> = (0..present)
        .filter(|&i| {
            !is_signed(i)
                && (written.is_some_and(|last| i <= last)
                    || source.part(start(i), CHUNK_BYTES as usize).iter().any(|&b| b != 0))
        })
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

/// Parts of an input read at their offsets: a file is read where asked, never mapped whole.
enum Parts {
    File(std::fs::File),
    Bytes(crate::input::Bytes),
}

impl Parts {
    fn open(content: &Content) -> Option<Parts> {
        match content {
            Content::File(path) => std::fs::File::open(path).ok().map(Parts::File),
            Content::Mapped { .. } | Content::Memory(_) => content.bytes().ok().map(Parts::Bytes),
        }
    }

    /// `len` bytes from `start`, fewer at the end of the input (none past it or on an error).
    fn part(&mut self, start: u64, len: usize) -> Vec<u8> {
        use std::io::{Read, Seek, SeekFrom};
        match self {
            Parts::File(file) => {
                let mut out = Vec::with_capacity(len);
                let read = file
                    .seek(SeekFrom::Start(start))
                    .and_then(|_| file.take(len as u64).read_to_end(&mut out));
                if read.is_err() {
                    out.clear();
                }
                out
            }
            Parts::Bytes(bytes) => {
                let from = usize::try_from(start).unwrap_or(usize::MAX).min(bytes.len());
                bytes[from..from.saturating_add(len).min(bytes.len())].to_vec()
            }
        }
    }
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
