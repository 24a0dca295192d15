//! Tables 3 and 4 computed from the register for a year, every cell with the records
//! behind it (its provenance down to the application).
//!
//! For year Y, per applicant column (an application counts in its applicant's column
//! and in 总计):
//! - 本年新收 (`new`): received in Y;
//! - 上年结转 (`carried_in`): received before Y and not replied by 31 December of Y−1;
//! - each result row: replied in Y with that result; （七）总计 (`results_total`): replied
//!   in Y;
//! - 结转下年度 (`carried_out`): received by 31 December of Y and not replied by then.
//!
//! So `new + carried_in = results_total + carried_out` holds for every column by
//! construction (a reply is never before its receipt: [`Application::problems`]), and
//! this year's `carried_in` is last year's `carried_out` (both are "open at the turn of
//! the year"). Records withdrawn from the register count nowhere.
//!
//! For the report's prose, [`replies`] gives the year's replies with whether each came
//! within its time limit and the working days it took ([`REPLY_FIGURES`]).
//!
//! Table 4 counts the reviews and suits filed in Y, each in the column of its outcome as
//! it stood on 31 December of Y (decided later = 尚未审结), plus 总计.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::calendar::{self, Calendar, CalendarError, Deadline};
use super::national::{T3_COLUMNS, T3_ROWS, T4_COLUMNS, T4_GROUPS};
use super::register::{Appeal, Application};
use super::{Aggregation, Metric, OFFICE, Period, ValueKind};

/// Tables 3 and 4 of one year as computed from the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterTables {
    pub year: i32,
    /// Every cell of tables 3 and 4 by metric code (`t3.open.natural`), with the ids of
    /// the applications (table 3) or the appeals (table 4) it counts, in register order.
    pub cells: BTreeMap<String, Vec<i64>>,
}

impl RegisterTables {
    /// The figure of a cell (0 for a cell with no records; `None` for a code that is not
    /// a cell of tables 3 or 4).
    pub fn value(&self, code: &str) -> Option<u64> {
        self.cells.get(code).map(|ids| ids.len() as u64)
    }

    /// The records behind a cell.
    pub fn ids(&self, code: &str) -> &[i64] {
        self.cells.get(code).map_or(&[], Vec::as_slice)
    }

    /// Every cell's records as [`CellRecord`]s (no personal data), for the provenance of
    /// a figure. A cell with no records has an empty list.
    pub fn records(
        &self,
        applications: &[Application],
        appeals: &[Appeal],
    ) -> BTreeMap<String, Vec<CellRecord>> {
        let apps: HashMap<i64, &Application> = applications.iter().map(|a| (a.id, a)).collect();
        let appeals: HashMap<i64, &Appeal> = appeals.iter().map(|a| (a.id, a)).collect();
        let last = NaiveDate::from_ymd_opt(self.year, 12, 31).unwrap_or(NaiveDate::MAX);
        self.cells
            .iter()
            .map(|(code, ids)| {
                let records = if code.starts_with("t4.") {
                    ids.iter()
                        .filter_map(|id| appeals.get(id))
                        .map(|a| CellRecord::of_appeal(a, apps.get(&a.application_id), last))
                        .collect()
                } else {
                    ids.iter()
                        .filter_map(|id| apps.get(id))
                        .map(|a| CellRecord::of_application(a))
                        .collect()
                };
                (code.clone(), records)
            })
            .collect()
    }
}

/// The records behind each figure taken from the register, by (year, metric code).
pub type RecordsByFigure = HashMap<(i32, String), Vec<CellRecord>>;

/// One record behind a cell of table 3 or 4 as anyone who may read the report may see
/// it: the office's number, the dates and the result, never the applicant's name or what
/// they asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRecord {
    /// The application's number (`2026-017`); for a review or suit, the application's
    /// number and the case number.
    pub number: String,
    /// 收到申请 (an application) or 提起 (a review or suit).
    pub received: NaiveDate,
    /// 答复 (an application) or 审结 (a review or suit), if any.
    pub closed: Option<NaiveDate>,
    /// The applicant's column (自然人, 商业企业 …) or the kind of appeal.
    pub kind: String,
    /// The result row or the outcome, in words; empty while open.
    pub result: String,
}

impl CellRecord {
    /// The records of the applications `ids`, in that order.
    pub fn of_applications(ids: &[i64], applications: &[Application]) -> Vec<CellRecord> {
        let apps: HashMap<i64, &Application> = applications.iter().map(|a| (a.id, a)).collect();
        ids.iter()
            .filter_map(|id| apps.get(id))
            .map(|a| CellRecord::of_application(a))
            .collect()
    }

    fn of_application(a: &Application) -> CellRecord {
        CellRecord {
            number: a.number.clone(),
            received: a.received,
            closed: a.replied,
            kind: a.applicant_type.label().to_string(),
            result: a.result.map(|r| r.label()).unwrap_or_default(),
        }
    }

    fn of_appeal(a: &Appeal, app: Option<&&Application>, last: NaiveDate) -> CellRecord {
        let number = app.map_or_else(|| format!("#{}", a.application_id), |x| x.number.clone());
        CellRecord {
            number: if a.case_number.is_empty() {
                number
            } else {
                format!("{number}（{}）", a.case_number)
            },
            received: a.filed,
            closed: a.decided.filter(|d| *d <= last),
            kind: a.kind.label().to_string(),
            result: a.outcome_on(last).label().to_string(),
        }
    }
}

const TOTAL: usize = 6;

/// Computes tables 3 and 4 of `year` (see the module doc for the rules).
pub fn compute(year: i32, applications: &[Application], appeals: &[Appeal]) -> RegisterTables {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let before = first.pred_opt().unwrap_or(NaiveDate::MIN);
    let row_of = |code: &str| T3_ROWS.iter().position(|(r, _)| *r == code).unwrap_or(0);
    let (new, carried_in, results_total, carried_out) = (
        row_of("new"),
        row_of("carried_in"),
        row_of("results_total"),
        row_of("carried_out"),
    );
    let mut t3: Vec<[Vec<i64>; 7]> = (0..T3_ROWS.len()).map(|_| Default::default()).collect();
    let mut count = |row: usize, col: usize, id: i64| {
        t3[row][col].push(id);
        t3[row][TOTAL].push(id);
    };
    for app in applications.iter().filter(|a| a.withdrawn.is_none()) {
        let col = app.applicant_type.column();
        if app.received >= first && app.received <= last {
            count(new, col, app.id);
        }
        if app.received < first && app.open_on(before) {
            count(carried_in, col, app.id);
        }
        if let (Some(replied), Some(result)) = (app.replied, app.result)
            && replied >= first
            && replied <= last
        {
            count(row_of(result.code()), col, app.id);
            count(results_total, col, app.id);
        }
        if app.open_on(last) {
            count(carried_out, col, app.id);
        }
    }
    let mut cells = BTreeMap::new();
    for (r, (row, _)) in T3_ROWS.iter().enumerate() {
        for (c, (col, _)) in T3_COLUMNS.iter().enumerate() {
            cells.insert(format!("t3.{row}.{col}"), std::mem::take(&mut t3[r][c]));
        }
    }
    for (group, _) in T4_GROUPS {
        for (col, _) in T4_COLUMNS {
            cells.insert(format!("t4.{group}.{col}"), Vec::new());
        }
    }
    for appeal in appeals.iter().filter(|a| a.withdrawn.is_none()) {
        if appeal.filed < first || appeal.filed > last {
            continue;
        }
        let group = appeal.kind.code();
        for col in [appeal.outcome_on(last).code(), "total"] {
            if let Some(ids) = cells.get_mut(&format!("t4.{group}.{col}")) {
                ids.push(appeal.id);
            }
        }
    }
    RegisterTables { year, cells }
}

/// The figures the report's prose may draw from the register in a year kept in it:
/// (code, name, unit). They are not catalogue metrics: the store adds them to the year's
/// data (see [`reply_metrics`]) only for such years.
pub const REPLY_FIGURES: [(&str, &str, &str); 3] = [
    ("register.replied", "本年答复的依申请公开申请", "件"),
    (
        "register.replied_in_time",
        "在法定期限内答复的依申请公开申请",
        "件",
    ),
    (
        "register.average_reply_days",
        "依申请公开申请平均答复用时",
        "个工作日",
    ),
];

/// The replies dated in a year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replies {
    /// The applications replied in the year, in register order.
    pub replied: Vec<i64>,
    /// Those replied by their due date (条例 第三十三条, with 补正, 延期 and fees counted
    /// as for an open application).
    pub in_time: Vec<i64>,
    /// Working days from receipt (or the corrected application) to the reply, summed.
    pub working_days: i64,
}

impl Replies {
    /// The average working days to reply, exact (`None` without replies).
    pub fn average_days(&self) -> Option<Decimal> {
        (!self.replied.is_empty())
            .then(|| Decimal::from(self.working_days) / Decimal::from(self.replied.len() as u64))
    }

    /// The value of each of [`REPLY_FIGURES`] with the applications behind it.
    pub fn figures(&self) -> [(&'static str, Option<Decimal>, &[i64]); 3] {
        let count = |ids: &[i64]| Some(Decimal::from(ids.len() as u64));
        [
            (REPLY_FIGURES[0].0, count(&self.replied), &self.replied),
            (REPLY_FIGURES[1].0, count(&self.in_time), &self.in_time),
            (REPLY_FIGURES[2].0, self.average_days(), &self.replied),
        ]
    }
}

/// The replies dated in `year`, each timed against its due date on `cal`. A reply whose
/// time limit cannot be counted (a year's holiday notice missing) is an error, not a
/// guess.
pub fn replies(
    year: i32,
    applications: &[Application],
    cal: &Calendar,
) -> Result<Replies, CalendarError> {
    let mut out = Replies::default();
    for app in applications.iter().filter(|a| a.withdrawn.is_none()) {
        let Some(replied) = app.replied.filter(|d| d.year() == year) else {
            continue;
        };
        let open = Application {
            replied: None,
            result: None,
            ..app.clone()
        };
        out.replied.push(app.id);
        match calendar::deadline(&open, cal)? {
            Deadline::Due { start, due } => {
                if replied <= due {
                    out.in_time.push(app.id);
                }
                out.working_days += cal.working_days_between(start, replied)?.max(0);
            }
            // Replied while a correction or a fee was awaited: within the limit.
            _ => out.in_time.push(app.id),
        }
    }
    Ok(out)
}

/// [`REPLY_FIGURES`] as metrics of the year's data: yearly, the office's, never stored.
pub fn reply_metrics() -> Vec<Metric> {
    REPLY_FIGURES
        .iter()
        .enumerate()
        .map(|(i, (code, name, unit))| Metric {
            code: code.to_string(),
            name: name.to_string(),
            unit: unit.to_string(),
            kind: if *code == "register.average_reply_days" {
                ValueKind::Amount { places: 1 }
            } else {
                ValueKind::Count
            },
            aggregation: Aggregation::Sum,
            period: Period::Yearly,
            owners: vec![OFFICE.to_string()],
            words: Vec::new(),
            sort_order: i64::MAX - 10 + i as i64,
        })
        .collect()
}

/// One cell where the register and the figures entered for the year differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDifference {
    pub metric: String,
    /// The figure entered (`None`: no figure entered, or entered blank).
    pub entered: Option<Decimal>,
    pub register: u64,
}

/// The cells of `tables` whose entered figure differs, in code order. `entered` gives the
/// entered figure of a code (`None` when there is none).
pub fn differences(
    tables: &RegisterTables,
    entered: impl Fn(&str) -> Option<Decimal>,
) -> Vec<CellDifference> {
    tables
        .cells
        .iter()
        .filter_map(|(code, ids)| {
            let register = ids.len() as u64;
            let had = entered(code);
            (had != Some(Decimal::from(register))).then(|| CellDifference {
                metric: code.clone(),
                entered: had,
                register,
            })
        })
        // A blank cell where the register has none is no difference worth showing.
        .filter(|d| !(d.entered.is_none() && d.register == 0))
        .collect()
}

#[cfg(test)]
#[path = "register_tables_tests.rs"]
mod tests;
