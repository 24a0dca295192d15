//! Data checks (数据检查): the identities of the national tables and the rules of the
//! catalogue, run over a year's [`YearData`] → a list of [`Finding`]s.
//!
//! Owns the rules; never changes data and never reads the store (it gets `YearData`).
//! [`Finding`] itself is plain data in `model`, where the compiler takes it from too for
//! its warnings (codes `compile.*`).
//!
//! | code | severity | rule |
//! | --- | --- | --- |
//! | `t3.identity.total_column` | error | table 3: 总计 column = 自然人 + the five organisation columns, per row |
//! | `t3.identity.results_total` | error | table 3: （七）总计 = sum of the result rows, per column |
//! | `t3.identity.balance` | error | table 3: 本年新收 + 上年结转 = 办理结果总计 + 结转下年度, per column |
//! | `t3.carried_in` | error | this year's 上年结转 = last year's 结转下年度, per column (when last year is in the data) |
//! | `t4.identity.total` | error | table 4: 总计 = 维持 + 纠正 + 其他 + 尚未审结, per group (published reports have 总计 0 beside non-zero results) |
//! | `t2.effective.roll` | warning | table 2: 现行有效 of 规章 and of 行政规范性文件 = last year's 现行有效 + 本年制发 − 本年废止 (a clean-up can change it, hence a warning; skipped when last year's 现行有效 is not in the data) |
//! | `value.negative` | error | counts and amounts are not negative |
//! | `value.not_integer` / `value.places` | error | counts are integers; amounts have at most their places |
//! | `value.missing` | error / warning | a due month of a monthly metric has no value: error when the division submitted that month, warning while it is open |
//! | `value.blank` | warning | a yearly (national table) value is blank; the identities count it as 0. A table-3 column blank in every row is one warning naming the column (`metric` null) |
//! | `rule.at_most` | error | derived from formulas `1 - a / b`: a ≤ b (不合格批次 ≤ 抽检批次), per month and for the year |
//! | `yoy.swing` | warning | the year's figure moved more than the threshold against last year (same months) |
//! | `submission.pending` | warning | a due month a division has not submitted |
//!
//! The register's time limits (`register.overdue`, `register.due_soon`, …) are checked
//! over the register's records, not the year's figures: see [`register`].
//!
//! # JSON
//!
//! `nianbao check --json` prints the findings as a JSON array; every object has all keys
//! (absent ones are `null` / `[]`), in this order:
//!
//! ```json
//! {"severity": "error",                 // "error" | "warning"
//!  "code": "t3.identity.balance",       // stable id, see the table above
//!  "message": "表三“自然人”列：…",        // plain Chinese, for people
//!  "metric": "t3.results_total.natural", "metric_name": "依申请公开 总计（自然人）",
//!  "division": "office",                // division code or null
//!  "year": 2019,
//!  "months": [0],                       // months concerned; 0 = yearly value; [] = not month-specific
//!  "table": {"table": "t3", "row": "results_total", "row_label": "总计",
//!            "column": "natural", "column_label": "自然人"}}   // or null
//! ```

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::model::formula::Expr;
use crate::model::national::{
    T3_COLUMNS, T3_ROWS, T4_COLUMNS, T4_GROUPS, t3_result_rows, table_cell,
};
use crate::model::{
    Aggregation, Finding, Metric, MonthStatus, Period, Severity, TableCell, ValueKind, YearData,
    describe_months,
};

/// Options of the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// A year-on-year change beyond this many percent is a `yoy.swing` warning.
    pub yoy_threshold_percent: Decimal,
    /// Last year's figures below this are not compared (small counts swing a lot).
    pub yoy_min_base: Decimal,
    /// The day of the check: months not yet over are not due. `None` = all twelve due.
    pub as_of: Option<NaiveDate>,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            yoy_threshold_percent: Decimal::from(50),
            yoy_min_base: Decimal::from(10),
            as_of: None,
        }
    }
}

/// Runs every rule over `data`. Findings come in a stable order: rule by rule, each in
/// catalogue and division order.
pub fn check(data: &YearData, options: &CheckOptions) -> Vec<Finding> {
    let ctx = Context::new(data, options);
    let mut out = Vec::new();
    for metric in &data.metrics {
        if !metric.is_formula() {
            ctx.values(metric, &mut out);
        }
    }
    group_blank_columns(data, &mut out);
    ctx.table2(&mut out);
    ctx.table3(&mut out);
    ctx.table4(&mut out);
    ctx.bounds(&mut out);
    ctx.year_on_year(&mut out);
    ctx.submissions(&mut out);
    out
}

struct Context<'a> {
    data: &'a YearData,
    options: &'a CheckOptions,
    metrics: HashMap<&'a str, &'a Metric>,
    /// Months 1..=due are due.
    due: u8,
    statuses: HashMap<&'a str, [MonthStatus; 13]>,
}

impl<'a> Context<'a> {
    fn new(data: &'a YearData, options: &'a CheckOptions) -> Context<'a> {
        let due = match options.as_of {
            None => 12,
            Some(d) if d.year() > data.year => 12,
            Some(d) if d.year() < data.year => 0,
            Some(d) => (d.month() - 1) as u8,
        };
        let mut statuses: HashMap<&str, [MonthStatus; 13]> = HashMap::new();
        for ((division, month), status) in &data.statuses {
            if let Some(slot) = statuses
                .entry(division.as_str())
                .or_insert([MonthStatus::Open; 13])
                .get_mut(usize::from(*month))
            {
                *slot = *status;
            }
        }
        Context {
            data,
            options,
            metrics: data.metrics.iter().map(|m| (m.code.as_str(), m)).collect(),
            due,
            statuses,
        }
    }

    fn status(&self, division: &str, month: u8) -> MonthStatus {
        self.statuses
            .get(division)
            .and_then(|s| s.get(usize::from(month)))
            .copied()
            .unwrap_or(MonthStatus::Open)
    }

    fn division_name(&self, code: &'a str) -> &'a str {
        self.data
            .divisions
            .iter()
            .find(|d| d.code == code)
            .map_or(code, |d| d.name.as_str())
    }

    fn finding(&self, severity: Severity, code: &str, metric: Option<&Metric>) -> Finding {
        Finding {
            severity,
            code: code.to_string(),
            message: String::new(),
            metric: metric.map(|m| m.code.clone()),
            metric_name: metric.map(|m| m.name.clone()),
            division: None,
            year: self.data.year,
            months: Vec::new(),
            table: metric.and_then(|m| table_cell(&m.code)),
        }
    }

    /// Value rules and missing months of one metric.
    fn values(&self, metric: &Metric, out: &mut Vec<Finding>) {
        let year = self.data.year;
        let rows = self.data.values(year, &metric.code).rows();
        for row in rows {
            for (month, x) in row.months() {
                let Some(x) = x else { continue };
                let problem = match metric.kind {
                    ValueKind::Ratio { .. } => None,
                    _ if x.is_sign_negative() && !x.is_zero() => {
                        Some(("value.negative", format!("不能为负数：{x}")))
                    }
                    ValueKind::Count if !x.fract().is_zero() => {
                        Some(("value.not_integer", format!("应为整数：{x}")))
                    }
                    kind if x.normalize().scale() > kind.places() => Some((
                        "value.places",
                        format!("小数位数过多：{x}（最多 {} 位）", kind.places()),
                    )),
                    _ => None,
                };
                if let Some((code, what)) = problem {
                    let mut f = self.finding(Severity::Error, code, Some(metric));
                    f.message = format!(
                        "{}（{}）{}，{}：{what}",
                        metric.name,
                        metric.code,
                        month_label(month),
                        self.division_name(&row.division)
                    );
                    f.division = Some(row.division.to_string());
                    f.months = vec![month];
                    out.push(f);
                }
            }
        }
        // Months with a value, per division, as bits.
        let present: HashMap<&str, u16> = rows
            .iter()
            .map(|r| (&*r.division, r.months_with_value()))
            .collect();
        for owner in &metric.owners {
            let bits = present.get(owner.as_str()).copied().unwrap_or(0);
            match metric.period {
                Period::Yearly => {
                    if bits & 1 == 0 {
                        let mut f = self.finding(Severity::Warning, "value.blank", Some(metric));
                        f.message = format!(
                            "{}（{}）未填（计算勾稽关系时按0计）",
                            metric.name, metric.code
                        );
                        f.division = Some(owner.clone());
                        f.months = vec![0];
                        out.push(f);
                    }
                }
                Period::Monthly => {
                    let missing: Vec<u8> =
                        (1..=self.due).filter(|m| bits & (1 << m) == 0).collect();
                    let (closed, open): (Vec<u8>, Vec<u8>) = missing
                        .into_iter()
                        .partition(|m| self.status(owner, *m) != MonthStatus::Open);
                    for (months, severity, state) in [
                        (closed, Severity::Error, "已报送但"),
                        (open, Severity::Warning, ""),
                    ] {
                        if months.is_empty() {
                            continue;
                        }
                        let mut f = self.finding(severity, "value.missing", Some(metric));
                        f.message = format!(
                            "{}（{}）{}{state}缺数：{}",
                            metric.name,
                            metric.code,
                            self.division_name(owner),
                            describe_months(&months, self.data.year, self.data.year)
                        );
                        f.division = Some(owner.clone());
                        f.months = months;
                        out.push(f);
                    }
                }
            }
        }
    }

    /// A yearly value summed over divisions; blank counts as 0 (reported by `values`).
    fn yearly(&self, year: i32, code: &str) -> Decimal {
        self.data
            .values(year, code)
            .iter()
            .filter_map(|v| v.value)
            .sum()
    }

    fn has_metric(&self, code: &str) -> bool {
        self.metrics.contains_key(code)
    }

    fn identity(&self, code: &str, metric_code: &str, message: String, out: &mut Vec<Finding>) {
        let metric = self.metrics.get(metric_code).copied();
        let mut f = self.finding(Severity::Error, code, metric);
        f.message = message;
        f.division = metric.and_then(|m| m.owners.first().cloned());
        f.months = vec![0];
        out.push(f);
    }

    /// 现行有效 rolls forward: last year's + 制发 − 废止.
    fn table2(&self, out: &mut Vec<Finding>) {
        let y = self.data.year;
        for (group, label) in [("rules", "规章"), ("normative", "行政规范性文件")] {
            let code = |col: &str| format!("t2.{group}.{col}");
            let known = |year: i32, c: &str| {
                self.data
                    .values(year, &code(c))
                    .iter()
                    .any(|v| v.value.is_some())
            };
            if !self.has_metric(&code("effective"))
                || !known(y, "effective")
                || !known(y - 1, "effective")
            {
                continue;
            }
            let this = self.yearly(y, &code("effective"));
            let before = self.yearly(y - 1, &code("effective"));
            let (issued, repealed) = (
                self.yearly(y, &code("issued")),
                self.yearly(y, &code("repealed")),
            );
            let expected = before + issued - repealed;
            if this != expected {
                let metric = self.metrics.get(code("effective").as_str()).copied();
                let mut f = self.finding(Severity::Warning, "t2.effective.roll", metric);
                f.message = format!(
                    "表二“{label}”：现行有效件数为{this}，而{}年现行有效{before}件 + 本年制发{issued}件 − 本年废止{repealed}件 = {expected}件（如经过清理，请核实后忽略）",
                    y - 1
                );
                f.division = metric.and_then(|m| m.owners.first().cloned());
                f.months = vec![0];
                out.push(f);
            }
        }
    }

    fn table3(&self, out: &mut Vec<Finding>) {
        if !self.has_metric("t3.new.total") {
            return;
        }
        let y = self.data.year;
        let v = |row: &str, col: &str| self.yearly(y, &format!("t3.{row}.{col}"));
        let organisations = &T3_COLUMNS[..6];
        for (row, row_label) in T3_ROWS {
            let parts: Decimal = organisations.iter().map(|(c, _)| v(row, c)).sum();
            let total = v(row, "total");
            if parts != total {
                self.identity(
                    "t3.identity.total_column",
                    &format!("t3.{row}.total"),
                    format!(
                        "表三“{row_label}”行：总计栏为{total}，但自然人与法人或其他组织各栏之和为{parts}"
                    ),
                    out,
                );
            }
        }
        for (col, col_label) in T3_COLUMNS {
            let results: Decimal = t3_result_rows().map(|r| v(r, col)).sum();
            let total = v("results_total", col);
            if results != total {
                self.identity(
                    "t3.identity.results_total",
                    &format!("t3.results_total.{col}"),
                    format!(
                        "表三“{col_label}”列：办理结果“（七）总计”为{total}，但各项办理结果之和为{results}"
                    ),
                    out,
                );
            }
            let (new, carried_in, carried_out) =
                (v("new", col), v("carried_in", col), v("carried_out", col));
            if new + carried_in != total + carried_out {
                self.identity(
                    "t3.identity.balance",
                    &format!("t3.results_total.{col}"),
                    format!(
                        "表三“{col_label}”列：本年新收（{new}）加上年结转（{carried_in}）为{}，应等于办理结果总计（{total}）加结转下年度继续办理（{carried_out}）之和{}",
                        new + carried_in,
                        total + carried_out
                    ),
                    out,
                );
            }
        }
        // 上年结转 = last year's 结转下年度, when last year's table is in the data.
        let prev = y - 1;
        let last_year_known = T3_COLUMNS.iter().any(|(c, _)| {
            !self
                .data
                .values(prev, &format!("t3.carried_out.{c}"))
                .is_empty()
        });
        if last_year_known {
            for (col, col_label) in T3_COLUMNS {
                let this = v("carried_in", col);
                let before = self.yearly(prev, &format!("t3.carried_out.{col}"));
                if this != before {
                    self.identity(
                        "t3.carried_in",
                        &format!("t3.carried_in.{col}"),
                        format!(
                            "表三“{col_label}”列：本年“上年结转”为{this}，但{prev}年“结转下年度继续办理”为{before}"
                        ),
                        out,
                    );
                }
            }
        }
    }

    fn table4(&self, out: &mut Vec<Finding>) {
        if !self.has_metric("t4.review.total") {
            return;
        }
        let y = self.data.year;
        for (group, group_label) in T4_GROUPS {
            let results: Vec<(&str, Decimal)> = T4_COLUMNS[..4]
                .iter()
                .map(|(c, label)| (*label, self.yearly(y, &format!("t4.{group}.{c}"))))
                .collect();
            let parts: Decimal = results.iter().map(|(_, v)| v).sum();
            let total = self.yearly(y, &format!("t4.{group}.total"));
            if parts != total {
                let row = match group {
                    "review" => group_label.to_string(),
                    _ => format!("行政诉讼（{group_label}）"),
                };
                let shown: Vec<String> = results.iter().map(|(l, v)| format!("{l}{v}")).collect();
                self.identity(
                    "t4.identity.total",
                    &format!("t4.{group}.total"),
                    format!(
                        "表四“{row}”：总计为{total}，但{}之和为{parts}",
                        shown.join("、")
                    ),
                    out,
                );
            }
        }
    }

    /// Per-month totals over all divisions (index 0 = yearly value) of this year.
    fn month_totals(&self, year: i32, code: &str) -> [Option<Decimal>; 13] {
        let mut totals: [Option<Decimal>; 13] = [None; 13];
        for row in self.data.values(year, code).rows() {
            for (month, x) in row.months() {
                if let Some(x) = x {
                    let slot = &mut totals[usize::from(month)];
                    *slot = Some(slot.unwrap_or_default() + x);
                }
            }
        }
        totals
    }

    /// Rules derived from formulas: `1 - a / b` means a ≤ b.
    fn bounds(&self, out: &mut Vec<Finding>) {
        let y = self.data.year;
        for metric in &self.data.metrics {
            let Aggregation::Formula(formula) = &metric.aggregation else {
                continue;
            };
            let Ok(expr) = Expr::parse(formula) else {
                continue;
            };
            for (a, b) in expr.bounds() {
                let (Some(ma), Some(mb)) =
                    (self.metrics.get(a.as_str()), self.metrics.get(b.as_str()))
                else {
                    continue;
                };
                let (ta, tb) = (self.month_totals(y, &a), self.month_totals(y, &b));
                let mut flagged = false;
                for month in 0..=12u8 {
                    if let (Some(x), Some(z)) = (ta[usize::from(month)], tb[usize::from(month)])
                        && x > z
                    {
                        flagged = true;
                        out.push(self.at_most(ma, mb, x, z, vec![month]));
                    }
                }
                let (sa, sb): (Decimal, Decimal) =
                    (ta.iter().flatten().sum(), tb.iter().flatten().sum());
                if !flagged && sa > sb {
                    out.push(self.at_most(ma, mb, sa, sb, Vec::new()));
                }
            }
        }
    }

    fn at_most(&self, a: &Metric, b: &Metric, x: Decimal, z: Decimal, months: Vec<u8>) -> Finding {
        let when = match months.first() {
            Some(m) => month_label(*m),
            None => "全年".into(),
        };
        let mut f = self.finding(Severity::Error, "rule.at_most", Some(a));
        f.message = format!(
            "{when}{}（{}）为{x}，不应大于{}（{}）{z}",
            a.name, a.code, b.name, b.code
        );
        f.division = a.owners.first().cloned();
        f.months = months;
        f
    }

    /// A metric's figure over `months` (1..=due for monthly, the value for yearly).
    fn period_total(&self, year: i32, metric: &Metric) -> Option<Decimal> {
        let totals = self.month_totals(year, &metric.code);
        let months: Vec<Decimal> = match metric.period {
            Period::Yearly => vec![totals[0]?],
            Period::Monthly => (1..=self.due)
                .map(|m| totals[usize::from(m)])
                .collect::<Option<Vec<_>>>()?,
        };
        if months.is_empty() {
            return None;
        }
        Some(match metric.aggregation {
            Aggregation::Max => months.iter().copied().max()?,
            Aggregation::Last => *months.last()?,
            Aggregation::Average => {
                months.iter().copied().sum::<Decimal>() / Decimal::from(months.len() as u64)
            }
            _ => months.iter().copied().sum(),
        })
    }

    fn year_on_year(&self, out: &mut Vec<Finding>) {
        let (y, threshold) = (self.data.year, self.options.yoy_threshold_percent);
        for metric in self.data.metrics.iter().filter(|m| !m.is_formula()) {
            let (Some(this), Some(prev)) = (
                self.period_total(y, metric),
                self.period_total(y - 1, metric),
            ) else {
                continue;
            };
            if prev < self.options.yoy_min_base || prev.is_zero() {
                continue;
            }
            let change = (this - prev) / prev * Decimal::ONE_HUNDRED;
            if change.abs() > threshold {
                let mut f = self.finding(Severity::Warning, "yoy.swing", Some(metric));
                let span = match metric.period {
                    Period::Yearly => String::new(),
                    Period::Monthly if self.due == 12 => String::new(),
                    Period::Monthly => format!("（1–{}月）", self.due),
                };
                f.message = format!(
                    "{}（{}）{span}本年{}，上年{}，{}，超过{}%，请核实",
                    metric.name,
                    metric.code,
                    crate::value::format_exact(this),
                    crate::value::format_exact(prev),
                    crate::value::yoy_phrase(this, prev, 1),
                    crate::value::format_exact(threshold)
                );
                f.months = match metric.period {
                    Period::Yearly => vec![0],
                    Period::Monthly => (1..=self.due).collect(),
                };
                out.push(f);
            }
        }
    }

    fn submissions(&self, out: &mut Vec<Finding>) {
        for division in &self.data.divisions {
            let owns_monthly = self.data.metrics.iter().any(|m| {
                m.period == Period::Monthly && !m.is_formula() && m.owners.contains(&division.code)
            });
            if !owns_monthly {
                continue;
            }
            let months: Vec<u8> = (1..=self.due)
                .filter(|m| self.status(&division.code, *m) == MonthStatus::Open)
                .collect();
            if months.is_empty() {
                continue;
            }
            let mut f = self.finding(Severity::Warning, "submission.pending", None);
            f.message = format!(
                "{}尚未报送：{}",
                division.name,
                describe_months(&months, self.data.year, self.data.year)
            );
            f.division = Some(division.code.clone());
            f.months = months;
            out.push(f);
        }
    }
}

fn month_label(month: u8) -> String {
    if month == 0 {
        "全年".into()
    } else {
        format!("{month}月")
    }
}

/// Folds the `value.blank` warnings of a table-3 column that is blank in every row into
/// one warning naming the column: an agency that only fills 自然人 and 总计 gets one line
/// per empty organisation column, not one per cell. Partly blank columns keep a warning
/// per cell, so every blank cell is still named.
fn group_blank_columns(data: &YearData, out: &mut Vec<Finding>) {
    let is_blank_t3 =
        |f: &Finding| f.code == "value.blank" && f.table.as_ref().is_some_and(|t| t.table == "t3");
    // Cells per column in this year's catalogue, and the blank ones found.
    let mut cells: HashMap<String, usize> = HashMap::new();
    let entered = data.metrics.iter().filter(|m| !m.is_formula());
    for t in entered.filter_map(|m| table_cell(&m.code)) {
        if t.table == "t3" {
            *cells.entry(t.column).or_default() += 1;
        }
    }
    let mut blank: HashMap<String, usize> = HashMap::new();
    for f in out.iter().filter(|f| is_blank_t3(f)) {
        *blank
            .entry(f.table.as_ref().unwrap().column.clone())
            .or_default() += 1;
    }
    let whole: Vec<String> = blank
        .into_iter()
        .filter(|(column, n)| *n > 1 && cells.get(column) == Some(n))
        .map(|(column, _)| column)
        .collect();
    if whole.is_empty() {
        return;
    }
    let mut grouped = Vec::with_capacity(out.len());
    let mut done: Vec<String> = Vec::new();
    for f in out.drain(..) {
        let column = f
            .table
            .as_ref()
            .map(|t| t.column.clone())
            .unwrap_or_default();
        if !is_blank_t3(&f) || !whole.contains(&column) {
            grouped.push(f);
            continue;
        }
        // The first blank cell of the column stands for all of them.
        if done.contains(&column) {
            continue;
        }
        let table = f.table.as_ref().unwrap();
        let n = cells[&column];
        done.push(column);
        grouped.push(Finding {
            message: format!(
                "表三“{}”列全部未填（{n}格，计算勾稽关系时按0计）",
                table.column_label
            ),
            metric: None,
            metric_name: None,
            table: Some(TableCell {
                row: String::new(),
                row_label: String::new(),
                ..table.clone()
            }),
            ..f
        });
    }
    *out = grouped;
}

pub mod register;

#[cfg(test)]
mod tests;
