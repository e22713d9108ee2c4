//! Reads an evtx record's Binary XML straight from its chunk, without rendering it to XML text
//! and parsing that again: the template definition gives the element structure, the
//! substitution values fill it. Only what backupdiag keeps is built (the same [`XmlEvent`] the
//! XML reader produces). Anything unusual (processing instructions, arrays other than string
//! arrays, a malformed stream) returns `None`, and the caller falls back to the `evtx` crate's
//! XML rendering, so this is a fast path, never a different answer: a test compares both on
//! every record of the real corpus.
//!
//! Format: libyal's EVTX description and MS-EVEN6 (`docs/research/evtx-format.md`); rendering
//! rules (values, omitted elements, expanded arrays) follow the `evtx` crate's renderer.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use jiff::Timestamp;

use crate::model::{Fields, Interner};

use super::event_xml::XmlEvent;

mod plan;

/// A read position in the chunk.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn u8(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(out)
    }

    fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.bytes(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// A substitution value: its type and bytes.
#[derive(Clone, Copy)]
struct Value<'a> {
    kind: u8,
    bytes: &'a [u8],
}

impl Value<'_> {
    /// Null, or empty (what an optional substitution drops).
    fn is_empty(&self) -> bool {
        self.kind == 0 || self.bytes.is_empty()
    }
}

const NULL: Value<'static> = Value { kind: 0, bytes: &[] };

/// Reads the record whose Binary XML is `chunk[offset..offset + size]`.
pub fn read_record(
    chunk: &[u8],
    offset: usize,
    size: usize,
    interner: &mut Interner,
    cache: &mut Cache,
) -> Option<XmlEvent> {
    match read_record_if(chunk, offset, size, interner, cache, |_, _| true)? {
        Read::Whole(event) => Some(event),
        Read::System(_) => None,
    }
}

/// A record read whole, or only as far as its `System` section.
pub enum Read {
    /// Every value backupdiag keeps.
    Whole(XmlEvent),
    /// Provider, id, level, time, record id, channel and computer: what `System` holds.
    System(XmlEvent),
}

/// [`read_record`], stopping after the `System` section when `wanted(provider, id)` says the
/// rest is not wanted (nothing after it is substituted or rendered).
pub fn read_record_if(
    chunk: &[u8],
    offset: usize,
    size: usize,
    interner: &mut Interner,
    cache: &mut Cache,
    wanted: impl Fn(&str, Option<u32>) -> bool,
) -> Option<Read> {
    let end = offset.checked_add(size)?.min(chunk.len());
    let Some(planned) = planned_system(chunk, offset, end, interner, cache) else {
        let mut sink = Sink::new(interner, &mut cache.names);
        sink.wanted = Some(&wanted);
        walk(chunk, offset, end, &[], false, &mut sink, 0)?;
        return walked(sink);
    };
    if !wanted(
        planned.event.provider.as_deref().unwrap_or_default(),
        planned.event.event_id,
    ) {
        planned.event.provider.as_ref()?;
        return Some(Read::System(planned.event));
    }
    // The rest of the record is walked where the walk would be after `System`: inside the
    // root element, then after the template instance.
    let mut sink = Sink::new(interner, &mut cache.names);
    sink.wanted = Some(&wanted);
    sink.event = planned.event;
    sink.stack.push((planned.root, false));
    let (rest, rest_end) = planned.rest;
    walk(chunk, rest, rest_end, &planned.values, true, &mut sink, 1)?;
    walk(chunk, planned.after, end, &[], false, &mut sink, 0)?;
    walked(sink)
}

/// What a record's walk gave: its `System` where it stopped there, the whole record where
/// every element it opened was closed; nothing without a provider.
fn walked(sink: Sink<'_>) -> Option<Read> {
    sink.event.provider.as_ref()?;
    if sink.stopped {
        return Some(Read::System(sink.event));
    }
    sink.stack.is_empty().then_some(Read::Whole(sink.event))
}

/// A record's `System` read by its template's plan, and where the walk goes on from.
struct Planned<'a> {
    event: XmlEvent,
    values: Vec<Value<'a>>,
    root: Arc<str>,
    /// The template's tokens after `System`.
    rest: (usize, usize),
    /// The record's tokens after the template instance.
    after: usize,
}

/// The `System` of the record at `chunk[start..end]` by its template's plan, when `cache` is
/// one chunk's; `None` where the record is walked (see `plan`).
fn planned_system<'a>(
    chunk: &'a [u8],
    start: usize,
    end: usize,
    interner: &mut Interner,
    cache: &mut Cache,
) -> Option<Planned<'a>> {
    let plans = cache.plans.as_mut()?;
    let mut c = Cursor {
        data: chunk.get(..end)?,
        pos: start,
    };
    // A fragment header, then the template instance.
    if c.u8()? != 0x0f {
        return None;
    }
    c.bytes(3)?;
    if c.u8()? != 0x0c {
        return None;
    }
    let instance = instance(&mut c)?;
    let names = &mut cache.names;
    let plan = plans.entry(instance.definition).or_insert_with(|| {
        template_body(chunk, instance.definition).and_then(|(body, end)| plan::plan(chunk, body, end, names))
    });
    let plan = plan.as_ref()?;
    let event = plan::system(plan, &instance.values, interner, &mut cache.memo)?;
    Some(Planned {
        event,
        values: instance.values,
        root: Arc::clone(&plan.root),
        rest: plan.rest,
        after: c.pos,
    })
}

/// Walks tokens from `start` to `end`; `values` are the substitutions of the template being
/// walked (none outside a template).
fn walk(
    chunk: &[u8],
    start: usize,
    end: usize,
    values: &[Value<'_>],
    in_template: bool,
    sink: &mut Sink<'_>,
    depth: u8,
) -> Option<()> {
    if depth > 8 {
        return None;
    }
    let mut c = Cursor {
        data: chunk.get(..end)?,
        pos: start,
    };
    while c.pos < end && !sink.stopped {
        let token = c.u8()?;
        match token {
            0x00 => break,
            0x0f => {
                c.bytes(3)?;
            }
            0x0c => template_instance(&mut c, chunk, sink, depth)?,
            0x01 | 0x41 => {
                let dependency = if in_template { c.u16()? } else { 0xffff };
                c.u32()?;
                let name = name_at(&mut c, chunk, sink.names)?;
                if token == 0x41 {
                    c.u32()?;
                }
                let omitted = dependency != 0xffff && values.get(usize::from(dependency)).is_some_and(|v| v.kind == 0);
                sink.open(name, omitted && sink.depth() > 0);
            }
            0x02 => sink.close_start(),
            0x03 => sink.close_empty(),
            0x04 => sink.end(),
            0x05 | 0x45 => {
                let kind = c.u8()?;
                if kind != 0x01 {
                    return None;
                }
                let n = usize::from(c.u16()?);
                let text = c.bytes(2 * n)?;
                if let Some(target) = sink.target() {
                    push_utf16(target, text);
                }
            }
            0x06 | 0x46 => {
                let name = name_at(&mut c, chunk, sink.names)?;
                sink.attribute(name);
            }
            0x07 | 0x47 => {
                let n = usize::from(c.u16()?);
                let text = c.bytes(2 * n)?;
                if let Some(target) = sink.target() {
                    push_utf16(target, text);
                }
            }
            0x08 | 0x48 => {
                let unit = c.u16()?;
                if let (Some(ch), Some(target)) = (char::from_u32(u32::from(unit)), sink.target()) {
                    target.push(ch);
                }
            }
            0x09 | 0x49 => {
                let name = name_at(&mut c, chunk, sink.names)?;
                if let Some(target) = sink.target() {
                    target.push_str(entity(&name));
                }
            }
            0x0d | 0x0e => {
                let index = usize::from(c.u16()?);
                c.u8()?;
                let value = values.get(index).copied().unwrap_or(NULL);

                if token == 0x0e && value.is_empty() {
                    sink.drop_attribute();
                    continue;
                }
                substitute(chunk, value, sink, depth)?;
            }
            _ => return None,
        }
    }
    Some(())
}

/// What the records read with it share. One cache serves every chunk of a file
/// ([`Cache::default`]); a cache made for one chunk alone ([`Cache::for_one_chunk`]) also reads
/// each record's `System` by its template's plan (see `plan`).
#[derive(Default)]
pub struct Cache {
    names: Names,
    /// The names the plans read, by the bytes they were read from.
    memo: plan::NameMemo,
    /// Each template's plan, by the offset of its definition (`None` inside: no plan).
    plans: Option<HashMap<usize, Option<plan::Plan>, BuildOffsetHasher>>,
}

impl Cache {
    /// A cache for the records of one chunk: there an offset always holds the same name and
    /// the same template.
    pub fn for_one_chunk() -> Cache {
        Cache {
            names: Names::for_one_chunk(),
            memo: plan::NameMemo::default(),
            plans: Some(HashMap::default()),
        }
    }

    /// [`Cache::for_one_chunk`] without plans: every record is walked (to compare the two).
    pub fn walking_one_chunk() -> Cache {
        Cache {
            names: Names::for_one_chunk(),
            memo: plan::NameMemo::default(),
            plans: None,
        }
    }
}

/// Element and attribute names already decoded, by chunk offset (a record names the same few
/// dozen). Each entry keeps the name's UTF-16 bytes and is used only while the chunk still holds
/// them at that offset; a cache for one chunk alone takes its entries without comparing.
#[derive(Default)]
struct Names {
    by_offset: HashMap<usize, CachedName, BuildOffsetHasher>,
    one_chunk: bool,
}

impl Names {
    fn for_one_chunk() -> Names {
        Names {
            one_chunk: true,
            ..Names::default()
        }
    }
}

/// A name's UTF-16 bytes as the chunk holds them, and the name.
type CachedName = (Box<[u8]>, Arc<str>);

/// Hashes chunk offsets (small, distinct integers) with one multiplication.
type BuildOffsetHasher = std::hash::BuildHasherDefault<OffsetHasher>;

/// See [`BuildOffsetHasher`].
#[derive(Default)]
struct OffsetHasher(u64);

impl std::hash::Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A name structure at the offset read from the stream (inline when it follows at once).
fn name_at(c: &mut Cursor<'_>, chunk: &[u8], names: &mut Names) -> Option<Arc<str>> {
    let offset = c.u32()? as usize;
    let at = offset.checked_add(6)?;
    let n = usize::from(u16::from_le_bytes([*chunk.get(at)?, *chunk.get(at + 1)?]));
    let raw = chunk.get(at + 2..at + 2 + 2 * n)?;
    let name = match names.by_offset.get(&offset) {
        Some((cached, name)) if names.one_chunk || **cached == *raw => Arc::clone(name),
        _ => {
            let mut text = String::new();
            push_utf16(&mut text, raw);
            let name: Arc<str> = Arc::from(text);
            let kept: &[u8] = if names.one_chunk { &[] } else { raw };
            names.by_offset.insert(offset, (Box::from(kept), Arc::clone(&name)));
            name
        }
    };
    if offset == c.pos {
        c.pos += 10 + 2 * n;
    }
    Some(name)
}

fn entity(name: &str) -> &'static str {
    match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

/// A template instance: the definition (inline or elsewhere in the chunk), then its values.
fn template_instance(c: &mut Cursor<'_>, chunk: &[u8], sink: &mut Sink<'_>, depth: u8) -> Option<()> {
    let instance = instance(c)?;
    let (body, end) = template_body(chunk, instance.definition)?;
    walk(chunk, body, end, &instance.values, true, sink, depth + 1)
}

/// A template instance's definition (its offset in the chunk) and substitution values.
struct Instance<'a> {
    definition: usize,
    values: Vec<Value<'a>>,
}

/// Reads a template instance after its token: the definition's offset (skipping the
/// definition where it is inline), then the values.
fn instance<'a>(c: &mut Cursor<'a>) -> Option<Instance<'a>> {
    c.u8()?;
    c.u32()?;
    let definition = c.u32()? as usize;
    if definition == c.pos {
        c.bytes(20)?;
        let size = c.u32()? as usize;
        c.bytes(size)?;
    }
    let count = c.u32()? as usize;
    if count > 4096 {
        return None;
    }
    let descriptors = c.bytes(4 * count)?;
    let mut values = Vec::with_capacity(count);
    for descriptor in descriptors.chunks_exact(4) {
        let size = usize::from(u16::from_le_bytes([descriptor[0], descriptor[1]]));
        values.push(Value {
            kind: descriptor[2],
            bytes: c.bytes(size)?,
        });
    }
    Some(Instance { definition, values })
}

/// The body of the template defined at `definition`: where it starts and ends in `chunk`.
fn template_body(chunk: &[u8], definition: usize) -> Option<(usize, usize)> {
    let header = definition.checked_add(20)?;
    let body_size = u32::from_le_bytes(chunk.get(header..header + 4)?.try_into().ok()?) as usize;
    let body = header + 4;
    Some((body, body.checked_add(body_size)?.min(chunk.len())))
}

/// Puts a value where its substitution stands.
fn substitute(chunk: &[u8], value: Value<'_>, sink: &mut Sink<'_>, depth: u8) -> Option<()> {
    match value.kind {
        0x21 => {
            // Embedded Binary XML (classic EventData): a fragment of its own.
            let start = value.bytes.as_ptr() as usize - chunk.as_ptr() as usize;
            walk(chunk, start, start + value.bytes.len(), &[], false, sink, depth + 1)
        }
        0x81 => {
            let items: Vec<String> = value
                .bytes
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect::<Vec<_>>()
                .split(|u| *u == 0)
                .map(String::from_utf16_lossy)
                .collect();
            let mut items = items;
            if items.last().is_some_and(String::is_empty) {
                items.pop();
            }
            sink.array(items);
            Some(())
        }
        kind if kind & 0x80 != 0 => {
            // Arrays of fixed-size values: the containing element repeats per item.
            let base = kind & 0x7f;
            let width = fixed_width(base)?;
            let items = value
                .bytes
                .chunks_exact(width)
                .map(|item| {
                    let mut text = String::new();
                    render(
                        Value {
                            kind: base,
                            bytes: item,
                        },
                        &mut text,
                    )
                    .map(|()| text)
                })
                .collect::<Option<Vec<_>>>()?;
            sink.array(items);
            Some(())
        }
        0x11 if sink.attribute.is_some() => {
            sink.attribute_time = Some(filetime(u64::from_le_bytes(int(value.bytes)?))?);
            Some(())
        }
        _ => match sink.target() {
            Some(target) => render(value, target),
            None => Some(()),
        },
    }
}

/// The size of one value of a fixed-size type.
fn fixed_width(kind: u8) -> Option<usize> {
    match kind {
        0x03 | 0x04 => Some(1),
        0x05 | 0x06 => Some(2),
        0x07 | 0x08 | 0x0d | 0x14 => Some(4),
        0x09 | 0x0a | 0x11 | 0x15 => Some(8),
        0x0f => Some(16),
        _ => None,
    }
}

/// UTF-16LE text up to its first NUL; an unpaired surrogate or a control character XML cannot
/// hold becomes `_`, as the `evtx` crate renders it.
fn push_utf16(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() / 2);
    let mut rest = bytes;
    // ASCII, the common case, a unit at a time without the surrogate decoder.
    while let [low, 0, tail @ ..] = rest {
        if *low >= 0x80 {
            break;
        }
        if *low == 0 {
            return;
        }
        out.push(xml_safe(char::from(*low)));
        rest = tail;
    }
    let units = rest
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .take_while(|u| *u != 0);
    for c in char::decode_utf16(units) {
        out.push(xml_safe(c.unwrap_or('_')));
    }
}

fn xml_safe(c: char) -> char {
    if (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}') {
        '_'
    } else {
        c
    }
}

fn int<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.get(..N)?.try_into().ok()
}

/// Appends a value to `out` as the `evtx` crate renders it in XML text.
fn render(value: Value<'_>, out: &mut String) -> Option<()> {
    let b = value.bytes;
    match value.kind {
        0x00 => {}
        0x01 => push_utf16(out, b),
        0x02 => out.extend(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(b)
                .0
                .trim_end_matches('\0')
                .chars()
                .map(xml_safe),
        ),
        0x03 => push_display(out, i8::from_le_bytes(int(b)?)),
        0x04 => push_display(out, u8::from_le_bytes(int(b)?)),
        0x05 => push_display(out, i16::from_le_bytes(int(b)?)),
        0x06 => push_display(out, u16::from_le_bytes(int(b)?)),
        0x07 => push_display(out, i32::from_le_bytes(int(b)?)),
        0x08 => push_display(out, u32::from_le_bytes(int(b)?)),
        0x09 => push_display(out, i64::from_le_bytes(int(b)?)),
        0x0a => push_display(out, u64::from_le_bytes(int(b)?)),
        0x0d => match i32::from_le_bytes(int(b)?) {
            0 => out.push_str("false"),
            1 => out.push_str("true"),
            other => push_display(out, other),
        },
        0x0e => {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.reserve(2 * b.len());
            for byte in b {
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
        0x0f => out.push_str(&guid(int::<16>(b)?)),
        0x10 if b.len() == 4 => push_hex(out, u64::from(u32::from_le_bytes(int(b)?))),
        0x10 if b.len() == 8 => push_hex(out, u64::from_le_bytes(int(b)?)),
        0x11 => out.push_str(&filetime_text(u64::from_le_bytes(int(b)?))?),
        0x13 => out.push_str(&sid(b)?),
        0x14 => push_hex(out, u64::from(u32::from_le_bytes(int(b)?))),
        0x15 => push_hex(out, u64::from_le_bytes(int(b)?)),
        _ => return None,
    }
    Some(())
}

fn push_display(out: &mut String, value: impl std::fmt::Display) {
    let _ = write!(out, "{value}");
}

fn push_hex(out: &mut String, value: u64) {
    let _ = write!(out, "{value:#x}");
}

fn guid(b: [u8; 16]) -> String {
    format!(
        "{{{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}}}",
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_le_bytes([b[4], b[5]]),
        u16::from_le_bytes([b[6], b[7]]),
        b[8],
        b[9],
        b[10],
        b[11],
        b[12],
        b[13],
        b[14],
        b[15]
    )
}

fn sid(b: &[u8]) -> Option<String> {
    let (&revision, rest) = b.split_first()?;
    let (&count, rest) = rest.split_first()?;
    let authority = u64::from_be_bytes([
        0,
        0,
        *rest.first()?,
        *rest.get(1)?,
        *rest.get(2)?,
        *rest.get(3)?,
        *rest.get(4)?,
        *rest.get(5)?,
    ]);
    let mut out = format!("S-{revision}-{authority}");
    for sub in rest.get(6..)?.chunks_exact(4).take(usize::from(count)) {
        let _ = write!(out, "-{}", u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]]));
    }
    Some(out)
}

/// FILETIME as a timestamp.
fn filetime(ticks: u64) -> Option<Timestamp> {
    let since_unix = i128::from(ticks) - 116_444_736_000_000_000;
    Timestamp::from_nanosecond(since_unix * 100).ok()
}

/// FILETIME as `YYYY-MM-DDTHH:MM:SS.fffffffZ`.
fn filetime_text(ticks: u64) -> Option<String> {
    let t = filetime(ticks)?;
    let fraction = ticks % 10_000_000;
    Some(format!("{}.{fraction:07}Z", t.strftime("%Y-%m-%dT%H:%M:%S")))
}

/// Builds the event as the tokens come, with the same rules as the XML reader.
/// Whether the rest of a record is wanted, from its provider and event id.
type Wanted<'w> = dyn Fn(&str, Option<u32>) -> bool + 'w;

struct Sink<'i> {
    interner: &'i mut Interner,
    names: &'i mut Names,
    event: XmlEvent,
    /// Open elements: name, and whether it is omitted (its value was null).
    stack: Vec<(Arc<str>, bool)>,
    attribute: Option<Arc<str>>,
    attribute_text: String,
    /// A FILETIME attribute value, kept as a time rather than rendered and parsed again.
    attribute_time: Option<Timestamp>,
    text: String,
    data_name: Option<String>,
    array: Option<Vec<String>>,
    positional: usize,
    skipping: usize,
    /// Whether the rest of the record is wanted once `System` is read (provider, id).
    wanted: Option<&'i Wanted<'i>>,
    /// The walk stopped after `System`.
    stopped: bool,
}

impl<'i> Sink<'i> {
    fn new(interner: &'i mut Interner, names: &'i mut Names) -> Sink<'i> {
        Sink {
            interner,
            names,
            event: XmlEvent::default(),
            stack: Vec::with_capacity(8),
            attribute: None,
            attribute_text: String::new(),
            attribute_time: None,
            text: String::new(),
            data_name: None,
            array: None,
            positional: 0,
            skipping: 0,
            wanted: None,
            stopped: false,
        }
    }

    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn section(&self) -> &str {
        self.stack.get(1).map_or("", |(name, _)| &**name)
    }

    fn open(&mut self, name: Arc<str>, omitted: bool) {
        self.finish_attribute();
        if omitted || self.skipping > 0 {
            self.skipping += 1;
        }
        self.stack.push((name, omitted));
        self.text.clear();
        self.array = None;
    }

    fn attribute(&mut self, name: Arc<str>) {
        self.finish_attribute();
        self.attribute = Some(name);
    }

    /// An optional substitution that was empty: the attribute it stood for is dropped.
    fn drop_attribute(&mut self) {
        if self.attribute.is_some() && self.attribute_text.is_empty() && self.attribute_time.is_none() {
            self.attribute = None;
        }
    }

    fn finish_attribute(&mut self) {
        let Some(name) = self.attribute.take() else { return };
        let time = self.attribute_time.take();
        let mut value = std::mem::take(&mut self.attribute_text);
        if self.skipping > 0 || (value.is_empty() && time.is_none()) {
            value.clear();
            self.attribute_text = value;
            return;
        }
        let element = self.stack.last().map_or("", |(n, _)| &**n);
        match (self.section(), element, &*name) {
            ("System", "Provider", "Name") => self.event.provider = Some(self.interner.get(&value)),
            ("System", "TimeCreated", "SystemTime") => {
                self.event.time_created = time.or_else(|| value.parse().ok());
            }
            ("EventData", "Data", "Name") => {
                self.data_name = Some(value);
                return;
            }
            _ => {}
        }
        // The buffer is reused for the next attribute.
        value.clear();
        self.attribute_text = value;
    }

    fn close_start(&mut self) {
        self.finish_attribute();
    }

    fn close_empty(&mut self) {
        self.finish_attribute();
        self.end();
    }

    /// Where text goes now: the open attribute's value, or the element's text; `None` when
    /// the event keeps neither, so the value is not rendered at all.
    fn target(&mut self) -> Option<&mut String> {
        if self.skipping > 0 {
            return None;
        }
        let element = self.stack.last().map_or("", |(n, _)| &**n);
        let section = Section::of(self.section());
        match &self.attribute {
            Some(attribute) => {
                let kept = matches!(
                    (section, element, &**attribute),
                    (Section::System, "Provider", "Name")
                        | (Section::System, "TimeCreated", "SystemTime")
                        | (Section::EventData, "Data", "Name")
                );
                kept.then_some(&mut self.attribute_text)
            }
            None => {
                let kept = match section {
                    Section::System => {
                        matches!(element, "EventID" | "Level" | "EventRecordID" | "Channel" | "Computer")
                    }
                    Section::EventData => matches!(element, "Data" | "Binary"),
                    Section::UserData => self.stack.len() > 3,
                    Section::Other => false,
                };
                kept.then_some(&mut self.text)
            }
        }
    }

    fn array(&mut self, items: Vec<String>) {
        if items.is_empty() {
            // An empty array renders as one empty element.
            return;
        }
        if self.attribute.is_some() {
            self.attribute_text.push_str(&items.join(","));
        } else {
            self.array = Some(items);
        }
    }

    fn end(&mut self) {
        self.finish_attribute();
        let section = Section::of(self.section());
        let depth = self.stack.len();
        let Some((name, _)) = self.stack.pop() else { return };
        let skipped = self.skipping > 0;

        if skipped {
            self.skipping -= 1;
            self.text.clear();
            self.data_name = None;
            return;
        }
        if depth == 2 && &*name == "System" {
            let provider = self.event.provider.as_deref().unwrap_or_default();
            self.stopped = self.wanted.is_some_and(|wanted| !wanted(provider, self.event.event_id));
        }
        let mut text = std::mem::take(&mut self.text);
        match section {
            Section::System => self.close_system(&name, text.trim()),
            Section::EventData => self.close_data(&name, &text),
            Section::UserData if depth > 3 => match self.array.take() {
                Some(items) => items.iter().for_each(|item| self.event.fields.push(&name, item)),
                None => self.event.fields.push(&name, &text),
            },
            _ => {}
        }
        self.array = None;
        // The buffer is reused for the next element's text.
        text.clear();
        self.text = text;
    }

    fn close_system(&mut self, name: &str, text: &str) {
        set_system_element(&mut self.event, self.interner, name, text);
    }

    fn close_data(&mut self, name: &str, text: &str) {
        match name {
            "Data" => {
                let data_name = self.data_name.take();
                match self.array.take() {
                    Some(items) => items.iter().for_each(|item| self.push_data(data_name.as_deref(), item)),
                    None => self.push_data(data_name.as_deref(), text),
                }
            }
            "Binary" => self.event.fields.push("Binary", text),
            _ => {}
        }
    }

    /// One `<Data>` value, under its name or its position.
    fn push_data(&mut self, name: Option<&str>, value: &str) {
        self.positional += 1;
        match name {
            Some(n) => self.event.fields.push(n, value),
            None => self.event.fields.push(&positional(self.positional), value),
        }
    }
}

/// What the text of the `System` element `name` sets in `event` (trimmed `text`).
fn set_system_element(event: &mut XmlEvent, interner: &mut Interner, name: &str, text: &str) {
    match name {
        "EventID" => event.event_id = text.parse().ok(),
        "Level" => event.level = text.parse().ok(),
        "EventRecordID" => event.record_id = text.parse().ok(),
        "Channel" if !text.is_empty() => event.channel = Some(interner.get(text)),
        "Computer" if !text.is_empty() => event.computer = Some(interner.get(text)),
        _ => {}
    }
}

/// The part of the event an element is in (the second element on the path).
#[derive(Clone, Copy)]
enum Section {
    System,
    EventData,
    UserData,
    Other,
}

impl Section {
    fn of(name: &str) -> Section {
        match name {
            "System" => Section::System,
            "EventData" => Section::EventData,
            "UserData" => Section::UserData,
            _ => Section::Other,
        }
    }
}

fn positional(index: usize) -> String {
    format!("%{index}")
}

/// Kept for the equality test: an event's fields as pairs.
pub fn pairs(fields: &Fields) -> Vec<(String, String)> {
    fields.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}
