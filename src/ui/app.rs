//! The app: owns the open store, the signed-in user and the screens, and switches
//! between them (welcome → sign-in → the role's tabs). Implements `eframe::App`; tests
//! and benchmarks drive [`App::show`] directly through egui_kittest.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::model::{Role, User};
use crate::store::{Actor, Store};

use super::agencies::AgenciesScreen;
use super::audit::AuditScreen;
use super::board::Board;
use super::catalogue::CatalogueEditor;
use super::divisions::DivisionsEditor;
use super::drafts::DraftsScreen;
use super::entry::{EntryGrid, EntryMode};
use super::import::ImportScreen;
use super::overview::Overview;
use super::provenance::EntryJump;
use super::register::RegisterScreen;
use super::settings::Settings;
use super::signin::{SignIn, SignInAction};
use super::users::UsersEditor;
use super::welcome::{Opening, Welcome};
use super::widgets::{self, OpenYears, YearsRead};

/// Which screen is up.
pub enum Screen {
    Welcome(Welcome),
    SignIn(SignIn),
    Session(Box<Session>),
}

/// The tabs a signed-in user sees; which ones depends on the role. A new screen is a
/// variant here (label, roles), a field on [`Session`] and an arm in `Session::ui`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// 报送情况
    Board,
    /// 数据填报 (monthly and yearly figures)
    Entry,
    /// 指标目录
    Catalogue,
    /// 处室
    Divisions,
    /// 用户
    Users,
    /// 导入表格
    Import,
    /// 审计日志
    Audit,
    /// 报告稿
    Drafts,
    /// 概览
    Overview,
    /// 依申请台账 (office only: the applicants' names are personal data)
    Register,
    /// 各单位: a city office's agencies, their reports and checks
    Agencies,
}

impl Tab {
    pub fn label(self) -> &'static str {
        match self {
            Tab::Board => "报送情况",
            Tab::Entry => "数据填报",
            Tab::Catalogue => "指标目录",
            Tab::Divisions => "处室",
            Tab::Users => "用户",
            Tab::Import => "导入表格",
            Tab::Audit => "审计日志",
            Tab::Drafts => "报告稿",
            Tab::Overview => "概览",
            Tab::Register => "依申请台账",
            Tab::Agencies => "各单位",
        }
    }

    /// Whether the tab shows one year of the file (and needs an open year).
    pub fn shows_a_year(self) -> bool {
        !matches!(
            self,
            Tab::Divisions | Tab::Users | Tab::Audit | Tab::Register
        )
    }

    /// The tabs of a role in an agency's store (`city` false) or a city office's, the
    /// first one shown after sign-in. A city office has no divisions of its own: it sees
    /// its agencies, writes the consolidated report and keeps its users.
    pub fn for_role(role: Role, city: bool) -> &'static [Tab] {
        if city {
            return match role {
                Role::Office => &[Tab::Agencies, Tab::Drafts, Tab::Users, Tab::Audit],
                Role::Leader | Role::Contact => &[Tab::Agencies, Tab::Drafts],
            };
        }
        match role {
            Role::Contact => &[Tab::Entry],
            Role::Office => &[
                Tab::Board,
                Tab::Entry,
                Tab::Drafts,
                Tab::Overview,
                Tab::Register,
                Tab::Catalogue,
                Tab::Divisions,
                Tab::Users,
                Tab::Import,
                Tab::Audit,
            ],
            // Leaders read the grid (read-only) when a figure's source takes them there.
            Role::Leader => &[
                Tab::Board,
                Tab::Drafts,
                Tab::Overview,
                Tab::Entry,
                Tab::Audit,
            ],
        }
    }
}

/// A signed-in user working on an open file. Each screen is made when its tab is first
/// shown and kept (with its state) until something it shows changes elsewhere.
pub struct Session {
    pub store: Store,
    pub user: User,
    pub actor: Actor,
    pub tab: Tab,
    /// The file's open years, read at sign-in and after a change: the year screens start
    /// on the latest, and show why instead when there is none (see `widgets::year_gate`).
    pub years: YearsRead,
    pub entry: Option<EntryGrid>,
    pub board: Option<Board>,
    pub catalogue: Option<CatalogueEditor>,
    pub divisions: Option<DivisionsEditor>,
    pub users: Option<UsersEditor>,
    pub import: Option<ImportScreen>,
    pub audit: Option<AuditScreen>,
    pub drafts: Option<DraftsScreen>,
    pub overview: Option<Overview>,
    pub register: Option<RegisterScreen>,
    pub agencies: Option<AgenciesScreen>,
    /// Whether the store is a city office's (see [`Tab::for_role`]).
    pub city: bool,
}

enum SessionAction {
    None,
    SignOut,
}

impl Session {
    pub fn new(store: Store, user: User, actor: Actor) -> Session {
        let city = store.is_city().unwrap_or(false);
        let tab = Tab::for_role(actor.role, city)[0];
        let years = widgets::read_years(&store);
        Session {
            store,
            user,
            actor,
            tab,
            years,
            entry: None,
            board: None,
            catalogue: None,
            divisions: None,
            users: None,
            import: None,
            audit: None,
            drafts: None,
            overview: None,
            register: None,
            agencies: None,
            city,
        }
    }

    /// Switches tab; leaving the drafts saves the text typed there.
    pub fn switch_to(&mut self, tab: Tab) {
        if self.tab == Tab::Drafts
            && tab != Tab::Drafts
            && let Some(d) = &mut self.drafts
        {
            d.leave(&mut self.store, &self.actor);
        }
        if tab == Tab::Overview
            && let Some(o) = &mut self.overview
        {
            o.reload();
        }
        self.tab = tab;
    }

    /// Shows the entry grid at a metric (a figure's 跳到填报, a check's 去填报): the
    /// division's month, or its yearly figures for a yearly metric (month 0).
    pub fn show_entry_at(&mut self, jump: &EntryJump) {
        let Ok(Some(years)) = &self.years else {
            // No year to show: the entry tab says why.
            self.switch_to(Tab::Entry);
            return;
        };
        let mut grid = EntryGrid::for_user(&self.store, &self.actor, years);
        let month = jump.month.clamp(1, 12);
        grid.show_division(&self.store, jump.year, &jump.division, month);
        if jump.month == 0 {
            grid.set_mode(&self.store, EntryMode::Yearly);
        }
        if let Some(row) = grid.row_of(&jump.metric) {
            let col = if jump.month == 0 {
                0
            } else {
                usize::from(month) - 1
            };
            grid.set_cursor(row, col);
        }
        self.entry = Some(grid);
        self.switch_to(Tab::Entry);
    }

    /// The file changed under the other screens (an import, a catalogue or organisation
    /// edit): drop them so they reread when next shown; `keep` is the one that changed it.
    fn invalidate(&mut self, keep: Tab) {
        self.years = widgets::read_years(&self.store);
        let Session {
            entry,
            board,
            catalogue,
            divisions,
            users,
            import: _,
            audit,
            overview,
            ..
        } = self;
        if keep != Tab::Entry {
            *entry = None;
        }
        if keep != Tab::Board {
            *board = None;
        }
        if keep != Tab::Catalogue {
            *catalogue = None;
        }
        if keep != Tab::Divisions {
            *divisions = None;
        }
        if keep != Tab::Users {
            *users = None;
        }
        *audit = None;
        // The drafts screen notices changes itself (it watches the audit log).
        *overview = None;
    }

    fn ui(&mut self, ui: &mut egui::Ui) -> SessionAction {
        let action = self.top_bar(ui);
        let mut jump = None;
        let changed = if self.tab.shows_a_year() {
            let mut retry = false;
            let years = widgets::year_gate(ui, &self.years, &mut retry).cloned();
            if retry {
                self.years = widgets::read_years(&self.store);
            }
            years.is_some_and(|years| self.year_screen_ui(ui, &years, &mut jump))
        } else {
            self.file_screen_ui(ui)
        };
        if changed {
            self.invalidate(self.tab);
        }
        if let Some(jump) = jump {
            self.show_entry_at(&jump);
        }
        action
    }

    /// The tabs, the user and 退出登录.
    fn top_bar(&mut self, ui: &mut egui::Ui) -> SessionAction {
        let mut action = SessionAction::None;
        egui::Panel::top("session-top").show(ui, |ui| {
            ui.horizontal(|ui| {
                for &tab in Tab::for_role(self.actor.role, self.city) {
                    if ui.selectable_label(self.tab == tab, tab.label()).clicked() {
                        self.switch_to(tab);
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("退出登录").clicked() {
                        self.switch_to(Tab::Board);
                        action = SessionAction::SignOut;
                    }
                    ui.label(format!(
                        "{}（{}）",
                        self.user.display_name,
                        self.actor.role.label()
                    ));
                });
            });
        });
        action
    }

    /// A screen of one year, made on the latest of `years`. Returns true when it changed
    /// the file under the others; `jump` is set to show a figure in the grid.
    fn year_screen_ui(
        &mut self,
        ui: &mut egui::Ui,
        years: &OpenYears,
        jump: &mut Option<EntryJump>,
    ) -> bool {
        let (store, actor) = (&mut self.store, &self.actor);
        match self.tab {
            Tab::Entry => {
                self.entry
                    .get_or_insert_with(|| EntryGrid::for_user(store, actor, years))
                    .ui(ui, store, actor);
                false
            }
            Tab::Board => {
                let board = self
                    .board
                    .get_or_insert_with(|| Board::new(ui.ctx(), store, actor, years));
                if let Some(open) = board.ui(ui, store, actor) {
                    // "去填报": show a division's month in the grid.
                    let grid = self
                        .entry
                        .get_or_insert_with(|| EntryGrid::for_user(store, actor, years));
                    grid.show_division(store, open.year, &open.division, open.month);
                    self.tab = Tab::Entry;
                }
                false
            }
            Tab::Catalogue => self
                .catalogue
                .get_or_insert_with(|| CatalogueEditor::new(store, years))
                .ui(ui, store, actor),
            Tab::Import => self
                .import
                .get_or_insert_with(|| ImportScreen::new(years))
                .ui(ui, store, actor),
            Tab::Drafts => {
                *jump = self
                    .drafts
                    .get_or_insert_with(|| DraftsScreen::new(store, actor, years))
                    .ui(ui, store, actor);
                false
            }
            Tab::Overview => {
                self.overview
                    .get_or_insert_with(|| Overview::new(years))
                    .ui(ui, store);
                false
            }
            Tab::Agencies => self
                .agencies
                .get_or_insert_with(|| AgenciesScreen::new(years))
                .ui(ui, store, actor),
            // Not a year tab (see `Tab::shows_a_year`): drawn as a tab of the whole file.
            Tab::Divisions | Tab::Users | Tab::Audit | Tab::Register => self.file_screen_ui(ui),
        }
    }

    /// A screen of the whole file (not of one year). Returns true when it changed the
    /// file under the others.
    fn file_screen_ui(&mut self, ui: &mut egui::Ui) -> bool {
        let (store, actor) = (&mut self.store, &self.actor);
        match self.tab {
            Tab::Divisions => self
                .divisions
                .get_or_insert_with(|| DivisionsEditor::new(store))
                .ui(ui, store, actor),
            Tab::Users => self
                .users
                .get_or_insert_with(|| UsersEditor::new(store))
                .ui(ui, store, actor),
            Tab::Audit => {
                self.audit
                    .get_or_insert_with(|| AuditScreen::new(ui.ctx(), store))
                    .ui(ui, store);
                false
            }
            Tab::Register => self
                .register
                .get_or_insert_with(|| {
                    RegisterScreen::new(store, actor, chrono::Local::now().date_naive())
                })
                .ui(ui, store, actor),
            // The year tabs are drawn by `year_screen_ui`, behind the year gate.
            _ => false,
        }
    }
}

/// The whole app.
pub struct App {
    pub settings: Settings,
    pub screen: Screen,
    /// When the process started, to report the time to the first frame.
    pub started: Option<Instant>,
    title: String,
}

impl App {
    /// Opens `db`, else the last file, else the welcome screen.
    pub fn new(settings: Settings, db: Option<PathBuf>) -> App {
        let mut app = App {
            screen: Screen::Welcome(Welcome::new(None, settings.last_server.as_deref())),
            settings,
            started: None,
            title: String::new(),
        };
        let target = db.or_else(|| {
            app.settings
                .last_db
                .clone()
                .filter(|p: &PathBuf| p.exists())
        });
        if let Some(path) = target {
            app.open(&path);
        }
        app
    }

    /// Opens a data file and shows the sign-in; on failure the welcome screen shows why.
    pub fn open(&mut self, path: &Path) {
        self.opened(path, Store::open(path));
    }

    /// Shows the sign-in of a store opened at `path` (here or in the background), or the
    /// welcome screen with why it could not be.
    fn opened(&mut self, path: &Path, store: crate::store::Result<Store>) {
        match store.and_then(SignIn::new) {
            Ok(signin) => {
                self.settings.remember(path);
                self.screen = Screen::SignIn(signin);
            }
            Err(e) => {
                // A server that refused keeps the address typed (not the password).
                let tried = crate::store::server_url(path)
                    .and_then(crate::store::ServerAddress::parse)
                    .map(|a| a.remembered())
                    .or_else(|| self.settings.last_server.clone());
                self.screen = Screen::Welcome(Welcome::new(Some(e.to_string()), tried.as_deref()))
            }
        }
    }

    /// The session, when someone is signed in.
    pub fn session(&mut self) -> Option<&mut Session> {
        match &mut self.screen {
            Screen::Session(s) => Some(s),
            _ => None,
        }
    }

    /// Draws the app into `ui` (the whole window).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let mut next: Option<Screen> = None;
        match &mut self.screen {
            Screen::Welcome(w) => match w.ui(ui) {
                Some(Opening::Path(path)) => self.open(&path),
                Some(Opening::Connected(path, store)) => self.opened(&path, Ok(store)),
                None => {}
            },
            Screen::SignIn(s) => match s.ui(ui) {
                SignInAction::None => {}
                SignInAction::ChangeFile => {
                    next = Some(Screen::Welcome(Welcome::new(
                        None,
                        self.settings.last_server.as_deref(),
                    )))
                }
                SignInAction::SignedIn => {
                    if let Screen::SignIn(s) = std::mem::replace(
                        &mut self.screen,
                        Screen::Welcome(Welcome::new(None, self.settings.last_server.as_deref())),
                    ) {
                        next = Some(match s.into_signed_in() {
                            Ok((store, user, actor)) => {
                                Screen::Session(Box::new(Session::new(store, user, actor)))
                            }
                            Err(signin) => Screen::SignIn(*signin),
                        });
                    }
                }
            },
            Screen::Session(session) => match session.ui(ui) {
                SessionAction::None => {}
                SessionAction::SignOut => {
                    if let Screen::Session(s) = std::mem::replace(
                        &mut self.screen,
                        Screen::Welcome(Welcome::new(None, self.settings.last_server.as_deref())),
                    ) {
                        next = Some(match SignIn::new(s.store) {
                            Ok(signin) => Screen::SignIn(signin),
                            Err(e) => Screen::Welcome(Welcome::new(
                                Some(e.to_string()),
                                self.settings.last_server.as_deref(),
                            )),
                        });
                    }
                }
            },
        }
        if let Some(screen) = next {
            self.screen = screen;
            ui.ctx().request_repaint();
        }
        self.update_title(ui.ctx());
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.screen {
            Screen::Welcome(_) => "年报".to_string(),
            Screen::SignIn(s) => format!("年报 — {}", file_name(s.store().path())),
            Screen::Session(s) => format!(
                "年报 — {} — {}",
                file_name(s.store.path()),
                s.user.display_name
            ),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The window title as last set.
    pub fn title(&self) -> &str {
        &self.title
    }
}

/// The file's name, or the server without the password.
fn file_name(path: &Path) -> String {
    if crate::store::server_url(path).is_some() {
        return crate::store::location(path);
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| self.show(ui));
        if let Some(started) = self.started.take() {
            eprintln!(
                "nianbao: first frame after {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}
