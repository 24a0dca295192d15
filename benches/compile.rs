//! Compile and check benchmarks (divan), run with `cargo bench --bench compile`.
//!
//! - both built-in templates on the demo data;
//! - `annual-report` and the checks on a synthetic large year: a file of 1,000,000
//!   monthly values (10 years × 100 divisions × 80 metrics × 12 months), of which a
//!   `YearData` holds two years (192,000 values) plus the national tables.

use std::sync::LazyLock;

use chrono::NaiveDate;
use nianbao::check::{CheckOptions, check};
use nianbao::compile::{CompileOptions, Template, compile};
use nianbao::model::{Aggregation, Division, Metric, Period, StoredValue, ValueKind, YearData};
use rust_decimal::Decimal;

fn main() {
    divan::main();
}

fn options() -> CompileOptions {
    CompileOptions {
        date: NaiveDate::from_ymd_opt(2019, 12, 24),
    }
}

static DEMO: LazyLock<YearData> = LazyLock::new(|| nianbao::demo::data::year_data(2019));
static BIG: LazyLock<YearData> = LazyLock::new(big_year);

/// 100 divisions each reporting 80 monthly metrics (the demo's, then fillers) for 2018
/// and 2019, and the national tables of the demo for both years.
fn big_year() -> YearData {
    const DIVISIONS: usize = 100;
    const MONTHLY: usize = 80;
    let divisions: Vec<Division> = (0..DIVISIONS)
        .map(|i| Division {
            code: if i == 0 {
                "office".into()
            } else {
                format!("d{i:03}")
            },
            name: format!("第{i}处"),
            sort_order: i as i64,
        })
        .collect();
    let codes: Vec<String> = divisions.iter().map(|d| d.code.clone()).collect();
    let mut metrics: Vec<Metric> = nianbao::demo::data::catalogue();
    let mut monthly: Vec<String> = Vec::new();
    for m in &mut metrics {
        if m.period == Period::Monthly {
            m.owners = codes.clone();
            if !m.is_formula() {
                monthly.push(m.code.clone());
            }
        }
    }
    let mut i = 0;
    while monthly.len() < MONTHLY {
        let code = format!("filler.m{i:02}");
        metrics.push(Metric {
            code: code.clone(),
            name: format!("填充指标{i}"),
            unit: "件".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: codes.clone(),
            words: Vec::new(),
            sort_order: 20_000 + i,
        });
        monthly.push(code);
        i += 1;
    }
    let mut data = YearData::new(
        "大型测试局".into(),
        2019,
        divisions,
        metrics.clone(),
        metrics,
    );
    let mut values = Vec::with_capacity(2 * DIVISIONS * MONTHLY * 12 + 500);
    for year in [2018, 2019] {
        for (mi, metric) in monthly.iter().enumerate() {
            for (di, division) in codes.iter().enumerate() {
                for month in 1..=12u8 {
                    // Plausible, varied, and keeping 不合格 ≤ 抽检.
                    let base = 50 + (mi * 7 + di * 3 + usize::from(month)) % 40;
                    let v = if metric == "food.sampling.unqualified" {
                        base / 10
                    } else {
                        base
                    };
                    values.push(stored(
                        year,
                        month,
                        division,
                        metric,
                        Decimal::from(v as i64),
                    ));
                }
            }
        }
        for (code, v) in nianbao::demo::data::national_values(year) {
            values.push(stored(year, 0, "office", &code, v));
        }
    }
    data.set_values(values);
    data
}

fn stored(year: i32, month: u8, division: &str, metric: &str, value: Decimal) -> StoredValue {
    StoredValue {
        year,
        month,
        division: division.into(),
        metric: metric.into(),
        value: Some(value),
        note: String::new(),
        updated_by: "bench".into(),
        updated_at: "".into(),
    }
}

#[divan::bench(args = ["work-summary", "annual-report"])]
fn compile_demo(bencher: divan::Bencher, id: &str) {
    let template = Template::builtin(id).unwrap();
    let data = &*DEMO;
    bencher.bench(|| compile(&template, data, &options()).unwrap());
}

#[divan::bench]
fn check_demo(bencher: divan::Bencher) {
    let data = &*DEMO;
    bencher.bench(|| check(data, &CheckOptions::default()));
}

#[divan::bench(sample_count = 20)]
fn compile_annual_report_big(bencher: divan::Bencher) {
    let template = Template::builtin("annual-report").unwrap();
    let data = &*BIG;
    bencher.bench(|| compile(&template, data, &options()).unwrap());
}

#[divan::bench(sample_count = 20)]
fn check_big(bencher: divan::Bencher) {
    let data = &*BIG;
    bencher.bench(|| check(data, &CheckOptions::default()));
}

#[divan::bench(sample_count = 10)]
fn compile_and_check_big(bencher: divan::Bencher) {
    let template = Template::builtin("annual-report").unwrap();
    let data = &*BIG;
    bencher.bench(|| {
        let c = compile(&template, data, &options()).unwrap();
        (c, check(data, &CheckOptions::default()))
    });
}
