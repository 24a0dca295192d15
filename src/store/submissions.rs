//! Month submission status (报送 / 锁定 / 解锁) per division.

use std::collections::{HashMap, HashSet};

use super::*;

impl Store {
    pub fn month_status(&self, year: i32, month: u8, division: &str) -> Result<MonthStatus> {
        month_status(&self.conn, year, month, division)
    }

    /// Every division's month that is not open in `year`, by (division, month).
    pub fn month_statuses(&self, year: i32) -> Result<HashMap<(String, u8), MonthStatus>> {
        let mut out = HashMap::new();
        self.conn.query_each(
            "SELECT division, month, status FROM submissions WHERE year = ?1",
            params![year],
            |r| {
                if let Some(s) = MonthStatus::parse(r.get_str(2)?)
                    && s != MonthStatus::Open
                {
                    out.insert((r.get(0)?, r.get(1)?), s);
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The (division, month) pairs of `year` with at least one reported monthly value:
    /// what the submission board calls 填写中. One indexed query, not the year's values.
    pub fn filled_months(&self, year: i32) -> Result<HashSet<(String, u8)>> {
        let rows = self.conn.query_map(
            "SELECT DISTINCT division, month FROM monthly_values
             WHERE year = ?1 AND month > 0 AND value IS NOT NULL",
            params![year],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// 报送: a division hands in a month; its contact can no longer change it.
    pub fn submit_month(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
    ) -> Result<()> {
        require_division_writer(actor, division)?;
        self.set_status(actor, year, month, division, MonthStatus::Submitted, "")
    }

    /// 锁定: the office makes a month read-only for everybody.
    pub fn lock_month(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
    ) -> Result<()> {
        require_office(actor, "锁定月份")?;
        self.set_status(actor, year, month, division, MonthStatus::Locked, "")
    }

    /// 解锁: the office reopens a submitted or locked month, giving a reason for the log.
    pub fn unlock_month(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
        reason: &str,
    ) -> Result<()> {
        require_office(actor, "解锁月份")?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("解锁必须填写原因".into()));
        }
        self.set_status(
            actor,
            year,
            month,
            division,
            MonthStatus::Open,
            reason.trim(),
        )
    }

    fn set_status(
        &mut self,
        actor: &Actor,
        year: i32,
        month: u8,
        division: &str,
        status: MonthStatus,
        reason: &str,
    ) -> Result<()> {
        if !(1..=12).contains(&month) {
            return Err(StoreError::Invalid(format!("月份应为 1–12：{month}")));
        }
        let tx = self.division_tx(&[division])?;
        ensure_division(&tx, division)?;
        let old = month_status(&tx, year, month, division)?;
        if old == status {
            return Ok(());
        }
        if old == MonthStatus::Locked && status == MonthStatus::Submitted {
            return Err(StoreError::MonthClosed {
                year,
                month,
                division: division.to_string(),
                status: "锁定",
            });
        }
        tx.execute(
            "INSERT INTO submissions (year, division, month, status, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (year, division, month) DO UPDATE SET
               status = excluded.status, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at",
            params![year, division, month, status.as_str(), actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "status",
            "month",
            &format!("{year}/{month:02}/{division}"),
            Some(old.as_str()),
            Some(status.as_str()),
            reason,
        )?;
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn month_status(conn: &Db, year: i32, month: u8, division: &str) -> Result<MonthStatus> {
    let s: Option<String> = conn.query_opt(
        "SELECT status FROM submissions WHERE year = ?1 AND month = ?2 AND division = ?3",
        params![year, month, division],
        |r| r.get(0),
    )?;
    Ok(s.as_deref()
        .and_then(MonthStatus::parse)
        .unwrap_or(MonthStatus::Open))
}
