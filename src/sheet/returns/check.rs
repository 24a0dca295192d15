//! One returned workbook checked against the store: its marker (agency, year, division,
//! catalogue), its header, and every value cell mapped by its row's hidden code and its
//! column's month — never by position, so sorted rows, inserted rows and a renamed sheet
//! read the same. Nothing is written here.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::super::read::{self, Cell, CellValue, SheetCells};
use super::super::{CODE_HEADER, MARKER_SHEET, Marker, MetricDef, YEAR_HEADER, fillable};
use super::SheetError;
use super::{Context, PlannedCell, ReturnPlan};
use crate::import::RowChange;
use crate::input::xlsx::address;
use crate::model::{Metric, MonthStatus, Period, Role};
use crate::store::{Actor, Store, ValueWrite};
use crate::value;

/// Checks one returned workbook against the store: the preview, nothing written.
pub fn plan_return(
    store: &Store,
    actor: &Actor,
    year: i32,
    path: &Path,
) -> Result<ReturnPlan, SheetError> {
    Ok(plan_with(&Context::load(store, year)?, actor, path))
}

pub(super) fn plan_with(ctx: &Context, actor: &Actor, path: &Path) -> ReturnPlan {
    let mut plan = ReturnPlan {
        file: path.to_path_buf(),
        ..ReturnPlan::default()
    };
    let sheets = match read::cells(path) {
        Ok(s) => s,
        Err(e) => {
            plan.refuse(None, e.to_string());
            return plan;
        }
    };
    let Some(marker) = sheets
        .iter()
        .find(|s| s.name == MARKER_SHEET)
        .and_then(|s| read::marker_of(&s.cells))
    else {
        plan.refuse(
            None,
            "不是本系统生成的填报表（没有填报表标记）：请用“生成填报表”生成的文件填写后交回",
        );
        return plan;
    };
    plan.marker = Some(marker.clone());
    if !check_marker(ctx, actor, &marker, &mut plan) || !check_catalogue(ctx, &marker, &mut plan) {
        return plan;
    }
    let Some((sheet, header)) = find_header(&sheets) else {
        plan.refuse(
            None,
            format!("找不到填报表的表头（“{CODE_HEADER}”一列）：请勿删除表头行和隐藏的 A 列"),
        );
        return plan;
    };
    plan.sheet = sheet.name.clone();
    read_values(ctx, &marker, sheet, header, &mut plan);
    plan
}

/// Refuses a workbook made for another agency, year or division. True when it fits.
fn check_marker(ctx: &Context, actor: &Actor, marker: &Marker, plan: &mut ReturnPlan) -> bool {
    if marker.agency != ctx.agency {
        plan.refuse(
            None,
            format!(
                "这份填报表是为“{}”制作的，不是本机关（{}）的",
                marker.agency, ctx.agency
            ),
        );
    } else if marker.year != ctx.year {
        plan.refuse(
            None,
            format!("这份填报表是{}年的，不能导入{}年", marker.year, ctx.year),
        );
    } else if !ctx.divisions.iter().any(|d| d.code == marker.division) {
        plan.refuse(
            None,
            format!(
                "这份填报表的处室“{}”（{}）已不存在",
                marker.division_name, marker.division
            ),
        );
    } else if actor.role == Role::Contact
        && actor.division.as_deref() != Some(marker.division.as_str())
    {
        plan.refuse(
            None,
            format!(
                "这份填报表是为{}制作的，你只能导入本处室（{}）的填报表",
                marker.division_name,
                actor.division.as_deref().unwrap_or("无")
            ),
        );
    } else {
        return true;
    }
    false
}

/// Refuses a workbook whose division's catalogue changed since it was made, listing the
/// metrics added, removed or changed. True when unchanged.
fn check_catalogue(ctx: &Context, marker: &Marker, plan: &mut ReturnPlan) -> bool {
    let now: Vec<MetricDef> = fillable(&ctx.metrics, &marker.division)
        .into_iter()
        .map(MetricDef::of)
        .collect();
    let find = |list: &[MetricDef], code: &str| list.iter().find(|m| m.code == code).cloned();
    let mut differences = Vec::new();
    for m in &now {
        match find(&marker.metrics, &m.code) {
            None => differences.push(format!("新增 {}（{}）", m.name, m.code)),
            Some(old) if old != *m => differences.push(format!("修改 {}（{}）", m.name, m.code)),
            Some(_) => {}
        }
    }
    for m in &marker.metrics {
        if find(&now, &m.code).is_none() {
            differences.push(format!("删除 {}（{}）", m.name, m.code));
        }
    }
    if differences.is_empty() {
        return true;
    }
    plan.refuse(
        None,
        format!(
            "生成这份填报表（{}）以后指标目录已改变：{}；请重新生成填报表后再填",
            marker.made_at,
            differences.join("、")
        ),
    );
    false
}

/// The data sheet and its header cell (the code column's header): the first sheet that
/// has one, whatever its name.
fn find_header(sheets: &[SheetCells]) -> Option<(&SheetCells, (u32, u32))> {
    sheets
        .iter()
        .filter(|s| s.name != MARKER_SHEET)
        .find_map(|s| {
            s.cells
                .iter()
                .find(|c| matches!(&c.value, CellValue::Text(t) if t.trim() == CODE_HEADER))
                .map(|c| (s, (c.row, c.col)))
        })
}

/// The month a header cell names: `3月`, `3月（已报送）` → 3; `全年` → 0.
fn month_of_header(text: &str) -> Option<u8> {
    let text = value::normalize(text);
    if text.starts_with(YEAR_HEADER) {
        return Some(0);
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = &text[digits.len()..];
    rest.starts_with('月')
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|m| (1..=12).contains(m))
}

/// Maps every value cell below the header by its row's code and its column's month.
fn read_values(
    ctx: &Context,
    marker: &Marker,
    sheet: &SheetCells,
    (header_row, code_col): (u32, u32),
    plan: &mut ReturnPlan,
) {
    let months: HashMap<u32, u8> = sheet
        .cells
        .iter()
        .filter(|c| c.row == header_row)
        .filter_map(|c| match &c.value {
            CellValue::Text(t) => Some((c.col, month_of_header(t)?)),
            _ => None,
        })
        .collect();
    let mut rows: BTreeMap<u32, Vec<&Cell>> = BTreeMap::new();
    for c in sheet.cells.iter().filter(|c| c.row > header_row) {
        rows.entry(c.row).or_default().push(c);
    }
    let defs: HashMap<&str, &MetricDef> = marker
        .metrics
        .iter()
        .map(|m| (m.code.as_str(), m))
        .collect();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (row, cells) in rows {
        let code = cells
            .iter()
            .find(|c| c.col == code_col)
            .and_then(|c| match &c.value {
                CellValue::Text(t) => Some(t.trim().to_string()),
                _ => None,
            });
        let values: Vec<(&Cell, u8)> = cells
            .iter()
            .filter_map(|c| Some((*c, *months.get(&c.col)?)))
            .collect();
        let Some(code) = code else {
            for (c, _) in values.iter().filter(|(c, _)| c.value != CellValue::Empty) {
                plan.refuse(
                    Some(c.address()),
                    "这一行没有指标代码（隐藏的 A 列被清空或这是新插入的行），无法确定是哪个指标",
                );
            }
            continue;
        };
        let here = Some(address(row, code_col));
        let Some(def) = defs.get(code.as_str()) else {
            plan.refuse(
                here,
                format!("未知的指标代码“{}”", crate::input::excerpt(&code)),
            );
            continue;
        };
        if let Some(first) = seen.insert(code.clone(), row) {
            plan.refuse(
                here,
                format!("指标 {} 出现了两次（另见第 {} 行）", def.name, first + 1),
            );
            continue;
        }
        let Some(metric) = ctx.metric(&code) else {
            continue;
        };
        for (cell, month) in values {
            read_cell(ctx, marker, metric, cell, month, plan);
        }
    }
}

/// One value cell: refused, noted, or planned.
fn read_cell(
    ctx: &Context,
    marker: &Marker,
    metric: &Metric,
    cell: &Cell,
    month: u8,
    plan: &mut ReturnPlan,
) {
    let at = cell.address();
    let key = (marker.division.clone(), metric.code.clone(), month);
    let stored = ctx.stored.get(&key).copied().flatten();
    let formula = cell.formula.is_some();
    let text = match (&cell.value, formula) {
        (CellValue::Empty, true) => {
            return plan.refuse(
                Some(at),
                "公式没有计算结果：请在 Excel 中重新计算并保存，或直接填写数字",
            );
        }
        (CellValue::Empty, false) => {
            if let Some(v) = stored {
                plan.notice(
                    Some(at),
                    format!(
                        "为空，保留已存的 {}（导入不会清除数值）",
                        value::format_exact(v)
                    ),
                );
            }
            return;
        }
        (CellValue::Text(t), _) => t.clone(),
        (v, _) => match v.number_text() {
            Some(number) => number,
            None => return plan.refuse(Some(at), format!("不是数字：{}", v.describe())),
        },
    };
    let yearly = metric.period == Period::Yearly;
    if yearly != (month == 0) {
        let reason = if yearly {
            format!("{} 是年度指标，应填在“{YEAR_HEADER}”一栏", metric.name)
        } else {
            format!("{} 是月度指标，不能填在“{YEAR_HEADER}”一栏", metric.name)
        };
        return plan.refuse(Some(at), reason);
    }
    if month != 0 && !marker.months.contains(&month) {
        return plan.refuse(Some(at), format!("{month}月不在这份填报表的收集范围内"));
    }
    let parsed = match value::parse(&text, metric.kind) {
        Ok(v) => v,
        Err(e) => return plan.refuse(Some(at), e.to_string()),
    };
    if formula {
        plan.notice(
            Some(at.clone()),
            format!(
                "单元格是公式，导入其计算结果 {}",
                value::format_exact(parsed)
            ),
        );
    }
    let change = match ctx.stored.get(&key) {
        None => RowChange::New,
        Some(Some(v)) if *v == parsed => RowChange::Unchanged,
        Some(_) => RowChange::Changed,
    };
    let status = ctx.status(&marker.division, month);
    if change != RowChange::Unchanged && status != MonthStatus::Open {
        let what = if status == MonthStatus::Locked {
            "已锁定"
        } else {
            "已报送"
        };
        let month = if month == 0 { 12 } else { month };
        return plan.refuse(
            Some(at),
            format!(
                "{month}月{what}，不能修改（已存 {}，表中 {}）；如需修改请办公室先解锁",
                stored.map_or("（空）".into(), value::format_exact),
                value::format_exact(parsed)
            ),
        );
    }
    plan.cells.push(PlannedCell {
        cell: at,
        metric_name: metric.name.clone(),
        write: ValueWrite {
            year: ctx.year,
            month,
            division: marker.division.clone(),
            metric: metric.code.clone(),
            value: Some(parsed),
            note: String::new(),
            seen: None,
        },
        change,
        old: stored,
    });
}
