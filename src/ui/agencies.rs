//! 各单位: a city office's view of its agencies for a year — each agency's own annual
//! report (尚未起草, 草稿, 待审, 已审定 and when) and the checks of its national tables,
//! then the checks of their sum. The consolidated report itself is written, reviewed and
//! exported on 报告稿 (template `city-annual-report`), whose figures are these sums.
//!
//! The agencies are read off the UI thread ([`BackgroundRead`]), one snapshot each,
//! through `pipeline::consolidate_year`, the call `nianbao city check` makes.
//!
//! Must never: write anything, or show an agency's users or applicants (the city's
//! server login cannot read them).

use egui::{Color32, RichText};

use crate::check::CheckOptions;
use crate::city::Consolidated;
use crate::model::{Finding, Severity};
use crate::pipeline::{self, Agencies, PipelineError};
use crate::store::{Store, StoreError};

use super::widgets::{self, BackgroundRead, OpenYears};

/// The 各单位 tab.
pub struct AgenciesScreen {
    pub year: i32,
    years: Vec<i32>,
    /// The last read; `None` until the first one arrives.
    data: Option<Result<Consolidated, String>>,
    reading: BackgroundRead<Consolidated>,
    /// A read is asked for and starts at the next frame.
    stale: bool,
    /// The agency whose findings are unfolded.
    open: Option<String>,
}

impl AgenciesScreen {
    pub fn new(years: &OpenYears) -> AgenciesScreen {
        AgenciesScreen {
            year: years.latest(),
            years: years.all().to_vec(),
            data: None,
            reading: BackgroundRead::default(),
            stale: true,
            open: None,
        }
    }

    /// Waits for the read (tests only; the screen polls).
    pub fn wait_loaded(&mut self) {
        if let Some(result) = self.reading.wait() {
            self.data = Some(result);
        }
    }

    /// The consolidated year as last read (tests).
    pub fn consolidated(&self) -> Option<&Result<Consolidated, String>> {
        self.data.as_ref()
    }

    fn poll(&mut self, ctx: &egui::Context, store: &Store) {
        if std::mem::take(&mut self.stale) {
            let year = self.year;
            self.reading.start(
                ctx,
                store.path().to_path_buf(),
                "读取各单位数据",
                move |s| {
                    let options = CheckOptions {
                        as_of: Some(chrono::Local::now().date_naive()),
                        ..CheckOptions::default()
                    };
                    pipeline::consolidate_year(s, year, Agencies::Server(None), &options).map_err(
                        |e| match e {
                            PipelineError::Store(e) => e,
                            other => StoreError::Invalid(other.to_string()),
                        },
                    )
                },
            );
        }
        if let Some(result) = self.reading.poll() {
            self.data = Some(result);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, store: &Store) {
        self.poll(ui.ctx(), store);
        ui.horizontal(|ui| {
            if widgets::year_picker(ui, "agencies-year", &self.years, &mut self.year) {
                self.stale = true;
            }
            if ui.button("刷新").clicked() {
                self.stale = true;
            }
            if self.reading.busy() {
                ui.spinner();
                ui.label("正在读取各单位的数据…");
            }
        });
        ui.add_space(6.0);
        let c = match &self.data {
            None => return,
            Some(Err(e)) => {
                widgets::error_line(ui, Some(e));
                return;
            }
            Some(Ok(c)) => c,
        };
        let approved = c
            .agencies
            .iter()
            .filter(|a| a.report.approved.is_some())
            .count();
        ui.label(
            RichText::new(format!(
                "{}年：{} 个单位，{approved} 个的年度报告已审定。汇总报告在“报告稿”中起草和导出。",
                c.data.year,
                c.agencies.len()
            ))
            .strong(),
        );
        ui.add_space(4.0);
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("agencies")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for head in ["代码", "单位", "本单位年度报告", "检查"] {
                        ui.label(RichText::new(head).strong());
                    }
                    ui.end_row();
                    for a in &c.agencies {
                        ui.label(&a.report.code);
                        ui.label(&a.report.name);
                        ui.label(a.report.describe());
                        let open = self.open.as_deref() == Some(a.report.code.as_str());
                        if ui
                            .selectable_label(open, summary(&a.findings))
                            .on_hover_text("点击查看该单位的检查结果")
                            .clicked()
                        {
                            self.open = (!open).then(|| a.report.code.clone());
                        }
                        ui.end_row();
                    }
                });
            if let Some(a) = c
                .agencies
                .iter()
                .find(|a| Some(a.report.code.as_str()) == self.open.as_deref())
            {
                ui.add_space(6.0);
                ui.label(RichText::new(format!("{}的检查", a.report.name)).strong());
                findings_ui(ui, &a.findings);
            }
            ui.add_space(8.0);
            ui.label(RichText::new(format!("合计的检查（{}）", summary(&c.findings))).strong());
            findings_ui(ui, &c.findings);
        });
    }
}

/// `错误 2 项，提示 5 项`, or `无问题`.
fn summary(findings: &[Finding]) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    match (errors, findings.len() - errors) {
        (0, 0) => "无问题".into(),
        (e, w) => format!("错误 {e} 项，提示 {w} 项"),
    }
}

fn findings_ui(ui: &mut egui::Ui, findings: &[Finding]) {
    if findings.is_empty() {
        ui.label("无问题。");
    }
    for f in findings {
        let (tag, color) = match f.severity {
            Severity::Error => ("错误", Color32::from_rgb(0xc0, 0x20, 0x20)),
            Severity::Warning => ("提示", Color32::from_rgb(0xa0, 0x70, 0x00)),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(tag).color(color));
            ui.label(&f.message);
        });
    }
}
