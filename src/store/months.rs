//! A year read's rows, one per (year, division, metric): the months of a division's metric
//! gathered inside the engine, so that a year of a big file crosses into the process as a
//! few thousand rows rather than a few hundred thousand (crossing rows, not scanning
//! them, was most of a year read: issue 17).
//!
//! On SQLite, the aggregate function `months(month, value, note, updated_by, updated_at)`
//! (registered on every connection by `sqlite.rs`) packs a group's months into one blob in
//! the format below; [`decode`] turns the blob into a [`DivisionMonths`]. On PostgreSQL
//! the rows come as they are and [`Grouper`] gathers them into the same
//! [`DivisionMonths`], so both engines hand `YearData` the same thing.
//!
//! Written by hand because no crate does this: SQLite's own aggregates (`group_concat`,
//! a `CASE` per month) were slower than crossing the rows (measured on the 1,000,000-value
//! file: `group_concat` 64–93 ms, thirteen `CASE`s 128–155 ms, every row crossed 72–82
//! ms, this aggregate 38–61 ms for the two years a year read covers).
//!
//! The blob, per stored month in key (month) order: the month (one byte), a flags byte
//! ([`VALUE`], [`NOTE`], [`NEW_BY`], [`NEW_AT`]), the value as 8 little-endian bytes when
//! [`VALUE`] is set, then for each of note, user and time that its flag says follows, its
//! length (4 little-endian bytes) and UTF-8 bytes. A user or time not sent is the one of
//! the month before: a row is usually written by one user at one time.

use std::sync::Arc;

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::ValueRef;

use super::{Result, StoreError};
use crate::model::{DivisionMonths, MetricRows};
use crate::value;

/// The month has a value (not stored as "not reported").
const VALUE: u8 = 1;
/// A note follows.
const NOTE: u8 = 2;
/// A user follows (else the month before's).
const NEW_BY: u8 = 4;
/// A time follows (else the month before's).
const NEW_AT: u8 = 8;

/// The SQLite aggregate `months(month, value, note, updated_by, updated_at)`.
pub(super) struct Months;

/// One group's blob so far, with where in it the user and time last written are (no
/// copies of them: three allocations a group were a tenth of a year read).
#[derive(Default)]
pub(super) struct Packed {
    blob: Vec<u8>,
    by: std::ops::Range<usize>,
    at: std::ops::Range<usize>,
}

/// The SQL function's name and its number of arguments.
pub(super) const NAME: &str = "months";
pub(super) const ARGS: i32 = 5;

fn text<'a>(ctx: &'a Context<'_>, i: usize) -> rusqlite::Result<&'a [u8]> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => Ok(t),
        other => Err(unexpected(i, other)),
    }
}

fn unexpected(i: usize, v: ValueRef<'_>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(
        format!("months(): argument {} is {:?}", i + 1, v.data_type()).into(),
    )
}

/// Appends `t` with its length; returns where its bytes are.
fn push_text(blob: &mut Vec<u8>, t: &[u8]) -> std::ops::Range<usize> {
    blob.extend_from_slice(&(t.len() as u32).to_le_bytes());
    blob.extend_from_slice(t);
    blob.len() - t.len()..blob.len()
}

impl Aggregate<Packed, Vec<u8>> for Months {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Packed> {
        Ok(Packed {
            blob: Vec::with_capacity(13 * 10 + 64),
            ..Packed::default()
        })
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Packed) -> rusqlite::Result<()> {
        let month = match ctx.get_raw(0) {
            ValueRef::Integer(m @ 0..=12) => m as u8,
            other => return Err(unexpected(0, other)),
        };
        let value = match ctx.get_raw(1) {
            ValueRef::Integer(v) => Some(v),
            ValueRef::Null => None,
            other => return Err(unexpected(1, other)),
        };
        let (note, by, at) = (text(ctx, 2)?, text(ctx, 3)?, text(ctx, 4)?);
        let mut flags = 0;
        if value.is_some() {
            flags |= VALUE;
        }
        if !note.is_empty() {
            flags |= NOTE;
        }
        let new_by = acc.blob.is_empty() || acc.blob[acc.by.clone()] != *by;
        let new_at = acc.blob.is_empty() || acc.blob[acc.at.clone()] != *at;
        if new_by {
            flags |= NEW_BY;
        }
        if new_at {
            flags |= NEW_AT;
        }
        acc.blob.extend_from_slice(&[month, flags]);
        if let Some(v) = value {
            acc.blob.extend_from_slice(&v.to_le_bytes());
        }
        if !note.is_empty() {
            push_text(&mut acc.blob, note);
        }
        if new_by {
            acc.by = push_text(&mut acc.blob, by);
        }
        if new_at {
            acc.at = push_text(&mut acc.blob, at);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Packed>) -> rusqlite::Result<Vec<u8>> {
        Ok(acc.map(|a| a.blob).unwrap_or_default())
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

/// The shared strings of one read: users and times.
#[derive(Default)]
pub(super) struct Origins {
    by: Shared,
    at: Shared,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("月度数值汇总数据损坏：{what}"))
}

/// A `months()` blob of `division`'s metric whose values have `places` decimals.
pub(super) fn decode(
    blob: &[u8],
    division: Arc<str>,
    places: u32,
    origins: &mut Origins,
) -> Result<DivisionMonths> {
    let mut row = DivisionMonths::new(division);
    let mut blob = Reader(blob);
    let (mut by, mut at): (Option<Arc<str>>, Option<Arc<str>>) = (None, None);
    while !blob.0.is_empty() {
        let [month, flags] = blob.array()?;
        let value = match flags & VALUE {
            0 => None,
            _ => Some(value::from_scaled(
                i64::from_le_bytes(blob.array()?),
                places,
            )),
        };
        let note = if flags & NOTE != 0 { blob.text()? } else { "" };
        if flags & NEW_BY != 0 {
            by = Some(origins.by.get(blob.text()?));
        }
        if flags & NEW_AT != 0 {
            at = Some(origins.at.get(blob.text()?));
        }
        let (Some(by), Some(at)) = (&by, &at) else {
            return Err(corrupt("缺少填报人或时间"));
        };
        row.put(month, value, note, by, at);
    }
    Ok(row)
}

/// The unread rest of a blob.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(corrupt("长度不足"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    fn text(&mut self) -> Result<&'a str> {
        let len = u32::from_le_bytes(self.array()?) as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| corrupt("文字不是 UTF-8"))
    }
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
    origins: Origins,
}

impl Grouper {
    /// Adds one stored value; `division` and `metric` shared by the caller.
    pub(super) fn push(
        &mut self,
        division: Arc<str>,
        metric: Arc<str>,
        month: u8,
        value: Option<rust_decimal::Decimal>,
        [note, by, at]: [&str; 3],
    ) {
        let Grouper {
            done,
            index,
            origins,
        } = self;
        let rows = done.entry(metric.clone()).or_default();
        let i = *index.entry((division.clone(), metric)).or_insert_with(|| {
            rows.push(DivisionMonths::new(division));
            rows.len() - 1
        });
        let (by, at) = (origins.by.get(by), origins.at.get(at));
        rows[i].put(month, value, note, &by, &at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;
    use rusqlite::functions::FunctionFlags;

    /// The aggregate's blob, decoded, holds what the rows held: values, blanks, notes,
    /// and users and times that change between months.
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
            "CREATE TABLE v (month, value, note, by, at);
             INSERT INTO v VALUES
               (0, 12345, '', '张三', '2026-01-01'),
               (1, NULL, '未发生', '张三', '2026-01-01'),
               (2, -7, '', '李四', '2026-01-01'),
               (3, 0, '备注
两行', '李四', '2026-02-01');",
        )
        .unwrap();
        let blob: Vec<u8> = conn
            .query_row(
                "SELECT months(month, value, note, by, at) FROM (SELECT * FROM v ORDER BY month)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let row = decode(&blob, "d".into(), 2, &mut Origins::default()).unwrap();
        let mut expected = DivisionMonths::new("d".into());
        let d = |v: i64| Some(rust_decimal::Decimal::new(v, 2).normalize());
        expected.put(0, d(12345), "", &"张三".into(), &"2026-01-01".into());
        expected.put(1, None, "未发生", &"张三".into(), &"2026-01-01".into());
        expected.put(2, d(-7), "", &"李四".into(), &"2026-01-01".into());
        expected.put(3, d(0), "备注\n两行", &"李四".into(), &"2026-02-01".into());
        assert_eq!(row, expected);
        for cut in 1..blob.len() {
            if let Ok(short) = decode(&blob[..cut], "d".into(), 2, &mut Origins::default()) {
                // A cut at a month's end reads as the months before it, never as more.
                assert!(short.len() < row.len(), "cut at {cut}");
            }
        }
    }

    #[test]
    fn a_month_outside_the_year_or_a_wrong_type_is_refused_in_the_engine() {
        let conn = Connection::open_in_memory().unwrap();
        conn.create_aggregate_function(NAME, ARGS, FunctionFlags::SQLITE_UTF8, Months)
            .unwrap();
        for args in [
            "13, 1, '', 'a', 'b'",
            "1, 'x', '', 'a', 'b'",
            "1, 1, NULL, 'a', 'b'",
        ] {
            let r: rusqlite::Result<Vec<u8>> =
                conn.query_row(&format!("SELECT months({args})"), [], |r| r.get(0));
            assert!(r.is_err(), "{args}");
        }
    }
}
