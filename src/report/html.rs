//! `analyze --format html`: one self-contained page to attach to a ticket: no script, no
//! external asset, nothing fetched. The verdict and the repair plan first, the machine's history
//! drawn on a time axis (`history_svg`), each hypothesis with its evidence in a `<details>`,
//! then the history and the runs as tables the drawing links to, the inputs, what to collect
//! next, and the harmless events.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use crate::case::Case;
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

fn when(time: Option<&EventTime>, zone: Option<&TimeZone>) -> String {
    escape(&times::show(time, zone, times::Detail::Minutes))
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
pub fn write(case: &Case, diagnosis: &Diagnosis, zone: Option<&TimeZone>, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    page.push_str(&format!(
        "<title>backupdiag: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&computers(case))
    ));
    page.push_str("<h1>backupdiag diagnosis</h1>\n");
    verdict(diagnosis, zone, &mut page);
    page.push_str(&format!(
        "<p>Computer: {}<br>Inputs: {}</p>\n",
        escape(&computers(case)),
        escape(&super::inputs::summary(case))
    ));
    if let Some(top) = diagnosis.hypotheses.first().filter(|h| h.level != Level::Low) {
        plan(top, &mut page);
    }
    history(case, diagnosis, zone, &mut page);
    hypotheses(&diagnosis.hypotheses, zone, &mut page);
    tables(diagnosis, zone, &mut page);
    inputs(case, &mut page);
    collect(diagnosis, &mut page);
    harmless(diagnosis, &mut page);
    page.push_str(&format!(
        "<p class=\"untimed\">backupdiag {}: read-only analysis of the files listed above.</p>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.write_all(page.as_bytes())
}

fn computers(case: &Case) -> String {
    let names: Vec<String> = case
        .computers
        .iter()
        .map(|c| match (&c.os, &c.version) {
            (Some(os), Some(v)) => format!("{} ({os}, {v})", c.name),
            (Some(os), None) => format!("{} ({os})", c.name),
            _ => c.name.clone(),
        })
        .collect();
    if names.is_empty() {
        "not named by any log".to_string()
    } else {
        names.join(", ")
    }
}

fn verdict(diagnosis: &Diagnosis, zone: Option<&TimeZone>, page: &mut String) {
    let runs = &diagnosis.backups;
    let failed: Vec<_> = runs.iter().filter(|r| !r.succeeded).collect();
    let failures = match failed.last() {
        None if runs.is_empty() => "no backup run in the logs".to_string(),
        None => format!("{} backup run(s), none failed", runs.len()),
        Some(last) => {
            let code = last.code.map(|c| format!(" with {c:#010x}")).unwrap_or_default();
            format!(
                "{} of {} backup run(s) failed, the last {}{code}",
                failed.len(),
                runs.len(),
                times::show(Some(&last.time), zone, times::Detail::Minutes)
            )
        }
    };
    let (class, text) = match diagnosis.hypotheses.first().filter(|h| h.level != Level::Low) {
        Some(h) => {
            let status = if h.status == Status::Resolved { ", resolved" } else { "" };
            (
                "verdict",
                format!(
                    "{} ({} {}, {} {:.2}{status}); {failures}",
                    h.title,
                    h.rule,
                    h.cause.id(),
                    h.level.name(),
                    h.confidence
                ),
            )
        }
        None if failed.is_empty() && !runs.is_empty() => ("verdict healthy", format!("Healthy: {failures}")),
        None => ("verdict quiet", format!("No cause above low confidence; {failures}")),
    };
    page.push_str(&format!("<p class=\"{class}\" id=\"verdict\">{}</p>\n", escape(&text)));
}

fn plan(h: &Hypothesis, page: &mut String) {
    page.push_str(&format!(
        "<h2>Repair plan ({})</h2>\n<ol class=\"plan\">\n",
        escape(h.rule)
    ));
    for step in h.repair {
        let admin = if step.admin { "admin, " } else { "" };
        let risk = match step.risk {
            Risk::Low => "low risk",
            Risk::Medium => "medium risk",
            Risk::High => "high risk",
        };
        page.push_str(&format!("<li>{} <small>({admin}{risk})</small>", escape(step.action)));
        if let Some(command) = step.command {
            page.push_str(&format!("<br><code>{}</code>", escape(command)));
        }
        if let Some(caution) = step.caution {
            page.push_str(&format!(
                "<br><span class=\"caution\">Caution: {}</span>",
                escape(caution)
            ));
        }
        page.push_str("</li>\n");
    }
    page.push_str("</ol>\n");
}

fn history(case: &Case, diagnosis: &Diagnosis, zone: Option<&TimeZone>, page: &mut String) {
    page.push_str("<h2>History</h2>\n");
    match history_svg::draw(case, diagnosis, zone) {
        Some(svg) => {
            page.push_str(&svg);
            page.push_str(
                "\n<p class=\"untimed\">Numbered: the rows of the machine history below (a click goes there). \
                 Backups: a dot succeeded, a cross failed. Bars: events each input logged. \
                 A zigzag is a quiet stretch left out, with its length.</p>\n",
            );
        }
        None => page.push_str("<p>Nothing in these logs has a time to draw.</p>\n"),
    }
    let untimed: Vec<String> = diagnosis
        .milestones
        .iter()
        .enumerate()
        .filter(|(_, m)| m.at().is_none())
        .map(|(i, m)| format!("<a href=\"#milestone-{i}\">{}</a>", escape(&m.summary)))
        .chain(
            diagnosis
                .backups
                .iter()
                .enumerate()
                .filter(|(_, r)| r.at.is_none())
                .map(|(i, r)| format!("<a href=\"#run-{i}\">{}</a>", escape(&run_outcome(r)))),
        )
        .collect();
    if !untimed.is_empty() {
        page.push_str(&format!(
            "<p class=\"untimed\" id=\"untimed\">Without a time (not on the axis): {}</p>\n",
            untimed.join("; ")
        ));
    }
}

fn run_outcome(run: &crate::history::BackupRun) -> String {
    if run.succeeded {
        "backup succeeded".to_string()
    } else {
        let code = run.code.map(|c| format!(" with {c:#010x}")).unwrap_or_default();
        format!("backup failed{code}")
    }
}

fn hypotheses(hypotheses: &[Hypothesis], zone: Option<&TimeZone>, page: &mut String) {
    page.push_str("<h2>Hypotheses</h2>\n");
    if hypotheses.is_empty() {
        page.push_str("<p>None.</p>\n");
    }
    for (rank, h) in hypotheses.iter().enumerate() {
        let level = h.level.name();
        let status = if h.status == Status::Resolved {
            "resolved"
        } else {
            "active"
        };
        let open = if rank == 0 && h.level != Level::Low {
            " open"
        } else {
            ""
        };
        page.push_str(&format!(
            "<details class=\"hypothesis\" id=\"hypothesis-{rank}\" data-rule=\"{}\"{open}><summary>{}. {} <code>{}</code>: {} <span class=\"{level}\">{level} {:.2}</span>, {status}</summary>\n",
            escape(h.rule),
            rank + 1,
            escape(h.rule),
            escape(&h.cause.id()),
            escape(h.title),
            h.confidence
        ));
        page.push_str(&format!("<p>{}</p>\n", escape(&h.reasoning)));
        if !h.evidence.is_empty() {
            page.push_str("<table class=\"evidence\"><tr><th>When</th><th>Where</th><th>What</th></tr>\n");
            for e in &h.evidence {
                page.push_str(&format!(
                    "<tr><td>{}</td><td><code title=\"{}\">{}</code></td><td>{}</td></tr>\n",
                    when(e.time.as_ref(), zone),
                    escape(&e.location),
                    escape(super::layout::file_part(&e.location)),
                    escape(&e.text)
                ));
            }
            page.push_str("</table>\n");
        }
        if !h.against.is_empty() {
            page.push_str("<p>Against or missing:</p><ul>\n");
            for against in &h.against {
                page.push_str(&format!("<li>{}</li>\n", escape(against)));
            }
            page.push_str("</ul>\n");
        }
        if !h.references.is_empty() {
            page.push_str("<p>References: ");
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

fn tables(diagnosis: &Diagnosis, zone: Option<&TimeZone>, page: &mut String) {
    page.push_str("<h2>Machine history</h2>\n");
    if diagnosis.milestones.is_empty() {
        page.push_str("<p>Nothing notable.</p>\n");
    } else {
        page.push_str("<table class=\"milestones\"><tr><th>#</th><th>When</th><th>What</th><th>Seen in</th></tr>\n");
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
                when(m.time.as_ref(), zone),
                escape(&m.summary)
            ));
        }
        page.push_str("</table>\n");
    }
    if diagnosis.backups.is_empty() {
        return;
    }
    page.push_str(
        "<h2>Backup runs</h2>\n<table class=\"runs\"><tr><th>When</th><th>Outcome</th><th>Seen in</th></tr>\n",
    );
    for (i, run) in diagnosis.backups.iter().enumerate() {
        let class = if run.succeeded { "ok" } else { "failed" };
        let place = run
            .evidence
            .first()
            .map(|e| format!("<code>{}</code>", escape(&e.location)))
            .unwrap_or_default();
        page.push_str(&format!(
            "<tr id=\"run-{i}\" class=\"{class}\"><td>{}</td><td>{}</td><td>{place}</td></tr>\n",
            when(Some(&run.time), zone),
            escape(&run_outcome(run))
        ));
    }
    page.push_str("</table>\n");
}

fn inputs(case: &Case, page: &mut String) {
    page.push_str(
        "<h2>Inputs</h2>\n<table class=\"inputs\"><tr><th>File</th><th>Kind</th><th>Records</th><th>Status</th></tr>\n",
    );
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
        page.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{status}</td></tr>\n",
            escape(&file.path),
            file.kind.map_or("-", |k| k.as_str()),
            file.records
        ));
    }
    page.push_str("</table>\n");
}

fn collect(diagnosis: &Diagnosis, page: &mut String) {
    if diagnosis.coverage.is_empty() {
        return;
    }
    page.push_str("<h2>Collect next</h2>\n<ul>\n");
    for gap in &diagnosis.coverage {
        page.push_str(&format!(
            "<li><b>{}</b> (decides {}): <code>{}</code></li>\n",
            escape(gap.log.as_str()),
            escape(&gap.rules.join(", ")),
            escape(gap.command)
        ));
    }
    page.push_str(
        "</ul>\n<p>All at once: <code>backupdiag collect-script &gt; collect.ps1</code> (a PowerShell script that collects every log above).</p>\n",
    );
}

fn harmless(diagnosis: &Diagnosis, page: &mut String) {
    if diagnosis.harmless.is_empty() {
        return;
    }
    page.push_str("<h2>Harmless events</h2>\n<ul>\n");
    for group in &diagnosis.harmless {
        page.push_str(&format!(
            "<li>{}× {} (e.g. <code>{}</code>)</li>\n",
            group.count,
            escape(&group.reason),
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
