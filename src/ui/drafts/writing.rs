//! Writing an open draft (the office's left panel): the 正文 view (default, chips and
//! markers, `rich_view`) or 高级：模板源码 (the template text itself) — two views of the
//! one source — with undo/redo across the whole draft (`history`), 插入数据
//! (`picker`), 查找替换 over every paragraph, and the provenance of a clicked chip.
//!
//! Every change of the draft's text, from either view, the picker, a replace, undo or
//! 链接数据, goes through [`DraftEditor::change_source`]: one place records the undo
//! step and marks the text unsaved (autosave as before).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use egui::{Key, KeyboardShortcut, Modifiers, RichText};

use crate::compile::rich::eval::ChipValue;
use crate::ui::provenance::{self, EntryJump, UserNames};

use super::chips::{ChipValues, EditKind};
use super::editor::DraftEditor;
use super::history::History;
use super::picker::Picker;
use super::revisions::Compare;
use super::rich_view::RichView;

pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
pub const REDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
pub const REDO_SHIFT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
pub const PICK: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::K);
pub const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);

/// Which view of the draft the office writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 正文: the text as it reads, figures as chips.
    Rich,
    /// 高级：模板源码.
    Source,
}

/// 查找替换.
#[derive(Debug, Default, Clone)]
pub struct FindBar {
    pub find: String,
    pub replace: String,
    /// What the last 全部替换 did.
    pub result: Option<String>,
}

/// The writing state of an open draft. See the module doc.
pub struct Writing {
    pub mode: Mode,
    pub rich: Option<RichView>,
    pub values: ChipValues,
    pub history: History,
    /// The source the history last saw.
    recorded: String,
    pub picker: Option<Picker>,
    pub find: Option<FindBar>,
    /// The chip whose provenance window is open (its source).
    pub pinned_chip: Option<String>,
    /// 修订对比, while open (`revisions`).
    pub compare: Option<Compare>,
}

impl Writing {
    pub fn new(source: &str) -> Writing {
        Writing {
            mode: Mode::Rich,
            rich: None,
            values: Arc::new(HashMap::new()),
            history: History::default(),
            recorded: source.to_string(),
            picker: None,
            find: None,
            pinned_chip: None,
            compare: None,
        }
    }

    /// A compile finished: its chip values, keeping those of chips it did not see yet
    /// (put in after it started).
    pub fn take_values(&mut self, fresh: &HashMap<String, ChipValue>) {
        let mut all = fresh.clone();
        for (k, v) in self.values.iter() {
            all.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self.values = Arc::new(all);
    }

    /// The draft's text was reread from the file (not an edit): no undo step.
    pub fn reloaded(&mut self, source: &str) {
        self.recorded = source.to_string();
    }
}

impl DraftEditor {
    /// The one way the draft's text changes (see the module doc).
    pub fn change_source(&mut self, source: String, kind: EditKind) {
        if !self.editable() || source == self.source {
            return;
        }
        let w = &mut self.writing;
        w.history.record(&w.recorded, kind, Instant::now());
        w.recorded = source.clone();
        self.source = source;
        self.touched();
    }

    /// 撤销: the draft as before the last step.
    pub fn undo(&mut self) {
        if !self.editable() {
            return;
        }
        if let Some(before) = self.writing.history.undo(&self.source) {
            self.writing.recorded = before.clone();
            self.source = before;
            self.touched();
        }
    }

    /// 重做.
    pub fn redo(&mut self) {
        if !self.editable() {
            return;
        }
        if let Some(after) = self.writing.history.redo(&self.source) {
            self.writing.recorded = after.clone();
            self.source = after;
            self.touched();
        }
    }

    /// The keys of the whole draft, taken before any text field sees them (a
    /// `TextEdit` would otherwise undo only its own text).
    pub(super) fn shortcuts(&mut self, ui: &mut egui::Ui) {
        if !self.editable() {
            return;
        }
        let (redo, undo, pick, find) = ui.input_mut(|i| {
            let redo = i.consume_shortcut(&REDO_SHIFT) || i.consume_shortcut(&REDO);
            (
                redo,
                i.consume_shortcut(&UNDO),
                i.consume_shortcut(&PICK),
                i.consume_shortcut(&FIND),
            )
        });
        if redo {
            self.redo();
        } else if undo {
            self.undo();
        }
        if pick {
            self.writing.picker = Some(Picker::default());
        }
        if find && self.writing.find.is_none() {
            self.writing.find = Some(FindBar::default());
        }
    }

    /// The left panel: the view switch and tools, then the text.
    pub(super) fn writing_ui(&mut self, ui: &mut egui::Ui, users: &UserNames) -> Option<EntryJump> {
        let editable = self.editable();
        ui.horizontal(|ui| {
            let w = &mut self.writing;
            ui.selectable_value(&mut w.mode, Mode::Rich, "正文");
            ui.selectable_value(&mut w.mode, Mode::Source, "高级：模板源码");
            ui.separator();
            if ui
                .add_enabled(editable, egui::Button::new("插入数据"))
                .on_hover_text("Ctrl+K：按名称、处室或代码查找指标")
                .clicked()
            {
                w.picker = Some(Picker::default());
            }
            if ui
                .add_enabled(editable, egui::Button::new("查找替换"))
                .on_hover_text("Ctrl+F")
                .clicked()
            {
                w.find = Some(FindBar::default());
            }
            let (can_undo, can_redo) = (w.history.can_undo(), w.history.can_redo());
            if ui
                .add_enabled(editable && can_undo, egui::Button::new("撤销"))
                .on_hover_text("Ctrl+Z")
                .clicked()
            {
                self.undo();
            }
            if ui
                .add_enabled(editable && can_redo, egui::Button::new("重做"))
                .on_hover_text("Ctrl+Y")
                .clicked()
            {
                self.redo();
            }
        });
        self.find_ui(ui);
        self.picker_ui(ui);
        match self.writing.mode {
            Mode::Source => {
                self.source_ui(ui);
                let changed = self.source != self.writing.recorded;
                if changed {
                    let w = &mut self.writing;
                    w.history
                        .record(&w.recorded, EditKind::Typing, Instant::now());
                    w.recorded = self.source.clone();
                }
                None
            }
            Mode::Rich => self.rich_ui(ui, users),
        }
    }

    fn rich_ui(&mut self, ui: &mut egui::Ui, users: &UserNames) -> Option<EntryJump> {
        let label = ui
            .label(
                RichText::new("正文：浅蓝底的数字随数据更新，整体删除或移动；灰色小字是模板的条件和循环。点击数字可查看来源。")
                    .weak()
                    .small(),
            )
            .id;
        let (editable, id) = (self.editable(), self.draft.id);
        let line = self.scroll_source_to.take();
        let values = self.writing.values.clone();
        let rich = self
            .writing
            .rich
            .get_or_insert_with(|| RichView::new(&self.source, values.clone()));
        rich.sync(&self.source, &values);
        if let Some(line) = line {
            rich.select_source_line(line);
        }
        let out = egui::ScrollArea::vertical()
            .id_salt(("draft-rich-scroll", id))
            .auto_shrink([false, false])
            .show(ui, |ui| rich.ui(ui, editable, id, label))
            .inner;
        if let Some((source, kind)) = out.edited {
            self.change_source(source, kind);
        }
        if let Some(chip) = out.clicked_chip {
            self.writing.pinned_chip = Some(chip);
        }
        self.chip_provenance_ui(ui, users)
    }

    /// The pinned chip's 数据来源 window.
    fn chip_provenance_ui(&mut self, ui: &mut egui::Ui, users: &UserNames) -> Option<EntryJump> {
        let chip = self.writing.pinned_chip.clone()?;
        let data = &self.view.as_ref()?.data;
        let sources = &mut self.sources;
        let mut open = true;
        let mut jump = None;
        let value = self.writing.values.get(&chip).cloned();
        egui::Window::new("数据来源")
            .id(ui.scope_id().with(("chip-provenance", &chip)))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ui.ctx(), |ui| {
                match value.as_ref().and_then(ChipValue::figure) {
                    Some(f) => jump = provenance::provenance_ui(ui, f, data, users, sources, true),
                    None => {
                        let text = match &value {
                            Some(ChipValue::Unavailable { reason, .. }) if !reason.is_empty() => {
                                reason.clone()
                            }
                            Some(ChipValue::Unavailable { .. }) => {
                                "此处随循环逐项取值，见右侧预览。".to_string()
                            }
                            _ => "此处不是填报数据（年份、机关名称或表格）。".to_string(),
                        };
                        ui.label(text);
                    }
                }
            });
        if !open || jump.is_some() {
            self.writing.pinned_chip = None;
        }
        jump
    }

    /// 插入数据: the picked chip goes in at the 正文 cursor.
    fn picker_ui(&mut self, ui: &mut egui::Ui) {
        let Some(picker) = &mut self.writing.picker else {
            return;
        };
        let Some(view) = &self.view else {
            return;
        };
        let mut open = true;
        let picked = picker.ui(ui.ctx(), &view.data, &view.evaluator, &mut open);
        if !open {
            self.writing.picker = None;
        }
        if let Some((chip, value)) = picked {
            self.insert_chip(&chip, value);
        }
    }

    /// Puts a chip in at the 正文 view's cursor and moves the cursor after it.
    pub fn insert_chip(&mut self, chip: &str, value: ChipValue) {
        let mut values = (*self.writing.values).clone();
        values.insert(chip.to_string(), value);
        self.writing.values = Arc::new(values);
        let values = self.writing.values.clone();
        self.writing.mode = Mode::Rich;
        let rich = self
            .writing
            .rich
            .get_or_insert_with(|| RichView::new(&self.source, values.clone()));
        rich.sync(&self.source, &values);
        let end = rich.buffer.insert_chip(chip, rich.cursor);
        rich.buffer.take_edit();
        rich.select = Some(end..end);
        let source = rich.buffer.source();
        rich.sync_written(&source);
        self.change_source(source, EditKind::Structural);
    }

    /// 查找替换: 全部替换 in every paragraph's prose (never inside a figure or a tag);
    /// 查找下一个 selects the next one in the 正文 view.
    fn find_ui(&mut self, ui: &mut egui::Ui) {
        let Some(find) = &mut self.writing.find else {
            return;
        };
        let mut close = false;
        let (mut next, mut all) = (false, false);
        ui.horizontal(|ui| {
            let label = ui.label("查找：");
            ui.add(
                egui::TextEdit::singleline(&mut find.find)
                    .id_salt("draft-find")
                    .desired_width(140.0),
            )
            .labelled_by(label.id);
            let label = ui.label("替换为：");
            ui.add(
                egui::TextEdit::singleline(&mut find.replace)
                    .id_salt("draft-replace")
                    .desired_width(140.0),
            )
            .labelled_by(label.id);
            next = ui.button("查找下一个").clicked();
            all = ui.button("全部替换").clicked();
            close = ui.button("关闭").clicked();
        });
        if let Some(r) = &find.result {
            ui.label(RichText::new(r).weak());
        }
        let (needle, with) = (find.find.clone(), find.replace.clone());
        if close {
            self.writing.find = None;
            return;
        }
        if next && !needle.is_empty() {
            self.find_next(&needle);
        }
        if all && !needle.is_empty() {
            self.replace_all(&needle, &with);
        }
    }

    /// Selects the next `needle` after the 正文 cursor (from the top after the last).
    pub fn find_next(&mut self, needle: &str) {
        self.writing.mode = Mode::Rich;
        let values = self.writing.values.clone();
        let rich = self
            .writing
            .rich
            .get_or_insert_with(|| RichView::new(&self.source, values.clone()));
        let text = rich.buffer.text();
        let from = text
            .char_indices()
            .nth(rich.cursor)
            .map_or(text.len(), |(b, _)| b);
        let hit = text[from..]
            .find(needle)
            .map(|b| b + from)
            .or_else(|| text.find(needle))
            .map(|b| text[..b].chars().count());
        let result = match hit {
            Some(start) => {
                let end = start + needle.chars().count();
                rich.select = Some(start..end);
                rich.cursor = end;
                None
            }
            None => Some(format!("没有找到“{needle}”")),
        };
        if let Some(f) = &mut self.writing.find {
            f.result = result;
        }
    }

    /// Replaces `needle` by `with` in the prose of every paragraph, one undo step.
    pub fn replace_all(&mut self, needle: &str, with: &str) -> usize {
        let values = self.writing.values.clone();
        let rich = self
            .writing
            .rich
            .get_or_insert_with(|| RichView::new(&self.source, values.clone()));
        rich.sync(&self.source, &values);
        let n = rich.buffer.replace_all(needle, with);
        rich.buffer.take_edit();
        let source = rich.buffer.source();
        rich.sync_written(&source);
        if let Some(f) = &mut self.writing.find {
            f.result = Some(if n == 0 {
                format!("没有找到“{needle}”（数字和模板条件里的文字不替换）")
            } else {
                format!("已替换 {n} 处")
            });
        }
        self.change_source(source, EditKind::Structural);
        n
    }
}
