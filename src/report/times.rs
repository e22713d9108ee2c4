//! How times are printed: UTC with `Z`, in the `--tz` zone when one is given, and local times
//! with no known offset marked as such.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::model::EventTime;

/// A time for tables: seconds precision, in `zone` (or UTC), `(local)` when unanchored.
pub fn for_table(time: &EventTime, zone: Option<&TimeZone>) -> String {
    match (time.utc(), time.local()) {
        (Some(utc), _) => instant(utc, zone),
        (None, Some(local)) => format!("{} (local)", local.strftime("%Y-%m-%dT%H:%M:%S")),
        (None, None) => "-".to_string(),
    }
}

fn instant(utc: Timestamp, zone: Option<&TimeZone>) -> String {
    match zone {
        None => utc.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(tz) => utc.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    }
}

/// A UTC instant for JSON: RFC 3339 with `Z` and the source's full precision.
pub fn for_json(utc: Timestamp) -> String {
    utc.to_string()
}
