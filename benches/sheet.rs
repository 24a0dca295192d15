//! Collection workbooks (issue 14: each well under 2 s in release): making the workbooks
//! of 40 divisions × 200 metrics × 12 months, and importing the 40 returns, every value
//! new, each workbook its own transaction.
//!
//! Run: `cargo bench --bench sheet`.

use std::path::{Path, PathBuf};

use nianbao::model::{Aggregation, Division, Metric, Period, Role, ValueKind};
use nianbao::store::{Actor, NewUser, Store, ValueWrite};

const YEAR: i32 = 2026;
const DIVISIONS: usize = 40;
const METRICS: usize = 200;

fn main() {
    divan::main();
}

struct Fixture {
    _dir: tempfile::TempDir,
    /// A file with the catalogue and contacts and no values.
    empty: PathBuf,
    /// Workbooks made from a copy holding every value: the returns to import.
    returns: PathBuf,
}

fn months() -> Vec<u8> {
    (1..=12).collect()
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    let (mut store, _) = Store::create_agency(&empty, "基准测试局", YEAR).unwrap();
    let office = store.default_office_actor().unwrap();
    let mut metrics = Vec::new();
    for d in 0..DIVISIONS {
        let code = format!("d{d:02}");
        let division = Division {
            code: code.clone(),
            name: format!("第{d}处"),
            sort_order: d as i64 + 10,
        };
        store.put_division(&office, &division).unwrap();
        let user = NewUser {
            login: format!("contact{d:02}"),
            display_name: format!("填报员{d}"),
            role: Role::Contact,
            division: Some(code.clone()),
            phone: String::new(),
            password: None,
        };
        store.add_user(&office, &user).unwrap();
        for m in 0..METRICS {
            metrics.push(Metric {
                code: format!("{code}.m{m:03}"),
                name: format!("第{d}处指标{m}"),
                unit: if m % 2 == 0 {
                    "条".into()
                } else {
                    "万元".into()
                },
                kind: if m % 2 == 0 {
                    ValueKind::Count
                } else {
                    ValueKind::Amount { places: 2 }
                },
                aggregation: Aggregation::Sum,
                period: Period::Monthly,
                owners: vec![code.clone()],
                words: vec![],
                sort_order: (d * METRICS + m) as i64 + 10_000,
            });
        }
    }
    store.put_metrics(&office, YEAR, &metrics).unwrap();
    drop(store);
    let full = dir.path().join("full.db");
    std::fs::copy(&empty, &full).unwrap();
    let mut store = Store::open(&full).unwrap();
    let writes: Vec<ValueWrite> = metrics
        .iter()
        .flat_map(|m| {
            months().into_iter().map(|month| ValueWrite {
                year: YEAR,
                month,
                division: m.owners[0].clone(),
                metric: m.code.clone(),
                value: Some(rust_decimal::Decimal::new(
                    month as i64 * 1234 + 5,
                    if m.kind == ValueKind::Count { 0 } else { 2 },
                )),
                note: String::new(),
                seen: None,
            })
        })
        .collect();
    store
        .write_values(&Actor::setup(), &writes, |_, _| {})
        .unwrap();
    let returns = dir.path().join("returns");
    let files = nianbao::sheet::make_sheets(
        &store,
        &office,
        YEAR,
        &[],
        &months(),
        &returns,
        |_, _, _| {},
    )
    .unwrap();
    // The office's own (national) workbook is not part of the 40.
    std::fs::remove_file(returns.join(nianbao::sheet::file_name(YEAR, "办公室"))).unwrap();
    assert_eq!(files.len(), DIVISIONS + 1);
    Fixture {
        _dir: dir,
        empty,
        returns,
    }
}

fn fresh_copy(template: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    std::fs::copy(template, &path).unwrap();
    (dir, path)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn make_40_workbooks(bencher: divan::Bencher) {
    let fx = fixture();
    let full = fx.returns.parent().unwrap().join("full.db");
    let store = Store::open(&full).unwrap();
    let office = store.default_office_actor().unwrap();
    bencher.bench_local(|| {
        let out = tempfile::tempdir().unwrap();
        let files = nianbao::sheet::make_sheets(
            &store,
            &office,
            YEAR,
            &[],
            &months(),
            out.path(),
            |_, _, _| {},
        )
        .unwrap();
        assert_eq!(files.len(), DIVISIONS + 1);
        out
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_40_returns(bencher: divan::Bencher) {
    let fx = fixture();
    bencher
        .with_inputs(|| fresh_copy(&fx.empty))
        .bench_local_values(|(dir, path)| {
            let mut store = Store::open(&path).unwrap();
            let office = store.default_office_actor().unwrap();
            let report = nianbao::sheet::import_returns(
                &mut store,
                &office,
                YEAR,
                std::slice::from_ref(&fx.returns),
                false,
            )
            .unwrap();
            assert_eq!(report.refused(), 0, "{}", report.summary());
            assert_eq!(report.returns.len(), DIVISIONS);
            drop(store);
            dir
        });
}
