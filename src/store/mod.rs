//! The SQLite file (store): opening and migrations, divisions, users and roles, the
//! per-year catalogue, values, narratives, submissions, report drafts and the audit log.
//! The only module that knows the data lives in SQLite; everything else gets plain data ([`YearData`],
//! [`Metric`], …) and calls methods that check permissions.
//!
//! Rules kept here, not in the UI:
//! - every write is one transaction, and its audit rows are written in that transaction;
//! - permissions are checked against an [`Actor`] on every write (SPEC §1, §6);
//! - values are exact: integers scaled by the metric's decimal places, never floats;
//! - a file that is not ours, damaged, or from a newer version is refused untouched;
//! - a second writer waits a bounded time, then gets [`StoreError::Busy`].

mod audit;
mod catalogue;
mod drafts;
mod file;
mod org;
mod schema;
mod submissions;
mod values;
mod year_data;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rust_decimal::Decimal;
use thiserror::Error;

use crate::catalog::{Aggregation, Division, Metric, OFFICE, Period, Role, User, ValueKind};
use crate::value::{self, ValueError};

use audit::audit;
pub use audit::{AuditEntry, AuditFilter};
pub use catalogue::OpenedYear;
pub use drafts::{Approval, Draft, DraftComment, DraftStatus};
pub use file::{JournalMode, journal_mode_for};
pub use org::{NewUser, UserProfile};
pub use schema::VERSION as SCHEMA_VERSION;
pub use values::{ValueWrite, WriteRights, WriteSummary};
pub use year_data::{MonthStatus, Narrative, StoredValue, YearData};

/// How long a writer waits for another process's write to finish before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything that can go wrong in the store. Messages are plain Chinese for the UI and
/// the CLI; the variants say what a caller can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("文件不存在：{0}")]
    NotFound(PathBuf),
    #[error("文件已存在，不会覆盖：{0}")]
    AlreadyExists(PathBuf),
    #[error("不是年报数据文件（不是 SQLite 数据库，或已损坏）：{0}")]
    NotADatabase(PathBuf),
    #[error("数据文件已截断或损坏（应有 {expected} 字节，实际 {actual} 字节）：{path}")]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("这是其他程序的 SQLite 数据库，不是年报数据文件：{0}")]
    NotOurs(PathBuf),
    #[error(
        "数据文件由更新版本的年报创建（文件版本 {found}，本程序支持到 {supported}），请升级程序；文件未作任何修改"
    )]
    NewerVersion { found: i32, supported: i32 },
    #[error("数据文件正被其他人写入（已等待 {} 秒），请稍后重试", BUSY_TIMEOUT.as_secs())]
    Busy,
    #[error("没有权限：{0}")]
    PermissionDenied(String),
    #[error("{year}年{month}月已{status}，不能修改（处室：{division}）")]
    MonthClosed {
        year: i32,
        month: u8,
        division: String,
        status: &'static str,
    },
    #[error("未知的处室：{0}")]
    UnknownDivision(String),
    #[error("{year}年的指标目录中没有指标：{code}")]
    UnknownMetric { year: i32, code: String },
    #[error("未知的用户：{0}")]
    UnknownUser(String),
    #[error("用户已停用：{0}（如需恢复请联系办公室）")]
    Inactive(String),
    #[error("{0}")]
    Invalid(String),
    #[error("数值无效（{metric}）：{source}")]
    Value {
        metric: String,
        #[source]
        source: ValueError,
    },
    #[error("数据文件已损坏：{0}")]
    Corrupt(String),
    #[error("数据库错误：{0}")]
    Sqlite(rusqlite::Error),
    #[error("读写文件失败：{0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is acting: every write names one, and the store checks what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub login: String,
    pub role: Role,
    pub division: Option<String>,
}

/// An open Nianbao file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Store {
    /// Creates a new file with the current schema and the agency's name. Refuses to touch
    /// an existing file.
    pub fn create(path: &Path, agency: &str) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        let agency = agency.trim();
        if agency.is_empty() {
            return Err(StoreError::Invalid("机关名称不能为空".into()));
        }
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        let tx = store.write_tx()?;
        schema::init(&tx)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('agency', ?1)",
            params![agency],
        )?;
        tx.commit()?;
        Ok(store)
    }

    /// Opens an existing file, upgrading an older schema inside a transaction. A file that
    /// is missing, not a database, truncated, someone else's, or from a newer version is
    /// refused and left exactly as it was.
    pub fn open(path: &Path) -> Result<Store> {
        file::check_header(path)?;
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let read = |pragma: &str| -> Result<i32> {
            conn.pragma_query_value(None, pragma, |r| r.get(0))
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Corrupt(_) | StoreError::Sqlite(_) => {
                        StoreError::NotADatabase(path.to_path_buf())
                    }
                    other => other,
                })
        };
        let version = read("user_version")?;
        let app_id = read("application_id")?;
        if app_id != schema::APPLICATION_ID {
            return Err(StoreError::NotOurs(path.to_path_buf()));
        }
        if version > schema::VERSION {
            return Err(StoreError::NewerVersion {
                found: version,
                supported: schema::VERSION,
            });
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        if version < schema::VERSION {
            let tx = store.write_tx()?;
            schema::upgrade_from(&tx, version)?;
            tx.pragma_update(None, "user_version", schema::VERSION)?;
            tx.commit()?;
        }
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode = journal_mode_for(&self.path);
        self.conn
            .pragma_update_and_check(None, "journal_mode", mode.pragma(), |_| Ok(()))?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    /// A write transaction, taking the write lock at once so a second writer waits here
    /// (up to [`BUSY_TIMEOUT`]) rather than failing halfway.
    fn write_tx(&mut self) -> Result<Transaction<'_>> {
        Ok(Transaction::new(
            &mut self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A setting kept in the file (`agency`, `agency_short`, `report_date.2019`, …).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&mut self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        require_office(actor, "修改设置")?;
        let tx = self.write_tx()?;
        let old: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        audit(
            &tx,
            actor,
            "set",
            "meta",
            key,
            old.as_deref(),
            Some(value),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The agency's full name (机关名称).
    pub fn agency(&self) -> Result<String> {
        Ok(self.meta("agency")?.unwrap_or_default())
    }

    /// `PRAGMA integrity_check`: `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<()> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(result))
        }
    }
}

impl Actor {
    /// The actor that sets up a new file (`init`, `demo`) before any user exists: it may
    /// do what office staff may do, and is recorded in the log as `setup`.
    pub fn setup() -> Actor {
        Actor {
            login: "setup".into(),
            role: Role::Office,
            division: Some(OFFICE.into()),
        }
    }
}

fn unique_violation(e: rusqlite::Error, message: impl FnOnce() -> String) -> StoreError {
    if e.sqlite_error_code() == Some(rusqlite::ffi::ErrorCode::ConstraintViolation) {
        StoreError::Invalid(message())
    } else {
        e.into()
    }
}

fn require_office(actor: &Actor, what: &str) -> Result<()> {
    if actor.role == Role::Office {
        Ok(())
    } else {
        Err(StoreError::PermissionDenied(format!(
            "只有办公室可以{what}（当前用户：{}，{}）",
            actor.login,
            actor.role.label()
        )))
    }
}

/// A contact may write only for their own division; office staff for any; leaders never.
fn require_division_writer(actor: &Actor, division: &str) -> Result<()> {
    match actor.role {
        Role::Office => Ok(()),
        Role::Contact if actor.division.as_deref() == Some(division) => Ok(()),
        Role::Contact => Err(StoreError::PermissionDenied(format!(
            "处室填报员只能填报本处室的数据（{} 不能修改 {division}）",
            actor.login
        ))),
        Role::Leader => Err(StoreError::PermissionDenied(
            "领导只能查看和批注，不能修改数据".into(),
        )),
    }
}

fn ensure_division(tx: &Connection, code: &str) -> Result<()> {
    let found: Option<i64> = tx
        .query_row("SELECT 1 FROM divisions WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::UnknownDivision(code.to_string()))
}
