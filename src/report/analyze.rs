//! The `analyze` report as one versioned JSON document (the terminal report is
//! `analysis_table`).

use std::io::{self, Write};

use serde::Serialize;

use crate::case::Case;
use crate::diagnose::Diagnosis;
use crate::model::Notice;
use crate::rules::Hypothesis;

/// The JSON schema name and version of `analyze --format json`.
pub const SCHEMA: &str = "backupdiag.analysis/2";

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    tool: super::inputs::Tool,
    computers: &'a [crate::case::Computer],
    hypotheses: &'a [Hypothesis],
    milestones: &'a [crate::history::Milestone],
    backups: &'a [crate::history::BackupRun],
    harmless: &'a [crate::history::HarmlessGroup],
    coverage: &'a [crate::diagnose::CoverageGap],
    inputs: Vec<super::inputs::JsonFile<'a>>,
    warnings: Vec<&'a Notice>,
}

/// Writes the JSON document, indented.
pub fn write_json(case: &Case, diagnosis: &Diagnosis, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &JsonReport::new(case, diagnosis))?;
    writeln!(out)
}

/// Writes the JSON document on one line, without the line break (for `batch`'s JSON Lines).
pub fn write_json_line(case: &Case, diagnosis: &Diagnosis, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonReport::new(case, diagnosis))?;
    Ok(())
}

impl<'a> JsonReport<'a> {
    fn new(case: &'a Case, diagnosis: &'a Diagnosis) -> JsonReport<'a> {
        JsonReport {
            schema: SCHEMA,
            tool: super::inputs::Tool::this(),
            computers: &case.computers,
            hypotheses: &diagnosis.hypotheses,
            milestones: &diagnosis.milestones,
            backups: &diagnosis.backups,
            harmless: &diagnosis.harmless,
            coverage: &diagnosis.coverage,
            inputs: super::inputs::json_files(case),
            warnings: case.all_notices().collect(),
        }
    }
}
