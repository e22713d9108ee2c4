//! Second stage: reads each input according to what it is. One module per source kind; each
//! returns [`ParsedFile`]s (events, facts, clock anchors and notices), and nothing here knows
//! about diagnosis or output formats.

pub mod binxml;
mod cab;
pub mod event_xml;
pub mod evtx;
pub mod machine;
pub mod paste;
pub mod servicing;
pub mod vss;

pub(crate) use cab::parse as parse_cab;

use std::sync::Arc;

use crate::input::encoding::{self, Decoded, TextEncoding};
use crate::input::sniff::{self, Sniffed, TextKind};
use crate::input::{Content, Input};
use crate::model::{Census, ClockAnchor, Event, Fact, HarmlessTally, Notice, Severity, SourceKind, Tally};

/// What a reader keeps of the events it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every event: `timeline` prints them all, `--redact` gathers names from them all.
    Everything,
    /// The events a signal or the clock reads (`analyze`); the others are tallied ([`Tally`]:
    /// how many and when), which is all a diagnosis shows of them.
    Evidence,
    /// The events the clock and the list of computers read (`inputs`, which shows no event);
    /// the others are tallied.
    Clock,
}

/// How a reader reads one file.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// The per-file work budget (see [`crate::input::InputLimits::max_records`]).
    pub max_records: u64,
    /// What it keeps.
    pub keep: Keep,
    /// What becomes of a recorded event under `keep` (`signals::judge`, which knows what the
    /// later stages read; servicing lines are kept by their fields before an event is made,
    /// and only a harmless one is then counted instead).
    pub judges: fn(&Event, Keep) -> Judged,
    /// Whether an event of this provider and id may be kept (`signals::wants`, a superset of
    /// what `judges` keeps): when not, a reader stops reading it after what `System` says.
    pub wants: fn(&str, Option<u32>, Keep) -> bool,
}

/// What becomes of an event read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// Tallied: no later stage reads it.
    Tally,
    /// Kept.
    Keep,
    /// Its only signal names it harmless for this reason: counted with its time in a
    /// [`HarmlessTally`], unless it is the earliest of its reason (the group's example).
    Harmless(&'static str),
}

impl ReadOptions {
    /// Every event, within `max_records`.
    pub fn everything(max_records: u64) -> ReadOptions {
        ReadOptions {
            max_records,
            keep: Keep::Everything,
            judges: |_, _| Judged::Keep,
            wants: |_, _, _| true,
        }
    }

    /// Whether an event of `provider` with `id` may be kept.
    pub fn may_keep(&self, provider: &str, id: Option<u32>) -> bool {
        self.keep == Keep::Everything || (self.wants)(provider, id, self.keep)
    }

    /// What becomes of `event`.
    pub fn judge(&self, event: &Event) -> Judged {
        match self.keep {
            Keep::Everything => Judged::Keep,
            keep => (self.judges)(event, keep),
        }
    }
}

/// Everything read from one file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// Display path.
    pub path: Arc<str>,
    /// What it was read as; `None` when skipped or unreadable.
    pub kind: Option<SourceKind>,
    /// Text encoding, for text files.
    pub encoding: Option<TextEncoding>,
    /// Size in bytes.
    pub size: u64,
    /// Timed events.
    pub events: Vec<Event>,
    /// Events read and not kept (see [`Keep`]): how many, and when.
    pub tally: Tally,
    /// The harmless ones among them (see [`Judged::Harmless`]): how many of each reason.
    pub harmless: HarmlessTally,
    /// The computers and the first channel of every event read, kept or tallied.
    pub census: Census,
    /// Untimed facts.
    pub facts: Vec<Fact>,
    /// Records read: events for logs, writer or provider blocks for vssadmin output, values
    /// for machine facts.
    pub records: usize,
    /// Where the log states its own UTC offset.
    pub anchors: Vec<ClockAnchor>,
    /// When a servicing log's sessions start (TrustedInstaller initialising, a DISM session),
    /// on its local clock: the clock pairs them with the System log's installer starts.
    pub session_starts: Vec<jiff::civil::DateTime>,
    /// Warnings and errors about this file.
    pub notices: Vec<Notice>,
    /// Why the file was not read, when it is not a log backupdiag knows.
    pub skipped: Option<String>,
    /// The layouts recognised in a pasted text (`event-viewer-text x2`).
    pub shapes: Vec<String>,
    /// Nothing in it (zero bytes, or a byte-order mark alone).
    pub empty: bool,
    /// The input's SHA-256 (of the whole archive member or file), hex.
    pub sha256: Option<String>,
}

impl ParsedFile {
    /// An empty result for `input`.
    pub fn new(input: &Input, kind: Option<SourceKind>, encoding: Option<TextEncoding>) -> ParsedFile {
        ParsedFile {
            path: Arc::clone(&input.path),
            kind,
            encoding,
            size: input.size,
            events: Vec::new(),
            tally: Tally::default(),
            harmless: HarmlessTally::default(),
            census: Census::default(),
            facts: Vec::new(),
            records: 0,
            anchors: Vec::new(),
            session_starts: Vec::new(),
            notices: Vec::new(),
            skipped: None,
            shapes: Vec::new(),
            empty: false,
            sha256: None,
        }
    }

    /// The census of a reader that kept every event it read is taken from its events (a reader
    /// that tallies takes it as it reads).
    pub fn take_census(&mut self) {
        if self.census.is_empty() {
            self.census = Census::of(&self.events);
        }
    }

    /// An empty result for a decoded text file, with a note when bytes had to be replaced.
    pub fn new_text(path: &Arc<str>, size: u64, kind: Option<SourceKind>, decoded: &Decoded<'_>) -> ParsedFile {
        let mut parsed = ParsedFile::new(
            &Input::new(Arc::clone(path), empty_content(), size),
            kind,
            Some(decoded.encoding),
        );
        if decoded.replaced > 0 {
            let reason = format!(
                "{} malformed {} byte sequence(s) replaced by U+FFFD",
                decoded.replaced, decoded.encoding
            );
            parsed.notices.push(Notice::new(Severity::Note, &**path, reason));
        }
        parsed
    }
}

/// A placeholder content for results that describe a member already read.
fn empty_content() -> Content {
    Content::Memory(Arc::from(Vec::new()))
}

/// Reads one input; cabinets give one result per member.
pub fn parse_input(input: &Input, options: ReadOptions) -> Vec<ParsedFile> {
    if let Some(streamed) = guarded(input, || streamed(input, options)) {
        return streamed;
    }
    let input = &Input {
        content: input.content.mapped(),
        ..input.clone()
    };
    // The hash is taken while the file is read, on another core when one is free.
    let (files, hex) = rayon::join(
        || guarded(input, || Some(parse_unguarded(input, options))),
        || sha256_hex(input),
    );
    let mut files = files.unwrap_or_default();
    for file in &mut files {
        file.sha256.clone_from(&hex);
    }
    files
}

/// `read()` behind the net: a reader's panic becomes an error naming the file.
fn guarded(input: &Input, read: impl FnOnce() -> Option<Vec<ParsedFile>>) -> Option<Vec<ParsedFile>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        let mut failed = ParsedFile::new(input, None, None);
        let reason = "internal error while reading this file (a bug in backupdiag: please report it with the file)";
        failed.notices.push(Notice::new(Severity::Error, &*input.path, reason));
        Some(vec![failed])
    })
}

/// A big UTF-8 servicing log on disk, read as a stream with its hash ([`servicing::stream`]);
/// `None` for every other input.
fn streamed(input: &Input, options: ReadOptions) -> Option<Vec<ParsedFile>> {
    let Content::File(path) = &input.content else {
        return None;
    };
    if input.size < servicing::stream::STREAM_BYTES {
        return None;
    }
    let head = input.content.head(sniff::SNIFF_BYTES).ok()?;
    let Sniffed::Text(TextKind::Servicing, encoding @ (TextEncoding::Utf8 | TextEncoding::Utf8Bom)) =
        sniff::sniff(&head)
    else {
        return None;
    };
    let read = std::fs::File::open(path)
        .and_then(|file| servicing::stream::parse(&input.path, input.size, encoding, &file, options));
    Some(vec![read.unwrap_or_else(|err| unreadable(input, &err))])
}

/// What was read, provably: the SHA-256 of the input's bytes, in hex, for the report and the
/// chain of custody (taken here unless it was taken already).
fn sha256_hex(input: &Input) -> Option<String> {
    let digest = match input.sha256 {
        Some(known) => known,
        None => input.content.sha256().ok()?,
    };
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// [`parse_input`] without its net: a parser's panic unwinds (for the fuzz targets).
pub(crate) fn parse_unguarded(input: &Input, options: ReadOptions) -> Vec<ParsedFile> {
    let max_records = options.max_records;
    let head = match input.content.head(sniff::SNIFF_BYTES) {
        Ok(head) => head,
        Err(err) => return vec![unreadable(input, &err)],
    };
    let mut files = match sniff::sniff(&head) {
        Sniffed::Evtx => vec![evtx::parse(input, options)],
        Sniffed::Cab => cab::parse(input, options),
        Sniffed::Text(kind, encoding) => vec![parse_text(input, kind, encoding, options)],
        Sniffed::Empty => {
            let mut empty = ParsedFile::new(input, None, None);
            empty.skipped = Some("empty file: nothing in it to read".to_string());
            empty.empty = true;
            vec![empty]
        }
        Sniffed::Skip(reason) => vec![skipped(input, reason)],
    };
    for file in &mut files {
        keep_within_budget(file, max_records);
    }
    files
}

/// The budget's last guard, for the readers that do not count as they go (pasted text,
/// listings): events and facts beyond it are dropped, and the file says so.
fn keep_within_budget(file: &mut ParsedFile, max_records: u64) {
    let max = usize::try_from(max_records).unwrap_or(usize::MAX);
    if file.events.len() + file.facts.len() <= max {
        return;
    }
    file.events.truncate(max);
    file.facts.truncate(max - file.events.len());
    file.records = file.records.min(max);
    file.notices.push(budget_notice(&file.path, max_records));
}

/// Reading stopped at the work budget: part of the file was not read.
pub(crate) fn budget_notice(path: &str, max_records: u64) -> Notice {
    let reason = format!(
        "stopped after {max_records} records, the per-file work budget; the rest of the file was not read (raise it with --max-records)"
    );
    Notice::new(Severity::Damaged, path, reason)
}

fn parse_text(input: &Input, kind: TextKind, encoding: TextEncoding, options: ReadOptions) -> ParsedFile {
    let bytes = match input.content.bytes() {
        Ok(bytes) => bytes,
        Err(err) => return unreadable(input, &err),
    };
    let decoded = encoding::decode_as(&bytes, encoding);
    let path = &input.path;
    match kind {
        TextKind::Servicing => servicing::parse(path, input.size, &decoded, options),
        TextKind::Vssadmin => {
            let listing = vss::parse(path, &decoded.text);
            let mut parsed = ParsedFile::new_text(path, input.size, Some(SourceKind::Vssadmin), &decoded);
            parsed.records = listing.blocks;
            parsed.facts = listing.facts;
            parsed
        }
        TextKind::Bcdedit => with_facts(
            input,
            SourceKind::Bcdedit,
            &decoded,
            machine::parse_bcdedit(path, &decoded.text),
        ),
        TextKind::Pasted => match paste::parse(path, input.size, &decoded) {
            Some(parsed) => parsed,
            None => skipped(input, "text file with no log structure backupdiag knows".to_string()),
        },
        TextKind::Msinfo32 => with_facts(
            input,
            SourceKind::Msinfo32,
            &decoded,
            machine::parse_msinfo32(path, &decoded.text),
        ),
    }
}

fn with_facts(input: &Input, kind: SourceKind, decoded: &Decoded<'_>, facts: Vec<Fact>) -> ParsedFile {
    let mut parsed = ParsedFile::new_text(&input.path, input.size, Some(kind), decoded);
    if facts.is_empty() {
        // Recognised, yet nothing in it could be read: say so rather than list it as read.
        let what = match kind {
            SourceKind::Msinfo32 => "an msinfo32 report",
            _ => "bcdedit output",
        };
        parsed.notices.push(Notice::new(
            Severity::Note,
            &*input.path,
            format!("recognised as {what} but holds no value backupdiag reads (it may be cut off)"),
        ));
    }
    parsed.records = facts.len();
    parsed.facts = facts;
    parsed
}

fn unreadable(input: &Input, err: &std::io::Error) -> ParsedFile {
    let mut parsed = ParsedFile::new(input, None, None);
    parsed.notices.push(Notice::new(
        Severity::Error,
        &*input.path,
        format!("cannot read: {}", crate::input::describe_io(err)),
    ));
    parsed
}

fn skipped(input: &Input, reason: String) -> ParsedFile {
    let mut parsed = ParsedFile::new(input, None, None);
    let named_like_log = [".evtx", ".log", ".cab"]
        .iter()
        .any(|ext| input.path.to_ascii_lowercase().ends_with(ext));
    parsed.skipped = Some(if named_like_log {
        format!("{reason} (its name looks like a log, but its content is not one)")
    } else {
        reason
    });
    parsed
}
