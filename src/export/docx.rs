//! DOCX export (Word / WPS): the document model written as an editable WordprocessingML
//! file in the GB/T 9704-2012 layout.
//!
//! Owns: the mapping from [`Document`] to named paragraph styles (正文, 标题, 一级标题 …
//! 落款, 表格, 页码), the A4 section with GB/T 9704 margins and its 22 × 28 document grid,
//! tables (grid column widths, merges, vertical text, repeated header rows) and the
//! `— 1 —` page-number footers, odd pages right and even pages left.
//!
//! Never: reads the store, lays out lines or pages (Word and WPS do that, guided by the
//! document grid), embeds fonts (it names them, per [`FontNames`]), or reads the clock
//! (the created date comes in [`DocxOptions`]).
//!
//! The grid is the one of the official Word templates: 156 mm / 28 characters is a
//! 15.79 pt pitch, so `w:charSpace` is negative (-849/4096 pt) and Word and WPS squeeze
//! each 16 pt character to it (`linesAndChars` adds charSpace to every character's
//! width; ECMA-376 §17.6.5).
//!
//! LibreOffice (7.4) lays the same grid out differently: it snaps each CJK character to
//! whole grid cells, so a character wider than a cell takes two — 14 characters a line
//! and twice the pages. Its cell is `Normal`'s size plus charSpace, the fraction rounded
//! down to twips (15.73 pt; writerfilter `SectionPropertyMap::CloseSectionGroup`), and
//! the width it compares is the glyph advance as the font measures it, which, as tried,
//! follows the character scale `w:w` but not reliably the character spacing `w:spacing`
//! (with spacing, lines of 13 and of 26 characters alternate). So the text on the grid (body,
//! headings, 落款) carries `w:w="98"` ([`PageGeometry::char_scale`]): 15.68 pt glyphs, one
//! cell each, 28 a line in LibreOffice. Word and WPS keep the 22 × 28 grid and still set
//! 28 characters a line (15.68 − 0.21 pt each; justified lines fill the measure); their
//! glyphs are 2% narrower, which no reader sees. Measured on the test fixture: before,
//! LibreOffice set 14 characters a line on 23 pages; after, 27–28 on 14 pages (our own
//! PDF: 15). `w:charSpace="0"` or `w:type="lines"` would give 27 (16 pt
//! characters unsqueezed), not GB/T 9704. Off the grid (`w:snapToGrid="0"`): the 22 pt
//! title, which would take two cells a character, tables and page numbers.
//!
//! LibreOffice draws no text in a vertical (tbRl) cell whose merged rows cross a page
//! break (Word does): table 3's 本年度办理结果 spans its 24 result rows, taller with the
//! header than a page, so no keep-together can save it there.
//!
//! The XML comes from `docx-rs`. Where docx-rs 0.4.22 cannot express something we need,
//! [`package`] patches its output with a few exact string edits, each guarded so a
//! changed docx-rs fails loudly ([`DocxError::UnexpectedXml`]) instead of silently:
//! - `w:firstLineChars` (indent in characters, which follows the document grid) — docx-rs
//!   reads it but its writer drops it;
//! - `w:tblHeader` (repeat header rows on each page) — no writer at all; header rows
//!   carry the height rule `auto` as the marker that is replaced (by `atLeast` and the
//!   header mark);
//! - `w:overflowPunct` off (no hanging punctuation, as in our layout) — no writer; it goes
//!   into the paragraph defaults;
//! - the style `Normal` — docx-rs always writes an empty one; ours (the body text, shown
//!   as 正文 in Chinese Word and WPS) replaces it;
//! - `docProps/core.xml` — docx-rs has no setter for the title and author;
//! - `word/fontTable.xml` — docx-rs lists only Times New Roman, Symbol and Arial; ours
//!   declares the Chinese faces with their GB2312 charset and English alternate names, so
//!   Word on a non-Chinese system still finds FangSong, SimHei, KaiTi, SimSun;
//! - the zip — docx-rs stores its entries uncompressed; they are deflated (the fixture:
//!   212 KB stored, 23 KB deflated).

mod package;
mod table;

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, BreakType, DocGrid, DocGridType, Docx, Footer, LineSpacing, LineSpacingType,
    PageMargin, PageNum, RunFonts, SpecialIndentType, Style, StyleType,
};

use crate::document::{Block, Document, Heading, Paragraph, ParagraphStyle, Run};
use crate::layout::{PageStart, Pagination};
use crate::style::{self, FontNames, TextRole};

pub use table::column_widths;

/// What the DOCX needs besides the document: fonts, the file's properties, and our
/// layout's page breaks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocxOptions {
    /// Font family per role; the defaults exist on a stock Chinese Windows.
    pub fonts: FontNames,
    /// Document property "author" (`dc:creator`): the issuing agency (发文机关).
    pub author: String,
    /// Document property "title" (`dc:title`).
    pub title: String,
    /// Document property "created"; `None` leaves it out.
    pub created: Option<NaiveDate>,
    /// Where our layout (`layout::pagination`, with the fonts the PDF uses) begins each
    /// page and how tall it makes table rows. Empty: Word paginates on its own, guided
    /// only by the styles' keep-with-next. `pipeline::docx_bytes` always fills it.
    pub pagination: Pagination,
}

impl DocxOptions {
    /// Options with the title and the author (the closing block's agency) taken from
    /// the document itself.
    pub fn for_document(doc: &Document) -> DocxOptions {
        DocxOptions {
            title: doc.title.clone(),
            author: doc
                .closing
                .as_ref()
                .map(|c| c.agency.clone())
                .unwrap_or_default(),
            ..DocxOptions::default()
        }
    }
}

/// Why a document could not be written as DOCX.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// A table of the document is malformed (the template built a bad table).
    #[error("报告的第 {table} 个表格{}有误：{problem}（请检查模板中的这个表格）", row_of(*.row))]
    Table {
        /// 1-based position among the document's tables.
        table: usize,
        /// 1-based row; 0 for problems of the whole table.
        row: usize,
        problem: TableProblem,
    },
    /// docx-rs failed to write the package.
    #[error("写 Word 文档时出错（{0}）")]
    Package(#[from] docx_rs::DocxError),
    /// docx-rs produced XML that our post-processing does not recognise (a docx-rs
    /// upgrade changed its output); see the module doc.
    #[error("生成的 Word 文档内容不符合预期（程序错误：未找到 {0}）")]
    UnexpectedXml(&'static str),
}

/// "第 n 行" of a table problem, or nothing for a problem of the whole table (row 0).
fn row_of(row: usize) -> String {
    if row == 0 {
        String::new()
    } else {
        format!("第 {row} 行")
    }
}

/// What is wrong with a table of the document model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableProblem {
    #[error("表格没有列")]
    NoColumns,
    #[error(
        "第 {} 列起跨 {col_span} 列、{row_span} 行的单元格超出了表格的 {columns} 列", .col + 1
    )]
    CellOutsideGrid {
        col: usize,
        col_span: usize,
        row_span: usize,
        columns: usize,
    },
    #[error("第 {} 列的单元格向下跨 {row_span} 行，超出了表格末尾", .col + 1)]
    RowSpanPastEnd { col: usize, row_span: usize },
    #[error("第 {} 列的单元格与另一个单元格重叠", .col + 1)]
    Overlap { col: usize },
    #[error("表格有 {columns} 列，却给了 {found} 个列宽")]
    WidthCount { found: usize, columns: usize },
    #[error("列宽必须是正数")]
    BadWidth,
}

/// Paragraph and character style ids. Names (what the user sees in Word's style list)
/// are Chinese; ids stay ASCII as Word's own are.
pub mod style_id {
    /// 正文: Word's built-in `Normal`, which Chinese Word and WPS display as 正文.
    pub const BODY: &str = "Normal";
    /// 正文 without the first-line indent (notes under tables).
    pub const BODY_NO_INDENT: &str = "BodyNoIndent";
    /// 正文, centred (table captions).
    pub const BODY_CENTERED: &str = "BodyCentered";
    /// 标题: Word's built-in `Title`, which Chinese Word and WPS display as 标题.
    pub const TITLE: &str = "Title";
    /// 一级标题 … 四级标题.
    pub const HEADINGS: [&str; 4] = ["Heading1Cn", "Heading2Cn", "Heading3Cn", "Heading4Cn"];
    /// The character styles of run-in headings (the heading part of a body paragraph).
    pub const HEADING_RUNS: [&str; 4] = [
        "Heading1CnChar",
        "Heading2CnChar",
        "Heading3CnChar",
        "Heading4CnChar",
    ];
    /// 表格: text in table cells.
    pub const TABLE: &str = "TableText";
    /// 落款: agency and date.
    pub const CLOSING: &str = "Closing";
    /// 页码: the footer's page number.
    pub const PAGE_NUMBER: &str = "PageNumber";
}

/// The GB/T 9704 page in twentieths of a point (twips), as written to `w:sectPr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageGeometry {
    pub page_width: u32,
    pub page_height: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
    pub left: u32,
    /// Distance from the page's bottom edge to the footer's bottom.
    pub footer: u32,
    pub header: u32,
    /// 版心 width and height.
    pub text_width: u32,
    pub text_height: u32,
    /// `w:docGrid/@w:linePitch`: text height / 22 lines, rounded down.
    pub line_pitch: u32,
    /// `w:docGrid/@w:charSpace`: the extra per character, in 1/4096 pt, that makes 28
    /// characters of the body size fill a line.
    pub char_space: i32,
    /// `w:w` (character scale, percent) of the text on the grid: the widest scale at
    /// which a body character is not wider than the grid cell as LibreOffice computes
    /// it, so that LibreOffice gives it one cell, not two (see the module doc).
    pub char_scale: u32,
}

impl PageGeometry {
    /// A4 with GB/T 9704 §5.2 margins, from [`style::page`].
    pub fn gbt9704() -> PageGeometry {
        use style::page::*;
        let page_width = twips(WIDTH_MM);
        let page_height = twips(HEIGHT_MM);
        let top = twips(TOP_MM);
        let left = twips(LEFT_MM);
        let text_width = twips(BLOCK_WIDTH_MM);
        let text_height = twips(BLOCK_HEIGHT_MM);
        let bottom_mm = HEIGHT_MM - TOP_MM - BLOCK_HEIGHT_MM;
        // GB/T 9704 §7.5: the page number's dash line sits 7 mm below the text block;
        // the dash is about 2.5 mm above the bottom of a 14 pt footer line.
        let footer = twips(bottom_mm - 7.0 - 2.5);
        let body_pt = f64::from(style::size_pt(TextRole::Body));
        let pitch_pt = f64::from(text_width) / 20.0 / f64::from(CHARS_PER_LINE);
        // Rounded down: Word fits floor(width / pitch) characters, so a pitch a hair
        // too large would give 27.
        let char_space = ((pitch_pt - body_pt) * 4096.0).floor() as i32;
        PageGeometry {
            page_width,
            page_height,
            top,
            left,
            right: page_width - left - text_width,
            bottom: page_height - top - text_height,
            footer,
            header: twips(15.0),
            text_width,
            text_height,
            line_pitch: text_height / LINES,
            char_space,
            char_scale: char_scale(body_char(), char_space),
        }
    }

    /// The grid cell as LibreOffice's DOCX import computes it, in twips: the body size
    /// (`Normal`'s) plus `w:charSpace`, whose whole points it takes from the top 20 bits
    /// and whose 1/4096 pt fraction it rounds down to whole twips
    /// (writerfilter `SectionPropertyMap::CloseSectionGroup`).
    pub fn libreoffice_cell(&self) -> i32 {
        libreoffice_cell(body_char(), self.char_space)
    }
}

fn libreoffice_cell(body_twips: i32, char_space: i32) -> i32 {
    let whole_points = char_space.div_euclid(4096);
    let fraction = char_space.rem_euclid(4096) * 20 / 4095;
    body_twips + whole_points * 20 + fraction
}

/// The largest percentage at which a body character fits LibreOffice's grid cell, with
/// a twip to spare for its conversion of the cell to 1/100 mm.
fn char_scale(body_twips: i32, char_space: i32) -> u32 {
    let cell = libreoffice_cell(body_twips, char_space);
    if cell >= body_twips {
        return 100;
    }
    ((cell - 1) * 100 / body_twips).max(1) as u32
}

fn twips(mm: f32) -> u32 {
    (f64::from(mm) * 1440.0 / 25.4).round() as u32
}

/// Half-points (`w:sz`) of a role's size.
fn half_points(role: TextRole) -> usize {
    (style::size_pt(role) * 2.0).round() as usize
}

/// One character of the body text, in twips (the unit of first-line indents).
fn body_char() -> i32 {
    (style::size_pt(TextRole::Body) * 20.0).round() as i32
}

/// The report as a `.docx` file's bytes.
pub fn docx(doc: &Document, options: &DocxOptions) -> Result<Vec<u8>, DocxError> {
    let geometry = PageGeometry::gbt9704();
    let fonts = &options.fonts;
    let mut out = Docx::new()
        .default_fonts(run_fonts(&fonts.fangsong))
        .default_size(half_points(TextRole::Body))
        .page_size(geometry.page_width, geometry.page_height)
        .page_margin(PageMargin {
            top: geometry.top as i32,
            left: geometry.left as i32,
            bottom: geometry.bottom as i32,
            right: geometry.right as i32,
            header: geometry.header as i32,
            footer: geometry.footer as i32,
            gutter: 0,
        })
        .footer(page_number_footer(Side::Odd))
        .even_footer(page_number_footer(Side::Even));
    for s in styles(fonts) {
        out = out.add_style(s);
    }
    out.document = std::mem::take(&mut out.document).doc_grid(
        DocGrid::new()
            .grid_type(DocGridType::LinesAndChars)
            .line_pitch(geometry.line_pitch as usize)
            .char_space(geometry.char_space as isize),
    );

    out = out.add_paragraph(
        docx_rs::Paragraph::new()
            .style(style_id::TITLE)
            .add_run(text_run(&Run::text(&doc.title))),
    );
    let breaks = Breaks::new(&options.pagination);
    out = body(out, doc, geometry.text_width, &breaks)?;
    if let Some(closing) = &doc.closing {
        // GB/T 9704 §7.3.5: one blank line under the text, then agency and date.
        let space = LineSpacing::new().before(geometry.line_pitch);
        out = out
            .add_paragraph(
                closing_paragraph(&closing.agency)
                    .line_spacing(space)
                    .page_break_before(breaks.closing[0]),
            )
            .add_paragraph(closing_paragraph(&closing.date).page_break_before(breaks.closing[1]));
    }
    package::finish(out, doc, options)
}

/// Our layout's page breaks as the paragraphs and rows that carry them.
///
/// A page our layout begins with a block (heading, paragraph, caption, table) or with
/// the closing gets `w:pageBreakBefore` on that paragraph: a property of the paragraph,
/// which moves with it when a clerk edits the text above, and which adds no page where
/// Word has already broken (unlike a `w:br w:type="page"`). A page that begins inside a
/// paragraph ([`PageStart::Line`]) or inside a table ([`PageStart::Row`]) carries no
/// mark: no paragraph property breaks a paragraph or a table in two, and a hard break
/// there would stay mid-paragraph after any edit. Those pages come out right because
/// the page above ends where ours does (it began where ours did and holds the same
/// lines on the same grid, table rows at least as tall as ours).
struct Breaks<'a> {
    /// Blocks that begin a page.
    blocks: std::collections::HashSet<usize>,
    /// The agency's and the date's line of the closing.
    closing: [bool; 2],
    pagination: &'a Pagination,
}

impl<'a> Breaks<'a> {
    fn new(pagination: &'a Pagination) -> Breaks<'a> {
        let mut breaks = Breaks {
            blocks: Default::default(),
            closing: [false; 2],
            pagination,
        };
        for start in pagination.starts.iter().skip(1) {
            match *start {
                PageStart::Block { block } => {
                    breaks.blocks.insert(block);
                }
                PageStart::Closing { line } if line < 2 => breaks.closing[line] = true,
                PageStart::First
                | PageStart::Closing { .. }
                | PageStart::Line { .. }
                | PageStart::Row { .. } => {}
            }
        }
        breaks
    }

    fn before(&self, block: usize) -> bool {
        self.blocks.contains(&block)
    }
}

/// The blocks of the body: headings, paragraphs (with their run-in headings), tables.
fn body(
    mut out: Docx,
    doc: &Document,
    text_width: u32,
    breaks: &Breaks<'_>,
) -> Result<Docx, DocxError> {
    // Run-in headings waiting for their paragraph, with their block indices.
    let mut run_in: Vec<(usize, &Heading)> = Vec::new();
    let mut tables = 0;
    let mut last_was_table = false;
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading(h) if h.run_in => run_in.push((i, h)),
            Block::Heading(h) => {
                out = flush_run_in(out, &mut run_in, breaks);
                out =
                    out.add_paragraph(heading_paragraph(&[h]).page_break_before(breaks.before(i)));
                last_was_table = false;
            }
            Block::Paragraph(p) => {
                let first = run_in.first().map_or(i, |(b, _)| *b);
                let headings: Vec<&Heading> = run_in.drain(..).map(|(_, h)| h).collect();
                let mut paragraph =
                    body_paragraph(p, &headings).page_break_before(breaks.before(first));
                // A centred paragraph right before a table is its caption: keep them on
                // one page, as our own layout does.
                if p.style == ParagraphStyle::Centered
                    && matches!(doc.blocks.get(i + 1), Some(Block::Table(_)))
                {
                    paragraph = paragraph.keep_next(true).keep_lines(true);
                }
                out = out.add_paragraph(paragraph);
                last_was_table = false;
            }
            Block::Table(t) => {
                out = flush_run_in(out, &mut run_in, breaks);
                if last_was_table {
                    // Word joins tables that touch; keep them apart.
                    out = out.add_paragraph(spacer());
                }
                tables += 1;
                let layout = table::Layout {
                    rows: breaks.pagination.tables.get(&i),
                    page_break_before: breaks.before(i),
                };
                out = out.add_table(table::table(t, text_width, tables, &layout)?);
                last_was_table = true;
            }
        }
    }
    out = flush_run_in(out, &mut run_in, breaks);
    if last_was_table && doc.closing.is_none() {
        // A body must end with a paragraph, else Word adds one of the Normal style.
        out = out.add_paragraph(spacer());
    }
    Ok(out)
}

/// Run-in headings with no paragraph to run into stand as a heading paragraph.
fn flush_run_in(out: Docx, pending: &mut Vec<(usize, &Heading)>, breaks: &Breaks<'_>) -> Docx {
    let Some(&(first, _)) = pending.first() else {
        return out;
    };
    let headings: Vec<&Heading> = pending.drain(..).map(|(_, h)| h).collect();
    out.add_paragraph(heading_paragraph(&headings).page_break_before(breaks.before(first)))
}

fn spacer() -> docx_rs::Paragraph {
    docx_rs::Paragraph::new().style(style_id::BODY_NO_INDENT)
}

fn level_index(level: u8) -> usize {
    usize::from(level.clamp(1, 4)) - 1
}

/// A heading paragraph in the style of the first heading's level (several only when
/// run-in headings had nothing to run into).
fn heading_paragraph(headings: &[&Heading]) -> docx_rs::Paragraph {
    let level = headings.first().map_or(1, |h| h.level);
    let mut p = docx_rs::Paragraph::new().style(style_id::HEADINGS[level_index(level)]);
    for h in headings {
        p = p.add_run(docx_rs::Run::new().add_text(&h.number));
        for run in &h.runs {
            p = p.add_run(text_run(run));
        }
    }
    p
}

/// A body paragraph; run-in headings lead it in their heading font (character style).
fn body_paragraph(paragraph: &Paragraph, run_in: &[&Heading]) -> docx_rs::Paragraph {
    let style = match paragraph.style {
        ParagraphStyle::Body => style_id::BODY,
        ParagraphStyle::Centered => style_id::BODY_CENTERED,
        ParagraphStyle::NoIndent => style_id::BODY_NO_INDENT,
    };
    let mut p = docx_rs::Paragraph::new().style(style);
    for h in run_in {
        let char_style = style_id::HEADING_RUNS[level_index(h.level)];
        p = p.add_run(docx_rs::Run::new().style(char_style).add_text(&h.number));
        for run in &h.runs {
            p = p.add_run(text_run(run).style(char_style));
        }
    }
    for run in &paragraph.runs {
        p = p.add_run(text_run(run));
    }
    p
}

fn closing_paragraph(text: &str) -> docx_rs::Paragraph {
    docx_rs::Paragraph::new()
        .style(style_id::CLOSING)
        .add_run(text_run(&Run::text(text)))
}

/// A run of the model as a Word run: emphasis bold, figures plain text, line breaks
/// inside the text as `w:br`.
pub(crate) fn text_run(run: &Run) -> docx_rs::Run {
    let mut r = docx_rs::Run::new();
    for (i, line) in run.as_str().split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        if !line.is_empty() {
            r = r.add_text(line);
        }
    }
    if matches!(run, Run::Emphasis { .. }) {
        r = r.bold();
    }
    r
}

/// All four font slots: eastAsia for Chinese, ascii/hAnsi so digits and Latin letters
/// share the Chinese face instead of falling back to Times New Roman.
pub(crate) fn run_fonts(family: &str) -> RunFonts {
    RunFonts::new()
        .ascii(family)
        .hi_ansi(family)
        .east_asia(family)
        .cs(family)
}

/// The paragraph and character styles (see [`style_id`]).
fn styles(fonts: &FontNames) -> Vec<Style> {
    let geometry = PageGeometry::gbt9704();
    let indent = Some(SpecialIndentType::FirstLine(2 * body_char()));
    let off_grid = |id: &str, name: &str, role: TextRole| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .fonts(run_fonts(fonts.family(role)))
            .size(half_points(role))
            .snap_to_grid(false)
    };
    // Text on the character grid is scaled to fit LibreOffice's cell (module doc).
    let paragraph = |id: &str, name: &str, role: TextRole| {
        let mut style = Style::new(id, StyleType::Paragraph)
            .name(name)
            .fonts(run_fonts(fonts.family(role)))
            .size(half_points(role));
        style.run_property = style.run_property.stretch(geometry.char_scale as i32);
        style
    };
    let body = |id: &str, name: &str| paragraph(id, name, TextRole::Body);
    let heading_names = ["一级标题", "二级标题", "三级标题", "四级标题"];
    let heading_roles = [
        TextRole::Heading1,
        TextRole::Heading2,
        TextRole::Heading3,
        TextRole::Heading3,
    ];

    let mut out = vec![
        body(style_id::BODY, "Normal")
            .align(AlignmentType::Both)
            .indent(None, indent, None, None),
        body(style_id::BODY_NO_INDENT, "正文无缩进").align(AlignmentType::Both),
        body(style_id::BODY_CENTERED, "正文居中").align(AlignmentType::Center),
        // 22 pt characters do not fit 16 pt grid cells: LibreOffice would give each two
        // cells, spreading the title out.
        off_grid(style_id::TITLE, "Title", TextRole::Title)
            .align(AlignmentType::Center)
            // Each line of the title one line of the grid, as in our layout (single
            // spacing of a 22 pt CJK face is about 32 pt, which cost the first page a
            // line); GB/T 9704 §7.3.3: one blank line between title and text.
            .line_spacing(
                LineSpacing::new()
                    .line(geometry.line_pitch as i32)
                    .line_rule(LineSpacingType::Exact)
                    .after(geometry.line_pitch),
            ),
        off_grid(style_id::TABLE, "表格", TextRole::Table),
        paragraph(style_id::CLOSING, "落款", TextRole::Closing)
            .align(AlignmentType::Right)
            .indent(None, None, Some(2 * body_char()), None),
        off_grid(style_id::PAGE_NUMBER, "页码", TextRole::PageNumber),
    ];
    for i in 0..4 {
        let role = heading_roles[i];
        let mut heading = paragraph(style_id::HEADINGS[i], heading_names[i], role)
            .align(AlignmentType::Both)
            .indent(None, indent, None, None)
            .outline_lvl(i);
        // Our layout moves a heading whole, with room for the next line, to a new page.
        heading.paragraph_property = heading.paragraph_property.keep_next(true).keep_lines(true);
        let mut run = Style::new(style_id::HEADING_RUNS[i], StyleType::Character)
            .name(format!("{}字符", heading_names[i]))
            .fonts(run_fonts(fonts.family(role)));
        // Level 3 is set bold, as is usual (SPEC §4).
        if i == 2 {
            heading = heading.bold();
            run = run.bold();
        }
        out.push(heading);
        out.push(run);
    }
    // Our layout fills every page to its last line: no widow and orphan control, which
    // Word would otherwise apply (LibreOffice's default has it too) and which would move
    // a paragraph's last or first line to another page than ours.
    for style in out
        .iter_mut()
        .filter(|s| s.style_type == StyleType::Paragraph)
    {
        style.paragraph_property =
            std::mem::take(&mut style.paragraph_property).widow_control(false);
    }
    out
}

#[derive(Clone, Copy)]
enum Side {
    Odd,
    Even,
}

/// `— 1 —` in 4号 宋体 with a PAGE field; odd pages right, even pages left, one
/// character in from the text block's edge (GB/T 9704 §7.5).
fn page_number_footer(side: Side) -> Footer {
    let one_char = (style::size_pt(TextRole::PageNumber) * 20.0).round() as i32;
    let p = docx_rs::Paragraph::new().style(style_id::PAGE_NUMBER);
    let p = match side {
        Side::Odd => p
            .align(AlignmentType::Right)
            .indent(None, None, Some(one_char), None),
        Side::Even => p
            .align(AlignmentType::Left)
            .indent(Some(one_char), None, None, None),
    };
    Footer::new().add_paragraph(
        p.add_run(docx_rs::Run::new().add_text("— "))
            .add_page_num(PageNum::new())
            .add_run(docx_rs::Run::new().add_text(" —")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_matches_gbt9704() {
        let g = PageGeometry::gbt9704();
        assert_eq!((g.page_width, g.page_height), (11906, 16838));
        assert_eq!(g.text_width, 8844, "156 mm");
        assert_eq!(g.left + g.text_width + g.right, g.page_width);
        assert_eq!(g.top + g.text_height + g.bottom, g.page_height);
        assert_eq!((g.top, g.left), (2098, 1587));
        assert_eq!(g.text_height / g.line_pitch, 22);
        // 28 characters of 16 pt plus charSpace fit the line, 29 do not.
        let pitch = (16.0 + f64::from(g.char_space) / 4096.0) * 20.0;
        assert_eq!((f64::from(g.text_width) / pitch).floor(), 28.0);
    }

    #[test]
    fn scaled_characters_fit_libreoffices_cell() {
        let g = PageGeometry::gbt9704();
        // -849 = -1 pt + 3247/4096 pt; LibreOffice: 320 - 20 + 15 twips.
        assert_eq!(g.libreoffice_cell(), 315);
        assert_eq!(g.char_scale, 98);
        let glyph = f64::from(body_char()) * f64::from(g.char_scale) / 100.0;
        assert!(glyph < f64::from(g.libreoffice_cell()) - 1.0, "{glyph}");
        // Word and WPS still fit 28 characters (scaled, plus charSpace) on a line.
        let word = glyph + f64::from(g.char_space) / 4096.0 * 20.0;
        assert!(28.0 * word <= f64::from(g.text_width) && 29.0 * word > f64::from(g.text_width));
        // No squeeze, no scale.
        assert_eq!(char_scale(320, 0), 100);
        assert_eq!(char_scale(320, 4096), 100);
    }
}
