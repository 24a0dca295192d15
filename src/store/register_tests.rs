//! The register in the store, on both engines: who may write and read what, the audit,
//! and the tables taking the place of the figures entered.

use super::*;
use crate::model::ValueKind;
use crate::model::calendar::YearCalendar;
use crate::store::scratch::Scratch;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn leader() -> Actor {
    Actor {
        login: "lingdao".into(),
        role: Role::Leader,
        division: None,
    }
}

fn contact() -> Actor {
    Actor {
        login: "zhang".into(),
        role: Role::Contact,
        division: Some(OFFICE.into()),
    }
}

fn file(db: &Scratch) -> Store {
    Store::create_agency(db.path(), "某局", 2026).unwrap().0
}

/// Each test's body run on SQLite and on PostgreSQL (as `tests/support/engines.rs` does
/// for the integration tests): `name::sqlite` and `name::postgres`.
macro_rules! on_both_engines {
    ($(fn $name:ident($db:ident: &Scratch) $body:block)*) => {$(
        mod $name {
            use super::*;

            fn body($db: &Scratch) $body

            #[test]
            fn sqlite() {
                body(&Scratch::new(Engine::Sqlite, "").expect("SQLite is always there"));
            }

            #[test]
            fn postgres() {
                if let Some(db) = Scratch::new(Engine::Postgres, module_path!()) {
                    body(&db);
                }
            }
        }
    )*};
}

fn application(number: &str, received: &str, name: &str) -> Application {
    let mut a = Application::received(number, d(received), Channel::Post, ApplicantType::NATURAL);
    a.applicant_name = Some(name.into());
    a.request = "2025年度部门预算".into();
    a
}

on_both_engines! {
    fn a_leader_or_a_contact_cannot_read_applicant_names_nor_write(db: &Scratch) {
        let mut store = file(db);
        let office = Actor::setup();
        let id = store
            .add_application(&office, &application("2026-001", "2026-03-02", "王小明"))
            .unwrap();
        for reader in [leader(), contact()] {
            let apps = store.applications(&reader).unwrap();
            assert_eq!(apps.len(), 1);
            assert_eq!(apps[0].applicant_name, None, "{reader:?}");
            assert_eq!(apps[0].number, "2026-001");
            let one = store.application(&reader, "2026-001").unwrap().unwrap();
            assert_eq!(one.applicant_name, None);
            let err = store
                .add_application(&reader, &application("2026-002", "2026-03-02", "李四"))
                .unwrap_err();
            assert!(matches!(err, StoreError::PermissionDenied(_)), "{err:?}");
            let err = store.withdraw_application(&reader, id, "误登").unwrap_err();
            assert!(matches!(err, StoreError::PermissionDenied(_)), "{err:?}");
        }
        let apps = store.applications(&office).unwrap();
        assert_eq!(apps[0].applicant_name.as_deref(), Some("王小明"));
        // Nor through the log, which everyone may read.
        let log = store.audit_log(&AuditFilter::default()).unwrap();
        assert!(
            log.iter()
                .any(|e| e.entity == "application" && e.key == "2026-001")
        );
        assert!(
            log.iter().all(|e| !format!("{e:?}").contains("王小明")),
            "{log:?}"
        );
        assert_eq!(
            store.applications(&office).unwrap().len(),
            1,
            "refused writes left nothing"
        );
    }
}

on_both_engines! {
    fn changes_are_audited_and_nothing_is_deleted(db: &Scratch) {
        let mut store = file(db);
        let office = Actor::setup();
        let id = store
            .add_application(&office, &application("2026-001", "2026-03-02", "王小明"))
            .unwrap();
        let mut app = store.application(&office, "2026-001").unwrap().unwrap();
        app.applicant_name = Some("王晓明".into());
        app.replied = Some(d("2026-03-20"));
        app.result = Some(ResultRow::parse("open").unwrap());
        store.update_application(&office, &app).unwrap();
        let log = store.audit_log(&AuditFilter::default()).unwrap();
        let update = log.iter().find(|e| e.action == "update").unwrap();
        assert!(
            update
                .new
                .as_deref()
                .unwrap()
                .contains("\"applicant_name_changed\":true")
        );
        assert!(
            update
                .new
                .as_deref()
                .unwrap()
                .contains("\"replied\":\"2026-03-20\"")
        );
        assert!(!format!("{update:?}").contains("晓明"));
        // A reply before the receipt is refused, naming the dates, and changes nothing.
        app.replied = Some(d("2026-03-01"));
        let err = store.update_application(&office, &app).unwrap_err();
        assert!(
            err.to_string()
                .contains("答复日期（2026-03-01）早于收到申请日期"),
            "{err}"
        );
        assert_eq!(
            store
                .application(&office, "2026-001")
                .unwrap()
                .unwrap()
                .replied,
            Some(d("2026-03-20"))
        );
        store.withdraw_application(&office, id, "  ").unwrap_err();
        store.withdraw_application(&office, id, "重复登记").unwrap();
        let withdrawn = store.application(&office, "2026-001").unwrap().unwrap();
        assert_eq!(withdrawn.withdrawn.as_deref(), Some("重复登记"));
        let log = store.audit_log(&AuditFilter::default()).unwrap();
        assert_eq!(log[0].action, "withdraw");
        assert_eq!(log[0].reason, "重复登记");
        // An import is all or nothing: a duplicate number rolls back the whole batch.
        let batch = [
            application("2026-002", "2026-03-03", "甲"),
            application("2026-001", "2026-03-04", "乙"),
        ];
        let err = store
            .add_applications(&office, &batch, "台账.xlsx")
            .unwrap_err();
        assert!(
            err.to_string().contains("申请编号已存在：2026-001"),
            "{err}"
        );
        assert_eq!(store.applications(&office).unwrap().len(), 1);
    }
}

on_both_engines! {
    fn a_register_year_takes_tables_3_and_4_from_the_register_and_keeps_the_entered_figures(db: &Scratch) {
        let mut store = file(db);
        let office = Actor::setup();
        let entered = |code: &str, v: i64| ValueWrite {
            year: 2026,
            month: 0,
            division: OFFICE.into(),
            metric: code.into(),
            value: Some(Decimal::from(v)),
            note: String::new(),
            seen: None,
        };
        store
            .set_value(&office, &entered("t3.new.natural", 5))
            .unwrap();
        store
            .set_value(&office, &entered("t3.new.total", 5))
            .unwrap();
        let mut replied = application("2026-001", "2026-01-05", "甲");
        replied.replied = Some(d("2026-01-20"));
        replied.result = Some(ResultRow::parse("other.other").unwrap());
        let mut business = application("2026-002", "2026-06-01", "某公司");
        business.applicant_type = ApplicantType::parse("商业企业").unwrap();
        let ids = store
            .add_applications(&office, &[replied, business], "")
            .unwrap();
        let review = Appeal {
            id: 0,
            application_id: ids[0],
            kind: AppealKind::Review,
            case_number: "复2026-1".into(),
            filed: d("2026-03-01"),
            outcome: Outcome::Pending,
            decided: None,
            notes: String::new(),
            withdrawn: None,
        };
        store.add_appeal(&office, &review).unwrap();

        let diffs = store.register_differences(2026).unwrap();
        let natural = diffs.iter().find(|d| d.metric == "t3.new.natural").unwrap();
        assert_eq!(
            (natural.entered, natural.register),
            (Some(Decimal::from(5)), 1)
        );
        assert!(
            diffs
                .iter()
                .any(|d| d.metric == "t3.new.business" && d.entered.is_none())
        );
        // Before switching, the year's data still has the figures entered.
        let figure = |store: &Store, code: &str| {
            let data = store.year_data(2026).unwrap();
            data.values(2026, code)
                .iter()
                .map(|v| v.value)
                .collect::<Vec<_>>()
        };
        assert_eq!(figure(&store, "t3.new.natural"), [Some(Decimal::from(5))]);
        store
            .set_table_source(&leader(), 2026, TableSource::Register)
            .unwrap_err();
        store
            .set_table_source(&office, 2026, TableSource::Register)
            .unwrap();
        assert_eq!(store.table_source(2026).unwrap(), TableSource::Register);
        assert_eq!(figure(&store, "t3.new.natural"), [Some(Decimal::from(1))]);
        assert_eq!(figure(&store, "t3.new.total"), [Some(Decimal::from(2))]);
        assert_eq!(
            figure(&store, "t3.other.other.natural"),
            [Some(Decimal::from(1))]
        );
        assert_eq!(
            figure(&store, "t3.carried_out.business"),
            [Some(Decimal::from(1))]
        );
        assert_eq!(figure(&store, "t3.open.legal"), [Some(Decimal::ZERO)]);
        assert_eq!(
            figure(&store, "t4.review.pending"),
            [Some(Decimal::from(1))]
        );
        let data = store.year_data(2026).unwrap();
        let source = store.metric_values(2026, "t3.new.total").unwrap();
        let shown: Vec<_> = source
            .iter()
            .map(|v| (v.month, v.value, &*v.updated_by))
            .collect();
        assert_eq!(shown, [(0, Some(Decimal::from(2)), REGISTER_AUTHOR)]);
        assert!(data.metric("t3.new.total").unwrap().kind == ValueKind::Count);
        // A figure typed for a register year is refused, not set aside unseen.
        let err = store
            .set_value(&office, &entered("t3.open.total", 1))
            .unwrap_err();
        assert!(err.to_string().contains("取自依申请台账"), "{err}");
        // Back to the figures entered: they were never touched.
        store
            .set_table_source(&office, 2026, TableSource::Entered)
            .unwrap();
        assert_eq!(figure(&store, "t3.new.natural"), [Some(Decimal::from(5))]);
        let log = store.audit_log(&AuditFilter::default()).unwrap();
        assert!(
            log.iter()
                .any(|e| e.key == "t3_source.2026" && e.new.as_deref() == Some("register"))
        );
    }
}

on_both_engines! {
    fn the_office_adds_next_years_holiday_notice(db: &Scratch) {
        let mut store = file(db);
        let monday = d("2027-01-04");
        assert!(store.calendar().unwrap().is_working_day(monday).is_err());
        let notice = YearCalendar::parse(
            r#"{"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
                "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}],
                "workdays": []}"#,
        )
        .unwrap();
        store.set_calendar_year(&leader(), &notice).unwrap_err();
        store.set_calendar_year(&Actor::setup(), &notice).unwrap();
        let cal = store.calendar().unwrap();
        assert!(!cal.is_working_day(monday).unwrap());
        assert!(cal.is_working_day(d("2027-01-05")).unwrap());
        assert!(
            cal.is_working_day(d("2026-03-02")).unwrap(),
            "the shipped years stay"
        );
    }
}
