//! The 1,000,000-value file the benchmarks read a year of: 100 divisions × 80 monthly
//! metrics × 12 months × 10 years (2010–2019), plus the demo's national tables for 2018
//! and 2019, written through the store like an import.

use std::path::Path;

use nianbao::model::{Aggregation, Division, Metric, Period, ValueKind};
use nianbao::store::{Actor, Store, ValueWrite};
use rust_decimal::Decimal;

/// 100 divisions × 80 monthly metrics × 12 months × 10 years (2010–2019), plus the
/// demo's national tables for 2019, written through the store like an import.
pub fn million(path: &Path) {
    let mut store = Store::create(path, "基准测试局").unwrap();
    let setup = Actor::setup();
    let codes: Vec<String> = (0..100)
        .map(|i| {
            if i == 0 {
                "office".into()
            } else {
                format!("d{i:03}")
            }
        })
        .collect();
    for (i, code) in codes.iter().enumerate() {
        let division = Division {
            code: code.clone(),
            name: format!("第{i}处"),
            sort_order: i as i64,
        };
        store.put_division(&setup, &division).unwrap();
    }
    let mut metrics: Vec<Metric> = (0..80)
        .map(|i| Metric {
            code: format!("m.{i:02}"),
            name: format!("指标{i}"),
            unit: "件".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: codes.clone(),
            words: vec![],
            sort_order: i,
        })
        .collect();
    metrics.extend(nianbao::model::national::national_metrics());
    for year in 2010..=2019 {
        store.put_metrics(&setup, year, &metrics).unwrap();
        let mut writes = Vec::with_capacity(96_000);
        for division in &codes {
            for m in 0..80 {
                for month in 1..=12u8 {
                    writes.push(ValueWrite {
                        year,
                        month,
                        division: division.clone(),
                        metric: format!("m.{m:02}"),
                        value: Some(Decimal::from((m * 7 + usize::from(month)) % 50)),
                        note: String::new(),
                        seen: None,
                    });
                }
            }
        }
        if year >= 2018 {
            for (code, value) in nianbao::demo::data::national_values(year) {
                writes.push(ValueWrite {
                    year,
                    month: 0,
                    division: "office".into(),
                    metric: code,
                    value: Some(value),
                    note: String::new(),
                    seen: None,
                });
            }
        }
        store.write_values(&setup, &writes, |_, _| {}).unwrap();
    }
}
