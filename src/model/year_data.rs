//! [`YearData`]: everything the compiler and the checks need about one year, read from
//! the store in one go and handed over as plain data. This is the narrow query type
//! between `store` and `compile`/`check`: neither of them ever sees SQL or a connection,
//! and tests can build a `YearData` by hand.
//!
//! Values are held per (year, metric, division) as a [`DivisionMonths`], thirteen month
//! slots, and lent out as [`ValueRef`]s in (month, division) order by [`YearData::values`];
//! [`StoredValue`] is the owned record that hand-built data and the store's other reads
//! use.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::register_tables::{CellRecord, RecordsByFigure};
use super::{Division, Metric};

/// One stored value (月度数值). `month` is 1–12, or 0 for a yearly metric's value.
/// `value` is `None` for a cell stored as "not reported" (blank is not zero).
///
/// The codes, the user and the time are shared strings: a read of many values holds only
/// a few hundred distinct codes, and needs no allocation per string per value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// By year, then metric code; each list ordered by division code.
    values: HashMap<i32, MetricRows>,
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
    /// in any order. A month outside 0–12 is not a stored value and is left out; of each
    /// value, the value alone is kept (see [`DivisionMonths`]).
    pub fn set_values(&mut self, values: Vec<StoredValue>) {
        self.values.clear();
        for v in values {
            self.put_value(v);
        }
    }

    /// Stores one value, replacing what was stored in its cell (a month outside 0–12 is
    /// not a cell and is left out).
    pub fn put_value(&mut self, v: StoredValue) {
        if v.month > 12 {
            return;
        }
        let rows = self
            .values
            .entry(v.year)
            .or_default()
            .entry(v.metric)
            .or_default();
        let i = match find(rows, &v.division) {
            Ok(i) => i,
            Err(i) => {
                rows.insert(i, DivisionMonths::new(v.division));
                i
            }
        };
        rows[i].put(v.month, v.value);
    }

    /// Removes the value of one cell, if stored.
    pub fn remove_value(&mut self, year: i32, month: u8, division: &str, metric: &str) {
        let Some(rows) = self.values.get_mut(&year).and_then(|m| m.get_mut(metric)) else {
            return;
        };
        if let Ok(i) = find(rows, division) {
            rows[i].remove(month);
            if rows[i].stored == 0 {
                rows.remove(i);
            }
        }
    }

    /// Replaces `year`'s stored values with a store's read of it: by metric code, one
    /// [`DivisionMonths`] per division (at most one each), each list in any order. The
    /// store's fast path: no value is moved again.
    pub fn set_year_values(&mut self, year: i32, mut rows: MetricRows) {
        rows.retain(|_, rows| {
            rows.retain(|r| r.stored != 0);
            if !rows.is_sorted_by(|a, b| a.division < b.division) {
                rows.sort_by(|a, b| a.division.cmp(&b.division));
            }
            !rows.is_empty()
        });
        self.values.insert(year, rows);
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
    pub fn values(&self, year: i32, metric: &str) -> Values<'_> {
        match self.values.get(&year).and_then(|m| m.get_key_value(metric)) {
            Some((metric, rows)) => Values { year, metric, rows },
            None => Values {
                year,
                metric: "",
                rows: &[],
            },
        }
    }

    /// The stored value of one cell, if any.
    pub fn value(
        &self,
        year: i32,
        month: u8,
        division: &str,
        metric: &str,
    ) -> Option<ValueRef<'_>> {
        let values = self.values(year, metric);
        let i = find(values.rows, division).ok()?;
        values.rows[i].get(month, year, values.metric)
    }

    /// All stored values, in no particular order.
    pub fn all_values(&self) -> impl Iterator<Item = ValueRef<'_>> {
        self.values.iter().flat_map(|(year, metrics)| {
            metrics.iter().flat_map(|(metric, rows)| {
                Values {
                    year: *year,
                    metric,
                    rows,
                }
                .iter()
            })
        })
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

/// One division's stored values of one metric in one year, by month (0 = the year's
/// value): how a year's data holds its values, and what a store's year read makes of
/// each (year, metric, division) the engine aggregated.
///
/// Thirteen slots and a bit per month, not one record per value: a year of a big file is
/// a few hundred thousand values but a few thousand of these. Values only: a value's
/// note, who entered it and when are not what a report or a check is made of, and
/// reading them with every year was a third of a year read (issue 17); a figure's
/// 数据来源 asks the store for them (`Store::metric_values`) when it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct DivisionMonths {
    pub division: Arc<str>,
    /// Bit `m` set: month `m` has a stored row.
    stored: u16,
    /// By month; `None` where nothing is stored or the value is stored as not reported.
    values: [Option<Decimal>; 13],
}

/// One year's stored values: by metric code, one [`DivisionMonths`] per division.
pub type MetricRows = HashMap<Arc<str>, Vec<DivisionMonths>>;

impl DivisionMonths {
    pub fn new(division: Arc<str>) -> DivisionMonths {
        DivisionMonths {
            division,
            stored: 0,
            values: [None; 13],
        }
    }

    /// The number of months stored.
    pub fn len(&self) -> usize {
        self.stored.count_ones() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.stored == 0
    }

    /// Stores month `month`'s value (0–12; any other month is not a cell and is left
    /// out), replacing what was there.
    pub fn put(&mut self, month: u8, value: Option<Decimal>) {
        if month > 12 {
            return;
        }
        self.stored |= 1u16 << month;
        self.values[usize::from(month)] = value;
    }

    /// The stored months with their values (`None`: stored as not reported), by month.
    pub fn months(&self) -> impl Iterator<Item = (u8, Option<Decimal>)> + '_ {
        (0..=12u8)
            .filter(|m| self.stored & (1 << m) != 0)
            .map(|m| (m, self.values[usize::from(m)]))
    }

    /// Bit `m` set: month `m` has a value (stored, and not as "not reported").
    pub fn months_with_value(&self) -> u16 {
        self.values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .fold(0, |bits, (m, _)| bits | 1 << m)
    }

    /// Removes month `month`'s value, if stored.
    pub fn remove(&mut self, month: u8) {
        let Some(slot) = self.values.get_mut(usize::from(month)) else {
            return;
        };
        let bit = 1u16 << month;
        self.stored &= !bit;
        *slot = None;
    }

    /// Month `month`'s stored value, lent out as a [`ValueRef`] of `year` and `metric`.
    fn get<'a>(&'a self, month: u8, year: i32, metric: &'a str) -> Option<ValueRef<'a>> {
        if month > 12 || self.stored & (1 << month) == 0 {
            return None;
        }
        Some(ValueRef {
            year,
            month,
            division: &self.division,
            metric,
            value: self.values[usize::from(month)],
        })
    }
}

/// Where `division`'s row is in a metric's rows (ordered by division), or would go.
fn find(rows: &[DivisionMonths], division: &str) -> Result<usize, usize> {
    rows.binary_search_by(|r| (*r.division).cmp(division))
}

/// One stored value as a year's data lends it out: where it is and what it is, without
/// copies (a [`StoredValue`] without its note, user and time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRef<'a> {
    pub year: i32,
    pub month: u8,
    pub division: &'a str,
    pub metric: &'a str,
    pub value: Option<Decimal>,
}

impl ValueRef<'_> {
    /// The value as an owned record (e.g. to change it and build other year data), with
    /// an empty note, user and time: a year's data does not hold them.
    pub fn to_stored(&self) -> StoredValue {
        StoredValue {
            year: self.year,
            month: self.month,
            division: self.division.into(),
            metric: self.metric.into(),
            value: self.value,
            note: String::new(),
            updated_by: "".into(),
            updated_at: "".into(),
        }
    }
}

/// The stored values of one metric in one year ([`YearData::values`]): iterated in
/// (month, division) order.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    year: i32,
    metric: &'a str,
    rows: &'a [DivisionMonths],
}

impl<'a> Values<'a> {
    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(|r| r.stored == 0)
    }

    pub fn len(&self) -> usize {
        self.rows
            .iter()
            .map(|r| r.stored.count_ones() as usize)
            .sum()
    }

    pub fn iter(&self) -> ValuesIter<'a> {
        ValuesIter {
            values: *self,
            month: 0,
            row: 0,
        }
    }

    /// The divisions' rows, in division code order.
    pub fn rows(&self) -> &'a [DivisionMonths] {
        self.rows
    }
}

impl<'a> IntoIterator for Values<'a> {
    type Item = ValueRef<'a>;
    type IntoIter = ValuesIter<'a>;

    fn into_iter(self) -> ValuesIter<'a> {
        self.iter()
    }
}

/// [`Values`] in (month, division) order: each month, the divisions that stored it.
pub struct ValuesIter<'a> {
    values: Values<'a>,
    month: u8,
    row: usize,
}

impl<'a> Iterator for ValuesIter<'a> {
    type Item = ValueRef<'a>;

    fn next(&mut self) -> Option<ValueRef<'a>> {
        let Values { year, metric, rows } = self.values;
        while self.month <= 12 {
            while let Some(r) = rows.get(self.row) {
                self.row += 1;
                if let Some(v) = r.get(self.month, year, metric) {
                    return Some(v);
                }
            }
            self.month += 1;
            self.row = 0;
        }
        None
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
