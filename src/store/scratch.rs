//! Throw-away stores for tests and benchmarks, on either engine: a file in a temporary
//! folder, or a schema of its own on the PostgreSQL server that `NIANBAO_TEST_PG` names
//! (`scripts/start-test-pg.sh` starts one), dropped when the [`Scratch`] is. The same
//! test body then runs on both engines.
//!
//! Without `NIANBAO_TEST_PG` the PostgreSQL runs are skipped with a note on stderr, except
//! under CI (`CI=true`), where a missing server is a failure, never a silent pass.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::Engine;

/// The variable naming the test server, e.g. `postgres://nianbao:pw@127.0.0.1:5433/postgres`.
pub const TEST_SERVER: &str = "NIANBAO_TEST_PG";

/// A place for one throw-away store, and a temporary folder beside it.
pub struct Scratch {
    engine: Engine,
    /// What `--db` / [`super::Store::open`] takes: a file path or a server URL.
    location: PathBuf,
    dir: tempfile::TempDir,
    /// The server and the schema to drop.
    schema: Option<(String, String)>,
}

impl Scratch {
    /// A fresh place on `engine`, or `None` when the PostgreSQL test server is not set
    /// (outside CI; `test` names the caller in the note). Panics when it cannot be made.
    pub fn new(engine: Engine, test: &str) -> Option<Scratch> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        match engine {
            Engine::Sqlite => Some(Scratch {
                engine,
                location: dir.path().join("年报.db"),
                dir,
                schema: None,
            }),
            Engine::Postgres => {
                let server = test_server(test)?;
                let schema = fresh_schema(&server);
                let location = super::postgres::url_in_schema(&server, &schema).into();
                Some(Scratch {
                    engine,
                    location,
                    dir,
                    schema: Some((server, schema)),
                })
            }
        }
    }

    /// A fresh place on each engine that can be had: SQLite always, PostgreSQL when its
    /// test server is set (see [`Scratch::new`]).
    pub fn each(test: &str) -> Vec<Scratch> {
        [Engine::Sqlite, Engine::Postgres]
            .into_iter()
            .filter_map(|e| Scratch::new(e, test))
            .collect()
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The store's `--db`: a file path (not yet created) or a server URL.
    pub fn path(&self) -> &Path {
        &self.location
    }

    /// A temporary folder for other files (exports, sheets).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.schema
            && let Ok(mut client) = ::postgres::Client::connect(server, ::postgres::NoTls)
        {
            // A schema left behind by a failed drop is harmless: the cluster is a test one.
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// The test server's URL, or `None` (with a note) when it is not set outside CI.
pub fn test_server(test: &str) -> Option<String> {
    match std::env::var(TEST_SERVER) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{TEST_SERVER} is not set, but CI must run the PostgreSQL tests \
             (scripts/start-test-pg.sh starts a server and prints the variable)"
        ),
        _ => {
            eprintln!(
                "note: {test}: PostgreSQL run skipped, {TEST_SERVER} is not set \
                 (eval \"$(scripts/start-test-pg.sh)\" starts a test server)"
            );
            None
        }
    }
}

/// Creates a schema no other test uses.
fn fresh_schema(server: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let schema = format!(
        "nb_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = ::postgres::Client::connect(server, ::postgres::NoTls)
        .unwrap_or_else(|e| panic!("{TEST_SERVER}={server}: {e}"));
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap_or_else(|e| panic!("CREATE SCHEMA {schema}: {e}"));
    schema
}
