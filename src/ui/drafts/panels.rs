//! Drawing an open draft: the toolbar (status, review steps, export), the template
//! source view (the 正文 view and its tools are `writing`), the side panel (检查 / 批注 / 审定后变化) and the preview with its provenance pop-ups.

use egui::{Color32, RichText};

use crate::approval::{self, Drift};
use crate::model::Role;
use crate::store::{Actor, DraftStatus, Store};
use crate::style::FontNames;
use crate::ui::export::{self, Format};
use crate::ui::preview::{Marks, PreviewFonts, PreviewModel};
use crate::ui::provenance::{self, EntryJump, UserNames};
use crate::ui::review::{self, ReviewAction, SideAction, SideTab};
use crate::ui::widgets;

use super::editor::{DraftEditor, EditorOutcome, SaveState, clicked_line};

impl DraftEditor {
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        store: &mut Store,
        actor: &Actor,
        fonts: &PreviewFonts,
        names: &FontNames,
        users: &UserNames,
    ) -> EditorOutcome {
        self.tick(ui.ctx(), store, actor, fonts.font_set());
        self.shortcuts(ui);
        let mut out = EditorOutcome::default();
        self.toolbar(ui, store, actor, fonts, names, &mut out);
        if self.role == Role::Office {
            let jump = egui::Panel::left("draft-source")
                .resizable(true)
                .default_size(ui.available_width() * 0.45)
                .show(ui, |ui| self.writing_ui(ui, users))
                .inner;
            if jump.is_some() {
                out.jump = jump;
            }
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
                        SideAction::Link(source) => self.set_source(&source),
                    }
                }
            });
        if let Some(j) = self.preview_ui(ui, fonts, users) {
            out.jump = Some(j);
        }
        self.compare_window(ui.ctx(), store);
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
            if self.role != Role::Contact
                && ui
                    .button("修订对比")
                    .on_hover_text("比较两次保存的文字：增删的文字和变化的数字分别标出")
                    .clicked()
            {
                self.open_compare(store, actor);
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
            // An explicit scope: the spinner and labels on the left come and go, and the
            // buttons must keep their ids while they do (a click is matched by id; an
            // `id_salt` would still count the widgets before it).
            let right = egui::UiBuilder::new()
                .scope_id(ui.scope_id().with(("draft-actions", self.draft.id)))
                .layout(egui::Layout::right_to_left(egui::Align::Center));
            ui.scope_builder(right, |ui| {
                for format in [Format::Docx, Format::Pdf] {
                    let label = match format {
                        Format::Pdf => "导出 PDF",
                        Format::Docx => "导出 Word",
                    };
                    let enabled = self.export.is_none() && self.shown().is_some();
                    if ui.add_enabled(enabled, egui::Button::new(label)).clicked()
                        && let Some(path) = export::ask_path(&self.draft.title, format)
                    {
                        let target = export::Target {
                            path,
                            database: store.path().to_path_buf(),
                        };
                        self.export_to(ui.ctx(), format, target, fonts.font_set(), names);
                    }
                }
                ui.separator();
                for &action in review::actions(self.role, self.draft.status).iter().rev() {
                    let idle = self.approving.is_none();
                    if ui
                        .add_enabled(idle, egui::Button::new(action.label()))
                        .clicked()
                        && let Some(new) = self.act(ui.ctx(), action, store, actor)
                    {
                        out.open = Some(new);
                    }
                }
                self.job_progress_ui(ui);
            });
        });
        if self.asking_reason {
            ui.horizontal(|ui| {
                let label = ui.label("退回意见（必填）：");
                ui.add(
                    egui::TextEdit::singleline(&mut self.return_reason)
                        .id_salt("return-reason")
                        .desired_width(360.0)
                        .hint_text("如：第三部分请补充同比说明"),
                )
                .labelled_by(label.id);
                if ui.button("确认退回").clicked() {
                    self.act(ui.ctx(), ReviewAction::Return, store, actor);
                }
                if ui.button("取消").clicked() {
                    self.asking_reason = false;
                }
            });
        }
        widgets::notice_line(ui, &self.notice);
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
                    self.writing.mode = super::Mode::Source;
                }
            });
        }
        ui.separator();
    }

    /// The running export's or approval's progress, and 取消 (drawn right to left).
    fn job_progress_ui(&mut self, ui: &mut egui::Ui) {
        let running = [
            self.export.as_ref().map(|j| (j.progress(), j.cancelling())),
            self.approving
                .as_ref()
                .map(|j| (j.progress(), j.cancelling())),
        ];
        let mut stop = false;
        for (p, cancelling) in running.into_iter().flatten() {
            stop |= ui
                .add_enabled(!cancelling, egui::Button::new("取消"))
                .clicked();
            ui.add(
                egui::ProgressBar::new(p.fraction())
                    .desired_width(120.0)
                    .text(p.what.clone()),
            );
        }
        if stop {
            self.cancel_jobs();
        }
    }

    pub(super) fn source_ui(&mut self, ui: &mut egui::Ui) {
        let heading = ui.horizontal(|ui| {
            let heading = ui.strong("原文");
            ui.label(
                RichText::new("{{ figure(\"…\") }} 是随数据更新的数字；其余文字可自由修改。")
                    .weak()
                    .small(),
            );
            heading.id
        });
        let heading = heading.inner;
        let editable = self.editable();
        let id = self.draft.id;
        egui::ScrollArea::vertical()
            .id_salt(("draft-source-scroll", id))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let mut edit = |text: &mut dyn egui::TextBuffer| {
                    egui::TextEdit::multiline(text)
                        .id_salt(("draft-source", id))
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
                let response = output.response.response.clone().labelled_by(heading);
                self.source_edit_id = Some(response.id);
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
                let mut links = vec![None; all.len()];
                for p in &view.prose {
                    all.push(p.finding.clone());
                    links.push(p.linked_source.clone());
                }
                review::checks_ui(
                    ui,
                    &all,
                    &links,
                    view.blocking,
                    shown.as_deref().map(|m| &m.document),
                    &view.data,
                )
            }
            SideTab::Comments => {
                let selected = self
                    .selected_block
                    .zip(shown.as_deref())
                    .map(|(b, m)| (b, approval::quote(&m.document, b)));
                let blocks = self.comment_blocks(shown.as_deref());
                review::comments_ui(
                    ui,
                    &self.comments,
                    &blocks,
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
            commented: self
                .comment_blocks(Some(&model))
                .into_iter()
                .flatten()
                .collect(),
            pinned: self.pinned,
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
            let drift = self.drift_of(f, &model);
            let sources = &mut self.sources;
            egui::Tooltip::for_widget(resp).at_pointer().show(|ui| {
                drift_line(ui, drift.as_ref());
                provenance::provenance_ui(ui, figure, data, users, sources, false);
                ui.label(
                    RichText::new("点击数字可固定此窗口，并可跳到填报")
                        .weak()
                        .small(),
                );
            });
        }
        let mut jump = None;
        if let (Some(f), Some(data)) = (self.pinned, data) {
            let mut open = true;
            let drift = self.drift_of(f, &model);
            if let Some(figure) = model.figure(f) {
                // Beside the figure, on the side of the page with more room; a window
                // per figure, so each opens there.
                let at = model
                    .figure_boxes()
                    .find(|(_, _, r)| *r == f)
                    .and_then(|(page, r, _)| self.preview.screen_rect(page, r));
                let area = out.response.as_ref().map_or(ui.max_rect(), |r| r.rect);
                let (pos, pivot) = match at {
                    Some(r) if r.center().x < area.center().x => (
                        r.right_top() + egui::vec2(16.0, -24.0),
                        egui::Align2::LEFT_TOP,
                    ),
                    Some(r) => (
                        r.left_top() + egui::vec2(-16.0, -24.0),
                        egui::Align2::RIGHT_TOP,
                    ),
                    None => (
                        area.left_top() + egui::vec2(24.0, 24.0),
                        egui::Align2::LEFT_TOP,
                    ),
                };
                let sources = &mut self.sources;
                egui::Window::new("数据来源")
                    .id(ui.scope_id().with(("provenance", f)))
                    .open(&mut open)
                    .collapsible(false)
                    .resizable(false)
                    .pivot(pivot)
                    .default_pos(pos)
                    .show(ui.ctx(), |ui| {
                        drift_line(ui, drift.as_ref());
                        jump = provenance::provenance_ui(ui, figure, data, users, sources, true);
                    });
            }
            if !open || jump.is_some() {
                self.pinned = None;
            }
        }
        jump
    }

    /// Where each comment's paragraph is in the shown document (`None`: rewritten or
    /// deleted, or nothing shown yet).
    fn comment_blocks(&self, shown: Option<&PreviewModel>) -> Vec<Option<usize>> {
        self.comments
            .iter()
            .map(|c| shown.and_then(|m| approval::comment_block(&m.document, c.block, &c.quote)))
            .collect()
    }
}

/// "审定后数据有变化" above a drifted figure's provenance.
fn drift_line(ui: &mut egui::Ui, drift: Option<&Drift>) {
    if let Some(d) = drift {
        ui.colored_label(
            Color32::from_rgb(0xc0, 0x50, 0x00),
            format!(
                "审定后数据有变化：审定时 {} → 现在 {}",
                d.approved,
                d.now.as_deref().unwrap_or("（已无此数）")
            ),
        );
        ui.separator();
    }
}
