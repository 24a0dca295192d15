//! Import of a 100,000-row CSV (issue #3: under 3 s in release), all in one transaction,
//! into a file whose catalogue has 8,334 monthly metrics owned by the office.
//!
//! Run: `cargo bench --bench import`.

use std::io::Write;
use std::path::{Path, PathBuf};

use nianbao::model::{Aggregation, Metric, Period, ValueKind};
use nianbao::store::{Actor, Store};

const ROWS: usize = 100_000;

fn main() {
    divan::main();
}

struct Fixture {
    _dir: tempfile::TempDir,
    template: PathBuf,
    csv: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.db");
    let mut store = Store::create(&template, "基准测试局").unwrap();
    let setup = Actor::setup();
    store
        .put_division(
            &setup,
            &nianbao::model::Division {
                code: "office".into(),
                name: "办公室".into(),
                sort_order: 1,
            },
        )
        .unwrap();
    let metrics: Vec<Metric> = (0..ROWS.div_ceil(12))
        .map(|i| Metric {
            code: format!("bulk.m{i}"),
            name: format!("指标{i}"),
            unit: "万元".into(),
            kind: ValueKind::Amount { places: 2 },
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["office".into()],
            words: vec![],
            sort_order: i as i64,
        })
        .collect();
    store.put_metrics(&setup, 2019, &metrics).unwrap();
    drop(store);
    let csv = dir.path().join("bulk.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    writeln!(f, "year,month,division,metric,value,note").unwrap();
    for i in 0..ROWS {
        writeln!(
            f,
            "2019,{},办公室,bulk.m{},\"1,{:03}.{:02}\",",
            i % 12 + 1,
            i / 12,
            i % 1000,
            i % 100
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);
    Fixture {
        _dir: dir,
        template,
        csv,
    }
}

fn fresh_copy(template: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    std::fs::copy(template, &path).unwrap();
    (dir, path)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_100k_csv_rows(bencher: divan::Bencher) {
    let fx = fixture();
    bencher
        .with_inputs(|| fresh_copy(&fx.template))
        .bench_local_values(|(dir, path)| {
            let mut store = Store::open(&path).unwrap();
            let actor = Actor::setup();
            let (plan, summary) = nianbao::import::import_file(
                &mut store,
                &actor,
                2019,
                &fx.csv,
                &Default::default(),
                |_, _| {},
            )
            .unwrap();
            assert_eq!(plan.rows.len(), ROWS);
            assert_eq!(summary.inserted, ROWS);
            drop(store);
            dir
        });
}
