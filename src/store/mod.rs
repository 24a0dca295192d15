//! The store: opening and migrations, divisions, users and roles, the per-year catalogue,
//! values, narratives, submissions, report drafts and the audit log, in an SQLite file or
//! on a PostgreSQL server (`--db postgres://…`). The only module that knows where the data
//! live; everything else gets plain data ([`YearData`], [`Metric`], …) and calls methods
//! that check permissions. The store's SQL is written once against the `engine` seam;
//! `sqlite.rs` and `postgres.rs` hold what differs.
//!
//! Rules kept here, not in the UI:
//! - every write is one transaction, and its audit rows are written in that transaction;
//! - permissions are checked against an [`Actor`] on every write (SPEC §1, §6);
//! - values are exact: integers scaled by the metric's decimal places, never floats;
//! - a file (or server schema) that is not ours, damaged, or from a newer version is
//!   refused untouched;
//! - a second writer waits a bounded time, then gets [`StoreError::Busy`].

mod audit;
mod catalogue;
mod city;
mod drafts;
mod engine;
mod file;
mod migrate;
mod months;
mod org;
mod postgres;
mod postgres_ddl;
mod postgres_tls;
mod register;
mod schema;
pub mod scratch;
mod server_roles;
mod settings;
mod sqlite;
mod submissions;
mod values;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rust_decimal::Decimal;
use thiserror::Error;

use crate::model::{
    Aggregation, Division, Metric, MonthStatus, Narrative, OFFICE, Period, Role, StoredValue, User,
    ValueKind, YearData,
};
use crate::value::{self, ValueError};

pub use audit::{AuditEntry, AuditFilter};
use audit::{audit, audit_at};
pub use catalogue::OpenedYear;
pub use city::valid_agency_code;
pub use drafts::{Approval, Draft, DraftComment, DraftStatus};
pub use engine::Engine;
use engine::{Db, Tx, params};
pub use file::{JournalMode, journal_mode_for};
pub use migrate::{TableCopy, migrate};
pub use org::{NewUser, UserProfile};
pub use postgres::{ServerAddress, url_in_schema, url_of as server_url};
pub use postgres_tls::{Tls, TlsMode};
pub use register::{REGISTER_AUTHOR, TableSource};
pub use schema::VERSION as SCHEMA_VERSION;
pub use server_roles::ServerRoles;
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
    #[error("数据库地址无效：{0}（应为 postgres://用户名:密码@服务器:端口/数据库名）")]
    BadServerUrl(String),
    #[error(
        "无法连接数据库服务器 {server}（{reason}）；请检查服务器地址、端口和网络，或请信息中心确认数据库服务已启动"
    )]
    Unreachable { server: String, reason: String },
    #[error(
        "服务器 {server} 的证书未通过验证：{reason}；请向信息中心索取根证书文件，在连接设置中选择它，或核对服务器地址"
    )]
    Certificate { server: String, reason: String },
    #[error("与服务器 {server} 建立加密连接失败（{reason}）")]
    TlsHandshake { server: String, reason: String },
    #[error(
        "服务器 {0} 不接受加密连接，而连接设置要求加密；请信息中心在服务器上开启 SSL，或改选“尽量加密”"
    )]
    TlsRefused(String),
    #[error("无法读取根证书文件 {path}：{reason}")]
    RootCertificate { path: PathBuf, reason: String },
    #[error("无法设置加密连接：{0}")]
    TlsSetup(String),
    #[error("数据库服务器拒绝登录：用户名或密码不对，或该用户没有登录权限（{0}）")]
    ServerLogin(String),
    #[error("数据库服务器上没有这个数据库：{0}；请检查数据库名称，或请信息中心先建立数据库")]
    NoSuchDatabase(String),
    #[error(
        "数据库 {0} 中没有年报的数据：请先用 nianbao init 或 nianbao demo 在其中建立，或检查数据库名称"
    )]
    NoSchema(String),
    #[error("数据库 {0} 中已有年报的数据，不会覆盖")]
    ServerHasStore(String),
    #[error(
        "数据库 {server} 中已有 {tables} 个其他数据表，不会在其中建立年报的数据；请为年报新建一个空数据库"
    )]
    ServerNotEmpty { server: String, tables: i64 },
    #[error(
        "数据库 {0} 的年报数据来自旧版本，需要升级后才能使用，只读打开不能升级：请 IT 部门用建立它的管理员账号运行一次 nianbao server secure --db postgres://管理员@服务器/数据库；数据未作任何修改"
    )]
    ServerNeedsUpgrade(String),
    #[error(
        "数据库 {server} 的年报数据是旧版本（版本 {found}，本版年报用版本 {}），升级只能由建立它的数据库所有者进行，本账号无权升级。请 IT 部门用该管理员账号运行一次 nianbao server secure --db postgres://管理员@服务器/数据库（升级并更新各角色的权限），之后即可照常登录；数据未作任何修改",
        schema::VERSION
    )]
    ServerUpgradeNeedsOwner { server: String, found: i32 },
    #[error(
        "与数据库服务器的连接已断开（{0}）；本次修改未保存。请检查网络，恢复后再保存一次即会重新连接"
    )]
    ConnectionLost(String),
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
    #[error("{cell} 刚被他人修改：{changed}；您填写的 {yours} 未保存，请核对现值后重新填写")]
    Conflict {
        cell: String,
        changed: String,
        yours: String,
        /// The value now stored, for the screen to show.
        current: Option<Decimal>,
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
    /// A city store asked for an agency its login cannot read (or that is not there).
    #[error("服务器上没有代码为“{0}”的单位，或当前登录无权读取它的数据")]
    UnreadableAgency(String),
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
    #[error("数据库服务器操作失败（{0}）")]
    Server(::postgres::Error),
    #[error("读写文件失败：{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is acting: every write names one, and the store checks what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub login: String,
    pub role: Role,
    pub division: Option<String>,
}

/// An open store: a Nianbao file, or a schema on a PostgreSQL server.
pub struct Store {
    conn: Db,
    /// The file, or the server's URL (as given, password included, for opening again).
    path: PathBuf,
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

    /// Creates a new file (or a new store in an empty server database) and fills it with
    /// `build`, complete or not at all. A file is built under a temporary name in the
    /// same folder and renamed into place only when `build` succeeded, so a failure (a bad
    /// year, a full disk, a crash) leaves no file behind to be refused as "already exists"
    /// on the retry; never replaces a file that appeared at `path` meanwhile. On a server
    /// it is all one transaction, refused in a database that has tables already.
    pub fn create_with<T>(
        path: &Path,
        agency: &str,
        build: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<(Store, T)> {
        let agency = agency.trim();
        if agency.is_empty() {
            return Err(StoreError::Invalid("机关名称不能为空".into()));
        }
        match postgres::url_of(path) {
            Some(url) => postgres::create_with(url, agency, build),
            None => sqlite::create_with(path, agency, build),
        }
    }

    /// Opens an existing file or server store, upgrading an older schema inside a
    /// transaction. A file that is missing, not a database, truncated, someone else's, or
    /// from a newer version is refused and left exactly as it was; a file that cannot be
    /// written (a read-only file or folder) is refused as [`StoreError::ReadOnly`]. A
    /// server that cannot be reached, refuses the login or has no store of ours is
    /// refused with a message saying which.
    pub fn open(path: &Path) -> Result<Store> {
        match postgres::url_of(path) {
            Some(url) => postgres::open(url, false),
            None => sqlite::open(path, sqlite::Access::ReadWrite),
        }
    }

    /// Opens an existing file for reading only (the commands that only read: `check`,
    /// `values`, `catalog`, `export`). Works on a file in a read-only folder too, where
    /// SQLite cannot create the write-ahead log's index beside it: the file is then opened
    /// as immutable. A file whose schema would need an upgrade is refused, since an upgrade
    /// is a write. On a server, the session is read-only.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if let Some(url) = postgres::url_of(path) {
            return postgres::open(url, true);
        }
        sqlite::open(path, sqlite::Access::ReadOnly).or_else(|e| match e {
            StoreError::ReadOnlyFile(_) => sqlite::open(path, sqlite::Access::Immutable),
            other => Err(other),
        })
    }

    /// A write transaction: the write lock is taken at once, so a second writer waits
    /// here (up to [`BUSY_TIMEOUT`]) rather than failing halfway.
    fn write_tx(&mut self) -> Result<Tx<'_>> {
        self.conn.begin()
    }

    /// [`Store::write_tx`] for a write of only these divisions' figures, notes and month
    /// statuses: on a server, writers of other divisions do not wait for it.
    fn division_tx(&mut self, divisions: &[&str]) -> Result<Tx<'_>> {
        self.conn.begin_locking(engine::Lock::Divisions(divisions))
    }

    /// Which engine the store is on.
    pub fn engine(&self) -> Engine {
        self.conn.engine()
    }

    /// Whether the connection to the server is encrypted (TLS); `None` for a file.
    pub fn encrypted(&self) -> Result<Option<bool>> {
        if self.engine() == Engine::Sqlite {
            return Ok(None);
        }
        let ssl = self.conn.query_opt(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            params![],
            |r| r.get::<bool>(0),
        )?;
        Ok(Some(ssl.unwrap_or(false)))
    }

    /// Where the store is, as it may be shown: the file's path, or the server without the
    /// password.
    pub fn location(&self) -> String {
        location(&self.path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The agency's full name (机关名称).
    pub fn agency(&self) -> Result<String> {
        Ok(self.meta(settings::AGENCY)?.unwrap_or_default())
    }

    /// `PRAGMA integrity_check` on a file: `Ok(())` when it is sound. A server keeps its
    /// own pages consistent; there the check is that the schema version is this build's.
    pub fn integrity_check(&self) -> Result<()> {
        match self.conn.as_sqlite() {
            Some(conn) => sqlite::integrity_check(conn),
            None => schema::require_known(schema::version(&self.conn)?),
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

/// A `--db` argument as it may be shown: a file's path, or a server without the password.
pub fn location(path: &Path) -> String {
    match postgres::url_of(path) {
        Some(url) => postgres::shown(url),
        None => path.display().to_string(),
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

/// A refused constraint (a duplicate code or name) as the caller's message.
fn unique_violation(e: StoreError, message: impl FnOnce() -> String) -> StoreError {
    if engine::is_constraint_violation(&e) {
        StoreError::Invalid(message())
    } else {
        e
    }
}

/// The agency's name in a new store.
fn put_agency(db: &Db, agency: &str) -> Result<()> {
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![settings::AGENCY, agency],
    )?;
    Ok(())
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

fn ensure_division(db: &Db, code: &str) -> Result<()> {
    let found: Option<i64> = db.query_opt(
        "SELECT 1 FROM divisions WHERE code = ?1",
        params![code],
        |r| r.get(0),
    )?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::UnknownDivision(code.to_string()))
}
