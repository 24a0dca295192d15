//! Tables: the model's cells (each at its grid column, spanning rows and columns) as
//! `w:tbl` rows, and column widths that fill the text block.
//!
//! Widths are written three times — `w:tblGrid/w:gridCol`, `w:tblW` and each `w:tcW` —
//! because WPS sizes a table from its grid columns and collapses a table that states only
//! `w:tblW`, while Word honours `w:tcW` under a fixed layout.

use docx_rs::{
    BorderType, HeightRule, Paragraph, TableAlignmentType, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow, TextDirectionType,
    VAlignType, VMergeType, WidthType,
};

use super::{DocxError, TableProblem, style_id, text_run};
use crate::document::{Align, Cell, Table};
use crate::layout::TableRows;
use crate::style::{self, TextRole};

/// Left and right padding inside a cell, twips (1 mm).
const CELL_PADDING: u32 = 57;
/// Border width in eighths of a point (½ pt).
const BORDER_EIGHTHS: usize = 4;

/// One grid position of a row as written.
enum Slot<'a> {
    /// A cell of the model starts here.
    Start(&'a Cell),
    /// A cell from an earlier row covers `span` columns from here (`w:vMerge` continue).
    Continue { span: usize },
    /// Nothing in the model covers this column: an empty cell keeps the grid whole.
    Empty,
}

/// A row's grid positions, each with the column it starts at.
type RowSlots<'a> = Vec<(usize, Slot<'a>)>;

/// What our layout decided about a table (see `Breaks` in the parent module).
#[derive(Default)]
pub(super) struct Layout<'a> {
    /// Our row heights and keeps; `None` leaves rows to size themselves.
    pub rows: Option<&'a TableRows>,
    /// The table begins a page of ours (no caption before it was moved instead).
    pub page_break_before: bool,
}

pub(super) fn table(
    t: &Table,
    text_width: u32,
    index: usize,
    layout: &Layout<'_>,
) -> Result<docx_rs::Table, DocxError> {
    // Slots first: they check the spans that the widths then rely on.
    let slots = slots(t).map_err(|(row, problem)| DocxError::Table {
        table: index,
        row: row + 1,
        problem,
    })?;
    let widths = column_widths(t, text_width).map_err(|problem| DocxError::Table {
        table: index,
        row: 0,
        problem,
    })?;
    let rows = slots
        .iter()
        .enumerate()
        .map(|(r, row)| {
            // Rows our layout keeps with the next: every paragraph of the row keeps with
            // the next, which Word reads as "keep this row with the next".
            let keep = layout
                .rows
                .is_some_and(|l| l.keep_with_next.get(r).copied().unwrap_or(false));
            let cells = row
                .iter()
                .enumerate()
                .map(|(k, (col, slot))| {
                    let first = r == 0 && k == 0 && layout.page_break_before;
                    cell(*col, slot, &widths, keep, first)
                })
                .collect();
            // A row stays on one page (official tables do not break inside a row).
            let row = TableRow::new(cells).cant_split();
            // At least as tall as our layout made it, so that the rows a page holds are
            // ours (Word's and LibreOffice's single-spaced 小四 rows are about 15 pt,
            // ours 21.6 pt: 1.3 em lines and 3 pt padding).
            let height = layout
                .rows
                .and_then(|l| l.heights.get(r))
                .map_or(0.0, |pt| (pt * 20.0).round());
            // Header rows carry `w:hRule="auto"` as the marker that `package` turns into
            // `w:tblHeader` (repeat on every page) and back to `atLeast`: docx-rs cannot
            // write `w:tblHeader`.
            let rule = if r < t.header_rows {
                HeightRule::Auto
            } else {
                HeightRule::AtLeast
            };
            if r < t.header_rows || height > 0.0 {
                row.row_height(height).height_rule(rule)
            } else {
                row
            }
        })
        .collect();

    let mut borders = TableBorders::new();
    for position in [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ] {
        borders = borders.set(
            TableBorder::new(position)
                .border_type(BorderType::Single)
                .size(BORDER_EIGHTHS)
                .color("000000"),
        );
    }
    Ok(docx_rs::Table::new(rows)
        .set_grid(widths.iter().map(|&w| w as usize).collect())
        .width(text_width as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .set_borders(borders)
        .margins(
            TableCellMargins::new()
                .margin_left(CELL_PADDING as usize, WidthType::Dxa)
                .margin_right(CELL_PADDING as usize, WidthType::Dxa),
        ))
}

fn cell(
    col: usize,
    slot: &Slot<'_>,
    widths: &[u32],
    keep_next: bool,
    page_break_before: bool,
) -> TableCell {
    let span = match slot {
        Slot::Start(c) => c.col_span,
        Slot::Continue { span } => *span,
        Slot::Empty => 1,
    };
    let width: u32 = widths[col..col + span].iter().sum();
    let mut tc = TableCell::new()
        .width(width as usize, WidthType::Dxa)
        .vertical_align(VAlignType::Center);
    if span > 1 {
        tc = tc.grid_span(span);
    }
    let mut p = Paragraph::new()
        .style(style_id::TABLE)
        .keep_next(keep_next)
        .page_break_before(page_break_before);
    match slot {
        Slot::Start(c) => {
            p = p.align(match c.align {
                Align::Left => docx_rs::AlignmentType::Left,
                Align::Center => docx_rs::AlignmentType::Center,
                Align::Right => docx_rs::AlignmentType::Right,
            });
            for run in &c.runs {
                p = p.add_run(text_run(run));
            }
            if c.row_span > 1 {
                tc = tc.vertical_merge(VMergeType::Restart);
            }
            if c.vertical {
                // Top to bottom, columns right to left: Word and WPS keep Chinese upright.
                tc = tc.text_direction(TextDirectionType::TbRl);
            }
        }
        Slot::Continue { .. } => tc = tc.vertical_merge(VMergeType::Continue),
        Slot::Empty => {}
    }
    tc.add_paragraph(p)
}

/// For each row, the grid positions in column order. Errors carry the 0-based row.
fn slots(t: &Table) -> Result<Vec<RowSlots<'_>>, (usize, TableProblem)> {
    let columns = t.columns;
    // For each start column: rows still to cover below, and the covered column span.
    let mut below: Vec<Option<(usize, usize)>> = vec![None; columns];
    let mut out = Vec::with_capacity(t.rows.len());
    for (r, row) in t.rows.iter().enumerate() {
        let mut taken = vec![false; columns];
        let mut line: RowSlots<'_> = Vec::with_capacity(columns);
        for col in 0..columns {
            if let Some((left, span)) = below[col] {
                taken[col..col + span].iter_mut().for_each(|t| *t = true);
                line.push((col, Slot::Continue { span }));
                below[col] = (left > 1).then_some((left - 1, span));
            }
        }
        for c in &row.cells {
            if c.col_span == 0 || c.row_span == 0 || c.col + c.col_span > columns {
                return Err((
                    r,
                    TableProblem::CellOutsideGrid {
                        col: c.col,
                        col_span: c.col_span,
                        row_span: c.row_span,
                        columns,
                    },
                ));
            }
            if r + c.row_span > t.rows.len() {
                return Err((
                    r,
                    TableProblem::RowSpanPastEnd {
                        col: c.col,
                        row_span: c.row_span,
                    },
                ));
            }
            let cover = &mut taken[c.col..c.col + c.col_span];
            if cover.iter().any(|t| *t) {
                return Err((r, TableProblem::Overlap { col: c.col }));
            }
            cover.iter_mut().for_each(|t| *t = true);
            if c.row_span > 1 {
                below[c.col] = Some((c.row_span - 1, c.col_span));
            }
            line.push((c.col, Slot::Start(c)));
        }
        for (col, _) in taken.iter().enumerate().filter(|(_, t)| !**t) {
            line.push((col, Slot::Empty));
        }
        line.sort_by_key(|(col, _)| *col);
        out.push(line);
    }
    Ok(out)
}

/// Column widths in twips summing exactly to `total`: from `Table::widths` when the
/// template fixes them, else from the content, in the manner of HTML's automatic table
/// layout — every column gets at least its narrowest sensible width (the longest
/// unbreakable piece, two characters for Chinese), and what is left of the text block
/// goes to the columns in proportion to how much more their longest text would need.
pub fn column_widths(t: &Table, total: u32) -> Result<Vec<u32>, TableProblem> {
    let n = t.columns;
    if n == 0 {
        return Err(TableProblem::NoColumns);
    }
    let weights: Vec<f64> = match &t.widths {
        Some(w) => {
            if w.len() != n {
                return Err(TableProblem::WidthCount {
                    found: w.len(),
                    columns: n,
                });
            }
            if w.iter().any(|x| !x.is_finite() || *x <= 0.0) {
                return Err(TableProblem::BadWidth);
            }
            w.iter().map(|&x| f64::from(x)).collect()
        }
        // Header labels (社会公益组织) may take two lines rather than widen a column of
        // small numbers — but only when the table is too wide with them on one line.
        None => content_widths(t, f64::from(total), false)
            .or_else(|| content_widths(t, f64::from(total), true))
            .unwrap_or_else(|| fit(t, f64::from(total))),
    };
    Ok(distribute(&weights, total))
}

/// Widths when every column can have its widest text (`None` when they cannot).
fn content_widths(t: &Table, total: f64, wrap_headers: bool) -> Option<Vec<f64>> {
    let (_, max) = extents(t, wrap_headers);
    (max.iter().sum::<f64>() <= total).then_some(max)
}

/// Widths between each column's narrowest and widest when not all can be widest.
fn fit(t: &Table, total: f64) -> Vec<f64> {
    let (min, max) = extents(t, true);
    let (sum_min, sum_max): (f64, f64) = (min.iter().sum(), max.iter().sum());
    if sum_min >= total {
        // Not even the narrowest fits: scaled down, the table keeps its proportions.
        return min;
    }
    let share = (total - sum_min) / (sum_max - sum_min);
    min.iter()
        .zip(&max)
        .map(|(lo, hi)| lo + (hi - lo) * share)
        .collect()
}

/// Each column's (narrowest, widest) width in twips, from the cells.
fn extents(t: &Table, wrap_headers: bool) -> (Vec<f64>, Vec<f64>) {
    let em = f64::from(style::size_pt(TextRole::Table)) * 20.0;
    let pad = f64::from(2 * CELL_PADDING) + 30.0;
    let n = t.columns;
    let mut min = vec![em + pad; n];
    let mut max = vec![em + pad; n];
    let mut spanning = Vec::new();
    for (r, cell) in t
        .rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| row.cells.iter().map(move |c| (r, c)))
    {
        let header = r < t.header_rows;
        let (lo, hi) = if cell.vertical {
            (1.2, 1.2)
        } else {
            measure(&cell.text(), header)
        };
        let hi = if header && wrap_headers {
            lo.max(hi / 2.0)
        } else {
            hi
        };
        let (lo, hi) = (lo * em + pad, hi * em + pad);
        if cell.col_span == 1 && cell.col < n {
            min[cell.col] = min[cell.col].max(lo);
            max[cell.col] = max[cell.col].max(hi);
        } else if cell.col < n {
            spanning.push((cell.col, cell.col_span.min(n - cell.col), lo, hi));
        }
    }
    // A spanning cell that needs more than its columns give spreads the lack evenly.
    for (col, span, lo, hi) in spanning {
        for (v, need) in [(&mut min, lo), (&mut max, hi)] {
            let have: f64 = v[col..col + span].iter().sum();
            if have < need {
                let add = (need - have) / span as f64;
                v[col..col + span].iter_mut().for_each(|x| *x += add);
            }
        }
    }
    (min, max)
}

/// (narrowest, widest) width of a text in ems: Chinese characters are one em, ASCII
/// half; Latin words and numbers do not break, Chinese breaks anywhere — but a row label
/// should not stand in a column of two characters (`（三` / `）不` / `予公` / `开`), so
/// it asks for half its length, two to four characters; header labels for two.
fn measure(text: &str, header: bool) -> (f64, f64) {
    let mut widest: f64 = 0.0;
    let mut narrowest: f64 = 0.0;
    for line in text.split('\n') {
        let (mut width, mut word): (f64, f64) = (0.0, 0.0);
        let mut has_cjk = false;
        for c in line.chars() {
            if c.is_ascii() {
                width += 0.5;
                word = if c == ' ' { 0.0 } else { word + 0.5 };
                narrowest = narrowest.max(word);
            } else {
                width += 1.0;
                word = 0.0;
                has_cjk = true;
            }
        }
        if has_cjk {
            let wanted = if header {
                2.0
            } else {
                (width / 2.0).ceil().clamp(2.0, 4.0)
            };
            narrowest = narrowest.max(width.min(wanted));
        }
        widest = widest.max(width);
    }
    (narrowest, widest)
}

/// Scales `weights` to whole twips summing exactly to `total` (largest remainders get
/// the leftover twips).
fn distribute(weights: &[f64], total: u32) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * f64::from(total)).collect();
    let mut out: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut left = total - out.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Row;

    fn table(columns: usize, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            columns,
            header_rows: 1,
            rows: rows.into_iter().map(|cells| Row { cells }).collect(),
            widths: None,
        }
    }

    #[test]
    fn widths_fill_the_block_and_favour_long_text() {
        let t = table(
            3,
            vec![vec![
                Cell::new(
                    0,
                    "信息内容很长很长很长很长很长很长很长很长很长很长很长很长",
                ),
                Cell::new(1, "1"),
                Cell::new(2, "本年制发件数"),
            ]],
        );
        let w = column_widths(&t, 8844).unwrap();
        assert_eq!(w.iter().sum::<u32>(), 8844);
        assert!(w[0] > w[2] && w[2] > w[1], "{w:?}");
    }

    #[test]
    fn given_widths_are_scaled() {
        let mut t = table(2, vec![vec![Cell::new(0, "a"), Cell::new(1, "b")]]);
        t.widths = Some(vec![1.0, 3.0]);
        assert_eq!(column_widths(&t, 8844).unwrap(), vec![2211, 6633]);
        t.widths = Some(vec![1.0]);
        assert_eq!(
            column_widths(&t, 8844),
            Err(TableProblem::WidthCount {
                found: 1,
                columns: 2
            })
        );
    }

    #[test]
    fn bad_spans_are_reported_with_their_row() {
        let mut overlapping = Cell::new(0, "x");
        overlapping.row_span = 2;
        let t = table(
            2,
            vec![
                vec![overlapping, Cell::new(1, "y")],
                vec![Cell::new(0, "z")],
            ],
        );
        assert!(matches!(
            slots(&t),
            Err((1, TableProblem::Overlap { col: 0 }))
        ));
        let mut long = Cell::new(0, "x");
        long.row_span = 3;
        let t = table(1, vec![vec![long]]);
        assert!(matches!(
            slots(&t),
            Err((0, TableProblem::RowSpanPastEnd { .. }))
        ));
    }
}
