//! 用户: the office adds users (login, name, role, division, phone, an optional
//! password), edits them, sets or clears passwords, and deactivates (停用) people who
//! left — they stay in the list and the audit log, but can no longer sign in.
//!
//! Every rule is the store's (office only, a contact needs a division, a login is taken
//! once, the last office user stays); its refusal is shown as it says it, and nothing
//! changes.

use crate::model::{Division, Role, User};
use crate::store::{Actor, NewUser, Store, UserProfile};

use super::widgets;

/// A user as a form edits it (a new one, or the selected one without login/password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserForm {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub division: Option<String>,
    pub phone: String,
    pub password: String,
}

impl Default for UserForm {
    fn default() -> UserForm {
        UserForm {
            login: String::new(),
            display_name: String::new(),
            role: Role::Contact,
            division: None,
            phone: String::new(),
            password: String::new(),
        }
    }
}

impl UserForm {
    fn profile(&self) -> UserProfile {
        UserProfile {
            display_name: self.display_name.clone(),
            role: self.role,
            division: self.division.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// The 用户 screen.
pub struct UsersEditor {
    users: Vec<User>,
    divisions: Vec<Division>,
    selected: Option<String>,
    edit: UserForm,
    new: UserForm,
    notice: Option<Result<String, String>>,
}

impl UsersEditor {
    pub fn new(store: &Store) -> UsersEditor {
        let mut editor = UsersEditor {
            users: Vec::new(),
            divisions: Vec::new(),
            selected: None,
            edit: UserForm::default(),
            new: UserForm::default(),
            notice: None,
        };
        editor.reload(store);
        editor
    }

    pub fn reload(&mut self, store: &Store) {
        match (store.users(), store.divisions()) {
            (Ok(u), Ok(d)) => {
                self.users = u;
                self.divisions = d;
            }
            (Err(e), _) | (_, Err(e)) => self.notice = Some(Err(e.to_string())),
        }
        if let Some(login) = self.selected.clone() {
            self.select(&login);
        }
    }

    pub fn users(&self) -> &[User] {
        &self.users
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// Opens a user in the edit form.
    pub fn select(&mut self, login: &str) {
        match self.users.iter().find(|u| u.login == login) {
            Some(u) => {
                self.edit = UserForm {
                    login: u.login.clone(),
                    display_name: u.display_name.clone(),
                    role: u.role,
                    division: u.division.clone(),
                    phone: u.phone.clone(),
                    password: String::new(),
                };
                self.selected = Some(login.to_string());
            }
            None => self.selected = None,
        }
    }

    pub fn new_form_mut(&mut self) -> &mut UserForm {
        &mut self.new
    }

    pub fn edit_form_mut(&mut self) -> &mut UserForm {
        &mut self.edit
    }

    /// Keeps a refusal's reason for the screen; on success rereads and says `done`.
    fn outcome(
        &mut self,
        store: &Store,
        result: Result<(), crate::store::StoreError>,
        done: String,
    ) -> bool {
        if widgets::saved(&mut self.notice, result).is_none() {
            return false;
        }
        self.reload(store);
        self.notice = Some(Ok(done));
        true
    }

    /// Adds the new user. Returns true when the store took it.
    pub fn add(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let f = &self.new;
        let user = NewUser {
            login: f.login.trim().to_string(),
            display_name: f.display_name.clone(),
            role: f.role,
            division: f.division.clone(),
            phone: f.phone.trim().to_string(),
            password: Some(f.password.clone()).filter(|p| !p.is_empty()),
        };
        let result = store.add_user(actor, &user);
        let ok = self.outcome(
            store,
            result,
            format!("已新增用户：{}（{}）", user.display_name.trim(), user.login),
        );
        if ok {
            self.new = UserForm::default();
            self.select(&user.login);
        }
        ok
    }

    /// Saves the selected user's name, role, division and phone.
    pub fn save(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(login) = self.selected.clone() else {
            return false;
        };
        let result = store.update_user(actor, &login, &self.edit.profile());
        self.outcome(store, result, format!("已保存用户：{login}"))
    }

    /// Sets the selected user's password to what is typed, or clears it when nothing is.
    pub fn set_password(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(login) = self.selected.clone() else {
            return false;
        };
        let password = self.edit.password.clone();
        let result = store.set_password(
            actor,
            &login,
            Some(password.as_str()).filter(|p| !p.is_empty()),
        );
        let done = if password.is_empty() {
            format!("已清除 {login} 的密码（登录时无需密码）")
        } else {
            format!("已设置 {login} 的密码")
        };
        self.outcome(store, result, done)
    }

    /// 停用 / 启用 the selected user.
    pub fn set_active(&mut self, store: &mut Store, actor: &Actor, active: bool) -> bool {
        let Some(login) = self.selected.clone() else {
            return false;
        };
        let result = store.set_user_active(actor, &login, active);
        let done = format!("已{} {login}", if active { "启用" } else { "停用" });
        self.outcome(store, result, done)
    }

    fn role_options() -> Vec<(Role, String)> {
        [Role::Contact, Role::Office, Role::Leader]
            .into_iter()
            .map(|r| (r, r.label().to_string()))
            .collect()
    }

    fn division_options(&self) -> Vec<(Option<String>, String)> {
        std::iter::once((None, "（无）".to_string()))
            .chain(
                self.divisions
                    .iter()
                    .map(|d| (Some(d.code.clone()), d.name.clone())),
            )
            .collect()
    }

    fn division_name(&self, code: Option<&str>) -> String {
        code.and_then(|c| self.divisions.iter().find(|d| d.code == c))
            .map_or_else(String::new, |d| d.name.clone())
    }

    /// Draws the screen. Returns true when users changed.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let mut changed = false;
        widgets::notice_line(ui, &self.notice);
        ui.columns(2, |cols| {
            self.list_ui(&mut cols[0]);
            let ui = &mut cols[1];
            changed |= self.selected_ui(ui, store, actor);
            ui.separator();
            ui.strong("新增用户");
            let roles = Self::role_options();
            let divisions = self.division_options();
            egui::Grid::new("new-user")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    let f = &mut self.new;
                    widgets::text_row(ui, "登录名", &mut f.login, "英文或拼音，如 qian.duo");
                    widgets::text_row(ui, "姓名", &mut f.display_name, "如 钱多");
                    widgets::choice_row(ui, "角色", &mut f.role, &roles);
                    widgets::choice_row(ui, "所属处室", &mut f.division, &divisions);
                    widgets::text_row(ui, "电话", &mut f.phone, "如 0551-62356000");
                    let l = ui.label("初始密码");
                    ui.add(
                        egui::TextEdit::singleline(&mut f.password)
                            .password(true)
                            .hint_text("可不设")
                            .desired_width(280.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                });
            if ui.horizontal(|ui| ui.button("新增用户").clicked()).inner {
                changed |= self.add(store, actor);
            }
        });
        changed
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) {
        let mut pick = None;
        egui::ScrollArea::vertical()
            .id_salt("user-list")
            .show(ui, |ui| {
                egui::Grid::new("user-table")
                    .striped(true)
                    .num_columns(6)
                    .show(ui, |ui| {
                        for h in ["姓名", "登录名", "角色", "处室", "电话", "状态"] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for u in &self.users {
                            let is = self.selected.as_deref() == Some(u.login.as_str());
                            let name = if u.active {
                                egui::RichText::new(&u.display_name)
                            } else {
                                egui::RichText::new(&u.display_name).weak()
                            };
                            if ui.selectable_label(is, name).clicked() {
                                pick = Some(u.login.clone());
                            }
                            ui.monospace(&u.login);
                            ui.label(u.role.label());
                            ui.label(self.division_name(u.division.as_deref()));
                            ui.label(&u.phone);
                            ui.label(match (u.active, u.has_password) {
                                (false, _) => "已停用",
                                (true, true) => "有密码",
                                (true, false) => "无密码",
                            });
                            ui.end_row();
                        }
                    });
            });
        if let Some(login) = pick {
            self.select(&login);
            self.notice = None;
        }
    }

    fn selected_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let Some(user) = self
            .selected
            .as_deref()
            .and_then(|l| self.users.iter().find(|u| u.login == l))
            .cloned()
        else {
            ui.label("在左侧点击姓名可修改用户、设置密码或停用。");
            return false;
        };
        let mut changed = false;
        ui.strong(format!("修改用户 {}", user.login));
        let roles = Self::role_options();
        let divisions = self.division_options();
        egui::Grid::new("edit-user")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let f = &mut self.edit;
                widgets::text_row(ui, "用户姓名", &mut f.display_name, "姓名");
                widgets::choice_row(ui, "用户角色", &mut f.role, &roles);
                widgets::choice_row(ui, "用户处室", &mut f.division, &divisions);
                widgets::text_row(ui, "用户电话", &mut f.phone, "电话");
            });
        if ui.horizontal(|ui| ui.button("保存用户").clicked()).inner {
            changed |= self.save(store, actor);
        }
        ui.horizontal(|ui| {
            let l = ui.label("新密码");
            ui.add(
                egui::TextEdit::singleline(&mut self.edit.password)
                    .password(true)
                    .hint_text("留空则清除密码")
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            let label = if self.edit.password.is_empty() {
                "清除密码"
            } else {
                "设置密码"
            };
            if ui.button(label).clicked() {
                changed |= self.set_password(store, actor);
            }
        });
        let (label, active) = if user.active {
            ("停用该用户", false)
        } else {
            ("启用该用户", true)
        };
        if ui.horizontal(|ui| ui.button(label).clicked()).inner {
            changed |= self.set_active(store, actor, active);
        }
        changed
    }
}
