//! Diagnoses. Each rule is a documented function over the analysis, registered in the `const`
//! table [`RULES`] with a stable code, the stable id of the cause it diagnoses, its
//! explanation, references and repair steps. `backupdiag rules` and `explain CODE` are
//! generated from the table.

mod backup;
mod boot;
mod disk;
mod phrased;
mod repair;
mod score;
mod security;
mod services;
mod shadow_copies;
mod system;
mod target;
#[cfg(test)]
pub(crate) mod testing;
pub mod text;
mod usb;
mod volumes;
mod vss;

use serde::Serialize;

use crate::history::{Analysis, LogKind};
use crate::signals::Evidence;

pub use crate::model::Cause;
pub use score::Assessment;

/// How risky a repair step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Safe to run.
    Low,
    /// Changes the system; read the caution.
    Medium,
    /// Can lose data or wear hardware.
    High,
}

/// One repair step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RepairStep {
    /// What to do.
    pub action: &'static str,
    /// The command, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'static str>,
    /// Needs an elevated prompt.
    pub admin: bool,
    /// Risk.
    pub risk: Risk,
    /// What to watch for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<&'static str>,
}

/// A registered diagnosis.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable code (`SVC001`).
    pub code: &'static str,
    /// The cause it diagnoses.
    pub cause: Cause,
    /// One line.
    pub title: &'static str,
    /// What it detects, why it matters, what to check.
    pub explanation: Explanation,
    /// Public pages a user can open (printed by `explain`); the sources of its facts are in
    /// the doc comments of its check.
    pub references: &'static [&'static str],
    /// Ordered repair steps.
    pub repair: &'static [RepairStep],
    /// The logs it reads.
    pub needs: &'static [LogKind],
    /// The check.
    pub check: fn(&Analysis<'_>) -> Option<Assessment>,
}

/// A rule's explanation, in three parts.
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    /// What it detects, in the logs' own terms.
    pub detects: &'static str,
    /// Why that breaks backups.
    pub why: &'static str,
    /// What to check first.
    pub check: &'static str,
}

/// Every rule, sorted by code: the registry `rules`, `explain`, README's rule table and the
/// diagnosis read. A rule's metadata sits next to its check in the file of its family.
pub const RULES: &[Rule] = &[
    backup::BKP001,
    backup::BKP002,
    backup::BKP003,
    boot::BOOT001,
    disk::DSK001,
    disk::DSK002,
    disk::DSK003,
    disk::DSK004,
    security::SEC001,
    security::SEC002,
    shadow_copies::SHD001,
    shadow_copies::SHD002,
    shadow_copies::SHD003,
    services::SVC001,
    services::SVC002,
    services::SVC003,
    system::SYS001,
    system::SYS002,
    system::SYS003,
    system::SYS004,
    target::TGT001,
    target::TGT002,
    target::TGT003,
    target::TGT004,
    target::TGT005,
    usb::USB001,
    volumes::VOL001,
    volumes::VOL002,
    volumes::VOL003,
    volumes::VOL004,
    volumes::VOL005,
    volumes::VOL006,
    vss::VSS001,
    vss::VSS002,
    vss::VSS003,
    vss::VSS004,
    vss::VSS005,
    vss::VSS006,
    vss::VSS007,
    vss::VSS008,
    vss::VSS009,
];

/// A sentence for people: English, and Japanese once written (reports in `--lang ja` fall
/// back to the English).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: String,
    /// Japanese, when written.
    pub ja: Option<String>,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: crate::model::Lang) -> &str {
        match (lang, &self.ja) {
            (crate::model::Lang::Ja, Some(ja)) => ja,
            _ => &self.en,
        }
    }

    /// Both texts mapped by `f` (for a prefix or a suffix).
    pub fn map(&self, f: impl Fn(crate::model::Lang, &str) -> String) -> Text {
        Text {
            en: f(crate::model::Lang::En, &self.en),
            ja: Some(f(crate::model::Lang::Ja, self.get(crate::model::Lang::Ja))),
        }
    }
}

impl From<String> for Text {
    fn from(en: String) -> Text {
        Text { en, ja: None }
    }
}

impl From<&str> for Text {
    fn from(en: &str) -> Text {
        Text::from(en.to_string())
    }
}

/// A sentence in English and Japanese.
pub fn bi(en: impl Into<String>, ja: impl Into<String>) -> Text {
    Text {
        en: en.into(),
        ja: Some(ja.into()),
    }
}

impl Hypothesis {
    /// The evidence against it in `lang`, without the status note.
    pub fn objections(&self, lang: crate::model::Lang) -> Vec<&str> {
        let (list, note) = match lang {
            crate::model::Lang::En => (&self.against, self.status_note.as_ref().map(|n| n.0.as_str())),
            crate::model::Lang::Ja => (&self.against_ja, self.status_note.as_ref().map(|n| n.1.as_str())),
        };
        list.iter().map(String::as_str).filter(|a| Some(*a) != note).collect()
    }

    /// The status note in `lang`.
    pub fn status_note(&self, lang: crate::model::Lang) -> Option<&str> {
        self.status_note.as_ref().map(|(en, ja)| lang.pick(en, ja))
    }
}

/// Confidence level names: high >= 0.75, medium >= 0.5, low below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Below 0.5.
    Low,
    /// 0.5 to 0.75.
    Medium,
    /// 0.75 and above.
    High,
}

impl Level {
    /// The level of a confidence.
    pub fn of(confidence: f64) -> Level {
        if confidence >= 0.75 {
            Level::High
        } else if confidence >= 0.5 {
            Level::Medium
        } else {
            Level::Low
        }
    }

    /// Its name in reports: `high`, `medium` or `low`.
    pub fn name(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }
}

/// Whether the cause still holds at the end of the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Nothing shows it was fixed.
    Active,
    /// The logs show it was fixed afterwards.
    Resolved,
}

/// A ranked hypothesis.
#[derive(Debug, Clone, Serialize)]
pub struct Hypothesis {
    /// Rule code.
    pub rule: &'static str,
    /// Cause id.
    pub cause: Cause,
    /// Rule title.
    pub title: &'static str,
    /// 0 to 1.
    pub confidence: f64,
    /// Level of the confidence.
    pub level: Level,
    /// Active or resolved.
    pub status: Status,
    /// Why, in plain words.
    pub reasoning: String,
    /// Evidence for it.
    pub evidence: Vec<Evidence>,
    /// The reasoning in Japanese (English where a reason has no Japanese yet).
    #[serde(skip)]
    pub reasoning_ja: String,
    /// Evidence against it, or expected evidence that is missing.
    pub against: Vec<String>,
    /// The same in Japanese.
    #[serde(skip)]
    pub against_ja: Vec<String>,
    /// Why it is (or is not taken as) resolved, in English and Japanese; also the last entry
    /// of `against`, where the JSON has always carried it.
    #[serde(skip)]
    pub status_note: Option<(String, String)>,
    /// Backup failures it explains.
    pub explains: usize,
    /// It explains a failure that stands at collection time.
    pub explains_current_failure: bool,
    /// Repair plan.
    pub repair: &'static [RepairStep],
    /// References.
    pub references: &'static [&'static str],
}

/// Runs every rule and ranks the hypotheses: first the active causes that explain a failure
/// standing at collection time (the last backup failed, or a failure was stated without a
/// time), then the rest; within each, confidence, then failures explained, then the earliest
/// evidence, then rule code. A cause the logs show fixed never outranks one that explains the
/// failure the user is looking at.
///
/// The rules read the analysis and nothing else, so they run on every core; `collect` keeps
/// their order.
pub fn evaluate(analysis: &Analysis<'_>) -> Vec<Hypothesis> {
    use rayon::prelude::*;
    let checked: Vec<(&Rule, Option<Assessment>)> =
        RULES.par_iter().map(|rule| (rule, (rule.check)(analysis))).collect();
    // Failures a rule explains with evidence of its own; a code alone does not add a rival there.
    let covered: Vec<usize> = checked
        .iter()
        .filter_map(|(_, a)| a.as_ref().filter(|a| a.has_own_evidence()))
        .flat_map(|a| a.explained_runs().iter().copied())
        .collect();
    let mut out: Vec<(Hypothesis, Option<jiff::Timestamp>)> = checked
        .into_par_iter()
        .filter_map(|(rule, assessment)| {
            // A rule that found nothing of its own defers to what the failure codes say.
            let assessment = match assessment {
                Some(own) if own.has_own_evidence() => Some(own),
                other => score::from_codes_alone(rule.cause, analysis, &covered)
                    .or(other)
                    .or_else(|| score::from_mentioned_codes(rule.cause, analysis)),
            }?;
            Some(assessment.into_hypothesis(rule, analysis))
        })
        .collect();
    rank(&mut out);
    out.into_iter().map(|(h, _)| h).collect()
}

/// Orders hypotheses (each with its earliest evidence) as `evaluate` documents.
fn rank(out: &mut [(Hypothesis, Option<jiff::Timestamp>)]) {
    let later_group = |h: &Hypothesis| !(h.status == Status::Active && h.explains_current_failure);
    out.sort_by(|(a, at), (b, bt)| {
        later_group(a)
            .cmp(&later_group(b))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(b.explains.cmp(&a.explains))
            .then(at.cmp(bt))
            .then(a.rule.cmp(b.rule))
    });
}

/// The rule with this code (`SVC001`) or cause id (`required-service-disabled`), any case.
pub fn find(code: &str) -> Option<&'static Rule> {
    let wanted = code.trim();
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(wanted) || r.cause.id().eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::{rank, Cause, Hypothesis, Level, Status};

    fn hypothesis(rule: &'static str, confidence: f64, status: Status, current: bool) -> Hypothesis {
        Hypothesis {
            rule,
            cause: Cause::DiskIoError,
            title: "",
            confidence,
            level: Level::of(confidence),
            status,
            reasoning: String::new(),
            reasoning_ja: String::new(),
            evidence: Vec::new(),
            against: Vec::new(),
            against_ja: Vec::new(),
            status_note: None,
            explains: 1,
            explains_current_failure: current,
            repair: &[],
            references: &[],
        }
    }

    #[test]
    fn an_active_cause_of_the_current_failure_outranks_a_stronger_fixed_one() {
        let mut ranked = vec![
            (hypothesis("SVC001", 0.97, Status::Resolved, false), None),
            (hypothesis("DSK002", 0.6, Status::Active, true), None),
            (hypothesis("SEC002", 0.7, Status::Active, false), None),
            (hypothesis("DSK001", 0.8, Status::Active, true), None),
        ];
        rank(&mut ranked);
        let order: Vec<&str> = ranked.iter().map(|(h, _)| h.rule).collect();
        assert_eq!(order, ["DSK001", "DSK002", "SVC001", "SEC002"]);
    }

    /// Every rule takes its codes from the code table: no rule file writes a code literal
    /// (`0x8007_0422`); codes in explanation texts are words, not evidence.
    #[test]
    fn no_rule_keeps_its_own_list_of_codes() {
        let sources = [
            ("backup.rs", include_str!("backup.rs")),
            ("boot.rs", include_str!("boot.rs")),
            ("disk.rs", include_str!("disk.rs")),
            ("security.rs", include_str!("security.rs")),
            ("services.rs", include_str!("services.rs")),
            ("system.rs", include_str!("system.rs")),
            ("usb.rs", include_str!("usb.rs")),
            ("vss.rs", include_str!("vss.rs")),
        ];
        for (file, source) in sources {
            for (number, line) in source.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                let literal = code.match_indices("0x").any(|(at, _)| {
                    let digits = &code[at + 2..];
                    digits.len() >= 9
                        && digits.as_bytes()[4] == b'_'
                        && digits[..4].chars().all(|c| c.is_ascii_hexdigit())
                });
                assert!(!literal, "{file}:{}: a code literal in a rule: {line}", number + 1);
            }
        }
    }

    #[test]
    fn codes_are_unique_sorted_and_every_rule_is_documented() {
        for pair in super::RULES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} then {}", pair[0].code, pair[1].code);
        }
        for rule in super::RULES {
            let e = rule.explanation;
            assert!(
                !e.detects.is_empty() && !e.why.is_empty() && !e.check.is_empty(),
                "{}",
                rule.code
            );
            assert!(
                !rule.references.is_empty() && !rule.repair.is_empty() && !rule.needs.is_empty(),
                "{}",
                rule.code
            );
            assert!(rule.references.iter().all(|r| r.contains("http")), "{}", rule.code);
        }
        let mut causes: Vec<_> = super::RULES.iter().map(|r| r.cause).collect();
        causes.sort();
        causes.dedup();
        assert_eq!(causes.len(), super::RULES.len(), "one rule per cause");
    }
}
