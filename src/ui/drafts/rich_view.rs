//! The 正文 view of an open draft (the default for the office): a `TextEdit` over the
//! [`ChipBuffer`], drawn with chips on a light blue ground (warning colour for
//! 【缺数】), markers small and grey, headings larger, and each national table drawn as
//! a table (its grid and figures, over the empty lines its chip holds: one chip, moved
//! or deleted whole). A click on a chip asks for its provenance; the cursor never rests
//! inside a chip.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use egui::text::{CCursor, CCursorRange, LayoutJob, TextFormat};
use egui::{Color32, FontId, Galley};

use super::chips::{ChipBuffer, ChipValues, EditKind, Span, SpanKind};

/// The body size of the 正文 view.
const BODY: f32 = 16.0;
/// A table's text size, and the height of one of its rows.
const TABLE_TEXT: f32 = 12.0;
const TABLE_ROW: f32 = 20.0;

/// The editor's state between frames.
pub struct RichView {
    pub buffer: ChipBuffer,
    /// The source the buffer shows (to notice a change made elsewhere: the source view,
    /// undo, 链接数据).
    source: String,
    /// The `TextEdit`'s id (tests move its cursor).
    pub edit_id: Option<egui::Id>,
    /// The cursor as the last frame left it (where a picked figure goes).
    pub cursor: usize,
    /// A selection to set in the next frame (find).
    pub select: Option<std::ops::Range<usize>>,
}

/// What happened in one frame.
#[derive(Default)]
pub struct RichOutcome {
    /// The draft's new source and what kind of edit made it.
    pub edited: Option<(String, EditKind)>,
    /// A chip clicked: its source.
    pub clicked_chip: Option<String>,
}

impl RichView {
    pub fn new(source: &str, values: ChipValues) -> RichView {
        RichView {
            buffer: ChipBuffer::new(source, values),
            source: source.to_string(),
            edit_id: None,
            cursor: 0,
            select: None,
        }
    }

    /// Follows the draft: its source (reparsed when changed elsewhere) and chip values.
    pub fn sync(&mut self, source: &str, values: &ChipValues) {
        if self.source != source {
            *self = RichView {
                edit_id: self.edit_id,
                cursor: self.cursor,
                ..RichView::new(source, values.clone())
            };
        } else {
            self.buffer.set_values(values.clone());
        }
    }

    /// The buffer was changed here and now holds `source`: nothing to reparse.
    pub fn sync_written(&mut self, source: &str) {
        self.source = source.to_string();
    }

    /// Selects the shown text of source line `line` (0-based) in the next frame.
    pub fn select_source_line(&mut self, line: usize) {
        let start: usize = self
            .source
            .split('\n')
            .take(line)
            .map(|l| l.len() + 1)
            .sum();
        let len = self.source.split('\n').nth(line).map_or(0, str::len);
        let range = self.buffer.shown_range(start..start + len);
        self.cursor = range.end;
        self.select = Some(range);
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        editable: bool,
        id_salt: i64,
        label: egui::Id,
    ) -> RichOutcome {
        let mut out = RichOutcome::default();
        let spans = self.buffer.spans();
        let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap: f32| -> Arc<Galley> {
            let mut job = layout_job(buf.as_str(), &spans, ui.visuals().dark_mode);
            job.wrap.max_width = wrap;
            ui.ctx().fonts_mut(|f| f.layout_job(job))
        };
        let edit = egui::TextEdit::multiline(&mut self.buffer)
            .id_salt(("draft-rich", id_salt))
            .desired_width(f32::INFINITY)
            .desired_rows(30)
            .lock_focus(true)
            .interactive(editable)
            .layouter(&mut layouter);
        let output = edit.show(ui);
        self.paint_tables(ui, &output);
        let _ = output.response.response.clone().labelled_by(label);
        let id = output.response.response.id;
        self.edit_id = Some(id);
        if let Some(kind) = self.buffer.take_edit() {
            let source = self.buffer.source();
            if source != self.source {
                self.source = source.clone();
                out.edited = Some((source, kind));
            }
        }
        let mut state = output.state.clone();
        let mut store = false;
        if let Some(range) = self.select.take() {
            state.cursor.set_char_range(Some(CCursorRange::two(
                CCursor::new(range.start),
                CCursor::new(range.end),
            )));
            let at = output.galley.pos_from_cursor(CCursor::new(range.start));
            ui.scroll_to_rect(
                at.translate(output.galley_pos.to_vec2()).expand(30.0),
                Some(egui::Align::Center),
            );
            store = true;
            ui.memory_mut(|m| m.request_focus(id));
        }
        if let Some(range) = state.cursor.char_range() {
            let at = range.primary.index.0;
            // Out of a chip: to the edge the cursor came from.
            if range.is_empty()
                && let Some(unit) = self.buffer.unit_around(at)
            {
                let edge = if self.cursor <= unit.start {
                    unit.end
                } else if self.cursor >= unit.end || at - unit.start < unit.end - at {
                    unit.start
                } else {
                    unit.end
                };
                state
                    .cursor
                    .set_char_range(Some(CCursorRange::one(CCursor::new(edge))));
                store = true;
                self.cursor = edge;
            } else {
                self.cursor = at;
            }
        }
        if store {
            state.store(ui.ctx(), id);
        }
        if output.response.response.clicked()
            && let Some(pos) = output.response.response.interact_pointer_pos()
        {
            let cursor = output.galley.cursor_from_pos(pos - output.galley_pos);
            let at = cursor.index.0;
            // A click lands on the character's leading or trailing half: either side.
            let chip = self
                .buffer
                .chip_at(at)
                .or_else(|| at.checked_sub(1).and_then(|a| self.buffer.chip_at(a)));
            if let Some((_, source)) = chip {
                out.clicked_chip = Some(source.to_string());
            }
        }
        out
    }

    /// Draws each table chip's tables over the empty lines it holds, one row per line.
    fn paint_tables(&self, ui: &egui::Ui, output: &egui::text_edit::TextEditOutput) {
        let area = output.response.response.rect;
        let painter = ui.painter_at(area);
        let (x0, x1) = (output.galley_pos.x + 2.0, area.right() - 8.0);
        let line = |i: usize| {
            output
                .galley
                .pos_from_cursor(CCursor::new(i))
                .translate(output.galley_pos.to_vec2())
        };
        let text = ui.visuals().text_color();
        let grid = egui::Stroke::new(0.6, Color32::from_gray(150));
        let header = ui.visuals().faint_bg_color;
        for (first, tables) in self.buffer.table_chips() {
            let mut at = first + 1;
            for table in tables {
                let rows: Vec<egui::Rect> = (0..table.rows.len()).map(|r| line(at + r)).collect();
                at += table.rows.len() + 1;
                let xs = column_edges(table, x0, x1);
                for (r, row) in table.rows.iter().enumerate() {
                    for cell in &row.cells {
                        let last = (r + cell.row_span.max(1) - 1).min(rows.len() - 1);
                        let right = (cell.col + cell.col_span.max(1)).min(table.columns);
                        let (Some(&left), Some(&right)) = (xs.get(cell.col), xs.get(right)) else {
                            continue;
                        };
                        let rect = egui::Rect::from_x_y_ranges(
                            left..=right,
                            rows[r].top()..=rows[last].bottom(),
                        );
                        if r < table.header_rows {
                            painter.rect_filled(rect, 0.0, header);
                        }
                        painter.rect_stroke(rect, 0.0, grid, egui::StrokeKind::Inside);
                        paint_cell(ui, &painter, rect, cell, text);
                    }
                }
            }
        }
    }
}

/// The x of each column's left edge and of the last one's right edge.
fn column_edges(table: &crate::document::Table, x0: f32, x1: f32) -> Vec<f32> {
    let widths = match &table.widths {
        Some(w) if w.len() == table.columns && w.iter().sum::<f32>() > 0.0 => w.clone(),
        _ => vec![1.0; table.columns],
    };
    let total: f32 = widths.iter().sum();
    let mut edges = vec![x0];
    let mut x = x0;
    for w in widths {
        x += w / total * (x1 - x0);
        edges.push(x);
    }
    edges
}

/// A cell's text in its rect, aligned as printed (vertical text one character a line).
fn paint_cell(
    ui: &egui::Ui,
    painter: &egui::Painter,
    rect: egui::Rect,
    cell: &crate::document::Cell,
    color: Color32,
) {
    let mut text = cell.text();
    if cell.vertical {
        text = text
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut job = LayoutJob::simple(
        text,
        FontId::proportional(TABLE_TEXT),
        color,
        (rect.width() - 6.0).max(10.0),
    );
    job.halign = match cell.align {
        crate::document::Align::Left => egui::Align::LEFT,
        crate::document::Align::Center => egui::Align::Center,
        crate::document::Align::Right => egui::Align::RIGHT,
    };
    let galley = ui.ctx().fonts_mut(|f| f.layout_job(job));
    let x = match cell.align {
        crate::document::Align::Left => rect.left() + 3.0,
        crate::document::Align::Center => rect.center().x,
        crate::document::Align::Right => rect.right() - 3.0,
    };
    let y = rect.center().y - galley.size().y / 2.0;
    painter.with_clip_rect(rect.shrink(1.0)).galley(
        egui::pos2(x, y.max(rect.top())),
        galley,
        color,
    );
}

/// The formatting of the shown text: plain prose, chips, markers, headings.
pub fn layout_job(text: &str, spans: &Rc<RefCell<Vec<Span>>>, dark: bool) -> LayoutJob {
    let spans = spans.borrow();
    let mut job = LayoutJob::default();
    let body = TextFormat {
        font_id: FontId::proportional(BODY),
        color: if dark {
            Color32::from_gray(220)
        } else {
            Color32::from_gray(20)
        },
        line_height: Some(BODY * 1.6),
        ..TextFormat::default()
    };
    // Byte offsets of each character boundary, to cut the text by character ranges.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let byte = |c: usize| bytes.get(c).copied().unwrap_or(text.len());
    let chars = bytes.len() - 1;
    // The boundaries where the format may change, then each piece's format.
    let mut cuts: Vec<usize> = spans
        .iter()
        .flat_map(|s| [s.chars.start.min(chars), s.chars.end.min(chars)])
        .chain([0, chars])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut covering = spans.iter().peekable();
    let mut open: Vec<&Span> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        while let Some(s) = covering.next_if(|s| s.chars.start <= a) {
            open.push(s);
        }
        open.retain(|s| s.chars.end > a);
        let mut format = body.clone();
        for s in &open {
            match s.kind {
                SpanKind::Heading(level) => {
                    format.font_id = FontId::proportional(BODY + 4.0 - f32::from(level.min(4)));
                    format.color = if dark { Color32::WHITE } else { Color32::BLACK };
                }
                SpanKind::Chip { warning } => {
                    format.background = if warning {
                        Color32::from_rgb(0xff, 0xe0, 0xb0)
                    } else {
                        Color32::from_rgb(0xd6, 0xe8, 0xff)
                    };
                    if warning {
                        format.color = Color32::from_rgb(0xa0, 0x40, 0x00);
                    } else if dark {
                        format.color = Color32::from_rgb(0x10, 0x30, 0x60);
                    }
                }
                SpanKind::TableRows => {
                    format.font_id = FontId::proportional(TABLE_TEXT);
                    format.line_height = Some(TABLE_ROW);
                    format.background = Color32::TRANSPARENT;
                }
                SpanKind::Marker => {
                    format.font_id = FontId::proportional(BODY * 0.75);
                    format.color = Color32::from_gray(140);
                    format.valign = egui::Align::Center;
                }
            }
        }
        job.append(&text[byte(a)..byte(b)], 0.0, format);
    }
    job
}
