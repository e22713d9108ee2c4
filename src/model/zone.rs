//! The machine's time zone as the user gives it (`--tz`): a UTC offset or an IANA name.

use jiff::tz::{Offset, TimeZone};

/// `--tz` named neither an offset nor a zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is neither a UTC offset like +09:00 nor a known IANA zone name")]
pub struct BadZone(pub String);

/// A time zone given by the user, with the name they gave it.
#[derive(Debug, Clone)]
pub struct Zone {
    /// The name as given (`+09:00`, `Asia/Tokyo`).
    pub name: String,
    /// The zone.
    pub tz: TimeZone,
}

impl Zone {
    /// Parses a UTC offset (`+09:00`, `-0500`, `UTC`, `Z`) or an IANA zone name.
    pub fn parse(spec: &str) -> Result<Zone, BadZone> {
        let bad = || BadZone(spec.to_string());
        let tz = if spec.eq_ignore_ascii_case("utc") || spec == "Z" {
            TimeZone::UTC
        } else if spec.starts_with(['+', '-']) {
            TimeZone::fixed(parse_offset(spec).ok_or_else(bad)?)
        } else {
            TimeZone::get(spec).map_err(|_| bad())?
        };
        Ok(Zone {
            name: spec.to_string(),
            tz,
        })
    }
}

fn parse_offset(spec: &str) -> Option<Offset> {
    let sign = if spec.starts_with('-') { -1 } else { 1 };
    let digits: String = spec[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// An offset as `+09:00`.
pub fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::Zone;

    #[test]
    fn zones_parse_as_offsets_or_iana_names() {
        for (spec, ok) in [
            ("+09:00", true),
            ("-0500", true),
            ("UTC", true),
            ("Asia/Tokyo", true),
            ("Europe/Berlin", true),
            ("+25:00", false),
            ("Mars/Base", false),
            ("+9", false),
        ] {
            assert_eq!(Zone::parse(spec).is_ok(), ok, "{spec}");
        }
        let tokyo = Zone::parse("Asia/Tokyo").expect("zone");
        let local: jiff::civil::DateTime = "2012-10-21T12:00:00".parse().expect("datetime");
        let utc = local.to_zoned(tokyo.tz).expect("zoned").timestamp();
        assert_eq!(utc.to_string(), "2012-10-21T03:00:00Z");
    }
}
