//! Backup runs: a failed job logs several events (operational 5, Application 517, ...), a
//! successful one 1/4/14. Timed ones are merged into one run per job: same outcome and code
//! within fifteen minutes. A run without a time (a pasted event without its date, a dialog's
//! text, console output) is merged only with the untimed statements of the same file that
//! agree with it: one dialog is one run.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::{EventTime, TimeKeys};
use crate::signals::{BackupOutcome, Evidence, Signal, SignalKind};

/// One backup job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRun {
    /// The instant it is ordered by (its first event's); `None` without a time.
    #[serde(skip)]
    pub at: Option<Timestamp>,
    /// When, as its first event wrote it.
    #[serde(flatten, serialize_with = "time_keys")]
    pub time: EventTime,
    /// True when it succeeded.
    pub succeeded: bool,
    /// The failure code (`0x81000019`), when failed with one.
    #[serde(serialize_with = "hex_code")]
    pub code: Option<u32>,
    /// The inner code ("Additional information", "Detailed error"), when stated.
    #[serde(serialize_with = "hex_code", skip_serializing_if = "Option::is_none")]
    pub inner: Option<u32>,
    /// The events that report it.
    pub evidence: Vec<Evidence>,
}

impl BackupRun {
    /// True when it failed with `code`, as its code or its inner code.
    pub fn has_code(&self, code: u32) -> bool {
        self.code == Some(code) || self.inner == Some(code)
    }
}

fn time_keys<S: serde::Serializer>(time: &EventTime, serializer: S) -> Result<S::Ok, S::Error> {
    TimeKeys(Some(time)).serialize(serializer)
}

fn hex_code<S: serde::Serializer>(code: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match code {
        Some(code) => s.serialize_str(&format!("{code:#010x}")),
        None => s.serialize_none(),
    }
}

const SAME_JOB: SignedDuration = SignedDuration::from_mins(15);

/// Merges the backup signals into runs: timed ones in time order, untimed ones after them.
pub fn backup_runs(signals: &[Signal]) -> Vec<BackupRun> {
    let mut runs: Vec<BackupRun> = Vec::new();
    for signal in signals {
        let SignalKind::Backup { outcome, code, inner } = &signal.kind else {
            continue;
        };
        let succeeded = *outcome == BackupOutcome::Succeeded;
        let file = |e: &Evidence| e.location.rsplit_once([':', '#']).map(|(f, _)| f.to_string());
        let same = runs.iter_mut().rev().find(|run| {
            let agrees = run.succeeded == succeeded && (run.code == *code || code.is_none() || run.code.is_none());
            let close = match (run.at, signal.time) {
                (Some(a), Some(b)) => b.duration_since(a).abs() <= SAME_JOB,
                (None, None) => run.evidence.first().and_then(file) == file(signal.evidence()),
                _ => false,
            };
            agrees && close
        });
        match same {
            Some(run) => {
                run.evidence.push(signal.evidence().clone());
                run.code = run.code.or(*code);
                run.inner = run.inner.or(*inner);
            }
            None => runs.push(BackupRun {
                at: signal.time,
                time: signal.event_time().unwrap_or(EventTime::Unknown),
                succeeded,
                code: *code,
                inner: *inner,
                evidence: vec![signal.evidence().clone()],
            }),
        }
    }
    runs.sort_by_key(|r| (r.at.is_none(), r.at));
    runs
}

#[cfg(test)]
mod tests {
    use super::backup_runs;
    use crate::model::EventTime;
    use crate::signals::{BackupOutcome, Evidence, Signal, SignalKind};

    fn failure(location: &str, at: Option<&str>, code: Option<u32>) -> Signal<'static> {
        let at = at.map(|t| t.parse::<jiff::Timestamp>().expect("time"));
        let kind = SignalKind::Backup {
            outcome: BackupOutcome::Failed,
            code,
            inner: None,
        };
        let evidence = Evidence {
            location: location.to_string(),
            text: String::new(),
            time: Some(at.map_or(EventTime::Unknown, EventTime::Utc)),
            certainty: None,
            text_ja: None,
        };
        Signal::with_evidence(kind, at, evidence)
    }

    #[test]
    fn untimed_statements_of_one_file_are_one_run_and_come_after_timed_runs() {
        let signals = [
            failure("dialog.txt:2", None, Some(0x8007_0422)),
            failure("dialog.txt:5", None, None),
            failure("other.txt:1", None, Some(0x8007_0422)),
            failure("Backup.evtx#4", Some("2024-05-20T10:00:00Z"), Some(0x8100_0019)),
            failure("Application.evtx#9", Some("2024-05-20T10:05:00Z"), Some(0x8100_0019)),
        ];
        let runs = backup_runs(&signals);
        let summary: Vec<(bool, usize)> = runs.iter().map(|r| (r.at.is_some(), r.evidence.len())).collect();
        assert_eq!(summary, [(true, 2), (false, 2), (false, 1)]);
        assert_eq!(runs[1].code, Some(0x8007_0422));
        assert_eq!(runs[1].time, EventTime::Unknown);
    }
}
