//! The small JSON document written instead of a report when nothing could be read, so a script
//! that expects JSON on stdout still gets one, with every reason.

use std::io::{self, Write};

use serde::Serialize;

use crate::case::Case;
use crate::model::Notice;

/// The schema id of the error document.
pub const ERROR_SCHEMA: &str = "backupdiag.error/1";

#[derive(Serialize)]
struct NothingRead<'a> {
    schema: &'static str,
    error: &'static str,
    /// Every notice, then every skipped file as a note.
    problems: Vec<Problem<'a>>,
}

#[derive(Serialize)]
struct Problem<'a> {
    path: &'a str,
    reason: String,
}

/// Writes `{"schema": "backupdiag.error/1", "error": "nothing-readable", "problems": [...]}`.
pub fn write_nothing_read(case: &Case, out: &mut dyn Write) -> io::Result<()> {
    let notices = case.all_notices().map(|n: &Notice| Problem {
        path: &n.path,
        reason: n
            .place
            .as_ref()
            .map_or_else(|| n.reason.clone(), |p| format!("{p}: {}", n.reason)),
    });
    let skipped = case.files.iter().filter_map(|f| {
        f.skipped.as_ref().map(|reason| Problem {
            path: &f.path,
            reason: format!("skipped: {reason}"),
        })
    });
    let doc = NothingRead {
        schema: ERROR_SCHEMA,
        error: "nothing-readable",
        problems: notices.chain(skipped).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
