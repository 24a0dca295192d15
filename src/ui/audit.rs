//! 审计日志: who changed what, when, from what to what, and why — filtered by user, kind
//! of record and key prefix (e.g. `2019/12/`), newest first. Read in the background
//! ([`BackgroundRead`]): the log holds a row for every value ever written.

use egui_extras::{Column, TableBuilder};

use crate::model::User;
use crate::store::{AuditEntry, AuditFilter, Store};

use super::widgets::{self, BackgroundRead};

const ENTITIES: [(&str, &str); 8] = [
    ("value", "数值"),
    ("month", "报送/锁定"),
    ("narrative", "工作亮点"),
    ("metric", "指标"),
    ("division", "处室"),
    ("user", "用户"),
    ("year", "年度"),
    ("meta", "设置"),
];

pub struct AuditScreen {
    users: Vec<User>,
    actor: Option<String>,
    entity: Option<String>,
    key_prefix: String,
    entries: Vec<AuditEntry>,
    /// The log is read in the background: a filter over a million rows takes a while.
    reading: BackgroundRead<Vec<AuditEntry>>,
    error: Option<String>,
}

impl AuditScreen {
    pub fn new(ctx: &egui::Context, store: &Store) -> AuditScreen {
        let (users, error) = match store.users() {
            Ok(u) => (u, None),
            Err(e) => (Vec::new(), Some(format!("无法读取用户名单：{e}"))),
        };
        let mut s = AuditScreen {
            users,
            actor: None,
            entity: None,
            key_prefix: String::new(),
            entries: Vec::new(),
            reading: BackgroundRead::default(),
            error,
        };
        s.reload(ctx, store);
        s
    }

    /// Rereads the log with the current filters, in the background.
    pub fn reload(&mut self, ctx: &egui::Context, store: &Store) {
        let filter = AuditFilter {
            actor: self.actor.clone(),
            entity: self.entity.clone(),
            key_prefix: Some(self.key_prefix.trim().to_string()).filter(|k| !k.is_empty()),
            limit: Some(2000),
        };
        self.reading.start(
            ctx,
            store.path().to_path_buf(),
            "读取审计日志",
            move |store| store.audit_log(&filter),
        );
    }

    fn arrived(&mut self, result: Result<Vec<AuditEntry>, String>) {
        match result {
            Ok(e) => {
                self.entries = e;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Waits for the read in progress (tests only; the screen polls).
    pub fn wait_loaded(&mut self) {
        if let Some(result) = self.reading.wait() {
            self.arrived(result);
        }
    }

    pub fn loading(&self) -> bool {
        self.reading.busy()
    }

    pub fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    fn user_name(&self, login: &str) -> String {
        self.users
            .iter()
            .find(|u| u.login == login)
            .map_or_else(|| login.to_string(), |u| u.display_name.clone())
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, store: &Store) {
        if let Some(result) = self.reading.poll() {
            self.arrived(result);
        }
        let mut changed = false;
        ui.horizontal(|ui| {
            let label = ui.label("用户：");
            let shown = self
                .actor
                .as_deref()
                .map_or_else(|| "全部".to_string(), |a| self.user_name(a));
            egui::ComboBox::from_id_salt("audit-actor")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    changed |= ui.selectable_value(&mut self.actor, None, "全部").changed();
                    for u in &self.users {
                        changed |= ui
                            .selectable_value(
                                &mut self.actor,
                                Some(u.login.clone()),
                                &u.display_name,
                            )
                            .changed();
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("类别：");
            let shown = self
                .entity
                .as_deref()
                .and_then(|e| ENTITIES.iter().find(|(c, _)| *c == e))
                .map_or("全部", |(_, l)| *l);
            egui::ComboBox::from_id_salt("audit-entity")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut self.entity, None, "全部")
                        .changed();
                    for (code, label) in ENTITIES {
                        changed |= ui
                            .selectable_value(&mut self.entity, Some(code.to_string()), label)
                            .changed();
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("键前缀：");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.key_prefix)
                        .hint_text("如 2019/12/")
                        .desired_width(140.0),
                )
                .labelled_by(label.id);
            changed |= r.changed();
            if ui.button("刷新").clicked() {
                changed = true;
            }
            if self.reading.busy() {
                ui.spinner();
                ui.label("正在读取…");
            } else {
                ui.label(format!("{} 条", self.entries.len()));
            }
        });
        if changed {
            self.reload(ui.ctx(), store);
        }
        widgets::error_line(ui, self.error.as_deref());
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .column(Column::auto().at_least(130.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(50.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::initial(180.0))
            .column(Column::initial(120.0))
            .column(Column::initial(120.0))
            .column(Column::remainder())
            .header(22.0, |mut h| {
                for t in ["时间", "用户", "操作", "类别", "键", "原值", "新值", "原因"]
                {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, self.entries.len(), |mut row| {
                    let e = &self.entries[row.index()];
                    let entity = ENTITIES
                        .iter()
                        .find(|(c, _)| *c == e.entity)
                        .map_or(e.entity.as_str(), |(_, l)| l);
                    let shown = |v: &Option<String>| {
                        let v = v.clone().unwrap_or_default();
                        if e.entity == "month" {
                            status_label(&v).to_string()
                        } else {
                            v
                        }
                    };
                    let cells = [
                        e.at.clone(),
                        self.user_name(&e.actor),
                        action_label(&e.action).to_string(),
                        entity.to_string(),
                        e.key.clone(),
                        shown(&e.old),
                        shown(&e.new),
                        e.reason.clone(),
                    ];
                    for c in cells {
                        row.col(|ui| {
                            ui.add(egui::Label::new(c).truncate());
                        });
                    }
                });
            });
    }
}

/// The Chinese for an audit action (unknown ones as stored).
fn action_label(action: &str) -> &str {
    match action {
        "set" => "修改",
        "insert" => "新增",
        "delete" => "删除",
        "status" => "状态变更",
        "open" => "开启",
        other => other,
    }
}

/// The Chinese for a stored month status.
fn status_label(status: &str) -> &str {
    match status {
        "open" => "填写中",
        "submitted" => "已报送",
        "locked" => "已锁定",
        other => other,
    }
}
