//! Reading a returned workbook: every sheet's cells (through [`crate::input::xlsx`]:
//! capped, cell by cell, never a dense range) and the hidden marker. A sheet with more
//! cells than a real return could have is refused; text of nothing but spaces counts as
//! an empty cell.

use std::path::Path;

use super::{MARKER_SHEET, MARKER_TAG, Marker, SheetError};
pub use crate::input::xlsx::{Cell, CellValue};
use crate::input::{self, xlsx};

/// More non-empty cells than this in one sheet is not a collection workbook (40 × 200 ×
/// 13 would be 104,000).
pub const MAX_CELLS: usize = 1_000_000;

/// One worksheet's cells, in the order of the file.
#[derive(Debug, Clone)]
pub struct SheetCells {
    pub name: String,
    pub cells: Vec<Cell>,
}

fn open(path: &Path) -> Result<xlsx::Book, SheetError> {
    xlsx::open(path, input::MAX_SHEET_BYTES, "填报表").map_err(|e| match e {
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
    xlsx::sheet_names(&book)
        .into_iter()
        .map(|name| {
            let cells = sheet_cells(&mut book, path, &name)?;
            Ok(SheetCells { name, cells })
        })
        .collect()
}

/// The cells of one sheet, one at a time; text of nothing but spaces counts as empty.
fn sheet_cells(book: &mut xlsx::Book, path: &Path, name: &str) -> Result<Vec<Cell>, SheetError> {
    let unreadable = |reason: String| SheetError::Unreadable {
        path: path.to_path_buf(),
        reason: format!("工作表“{name}”：{reason}"),
    };
    let mut reader = xlsx::Cells::of(book, name).map_err(unreadable)?;
    let mut out = Vec::new();
    while let Some(mut cell) = reader.next_cell().map_err(unreadable)? {
        if cell.value.is_blank() {
            if cell.formula.is_none() {
                continue;
            }
            cell.value = CellValue::Empty;
        }
        if out.len() == MAX_CELLS {
            return Err(SheetError::TooManyCells {
                path: path.to_path_buf(),
                sheet: name.to_string(),
                limit: MAX_CELLS,
            });
        }
        out.push(cell);
    }
    Ok(out)
}

/// The workbook's marker: `Ok(None)` when it is an xlsx file without one (not ours).
pub fn marker(path: &Path) -> Result<Option<Marker>, SheetError> {
    let mut book = open(path)?;
    if !xlsx::sheet_names(&book).iter().any(|n| n == MARKER_SHEET) {
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
