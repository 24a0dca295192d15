//! Data checks (数据检查): identities and rules over a year's data → [`Finding`]s.
//! (Rules are filled in below.)

use serde::{Deserialize, Serialize};

use crate::store::YearData;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A table cell a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCell {
    pub table: String,
    pub row: String,
    pub row_label: String,
    pub column: String,
    pub column_label: String,
}

/// 检查结果: one problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub metric: Option<String>,
    pub metric_name: Option<String>,
    pub division: Option<String>,
    pub year: i32,
    pub months: Vec<u8>,
    pub table: Option<TableCell>,
}

/// Options of the checks.
#[derive(Debug, Clone)]
pub struct CheckOptions {}

pub fn check(_data: &YearData, _options: &CheckOptions) -> Vec<Finding> {
    Vec::new()
}
