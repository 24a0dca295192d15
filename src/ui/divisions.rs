//! 处室: the office adds divisions, renames them or changes their order, and keeps each
//! division's contact persons (处室填报员) and their phones — the names and numbers the
//! submission board's reminders use. A contact's name and phone are their user record's
//! (`Store::update_user`); adding a contact is the users screen's job.
//!
//! The store refuses a taken code or name, and anything from someone not in the office;
//! the refusal is shown as it says it, and nothing changes.

use crate::model::{Division, Role, User};
use crate::store::{Actor, Store, UserProfile};

use super::widgets;

/// A division as a form edits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DivisionForm {
    pub code: String,
    pub name: String,
    pub sort_order: String,
}

impl DivisionForm {
    fn to_division(&self) -> Result<Division, String> {
        let sort_order = self
            .sort_order
            .trim()
            .parse()
            .map_err(|_| format!("排列顺序应为整数：“{}”", self.sort_order.trim()))?;
        Ok(Division {
            code: self.code.trim().to_string(),
            name: self.name.trim().to_string(),
            sort_order,
        })
    }
}

/// A contact person's name and phone as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ContactForm {
    user: User,
    display_name: String,
    phone: String,
}

/// The 处室 screen.
pub struct DivisionsEditor {
    divisions: Vec<Division>,
    users: Vec<User>,
    selected: Option<String>,
    /// Rename / reorder the selected division.
    edit: DivisionForm,
    contacts: Vec<ContactForm>,
    /// A new division.
    new: DivisionForm,
    notice: Option<Result<String, String>>,
}

impl DivisionsEditor {
    pub fn new(store: &Store) -> DivisionsEditor {
        let mut editor = DivisionsEditor {
            divisions: Vec::new(),
            users: Vec::new(),
            selected: None,
            edit: DivisionForm::default(),
            contacts: Vec::new(),
            new: DivisionForm::default(),
            notice: None,
        };
        editor.reload(store);
        editor
    }

    pub fn reload(&mut self, store: &Store) {
        match (store.divisions(), store.users()) {
            (Ok(d), Ok(u)) => {
                self.divisions = d;
                self.users = u;
            }
            (Err(e), _) | (_, Err(e)) => self.notice = Some(Err(e.to_string())),
        }
        let next = self
            .divisions
            .iter()
            .map(|d| d.sort_order)
            .max()
            .unwrap_or(0)
            + 1;
        if self.new.sort_order.trim().is_empty() {
            self.new.sort_order = next.to_string();
        }
        if let Some(code) = self.selected.clone() {
            self.select(&code);
        }
    }

    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// Opens a division in the rename form, with its contacts.
    pub fn select(&mut self, code: &str) {
        let Some(d) = self.divisions.iter().find(|d| d.code == code) else {
            self.selected = None;
            return;
        };
        self.edit = DivisionForm {
            code: d.code.clone(),
            name: d.name.clone(),
            sort_order: d.sort_order.to_string(),
        };
        self.contacts = self
            .users
            .iter()
            .filter(|u| u.role == Role::Contact && u.division.as_deref() == Some(code))
            .map(|u| ContactForm {
                user: u.clone(),
                display_name: u.display_name.clone(),
                phone: u.phone.clone(),
            })
            .collect();
        self.selected = Some(code.to_string());
    }

    /// The selected division's form (tests type into it as a user would).
    pub fn edit_form_mut(&mut self) -> &mut DivisionForm {
        &mut self.edit
    }

    /// The new division's form.
    pub fn new_form_mut(&mut self) -> &mut DivisionForm {
        &mut self.new
    }

    /// Adds the new division. Returns true when the store took it.
    pub fn add(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let result = self.new.to_division().and_then(|d| {
            store.add_division(actor, &d).map_err(|e| e.to_string())?;
            Ok(d)
        });
        let Some(d) = widgets::saved(&mut self.notice, result) else {
            return false;
        };
        self.new = DivisionForm::default();
        self.reload(store);
        self.select(&d.code);
        self.notice = Some(Ok(format!("已新增处室：{}", d.name)));
        true
    }

    /// Saves the selected division's new name and order.
    pub fn rename(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let result = self.edit.to_division().and_then(|d| {
            store
                .rename_division(actor, &d)
                .map_err(|e| e.to_string())?;
            Ok(d)
        });
        let Some(d) = widgets::saved(&mut self.notice, result) else {
            return false;
        };
        self.reload(store);
        self.notice = Some(Ok(format!("已保存处室：{}", d.name)));
        true
    }

    fn save_contact(&mut self, store: &mut Store, actor: &Actor, i: usize) -> bool {
        let Some(c) = self.contacts.get(i) else {
            return false;
        };
        let profile = UserProfile {
            display_name: c.display_name.clone(),
            role: c.user.role,
            division: c.user.division.clone(),
            phone: c.phone.clone(),
        };
        let result = store.update_user(actor, &c.user.login, &profile);
        if widgets::saved(&mut self.notice, result).is_none() {
            return false;
        }
        let name = c.display_name.trim().to_string();
        self.reload(store);
        self.notice = Some(Ok(format!("已保存联系人：{name}")));
        true
    }

    /// Draws the screen. Returns true when divisions or contacts changed.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let mut changed = false;
        widgets::notice_line(ui, &self.notice);
        ui.columns(2, |cols| {
            self.list_ui(&mut cols[0]);
            let ui = &mut cols[1];
            changed |= self.selected_ui(ui, store, actor);
            ui.separator();
            ui.strong("新增处室");
            egui::Grid::new("new-division")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    widgets::text_row(ui, "处室代码", &mut self.new.code, "英文字母，如 archives");
                    widgets::text_row(ui, "处室名称", &mut self.new.name, "如 档案处");
                    widgets::text_row(ui, "排列顺序", &mut self.new.sort_order, "整数");
                });
            if ui.horizontal(|ui| ui.button("新增处室").clicked()).inner {
                changed |= self.add(store, actor);
            }
        });
        changed
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) {
        let mut pick = None;
        egui::ScrollArea::vertical()
            .id_salt("division-list")
            .show(ui, |ui| {
                egui::Grid::new("division-table")
                    .striped(true)
                    .num_columns(4)
                    .show(ui, |ui| {
                        for h in ["代码", "名称", "顺序", "联系人"] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for d in &self.divisions {
                            ui.monospace(&d.code);
                            let is = self.selected.as_deref() == Some(d.code.as_str());
                            if ui.selectable_label(is, &d.name).clicked() {
                                pick = Some(d.code.clone());
                            }
                            ui.label(d.sort_order.to_string());
                            let people: Vec<String> = self
                                .users
                                .iter()
                                .filter(|u| {
                                    u.role == Role::Contact
                                        && u.active
                                        && u.division.as_deref() == Some(d.code.as_str())
                                })
                                .map(|u| format!("{} {}", u.display_name, u.phone))
                                .collect();
                            ui.label(people.join("，"));
                            ui.end_row();
                        }
                    });
            });
        if let Some(code) = pick {
            self.select(&code);
            self.notice = None;
        }
    }

    fn selected_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        if self.selected.is_none() {
            ui.label("在左侧点击处室名称可改名、调整顺序和联系人。");
            return false;
        }
        let mut changed = false;
        ui.strong(format!("修改处室 {}", self.edit.code));
        egui::Grid::new("edit-division")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                widgets::text_row(ui, "新名称", &mut self.edit.name, "处室名称");
                widgets::text_row(ui, "顺序", &mut self.edit.sort_order, "整数");
            });
        if ui.horizontal(|ui| ui.button("保存处室").clicked()).inner {
            changed |= self.rename(store, actor);
        }
        ui.add_space(6.0);
        ui.strong("联系人（处室填报员）");
        if self.contacts.is_empty() {
            ui.weak("该处室还没有填报员，可在“用户”页添加。");
        }
        let mut save = None;
        for (i, c) in self.contacts.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.label(&c.user.login);
                ui.add_sized(
                    [90.0, 20.0],
                    egui::TextEdit::singleline(&mut c.display_name),
                )
                .accessible_name(format!("{} 的姓名", c.user.login));
                ui.add_sized(
                    [140.0, 20.0],
                    egui::TextEdit::singleline(&mut c.phone).hint_text("电话"),
                )
                .accessible_name(format!("{} 的电话", c.user.login));
                if ui
                    .add_enabled(
                        c.display_name != c.user.display_name || c.phone != c.user.phone,
                        egui::Button::new("保存"),
                    )
                    .on_hover_text("保存联系人的姓名和电话")
                    .clicked()
                {
                    save = Some(i);
                }
            });
        }
        if let Some(i) = save {
            changed |= self.save_contact(store, actor, i);
        }
        changed
    }
}
