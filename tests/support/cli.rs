//! Running the `nianbao` binary for the end-to-end tests (`tests/cli.rs`, `tests/prose.rs`,
//! `tests/import_report.rs`, `tests/import_report_pdf.rs` pull this file in with `#[path]`): one run, its exit code
//! checked with the output shown when it is not the expected one, and the files most
//! tests start from (the demo, a new agency's file, a CSV sheet).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn nianbao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

pub fn run(args: &[&str]) -> Output {
    nianbao().args(args).output().expect("run nianbao")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `nianbao args` and asserts its exit code (0 ok, 1 findings or refused rows, 2
/// could not run), showing the command and its output when the code is another.
pub fn run_expecting(code: i32, args: &[&str]) -> Output {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "nianbao {args:?}\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// Runs `nianbao args`, which must succeed; returns its standard output.
pub fn ok(args: &[&str]) -> String {
    text(&run_expecting(0, args).stdout)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// `nianbao demo` into `dir/演示 数据.db` (a space and Chinese in the path on purpose).
pub fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("演示 数据.db");
    ok(&["demo", "--db", path_str(&db)]);
    db
}

/// `nianbao init`: a new file `dir/name` for `agency` with `year` open.
pub fn init(dir: &Path, name: &str, agency: &str, year: i32) -> PathBuf {
    let db = dir.join(name);
    let year = year.to_string();
    ok(&[
        "init",
        "--db",
        path_str(&db),
        "--agency",
        agency,
        "--year",
        &year,
    ]);
    db
}

/// `nianbao import --db db --year year sheet`, which must exit with `code`.
pub fn import_expecting(code: i32, db: &Path, year: i32, sheet: &Path) -> Output {
    let year = year.to_string();
    run_expecting(
        code,
        &[
            "import",
            "--db",
            path_str(db),
            "--year",
            &year,
            path_str(sheet),
        ],
    )
}

/// `nianbao import-report --db db --year year [extra…] report`.
pub fn import_report(db: &Path, year: i32, report: &Path, extra: &[&str]) -> Output {
    let year = year.to_string();
    let mut args = vec!["import-report", "--db", path_str(db), "--year", &year];
    args.extend_from_slice(extra);
    args.push(path_str(report));
    run(&args)
}

/// `nianbao check --db db --year 2019 --prose file [extra…]` (2019: the demo's year).
pub fn check_prose(db: &Path, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        "--db",
        path_str(db),
        "--year",
        "2019",
        "--prose",
        path_str(file),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// `nianbao values --db db --year year`: every stored value as CSV.
pub fn values(db: &Path, year: i32) -> String {
    ok(&["values", "--db", path_str(db), "--year", &year.to_string()])
}

/// The national table figures stored for `year`: code → value text (`""` = blank).
pub fn national(db: &Path, year: i32) -> std::collections::BTreeMap<String, String> {
    values(db, year)
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<&str>>())
        .filter(|f| ["t2.", "t3.", "t4."].iter().any(|p| f[3].starts_with(p)))
        .map(|f| (f[3].to_string(), f[4].to_string()))
        .collect()
}

/// Writes `contents` to `dir/name` and returns its path.
pub fn write_file(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write a test file");
    path
}
