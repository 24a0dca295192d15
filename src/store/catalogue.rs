//! The per-year metric catalogue: reading it, editing it (with exact rescaling when a
//! metric's decimal places change), and opening a new year.
//!
//! An edit never strands a stored value: changing the places is refused when a value
//! would lose digits or overflow; switching monthly ↔ yearly, removing an owner or making
//! a metric a count is refused while values stored under the old setting exist.

use std::collections::HashMap;

use super::*;

impl Store {
    /// Years that have a catalogue, ascending.
    pub fn years(&self) -> Result<Vec<i32>> {
        self.conn.query_map(
            "SELECT DISTINCT year FROM metrics ORDER BY year",
            params![],
            |r| r.get(0),
        )
    }

    /// The catalogue of `year`, in display order.
    pub fn metrics(&self, year: i32) -> Result<Vec<Metric>> {
        let mut metrics = self.metric_rows(year)?;
        self.fill_owners(year, &mut metrics, None)?;
        Ok(metrics)
    }

    /// The catalogue of `year` without owners (see [`Store::fill_owners`]): a national
    /// read picks its metrics from these before it reads whose they are.
    pub(super) fn metric_rows(&self, year: i32) -> Result<Vec<Metric>> {
        self.conn.query_map(
            "SELECT code, name, unit, kind, places, aggregation, period, words, sort_order
             FROM metrics WHERE year = ?1 ORDER BY sort_order, code",
            params![year],
            |r| {
                let code: String = r.get(0)?;
                let aggregation = r.get_str(5)?;
                let aggregation = Aggregation::parse(aggregation).ok_or_else(|| {
                    StoreError::Corrupt(format!("指标 {code} 的汇总方式无效：{aggregation}"))
                })?;
                Ok(Metric {
                    owners: Vec::new(),
                    name: r.get(1)?,
                    unit: r.get(2)?,
                    kind: ValueKind::from_label(r.get_str(3)?, r.get(4)?),
                    aggregation,
                    period: Period::parse(r.get_str(6)?),
                    words: serde_json::from_str(r.get_str(7)?).unwrap_or_default(),
                    sort_order: r.get(8)?,
                    code,
                })
            },
        )
    }

    /// Sets each metric's owners (in division order) from `year`'s catalogue; with
    /// `only`, reads the owners of those metric codes alone (a city reading an agency's
    /// national tables skips the thousands of owner rows of its divisions' own metrics).
    pub(super) fn fill_owners(
        &self,
        year: i32,
        metrics: &mut [Metric],
        only: Option<&std::collections::HashSet<String>>,
    ) -> Result<()> {
        // Ordered here by the divisions' order, not by a join and an ORDER BY: a big
        // catalogue has thousands of owner rows a year, and sorting them in the engine
        // was most of this read.
        let order: HashMap<String, usize> = self
            .divisions()?
            .into_iter()
            .enumerate()
            .map(|(i, d)| (d.code, i))
            .collect();
        let mut sql = String::from("SELECT metric, division FROM metric_owners WHERE year = ?1");
        let mut args: Vec<&dyn engine::Param> = vec![&year];
        if let Some(codes) = only {
            if codes.is_empty() {
                return Ok(());
            }
            sql.push_str(&format!(
                " AND metric IN ({})",
                engine::marks(2, codes.len())
            ));
            args.extend(codes.iter().map(|c| c as &dyn engine::Param));
        }
        let index: HashMap<&str, usize> = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code.as_str(), i))
            .collect();
        let mut owners: Vec<Vec<(usize, String)>> = vec![Vec::new(); metrics.len()];
        self.conn.query_each(&sql, &args, |r| {
            let (metric, division) = (r.get_str(0)?, r.get_str(1)?);
            if let (Some(&i), Some(&position)) = (index.get(metric), order.get(division)) {
                owners[i].push((position, division.to_string()));
            }
            Ok(())
        })?;
        for (m, mut owners) in metrics.iter_mut().zip(owners) {
            owners.sort_unstable_by_key(|(position, _)| *position);
            m.owners = owners.into_iter().map(|(_, code)| code).collect();
        }
        Ok(())
    }

    /// Adds or changes catalogue entries of `year` in one transaction. Changing a metric's
    /// decimal places rescales its stored values exactly, and is refused when a stored
    /// value would lose digits.
    pub fn put_metrics(&mut self, actor: &Actor, year: i32, metrics: &[Metric]) -> Result<()> {
        require_office(actor, "维护指标目录")?;
        let tx = self.write_tx()?;
        for m in metrics {
            put_metric(&tx, actor, year, m)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds one metric to `year`'s catalogue; refused when the code is taken (editing an
    /// existing metric goes through [`Store::put_metrics`]).
    pub fn add_metric(&mut self, actor: &Actor, year: i32, metric: &Metric) -> Result<()> {
        require_office(actor, "维护指标目录")?;
        let tx = self.write_tx()?;
        let code = metric.code.trim();
        let existing: Option<String> = tx.query_opt(
            "SELECT name FROM metrics WHERE year = ?1 AND code = ?2",
            params![year, code],
            |r| r.get(0),
        )?;
        if let Some(name) = existing {
            return Err(StoreError::Invalid(format!(
                "{year}年已有指标代码 {code}（{name}），不能重复添加"
            )));
        }
        put_metric(&tx, actor, year, metric)?;
        tx.commit()?;
        Ok(())
    }

    /// 开启年度: creates `year`'s catalogue from the year before's, or from the built-in
    /// national catalogue when there is none. Returns what it did; a year that already
    /// has a catalogue is left alone ([`OpenedYear::AlreadyOpen`]).
    pub fn open_year(&mut self, actor: &Actor, year: i32) -> Result<OpenedYear> {
        require_office(actor, "开启年度")?;
        require_valid_year(year)?;
        let tx = self.write_tx()?;
        let existing: i64 = tx.query_one(
            "SELECT count(*) FROM metrics WHERE year = ?1",
            params![year],
            |r| r.get(0),
        )?;
        if existing > 0 {
            return Ok(OpenedYear::AlreadyOpen {
                metrics: existing as usize,
            });
        }
        let source: Option<i32> = tx.query_one(
            "SELECT max(year) FROM metrics WHERE year < ?1",
            params![year],
            |r| r.get(0),
        )?;
        let opened = match source {
            Some(from) => {
                let n = tx.execute(
                    "INSERT INTO metrics (year, code, name, unit, kind, places, aggregation, period, words, sort_order)
                     SELECT ?1, code, name, unit, kind, places, aggregation, period, words, sort_order
                     FROM metrics WHERE year = ?2",
                    params![year, from],
                )?;
                tx.execute(
                    "INSERT INTO metric_owners (year, metric, division)
                     SELECT ?1, metric, division FROM metric_owners WHERE year = ?2",
                    params![year, from],
                )?;
                OpenedYear::CopiedFrom {
                    year: from,
                    metrics: n,
                }
            }
            None => {
                ensure_division(&tx, OFFICE).map_err(|_| {
                    StoreError::Invalid(
                        "文件中没有办公室（office）处室，无法建立国家统计表指标".into(),
                    )
                })?;
                let national = crate::model::national::national_metrics();
                for m in &national {
                    put_metric(&tx, actor, year, m)?;
                }
                OpenedYear::National {
                    metrics: national.len(),
                }
            }
        };
        audit(
            &tx,
            actor,
            "open",
            "year",
            &year.to_string(),
            None,
            Some(&format!("{opened:?}")),
            "",
        )?;
        tx.commit()?;
        Ok(opened)
    }
}

/// What [`Store::open_year`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenedYear {
    AlreadyOpen { metrics: usize },
    CopiedFrom { year: i32, metrics: usize },
    National { metrics: usize },
}

fn put_metric(tx: &Db, actor: &Actor, year: i32, m: &Metric) -> Result<()> {
    let code = m.code.trim();
    if code.is_empty() || m.name.trim().is_empty() {
        return Err(StoreError::Invalid("指标代码和名称不能为空".into()));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Err(StoreError::Invalid(format!(
            "指标代码只能包含英文字母、数字、点和下划线：{code}"
        )));
    }
    let places = m.kind.places();
    if places > 9 {
        return Err(StoreError::Invalid(format!("小数位数最多 9 位：{code}")));
    }
    if m.owners.is_empty() {
        return Err(StoreError::Invalid(format!(
            "指标 {code} 必须至少有一个负责处室"
        )));
    }
    for o in &m.owners {
        ensure_division(tx, o)?;
    }
    let old: Option<(u32, String, String)> = tx.query_opt(
        "SELECT places, name, period FROM metrics WHERE year = ?1 AND code = ?2",
        params![year, code],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if let Some((old_places, _, old_period)) = &old {
        keeps_stored_values(tx, year, m, Period::parse(old_period))?;
        rescale(tx, year, code, *old_places, places)?;
    }
    tx.execute(
        "INSERT INTO metrics (year, code, name, unit, kind, places, aggregation, period, words, sort_order)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (year, code) DO UPDATE SET
           name = excluded.name, unit = excluded.unit, kind = excluded.kind,
           places = excluded.places, aggregation = excluded.aggregation,
           period = excluded.period, words = excluded.words, sort_order = excluded.sort_order",
        params![
            year,
            code,
            m.name.trim(),
            m.unit,
            m.kind.label(),
            places,
            m.aggregation.stored(),
            m.period.as_str(),
            serde_json::to_string(&m.words).unwrap_or_else(|_| "[]".into()),
            m.sort_order
        ],
    )?;
    tx.execute(
        "DELETE FROM metric_owners WHERE year = ?1 AND metric = ?2",
        params![year, code],
    )?;
    for o in &m.owners {
        tx.execute(
            "INSERT INTO metric_owners (year, metric, division) VALUES (?1, ?2, ?3)",
            params![year, code, o],
        )?;
    }
    let new = serde_json::to_string(m).unwrap_or_default();
    audit(
        tx,
        actor,
        if old.is_some() { "update" } else { "insert" },
        "metric",
        &format!("{year}/{code}"),
        old.as_ref().map(|(_, n, _)| n.as_str()),
        Some(&new),
        "",
    )
}

/// Refuses an edit that would leave stored values behind: a period change while values
/// exist (monthly values are months 1–12, a yearly one is month 0), or dropping an owner
/// that has stored values.
fn keeps_stored_values(tx: &Db, year: i32, m: &Metric, old_period: Period) -> Result<()> {
    let code = m.code.trim();
    if m.period != old_period {
        let n: i64 = tx.query_one(
            "SELECT count(*) FROM monthly_values WHERE year = ?1 AND metric = ?2",
            params![year, code],
            |r| r.get(0),
        )?;
        if n > 0 {
            let (from, to) = match m.period {
                Period::Yearly => ("按月", "按年"),
                Period::Monthly => ("按年", "按月"),
            };
            return Err(StoreError::Invalid(format!(
                "指标 {code} 已有 {n} 个{from}填报的数值，不能改为{to}填报"
            )));
        }
    }
    if m.kind == ValueKind::Count {
        let negative: i64 = tx.query_one(
            "SELECT count(*) FROM monthly_values WHERE year = ?1 AND metric = ?2 AND value < 0",
            params![year, code],
            |r| r.get(0),
        )?;
        if negative > 0 {
            return Err(StoreError::Invalid(format!(
                "指标 {code} 有 {negative} 个负数，不能改为计数（计数不能为负）"
            )));
        }
    }
    let holders = tx.query_map(
        "SELECT division, count(*) FROM monthly_values WHERE year = ?1 AND metric = ?2
         GROUP BY division ORDER BY division",
        params![year, code],
        |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
    )?;
    for (division, n) in holders {
        if !m.owners.contains(&division) {
            return Err(StoreError::Invalid(format!(
                "处室 {division} 已填报指标 {code} 的 {n} 个数值，不能取消其负责处室"
            )));
        }
    }
    Ok(())
}

/// Rescales a metric's stored values when its decimal places change. Refused, changing
/// nothing, when a value would lose digits or no longer fit.
fn rescale(tx: &Db, year: i32, code: &str, from: u32, to: u32) -> Result<()> {
    use std::cmp::Ordering;
    match to.cmp(&from) {
        Ordering::Equal => Ok(()),
        Ordering::Greater => {
            let factor = 10i64.pow(to - from);
            // SQLite turns an overflowing integer product into a float: refuse instead.
            let limit = i64::MAX / factor;
            let too_big: i64 = tx.query_one(
                "SELECT count(*) FROM monthly_values
                 WHERE year = ?1 AND metric = ?2 AND abs(value) > ?3",
                params![year, code, limit],
                |r| r.get(0),
            )?;
            if too_big > 0 {
                return Err(StoreError::Invalid(format!(
                    "指标 {code} 有 {too_big} 个数值过大，增加到 {to} 位小数后无法精确保存"
                )));
            }
            tx.execute(
                "UPDATE monthly_values SET value = value * ?3 WHERE year = ?1 AND metric = ?2",
                params![year, code, factor],
            )?;
            Ok(())
        }
        Ordering::Less => {
            let factor = 10i64.pow(from - to);
            let lossy: i64 = tx.query_one(
                "SELECT count(*) FROM monthly_values
                 WHERE year = ?1 AND metric = ?2 AND value % ?3 <> 0",
                params![year, code, factor],
                |r| r.get(0),
            )?;
            if lossy > 0 {
                return Err(StoreError::Invalid(format!(
                    "指标 {code} 有 {lossy} 个数值的小数位多于 {to} 位，不能减少小数位数"
                )));
            }
            tx.execute(
                "UPDATE monthly_values SET value = value / ?3 WHERE year = ?1 AND metric = ?2",
                params![year, code, factor],
            )?;
            Ok(())
        }
    }
}
