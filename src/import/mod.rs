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
//!
//! Careless or hostile input (see [`plan`] for the row checks): files are read with the
//! caps of [`crate::input`]; every user text quoted back is an [`crate::input::excerpt`];
//! an empty value never clears a stored one unless asked ([`PlanOptions::clear_blanks`]);
//! what the acting user may not write (another division, a submitted or locked month) is
//! refused per row in the plan, not as one failure of the whole write.

pub mod csv;
mod plan;
pub mod report;
pub mod xlsx;

use std::path::Path;

use rust_decimal::Decimal;
use thiserror::Error;

use crate::input::{self, InputError, excerpt};
use crate::store::{Actor, Store, StoreError, ValueWrite, WriteSummary};

pub use plan::{PlanOptions, plan, plan_sheet};

/// One data row as read from the file, before any checking. `row` is the 1-based row
/// number in the sheet (the header is row 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    pub row: usize,
    pub year: String,
    pub month: String,
    pub division: String,
    pub metric: String,
    pub value: String,
    pub note: String,
    /// The value was a binary double (an xlsx number cell), given as its shortest
    /// round-trip text: parsed with [`crate::value::parse_binary`].
    pub binary_value: bool,
}

/// A file as read: its data rows, and what the reader found about rows it could not
/// read as such (a short CSV row, a formula without a result) or worth saying (a
/// formula's cached result imported, another sheet read than the first).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub rows: Vec<RawRow>,
    pub problems: Vec<RowProblem>,
    pub notices: Vec<RowProblem>,
}

/// Why a file could not be read at all.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("无法读取文件 {path}：{}", crate::input::io_reason(source))]
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
    #[error("不是有效的 Excel 文件（{0}）：请在 Excel/WPS 中打开并另存为 .xlsx 后再导入")]
    NotExcel(String),
    #[error("{0}年没有指标目录（先用 nianbao year --open {0} 开启该年度）")]
    YearNotOpen(i32),
    #[error(transparent)]
    Input(#[from] InputError),
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
    /// Rows whose value was empty over a stored value, kept (not in `rows`, not
    /// written; counted as unchanged). See [`PlanOptions::clear_blanks`].
    pub kept: usize,
    pub rejected: Vec<RowProblem>,
    /// Things worth saying that are not errors (e.g. month 12 read as the year).
    pub notices: Vec<RowProblem>,
}

impl ImportPlan {
    /// Rows that would be new, changed or unchanged (kept blanks count as unchanged).
    pub fn count(&self, change: RowChange) -> usize {
        let kept = if change == RowChange::Unchanged {
            self.kept
        } else {
            0
        };
        kept + self.rows.iter().filter(|r| r.change == change).count()
    }
}

/// Reads a .csv or .xlsx file into raw rows, reading no more than
/// [`input::MAX_SHEET_BYTES`] of it.
pub fn read(path: &Path) -> Result<Sheet, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => csv::read(&input::read_capped(path, input::MAX_SHEET_BYTES, "导入表")?),
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
                ImportError::BadHeader(format!(
                    "缺少列 {}（表头：{}）",
                    names[0],
                    excerpt(&header.join(","))
                ))
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

    /// Cells a row needs for every required column (the note may be missing).
    pub(crate) fn required_len(&self) -> usize {
        1 + [
            self.year,
            self.month,
            self.division,
            self.metric,
            self.value,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// Whether the import reads column `col`.
    pub(crate) fn uses(&self, col: usize) -> bool {
        [
            self.year,
            self.month,
            self.division,
            self.metric,
            self.value,
        ]
        .contains(&col)
            || self.note == Some(col)
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
            binary_value: false,
        }
    }
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
    let mut summary = store.write_values(actor, &writes, progress)?;
    summary.unchanged += plan.kept;
    Ok(summary)
}

/// Reads, checks and writes a file: all or nothing. The summary is the store's,
/// counted inside the write transaction (plus the kept blanks as unchanged), so it is
/// true even when another import wrote in between the plan and the write.
pub fn import_file(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    path: &Path,
    options: &PlanOptions,
    progress: impl FnMut(usize, usize),
) -> Result<(ImportPlan, WriteSummary), ImportError> {
    let sheet = read(path)?;
    let plan = plan_sheet(store, year, &sheet, options)?;
    let summary = apply(store, actor, &plan, progress)?;
    Ok((plan, summary))
}
