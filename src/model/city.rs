//! What a city's consolidated report is made of, as plain data: each agency's national
//! figures (its [`YearData`] for the national tables) and the state of its own annual
//! report. The store reads them, one agency at a time; `crate::city` sums them.

use super::YearData;

/// One agency as a city sees it: its code, name and own annual report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyReport {
    /// The agency's code in the city: its schema on the server, or its file's name.
    pub code: String,
    pub name: String,
    /// 草稿 / 待审 / 已审定 / 退回: the status of its newest annual-report draft of the
    /// year; `None` when it has not started one.
    pub status: Option<String>,
    /// Who approved its report and when (the newest approval), once one is approved.
    pub approved: Option<(String, String)>,
}

impl AgencyReport {
    /// The state as a city's overview shows it.
    pub fn describe(&self) -> String {
        match (&self.approved, &self.status) {
            (Some((_, at)), Some(s)) if s == "已审定" => format!("已审定（{}）", day(at)),
            (Some((_, at)), Some(s)) => format!("已审定（{}），新修订{s}", day(at)),
            (None, Some(s)) => s.clone(),
            (_, None) => "尚未起草".into(),
        }
    }
}

/// `2026-01-10` of a stored time `2026-01-10 09:30:00`.
fn day(at: &str) -> &str {
    at.split_whitespace().next().unwrap_or(at)
}

/// An agency's figures for a consolidated report.
#[derive(Debug, Clone)]
pub struct AgencyFigures {
    pub report: AgencyReport,
    /// Its national tables' metrics and values (see `Store::national_year_data`).
    pub data: YearData,
}
