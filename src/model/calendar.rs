//! Working days (工作日) and the time limits of the 依申请公开 register.
//!
//! A day is a working day when the State Council's yearly notice (国务院办公厅关于YYYY年部分
//! 节假日安排的通知) makes it one (a 调休 weekend day), or when it is Monday to Friday and
//! the notice does not give it off. The notices ship as data, one file a year in
//! `assets/calendar/YYYY.json`, each naming its source; the office adds a year the
//! program does not know (`nianbao register calendar --year Y --file F`). A day in a year
//! with no notice is an error ([`CalendarError::MissingYear`], "缺少YYYY年节假日安排"),
//! never a guess: a due date counted over an unknown 春节 would be a week wrong.
//!
//! # The time limit (条例 第三十三条, 第三十条)
//!
//! A reply is due within 20 working days of receipt, extendable once by up to 20 more.
//! Counting follows the rule for periods (期间开始的当日不计入): the day of receipt is day
//! 0 and day 1 is the first working day after it, whether or not the day of receipt was a
//! working day; the reply is due by the end of the 20th (+ extension) working day. When a
//! correction was asked for (补正), the count starts again from the day the corrected
//! application arrived (第三十条); while it has not arrived there is no due date. The
//! working days from a fee notice (收费通知) to the payment do not count; while the fee is
//! unpaid there is no due date either.
//!
//! Hand-written: the holiday crates on crates.io carry their own, unsourced tables.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use thiserror::Error;

use super::register::Application;

/// The time limit in working days (第三十三条), and the longest extension.
pub const TIME_LIMIT: u32 = 20;
pub const MAX_EXTENSION: u32 = 20;

/// The notices shipped with the program.
const BUILTIN: [&str; 8] = [
    include_str!("../../assets/calendar/2019.json"),
    include_str!("../../assets/calendar/2020.json"),
    include_str!("../../assets/calendar/2021.json"),
    include_str!("../../assets/calendar/2022.json"),
    include_str!("../../assets/calendar/2023.json"),
    include_str!("../../assets/calendar/2024.json"),
    include_str!("../../assets/calendar/2025.json"),
    include_str!("../../assets/calendar/2026.json"),
];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error(
        "缺少{0}年节假日安排：请按国务院办公厅当年的通知添加（nianbao register calendar --year {0} --file 文件）"
    )]
    MissingYear(i32),
    #[error("节假日安排文件无效：{0}")]
    Invalid(String),
}

/// One holiday of a notice: its name and its days off, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year's notice: the holidays and the weekend days that are working days (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearCalendar {
    pub year: i32,
    /// The notice it is taken from (its title and 发文字号).
    pub source: String,
    pub holidays: Vec<Holiday>,
    pub workdays: Vec<NaiveDate>,
}

impl YearCalendar {
    /// Reads and checks a year's file (the format of `assets/calendar/*.json`).
    pub fn parse(text: &str) -> Result<YearCalendar, CalendarError> {
        let cal: YearCalendar =
            serde_json::from_str(text).map_err(|e| CalendarError::Invalid(e.to_string()))?;
        cal.validate()?;
        Ok(cal)
    }

    fn validate(&self) -> Result<(), CalendarError> {
        let bad = |m: String| Err(CalendarError::Invalid(m));
        if !(1900..=9999).contains(&self.year) {
            return bad(format!("年份无效：{}", self.year));
        }
        if self.source.trim().is_empty() {
            return bad("没有写明依据的通知（source）".into());
        }
        // Entries may reach into the neighbouring year (元旦 from 30 December).
        let near = |d: NaiveDate| (self.year - 1..=self.year + 1).contains(&d.year());
        for h in &self.holidays {
            if h.to < h.from || !near(h.from) || !near(h.to) || (h.to - h.from).num_days() > 15 {
                return bad(format!("{}的日期不对：{} 至 {}", h.name, h.from, h.to));
            }
        }
        for w in &self.workdays {
            if !matches!(w.weekday(), Weekday::Sat | Weekday::Sun) || !near(*w) {
                return bad(format!("调休上班日 {w} 不是该年前后的周六或周日"));
            }
        }
        Ok(())
    }
}

/// The working-day calendar: the notices of the years it knows.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
    off: HashSet<NaiveDate>,
    on: HashSet<NaiveDate>,
}

impl Calendar {
    /// The notices shipped with the program.
    pub fn builtin() -> Calendar {
        let mut cal = Calendar::default();
        for text in BUILTIN {
            // The shipped files are checked by a test; a broken one is a build error there.
            if let Ok(year) = YearCalendar::parse(text) {
                cal.add(year);
            }
        }
        cal
    }

    /// Adds (or replaces) a year's notice.
    pub fn add(&mut self, year: YearCalendar) {
        self.years.insert(year.year, year);
        self.off.clear();
        self.on.clear();
        for y in self.years.values() {
            for h in &y.holidays {
                self.off
                    .extend(h.from.iter_days().take_while(|d| *d <= h.to));
            }
            self.on.extend(y.workdays.iter().copied());
        }
    }

    /// The years known, with their notices.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    pub fn knows(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, CalendarError> {
        if !self.knows(day.year()) {
            return Err(CalendarError::MissingYear(day.year()));
        }
        Ok(self.on.contains(&day)
            || (!matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.off.contains(&day)))
    }

    /// The `n`th working day after `day` (`day` itself is day 0).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = next(d)?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (a, b, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0;
        let mut d = a;
        while d < b {
            d = next(d)?;
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(sign * n)
    }
}

fn next(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.checked_add_days(Days::new(1))
        .ok_or(CalendarError::MissingYear(d.year() + 1))
}

/// Where an application stands against its time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Replied (or withdrawn from the register): no longer counted.
    Closed,
    /// A correction was asked for and has not arrived: the clock stands.
    AwaitingCorrection,
    /// A fee notice was sent and the fee is unpaid: the clock stands.
    AwaitingFee,
    /// Due by the end of `due`; the count started the day after `start`.
    Due { start: NaiveDate, due: NaiveDate },
}

/// The due date of an application (see the module doc for the rule).
pub fn deadline(app: &Application, cal: &Calendar) -> Result<Deadline, CalendarError> {
    if app.replied.is_some() || app.withdrawn.is_some() {
        return Ok(Deadline::Closed);
    }
    let start = match (app.correction_sent, app.correction_answered) {
        (Some(_), None) => return Ok(Deadline::AwaitingCorrection),
        (_, Some(answered)) => answered,
        (None, None) => app.received,
    };
    let paused = match (app.fee_notice, app.fee_paid) {
        (Some(_), None) => return Ok(Deadline::AwaitingFee),
        // Only the part of the fee's wait after the count started.
        (Some(notice), Some(paid)) if paid > start => {
            cal.working_days_between(notice.max(start), paid)?.max(0) as u32
        }
        _ => 0,
    };
    let limit = TIME_LIMIT + app.extension_days.unwrap_or(0).min(MAX_EXTENSION) + paused;
    Ok(Deadline::Due {
        start,
        due: cal.add_working_days(start, limit)?,
    })
}

/// Working days left from `today` to `due`: 0 on the due day itself, negative when
/// overdue (−1 the working day after).
pub fn days_left(today: NaiveDate, due: NaiveDate, cal: &Calendar) -> Result<i64, CalendarError> {
    cal.working_days_between(today, due)
}

/// Where an application stands on a day, as the register lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// 办理中, 等待补正, 已答复 2026-03-20：予以公开, …
    pub state: String,
    pub due: Option<NaiveDate>,
    /// Working days left to the due date (negative: overdue).
    pub days_left: Option<i64>,
    /// Why the due date cannot be counted (a year's holiday notice is missing).
    pub problem: Option<String>,
}

/// The [`Standing`] of `app` on `today`.
pub fn standing(app: &Application, cal: &Calendar, today: NaiveDate) -> Standing {
    let plain = |state: String| Standing {
        state,
        due: None,
        days_left: None,
        problem: None,
    };
    if let Some(reason) = &app.withdrawn {
        return plain(format!("已撤销登记（{reason}）"));
    }
    if let (Some(day), Some(result)) = (app.replied, app.result) {
        return plain(format!("已答复 {day}：{}", result.label()));
    }
    let counted = deadline(app, cal).and_then(|d| match d {
        Deadline::Due { due, .. } => Ok((d, Some((due, days_left(today, due, cal)?)))),
        other => Ok((other, None)),
    });
    match counted {
        Ok((_, Some((due, left)))) => Standing {
            state: if left < 0 { "已逾期" } else { "办理中" }.into(),
            due: Some(due),
            days_left: Some(left),
            problem: None,
        },
        Ok((Deadline::AwaitingCorrection, _)) => plain("等待补正".into()),
        Ok((Deadline::AwaitingFee, _)) => plain("等待缴费".into()),
        Ok(_) => plain("已办结".into()),
        Err(e) => Standing {
            problem: Some(e.to_string()),
            ..plain("办理中".into())
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::register::{ApplicantType, Channel};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_shipped_notice_parses_and_names_its_source() {
        for text in BUILTIN {
            let year = YearCalendar::parse(text).unwrap();
            assert!(
                year.source
                    .contains(&format!("关于{}年部分节假日安排的通知", year.year))
            );
        }
        let cal = Calendar::builtin();
        assert_eq!(
            cal.years().map(|y| y.year).collect::<Vec<_>>(),
            (2019..=2026).collect::<Vec<_>>()
        );
    }

    #[test]
    fn holidays_and_make_up_days_of_the_notices() {
        let cal = Calendar::builtin();
        // 2026 春节: 2月15日–23日 off, 2月14日 (Saturday) and 2月28日 (Saturday) worked.
        assert!(!cal.is_working_day(d(2026, 2, 16)).unwrap());
        assert!(!cal.is_working_day(d(2026, 2, 23)).unwrap());
        assert!(cal.is_working_day(d(2026, 2, 14)).unwrap());
        assert!(cal.is_working_day(d(2026, 2, 28)).unwrap());
        assert!(!cal.is_working_day(d(2026, 2, 21)).unwrap());
        // 2020: 春节 extended to 2月2日; 2月1日 (Saturday) no longer a working day.
        assert!(!cal.is_working_day(d(2020, 1, 31)).unwrap());
        assert!(!cal.is_working_day(d(2020, 2, 1)).unwrap());
        assert!(cal.is_working_day(d(2020, 2, 3)).unwrap());
        // 2019 元旦 reaches back to 2018-12-30 in the 2019 notice.
        assert!(cal.is_working_day(d(2019, 1, 2)).unwrap());
        assert_eq!(
            cal.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::MissingYear(2027))
        );
        assert!(
            CalendarError::MissingYear(2027)
                .to_string()
                .starts_with("缺少2027年节假日安排")
        );
    }

    #[test]
    fn due_dates_across_the_spring_festival_with_a_correction_and_an_extension() {
        let cal = Calendar::builtin();
        // Received Tuesday 2026-02-03. Working days after it: 2/4–2/6 (3), 2/9–2/13 (8),
        // 2/14 Saturday 调休 (9), 2/15–2/23 off, 2/24–2/27 (13), 2/28 Saturday 调休 (14),
        // 3/2–3/6 (19), 3/9 (20).
        let mut app = Application::received(
            "2026-001",
            d(2026, 2, 3),
            Channel::Post,
            ApplicantType::NATURAL,
        );
        assert_eq!(
            deadline(&app, &cal).unwrap(),
            Deadline::Due {
                start: d(2026, 2, 3),
                due: d(2026, 3, 9)
            }
        );
        // A correction asked for on 2/5 stops the clock …
        app.correction_sent = Some(d(2026, 2, 5));
        assert_eq!(deadline(&app, &cal).unwrap(), Deadline::AwaitingCorrection);
        // … and it starts again from the day the corrected application arrived: Friday
        // 2/13. Day 1 is Saturday 2/14 (调休), then 2/24–2/27 (5), 2/28 (6), 3/2–3/6 (11),
        // 3/9–3/13 (16), 3/16–3/19 (20).
        app.correction_answered = Some(d(2026, 2, 13));
        let Deadline::Due { due, .. } = deadline(&app, &cal).unwrap() else {
            panic!()
        };
        assert_eq!(due, d(2026, 3, 19));
        // An extension of 20 working days: 3/20 (21) … 4/3 (31), 4/4–4/6 清明 off,
        // 4/7–4/10 (35), 4/13–4/17 (40).
        app.extension_days = Some(20);
        let Deadline::Due { due, .. } = deadline(&app, &cal).unwrap() else {
            panic!()
        };
        assert_eq!(due, d(2026, 4, 17));
        assert_eq!(days_left(d(2026, 4, 16), due, &cal).unwrap(), 1);
        assert_eq!(days_left(d(2026, 4, 17), due, &cal).unwrap(), 0);
        assert_eq!(days_left(d(2026, 4, 20), due, &cal).unwrap(), -1);
        app.replied = Some(d(2026, 4, 1));
        assert_eq!(deadline(&app, &cal).unwrap(), Deadline::Closed);
    }

    #[test]
    fn a_fee_notice_stops_the_clock_until_paid() {
        let cal = Calendar::builtin();
        // Received Monday 2025-03-03: 20 working days later is 2025-03-31.
        let mut app = Application::received(
            "2025-001",
            d(2025, 3, 3),
            Channel::Online,
            ApplicantType::NATURAL,
        );
        let Deadline::Due { due, .. } = deadline(&app, &cal).unwrap() else {
            panic!()
        };
        assert_eq!(due, d(2025, 3, 31));
        app.fee_notice = Some(d(2025, 3, 10));
        assert_eq!(deadline(&app, &cal).unwrap(), Deadline::AwaitingFee);
        // Paid the Friday after: 3/11–3/14 are 4 working days that do not count.
        app.fee_paid = Some(d(2025, 3, 14));
        let Deadline::Due { due, .. } = deadline(&app, &cal).unwrap() else {
            panic!()
        };
        // 3/31 + 4 working days: 4/1, 4/2, 4/3, (4/4–4/6 清明) 4/7.
        assert_eq!(due, d(2025, 4, 7));
    }

    #[test]
    fn an_unknown_year_is_an_error_not_a_guess() {
        let cal = Calendar::builtin();
        let app = Application::received(
            "2026-300",
            d(2026, 12, 20),
            Channel::Online,
            ApplicantType::NATURAL,
        );
        assert_eq!(deadline(&app, &cal), Err(CalendarError::MissingYear(2027)));
        let bad = r#"{"year": 2027, "source": "", "holidays": [], "workdays": []}"#;
        assert!(YearCalendar::parse(bad).is_err());
        let bad = r#"{"year": 2027, "source": "x", "holidays": [], "workdays": ["2027-01-04"]}"#;
        assert!(
            YearCalendar::parse(bad)
                .unwrap_err()
                .to_string()
                .contains("2027-01-04")
        );
    }
}
