//! The `analyze` report as one versioned JSON document (the terminal report is
//! `analysis_table`).

use std::io::{self, Write};

use serde::Serialize;

use crate::case::Case;
use crate::config::Lang;
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

/// Writes the JSON document, indented, its human text in `lang`.
pub fn write_json(case: &Case, diagnosis: &Diagnosis, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(case, diagnosis, lang))?;
    writeln!(out)
}

/// Writes the JSON document on one line, without the line break (for `batch`'s JSON Lines).
pub fn write_json_line(case: &Case, diagnosis: &Diagnosis, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &document(case, diagnosis, lang))?;
    Ok(())
}

/// The document as a value, with `lang` and, in Japanese, the human text fields (titles,
/// reasoning, objections, repair actions and cautions, milestone summaries, harmless reasons)
/// in Japanese. Keys, codes, commands and cause ids never change.
fn document(case: &Case, diagnosis: &Diagnosis, lang: Lang) -> serde_json::Value {
    let mut value = serde_json::to_value(JsonReport::new(case, diagnosis)).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("lang".into(), lang.code().into());
    }
    if lang == Lang::Ja {
        japanese(&mut value, diagnosis, super::inputs::windows_ui(case));
    }
    value
}

fn japanese(value: &mut serde_json::Value, diagnosis: &Diagnosis, ui: crate::rules::text::WindowsUi) {
    use serde_json::Value;
    if let Some(hypotheses) = value["hypotheses"].as_array_mut() {
        for (json, h) in hypotheses.iter_mut().zip(&diagnosis.hypotheses) {
            json["title"] = crate::rules::text::title(h.rule, h.title, Lang::Ja).into();
            json["reasoning"] = h.reasoning_ja.clone().into();
            json["against"] = Value::from(h.against_ja.clone());
            if let Some(evidence) = json["evidence"].as_array_mut() {
                for (json, e) in evidence.iter_mut().zip(&h.evidence) {
                    json["text"] = e.text_in(Lang::Ja).into();
                }
            }
            if let Some(steps) = json["repair"].as_array_mut() {
                for (i, (step, rule_step)) in steps.iter_mut().zip(h.repair).enumerate() {
                    let (action, caution) = crate::rules::text::step(h.rule, i, rule_step, Lang::Ja, ui);
                    step["action"] = action.into();
                    if let Some(caution) = caution {
                        step["caution"] = caution.into();
                    }
                }
            }
        }
    }
    if let Some(milestones) = value["milestones"].as_array_mut() {
        for (json, m) in milestones.iter_mut().zip(&diagnosis.milestones) {
            json["summary"] = super::analysis_table::milestone_text(m, Lang::Ja).into();
        }
    }
    if let Some(harmless) = value["harmless"].as_array_mut() {
        for (json, group) in harmless.iter_mut().zip(&diagnosis.harmless) {
            json["reason"] = super::analysis_table::harmless_text(&group.reason, Lang::Ja).into();
        }
    }
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
