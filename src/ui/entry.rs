//! 数据填报: a division's monthly metrics × the 12 months of a year, keyboard first like
//! Excel, every edit saved at once (one `Store::write_values` transaction per edit or
//! paste, with its audit row), invalid input shown on the cell and not saved.
//!
//! Keys (while the grid has focus): Tab / Shift-Tab across, Enter / Shift-Enter down and
//! up (after a run of Tabs, Enter returns to the column where the run started), arrows
//! move, typing replaces the cell, F2 edits it, Backspace edits, Delete clears, Esc
//! cancels, Ctrl+Z / Ctrl+Y (or Ctrl+Shift+Z) undo and redo, Ctrl+C copies the cell,
//! Ctrl+V pastes a tab-separated block (from Excel) at the cursor.
//!
//! The grid is hand-drawn and virtualised: one interaction rectangle for the visible rows
//! and painted cells, so hundreds of metrics cost only the rows on screen. Cell editing
//! needs no `TextEdit`; while a cell is being edited the grid reports an `IMEOutput`, so
//! the platform input method is enabled and its commits arrive as `Event::Ime(Commit)`.
//!
//! Must never: decide whether a value is valid (that is `value::parse`) or whether a
//! month may change (the store refuses; the grid only greys closed months).

use std::collections::HashMap;

use egui::{Align2, Color32, Event, FontId, Key, Pos2, Rect, Sense, Stroke, Vec2};
use rust_decimal::Decimal;

use crate::catalog::{Aggregation, Division, Metric, Period, Role};
use crate::store::{Actor, MonthStatus, Store, ValueWrite};
use crate::value;

use super::widgets;

const ROW_H: f32 = 24.0;
const HEADER_H: f32 = 40.0;
const UNIT_W: f32 = 40.0;
const MONTH_W: f32 = 60.0;
const EXTRA_W: f32 = 68.0;
const EXTRAS: [&str; 4] = ["上年同月", "本年累计", "上年同期累计", "同比"];

/// One metric's row: this year's and last year's monthly values and notes.
#[derive(Debug, Clone)]
pub struct Row {
    pub metric: Metric,
    pub values: [Option<Decimal>; 12],
    pub notes: [String; 12],
    pub prev: [Option<Decimal>; 12],
}

/// One changed cell, for undo.
#[derive(Debug, Clone, PartialEq)]
struct CellChange {
    row: usize,
    col: usize,
    old: Option<Decimal>,
    new: Option<Decimal>,
}

/// What the last action said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Saved(String),
    Problem(String),
}

/// The 填报 screen. See the module doc.
pub struct EntryGrid {
    pub year: i32,
    years: Vec<i32>,
    pub division: String,
    divisions: Vec<Division>,
    can_pick_division: bool,
    rows: Vec<Row>,
    status: [MonthStatus; 12],
    /// (row, month index 0–11).
    cursor: (usize, usize),
    edit: Option<String>,
    /// The column a run of Tabs started in (Enter returns there).
    tab_anchor: Option<usize>,
    /// Refused input by cell: the reason shown.
    errors: HashMap<(usize, usize), String>,
    undo: Vec<Vec<CellChange>>,
    redo: Vec<Vec<CellChange>>,
    notice: Option<Notice>,
    narrative: String,
    narrative_saved: String,
    confirm_submit: bool,
    scroll_to_cursor: bool,
    role: Role,
}

impl EntryGrid {
    /// The grid a user starts with: their division (office: the first division with
    /// monthly metrics), the latest year of the file.
    pub fn for_user(store: &Store, actor: &Actor) -> EntryGrid {
        let years = store.years().unwrap_or_default();
        let year = years.last().copied().unwrap_or(2019);
        let divisions = store.divisions().unwrap_or_default();
        let can_pick_division = actor.role != Role::Contact;
        let mut division = actor.division.clone().unwrap_or_default();
        if can_pick_division {
            let metrics = store.metrics(year).unwrap_or_default();
            if let Some(d) = divisions.iter().find(|d| {
                metrics
                    .iter()
                    .any(|m| m.period == Period::Monthly && m.owners.contains(&d.code))
            }) {
                division = d.code.clone();
            }
        }
        let mut grid = EntryGrid {
            year,
            years,
            division,
            divisions,
            can_pick_division,
            rows: Vec::new(),
            status: [MonthStatus::Open; 12],
            cursor: (0, 0),
            edit: None,
            tab_anchor: None,
            errors: HashMap::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            notice: None,
            narrative: String::new(),
            narrative_saved: String::new(),
            confirm_submit: false,
            scroll_to_cursor: false,
            role: actor.role,
        };
        grid.reload(store);
        grid.cursor.1 = grid.first_open_month();
        grid
    }

    /// Shows another division / year with the cursor on `month` (1–12).
    pub fn show_division(&mut self, store: &Store, year: i32, division: &str, month: u8) {
        self.year = year;
        self.division = division.to_string();
        self.reload(store);
        self.cursor = (0, usize::from(month.clamp(1, 12)) - 1);
    }

    /// Rereads the division's metrics, values, statuses and narrative.
    pub fn reload(&mut self, store: &Store) {
        match self.load(store) {
            Ok(()) => {}
            Err(e) => self.notice = Some(Notice::Problem(e.to_string())),
        }
        self.edit = None;
        self.errors.clear();
        self.undo.clear();
        self.redo.clear();
        self.cursor.0 = self.cursor.0.min(self.rows.len().saturating_sub(1));
    }

    fn load(&mut self, store: &Store) -> Result<(), crate::store::StoreError> {
        let metrics = store.metrics(self.year)?;
        self.rows = metrics
            .into_iter()
            .filter(|m| {
                m.period == Period::Monthly && !m.is_formula() && m.owners.contains(&self.division)
            })
            .map(|metric| Row {
                metric,
                values: [None; 12],
                notes: Default::default(),
                prev: [None; 12],
            })
            .collect();
        let index: HashMap<String, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.metric.code.clone(), i))
            .collect();
        for v in store.stored_values(self.year - 1..=self.year, Some(&self.division), None)? {
            let (Some(&i), 1..=12) = (index.get(&v.metric), v.month) else {
                continue;
            };
            let m = usize::from(v.month) - 1;
            if v.year == self.year {
                self.rows[i].values[m] = v.value;
                self.rows[i].notes[m] = v.note;
            } else {
                self.rows[i].prev[m] = v.value;
            }
        }
        for m in 0..12u8 {
            self.status[usize::from(m)] = store.month_status(self.year, m + 1, &self.division)?;
        }
        self.narrative = store
            .narrative(self.year, &self.division, 0)?
            .unwrap_or_default();
        self.narrative_saved = self.narrative.clone();
        Ok(())
    }

    // ----- state, for the screen and for tests ------------------------------------

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// (row, month index 0–11).
    pub fn cursor(&self) -> (usize, usize) {
        self.cursor
    }

    pub fn set_cursor(&mut self, row: usize, col: usize) {
        self.move_to(row, col);
    }

    pub fn status(&self, month: u8) -> MonthStatus {
        self.status[usize::from(month.clamp(1, 12)) - 1]
    }

    /// The reason a cell's input was refused, if it was.
    pub fn error(&self, row: usize, col: usize) -> Option<&str> {
        self.errors.get(&(row, col)).map(String::as_str)
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    pub fn editing(&self) -> Option<&str> {
        self.edit.as_deref()
    }

    /// The row of a metric code.
    pub fn row_of(&self, code: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.metric.code == code)
    }

    fn first_open_month(&self) -> usize {
        self.status
            .iter()
            .position(|s| *s == MonthStatus::Open)
            .unwrap_or(11)
    }

    /// Whether the signed-in role may change a month (the store decides for real).
    fn editable(&self, col: usize) -> bool {
        match self.status[col] {
            MonthStatus::Open => self.role != Role::Leader,
            MonthStatus::Submitted => self.role == Role::Office,
            MonthStatus::Locked => false,
        }
    }

    fn closed_reason(&self, col: usize) -> String {
        match self.status[col] {
            MonthStatus::Locked => format!("{}月已锁定，不能修改", col + 1),
            MonthStatus::Submitted => {
                format!("{}月已报送，不能修改（如需更正请联系办公室解锁）", col + 1)
            }
            MonthStatus::Open => "领导只能查看，不能修改数据".into(),
        }
    }

    // ----- editing ---------------------------------------------------------------

    fn move_to(&mut self, row: usize, col: usize) {
        let rows = self.rows.len().max(1);
        self.cursor = (row.min(rows - 1), col.min(11));
        self.scroll_to_cursor = true;
    }

    fn move_by(&mut self, dr: isize, dc: isize) {
        let (r, c) = self.cursor;
        let r = r.saturating_add_signed(dr);
        let c = c.saturating_add_signed(dc);
        self.move_to(r, c);
    }

    /// Starts editing the cursor cell with `text` (typing replaces, F2 keeps).
    fn begin_edit(&mut self, text: String) {
        if self.rows.is_empty() {
            return;
        }
        let col = self.cursor.1;
        if !self.editable(col) {
            self.notice = Some(Notice::Problem(self.closed_reason(col)));
            return;
        }
        self.edit = Some(text);
    }

    /// Ends editing, saving what was typed. Returns false when it was refused.
    fn commit_edit(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(text) = self.edit.take() else {
            return true;
        };
        let (row, col) = self.cursor;
        self.enter_text(store, actor, row, col, &text)
    }

    /// Parses `text` for a cell and saves it; on refusal the reason is kept on the cell.
    pub fn enter_text(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        row: usize,
        col: usize,
        text: &str,
    ) -> bool {
        let Some(r) = self.rows.get(row) else {
            return false;
        };
        let text = text.trim();
        let new = if text.is_empty() {
            None
        } else {
            match value::parse(text, r.metric.kind) {
                Ok(v) => Some(v),
                Err(e) => {
                    let reason = format!("“{text}”未保存：{e}");
                    self.notice = Some(Notice::Problem(format!(
                        "{} {}月：{reason}",
                        r.metric.name,
                        col + 1
                    )));
                    self.errors.insert((row, col), reason);
                    return false;
                }
            }
        };
        self.write(store, actor, vec![(row, col, new)], true)
    }

    /// Writes cells in one transaction. `record` puts the change on the undo stack.
    fn write(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        cells: Vec<(usize, usize, Option<Decimal>)>,
        record: bool,
    ) -> bool {
        let changes: Vec<CellChange> = cells
            .into_iter()
            .filter(|&(row, col, _)| row < self.rows.len() && col < 12)
            .filter_map(|(row, col, new)| {
                self.errors.remove(&(row, col));
                let old = self.rows[row].values[col];
                (old != new).then_some(CellChange { row, col, old, new })
            })
            .collect();
        if changes.is_empty() {
            return true;
        }
        let writes: Vec<ValueWrite> = changes
            .iter()
            .map(|c| ValueWrite {
                year: self.year,
                month: c.col as u8 + 1,
                division: self.division.clone(),
                metric: self.rows[c.row].metric.code.clone(),
                value: c.new,
                note: self.rows[c.row].notes[c.col].clone(),
            })
            .collect();
        match store.write_values(actor, &writes, |_, _| {}) {
            Ok(_) => {
                for c in &changes {
                    self.rows[c.row].values[c.col] = c.new;
                }
                let first = &changes[0];
                let what = if changes.len() == 1 {
                    format!(
                        "已保存：{} {}月 = {}",
                        self.rows[first.row].metric.name,
                        first.col + 1,
                        self.shown(first.row, first.new)
                    )
                } else {
                    format!("已保存 {} 个单元格", changes.len())
                };
                self.notice = Some(Notice::Saved(what));
                if record {
                    self.undo.push(changes);
                    self.redo.clear();
                }
                true
            }
            Err(e) => {
                let reason = e.to_string();
                for c in &changes {
                    self.errors.insert((c.row, c.col), reason.clone());
                }
                self.notice = Some(Notice::Problem(reason));
                false
            }
        }
    }

    fn shown(&self, row: usize, v: Option<Decimal>) -> String {
        match v {
            Some(v) => value::format(v, self.rows[row].metric.kind.places()),
            None => "（空）".into(),
        }
    }

    /// 撤销: writes the last change's old values back.
    pub fn undo(&mut self, store: &mut Store, actor: &Actor) {
        let Some(changes) = self.undo.pop() else {
            self.notice = Some(Notice::Problem("没有可以撤销的修改".into()));
            return;
        };
        let cells = changes.iter().map(|c| (c.row, c.col, c.old)).collect();
        if self.write(store, actor, cells, false) {
            self.cursor = (changes[0].row, changes[0].col);
            self.notice = Some(Notice::Saved(format!(
                "已撤销（{} 个单元格）",
                changes.len()
            )));
            self.redo.push(changes);
        } else {
            self.undo.push(changes);
        }
    }

    /// 重做.
    pub fn redo(&mut self, store: &mut Store, actor: &Actor) {
        let Some(changes) = self.redo.pop() else {
            self.notice = Some(Notice::Problem("没有可以重做的修改".into()));
            return;
        };
        let cells = changes.iter().map(|c| (c.row, c.col, c.new)).collect();
        if self.write(store, actor, cells, false) {
            self.notice = Some(Notice::Saved(format!(
                "已重做（{} 个单元格）",
                changes.len()
            )));
            self.undo.push(changes);
        } else {
            self.redo.push(changes);
        }
    }

    /// Pastes a tab-separated block (rows by line) with its top-left at the cursor.
    /// Valid cells are saved in one transaction; refused ones keep their reason.
    pub fn paste(&mut self, store: &mut Store, actor: &Actor, text: &str) {
        let (r0, c0) = self.cursor;
        let mut cells = Vec::new();
        let mut refused = 0;
        let mut outside = 0;
        let text = text.trim_end_matches(['\r', '\n']);
        for (dr, line) in text.split('\n').enumerate() {
            let line = line.trim_end_matches('\r');
            for (dc, cell) in line.split('\t').enumerate() {
                let (row, col) = (r0 + dr, c0 + dc);
                if row >= self.rows.len() || col >= 12 {
                    outside += 1;
                    continue;
                }
                if !self.editable(col) {
                    self.errors.insert((row, col), self.closed_reason(col));
                    refused += 1;
                    continue;
                }
                let cell = cell.trim();
                if cell.is_empty() {
                    cells.push((row, col, None));
                    continue;
                }
                match value::parse(cell, self.rows[row].metric.kind) {
                    Ok(v) => cells.push((row, col, Some(v))),
                    Err(e) => {
                        self.errors
                            .insert((row, col), format!("“{cell}”未保存：{e}"));
                        refused += 1;
                    }
                }
            }
        }
        let count = cells.len();
        let ok = self.write(store, actor, cells, true);
        if ok {
            let mut msg = format!("已粘贴 {count} 个单元格");
            if refused > 0 {
                msg.push_str(&format!("；{refused} 个有误未保存（见红色单元格）"));
            }
            if outside > 0 {
                msg.push_str(&format!("；{outside} 个超出表格，已忽略"));
            }
            self.notice = Some(if refused > 0 {
                Notice::Problem(msg)
            } else {
                Notice::Saved(msg)
            });
        }
    }

    /// 报送 the cursor's month.
    pub fn submit(&mut self, store: &mut Store, actor: &Actor) {
        let month = self.cursor.1 as u8 + 1;
        match store.submit_month(actor, self.year, month, &self.division) {
            Ok(()) => {
                self.status[self.cursor.1] = store
                    .month_status(self.year, month, &self.division)
                    .unwrap_or(MonthStatus::Submitted);
                self.notice = Some(Notice::Saved(format!("已报送{}年{month}月", self.year)));
                self.edit = None;
            }
            Err(e) => self.notice = Some(Notice::Problem(e.to_string())),
        }
    }

    fn save_narrative(&mut self, store: &mut Store, actor: &Actor) {
        match store.set_narrative(actor, self.year, &self.division, 0, &self.narrative) {
            Ok(()) => {
                self.narrative_saved = self.narrative.clone();
                self.notice = Some(Notice::Saved("工作亮点已保存".into()));
            }
            Err(e) => self.notice = Some(Notice::Problem(e.to_string())),
        }
    }

    /// Applies this frame's keyboard and clipboard events.
    pub fn handle_events(&mut self, events: &[Event], store: &mut Store, actor: &Actor) {
        for event in events {
            match event {
                Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } => self.key(*key, *modifiers, store, actor),
                Event::Text(t) => self.typed(t),
                Event::Ime(egui::ImeEvent::Commit(t)) => self.typed(t),
                Event::Paste(t) => {
                    if self.edit.is_some() && !t.contains(['\t', '\n']) {
                        self.typed(t);
                    } else {
                        self.edit = None;
                        self.paste(store, actor, t);
                    }
                }
                _ => {}
            }
        }
    }

    fn typed(&mut self, t: &str) {
        if t.chars().any(char::is_control) {
            return;
        }
        match &mut self.edit {
            Some(buf) => buf.push_str(t),
            None => self.begin_edit(t.to_string()),
        }
    }

    fn key(&mut self, key: Key, m: egui::Modifiers, store: &mut Store, actor: &Actor) {
        if m.command {
            match key {
                Key::Z if m.shift => self.redo(store, actor),
                Key::Z => {
                    self.edit = None;
                    self.undo(store, actor);
                }
                Key::Y => self.redo(store, actor),
                _ => {}
            }
            return;
        }
        let navigates = matches!(
            key,
            Key::Tab
                | Key::Enter
                | Key::ArrowUp
                | Key::ArrowDown
                | Key::ArrowLeft
                | Key::ArrowRight
        );
        // Moving away saves the cell first; a refused entry keeps the cursor on it.
        if navigates && !self.commit_edit(store, actor) {
            return;
        }
        match key {
            Key::Tab if m.shift => self.move_by(0, -1),
            Key::Tab => {
                self.tab_anchor.get_or_insert(self.cursor.1);
                self.move_by(0, 1);
            }
            Key::Enter => {
                let col = self.tab_anchor.take().unwrap_or(self.cursor.1);
                let row = if m.shift {
                    self.cursor.0.saturating_sub(1)
                } else {
                    self.cursor.0 + 1
                };
                self.move_to(row, col);
            }
            Key::ArrowUp | Key::ArrowDown | Key::ArrowLeft | Key::ArrowRight => {
                self.tab_anchor = None;
                match key {
                    Key::ArrowUp => self.move_by(-1, 0),
                    Key::ArrowDown => self.move_by(1, 0),
                    Key::ArrowLeft => self.move_by(0, -1),
                    _ => self.move_by(0, 1),
                }
            }
            Key::PageDown => self.move_by(20, 0),
            Key::PageUp => self.move_by(-20, 0),
            Key::Home => self.move_to(self.cursor.0, 0),
            Key::End => self.move_to(self.cursor.0, 11),
            Key::F2 if self.edit.is_none() => {
                let (r, c) = self.cursor;
                let text = self
                    .rows
                    .get(r)
                    .and_then(|row| row.values[c])
                    .map(value::format_exact)
                    .unwrap_or_default();
                self.begin_edit(text);
            }
            Key::Escape => {
                self.edit = None;
                self.errors.remove(&self.cursor);
            }
            Key::Backspace => match &mut self.edit {
                Some(buf) => {
                    buf.pop();
                }
                None => self.begin_edit(String::new()),
            },
            Key::Delete if self.edit.is_none() => {
                let (r, c) = self.cursor;
                if self.editable(c) {
                    self.write(store, actor, vec![(r, c, None)], true);
                } else {
                    self.notice = Some(Notice::Problem(self.closed_reason(c)));
                }
            }
            _ => {}
        }
    }

    // ----- drawing ---------------------------------------------------------------

    /// Draws the screen and applies the user's input.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        self.toolbar(ui, store, actor);
        egui::Panel::bottom("entry-bottom")
            .resizable(true)
            .default_size(230.0)
            .show(ui, |ui| {
                ui.columns(2, |cols| {
                    self.chart(&mut cols[0]);
                    self.narrative_ui(&mut cols[1], store, actor);
                });
            });
        self.grid(ui, store, actor);
    }

    fn toolbar(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        ui.horizontal(|ui| {
            if widgets::year_picker(ui, "entry-year", &self.years, &mut self.year) {
                self.reload(store);
            }
            if self.can_pick_division {
                let before = self.division.clone();
                let name = self.division_name();
                egui::ComboBox::from_id_salt("entry-division")
                    .selected_text(name)
                    .show_ui(ui, |ui| {
                        for d in &self.divisions {
                            ui.selectable_value(&mut self.division, d.code.clone(), &d.name);
                        }
                    });
                if before != self.division {
                    self.reload(store);
                }
            } else {
                ui.strong(self.division_name());
            }
            ui.separator();
            let col = self.cursor.1;
            let month = col + 1;
            ui.label(format!("{month}月：{}", status_text(self.status[col])));
            if self.status[col] == MonthStatus::Open && self.role != Role::Leader {
                if self.confirm_submit {
                    ui.colored_label(
                        Color32::from_rgb(0xa0, 0x60, 0x00),
                        format!("报送后{month}月的数据不能再修改，确认报送？"),
                    );
                    if ui.button("确认报送").clicked() {
                        self.confirm_submit = false;
                        self.submit(store, actor);
                    }
                    if ui.button("取消").clicked() {
                        self.confirm_submit = false;
                    }
                } else if ui.button(format!("报送{month}月")).clicked() {
                    self.confirm_submit = true;
                }
            }
            ui.separator();
            if ui
                .add_enabled(!self.undo.is_empty(), egui::Button::new("撤销"))
                .on_hover_text("Ctrl+Z")
                .clicked()
            {
                self.undo(store, actor);
            }
            if ui
                .add_enabled(!self.redo.is_empty(), egui::Button::new("重做"))
                .on_hover_text("Ctrl+Y")
                .clicked()
            {
                self.redo(store, actor);
            }
        });
        let cursor_error = self.errors.get(&self.cursor).cloned();
        match (&cursor_error, &self.notice) {
            (Some(e), _) => widgets::error_line(ui, Some(e)),
            (None, Some(Notice::Problem(p))) => widgets::error_line(ui, Some(p)),
            (None, Some(Notice::Saved(s))) => widgets::ok_line(ui, s),
            (None, None) => {
                ui.weak("Tab/Enter/方向键移动，直接输入数字即可填写，F2 修改，Ctrl+V 粘贴 Excel 区域，每次修改自动保存。");
            }
        }
    }

    fn division_name(&self) -> String {
        self.divisions
            .iter()
            .find(|d| d.code == self.division)
            .map_or_else(|| self.division.clone(), |d| d.name.clone())
    }

    fn grid(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
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
            ui.label(format!(
                "{}在{}年没有按月填报的指标。",
                self.division_name(),
                self.year
            ));
            return;
        }
        let width = ui.available_width();
        let fixed = UNIT_W + 12.0 * MONTH_W + 4.0 * EXTRA_W;
        let cols = Columns::new(ui.min_rect().left(), (width - fixed).max(140.0));
        let (header_rect, _) = ui.allocate_exact_size(Vec2::new(width, HEADER_H), Sense::hover());
        let cols = cols.at(header_rect.left());
        self.paint_header(ui, header_rect, &cols);

        let scroll_to = self.scroll_to_cursor.then_some(self.cursor.0);
        self.scroll_to_cursor = false;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, ROW_H, self.rows.len(), |ui, range| {
                let height = range.len() as f32 * ROW_H;
                let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
                let response = ui.interact(rect, grid_id, Sense::click());
                if let Some(pos) = response.interact_pointer_pos()
                    && response.clicked()
                {
                    let row = range.start + ((pos.y - rect.top()) / ROW_H) as usize;
                    if let Some(col) = cols.month_at(pos.x) {
                        if self.commit_edit(store, actor) {
                            self.tab_anchor = None;
                            self.cursor = (row.min(self.rows.len() - 1), col);
                        }
                    } else {
                        self.cursor.0 = row.min(self.rows.len() - 1);
                    }
                    response.request_focus();
                }
                if response.double_clicked() && self.edit.is_none() {
                    self.key(Key::F2, egui::Modifiers::NONE, store, actor);
                }
                for (i, row) in range.clone().enumerate() {
                    let y = rect.top() + i as f32 * ROW_H;
                    self.paint_row(ui, row, y, &cols, &response);
                }
                if let Some(row) = scroll_to {
                    let y = rect.top() + (row as f32 - range.start as f32) * ROW_H;
                    let r = Rect::from_min_size(Pos2::new(rect.left(), y), Vec2::new(width, ROW_H));
                    ui.scroll_to_rect(r.expand(2.0), None);
                }
                if self.edit.is_some() {
                    let (r, c) = self.cursor;
                    let y = rect.top() + (r as f32 - range.start as f32) * ROW_H;
                    let cell = cols.month_rect(c, y);
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
        for m in 0..12 {
            let x = cols.month(m) + MONTH_W / 2.0;
            let strong = m == self.cursor.1;
            p.text(
                Pos2::new(x, rect.top() + 12.0),
                Align2::CENTER_CENTER,
                format!("{}月", m + 1),
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
                status_text(self.status[m]),
                small.clone(),
                status_color(self.status[m]),
            );
        }
        for (i, label) in EXTRAS.iter().enumerate() {
            p.text(
                Pos2::new(cols.extra(i) + EXTRA_W / 2.0, rect.top() + 12.0),
                Align2::CENTER_CENTER,
                *label,
                small.clone(),
                text,
            );
            p.text(
                Pos2::new(cols.extra(i) + EXTRA_W / 2.0, rect.top() + 29.0),
                Align2::CENTER_CENTER,
                format!("（{}月）", self.cursor.1 + 1),
                small.clone(),
                visuals.weak_text_color(),
            );
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
        p.with_clip_rect(name_rect).text(
            Pos2::new(cols.name.0 + 6.0, mid),
            Align2::LEFT_CENTER,
            &r.metric.name,
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
        for m in 0..12 {
            let cell = cols.month_rect(m, y);
            let bg = match self.status[m] {
                MonthStatus::Open => None,
                MonthStatus::Submitted => {
                    Some(Color32::from_rgba_unmultiplied(0x80, 0xa0, 0x80, 40))
                }
                MonthStatus::Locked => Some(Color32::from_rgba_unmultiplied(0x80, 0x80, 0x80, 50)),
            };
            if let Some(bg) = bg {
                p.rect_filled(cell.shrink(0.5), 0.0, bg);
            }
            let error = self.errors.get(&(row, m));
            if error.is_some() {
                p.rect_filled(cell.shrink(0.5), 0.0, Color32::from_rgb(0xff, 0xd8, 0xd8));
            }
            let selected = (row, m) == self.cursor;
            let shown = if selected && let Some(buf) = &self.edit {
                p.rect_filled(cell.shrink(1.0), 0.0, Color32::WHITE);
                format!("{buf}|")
            } else {
                r.values[m]
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
        let c = self.cursor.1;
        let extras = [
            r.prev[c]
                .map(|v| value::format(v, places))
                .unwrap_or_default(),
            to_date(&r.metric.aggregation, &r.values[..=c])
                .map(|v| value::format(v, places))
                .unwrap_or_default(),
            to_date(&r.metric.aggregation, &r.prev[..=c])
                .map(|v| value::format(v, places))
                .unwrap_or_default(),
            change_text(
                to_date(&r.metric.aggregation, &r.values[..=c]),
                to_date(&r.metric.aggregation, &r.prev[..=c]),
            ),
        ];
        for (i, s) in extras.into_iter().enumerate() {
            p.text(
                Pos2::new(cols.extra(i) + EXTRA_W - 6.0, mid),
                Align2::RIGHT_CENTER,
                s,
                font.clone(),
                visuals.weak_text_color(),
            );
        }
    }

    fn chart(&self, ui: &mut egui::Ui) {
        let Some(r) = self.rows.get(self.cursor.0) else {
            return;
        };
        ui.strong(format!(
            "{}（{}）：{}年与{}年逐月对比",
            r.metric.name,
            r.metric.unit,
            self.year,
            self.year - 1
        ));
        let points = |vals: &[Option<Decimal>; 12]| -> Vec<[f64; 2]> {
            // f64 only for drawing (STYLE §3).
            vals.iter()
                .enumerate()
                .filter_map(|(m, v)| {
                    v.map(|v| [m as f64 + 1.0, v.to_string().parse::<f64>().unwrap_or(0.0)])
                })
                .collect()
        };
        let this = points(&r.values);
        let prev = points(&r.prev);
        let (y0, y1) = (self.year, self.year - 1);
        egui_plot::Plot::new("entry-trend")
            .legend(egui_plot::Legend::default())
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .include_y(0.0)
            .include_x(1.0)
            .include_x(12.0)
            .show(ui, |plot| {
                plot.line(egui_plot::Line::new(format!("{y1}年"), prev).color(Color32::GRAY));
                plot.line(
                    egui_plot::Line::new(format!("{y0}年"), this)
                        .color(Color32::from_rgb(0x20, 0x70, 0xe0))
                        .width(2.0),
                );
            });
    }

    fn narrative_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        ui.horizontal(|ui| {
            ui.strong(format!("{}年工作亮点（用于年度总结）", self.year));
            let changed = self.narrative != self.narrative_saved;
            if ui
                .add_enabled(
                    changed,
                    egui::Button::new(if changed { "保存" } else { "已保存" }),
                )
                .clicked()
            {
                self.save_narrative(store, actor);
            }
        });
        let r = egui::ScrollArea::vertical()
            .id_salt("narrative-scroll")
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.narrative)
                        .id_salt("narrative")
                        .desired_width(f32::INFINITY)
                        .desired_rows(6)
                        .interactive(self.role != Role::Leader)
                        .hint_text("如：全年在门户网站发布信息 1725 条……"),
                )
            })
            .inner;
        if r.lost_focus() && self.narrative != self.narrative_saved {
            self.save_narrative(store, actor);
        }
    }
}

/// The x positions of the columns.
struct Columns {
    /// (left, width)
    name: (f32, f32),
    unit: (f32, f32),
    months_left: f32,
}

impl Columns {
    fn new(left: f32, name_w: f32) -> Columns {
        Columns {
            name: (left, name_w),
            unit: (left + name_w, UNIT_W),
            months_left: left + name_w + UNIT_W,
        }
    }

    fn at(self, left: f32) -> Columns {
        Columns::new(left, self.name.1)
    }

    fn month(&self, m: usize) -> f32 {
        self.months_left + m as f32 * MONTH_W
    }

    fn month_rect(&self, m: usize, y: f32) -> Rect {
        Rect::from_min_size(Pos2::new(self.month(m), y), Vec2::new(MONTH_W, ROW_H))
    }

    fn month_at(&self, x: f32) -> Option<usize> {
        let rel = x - self.months_left;
        (0.0..12.0 * MONTH_W)
            .contains(&rel)
            .then(|| (rel / MONTH_W) as usize)
    }

    fn extra(&self, i: usize) -> f32 {
        self.month(12) + i as f32 * EXTRA_W
    }

    fn end(&self) -> f32 {
        self.extra(4)
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
fn change_text(now: Option<Decimal>, before: Option<Decimal>) -> String {
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
        MonthStatus::Submitted => Color32::from_rgb(0x20, 0x80, 0x30),
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
