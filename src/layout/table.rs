//! Tables (表格): column widths, cell text, row heights and splitting across pages.
//!
//! Column widths follow the content (like HTML's automatic table layout: every column
//! gets at least its widest unbreakable word, the rest of the 156 mm goes where text is
//! longest) unless the table fixes `widths`. Cells wrap their text with the same line
//! breaker as the body; vertical cells stack their characters. A table longer than the
//! page continues on the next with its header rows repeated (marked as artifacts); rows
//! tied together by a merged cell stay on one page when they fit on one.
//!
//! Must never: place anything but the table (the flow owns the page), or reorder cells.

use std::collections::HashSet;
use std::ops::Range;

use super::linebreak::{self, Atom, LineAlign};
use super::{
    BLOCK_HEIGHT, BLOCK_LEFT, BLOCK_TOP, BLOCK_WIDTH, EM_ASCENT, Flow, FontSet, Item, Origin,
    PageStart, Rule, TableRows, TextStyle,
};
use crate::document::{Align, Table};
use crate::style::{self, TextRole};

/// Space between a cell's text and its left and right rules.
const PAD_X: f32 = 4.0;
/// Space between a cell's text and its top and bottom rules.
const PAD_Y: f32 = 3.0;
/// Line pitch inside cells, in em.
const LEAD: f32 = 1.3;
/// Character pitch of vertical text, in em.
const VERTICAL_LEAD: f32 = 1.1;
const OUTER_RULE: f32 = 1.0;
const INNER_RULE: f32 = 0.5;

struct CellBox {
    row: usize,
    col: usize,
    row_span: usize,
    col_span: usize,
    align: Align,
    vertical: bool,
    atoms: Vec<Atom>,
    lines: Vec<Range<usize>>,
}

/// A table measured for the text block; placed by [`TableLayout::place`].
pub(crate) struct TableLayout {
    /// The table's index among the document's blocks.
    block: usize,
    /// Column edges from the block's left edge (`columns + 1` values).
    col_x: Vec<f32>,
    row_h: Vec<f32>,
    header_rows: usize,
    cells: Vec<CellBox>,
    size: f32,
}

impl TableLayout {
    pub(crate) fn new(table: &Table, block: usize, fonts: &FontSet) -> TableLayout {
        let role = TextRole::Table;
        let size = style::size_pt(role);
        let columns = table.columns.max(1);
        let mut cells = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            for (i, cell) in row.cells.iter().enumerate() {
                if cell.col >= columns {
                    continue;
                }
                let mut atoms = Vec::new();
                let origin = Origin::Cell {
                    block,
                    row: r,
                    cell: i,
                };
                for (k, run) in cell.runs.iter().enumerate() {
                    let bold = matches!(run, crate::document::Run::Emphasis { .. });
                    let text = TextStyle::of(role).off_grid().bold(bold);
                    Flow::atoms(fonts, run.as_str(), text, origin, Some(k), &mut atoms);
                }
                cells.push(CellBox {
                    row: r,
                    col: cell.col,
                    row_span: cell.row_span.max(1).min(table.rows.len() - r),
                    col_span: cell.col_span.max(1).min(columns - cell.col),
                    align: cell.align,
                    vertical: cell.vertical,
                    atoms,
                    lines: Vec::new(),
                });
            }
        }
        let widths = match &table.widths {
            Some(w) if w.len() == columns && w.iter().all(|v| *v > 0.0) => {
                let total: f32 = w.iter().sum();
                w.iter().map(|v| v / total * BLOCK_WIDTH).collect()
            }
            _ => auto_widths(&cells, columns, size),
        };
        let mut col_x = vec![0.0];
        for w in &widths {
            col_x.push(col_x.last().copied().unwrap_or(0.0) + w);
        }
        for c in &mut cells {
            if !c.vertical {
                let inner = col_x[c.col + c.col_span] - col_x[c.col] - 2.0 * PAD_X;
                c.lines = linebreak::break_lines(&c.atoms, inner, inner);
            }
        }
        let row_h = row_heights(&cells, table.rows.len(), size);
        TableLayout {
            block,
            col_x,
            row_h,
            header_rows: table.header_rows.min(table.rows.len()),
            cells,
            size,
        }
    }

    fn content_height(&self, c: &CellBox) -> f32 {
        if c.vertical {
            c.atoms.len() as f32 * self.size * VERTICAL_LEAD + 2.0 * PAD_Y
        } else {
            c.lines.len() as f32 * self.size * LEAD + 2.0 * PAD_Y
        }
    }

    fn header_height(&self) -> f32 {
        self.row_h[..self.header_rows].iter().sum()
    }

    /// Body rows in groups that a merged cell ties together.
    fn groups(&self) -> Vec<Range<usize>> {
        self.groups_in(self.header_rows..self.row_h.len(), false)
    }

    /// The groups within `rows`; with `inner`, a cell spanning all of `rows` (table 3's
    /// vertical label) is ignored, so that a group taller than a page splits between its
    /// own sub-groups rather than through a smaller merged cell.
    fn groups_in(&self, rows: Range<usize>, inner: bool) -> Vec<Range<usize>> {
        let mut reach: Vec<usize> = rows.clone().map(|r| r + 1).collect();
        for c in &self.cells {
            if !rows.contains(&c.row) {
                continue;
            }
            let end = (c.row + c.row_span).min(rows.end);
            if inner && c.row == rows.start && end == rows.end {
                continue;
            }
            let k = c.row - rows.start;
            reach[k] = reach[k].max(end);
        }
        let mut groups = Vec::new();
        let mut start = rows.start;
        while start < rows.end {
            let mut end = reach[start - rows.start];
            let mut r = start;
            while r < end {
                end = end.max(reach[r - rows.start]);
                r += 1;
            }
            groups.push(start..end);
            start = end;
        }
        groups
    }

    /// Row heights, and which rows [`TableLayout::plan`] keeps with the next: the header
    /// with the first group, and the rows of each group (or, in a group taller than a
    /// page, of each of its sub-groups) that fits on a page under the header.
    pub(crate) fn rows(&self) -> TableRows {
        let n = self.row_h.len();
        let mut keep = vec![false; n];
        let room = BLOCK_HEIGHT - self.header_height() + 0.01;
        let mut tie = |rows: &Range<usize>| {
            for k in &mut keep[rows.start..rows.end.saturating_sub(1)] {
                *k = true;
            }
        };
        let groups = self.groups();
        // The header stays with the first group, or with the first body row when the two
        // are taller than a page.
        let header_and_first = match groups.first() {
            Some(g) if self.row_h[..g.end].iter().sum::<f32>() <= BLOCK_HEIGHT + 0.01 => g.end,
            _ => (self.header_rows + 1).min(n),
        };
        tie(&(0..header_and_first));
        for g in &groups {
            if self.row_h[g.clone()].iter().sum::<f32>() <= room {
                tie(g);
                continue;
            }
            for sub in self.groups_in(g.clone(), true) {
                if self.row_h[sub.clone()].iter().sum::<f32>() <= room {
                    tie(&sub);
                }
            }
        }
        TableRows {
            heights: self.row_h.clone(),
            keep_with_next: keep,
        }
    }

    /// The height that must fit below a heading that precedes the table.
    pub(crate) fn first_chunk_height(&self) -> f32 {
        let first = self
            .groups()
            .first()
            .map(|g| self.row_h[g.clone()].iter().sum())
            .unwrap_or(0.0);
        (self.header_height() + first).min(BLOCK_HEIGHT)
    }

    /// Which rows go on which page: `(new page before, rows)`; the header rows are part of
    /// the first chunk and repeated at the top of every later one.
    fn plan(&self, mut y: f32) -> Vec<(bool, Range<usize>)> {
        let header = self.header_height();
        let mut chunks: Vec<(bool, Range<usize>)> = Vec::new();
        let mut new_page = false;
        let first_need = self.first_chunk_height();
        if y > 0.0 && y + first_need > BLOCK_HEIGHT + 0.01 {
            new_page = true;
            y = 0.0;
        }
        y += header;
        let mut cur = self.header_rows..self.header_rows;
        for g in self.groups() {
            let gh: f32 = self.row_h[g.clone()].iter().sum();
            if y + gh <= BLOCK_HEIGHT + 0.01 {
                cur.end = g.end;
                y += gh;
                continue;
            }
            if gh <= BLOCK_HEIGHT - header && !cur.is_empty() {
                chunks.push((new_page, std::mem::replace(&mut cur, g.start..g.end)));
                new_page = true;
                y = header + gh;
                continue;
            }
            // The group splits over pages. Start it on a new page when the rest of this
            // one cannot hold the text of the cell that ties it together (table 3's
            // vertical 本年度办理结果), so that text stays in reading order.
            let spanning_need = self
                .cells
                .iter()
                .filter(|c| c.row == g.start && c.row_span > 1)
                .map(|c| self.content_height(c))
                .fold(0.0f32, f32::max);
            if y + spanning_need > BLOCK_HEIGHT + 0.01 && !cur.is_empty() {
                chunks.push((new_page, std::mem::replace(&mut cur, g.start..g.start)));
                new_page = true;
                y = header;
            }
            for sub in self.groups_in(g.clone(), true) {
                let sh: f32 = self.row_h[sub.clone()].iter().sum();
                if y + sh <= BLOCK_HEIGHT + 0.01 {
                    cur.end = sub.end;
                    y += sh;
                    continue;
                }
                if sh <= BLOCK_HEIGHT - header && !cur.is_empty() {
                    chunks.push((new_page, std::mem::replace(&mut cur, sub.start..sub.end)));
                    new_page = true;
                    y = header + sh;
                    continue;
                }
                for r in sub {
                    if y + self.row_h[r] > BLOCK_HEIGHT + 0.01 && !cur.is_empty() {
                        chunks.push((new_page, std::mem::replace(&mut cur, r..r)));
                        new_page = true;
                        y = header;
                    }
                    cur.end = r + 1;
                    y += self.row_h[r];
                }
            }
        }
        chunks.push((new_page, cur));
        chunks
    }

    /// Places the table in the flow, continuing it over as many pages as it needs.
    pub(crate) fn place(&self, flow: &mut Flow) {
        flow.snap();
        let chunks = self.plan(flow.y);
        // A merged cell split over pages gets its text in the first chunk that has room
        // for it (keeping reading order), else where most of it shows.
        let text_chunk = |c: &CellBox| -> usize {
            let rows = c.row..c.row + c.row_span;
            let visible = |k: usize| -> f32 {
                let body = &chunks[k].1;
                let mut h = 0.0;
                for r in rows.clone() {
                    if body.contains(&r) || (k == 0 && r < self.header_rows) {
                        h += self.row_h[r];
                    }
                }
                h
            };
            let need = self.content_height(c);
            (0..chunks.len())
                .find(|&k| visible(k) + 0.01 >= need)
                .unwrap_or_else(|| {
                    (0..chunks.len()).fold(0, |best, k| {
                        if visible(k) > visible(best) + 0.01 {
                            k
                        } else {
                            best
                        }
                    })
                })
        };
        let owners: Vec<usize> = self.cells.iter().map(text_chunk).collect();
        for (k, (new_page, body)) in chunks.iter().enumerate() {
            if *new_page {
                flow.new_page(if k == 0 {
                    PageStart::Block { block: self.block }
                } else {
                    PageStart::Row {
                        block: self.block,
                        row: body.start,
                    }
                });
            }
            let top = flow.y;
            let mut y = top;
            let mut row_top = vec![f32::NAN; self.row_h.len() + 1];
            for (top, h) in row_top.iter_mut().zip(&self.row_h).take(self.header_rows) {
                *top = y;
                y += h;
            }
            for r in body.clone() {
                row_top[r] = y;
                y += self.row_h[r];
            }
            let bottom = y;
            let mut rules = Rules::default();
            for (ci, c) in self.cells.iter().enumerate() {
                let header = c.row < self.header_rows;
                let rows: Vec<usize> = (c.row..c.row + c.row_span)
                    .filter(|r| {
                        if header {
                            *r < self.header_rows
                        } else {
                            body.contains(r)
                        }
                    })
                    .collect();
                let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
                    continue;
                };
                let y0 = row_top[first];
                let y1 = row_top[last] + self.row_h[last];
                let x0 = self.col_x[c.col];
                let x1 = self.col_x[c.col + c.col_span];
                rules.rect(x0, y0, x1, y1);
                if header || owners[ci] == k {
                    self.cell_text(flow, c, x0, y0, x1, y1, header && k > 0);
                }
            }
            for r in rules.finish(self.col_x[self.col_x.len() - 1], top, bottom) {
                flow.items.push(Item::Rule(r));
            }
            flow.y = bottom;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cell_text(
        &self,
        flow: &mut Flow,
        c: &CellBox,
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        artifact: bool,
    ) {
        let size = self.size;
        let h = self.content_height(c) - 2.0 * PAD_Y;
        let text_top = BLOCK_TOP + y0 + ((y1 - y0) - h) / 2.0;
        if c.vertical {
            let pitch = size * VERTICAL_LEAD;
            for (k, a) in c.atoms.iter().enumerate() {
                let mut x = BLOCK_LEFT + (x0 + x1) / 2.0 - a.width / 2.0;
                let mut baseline =
                    text_top + k as f32 * pitch + (pitch - size) / 2.0 + EM_ASCENT * size;
                // In vertical text 、。， sit in the upper right of their square.
                if matches!(a.ch, '、' | '。' | '，' | '．') {
                    x += 0.5 * size;
                    baseline -= 0.5 * size;
                }
                flow.emit_line(&c.atoms, k..k + 1, &[0.0], x, baseline, artifact);
            }
            return;
        }
        let lead = size * LEAD;
        let inner = x1 - x0 - 2.0 * PAD_X;
        let align = match c.align {
            Align::Left => LineAlign::Left,
            Align::Center => LineAlign::Center,
            Align::Right => LineAlign::Right,
        };
        for (k, range) in c.lines.iter().enumerate() {
            let (xs, _) = linebreak::place_line(&c.atoms, range.clone(), inner, align);
            let baseline = text_top + k as f32 * lead + (lead - size) / 2.0 + EM_ASCENT * size;
            flow.emit_line(
                &c.atoms,
                range.clone(),
                &xs,
                BLOCK_LEFT + x0 + PAD_X,
                baseline,
                artifact,
            );
        }
    }
}

/// Content-driven column widths summing to the block width.
fn auto_widths(cells: &[CellBox], columns: usize, size: f32) -> Vec<f32> {
    let floor = size + 2.0 * PAD_X;
    let mut min = vec![floor; columns];
    let mut max = vec![floor; columns];
    let measure = |c: &CellBox| -> (f32, f32) {
        if c.vertical {
            let w = c.atoms.iter().map(|a| a.width).fold(size, f32::max) + 2.0 * PAD_X;
            (w, w)
        } else {
            // At least two characters a line where the text has them: a header cut into
            // one character a line (商/业/企/业) reads badly.
            let natural = linebreak::natural_width(&c.atoms);
            let least = linebreak::widest_unbreakable(&c.atoms).max(natural.min(2.0 * size));
            (least + 2.0 * PAD_X, natural + 2.0 * PAD_X)
        }
    };
    let mut spanning: Vec<&CellBox> = Vec::new();
    for c in cells {
        if c.col_span == 1 {
            let (lo, hi) = measure(c);
            min[c.col] = min[c.col].max(lo);
            max[c.col] = max[c.col].max(hi);
        } else {
            spanning.push(c);
        }
    }
    spanning.sort_by_key(|c| c.col_span);
    for c in spanning {
        let (lo, hi) = measure(c);
        let span = c.col..c.col + c.col_span;
        for (want, have) in [(lo, &mut min), (hi, &mut max)] {
            let sum: f32 = have[span.clone()].iter().sum();
            if want > sum {
                for v in &mut have[span.clone()] {
                    *v += (want - sum) * *v / sum;
                }
            }
        }
        for i in span {
            max[i] = max[i].max(min[i]);
        }
    }
    let (smin, smax): (f32, f32) = (min.iter().sum(), max.iter().sum());
    if smax <= BLOCK_WIDTH {
        max.iter().map(|m| m * BLOCK_WIDTH / smax).collect()
    } else if smin >= BLOCK_WIDTH {
        min.iter().map(|m| m * BLOCK_WIDTH / smin).collect()
    } else {
        let spread = smax - smin;
        min.iter()
            .zip(&max)
            .map(|(lo, hi)| lo + (BLOCK_WIDTH - smin) * (hi - lo) / spread)
            .collect()
    }
}

fn row_heights(cells: &[CellBox], rows: usize, size: f32) -> Vec<f32> {
    let min_row = size * LEAD + 2.0 * PAD_Y;
    let mut h = vec![min_row; rows];
    let content = |c: &CellBox| {
        if c.vertical {
            c.atoms.len() as f32 * size * VERTICAL_LEAD + 2.0 * PAD_Y
        } else {
            c.lines.len() as f32 * size * LEAD + 2.0 * PAD_Y
        }
    };
    for c in cells.iter().filter(|c| c.row_span == 1) {
        h[c.row] = h[c.row].max(content(c));
    }
    let mut spanning: Vec<&CellBox> = cells.iter().filter(|c| c.row_span > 1).collect();
    spanning.sort_by_key(|c| c.row_span);
    for c in spanning {
        let span = c.row..c.row + c.row_span;
        let sum: f32 = h[span.clone()].iter().sum();
        let need = content(c);
        if need > sum {
            let add = (need - sum) / c.row_span as f32;
            for v in &mut h[span] {
                *v += add;
            }
        }
    }
    h
}

/// Grid lines of one page's part of a table, each drawn once; the frame is heavier.
#[derive(Default)]
struct Rules {
    seen: HashSet<(i64, i64, i64, i64)>,
    lines: Vec<(f32, f32, f32, f32)>,
}

impl Rules {
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        for seg in [
            (x0, y0, x1, y0),
            (x0, y1, x1, y1),
            (x0, y0, x0, y1),
            (x1, y0, x1, y1),
        ] {
            let key = |v: f32| (v * 100.0).round() as i64;
            if self
                .seen
                .insert((key(seg.0), key(seg.1), key(seg.2), key(seg.3)))
            {
                self.lines.push(seg);
            }
        }
    }

    fn finish(self, right: f32, top: f32, bottom: f32) -> Vec<Rule> {
        let outer = |(x1, y1, x2, y2): (f32, f32, f32, f32)| {
            let near = |a: f32, b: f32| (a - b).abs() < 0.01;
            (near(x1, x2) && (near(x1, 0.0) || near(x1, right)))
                || (near(y1, y2) && (near(y1, top) || near(y1, bottom)))
        };
        self.lines
            .into_iter()
            .map(|s| Rule {
                x1: BLOCK_LEFT + s.0,
                y1: BLOCK_TOP + s.1,
                x2: BLOCK_LEFT + s.2,
                y2: BLOCK_TOP + s.3,
                width: if outer(s) { OUTER_RULE } else { INNER_RULE },
            })
            .collect()
    }
}
