//! The compiler's view of a [`YearData`]: a compact, owned snapshot (`Facts`) and the
//! aggregation of stored values into figures with their [`Provenance`].
//!
//! Why a snapshot: the template engine (minijinja) only accepts `'static` functions, so
//! they cannot borrow the caller's `YearData`. Copying the values once into a compact
//! index (month, division number, value) costs a few milliseconds even for a large file
//! and lets every template function share it through an `Arc`.
//!
//! What it never does: guess. A month or division without a stored value (or stored
//! blank) makes the figure *missing* — it lists the gaps instead of summing a zero.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::document::{Provenance, SourceValue};
use crate::model::{Aggregation, Division, Metric, Narrative, Period, ValueKind, YearData};

use crate::model::formula::{Expr, FormulaError};

/// One stored value, compact: month (0 = yearly), index into `Facts::division_codes`.
#[derive(Debug, Clone, Copy)]
struct Cell {
    month: u8,
    division: u32,
    value: Option<Decimal>,
}

/// Owned snapshot of a year's data, shared by the template functions.
pub(crate) struct Facts {
    pub year: i32,
    pub agency: String,
    pub agency_short: String,
    pub divisions: Vec<Division>,
    /// Codes of `divisions`, then of any division seen only in the values.
    division_codes: Vec<String>,
    division_index: HashMap<String, u32>,
    metrics: HashMap<String, Metric>,
    prev_metrics: HashMap<String, Metric>,
    /// This year's metric codes in catalogue order.
    pub metric_order: Vec<String>,
    values: HashMap<(i32, String), Vec<Cell>>,
    pub narratives: Vec<Narrative>,
    /// A city's agencies with their own reports (empty for an agency).
    pub reports: Vec<crate::model::city::AgencyReport>,
}

/// Which values a figure combines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    pub year: i32,
    /// First and last month, inclusive (ignored for yearly metrics).
    pub months: (u8, u8),
    /// One division, or `None` for all of the metric's owners.
    pub division: Option<String>,
}

/// A place where a needed value is not in the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gap {
    pub metric: String,
    pub metric_name: String,
    pub year: i32,
    pub division: String,
    /// 0 for a yearly metric.
    pub month: u8,
}

/// A computed figure: the exact value (or `None`), how it was made, and what is missing.
#[derive(Debug, Clone)]
pub(crate) struct Computed {
    pub value: Option<Decimal>,
    pub kind: ValueKind,
    pub provenance: Provenance,
    pub gaps: Vec<Gap>,
    /// Why a value could not be computed although nothing was missing (除数为零).
    pub undefined: Option<String>,
}

/// Errors a template author can fix: they become template errors with a location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FactError {
    #[error("指标目录中没有指标“{code}”（{year}年）")]
    UnknownMetric { code: String, year: i32 },
    #[error("没有代码为“{0}”的处室")]
    UnknownDivision(String),
    #[error("指标“{metric}”的公式有误：{error}")]
    Formula { metric: String, error: FormulaError },
    #[error("指标“{0}”的公式循环引用了自身")]
    FormulaCycle(String),
}

impl Facts {
    pub fn new(data: &YearData) -> Facts {
        let mut division_codes: Vec<String> =
            data.divisions.iter().map(|d| d.code.clone()).collect();
        let mut division_index: HashMap<String, u32> = division_codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect();
        let mut values = HashMap::new();
        let years = [data.year, data.year - 1];
        let codes = data
            .metrics
            .iter()
            .chain(&data.prev_metrics)
            .map(|m| m.code.as_str());
        for code in codes {
            for year in years {
                if values.contains_key(&(year, code.to_string())) {
                    continue;
                }
                let stored = data.values(year, code);
                if stored.is_empty() {
                    continue;
                }
                let mut cells = Vec::with_capacity(stored.len());
                for v in stored {
                    let division = match division_index.get(v.division) {
                        Some(i) => *i,
                        None => {
                            let i = division_codes.len() as u32;
                            division_codes.push(v.division.to_string());
                            division_index.insert(v.division.to_string(), i);
                            i
                        }
                    };
                    cells.push(Cell {
                        month: v.month,
                        division,
                        value: v.value,
                    });
                }
                values.insert((year, code.to_string()), cells);
            }
        }
        Facts {
            year: data.year,
            agency: data.agency.clone(),
            agency_short: data.agency_short.clone(),
            divisions: data.divisions.clone(),
            division_codes,
            division_index,
            metrics: data
                .metrics
                .iter()
                .map(|m| (m.code.clone(), m.clone()))
                .collect(),
            prev_metrics: data
                .prev_metrics
                .iter()
                .map(|m| (m.code.clone(), m.clone()))
                .collect(),
            metric_order: data.metrics.iter().map(|m| m.code.clone()).collect(),
            values,
            narratives: data.narratives.clone(),
            reports: data.reports.clone(),
        }
    }

    /// This year's catalogue entry.
    pub fn metric(&self, code: &str) -> Option<&Metric> {
        self.metrics.get(code)
    }

    /// Whether `year`'s own catalogue (this year's or last year's) has `code`.
    pub fn has_in(&self, year: i32, code: &str) -> bool {
        if year == self.year {
            self.metrics.contains_key(code)
        } else {
            year == self.year - 1 && self.prev_metrics.contains_key(code)
        }
    }

    /// The catalogue entry for `year`; last year falls back to this year's definition
    /// when last year's catalogue lacks the code (the values then decide what is missing).
    pub fn metric_of(&self, year: i32, code: &str) -> Result<&Metric, FactError> {
        let found = if year == self.year {
            self.metrics.get(code)
        } else {
            self.prev_metrics
                .get(code)
                .or_else(|| self.metrics.get(code))
        };
        found.ok_or_else(|| FactError::UnknownMetric {
            code: code.to_string(),
            year,
        })
    }

    pub fn division_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.divisions
            .iter()
            .find(|d| d.code == code)
            .map_or(code, |d| d.name.as_str())
    }

    pub fn check_division(&self, code: &str) -> Result<(), FactError> {
        if self.divisions.iter().any(|d| d.code == code) {
            Ok(())
        } else {
            Err(FactError::UnknownDivision(code.to_string()))
        }
    }

    /// Computes the figure of `code` over `sel`.
    pub fn compute(&self, code: &str, sel: &Selection) -> Result<Computed, FactError> {
        self.compute_depth(code, sel, 0)
    }

    fn compute_depth(
        &self,
        code: &str,
        sel: &Selection,
        depth: u32,
    ) -> Result<Computed, FactError> {
        let metric = self.metric_of(sel.year, code)?;
        if depth > 16 {
            return Err(FactError::FormulaCycle(code.to_string()));
        }
        match &metric.aggregation {
            Aggregation::Formula(f) => self.formula(metric, f, sel, depth),
            _ => Ok(self.aggregate(metric, sel)),
        }
    }

    fn provenance(&self, metric: &Metric, sel: &Selection, divisions: Vec<String>) -> Provenance {
        Provenance {
            metric_code: metric.code.clone(),
            metric_name: metric.name.clone(),
            unit: metric.unit.clone(),
            year: sel.year,
            months: match metric.period {
                Period::Yearly => (12, 12),
                Period::Monthly => sel.months,
            },
            divisions,
            values: Vec::new(),
            rule: metric.aggregation.describe(),
            inputs: Vec::new(),
        }
    }

    fn aggregate(&self, metric: &Metric, sel: &Selection) -> Computed {
        let yearly = metric.period == Period::Yearly;
        let (first, last) = if yearly { (0, 0) } else { sel.months };
        // The divisions that must have reported: the one asked for, else the owners.
        let expected: Vec<u32> = match &sel.division {
            Some(d) => self.division_index.get(d).copied().into_iter().collect(),
            None => metric
                .owners
                .iter()
                .filter_map(|o| self.division_index.get(o).copied())
                .collect(),
        };
        let wanted_division = sel
            .division
            .as_ref()
            .map(|d| self.division_index.get(d).copied());
        let cells: &[Cell] = self
            .values
            .get(&(sel.year, metric.code.clone()))
            .map_or(&[], Vec::as_slice);
        let mut used: Vec<&Cell> = Vec::new();
        for c in cells {
            if c.month < first || c.month > last {
                continue;
            }
            if let Some(w) = wanted_division
                && w != Some(c.division)
            {
                continue;
            }
            used.push(c);
        }
        // Months present per division, as bits 0–12.
        let mut present: HashMap<u32, u16> = HashMap::new();
        for c in used.iter().filter(|c| c.value.is_some()) {
            *present.entry(c.division).or_default() |= 1 << c.month.min(15);
        }
        let mut gaps = Vec::new();
        for &d in &expected {
            let bits = present.get(&d).copied().unwrap_or(0);
            for month in first..=last {
                if bits & (1 << month.min(15)) == 0 {
                    gaps.push(Gap {
                        metric: metric.code.clone(),
                        metric_name: metric.name.clone(),
                        year: sel.year,
                        division: self.division_codes[d as usize].clone(),
                        month,
                    });
                }
            }
        }
        if let Some(d) = &sel.division
            && expected.is_empty()
        {
            for month in first..=last {
                gaps.push(Gap {
                    metric: metric.code.clone(),
                    metric_name: metric.name.clone(),
                    year: sel.year,
                    division: d.clone(),
                    month,
                });
            }
        }
        // The expected divisions, then any other that reported, each once.
        let mut division_list: Vec<u32> = expected.clone();
        let mut seen: std::collections::HashSet<u32> = expected.iter().copied().collect();
        for c in &used {
            if seen.insert(c.division) {
                division_list.push(c.division);
            }
        }
        let mut provenance = self.provenance(
            metric,
            sel,
            division_list
                .iter()
                .map(|d| self.division_codes[*d as usize].clone())
                .collect(),
        );
        // Listed by month and in the divisions' display order (the order of the entry
        // grid, and of a city's agencies), not by code.
        let mut listed = used.clone();
        listed.sort_by_key(|c| (c.month, c.division));
        provenance.values = listed
            .into_iter()
            .map(|c| SourceValue {
                division: self.division_codes[c.division as usize].clone(),
                month: c.month,
                value: c.value.map(crate::value::format_exact).unwrap_or_default(),
            })
            .collect();
        let value = if gaps.is_empty() {
            Some(combine(&metric.aggregation, &used, first, last))
        } else {
            None
        };
        Computed {
            value,
            kind: metric.kind,
            provenance,
            gaps,
            undefined: None,
        }
    }

    fn formula(
        &self,
        metric: &Metric,
        formula: &str,
        sel: &Selection,
        depth: u32,
    ) -> Result<Computed, FactError> {
        let bad = |error| FactError::Formula {
            metric: metric.code.clone(),
            error,
        };
        let expr = Expr::parse(formula).map_err(bad)?;
        let mut inputs: Vec<Computed> = Vec::new();
        for code in expr.metrics() {
            inputs.push(self.compute_depth(code, sel, depth + 1)?);
        }
        let gaps: Vec<Gap> = inputs.iter().flat_map(|c| c.gaps.clone()).collect();
        let mut undefined = None;
        let value = if gaps.is_empty() {
            let codes = expr.metrics();
            let result = expr.eval(&mut |code| {
                codes
                    .iter()
                    .position(|c| *c == code)
                    .and_then(|i| inputs[i].value)
                    .unwrap_or_default()
            });
            match result {
                Ok(v) => Some(v),
                Err(e @ (FormulaError::DivisionByZero | FormulaError::Overflow)) => {
                    undefined = Some(e.to_string());
                    None
                }
                Err(e) => return Err(bad(e)),
            }
        } else {
            None
        };
        let mut divisions: Vec<String> = Vec::new();
        for c in &inputs {
            for d in &c.provenance.divisions {
                if !divisions.contains(d) {
                    divisions.push(d.clone());
                }
            }
        }
        let mut provenance = self.provenance(metric, sel, divisions);
        provenance.inputs = inputs.into_iter().map(|c| c.provenance).collect();
        Ok(Computed {
            value,
            kind: metric.kind,
            provenance,
            gaps,
            undefined,
        })
    }
}

/// Combines the used cells (all present) by the metric's rule.
fn combine(rule: &Aggregation, used: &[&Cell], first: u8, last: u8) -> Decimal {
    let value = |c: &&Cell| c.value.unwrap_or_default();
    match rule {
        Aggregation::Sum | Aggregation::Formula(_) => used.iter().map(value).sum(),
        Aggregation::Last => {
            // Per division its latest month, then summed over divisions.
            let mut latest: HashMap<u32, &Cell> = HashMap::new();
            for c in used {
                let e = latest.entry(c.division).or_insert(c);
                if c.month >= e.month {
                    *e = c;
                }
            }
            latest.values().map(value).sum()
        }
        Aggregation::Max | Aggregation::Average => {
            let mut per_month: HashMap<u8, Decimal> = HashMap::new();
            for c in used {
                *per_month.entry(c.month).or_default() += value(c);
            }
            if matches!(rule, Aggregation::Max) {
                per_month.values().copied().max().unwrap_or_default()
            } else {
                let n = Decimal::from(u32::from(last - first) + 1);
                per_month.values().copied().sum::<Decimal>() / n
            }
        }
    }
}

/// How a figure is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FormatSpec {
    /// Decimal places; `None` = the metric's own (counts 0, 万元 2, % 1).
    pub places: Option<u32>,
    /// Cut instead of rounding (for `1530多万元`).
    pub round_down: bool,
    /// Drop trailing zeros (`164.00` → `164`).
    pub trim: bool,
}

pub(crate) fn format_value(value: Decimal, kind: ValueKind, spec: FormatSpec) -> String {
    let places = spec.places.unwrap_or(kind.places());
    let value = if spec.round_down {
        value.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToZero)
    } else {
        value
    };
    let text = crate::value::format(value, places);
    if spec.trim && text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn all_year(year: i32) -> Selection {
        Selection {
            year,
            months: (1, 12),
            division: None,
        }
    }

    #[test]
    fn sums_formulas_and_month_ranges_on_the_demo() {
        let facts = Facts::new(&crate::demo::data::year_data(2019));
        let c = facts.compute("news.original", &all_year(2019)).unwrap();
        assert_eq!(c.value, Some(d("1725")));
        assert_eq!(c.provenance.values.len(), 12);
        assert_eq!(c.provenance.divisions, ["news"]);
        let c = facts
            .compute(
                "registration.deregistration",
                &Selection {
                    months: (1, 11),
                    ..all_year(2019)
                },
            )
            .unwrap();
        assert_eq!(c.value, Some(d("1350")));
        let c = facts
            .compute("food.sampling.pass_rate", &all_year(2019))
            .unwrap();
        assert_eq!(
            format_value(c.value.unwrap(), c.kind, FormatSpec::default()),
            "98.1"
        );
        assert_eq!(c.provenance.inputs.len(), 2);
        let c = facts
            .compute("t3.results_total.total", &all_year(2019))
            .unwrap();
        assert_eq!(c.value, Some(d("83")));
        assert_eq!(c.provenance.months, (12, 12));
        assert!(matches!(
            facts.compute("no.such", &all_year(2019)),
            Err(FactError::UnknownMetric { .. })
        ));
    }

    #[test]
    fn formats_and_describes_months() {
        let spec = FormatSpec {
            places: Some(0),
            round_down: true,
            trim: false,
        };
        assert_eq!(
            format_value(d("1530.75"), ValueKind::Amount { places: 2 }, spec),
            "1530"
        );
        let trim = FormatSpec {
            trim: true,
            ..FormatSpec::default()
        };
        assert_eq!(
            format_value(d("164"), ValueKind::Amount { places: 2 }, trim),
            "164"
        );
        assert_eq!(
            format_value(d("2354.48"), ValueKind::Amount { places: 2 }, trim),
            "2354.48"
        );
    }
}
