//! 依申请台账 (office only): the register's applications with their due dates and working
//! days left, a form to register a new one, and for the selected one: its handling (补正,
//! 延期, 收费, notes — each moves the due date), its reply, and withdrawal from the
//! register with a reason. Reads and writes through the store (which checks the role and keeps the audit);
//! the due dates are `model::calendar`'s. Never shows anything the store did not give.

use chrono::NaiveDate;
use egui_extras::{Column, Size, StripBuilder, TableBuilder};

use crate::ledger;
use crate::model::calendar::{self, Calendar};
use crate::model::register::{ApplicantType, Application, Channel, ResultRow};
use crate::store::{Actor, Store};

use super::widgets;

/// The width of the forms beside the list.
const FORMS_WIDTH: f32 = 440.0;

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

/// The handling of an application as typed: dates as text (blank = none), the
/// extension's working days, notes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandlingForm {
    pub correction_sent: String,
    pub correction_answered: String,
    pub extension_days: String,
    pub fee_notice: String,
    pub fee_paid: String,
    pub notes: String,
    /// Why the record is withdrawn from the register (撤回登记).
    pub withdraw_reason: String,
}

impl HandlingForm {
    fn of(app: &Application) -> HandlingForm {
        let day = |d: Option<NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
        HandlingForm {
            correction_sent: day(app.correction_sent),
            correction_answered: day(app.correction_answered),
            extension_days: app
                .extension_days
                .map_or_else(String::new, |d| d.to_string()),
            fee_notice: day(app.fee_notice),
            fee_paid: day(app.fee_paid),
            notes: app.notes.clone(),
            withdraw_reason: String::new(),
        }
    }

    /// `app` with this handling, or the first field that does not read, in words.
    fn apply(&self, mut app: Application) -> Result<Application, String> {
        let day = |label: &str, text: &str| -> Result<Option<NaiveDate>, String> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            ledger::parse_date(text)
                .map(Some)
                .ok_or_else(|| format!("{label}不是日期：“{}”", text.trim()))
        };
        app.correction_sent = day("补正通知日期", &self.correction_sent)?;
        app.correction_answered = day("补正答复日期", &self.correction_answered)?;
        app.fee_notice = day("收费通知日期", &self.fee_notice)?;
        app.fee_paid = day("缴费日期", &self.fee_paid)?;
        let days = self.extension_days.trim();
        app.extension_days = if days.is_empty() {
            None
        } else {
            Some(
                days.parse::<u32>()
                    .map_err(|_| format!("延期天数应为 1 到 20 的整数：“{days}”"))?,
            )
        };
        app.notes = self.notes.trim().to_string();
        Ok(app)
    }
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
    handling: HandlingForm,
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
            handling: HandlingForm::default(),
            reply: ReplyForm::default(),
            notice: None,
            today,
        };
        s.reload(store, actor);
        s
    }

    /// Reads the register again, keeping the selected application selected.
    pub fn reload(&mut self, store: &Store, actor: &Actor) {
        let selected = self.selected_application().map(|a| a.number.clone());
        let read = store
            .applications(actor)
            .and_then(|apps| Ok((apps, store.calendar()?)));
        match read {
            Ok((mut apps, cal)) => {
                apps.reverse();
                self.rows = apps.iter().map(|a| row(a, &cal, self.today)).collect();
                self.applications = apps;
                self.selected =
                    selected.and_then(|n| self.applications.iter().position(|a| a.number == n));
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
        let Some(mut app) = self.selected_application().cloned() else {
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

    /// Saves the selected application's handling (补正, 延期, 收费, notes); true when the
    /// store took it. The store checks the dates against each other.
    pub fn save_handling(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(app) = self.selected_application().cloned() else {
            return false;
        };
        let number = app.number.clone();
        let app = match self.handling.apply(app) {
            Ok(app) => app,
            Err(e) => {
                self.notice = Some(Err(format!("未保存：{e}")));
                return false;
            }
        };
        if widgets::saved(&mut self.notice, store.update_application(actor, &app)).is_none() {
            return false;
        }
        self.notice = Some(Ok(format!("已保存申请 {number} 的办理过程")));
        self.reload(store, actor);
        true
    }

    /// Withdraws the selected record from the register (entered by mistake, a
    /// duplicate) with the reason typed; it then counts nowhere. True when done.
    pub fn withdraw(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(app) = self.selected_application() else {
            return false;
        };
        let (id, number) = (app.id, app.number.clone());
        let reason = self.handling.withdraw_reason.trim().to_string();
        if widgets::saved(
            &mut self.notice,
            store.withdraw_application(actor, id, &reason),
        )
        .is_none()
        {
            return false;
        }
        self.notice = Some(Ok(format!("已撤回申请 {number} 的登记：{reason}")));
        self.handling = HandlingForm::default();
        self.reload(store, actor);
        true
    }

    fn selected_application(&self) -> Option<&Application> {
        self.selected.and_then(|i| self.applications.get(i))
    }

    /// Selects a line of the list for the handling and reply forms.
    pub fn select(&mut self, number: &str) {
        self.selected = self.applications.iter().position(|a| a.number == number);
        self.handling = self
            .selected_application()
            .map(HandlingForm::of)
            .unwrap_or_default();
    }

    pub fn handling_form_mut(&mut self) -> &mut HandlingForm {
        &mut self.handling
    }

    pub fn reply_form_mut(&mut self) -> &mut ReplyForm {
        &mut self.reply
    }

    /// Returns true when the file changed.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let mut changed = false;
        ui.heading("依申请公开台账");
        widgets::notice_line(ui, &self.notice);
        // The list takes what the forms (a fixed column on the right) leave.
        StripBuilder::new(ui)
            .size(Size::remainder().at_least(360.0))
            .size(Size::exact(16.0))
            .size(Size::exact(FORMS_WIDTH))
            .horizontal(|mut strip| {
                strip.cell(|ui| self.list_ui(ui));
                strip.empty();
                strip.cell(|ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("register-forms")
                        .show(ui, |ui| changed |= self.forms_ui(ui, store, actor));
                });
            });
        changed
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) {
        let mut clicked = None;
        // One line per application: a long state is cut with … (the whole on hover).
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        TableBuilder::new(ui)
            .striped(true)
            .columns(Column::auto(), 3)
            .column(Column::remainder().at_least(120.0).clip(true))
            .columns(Column::auto(), 2)
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
                        for text in [r.received.to_string(), r.applicant.clone()] {
                            row.col(|ui| {
                                ui.label(text);
                            });
                        }
                        row.col(|ui| {
                            ui.label(&r.state).on_hover_text(&r.state);
                        });
                        row.col(|ui| {
                            ui.label(&r.due);
                        });
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
        let Some(app) = self.selected_application() else {
            ui.label("在左侧选择一件申请以记录办理过程和答复。");
            return changed;
        };
        let number = app.number.clone();
        if let Some(reason) = &app.withdrawn {
            ui.label(format!("申请 {number} 已撤回登记：{reason}"));
            return changed;
        }
        ui.strong(format!("办理过程：{number}"));
        egui::Grid::new("register-handling")
            .num_columns(2)
            .show(ui, |ui| {
                let f = &mut self.handling;
                widgets::text_row(ui, "补正通知日期", &mut f.correction_sent, "未发可空");
                widgets::text_row(
                    ui,
                    "补正答复日期",
                    &mut f.correction_answered,
                    "收到补正后重新计算期限",
                );
                widgets::text_row(
                    ui,
                    "延期（工作日）",
                    &mut f.extension_days,
                    "1–20，未延期可空",
                );
                widgets::text_row(ui, "收费通知日期", &mut f.fee_notice, "");
                widgets::text_row(ui, "缴费日期", &mut f.fee_paid, "");
                widgets::text_row(ui, "备注", &mut f.notes, "");
            });
        if ui.button("保存办理过程").clicked() {
            changed |= self.save_handling(store, actor);
        }
        ui.separator();
        ui.strong(format!("记录答复：{number}"));
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
        ui.separator();
        egui::Grid::new("register-withdraw")
            .num_columns(2)
            .show(ui, |ui| {
                widgets::text_row(
                    ui,
                    "撤回原因",
                    &mut self.handling.withdraw_reason,
                    "如：误登记、重复登记",
                );
            });
        if ui.button("撤回登记").clicked() {
            changed |= self.withdraw(store, actor);
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
