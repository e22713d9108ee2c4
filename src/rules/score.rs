//! How a rule builds its confidence: weighted evidence for and against, the backup failures it
//! explains (the suspected cause must come before them), and caps when no failure is visible.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use crate::diagnose::{Analysis, LogKind};
use crate::signals::{Evidence, Signal, SignalKind};

use super::{Hypothesis, Level, Rule, Status};

/// Highest confidence any rule can reach.
const CEILING: f64 = 0.97;
/// Cap when backups are visible and none failed: a healthy machine stays below medium.
const QUIET_CAP: f64 = 0.45;
/// Cap when no backup log is present at all (failures cannot be seen).
const BLIND_CAP: f64 = 0.7;
/// Evidence shown per hypothesis.
const EVIDENCE_SHOWN: usize = 8;

/// A rule's findings before ranking.
#[derive(Debug, Clone)]
pub struct Assessment {
    points: f64,
    reasons: Vec<String>,
    evidence: EvidenceList,
    against: Vec<String>,
    /// A repair the rule saw in the logs: when, and in words.
    repair: Option<(Timestamp, String)>,
    explains: usize,
    first: Option<Timestamp>,
    /// The latest time of any supporting evidence (failures explained included).
    last: Option<Timestamp>,
    /// Some supporting evidence has no time (a listing, an undated paste).
    untimed: bool,
    cap: f64,
}

impl Default for Assessment {
    fn default() -> Self {
        Assessment {
            points: 0.0,
            reasons: Vec::new(),
            evidence: EvidenceList::default(),
            against: Vec::new(),
            repair: None,
            explains: 0,
            first: None,
            last: None,
            untimed: false,
            cap: CEILING,
        }
    }
}

impl Assessment {
    /// Adds supporting evidence worth `weight`.
    pub fn support<'s>(
        &mut self,
        weight: f64,
        reason: impl Into<String>,
        signals: impl IntoIterator<Item = &'s Signal>,
    ) {
        self.points += weight;
        self.reasons.push(reason.into());
        for signal in signals {
            match signal.time {
                Some(time) => {
                    self.first = Some(self.first.map_or(time, |f| f.min(time)));
                    self.last = Some(self.last.map_or(time, |l| l.max(time)));
                }
                None => self.untimed = true,
            }
            self.evidence.add(&signal.evidence);
        }
    }

    /// Adds supporting evidence worth `weight` when there is any.
    pub fn support_if(&mut self, weight: f64, reason: impl Into<String>, signals: &[&Signal]) {
        if !signals.is_empty() {
            self.support(weight, reason, signals.iter().copied());
        }
    }

    /// Counts against it.
    pub fn against(&mut self, weight: f64, reason: impl Into<String>) {
        self.points -= weight;
        self.against.push(reason.into());
    }

    /// Notes expected evidence that is missing (costs `weight`).
    pub fn missing(&mut self, weight: f64, what: impl Into<String>) {
        self.points -= weight;
        self.against.push(format!("not found: {}", what.into()));
    }

    /// The logs show a repair of the cause at `at`. Whether that resolves the cause is decided
    /// once for every rule (README "Status").
    pub fn resolved(&mut self, at: Timestamp, how: impl Into<String>) {
        self.repair = Some((at, how.into()));
    }

    /// The one definition of status. Evidence without a time (a writer listing, an undated
    /// paste) describes the machine when the logs were collected, after everything timed, so
    /// the cause is active. Otherwise it is resolved when a repair shows at or after its last
    /// evidence, or when a backup succeeded after its last evidence; else active. Rules citing
    /// the same events therefore agree.
    fn status(&self, analysis: &Analysis<'_>) -> (Status, Option<String>) {
        if self.untimed {
            let note = self.repair.as_ref().map(|(_, how)| {
                format!("not taken as resolved ({how}): evidence without a time describes the machine as collected")
            });
            return (Status::Active, note);
        }
        let Some(last) = self.last else {
            return (Status::Active, None);
        };
        if let Some((at, how)) = self.repair.as_ref().filter(|(at, _)| *at >= last) {
            let _ = at;
            return (Status::Resolved, Some(format!("resolved: {how}")));
        }
        match analysis.success_after(last) {
            Some(success) => (
                Status::Resolved,
                Some(format!(
                    "resolved: a backup succeeded on {} after the last evidence",
                    success.strftime("%Y-%m-%d")
                )),
            ),
            None => (Status::Active, None),
        }
    }

    /// Limits the confidence.
    pub fn cap(&mut self, max: f64) {
        self.cap = self.cap.min(max);
    }

    /// When the earliest supporting evidence happened.
    pub fn first(&self) -> Option<Timestamp> {
        self.first
    }

    /// Credits the failed runs with one of `codes` (any code when `codes` is empty) that
    /// happened at or after `since` (and before `until`); failures with those codes before
    /// `since` count against the cause (it cannot explain them). Returns how many it explains.
    pub fn explain(
        &mut self,
        analysis: &Analysis<'_>,
        codes: &[u32],
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> usize {
        let matches = |code: Option<u32>| codes.is_empty() || code.is_some_and(|c| codes.contains(&c));
        let grace = SignedDuration::from_hours(1);
        let after = |t: Timestamp| {
            since.is_none_or(|s| t >= s.saturating_sub(grace).unwrap_or(s)) && until.is_none_or(|u| t < u)
        };
        let explained: Vec<_> = analysis.failures().filter(|r| matches(r.code) && after(r.at)).collect();
        let before = analysis.failures().filter(|r| matches(r.code) && !after(r.at)).count();
        if let Some(first) = explained.first() {
            let codes: Vec<String> = explained
                .iter()
                .filter_map(|r| r.code)
                .map(|c| format!("{c:#010x}"))
                .collect();
            let mut codes_dedup = codes.clone();
            codes_dedup.dedup();
            self.points += 0.25 + 0.05 * (explained.len().min(4) as f64 - 1.0);
            self.reasons.push(format!(
                "{} backup failure(s) after it fit this cause ({})",
                explained.len(),
                if codes_dedup.is_empty() {
                    "no code".to_string()
                } else {
                    codes_dedup.join(", ")
                }
            ));
            for evidence in &first.evidence {
                self.evidence.add(evidence);
            }
            if let Some(latest) = explained.last() {
                self.last = Some(self.last.map_or(latest.at, |l| l.max(latest.at)));
            }
        }
        if before > 0 && explained.is_empty() {
            self.against(
                0.1,
                format!("{before} matching failure(s) happened before this cause appeared"),
            );
        }
        self.explains = explained.len();
        explained.len()
    }

    /// The ranked form, with the caps that keep quiet machines quiet.
    pub fn into_hypothesis(mut self, rule: &Rule, analysis: &Analysis<'_>) -> (Hypothesis, Option<Timestamp>) {
        let backups_visible = analysis.has(LogKind::Backup) || analysis.has(LogKind::Application);
        if analysis.failures().next().is_none() {
            self.cap(if backups_visible { QUIET_CAP } else { BLIND_CAP });
        }
        let confidence = (self.points.clamp(0.0, self.cap) * 100.0).round() / 100.0;
        let (status, status_note) = self.status(analysis);
        self.against.extend(status_note);
        let evidence = self.evidence.shown;
        let hypothesis = Hypothesis {
            rule: rule.code,
            cause: rule.cause,
            title: rule.title,
            confidence,
            level: Level::of(confidence),
            status,
            reasoning: self.reasons.join("; "),
            evidence,
            against: self.against,
            explains: self.explains,
            repair: rule.repair,
            references: rule.references,
        };
        (hypothesis, self.first)
    }
}

/// The evidence a hypothesis shows: each place once, the first [`EVIDENCE_SHOWN`] kept. A set
/// of places makes adding linear in the evidence, however much a damaged system logs (SFC
/// writes one `[SR] Cannot repair` line per file).
#[derive(Debug, Clone, Default)]
struct EvidenceList {
    shown: Vec<Evidence>,
    seen: HashSet<String>,
    /// Set lookups made, so a test can check the work stays bounded.
    probes: usize,
}

impl EvidenceList {
    fn add(&mut self, evidence: &Evidence) {
        if self.shown.len() == EVIDENCE_SHOWN {
            return;
        }
        self.probes += 1;
        if self.seen.insert(evidence.location.clone()) {
            self.shown.push(evidence.clone());
        }
    }
}

impl Analysis<'_> {
    /// The signals `select` picks.
    pub fn select(&self, select: impl Fn(&SignalKind) -> bool) -> Vec<&Signal> {
        self.signals.iter().filter(|s| select(&s.kind)).collect()
    }

    /// The first successful backup after `time`.
    pub fn success_after(&self, time: Timestamp) -> Option<Timestamp> {
        self.runs.iter().find(|r| r.succeeded && r.at > time).map(|r| r.at)
    }
}

#[cfg(test)]
mod tests {
    use super::{Assessment, EVIDENCE_SHOWN};
    use crate::signals::Evidence;

    #[test]
    fn evidence_is_kept_once_per_place_in_linear_work() {
        let mut assessment = Assessment::default();
        let flood = 200_000;
        for line in 0..flood {
            let evidence = Evidence {
                location: format!("CBS.log:{}", line % 150_000),
                text: "[SR] Cannot repair member file".to_string(),
                time: None,
            };
            assessment.evidence.add(&evidence);
        }
        let list = &assessment.evidence;
        assert_eq!(list.shown.len(), EVIDENCE_SHOWN);
        assert_eq!(list.shown[1].location, "CBS.log:1");
        // At most one set lookup per piece of evidence (a scan of the earlier evidence would
        // make ~2e10 comparisons here), none once the shown list is full, and the set never
        // grows past what is shown.
        assert!(list.probes <= EVIDENCE_SHOWN, "{} lookups", list.probes);
        assert!(list.seen.len() <= EVIDENCE_SHOWN);
    }

    #[test]
    fn the_same_place_is_shown_once() {
        let mut assessment = Assessment::default();
        let at = |location: &str| Evidence {
            location: location.to_string(),
            text: "x".to_string(),
            time: None,
        };
        for location in ["a#1", "a#2", "a#1", "b:3", "a#2"] {
            assessment.evidence.add(&at(location));
        }
        let shown: Vec<&str> = assessment.evidence.shown.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(shown, ["a#1", "a#2", "b:3"]);
    }
}
