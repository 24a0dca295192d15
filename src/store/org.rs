//! Divisions (处室), users and roles, passwords (argon2id hashes, never the password).

use rusqlite::{OptionalExtension, params};

use super::*;

impl Store {
    /// A new file for an agency (`nianbao init`, the app's 新建): the office division,
    /// its user `office` (no password), and `year` opened with the national catalogue.
    pub fn create_agency(
        path: &std::path::Path,
        agency: &str,
        year: i32,
    ) -> Result<(Store, OpenedYear)> {
        let mut store = Store::create(path, agency)?;
        let setup = Actor::setup();
        store.put_division(
            &setup,
            &Division {
                code: OFFICE.into(),
                name: "办公室".into(),
                sort_order: 1,
            },
        )?;
        store.add_user(
            &setup,
            &NewUser {
                login: "office".into(),
                display_name: "办公室".into(),
                role: Role::Office,
                division: Some(OFFICE.into()),
                phone: String::new(),
                password: None,
            },
        )?;
        let office = store.actor("office")?;
        let opened = store.open_year(&office, year)?;
        Ok((store, opened))
    }

    pub fn divisions(&self) -> Result<Vec<Division>> {
        let mut stmt = self
            .conn
            .prepare("SELECT code, name, sort_order FROM divisions ORDER BY sort_order, code")?;
        let rows = stmt.query_map([], |r| {
            Ok(Division {
                code: r.get(0)?,
                name: r.get(1)?,
                sort_order: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds or renames a division. The first division of a new file may be added by the
    /// built-in `setup` actor (see [`Actor::setup`]).
    pub fn put_division(&mut self, actor: &Actor, division: &Division) -> Result<()> {
        require_office(actor, "维护处室")?;
        let code = division.code.trim();
        if code.is_empty() || division.name.trim().is_empty() {
            return Err(StoreError::Invalid("处室代码和名称不能为空".into()));
        }
        let tx = self.write_tx()?;
        let old: Option<String> = tx
            .query_row("SELECT name FROM divisions WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .optional()?;
        tx.execute(
            "INSERT INTO divisions (code, name, sort_order) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, sort_order = excluded.sort_order",
            params![code, division.name.trim(), division.sort_order],
        )
        .map_err(|e| unique_violation(e, || format!("处室名称重复：{}", division.name)))?;
        audit(
            &tx,
            actor,
            if old.is_some() { "update" } else { "insert" },
            "division",
            code,
            old.as_deref(),
            Some(division.name.trim()),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare(
            "SELECT login, display_name, role, division, phone, password_hash IS NOT NULL
             FROM users ORDER BY role, division, login",
        )?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(2)?;
            Ok(User {
                login: r.get(0)?,
                display_name: r.get(1)?,
                role: Role::parse(&role).unwrap_or(Role::Leader),
                division: r.get(3)?,
                phone: r.get(4)?,
                has_password: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn add_user(&mut self, actor: &Actor, user: &NewUser) -> Result<()> {
        require_office(actor, "维护用户")?;
        let login = user.login.trim();
        if login.is_empty() || user.display_name.trim().is_empty() {
            return Err(StoreError::Invalid("登录名和姓名不能为空".into()));
        }
        if user.role == Role::Contact && user.division.is_none() {
            return Err(StoreError::Invalid("处室填报员必须属于一个处室".into()));
        }
        let hash = match &user.password {
            Some(p) if !p.is_empty() => Some(hash_password(p)?),
            _ => None,
        };
        let tx = self.write_tx()?;
        if let Some(d) = &user.division {
            ensure_division(&tx, d)?;
        }
        tx.execute(
            "INSERT INTO users (login, display_name, role, division, phone, password_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                login,
                user.display_name.trim(),
                user.role.as_str(),
                user.division,
                user.phone,
                hash
            ],
        )
        .map_err(|e| unique_violation(e, || format!("登录名已存在：{login}")))?;
        let shown = format!(
            "{} {} {}",
            user.display_name.trim(),
            user.role.as_str(),
            user.division.as_deref().unwrap_or("")
        );
        audit(&tx, actor, "insert", "user", login, None, Some(&shown), "")?;
        tx.commit()?;
        Ok(())
    }

    /// The actor for `login`, as the store knows them.
    pub fn actor(&self, login: &str) -> Result<Actor> {
        self.conn
            .query_row(
                "SELECT login, role, division FROM users WHERE login = ?1",
                [login],
                |r| {
                    let role: String = r.get(1)?;
                    Ok(Actor {
                        login: r.get(0)?,
                        role: Role::parse(&role).unwrap_or(Role::Leader),
                        division: r.get(2)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))
    }

    /// The first office user: the actor the command line works as unless told otherwise.
    pub fn default_office_actor(&self) -> Result<Actor> {
        let login: Option<String> = self
            .conn
            .query_row(
                "SELECT login FROM users WHERE role = 'office' ORDER BY login LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match login {
            Some(l) => self.actor(&l),
            None => Err(StoreError::UnknownUser("（文件中没有办公室用户）".into())),
        }
    }

    /// Checks a user's password. A user without a password passes with any input.
    pub fn verify_password(&self, login: &str, password: &str) -> Result<bool> {
        let hash: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT password_hash FROM users WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?;
        match hash {
            None => Err(StoreError::UnknownUser(login.to_string())),
            Some(None) => Ok(true),
            Some(Some(h)) => {
                use argon2::PasswordVerifier;
                let parsed = argon2::PasswordHash::new(&h)
                    .map_err(|e| StoreError::Corrupt(format!("密码记录无效：{e}")))?;
                Ok(argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok())
            }
        }
    }
}

/// A new user to add.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub division: Option<String>,
    pub phone: String,
    pub password: Option<String>,
}

fn hash_password(password: &str) -> Result<String> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("无法保存密码：{e}")))
}
