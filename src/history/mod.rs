//! Fifth stage: what the rules read, computed once from the case and its signals: the backup
//! runs, the machine's history (milestones), the harmless events, and which logs are present.

pub mod coverage;
mod harmless;
mod milestones;
mod runs;

use jiff::Timestamp;

use crate::case::Case;
use crate::model::Cause;
use crate::signals::{self, Signal, SignalKind};

pub use coverage::LogKind;
pub use harmless::HarmlessGroup;
pub use milestones::{Milestone, MilestoneKind};
pub use runs::BackupRun;

/// Everything the rules look at.
#[derive(Debug)]
pub struct Analysis<'a> {
    /// The case.
    pub case: &'a Case,
    /// Every signal, timed ones in time order.
    pub signals: Vec<Signal<'a>>,
    /// Backup runs (one per job, whatever number of events it logged).
    pub runs: Vec<BackupRun>,
    /// Which kinds of log the case holds.
    pub logs: Vec<LogKind>,
    /// The machine's history, in time order.
    pub milestones: Vec<Milestone>,
    /// Events known to be harmless, grouped.
    pub harmless: Vec<HarmlessGroup>,
}

impl<'a> Analysis<'a> {
    /// Recognises the signals and runs of a case.
    pub fn new(case: &'a Case) -> Analysis<'a> {
        let signals = signals::recognize(case);
        let runs = runs::backup_runs(&signals);
        let logs = coverage::logs_present(case);
        let harmless = harmless::groups(&signals, &case.files);
        let mut analysis = Analysis {
            case,
            signals,
            runs,
            logs,
            milestones: Vec::new(),
            harmless,
        };
        analysis.milestones = milestones::history(&analysis);
        analysis
    }

    /// The failed runs.
    pub fn failures(&self) -> impl Iterator<Item = &BackupRun> {
        self.runs.iter().filter(|r| !r.succeeded)
    }

    /// True when the case holds this kind of log.
    pub fn has(&self, log: LogKind) -> bool {
        self.logs.contains(&log)
    }

    /// The signals `select` picks.
    pub fn select(&self, select: impl Fn(&SignalKind) -> bool) -> Vec<&Signal<'a>> {
        self.signals.iter().filter(|s| select(&s.kind)).collect()
    }

    /// The failed runs whose code (or inner code) points to `cause` with at least `min` weight
    /// in the code table.
    pub fn failures_pointing_to(&self, cause: Cause, min: f64) -> Vec<&BackupRun> {
        let codes = crate::model::codes::pointing_to(&cause.id(), min);
        self.failures()
            .filter(|r| codes.iter().any(|c| r.has_code(*c)))
            .collect()
    }

    /// The VSS error signals whose code points to `cause` with at least `min` weight.
    pub fn vss_errors_pointing_to(&self, cause: Cause, min: f64) -> Vec<&Signal<'a>> {
        let codes = crate::model::codes::pointing_to(&cause.id(), min);
        self.select(|k| matches!(k, SignalKind::VssError { code: Some(code), .. } if codes.contains(code)))
    }

    /// The first successful backup after `time`.
    pub fn success_after(&self, time: Timestamp) -> Option<Timestamp> {
        self.runs
            .iter()
            .filter(|r| r.succeeded)
            .find_map(|r| r.at.filter(|at| *at > time))
    }

    /// The failures that stand at collection time: the last timed run when it failed, and
    /// every failure stated without a time (a dialog, an undated paste: the user's present).
    pub fn current_failures(&self) -> Vec<&BackupRun> {
        let mut current: Vec<&BackupRun> = self.runs.iter().filter(|r| !r.succeeded && r.at.is_none()).collect();
        if let Some(last) = self.runs.iter().rev().find(|r| r.at.is_some()).filter(|r| !r.succeeded) {
            current.push(last);
        }
        current
    }
}
