//! `backupdiag rules` and `backupdiag explain CODE`, generated from the rule registry.

use std::io::{self, Write};

use crate::rules::{Rule, RULES};

use super::layout::Layout;

/// One row per rule: code, cause id, title.
pub fn write_list(layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let mut table = layout.table(&["CODE", "CAUSE", "TITLE"]);
    for rule in RULES {
        table.add_row(vec![rule.code.to_string(), rule.cause.id(), rule.title.to_string()]);
    }
    writeln!(out, "{}", super::layout::render(&table))
}

/// Everything about one rule.
pub fn write_explain(rule: &Rule, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}  {}\ncause: {}\n", rule.code, rule.title, rule.cause.id())?;
    // One paragraph per part, each keeping its label.
    let text = rule
        .explanation
        .replace(" Why it matters: ", "\nWhy it matters: ")
        .replace(" What to check: ", "\nWhat to check: ");
    for paragraph in text.split('\n') {
        writeln!(out, "{}\n", layout.wrap("", 0, paragraph))?;
    }
    writeln!(out, "Repair, in order:")?;
    super::analysis_table::write_repair(rule.repair, 2, layout, out)?;
    let logs: Vec<&str> = rule.needs.iter().map(|n| n.as_str()).collect();
    writeln!(out, "\nReads: {}", logs.join(", "))?;
    writeln!(out, "References:")?;
    for reference in rule.references {
        writeln!(out, "  - {reference}")?;
    }
    Ok(())
}
