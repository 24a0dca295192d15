//! Reading an `.xlsx` defensively, for every reader of Excel files (the import sheet,
//! the collection workbooks): the file opened under a cap with every zip part
//! decompressed once under the cap ([`open`]), then read cell by cell ([`Cells`]) —
//! never as a dense range over the sheet's declared dimension, since one cell at
//! XFD1048576 made calamine allocate 512 GiB and abort — and cell addresses in Excel's
//! `C7` form ([`address`]).
//!
//! What the cells mean is the caller's business; this module only says what is in
//! them. A number is kept as Excel's binary double, and [`CellValue::number_text`] gives
//! its shortest round-trip text (`2354.48`, not `2354.4800000000001`), which is exactly
//! what was typed for any value with up to 15 significant digits.

use std::io::Cursor;
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader, XlsxFormulaMetadata};

use super::{InputError, excerpt, read_capped, read_capped_from};

/// An opened workbook, its bytes in memory (read under the cap).
pub type Book = Xlsx<Cursor<Vec<u8>>>;

/// Opens an `.xlsx` defensively: the file read under `limit`, then every part of the zip
/// decompressed once through [`read_capped_from`] before calamine sees it, so a small
/// file that expands to gigabytes (or whose headers lie about their sizes) is refused
/// with the limit instead of filling memory.
pub fn open(path: &Path, limit: u64, what: &'static str) -> Result<Book, InputError> {
    let bytes = read_capped(path, limit, what)?;
    let not_excel = |detail: &str| InputError::NotExcel(detail.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
        .map_err(|_| not_excel("文件不完整，或不是 xlsx 格式"))?;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|_| not_excel("文件不完整，或压缩数据已损坏"))?;
        let name = excerpt(part.name());
        let too_big = || InputError::PartTooLarge {
            part: name.clone(),
            limit,
            what,
        };
        if part.size() > limit {
            return Err(too_big());
        }
        match read_capped_from(&mut part, limit) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(too_big()),
            Err(_) => return Err(not_excel("压缩数据已损坏")),
        }
    }
    Xlsx::new(Cursor::new(bytes)).map_err(|e| not_excel(&format!("无法打开：{e}")))
}

/// What a cell holds, as stored in the file.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Int(i64),
    /// Excel's binary double.
    Float(f64),
    Bool(bool),
    /// A cell formatted as a date (its day; a time of day is dropped).
    Date(chrono::NaiveDate),
    /// A duration, or a date that is not a calendar day, as calamine renders it.
    Duration(String),
    /// An error value such as `#DIV/0!`.
    Error(String),
}

impl CellValue {
    fn of(data: &DataRef<'_>) -> CellValue {
        match data {
            DataRef::Empty => CellValue::Empty,
            DataRef::String(s) => CellValue::Text(s.clone()),
            DataRef::SharedString(s) => CellValue::Text(s.to_string()),
            DataRef::Int(i) => CellValue::Int(*i),
            DataRef::Float(f) => CellValue::Float(*f),
            DataRef::Bool(b) => CellValue::Bool(*b),
            DataRef::DateTime(d) if d.is_datetime() => {
                let (y, m, day, ..) = d.to_ymd_hms_milli();
                chrono::NaiveDate::from_ymd_opt(y.into(), m.into(), day.into())
                    .map_or_else(|| CellValue::Duration(d.to_string()), CellValue::Date)
            }
            DataRef::DateTime(d) => CellValue::Duration(d.to_string()),
            DataRef::DateTimeIso(s) => s
                .get(..10)
                .and_then(|d| d.parse().ok())
                .map_or_else(|| CellValue::Duration(s.clone()), CellValue::Date),
            DataRef::DurationIso(s) => CellValue::Duration(s.clone()),
            DataRef::Error(e) => CellValue::Error(format!("{e}")),
        }
    }

    /// Empty, or text of nothing but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// A number cell's shortest exact text; `None` for anything else.
    pub fn number_text(&self) -> Option<String> {
        match self {
            CellValue::Int(i) => Some(i.to_string()),
            CellValue::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    /// The cell as text, whatever it holds (numbers by [`CellValue::number_text`]).
    pub fn text(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(t) | CellValue::Duration(t) => t.clone(),
            CellValue::Date(d) => d.to_string(),
            CellValue::Int(_) | CellValue::Float(_) => self.number_text().unwrap_or_default(),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CellValue::Error(e) => e.clone(),
        }
    }

    /// What a cell that is not a number or text is, for a message: `逻辑值 TRUE`, `日期`.
    pub fn describe(&self) -> String {
        match self {
            CellValue::Bool(_) => format!("逻辑值 {}", self.text()),
            CellValue::Date(d) => format!("日期 {d}"),
            CellValue::Duration(_) => "时长".to_string(),
            CellValue::Error(e) => format!("错误值 {e}"),
            CellValue::Empty => "空".to_string(),
            CellValue::Text(_) | CellValue::Int(_) | CellValue::Float(_) => self.text(),
        }
    }
}

/// One cell with content or a formula. `row` and `col` are 0-based.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub row: u32,
    pub col: u32,
    pub value: CellValue,
    /// The formula, when the cell has one (its value is then the cached result, or
    /// [`CellValue::Empty`] when the file has none). A cell that shares the formula of
    /// a cell above it says [`SHARED_FORMULA`].
    pub formula: Option<String>,
}

impl Cell {
    pub fn address(&self) -> String {
        address(self.row, self.col)
    }
}

/// What [`Cell::formula`] says for a cell that shares another cell's formula.
pub const SHARED_FORMULA: &str = "共享公式";

/// A sheet's cells in file order, one at a time; cells with neither content nor a
/// formula are skipped.
///
/// Shared formulas are read as metadata, never expanded: calamine's expanding reader
/// grows a table to the file's `si` index, so `si="999999999999"` would abort the
/// program on allocation.
pub struct Cells<'a> {
    reader: XlsxCellReader<'a, Cursor<Vec<u8>>>,
}

impl<'a> Cells<'a> {
    /// The cells of sheet `name`. The error is calamine's reason, cut for a message.
    pub fn of(book: &'a mut Book, name: &str) -> Result<Cells<'a>, String> {
        let reader = book
            .worksheet_cells_reader(name)
            .map_err(|e| excerpt(&e.to_string()))?;
        Ok(Cells { reader })
    }

    /// The next cell, or `None` at the end of the sheet.
    pub fn next_cell(&mut self) -> Result<Option<Cell>, String> {
        loop {
            let Some(cell) = self
                .reader
                .next_cell_with_formula_metadata()
                .map_err(|e| excerpt(&e.to_string()))?
            else {
                return Ok(None);
            };
            let formula = match cell.formula {
                Some(
                    XlsxFormulaMetadata::Normal { formula }
                    | XlsxFormulaMetadata::Shared { formula, .. },
                ) => Some(formula).filter(|f| !f.is_empty()),
                Some(_) => Some(SHARED_FORMULA.to_string()),
                None => None,
            };
            let value = CellValue::of(&cell.value);
            if value != CellValue::Empty || formula.is_some() {
                let (row, col) = cell.pos;
                return Ok(Some(Cell {
                    row,
                    col,
                    value,
                    formula,
                }));
            }
        }
    }
}

/// The sheet names of a workbook, in order.
pub fn sheet_names(book: &Book) -> Vec<String> {
    book.sheet_names()
}

/// An Excel column letter and row number from 0-based indexes: `(6, 2)` → `C7`.
pub fn address(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_excel_style() {
        assert_eq!(address(6, 2), "C7");
        assert_eq!(address(0, 25), "Z1");
        assert_eq!(address(0, 26), "AA1");
        assert_eq!(address(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn numbers_keep_their_shortest_text() {
        assert_eq!(CellValue::Float(2354.48).number_text().unwrap(), "2354.48");
        assert_eq!(CellValue::Int(17).text(), "17");
        assert!(CellValue::Text("  ".into()).is_blank());
        assert_eq!(CellValue::Bool(true).describe(), "逻辑值 TRUE");
    }
}
