//! Backup runs: a failed job logs several events (operational 5, Application 517, ...), a
//! successful one 1/4/14. They are merged into one run per job: same outcome and code within
//! fifteen minutes.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::signals::{BackupOutcome, Evidence, Signal, SignalKind};

/// One backup job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRun {
    /// When it ended (UTC).
    pub time: Timestamp,
    /// True when it succeeded.
    pub succeeded: bool,
    /// The failure code (`0x81000019`), when failed with one.
    #[serde(serialize_with = "hex_code")]
    pub code: Option<u32>,
    /// The events that report it.
    pub evidence: Vec<Evidence>,
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
        let (SignalKind::Backup { outcome, code }, Some(time)) = (&signal.kind, signal.time) else {
            continue;
        };
        let succeeded = *outcome == BackupOutcome::Succeeded;
        let same = runs.iter_mut().rev().find(|run| {
            run.succeeded == succeeded
                && (run.code == *code || code.is_none() || run.code.is_none())
                && time.duration_since(run.time).abs() <= SAME_JOB
        });
        match same {
            Some(run) => {
                run.evidence.push(signal.evidence.clone());
                run.code = run.code.or(*code);
            }
            None => runs.push(BackupRun {
                time,
                succeeded,
                code: *code,
                evidence: vec![signal.evidence.clone()],
            }),
        }
    }
    runs.sort_by_key(|r| r.time);
    runs
}
