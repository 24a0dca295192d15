//! A batch of returned workbooks: the preview of every file ([`plan_returns`]), then the
//! writes, one transaction per workbook ([`apply_returns`]), and the per-division
//! summary ([`BatchReport`]). A refused workbook writes nothing and the others go on.
//!
//! Between the preview and the confirmation, a contact may re-save the file or someone
//! may change a stored value; [`apply_returns`] checks each workbook again and writes it
//! only when it would still write exactly what the preview showed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::super::{SheetError, fillable, workbooks_in};
use super::check::plan_with;
use super::{Context, ReturnPlan};
use crate::import::RowChange;
use crate::model::{Division, Role};
use crate::store::{Actor, Store, ValueWrite, WriteSummary};

/// What became of one returned workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Imported(WriteSummary),
    /// Checked only (`--dry-run`): would import.
    Checked,
    Refused,
}

/// One workbook of a batch: its plan and what became of it.
#[derive(Debug, Clone)]
pub struct ReturnResult {
    pub plan: ReturnPlan,
    pub outcome: Outcome,
}

/// A batch of returns: per workbook, and the divisions that returned none.
#[derive(Debug, Clone, Default)]
pub struct BatchReport {
    pub returns: Vec<ReturnResult>,
    /// Divisions with something to fill and no workbook in the batch (only for a folder).
    pub not_returned: Vec<Division>,
}

impl BatchReport {
    /// Workbooks written.
    pub fn imported(&self) -> usize {
        self.returns
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Imported(_)))
            .count()
    }

    pub fn refused(&self) -> usize {
        self.returns
            .iter()
            .filter(|r| r.outcome == Outcome::Refused)
            .count()
    }

    /// The summary shown after a batch, per division, in plain Chinese.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for r in &self.returns {
            out.push_str(&result_text(r));
        }
        if !self.not_returned.is_empty() {
            let names: Vec<&str> = self.not_returned.iter().map(|d| d.name.as_str()).collect();
            out.push_str(&format!("未交回：{}\n", names.join("、")));
        }
        out.push_str(&format!(
            "共 {} 份：导入 {} 份，拒绝 {} 份，未交回 {} 个处室。\n",
            self.returns.len(),
            self.imported(),
            self.refused(),
            self.not_returned.len()
        ));
        out
    }
}

fn result_text(r: &ReturnResult) -> String {
    let p = &r.plan;
    let who = p
        .marker
        .as_ref()
        .map_or_else(|| p.file_name(), |m| m.division_name.clone());
    let counts = format!(
        "新增 {}，修改 {}，不变 {}",
        p.count(RowChange::New),
        p.count(RowChange::Changed),
        p.count(RowChange::Unchanged)
    );
    let mut out = match &r.outcome {
        Outcome::Imported(_) => format!("{who}：已导入（{counts}）{}\n", p.file_name()),
        Outcome::Checked => format!("{who}：检查通过，未写入（{counts}）{}\n", p.file_name()),
        Outcome::Refused => format!(
            "{who}：未导入，{} 处问题，未写入任何数据：\n",
            p.refused.len()
        ),
    };
    for line in p.refused.iter().map(ToString::to_string).chain(p.changes()) {
        out.push_str(&format!("  {line}\n"));
    }
    for n in &p.notices {
        out.push_str(&format!("  说明：{n}\n"));
    }
    out
}

/// The preview of a batch: every workbook's plan (a second workbook of a division is
/// refused), and, for a folder, the divisions that returned none.
#[derive(Debug, Clone, Default)]
pub struct BatchPlan {
    pub year: i32,
    pub plans: Vec<ReturnPlan>,
    /// Divisions with something to fill and no workbook in the batch (only for a folder).
    pub not_returned: Vec<Division>,
}

impl BatchPlan {
    /// The workbooks that would be imported.
    pub fn importable(&self) -> usize {
        self.plans.iter().filter(|p| p.refused.is_empty()).count()
    }
}

/// Checks returned workbooks — files, or folders of `.xlsx` files — against the store,
/// nothing written. `progress(done, total, file)` is called as each file is checked.
pub fn plan_returns(
    store: &Store,
    actor: &Actor,
    year: i32,
    paths: &[PathBuf],
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<BatchPlan, SheetError> {
    let ctx = Context::load(store, year)?;
    let files = files_in(paths)?;
    let mut batch = BatchPlan {
        year,
        ..BatchPlan::default()
    };
    let mut once = OnePerDivision::default();
    let total = files.len();
    plan_in_order(&ctx, actor, &files, |i, mut plan| {
        progress(i + 1, total, &plan.file_name());
        once.check(&mut plan);
        batch.plans.push(plan);
    });
    if paths.iter().any(|p| p.is_dir()) {
        batch.not_returned = not_returned(&ctx, batch.plans.iter());
    }
    Ok(batch)
}

/// Writes the previewed batch: each workbook without refusals is checked again and, when
/// it would still write exactly what the preview showed, written in its own transaction
/// as its division's contact; otherwise it is refused, saying why, and nothing of it is
/// written. `progress(done, total, file)` is called before each write.
pub fn apply_returns(
    store: &mut Store,
    actor: &Actor,
    batch: &BatchPlan,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<BatchReport, SheetError> {
    let ctx = Context::load(store, batch.year)?;
    // The importable workbooks are read and checked again on the other cores while
    // the ones before them are written.
    let importable: Vec<&ReturnPlan> = batch
        .plans
        .iter()
        .filter(|p| p.refused.is_empty())
        .collect();
    let files: Vec<PathBuf> = importable.iter().map(|p| p.file.clone()).collect();
    let total = importable.len();
    let mut written = Vec::with_capacity(total);
    plan_in_order(&ctx, actor, &files, |i, mut plan| {
        progress(i, total, &plan.file_name());
        if plan.refused.is_empty() && plan.cells != importable[i].cells {
            plan.refuse(
                None,
                "预览之后文件或已存的数据有变化，未写入：请重新检查后再导入",
            );
        }
        written.push(write_checked(store, actor, plan));
    });
    progress(total, total, "");
    let mut written = written.into_iter();
    let returns = batch
        .plans
        .iter()
        .filter_map(|previewed| {
            if previewed.refused.is_empty() {
                written.next()
            } else {
                Some(ReturnResult {
                    plan: previewed.clone(),
                    outcome: Outcome::Refused,
                })
            }
        })
        .collect();
    Ok(BatchReport {
        returns,
        not_returned: batch.not_returned.clone(),
    })
}

/// Imports returned workbooks in one go (the command line): checked, then (unless
/// `dry_run`) each workbook without refusals written in its own transaction — while the
/// next ones are read and checked on the other cores.
pub fn import_returns(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    paths: &[PathBuf],
    dry_run: bool,
) -> Result<BatchReport, SheetError> {
    let ctx = Context::load(store, year)?;
    let files = files_in(paths)?;
    let mut once = OnePerDivision::default();
    let mut report = BatchReport::default();
    plan_in_order(&ctx, actor, &files, |_, mut plan| {
        once.check(&mut plan);
        let result = if !plan.refused.is_empty() {
            ReturnResult {
                plan,
                outcome: Outcome::Refused,
            }
        } else if dry_run {
            ReturnResult {
                plan,
                outcome: Outcome::Checked,
            }
        } else {
            write_checked(store, actor, plan)
        };
        report.returns.push(result);
    });
    if paths.iter().any(|p| p.is_dir()) {
        report.not_returned = not_returned(&ctx, report.returns.iter().map(|r| &r.plan));
    }
    Ok(report)
}

/// The files of `paths`: each file, and the `.xlsx` files of each folder.
fn files_in(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SheetError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(workbooks_in(p)?);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// One workbook per division in a batch: a second one for the same division is refused.
#[derive(Default)]
struct OnePerDivision {
    /// The file taken for each division.
    first_of: HashMap<String, String>,
}

impl OnePerDivision {
    fn check(&mut self, plan: &mut ReturnPlan) {
        let Some(m) = &plan.marker else { return };
        if !plan.refused.is_empty() {
            return;
        }
        if let Some(first) = self.first_of.get(&m.division) {
            let reason = format!(
                "本批中已有{}的填报表 {first}，同一处室只导入一份",
                m.division_name
            );
            plan.refuse(None, reason);
        } else {
            self.first_of.insert(m.division.clone(), plan.file_name());
        }
    }
}

/// The divisions with something to fill that sent no workbook among `plans`.
fn not_returned<'a>(ctx: &Context, plans: impl Iterator<Item = &'a ReturnPlan>) -> Vec<Division> {
    let returned: Vec<&str> = plans
        .filter_map(|p| p.marker.as_ref().map(|m| m.division.as_str()))
        .collect();
    ctx.divisions
        .iter()
        .filter(|d| {
            !fillable(&ctx.metrics, &d.code).is_empty() && !returned.contains(&d.code.as_str())
        })
        .cloned()
        .collect()
}

/// Reads and checks `files` against `ctx` on as many threads as there are cores (the
/// reading and checking are independent per file; only the writes need the store), and
/// hands each plan to `each` on this thread, in the order of `files`, as soon as it and
/// those before it are done.
fn plan_in_order(
    ctx: &Context,
    actor: &Actor,
    files: &[PathBuf],
    mut each: impl FnMut(usize, ReturnPlan),
) {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, files.len().max(1));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..workers {
            let (sender, next) = (sender.clone(), &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if sender.send((i, plan_with(ctx, actor, file))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Plans that arrived before the ones ahead of them wait here.
        let mut waiting: HashMap<usize, ReturnPlan> = HashMap::new();
        let mut due = 0;
        for (i, plan) in receiver.iter() {
            waiting.insert(i, plan);
            while let Some(plan) = waiting.remove(&due) {
                each(due, plan);
                due += 1;
            }
        }
    });
}

/// Writes a checked plan (refused ones are passed through), a store error refusing it.
fn write_checked(store: &mut Store, actor: &Actor, mut plan: ReturnPlan) -> ReturnResult {
    if !plan.refused.is_empty() {
        return ReturnResult {
            plan,
            outcome: Outcome::Refused,
        };
    }
    let outcome = match write_return(store, actor, &plan) {
        Ok(summary) => Outcome::Imported(summary),
        Err(e) => {
            plan.refuse(None, e.to_string());
            Outcome::Refused
        }
    };
    ReturnResult { plan, outcome }
}

/// Writes a plan in one transaction as the division's contact (the importing user when
/// that is a contact, or the office importing its own workbook), every audit row naming
/// the file.
fn write_return(
    store: &mut Store,
    actor: &Actor,
    plan: &ReturnPlan,
) -> Result<WriteSummary, SheetError> {
    let Some(marker) = &plan.marker else {
        return Ok(WriteSummary::default());
    };
    let writes: Vec<ValueWrite> = plan
        .cells
        .iter()
        .filter(|c| c.change != RowChange::Unchanged)
        .map(|c| c.write.clone())
        .collect();
    if writes.is_empty() {
        let unchanged = plan.count(RowChange::Unchanged);
        return Ok(WriteSummary {
            unchanged,
            ..WriteSummary::default()
        });
    }
    // The office's own workbook is written by the office user importing it.
    let writer = if actor.role == Role::Contact
        || actor.division.as_deref() == Some(marker.division.as_str())
    {
        actor.clone()
    } else {
        contact_of(store, &marker.division)?
    };
    let source = format!("导入填报表 {}（{} 导入）", plan.file_name(), actor.login);
    let mut summary = store.write_values_from(&writer, &writes, &source, |_, _| {})?;
    summary.unchanged += plan.count(RowChange::Unchanged);
    Ok(summary)
}

/// The division's active contact (填报员), the first by login.
fn contact_of(store: &Store, division: &str) -> Result<Actor, SheetError> {
    let mut contacts: Vec<_> = store
        .users()?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Contact && u.division.as_deref() == Some(division))
        .collect();
    contacts.sort_by(|a, b| a.login.cmp(&b.login));
    let login = contacts.first().map(|u| u.login.clone()).ok_or_else(|| {
        crate::store::StoreError::Invalid(format!(
            "处室 {division} 没有启用的填报员账号：请先在“用户”中为该处室添加填报员，未写入任何数据"
        ))
    })?;
    Ok(store.actor(&login)?)
}
