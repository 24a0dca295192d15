//! 检查结果: what the checks and the compiler report — one [`Finding`] per problem, with
//! its severity, a stable code, a plain Chinese message and what it concerns (metric,
//! division, months, national table cell). Plain data: `check` produces findings over a
//! year's data, `compile` produces them as warnings (codes `compile.*`), the CLI prints
//! them as JSON and the UI lists them.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A national table cell a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCell {
    /// `t2`, `t3`, `t4`.
    pub table: String,
    pub row: String,
    pub row_label: String,
    pub column: String,
    pub column_label: String,
}

/// 检查结果: one problem, naming what it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable id (`t3.identity.balance`); scripts and tests match on it.
    pub code: String,
    /// Plain Chinese for the reader.
    pub message: String,
    pub metric: Option<String>,
    pub metric_name: Option<String>,
    pub division: Option<String>,
    pub year: i32,
    /// Months concerned (1–12), `[0]` for a yearly value, empty when not month-specific.
    pub months: Vec<u8>,
    pub table: Option<TableCell>,
}

/// True when any finding is an error (`nianbao check` exits 1).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// `3月`, `3–5月`, `1月、3–5月`, `全年` for yearly gaps; prefixed by the year when it is not
/// the report's year.
pub fn describe_months(months: &[u8], year: i32, report_year: i32) -> String {
    let mut months: Vec<u8> = months.to_vec();
    months.sort_unstable();
    months.dedup();
    let prefix = if year == report_year {
        String::new()
    } else {
        format!("{year}年")
    };
    if months.iter().all(|m| *m == 0) {
        return if prefix.is_empty() {
            "全年".into()
        } else {
            format!("{year}年全年")
        };
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < months.len() {
        let start = months[i];
        let mut end = start;
        while i + 1 < months.len() && months[i + 1] == end + 1 {
            i += 1;
            end = months[i];
        }
        parts.push(if start == end {
            format!("{start}月")
        } else {
            format!("{start}–{end}月")
        });
        i += 1;
    }
    format!("{prefix}{}", parts.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_as_ranges_with_the_year_when_it_is_not_the_reports() {
        assert_eq!(describe_months(&[5, 3, 4, 7], 2019, 2019), "3–5月、7月");
        assert_eq!(describe_months(&[1, 2, 3, 5], 2019, 2019), "1–3月、5月");
        assert_eq!(describe_months(&[2], 2018, 2019), "2018年2月");
        assert_eq!(describe_months(&[0], 2019, 2019), "全年");
        assert_eq!(describe_months(&[0], 2018, 2019), "2018年全年");
    }
}
