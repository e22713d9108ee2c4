//! Scenario files: a machine's history as a list of dated happenings at a high level, the
//! machine's zone and UI language, and which files to collect in which encodings. Written in
//! TOML; every field is checked when the file is read (unknown keys are errors).

mod happening;

use jiff::civil::{Date, DateTime};
use serde::Deserialize;

pub use happening::{BackupKind, DismResult, Happening, SfcResult, StartType, What};

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// One line naming the story.
    pub title: String,
    /// Where the story's facts come from, and what a diagnosis should conclude.
    #[serde(default)]
    pub description: String,
    /// The machine.
    pub machine: Machine,
    /// What was collected from it.
    pub collect: Collect,
    /// What happened, in any order (sorted when expanded).
    #[serde(default, rename = "happening")]
    pub happenings: Vec<Happening>,
    /// What a diagnosis of the bundle should conclude (read by backupdiag's tests, not by the
    /// forge).
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// The diagnosis a scenario expects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The cause id of the top hypothesis; absent for a healthy machine (nothing at medium or above).
    #[serde(default)]
    pub top: Option<String>,
    /// Other cause ids allowed at medium or high confidence.
    #[serde(default)]
    pub also: Vec<String>,
    /// Milestone kinds that must appear, in this order.
    #[serde(default)]
    pub milestones: Vec<String>,
}

/// Windows releases the generator knows how to log for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    /// Windows 7 SP1 (6.1.7601).
    #[serde(rename = "windows-7")]
    Windows7,
    /// Windows 10 22H2 (10.0.19045).
    #[serde(rename = "windows-10")]
    Windows10,
    /// Windows 11 23H2 (10.0.22631).
    #[serde(rename = "windows-11")]
    Windows11,
}

impl Os {
    /// Major, minor, build as Windows reports them.
    pub fn version(self) -> (u32, u32, u32) {
        match self {
            Os::Windows7 => (6, 1, 7601),
            Os::Windows10 => (10, 0, 19045),
            Os::Windows11 => (10, 0, 22631),
        }
    }

    /// True for Windows 8 and later (manifest-based backup and servicing events).
    pub fn is_modern(self) -> bool {
        !matches!(self, Os::Windows7)
    }
}

/// UI languages the generator writes localized text for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Language {
    /// English (United States).
    #[serde(rename = "en-US")]
    English,
    /// Japanese.
    #[serde(rename = "ja-JP")]
    Japanese,
}

/// How the machine boots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Firmware {
    /// Legacy BIOS (MBR disk, `winload.exe`).
    Bios,
    /// UEFI (GPT disk, `winload.efi`).
    Uefi,
}

/// The machine a scenario happens on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// Computer name.
    pub name: String,
    /// Windows release.
    pub os: Os,
    /// UI language.
    pub language: Language,
    /// IANA time zone of the machine's clock.
    pub time_zone: String,
    /// Firmware at the start of the story.
    pub firmware: Firmware,
    /// Seed of the background noise (same seed, same bytes).
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_seed() -> u64 {
    1
}

/// How much harmless background the bundle holds around the happenings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Noise {
    /// Only the happenings.
    None,
    /// A boot every few days.
    Light,
    /// Daily use: boots, service changes, update installs, harmless CBS noise.
    #[default]
    Normal,
}

/// Text encodings a console output can be saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 without BOM (PowerShell 7).
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-16LE with BOM (PowerShell 5 `>`).
    #[serde(rename = "utf-16le-bom")]
    Utf16leBom,
    /// CP932 (cmd.exe `>` on Japanese Windows).
    Cp932,
}

/// What was collected.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collect {
    /// First day the logs cover.
    pub from: Date,
    /// The day the files were collected (logs end then).
    pub to: Date,
    /// File names to write (see `bundle::FileKind` for the known names).
    pub files: Vec<String>,
    /// Encoding of saved console output (vssadmin, bcdedit).
    #[serde(default)]
    pub console_encoding: TextEncoding,
    /// Background noise.
    #[serde(default)]
    pub noise: Noise,
}

/// Errors reading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The TOML does not describe a scenario.
    #[error("{path}: {message}")]
    Invalid {
        /// The scenario file.
        path: String,
        /// What is wrong, with the line.
        message: String,
    },
}

impl Scenario {
    /// Reads a scenario from TOML text; `path` names it in errors.
    pub fn from_toml(path: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Invalid {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        scenario.check().map_err(|message| ScenarioError::Invalid {
            path: path.to_string(),
            message,
        })?;
        Ok(scenario)
    }

    fn check(&self) -> Result<(), String> {
        jiff::tz::TimeZone::get(&self.machine.time_zone)
            .map_err(|_| format!("unknown time zone '{}'", self.machine.time_zone))?;
        if self.collect.to < self.collect.from {
            return Err("collect.to is before collect.from".to_string());
        }
        for happening in &self.happenings {
            let day = happening.at.date();
            if day < self.collect.from || day > self.collect.to {
                return Err(format!(
                    "happening at {} lies outside collect.from..collect.to",
                    happening.at
                ));
            }
        }
        Ok(())
    }

    /// The happenings in time order (stable for equal times).
    pub fn sorted_happenings(&self) -> Vec<&Happening> {
        let mut sorted: Vec<&Happening> = self.happenings.iter().collect();
        sorted.sort_by_key(|h| h.at);
        sorted
    }
}

/// Parses `2012-10-21` (noon) or `2012-10-21 14:30[:05]` local time.
pub fn parse_local(text: &str) -> Result<DateTime, String> {
    let text = text.trim();
    if !text.contains(':') {
        if let Ok(date) = text.parse::<Date>() {
            return Ok(date.at(12, 0, 0, 0));
        }
    }
    let normalized = text.replace(' ', "T");
    normalized
        .parse::<DateTime>()
        .map_err(|_| format!("'{text}' is not a date or local date-time (2012-10-21 or 2012-10-21 14:30)"))
}

#[cfg(test)]
mod tests {
    use super::parse_local;

    #[test]
    fn local_times_with_and_without_a_clock() {
        assert_eq!(
            parse_local("2012-10-20").map(|t| t.to_string()),
            Ok("2012-10-20T12:00:00".to_string())
        );
        assert_eq!(
            parse_local("2012-10-20 10:05").map(|t| t.to_string()),
            Ok("2012-10-20T10:05:00".to_string())
        );
        assert_eq!(
            parse_local("2012-10-20 10:05:07").map(|t| t.to_string()),
            Ok("2012-10-20T10:05:07".to_string())
        );
        assert!(parse_local("October").is_err());
    }
}
