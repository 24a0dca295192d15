//! 报告稿: the office writes the year's report and the leaders review it.
//!
//! The list shows the year's drafts with their status; 新建 starts one from a built-in
//! template (`approval::start`). An open draft is its source text (template markup: the
//! prose as typed, figures as live `figure(…)` calls) beside a paginated preview painted
//! from the layout's pages (`preview`). The office edits while the draft is 草稿 or 退回;
//! the text is saved a moment after typing stops and when the screen is left. Each change
//! of the text, and any change of the file's data (seen in the audit log, checked once a
//! second), recompiles the draft in a background job — compile, checks, layout, and for
//! an approved draft the frozen document and its drift — so the figures follow the data
//! and the UI never waits.
//!
//! Review (`review`): the office hands a draft in (送审); a leader comments on paragraphs,
//! returns it with a reason (退回) or approves it (审定, refused while errors remain); an
//! approved draft shows its frozen text with the figures that have drifted since marked,
//! and the office may start a new revision. Export writes the shown document (`export`).
//!
//! The parts: `view` (the compile job and what it hands back), `editor` (an open
//! draft's state: saving, recompiling, review steps, export), `panels` (drawing it),
//! `writing` (the two views, undo/redo, find and replace), `chips` and `rich_view` (the
//! 正文 view's buffer and widget), `picker` (插入数据), `history` (undo), `revisions`
//! (修订对比 of two saved versions).
//!
//! Must never: write SQL, decide permissions or statuses (the store and `draft` do), or
//! lay text out (`layout` does, through `preview`).

pub mod chips;
mod editor;
mod history;
mod panels;
mod picker;
pub mod revisions;
mod rich_view;
pub mod source_map;
mod view;
mod writing;

use std::sync::Arc;

use egui::RichText;

use crate::approval;
use crate::model::Role;
use crate::pipeline;
use crate::store::{Actor, Draft, Store};
use crate::style::FontNames;

pub use editor::{COMPILE_DELAY, DraftEditor, SAVE_DELAY, SaveState, clicked_line};
pub use view::{ApprovedView, DraftView, SourceError, build_view, check_options};
pub use writing::{FindBar, Mode};

use super::preview::PreviewFonts;
use super::provenance::{EntryJump, UserNames};
use super::review;
use super::widgets::{self, OpenYears};

/// The built-in templates a draft starts from: (id, name). An agency's store offers the
/// first two, a city office's the last (see [`templates_for`]).
pub const TEMPLATES: [(&str, &str); 3] = [
    ("annual-report", "政府信息公开工作年度报告"),
    ("work-summary", "政务公开工作总结"),
    (
        "city-annual-report",
        "政府信息公开工作年度报告（各单位汇总）",
    ),
];

/// The templates offered in an agency's store, or with `city` in a city office's.
pub fn templates_for(city: bool) -> &'static [(&'static str, &'static str)] {
    if city {
        &TEMPLATES[2..]
    } else {
        &TEMPLATES[..2]
    }
}

/// The 报告稿 tab. See the module doc.
pub struct DraftsScreen {
    pub year: i32,
    years: Vec<i32>,
    role: Role,
    drafts: Vec<Draft>,
    /// The templates offered (an agency's or a city's), and the one chosen.
    templates: &'static [(&'static str, &'static str)],
    template: usize,
    notice: Option<Result<String, String>>,
    fonts: Result<Arc<PreviewFonts>, String>,
    font_names: FontNames,
    users: UserNames,
    pub editor: Option<DraftEditor>,
}

impl DraftsScreen {
    /// The screen on the latest of the file's open `years`, with the fonts the file's
    /// reports use. A setting or user list that cannot be read is said on the screen.
    pub fn new(store: &Store, actor: &Actor, years: &OpenYears) -> DraftsScreen {
        let mut notice = None;
        let font_names = pipeline::font_names(store).unwrap_or_else(|e| {
            notice = Some(Err(format!("无法读取字体设置，按默认字体预览：{e}")));
            FontNames::default()
        });
        let fonts = pipeline::fonts(&font_names)
            .map(|f| Arc::new(PreviewFonts::new(Arc::new(f))))
            .map_err(|e| format!("字体加载失败，无法预览：{e}"));
        let users = match store.users() {
            Ok(users) => users
                .into_iter()
                .map(|u| (u.login, u.display_name))
                .collect(),
            Err(e) => {
                notice = Some(Err(format!("无法读取用户名单（显示登录名）：{e}")));
                UserNames::default()
            }
        };
        let mut screen = DraftsScreen {
            year: years.latest(),
            years: years.all().to_vec(),
            role: actor.role,
            drafts: Vec::new(),
            templates: templates_for(store.is_city().unwrap_or(false)),
            template: 0,
            notice,
            fonts,
            font_names,
            users,
            editor: None,
        };
        screen.reload(store);
        screen
    }

    pub fn reload(&mut self, store: &Store) {
        match store.drafts(Some(self.year)) {
            Ok(d) => self.drafts = d,
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
    }

    /// The year's drafts, newest first.
    pub fn drafts(&self) -> &[Draft] {
        &self.drafts
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// 新建: starts a draft of the year from template `template_id` and opens it.
    pub fn create(&mut self, store: &mut Store, actor: &Actor, template_id: &str) -> Option<i64> {
        match approval::start(store, actor, self.year, template_id, None) {
            Ok(id) => {
                self.notice = None;
                self.reload(store);
                self.open(store, id);
                Some(id)
            }
            Err(e) => {
                self.notice = Some(Err(e.to_string()));
                None
            }
        }
    }

    /// Opens a draft.
    pub fn open(&mut self, store: &Store, id: i64) {
        match store.draft(id) {
            Ok(d) => {
                self.year = d.year;
                self.editor = Some(DraftEditor::new(store, d, self.role));
            }
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
    }

    /// Leaving the screen: the text typed so far is saved.
    pub fn leave(&mut self, store: &mut Store, actor: &Actor) {
        if let Some(e) = &mut self.editor {
            e.save(store, actor);
        }
    }

    /// The fonts the preview paints with (the PDF's).
    pub fn fonts(&self) -> Option<&Arc<PreviewFonts>> {
        self.fonts.as_ref().ok()
    }

    pub fn font_names(&self) -> &FontNames {
        &self.font_names
    }

    /// Draws the screen. Returns a request to show the entry grid at a metric.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> Option<EntryJump> {
        let fonts = match &self.fonts {
            Ok(f) => f.clone(),
            Err(e) => {
                widgets::error_line(ui, Some(e));
                return None;
            }
        };
        if let Some(editor) = &mut self.editor {
            let out = editor.ui(ui, store, actor, &fonts, &self.font_names, &self.users);
            if out.back {
                editor.save(store, actor);
                self.editor = None;
                self.reload(store);
            } else if let Some(id) = out.open {
                self.reload(store);
                self.open(store, id);
            }
            return out.jump;
        }
        self.list_ui(ui, store, actor);
        None
    }

    fn list_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) {
        ui.horizontal(|ui| {
            if widgets::year_picker(ui, "drafts-year", &self.years, &mut self.year) {
                self.reload(store);
            }
            if ui.button("刷新").clicked() {
                self.reload(store);
            }
            if self.role == Role::Office {
                ui.separator();
                let label = ui.label("模板：");
                egui::ComboBox::from_id_salt("draft-template")
                    .selected_text(self.templates[self.template].1)
                    .show_ui(ui, |ui| {
                        for (i, (_, name)) in self.templates.iter().enumerate() {
                            ui.selectable_value(&mut self.template, i, *name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if ui.button("新建报告稿").clicked() {
                    self.create(store, actor, self.templates[self.template].0);
                }
            }
        });
        widgets::notice_line(ui, &self.notice);
        ui.add_space(6.0);
        if self.drafts.is_empty() {
            ui.label(match self.role {
                Role::Office => format!("{}年还没有报告稿。选择模板后点“新建报告稿”。", self.year),
                _ => format!("{}年还没有报告稿。", self.year),
            });
            return;
        }
        let mut open = None;
        egui::Grid::new("drafts-list")
            .striped(true)
            .num_columns(6)
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                for h in ["编号", "标题", "状态", "模板", "最后修改", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for d in &self.drafts {
                    ui.label(d.id.to_string());
                    ui.label(&d.title);
                    ui.label(RichText::new(d.status.label()).color(review::status_color(d.status)));
                    let template = TEMPLATES
                        .iter()
                        .find(|(id, _)| *id == d.template)
                        .map_or(d.template.as_str(), |(_, n)| n);
                    ui.label(match d.revision_of {
                        Some(of) => format!("{template}（修订自第 {of} 号）"),
                        None => template.to_string(),
                    });
                    let who = self.users.get(&d.updated_by).unwrap_or(&d.updated_by);
                    ui.label(format!("{who} {}", d.updated_at));
                    if ui.push_id(d.id, |ui| ui.button("打开")).inner.clicked() {
                        open = Some(d.id);
                    }
                    ui.end_row();
                }
            });
        if let Some(id) = open {
            self.open(store, id);
        }
    }
}
