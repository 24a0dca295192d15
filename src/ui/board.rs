//! 报送情况: the office's control room. Divisions × months with their status (未填 /
//! 填写中 / 已报送 / 已锁定) and counts; for the chosen month, the divisions still missing
//! with their contacts' names and phones, copyable as a reminder; lock and unlock (with a
//! reason, which the store writes to the audit log); 生成填报表 and 导入填报表 for the
//! divisions that work in Excel ([`super::sheets`]).
//!
//! The year is read in the background ([`BoardData::read`] in a
//! [`BackgroundRead`]) so a big file never stalls a frame; the previous figures stay up,
//! with a spinner, until the new ones arrive.

use std::collections::{HashMap, HashSet};

use egui::{Color32, RichText};

use crate::model::{Division, MonthStatus, Period, Role, User};
use crate::store::{Actor, Store, StoreError};

use super::sheets::{MakeSheets, TakeReturns};
use super::widgets::{self, BackgroundRead, OpenYears};

/// A cell of the board as the office sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardState {
    /// 未填: open, nothing entered.
    Empty,
    /// 填写中: open, something entered.
    InProgress,
    /// 已报送
    Submitted,
    /// 已锁定
    Locked,
}

impl BoardState {
    pub fn label(self) -> &'static str {
        match self {
            BoardState::Empty => "未填",
            BoardState::InProgress => "填写中",
            BoardState::Submitted => "已报送",
            BoardState::Locked => "已锁定",
        }
    }

    fn color(self) -> Color32 {
        match self {
            BoardState::Empty => Color32::from_rgb(0xd0, 0x30, 0x30),
            BoardState::InProgress => Color32::from_rgb(0xd0, 0x80, 0x00),
            BoardState::Submitted => widgets::OK_COLOR,
            BoardState::Locked => Color32::from_rgb(0x70, 0x70, 0x70),
        }
    }
}

/// "Open this division's month in the grid."
pub struct OpenDivision {
    pub year: i32,
    pub division: String,
    pub month: u8,
}

/// What the board shows of a year, read by a background job on its own connection.
#[derive(Debug, Clone, Default)]
pub struct BoardData {
    /// Divisions with monthly metrics, in order.
    divisions: Vec<Division>,
    contacts: HashMap<String, Vec<User>>,
    states: HashMap<(String, u8), BoardState>,
}

impl BoardData {
    /// Reads a year's board: the catalogue's owners, month statuses, and which months
    /// have any value (one grouped query — never the year's values themselves).
    pub fn read(store: &Store, year: i32) -> Result<BoardData, StoreError> {
        let metrics = store.metrics(year)?;
        let monthly: HashSet<&str> = metrics
            .iter()
            .filter(|m| m.period == Period::Monthly && !m.is_formula())
            .flat_map(|m| m.owners.iter().map(String::as_str))
            .collect();
        let divisions: Vec<Division> = store
            .divisions()?
            .into_iter()
            .filter(|d| monthly.contains(d.code.as_str()))
            .collect();
        let statuses = store.month_statuses(year)?;
        let filled = store.filled_months(year)?;
        let mut states = HashMap::new();
        for d in &divisions {
            for m in 1..=12u8 {
                let key = (d.code.clone(), m);
                let s = match statuses.get(&key) {
                    Some(MonthStatus::Locked) => BoardState::Locked,
                    Some(MonthStatus::Submitted) => BoardState::Submitted,
                    _ if filled.contains(&key) => BoardState::InProgress,
                    _ => BoardState::Empty,
                };
                states.insert(key, s);
            }
        }
        let mut contacts: HashMap<String, Vec<User>> = HashMap::new();
        for u in store.users()? {
            if u.role == Role::Contact
                && u.active
                && let Some(d) = u.division.clone()
            {
                contacts.entry(d).or_default().push(u);
            }
        }
        Ok(BoardData {
            divisions,
            contacts,
            states,
        })
    }
}

pub struct Board {
    pub year: i32,
    years: Vec<i32>,
    data: BoardData,
    /// Reading the year in the background; the last data stays on screen meanwhile.
    loading: BackgroundRead<BoardData>,
    /// Whether a load has finished since the year was chosen.
    loaded: bool,
    /// (division index, month 1–12)
    selected: (usize, u8),
    reason: String,
    notice: Option<Result<String, String>>,
    role: Role,
    /// The 生成填报表 window, while open.
    pub make_sheets: Option<MakeSheets>,
    /// The 导入填报表 window, while open.
    pub take_returns: Option<TakeReturns>,
}

impl Board {
    /// The board of the latest of the file's open `years`; its data arrives from a
    /// background job (see [`Board::loading`]), `ctx` is woken when it does.
    pub fn new(ctx: &egui::Context, store: &Store, actor: &Actor, years: &OpenYears) -> Board {
        let mut board = Board {
            year: years.latest(),
            years: years.all().to_vec(),
            data: BoardData::default(),
            loading: BackgroundRead::default(),
            loaded: false,
            selected: (0, 1),
            reason: String::new(),
            notice: None,
            role: actor.role,
            make_sheets: None,
            take_returns: None,
        };
        board.reload(ctx, store);
        board
    }

    /// Rereads statuses and values in the background.
    pub fn reload(&mut self, ctx: &egui::Context, store: &Store) {
        let year = self.year;
        self.loading.start(
            ctx,
            store.path().to_path_buf(),
            "读取报送情况",
            move |store| BoardData::read(store, year),
        );
    }

    /// Whether the year is still being read.
    pub fn loading(&self) -> bool {
        self.loading.busy()
    }

    /// Takes the background read's result when it has arrived.
    fn poll(&mut self) {
        if let Some(result) = self.loading.poll() {
            self.arrived(result);
        }
    }

    /// Waits for the background read (tests only; the screen polls).
    pub fn wait_loaded(&mut self) {
        if let Some(result) = self.loading.wait() {
            self.arrived(result);
        }
    }

    fn arrived(&mut self, result: Result<BoardData, String>) {
        match result {
            Ok(data) => {
                let first_load = !self.loaded;
                self.data = data;
                self.loaded = true;
                self.selected.0 = self
                    .selected
                    .0
                    .min(self.data.divisions.len().saturating_sub(1));
                if first_load {
                    // Start on the first month that is not locked everywhere.
                    self.selected.1 = (1..=12)
                        .find(|&m| {
                            self.data
                                .divisions
                                .iter()
                                .any(|d| self.state(&d.code, m) != BoardState::Locked)
                        })
                        .unwrap_or(12);
                }
            }
            Err(e) => self.notice = Some(Err(e)),
        }
    }

    pub fn state(&self, division: &str, month: u8) -> BoardState {
        self.data
            .states
            .get(&(division.to_string(), month))
            .copied()
            .unwrap_or(BoardState::Empty)
    }

    /// Selects a cell (tests and clicks).
    pub fn select(&mut self, division: &str, month: u8) {
        if let Some(i) = self.data.divisions.iter().position(|d| d.code == division) {
            self.selected = (i, month.clamp(1, 12));
        }
    }

    pub fn set_reason(&mut self, reason: &str) {
        self.reason = reason.to_string();
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// The divisions still missing `month` (not handed in), in board order.
    pub fn missing(&self, month: u8) -> Vec<&Division> {
        self.data
            .divisions
            .iter()
            .filter(|d| {
                matches!(
                    self.state(&d.code, month),
                    BoardState::Empty | BoardState::InProgress
                )
            })
            .collect()
    }

    /// The reminder message for `month` (催报消息), ready to paste into a chat or email.
    pub fn reminder(&self, month: u8) -> String {
        let missing = self.missing(month);
        if missing.is_empty() {
            return format!("{}年{month}月数据各处室均已报送。", self.year);
        }
        let list: Vec<String> = missing
            .iter()
            .map(|d| {
                let people: Vec<String> = self
                    .contacts(&d.code)
                    .map(|u| {
                        if u.phone.is_empty() {
                            u.display_name.clone()
                        } else {
                            format!("{} {}", u.display_name, u.phone)
                        }
                    })
                    .collect();
                if people.is_empty() {
                    d.name.clone()
                } else {
                    format!("{}（{}）", d.name, people.join("，"))
                }
            })
            .collect();
        format!(
            "各位同事：{}年{month}月政务公开数据尚未报送的处室有：{}。请于本周内在“年报”中填写并报送，谢谢！——办公室",
            self.year,
            list.join("；")
        )
    }

    /// A division's contacts (填报员), for the reminder and the missing list.
    fn contacts(&self, division: &str) -> impl Iterator<Item = &User> {
        self.data.contacts.get(division).into_iter().flatten()
    }

    fn selected_division(&self) -> Option<&Division> {
        self.data.divisions.get(self.selected.0)
    }

    /// 锁定 the selected cell.
    pub fn lock_selected(&mut self, ctx: &egui::Context, store: &mut Store, actor: &Actor) {
        let Some(d) = self.selected_division().map(|d| d.code.clone()) else {
            return;
        };
        let m = self.selected.1;
        let result = store.lock_month(actor, self.year, m, &d);
        self.after_write(ctx, store, result, format!("已锁定 {}年{m}月", self.year));
    }

    /// Shows a status change's outcome; after a change the board rereads.
    fn after_write(
        &mut self,
        ctx: &egui::Context,
        store: &Store,
        result: Result<(), StoreError>,
        done: String,
    ) {
        match result {
            Ok(()) => {
                self.notice = Some(Ok(done));
                self.reload(ctx, store);
            }
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
    }

    /// 解锁 the selected cell with the reason typed.
    pub fn unlock_selected(&mut self, ctx: &egui::Context, store: &mut Store, actor: &Actor) {
        let Some(d) = self.selected_division().map(|d| d.code.clone()) else {
            return;
        };
        let m = self.selected.1;
        let result = store.unlock_month(actor, self.year, m, &d, &self.reason);
        if result.is_ok() {
            self.reason.clear();
        }
        let done = format!("已解锁 {}年{m}月（已记入审计日志）", self.year);
        self.after_write(ctx, store, result, done);
    }

    /// Locks every handed-in division of a month.
    fn lock_submitted(&mut self, ctx: &egui::Context, store: &mut Store, actor: &Actor, month: u8) {
        let codes: Vec<String> = self
            .data
            .divisions
            .iter()
            .filter(|d| self.state(&d.code, month) == BoardState::Submitted)
            .map(|d| d.code.clone())
            .collect();
        let mut done = 0;
        for code in &codes {
            match store.lock_month(actor, self.year, month, code) {
                Ok(()) => done += 1,
                Err(e) => {
                    self.notice = Some(Err(e.to_string()));
                    break;
                }
            }
        }
        if done == codes.len() {
            self.notice = Some(Ok(format!("已锁定 {month}月 已报送的 {done} 个处室")));
        }
        self.reload(ctx, store);
    }

    /// Draws the board. Returns a request to show a division's month in the grid.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        store: &mut Store,
        actor: &Actor,
    ) -> Option<OpenDivision> {
        self.poll();
        self.toolbar_ui(ui, store);
        self.sheets_ui(ui.ctx(), store, actor);
        if !self.loaded {
            return None;
        }
        widgets::notice_line(ui, &self.notice);
        ui.add_space(4.0);
        egui::ScrollArea::both()
            .id_salt("board-scroll")
            .max_height(ui.available_height() * 0.55)
            .show(ui, |ui| {
                egui::Grid::new("board-grid")
                    .striped(true)
                    .min_col_width(52.0)
                    .show(ui, |ui| self.grid_ui(ui));
            });
        ui.separator();
        let mut open = None;
        ui.columns(2, |cols| {
            open = self.selected_ui(&mut cols[0], store, actor);
            self.missing_ui(&mut cols[1]);
        });
        open
    }

    /// Opens the 生成填报表 window for the board's year.
    pub fn open_make_sheets(&mut self, store: &Store) {
        match MakeSheets::new(store, self.year) {
            Ok(w) => self.make_sheets = Some(w),
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
    }

    /// Opens the 导入填报表 window for the board's year.
    pub fn open_take_returns(&mut self) {
        self.take_returns = Some(TakeReturns::new(self.year));
    }

    /// The 填报表 windows, while open; the board is reread after an import.
    fn sheets_ui(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) {
        if let Some(w) = &mut self.make_sheets
            && !w.ui(ctx, store, actor)
        {
            self.make_sheets = None;
        }
        if let Some(w) = &mut self.take_returns {
            let (open, written) = w.ui(ctx, store, actor);
            if !open {
                self.take_returns = None;
            }
            if written {
                self.reload(ctx, store);
            }
        }
    }

    /// The year, 刷新, 填报表, and whether the year is being read.
    fn toolbar_ui(&mut self, ui: &mut egui::Ui, store: &Store) {
        let ctx = ui.ctx().clone();
        ui.horizontal(|ui| {
            if widgets::year_picker(ui, "board-year", &self.years, &mut self.year) {
                self.loaded = false;
                self.reload(&ctx, store);
            }
            if ui
                .add_enabled(!self.loading.busy(), egui::Button::new("刷新"))
                .clicked()
            {
                self.reload(&ctx, store);
            }
            if self.role == Role::Office {
                if ui
                    .button("生成填报表…")
                    .on_hover_text("为各处室生成 Excel 填报表，通过邮件发出")
                    .clicked()
                {
                    self.open_make_sheets(store);
                }
                if ui
                    .button("导入填报表…")
                    .on_hover_text("导入各处室交回的 Excel 填报表：先预览，确认后写入")
                    .clicked()
                {
                    self.open_take_returns();
                }
            }
            if self.loading.busy() {
                ui.spinner();
                ui.label(format!("正在读取{}年的报送情况…", self.year));
            } else {
                ui.label("点击单元格选择处室和月份。");
            }
        });
    }

    /// The divisions × months grid of states, with a month's totals at the bottom; a
    /// click selects a month or a cell.
    fn grid_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("处室");
        for m in 1..=12u8 {
            let t = RichText::new(format!("{m}月")).strong();
            if ui.selectable_label(self.selected.1 == m, t).clicked() {
                self.selected.1 = m;
            }
        }
        ui.end_row();
        for (i, d) in self.data.divisions.iter().enumerate() {
            ui.label(&d.name);
            for m in 1..=12u8 {
                let s = self.state(&d.code, m);
                let t = RichText::new(s.label()).color(s.color());
                if ui.selectable_label(self.selected == (i, m), t).clicked() {
                    self.selected = (i, m);
                }
            }
            ui.end_row();
        }
        ui.label("合计");
        for m in 1..=12u8 {
            let n = |want: BoardState| self.count(m, want);
            ui.label(
                RichText::new(format!(
                    "报{} 锁{} 缺{}",
                    n(BoardState::Submitted),
                    n(BoardState::Locked),
                    n(BoardState::Empty) + n(BoardState::InProgress)
                ))
                .small(),
            );
        }
        ui.end_row();
    }

    /// How many divisions are in state `want` for `month`.
    fn count(&self, month: u8, want: BoardState) -> usize {
        self.data
            .divisions
            .iter()
            .filter(|d| self.state(&d.code, month) == want)
            .count()
    }

    /// The selected cell: its state and, for the office, 锁定 / 去填报 / 解锁 and locking
    /// the month's handed-in divisions.
    fn selected_ui(
        &mut self,
        ui: &mut egui::Ui,
        store: &mut Store,
        actor: &Actor,
    ) -> Option<OpenDivision> {
        let month = self.selected.1;
        let d = self.selected_division().cloned()?;
        let s = self.state(&d.code, month);
        ui.strong(format!(
            "{} {}年{month}月：{}",
            d.name,
            self.year,
            s.label()
        ));
        if self.role != Role::Office {
            return None;
        }
        let ctx = ui.ctx().clone();
        let mut open = None;
        ui.horizontal(|ui| {
            if s != BoardState::Locked && ui.button("锁定").clicked() {
                self.lock_selected(&ctx, store, actor);
            }
            if ui.button("去填报/查看").clicked() {
                open = Some(OpenDivision {
                    year: self.year,
                    division: d.code.clone(),
                    month,
                });
            }
        });
        if matches!(s, BoardState::Submitted | BoardState::Locked) {
            ui.horizontal(|ui| {
                let label = ui.label("解锁原因：");
                ui.add(
                    egui::TextEdit::singleline(&mut self.reason)
                        .id_salt("unlock-reason")
                        .hint_text("如：处室申请更正3月数据"),
                )
                .labelled_by(label.id);
                if ui.button("解锁").clicked() {
                    self.unlock_selected(&ctx, store, actor);
                }
            });
        }
        let submitted = self.count(month, BoardState::Submitted);
        if submitted > 0
            && ui
                .button(format!("锁定{month}月全部已报送处室（{submitted} 个）"))
                .clicked()
        {
            self.lock_submitted(&ctx, store, actor, month);
        }
        open
    }

    /// Who is missing the selected month, and 复制催报消息.
    fn missing_ui(&mut self, ui: &mut egui::Ui) {
        let month = self.selected.1;
        let missing: Vec<Division> = self.missing(month).into_iter().cloned().collect();
        ui.strong(format!("{month}月尚未报送：{} 个处室", missing.len()));
        for d in &missing {
            let people: Vec<String> = self
                .contacts(&d.code)
                .map(|u| format!("{} {}", u.display_name, u.phone))
                .collect();
            ui.label(format!(
                "{}（{}）：{}",
                d.name,
                self.state(&d.code, month).label(),
                people.join("，")
            ));
        }
        if ui.button("复制催报消息").clicked() {
            ui.ctx().copy_text(self.reminder(month));
            self.notice = Some(Ok("催报消息已复制，可粘贴到微信或邮件".into()));
        }
    }
}
