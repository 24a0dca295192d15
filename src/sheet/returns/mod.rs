//! Taking returned workbooks back: each file is checked into a [`ReturnPlan`] (the
//! old → new preview, the notices and every refusal with file, sheet and cell), then a
//! plan without refusals is written in one transaction as that division's contact, the
//! audit log naming the file. In a batch, a refused workbook writes nothing and does not
//! stop the others; the [`BatchReport`] says per division what was imported, what was
//! refused and why, and who has not returned a workbook.
//!
//! - [`check`]: one workbook against the store, cell by cell (nothing written);
//! - [`batch`]: a batch's preview ([`plan_returns`]), its writes ([`apply_returns`]) and
//!   the summary.

mod batch;
mod check;

use std::collections::HashMap;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::{Marker, Refusal, SheetError, YEAR_HEADER};
use crate::import::RowChange;
use crate::model::{Division, Metric, MonthStatus};
use crate::store::{Store, ValueWrite};
use crate::value;

pub use batch::{
    BatchPlan, BatchReport, Outcome, ReturnResult, apply_returns, import_returns, plan_returns,
};
pub use check::plan_return;

/// One value a return would write, with the cell it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCell {
    pub cell: String,
    pub metric_name: String,
    pub write: ValueWrite,
    pub change: RowChange,
    /// The stored value, when there is one.
    pub old: Option<Decimal>,
}

/// What one returned workbook would do.
#[derive(Debug, Clone, Default)]
pub struct ReturnPlan {
    pub file: PathBuf,
    /// The data sheet's name as found (a contact may have renamed it).
    pub sheet: String,
    pub marker: Option<Marker>,
    pub cells: Vec<PlannedCell>,
    pub refused: Vec<Refusal>,
    pub notices: Vec<Refusal>,
}

impl ReturnPlan {
    pub fn count(&self, change: RowChange) -> usize {
        self.cells.iter().filter(|c| c.change == change).count()
    }

    pub fn file_name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        )
    }

    /// The changed values as `C7 新闻发布会 3月：12 → 15`.
    pub fn changes(&self) -> Vec<String> {
        let month = |m: u8| {
            if m == 0 {
                YEAR_HEADER.to_string()
            } else {
                format!("{m}月")
            }
        };
        self.cells
            .iter()
            .filter(|c| c.change == RowChange::Changed)
            .map(|c| {
                let shown = |v: Option<Decimal>| v.map_or("（空）".into(), value::format_exact);
                format!(
                    "{} {} {}：{} → {}",
                    c.cell,
                    c.metric_name,
                    month(c.write.month),
                    shown(c.old),
                    shown(c.write.value)
                )
            })
            .collect()
    }

    fn refuse(&mut self, cell: Option<String>, reason: impl Into<String>) {
        let refusal = self.note(cell, reason);
        self.refused.push(refusal);
    }

    fn notice(&mut self, cell: Option<String>, reason: impl Into<String>) {
        let notice = self.note(cell, reason);
        self.notices.push(notice);
    }

    fn note(&self, cell: Option<String>, reason: impl Into<String>) -> Refusal {
        Refusal {
            file: self.file_name(),
            sheet: self.sheet.clone(),
            cell,
            reason: reason.into(),
        }
    }
}

/// What the store holds that a return is checked against, read once for a batch.
struct Context {
    agency: String,
    year: i32,
    divisions: Vec<Division>,
    metrics: Vec<Metric>,
    /// Index into `metrics` by code.
    by_code: HashMap<String, usize>,
    statuses: HashMap<(String, u8), MonthStatus>,
    /// By (division, metric, month).
    stored: HashMap<(String, String, u8), Option<Decimal>>,
}

impl Context {
    fn load(store: &Store, year: i32) -> Result<Context, SheetError> {
        let metrics = store.metrics(year)?;
        if metrics.is_empty() {
            return Err(SheetError::YearNotOpen { year });
        }
        let stored = store
            .stored_values(year..=year, None, None)?
            .into_iter()
            .map(|v| {
                (
                    (v.division.to_string(), v.metric.to_string(), v.month),
                    v.value,
                )
            })
            .collect();
        let by_code = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code.clone(), i))
            .collect();
        Ok(Context {
            agency: store.agency()?,
            year,
            divisions: store.divisions()?,
            metrics,
            by_code,
            statuses: store.month_statuses(year)?,
            stored,
        })
    }

    fn metric(&self, code: &str) -> Option<&Metric> {
        self.by_code.get(code).map(|&i| &self.metrics[i])
    }

    fn status(&self, division: &str, month: u8) -> MonthStatus {
        let month = if month == 0 { 12 } else { month };
        self.statuses
            .get(&(division.to_string(), month))
            .copied()
            .unwrap_or(MonthStatus::Open)
    }
}
