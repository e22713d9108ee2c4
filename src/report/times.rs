//! How times are printed: UTC with `Z` (or in the `--tz` zone when one is given), local times
//! whose offset is unknown as written and marked `(local)`, a user's month or day at that
//! precision, a day/month order that could be swapped marked, and impossible recorded times
//! (before 1980) named invalid. Never a local time passed off as UTC.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::model::{EventTime, Precision};

/// How much of a time of day a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// `2024-05-13T19:01:00Z` (tables of files and events).
    Seconds,
    /// `2024-05-13 19:01 UTC` (the analysis report).
    Minutes,
}

/// A time for a Japanese reader: `2024年5月13日 19:01 +09:00`, `2012年3月` at month
/// precision, `(現地時刻)` where the offset is unknown; the same honesty as [`show`].
pub fn show_ja(time: Option<&EventTime>, zone: Option<&TimeZone>) -> String {
    let Some(time) = time.filter(|t| t.is_known()) else {
        return "(時刻なし)".to_string();
    };
    let minutes = "%Y年%-m月%-d日 %H:%M";
    let text = match *time {
        EventTime::Invalid(recorded) => format!("無効な時刻 ({})", recorded.strftime("%Y年%-m月%-d日")),
        EventTime::Unknown => "(時刻なし)".to_string(),
        EventTime::Local { local, precision, .. } if precision != Precision::Second => match precision {
            Precision::Month => local.strftime("%Y年%-m月").to_string(),
            _ => local.strftime("%Y年%-m月%-d日").to_string(),
        },
        EventTime::Utc(utc) | EventTime::Local { utc: Some(utc), .. } => match zone {
            None => format!("{} UTC", utc.strftime(minutes)),
            Some(tz) => utc
                .to_zoned(tz.clone())
                .strftime("%Y年%-m月%-d日 %H:%M %:z")
                .to_string(),
        },
        EventTime::Local { local, utc: None, .. } => format!("{} (現地時刻)", local.strftime(minutes)),
    };
    if time.is_ambiguous() {
        format!("{text} (日と月が逆の可能性)")
    } else {
        text
    }
}

/// A time for reports, at its precision, in `zone` (or UTC) when its instant is known.
pub fn show(time: Option<&EventTime>, zone: Option<&TimeZone>, detail: Detail) -> String {
    let Some(time) = time.filter(|t| t.is_known()) else {
        return "(no time)".to_string();
    };
    let text = match *time {
        EventTime::Invalid(recorded) => format!("invalid time ({})", recorded.strftime("%Y-%m-%d")),
        EventTime::Unknown => "(no time)".to_string(),
        EventTime::Local { local, precision, .. } if precision != Precision::Second => {
            time.local_text().unwrap_or_else(|| local.to_string())
        }
        EventTime::Utc(utc) | EventTime::Local { utc: Some(utc), .. } => instant(utc, zone, detail),
        EventTime::Local { local, utc: None, .. } => {
            let format = match detail {
                Detail::Seconds => "%Y-%m-%dT%H:%M:%S",
                Detail::Minutes => "%Y-%m-%d %H:%M",
            };
            format!("{} (local)", local.strftime(format))
        }
    };
    if time.is_ambiguous() {
        format!("{text} (day/month?)")
    } else {
        text
    }
}

/// A time for tables of files and events: seconds, or `-` when there is none.
pub fn for_table(time: &EventTime, zone: Option<&TimeZone>) -> String {
    show(Some(time), zone, Detail::Seconds)
}

fn instant(utc: Timestamp, zone: Option<&TimeZone>, detail: Detail) -> String {
    let (utc_format, zoned_format) = match detail {
        Detail::Seconds => ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%:z"),
        Detail::Minutes => ("%Y-%m-%d %H:%M UTC", "%Y-%m-%d %H:%M %:z"),
    };
    match zone {
        None => utc.strftime(utc_format).to_string(),
        Some(tz) => utc.to_zoned(tz.clone()).strftime(zoned_format).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{show, Detail};
    use crate::model::{EventTime, Precision};

    #[test]
    fn every_kind_of_time_is_shown_honestly() {
        let local: jiff::civil::DateTime = "2024-05-13T19:01:00".parse().expect("datetime");
        let utc: jiff::Timestamp = "2024-05-13T10:01:00Z".parse().expect("instant");
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone");
        let month = EventTime::Local {
            local: "2012-03-01T00:00:00".parse().expect("datetime"),
            utc: Some("2012-02-29T15:00:00Z".parse().expect("instant")),
            precision: Precision::Month,
            ambiguous: false,
        };
        let ambiguous = EventTime::Local {
            local: "2024-05-06T08:00:00".parse().expect("datetime"),
            utc: None,
            precision: Precision::Second,
            ambiguous: true,
        };
        let cases = [
            (EventTime::local(local), None, "2024-05-13 19:01 (local)"),
            (EventTime::Utc(utc), None, "2024-05-13 10:01 UTC"),
            (EventTime::Utc(utc), Some(&tokyo), "2024-05-13 19:01 +09:00"),
            (month, Some(&tokyo), "2012-03"),
            (ambiguous, None, "2024-05-06 08:00 (local) (day/month?)"),
            (
                EventTime::recorded_utc("1601-01-01T00:00:00Z".parse().expect("instant")),
                None,
                "invalid time (1601-01-01)",
            ),
        ];
        for (time, zone, expected) in cases {
            assert_eq!(show(Some(&time), zone, Detail::Minutes), expected);
        }
        assert_eq!(show(None, None, Detail::Minutes), "(no time)");
        assert_eq!(
            super::show_ja(Some(&EventTime::Utc(utc)), Some(&tokyo)),
            "2024年5月13日 19:01 +09:00"
        );
        assert_eq!(
            super::show_ja(Some(&EventTime::local(local)), None),
            "2024年5月13日 19:01 (現地時刻)"
        );
    }
}
