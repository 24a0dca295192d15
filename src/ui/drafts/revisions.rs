//! 修订对比: two saved versions of a draft side by side as one marked text — words
//! added and removed, figures whose value changed marked apart (`rich::diff`).
//!
//! The versions are the draft's saved texts, read from the audit log (every save keeps
//! the old text there, `Store::save_draft_source`), plus the text it was revised from.
//! A version's figures are valued over the data *as it was* when that version was
//! saved: today's values with every later change in the audit log undone
//! ([`data_as_of`]), so a figure that changed because a division corrected its data is
//! marked as well as one the office rewrote. A leader starts from the version they last
//! commented on.

use crate::compile::CompileOptions;
use crate::compile::rich::diff::{Piece, compare};
use crate::compile::rich::{self, eval::Evaluator};
use crate::model::{StoredValue, YearData};
use crate::store::{AuditEntry, AuditFilter, Draft, Store, StoreError};

/// One saved text of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// 「2026-12-02 10:00:00 刘芳保存」.
    pub label: String,
    pub at: String,
    pub source: String,
    /// The newest audit row when it was saved: the data as of then.
    pub audit_id: i64,
}

/// The saved versions of `draft`, oldest first (the text it was revised from first).
pub fn versions(store: &Store, draft: &Draft) -> Result<Vec<Version>, StoreError> {
    let key = draft.id.to_string();
    let mut rows: Vec<AuditEntry> = store
        .audit_log(&AuditFilter {
            entity: Some("draft".into()),
            key_prefix: Some(key.clone()),
            ..AuditFilter::default()
        })?
        .into_iter()
        .filter(|e| e.key == key)
        .collect();
    rows.reverse();
    let mut out = Vec::new();
    if let Some(of) = draft.revision_of
        && let Ok(parent) = store.draft(of)
    {
        let created = rows.first().map_or(0, |e| e.id);
        out.push(Version {
            label: format!("修订前（第 {of} 号稿，{}）", parent.status.label()),
            at: parent.updated_at.clone(),
            source: parent.source,
            audit_id: created,
        });
    }
    let updates: Vec<&AuditEntry> = rows.iter().filter(|e| e.action == "update").collect();
    let first = updates
        .first()
        .and_then(|e| e.old.clone())
        .unwrap_or_else(|| draft.source.clone());
    let created = rows.iter().find(|e| e.action == "insert");
    if draft.revision_of.is_none() || !updates.is_empty() {
        out.push(Version {
            label: format!("初稿（{}）", draft.created_at),
            at: draft.created_at.clone(),
            source: first,
            audit_id: created.map_or(0, |e| e.id),
        });
    }
    for e in updates {
        out.push(Version {
            label: format!("{} {}保存", e.at, e.actor),
            at: e.at.clone(),
            source: e.new.clone().unwrap_or_default(),
            audit_id: e.id,
        });
    }
    out.dedup_by(|b, a| a.source == b.source);
    Ok(out)
}

/// The version a leader last commented on: the newest saved before their last comment
/// (`comments`: the audit rows of the draft's comments).
pub fn commented_version(
    versions: &[Version],
    comments: &[AuditEntry],
    leader: &str,
) -> Option<usize> {
    let last = comments
        .iter()
        .filter(|c| c.actor == leader && c.entity == "draft_comment")
        .map(|c| c.id)
        .max()?;
    versions.iter().rposition(|v| v.audit_id < last)
}

/// The audit rows of `draft`'s comments.
fn comment_rows(store: &Store, draft: &Draft) -> Result<Vec<AuditEntry>, StoreError> {
    store.audit_log(&AuditFilter {
        entity: Some("draft_comment".into()),
        key_prefix: Some(format!("{}/", draft.id)),
        ..AuditFilter::default()
    })
}

/// `data` (read now) as it was when audit row `audit_id` was written: every later value
/// change in `later` (the audit log's rows after it, any order) undone.
pub fn data_as_of(data: &YearData, later: &[AuditEntry], audit_id: i64) -> YearData {
    let mut rows: Vec<&AuditEntry> = later
        .iter()
        .filter(|e| e.id > audit_id && e.entity == "value")
        .collect();
    rows.sort_by_key(|e| std::cmp::Reverse(e.id));
    let mut out = data.clone();
    for e in rows {
        let mut parts = e.key.splitn(4, '/');
        let (Some(y), Some(m), Some(d), Some(code)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(year), Ok(month)) = (y.parse::<i32>(), m.parse::<u8>()) else {
            continue;
        };
        match e.old.as_deref() {
            None => out.remove_value(year, month, d, code),
            Some(old) => out.put_value(StoredValue {
                year,
                month,
                division: d.into(),
                metric: code.into(),
                value: old.parse().ok(),
                note: String::new(),
                updated_by: e.actor.as_str().into(),
                updated_at: e.at.as_str().into(),
            }),
        }
    }
    out
}

/// Compares version `old` with `new` (`None`: the text `current` as it is now), each
/// valued over the data of its time.
pub fn compare_versions(
    store: &Store,
    data: &YearData,
    now: &Evaluator,
    old: &Version,
    new: Option<&Version>,
    current: &str,
) -> Result<Vec<Piece>, StoreError> {
    let mut later = Vec::new();
    for y in [data.year, data.year - 1] {
        later.extend(store.audit_log(&AuditFilter {
            entity: Some("value".into()),
            key_prefix: Some(format!("{y}/")),
            ..AuditFilter::default()
        })?);
    }
    let then = |v: &Version| {
        Evaluator::new(
            &data_as_of(data, &later, v.audit_id),
            &CompileOptions::default(),
        )
    };
    let a = rich::parse(&old.source);
    let old_values = then(old).values(&a);
    let (b, new_values) = match new {
        Some(v) => {
            let b = rich::parse(&v.source);
            let values = then(v).values(&b);
            (b, values)
        }
        None => {
            let b = rich::parse(current);
            let values = now.values(&b);
            (b, values)
        }
    };
    Ok(compare(&a, &old_values, &b, &new_values))
}

/// The comparison while its window is open.
pub struct Compare {
    pub versions: Vec<Version>,
    /// The older version (index into `versions`).
    pub old: usize,
    /// The newer one; `None` is the text as it is now.
    pub new: Option<usize>,
    pub pieces: Result<Vec<Piece>, String>,
    /// What `pieces` were computed for: (old, new, current text).
    computed: Option<(usize, Option<usize>, String)>,
}

impl Compare {
    /// The versions of `draft`, starting from the one `leader` last commented on (a
    /// leader), else the last saved one that differs from `current`.
    pub fn open(
        store: &Store,
        draft: &Draft,
        leader: Option<&str>,
        current: &str,
    ) -> Result<Compare, StoreError> {
        let versions = versions(store, draft)?;
        let comments = comment_rows(store, draft)?;
        let commented = leader.and_then(|l| commented_version(&versions, &comments, l));
        let old = commented.unwrap_or_else(|| {
            versions
                .iter()
                .rposition(|v| v.source != current)
                .unwrap_or(0)
        });
        Ok(Compare {
            versions,
            old,
            new: None,
            pieces: Ok(Vec::new()),
            computed: None,
        })
    }

    /// Computes the comparison if the choice or the text changed.
    pub fn refresh(&mut self, store: &Store, data: &YearData, now: &Evaluator, current: &str) {
        let want = (self.old, self.new, current.to_string());
        if self.computed.as_ref() == Some(&want) {
            return;
        }
        let Some(old) = self.versions.get(self.old) else {
            self.pieces = Err("这份报告稿还没有保存过的版本".into());
            return;
        };
        let new = self.new.and_then(|n| self.versions.get(n));
        self.pieces = compare_versions(store, data, now, old, new, current)
            .map_err(|e| format!("无法读取修订记录：{e}"));
        self.computed = Some(want);
    }

    /// (added, removed, figures changed) stretches.
    pub fn counts(&self) -> (usize, usize, usize) {
        let pieces = self.pieces.as_deref().unwrap_or_default();
        let count = |f: fn(&Piece) -> bool| pieces.iter().filter(|p| f(p)).count();
        (
            count(|p| matches!(p, Piece::Added(_))),
            count(|p| matches!(p, Piece::Removed(_))),
            count(|p| matches!(p, Piece::Figure { .. })),
        )
    }

    /// The window's content: the two versions to compare, then the marked text.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let name = |versions: &[Version], i: Option<usize>| match i {
            Some(i) => versions
                .get(i)
                .map_or_else(String::new, |v| v.label.clone()),
            None => "现在的文字".to_string(),
        };
        ui.horizontal(|ui| {
            let label = ui.label("较早：");
            egui::ComboBox::from_id_salt("compare-old")
                .selected_text(name(&self.versions, Some(self.old)))
                .show_ui(ui, |ui| {
                    for (i, v) in self.versions.iter().enumerate() {
                        ui.selectable_value(&mut self.old, i, &v.label);
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("较新：");
            egui::ComboBox::from_id_salt("compare-new")
                .selected_text(name(&self.versions, self.new))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.new, None, "现在的文字");
                    for (i, v) in self.versions.iter().enumerate() {
                        ui.selectable_value(&mut self.new, Some(i), &v.label);
                    }
                })
                .response
                .labelled_by(label.id);
        });
        let (added, removed, figures) = self.counts();
        ui.label(format!(
            "增加 {added} 处（绿色下划线）、删除 {removed} 处（红色删除线）、数字变化 {figures} 处（橙底：原值→现值）"
        ));
        ui.separator();
        match &self.pieces {
            Err(e) => {
                ui.colored_label(egui::Color32::from_rgb(0xc0, 0x20, 0x20), e);
            }
            Ok(pieces) => {
                egui::ScrollArea::vertical()
                    .max_height(520.0)
                    .show(ui, |ui| {
                        ui.label(marked(pieces));
                    });
            }
        }
    }
}

/// The comparison as one text: added underlined in green, removed struck through in
/// red, changed figures on an orange ground as 原值→现值.
fn marked(pieces: &[Piece]) -> egui::text::LayoutJob {
    use egui::text::{LayoutJob, TextFormat};
    use egui::{Color32, FontId, Stroke};
    let mut job = LayoutJob::default();
    let body = TextFormat {
        font_id: FontId::proportional(15.0),
        color: Color32::from_gray(30),
        ..TextFormat::default()
    };
    for p in pieces {
        let (text, format) = match p {
            Piece::Same(t) => (t.clone(), body.clone()),
            Piece::Added(t) => (
                t.clone(),
                TextFormat {
                    color: Color32::from_rgb(0x10, 0x70, 0x20),
                    background: Color32::from_rgb(0xdd, 0xf5, 0xdd),
                    underline: Stroke::new(1.5, Color32::from_rgb(0x10, 0x70, 0x20)),
                    ..body.clone()
                },
            ),
            Piece::Removed(t) => (
                t.clone(),
                TextFormat {
                    color: Color32::from_rgb(0xb0, 0x20, 0x20),
                    strikethrough: Stroke::new(1.5, Color32::from_rgb(0xb0, 0x20, 0x20)),
                    ..body.clone()
                },
            ),
            Piece::Figure { old, new } => (
                format!("{old}→{new}"),
                TextFormat {
                    color: Color32::from_rgb(0x90, 0x40, 0x00),
                    background: Color32::from_rgb(0xff, 0xdd, 0xa8),
                    ..body.clone()
                },
            ),
        };
        job.append(&text, 0.0, format);
    }
    job
}

impl super::DraftEditor {
    /// 修订对比: opens the comparison (a leader from the version they last commented on).
    pub fn open_compare(&mut self, store: &Store, actor: &crate::store::Actor) {
        let leader = (actor.role == crate::model::Role::Leader).then_some(actor.login.as_str());
        match Compare::open(store, &self.draft, leader, &self.source) {
            Ok(c) => self.writing.compare = Some(c),
            Err(e) => self.notice = Some(Err(format!("无法读取修订记录：{e}"))),
        }
    }

    /// The comparison's window, while open.
    pub(super) fn compare_window(&mut self, ctx: &egui::Context, store: &Store) {
        let (Some(c), Some(view)) = (&mut self.writing.compare, &self.view) else {
            return;
        };
        c.refresh(store, &view.data, &view.evaluator, &self.source);
        let mut open = true;
        egui::Window::new("修订对比")
            .open(&mut open)
            .default_width(680.0)
            .show(ctx, |ui| c.ui(ui));
        if !open {
            self.writing.compare = None;
        }
    }
}
