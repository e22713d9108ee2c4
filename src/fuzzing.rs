//! Entry points for the fuzz targets in `fuzz/` and the test that replays their corpora: one
//! function per parser we wrote, each taking arbitrary bytes. They call the parsers without
//! the `catch_unwind` net of [`crate::parse::parse_input`], so a panic is seen as a crash.
//! Not part of the tool's interface.

use std::io::Cursor;
use std::sync::Arc;

use crate::input::encoding::{self, TextEncoding};
use crate::input::{sniff, Content, Input, InputLimits};
use crate::model::{Interner, Lang};
use crate::parse;

/// A fuzz target: its name (the file name in `fuzz/fuzz_targets/` and the corpus folder) and
/// its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("front_end", front_end),
    ("analyze", analyze),
    ("encoding", encoding),
    ("servicing", servicing),
    ("paste", paste),
    ("vssadmin", vssadmin),
    ("machine", machine),
    ("event_xml", event_xml),
    ("binxml", binxml),
    ("evtx", evtx),
    ("cab", cab),
    ("zip", zip),
];

fn memory(data: &[u8]) -> Input {
    Input::new(
        Arc::from("fuzz-input"),
        Content::Memory(Arc::from(data)),
        data.len() as u64,
    )
}

/// The whole front end of one input: sniffing, decoding and whichever parser the sniffer picks.
pub fn front_end(data: &[u8]) {
    let _ = parse::parse_unguarded(&memory(data), parse::ReadOptions::everything(1 << 20));
}

/// One input through every stage: parse, build the case, diagnose, render the JSON report
/// in both languages.
pub fn analyze(data: &[u8]) {
    let options = crate::signals::read_options(1 << 20, parse::Keep::Evidence);
    let parsed = parse::parse_unguarded(&memory(data), options);
    let case = crate::case::Case::build(parsed, Vec::new(), None, None);
    let diagnosis = crate::diagnose::diagnose(&case);
    for lang in [Lang::En, Lang::Ja] {
        let _ = crate::report::analyze::write_json(&case, &diagnosis, lang, &mut std::io::sink());
    }
}

/// Encoding detection and decoding under every encoding, and the sniffer's line tests.
pub fn encoding(data: &[u8]) {
    let _ = sniff::sniff(data);
    let _ = encoding::detect(data);
    let decoded = encoding::decode(data);
    for line in decoded.text.lines().take(64) {
        let _ = sniff::is_servicing_timestamp(line);
        let _ = sniff::quoted(line);
        let _ = sniff::find_guid(line);
    }
    for forced in [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
        TextEncoding::Cp932,
        TextEncoding::Cp1252,
    ] {
        let _ = encoding::decode_as(data, forced);
    }
}

/// The servicing log grammar (CBS, DISM, Panther) and its structure extraction.
pub fn servicing(data: &[u8]) {
    let decoded = encoding::decode(data);
    for keep in [parse::Keep::Everything, parse::Keep::Evidence, parse::Keep::Clock] {
        let options = crate::signals::read_options(1 << 20, keep);
        let whole = parse::servicing::parse(&Arc::from("CBS.log"), data.len() as u64, &decoded, options);
        streamed_as_whole(data, decoded.encoding, options, &whole);
    }
    for line in decoded.text.lines().take(64) {
        let _ = parse::servicing::parse_line(line);
        let _ = parse::servicing::structure::normalize_hresult(line);
    }
}

/// A UTF-8 log read as a stream of small blocks reads as the whole log does (a difference
/// panics, so the fuzzer reports it).
fn streamed_as_whole(data: &[u8], encoding: TextEncoding, options: parse::ReadOptions, whole: &parse::ParsedFile) {
    if !matches!(encoding, TextEncoding::Utf8 | TextEncoding::Utf8Bom) {
        return;
    }
    let path = Arc::from("CBS.log");
    let Ok(streamed) =
        parse::servicing::stream::parse_in_blocks(&path, data.len() as u64, encoding, &mut &data[..], options, 64)
    else {
        return;
    };
    let summary = |p: &parse::ParsedFile| {
        format!(
            "{:?} {} {:?} {:?} {:?} {:?}",
            p.kind,
            p.records,
            p.events,
            p.tally.count(),
            p.anchors,
            p.notices
        )
    };
    assert_eq!(summary(&streamed), summary(whole), "streamed and whole readings differ");
}

/// Pasted text in every shape (Event Viewer copies, friendly view, notes, console and dialog
/// statements) and the date formats inside it.
pub fn paste(data: &[u8]) {
    let decoded = encoding::decode(data);
    let _ = parse::paste::parse(&Arc::from("ticket.txt"), data.len() as u64, &decoded);
    for line in decoded.text.lines().take(64) {
        let _ = parse::paste::parse_date(line);
    }
}

/// `vssadmin list writers|providers|shadowstorage` output, in any language.
pub fn vssadmin(data: &[u8]) {
    let decoded = encoding::decode(data);
    let _ = parse::vss::parse(&Arc::from("writers.txt"), &decoded.text);
}

/// `bcdedit /enum` and `msinfo32 /report` output.
pub fn machine(data: &[u8]) {
    let decoded = encoding::decode(data);
    let path = Arc::from("machine.txt");
    let _ = parse::machine::parse_bcdedit(&path, &decoded.text);
    let _ = parse::machine::parse_msinfo32(&path, &decoded.text);
}

/// An event's XML ("Save as XML", rendered evtx records).
pub fn event_xml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = parse::event_xml::read_event_xml(&text, &mut Interner::default());
}

/// Our Binary XML walk over one chunk: the first two bytes give the record's offset in the
/// chunk, the rest is the chunk. Read with its template's plan (only `System`, or `System`
/// and then the walk of the rest), the record reads as the walk reads it.
pub fn binxml(data: &[u8]) {
    use parse::binxml::{read_record, read_record_if, Cache};
    let Some((head, chunk)) = data.split_first_chunk::<2>() else {
        return;
    };
    let offset = usize::from(u16::from_le_bytes(*head)) % chunk.len().max(1);
    let size = chunk.len() - offset;
    let mut interner = Interner::default();
    let _ = read_record(chunk, offset, size, &mut interner, &mut Cache::default());
    for wanted in [false, true] {
        let read = |mut cache: Cache| {
            read_record_if(chunk, offset, size, &mut Interner::default(), &mut cache, |_, _| wanted).map(|read| {
                match read {
                    parse::binxml::Read::System(event) => format!("system {event:?}"),
                    parse::binxml::Read::Whole(event) => format!("whole {event:?}"),
                }
            })
        };
        assert_eq!(read(Cache::for_one_chunk()), read(Cache::walking_one_chunk()));
    }
}

/// An `.evtx` file: header, chunks, records, damage reports.
pub fn evtx(data: &[u8]) {
    for keep in [parse::Keep::Everything, parse::Keep::Evidence, parse::Keep::Clock] {
        let options = crate::signals::read_options(1 << 20, keep);
        let _ = parse::evtx::parse(&memory(data), options);
    }
}

/// A cabinet of servicing logs (`CbsPersist_*.cab`).
pub fn cab(data: &[u8]) {
    let _ = parse::parse_cab(&memory(data), parse::ReadOptions::everything(1 << 20));
}

/// A zip archive: central directory, local-header salvage, names, limits, nesting.
pub fn zip(data: &[u8]) {
    let limits = InputLimits {
        max_total_bytes: 64 << 20,
        ..InputLimits::default()
    };
    let mut inputs = Vec::new();
    let mut notices = Vec::new();
    crate::input::unpack_zip(Cursor::new(data), "fuzz.zip", limits, &mut inputs, &mut notices);
}
