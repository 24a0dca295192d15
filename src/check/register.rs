//! The register's time limits as findings: open applications due within
//! [`DUE_SOON_DAYS`] working days, and those past their due date. Plain data in (the
//! records without personal data, the calendar, the day of the check), findings out;
//! never reads the store.
//!
//! | code | severity | rule |
//! | --- | --- | --- |
//! | `register.overdue` | warning | an open application is past its due date (条例 第三十三条) |
//! | `register.due_soon` | warning | an open application is due within 5 working days |
//! | `register.calendar_missing` | warning | a due date cannot be counted: the holiday notice of a year is missing |
//!
//! Warnings, not errors: they concern the office's work on the register, not the
//! figures of the year's report, and `check`'s exit status is about the figures.

use chrono::NaiveDate;

use crate::model::calendar::{self, Calendar, Deadline};
use crate::model::register::Application;
use crate::model::{Finding, Severity};

/// "Due soon": within this many working days (the due day itself is 0).
pub const DUE_SOON_DAYS: i64 = 5;

/// Findings about the applications open on `today`, overdue ones first, each group by
/// due date. `year` is the report year the findings are filed under.
pub fn deadlines(
    applications: &[Application],
    cal: &Calendar,
    today: NaiveDate,
    year: i32,
) -> Vec<Finding> {
    let finding = |code: &str, message: String| Finding {
        severity: Severity::Warning,
        code: code.to_string(),
        message,
        metric: None,
        metric_name: None,
        division: None,
        year,
        months: Vec::new(),
        table: None,
    };
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    let mut missing = Vec::new();
    for app in applications.iter().filter(|a| a.open_on(today)) {
        let counted = calendar::deadline(app, cal).and_then(|d| match d {
            Deadline::Due { due, .. } => Ok(Some((due, calendar::days_left(today, due, cal)?))),
            _ => Ok(None),
        });
        match counted {
            Ok(Some((due, left))) if left < 0 => overdue.push((
                due,
                finding(
                    "register.overdue",
                    format!(
                        "依申请公开申请 {}（{} 收到）已超过答复期限 {due}，逾期 {} 个工作日",
                        app.number, app.received, -left
                    ),
                ),
            )),
            Ok(Some((due, left))) if left <= DUE_SOON_DAYS => soon.push((
                due,
                finding(
                    "register.due_soon",
                    format!(
                        "依申请公开申请 {}（{} 收到）应于 {due} 前答复，还剩 {left} 个工作日",
                        app.number, app.received
                    ),
                ),
            )),
            Ok(_) => {}
            Err(e) => missing.push((
                app.received,
                finding(
                    "register.calendar_missing",
                    format!("依申请公开申请 {} 的答复期限无法计算：{e}", app.number),
                ),
            )),
        }
    }
    for list in [&mut overdue, &mut soon, &mut missing] {
        list.sort_by_key(|(day, _)| *day);
    }
    overdue
        .into_iter()
        .chain(soon)
        .chain(missing)
        .map(|(_, f)| f)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::register::{ApplicantType, Channel, ResultRow};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn overdue_and_due_soon_applications_are_listed_others_not() {
        let cal = Calendar::builtin();
        let app = |n: &str, received: &str| {
            Application::received(n, d(received), Channel::Online, ApplicantType::NATURAL)
        };
        // On Monday 2026-03-16: 2026-001 (received 2/3) was due 3/9; 2026-002 (received
        // 2/13) is due 3/19, 3 working days left; 2026-003 (received 3/13) is due 4/13.
        let mut replied = app("2026-004", "2026-02-02");
        replied.replied = Some(d("2026-02-20"));
        replied.result = ResultRow::parse("open");
        let apps = [
            app("2026-001", "2026-02-03"),
            app("2026-002", "2026-02-13"),
            app("2026-003", "2026-03-13"),
            replied,
            app("2026-300", "2026-12-25"),
        ];
        let findings = deadlines(&apps, &cal, d("2026-03-16"), 2026);
        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            ["register.overdue", "register.due_soon"],
            "{findings:?}"
        );
        assert_eq!(
            findings[0].message,
            "依申请公开申请 2026-001（2026-02-03 收到）已超过答复期限 2026-03-09，逾期 5 个工作日"
        );
        assert!(
            findings[1]
                .message
                .contains("2026-03-19 前答复，还剩 3 个工作日")
        );
        // At the end of the year the one received in late December needs 2027's notice.
        let findings = deadlines(&apps, &cal, d("2026-12-28"), 2026);
        let missing = findings
            .iter()
            .find(|f| f.code == "register.calendar_missing")
            .unwrap();
        assert!(
            missing.message.contains("缺少2027年节假日安排"),
            "{}",
            missing.message
        );
    }
}
