//! Checking read rows against the store: the plan shown before anything is written.
//!
//! Each row goes through named steps — its text ([`text_problems`]: no control
//! characters), its year, division, metric and month, what the metric and the acting
//! user allow, its value — and is then compared with what is stored. Every reason a row
//! is refused is collected (one line per row, reasons joined), none is dropped.
//!
//! Text: control characters (NUL, tab, …) are refused in every column with the row and
//! the column's name, because they are invisible in the app and the exports and usually
//! mean a binary or mis-saved file. One exception: a line break inside a note (a quoted
//! multi-line CSV cell, Alt+Enter in Excel) is kept as a line break (`\r\n` read as
//! `\n`); a note is prose, and the entry grid and exports show line breaks.
//!
//! Blank values: an empty value over a stored value keeps the stored one (a notice per
//! row, counted as unchanged), unless [`PlanOptions::clear_blanks`] asks to clear it.
//! Where nothing is stored, an empty value stores "not reported" (which is not 0).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{ImportError, ImportPlan, PlannedRow, RawRow, RowChange, RowProblem, Sheet};
use crate::input::excerpt;
use crate::model::{Metric, Period};
use crate::store::{Actor, Store, ValueWrite, WriteRights};
use crate::value;

/// How to plan an import.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Who will write: rows they may not write (another division's, a submitted or
    /// locked month) are refused in the plan with their row. `None`: not checked here
    /// (the store still refuses at write time).
    pub actor: Option<Actor>,
    /// An empty value cell clears a stored value (`--clear-blanks`, the checkbox
    /// 空白单元格清除已有数值). Off: the stored value is kept.
    pub clear_blanks: bool,
}

/// Checks raw rows against the store's divisions and the catalogue of `year` (without an
/// actor, not clearing blanks), and compares them with what is stored.
pub fn plan(store: &Store, year: i32, rows: &[RawRow]) -> Result<ImportPlan, ImportError> {
    Lookup::load(store, year, &PlanOptions::default())?.plan(rows)
}

/// Plans a sheet as read: its rows, plus what the reader already refused or noticed,
/// in row order.
pub fn plan_sheet(
    store: &Store,
    year: i32,
    sheet: &Sheet,
    options: &PlanOptions,
) -> Result<ImportPlan, ImportError> {
    let mut plan = Lookup::load(store, year, options)?.plan(&sheet.rows)?;
    plan.rejected.extend(sheet.problems.iter().cloned());
    plan.rejected.sort_by_key(|p| p.row);
    let mut notices = sheet.notices.clone();
    notices.append(&mut plan.notices);
    notices.sort_by_key(|n| n.row);
    plan.notices = notices;
    Ok(plan)
}

/// (month, division, metric): one stored cell of the year.
type Key = (u8, String, String);

/// What the rows are checked against, read once.
struct Lookup<'a> {
    year: i32,
    metrics: HashMap<String, Metric>,
    /// By name and by code, to the code.
    divisions: HashMap<String, String>,
    existing: HashMap<Key, Option<Decimal>>,
    rights: Option<WriteRights>,
    options: &'a PlanOptions,
}

/// A row that passed every check, before it is compared with what is stored.
struct Checked {
    write: ValueWrite,
}

impl<'a> Lookup<'a> {
    fn load(store: &Store, year: i32, options: &'a PlanOptions) -> Result<Self, ImportError> {
        let metrics: HashMap<String, Metric> = store
            .metrics(year)?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        if metrics.is_empty() {
            return Err(ImportError::YearNotOpen(year));
        }
        let mut divisions = HashMap::new();
        for d in store.divisions()? {
            divisions.insert(d.name.clone(), d.code.clone());
            divisions.insert(d.code.clone(), d.code);
        }
        let existing = store
            .stored_values(year..=year, None, None)?
            .into_iter()
            .map(|v| {
                (
                    (v.month, v.division.to_string(), v.metric.to_string()),
                    v.value,
                )
            })
            .collect();
        let rights = match &options.actor {
            Some(actor) => Some(store.write_rights(actor, year)?),
            None => None,
        };
        Ok(Lookup {
            year,
            metrics,
            divisions,
            existing,
            rights,
            options,
        })
    }

    fn plan(&self, rows: &[RawRow]) -> Result<ImportPlan, ImportError> {
        let mut plan = ImportPlan::default();
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for raw in rows {
            let checked = self.check(raw, &mut plan.notices).and_then(|c| {
                let key = (
                    c.write.month,
                    c.write.division.clone(),
                    c.write.metric.clone(),
                );
                match seen.insert(key, raw.row) {
                    Some(first) => {
                        Err(vec![format!("与第 {first} 行重复（同一处室、指标和月份）")])
                    }
                    None => Ok(c),
                }
            });
            match checked {
                Ok(c) => self.compare(raw.row, c, &mut plan),
                Err(reasons) => plan.rejected.push(RowProblem {
                    row: raw.row,
                    reason: reasons.join("；"),
                }),
            }
        }
        Ok(plan)
    }

    /// Every check of one row; all reasons it is refused.
    fn check(&self, raw: &RawRow, notices: &mut Vec<RowProblem>) -> Result<Checked, Vec<String>> {
        let mut reasons = text_problems(raw);
        if !reasons.is_empty() {
            // Do not quote control characters back in the other reasons.
            return Err(reasons);
        }
        if value::normalize(&raw.year) != self.year.to_string() {
            reasons.push(format!(
                "年份“{}”与导入年份 {} 不符",
                excerpt(&raw.year),
                self.year
            ));
        }
        let division = self.division(raw, &mut reasons);
        let metric = self.metric(raw, &mut reasons);
        let month = self.month(raw, metric, notices, &mut reasons);
        let mut value = None;
        if let Some(metric) = metric {
            self.metric_rules(raw, metric, division.as_deref(), &mut reasons);
            value = parse_value(raw, metric, &mut reasons);
        }
        if let (Some(d), Some(m), Some(rights)) = (&division, month, &self.rights)
            && let Err(e) = rights.check(d, m)
        {
            reasons.push(e.to_string());
        }
        match (division, month, metric, value) {
            (Some(division), Some(month), Some(metric), Some(value)) if reasons.is_empty() => {
                Ok(Checked {
                    write: ValueWrite {
                        year: self.year,
                        month,
                        division,
                        metric: metric.code.clone(),
                        value,
                        note: raw.note.trim().replace("\r\n", "\n"),
                        seen: None,
                    },
                })
            }
            _ => Err(reasons),
        }
    }

    fn division(&self, raw: &RawRow, reasons: &mut Vec<String>) -> Option<String> {
        let found = self.divisions.get(raw.division.trim()).cloned();
        if found.is_none() {
            reasons.push(format!("未知的处室：“{}”", excerpt(&raw.division)));
        }
        found
    }

    fn metric(&self, raw: &RawRow, reasons: &mut Vec<String>) -> Option<&Metric> {
        let found = self.metrics.get(raw.metric.trim());
        if found.is_none() {
            reasons.push(format!(
                "{}年的指标目录中没有指标：“{}”",
                self.year,
                excerpt(&raw.metric)
            ));
        }
        found
    }

    /// 1–12 for a monthly metric; 0 for a yearly one (blank, or 12 read as the year).
    fn month(
        &self,
        raw: &RawRow,
        metric: Option<&Metric>,
        notices: &mut Vec<RowProblem>,
        reasons: &mut Vec<String>,
    ) -> Option<u8> {
        let text = value::normalize(&raw.month);
        match (metric.map(|m| m.period), text.as_str()) {
            (Some(Period::Yearly), "" | "12") => {
                if text == "12" {
                    notices.push(RowProblem {
                        row: raw.row,
                        reason: format!("{} 是年度指标，月份 12 按全年数处理", raw.metric.trim()),
                    });
                }
                Some(0)
            }
            (Some(Period::Yearly), _) => {
                reasons.push(format!(
                    "{} 是年度指标，月份应留空或填 12，而不是“{}”",
                    raw.metric.trim(),
                    excerpt(&raw.month)
                ));
                None
            }
            (_, m) => match m.parse::<u8>() {
                Ok(m @ 1..=12) => Some(m),
                _ => {
                    reasons.push(format!("月份应为 1–12：“{}”", excerpt(&raw.month)));
                    None
                }
            },
        }
    }

    /// A formula metric is never imported; a metric only from its owner divisions.
    fn metric_rules(
        &self,
        raw: &RawRow,
        metric: &Metric,
        division: Option<&str>,
        reasons: &mut Vec<String>,
    ) {
        if metric.is_formula() {
            reasons.push(format!("{} 由公式计算，不能导入", metric.code));
        } else if let Some(d) = division
            && !metric.owners.iter().any(|o| o == d)
        {
            reasons.push(format!(
                "指标 {} 不由处室 {} 填报（负责处室：{}）",
                metric.code,
                excerpt(&raw.division),
                metric.owners.join("、")
            ));
        }
    }

    /// New / changed / unchanged against what is stored; an empty value over a stored
    /// one is kept unless asked to clear.
    fn compare(&self, row: usize, checked: Checked, plan: &mut ImportPlan) {
        let write = checked.write;
        let key = (write.month, write.division.clone(), write.metric.clone());
        let old = self.existing.get(&key).copied();
        if let (None, Some(Some(stored))) = (write.value, old)
            && !self.options.clear_blanks
        {
            plan.kept += 1;
            plan.notices.push(RowProblem {
                row,
                reason: format!(
                    "数值为空，保留已有数值 {}（{}）；如要清除，请使用 --clear-blanks 或在导入界面勾选“空白单元格清除已有数值”",
                    value::format_exact(stored),
                    write.metric
                ),
            });
            return;
        }
        let change = match old {
            None => RowChange::New,
            Some(v) if v == write.value => RowChange::Unchanged,
            Some(_) => RowChange::Changed,
        };
        plan.rows.push(PlannedRow {
            row,
            write,
            change,
            old,
        });
    }
}

/// The value of a row: `Some(None)` for an empty cell ("not reported").
fn parse_value(
    raw: &RawRow,
    metric: &Metric,
    reasons: &mut Vec<String>,
) -> Option<Option<Decimal>> {
    if raw.value.trim().is_empty() {
        return Some(None);
    }
    let parsed = if raw.binary_value {
        value::parse_binary(&raw.value, metric.kind)
    } else {
        value::parse(&raw.value, metric.kind)
    };
    match parsed {
        Ok(v) => Some(Some(v)),
        Err(e) => {
            reasons.push(e.to_string());
            None
        }
    }
}

/// Control characters in any column (a line break in the note excepted), by column.
fn text_problems(raw: &RawRow) -> Vec<String> {
    let columns = [
        ("年份", &raw.year, false),
        ("月份", &raw.month, false),
        ("处室", &raw.division, false),
        ("指标", &raw.metric, false),
        ("数值", &raw.value, false),
        ("备注", &raw.note, true),
    ];
    columns
        .into_iter()
        .filter_map(|(name, text, line_breaks)| {
            let bad = text
                .chars()
                .find(|&c| c.is_control() && !(line_breaks && matches!(c, '\n' | '\r')))?;
            Some(format!(
                "“{name}”列含有控制字符（U+{:04X}）；请删除后再导入",
                bad as u32
            ))
        })
        .collect()
}
