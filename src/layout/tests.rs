//! What a reader sees on the laid-out page, through [`layout`] alone (not through the
//! flow's helpers, which may change shape): the 禁则 exactly at the 28-character edge of
//! the grid, and table rows that do not fit the rest of a page.

use super::*;
use crate::document::{Cell, Row, Table};

fn fonts() -> &'static FontSet {
    static FONTS: std::sync::OnceLock<FontSet> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| FontSet::bundled().expect("bundled fonts"))
}

/// Pure ideographs, so that each takes exactly one place on the grid.
fn filler(n: usize) -> String {
    "政府信息公开工作年度报告本机关认真组织编制"
        .chars()
        .cycle()
        .take(n)
        .collect()
}

fn body(text: &str) -> Block {
    Block::Paragraph(Paragraph {
        style: ParagraphStyle::Body,
        runs: vec![Run::text(text)],
    })
}

fn document(blocks: Vec<Block>) -> Document {
    Document {
        title: String::new(),
        blocks,
        closing: None,
    }
}

/// One printed line of the document's block `block`: its text and the right edge of its
/// last glyph.
struct Line {
    text: String,
    right: f32,
}

fn lines_of(pages: &[Page], block: usize) -> Vec<Line> {
    let mut lines: Vec<(u32, f32, Line)> = Vec::new();
    for page in pages {
        for run in page.text_runs() {
            if run.source.origin != (Origin::Block { block }) {
                continue;
            }
            let right = run.glyphs.last().map_or(0.0, |g| g.x + g.advance);
            match lines.last_mut() {
                Some((p, baseline, line)) if *p == page.number && *baseline == run.baseline => {
                    line.text.push_str(&run.text());
                    line.right = line.right.max(right);
                }
                _ => lines.push((
                    page.number,
                    run.baseline,
                    Line {
                        text: run.text(),
                        right,
                    },
                )),
            }
        }
    }
    lines.into_iter().map(|(_, _, line)| line).collect()
}

/// The first line holds 26 characters after the two-character indent, the others 28:
/// the paragraph puts `mark` on the first place of line 3 (`at_start`) or on the last
/// place of line 2.
fn paragraph_with_mark_at_the_edge(mark: char, at_start: bool) -> (String, Vec<Line>) {
    let before = if at_start { 26 + 28 } else { 26 + 27 };
    let text = format!("{}{mark}{}。", filler(before), filler(12));
    let pages = layout(&document(vec![body(&text)]), fonts());
    (text, lines_of(&pages, 0))
}

#[test]
fn a_closing_mark_that_falls_on_the_edge_takes_the_last_character_with_it() {
    for mark in "，。、；：？！）》”".chars() {
        let (text, lines) = paragraph_with_mark_at_the_edge(mark, true);
        let got: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(got.concat(), text, "{mark}: no character lost or added");
        assert_eq!(lines.len(), 3, "{mark}: {got:?}");
        assert_eq!(lines[0].text.chars().count(), 26, "{mark}: {got:?}");
        // Line 2 gives up its 28th character, which starts line 3 before the mark.
        assert_eq!(lines[1].text.chars().count(), 27, "{mark}: {got:?}");
        assert_eq!(lines[2].text.chars().nth(1), Some(mark), "{mark}: {got:?}");
    }
}

#[test]
fn an_opening_mark_that_falls_on_the_edge_moves_to_the_next_line() {
    for mark in "（《“".chars() {
        let (text, lines) = paragraph_with_mark_at_the_edge(mark, false);
        let got: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(got.concat(), text, "{mark}: no character lost or added");
        assert_eq!(lines[1].text.chars().count(), 27, "{mark}: {got:?}");
        assert!(lines[2].text.starts_with(mark), "{mark}: {got:?}");
    }
}

#[test]
fn a_line_shortened_by_the_kinsoku_is_still_justified_inside_the_block() {
    let right_edge = BLOCK_LEFT + BLOCK_WIDTH;
    for (mark, at_start) in [('，', true), ('”', true), ('《', false)] {
        let (_, lines) = paragraph_with_mark_at_the_edge(mark, at_start);
        // No hanging punctuation: every line ends inside the block (a 16 pt glyph centred
        // on its 15.79 pt place overhangs it by 0.1 pt; a hanging mark would by a whole
        // character), and a shortened line still reaches the right edge (the slack is
        // spread, not left ragged).
        for line in &lines {
            assert!(line.right <= right_edge + 0.5, "{mark}: {}", line.text);
        }
        assert!(
            (lines[1].right - right_edge).abs() < 0.5,
            "{mark}: line 2 ends at {} of {right_edge}",
            lines[1].right
        );
    }
}

/// A two-column table: a header row and `rows` of (label, text) cells.
fn table(rows: &[(&str, String)], header_rows: usize) -> Block {
    let mut all = vec![Row {
        cells: vec![Cell::new(0, "单位"), Cell::new(1, "情况")],
    }];
    all.extend(rows.iter().map(|(label, text)| Row {
        cells: vec![Cell::new(0, *label), Cell::new(1, text.clone())],
    }));
    Block::Table(Table {
        columns: 2,
        header_rows,
        rows: all,
        widths: Some(vec![1.0, 4.0]),
    })
}

/// `lines` one-line body paragraphs (26 characters after the indent each).
fn filling(lines: usize) -> Vec<Block> {
    (0..lines).map(|_| body(&filler(26))).collect()
}

/// Pages on which the text of table `block`'s row `row` is printed, and whether any of
/// it is marked as a repeated header (an artifact).
fn row_pages(pages: &[Page], block: usize, row: usize) -> Vec<(u32, bool)> {
    let mut seen: Vec<(u32, bool)> = Vec::new();
    for page in pages {
        for run in page.text_runs() {
            if matches!(run.source.origin, Origin::Cell { block: b, row: r, .. } if b == block && r == row)
                && !seen.contains(&(page.number, run.artifact))
            {
                seen.push((page.number, run.artifact));
            }
        }
    }
    seen
}

/// The lowest baseline or rule on `page` but the page number, from the block's top.
fn bottom_of_text(page: &Page) -> f32 {
    page.items
        .iter()
        .filter_map(|item| match item {
            Item::Text(r) if r.source.origin == Origin::PageNumber => None,
            Item::Text(r) => Some(r.baseline),
            Item::Rule(r) => Some(r.y1.max(r.y2)),
        })
        .map(|y| y - BLOCK_TOP)
        .fold(0.0, f32::max)
}

#[test]
fn a_row_taller_than_the_rest_of_the_page_moves_whole_to_the_next_page() {
    // 20 of the page's 22 lines are taken; the header and a one-line row fit below them,
    // a row of several wrapped lines does not.
    let tall = filler(200);
    let mut blocks = filling(20);
    blocks.push(table(&[("办公室", filler(4)), ("法规处", tall)], 1));
    let pages = layout(&document(blocks), fonts());
    assert_eq!(pages.len(), 2);
    assert_eq!(
        row_pages(&pages, 20, 1),
        [(1, false)],
        "the short row stays"
    );
    assert_eq!(
        row_pages(&pages, 20, 2),
        [(2, false)],
        "the tall row is printed whole on page 2"
    );
    // Page 2 starts with the header again, marked so that copying skips it.
    assert_eq!(row_pages(&pages, 20, 0), [(1, false), (2, true)]);
    for page in &pages {
        assert!(bottom_of_text(page) <= BLOCK_HEIGHT, "page {}", page.number);
    }
    // The tall row's text wraps inside its cell: several lines, none past the block.
    let tall_lines: Vec<f32> = pages[1]
        .text_runs()
        .filter(|r| matches!(r.source.origin, Origin::Cell { row: 2, .. }))
        .map(|r| r.baseline)
        .collect();
    assert!(tall_lines.len() >= 5, "{tall_lines:?}");
}

#[test]
fn a_table_whose_first_row_does_not_fit_starts_on_the_next_page() {
    let mut blocks = filling(20);
    blocks.push(table(&[("法规处", filler(200))], 1));
    let pages = layout(&document(blocks), fonts());
    assert_eq!(
        row_pages(&pages, 20, 0),
        [(2, false)],
        "no header alone at the foot of page 1"
    );
    assert_eq!(row_pages(&pages, 20, 1), [(2, false)]);
}

#[test]
fn rows_tied_by_a_merged_cell_move_together() {
    // A label merged down three rows: together they do not fit the rest of page 1, so
    // all three go to page 2 rather than leaving the label's first row behind.
    let mut rows = vec![("办公室", filler(4))];
    rows.extend((0..3).map(|i| ("", filler(40 + i))));
    let Block::Table(mut t) = table(&rows, 1) else {
        unreachable!()
    };
    t.rows[2].cells[0] = Cell {
        row_span: 3,
        ..Cell::new(0, "市场监管")
    };
    for row in &mut t.rows[3..] {
        row.cells.remove(0);
    }
    let mut blocks = filling(19);
    blocks.push(Block::Table(t));
    let pages = layout(&document(blocks), fonts());
    assert_eq!(row_pages(&pages, 19, 1), [(1, false)]);
    for row in 2..=4 {
        assert_eq!(row_pages(&pages, 19, row), [(2, false)], "row {row}");
    }
}

#[test]
fn pagination_tells_what_each_page_begins_with() {
    // A table moved whole (page 2), a paragraph split over pages (page 3), rows tied by
    // a merged cell (kept with each other), a table continued (page 4 or later).
    let mut blocks = filling(20);
    blocks.push(table(&[("法规处", filler(200))], 1));
    blocks.push(body(&filler(28 * 30)));
    let mut rows = vec![("办公室", filler(4))];
    rows.extend((0..3).map(|i| ("", filler(40 + i))));
    rows.extend((0..40).map(|_| ("处", filler(4))));
    let Block::Table(mut t) = table(&rows, 1) else {
        unreachable!()
    };
    t.rows[2].cells[0] = Cell {
        row_span: 3,
        ..Cell::new(0, "市场监管")
    };
    for row in &mut t.rows[3..5] {
        row.cells.remove(0);
    }
    blocks.push(Block::Table(t));
    let doc = document(blocks);
    let pages = layout(&doc, fonts());
    let p = pagination(&doc, fonts());
    assert_eq!(p.starts.len(), pages.len());
    assert_eq!(p.starts[0], PageStart::First);
    assert_eq!(p.starts[1], PageStart::Block { block: 20 });
    assert!(
        matches!(p.starts[2], PageStart::Line { block: 21, .. }),
        "{:?}",
        p.starts
    );
    let continued: Vec<usize> = p
        .starts
        .iter()
        .filter_map(|s| match *s {
            PageStart::Row { block: 22, row } => Some(row),
            _ => None,
        })
        .collect();
    assert!(!continued.is_empty(), "{:?}", p.starts);
    // Each continued row's text is the first of its page but the repeated header.
    for (k, start) in p.starts.iter().enumerate() {
        if let PageStart::Row { block, row } = *start {
            let first = pages[k]
                .text_runs()
                .find(|r| !r.artifact)
                .expect("text on the page");
            assert!(
                matches!(first.source.origin, Origin::Cell { block: b, row: r, .. } if b == block && r == row),
                "page {}: {:?}",
                k + 1,
                first.source
            );
        }
    }
    let rows = &p.tables[&22];
    assert_eq!(rows.heights.len(), 45);
    // The header keeps with the first row; the merged rows 2–4 keep together.
    assert!(rows.keep_with_next[0]);
    assert_eq!(&rows.keep_with_next[2..5], [true, true, false]);
    assert!(!rows.keep_with_next[6]);
}
