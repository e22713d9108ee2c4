//! The `inputs` report: one entry per file found, with its kind, encoding, size, records read,
//! time range, clock basis and notices.

use std::io::{self, Write};

use serde::Serialize;

use crate::case::{Case, ClockBasis, FileSummary};
use crate::model::{Fact, FactKind, Notice, Severity, TimeKeys, VssListing};

use comfy_table::Cell;

use super::layout::{shorten_path, Layout, Paint};
use super::times;

/// What happened to a file, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Read completely.
    Read,
    /// Read in part; the rest was lost.
    Damaged,
    /// Nothing could be read.
    Failed,
    /// Not a log backupdiag reads.
    Skipped,
    /// Nothing in it.
    Empty,
}

impl Status {
    fn of(file: &FileSummary) -> Status {
        if file.empty {
            Status::Empty
        } else if file.skipped.is_some() {
            Status::Skipped
        } else if file.kind.is_none() || file.notices.iter().any(|n| n.severity == Severity::Error) {
            Status::Failed
        } else if file.notices.iter().any(|n| n.severity == Severity::Damaged) {
            Status::Damaged
        } else {
            Status::Read
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Status::Read => "read",
            Status::Damaged => "damaged",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Empty => "empty",
        }
    }

    /// Its word in `lang`.
    fn word(self, lang: crate::config::Lang) -> &'static str {
        let ja = match self {
            Status::Read => "読み取り",
            Status::Damaged => "破損",
            Status::Failed => "失敗",
            Status::Skipped => "対象外",
            Status::Empty => "空",
        };
        lang.pick(self.as_str(), ja)
    }
}

/// Renders the table.
pub fn write_table(
    case: &Case,
    zone: Option<&jiff::tz::TimeZone>,
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut table = layout.table(&[
        layout.t("STATUS", "状態"),
        layout.t("KIND", "種類"),
        layout.t("RECORDS", "レコード数"),
        layout.t("FILE", "ファイル"),
    ]);
    for file in &case.files {
        let status = Status::of(file);
        let paint = match status {
            Status::Read => Paint::Good,
            Status::Damaged => Paint::Warn,
            Status::Failed => Paint::Bad,
            Status::Skipped | Status::Empty => Paint::Dim,
        };
        table.add_row(vec![
            Cell::new(layout.paint(paint, status.word(layout.lang))),
            Cell::new(file.kind.map_or("-", |k| k.as_str())),
            Cell::new(file.records),
            Cell::new(shorten_path(&file.path, layout.width.saturating_sub(32))),
        ]);
    }
    writeln!(out, "{}", super::layout::render(&table))?;
    writeln!(out, "\n{}", layout.paint(Paint::Heading, layout.t("DETAILS", "詳細")))?;
    for file in &case.files {
        writeln!(out, "  {}", file.path)?;
        for line in details(file, case, zone, layout.lang) {
            writeln!(out, "{}", layout.wrap("      ", 6, &line))?;
        }
    }
    for notice in &case.notices {
        writeln!(out, "{}", layout.wrap("  - ", 4, &notice.to_string()))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", layout.wrap("", 2, &summary_in(case, layout.lang)))
}

/// What there is to say about one file beyond its row: encoding and size, clock, shapes,
/// facts, notices.
fn details(
    file: &FileSummary,
    case: &Case,
    zone: Option<&jiff::tz::TimeZone>,
    lang: crate::config::Lang,
) -> Vec<String> {
    let ja = lang == crate::config::Lang::Ja;
    let mut lines = vec![format!(
        "{} {}{}",
        file.size,
        lang.pick("bytes", "バイト"),
        file.encoding.map(|e| format!(", {}", e.as_str())).unwrap_or_default()
    )];
    if let Some((first, last)) = &file.span {
        lines.push(format!(
            "{} … {}",
            times::for_table(first, zone),
            times::for_table(last, zone)
        ));
    }
    if !matches!(file.clock, ClockBasis::Utc) {
        let clock = if ja {
            file.clock.summary_ja()
        } else {
            file.clock.summary()
        };
        lines.push(format!("{} {clock}", lang.pick("clock:", "時計:")));
    }
    if let Some(reason) = &file.skipped {
        lines.push(format!("{} {reason}", lang.pick("skipped:", "対象外:")));
    }
    if !file.shapes.is_empty() {
        lines.push(format!("{} {}", lang.pick("shape:", "形式:"), file.shapes.join(", ")));
    }
    lines.extend(
        case.facts
            .iter()
            .filter(|f| f.origin.file == file.path)
            .filter_map(fact_line),
    );
    for notice in &file.notices {
        let place = notice.place.as_deref().map(|p| format!(" ({p})")).unwrap_or_default();
        lines.push(format!("{}{place}: {}", notice.severity.as_str(), notice.reason));
    }
    lines
}

/// The facts worth a line in the table: listing outcomes, failed writers, machine values.
fn fact_line(fact: &Fact) -> Option<String> {
    match &fact.kind {
        FactKind::VssListing(listing) => Some(format!("vssadmin: {}", describe_listing(listing))),
        FactKind::VssWriter(w) if w.state != 1 => Some(format!(
            "writer '{}': [{}] {} / {}",
            w.name, w.state, w.state_text, w.last_error
        )),
        FactKind::Machine { key, value, inferred } => Some(format!(
            "{}: {value}{}",
            key.as_str(),
            if *inferred { " (inferred)" } else { "" }
        )),
        FactKind::ConsoleVerdict { tool, verdict, code } => {
            let code = code.map(|c| format!(" ({c:#010x})")).unwrap_or_default();
            Some(format!("{tool}: {verdict}{code}"))
        }
        FactKind::Mention { what, value } => Some(format!("mentions {what} {value} (low certainty)")),
        FactKind::BackupStatement {
            failed, code, inner, ..
        } => {
            let hex = |c: &Option<u32>| c.map(|c| format!(" {c:#010x}")).unwrap_or_default();
            let what = if *failed { "failed" } else { "succeeded" };
            Some(format!("states a backup {what}{}{}", hex(code), hex(inner)))
        }
        _ => None,
    }
}

fn describe_listing(listing: &VssListing) -> String {
    match listing {
        VssListing::Writers { count } => format!("{count} writer(s) listed"),
        VssListing::Providers { count } => format!("{count} provider(s) listed"),
        VssListing::NoWriters => {
            "no writer listed at all (a finding: writers vanish when VSS or the COM+ Event System is damaged)"
                .to_string()
        }
        VssListing::StorageAssociations { count } => format!("{count} shadow storage association(s) listed"),
        VssListing::NothingListed { message } => format!("nothing listed: {message}"),
        VssListing::Error { message, .. } => format!(
            "printed an error instead of a listing: {}",
            message.replace('\n', " / ")
        ),
    }
}

/// Which Windows the case's computers run, for Japanese control panel names.
pub(crate) fn windows_ui(case: &Case) -> crate::rules::text::WindowsUi {
    crate::rules::text::WindowsUi::of(case.computers.iter().map(|c| c.os.as_deref()))
}

/// The computers the logs come from, with their Windows: `PC-01 (Windows 11, 10.0.22631.3570)`.
pub(crate) fn computers_line(case: &Case, lang: crate::config::Lang) -> String {
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
        lang.pick("not named by any log", "どのログにも名前がありません")
            .to_string()
    } else {
        names.join(", ")
    }
}

/// One line counting files by status, events and facts, in `lang`.
pub(crate) fn summary_in(case: &Case, lang: crate::config::Lang) -> String {
    let count = |status: Status| case.files.iter().filter(|f| Status::of(f) == status).count();
    let writers = case
        .facts
        .iter()
        .filter(|f| matches!(f.kind, FactKind::VssWriter(_)))
        .count();
    let (files, read, damaged, failed, skipped, empty) = (
        case.files.len(),
        count(Status::Read),
        count(Status::Damaged),
        count(Status::Failed),
        count(Status::Skipped),
        count(Status::Empty),
    );
    let (events, others) = (case.event_count(), case.facts.len() - writers);
    match lang {
        crate::config::Lang::En => {
            let empty = if empty == 0 {
                String::new()
            } else {
                format!(", {empty} empty")
            };
            format!(
                "{files} files: {read} read, {damaged} damaged, {failed} failed, {skipped} skipped{empty}; {events} events, {writers} VSS writer states, {others} other facts"
            )
        }
        crate::config::Lang::Ja => {
            let empty = if empty == 0 {
                String::new()
            } else {
                format!("、空 {empty}")
            };
            format!(
                "ファイル {files} 個 (読み取り {read}、破損 {damaged}、失敗 {failed}、対象外 {skipped}{empty})。イベント {events} 件、VSS ライターの状態 {writers} 件、その他の情報 {others} 件"
            )
        }
    }
}

/// The JSON schema name and version of `inputs --format json`.
pub const SCHEMA: &str = "backupdiag.inputs/2";

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    tool: Tool,
    computers: &'a [crate::case::Computer],
    files: Vec<JsonFile<'a>>,
    notices: &'a [Notice],
    events: usize,
}

#[derive(Serialize)]
pub(crate) struct JsonFile<'a> {
    path: &'a str,
    status: Status,
    kind: Option<&'static str>,
    encoding: Option<&'static str>,
    bytes: u64,
    records: usize,
    first: Option<TimeKeys<'a>>,
    last: Option<TimeKeys<'a>>,
    clock: &'a ClockBasis,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    shapes: &'a [String],
    facts: Vec<&'a FactKind>,
    notices: &'a [Notice],
}

/// The JSON form of every input file.
pub(crate) fn json_files(case: &Case) -> Vec<JsonFile<'_>> {
    case.files
        .iter()
        .map(|file| JsonFile {
            path: &file.path,
            status: Status::of(file),
            kind: file.kind.map(|k| k.as_str()),
            encoding: file.encoding.map(|e| e.as_str()),
            bytes: file.size,
            records: file.records,
            first: file.span.as_ref().map(|(a, _)| TimeKeys(Some(a))),
            last: file.span.as_ref().map(|(_, b)| TimeKeys(Some(b))),
            clock: &file.clock,
            sha256: file.sha256.as_deref(),
            skipped: file.skipped.as_deref(),
            shapes: &file.shapes,
            facts: case
                .facts
                .iter()
                .filter(|f| f.origin.file == file.path)
                .map(|f| &f.kind)
                .collect(),
            notices: &file.notices,
        })
        .collect()
}

/// Renders one JSON document.
pub fn write_json(case: &Case, out: &mut dyn Write) -> io::Result<()> {
    let report = JsonReport {
        schema: SCHEMA,
        tool: Tool::this(),
        computers: &case.computers,
        files: json_files(case),
        notices: &case.notices,
        events: case.event_count(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// Which backupdiag wrote a JSON document.
#[derive(Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    /// This build.
    pub(crate) fn this() -> Tool {
        Tool {
            name: "backupdiag",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}
