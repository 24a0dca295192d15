//! Reading a returned workbook's cells, one at a time (calamine's cell reader), never as a
//! dense range over the sheet's declared dimension: a single cell at XFD1048576 must not
//! make us allocate the 17 billion cells in between. The file is read with the sheet
//! size cap of [`crate::input`], and a sheet with more cells than a real return could
//! have is refused.
//!
//! A number comes back as the text of Rust's shortest round-trip formatting of the
//! double Excel stored (`2354.48`, not `2354.4800000000001`), then is parsed exactly like
//! a typed value.

use std::io::Cursor;
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};

use super::{MARKER_SHEET, MARKER_TAG, Marker, SheetError};
use crate::input;

/// More non-empty cells than this in one sheet is not a collection workbook (40 × 200 ×
/// 13 would be 104,000).
pub const MAX_CELLS: usize = 1_000_000;

/// A cell's content as read.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    /// A number, as its shortest exact text.
    Number(String),
    /// A cell formatted as a date (the ledger import reads them; a return refuses them).
    Date(chrono::NaiveDate),
    /// A date, a boolean or an error value (`#DIV/0!`), described.
    Other(String),
}

/// One non-empty cell (or a formula cell, even without a cached value). `row` and `col`
/// are 0-based.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub row: u32,
    pub col: u32,
    pub value: CellValue,
    pub formula: bool,
}

/// One worksheet's cells, in the order of the file.
#[derive(Debug, Clone)]
pub struct SheetCells {
    pub name: String,
    pub cells: Vec<Cell>,
}

fn open(path: &Path) -> Result<Xlsx<Cursor<Vec<u8>>>, SheetError> {
    input::open_xlsx(path, input::MAX_SHEET_BYTES, "填报表").map_err(|e| match e {
        input::InputError::NotExcel(reason) => SheetError::Unreadable {
            path: path.to_path_buf(),
            reason,
        },
        e => SheetError::Input(e),
    })
}

/// Every worksheet's cells, in sheet order.
pub fn cells(path: &Path) -> Result<Vec<SheetCells>, SheetError> {
    let mut book = open(path)?;
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let cells = sheet_cells(&mut book, path, &name)?;
            Ok(SheetCells { name, cells })
        })
        .collect()
}

/// The cells of one sheet, one at a time.
fn sheet_cells(
    book: &mut Xlsx<Cursor<Vec<u8>>>,
    path: &Path,
    name: &str,
) -> Result<Vec<Cell>, SheetError> {
    let unreadable = |e: calamine::XlsxError| SheetError::Unreadable {
        path: path.to_path_buf(),
        reason: format!("工作表“{name}”：{e}"),
    };
    let mut reader = book.worksheet_cells_reader(name).map_err(unreadable)?;
    let mut out = Vec::new();
    while let Some(cell) = reader.next_cell_with_formula().map_err(unreadable)? {
        let value = value_of(&cell.value);
        let formula = cell.formula.is_some_and(|f| !f.is_empty());
        if value == CellValue::Empty && !formula {
            continue;
        }
        if out.len() == MAX_CELLS {
            return Err(SheetError::TooManyCells {
                path: path.to_path_buf(),
                sheet: name.to_string(),
                limit: MAX_CELLS,
            });
        }
        let (row, col) = cell.pos;
        out.push(Cell {
            row,
            col,
            value,
            formula,
        });
    }
    Ok(out)
}

fn value_of(data: &DataRef<'_>) -> CellValue {
    match data {
        DataRef::Empty => CellValue::Empty,
        DataRef::String(s) if s.trim().is_empty() => CellValue::Empty,
        DataRef::SharedString(s) if s.trim().is_empty() => CellValue::Empty,
        DataRef::String(s) => CellValue::Text(s.clone()),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Int(i) => CellValue::Number(i.to_string()),
        DataRef::Float(f) => CellValue::Number(f.to_string()),
        DataRef::Bool(b) => {
            CellValue::Other(format!("逻辑值 {}", if *b { "TRUE" } else { "FALSE" }))
        }
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            chrono::NaiveDate::from_ymd_opt(y.into(), m.into(), d.into())
                .map_or_else(|| CellValue::Other("日期".into()), CellValue::Date)
        }
        DataRef::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| d.parse().ok())
            .map_or_else(|| CellValue::Other("日期".into()), CellValue::Date),
        DataRef::DateTime(_) => CellValue::Other("时长".into()),
        DataRef::DurationIso(_) => CellValue::Other("时长".into()),
        DataRef::Error(e) => CellValue::Other(format!("错误值 {e}")),
    }
}

/// The workbook's marker: `Ok(None)` when it is an xlsx file without one (not ours).
pub fn marker(path: &Path) -> Result<Option<Marker>, SheetError> {
    let mut book = open(path)?;
    if !book.sheet_names().iter().any(|n| n == MARKER_SHEET) {
        return Ok(None);
    }
    Ok(marker_of(&sheet_cells(&mut book, path, MARKER_SHEET)?))
}

/// The marker held in a marker sheet's cells: the tag in A1, the JSON from A2 down.
pub fn marker_of(cells: &[Cell]) -> Option<Marker> {
    let text = |c: &Cell| match &c.value {
        CellValue::Text(t) => Some(t.clone()),
        _ => None,
    };
    let tag = cells
        .iter()
        .find(|c| c.row == 0 && c.col == 0)
        .and_then(text);
    if tag.as_deref() != Some(MARKER_TAG) {
        return None;
    }
    let mut pieces: Vec<(u32, String)> = cells
        .iter()
        .filter(|c| c.col == 0 && c.row > 0)
        .filter_map(|c| Some((c.row, text(c)?)))
        .collect();
    pieces.sort();
    let pieces: Vec<String> = pieces.into_iter().map(|(_, t)| t).collect();
    Marker::from_cells(&pieces)
}
