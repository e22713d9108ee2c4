//! Third stage: everything known about one machine, gathered from all its files: the merged
//! timeline (one deterministic order whatever the parsing order), the untimed facts, how each
//! file's clock was anchored, and every notice.

pub mod clock;
pub(crate) mod computers;

use std::sync::Arc;

use jiff::Timestamp;

use crate::input::encoding::TextEncoding;
use crate::model::{Event, EventTime, Fact, HarmlessTally, Notice, Severity, SourceKind, Tally};
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
            }
            None => case.notices.extend(computers::mixed_warning(&all)),
        }
        case.computers = computers::computers(&parsed);
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

/// Sorts by time, then file, then place in the file: the same order on every run (a stable
/// sort, as equal keys keep their order). The keys are taken once and sorted, then the events
/// moved into place: the sort holds a key for each event rather than a copy of half of them
/// (on one core; a merge sort on every core held a copy of every event, for no time gained).
fn sort_timeline(events: &mut [Event]) {
    events.sort_by_cached_key(|e| (e.time.sort_key(), Arc::clone(&e.origin.file), e.origin.location));
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
