//! The `backupdiag-forge` command: scenario file in, case bundle (folder or `.zip`) out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use backupdiag_forge::bundle;
use backupdiag_forge::scenario::Scenario;

/// Writes a realistic case bundle (real .evtx included) from a scenario file.
#[derive(Debug, Parser)]
#[command(name = "backupdiag-forge", version, about)]
struct Cli {
    /// The scenario (TOML).
    scenario: PathBuf,
    /// Output folder, or a path ending in `.zip`.
    #[arg(long, short)]
    out: PathBuf,
    /// Multiply the background noise (benchmarks: about 1 MiB of evtx per scenario-day at 20).
    #[arg(long, default_value_t = 1)]
    scale: u32,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("backupdiag-forge: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(&cli.scenario).with_context(|| format!("cannot read {}", cli.scenario.display()))?;
    let mut scenario = Scenario::from_toml(&cli.scenario.display().to_string(), &text)?;
    if let Some(seed) = cli.seed {
        scenario.machine.seed = seed;
    }
    let zip = cli.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let summary = if zip {
        bundle::write_zip(&scenario, &cli.out, cli.scale)?
    } else {
        bundle::write_folder(&scenario, &cli.out, cli.scale)?
    };
    for (file, records) in &summary.records {
        println!("{records:>10}  {file}");
    }
    Ok(())
}
