//! Puts local-time text logs on the UTC timeline, and says how.
//!
//! In order of trust: the log's own anchors (CBS's `Universal Time is:` line and CSI `@`
//! stamps, applied from their line on so a daylight-saving change inside a log is followed);
//! the zone the user gave with `--tz` (DST-aware); the offset another log of the same case
//! stated (a dism.log has no anchor, the CBS.log beside it does); otherwise the times stay
//! local and are flagged as unanchored. Local and UTC times are never mixed silently.

use std::collections::BTreeMap;

use jiff::tz::{Offset, TimeZone};

use crate::model::zone::offset_text;
pub use crate::model::Zone;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::{AnchorBasis, EventTime, Location, Notice, Severity};
use crate::parse::ParsedFile;

/// How a file's times were put on the UTC timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", rename_all = "kebab-case")]
pub enum ClockBasis {
    /// The file writes UTC.
    Utc,
    /// The file states its own offset(s).
    Log {
        /// Offsets in the order they apply (`+09:00`).
        offsets: Vec<String>,
        /// How the log states them.
        how: AnchorBasis,
    },
    /// The `--tz` zone.
    Zone {
        /// The zone as the user gave it.
        zone: String,
    },
    /// An offset stated by another log of the same case.
    Borrowed {
        /// The offset (`+09:00`).
        offset: String,
        /// The log that stated it.
        from: String,
    },
    /// The offset at which this log's servicing sessions line up with the System log's
    /// Windows Modules Installer starts (SCM 7036, UTC).
    Matched {
        /// The offset (`+09:00`).
        offset: String,
        /// How many session starts lined up.
        pairs: usize,
    },
    /// Local times with no known offset: shown as written, sorted as if UTC.
    Unanchored,
}

impl ClockBasis {
    /// One short line for reports: a log whose offset changes often (a CBS.log kept over years
    /// of daylight saving changes) is summarised; `describe` and the JSON keep every offset.
    pub fn summary(&self) -> String {
        match self {
            ClockBasis::Log { offsets, how } if offsets.len() > 3 => {
                let mut distinct: Vec<&String> = offsets.iter().collect();
                distinct.sort();
                distinct.dedup();
                let range = match (distinct.first(), distinct.last()) {
                    (Some(low), Some(high)) if low != high => format!("between UTC{low} and UTC{high}"),
                    (Some(only), _) => format!("all UTC{only}"),
                    _ => String::new(),
                };
                format!(
                    "local, {} offset changes {range} from {} (every one in `inputs --format json`)",
                    offsets.len() - 1,
                    how.describe()
                )
            }
            other => other.describe(),
        }
    }

    /// [`ClockBasis::summary`] for a Japanese reader.
    pub fn summary_ja(&self) -> String {
        match self {
            ClockBasis::Log { offsets, how } if offsets.len() > 3 => format!(
                "現地時刻。{} から求めたオフセットが {} 回変わっています (すべて `inputs --format json` にあります)",
                how.describe_ja(),
                offsets.len() - 1
            ),
            ClockBasis::Utc => "UTC".to_string(),
            ClockBasis::Log { offsets, how } => {
                format!("現地時刻、UTC{} ({}による)", offsets.join(" → UTC"), how.describe_ja())
            }
            ClockBasis::Zone { zone } => format!("現地時刻、--tz {zone} で換算"),
            ClockBasis::Borrowed { offset, from } => format!("現地時刻、UTC{offset} ({from} の記載による)"),
            ClockBasis::Matched { offset, pairs } => format!(
                "現地時刻、UTC{offset} (サービス処理のセッション開始 {pairs} 件をシステム ログの Windows Modules Installer の開始と突き合わせて判定)"
            ),
            ClockBasis::Unanchored => "現地時刻、オフセット不明 (--tz を指定してください)".to_string(),
        }
    }

    /// One line for reports.
    pub fn describe(&self) -> String {
        match self {
            ClockBasis::Utc => "UTC".to_string(),
            ClockBasis::Log { offsets, how } => {
                format!("local, UTC{} from {}", offsets.join(" then UTC"), how.describe())
            }
            ClockBasis::Zone { zone } => format!("local, converted with --tz {zone}"),
            ClockBasis::Borrowed { offset, from } => format!("local, UTC{offset} as stated by {from}"),
            ClockBasis::Matched { offset, pairs } => format!(
                "local, UTC{offset} found by matching {pairs} servicing session start(s) to Windows Modules Installer starts in the System log"
            ),
            ClockBasis::Unanchored => "local, unanchored (no offset known: give --tz)".to_string(),
        }
    }
}

/// Anchors every local-time event of `files` and returns each file's clock basis (in order),
/// with a notice for each log whose stated offset `--tz` contradicts.
pub fn anchor(files: &mut [ParsedFile], zone: Option<&Zone>) -> (Vec<ClockBasis>, Vec<Notice>) {
    let lenders: Vec<Option<(Offset, String)>> = (0..files.len()).map(|i| lender(files, i)).collect();
    let notices = zone.map(|z| contradictions(files, z)).unwrap_or_default();
    let installer_starts = installer_starts(files);
    let clocks = files
        .iter_mut()
        .zip(lenders)
        .map(|(file, borrowed)| {
            let has_local = file.events.iter().any(|e| e.time.local_time().is_some())
                || file.tally.runs().iter().any(|r| r.time.local_time().is_some());
            if !has_local {
                return ClockBasis::Utc;
            }
            if !file.anchors.is_empty() {
                apply_anchors(file);
                let offsets = file.anchors.iter().map(|a| offset_text(a.offset)).collect();
                return ClockBasis::Log {
                    offsets,
                    how: file.anchors[0].basis,
                };
            }
            if let Some(zone) = zone {
                apply_zone(file, &zone.tz);
                return ClockBasis::Zone {
                    zone: zone.name.clone(),
                };
            }
            if let Some((offset, from)) = &borrowed {
                apply_zone(file, &TimeZone::fixed(*offset));
                return ClockBasis::Borrowed {
                    offset: offset_text(*offset),
                    from: from.clone(),
                };
            }
            if let Some((offset, pairs)) = matched_offset(&file.session_starts, &installer_starts) {
                apply_zone(file, &TimeZone::fixed(offset));
                return ClockBasis::Matched {
                    offset: offset_text(offset),
                    pairs,
                };
            }
            ClockBasis::Unanchored
        })
        .collect();
    (clocks, notices)
}

/// How far apart two logs of one event (a DISM session in CBS.log and dism.log, one setup in
/// setupact.log and setuperr.log) may lie: the widest UTC offset.
const SAME_STORY: jiff::SignedDuration = jiff::SignedDuration::from_hours(14);

/// The offset a log without its own may take from another: a log of the same folder or
/// archive folder that states one and whose local time span overlaps this one's (within 14
/// hours). Among several, the one stating its offset most often (then the first) lends.
fn lender(files: &[ParsedFile], index: usize) -> Option<(Offset, String)> {
    let file = &files[index];
    let (start, end) = local_span(file)?;
    let folder = folder_of(&file.path);
    let mut best: Option<(usize, &ParsedFile)> = None;
    for other in files
        .iter()
        .filter(|o| !o.anchors.is_empty() && !std::ptr::eq(*o, file))
    {
        let Some((other_start, other_end)) = local_span(other) else {
            continue;
        };
        let overlaps = other_start.saturating_sub(SAME_STORY) <= end && start <= other_end.saturating_add(SAME_STORY);
        if folder_of(&other.path) == folder && overlaps && best.is_none_or(|(n, _)| other.anchors.len() > n) {
            best = Some((other.anchors.len(), other));
        }
    }
    let (_, other) = best?;
    // The anchor in force nearest this log's start.
    let index = other
        .anchors
        .partition_point(|a| line_time(other, a.line).is_some_and(|t| t <= start))
        .saturating_sub(1);
    let anchor = other.anchors.get(index)?;
    Some((anchor.offset, other.path.to_string()))
}

/// The local time written on `line` of `file` (an event's line, kept or tallied).
fn line_time(file: &ParsedFile, line: u64) -> Option<jiff::civil::DateTime> {
    let kept = file.events.iter().find(|e| e.origin.location == Location::Line(line));
    let time = match kept {
        Some(event) => event.time,
        None => {
            let runs = file.tally.runs();
            runs.get(runs.partition_point(|r| r.line <= line).checked_sub(1)?)?.time
        }
    };
    time.local_time()
}

/// The earliest and latest local wall-clock time a file writes.
fn local_span(file: &ParsedFile) -> Option<(jiff::civil::DateTime, jiff::civil::DateTime)> {
    let kept = file.events.iter().map(|e| &e.time);
    let tallied = file.tally.runs().iter().map(|r| &r.time);
    let mut times = kept.chain(tallied).filter_map(EventTime::local_time);
    let first = times.next()?;
    Some(times.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
}

/// The folder a display path is in; an archive's entries are in `archive.zip!folder`.
pub fn folder_of(path: &str) -> &str {
    path.rfind(['/', '\\', '!']).map_or("", |i| &path[..i])
}

/// A log that states its own offset keeps it; when `--tz` gives another offset at the same
/// time, the user is told, naming both.
fn contradictions(files: &[ParsedFile], zone: &Zone) -> Vec<Notice> {
    let mut notices = Vec::new();
    for file in files.iter().filter(|f| !f.anchors.is_empty()) {
        let differing = file.anchors.iter().find_map(|anchor| {
            let local = line_time(file, anchor.line)?;
            let zoned = local.to_zoned(zone.tz.clone()).ok()?;
            (zoned.offset() != anchor.offset).then_some((anchor, zoned.offset()))
        });
        if let Some((anchor, given)) = differing {
            let reason = format!(
                "--tz {} gives UTC{} here, but the log states UTC{} ({}); the log's own offset is used for it",
                zone.name,
                offset_text(given),
                offset_text(anchor.offset),
                anchor.basis.describe()
            );
            notices.push(Notice::new(Severity::Note, &*file.path, reason).at(format!("line {}", anchor.line)));
        }
    }
    notices
}

/// UTC times at which the Windows Modules Installer (TrustedInstaller) service started.
fn installer_starts(files: &[ParsedFile]) -> Vec<jiff::Timestamp> {
    let mut starts: Vec<jiff::Timestamp> = files
        .iter()
        .flat_map(|f| f.census.installer_starts.iter().copied())
        .collect();
    starts.sort();
    starts
}

/// The session starts of a local-time log (TrustedInstaller initialising in CBS.log, a DISM
/// session starting; local times) paired with installer starts within 14 hours and two minutes
/// of a quarter-hour offset: the offset most pairs agree on, when they are the majority (and at
/// least two, unless the log has a single session).
fn matched_offset(sessions: &[jiff::civil::DateTime], starts: &[jiff::Timestamp]) -> Option<(Offset, usize)> {
    if starts.is_empty() {
        return None;
    }
    let mut votes: BTreeMap<i32, usize> = BTreeMap::new();
    let sessions_seen = sessions.len();
    for local in sessions {
        let Ok(as_utc) = local.to_zoned(TimeZone::UTC).map(|z| z.timestamp()) else {
            continue;
        };
        let nearest = starts
            .iter()
            .map(|t| as_utc.duration_since(*t).as_secs())
            .filter(|d| d.abs() <= 14 * 3600 && d.rem_euclid(900).min(900 - d.rem_euclid(900)) <= 120)
            .min_by_key(|d| d.rem_euclid(900).min(900 - d.rem_euclid(900)));
        if let Some(diff) = nearest {
            let quarter = ((diff as f64) / 900.0).round() as i32 * 900;
            *votes.entry(quarter).or_default() += 1;
        }
    }
    let (seconds, count) = votes.into_iter().max_by_key(|(_, n)| *n)?;
    let agreed = count * 2 > sessions_seen && (count >= 2 || count == sessions_seen);
    agreed
        .then(|| Offset::from_seconds(seconds).ok().map(|o| (o, count)))
        .flatten()
}

/// Every time of `file`, kept and tallied (the harmless tally's too), with the line it was read
/// on, to be set on every core (a big log has hundreds of thousands).
fn times_mut(file: &mut ParsedFile) -> impl ParallelIterator<Item = (Option<u64>, &mut EventTime)> {
    let kept = file.events.par_iter_mut().map(|e| {
        let line = match e.origin.location {
            Location::Line(line) => Some(line),
            Location::Record(_) => None,
        };
        (line, &mut e.time)
    });
    let tallied = file
        .tally
        .runs_mut()
        .par_iter_mut()
        .map(|r| (Some(r.line), &mut r.time));
    let harmless = file
        .harmless
        .runs_mut()
        .par_iter_mut()
        .map(|r| (Some(r.line), &mut r.time));
    kept.chain(tallied).chain(harmless)
}

/// Each line's time takes the offset of the last anchor at or before it (the first anchor
/// before that).
fn apply_anchors(file: &mut ParsedFile) {
    let anchors = file.anchors.clone();
    times_mut(file).for_each(|(line, time)| {
        let Some(line) = line else { return };
        let index = anchors.partition_point(|a| a.line <= line).saturating_sub(1);
        if let Some(anchor) = anchors.get(index) {
            set_utc(time, &TimeZone::fixed(anchor.offset));
        }
    });
}

fn apply_zone(file: &mut ParsedFile, tz: &TimeZone) {
    times_mut(file).for_each(|(_, time)| set_utc(time, tz));
}

/// `time`'s instant on `tz` (`to_timestamp` is `to_zoned`'s instant without making the zoned
/// value, for every line of a big log).
fn set_utc(time: &mut EventTime, tz: &TimeZone) {
    if let EventTime::Local { local, utc, .. } = time {
        *utc = tz.to_timestamp(*local).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::ClockBasis;
    use crate::model::AnchorBasis;

    #[test]
    fn a_long_list_of_offsets_is_summarised() {
        let offsets: Vec<String> = (0..41)
            .map(|i| if i % 2 == 0 { "+08:00" } else { "+03:00" }.to_string())
            .collect();
        let clock = ClockBasis::Log {
            offsets,
            how: AnchorBasis::UniversalTimeLine,
        };
        assert_eq!(
            clock.summary(),
            "local, 40 offset changes between UTC+03:00 and UTC+08:00 from the log's 'Universal Time is' line (every one in `inputs --format json`)"
        );
        assert!(clock.describe().len() > 300, "describe keeps every offset");
        let short = ClockBasis::Log {
            offsets: vec!["+09:00".into()],
            how: AnchorBasis::UniversalTimeLine,
        };
        assert_eq!(short.summary(), short.describe());
    }
}
