//! Excel collection workbooks (填报表, issue 14): one workbook per division, sent out by the
//! office, filled in on Excel or WPS, and taken back safely.
//!
//! Owns: the workbook's shape (the data sheet's header row, the hidden code column, the
//! month headers), the hidden marker that says what a workbook was made for ([`Marker`]),
//! making workbooks from plain data ([`make`]), and taking returns back ([`read`] for the
//! cells, [`returns`] for the import plan, the refusals and the batch summary).
//!
//! Never: touches SQL (values, statuses and users come through `Store` methods), or maps
//! a value by its position: a contact may sort rows, insert rows, rename the sheet or
//! re-save the file in WPS or LibreOffice, so a value is found by the code in its row's
//! hidden column and the month in its column's header.
//!
//! The marker is a "very hidden" sheet (`_nianbao`) holding a tag in A1 and the
//! [`Marker`] as JSON, cut into pieces below Excel's 32,767 characters a cell, from A2
//! down. It carries the catalogue definitions of the division's metrics as they were when
//! the workbook was made, so that a return made against an older catalogue is refused
//! with the metrics added, removed or changed.

pub mod make;
pub mod read;
pub mod returns;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::{Metric, Period};

pub use make::{SheetInput, make_sheets, sheet_input, workbook};
pub use returns::{
    BatchPlan, BatchReport, Outcome, ReturnPlan, ReturnResult, apply_returns, import_returns,
    plan_return, plan_returns,
};

/// The marker sheet's name.
pub const MARKER_SHEET: &str = "_nianbao";
/// The marker sheet's A1: what says "one of ours", and its format version.
pub const MARKER_TAG: &str = "nianbao-collection-sheet v1";
/// The data sheet's name as made (a contact may rename it).
pub const DATA_SHEET: &str = "填报表";
/// Last year's values, for reference.
pub const LAST_YEAR_SHEET: &str = "上年数据";
/// The header of the hidden code column: how the data sheet's header row is found.
pub const CODE_HEADER: &str = "指标代码";
/// The header of a yearly metric's column.
pub const YEAR_HEADER: &str = "全年";
/// Characters of marker JSON per cell (Excel's limit is 32,767).
const MARKER_CHUNK: usize = 30_000;

/// What a workbook was made for, kept in its hidden marker sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub agency: String,
    pub division: String,
    pub division_name: String,
    pub year: i32,
    /// The months it collects, ascending.
    pub months: Vec<u8>,
    /// The division's fillable metrics as defined when the workbook was made.
    pub metrics: Vec<MetricDef>,
    pub made_at: String,
    pub made_by: String,
}

/// The part of a catalogue entry a workbook depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricDef {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: String,
    pub places: u32,
    pub yearly: bool,
}

impl MetricDef {
    pub fn of(m: &Metric) -> MetricDef {
        MetricDef {
            code: m.code.clone(),
            name: m.name.clone(),
            unit: m.unit.clone(),
            kind: m.kind.label().to_string(),
            places: m.kind.places(),
            yearly: m.period == Period::Yearly,
        }
    }
}

impl Marker {
    /// The marker's JSON in cell-sized pieces, for A2 downwards.
    pub fn to_cells(&self) -> Vec<String> {
        let json = serde_json::to_string(self).unwrap_or_default();
        let chars: Vec<char> = json.chars().collect();
        chars
            .chunks(MARKER_CHUNK)
            .map(|c| c.iter().collect())
            .collect()
    }

    /// Inverse of [`Marker::to_cells`].
    pub fn from_cells(cells: &[String]) -> Option<Marker> {
        serde_json::from_str(&cells.concat()).ok()
    }
}

/// The metrics a division fills in a workbook: the ones it owns that are not computed.
pub fn fillable<'a>(metrics: &'a [Metric], division: &str) -> Vec<&'a Metric> {
    metrics
        .iter()
        .filter(|m| !m.is_formula() && m.owners.iter().any(|o| o == division))
        .collect()
}

/// The file name of a division's workbook: `2026年-新闻宣传处-填报表.xlsx`. Characters that
/// Windows refuses in a file name are replaced.
pub fn file_name(year: i32, division_name: &str) -> String {
    let safe: String = division_name
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    format!("{year}年-{safe}-填报表.xlsx")
}

/// Whether `path` is one of our collection workbooks (it has our marker). Anything that
/// cannot be read says no; [`plan_return`] then says why.
pub fn is_collection_workbook(path: &Path) -> bool {
    path.is_file() && read::marker(path).is_ok_and(|m| m.is_some())
}

/// The `.xlsx` files of a folder, by name, without Excel's `~$` lock files.
pub fn workbooks_in(folder: &Path) -> Result<Vec<PathBuf>, SheetError> {
    let io = |source| SheetError::Io {
        path: folder.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().to_string());
        let xlsx = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if xlsx && path.is_file() && !name.is_some_and(|n| n.starts_with("~$")) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Why workbooks could not be made or a file could not be read at all. Refusals of a
/// return's content are [`Refusal`]s, many per file.
#[derive(Debug, Error)]
pub enum SheetError {
    #[error("无法读写 {path}：{}", crate::input::io_reason(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error(
        "无法打开 Excel 文件 {path}：{reason}（请确认是 .xlsx 格式，WPS 中“另存为”Excel 工作簿）"
    )]
    Unreadable { path: PathBuf, reason: String },
    #[error("{path} 的工作表“{sheet}”单元格过多（超过 {limit} 个），不像是填报表，未读取")]
    TooManyCells {
        path: PathBuf,
        sheet: String,
        limit: usize,
    },
    #[error("生成 Excel 文件失败：{0}")]
    Write(String),
    #[error("没有处室 {0}")]
    UnknownDivision(String),
    #[error("{year}年没有指标目录（先用 nianbao year --open {year} 开启该年度）")]
    YearNotOpen { year: i32 },
    #[error("月份范围无效：“{0}”（应为 1-12 之间，如 1-6 或 3）")]
    BadMonths(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        SheetError::Write(e.to_string())
    }
}

/// One refused part of a returned workbook: file, sheet, cell (when there is one) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub file: String,
    pub sheet: String,
    pub cell: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.sheet.is_empty() {
            write!(f, " 工作表“{}”", self.sheet)?;
        }
        if let Some(cell) = &self.cell {
            write!(f, " 单元格 {cell}")?;
        }
        write!(f, "：{}", self.reason)
    }
}

/// Parses `--months`: `1-6`, `3`, or nothing for the whole year.
pub fn parse_months(text: Option<&str>) -> Result<Vec<u8>, SheetError> {
    let Some(text) = text else {
        return Ok((1..=12).collect());
    };
    let bad = || SheetError::BadMonths(crate::input::excerpt(text));
    let num = |s: &str| s.trim().parse::<u8>().ok().filter(|m| (1..=12).contains(m));
    let (from, to) = match text.split_once(['-', '–', '～', '~']) {
        Some((a, b)) => (num(a).ok_or_else(bad)?, num(b).ok_or_else(bad)?),
        None => {
            let m = num(text).ok_or_else(bad)?;
            (m, m)
        }
    };
    if from > to {
        return Err(bad());
    }
    Ok((from..=to).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_ranges_and_refuse_nonsense() {
        assert_eq!(parse_months(Some("1-6")).unwrap(), vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(parse_months(Some("3")).unwrap(), vec![3]);
        assert_eq!(parse_months(None).unwrap().len(), 12);
        for bad in ["0-3", "6-1", "13", "一月"] {
            let err = parse_months(Some(bad)).unwrap_err();
            assert!(err.to_string().contains("月份范围无效"), "{bad}: {err}");
        }
    }

    #[test]
    fn file_names_follow_the_office_pattern() {
        assert_eq!(
            file_name(2026, "新闻宣传处"),
            "2026年-新闻宣传处-填报表.xlsx"
        );
        assert_eq!(file_name(2026, "a/b"), "2026年-a_b-填报表.xlsx");
    }

    #[test]
    fn a_long_marker_survives_the_cell_limit() {
        let metrics = (0..400)
            .map(|i| MetricDef {
                code: format!("m.{i}"),
                name: "很长的指标名称".repeat(10),
                unit: "条".into(),
                kind: "count".into(),
                places: 0,
                yearly: false,
            })
            .collect();
        let marker = Marker {
            agency: "局".into(),
            division: "news".into(),
            division_name: "新闻处".into(),
            year: 2026,
            months: vec![1],
            metrics,
            made_at: "2026-12-02 10:00:00".into(),
            made_by: "office".into(),
        };
        let cells = marker.to_cells();
        assert!(cells.len() > 1);
        assert!(cells.iter().all(|c| c.chars().count() <= MARKER_CHUNK));
        assert_eq!(Marker::from_cells(&cells), Some(marker));
    }
}
