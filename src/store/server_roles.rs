//! Permissions that hold on the server even outside the app (PostgreSQL only): each
//! Nianbao user signs in to the database as a PostgreSQL role of their own, a member of
//! one group role per kind of user, and the server's grants and row-level security
//! policies say what each may read and write, whatever program they connect with.
//!
//! For a store in schema `S` (the connection's current schema):
//! - group roles `S_office`, `S_contact`, `S_leader` (no login), and one login role
//!   `S.login` per user who may connect (`nianbao server login`);
//! - everyone reads the store, except the applicants' names in the register, which only
//!   the office reads (a column grant);
//! - the office writes everything but the schema marker, and nobody, the office
//!   included, may change or delete a row of the audit log (insert only);
//! - a division contact inserts and updates only their own division's values and notes,
//!   values only in months that are open, and may only hand a month in
//!   (open → submitted); a policy checks each row against `users` and `submissions`;
//! - a leader writes only drafts, comments and approvals.
//!
//! The app's own checks stay (they give the clear messages); these are what stop a
//! program that bypasses the app. Role and schema names go into the DDL quoted, and a
//! password as a quoted literal: PostgreSQL takes no parameters in `CREATE ROLE`.

use super::engine::{Db, Engine, params};
use super::*;

/// The tables a contact writes rows of, with the row-level policies.
const DIVISION_TABLES: &[&str] = &["monthly_values", "narratives", "submissions"];

/// What [`Store::secure_on_server`] set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRoles {
    pub schema: String,
    pub office: String,
    pub contact: String,
    pub leader: String,
}

/// `name` as a quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a quoted SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Store {
    /// Creates the group roles, grants and row-level security policies for this store's
    /// schema, in one transaction. Needs a connection as the schema's owner with the
    /// right to create roles (the IT department's administrator login).
    pub fn secure_on_server(&mut self) -> Result<ServerRoles> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Invalid(
                "数据文件不需要设置服务器权限：只有 PostgreSQL 数据库使用数据库角色".into(),
            ));
        }
        let tx = self.write_tx()?;
        let schema = current_schema(&tx)?;
        let roles = ServerRoles {
            office: format!("{schema}_office"),
            contact: format!("{schema}_contact"),
            leader: format!("{schema}_leader"),
            schema,
        };
        tx.execute_batch(&security_ddl(&roles))
            .map_err(|e| server_refusal(e, "设置数据库角色和权限"))?;
        tx.commit()?;
        Ok(roles)
    }

    /// Lets the store's user `login` connect with `password`: their login role is made
    /// (or its password changed) and put in their kind's group. The office's
    /// administrator runs it for each user.
    pub fn grant_server_login(&mut self, login: &str, password: &str) -> Result<String> {
        if password.chars().count() < 8 {
            return Err(StoreError::Invalid("数据库密码至少 8 个字符".into()));
        }
        let tx = self.write_tx()?;
        let schema = current_schema(&tx)?;
        let role: String = tx
            .query_opt(
                "SELECT role FROM users WHERE login = ?1 AND active",
                params![login],
                |r| r.get(0),
            )?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        let group = format!("{schema}_{role}");
        let name = format!("{schema}.{login}");
        let exists: bool = tx.query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)",
            params![name],
            |r| r.get(0),
        )?;
        let verb = if exists { "ALTER" } else { "CREATE" };
        tx.execute_batch(&format!(
            "{verb} ROLE {} LOGIN PASSWORD {}; GRANT {} TO {};",
            ident(&name),
            literal(password),
            ident(&group),
            ident(&name)
        ))
        .map_err(|e| server_refusal(e, "建立数据库登录"))?;
        tx.commit()?;
        Ok(name)
    }
}

/// The schema the connection works in: the store's, which names its roles.
fn current_schema(db: &Db) -> Result<String> {
    db.query_one("SELECT current_schema()", params![], |r| r.get(0))
}

/// A refusal by the server of our DDL (not allowed to create roles, a role that exists).
fn server_refusal(e: StoreError, what: &str) -> StoreError {
    match e {
        StoreError::Server(e) => StoreError::Invalid(format!(
            "数据库服务器拒绝{what}：{}（请用有建立角色权限的管理员账号连接）",
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        )),
        other => other,
    }
}

/// The roles, grants, functions and policies of [`Store::secure_on_server`].
fn security_ddl(r: &ServerRoles) -> String {
    let s = ident(&r.schema);
    let (office, contact, leader) = (ident(&r.office), ident(&r.contact), ident(&r.leader));
    let everyone = format!("{office}, {contact}, {leader}");
    let prefix_chars = r.schema.chars().count() + 1;
    let mut sql = format!(
        r#"
CREATE ROLE {office} NOLOGIN;
CREATE ROLE {contact} NOLOGIN;
CREATE ROLE {leader} NOLOGIN;
GRANT USAGE ON SCHEMA {s} TO {everyone};
GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {everyone};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {everyone};

-- The office: everything but the schema marker; the audit log insert only (for all).
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {office};
REVOKE INSERT, UPDATE, DELETE ON {s}.nianbao_schema FROM {office};
REVOKE UPDATE, DELETE ON {s}.audit_log FROM {office};
GRANT INSERT ON {s}.audit_log TO {contact}, {leader};

-- Applicants' names: the office only.
REVOKE SELECT ON {s}.applications FROM {contact}, {leader};
GRANT SELECT (id, number, received, channel, applicant_type, request, division,
    correction_sent, correction_answered, extension_days, fee_notice, fee_paid, replied,
    result, notes, withdrawn_reason, updated_by, updated_at)
    ON {s}.applications TO {contact}, {leader};

-- A contact: their division's rows, checked by the policies below.
GRANT INSERT, UPDATE ON {s}.monthly_values, {s}.narratives, {s}.submissions TO {contact};
-- A leader: comments, returns and approvals.
GRANT INSERT, UPDATE ON {s}.drafts, {s}.draft_comments, {s}.draft_approvals TO {leader};

-- The Nianbao user behind the connection's login role `schema.login`.
CREATE FUNCTION {s}.nianbao_login() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT substr(CAST(session_user AS text), {first}) $$;
CREATE FUNCTION {s}.nianbao_division() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT division FROM {s}.users WHERE login = {s}.nianbao_login() AND active $$;
-- Whether a division's month (0: the year, which follows December) is open.
CREATE FUNCTION {s}.nianbao_month_open(y bigint, d text, m bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT NOT EXISTS (SELECT 1 FROM {s}.submissions x WHERE x.year = y
        AND x.division = d AND x.month = CASE WHEN m = 0 THEN 12 ELSE m END
        AND x.status <> 'open') $$;
"#,
        first = prefix_chars + 1,
    );
    for table in DIVISION_TABLES {
        let t = format!("{s}.{table}");
        sql.push_str(&format!(
            "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
             CREATE POLICY office_writes ON {t} TO {office} USING (true) WITH CHECK (true);
             CREATE POLICY everyone_reads ON {t} FOR SELECT TO {contact}, {leader} USING (true);\n"
        ));
    }
    let own = format!("division = {s}.nianbao_division()");
    let open = format!("{s}.nianbao_month_open(year, division, month)");
    sql.push_str(&format!(
        "CREATE POLICY contact_inserts ON {s}.monthly_values FOR INSERT TO {contact}
             WITH CHECK ({own} AND {open});
         CREATE POLICY contact_updates ON {s}.monthly_values FOR UPDATE TO {contact}
             USING ({own} AND {open}) WITH CHECK ({own} AND {open});
         CREATE POLICY contact_inserts ON {s}.narratives FOR INSERT TO {contact}
             WITH CHECK ({own});
         CREATE POLICY contact_updates ON {s}.narratives FOR UPDATE TO {contact}
             USING ({own}) WITH CHECK ({own});
         CREATE POLICY contact_hands_in ON {s}.submissions FOR INSERT TO {contact}
             WITH CHECK ({own} AND status = 'submitted');
         CREATE POLICY contact_hands_in_open ON {s}.submissions FOR UPDATE TO {contact}
             USING ({own} AND status = 'open') WITH CHECK ({own} AND status = 'submitted');\n"
    ));
    sql
}
