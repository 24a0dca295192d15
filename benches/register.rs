//! Tables 3 and 4 from the register (issue 15: well under 50 ms in release for 10,000
//! applications): the computation alone over records in memory, and the whole road from
//! the file (reading every application and appeal, then computing).
//!
//! Run: `cargo bench --bench register`.

use chrono::{Days, NaiveDate};
use nianbao::model::register::{
    Appeal, AppealKind, ApplicantType, Application, Channel, Outcome, ResultRow,
};
use nianbao::model::register_tables;
use nianbao::store::{Actor, Store};

const APPLICATIONS: usize = 10_000;
const YEAR: i32 = 2026;

fn main() {
    divan::main();
}

/// 10,000 applications over two years, every applicant type and result, a fifth still
/// open, one in twenty appealed.
fn register() -> (Vec<Application>, Vec<Appeal>) {
    let types: Vec<ApplicantType> = ApplicantType::all().collect();
    let results: Vec<ResultRow> = ResultRow::all().collect();
    let start = NaiveDate::from_ymd_opt(YEAR - 1, 1, 1).unwrap();
    let mut apps = Vec::with_capacity(APPLICATIONS);
    let mut appeals = Vec::new();
    for i in 0..APPLICATIONS {
        let received = start + Days::new((i % 700) as u64);
        let mut a = Application::received(
            &format!("{}-{i:05}", YEAR),
            received,
            Channel::Online,
            types[i % types.len()],
        );
        a.id = i as i64 + 1;
        if i % 5 != 0 {
            a.replied = Some(received + Days::new(15 + (i % 20) as u64));
            a.result = Some(results[i % results.len()]);
        }
        if i % 20 == 0 {
            appeals.push(Appeal {
                id: appeals.len() as i64 + 1,
                application_id: a.id,
                kind: AppealKind::ALL[i % 3],
                case_number: String::new(),
                filed: received + Days::new(30),
                outcome: Outcome::ALL[i % 3],
                decided: Some(received + Days::new(90)),
                notes: String::new(),
                withdrawn: None,
            });
        }
        apps.push(a);
    }
    (apps, appeals)
}

#[divan::bench]
fn tables_3_and_4_of_10000_applications(bencher: divan::Bencher) {
    let (apps, appeals) = register();
    bencher.bench_local(|| {
        let t = register_tables::compute(YEAR, &apps, &appeals);
        assert!(t.value("t3.new.total").unwrap() > 0);
        t
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn tables_3_and_4_from_the_file(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let (mut store, _) = Store::create_agency(&path, "基准测试局", YEAR).unwrap();
    let office = Actor::setup();
    let (apps, appeals) = register();
    let ids = store.add_applications(&office, &apps, "").unwrap();
    for a in &appeals {
        let a = Appeal {
            application_id: ids[(a.application_id - 1) as usize],
            ..a.clone()
        };
        store.add_appeal(&office, &a).unwrap();
    }
    bencher.bench_local(|| store.register_tables(YEAR).unwrap());
}
