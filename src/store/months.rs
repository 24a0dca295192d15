//! A year read's rows, one per (year, division, metric): the months of a division's metric
//! gathered inside the engine, so that a year of a big file crosses into the process as a
//! few thousand rows rather than a few hundred thousand (crossing rows, not scanning
//! them, was most of a year read: issue 17).
//!
//! On SQLite, the aggregate function `months(month, value)` (registered on every
//! connection by `sqlite.rs`) packs a group's months into one blob in the format below;
//! [`decode`] turns the blob into a [`DivisionMonths`]. On PostgreSQL the rows come as
//! they are and [`Grouper`] gathers them into the same [`DivisionMonths`], so both
//! engines hand `YearData` the same thing. Values only: notes, users and times are read
//! per metric when a trace shows them (`Store::metric_values`); the three text columns
//! were a third of a year read.
//!
//! Written by hand because no crate does this: SQLite's own aggregates (`group_concat`,
//! a `CASE` per month) were slower than crossing the rows (measured on the 1,000,000-value
//! file: `group_concat` 64–93 ms, thirteen `CASE`s 128–155 ms, every row crossed 72–82
//! ms, this aggregate 38–61 ms for the two years a year read covers, when it still
//! carried the texts).
//!
//! The blob, per stored month in key (month) order: one byte, the month (0–12) with
//! [`VALUE`] set when it has a value, and then the value as 8 little-endian bytes.

use std::sync::Arc;

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::ValueRef;

use super::{Result, StoreError};
use crate::model::{DivisionMonths, MetricRows};
use crate::value;

/// The month has a value (not stored as "not reported").
const VALUE: u8 = 0x80;

/// The SQLite aggregate `months(month, value)`.
pub(super) struct Months;

/// The SQL function's name and its number of arguments.
pub(super) const NAME: &str = "months";
pub(super) const ARGS: i32 = 2;

fn unexpected(i: usize, v: ValueRef<'_>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(
        format!("months(): argument {} is {:?}", i + 1, v.data_type()).into(),
    )
}

impl Aggregate<Vec<u8>, Vec<u8>> for Months {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<u8>> {
        Ok(Vec::with_capacity(13 * 9))
    }

    fn step(&self, ctx: &mut Context<'_>, blob: &mut Vec<u8>) -> rusqlite::Result<()> {
        let month = match ctx.get_raw(0) {
            ValueRef::Integer(m @ 0..=12) => m as u8,
            other => return Err(unexpected(0, other)),
        };
        match ctx.get_raw(1) {
            ValueRef::Integer(v) => {
                blob.push(month | VALUE);
                blob.extend_from_slice(&v.to_le_bytes());
            }
            ValueRef::Null => blob.push(month),
            other => return Err(unexpected(1, other)),
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, blob: Option<Vec<u8>>) -> rusqlite::Result<Vec<u8>> {
        Ok(blob.unwrap_or_default())
    }
}

/// Strings met in a read, each allocated once: a year holds a few hundred distinct codes,
/// users and times however many values it has. The string before is the usual hit.
#[derive(Default)]
pub(super) struct Shared {
    last: Option<Arc<str>>,
    seen: std::collections::HashSet<Arc<str>>,
}

impl Shared {
    pub(super) fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(last) = &self.last
            && **last == *s
        {
            return last.clone();
        }
        let shared = match self.seen.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<str> = Arc::from(s);
                self.seen.insert(a.clone());
                a
            }
        };
        self.last = Some(shared.clone());
        shared
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("月度数值汇总数据损坏：{what}"))
}

/// A `months()` blob of `division`'s metric whose values have `places` decimals.
pub(super) fn decode(blob: &[u8], division: Arc<str>, places: u32) -> Result<DivisionMonths> {
    let mut row = DivisionMonths::new(division);
    let mut rest = blob;
    while let [head, tail @ ..] = rest {
        let month = head & !VALUE;
        if month > 12 {
            return Err(corrupt("月份超出范围"));
        }
        rest = tail;
        let value = if head & VALUE != 0 {
            let Some((bytes, tail)) = rest.split_first_chunk::<8>() else {
                return Err(corrupt("长度不足"));
            };
            rest = tail;
            Some(value::from_scaled(i64::from_le_bytes(*bytes), places))
        } else {
            None
        };
        row.put(month, value);
    }
    Ok(row)
}

/// The PostgreSQL side: a year's rows in any order gathered into one [`DivisionMonths`]
/// per (division, metric). Not sorted by the server: an `ORDER BY` the primary key made
/// PostgreSQL walk that index over every value of the years instead of picking a
/// national read's few metrics by the metric index (a city's consolidation took 84 ms per
/// agency with it, 30 ms without; `benches/city.rs`).
#[derive(Default)]
pub(super) struct Grouper {
    pub(super) done: MetricRows,
    /// Where each (division, metric) is in its metric's list.
    index: std::collections::HashMap<(Arc<str>, Arc<str>), usize>,
}

impl Grouper {
    /// Adds one stored value; `division` and `metric` shared by the caller.
    pub(super) fn push(
        &mut self,
        division: Arc<str>,
        metric: Arc<str>,
        month: u8,
        value: Option<rust_decimal::Decimal>,
    ) {
        let Grouper { done, index } = self;
        let rows = done.entry(metric.clone()).or_default();
        let i = *index.entry((division.clone(), metric)).or_insert_with(|| {
            rows.push(DivisionMonths::new(division));
            rows.len() - 1
        });
        rows[i].put(month, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;
    use rusqlite::functions::FunctionFlags;

    /// The aggregate's blob, decoded, holds what the rows held: values (large, negative,
    /// zero) and blanks; a blob cut short never reads as more than it held.
    #[test]
    fn a_groups_blob_decodes_to_its_rows() {
        let conn = Connection::open_in_memory().unwrap();
        conn.create_aggregate_function(
            NAME,
            ARGS,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            Months,
        )
        .unwrap();
        conn.execute_batch(
            "CREATE TABLE v (month, value);
             INSERT INTO v VALUES (0, 12345), (1, NULL), (2, -7), (3, 0),
               (12, 9223372036854775807);",
        )
        .unwrap();
        let blob: Vec<u8> = conn
            .query_row(
                "SELECT months(month, value) FROM (SELECT * FROM v ORDER BY month)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let row = decode(&blob, "d".into(), 2).unwrap();
        let mut expected = DivisionMonths::new("d".into());
        let d = |v: i64| Some(rust_decimal::Decimal::new(v, 2).normalize());
        expected.put(0, d(12345));
        expected.put(1, None);
        expected.put(2, d(-7));
        expected.put(3, d(0));
        expected.put(12, d(i64::MAX));
        assert_eq!(row, expected);
        for cut in 1..blob.len() {
            if let Ok(short) = decode(&blob[..cut], "d".into(), 2) {
                // A cut at a month's end reads as the months before it, never as more.
                assert!(short.len() < row.len(), "cut at {cut}");
            }
        }
        assert!(decode(&[13], "d".into(), 2).is_err());
    }

    #[test]
    fn a_month_outside_the_year_or_a_wrong_type_is_refused_in_the_engine() {
        let conn = Connection::open_in_memory().unwrap();
        conn.create_aggregate_function(NAME, ARGS, FunctionFlags::SQLITE_UTF8, Months)
            .unwrap();
        for args in ["13, 1", "-1, 1", "1, 'x'", "1, 1.5", "NULL, 1"] {
            let r: rusqlite::Result<Vec<u8>> =
                conn.query_row(&format!("SELECT months({args})"), [], |r| r.get(0));
            assert!(r.is_err(), "{args}");
        }
    }
}
