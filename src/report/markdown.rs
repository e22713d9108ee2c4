//! `analyze --format markdown`: a report to paste into a ticket (GitHub, GitLab, Jira and most
//! ticket systems render it): the verdict in one sentence, the repair plan as a checklist, the
//! evidence per hypothesis, the machine's history, the inputs, and what to collect next.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use crate::case::Case;
use crate::diagnose::Diagnosis;
use crate::model::EventTime;
use crate::rules::{Hypothesis, Level, Status};

use super::times;

/// Longest evidence text quoted (the JSON keeps it whole).
const EVIDENCE_CHARS: usize = 300;

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>) -> String {
    times::show(time, zone, times::Detail::Minutes)
}

/// Text safe inside a table cell: no pipe, no line break.
fn cell(text: &str) -> String {
    super::layout::clip(text, EVIDENCE_CHARS).replace('|', "\\|")
}

/// Text safe inside a code span (the longest backtick run plus one fences it).
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Writes the Markdown report.
pub fn write(case: &Case, diagnosis: &Diagnosis, zone: Option<&TimeZone>, out: &mut dyn Write) -> io::Result<()> {
    let top = diagnosis.hypotheses.first().filter(|h| h.level != Level::Low);
    let failed: Vec<_> = diagnosis.backups.iter().filter(|r| !r.succeeded).collect();
    writeln!(out, "# backupdiag diagnosis\n")?;
    match top {
        Some(h) => {
            let status = if h.status == Status::Resolved { ", resolved" } else { "" };
            writeln!(
                out,
                "**Verdict:** {} ({} `{}`, {} confidence {:.2}{status}).\n",
                h.title,
                h.rule,
                h.cause.id(),
                h.level.name(),
                h.confidence
            )?;
        }
        None => writeln!(out, "**Verdict:** no cause reaches medium confidence.\n")?,
    }
    let computers: Vec<String> = case
        .computers
        .iter()
        .map(|c| match (&c.os, &c.version) {
            (Some(os), Some(v)) => format!("{} ({os}, {v})", c.name),
            (Some(os), None) => format!("{} ({os})", c.name),
            _ => c.name.clone(),
        })
        .collect();
    writeln!(
        out,
        "- **Computer:** {}",
        if computers.is_empty() {
            "not named by any log".to_string()
        } else {
            computers.join(", ")
        }
    )?;
    writeln!(out, "- **Inputs:** {}", super::inputs::summary(case))?;
    let last_failure = failed
        .last()
        .map(|r| {
            let code = r.code.map(|c| format!(" with `{c:#010x}`")).unwrap_or_default();
            format!(", the last failure {}{code}", when(Some(&r.time), zone))
        })
        .unwrap_or_default();
    writeln!(
        out,
        "- **Backups:** {} run(s), {} failed{last_failure}\n",
        diagnosis.backups.len(),
        failed.len()
    )?;
    if let Some(h) = top {
        write_plan(h, out)?;
    }
    write_hypotheses(&diagnosis.hypotheses, out)?;
    write_history(diagnosis, zone, out)?;
    write_inputs(case, out)?;
    write_collect(diagnosis, out)?;
    write_harmless(diagnosis, out)
}

/// The top cause's repair steps as a checklist, each command in a code block.
fn write_plan(h: &Hypothesis, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Repair plan ({})\n", h.rule)?;
    for step in h.repair {
        let admin = if step.admin { "admin, " } else { "" };
        let risk = match step.risk {
            crate::rules::Risk::Low => "low risk",
            crate::rules::Risk::Medium => "medium risk",
            crate::rules::Risk::High => "**high risk**",
        };
        writeln!(out, "- [ ] {} ({admin}{risk})", step.action)?;
        if let Some(command) = step.command {
            writeln!(out, "  ```\n  {command}\n  ```")?;
        }
        if let Some(caution) = step.caution {
            writeln!(out, "  > Caution: {caution}")?;
        }
    }
    writeln!(out)
}

fn write_hypotheses(hypotheses: &[Hypothesis], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Hypotheses\n")?;
    let (strong, weak): (Vec<_>, Vec<_>) = hypotheses.iter().partition(|h| h.level != Level::Low);
    if strong.is_empty() {
        writeln!(out, "None above low confidence.\n")?;
    }
    for (rank, h) in strong.iter().enumerate() {
        let status = if h.status == Status::Resolved {
            ", resolved"
        } else {
            ", active"
        };
        writeln!(
            out,
            "### {}. {} `{}`: {} ({} {:.2}{status})\n",
            rank + 1,
            h.rule,
            h.cause.id(),
            h.title,
            h.level.name(),
            h.confidence
        )?;
        writeln!(out, "**Why:** {}\n", h.reasoning)?;
        if !h.evidence.is_empty() {
            writeln!(out, "**Evidence:**\n")?;
            for e in &h.evidence {
                writeln!(
                    out,
                    "- {}: {}",
                    code(&e.location),
                    super::layout::clip(&e.text, EVIDENCE_CHARS)
                )?;
            }
            writeln!(out)?;
        }
        if !h.against.is_empty() {
            writeln!(out, "**Against or missing:**\n")?;
            for against in &h.against {
                writeln!(out, "- {against}")?;
            }
            writeln!(out)?;
        }
    }
    if !weak.is_empty() {
        writeln!(out, "Low confidence:\n")?;
        for h in weak {
            writeln!(out, "- {} `{}` {:.2}: {}", h.rule, h.cause.id(), h.confidence, h.title)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_history(diagnosis: &Diagnosis, zone: Option<&TimeZone>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Machine history\n")?;
    if diagnosis.milestones.is_empty() {
        return writeln!(out, "Nothing notable.\n");
    }
    writeln!(out, "| When | What | Seen in |\n|---|---|---|")?;
    for m in &diagnosis.milestones {
        let place = m.evidence.first().map(|e| code(&e.location)).unwrap_or_default();
        writeln!(
            out,
            "| {} | {} | {place} |",
            when(m.time.as_ref(), zone),
            cell(&m.summary)
        )?;
    }
    writeln!(out)?;
    if diagnosis.backups.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Backup runs\n\n| When | Outcome | Code |\n|---|---|---|")?;
    for run in &diagnosis.backups {
        let outcome = if run.succeeded { "succeeded" } else { "**failed**" };
        let code = run.code.map(|c| format!("`{c:#010x}`")).unwrap_or_default();
        writeln!(out, "| {} | {outcome} | {code} |", when(Some(&run.time), zone))?;
    }
    writeln!(out)
}

fn write_inputs(case: &Case, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "## Inputs\n\n| File | Kind | Records | Status |\n|---|---|---|---|"
    )?;
    for file in &case.files {
        let status = if file.empty {
            "empty"
        } else if file.skipped.is_some() {
            "skipped"
        } else if !file.was_read() {
            "failed"
        } else if file.notices.iter().any(|n| n.severity.is_failure()) {
            "damaged"
        } else {
            "read"
        };
        writeln!(
            out,
            "| {} | {} | {} | {status} |",
            code(&file.path),
            file.kind.map_or("-", |k| k.as_str()),
            file.records
        )?;
    }
    writeln!(out)
}

fn write_collect(diagnosis: &Diagnosis, out: &mut dyn Write) -> io::Result<()> {
    if diagnosis.coverage.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Collect next\n")?;
    for gap in &diagnosis.coverage {
        writeln!(
            out,
            "- **{}** (decides {}): {}",
            gap.log.as_str(),
            gap.rules.join(", "),
            code(gap.command)
        )?;
    }
    writeln!(
        out,
        "\nAll at once: {} (a PowerShell script that collects every log above).\n",
        code("backupdiag collect-script > collect.ps1")
    )
}

fn write_harmless(diagnosis: &Diagnosis, out: &mut dyn Write) -> io::Result<()> {
    if diagnosis.harmless.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Seen but harmless\n")?;
    for group in &diagnosis.harmless {
        writeln!(
            out,
            "- {}× {} (e.g. {})",
            group.count,
            group.reason,
            code(&group.example.location)
        )?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::{cell, code};

    #[test]
    fn cells_and_code_spans_survive_any_text() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(code("C:\\x"), "`C:\\x`");
        assert_eq!(code("a`b"), "``a`b``");
    }
}
