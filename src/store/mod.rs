//! The SQLite file (store): opening and migrations, divisions, users and roles, the
//! per-year catalogue, values, narratives, submissions and the audit log. The only module
//! that knows the data lives in SQLite.

mod year_data;

pub use year_data::{MonthStatus, Narrative, StoredValue, YearData};
