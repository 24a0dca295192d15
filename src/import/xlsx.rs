//! xlsx reading with calamine: the first sheet that has the import header (the first
//! sheet when it has one; otherwise which sheet was read is said in the notices).
//!
//! Read defensively, because an xlsx is a zip of XML that anyone can write:
//! - the file is opened and read cell by cell through [`input::xlsx`] (capped, every zip
//!   part decompressed under the cap, never a dense range); a sheet with content past
//!   [`MAX_ROWS`] rows or [`MAX_COLUMNS`] columns is refused;
//! - a formula is imported only through its cached result (said in the notices, with
//!   the cell); a formula without one (openpyxl saves them so) is refused with its cell,
//!   never read as an empty cell that would clear a stored value.
//!
//! Excel keeps numbers as binary doubles. A numeric cell is turned into text with Rust's
//! shortest round-trip formatting (`2354.48`, not `2354.4800000000001`), which is exactly
//! what was typed for any value with up to 15 significant digits; the text is then parsed
//! like a CSV cell, except that a double with more places than the metric allows is
//! refused as such ([`crate::value::parse_binary`]), never rounded.

use std::path::Path;

use super::{Columns, ImportError, RawRow, RowProblem, Sheet};
use crate::input::xlsx::{self, CellValue, address};
use crate::input::{InputError, MAX_SHEET_BYTES, excerpt};

/// Data rows a sheet may have: far above a real year (40 divisions × 200 metrics × 12
/// months is under 100,000), far below what would exhaust memory.
pub const MAX_ROWS: u32 = 1_000_000;
/// Columns a sheet may use (column AX): the format has six.
pub const MAX_COLUMNS: u32 = 50;

pub fn read(path: &Path) -> Result<Sheet, ImportError> {
    let mut workbook = xlsx::open(path, MAX_SHEET_BYTES, "导入表").map_err(|e| match e {
        InputError::NotExcel(detail) => ImportError::NotExcel(detail),
        e @ InputError::PartTooLarge { .. } => ImportError::Malformed(e.to_string()),
        e => ImportError::Input(e),
    })?;
    let names = xlsx::sheet_names(&workbook);
    let Some(first) = names.first().cloned() else {
        return Err(not_excel("没有工作表"));
    };
    let mut first_error = None;
    for name in &names {
        match read_sheet(&mut workbook, name)? {
            Ok(mut sheet) => {
                if *name != first {
                    sheet.notices.insert(
                        0,
                        RowProblem {
                            row: 0,
                            reason: format!(
                                "第一个工作表“{}”没有导入表头，读取的是工作表“{}”",
                                excerpt(&first),
                                excerpt(name)
                            ),
                        },
                    );
                }
                return Ok(sheet);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if names.len() == 1 => Err(e),
        _ => Err(ImportError::BadHeader(format!(
            "工作表“{}”没有表头 year,month,division,metric,value；文件中的工作表：{}",
            excerpt(&first),
            names
                .iter()
                .map(|n| excerpt(n))
                .collect::<Vec<_>>()
                .join("、")
        ))),
    }
}

fn not_excel(detail: &str) -> ImportError {
    ImportError::NotExcel(detail.to_string())
}

/// One row's cells as text, up to the last used column, and whether the value cell was
/// a binary double.
#[derive(Default)]
struct RowCells {
    row: u32,
    cells: Vec<String>,
    floats: Vec<bool>,
}

/// Reads one sheet cell by cell. The outer error stops the import (unreadable, over the
/// limits); the inner one means "this sheet has no import header".
fn read_sheet(
    workbook: &mut xlsx::Book,
    name: &str,
) -> Result<Result<Sheet, ImportError>, ImportError> {
    let unreadable = |reason: String| {
        ImportError::Malformed(format!("无法读取工作表“{}”：{reason}", excerpt(name)))
    };
    let mut cells = xlsx::Cells::of(workbook, name).map_err(unreadable)?;
    let mut header: Option<Columns> = None;
    let mut sheet = Sheet::default();
    let mut current = RowCells::default();
    loop {
        let cell = cells.next_cell().map_err(unreadable)?;
        let row = cell.as_ref().map(|c| c.row);
        if row != Some(current.row) && !current.cells.is_empty() {
            let done = std::mem::take(&mut current);
            match &header {
                None => match Columns::from_header(&done.cells) {
                    Ok(columns) => header = Some(columns),
                    Err(e) => return Ok(Err(e)),
                },
                Some(columns) => push_row(&mut sheet, columns, done),
            }
        }
        let Some(cell) = cell else { break };
        let (r, c) = (cell.row, cell.col);
        check_limits(name, r, c)?;
        current.row = r;
        let text = cell.value.text();
        if let Some(formula) = &cell.formula
            && header.as_ref().is_some_and(|h| h.uses(c as usize))
        {
            formula_note(&mut sheet, r, c, formula, &text);
        }
        let at = c as usize;
        if current.cells.len() <= at {
            current.cells.resize(at + 1, String::new());
            current.floats.resize(at + 1, false);
        }
        current.floats[at] = matches!(cell.value, CellValue::Float(_));
        current.cells[at] = text;
    }
    match header {
        Some(_) => Ok(Ok(sheet)),
        None => Ok(Err(ImportError::BadHeader(format!(
            "工作表“{}”是空的",
            excerpt(name)
        )))),
    }
}

fn check_limits(sheet: &str, row: u32, col: u32) -> Result<(), ImportError> {
    if row > MAX_ROWS {
        return Err(ImportError::Malformed(format!(
            "工作表“{}”在第 {} 行有内容，超过导入表的上限 {MAX_ROWS} 行；请删除多余的行后再导入",
            excerpt(sheet),
            row + 1
        )));
    }
    if col >= MAX_COLUMNS {
        return Err(ImportError::Malformed(format!(
            "工作表“{}”的单元格 {} 有内容，超过导入表的上限 {MAX_COLUMNS} 列（到 AX 列）；请删除多余的列后再导入",
            excerpt(sheet),
            address(row, col)
        )));
    }
    Ok(())
}

/// A formula in a column the import reads: its cached result is imported (a notice);
/// without one it is refused with its cell.
fn formula_note(sheet: &mut Sheet, row: u32, col: u32, formula: &str, cached: &str) {
    let at = address(row, col);
    let row = row as usize + 1;
    if cached.is_empty() {
        sheet.problems.push(RowProblem {
            row,
            reason: format!("{at} 是公式但没有计算结果：请在 Excel/WPS 中打开并保存后再导入"),
        });
    } else {
        sheet.notices.push(RowProblem {
            row,
            reason: format!(
                "{at} 是公式（={}），导入的是其计算结果“{}”",
                excerpt(formula),
                excerpt(cached)
            ),
        });
    }
}

fn push_row(sheet: &mut Sheet, columns: &Columns, done: RowCells) {
    if done.cells.iter().all(|c| c.trim().is_empty()) {
        return;
    }
    let mut raw: RawRow = columns.row(done.row as usize + 1, &done.cells);
    raw.binary_value = done.floats.get(columns.value).copied().unwrap_or(false);
    sheet.rows.push(raw);
}
