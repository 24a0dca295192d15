//! xlsx reading with calamine: the first sheet, first row the header.
//!
//! Excel keeps numbers as binary doubles. A numeric cell is turned into text with Rust's
//! shortest round-trip formatting (`2354.48`, not `2354.4800000000001`), which is exactly
//! what was typed for any value with up to 15 significant digits; the text is then parsed
//! exactly like a CSV cell.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use super::{Columns, ImportError, RawRow};

pub fn read(path: &Path) -> Result<Vec<RawRow>, ImportError> {
    let mut workbook = open_workbook_auto(path)
        .map_err(|e| ImportError::Malformed(format!("无法打开 Excel 文件：{e}")))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ImportError::Malformed("Excel 文件没有工作表".into()))?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| ImportError::Malformed(format!("无法读取工作表“{sheet}”：{e}")))?;
    let mut rows = range.rows();
    let header: Vec<String> = match rows.next() {
        Some(h) => h.iter().map(cell_text).collect(),
        None => return Err(ImportError::BadHeader("工作表是空的".into())),
    };
    let columns = Columns::from_header(&header)?;
    // Rows are numbered as Excel shows them: the range may start below row 1.
    let first_row = range.start().map_or(0, |(r, _)| r as usize) + 1;
    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        let cells: Vec<String> = cells.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.push(columns.row(first_row + i + 1, &cells));
    }
    Ok(out)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
