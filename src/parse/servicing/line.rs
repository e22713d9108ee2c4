//! The grammar of one CBS / DISM / Panther log line:
//! `YYYY-MM-DD HH:MM:SS, <Level padded to 22><Source padded to 7><message>`, where WinPE's
//! Panther logs put a `[0x0601c1]` message id inside the level column, and dism.log sometimes
//! leaves the source column empty. Lines that do not start with a timestamp continue the
//! previous entry.

use jiff::civil::DateTime;

/// The head of a timestamped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineHead<'a> {
    /// Local wall-clock time as written.
    pub local: DateTime,
    /// Level column (`Info`, `Error`, `Warning`, ...).
    pub level: &'a str,
    /// Panther message id (`0x0601c1`), when present.
    pub message_id: Option<&'a str>,
    /// Source column (`CBS`, `CSI`, `DISM`, `MOUPG`, ...); empty when the column is blank.
    pub source: &'a str,
    /// The rest of the line.
    pub message: &'a str,
}

/// Width of the level column, counted from the character after `, `.
const LEVEL_WIDTH: usize = 22;
/// Width of the source column.
const SOURCE_WIDTH: usize = 7;

/// Parses a line that starts with a timestamp; `None` for a continuation line.
pub fn parse_line(line: &str) -> Option<LineHead<'_>> {
    parse_line_after(line, &mut LastLine::default())
}

/// What a reader parsed last: a log writes many lines in one second at one level from one
/// source, and a line whose stamp (or whose padded level and source columns) are the same bytes
/// reads the same there.
#[derive(Debug, Default)]
pub struct LastLine {
    bytes: [u8; 19],
    local: Option<DateTime>,
    columns: Option<LastColumns>,
}

/// The padded level and source columns of a line, and where in them its level, message id and
/// source lie.
#[derive(Debug)]
struct LastColumns {
    bytes: [u8; COLUMNS],
    level: (usize, usize),
    message_id: Option<(usize, usize)>,
    source: (usize, usize),
}

/// Both padded columns together.
const COLUMNS: usize = LEVEL_WIDTH + SOURCE_WIDTH;

/// [`parse_line`] for a reader that read `last` before.
pub fn parse_line_after<'a>(line: &'a str, last: &mut LastLine) -> Option<LineHead<'a>> {
    let stamp = line.as_bytes().get(..19)?;
    let local = match last.local {
        Some(local) if last.bytes == stamp => local,
        _ => {
            let (_, local) = timestamp(line)?;
            last.bytes.copy_from_slice(stamp);
            last.local = Some(local);
            local
        }
    };
    let rest = line.get(19..)?;
    let rest = rest.strip_prefix(", ")?;
    let (level, message_id, source, message) = match reuse_columns(rest, last.columns.as_ref()) {
        Some(columns) => columns,
        None => match columns(rest) {
            // Only the padded layout depends on the columns' bytes alone (`words` trims what
            // follows them).
            Some(columns) => {
                last.columns = remember_columns(rest, &columns).or(last.columns.take());
                columns
            }
            None => words(rest)?,
        },
    };
    Some(LineHead {
        local,
        level,
        message_id,
        source,
        message,
    })
}

/// The columns of `rest` when its padded columns are the bytes `last` read.
fn reuse_columns<'a>(rest: &'a str, last: Option<&LastColumns>) -> Option<Columns<'a>> {
    let last = last?;
    if rest.as_bytes().get(..COLUMNS)? != last.bytes {
        return None;
    }
    let at = |(from, to): (usize, usize)| rest.get(from..to);
    let message_id = match last.message_id {
        Some(range) => Some(at(range)?),
        None => None,
    };
    Some((at(last.level)?, message_id, at(last.source)?, rest.get(COLUMNS..)?))
}

/// What [`reuse_columns`] needs of `columns`, read from `rest`, when they come from the padded
/// columns alone (the source column ends in a space and the message starts right after it):
/// they then depend on those bytes only. (A source word that fills its column up to a line's
/// end also leaves the message starting there, yet the next line's source word can run on.)
fn remember_columns(rest: &str, (level, message_id, source, message): &Columns<'_>) -> Option<LastColumns> {
    // Where each part lies in `rest` (they are slices of it; `None` for one that is not).
    let range = |part: &str| {
        let from = (part.as_ptr() as usize).checked_sub(rest.as_ptr() as usize)?;
        let to = from.checked_add(part.len())?;
        (to <= COLUMNS).then_some((from, to))
    };
    let starts_after_columns = (message.as_ptr() as usize).checked_sub(rest.as_ptr() as usize) == Some(COLUMNS);
    let padded = rest.as_bytes().get(COLUMNS - 1) == Some(&b' ');
    if !starts_after_columns || !padded || !rest.is_char_boundary(COLUMNS) {
        return None;
    }
    let message_id = match message_id {
        Some(id) => Some(range(id)?),
        None => None,
    };
    let mut bytes = [0; COLUMNS];
    bytes.copy_from_slice(rest.as_bytes().get(..COLUMNS)?);
    Some(LastColumns {
        bytes,
        level: range(level)?,
        message_id,
        source: range(source)?,
    })
}

/// `YYYY-MM-DD HH:MM:SS` at the start of `line` (a real date and time), and the rest.
fn timestamp(line: &str) -> Option<(&str, DateTime)> {
    let bytes = line.as_bytes().get(..19)?;
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }
    let number = |from: usize, to: usize| {
        bytes[from..to]
            .iter()
            .try_fold(0i16, |n, &b| b.is_ascii_digit().then(|| n * 10 + i16::from(b - b'0')))
    };
    let two = |from: usize| number(from, from + 2).and_then(|n| i8::try_from(n).ok());
    let local = DateTime::new(number(0, 4)?, two(5)?, two(8)?, two(11)?, two(14)?, two(17)?, 0).ok()?;
    Some((&line[19..], local))
}

type Columns<'a> = (&'a str, Option<&'a str>, &'a str, &'a str);

/// The fixed-width layout every real CBS/DISM/Panther line uses.
fn columns(rest: &str) -> Option<Columns<'_>> {
    let bytes = rest.as_bytes();
    if bytes.len() < LEVEL_WIDTH + 1 || bytes[LEVEL_WIDTH - 1] != b' ' || !rest.is_char_boundary(LEVEL_WIDTH) {
        return None;
    }
    let (level, message_id) = level_and_id(&rest[..LEVEL_WIDTH])?;
    let after = &rest[LEVEL_WIDTH..];
    let column_end = LEVEL_WIDTH + SOURCE_WIDTH;
    if bytes.len() >= column_end && bytes[column_end - 1] == b' ' && rest.is_char_boundary(column_end) {
        return Some((
            level,
            message_id,
            rest[LEVEL_WIDTH..column_end].trim(),
            &rest[column_end..],
        ));
    }
    let source = after.split(' ').next().unwrap_or_default();
    let message = after[source.len()..]
        .strip_prefix(' ')
        .unwrap_or(&after[source.len()..]);
    Some((level, message_id, source.trim(), message))
}

fn level_and_id(column: &str) -> Option<(&str, Option<&str>)> {
    let mut parts = column.split_whitespace();
    let level = parts.next()?;
    if !level.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match parts.next() {
        None => Some((level, None)),
        Some(id) if id.starts_with("[0x") && id.ends_with(']') => Some((level, Some(&id[1..id.len() - 1]))),
        Some(_) => None,
    }
}

/// Fallback for lines whose columns are not padded: `Level [id] Source message`.
fn words(rest: &str) -> Option<Columns<'_>> {
    let rest = rest.trim_start();
    let (level, mut after) = rest.split_once(' ').unwrap_or((rest, ""));
    if level.is_empty() || !level.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    after = after.trim_start();
    let mut message_id = None;
    if after.starts_with("[0x") {
        if let Some((id, tail)) = after.split_once(']') {
            message_id = Some(&id[1..]);
            after = tail.trim_start();
        }
    }
    let (source, message) = after.split_once(' ').unwrap_or((after, ""));
    Some((level, message_id, source, message.trim_start()))
}

#[cfg(test)]
mod tests {
    use super::{parse_line, parse_line_after, LastLine};

    #[test]
    fn a_reader_remembering_its_last_line_reads_as_one_that_does_not() {
        let lines = [
            "2024-05-10 13:00:00, Info                  CBS    a",
            "2024-05-10 13:00:00, Error                 CSI    b",
            "2024-05-10 13:00:0x, Info                  CBS    not a stamp",
            "    continued",
            "2024-05-10 13:00:00, Info                  CBS    c",
            "2024-02-30 13:00:00, Info                  CBS    no such day",
            "2024-05-10 13:00:01, Info                  CBS    d",
            "2024-05-10 13:00:00",
            "2019-03-29 00:25:29, Info       [0x0601c1] IBS    InstallWindows:Install Path = X:\\Sources",
            "2019-03-29 00:25:29, Info       [0x0601c1] IBS    again",
            "2019-03-29 00:25:29, Info       [0x0601c1] IBS    ",
            "2020-05-11 10:00:00, Error                        EnumeratePathEx: FindFirstFile failed",
            "2020-05-11 10:00:00, Error                        again",
            "2022-07-06 08:08:29, Warning               SetupHost Long source name",
            "2022-07-06 08:08:29, Warning               SetupHost again",
            "2022-07-06 08:08:29, Info                  MOUPG  SetupHost::Initialize",
            "2022-07-06 08:08:29, Info                  MOUPG  ",
            "2022-07-06 08:08:29, Info                  MOUPG ",
            "2021-01-02 03:04:05, Info CBS unpadded",
            "2021-01-02 03:04:05, Info                  CBS   xunpadded at the source",
            // Unpadded words whose message happens to start where a padded one would, then the
            // same first columns with a space after them (found by the fuzzer).
            "2024-05-10 13:00:00, Info ABCDEFGHIJKLMNOPQRSTUVW message",
            "2024-05-10 13:00:00, Info ABCDEFGHIJKLMNOPQRSTUVW  message",
            // A source word filling its column up to the line's end, then the same columns with
            // the word running on (found by the fuzzer).
            "2024-05-20 09:00:00, Info                  CS\t\0\0\0\0",
            "2024-05-20 09:00:00, Info                  CS\t\0\0\0\0\0\0\0I    000000D1",
        ];
        let mut last = LastLine::default();
        for line in lines {
            assert_eq!(parse_line_after(line, &mut last), parse_line(line), "{line:?}");
        }
    }

    #[test]
    fn parses_every_column_layout_seen_in_real_logs() {
        // (line, level, message id, source, message)
        let cases = [
            (
                "2023-05-17 08:44:05, Info                  CBS    Exec: Session processing started.",
                "Info",
                None,
                "CBS",
                "Exec: Session processing started.",
            ),
            (
                "2023-05-17 08:44:12, Error                 CSI    00000008@2023/5/17:15:44:12.956 (F) x",
                "Error",
                None,
                "CSI",
                "00000008@2023/5/17:15:44:12.956 (F) x",
            ),
            (
                "2019-03-29 00:25:29, Info       [0x0601c1] IBS    InstallWindows:Install Path = X:\\Sources",
                "Info",
                Some("0x0601c1"),
                "IBS",
                "InstallWindows:Install Path = X:\\Sources",
            ),
            (
                "2020-05-11 10:00:00, Error                        EnumeratePathEx: FindFirstFile failed",
                "Error",
                None,
                "",
                "EnumeratePathEx: FindFirstFile failed",
            ),
            (
                "2022-07-06 08:08:29, Info                  MOUPG  SetupHost::Initialize",
                "Info",
                None,
                "MOUPG",
                "SetupHost::Initialize",
            ),
            (
                "2022-07-06 08:08:29, Warning               SetupHost Long source name",
                "Warning",
                None,
                "SetupHost",
                "Long source name",
            ),
            (
                "2021-01-02 03:04:05, Info CBS unpadded",
                "Info",
                None,
                "CBS",
                "unpadded",
            ),
        ];
        for (line, level, id, source, message) in cases {
            let head = parse_line(line).unwrap_or_else(|| panic!("no parse: {line}"));
            assert_eq!(
                (head.level, head.message_id, head.source, head.message),
                (level, id, source, message),
                "{line}"
            );
        }
    }

    #[test]
    fn continuation_and_invalid_lines_are_not_heads() {
        for line in [
            " Expected: {l:32 ml:33 b:a9b5}",
            "[gle=0x80004005]",
            "",
            "2023-13-17 08:44:05, Info                  CBS    month 13",
            "2023-05-17 08:44:05 Info no comma",
            "2023-05-17 08:44:05, ",
            "2023-05-17 08:44:05, Info",
        ] {
            assert!(parse_line(line).is_none() || line.ends_with("Info"), "{line}");
        }
        let bare = parse_line("2023-05-17 08:44:05, Info").map(|h| h.message);
        assert_eq!(bare, Some(""));
    }
}
