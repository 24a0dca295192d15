//! CSV reading via the `csv` crate. The bytes are decoded on evidence by
//! [`crate::input::decode_text`] (UTF-8 with or without BOM, else clean GB18030, else
//! refused with the line and byte offset; UTF-16/32 named), never guessed into mojibake.
//!
//! Rows are numbered as a spreadsheet shows them: a quoted cell spanning several lines is
//! one row, blank lines count. A quote that is opened and never closed would make the
//! `csv` crate swallow the rest of the file into one cell; it is refused with the row
//! where the quote opened. A row missing some of the header's required columns is
//! refused with its column count (not read as an empty metric or value).

use super::{Columns, ImportError, RowProblem, Sheet};
use crate::input;

/// Decodes the bytes and splits them into raw rows; the first row is the header.
pub fn read(bytes: &[u8]) -> Result<Sheet, ImportError> {
    let text = input::decode_text(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    if let Some(row) = unclosed_quote(&text) {
        return Err(ImportError::Malformed(format!(
            "第 {row} 行的引号（\"）没有闭合：从这里到文件末尾都被当成了一个单元格；请补上闭合的引号后再导入"
        )));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(String::from).collect(),
        Some(Err(e)) => return Err(ImportError::Malformed(e.to_string())),
        None => return Err(ImportError::BadHeader("文件是空的".into())),
    };
    let columns = Columns::from_header(&header)?;
    let mut sheet = Sheet::default();
    // The csv crate skips blank lines without counting them, so count line ends outside
    // quotes up to each record's byte offset, carrying the count forward. A record
    // starts outside quotes, so each stretch between two records can be scanned alone.
    let bytes = text.as_bytes();
    let (mut counted_to, mut row) = (0usize, 1usize);
    for record in records {
        let record = record.map_err(|e| ImportError::Malformed(e.to_string()))?;
        let offset = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        row += row_ends(&bytes[counted_to..offset]);
        counted_to = offset;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // A record's offset may point at the blank lines before it.
        let blank = bytes[offset..]
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .filter(|&&b| b == b'\n')
            .count();
        let cells: Vec<String> = record.iter().map(String::from).collect();
        let at = row + blank;
        if cells.len() < columns.required_len() {
            sheet.problems.push(RowProblem {
                row: at,
                reason: format!("只有 {} 列，应为 {} 列", cells.len(), header.len()),
            });
            continue;
        }
        sheet.rows.push(columns.row(at, &cells));
    }
    Ok(sheet)
}

/// Where a quoted cell is: outside one, at the start of a cell (a quote here opens
/// one), inside one, or just after a quote inside one (closing it, or escaping `""`).
#[derive(Clone, Copy, PartialEq)]
enum Quote {
    CellStart,
    Unquoted,
    Inside,
    InsideAfterMark,
}

/// Walks CSV text as the `csv` crate reads it (RFC 4180: a quote opens a quoted cell only
/// at the start of a cell), calling `on(true)` at each line end outside quotes and
/// `on(false)` where a quoted cell opens. Returns the state at the end.
fn scan(bytes: &[u8], mut on: impl FnMut(bool)) -> Quote {
    let mut state = Quote::CellStart;
    for &b in bytes {
        state = match (state, b) {
            (Quote::CellStart, b'"') => {
                on(false);
                Quote::Inside
            }
            (Quote::Inside, b'"') => Quote::InsideAfterMark,
            (Quote::InsideAfterMark, b'"') => Quote::Inside,
            (Quote::Inside, _) => Quote::Inside,
            (_, b',') => Quote::CellStart,
            (_, b'\n') => {
                on(true);
                Quote::CellStart
            }
            (_, b'\r') => Quote::CellStart,
            _ => Quote::Unquoted,
        };
    }
    state
}

/// Line ends outside quoted cells: rows as a spreadsheet counts them.
fn row_ends(bytes: &[u8]) -> usize {
    let mut n = 0;
    scan(bytes, |row_end| n += usize::from(row_end));
    n
}

/// The row (1-based) where a quote opened that is never closed, if any.
fn unclosed_quote(text: &str) -> Option<usize> {
    let (mut rows, mut opened_row) = (1, 1);
    let end = scan(text.as_bytes(), |row_end| {
        if row_end {
            rows += 1;
        } else {
            opened_row = rows;
        }
    });
    (end == Quote::Inside).then_some(opened_row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_bom_and_gb18030() {
        let utf8 = "\u{feff}year,month,division,metric,value,note\n2019,1,新闻宣传处,news.weibo,\"1,725\",备注\n";
        let rows = read(utf8.as_bytes()).unwrap().rows;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].division, "新闻宣传处");
        assert_eq!(rows[0].value, "1,725");
        assert_eq!(rows[0].note, "备注");
        let (gb, _, _) = encoding_rs::GB18030.encode(utf8.trim_start_matches('\u{feff}'));
        assert_eq!(read(&gb).unwrap().rows, rows);
    }

    #[test]
    fn chinese_headers_and_blank_lines() {
        let text = "年份,月份,处室,指标,数值\n\n2019,2,news,news.weibo,3\n";
        let rows = read(text.as_bytes()).unwrap().rows;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 3);
        assert!(matches!(
            read(b"a,b,c\n1,2,3\n"),
            Err(ImportError::BadHeader(_))
        ));
    }

    #[test]
    fn a_multi_line_note_is_one_row() {
        let text = "year,month,division,metric,value,note\n2019,1,news,a,1,\"two\nlines\"\n\n2019,2,news,a,x,\n";
        let rows = read(text.as_bytes()).unwrap().rows;
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(rows[0].note, "two\nlines");
    }

    #[test]
    fn an_unclosed_quote_names_the_row_it_opened_on() {
        let text = "year,month,division,metric,value,note\n2019,1,news,a,1,ok\n2019,2,news,a,\"1,5\n2019,3,news,a,2,\n";
        let err = read(text.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("第 3 行的引号"), "{err}");
        // A quote inside an unquoted cell is a literal character, as the csv crate reads it.
        let literal = "year,month,division,metric,value,note\n2019,1,news,a,1,12\"3\n";
        assert_eq!(read(literal.as_bytes()).unwrap().rows[0].note, "12\"3");
    }

    #[test]
    fn a_short_row_says_how_many_columns_it_has() {
        let text = "year,month,division,metric,value\n2019,1,news\n";
        let sheet = read(text.as_bytes()).unwrap();
        assert!(sheet.rows.is_empty());
        assert_eq!(sheet.problems[0].row, 2);
        assert_eq!(sheet.problems[0].reason, "只有 3 列，应为 5 列");
    }

    /// Fuzz: arbitrary bytes, and arbitrary text after a valid header, never panic; every
    /// row number read is within the file's lines.
    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                let _ = read(&bytes);
            }

            #[test]
            fn arbitrary_rows_never_panic_and_rows_are_counted_in_range(
                body in "[a-z0-9,\"\r\n ]{0,200}",
            ) {
                let text = format!("year,month,division,metric,value,note\n{body}");
                let lines = 1 + text.matches('\n').count();
                if let Ok(sheet) = read(text.as_bytes()) {
                    for row in sheet.rows.iter().map(|r| r.row).chain(sheet.problems.iter().map(|p| p.row)) {
                        prop_assert!((2..=lines).contains(&row), "row {} of {}", row, lines);
                    }
                }
            }
        }
    }
}
