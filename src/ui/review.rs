//! 审阅: what a draft's reader acts on beside the preview — which review steps a role may
//! take in which status, the checks panel (检查), the comments (批注) and, once approved,
//! the figures that changed since (审定后变化).
//!
//! Every panel here only shows and reports a click ([`SideAction`]); the draft screen
//! carries it out through the store and `crate::approval`, which enforce the rules again.

use egui::{Color32, RichText};

use crate::approval::Drift;
use crate::document::Document;
use crate::model::{Finding, Role, Severity, YearData};
use crate::store::{DraftComment, DraftStatus};

use super::provenance::{EntryJump, UserNames};
use super::widgets;

/// A review step (状态流转).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    /// 送审 (office)
    Submit,
    /// 退回 (leader, with a reason)
    Return,
    /// 审定 (leader)
    Approve,
    /// 新修订 (office, from an approved draft)
    Revise,
}

impl ReviewAction {
    pub fn label(self) -> &'static str {
        match self {
            ReviewAction::Submit => "送审",
            ReviewAction::Return => "退回",
            ReviewAction::Approve => "审定",
            ReviewAction::Revise => "新修订",
        }
    }
}

/// The steps `role` may take on a draft in `status`. Contacts take none: they do not
/// review reports (the store refuses them too).
pub fn actions(role: Role, status: DraftStatus) -> &'static [ReviewAction] {
    match (role, status) {
        (Role::Office, DraftStatus::Draft | DraftStatus::Returned) => &[ReviewAction::Submit],
        (Role::Office, DraftStatus::Approved) => &[ReviewAction::Revise],
        (Role::Leader, DraftStatus::Review) => &[ReviewAction::Return, ReviewAction::Approve],
        _ => &[],
    }
}

pub fn status_color(status: DraftStatus) -> Color32 {
    match status {
        DraftStatus::Draft => Color32::from_rgb(0x20, 0x70, 0xe0),
        DraftStatus::Review => Color32::from_rgb(0xc0, 0x70, 0x00),
        DraftStatus::Approved => widgets::OK_COLOR,
        DraftStatus::Returned => widgets::ERROR_COLOR,
    }
}

/// The side panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideTab {
    Checks,
    Comments,
    Drift,
}

/// What a click in the side panel asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SideAction {
    /// Show a paragraph of the document.
    Locate(usize),
    /// Open the entry grid at a metric.
    Jump(EntryJump),
    /// Write a comment on the selected paragraph.
    Comment(String),
    /// Replace the draft's text: a typed number linked to its figure (链接数据).
    Link(String),
}

/// 检查: the year's findings and the prose findings, errors first; each names the cell
/// (去填报) or the paragraph (定位) it is about.
/// `links[i]`, when given, is the draft's text with finding `i`'s typed number linked.
pub fn checks_ui(
    ui: &mut egui::Ui,
    findings: &[Finding],
    links: &[Option<String>],
    blocking: usize,
    doc: Option<&Document>,
    data: &YearData,
) -> Option<SideAction> {
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    if blocking > 0 {
        ui.colored_label(
            widgets::ERROR_COLOR,
            format!("{blocking} 个错误，解决前不能审定"),
        );
    } else {
        ui.colored_label(widgets::OK_COLOR, "没有阻止审定的错误");
    }
    if warnings > 0 {
        ui.colored_label(
            widgets::WARN_COLOR,
            format!("{warnings} 条提醒（不影响审定）"),
        );
    }
    let mut action = None;
    let mut sorted: Vec<(&Finding, Option<&String>)> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f, links.get(i).and_then(Option::as_ref)))
        .collect();
    sorted.sort_by_key(|(f, _)| f.severity);
    egui::ScrollArea::vertical()
        .id_salt("draft-checks")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, (f, link)) in sorted.into_iter().enumerate() {
                ui.separator();
                let (tag, color) = match f.severity {
                    Severity::Error => ("错误", widgets::ERROR_COLOR),
                    Severity::Warning => ("提醒", widgets::WARN_COLOR),
                };
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(tag).color(color).strong());
                    ui.label(&f.message);
                });
                ui.push_id(i, |ui| {
                    ui.horizontal(|ui| {
                        if let Some(block) = doc.and_then(|d| finding_block(d, f))
                            && ui.small_button("定位到段落").clicked()
                        {
                            action = Some(SideAction::Locate(block));
                        }
                        if let Some(jump) = finding_jump(f, data)
                            && ui.small_button("去填报").clicked()
                        {
                            action = Some(SideAction::Jump(jump));
                        }
                        if let Some(source) = link
                            && ui.small_button("链接数据").clicked()
                        {
                            action = Some(SideAction::Link(source.clone()));
                        }
                    });
                });
            }
        });
    action
}

/// The paragraph a finding is about: the first block printing a figure of its metric
/// (a missing one first, for the compiler's 缺数 warnings).
pub fn finding_block(doc: &Document, f: &Finding) -> Option<usize> {
    let metric = f.metric.as_deref()?;
    let all: Vec<_> = crate::approval::figures(doc)
        .filter(|(_, fig)| {
            fig.provenance.metric_code == metric
                || fig
                    .provenance
                    .inputs
                    .iter()
                    .any(|p| p.metric_code == metric)
        })
        .collect();
    all.iter()
        .find(|(_, fig)| fig.missing)
        .or(all.first())
        .map(|(b, _)| *b)
}

/// The entry-grid cell of a finding: its division (else the metric's first owner) and
/// its last month.
pub fn finding_jump(f: &Finding, data: &YearData) -> Option<EntryJump> {
    let metric = data.metric_of(f.year, f.metric.as_deref()?)?;
    if metric.is_formula() {
        return None;
    }
    let division = f
        .division
        .clone()
        .or_else(|| metric.owners.first().cloned())?;
    Some(EntryJump {
        year: f.year,
        division,
        metric: metric.code.clone(),
        month: f.months.last().copied().unwrap_or(12),
    })
}

/// 批注: the comment box for the selected paragraph and the comments so far. `blocks[i]`
/// is where comment `i`'s paragraph is now (`approval::comment_block`).
pub fn comments_ui(
    ui: &mut egui::Ui,
    comments: &[DraftComment],
    blocks: &[Option<usize>],
    users: &UserNames,
    selected: Option<(usize, String)>,
    can_comment: bool,
    text: &mut String,
) -> Option<SideAction> {
    let mut action = None;
    if can_comment {
        match &selected {
            Some((_, quote)) => {
                let label = ui.label(format!("批注段落：“{quote}…”"));
                ui.add(
                    egui::TextEdit::multiline(text)
                        .id_salt("draft-comment")
                        .desired_rows(3)
                        .desired_width(f32::INFINITY)
                        .hint_text("写下对这一段的意见"),
                )
                .labelled_by(label.id);
                if ui.button("添加批注").clicked() {
                    action = Some(SideAction::Comment(text.clone()));
                }
            }
            None => {
                ui.label(RichText::new("在预览中点击一段文字即可批注。").weak());
            }
        }
        ui.separator();
    }
    if comments.is_empty() {
        ui.label(RichText::new("还没有批注").weak());
    }
    egui::ScrollArea::vertical()
        .id_salt("draft-comments")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (c, block) in comments.iter().zip(blocks).rev() {
                ui.push_id(c.id, |ui| {
                    let author = users.get(&c.author).unwrap_or(&c.author);
                    ui.label(RichText::new(format!("{author}  {}", c.at)).weak().small());
                    if !c.quote.is_empty() {
                        match block {
                            Some(b) => {
                                if ui.link(format!("“{}…”", c.quote)).clicked() {
                                    action = Some(SideAction::Locate(*b));
                                }
                            }
                            None => {
                                ui.label(
                                    RichText::new(format!("“{}…”（该段已改写或删除）", c.quote))
                                        .weak(),
                                );
                            }
                        }
                    }
                    ui.label(&c.text);
                    ui.separator();
                });
            }
        });
    action
}

/// 审定后变化: figures of the approved text whose data have changed since.
pub fn drift_ui(
    ui: &mut egui::Ui,
    drift: &[Drift],
    approved_by: &str,
    at: &str,
) -> Option<SideAction> {
    ui.label(format!("审定人：{approved_by}　时间：{at}"));
    if drift.is_empty() {
        ui.colored_label(
            widgets::OK_COLOR,
            "审定以来数据没有变化，审定稿中的数字都与当前数据一致。",
        );
        return None;
    }
    ui.colored_label(
        widgets::WARN_COLOR,
        format!(
            "审定以来有 {} 处数字的数据发生了变化。审定稿保持原样；如需更新，请办公室新建修订稿。",
            drift.len()
        ),
    );
    let mut action = None;
    egui::ScrollArea::vertical()
        .id_salt("draft-drift")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, d) in drift.iter().enumerate() {
                ui.separator();
                let now = d.now.as_deref().unwrap_or("（当前稿中已无此数）");
                ui.label(RichText::new(&d.metric_name).strong());
                ui.label(format!("审定时 {} → 现在 {now}", d.approved));
                if ui
                    .push_id(i, |ui| ui.small_button("定位到段落"))
                    .inner
                    .clicked()
                {
                    action = Some(SideAction::Locate(d.block));
                }
            }
        });
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_take_no_review_step_and_leaders_only_on_drafts_under_review() {
        for status in [
            DraftStatus::Draft,
            DraftStatus::Review,
            DraftStatus::Approved,
            DraftStatus::Returned,
        ] {
            assert!(actions(Role::Contact, status).is_empty());
        }
        assert_eq!(
            actions(Role::Leader, DraftStatus::Review),
            [ReviewAction::Return, ReviewAction::Approve]
        );
        assert!(actions(Role::Leader, DraftStatus::Draft).is_empty());
        assert!(actions(Role::Office, DraftStatus::Review).is_empty());
        assert_eq!(
            actions(Role::Office, DraftStatus::Returned),
            [ReviewAction::Submit]
        );
        assert_eq!(
            actions(Role::Office, DraftStatus::Approved),
            [ReviewAction::Revise]
        );
    }
}
