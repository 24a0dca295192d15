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
//! The SQL is plain and portable (ISO dates as text, no engine-specific functions), run
//! through the `engine` seam on either engine.

use chrono::NaiveDate;

use super::engine::{Param, Row};
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
            let id: i64 = with_columns(app, actor, None, |columns| {
                tx.query_one(
                    "INSERT INTO applications (number, received, channel, applicant_type,
                       applicant_name, request, division, correction_sent, correction_answered,
                       extension_days, fee_notice, fee_paid, replied, result, notes,
                       withdrawn_reason, updated_by, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                       NULL, ?16, ?17)
                     RETURNING id",
                    columns,
                    |r| r.get(0),
                )
            })
            .map_err(|e| {
                unique_violation(e, || format!("申请编号已存在：{}", app.number.trim()))
            })?;
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
        with_columns(app, actor, Some(app.id), |columns| {
            tx.execute(
                "UPDATE applications SET number = ?1, received = ?2, channel = ?3,
                   applicant_type = ?4, applicant_name = ?5, request = ?6, division = ?7,
                   correction_sent = ?8, correction_answered = ?9, extension_days = ?10,
                   fee_notice = ?11, fee_paid = ?12, replied = ?13, result = ?14, notes = ?15,
                   updated_by = ?16, updated_at = ?17
                 WHERE id = ?18",
                columns,
            )
        })
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
        // Without the names, the column is not read at all: on a server only the
        // office's roles may read it (`server_roles.rs`).
        let columns = if with_names {
            APPLICATION_COLUMNS.to_string()
        } else {
            APPLICATION_COLUMNS.replace("applicant_name", "'' AS applicant_name")
        };
        self.conn.query_map(
            &format!("SELECT {columns} FROM applications ORDER BY received, number"),
            params![],
            |r| {
                let mut app = read_application(r)?;
                if !with_names {
                    app.applicant_name = None;
                }
                Ok(app)
            },
        )
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
        let id: i64 = tx.query_one(
            "INSERT INTO appeals (application_id, kind, case_number, filed, outcome, decided,
               notes, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             RETURNING id",
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
            |r| r.get(0),
        )?;
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
        self.conn.query_map(
            "SELECT id, application_id, kind, case_number, filed, outcome, decided, notes,
                    withdrawn_reason
             FROM appeals ORDER BY filed, id",
            params![],
            read_appeal,
        )
    }
}

/// Calls `f` with an application's columns as `add_applications` and
/// `update_application` write them, in the order of their statements (`?1` … `?17`), the
/// writer and the time last, then `id` (`?18`) when given.
fn with_columns<T>(
    app: &Application,
    actor: &Actor,
    id: Option<i64>,
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let (number, received) = (app.number.trim(), app.received.to_string());
    let name = app.applicant_name.as_deref().unwrap_or_default();
    let dates = [
        app.correction_sent,
        app.correction_answered,
        app.fee_notice,
        app.fee_paid,
        app.replied,
    ]
    .map(day);
    let [sent, answered, notice, paid, replied] = &dates;
    let result = app.result.map(ResultRow::code);
    let (channel, applicant_type) = (app.channel.as_str(), app.applicant_type.code());
    let at = now();
    let mut columns = params![
        number,
        received,
        channel,
        applicant_type,
        name,
        app.request,
        app.division,
        sent,
        answered,
        app.extension_days,
        notice,
        paid,
        replied,
        result,
        app.notes,
        actor.login,
        at,
    ]
    .to_vec();
    if let Some(id) = &id {
        columns.push(id);
    }
    f(&columns)
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

fn check_application(tx: &Db, app: &Application) -> Result<()> {
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

fn application_by_id(tx: &Db, id: i64) -> Result<Application> {
    tx.query_opt(
        &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = ?1"),
        params![id],
        read_application,
    )?
    .ok_or_else(|| StoreError::Invalid(format!("没有这条依申请公开申请（编号 {id}）")))
}

fn appeal_by_id(tx: &Db, id: i64) -> Result<Appeal> {
    tx.query_opt(
        "SELECT id, application_id, kind, case_number, filed, outcome, decided, notes,
                withdrawn_reason
         FROM appeals WHERE id = ?1",
        params![id],
        read_appeal,
    )?
    .ok_or_else(|| StoreError::Invalid(format!("没有这条行政复议、行政诉讼记录（{id}）")))
}

/// A stored date; a malformed one is a damaged file, named.
fn date_at(r: &Row, i: usize) -> Result<Option<NaiveDate>> {
    match r.get::<Option<String>>(i)? {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("依申请台账中的日期无效：{t}"))),
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("依申请台账中的{what}无效：{value}"))
}

fn read_application(r: &Row) -> Result<Application> {
    let channel = r.get_str(3)?;
    let applicant = r.get_str(4)?;
    let result = match r.get::<Option<String>>(14)? {
        None => None,
        Some(code) => Some(ResultRow::parse(&code).ok_or_else(|| corrupt("办理结果", &code))?),
    };
    Ok(Application {
        id: r.get(0)?,
        number: r.get(1)?,
        received: date_at(r, 2)?.ok_or_else(|| corrupt("收到日期", ""))?,
        channel: Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == channel)
            .ok_or_else(|| corrupt("渠道", channel))?,
        applicant_type: ApplicantType::parse(applicant)
            .ok_or_else(|| corrupt("申请人类型", applicant))?,
        applicant_name: Some(r.get(5)?),
        request: r.get(6)?,
        division: r.get(7)?,
        correction_sent: date_at(r, 8)?,
        correction_answered: date_at(r, 9)?,
        extension_days: r.get(10)?,
        fee_notice: date_at(r, 11)?,
        fee_paid: date_at(r, 12)?,
        replied: date_at(r, 13)?,
        result,
        notes: r.get(15)?,
        withdrawn: r.get(16)?,
    })
}

fn read_appeal(r: &Row) -> Result<Appeal> {
    let kind = r.get_str(2)?;
    let outcome = r.get_str(5)?;
    Ok(Appeal {
        id: r.get(0)?,
        application_id: r.get(1)?,
        kind: AppealKind::parse(kind).ok_or_else(|| corrupt("案件类型", kind))?,
        case_number: r.get(3)?,
        filed: date_at(r, 4)?.ok_or_else(|| corrupt("立案日期", ""))?,
        outcome: Outcome::parse(outcome).ok_or_else(|| corrupt("案件结果", outcome))?,
        decided: date_at(r, 6)?,
        notes: r.get(7)?,
        withdrawn: r.get(8)?,
    })
}

#[cfg(test)]
#[path = "register_tests.rs"]
mod tests;
