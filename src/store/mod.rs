//! The SQLite file (store): opening and migrations, divisions, users and roles, the
//! per-year catalogue, values, narratives, submissions and the audit log. The only module
//! that knows the data lives in SQLite; everything else gets plain data ([`YearData`],
//! [`Metric`], …) and calls methods that check permissions.
//!
//! Rules kept here, not in the UI:
//! - every write is one transaction, and its audit rows are written in that transaction;
//! - permissions are checked against an [`Actor`] on every write (SPEC §1, §6);
//! - values are exact: integers scaled by the metric's decimal places, never floats;
//! - a file that is not ours, damaged, or from a newer version is refused untouched;
//! - a second writer waits a bounded time, then gets [`StoreError::Busy`].

mod file;
mod schema;
mod year_data;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rust_decimal::Decimal;
use thiserror::Error;

use crate::catalog::{Aggregation, Division, Metric, OFFICE, Period, Role, User, ValueKind};
use crate::value::{self, ValueError};

pub use file::{JournalMode, journal_mode_for};
pub use schema::VERSION as SCHEMA_VERSION;
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

/// One value to write: `month` 1–12 for monthly metrics, 0 for yearly ones; `value`
/// `None` stores "not reported".
#[derive(Debug, Clone, PartialEq)]
pub struct ValueWrite {
    pub year: i32,
    pub month: u8,
    pub division: String,
    pub metric: String,
    pub value: Option<Decimal>,
    pub note: String,
}

/// What [`Store::open_year`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenedYear {
    AlreadyOpen { metrics: usize },
    CopiedFrom { year: i32, metrics: usize },
    National { metrics: usize },
}

/// What a batch write changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub inserted: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// One row of the audit log (审计日志).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub reason: String,
}

/// Which audit rows to read; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    /// Matches keys starting with this (e.g. `2019/` or `2019/03/news/`).
    pub key_prefix: Option<String>,
    pub limit: Option<usize>,
}

/// A new user to add.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub division: Option<String>,
    pub phone: String,
    pub password: Option<String>,
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

    // ----- divisions and users -------------------------------------------------------

    pub fn divisions(&self) -> Result<Vec<Division>> {
        let mut stmt = self
            .conn
            .prepare("SELECT code, name, sort_order FROM divisions ORDER BY sort_order, code")?;
        let rows = stmt.query_map([], |r| {
            Ok(Division {
                code: r.get(0)?,
                name: r.get(1)?,
                sort_order: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds or renames a division. The first division of a new file may be added by the
    /// built-in `setup` actor (see [`Actor::setup`]).
    pub fn put_division(&mut self, actor: &Actor, division: &Division) -> Result<()> {
        require_office(actor, "维护处室")?;
        let code = division.code.trim();
        if code.is_empty() || division.name.trim().is_empty() {
            return Err(StoreError::Invalid("处室代码和名称不能为空".into()));
        }
        let tx = self.write_tx()?;
        let old: Option<String> = tx
            .query_row("SELECT name FROM divisions WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .optional()?;
        tx.execute(
            "INSERT INTO divisions (code, name, sort_order) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, sort_order = excluded.sort_order",
            params![code, division.name.trim(), division.sort_order],
        )
        .map_err(|e| unique_violation(e, || format!("处室名称重复：{}", division.name)))?;
        audit(
            &tx,
            actor,
            if old.is_some() { "update" } else { "insert" },
            "division",
            code,
            old.as_deref(),
            Some(division.name.trim()),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare(
            "SELECT login, display_name, role, division, phone, password_hash IS NOT NULL
             FROM users ORDER BY role, division, login",
        )?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(2)?;
            Ok(User {
                login: r.get(0)?,
                display_name: r.get(1)?,
                role: Role::parse(&role).unwrap_or(Role::Leader),
                division: r.get(3)?,
                phone: r.get(4)?,
                has_password: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn add_user(&mut self, actor: &Actor, user: &NewUser) -> Result<()> {
        require_office(actor, "维护用户")?;
        let login = user.login.trim();
        if login.is_empty() || user.display_name.trim().is_empty() {
            return Err(StoreError::Invalid("登录名和姓名不能为空".into()));
        }
        if user.role == Role::Contact && user.division.is_none() {
            return Err(StoreError::Invalid("处室填报员必须属于一个处室".into()));
        }
        let hash = match &user.password {
            Some(p) if !p.is_empty() => Some(hash_password(p)?),
            _ => None,
        };
        let tx = self.write_tx()?;
        if let Some(d) = &user.division {
            ensure_division(&tx, d)?;
        }
        tx.execute(
            "INSERT INTO users (login, display_name, role, division, phone, password_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                login,
                user.display_name.trim(),
                user.role.as_str(),
                user.division,
                user.phone,
                hash
            ],
        )
        .map_err(|e| unique_violation(e, || format!("登录名已存在：{login}")))?;
        let shown = format!(
            "{} {} {}",
            user.display_name.trim(),
            user.role.as_str(),
            user.division.as_deref().unwrap_or("")
        );
        audit(&tx, actor, "insert", "user", login, None, Some(&shown), "")?;
        tx.commit()?;
        Ok(())
    }

    /// The actor for `login`, as the store knows them.
    pub fn actor(&self, login: &str) -> Result<Actor> {
        self.conn
            .query_row(
                "SELECT login, role, division FROM users WHERE login = ?1",
                [login],
                |r| {
                    let role: String = r.get(1)?;
                    Ok(Actor {
                        login: r.get(0)?,
                        role: Role::parse(&role).unwrap_or(Role::Leader),
                        division: r.get(2)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))
    }

    /// The first office user: the actor the command line works as unless told otherwise.
    pub fn default_office_actor(&self) -> Result<Actor> {
        let login: Option<String> = self
            .conn
            .query_row(
                "SELECT login FROM users WHERE role = 'office' ORDER BY login LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match login {
            Some(l) => self.actor(&l),
            None => Err(StoreError::UnknownUser("（文件中没有办公室用户）".into())),
        }
    }

    /// Checks a user's password. A user without a password passes with any input.
    pub fn verify_password(&self, login: &str, password: &str) -> Result<bool> {
        let hash: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT password_hash FROM users WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?;
        match hash {
            None => Err(StoreError::UnknownUser(login.to_string())),
            Some(None) => Ok(true),
            Some(Some(h)) => {
                use argon2::PasswordVerifier;
                let parsed = argon2::PasswordHash::new(&h)
                    .map_err(|e| StoreError::Corrupt(format!("密码记录无效：{e}")))?;
                Ok(argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok())
            }
        }
    }

    // ----- catalogue -----------------------------------------------------------------

    /// Years that have a catalogue, ascending.
    pub fn years(&self) -> Result<Vec<i32>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT year FROM metrics ORDER BY year")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The catalogue of `year`, in display order.
    pub fn metrics(&self, year: i32) -> Result<Vec<Metric>> {
        let mut owners: std::collections::HashMap<String, Vec<String>> = Default::default();
        {
            let mut stmt = self.conn.prepare(
                "SELECT o.metric, o.division FROM metric_owners o
                 JOIN divisions d ON d.code = o.division
                 WHERE o.year = ?1 ORDER BY d.sort_order, o.division",
            )?;
            let rows = stmt.query_map([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                let (m, d): (String, String) = row?;
                owners.entry(m).or_default().push(d);
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT code, name, unit, kind, places, aggregation, period, words, sort_order
             FROM metrics WHERE year = ?1 ORDER BY sort_order, code",
        )?;
        let rows = stmt.query_map([year], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (code, name, unit, kind, places, aggregation, period, words, sort_order) = row?;
            let kind = match kind.as_str() {
                "count" => ValueKind::Count,
                "amount" => ValueKind::Amount { places },
                _ => ValueKind::Ratio { places },
            };
            let aggregation = Aggregation::parse(&aggregation).ok_or_else(|| {
                StoreError::Corrupt(format!("指标 {code} 的汇总方式无效：{aggregation}"))
            })?;
            out.push(Metric {
                owners: owners.remove(&code).unwrap_or_default(),
                code,
                name,
                unit,
                kind,
                aggregation,
                period: if period == "yearly" {
                    Period::Yearly
                } else {
                    Period::Monthly
                },
                words: serde_json::from_str(&words).unwrap_or_default(),
                sort_order,
            });
        }
        Ok(out)
    }

    /// Adds or changes catalogue entries of `year` in one transaction. Changing a metric's
    /// decimal places rescales its stored values exactly, and is refused when a stored
    /// value would lose digits.
    pub fn put_metrics(&mut self, actor: &Actor, year: i32, metrics: &[Metric]) -> Result<()> {
        require_office(actor, "维护指标目录")?;
        let tx = self.write_tx()?;
        for m in metrics {
            put_metric(&tx, actor, year, m)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// 开启年度: creates `year`'s catalogue from the year before's, or from the built-in
    /// national catalogue when there is none. Returns what it did; a year that already
    /// has a catalogue is left alone ([`OpenedYear::AlreadyOpen`]).
    pub fn open_year(&mut self, actor: &Actor, year: i32) -> Result<OpenedYear> {
        require_office(actor, "开启年度")?;
        if !(1900..=9999).contains(&year) {
            return Err(StoreError::Invalid(format!("年份无效：{year}")));
        }
        let tx = self.write_tx()?;
        let existing: i64 = tx.query_row(
            "SELECT count(*) FROM metrics WHERE year = ?1",
            [year],
            |r| r.get(0),
        )?;
        if existing > 0 {
            return Ok(OpenedYear::AlreadyOpen {
                metrics: existing as usize,
            });
        }
        let source: Option<i32> = tx
            .query_row(
                "SELECT max(year) FROM metrics WHERE year < ?1",
                [year],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let opened = match source {
            Some(from) => {
                let n = tx.execute(
                    "INSERT INTO metrics (year, code, name, unit, kind, places, aggregation, period, words, sort_order)
                     SELECT ?1, code, name, unit, kind, places, aggregation, period, words, sort_order
                     FROM metrics WHERE year = ?2",
                    params![year, from],
                )?;
                tx.execute(
                    "INSERT INTO metric_owners (year, metric, division)
                     SELECT ?1, metric, division FROM metric_owners WHERE year = ?2",
                    params![year, from],
                )?;
                OpenedYear::CopiedFrom {
                    year: from,
                    metrics: n,
                }
            }
            None => {
                ensure_division(&tx, OFFICE).map_err(|_| {
                    StoreError::Invalid(
                        "文件中没有办公室（office）处室，无法建立国家统计表指标".into(),
                    )
                })?;
                let national = crate::catalog::national_metrics();
                for m in &national {
                    put_metric(&tx, actor, year, m)?;
                }
                OpenedYear::National {
                    metrics: national.len(),
                }
            }
        };
        audit(
            &tx,
            actor,
            "open",
            "year",
            &year.to_string(),
            None,
            Some(&format!("{opened:?}")),
            "",
        )?;
        tx.commit()?;
        Ok(opened)
    }

    // ----- values --------------------------------------------------------------------

    /// Writes one value (autosave of one cell): one transaction with its audit row.
    pub fn set_value(&mut self, actor: &Actor, write: &ValueWrite) -> Result<WriteSummary> {
        self.write_values(actor, std::slice::from_ref(write), |_, _| {})
    }

    /// Writes many values all or nothing (an import): every row is checked, and the first
    /// refused row rolls the whole batch back. `progress(done, total)` is called now and
    /// then.
    pub fn write_values(
        &mut self,
        actor: &Actor,
        writes: &[ValueWrite],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<WriteSummary> {
        if actor.role == Role::Leader {
            return Err(StoreError::PermissionDenied(
                "领导只能查看和批注，不能修改数据".into(),
            ));
        }
        let at = now();
        let tx = self.write_tx()?;
        let mut summary = WriteSummary::default();
        {
            let mut ctx = WriteContext::new(&tx, actor)?;
            for (i, w) in writes.iter().enumerate() {
                match ctx.write(w, &at)? {
                    Change::Inserted => summary.inserted += 1,
                    Change::Changed => summary.changed += 1,
                    Change::Unchanged => summary.unchanged += 1,
                }
                if i % 4096 == 0 {
                    progress(i, writes.len());
                }
            }
        }
        tx.commit()?;
        progress(writes.len(), writes.len());
        Ok(summary)
    }

    /// The stored value of one cell, if any (`Some(None)` = stored as not reported).
    pub fn value(
        &self,
        year: i32,
        month: u8,
        division: &str,
        metric: &str,
    ) -> Result<Option<Option<Decimal>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT v.value, m.places FROM monthly_values v
                 JOIN metrics m ON m.year = v.year AND m.code = v.metric
                 WHERE v.year = ?1 AND v.month = ?2 AND v.division = ?3 AND v.metric = ?4",
                params![year, month, division, metric],
                |r| {
                    let v: Option<i64> = r.get(0)?;
                    let places: u32 = r.get(1)?;
                    Ok(v.map(|v| value::from_scaled(v, places)))
                },
            )
            .optional()?)
    }

    /// A year's stored values (and the year before's, for comparisons) with the catalogue,
    /// divisions, narratives and month statuses: the compiler's and the checks' input.
    pub fn year_data(&self, year: i32) -> Result<YearData> {
        let mut data = YearData::new(
            self.agency()?,
            year,
            self.divisions()?,
            self.metrics(year)?,
            self.metrics(year - 1)?,
        );
        data.set_values(self.stored_values(year - 1..=year, None, None)?);
        let mut stmt = self.conn.prepare(
            "SELECT year, quarter, division, text FROM narratives WHERE year = ?1
             ORDER BY division, quarter",
        )?;
        let rows = stmt.query_map([year], |r| {
            Ok(Narrative {
                year: r.get(0)?,
                quarter: r.get(1)?,
                division: r.get(2)?,
                text: r.get(3)?,
            })
        })?;
        data.narratives = rows.collect::<rusqlite::Result<_>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT division, month, status FROM submissions WHERE year = ?1")?;
        let rows = stmt.query_map([year], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u8>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (d, m, s) = row?;
            if let Some(s) = MonthStatus::parse(&s) {
                data.statuses.insert((d, m), s);
            }
        }
        Ok(data)
    }

    /// Stored values of some years, optionally one division and metrics whose code starts
    /// with a prefix, ordered by year, metric order, division, month.
    pub fn stored_values(
        &self,
        years: std::ops::RangeInclusive<i32>,
        division: Option<&str>,
        metric_prefix: Option<&str>,
    ) -> Result<Vec<StoredValue>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.year, v.month, v.division, v.metric, v.value, m.places, v.note,
                    v.updated_by, v.updated_at
             FROM monthly_values v
             JOIN metrics m ON m.year = v.year AND m.code = v.metric
             JOIN divisions d ON d.code = v.division
             WHERE v.year BETWEEN ?1 AND ?2
               AND (?3 IS NULL OR v.division = ?3)
               AND (?4 IS NULL OR substr(v.metric, 1, length(?4)) = ?4)
             ORDER BY v.year, m.sort_order, v.metric, d.sort_order, v.month",
        )?;
        let rows = stmt.query_map(
            params![years.start(), years.end(), division, metric_prefix],
            |r| {
                let v: Option<i64> = r.get(4)?;
                let places: u32 = r.get(5)?;
                Ok(StoredValue {
                    year: r.get(0)?,
                    month: r.get(1)?,
                    division: r.get(2)?,
                    metric: r.get(3)?,
                    value: v.map(|v| value::from_scaled(v, places)),
                    note: r.get(6)?,
                    updated_by: r.get(7)?,
                    updated_at: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ----- narratives ----------------------------------------------------------------

    /// A division's narrative for a year (`quarter` 0) or a quarter, if written.
    pub fn narrative(&self, year: i32, division: &str, quarter: u8) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT text FROM narratives WHERE year = ?1 AND division = ?2 AND quarter = ?3",
                params![year, division, quarter],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Saves a division's narrative for a year (`quarter` 0) or a quarter (1–4).
    pub fn set_narrative(
        &mut self,
        actor: &Actor,
        year: i32,
        division: &str,
        quarter: u8,
        text: &str,
    ) -> Result<()> {
        require_division_writer(actor, division)?;
        if quarter > 4 {
            return Err(StoreError::Invalid(format!("季度应为 0–4：{quarter}")));
        }
        let tx = self.write_tx()?;
        ensure_division(&tx, division)?;
        let old: Option<String> = tx
            .query_row(
                "SELECT text FROM narratives WHERE year = ?1 AND division = ?2 AND quarter = ?3",
                params![year, division, quarter],
                |r| r.get(0),
            )
            .optional()?;
        if old.as_deref() == Some(text) {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO narratives (year, division, quarter, text, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (year, division, quarter) DO UPDATE SET
               text = excluded.text, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at",
            params![year, division, quarter, text, actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "set",
            "narrative",
            &format!("{year}/{quarter}/{division}"),
            old.as_deref(),
            Some(text),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    // ----- submissions ---------------------------------------------------------------

    pub fn month_status(&self, year: i32, month: u8, division: &str) -> Result<MonthStatus> {
        month_status(&self.conn, year, month, division)
    }

    /// 报送: a division hands in a month; its contact can no longer change it.
    pub fn submit_month(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
    ) -> Result<()> {
        require_division_writer(actor, division)?;
        self.set_status(actor, year, month, division, MonthStatus::Submitted, "")
    }

    /// 锁定: the office makes a month read-only for everybody.
    pub fn lock_month(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
    ) -> Result<()> {
        require_office(actor, "锁定月份")?;
        self.set_status(actor, year, month, division, MonthStatus::Locked, "")
    }

    /// 解锁: the office reopens a submitted or locked month, giving a reason for the log.
    pub fn unlock_month(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
        reason: &str,
    ) -> Result<()> {
        require_office(actor, "解锁月份")?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("解锁必须填写原因".into()));
        }
        self.set_status(
            actor,
            year,
            month,
            division,
            MonthStatus::Open,
            reason.trim(),
        )
    }

    fn set_status(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
        status: MonthStatus,
        reason: &str,
    ) -> Result<()> {
        if !(1..=12).contains(&month) {
            return Err(StoreError::Invalid(format!("月份应为 1–12：{month}")));
        }
        let tx = self.write_tx()?;
        ensure_division(&tx, division)?;
        let old = month_status(&tx, year, month, division)?;
        if old == status {
            return Ok(());
        }
        if old == MonthStatus::Locked && status == MonthStatus::Submitted {
            return Err(StoreError::MonthClosed {
                year,
                month,
                division: division.to_string(),
                status: "锁定",
            });
        }
        tx.execute(
            "INSERT INTO submissions (year, division, month, status, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (year, division, month) DO UPDATE SET
               status = excluded.status, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at",
            params![year, division, month, status.as_str(), actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "status",
            "month",
            &format!("{year}/{month:02}/{division}"),
            Some(old.as_str()),
            Some(status.as_str()),
            reason,
        )?;
        tx.commit()?;
        Ok(())
    }

    // ----- audit ---------------------------------------------------------------------

    /// Audit rows matching `filter`, newest first.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, entity, key, old, new, reason FROM audit_log
             WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR entity = ?2)
               AND (?3 IS NULL OR substr(key, 1, length(?3)) = ?3)
             ORDER BY id DESC LIMIT ?4",
        )?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let rows = stmt.query_map(
            params![filter.actor, filter.entity, filter.key_prefix, limit],
            |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    key: r.get(5)?,
                    old: r.get(6)?,
                    new: r.get(7)?,
                    reason: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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

fn hash_password(password: &str) -> Result<String> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("无法保存密码：{e}")))
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

fn month_status(conn: &Connection, year: i32, month: u8, division: &str) -> Result<MonthStatus> {
    let s: Option<String> = conn
        .query_row(
            "SELECT status FROM submissions WHERE year = ?1 AND month = ?2 AND division = ?3",
            params![year, month, division],
            |r| r.get(0),
        )
        .optional()?;
    Ok(s.as_deref()
        .and_then(MonthStatus::parse)
        .unwrap_or(MonthStatus::Open))
}

#[allow(clippy::too_many_arguments)]
fn audit(
    tx: &Connection,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, key, old, new, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        now(),
        actor.login,
        action,
        entity,
        key,
        old,
        new,
        reason
    ])?;
    Ok(())
}

fn put_metric(tx: &Transaction, actor: &Actor, year: i32, m: &Metric) -> Result<()> {
    let code = m.code.trim();
    if code.is_empty() || m.name.trim().is_empty() {
        return Err(StoreError::Invalid("指标代码和名称不能为空".into()));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Err(StoreError::Invalid(format!(
            "指标代码只能包含英文字母、数字、点和下划线：{code}"
        )));
    }
    let places = m.kind.places();
    if places > 9 {
        return Err(StoreError::Invalid(format!("小数位数最多 9 位：{code}")));
    }
    if m.owners.is_empty() {
        return Err(StoreError::Invalid(format!(
            "指标 {code} 必须至少有一个负责处室"
        )));
    }
    for o in &m.owners {
        ensure_division(tx, o)?;
    }
    let old: Option<(u32, String)> = tx
        .query_row(
            "SELECT places, name FROM metrics WHERE year = ?1 AND code = ?2",
            params![year, code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((old_places, _)) = &old {
        rescale(tx, year, code, *old_places, places)?;
    }
    tx.execute(
        "INSERT INTO metrics (year, code, name, unit, kind, places, aggregation, period, words, sort_order)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (year, code) DO UPDATE SET
           name = excluded.name, unit = excluded.unit, kind = excluded.kind,
           places = excluded.places, aggregation = excluded.aggregation,
           period = excluded.period, words = excluded.words, sort_order = excluded.sort_order",
        params![
            year,
            code,
            m.name.trim(),
            m.unit,
            m.kind.label(),
            places,
            m.aggregation.stored(),
            m.period.as_str(),
            serde_json::to_string(&m.words).unwrap_or_else(|_| "[]".into()),
            m.sort_order
        ],
    )?;
    tx.execute(
        "DELETE FROM metric_owners WHERE year = ?1 AND metric = ?2",
        params![year, code],
    )?;
    for o in &m.owners {
        tx.execute(
            "INSERT INTO metric_owners (year, metric, division) VALUES (?1, ?2, ?3)",
            params![year, code, o],
        )?;
    }
    let new = serde_json::to_string(m).unwrap_or_default();
    audit(
        tx,
        actor,
        if old.is_some() { "update" } else { "insert" },
        "metric",
        &format!("{year}/{code}"),
        old.as_ref().map(|(_, n)| n.as_str()),
        Some(&new),
        "",
    )
}

/// Rescales a metric's stored values when its decimal places change.
fn rescale(tx: &Transaction, year: i32, code: &str, from: u32, to: u32) -> Result<()> {
    use std::cmp::Ordering;
    match to.cmp(&from) {
        Ordering::Equal => Ok(()),
        Ordering::Greater => {
            let factor = 10i64.pow(to - from);
            tx.execute(
                "UPDATE monthly_values SET value = value * ?3 WHERE year = ?1 AND metric = ?2",
                params![year, code, factor],
            )?;
            Ok(())
        }
        Ordering::Less => {
            let factor = 10i64.pow(from - to);
            let lossy: i64 = tx.query_row(
                "SELECT count(*) FROM monthly_values
                 WHERE year = ?1 AND metric = ?2 AND value % ?3 <> 0",
                params![year, code, factor],
                |r| r.get(0),
            )?;
            if lossy > 0 {
                return Err(StoreError::Invalid(format!(
                    "指标 {code} 有 {lossy} 个数值的小数位多于 {to} 位，不能减少小数位数"
                )));
            }
            tx.execute(
                "UPDATE monthly_values SET value = value / ?3 WHERE year = ?1 AND metric = ?2",
                params![year, code, factor],
            )?;
            Ok(())
        }
    }
}

enum Change {
    Inserted,
    Changed,
    Unchanged,
}

/// What a write needs to know of a metric: kind, period, owners, whether it is a formula.
type MetricRule = (ValueKind, Period, Vec<String>, bool);

/// Per-batch state for [`Store::write_values`]: the catalogue and statuses are read once,
/// then every row is checked against them.
struct WriteContext<'a> {
    tx: &'a Transaction<'a>,
    actor: &'a Actor,
    metrics: std::collections::HashMap<(i32, String), MetricRule>,
    divisions: std::collections::HashSet<String>,
}

impl<'a> WriteContext<'a> {
    fn new(tx: &'a Transaction<'a>, actor: &'a Actor) -> Result<Self> {
        let mut metrics = std::collections::HashMap::new();
        let mut stmt = tx.prepare(
            "SELECT m.year, m.code, m.kind, m.places, m.period, m.aggregation,
                    coalesce((SELECT group_concat(division, ',') FROM metric_owners o
                              WHERE o.year = m.year AND o.metric = m.code), '')
             FROM metrics m",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        for row in rows {
            let (year, code, kind, places, period, aggregation, owners) = row?;
            let kind = match kind.as_str() {
                "count" => ValueKind::Count,
                "amount" => ValueKind::Amount { places },
                _ => ValueKind::Ratio { places },
            };
            let period = if period == "yearly" {
                Period::Yearly
            } else {
                Period::Monthly
            };
            let owners = owners
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let formula = aggregation.starts_with("formula:");
            metrics.insert((year, code), (kind, period, owners, formula));
        }
        let mut stmt = tx.prepare("SELECT code FROM divisions")?;
        let divisions = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(WriteContext {
            tx,
            actor,
            metrics,
            divisions,
        })
    }

    fn write(&mut self, w: &ValueWrite, at: &str) -> Result<Change> {
        if !self.divisions.contains(&w.division) {
            return Err(StoreError::UnknownDivision(w.division.clone()));
        }
        require_division_writer(self.actor, &w.division)?;
        let (kind, period, owners, formula) = self
            .metrics
            .get(&(w.year, w.metric.clone()))
            .ok_or_else(|| StoreError::UnknownMetric {
                year: w.year,
                code: w.metric.clone(),
            })?;
        if *formula {
            return Err(StoreError::Invalid(format!(
                "指标 {} 由公式计算，不能填报",
                w.metric
            )));
        }
        if !owners.contains(&w.division) {
            return Err(StoreError::PermissionDenied(format!(
                "指标 {} 不由处室 {} 填报（负责处室：{}）",
                w.metric,
                w.division,
                owners.join("、")
            )));
        }
        match period {
            Period::Monthly if !(1..=12).contains(&w.month) => {
                return Err(StoreError::Invalid(format!(
                    "月份应为 1–12：{}（指标 {}）",
                    w.month, w.metric
                )));
            }
            Period::Yearly if w.month != 0 => {
                return Err(StoreError::Invalid(format!(
                    "指标 {} 是年度指标，按年填报，不分月份",
                    w.metric
                )));
            }
            _ => {}
        }
        // A yearly value follows December's status.
        let status_month = if w.month == 0 { 12 } else { w.month };
        let status = month_status(self.tx, w.year, status_month, &w.division)?;
        let closed = match (self.actor.role, status) {
            (_, MonthStatus::Locked) => Some("锁定"),
            (Role::Contact, MonthStatus::Submitted) => Some("报送"),
            _ => None,
        };
        if let Some(status) = closed {
            return Err(StoreError::MonthClosed {
                year: w.year,
                month: status_month,
                division: w.division.clone(),
                status,
            });
        }
        let scaled = match w.value {
            None => None,
            Some(v) => {
                // Re-validate: the value must fit the metric exactly.
                let text = value::format_exact(v);
                value::parse(&text, *kind).map_err(|source| StoreError::Value {
                    metric: w.metric.clone(),
                    source,
                })?;
                Some(
                    value::to_scaled(v, kind.places()).ok_or_else(|| StoreError::Value {
                        metric: w.metric.clone(),
                        source: ValueError::TooLarge(text),
                    })?,
                )
            }
        };
        let old: Option<(Option<i64>, String)> = self
            .tx
            .prepare_cached(
                "SELECT value, note FROM monthly_values
                 WHERE year = ?1 AND division = ?2 AND metric = ?3 AND month = ?4",
            )?
            .query_row(params![w.year, w.division, w.metric, w.month], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((old_value, old_note)) = &old
            && *old_value == scaled
            && *old_note == w.note
        {
            return Ok(Change::Unchanged);
        }
        self.tx
            .prepare_cached(
                "INSERT INTO monthly_values (year, division, metric, month, value, note, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (year, division, metric, month) DO UPDATE SET
                   value = excluded.value, note = excluded.note,
                   updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )?
            .execute(params![
                w.year,
                w.division,
                w.metric,
                w.month,
                scaled,
                w.note,
                self.actor.login,
                at
            ])?;
        let shown = |v: Option<i64>| match v {
            Some(v) => value::format_exact(value::from_scaled(v, kind.places())),
            None => String::new(),
        };
        let old_text = old.as_ref().map(|(v, _)| shown(*v));
        audit(
            self.tx,
            self.actor,
            "set",
            "value",
            &format!("{}/{:02}/{}/{}", w.year, w.month, w.division, w.metric),
            old_text.as_deref(),
            Some(&shown(scaled)),
            &w.note,
        )?;
        Ok(if old.is_some() {
            Change::Changed
        } else {
            Change::Inserted
        })
    }
}
