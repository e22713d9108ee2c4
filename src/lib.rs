//! backupdiag reads the logs collected from a Windows PC whose backup failed and explains what
//! happened. The pipeline, one module per stage:
//!
//! `input` (find files, unpack zips, sniff kinds and encodings) -> `parse` (one reader per
//! source kind) -> `case` (one timeline, clocks anchored, facts) -> `report` (output formats).

pub mod case;
pub mod cli;
pub mod config;
pub mod diagnose;
pub mod input;
pub mod model;
pub mod parse;
mod progress;
pub mod report;
pub mod rules;
pub mod signals;

use std::io::{self, Write};

use rayon::prelude::{IntoParallelRefIterator, ParallelIterator};

use case::Case;
use config::{AnalyzeFormat, Command, Config, InputsFormat, TimelineFormat};

/// How a run ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every input was read.
    Success = 0,
    /// Something was read, but some inputs failed or were damaged (each named on stderr).
    Partial = 1,
    /// Usage error, or nothing readable.
    Failure = 2,
}

/// Reads every input under the configured paths into one case (files in parallel).
pub fn read_case(config: &Config) -> Case {
    let collected = input::collect(&config.paths, config.limits);
    let progress = progress::Progress::start(collected.inputs.len(), config.progress);
    let parsed: Vec<Vec<parse::ParsedFile>> = collected
        .inputs
        .par_iter()
        .map(|input| {
            let files = parse::parse_input(input);
            progress.tick();
            files
        })
        .collect();
    progress.finish();
    Case::build(
        parsed.into_iter().flatten().collect(),
        collected.notices,
        config.zone.as_ref(),
    )
}

/// Runs one command: report on `out`, notices on `err`.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    match &config.command {
        Command::Rules => {
            report::rules::write_list(out)?;
            return Ok(ExitStatus::Success);
        }
        Command::Explain { code } => {
            return match rules::find(code) {
                Some(rule) => report::rules::write_explain(rule, out).map(|()| ExitStatus::Success),
                None => {
                    writeln!(err, "backupdiag: no rule '{code}' (see 'backupdiag rules')")?;
                    Ok(ExitStatus::Failure)
                }
            };
        }
        _ => {}
    }
    let case = read_case(config);
    for notice in case.all_notices() {
        writeln!(err, "backupdiag: {notice}")?;
    }
    for file in case.files.iter().filter(|f| f.skipped.is_some()) {
        writeln!(
            err,
            "backupdiag: skipped: {}: {}",
            file.path,
            file.skipped.as_deref().unwrap_or_default()
        )?;
    }
    if !case.anything_read() {
        writeln!(err, "backupdiag: no readable log found under the given paths")?;
    }
    let zone = config.zone.as_ref().map(|z| &z.tz);
    match &config.command {
        Command::Inputs {
            format: InputsFormat::Table,
        } => report::inputs::write_table(&case, zone, out)?,
        Command::Inputs {
            format: InputsFormat::Json,
        } => report::inputs::write_json(&case, out)?,
        Command::Analyze { format } => {
            let diagnosis = diagnose::diagnose(&case);
            match format {
                AnalyzeFormat::Table => report::analyze::write_table(&case, &diagnosis, zone, out)?,
                AnalyzeFormat::Json => report::analyze::write_json(&case, &diagnosis, out)?,
            }
        }
        Command::Rules | Command::Explain { .. } => {}
        Command::Timeline { format, since, until } => {
            let events: Vec<&model::Event> = case::filter_time(&case.events, *since, *until).collect();
            match format {
                TimelineFormat::Table => report::timeline::write_table(&events, zone, out)?,
                TimelineFormat::Jsonl => report::timeline::write_jsonl(&events, out)?,
            }
        }
    }
    out.flush()?;
    Ok(exit_status(&case))
}

fn exit_status(case: &Case) -> ExitStatus {
    if !case.anything_read() {
        ExitStatus::Failure
    } else if case.all_notices().any(|n| n.severity.is_failure()) {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    }
}
