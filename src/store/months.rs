//! A year read's values gathered inside the engine, so that a year of a big file crosses
//! into the process as one value rather than a few hundred thousand rows (crossing rows,
//! not scanning them, was most of a year read: issue 17).
//!
//! On SQLite, the aggregate function `year_rows(division, metric, month, value)`
//! (registered on every connection by `sqlite.rs`) packs a year's rows into one blob in
//! the format below; [`decode`] turns it into one [`DivisionMonths`] per (metric,
//! division). On PostgreSQL the rows come as they are and [`Grouper`] gathers them into
//! the same [`DivisionMonths`], so both engines hand `YearData` the same thing. Values
//! only: notes, users and times are read per metric when a trace shows them
//! (`Store::metric_values`); the three text columns were a third of a year read.
//!
//! Written by hand because no crate does this: SQLite's own aggregates (`group_concat`,
//! a `CASE` per month) were slower than crossing the rows (measured on the 1,000,000-value
//! file: `group_concat` 64–93 ms, thirteen `CASE`s 128–155 ms, every row crossed 72–82
//! ms for the two years a year read covers). A `GROUP BY division, metric` around a
//! per-group aggregate came next; one aggregate over the year, with no `GROUP BY`, is
//! faster still: SQLite compares no group keys and hands over no group rows, and the
//! codes cross once per group, not once per row (one year of that file: 8.8–9.2 ms
//! against 9.7 ms, the plain `SUM … GROUP BY` of the same rows 8.7–9.7 ms; the whole
//! year read, 16.8–24.5 ms against 19.0–26.7 ms, medians of 21 in 4 alternated pairs).
//!
//! The blob, an entry per stored month: one byte, the month (0–12) with [`VALUE`] set when
//! it has a value and [`KEY`] set when the entry's division or metric is not the one
//! before's; then, with [`KEY`], the division's and the metric's codes, each as a
//! little-endian `u32` length and its UTF-8 bytes; then, with [`VALUE`], the value as 8
//! little-endian bytes. A year is one blob, so SQLite's blob limit (a billion bytes,
//! about a hundred million values) is a year's limit: beyond it the read fails with an
//! error, it never reads part of a year.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::ValueRef;

use super::{Result, StoreError};
use crate::model::{DivisionMonths, MetricRows};
use crate::value;

/// The month has a value (not stored as "not reported").
const VALUE: u8 = 0x80;
/// A new (division, metric) begins here: its two codes follow the entry's byte.
const KEY: u8 = 0x40;
/// The entry byte's month bits.
const MONTH: u8 = 0x0f;

/// The SQLite aggregate `year_rows(division, metric, month, value)`.
pub(super) struct YearRows;

/// The SQL function's name and its number of arguments.
pub(super) const NAME: &str = "year_rows";
pub(super) const ARGS: i32 = 4;

fn unexpected(i: usize, v: ValueRef<'_>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(
        format!("year_rows(): argument {} is {:?}", i + 1, v.data_type()).into(),
    )
}

/// The aggregate's state: the blob so far, and the (division, metric) of its last entry.
#[derive(Default)]
pub(super) struct Packing {
    blob: Vec<u8>,
    /// The last entry's division and metric codes, one after the other.
    key: Vec<u8>,
    division_len: usize,
}

impl Packing {
    fn same_key(&self, division: &[u8], metric: &[u8]) -> bool {
        !self.blob.is_empty()
            && self.division_len == division.len()
            && self.key[..self.division_len] == *division
            && self.key[self.division_len..] == *metric
    }

    fn push_text(&mut self, text: &[u8]) {
        // SQLite holds no text longer than 2^31 bytes.
        self.blob
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.blob.extend_from_slice(text);
    }
}

impl Aggregate<Packing, Vec<u8>> for YearRows {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Packing> {
        Ok(Packing::default())
    }

    fn step(&self, ctx: &mut Context<'_>, p: &mut Packing) -> rusqlite::Result<()> {
        let text = |i: usize| match ctx.get_raw(i) {
            ValueRef::Text(t) => Ok(t),
            other => Err(unexpected(i, other)),
        };
        let (division, metric) = (text(0)?, text(1)?);
        let mut head = match ctx.get_raw(2) {
            ValueRef::Integer(m @ 0..=12) => m as u8,
            other => return Err(unexpected(2, other)),
        };
        let value = match ctx.get_raw(3) {
            ValueRef::Integer(v) => {
                head |= VALUE;
                Some(v)
            }
            ValueRef::Null => None,
            other => return Err(unexpected(3, other)),
        };
        if p.same_key(division, metric) {
            p.blob.push(head);
        } else {
            p.blob.push(head | KEY);
            p.push_text(division);
            p.push_text(metric);
            p.key.clear();
            p.key.extend_from_slice(division);
            p.key.extend_from_slice(metric);
            p.division_len = division.len();
        }
        if let Some(v) = value {
            p.blob.extend_from_slice(&v.to_le_bytes());
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, p: Option<Packing>) -> rusqlite::Result<Vec<u8>> {
        Ok(p.map(|p| p.blob).unwrap_or_default())
    }
}

/// Strings met in a read, each allocated once: a year holds a few hundred distinct codes
/// however many values it has. The string before is the usual hit.
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

/// One code of a [`KEY`] entry, and the bytes after it.
fn code(blob: &[u8]) -> Result<(&str, &[u8])> {
    let (len, rest) = blob
        .split_first_chunk::<4>()
        .ok_or_else(|| corrupt("长度不足"))?;
    let len = u32::from_le_bytes(*len) as usize;
    if rest.len() < len {
        return Err(corrupt("长度不足"));
    }
    let (text, rest) = rest.split_at(len);
    let text = std::str::from_utf8(text).map_err(|_| corrupt("代码不是 UTF-8 文字"))?;
    Ok((text, rest))
}

/// A metric's rows while a blob is decoded.
struct Slot {
    code: Arc<str>,
    places: u32,
    rows: Vec<DivisionMonths>,
}

/// A `year_rows()` blob as one [`DivisionMonths`] per (metric, division), each value with
/// its metric's `places` decimals (`places` refuses a code the catalogue lacks).
///
/// Correct for entries in any order: a (division, metric) met again joins its row. Fast
/// for the orders SQLite reads in: by the primary key (division, then metric), each
/// division's metrics come in the order the first division's did, so the metric expected
/// next is checked before any lookup; by the metric index, the metric stays the one
/// before; either way a metric's divisions come in code order.
pub(super) fn decode(blob: &[u8], places: impl Fn(&str) -> Result<u32>) -> Result<MetricRows> {
    let mut slots: Vec<Slot> = Vec::new();
    let mut by_code: HashMap<Arc<str>, usize> = HashMap::new();
    let mut divisions = Shared::default();
    let (mut next, mut at) = (0usize, None::<(usize, usize)>);
    let mut rest = blob;
    while let [head, tail @ ..] = rest {
        rest = tail;
        let month = head & MONTH;
        if head & !(MONTH | KEY | VALUE) != 0 {
            return Err(corrupt("条目标记无效"));
        }
        if month > 12 {
            return Err(corrupt("月份超出范围"));
        }
        if head & KEY != 0 {
            let (division, tail) = code(rest)?;
            let (metric, tail) = code(tail)?;
            rest = tail;
            let expected = |i: usize| slots.get(i).is_some_and(|s| *s.code == *metric);
            let slot = match at {
                // The metric before, the usual case when the rows come by metric (a
                // national read's few metrics, by the metric index).
                Some((i, _)) if expected(i) => i,
                _ if expected(next) => next,
                _ => match by_code.get(metric) {
                    Some(&i) => i,
                    None => {
                        let code: Arc<str> = metric.into();
                        by_code.insert(code.clone(), slots.len());
                        slots.push(Slot {
                            places: places(metric)?,
                            code,
                            rows: Vec::new(),
                        });
                        slots.len() - 1
                    }
                },
            };
            next = slot + 1;
            let rows = &mut slots[slot].rows;
            let row = match rows.last() {
                Some(last) if *last.division >= *division => {
                    rows.iter().rposition(|r| *r.division == *division)
                }
                _ => None,
            };
            let row = row.unwrap_or_else(|| {
                rows.push(DivisionMonths::new(divisions.get(division)));
                rows.len() - 1
            });
            at = Some((slot, row));
        }
        let Some((slot, row)) = at else {
            return Err(corrupt("缺少处室与指标"));
        };
        let value = if head & VALUE != 0 {
            let Some((bytes, tail)) = rest.split_first_chunk::<8>() else {
                return Err(corrupt("长度不足"));
            };
            rest = tail;
            let places = slots[slot].places;
            Some(value::from_scaled(i64::from_le_bytes(*bytes), places))
        } else {
            None
        };
        slots[slot].rows[row].put(month, value);
    }
    Ok(slots.into_iter().map(|s| (s.code, s.rows)).collect())
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

    fn connection() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.create_aggregate_function(
            NAME,
            ARGS,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            YearRows,
        )
        .unwrap();
        conn.execute_batch("CREATE TABLE v (division, metric, month, value);")
            .unwrap();
        conn
    }

    fn packed(conn: &Connection, order: &str) -> Vec<u8> {
        conn.query_row(
            &format!("SELECT year_rows(division, metric, month, value) FROM (SELECT * FROM v ORDER BY {order})"),
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// 2 places for `a`, none for `b.长`, anything else not in the catalogue.
    fn places(code: &str) -> Result<u32> {
        match code {
            "a" => Ok(2),
            "b.长" => Ok(0),
            _ => Err(StoreError::Corrupt(code.into())),
        }
    }

    /// The aggregate's blob, decoded, holds what the rows held: values (large, negative,
    /// zero) and blanks, by metric and division, in whatever order the rows came; a blob
    /// cut short never reads as more than it held.
    #[test]
    fn a_years_blob_decodes_to_its_rows_in_any_order() {
        let conn = connection();
        conn.execute_batch(
            "INSERT INTO v VALUES ('d1', 'a', 0, 12345), ('d1', 'a', 1, NULL), ('d1', 'a', 2, -7),
               ('d1', 'b.长', 3, 0), ('d1', 'b.长', 0, 8), ('d2', 'a', 12, 9223372036854775807), ('处室', 'b.长', 5, 4);",
        )
        .unwrap();
        let d = |v: i64, places: u32| Some(rust_decimal::Decimal::new(v, places).normalize());
        let row = |division: &str, months: &[(u8, Option<rust_decimal::Decimal>)]| {
            let mut row = DivisionMonths::new(division.into());
            for &(month, value) in months {
                row.put(month, value);
            }
            row
        };
        let sorted = |mut rows: MetricRows| {
            for list in rows.values_mut() {
                list.sort_by(|a, b| a.division.cmp(&b.division));
            }
            rows
        };
        let mut expected = MetricRows::new();
        expected.insert(
            "a".into(),
            vec![
                row("d1", &[(0, d(12345, 2)), (1, None), (2, d(-7, 2))]),
                row("d2", &[(12, d(i64::MAX, 2))]),
            ],
        );
        expected.insert(
            "b.长".into(),
            vec![
                row("d1", &[(0, d(8, 0)), (3, d(0, 0))]),
                row("处室", &[(5, d(4, 0))]),
            ],
        );
        // The primary key's order; the metric index's; months first, so that d1's `a`
        // comes back after its `b.长`; and backwards.
        for order in [
            "division, metric, month",
            "metric, division, month",
            "month, metric",
            "division DESC, month DESC",
        ] {
            let blob = packed(&conn, order);
            assert_eq!(sorted(decode(&blob, places).unwrap()), expected, "{order}");
        }
        let blob = packed(&conn, "division, metric, month");
        let stored = |rows: &MetricRows| {
            rows.values()
                .flatten()
                .map(DivisionMonths::len)
                .sum::<usize>()
        };
        for cut in 1..blob.len() {
            if let Ok(short) = decode(&blob[..cut], places) {
                // A cut at an entry's end reads as the entries before it, never as more.
                assert!(stored(&short) < 7, "cut at {cut}");
            }
        }
        assert!(decode(&[13], places).is_err());
        // Flag bits the format does not have.
        assert!(decode(&[0x20 | KEY, 0, 0, 0, 0, 0, 0, 0, 0], places).is_err());
        // A value with no division and metric before it.
        assert!(decode(&[1], places).is_err());
        // A metric the catalogue lacks.
        conn.execute_batch("INSERT INTO v VALUES ('d1', 'zz', 1, 1)")
            .unwrap();
        assert!(decode(&packed(&conn, "month"), places).is_err());
    }

    #[test]
    fn no_rows_pack_to_nothing() {
        let conn = connection();
        let blob: Option<Vec<u8>> = conn
            .query_row(
                "SELECT year_rows(division, metric, month, value) FROM v",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let rows = match blob {
            Some(blob) => decode(&blob, places).unwrap(),
            None => MetricRows::new(),
        };
        assert!(rows.is_empty());
    }

    #[test]
    fn a_month_outside_the_year_or_a_wrong_type_is_refused_in_the_engine() {
        let conn = connection();
        for args in [
            "'d', 'm', 13, 1",
            "'d', 'm', -1, 1",
            "'d', 'm', 1, 'x'",
            "'d', 'm', 1, 1.5",
            "'d', 'm', NULL, 1",
            "NULL, 'm', 1, 1",
            "'d', 7, 1, 1",
        ] {
            let r: rusqlite::Result<Vec<u8>> =
                conn.query_row(&format!("SELECT year_rows({args})"), [], |r| r.get(0));
            assert!(r.is_err(), "{args}");
        }
    }
}
