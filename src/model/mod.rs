//! The plain data every computing module shares (数据模型): the organisation, the metric
//! catalogue, the national tables' codes and labels, one year's data, the findings the
//! checks and the compiler report, the formulas of computed metrics, and the settings a
//! file keeps. No module here
//! computes a report, reads a file or knows the store; everything above — the store that
//! persists and produces these types, the compiler, the checks, the prose checks, the UI —
//! depends on this floor and nothing here depends on them.
//!
//! The types are re-exported here (`crate::model::Metric`), except the national tables,
//! the formula parser and the 依申请公开 register (its records, the working-day calendar
//! and the tables computed from it), which keep their own namespace
//! (`crate::model::national::T3_ROWS`, `crate::model::formula::Expr`,
//! `crate::model::register::Application`).

pub mod calendar;
pub mod city;
mod finding;
pub mod formula;
mod metric;
pub mod national;
mod org;
pub mod register;
pub mod register_tables;
mod settings;
mod year_data;

pub use finding::{Finding, Severity, TableCell, describe_months, has_errors};
pub use metric::{Aggregation, Metric, Period, ValueKind};
pub use org::{Division, OFFICE, Role, User};
pub use settings::FileSettings;
#[cfg(test)]
pub(crate) use year_data::fixture as year_data_fixture;
pub use year_data::{
    DivisionMonths, MetricRows, MonthStatus, Narrative, StoredValue, ValueRef, Values, ValuesIter,
    YearData,
};
