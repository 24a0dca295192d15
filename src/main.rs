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

/// The desktop app is not built yet (issue #7): prepare the demo file it will open, and
/// say plainly that the window is not available instead of pretending.
fn desktop(db: Option<std::path::PathBuf>) -> ExitCode {
    let db = match db {
        Some(db) => db,
        None => match demo_path() {
            Ok(path) => path,
            Err(message) => {
                eprintln!("错误：{message}");
                return ExitCode::from(2);
            }
        },
    };
    eprintln!(
        "桌面程序尚未提供（issue #7）。The desktop app is not available in this build yet.\n\
         数据文件：{path}\n\
         可以使用命令行，例如：\n  nianbao catalog --db \"{path}\" --year 2019\n  \
         nianbao export --db \"{path}\" --year 2019 --template work-summary --pdf 总结.pdf\n\
         nianbao --help 查看全部命令。",
        path = db.display()
    );
    ExitCode::from(2)
}

/// The demo file in the user's data folder, created on first use.
fn demo_path() -> Result<std::path::PathBuf, String> {
    let dirs =
        directories::ProjectDirs::from("cn", "nianbao", "Nianbao").ok_or("找不到用户数据目录")?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).map_err(|e| format!("无法创建 {}：{e}", dir.display()))?;
    let path = dir.join("演示数据.db");
    if !path.exists() {
        nianbao::demo::create(&path).map_err(|e| e.to_string())?;
        eprintln!("已创建演示数据：{}", path.display());
    }
    Ok(path)
}
