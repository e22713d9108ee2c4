//! Sixth stage: the diagnosis of a case, assembled: the rules' hypotheses ranked, the machine's
//! history, the backup runs, the harmless events named, and for each log not provided the rules
//! it would decide and the command that collects it.

use serde::Serialize;

use crate::case::Case;
use crate::history::{Analysis, BackupRun, HarmlessGroup, LogKind, Milestone};
use crate::rules::{self, Hypothesis, RULES};

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
    let coverage = gaps(&analysis);
    Diagnosis {
        hypotheses,
        coverage,
        milestones: analysis.milestones,
        harmless: analysis.harmless,
        backups: analysis.runs,
    }
}

/// A log that was not provided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageGap {
    /// Which log.
    pub log: LogKind,
    /// The rules that could not be fully assessed without it.
    pub rules: Vec<&'static str>,
    /// How to collect it.
    pub command: &'static str,
    /// Files given for it that were empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub empty: Vec<String>,
}

/// Every missing log some rule needs.
pub fn gaps(analysis: &Analysis<'_>) -> Vec<CoverageGap> {
    let mut gaps: Vec<CoverageGap> = Vec::new();
    for rule in RULES {
        for need in rule.needs.iter().filter(|n| !analysis.has(**n)) {
            match gaps.iter_mut().find(|g| g.log == *need) {
                Some(gap) => gap.rules.push(rule.code),
                None => gaps.push(CoverageGap {
                    log: *need,
                    rules: vec![rule.code],
                    command: need.command(),
                    empty: Vec::new(),
                }),
            }
        }
    }
    for file in analysis.case.files.iter().filter(|f| f.empty) {
        let by_name = crate::history::coverage::kind_by_name(&file.path);
        if let Some(gap) = gaps.iter_mut().find(|g| Some(g.log) == by_name) {
            gap.empty.push(file.path.to_string());
        }
    }
    gaps.sort_by_key(|g| g.log);
    gaps
}
