//! backupdiag reads the logs collected from a Windows PC whose backup failed and explains what
//! happened. The pipeline, one module per stage:
//!
//! `input` (find files, unpack zips, sniff kinds and encodings) -> `parse` (one reader per
//! source kind) -> `case` (one timeline, clocks anchored, facts) -> `report` (output formats).

mod batch;
mod case;
pub mod cli;
pub mod config;
mod diagnose;
#[doc(hidden)]
pub mod fuzzing;
mod history;
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
    /// `analyze --fail-on LEVEL`: a hypothesis at or above LEVEL was found.
    Findings = 3,
}

/// Reads every input under the configured paths into one case (files in parallel).
pub fn read_case(config: &Config) -> Case {
    read_case_keeping(config, keep_for(config))
}

/// [`read_case`], the readers keeping `keep`.
fn read_case_keeping(config: &Config, keep: parse::Keep) -> Case {
    let collected = input::collect(&config.paths, config.limits);
    let total_bytes = collected.inputs.iter().map(|i| i.size).sum();
    let progress = progress::Progress::start(collected.inputs.len(), total_bytes, config.progress);
    let options = signals::read_options(config.limits.max_records, keep);
    let repeats = input::Repeats::of(&collected.inputs);
    // The biggest inputs are started first, so that none is left to be read alone at the end
    // (5% off the evtx corpus); the results are put back in input order.
    let mut order: Vec<(usize, &input::Input)> = collected.inputs.iter().enumerate().collect();
    order.sort_by_key(|(_, input)| std::cmp::Reverse(input.size));
    let mut read: Vec<(usize, Option<Vec<parse::ParsedFile>>)> = order
        .par_iter()
        .map(|&(index, input)| {
            let files = repeats
                .prepare(index, input)
                .map(|input| parse::parse_input(&input, options));
            progress.done(input.size);
            (index, files)
        })
        .collect();
    read.sort_by_key(|(index, _)| *index);
    let parsed: Vec<Option<Vec<parse::ParsedFile>>> = read.into_iter().map(|(_, files)| files).collect();
    progress.finish();
    let (kept, repeated) = repeats.kept(&collected.inputs);
    let mut notices = collected.notices;
    notices.extend(repeated);
    Case::build(
        parsed
            .into_iter()
            .zip(kept)
            .filter(|(_, kept)| *kept)
            .flat_map(|(files, _)| files.unwrap_or_default())
            .collect(),
        notices,
        config.zone.as_ref(),
        config.computer.as_deref(),
    )
}

/// What the readers keep for `config`'s command: every event where all of them are printed
/// (`timeline`), searched for names (`--redact`) or sorted by computer (`--computer`), what
/// the clock reads for `inputs`, what the diagnosis reads for the rest.
fn keep_for(config: &Config) -> parse::Keep {
    if config.redact || config.computer.is_some() || matches!(config.command, Command::Timeline { .. }) {
        parse::Keep::Everything
    } else if matches!(config.command, Command::Inputs { .. }) {
        parse::Keep::Clock
    } else {
        parse::Keep::Evidence
    }
}

/// Every report `inputs` writes for `config`'s paths and zone (JSON, and the table in English
/// and Japanese), the readers keeping `keep`: the tests that tallying changes no output
/// compare these.
#[doc(hidden)]
pub fn inputs_reports(config: &Config, keep: parse::Keep) -> io::Result<Vec<u8>> {
    let case = read_case_keeping(config, keep);
    let zone = config.zone.as_ref().map(|z| z.tz.clone());
    let mut out = Vec::new();
    report::inputs::write_json(&case, &mut out)?;
    for lang in [config::Lang::En, config::Lang::Ja] {
        let layout = report::layout::Layout::plain(100).in_lang(lang);
        report::inputs::write_table(&case, zone.as_ref(), &layout, &mut out)?;
    }
    Ok(out)
}

/// Every report `analyze` writes for `config`'s paths and zone (JSON, table, Markdown, HTML
/// with its chart; English and Japanese), the readers keeping `keep` (see [`inputs_reports`]).
#[doc(hidden)]
pub fn analysis_reports(config: &Config, keep: parse::Keep) -> io::Result<Vec<u8>> {
    let case = read_case_keeping(config, keep);
    let zone = config.zone.as_ref().map(|z| z.tz.clone());
    let diagnosis = diagnose::diagnose(&case);
    let mut out = Vec::new();
    for lang in [config::Lang::En, config::Lang::Ja] {
        let layout = report::layout::Layout::plain(100).in_lang(lang);
        report::analyze::write_json(&case, &diagnosis, lang, &mut out)?;
        report::analysis_table::write(&case, &diagnosis, zone.as_ref(), &layout, &mut out)?;
        report::markdown::write(&case, &diagnosis, zone.as_ref(), lang, &mut out)?;
        report::html::write(&case, &diagnosis, zone.as_ref(), lang, &mut out)?;
    }
    Ok(out)
}

/// Runs one command: report on `out`, notices on `err`.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    let layout = report::layout::Layout::detect(config.color).in_lang(config.lang);
    match &config.command {
        Command::Rules => {
            report::rules::write_list(&layout, out)?;
            Ok(ExitStatus::Success)
        }
        Command::Explain { code } => explain(code, &layout, out, err),
        Command::Inputs { format } => {
            let json = *format == InputsFormat::Json;
            with_case(config, json, out, err, |case, zone, out| {
                match format {
                    InputsFormat::Table => report::inputs::write_table(case, zone, &layout, out)?,
                    InputsFormat::Json => report::inputs::write_json(case, out)?,
                }
                Ok(None)
            })
        }
        Command::Analyze { format, fail_on } => {
            let json = format.is_json();
            with_case(config, json, out, err, |case, zone, out| {
                let (findings, diagnosis) = write_analysis(case, zone, *format, *fail_on, &layout, out)?;
                if config.exits_after {
                    std::mem::forget(diagnosis);
                }
                Ok(findings)
            })
        }
        Command::Timeline { format, since, until } => with_case(config, false, out, err, |case, zone, out| {
            let events: Vec<&model::Event> = case::filter_time(&case.events, *since, *until).collect();
            match format {
                TimelineFormat::Table => report::timeline::write_table(&events, zone, &layout, out)?,
                TimelineFormat::Jsonl => report::timeline::write_jsonl(&events, out)?,
                TimelineFormat::Csv => report::timeline::write_csv(&events, out)?,
                TimelineFormat::Timesketch => report::timeline::write_timesketch(&events, out)?,
            }
            Ok(None)
        }),
        Command::Batch { .. } => batch::run(config, out, err),
        Command::CollectScript { japanese } => {
            out.write_all(report::collect_script::script(*japanese).as_bytes())?;
            out.flush()?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Diagnoses `case` and writes the report in `format`; returns the level `fail_on` was met at
/// (if it was) and the diagnosis.
fn write_analysis(
    case: &Case,
    zone: Option<&jiff::tz::TimeZone>,
    format: AnalyzeFormat,
    fail_on: Option<rules::Level>,
    layout: &report::layout::Layout,
    out: &mut dyn Write,
) -> io::Result<(Findings, diagnose::Diagnosis)> {
    let diagnosis = diagnose::diagnose(case);
    match format {
        AnalyzeFormat::Table => report::analysis_table::write(case, &diagnosis, zone, layout, out)?,
        AnalyzeFormat::Json => report::analyze::write_json(case, &diagnosis, layout.lang, out)?,
        AnalyzeFormat::JsonLine => report::analyze::write_json_line(case, &diagnosis, layout.lang, out)?,
        AnalyzeFormat::Markdown => report::markdown::write(case, &diagnosis, zone, layout.lang, out)?,
        AnalyzeFormat::Html => report::html::write(case, &diagnosis, zone, layout.lang, out)?,
    }
    let highest = diagnosis.hypotheses.iter().map(|h| h.level).max();
    let findings = fail_on.filter(|threshold| highest.is_some_and(|h| h >= *threshold));
    Ok((findings, diagnosis))
}

/// `explain CODE`: one rule, found by its code or its cause id.
fn explain(
    code: &str,
    layout: &report::layout::Layout,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    if let Some(rule) = rules::find(code) {
        return report::rules::write_explain(rule, layout, out).map(|()| ExitStatus::Success);
    }
    match model::codes::parse_query(code).and_then(model::codes::lookup) {
        Some(info) => report::rules::write_code(info, layout, out).map(|()| ExitStatus::Success),
        None => {
            writeln!(
                err,
                "backupdiag: '{code}' is no rule code, cause id or error code backupdiag knows (see 'backupdiag rules')"
            )?;
            Ok(ExitStatus::Failure)
        }
    }
}

/// The level a `--fail-on` threshold was met at, when it was.
type Findings = Option<rules::Level>;

/// Reads the case, names every problem on `err`, then writes the report with `write` (through
/// the redactor with `--redact`); when nothing could be read, no report is written (a small
/// error document when `json`).
fn with_case(
    config: &Config,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    write: impl FnOnce(&Case, Option<&jiff::tz::TimeZone>, &mut dyn Write) -> io::Result<Findings>,
) -> io::Result<ExitStatus> {
    let mut case = read_case(config);
    let redactor = config.redact.then(|| report::redact::Redactor::for_case(&case));
    if let Some(redactor) = &redactor {
        redactor.redact_case(&mut case);
    }
    let hide = |text: String| redactor.as_ref().map_or_else(|| text.clone(), |r| r.apply(&text));
    let mut named = 0;
    for notice in case.all_notices() {
        writeln!(err, "backupdiag: {}", hide(notice.to_string()))?;
        named += 1;
    }
    for file in case.files.iter().filter(|f| f.skipped.is_some()) {
        let reason = file.skipped.as_deref().unwrap_or_default();
        writeln!(err, "backupdiag: skipped: {}", hide(format!("{}: {reason}", file.path)))?;
        named += 1;
    }
    let untimed = case.events.iter().filter(|e| !e.time.is_known()).count();
    if untimed > 0 && matches!(config.command, Command::Timeline { .. }) {
        writeln!(
            err,
            "backupdiag: note: {untimed} event(s) without a time (pasted without their date) are not in the timeline; `analyze` reads them"
        )?;
    }
    if !case.anything_read() {
        if named == 0 {
            writeln!(err, "backupdiag: nothing readable under the given paths")?;
        }
        if json {
            report::errors::write_nothing_read(&case, out)?;
        }
        out.flush()?;
        return Ok(ExitStatus::Failure);
    }
    let zone = config.zone.as_ref().map(|z| &z.tz);
    let findings = if let Some(redactor) = &redactor {
        let mut buffer = Vec::new();
        let findings = write(&case, zone, &mut buffer)?;
        out.write_all(redactor.apply(&String::from_utf8_lossy(&buffer)).as_bytes())?;
        findings
    } else {
        write(&case, zone, out)?
    };
    out.flush()?;
    let status = match exit_status(&case) {
        ExitStatus::Success | ExitStatus::Partial if findings.is_some() => ExitStatus::Findings,
        status => status,
    };
    if config.exits_after {
        std::mem::forget(case);
    }
    Ok(status)
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
