//! Third stage: everything known about one machine, gathered from all its files: the merged
//! timeline (one deterministic order whatever the parsing order), the untimed facts, how each
//! file's clock was anchored, and every notice.

pub mod clock;
pub(crate) mod computers;

use std::sync::Arc;

use jiff::Timestamp;

use crate::input::encoding::TextEncoding;
use crate::model::{Event, EventTime, Fact, HarmlessTally, Location, Notice, Severity, SourceKind, Tally};
use crate::parse::ParsedFile;

pub use clock::{ClockBasis, Zone};
pub use computers::Computer;

/// What is known of one input file.
#[derive(Debug, Clone)]
pub struct FileSummary {
    /// Display path.
    pub path: Arc<str>,
    /// What it was read as; `None` when skipped or unreadable.
    pub kind: Option<SourceKind>,
    /// Text encoding, for text files.
    pub encoding: Option<TextEncoding>,
    /// Size in bytes.
    pub size: u64,
    /// Records read (events, writer blocks, machine values).
    pub records: usize,
    /// Earliest and latest event time.
    pub span: Option<(EventTime, EventTime)>,
    /// How its times reached UTC.
    pub clock: ClockBasis,
    /// Why it was skipped, when it was.
    pub skipped: Option<String>,
    /// Its warnings and errors.
    pub notices: Vec<Notice>,
    /// Layouts recognised in a pasted text.
    pub shapes: Vec<String>,
    /// Nothing in it (zero bytes, or a byte-order mark alone).
    pub empty: bool,
    /// The input's SHA-256, hex.
    pub sha256: Option<String>,
    /// Its events read and not kept, with their times on the case's clock.
    pub tally: Tally,
    /// The harmless ones among them, by reason, with their times on the case's clock.
    pub harmless: HarmlessTally,
    /// The channel of its earliest event (evtx).
    pub channel: Option<Arc<str>>,
}

impl FileSummary {
    /// Read as a known kind, and not failed outright (damage that left something is read).
    pub fn was_read(&self) -> bool {
        self.kind.is_some() && !self.notices.iter().any(|n| n.severity == Severity::Error)
    }
}

/// One machine's case.
#[derive(Debug, Default)]
pub struct Case {
    /// One summary per input file, in input order.
    pub files: Vec<FileSummary>,
    /// Every event, sorted by time; events without a time (pasted without their date) last.
    pub events: Vec<Event>,
    /// All untimed facts, in input order.
    pub facts: Vec<Fact>,
    /// Notices not tied to a parsed file (paths that could not be listed or unpacked).
    pub notices: Vec<Notice>,
    /// The computers the logs come from, most events first.
    pub computers: Vec<Computer>,
}

impl Case {
    /// Builds the case from parsed files (in input order) and collection notices, keeping only
    /// `computer`'s logs when one is named.
    pub fn build(
        mut parsed: Vec<ParsedFile>,
        notices: Vec<Notice>,
        zone: Option<&Zone>,
        computer: Option<&str>,
    ) -> Case {
        let mut case = Case {
            notices,
            ..Case::default()
        };
        parsed.iter_mut().for_each(ParsedFile::take_census);
        let all = computers::computers(&parsed);
        match computer {
            Some(name) => {
                if !all.iter().any(|c| {
                    c.name.eq_ignore_ascii_case(name)
                        || c.name.split('.').next().is_some_and(|s| s.eq_ignore_ascii_case(name))
                }) {
                    let known: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
                    let reason = format!(
                        "no log names computer '{name}' (the logs name: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    );
                    case.notices.push(Notice::new(Severity::Error, "--computer", reason));
                }
                computers::keep_computer(&mut parsed, name);
                case.computers = computers::computers(&parsed);
            }
            None => {
                case.notices.extend(computers::mixed_warning(&all));
                case.computers = all;
            }
        }
        let (clocks, clock_notices) = clock::anchor(&mut parsed, zone);
        case.notices.extend(clock_notices);
        for (file, clock) in parsed.into_iter().zip(clocks) {
            case.files.push(FileSummary {
                span: span(&file.events, &file.tally),
                path: file.path,
                kind: file.kind,
                encoding: file.encoding,
                size: file.size,
                records: file.records,
                clock,
                skipped: file.skipped,
                notices: file.notices,
                shapes: file.shapes,
                empty: file.empty,
                sha256: file.sha256,
                tally: file.tally,
                harmless: file.harmless,
                channel: file.census.first_channel().cloned(),
            });
            // The first file's events are taken as they are (a big log's are not copied).
            if case.events.is_empty() {
                case.events = file.events;
            } else {
                case.events.extend(file.events);
            }
            case.facts.extend(file.facts);
        }
        sort_timeline(&mut case.events);
        case
    }

    /// Every notice: collection notices first, then each file's in input order.
    pub fn all_notices(&self) -> impl Iterator<Item = &Notice> {
        self.notices
            .iter()
            .chain(self.files.iter().flat_map(|f| f.notices.iter()))
    }

    /// How many events were read: those kept and those tallied.
    pub fn event_count(&self) -> usize {
        self.events.len() + self.files.iter().map(|f| f.tally.count()).sum::<usize>()
    }

    /// True when at least one input was read as a known kind without failing.
    pub fn anything_read(&self) -> bool {
        self.files.iter().any(FileSummary::was_read)
    }
}

/// The earliest and latest time of a file's events, kept or tallied (the first of equal
/// earliest, the last of equal latest), in one pass, each time's key taken once.
fn span(events: &[Event], tally: &Tally) -> Option<(EventTime, EventTime)> {
    let timed = events
        .iter()
        .map(|e| e.time)
        .chain(tally.runs().iter().map(|r| r.time))
        .filter(EventTime::is_known);
    let mut span: Option<((Timestamp, EventTime), (Timestamp, EventTime))> = None;
    for time in timed {
        let key = time.sort_key();
        match &mut span {
            None => span = Some(((key, time), (key, time))),
            Some((first, last)) => {
                if key < first.0 {
                    *first = (key, time);
                }
                if key >= last.0 {
                    *last = (key, time);
                }
            }
        }
    }
    span.map(|(first, last)| (first.1, last.1))
}

/// Sorts by time, then file name, then place in the file: the same order on every run (each
/// key ends with the event's place in the list, so no two are equal). The keys are taken and
/// sorted on every core, then the events moved into place: the sort holds a key for each event
/// rather than a copy of them. A key holds the file name's rank, not the name: comparing names
/// took half the sort.
fn sort_timeline(events: &mut [Event]) {
    use rayon::prelude::*;
    let ranks = NameRanks::ranking(events);
    let mut keys: Vec<((Timestamp, u32, Location), usize)> = events
        .par_iter()
        .enumerate()
        .map(|(at, e)| {
            let rank = ranks.rank(&e.origin.file);
            ((e.time.sort_key(), rank, e.origin.location), at)
        })
        .collect();
    keys.par_sort_unstable();
    // Each event moved into place along the permutation's cycles (as `sort_by_cached_key`
    // does): `keys[at].1` becomes where the event now at `at` was moved from.
    for at in 0..keys.len() {
        let mut from = keys[at].1;
        while from < at {
            from = keys[from].1;
        }
        keys[at].1 = from;
        events.swap(at, from);
    }
}

/// The rank of each file name of a list of events in name order (equal names, equal ranks),
/// looked up by the address of the name they share (a file's events share one `Arc`).
struct NameRanks {
    by_address: std::collections::HashMap<usize, u32, foldhash::fast::FixedState>,
}

impl NameRanks {
    fn ranking(events: &[Event]) -> NameRanks {
        let mut names: Vec<&Arc<str>> = Vec::new();
        let mut seen = std::collections::HashSet::<*const str, foldhash::fast::FixedState>::default();
        let mut last: Option<*const str> = None;
        for event in events {
            // A file's events come one after another: most are the last event's file.
            let address = Arc::as_ptr(&event.origin.file);
            if last.is_some_and(|last| std::ptr::eq(last, address)) {
                continue;
            }
            last = Some(address);
            if seen.insert(address) {
                names.push(&event.origin.file);
            }
        }
        names.sort();
        let mut by_address = std::collections::HashMap::default();
        let mut rank = 0u32;
        for (at, name) in names.iter().enumerate() {
            if at > 0 && names.get(at - 1).is_some_and(|before| before != name) {
                rank += 1;
            }
            by_address.insert(address_of(name), rank);
        }
        NameRanks { by_address }
    }

    /// The rank of the name at `address` (every event's name was ranked).
    fn rank(&self, name: &Arc<str>) -> u32 {
        self.by_address.get(&address_of(name)).copied().unwrap_or(u32::MAX)
    }
}

/// Where a shared name lies (its events share it), as a number: a key every core can read.
fn address_of(name: &Arc<str>) -> usize {
    Arc::as_ptr(name).cast::<u8>().addr()
}

/// Keeps the timed events whose time lies within `[since, until]`.
pub fn filter_time(
    events: &[Event],
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> impl Iterator<Item = &Event> {
    events.iter().filter(|e| e.time.is_known()).filter(move |e| {
        let t = e.time.sort_key();
        since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::sort_timeline;
    use crate::model::{Certainty, Event, EventTime, Fields, FieldsFrom, Level, Location, Origin, SourceKind};

    fn event(file: &Arc<str>, time: &str, line: u64, provider: &str) -> Event {
        Event {
            time: time
                .parse::<jiff::Timestamp>()
                .map_or(EventTime::Unknown, EventTime::Utc),
            origin: Origin {
                file: Arc::clone(file),
                location: Location::Line(line),
            },
            source: SourceKind::Cbs,
            provider: Arc::from(provider),
            event_id: None,
            level: Level::Info,
            channel: None,
            computer: None,
            fields: Fields::new(),
            message: None,
            certainty: Certainty::Recorded,
            fields_from: FieldsFrom::Record,
        }
    }

    #[test]
    fn the_timeline_is_in_time_then_file_name_then_line_order_and_keeps_ties_in_order() {
        let (b, a) = (Arc::from("b/CBS.log"), Arc::from("a/CBS.log"));
        // The same name read twice (two copies of its text): one rank.
        let b_again: Arc<str> = Arc::from("b/CBS.log");
        let noon = "2024-05-10T12:00:00Z";
        let mut events = vec![
            event(&b, noon, 7, "first"),
            event(&a, "2024-05-10T13:00:00Z", 1, "later"),
            event(&b_again, noon, 3, "b again"),
            event(&a, noon, 9, "a"),
            event(&b, noon, 7, "second"),
            event(&b, "", 1, "untimed"),
            event(&a, "2024-05-10T11:00:00Z", 20, "earliest"),
        ];
        sort_timeline(&mut events);
        let order: Vec<&str> = events.iter().map(|e| &*e.provider).collect();
        assert_eq!(
            order,
            ["earliest", "a", "b again", "first", "second", "later", "untimed"]
        );
    }
}
