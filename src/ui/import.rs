//! 导入表格: pick a CSV/xlsx (file dialog or a typed path) → it is read and checked
//! against the store in a background job → preview of new / changed / unchanged rows and
//! rejected rows with reasons → confirm → written in one transaction by a second job,
//! with a progress bar. Both jobs open their own connection to the file. Checking can be
//! cancelled (取消 beside its progress bar); the write is one transaction and is not.
//!
//! Last year's published report (`.pdf`, `.docx`, `.html`, `.txt`, as
//! `nianbao import-report` reads it) goes the same way: its tables 2–4 are read by
//! [`crate::import::report`] into the office's year figures, the preview shows the
//! tables as read (to compare with the report), the reader's notes, and each cell by its
//! table, row and column; a cell that could not be placed refuses the whole import.
//!
//! The check is made as the signed-in user (rows they may not write are refused with
//! their row), and with the checkbox 空白单元格清除已有数值 (off by default) an empty value
//! cell clears a stored value; otherwise the stored value is kept and the preview says so.

use std::path::PathBuf;
use std::sync::Arc;

use crate::import::report::Reading;
use crate::import::{self, ImportError, ImportPlan, RowChange, RowProblem};
use crate::jobs::{Job, JobError};
use crate::store::{Actor, Store, WriteSummary};
use crate::value;

use super::widgets::{self, OpenYears};

pub struct ImportScreen {
    pub year: i32,
    years: Vec<i32>,
    path_text: String,
    plan_job: Option<Job<Checked, ImportError>>,
    plan: Option<(PathBuf, Checked)>,
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
        let report = crate::read::is_report_file(&path);
        self.plan_job = Some(Job::spawn(
            if report {
                "检查年报"
            } else {
                "检查表格"
            },
            Arc::new(move || ctx.request_repaint()),
            move |r| {
                if report {
                    r.step(0, 2, "读取年报")?;
                    let reading = import::report::read_report(&p).map_err(JobError::Failed)?;
                    r.step(1, 2, "核对数据")?;
                    let store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
                    let plan = import::report::plan(&store, year, &reading, &options)
                        .map_err(JobError::Failed)?;
                    return Ok(Checked {
                        plan,
                        reading: Some(reading),
                    });
                }
                r.step(0, 2, "读取表格")?;
                let sheet = import::read(&p).map_err(JobError::Failed)?;
                r.step(1, 2, "核对数据")?;
                let store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
                let plan =
                    import::plan_sheet(&store, year, &sheet, &options).map_err(JobError::Failed)?;
                Ok(Checked {
                    plan,
                    reading: None,
                })
            },
        ));
    }

    /// The last check's or write's message: done (`Ok`) or what went wrong (`Err`).
    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// The plan being previewed, if any.
    pub fn plan(&self) -> Option<&ImportPlan> {
        self.plan.as_ref().map(|(_, c)| &c.plan)
    }

    /// What was read out of the report being previewed, if the file was a report.
    pub fn reading(&self) -> Option<&Reading> {
        self.plan.as_ref().and_then(|(_, c)| c.reading.as_ref())
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
        let Some((_, Checked { plan, .. })) = self.plan.clone() else {
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
        ui.label(
            "也可选上年的年报（PDF、DOCX、HTML 或 TXT）：读出其表二至表四，记为所选年度办公室的全年数。",
        );
        self.file_ui(ui, store);
        self.progress_ui(ui);
        widgets::notice_line(ui, &self.notice);
        let mut confirm = false;
        let mut cancel = false;
        if let Some((path, checked)) = &self.plan {
            ui.separator();
            (confirm, cancel) = plan_ui(ui, path, checked, self.apply_job.is_none());
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
                    .add_filter(
                        "表格或年报",
                        &[&SHEETS[..], &crate::read::REPORT_EXTENSIONS[..]].concat(),
                    )
                    .add_filter("表格", &SHEETS)
                    .add_filter("上年年报", &crate::read::REPORT_EXTENSIONS)
                    .set_title("选择要导入的表格或上年年报")
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

/// What checking a file gave: the plan and, for a report, what was read out of it.
#[derive(Debug, Clone)]
struct Checked {
    plan: ImportPlan,
    reading: Option<Reading>,
}

impl Checked {
    /// A refused row or notice of the plan as a line: by its cell for a report, by its
    /// row for a sheet.
    fn describe(&self, p: &RowProblem) -> String {
        match &self.reading {
            Some(reading) => reading.describe(p),
            None => format!("第 {} 行：{}", p.row, p.reason),
        }
    }
}

/// The sheet files the import reads.
const SHEETS: [&str; 2] = ["csv", "xlsx"];

/// The preview of a checked file: counts, for a report the tables as read and the
/// reader's notes, the notices, rejected rows, the buttons, the rows that would change.
/// Returns (确认导入, 取消) clicks.
fn plan_ui(
    ui: &mut egui::Ui,
    path: &std::path::Path,
    checked: &Checked,
    idle: bool,
) -> (bool, bool) {
    let plan = &checked.plan;
    ui.strong(format!("预览：{}", path.display()));
    let unit = if checked.reading.is_some() {
        "项"
    } else {
        "行"
    };
    ui.label(format!(
        "新增 {} {unit}，修改 {} {unit}，不变 {} {unit}，有误 {} {unit}",
        plan.count(RowChange::New),
        plan.count(RowChange::Changed),
        plan.count(RowChange::Unchanged),
        plan.rejected.len()
    ));
    if let Some(reading) = &checked.reading {
        egui::CollapsingHeader::new("从年报读到的表格（请与原文核对）")
            .id_salt("report-tables")
            .default_open(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("report-tables-scroll")
                    .max_height(220.0)
                    .show(ui, |ui| {
                        ui.label(egui::RichText::new(reading.tables_text()).monospace());
                    });
            });
        for n in &reading.notices {
            ui.label(format!("说明：{n}"));
        }
    }
    for n in &plan.notices {
        ui.label(checked.describe(n));
    }
    if !plan.rejected.is_empty() {
        let what = if checked.reading.is_some() {
            "年报中有读不出或不能导入的数值，不会导入任何数据："
        } else {
            "表格有错误，改正后重新检查；不会导入任何数据："
        };
        widgets::error_line(ui, Some(what));
        egui::ScrollArea::vertical()
            .id_salt("rejected")
            .max_height(160.0)
            .show(ui, |ui| {
                for p in &plan.rejected {
                    ui.label(checked.describe(p));
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
    planned_rows_ui(ui, checked);
    (confirm, cancel)
}

/// The rows an import would add or change, one line each: by row, month and division
/// for a sheet, by table cell for a report.
fn planned_rows_ui(ui: &mut egui::Ui, checked: &Checked) {
    let rows: Vec<_> = (checked.plan.rows.iter())
        .filter(|r| r.change != RowChange::Unchanged)
        .collect();
    ui.label(format!("将新增或修改的 {} 项：", rows.len()));
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
                let at = checked.reading.as_ref().and_then(|x| x.location(r.row));
                ui.label(match at {
                    Some(at) => format!("{change}　{at}（{}）　{old} → {new}", r.write.metric),
                    None => format!(
                        "第 {} 行　{change}　{}月　{}　{}　{old} → {new}",
                        r.row, r.write.month, r.write.division, r.write.metric
                    ),
                });
            }
        });
}
