//! `analyze --format html`: one self-contained page to attach to a ticket: no script, no
//! external asset, nothing fetched. The verdict and the repair plan first, the machine's history
//! drawn on a time axis (`history_svg`), each hypothesis with its evidence in a `<details>`,
//! then the history and the runs as tables the drawing links to, the inputs, what to collect
//! next, and the harmless events.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use crate::case::Case;
use crate::config::Lang;
use crate::diagnose::Diagnosis;
use crate::model::EventTime;
use crate::rules::{Hypothesis, Level, Risk, Status};

use super::history_svg;
use super::times;

/// Text safe in HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>, lang: Lang) -> String {
    escape(&match lang {
        Lang::En => times::show(time, zone, times::Detail::Minutes),
        Lang::Ja => times::show_ja(time, zone),
    })
}

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI','Yu Gothic UI','Meiryo',sans-serif;margin:0 auto;max-width:1080px;padding:16px 24px;color:#1b1b1b}\
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}\
.verdict{font-size:17px;padding:10px 14px;border-left:6px solid #d32f2f;background:#fdf1f0}\
.verdict.quiet{border-color:#757575;background:#f4f4f4}.verdict.healthy{border-color:#388e3c;background:#eef7ee}\
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border-bottom:1px solid #e4e4e4;padding:3px 6px;text-align:left;vertical-align:top}\
code{font:13px ui-monospace,Consolas,monospace;background:#f3f3f3;padding:1px 3px;border-radius:3px;word-break:break-all}\
details{margin:8px 0;border:1px solid #ddd;border-radius:4px;padding:6px 10px}summary{cursor:pointer;font-weight:600}\
.high{color:#b3261e}.medium{color:#e65100}.low{color:#616161}.failed{color:#c62828;font-weight:600}.ok{color:#2e7d32}\
svg.history{border:1px solid #e4e4e4;border-radius:4px;background:#fcfcfc}\
svg .axis{stroke:#555;stroke-width:2}svg .stem{stroke:#bbb;stroke-dasharray:2 2}svg .tick,svg .gap-label{font-size:11px;fill:#555}\
svg .lane{font-size:12px;fill:#333}svg .num{font-size:10px;fill:#fff;font-weight:700}svg .gap path{stroke:#555;fill:none;stroke-width:2}\
svg .run.ok circle{fill:#388e3c}svg .run.failed path{stroke:#d32f2f;stroke-width:3}svg .density rect{fill:#90a4ae}\
.untimed{font-size:14px;color:#444}.caution{color:#8a4b00}";

/// Writes the HTML report.
pub fn write(
    case: &Case,
    diagnosis: &Diagnosis,
    zone: Option<&TimeZone>,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let t = |en: &'static str, ja: &'static str| lang.pick(en, ja);
    let mut page = String::with_capacity(64 * 1024);
    page.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n",
        lang.code()
    ));
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    page.push_str(&format!(
        "<title>backupdiag: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&super::inputs::computers_line(case, lang))
    ));
    page.push_str(&format!(
        "<h1>{}</h1>\n",
        t("backupdiag diagnosis", "backupdiag 診断結果")
    ));
    verdict(diagnosis, zone, lang, &mut page);
    page.push_str(&format!(
        "<p>{} {}<br>{} {}</p>\n",
        t("Computer:", "コンピューター:"),
        escape(&super::inputs::computers_line(case, lang)),
        t("Inputs:", "入力:"),
        escape(&super::inputs::summary_in(case, lang))
    ));
    if let Some(top) = diagnosis.hypotheses.first().filter(|h| h.level != Level::Low) {
        plan(top, lang, super::inputs::windows_ui(case), &mut page);
    }
    history(case, diagnosis, zone, lang, &mut page);
    hypotheses(&diagnosis.hypotheses, zone, lang, &mut page);
    tables(diagnosis, zone, lang, &mut page);
    inputs(case, lang, &mut page);
    collect(diagnosis, lang, &mut page);
    harmless(diagnosis, lang, &mut page);
    page.push_str(&format!(
        "<p class=\"untimed\">backupdiag {}: {}</p>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        t(
            "read-only analysis of the files listed above.",
            "上に挙げたファイルを読み取っただけの分析です。"
        )
    ));
    out.write_all(page.as_bytes())
}

fn level_text(level: Level, lang: Lang) -> &'static str {
    match lang {
        Lang::En => level.name(),
        Lang::Ja => super::analysis_table::level_ja(level),
    }
}

fn verdict(diagnosis: &Diagnosis, zone: Option<&TimeZone>, lang: Lang, page: &mut String) {
    let runs = &diagnosis.backups;
    let failed: Vec<_> = runs.iter().filter(|r| !r.succeeded).collect();
    let failures = match (failed.last(), lang) {
        (None, _) if runs.is_empty() => lang
            .pick("no backup run in the logs", "ログにバックアップの実行記録はありません")
            .to_string(),
        (None, Lang::En) => format!("{} backup run(s), none failed", runs.len()),
        (None, Lang::Ja) => format!("バックアップ {} 回、失敗なし", runs.len()),
        (Some(last), Lang::En) => {
            let code = last.code.map(|c| format!(" with {c:#010x}")).unwrap_or_default();
            format!(
                "{} of {} backup run(s) failed, the last {}{code}",
                failed.len(),
                runs.len(),
                times::show(Some(&last.time), zone, times::Detail::Minutes)
            )
        }
        (Some(last), Lang::Ja) => {
            let code = last.code.map(|c| format!("、{c:#010x}")).unwrap_or_default();
            format!(
                "バックアップ {} 回中 {} 回失敗 (最後の失敗: {}{code})",
                runs.len(),
                failed.len(),
                times::show_ja(Some(&last.time), zone)
            )
        }
    };
    let (class, text) = match diagnosis.hypotheses.first().filter(|h| h.level != Level::Low) {
        Some(h) => {
            let title = crate::rules::text::title(h.rule, h.title, lang);
            let resolved = h.status == Status::Resolved;
            let text = match lang {
                Lang::En => format!(
                    "{title} ({} {}, {} {:.2}{}); {failures}",
                    h.rule,
                    h.cause.id(),
                    h.level.name(),
                    h.confidence,
                    if resolved { ", resolved" } else { "" }
                ),
                Lang::Ja => format!(
                    "{title} ({} {}、確度 {} {:.2}{})。{failures}",
                    h.rule,
                    h.cause.id(),
                    level_text(h.level, lang),
                    h.confidence,
                    if resolved { "、解決済み" } else { "" }
                ),
            };
            ("verdict", text)
        }
        None if failed.is_empty() && !runs.is_empty() => (
            "verdict healthy",
            format!("{}{failures}", lang.pick("Healthy: ", "正常: ")),
        ),
        None => (
            "verdict quiet",
            format!(
                "{}{failures}",
                lang.pick("No cause above low confidence; ", "確度の低い原因しかありません。")
            ),
        ),
    };
    page.push_str(&format!("<p class=\"{class}\" id=\"verdict\">{}</p>\n", escape(&text)));
}

fn plan(h: &Hypothesis, lang: Lang, ui: crate::rules::text::WindowsUi, page: &mut String) {
    page.push_str(&format!(
        "<h2>{} ({})</h2>\n<ol class=\"plan\">\n",
        lang.pick("Repair plan", "対処手順"),
        escape(h.rule)
    ));
    for (i, step) in h.repair.iter().enumerate() {
        let admin = if step.admin {
            lang.pick("admin, ", "管理者として実行、")
        } else {
            ""
        };
        let risk = match step.risk {
            Risk::Low => lang.pick("low risk", "リスク低"),
            Risk::Medium => lang.pick("medium risk", "リスク中"),
            Risk::High => lang.pick("high risk", "リスク高"),
        };
        let (action, caution) = crate::rules::text::step(h.rule, i, step, lang, ui);
        page.push_str(&format!(
            "<li>{} <small>({admin}{risk})</small>",
            escape(action.trim_end_matches('。'))
        ));
        if let Some(command) = step.command {
            page.push_str(&format!("<br><code>{}</code>", escape(command)));
        }
        if let Some(caution) = caution {
            page.push_str(&format!(
                "<br><span class=\"caution\">{} {}</span>",
                lang.pick("Caution:", "注意:"),
                escape(caution)
            ));
        }
        page.push_str("</li>\n");
    }
    page.push_str("</ol>\n");
}

fn history(case: &Case, diagnosis: &Diagnosis, zone: Option<&TimeZone>, lang: Lang, page: &mut String) {
    page.push_str(&format!("<h2>{}</h2>\n", lang.pick("History", "経緯")));
    match history_svg::draw(case, diagnosis, zone, lang) {
        Some(svg) => {
            page.push_str(&svg);
            page.push_str(&format!(
                "\n<p class=\"untimed\">{}</p>\n",
                lang.pick(
                    "Numbered: the rows of the machine history below (a click goes there). \
                     Backups: a dot succeeded, a cross failed. Bars: events each input logged. \
                     A zigzag is a quiet stretch left out, with its length.",
                    "番号: 下の「コンピューターの経緯」の行 (クリックで移動)。バックアップ: 丸は成功、\
                     バツは失敗。棒: 各入力ファイルに記録されたイベントの数。ジグザグは何も起きていない\
                     期間を省略した箇所で、その長さを添えています。"
                )
            ));
        }
        None => page.push_str(&format!(
            "<p>{}</p>\n",
            lang.pick(
                "Nothing in these logs has a time to draw.",
                "これらのログには、図に描ける時刻を持つものがありません。"
            )
        )),
    }
    let untimed: Vec<String> = diagnosis
        .milestones
        .iter()
        .enumerate()
        .filter(|(_, m)| m.at().is_none())
        .map(|(i, m)| {
            format!(
                "<a href=\"#milestone-{i}\">{}</a>",
                escape(super::analysis_table::milestone_text(m, lang))
            )
        })
        .chain(
            diagnosis
                .backups
                .iter()
                .enumerate()
                .filter(|(_, r)| r.at.is_none())
                .map(|(i, r)| format!("<a href=\"#run-{i}\">{}</a>", escape(&run_outcome(r, lang)))),
        )
        .collect();
    if !untimed.is_empty() {
        page.push_str(&format!(
            "<p class=\"untimed\" id=\"untimed\">{} {}</p>\n",
            lang.pick("Without a time (not on the axis):", "時刻なし (図にはありません):"),
            untimed.join("; ")
        ));
    }
}

/// A run in words: `backup failed with 0x81000019`.
pub(crate) fn run_outcome(run: &crate::history::BackupRun, lang: Lang) -> String {
    match (run.succeeded, lang) {
        (true, _) => lang.pick("backup succeeded", "バックアップ成功").to_string(),
        (false, Lang::En) => {
            let code = run.code.map(|c| format!(" with {c:#010x}")).unwrap_or_default();
            format!("backup failed{code}")
        }
        (false, Lang::Ja) => {
            let code = run.code.map(|c| format!(" ({c:#010x})")).unwrap_or_default();
            format!("バックアップ失敗{code}")
        }
    }
}

fn hypotheses(hypotheses: &[Hypothesis], zone: Option<&TimeZone>, lang: Lang, page: &mut String) {
    page.push_str(&format!("<h2>{}</h2>\n", lang.pick("Hypotheses", "原因の候補")));
    if hypotheses.is_empty() {
        page.push_str(&format!("<p>{}</p>\n", lang.pick("None.", "ありません。")));
    }
    for (rank, h) in hypotheses.iter().enumerate() {
        let level = h.level.name();
        let status = match h.status {
            Status::Resolved => lang.pick("resolved", "解決済み"),
            Status::Active => lang.pick("active", "未解決"),
        };
        let open = if rank == 0 && h.level != Level::Low {
            " open"
        } else {
            ""
        };
        page.push_str(&format!(
            "<details class=\"hypothesis\" id=\"hypothesis-{rank}\" data-rule=\"{}\"{open}><summary>{}. {} <code>{}</code>: {} <span class=\"{level}\">{} {:.2}</span>{}{status}</summary>\n",
            escape(h.rule),
            rank + 1,
            escape(h.rule),
            escape(&h.cause.id()),
            escape(crate::rules::text::title(h.rule, h.title, lang)),
            level_text(h.level, lang),
            h.confidence,
            lang.pick(", ", "、")
        ));
        page.push_str(&format!(
            "<p>{}</p>\n",
            escape(lang.pick(&h.reasoning, &h.reasoning_ja))
        ));
        if !h.evidence.is_empty() {
            page.push_str(&format!(
                "<table class=\"evidence\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
                lang.pick("When", "日時"),
                lang.pick("Where", "記録元"),
                lang.pick("What", "内容")
            ));
            for e in &h.evidence {
                page.push_str(&format!(
                    "<tr><td>{}</td><td><code title=\"{}\">{}</code></td><td>{}</td></tr>\n",
                    when(e.time.as_ref(), zone, lang),
                    escape(&e.location),
                    escape(super::layout::file_part(&e.location)),
                    escape(e.text_in(lang))
                ));
            }
            page.push_str("</table>\n");
        }
        if let Some(note) = h.status_note(lang) {
            page.push_str(&format!("<p>{} {}</p>\n", lang.pick("Status:", "状態:"), escape(note)));
        }
        let against = h.objections(lang);
        if !against.is_empty() {
            page.push_str(&format!(
                "<p>{}</p><ul>\n",
                lang.pick("Against or missing:", "反証・不足:")
            ));
            for against in against {
                page.push_str(&format!("<li>{}</li>\n", escape(against)));
            }
            page.push_str("</ul>\n");
        }
        if !h.references.is_empty() {
            page.push_str(&format!("<p>{} ", lang.pick("References:", "参考資料:")));
            let links: Vec<String> = h.references.iter().map(|r| reference(r)).collect();
            page.push_str(&links.join(", "));
            page.push_str("</p>\n");
        }
        page.push_str("</details>\n");
    }
}

/// A reference: a link when it is an address (the reader's browser opens it; the page itself
/// fetches nothing).
fn reference(text: &str) -> String {
    match text.find("https://") {
        Some(at) => {
            let url = text[at..].split_whitespace().next().unwrap_or_default();
            format!("<a href=\"{}\">{}</a>", escape(url), escape(text))
        }
        None => escape(text),
    }
}

fn tables(diagnosis: &Diagnosis, zone: Option<&TimeZone>, lang: Lang, page: &mut String) {
    let t = |en: &'static str, ja: &'static str| lang.pick(en, ja);
    page.push_str(&format!("<h2>{}</h2>\n", t("Machine history", "コンピューターの経緯")));
    if diagnosis.milestones.is_empty() {
        page.push_str(&format!("<p>{}</p>\n", t("Nothing notable.", "特記事項はありません。")));
    } else {
        page.push_str(&format!(
            "<table class=\"milestones\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            t("When", "日時"),
            t("What", "内容"),
            t("Seen in", "記録元")
        ));
        for (i, m) in diagnosis.milestones.iter().enumerate() {
            let place = m
                .evidence
                .first()
                .map(|e| format!("<code>{}</code>", escape(&e.location)))
                .unwrap_or_default();
            page.push_str(&format!(
                "<tr id=\"milestone-{i}\" data-kind=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{place}</td></tr>\n",
                history_svg::kind_name(&m.kind),
                i + 1,
                when(m.time.as_ref(), zone, lang),
                escape(super::analysis_table::milestone_text(m, lang))
            ));
        }
        page.push_str("</table>\n");
    }
    if diagnosis.backups.is_empty() {
        return;
    }
    page.push_str(&format!(
        "<h2>{}</h2>\n<table class=\"runs\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t("Backup runs", "バックアップの実行"),
        t("When", "日時"),
        t("Outcome", "結果"),
        t("Seen in", "記録元")
    ));
    for (i, run) in diagnosis.backups.iter().enumerate() {
        let class = if run.succeeded { "ok" } else { "failed" };
        let place = run
            .evidence
            .first()
            .map(|e| format!("<code>{}</code>", escape(&e.location)))
            .unwrap_or_default();
        page.push_str(&format!(
            "<tr id=\"run-{i}\" class=\"{class}\"><td>{}</td><td>{}</td><td>{place}</td></tr>\n",
            when(Some(&run.time), zone, lang),
            escape(&run_outcome(run, lang))
        ));
    }
    page.push_str("</table>\n");
}

fn inputs(case: &Case, lang: Lang, page: &mut String) {
    let t = |en: &'static str, ja: &'static str| lang.pick(en, ja);
    page.push_str(&format!(
        "<h2>{}</h2>\n<table class=\"inputs\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t("Inputs", "入力"),
        t("File", "ファイル"),
        t("Kind", "種類"),
        t("Records", "レコード数"),
        t("Status", "状態")
    ));
    for file in &case.files {
        let status = if file.empty {
            t("empty", "空")
        } else if file.skipped.is_some() {
            t("skipped", "対象外")
        } else if !file.was_read() {
            t("failed", "失敗")
        } else if file.notices.iter().any(|n| n.severity.is_failure()) {
            t("damaged", "破損")
        } else {
            t("read", "読み取り")
        };
        page.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{status}</td></tr>\n",
            escape(&file.path),
            file.kind.map_or("-", |k| k.as_str()),
            file.records
        ));
    }
    page.push_str("</table>\n");
}

fn collect(diagnosis: &Diagnosis, lang: Lang, page: &mut String) {
    if diagnosis.coverage.is_empty() {
        return;
    }
    page.push_str(&format!(
        "<h2>{}</h2>\n<ul>\n",
        lang.pick("Collect next", "次に集めるログ")
    ));
    for gap in &diagnosis.coverage {
        page.push_str(&format!(
            "<li><b>{}</b> ({} {}): <code>{}</code></li>\n",
            escape(gap.log.as_str()),
            lang.pick("decides", "判定するルール:"),
            escape(&gap.rules.join(", ")),
            escape(&super::analysis_table::collect_command(gap.command, lang))
        ));
    }
    page.push_str(lang.pick(
        "</ul>\n<p>All at once: <code>backupdiag collect-script &gt; collect.ps1</code> (a PowerShell script that collects every log above).</p>\n",
        "</ul>\n<p>まとめて収集: <code>backupdiag collect-script --lang ja &gt; collect.ps1</code> (上のログをすべて集める PowerShell スクリプトを書き出します)</p>\n",
    ));
}

fn harmless(diagnosis: &Diagnosis, lang: Lang, page: &mut String) {
    if diagnosis.harmless.is_empty() {
        return;
    }
    page.push_str(&format!(
        "<h2>{}</h2>\n<ul>\n",
        lang.pick("Harmless events", "記録はあるが無害なもの")
    ));
    for group in &diagnosis.harmless {
        page.push_str(&format!(
            "<li>{}× {} ({} <code>{}</code>)</li>\n",
            group.count,
            escape(super::analysis_table::harmless_text(&group.reason, lang)),
            lang.pick("e.g.", "例:"),
            escape(&group.example.location)
        ));
    }
    page.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::{escape, reference};

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(escape("<script>a&b</script>"), "&lt;script&gt;a&amp;b&lt;/script&gt;");
        assert_eq!(escape("x\" onload='y'"), "x&quot; onload=&#39;y&#39;");
        assert!(reference("Microsoft Learn: https://learn.microsoft.com/a?b=1&c=2")
            .contains("href=\"https://learn.microsoft.com/a?b=1&amp;c=2\""));
        assert_eq!(reference("KB 123"), "KB 123");
    }
}
