//! 预览: the draft's pages on screen, painted from the very [`Page`]s `layout` gives the
//! PDF — same line breaks, same pages — never a second layout.
//!
//! [`PreviewModel::build`] lays a document out once (it runs in the compile job, off the
//! UI thread) and keeps, beside the pages, hit boxes in points: every line of a block and
//! every figure, so a click finds the paragraph and a hover finds the figure and its
//! provenance. [`PreviewView`] paints the model each frame: a white sheet with a shadow
//! per page, the rules as lines, and each glyph at its layout position scaled to the
//! panel; only pages in view are painted.
//!
//! Faces: the preview draws with the layout's own faces. [`PreviewFonts`] hands the
//! [`FontSet`]'s font files to egui under one family per face (the UI's CJK faces behind
//! them as a fallback), so what is on screen is the PDF's typeface, not the UI font.
//! Each glyph is placed by its own left edge and the run's baseline; egui only rasterises.
//!
//! Must never: break lines or decide pages (that is `layout`), or read the store.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use egui::{Color32, FontFamily, FontId, Pos2, Rect, Sense, Stroke, Vec2};

use crate::document::{Block, Document, Figure, Run};
use crate::layout::{
    self, EM_ASCENT, FaceId, FontSet, Item, Origin, PAGE_HEIGHT, PAGE_WIDTH, Page,
};

/// A figure of the document: the block or cell it stands in and its run index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FigureRef {
    pub origin: Origin,
    pub run: usize,
}

/// A run of text on a page: its box in points and where its characters come from.
#[derive(Debug, Clone, PartialEq)]
pub struct LineBox {
    pub rect: Rect,
    pub block: usize,
    /// The paragraph's or heading's run of the first glyph (`None` for generated text
    /// and table cells).
    pub run: Option<usize>,
    /// Character offset of the first glyph in that run.
    pub offset: usize,
    /// Left edge of each glyph, in points.
    pub lefts: Vec<f32>,
}

/// A click on text that is not a figure: the block and the character under the pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextHit {
    pub block: usize,
    /// The document run and character offset in it, when the text is typed text.
    pub at: Option<(usize, usize)>,
}

/// Where a piece of text of a page is, in points, and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PageBoxes {
    /// One box per text run of a block or table cell.
    pub lines: Vec<LineBox>,
    /// One box per text run that prints a figure.
    pub figures: Vec<(Rect, FigureRef)>,
}

/// A laid-out document ready to paint.
#[derive(Debug, Clone)]
pub struct PreviewModel {
    pub document: Document,
    /// Exactly `layout::layout(&document, fonts)`.
    pub pages: Vec<Page>,
    /// Hit boxes, one entry per page.
    pub boxes: Vec<PageBoxes>,
}

impl PreviewModel {
    /// Lays `document` out with `fonts` (the PDF's fonts) and finds its hit boxes.
    pub fn build(document: Document, fonts: &FontSet) -> PreviewModel {
        let pages = layout::layout(&document, fonts);
        let boxes = pages.iter().map(|p| page_boxes(&document, p)).collect();
        PreviewModel {
            document,
            pages,
            boxes,
        }
    }

    /// The figure a [`FigureRef`] points at.
    pub fn figure(&self, r: FigureRef) -> Option<&Figure> {
        figure_at(&self.document, r)
    }

    /// Every figure box: (page index, box in points, figure).
    pub fn figure_boxes(&self) -> impl Iterator<Item = (usize, Rect, FigureRef)> + '_ {
        self.boxes
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.figures.iter().map(move |(r, f)| (i, *r, *f)))
    }

    /// The first line box of a block: (page index, box in points).
    pub fn block_box(&self, block: usize) -> Option<(usize, Rect)> {
        self.boxes.iter().enumerate().find_map(|(i, b)| {
            b.lines
                .iter()
                .find(|l| l.block == block)
                .map(|l| (i, l.rect))
        })
    }
}

/// The block a piece of text belongs to (tables count as one block).
pub fn origin_block(origin: Origin) -> Option<usize> {
    match origin {
        Origin::Block { block } | Origin::Cell { block, .. } => Some(block),
        _ => None,
    }
}

fn figure_at(doc: &Document, r: FigureRef) -> Option<&Figure> {
    let runs = match (
        r.origin,
        origin_block(r.origin).and_then(|b| doc.blocks.get(b)),
    ) {
        (Origin::Block { .. }, Some(Block::Paragraph(p))) => &p.runs,
        (Origin::Block { .. }, Some(Block::Heading(h))) => &h.runs,
        (Origin::Cell { row, cell, .. }, Some(Block::Table(t))) => {
            &t.rows.get(row)?.cells.get(cell)?.runs
        }
        _ => return None,
    };
    match runs.get(r.run)? {
        Run::Figure(f) => Some(f),
        _ => None,
    }
}

fn page_boxes(doc: &Document, page: &Page) -> PageBoxes {
    let mut lines = Vec::new();
    let mut figures = Vec::new();
    for run in page.text_runs().filter(|r| !r.artifact) {
        let (Some(block), Some(first), Some(last)) = (
            origin_block(run.source.origin),
            run.glyphs.first(),
            run.glyphs.last(),
        ) else {
            continue;
        };
        let rect = Rect::from_min_max(
            Pos2::new(first.x, run.baseline - run.size * EM_ASCENT),
            Pos2::new(last.x + last.advance, run.baseline + run.size * 0.2),
        );
        lines.push(LineBox {
            rect,
            block,
            // Typed text of a paragraph or heading; a cell's runs are not looked up.
            run: run
                .source
                .run
                .filter(|_| matches!(run.source.origin, Origin::Block { .. })),
            offset: run.source.offset,
            lefts: run.glyphs.iter().map(|g| g.x).collect(),
        });
        if let Some(i) = run.source.run {
            let r = FigureRef {
                origin: run.source.origin,
                run: i,
            };
            if figure_at(doc, r).is_some() {
                figures.push((rect, r));
            }
        }
    }
    PageBoxes { lines, figures }
}

/// The layout's faces registered with egui, one family per face.
pub struct PreviewFonts {
    fonts: Arc<FontSet>,
    families: Vec<FontFamily>,
}

/// A face's file bytes, shared with egui without a copy.
struct FaceBytes(Arc<FontSet>, FaceId);

impl AsRef<[u8]> for FaceBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.face(self.1).bytes()
    }
}

impl PreviewFonts {
    pub fn new(fonts: Arc<FontSet>) -> PreviewFonts {
        let families = fonts
            .faces()
            .map(|(_, f)| FontFamily::Name(format!("nianbao-preview: {}", f.name).into()))
            .collect();
        PreviewFonts { fonts, families }
    }

    pub fn font_set(&self) -> &Arc<FontSet> {
        &self.fonts
    }

    fn family(&self, face: FaceId) -> &FontFamily {
        &self.families[usize::from(face.0)]
    }

    /// Whether egui knows the faces yet (they become usable the pass after [`install`]).
    ///
    /// [`install`]: PreviewFonts::install
    pub fn installed(&self, ctx: &egui::Context) -> bool {
        ctx.fonts(|f| {
            let defs = f.definitions();
            self.families
                .iter()
                .all(|fam| defs.families.contains_key(fam))
        })
    }

    /// Adds the faces to the context's fonts, once.
    pub fn install(&self, ctx: &egui::Context) {
        if self.installed(ctx) {
            return;
        }
        let mut defs = ctx.fonts(|f| f.definitions().clone());
        let fallback = defs
            .families
            .get(&FontFamily::Proportional)
            .cloned()
            .unwrap_or_default();
        for ((id, face), family) in self.fonts.faces().zip(&self.families) {
            let FontFamily::Name(name) = family else {
                continue;
            };
            let bytes: egui::epaint::text::Blob = Arc::new(FaceBytes(self.fonts.clone(), id));
            defs.font_data.insert(
                name.to_string(),
                Arc::new(egui::FontData::from_blob(bytes, face.index())),
            );
            let mut chain = vec![name.to_string()];
            chain.extend(fallback.iter().cloned());
            defs.families.insert(family.clone(), chain);
        }
        ctx.set_fonts(defs);
    }
}

/// What to mark on the pages besides the text.
#[derive(Debug, Default)]
pub struct Marks {
    /// The paragraph being looked at (clicked, or the target of a comment).
    pub selected_block: Option<usize>,
    /// Tint every figure (traceable numbers stand out from typed ones).
    pub tint_figures: bool,
    /// Figures whose value changed since approval.
    pub drifted: HashSet<FigureRef>,
    /// Blocks with a comment.
    pub commented: HashSet<usize>,
    /// The figure whose provenance window is open.
    pub pinned: Option<FigureRef>,
}

/// What the pointer did on the pages this frame.
#[derive(Debug, Default, Clone)]
pub struct PreviewOutput {
    /// The pages' response (for a tooltip at the pointer).
    pub response: Option<egui::Response>,
    /// A click on a figure.
    pub clicked_figure: Option<FigureRef>,
    /// A click on a paragraph or table (not on a figure).
    pub clicked_text: Option<TextHit>,
    /// The figure under the pointer.
    pub hovered_figure: Option<FigureRef>,
}

/// Where the last frame put the pages, to map points to the screen.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    /// Top-left corner of page 1 on screen.
    origin: Pos2,
    /// Screen points per page point.
    scale: f32,
    /// Distance from one page's top to the next one's.
    step: f32,
}

const GAP: f32 = 18.0;
const MARGIN: f32 = 16.0;

/// The scroll and pointer state of a preview.
pub struct PreviewView {
    /// Keeps this preview's scroll position apart from another document's.
    salt: u64,
    geometry: Option<Geometry>,
    scroll_to: Option<(usize, Rect)>,
}

const FIGURE_TINT: Color32 = Color32::from_rgb(0xdc, 0xeb, 0xfc);
const DRIFT_TINT: Color32 = Color32::from_rgb(0xff, 0xd9, 0xa8);
const DRIFT_LINE: Color32 = Color32::from_rgb(0xd0, 0x50, 0x00);
const PINNED_LINE: Color32 = Color32::from_rgb(0x20, 0x70, 0xe0);
const SELECTED_TINT: Color32 = Color32::from_rgb(0xff, 0xf4, 0xc0);
const COMMENT_MARK: Color32 = Color32::from_rgb(0xf0, 0xa0, 0x00);

impl PreviewView {
    /// A preview whose scroll position is kept under `salt` (e.g. the draft's id).
    pub fn new(salt: u64) -> PreviewView {
        PreviewView {
            salt,
            geometry: None,
            scroll_to: None,
        }
    }

    /// Scrolls the block into view at the next frame.
    pub fn scroll_to_block(&mut self, model: &PreviewModel, block: usize) {
        self.scroll_to = model.block_box(block);
    }

    /// Where a box of page `page` (in points) was drawn last frame.
    pub fn screen_rect(&self, page: usize, rect: Rect) -> Option<Rect> {
        let g = self.geometry?;
        let top = g.origin + Vec2::new(0.0, page as f32 * g.step);
        Some(Rect::from_min_max(
            top + rect.min.to_vec2() * g.scale,
            top + rect.max.to_vec2() * g.scale,
        ))
    }

    /// Paints the pages of `model` into the rest of `ui`.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        model: &PreviewModel,
        fonts: &PreviewFonts,
        marks: &Marks,
    ) -> PreviewOutput {
        fonts.install(ui.ctx());
        let mut out = PreviewOutput::default();
        // Scale to the panel, in steps of 5% so glyphs are rasterised at a few sizes only.
        let fit = (ui.available_width() - 2.0 * MARGIN - 12.0) / PAGE_WIDTH;
        let scale = (fit.clamp(0.4, 1.25) * 20.0).floor() / 20.0;
        let (page_w, page_h) = (PAGE_WIDTH * scale, PAGE_HEIGHT * scale);
        let step = page_h + GAP;
        let content = Vec2::new(page_w + 2.0 * MARGIN, model.pages.len() as f32 * step + GAP);
        let scroll_to = self.scroll_to.take();
        egui::ScrollArea::both()
            .id_salt(("preview", self.salt))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let size = content.max(Vec2::new(ui.available_width(), 0.0));
                let (rect, response) = ui.allocate_exact_size(size, Sense::click());
                let g = Geometry {
                    origin: Pos2::new(rect.center().x - page_w / 2.0, rect.top() + GAP),
                    scale,
                    step,
                };
                self.geometry = Some(g);
                let painter = ui.painter_at(rect);
                let ready = fonts.installed(ui.ctx());
                for (i, page) in model.pages.iter().enumerate() {
                    let sheet = Rect::from_min_size(
                        g.origin + Vec2::new(0.0, i as f32 * step),
                        Vec2::new(page_w, page_h),
                    );
                    if !ui.clip_rect().intersects(sheet) {
                        continue;
                    }
                    paint_sheet(&painter, sheet);
                    self.paint_marks(&painter, model, i, marks);
                    if ready {
                        paint_page(&painter, sheet.min, scale, page, fonts);
                    } else {
                        ui.ctx().request_repaint();
                    }
                }
                if let Some((page, r)) = scroll_to
                    && let Some(target) = self.screen_rect(page, r)
                {
                    ui.scroll_to_rect(target.expand(40.0), Some(egui::Align::Center));
                }
                let hit = |pos: Pos2| self.hit(model, pos);
                if let Some(pos) = response.hover_pos()
                    && let Some(Hit::Figure(f)) = hit(pos)
                {
                    out.hovered_figure = Some(f);
                }
                if response.clicked()
                    && let Some(pos) = response.interact_pointer_pos()
                {
                    match hit(pos) {
                        Some(Hit::Figure(f)) => out.clicked_figure = Some(f),
                        Some(Hit::Text(t)) => out.clicked_text = Some(t),
                        None => {}
                    }
                }
                out.response = Some(response);
            });
        out
    }

    fn paint_marks(
        &self,
        painter: &egui::Painter,
        model: &PreviewModel,
        page: usize,
        marks: &Marks,
    ) {
        let boxes = &model.boxes[page];
        let screen = |r: Rect| self.screen_rect(page, r);
        if let Some(b) = marks.selected_block {
            for l in boxes.lines.iter().filter(|l| l.block == b) {
                if let Some(s) = screen(l.rect.expand(1.5)) {
                    painter.rect_filled(s, 0.0, SELECTED_TINT);
                }
            }
        }
        for (r, f) in &boxes.figures {
            let Some(s) = screen(r.expand(0.8)) else {
                continue;
            };
            if marks.drifted.contains(f) {
                painter.rect_filled(s, 2.0, DRIFT_TINT);
                painter.line_segment(
                    [s.left_bottom(), s.right_bottom()],
                    Stroke::new(2.0, DRIFT_LINE),
                );
            } else if marks.tint_figures {
                painter.rect_filled(s, 2.0, FIGURE_TINT);
            }
            if marks.pinned == Some(*f) {
                painter.rect_stroke(
                    s.expand(1.0),
                    2.0,
                    Stroke::new(1.5, PINNED_LINE),
                    egui::StrokeKind::Outside,
                );
            }
        }
        let mut seen = HashSet::new();
        for l in &boxes.lines {
            if marks.commented.contains(&l.block)
                && seen.insert(l.block)
                && let Some(s) = screen(Rect::from_min_max(
                    Pos2::new(layout::BLOCK_LEFT - 14.0, l.rect.top()),
                    Pos2::new(layout::BLOCK_LEFT - 8.0, l.rect.bottom()),
                ))
            {
                painter.rect_filled(s, 1.0, COMMENT_MARK);
            }
        }
    }

    fn hit(&self, model: &PreviewModel, pos: Pos2) -> Option<Hit> {
        let g = self.geometry?;
        let rel = pos - g.origin;
        let page = (rel.y / g.step).floor();
        if page < 0.0 || page as usize >= model.pages.len() {
            return None;
        }
        let page = page as usize;
        let pt = Pos2::new(rel.x / g.scale, (rel.y - page as f32 * g.step) / g.scale);
        let boxes = &model.boxes[page];
        if let Some((_, f)) = boxes
            .figures
            .iter()
            .find(|(r, _)| r.expand(1.0).contains(pt))
        {
            return Some(Hit::Figure(*f));
        }
        // The line under the pointer, or between lines the nearest one within half a
        // line pitch (a click in the leading still means that paragraph).
        let distance = |r: &Rect| {
            if r.y_range().contains(pt.y) {
                0.0
            } else {
                (r.top() - pt.y).abs().min((r.bottom() - pt.y).abs())
            }
        };
        let line = boxes
            .lines
            .iter()
            .filter(|l| l.rect.x_range().expand(2.0).contains(pt.x))
            .map(|l| (distance(&l.rect), l))
            .filter(|(d, _)| *d <= layout::LINE_PITCH / 2.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, l)| l)?;
        // The glyph under the pointer: the last one starting left of it.
        let i = line.lefts.iter().rposition(|&x| x <= pt.x).unwrap_or(0);
        Some(Hit::Text(TextHit {
            block: line.block,
            at: line.run.map(|r| (r, line.offset + i)),
        }))
    }
}

enum Hit {
    Figure(FigureRef),
    Text(TextHit),
}

fn paint_sheet(painter: &egui::Painter, sheet: Rect) {
    painter.rect_filled(
        sheet.translate(Vec2::new(3.0, 4.0)),
        2.0,
        Color32::from_black_alpha(40),
    );
    painter.rect_filled(sheet, 0.0, Color32::WHITE);
    painter.rect_stroke(
        sheet,
        0.0,
        Stroke::new(0.5, Color32::from_gray(190)),
        egui::StrokeKind::Outside,
    );
}

/// Draws a page's rules and glyphs at `top_left`, `scale` screen points per page point.
fn paint_page(
    painter: &egui::Painter,
    top_left: Pos2,
    scale: f32,
    page: &Page,
    fonts: &PreviewFonts,
) {
    let at = |x: f32, y: f32| top_left + Vec2::new(x, y) * scale;
    let ink = Color32::BLACK;
    // Galleys of one glyph, by (face, size, char), reused within the page.
    let mut cache: HashMap<(FaceId, u32, char), Arc<egui::Galley>> = HashMap::new();
    for item in &page.items {
        match item {
            Item::Rule(r) => {
                painter.line_segment(
                    [at(r.x1, r.y1), at(r.x2, r.y2)],
                    Stroke::new((r.width * scale).max(0.6), ink),
                );
            }
            Item::Text(run) => {
                let size = run.size * scale;
                let font = FontId::new(size, fonts.family(run.face).clone());
                let bold = run.bold.then_some((size * 0.03).max(0.5));
                for g in run.glyphs.iter().filter(|g| !g.ch.is_whitespace()) {
                    let galley = cache
                        .entry((run.face, size.to_bits(), g.ch))
                        .or_insert_with(|| {
                            painter.layout_no_wrap(g.ch.to_string(), font.clone(), ink)
                        })
                        .clone();
                    let Some((row, glyph)) = galley
                        .rows
                        .first()
                        .and_then(|row| row.glyphs.first().map(|gl| (row, gl)))
                    else {
                        continue;
                    };
                    let origin = row.pos + glyph.pos.to_vec2();
                    let pos = at(g.x, run.baseline) - origin.to_vec2();
                    if let Some(dx) = bold {
                        painter.galley(pos + Vec2::new(dx, 0.0), galley.clone(), ink);
                    }
                    painter.galley(pos, galley, ink);
                }
            }
        }
    }
}
