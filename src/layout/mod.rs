//! Page layout (版式): turns a [`Document`] into finished [`Page`]s per GB/T 9704-2012.
//!
//! This module is the single source of truth for pagination: `export::pdf` draws its
//! pages and the app's preview paints the same pages; nothing else decides where a line
//! or a page breaks. A [`Page`] is plain data in points (origin top-left, y down, as egui
//! draws): positioned glyph runs and rules, like typst's `Frame`. Every glyph run carries
//! a [`Source`] back into the document (block, table cell, run, character offset), so a
//! click in the preview finds the figure and its provenance.
//!
//! The page (SPEC §4): A4, text block 156 × 225 mm at 37 mm from the top and 28 mm from
//! the left; 22 lines of 28 characters of 16 pt body on a fixed line pitch; title 22 pt
//! centred; headings in their own faces; two-character first-line indent; justified lines,
//! the last line of a paragraph not stretched; tables with a full grid; page numbers
//! `— N —` below the block, odd pages right, even pages left.
//!
//! Must never: read the store, format numbers, or draw (no PDF or egui here). Line
//! breaking uses `unicode-linebreak` (UAX #14) with the Chinese 禁则 added on top
//! (`linebreak`); the rest — grid, tables, pagination — is specific to the official
//! layout, and no crate does it without also being a second layout engine.

pub mod fonts;
mod linebreak;
mod table;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;

use crate::document::{Block, Document, Heading, Paragraph, ParagraphStyle, Run};
use crate::style::{self, TextRole};
use linebreak::{Atom, LineAlign};

pub use fonts::{Face, FaceId, FontError, FontSet};

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;
pub const PAGE_WIDTH: f32 = style::page::WIDTH_MM * PT_PER_MM;
pub const PAGE_HEIGHT: f32 = style::page::HEIGHT_MM * PT_PER_MM;
/// Left edge of the text block (版心).
pub const BLOCK_LEFT: f32 = style::page::LEFT_MM * PT_PER_MM;
/// Top edge of the text block.
pub const BLOCK_TOP: f32 = style::page::TOP_MM * PT_PER_MM;
pub const BLOCK_WIDTH: f32 = style::page::BLOCK_WIDTH_MM * PT_PER_MM;
pub const BLOCK_HEIGHT: f32 = style::page::BLOCK_HEIGHT_MM * PT_PER_MM;
/// The fixed line pitch: 22 lines fill the block (≈ 28.99 pt).
pub const LINE_PITCH: f32 = BLOCK_HEIGHT / style::page::LINES as f32;
/// The character pitch of 16 pt body: 28 characters fill a line (≈ 15.79 pt), as Word's
/// and WPS's document grid set it.
pub const CHAR_PITCH: f32 = BLOCK_WIDTH / style::page::CHARS_PER_LINE as f32;
/// Top of a CJK glyph's em box above the baseline, in em (Noto CJK, SimSun, FangSong: 0.88).
pub const EM_ASCENT: f32 = 0.88;
/// GB/T 9704 §7.5: the page number's dashes are 7 mm below the text block.
const PAGE_NUMBER_GAP: f32 = 7.0 * PT_PER_MM;

/// One finished page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// 1-based.
    pub number: u32,
    /// Size in points.
    pub width: f32,
    pub height: f32,
    /// In drawing order, which is also reading order.
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    Text(TextRun),
    Rule(Rule),
}

/// Glyphs on one baseline, of one face, size and source run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextRun {
    /// Baseline, from the page's top edge.
    pub baseline: f32,
    pub size: f32,
    pub face: FaceId,
    /// Synthetic bold (stroked outline): emphasis, level-3 headings, a title without 小标宋.
    pub bold: bool,
    pub role: TextRole,
    /// Not part of the text flow: page numbers and table headers repeated on a later page.
    /// The PDF marks them as artifacts, so copying and searching skip them.
    pub artifact: bool,
    /// Where the first glyph comes from; glyph `i` is `source.offset + i` characters on.
    pub source: Source,
    pub glyphs: Vec<Glyph>,
}

/// One positioned glyph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glyph {
    pub ch: char,
    /// Glyph id in the run's face (the original face, not a subset).
    pub gid: u16,
    /// Left edge of the glyph's advance box, from the page's left edge.
    pub x: f32,
    /// The glyph's advance in points.
    pub advance: f32,
}

/// A straight line: table grid lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
    /// Stroke width in points.
    pub width: f32,
}

/// Which part of the document a piece of text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    Title,
    /// `doc.blocks[block]`: a heading or paragraph.
    Block {
        block: usize,
    },
    /// `doc.blocks[block]` is a table; `rows[row].cells[cell]`.
    Cell {
        block: usize,
        row: usize,
        cell: usize,
    },
    ClosingAgency,
    ClosingDate,
    PageNumber,
}

/// A position in the document: the origin, the run within it, the character offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    pub origin: Origin,
    /// Index into the block's (or cell's) `runs`; `None` for generated text (a heading's
    /// number, the title, the closing block, a page number).
    pub run: Option<usize>,
    /// Character (not byte) offset within that run or text.
    pub offset: usize,
}

/// What a page begins with, as the layout decided it: the page breaks another renderer
/// of the same document (Word, WPS, LibreOffice reading our DOCX) should repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageStart {
    /// The first page (it begins with the title, or whatever comes first).
    First,
    /// `doc.blocks[block]` begins the page: the first line of a heading or paragraph (for
    /// a run-in heading, the heading's block, whose paragraph follows on the same line),
    /// or a table with its first row (a caption kept with its table is the start instead).
    Block { block: usize },
    /// Heading or paragraph `block` continues from the page before: its line `line`
    /// (0-based, of the lines this layout set) is the page's first.
    Line { block: usize, line: usize },
    /// Table `block` continues with body row `row`, under its repeated header rows.
    Row { block: usize, row: usize },
    /// The closing block (落款): line 0 is the agency, 1 the date.
    Closing { line: usize },
}

/// What the layout decided beyond glyph positions, for exporters that hand the text to
/// another layout engine (the DOCX): where each page begins and how the tables' rows are
/// measured and kept together. Computed by [`pagination`] from the same flow as
/// [`layout`]'s pages, so the two cannot disagree.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Pagination {
    /// One per page, in page order; `starts[0]` is [`PageStart::First`].
    pub starts: Vec<PageStart>,
    /// Per table, by block index.
    pub tables: std::collections::BTreeMap<usize, TableRows>,
}

/// A table's rows as laid out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TableRows {
    /// Height of each row in points, its cell padding and text included.
    pub heights: Vec<f32>,
    /// `keep_with_next[r]`: the layout keeps row `r` on the page of row `r + 1` (header
    /// rows with the first body rows, rows a merged cell ties together) when they fit.
    pub keep_with_next: Vec<bool>,
}

/// How a piece of text is set: its role (which face), its size in points, whether it is
/// bold, and whether full-width characters keep the body's 28-a-line grid pitch (body
/// text and headings do; table cells and page numbers use the faces' own advances).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextStyle {
    pub role: TextRole,
    pub size: f32,
    pub bold: bool,
    pub grid: bool,
}

impl TextStyle {
    /// `role` at its GB/T 9704 size, regular, on the grid.
    pub fn of(role: TextRole) -> TextStyle {
        TextStyle {
            role,
            size: style::size_pt(role),
            bold: false,
            grid: true,
        }
    }

    pub fn bold(self, bold: bool) -> TextStyle {
        TextStyle { bold, ..self }
    }

    pub fn off_grid(self) -> TextStyle {
        TextStyle {
            grid: false,
            ..self
        }
    }
}

impl Page {
    pub fn text_runs(&self) -> impl Iterator<Item = &TextRun> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(t) => Some(t),
            Item::Rule(_) => None,
        })
    }
}

impl TextRun {
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
}

/// Lays out a document. Pure function of the document and the fonts.
pub fn layout(doc: &Document, fonts: &FontSet) -> Vec<Page> {
    flow(doc, fonts).0
}

/// Where [`layout`] starts each page, and its tables' rows: for the DOCX, so that Word,
/// WPS and LibreOffice break pages where the PDF does.
pub fn pagination(doc: &Document, fonts: &FontSet) -> Pagination {
    let (pages, starts, tables) = flow(doc, fonts);
    debug_assert_eq!(pages.len(), starts.len());
    Pagination {
        starts,
        tables: tables
            .into_iter()
            .map(|(block, t)| (block, t.rows()))
            .collect(),
    }
}

/// The pages, what each begins with, and the measured tables by block.
fn flow(
    doc: &Document,
    fonts: &FontSet,
) -> (
    Vec<Page>,
    Vec<PageStart>,
    HashMap<usize, table::TableLayout>,
) {
    let mut flow = Flow::new(fonts);
    let tables: HashMap<usize, table::TableLayout> = doc
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Table(t) => Some((i, table::TableLayout::new(t, i, fonts))),
            _ => None,
        })
        .collect();

    // Room the start of block `j` needs on the page of whatever precedes it: a heading is
    // never the last line of a page, and a table's caption stays with the table.
    let keep = |j: usize| -> f32 {
        match doc.blocks.get(j) {
            None => 0.0,
            Some(Block::Table(_)) => tables[&j].first_chunk_height(),
            Some(Block::Paragraph(p))
                if p.style == ParagraphStyle::Centered
                    && matches!(doc.blocks.get(j + 1), Some(Block::Table(_))) =>
            {
                LINE_PITCH + tables[&(j + 1)].first_chunk_height()
            }
            Some(_) => LINE_PITCH,
        }
    };

    flow.title(&doc.title);
    let mut run_in: Vec<Atom> = Vec::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading(h)
                if h.run_in && matches!(doc.blocks.get(i + 1), Some(Block::Paragraph(_))) =>
            {
                run_in.extend(flow.heading_atoms(h, i));
            }
            Block::Heading(h) => {
                let atoms = flow.heading_atoms(h, i);
                flow.paragraph(atoms, 2.0 * CHAR_PITCH, LineAlign::Justify, keep(i + 1));
            }
            Block::Paragraph(p) => {
                let mut atoms = std::mem::take(&mut run_in);
                atoms.extend(flow.paragraph_atoms(p, i));
                let (indent, align, keep_next) = match p.style {
                    ParagraphStyle::Body => (2.0 * CHAR_PITCH, LineAlign::Justify, 0.0),
                    ParagraphStyle::Centered
                        if matches!(doc.blocks.get(i + 1), Some(Block::Table(_))) =>
                    {
                        (0.0, LineAlign::Center, keep(i + 1))
                    }
                    ParagraphStyle::Centered => (0.0, LineAlign::Center, 0.0),
                    ParagraphStyle::NoIndent => (0.0, LineAlign::Justify, 0.0),
                };
                flow.paragraph(atoms, indent, align, keep_next);
            }
            Block::Table(_) => tables[&i].place(&mut flow),
        }
    }
    if let Some(c) = &doc.closing {
        flow.closing(&c.agency, &c.date);
    }
    let (mut pages, starts) = flow.finish();
    for page in &mut pages {
        page_number(page, fonts);
    }
    (pages, starts, tables)
}

/// Running state while filling pages.
pub(crate) struct Flow<'a> {
    fonts: &'a FontSet,
    pages: Vec<Page>,
    /// What each finished page began with.
    starts: Vec<PageStart>,
    /// What the page being filled began with.
    start: PageStart,
    items: Vec<Item>,
    /// Vertical position within the text block, from its top, in points.
    y: f32,
}

const EPS: f32 = 0.01;

impl<'a> Flow<'a> {
    fn new(fonts: &'a FontSet) -> Flow<'a> {
        Flow {
            fonts,
            pages: Vec::new(),
            starts: Vec::new(),
            start: PageStart::First,
            items: Vec::new(),
            y: 0.0,
        }
    }

    /// Finishes the page being filled; the next begins with `next`.
    pub(crate) fn new_page(&mut self, next: PageStart) {
        let number = self.pages.len() as u32 + 1;
        self.starts.push(std::mem::replace(&mut self.start, next));
        self.pages.push(Page {
            number,
            width: PAGE_WIDTH,
            height: PAGE_HEIGHT,
            items: std::mem::take(&mut self.items),
        });
        self.y = 0.0;
    }

    fn finish(mut self) -> (Vec<Page>, Vec<PageStart>) {
        if !self.items.is_empty() || self.pages.is_empty() {
            self.new_page(PageStart::First);
        }
        (self.pages, self.starts)
    }

    /// Moves down to the next grid line (after a table).
    fn snap(&mut self) {
        self.y = ((self.y - EPS) / LINE_PITCH).ceil().max(0.0) * LINE_PITCH;
    }

    fn room(&self) -> f32 {
        BLOCK_HEIGHT - self.y
    }

    /// Character pitch of full-width characters at `size` on the body grid.
    fn grid_pitch(size: f32) -> f32 {
        CHAR_PITCH * size / style::size_pt(TextRole::Body)
    }

    /// Measured atoms for `text` set in `style`; `origin` and `run` say where the text
    /// comes from (see [`Source`]).
    pub(crate) fn atoms(
        fonts: &FontSet,
        text: &str,
        style: TextStyle,
        origin: Origin,
        run: Option<usize>,
        out: &mut Vec<Atom>,
    ) {
        let TextStyle {
            role,
            size,
            bold,
            grid,
        } = style;
        let bold = bold || fonts.synthetic_bold(role);
        for (offset, ch) in text.chars().enumerate() {
            let ch = if ch.is_whitespace() && ch != '\u{3000}' {
                ' '
            } else {
                ch
            };
            let (face, gid) = fonts.resolve(role, ch);
            let advance = fonts.advance_em(face, gid) * size;
            let wide = !ch.is_ascii() && advance >= 0.9 * size;
            let width = if wide && grid {
                Self::grid_pitch(size)
            } else {
                advance
            };
            out.push(Atom {
                ch,
                face,
                gid,
                width,
                advance,
                size,
                bold,
                role,
                source: Source {
                    origin,
                    run,
                    offset,
                },
            });
        }
    }

    fn heading_atoms(&self, h: &Heading, block: usize) -> Vec<Atom> {
        let role = match h.level {
            0 | 1 => TextRole::Heading1,
            2 => TextRole::Heading2,
            _ => TextRole::Heading3,
        };
        let text = TextStyle::of(role).bold(h.level == 3);
        let origin = Origin::Block { block };
        let mut atoms = Vec::new();
        Self::atoms(self.fonts, &h.number, text, origin, None, &mut atoms);
        for (r, run) in h.runs.iter().enumerate() {
            Self::atoms(self.fonts, run.as_str(), text, origin, Some(r), &mut atoms);
        }
        atoms
    }

    fn paragraph_atoms(&self, p: &Paragraph, block: usize) -> Vec<Atom> {
        let body = TextStyle::of(TextRole::Body);
        let origin = Origin::Block { block };
        let mut atoms = Vec::new();
        for (r, run) in p.runs.iter().enumerate() {
            let text = body.bold(matches!(run, Run::Emphasis { .. }));
            Self::atoms(self.fonts, run.as_str(), text, origin, Some(r), &mut atoms);
        }
        atoms
    }

    fn title(&mut self, title: &str) {
        if title.trim().is_empty() {
            return;
        }
        let text = TextStyle::of(TextRole::Title);
        let mut atoms = Vec::new();
        Self::atoms(self.fonts, title, text, Origin::Title, None, &mut atoms);
        self.paragraph(atoms, 0.0, LineAlign::Center, 0.0);
        // GB/T 9704 §7.3.2: one empty line between title and body.
        self.y += LINE_PITCH;
    }

    /// Sets a paragraph on the grid. `keep_next`: room the following block needs on the
    /// same page (a heading is never the last line of a page).
    fn paragraph(&mut self, atoms: Vec<Atom>, indent: f32, align: LineAlign, keep_next: f32) {
        if atoms.is_empty() {
            return;
        }
        self.snap();
        let lines = linebreak::break_lines(&atoms, BLOCK_WIDTH - indent, BLOCK_WIDTH);
        // The block the paragraph's first character comes from (a run-in heading's).
        let block = match atoms[0].source.origin {
            Origin::Block { block } => Some(block),
            _ => None,
        };
        let start = |line: usize| match block {
            Some(block) if line == 0 => PageStart::Block { block },
            Some(block) => PageStart::Line { block, line },
            None => PageStart::First,
        };
        if keep_next > 0.0 {
            let need = lines.len() as f32 * LINE_PITCH + keep_next.min(BLOCK_HEIGHT * 0.75);
            if self.y > 0.0 && need > self.room() + EPS {
                self.new_page(start(0));
            }
        }
        let n = lines.len();
        for (k, range) in lines.into_iter().enumerate() {
            if LINE_PITCH > self.room() + EPS {
                self.new_page(start(k));
            }
            let x0 = if k == 0 { indent } else { 0.0 };
            let room = BLOCK_WIDTH - x0;
            let line_align = match align {
                LineAlign::Justify if k + 1 == n => LineAlign::Left,
                a => a,
            };
            let (xs, _) = linebreak::place_line(&atoms, range.clone(), room, line_align);
            let size = atoms[range.clone()]
                .iter()
                .map(|a| a.size)
                .fold(0.0, f32::max);
            let baseline = BLOCK_TOP + self.y + (LINE_PITCH - size) / 2.0 + EM_ASCENT * size;
            self.emit_line(&atoms, range, &xs, BLOCK_LEFT + x0, baseline, false);
            self.y += LINE_PITCH;
        }
    }

    /// Emits the atoms of one line as text runs (trailing spaces dropped).
    pub(crate) fn emit_line(
        &mut self,
        atoms: &[Atom],
        range: std::ops::Range<usize>,
        xs: &[f32],
        left: f32,
        baseline: f32,
        artifact: bool,
    ) {
        let mut end = range.end;
        while end > range.start && atoms[end - 1].is_space() {
            end -= 1;
        }
        let mut current: Option<TextRun> = None;
        for (j, i) in (range.start..end).enumerate() {
            let a = &atoms[i];
            let glyph = Glyph {
                ch: a.ch,
                gid: a.gid,
                x: left + xs[j] + (a.width - a.advance) / 2.0,
                advance: a.advance,
            };
            let continues = current.as_ref().is_some_and(|r| {
                r.face == a.face
                    && r.size == a.size
                    && r.bold == a.bold
                    && r.role == a.role
                    && r.source.origin == a.source.origin
                    && r.source.run == a.source.run
                    && r.source.offset + r.glyphs.len() == a.source.offset
            });
            if continues {
                if let Some(r) = current.as_mut() {
                    r.glyphs.push(glyph);
                }
            } else {
                if let Some(r) = current.take() {
                    self.items.push(Item::Text(r));
                }
                current = Some(TextRun {
                    baseline,
                    size: a.size,
                    face: a.face,
                    bold: a.bold,
                    role: a.role,
                    artifact,
                    source: a.source,
                    glyphs: vec![glyph],
                });
            }
        }
        if let Some(r) = current {
            self.items.push(Item::Text(r));
        }
    }

    /// 落款 (GB/T 9704 §7.3.5.2, documents without a seal): one empty line below the text;
    /// the agency two characters in from the right; the date on the next line, its first
    /// character two characters right of the agency's first; when the date is the longer,
    /// the date is two characters in and the agency moves left with it.
    fn closing(&mut self, agency: &str, date: &str) {
        self.snap();
        if self.y > 0.0 {
            if 3.0 * LINE_PITCH > self.room() + EPS {
                self.new_page(PageStart::Closing { line: 0 });
            } else {
                self.y += LINE_PITCH;
            }
        }
        let text = TextStyle::of(TextRole::Closing);
        let size = text.size;
        let mut a = Vec::new();
        let mut d = Vec::new();
        Self::atoms(
            self.fonts,
            agency,
            text,
            Origin::ClosingAgency,
            None,
            &mut a,
        );
        Self::atoms(self.fonts, date, text, Origin::ClosingDate, None, &mut d);
        let (aw, dw) = (linebreak::natural_width(&a), linebreak::natural_width(&d));
        let two = 2.0 * CHAR_PITCH;
        let mut ax = BLOCK_WIDTH - two - aw;
        let mut dx = ax + two;
        if dx + dw > BLOCK_WIDTH - two {
            dx = BLOCK_WIDTH - two - dw;
            ax = dx - two;
        }
        for (line, (atoms, x)) in [(a, ax.max(0.0)), (d, dx.max(0.0))].into_iter().enumerate() {
            if atoms.is_empty() {
                continue;
            }
            if LINE_PITCH > self.room() + EPS {
                self.new_page(PageStart::Closing { line });
            }
            let (xs, _) =
                linebreak::place_line(&atoms, 0..atoms.len(), BLOCK_WIDTH - x, LineAlign::Left);
            let baseline = BLOCK_TOP + self.y + (LINE_PITCH - size) / 2.0 + EM_ASCENT * size;
            self.emit_line(&atoms, 0..atoms.len(), &xs, BLOCK_LEFT + x, baseline, false);
            self.y += LINE_PITCH;
        }
    }
}

/// `— N —` in 4号 宋体 (GB/T 9704 §7.5): 7 mm below the block; odd pages flush right one
/// character in, even pages flush left one character in.
fn page_number(page: &mut Page, fonts: &FontSet) {
    let number = TextStyle::of(TextRole::PageNumber).off_grid();
    let size = number.size;
    let text = format!("— {} —", page.number);
    let mut atoms = Vec::new();
    Flow::atoms(fonts, &text, number, Origin::PageNumber, None, &mut atoms);
    let w = linebreak::natural_width(&atoms);
    let (xs, _) = linebreak::place_line(&atoms, 0..atoms.len(), w, LineAlign::Left);
    let left = if page.number % 2 == 1 {
        BLOCK_LEFT + BLOCK_WIDTH - size - w
    } else {
        BLOCK_LEFT + size
    };
    // The dash sits about 0.38 em above the baseline.
    let baseline = BLOCK_TOP + BLOCK_HEIGHT + PAGE_NUMBER_GAP + 0.38 * size;
    let mut flow = Flow::new(fonts);
    flow.emit_line(&atoms, 0..atoms.len(), &xs, left, baseline, true);
    page.items.extend(flow.items);
}
