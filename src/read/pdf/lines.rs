//! A page's glyphs → its lines of text, as `pdftotext -layout` prints them.
//!
//! Owns: which glyphs make one line (baselines within half the font size, as `pdftotext` has it, top of
//! the page first), their order (left to right), and what stands between two glyphs:
//! nothing (touching, or the small spacing of justified Chinese text), one space (a
//! word space), or two (a gap of an em or more: the next cell of a table row, which
//! [`super::super::text`] splits on). A glyph drawn again on itself (WPS and some
//! editors fake bold by drawing each glyph twice, a hair apart) is kept once.
//! Never: looks at ruling lines or guesses columns across lines; a cell whose text wraps
//! gives a line per line of text, as in `pdftotext` (the report reader joins such label
//! pieces in its `loose` mode).

use super::content::Glyph;

/// A gap of this many ems or more separates cells.
const CELL_GAP: f64 = 0.9;
/// A gap of this many ems or more is a space between words.
const WORD_GAP: f64 = 0.2;
/// Baselines closer than this many ems are one line.
const SAME_LINE: f64 = 0.5;

/// The lines of one page, top to bottom.
pub(super) fn lines(mut glyphs: Vec<Glyph>) -> Vec<String> {
    // A page drawn sideways (a wide table on a portrait page): read the way most of its
    // text runs; glyphs running other ways (a stamp, a margin note) are left out.
    let mut turns = [0usize; 4];
    for g in &glyphs {
        turns[usize::from(g.turn)] += 1;
    }
    let turn = (0..4).max_by_key(|t| (turns[*t], 4 - t)).unwrap_or(0) as u8;
    glyphs.retain(|g| g.turn == turn);
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));

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
    lines.into_iter().map(line_text).collect()
}

fn line_text(mut line: Vec<Glyph>) -> String {
    line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut out = String::new();
    let mut last: Option<Glyph> = None;
    for g in line {
        if let Some(prev) = &last {
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
