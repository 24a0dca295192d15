//! The engine seam: one connection type, [`Db`], over SQLite (rusqlite) or PostgreSQL (the
//! `postgres` crate), so that the store's SQL is written once. Owns running statements,
//! reading rows, transactions and the mapping of parameters and columns; knows nothing of
//! the store's tables. Engine-specific code (opening, DDL, error codes) is in
//! `sqlite.rs` and `postgres.rs`; nothing outside `store/` sees either engine.
//!
//! The dialect: SQLite's numbered placeholders `?1`, `?2` (or bare `?`, numbered in
//! order), translated to `$1` for PostgreSQL; standard SQL both engines accept
//! (`INSERT … ON CONFLICT … DO UPDATE SET x = excluded.x`, `INSERT … RETURNING id`,
//! `ORDER BY x NULLS FIRST`, `CAST(… AS BIGINT)`). Not portable, so not used: `group_concat`
//! and `string_agg`, `length(?)` on a parameter, `LIMIT -1`, a bare integer as a truth
//! value (`WHERE active` needs `active` to be a boolean column, which both schemas give
//! it), `sum()` of integers read back (PostgreSQL gives `numeric`: cast it to `BIGINT`).
//!
//! Porting store code written against rusqlite:
//!
//! | rusqlite | here |
//! | --- | --- |
//! | `conn: &Connection`, `tx: &Transaction` | `db: &Db` (a [`Tx`] derefs to its `Db`) |
//! | `Transaction::new(&mut conn, Immediate)` | `self.write_tx()?` (→ [`Db::begin`]) |
//! | `params![a, b]`, `[a]` | `params![a, b]`, `params![a]` (this module's macro) |
//! | `conn.execute(sql, p)?` | `db.execute(sql, p)?` |
//! | `conn.execute_batch(sql)?` | `db.execute_batch(sql)?` |
//! | `conn.query_row(sql, p, f).optional()?` | `db.query_opt(sql, p, f)?` |
//! | `conn.query_row(sql, p, f)?` | `db.query_one(sql, p, f)?` |
//! | `stmt.query_map(p, f)?.collect()` | `db.query_map(sql, p, f)?` |
//! | `while let Some(r) = rows.next()?` | `db.query_each(sql, p, \|r\| …)?` |
//! | `r.get::<_, T>(i)?` | `r.get::<T>(i)?` (i64, i32, u8, u32, bool, String, `Option<_>`, `Vec<u8>`) |
//! | `r.get_ref(i)?.as_str()` | `r.get_str(i)?` (borrowed, no copy) |
//! | `tx.last_insert_rowid()` | `INSERT … RETURNING id` with `db.query_one` |
//! | `e.sqlite_error_code() == ConstraintViolation` | [`is_constraint_violation`] |
//!
//! Closures return the store's `Result`; an integer column read into a narrower type, or a
//! column of an unexpected type, is [`StoreError::Corrupt`]. Money stays a scaled integer
//! (`BIGINT` on PostgreSQL), so no engine sees a decimal.

use std::cell::Cell;

use super::postgres::Server;
use super::{Result, StoreError};

/// Builds the parameter list of a statement: `params![year, code]`.
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::engine::Param]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::engine::Param),+] as &[&dyn $crate::store::engine::Param]
    };
}
pub(crate) use params;

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// One value going in or coming out, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// A statement parameter.
pub trait Param {
    fn value(&self) -> Value<'_>;
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8);

impl Param for bool {
    fn value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}

impl Param for Value<'_> {
    fn value(&self) -> Value<'_> {
        *self
    }
}

/// A column read into a Rust type; `None` when the value does not fit it.
pub trait FromColumn: Sized {
    fn from_value(v: Value<'_>) -> Option<Self>;
}

impl FromColumn for i64 {
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Int(i) => Some(i),
            Value::Bool(b) => Some(i64::from(b)),
            _ => None,
        }
    }
}

macro_rules! narrow_column {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_value(v: Value<'_>) -> Option<Self> {
                i64::from_value(v).and_then(|i| <$t>::try_from(i).ok())
            }
        }
    )*};
}
narrow_column!(i32, u32, u16, u8, usize);

impl FromColumn for bool {
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(b),
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            _ => None,
        }
    }
}

impl FromColumn for String {
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.to_owned()),
            _ => None,
        }
    }
}

impl FromColumn for Vec<u8> {
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Bytes(b) => Some(b.to_vec()),
            _ => None,
        }
    }
}

impl<T: FromColumn> FromColumn for Option<T> {
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One row of a result.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `i` as a `T`.
    pub fn get<T: FromColumn>(&self, i: usize) -> Result<T> {
        let v = self.value(i)?;
        T::from_value(v).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "第 {} 列的值 {v:?} 不是 {}",
                i + 1,
                std::any::type_name::<T>()
            ))
        })
    }

    /// Column `i` as text, borrowed from the row.
    pub fn get_str(&self, i: usize) -> Result<&str> {
        match self.value(i)? {
            Value::Text(s) => Ok(s),
            v => Err(StoreError::Corrupt(format!(
                "第 {} 列的值 {v:?} 不是文字",
                i + 1
            ))),
        }
    }

    /// Column `i` as it is stored.
    pub fn value(&self, i: usize) -> Result<Value<'_>> {
        match self {
            Row::Sqlite(r) => super::sqlite::column(r, i),
            Row::Postgres(r) => super::postgres::column(r, i),
        }
    }
}

/// An open connection to either engine.
pub struct Db {
    conn: Conn,
    /// Open transactions: 0 outside, 1 in one, more in savepoints inside it.
    depth: Cell<u32>,
}

pub(super) enum Conn {
    Sqlite(rusqlite::Connection),
    /// Boxed: a PostgreSQL client is several times an SQLite connection's size.
    Postgres(Box<Server>),
}

impl Db {
    pub(super) fn sqlite(conn: rusqlite::Connection) -> Db {
        conn.set_prepared_statement_cache_capacity(64);
        Db {
            conn: Conn::Sqlite(conn),
            depth: Cell::new(0),
        }
    }

    pub(super) fn postgres(server: Server) -> Db {
        Db {
            conn: Conn::Postgres(Box::new(server)),
            depth: Cell::new(0),
        }
    }

    /// Whether a transaction is open on this connection.
    pub(super) fn in_transaction(&self) -> bool {
        self.depth.get() > 0
    }

    pub fn engine(&self) -> Engine {
        match self.conn {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, closing the file).
    pub(super) fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.conn {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    pub(super) fn into_sqlite(self) -> Option<rusqlite::Connection> {
        match self.conn {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        match &self.conn {
            Conn::Sqlite(c) => super::sqlite::execute(c, sql, params),
            Conn::Postgres(s) => {
                self.resume(s)?;
                s.execute(sql, params)
            }
        }
    }

    /// Runs several statements without parameters (schema changes).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(s) => {
                self.resume(s)?;
                s.execute_batch(sql)
            }
        }
    }

    /// Between transactions, connects again to a server whose connection was found
    /// lost: the user's next action after the network came back just works.
    fn resume(&self, s: &Server) -> Result<()> {
        if self.depth.get() == 0 && s.is_closed() {
            s.reconnect()?;
        }
        Ok(())
    }

    /// `f` on the server, tried once more on a new connection when the connection turns
    /// out lost outside a transaction. Only for what is safe to run twice: a read, or
    /// the `BEGIN` of a transaction (a transaction cut off is rolled back by the server).
    fn retried<T>(&self, s: &Server, f: impl Fn(&Server) -> Result<T>) -> Result<T> {
        self.resume(s)?;
        match f(s) {
            Err(StoreError::ConnectionLost(_)) if self.depth.get() == 0 => {
                s.reconnect()?;
                f(s)
            }
            other => other,
        }
    }

    /// Calls `f` for every row of a query, in order.
    pub fn query_each(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        match &self.conn {
            Conn::Sqlite(c) => super::sqlite::query_each(c, sql, params, f),
            Conn::Postgres(s) => {
                let mut f = f;
                for r in &self.retried(s, |s| s.query(sql, params))? {
                    f(&Row::Postgres(r))?;
                }
                Ok(())
            }
        }
    }

    /// Every row of a query, each made by `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query_each(sql, params, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.query_each(sql, params, |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query that always has one (`count(*)`, `RETURNING`).
    pub fn query_one<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| StoreError::Corrupt(format!("查询没有返回结果：{sql}")))
    }

    /// A write transaction: on SQLite `BEGIN IMMEDIATE` (the file's write lock, so a second
    /// writer waits here rather than failing halfway); on PostgreSQL a transaction holding
    /// the store's write lock (see `postgres.rs`). Inside another transaction, a savepoint.
    pub fn begin(&self) -> Result<Tx<'_>> {
        self.begin_locking(Lock::Store)
    }

    /// [`Db::begin`] for a write that changes only `lock`'s data. SQLite has one write lock
    /// per file whatever is written; on PostgreSQL, writes for different divisions run
    /// side by side (see `postgres.rs`).
    pub fn begin_locking(&self, lock: Lock<'_>) -> Result<Tx<'_>> {
        self.begin_with("BEGIN IMMEDIATE", |s| s.begin_write(lock))
    }

    /// A read-only transaction that sees one moment of the store throughout: on SQLite a
    /// deferred `BEGIN` (a read snapshot in WAL mode), on PostgreSQL `REPEATABLE READ READ
    /// ONLY`, taking no write lock. Inside another transaction, a savepoint.
    pub fn begin_read(&self) -> Result<Tx<'_>> {
        self.begin_with("BEGIN DEFERRED", |s| {
            s.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        })
    }

    /// A transaction begun with `sqlite` or `postgres` (retried once on a lost
    /// connection), or a savepoint inside one already open.
    fn begin_with(&self, sqlite: &str, postgres: impl Fn(&Server) -> Result<()>) -> Result<Tx<'_>> {
        let depth = self.depth.get();
        if depth == 0 {
            match &self.conn {
                Conn::Sqlite(c) => c.execute_batch(sqlite)?,
                Conn::Postgres(s) => self.retried(s, &postgres)?,
            }
        } else {
            self.control(&format!("SAVEPOINT nianbao_{depth}"))?;
        }
        self.depth.set(depth + 1);
        Ok(Tx {
            db: self,
            depth,
            done: false,
        })
    }

    /// Ends the transaction (or savepoint) that a [`Tx::detach`] let go.
    pub(super) fn end(&self, depth: u32, commit: bool) -> Result<()> {
        self.depth.set(depth);
        let sql = match (depth, commit) {
            (0, true) => "COMMIT".to_string(),
            (0, false) => "ROLLBACK".to_string(),
            (d, true) => format!("RELEASE SAVEPOINT nianbao_{d}"),
            (d, false) => {
                format!("ROLLBACK TO SAVEPOINT nianbao_{d}; RELEASE SAVEPOINT nianbao_{d}")
            }
        };
        self.control(&sql)
    }

    /// For the rest of the transaction, reads another schema of the server
    /// (`SET LOCAL search_path`). The prepared statements are forgotten, as after a
    /// schema change: kept, PostgreSQL would parse each again for the new path but go on
    /// with plans it had settled on for another agency's tables, which made a city's read
    /// of 5 agencies 15 times slower (2.7 s against 177 ms, `benches/city.rs`). A file
    /// has one schema: refused.
    pub(super) fn read_schema(&self, schema: &str) -> Result<()> {
        match &self.conn {
            Conn::Sqlite(_) => Err(StoreError::Invalid("一个数据文件只有一个单位的数据".into())),
            Conn::Postgres(s) => {
                s.execute_batch(&format!("SET LOCAL search_path TO {}", ident(schema)))
            }
        }
    }

    /// Runs transaction control (`COMMIT`, `SAVEPOINT` …), which changes no schema.
    fn control(&self, sql: &str) -> Result<()> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(s) => s.batch(sql),
        }
    }
}

/// What a write transaction keeps others from writing until it ends.
#[derive(Debug, Clone, Copy)]
pub enum Lock<'a> {
    /// Everything: the catalogue, users, drafts, the register, any division's data.
    Store,
    /// Only these divisions' values, notes and month statuses (codes, any order); the
    /// rest of the store can only be read meanwhile, by this writer and others like it.
    Divisions(&'a [&'a str]),
}

/// A transaction (or a savepoint inside one): rolled back when dropped uncommitted.
pub struct Tx<'a> {
    db: &'a Db,
    depth: u32,
    done: bool,
}

impl Tx<'_> {
    /// Commits; when that fails, the transaction is rolled back (by the drop).
    pub fn commit(mut self) -> Result<()> {
        let committed = self.db.end(self.depth, true);
        self.done = committed.is_ok();
        committed
    }

    /// Lets go of the transaction without ending it, for a caller that must write through
    /// the store (`&mut`) inside it; it ends it with [`Db::end`] and the depth returned.
    pub(super) fn detach(mut self) -> u32 {
        self.done = true;
        self.depth
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // A failed rollback leaves nothing to undo: the server or SQLite has already
            // ended the transaction (a lost connection, a failed COMMIT).
            let _ = self.db.end(self.depth, false);
        }
    }
}

/// Whether `e` is a refused constraint (a duplicate key, a failed `CHECK`), on either
/// engine: for turning it into the caller's own message.
pub fn is_constraint_violation(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(e) => {
            e.sqlite_error_code() == Some(rusqlite::ffi::ErrorCode::ConstraintViolation)
        }
        StoreError::Server(e) => e.code().is_some_and(|c| c.code().starts_with("23")),
        _ => false,
    }
}

/// `name` as a quoted SQL identifier (a schema or role, which take no parameters).
pub(super) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `n` numbered placeholders from `?first` on, for a `VALUES (…)` or `IN (…)` list:
/// `marks(2, 3)` is `?2, ?3, ?4`.
pub fn marks(first: usize, n: usize) -> String {
    let marks: Vec<String> = (first..first + n).map(|i| format!("?{i}")).collect();
    marks.join(", ")
}

/// `sql` with SQLite's placeholders (`?1`, or `?` numbered in order) as PostgreSQL's
/// (`$1`). Quoted text, quoted names and comments are copied unchanged.
pub fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next = 1u32;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == c {
                        break; // a doubled quote reopens at once: copied the same way
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = match digits.parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => next,
                };
                next = n + 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_the_postgresql_way() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 OR d = $1"
        );
        assert_eq!(
            numbered_placeholders("WHERE a = ? AND b = ? LIMIT ?"),
            "WHERE a = $1 AND b = $2 LIMIT $3"
        );
        assert_eq!(
            numbered_placeholders("SELECT '?1', \"x?\", 'it''s ?' -- why?\n, ?3"),
            "SELECT '?1', \"x?\", 'it''s ?' -- why?\n, $3"
        );
        assert_eq!(numbered_placeholders("VALUES (?12)"), "VALUES ($12)");
    }

    #[test]
    fn columns_read_into_rust_types_or_refuse() {
        assert_eq!(u8::from_value(Value::Int(12)), Some(12));
        assert_eq!(u8::from_value(Value::Int(300)), None);
        assert_eq!(bool::from_value(Value::Int(1)), Some(true));
        assert_eq!(bool::from_value(Value::Bool(false)), Some(false));
        assert_eq!(bool::from_value(Value::Int(2)), None);
        assert_eq!(Option::<i64>::from_value(Value::Null), Some(None));
        assert_eq!(i64::from_value(Value::Null), None);
        assert_eq!(String::from_value(Value::Int(1)), None);
    }
}
