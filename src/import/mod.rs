//! Importing a sheet of figures (SPEC §5): CSV (UTF-8 with or without BOM, or GB18030)
//! or the first sheet of an xlsx, columns `year,month,division,metric,value[,note]`.
//!
//! Reading ([`csv`], [`xlsx`]) yields raw text rows; [`plan`] checks every row against
//! the file's catalogue and says, row by row, what would change (new / changed /
//! unchanged) or why a row is refused; [`apply`] writes a plan that has no refused row in
//! one store transaction. Nothing is written while any row is bad.
//!
//! [`report`] reads tables 2–4 out of a published annual report instead of a sheet and
//! feeds them through the same [`plan`] and [`apply`].
//!
//! Yearly metrics (the national tables) are addressed without a month: an import row for
//! one may leave the month blank or give 12 (read as "the year", and said so in the
//! plan's notices); any other month is refused.

pub mod csv;
pub mod report;
pub mod xlsx;

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;
use thiserror::Error;

use crate::model::{Metric, Period};
use crate::store::{Actor, Store, StoreError, ValueWrite, WriteSummary};
use crate::value;

/// One data row as read from the file, before any checking. `row` is the 1-based row
/// number in the sheet (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub row: usize,
    pub year: String,
    pub month: String,
    pub division: String,
    pub metric: String,
    pub value: String,
    pub note: String,
}

/// Why a file could not be read at all.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("无法读取文件 {path}：{source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("不支持的文件类型：{0}（只支持 .csv 和 .xlsx）")]
    UnsupportedType(String),
    #[error("表头不正确：{0}（应为 year,month,division,metric,value[,note]）")]
    BadHeader(String),
    #[error("文件格式错误：{0}")]
    Malformed(String),
    #[error("{} 行有错误，未导入任何数据", .0.len())]
    Rejected(Vec<RowProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] crate::read::ReadError),
    #[error("在 {0} 中没有找到年报的表二、表三或表四")]
    NoTables(String),
}

/// A refused row and the reason, in plain Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub reason: String,
}

/// What a checked row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowChange {
    New,
    Changed,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    pub row: usize,
    pub write: ValueWrite,
    pub change: RowChange,
    /// The value stored now, for a changed row (`Some(None)` = stored blank).
    pub old: Option<Option<Decimal>>,
}

/// The result of checking a file against the store: the preview shown before writing.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub rows: Vec<PlannedRow>,
    pub rejected: Vec<RowProblem>,
    /// Things worth saying that are not errors (e.g. month 12 read as the year).
    pub notices: Vec<RowProblem>,
}

impl ImportPlan {
    pub fn count(&self, change: RowChange) -> usize {
        self.rows.iter().filter(|r| r.change == change).count()
    }
}

/// Reads a .csv or .xlsx file into raw rows.
pub fn read(path: &Path) -> Result<Vec<RawRow>, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    match ext.as_str() {
        "csv" | "txt" => csv::read(&std::fs::read(path).map_err(io)?),
        "xlsx" | "xlsm" => xlsx::read(path),
        _ => Err(ImportError::UnsupportedType(path.display().to_string())),
    }
}

/// The columns of the import format, found by header name (English or Chinese).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    year: usize,
    month: usize,
    division: usize,
    metric: usize,
    value: usize,
    note: Option<usize>,
}

impl Columns {
    pub(crate) fn from_header(header: &[String]) -> Result<Columns, ImportError> {
        let find = |names: &[&str]| {
            header.iter().position(|h| {
                let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
                names.iter().any(|n| h == *n)
            })
        };
        let need = |names: &[&str]| {
            find(names).ok_or_else(|| {
                ImportError::BadHeader(format!("缺少列 {}（表头：{}）", names[0], header.join(",")))
            })
        };
        Ok(Columns {
            year: need(&["year", "年份", "年度"])?,
            month: need(&["month", "月份", "月"])?,
            division: need(&["division", "处室"])?,
            metric: need(&["metric", "指标", "指标代码"])?,
            value: need(&["value", "数值", "值"])?,
            note: find(&["note", "备注", "说明"]),
        })
    }

    pub(crate) fn row(&self, row: usize, cells: &[String]) -> RawRow {
        let get = |i: usize| cells.get(i).cloned().unwrap_or_default();
        RawRow {
            row,
            year: get(self.year),
            month: get(self.month),
            division: get(self.division),
            metric: get(self.metric),
            value: get(self.value),
            note: self.note.map(get).unwrap_or_default(),
        }
    }
}

/// Checks raw rows against the store's divisions and the catalogue of `year`, and
/// compares them with what is stored. Every bad row is reported; none is dropped.
pub fn plan(store: &Store, year: i32, rows: &[RawRow]) -> Result<ImportPlan, ImportError> {
    let metrics: HashMap<String, Metric> = store
        .metrics(year)?
        .into_iter()
        .map(|m| (m.code.clone(), m))
        .collect();
    let mut divisions: HashMap<String, String> = HashMap::new();
    for d in store.divisions()? {
        divisions.insert(d.name.clone(), d.code.clone());
        divisions.insert(d.code.clone(), d.code);
    }
    let existing: HashMap<(u8, String, String), Option<Decimal>> = store
        .stored_values(year..=year, None, None)?
        .into_iter()
        .map(|v| {
            (
                (v.month, v.division.to_string(), v.metric.to_string()),
                v.value,
            )
        })
        .collect();
    let mut plan = ImportPlan::default();
    let mut seen: HashMap<(u8, String, String), usize> = HashMap::new();
    for raw in rows {
        let mut reasons = Vec::new();
        let row_year = value::normalize(&raw.year);
        if row_year != year.to_string() {
            reasons.push(format!("年份“{}”与导入年份 {year} 不符", raw.year.trim()));
        }
        let division = divisions.get(raw.division.trim()).cloned();
        if division.is_none() {
            reasons.push(format!("未知的处室：“{}”", raw.division.trim()));
        }
        let metric = metrics.get(raw.metric.trim());
        if metric.is_none() {
            reasons.push(format!(
                "{year}年的指标目录中没有指标：“{}”",
                raw.metric.trim()
            ));
        }
        let month_text = value::normalize(&raw.month);
        let month = match (metric.map(|m| m.period), month_text.as_str()) {
            (Some(Period::Yearly), "" | "12") => {
                if month_text == "12" {
                    plan.notices.push(RowProblem {
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
                    raw.month.trim()
                ));
                None
            }
            (_, m) => match m.parse::<u8>() {
                Ok(m @ 1..=12) => Some(m),
                _ => {
                    reasons.push(format!("月份应为 1–12：“{}”", raw.month.trim()));
                    None
                }
            },
        };
        let mut parsed = None;
        if let Some(metric) = metric {
            if metric.is_formula() {
                reasons.push(format!("{} 由公式计算，不能导入", metric.code));
            } else if let Some(d) = &division
                && !metric.owners.contains(d)
            {
                reasons.push(format!(
                    "指标 {} 不由处室 {} 填报（负责处室：{}）",
                    metric.code,
                    raw.division.trim(),
                    metric.owners.join("、")
                ));
            }
            if raw.value.trim().is_empty() {
                parsed = Some(None);
            } else {
                match value::parse(&raw.value, metric.kind) {
                    Ok(v) => parsed = Some(Some(v)),
                    Err(e) => reasons.push(e.to_string()),
                }
            }
        }
        if let (Some(division), Some(month), Some(metric)) = (&division, month, metric) {
            let key = (month, division.clone(), metric.code.clone());
            if let Some(first) = seen.insert(key, raw.row) {
                reasons.push(format!("与第 {first} 行重复（同一处室、指标和月份）"));
            }
        }
        if !reasons.is_empty() {
            plan.rejected.push(RowProblem {
                row: raw.row,
                reason: reasons.join("；"),
            });
            continue;
        }
        let (Some(division), Some(month), Some(metric), Some(value)) =
            (division, month, metric, parsed)
        else {
            continue;
        };
        let write = ValueWrite {
            year,
            month,
            division,
            metric: metric.code.clone(),
            value,
            note: raw.note.trim().to_string(),
        };
        let old = existing
            .get(&(write.month, write.division.clone(), write.metric.clone()))
            .copied();
        let change = match old {
            None => RowChange::New,
            Some(v) if v == write.value => RowChange::Unchanged,
            Some(_) => RowChange::Changed,
        };
        plan.rows.push(PlannedRow {
            row: raw.row,
            write,
            change,
            old,
        });
    }
    Ok(plan)
}

/// Writes a plan in one transaction. Refuses a plan with any rejected row.
pub fn apply(
    store: &mut Store,
    actor: &Actor,
    plan: &ImportPlan,
    progress: impl FnMut(usize, usize),
) -> Result<WriteSummary, ImportError> {
    if !plan.rejected.is_empty() {
        return Err(ImportError::Rejected(plan.rejected.clone()));
    }
    let writes: Vec<ValueWrite> = plan.rows.iter().map(|r| r.write.clone()).collect();
    Ok(store.write_values(actor, &writes, progress)?)
}

/// Reads, checks and writes a file: all or nothing.
pub fn import_file(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    path: &Path,
    progress: impl FnMut(usize, usize),
) -> Result<(ImportPlan, WriteSummary), ImportError> {
    let rows = read(path)?;
    let plan = plan(store, year, &rows)?;
    let summary = apply(store, actor, &plan, progress)?;
    Ok((plan, summary))
}
