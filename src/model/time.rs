//! Event times on two clocks: UTC (evtx) and the machine's local wall clock (text logs).
//!
//! CBS, DISM and Panther logs write local clock times without a zone. They stay local until
//! the case finds an anchor (see `case::clock`); an unanchored local time is never passed off
//! as UTC.

use jiff::civil::DateTime;
use jiff::Timestamp;

/// The time of an event, keeping the clock it was written on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTime {
    /// Written in UTC (evtx `TimeCreated`, CSI `@` stamps).
    Utc(Timestamp),
    /// Written on the local wall clock; `utc` is filled once the clock is anchored.
    Local {
        /// The wall-clock time as written.
        local: DateTime,
        /// The same instant in UTC, when an anchor is known.
        utc: Option<Timestamp>,
    },
}

impl EventTime {
    /// The UTC instant, when known.
    pub fn utc(&self) -> Option<Timestamp> {
        match *self {
            EventTime::Utc(ts) => Some(ts),
            EventTime::Local { utc, .. } => utc,
        }
    }

    /// The local wall-clock time as written, for local-clock sources.
    pub fn local(&self) -> Option<DateTime> {
        match *self {
            EventTime::Utc(_) => None,
            EventTime::Local { local, .. } => Some(local),
        }
    }

    /// True for a local time whose offset to UTC is unknown.
    pub fn is_unanchored(&self) -> bool {
        matches!(self, EventTime::Local { utc: None, .. })
    }

    /// The key the timeline sorts on: the UTC instant, or for an unanchored local time its
    /// wall-clock reading taken as if it were UTC (such events are flagged in every output).
    pub fn sort_key(&self) -> Timestamp {
        match *self {
            EventTime::Utc(ts) => ts,
            EventTime::Local { utc: Some(ts), .. } => ts,
            EventTime::Local { local, utc: None } => local
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::MIN),
        }
    }
}

/// How a log stated its own offset between local time and UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnchorBasis {
    /// CBS's `Universal Time is: ...` line.
    UniversalTimeLine,
    /// A CSI `counter@Y/M/D:H:M:S.mmm` UTC stamp next to the line's local time.
    CsiUtcStamp,
}

impl AnchorBasis {
    /// Plain words for reports.
    pub fn describe(self) -> &'static str {
        match self {
            AnchorBasis::UniversalTimeLine => "the log's 'Universal Time is' line",
            AnchorBasis::CsiUtcStamp => "the log's CSI UTC stamps",
        }
    }
}

/// A point in a local-time log where the log itself says what the UTC offset is. It holds
/// from its line on, until the next anchor (so a change of daylight saving time is followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockAnchor {
    /// The line the anchor was read on.
    pub line: u64,
    /// Local minus UTC, rounded to a quarter hour.
    pub offset: jiff::tz::Offset,
    /// How it was found.
    pub basis: AnchorBasis,
}

impl ClockAnchor {
    /// The anchor given by a local and a UTC reading of the same instant, when their
    /// difference is a plausible zone offset (within 14 hours).
    pub fn from_readings(line: u64, local: DateTime, utc: DateTime, basis: AnchorBasis) -> Option<ClockAnchor> {
        let diff = local.duration_since(utc).as_secs();
        let quarter = 15 * 60;
        let rounded = ((diff as f64) / quarter as f64).round() as i64 * quarter;
        if rounded.abs() > 14 * 3600 {
            return None;
        }
        let offset = jiff::tz::Offset::from_seconds(i32::try_from(rounded).ok()?).ok()?;
        Some(ClockAnchor { line, offset, basis })
    }
}
