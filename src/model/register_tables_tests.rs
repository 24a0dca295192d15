//! Tables 3 and 4 from a register written here, against tables computed by hand.

use super::*;
use crate::model::national::{T3_COLUMNS, T3_ROWS, t3_result_rows};
use crate::model::register::{AppealKind, ApplicantType, Channel, Outcome, ResultRow};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn app(id: i64, applicant: &str, received: &str, reply: Option<(&str, &str)>) -> Application {
    let mut a = Application::received(
        &format!("A{id}"),
        d(received),
        Channel::Online,
        ApplicantType::parse(applicant).unwrap(),
    );
    a.id = id;
    if let Some((day, result)) = reply {
        a.replied = Some(d(day));
        a.result = Some(ResultRow::parse(result).unwrap());
    }
    a
}

/// Three years, with applications carried over one and two turns of the year.
fn register() -> Vec<Application> {
    let mut withdrawn = app(6, "natural", "2025-06-01", None);
    withdrawn.withdrawn = Some("重复登记".into());
    vec![
        app(1, "natural", "2024-03-01", Some(("2024-03-20", "open"))),
        app(2, "business", "2024-12-10", Some(("2025-01-08", "partial"))),
        app(
            3,
            "legal",
            "2024-12-20",
            Some(("2026-02-10", "other.overdue_correction")),
        ),
        app(
            4,
            "natural",
            "2025-05-05",
            Some(("2025-05-20", "unable.not_held")),
        ),
        app(5, "research", "2025-12-30", None),
        withdrawn,
        app(
            7,
            "nonprofit",
            "2026-01-05",
            Some(("2026-01-20", "other.other")),
        ),
        app(
            8,
            "natural",
            "2026-02-01",
            Some(("2026-02-15", "reject.repeat")),
        ),
        app(9, "other", "2026-11-01", None),
    ]
}

/// Every cell of `tables`' table 3 is `expected`'s figure (and ids), or 0.
fn assert_table3(tables: &RegisterTables, expected: &[(&str, &[i64])]) {
    for (code, ids) in tables.cells.iter().filter(|(c, _)| c.starts_with("t3.")) {
        let want = expected
            .iter()
            .find(|(c, _)| *c == code.as_str())
            .map_or(&[][..], |(_, ids)| *ids);
        assert_eq!(ids.as_slice(), want, "{} {code}", tables.year);
    }
    for (code, _) in expected {
        assert!(tables.cells.contains_key(*code), "{code}");
    }
}

#[test]
fn table_3_of_a_register_equals_the_table_computed_by_hand() {
    let tables = compute(2026, &register(), &[]);
    assert_table3(
        &tables,
        &[
            ("t3.new.nonprofit", &[7]),
            ("t3.new.natural", &[8]),
            ("t3.new.other", &[9]),
            ("t3.new.total", &[7, 8, 9]),
            ("t3.carried_in.legal", &[3]),
            ("t3.carried_in.research", &[5]),
            ("t3.carried_in.total", &[3, 5]),
            ("t3.other.overdue_correction.legal", &[3]),
            ("t3.other.overdue_correction.total", &[3]),
            ("t3.other.other.nonprofit", &[7]),
            ("t3.other.other.total", &[7]),
            ("t3.reject.repeat.natural", &[8]),
            ("t3.reject.repeat.total", &[8]),
            ("t3.results_total.legal", &[3]),
            ("t3.results_total.nonprofit", &[7]),
            ("t3.results_total.natural", &[8]),
            ("t3.results_total.total", &[3, 7, 8]),
            ("t3.carried_out.research", &[5]),
            ("t3.carried_out.other", &[9]),
            ("t3.carried_out.total", &[5, 9]),
        ],
    );
    assert_eq!(tables.value("t3.new.total"), Some(3));
    assert_eq!(tables.value("t3.open.business"), Some(0));
    assert_eq!(tables.value("t3.nothing.total"), None);
    // 175 cells of table 3 and 15 of table 4, all present.
    assert_eq!(tables.cells.len(), 25 * 7 + 15);
}

#[test]
fn carry_over_chains_across_three_years() {
    let reg = register();
    let y2024 = compute(2024, &reg, &[]);
    assert_table3(
        &y2024,
        &[
            ("t3.new.natural", &[1]),
            ("t3.new.business", &[2]),
            ("t3.new.legal", &[3]),
            ("t3.new.total", &[1, 2, 3]),
            ("t3.open.natural", &[1]),
            ("t3.open.total", &[1]),
            ("t3.results_total.natural", &[1]),
            ("t3.results_total.total", &[1]),
            ("t3.carried_out.business", &[2]),
            ("t3.carried_out.legal", &[3]),
            ("t3.carried_out.total", &[2, 3]),
        ],
    );
    let y2025 = compute(2025, &reg, &[]);
    assert_table3(
        &y2025,
        &[
            ("t3.new.natural", &[4]),
            ("t3.new.research", &[5]),
            ("t3.new.total", &[4, 5]),
            ("t3.carried_in.business", &[2]),
            ("t3.carried_in.legal", &[3]),
            ("t3.carried_in.total", &[2, 3]),
            ("t3.partial.business", &[2]),
            ("t3.partial.total", &[2]),
            ("t3.unable.not_held.natural", &[4]),
            ("t3.unable.not_held.total", &[4]),
            ("t3.results_total.business", &[2]),
            ("t3.results_total.natural", &[4]),
            ("t3.results_total.total", &[2, 4]),
            ("t3.carried_out.legal", &[3]),
            ("t3.carried_out.research", &[5]),
            ("t3.carried_out.total", &[3, 5]),
        ],
    );
    let years = [y2024, y2025, compute(2026, &reg, &[])];
    for pair in years.windows(2) {
        for (col, _) in T3_COLUMNS {
            assert_eq!(
                pair[1].ids(&format!("t3.carried_in.{col}")),
                pair[0].ids(&format!("t3.carried_out.{col}")),
                "{} {col}",
                pair[1].year
            );
        }
    }
    // The identities of table 3 hold in every column of every year.
    for t in &years {
        for (col, _) in T3_COLUMNS {
            let v = |row: &str| t.value(&format!("t3.{row}.{col}")).unwrap();
            assert_eq!(
                v("new") + v("carried_in"),
                v("results_total") + v("carried_out")
            );
            assert_eq!(v("results_total"), t3_result_rows().map(v).sum::<u64>());
        }
        for (row, _) in T3_ROWS {
            let v = |col: &str| t.value(&format!("t3.{row}.{col}")).unwrap();
            let orgs: u64 = T3_COLUMNS[..6].iter().map(|(c, _)| v(c)).sum();
            assert_eq!(v("total"), orgs, "{} {row}", t.year);
        }
    }
}

#[test]
fn table_4_counts_cases_filed_in_the_year_by_their_outcome_at_its_end() {
    let appeal = |id, application_id, kind, filed: &str, outcome, decided: Option<&str>| Appeal {
        id,
        application_id,
        kind,
        case_number: String::new(),
        filed: d(filed),
        outcome,
        decided: decided.map(d),
        notes: String::new(),
        withdrawn: None,
    };
    let appeals = [
        appeal(
            1,
            4,
            AppealKind::Review,
            "2025-06-10",
            Outcome::Upheld,
            Some("2025-08-01"),
        ),
        appeal(
            2,
            2,
            AppealKind::SuitDirect,
            "2025-11-01",
            Outcome::Corrected,
            Some("2026-03-01"),
        ),
        appeal(
            3,
            8,
            AppealKind::SuitAfterReview,
            "2026-04-01",
            Outcome::Other,
            Some("2026-09-01"),
        ),
    ];
    let t = compute(2025, &register(), &appeals);
    assert_eq!(t.ids("t4.review.upheld"), [1]);
    assert_eq!(t.ids("t4.review.total"), [1]);
    assert_eq!(t.ids("t4.suit_direct.pending"), [2]);
    assert_eq!(t.ids("t4.suit_direct.corrected"), [] as [i64; 0]);
    assert_eq!(t.value("t4.suit_after_review.total"), Some(0));
    let t = compute(2026, &register(), &appeals);
    assert_eq!(t.ids("t4.suit_after_review.other"), [3]);
    assert_eq!(t.value("t4.suit_direct.total"), Some(0));
}

#[test]
fn differences_name_each_cell_where_the_entered_figures_disagree() {
    let t = compute(2026, &register(), &[]);
    let entered = |code: &str| match code {
        "t3.new.total" => Some(Decimal::from(3)),
        "t3.new.natural" => Some(Decimal::from(2)),
        "t3.open.total" => Some(Decimal::from(0)),
        _ => None,
    };
    let diffs = differences(&t, entered);
    let new_natural = diffs.iter().find(|d| d.metric == "t3.new.natural").unwrap();
    assert_eq!(
        (new_natural.entered, new_natural.register),
        (Some(Decimal::from(2)), 1)
    );
    assert!(
        diffs
            .iter()
            .all(|d| d.metric != "t3.new.total" && d.metric != "t3.open.total")
    );
    // Blank where the register counts something is a difference; blank and 0 is not.
    assert!(
        diffs
            .iter()
            .any(|d| d.metric == "t3.new.other" && d.entered.is_none())
    );
    assert!(diffs.iter().all(|d| d.metric != "t3.open.business"));
}

#[test]
fn the_replies_of_a_year_are_timed_against_their_due_dates() {
    let cal = Calendar::builtin();
    // Mon 3/2 → Fri 3/6: 4 working days, in time.
    let quick = app(1, "natural", "2026-03-02", Some(("2026-03-06", "open")));
    // Received Tue 2/3 across the Spring Festival, due 3/9, replied Tue 3/10: 21, late.
    let late = app(2, "business", "2026-02-03", Some(("2026-03-10", "open")));
    // A correction: the count starts again from its arrival (3/16): 3/20 is day 4.
    let mut corrected = app(3, "natural", "2026-03-02", Some(("2026-03-20", "partial")));
    corrected.correction_sent = Some(d("2026-03-03"));
    corrected.correction_answered = Some(d("2026-03-16"));
    // Not this year's, withdrawn, or still open: not counted.
    let last_year = app(4, "natural", "2025-11-03", Some(("2025-11-10", "open")));
    let mut withdrawn = app(5, "natural", "2026-04-01", Some(("2026-04-02", "open")));
    withdrawn.withdrawn = Some("误登记".into());
    let open = app(6, "natural", "2026-12-01", None);
    let r = replies(
        2026,
        &[quick, late, corrected, last_year, withdrawn, open],
        &cal,
    )
    .unwrap();
    assert_eq!(r.replied, [1, 2, 3]);
    assert_eq!(r.in_time, [1, 3]);
    assert_eq!(r.working_days, 4 + 21 + 4);
    assert_eq!(r.average_days(), Some(Decimal::from(29) / Decimal::from(3)));
    let figures = r.figures();
    assert_eq!(figures[1].0, "register.replied_in_time");
    assert_eq!(figures[1].1, Some(Decimal::from(2)));
    assert_eq!(
        replies(2027, &[], &cal).unwrap().average_days(),
        None,
        "no replies, no average"
    );
}
