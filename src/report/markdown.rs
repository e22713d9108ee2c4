//! `analyze --format markdown`: a report to paste into a ticket (GitHub, GitLab, Jira and most
//! ticket systems render it): the verdict in one sentence, the repair plan as a checklist, the
//! evidence per hypothesis, the machine's history, the inputs, and what to collect next.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use crate::case::Case;
use crate::config::Lang;
use crate::diagnose::Diagnosis;
use crate::model::EventTime;
use crate::rules::{Hypothesis, Level, Status};

use super::times;

/// Longest evidence text quoted (the JSON keeps it whole).
const EVIDENCE_CHARS: usize = 300;

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>, lang: Lang) -> String {
    match lang {
        Lang::En => times::show(time, zone, times::Detail::Minutes),
        Lang::Ja => times::show_ja(time, zone),
    }
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
pub fn write(
    case: &Case,
    diagnosis: &Diagnosis,
    zone: Option<&TimeZone>,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let top = diagnosis.hypotheses.first().filter(|h| h.level != Level::Low);
    let failed: Vec<_> = diagnosis.backups.iter().filter(|r| !r.succeeded).collect();
    writeln!(out, "# {}\n", lang.pick("backupdiag diagnosis", "backupdiag 診断結果"))?;
    match top {
        Some(h) => {
            let title = crate::rules::text::title(h.rule, h.title, lang);
            match lang {
                Lang::En => {
                    let status = if h.status == Status::Resolved { ", resolved" } else { "" };
                    writeln!(
                        out,
                        "**Verdict:** {title} ({} `{}`, {} confidence {:.2}{status}).\n",
                        h.rule,
                        h.cause.id(),
                        h.level.name(),
                        h.confidence
                    )?;
                }
                Lang::Ja => {
                    let status = if h.status == Status::Resolved {
                        "、解決済み"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "**判定:** {title} ({} `{}`、確度 {} {:.2}{status})\n",
                        h.rule,
                        h.cause.id(),
                        super::analysis_table::level_ja(h.level),
                        h.confidence
                    )?;
                }
            }
        }
        None => writeln!(
            out,
            "{}\n",
            lang.pick(
                "**Verdict:** no cause reaches medium confidence.",
                "**判定:** 確度が中以上の原因はありません。"
            )
        )?,
    }
    writeln!(
        out,
        "- **{}** {}",
        lang.pick("Computer:", "コンピューター:"),
        super::inputs::computers_line(case, lang)
    )?;
    writeln!(
        out,
        "- **{}** {}",
        lang.pick("Inputs:", "入力:"),
        super::inputs::summary_in(case, lang)
    )?;
    let backups = match (lang, failed.last()) {
        (Lang::En, last) => {
            let last_failure = last
                .map(|r| {
                    let code = r.code.map(|c| format!(" with `{c:#010x}`")).unwrap_or_default();
                    format!(", the last failure {}{code}", when(Some(&r.time), zone, lang))
                })
                .unwrap_or_default();
            format!(
                "- **Backups:** {} run(s), {} failed{last_failure}",
                diagnosis.backups.len(),
                failed.len()
            )
        }
        (Lang::Ja, last) => {
            let last_failure = last
                .map(|r| {
                    let code = r.code.map(|c| format!("、`{c:#010x}`")).unwrap_or_default();
                    format!(" (最後の失敗: {}{code})", when(Some(&r.time), zone, lang))
                })
                .unwrap_or_default();
            format!(
                "- **バックアップ:** {} 回中 {} 回失敗{last_failure}",
                diagnosis.backups.len(),
                failed.len()
            )
        }
    };
    writeln!(out, "{backups}\n")?;
    if let Some(h) = top {
        write_plan(h, lang, super::inputs::windows_ui(case), out)?;
    }
    write_hypotheses(&diagnosis.hypotheses, lang, out)?;
    write_history(diagnosis, zone, lang, out)?;
    write_inputs(case, lang, out)?;
    write_collect(diagnosis, lang, out)?;
    write_harmless(diagnosis, lang, out)
}

/// The top cause's repair steps as a checklist, each command in a code block.
fn write_plan(h: &Hypothesis, lang: Lang, ui: crate::rules::text::WindowsUi, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## {} ({})\n", lang.pick("Repair plan", "対処手順"), h.rule)?;
    for (i, step) in h.repair.iter().enumerate() {
        let admin = if step.admin {
            lang.pick("admin, ", "管理者として実行、")
        } else {
            ""
        };
        let risk = match step.risk {
            crate::rules::Risk::Low => lang.pick("low risk", "リスク低"),
            crate::rules::Risk::Medium => lang.pick("medium risk", "リスク中"),
            crate::rules::Risk::High => lang.pick("**high risk**", "**リスク高**"),
        };
        let (action, caution) = crate::rules::text::step(h.rule, i, step, lang, ui);
        writeln!(out, "- [ ] {} ({admin}{risk})", action.trim_end_matches('。'))?;
        if let Some(command) = step.command {
            writeln!(out, "  ```\n  {command}\n  ```")?;
        }
        if let Some(caution) = caution {
            writeln!(out, "  > {} {caution}", lang.pick("Caution:", "注意:"))?;
        }
    }
    writeln!(out)
}

fn write_hypotheses(hypotheses: &[Hypothesis], lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## {}\n", lang.pick("Hypotheses", "原因の候補"))?;
    let (strong, weak): (Vec<_>, Vec<_>) = hypotheses.iter().partition(|h| h.level != Level::Low);
    if strong.is_empty() {
        writeln!(
            out,
            "{}\n",
            lang.pick("None above low confidence.", "確度が低いもの以外はありません。")
        )?;
    }
    for (rank, h) in strong.iter().enumerate() {
        let status = match (h.status, lang) {
            (Status::Resolved, Lang::En) => ", resolved",
            (Status::Active, Lang::En) => ", active",
            (Status::Resolved, Lang::Ja) => "、解決済み",
            (Status::Active, Lang::Ja) => "、未解決",
        };
        let level = match lang {
            Lang::En => h.level.name(),
            Lang::Ja => super::analysis_table::level_ja(h.level),
        };
        writeln!(
            out,
            "### {}. {} `{}`: {} ({level} {:.2}{status})\n",
            rank + 1,
            h.rule,
            h.cause.id(),
            crate::rules::text::title(h.rule, h.title, lang),
            h.confidence
        )?;
        writeln!(
            out,
            "**{}** {}\n",
            lang.pick("Why:", "根拠:"),
            lang.pick(&h.reasoning, &h.reasoning_ja)
        )?;
        if !h.evidence.is_empty() {
            writeln!(out, "**{}**\n", lang.pick("Evidence:", "証拠:"))?;
            for e in &h.evidence {
                writeln!(
                    out,
                    "- {}: {}",
                    code(&e.location),
                    super::layout::clip(e.text_in(lang), EVIDENCE_CHARS)
                )?;
            }
            writeln!(out)?;
        }
        if let Some(note) = h.status_note(lang) {
            writeln!(out, "**{}** {note}\n", lang.pick("Status:", "状態:"))?;
        }
        let against = h.objections(lang);
        if !against.is_empty() {
            writeln!(out, "**{}**\n", lang.pick("Against or missing:", "反証・不足:"))?;
            for against in against {
                writeln!(out, "- {against}")?;
            }
            writeln!(out)?;
        }
    }
    if !weak.is_empty() {
        writeln!(out, "{}\n", lang.pick("Low confidence:", "確度が低いもの:"))?;
        for h in weak {
            let title = crate::rules::text::title(h.rule, h.title, lang);
            writeln!(out, "- {} `{}` {:.2}: {title}", h.rule, h.cause.id(), h.confidence)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_history(diagnosis: &Diagnosis, zone: Option<&TimeZone>, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## {}\n", lang.pick("Machine history", "コンピューターの経緯"))?;
    if diagnosis.milestones.is_empty() {
        return writeln!(out, "{}\n", lang.pick("Nothing notable.", "特記事項はありません。"));
    }
    writeln!(
        out,
        "{}\n|---|---|---|",
        lang.pick("| When | What | Seen in |", "| 日時 | 内容 | 記録元 |")
    )?;
    for m in &diagnosis.milestones {
        let place = m.evidence.first().map(|e| code(&e.location)).unwrap_or_default();
        writeln!(
            out,
            "| {} | {} | {place} |",
            when(m.time.as_ref(), zone, lang),
            cell(super::analysis_table::milestone_text(m, lang))
        )?;
    }
    writeln!(out)?;
    if diagnosis.backups.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{}\n|---|---|---|",
        lang.pick(
            "## Backup runs\n\n| When | Outcome | Code |",
            "## バックアップの実行\n\n| 日時 | 結果 | コード |"
        )
    )?;
    for run in &diagnosis.backups {
        let outcome = if run.succeeded {
            lang.pick("succeeded", "成功")
        } else {
            lang.pick("**failed**", "**失敗**")
        };
        let code = run.code.map(|c| format!("`{c:#010x}`")).unwrap_or_default();
        writeln!(out, "| {} | {outcome} | {code} |", when(Some(&run.time), zone, lang))?;
    }
    writeln!(out)
}

fn write_inputs(case: &Case, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}\n|---|---|---|---|",
        lang.pick(
            "## Inputs\n\n| File | Kind | Records | Status |",
            "## 入力\n\n| ファイル | 種類 | レコード数 | 状態 |"
        )
    )?;
    for file in &case.files {
        let status = if file.empty {
            lang.pick("empty", "空")
        } else if file.skipped.is_some() {
            lang.pick("skipped", "対象外")
        } else if !file.was_read() {
            lang.pick("failed", "失敗")
        } else if file.notices.iter().any(|n| n.severity.is_failure()) {
            lang.pick("damaged", "破損")
        } else {
            lang.pick("read", "読み取り")
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

fn write_collect(diagnosis: &Diagnosis, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    if diagnosis.coverage.is_empty() {
        return Ok(());
    }
    writeln!(out, "## {}\n", lang.pick("Collect next", "次に集めるログ"))?;
    for gap in &diagnosis.coverage {
        writeln!(
            out,
            "- **{}** ({} {}): {}",
            gap.log.as_str(),
            lang.pick("decides", "判定するルール:"),
            gap.rules.join(", "),
            code(&super::analysis_table::collect_command(gap.command, lang))
        )?;
    }
    match lang {
        Lang::En => writeln!(
            out,
            "\nAll at once: {} (a PowerShell script that collects every log above).\n",
            code("backupdiag collect-script > collect.ps1")
        ),
        Lang::Ja => writeln!(
            out,
            "\nまとめて収集: {} (上のログをすべて集める PowerShell スクリプトを書き出します)\n",
            code("backupdiag collect-script --lang ja > collect.ps1")
        ),
    }
}

fn write_harmless(diagnosis: &Diagnosis, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    if diagnosis.harmless.is_empty() {
        return Ok(());
    }
    writeln!(out, "## {}\n", lang.pick("Seen but harmless", "記録はあるが無害なもの"))?;
    for group in &diagnosis.harmless {
        writeln!(
            out,
            "- {}× {} ({} {})",
            group.count,
            super::analysis_table::harmless_text(&group.reason, lang),
            lang.pick("e.g.", "例:"),
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
