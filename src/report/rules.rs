//! `backupdiag rules` and `backupdiag explain CODE`, generated from the rule registry.

use std::io::{self, Write};

use crate::rules::{Rule, RULES};

/// One line per rule: code, cause id, title.
pub fn write_list(out: &mut dyn Write) -> io::Result<()> {
    for rule in RULES {
        writeln!(out, "{:<8} {:<42} {}", rule.code, rule.cause.id(), rule.title)?;
    }
    Ok(())
}

/// Everything about one rule.
pub fn write_explain(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}  {}\ncause: {}\n", rule.code, rule.title, rule.cause.id())?;
    // One paragraph per part, each keeping its label.
    let text = rule
        .explanation
        .replace(" Why it matters: ", "\nWhy it matters: ")
        .replace(" What to check: ", "\nWhat to check: ");
    for paragraph in text.split('\n') {
        writeln!(out, "{}\n", wrap(paragraph, 100))?;
    }
    writeln!(out, "Repair, in order:")?;
    super::analyze::write_repair(rule.repair, "  ", out)?;
    let logs: Vec<&str> = rule.needs.iter().map(|n| n.as_str()).collect();
    writeln!(out, "\nReads: {}", logs.join(", "))?;
    writeln!(out, "References:")?;
    for reference in rule.references {
        writeln!(out, "  - {reference}")?;
    }
    Ok(())
}

/// Wraps `text` at `width` columns on spaces.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        if line > 0 && line + 1 + word.chars().count() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.chars().count();
    }
    out
}
