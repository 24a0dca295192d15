//! The grid drawn by hand: the header, the visible lines (headings and rows) of a
//! virtualised scroll area, the cursor and the cells' states, and the comparisons beside
//! each row (last year, year to date, change). Also the one place the grid reads
//! keyboard and pointer input from egui.

use egui::{Align2, Color32, Event, FontId, Key, Pos2, Rect, Sense, Stroke, Vec2};
use rust_decimal::Decimal;

use crate::model::{Aggregation, MonthStatus};
use crate::store::{Actor, Store};
use crate::value;

use super::{EntryGrid, EntryMode, Line};
use crate::ui::widgets;

const ROW_H: f32 = 24.0;
const HEADER_H: f32 = 40.0;
const UNIT_W: f32 = 40.0;
const MONTH_W: f32 = 60.0;
const YEAR_W: f32 = 120.0;
const EXTRA_W: f32 = 68.0;
/// Wider in yearly mode: a year figure may have six places (万元 fees).
const YEAR_EXTRA_W: f32 = 120.0;
const MONTHLY_EXTRAS: [&str; 4] = ["上年同月", "本年累计", "上年同期累计", "同比"];
const YEARLY_EXTRAS: [&str; 2] = ["上年", "同比"];

impl EntryGrid {
    fn extra_labels(&self) -> &'static [&'static str] {
        match self.mode {
            EntryMode::Monthly => &MONTHLY_EXTRAS,
            EntryMode::Yearly => &YEARLY_EXTRAS,
        }
    }

    /// The comparisons beside a row, for the cursor's column.
    fn extras(&self, row: usize) -> Vec<String> {
        let r = &self.rows[row];
        let places = r.metric.kind.places();
        let fmt = |v: Option<Decimal>| v.map(|v| value::format(v, places)).unwrap_or_default();
        match self.mode {
            EntryMode::Monthly => {
                let c = self.cursor.1;
                let now = to_date(&r.metric.aggregation, &r.values[..=c]);
                let before = to_date(&r.metric.aggregation, &r.prev[..=c]);
                vec![
                    fmt(r.prev[c]),
                    fmt(now),
                    fmt(before),
                    change_text(now, before),
                ]
            }
            EntryMode::Yearly => vec![fmt(r.prev[0]), change_text(r.values[0], r.prev[0])],
        }
    }

    fn layout(&self, left: f32, width: f32) -> Columns {
        let (n, w, extra_w) = match self.mode {
            EntryMode::Monthly => (12, MONTH_W, EXTRA_W),
            EntryMode::Yearly => (1, YEAR_W, YEAR_EXTRA_W),
        };
        let extras = self.extra_labels().len();
        let fixed = UNIT_W + n as f32 * w + extras as f32 * extra_w;
        let name_w = (width - fixed).max(140.0);
        Columns {
            name: (left, name_w),
            unit: (left + name_w, UNIT_W),
            values_left: left + name_w + UNIT_W,
            n,
            w,
            extras,
            extra_w,
        }
    }

    pub(super) fn grid(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        let grid_id = egui::Id::unique("entry-grid");
        // The grid takes the keyboard unless a text field (the narrative, a combo's
        // search) has it; a clicked toolbar button hands it straight back.
        let focused = ui.memory(|m| m.focused());
        let keyboard = match focused {
            None => true,
            Some(id) if id == grid_id => true,
            Some(id) => egui::text_edit::TextEditState::load(ui.ctx(), id).is_none(),
        };
        if keyboard {
            let events = ui.input(|i| i.events.clone());
            self.handle_events(&events, store, actor);
            if self.edit.is_none()
                && ui.input(|i| i.events.iter().any(|e| matches!(e, Event::Copy)))
                && let Some(v) = self
                    .rows
                    .get(self.cursor.0)
                    .and_then(|r| r.values[self.cursor.1])
            {
                ui.ctx().copy_text(value::format_exact(v));
            }
        }
        if self.rows.is_empty() {
            ui.add_space(20.0);
            let what = match self.mode {
                EntryMode::Monthly => "按月",
                EntryMode::Yearly => "按年",
            };
            ui.label(format!(
                "{}在{}年没有{what}填报的指标。",
                self.division_name(),
                self.year
            ));
            return;
        }
        let width = ui.available_width();
        let (header_rect, _) = ui.allocate_exact_size(Vec2::new(width, HEADER_H), Sense::hover());
        let cols = self.layout(header_rect.left(), width);
        self.paint_header(ui, header_rect, &cols);

        let scroll_to = self
            .scroll_to_cursor
            .then(|| self.line_of.get(self.cursor.0).copied())
            .flatten();
        self.scroll_to_cursor = false;
        // `show_rows` places row i at i × (height + item spacing); the lines are painted
        // edge to edge, so without this the scroll offsets and the painted rows drift
        // apart (3 px a row) and the cursor can end up below the visible part.
        let spacing = ui.spacing().item_spacing.y;
        ui.spacing_mut().item_spacing.y = 0.0;
        let mut cursor_rect = None;
        let mut on_screen = false;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, ROW_H, self.lines.len(), |ui, range| {
                let height = range.len() as f32 * ROW_H;
                let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
                let response = ui.interact(rect, grid_id, Sense::click());
                // A screen reader hears what the cursor cell is, not an unnamed rectangle.
                let described = self.describe_cursor();
                response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Grid, true, &described));
                if let Some(pos) = response.interact_pointer_pos()
                    && response.clicked()
                {
                    let line = range.start + ((pos.y - rect.top()) / ROW_H) as usize;
                    if let Some(&Line::Row(row)) = self.lines.get(line) {
                        if let Some(col) = cols.value_at(pos.x) {
                            if self.commit_edit(store, actor) {
                                self.tab_anchor = None;
                                self.cursor = (row, col);
                            }
                        } else {
                            self.cursor.0 = row;
                        }
                    }
                    response.request_focus();
                }
                if response.double_clicked() && self.edit.is_none() {
                    self.key(Key::F2, egui::Modifiers::NONE, store, actor);
                }
                for (i, line) in range.clone().enumerate() {
                    let y = rect.top() + i as f32 * ROW_H;
                    match &self.lines[line] {
                        Line::Heading { text, level } => {
                            paint_heading(ui, text, *level, y, &cols);
                        }
                        Line::Row(row) => self.paint_row(ui, *row, y, &cols, &response),
                    }
                }
                if let Some(line) = scroll_to {
                    let y = rect.top() + (line as f32 - range.start as f32) * ROW_H;
                    let r = Rect::from_min_size(Pos2::new(rect.left(), y), Vec2::new(width, ROW_H));
                    ui.scroll_to_rect(r.expand(2.0), None);
                }
                if let Some(&line) = self.line_of.get(self.cursor.0)
                    && range.contains(&line)
                {
                    let y = rect.top() + (line - range.start) as f32 * ROW_H;
                    let cell = cols.value_rect(self.cursor.1, y);
                    // Within a pixel: at the very bottom the last row ends a fraction
                    // below the clip rectangle.
                    on_screen = ui.clip_rect().expand(1.0).contains_rect(cell);
                    cursor_rect = Some(cell);
                }
                if self.edit.is_some()
                    && let Some(cell) = cursor_rect
                {
                    ui.ctx().output_mut(|o| {
                        o.ime = Some(egui::output::IMEOutput {
                            purpose: egui::IMEPurpose::Normal,
                            rect: cell,
                            cursor_rect: Rect::from_min_size(
                                Pos2::new(cell.right() - 4.0, cell.top() + 3.0),
                                Vec2::new(1.0, ROW_H - 6.0),
                            ),
                            should_interrupt_composition: false,
                        });
                    });
                }
            });
        ui.spacing_mut().item_spacing.y = spacing;
        self.cursor_on_screen = on_screen;
        // Keep the keyboard on the grid: Tab, arrows and Esc act here, not on focus.
        ui.memory_mut(|m| {
            if keyboard && m.focused() != Some(grid_id) {
                m.request_focus(grid_id);
            }
            m.set_focus_lock_filter(
                grid_id,
                egui::EventFilter {
                    tab: true,
                    horizontal_arrows: true,
                    vertical_arrows: true,
                    escape: true,
                },
            );
        });
    }

    /// "填报表格：指标 3月 = 12" for assistive technology.
    fn describe_cursor(&self) -> String {
        let (r, c) = self.cursor;
        let Some(row) = self.rows.get(r) else {
            return "填报表格".into();
        };
        let column = match self.mode {
            EntryMode::Monthly => format!("{}月", c + 1),
            EntryMode::Yearly => format!("{}年", self.year),
        };
        let shown = row.values[c]
            .map(|v| value::format(v, row.metric.kind.places()))
            .unwrap_or_else(|| "空".into());
        format!("填报表格：{} {column} = {shown}", row.metric.name)
    }

    fn paint_header(&self, ui: &egui::Ui, rect: Rect, cols: &Columns) {
        let p = ui.painter_at(rect);
        let visuals = ui.visuals();
        p.rect_filled(rect, 0.0, visuals.faint_bg_color);
        let font = FontId::proportional(13.0);
        let small = FontId::proportional(11.0);
        let text = visuals.strong_text_color();
        let mid = rect.center().y;
        p.text(
            Pos2::new(cols.name.0 + 6.0, mid),
            Align2::LEFT_CENTER,
            "指标",
            font.clone(),
            text,
        );
        p.text(
            Pos2::new(cols.unit.0 + UNIT_W / 2.0, mid),
            Align2::CENTER_CENTER,
            "单位",
            font.clone(),
            text,
        );
        for c in 0..cols.n {
            let x = cols.value(c) + cols.w / 2.0;
            let strong = c == self.cursor.1;
            let (title, status) = match self.mode {
                EntryMode::Monthly => (format!("{}月", c + 1), self.status[c]),
                EntryMode::Yearly => (format!("{}年", self.year), self.status[11]),
            };
            p.text(
                Pos2::new(x, rect.top() + 12.0),
                Align2::CENTER_CENTER,
                title,
                font.clone(),
                if strong {
                    Color32::from_rgb(0x10, 0x50, 0xb0)
                } else {
                    text
                },
            );
            p.text(
                Pos2::new(x, rect.top() + 29.0),
                Align2::CENTER_CENTER,
                status_text(status),
                small.clone(),
                status_color(status),
            );
        }
        for (i, label) in self.extra_labels().iter().enumerate() {
            p.text(
                Pos2::new(cols.extra(i) + cols.extra_w / 2.0, rect.top() + 12.0),
                Align2::CENTER_CENTER,
                *label,
                small.clone(),
                text,
            );
            if self.mode == EntryMode::Monthly {
                p.text(
                    Pos2::new(cols.extra(i) + cols.extra_w / 2.0, rect.top() + 29.0),
                    Align2::CENTER_CENTER,
                    format!("（{}月）", self.cursor.1 + 1),
                    small.clone(),
                    visuals.weak_text_color(),
                );
            }
        }
    }

    fn paint_row(
        &self,
        ui: &egui::Ui,
        row: usize,
        y: f32,
        cols: &Columns,
        response: &egui::Response,
    ) {
        let r = &self.rows[row];
        let p = ui.painter();
        let visuals = ui.visuals();
        let font = FontId::proportional(13.0);
        let text = visuals.text_color();
        let full = Rect::from_min_size(
            Pos2::new(cols.name.0, y),
            Vec2::new(cols.end() - cols.name.0, ROW_H),
        );
        if row % 2 == 1 {
            p.rect_filled(full, 0.0, visuals.faint_bg_color);
        }
        if row == self.cursor.0 {
            p.rect_filled(
                full,
                0.0,
                Color32::from_rgba_unmultiplied(0x40, 0x80, 0xff, 18),
            );
        }
        let mid = y + ROW_H / 2.0;
        let name_rect =
            Rect::from_min_size(Pos2::new(cols.name.0, y), Vec2::new(cols.name.1, ROW_H));
        let indent = match self.mode {
            EntryMode::Monthly => 6.0,
            EntryMode::Yearly => 28.0,
        };
        p.with_clip_rect(name_rect).text(
            Pos2::new(cols.name.0 + indent, mid),
            Align2::LEFT_CENTER,
            &r.label,
            font.clone(),
            text,
        );
        if response.hovered()
            && let Some(pos) = response.hover_pos()
            && name_rect.contains(pos)
        {
            response
                .clone()
                .on_hover_text(format!("{}（{}）", r.metric.name, r.metric.code));
        }
        p.text(
            Pos2::new(cols.unit.0 + UNIT_W / 2.0, mid),
            Align2::CENTER_CENTER,
            &r.metric.unit,
            font.clone(),
            visuals.weak_text_color(),
        );
        let places = r.metric.kind.places();
        for c in 0..cols.n {
            let cell = cols.value_rect(c, y);
            let bg = match self.status_of(c) {
                MonthStatus::Open => None,
                MonthStatus::Submitted => {
                    Some(Color32::from_rgba_unmultiplied(0x80, 0xa0, 0x80, 40))
                }
                MonthStatus::Locked => Some(Color32::from_rgba_unmultiplied(0x80, 0x80, 0x80, 50)),
            };
            if let Some(bg) = bg {
                p.rect_filled(cell.shrink(0.5), 0.0, bg);
            }
            let error = self.errors.get(&(row, c));
            if error.is_some() {
                p.rect_filled(cell.shrink(0.5), 0.0, Color32::from_rgb(0xff, 0xd8, 0xd8));
            }
            let selected = (row, c) == self.cursor;
            let shown = if selected && let Some(buf) = &self.edit {
                p.rect_filled(cell.shrink(1.0), 0.0, Color32::WHITE);
                format!("{buf}|")
            } else {
                r.values[c]
                    .map(|v| value::format(v, places))
                    .unwrap_or_default()
            };
            p.text(
                Pos2::new(cell.right() - 6.0, mid),
                Align2::RIGHT_CENTER,
                shown,
                font.clone(),
                if error.is_some() {
                    Color32::from_rgb(0xb0, 0x00, 0x00)
                } else {
                    text
                },
            );
            if error.is_some() {
                p.text(
                    Pos2::new(cell.left() + 3.0, y + 8.0),
                    Align2::LEFT_CENTER,
                    "!",
                    FontId::proportional(11.0),
                    Color32::from_rgb(0xc0, 0x00, 0x00),
                );
            }
            p.rect_stroke(
                cell,
                0.0,
                Stroke::new(0.5, visuals.widgets.noninteractive.bg_stroke.color),
                egui::StrokeKind::Inside,
            );
            if selected {
                p.rect_stroke(
                    cell,
                    0.0,
                    Stroke::new(2.0, Color32::from_rgb(0x20, 0x70, 0xe0)),
                    egui::StrokeKind::Inside,
                );
            }
        }
        for (i, s) in self.extras(row).into_iter().enumerate() {
            p.text(
                Pos2::new(cols.extra(i) + cols.extra_w - 6.0, mid),
                Align2::RIGHT_CENTER,
                s,
                font.clone(),
                visuals.weak_text_color(),
            );
        }
    }
}

/// A table heading (level 0) or a row heading under it (level 1) across the grid.
fn paint_heading(ui: &egui::Ui, text: &str, level: u8, y: f32, cols: &Columns) {
    let p = ui.painter();
    let visuals = ui.visuals();
    let rect = Rect::from_min_size(
        Pos2::new(cols.name.0, y),
        Vec2::new(cols.end() - cols.name.0, ROW_H),
    );
    let (font, indent, fill) = match level {
        0 => (
            FontId::proportional(14.0),
            6.0,
            Color32::from_rgb(0xe4, 0xec, 0xf6),
        ),
        _ => (FontId::proportional(13.0), 16.0, visuals.faint_bg_color),
    };
    p.rect_filled(rect, 0.0, fill);
    p.with_clip_rect(rect).text(
        Pos2::new(rect.left() + indent, rect.center().y),
        Align2::LEFT_CENTER,
        text,
        font,
        visuals.strong_text_color(),
    );
}

/// The x positions of the columns: name, unit, `n` value columns of width `w`, extras.
struct Columns {
    /// (left, width)
    name: (f32, f32),
    unit: (f32, f32),
    values_left: f32,
    n: usize,
    w: f32,
    extras: usize,
    extra_w: f32,
}

impl Columns {
    fn value(&self, c: usize) -> f32 {
        self.values_left + c as f32 * self.w
    }

    fn value_rect(&self, c: usize, y: f32) -> Rect {
        Rect::from_min_size(Pos2::new(self.value(c), y), Vec2::new(self.w, ROW_H))
    }

    fn value_at(&self, x: f32) -> Option<usize> {
        let rel = x - self.values_left;
        (0.0..self.n as f32 * self.w)
            .contains(&rel)
            .then(|| (rel / self.w) as usize)
    }

    fn extra(&self, i: usize) -> f32 {
        self.value(self.n) + i as f32 * self.extra_w
    }

    fn end(&self) -> f32 {
        self.extra(self.extras)
    }
}

/// A year-to-date figure by the metric's aggregation; `None` when no month has a value.
fn to_date(aggregation: &Aggregation, values: &[Option<Decimal>]) -> Option<Decimal> {
    let present: Vec<Decimal> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return None;
    }
    Some(match aggregation {
        Aggregation::Last => *present.last()?,
        Aggregation::Max => present.iter().copied().max()?,
        Aggregation::Average => {
            present.iter().sum::<Decimal>() / Decimal::from(present.len() as i64)
        }
        Aggregation::Sum | Aggregation::Formula(_) => present.iter().sum(),
    })
}

/// 同比: "+12.3%" / "−4.0%"; blank when last year is missing or zero.
pub(super) fn change_text(now: Option<Decimal>, before: Option<Decimal>) -> String {
    match (now, before) {
        (Some(n), Some(b)) if !b.is_zero() => {
            let pct = ((n - b) / b * Decimal::from(100)).round_dp(1);
            if pct.is_sign_negative() {
                format!("−{}%", value::format(pct.abs(), 1))
            } else {
                format!("+{}%", value::format(pct, 1))
            }
        }
        _ => String::new(),
    }
}

/// The Chinese name of a month status as the grid shows it.
pub fn status_text(s: MonthStatus) -> &'static str {
    match s {
        MonthStatus::Open => "填写中",
        MonthStatus::Submitted => "已报送",
        MonthStatus::Locked => "已锁定",
    }
}

pub fn status_color(s: MonthStatus) -> Color32 {
    match s {
        MonthStatus::Open => Color32::from_rgb(0x20, 0x70, 0xe0),
        MonthStatus::Submitted => widgets::OK_COLOR,
        MonthStatus::Locked => Color32::from_rgb(0x70, 0x70, 0x70),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_to_date_follows_the_aggregation() {
        let v = [Some(Decimal::from(3)), None, Some(Decimal::from(5))];
        assert_eq!(to_date(&Aggregation::Sum, &v), Some(Decimal::from(8)));
        assert_eq!(to_date(&Aggregation::Last, &v), Some(Decimal::from(5)));
        assert_eq!(to_date(&Aggregation::Max, &v), Some(Decimal::from(5)));
        assert_eq!(to_date(&Aggregation::Average, &v), Some(Decimal::from(4)));
        assert_eq!(to_date(&Aggregation::Sum, &[None, None]), None);
    }

    #[test]
    fn change_on_last_year() {
        let d = |v: i64| Some(Decimal::from(v));
        assert_eq!(change_text(d(110), d(100)), "+10.0%");
        assert_eq!(change_text(d(96), d(100)), "−4.0%");
        assert_eq!(change_text(d(5), d(0)), "");
    }
}
