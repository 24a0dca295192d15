//! 数据来源: the pop-up that answers "where does this number come from?" for a figure of
//! the preview — the metric, year, months, divisions and rule, then every stored value
//! behind it with who entered it and when, and a way to the entry grid at that metric.
//!
//! The figure's [`Provenance`] (made by the compiler) says which values were combined;
//! the year's [`YearData`] says what they are now, and who entered each and when is read
//! from the store per (year, metric) the first time a pop-up shows it ([`Sources`]: a
//! year read leaves users and times out). In a city's consolidated report a value is an
//! agency's, and its source is that agency's approved report. A cell of tables 3 and 4 of
//! a year kept in the 依申请 register lists the applications (or reviews and suits) it
//! counts. Must never: recompute a figure.

use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use egui::{Color32, RichText};

use rust_decimal::Decimal;

use crate::document::{Figure, Provenance};
use crate::jobs::{Job, JobError};
use crate::model::city::AgencyReport;
use crate::model::register_tables::CellRecord;
use crate::model::{Period, ValueRef, YearData};
use crate::store::Store;
use crate::value;

use super::widgets;

/// A value that is no longer what the figure was made of.
const CHANGED: Color32 = Color32::from_rgb(0xc0, 0x50, 0x00);

/// "Show this metric in the entry grid": what the 跳到填报 buttons ask the app for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryJump {
    pub year: i32,
    pub division: String,
    pub metric: String,
    /// 1–12, or 0 for a yearly value.
    pub month: u8,
}

/// Who is who: login → display name, for "entered by".
pub type UserNames = HashMap<String, String>;

/// Who entered each value of one metric in one year and when, by (division, month).
type Origins = HashMap<(String, u8), (String, String)>;

/// Who entered the values behind figures and when: read from the store per (year,
/// metric) when a pop-up first asks, off the UI thread ([`Sources::tick`], each frame,
/// by the screen that holds the store: on a server each read is a round trip), kept
/// until the year's data is read again ([`Sources::clear`]).
#[derive(Default)]
pub struct Sources {
    read: HashMap<(i32, String), Result<Origins, String>>,
    /// Asked for by a pop-up and not read yet.
    wanted: BTreeSet<(i32, String)>,
    /// Being read by `reading`.
    pending: BTreeSet<(i32, String)>,
    reading: Option<Job<Vec<Read>, Infallible>>,
}

/// One (year, metric) as read.
type Read = ((i32, String), Result<Origins, String>);

impl Sources {
    /// Forgets what was read or is being read (the values may have changed since).
    pub fn clear(&mut self) {
        self.read.clear();
        self.pending.clear();
        self.reading = None;
    }

    /// Takes a finished read and starts one of what pop-ups asked for since; `true` when
    /// a read arrived (the pop-up then needs a frame to show it).
    pub fn tick(&mut self, ctx: &egui::Context, store: &Store) -> bool {
        let mut arrived = false;
        if let Some(done) = self.reading.as_mut().and_then(Job::poll) {
            self.reading = None;
            self.arrive(done);
            arrived = true;
        }
        if self.reading.is_none() && !self.wanted.is_empty() {
            self.pending = std::mem::take(&mut self.wanted);
            let wanted: Vec<_> = self.pending.iter().cloned().collect();
            let db = store.path().to_path_buf();
            let wake = ctx.clone();
            self.reading = Some(Job::spawn(
                "读取填报人",
                Arc::new(move || wake.request_repaint()),
                move |_| Ok(read_origins(&db, wanted)),
            ));
        }
        arrived
    }

    /// Keeps a finished read. A read that died (a bug) is kept as its error for each
    /// metric it held, so that the pop-ups say so rather than asking again each frame.
    fn arrive(&mut self, done: Result<Vec<Read>, JobError<Infallible>>) {
        let pending = std::mem::take(&mut self.pending);
        match done {
            Ok(read) => self.read.extend(read),
            Err(e) => {
                let failed = format!("无法读取填报人：{e}");
                self.read
                    .extend(pending.into_iter().map(|key| (key, Err(failed.clone()))));
            }
        }
    }

    /// What was read of `metric` in `year`; `None` (and asked for) until it is.
    fn get(&mut self, ui: &egui::Ui, year: i32, metric: &str) -> Option<&Result<Origins, String>> {
        let key = (year, metric.to_string());
        if !self.read.contains_key(&key) {
            // A frame for `tick` to start the read; the read wakes the UI when done.
            if !self.pending.contains(&key) && self.wanted.insert(key) {
                ui.ctx().request_repaint();
            }
            return None;
        }
        self.read.get(&key)
    }
}

/// Who entered each value of the metrics `wanted` and when, read through a store of its
/// own (the UI's stays on the UI thread).
fn read_origins(db: &Path, wanted: Vec<(i32, String)>) -> Vec<Read> {
    let failed = |e: crate::store::StoreError| format!("无法读取填报人：{e}");
    let store = Store::open(db).map_err(failed);
    let origins = |year: i32, metric: &str| -> Result<Origins, String> {
        let store = store.as_ref().map_err(String::clone)?;
        let values = store.metric_values(year, metric).map_err(failed)?;
        Ok(values
            .into_iter()
            .map(|v| {
                let who = (v.updated_by.to_string(), v.updated_at.to_string());
                ((v.division.to_string(), v.month), who)
            })
            .collect())
    };
    wanted
        .into_iter()
        .map(|(year, metric)| {
            let read = origins(year, &metric);
            ((year, metric), read)
        })
        .collect()
}

/// The pop-up's content. With `jump`, each metric gets a 跳到填报 button (not in a
/// tooltip, which cannot be clicked); returns the jump when one was clicked.
pub fn provenance_ui(
    ui: &mut egui::Ui,
    figure: &Figure,
    data: &YearData,
    users: &UserNames,
    sources: &mut Sources,
    jump: bool,
) -> Option<EntryJump> {
    let p = &figure.provenance;
    ui.set_max_width(460.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&p.metric_name).strong());
        ui.label(RichText::new(format!("（{}）", p.metric_code)).weak());
    });
    let printed = if figure.missing {
        RichText::new(&figure.text).color(widgets::ERROR_COLOR)
    } else {
        RichText::new(format!("{} {}", figure.text, p.unit)).strong()
    };
    ui.horizontal(|ui| {
        ui.label("报告中显示：");
        ui.label(printed);
    });
    let with_jump = jump;
    let mut jump = None;
    if p.inputs.is_empty() {
        jump = provenance_body(ui, p, data, users, sources, with_jump);
    } else {
        ui.label(format!("由以下数据计算（{}）：", rule_text(&p.rule)));
        for (i, input) in p.inputs.iter().enumerate() {
            ui.separator();
            ui.label(RichText::new(format!("{}. {}", i + 1, input.metric_name)).strong());
            ui.push_id(i, |ui| {
                if let Some(j) = provenance_body(ui, input, data, users, sources, with_jump) {
                    jump = Some(j);
                }
            });
        }
    }
    jump
}

fn provenance_body(
    ui: &mut egui::Ui,
    p: &Provenance,
    data: &YearData,
    users: &UserNames,
    sources: &mut Sources,
    with_jump: bool,
) -> Option<EntryJump> {
    let division_name = |code: &str| {
        data.division(code)
            .map_or_else(|| code.to_string(), |d| d.name.clone())
    };
    let divisions = if p.divisions.is_empty() {
        "全部填报处室".to_string()
    } else {
        p.divisions
            .iter()
            .map(|d| division_name(d))
            .collect::<Vec<_>>()
            .join("、")
    };
    let yearly = data
        .metric_of(p.year, &p.metric_code)
        .is_some_and(|m| m.period == Period::Yearly);
    egui::Grid::new("provenance")
        .num_columns(2)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            ui.label("年度");
            ui.label(format!("{}年", p.year));
            ui.end_row();
            ui.label("月份");
            ui.label(months_text(p.months, yearly));
            ui.end_row();
            ui.label("处室");
            ui.label(divisions);
            ui.end_row();
            ui.label("计算");
            ui.label(rule_text(&p.rule));
            ui.end_row();
        });
    // The values as they are now, by (division, month).
    let stored: HashMap<(&str, u8), _> = data
        .values(p.year, &p.metric_code)
        .iter()
        .map(|v| ((v.division, v.month), v))
        .collect();
    if p.values.is_empty() {
        ui.label(RichText::new("没有填报数据").weak());
    } else {
        let who = Who::of(ui, p, data, sources);
        // A year of months is listed in full; more (many divisions) scroll in a box.
        if p.values.len() <= 16 {
            values_grid(ui, p, &stored, &who, &division_name, users);
        } else {
            egui::ScrollArea::vertical()
                .id_salt("provenance-values-scroll")
                .max_height(360.0)
                .show(ui, |ui| {
                    values_grid(ui, p, &stored, &who, &division_name, users)
                });
        }
    }
    let records = data.register_records(p.year, &p.metric_code);
    if !records.is_empty() {
        register_grid(ui, records);
    }
    if !with_jump {
        return None;
    }
    let target = jump_target(p, data)?;
    ui.button("跳到填报")
        .on_hover_text(format!(
            "在数据填报中打开{}{}年{}",
            division_name(&target.division),
            target.year,
            if target.month == 0 {
                "全年数".to_string()
            } else {
                format!("{}月", target.month)
            }
        ))
        .clicked()
        .then_some(target)
}

/// The values behind a figure with who entered each and when; a value changed since
/// the figure was made (an approved figure) shows both.
fn values_grid(
    ui: &mut egui::Ui,
    p: &Provenance,
    stored: &HashMap<(&str, u8), ValueRef<'_>>,
    who: &Who<'_>,
    division_name: &dyn Fn(&str) -> String,
    users: &UserNames,
) {
    if let Who::Read(Some(Err(e))) = who {
        ui.colored_label(widgets::ERROR_COLOR, e);
    }
    egui::Grid::new("provenance-values")
        .striped(true)
        .num_columns(5)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            for h in who.headings() {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for v in &p.values {
                ui.label(division_name(&v.division));
                ui.label(if v.month == 0 {
                    "全年".to_string()
                } else {
                    format!("{}月", v.month)
                });
                let now = stored.get(&(v.division.as_str(), v.month));
                let then = v.value.parse::<Decimal>().ok();
                let shown = if v.value.is_empty() {
                    RichText::new("（空）").weak()
                } else {
                    RichText::new(&v.value)
                };
                // A frozen (approved) figure whose value has changed since.
                match now.map(|s| s.value) {
                    Some(now) if now != then => ui.label(
                        RichText::new(format!(
                            "{}（现为 {}）",
                            if v.value.is_empty() { "空" } else { &v.value },
                            now.map_or("空".to_string(), value::format_exact)
                        ))
                        .color(CHANGED),
                    ),
                    _ => ui.label(shown),
                };
                let (by, at) = match now {
                    Some(_) => who.entered(&v.division, v.month),
                    None => ("—", "—"),
                };
                ui.label(users.get(by).map_or(by, String::as_str));
                ui.label(at);
                ui.end_row();
            }
        });
}

/// Where a pop-up's 填报人 and 时间 come from.
enum Who<'a> {
    /// An agency's own data: read from the store per metric; `None` while it is read.
    Read(Option<&'a Result<Origins, String>>),
    /// A city's consolidated report: each value is an agency's, from its own report.
    Agencies(&'a [AgencyReport]),
}

impl<'a> Who<'a> {
    fn of(ui: &egui::Ui, p: &Provenance, data: &'a YearData, sources: &'a mut Sources) -> Self {
        if data.reports.is_empty() {
            Who::Read(sources.get(ui, p.year, &p.metric_code))
        } else {
            Who::Agencies(&data.reports)
        }
    }

    fn headings(&self) -> [&'static str; 5] {
        match self {
            Who::Read(_) => ["处室", "月份", "数值", "填报人", "时间"],
            Who::Agencies(_) => ["单位", "月份", "数值", "审定人", "审定时间"],
        }
    }

    /// Who entered `division`'s value of `month` (a login) and when; in a city, who
    /// approved the agency's report and when.
    fn entered(&self, division: &str, month: u8) -> (&'a str, &'a str) {
        match self {
            Who::Read(None) => ("读取中…", ""),
            Who::Read(Some(Err(_))) => ("—", "—"),
            Who::Read(Some(Ok(origins))) => origins
                .get(&(division.to_string(), month))
                .map_or(("—", "—"), |(by, at)| (by.as_str(), at.as_str())),
            Who::Agencies(reports) => match reports.iter().find(|r| r.code == division) {
                Some(AgencyReport {
                    approved: Some((by, at)),
                    ..
                }) => (by.as_str(), at.as_str()),
                _ => ("未审定", "—"),
            },
        }
    }
}

/// The 依申请 register's records a cell of table 3 or 4 counts: number, dates, column
/// and result (the records carry no personal data, so every reader may see them).
fn register_grid(ui: &mut egui::Ui, records: &[CellRecord]) {
    ui.separator();
    ui.label(RichText::new(format!("依申请台账中的 {} 件：", records.len())).strong());
    let grid = |ui: &mut egui::Ui| {
        egui::Grid::new("provenance-register")
            .striped(true)
            .num_columns(5)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                for h in ["编号", "收到", "答复/审结", "类别", "结果"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for r in records {
                    ui.label(&r.number);
                    ui.label(r.received.to_string());
                    ui.label(r.closed.map_or("—".to_string(), |d| d.to_string()));
                    ui.label(&r.kind);
                    ui.label(if r.result.is_empty() {
                        "办理中"
                    } else {
                        &r.result
                    });
                    ui.end_row();
                }
            });
    };
    if records.len() <= 16 {
        grid(ui);
    } else {
        egui::ScrollArea::vertical()
            .id_salt("provenance-register-scroll")
            .max_height(360.0)
            .show(ui, grid);
    }
}

/// Where in the entry grid a figure's values are: the division of its latest value (or
/// its first division, or the metric's first owner) at that value's month.
pub fn jump_target(p: &Provenance, data: &YearData) -> Option<EntryJump> {
    let metric = data.metric_of(p.year, &p.metric_code)?;
    // A formula has nothing to type, nor has a cell counted from the register.
    let from_register = data.register.contains_key(&(p.year, p.metric_code.clone()));
    if metric.is_formula() || from_register {
        return None;
    }
    let latest = p
        .values
        .iter()
        .filter(|v| !v.value.is_empty())
        .max_by_key(|v| v.month);
    let division = latest
        .map(|v| v.division.clone())
        .or_else(|| p.divisions.first().cloned())
        .or_else(|| metric.owners.first().cloned())?;
    let month = match metric.period {
        Period::Yearly => 0,
        Period::Monthly => latest.map_or(p.months.1, |v| v.month),
    };
    Some(EntryJump {
        year: p.year,
        division,
        metric: p.metric_code.clone(),
        month,
    })
}

fn months_text((first, last): (u8, u8), yearly: bool) -> String {
    if yearly {
        "全年（年度数）".into()
    } else if first == last {
        format!("{first}月")
    } else {
        format!("{first}—{last}月")
    }
}

/// The compiler's rule (`sum`, `last`, `formula: …`) in words.
pub fn rule_text(rule: &str) -> String {
    match rule {
        "sum" => "各月、各处室数值相加".into(),
        "last" => "取最后一个有数的月份（存量）".into(),
        "max" => "取最大值".into(),
        "average" => "取平均值".into(),
        r => match r.strip_prefix("formula:") {
            Some(f) => format!("公式：{}", f.trim()),
            None => r.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_months_read_in_chinese() {
        assert_eq!(rule_text("formula: 1 - a / b"), "公式：1 - a / b");
        assert!(rule_text("sum").contains("相加"));
        assert_eq!(months_text((1, 12), false), "1—12月");
        assert_eq!(months_text((11, 11), false), "11月");
        assert_eq!(months_text((12, 12), true), "全年（年度数）");
    }

    /// Who entered a value is read from the store the frame after a pop-up asks, and
    /// kept until the data is read again.
    #[test]
    fn who_entered_a_value_is_read_when_a_pop_up_first_asks() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::demo::create(&dir.path().join("demo.db")).unwrap();
        let v = store
            .stored_values(2019..=2019, None, None)
            .unwrap()
            .remove(0);
        let ctx = egui::Context::default();
        let mut sources = Sources::default();
        let frame = |sources: &mut Sources| {
            let mut got = None;
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                got = sources.get(ui, 2019, &v.metric).cloned();
            });
            out.textures_delta.clear();
            got
        };
        assert_eq!(frame(&mut sources), None);
        let started = std::time::Instant::now();
        while !sources.tick(&ctx, &store) {
            assert!(started.elapsed().as_secs() < 30, "the read never arrived");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let origins = frame(&mut sources).unwrap().unwrap();
        let key = (v.division.to_string(), v.month);
        let who = (v.updated_by.to_string(), v.updated_at.to_string());
        assert_eq!(origins.get(&key), Some(&who));
        assert!(!sources.tick(&ctx, &store), "nothing more asked");
        sources.clear();
        assert_eq!(frame(&mut sources), None);
    }

    #[test]
    fn a_read_that_died_is_shown_as_an_error_and_not_asked_again() {
        let ctx = egui::Context::default();
        let mut sources = Sources::default();
        let frame = |sources: &mut Sources| {
            let mut got = None;
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                got = sources.get(ui, 2019, "t2.a").cloned();
            });
            out.textures_delta.clear();
            got
        };
        assert_eq!(frame(&mut sources), None);
        // What `tick` does when it starts the read.
        sources.pending = std::mem::take(&mut sources.wanted);
        sources.arrive(Err(JobError::Crashed));
        let shown = frame(&mut sources).expect("kept").unwrap_err();
        assert!(shown.starts_with("无法读取填报人："), "{shown}");
        assert!(sources.wanted.is_empty() && sources.pending.is_empty());
    }

    #[test]
    fn a_citys_value_comes_from_its_agencys_approved_report() {
        let report = |code: &str, approved: Option<(&str, &str)>| AgencyReport {
            code: code.into(),
            name: code.into(),
            status: None,
            approved: approved.map(|(a, b)| (a.into(), b.into())),
        };
        let reports = [
            report("a", Some(("wang", "2027-01-10 09:30:00"))),
            report("b", None),
        ];
        let who = Who::Agencies(&reports);
        assert_eq!(who.entered("a", 0), ("wang", "2027-01-10 09:30:00"));
        assert_eq!(who.entered("b", 0), ("未审定", "—"));
        assert_eq!(who.headings()[3], "审定人");
        assert_eq!(Who::Read(None).entered("a", 1).0, "读取中…");
    }
}
