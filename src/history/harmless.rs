//! Events known to be harmless, grouped and counted, so users stop chasing them.

use serde::Serialize;

use crate::case::FileSummary;
use crate::signals::{Evidence, Signal, SignalKind};

/// One kind of harmless event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HarmlessGroup {
    /// Why it is harmless (with its source).
    pub reason: String,
    /// How many times it occurs.
    pub count: usize,
    /// The first occurrence.
    pub example: Evidence,
}

/// Groups the harmless signals by reason, in order of first occurrence, with the harmless
/// events the readers counted and did not keep (the first of each reason is always kept).
pub fn groups(signals: &[Signal], files: &[FileSummary]) -> Vec<HarmlessGroup> {
    let mut groups: Vec<HarmlessGroup> = Vec::new();
    for signal in signals {
        let SignalKind::Harmless { reason } = &signal.kind else {
            continue;
        };
        match groups.iter_mut().find(|g| g.reason == *reason) {
            Some(group) => group.count += 1,
            None => groups.push(HarmlessGroup {
                reason: reason.to_string(),
                count: 1,
                example: signal.evidence().clone(),
            }),
        }
    }
    for group in &mut groups {
        group.count += files.iter().map(|f| f.harmless.count(&group.reason)).sum::<usize>();
    }
    groups
}
