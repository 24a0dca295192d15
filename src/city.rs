//! A city's consolidated report (汇总年报): the national tables of several agencies summed,
//! with the checks run on each agency and on the sum.
//!
//! The sum is made a [`YearData`] of its own, whose divisions are the agencies and whose
//! national metrics each agency "reports" once for the year: its own figure, computed by
//! the compiler's rules over its own data ([`Figures`]: the same aggregation, formulas,
//! register tables and missing values as its own report). The compiler, the tables, the
//! checks and the provenance pop-ups then work on the city unchanged: a cell of the city's
//! table 3 is the sum over the agencies, its provenance lists each agency's figure, and an
//! agency whose figure is missing makes the city's cell missing, named, never a zero.

use crate::check::{self, CheckOptions};
use crate::compile::Figures;
use crate::model::city::{AgencyFigures, AgencyReport};
use crate::model::national::national_metrics;
use crate::model::{Division, Finding, Metric, Severity, StoredValue, YearData};

/// The template of the consolidated report.
pub const TEMPLATE: &str = "city-annual-report";

/// One agency's checks.
#[derive(Debug, Clone)]
pub struct AgencyChecks {
    pub report: AgencyReport,
    pub findings: Vec<Finding>,
}

/// The consolidated year: the city's data and the checks.
#[derive(Debug, Clone)]
pub struct Consolidated {
    /// The agencies as divisions, the national metrics with each agency's year figure.
    pub data: YearData,
    /// Each agency's own checks of its national tables, in the agencies' order.
    pub agencies: Vec<AgencyChecks>,
    /// The checks on the sum.
    pub findings: Vec<Finding>,
}

impl Consolidated {
    /// Every finding, the sum's first, each agency's prefixed with its name.
    pub fn all_findings(&self) -> Vec<Finding> {
        let mut out = self.findings.clone();
        for a in &self.agencies {
            out.extend(a.findings.iter().cloned().map(|mut f| {
                f.message = format!("{}：{}", a.report.name, f.message);
                f
            }));
        }
        out
    }
}

/// Sums `agencies`' national tables for `year` into the report of `city` (the city
/// office's name), and checks each agency and the sum.
pub fn consolidate(
    city: &str,
    year: i32,
    agencies: &[AgencyFigures],
    options: &CheckOptions,
) -> Consolidated {
    let owners: Vec<String> = agencies.iter().map(|a| a.report.code.clone()).collect();
    let catalogue = || -> Vec<Metric> {
        national_metrics()
            .into_iter()
            .map(|mut m| {
                m.owners = owners.clone();
                m
            })
            .collect()
    };
    let divisions = agencies
        .iter()
        .zip(1..)
        .map(|(a, order)| Division {
            code: a.report.code.clone(),
            name: a.report.name.clone(),
            sort_order: order,
        })
        .collect();
    // Every agency owns this year's figures (one without them is missing, and says so).
    // Last year's sum only when every agency kept last year: a city's 同比 over some of
    // its agencies would compare unlike totals.
    let every_kept_last_year = agencies.iter().all(|a| !a.data.prev_metrics.is_empty());
    let mut data = YearData::new(
        city.to_string(),
        year,
        divisions,
        catalogue(),
        if every_kept_last_year {
            catalogue()
        } else {
            Vec::new()
        },
    );
    let mut values = Vec::new();
    let mut checks = Vec::with_capacity(agencies.len());
    for agency in agencies {
        let figures = Figures::new(&agency.data);
        let division: std::sync::Arc<str> = agency.report.code.as_str().into();
        let by: std::sync::Arc<str> = agency.report.name.as_str().into();
        for (y, metrics) in [(year, &data.metrics), (year - 1, &data.prev_metrics)] {
            for m in metrics {
                values.push(StoredValue {
                    year: y,
                    month: 0,
                    division: division.clone(),
                    metric: m.code.as_str().into(),
                    value: figures.value(&m.code, y, (1, 12), None),
                    note: String::new(),
                    updated_by: by.clone(),
                    updated_at: "".into(),
                });
            }
        }
        checks.push(AgencyChecks {
            report: agency.report.clone(),
            findings: agency_findings(agency, options),
        });
    }
    data.set_values(values);
    data.reports = agencies.iter().map(|a| a.report.clone()).collect();
    let findings = check::check(&data, options);
    Consolidated {
        data,
        agencies: checks,
        findings,
    }
}

/// An agency's checks of its national tables; a year it never opened is one error.
fn agency_findings(agency: &AgencyFigures, options: &CheckOptions) -> Vec<Finding> {
    if agency.data.metrics.is_empty() {
        return vec![Finding {
            severity: Severity::Error,
            code: "city.year_not_open".into(),
            message: format!("尚未开启{}年度，没有该年的数据", agency.data.year),
            metric: None,
            metric_name: None,
            division: Some(agency.report.code.clone()),
            year: agency.data.year,
            months: Vec::new(),
            table: None,
        }];
    }
    check::check(&agency.data, options)
}
