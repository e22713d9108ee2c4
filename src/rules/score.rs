//! How a rule builds its confidence: weighted evidence for and against, the backup failures it
//! explains (the suspected cause must come before them), and caps when no failure is visible.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use crate::history::{Analysis, BackupRun, LogKind, Milestone};
use crate::signals::{Evidence, Signal};

use super::{bi, Cause, Hypothesis, Level, Rule, Status, Text};

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
    reasons: Vec<Text>,
    evidence: EvidenceList,
    against: Vec<Text>,
    /// A repair the rule saw in the logs: when, and in words.
    repair: Option<(Timestamp, Text)>,
    explains: usize,
    first: Option<Timestamp>,
    /// The latest time of any supporting evidence (failures explained included).
    last: Option<Timestamp>,
    /// Some supporting evidence has no time (a listing, an undated paste).
    untimed: bool,
    /// It explains a failure that stands at collection time (see `current_failures`).
    explains_current: bool,
    /// The failures it explains, as indices into the analysis's runs.
    explained_runs: Vec<usize>,
    /// Some event or fact of its own supports it (beyond the failures it explains).
    own_evidence: bool,
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
            explains_current: false,
            explained_runs: Vec::new(),
            own_evidence: false,
            cap: CEILING,
        }
    }
}

impl Assessment {
    /// Adds supporting evidence worth `weight`: signals, milestones or backup runs, each cited
    /// with its evidence and time.
    pub fn support<'s, C: Cites + 's>(
        &mut self,
        weight: f64,
        reason: impl Into<Text>,
        cited: impl IntoIterator<Item = &'s C>,
    ) {
        self.points += weight;
        self.reasons.push(reason.into());
        for item in cited {
            self.own_evidence = true;
            match item.at() {
                Some(time) => {
                    self.first = Some(self.first.map_or(time, |f| f.min(time)));
                    self.last = Some(self.last.map_or(time, |l| l.max(time)));
                }
                None => self.untimed = true,
            }
            // A full list takes no more: the evidence is not asked for (a signal makes its
            // evidence when asked).
            if !self.evidence.is_full() {
                for evidence in item.evidence() {
                    self.evidence.add(evidence);
                }
            }
        }
    }

    /// Adds a reason worth `weight` that cites nothing of its own (a consequence of evidence
    /// already cited).
    pub fn add(&mut self, weight: f64, reason: impl Into<Text>) {
        self.points += weight;
        self.reasons.push(reason.into());
    }

    /// Adds supporting evidence worth `weight` when there is any.
    pub fn support_if(&mut self, weight: f64, reason: impl Into<Text>, signals: &[&Signal]) {
        if !signals.is_empty() {
            self.support(weight, reason, signals.iter().copied());
        }
    }

    /// Counts against it.
    pub fn against(&mut self, weight: f64, reason: impl Into<Text>) {
        self.points -= weight;
        self.against.push(reason.into());
    }

    /// Notes expected evidence that is missing (costs `weight`).
    pub fn missing(&mut self, weight: f64, what: impl Into<Text>) {
        self.points -= weight;
        let what = what.into();
        self.against.push(what.map(|lang, text| match lang {
            crate::model::Lang::En => format!("not found: {text}"),
            crate::model::Lang::Ja => format!("見つからない: {text}"),
        }));
    }

    /// The logs show a repair of the cause at `at`. Whether that resolves the cause is decided
    /// once for every rule (README "Status").
    pub fn resolved(&mut self, at: Timestamp, how: impl Into<Text>) {
        self.repair = Some((at, how.into()));
    }

    /// The one definition of status. Evidence without a time (a writer listing, an undated
    /// paste) describes the machine when the logs were collected, after everything timed, so
    /// the cause is active. Otherwise it is resolved when a repair shows at or after its last
    /// evidence, or when a backup succeeded after its last evidence; else active. Rules citing
    /// the same events therefore agree.
    fn status(&self, analysis: &Analysis<'_>) -> (Status, Option<Text>) {
        if self.untimed {
            let note = self.repair.as_ref().map(|(_, how)| {
                how.map(|lang, how| match lang {
                    crate::model::Lang::En => format!("not taken as resolved ({how}): evidence without a time describes the machine as collected"),
                    crate::model::Lang::Ja => format!("解決済みとは見なしていません ({how})。時刻のない証拠は収集時点のコンピューターの状態を表すためです"),
                })
            });
            return (Status::Active, note);
        }
        let Some(last) = self.last else {
            return (Status::Active, None);
        };
        if let Some((at, how)) = self.repair.as_ref().filter(|(at, _)| *at >= last) {
            let _ = at;
            return (
                Status::Resolved,
                Some(how.map(|lang, how| match lang {
                    crate::model::Lang::En => format!("resolved: {how}"),
                    crate::model::Lang::Ja => format!("解決済み: {how}"),
                })),
            );
        }
        match analysis.success_after(last) {
            Some(success) => (
                Status::Resolved,
                Some(bi(
                    format!(
                        "resolved: a backup succeeded on {} after the last evidence",
                        success.strftime("%Y-%m-%d")
                    ),
                    format!(
                        "解決済み: 最後の証拠の後、{}にバックアップが成功した",
                        success.strftime("%Y年%-m月%-d日")
                    ),
                )),
            ),
            None => (Status::Active, None),
        }
    }

    /// Limits the confidence.
    pub fn cap(&mut self, max: f64) {
        self.cap = self.cap.min(max);
    }

    /// True when an event or fact of its own supports it, not only failure codes.
    pub fn has_own_evidence(&self) -> bool {
        self.own_evidence
    }

    /// The failures it explains (indices into the analysis's runs).
    pub fn explained_runs(&self) -> &[usize] {
        &self.explained_runs
    }

    /// When the earliest supporting evidence happened.
    pub fn first(&self) -> Option<Timestamp> {
        self.first
    }

    /// Credits the failed runs with one of `codes` (as their code or inner code; any code when
    /// `codes` is empty) that happened at or after `since` (and before `until`); failures with
    /// those codes before `since` count against the cause (it cannot explain them). A failure
    /// without a time fits, its order unknown, and the reasoning says so. Returns how many it
    /// explains.
    pub fn explain(
        &mut self,
        analysis: &Analysis<'_>,
        codes: &[u32],
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> usize {
        let matches = |run: &BackupRun| codes.is_empty() || codes.iter().any(|c| run.has_code(*c));
        let grace = SignedDuration::from_hours(1);
        let after = |run: &BackupRun| {
            run.at.is_none_or(|t| {
                since.is_none_or(|s| t >= s.saturating_sub(grace).unwrap_or(s)) && until.is_none_or(|u| t < u)
            })
        };
        let explained: Vec<&BackupRun> = analysis.failures().filter(|r| matches(r) && after(r)).collect();
        let before = analysis.failures().filter(|r| matches(r) && !after(r)).count();
        if let Some(first) = explained.first() {
            let mut stated: Vec<String> = Vec::new();
            for code in explained.iter().flat_map(|r| r.code.iter().chain(r.inner.iter())) {
                let code = format!("{code:#010x}");
                if !stated.contains(&code) {
                    stated.push(code);
                }
            }
            let untimed = explained.iter().filter(|r| r.at.is_none()).count();
            self.points += 0.25 + 0.05 * (explained.len().min(4) as f64 - 1.0);
            let codes = if stated.is_empty() {
                "no code".to_string()
            } else {
                stated.join(", ")
            };
            let codes_ja = codes.replace("no code", "コードなし");
            self.reasons.push(if untimed == 0 {
                bi(
                    format!("{} backup failure(s) after it fit this cause ({codes})", explained.len()),
                    format!("その後のバックアップ失敗 {} 回がこの原因と一致 ({codes_ja})", explained.len()),
                )
            } else {
                bi(
                    format!(
                        "{} backup failure(s) fit this cause ({codes}); {untimed} without a time, so whether the cause came first is unknown",
                        explained.len()
                    ),
                    format!(
                        "バックアップ失敗 {} 回がこの原因と一致 ({codes_ja})。うち {untimed} 回は時刻がなく、原因が先に起きたかどうかはわかりません",
                        explained.len()
                    ),
                )
            });
            for evidence in &first.evidence {
                self.evidence.add(evidence);
            }
            if untimed > 0 {
                self.untimed = true;
            }
            if let Some(latest) = explained.iter().filter_map(|r| r.at).max() {
                self.last = Some(self.last.map_or(latest, |l| l.max(latest)));
            }
            let current = analysis.current_failures();
            self.explains_current = explained.iter().any(|r| current.iter().any(|c| std::ptr::eq(*r, *c)));
            self.explained_runs = analysis
                .runs
                .iter()
                .enumerate()
                .filter(|(_, run)| explained.iter().any(|e| std::ptr::eq(*run, *e)))
                .map(|(index, _)| index)
                .collect();
        }
        if before > 0 && explained.is_empty() {
            self.against(
                0.1,
                bi(
                    format!("{before} matching failure(s) happened before this cause appeared"),
                    format!("一致する失敗のうち {before} 回は、この原因が現れる前に起きています"),
                ),
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
        // The JSON keeps the note among `against` (schema analysis/2); reports show it apart.
        self.against.extend(status_note.clone());
        let status_note = status_note.map(|n| (n.en.clone(), n.get(crate::model::Lang::Ja).to_string()));
        let evidence = self.evidence.shown;
        let hypothesis = Hypothesis {
            rule: rule.code,
            cause: rule.cause,
            title: rule.title,
            confidence,
            level: Level::of(confidence),
            status,
            reasoning: join(&self.reasons, crate::model::Lang::En),
            reasoning_ja: join(&self.reasons, crate::model::Lang::Ja),
            evidence,
            against: self.against.iter().map(|t| t.en.clone()).collect(),
            against_ja: self
                .against
                .iter()
                .map(|t| t.get(crate::model::Lang::Ja).to_string())
                .collect(),
            status_note,
            explains: self.explains,
            explains_current_failure: self.explains_current && status == Status::Active,
            repair: rule.repair,
            references: rule.references,
        };
        (hypothesis, self.first)
    }
}

/// Reasons as one paragraph: `; ` between English ones, `。` after Japanese ones.
fn join(reasons: &[Text], lang: crate::model::Lang) -> String {
    match lang {
        crate::model::Lang::En => reasons.iter().map(|r| r.en.as_str()).collect::<Vec<_>>().join("; "),
        crate::model::Lang::Ja => reasons
            .iter()
            .map(|r| {
                let text = r.get(lang);
                if r.ja.is_some() && !text.ends_with('。') {
                    format!("{text}。")
                } else if r.ja.is_none() {
                    format!("{text}. ")
                } else {
                    text.to_string()
                }
            })
            .collect::<String>()
            .trim_end()
            .to_string(),
    }
}

/// Something a rule can cite: its evidence, and when (for ordering; `None` when untimed).
pub trait Cites {
    /// When it happened, as the diagnosis orders.
    fn at(&self) -> Option<Timestamp>;
    /// The places that show it.
    fn evidence(&self) -> &[Evidence];
}

impl Cites for Signal<'_> {
    fn at(&self) -> Option<Timestamp> {
        self.time
    }
    fn evidence(&self) -> &[Evidence] {
        std::slice::from_ref(Signal::evidence(self))
    }
}

impl Cites for Milestone {
    fn at(&self) -> Option<Timestamp> {
        Milestone::at(self)
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }
}

impl Cites for BackupRun {
    fn at(&self) -> Option<Timestamp> {
        self.at
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
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
    fn is_full(&self) -> bool {
        self.shown.len() == EVIDENCE_SHOWN
    }

    fn add(&mut self, evidence: &Evidence) {
        if self.is_full() {
            return;
        }
        self.probes += 1;
        if self.seen.insert(evidence.location.clone()) {
            self.shown.push(evidence.clone());
        }
    }
}

/// Weight a code needs to raise a hypothesis on its own.
const NAMES_THE_CAUSE: f64 = 0.3;
/// Cap of a hypothesis raised by codes alone: at most medium.
const CODES_ALONE_CAP: f64 = 0.6;

/// A hypothesis from failure codes alone, when nothing else shows the cause: each failure whose
/// code (or inner code) points to `cause` in the code table with weight 0.3 or more. Its
/// confidence is the code's weight (a little more for each further failure), at most medium,
/// and said so: a code names a cause, it does not prove it; a generic code (0x81000019) stays
/// low. Nothing is raised for failures that a rule with evidence of its own already explains
/// (`covered`, indices into the runs).
pub fn from_codes_alone(cause: Cause, analysis: &Analysis<'_>, covered: &[usize]) -> Option<Assessment> {
    let named = analysis.failures_pointing_to(cause, NAMES_THE_CAUSE);
    let id = cause.id();
    let (weight, code) = named
        .iter()
        .flat_map(|r| r.code.iter().chain(r.inner.iter()))
        .filter_map(|c| crate::model::codes::lookup(*c))
        .map(|info| (info.weight_for(&id), info))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let mut s = Assessment::default();
    s.points += weight;
    let text = code.en.as_deref().map(|t| format!(" \"{t}\"")).unwrap_or_default();
    let text_ja = code
        .ja
        .as_deref()
        .map(|t| format!(" 「{t}」"))
        .unwrap_or_else(|| text.clone());
    s.reasons.push(bi(
        format!("the failure code {}{text} points to this cause", code.label()),
        format!("失敗コード {}{text_ja} はこの原因を示します", code.label()),
    ));
    s.explain(analysis, &codes_for(cause), None, None);
    s.points = weight + 0.05 * (named.len().min(3) as f64 - 1.0);
    // Another cause with evidence of its own explains these failures: a code is no rival.
    if s.explained_runs.iter().all(|run| covered.contains(run)) {
        return None;
    }
    s.against.push(bi(
        "only the error code points to it: no event or log shows the cause itself",
        "これを示すのはエラー コードだけで、原因そのものを示すイベントやログはありません",
    ));
    s.cap(CODES_ALONE_CAP);
    Some(s)
}

/// Cap of a hypothesis raised by a code only mentioned in text: low, whatever the code.
const MENTIONED_CAP: f64 = 0.45;

/// A case with no backup run at all (a ticket's own words, a requester's log line, an error
/// code typed alone): a code it mentions names the causes the code table gives it, as a failure
/// code would, but weaker (three quarters of the code's weight) and never above low, and said
/// so. A case that shows any run, failed or not, is judged by its runs instead.
pub fn from_mentioned_codes(cause: Cause, analysis: &Analysis<'_>) -> Option<Assessment> {
    if !analysis.runs.is_empty() {
        return None;
    }
    let id = cause.id();
    let (weight, code, fact) = analysis
        .case
        .facts
        .iter()
        .filter_map(|fact| match &fact.kind {
            crate::model::FactKind::Mention { what, value } if what == "hresult" => {
                let info = crate::model::codes::parse_query(value).and_then(crate::model::codes::lookup)?;
                Some((info.weight_for(&id), info, fact))
            }
            _ => None,
        })
        .filter(|(weight, _, _)| *weight >= NAMES_THE_CAUSE)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let mut s = Assessment {
        points: weight * 0.75,
        untimed: true,
        ..Assessment::default()
    };
    s.reasons.push(bi(
        format!(
            "the text mentions {} ({}), which points to this cause",
            code.label(),
            code.en.as_deref().unwrap_or("no message text known")
        ),
        format!("テキストに {} があり、この原因を示します", code.label()),
    ));
    s.evidence.add(&Evidence::new(
        &fact.origin,
        None,
        format!("mentioned: {}", code.label()),
    ));
    s.against.push(bi(
        "only a code mentioned in the text points to it: no failed run, event or log shows the cause",
        "これを示すのはテキスト中のコードだけで、失敗した実行やイベント、ログは原因を示していません",
    ));
    s.cap(MENTIONED_CAP);
    Some(s)
}

/// The failure codes that point to `cause` in the code table (any weight): the codes a rule
/// credits failures with.
pub fn codes_for(cause: Cause) -> Vec<u32> {
    crate::model::codes::pointing_to(&cause.id(), 0.1)
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
                certainty: None,
                text_ja: None,
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

    /// A signal makes its evidence when cited: a rule citing 1,000 signals makes the evidence
    /// of the few it shows, the same evidence an eager signal would have shown.
    #[test]
    fn only_the_evidence_shown_is_made() {
        use crate::rules::testing::CaseBuilder;
        let mut builder = CaseBuilder::new();
        for minute in 0..1000 {
            let time = format!("2024-05-10T{:02}:{:02}:00Z", minute / 60 % 24, minute % 60);
            builder = builder.event(&time, "disk", 7, &[("%1", "\\Device\\Harddisk0\\DR0")]);
        }
        let case = builder.build();
        let signals = crate::signals::recognize(&case);
        assert_eq!(signals.len(), 1000);
        let mut assessment = Assessment::default();
        assessment.support(0.5, super::bi("disk errors", "disk errors"), signals.iter());
        let made = signals.iter().filter(|s| s.evidence_made()).count();
        assert_eq!(made, EVIDENCE_SHOWN);
        let shown: Vec<&Evidence> = assessment.evidence.shown.iter().collect();
        let eager: Vec<Evidence> = case.events[..EVIDENCE_SHOWN]
            .iter()
            .map(crate::signals::evidence_of)
            .collect();
        assert_eq!(shown, eager.iter().collect::<Vec<_>>());
    }

    #[test]
    fn the_same_place_is_shown_once() {
        let mut assessment = Assessment::default();
        let at = |location: &str| Evidence {
            location: location.to_string(),
            text: "x".to_string(),
            time: None,
            certainty: None,
            text_ja: None,
        };
        for location in ["a#1", "a#2", "a#1", "b:3", "a#2"] {
            assessment.evidence.add(&at(location));
        }
        let shown: Vec<&str> = assessment.evidence.shown.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(shown, ["a#1", "a#2", "b:3"]);
    }

    #[test]
    fn a_code_mentioned_in_text_names_its_cause_low_and_only_without_any_run() {
        use crate::rules::testing::{assess, CaseBuilder};
        let mentioned = crate::model::FactKind::Mention {
            what: "hresult".into(),
            value: "0x80042317".into(),
        };
        let alone = CaseBuilder::new().fact(mentioned.clone()).build();
        let shd001 = crate::rules::find("SHD001").expect("registered");
        let found = assess(shd001, &alone).expect("the mention names the cause");
        assert!(found.confidence > 0.0 && found.confidence < 0.5, "{}", found.confidence);
        assert!(found.against.iter().any(|t| t.contains("only a code mentioned")));
        let with_a_run = CaseBuilder::new()
            .fact(mentioned)
            .success("2024-05-20T10:00:00Z")
            .build();
        assert!(assess(shd001, &with_a_run).is_none(), "runs speak for the case");
    }
}
