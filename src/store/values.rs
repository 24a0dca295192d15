//! Values (月度数值) and narratives: checked, permissioned writes in one transaction each
//! with their audit rows, and the reads behind `YearData`.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::model::MetricRows;

impl Store {
    /// Writes one value (autosave of one cell): one transaction with its audit row.
    pub fn set_value(&mut self, actor: &Actor, write: &ValueWrite) -> Result<WriteSummary> {
        self.write_values(actor, std::slice::from_ref(write), |_, _| {})
    }

    /// Writes many values all or nothing (an import): every row is checked, and the first
    /// refused row rolls the whole batch back. `progress(done, total)` is called now and
    /// then.
    pub fn write_values(
        &mut self,
        actor: &Actor,
        writes: &[ValueWrite],
        progress: impl FnMut(usize, usize),
    ) -> Result<WriteSummary> {
        self.write_values_from(actor, writes, "", progress)
    }

    /// [`Store::write_values`] for values that came from a file: every audit row says
    /// `source` (e.g. `导入填报表 2026年-新闻宣传处-填报表.xlsx`), so the log shows where a
    /// figure came from as well as who wrote it.
    pub fn write_values_from(
        &mut self,
        actor: &Actor,
        writes: &[ValueWrite],
        source: &str,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<WriteSummary> {
        if actor.role == Role::Leader {
            return Err(StoreError::PermissionDenied(
                "领导只能查看和批注，不能修改数据".into(),
            ));
        }
        let at = now();
        let mut divisions: Vec<&str> = writes.iter().map(|w| w.division.as_str()).collect();
        divisions.sort_unstable();
        divisions.dedup();
        let tx = self.division_tx(&divisions)?;
        let mut summary = WriteSummary::default();
        {
            let mut ctx = WriteContext::new(&tx, actor, source, writes)?;
            for (i, w) in writes.iter().enumerate() {
                match ctx.write(w, &at)? {
                    Change::Inserted => summary.inserted += 1,
                    Change::Changed => summary.changed += 1,
                    Change::Unchanged => summary.unchanged += 1,
                }
                if i % 4096 == 0 {
                    progress(i, writes.len());
                }
            }
        }
        tx.commit()?;
        progress(writes.len(), writes.len());
        Ok(summary)
    }

    /// The stored value of one cell, if any (`Some(None)` = stored as not reported).
    pub fn value(
        &self,
        year: i32,
        month: u8,
        division: &str,
        metric: &str,
    ) -> Result<Option<Option<Decimal>>> {
        self.conn.query_opt(
            "SELECT v.value, m.places FROM monthly_values v
             JOIN metrics m ON m.year = v.year AND m.code = v.metric
             WHERE v.year = ?1 AND v.month = ?2 AND v.division = ?3 AND v.metric = ?4",
            params![year, month, division, metric],
            |r| {
                let v: Option<i64> = r.get(0)?;
                let places: u32 = r.get(1)?;
                Ok(v.map(|v| value::from_scaled(v, places)))
            },
        )
    }

    /// A year's stored values (and the year before's, for comparisons) with the catalogue,
    /// divisions, narratives and month statuses: the compiler's and the checks' input.
    pub fn year_data(&self, year: i32) -> Result<YearData> {
        self.year_data_of(year, false)
    }

    /// [`Store::year_data`] for the national tables only: their metrics (and any their
    /// formulas use), only those metrics' values, no narratives. What a city's
    /// consolidated report reads of each agency: a few hundred rows, however many
    /// monthly figures the divisions keep.
    pub fn national_year_data(&self, year: i32) -> Result<YearData> {
        self.year_data_of(year, true)
    }

    fn year_data_of(&self, year: i32, national_only: bool) -> Result<YearData> {
        let (mut metrics, mut prev_metrics) =
            (self.metric_rows(year)?, self.metric_rows(year - 1)?);
        let mut only = None;
        if national_only {
            let scope: HashSet<String> = national_scope(&metrics)
                .union(&national_scope(&prev_metrics))
                .cloned()
                .collect();
            metrics.retain(|m| scope.contains(&m.code));
            prev_metrics.retain(|m| scope.contains(&m.code));
            only = Some(scope);
        }
        let ([metrics, prev_metrics], [values, prev_values]) =
            self.two_years(year, [metrics, prev_metrics], only.as_ref())?;
        let mut data = YearData::new(
            self.agency()?,
            year,
            self.divisions()?,
            metrics,
            prev_metrics,
        );
        if let Some(short) = self.meta(settings::AGENCY_SHORT)? {
            data.agency_short = short;
        }
        data.set_year_values(year, values);
        data.set_year_values(year - 1, prev_values);
        let (records, register_years) = self.register_overlay(year - 1..=year, &mut data)?;
        data.register = records;
        for y in register_years {
            let metrics = if y == year {
                &mut data.metrics
            } else {
                &mut data.prev_metrics
            };
            metrics.extend(crate::model::register_tables::reply_metrics());
        }
        data.statuses = self.month_statuses(year)?;
        if national_only {
            return Ok(data);
        }
        data.narratives = self.conn.query_map(
            "SELECT year, quarter, division, text FROM narratives WHERE year = ?1
             ORDER BY division, quarter",
            params![year],
            |r| {
                Ok(Narrative {
                    year: r.get(0)?,
                    quarter: r.get(1)?,
                    division: r.get(2)?,
                    text: r.get(3)?,
                })
            },
        )?;
        Ok(data)
    }

    /// Stored values of some years, optionally one division and metrics whose code starts
    /// with a prefix, ordered by year, metric order, division, month.
    pub fn stored_values(
        &self,
        years: std::ops::RangeInclusive<i32>,
        division: Option<&str>,
        metric_prefix: Option<&str>,
    ) -> Result<Vec<StoredValue>> {
        // One query per year, with only the filters given: `year = ? AND division = ?`
        // lets SQLite seek the primary key, where a year range or `(? IS NULL OR
        // division = ?)` scans every division's rows (40 ms against 2 ms for one
        // division of a year in a file of a million values).
        let mut sql = format!("{STORED_VALUE} WHERE v.year = ?");
        if division.is_some() {
            sql.push_str(" AND v.division = ?");
        }
        if metric_prefix.is_some() {
            // substr counts characters on both engines (`length(?)` has no type on
            // PostgreSQL, so the length goes in as a number).
            sql.push_str(" AND substr(v.metric, 1, ?) = ?");
        }
        sql.push_str(" ORDER BY m.sort_order, v.metric, d.sort_order, v.month");
        let prefix_chars = metric_prefix.map(|p| p.chars().count() as i64);
        let mut out = Vec::new();
        for year in years {
            let mut args: Vec<&dyn engine::Param> = vec![&year];
            if let Some(d) = &division {
                args.push(d);
            }
            if let (Some(p), Some(n)) = (&metric_prefix, &prefix_chars) {
                args.push(n);
                args.push(p);
            }
            self.conn.query_each(&sql, &args, |r| {
                out.push(stored_value(r)?);
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// Every stored value of one metric in one year, with its note, who entered it and
    /// when, by division and month: what a figure's 数据来源 shows beside the values a
    /// year read holds (which leaves those out). One index seek, however big the file.
    ///
    /// In a year whose tables 3 and 4 come from the 依申请 register, a cell the register
    /// counts is the register's: one yearly value by [`super::REGISTER_AUTHOR`].
    pub fn metric_values(&self, year: i32, metric: &str) -> Result<Vec<StoredValue>> {
        if self.table_source(year)? == super::TableSource::Register {
            let mut counted = YearData::new(String::new(), year, vec![], vec![], vec![]);
            self.register_overlay(year..=year, &mut counted)?;
            let values = counted.values(year, metric);
            if !values.is_empty() {
                return Ok(values
                    .iter()
                    .map(|v| StoredValue {
                        updated_by: super::REGISTER_AUTHOR.into(),
                        ..v.to_stored()
                    })
                    .collect());
            }
        }
        let mut out = Vec::new();
        self.conn.query_each(
            &format!("{STORED_VALUE} WHERE v.year = ?1 AND v.metric = ?2 ORDER BY d.sort_order, v.division, v.month"),
            params![year, metric],
            |r| {
                out.push(stored_value(r)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The catalogues of `year` and the year before (`metrics`, their owners filled
    /// here) and the stored values of each year, one [`DivisionMonths`] per (metric,
    /// division); with `only`, those metrics alone.
    ///
    /// SQLite packs each year's values itself (`year_rows()`, see `months.rs`), so a year
    /// of 100 divisions × 80 metrics crosses into the process as one blob, not 96,000 rows;
    /// outside a transaction the year before (its owners and its values) is read on a
    /// second connection on the other core meanwhile. PostgreSQL sends the rows and they
    /// are gathered here.
    fn two_years(
        &self,
        year: i32,
        [metrics, prev_metrics]: [Vec<Metric>; 2],
        only: Option<&HashSet<String>>,
    ) -> Result<([Vec<Metric>; 2], [MetricRows; 2])> {
        let mut places: HashMap<i32, HashMap<String, u32>> = HashMap::new();
        self.conn.query_each(
            "SELECT year, code, places FROM metrics WHERE year BETWEEN ?1 AND ?2",
            params![year - 1, year],
            |r| {
                places
                    .entry(r.get(0)?)
                    .or_default()
                    .insert(r.get(1)?, r.get(2)?);
                Ok(())
            },
        )?;
        let read = YearRead { only, places };
        let one_year = |store: &Store, year: i32, mut metrics: Vec<Metric>| {
            store.fill_owners(year, &mut metrics, only)?;
            Ok::<_, StoreError>((metrics, read.rows(&store.conn, year)?))
        };
        let second = sqlite::second_reader(self).map(|conn| Store {
            conn,
            path: self.path.clone(),
        });
        let Some(second) = second else {
            let (metrics, rows) = one_year(self, year, metrics)?;
            let (prev_metrics, prev_rows) = one_year(self, year - 1, prev_metrics)?;
            return Ok(([metrics, prev_metrics], [rows, prev_rows]));
        };
        std::thread::scope(|s| {
            let (copy, one_year) = (prev_metrics.clone(), &one_year);
            let before = s.spawn(move || one_year(&second, year - 1, copy));
            let (metrics, rows) = one_year(self, year, metrics)?;
            // The second connection is only a shortcut: whatever kept it from reading
            // (a file it may not open), this one reads that year itself.
            let (prev_metrics, prev_rows) = match before.join() {
                Ok(Ok(done)) => done,
                _ => one_year(self, year - 1, prev_metrics)?,
            };
            Ok(([metrics, prev_metrics], [rows, prev_rows]))
        })
    }

    // ----- narratives ----------------------------------------------------------------

    /// A division's narrative for a year (`quarter` 0) or a quarter, if written.
    pub fn narrative(&self, year: i32, division: &str, quarter: u8) -> Result<Option<String>> {
        self.conn.query_opt(
            "SELECT text FROM narratives WHERE year = ?1 AND division = ?2 AND quarter = ?3",
            params![year, division, quarter],
            |r| r.get(0),
        )
    }

    /// Saves a division's narrative for a year (`quarter` 0) or a quarter (1–4).
    pub fn set_narrative(
        &mut self,
        actor: &Actor,
        year: i32,
        division: &str,
        quarter: u8,
        text: &str,
    ) -> Result<()> {
        require_division_writer(actor, division)?;
        if quarter > 4 {
            return Err(StoreError::Invalid(format!("季度应为 0–4：{quarter}")));
        }
        let tx = self.division_tx(&[division])?;
        ensure_division(&tx, division)?;
        let old: Option<String> = tx.query_opt(
            "SELECT text FROM narratives WHERE year = ?1 AND division = ?2 AND quarter = ?3",
            params![year, division, quarter],
            |r| r.get(0),
        )?;
        if old.as_deref() == Some(text) {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO narratives (year, division, quarter, text, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (year, division, quarter) DO UPDATE SET
               text = excluded.text, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at",
            params![year, division, quarter, text, actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "set",
            "narrative",
            &format!("{year}/{quarter}/{division}"),
            old.as_deref(),
            Some(text),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// A [`StoredValue`]'s columns (read by [`stored_value`]), `v` the value and `d` its
/// division, to which a read adds its `WHERE` and `ORDER BY`.
const STORED_VALUE: &str = "SELECT v.year, v.month, v.division, v.metric, v.value, m.places,
        v.note, v.updated_by, v.updated_at
     FROM monthly_values v
     JOIN metrics m ON m.year = v.year AND m.code = v.metric
     JOIN divisions d ON d.code = v.division";

fn stored_value(r: &engine::Row) -> Result<StoredValue> {
    let v: Option<i64> = r.get(4)?;
    let places: u32 = r.get(5)?;
    Ok(StoredValue {
        year: r.get(0)?,
        month: r.get(1)?,
        division: r.get_str(2)?.into(),
        metric: r.get_str(3)?.into(),
        value: v.map(|v| value::from_scaled(v, places)),
        note: r.get(6)?,
        updated_by: r.get_str(7)?.into(),
        updated_at: r.get_str(8)?.into(),
    })
}

/// A yearly value (month 0) follows December's status.
fn status_month(month: u8) -> u8 {
    if month == 0 { 12 } else { month }
}

/// A locked month is closed to everybody, a submitted one to its division's contact.
fn require_month_open(
    actor: &Actor,
    status: MonthStatus,
    year: i32,
    month: u8,
    division: &str,
) -> Result<()> {
    let closed = match (actor.role, status) {
        (_, MonthStatus::Locked) => Some("锁定"),
        (Role::Contact, MonthStatus::Submitted) => Some("报送"),
        _ => None,
    };
    match closed {
        Some(status) => Err(StoreError::MonthClosed {
            year,
            month: status_month(month),
            division: division.to_string(),
            status,
        }),
        None => Ok(()),
    }
}

/// What one actor may write in one year, read once (read-only): the rule
/// [`Store::write_values`] applies, so that an import can refuse a row with its row
/// number before writing instead of failing the whole write. The write still checks.
#[derive(Debug, Clone)]
pub struct WriteRights {
    actor: Actor,
    year: i32,
    statuses: HashMap<(String, u8), MonthStatus>,
}

impl Store {
    pub fn write_rights(&self, actor: &Actor, year: i32) -> Result<WriteRights> {
        Ok(WriteRights {
            actor: actor.clone(),
            year,
            statuses: self.month_statuses(year)?,
        })
    }
}

impl WriteRights {
    /// Whether the actor may write `division`'s `month` (0 = the year): the store's
    /// refusal when not.
    pub fn check(&self, division: &str, month: u8) -> Result<()> {
        require_division_writer(&self.actor, division)?;
        let status = self
            .statuses
            .get(&(division.to_string(), status_month(month)))
            .copied()
            .unwrap_or(MonthStatus::Open);
        require_month_open(&self.actor, status, self.year, month, division)
    }
}

/// One value to write: `month` 1–12 for monthly metrics, 0 for yearly ones; `value`
/// `None` stores "not reported".
#[derive(Debug, Clone, PartialEq)]
pub struct ValueWrite {
    pub year: i32,
    pub month: u8,
    pub division: String,
    pub metric: String,
    pub value: Option<Decimal>,
    pub note: String,
    /// The value the writer saw in the cell before changing it (`Some(None)`: blank), when
    /// someone else's change made meanwhile must not be passed over: the write is then
    /// refused with [`StoreError::Conflict`]. `None` for writes that replace whatever is
    /// there (an import, which shows old → new in its preview first).
    pub seen: Option<Option<Decimal>>,
}

/// What a batch write changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub inserted: usize,
    pub changed: usize,
    pub unchanged: usize,
}

enum Change {
    Inserted,
    Changed,
    Unchanged,
}

/// What a write must respect of one metric: kind, period, owners, and whether it is a
/// formula (never written).
type MetricRules = (ValueKind, Period, Vec<String>, bool);

/// Month statuses by (year, month), then division: of the years and divisions `writes`
/// write alone (the table holds every month of every year).
fn statuses_of(
    tx: &Db,
    writes: &[ValueWrite],
) -> Result<HashMap<(i32, u8), HashMap<String, MonthStatus>>> {
    let mut statuses: HashMap<(i32, u8), HashMap<String, MonthStatus>> = HashMap::new();
    if writes.is_empty() {
        return Ok(statuses);
    }
    let mut years: Vec<i32> = writes.iter().map(|w| w.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut divisions: Vec<&str> = writes.iter().map(|w| w.division.as_str()).collect();
    divisions.sort_unstable();
    divisions.dedup();
    let sql = format!(
        "SELECT year, month, division, status FROM submissions
         WHERE year IN ({}) AND division IN ({})",
        engine::marks(1, years.len()),
        engine::marks(1 + years.len(), divisions.len())
    );
    let mut args: Vec<&dyn engine::Param> = years.iter().map(|y| y as &dyn engine::Param).collect();
    args.extend(divisions.iter().map(|d| d as &dyn engine::Param));
    tx.query_each(&sql, &args, |r| {
        let status = r.get_str(3)?;
        let status = MonthStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("报送状态无法识别：{status}")))?;
        statuses
            .entry((r.get(0)?, r.get(1)?))
            .or_default()
            .insert(r.get(2)?, status);
        Ok(())
    })?;
    Ok(statuses)
}

/// Per-batch state for [`Store::write_values`]: the catalogue and statuses are read once,
/// then every row is checked against them.
struct WriteContext<'a> {
    tx: &'a Db,
    actor: &'a Actor,
    /// Where the values came from, for the audit rows' reason ("" when typed).
    source: &'a str,
    /// By year, then code (looked up by `&str`, no allocation per row).
    metrics: HashMap<i32, HashMap<String, MetricRules>>,
    divisions: std::collections::HashSet<String>,
    /// Month statuses, read once: the write lock is held, so they cannot change.
    statuses: HashMap<(i32, u8), HashMap<String, MonthStatus>>,
    /// Years whose tables 3 and 4 come from the register: their figures are not written
    /// here (they would be set aside unseen).
    register_years: HashSet<i32>,
    /// For a bulk write: the stored cells of every (year, division) written, read in one
    /// query each rather than one per cell, and kept up to date as cells are written.
    stored: Option<StoredCells>,
}

/// Stored (value, note) by year, division, metric, then month (0–12).
type StoredCells =
    HashMap<i32, HashMap<String, HashMap<String, [Option<(Option<i64>, String)>; 13]>>>;

/// From this many rows on, a write reads the stored cells of its divisions at once.
const BULK: usize = 256;

impl<'a> WriteContext<'a> {
    /// Reads what checking `writes` needs: the rules of the metrics written (looked up
    /// one by one, so that a division's workbook does not read the whole catalogue), the
    /// divisions and the month statuses.
    fn new(tx: &'a Db, actor: &'a Actor, source: &'a str, writes: &[ValueWrite]) -> Result<Self> {
        let mut metrics: HashMap<i32, HashMap<String, MetricRules>> = HashMap::new();
        for w in writes {
            let of_year = metrics.entry(w.year).or_default();
            if of_year.contains_key(w.metric.as_str()) {
                continue;
            }
            // The metric's rules and its owners in one query (one round trip to a
            // server): a row per owner, or one with no owner.
            let mut found: Option<MetricRules> = None;
            tx.query_each(
                "SELECT m.kind, m.places, m.period, m.aggregation, o.division
                 FROM metrics m LEFT JOIN metric_owners o ON o.year = m.year AND o.metric = m.code
                 WHERE m.year = ?1 AND m.code = ?2 ORDER BY o.division",
                params![w.year, w.metric],
                |r| {
                    let rules = match &mut found {
                        Some(rules) => rules,
                        None => found.insert((
                            ValueKind::from_label(r.get_str(0)?, r.get(1)?),
                            Period::parse(r.get_str(2)?),
                            Vec::new(),
                            r.get_str(3)?.starts_with("formula:"),
                        )),
                    };
                    if let Some(owner) = r.get::<Option<String>>(4)? {
                        rules.2.push(owner);
                    }
                    Ok(())
                },
            )?;
            // An unknown metric stays out of the map: `rules` refuses it.
            if let Some(rules) = found {
                of_year.insert(w.metric.clone(), rules);
            }
        }
        let divisions = tx
            .query_map("SELECT code FROM divisions", params![], |r| r.get(0))?
            .into_iter()
            .collect();
        let statuses = statuses_of(tx, writes)?;
        let register_years = super::register::register_years(tx)?;
        let stored = if writes.len() >= BULK {
            Some(stored_cells(tx, writes)?)
        } else {
            None
        };
        Ok(WriteContext {
            tx,
            actor,
            source,
            metrics,
            divisions,
            statuses,
            register_years,
            stored,
        })
    }

    /// Checks one row against the catalogue, the permissions and the month's status,
    /// then writes it with its audit row (unless it is unchanged).
    fn write(&mut self, w: &ValueWrite, at: &str) -> Result<Change> {
        let kind = self.rules(w)?.0;
        if self.register_years.contains(&w.year)
            && (w.metric.starts_with("t3.") || w.metric.starts_with("t4."))
        {
            return Err(super::register::from_register(w.year, &w.metric));
        }
        self.require_open(w)?;
        let scaled = scaled(w, kind)?;
        let old = self.stored(w)?;
        if let Some(seen) = w.seen {
            let current = old
                .as_ref()
                .and_then(|(v, _)| *v)
                .map(|v| value::from_scaled(v, kind.places()));
            if current != seen {
                return Err(self.conflict(w, kind, current, seen));
            }
        }
        if let Some((old_value, old_note)) = &old
            && *old_value == scaled
            && *old_note == w.note
        {
            return Ok(Change::Unchanged);
        }
        self.upsert(w, scaled, at)?;
        if let Some(cell) = self.stored_cell(w) {
            *cell = Some((scaled, w.note.clone()));
        }
        let shown = |v: Option<i64>| match v {
            Some(v) => value::format_exact(value::from_scaled(v, kind.places())),
            None => String::new(),
        };
        let old_text = old.as_ref().map(|(v, _)| shown(*v));
        let reason = match (self.source, w.note.as_str()) {
            ("", note) => note.to_string(),
            (source, "") => source.to_string(),
            (source, note) => format!("{source}；{note}"),
        };
        audit_at(
            self.tx,
            at,
            self.actor,
            "set",
            "value",
            &format!("{}/{:02}/{}/{}", w.year, w.month, w.division, w.metric),
            old_text.as_deref(),
            Some(&shown(scaled)),
            &reason,
        )?;
        Ok(if old.is_some() {
            Change::Changed
        } else {
            Change::Inserted
        })
    }

    /// The refusal of a write whose writer saw `seen` where the cell now holds `current`.
    fn conflict(
        &self,
        w: &ValueWrite,
        kind: ValueKind,
        current: Option<Decimal>,
        seen: Option<Decimal>,
    ) -> StoreError {
        let by = self
            .tx
            .query_opt(
                "SELECT updated_by, updated_at FROM monthly_values
                 WHERE year = ?1 AND division = ?2 AND metric = ?3 AND month = ?4",
                params![w.year, w.division, w.metric, w.month],
                |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
            )
            .ok()
            .flatten()
            .map(|(who, at)| format!("{who} 于 {at} "))
            .unwrap_or_default();
        let shown = |v: Option<Decimal>| match v {
            Some(v) => value::format(v, kind.places()),
            None => "（空）".to_string(),
        };
        StoreError::Conflict {
            cell: format!("{}年{}月 {} {}", w.year, w.month, w.division, w.metric),
            changed: format!("{by}改为 {}（您打开时是 {}）", shown(current), shown(seen)),
            yours: shown(w.value),
            current,
        }
    }

    /// The metric's rules, once the row is known to be one this actor may write: a known
    /// division they write for, a metric of the year that division owns (not a formula),
    /// and a month that fits the metric's period.
    fn rules(&self, w: &ValueWrite) -> Result<&MetricRules> {
        if !self.divisions.contains(&w.division) {
            return Err(StoreError::UnknownDivision(w.division.clone()));
        }
        require_division_writer(self.actor, &w.division)?;
        let rules = self
            .metrics
            .get(&w.year)
            .and_then(|m| m.get(w.metric.as_str()))
            .ok_or_else(|| StoreError::UnknownMetric {
                year: w.year,
                code: w.metric.clone(),
            })?;
        let (_, period, owners, formula) = rules;
        if *formula {
            return Err(StoreError::Invalid(format!(
                "指标 {} 由公式计算，不能填报",
                w.metric
            )));
        }
        if !owners.contains(&w.division) {
            return Err(StoreError::PermissionDenied(format!(
                "指标 {} 不由处室 {} 填报（负责处室：{}）",
                w.metric,
                w.division,
                owners.join("、")
            )));
        }
        match period {
            Period::Monthly if !(1..=12).contains(&w.month) => Err(StoreError::Invalid(format!(
                "月份应为 1–12：{}（指标 {}）",
                w.month, w.metric
            ))),
            Period::Yearly if w.month != 0 => Err(StoreError::Invalid(format!(
                "指标 {} 是年度指标，按年填报，不分月份",
                w.metric
            ))),
            _ => Ok(rules),
        }
    }

    /// Refuses a locked month, and a handed-in month to a contact.
    fn require_open(&self, w: &ValueWrite) -> Result<()> {
        let status = self
            .statuses
            .get(&(w.year, status_month(w.month)))
            .and_then(|d| d.get(w.division.as_str()))
            .copied()
            .unwrap_or(MonthStatus::Open);
        require_month_open(self.actor, status, w.year, w.month, &w.division)
    }

    /// The cell's stored value (scaled) and note, if it has a row.
    fn stored(&mut self, w: &ValueWrite) -> Result<Option<(Option<i64>, String)>> {
        if let Some(cell) = self.stored_cell(w) {
            return Ok(cell.clone());
        }
        self.tx.query_opt(
            "SELECT value, note FROM monthly_values
             WHERE year = ?1 AND division = ?2 AND metric = ?3 AND month = ?4",
            params![w.year, w.division, w.metric, w.month],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// The prefetched cell of `w`, in a bulk write.
    fn stored_cell(&mut self, w: &ValueWrite) -> Option<&mut Option<(Option<i64>, String)>> {
        let cells = self
            .stored
            .as_mut()?
            .get_mut(&w.year)?
            .get_mut(w.division.as_str())?;
        if !cells.contains_key(w.metric.as_str()) {
            cells.insert(w.metric.clone(), Default::default());
        }
        cells
            .get_mut(w.metric.as_str())?
            .get_mut(usize::from(w.month))
    }

    /// Inserts or replaces the cell's row.
    fn upsert(&self, w: &ValueWrite, scaled: Option<i64>, at: &str) -> Result<()> {
        self.tx.execute(
            UPSERT,
            params![
                w.year,
                w.division,
                w.metric,
                w.month,
                scaled,
                w.note,
                self.actor.login,
                at
            ],
        )?;
        Ok(())
    }
}

const UPSERT: &str = "INSERT INTO monthly_values (year, division, metric, month, value, note, updated_by, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT (year, division, metric, month) DO UPDATE SET
       value = excluded.value, note = excluded.note,
       updated_by = excluded.updated_by, updated_at = excluded.updated_at";

/// The stored cells of every (year, division) in `writes`, one query each.
fn stored_cells(tx: &Db, writes: &[ValueWrite]) -> Result<StoredCells> {
    let mut out = StoredCells::new();
    for w in writes {
        let of_year = out.entry(w.year).or_default();
        if of_year.contains_key(w.division.as_str()) {
            continue;
        }
        let cells = of_year.entry(w.division.clone()).or_default();
        tx.query_each(
            "SELECT metric, month, value, note FROM monthly_values WHERE year = ?1 AND division = ?2",
            params![w.year, w.division],
            |r| {
                let month: u8 = r.get(1)?;
                let metric: String = r.get(0)?;
                if let Some(cell) = cells.entry(metric).or_default().get_mut(usize::from(month)) {
                    *cell = Some((r.get(2)?, r.get(3)?));
                }
                Ok(())
            },
        )?;
    }
    Ok(out)
}

/// The row's value as the integer stored (scaled by the metric's places), re-validated:
/// the value must fit the metric exactly.
fn scaled(w: &ValueWrite, kind: ValueKind) -> Result<Option<i64>> {
    let Some(v) = w.value else {
        return Ok(None);
    };
    let text = value::format_exact(v);
    value::parse(&text, kind).map_err(|source| StoreError::Value {
        metric: w.metric.clone(),
        source,
    })?;
    value::to_scaled(v, kind.places())
        .map(Some)
        .ok_or_else(|| StoreError::Value {
            metric: w.metric.clone(),
            source: ValueError::TooLarge(text),
        })
}

/// What a year read reads, on whichever connection: which metrics, and the decimal
/// places of each by year.
struct YearRead<'a> {
    only: Option<&'a HashSet<String>>,
    places: HashMap<i32, HashMap<String, u32>>,
}

impl YearRead<'_> {
    /// The (metric, division) rows of `year` read through `db`.
    fn rows(&self, db: &Db, year: i32) -> Result<MetricRows> {
        if self.only.is_some_and(HashSet::is_empty) {
            return Ok(MetricRows::new());
        }
        let mut filter = String::new();
        let mut args: Vec<&dyn engine::Param> = vec![&year];
        if let Some(codes) = self.only {
            filter = format!(" AND metric IN ({})", engine::marks(2, codes.len()));
            args.extend(codes.iter().map(|c| c as &dyn engine::Param));
        }
        let catalogue = self.places.get(&year);
        let places = |code: &str| -> Result<u32> {
            catalogue.and_then(|p| p.get(code)).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("{year}年的值属于目录中没有的指标：{code}"))
            })
        };
        if db.engine() == Engine::Sqlite {
            // One row: the whole year packed by `year_rows()` (see `months.rs`).
            let sql = format!(
                "SELECT {}(division, metric, month, value)
                 FROM monthly_values WHERE year = ?1{filter}",
                months::NAME
            );
            let rows = db.query_opt(&sql, &args, |r| match r.value(0)? {
                engine::Value::Bytes(blob) => months::decode(blob, places),
                engine::Value::Null => Ok(MetricRows::new()),
                _ => Err(StoreError::Corrupt("月度数值汇总不是二进制数据".into())),
            })?;
            return Ok(rows.unwrap_or_default());
        }
        let [mut divisions, mut metrics] = <[months::Shared; 2]>::default();
        let mut grouper = months::Grouper::default();
        let sql = format!(
            "SELECT division, metric, month, value FROM monthly_values WHERE year = ?1{filter}"
        );
        db.query_each(&sql, &args, |r| {
            let division = divisions.get(r.get_str(0)?);
            let code = r.get_str(1)?;
            let places = places(code)?;
            let v: Option<i64> = r.get(3)?;
            grouper.push(
                division,
                metrics.get(code),
                r.get(2)?,
                v.map(|v| value::from_scaled(v, places)),
            );
            Ok(())
        })?;
        Ok(grouper.done)
    }
}

/// The codes a national-tables read needs: the tables' metrics (`t2.`, `t3.`, `t4.`) and,
/// for any the office made a formula, the metrics the formula uses, transitively.
fn national_scope(metrics: &[crate::model::Metric]) -> HashSet<String> {
    let by_code: HashMap<&str, &crate::model::Metric> =
        metrics.iter().map(|m| (m.code.as_str(), m)).collect();
    let mut scope = HashSet::new();
    let mut pending: Vec<&str> = metrics
        .iter()
        .map(|m| m.code.as_str())
        .filter(|c| crate::model::national::is_national(c))
        .collect();
    while let Some(code) = pending.pop() {
        if !scope.insert(code.to_string()) {
            continue;
        }
        if let Some(crate::model::Aggregation::Formula(f)) =
            by_code.get(code).map(|m| &m.aggregation)
            && let Ok(expr) = crate::model::formula::Expr::parse(f)
        {
            pending.extend(
                expr.metrics()
                    .into_iter()
                    .filter_map(|c| by_code.get_key_value(c).map(|(k, _)| *k)),
            );
        }
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Division, Metric};

    fn metric(code: &str, places: u32) -> Metric {
        Metric {
            code: code.into(),
            name: code.into(),
            unit: "元".into(),
            kind: if places == 0 {
                ValueKind::Count
            } else {
                ValueKind::Amount { places }
            },
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["a".into(), "b".into()],
            words: Vec::new(),
            sort_order: 0,
        }
    }

    /// A year read split over two connections (the year before on the other core) reads
    /// what one connection reads in a transaction: both catalogues with their owners,
    /// every value, blank, note, user and time of both years.
    #[test]
    fn a_split_year_read_reads_what_one_connection_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("t.db"), "某局").unwrap();
        let setup = Actor::setup();
        let other = Actor {
            login: "li".into(),
            ..Actor::setup()
        };
        for (code, order) in [("a", 1), ("b", 2)] {
            let division = Division {
                code: code.into(),
                name: code.into(),
                sort_order: order,
            };
            store.put_division(&setup, &division).unwrap();
        }
        let mut writes = Vec::new();
        for year in [2025, 2026] {
            store
                .put_metrics(&setup, year, &[metric("n", 0), metric("money", 2)])
                .unwrap();
            for (division, code) in [("a", "n"), ("b", "n"), ("a", "money")] {
                for month in 1..=12u8 {
                    writes.push(ValueWrite {
                        year,
                        month,
                        division: division.into(),
                        metric: code.into(),
                        value: (month != 3).then(|| match code {
                            "n" => Decimal::from(month),
                            _ => Decimal::new(i64::from(month) * 101, 2),
                        }),
                        note: if month == 5 {
                            "备注".into()
                        } else {
                            String::new()
                        },
                        seen: None,
                    });
                }
            }
        }
        let (first, second) = writes.split_at(writes.len() / 2);
        store.write_values(&setup, first, |_, _| {}).unwrap();
        store.write_values(&other, second, |_, _| {}).unwrap();
        let read = |store: &Store| {
            let metrics = [2026, 2025].map(|y| store.metric_rows(y).unwrap());
            store.two_years(2026, metrics, None).unwrap()
        };
        assert!(sqlite::second_reader(&store).is_some());
        let (split_metrics, split) = read(&store);
        let tx = store.conn.begin_read().unwrap();
        assert!(sqlite::second_reader(&store).is_none());
        let (one_metrics, one) = read(&store);
        drop(tx);
        assert_eq!((&split_metrics, &split), (&one_metrics, &one));
        assert!(
            split_metrics
                .iter()
                .flatten()
                .all(|m| m.owners == ["a", "b"])
        );
        let rows = || split.iter().flat_map(|year| year.values().flatten());
        assert_eq!(rows().count(), 6);
        let count: usize = rows().map(crate::model::DivisionMonths::len).sum();
        assert_eq!(count, writes.len());
        let data = store.year_data(2026).unwrap();
        assert_eq!(data.value(2025, 3, "a", "money").unwrap().value, None);
        assert_eq!(
            data.value(2026, 5, "b", "n").unwrap().value,
            Some(Decimal::from(5))
        );
        let money = data.value(2026, 7, "a", "money").unwrap().value;
        assert_eq!(money, Some(Decimal::new(707, 2)));
        // Notes, users and times come per metric, for a figure's 数据来源.
        let origin = |year, metric, division: &str, month| {
            let values = store.metric_values(year, metric).unwrap();
            let v = values
                .into_iter()
                .find(|v| &*v.division == division && v.month == month)
                .unwrap();
            (v.value, v.note, v.updated_by.to_string())
        };
        assert_eq!(
            origin(2025, "money", "a", 3),
            (None, "".into(), "setup".into())
        );
        assert_eq!(
            origin(2026, "n", "b", 5),
            (Some(Decimal::from(5)), "备注".into(), "li".into())
        );
    }
}
