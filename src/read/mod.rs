//! Reading documents people already have — a report as Word wrote it, a web page saved
//! from a browser, table text copied out of a page or a PDF — into one neutral model: a
//! sequence of [`Block`]s, each a paragraph of text or a [`Table`] of cell texts.
//!
//! Owns: file-type dispatch ([`read_file`]), the limits a document must keep (size,
//! nesting), and the table model with merged cells resolved into a rectangular grid ([`GridBuilder`]).
//! Never: interprets what the text means (that is the caller's, e.g.
//! [`crate::import::report`] for the national tables, or the prose checks), touches the
//! store, or guesses: a cell's text is what the document shows, with whitespace tidied.
//!
//! | reader | input | spans |
//! | --- | --- | --- |
//! | [`docx`] | `.docx` as Word, WPS or our own exporter write it | `w:gridSpan`, `w:vMerge`, `w:gridBefore/After` resolved |
//! | [`html`] | `.html` / `.htm`, any encoding a Chinese site uses | `colspan`, `rowspan` resolved |
//! | [`text`] | `.txt`, cells separated by tabs or runs of 2+ spaces | unknown: rows are as written (see [`Table::spans_known`]) |
//! | [`pdf`] | `.pdf` with a text layer (WPS, Word, LibreOffice, editors, our exporter) | unknown: its lines are rebuilt as `pdftotext -layout` prints them, then read as [`text`] |
//!
//! Text is tidied the same way everywhere: a line break inside a paragraph or cell (Word's
//! `w:br`, HTML's `<br>` and block elements, several paragraphs in one cell) is kept as
//! `\n`; runs of spaces and tabs within a line become one space; lines are trimmed and
//! empty lines dropped. Non-breaking spaces (`&nbsp;`) count as spaces.

pub mod docx;
pub mod html;
pub mod pdf;
pub mod text;

use std::path::Path;

use thiserror::Error;

use crate::input::{EncodingError, InputError, MAX_REPORT_BYTES, read_capped};

/// One block of a document, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph (a heading is a paragraph too). Line breaks inside it are `\n`.
    Paragraph(String),
    Table(Table),
}

/// A table: rows of cells.
///
/// When [`Table::spans_known`] is true (DOCX, HTML) the grid is rectangular: every row
/// has one [`Cell`] per grid column, and a merged cell's text is repeated in every
/// position it covers, those positions marked [`Cell::covered`]. So a label merged down
/// several rows can be read on each of them, while a number spanning several columns is
/// still one number (take only cells that are not covered).
///
/// Text tables (copied from a page or PDF) do not say where merged cells were: rows have
/// the cells as written, a merged cell once, so rows may differ in length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
    pub spans_known: bool,
}

/// One grid position of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The cell's text, tidied (see the module doc); empty for an empty cell.
    pub text: String,
    /// True when this position is covered by a cell that starts above or to the left
    /// (its text is repeated here).
    pub covered: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            covered: false,
        }
    }
}

impl Table {
    /// The rows as plain text, cells joined by tabs (covered positions included), one row
    /// a line: for messages and tests.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
        out
    }
}

/// Why a document could not be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be read, or is larger than any report ([`MAX_REPORT_BYTES`]).
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("不支持的文件类型：{0}（只支持 .docx、.pdf、.html、.htm 和 .txt）")]
    UnsupportedType(String),
    /// The file was read, but what is in it is not a document we can read.
    #[error("{path}：{problem}")]
    Content {
        path: String,
        #[source]
        problem: DocumentError,
    },
}

/// What is wrong with a document's bytes, in plain Chinese (the reader's own errors, such
/// as zip's or quick-xml's, are never shown as they are: they are in English).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    #[error("不是有效的 Word 文档（.docx）：{0}")]
    NotDocx(String),
    #[error(
        "不是有效的 Word 文档（.docx）：其中 {part} 解压后超过 {} MB（一份报告的正文一般不到 1 MB），未读取",
        .limit / (1024 * 1024)
    )]
    PartTooLarge { part: String, limit: u64 },
    #[error("{what}嵌套超过 {limit} 层，不像是一份报告")]
    TooDeep { what: &'static str, limit: usize },
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// Not a PDF, or one too damaged to read; the reason in Chinese.
    #[error("不是有效的 PDF 文件（{0}），未读取；请重新下载或重新导出 PDF，或用原始 Word 文件")]
    NotPdf(String),
    #[error("该 PDF 已加密（设有打开密码），无法读取；请用没有密码的 PDF，或用原始 Word 文件")]
    PdfEncrypted,
    #[error("该 PDF 没有文字层（可能是扫描件），无法读取；请用原始 Word 文件或复制文字")]
    PdfNoText,
    #[error(
        "该 PDF 的文字大多无法还原（所用字体没有文字对照表 ToUnicode），无法读取；请用原始 Word 文件或复制文字"
    )]
    PdfNoUnicode,
    #[error("该 PDF 的{what}超过 {limit}，不像是一份报告，未读取")]
    PdfTooLarge { what: &'static str, limit: usize },
    #[error(
        "网页既不是有效的 UTF-8，也不是它声明（或默认）的 {encoding} 编码：第 {line} 行（第 {offset} 字节）有无效字节 0x{byte:02X}；请在浏览器中重新“另存为”网页后再试，未读取任何内容"
    )]
    PageEncoding {
        encoding: &'static str,
        line: usize,
        offset: usize,
        byte: u8,
    },
}

/// The extensions [`read_file`] reads, lower case.
pub const REPORT_EXTENSIONS: [&str; 5] = ["docx", "pdf", "html", "htm", "txt"];

/// Whether `path` has one of the [`REPORT_EXTENSIONS`] (in any case).
pub fn is_report_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| REPORT_EXTENSIONS.contains(&e.to_string_lossy().to_lowercase().as_str()))
}

/// Reads a `.docx`, `.pdf`, `.html` / `.htm` or `.txt` file by its extension. The file is read
/// whole, but never more than [`MAX_REPORT_BYTES`] of it (nor of any part of a `.docx`).
pub fn read_file(path: &Path) -> Result<Vec<Block>, ReadError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let reader: fn(&[u8]) -> Result<Vec<Block>, DocumentError> = match ext.as_str() {
        "docx" => docx::read,
        "pdf" => pdf::read,
        "html" | "htm" => html::read,
        "txt" => text::read,
        _ => return Err(ReadError::UnsupportedType(path.display().to_string())),
    };
    let bytes = read_capped(path, MAX_REPORT_BYTES, "报告")?;
    reader(&bytes).map_err(|problem| ReadError::Content {
        path: path.display().to_string(),
        problem,
    })
}

/// Tidies text as the module doc says: lines trimmed, inner runs of white space one
/// space, empty lines dropped, lines joined by `\n`.
pub(crate) fn tidy(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let words: Vec<&str> = line.split(is_space).filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&words.join(" "));
    }
    out
}

/// White space within a line: ASCII and Unicode spaces, tabs, `&nbsp;`, the full-width
/// space; zero-width spaces too.
pub(crate) fn is_space(c: char) -> bool {
    (c.is_whitespace() && c != '\n') || matches!(c, '\u{200b}' | '\u{feff}')
}

/// Builds a rectangular grid from rows of cells that may span rows and columns.
///
/// Call [`GridBuilder::row`] for each row, then [`GridBuilder::start`] or
/// [`GridBuilder::cont`] for each cell in order; positions still covered by a cell from
/// a row above are skipped over automatically.
#[derive(Debug, Default)]
pub(crate) struct GridBuilder {
    rows: Vec<Vec<Option<Cell>>>,
    /// For each column, the text and remaining rows of a cell spanning down into it.
    pending: Vec<Option<(String, usize)>>,
    col: usize,
}

impl GridBuilder {
    /// Starts a new row.
    pub fn row(&mut self) {
        self.close_row();
        self.rows.push(Vec::new());
        self.col = 0;
        self.fill_pending();
    }

    /// Skips `n` grid columns of the current row, leaving them empty (`w:gridBefore`).
    pub fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.put(self.col, Cell::default());
            self.col += 1;
            self.fill_pending();
        }
    }

    /// A cell starting here, `col_span` wide and `row_span` (≥ 1) tall.
    pub fn start(&mut self, text: String, col_span: usize, row_span: usize) {
        let (col_span, row_span) = (col_span.clamp(1, 1000), row_span.clamp(1, 10_000));
        for i in 0..col_span {
            let col = self.col + i;
            self.put(
                col,
                Cell {
                    text: text.clone(),
                    covered: i > 0,
                },
            );
            if row_span > 1 {
                if self.pending.len() <= col {
                    self.pending.resize(col + 1, None);
                }
                self.pending[col] = Some((text.clone(), row_span - 1));
            }
        }
        self.col += col_span;
        self.fill_pending();
    }

    /// A cell that continues the cell above it (`w:vMerge` without `restart`): covered,
    /// with the text of the cell above in the same column.
    pub fn cont(&mut self, col_span: usize) {
        let row = self.rows.len();
        for i in 0..col_span.clamp(1, 1000) {
            let col = self.col + i;
            let above = row
                .checked_sub(2)
                .and_then(|r| self.rows[r].get(col).cloned().flatten())
                .map(|c| c.text)
                .unwrap_or_default();
            self.put(
                col,
                Cell {
                    text: above,
                    covered: true,
                },
            );
        }
        self.col += col_span.clamp(1, 1000);
        self.fill_pending();
    }

    /// The grid, rows padded with empty cells to the widest row.
    pub fn finish(mut self) -> Table {
        self.close_row();
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let rows = self
            .rows
            .into_iter()
            .map(|row| {
                let mut row: Vec<Cell> = row.into_iter().map(Option::unwrap_or_default).collect();
                row.resize(width, Cell::default());
                row
            })
            .collect();
        Table {
            rows,
            spans_known: true,
        }
    }

    fn put(&mut self, col: usize, cell: Cell) {
        let Some(row) = self.rows.last_mut() else {
            return;
        };
        if row.len() <= col {
            row.resize(col + 1, None);
        }
        row[col] = Some(cell);
    }

    /// Fills the positions right of the last cell of the current row that cells from
    /// above still cover (a row with fewer cells than the grid).
    fn close_row(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        while self.pending[self.col.min(self.pending.len())..]
            .iter()
            .any(Option::is_some)
        {
            if self.pending.get(self.col).is_some_and(Option::is_some) {
                self.fill_pending();
            } else {
                self.col += 1;
            }
        }
    }

    /// Fills positions at the cursor covered by cells spanning down from above, moving
    /// the cursor past them.
    fn fill_pending(&mut self) {
        while let Some(Some((text, left))) = self.pending.get_mut(self.col) {
            let text = text.clone();
            *left -= 1;
            if *left == 0 {
                self.pending[self.col] = None;
            }
            self.put(
                self.col,
                Cell {
                    text,
                    covered: true,
                },
            );
            self.col += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &Table) -> Vec<Vec<(&str, bool)>> {
        t.rows
            .iter()
            .map(|r| r.iter().map(|c| (c.text.as_str(), c.covered)).collect())
            .collect()
    }

    #[test]
    fn spans_resolve_into_a_rectangle() {
        // | A (2 rows) | B (2 cols)  |
        // |            | c   | d     |
        // | e          | f (2 cols)  |
        let mut g = GridBuilder::default();
        g.row();
        g.start("A".into(), 1, 2);
        g.start("B".into(), 2, 1);
        g.row();
        g.start("c".into(), 1, 1);
        g.start("d".into(), 1, 1);
        g.row();
        g.start("e".into(), 1, 1);
        g.start("f".into(), 2, 1);
        let t = g.finish();
        assert_eq!(
            texts(&t),
            vec![
                vec![("A", false), ("B", false), ("B", true)],
                vec![("A", true), ("c", false), ("d", false)],
                vec![("e", false), ("f", false), ("f", true)],
            ]
        );
    }

    #[test]
    fn a_short_row_still_shows_a_cell_spanning_down_on_its_right() {
        // | a | b | c (2 rows) |
        // | d |                  ← only one cell written
        // | e | f | g |
        let mut g = GridBuilder::default();
        g.row();
        for (t, rows) in [("a", 1), ("b", 1), ("c", 2)] {
            g.start(t.into(), 1, rows);
        }
        g.row();
        g.start("d".into(), 1, 1);
        g.row();
        for t in ["e", "f", "g"] {
            g.start(t.into(), 1, 1);
        }
        let t = g.finish();
        assert_eq!(t.to_text(), "a\tb\tc\nd\t\tc\ne\tf\tg\n");
        assert!(t.rows[1][2].covered && !t.rows[1][1].covered);
    }

    #[test]
    fn word_style_continue_cells_copy_the_text_above() {
        let mut g = GridBuilder::default();
        g.row();
        g.start("组".into(), 1, 1);
        g.start("1".into(), 1, 1);
        g.row();
        g.cont(1);
        g.start("2".into(), 1, 1);
        g.row();
        g.skip(1);
        g.start("3".into(), 1, 1);
        let t = g.finish();
        assert_eq!(
            texts(&t),
            vec![
                vec![("组", false), ("1", false)],
                vec![("组", true), ("2", false)],
                vec![("", false), ("3", false)],
            ]
        );
    }

    #[test]
    fn tidy_keeps_line_breaks_and_collapses_spaces() {
        assert_eq!(tidy("  a \u{a0} b\t c \n\n  d\u{3000} "), "a b c\nd");
    }
}
