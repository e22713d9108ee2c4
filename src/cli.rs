//! The command line (clap derive), turned into a validated [`Config`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, AnalyzeFormat, Command, Config, InputsFormat, TimelineFormat};
use crate::input::InputLimits;
use crate::model::Zone;

/// Offline diagnosis of failed Windows backups from collected logs.
///
/// backupdiag reads exported .evtx logs, CBS.log / CbsPersist logs and cabinets, dism.log,
/// Panther setup logs, `vssadmin list writers`, `bcdedit /enum` and `msinfo32` reports, from
/// files, folders and .zip archives. It only reads: inputs are never modified.
#[derive(Debug, Parser)]
#[command(name = "backupdiag", version, about, long_about, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: CliCommand,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    color: ColorArg,
    /// Language of reports, rules and the collect script: en, ja (default: ja on a terminal
    /// whose locale is Japanese, else en).
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    lang: Option<LangArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

const EXIT_CODES: &str = "Exit codes:
  0  every input was read
  1  something was read, but some inputs failed or were damaged (each named on stderr)
  2  usage error, or nothing readable
  3  analyze --fail-on LEVEL: a hypothesis at or above LEVEL was found (wins over 1)";

const MAIN_EXAMPLES: &str = "Examples:
  backupdiag analyze --tz Asia/Tokyo case/         diagnose a folder of collected logs
  backupdiag analyze case.zip --format json        the diagnosis as JSON, for a ticket
  backupdiag analyze pasted-events.txt             events pasted from Event Viewer
  backupdiag explain SVC001                        one rule, by code or cause id

Exit codes:
  0  every input was read
  1  something was read, but some inputs failed or were damaged (each named on stderr)
  2  usage error, or nothing readable
  3  analyze --fail-on LEVEL: a hypothesis at or above LEVEL was found (wins over 1)";

const ANALYZE_EXAMPLES: &str = "Examples:
  backupdiag analyze --tz Asia/Tokyo case/
  backupdiag analyze System.evtx Application.evtx CBS.log vssadmin.txt
  backupdiag analyze case.zip --format json > diagnosis.json
  backupdiag analyze case/ --format markdown --redact > ticket.md
  backupdiag analyze case/ --format html > case.html the history drawn, one file to attach
  backupdiag analyze case/ --lang ja                the report in Japanese
  backupdiag analyze case/ --fail-on medium         exit 3 when a cause reaches medium
  Get-Clipboard | backupdiag analyze -             (PowerShell) text copied from Event Viewer";

const INPUTS_EXAMPLES: &str = "Examples:
  backupdiag inputs case/                          what each file was read as
  backupdiag inputs case.zip --format json";

const TIMELINE_EXAMPLES: &str = "Examples:
  backupdiag timeline --tz Asia/Tokyo case/
  backupdiag timeline case/ --since 2024-05-01 --until '2024-05-20 12:00'
  backupdiag timeline case/ --format jsonl > timeline.jsonl";

const RULES_EXAMPLES: &str = "Examples:
  backupdiag rules";

const EXPLAIN_EXAMPLES: &str = "Examples:
  backupdiag explain SVC001
  backupdiag explain required-service-disabled";

fn with_exit_codes(examples: &str) -> String {
    format!("{examples}\n\n{EXIT_CODES}")
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Diagnose why backups fail: ranked root-cause hypotheses with evidence and repair steps,
    /// the machine's history, and the logs still missing.
    #[command(after_help = with_exit_codes(ANALYZE_EXAMPLES))]
    Analyze {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnalyzeFormatArg::Table)]
        format: AnalyzeFormatArg,
        /// Exit with 3 when a hypothesis at or above this level is found (for CI).
        #[arg(long, value_enum, value_name = "LEVEL")]
        fail_on: Option<LevelArg>,
    },
    /// List the diagnosis rules.
    #[command(after_help = with_exit_codes(RULES_EXAMPLES))]
    Rules,
    /// Print one rule: what it detects, why it matters, what to check, how to repair.
    #[command(after_help = with_exit_codes(EXPLAIN_EXAMPLES))]
    Explain {
        /// A rule code (SVC001), a cause id (required-service-disabled), or an error code
        /// (0x8007045D, 1117, -2147023779).
        #[arg(allow_hyphen_values = true)]
        code: String,
    },
    /// List what was found under the given paths and what was read from each file.
    #[command(after_help = with_exit_codes(INPUTS_EXAMPLES))]
    Inputs {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = InputsFormatArg::Table)]
        format: InputsFormatArg,
    },
    /// Print every timed event of every file as one time-sorted timeline.
    #[command(after_help = with_exit_codes(TIMELINE_EXAMPLES))]
    Timeline {
        #[command(flatten)]
        common: Common,
        /// Output format (jsonl: one JSON object per event on stdout, warnings on stderr).
        #[arg(long, value_enum, default_value_t = TimelineFormatArg::Table)]
        format: TimelineFormatArg,
        /// Keep events at or after this time (2012-10-21, '2012-10-21 08:00', RFC 3339).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Keep events at or before this time.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
    },
    /// Diagnose many cases at once: each subfolder, .zip or file of DIR is one case, analysed in
    /// parallel; one JSON object per case on stdout (or one report per case in --out-dir), a
    /// summary table on stderr.
    #[command(after_help = with_exit_codes(BATCH_EXAMPLES))]
    Batch {
        /// The folder of cases.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The format of the reports written to --out-dir (stdout is always JSON Lines).
        #[arg(long, value_enum, default_value_t = AnalyzeFormatArg::Json)]
        format: AnalyzeFormatArg,
        /// Write one report per case here (`<case>.json`, `.md` or `.txt`) instead of JSON Lines.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Process the K-th of N stable shares of the cases (by name): 1/4, 2/4, ...
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Exit with 3 when a case has a hypothesis at or above this level.
        #[arg(long, value_enum, value_name = "LEVEL")]
        fail_on: Option<LevelArg>,
        /// The machines' time zone (as for analyze).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Redact every report (as for analyze).
        #[arg(long)]
        redact: bool,
        /// Never show a progress bar.
        #[arg(long)]
        no_progress: bool,
    },
    /// Print a PowerShell script that collects exactly the logs backupdiag reads, into a new
    /// folder (zipped where PowerShell 5 is there); it reads the system and changes nothing.
    #[command(after_help = with_exit_codes(COLLECT_EXAMPLES))]
    CollectScript,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    En,
    Ja,
}

const BATCH_EXAMPLES: &str = "Examples:
  backupdiag batch cases/ > results.jsonl
  backupdiag batch cases/ --out-dir reports/ --format markdown
  backupdiag batch cases/ --shard 2/8 --fail-on high     one of 8 CI jobs";

const COLLECT_EXAMPLES: &str = "Examples:
  backupdiag collect-script > collect.ps1
  backupdiag collect-script --lang ja > collect.ps1";

#[derive(Debug, Args)]
struct Common {
    /// Files, folders (read recursively), .zip archives (read in place), named pipes, and `-`
    /// for standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The machine's time zone: a UTC offset (+09:00) or an IANA name (Asia/Tokyo). Used for
    /// local-time logs that do not state their offset, and to show times.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Never show a progress line.
    #[arg(long)]
    no_progress: bool,
    /// Keep only this computer's logs, when the logs come from several (text logs without a
    /// computer name follow the folder or archive they came in).
    #[arg(long, value_name = "NAME")]
    computer: Option<String>,
    /// Replace computer, user and domain names, user SIDs, profile paths and e-mail addresses by
    /// tokens (COMPUTER-1, USER-1, ...), the same name by the same token, in every format.
    #[arg(long)]
    redact: bool,
    /// Most bytes read from standard input or a named pipe (K, M, G suffixes, powers of 1024);
    /// regular files have no such limit. A longer stream is read up to here and reported.
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_size)]
    max_stream: u64,
    /// Most records read from one file (evtx records, text-log lines, pasted events): the work
    /// budget that bounds an endless or hostile file. Reaching it is reported with the file.
    #[arg(long, value_name = "N", default_value_t = InputLimits::default().max_records, value_parser = clap::value_parser!(u64).range(1..))]
    max_records: u64,
}

/// A size with an optional K, M, G or T suffix (powers of 1024): `512M`, `4G`, `1048576`.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((at, unit)) if unit.is_ascii_alphabetic() => {
            let shift = match unit.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("'{text}': the unit must be K, M, G or T")),
            };
            (&text[..at], shift)
        }
        _ => (text, 0),
    };
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a size (a number, optionally followed by K, M, G or T)"))?;
    number
        .checked_mul(1u64 << shift)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("'{text}' is not a size backupdiag can use (zero or too large)"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AnalyzeFormatArg {
    Table,
    Json,
    Markdown,
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LevelArg {
    Low,
    Medium,
    High,
}

impl From<AnalyzeFormatArg> for AnalyzeFormat {
    fn from(format: AnalyzeFormatArg) -> AnalyzeFormat {
        match format {
            AnalyzeFormatArg::Table => AnalyzeFormat::Table,
            AnalyzeFormatArg::Json => AnalyzeFormat::Json,
            AnalyzeFormatArg::Markdown => AnalyzeFormat::Markdown,
            AnalyzeFormatArg::Html => AnalyzeFormat::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InputsFormatArg {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TimelineFormatArg {
    Table,
    Jsonl,
    Csv,
    Timesketch,
}

impl Cli {
    /// Validates the parsed command line into a [`Config`].
    pub fn into_config(self) -> Result<Config, config::UsageError> {
        let lang = config::Lang::detect(self.lang.map(|l| match l {
            LangArg::En => config::Lang::En,
            LangArg::Ja => config::Lang::Ja,
        }));
        let config = self.command_config(lang)?;
        Ok(Config { lang, ..config })
    }

    fn command_config(self, lang: config::Lang) -> Result<Config, config::UsageError> {
        let color = match self.color {
            ColorArg::Auto => config::ColorChoice::Auto,
            ColorArg::Always => config::ColorChoice::Always,
            ColorArg::Never => config::ColorChoice::Never,
        };
        let level = |l: LevelArg| match l {
            LevelArg::Low => crate::rules::Level::Low,
            LevelArg::Medium => crate::rules::Level::Medium,
            LevelArg::High => crate::rules::Level::High,
        };
        let (common, command) = match self.command {
            CliCommand::CollectScript => {
                let japanese = lang == config::Lang::Ja;
                return Ok(Config {
                    color,
                    ..Config::without_inputs(Command::CollectScript { japanese })
                });
            }
            CliCommand::Batch {
                dir,
                format,
                out_dir,
                shard,
                fail_on,
                tz,
                redact,
                no_progress,
            } => {
                let format = AnalyzeFormat::from(format);
                let shard = shard.as_deref().map(config::parse_shard).transpose()?;
                return Ok(Config {
                    zone: tz.as_deref().map(Zone::parse).transpose()?,
                    paths: vec![dir],
                    progress: !no_progress,
                    color,
                    redact,
                    ..Config::without_inputs(Command::Batch {
                        format,
                        out_dir,
                        shard,
                        fail_on: fail_on.map(level),
                    })
                });
            }
            CliCommand::Rules => {
                return Ok(Config {
                    color,
                    ..Config::without_inputs(Command::Rules)
                })
            }
            CliCommand::Explain { code } => {
                return Ok(Config {
                    color,
                    ..Config::without_inputs(Command::Explain { code })
                })
            }
            CliCommand::Analyze {
                common,
                format,
                fail_on,
            } => {
                let format = AnalyzeFormat::from(format);
                let fail_on = fail_on.map(level);
                (common, Command::Analyze { format, fail_on })
            }
            CliCommand::Inputs { common, format } => {
                let format = match format {
                    InputsFormatArg::Table => InputsFormat::Table,
                    InputsFormatArg::Json => InputsFormat::Json,
                };
                (common, Command::Inputs { format })
            }
            CliCommand::Timeline {
                common,
                format,
                since,
                until,
            } => {
                let zone = common.tz.as_deref().map(Zone::parse).transpose()?;
                let bound = |t: Option<String>| t.map(|t| config::parse_time_bound(&t, zone.as_ref())).transpose();
                let format = match format {
                    TimelineFormatArg::Table => TimelineFormat::Table,
                    TimelineFormatArg::Jsonl => TimelineFormat::Jsonl,
                    TimelineFormatArg::Csv => TimelineFormat::Csv,
                    TimelineFormatArg::Timesketch => TimelineFormat::Timesketch,
                };
                let (since, until) = (bound(since)?, bound(until)?);
                if let (Some(s), Some(u)) = (since, until) {
                    if s > u {
                        return Err(config::UsageError::Window { since: s, until: u });
                    }
                }
                let command = Command::Timeline { format, since, until };
                (common, command)
            }
        };
        Ok(Config {
            exits_after: false,
            zone: common.tz.as_deref().map(Zone::parse).transpose()?,
            paths: common.paths,
            progress: !common.no_progress,
            computer: common.computer,
            color,
            redact: common.redact,
            limits: InputLimits {
                max_stream_bytes: common.max_stream,
                max_records: common.max_records,
                ..InputLimits::default()
            },
            command,
            lang,
        })
    }
}
