//! The user's own notes (`history.txt`, or any text whose lines start with dates): dated
//! statements kept as low-certainty facts "reported by the user". Dates at month precision
//! (`2012-08`, `2012年8月`, `2012/8`) or day precision; lines starting with "same time" words
//! (`同時期`) take the previous date; undated lines continue the previous note.

use jiff::civil::Date;

use crate::model::Precision;

/// One dated statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The first day the date names.
    pub date: Date,
    /// Day or month.
    pub precision: Precision,
    /// The statement as written (continuation lines joined).
    pub text: String,
    /// Line number.
    pub line: u64,
}

/// The date a line starts with, and its precision.
fn leading_date(line: &str) -> Option<(Date, Precision)> {
    let line = line.trim();
    let digits: String = line.chars().take(4).collect();
    let year: i16 = digits.parse().ok().filter(|y| (1990..=2100).contains(y))?;
    let rest = line.get(4..)?;
    let rest = rest
        .strip_prefix(['-', '/', '.'])
        .or_else(|| rest.strip_prefix('年'))
        .or_else(|| rest.strip_prefix(" "))?;
    let rest = rest.trim_start();
    let month_digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let month: i8 = month_digits.parse().ok().filter(|m| (1..=12).contains(m))?;
    let after = &rest[month_digits.len()..];
    let after = after
        .strip_prefix(['-', '/', '.'])
        .unwrap_or(after)
        .trim_start_matches('月');
    let day_digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    match day_digits.parse::<i8>().ok().filter(|d| (1..=31).contains(d)) {
        Some(day) => Date::new(year, month, day).ok().map(|d| (d, Precision::Day)),
        None => Date::new(year, month, 1).ok().map(|d| (d, Precision::Month)),
    }
}

/// Largest text read as notes: people's notes are short; machine logs are not.
const MAX_NOTES_BYTES: usize = 256 * 1024;

/// True when enough lines start with a date for the text to be notes, and the dates are
/// followed by words rather than clock times (a machine log stamps every line with a time).
pub fn looks_like(text: &str) -> bool {
    if text.len() > MAX_NOTES_BYTES {
        return false;
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(200)
        .collect();
    let dated: Vec<&&str> = lines.iter().filter(|l| leading_date(l).is_some()).collect();
    let clocked = dated.iter().filter(|l| has_clock(l)).count();
    !dated.is_empty() && dated.len() * 3 >= lines.len() && clocked * 2 < dated.len()
}

/// A `HH:MM` within the first 25 characters.
fn has_clock(line: &str) -> bool {
    let head: Vec<char> = line.chars().take(25).collect();
    head.windows(5).any(|w| {
        w[0].is_ascii_digit() && w[1].is_ascii_digit() && w[2] == ':' && w[3].is_ascii_digit() && w[4].is_ascii_digit()
    })
}

/// The notes of a text, and how many lines before the first dated one could not be placed.
pub fn read(text: &str) -> (Vec<Note>, usize) {
    let mut notes: Vec<Note> = Vec::new();
    let mut unplaced = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        if let Some((date, precision)) = leading_date(line) {
            notes.push(Note {
                date,
                precision,
                text: line.to_string(),
                line: index as u64 + 1,
            });
        } else if let Some(previous) = notes.last().cloned() {
            if ["同時期", "same time", "then", "その後"]
                .iter()
                .any(|w| line.starts_with(w))
            {
                notes.push(Note {
                    text: line.to_string(),
                    line: index as u64 + 1,
                    ..previous
                });
            } else if let Some(last) = notes.last_mut() {
                last.text.push('\n');
                last.text.push_str(line);
            }
        } else {
            unplaced += 1;
        }
    }
    (notes, unplaced)
}

#[cfg(test)]
mod tests {
    use super::{looks_like, read};

    #[test]
    fn dated_statements_in_the_users_words() {
        let text = "2012年3月 システムイメージ作成\n2012年 5月 OSのクリーンインストール\n2012-08-25 switched BIOS to UEFI\n同時期 CHKDSK c: /r\n(details forgotten)\n";
        assert!(looks_like(text));
        let (notes, unplaced) = read(text);
        assert_eq!(unplaced, 0);
        let summary: Vec<(String, &str)> = notes
            .iter()
            .map(|n| (n.date.to_string(), n.precision.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("2012-03-01".to_string(), "month"),
                ("2012-05-01".to_string(), "month"),
                ("2012-08-25".to_string(), "day"),
                ("2012-08-25".to_string(), "day")
            ]
        );
        assert_eq!(notes[3].text, "同時期 CHKDSK c: /r\n(details forgotten)");
        assert!(!looks_like("Windows Backup failed\nno dates here\n"));
        assert!(!looks_like("2021/07/13 10:22:58.9553434 3696  8172  Shared          InitializeSus\n2021/07/13 10:22:58.9553434 3696  8172  Agent  x\n"));
    }
}
