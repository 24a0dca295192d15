//! An open draft (see the parent module's doc): the text and whether it is saved, the
//! background compile and its result, what is selected and pinned, the review steps and
//! the export job. Drawing is in `panels`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::approval::{self, DraftError, Drift};
use crate::document::Document as Frozen;
use crate::document::{Block, Document, Run};
use crate::jobs::{Job, JobError, Reporter};
use crate::layout::FontSet;
use crate::model::Role;
use crate::store::{Actor, AuditFilter, Draft, DraftComment, DraftStatus, Store};
use crate::style::FontNames;
use crate::ui::export::{self, ExportError, Format};
use crate::ui::preview::{FigureRef, PreviewModel, PreviewView, TextHit};
use crate::ui::provenance::EntryJump;
use crate::ui::review::{ReviewAction, SideTab};

use super::chips::EditKind;
use super::source_map;
use super::view::{DraftView, build_view, check_options, drift_at};
use super::writing::Writing;

/// Quiet time after typing before the preview is recompiled (off the UI thread). The
/// preview should follow a keystroke within 100 ms: the compile of the 10-page work
/// summary takes about 40 ms in release (`cargo bench --bench editor`,
/// `keystroke_preview`), so the wait is short; a burst of typing still compiles once
/// per pause, and never more than one compile runs at a time.
pub const COMPILE_DELAY: Duration = Duration::from_millis(40);
/// Quiet time after typing before the text is saved (each save keeps the old text in
/// the audit log, so not at every keystroke).
pub const SAVE_DELAY: Duration = Duration::from_millis(1500);
/// How often the file is asked whether its data changed.
const POLL_EVERY: Duration = Duration::from_secs(1);

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
    pub(super) saved: String,
    pub save_state: SaveState,
    pub(super) edited_at: Option<Instant>,
    pub(super) job: Option<Job<DraftView, DraftError>>,
    /// The text of the running or last finished job.
    pub(super) compiled: Option<String>,
    /// The data changed: compile again even if the text did not.
    pub(super) stale: bool,
    pub view: Option<DraftView>,
    /// The last document that compiled (kept while the text has an error).
    pub(super) last_good: Option<Arc<PreviewModel>>,
    pub(super) job_error: Option<String>,
    pub preview: PreviewView,
    pub selected_block: Option<usize>,
    /// The figure whose provenance window is open.
    pub pinned: Option<FigureRef>,
    /// Who entered the values the provenance windows show, as read so far.
    pub(super) sources: crate::ui::provenance::Sources,
    pub side: SideTab,
    pub comments: Vec<DraftComment>,
    pub comment_text: String,
    pub return_reason: String,
    pub(super) asking_reason: bool,
    pub notice: Option<Result<String, String>>,
    pub(super) export: Option<Job<PathBuf, ExportError>>,
    /// 审定 running: compiling over today's data, checking and freezing, off the UI
    /// thread (a big year takes longer than a frame).
    pub(super) approving: Option<Job<Frozen, DraftError>>,
    pub(super) audit_seen: Option<i64>,
    pub(super) polled_at: Option<Instant>,
    pub(super) scroll_source_to: Option<usize>,
    /// The source editor's widget id (tests move its cursor).
    pub source_edit_id: Option<egui::Id>,
    pub(super) role: Role,
    /// The 正文 / 模板源码 views, undo, the picker, find (`writing`).
    pub writing: Writing,
}

/// What the editor asks of the screen around it.
#[derive(Default)]
pub(super) struct EditorOutcome {
    pub(super) back: bool,
    pub(super) jump: Option<EntryJump>,
    pub(super) open: Option<i64>,
}

impl DraftEditor {
    pub(super) fn new(store: &Store, draft: Draft, role: Role) -> DraftEditor {
        let id = draft.id;
        let writing = Writing::new(&draft.source);
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
            sources: Default::default(),
            last_good: None,
            job_error: None,
            preview: PreviewView::new(id as u64),
            selected_block: None,
            pinned: None,
            side: SideTab::Checks,
            comments: Vec::new(),
            comment_text: String::new(),
            return_reason: String::new(),
            asking_reason: false,
            notice: None,
            export: None,
            approving: None,
            audit_seen: None,
            polled_at: None,
            scroll_source_to: None,
            source_edit_id: None,
            role,
            writing,
        };
        editor.audit_seen = latest_audit(store);
        editor.reload(store);
        editor
    }

    /// Whether the signed-in user may change the text now.
    pub fn editable(&self) -> bool {
        self.role == Role::Office && self.draft.status.editable()
    }

    /// Whether a compile is running or due, or an export or approval is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
            || self.stale
            || self.compiled.as_deref() != Some(self.source.as_str())
            || self.export.is_some()
            || self.approving.is_some()
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
        self.change_source(source.to_string(), EditKind::Structural);
    }

    pub(super) fn touched(&mut self) {
        self.edited_at = Some(Instant::now());
        self.save_state = SaveState::Unsaved;
    }

    /// Rereads the draft's status and comments.
    pub(super) fn reload(&mut self, store: &Store) {
        match store.draft(self.draft.id) {
            Ok(d) => {
                if self.source == self.saved {
                    self.source = d.source.clone();
                    self.saved = d.source.clone();
                    self.writing.reloaded(&d.source);
                }
                self.draft = d;
            }
            Err(e) => self.notice = Some(Err(e.to_string())),
        }
        self.load_comments(store);
        self.stale = true;
    }

    /// Rereads the comments; a failed read is said in the notice line.
    fn load_comments(&mut self, store: &Store) {
        match store.draft_comments(self.draft.id) {
            Ok(c) => self.comments = c,
            Err(e) => self.notice = Some(Err(format!("无法读取批注：{e}"))),
        }
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
    pub(super) fn tick(
        &mut self,
        ctx: &egui::Context,
        store: &mut Store,
        actor: &Actor,
        fonts: &Arc<FontSet>,
    ) {
        self.poll_jobs(store);
        if self.sources.tick(ctx, store) {
            ctx.request_repaint();
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
        if self.source == self.saved && self.save_state == SaveState::Unsaved {
            // Edited back to the saved text (e.g. 链接数据 right after typing the number).
            self.save_state = SaveState::Saved;
        } else if self.source != self.saved && self.editable() {
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

    /// Takes the results of finished jobs: the compile, an export, an approval.
    fn poll_jobs(&mut self, store: &Store) {
        if let Some(result) = self.job.as_mut().and_then(Job::poll) {
            self.job = None;
            match result {
                Ok(view) => {
                    if let Ok(model) = &view.current {
                        self.last_good = Some(model.clone());
                    }
                    self.writing.take_values(&view.chips);
                    self.job_error = None;
                    self.view = Some(view);
                    self.sources.clear();
                }
                Err(e) => self.job_error = Some(e.to_string()),
            }
        }
        if let Some(result) = self.export.as_mut().and_then(Job::poll) {
            self.export = None;
            self.notice = Some(match result {
                Ok(path) => Ok(format!("已导出：{}", path.display())),
                Err(JobError::Cancelled) => Ok("已取消导出".into()),
                Err(e) => Err(format!("导出失败：{e}")),
            });
        }
        if let Some(result) = self.approving.as_mut().and_then(Job::poll) {
            self.approving = None;
            self.notice = Some(match result {
                Ok(_) => Ok("已审定：文字和数字已冻结".to_string()),
                Err(JobError::Cancelled) => Ok("已取消审定，报告稿仍待审".into()),
                Err(e) => {
                    self.side = SideTab::Checks;
                    Err(e.to_string())
                }
            });
            self.reload(store);
        }
    }

    /// Stops the running export or approval at its next step (取消 beside its progress).
    pub fn cancel_jobs(&mut self) {
        if let Some(j) = &self.export {
            j.cancel();
        }
        if let Some(j) = &self.approving {
            j.cancel();
        }
    }

    /// 审定 in the background on its own connection: the draft is compiled over today's
    /// data and checked; nothing blocking, it is frozen in one transaction. 取消 stops it
    /// before the freeze.
    fn start_approval(&mut self, ctx: &egui::Context, store: &Store, actor: &Actor) {
        let (db, actor, id) = (store.path().to_path_buf(), actor.clone(), self.draft.id);
        let ctx = ctx.clone();
        self.notice = None;
        self.approving = Some(Job::spawn(
            "审定",
            Arc::new(move || ctx.request_repaint()),
            move |r| {
                r.step(0, 2, "编译并检查")?;
                let mut store = Store::open(&db).map_err(|e| JobError::Failed(e.into()))?;
                let review = approval::approval_review(&store, id, &check_options())
                    .map_err(JobError::Failed)?;
                r.step(1, 2, "冻结审定稿")?;
                approval::freeze(&mut store, &actor, id, review).map_err(JobError::Failed)
            },
        ));
    }

    pub(super) fn spawn(&mut self, ctx: &egui::Context, store: &Store, fonts: &Arc<FontSet>) {
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
            move |_: &Reporter| build_view(&db, &draft, &fonts).map_err(JobError::Failed),
        ));
    }

    /// Starts writing the shown document to `path` in the background.
    pub fn export_to(
        &mut self,
        ctx: &egui::Context,
        format: Format,
        target: export::Target,
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
            target,
            fonts.clone(),
            names.clone(),
        ));
    }

    /// Takes a review step. Returns the id of a new revision to open.
    pub fn act(
        &mut self,
        ctx: &egui::Context,
        action: ReviewAction,
        store: &mut Store,
        actor: &Actor,
    ) -> Option<i64> {
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
            ReviewAction::Approve => {
                self.start_approval(ctx, store, actor);
                return None;
            }
            ReviewAction::Revise => match store.revise_draft(actor, id) {
                Ok(new) => return Some(new),
                Err(e) => Err(e.to_string()),
            },
        };
        self.notice = Some(result);
        self.reload(store);
        None
    }

    pub(super) fn comment(&mut self, store: &mut Store, actor: &Actor, text: &str) {
        let Some(block) = self.selected_block else {
            return;
        };
        let quote = self
            .shown()
            .map(|m| approval::quote(&m.document, block))
            .unwrap_or_default();
        match store.comment_draft(actor, self.draft.id, Some(block), &quote, text) {
            Ok(_) => {
                self.comment_text.clear();
                self.notice = Some(Ok("批注已保存".into()));
                self.load_comments(store);
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
                self.scroll_source_to =
                    source_map::source_line(&self.source, &model.document, block);
            }
        }
    }

    /// The drift of a figure of the shown (approved) document, if it drifted.
    pub(super) fn drift_of(&self, f: FigureRef, model: &PreviewModel) -> Option<Drift> {
        let a = self.view.as_ref()?.approval.as_ref()?;
        if self.draft.status != DraftStatus::Approved {
            return None;
        }
        drift_at(model, &a.drift, f).cloned()
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
            approval::figures(&m.document)
                .filter(|(_, f)| f.provenance.metric_code == code && f.provenance.inputs.is_empty())
                .map(|(_, f)| f.text.clone())
                .collect()
        })
    }
}
/// The source line of a clicked character: the line holding the typed characters around
/// it (the one nearest to `source_map::source_line`'s answer when several do), else the
/// block's line by `source_map::source_line`. A paragraph of a template often spans several
/// lines (one per `{% if %}`); the click says which of them is meant.
pub fn clicked_line(source: &str, doc: &Document, hit: TextHit) -> Option<usize> {
    let block_line = source_map::source_line(source, doc, hit.block);
    let runs = match doc.blocks.get(hit.block) {
        Some(Block::Paragraph(p)) => &p.runs,
        Some(Block::Heading(h)) => &h.runs,
        _ => return block_line,
    };
    let typed = |i: usize| match runs.get(i) {
        Some(Run::Text { text } | Run::Emphasis { text }) => Some(text.as_str()),
        _ => None,
    };
    let Some((run, offset)) = hit.at else {
        return block_line;
    };
    // On a figure, the typed text just before it (else just after it) tells the line.
    let (text, offset) = match typed(run) {
        Some(t) => (t, offset),
        None => match run.checked_sub(1).and_then(typed) {
            Some(t) => (t, t.chars().count()),
            None => match typed(run + 1) {
                Some(t) => (t, 0),
                None => return block_line,
            },
        },
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

/// The newest audit row's id: changes whenever anything in the file changed. A failed
/// read is `None`, which differs from the last id seen: the editor then rereads the
/// draft, and that read's error is what the notice line shows.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Figure, Paragraph, ParagraphStyle, Provenance};

    fn text(t: &str) -> Run {
        Run::Text { text: t.into() }
    }

    fn fig(code: &str) -> Run {
        Run::Figure(Figure {
            text: "7".into(),
            missing: false,
            provenance: Provenance {
                metric_code: code.into(),
                ..Provenance::default()
            },
        })
    }

    #[test]
    fn a_click_finds_the_template_line_of_the_clicked_words() {
        let source = "# 总体情况\n全年主动公开政府信息{{ figure(\"a\") }}条，\n发布微博信息{{ figure(\"b\") }}条，推送微信{{ figure(\"c\") }}期。\n";
        let doc = Document {
            title: "t".into(),
            blocks: vec![Block::Paragraph(Paragraph {
                style: ParagraphStyle::Body,
                runs: vec![
                    text("全年主动公开政府信息"),
                    fig("a"),
                    text("条，发布微博信息"),
                    fig("b"),
                    text("条，推送微信"),
                    fig("c"),
                    text("期。"),
                ],
            })],
            closing: None,
        };
        let at = |run, offset| TextHit {
            block: 0,
            at: Some((run, offset)),
        };
        assert_eq!(clicked_line(source, &doc, at(0, 3)), Some(1));
        assert_eq!(clicked_line(source, &doc, at(2, 5)), Some(2), "second line");
        assert_eq!(clicked_line(source, &doc, at(3, 0)), Some(2), "on figure b");
        assert_eq!(clicked_line(source, &doc, at(1, 0)), Some(1), "on figure a");
        // Not on typed text: the block's line.
        let block = TextHit { block: 0, at: None };
        assert_eq!(
            clicked_line(source, &doc, block),
            source_map::source_line(source, &doc, 0)
        );
    }
}
