//! [`YearData`]: everything the compiler and the checks need about one year, read from
//! the store in one go and handed over as plain data. This is the narrow query type
//! between `store` and `compile`/`check`: neither of them ever sees SQL or a connection,
//! and tests can build a `YearData` by hand.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::register_tables::{CellRecord, RecordsByFigure};
use super::{Division, Metric};

/// One stored value (月度数值). `month` is 1–12, or 0 for a yearly metric's value.
/// `value` is `None` for a cell stored as "not reported" (blank is not zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
///
/// The codes, the user and the time are shared strings: a year of a big file holds
/// hundreds of thousands of values but only a few hundred distinct codes, and reading
/// them without one allocation per string per value is most of a fast year read.
pub struct StoredValue {
    pub year: i32,
    pub month: u8,
    pub division: Arc<str>,
    pub metric: Arc<str>,
    pub value: Option<Decimal>,
    pub note: String,
    pub updated_by: Arc<str>,
    pub updated_at: Arc<str>,
}

/// A division's narrative (亮点) for a year; `quarter` 0 is the whole year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Narrative {
    pub year: i32,
    pub quarter: u8,
    pub division: String,
    pub text: String,
}

/// Submission status of one division's month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    /// 未填 / 填写中: open for the division's contact.
    Open,
    /// 已报送: handed in; the contact can no longer change it.
    Submitted,
    /// 已锁定: read-only for everybody until the office unlocks it.
    Locked,
}

impl MonthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MonthStatus::Open => "open",
            MonthStatus::Submitted => "submitted",
            MonthStatus::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<MonthStatus> {
        match s {
            "open" => Some(MonthStatus::Open),
            "submitted" => Some(MonthStatus::Submitted),
            "locked" => Some(MonthStatus::Locked),
            _ => None,
        }
    }
}

/// A year's catalogue and values, plus last year's for comparisons.
#[derive(Debug, Clone, Default)]
pub struct YearData {
    pub agency: String,
    /// The short form the agency uses of itself in prose (e.g. 省市场监管局); the full
    /// name when none is set.
    pub agency_short: String,
    pub year: i32,
    /// Divisions in display order.
    pub divisions: Vec<Division>,
    /// This year's catalogue, in display order.
    pub metrics: Vec<Metric>,
    /// Last year's catalogue (empty when the year before was never opened).
    pub prev_metrics: Vec<Metric>,
    pub narratives: Vec<Narrative>,
    /// Months handed in or locked, by (division, month); absent means open.
    pub statuses: HashMap<(String, u8), MonthStatus>,
    /// In the years whose tables 3 and 4 come from the 依申请 register: the records each
    /// cell counts, by (year, metric code). Empty for years of entered figures.
    pub register: RecordsByFigure,
    /// In a city's consolidated report, whose divisions are its agencies: each agency's
    /// own report. Empty for an agency.
    pub reports: Vec<super::city::AgencyReport>,
    /// By year, then metric code; each list ordered by month, then division.
    values: HashMap<i32, HashMap<Arc<str>, Vec<StoredValue>>>,
}

impl YearData {
    /// A year's data with its catalogues and no values yet (see [`YearData::set_values`]).
    pub fn new(
        agency: String,
        year: i32,
        divisions: Vec<Division>,
        metrics: Vec<Metric>,
        prev_metrics: Vec<Metric>,
    ) -> YearData {
        YearData {
            agency_short: agency.clone(),
            agency,
            year,
            divisions,
            metrics,
            prev_metrics,
            narratives: Vec::new(),
            statuses: HashMap::new(),
            register: HashMap::new(),
            reports: Vec::new(),
            values: HashMap::new(),
        }
    }

    /// The register's records behind a figure of tables 3 and 4 (empty when the year's
    /// tables are entered figures, or the cell counts none).
    pub fn register_records(&self, year: i32, metric: &str) -> &[CellRecord] {
        self.register
            .get(&(year, metric.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Replaces the stored values; `values` may hold this year's and last year's values
    /// in any order.
    ///
    /// A store reads them in key order (division, metric, month), so runs of one
    /// (year, metric) are moved as a whole (one hash per run, not per value), and each
    /// metric's list is put in (month, division) order by months, keeping the order of
    /// divisions within a month — no comparison sort over the year's values.
    pub fn set_values(&mut self, values: Vec<StoredValue>) {
        let mut index: HashMap<i32, HashMap<Arc<str>, Vec<StoredValue>>> = HashMap::new();
        let mut run: Vec<StoredValue> = Vec::new();
        let mut put = |run: &mut Vec<StoredValue>| {
            if let Some(first) = run.first() {
                let (year, metric) = (first.year, first.metric.clone());
                index
                    .entry(year)
                    .or_default()
                    .entry(metric)
                    .or_default()
                    .append(run);
            }
        };
        for v in values {
            if run
                .last()
                .is_some_and(|last| last.year != v.year || last.metric != v.metric)
            {
                put(&mut run);
            }
            run.push(v);
        }
        put(&mut run);
        for list in index.values_mut().flat_map(HashMap::values_mut) {
            by_month_then_division(list);
        }
        self.values = index;
    }
    /// This year's catalogue entry for `code`.
    pub fn metric(&self, code: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.code == code)
    }

    /// The catalogue entry of `year` (this or last year) for `code`.
    pub fn metric_of(&self, year: i32, code: &str) -> Option<&Metric> {
        let list = if year == self.year {
            &self.metrics
        } else {
            &self.prev_metrics
        };
        list.iter().find(|m| m.code == code)
    }

    /// Stored values of `metric` in `year`, ordered by month then division.
    pub fn values(&self, year: i32, metric: &str) -> &[StoredValue] {
        self.values
            .get(&year)
            .and_then(|m| m.get(metric))
            .map_or(&[], Vec::as_slice)
    }

    /// All stored values, in no particular order.
    pub fn all_values(&self) -> impl Iterator<Item = &StoredValue> {
        self.values.values().flat_map(HashMap::values).flatten()
    }

    pub fn division(&self, code: &str) -> Option<&Division> {
        self.divisions.iter().find(|d| d.code == code)
    }

    pub fn status(&self, division: &str, month: u8) -> MonthStatus {
        self.statuses
            .get(&(division.to_string(), month))
            .copied()
            .unwrap_or(MonthStatus::Open)
    }
}

/// Orders one metric's values by (month, division): bucketed by month (a month is
/// 0–12), each month's bucket kept in the order it came in and sorted by division only
/// when it is not already.
fn by_month_then_division(list: &mut Vec<StoredValue>) {
    let by_key =
        |a: &StoredValue, b: &StoredValue| (a.month, &a.division).cmp(&(b.month, &b.division));
    if list.is_sorted_by(|a, b| by_key(a, b).is_le()) {
        return;
    }
    if list.iter().any(|v| v.month > 12) {
        list.sort_by(by_key);
        return;
    }
    let mut months: [Vec<StoredValue>; 13] = Default::default();
    for v in list.drain(..) {
        months[usize::from(v.month)].push(v);
    }
    for mut month in months {
        if !month.is_sorted_by(|a, b| a.division <= b.division) {
            month.sort_by(|a, b| a.division.cmp(&b.division));
        }
        list.append(&mut month);
    }
}

/// Year data built by hand for the unit tests of the modules that compute over it
/// (compile, check, prose): no store, no file.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::model::{Aggregation, Period, ValueKind};

    /// One division (`news`, 新闻处) owning one monthly count (条) `code` named `name`,
    /// with `values` as (month, value) of `year`.
    pub(crate) fn one_metric(year: i32, code: &str, name: &str, values: &[(u8, i64)]) -> YearData {
        let division = Division {
            code: "news".into(),
            name: "新闻处".into(),
            sort_order: 1,
        };
        let metric = Metric {
            code: code.into(),
            name: name.into(),
            unit: "条".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["news".into()],
            words: Vec::new(),
            sort_order: 1,
        };
        let mut data = YearData::new(
            "某局".into(),
            year,
            vec![division],
            vec![metric],
            Vec::new(),
        );
        let stored = values
            .iter()
            .map(|(month, v)| StoredValue {
                year,
                month: *month,
                division: "news".into(),
                metric: code.into(),
                value: Some(Decimal::from(*v)),
                note: String::new(),
                updated_by: "test".into(),
                updated_at: "".into(),
            })
            .collect();
        data.set_values(stored);
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(year: i32, month: u8, division: &str, metric: &str) -> StoredValue {
        StoredValue {
            year,
            month,
            division: division.into(),
            metric: metric.into(),
            value: Some(Decimal::from(month)),
            note: String::new(),
            updated_by: "t".into(),
            updated_at: "".into(),
        }
    }

    fn keys(data: &YearData, year: i32, metric: &str) -> Vec<(u8, String)> {
        data.values(year, metric)
            .iter()
            .map(|v| (v.month, v.division.to_string()))
            .collect()
    }

    #[test]
    fn values_are_ordered_by_month_then_division_however_they_come() {
        let mut expected = Vec::new();
        for month in 0..=12u8 {
            for division in ["a", "b", "c"] {
                expected.push((month, division.to_string()));
            }
        }
        // In key order (division, metric, month), as a store reads them, with two
        // metrics and two years interleaved.
        let mut in_key_order = Vec::new();
        for year in [2018, 2019] {
            for division in ["a", "b", "c"] {
                for metric in ["m1", "m2"] {
                    for month in 0..=12u8 {
                        in_key_order.push(value(year, month, division, metric));
                    }
                }
            }
        }
        // Shuffled: every ordering must give the same lists.
        let mut shuffled = in_key_order.clone();
        shuffled.reverse();
        shuffled.swap(3, 40);
        shuffled.swap(7, 90);
        for values in [in_key_order, shuffled] {
            let mut data = YearData::default();
            data.set_values(values);
            for year in [2018, 2019] {
                for metric in ["m1", "m2"] {
                    assert_eq!(keys(&data, year, metric), expected, "{year} {metric}");
                }
            }
            assert_eq!(data.all_values().count(), 2 * 2 * 3 * 13);
        }
    }
}
