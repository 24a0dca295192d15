//! The SQLite engine: a file opened and created the safe way (checked before SQLite touches
//! it, journal mode for its disk, read-only and immutable opens, a new file built under a
//! temporary name and renamed into place, the store's own SQL function `year_rows()` on
//! every connection), rusqlite's side of the [`Db`] seam, and
//! SQLite's error codes as [`StoreError`]s. Only SQLite: the PostgreSQL side is
//! `postgres.rs`.

use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use super::engine::{Db, Param, Value};
use super::{
    BUSY_TIMEOUT, JournalMode, Result, Store, StoreError, file, journal_mode_for, months, schema,
};

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    ReadWrite,
    ReadOnly,
    /// Read-only, and promised unchanged while open (`immutable=1`): SQLite then needs no
    /// lock or `-shm` file beside it, which a read-only folder cannot hold.
    Immutable,
}

impl Access {
    fn connect(self, path: &Path) -> Result<Connection> {
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

/// A new file filled by `build`, complete or not at all: built under a temporary name in
/// the same folder and renamed into place only when `build` succeeded, never over a file
/// that appeared at `path` meanwhile.
pub(super) fn create_with<T>(
    path: &Path,
    agency: &str,
    build: impl FnOnce(&mut Store) -> Result<T>,
) -> Result<(Store, T)> {
    if path.exists() {
        return Err(StoreError::AlreadyExists(path.to_path_buf()));
    }
    let folder = crate::output::folder_of(path);
    let partial = crate::output::temp_file_in(folder, ".new")?.into_temp_path();
    let built = {
        let mut store = Store {
            conn: Db::sqlite(with_functions(Connection::open(&partial)?)?),
            path: path.to_path_buf(),
        };
        configure(&store)?;
        let tx = store.write_tx()?;
        schema::init(&tx)?;
        super::put_agency(&tx, agency)?;
        tx.commit()?;
        let built = build(&mut store)?;
        // Closing checkpoints the write-ahead log into the file and removes it.
        if let Some(conn) = store.conn.into_sqlite() {
            conn.close().map_err(|(_, e)| StoreError::from(e))?;
        }
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

/// Opens an existing file: see [`Store::open`] and [`Store::open_read_only`].
pub(super) fn open(path: &Path, access: Access) -> Result<Store> {
    file::check_header(path)?;
    let mut conn = with_functions(access.connect(path)?)?;
    wait_for_locks(&mut conn, path)?;
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
    schema::require_known(version)?;
    let mut store = Store {
        conn: Db::sqlite(conn),
        path: path.to_path_buf(),
    };
    if access != Access::ReadWrite {
        if version < schema::VERSION {
            return Err(StoreError::ReadOnlyNeedsUpgrade(path.to_path_buf()));
        }
        sqlite(&store).pragma_update(None, "query_only", true)?;
        return Ok(store);
    }
    configure(&store).map_err(|e| match e {
        StoreError::Sqlite(e) => read_only(e, path),
        other => other,
    })?;
    if version < schema::VERSION {
        let tx = store.write_tx()?;
        schema::upgrade_from(&tx, version)?;
        tx.commit()?;
    }
    Ok(store)
}

fn sqlite(store: &Store) -> &Connection {
    store
        .conn
        .as_sqlite()
        .expect("a store opened by sqlite.rs is on SQLite")
}

/// A second read-only connection to the store's file, for a read that can be split and
/// run on both cores (a year read and the year before). `None` on PostgreSQL, inside a
/// transaction (whose changes another connection would not see), or when the file does
/// not open so.
pub(super) fn second_reader(store: &Store) -> Option<Db> {
    if store.conn.engine() != super::Engine::Sqlite || store.conn.in_transaction() {
        return None;
    }
    let mut conn = with_functions(Access::ReadOnly.connect(&store.path).ok()?).ok()?;
    wait_for_locks(&mut conn, &store.path).ok()?;
    conn.pragma_update(None, "query_only", true).ok()?;
    Some(Db::sqlite(conn))
}

/// How often a connection on a local disk tries again for a lock another holds.
const POLL: Duration = Duration::from_millis(1);

thread_local! {
    /// When this thread's connection began waiting for the lock it waits for now (a
    /// connection is used on one thread at a time, and waits for one lock at a time).
    static WAITING_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Sets how a connection waits for another's lock, up to [`BUSY_TIMEOUT`]. On a network
/// share, SQLite's own wait, which backs off to a try every 100 ms (each try is a lock
/// request to the server). On a local disk a try is a local lock call, so it tries
/// every [`POLL`]: with SQLite's backoff, a writer among forty that waited long enough
/// to back off lost nearly every race for 5 s and was refused, though the file was
/// writing thousands of saves a second (`benches/store_load.rs`).
fn wait_for_locks(conn: &mut Connection, path: &Path) -> Result<()> {
    match journal_mode_for(path) {
        JournalMode::Delete => conn.busy_timeout(BUSY_TIMEOUT)?,
        JournalMode::Wal => conn.busy_handler(Some(poll_often))?,
    }
    Ok(())
}

/// The local disk's busy handler: `prior` is how many times SQLite has called it for
/// this lock; it says whether to try again. Timed by the clock, not by the count: a
/// sleep of 1 ms may last 15 on Windows.
fn poll_often(prior: i32) -> bool {
    let now = Instant::now();
    let since = WAITING_SINCE.with(|since| {
        if prior == 0 || since.get().is_none() {
            since.set(Some(now));
        }
        since.get().unwrap_or(now)
    });
    if now.duration_since(since) >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(POLL);
    true
}

/// The store's own SQL functions on a new connection: `year_rows()` (see `months.rs`).
fn with_functions(conn: Connection) -> Result<Connection> {
    conn.create_aggregate_function(
        months::NAME,
        months::ARGS,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        months::YearRows,
    )?;
    Ok(conn)
}

fn configure(store: &Store) -> Result<()> {
    let conn = sqlite(store);
    let mode = journal_mode_for(&store.path);
    conn.pragma_update_and_check(None, "journal_mode", mode.pragma(), |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// `PRAGMA integrity_check`: `Ok(())` when the file is sound.
pub(super) fn integrity_check(conn: &Connection) -> Result<()> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if result == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt(result))
    }
}

/// The schema version and application id a new or upgraded file is marked with.
pub(super) fn set_version(db: &Db, version: i32) -> Result<()> {
    db.execute_batch(&format!(
        "PRAGMA application_id = {}; PRAGMA user_version = {version};",
        schema::APPLICATION_ID
    ))
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

// ----- the seam's SQLite side -----------------------------------------------------------

/// A parameter as rusqlite binds it.
struct Bind<'a>(Value<'a>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Bool(b) => ValueRef::Integer(i64::from(b)),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

fn binds<'a>(params: &'a [&'a dyn Param]) -> impl Iterator<Item = Bind<'a>> {
    params.iter().map(|p| Bind(p.value()))
}

pub(super) fn execute(conn: &Connection, sql: &str, params: &[&dyn Param]) -> Result<usize> {
    let mut stmt = conn.prepare_cached(sql)?;
    Ok(stmt.execute(rusqlite::params_from_iter(binds(params)))?)
}

pub(super) fn query_each(
    conn: &Connection,
    sql: &str,
    params: &[&dyn Param],
    mut f: impl FnMut(&super::engine::Row) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(binds(params)))?;
    while let Some(r) = rows.next()? {
        f(&super::engine::Row::Sqlite(r))?;
    }
    Ok(())
}

pub(super) fn column<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<Value<'r>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| StoreError::Corrupt(format!("第 {} 列不是 UTF-8 文字：{e}", i + 1)))?,
        ),
        ValueRef::Blob(b) => Value::Bytes(b),
        ValueRef::Real(r) => {
            return Err(StoreError::Corrupt(format!(
                "第 {} 列是浮点数 {r}：年报不以浮点数保存数值",
                i + 1
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Division;
    use crate::store::Actor;

    #[test]
    fn the_local_wait_gives_up_after_the_timeout_and_starts_over_for_the_next_lock() {
        let long_ago = Instant::now() - BUSY_TIMEOUT - Duration::from_secs(1);
        WAITING_SINCE.with(|since| since.set(Some(long_ago)));
        assert!(!poll_often(7), "waited past the timeout");
        assert!(poll_often(0), "a new wait");
        assert!(poll_often(1));
    }

    /// A write that finds the file locked by another writer waits for it, then writes.
    #[test]
    fn a_writer_waits_for_another_and_then_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        drop(Store::create(&path, "某局").unwrap());
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = Instant::now();
        let holder = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            other.execute_batch("COMMIT").unwrap();
        });
        let mut store = Store::open(&path).unwrap();
        let division = Division {
            code: "d1".into(),
            name: "第一处".into(),
            sort_order: 1,
        };
        store.put_division(&Actor::setup(), &division).unwrap();
        // It could only write once the other committed.
        assert!(started.elapsed() >= Duration::from_millis(300));
        holder.join().unwrap();
        assert!(store.divisions().unwrap().iter().any(|d| d.code == "d1"));
    }
}
