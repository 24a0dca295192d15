//! Helpers of the hostile-input tests: the CLI run on a demo file, and a fingerprint of
//! everything a command must leave unchanged.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the `nianbao` binary with `args`.
pub fn nianbao(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .expect("the nianbao binary runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary folder with the demo file `demo.db` in it.
pub struct Demo {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Demo {
    pub fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        nianbao::demo::create(&db).unwrap();
        Demo { dir, db }
    }

    pub fn db(&self) -> &str {
        self.db.to_str().unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every stored value and every audit row, as text: equal before and after a
    /// command that must write nothing.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.db)
    }
}

/// The values and the audit log of the file at `db`.
pub fn fingerprint(db: &Path) -> String {
    let store = nianbao::store::Store::open(db).unwrap();
    let values = store.stored_values(0..=9999, None, None).unwrap();
    let audit = store
        .audit_log(&nianbao::store::AuditFilter::default())
        .unwrap();
    format!("{values:?}\n{audit:?}")
}
