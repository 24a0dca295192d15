//! The PostgreSQL engine: `postgres://user:password@host:port/db` (or `postgresql://`)
//! opened as a store, through the `postgres` crate (sync; TLS as libpq's `sslmode` says,
//! see `postgres_tls`). Owns connecting and its refusals in Chinese (server
//! unreachable, wrong password, no such database, no schema of ours, a newer schema),
//! the schema version kept in the table `nianbao_schema`, the store's write lock, the
//! `postgres` crate's side of the [`Db`] seam, and PostgreSQL's error codes as
//! [`StoreError`]s.
//!
//! The desktop app connects through a [`ServerAddress`] and a password typed at each
//! connection; only the address is remembered.
//!
//! Tables live in the connection's current schema (`search_path`), so one database can
//! hold several stores side by side (the tests give each a schema of its own).
//!
//! Writers lock what they change for their whole transaction, with advisory locks keyed
//! by the schema, waiting at most [`BUSY_TIMEOUT`] before [`StoreError::Busy`]:
//! - a write of some divisions' figures, notes or month statuses ([`Lock::Divisions`])
//!   takes the store's lock shared and each of those divisions' locks exclusively, in
//!   order of code (so two writers never wait on each other in a cycle): forty contacts
//!   saving their own divisions' figures at once never wait on each other;
//! - every other write ([`Lock::Store`]: the catalogue, users, drafts, the register, a
//!   schema upgrade) takes the store's lock exclusively, and so waits for the division
//!   writes under way and holds off new ones.
//!
//! The store's checks rely on this: a value write reads the catalogue and its divisions'
//! month statuses once, then writes; neither can change until it commits.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use ::postgres::error::SqlState;
use ::postgres::types::{ToSql, Type};
use ::postgres::{Client, Statement};

use super::engine::{Db, Lock, Param, Value, numbered_placeholders, params};
use super::postgres_tls::{self, Tls};
use super::{BUSY_TIMEOUT, Result, Store, StoreError, schema};

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Prepared statements kept per connection before the cache starts over.
const STATEMENT_CACHE: usize = 256;

/// The server URL in a `--db` argument, if it is one.
pub fn url_of(path: &Path) -> Option<&str> {
    let text = path.to_str()?;
    let scheme = text.split_once("://")?.0;
    (scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql"))
        .then_some(text)
}

/// `url` with the connection's schema set to `schema`: one store of several in a
/// database (an agency's, in a city's database).
pub fn url_in_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// Creates the empty schema `schema` for a store, unless it is there (connected as the
/// server's administrator).
pub(super) fn create_schema(url: &str, schema: &str) -> Result<()> {
    let server = connect(url, false)?;
    server.batch(&format!(
        "CREATE SCHEMA IF NOT EXISTS {}",
        super::engine::ident(schema)
    ))
}

/// A connection string read: tokio-postgres's configuration, and what it says of TLS.
fn parsed(url: &str) -> Result<(::postgres::Config, Tls)> {
    let (rest, tls) = postgres_tls::split(url)?;
    let mut config: ::postgres::Config = rest
        .parse()
        .map_err(|e| StoreError::BadServerUrl(format!("{e}")))?;
    config.ssl_mode(tls.ssl_mode());
    Ok((config, tls))
}

/// `url` as it may be shown: without the password.
pub fn shown(url: &str) -> String {
    match parsed(url) {
        Ok((config, _)) => server_name(&config),
        Err(_) => url.split('@').next_back().unwrap_or_default().to_string(),
    }
}

/// A server's address as the desktop app's connection form edits and remembers it: never
/// the password, which is asked for at every connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// `sslmode` and `sslrootcert`.
    pub tls: Tls,
}

impl Default for ServerAddress {
    fn default() -> Self {
        ServerAddress {
            host: String::new(),
            port: 5432,
            database: "nianbao".into(),
            user: String::new(),
            tls: Tls::default(),
        }
    }
}

impl ServerAddress {
    /// The address in a server URL (with or without a password); `None` when `url` is not
    /// one.
    pub fn parse(url: &str) -> Option<ServerAddress> {
        use ::postgres::config::Host;
        let (config, tls) = parsed(url_of(Path::new(url))?).ok()?;
        let host = match config.get_hosts().first()? {
            Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            Host::Unix(p) => p.display().to_string(),
        };
        Some(ServerAddress {
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            user: config.get_user()?.to_string(),
            database: config.get_dbname().unwrap_or_default().to_string(),
            tls,
        })
    }

    /// The `--db` that opens it with `password`.
    pub fn url(&self, password: &str) -> std::path::PathBuf {
        let login = if password.is_empty() {
            encoded(&self.user)
        } else {
            format!("{}:{}", encoded(&self.user), encoded(password))
        };
        let query: Vec<String> = (self.tls.params().into_iter())
            .map(|(key, value)| format!("{key}={}", encoded(&value)))
            .collect();
        let query = query.join("&");
        format!(
            "postgres://{login}@{}:{}/{}{}{query}",
            encoded(self.host.trim()),
            self.port,
            encoded(self.database.trim()),
            if query.is_empty() { "" } else { "?" },
        )
        .into()
    }

    /// As it is remembered and shown: `postgres://user@host:port/db`.
    pub fn remembered(&self) -> String {
        self.url("").display().to_string()
    }
}

/// `text` percent-encoded for a URL part: everything but unreserved ASCII (RFC 3986).
fn encoded(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

fn server_name(config: &::postgres::Config) -> String {
    use ::postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or_default();
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{db}")
}

/// An open connection, with its prepared statements.
pub struct Server {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
    /// `user@host:port/db`, for messages.
    name: String,
    /// For connecting again after the connection was lost (see [`Server::reconnect`]).
    url: String,
    read_only: bool,
}

/// Connects, turning every refusal into a message the user can act on.
fn connect(url: &str, read_only: bool) -> Result<Server> {
    let (client, name) = connect_client(url)?;
    let server = Server {
        client: RefCell::new(client),
        statements: RefCell::default(),
        name,
        url: url.to_string(),
        read_only,
    };
    server.configure()?;
    Ok(server)
}

/// A new client for `url`, and the server's name for messages.
fn connect_client(url: &str) -> Result<(Client, String)> {
    let (mut config, tls) = parsed(url)?;
    if config.get_user().is_none_or(str::is_empty) {
        return Err(StoreError::BadServerUrl(format!(
            "没有用户名：{}",
            shown(url)
        )));
    }
    let name = server_name(&config);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("nianbao");
    }
    config.notice_callback(|_| {});
    let connector = tokio_postgres_rustls::MakeRustlsConnect::new(tls.client_config()?);
    let client = config.connect(connector).map_err(|e| {
        if let Some(tls) = postgres_tls::error_of(&e, &name) {
            return tls;
        }
        let code = e.code().cloned();
        match code {
            Some(c) if c == SqlState::INVALID_PASSWORD => StoreError::ServerLogin(name.clone()),
            Some(c) if c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                StoreError::ServerLogin(name.clone())
            }
            Some(c) if c == SqlState::INVALID_CATALOG_NAME => {
                StoreError::NoSuchDatabase(name.clone())
            }
            Some(_) => StoreError::Server(e),
            None if e.to_string().contains("password missing") => {
                StoreError::ServerLogin(name.clone())
            }
            None => StoreError::Unreachable {
                server: name.clone(),
                reason: std::error::Error::source(&e)
                    .map_or_else(|| e.to_string(), |s| s.to_string()),
            },
        }
    })?;
    Ok((client, name))
}

/// The schema version in the current schema, `None` when the schema has no store.
pub(super) fn version(db: &Db) -> Result<Option<i32>> {
    let ours: bool = db.query_one(
        "SELECT to_regclass(quote_ident(current_schema()) || '.nianbao_schema') IS NOT NULL",
        params![],
        |r| r.get(0),
    )?;
    if !ours {
        return Ok(None);
    }
    db.query_one("SELECT version FROM nianbao_schema", params![], |r| {
        r.get(0)
    })
    .map(Some)
}

/// Marks the schema with its version (creating the marker in a new one).
pub(super) fn set_version(db: &Db, version: i32) -> Result<()> {
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS nianbao_schema (
             one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
             version BIGINT NOT NULL
         )",
    )?;
    db.execute(
        "INSERT INTO nianbao_schema (version) VALUES (?1)
         ON CONFLICT (one) DO UPDATE SET version = excluded.version",
        params![version],
    )?;
    Ok(())
}

/// Opens the store in the server's current schema; see [`Store::open`].
pub(super) fn open(url: &str, read_only: bool) -> Result<Store> {
    let server = connect(url, read_only)?;
    let name = server.name.clone();
    let mut store = Store {
        conn: Db::postgres(server),
        path: url.into(),
    };
    let found = version(&store.conn)?.ok_or_else(|| StoreError::NoSchema(name.clone()))?;
    schema::require_known(found)?;
    if found < schema::VERSION {
        if read_only {
            return Err(StoreError::ServerNeedsUpgrade(name));
        }
        let mut upgrade = || -> Result<()> {
            let tx = store.write_tx()?;
            // Read again under the write lock: another desktop may have upgraded meanwhile.
            let now = version(&tx)?.ok_or_else(|| StoreError::NoSchema(name.clone()))?;
            schema::require_known(now)?;
            if now < schema::VERSION {
                schema::upgrade_from(&tx, now)?;
            }
            tx.commit()
        };
        // A user's login may read and write the store's rows but not change its tables:
        // only the owner (the IT department's administrator) can upgrade it.
        upgrade().map_err(|e| match &e {
            StoreError::Server(pg) if pg.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {
                StoreError::ServerUpgradeNeedsOwner {
                    server: name.clone(),
                    found,
                }
            }
            _ => e,
        })?;
    }
    Ok(store)
}

/// Creates the store's schema in an empty schema of the server and fills it with `build`,
/// all in one transaction: a failure leaves the database as it was.
pub(super) fn create_with<T>(
    url: &str,
    agency: &str,
    build: impl FnOnce(&mut Store) -> Result<T>,
) -> Result<(Store, T)> {
    let server = connect(url, false)?;
    let name = server.name.clone();
    let mut store = Store {
        conn: Db::postgres(server),
        path: url.into(),
    };
    // One transaction for the checks, the schema and `build`, whose own transactions
    // become savepoints of it.
    let outer = store.conn.begin()?.detach();
    let built = (|| {
        let db = &store.conn;
        if version(db)?.is_some() {
            return Err(StoreError::ServerHasStore(name.clone()));
        }
        let tables: i64 = db.query_one(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
            params![],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(StoreError::ServerNotEmpty {
                server: name.clone(),
                tables,
            });
        }
        schema::init(db)?;
        super::put_agency(db, agency)?;
        build(&mut store)
    })();
    let built = match built {
        Ok(b) => b,
        Err(e) => {
            store.conn.end(outer, false).ok();
            return Err(e);
        }
    };
    store.conn.end(outer, true)?;
    Ok((store, built))
}

impl Server {
    /// What every session starts with.
    fn configure(&self) -> Result<()> {
        if self.read_only {
            self.batch("SET default_transaction_read_only = on")?;
        }
        Ok(())
    }

    /// Whether the connection has been found closed (the server restarted, the network
    /// dropped it): then [`Server::reconnect`] may connect again.
    pub(super) fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }

    /// Connects again with the same address and settings, the prepared statements
    /// forgotten. Only between transactions: an unfinished one is lost with the old
    /// connection, and its caller has been told so.
    pub(super) fn reconnect(&self) -> Result<()> {
        let (client, _) = connect_client(&self.url)?;
        *self.client.borrow_mut() = client;
        self.statements.borrow_mut().clear();
        self.configure()
    }

    /// Starts a write transaction holding `lock` (see the module doc). When a lock is not
    /// had in time, the transaction is rolled back, so the connection stays usable. The
    /// transaction, its timeout and the store's lock go in one round trip, and each
    /// division's lock in one more.
    pub(super) fn begin_write(&self, lock: Lock<'_>) -> Result<()> {
        let store_lock = match lock {
            Lock::Store => "pg_advisory_xact_lock",
            Lock::Divisions(_) => "pg_advisory_xact_lock_shared",
        };
        let begun = self.batch(&format!(
            "BEGIN; SET LOCAL lock_timeout = '{}s';
             SELECT {store_lock}({}, hashtext(coalesce(current_schema(), '')))",
            BUSY_TIMEOUT.as_secs(),
            schema::APPLICATION_ID
        ));
        begun
            .and_then(|()| self.lock_divisions(lock))
            .inspect_err(|_| {
                let _ = self.batch("ROLLBACK");
            })
    }

    /// With [`Lock::Divisions`], each of those divisions' locks, in order of code.
    fn lock_divisions(&self, lock: Lock<'_>) -> Result<()> {
        if let Lock::Divisions(divisions) = lock {
            let mut divisions = divisions.to_vec();
            divisions.sort_unstable();
            divisions.dedup();
            for division in divisions {
                // One 64-bit key per (schema, division): a key space apart from the
                // store's two-key lock above.
                self.execute(
                    "SELECT pg_advisory_xact_lock(
                         (CAST(hashtext(coalesce(current_schema(), '')) AS BIGINT) << 32)
                         | (CAST(hashtext(?1) AS BIGINT) & 4294967295))",
                    params![division],
                )?;
            }
        }
        Ok(())
    }

    /// Statements without parameters that may change the schema.
    pub(super) fn execute_batch(&self, sql: &str) -> Result<()> {
        self.batch(sql)?;
        // A schema change may have made a prepared statement's plan stale.
        self.statements.borrow_mut().clear();
        Ok(())
    }

    /// Statements without parameters that change no schema (transaction control).
    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let prepared = self
            .client
            .borrow_mut()
            .prepare(&numbered_placeholders(sql))?;
        let mut cache = self.statements.borrow_mut();
        if cache.len() >= STATEMENT_CACHE {
            cache.clear();
        }
        cache.insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }

    pub(super) fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        let stmt = self.statement(sql)?;
        let values = binds(&stmt, params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|b| &**b as _).collect();
        let n = self.client.borrow_mut().execute(&stmt, &refs)?;
        Ok(n as usize)
    }

    /// Every row of a query, fetched before any is looked at (so that the caller may
    /// query again on the same connection while reading them).
    pub(super) fn query(&self, sql: &str, params: &[&dyn Param]) -> Result<Vec<::postgres::Row>> {
        let stmt = self.statement(sql)?;
        let values = binds(&stmt, params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|b| &**b as _).collect();
        Ok(self.client.borrow_mut().query(&stmt, &refs)?)
    }
}

type Bind<'a> = Box<dyn ToSql + Sync + 'a>;

/// The parameters as the types the server inferred for them: an integer goes to an
/// `int2`/`int4`/`int8`/`boolean` parameter alike, a boolean to an integer one.
fn binds<'a>(stmt: &Statement, params: &'a [&'a dyn Param]) -> Result<Vec<Bind<'a>>> {
    let types = stmt.params();
    if types.len() != params.len() {
        return Err(StoreError::Invalid(format!(
            "语句需要 {} 个参数，给了 {} 个",
            types.len(),
            params.len()
        )));
    }
    types
        .iter()
        .zip(params)
        .map(|(ty, p)| bind(p.value(), ty))
        .collect()
}

fn bind<'a>(v: Value<'a>, ty: &Type) -> Result<Bind<'a>> {
    let int = |v: Value| match v {
        Value::Int(i) => Some(Some(i)),
        Value::Bool(b) => Some(Some(i64::from(b))),
        Value::Null => Some(None),
        _ => None,
    };
    let narrow = |i: Option<i64>| -> Option<Option<i32>> { i.map(i32::try_from).transpose().ok() };
    let out: Option<Bind<'a>> = if *ty == Type::INT8 {
        int(v).map(|i| Box::new(i) as Bind)
    } else if *ty == Type::INT4 {
        int(v).and_then(narrow).map(|i| Box::new(i) as Bind)
    } else if *ty == Type::INT2 {
        int(v)
            .and_then(|i| i.map(i16::try_from).transpose().ok())
            .map(|i| Box::new(i) as Bind)
    } else if *ty == Type::BOOL {
        match v {
            Value::Bool(b) => Some(Box::new(Some(b)) as Bind),
            Value::Int(i @ (0 | 1)) => Some(Box::new(Some(i == 1)) as Bind),
            Value::Null => Some(Box::new(None::<bool>) as Bind),
            _ => None,
        }
    } else if *ty == Type::BYTEA {
        match v {
            Value::Bytes(b) => Some(Box::new(Some(b)) as Bind),
            Value::Null => Some(Box::new(None::<&[u8]>) as Bind),
            _ => None,
        }
    } else if <&str as ToSql>::accepts(ty) {
        match v {
            Value::Text(s) => Some(Box::new(Some(s)) as Bind),
            Value::Int(i) => Some(Box::new(Some(i.to_string())) as Bind),
            Value::Null => Some(Box::new(None::<&str>) as Bind),
            _ => None,
        }
    } else {
        None
    };
    out.ok_or_else(|| StoreError::Invalid(format!("参数 {v:?} 不能作为 {ty} 类型传给数据库")))
}

/// Column `i` of a row, by the type the server gave it.
pub(super) fn column(row: &::postgres::Row, i: usize) -> Result<Value<'_>> {
    let ty = row
        .columns()
        .get(i)
        .ok_or_else(|| StoreError::Corrupt(format!("查询结果没有第 {} 列", i + 1)))?
        .type_();
    let v = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map(|v| Value::Int(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)?
            .map(|v| Value::Int(v.into()))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)?.map(Value::Bool)
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<&[u8]>>(i)?.map(Value::Bytes)
    } else if <&str as ::postgres::types::FromSql>::accepts(ty) {
        row.try_get::<_, Option<&str>>(i)?.map(Value::Text)
    } else {
        return Err(StoreError::Corrupt(format!(
            "第 {} 列是数据库类型 {ty}，年报不读这种类型（整数请用 CAST(… AS BIGINT)）",
            i + 1
        )));
    };
    Ok(v.unwrap_or(Value::Null))
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        let code = e.code().cloned();
        let busy = [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
            SqlState::QUERY_CANCELED,
        ];
        match code {
            Some(c) if busy.contains(&c) => StoreError::Busy,
            Some(c) if c == SqlState::READ_ONLY_SQL_TRANSACTION => StoreError::ReadOnly,
            Some(c) if c == SqlState::DISK_FULL => StoreError::DiskFull,
            Some(c) if c == SqlState::ADMIN_SHUTDOWN => StoreError::ConnectionLost(e.to_string()),
            Some(_) => StoreError::Server(e),
            None if e.is_closed()
                || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) =>
            {
                StoreError::ConnectionLost(e.to_string())
            }
            None => StoreError::Server(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_address_goes_into_a_url_and_back_and_is_remembered_without_the_password() {
        let address = ServerAddress {
            host: "db.example.gov.cn".into(),
            port: 5433,
            database: "年报".into(),
            user: "liu fang".into(),
            tls: Tls::default(),
        };
        let url = address.url("p@ss:/w?rd%");
        let text = url.to_str().unwrap();
        let config: ::postgres::Config = text.parse().unwrap();
        assert_eq!(config.get_password(), Some(b"p@ss:/w?rd%".as_slice()));
        assert_eq!(config.get_user(), Some("liu fang"));
        assert_eq!(config.get_dbname(), Some("年报"));
        assert_eq!(ServerAddress::parse(text), Some(address.clone()));
        let remembered = address.remembered();
        assert!(!remembered.contains("p%40ss"), "{remembered}");
        assert_eq!(ServerAddress::parse(&remembered), Some(address.clone()));
        assert_eq!(ServerAddress::parse("D:\\年报\\2026.nianbao"), None);
        // TLS settings travel with the address, and never the password
        let verified = ServerAddress {
            tls: Tls {
                mode: crate::store::TlsMode::VerifyFull,
                root_cert: Some(r"C:\证书\ca.pem".into()),
            },
            ..address
        };
        let remembered = verified.remembered();
        assert_eq!(ServerAddress::parse(&remembered), Some(verified.clone()));
        let url = verified.url("secret");
        assert_eq!(
            ServerAddress::parse(url.to_str().unwrap()),
            Some(verified.clone())
        );
        assert!(!shown(url.to_str().unwrap()).contains("secret"));
    }
}
