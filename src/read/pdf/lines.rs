//! A page's glyphs → its lines of text, as `pdftotext -layout` prints them.
//!
//! Owns: which glyphs make one line (baselines within half the font size, as `pdftotext` has it, top of
//! the page first), their order (left to right), and what stands between two glyphs:
//! nothing (touching, or the small spacing of justified Chinese text), one space (a
//! word space), or two (a gap of an em or more: the next cell of a table row, which
//! [`super::super::text`] splits on). A glyph drawn again on itself (WPS and some
//! editors fake bold by drawing each glyph twice, a hair apart) is kept once.
//!
//! Where the page rules its tables (every producer we have seen does: our exporter,
//! LibreOffice and WPS with stroked lines, Word with thin filled rectangles), a line with
//! numbers in it is cut into cells at the vertical rules crossing it, two spaces between
//! cells however close their text, and a value cell that is empty — nothing anywhere in
//! the box its rules make, which is the row's own (as high as the row's first number's,
//! or its label's where the row has no number), right of the row's label — is printed
//! `-`. A line without numbers is printed as before unless it has such a cell. This is where we
//! differ from `pdftotext`, which drops an empty cell and so shifts every value after it
//! one column left (the report reader then cannot tell which column is blank), and
//! which runs the text of narrow neighbouring cells together.
//! Never: guesses columns from text positions alone; a cell whose text wraps gives a
//! line per line of text, as in `pdftotext` (the report reader joins such label pieces
//! in its `loose` mode).

use super::content::{Glyph, Page, Segment, rotate};

/// A gap of this many ems or more separates cells.
const CELL_GAP: f64 = 0.9;
/// A gap of this many ems or more is a space between words.
const WORD_GAP: f64 = 0.2;
/// Baselines closer than this many ems are one line.
const SAME_LINE: f64 = 0.5;

/// Segments within this many points of upright (or level) count as rules.
const RULE_SLACK: f64 = 1.0;
/// Rules shorter than this are not rules (a dash, a tick).
const RULE_MIN: f64 = 2.0;
/// Vertical rules closer than this are one (a double rule, a filled rectangle's edges).
const RULE_SAME: f64 = 1.5;
/// Where a line's text sits above its baseline, in ems: the height rules must cross.
const MID: f64 = 0.3;

/// A vertical rule at `x` from `lo` to `hi`, or a level one at `x` (its y) from `lo`
/// to `hi` (its x extent), in the frame of the page's text.
#[derive(Debug, Clone, Copy)]
struct Rule {
    x: f64,
    lo: f64,
    hi: f64,
}

impl Rule {
    fn spans(&self, v: f64) -> bool {
        self.lo - RULE_SLACK <= v && v <= self.hi + RULE_SLACK
    }
}

/// The page's rules, turned like its text: (vertical, level).
fn rules(segments: &[Segment], turn: u8) -> (Vec<Rule>, Vec<Rule>) {
    let (mut upright, mut level) = (Vec::new(), Vec::new());
    for s in segments {
        let (x0, y0) = rotate(turn, s.from.0, s.from.1);
        let (x1, y1) = rotate(turn, s.to.0, s.to.1);
        let (dx, dy) = ((x1 - x0).abs(), (y1 - y0).abs());
        if dx <= RULE_SLACK && dy >= RULE_MIN {
            upright.push(Rule {
                x: (x0 + x1) / 2.0,
                lo: y0.min(y1),
                hi: y0.max(y1),
            });
        } else if dy <= RULE_SLACK && dx >= RULE_MIN {
            level.push(Rule {
                x: (y0 + y1) / 2.0,
                lo: x0.min(x1),
                hi: x0.max(x1),
            });
        }
    }
    (upright, level)
}

/// The lines of one page, top to bottom.
pub(super) fn lines(page: Page) -> Vec<String> {
    let mut glyphs = page.glyphs;
    // A page drawn sideways (a wide table on a portrait page): read the way most of its
    // text runs; glyphs running other ways (a stamp, a margin note) are left out.
    let mut turns = [0usize; 4];
    for g in &glyphs {
        turns[usize::from(g.turn)] += 1;
    }
    let turn = (0..4).max_by_key(|t| (turns[*t], 4 - t)).unwrap_or(0) as u8;
    glyphs.retain(|g| g.turn == turn);
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let (upright, level) = rules(&page.segments, turn);
    let grid = Grid {
        upright: &upright,
        level: &level,
        centres: glyphs.iter().map(centre).collect(),
    };

    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut baseline = f64::NAN;
    for g in glyphs {
        match lines.last_mut() {
            Some(line) if (baseline - g.y).abs() <= SAME_LINE * g.size.max(line[0].size) => {
                line.push(g)
            }
            _ => {
                baseline = g.y;
                lines.push(vec![g]);
            }
        }
    }
    lines.into_iter().map(|l| grid.line(l)).collect()
}

/// Where a glyph's text sits: the middle of its advance, a little above its baseline.
fn centre(g: &Glyph) -> (f64, f64) {
    ((g.x0 + g.x1) / 2.0, g.y + MID * g.size)
}

/// A page's rules and where its glyphs are, to cut lines into cells.
struct Grid<'a> {
    upright: &'a [Rule],
    level: &'a [Rule],
    centres: Vec<(f64, f64)>,
}

impl Grid<'_> {
    /// A line's text: cut at its rules where it is a table row with numbers (see the
    /// module doc), as `pdftotext` would print it otherwise.
    fn line(&self, mut line: Vec<Glyph>) -> String {
        line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mid = line[0].y + MID * line[0].size;
        let mut xs: Vec<f64> = (self.upright.iter())
            .filter(|r| r.spans(mid))
            .map(|r| r.x)
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup_by(|b, a| *b - *a < RULE_SAME);
        if xs.len() < 2 {
            return line_text(&line);
        }
        // Cells 1..xs.len() are between the rules; 0 and xs.len() left and right of them.
        let mut cells: Vec<&[Glyph]> = Vec::with_capacity(xs.len() + 1);
        let mut rest = line.as_slice();
        for x in &xs {
            let n = rest.partition_point(|g| (g.x0 + g.x1) / 2.0 < *x);
            let (cell, after) = rest.split_at(n);
            cells.push(cell);
            rest = after;
        }
        cells.push(rest);
        let texts: Vec<String> = cells.iter().map(|c| line_text(c)).collect();
        let label = texts.iter().rposition(|t| !t.is_empty() && !is_number(t));
        // The row's box: the rules above and below its first number or, in a row with
        // no number (every value blank), its label.
        let numbers = texts.iter().any(|t| is_number(t));
        let boxed = if numbers {
            (1..xs.len()).find(|i| is_number(&texts[*i]))
        } else {
            label.filter(|l| (1..xs.len()).contains(l))
        };
        let Some(row) = boxed.and_then(|i| self.ruled(xs[i - 1], xs[i], mid)) else {
            return if numbers {
                join(texts)
            } else {
                line_text(&line)
            };
        };
        let blanks: Vec<usize> = (1..xs.len())
            .filter(|i| texts[*i].is_empty() && label.is_none_or(|l| *i > l))
            .filter(|&i| self.blank(xs[i - 1], xs[i], mid, row))
            .collect();
        if !numbers && blanks.is_empty() {
            return line_text(&line);
        }
        let mut out: Vec<String> = Vec::new();
        for (i, text) in texts.into_iter().enumerate() {
            if !text.is_empty() {
                out.push(text);
            } else if blanks.contains(&i) {
                out.push("-".into());
            }
        }
        out.join("  ")
    }

    /// The rules below and above height `mid` nearest to it, across the middle of
    /// `left`..`right`: (bottom, top), if there are both.
    fn ruled(&self, left: f64, right: f64, mid: f64) -> Option<(f64, f64)> {
        let centre = (left + right) / 2.0;
        let (mut bottom, mut top) = (f64::NEG_INFINITY, f64::INFINITY);
        for r in self.level.iter().filter(|r| r.spans(centre)) {
            if r.x > mid {
                top = top.min(r.x);
            } else {
                bottom = bottom.max(r.x);
            }
        }
        (bottom.is_finite() && top.is_finite()).then_some((bottom, top))
    }

    /// Whether the cell from `left` to `right` at height `mid` is a blank cell of the row
    /// whose box is `row`: ruled at the row's heights (not a taller merged cell, such as
    /// a group label continued from the page before), with no glyph anywhere in it.
    fn blank(&self, left: f64, right: f64, mid: f64, row: (f64, f64)) -> bool {
        let Some((bottom, top)) = self.ruled(left, right, mid) else {
            return false;
        };
        (bottom - row.0).abs() < RULE_SAME
            && (top - row.1).abs() < RULE_SAME
            && !(self.centres.iter())
                .any(|(x, y)| left < *x && *x < right && bottom < *y && *y < top)
    }
}

/// Cells' texts, the empty ones left out, two spaces apart.
fn join(texts: Vec<String>) -> String {
    (texts.into_iter())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("  ")
}

/// A cell's text is a number: digits, with thousands commas and a decimal point.
fn is_number(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && (text.chars())
            .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || ",.，．".contains(c))
}

/// The text of glyphs sorted left to right, as `pdftotext -layout` joins them.
fn line_text(line: &[Glyph]) -> String {
    let mut out = String::new();
    let mut last: Option<&Glyph> = None;
    for g in line {
        if let Some(prev) = last {
            let em = prev.size.max(g.size);
            if g.text == prev.text && (g.x0 - prev.x0).abs() < 0.3 * em {
                continue;
            }
            let gap = g.x0 - prev.x1;
            if gap >= CELL_GAP * em {
                out.push_str("  ");
            } else if gap >= WORD_GAP * em {
                out.push(' ');
            }
        }
        out.push_str(&g.text);
        last = Some(g);
    }
    out
}
