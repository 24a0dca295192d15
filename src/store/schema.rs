//! The file format: the current schema, and the upgrades from every older version, for
//! both engines.
//!
//! Shaped like Mozilla application-services' `ConnectionInitializer`: [`init`] creates the
//! current schema in a new file, [`upgrade_from`] has one arm per old version, and both
//! run inside the caller's transaction. A new file is made as version 1 and then taken
//! through the same upgrade arms an old file goes through, so a new file and an upgraded
//! one cannot differ. A file from a newer version is refused before anything is written.
//! Hand-written rather than `rusqlite_migration` because that crate does not yet build
//! against our rusqlite (0.43), and what we need is a `match` and `PRAGMA user_version`.
//!
//! Each version's DDL comes in two dialects, [`Ddl`]: SQLite's (kept verbatim, since files
//! of every version exist) and PostgreSQL's (`postgres_ddl.rs`: `BIGINT` for SQLite's
//! 64-bit `INTEGER`, identity columns for `INTEGER PRIMARY KEY`, `BOOLEAN` for flags,
//! `COLLATE "C"` so that text sorts and compares byte for byte as in SQLite). A new
//! migration adds both and one arm here. The version is `PRAGMA user_version` in a file
//! and the table `nianbao_schema` on a server.

use super::engine::{Db, Engine};
use super::{StoreError, postgres, postgres_ddl, sqlite};

/// One schema change, in each engine's dialect.
pub(super) struct Ddl {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl Ddl {
    fn run(&self, db: &Db) -> Result<(), StoreError> {
        db.execute_batch(match db.engine() {
            Engine::Sqlite => self.sqlite,
            Engine::Postgres => self.postgres,
        })
    }
}

/// `PRAGMA application_id` of a Nianbao file ("NBAO").
pub const APPLICATION_ID: i32 = 0x4E42_414F;

/// The schema version this build writes. Bump it and add an arm to [`upgrade_from`]
/// whenever the schema changes.
pub const VERSION: i32 = 4;

/// The first released schema version: a file with our application id and a lower
/// `user_version` was never initialised by any release, and is refused untouched.
pub const FIRST_VERSION: i32 = 1;

/// Version 1, as first released: kept verbatim, since files of this version exist.
pub(crate) const SCHEMA_V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE divisions (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    login         TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('contact', 'office', 'leader')),
    division      TEXT REFERENCES divisions(code),
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    CHECK (role <> 'contact' OR division IS NOT NULL)
) WITHOUT ROWID;

-- The catalogue, per year. Values are stored as integers scaled by 10^places.
CREATE TABLE metrics (
    year        INTEGER NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('count', 'amount', 'ratio')),
    places      INTEGER NOT NULL CHECK (places BETWEEN 0 AND 9),
    aggregation TEXT NOT NULL,
    period      TEXT NOT NULL CHECK (period IN ('monthly', 'yearly')),
    words       TEXT NOT NULL DEFAULT '[]',
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (year, code)
) WITHOUT ROWID;

CREATE TABLE metric_owners (
    year     INTEGER NOT NULL,
    metric   TEXT NOT NULL,
    division TEXT NOT NULL REFERENCES divisions(code),
    PRIMARY KEY (year, metric, division),
    FOREIGN KEY (year, metric) REFERENCES metrics(year, code) ON DELETE CASCADE
) WITHOUT ROWID;

-- month 1..12, or 0 for a yearly metric. value NULL = not reported (blank is not zero).
CREATE TABLE monthly_values (
    year       INTEGER NOT NULL,
    division   TEXT NOT NULL REFERENCES divisions(code),
    metric     TEXT NOT NULL,
    month      INTEGER NOT NULL CHECK (month BETWEEN 0 AND 12),
    value      INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, division, metric, month),
    FOREIGN KEY (year, metric) REFERENCES metrics(year, code)
) WITHOUT ROWID;
CREATE INDEX monthly_values_by_metric ON monthly_values (year, metric);

CREATE TABLE narratives (
    year       INTEGER NOT NULL,
    division   TEXT NOT NULL REFERENCES divisions(code),
    quarter    INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    text       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, division, quarter)
) WITHOUT ROWID;

-- Absent row = open.
CREATE TABLE submissions (
    year       INTEGER NOT NULL,
    division   TEXT NOT NULL REFERENCES divisions(code),
    month      INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    status     TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'locked')),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, division, month)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    key    TEXT NOT NULL,
    old    TEXT,
    new    TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, key);
"#;

/// Version 2: report drafts, leaders' comments and approved snapshots.
const SCHEMA_V2: &str = r#"
-- A report being written: a copy of a template's source that the office edits. Figures
-- stay live because the source still calls figure(); only the prose is frozen in it.
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    template    TEXT NOT NULL,
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'review', 'approved', 'returned')),
    revision_of INTEGER REFERENCES drafts(id),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX drafts_by_year ON drafts (year);

-- A comment on a paragraph: its block index when written and a quote of its text, so it
-- can be found again after the prose around it changed.
CREATE TABLE draft_comments (
    id       INTEGER PRIMARY KEY,
    draft_id INTEGER NOT NULL REFERENCES drafts(id),
    block    INTEGER,
    quote    TEXT NOT NULL DEFAULT '',
    text     TEXT NOT NULL,
    author   TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX draft_comments_by_draft ON draft_comments (draft_id);

-- What a leader approved: the document model with all its figures, as JSON.
CREATE TABLE draft_approvals (
    draft_id    INTEGER PRIMARY KEY REFERENCES drafts(id),
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    document    TEXT NOT NULL
);
"#;

/// Version 3: users can be deactivated (停用) — kept for the audit log's names, no longer
/// able to sign in or write.
const SCHEMA_V3: &str = r#"
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
"#;

/// The 依申请公开 register (`store::register`): applications, the reviews and suits about
/// them, and the holiday notices the office added. Dates are ISO text (`2026-03-09`), so
/// that they sort and compare as dates in any SQL engine. Nothing is ever deleted: a
/// record is withdrawn with a reason.
const SCHEMA_REGISTER: &str = r#"
CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    received            TEXT NOT NULL,
    channel             TEXT NOT NULL
        CHECK (channel IN ('in_person', 'post', 'online', 'fax', 'other')),
    applicant_type      TEXT NOT NULL,
    applicant_name      TEXT NOT NULL DEFAULT '',
    request             TEXT NOT NULL DEFAULT '',
    division            TEXT REFERENCES divisions(code),
    correction_sent     TEXT,
    correction_answered TEXT,
    extension_days      INTEGER CHECK (extension_days BETWEEN 1 AND 20),
    fee_notice          TEXT,
    fee_paid            TEXT,
    replied             TEXT,
    result              TEXT,
    notes               TEXT NOT NULL DEFAULT '',
    withdrawn_reason    TEXT,
    updated_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK ((replied IS NULL) = (result IS NULL))
);
CREATE INDEX applications_by_received ON applications (received);

CREATE TABLE appeals (
    id               INTEGER PRIMARY KEY,
    application_id   INTEGER NOT NULL REFERENCES applications(id),
    kind             TEXT NOT NULL CHECK (kind IN ('review', 'suit_direct', 'suit_after_review')),
    case_number      TEXT NOT NULL DEFAULT '',
    filed            TEXT NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('upheld', 'corrected', 'other', 'pending')),
    decided          TEXT,
    notes            TEXT NOT NULL DEFAULT '',
    withdrawn_reason TEXT,
    updated_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX appeals_by_application ON appeals (application_id);

-- A year's holiday notice as the office entered it (the assets/calendar format, JSON);
-- it takes the place of the shipped one for that year.
CREATE TABLE holiday_calendars (
    year       INTEGER PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"#;

const V1: Ddl = Ddl {
    sqlite: SCHEMA_V1,
    postgres: postgres_ddl::V1,
};
const V2: Ddl = Ddl {
    sqlite: SCHEMA_V2,
    postgres: postgres_ddl::V2,
};
const V3: Ddl = Ddl {
    sqlite: SCHEMA_V3,
    postgres: postgres_ddl::V3,
};
const V4: Ddl = Ddl {
    sqlite: SCHEMA_REGISTER,
    postgres: postgres_ddl::V4,
};

/// Creates the current schema in an empty file or server schema, inside the caller's
/// transaction.
pub fn init(tx: &Db) -> Result<(), StoreError> {
    V1.run(tx)?;
    upgrade_from(tx, 1)
}

/// Upgrades a store of schema `version` (< [`VERSION`]) to the current schema and marks
/// it with [`VERSION`], inside the caller's transaction. One arm per old version; each
/// falls through to the next by recursion.
pub fn upgrade_from(tx: &Db, version: i32) -> Result<(), StoreError> {
    match version {
        1 => {
            V2.run(tx)?;
            upgrade_from(tx, 2)
        }
        2 => {
            V3.run(tx)?;
            upgrade_from(tx, 3)
        }
        3 => {
            V4.run(tx)?;
            upgrade_from(tx, 4)
        }
        v if v == VERSION => set_version(tx, VERSION),
        // A file with our application id but no schema version was never initialised
        // (`Store::open` refuses it before this; kept so no version is ever guessed).
        found => Err(StoreError::UnknownVersion { found }),
    }
}

/// Refuses a version this build cannot open: never initialised, or newer.
pub fn require_known(version: i32) -> Result<(), StoreError> {
    if version < FIRST_VERSION {
        return Err(StoreError::UnknownVersion { found: version });
    }
    if version > VERSION {
        return Err(StoreError::NewerVersion {
            found: version,
            supported: VERSION,
        });
    }
    Ok(())
}

/// The schema version of an open store.
pub fn version(db: &Db) -> Result<i32, StoreError> {
    match db.as_sqlite() {
        Some(c) => Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?),
        None => postgres::version(db)?.ok_or_else(|| StoreError::Corrupt("没有版本号".into())),
    }
}

fn set_version(db: &Db, version: i32) -> Result<(), StoreError> {
    match db.engine() {
        Engine::Sqlite => sqlite::set_version(db, version),
        Engine::Postgres => postgres::set_version(db, version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_file_of_ours_without_a_schema_version_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("未初始化.db");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
                .unwrap();
            c.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().expect("refused");
        assert!(
            matches!(err, StoreError::UnknownVersion { found: 0 }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("版本号不对（文件版本 0"), "{message}");
        assert!(!message.contains("Query"), "{message}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn sqlite_refusals_become_chinese_store_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("只读.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x INTEGER);")
            .unwrap();
        let ro = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let err = StoreError::from(ro.execute("INSERT INTO t VALUES (1)", []).unwrap_err());
        assert!(matches!(err, StoreError::ReadOnly), "{err:?}");
        assert!(err.to_string().contains("数据文件是只读的"), "{err}");
        assert!(!err.to_string().contains("readonly"), "{err}");
        let missing = dir.path().join("没有这个文件夹").join("x.db");
        let err = StoreError::from(rusqlite::Connection::open(&missing).unwrap_err());
        assert!(matches!(err, StoreError::CannotOpen(_)), "{err:?}");
        assert!(err.to_string().starts_with("无法打开数据文件"), "{err}");
    }
}
