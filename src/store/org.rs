//! Divisions (处室), users and roles, passwords (argon2id hashes, never the password),
//! and deactivating users (停用). Only office staff change any of it; every change is one
//! transaction with its audit row, and at least one active office user always remains.

use super::*;

impl Store {
    /// A new file for an agency (`nianbao init`, the app's 新建): the office division,
    /// its user `office` (no password), and `year` opened with the national catalogue.
    pub fn create_agency(
        path: &std::path::Path,
        agency: &str,
        year: i32,
    ) -> Result<(Store, OpenedYear)> {
        Store::create_store(path, agency, year, None)
    }

    /// [`Store::create_agency`], with the setting `mark` written in the same
    /// transaction (a city office's store is marked as one).
    pub(super) fn create_store(
        path: &std::path::Path,
        agency: &str,
        year: i32,
        mark: Option<(&str, &str)>,
    ) -> Result<(Store, OpenedYear)> {
        require_valid_year(year)?;
        Store::create_with(path, agency, |store| {
            if let Some((key, value)) = mark {
                store.conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )?;
            }
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
            Ok(opened)
        })
    }

    pub fn divisions(&self) -> Result<Vec<Division>> {
        self.conn.query_map(
            "SELECT code, name, sort_order FROM divisions ORDER BY sort_order, code",
            params![],
            |r| {
                Ok(Division {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    sort_order: r.get(2)?,
                })
            },
        )
    }

    /// Adds or renames a division (its name and order; the code is its key). The first
    /// division of a new file may be added by the built-in `setup` actor (see
    /// [`Actor::setup`]).
    pub fn put_division(&mut self, actor: &Actor, division: &Division) -> Result<()> {
        self.write_division(actor, division, None)
    }

    /// Adds a new division; refused when the code is taken (a typo must not rename
    /// another division).
    pub fn add_division(&mut self, actor: &Actor, division: &Division) -> Result<()> {
        self.write_division(actor, division, Some(false))
    }

    /// Renames an existing division or changes its order; refused for an unknown code.
    pub fn rename_division(&mut self, actor: &Actor, division: &Division) -> Result<()> {
        self.write_division(actor, division, Some(true))
    }

    /// `exists`: what the caller expects of the code (`None`: either).
    fn write_division(
        &mut self,
        actor: &Actor,
        division: &Division,
        exists: Option<bool>,
    ) -> Result<()> {
        require_office(actor, "维护处室")?;
        let code = division.code.trim();
        if code.is_empty() || division.name.trim().is_empty() {
            return Err(StoreError::Invalid("处室代码和名称不能为空".into()));
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(StoreError::Invalid(format!(
                "处室代码只能包含英文字母、数字、下划线和连字符：{code}"
            )));
        }
        let tx = self.write_tx()?;
        let old: Option<String> = tx.query_opt(
            "SELECT name FROM divisions WHERE code = ?1",
            params![code],
            |r| r.get(0),
        )?;
        match (exists, &old) {
            (Some(false), Some(name)) => {
                return Err(StoreError::Invalid(format!(
                    "处室代码已存在：{code}（{name}）"
                )));
            }
            (Some(true), None) => return Err(StoreError::UnknownDivision(code.to_string())),
            _ => {}
        }
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
        // A contact or leader on a server may not read the hashes (and needs none: they
        // sign in with their database login).
        let has_password = if self.reads_password_hashes()? {
            "password_hash IS NOT NULL"
        } else {
            "FALSE"
        };
        self.conn.query_map(
            &format!(
                "SELECT login, display_name, role, division, phone, {has_password}, active
                 FROM users ORDER BY role, division NULLS FIRST, login"
            ),
            params![],
            |r| {
                Ok(User {
                    login: r.get(0)?,
                    display_name: r.get(1)?,
                    role: Role::parse(r.get_str(2)?).unwrap_or(Role::Leader),
                    division: r.get(3)?,
                    phone: r.get(4)?,
                    has_password: r.get(5)?,
                    active: r.get(6)?,
                })
            },
        )
    }

    pub fn add_user(&mut self, actor: &Actor, user: &NewUser) -> Result<()> {
        require_office(actor, "维护用户")?;
        let login = user.login.trim();
        if login.is_empty() {
            return Err(StoreError::Invalid("登录名不能为空".into()));
        }
        if login.chars().any(char::is_whitespace) {
            return Err(StoreError::Invalid(format!("登录名不能包含空格：{login}")));
        }
        let profile = UserProfile {
            display_name: user.display_name.clone(),
            role: user.role,
            division: user.division.clone(),
            phone: user.phone.clone(),
        };
        profile.validate()?;
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
        audit(
            &tx,
            actor,
            "insert",
            "user",
            login,
            None,
            Some(&profile.shown()),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Changes a user's name, role, division and phone.
    pub fn update_user(&mut self, actor: &Actor, login: &str, profile: &UserProfile) -> Result<()> {
        require_office(actor, "维护用户")?;
        profile.validate()?;
        let tx = self.write_tx()?;
        let old = user_profile(&tx, login)?;
        if let Some(d) = &profile.division {
            ensure_division(&tx, d)?;
        }
        if actor.login == login && (old.role != profile.role || old.division != profile.division) {
            // The session would go on acting with the old role until it signs out.
            return Err(StoreError::Invalid(
                "不能修改自己的角色或处室，请由其他办公室用户修改".into(),
            ));
        }
        if old.role == Role::Office && profile.role != Role::Office {
            require_other_office_user(&tx, login)?;
        }
        let profile = UserProfile {
            display_name: profile.display_name.trim().to_string(),
            phone: profile.phone.trim().to_string(),
            ..profile.clone()
        };
        if old == profile {
            return Ok(());
        }
        tx.execute(
            "UPDATE users SET display_name = ?2, role = ?3, division = ?4, phone = ?5
             WHERE login = ?1",
            params![
                login,
                profile.display_name,
                profile.role.as_str(),
                profile.division,
                profile.phone
            ],
        )?;
        audit(
            &tx,
            actor,
            "update",
            "user",
            login,
            Some(&old.shown()),
            Some(&profile.shown()),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets (or with `None` / an empty one, removes) a user's password. Office staff may
    /// do it for anyone, a user for themselves. The log says that it changed, never the
    /// password or its hash.
    pub fn set_password(
        &mut self,
        actor: &Actor,
        login: &str,
        password: Option<&str>,
    ) -> Result<()> {
        if actor.login != login {
            require_office(actor, "重置其他用户的密码")?;
        }
        let hash = match password {
            Some(p) if !p.is_empty() => Some(hash_password(p)?),
            _ => None,
        };
        let tx = self.write_tx()?;
        let had: bool = tx
            .query_opt(
                "SELECT password_hash IS NOT NULL FROM users WHERE login = ?1",
                params![login],
                |r| r.get(0),
            )?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE login = ?1",
            params![login, hash],
        )?;
        let shown = |set: bool| if set { "已设密码" } else { "无密码" };
        audit(
            &tx,
            actor,
            "password",
            "user",
            login,
            Some(shown(had)),
            Some(shown(hash.is_some())),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// 停用 / 启用 a user. A deactivated user stays in the file (the audit log names
    /// them) but can no longer sign in or write. Nobody deactivates themselves, and the
    /// last active office user cannot be deactivated.
    pub fn set_user_active(&mut self, actor: &Actor, login: &str, active: bool) -> Result<()> {
        require_office(actor, "停用或启用用户")?;
        if !active && actor.login == login {
            return Err(StoreError::Invalid("不能停用自己".into()));
        }
        let tx = self.write_tx()?;
        let (was, role): (bool, String) = tx
            .query_opt(
                "SELECT active, role FROM users WHERE login = ?1",
                params![login],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        if was == active {
            return Ok(());
        }
        if !active && role == Role::Office.as_str() {
            require_other_office_user(&tx, login)?;
        }
        tx.execute(
            "UPDATE users SET active = ?2 WHERE login = ?1",
            params![login, active],
        )?;
        let shown = |a: bool| if a { "启用" } else { "停用" };
        audit(
            &tx,
            actor,
            if active { "activate" } else { "deactivate" },
            "user",
            login,
            Some(shown(was)),
            Some(shown(active)),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The actor for `login`, as the store knows them. A deactivated user is refused
    /// ([`StoreError::Inactive`]).
    pub fn actor(&self, login: &str) -> Result<Actor> {
        let (actor, active) = self
            .conn
            .query_opt(
                "SELECT login, role, division, active FROM users WHERE login = ?1",
                params![login],
                |r| {
                    Ok((
                        Actor {
                            login: r.get(0)?,
                            role: Role::parse(r.get_str(1)?).unwrap_or(Role::Leader),
                            division: r.get(2)?,
                        },
                        r.get::<bool>(3)?,
                    ))
                },
            )?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        if active {
            Ok(actor)
        } else {
            Err(StoreError::Inactive(login.to_string()))
        }
    }

    /// The first office user: the actor the command line works as unless told otherwise.
    pub fn default_office_actor(&self) -> Result<Actor> {
        let login: Option<String> = self.conn.query_opt(
            "SELECT login FROM users WHERE role = 'office' AND active ORDER BY login LIMIT 1",
            params![],
            |r| r.get(0),
        )?;
        match login {
            Some(l) => self.actor(&l),
            None => Err(StoreError::UnknownUser("（文件中没有办公室用户）".into())),
        }
    }

    /// Checks a user's password. A user without a password passes with any input; a
    /// deactivated user is refused ([`StoreError::Inactive`]); on a server, the user the
    /// connection's login role is ([`Store::database_user`]) passes: the server has
    /// checked their database password.
    pub fn verify_password(&self, login: &str, password: &str) -> Result<bool> {
        if self.database_user()?.as_deref() == Some(login) {
            return Ok(true);
        }
        let row: Option<(Option<String>, bool)> = self.conn.query_opt(
            "SELECT password_hash, active FROM users WHERE login = ?1",
            params![login],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        match row {
            None => Err(StoreError::UnknownUser(login.to_string())),
            Some((_, false)) => Err(StoreError::Inactive(login.to_string())),
            Some((None, true)) => Ok(true),
            Some((Some(h), true)) => {
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

/// What office staff may change about a user (the login is the key and never changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    pub display_name: String,
    pub role: Role,
    /// Required for a contact; office staff belong to `office`; leaders to none.
    pub division: Option<String>,
    pub phone: String,
}

impl UserProfile {
    fn validate(&self) -> Result<()> {
        if self.display_name.trim().is_empty() {
            return Err(StoreError::Invalid("姓名不能为空".into()));
        }
        if self.role == Role::Contact && self.division.is_none() {
            return Err(StoreError::Invalid("处室填报员必须属于一个处室".into()));
        }
        Ok(())
    }

    /// How the audit log shows it.
    fn shown(&self) -> String {
        format!(
            "{} {} {} {}",
            self.display_name.trim(),
            self.role.as_str(),
            self.division.as_deref().unwrap_or(""),
            self.phone.trim()
        )
        .trim_end()
        .to_string()
    }
}

fn user_profile(tx: &Db, login: &str) -> Result<UserProfile> {
    tx.query_opt(
        "SELECT display_name, role, division, phone FROM users WHERE login = ?1",
        params![login],
        |r| {
            Ok(UserProfile {
                display_name: r.get(0)?,
                role: Role::parse(r.get_str(1)?).unwrap_or(Role::Leader),
                division: r.get(2)?,
                phone: r.get(3)?,
            })
        },
    )?
    .ok_or_else(|| StoreError::UnknownUser(login.to_string()))
}

/// Refuses when `login` is the only active office user (the file would have nobody left
/// to keep it).
fn require_other_office_user(tx: &Db, login: &str) -> Result<()> {
    let others: i64 = tx.query_one(
        "SELECT count(*) FROM users WHERE role = 'office' AND active AND login <> ?1",
        params![login],
        |r| r.get(0),
    )?;
    if others == 0 {
        Err(StoreError::Invalid(format!(
            "{login} 是唯一的办公室用户，不能停用或改为其他角色"
        )))
    } else {
        Ok(())
    }
}

fn hash_password(password: &str) -> Result<String> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("无法保存密码：{e}")))
}
