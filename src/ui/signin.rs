//! 登录: pick a user of the open file; a password field appears when the user has one.
//! On a server, a user connected with their own database login is that user, chosen
//! already and asked no second password. The role decides which tabs follow.

use crate::model::{Division, User};
use crate::store::{Actor, Store, StoreError};

use super::widgets;

pub struct SignIn {
    store: Store,
    agency: String,
    users: Vec<User>,
    divisions: Vec<Division>,
    selected: Option<usize>,
    password: String,
    error: Option<String>,
}

pub enum SignInAction {
    None,
    SignedIn,
    ChangeFile,
}

impl SignIn {
    pub fn new(store: Store) -> Result<SignIn, StoreError> {
        // On a server, a user's own database login is the user: offered alone, chosen,
        // with no second password (the server checked it).
        let own = store.database_user()?;
        let users: Vec<User> = store
            .users()?
            .into_iter()
            // A deactivated user (停用) is not offered; the store refuses them anyway.
            .filter(|u| u.active && own.as_ref().is_none_or(|l| *l == u.login))
            .map(|u| User {
                has_password: u.has_password && own.is_none(),
                ..u
            })
            .collect();
        Ok(SignIn {
            agency: store.agency()?,
            selected: own.is_some().then_some(0).filter(|_| !users.is_empty()),
            users,
            divisions: store.divisions()?,
            store,
            password: String::new(),
            error: None,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checked sign-in: the open file with the user and what they may do, or `Err(self)`
    /// (with the reason shown) when it fails. The app makes the session of it.
    pub fn into_signed_in(mut self) -> Result<(Store, User, Actor), Box<SignIn>> {
        let Some(user) = self.selected.and_then(|i| self.users.get(i)).cloned() else {
            self.error = Some("请先选择用户".into());
            return Err(Box::new(self));
        };
        let checked = self
            .store
            .verify_password(&user.login, &self.password)
            .and_then(|ok| {
                if ok {
                    self.store.actor(&user.login)
                } else {
                    Err(StoreError::Invalid("密码不正确".into()))
                }
            });
        match checked {
            Ok(actor) => Ok((self.store, user, actor)),
            Err(e) => {
                self.error = Some(e.to_string());
                self.password.clear();
                Err(Box::new(self))
            }
        }
    }

    fn division_name(&self, code: Option<&str>) -> String {
        code.and_then(|c| self.divisions.iter().find(|d| d.code == c))
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) -> SignInAction {
        let mut action = SignInAction::None;
        ui.add_space(16.0);
        ui.vertical_centered(|ui| {
            ui.heading(format!("{} — 登录", self.agency));
            ui.label(format!("数据文件：{}", self.store.path().display()));
        });
        ui.add_space(12.0);
        widgets::error_line(ui, self.error.as_deref());
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            ui.strong("选择用户");
            egui::ScrollArea::vertical()
                .max_height(520.0)
                .show(ui, |ui| {
                    for (i, u) in self.users.iter().enumerate() {
                        let text = format!(
                            "{}　{}　{}",
                            u.display_name,
                            u.role.label(),
                            self.division_name(u.division.as_deref())
                        );
                        let r = ui.selectable_label(self.selected == Some(i), text);
                        if r.clicked() {
                            self.selected = Some(i);
                            self.password.clear();
                            self.error = None;
                        }
                        if r.double_clicked() && !u.has_password {
                            action = SignInAction::SignedIn;
                        }
                    }
                });
            let ui = &mut cols[1];
            if let Some(user) = self.selected.and_then(|i| self.users.get(i)) {
                ui.strong(format!("{}（{}）", user.display_name, user.login));
                let mut submit = false;
                if user.has_password {
                    let label = ui.label("密码：");
                    let r = ui
                        .add(egui::TextEdit::singleline(&mut self.password).password(true))
                        .labelled_by(label.id);
                    submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                }
                if ui.button("登录").clicked() || submit {
                    action = SignInAction::SignedIn;
                }
            } else {
                ui.label("请在左侧选择您的用户名。");
            }
            ui.add_space(24.0);
            if ui.button("更换数据文件").clicked() {
                action = SignInAction::ChangeFile;
            }
        });
        action
    }
}
