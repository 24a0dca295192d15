//! Store tests: permissions, statuses, exact values and the demo's year totals against
//! the seed's figures, each run on SQLite and on PostgreSQL (`on_both_engines!`); and, on
//! files only, refusing bad files untouched and upgrading released ones.

#[macro_use]
#[path = "support/engines.rs"]
mod engines;

use std::path::Path;

use engines::Scratch;

use nianbao::model::{Aggregation, Division, Metric, MonthStatus, Period, Role, ValueKind};
use nianbao::store::{
    Actor, AuditFilter, NewUser, OpenedYear, Store, StoreError, UserProfile, ValueWrite,
};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn demo(db: &Scratch) -> Store {
    nianbao::demo::create(db.path()).unwrap()
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
        seen: None,
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

on_both_engines! {
    fn demo_year_totals_are_the_seed_figures(db: &Scratch) {
        drop(demo(db));
        let store = Store::open(db.path()).unwrap();
        let values = store.stored_values(2019..=2019, None, None).unwrap();
        for (code, figure, up_to) in SEED_FIGURES {
            let total: Decimal = values
                .iter()
                .filter(|v| *v.metric == **code && v.month <= *up_to)
                .map(|v| v.value.unwrap())
                .sum();
            assert_eq!(total, figure.parse::<Decimal>().unwrap(), "{code}");
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
}

// A year read holds the values; who entered each, when and its note come per metric
// (what a figure's 数据来源 shows), and agree with it value for value.
on_both_engines! {
    fn a_metrics_values_come_with_their_note_user_and_time(db: &Scratch) {
        let mut store = demo(db);
        let office = store.actor("liu.office").unwrap();
        store
            .unlock_month(&office, 2019, 12, "office", "测试")
            .unwrap();
        let mut w = write(2019, 0, "office", "t2.fees.amount", "24252.311082");
        w.note = "含退费".into();
        store.set_value(&office, &w).unwrap();
        let data = store.year_data(2019).unwrap();
        for (year, metric) in [(2019, "t2.fees.amount"), (2019, "food.fines"), (2018, "food.fines")] {
            let read: Vec<_> = data
                .values(year, metric)
                .iter()
                .map(|v| (v.division.to_string(), v.month, v.value))
                .collect();
            let traced = store.metric_values(year, metric).unwrap();
            let mut shown: Vec<_> = traced
                .iter()
                .map(|v| (v.division.to_string(), v.month, v.value))
                .collect();
            shown.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            assert!(!read.is_empty(), "{year} {metric}");
            assert_eq!(read, shown, "{year} {metric}");
            assert!(traced.iter().all(|v| !v.updated_by.is_empty() && !v.updated_at.is_empty()));
        }
        let fees = store.metric_values(2019, "t2.fees.amount").unwrap();
        let fee = fees.iter().find(|v| v.month == 0 && &*v.division == "office").unwrap();
        assert_eq!((&*fee.updated_by, fee.note.as_str()), ("liu.office", "含退费"));
        assert_eq!(fee.value, Some(d("24252.311082")));
        assert!(store.metric_values(2019, "no.such.metric").unwrap().is_empty());
    }
}

on_both_engines! {
    fn amounts_come_back_exactly(db: &Scratch) {
        let mut store = demo(db);
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
}

on_both_engines! {
    fn contacts_write_only_their_own_open_months(db: &Scratch) {
        let mut store = demo(db);
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
}

on_both_engines! {
    fn every_value_change_is_audited_with_old_and_new(db: &Scratch) {
        let mut store = demo(db);
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
}

on_both_engines! {
    fn a_failed_batch_writes_nothing(db: &Scratch) {
        let mut store = demo(db);
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
}

on_both_engines! {
    fn opening_a_year_copies_the_catalogue_once(db: &Scratch) {
        let mut store = demo(db);
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
}

on_both_engines! {
    fn changing_decimal_places_rescales_or_refuses(db: &Scratch) {
        let mut store = demo(db);
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
}

on_both_engines! {
    fn users_passwords_and_catalogue_edits(db: &Scratch) {
        let mut store = demo(db);
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

on_both_engines! {
    fn the_setup_actor_and_leaders_cannot_bypass_roles(db: &Scratch) {
        let store = demo(db);
        let leader: Actor = store.actor("huang.leader").unwrap();
        assert_eq!(leader.role, Role::Leader);
        assert!(matches!(
            store.actor("nobody"),
            Err(StoreError::UnknownUser(_))
        ));
    }
}

/// The number of audit rows: every accepted edit adds exactly one, a refused one none.
fn audit_rows(store: &Store) -> usize {
    store.audit_log(&AuditFilter::default()).unwrap().len()
}

fn metric_of(store: &Store, year: i32, code: &str) -> Metric {
    store
        .metrics(year)
        .unwrap()
        .into_iter()
        .find(|m| m.code == code)
        .unwrap()
}

on_both_engines! {
    fn divisions_are_added_and_renamed_by_the_office_only(db: &Scratch) {
        let mut store = demo(db);
        let office = store.actor("liu.office").unwrap();
        let contact = store.actor("zheng.hao").unwrap();
        let audit = audit_rows(&store);
        let archives = Division {
            code: "archives".into(),
            name: "档案处".into(),
            sort_order: 20,
        };
        assert!(matches!(
            store.add_division(&contact, &archives),
            Err(StoreError::PermissionDenied(_))
        ));
        store.add_division(&office, &archives).unwrap();
        assert_eq!(audit_rows(&store), audit + 1);

        // A taken code is refused, not treated as a rename; a taken name too.
        let before = store.divisions().unwrap();
        let clash = Division {
            code: "credit".into(),
            name: "新处室".into(),
            sort_order: 21,
        };
        let e = store.add_division(&office, &clash).unwrap_err();
        assert!(e.to_string().contains("已存在"), "{e}");
        let e = store
            .add_division(
                &office,
                &Division {
                    code: "archives2".into(),
                    name: "档案处".into(),
                    sort_order: 22,
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("重复"), "{e}");
        assert!(
            store
                .add_division(
                    &office,
                    &Division {
                        code: "档案".into(),
                        ..archives.clone()
                    }
                )
                .is_err()
        );
        assert_eq!(store.divisions().unwrap(), before);
        assert_eq!(audit_rows(&store), audit + 1);

        // Rename keeps the code; renaming an unknown code is refused.
        let renamed = Division {
            name: "档案管理处".into(),
            ..archives.clone()
        };
        store.rename_division(&office, &renamed).unwrap();
        assert!(store.divisions().unwrap().contains(&renamed));
        let log = store
            .audit_log(&AuditFilter {
                entity: Some("division".into()),
                key_prefix: Some("archives".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log[0].old.as_deref(), Some("档案处"));
        assert_eq!(log[0].new.as_deref(), Some("档案管理处"));
        assert!(matches!(
            store.rename_division(
                &office,
                &Division {
                    code: "nowhere".into(),
                    ..renamed
                }
            ),
            Err(StoreError::UnknownDivision(_))
        ));
    }
}

on_both_engines! {
    fn users_are_edited_given_passwords_and_deactivated(db: &Scratch) {
        let mut store = demo(db);
        let office = store.actor("liu.office").unwrap();
        let contact = store.actor("zheng.hao").unwrap();
        let new = NewUser {
            login: "qian.credit".into(),
            display_name: "钱多".into(),
            role: Role::Contact,
            division: Some("credit".into()),
            phone: "0551-1".into(),
            password: None,
        };
        assert!(matches!(
            store.add_user(&contact, &new),
            Err(StoreError::PermissionDenied(_))
        ));
        store.add_user(&office, &new).unwrap();
        let e = store.add_user(&office, &new).unwrap_err();
        assert!(e.to_string().contains("已存在"), "{e}");
        let audit = audit_rows(&store);

        // Profile: name, division, phone; a contact needs a division; contacts cannot edit.
        let mut profile = UserProfile {
            display_name: "钱多多".into(),
            role: Role::Contact,
            division: Some("news".into()),
            phone: "0551-2".into(),
        };
        assert!(matches!(
            store.update_user(&contact, "qian.credit", &profile),
            Err(StoreError::PermissionDenied(_))
        ));
        store.update_user(&office, "qian.credit", &profile).unwrap();
        let user = |store: &Store| {
            store
                .users()
                .unwrap()
                .into_iter()
                .find(|u| u.login == "qian.credit")
                .unwrap()
        };
        assert_eq!(user(&store).display_name, "钱多多");
        assert_eq!(user(&store).division.as_deref(), Some("news"));
        assert_eq!(
            store.actor("qian.credit").unwrap().division.as_deref(),
            Some("news")
        );
        profile.division = None;
        assert!(store.update_user(&office, "qian.credit", &profile).is_err());
        profile.division = Some("nowhere".into());
        assert!(store.update_user(&office, "qian.credit", &profile).is_err());
        assert_eq!(user(&store).division.as_deref(), Some("news"));
        assert_eq!(audit_rows(&store), audit + 1);

        // Passwords: set by the office or the user, never logged in clear or as a hash.
        store
            .set_password(&office, "qian.credit", Some("初始密码1"))
            .unwrap();
        assert!(user(&store).has_password);
        assert!(store.verify_password("qian.credit", "初始密码1").unwrap());
        assert!(!store.verify_password("qian.credit", "").unwrap());
        let qian = store.actor("qian.credit").unwrap();
        store
            .set_password(&qian, "qian.credit", Some("mine"))
            .unwrap();
        assert!(store.verify_password("qian.credit", "mine").unwrap());
        assert!(matches!(
            store.set_password(&qian, "zheng.hao", Some("x")),
            Err(StoreError::PermissionDenied(_))
        ));
        let log = store
            .audit_log(&AuditFilter {
                key_prefix: Some("qian.credit".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(log.iter().all(|e| {
            let text = format!("{:?}{:?}", e.old, e.new);
            !text.contains("mine") && !text.contains("argon2")
        }));
        store.set_password(&office, "qian.credit", None).unwrap();
        assert!(store.verify_password("qian.credit", "anything").unwrap());

        // Deactivated: listed (the log names them) but cannot sign in or act.
        store
            .set_user_active(&office, "qian.credit", false)
            .unwrap();
        assert!(!user(&store).active);
        assert!(matches!(
            store.actor("qian.credit"),
            Err(StoreError::Inactive(_))
        ));
        assert!(matches!(
            store.verify_password("qian.credit", ""),
            Err(StoreError::Inactive(_))
        ));
        store.set_user_active(&office, "qian.credit", true).unwrap();
        assert!(store.actor("qian.credit").is_ok());
    }
}

on_both_engines! {
    fn the_last_office_user_stays(db: &Scratch) {
        let mut store = demo(db);
        let office = store.actor("liu.office").unwrap();
        assert!(store.set_user_active(&office, "liu.office", false).is_err());
        // The demo has two office users: one may go, then the other must stay.
        store.set_user_active(&office, "wang.jing", false).unwrap();
        let audit = audit_rows(&store);
        let demote = UserProfile {
            display_name: "刘芳".into(),
            role: Role::Leader,
            division: None,
            phone: String::new(),
        };
        // Nobody changes their own role (their session would keep the old one)…
        let e = store
            .update_user(&office, "liu.office", &demote)
            .unwrap_err();
        assert!(e.to_string().contains("自己的角色"), "{e}");
        // …and nobody demotes the last active office user.
        let e = store
            .update_user(&Actor::setup(), "liu.office", &demote)
            .unwrap_err();
        assert!(e.to_string().contains("唯一的办公室用户"), "{e}");
        assert_eq!(store.actor("liu.office").unwrap().role, Role::Office);
        assert_eq!(audit_rows(&store), audit);
    }
}

on_both_engines! {
    fn catalogue_edits_keep_every_stored_value_or_change_nothing(db: &Scratch) {
        let mut store = demo(db);
        let office = store.actor("liu.office").unwrap();
        let contact = store.actor("zheng.hao").unwrap();

        // A new metric; the same code again is refused.
        let video = Metric {
            code: "news.video".into(),
            name: "视频解读".into(),
            unit: "个".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["news".into()],
            words: vec!["视频解读".into()],
            sort_order: 99,
        };
        assert!(matches!(
            store.add_metric(&contact, 2019, &video),
            Err(StoreError::PermissionDenied(_))
        ));
        store.add_metric(&office, 2019, &video).unwrap();
        assert_eq!(metric_of(&store, 2019, "news.video"), video);
        let e = store
            .add_metric(
                &office,
                2019,
                &Metric {
                    name: "另一个".into(),
                    ..video.clone()
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("已有指标代码 news.video"), "{e}");
        assert_eq!(metric_of(&store, 2019, "news.video").name, "视频解读");

        let catalogue = store.metrics(2019).unwrap();
        let values = store.stored_values(2019..=2019, None, None).unwrap();
        let audit = audit_rows(&store);
        let unchanged = |store: &Store| {
            assert_eq!(store.metrics(2019).unwrap(), catalogue);
            assert_eq!(
                store.stored_values(2019..=2019, None, None).unwrap(),
                values
            );
            assert_eq!(audit_rows(store), audit);
        };
        let fines = metric_of(&store, 2019, "food.fines");
        let owner = fines.owners[0].clone();
        let refused = |store: &mut Store, m: Metric, needle: &str| {
            let e = store.put_metrics(&office, 2019, &[m]).unwrap_err();
            assert!(e.to_string().contains(needle), "{e}");
        };
        // Fewer places than the stored values have (2354.48 has two).
        refused(
            &mut store,
            Metric {
                kind: ValueKind::Amount { places: 1 },
                ..fines.clone()
            },
            "不能减少小数位数",
        );
        unchanged(&store);
        // Monthly → yearly while monthly values exist.
        refused(
            &mut store,
            Metric {
                period: Period::Yearly,
                ..fines.clone()
            },
            "不能改为按年填报",
        );
        unchanged(&store);
        // Dropping the owner that entered the values.
        refused(
            &mut store,
            Metric {
                owners: vec!["news".into()],
                ..fines.clone()
            },
            &format!("处室 {owner} 已填报"),
        );
        unchanged(&store);
        // More places, then back: exact both ways.
        let total = |store: &Store| -> Decimal {
            store
                .stored_values(2019..=2019, None, Some("food.fines"))
                .unwrap()
                .iter()
                .filter_map(|v| v.value)
                .sum()
        };
        for places in [6, 2] {
            store
                .put_metrics(
                    &office,
                    2019,
                    &[Metric {
                        kind: ValueKind::Amount { places },
                        ..fines.clone()
                    }],
                )
                .unwrap();
            assert_eq!(total(&store).to_string(), "2354.48");
        }

        // So many places that a stored value would no longer fit the scaled integer (SQLite
        // would silently turn it into a float).
        store
            .set_value(
                &office,
                &write(2019, 12, "news", "news.video", "20000000000"),
            )
            .unwrap();
        refused(
            &mut store,
            Metric {
                kind: ValueKind::Amount { places: 9 },
                ..video
            },
            "过大",
        );
        assert_eq!(
            store.value(2019, 12, "news", "news.video").unwrap(),
            Some(Some(d("20000000000")))
        );
    }
}

/// The demo file as each released schema version wrote it: `nianbao demo` built from the
/// last commit of that version (v1: 2e10e5c; v2: 0bca6c9, the commit before 9b58000
/// brought v3). A new schema version adds the file of the one before it here.
const RELEASED: &[(i32, &str)] = &[(1, "demo-v1.db"), (2, "demo-v2.db"), (3, "demo-v3.db")];

fn fixture_copy(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::copy(&fixture, &path).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    path
}

fn user_version(path: &Path) -> i32 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// Tables, indexes and triggers as SQLite keeps their definitions.
fn schema(path: &Path) -> Vec<(String, Option<String>)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT name, sql FROM sqlite_master ORDER BY name")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every row of every table of `path`, by table; `columns` (per table) limits the columns
/// read, else all are.
type Rows = Vec<Vec<rusqlite::types::Value>>;
fn table_rows(
    path: &Path,
    columns: Option<&std::collections::BTreeMap<String, Vec<String>>>,
) -> std::collections::BTreeMap<String, (Vec<String>, Rows)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = std::collections::BTreeMap::new();
    for table in tables {
        let names: Vec<String> = match columns {
            Some(old) => match old.get(&table) {
                Some(names) => names.clone(),
                None => continue,
            },
            None => c
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .unwrap()
                .column_names()
                .map(String::from)
                .collect(),
        };
        let list = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>();
        // By every column: some tables have no rowid.
        let order: Vec<String> = (1..=names.len()).map(|i| i.to_string()).collect();
        let sql = format!(
            "SELECT {} FROM \"{table}\" ORDER BY {}",
            list.join(", "),
            order.join(", ")
        );
        let rows = c
            .prepare(&sql)
            .unwrap()
            .query_map([], |r| (0..names.len()).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.insert(table, (names, rows));
    }
    out
}

/// What the office sees of a file: divisions, users, the 2019 catalogue and every stored
/// value of 2018 and 2019 (who entered it and when aside: the fixtures were made on other
/// days; and the words prose uses for a metric, refined since: a file keeps its own).
fn as_the_office_sees_it(store: &Store) -> impl PartialEq + std::fmt::Debug {
    let metrics: Vec<_> = store
        .metrics(2019)
        .unwrap()
        .into_iter()
        .map(|m| (m.code, m.name, m.unit, m.kind, m.period))
        .collect();
    let mut values: Vec<_> = store
        .stored_values(2018..=2019, None, None)
        .unwrap()
        .into_iter()
        .map(|v| (v.year, v.month, v.division, v.metric, v.value, v.note))
        .collect();
    values.sort();
    (
        store.divisions().unwrap(),
        store.users().unwrap(),
        metrics,
        values,
    )
}

#[test]
fn released_files_of_every_older_version_upgrade_to_the_new_schema_and_keep_their_data() {
    assert_eq!(
        RELEASED.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        (1..nianbao::store::SCHEMA_VERSION).collect::<Vec<_>>(),
        "one fixture per released schema version"
    );
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("new.db");
    drop(Store::create(&fresh, "新机关").unwrap());
    let scratch = Scratch::new(engines::Engine::Sqlite, "").unwrap();
    let today = demo(&scratch);
    for (version, name) in RELEASED {
        let old = fixture_copy(dir.path(), name);
        assert_eq!(
            user_version(&old),
            *version,
            "{name} is of version {version}"
        );
        let before = table_rows(&old, None);
        let store = Store::open(&old).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            as_the_office_sees_it(&store),
            as_the_office_sees_it(&today),
            "{name}: the demo's data, as a demo made today has them"
        );
        assert!(store.users().unwrap().iter().all(|u| u.active), "{name}");
        assert!(
            store.actor("zheng.hao").is_ok(),
            "{name}: a contact signs in"
        );
        drop(store);
        // Every row of every old table is still there, column for column.
        let columns = before
            .iter()
            .map(|(t, (names, _))| (t.clone(), names.clone()))
            .collect();
        assert_eq!(
            table_rows(&old, Some(&columns)),
            before,
            "{name}: rows lost"
        );
        assert_eq!(
            schema(&old),
            schema(&fresh),
            "{name}: schema after the upgrade"
        );
        assert_eq!(user_version(&old), nianbao::store::SCHEMA_VERSION, "{name}");
        // Opening it again is not another upgrade.
        Store::open(&old).unwrap().integrity_check().unwrap();
        assert_eq!(schema(&old), schema(&fresh), "{name}: opened again");
    }
    assert_eq!(user_version(&fresh), nianbao::store::SCHEMA_VERSION);
}

// A bulk write (hundreds of rows, as an import) reads the stored cells of its divisions
// at once; it must count and log exactly as row-by-row writes do, a cell written twice
// in one batch included.
on_both_engines! {
    fn a_bulk_write_counts_and_logs_every_row_as_single_writes_do(db: &Scratch) {
        let mut store = demo(db);
        let office = store.actor("liu.office").unwrap();
        store.open_year(&office, 2020).unwrap();
        // Last year's values, written into the new (open) year: every row is new.
        let writes: Vec<ValueWrite> = store
            .stored_values(2019..=2019, None, None)
            .unwrap()
            .into_iter()
            .filter(|v| v.value.is_some())
            .map(|v| ValueWrite {
                year: 2020,
                month: v.month,
                division: v.division.to_string(),
                metric: v.metric.to_string(),
                value: v.value,
                note: String::new(),
                seen: None,
            })
            .collect();
        assert!(writes.len() >= 300, "{} values", writes.len());
        let before = audit_rows(&store);
        let summary = store.write_values(&office, &writes, |_, _| {}).unwrap();
        assert_eq!(
            (summary.inserted, summary.changed, summary.unchanged),
            (writes.len(), 0, 0)
        );
        assert_eq!(audit_rows(&store), before + writes.len());
        // Again, every other row changed, and the first cell written twice: its second
        // write sees the first one's value as the old one.
        let mut again = writes.clone();
        for w in again.iter_mut().skip(1).step_by(2) {
            w.value = w.value.map(|v| v + Decimal::ONE);
        }
        let first = writes[0].clone();
        let (one, two) = (first.value.unwrap() + d("5"), first.value.unwrap() + d("7"));
        again[0].value = Some(one);
        let mut twice = first.clone();
        twice.value = Some(two);
        again.push(twice);
        let changed = again.len().div_ceil(2) + 1;
        let before = audit_rows(&store);
        let summary = store.write_values(&office, &again, |_, _| {}).unwrap();
        assert_eq!(
            (summary.inserted, summary.changed, summary.unchanged),
            (0, changed, writes.len() - changed + 1)
        );
        assert_eq!(audit_rows(&store), before + changed);
        assert_eq!(
            store
                .value(2020, first.month, &first.division, &first.metric)
                .unwrap(),
            Some(Some(two))
        );
        let log = store
            .audit_log(&AuditFilter {
                entity: Some("value".into()),
                key_prefix: Some(format!(
                    "2020/{:02}/{}/{}",
                    first.month, first.division, first.metric
                )),
                ..AuditFilter::default()
            })
            .unwrap();
        let trail: Vec<_> = log
            .iter()
            .rev()
            .map(|e| (e.old.clone(), e.new.clone()))
            .collect();
        let text = |v: Decimal| Some(v.to_string());
        assert_eq!(
            trail,
            [
                (None, text(first.value.unwrap())),
                (text(first.value.unwrap()), text(one)),
                (text(one), text(two)),
            ]
        );
    }
}

// Two office users change the same cell from two desktops: the second, who opened the
// cell before the first saved, is told the current value, and nothing is overwritten.
on_both_engines! {
    fn the_second_of_two_changes_to_one_cell_is_told_and_nothing_is_lost(db: &Scratch) {
        let mut first = demo(db);
        let mut second = Store::open(db.path()).unwrap();
        let office = first.actor("liu.office").unwrap();
        let cell = |value: &str, seen: Option<&str>| ValueWrite {
            seen: Some(seen.map(d)),
            ..write(2019, 12, "credit", "credit.interceptions", value)
        };
        let opened = first
            .value(2019, 12, "credit", "credit.interceptions")
            .unwrap()
            .unwrap()
            .unwrap()
            .to_string();
        first
            .set_value(&office, &cell("1001", Some(&opened)))
            .unwrap();
        let before = audit_rows(&second);
        let err = second
            .set_value(&office, &cell("1002", Some(&opened)))
            .expect_err("refused");
        assert!(
            matches!(&err, StoreError::Conflict { current, .. } if *current == Some(d("1001"))),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("刚被他人修改"), "{message}");
        assert!(message.contains("liu.office 于"), "{message}");
        assert!(message.contains("改为 1001"), "{message}");
        assert!(message.contains(&format!("您打开时是 {opened}")), "{message}");
        assert!(message.contains("您填写的 1002 未保存"), "{message}");
        assert_eq!(audit_rows(&second), before);
        assert_eq!(
            second
                .value(2019, 12, "credit", "credit.interceptions")
                .unwrap(),
            Some(Some(d("1001")))
        );
        // Having seen the current value, the second user's change is saved.
        second
            .set_value(&office, &cell("1002", Some("1001")))
            .unwrap();
        assert_eq!(
            first
                .value(2019, 12, "credit", "credit.interceptions")
                .unwrap(),
            Some(Some(d("1002")))
        );
    }
}
