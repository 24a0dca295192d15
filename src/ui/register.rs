//! 依申请台账 (office only): the register's applications with their due dates and working
//! days left, a form to register a new one, and one to record the reply to the selected
//! one. Reads and writes through the store (which checks the role and keeps the audit);
//! the due dates are `model::calendar`'s. Never shows anything the store did not give.

use chrono::NaiveDate;
use egui_extras::{Column, TableBuilder};

use crate::ledger;
use crate::model::calendar::{self, Calendar};
use crate::model::register::{ApplicantType, Application, Channel, ResultRow};
use crate::store::{Actor, Store};

use super::widgets;

/// A new application as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationForm {
    pub number: String,
    pub received: String,
    pub channel: Channel,
    pub applicant_type: ApplicantType,
    pub name: String,
    pub request: String,
}

impl Default for ApplicationForm {
    fn default() -> ApplicationForm {
        ApplicationForm {
            number: String::new(),
            received: String::new(),
            channel: Channel::Online,
            applicant_type: ApplicantType::NATURAL,
            name: String::new(),
            request: String::new(),
        }
    }
}

/// A reply as typed: its day and table 3's result row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyForm {
    pub replied: String,
    pub result: Option<ResultRow>,
}

/// One line of the list, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub number: String,
    pub received: NaiveDate,
    pub applicant: String,
    pub state: String,
    pub due: String,
    pub days_left: String,
}

pub struct RegisterScreen {
    applications: Vec<Application>,
    rows: Vec<RegisterRow>,
    selected: Option<usize>,
    new: ApplicationForm,
    reply: ReplyForm,
    notice: Option<Result<String, String>>,
    today: NaiveDate,
}

impl RegisterScreen {
    pub fn new(store: &Store, actor: &Actor, today: NaiveDate) -> RegisterScreen {
        let mut s = RegisterScreen {
            applications: Vec::new(),
            rows: Vec::new(),
            selected: None,
            new: ApplicationForm::default(),
            reply: ReplyForm::default(),
            notice: None,
            today,
        };
        s.reload(store, actor);
        s
    }

    pub fn reload(&mut self, store: &Store, actor: &Actor) {
        let read = store
            .applications(actor)
            .and_then(|apps| Ok((apps, store.calendar()?)));
        match read {
            Ok((mut apps, cal)) => {
                apps.reverse();
                self.rows = apps.iter().map(|a| row(a, &cal, self.today)).collect();
                self.applications = apps;
            }
            Err(e) => self.notice = Some(Err(format!("无法读取依申请台账：{e}"))),
        }
    }

    /// The list as shown, newest first.
    pub fn rows(&self) -> &[RegisterRow] {
        &self.rows
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    pub fn new_form_mut(&mut self) -> &mut ApplicationForm {
        &mut self.new
    }

    /// Registers the new application; true when the store took it.
    pub fn add(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let f = &self.new;
        let Some(received) = ledger::parse_date(&f.received) else {
            self.notice = Some(Err(format!("未保存：收到日期不是日期：“{}”", f.received)));
            return false;
        };
        let mut app = Application::received(&f.number, received, f.channel, f.applicant_type);
        app.applicant_name = Some(f.name.trim().to_string()).filter(|n| !n.is_empty());
        app.request = f.request.trim().to_string();
        let number = app.number.trim().to_string();
        if widgets::saved(&mut self.notice, store.add_application(actor, &app)).is_none() {
            return false;
        }
        self.notice = Some(Ok(format!("已登记申请 {number}")));
        self.new = ApplicationForm::default();
        self.reload(store, actor);
        true
    }

    /// Records the reply to the selected application; true when the store took it.
    pub fn record_reply(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(mut app) = self
            .selected
            .and_then(|i| self.applications.get(i).cloned())
        else {
            return false;
        };
        let Some(day) = ledger::parse_date(&self.reply.replied) else {
            self.notice = Some(Err(format!(
                "未保存：答复日期不是日期：“{}”",
                self.reply.replied
            )));
            return false;
        };
        app.replied = Some(day);
        app.result = self.reply.result;
        if widgets::saved(&mut self.notice, store.update_application(actor, &app)).is_none() {
            return false;
        }
        self.notice = Some(Ok(format!("已记录申请 {} 的答复", app.number)));
        self.reply = ReplyForm::default();
        self.reload(store, actor);
        true
    }

    /// Selects a line of the list for the reply form.
    pub fn select(&mut self, number: &str) {
        self.selected = self.applications.iter().position(|a| a.number == number);
    }

    pub fn reply_form_mut(&mut self) -> &mut ReplyForm {
        &mut self.reply
    }

    /// Returns true when the file changed.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let mut changed = false;
        ui.heading("依申请公开台账");
        widgets::notice_line(ui, &self.notice);
        ui.columns(2, |cols| {
            self.list_ui(&mut cols[0]);
            changed |= self.forms_ui(&mut cols[1], store, actor);
        });
        changed
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) {
        let mut clicked = None;
        TableBuilder::new(ui)
            .striped(true)
            .columns(Column::auto(), 6)
            .header(20.0, |mut h| {
                for t in [
                    "编号",
                    "收到日期",
                    "申请人",
                    "状态",
                    "答复期限",
                    "剩余工作日",
                ] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|mut body| {
                for (i, r) in self.rows.iter().enumerate() {
                    body.row(20.0, |mut row| {
                        row.col(|ui| {
                            if ui
                                .selectable_label(self.selected == Some(i), &r.number)
                                .clicked()
                            {
                                clicked = Some(r.number.clone());
                            }
                        });
                        let overdue = r.days_left.starts_with('-');
                        for text in [
                            r.received.to_string(),
                            r.applicant.clone(),
                            r.state.clone(),
                            r.due.clone(),
                        ] {
                            row.col(|ui| {
                                ui.label(text);
                            });
                        }
                        row.col(|ui| {
                            if overdue {
                                widgets::error_line(ui, Some(&r.days_left));
                            } else {
                                ui.label(&r.days_left);
                            }
                        });
                    });
                }
            });
        if let Some(n) = clicked {
            self.select(&n);
        }
    }

    fn forms_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let mut changed = false;
        ui.strong("登记新申请");
        egui::Grid::new("register-new")
            .num_columns(2)
            .show(ui, |ui| {
                let f = &mut self.new;
                widgets::text_row(ui, "申请编号", &mut f.number, "如 2026-017");
                widgets::text_row(ui, "收到日期", &mut f.received, "如 2026-03-02");
                let channels: Vec<(Channel, String)> = Channel::ALL
                    .iter()
                    .map(|c| (*c, c.label().to_string()))
                    .collect();
                widgets::choice_row(ui, "申请渠道", &mut f.channel, &channels);
                let types: Vec<(ApplicantType, String)> = ApplicantType::all()
                    .map(|t| (t, t.label().to_string()))
                    .collect();
                widgets::choice_row(ui, "申请人类型", &mut f.applicant_type, &types);
                widgets::text_row(ui, "申请人", &mut f.name, "姓名或名称");
                widgets::text_row(ui, "申请内容", &mut f.request, "");
            });
        if ui.button("登记").clicked() {
            changed |= self.add(store, actor);
        }
        ui.separator();
        let Some(app) = self.selected.and_then(|i| self.applications.get(i)) else {
            ui.label("在左侧选择一件申请以记录答复。");
            return changed;
        };
        ui.strong(format!("记录答复：{}", app.number));
        egui::Grid::new("register-reply")
            .num_columns(2)
            .show(ui, |ui| {
                widgets::text_row(ui, "答复日期", &mut self.reply.replied, "如 2026-03-20");
                let results: Vec<(Option<ResultRow>, String)> =
                    ResultRow::all().map(|r| (Some(r), r.label())).collect();
                widgets::choice_row(ui, "办理结果", &mut self.reply.result, &results);
            });
        if ui.button("保存答复").clicked() {
            changed |= self.record_reply(store, actor);
        }
        changed
    }
}

/// An application's line: where it stands on `today`.
fn row(app: &Application, cal: &Calendar, today: NaiveDate) -> RegisterRow {
    let st = calendar::standing(app, cal, today);
    RegisterRow {
        number: app.number.clone(),
        received: app.received,
        applicant: app
            .applicant_name
            .clone()
            .unwrap_or_else(|| "（不显示）".into()),
        state: st.state,
        due: st
            .problem
            .unwrap_or_else(|| st.due.map_or_else(String::new, |d| d.to_string())),
        days_left: st.days_left.map_or_else(String::new, |n| n.to_string()),
    }
}
