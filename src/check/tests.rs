//! Check tests: clean on the demo, each rule caught on a deliberately broken copy.

use rust_decimal::Decimal;

use super::*;
use crate::demo::data::year_data;
use crate::model::{StoredValue, has_errors};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The demo with one stored value changed (`None` = delete it).
fn edited(year: i32, metric: &str, month: u8, value: Option<Option<Decimal>>) -> YearData {
    let mut data = year_data(2019);
    let mut values: Vec<StoredValue> = data.all_values().map(|v| v.to_stored()).collect();
    let i = values
        .iter()
        .position(|v| v.year == year && *v.metric == *metric && v.month == month)
        .expect("value in demo");
    match value {
        Some(v) => values[i].value = v,
        None => {
            values.remove(i);
        }
    }
    data.set_values(values);
    data
}

fn errors(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

#[test]
fn demo_data_is_clean() {
    let findings = check(&year_data(2019), &CheckOptions::default());
    assert!(!has_errors(&findings), "{findings:#?}");
    // Nothing is submitted in the in-memory demo: one pending warning per division
    // that owns monthly metrics.
    assert!(findings.iter().any(|f| f.code == "submission.pending"));
    assert!(!findings.iter().any(|f| f.code == "value.missing"));
}

#[test]
fn broken_table3_identity_names_row_and_column() {
    // 予以公开（自然人）32 → 33: the column no longer balances, and the row's total
    // column no longer equals its parts.
    let data = edited(2019, "t3.open.natural", 0, Some(Some(d("33"))));
    let findings = check(&data, &CheckOptions::default());
    let errs = errors(&findings);
    let codes: Vec<&str> = errs.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"t3.identity.total_column"), "{codes:?}");
    assert!(codes.contains(&"t3.identity.results_total"), "{codes:?}");
    let row = errs
        .iter()
        .find(|f| f.code == "t3.identity.total_column")
        .unwrap();
    let cell = row.table.as_ref().unwrap();
    assert_eq!((cell.row.as_str(), cell.column.as_str()), ("open", "total"));
    assert_eq!(cell.row_label, "予以公开");
    assert!(row.message.contains("予以公开"), "{}", row.message);
    let col = errs
        .iter()
        .find(|f| f.code == "t3.identity.results_total")
        .unwrap();
    assert_eq!(col.table.as_ref().unwrap().column, "natural");
    assert!(col.message.contains("自然人"), "{}", col.message);
    assert_eq!(col.metric.as_deref(), Some("t3.results_total.natural"));
}

#[test]
fn balance_identity_per_column() {
    // 本年新收（法律服务机构）3 → 5 and its total 82 → 84: rows add up, the column does not.
    let mut data = edited(2019, "t3.new.legal", 0, Some(Some(d("5"))));
    let mut values: Vec<StoredValue> = data.all_values().map(|v| v.to_stored()).collect();
    for v in &mut values {
        if v.year == 2019 && &*v.metric == "t3.new.total" {
            v.value = Some(d("84"));
        }
    }
    data.set_values(values);
    let findings = check(&data, &CheckOptions::default());
    let errs = errors(&findings);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(errs.iter().all(|f| f.code == "t3.identity.balance"));
    let columns: Vec<&str> = errs
        .iter()
        .map(|f| f.table.as_ref().unwrap().column.as_str())
        .collect();
    assert_eq!(columns, ["legal", "total"]);
}

#[test]
fn carried_in_must_equal_last_years_carried_out() {
    let data = edited(2018, "t3.carried_out.business", 0, Some(Some(d("2"))));
    let findings = check(&data, &CheckOptions::default());
    let errs = errors(&findings);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].code, "t3.carried_in");
    assert_eq!(errs[0].metric.as_deref(), Some("t3.carried_in.business"));
    assert!(errs[0].message.contains("商业企业"), "{}", errs[0].message);
    assert!(errs[0].message.contains("2018"), "{}", errs[0].message);
}

#[test]
fn table4_total_and_blank_cells() {
    let data = edited(2019, "t4.review.upheld", 0, Some(Some(d("1"))));
    let findings = check(&data, &CheckOptions::default());
    let errs = errors(&findings);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].code, "t4.identity.total");
    assert_eq!(errs[0].table.as_ref().unwrap().row, "review");

    // A blank yearly cell is a warning and counts as 0 (0 here, so no identity breaks).
    let data = edited(2019, "t3.deny.law.natural", 0, Some(None));
    let findings = check(&data, &CheckOptions::default());
    assert!(!has_errors(&findings), "{findings:#?}");
    let blank = findings.iter().find(|f| f.code == "value.blank").unwrap();
    assert_eq!(blank.metric.as_deref(), Some("t3.deny.law.natural"));
    assert_eq!(blank.months, [0]);
}

#[test]
fn table4_total_zero_beside_results_names_the_row() {
    // As published reports get it wrong: 总计 left 0 beside a non-zero result.
    let data = edited(2019, "t4.suit_direct.upheld", 0, Some(Some(d("2"))));
    let findings = check(&data, &CheckOptions::default());
    let errs = errors(&findings);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = errs[0];
    assert_eq!(e.code, "t4.identity.total");
    assert_eq!(e.metric.as_deref(), Some("t4.suit_direct.total"));
    assert_eq!(e.table.as_ref().unwrap().row, "suit_direct");
    assert!(
        e.message.contains("行政诉讼（未经复议直接起诉）") && e.message.contains("总计为0"),
        "{}",
        e.message
    );
    assert!(e.message.contains("结果维持2"), "{}", e.message);
}

#[test]
fn effective_documents_roll_forward_or_warn_with_three_numbers() {
    // Demo: 2018 现行有效 41, 2019 制发 12, 废止 4 → 49, as stored: no warning.
    let clean = check(&year_data(2019), &CheckOptions::default());
    assert!(!clean.iter().any(|f| f.code == "t2.effective.roll"));

    let data = edited(2019, "t2.normative.effective", 0, Some(Some(d("50"))));
    let findings = check(&data, &CheckOptions::default());
    assert!(!has_errors(&findings), "{findings:#?}");
    let roll: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == "t2.effective.roll")
        .collect();
    assert_eq!(roll.len(), 1, "{roll:#?}");
    let w = roll[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.metric.as_deref(), Some("t2.normative.effective"));
    for number in ["50", "41", "12", "4", "49"] {
        assert!(w.message.contains(number), "{number} in {}", w.message);
    }
    assert!(w.message.contains("行政规范性文件"), "{}", w.message);

    // No 2018 figure: nothing to roll from, no warning.
    let data = edited(2018, "t2.normative.effective", 0, None);
    let data = {
        let mut data = data;
        let mut values: Vec<StoredValue> = data.all_values().map(|v| v.to_stored()).collect();
        for v in &mut values {
            if v.year == 2019 && &*v.metric == "t2.normative.effective" {
                v.value = Some(d("50"));
            }
        }
        data.set_values(values);
        data
    };
    let findings = check(&data, &CheckOptions::default());
    assert!(!findings.iter().any(|f| f.code == "t2.effective.roll"));
}

#[test]
fn values_negative_fractional_and_missing() {
    let data = edited(2019, "news.original", 3, Some(Some(d("-1"))));
    let f = check(&data, &CheckOptions::default());
    let e = errors(&f);
    assert_eq!(e[0].code, "value.negative");
    assert_eq!(
        (e[0].division.as_deref(), e[0].months.as_slice()),
        (Some("news"), &[3u8][..])
    );

    let data = edited(2019, "news.original", 4, Some(Some(d("1.5"))));
    assert_eq!(
        errors(&check(&data, &CheckOptions::default()))[0].code,
        "value.not_integer"
    );

    // A missing month is a warning while the month is open, an error once submitted.
    let mut data = edited(2019, "news.weibo", 5, None);
    let f = check(&data, &CheckOptions::default());
    let missing = f.iter().find(|f| f.code == "value.missing").unwrap();
    assert_eq!(missing.severity, Severity::Warning);
    assert_eq!(missing.months, [5]);
    data.statuses
        .insert(("news".into(), 5), crate::model::MonthStatus::Submitted);
    let f = check(&data, &CheckOptions::default());
    let missing = f.iter().find(|f| f.code == "value.missing").unwrap();
    assert_eq!(missing.severity, Severity::Error);
    assert!(
        missing.message.contains("新闻宣传处"),
        "{}",
        missing.message
    );
    // Not due yet: a check on 15 May does not ask for May.
    let early = CheckOptions {
        as_of: NaiveDate::from_ymd_opt(2019, 5, 15),
        ..CheckOptions::default()
    };
    assert!(
        !check(&data, &early)
            .iter()
            .any(|f| f.code == "value.missing")
    );
}

#[test]
fn formula_implies_unqualified_at_most_batches() {
    let batches = year_data(2019)
        .values(2019, "food.sampling.batches")
        .iter()
        .find(|v| v.month == 7)
        .and_then(|v| v.value)
        .unwrap();
    let data = edited(
        2019,
        "food.sampling.unqualified",
        7,
        Some(Some(batches + Decimal::ONE)),
    );
    let f = check(&data, &CheckOptions::default());
    let e = errors(&f);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].code, "rule.at_most");
    assert_eq!(e[0].months, [7]);
    assert_eq!(e[0].metric.as_deref(), Some("food.sampling.unqualified"));
}

#[test]
fn year_on_year_swing_is_a_warning() {
    let data = edited(2019, "news.original", 12, Some(Some(d("5000"))));
    let f = check(&data, &CheckOptions::default());
    assert!(!has_errors(&f));
    let swing = f.iter().find(|f| f.code == "yoy.swing").unwrap();
    assert_eq!(swing.metric.as_deref(), Some("news.original"));
    assert!(swing.message.contains("同比增长"), "{}", swing.message);
}

#[test]
fn json_shape_is_stable() {
    let data = edited(2018, "t3.carried_out.business", 0, Some(Some(d("2"))));
    let f = check(&data, &CheckOptions::default());
    let e = errors(&f)[0];
    let json = serde_json::to_value(e).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "severity",
        "code",
        "message",
        "metric",
        "metric_name",
        "division",
        "year",
        "months",
        "table",
    ];
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected);
    assert_eq!(json["severity"], "error");
    assert_eq!(json["table"]["table"], "t3");
    assert_eq!(json["table"]["row"], "carried_in");
    assert_eq!(json["division"], "office");
}

#[test]
fn a_wholly_blank_table3_column_is_one_warning() {
    // An agency that leaves 科研机构 blank in every row, and one more blank cell elsewhere.
    let mut data = year_data(2019);
    let mut values: Vec<StoredValue> = data.all_values().map(|v| v.to_stored()).collect();
    for v in values.iter_mut().filter(|v| v.year == 2019) {
        if v.metric.starts_with("t3.") && v.metric.ends_with(".research")
            || &*v.metric == "t3.deny.law.natural"
        {
            v.value = None;
        }
    }
    data.set_values(values);
    let findings = check(&data, &CheckOptions::default());
    let blank: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == "value.blank")
        .collect();
    assert_eq!(blank.len(), 2, "{blank:#?}");
    let column = blank
        .iter()
        .find(|f| f.metric.is_none())
        .expect("the column's warning");
    let rows = t3_cells(&data);
    assert_eq!(
        column.message,
        format!("表三“科研机构”列全部未填（{rows}格，计算勾稽关系时按0计）")
    );
    let cell = column.table.as_ref().unwrap();
    assert_eq!(
        (cell.table.as_str(), cell.column.as_str()),
        ("t3", "research")
    );
    assert!(
        blank
            .iter()
            .any(|f| f.metric.as_deref() == Some("t3.deny.law.natural"))
    );
}

/// Table-3 rows in the year's catalogue (cells of one column).
fn t3_cells(data: &YearData) -> usize {
    data.metrics
        .iter()
        .filter(|m| m.code.starts_with("t3.") && m.code.ends_with(".research"))
        .count()
}

#[test]
fn a_missing_month_of_a_hand_built_year_is_a_warning_until_submitted() {
    let months: Vec<(u8, i64)> = (1..=12).filter(|m| *m != 3).map(|m| (m, 10)).collect();
    let mut data =
        crate::model::year_data_fixture::one_metric(2019, "news.original", "原创新闻", &months);
    let missing = |data: &YearData| -> Vec<Finding> {
        check(data, &CheckOptions::default())
            .into_iter()
            .filter(|f| f.code == "value.missing")
            .collect()
    };
    let open = missing(&data);
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].severity, Severity::Warning);
    assert_eq!(open[0].message, "原创新闻（news.original）新闻处缺数：3月");
    data.statuses
        .insert(("news".into(), 3), MonthStatus::Submitted);
    let submitted = missing(&data);
    assert_eq!(submitted[0].severity, Severity::Error);
    assert_eq!(
        submitted[0].message,
        "原创新闻（news.original）新闻处已报送但缺数：3月"
    );
}
