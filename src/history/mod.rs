//! Fifth stage: from the case and its signals to a diagnosis: backup runs, the machine's
//! history (milestones), the rules' hypotheses ranked by confidence, the harmless events named,
//! and which logs are missing to decide more.

mod coverage;
mod harmless;
mod milestones;
mod runs;

use serde::Serialize;

use crate::case::Case;
use crate::rules::{self, Hypothesis};
use crate::signals::{self, Signal};

pub use coverage::{CoverageGap, LogKind};
pub use harmless::HarmlessGroup;
pub use milestones::{Milestone, MilestoneKind};
pub use runs::BackupRun;

/// Everything the rules look at.
#[derive(Debug)]
pub struct Analysis<'a> {
    /// The case.
    pub case: &'a Case,
    /// Every signal, timed ones in time order.
    pub signals: Vec<Signal>,
    /// Backup runs (one per job, whatever number of events it logged).
    pub runs: Vec<BackupRun>,
    /// Which kinds of log the case holds.
    pub logs: Vec<LogKind>,
}

impl<'a> Analysis<'a> {
    /// Recognises the signals and runs of a case.
    pub fn new(case: &'a Case) -> Analysis<'a> {
        let signals = signals::recognize(case);
        let runs = runs::backup_runs(&signals);
        let logs = coverage::logs_present(case);
        Analysis {
            case,
            signals,
            runs,
            logs,
        }
    }

    /// The failed runs.
    pub fn failures(&self) -> impl Iterator<Item = &BackupRun> {
        self.runs.iter().filter(|r| !r.succeeded)
    }

    /// True when the case holds this kind of log.
    pub fn has(&self, log: LogKind) -> bool {
        self.logs.contains(&log)
    }
}

/// The machine's history as the rules see it.
pub fn milestones_of(analysis: &Analysis<'_>) -> Vec<Milestone> {
    milestones::history(analysis)
}

/// The whole diagnosis of a case.
#[derive(Debug, Serialize)]
pub struct Diagnosis {
    /// Hypotheses, best first.
    pub hypotheses: Vec<Hypothesis>,
    /// The machine's history, in time order.
    pub milestones: Vec<Milestone>,
    /// Backup runs seen.
    pub backups: Vec<BackupRun>,
    /// Events known to be harmless, grouped.
    pub harmless: Vec<HarmlessGroup>,
    /// Logs that were not provided, and what they would decide.
    pub coverage: Vec<CoverageGap>,
}

/// Diagnoses a case.
pub fn diagnose(case: &Case) -> Diagnosis {
    let analysis = Analysis::new(case);
    let hypotheses = rules::evaluate(&analysis);
    Diagnosis {
        milestones: milestones::history(&analysis),
        harmless: harmless::groups(&analysis.signals),
        coverage: coverage::gaps(&analysis),
        backups: analysis.runs.clone(),
        hypotheses,
    }
}
