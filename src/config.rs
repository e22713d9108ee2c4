//! The validated run configuration. The command line is turned into a [`Config`] once; nothing
//! after that sees the command-line parser.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::input::InputLimits;
use crate::model::Zone;

/// A command line that cannot run, in words for the user (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// `--tz` is neither an offset nor a zone name.
    #[error(transparent)]
    Zone(#[from] crate::model::zone::BadZone),
    /// `--since` / `--until` is not a time.
    #[error("'{0}' is not a time (use 2012-10-21, '2012-10-21 08:00' or 2012-10-21T08:00:00+09:00)")]
    Time(String),
    /// A time that does not exist in the zone (a daylight-saving gap).
    #[error("'{text}': {reason}")]
    TimeInZone {
        /// The time as given.
        text: String,
        /// Why the zone refuses it.
        reason: String,
    },
    /// `--shard` is not `K/N` with 1 <= K <= N.
    #[error("'{0}' is not a shard like 2/8 (K of N, 1 <= K <= N)")]
    Shard(String),
    /// `--since` after `--until`.
    #[error("--since ({since}) is after --until ({until}): no event can match")]
    Window {
        /// The start given.
        since: Timestamp,
        /// The end given.
        until: Timestamp,
    },
}

/// Output formats of `inputs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputsFormat {
    /// Aligned text for a terminal.
    Table,
    /// One JSON document.
    Json,
}

/// Output formats of `timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineFormat {
    /// One aligned line per event.
    Table,
    /// One JSON object per line per event, nothing else on stdout.
    Jsonl,
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
    /// JSON Lines as Timesketch imports them (`message`, `datetime`, `timestamp_desc`).
    Timesketch,
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyzeFormat {
    /// A report for a terminal.
    Table,
    /// One JSON document (the support-ticket attachment).
    Json,
    /// Markdown to paste into a ticket.
    Markdown,
    /// One self-contained HTML page with the history drawn.
    Html,
    /// The JSON document on one line (what `batch` embeds in its JSON Lines).
    JsonLine,
}

impl AnalyzeFormat {
    /// Both JSON forms: with them, a run that reads nothing still writes a JSON error document.
    pub fn is_json(self) -> bool {
        matches!(self, AnalyzeFormat::Json | AnalyzeFormat::JsonLine)
    }

    /// The file name extension of a report in this format.
    pub fn extension(self) -> &'static str {
        match self {
            AnalyzeFormat::Table => "txt",
            AnalyzeFormat::Json => "json",
            AnalyzeFormat::JsonLine => "jsonl",
            AnalyzeFormat::Markdown => "md",
            AnalyzeFormat::Html => "html",
        }
    }
}

pub use crate::model::Lang;

/// When terminal output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always, even in a pipe.
    Always,
    /// Never.
    Never,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// List the inputs found and what was read from each.
    Inputs {
        /// Output format.
        format: InputsFormat,
    },
    /// Diagnose the case.
    Analyze {
        /// Output format.
        format: AnalyzeFormat,
        /// Exit with 3 when a hypothesis reaches this level.
        fail_on: Option<crate::rules::Level>,
    },
    /// List the diagnosis rules.
    Rules,
    /// Print one rule.
    Explain {
        /// Its code.
        code: String,
    },
    /// Diagnose every case of a folder.
    Batch {
        /// Format of the per-case reports in `out_dir`.
        format: AnalyzeFormat,
        /// Where per-case reports go (else JSON Lines on stdout).
        out_dir: Option<std::path::PathBuf>,
        /// Only the K-th of N shares (1-based K).
        shard: Option<(u32, u32)>,
        /// Exit with 3 when a case reaches this level.
        fail_on: Option<crate::rules::Level>,
    },
    /// Print the collection script.
    CollectScript {
        /// In Japanese.
        japanese: bool,
    },
    /// Print the merged timeline.
    Timeline {
        /// Output format.
        format: TimelineFormat,
        /// Earliest event time kept.
        since: Option<Timestamp>,
        /// Latest event time kept.
        until: Option<Timestamp>,
    },
}

/// One run of backupdiag.
#[derive(Debug, Clone)]
pub struct Config {
    /// The command.
    pub command: Command,
    /// Files, folders and archives to read.
    pub paths: Vec<PathBuf>,
    /// The machine's zone, for local-time logs that do not state their offset, and for display.
    pub zone: Option<Zone>,
    /// Limits on unpacking archives.
    pub limits: InputLimits,
    /// Show a progress line on stderr (only ever on a terminal).
    pub progress: bool,
    /// Keep only this computer's logs.
    pub computer: Option<String>,
    /// Colour of terminal output.
    pub color: ColorChoice,
    /// Replace computer, user and domain names, SIDs and e-mail addresses by tokens.
    pub redact: bool,
    /// The language of reports.
    pub lang: Lang,
    /// The process ends after this run: what it read is left for the system to take back at
    /// exit rather than freed piece by piece (freeing a big log's events took longer than
    /// diagnosing them). Never set for a run inside a longer process (`batch`, the tests).
    pub exits_after: bool,
}

impl Config {
    /// A configuration for a command that reads no input (`rules`, `explain`).
    pub fn without_inputs(command: Command) -> Config {
        Config {
            command,
            paths: Vec::new(),
            zone: None,
            limits: InputLimits::default(),
            progress: false,
            computer: None,
            color: ColorChoice::Auto,
            redact: false,
            lang: Lang::En,
            exits_after: false,
        }
    }
}

/// Parses `--shard K/N`.
pub fn parse_shard(text: &str) -> Result<(u32, u32), UsageError> {
    let bad = || UsageError::Shard(text.to_string());
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Parses a `--since`/`--until` time: RFC 3339 with offset, or a date / date-time without
/// one, taken in `zone` (UTC when no zone is given).
pub fn parse_time_bound(text: &str, zone: Option<&Zone>) -> Result<Timestamp, UsageError> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    let tz = zone.map_or(jiff::tz::TimeZone::UTC, |z| z.tz.clone());
    let normalized = text.trim().replace(' ', "T");
    let civil = normalized
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| {
            normalized
                .parse::<jiff::civil::Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .map_err(|_| UsageError::Time(text.to_string()))?;
    civil
        .to_zoned(tz)
        .map(|z| z.timestamp())
        .map_err(|e| UsageError::TimeInZone {
            text: text.to_string(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::parse_time_bound;
    use crate::model::Zone;

    #[test]
    fn time_bounds_in_every_accepted_shape() {
        let tokyo = Zone::parse("+09:00").expect("zone");
        let cases = [
            ("2012-10-21T08:00:00Z", None, "2012-10-21T08:00:00Z"),
            ("2012-10-21T08:00:00+09:00", None, "2012-10-20T23:00:00Z"),
            ("2012-10-21", None, "2012-10-21T00:00:00Z"),
            ("2012-10-21 08:00", Some(&tokyo), "2012-10-20T23:00:00Z"),
        ];
        for (text, zone, expected) in cases {
            assert_eq!(
                parse_time_bound(text, zone).map(|t| t.to_string()),
                Ok(expected.to_string()),
                "{text}"
            );
        }
        assert!(parse_time_bound("yesterday", None).is_err());
    }
}
