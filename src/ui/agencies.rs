//! 各单位: a city office's view of its agencies for a year — each agency's own annual
//! report (尚未起草, 草稿, 待审, 已审定 and when) and the checks of its national tables,
//! then the checks of their sum. The consolidated report itself is written, reviewed and
//! exported on 报告稿 (template `city-annual-report`), whose figures are these sums.
//!
//! The office chooses which agencies the year's report sums (计入汇总, all until it
//! chooses): the choice is the city store's setting for the year
//! (`Store::set_city_agencies`), so 报告稿, its exports and `nianbao city` without
//! `--agency` sum the same agencies. Leaders see the choice and cannot change it.
//!
//! The agencies are read off the UI thread ([`BackgroundRead`]), one snapshot each,
//! through `pipeline::city_year`.
//!
//! Must never: write anything but that choice, or show an agency's users or applicants
//! (the city's server login cannot read them).

use egui::{Color32, RichText};

use crate::check::CheckOptions;
use crate::model::{Finding, Role, Severity};
use crate::pipeline::{self, CityYear, PipelineError};
use crate::store::{Actor, Store, StoreError};

use super::widgets::{self, BackgroundRead, OpenYears};

/// The 各单位 tab.
pub struct AgenciesScreen {
    pub year: i32,
    years: Vec<i32>,
    /// The last read; `None` until the first one arrives.
    data: Option<Result<CityYear, String>>,
    reading: BackgroundRead<CityYear>,
    /// A read is asked for and starts at the next frame.
    stale: bool,
    /// The agency whose findings are unfolded.
    open: Option<String>,
    /// What the last change of the choice gave.
    notice: Option<Result<String, String>>,
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
            notice: None,
        }
    }

    /// Waits for the read (tests only; the screen polls).
    pub fn wait_loaded(&mut self) {
        if let Some(result) = self.reading.wait() {
            self.data = Some(result);
        }
    }

    /// The city's year as last read (tests).
    pub fn city_year(&self) -> Option<&Result<CityYear, String>> {
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
                    pipeline::city_year(s, year, &options).map_err(|e| match e {
                        PipelineError::Store(e) => e,
                        other => StoreError::Invalid(other.to_string()),
                    })
                },
            );
        }
        if let Some(result) = self.reading.poll() {
            self.data = Some(result);
        }
    }

    /// Returns true when the office changed which agencies the report sums.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
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
        widgets::notice_line(ui, &self.notice);
        ui.add_space(6.0);
        let year = match &self.data {
            None => return false,
            Some(Err(e)) => {
                widgets::error_line(ui, Some(e));
                return false;
            }
            Some(Ok(year)) => year,
        };
        let c = &year.consolidated;
        let approved = c
            .agencies
            .iter()
            .filter(|a| a.report.approved.is_some())
            .count();
        ui.label(
            RichText::new(format!(
                "{}年：可读取 {} 个单位，汇总计入 {} 个，其中 {approved} 个的年度报告已审定。汇总报告在“报告稿”中起草和导出。",
                c.data.year,
                year.readable.len(),
                c.agencies.len()
            ))
            .strong(),
        );
        ui.add_space(4.0);
        let may_choose = actor.role == Role::Office;
        let mut toggled: Option<String> = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("agencies")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for head in ["单位（勾选者计入汇总）", "代码", "本单位年度报告", "检查"]
                    {
                        ui.label(RichText::new(head).strong());
                    }
                    ui.end_row();
                    for report in &year.readable {
                        let code = &report.code;
                        let mut summed = year.chosen.as_ref().is_none_or(|c| c.contains(code));
                        let before = summed;
                        ui.add_enabled(may_choose, egui::Checkbox::new(&mut summed, &report.name))
                            .on_hover_text("勾选的单位计入本年度的汇总报告（表格合计与核对）");
                        if summed != before {
                            toggled = Some(code.clone());
                        }
                        ui.label(code);
                        ui.label(report.describe());
                        match c.agencies.iter().find(|a| &a.report.code == code) {
                            Some(a) => {
                                let open = self.open.as_deref() == Some(code.as_str());
                                if ui
                                    .selectable_label(open, summary(&a.findings))
                                    .on_hover_text("点击查看该单位的检查结果")
                                    .clicked()
                                {
                                    self.open = (!open).then(|| code.clone());
                                }
                            }
                            None => {
                                ui.weak("未计入汇总");
                            }
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
        let Some(code) = toggled else {
            return false;
        };
        let choice = toggle(year, &code);
        self.choose(store, actor, choice)
    }

    /// Saves which agencies the year's report sums (`None`: all); true when saved.
    fn choose(&mut self, store: &mut Store, actor: &Actor, choice: Option<Vec<String>>) -> bool {
        match store.set_city_agencies(actor, self.year, choice.as_deref()) {
            Ok(()) => {
                self.notice = Some(Ok(match &choice {
                    None => format!("{}年的汇总报告计入全部单位", self.year),
                    Some(codes) => {
                        format!("{}年的汇总报告计入 {} 个单位", self.year, codes.len())
                    }
                }));
                self.stale = true;
                true
            }
            Err(e) => {
                self.notice = Some(Err(e.to_string()));
                false
            }
        }
    }
}

/// The choice with `code` added or taken out, in the agencies' order; `None` when it
/// is every agency.
fn toggle(year: &CityYear, code: &str) -> Option<Vec<String>> {
    let summed = |c: &str| {
        year.chosen
            .as_ref()
            .is_none_or(|chosen| chosen.iter().any(|x| x == c))
    };
    let codes: Vec<String> = (year.readable.iter())
        .map(|r| r.code.clone())
        .filter(|c| (c == code) != summed(c))
        .collect();
    (codes.len() != year.readable.len()).then_some(codes)
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
