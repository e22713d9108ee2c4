//! Backup runs: a failed job logs several events (operational 5, Application 517, ...), a
//! successful one 1/4/14. They are merged into one run per job: same outcome and code within
//! fifteen minutes.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::{EventTime, TimeKeys};
use crate::signals::{BackupOutcome, Evidence, Signal, SignalKind};

/// One backup job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRun {
    /// The instant it is ordered by (its first event's).
    #[serde(skip)]
    pub at: Timestamp,
    /// When, as its first event wrote it.
    #[serde(flatten, serialize_with = "time_keys")]
    pub time: EventTime,
    /// True when it succeeded.
    pub succeeded: bool,
    /// The failure code (`0x81000019`), when failed with one.
    #[serde(serialize_with = "hex_code")]
    pub code: Option<u32>,
    /// The events that report it.
    pub evidence: Vec<Evidence>,
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

/// Merges the backup signals into runs, in time order.
pub fn backup_runs(signals: &[Signal]) -> Vec<BackupRun> {
    let mut runs: Vec<BackupRun> = Vec::new();
    for signal in signals {
        let (SignalKind::Backup { outcome, code }, Some(at), Some(time)) =
            (&signal.kind, signal.time, signal.evidence.time)
        else {
            continue;
        };
        let succeeded = *outcome == BackupOutcome::Succeeded;
        let same = runs.iter_mut().rev().find(|run| {
            run.succeeded == succeeded
                && (run.code == *code || code.is_none() || run.code.is_none())
                && at.duration_since(run.at).abs() <= SAME_JOB
        });
        match same {
            Some(run) => {
                run.evidence.push(signal.evidence.clone());
                run.code = run.code.or(*code);
            }
            None => runs.push(BackupRun {
                at,
                time,
                succeeded,
                code: *code,
                evidence: vec![signal.evidence.clone()],
            }),
        }
    }
    runs.sort_by_key(|r| r.at);
    runs
}
