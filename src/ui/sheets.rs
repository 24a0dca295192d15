//! 填报表 on the submission board: the two windows for the divisions that still work in
//! Excel or WPS.
//!
//! - 生成填报表: choose divisions and months and a folder (native folder dialog, or a
//!   typed path); the workbooks are made by a background job with a progress bar.
//! - 导入填报表: choose files or a folder of returns; a background job checks every
//!   workbook into the batch preview (per division: new / changed / unchanged, old → new,
//!   every refusal with file, sheet and cell, who has not returned one); 确认导入 writes
//!   the importable ones, one transaction each, in a second job, and the per-division
//!   summary stays up to copy.
//!
//! Every job opens its own connection to the file; the rules live in [`crate::sheet`].

use std::path::PathBuf;
use std::sync::Arc;

use crate::import::RowChange;
use crate::jobs::{Job, JobError};
use crate::model::{Division, Metric};
use crate::sheet::{self, BatchPlan, BatchReport, ReturnPlan, SheetError};
use crate::store::{Actor, Store, StoreError};

use super::widgets;

fn wake(ctx: &egui::Context) -> crate::jobs::Wake {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint())
}

/// 生成填报表: divisions × months → one workbook per division, into a folder.
pub struct MakeSheets {
    pub year: i32,
    /// The divisions with something to fill, and whether each is chosen.
    pub divisions: Vec<(Division, bool)>,
    pub from: u8,
    pub to: u8,
    pub folder: String,
    job: Option<Job<Vec<PathBuf>, SheetError>>,
    notice: Option<Result<String, String>>,
}

impl MakeSheets {
    /// The window for `year`, every division with something to fill chosen.
    pub fn new(store: &Store, year: i32) -> Result<MakeSheets, StoreError> {
        let metrics: Vec<Metric> = store.metrics(year)?;
        let divisions = store
            .divisions()?
            .into_iter()
            .filter(|d| !sheet::fillable(&metrics, &d.code).is_empty())
            .map(|d| (d, true))
            .collect();
        Ok(MakeSheets {
            year,
            divisions,
            from: 1,
            to: 12,
            folder: String::new(),
            job: None,
            notice: None,
        })
    }

    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The result of the last run, if any.
    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// Starts making the chosen workbooks into [`MakeSheets::folder`].
    pub fn start(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) {
        let chosen: Vec<String> = self
            .divisions
            .iter()
            .filter(|(_, on)| *on)
            .map(|(d, _)| d.code.clone())
            .collect();
        if chosen.is_empty() {
            self.notice = Some(Err("请至少选择一个处室".into()));
            return;
        }
        let folder = self.folder.trim();
        if folder.is_empty() {
            self.notice = Some(Err("请选择保存填报表的文件夹".into()));
            return;
        }
        let out = PathBuf::from(folder);
        if out.is_file() {
            self.notice = Some(Err(format!("“{}”是一个文件，请选择文件夹", out.display())));
            return;
        }
        let (db, year, actor) = (store.path().to_path_buf(), self.year, actor.clone());
        let months: Vec<u8> = (self.from.min(self.to)..=self.from.max(self.to)).collect();
        self.notice = None;
        self.job = Some(Job::spawn("生成填报表", wake(ctx), move |r| {
            let store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
            sheet::make_sheets(
                &store,
                &actor,
                year,
                &chosen,
                &months,
                &out,
                |done, total, d| {
                    r.report(done, total, &format!("生成 {d}"));
                },
            )
            .map_err(JobError::Failed)
        }));
    }

    /// Waits for the running job (tests only; the window polls).
    pub fn wait(&mut self) {
        if let Some(job) = self.job.take() {
            self.finished(job.wait());
        }
    }

    fn poll(&mut self) {
        if let Some(result) = self.job.as_mut().and_then(Job::poll) {
            self.job = None;
            self.finished(result);
        }
    }

    fn finished(&mut self, result: Result<Vec<PathBuf>, JobError<SheetError>>) {
        self.notice = Some(match result {
            Ok(files) => Ok(format!(
                "已生成 {} 份填报表到 {}",
                files.len(),
                self.folder.trim()
            )),
            Err(e) => Err(e.to_string()),
        });
    }

    /// The window's content. Returns false when it is closed.
    pub fn ui(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) -> bool {
        self.poll();
        let mut open = true;
        egui::Window::new(format!("生成{}年填报表", self.year))
            .id(egui::Id::unique("make-sheets"))
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| self.body_ui(ui, store, actor));
        open || self.busy()
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, store: &Store, actor: &Actor) {
        let idle = !self.busy();
        ui.label("每个处室一份 Excel 填报表，已填的数值预先填好，已报送或已锁定的月份不能修改。");
        ui.horizontal(|ui| {
            ui.label("处室：");
            if ui.small_button("全选").clicked() {
                self.divisions.iter_mut().for_each(|(_, on)| *on = true);
            }
            if ui.small_button("全不选").clicked() {
                self.divisions.iter_mut().for_each(|(_, on)| *on = false);
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("make-sheets-divisions")
            .max_height(220.0)
            .show(ui, |ui| {
                for (d, on) in &mut self.divisions {
                    ui.add_enabled(idle, egui::Checkbox::new(on, &d.name));
                }
            });
        ui.horizontal(|ui| {
            ui.label("月份：");
            month_box(ui, "起始月份", &mut self.from);
            ui.label("至");
            month_box(ui, "截止月份", &mut self.to);
        });
        ui.horizontal(|ui| {
            let label = ui.label("保存到文件夹：");
            ui.add(egui::TextEdit::singleline(&mut self.folder).desired_width(300.0))
                .labelled_by(label.id);
            if ui
                .add_enabled(idle, egui::Button::new("选择文件夹…"))
                .clicked()
                && let Some(p) = rfd::FileDialog::new()
                    .set_title("选择保存填报表的文件夹")
                    .pick_folder()
            {
                self.folder = p.display().to_string();
            }
        });
        let chosen = self.divisions.iter().filter(|(_, on)| *on).count();
        if ui
            .add_enabled(idle, egui::Button::new(format!("生成（{chosen} 份）")))
            .clicked()
        {
            self.start(ui.ctx(), store, actor);
        }
        if let Some(job) = &self.job {
            widgets::progress_bar(ui, job.progress());
        }
        widgets::notice_line(ui, &self.notice);
    }
}

/// A month picker named `name` (for screen readers and tests).
fn month_box(ui: &mut egui::Ui, name: &str, month: &mut u8) {
    egui::ComboBox::from_id_salt(("make-sheets", name))
        .selected_text(format!("{month}月"))
        .width(64.0)
        .show_ui(ui, |ui| {
            for m in 1..=12u8 {
                ui.selectable_value(month, m, format!("{m}月"));
            }
        })
        .response
        .accessible_name(name);
}

/// 导入填报表: files or a folder → the batch preview → 确认导入 → the summary.
pub struct TakeReturns {
    pub year: i32,
    /// The files or folders to check, one per line.
    pub paths: String,
    plan_job: Option<Job<BatchPlan, SheetError>>,
    batch: Option<BatchPlan>,
    apply_job: Option<Job<BatchReport, SheetError>>,
    report: Option<BatchReport>,
    notice: Option<Result<String, String>>,
}

impl TakeReturns {
    pub fn new(year: i32) -> TakeReturns {
        TakeReturns {
            year,
            paths: String::new(),
            plan_job: None,
            batch: None,
            apply_job: None,
            report: None,
            notice: None,
        }
    }

    pub fn busy(&self) -> bool {
        self.plan_job.is_some() || self.apply_job.is_some()
    }

    /// The batch being previewed.
    pub fn batch(&self) -> Option<&BatchPlan> {
        self.batch.as_ref()
    }

    /// What the last confirmed import did.
    pub fn report(&self) -> Option<&BatchReport> {
        self.report.as_ref()
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    fn chosen(&self) -> Vec<PathBuf> {
        self.paths
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect()
    }

    /// Starts checking the chosen files and folders.
    pub fn check(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) {
        let paths = self.chosen();
        if paths.is_empty() {
            self.notice = Some(Err("请选择交回的填报表文件或文件夹".into()));
            return;
        }
        if let Some(missing) = paths.iter().find(|p| !p.exists()) {
            self.notice = Some(Err(format!("找不到：{}", missing.display())));
            return;
        }
        let (db, year, actor) = (store.path().to_path_buf(), self.year, actor.clone());
        self.batch = None;
        self.report = None;
        self.notice = None;
        self.plan_job = Some(Job::spawn("检查填报表", wake(ctx), move |r| {
            let store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
            sheet::plan_returns(&store, &actor, year, &paths, |done, total, file| {
                r.report(done, total, &format!("检查 {file}"));
            })
            .map_err(JobError::Failed)
        }));
    }

    /// Starts writing the previewed batch.
    pub fn confirm(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) {
        let Some(batch) = self.batch.clone() else {
            return;
        };
        let (db, actor) = (store.path().to_path_buf(), actor.clone());
        self.apply_job = Some(Job::spawn("导入填报表", wake(ctx), move |r| {
            let mut store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
            sheet::apply_returns(&mut store, &actor, &batch, |done, total, file| {
                r.report(done, total, &format!("导入 {file}"));
            })
            .map_err(JobError::Failed)
        }));
    }

    /// Waits for the running jobs (tests only; the window polls). True when written.
    pub fn wait(&mut self) -> bool {
        if let Some(job) = self.plan_job.take() {
            self.planned(job.wait());
        }
        match self.apply_job.take() {
            Some(job) => self.applied(job.wait()),
            None => false,
        }
    }

    /// Takes finished jobs' results. True when an import was written.
    fn poll(&mut self) -> bool {
        if let Some(result) = self.plan_job.as_mut().and_then(Job::poll) {
            self.plan_job = None;
            self.planned(result);
        }
        match self.apply_job.as_mut().and_then(Job::poll) {
            Some(result) => {
                self.apply_job = None;
                self.applied(result)
            }
            None => false,
        }
    }

    fn planned(&mut self, result: Result<BatchPlan, JobError<SheetError>>) {
        match result {
            Ok(batch) if batch.plans.is_empty() => {
                self.notice = Some(Err("所选位置没有 .xlsx 填报表".into()));
            }
            Ok(batch) => self.batch = Some(batch),
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
    }

    fn applied(&mut self, result: Result<BatchReport, JobError<SheetError>>) -> bool {
        match result {
            Ok(report) => {
                let imported = report.imported();
                self.notice = Some(Ok(format!(
                    "导入 {imported} 份，拒绝 {} 份",
                    report.refused()
                )));
                self.batch = None;
                self.report = Some(report);
                imported > 0
            }
            Err(e) => {
                self.notice = Some(Err(e.to_string()));
                false
            }
        }
    }

    /// The window. Returns (still open, an import was written).
    pub fn ui(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) -> (bool, bool) {
        let written = self.poll();
        let mut open = true;
        egui::Window::new(format!("导入{}年填报表", self.year))
            .id(egui::Id::unique("take-returns"))
            .open(&mut open)
            .default_width(720.0)
            .default_height(520.0)
            .show(ctx, |ui| self.body_ui(ui, store, actor));
        (open || self.busy(), written)
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, store: &Store, actor: &Actor) {
        let idle = !self.busy();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(idle, egui::Button::new("选择文件…"))
                .clicked()
                && let Some(files) = rfd::FileDialog::new()
                    .add_filter("Excel 填报表", &["xlsx"])
                    .set_title("选择交回的填报表")
                    .pick_files()
            {
                self.set_paths(files);
                self.check(ui.ctx(), store, actor);
            }
            if ui
                .add_enabled(idle, egui::Button::new("选择文件夹…"))
                .clicked()
                && let Some(folder) = rfd::FileDialog::new()
                    .set_title("选择放有交回填报表的文件夹")
                    .pick_folder()
            {
                self.set_paths(vec![folder]);
                self.check(ui.ctx(), store, actor);
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("或路径（每行一个）：");
            ui.add(
                egui::TextEdit::multiline(&mut self.paths)
                    .desired_rows(2)
                    .desired_width(420.0),
            )
            .labelled_by(label.id);
            if ui.add_enabled(idle, egui::Button::new("检查")).clicked() {
                self.check(ui.ctx(), store, actor);
            }
        });
        if let Some(job) = &self.plan_job {
            widgets::progress_bar(ui, job.progress());
        }
        if let Some(job) = &self.apply_job {
            widgets::progress_bar(ui, job.progress());
        }
        widgets::notice_line(ui, &self.notice);
        let mut confirm = false;
        let mut cancel = false;
        if let Some(batch) = &self.batch {
            ui.separator();
            (confirm, cancel) = batch_ui(ui, batch, self.apply_job.is_none());
        } else if let Some(report) = &self.report {
            ui.separator();
            summary_ui(ui, report);
        }
        if confirm {
            self.confirm(ui.ctx(), store, actor);
        }
        if cancel {
            self.batch = None;
        }
    }

    fn set_paths(&mut self, paths: Vec<PathBuf>) {
        self.paths = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
    }
}

/// The batch preview: one row per workbook, its details below; returns (确认导入, 取消).
fn batch_ui(ui: &mut egui::Ui, batch: &BatchPlan, idle: bool) -> (bool, bool) {
    let importable = batch.importable();
    ui.strong(format!(
        "共 {} 份：可导入 {importable} 份，拒绝 {} 份",
        batch.plans.len(),
        batch.plans.len() - importable
    ));
    if !batch.not_returned.is_empty() {
        let names: Vec<&str> = batch.not_returned.iter().map(|d| d.name.as_str()).collect();
        ui.label(format!("未交回：{}", names.join("、")));
    }
    let (mut confirm, mut cancel) = (false, false);
    ui.horizontal(|ui| {
        confirm = ui
            .add_enabled(
                idle && importable > 0,
                egui::Button::new(format!("确认导入（{importable} 份）")),
            )
            .clicked();
        cancel = ui.add_enabled(idle, egui::Button::new("取消")).clicked();
    });
    egui::ScrollArea::vertical()
        .id_salt("returns-preview")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("returns-grid")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for h in ["处室", "文件", "新增", "修改", "不变", "结果"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for plan in &batch.plans {
                        plan_row_ui(ui, plan);
                    }
                });
            for plan in batch.plans.iter().filter(|p| {
                !p.refused.is_empty() || !p.notices.is_empty() || !p.changes().is_empty()
            }) {
                plan_details_ui(ui, plan);
            }
        });
    (confirm, cancel)
}

fn division_of(plan: &ReturnPlan) -> String {
    plan.marker
        .as_ref()
        .map_or_else(|| "（无法识别）".to_string(), |m| m.division_name.clone())
}

fn plan_row_ui(ui: &mut egui::Ui, plan: &ReturnPlan) {
    ui.label(division_of(plan));
    ui.label(plan.file_name());
    for change in [RowChange::New, RowChange::Changed, RowChange::Unchanged] {
        ui.label(plan.count(change).to_string());
    }
    if plan.refused.is_empty() {
        ui.colored_label(widgets::OK_COLOR, "可导入");
    } else {
        ui.colored_label(
            widgets::ERROR_COLOR,
            format!("拒绝（{} 处问题）", plan.refused.len()),
        );
    }
    ui.end_row();
}

fn plan_details_ui(ui: &mut egui::Ui, plan: &ReturnPlan) {
    let title = format!("{} · {}", division_of(plan), plan.file_name());
    egui::CollapsingHeader::new(title)
        .id_salt(("return", plan.file.display().to_string()))
        .default_open(!plan.refused.is_empty())
        .show(ui, |ui| {
            for r in &plan.refused {
                widgets::error_line(ui, Some(&r.to_string()));
            }
            for c in plan.changes() {
                ui.label(format!("修改 {c}"));
            }
            for n in &plan.notices {
                ui.weak(format!("说明：{n}"));
            }
        });
}

/// After the import: the per-division summary, copyable.
fn summary_ui(ui: &mut egui::Ui, report: &BatchReport) {
    let summary = report.summary();
    ui.horizontal(|ui| {
        ui.strong("导入结果");
        if ui.button("复制结果").clicked() {
            ui.ctx().copy_text(summary.clone());
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("returns-summary")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for line in summary.lines() {
                if line.starts_with("  ") {
                    ui.label(line);
                } else {
                    ui.strong(line);
                }
            }
        });
}
