//! `.txt` → blocks: table text copied out of a web page or a PDF, or our own
//! `export --text`. One line is one paragraph or one table row: a line with a tab has
//! its cells separated by tabs (what browsers and our export write; empty cells kept);
//! otherwise cells are separated by runs of two or more spaces (what PDF text tools
//! write; a full-width space counts as two). A line with one cell is a paragraph;
//! consecutive lines with several cells are one [`Table`], ended by a paragraph or a
//! blank line. Where a merged cell was is not known ([`Table::spans_known`] is false).
//!
//! Decoding on evidence, as for a sheet ([`crate::input::decode_text`]): UTF-8 (with or
//! without BOM), else GB18030 when the whole file is clean GB18030; anything else (UTF-16
//! as Notepad's "Unicode" saves it, or UTF-8 with a bad byte) is refused with what to do,
//! never read as mojibake.
//!
//! Hand-written: splitting lines on tabs and space runs is a few lines; a CSV reader
//! would treat quotes, which copied report text is full of, as syntax.

use super::{Block, Cell, DocumentError, Table, tidy};

/// Reads report text; fails only on bytes that are not text (see the module doc).
pub fn read(bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    Ok(blocks(&crate::input::decode_text(bytes)?))
}

/// The blocks of decoded text, line by line as the module doc says (also the last step
/// of [`super::pdf`], which rebuilds a PDF's lines in this shape).
pub(super) fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut table: Vec<Vec<Cell>> = Vec::new();
    let end_table = |table: &mut Vec<Vec<Cell>>, blocks: &mut Vec<Block>| {
        if !table.is_empty() {
            blocks.push(Block::Table(Table {
                rows: std::mem::take(table),
                spans_known: false,
            }));
        }
    };
    for line in text.lines() {
        let cells = split(line);
        match cells.len() {
            0 => end_table(&mut table, &mut blocks),
            1 => {
                end_table(&mut table, &mut blocks);
                blocks.push(Block::Paragraph(
                    cells.into_iter().next().unwrap_or_default(),
                ));
            }
            _ => table.push(cells.into_iter().map(Cell::new).collect()),
        }
    }
    end_table(&mut table, &mut blocks);
    blocks
}

/// A line's cells, tidied; empty for a blank line.
fn split(line: &str) -> Vec<String> {
    if line.trim_matches(super::is_space).is_empty() {
        return Vec::new();
    }
    if line.contains('\t') {
        return line.split('\t').map(tidy).collect();
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut gap = 0;
    for c in line.trim_matches(super::is_space).chars() {
        if super::is_space(c) {
            gap += if c == '\u{3000}' { 2 } else { 1 };
            continue;
        }
        if gap >= 2 {
            cells.push(tidy(&std::mem::take(&mut cell)));
        } else if gap == 1 {
            cell.push(' ');
        }
        gap = 0;
        cell.push(c);
    }
    cells.push(tidy(&cell));
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_spaces_paragraphs_and_blank_lines() {
        let text = "\u{feff}标题\n规章\t1\t\t1\n行政许可  3318\n\n行政处罚　44 0\n尾声 一句\n";
        let b = read(text.as_bytes()).unwrap();
        assert_eq!(b.len(), 4, "{b:?}");
        assert_eq!(b[0], Block::Paragraph("标题".into()));
        let Block::Table(t) = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(t.to_text(), "规章\t1\t\t1\n行政许可\t3318\n");
        assert!(!t.spans_known);
        let Block::Table(t) = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!(t.to_text(), "行政处罚\t44 0\n");
        assert_eq!(b[3], Block::Paragraph("尾声 一句".into()));
    }

    #[test]
    fn gb18030_and_empty_cells_kept() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("3.其他\t\t\r\n");
        let b = read(&bytes).unwrap();
        let Block::Table(t) = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(t.rows[0].len(), 3);
        assert_eq!(t.rows[0][0].text, "3.其他");
    }
}
