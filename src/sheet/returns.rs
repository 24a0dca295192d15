//! Taking returned workbooks back: each file is checked into a [`ReturnPlan`] (the
//! old → new preview, the notices and every refusal with file, sheet and cell), then a
//! plan without refusals is written in one transaction as that division's contact, the
//! audit log naming the file. In a batch, a refused workbook writes nothing and does not
//! stop the others; the [`BatchReport`] says per division what was imported, what was
//! refused and why, and who has not returned a workbook.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::read::{Cell, CellValue, SheetCells};
use super::*;
use crate::import::RowChange;
use crate::model::MonthStatus;
use crate::model::{Division, Role};
use crate::store::{Actor, Store, ValueWrite, WriteSummary};
use crate::value;

/// One value a return would write, with the cell it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCell {
    pub cell: String,
    pub metric_name: String,
    pub write: ValueWrite,
    pub change: RowChange,
    /// The stored value, when there is one.
    pub old: Option<Decimal>,
}

/// What one returned workbook would do.
#[derive(Debug, Clone, Default)]
pub struct ReturnPlan {
    pub file: PathBuf,
    /// The data sheet's name as found (a contact may have renamed it).
    pub sheet: String,
    pub marker: Option<Marker>,
    pub cells: Vec<PlannedCell>,
    pub refused: Vec<Refusal>,
    pub notices: Vec<Refusal>,
}

impl ReturnPlan {
    pub fn count(&self, change: RowChange) -> usize {
        self.cells.iter().filter(|c| c.change == change).count()
    }

    pub fn file_name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        )
    }

    /// The changed values as `C7 新闻发布会 3月：12 → 15`.
    pub fn changes(&self) -> Vec<String> {
        let month = |m: u8| {
            if m == 0 {
                YEAR_HEADER.to_string()
            } else {
                format!("{m}月")
            }
        };
        self.cells
            .iter()
            .filter(|c| c.change == RowChange::Changed)
            .map(|c| {
                let shown = |v: Option<Decimal>| v.map_or("（空）".into(), value::format_exact);
                format!(
                    "{} {} {}：{} → {}",
                    c.cell,
                    c.metric_name,
                    month(c.write.month),
                    shown(c.old),
                    shown(c.write.value)
                )
            })
            .collect()
    }

    fn refuse(&mut self, cell: Option<String>, reason: impl Into<String>) {
        let refusal = self.note(cell, reason);
        self.refused.push(refusal);
    }

    fn notice(&mut self, cell: Option<String>, reason: impl Into<String>) {
        let notice = self.note(cell, reason);
        self.notices.push(notice);
    }

    fn note(&self, cell: Option<String>, reason: impl Into<String>) -> Refusal {
        Refusal {
            file: self.file_name(),
            sheet: self.sheet.clone(),
            cell,
            reason: reason.into(),
        }
    }
}

/// What the store holds that a return is checked against, read once for a batch.
struct Context {
    agency: String,
    year: i32,
    divisions: Vec<Division>,
    metrics: Vec<Metric>,
    statuses: HashMap<(String, u8), MonthStatus>,
    /// By (division, metric, month).
    stored: HashMap<(String, String, u8), Option<Decimal>>,
}

impl Context {
    fn load(store: &Store, year: i32) -> Result<Context, SheetError> {
        let metrics = store.metrics(year)?;
        if metrics.is_empty() {
            return Err(SheetError::YearNotOpen { year });
        }
        let stored = store
            .stored_values(year..=year, None, None)?
            .into_iter()
            .map(|v| {
                (
                    (v.division.to_string(), v.metric.to_string(), v.month),
                    v.value,
                )
            })
            .collect();
        Ok(Context {
            agency: store.agency()?,
            year,
            divisions: store.divisions()?,
            metrics,
            statuses: store.month_statuses(year)?,
            stored,
        })
    }

    fn status(&self, division: &str, month: u8) -> MonthStatus {
        let month = if month == 0 { 12 } else { month };
        self.statuses
            .get(&(division.to_string(), month))
            .copied()
            .unwrap_or(MonthStatus::Open)
    }
}

/// Checks one returned workbook against the store: the preview, nothing written.
pub fn plan_return(
    store: &Store,
    actor: &Actor,
    year: i32,
    path: &Path,
) -> Result<ReturnPlan, SheetError> {
    Ok(plan_with(&Context::load(store, year)?, actor, path))
}

fn plan_with(ctx: &Context, actor: &Actor, path: &Path) -> ReturnPlan {
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
                    Some(cell_name(c.row, c.col)),
                    "这一行没有指标代码（隐藏的 A 列被清空或这是新插入的行），无法确定是哪个指标",
                );
            }
            continue;
        };
        let here = Some(cell_name(row, code_col));
        let Some(def) = marker.metrics.iter().find(|m| m.code == code) else {
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
        let Some(metric) = ctx.metrics.iter().find(|m| m.code == code) else {
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
    let at = cell_name(cell.row, cell.col);
    let key = (marker.division.clone(), metric.code.clone(), month);
    let stored = ctx.stored.get(&key).copied().flatten();
    let text = match (&cell.value, cell.formula) {
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
        (CellValue::Other(what), _) => return plan.refuse(Some(at), format!("不是数字：{what}")),
        (CellValue::Date(day), _) => return plan.refuse(Some(at), format!("不是数字：日期 {day}")),
        (CellValue::Text(t) | CellValue::Number(t), _) => t.clone(),
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
    if cell.formula {
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
        },
        change,
        old: stored,
    });
}

/// What became of one returned workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Imported(WriteSummary),
    /// Checked only (`--dry-run`): would import.
    Checked,
    Refused,
}

/// One workbook of a batch: its plan and what became of it.
#[derive(Debug, Clone)]
pub struct ReturnResult {
    pub plan: ReturnPlan,
    pub outcome: Outcome,
}

/// A batch of returns: per workbook, and the divisions that returned none.
#[derive(Debug, Clone, Default)]
pub struct BatchReport {
    pub returns: Vec<ReturnResult>,
    /// Divisions with something to fill and no workbook in the batch (only for a folder).
    pub not_returned: Vec<Division>,
}

impl BatchReport {
    pub fn refused(&self) -> usize {
        self.returns
            .iter()
            .filter(|r| r.outcome == Outcome::Refused)
            .count()
    }

    /// The summary shown after a batch, per division, in plain Chinese.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for r in &self.returns {
            out.push_str(&result_text(r));
        }
        if !self.not_returned.is_empty() {
            let names: Vec<&str> = self.not_returned.iter().map(|d| d.name.as_str()).collect();
            out.push_str(&format!("未交回：{}\n", names.join("、")));
        }
        let imported = self
            .returns
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Imported(_)))
            .count();
        out.push_str(&format!(
            "共 {} 份：导入 {imported} 份，拒绝 {} 份，未交回 {} 个处室。\n",
            self.returns.len(),
            self.refused(),
            self.not_returned.len()
        ));
        out
    }
}

fn result_text(r: &ReturnResult) -> String {
    let p = &r.plan;
    let who = p
        .marker
        .as_ref()
        .map_or_else(|| p.file_name(), |m| m.division_name.clone());
    let counts = format!(
        "新增 {}，修改 {}，不变 {}",
        p.count(RowChange::New),
        p.count(RowChange::Changed),
        p.count(RowChange::Unchanged)
    );
    let mut out = match &r.outcome {
        Outcome::Imported(_) => format!("{who}：已导入（{counts}）{}\n", p.file_name()),
        Outcome::Checked => format!("{who}：检查通过，未写入（{counts}）{}\n", p.file_name()),
        Outcome::Refused => format!(
            "{who}：未导入，{} 处问题，未写入任何数据：\n",
            p.refused.len()
        ),
    };
    for line in p.refused.iter().map(ToString::to_string).chain(p.changes()) {
        out.push_str(&format!("  {line}\n"));
    }
    for n in &p.notices {
        out.push_str(&format!("  说明：{n}\n"));
    }
    out
}

/// Imports returned workbooks: files, or folders of `.xlsx` files. Each workbook is
/// checked, then (unless `dry_run`) written in its own transaction as its division's
/// contact; a refused one writes nothing and the others go on.
pub fn import_returns(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    paths: &[PathBuf],
    dry_run: bool,
) -> Result<BatchReport, SheetError> {
    let ctx = Context::load(store, year)?;
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(workbooks_in(p)?);
        } else {
            files.push(p.clone());
        }
    }
    let mut report = BatchReport::default();
    let mut done: HashMap<String, String> = HashMap::new();
    for file in &files {
        let mut plan = plan_with(&ctx, actor, file);
        if let Some(m) = &plan.marker
            && plan.refused.is_empty()
            && let Some(first) = done.get(&m.division)
        {
            let reason = format!(
                "本批中已有{}的填报表 {first}，同一处室只导入一份",
                m.division_name
            );
            plan.refuse(None, reason);
        }
        let outcome = if !plan.refused.is_empty() {
            Outcome::Refused
        } else if dry_run {
            Outcome::Checked
        } else {
            match write_return(store, actor, &plan) {
                Ok(summary) => Outcome::Imported(summary),
                Err(e) => {
                    plan.refuse(None, e.to_string());
                    Outcome::Refused
                }
            }
        };
        if let (Some(m), false) = (&plan.marker, outcome == Outcome::Refused) {
            done.insert(m.division.clone(), plan.file_name());
        }
        report.returns.push(ReturnResult { plan, outcome });
    }
    if paths.iter().any(|p| p.is_dir()) {
        let returned: Vec<&str> = report
            .returns
            .iter()
            .filter_map(|r| r.plan.marker.as_ref().map(|m| m.division.as_str()))
            .collect();
        report.not_returned = ctx
            .divisions
            .iter()
            .filter(|d| {
                !fillable(&ctx.metrics, &d.code).is_empty() && !returned.contains(&d.code.as_str())
            })
            .cloned()
            .collect();
    }
    Ok(report)
}

/// Writes a plan in one transaction as the division's contact (the importing user when
/// that is a contact, or the office importing its own workbook), every audit row naming
/// the file.
fn write_return(
    store: &mut Store,
    actor: &Actor,
    plan: &ReturnPlan,
) -> Result<WriteSummary, SheetError> {
    let Some(marker) = &plan.marker else {
        return Ok(WriteSummary::default());
    };
    let writes: Vec<ValueWrite> = plan
        .cells
        .iter()
        .filter(|c| c.change != RowChange::Unchanged)
        .map(|c| c.write.clone())
        .collect();
    if writes.is_empty() {
        let unchanged = plan.count(RowChange::Unchanged);
        return Ok(WriteSummary {
            unchanged,
            ..WriteSummary::default()
        });
    }
    // The office's own workbook is written by the office user importing it.
    let writer = if actor.role == Role::Contact
        || actor.division.as_deref() == Some(marker.division.as_str())
    {
        actor.clone()
    } else {
        contact_of(store, &marker.division)?
    };
    let source = format!("导入填报表 {}（{} 导入）", plan.file_name(), actor.login);
    let mut summary = store.write_values_from(&writer, &writes, &source, |_, _| {})?;
    summary.unchanged += plan.count(RowChange::Unchanged);
    Ok(summary)
}

/// The division's active contact (填报员), the first by login.
fn contact_of(store: &Store, division: &str) -> Result<Actor, SheetError> {
    let mut contacts: Vec<_> = store
        .users()?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Contact && u.division.as_deref() == Some(division))
        .collect();
    contacts.sort_by(|a, b| a.login.cmp(&b.login));
    let login = contacts.first().map(|u| u.login.clone()).ok_or_else(|| {
        crate::store::StoreError::Invalid(format!(
            "处室 {division} 没有启用的填报员账号：请先在“用户”中为该处室添加填报员，未写入任何数据"
        ))
    })?;
    Ok(store.actor(&login)?)
}
