//! One event of the case timeline, whatever file it came from.
//!
//! An evtx record, a CBS.log line and (later) a pasted event all become an [`Event`], so that a
//! diagnosis rule is written once. The event keeps where it came from ([`Origin`]) so every
//! conclusion can quote its evidence.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

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
}

impl SourceKind {
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
        match column.to_ascii_lowercase().as_str() {
            "info" | "information" => Level::Info,
            "error" | "fatal" => Level::Error,
            "warning" | "warn" => Level::Warning,
            "critical" => Level::Critical,
            "verbose" | "debug" | "trace" | "perf" => Level::Verbose,
            _ => Level::Other,
        }
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

/// One named value of an event: an evtx `<Data Name=..>`, a positional `<Data>` (named `%1`,
/// `%2`, ... like the insertion strings of its message), or a value pulled out of a log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Field name.
    pub name: Box<str>,
    /// Field value as text.
    pub value: Box<str>,
}

impl Field {
    /// A field from a name and a value.
    pub fn new(name: impl Into<Box<str>>, value: impl Into<Box<str>>) -> Field {
        Field {
            name: name.into(),
            value: value.into(),
        }
    }
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
    pub provider: Box<str>,
    /// Event id (evtx only).
    pub event_id: Option<u32>,
    /// Severity.
    pub level: Level,
    /// evtx channel (`System`, `Application`, ...).
    pub channel: Option<Box<str>>,
    /// Computer name, where the source says it.
    pub computer: Option<Box<str>>,
    /// Named values, in the order the source gave them.
    pub fields: Vec<Field>,
    /// Message text (text logs), with continuation lines joined by `\n`.
    pub message: Option<Box<str>>,
}

impl Event {
    /// The value of the first field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| &*f.name == name)
            .map(|f| &*f.value)
    }
}
