//! The command line's exit status by error kind (README "Command line", `cli::exit`):
//! scripts tell "fix the data" (1) from "could not run" (2), "not allowed" (3) and
//! "busy, retry" (4, tested with two writers in tests/cli.rs), and every message is
//! Chinese. Each case also checks that the file was left as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("演示.db");
    assert!(
        run(&["demo", "--db", db.to_str().unwrap()])
            .status
            .success()
    );
    db
}

#[test]
fn what_a_user_may_not_do_is_status_3() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = std::fs::read(&db).unwrap();
    let out = run(&[
        "year",
        "--db",
        db.to_str().unwrap(),
        "--user",
        "huang.leader",
        "--open",
        "2020",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("没有权限：只有办公室可以"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing written");
}

#[test]
fn a_sheet_with_a_wrong_header_is_a_data_problem_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let csv = dir.path().join("表头错.csv");
    std::fs::write(&csv, "年,月,处室,指标,数值\n2019,12,news,news.original,1\n").unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = run(&[
        "import",
        "--db",
        db.to_str().unwrap(),
        "--year",
        "2019",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("表头不正确"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_file_of_no_known_version_could_not_run_status_2_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", 0).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let out = run(&["catalog", "--db", db.to_str().unwrap(), "--year", "2019"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("数据文件的版本号不对（文件版本 0"),
        "{message}"
    );
    assert!(!message.contains("Query is not read-only"), "{message}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "refused untouched");
}
