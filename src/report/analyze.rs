//! The `analyze` report: ranked hypotheses with evidence and repair plans, the machine's
//! history, backup runs, harmless events, missing logs and clocks, as a terminal report or as
//! one versioned JSON document.

use std::io::{self, Write};

use jiff::tz::TimeZone;
use serde::Serialize;

use crate::case::{Case, ClockBasis};
use crate::diagnose::Diagnosis;
use crate::model::{EventTime, Notice};

use super::times;
use crate::rules::{Hypothesis, Level, RepairStep, Risk, Status};

/// The JSON schema name and version of `analyze --format json`.
pub const SCHEMA: &str = "backupdiag.analysis/2";

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>) -> String {
    times::show(time, zone, times::Detail::Minutes)
}

fn level(level: Level) -> &'static str {
    match level {
        Level::High => "HIGH",
        Level::Medium => "MEDIUM",
        Level::Low => "low",
    }
}

/// Writes the terminal report.
pub fn write_table(case: &Case, diagnosis: &Diagnosis, zone: Option<&TimeZone>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "backupdiag analyze: {}", super::inputs::summary(case))?;
    write_computers(case, out)?;
    write_hypotheses(&diagnosis.hypotheses, out)?;
    writeln!(out, "\nMACHINE HISTORY")?;
    if diagnosis.milestones.is_empty() {
        writeln!(out, "  (nothing notable)")?;
    }
    for m in &diagnosis.milestones {
        let place = m
            .evidence
            .first()
            .map(|e| format!("  [{}]", e.location))
            .unwrap_or_default();
        writeln!(out, "  {}  {}{place}", when(m.time.as_ref(), zone), m.summary)?;
    }
    write_backups(diagnosis, zone, out)?;
    if !diagnosis.harmless.is_empty() {
        writeln!(out, "\nHARMLESS (seen, not the cause)")?;
        for group in &diagnosis.harmless {
            writeln!(
                out,
                "  {:>6}x  {}  [e.g. {}]",
                group.count, group.reason, group.example.location
            )?;
        }
    }
    if !diagnosis.coverage.is_empty() {
        writeln!(out, "\nNOT FULLY ASSESSED (logs not provided)")?;
        for gap in &diagnosis.coverage {
            let empty = if gap.empty.is_empty() {
                String::new()
            } else {
                format!("provided but empty ({}); ", gap.empty.join(", "))
            };
            writeln!(
                out,
                "  {:<12} {empty}needed by {}; collect with: {}",
                gap.log.as_str(),
                gap.rules.join(", "),
                gap.command
            )?;
        }
    }
    write_clocks(case, out)
}

/// Which computer(s) and Windows the logs come from.
fn write_computers(case: &Case, out: &mut dyn Write) -> io::Result<()> {
    if case.computers.is_empty() {
        return writeln!(out, "computer: not named by any log (text logs only)");
    }
    let label = if case.computers.len() > 1 {
        "COMPUTERS (mixed!)"
    } else {
        "computer"
    };
    for computer in &case.computers {
        let os = match (&computer.os, &computer.version) {
            (Some(os), Some(version)) => format!(", {os} ({version})"),
            (Some(os), None) => format!(", {os}"),
            (None, Some(version)) => format!(", version {version}"),
            (None, None) => String::new(),
        };
        writeln!(out, "{label}: {}{os}, {} events", computer.name, computer.events)?;
    }
    Ok(())
}

fn write_hypotheses(hypotheses: &[Hypothesis], out: &mut dyn Write) -> io::Result<()> {
    let (strong, weak): (Vec<_>, Vec<_>) = hypotheses.iter().partition(|h| h.level != Level::Low);
    writeln!(out, "\nHYPOTHESES (best first)")?;
    if strong.is_empty() {
        writeln!(
            out,
            "  None above low confidence: the logs show no cause of a backup failure."
        )?;
    }
    for (rank, h) in strong.iter().enumerate() {
        let status = if h.status == Status::Resolved {
            "  (resolved)"
        } else {
            ""
        };
        let cause = serde_json::to_value(h.cause)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        writeln!(
            out,
            "\n{}. [{} {:.2}] {} {}: {}{status}",
            rank + 1,
            level(h.level),
            h.confidence,
            h.rule,
            cause,
            h.title
        )?;
        writeln!(out, "   Why: {}", h.reasoning)?;
        writeln!(out, "   Evidence:")?;
        for e in &h.evidence {
            writeln!(out, "     {}  {}", e.location, clip(&e.text, 140))?;
        }
        for against in &h.against {
            writeln!(out, "   Against: {against}")?;
        }
        writeln!(out, "   Repair:")?;
        write_repair(h.repair, "     ", out)?;
    }
    if !weak.is_empty() {
        writeln!(out, "\n  Low confidence:")?;
        for h in weak {
            writeln!(
                out,
                "    [{:.2}] {} {}: {}",
                h.confidence,
                h.rule,
                h.title,
                clip(&h.reasoning, 100)
            )?;
        }
    }
    Ok(())
}

/// Writes numbered repair steps.
pub(crate) fn write_repair(steps: &[RepairStep], indent: &str, out: &mut dyn Write) -> io::Result<()> {
    for (i, step) in steps.iter().enumerate() {
        let risk = match step.risk {
            Risk::Low => "low risk",
            Risk::Medium => "medium risk",
            Risk::High => "HIGH RISK",
        };
        let admin = if step.admin { "admin, " } else { "" };
        writeln!(out, "{indent}{}. {} [{admin}{risk}]", i + 1, step.action)?;
        if let Some(command) = step.command {
            writeln!(out, "{indent}   > {command}")?;
        }
        if let Some(caution) = step.caution {
            writeln!(out, "{indent}   ! {caution}")?;
        }
    }
    Ok(())
}

fn write_backups(diagnosis: &Diagnosis, zone: Option<&TimeZone>, out: &mut dyn Write) -> io::Result<()> {
    let failed = diagnosis.backups.iter().filter(|r| !r.succeeded).count();
    writeln!(out, "\nBACKUP RUNS: {} seen, {failed} failed", diagnosis.backups.len())?;
    for run in &diagnosis.backups {
        let outcome = if run.succeeded {
            "succeeded".to_string()
        } else {
            format!(
                "FAILED {}",
                run.code.map_or("(no code)".into(), |c| format!("{c:#010x}"))
            )
        };
        writeln!(out, "  {}  {outcome}", when(Some(&run.time), zone))?;
    }
    Ok(())
}

fn write_clocks(case: &Case, out: &mut dyn Write) -> io::Result<()> {
    let local: Vec<_> = case
        .files
        .iter()
        .filter(|f| !matches!(f.clock, ClockBasis::Utc) && f.kind.is_some())
        .collect();
    if local.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nCLOCKS (local-time logs)")?;
    for file in local {
        writeln!(out, "  {}: {}", file.path, file.clock.describe())?;
    }
    Ok(())
}

fn clip(text: &str, chars: usize) -> String {
    let one_line = text.replace(['\r', '\n', '\t'], " ");
    if one_line.chars().count() <= chars {
        one_line
    } else {
        format!("{}…", one_line.chars().take(chars - 1).collect::<String>())
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    computers: &'a [crate::case::Computer],
    hypotheses: &'a [Hypothesis],
    milestones: &'a [crate::diagnose::Milestone],
    backups: &'a [crate::diagnose::BackupRun],
    harmless: &'a [crate::diagnose::HarmlessGroup],
    coverage: &'a [crate::diagnose::CoverageGap],
    inputs: Vec<super::inputs::JsonFile<'a>>,
    warnings: Vec<&'a Notice>,
}

/// Writes the JSON document.
pub fn write_json(case: &Case, diagnosis: &Diagnosis, out: &mut dyn Write) -> io::Result<()> {
    let report = JsonReport {
        schema: SCHEMA,
        computers: &case.computers,
        hypotheses: &diagnosis.hypotheses,
        milestones: &diagnosis.milestones,
        backups: &diagnosis.backups,
        harmless: &diagnosis.harmless,
        coverage: &diagnosis.coverage,
        inputs: super::inputs::json_files(case),
        warnings: case.all_notices().collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
