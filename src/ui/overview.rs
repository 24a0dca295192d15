//! 概览: the dashboard's charts — the year's key metrics as monthly bars beside last
//! year's, for people who would rather look than read — under the 依申请 register's
//! time limits: the applications overdue and those due within five working days (the
//! findings of [`check::register::deadlines`], with numbers and dates only).
//!
//! Which metrics: the year's monthly metrics in catalogue order (the office orders the
//! catalogue by importance); the first few that have data are shown, and a picker adds
//! or removes others. Each bar is one month over all the divisions that report the
//! metric: their values added up, or averaged for a metric whose rule is an average (a
//! rate). Values stay exact `Decimal`s until they are handed to the plot (STYLE §3).
//!
//! The year is read off the UI thread ([`BackgroundRead`]): on a big file that is a
//! fifth of a second, and the previous charts stay up meanwhile.
//!
//! Must never: write anything, or stand in for the report's figures (the compiler's
//! rules decide those); this is a picture of the entries.

use rust_decimal::Decimal;

use egui::{Color32, RichText};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot};

use crate::check;
use crate::model::{Aggregation, Finding, Metric, Period, YearData};
use crate::store::Store;
use crate::value;

use super::widgets::{self, BackgroundRead, OpenYears};

/// How many charts a year starts with.
pub const DEFAULT_CHARTS: usize = 4;

const THIS_YEAR: Color32 = Color32::from_rgb(0x20, 0x70, 0xe0);
const LAST_YEAR: Color32 = Color32::from_rgb(0xa8, 0xa8, 0xa8);

/// The 概览 tab.
pub struct Overview {
    pub year: i32,
    years: Vec<i32>,
    /// The last read; `None` until the first one arrives.
    data: Option<Result<YearData, String>>,
    /// The register's time-limit warnings as of the day of the read.
    pub deadlines: Vec<Finding>,
    reading: BackgroundRead<(YearData, Vec<Finding>)>,
    /// A read is asked for and starts at the next frame.
    stale: bool,
    /// Codes of the metrics charted, in catalogue order.
    pub chosen: Vec<String>,
}

impl Overview {
    /// The overview of the latest of the file's open `years`.
    pub fn new(years: &OpenYears) -> Overview {
        Overview {
            year: years.latest(),
            years: years.all().to_vec(),
            data: None,
            deadlines: Vec::new(),
            reading: BackgroundRead::default(),
            stale: true,
            chosen: Vec::new(),
        }
    }

    /// Asks for the year's data again: the read starts at the next frame.
    pub fn reload(&mut self) {
        self.stale = true;
    }

    /// Starts the read asked for, and takes its result when it has arrived.
    fn poll(&mut self, ctx: &egui::Context, store: &Store) {
        if std::mem::take(&mut self.stale) {
            let year = self.year;
            let db = store.path().to_path_buf();
            self.reading.start(ctx, db, "读取概览数据", move |s| {
                let today = chrono::Local::now().date_naive();
                let deadlines =
                    check::register::deadlines(&s.register_records()?, &s.calendar()?, today, year);
                Ok((s.year_data(year)?, deadlines))
            });
        }
        if let Some(result) = self.reading.poll() {
            self.arrived(result);
        }
    }

    /// Waits for the read (tests only; the screen polls).
    pub fn wait_loaded(&mut self) {
        if let Some(result) = self.reading.wait() {
            self.arrived(result);
        }
    }

    /// Keeps the year's data; picks the default metrics when none are chosen.
    fn arrived(&mut self, result: Result<(YearData, Vec<Finding>), String>) {
        let result = result.map(|(data, deadlines)| {
            self.deadlines = deadlines;
            data
        });
        let data = self.data.insert(result);
        if let Ok(data) = data {
            let available: Vec<&Metric> = chartable(data);
            self.chosen
                .retain(|c| available.iter().any(|m| &m.code == c));
            if self.chosen.is_empty() {
                self.chosen = available
                    .iter()
                    .filter(|m| monthly(data, data.year, m).iter().any(Option::is_some))
                    .take(DEFAULT_CHARTS)
                    .map(|m| m.code.clone())
                    .collect();
            }
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, store: &Store) {
        self.poll(ui.ctx(), store);
        ui.horizontal(|ui| {
            if widgets::year_picker(ui, "overview-year", &self.years, &mut self.year) {
                self.chosen.clear();
                self.reload();
            }
            if ui.button("刷新").clicked() {
                self.reload();
            }
            if self.reading.busy() {
                ui.spinner();
            }
            if let Some(Ok(data)) = &self.data {
                ui.menu_button("选择指标", |ui| {
                    egui::ScrollArea::vertical()
                        .max_height(400.0)
                        .show(ui, |ui| {
                            for m in chartable(data) {
                                let mut on = self.chosen.contains(&m.code);
                                if ui.checkbox(&mut on, &m.name).changed() {
                                    if on {
                                        self.chosen.push(m.code.clone());
                                    } else {
                                        self.chosen.retain(|c| c != &m.code);
                                    }
                                }
                            }
                        });
                });
            }
            ui.label(
                RichText::new(format!(
                    "每月一组：蓝色为{}年，灰色为{}年同月；各处室合计（比率取平均）。",
                    self.year,
                    self.year - 1
                ))
                .weak(),
            );
        });
        deadlines_ui(ui, &self.deadlines);
        let data = match &self.data {
            Some(Ok(d)) => d,
            None => {
                ui.label("正在读取……");
                return;
            }
            Some(Err(e)) => {
                widgets::error_line(ui, Some(e));
                return;
            }
        };
        let metrics: Vec<&Metric> = chartable(data)
            .into_iter()
            .filter(|m| self.chosen.contains(&m.code))
            .collect();
        if metrics.is_empty() {
            ui.label("没有可以画图的月度指标（或尚未选择）。");
            return;
        }
        let width = ui.available_width();
        let columns = if width > 900.0 { 2 } else { 1 };
        let chart_w = width / columns as f32 - 12.0;
        egui::ScrollArea::vertical()
            .id_salt("overview-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for row in metrics.chunks(columns) {
                    ui.horizontal_top(|ui| {
                        for m in row {
                            ui.vertical(|ui| {
                                ui.set_width(chart_w);
                                chart(ui, data, m);
                            });
                        }
                    });
                    ui.add_space(10.0);
                }
            });
    }
}

/// The register's overdue and due-soon applications, one line each, overdue in the error
/// colour; nothing when there are none.
fn deadlines_ui(ui: &mut egui::Ui, deadlines: &[Finding]) {
    if deadlines.is_empty() {
        return;
    }
    let count = |code: &str| deadlines.iter().filter(|f| f.code == code).count();
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "依申请公开答复期限：{} 件已逾期，{} 件即将到期（{} 个工作日内）",
            count("register.overdue"),
            count("register.due_soon"),
            check::register::DUE_SOON_DAYS
        ))
        .strong(),
    );
    for f in deadlines {
        let text = RichText::new(format!("• {}", f.message));
        ui.label(if f.code == "register.overdue" {
            text.color(widgets::ERROR_COLOR)
        } else {
            text.color(widgets::WARN_COLOR)
        });
    }
    ui.separator();
}

/// The metrics a chart can show: monthly, stored (not formulas), in catalogue order.
pub fn chartable(data: &YearData) -> Vec<&Metric> {
    data.metrics
        .iter()
        .filter(|m| m.period == Period::Monthly && !m.is_formula())
        .collect()
}

/// One month's value of `metric` over its divisions, for each month of `year` (this
/// year or last): added up, or averaged for a rate; `None` for a month nobody filled.
pub fn monthly(data: &YearData, year: i32, metric: &Metric) -> [Option<Decimal>; 12] {
    let mut sums: [Option<(Decimal, i64)>; 12] = [None; 12];
    for v in data.values(year, &metric.code) {
        let (Some(value), 1..=12) = (v.value, v.month) else {
            continue;
        };
        let slot = &mut sums[usize::from(v.month) - 1];
        let (sum, n) = slot.get_or_insert((Decimal::ZERO, 0));
        *sum += value;
        *n += 1;
    }
    sums.map(|s| {
        s.map(|(sum, n)| match metric.aggregation {
            Aggregation::Average => sum / Decimal::from(n),
            _ => sum,
        })
    })
}

fn chart(ui: &mut egui::Ui, data: &YearData, m: &Metric) {
    let this = monthly(data, data.year, m);
    let prev = monthly(data, data.year - 1, m);
    let places = m.kind.places();
    let total = |v: &[Option<Decimal>; 12]| -> Option<Decimal> {
        let present: Vec<Decimal> = v.iter().flatten().copied().collect();
        if present.is_empty() {
            return None;
        }
        Some(match m.aggregation {
            Aggregation::Last => *present.last()?,
            Aggregation::Max => present.iter().copied().max()?,
            Aggregation::Average => {
                present.iter().sum::<Decimal>() / Decimal::from(present.len() as i64)
            }
            _ => present.iter().sum(),
        })
    };
    let shown = |v: Option<Decimal>| v.map_or("—".to_string(), |v| value::format(v, places));
    // The header doubles as the legend (a legend box would sit on the bars).
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&m.name).strong());
        ui.label(RichText::new(format!("（{}）", m.unit)).weak());
        ui.label(
            RichText::new(format!("■ {}年 {}", data.year, shown(total(&this)))).color(THIS_YEAR),
        );
        ui.label(
            RichText::new(format!("■ {}年 {}", data.year - 1, shown(total(&prev))))
                .color(Color32::GRAY),
        );
    });
    // f64 only for drawing (STYLE §3).
    let to_f64 = |v: Decimal| v.to_string().parse::<f64>().unwrap_or(0.0);
    let bars = |v: &[Option<Decimal>; 12], dx: f64, color: Color32| -> Vec<Bar> {
        v.iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|v| {
                    Bar::new(i as f64 + 1.0 + dx, to_f64(v))
                        .width(0.38)
                        .fill(color)
                        .name(format!("{}月 {}", i + 1, value::format(v, places)))
                })
            })
            .collect()
    };
    let (y0, y1) = (data.year, data.year - 1);
    Plot::new(("overview", &m.code))
        .height(180.0)
        .x_grid_spacer(|_| {
            (1..=12)
                .map(|m| GridMark {
                    value: f64::from(m),
                    step_size: 1.0,
                })
                .collect()
        })
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_x(0.4)
        .include_x(12.6)
        // One label a month; a month is narrower than egui_plot's default label spacing.
        .custom_x_axes(vec![
            AxisHints::new_x()
                .label_spacing(16.0..=24.0)
                .formatter(|mark, _| format!("{}月", mark.value.round())),
        ])
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(format!("{y1}年"), bars(&prev, -0.2, LAST_YEAR)).color(LAST_YEAR),
            );
            plot.bar_chart(
                BarChart::new(format!("{y0}年"), bars(&this, 0.2, THIS_YEAR)).color(THIS_YEAR),
            );
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_adds_up_its_divisions_and_averages_a_rate() {
        let data = crate::demo::data::year_data(2019);
        let m = chartable(&data)[0].clone();
        let by_hand: Decimal = data
            .values(2019, &m.code)
            .iter()
            .filter(|v| v.month == 3)
            .filter_map(|v| v.value)
            .sum();
        assert_eq!(monthly(&data, 2019, &m)[2], Some(by_hand));
        let mut rate = m.clone();
        rate.aggregation = Aggregation::Average;
        let n = data
            .values(2019, &m.code)
            .iter()
            .filter(|v| v.month == 3 && v.value.is_some())
            .count();
        assert_eq!(
            monthly(&data, 2019, &rate)[2],
            Some(by_hand / Decimal::from(n as i64))
        );
    }
}
