//! The register's years: the working-day calendar the office extends, where a year's
//! tables 3 and 4 come from, the differences from the figures entered, and the register's
//! figures taking their place in [`Store::year_data`].

use std::collections::{HashMap, HashSet};

use super::*;
use crate::model::calendar::{Calendar, YearCalendar};
use crate::model::register_tables::{
    self, CellDifference, CellRecord, RecordsByFigure, RegisterTables,
};

/// Where a year's tables 3 and 4 come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableSource {
    /// 录入数字: the figures entered or imported (the default).
    Entered,
    /// 依申请台账: computed from the register.
    Register,
}

const SOURCE_KEY: &str = "t3_source.";
/// Who the log and the provenance name for figures computed from the register.
pub const REGISTER_AUTHOR: &str = "依申请台账";

impl Store {
    // ----- the working-day calendar --------------------------------------------------

    /// The shipped holiday notices, with the years the office added (or replaced).
    pub fn calendar(&self) -> Result<Calendar> {
        let mut cal = Calendar::builtin();
        self.conn.query_each(
            "SELECT year, data FROM holiday_calendars ORDER BY year",
            params![],
            |r| {
                let year: i32 = r.get(0)?;
                let parsed = YearCalendar::parse(r.get_str(1)?)
                    .map_err(|e| StoreError::Corrupt(format!("{year}年节假日安排：{e}")))?;
                cal.add(parsed);
                Ok(())
            },
        )?;
        Ok(cal)
    }

    /// Adds (or replaces) a year's holiday notice. Office only.
    pub fn set_calendar_year(&mut self, actor: &Actor, year: &YearCalendar) -> Result<()> {
        require_office(actor, "添加节假日安排")?;
        require_valid_year(year.year)?;
        let data = serde_json::to_string_pretty(year)
            .map_err(|e| StoreError::Invalid(format!("节假日安排无法保存：{e}")))?;
        YearCalendar::parse(&data).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let tx = self.write_tx()?;
        let old: Option<String> = tx.query_opt(
            "SELECT data FROM holiday_calendars WHERE year = ?1",
            params![year.year],
            |r| r.get(0),
        )?;
        tx.execute(
            "DELETE FROM holiday_calendars WHERE year = ?1",
            params![year.year],
        )?;
        tx.execute(
            "INSERT INTO holiday_calendars (year, data, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![year.year, data, actor.login, now()],
        )?;
        let key = year.year.to_string();
        audit(
            &tx,
            actor,
            "set",
            "holiday_calendar",
            &key,
            old.as_deref(),
            Some(&data),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    // ----- tables 3 and 4 ------------------------------------------------------------

    /// Tables 3 and 4 of `year` computed from the register, with each cell's records.
    pub fn register_tables(&self, year: i32) -> Result<RegisterTables> {
        Ok(register_tables::compute(
            year,
            &self.register_records()?,
            &self.appeals()?,
        ))
    }

    /// Where `year`'s tables 3 and 4 come from.
    pub fn table_source(&self, year: i32) -> Result<TableSource> {
        let key = format!("{SOURCE_KEY}{year}");
        match self.meta(&key)?.as_deref() {
            None | Some("entered") => Ok(TableSource::Entered),
            Some("register") => Ok(TableSource::Register),
            Some(other) => Err(StoreError::BadSetting {
                key,
                value: other.to_string(),
                expected: "register 或 entered",
            }),
        }
    }

    /// The cells where the register's tables for `year` differ from the figures entered.
    pub fn register_differences(&self, year: i32) -> Result<Vec<CellDifference>> {
        let tables = self.register_tables(year)?;
        let entered: HashMap<String, Option<Decimal>> = self
            .stored_values(year..=year, Some(OFFICE), Some("t"))?
            .into_iter()
            .filter(|v| v.metric.starts_with("t3.") || v.metric.starts_with("t4."))
            .map(|v| (v.metric.to_string(), v.value))
            .collect();
        Ok(register_tables::differences(&tables, |code| {
            entered.get(code).copied().flatten()
        }))
    }

    /// Sets where `year`'s tables 3 and 4 come from. Office only. The figures entered are
    /// never changed: with [`TableSource::Register`] they are set aside, not replaced.
    pub fn set_table_source(
        &mut self,
        actor: &Actor,
        year: i32,
        source: TableSource,
    ) -> Result<()> {
        require_office(actor, "设置表三、表四的数据来源")?;
        require_valid_year(year)?;
        let key = format!("{SOURCE_KEY}{year}");
        let value = match source {
            TableSource::Entered => "entered",
            TableSource::Register => "register",
        };
        let tx = self.write_tx()?;
        let old: Option<String> =
            tx.query_opt("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })?;
        if old.as_deref().unwrap_or("entered") == value {
            return Ok(());
        }
        tx.execute("DELETE FROM meta WHERE key = ?1", params![key])?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        audit(
            &tx,
            actor,
            "set",
            "meta",
            &key,
            old.as_deref(),
            Some(value),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// For [`Store::year_data`]: in the years of `data` whose tables come from the
    /// register, the register's figures take the place of the entered ones (those of the
    /// year's catalogue; every cell, 0 included), and the figures of the year's replies
    /// ([`register_tables::REPLY_FIGURES`]) are added. Returns the records behind each of
    /// those figures, by (year, code), and the years they were added to.
    pub(in crate::store) fn register_overlay(
        &self,
        years: std::ops::RangeInclusive<i32>,
        data: &mut YearData,
    ) -> Result<(RecordsByFigure, Vec<i32>)> {
        let mut records = RecordsByFigure::new();
        let mut register_years = Vec::new();
        let author: std::sync::Arc<str> = REGISTER_AUTHOR.into();
        let office: std::sync::Arc<str> = OFFICE.into();
        let figure = |year: i32, code: &str, value: Option<Decimal>, note: String| StoredValue {
            year,
            month: 0,
            division: office.clone(),
            metric: code.into(),
            value,
            note,
            updated_by: author.clone(),
            updated_at: "".into(),
        };
        for year in years {
            if self.table_source(year)? != TableSource::Register {
                continue;
            }
            register_years.push(year);
            let (applications, appeals) = (self.register_records()?, self.appeals()?);
            let tables = register_tables::compute(year, &applications, &appeals);
            for code in tables.cells.keys() {
                for month in 0..=12 {
                    data.remove_value(year, month, OFFICE, code);
                }
            }
            let metrics: HashSet<String> =
                self.metrics(year)?.into_iter().map(|m| m.code).collect();
            for (code, ids) in tables.cells.iter().filter(|(c, _)| metrics.contains(*c)) {
                let count = ids.len() as u64;
                let note = format!("{REGISTER_AUTHOR}：{count} 件");
                data.put_value(figure(year, code, Some(Decimal::from(count)), note));
            }
            for (code, list) in tables.records(&applications, &appeals) {
                if metrics.contains(&code) {
                    records.insert((year, code), list);
                }
            }
            // Without the holiday notice a reply's time cannot be counted: the figures
            // are then missing (【缺数】 in the report), not guessed.
            let Ok(replies) = register_tables::replies(year, &applications, &self.calendar()?)
            else {
                continue;
            };
            for (code, value, ids) in replies.figures() {
                let note = format!("{REGISTER_AUTHOR}：{} 件答复", replies.replied.len());
                data.put_value(figure(year, code, value, note));
                records.insert(
                    (year, code.to_string()),
                    CellRecord::of_applications(ids, &applications),
                );
            }
        }
        Ok((records, register_years))
    }
}

/// The years whose tables 3 and 4 come from the register.
pub(in crate::store) fn register_years(tx: &Db) -> Result<HashSet<i32>> {
    let mut out = HashSet::new();
    // `substr` with the prefix's length in characters: `length(?)` of a parameter has no
    // type on PostgreSQL.
    let prefix_chars = SOURCE_KEY.chars().count() as i64;
    tx.query_each(
        "SELECT key FROM meta WHERE substr(key, 1, ?2) = ?1 AND value = 'register'",
        params![SOURCE_KEY, prefix_chars],
        |r| {
            if let Some(year) = r
                .get_str(0)?
                .strip_prefix(SOURCE_KEY)
                .and_then(|y| y.parse().ok())
            {
                out.insert(year);
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// The refusal of a figure typed for a table that comes from the register.
pub(in crate::store) fn from_register(year: i32, metric: &str) -> StoreError {
    StoreError::Invalid(format!(
        "{year}年的表三、表四取自依申请台账，不能直接填写 {metric}；请在台账中登记申请，或把该年改回“录入数字”（nianbao register use --year {year} --entered）"
    ))
}
