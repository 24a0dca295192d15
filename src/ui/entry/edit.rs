//! The grid's editing: moving the cursor, typing into a cell, saving (one transaction per
//! edit or paste), undo and redo, pasting a block, 报送, and the keys that drive them.

use egui::{Event, Key};
use rust_decimal::Decimal;

use crate::model::MonthStatus;
use crate::store::{Actor, Store, StoreError, ValueWrite};
use crate::value;

use super::{CellChange, EntryGrid, EntryMode, Notice};

impl EntryGrid {
    pub(super) fn move_to(&mut self, row: usize, col: usize) {
        let rows = self.rows.len().max(1);
        self.cursor = (row.min(rows - 1), col.min(self.columns() - 1));
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
    pub(super) fn commit_edit(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(text) = self.edit.take() else {
            return true;
        };
        let (row, col) = self.cursor;
        self.enter_text(store, actor, row, col, &text)
    }

    /// What a column is called in messages: "3月" or "2019年".
    fn column_name(&self, col: usize) -> String {
        match self.mode {
            EntryMode::Monthly => format!("{}月", col + 1),
            EntryMode::Yearly => format!("{}年", self.year),
        }
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
                        "{} {}：{reason}",
                        r.metric.name,
                        self.column_name(col)
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
        let columns = self.columns();
        let changes: Vec<CellChange> = cells
            .into_iter()
            .filter(|&(row, col, _)| row < self.rows.len() && col < columns)
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
                month: self.month_of(c.col),
                division: self.division.clone(),
                metric: self.rows[c.row].metric.code.clone(),
                value: c.new,
                note: self.rows[c.row].notes[c.col].clone(),
                seen: Some(c.old),
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
                        "已保存：{} {} = {}",
                        self.rows[first.row].metric.name,
                        self.column_name(first.col),
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
                if matches!(e, StoreError::Conflict { .. }) {
                    // Someone changed these cells meanwhile: show what is stored now (the
                    // message keeps what this user typed).
                    for c in &changes {
                        let metric = &self.rows[c.row].metric.code;
                        if let Ok(stored) =
                            store.value(self.year, self.month_of(c.col), &self.division, metric)
                        {
                            self.rows[c.row].values[c.col] = stored.flatten();
                        }
                    }
                }
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
        let columns = self.columns();
        let mut cells = Vec::new();
        let mut refused = 0;
        let mut outside = 0;
        let text = text.trim_end_matches(['\r', '\n']);
        for (dr, line) in text.split('\n').enumerate() {
            let line = line.trim_end_matches('\r');
            for (dc, cell) in line.split('\t').enumerate() {
                let (row, col) = (r0 + dr, c0 + dc);
                if row >= self.rows.len() || col >= columns {
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

    /// 报送 the cursor's month (monthly mode).
    pub fn submit(&mut self, store: &mut Store, actor: &Actor) {
        if self.mode != EntryMode::Monthly {
            return;
        }
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

    pub(super) fn save_narrative(&mut self, store: &mut Store, actor: &Actor) {
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

    pub(super) fn key(&mut self, key: Key, m: egui::Modifiers, store: &mut Store, actor: &Actor) {
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
            Key::End => self.move_to(self.cursor.0, self.columns() - 1),
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
}
