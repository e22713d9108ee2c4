//! The `backupdiag` command: parse flags, run, map the outcome to an exit code.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use backupdiag::cli::Cli;
use backupdiag::ExitStatus;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                code(ExitStatus::Failure)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let config = match cli.into_config() {
        Ok(config) => backupdiag::config::Config {
            exits_after: true,
            ..config
        },
        Err(message) => {
            eprintln!("backupdiag: {message}");
            return code(ExitStatus::Failure);
        }
    };
    // Neither stream is locked for the run: the progress bar writes to stderr from its own
    // thread while the work goes on (each write takes the lock for itself).
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    let mut err = io::stderr();
    match backupdiag::run(&config, &mut out, &mut err) {
        Ok(status) => code(status),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "backupdiag: cannot write output: {e}");
            code(ExitStatus::Failure)
        }
    }
}

fn code(status: ExitStatus) -> ExitCode {
    ExitCode::from(status as u8)
}
