//! The `nianbao` binary: a thin front that parses arguments, runs the command line or the
//! desktop app, and maps errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use nianbao::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.is_none() {
        return desktop(cli.db);
    }
    match cli::run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("错误：{}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Opens the desktop app on `db` (else the last file, else the welcome screen).
fn desktop(db: Option<std::path::PathBuf>) -> ExitCode {
    match nianbao::ui::run(db) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::from(2)
        }
    }
}
