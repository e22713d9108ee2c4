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

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>, lang: crate::config::Lang) -> String {
    match lang {
        crate::config::Lang::En => times::show(time, zone, times::Detail::Minutes),
        crate::config::Lang::Ja => times::show_ja(time, zone),
    }
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
        layout.wrap("backupdiag analyze: ", 2, &super::inputs::summary_in(case, layout.lang))
    )?;
    let layout = &Layout {
        windows: super::inputs::windows_ui(case),
        ..*layout
    };
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
    let ja = layout.lang == crate::config::Lang::Ja;
    let runs = &diagnosis.backups;
    let failed: Vec<&BackupRun> = runs.iter().filter(|r| !r.succeeded).collect();
    let failures = match failed.last() {
        None if runs.is_empty() => layout
            .t("no backup run in the logs", "ログにバックアップの実行記録はありません")
            .to_string(),
        None if ja => format!("バックアップ {} 回、失敗なし", runs.len()),
        None => format!("{} backup run(s), none failed", runs.len()),
        Some(last) => {
            let at = last.time.is_known().then(|| when(Some(&last.time), zone, layout.lang));
            let recovered = runs
                .iter()
                .rev()
                .find(|r| r.at.is_some())
                .filter(|r| r.succeeded && r.at > last.at)
                .map(|r| when(Some(&r.time), zone, layout.lang));
            if ja {
                let at = match (at, last.code) {
                    (Some(a), Some(c)) => format!(" (最後の失敗: {a}、{c:#010x})"),
                    (Some(a), None) => format!(" (最後の失敗: {a})"),
                    (None, Some(c)) => format!(" ({c:#010x})"),
                    (None, None) => String::new(),
                };
                let recovered = recovered
                    .map(|r| format!("。最後の実行 ({r}) は成功"))
                    .unwrap_or_default();
                format!(
                    "バックアップ {} 回中 {} 回失敗{at}{recovered}",
                    runs.len(),
                    failed.len()
                )
            } else {
                let code = last.code.map(|c| format!(" with {c:#010x}")).unwrap_or_default();
                let at = at.map(|a| format!(", the last failure on {a}")).unwrap_or_default();
                let recovered = recovered
                    .map(|r| format!("; the last run, on {r}, succeeded"))
                    .unwrap_or_default();
                format!(
                    "{} of {} backup run(s) failed{at}{code}{recovered}",
                    failed.len(),
                    runs.len()
                )
            }
        }
    };
    let (paint, text) = match diagnosis.hypotheses.first().filter(|h| h.level != Level::Low) {
        Some(top) => {
            let resolved = top.status == Status::Resolved;
            let paint = if top.level == Level::High {
                Paint::Bad
            } else {
                Paint::Warn
            };
            let title = crate::rules::text::title(top.rule, top.title, layout.lang);
            let text = if ja {
                let status = if resolved { "、解決済み" } else { "" };
                format!(
                    "{title} ({} {}、確度 {} {:.2}{status})。{failures}",
                    top.rule,
                    top.cause.id(),
                    level_ja(top.level),
                    top.confidence
                )
            } else {
                let status = if resolved { ", resolved" } else { "" };
                format!(
                    "{title} ({} {}, {} {:.2}{status}); {failures}",
                    top.rule,
                    top.cause.id(),
                    top.level.name(),
                    top.confidence
                )
            };
            (paint, text)
        }
        None if failed.is_empty() && !runs.is_empty() => (
            Paint::Good,
            if ja {
                format!("正常: {failures}。確度の低い原因しかありません")
            } else {
                format!("healthy: {failures}; no cause above low confidence")
            },
        ),
        None if ja => (Paint::Warn, format!("確度の低い原因しかありません。{failures}")),
        None => (Paint::Warn, format!("no cause above low confidence; {failures}")),
    };
    let label = layout.t("VERDICT  ", "判定  ");
    let indent = if ja { 6 } else { 9 };
    let wrapped = layout.wrap(label, indent, &text);
    let body = wrapped.strip_prefix(label).unwrap_or(&wrapped);
    format!("{}{}", layout.paint(Paint::Heading, label), layout.paint(paint, body))
}

/// A milestone's summary in `lang` (English where no Japanese was written).
pub(crate) fn milestone_text(m: &crate::history::Milestone, lang: crate::config::Lang) -> &str {
    match lang {
        crate::config::Lang::Ja if !m.summary_ja.is_empty() => &m.summary_ja,
        _ => &m.summary,
    }
}

/// A harmless reason in `lang`.
pub(crate) fn harmless_text(reason: &str, lang: crate::config::Lang) -> &str {
    match lang {
        crate::config::Lang::Ja => crate::signals::tables::harmless_ja(reason).unwrap_or(reason),
        crate::config::Lang::En => reason,
    }
}

/// A collection command with its note in `lang` (`(Windows 8 and later)`).
pub(crate) fn collect_command(command: &str, lang: crate::config::Lang) -> String {
    match lang {
        crate::config::Lang::En => command.to_string(),
        crate::config::Lang::Ja => command.replace("(Windows 8 and later)", "(Windows 8 以降)"),
    }
}

/// 高, 中 or 低.
pub(crate) fn level_ja(level: Level) -> &'static str {
    match level {
        Level::High => "高",
        Level::Medium => "中",
        Level::Low => "低",
    }
}

/// Which computer(s) and Windows the logs come from.
fn write_computers(case: &Case, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    if case.computers.is_empty() {
        return writeln!(
            out,
            "{}",
            layout.t(
                "computer: not named by any log (text logs only)",
                "コンピューター: どのログにも名前がありません (テキストのログのみ)"
            )
        );
    }
    let label = if case.computers.len() > 1 {
        layout.paint(
            Paint::Warn,
            layout.t("COMPUTERS (mixed!)", "コンピューター (複数混在!)"),
        )
    } else {
        layout.t("computer", "コンピューター").to_string()
    };
    for computer in &case.computers {
        let os = match (&computer.os, &computer.version) {
            (Some(os), Some(version)) => format!(", {os} ({version})"),
            (Some(os), None) => format!(", {os}"),
            (None, Some(version)) => format!(", version {version}"),
            (None, None) => String::new(),
        };
        match layout.lang {
            crate::config::Lang::En => {
                writeln!(out, "{label}: {}{os}, {} events", computer.name, computer.events)?;
            }
            crate::config::Lang::Ja => {
                let os = match (&computer.os, &computer.version) {
                    (Some(os), Some(version)) => format!(" ({os}、{version})"),
                    (Some(os), None) => format!(" ({os})"),
                    (None, Some(version)) => format!(" (バージョン {version})"),
                    (None, None) => String::new(),
                };
                writeln!(out, "{label}: {}{os}、イベント {} 件", computer.name, computer.events)?;
            }
        }
    }
    Ok(())
}

fn write_hypotheses(hypotheses: &[Hypothesis], layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let (strong, weak): (Vec<_>, Vec<_>) = hypotheses.iter().partition(|h| h.level != Level::Low);
    writeln!(
        out,
        "\n{}",
        layout.paint(
            Paint::Heading,
            layout.t("HYPOTHESES (best first)", "原因の候補 (可能性の高い順)")
        )
    )?;
    if strong.is_empty() {
        writeln!(
            out,
            "  {}",
            layout.t("None above low confidence.", "確度が低いもの以外はありません。")
        )?;
    }
    for (rank, h) in strong.iter().enumerate() {
        let paint = if h.level == Level::High {
            Paint::Bad
        } else {
            Paint::Warn
        };
        let level = layout.paint(
            paint,
            &format!(
                "[{} {:.2}]",
                layout.t(&h.level.name().to_uppercase(), level_ja(h.level)),
                h.confidence
            ),
        );
        let status = match h.status {
            Status::Resolved => format!("  {}", layout.paint(Paint::Good, layout.t("(resolved)", "(解決済み)"))),
            Status::Active => String::new(),
        };
        writeln!(out, "\n{}. {level} {} {}{status}", rank + 1, h.rule, h.cause.id())?;
        writeln!(
            out,
            "{}",
            layout.wrap("   ", 3, crate::rules::text::title(h.rule, h.title, layout.lang))
        )?;
        writeln!(
            out,
            "{}",
            layout.wrap(
                layout.t("   Why: ", "   根拠: "),
                8,
                layout.t(&h.reasoning, &h.reasoning_ja)
            )
        )?;
        if !h.evidence.is_empty() {
            writeln!(out, "   {}", layout.t("Evidence:", "証拠:"))?;
        }
        for e in &h.evidence {
            let place = shorten_path(&e.location, layout.width.saturating_sub(8));
            writeln!(out, "     {}", layout.paint(Paint::Dim, &place))?;
            writeln!(
                out,
                "{}",
                layout.wrap("       ", 7, &clip(e.text_in(layout.lang), EVIDENCE_CHARS))
            )?;
        }
        if let Some(note) = h.status_note(layout.lang) {
            writeln!(out, "{}", layout.wrap(layout.t("   Status: ", "   状態: "), 11, note))?;
        }
        for against in h.objections(layout.lang) {
            writeln!(
                out,
                "{}",
                layout.wrap(layout.t("   Against: ", "   反証: "), 12, against)
            )?;
        }
        writeln!(out, "   {}", layout.t("Repair:", "対処:"))?;
        write_repair(h.rule, h.repair, 5, layout, out)?;
    }
    if !weak.is_empty() {
        writeln!(out, "\n  {}", layout.t("Low confidence:", "確度が低いもの:"))?;
        for h in weak {
            let head = format!("    [{:.2}] {} ", h.confidence, h.rule);
            let title = crate::rules::text::title(h.rule, h.title, layout.lang);
            let text = format!("{title}: {}", layout.t(&h.reasoning, &h.reasoning_ja));
            writeln!(out, "{}", layout.wrap(&head, 11, &clip(&text, 200)))?;
        }
    }
    Ok(())
}

/// Numbered repair steps; a command is printed whole on its own line, never wrapped.
pub(crate) fn write_repair(
    rule: &str,
    steps: &[RepairStep],
    indent: usize,
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let pad = " ".repeat(indent);
    for (i, step) in steps.iter().enumerate() {
        let (risk, paint) = match step.risk {
            Risk::Low => (layout.t("low risk", "リスク低"), None),
            Risk::Medium => (layout.t("medium risk", "リスク中"), Some(Paint::Warn)),
            Risk::High => (layout.t("HIGH RISK", "リスク高"), Some(Paint::Bad)),
        };
        let admin = if step.admin {
            layout.t("admin, ", "管理者として実行、")
        } else {
            ""
        };
        let (action, caution) = crate::rules::text::step(rule, i, step, layout.lang, layout.windows);
        let head = format!("{pad}{}. ", i + 1);
        let action = action.trim_end_matches('。');
        let line = layout.wrap(&head, indent + 3, &format!("{action} [{admin}{risk}]"));
        let line = match paint {
            Some(paint) => line.replace(risk, &layout.paint(paint, risk)),
            None => line,
        };
        writeln!(out, "{line}")?;
        if let Some(command) = step.command {
            writeln!(out, "{pad}   > {}", layout.paint(Paint::Command, command))?;
        }
        if let Some(caution) = caution {
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
    writeln!(
        out,
        "\n{}",
        layout.paint(Paint::Heading, layout.t("MACHINE HISTORY", "コンピューターの経緯"))
    )?;
    if diagnosis.milestones.is_empty() {
        return writeln!(out, "  {}", layout.t("(nothing notable)", "(特記事項なし)"));
    }
    let mut table = layout.table(&[layout.t("WHEN", "日時"), layout.t("WHAT (SEEN IN)", "内容 (記録元)")]);
    for m in &diagnosis.milestones {
        let place = m
            .evidence
            .first()
            .map(|e| format!("  ({})", file_part(&e.location)))
            .unwrap_or_default();
        table.add_row(vec![
            Cell::new(when(m.time.as_ref(), zone, layout.lang)),
            Cell::new(format!(
                "{}{}",
                layout.cell(milestone_text(m, layout.lang)),
                layout.paint(Paint::Dim, &place)
            )),
        ]);
    }
    writeln!(out, "{}", render(&table))
}

fn write_backups(runs: &[BackupRun], zone: Option<&TimeZone>, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let failed = runs.iter().filter(|r| !r.succeeded).count();
    let heading = match layout.lang {
        crate::config::Lang::En => format!("BACKUP RUNS: {} seen, {failed} failed", runs.len()),
        crate::config::Lang::Ja => format!("バックアップの実行: {} 回、うち失敗 {failed} 回", runs.len()),
    };
    writeln!(out, "\n{}", layout.paint(Paint::Heading, &heading))?;
    if runs.is_empty() {
        return Ok(());
    }
    let mut table = layout.table(&[
        layout.t("WHEN", "日時"),
        layout.t("OUTCOME", "結果"),
        layout.t("CODE", "コード"),
        layout.t("SEEN IN", "記録元"),
    ]);
    for run in runs {
        let outcome = if run.succeeded {
            layout.paint(Paint::Good, layout.t("succeeded", "成功"))
        } else {
            layout.paint(Paint::Bad, layout.t("FAILED", "失敗"))
        };
        let code = match (run.code, run.inner) {
            (Some(code), Some(inner)) => format!("{code:#010x} / {inner:#010x}"),
            (Some(code), None) => format!("{code:#010x}"),
            (None, _) if run.succeeded => String::new(),
            (None, _) => layout.t("(no code)", "(コードなし)").to_string(),
        };
        let place = run
            .evidence
            .first()
            .map(|e| shorten_path(file_part(&e.location), 24))
            .unwrap_or_default();
        table.add_row(vec![
            Cell::new(when(Some(&run.time), zone, layout.lang)),
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
        layout.paint(
            Paint::Heading,
            layout.t(
                "HARMLESS (seen, not the cause)",
                "無害なイベント (記録はあるが原因ではない)"
            )
        )
    )?;
    let mut table = layout.table(&[
        layout.t("COUNT", "件数"),
        layout.t("WHY IT IS HARMLESS", "無害な理由"),
        layout.t("E.G.", "例"),
    ]);
    for group in &diagnosis.harmless {
        table.add_row(vec![
            Cell::new(group.count),
            Cell::new(layout.cell(harmless_text(&group.reason, layout.lang))),
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
        layout.paint(
            Paint::Heading,
            layout.t(
                "NOT FULLY ASSESSED (logs not provided)",
                "判定しきれていない点 (提供されていないログ)"
            )
        )
    )?;
    for gap in &diagnosis.coverage {
        let empty = if gap.empty.is_empty() {
            String::new()
        } else {
            format!(
                "{} ({}); ",
                layout.t("provided but empty", "提供されたが空"),
                gap.empty.join(", ")
            )
        };
        let head = format!("  {:<12} ", gap.log.as_str());
        let needed = layout.t("needed by", "必要とするルール:");
        writeln!(
            out,
            "{}",
            layout.wrap(&head, 15, &format!("{empty}{needed} {}", gap.rules.join(", ")))
        )?;
        writeln!(
            out,
            "{}{} {}",
            " ".repeat(15),
            layout.t("collect:", "収集:"),
            layout.paint(Paint::Command, &collect_command(gap.command, layout.lang))
        )?;
    }
    writeln!(
        out,
        "{}",
        layout.wrap(
            "  ",
            2,
            &match layout.lang {
                crate::config::Lang::En => format!(
                    "all at once: {} (a PowerShell script that collects every log above)",
                    layout.paint(Paint::Command, "backupdiag collect-script > collect.ps1")
                ),
                crate::config::Lang::Ja => format!(
                    "まとめて収集: {} (上のログをすべて集める PowerShell スクリプトを書き出します)",
                    layout.paint(Paint::Command, "backupdiag collect-script --lang ja > collect.ps1")
                ),
            }
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
    writeln!(
        out,
        "\n{}",
        layout.paint(
            Paint::Heading,
            layout.t("CLOCKS (local-time logs)", "時計 (現地時刻で書かれたログ)")
        )
    )?;
    for file in local {
        let head = format!("  {}: ", shorten_path(&file.path, layout.width / 2));
        let summary = match layout.lang {
            crate::config::Lang::En => file.clock.summary(),
            crate::config::Lang::Ja => file.clock.summary_ja(),
        };
        writeln!(out, "{}", layout.wrap(&head, 4, &summary))?;
    }
    Ok(())
}
