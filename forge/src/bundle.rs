//! Writes a scenario's bundle: the collected files in a folder or a `.zip`, day by day, so
//! memory stays bounded however large the bundle. Output is byte-for-byte deterministic for a
//! scenario and seed (zip entries carry the collection date, not the time of writing).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::evtx::{EvtxWriter, WriteError};
use crate::expand::events::Log;
use crate::expand::{Expander, Output};
use crate::scenario::Scenario;
use crate::text::console::{bcdedit_enum, vssadmin_providers, vssadmin_writers};
use crate::text::encode;
use crate::text::servicing::{ServicingLog, BOM};

/// The files a scenario can collect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// An exported event log.
    Evtx(Log),
    /// A servicing log.
    Servicing(ServicingLog),
    /// `vssadmin list writers` output.
    VssadminWriters,
    /// `vssadmin list providers` output.
    VssadminProviders,
    /// `bcdedit /enum` output.
    Bcdedit,
    /// The user's own notes.
    History,
}

/// The known file names and what they hold.
pub const FILES: &[(&str, FileKind)] = &[
    ("System.evtx", FileKind::Evtx(Log::System)),
    ("Application.evtx", FileKind::Evtx(Log::Application)),
    ("Microsoft-Windows-Backup.evtx", FileKind::Evtx(Log::Backup)),
    (
        "Microsoft-Windows-Windows Defender%4Operational.evtx",
        FileKind::Evtx(Log::Defender),
    ),
    ("CBS.log", FileKind::Servicing(ServicingLog::Cbs)),
    ("dism.log", FileKind::Servicing(ServicingLog::Dism)),
    ("setupact.log", FileKind::Servicing(ServicingLog::Setupact)),
    ("vssadmin-writers.txt", FileKind::VssadminWriters),
    ("vssadmin-providers.txt", FileKind::VssadminProviders),
    ("bcdedit.txt", FileKind::Bcdedit),
    ("history.txt", FileKind::History),
];

/// Errors writing a bundle.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// An event log could not be written.
    #[error("{path}: {source}")]
    Evtx {
        /// The file.
        path: String,
        /// Why.
        source: WriteError,
    },
    /// The scenario names a file the forge does not know, or is inconsistent.
    #[error("{0}")]
    Scenario(String),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Records (evtx) or lines (text) per file name.
    pub records: BTreeMap<String, u64>,
}

struct Files {
    dir: PathBuf,
    evtx: BTreeMap<Log, (String, EvtxWriter<BufWriter<File>>)>,
    /// Servicing logs, each created at its first line: a log Windows never wrote to is left out
    /// of the bundle, as it would be missing on the machine (never a BOM-only file).
    text: BTreeMap<ServicingLog, (String, Option<BufWriter<File>>)>,
}

/// Writes the bundle of `scenario` into the folder `dir` (created if needed).
pub fn write_folder(scenario: &Scenario, dir: &Path, scale: u32) -> Result<Summary, BundleError> {
    let kinds = wanted(scenario)?;
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut files = open_files(dir, &kinds)?;
    let mut expander = Expander::new(scenario, scale).map_err(BundleError::Scenario)?;
    let mut summary = Summary::default();
    for day in expander.days() {
        for output in expander.day(day) {
            write_output(&mut files, output, &mut summary)?;
        }
    }
    close_files(files)?;
    write_console_files(scenario, &expander, dir, &kinds, &mut summary)?;
    Ok(summary)
}

fn wanted(scenario: &Scenario) -> Result<Vec<(String, FileKind)>, BundleError> {
    scenario
        .collect
        .files
        .iter()
        .map(|name| {
            FILES
                .iter()
                .find(|(known, _)| known == name)
                .map(|(known, kind)| (known.to_string(), *kind))
                .ok_or_else(|| BundleError::Scenario(format!("unknown collected file '{name}'")))
        })
        .collect()
}

fn open_files(dir: &Path, kinds: &[(String, FileKind)]) -> Result<Files, BundleError> {
    let mut files = Files {
        dir: dir.to_path_buf(),
        evtx: BTreeMap::new(),
        text: BTreeMap::new(),
    };
    for (name, kind) in kinds {
        let path = dir.join(name);
        match kind {
            FileKind::Evtx(log) => {
                let file = File::create(&path).map_err(io_error(&path))?;
                let writer = EvtxWriter::new(BufWriter::new(file)).map_err(|source| BundleError::Evtx {
                    path: path.display().to_string(),
                    source,
                })?;
                files.evtx.insert(*log, (name.clone(), writer));
            }
            FileKind::Servicing(log) => {
                files.text.insert(*log, (name.clone(), None));
            }
            _ => {}
        }
    }
    Ok(files)
}

fn write_output(files: &mut Files, output: Output, summary: &mut Summary) -> Result<(), BundleError> {
    match output {
        Output::Evtx(log, event) => {
            if let Some((name, writer)) = files.evtx.get_mut(&log) {
                writer.write(&event).map_err(|source| BundleError::Evtx {
                    path: name.clone(),
                    source,
                })?;
                *summary.records.entry(name.clone()).or_default() += 1;
            }
        }
        Output::Text(line) => {
            if let Some((name, out)) = files.text.get_mut(&line.log) {
                let path = files.dir.join(&*name);
                let out = match out {
                    Some(out) => out,
                    None => {
                        let mut created = BufWriter::new(File::create(&path).map_err(io_error(&path))?);
                        created.write_all(BOM).map_err(io_error(&path))?;
                        out.insert(created)
                    }
                };
                out.write_all(line.render().as_bytes()).map_err(io_error(&path))?;
                *summary.records.entry(name.clone()).or_default() += 1;
            }
        }
    }
    Ok(())
}

fn close_files(files: Files) -> Result<(), BundleError> {
    for (_, (name, writer)) in files.evtx {
        writer.finish().map_err(|source| BundleError::Evtx {
            path: name.clone(),
            source,
        })?;
    }
    for (_, (name, out)) in files.text {
        if let Some(mut out) = out {
            out.flush().map_err(io_error(&files.dir.join(&name)))?;
        }
    }
    Ok(())
}

fn write_console_files(
    scenario: &Scenario,
    expander: &Expander<'_>,
    dir: &Path,
    kinds: &[(String, FileKind)],
    summary: &mut Summary,
) -> Result<(), BundleError> {
    let language = scenario.machine.language;
    let encoding = scenario.collect.console_encoding;
    for (name, kind) in kinds {
        let text = match kind {
            FileKind::VssadminWriters => vssadmin_writers(&expander.state.writers, language),
            FileKind::VssadminProviders => vssadmin_providers(&expander.state.providers),
            FileKind::Bcdedit => bcdedit_enum(expander.state.firmware, language, "Windows"),
            FileKind::History => expander
                .state
                .notes
                .iter()
                .map(|(_, note)| format!("{note}\n"))
                .collect(),
            _ => continue,
        };
        let path = dir.join(name);
        std::fs::write(&path, encode(&text, encoding)).map_err(io_error(&path))?;
        summary.records.insert(name.clone(), text.lines().count() as u64);
    }
    Ok(())
}

/// Writes the bundle as a `.zip` (deflated entries, in file-name order, dated at collection).
pub fn write_zip(scenario: &Scenario, zip_path: &Path, scale: u32) -> Result<Summary, BundleError> {
    let staging = tempfile::tempdir().map_err(io_error(zip_path))?;
    let summary = write_folder(scenario, staging.path(), scale)?;
    let file = File::create(zip_path).map_err(io_error(zip_path))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let to = scenario.collect.to;
    let stamp = zip::DateTime::from_date_and_time(to.year() as u16, to.month() as u8, to.day() as u8, 18, 0, 0)
        .map_err(|_| BundleError::Scenario("collection date cannot be stored in a zip".to_string()))?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .large_file(true);
    let mut names: Vec<String> = wanted(scenario)?.into_iter().map(|(name, _)| name).collect();
    names.sort();
    for name in names {
        let path = staging.path().join(&name);
        if !path.exists() {
            continue; // a log with nothing to say was not written
        }
        zip.start_file(name.as_str(), options).map_err(|e| BundleError::Io {
            path: name.clone(),
            source: e.into(),
        })?;
        let mut input = File::open(&path).map_err(io_error(&path))?;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = input.read(&mut buffer).map_err(io_error(&path))?;
            if n == 0 {
                break;
            }
            zip.write_all(&buffer[..n]).map_err(io_error(zip_path))?;
        }
    }
    zip.finish().map_err(|e| BundleError::Io {
        path: zip_path.display().to_string(),
        source: e.into(),
    })?;
    Ok(summary)
}
