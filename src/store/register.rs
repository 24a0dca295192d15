//! The 依申请公开 register in the file: applications, the reviews and suits about them, the
//! holiday notices the office added, and which years take tables 3 and 4 from the
//! register. Persists and produces `model::register`'s types; computes nothing itself
//! (the tables are `model::register_tables`, the deadlines `model::calendar`).
//!
//! Rules kept here:
//! - only the office adds, changes or withdraws records; nothing is ever deleted;
//! - every change is one transaction with its audit row. The audit row never holds the
//!   applicant's name (the log is readable by everyone): it says that the name changed;
//! - a reader who is not office staff gets every record without the applicant's name;
//! - a year whose tables come from the register gets them in [`Store::year_data`] in
//!   place of the figures entered, which stay stored untouched (switching back shows them
//!   again).
//!
//! The SQL is plain and portable (ISO dates as text, no engine-specific functions).

use chrono::NaiveDate;
use rusqlite::Row;

use super::*;
use crate::model::register::{
    Appeal, AppealKind, ApplicantType, Application, Channel, Outcome, ResultRow,
};

mod tables;

pub use tables::{REGISTER_AUTHOR, TableSource};
pub(super) use tables::{from_register, register_years};

const APPLICATION_COLUMNS: &str = "id, number, received, channel, applicant_type, applicant_name,
    request, division, correction_sent, correction_answered, extension_days, fee_notice,
    fee_paid, replied, result, notes, withdrawn_reason";

impl Store {
    /// Adds an application; its id. Office only.
    pub fn add_application(&mut self, actor: &Actor, app: &Application) -> Result<i64> {
        let ids = self.add_applications(actor, std::slice::from_ref(app), "")?;
        Ok(ids[0])
    }

    /// Adds applications all or nothing (a ledger import): the first refused one rolls
    /// everything back. Each audit row says `source` (the file), when given.
    pub fn add_applications(
        &mut self,
        actor: &Actor,
        apps: &[Application],
        source: &str,
    ) -> Result<Vec<i64>> {
        require_office(actor, "登记依申请公开申请")?;
        let tx = self.write_tx()?;
        let mut ids = Vec::with_capacity(apps.len());
        for app in apps {
            check_application(&tx, app)?;
            tx.execute(
                "INSERT INTO applications (number, received, channel, applicant_type,
                   applicant_name, request, division, correction_sent, correction_answered,
                   extension_days, fee_notice, fee_paid, replied, result, notes,
                   withdrawn_reason, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                   NULL, ?16, ?17)",
                rusqlite::params_from_iter(columns(app, actor)),
            )
            .map_err(|e| {
                unique_violation(e, || format!("申请编号已存在：{}", app.number.trim()))
            })?;
            let id = tx.last_insert_rowid();
            let stored = Application { id, ..app.clone() };
            audit(
                &tx,
                actor,
                "add",
                "application",
                stored.number.trim(),
                None,
                Some(&logged(&stored, None)),
                source,
            )?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Changes an application (found by its id) to `app`. Office only.
    pub fn update_application(&mut self, actor: &Actor, app: &Application) -> Result<()> {
        require_office(actor, "修改依申请公开申请")?;
        let tx = self.write_tx()?;
        let old = application_by_id(&tx, app.id)?;
        if old.withdrawn.is_some() {
            return Err(StoreError::Invalid(format!(
                "申请 {} 已撤销登记，不能再修改",
                old.number
            )));
        }
        check_application(&tx, app)?;
        tx.execute(
            "UPDATE applications SET number = ?1, received = ?2, channel = ?3,
               applicant_type = ?4, applicant_name = ?5, request = ?6, division = ?7,
               correction_sent = ?8, correction_answered = ?9, extension_days = ?10,
               fee_notice = ?11, fee_paid = ?12, replied = ?13, result = ?14, notes = ?15,
               updated_by = ?16, updated_at = ?17
             WHERE id = ?18",
            rusqlite::params_from_iter(
                columns(app, actor)
                    .into_iter()
                    .chain([Box::new(app.id) as Box<dyn rusqlite::ToSql>]),
            ),
        )
        .map_err(|e| unique_violation(e, || format!("申请编号已存在：{}", app.number.trim())))?;
        let old_log = logged(&old, None);
        audit(
            &tx,
            actor,
            "update",
            "application",
            app.number.trim(),
            Some(&old_log),
            Some(&logged(app, Some(&old))),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Withdraws an application from the register (entered by mistake, a duplicate): it
    /// stays in the file and counts nowhere. Office only; the reason is required.
    pub fn withdraw_application(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        require_office(actor, "撤销依申请公开申请的登记")?;
        let reason = required_reason(reason)?;
        let tx = self.write_tx()?;
        let old = application_by_id(&tx, id)?;
        if old.withdrawn.is_some() {
            return Err(StoreError::Invalid(format!(
                "申请 {} 已撤销登记",
                old.number
            )));
        }
        tx.execute(
            "UPDATE applications SET withdrawn_reason = ?2, updated_by = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, reason, actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "withdraw",
            "application",
            &old.number,
            None,
            None,
            reason,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every application, in order of receipt then number. Only office staff get the
    /// applicants' names; everyone else gets `applicant_name: None`.
    pub fn applications(&self, reader: &Actor) -> Result<Vec<Application>> {
        self.read_applications(reader.role == Role::Office)
    }

    /// Every application without the applicants' names: what the tables, the deadlines
    /// and the checks compute over, whoever runs them.
    pub fn register_records(&self) -> Result<Vec<Application>> {
        self.read_applications(false)
    }

    fn read_applications(&self, with_names: bool) -> Result<Vec<Application>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications ORDER BY received, number"
        ))?;
        let rows = stmt.query_map([], read_application)?;
        let mut out = Vec::new();
        for row in rows {
            let mut app = row??;
            if !with_names {
                app.applicant_name = None;
            }
            out.push(app);
        }
        Ok(out)
    }

    /// One application by its number, as [`Store::applications`] would give it.
    pub fn application(&self, reader: &Actor, number: &str) -> Result<Option<Application>> {
        Ok(self
            .applications(reader)?
            .into_iter()
            .find(|a| a.number == number.trim()))
    }

    // ----- reviews and suits (table 4) -----------------------------------------------

    /// Adds a review or suit about an application; its id. Office only.
    pub fn add_appeal(&mut self, actor: &Actor, appeal: &Appeal) -> Result<i64> {
        require_office(actor, "登记行政复议、行政诉讼")?;
        let tx = self.write_tx()?;
        let app = application_by_id(&tx, appeal.application_id)?;
        check_appeal(appeal)?;
        tx.execute(
            "INSERT INTO appeals (application_id, kind, case_number, filed, outcome, decided,
               notes, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                appeal.application_id,
                appeal.kind.code(),
                appeal.case_number,
                appeal.filed.to_string(),
                appeal.outcome.code(),
                day(appeal.decided),
                appeal.notes,
                actor.login,
                now(),
            ],
        )?;
        let id = tx.last_insert_rowid();
        let stored = Appeal {
            id,
            ..appeal.clone()
        };
        let json = serde_json::to_string(&stored).unwrap_or_default();
        let key = format!("{}/{id}", app.number);
        audit(&tx, actor, "add", "appeal", &key, None, Some(&json), "")?;
        tx.commit()?;
        Ok(id)
    }

    /// Records a case's outcome (or any other change), found by its id. Office only.
    pub fn update_appeal(&mut self, actor: &Actor, appeal: &Appeal) -> Result<()> {
        require_office(actor, "修改行政复议、行政诉讼")?;
        check_appeal(appeal)?;
        let tx = self.write_tx()?;
        let old = appeal_by_id(&tx, appeal.id)?;
        let app = application_by_id(&tx, appeal.application_id)?;
        tx.execute(
            "UPDATE appeals SET application_id = ?2, kind = ?3, case_number = ?4, filed = ?5,
               outcome = ?6, decided = ?7, notes = ?8, updated_by = ?9, updated_at = ?10
             WHERE id = ?1",
            params![
                appeal.id,
                appeal.application_id,
                appeal.kind.code(),
                appeal.case_number,
                appeal.filed.to_string(),
                appeal.outcome.code(),
                day(appeal.decided),
                appeal.notes,
                actor.login,
                now(),
            ],
        )?;
        let (old, new) = (
            serde_json::to_string(&old).unwrap_or_default(),
            serde_json::to_string(appeal).unwrap_or_default(),
        );
        let key = format!("{}/{}", app.number, appeal.id);
        audit(
            &tx,
            actor,
            "update",
            "appeal",
            &key,
            Some(&old),
            Some(&new),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every review and suit, in order of filing.
    pub fn appeals(&self) -> Result<Vec<Appeal>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, application_id, kind, case_number, filed, outcome, decided, notes,
                    withdrawn_reason
             FROM appeals ORDER BY filed, id",
        )?;
        let rows = stmt.query_map([], read_appeal)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }
}

/// An application's columns as `add_applications` and `update_application` write them,
/// in the order of their statements (`?1` … `?17`), the writer and the time last.
fn columns(app: &Application, actor: &Actor) -> Vec<Box<dyn rusqlite::ToSql>> {
    vec![
        Box::new(app.number.trim().to_string()),
        Box::new(app.received.to_string()),
        Box::new(app.channel.as_str()),
        Box::new(app.applicant_type.code()),
        Box::new(app.applicant_name.clone().unwrap_or_default()),
        Box::new(app.request.clone()),
        Box::new(app.division.clone()),
        Box::new(day(app.correction_sent)),
        Box::new(day(app.correction_answered)),
        Box::new(app.extension_days),
        Box::new(day(app.fee_notice)),
        Box::new(day(app.fee_paid)),
        Box::new(day(app.replied)),
        Box::new(app.result.map(ResultRow::code)),
        Box::new(app.notes.clone()),
        Box::new(actor.login.clone()),
        Box::new(now()),
    ]
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn required_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(StoreError::Invalid("撤销登记须写明原因".into()))
    } else {
        Ok(reason)
    }
}

/// An application as the audit log keeps it: without the applicant's name; when the
/// name changed (against `old`), that it did.
fn logged(app: &Application, old: Option<&Application>) -> String {
    let mut value = serde_json::to_value(app).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("applicant_name");
        if old.is_some_and(|o| o.applicant_name != app.applicant_name) {
            map.insert("applicant_name_changed".into(), true.into());
        }
    }
    value.to_string()
}

fn check_application(tx: &Connection, app: &Application) -> Result<()> {
    let problems = app.problems();
    if !problems.is_empty() {
        return Err(StoreError::Invalid(format!(
            "申请 {}：{}",
            app.number.trim(),
            problems.join("；")
        )));
    }
    if let Some(division) = &app.division {
        ensure_division(tx, division)?;
    }
    Ok(())
}

fn check_appeal(appeal: &Appeal) -> Result<()> {
    let problems = appeal.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems.join("；")))
    }
}

fn application_by_id(tx: &Connection, id: i64) -> Result<Application> {
    tx.query_row(
        &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = ?1"),
        [id],
        read_application,
    )
    .optional()?
    .ok_or_else(|| StoreError::Invalid(format!("没有这条依申请公开申请（编号 {id}）")))?
}

fn appeal_by_id(tx: &Connection, id: i64) -> Result<Appeal> {
    tx.query_row(
        "SELECT id, application_id, kind, case_number, filed, outcome, decided, notes,
                withdrawn_reason
         FROM appeals WHERE id = ?1",
        [id],
        read_appeal,
    )
    .optional()?
    .ok_or_else(|| StoreError::Invalid(format!("没有这条行政复议、行政诉讼记录（{id}）")))?
}

/// A stored date; a malformed one is a damaged file, named.
fn date_at(r: &Row, i: usize) -> rusqlite::Result<Result<Option<NaiveDate>>> {
    let text: Option<String> = r.get(i)?;
    Ok(match text {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("依申请台账中的日期无效：{t}"))),
    })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("依申请台账中的{what}无效：{value}"))
}

/// The value of a `Result<T>` read from a row, or out of the row reader with its error
/// (a damaged record is the store's error, not SQLite's).
macro_rules! or_return {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        }
    };
}

fn read_application(r: &Row) -> rusqlite::Result<Result<Application>> {
    let channel: String = r.get(3)?;
    let applicant: String = r.get(4)?;
    let result: Option<String> = r.get(14)?;
    let mut dates = [None; 6];
    for (slot, i) in dates.iter_mut().zip([2, 8, 9, 11, 12, 13]) {
        *slot = or_return!(date_at(r, i)?);
    }
    let [received, sent, answered, notice, paid, replied] = dates;
    let result = match result {
        None => None,
        Some(code) => Some(or_return!(
            ResultRow::parse(&code).ok_or_else(|| corrupt("办理结果", &code))
        )),
    };
    Ok(Ok(Application {
        id: r.get(0)?,
        number: r.get(1)?,
        received: or_return!(received.ok_or_else(|| corrupt("收到日期", ""))),
        channel: or_return!(
            Channel::ALL
                .into_iter()
                .find(|c| c.as_str() == channel)
                .ok_or_else(|| corrupt("渠道", &channel))
        ),
        applicant_type: or_return!(
            ApplicantType::parse(&applicant).ok_or_else(|| corrupt("申请人类型", &applicant))
        ),
        applicant_name: Some(r.get(5)?),
        request: r.get(6)?,
        division: r.get(7)?,
        correction_sent: sent,
        correction_answered: answered,
        extension_days: r.get(10)?,
        fee_notice: notice,
        fee_paid: paid,
        replied,
        result,
        notes: r.get(15)?,
        withdrawn: r.get(16)?,
    }))
}

fn read_appeal(r: &Row) -> rusqlite::Result<Result<Appeal>> {
    let kind: String = r.get(2)?;
    let outcome: String = r.get(5)?;
    let filed = or_return!(date_at(r, 4)?);
    Ok(Ok(Appeal {
        id: r.get(0)?,
        application_id: r.get(1)?,
        kind: or_return!(AppealKind::parse(&kind).ok_or_else(|| corrupt("案件类型", &kind))),
        case_number: r.get(3)?,
        filed: or_return!(filed.ok_or_else(|| corrupt("立案日期", ""))),
        outcome: or_return!(Outcome::parse(&outcome).ok_or_else(|| corrupt("案件结果", &outcome))),
        decided: or_return!(date_at(r, 6)?),
        notes: r.get(7)?,
        withdrawn: r.get(8)?,
    }))
}

#[cfg(test)]
#[path = "register_tests.rs"]
mod tests;
