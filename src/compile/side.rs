//! What one render of a template produces beside its text: the figures and tables the
//! template functions computed (each left in the text as a token, see [`super::token`]),
//! the warnings, and the typed reason of a failed call. [`Shared`] is what every template
//! function holds: the year's facts and this side table.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use minijinja::{Error, ErrorKind};

use crate::document::{Figure, Provenance, Table};
use crate::model::{Finding, Severity, describe_months};

use super::TemplateErrorKind;
use super::facts::{Computed, FactError, Facts, FormatSpec, Gap, format_value};
use super::token;

/// What the template functions produced, collected during one render.
#[derive(Default)]
pub(super) struct Side {
    pub figures: Vec<Figure>,
    pub tables: Vec<Vec<Table>>,
    pub warnings: Vec<Finding>,
    /// The typed reason of the last error raised by one of our functions.
    pub failure: Option<(TemplateErrorKind, String)>,
    warned: HashSet<(String, i32, String)>,
}

pub(super) struct Shared {
    pub facts: Facts,
    pub side: Mutex<Side>,
}

impl Shared {
    pub fn side(&self) -> MutexGuard<'_, Side> {
        // A panic inside a template function would poison the lock; the data is still
        // usable for reporting, so take it anyway.
        self.side.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn fail(&self, kind: TemplateErrorKind, message: String) -> Error {
        self.side().failure = Some((kind, message.clone()));
        Error::new(ErrorKind::InvalidOperation, message)
    }

    pub(super) fn fact_error(&self, e: FactError) -> Error {
        let kind = match e {
            FactError::UnknownMetric { .. } => TemplateErrorKind::UnknownMetric,
            FactError::UnknownDivision(_) => TemplateErrorKind::UnknownDivision,
            FactError::Formula { .. } | FactError::FormulaCycle(_) => TemplateErrorKind::Formula,
        };
        self.fail(kind, e.to_string())
    }

    pub(super) fn push_figure(&self, figure: Figure) -> String {
        let mut side = self.side();
        side.figures.push(figure);
        token::figure(side.figures.len() - 1)
    }

    pub fn push_tables(&self, tables: Vec<Table>) -> String {
        let mut side = self.side();
        side.tables.push(tables);
        token::tables(side.tables.len() - 1)
    }

    /// Records one warning per (metric, year, division) with the months missing.
    pub fn warn_gaps(&self, gaps: &[Gap]) {
        let mut groups: BTreeMap<(String, i32, String), (String, Vec<u8>)> = BTreeMap::new();
        for g in gaps {
            groups
                .entry((g.metric.clone(), g.year, g.division.clone()))
                .or_insert_with(|| (g.metric_name.clone(), Vec::new()))
                .1
                .push(g.month);
        }
        let mut side = self.side();
        for ((metric, year, division), (name, months)) in groups {
            if !side.warned.insert((metric.clone(), year, division.clone())) {
                continue;
            }
            let when = describe_months(&months, year, year - 1);
            side.warnings.push(Finding {
                severity: Severity::Warning,
                code: "compile.missing".into(),
                message: format!(
                    "缺数：{name}（{metric}）{when}，{}未填报；报告中显示为【缺数】",
                    self.facts.division_name(&division)
                ),
                metric: Some(metric),
                metric_name: Some(name),
                division: Some(division),
                year,
                months: if months.iter().all(|m| *m == 0) {
                    vec![0]
                } else {
                    months
                },
                table: None,
            });
        }
    }

    pub fn warn(&self, finding: Finding) {
        self.side().warnings.push(finding);
    }

    /// The figure for a computed value: formatted text, or the visible 缺数 marker.
    pub(super) fn figure(&self, c: Computed, spec: FormatSpec) -> Figure {
        match c.value {
            Some(v) => Figure {
                text: format_value(v, c.kind, spec),
                missing: false,
                provenance: c.provenance,
            },
            None => {
                self.warn_gaps(&c.gaps);
                let text = match &c.undefined {
                    Some(reason) => {
                        format!("【无法计算：{}（{reason}）】", c.provenance.metric_name)
                    }
                    None => missing_marker(&c.gaps, self.facts.year),
                };
                Figure {
                    text,
                    missing: true,
                    provenance: c.provenance,
                }
            }
        }
    }
}

impl Shared {
    /// 同比增长12.3% / 同比下降4.0% / 与上年持平, with both years' figures as inputs.
    pub(super) fn yoy_figure(&self, this: Computed, prev: Computed, places: u32) -> Figure {
        let mut provenance = Provenance {
            rule: "同比：(本年 − 上年) ÷ 上年 × 100%".into(),
            ..this.provenance.clone()
        };
        provenance.values.clear();
        let (this_value, prev_value) = (this.value, prev.value);
        let mut gaps = this.gaps.clone();
        gaps.extend(prev.gaps.iter().cloned());
        provenance.inputs = vec![this.provenance, prev.provenance];
        let (Some(a), Some(b)) = (this_value, prev_value) else {
            self.warn_gaps(&gaps);
            return Figure {
                text: missing_marker(&gaps, self.facts.year),
                missing: true,
                provenance,
            };
        };
        Figure {
            text: crate::value::yoy_phrase(a, b, places),
            missing: false,
            provenance,
        }
    }
}

/// `【缺数：门户网站原创新闻信息 3月、5月】` (one part per metric missing).
fn missing_marker(gaps: &[Gap], report_year: i32) -> String {
    let mut parts: Vec<(String, i32, Vec<u8>)> = Vec::new();
    for g in gaps {
        match parts
            .iter_mut()
            .find(|(n, y, _)| *n == g.metric_name && *y == g.year)
        {
            Some(p) => p.2.push(g.month),
            None => parts.push((g.metric_name.clone(), g.year, vec![g.month])),
        }
    }
    let text: Vec<String> = parts
        .iter()
        .map(|(name, year, months)| {
            format!("{name} {}", describe_months(months, *year, report_year))
        })
        .collect();
    format!("【缺数：{}】", text.join("；"))
}
