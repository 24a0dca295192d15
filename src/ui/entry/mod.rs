//! 数据填报: a division's metrics in a grid, keyboard first like Excel, every edit saved at
//! once (one `Store::write_values` transaction per edit or paste, with its audit row),
//! invalid input shown on the cell and not saved.
//!
//! Two modes share all of it ([`EntryMode`]): 月度数据, the monthly metrics × the 12
//! months; and 年度数据, the yearly metrics (the national tables t2/t3/t4, stored once a
//! year as month 0) in one column for the year, under the tables' official headings. A
//! yearly value follows December's status (the store's rule).
//!
//! Keys (while the grid has focus): Tab / Shift-Tab across, Enter / Shift-Enter down and
//! up (after a run of Tabs, Enter returns to the column where the run started), arrows
//! move, typing replaces the cell, F2 edits it, Backspace edits, Delete clears, Esc
//! cancels, Ctrl+Z / Ctrl+Y (or Ctrl+Shift+Z) undo and redo, Ctrl+C copies the cell,
//! Ctrl+V pastes a tab-separated block (from Excel) at the cursor.
//!
//! Split in three: this file owns the state and the screen around the grid (toolbar,
//! trend chart, narrative); `edit.rs` the editing and keys; `paint.rs` the grid itself,
//! hand-drawn and virtualised (one interaction rectangle for the visible lines and painted
//! cells, so hundreds of metrics cost only the lines on screen). Cell editing needs no
//! `TextEdit`; while a cell is being edited the grid reports an `IMEOutput`, so the
//! platform input method is enabled and its commits arrive as `Event::Ime(Commit)`.
//!
//! Must never: decide whether a value is valid (that is `value::parse`) or whether a
//! month may change (the store refuses; the grid only greys closed months).

mod edit;
mod paint;

use std::collections::HashMap;

use egui::Color32;
use rust_decimal::Decimal;

use crate::model::national::national_place;
use crate::model::{Division, Metric, MonthStatus, Period, Role};
use crate::store::{Actor, Store};
use crate::value;

use super::widgets::{self, OpenYears};

pub use paint::{status_color, status_text};

/// Which figures the grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryMode {
    /// 月度数据: monthly metrics × 12 months.
    Monthly,
    /// 年度数据: yearly metrics, one column for the year.
    Yearly,
}

impl EntryMode {
    pub fn label(self) -> &'static str {
        match self {
            EntryMode::Monthly => "月度数据",
            EntryMode::Yearly => "年度数据",
        }
    }

    fn period(self) -> Period {
        match self {
            EntryMode::Monthly => Period::Monthly,
            EntryMode::Yearly => Period::Yearly,
        }
    }

    /// Value columns.
    fn columns(self) -> usize {
        match self {
            EntryMode::Monthly => 12,
            EntryMode::Yearly => 1,
        }
    }
}

/// One metric's row: this year's and last year's values and notes, one per column.
#[derive(Debug, Clone)]
pub struct Row {
    pub metric: Metric,
    /// What the grid shows for it: the name, or for a national code its short label
    /// under its table's headings.
    pub label: String,
    pub values: Vec<Option<Decimal>>,
    pub notes: Vec<String>,
    pub prev: Vec<Option<Decimal>>,
}

/// One line of the grid: a heading (a table, a row of a table) or a metric.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Heading { text: String, level: u8 },
    Row(usize),
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
    mode: EntryMode,
    /// Divisions owning metrics of each mode (enterable ones), in division order.
    monthly_owners: Vec<String>,
    yearly_owners: Vec<String>,
    rows: Vec<Row>,
    lines: Vec<Line>,
    /// The line of each row.
    line_of: Vec<usize>,
    status: [MonthStatus; 12],
    /// (row, column); a column is a month index 0–11, or 0 for the year.
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
    /// Whether the cursor cell was wholly visible in the last frame drawn.
    cursor_on_screen: bool,
    role: Role,
}

impl EntryGrid {
    /// The grid a user starts with: monthly figures of their division (office: the first
    /// division with monthly metrics), the latest of the file's open `years`.
    pub fn for_user(store: &Store, actor: &Actor, years: &OpenYears) -> EntryGrid {
        let (divisions, notice) = match store.divisions() {
            Ok(d) => (d, None),
            Err(e) => (Vec::new(), Some(Notice::Problem(e.to_string()))),
        };
        let mut grid = EntryGrid {
            year: years.latest(),
            years: years.all().to_vec(),
            division: actor.division.clone().unwrap_or_default(),
            divisions,
            can_pick_division: actor.role != Role::Contact,
            mode: EntryMode::Monthly,
            monthly_owners: Vec::new(),
            yearly_owners: Vec::new(),
            rows: Vec::new(),
            lines: Vec::new(),
            line_of: Vec::new(),
            status: [MonthStatus::Open; 12],
            cursor: (0, 0),
            edit: None,
            tab_anchor: None,
            errors: HashMap::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            notice,
            narrative: String::new(),
            narrative_saved: String::new(),
            confirm_submit: false,
            scroll_to_cursor: false,
            cursor_on_screen: false,
            role: actor.role,
        };
        grid.reload(store);
        if grid.can_pick_division
            && !grid.monthly_owners.contains(&grid.division)
            && let Some(first) = grid.monthly_owners.first().cloned()
        {
            grid.division = first;
            grid.reload(store);
        }
        grid.cursor.1 = grid.first_open_month();
        grid
    }

    /// Shows another division / year in monthly mode with the cursor on `month` (1–12).
    pub fn show_division(&mut self, store: &Store, year: i32, division: &str, month: u8) {
        self.year = year;
        self.division = division.to_string();
        self.mode = EntryMode::Monthly;
        self.reload(store);
        self.cursor = (0, usize::from(month.clamp(1, 12)) - 1);
    }

    pub fn mode(&self) -> EntryMode {
        self.mode
    }

    /// Whether the 年度数据 mode is offered: the division owns yearly metrics (office:
    /// any division does, and the grid moves to one).
    pub fn offers_yearly(&self) -> bool {
        if self.can_pick_division {
            !self.yearly_owners.is_empty()
        } else {
            self.yearly_owners.contains(&self.division)
        }
    }

    /// Switches between monthly and yearly figures. Office staff land on a division that
    /// has metrics of the mode when the current one has none.
    pub fn set_mode(&mut self, store: &Store, mode: EntryMode) {
        if mode == self.mode {
            return;
        }
        if mode == EntryMode::Yearly && !self.offers_yearly() {
            self.notice = Some(Notice::Problem("本处室没有按年填报的指标".into()));
            return;
        }
        self.mode = mode;
        let owners = match mode {
            EntryMode::Monthly => &self.monthly_owners,
            EntryMode::Yearly => &self.yearly_owners,
        };
        if self.can_pick_division
            && !owners.contains(&self.division)
            && let Some(first) = owners.first()
        {
            self.division = first.clone();
        }
        self.cursor = (0, 0);
        self.reload(store);
        if mode == EntryMode::Monthly {
            self.cursor.1 = self.first_open_month();
        }
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
        self.cursor.1 = self.cursor.1.min(self.columns() - 1);
    }

    fn load(&mut self, store: &Store) -> Result<(), crate::store::StoreError> {
        let metrics = store.metrics(self.year)?;
        let owners = |period: Period| -> Vec<String> {
            self.divisions
                .iter()
                .filter(|d| {
                    metrics.iter().any(|m| {
                        m.period == period && !m.is_formula() && m.owners.contains(&d.code)
                    })
                })
                .map(|d| d.code.clone())
                .collect()
        };
        self.monthly_owners = owners(Period::Monthly);
        self.yearly_owners = owners(Period::Yearly);
        let n = self.columns();
        self.rows = metrics
            .into_iter()
            .filter(|m| {
                m.period == self.mode.period()
                    && !m.is_formula()
                    && m.owners.contains(&self.division)
            })
            .map(|metric| Row {
                label: metric.name.clone(),
                metric,
                values: vec![None; n],
                notes: vec![String::new(); n],
                prev: vec![None; n],
            })
            .collect();
        self.build_lines();
        let index: HashMap<String, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.metric.code.clone(), i))
            .collect();
        for v in store.stored_values(self.year - 1..=self.year, Some(&self.division), None)? {
            let Some(&i) = index.get(&*v.metric) else {
                continue;
            };
            let Some(col) = self.column_of(v.month) else {
                continue;
            };
            if v.year == self.year {
                self.rows[i].values[col] = v.value;
                self.rows[i].notes[col] = v.note;
            } else {
                self.rows[i].prev[col] = v.value;
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

    /// The grid's lines: in yearly mode the national codes under their table's and row's
    /// official headings (short labels in the rows), any other yearly metric after them;
    /// in monthly mode just the rows.
    fn build_lines(&mut self) {
        self.lines.clear();
        self.line_of.clear();
        let mut table = "";
        let mut section = String::new();
        for (i, row) in self.rows.iter_mut().enumerate() {
            if self.mode == EntryMode::Yearly {
                let (t, s, label) = match national_place(&row.metric.code) {
                    Some(p) => (p.table, p.section, p.label),
                    None => ("其他年度指标", String::new(), row.metric.name.clone()),
                };
                if t != table {
                    self.lines.push(Line::Heading {
                        text: t.to_string(),
                        level: 0,
                    });
                    table = t;
                    section.clear();
                }
                if !s.is_empty() && s != section {
                    self.lines.push(Line::Heading {
                        text: s.clone(),
                        level: 1,
                    });
                    section = s;
                }
                row.label = label;
            }
            self.line_of.push(self.lines.len());
            self.lines.push(Line::Row(i));
        }
    }

    /// The column a stored month goes in (`None`: not this mode's).
    fn column_of(&self, month: u8) -> Option<usize> {
        match (self.mode, month) {
            (EntryMode::Monthly, 1..=12) => Some(usize::from(month) - 1),
            (EntryMode::Yearly, 0) => Some(0),
            _ => None,
        }
    }

    /// The month a column is stored as (0 for the year).
    fn month_of(&self, col: usize) -> u8 {
        match self.mode {
            EntryMode::Monthly => col as u8 + 1,
            EntryMode::Yearly => 0,
        }
    }

    fn columns(&self) -> usize {
        self.mode.columns()
    }

    /// The status that governs a column: its month's, or December's for the year.
    fn status_of(&self, col: usize) -> MonthStatus {
        match self.mode {
            EntryMode::Monthly => self.status[col.min(11)],
            EntryMode::Yearly => self.status[11],
        }
    }

    // ----- state, for the screen and for tests ------------------------------------

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The headings shown above the rows (yearly mode), in order.
    pub fn headings(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter_map(|l| match l {
                Line::Heading { text, .. } => Some(text.as_str()),
                Line::Row(_) => None,
            })
            .collect()
    }

    /// (row, column): a month index 0–11, or 0 for the year.
    pub fn cursor(&self) -> (usize, usize) {
        self.cursor
    }

    pub fn set_cursor(&mut self, row: usize, col: usize) {
        self.move_to(row, col);
    }

    /// Whether the cursor cell was wholly on screen in the last frame (the grid scrolls
    /// to it when it moves).
    pub fn cursor_on_screen(&self) -> bool {
        self.cursor_on_screen
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

    /// Whether the signed-in role may change a column (the store decides for real).
    fn editable(&self, col: usize) -> bool {
        match self.status_of(col) {
            MonthStatus::Open => self.role != Role::Leader,
            MonthStatus::Submitted => self.role == Role::Office,
            MonthStatus::Locked => false,
        }
    }

    fn closed_reason(&self, col: usize) -> String {
        let what = match self.mode {
            EntryMode::Monthly => format!("{}月", col + 1),
            EntryMode::Yearly => "年度数据（随12月）".to_string(),
        };
        match self.status_of(col) {
            MonthStatus::Locked => format!("{what}已锁定，不能修改"),
            MonthStatus::Submitted => {
                format!("{what}已报送，不能修改（如需更正请联系办公室解锁）")
            }
            MonthStatus::Open => "领导只能查看，不能修改数据".into(),
        }
    }

    fn division_name(&self) -> String {
        self.divisions
            .iter()
            .find(|d| d.code == self.division)
            .map_or_else(|| self.division.clone(), |d| d.name.clone())
    }

    // ----- the screen around the grid ----------------------------------------------

    /// Draws the screen and applies the user's input.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        self.toolbar(ui, store, actor);
        egui::Panel::bottom("entry-bottom")
            .resizable(true)
            .default_size(230.0)
            .show(ui, |ui| {
                ui.columns(2, |cols| {
                    match self.mode {
                        EntryMode::Monthly => self.chart(&mut cols[0]),
                        EntryMode::Yearly => self.year_detail(&mut cols[0]),
                    }
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
            if self.offers_yearly() {
                for mode in [EntryMode::Monthly, EntryMode::Yearly] {
                    if ui
                        .selectable_label(self.mode == mode, mode.label())
                        .clicked()
                    {
                        self.set_mode(store, mode);
                    }
                }
            }
            if self.can_pick_division {
                let before = self.division.clone();
                let name = self.division_name();
                let label = ui.label("处室：");
                egui::ComboBox::from_id_salt("entry-division")
                    .selected_text(name)
                    .show_ui(ui, |ui| {
                        for d in &self.divisions {
                            ui.selectable_value(&mut self.division, d.code.clone(), &d.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if before != self.division {
                    self.reload(store);
                }
            } else {
                ui.strong(self.division_name());
            }
            ui.separator();
            match self.mode {
                EntryMode::Monthly => self.submit_ui(ui, store, actor),
                EntryMode::Yearly => {
                    ui.label(format!(
                        "年度数据随12月状态：{}",
                        status_text(self.status[11])
                    ));
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

    /// The cursor month's status and its 报送 button (with a confirmation).
    fn submit_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
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
        let points = |vals: &[Option<Decimal>]| -> Vec<[f64; 2]> {
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

    /// Yearly mode: the selected figure in full, with last year's.
    fn year_detail(&self, ui: &mut egui::Ui) {
        let Some(r) = self.rows.get(self.cursor.0) else {
            return;
        };
        let places = r.metric.kind.places();
        let shown =
            |v: Option<Decimal>| v.map_or_else(|| "（未填）".into(), |v| value::format(v, places));
        ui.strong(&r.metric.name);
        ui.label(format!("代码：{}　单位：{}", r.metric.code, r.metric.unit));
        ui.label(format!("{}年：{}", self.year, shown(r.values[0])));
        ui.label(format!("{}年：{}", self.year - 1, shown(r.prev[0])));
        let change = paint::change_text(r.values[0], r.prev[0]);
        if !change.is_empty() {
            ui.label(format!("同比：{change}"));
        }
    }

    fn narrative_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        let heading = ui
            .horizontal(|ui| {
                let heading = ui.strong(format!("{}年工作亮点（用于年度总结）", self.year));
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
                heading
            })
            .inner;
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
                .labelled_by(heading.id)
            })
            .inner;
        if r.lost_focus() && self.narrative != self.narrative_saved {
            self.save_narrative(store, actor);
        }
    }
}
