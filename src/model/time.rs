//! Event times on two clocks: UTC (evtx) and the machine's local wall clock (text logs).
//!
//! CBS, DISM and Panther logs write local clock times without a zone. They stay local until
//! the case finds an anchor (see `case::clock`); an unanchored local time is never passed off
//! as UTC.

use jiff::civil::DateTime;
use jiff::Timestamp;

/// How finely a time was given: evtx and servicing logs to the second, a user's note to the
/// day or the month. A time is shown at its precision and never more finely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// `2012-03`.
    Month,
    /// `2012-03-10`.
    Day,
    /// `2012-03-10T20:30:00`.
    Second,
}

impl Precision {
    /// The stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Month => "month",
            Precision::Day => "day",
            Precision::Second => "second",
        }
    }
}

/// Evtx times before this year are not real times (an empty FILETIME reads as 1601-01-01).
pub const FIRST_PLAUSIBLE_YEAR: i16 = 1980;

/// The time of an event, keeping the clock it was written on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTime {
    /// Written in UTC (evtx `TimeCreated`, CSI `@` stamps).
    Utc(Timestamp),
    /// Written on the local wall clock; `utc` is filled once the clock is anchored.
    Local {
        /// The wall-clock time as written (the first instant of the day or month when less
        /// precise).
        local: DateTime,
        /// The same instant in UTC, when an anchor is known.
        utc: Option<Timestamp>,
        /// How finely it was written.
        precision: Precision,
        /// The day and month could be swapped (`05/06/2024` with no hint of the order).
        ambiguous: bool,
    },
    /// A recorded time that cannot be real (before 1980: an empty FILETIME), kept as written
    /// and never used as a time.
    Invalid(Timestamp),
    /// No time given: an event pasted without its date, a message copied alone. It is evidence
    /// all the same, ordered after every timed event.
    Unknown,
}

impl EventTime {
    /// A local wall-clock time written to the second.
    pub fn local(local: DateTime) -> EventTime {
        EventTime::Local {
            local,
            utc: None,
            precision: Precision::Second,
            ambiguous: false,
        }
    }

    /// A UTC time as recorded, flagged invalid when it cannot be real.
    pub fn recorded_utc(utc: Timestamp) -> EventTime {
        if utc.to_zoned(jiff::tz::TimeZone::UTC).year() < FIRST_PLAUSIBLE_YEAR {
            EventTime::Invalid(utc)
        } else {
            EventTime::Utc(utc)
        }
    }

    /// The UTC instant, when known.
    pub fn utc(&self) -> Option<Timestamp> {
        match *self {
            EventTime::Utc(ts) => Some(ts),
            EventTime::Local { utc, .. } => utc,
            EventTime::Invalid(_) | EventTime::Unknown => None,
        }
    }

    /// The local wall-clock time as written, for local-clock sources.
    pub fn local_time(&self) -> Option<DateTime> {
        match *self {
            EventTime::Local { local, .. } => Some(local),
            EventTime::Utc(_) | EventTime::Invalid(_) | EventTime::Unknown => None,
        }
    }

    /// True when a time was given (valid or not).
    pub fn is_known(&self) -> bool {
        !matches!(self, EventTime::Unknown)
    }

    /// How finely it was written.
    pub fn precision(&self) -> Precision {
        match *self {
            EventTime::Local { precision, .. } => precision,
            EventTime::Utc(_) | EventTime::Invalid(_) | EventTime::Unknown => Precision::Second,
        }
    }

    /// True when the day and month of the date could be swapped.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, EventTime::Local { ambiguous: true, .. })
    }

    /// True for a local time whose offset to UTC is unknown.
    pub fn is_unanchored(&self) -> bool {
        matches!(self, EventTime::Local { utc: None, .. })
    }

    /// The key the timeline sorts on: the UTC instant, or for an unanchored local time its
    /// wall-clock reading taken as if it were UTC (such events are flagged in every output);
    /// an invalid time sorts at its recorded value (before every real one).
    pub fn sort_key(&self) -> Timestamp {
        match *self {
            EventTime::Utc(ts) | EventTime::Invalid(ts) => ts,
            EventTime::Local { utc: Some(ts), .. } => ts,
            EventTime::Local { local, utc: None, .. } => local
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::MIN),
            EventTime::Unknown => Timestamp::MAX,
        }
    }

    /// The instant the diagnosis orders by: the sort key of a real time, `None` for an
    /// invalid or unknown one.
    pub fn order_key(&self) -> Option<Timestamp> {
        (!matches!(self, EventTime::Invalid(_) | EventTime::Unknown)).then(|| self.sort_key())
    }
}

impl EventTime {
    /// The local wall-clock time as written, at its precision (`2012-03`, `2012-03-10`,
    /// `2012-03-10T20:30:00`).
    pub fn local_text(&self) -> Option<String> {
        let local = self.local_time()?;
        let format = match self.precision() {
            Precision::Month => "%Y-%m",
            Precision::Day => "%Y-%m-%d",
            Precision::Second => "%Y-%m-%dT%H:%M:%S",
        };
        Some(local.strftime(format).to_string())
    }

    /// The clock it is on, as named in JSON.
    pub fn clock_name(&self) -> &'static str {
        match self {
            EventTime::Utc(_) => "utc",
            EventTime::Local { utc: Some(_), .. } => "local-anchored",
            EventTime::Local { utc: None, .. } => "local-unanchored",
            EventTime::Invalid(_) => "invalid",
            EventTime::Unknown => "none",
        }
    }

    /// The UTC instant a reader may rely on: only for a real time given to the second.
    pub fn reliable_utc(&self) -> Option<Timestamp> {
        self.utc().filter(|_| self.precision() == Precision::Second)
    }
}

/// A time's JSON keys, for embedding in the object it belongs to (`#[serde(flatten)]`):
/// `time` (UTC RFC 3339 for a real time given to the second, else `null`), `local_time` (as
/// written, at its precision, for local-clock sources), `clock` (`utc`, `local-anchored`,
/// `local-unanchored`, `invalid`, or `none` without a time), `precision` (`second`, `day`,
/// `month`), `ambiguous_date` (only when true), `recorded_time` (only for an invalid time).
#[derive(Debug, Clone, Copy)]
pub struct TimeKeys<'a>(pub Option<&'a EventTime>);

impl TimeKeys<'_> {
    /// Writes the keys into an open JSON object.
    pub fn write<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let Some(time) = self.0.filter(|t| t.is_known()) else {
            map.serialize_entry("time", &None::<String>)?;
            map.serialize_entry("clock", "none")?;
            return Ok(());
        };
        map.serialize_entry("time", &time.reliable_utc().map(|t| t.to_string()))?;
        if let Some(local) = time.local_text() {
            map.serialize_entry("local_time", &local)?;
        }
        map.serialize_entry("clock", time.clock_name())?;
        map.serialize_entry("precision", time.precision().as_str())?;
        if time.is_ambiguous() {
            map.serialize_entry("ambiguous_date", &true)?;
        }
        if let EventTime::Invalid(recorded) = time {
            map.serialize_entry("recorded_time", &recorded.to_string())?;
        }
        Ok(())
    }
}

impl serde::Serialize for TimeKeys<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        self.write(&mut map)?;
        map.end()
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

    /// The same in Japanese.
    pub fn describe_ja(self) -> &'static str {
        match self {
            AnchorBasis::UniversalTimeLine => "ログの 'Universal Time is' 行",
            AnchorBasis::CsiUtcStamp => "ログの CSI の UTC タイムスタンプ",
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
