//! One event of the case timeline, whatever file it came from.
//!
//! An evtx record, a CBS.log line and (later) a pasted event all become an [`Event`], so that a
//! diagnosis rule is written once. The event keeps where it came from ([`Origin`]) so every
//! conclusion can quote its evidence.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::message_text::MessageText;
use super::time::EventTime;

/// The family of file an event or fact was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A binary Windows XML event log (`.evtx`).
    Evtx,
    /// `CBS.log` or a rotated `CbsPersist_*.log` (component-based servicing, SFC).
    Cbs,
    /// `dism.log`.
    Dism,
    /// Windows Setup's Panther `setupact.log` / `setuperr.log`.
    Panther,
    /// The text printed by `vssadmin list writers` or `vssadmin list providers`.
    Vssadmin,
    /// The text printed by `bcdedit /enum`.
    Bcdedit,
    /// A `msinfo32 /report` text report.
    Msinfo32,
    /// Events pasted as text or XML (Event Viewer copies, `wevtutil` output, forum posts).
    Paste,
    /// Saved console output of `sfc` or `dism`.
    Console,
    /// The user's own notes.
    Notes,
    /// Any other text, read only for what can be recognised for sure.
    Text,
}

impl SourceKind {
    /// The log a file of this kind provides, for coverage (an evtx file's log is decided by its
    /// channel; pasted text provides no whole log).
    pub fn provides(self) -> Option<super::LogKind> {
        use super::LogKind;
        match self {
            SourceKind::Cbs => Some(LogKind::Cbs),
            SourceKind::Dism => Some(LogKind::Dism),
            SourceKind::Panther => Some(LogKind::Setup),
            SourceKind::Vssadmin => Some(LogKind::VssWriters),
            SourceKind::Bcdedit | SourceKind::Msinfo32 => Some(LogKind::BootConfig),
            SourceKind::Evtx | SourceKind::Paste | SourceKind::Console | SourceKind::Notes | SourceKind::Text => None,
        }
    }

    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Evtx => "evtx",
            SourceKind::Cbs => "cbs",
            SourceKind::Dism => "dism",
            SourceKind::Panther => "panther",
            SourceKind::Vssadmin => "vssadmin",
            SourceKind::Bcdedit => "bcdedit",
            SourceKind::Msinfo32 => "msinfo32",
            SourceKind::Paste => "paste",
            SourceKind::Console => "console",
            SourceKind::Notes => "notes",
            SourceKind::Text => "text",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Severity of an event, unified over evtx levels and text-log level columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// evtx level 1.
    Critical,
    /// evtx level 2, or an `Error` column.
    Error,
    /// evtx level 3, or a `Warning` column.
    Warning,
    /// evtx levels 0 and 4, or an `Info` column.
    Info,
    /// evtx level 5, or a `Verbose`/`Debug` column.
    Verbose,
    /// Anything else (kept so that nothing is silently mapped).
    Other,
}

impl Level {
    /// The level of an evtx `<Level>` value.
    pub fn from_evtx(level: u8) -> Level {
        match level {
            1 => Level::Critical,
            2 => Level::Error,
            3 => Level::Warning,
            0 | 4 => Level::Info,
            5 => Level::Verbose,
            _ => Level::Other,
        }
    }

    /// The level of a text log's level column (`Info`, `Error`, `Warning`, ...).
    pub fn from_text(column: &str) -> Level {
        // Compared in place, without a lowered copy: every kept line of a big log has one.
        const NAMES: &[(&str, Level)] = &[
            ("info", Level::Info),
            ("information", Level::Info),
            ("error", Level::Error),
            ("fatal", Level::Error),
            ("warning", Level::Warning),
            ("warn", Level::Warning),
            ("critical", Level::Critical),
            ("verbose", Level::Verbose),
            ("debug", Level::Verbose),
            ("trace", Level::Verbose),
            ("perf", Level::Verbose),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(column))
            .map_or(Level::Other, |(_, level)| *level)
    }

    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Verbose => "verbose",
            Level::Other => "other",
        }
    }
}

/// Where inside its file an event or fact was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// An evtx record, by its `EventRecordID`.
    Record(u64),
    /// A text line, counted from 1.
    Line(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Record(id) => write!(f, "record {id}"),
            Location::Line(line) => write!(f, "line {line}"),
        }
    }
}

/// The file (as the user named it, `a.zip!b/c.evtx` inside archives) and the place in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Display path of the file.
    pub file: Arc<str>,
    /// Record or line inside the file.
    pub location: Location,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::Record(id) => write!(f, "{}#{id}", self.file),
            Location::Line(line) => write!(f, "{}:{line}", self.file),
        }
    }
}

/// The named values of an event: evtx `<Data Name=..>`, positional `<Data>` (named `%1`,
/// `%2`, ... like the insertion strings of its message), or values pulled out of a log line.
///
/// All names and values of one event share one buffer: a timeline holds millions of events,
/// and two allocations per event instead of two per value keep parsing and memory in check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    text: String,
    /// For each field, where its name ends and where its value ends in `text`.
    ends: Vec<(u32, u32)>,
}

impl Fields {
    /// No fields.
    pub fn new() -> Fields {
        Fields::default()
    }

    /// Appends a field (a field that would not fit in 4 GiB of text is dropped).
    pub fn push(&mut self, name: &str, value: &str) {
        let name_end = self.text.len() + name.len();
        let value_end = name_end + value.len();
        let (Ok(name_end), Ok(value_end)) = (u32::try_from(name_end), u32::try_from(value_end)) else {
            return;
        };
        self.text.push_str(name);
        self.text.push_str(value);
        self.ends.push((name_end, value_end));
    }

    /// Removes every field, keeping the buffers for the next ones.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Appends a field unless the same name and value are already there.
    pub fn push_unique(&mut self, name: &str, value: &str) {
        if !self.iter().any(|(n, v)| n == name && v == value) {
            self.push(name, value);
        }
    }

    /// The value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Every value of the fields called `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `(name, value)` pairs in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let (name_end, value_end) = (name_end as usize, value_end as usize);
            let pair = (&self.text[start..name_end], &self.text[name_end..value_end]);
            start = value_end;
            pair
        })
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for Fields {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Fields {
        let mut fields = Fields::new();
        for (name, value) in pairs {
            fields.push(name, value);
        }
        fields
    }
}

/// Shares the repeated strings of a file (provider, channel and computer names) so that each
/// event holds a pointer instead of its own copy. Asked for three names of every evtx record,
/// it hashes with `foldhash` (a set only looked up, never iterated: its order shows nowhere).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    strings: std::collections::HashSet<Arc<str>, foldhash::fast::FixedState>,
}

impl Interner {
    /// The shared copy of `text`.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        self.strings.insert(Arc::clone(&shared));
        shared
    }
}

/// How sure backupdiag is that an event happened as stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Certainty {
    /// Read from a log Windows wrote.
    Recorded,
    /// Read from text a user pasted (copied from Event Viewer, a forum, a ticket).
    Pasted,
    /// Identified from message text alone (no event id or source given).
    Inferred,
    /// Stated by the user in their own notes.
    Reported,
}

/// Where an event's fields were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldsFrom {
    /// The binary record or the log line itself.
    Record,
    /// Event XML (recorded, or pasted with the event).
    Xml,
    /// Pulled out of the message text by the event's message template.
    MessageTemplate,
    /// Only the pasted labels (source, id, level, date); no fields.
    Labels,
    /// Event Viewer's Friendly View tree.
    FriendlyView,
    /// The user's own words.
    Notes,
}

/// One timed happening on the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened, and on which clock.
    pub time: EventTime,
    /// Where it was read.
    pub origin: Origin,
    /// Which kind of file it came from.
    pub source: SourceKind,
    /// Provider name (evtx) or source column (`CBS`, `CSI`, `DISM`, ...).
    pub provider: Arc<str>,
    /// Event id (evtx only).
    pub event_id: Option<u32>,
    /// Severity.
    pub level: Level,
    /// evtx channel (`System`, `Application`, ...).
    pub channel: Option<Arc<str>>,
    /// Computer name, where the source says it.
    pub computer: Option<Arc<str>>,
    /// Named values, in the order the source gave them.
    pub fields: Fields,
    /// Message text (text logs), with continuation lines joined by `\n`.
    pub message: Option<MessageText>,
    /// How sure it is.
    pub certainty: Certainty,
    /// Where its fields came from.
    pub fields_from: FieldsFrom,
}

impl Event {
    /// The value of the first field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::{Fields, Interner, Level};

    #[test]
    fn a_level_column_is_read_in_any_case() {
        for (column, level) in [
            ("Info", Level::Info),
            ("INFORMATION", Level::Info),
            ("Error", Level::Error),
            ("fatal", Level::Error),
            ("Warning", Level::Warning),
            ("warn", Level::Warning),
            ("Critical", Level::Critical),
            ("Perf", Level::Verbose),
            ("debug", Level::Verbose),
            ("", Level::Other),
            ("Errors", Level::Other),
            ("Inf", Level::Other),
        ] {
            assert_eq!(Level::from_text(column), level, "{column:?}");
        }
    }

    #[test]
    fn fields_keep_order_duplicates_and_empty_values() {
        let mut fields = Fields::new();
        fields.push("param1", "Volume Shadow Copy");
        fields.push("%2", "");
        fields.push("hresult", "0x80070422");
        fields.push_unique("hresult", "0x80070422");
        fields.push_unique("hresult", "0x8007045d");
        let pairs: Vec<_> = fields.iter().collect();
        assert_eq!(
            pairs,
            [
                ("param1", "Volume Shadow Copy"),
                ("%2", ""),
                ("hresult", "0x80070422"),
                ("hresult", "0x8007045d")
            ]
        );
        assert_eq!(fields.get("hresult"), Some("0x80070422"));
        assert_eq!(fields.get_all("hresult").count(), 2);
        assert_eq!(fields.get("missing"), None);
        assert_eq!(fields.len(), 4);
        let mut reused = fields.clone();
        reused.clear();
        assert!(reused.is_empty() && reused.get("hresult").is_none());
        reused.push("param1", "x");
        let mut fresh = Fields::new();
        fresh.push("param1", "x");
        assert_eq!(reused, fresh, "a cleared buffer reads as a new one");
    }

    #[test]
    fn interner_shares_one_copy() {
        let mut interner = Interner::default();
        let a = interner.get("Service Control Manager");
        let b = interner.get("Service Control Manager");
        assert!(std::sync::Arc::ptr_eq(&a, &b));
    }
}
