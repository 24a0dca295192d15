//! The audit log (审计日志): every change with who, when, old and new, written in the same
//! transaction as the change.

use super::*;

impl Store {
    /// Audit rows matching `filter`, newest first.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        // Only the filters given go into the query, so that SQLite can use the
        // (entity, key) index; `(?1 IS NULL OR entity = ?1)` would scan the whole log.
        let mut clauses = Vec::new();
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
        if let Some(actor) = &filter.actor {
            clauses.push("actor = ?");
            args.push(actor);
        }
        if let Some(entity) = &filter.entity {
            clauses.push("entity = ?");
            args.push(entity);
        }
        if let Some(prefix) = &filter.key_prefix {
            clauses.push("substr(key, 1, length(?)) = ?");
            args.push(prefix);
            args.push(prefix);
        }
        let limit = filter.limit.map_or(-1, |l| l as i64);
        args.push(&limit);
        let sql = format!(
            "SELECT id, at, actor, action, entity, key, old, new, reason FROM audit_log
             {} ORDER BY id DESC LIMIT ?",
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            }
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args.as_slice(), |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
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

/// Writes one audit row, dated now.
#[allow(clippy::too_many_arguments)]
pub(super) fn audit(
    tx: &Connection,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: &str,
) -> Result<()> {
    audit_at(tx, &now(), actor, action, entity, key, old, new, reason)
}

/// [`audit`] dated `at`: the rows of one bulk write share the time of their transaction.
#[allow(clippy::too_many_arguments)]
pub(super) fn audit_at(
    tx: &Connection,
    at: &str,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: &str,
) -> Result<()> {
    let mut insert = tx.prepare_cached(INSERT)?;
    audit_with(
        &mut insert,
        at,
        actor,
        action,
        entity,
        key,
        old,
        new,
        reason,
    )
}

/// The audit row's insert, for [`audit_with`].
pub(super) const INSERT: &str =
    "INSERT INTO audit_log (at, actor, action, entity, key, old, new, reason)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// [`audit_at`] through a statement prepared once (from [`INSERT`]) for many rows.
#[allow(clippy::too_many_arguments)]
pub(super) fn audit_with(
    insert: &mut rusqlite::Statement,
    at: &str,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: &str,
) -> Result<()> {
    insert.execute(params![
        at,
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
