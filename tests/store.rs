//! Store tests on temporary files: permissions, statuses, exact values, refusing bad
//! files untouched, and the demo's year totals against the seed's figures.

use std::path::Path;

use nianbao::catalog::{Aggregation, Metric, Period, Role, ValueKind};
use nianbao::store::{
    Actor, AuditFilter, MonthStatus, NewUser, OpenedYear, Store, StoreError, ValueWrite,
};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn demo(dir: &Path) -> Store {
    nianbao::demo::create(&dir.join("demo.db")).unwrap()
}

fn write(year: i32, month: u8, division: &str, metric: &str, value: &str) -> ValueWrite {
    ValueWrite {
        year,
        month,
        division: division.into(),
        metric: metric.into(),
        value: if value.is_empty() {
            None
        } else {
            Some(d(value))
        },
        note: String::new(),
    }
}

/// Every figure of the seed report that the demo stores, typed here from the seed text
/// (not from the demo's own table), with the months it covers.
const SEED_FIGURES: &[(&str, &str, u8)] = &[
    ("news.original", "1725", 12),
    ("news.press_events", "7", 12),
    ("news.weibo", "548", 12),
    ("news.wechat", "137", 12),
    ("disclosure.proactive", "4387", 12),
    ("quality.promo.hotline", "654", 12),
    ("quality.promo.elevator", "157", 12),
    ("quality.promo.organic", "36", 12),
    ("quality.promo.service_cert", "14", 12),
    ("quality.promo.open_day", "121", 12),
    ("quality.promo.consumer", "266", 12),
    ("news.releases", "61", 12),
    ("news.media_reports", "738", 12),
    ("mailbox.director", "137", 12),
    ("messages.party_platform", "13", 12),
    ("hotline.letters", "15", 12),
    ("food.sampling.issues", "48", 12),
    ("food.sampling.batches", "13618", 12),
    ("food.sampling.unqualified", "255", 12),
    ("food.week.activities", "2512", 12),
    ("food.week.press", "176", 12),
    ("food.week.media", "17023", 12),
    ("food.cases", "4025", 12),
    ("food.fines", "2354.48", 12),
    ("food.unlicensed_closed", "418", 12),
    ("food.destroyed", "117.8", 12),
    ("fees.reduced", "1530", 12),
    ("fees.refunded", "800", 12),
    ("disclosure.interpretations", "62", 12),
    ("messages.sisong", "71", 12),
    ("poverty.funds", "164", 12),
    ("poverty.leader_visits", "14", 12),
    ("credit.interceptions", "9642", 12),
    ("registration.deregistration", "1350", 11),
    ("gazette.submitted", "10", 12),
    ("gazette.published", "4", 12),
    ("website.meetings", "3", 12),
    ("exchange.articles", "4", 12),
    // 及时答复依申请公开83件: the national table 3's results total.
    ("t3.results_total.total", "83", 12),
];

#[test]
fn demo_year_totals_are_the_seed_figures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    drop(nianbao::demo::create(&path).unwrap());
    let store = Store::open(&path).unwrap();
    let values = store.stored_values(2019..=2019, None, None).unwrap();
    for (code, figure, up_to) in SEED_FIGURES {
        let total: Decimal = values
            .iter()
            .filter(|v| v.metric == *code && v.month <= *up_to)
            .map(|v| v.value.unwrap())
            .sum();
        assert_eq!(total.to_string(), *figure, "{code}");
    }
    // 2018 is there for comparisons, and its 结转下年度 is 2019's 上年结转.
    let y2018 = store.year_data(2019).unwrap();
    let carried_out: Decimal = y2018
        .values(2018, "t3.carried_out.total")
        .iter()
        .map(|v| v.value.unwrap())
        .sum();
    let carried_in: Decimal = y2018
        .values(2019, "t3.carried_in.total")
        .iter()
        .map(|v| v.value.unwrap())
        .sum();
    assert_eq!(carried_out, carried_in);
    assert!(!y2018.values(2018, "news.original").is_empty());
}

#[test]
fn amounts_come_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor("liu.office").unwrap();
    store
        .unlock_month(&office, 2019, 12, "office", "测试")
        .unwrap();
    store
        .set_value(
            &office,
            &write(2019, 0, "office", "t2.fees.amount", "24252.311082"),
        )
        .unwrap();
    assert_eq!(
        store.value(2019, 0, "office", "t2.fees.amount").unwrap(),
        Some(Some(d("24252.311082")))
    );
    // 2354.48 stays 2354.48 (no float anywhere).
    let fines: Decimal = store
        .stored_values(2019..=2019, Some("food_coord"), Some("food.fines"))
        .unwrap()
        .iter()
        .map(|v| v.value.unwrap())
        .sum();
    assert_eq!(fines.to_string(), "2354.48");
    // Blank is stored as blank, not zero.
    store
        .set_value(&office, &write(2019, 0, "office", "t3.open.research", ""))
        .unwrap();
    assert_eq!(
        store.value(2019, 0, "office", "t3.open.research").unwrap(),
        Some(None)
    );
}

#[test]
fn contacts_write_only_their_own_open_months() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let news = store.actor("li.zhe").unwrap();
    assert_eq!(news.role, Role::Contact);
    // December is handed in (submitted) for news: closed to the contact.
    let err = store
        .set_value(&news, &write(2019, 12, "news", "news.weibo", "5"))
        .unwrap_err();
    assert!(matches!(err, StoreError::MonthClosed { .. }), "{err}");
    // Locked months are closed to everybody, the office included.
    let err = store
        .set_value(&news, &write(2019, 3, "news", "news.weibo", "5"))
        .unwrap_err();
    assert!(matches!(err, StoreError::MonthClosed { .. }), "{err}");
    let office = store.actor("liu.office").unwrap();
    let err = store
        .set_value(&office, &write(2019, 3, "news", "news.weibo", "5"))
        .unwrap_err();
    assert!(matches!(err, StoreError::MonthClosed { .. }), "{err}");
    // Another division's figures: refused whatever the month.
    store
        .unlock_month(&office, 2019, 12, "food_coord", "补录")
        .unwrap();
    let err = store
        .set_value(&news, &write(2019, 12, "food_coord", "food.cases", "5"))
        .unwrap_err();
    assert!(matches!(err, StoreError::PermissionDenied(_)), "{err}");
    // The office reopens December for news with a reason; the contact can write again.
    assert!(matches!(
        store.unlock_month(&office, 2019, 12, "news", " "),
        Err(StoreError::Invalid(_))
    ));
    store
        .unlock_month(&office, 2019, 12, "news", "数据更正")
        .unwrap();
    store
        .set_value(&news, &write(2019, 12, "news", "news.weibo", "5"))
        .unwrap();
    store.submit_month(&news, 2019, 12, "news").unwrap();
    assert_eq!(
        store.month_status(2019, 12, "news").unwrap(),
        MonthStatus::Submitted
    );
    // A contact cannot unlock, lock, or submit for another division.
    assert!(store.unlock_month(&news, 2019, 12, "news", "x").is_err());
    assert!(store.lock_month(&news, 2019, 12, "news").is_err());
    assert!(store.submit_month(&news, 2019, 12, "price").is_err());
    // Leaders only read.
    let leader = store.actor("huang.leader").unwrap();
    assert!(matches!(
        store.set_value(&leader, &write(2019, 12, "news", "news.weibo", "1")),
        Err(StoreError::PermissionDenied(_))
    ));
    // The unlock is in the audit log with its reason.
    let log = store
        .audit_log(&AuditFilter {
            entity: Some("month".into()),
            key_prefix: Some("2019/12/news".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.reason == "数据更正" && e.new.as_deref() == Some("open"))
    );
}

#[test]
fn every_value_change_is_audited_with_old_and_new() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor("liu.office").unwrap();
    let credit = store.actor("zheng.hao").unwrap();
    // December is open for the credit division in the demo.
    assert_eq!(
        store.month_status(2019, 12, "credit").unwrap(),
        MonthStatus::Open
    );
    let old = store
        .value(2019, 12, "credit", "credit.interceptions")
        .unwrap()
        .unwrap()
        .unwrap();
    store
        .set_value(
            &credit,
            &write(2019, 12, "credit", "credit.interceptions", "1000"),
        )
        .unwrap();
    let log = store
        .audit_log(&AuditFilter {
            entity: Some("value".into()),
            actor: Some("zheng.hao".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].old.as_deref(), Some(old.to_string().as_str()));
    assert_eq!(log[0].new.as_deref(), Some("1000"));
    // Writing the same value again changes nothing and logs nothing.
    let summary = store
        .set_value(
            &credit,
            &write(2019, 12, "credit", "credit.interceptions", "1000"),
        )
        .unwrap();
    assert_eq!(summary.unchanged, 1);
    // A formula metric cannot be written; an invalid value is refused.
    assert!(
        store
            .set_value(
                &office,
                &write(2019, 12, "food_sampling", "food.sampling.pass_rate", "98")
            )
            .is_err()
    );
    assert!(matches!(
        store.set_value(
            &credit,
            &write(2019, 12, "credit", "credit.interceptions", "1.5")
        ),
        Err(StoreError::Value { .. })
    ));
}

#[test]
fn a_failed_batch_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor("liu.office").unwrap();
    let before = store
        .value(2019, 12, "credit", "credit.interceptions")
        .unwrap();
    let writes = vec![
        write(2019, 12, "credit", "credit.interceptions", "1"),
        write(2019, 12, "credit", "no.such.metric", "1"),
    ];
    assert!(store.write_values(&office, &writes, |_, _| {}).is_err());
    assert_eq!(
        store
            .value(2019, 12, "credit", "credit.interceptions")
            .unwrap(),
        before
    );
}

#[test]
fn opening_a_year_copies_the_catalogue_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor("liu.office").unwrap();
    assert_eq!(
        store.open_year(&office, 2020).unwrap(),
        OpenedYear::CopiedFrom {
            year: 2019,
            metrics: store.metrics(2019).unwrap().len()
        }
    );
    assert!(matches!(
        store.open_year(&office, 2020).unwrap(),
        OpenedYear::AlreadyOpen { .. }
    ));
    assert_eq!(store.metrics(2020).unwrap(), store.metrics(2019).unwrap());
    let leader = store.actor("huang.leader").unwrap();
    assert!(store.open_year(&leader, 2021).is_err());
}

#[test]
fn changing_decimal_places_rescales_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor("liu.office").unwrap();
    let mut fines: Metric = store
        .metrics(2019)
        .unwrap()
        .into_iter()
        .find(|m| m.code == "food.fines")
        .unwrap();
    let sum = |store: &Store| -> Decimal {
        store
            .stored_values(2019..=2019, None, Some("food.fines"))
            .unwrap()
            .iter()
            .map(|v| v.value.unwrap())
            .sum()
    };
    fines.kind = ValueKind::Amount { places: 4 };
    store.put_metrics(&office, 2019, &[fines.clone()]).unwrap();
    assert_eq!(sum(&store).to_string(), "2354.48");
    fines.kind = ValueKind::Count;
    assert!(matches!(
        store.put_metrics(&office, 2019, &[fines]),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(sum(&store).to_string(), "2354.48");
}

#[test]
fn users_passwords_and_catalogue_edits() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor("liu.office").unwrap();
    store
        .add_user(
            &office,
            &NewUser {
                login: "qian.leader".into(),
                display_name: "钱副局长".into(),
                role: Role::Leader,
                division: None,
                phone: String::new(),
                password: Some("s3cret".into()),
            },
        )
        .unwrap();
    assert!(store.verify_password("qian.leader", "s3cret").unwrap());
    assert!(!store.verify_password("qian.leader", "wrong").unwrap());
    assert!(store.verify_password("li.zhe", "").unwrap());
    let contact = store.actor("li.zhe").unwrap();
    let metric = Metric {
        code: "news.video".into(),
        name: "视频解读".into(),
        unit: "个".into(),
        kind: ValueKind::Count,
        aggregation: Aggregation::Sum,
        period: Period::Monthly,
        owners: vec!["news".into()],
        words: vec![],
        sort_order: 99,
    };
    assert!(matches!(
        store.put_metrics(&contact, 2019, std::slice::from_ref(&metric)),
        Err(StoreError::PermissionDenied(_))
    ));
    store.put_metrics(&office, 2019, &[metric]).unwrap();
    assert!(
        store
            .metrics(2019)
            .unwrap()
            .iter()
            .any(|m| m.code == "news.video")
    );
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn assert_refused_untouched(path: &Path, expect: impl Fn(&StoreError) -> bool) {
    let before = file_bytes(path);
    let err = Store::open(path).err().expect("must be refused");
    assert!(expect(&err), "unexpected error: {err}");
    assert_eq!(file_bytes(path), before, "file changed");
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = format!("{}{suffix}", path.display());
        assert!(!Path::new(&side).exists(), "{side} created");
    }
}

#[test]
fn garbage_truncated_foreign_and_newer_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, "这不是数据库".repeat(500)).unwrap();
    assert_refused_untouched(&garbage, |e| matches!(e, StoreError::NotADatabase(_)));

    let demo_path = dir.path().join("demo.db");
    drop(nianbao::demo::create(&demo_path).unwrap());
    let bytes = file_bytes(&demo_path);
    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_refused_untouched(&truncated, |e| matches!(e, StoreError::Truncated { .. }));
    let odd = dir.path().join("odd.db");
    std::fs::write(&odd, &bytes[..bytes.len() / 2 + 100]).unwrap();
    assert_refused_untouched(&odd, |e| matches!(e, StoreError::Truncated { .. }));

    let foreign = dir.path().join("foreign.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    assert_refused_untouched(&foreign, |e| matches!(e, StoreError::NotOurs(_)));

    let newer = dir.path().join("newer.db");
    std::fs::copy(&demo_path, &newer).unwrap();
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    assert_refused_untouched(&newer, |e| {
        matches!(e, StoreError::NewerVersion { found: 99, .. })
            && e.to_string().contains("更新版本")
    });

    let missing = dir.path().join("missing.db");
    assert!(matches!(
        Store::open(&missing),
        Err(StoreError::NotFound(_))
    ));
    assert!(!missing.exists());
    assert!(matches!(
        Store::create(&garbage, "x"),
        Err(StoreError::AlreadyExists(_))
    ));
}

#[test]
fn the_setup_actor_and_leaders_cannot_bypass_roles() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo(dir.path());
    let leader: Actor = store.actor("huang.leader").unwrap();
    assert_eq!(leader.role, Role::Leader);
    assert!(matches!(
        store.actor("nobody"),
        Err(StoreError::UnknownUser(_))
    ));
}
