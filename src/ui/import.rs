//! 导入表格: pick a CSV/xlsx (file dialog or a typed path) → it is read and checked
//! against the store in a background job → preview of new / changed / unchanged rows and
//! rejected rows with reasons → confirm → written in one transaction by a second job,
//! with a progress bar. Both jobs open their own connection to the file. Checking can be
//! cancelled (取消 beside its progress bar); the write is one transaction and is not.
//!
//! The check is made as the signed-in user (rows they may not write are refused with
//! their row), and with the checkbox 空白单元格清除已有数值 (off by default) an empty value
//! cell clears a stored value; otherwise the stored value is kept and the preview says so.

use std::path::PathBuf;
use std::sync::Arc;

use crate::import::{self, ImportError, ImportPlan, RowChange};
use crate::jobs::{Job, JobError};
use crate::store::{Actor, Store, WriteSummary};
use crate::value;

use super::widgets::{self, OpenYears};

pub struct ImportScreen {
    pub year: i32,
    years: Vec<i32>,
    path_text: String,
    plan_job: Option<Job<ImportPlan, ImportError>>,
    plan: Option<(PathBuf, ImportPlan)>,
    apply_job: Option<Job<WriteSummary, ImportError>>,
    notice: Option<Result<String, String>>,
    /// 空白单元格清除已有数值.
    clear_blanks: bool,
    /// The signed-in user, as of the last frame: whom the check is made for.
    actor: Option<Actor>,
}

impl ImportScreen {
    /// The screen on the latest of the file's open `years`.
    pub fn new(years: &OpenYears) -> ImportScreen {
        ImportScreen {
            year: years.latest(),
            years: years.all().to_vec(),
            path_text: String::new(),
            plan_job: None,
            plan: None,
            apply_job: None,
            notice: None,
            clear_blanks: false,
            actor: None,
        }
    }

    /// Starts reading and checking `path` in the background (取消 stops it between
    /// reading and checking).
    pub fn check_file(&mut self, ctx: &egui::Context, store: &Store, path: PathBuf) {
        let db = store.path().to_path_buf();
        let year = self.year;
        let ctx = ctx.clone();
        self.plan = None;
        self.notice = None;
        self.path_text = path.display().to_string();
        let p = path.clone();
        let options = import::PlanOptions {
            actor: self.actor.clone(),
            clear_blanks: self.clear_blanks,
        };
        self.plan_job = Some(Job::spawn(
            "检查表格",
            Arc::new(move || ctx.request_repaint()),
            move |r| {
                r.step(0, 2, "读取表格")?;
                let sheet = import::read(&p).map_err(JobError::Failed)?;
                r.step(1, 2, "核对数据")?;
                let store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
                import::plan_sheet(&store, year, &sheet, &options).map_err(JobError::Failed)
            },
        ));
    }

    /// The plan being previewed, if any.
    pub fn plan(&self) -> Option<&ImportPlan> {
        self.plan.as_ref().map(|(_, p)| p)
    }

    pub fn busy(&self) -> bool {
        self.plan_job.is_some() || self.apply_job.is_some()
    }

    /// Stops checking a file (取消 beside its progress bar). The write of a confirmed
    /// import is one transaction and is not offered a cancel: it is all or nothing.
    pub fn cancel_check(&mut self) {
        if let Some(job) = &self.plan_job {
            job.cancel();
        }
    }

    /// Starts writing the previewed plan.
    pub fn confirm(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) {
        let Some((_, plan)) = self.plan.clone() else {
            return;
        };
        let db = store.path().to_path_buf();
        let actor = actor.clone();
        let ctx = ctx.clone();
        self.apply_job = Some(Job::spawn(
            "导入",
            Arc::new(move || ctx.request_repaint()),
            move |r| {
                let mut store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
                import::apply(&mut store, &actor, &plan, |done, total| {
                    r.report(done, total, "写入数据");
                })
                .map_err(JobError::Failed)
            },
        ));
    }

    /// Returns true when an import was written (other screens should reload).
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &Store, actor: &Actor) -> bool {
        self.actor = Some(actor.clone());
        let written = self.poll_jobs();
        ui.horizontal(|ui| {
            widgets::year_picker(ui, "import-year", &self.years, &mut self.year);
            ui.label("表头：year,month,division,metric,value[,note]（CSV 或 xlsx 第一个工作表）");
        });
        self.file_ui(ui, store);
        self.progress_ui(ui);
        widgets::notice_line(ui, &self.notice);
        let mut confirm = false;
        let mut cancel = false;
        if let Some((path, plan)) = &self.plan {
            ui.separator();
            (confirm, cancel) = plan_ui(ui, path, plan, self.apply_job.is_none());
        }
        if confirm {
            self.confirm(ui.ctx(), store, actor);
        }
        if cancel {
            self.plan = None;
        }
        written
    }

    /// Takes the results of finished jobs. Returns true when an import was written.
    fn poll_jobs(&mut self) -> bool {
        if let Some(job) = &mut self.plan_job
            && let Some(result) = job.poll()
        {
            self.plan_job = None;
            match result {
                Ok(plan) => self.plan = Some((PathBuf::from(&self.path_text), plan)),
                Err(JobError::Cancelled) => self.notice = Some(Ok("已取消检查".into())),
                Err(e) => self.notice = Some(Err(e.to_string())),
            }
        }
        let Some(result) = self.apply_job.as_mut().and_then(Job::poll) else {
            return false;
        };
        self.apply_job = None;
        match result {
            Ok(s) => {
                self.notice = Some(Ok(format!(
                    "导入完成：新增 {}，修改 {}，不变 {}",
                    s.inserted, s.changed, s.unchanged
                )));
                self.plan = None;
                true
            }
            Err(e) => {
                self.notice = Some(Err(e.to_string()));
                false
            }
        }
    }

    /// 选择文件… or a typed path, and 检查.
    fn file_ui(&mut self, ui: &mut egui::Ui, store: &Store) {
        let idle = !self.busy();
        ui.add_enabled(
            idle,
            egui::Checkbox::new(&mut self.clear_blanks, "空白单元格清除已有数值"),
        )
        .on_hover_text(
            "不勾选时，空白的数值单元格保留已存的数值；勾选后改存为“未填报”。改动后请重新检查。",
        );
        ui.horizontal(|ui| {
            let idle = !self.busy();
            if ui
                .add_enabled(idle, egui::Button::new("选择文件…"))
                .clicked()
                && let Some(p) = rfd::FileDialog::new()
                    .add_filter("表格", &["csv", "xlsx"])
                    .set_title("选择要导入的表格")
                    .pick_file()
            {
                self.check_file(ui.ctx(), store, p);
            }
            let label = ui.label("或路径：");
            ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(380.0))
                .labelled_by(label.id);
            if ui.add_enabled(idle, egui::Button::new("检查")).clicked()
                && !self.path_text.trim().is_empty()
            {
                let p = PathBuf::from(self.path_text.trim());
                self.check_file(ui.ctx(), store, p);
            }
        });
    }

    /// The running jobs' progress bars; checking a file can be cancelled.
    fn progress_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(job) = &self.plan_job {
            let stop = ui
                .horizontal(|ui| {
                    widgets::progress_bar(ui, job.progress());
                    ui.add_enabled(!job.cancelling(), egui::Button::new("取消"))
                        .clicked()
                })
                .inner;
            if stop {
                self.cancel_check();
            }
        }
        if let Some(job) = &self.apply_job {
            widgets::progress_bar(ui, job.progress());
        }
    }
}

/// The preview of a checked file: counts, notices, rejected rows, the buttons, the rows
/// that would change. Returns (确认导入, 取消) clicks.
fn plan_ui(
    ui: &mut egui::Ui,
    path: &std::path::Path,
    plan: &ImportPlan,
    idle: bool,
) -> (bool, bool) {
    ui.strong(format!("预览：{}", path.display()));
    ui.label(format!(
        "新增 {} 行，修改 {} 行，不变 {} 行，有误 {} 行",
        plan.count(RowChange::New),
        plan.count(RowChange::Changed),
        plan.count(RowChange::Unchanged),
        plan.rejected.len()
    ));
    for n in &plan.notices {
        ui.label(format!("第 {} 行：{}", n.row, n.reason));
    }
    if !plan.rejected.is_empty() {
        widgets::error_line(ui, Some("表格有错误，改正后重新检查；不会导入任何数据："));
        egui::ScrollArea::vertical()
            .id_salt("rejected")
            .max_height(160.0)
            .show(ui, |ui| {
                for p in &plan.rejected {
                    ui.label(format!("第 {} 行：{}", p.row, p.reason));
                }
            });
    }
    let (confirm, cancel) = ui
        .horizontal(|ui| {
            let ok = plan.rejected.is_empty() && !plan.rows.is_empty() && idle;
            (
                ui.add_enabled(ok, egui::Button::new("确认导入")).clicked(),
                ui.button("取消").clicked(),
            )
        })
        .inner;
    planned_rows_ui(ui, plan);
    (confirm, cancel)
}

/// The rows an import would add or change, one line each.
fn planned_rows_ui(ui: &mut egui::Ui, plan: &ImportPlan) {
    let rows: Vec<_> = plan
        .rows
        .iter()
        .filter(|r| r.change != RowChange::Unchanged)
        .collect();
    ui.label(format!("将新增或修改的 {} 行：", rows.len()));
    egui::ScrollArea::vertical()
        .id_salt("planned")
        .auto_shrink([false, false])
        .show_rows(ui, 18.0, rows.len(), |ui, range| {
            for r in &rows[range] {
                let old = match r.old {
                    Some(Some(v)) => value::format_exact(v),
                    Some(None) => "（空）".into(),
                    None => String::new(),
                };
                let new = r.write.value.map(value::format_exact).unwrap_or_default();
                let change = match r.change {
                    RowChange::New => "新增",
                    RowChange::Changed => "修改",
                    RowChange::Unchanged => "不变",
                };
                ui.label(format!(
                    "第 {} 行　{}　{}月　{}　{}　{} → {}",
                    r.row, change, r.write.month, r.write.division, r.write.metric, old, new
                ));
            }
        });
}
