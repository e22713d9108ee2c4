//! `backupdiag rules` and `backupdiag explain CODE`, generated from the rule registry.

use std::io::{self, Write};

use crate::model::codes::CodeInfo;
use crate::rules::{Rule, RULES};

use super::layout::Layout;

/// One row per rule: code, cause id, title.
pub fn write_list(layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let mut table = layout.table(&[
        layout.t("CODE", "コード"),
        layout.t("CAUSE", "原因 ID"),
        layout.t("TITLE", "内容"),
    ]);
    // The title column gets what the code and cause columns leave (each column is padded by
    // one space on both sides); titles are broken there as their language breaks lines
    // (UAX #14 for Japanese), not wherever the table runs out of room.
    let widest = |f: fn(&crate::rules::Rule) -> usize| RULES.iter().map(f).max().unwrap_or(0);
    let taken = widest(|r| r.code.len()) + widest(|r| r.cause.id().len()) + 6;
    let title_width = layout.width.saturating_sub(taken + 2);
    for rule in RULES {
        let title = crate::rules::text::title(rule.code, rule.title, layout.lang);
        let title = if title_width >= 20 {
            layout.fill(title, title_width)
        } else {
            layout.cell(title)
        };
        table.add_row(vec![rule.code.to_string(), rule.cause.id(), title]);
    }
    writeln!(out, "{}", super::layout::render(&table))
}

/// Everything about one rule.
pub fn write_explain(rule: &Rule, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let title = crate::rules::text::title(rule.code, rule.title, layout.lang);
    let cause = layout.t("cause", "原因 ID");
    writeln!(out, "{}  {title}\n{cause}: {}\n", rule.code, rule.cause.id())?;
    let [detects, why, check] = crate::rules::text::explanation(rule, layout.lang);
    let parts = [
        (layout.t("Detects: ", "検出する内容: "), detects),
        (layout.t("Why it matters: ", "重要な理由: "), why),
        (layout.t("What to check: ", "確認すること: "), check),
    ];
    for (label, text) in parts {
        writeln!(out, "{}\n", layout.wrap(label, 0, text))?;
    }
    writeln!(out, "{}", layout.t("Repair, in order:", "対処 (この順に):"))?;
    super::analysis_table::write_repair(rule.code, rule.repair, 2, layout, out)?;
    let logs: Vec<&str> = rule.needs.iter().map(|n| n.as_str()).collect();
    writeln!(out, "\n{} {}", layout.t("Reads:", "読むログ:"), logs.join(", "))?;
    writeln!(out, "{}", layout.t("References:", "参考資料:"))?;
    for reference in rule.references {
        writeln!(out, "  - {reference}")?;
    }
    Ok(())
}

/// Everything about one error code: its name and messages, where they come from, and the
/// causes and rules it feeds.
pub fn write_code(info: &CodeInfo, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let win32 = info.win32.map(|n| format!(" (Win32 error {n})")).unwrap_or_default();
    writeln!(out, "{}{win32}", info.label())?;
    let signed = info.value as i32;
    writeln!(out, "decimal: {} (signed: {signed})\n", info.value)?;
    if let Some(en) = &info.en {
        writeln!(out, "{}\n", layout.wrap("", 0, en))?;
    }
    if let Some(ja) = &info.ja {
        writeln!(out, "{}\n", layout.wrap("Japanese: ", 10, ja))?;
    }
    if info.causes.is_empty() {
        writeln!(out, "Points to no cause on its own.")?;
    } else {
        writeln!(out, "Points to (weight: how specific the code is for the cause):")?;
        for (cause, weight) in &info.causes {
            let rule = RULES
                .iter()
                .find(|r| r.cause.id() == *cause)
                .map_or("no rule yet", |r| r.code);
            writeln!(out, "  {cause:<42} {weight:.2}  {rule}")?;
        }
    }
    writeln!(out, "\nSource: {}", info.source)
}

/// README's rule table, generated from the registry (a test keeps README in step).
pub fn readme_table() -> String {
    let mut table = String::from("| code | cause id | diagnoses | reads |\n|---|---|---|---|\n");
    for rule in RULES {
        let logs: Vec<&str> = rule.needs.iter().map(|n| n.as_str()).collect();
        table.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            rule.code,
            rule.cause.id(),
            rule.title,
            logs.join(", ")
        ));
    }
    table
}
