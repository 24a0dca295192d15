//! The `nianbao` binary: a thin front that parses arguments, runs the command line or the
//! desktop app, and maps errors to exit codes.
//!
//! On Windows the exe is a GUI program, so no console window opens when it is started
//! from Explorer. Started with arguments from a console, it attaches to that console
//! first so that the subcommands' output, `--help` and errors are printed there; output
//! redirected to a file or a pipe stays redirected. The exit status is the same on every
//! platform (an interactive cmd.exe does not wait for a GUI program; a batch file,
//! `start /wait` and a script capturing the output do).

#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use nianbao::cli::{self, Cli};

fn main() -> ExitCode {
    if std::env::args_os().len() > 1 {
        attach_parent_console();
    }
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

/// Windows: use the console of the program that started us (cmd, PowerShell), if any.
/// A standard handle that was inherited as a file or a pipe (`nianbao check … > out.txt`,
/// a script capturing the output) is put back after attaching, since `AttachConsole` may
/// replace it with the console. Without a parent console (Explorer, a shortcut) nothing
/// changes.
#[cfg(windows)]
fn attach_parent_console() {
    use windows_sys::Win32::Storage::FileSystem::{FILE_TYPE_DISK, FILE_TYPE_PIPE, GetFileType};
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_INPUT_HANDLE,
        STD_OUTPUT_HANDLE, SetStdHandle,
    };
    let which = [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE];
    // SAFETY: plain Win32 calls on this process's own standard handles; a handle that
    // is null or invalid makes GetFileType return FILE_TYPE_UNKNOWN and is not kept.
    unsafe {
        let inherited = which.map(|std| {
            let handle = GetStdHandle(std);
            let kind = GetFileType(handle);
            (
                std,
                handle,
                kind == FILE_TYPE_DISK || kind == FILE_TYPE_PIPE,
            )
        });
        if AttachConsole(ATTACH_PARENT_PROCESS) == 0 {
            return;
        }
        for (std, handle, keep) in inherited {
            if keep {
                SetStdHandle(std, handle);
            }
        }
    }
}
#[cfg(not(windows))]
fn attach_parent_console() {}
