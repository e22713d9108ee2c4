//! The machine's history as a short dated story: installs, image restores (the logs jump back to
//! an older shutdown), malware, boot-mode changes, re-activations, services disabled and
//! re-enabled, repairs, the first and last backup failures and the last success. Each milestone
//! names its evidence; what the logs cannot show is said, not invented.

use std::borrow::Cow;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::{EventTime, TimeKeys};
use crate::signals::tables::AntimalwareTrouble;
use crate::signals::{Evidence, Signal, SignalKind};

use super::Analysis;

/// Kinds of milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneKind {
    /// Windows was installed (Windows Setup ran).
    OsInstalled,
    /// A system image was restored: the logs continue from an older shutdown.
    ImageRestored,
    /// Windows started with an older build than before: an image restore (whose logs were
    /// collected beside the newer ones) or an uninstalled update.
    BuildWentBack,
    /// Antimalware detected or removed a threat.
    Malware,
    /// The firmware boot mode differs from the one Windows was installed in.
    BootModeChanged,
    /// Windows was activated again after a hardware change.
    Reactivated,
    /// A required service was set to disabled.
    ServiceDisabled,
    /// A required service was enabled again.
    ServiceEnabled,
    /// A repair tool ran (chkdsk, SFC, DISM).
    Repair,
    /// The first backup failure.
    FirstBackupFailure,
    /// The last backup failure.
    LastBackupFailure,
    /// The last successful backup.
    LastBackupSuccess,
    /// Something the user wrote in their own notes (not in any log).
    Reported,
    /// Something the logs cannot show.
    NotInLogs,
}

/// One step of the machine's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// When, as written by the evidence that dates it (`None`: not known).
    #[serde(flatten, serialize_with = "time_keys")]
    pub time: Option<EventTime>,
    /// What kind.
    pub kind: MilestoneKind,
    /// In plain words.
    pub summary: String,
    /// The same in Japanese (reports in `--lang ja`).
    #[serde(skip)]
    pub summary_ja: String,
    /// Where it shows.
    pub evidence: Vec<Evidence>,
}

fn time_keys<S: serde::Serializer>(time: &Option<EventTime>, serializer: S) -> Result<S::Ok, S::Error> {
    TimeKeys(time.as_ref()).serialize(serializer)
}

impl Milestone {
    /// The instant it is ordered by.
    pub fn at(&self) -> Option<Timestamp> {
        self.time.and_then(|t| t.order_key())
    }
}

/// Required services whose disabling is a milestone.
const REQUIRED: &[&str] = &["RpcSs", "wbengine", "VSS", "swprv", "EventSystem", "SENS", "SDRSVC"];

/// The history, in time order (untimed milestones last).
pub fn history(analysis: &Analysis<'_>) -> Vec<Milestone> {
    // Signals come in time order, so one pass folds each day's repeats as they come: a log
    // with 100,000 SFC lines costs one milestone per day, not 100,000 held until sorted.
    let signals = &analysis.signals;
    let tallied = harmless_times(analysis);
    let mut folded = SameDay::default();
    for (index, signal) in signals.iter().enumerate() {
        if let Some(milestone) = from_signal(signals, &tallied, index, signal) {
            // The signal's evidence is made only where the milestone shows it.
            folded.push_citing(milestone, || signal.evidence().clone());
        }
    }
    let mut out = folded.out;
    reported(analysis, &mut out);
    boot_mode(signals, &mut out);
    build_went_back(signals, &mut out);
    backups(analysis, &mut out);
    if out
        .iter()
        .any(|m| matches!(m.kind, MilestoneKind::Malware | MilestoneKind::ImageRestored))
    {
        out.push(Milestone {
            time: None,
            kind: MilestoneKind::NotInLogs,
            summary: "repairs made from the recovery environment (bootrec /fixmbr, bootsect, partition changes) and restores that failed leave no event in these logs: ask the user what was done".to_string(),
            summary_ja: "回復環境で行った修復 (bootrec /fixmbr、bootsect、パーティションの変更) や失敗した復元は、これらのログに記録されません。何をしたかをユーザーに確認してください".to_string(),
            evidence: Vec::new(),
        });
    }
    out.sort_by_key(|m| (m.at().is_none(), m.at()));
    dedupe_same_day(out)
}

/// One milestone per kind, words and day: a run of SFC logs many lines saying the same.
fn dedupe_same_day(milestones: Vec<Milestone>) -> Vec<Milestone> {
    let mut folded = SameDay::default();
    for m in milestones {
        folded.push(m);
    }
    folded.out
}

/// Milestones folded by kind, words and UTC day as they are pushed: the first of each keeps
/// its place and gathers the evidence of the next ones, up to [`EVIDENCE_PER_DAY`].
#[derive(Default)]
struct SameDay {
    out: Vec<Milestone>,
    /// By kind and day, each summary pushed and where its milestone is in `out` (a day holds a
    /// few: looking them up in place spares a copy of the words for each of 100,000 pushes).
    seen: std::collections::HashMap<(MilestoneKind, Option<i64>), SummariesAt, foldhash::fast::FixedState>,
    /// The kind and day of the last push, and where its milestone is: repeats come in runs
    /// (an SFC scan logs its lines one after another), found without a lookup.
    last: Option<(MilestoneKind, Option<i64>, usize)>,
}

/// A day's summaries of one kind, each with where its milestone is.
type SummariesAt = Vec<(String, usize)>;

/// Evidence a folded milestone shows.
const EVIDENCE_PER_DAY: usize = 2;

impl SameDay {
    fn push(&mut self, mut m: Milestone) {
        let evidence = std::mem::take(&mut m.evidence);
        let draft = Draft {
            at: m.at(),
            time: When::Is(m.time),
            kind: m.kind,
            summary: m.summary.into(),
            summary_ja: m.summary_ja.into(),
        };
        self.push_with(draft, |room| evidence.into_iter().take(room).collect());
    }

    /// Pushes `m` citing what `cite` makes, made only when shown.
    fn push_citing(&mut self, m: Draft<'_>, cite: impl FnOnce() -> Evidence) {
        self.push_with(m, |room| if room > 0 { vec![cite()] } else { Vec::new() });
    }

    /// Pushes `m`, whose evidence is `evidence(room)`: at most `room` places. Its words are
    /// copied only when it is the first of its day.
    fn push_with(&mut self, m: Draft<'_>, evidence: impl FnOnce(usize) -> Vec<Evidence>) {
        let day = m.at.map(|t| t.as_second().div_euclid(86_400));
        let found = self.repeat_of_last(&m, day).or_else(|| {
            let same_day = self.seen.get(&(m.kind, day))?;
            same_day
                .iter()
                .find(|(summary, _)| *summary == m.summary)
                .map(|(_, at)| *at)
        });
        match found {
            Some(at) => {
                self.last = Some((m.kind, day, at));
                if let Some(existing) = self.out.get_mut(at) {
                    let room = EVIDENCE_PER_DAY.saturating_sub(existing.evidence.len());
                    existing.evidence.extend(evidence(room));
                }
            }
            None => {
                let at = self.out.len();
                let summary = m.summary.into_owned();
                self.seen.entry((m.kind, day)).or_default().push((summary.clone(), at));
                self.last = Some((m.kind, day, at));
                self.out.push(Milestone {
                    time: m.time.written(),
                    kind: m.kind,
                    summary,
                    summary_ja: m.summary_ja.into_owned(),
                    evidence: evidence(usize::MAX),
                });
            }
        }
    }

    /// Where the last milestone pushed to is, when `m` of `day` repeats it (same kind, day and
    /// words).
    fn repeat_of_last(&self, m: &Draft<'_>, day: Option<i64>) -> Option<usize> {
        let (kind, last_day, at) = self.last?;
        (kind == m.kind && last_day == day && self.out.get(at)?.summary == m.summary).then_some(at)
    }
}

/// A signal's milestone before it is folded: its words borrowed where they are fixed and its
/// time as written read when it is kept, so the repeats that fold into one (a log's hundred
/// thousand SFC lines) copy nothing and read no event.
struct Draft<'s> {
    /// The instant it is ordered by.
    at: Option<Timestamp>,
    time: When<'s>,
    kind: MilestoneKind,
    summary: Cow<'static, str>,
    summary_ja: Cow<'static, str>,
}

/// Where a draft's time as written is.
enum When<'s> {
    /// The signal's.
    Of(&'s Signal<'s>),
    Is(Option<EventTime>),
}

impl When<'_> {
    fn written(&self) -> Option<EventTime> {
        match self {
            When::Of(signal) => signal.event_time(),
            When::Is(time) => *time,
        }
    }
}

fn milestone<'s>(
    signal: &'s Signal<'s>,
    kind: MilestoneKind,
    (summary, summary_ja): (impl Into<Cow<'static, str>>, impl Into<Cow<'static, str>>),
) -> Draft<'s> {
    Draft {
        at: signal.event_order_key(),
        time: When::Of(signal),
        kind,
        summary: summary.into(),
        summary_ja: summary_ja.into(),
    }
}

/// The times of the harmless events the readers tallied (`model::HarmlessTally`), sorted: the
/// signals they would have been, for the history's view of when the logs were written.
fn harmless_times(analysis: &Analysis<'_>) -> Vec<Timestamp> {
    let mut times: Vec<Timestamp> = analysis
        .case
        .files
        .iter()
        .flat_map(|f| f.harmless.runs())
        .filter_map(|r| r.time.order_key())
        .collect();
    times.sort_unstable();
    times.dedup();
    times
}

fn from_signal<'s>(
    signals: &[Signal],
    tallied: &[Timestamp],
    index: usize,
    signal: &'s Signal<'s>,
) -> Option<Draft<'s>> {
    match &signal.kind {
        SignalKind::InstalledFirmware { mode } => Some(milestone(
            signal,
            MilestoneKind::OsInstalled,
            (
                format!("Windows Setup ran ({mode} boot mode)"),
                format!("Windows セットアップを実行 (ブート モード {mode})"),
            ),
        )),
        SignalKind::UnexpectedShutdown { reported } => image_restore(signals, tallied, index, signal, reported),
        SignalKind::Malware { threat, removed } => {
            let (verb, verb_ja) = if *removed {
                ("removed", "駆除")
            } else {
                ("detected", "検出")
            };
            Some(milestone(
                signal,
                MilestoneKind::Malware,
                (
                    format!("antimalware {verb} {threat}"),
                    format!("マルウェア対策ソフトが {threat} を{verb_ja}"),
                ),
            ))
        }
        SignalKind::AntimalwareTrouble {
            trouble: AntimalwareTrouble::RemovalFailed,
            ..
        } => Some(milestone(
            signal,
            MilestoneKind::Malware,
            (
                "antimalware could not remove a threat",
                "マルウェア対策ソフトが脅威を駆除できなかった",
            ),
        )),
        SignalKind::Activation { id: 1024 | 1040 } => Some(milestone(
            signal,
            MilestoneKind::Reactivated,
            (
                "Windows saw a hardware change and had to be activated again",
                "ハードウェアの変更を検知し、Windows のライセンス認証をやり直した",
            ),
        )),
        SignalKind::ServiceStartType { service, disabled } if REQUIRED.contains(&service.as_str()) => {
            let (kind, words, words_ja) = if *disabled {
                (MilestoneKind::ServiceDisabled, "set to disabled", "無効に変更")
            } else {
                (MilestoneKind::ServiceEnabled, "enabled again", "再び有効に変更")
            };
            let texts = (
                format!("service {service} {words}"),
                format!("サービス {service} を{words_ja}"),
            );
            Some(milestone(signal, kind, texts))
        }
        SignalKind::Chkdsk { fixed } => {
            let (result, result_ja) = if *fixed {
                ("made corrections", "修正を行った")
            } else {
                ("found no problems", "問題は見つからなかった")
            };
            Some(milestone(
                signal,
                MilestoneKind::Repair,
                (
                    format!("chkdsk at boot {result}"),
                    format!("起動時の chkdsk: {result_ja}"),
                ),
            ))
        }
        SignalKind::SfcCannotRepair => Some(milestone(
            signal,
            MilestoneKind::Repair,
            (
                "SFC found corrupt system files it could not repair",
                "SFC が修復できない破損したシステム ファイルを検出",
            ),
        )),
        SignalKind::SourceMissing => Some(milestone(
            signal,
            MilestoneKind::Repair,
            (
                "DISM /RestoreHealth failed: repair source not found (0x800f081f)",
                "DISM /RestoreHealth が失敗: 修復ソースが見つからない (0x800f081f)",
            ),
        )),
        SignalKind::SfcRepaired => Some(milestone(
            signal,
            MilestoneKind::Repair,
            ("SFC repaired system files", "SFC がシステム ファイルを修復"),
        )),
        SignalKind::CheckSur { repaired: Some(n), .. } if *n > 0 => Some(milestone(
            signal,
            MilestoneKind::Repair,
            (
                format!("DISM repaired {n} component store corruption(s)"),
                format!("DISM がコンポーネント ストアの破損を {n} 件修復"),
            ),
        )),
        _ => None,
    }
}

/// Each boot whose OS version (Kernel-General 12) is older than the same computer's boot
/// before it.
fn build_went_back(signals: &[Signal], out: &mut Vec<Milestone>) {
    let mut previous: std::collections::HashMap<&str, (&Signal, [u32; 4])> = std::collections::HashMap::new();
    for signal in signals.iter().filter(|s| s.time.is_some()) {
        let SignalKind::OsVersion { version, computer } = &signal.kind else {
            continue;
        };
        if let Some((before, seen)) = previous.get(computer.as_str()).filter(|(_, seen)| version < seen) {
            out.push(Milestone {
                time: signal.event_time(),
                kind: MilestoneKind::BuildWentBack,
                summary: format!(
                    "Windows started as build {} after running build {}: an image was restored or an update was removed",
                    dotted(version),
                    dotted(seen)
                ),
                summary_ja: format!(
                    "ビルド {} で動いていた Windows がビルド {} で起動: イメージを復元したか、更新プログラムを削除した",
                    dotted(seen),
                    dotted(version)
                ),
                evidence: vec![before.evidence().clone(), signal.evidence().clone()],
            });
        }
        previous.insert(computer, (signal, *version));
    }
}

fn dotted(version: &[u32; 4]) -> String {
    version.map(|part| part.to_string()).join(".")
}

/// EventLog 6008 reporting a shutdown long before the boot, with no event in between: the
/// system was restored from an image taken at that shutdown.
fn image_restore<'s>(
    signals: &[Signal],
    tallied: &[Timestamp],
    index: usize,
    signal: &'s Signal<'s>,
    reported: &str,
) -> Option<Draft<'s>> {
    let now = signal.time?;
    let shutdown = parse_us_date(reported)?;
    if now.duration_since(shutdown) < SignedDuration::from_hours(48) {
        return None;
    }
    let before = now.saturating_sub(SignedDuration::from_mins(5)).unwrap_or(now);
    // The signals are in time order: the last timed one before `before` is the latest.
    let previous = signals[..index]
        .iter()
        .rev()
        .find_map(|s| s.time.filter(|t| *t < before))
        .max(tallied[..tallied.partition_point(|t| *t < before)].last().copied());
    let gap_ok = previous.is_none_or(|p| {
        p <= shutdown
            .saturating_add(SignedDuration::from_hours(36))
            .unwrap_or(shutdown)
    });
    if !gap_ok {
        return None;
    }
    let summary = format!(
        "system image restored: Windows reports its last shutdown on {} (the image's time); the logs jump from then to this boot, and what happened in between is not in them",
        shutdown.strftime("%Y-%m-%d")
    );
    let summary_ja = format!(
        "システム イメージを復元: Windows は前回のシャットダウンを {} (イメージの作成時) と報告している。ログはその時点からこの起動まで飛んでおり、その間の出来事は記録されていない",
        shutdown.strftime("%Y年%-m月%-d日")
    );
    Some(milestone(signal, MilestoneKind::ImageRestored, (summary, summary_ja)))
}

/// `3/10/2012 8:30:00 PM` (EventLog 6008's US-format local date and time) -> an approximate
/// UTC instant (the local clock's offset is within a day, which is all the gap test needs).
fn parse_us_date(text: &str) -> Option<Timestamp> {
    let mut parts = text.split_whitespace();
    let date = parts.next()?;
    let mut numbers = date.split('/').map(|n| n.trim().parse::<i16>());
    let (month, day, year) = (numbers.next()?.ok()?, numbers.next()?.ok()?, numbers.next()?.ok()?);
    let civil = jiff::civil::date(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?);
    civil.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// The user's dated notes, as they wrote them.
fn reported(analysis: &Analysis<'_>, out: &mut Vec<Milestone>) {
    for event in analysis
        .case
        .events
        .iter()
        .filter(|e| e.certainty == crate::model::Certainty::Reported)
    {
        let text = event
            .message
            .as_deref()
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default();
        out.push(Milestone {
            time: Some(event.time),
            kind: MilestoneKind::Reported,
            summary: format!("reported by the user: {text}"),
            summary_ja: format!("ユーザーの報告: {text}"),
            evidence: vec![Evidence::new(&event.origin, Some(event.time), text)],
        });
    }
}

fn boot_mode(signals: &[Signal], out: &mut Vec<Milestone>) {
    let installed = signals.iter().rev().find_map(|s| match &s.kind {
        SignalKind::InstalledFirmware { mode } => Some((mode, s)),
        _ => None,
    });
    let current = signals.iter().rev().find_map(|s| match &s.kind {
        SignalKind::CurrentFirmware { mode } => Some((mode, s)),
        _ => None,
    });
    if let (Some((was, a)), Some((now, b))) = (installed, current) {
        if was != now {
            out.push(Milestone {
                time: b.event_time(),
                kind: MilestoneKind::BootModeChanged,
                summary: format!("firmware boot mode changed from {was} (when Windows was installed) to {now} (now); the logs do not show when"),
                summary_ja: format!("ファームウェアのブート モードが {was} (Windows のインストール時) から {now} (現在) に変わっている (いつ変わったかはログからはわからない)"),
                evidence: vec![a.evidence().clone(), b.evidence().clone()],
            });
        }
    }
}

fn backups(analysis: &Analysis<'_>, out: &mut Vec<Milestone>) {
    let failures: Vec<_> = analysis.failures().collect();
    let code = |c: Option<u32>| c.map_or_else(|| "no code".to_string(), |c| format!("{c:#010x}"));
    if let Some(first) = failures.first() {
        out.push(Milestone {
            time: Some(first.time),
            kind: MilestoneKind::FirstBackupFailure,
            summary: format!(
                "first backup failure ({}); {} failed run(s) in all",
                code(first.code),
                failures.len()
            ),
            summary_ja: format!(
                "最初のバックアップ失敗 ({})。失敗は合計 {} 回",
                code(first.code).replace("no code", "コードなし"),
                failures.len()
            ),
            evidence: first.evidence.clone(),
        });
    }
    if let Some(last) = failures.last().filter(|_| failures.len() > 1) {
        out.push(Milestone {
            time: Some(last.time),
            kind: MilestoneKind::LastBackupFailure,
            summary: format!("last backup failure ({})", code(last.code)),
            summary_ja: format!(
                "最後のバックアップ失敗 ({})",
                code(last.code).replace("no code", "コードなし")
            ),
            evidence: last.evidence.clone(),
        });
    }
    if let Some(success) = analysis.runs.iter().rev().find(|r| r.succeeded) {
        out.push(Milestone {
            time: Some(success.time),
            kind: MilestoneKind::LastBackupSuccess,
            summary: "last successful backup".to_string(),
            summary_ja: "最後に成功したバックアップ".to_string(),
            evidence: success.evidence.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{dedupe_same_day, Milestone, MilestoneKind};
    use crate::model::{EventTime, Location, Origin};
    use crate::signals::Evidence;

    fn sfc(at: &str, line: u64) -> Milestone {
        let time = at.parse::<jiff::Timestamp>().ok().map(EventTime::Utc);
        let origin = Origin {
            file: "CBS.log".into(),
            location: Location::Line(line),
        };
        Milestone {
            time,
            kind: MilestoneKind::Repair,
            summary: "SFC found corrupt system files it could not repair".to_string(),
            summary_ja: String::new(),
            evidence: vec![Evidence::new(&origin, time, "[SR] Cannot repair")],
        }
    }

    #[test]
    fn repeats_fold_per_utc_day_keeping_the_first_two_places() {
        let folded = dedupe_same_day(vec![
            sfc("2024-05-10T00:00:01Z", 1),
            sfc("2024-05-10T12:00:00Z", 2),
            sfc("2024-05-10T23:59:59Z", 3),
            sfc("2024-05-11T00:00:00Z", 4),
        ]);
        let places: Vec<Vec<String>> = folded
            .iter()
            .map(|m| m.evidence.iter().map(|e| e.location.clone()).collect())
            .collect();
        assert_eq!(places, [vec!["CBS.log:1", "CBS.log:2"], vec!["CBS.log:4"]]);
    }

    #[test]
    fn other_words_or_kinds_stay_apart() {
        let mut repaired = sfc("2024-05-10T10:00:00Z", 2);
        repaired.summary = "SFC repaired system files".to_string();
        let mut chkdsk = sfc("2024-05-10T10:00:00Z", 3);
        chkdsk.kind = MilestoneKind::Malware;
        let folded = dedupe_same_day(vec![sfc("2024-05-10T09:00:00Z", 1), repaired, chkdsk]);
        assert_eq!(folded.len(), 3);
    }

    /// A restored image's logs stop at its shutdown; a harmless line the reader only counted
    /// between that shutdown and the boot shows the logs went on, as its signal did before.
    #[test]
    fn a_tallied_harmless_line_between_shutdown_and_boot_rules_out_a_restore() {
        use crate::case::{ClockBasis, FileSummary};
        use crate::model::HarmlessTally;
        use crate::rules::testing::CaseBuilder;

        let case = || {
            CaseBuilder::new()
                .success("2024-03-01T10:00:00Z")
                .event(
                    "2024-03-20T10:00:00Z",
                    "EventLog",
                    6008,
                    &[("%1", "8:30:00 PM"), ("%2", "3/10/2024")],
                )
                .build()
        };
        let restored = |case: &crate::case::Case| {
            super::history(&super::Analysis::new(case))
                .iter()
                .any(|m| m.kind == MilestoneKind::ImageRestored)
        };
        assert!(restored(&case()), "nothing between the shutdown and the boot");

        let mut harmless = HarmlessTally::default();
        let at = "2024-03-15T10:00:00Z".parse::<jiff::Timestamp>().expect("time");
        harmless.add("a harmless line", 7, EventTime::Utc(at));
        let mut with_line = case();
        with_line.files.push(FileSummary {
            path: "CBS.log".into(),
            kind: None,
            encoding: None,
            size: 0,
            records: 1,
            span: None,
            clock: ClockBasis::Utc,
            skipped: None,
            notices: Vec::new(),
            shapes: Vec::new(),
            empty: false,
            sha256: None,
            tally: crate::model::Tally::default(),
            harmless,
            channel: None,
        });
        assert!(!restored(&with_line), "a counted line on 2024-03-15");
    }
}
