//! Arguments a careless user types: an export over the data file, a bad year for a new
//! file, a year that was never opened, a user who does not exist, a file in a read-only
//! folder.

use super::support::{Demo, nianbao, stderr, stdout};

#[test]
fn an_export_over_the_data_file_is_refused_and_writes_nothing() {
    let demo = Demo::new();
    let before = std::fs::read(&demo.db).unwrap();
    let wal = format!("{}-wal", demo.db());
    let fine = demo.path("报告.txt");
    let fine_docx = demo.path("报告.docx");
    for (flag, target) in [
        ("--pdf", demo.db()),
        ("--docx", demo.db()),
        ("--text", demo.db()),
        ("--pdf", wal.as_str()),
    ] {
        // beside the refused output, one that alone would be fine
        let (other_flag, other) = if flag == "--text" {
            ("--docx", &fine_docx)
        } else {
            ("--text", &fine)
        };
        let out = nianbao(&[
            "export",
            "--db",
            demo.db(),
            "--year",
            "2019",
            "--template",
            "work-summary",
            other_flag,
            other.to_str().unwrap(),
            flag,
            target,
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag} {target}");
        assert!(
            stderr(&out).contains("不能导出到数据文件本身"),
            "{}",
            stderr(&out)
        );
        assert!(!other.exists(), "no output is written when one is refused");
    }
    assert_eq!(std::fs::read(&demo.db).unwrap(), before);
    // The same file under another spelling of its path is caught too.
    let sub = demo.path("sub");
    std::fs::create_dir(&sub).unwrap();
    let other = sub.join("../demo.db");
    let out = nianbao(&[
        "export",
        "--db",
        demo.db(),
        "--year",
        "2019",
        "--template",
        "annual-report",
        "--pdf",
        other.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&demo.db).unwrap(), before);
}

#[test]
fn a_failed_init_leaves_no_file_and_the_retry_works() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("新机关.db");
    let db = db.to_str().unwrap();
    let out = nianbao(&["init", "--db", db, "--agency", "某局", "--year", "99999"]);
    assert_eq!(out.status.code(), Some(1), "a bad year is bad data");
    assert!(stderr(&out).contains("年份无效：99999"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing is left in the folder"
    );
    let out = nianbao(&["init", "--db", db, "--agency", "某局", "--year", "2026"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["新机关.db"]);
    let again = nianbao(&["init", "--db", db, "--agency", "某局", "--year", "2026"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("文件已存在"), "{}", stderr(&again));
}

#[test]
fn a_year_never_opened_fails_the_same_way_everywhere() {
    let demo = Demo::new();
    for command in ["values", "check", "catalog"] {
        let out = nianbao(&[command, "--db", demo.db(), "--year", "1800"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            stderr(&out).contains("1800年没有指标目录"),
            "{command}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{command}: {}", stdout(&out));
    }
}

#[test]
fn an_unknown_user_is_refused_by_reading_commands_too() {
    let demo = Demo::new();
    for command in ["check", "values", "catalog"] {
        let out = nianbao(&[
            command,
            "--db",
            demo.db(),
            "--year",
            "2019",
            "--user",
            "nobody",
        ]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            stderr(&out).contains("未知的用户：nobody"),
            "{command}: {}",
            stderr(&out)
        );
    }
}

/// A file in a folder its user cannot write: reading commands work (the file is opened
/// read-only), writing commands say it is read-only, and nothing changes. Root may write
/// anywhere, so as root the commands run as the unprivileged `nobody` (setpriv).
#[cfg(unix)]
#[test]
fn a_file_in_a_read_only_folder_is_read_and_not_called_damaged() {
    use std::os::unix::fs::PermissionsExt;
    let demo = Demo::new();
    let folder = demo.path("只读");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("年报.db");
    std::fs::copy(&demo.db, &db).unwrap();
    let db = db.to_str().unwrap().to_string();
    let csv = demo.path("v.csv");
    std::fs::write(
        &csv,
        "year,month,division,metric,value\n2019,12,news,news.weibo,9\n",
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    for path in [demo.dir.path(), folder.as_path()] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&csv, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let run = |args: &[&str]| {
        let bin = env!("CARGO_BIN_EXE_nianbao");
        let mut command = if is_root() {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", bin]);
            c
        } else {
            std::process::Command::new(bin)
        };
        command.args(args).output().expect("nianbao runs")
    };
    let check = run(&["check", "--db", &db, "--year", "2019"]);
    assert!(
        stdout(&check).contains("2019年检查完成"),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    let values = run(&[
        "values",
        "--db",
        &db,
        "--year",
        "2019",
        "--division",
        "news",
    ]);
    assert!(values.status.success(), "{}", stderr(&values));
    assert!(stdout(&values).contains("news.weibo"));
    let import = run(&[
        "import",
        "--db",
        &db,
        "--year",
        "2019",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        import.status.code(),
        Some(3),
        "not allowed: the file is read-only"
    );
    let message = stderr(&import);
    assert!(message.contains("只读"), "{message}");
    assert!(!message.contains("损坏"), "{message}");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
}

#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}
