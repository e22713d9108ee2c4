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
        Ok(config) => config,
        Err(message) => {
            eprintln!("backupdiag: {message}");
            return code(ExitStatus::Failure);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut err = io::stderr().lock();
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
