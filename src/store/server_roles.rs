//! Permissions that hold on the server even outside the app (PostgreSQL only): each
//! Nianbao user signs in to the database as a PostgreSQL role of their own, a member of
//! one group role per kind of user, and the server's grants and row-level security
//! policies say what each may read and write, whatever program they connect with.
//!
//! For a store in schema `S` (the connection's current schema):
//! - group roles `S_office`, `S_contact`, `S_leader` (no login), and one login role
//!   `S.login` per user who may connect (`nianbao server login`);
//! - everyone reads the store, except the applicants' names in the register and the
//!   users' password hashes, which only the office reads (column grants); a login role
//!   is its user, so a contact or leader signs in with the database password alone
//!   ([`Store::database_user`]);
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

use std::path::Path;

use super::engine::{Db, Engine, ident, params};
use super::*;

/// The tables a contact writes rows of, with the row-level policies.
const DIVISION_TABLES: &[&str] = &["monthly_values", "narratives", "submissions"];

/// The columns of `applications` that everyone but the office may read: all but the
/// applicant's name.
const APPLICATION_COLUMNS_WITHOUT_NAMES: &str = "id, number, received, channel, \
    applicant_type, request, division, correction_sent, correction_answered, extension_days, \
    fee_notice, fee_paid, replied, result, notes, withdrawn_reason, updated_by, updated_at";

/// The columns of `users` that contacts and leaders may read: all but the password hash.
const USER_COLUMNS_WITHOUT_PASSWORDS: &str = "login, display_name, role, division, phone, active";

/// What [`Store::secure_on_server`] set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRoles {
    pub schema: String,
    pub office: String,
    pub contact: String,
    pub leader: String,
    /// For an agency, the city offices given reading of it; for a city office, the
    /// agencies it was given reading of (schemas).
    pub shared_with: Vec<String>,
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
        let city = self.is_city()?;
        let tx = self.write_tx()?;
        let schema = current_schema(&tx)?;
        let mut roles = ServerRoles {
            office: format!("{schema}_office"),
            contact: format!("{schema}_contact"),
            leader: format!("{schema}_leader"),
            schema,
            shared_with: Vec::new(),
        };
        tx.execute_batch(&security_ddl(&roles))
            .map_err(|e| server_refusal(e, "设置数据库角色和权限"))?;
        // A city reads every agency beside it; an agency is read by every city.
        for (other, other_is_city) in super::city::stores_beside(&tx)? {
            if city == other_is_city {
                continue;
            }
            let (agency, reader) = if city {
                (&other, &roles.schema)
            } else {
                (&roles.schema, &other)
            };
            // A city not yet secured has no roles to grant to: its `server secure`
            // grants it the agencies then.
            let reader_roles: bool = tx.query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)",
                params![format!("{reader}_office")],
                |r| r.get(0),
            )?;
            if !reader_roles {
                continue;
            }
            tx.execute_batch(&city_reading_ddl(agency, reader))
                .map_err(|e| server_refusal(e, "设置市级汇总的读取权限"))?;
            roles.shared_with.push(other);
        }
        tx.commit()?;
        Ok(roles)
    }

    /// Sets up a new store on the server at `url` (connected as its administrator) in
    /// one go: in the schema `code` (made if missing; `None`: the URL's own schema), an
    /// agency's store, or with `city` a city office's, with `year` opened, then its roles
    /// and policies, and the city's reading of the agencies. `nianbao server init`.
    pub fn init_on_server(
        url: &str,
        code: Option<&str>,
        name: &str,
        year: i32,
        city: bool,
    ) -> Result<(Store, ServerRoles)> {
        let url = match code {
            Some(code) => {
                super::valid_agency_code(code)?;
                super::postgres::create_schema(url, code)
                    .map_err(|e| server_refusal(e, "建立单位的模式（schema）"))?;
                super::url_in_schema(url, code)
            }
            None => url.to_string(),
        };
        let path = Path::new(&url);
        let (mut store, _) = if city {
            Store::create_city(path, name, year)?
        } else {
            Store::create_agency(path, name, year)?
        };
        let roles = store.secure_on_server()?;
        Ok((store, roles))
    }

    /// On a server, the store's user whose login role (`schema.login`, made by
    /// [`Store::grant_server_login`]) the connection signed in as, if that user is
    /// active: the server checked their password when it let them connect. `None` on a
    /// file and for any other login (the administrator), who picks a user and gives that
    /// user's password.
    pub fn database_user(&self) -> Result<Option<String>> {
        if self.engine() != Engine::Postgres {
            return Ok(None);
        }
        let (role, schema): (String, String) = self.conn.query_one(
            "SELECT CAST(session_user AS text), CAST(current_schema() AS text)",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let Some(login) = role.strip_prefix(&format!("{schema}.")) else {
            return Ok(None);
        };
        let active: Option<bool> = self.conn.query_opt(
            "SELECT active FROM users WHERE login = ?1",
            params![login],
            |r| r.get(0),
        )?;
        Ok(active.filter(|a| *a).map(|_| login.to_string()))
    }

    /// Whether this connection may read the users' password hashes: always on a file;
    /// on a server, the office's logins and the administrator only.
    pub(super) fn reads_password_hashes(&self) -> Result<bool> {
        if self.engine() != Engine::Postgres {
            return Ok(true);
        }
        self.conn.query_one(
            "SELECT has_column_privilege('users', 'password_hash', 'SELECT')",
            params![],
            |r| r.get(0),
        )
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
        // The login lands in its store's schema: the address needs no schema of its own.
        tx.execute_batch(&format!(
            "{verb} ROLE {role} LOGIN PASSWORD {}; GRANT {} TO {role};
             ALTER ROLE {role} SET search_path = {};",
            literal(password),
            ident(&group),
            ident(&schema),
            role = ident(&name),
        ))
        .map_err(|e| server_refusal(e, "建立数据库登录"))?;
        tx.commit()?;
        Ok(name)
    }
}

/// Lets the city office whose store is in schema `city` read the agency in schema
/// `agency`: everything but its users and the applicants' names. Its office and leaders
/// read; the roles are the city's own store's (`city_office`, `city_leader`), so it must
/// have been secured first. Runs again without harm.
fn city_reading_ddl(agency: &str, city: &str) -> String {
    let s = ident(agency);
    let readers = format!(
        "{}, {}",
        ident(&format!("{city}_office")),
        ident(&format!("{city}_leader"))
    );
    let mut sql = format!(
        "GRANT USAGE ON SCHEMA {s} TO {readers};
         GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {readers};
         REVOKE SELECT ON {s}.users FROM {readers};
         REVOKE SELECT ON {s}.applications FROM {readers};
         GRANT SELECT ({APPLICATION_COLUMNS_WITHOUT_NAMES}) ON {s}.applications TO {readers};\n"
    );
    let policy_name = ident(&format!("city_{city}_reads"));
    for table in DIVISION_TABLES {
        sql.push_str(&policy(
            &policy_name,
            &format!("{s}.{table}"),
            &format!("FOR SELECT TO {readers} USING (true)"),
        ));
    }
    sql
}

/// `CREATE POLICY name ON table rule`, the policy of that name dropped first, so that the
/// DDL can run again over a store it secured before.
fn policy(name: &str, table: &str, rule: &str) -> String {
    format!("DROP POLICY IF EXISTS {name} ON {table};\nCREATE POLICY {name} ON {table} {rule};\n")
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

/// The roles, grants, functions and policies of [`Store::secure_on_server`]. Re-runnable:
/// roles that exist are kept, functions replaced and policies dropped and made again, so
/// running `server secure` on a store secured by an older version brings its grants up to
/// date (for example the password hashes contacts and leaders may no longer read).
fn security_ddl(r: &ServerRoles) -> String {
    let s = ident(&r.schema);
    let (office, contact, leader) = (ident(&r.office), ident(&r.contact), ident(&r.leader));
    let everyone = format!("{office}, {contact}, {leader}");
    let prefix_chars = r.schema.chars().count() + 1;
    let mut sql = format!(
        r#"
{create_roles}
GRANT USAGE ON SCHEMA {s} TO {everyone};
GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {everyone};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {everyone};

-- The office: everything but the schema marker; the audit log insert only (for all).
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {office};
REVOKE INSERT, UPDATE, DELETE ON {s}.nianbao_schema FROM {office};
REVOKE UPDATE, DELETE ON {s}.audit_log FROM {office};
GRANT INSERT ON {s}.audit_log TO {contact}, {leader};

-- Password hashes: the office only (a hash read is a password to guess offline).
REVOKE SELECT ON {s}.users FROM {contact}, {leader};
GRANT SELECT ({USER_COLUMNS_WITHOUT_PASSWORDS}) ON {s}.users TO {contact}, {leader};

-- Applicants' names: the office only.
REVOKE SELECT ON {s}.applications FROM {contact}, {leader};
GRANT SELECT ({APPLICATION_COLUMNS_WITHOUT_NAMES}) ON {s}.applications TO {contact}, {leader};

-- A contact: their division's rows, checked by the policies below.
GRANT INSERT, UPDATE ON {s}.monthly_values, {s}.narratives, {s}.submissions TO {contact};
-- A leader: comments, returns and approvals.
GRANT INSERT, UPDATE ON {s}.drafts, {s}.draft_comments, {s}.draft_approvals TO {leader};

-- The Nianbao user behind the connection's login role `schema.login`.
CREATE OR REPLACE FUNCTION {s}.nianbao_login() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT substr(CAST(session_user AS text), {first}) $$;
CREATE OR REPLACE FUNCTION {s}.nianbao_division() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT division FROM {s}.users WHERE login = {s}.nianbao_login() AND active $$;
-- Whether a division's month (0: the year, which follows December) is open.
CREATE OR REPLACE FUNCTION {s}.nianbao_month_open(y bigint, d text, m bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT NOT EXISTS (SELECT 1 FROM {s}.submissions x WHERE x.year = y
        AND x.division = d AND x.month = CASE WHEN m = 0 THEN 12 ELSE m END
        AND x.status <> 'open') $$;
"#,
        first = prefix_chars + 1,
        create_roles = [&r.office, &r.contact, &r.leader]
            .map(|role| format!(
                "DO $r$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {}) \
                 THEN CREATE ROLE {} NOLOGIN; END IF; END $r$;",
                literal(role),
                ident(role)
            ))
            .join("\n"),
    );
    for table in DIVISION_TABLES {
        let t = format!("{s}.{table}");
        sql.push_str(&format!("ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;\n"));
        sql.push_str(&policy(
            "office_writes",
            &t,
            &format!("TO {office} USING (true) WITH CHECK (true)"),
        ));
        sql.push_str(&policy(
            "everyone_reads",
            &t,
            &format!("FOR SELECT TO {contact}, {leader} USING (true)"),
        ));
    }
    let own = format!("division = {s}.nianbao_division()");
    let open = format!("{s}.nianbao_month_open(year, division, month)");
    for (name, table, rule) in [
        (
            "contact_inserts",
            "monthly_values",
            format!("FOR INSERT TO {contact} WITH CHECK ({own} AND {open})"),
        ),
        (
            "contact_updates",
            "monthly_values",
            format!(
                "FOR UPDATE TO {contact} USING ({own} AND {open}) WITH CHECK ({own} AND {open})"
            ),
        ),
        (
            "contact_inserts",
            "narratives",
            format!("FOR INSERT TO {contact} WITH CHECK ({own})"),
        ),
        (
            "contact_updates",
            "narratives",
            format!("FOR UPDATE TO {contact} USING ({own}) WITH CHECK ({own})"),
        ),
        (
            "contact_hands_in",
            "submissions",
            format!("FOR INSERT TO {contact} WITH CHECK ({own} AND status = 'submitted')"),
        ),
        (
            "contact_hands_in_open",
            "submissions",
            format!(
                "FOR UPDATE TO {contact} USING ({own} AND status = 'open') \
                 WITH CHECK ({own} AND status = 'submitted')"
            ),
        ),
    ] {
        sql.push_str(&policy(name, &format!("{s}.{table}"), &rule));
    }
    sql
}
