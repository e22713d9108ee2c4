//! The `analyze` report for a terminal: a one-line verdict, the ranked hypotheses with their
//! evidence and repair plans, the machine's history, the backup runs, the harmless events, the
//! logs still missing and the clocks, fitted to the width of the terminal.

use std::io::{self, Write};

use comfy_table::Cell;
use jiff::tz::TimeZone;

use crate::case::{Case, ClockBasis};
use crate::diagnose::Diagnosis;
use crate::history::BackupRun;
use crate::model::EventTime;
use crate::rules::{Hypothesis, Level, RepairStep, Risk, Status};

use super::layout::{clip, file_part, render, shorten_path, Layout, Paint};
use super::times;

/// Longest evidence text shown (the JSON keeps it whole).
const EVIDENCE_CHARS: usize = 300;

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>) -> String {
    times::show(time, zone, times::Detail::Minutes)
}

/// Writes the terminal report.
pub fn write(
    case: &Case,
    diagnosis: &Diagnosis,
    zone: Option<&TimeZone>,
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        layout.wrap("backupdiag analyze: ", 2, &super::inputs::summary(case))
    )?;
    write_computers(case, layout, out)?;
    writeln!(out)?;
    writeln!(out, "{}", verdict(diagnosis, zone, layout))?;
    write_hypotheses(&diagnosis.hypotheses, layout, out)?;
    write_history(diagnosis, zone, layout, out)?;
    write_backups(&diagnosis.backups, zone, layout, out)?;
    write_harmless(diagnosis, layout, out)?;
    write_coverage(diagnosis, layout, out)?;
    write_clocks(case, layout, out)
}

/// One line a support engineer can paste: the active cause first, or what was (not) found.
fn verdict(diagnosis: &Diagnosis, zone: Option<&TimeZone>, layout: &Layout) -> String {
    let runs = &diagnosis.backups;
    let failed: Vec<&BackupRun> = runs.iter().filter(|r| !r.succeeded).collect();
    let failures = match failed.last() {
        None if runs.is_empty() => "no backup run in the logs".to_string(),
        None => format!("{} backup run(s), none failed", runs.len()),
        Some(last) => {
            let code = last.code.map(|c| format!(" with {c:#010x}")).unwrap_or_default();
            let at = if last.time.is_known() {
                format!(", the last on {}", when(Some(&last.time), zone))
            } else {
                String::new()
            };
            let recovered = runs
                .iter()
                .rev()
                .find(|r| r.at.is_some())
                .filter(|r| r.succeeded && r.at > last.at)
                .map(|r| format!("; the last run, on {}, succeeded", when(Some(&r.time), zone)))
                .unwrap_or_default();
            let at = at.replace(", the last on", ", the last failure on");
            format!(
                "{} of {} backup run(s) failed{at}{code}{recovered}",
                failed.len(),
                runs.len()
            )
        }
    };
    let (paint, text) = match diagnosis.hypotheses.first().filter(|h| h.level != Level::Low) {
        Some(top) => {
            let status = if top.status == Status::Resolved {
                ", resolved"
            } else {
                ""
            };
            let paint = if top.level == Level::High {
                Paint::Bad
            } else {
                Paint::Warn
            };
            let text = format!(
                "{} ({} {}, {} {:.2}{status}); {failures}",
                top.title,
                top.rule,
                top.cause.id(),
                top.level.name(),
                top.confidence
            );
            (paint, text)
        }
        None if failed.is_empty() && !runs.is_empty() => (
            Paint::Good,
            format!("healthy: {failures}; no cause above low confidence"),
        ),
        None => (Paint::Warn, format!("no cause above low confidence; {failures}")),
    };
    let wrapped = layout.wrap("VERDICT  ", 9, &text);
    let body = wrapped.strip_prefix("VERDICT  ").unwrap_or(&wrapped);
    format!(
        "{}{}",
        layout.paint(Paint::Heading, "VERDICT  "),
        layout.paint(paint, body)
    )
}

/// Which computer(s) and Windows the logs come from.
fn write_computers(case: &Case, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    if case.computers.is_empty() {
        return writeln!(out, "computer: not named by any log (text logs only)");
    }
    let label = if case.computers.len() > 1 {
        layout.paint(Paint::Warn, "COMPUTERS (mixed!)")
    } else {
        "computer".to_string()
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

fn write_hypotheses(hypotheses: &[Hypothesis], layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let (strong, weak): (Vec<_>, Vec<_>) = hypotheses.iter().partition(|h| h.level != Level::Low);
    writeln!(out, "\n{}", layout.paint(Paint::Heading, "HYPOTHESES (best first)"))?;
    if strong.is_empty() {
        writeln!(out, "  None above low confidence.")?;
    }
    for (rank, h) in strong.iter().enumerate() {
        let paint = if h.level == Level::High {
            Paint::Bad
        } else {
            Paint::Warn
        };
        let level = layout.paint(
            paint,
            &format!("[{} {:.2}]", h.level.name().to_uppercase(), h.confidence),
        );
        let status = match h.status {
            Status::Resolved => format!("  {}", layout.paint(Paint::Good, "(resolved)")),
            Status::Active => String::new(),
        };
        writeln!(out, "\n{}. {level} {} {}{status}", rank + 1, h.rule, h.cause.id())?;
        writeln!(out, "{}", layout.wrap("   ", 3, h.title))?;
        writeln!(out, "{}", layout.wrap("   Why: ", 8, &h.reasoning))?;
        if !h.evidence.is_empty() {
            writeln!(out, "   Evidence:")?;
        }
        for e in &h.evidence {
            let place = shorten_path(&e.location, layout.width.saturating_sub(8));
            writeln!(out, "     {}", layout.paint(Paint::Dim, &place))?;
            writeln!(out, "{}", layout.wrap("       ", 7, &clip(&e.text, EVIDENCE_CHARS)))?;
        }
        for against in &h.against {
            writeln!(out, "{}", layout.wrap("   Against: ", 12, against))?;
        }
        writeln!(out, "   Repair:")?;
        write_repair(h.repair, 5, layout, out)?;
    }
    if !weak.is_empty() {
        writeln!(out, "\n  Low confidence:")?;
        for h in weak {
            let head = format!("    [{:.2}] {} ", h.confidence, h.rule);
            let text = format!("{}: {}", h.title, h.reasoning);
            writeln!(out, "{}", layout.wrap(&head, 11, &clip(&text, 200)))?;
        }
    }
    Ok(())
}

/// Numbered repair steps; a command is printed whole on its own line, never wrapped.
pub(crate) fn write_repair(
    steps: &[RepairStep],
    indent: usize,
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let pad = " ".repeat(indent);
    for (i, step) in steps.iter().enumerate() {
        let (risk, paint) = match step.risk {
            Risk::Low => ("low risk", None),
            Risk::Medium => ("medium risk", Some(Paint::Warn)),
            Risk::High => ("HIGH RISK", Some(Paint::Bad)),
        };
        let admin = if step.admin { "admin, " } else { "" };
        let head = format!("{pad}{}. ", i + 1);
        let line = layout.wrap(&head, indent + 3, &format!("{} [{admin}{risk}]", step.action));
        let line = match paint {
            Some(paint) => line.replace(risk, &layout.paint(paint, risk)),
            None => line,
        };
        writeln!(out, "{line}")?;
        if let Some(command) = step.command {
            writeln!(out, "{pad}   > {}", layout.paint(Paint::Command, command))?;
        }
        if let Some(caution) = step.caution {
            writeln!(out, "{}", layout.wrap(&format!("{pad}   ! "), indent + 5, caution))?;
        }
    }
    Ok(())
}

fn write_history(
    diagnosis: &Diagnosis,
    zone: Option<&TimeZone>,
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "\n{}", layout.paint(Paint::Heading, "MACHINE HISTORY"))?;
    if diagnosis.milestones.is_empty() {
        return writeln!(out, "  (nothing notable)");
    }
    let mut table = layout.table(&["WHEN", "WHAT (SEEN IN)"]);
    for m in &diagnosis.milestones {
        let place = m
            .evidence
            .first()
            .map(|e| format!("  ({})", file_part(&e.location)))
            .unwrap_or_default();
        table.add_row(vec![
            Cell::new(when(m.time.as_ref(), zone)),
            Cell::new(format!("{}{}", m.summary, layout.paint(Paint::Dim, &place))),
        ]);
    }
    writeln!(out, "{}", render(&table))
}

fn write_backups(runs: &[BackupRun], zone: Option<&TimeZone>, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let failed = runs.iter().filter(|r| !r.succeeded).count();
    let heading = format!("BACKUP RUNS: {} seen, {failed} failed", runs.len());
    writeln!(out, "\n{}", layout.paint(Paint::Heading, &heading))?;
    if runs.is_empty() {
        return Ok(());
    }
    let mut table = layout.table(&["WHEN", "OUTCOME", "CODE", "SEEN IN"]);
    for run in runs {
        let outcome = if run.succeeded {
            layout.paint(Paint::Good, "succeeded")
        } else {
            layout.paint(Paint::Bad, "FAILED")
        };
        let code = match (run.code, run.inner) {
            (Some(code), Some(inner)) => format!("{code:#010x} / {inner:#010x}"),
            (Some(code), None) => format!("{code:#010x}"),
            (None, _) if run.succeeded => String::new(),
            (None, _) => "(no code)".to_string(),
        };
        let place = run
            .evidence
            .first()
            .map(|e| shorten_path(file_part(&e.location), 24))
            .unwrap_or_default();
        table.add_row(vec![
            Cell::new(when(Some(&run.time), zone)),
            Cell::new(outcome),
            Cell::new(code),
            Cell::new(place),
        ]);
    }
    writeln!(out, "{}", render(&table))
}

fn write_harmless(diagnosis: &Diagnosis, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    if diagnosis.harmless.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{}",
        layout.paint(Paint::Heading, "HARMLESS (seen, not the cause)")
    )?;
    let mut table = layout.table(&["COUNT", "WHY IT IS HARMLESS", "E.G."]);
    for group in &diagnosis.harmless {
        table.add_row(vec![
            Cell::new(group.count),
            Cell::new(&group.reason),
            Cell::new(file_part(&group.example.location)),
        ]);
    }
    writeln!(out, "{}", render(&table))
}

/// Each missing log with the rules it would decide; the command to collect it whole.
fn write_coverage(diagnosis: &Diagnosis, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    if diagnosis.coverage.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{}",
        layout.paint(Paint::Heading, "NOT FULLY ASSESSED (logs not provided)")
    )?;
    for gap in &diagnosis.coverage {
        let empty = if gap.empty.is_empty() {
            String::new()
        } else {
            format!("provided but empty ({}); ", gap.empty.join(", "))
        };
        let head = format!("  {:<12} ", gap.log.as_str());
        writeln!(
            out,
            "{}",
            layout.wrap(&head, 15, &format!("{empty}needed by {}", gap.rules.join(", ")))
        )?;
        writeln!(
            out,
            "{}collect: {}",
            " ".repeat(15),
            layout.paint(Paint::Command, gap.command)
        )?;
    }
    writeln!(
        out,
        "{}",
        layout.wrap(
            "  ",
            2,
            &format!(
                "all at once: {} (a PowerShell script that collects every log above)",
                layout.paint(Paint::Command, "backupdiag collect-script > collect.ps1")
            )
        )
    )
}

fn write_clocks(case: &Case, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let local: Vec<_> = case
        .files
        .iter()
        .filter(|f| !matches!(f.clock, ClockBasis::Utc) && f.kind.is_some())
        .collect();
    if local.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", layout.paint(Paint::Heading, "CLOCKS (local-time logs)"))?;
    for file in local {
        let head = format!("  {}: ", shorten_path(&file.path, layout.width / 2));
        writeln!(out, "{}", layout.wrap(&head, 4, &file.clock.summary()))?;
    }
    Ok(())
}
