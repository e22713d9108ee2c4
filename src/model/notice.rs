//! Warnings and errors about inputs, each naming the file and, where known, the place in it.
//!
//! A bad input never stops the run: it becomes a [`Notice`], the rest of the case is read,
//! and the exit code reflects it.

use std::fmt;

use serde::Serialize;

/// How bad a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Nothing could be read from the file.
    Error,
    /// Part of the file was read; the rest was lost.
    Damaged,
    /// Worth knowing; nothing was lost (a skipped file, a symlink loop, a duplicate).
    Note,
}

impl Severity {
    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Damaged => "damaged",
            Severity::Note => "note",
        }
    }

    /// True when data was lost (the run then exits with 1).
    pub fn is_failure(self) -> bool {
        matches!(self, Severity::Error | Severity::Damaged)
    }
}

/// One warning or error about an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// How bad it is.
    pub severity: Severity,
    /// The file's display path.
    pub path: String,
    /// Where in the file (`chunk 3`, `line 17`, `offset 0x1000`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// What went wrong, in plain words.
    pub reason: String,
}

impl Notice {
    /// A notice without a place.
    pub fn new(severity: Severity, path: impl Into<String>, reason: impl Into<String>) -> Notice {
        Notice {
            severity,
            path: path.into(),
            place: None,
            reason: reason.into(),
        }
    }

    /// The same notice at a place in the file.
    pub fn at(mut self, place: impl Into<String>) -> Notice {
        self.place = Some(place.into());
        self
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity.as_str(), self.path)?;
        if let Some(place) = &self.place {
            write!(f, " ({place})")?;
        }
        write!(f, ": {}", self.reason)
    }
}
