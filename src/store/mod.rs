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
mod register;
mod schema;
mod settings;
mod submissions;
mod values;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rust_decimal::Decimal;
use thiserror::Error;

use crate::model::{
    Aggregation, Division, Metric, MonthStatus, Narrative, OFFICE, Period, Role, StoredValue, User,
    ValueKind, YearData,
};
use crate::value::{self, ValueError};

pub use audit::{AuditEntry, AuditFilter};
use audit::{audit, audit_with};
pub use catalogue::OpenedYear;
pub use drafts::{Approval, Draft, DraftComment, DraftStatus};
pub use file::{JournalMode, journal_mode_for};
pub use org::{NewUser, UserProfile};
pub use register::{REGISTER_AUTHOR, TableSource};
pub use schema::VERSION as SCHEMA_VERSION;
pub use values::{ValueWrite, WriteRights, WriteSummary};

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
    #[error(
        "数据文件是只读的（文件或所在文件夹没有写入权限）：{0}；查看和导出仍可进行，修改数据请把文件复制到可写的文件夹，或请管理员开放写入权限"
    )]
    ReadOnlyFile(PathBuf),
    #[error(
        "数据文件来自旧版本，需要升级后才能使用，但文件是只读的：{0}；请把文件复制到可写的文件夹后再打开"
    )]
    ReadOnlyNeedsUpgrade(PathBuf),
    #[error(
        "数据文件的版本号不对（文件版本 {found}，年报的文件从版本 {} 起），不是年报正常创建的文件或已损坏；文件未作任何修改",
        schema::FIRST_VERSION
    )]
    UnknownVersion { found: i32 },
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
    #[error("数据文件中的设置“{key}”无效：“{value}”不是{expected}；请在设置中重新填写")]
    BadSetting {
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error(
        "数据文件是只读的，不能保存（请检查文件的“只读”属性和所在文件夹的权限，或把文件复制到可写的位置再打开）；本次修改未保存"
    )]
    ReadOnly,
    #[error("磁盘已满，数据文件写不下；请腾出磁盘空间后重试（本次修改未保存）")]
    DiskFull,
    #[error("读写数据文件时磁盘出错（{0}）；请检查磁盘或网络盘是否可用，然后重试")]
    DiskIo(String),
    #[error("无法打开数据文件：文件夹不存在、没有访问权限，或文件被其他程序占用（{0}）")]
    CannotOpen(String),
    #[error("数据文件操作失败（{0}）")]
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
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::SystemIoFailure) => StoreError::DiskIo(e.to_string()),
            Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::CannotOpen(e.to_string())
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

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
    /// Read-only, and promised unchanged while open (`immutable=1`): SQLite then needs no
    /// lock or `-shm` file beside it, which a read-only folder cannot hold.
    Immutable,
}

impl Access {
    fn connect(self, path: &Path) -> Result<Connection> {
        use rusqlite::OpenFlags;
        let common = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        Ok(match self {
            Access::ReadWrite => {
                Connection::open_with_flags(path, common | OpenFlags::SQLITE_OPEN_READ_WRITE)?
            }
            Access::ReadOnly => {
                Connection::open_with_flags(path, common | OpenFlags::SQLITE_OPEN_READ_ONLY)?
            }
            Access::Immutable => Connection::open_with_flags(
                file::immutable_uri(path)?,
                common | OpenFlags::SQLITE_OPEN_READ_ONLY,
            )?,
        })
    }
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Store {
    /// Creates a new file with the current schema and the agency's name. Refuses to touch
    /// an existing file.
    pub fn create(path: &Path, agency: &str) -> Result<Store> {
        Ok(Store::create_with(path, agency, |_| Ok(()))?.0)
    }

    /// Creates a new file and fills it with `build`, complete or not at all: the file is
    /// built under a temporary name in the same folder and renamed into place only when
    /// `build` succeeded, so a failure (a bad year, a full disk, a crash) leaves no file
    /// behind to be refused as "already exists" on the retry. Never replaces a file that
    /// appeared at `path` meanwhile.
    pub fn create_with<T>(
        path: &Path,
        agency: &str,
        build: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<(Store, T)> {
        if path.exists() {
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        let agency = agency.trim();
        if agency.is_empty() {
            return Err(StoreError::Invalid("机关名称不能为空".into()));
        }
        let folder = crate::output::folder_of(path);
        let partial = crate::output::temp_file_in(folder, ".new")?.into_temp_path();
        let built = {
            let mut store = Store {
                conn: Connection::open(&partial)?,
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
            let built = build(&mut store)?;
            // Closing checkpoints the write-ahead log into the file and removes it.
            store.conn.close().map_err(|(_, e)| StoreError::from(e))?;
            built
        };
        partial.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                StoreError::AlreadyExists(path.to_path_buf())
            } else {
                StoreError::Io(e.error)
            }
        })?;
        Ok((Store::open(path)?, built))
    }

    /// Opens an existing file, upgrading an older schema inside a transaction. A file that
    /// is missing, not a database, truncated, someone else's, or from a newer version is
    /// refused and left exactly as it was; a file that cannot be written (a read-only file
    /// or folder) is refused as [`StoreError::ReadOnly`].
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, Access::ReadWrite)
    }

    /// Opens an existing file for reading only (the commands that only read: `check`,
    /// `values`, `catalog`, `export`). Works on a file in a read-only folder too, where
    /// SQLite cannot create the write-ahead log's index beside it: the file is then opened
    /// as immutable. A file whose schema would need an upgrade is refused, since an upgrade
    /// is a write.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open_with(path, Access::ReadOnly).or_else(|e| match e {
            StoreError::ReadOnlyFile(_) => Store::open_with(path, Access::Immutable),
            other => Err(other),
        })
    }

    fn open_with(path: &Path, access: Access) -> Result<Store> {
        file::check_header(path)?;
        let conn = access.connect(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let read = |pragma: &str| -> Result<i32> {
            conn.pragma_query_value(None, pragma, |r| r.get(0))
                .map_err(|e| match read_only(e, path) {
                    StoreError::Corrupt(_) | StoreError::DiskIo(_) | StoreError::Sqlite(_) => {
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
        if version < schema::FIRST_VERSION {
            return Err(StoreError::UnknownVersion { found: version });
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
        if access != Access::ReadWrite {
            if version < schema::VERSION {
                return Err(StoreError::ReadOnlyNeedsUpgrade(path.to_path_buf()));
            }
            store.conn.pragma_update(None, "query_only", true)?;
            return Ok(store);
        }
        store.configure().map_err(|e| match e {
            StoreError::Sqlite(e) => read_only(e, path),
            other => other,
        })?;
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

    /// The agency's full name (机关名称).
    pub fn agency(&self) -> Result<String> {
        Ok(self.meta(settings::AGENCY)?.unwrap_or_default())
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

/// The years a file can hold: checked before anything is written for one.
fn require_valid_year(year: i32) -> Result<()> {
    if (1900..=9999).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "年份无效：{year}（应为 1900–9999）"
        )))
    }
}

/// SQLite's "cannot open" and "read-only" while opening a file that exists: the file or
/// its folder cannot be written (the journal beside it cannot be created).
fn read_only(e: rusqlite::Error, path: &Path) -> StoreError {
    use rusqlite::ffi::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen) => {
            StoreError::ReadOnlyFile(path.to_path_buf())
        }
        _ => e.into(),
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
