//! The audit log (审计日志): every change with who, when, old and new, written in the same
//! transaction as the change.

use super::*;

impl Store {
    /// Audit rows matching `filter`, newest first.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        // Only the filters given go into the query, so that SQLite can use the
        // (entity, key) index; `(?1 IS NULL OR entity = ?1)` would scan the whole log.
        let mut clauses = Vec::new();
        let mut args: Vec<&dyn engine::Param> = Vec::new();
        if let Some(actor) = &filter.actor {
            clauses.push("actor = ?");
            args.push(actor);
        }
        if let Some(entity) = &filter.entity {
            clauses.push("entity = ?");
            args.push(entity);
        }
        let prefix_chars = filter.key_prefix.as_ref().map(|p| p.chars().count() as i64);
        if let (Some(prefix), Some(chars)) = (&filter.key_prefix, &prefix_chars) {
            // substr counts characters on both engines; `length(?)` of a parameter has no
            // type on PostgreSQL.
            clauses.push("substr(key, 1, ?) = ?");
            args.push(chars);
            args.push(prefix);
        }
        let limit = filter.limit.map(|l| l as i64);
        if let Some(limit) = &limit {
            args.push(limit);
        }
        let sql = format!(
            "SELECT id, at, actor, action, entity, key, old, new, reason FROM audit_log
             {} ORDER BY id DESC{}",
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            },
            if limit.is_some() { " LIMIT ?" } else { "" }
        );
        self.conn.query_map(&sql, &args, |r| {
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
        })
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
    tx: &Db,
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
/// The statement is prepared once per connection (the engines cache it).
#[allow(clippy::too_many_arguments)]
pub(super) fn audit_at(
    tx: &Db,
    at: &str,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, entity, key, old, new, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![at, actor.login, action, entity, key, old, new, reason],
    )?;
    Ok(())
}
