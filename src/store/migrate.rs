//! Moving a whole store to another place and engine (`nianbao migrate --from 年报.db --to
//! postgres://…`, or back): every table copied row for row into a new store, all in the
//! new store's creating transaction, then read back and compared table by table (row
//! count and a checksum over every value) before it commits. A copy that does not match
//! is rolled back: nothing is left at the target.
//!
//! The checksum is our own (SipHash over each value in key order, with booleans counted
//! as 0/1, the form SQLite stores them in), so that both engines' rows hash alike.

use std::hash::{Hash, Hasher};

use super::engine::{Db, Engine, Value};
use super::*;

/// Every table, in an order that satisfies the foreign keys, with its columns and key.
const TABLES: &[(&str, &str, &str)] = &[
    ("meta", "key, value", "key"),
    ("divisions", "code, name, sort_order", "code"),
    (
        "users",
        "login, display_name, role, division, phone, password_hash, active",
        "login",
    ),
    (
        "metrics",
        "year, code, name, unit, kind, places, aggregation, period, words, sort_order",
        "year, code",
    ),
    (
        "metric_owners",
        "year, metric, division",
        "year, metric, division",
    ),
    (
        "monthly_values",
        "year, division, metric, month, value, note, updated_by, updated_at",
        "year, division, metric, month",
    ),
    (
        "narratives",
        "year, division, quarter, text, updated_by, updated_at",
        "year, division, quarter",
    ),
    (
        "submissions",
        "year, division, month, status, updated_by, updated_at",
        "year, division, month",
    ),
    (
        "audit_log",
        "id, at, actor, action, entity, key, old, new, reason",
        "id",
    ),
    (
        "drafts",
        "id, year, template, title, source, status, revision_of, created_by, created_at, \
         updated_by, updated_at",
        "id",
    ),
    (
        "draft_comments",
        "id, draft_id, block, quote, text, author, at",
        "id",
    ),
    (
        "draft_approvals",
        "draft_id, approved_by, approved_at, document",
        "draft_id",
    ),
    (
        "applications",
        "id, number, received, channel, applicant_type, applicant_name, request, division, \
         correction_sent, correction_answered, extension_days, fee_notice, fee_paid, replied, \
         result, notes, withdrawn_reason, updated_by, updated_at",
        "id",
    ),
    (
        "appeals",
        "id, application_id, kind, case_number, filed, outcome, decided, notes, \
         withdrawn_reason, updated_by, updated_at",
        "id",
    ),
    (
        "holiday_calendars",
        "year, data, updated_by, updated_at",
        "year",
    ),
];

/// Tables whose `id` the server numbers (an identity column to move past the copied ids).
const NUMBERED: &[&str] = &[
    "audit_log",
    "drafts",
    "draft_comments",
    "applications",
    "appeals",
];

/// One table as copied and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub rows: u64,
    /// The checksum both sides gave.
    pub checksum: u64,
}

/// Copies the store at `from` into a new store at `to` (a file that does not exist yet,
/// or an empty server database), verified table by table; see the module doc. The
/// source is opened read-only and must be of this build's schema version.
pub fn migrate(from: &Path, to: &Path) -> Result<Vec<TableCopy>> {
    let source = Store::open_read_only(from)?;
    let agency = source.agency()?;
    let (_, copied) = Store::create_with(to, &agency, |target| {
        let tx = target.write_tx()?;
        // The new store's own first row (the agency) comes again with the source's meta.
        tx.execute("DELETE FROM meta", params![])?;
        let mut copied = Vec::new();
        for &(table, columns, key) in TABLES {
            let sql = format!("SELECT {columns} FROM {table} ORDER BY {key}");
            let n = columns.split(',').count();
            let insert = format!(
                "INSERT INTO {table} ({columns}) VALUES ({})",
                engine::marks(1, n)
            );
            let mut sum = Checksum::default();
            source.conn.query_each(&sql, params![], |r| {
                let row = (0..n).map(|i| r.value(i)).collect::<Result<Vec<_>>>()?;
                sum.add(&row);
                let args: Vec<&dyn engine::Param> =
                    row.iter().map(|v| v as &dyn engine::Param).collect();
                tx.execute(&insert, &args)?;
                Ok(())
            })?;
            let mut back = Checksum::default();
            tx.query_each(&sql, params![], |r| {
                let row = (0..n).map(|i| r.value(i)).collect::<Result<Vec<_>>>()?;
                back.add(&row);
                Ok(())
            })?;
            if back != sum {
                return Err(StoreError::Corrupt(format!(
                    "复制后核对不符：表 {table}，原有 {} 行，复制后 {} 行；目标未作任何修改",
                    sum.rows, back.rows
                )));
            }
            copied.push(TableCopy {
                table,
                rows: sum.rows,
                checksum: sum.hash.finish(),
            });
        }
        if tx.engine() == Engine::Postgres {
            renumber_after_copy(&tx)?;
        }
        tx.commit()?;
        Ok(copied)
    })?;
    Ok(copied)
}

/// Moves each identity column past the copied ids, so that new rows get new numbers.
fn renumber_after_copy(db: &Db) -> Result<()> {
    for table in NUMBERED {
        db.execute_batch(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                           coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))?;
    }
    Ok(())
}

/// Rows and a running hash of every value.
#[derive(Default)]
struct Checksum {
    rows: u64,
    hash: std::hash::DefaultHasher,
}

impl Checksum {
    fn add(&mut self, row: &[Value]) {
        self.rows += 1;
        for v in row {
            match *v {
                Value::Null => 0u8.hash(&mut self.hash),
                Value::Int(i) => (1u8, i).hash(&mut self.hash),
                Value::Bool(b) => (1u8, i64::from(b)).hash(&mut self.hash),
                Value::Text(s) => (2u8, s).hash(&mut self.hash),
                Value::Bytes(b) => (3u8, b).hash(&mut self.hash),
            }
        }
    }
}

impl PartialEq for Checksum {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows && self.hash.finish() == other.hash.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table or column added to the schema and forgotten here would be left behind by
    /// every migration: the list must name every table and every column of a new file.
    #[test]
    fn the_copy_names_every_table_and_column_of_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("新.db"), "测试局").unwrap();
        let conn = store.conn.as_sqlite().unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        let tables: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut listed: Vec<&str> = TABLES.iter().map(|t| t.0).collect();
        listed.sort_unstable();
        assert_eq!(tables, listed);
        for &(table, columns, _) in TABLES {
            let mut stmt = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap();
            let mut actual: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let mut copied: Vec<String> = columns.split(',').map(|c| c.trim().into()).collect();
            actual.sort();
            copied.sort();
            assert_eq!(actual, copied, "columns of {table}");
        }
    }
}
