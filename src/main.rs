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

/// The desktop app is not built yet (issue #7); say so plainly instead of pretending.
fn desktop(db: Option<std::path::PathBuf>) -> ExitCode {
    eprintln!(
        "桌面程序尚未提供（issue #7）。The desktop app is not available in this build yet.\n\
         可以使用命令行：nianbao demo --db 演示.db；nianbao catalog --db 演示.db --year 2019；\
         nianbao import --db FILE --year Y 表格.csv；nianbao --help 查看全部命令。"
    );
    if let Some(db) = db {
        eprintln!("（指定的数据文件：{}）", db.display());
    }
    ExitCode::from(2)
}
