//! Reads the servicing line family: CBS.log (and rotated CbsPersist logs), dism.log, and
//! Windows Setup's Panther setupact.log / setuperr.log. One grammar (`line`) splits the
//! entries, `structure` pulls out what they say, and the mix of source columns tells which
//! log it is.

mod line;
pub mod stream;
pub mod structure;

use std::borrow::Cow;
use std::sync::Arc;

use jiff::civil::DateTime;
use memmap2::Mmap;

use crate::input::encoding::Decoded;
use crate::model::servicing_fields::is_evidence;
use crate::model::{
    AnchorBasis, Certainty, ClockAnchor, Earliest, Event, EventTime, Fields, FieldsFrom, HarmlessTally, Interner,
    Level, Location, MessageText, Notice, Origin, Severity, SourceKind, Tally,
};

use super::{Judged, Keep, ParsedFile, ReadOptions};

pub use line::{parse_line, parse_line_after, LastLine, LineHead};

/// Logs at least this long are read in line ranges on every core.
const RANGE_BYTES: usize = 8 << 20;

/// Reads a decoded servicing log, at most `options.max_records` lines of it. A long log is cut
/// into line ranges, each starting at an entry's first line, read in parallel and joined in
/// order: the result is the one a single reader gives.
pub fn parse(path: &Arc<str>, size: u64, decoded: &Decoded<'_>, options: ReadOptions) -> ParsedFile {
    let (text, stopped) = within_budget(&decoded.text, options.max_records);
    let found = read_text(path, 1, text, options);
    let mut parsed = ParsedFile::new_text(path, size, Some(kind_of(&found.sources)), decoded);
    fill(&mut parsed, found, stopped.then_some(options.max_records));
    parsed
}

/// Reads `text`, whose first line is `first_line`: in line ranges on every core when it is long.
fn read_text(path: &Arc<str>, first_line: u64, text: &str, options: ReadOptions) -> Entries {
    Entries::join_all(read_text_parts(path, first_line, text, None, options))
}

/// What the readers of [`read_text`] found, one part per line range, in order (to be joined).
/// A kept line's message is left where it lies when `text` is a slice of `map`.
fn read_text_parts(
    path: &Arc<str>,
    first_line: u64,
    text: &str,
    map: Option<&Arc<Mmap>>,
    options: ReadOptions,
) -> Vec<Entries> {
    let ranges = if text.len() < RANGE_BYTES {
        vec![(first_line, text)]
    } else {
        entry_ranges(text, rayon::current_num_threads() * 2)
            .into_iter()
            .map(|(line, range)| (line + first_line - 1, range))
            .collect()
    };
    read_range_parts(path, &ranges, map, options)
}

/// `parsed` holding what was found, with a notice for lines before the first entry and one for
/// the work budget when it stopped the reading at `stopped_at` lines.
fn fill(parsed: &mut ParsedFile, mut found: Entries, stopped_at: Option<u64>) {
    let path = Arc::clone(&parsed.path);
    if let Some(max_lines) = stopped_at {
        parsed.notices.push(crate::parse::budget_notice(&path, max_lines));
    }
    if found.preamble > 0 {
        let reason = format!(
            "{} text line(s) before the first timestamped line are not on the timeline",
            found.preamble
        );
        parsed
            .notices
            .push(Notice::new(Severity::Note, &*path, reason).at("line 1"));
    }
    // The readers make every event a CBS one: only a DISM or Setup log's are told again (a
    // pass over a big CBS.log's events spared).
    let kind = parsed.kind.unwrap_or(SourceKind::Cbs);
    if kind != SourceKind::Cbs {
        found.events.iter_mut().for_each(|event| event.source = kind);
    }
    parsed.records = found.events.len() + found.tally.count();
    parsed.events = found.events;
    parsed.tally = found.tally;
    parsed.harmless = found.harmless;
    parsed.anchors = found.anchors;
    parsed.session_starts = found.session_starts;
}

/// The text of its first `max_lines` lines, and whether a line was left out (the text has a
/// `max_lines`-th line break, so a further line, even an empty one, follows).
fn within_budget(text: &str, max_lines: u64) -> (&str, bool) {
    if max_lines > text.len() as u64 {
        return (text, false); // fewer line breaks than bytes: no need to count them
    }
    let Some(last) = usize::try_from(max_lines).ok().and_then(|max| max.checked_sub(1)) else {
        return ("", true);
    };
    match memchr::memchr_iter(b'\n', text.as_bytes()).nth(last) {
        Some(end) => (&text[..end], true),
        None => (text, false),
    }
}

/// Reads each line range (with its first line number) on its own reader, in parallel, and
/// joins the readers in order.
#[cfg(test)]
fn read_ranges(path: &Arc<str>, ranges: &[(u64, &str)], options: ReadOptions) -> Entries {
    Entries::join_all(read_range_parts(path, ranges, None, options))
}

/// What each line range's reader found, in order.
fn read_range_parts(
    path: &Arc<str>,
    ranges: &[(u64, &str)],
    map: Option<&Arc<Mmap>>,
    options: ReadOptions,
) -> Vec<Entries> {
    use rayon::prelude::*;
    ranges
        .par_iter()
        .map(|(first_line, range)| {
            let mut reader = EntryReader::new(Arc::clone(path), map.cloned(), options);
            for (number, raw) in (*first_line..).zip(lines(range)) {
                reader.line(number, raw.strip_suffix('\r').unwrap_or(raw));
            }
            reader.finish()
        })
        .collect()
}

/// The lines of `text`, as `split('\n')` gives them, found with the `memchr` crate's vector
/// search.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(Some)
        .chain(std::iter::once(None))
        .map(move |end| {
            let end = end.unwrap_or(text.len());
            let line = text.get(start..end).unwrap_or_default();
            start = end + 1;
            line
        })
}

/// `text` cut into about `parts` ranges, each (but the first) starting at a line that opens an
/// entry, so no entry is split; with each range's first line number.
fn entry_ranges(text: &str, parts: usize) -> Vec<(u64, &str)> {
    if parts < 2 {
        return vec![(1, text)];
    }
    let bytes = text.as_bytes();
    let mut ranges = Vec::with_capacity(parts);
    let (mut start, mut first_line) = (0usize, 1u64);
    for part in 1..parts {
        let target = (text.len() / parts * part).max(start);
        let Some(cut) = next_entry_start(text, target) else {
            break;
        };
        if cut <= start {
            continue;
        }
        ranges.push((first_line, &text[start..cut - 1]));
        first_line += memchr::memchr_iter(b'\n', &bytes[start..cut]).count() as u64;
        start = cut;
    }
    ranges.push((first_line, &text[start..]));
    ranges
}

/// The byte offset of the first line at or after `from` that opens an entry (a line start,
/// after a `\n`).
fn next_entry_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(newline) = memchr::memchr(b'\n', bytes.get(at..)?) {
        let line_start = at + newline + 1;
        let end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |e| line_start + e);
        let line = text.get(line_start..end)?;
        if parse_line(line.strip_suffix('\r').unwrap_or(line)).is_some() {
            return Some(line_start);
        }
        at = line_start;
    }
    None
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

/// What the readers of a log found, in line order.
#[derive(Default)]
struct Entries {
    events: Vec<Event>,
    tally: Tally,
    harmless: HarmlessTally,
    /// Each harmless reason's earliest local time since the clock's offset last changed: under
    /// one offset, local time order is the timeline's.
    earliest_harmless: Earliest<DateTime>,
    anchors: Vec<ClockAnchor>,
    /// The local times of the lines that open a servicing session.
    session_starts: Vec<DateTime>,
    sources: SourceCounts,
    preamble: usize,
    /// The number of the last line read (the empty one after a final line break included).
    last_line: u64,
}

impl Entries {
    /// `self` followed by `next`, found in the lines after it: as if one reader had read both
    /// (an anchor is kept only where the offset changes, across the seam too).
    fn join(mut self, next: Entries) -> Entries {
        self.events.extend(next.events);
        self.tally.append(next.tally);
        self.harmless.append(next.harmless);
        for anchor in next.anchors {
            self.add_anchor(Some(anchor));
        }
        self.session_starts.extend(next.session_starts);
        self.sources.cbs += next.sources.cbs;
        self.sources.dism += next.sources.dism;
        self.sources.setup += next.sources.setup;
        self.preamble += next.preamble;
        self.last_line = self.last_line.max(next.last_line);
        self
    }

    /// `parts`, found in this order, joined.
    fn join_all(parts: impl IntoIterator<Item = Entries>) -> Entries {
        parts.into_iter().reduce(Entries::join).unwrap_or_default()
    }

    /// Keeps an anchor only where the offset changes, so the list stays short.
    fn add_anchor(&mut self, anchor: Option<ClockAnchor>) {
        let Some(anchor) = anchor else {
            return;
        };
        if self.anchors.last().is_none_or(|last| last.offset != anchor.offset) {
            self.anchors.push(anchor);
            self.tally.cut();
            self.harmless.cut();
            self.earliest_harmless.clear();
        }
    }

    fn count_source(&mut self, source: &str) {
        match source {
            "CBS" | "CSI" | "DPX" | "DEPLOY" | "SQM" => self.sources.cbs += 1,
            "DISM" | "" => self.sources.dism += 1,
            _ => self.sources.setup += 1,
        }
    }
}

/// Reads the lines of one range, entry by entry (a timestamped line and the lines that
/// continue it).
struct EntryReader<'a> {
    file: Arc<str>,
    options: ReadOptions,
    pending: Option<Pending<'a>>,
    found: Entries,
    interner: Interner,
    last_line_read: LastLine,
    /// Where a line's fields are gathered (see `flush`).
    scratch: Fields,
    /// The map of the whole log the lines are slices of, when they are.
    map: Option<Arc<Mmap>>,
}

impl<'a> EntryReader<'a> {
    fn new(file: Arc<str>, map: Option<Arc<Mmap>>, options: ReadOptions) -> EntryReader<'a> {
        EntryReader {
            file,
            options,
            pending: None,
            found: Entries::default(),
            interner: Interner::default(),
            last_line_read: LastLine::default(),
            scratch: Fields::new(),
            map,
        }
    }

    fn line(&mut self, number: u64, text: &'a str) {
        self.found.last_line = number;
        let text = if number == 1 {
            text.trim_start_matches('\u{FEFF}')
        } else {
            text
        };
        match parse_line_after(text, &mut self.last_line_read) {
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
                None if !text.trim().is_empty() => self.found.preamble += 1,
                None => {}
            },
        }
    }

    fn finish(mut self) -> Entries {
        self.flush();
        self.found
    }

    fn flush(&mut self) {
        let Some(mut pending) = self.pending.take() else {
            return;
        };
        while pending.continuation.last().is_some_and(|l| l.trim().is_empty()) {
            pending.continuation.pop();
        }
        let head = &pending.head;
        self.found.count_source(head.source);
        let message: Cow<'a, str> = if pending.continuation.is_empty() {
            Cow::Borrowed(head.message)
        } else {
            let mut joined = head.message.to_string();
            for more in &pending.continuation {
                joined.push('\n');
                joined.push_str(more);
            }
            Cow::Owned(joined)
        };
        // The fields are gathered in the reader's scratch buffer, copied out (to their size)
        // only for a line kept: most lines are not.
        let readers = match self.options.keep {
            Keep::Clock => structure::Readers::Clock,
            Keep::Evidence => structure::Readers::Signals,
            Keep::Everything => structure::Readers::All,
        };
        // The line's message id is a value no signal reads: `timeline` alone keeps it.
        let head_fields = |mut fields: Fields, readers| {
            fields.clear();
            if let Some(id) = head.message_id.filter(|_| readers == structure::Readers::All) {
                fields.push("message_id", id);
            }
            fields
        };
        let scratch = head_fields(std::mem::take(&mut self.scratch), readers);
        let extract = match message {
            Cow::Borrowed(_) => structure::extract_one_line_for,
            Cow::Owned(_) => structure::extract_for,
        };
        let mut found = extract(head.source, &message, scratch, readers);
        if let Some(utc) = found.utc {
            let basis = if head.source == "CSI" {
                AnchorBasis::CsiUtcStamp
            } else {
                AnchorBasis::UniversalTimeLine
            };
            self.found
                .add_anchor(ClockAnchor::from_readings(pending.line, head.local, utc, basis));
        }
        if found.session_start {
            self.found.session_starts.push(head.local);
        }
        let kept = match self.options.keep {
            Keep::Everything => true,
            Keep::Evidence => found.session_start || found.fields.iter().any(|(name, value)| is_evidence(name, value)),
            Keep::Clock => found.session_start,
        };
        if !kept {
            self.scratch = found.fields;
            self.found.tally.add(pending.line, EventTime::local(head.local));
            return;
        }
        if readers == structure::Readers::Clock {
            // A line kept for the clock is read again for every value a signal reads.
            let readers = structure::Readers::Signals;
            let scratch = head_fields(std::mem::take(&mut found.fields), readers);
            found = extract(head.source, &message, scratch, readers);
        }
        let fields = found.fields.clone();
        self.scratch = found.fields;
        let event = Event {
            time: EventTime::local(head.local),
            origin: Origin {
                file: Arc::clone(&self.file),
                location: Location::Line(pending.line),
            },
            source: SourceKind::Cbs, // told again by `fill` for a DISM or Setup log
            provider: self.interner.get(head.source),
            event_id: None,
            level: Level::from_text(head.level),
            channel: None,
            computer: None,
            fields,
            message: Some(match message {
                Cow::Borrowed(line) => MessageText::in_map(self.map.as_ref(), line),
                Cow::Owned(joined) => joined.into(),
            }),
            certainty: Certainty::Recorded,
            fields_from: FieldsFrom::Record,
        };
        // Kept by its fields; counted instead when its only signal names it harmless.
        if let Judged::Harmless(reason) = self.options.judge(&event) {
            if !found.session_start && !self.found.earliest_harmless.is_earliest(reason, head.local) {
                self.found.tally.add(pending.line, event.time);
                self.found.harmless.add(reason, pending.line, event.time);
                return;
            }
        }
        self.found.events.push(event);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{entry_ranges, read_ranges, within_budget, Keep};

    /// Entries with continuation lines, a preamble, CSI stamps that anchor the clock, and CRLF.
    fn log() -> String {
        let mut text = String::from("\u{feff}preamble line\r\n");
        for i in 0..300 {
            let source = if i % 3 == 0 { "CSI" } else { "CBS" };
            text.push_str(&format!(
                "2024-05-10 13:{:02}:{:02}, Info                  {source:<7}{}\r\n",
                (i / 60) % 60,
                i % 60,
                if source == "CSI" {
                    format!(
                        "{:08x}@2024/5/10:{}:{:02}:{:02}.000 Entry {i}",
                        i,
                        4 + i / 200,
                        (i / 60) % 60,
                        i % 60
                    )
                } else {
                    format!("Entry {i} [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]")
                }
            ));
            if i % 7 == 0 {
                text.push_str("    a continuation line\r\n\r\n");
            }
        }
        text
    }

    fn summary(reader: &super::Entries) -> Vec<String> {
        let mut out: Vec<String> = reader
            .events
            .iter()
            .map(|e| {
                format!(
                    "{:?} {:?} {:?} {:?}",
                    e.origin,
                    e.time,
                    e.message,
                    e.fields.iter().collect::<Vec<_>>()
                )
            })
            .collect();
        out.extend(reader.anchors.iter().map(|a| format!("{a:?}")));
        out.push(format!("{:?}", reader.session_starts));
        out.push(format!(
            "{} {} {} {}",
            reader.sources.cbs, reader.sources.dism, reader.sources.setup, reader.preamble
        ));
        out
    }

    fn options(keep: Keep) -> super::ReadOptions {
        crate::signals::read_options(u64::MAX, keep)
    }

    #[test]
    fn harmless_lines_are_counted_and_the_earliest_of_each_offset_kept() {
        let line = |time: &str, source: &str, message: &str| {
            format!("2024-05-10 {time}, Info                  {source:<7}{message}\n")
        };
        let invalid = "Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]";
        let text = [
            line("13:00:00", "CSI", "00000001@2024/5/10:04:00:00.000 Entry"),
            line("13:00:01", "CBS", invalid),
            line("13:00:02", "CBS", invalid),
            line("12:59:00", "CBS", invalid),
            line("13:00:03", "CSI", "00000002@2024/5/10:05:00:03.000 Entry"),
            line("13:00:04", "CBS", invalid),
            line("13:00:05", "CBS", invalid),
        ]
        .concat();
        let path: Arc<str> = Arc::from("CBS.log");
        let read = read_ranges(&path, &[(1, text.as_str())], options(Keep::Evidence));
        let kept: Vec<String> = read.events.iter().map(|e| e.origin.to_string()).collect();
        // Line 4 is earlier than line 2; line 6 follows a change of the clock's offset.
        assert_eq!(kept, ["CBS.log:2", "CBS.log:4", "CBS.log:6"]);
        assert_eq!(read.harmless.runs().iter().map(|r| r.line).collect::<Vec<_>>(), [3, 7]);
        let super::Judged::Harmless(reason) = crate::signals::judge(&read.events[0], Keep::Evidence) else {
            panic!("CBS_E_INVALID_PACKAGE at Info level is harmless");
        };
        assert_eq!(read.harmless.count(reason), 2);
        assert_eq!(read.events.len() + read.tally.count(), 7, "every line is counted");
        assert_eq!(read.anchors.len(), 2);
        let everything = read_ranges(&path, &[(1, text.as_str())], options(Keep::Everything));
        assert_eq!(everything.events.len(), 7);
        assert_eq!(
            everything.harmless.count(reason),
            0,
            "nothing is counted instead of kept when everything is kept"
        );
    }

    #[test]
    fn a_log_s_events_take_the_kind_its_source_columns_tell() {
        use crate::input::encoding::{decode_as, TextEncoding};
        use crate::model::SourceKind;
        let line = |source: &str| {
            format!("2024-05-10 10:00:00, Error                 {source:<7}Failed [HRESULT = 0x800f081f]\n")
        };
        let path: Arc<str> = Arc::from("x.log");
        for (source, kind) in [
            ("CBS", SourceKind::Cbs),
            ("DISM", SourceKind::Dism),
            ("Setup", SourceKind::Panther),
        ] {
            let text = line(source).repeat(3);
            let decoded = decode_as(text.as_bytes(), TextEncoding::Utf8);
            let parsed = super::parse(&path, text.len() as u64, &decoded, options(Keep::Evidence));
            assert_eq!(parsed.kind, Some(kind), "{source}");
            assert_eq!(parsed.events.len(), 3, "{source}");
            assert!(parsed.events.iter().all(|e| e.source == kind), "{source}");
        }
    }

    #[test]
    fn the_session_starts_are_the_lines_whose_message_opens_a_session_in_every_mode() {
        use crate::model::servicing_fields::{DISM_SESSION_START, TRUSTED_INSTALLER_START};
        let line = |time: &str, source: &str, message: &str| {
            format!("2024-05-10 {time}, Info                  {source:<7}{message}\n")
        };
        let mut text = String::new();
        for hour in 10..20 {
            text.push_str(&line(&format!("{hour}:00:00"), "CBS", TRUSTED_INSTALLER_START));
            text.push_str(&line(
                &format!("{hour}:00:01"),
                "CBS",
                "Loaded Servicing Stack v10.0.19041.1",
            ));
            let dism = format!("DISM.EXE: {DISM_SESSION_START}");
            text.push_str(&line(&format!("{hour}:10:00"), "DISM", &dism));
            text.push_str(&line(
                &format!("{hour}:20:00"),
                "DISM",
                "DISM.EXE: <----- Ending Dism.exe session ----->",
            ));
        }
        let path: Arc<str> = Arc::from("CBS.log");
        // What the clock read before the reader listed them: the events whose message states
        // a session start.
        let everything = read_ranges(&path, &[(1, text.as_str())], options(Keep::Everything));
        let stated: Vec<_> = everything
            .events
            .iter()
            .filter(|e| {
                let message = e.message.as_deref().unwrap_or_default();
                message.contains(TRUSTED_INSTALLER_START) || message.contains(DISM_SESSION_START)
            })
            .filter_map(|e| e.time.local_time())
            .collect();
        assert_eq!(stated.len(), 20);
        for keep in [Keep::Everything, Keep::Evidence, Keep::Clock] {
            for parts in [1, 3] {
                let read = read_ranges(&path, &entry_ranges(&text, parts), options(keep));
                assert_eq!(read.session_starts, stated, "{keep:?}, {parts} parts");
            }
        }
    }

    #[test]
    fn lines_are_those_split_gives() {
        for text in ["", "\n", "a", "a\n", "a\nb", "a\r\n\nb\n\n", "\n\nx"] {
            let ours: Vec<&str> = super::lines(text).collect();
            assert_eq!(ours, text.split('\n').collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn line_ranges_read_in_parallel_give_what_one_reader_gives() {
        let text = log();
        let path: Arc<str> = Arc::from("CBS.log");
        let whole = summary(&read_ranges(&path, &[(1, text.as_str())], options(Keep::Everything)));
        for parts in 2..9 {
            let ranges = entry_ranges(&text, parts);
            assert!(ranges.len() > 1, "{parts} parts");
            assert_eq!(
                summary(&read_ranges(&path, &ranges, options(Keep::Everything))),
                whole,
                "{parts} parts"
            );
        }
    }

    #[test]
    fn evidence_alone_keeps_the_lines_signals_read_and_tallies_every_other_line() {
        let text = log();
        let path: Arc<str> = Arc::from("CBS.log");
        let all = read_ranges(&path, &[(1, text.as_str())], options(Keep::Everything));
        let tallied_times = |reader: &super::Entries| {
            let mut times = std::collections::BTreeMap::new();
            for run in reader.tally.runs() {
                *times.entry(format!("{:?}", run.time)).or_insert(0) += run.count;
            }
            times
        };
        let one = read_ranges(&path, &[(1, text.as_str())], options(Keep::Evidence));
        // The CBS entries state a failing HRESULT; the CSI entries state only their counter.
        assert_eq!(one.events.len(), 200);
        assert_eq!(one.events.len() + one.tally.count(), all.events.len());
        assert!(one
            .events
            .iter()
            .all(|e| e.fields.iter().any(|(name, _)| name == "hresult")));
        assert_eq!(one.anchors, all.anchors, "the clock reads tallied lines too");
        for parts in [2, 5] {
            let ranges = entry_ranges(&text, parts);
            let split = read_ranges(&path, &ranges, options(Keep::Evidence));
            assert_eq!(summary(&split), summary(&one), "{parts} parts");
            assert_eq!(tallied_times(&split), tallied_times(&one), "{parts} parts");
        }
    }

    #[test]
    fn the_budget_keeps_the_first_lines_and_says_when_it_cut() {
        assert_eq!(within_budget("a\nb\nc", 2), ("a\nb", true));
        assert_eq!(within_budget("a\nb", 2), ("a\nb", false));
        assert_eq!(
            within_budget("a\nb\n", 2),
            ("a\nb", true),
            "an empty last line is a line"
        );
        assert_eq!(within_budget("a", 0), ("", true));
        assert_eq!(
            within_budget("a\nb\nc", 3),
            ("a\nb\nc", false),
            "as many lines as the budget"
        );
        assert_eq!(within_budget("\n\n", 2), ("\n", true));
        assert_eq!(within_budget("\n\n", 3), ("\n\n", false));
    }
}
