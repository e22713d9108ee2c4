//! The records of one chunk. A chunk whose checksums hold is walked here, straight from its
//! bytes and as the crate walks it (from the chunk header to the free space, ending at the last
//! record the header names), each record's Binary XML read by `binxml`: the crate's token tree
//! is never built. Anything else (a checksum that fails, a record header that does not check
//! out, a record `binxml` cannot read) hands the whole chunk to the crate, whose records are
//! read as before: by `binxml` where it can, from the crate's XML rendering otherwise. Either
//! way the chunk gives the same events (a test compares on every record of the real corpus).

use std::sync::Arc;

use evtx::err::EvtxError;
use evtx::{EvtxChunkData, EvtxChunkHeader, EvtxRecordHeader, ParserSettings};

use crate::model::{Certainty, Event, EventTime, FieldsFrom, Interner, Location, Origin, SourceKind};
use crate::parse::binxml::{self, Cache};
use crate::parse::event_xml::{read_event_xml, XmlEvent};
use crate::parse::ReadOptions;

use super::error_chain;

/// One record read, or the error in its place.
pub(super) enum Item {
    Event(Event),
    /// Read only as far as `System`: no later stage keeps it (see `ReadOptions::may_keep`).
    Skimmed(Event),
    Error(String),
}

/// Where a chunk's records start, after its header and tables.
const RECORDS_START: usize = 512;
/// A record's header before its Binary XML, and the size copy after it.
const RECORD_HEADER: usize = 24;
const RECORD_OVERHEAD: u32 = 28;

/// The records of `chunk` (or the error that lost it), in order.
pub(super) fn items(
    chunk: Result<EvtxChunkData, EvtxError>,
    file: &Arc<str>,
    settings: &Arc<ParserSettings>,
    options: ReadOptions,
) -> Vec<Item> {
    let mut chunk = match chunk {
        Ok(chunk) => chunk,
        Err(err) => return vec![Item::Error(error_chain(&err))],
    };
    match walked(&chunk.data, &chunk.header, file, options) {
        Some(items) => items,
        None => by_crate(&mut chunk, file, settings),
    }
}

/// The records of the chunk numbered `number`, read where it lies in the file's `bytes` (see
/// `ring`): walked in place when its checksums hold, else copied out for the crate.
pub(super) fn items_in_place(
    bytes: &[u8],
    number: u64,
    file: &Arc<str>,
    settings: &Arc<ParserSettings>,
    options: ReadOptions,
) -> Vec<Item> {
    // `ring::chunk_order` gave only chunks that are whole and whose header reads.
    let Some(data) = super::ring::chunk_bytes(bytes, number) else {
        return vec![Item::Error(format!("chunk {number} is past the end of the file"))];
    };
    let header = match EvtxChunkHeader::from_bytes(data) {
        Ok(header) => header,
        Err(err) => return vec![Item::Error(format!("chunk {number}: {err}"))],
    };
    if let Some(items) = walked(data, &header, file, options) {
        return items;
    }
    let mut chunk = EvtxChunkData {
        header,
        data: data.to_vec(),
        number: Some(number),
    };
    by_crate(&mut chunk, file, settings)
}

/// The records of a chunk (`data`, its header read as `chunk_header`) whose checksums hold,
/// each read by `binxml` (only as far as `System` when `options` would keep no such event);
/// `None` at the first thing the crate might read otherwise.
pub(super) fn walked(
    data: &[u8],
    chunk_header: &EvtxChunkHeader,
    file: &Arc<str>,
    options: ReadOptions,
) -> Option<Vec<Item>> {
    walked_with(data, chunk_header, file, options, Cache::for_one_chunk())
}

/// [`walked`] with `cache` as the chunk's (the tests compare one with plans and one without).
pub(super) fn walked_with(
    data: &[u8],
    chunk_header: &EvtxChunkHeader,
    file: &Arc<str>,
    options: ReadOptions,
    mut cache: Cache,
) -> Option<Vec<Item>> {
    if !super::ring::checksums_hold(data, chunk_header) {
        return None;
    }
    let live_end = usize::try_from(chunk_header.free_space_offset).ok()?.min(data.len());
    let mut interner = Interner::default();
    // Room for the records the header names (a header that names too many gets a chunk's worth).
    let named = chunk_header
        .last_event_record_id
        .saturating_sub(chunk_header.first_event_record_id)
        .saturating_add(1);
    let mut events = Vec::with_capacity(usize::try_from(named).unwrap_or(0).min(data.len() / RECORD_HEADER));
    let mut at = RECORDS_START;
    while at < live_end {
        let header = EvtxRecordHeader::from_bytes_at(data, at).ok()?;
        let size = header.data_size.checked_sub(RECORD_OVERHEAD)?;
        let start = at + RECORD_HEADER;
        let end = start.checked_add(size as usize)?;
        if end > data.len() {
            return None;
        }
        let wanted = |provider: &str, id: Option<u32>| options.may_keep(provider, id);
        let read = binxml::read_record_if(data, start, size as usize, &mut interner, &mut cache, wanted)?;
        let (id, written) = (header.event_record_id, header.timestamp);
        events.push(match read {
            binxml::Read::Whole(xml) => Item::Event(to_event(file, id, written, xml)),
            binxml::Read::System(xml) => Item::Skimmed(to_event(file, id, written, xml)),
        });
        if header.event_record_id == chunk_header.last_event_record_id {
            break;
        }
        at = at.checked_add(header.data_size as usize)?;
    }
    Some(events)
}

/// A record read by the fast path, or its XML for the fallback.
enum Decoded {
    Fast(XmlEvent),
    Xml(Vec<u8>),
}

/// The chunk's records as the crate iterates them: each read by `binxml` where it can, from
/// the crate's XML rendering otherwise.
pub(super) fn by_crate(chunk: &mut EvtxChunkData, file: &Arc<str>, settings: &Arc<ParserSettings>) -> Vec<Item> {
    let number = chunk.number.unwrap_or_default();
    let mut parsed = match chunk.parse(Arc::clone(settings)) {
        Ok(parsed) => parsed,
        Err(err) => {
            let err = EvtxError::FailedToParseChunk {
                chunk_id: number,
                source: Box::new(err),
            };
            return vec![Item::Error(error_chain(&err))];
        }
    };
    let (mut interner, mut cache) = (Interner::default(), Cache::for_one_chunk());
    let mut xml_interner = Interner::default();
    let mut items = Vec::new();
    for record in parsed.iter() {
        let recovered = record.as_ref().is_ok_and(|r| r.recovered);
        let decoded = record.and_then(|record| {
            let fast = binxml::read_record(
                record.chunk.data,
                record.binxml_offset as usize,
                record.binxml_size as usize,
                &mut interner,
                &mut cache,
            );
            let (id, written) = (record.event_record_id, record.timestamp);
            match fast {
                Some(event) => Ok((id, written, Decoded::Fast(event))),
                None => Ok((id, written, Decoded::Xml(record.into_xml_bytes()?.data))),
            }
        });
        // Carved records that fail to read are noise, as the crate treats them.
        let item = match decoded {
            Ok((id, written, Decoded::Fast(event))) => Item::Event(to_event(file, id, written, event)),
            Ok((id, written, Decoded::Xml(xml))) => {
                let xml = match std::str::from_utf8(&xml) {
                    Ok(text) => read_event_xml(text, &mut xml_interner),
                    Err(_) => read_event_xml(&String::from_utf8_lossy(&xml), &mut xml_interner),
                };
                Item::Event(to_event(file, id, written, xml))
            }
            Err(_) if recovered => continue,
            Err(err) => Item::Error(error_chain(&err)),
        };
        items.push(item);
    }
    items
}

fn to_event(file: &Arc<str>, record_id: u64, written: jiff::Timestamp, xml: XmlEvent) -> Event {
    let time = EventTime::recorded_utc(xml.time_created.unwrap_or(written));
    let origin = Origin {
        file: Arc::clone(file),
        location: Location::Record(xml.record_id.unwrap_or(record_id)),
    };
    xml.into_event(time, origin, SourceKind::Evtx, Certainty::Recorded, FieldsFrom::Xml)
}
