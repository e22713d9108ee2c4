//! `batch DIR`: every subfolder, archive or file of DIR is one case. Cases are analysed in
//! parallel, each exactly as `analyze` would (same reading, same exit code), and reported in
//! case-name order: one JSON object per case on stdout, or one report per case in `--out-dir`;
//! a summary table goes to stderr. A case that cannot be read is one failed case, never a
//! failed batch. `--shard K/N` keeps a stable share of the cases, by a hash of their names.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::{IntoParallelRefIterator, ParallelIterator};
use serde::Serialize;

use crate::config::{AnalyzeFormat, Command, Config};
use crate::diagnose::Diagnosis;
use crate::report::layout::{self, Layout};
use crate::rules::{Level, Status};
use crate::ExitStatus;

/// The schema id of one line of `batch`'s JSON Lines.
pub const SCHEMA: &str = "backupdiag.batch/1";

/// One case to analyse: an entry of the batch folder.
#[derive(Debug, Clone)]
struct CaseEntry {
    name: String,
    path: PathBuf,
}

/// What one case gave.
#[derive(Debug)]
struct Outcome {
    name: String,
    status: ExitStatus,
    /// Its JSON Lines line (without the line break), when the reports go to stdout.
    line: Option<String>,
    /// Every notice the case printed, without the `backupdiag: ` prefix.
    notices: Vec<String>,
    summary: Option<Summary>,
}

/// The few facts of a diagnosis the summary table shows.
#[derive(Debug)]
struct Summary {
    computers: String,
    verdict: &'static str,
    top: Option<String>,
    confidence: Option<String>,
}

/// Runs `batch`: the configuration's one path is the folder of cases.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    let Command::Batch {
        format,
        out_dir,
        shard,
        fail_on,
    } = &config.command
    else {
        return Ok(ExitStatus::Failure);
    };
    let Some(dir) = config.paths.first() else {
        writeln!(err, "backupdiag: batch needs the folder of cases")?;
        return Ok(ExitStatus::Failure);
    };
    if let Some(out_dir) = out_dir {
        if inside(out_dir, dir) {
            writeln!(
                err,
                "backupdiag: {}: the report folder is inside the folder of cases; choose one outside it (backupdiag never writes to its inputs)",
                out_dir.display()
            )?;
            return Ok(ExitStatus::Failure);
        }
        if let Err(e) = fs::create_dir_all(out_dir) {
            writeln!(
                err,
                "backupdiag: {}: cannot create the report folder: {e}",
                out_dir.display()
            )?;
            return Ok(ExitStatus::Failure);
        }
    }
    let entries = match list_cases(dir) {
        Ok(entries) => entries,
        Err(e) => {
            writeln!(err, "backupdiag: {}: cannot list the cases: {e}", dir.display())?;
            return Ok(ExitStatus::Failure);
        }
    };
    let listed = entries.len();
    let entries: Vec<CaseEntry> = match shard {
        Some(shard) => entries.into_iter().filter(|e| in_shard(&e.name, *shard)).collect(),
        None => entries,
    };
    if listed == 0 {
        writeln!(
            err,
            "backupdiag: {}: no case in this folder (a case is a subfolder, a .zip or a file)",
            dir.display()
        )?;
        return Ok(ExitStatus::Failure);
    }
    let format = if out_dir.is_some() {
        *format
    } else {
        AnalyzeFormat::JsonLine
    };
    let progress = crate::progress::Progress::start_cases(entries.len(), config.progress);
    let outcomes: Vec<Outcome> = entries
        .par_iter()
        .map(|entry| {
            let outcome = analyse(config, entry, format, *fail_on, out_dir.as_deref());
            progress.done(1);
            outcome
        })
        .collect();
    progress.finish();

    for outcome in &outcomes {
        for notice in &outcome.notices {
            writeln!(err, "backupdiag: {}: {notice}", outcome.name)?;
        }
        if let Some(line) = &outcome.line {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    write_summary(&outcomes, listed, *shard, config, err)?;
    Ok(outcomes.iter().map(|o| o.status).fold(ExitStatus::Success, most_severe))
}

/// True when `path` (which may not exist yet) is `dir` or lies below it.
fn inside(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = fs::canonicalize(dir) else {
        return false;
    };
    // The deepest part of `path` that exists, resolved, with the rest appended.
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return false,
        }
    }
    let Ok(mut resolved) = fs::canonicalize(&existing) else {
        return false;
    };
    resolved.extend(rest.iter().rev());
    resolved.starts_with(&dir)
}

/// The cases of `dir` in name order: subfolders, `.zip` files and other files (a text file of
/// pasted events is a case too), leaving out hidden entries.
fn list_cases(dir: &Path) -> io::Result<Vec<CaseEntry>> {
    let mut cases = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with('.') {
            continue;
        }
        cases.push(CaseEntry { name, path });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// Whether the case named `name` falls in shard `k` of `n` (1-based): FNV-1a of the name's
/// UTF-8 bytes, modulo `n`. The same name lands in the same shard on every machine and in
/// every release.
pub fn in_shard(name: &str, (k, n): (u32, u32)) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash % u64::from(n.max(1)) == u64::from(k.saturating_sub(1))
}

/// Analyses one case as `analyze` would, into memory (or its report file).
fn analyse(
    config: &Config,
    entry: &CaseEntry,
    format: AnalyzeFormat,
    fail_on: Option<Level>,
    out_dir: Option<&Path>,
) -> Outcome {
    let case_config = Config {
        command: Command::Analyze { format, fail_on },
        paths: vec![entry.path.clone()],
        progress: false,
        exits_after: false,
        ..config.clone()
    };
    let layout = Layout::plain(100).in_lang(config.lang);
    let mut report = Vec::new();
    let mut notes = Vec::new();
    let mut summary = None;
    let run = crate::with_case(
        &case_config,
        format.is_json(),
        &mut report,
        &mut notes,
        |case, zone, out| {
            let (findings, diagnosis) = crate::write_analysis(case, zone, format, fail_on, &layout, out)?;
            summary = Some(summarize(case, &diagnosis));
            Ok(findings)
        },
    );
    let mut notices: Vec<String> = String::from_utf8_lossy(&notes)
        .lines()
        .map(|l| l.strip_prefix("backupdiag: ").unwrap_or(l).to_string())
        .collect();
    let mut status = match run {
        Ok(status) => status,
        Err(e) => {
            notices.push(format!("cannot write the report: {e}"));
            ExitStatus::Failure
        }
    };
    let line = match out_dir {
        Some(_) if report.is_empty() => None,
        Some(dir) => {
            let file = dir.join(format!("{}.{}", entry.name, format.extension()));
            if let Err(e) = fs::write(&file, &report) {
                notices.push(format!("{}: cannot write the report: {e}", file.display()));
                status = ExitStatus::Failure;
            }
            None
        }
        None => Some(json_line(&entry.name, status, &notices, &report)),
    };
    Outcome {
        name: entry.name.clone(),
        status,
        line,
        notices,
        summary,
    }
}

/// The line of one case: `{"schema","case","exit","status","notices","analysis"|"error"}`.
fn json_line(name: &str, status: ExitStatus, notices: &[String], report: &[u8]) -> String {
    #[derive(Serialize)]
    struct Head<'a> {
        schema: &'static str,
        case: &'a str,
        exit: i32,
        status: &'static str,
        notices: &'a [String],
    }
    let head = Head {
        schema: SCHEMA,
        case: name,
        exit: status as i32,
        status: status_word(status),
        notices,
    };
    let head = serde_json::to_string(&head).unwrap_or_else(|_| "{}".to_string());
    let body = String::from_utf8_lossy(report);
    let body = body.trim();
    // The analysis is already one line; the error document is indented, so it is re-read.
    let (key, body) = if status == ExitStatus::Failure {
        let error = serde_json::from_str::<serde_json::Value>(body)
            .unwrap_or_else(|_| serde_json::json!({ "schema": crate::report::errors::ERROR_SCHEMA, "error": "nothing-readable", "problems": [] }));
        ("error", error.to_string())
    } else {
        ("analysis", body.to_string())
    };
    let head = head.strip_suffix('}').unwrap_or(&head);
    format!("{head},\"{key}\":{body}}}")
}

fn status_word(status: ExitStatus) -> &'static str {
    match status {
        ExitStatus::Success => "ok",
        ExitStatus::Partial => "partial",
        ExitStatus::Failure => "failed",
        ExitStatus::Findings => "findings",
    }
}

/// The batch's exit code: 2 beats 3 beats 1 beats 0, as for a single run.
fn most_severe(a: ExitStatus, b: ExitStatus) -> ExitStatus {
    let rank = |s: ExitStatus| match s {
        ExitStatus::Success => 0,
        ExitStatus::Partial => 1,
        ExitStatus::Findings => 2,
        ExitStatus::Failure => 3,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn summarize(case: &crate::case::Case, diagnosis: &Diagnosis) -> Summary {
    let computers = case
        .computers
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let top = diagnosis.hypotheses.first().filter(|h| h.level != Level::Low);
    let failed = diagnosis.backups.iter().any(|r| !r.succeeded);
    let verdict = match top {
        Some(h) if h.status == Status::Resolved => "resolved",
        Some(_) => "cause found",
        None if !failed && !diagnosis.backups.is_empty() => "healthy",
        None => "no cause found",
    };
    Summary {
        computers,
        verdict,
        top: top.map(|h| format!("{} {}", h.rule, h.cause.id())),
        confidence: top.map(|h| format!("{} {:.2}", h.level.name(), h.confidence)),
    }
}

/// The table on stderr: case, computer, verdict, top cause, confidence, problems; then one
/// line of counts.
fn write_summary(
    outcomes: &[Outcome],
    listed: usize,
    shard: Option<(u32, u32)>,
    config: &Config,
    err: &mut dyn Write,
) -> io::Result<()> {
    let layout = Layout::detect_stderr(config.color).in_lang(config.lang);
    let mut table = layout.table(&[
        layout.t("CASE", "ケース"),
        layout.t("COMPUTER", "コンピューター"),
        layout.t("VERDICT", "判定"),
        layout.t("TOP CAUSE", "最有力の原因"),
        layout.t("CONFIDENCE", "確度"),
        layout.t("PROBLEMS", "問題"),
    ]);
    for o in outcomes {
        let (computers, verdict, top, confidence) = match &o.summary {
            Some(s) => (
                s.computers.as_str(),
                s.verdict,
                s.top.as_deref().unwrap_or("-"),
                s.confidence.as_deref().unwrap_or("-"),
            ),
            None => ("-", "not read", "-", "-"),
        };
        let verdict = match (layout.lang, verdict) {
            (crate::config::Lang::Ja, "resolved") => "解決済み",
            (crate::config::Lang::Ja, "cause found") => "原因あり",
            (crate::config::Lang::Ja, "healthy") => "正常",
            (crate::config::Lang::Ja, "no cause found") => "原因不明",
            (crate::config::Lang::Ja, "not read") => "読み取れず",
            (_, other) => other,
        };
        table.add_row(vec![
            o.name.clone(),
            computers.to_string(),
            verdict.to_string(),
            top.to_string(),
            confidence.to_string(),
            o.notices.len().to_string(),
        ]);
    }
    if !outcomes.is_empty() {
        writeln!(err, "{}", layout::render(&table))?;
    }
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let found = count(|o| o.summary.as_ref().is_some_and(|s| s.verdict == "cause found"));
    let failed = count(|o| o.status == ExitStatus::Failure);
    let partial = count(|o| o.status == ExitStatus::Partial);
    let share = shard.map_or_else(String::new, |(k, n)| format!(" (shard {k}/{n} of {listed})"));
    match layout.lang {
        crate::config::Lang::En => writeln!(
            err,
            "backupdiag: batch: {} case(s){share}: {found} with an active cause, {partial} read in part, {failed} not read",
            outcomes.len()
        ),
        crate::config::Lang::Ja => {
            let share = shard.map_or_else(String::new, |(k, n)| format!(" ({listed} 件中、シャード {k}/{n})"));
            writeln!(
                err,
                "backupdiag: batch: {} 件{share}: 未解決の原因あり {found} 件、一部のみ読み取り {partial} 件、読み取れず {failed} 件",
                outcomes.len()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_names_without_overlap_or_loss() {
        let names: Vec<String> = (0..500).map(|i| format!("case-{i:04}")).collect();
        for n in [1, 2, 3, 8] {
            let mut seen = vec![0; names.len()];
            for k in 1..=n {
                for (i, name) in names.iter().enumerate() {
                    if in_shard(name, (k, n)) {
                        seen[i] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&s| s == 1), "every name in exactly one of {n} shards");
        }
        // Shares are even enough to fan out over machines.
        let first = names.iter().filter(|n| in_shard(n, (1, 4))).count();
        assert!((90..=160).contains(&first), "{first} of 500 in shard 1/4");
    }

    #[test]
    fn severity_orders_failure_over_findings_over_partial() {
        use ExitStatus::*;
        assert_eq!(most_severe(Findings, Failure), Failure);
        assert_eq!(most_severe(Partial, Findings), Findings);
        assert_eq!(most_severe(Success, Partial), Partial);
        assert_eq!(most_severe(Failure, Success), Failure);
    }

    #[test]
    fn the_line_of_an_unread_case_holds_the_error_document() {
        let error = br#"{ "schema": "backupdiag.error/1", "error": "nothing-readable", "problems": [] }"#;
        let line = json_line("PC 1", ExitStatus::Failure, &["empty".to_string()], error);
        let value: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
        assert_eq!(value["case"], "PC 1");
        assert_eq!(value["exit"], 2);
        assert_eq!(value["error"]["error"], "nothing-readable");
        assert!(!line.contains('\n'));
    }
}
