//! Dates as users paste them: ISO (`2012-10-21 14:30:05`), Japanese (`2012/10/21 14:30:05`,
//! `2012年10月21日`), US Event Viewer (`10/21/2012 3:04:05 PM`), wevtutil's `...T...Z` (which
//! is local time despite its Z), with the invisible left-to-right marks Windows puts in dates
//! either kept, or lost on copy as `?`. What is unambiguous is parsed; a day/month order that
//! cannot be told is flagged.

use jiff::civil::{Date, DateTime, Time};

/// A parsed pasted date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastedDate {
    /// The local wall-clock time.
    pub local: DateTime,
    /// True when day and month could be swapped (both 12 or less, no AM/PM or year-first).
    pub ambiguous: bool,
}

/// Removes left-to-right marks and the `?` they become when copied through a code page.
fn clean(text: &str) -> String {
    let text = text.replace(['\u{200e}', '\u{200f}'], "");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let between = |c: Option<&char>| c.is_none_or(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | ' ' | ':'));
        if *c == '?' && between(prev) && between(next) {
            continue;
        }
        out.push(*c);
    }
    out.trim().to_string()
}

/// Parses a pasted date and time (the time is optional).
pub fn parse(text: &str) -> Option<PastedDate> {
    let text = clean(text);
    let text = text.trim_end_matches('Z');
    let (date_part, rest) = split_date(text)?;
    let (year_first, a, b, c) = numbers(&date_part)?;
    let (time, pm_hint) = parse_time(rest.trim())?;
    let (date, ambiguous) = if year_first {
        (Date::new(a as i16, b as i8, c as i8).ok()?, false)
    } else {
        // Month/day/year, as Event Viewer writes it on US Windows.
        let ambiguous = a <= 12 && b <= 12 && a != b && !pm_hint;
        (
            Date::new(c as i16, a as i8, b as i8)
                .or_else(|_| Date::new(c as i16, b as i8, a as i8))
                .ok()?,
            ambiguous,
        )
    };
    Some(PastedDate {
        local: date.to_datetime(time),
        ambiguous,
    })
}

fn split_date(text: &str) -> Option<(String, &str)> {
    let text = text.trim();
    if let Some(at) = text.find('日') {
        let date = text[..at].replace(['年', '月'], "/");
        return Some((date, &text[at + '日'.len_utf8()..]));
    }
    let end = text.find([' ', 'T']).unwrap_or(text.len());
    Some((text[..end].to_string(), &text[end..]))
}

fn numbers(date: &str) -> Option<(bool, i32, i32, i32)> {
    let parts: Vec<i32> = date
        .split(['/', '-', '.'])
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    Some((*a > 31, *a, *b, *c))
}

/// `14:30`, `14:30:05`, `14:30:05.123`, `3:04:05 PM`, `午後 3:04:05` -> (time, had AM/PM).
fn parse_time(text: &str) -> Option<(Time, bool)> {
    let text = text.trim_start_matches('T').trim();
    if text.is_empty() {
        return Some((Time::midnight(), false));
    }
    let upper = text.to_uppercase();
    let pm = upper.contains("PM") || text.contains("午後");
    let am = upper.contains("AM") || text.contains("午前");
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ':' || *c == '.')
        .collect();
    let mut parts = digits.split(':');
    let mut hour: i8 = parts.next()?.parse().ok()?;
    let minute: i8 = parts.next()?.parse().ok()?;
    let second: i8 = parts.next().map_or(Some(0), |s| s.split('.').next()?.parse().ok())?;
    if pm && hour < 12 {
        hour += 12;
    }
    if am && hour == 12 {
        hour = 0;
    }
    Some((Time::new(hour, minute, second, 0).ok()?, pm || am))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn every_pasted_date_shape() {
        // (text, local time, ambiguous)
        let cases = [
            ("2018/10/01 21:00:19", "2018-10-01T21:00:19", false),
            ("2012-10-21 14:30", "2012-10-21T14:30:00", false),
            ("2012-10-21T14:30:05.1234567Z", "2012-10-21T14:30:05", false),
            ("10/21/2012 3:04:05 PM", "2012-10-21T15:04:05", false),
            (
                "\u{200e}10/\u{200e}21/\u{200e}2012 12:04:05 AM",
                "2012-10-21T00:04:05",
                false,
            ),
            ("?10/?21/?2012 3:04:05 PM", "2012-10-21T15:04:05", false),
            ("3/10/2012 20:30:00", "2012-03-10T20:30:00", true),
            ("2012年10月21日 15:04:05", "2012-10-21T15:04:05", false),
            ("2012/10/21 午後 3:04:05", "2012-10-21T15:04:05", false),
        ];
        for (text, local, ambiguous) in cases {
            let date = parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (date.local.to_string().as_str(), date.ambiguous),
                (local, ambiguous),
                "{text}"
            );
        }
        assert!(parse("yesterday").is_none());
        assert!(parse("13/13/2012").is_none());
    }
}
