//! 数据来源: the pop-up that answers "where does this number come from?" for a figure of
//! the preview — the metric, year, months, divisions and rule, then every stored value
//! behind it with who entered it and when, and a way to the entry grid at that metric.
//!
//! The figure's [`Provenance`] (made by the compiler) says which values were combined;
//! who entered each and when comes from the year's [`YearData`], which holds this and
//! last year's values with `updated_by` / `updated_at`; a cell of tables 3 and 4 of a year
//! kept in the 依申请 register lists the applications (or reviews and suits) it counts.
//! Must never: recompute a figure.

use std::collections::HashMap;

use egui::{Color32, RichText};

use rust_decimal::Decimal;

use crate::document::{Figure, Provenance};
use crate::model::register_tables::CellRecord;
use crate::model::{Period, ValueRef, YearData};
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

/// The pop-up's content. With `jump`, each metric gets a 跳到填报 button (not in a
/// tooltip, which cannot be clicked); returns the jump when one was clicked.
pub fn provenance_ui(
    ui: &mut egui::Ui,
    figure: &Figure,
    data: &YearData,
    users: &UserNames,
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
        jump = provenance_body(ui, p, data, users, with_jump);
    } else {
        ui.label(format!("由以下数据计算（{}）：", rule_text(&p.rule)));
        for (i, input) in p.inputs.iter().enumerate() {
            ui.separator();
            ui.label(RichText::new(format!("{}. {}", i + 1, input.metric_name)).strong());
            ui.push_id(i, |ui| {
                if let Some(j) = provenance_body(ui, input, data, users, with_jump) {
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
    // Who entered each value: the year's stored values by (division, month).
    let stored: HashMap<(&str, u8), _> = data
        .values(p.year, &p.metric_code)
        .iter()
        .map(|v| ((v.division, v.month), v))
        .collect();
    if p.values.is_empty() {
        ui.label(RichText::new("没有填报数据").weak());
    } else {
        // A year of months is listed in full; more (many divisions) scroll in a box.
        if p.values.len() <= 16 {
            values_grid(ui, p, &stored, &division_name, users);
        } else {
            egui::ScrollArea::vertical()
                .id_salt("provenance-values-scroll")
                .max_height(360.0)
                .show(ui, |ui| values_grid(ui, p, &stored, &division_name, users));
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
    division_name: &dyn Fn(&str) -> String,
    users: &UserNames,
) {
    egui::Grid::new("provenance-values")
        .striped(true)
        .num_columns(5)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            for h in ["处室", "月份", "数值", "填报人", "时间"] {
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
                match now {
                    Some(s) => {
                        let login = s.updated_by;
                        ui.label(users.get(login).map_or(login, String::as_str));
                        ui.label(s.updated_at);
                    }
                    None => {
                        ui.label("—");
                        ui.label("—");
                    }
                }
                ui.end_row();
            }
        });
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
}
