//! 报告稿: the office writes the year's report and the leaders review it.
//!
//! The list shows the year's drafts with their status; 新建 starts one from a built-in
//! template (`draft::start`). An open draft is its source text (template markup: the
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
//! Must never: write SQL, decide permissions or statuses (the store and `draft` do), or
//! lay text out (`layout` does, through `preview`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Color32, RichText};

use crate::catalog::Role;
use crate::check::{self, CheckOptions, Finding, Severity};
use crate::compile::CompileError;
use crate::document::{Block, Document, Run};
use crate::draft::{self, DraftError, Drift};
use crate::jobs::{Job, Reporter};
use crate::layout::FontSet;
use crate::report;
use crate::store::{Actor, AuditFilter, Draft, DraftComment, DraftStatus, Store, YearData};
use crate::style::FontNames;

use super::export::{self, Format};
use super::preview::{
    FigureRef, Marks, PreviewFonts, PreviewModel, PreviewView, TextHit, origin_block,
};
use super::provenance::{self, EntryJump, UserNames};
use super::review::{self, ReviewAction, SideAction, SideTab};
use super::widgets;

/// The built-in templates a draft starts from: (id, name).
pub const TEMPLATES: [(&str, &str); 2] = [
    ("annual-report", "政府信息公开工作年度报告"),
    ("work-summary", "政务公开工作总结"),
];

/// Quiet time after typing before the preview is recompiled.
pub const COMPILE_DELAY: Duration = Duration::from_millis(300);
/// Quiet time after typing before the text is saved (each save keeps the old text in
/// the audit log, so not at every keystroke).
pub const SAVE_DELAY: Duration = Duration::from_millis(1500);
/// How often the file is asked whether its data changed.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// The checks a draft is reviewed and approved under: every month up to today is due.
pub fn check_options() -> CheckOptions {
    CheckOptions {
        as_of: Some(chrono::Local::now().date_naive()),
        ..CheckOptions::default()
    }
}

/// A template error in the draft's text.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceError {
    pub message: String,
    /// 0-based line of the text, when known.
    pub line: Option<usize>,
}

/// The approved text of a draft and what has changed since.
#[derive(Debug, Clone)]
pub struct ApprovedView {
    pub approved_by: String,
    pub approved_at: String,
    /// The frozen document, laid out.
    pub model: Arc<PreviewModel>,
    /// Figures of the frozen document whose value is no longer the approved one.
    pub drift: Vec<Drift>,
    /// The same figures as boxes of `model`.
    pub drifted: HashSet<FigureRef>,
}

/// A draft compiled and checked in the background: what the editor shows.
#[derive(Debug, Clone)]
pub struct DraftView {
    /// The text that was compiled.
    pub source: String,
    /// The year's data (for the provenance pop-up: who entered what, when).
    pub data: YearData,
    /// Today's document of the text, laid out; an error when the text does not compile.
    pub current: Result<Arc<PreviewModel>, SourceError>,
    /// The year's data checks, then the compiler's warnings; errors first.
    pub findings: Vec<Finding>,
    /// Prose against data (typed numbers that contradict or copy a figure, sentences
    /// copied from last year). Empty until `prose` is wired in here by `build_view`; the
    /// checks panel already lists these after `findings`.
    pub prose: Vec<Finding>,
    /// Errors that stand in the way of approval (`draft::Review::blocking`).
    pub blocking: usize,
    pub approval: Option<ApprovedView>,
}

/// Compiles `draft` (with its text as given) over the file's data now, checks it, lays
/// it out with `fonts`, and for an approved draft lays out the frozen document and finds
/// its drift. Opens its own connection: this runs in a job.
pub fn build_view(db: &Path, draft: &Draft, fonts: &FontSet) -> Result<DraftView, String> {
    let store = Store::open(db).map_err(|e| e.to_string())?;
    let data = draft::year_data(&store, draft.year).map_err(|e| e.to_string())?;
    let options = check_options();
    let (current, mut findings, blocking) = match draft::review(&store, draft, &data, &options) {
        Ok(r) => {
            let blocking = r.blocking();
            let model = PreviewModel::build(r.compiled.document, fonts);
            (Ok(Arc::new(model)), r.findings, blocking)
        }
        Err(DraftError::Compile(e)) => {
            let findings = check::check(&data, &options);
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            (Err(source_error(&e)), findings, errors + 1)
        }
        Err(e) => return Err(e.to_string()),
    };
    findings.sort_by_key(|f| f.severity);
    let approval = store
        .approval(draft.id)
        .map_err(|e| e.to_string())?
        .map(|a| {
            let drift = match &current {
                Ok(now) => draft::drift(&a.document, &now.document),
                Err(_) => Vec::new(),
            };
            let model = PreviewModel::build(a.document, fonts);
            let drifted = drifted_boxes(&model, &drift);
            ApprovedView {
                approved_by: a.approved_by,
                approved_at: a.approved_at,
                model: Arc::new(model),
                drift,
                drifted,
            }
        });
    Ok(DraftView {
        source: draft.source.clone(),
        data,
        current,
        findings,
        prose: Vec::new(),
        blocking,
        approval,
    })
}

fn source_error(e: &CompileError) -> SourceError {
    match e {
        CompileError::Template {
            line,
            column,
            message,
            ..
        } => SourceError {
            message: format!("第 {line} 行第 {column} 列：{message}"),
            line: line.checked_sub(1),
        },
        e => SourceError {
            message: e.to_string(),
            line: None,
        },
    }
}

/// The figure boxes of the approved document that show a drifted value.
fn drifted_boxes(model: &PreviewModel, drift: &[Drift]) -> HashSet<FigureRef> {
    model
        .figure_boxes()
        .filter_map(|(_, _, r)| {
            let f = model.figure(r)?;
            let block = origin_block(r.origin)?;
            drift
                .iter()
                .any(|d| {
                    d.block == block
                        && d.metric_code == f.provenance.metric_code
                        && d.approved == f.text
                })
                .then_some(r)
        })
        .collect()
}

/// Whether the text in the editor is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Saved,
    Unsaved,
    Failed(String),
}

/// One open draft. See the module doc.
pub struct DraftEditor {
    pub draft: Draft,
    /// The text in the editor (may be ahead of the file; see [`SaveState`]).
    pub source: String,
    saved: String,
    pub save_state: SaveState,
    edited_at: Option<Instant>,
    job: Option<Job<Result<DraftView, String>>>,
    /// The text of the running or last finished job.
    compiled: Option<String>,
    /// The data changed: compile again even if the text did not.
    stale: bool,
    pub view: Option<DraftView>,
    /// The last document that compiled (kept while the text has an error).
    last_good: Option<Arc<PreviewModel>>,
    job_error: Option<String>,
    pub preview: PreviewView,
    pub selected_block: Option<usize>,
    /// The figure whose provenance window is open.
    pub pinned: Option<FigureRef>,
    pub side: SideTab,
    pub comments: Vec<DraftComment>,
    pub comment_text: String,
    pub return_reason: String,
    asking_reason: bool,
    pub notice: Option<Result<String, String>>,
    export: Option<Job<Result<PathBuf, String>>>,
    audit_seen: Option<i64>,
    polled_at: Option<Instant>,
    scroll_source_to: Option<usize>,
    /// The source editor's widget id (tests move its cursor).
    pub source_edit_id: Option<egui::Id>,
    role: Role,
}

/// What the editor asks of the screen around it.
#[derive(Default)]
struct EditorOutcome {
    back: bool,
    jump: Option<EntryJump>,
    open: Option<i64>,
}

impl DraftEditor {
    fn new(store: &Store, draft: Draft, role: Role) -> DraftEditor {
        let mut editor = DraftEditor {
            source: draft.source.clone(),
            saved: draft.source.clone(),
            draft,
            save_state: SaveState::Saved,
            edited_at: None,
            job: None,
            compiled: None,
            stale: true,
            view: None,
            last_good: None,
            job_error: None,
            preview: PreviewView::default(),
            selected_block: None,
            pinned: None,
            side: SideTab::Checks,
            comments: Vec::new(),
            comment_text: String::new(),
            return_reason: String::new(),
            asking_reason: false,
            notice: None,
            export: None,
            audit_seen: None,
            polled_at: None,
            scroll_source_to: None,
            source_edit_id: None,
            role,
        };
        editor.audit_seen = latest_audit(store);
        editor.reload(store);
        editor
    }

    /// Whether the signed-in user may change the text now.
    pub fn editable(&self) -> bool {
        self.role == Role::Office && self.draft.status.editable()
    }

    /// Whether a compile is running or due.
    pub fn busy(&self) -> bool {
        self.job.is_some()
            || self.stale
            || self.compiled.as_deref() != Some(self.source.as_str())
            || self.export.is_some()
    }

    /// The document the preview shows: the frozen one of an approved draft, else the
    /// text compiled over today's data (the last one that compiled).
    pub fn shown(&self) -> Option<Arc<PreviewModel>> {
        if self.draft.status == DraftStatus::Approved
            && let Some(a) = self.view.as_ref().and_then(|v| v.approval.as_ref())
        {
            return Some(a.model.clone());
        }
        self.last_good.clone()
    }

    /// Replaces the text, as typing would (tests; the editor's own typing does the same).
    pub fn set_source(&mut self, source: &str) {
        if self.editable() && source != self.source {
            self.source = source.to_string();
            self.touched();
        }
    }

    fn touched(&mut self) {
        self.edited_at = Some(Instant::now());
        self.save_state = SaveState::Unsaved;
    }

    /// Rereads the draft's status and comments.
    fn reload(&mut self, store: &Store) {
        match store.draft(self.draft.id) {
            Ok(d) => {
                if self.source == self.saved {
                    self.source = d.source.clone();
                    self.saved = d.source.clone();
                }
                self.draft = d;
            }
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
        self.comments = store.draft_comments(self.draft.id).unwrap_or_default();
        self.stale = true;
    }

    /// Saves the text if it changed. Returns false when the store refused.
    pub fn save(&mut self, store: &mut Store, actor: &Actor) -> bool {
        if self.source == self.saved || !self.editable() {
            return true;
        }
        match store.save_draft_source(actor, self.draft.id, &self.source) {
            Ok(()) => {
                self.saved = self.source.clone();
                self.save_state = SaveState::Saved;
                self.audit_seen = latest_audit(store);
                true
            }
            Err(e) => {
                self.save_state = SaveState::Failed(e.to_string());
                false
            }
        }
    }

    /// Background work each frame: finished jobs, data changes, saving, recompiling.
    fn tick(
        &mut self,
        ctx: &egui::Context,
        store: &mut Store,
        actor: &Actor,
        fonts: &Arc<FontSet>,
    ) {
        if let Some(job) = &mut self.job
            && let Some(result) = job.poll()
        {
            self.job = None;
            match result.and_then(|r| r) {
                Ok(view) => {
                    if let Ok(model) = &view.current {
                        self.last_good = Some(model.clone());
                    }
                    self.job_error = None;
                    self.view = Some(view);
                }
                Err(e) => self.job_error = Some(e),
            }
        }
        if let Some(job) = &mut self.export
            && let Some(result) = job.poll()
        {
            self.export = None;
            self.notice = Some(match result.and_then(|r| r) {
                Ok(path) => Ok(format!("已导出：{}", path.display())),
                Err(e) => Err(format!("导出失败：{e}")),
            });
        }
        let now = Instant::now();
        if self.polled_at.is_none_or(|t| now - t >= POLL_EVERY) {
            self.polled_at = Some(now);
            let latest = latest_audit(store);
            if latest != self.audit_seen {
                self.audit_seen = latest;
                self.reload(store);
            }
        }
        ctx.request_repaint_after(POLL_EVERY);
        let quiet = self.edited_at.map_or(Duration::MAX, |t| now - t);
        if self.source != self.saved && self.editable() {
            if quiet >= SAVE_DELAY {
                self.save(store, actor);
            } else {
                ctx.request_repaint_after(SAVE_DELAY - quiet);
            }
        }
        let due = self.stale || self.compiled.as_deref() != Some(self.source.as_str());
        if due && self.job.is_none() {
            if quiet >= COMPILE_DELAY {
                self.spawn(ctx, store, fonts);
            } else {
                ctx.request_repaint_after(COMPILE_DELAY - quiet);
            }
        }
    }

    fn spawn(&mut self, ctx: &egui::Context, store: &Store, fonts: &Arc<FontSet>) {
        let db = store.path().to_path_buf();
        let mut draft = self.draft.clone();
        draft.source = self.source.clone();
        let fonts = fonts.clone();
        let ctx = ctx.clone();
        self.stale = false;
        self.compiled = Some(self.source.clone());
        self.job = Some(Job::spawn(
            "编译报告稿",
            Arc::new(move || ctx.request_repaint()),
            move |_: &Reporter| build_view(&db, &draft, &fonts),
        ));
    }

    /// Starts writing the shown document to `path` in the background.
    pub fn export_to(
        &mut self,
        ctx: &egui::Context,
        format: Format,
        path: PathBuf,
        fonts: &Arc<FontSet>,
        names: &FontNames,
    ) {
        let Some(model) = self.shown() else {
            self.notice = Some(Err("报告稿还没有排版好，请稍候再导出".into()));
            return;
        };
        self.notice = None;
        self.export = Some(export::spawn(
            ctx,
            model.document.clone(),
            format,
            path,
            fonts.clone(),
            names.clone(),
        ));
    }

    /// Takes a review step. Returns the id of a new revision to open.
    pub fn act(&mut self, action: ReviewAction, store: &mut Store, actor: &Actor) -> Option<i64> {
        let id = self.draft.id;
        let result = match action {
            ReviewAction::Submit => {
                if !self.save(store, actor) {
                    return None;
                }
                store
                    .submit_draft(actor, id)
                    .map(|()| "已送审，等待领导审定".to_string())
                    .map_err(|e| e.to_string())
            }
            ReviewAction::Return => {
                if !self.asking_reason {
                    self.asking_reason = true;
                    return None;
                }
                let r = store
                    .return_draft(actor, id, &self.return_reason)
                    .map(|()| "已退回办公室修改".to_string())
                    .map_err(|e| e.to_string());
                if r.is_ok() {
                    self.asking_reason = false;
                    self.return_reason.clear();
                }
                r
            }
            ReviewAction::Approve => draft::approve(store, actor, id, &check_options())
                .map(|_| "已审定：文字和数字已冻结".to_string())
                .map_err(|e| {
                    self.side = SideTab::Checks;
                    e.to_string()
                }),
            ReviewAction::Revise => match store.revise_draft(actor, id) {
                Ok(new) => return Some(new),
                Err(e) => Err(e.to_string()),
            },
        };
        self.notice = Some(result);
        self.reload(store);
        None
    }

    fn comment(&mut self, store: &mut Store, actor: &Actor, text: &str) {
        let Some(block) = self.selected_block else {
            return;
        };
        let quote = self
            .shown()
            .map(|m| review::quote(&m.document, block))
            .unwrap_or_default();
        match store.comment_draft(actor, self.draft.id, Some(block), &quote, text) {
            Ok(_) => {
                self.comment_text.clear();
                self.notice = Some(Ok("批注已保存".into()));
                self.comments = store.draft_comments(self.draft.id).unwrap_or_default();
                self.audit_seen = latest_audit(store);
            }
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
    }

    /// Shows a paragraph: selects it in the preview and, for the office, its source line.
    pub fn locate(&mut self, block: usize) {
        self.selected_block = Some(block);
        if let Some(model) = self.shown() {
            self.preview.scroll_to_block(&model, block);
            if self.role == Role::Office {
                self.scroll_source_to = draft::source_line(&self.source, &model.document, block);
            }
        }
    }

    /// The source line the editor was last asked to show (tests).
    pub fn source_target(&self) -> Option<usize> {
        self.scroll_source_to
    }

    /// Where the first line of a block was drawn in the last frame.
    pub fn block_on_screen(&self, block: usize) -> Option<egui::Rect> {
        let model = self.shown()?;
        let (page, r) = model.block_box(block)?;
        self.preview.screen_rect(page, r)
    }

    /// Where the first figure of a metric (not a derived one) was drawn in the last frame.
    pub fn figure_on_screen(&self, code: &str) -> Option<(FigureRef, egui::Rect)> {
        let model = self.shown()?;
        model.figure_boxes().find_map(|(page, r, f)| {
            let fig = model.figure(f)?;
            (fig.provenance.metric_code == code && fig.provenance.inputs.is_empty())
                .then(|| self.preview.screen_rect(page, r).map(|s| (f, s)))?
        })
    }

    /// The printed text of every figure of a metric in the shown document (not derived
    /// figures such as year-on-year phrases).
    pub fn figure_texts(&self, code: &str) -> Vec<String> {
        self.shown().map_or_else(Vec::new, |m| {
            draft::figures(&m.document)
                .filter(|(_, f)| f.provenance.metric_code == code && f.provenance.inputs.is_empty())
                .map(|(_, f)| f.text.clone())
                .collect()
        })
    }

    fn ui(
        &mut self,
        ui: &mut egui::Ui,
        store: &mut Store,
        actor: &Actor,
        fonts: &PreviewFonts,
        names: &FontNames,
        users: &UserNames,
    ) -> EditorOutcome {
        self.tick(ui.ctx(), store, actor, fonts.font_set());
        let mut out = EditorOutcome::default();
        self.toolbar(ui, store, actor, fonts, names, &mut out);
        if self.role == Role::Office {
            egui::Panel::left("draft-source")
                .resizable(true)
                .default_size(ui.available_width() * 0.4)
                .show(ui, |ui| self.source_ui(ui));
        }
        egui::Panel::right("draft-side")
            .resizable(true)
            .default_size(340.0)
            .show(ui, |ui| {
                if let Some(a) = self.side_ui(ui, store, actor, users) {
                    match a {
                        SideAction::Locate(b) => self.locate(b),
                        SideAction::Jump(j) => out.jump = Some(j),
                        SideAction::Comment(text) => self.comment(store, actor, &text),
                    }
                }
            });
        if let Some(j) = self.preview_ui(ui, fonts, users) {
            out.jump = Some(j);
        }
        out
    }

    fn toolbar(
        &mut self,
        ui: &mut egui::Ui,
        store: &mut Store,
        actor: &Actor,
        fonts: &PreviewFonts,
        names: &FontNames,
        out: &mut EditorOutcome,
    ) {
        ui.horizontal(|ui| {
            if ui.button("← 报告稿列表").clicked() {
                out.back = true;
            }
            ui.strong(&self.draft.title);
            let status = self.draft.status;
            ui.label(
                RichText::new(status.label())
                    .color(review::status_color(status))
                    .strong(),
            );
            if let Some(of) = self.draft.revision_of {
                ui.label(RichText::new(format!("（修订自第 {of} 号稿）")).weak());
            }
            if self.role == Role::Office {
                match &self.save_state {
                    _ if !self.editable() => {
                        ui.label(RichText::new(format!("只读（{}）", status.label())).weak())
                    }
                    SaveState::Saved => ui.label(RichText::new("已保存").weak()),
                    SaveState::Unsaved => ui.label(
                        RichText::new("有未保存的修改…").color(Color32::from_rgb(0xb0, 0x70, 0x00)),
                    ),
                    SaveState::Failed(e) => ui.colored_label(
                        Color32::from_rgb(0xc0, 0x20, 0x20),
                        format!("保存失败：{e}"),
                    ),
                };
            }
            if self.job.is_some() {
                ui.spinner();
                ui.label(RichText::new("正在更新预览").weak());
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                for format in [Format::Docx, Format::Pdf] {
                    let label = match format {
                        Format::Pdf => "导出 PDF",
                        Format::Docx => "导出 Word",
                    };
                    let enabled = self.export.is_none() && self.shown().is_some();
                    if ui.add_enabled(enabled, egui::Button::new(label)).clicked()
                        && let Some(path) = export::ask_path(&self.draft.title, format)
                    {
                        self.export_to(ui.ctx(), format, path, fonts.font_set(), names);
                    }
                }
                if let Some(job) = &self.export {
                    let p = job.progress();
                    ui.add(
                        egui::ProgressBar::new(p.fraction())
                            .desired_width(120.0)
                            .text(p.what.clone()),
                    );
                }
                ui.separator();
                for &action in review::actions(self.role, self.draft.status).iter().rev() {
                    if ui.button(action.label()).clicked()
                        && let Some(new) = self.act(action, store, actor)
                    {
                        out.open = Some(new);
                    }
                }
            });
        });
        if self.asking_reason {
            ui.horizontal(|ui| {
                ui.label("退回意见（必填）：");
                ui.add(
                    egui::TextEdit::singleline(&mut self.return_reason)
                        .id_salt("return-reason")
                        .desired_width(360.0)
                        .hint_text("如：第三部分请补充同比说明"),
                );
                if ui.button("确认退回").clicked() {
                    self.act(ReviewAction::Return, store, actor);
                }
                if ui.button("取消").clicked() {
                    self.asking_reason = false;
                }
            });
        }
        match &self.notice {
            Some(Ok(s)) => widgets::ok_line(ui, s),
            Some(Err(e)) => widgets::error_line(ui, Some(e)),
            None => {}
        }
        widgets::error_line(ui, self.job_error.as_deref());
        let error = self
            .view
            .as_ref()
            .and_then(|v| v.current.as_ref().err())
            .filter(|_| self.compiled.as_deref() == Some(self.source.as_str()))
            .cloned();
        if let Some(e) = error {
            ui.horizontal(|ui| {
                widgets::error_line(
                    ui,
                    Some(&format!("报告稿有错误，预览停在上一次：{}", e.message)),
                );
                if let Some(line) = e.line
                    && self.role == Role::Office
                    && ui.small_button("定位").clicked()
                {
                    self.scroll_source_to = Some(line);
                }
            });
        }
        ui.separator();
    }

    fn source_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.strong("原文");
            ui.label(
                RichText::new("{{ figure(\"…\") }} 是随数据更新的数字；其余文字可自由修改。")
                    .weak()
                    .small(),
            );
        });
        let editable = self.editable();
        egui::ScrollArea::vertical()
            .id_salt("draft-source-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let mut edit = |text: &mut dyn egui::TextBuffer| {
                    egui::TextEdit::multiline(text)
                        .id_salt("draft-source")
                        .font(egui::TextStyle::Monospace)
                        .desired_width(f32::INFINITY)
                        .desired_rows(30)
                        .lock_focus(true)
                        .show(ui)
                };
                let output = if editable {
                    edit(&mut self.source)
                } else {
                    edit(&mut self.source.as_str())
                };
                self.source_edit_id = Some(output.response.response.id);
                if output.response.response.changed() {
                    self.touched();
                }
                if let Some(line) = self.scroll_source_to.take() {
                    let start: usize = self
                        .source
                        .split('\n')
                        .take(line)
                        .map(|l| l.chars().count() + 1)
                        .sum();
                    let len = self
                        .source
                        .split('\n')
                        .nth(line)
                        .map_or(0, |l| l.chars().count());
                    let range = egui::text::CCursorRange::two(
                        egui::text::CCursor::new(start),
                        egui::text::CCursor::new(start + len),
                    );
                    let mut state = output.state.clone();
                    state.cursor.set_char_range(Some(range));
                    state.store(ui.ctx(), output.response.response.id);
                    let at = output
                        .galley
                        .pos_from_cursor(egui::text::CCursor::new(start));
                    ui.scroll_to_rect(
                        at.translate(output.galley_pos.to_vec2()).expand(30.0),
                        Some(egui::Align::Center),
                    );
                    ui.memory_mut(|m| m.request_focus(output.response.response.id));
                }
            });
    }

    fn side_ui(
        &mut self,
        ui: &mut egui::Ui,
        store: &mut Store,
        actor: &Actor,
        users: &UserNames,
    ) -> Option<SideAction> {
        let _ = (store, actor);
        let approval = self
            .view
            .as_ref()
            .and_then(|v| v.approval.as_ref())
            .filter(|_| self.draft.status == DraftStatus::Approved);
        let findings = self
            .view
            .as_ref()
            .map_or(0, |v| v.findings.len() + v.prose.len());
        ui.horizontal(|ui| {
            ui.selectable_value(
                &mut self.side,
                SideTab::Checks,
                format!("检查（{findings}）"),
            );
            ui.selectable_value(
                &mut self.side,
                SideTab::Comments,
                format!("批注（{}）", self.comments.len()),
            );
            if let Some(a) = approval {
                ui.selectable_value(
                    &mut self.side,
                    SideTab::Drift,
                    format!("审定后变化（{}）", a.drift.len()),
                );
            }
        });
        if self.side == SideTab::Drift && approval.is_none() {
            self.side = SideTab::Checks;
        }
        ui.separator();
        let shown = self.shown();
        match self.side {
            SideTab::Checks => {
                let Some(view) = &self.view else {
                    ui.spinner();
                    return None;
                };
                let mut all = view.findings.clone();
                all.extend(view.prose.iter().cloned());
                review::checks_ui(
                    ui,
                    &all,
                    view.blocking,
                    shown.as_deref().map(|m| &m.document),
                    &view.data,
                )
            }
            SideTab::Comments => {
                let selected = self
                    .selected_block
                    .zip(shown.as_deref())
                    .map(|(b, m)| (b, review::quote(&m.document, b)));
                review::comments_ui(
                    ui,
                    &self.comments,
                    users,
                    selected,
                    self.role != Role::Contact,
                    &mut self.comment_text,
                )
            }
            SideTab::Drift => {
                let a = approval?;
                review::drift_ui(
                    ui,
                    &a.drift,
                    users.get(&a.approved_by).unwrap_or(&a.approved_by),
                    &a.approved_at,
                )
            }
        }
    }

    fn preview_ui(
        &mut self,
        ui: &mut egui::Ui,
        fonts: &PreviewFonts,
        users: &UserNames,
    ) -> Option<EntryJump> {
        let Some(model) = self.shown() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("正在排版……");
            });
            return None;
        };
        let approval = self
            .view
            .as_ref()
            .and_then(|v| v.approval.as_ref())
            .filter(|_| self.draft.status == DraftStatus::Approved);
        if let Some(a) = approval {
            let who = users.get(&a.approved_by).unwrap_or(&a.approved_by);
            if a.drift.is_empty() {
                widgets::ok_line(
                    ui,
                    &format!("审定稿（{who}，{}）：数字与当前数据一致", a.approved_at),
                );
            } else {
                ui.colored_label(
                    Color32::from_rgb(0xb0, 0x50, 0x00),
                    format!(
                        "审定稿（{who}，{}）：审定以来有 {} 处数字的数据有变化（橙色标出），审定稿文字保持不变",
                        a.approved_at,
                        a.drift.len()
                    ),
                );
            }
        } else {
            ui.label(
                RichText::new("浅蓝底的数字取自填报数据：指向可查看来源，点击可固定来源窗口。")
                    .weak()
                    .small(),
            );
        }
        let marks = Marks {
            selected_block: self.selected_block,
            tint_figures: true,
            drifted: approval.map(|a| a.drifted.clone()).unwrap_or_default(),
            commented: self.comments.iter().filter_map(|c| c.block).collect(),
        };
        let out = self.preview.show(ui, &model, fonts, &marks);
        if let Some(f) = out.clicked_figure {
            self.pinned = Some(f);
        }
        if let Some(hit) = out.clicked_text {
            self.selected_block = Some(hit.block);
            match self.role {
                Role::Office => {
                    self.scroll_source_to = clicked_line(&self.source, &model.document, hit)
                }
                Role::Leader => self.side = SideTab::Comments,
                Role::Contact => {}
            }
        }
        let data = self.view.as_ref().map(|v| &v.data);
        if let (Some(f), Some(resp), Some(data)) = (out.hovered_figure, &out.response, data)
            && Some(f) != self.pinned
            && let Some(figure) = model.figure(f)
        {
            egui::Tooltip::for_widget(resp).at_pointer().show(|ui| {
                provenance::provenance_ui(ui, figure, data, users);
                ui.label(RichText::new("点击数字可固定此窗口").weak().small());
            });
        }
        let mut jump = None;
        if let (Some(f), Some(data)) = (self.pinned, data) {
            let mut open = true;
            if let Some(figure) = model.figure(f) {
                egui::Window::new("数据来源")
                    .open(&mut open)
                    .collapsible(false)
                    .resizable(false)
                    .default_pos(ui.max_rect().center())
                    .show(ui.ctx(), |ui| {
                        jump = provenance::provenance_ui(ui, figure, data, users);
                    });
            }
            if !open || jump.is_some() {
                self.pinned = None;
            }
        }
        jump
    }
}

/// The source line of a clicked character: the line holding the typed characters around
/// it (the one nearest to `draft::source_line`'s answer when several do), else the
/// block's line by `draft::source_line`. A paragraph of a template often spans several
/// lines (one per `{% if %}`); the click says which of them is meant.
pub fn clicked_line(source: &str, doc: &Document, hit: TextHit) -> Option<usize> {
    let block_line = draft::source_line(source, doc, hit.block);
    let runs = match doc.blocks.get(hit.block) {
        Some(Block::Paragraph(p)) => &p.runs,
        Some(Block::Heading(h)) => &h.runs,
        _ => return block_line,
    };
    let Some((Run::Text { text } | Run::Emphasis { text }, offset)) = hit
        .at
        .and_then(|(run, offset)| Some((runs.get(run)?, offset)))
    else {
        return block_line;
    };
    let chars: Vec<char> = text.chars().collect();
    // The longest stretch around the character that some line holds; a stretch that
    // crosses from one template line to the next is found in smaller pieces.
    for len in (2..=8).rev() {
        if chars.len() < len {
            continue;
        }
        let start = offset.saturating_sub(len / 2).min(chars.len() - len);
        let needle: String = chars[start..start + len].iter().collect();
        let best = source
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(&needle))
            .map(|(n, _)| n)
            .min_by_key(|n| block_line.map_or(*n, |b| n.abs_diff(b)));
        if best.is_some() {
            return best;
        }
    }
    block_line
}

/// The newest audit row's id: changes whenever anything in the file changed.
fn latest_audit(store: &Store) -> Option<i64> {
    store
        .audit_log(&AuditFilter {
            limit: Some(1),
            ..AuditFilter::default()
        })
        .ok()?
        .first()
        .map(|e| e.id)
}

/// The 报告稿 tab. See the module doc.
pub struct DraftsScreen {
    pub year: i32,
    years: Vec<i32>,
    role: Role,
    drafts: Vec<Draft>,
    template: usize,
    notice: Option<Result<String, String>>,
    fonts: Result<Arc<PreviewFonts>, String>,
    font_names: FontNames,
    users: UserNames,
    pub editor: Option<DraftEditor>,
}

impl DraftsScreen {
    /// The screen on the file's latest year, with the fonts the file's reports use.
    pub fn new(store: &Store, actor: &Actor) -> DraftsScreen {
        let years = store.years().unwrap_or_default();
        let font_names = report::font_names(store).unwrap_or_default();
        let fonts = report::fonts(&font_names)
            .map(|f| Arc::new(PreviewFonts::new(Arc::new(f))))
            .map_err(|e| format!("字体加载失败，无法预览：{e}"));
        let users = store
            .users()
            .unwrap_or_default()
            .into_iter()
            .map(|u| (u.login, u.display_name))
            .collect();
        let mut screen = DraftsScreen {
            year: years.last().copied().unwrap_or(2019),
            years,
            role: actor.role,
            drafts: Vec::new(),
            template: 0,
            notice: None,
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
        match draft::start(store, actor, self.year, template_id, None) {
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
                egui::ComboBox::from_id_salt("draft-template")
                    .selected_text(TEMPLATES[self.template].1)
                    .show_ui(ui, |ui| {
                        for (i, (_, name)) in TEMPLATES.iter().enumerate() {
                            ui.selectable_value(&mut self.template, i, *name);
                        }
                    });
                if ui.button("新建报告稿").clicked() {
                    self.create(store, actor, TEMPLATES[self.template].0);
                }
            }
        });
        match &self.notice {
            Some(Ok(s)) => widgets::ok_line(ui, s),
            Some(Err(e)) => widgets::error_line(ui, Some(e)),
            None => {}
        }
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
