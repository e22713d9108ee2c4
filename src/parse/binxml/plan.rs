//! A template's `System` section read once per chunk: where each value the event keeps from it
//! comes from (a text of the template, or substitution value number *n*). Most records are
//! kept only as far as `System` (provider, id, level, time, record id, channel, computer), and
//! walking the template's tokens again for each of them cost a third of reading an evtx file;
//! with a plan, a record's `System` values are rendered straight from its substitution values.
//! A record read whole is walked only from where `System` ends.
//!
//! A plan gives what the walk gives, or declines. A template whose `System` section holds
//! anything unusual (a nested template, a character or entity reference where a kept value
//! goes, an attribute made of two parts, `System` not the root's first child) has no plan. A
//! record whose values could walk differently (embedded Binary XML, an array, a FILETIME that
//! does not convert, a value that does not render) is walked.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use crate::model::Interner;

use super::{filetime, int, name_at, push_utf16, render, set_system_element, Cursor, Names, Value, NULL};
use crate::parse::event_xml::XmlEvent;

/// Where the `System` section of one template puts what the event keeps.
#[derive(Debug)]
pub(super) struct Plan {
    /// The root element's name: the one element open where `System` ends.
    pub(super) root: Arc<str>,
    /// Where the template's tokens after `System` start and end in the chunk: a record read
    /// whole is walked from there once the plan has read its `System`.
    pub(super) rest: (usize, usize),
    /// Every substitution the walk meets before `System` ends, kept or not: the walk fails on
    /// some values wherever they stand.
    substitutions: Vec<Substitution>,
    /// The values the event keeps, in the order the walk sets them.
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
struct Substitution {
    index: u16,
    /// Optional (token 0x0e): an empty value is dropped unread.
    optional: bool,
    in_attribute: bool,
}

/// A value the event keeps from `System`.
#[derive(Debug)]
struct Item {
    target: Target,
    /// The substitutions whose null value leaves out an element around it.
    dependencies: Vec<u16>,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `Provider/@Name`.
    ProviderName,
    /// `TimeCreated/@SystemTime`.
    SystemTime,
    /// The text of a `System` element the event keeps, by its name.
    Element(&'static str),
}

impl Target {
    /// The `System` element whose text the event keeps, named `name`.
    fn element(name: &str) -> Option<Target> {
        ["EventID", "Level", "EventRecordID", "Channel", "Computer"]
            .into_iter()
            .find(|kept| *kept == name)
            .map(Target::Element)
    }
}

#[derive(Debug)]
enum Part {
    Text(String),
    Value(Substitution),
}

/// The `System` section of the template body at `chunk[body..end]`, planned; `None` when the
/// template holds anything a plan does not cover.
pub(super) fn plan(chunk: &[u8], body: usize, end: usize, names: &mut Names) -> Option<Plan> {
    let mut c = Cursor {
        data: chunk.get(..end)?,
        pos: body,
    };
    let mut builder = Builder::default();
    while c.pos < end {
        let token = c.u8()?;
        match token {
            0x0f => {
                c.bytes(3)?;
            }
            0x01 | 0x41 => {
                let dependency = c.u16()?;
                c.u32()?;
                let name = name_at(&mut c, chunk, names)?;
                if token == 0x41 {
                    c.u32()?;
                }
                builder.open(name, dependency)?;
            }
            0x02 => builder.finish_attribute(),
            0x03 | 0x04 => {
                if token == 0x03 {
                    builder.finish_attribute();
                }
                if let Some(plan) = builder.end((c.pos, end))? {
                    return Some(plan);
                }
            }
            0x05 | 0x45 => {
                if c.u8()? != 0x01 {
                    return None;
                }
                let n = usize::from(c.u16()?);
                let mut text = String::new();
                push_utf16(&mut text, c.bytes(2 * n)?);
                builder.part(Part::Text(text))?;
            }
            0x06 | 0x46 => {
                let name = name_at(&mut c, chunk, names)?;
                builder.finish_attribute();
                builder.attribute = Some((name, 0));
            }
            0x07 | 0x47 => {
                let n = usize::from(c.u16()?);
                let mut text = String::new();
                push_utf16(&mut text, c.bytes(2 * n)?);
                builder.part(Part::Text(text))?;
            }
            0x08 | 0x48 | 0x09 | 0x49 => {
                if token & 0x0f == 0x08 {
                    c.u16()?;
                } else {
                    name_at(&mut c, chunk, names)?;
                }
                // A reference where a kept value goes: not planned.
                if builder.kept_target().is_some() {
                    return None;
                }
            }
            0x0d | 0x0e => {
                let index = c.u16()?;
                c.u8()?;
                let substitution = Substitution {
                    index,
                    optional: token == 0x0e,
                    in_attribute: builder.attribute.is_some(),
                };
                builder.substitutions.push(substitution);
                builder.part(Part::Value(substitution))?;
            }
            // The end of the stream, a nested template, anything else: not planned.
            _ => return None,
        }
    }
    None
}

/// The walk's state while a plan is made (`Sink`'s, without the values).
#[derive(Default)]
struct Builder {
    /// Open elements: name, and the substitution that leaves it out when null.
    stack: Vec<(Arc<str>, Option<u16>)>,
    /// The open attribute and how many parts it has had.
    attribute: Option<(Arc<str>, usize)>,
    /// The parts of the open attribute when it is kept.
    attribute_parts: Vec<Part>,
    /// The parts of the innermost element's text since it (or its last child) opened or ended.
    text: Vec<Part>,
    substitutions: Vec<Substitution>,
    items: Vec<Item>,
}

impl Builder {
    fn section(&self) -> &str {
        self.stack.get(1).map_or("", |(name, _)| &**name)
    }

    fn dependencies(&self) -> Vec<u16> {
        self.stack
            .iter()
            .skip(1)
            .filter_map(|(_, dependency)| *dependency)
            .collect()
    }

    fn open(&mut self, name: Arc<str>, dependency: u16) -> Option<()> {
        self.finish_attribute();
        // `System` must be the root's first child: anything before it may keep values.
        if self.stack.len() == 1 && &*name != "System" {
            return None;
        }
        // The root is never left out (the walk's `depth() > 0`).
        let dependency = (dependency != 0xffff && !self.stack.is_empty()).then_some(dependency);
        self.stack.push((name, dependency));
        self.text.clear();
        Some(())
    }

    /// What a value standing here would set: the open attribute's, or the element's text.
    fn kept_target(&self) -> Option<Target> {
        if self.section() != "System" {
            return None;
        }
        let element = self.stack.last().map_or("", |(n, _)| &**n);
        match &self.attribute {
            Some((attribute, _)) => match (element, &**attribute) {
                ("Provider", "Name") => Some(Target::ProviderName),
                ("TimeCreated", "SystemTime") => Some(Target::SystemTime),
                _ => None,
            },
            None => Target::element(element),
        }
    }

    fn part(&mut self, part: Part) -> Option<()> {
        let kept = self.kept_target();
        match &mut self.attribute {
            Some((_, parts)) => {
                // One part per attribute: an optional empty value drops the attribute, and
                // what follows would then go elsewhere.
                *parts += 1;
                if *parts > 1 {
                    return None;
                }
                if kept.is_some() {
                    self.attribute_parts.push(part);
                }
            }
            None if kept.is_some() => self.text.push(part),
            None => {}
        }
        Some(())
    }

    fn finish_attribute(&mut self) {
        let target = self.kept_target();
        if self.attribute.take().is_none() {
            return;
        }
        let parts = std::mem::take(&mut self.attribute_parts);
        if let Some(target) = target {
            let dependencies = self.dependencies();
            self.items.push(Item {
                target,
                dependencies,
                parts,
            });
        }
    }

    /// Ends the innermost element; the plan when it was `System`, the template's tokens after
    /// it being `rest`.
    fn end(&mut self, rest: (usize, usize)) -> Option<Option<Plan>> {
        self.finish_attribute();
        let dependencies = self.dependencies();
        let in_system = self.section() == "System";
        let depth = self.stack.len();
        let (name, _) = self.stack.pop()?;
        let text = std::mem::take(&mut self.text);
        // `System` left out by a null value leaves out every item with it: the event has no
        // provider, and is not read, by the plan as by the walk.
        if depth == 2 && &*name == "System" {
            let root = self.stack.first().map(|(root, _)| Arc::clone(root))?;
            return Some(Some(Plan {
                root,
                rest,
                substitutions: std::mem::take(&mut self.substitutions),
                items: std::mem::take(&mut self.items),
            }));
        }
        if let Some(target) = Target::element(&name).filter(|_| in_system) {
            self.items.push(Item {
                target,
                dependencies,
                parts: text,
            });
        }
        Some(None)
    }
}

/// The names of one chunk's records (provider, channel, computer) by the bytes of the string
/// value that gave them: a chunk's records repeat a few names, each rendered and interned once.
#[derive(Debug, Default)]
pub(super) struct NameMemo([NamesByBytes; 3]);

/// Names (or their absence: an empty text sets none) by the bytes of their value.
type NamesByBytes = HashMap<Box<[u8]>, Option<Arc<str>>, foldhash::fast::FixedState>;

impl NameMemo {
    /// The memo's table for an item, and the string value it reads its name from: only for
    /// the names kept, read from one value alone.
    fn key<'v>(item: &Item, value: impl Fn(u16) -> Value<'v>) -> Option<(usize, &'v [u8])> {
        let table = match item.target {
            Target::ProviderName => 0,
            Target::Element("Channel") => 1,
            Target::Element("Computer") => 2,
            _ => return None,
        };
        let [Part::Value(substitution)] = item.parts.as_slice() else {
            return None;
        };
        let v = value(substitution.index);
        (v.kind == 0x01).then_some((table, v.bytes))
    }

    fn get(&self, (table, raw): (usize, &[u8])) -> Option<&Option<Arc<str>>> {
        self.0.get(table)?.get(raw)
    }

    fn insert(&mut self, (table, raw): (usize, &[u8]), name: Option<Arc<str>>) {
        if let Some(names) = self.0.get_mut(table) {
            names.insert(raw.into(), name);
        }
    }
}

/// What a name item sets in `event` (the walk's way: a provider when its text is not empty,
/// a channel or computer from its trimmed text when that is not empty).
fn name_of(target: Target, text: &str, interner: &mut Interner) -> Option<Arc<str>> {
    let text = match target {
        Target::ProviderName => text,
        _ => text.trim(),
    };
    (!text.is_empty()).then(|| interner.get(text))
}

fn set_name(event: &mut XmlEvent, target: Target, name: Option<Arc<str>>) {
    let Some(name) = name else { return };
    match target {
        Target::ProviderName => event.provider = Some(name),
        Target::Element("Channel") => event.channel = Some(name),
        Target::Element("Computer") => event.computer = Some(name),
        _ => {}
    }
}

/// A record's `System` by `plan`, or `None` where the walk must read it (see the module doc).
pub(super) fn system(
    plan: &Plan,
    values: &[Value<'_>],
    interner: &mut Interner,
    memo: &mut NameMemo,
) -> Option<XmlEvent> {
    let value = |index: u16| values.get(usize::from(index)).copied().unwrap_or(NULL);
    let is_null = |index: u16| values.get(usize::from(index)).is_some_and(|v| v.kind == 0);
    for substitution in &plan.substitutions {
        let v = value(substitution.index);
        if substitution.optional && v.is_empty() {
            continue;
        }
        if v.kind == 0x21 || v.kind & 0x80 != 0 {
            return None;
        }
        if v.kind == 0x11 && substitution.in_attribute {
            filetime(u64::from_le_bytes(int(v.bytes)?))?;
        }
    }
    let mut event = XmlEvent::default();
    let mut text = String::new();
    for item in &plan.items {
        if item.dependencies.iter().any(|d| is_null(*d)) {
            continue;
        }
        let memo_key = NameMemo::key(item, value);
        if let Some(name) = memo_key.and_then(|key| memo.get(key)) {
            set_name(&mut event, item.target, name.clone());
            continue;
        }
        text.clear();
        let mut time: Option<Timestamp> = None;
        for part in &item.parts {
            match part {
                Part::Text(literal) => text.push_str(literal),
                Part::Value(substitution) => {
                    let v = value(substitution.index);
                    if substitution.optional && v.is_empty() {
                        continue;
                    }
                    if v.kind == 0x11 && substitution.in_attribute {
                        time = filetime(u64::from_le_bytes(int(v.bytes)?));
                    } else {
                        render(v, &mut text)?;
                    }
                }
            }
        }
        if let Some(key) = memo_key {
            let name = name_of(item.target, &text, interner);
            memo.insert(key, name.clone());
            set_name(&mut event, item.target, name);
            continue;
        }
        // As the walk sets them: an attribute only when it has a value, an element always.
        match item.target {
            Target::Element(name) => set_system_element(&mut event, interner, name, text.trim()),
            _ if text.is_empty() && time.is_none() => {}
            Target::ProviderName => event.provider = Some(interner.get(&text)),
            Target::SystemTime => event.time_created = time.or_else(|| text.parse().ok()),
        }
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use crate::model::Interner;
    use crate::parse::binxml::{read_record_if, Cache, Read};

    fn name(b: &mut Vec<u8>, name: &str) {
        // Inline: the offset of the name structure is where it follows.
        let offset = u32::try_from(b.len() + 4).expect("small");
        b.extend(offset.to_le_bytes());
        b.extend([0; 6]);
        b.extend(u16::try_from(name.len()).expect("short").to_le_bytes());
        name.encode_utf16().for_each(|u| b.extend(u.to_le_bytes()));
        b.extend([0; 2]);
    }

    fn open(b: &mut Vec<u8>, element: &str, dependency: u16) {
        b.push(0x01);
        b.extend(dependency.to_le_bytes());
        b.extend([0; 4]);
        name(b, element);
    }

    fn substitution(b: &mut Vec<u8>, index: u16) {
        b.push(0x0d);
        b.extend(index.to_le_bytes());
        b.push(0x01);
    }

    /// A record of the template `<Event><System><Provider Name="Disk"/><EventID>{0}</EventID>
    /// <Level>{1}</Level><Channel>{2}</Channel></System></Event>`, where `Level` is left out
    /// when value `level_dependency` is null and `System` when value `system_dependency` is
    /// (value 3 is what they depend on).
    fn record(level_dependency: u16, system_dependency: u16, values: &[(u8, &[u8])]) -> Vec<u8> {
        // Fragment header, template instance, its definition inline (at 14): the body at 38.
        let mut b = vec![0x0f, 1, 1, 0, 0x0c, 0x01, 0, 0, 0, 0];
        b.extend(14u32.to_le_bytes());
        b.extend([0; 24]);
        open(&mut b, "Event", 0xffff);
        b.push(0x02);
        open(&mut b, "System", system_dependency);
        b.push(0x02);
        open(&mut b, "Provider", 0xffff);
        b.push(0x06);
        name(&mut b, "Name");
        b.extend([0x05, 0x01]);
        b.extend(4u16.to_le_bytes());
        "Disk".encode_utf16().for_each(|u| b.extend(u.to_le_bytes()));
        b.push(0x03);
        for (element, index, dependency) in [
            ("EventID", 0, 0xffff),
            ("Level", 1, level_dependency),
            ("Channel", 2, 0xffff),
        ] {
            open(&mut b, element, dependency);
            b.push(0x02);
            substitution(&mut b, index);
            b.push(0x04);
        }
        b.extend([0x04, 0x04, 0x00]);
        let body = u32::try_from(b.len() - 38).expect("small");
        b[34..38].copy_from_slice(&body.to_le_bytes());
        b.extend(u32::try_from(values.len()).expect("few").to_le_bytes());
        for (kind, bytes) in values {
            b.extend(u16::try_from(bytes.len()).expect("short").to_le_bytes());
            b.extend([*kind, 0]);
        }
        for (_, bytes) in values {
            b.extend(*bytes);
        }
        b
    }

    /// The record read with plans and walked, nothing wanted past `System`.
    fn both_ways(record: &[u8]) -> (Option<String>, Option<String>, bool) {
        let read = |mut cache: Cache| {
            let read = read_record_if(record, 0, record.len(), &mut Interner::default(), &mut cache, |_, _| {
                false
            });
            let planned = cache.plans.is_some_and(|plans| plans.values().any(Option::is_some));
            (
                read.map(|read| match read {
                    Read::System(event) => format!("system {event:?}"),
                    Read::Whole(event) => format!("whole {event:?}"),
                }),
                planned,
            )
        };
        let (planned, made) = read(Cache::for_one_chunk());
        (planned, read(Cache::walking_one_chunk()).0, made)
    }

    #[test]
    fn a_left_out_element_is_left_out_by_the_plan_as_by_the_walk() {
        let id = 7045u16.to_le_bytes();
        let channel: Vec<u8> = "System".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let with_level = [
            (0x06, &id[..]),
            (0x04, &[4u8][..]),
            (0x01, &channel[..]),
            (0x04, &[1u8][..]),
        ];
        let null_level = [
            (0x06, &id[..]),
            (0x04, &[4u8][..]),
            (0x01, &channel[..]),
            (0x00, &[][..]),
        ];
        for (values, level) in [(&with_level, "Some(4)"), (&null_level, "None")] {
            let (planned, walked, made) = both_ways(&record(3, 0xffff, values));
            assert!(made, "the template has a plan");
            let planned = planned.expect("read");
            assert!(planned.starts_with("system"), "{planned}");
            assert!(planned.contains(&format!("level: {level}")), "{planned}");
            assert!(
                planned.contains("event_id: Some(7045)") && planned.contains("\"Disk\""),
                "{planned}"
            );
            assert_eq!(Some(planned), walked);
        }
        // `System` left out: no provider, so no event, either way.
        let (planned, walked, _) = both_ways(&record(0xffff, 3, &null_level));
        assert_eq!((planned, walked), (None, None));
    }
}
