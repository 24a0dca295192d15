//! A city's consolidated report at scale (issue 17), each against the plain `GROUP BY` of
//! the same rows on the same engine:
//! - PostgreSQL (when `NIANBAO_TEST_PG` names a server): 50 agencies × 40 divisions × 200
//!   monthly metrics × 12 months (4.8 M values for the year), each agency in a schema of
//!   its own with its national tables filled, and a city office's store beside them. The
//!   consolidated tables and checks (`pipeline::consolidate_year` over every agency)
//!   against one `GROUP BY metric` over the 4.8 M rows (a `UNION ALL` of the 50 schemas).
//! - SQLite: one agency's year read and checks in a file of 1,000,000 values
//!   (`support/million.rs`) against a `GROUP BY division, metric` over that year (the
//!   issue's measure) and over the two years the read covers (the year before is read
//!   for comparisons).
//!
//! Prints the median of `CITY_RUNS` runs (default 5) of each, and the ratios;
//! `CITY_AGENCIES` sets the number of agencies (default 50).
//! Run: `eval "$(scripts/start-test-pg.sh)"; cargo bench --bench city`. The agencies'
//! values are written with `INSERT … SELECT generate_series` (minutes through the store);
//! everything read is read through the store.

#[path = "support/million.rs"]
mod million;

use std::path::Path;
use std::time::{Duration, Instant};

use nianbao::check::{CheckOptions, check};
use nianbao::model::{Aggregation, Division, Metric, Period, ValueKind};
use nianbao::pipeline::{self, Agencies};
use nianbao::store::scratch::test_server;
use nianbao::store::{Actor, Store, ValueWrite, url_in_schema};

const YEAR: i32 = 2019;
const DIVISIONS: usize = 40;
const METRICS: usize = 200;

/// The number of agencies: `CITY_AGENCIES`, default the 50.
fn agencies() -> usize {
    std::env::var("CITY_AGENCIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

fn runs() -> usize {
    std::env::var("CITY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

/// The median time of `runs` calls of `f`, and its last result.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f());
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], last.expect("at least one run"))
}

fn main() {
    sqlite();
    match test_server("city bench") {
        Some(admin) => postgres(&admin),
        None => println!("PostgreSQL: skipped (NIANBAO_TEST_PG is not set)"),
    }
}

fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    let started = Instant::now();
    million::million(&path);
    println!(
        "SQLite: built the 1,000,000-value file in {:.1?}",
        started.elapsed()
    );
    let store = Store::open_read_only(&path).unwrap();
    let (read, findings) = median(runs(), || {
        let data = store.year_data(YEAR).unwrap();
        check(&data, &CheckOptions::default()).len()
    });
    let conn = rusqlite::Connection::open(&path).unwrap();
    // The yardstick (one year), and the same over the rows a year read covers:
    // the year and the one before, which comparisons with last year need.
    let group_by = |years: &str| {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT year, division, metric, SUM(value), COUNT(*) FROM monthly_values
                 WHERE year {years} GROUP BY year, division, metric"
            ))
            .unwrap();
        median(runs(), || {
            let mut rows = stmt.query([]).unwrap();
            let mut n = 0usize;
            while rows.next().unwrap().is_some() {
                n += 1;
            }
            n
        })
    };
    let (one_year, groups) = group_by(&format!("= {YEAR}"));
    let (two_years, two_groups) = group_by(&format!("BETWEEN {} AND {YEAR}", YEAR - 1));
    println!(
        "SQLite, one agency's year (96,000 values of 1,000,000; read with the year before): \
         read + checks {read:.1?} ({findings} findings); GROUP BY over the year {one_year:.1?} \
         ({groups} groups): ratio {:.1}×; GROUP BY over both years read {two_years:.1?} \
         ({two_groups} groups): ratio {:.1}×",
        read.as_secs_f64() / one_year.as_secs_f64(),
        read.as_secs_f64() / two_years.as_secs_f64()
    );
}

/// Drops the bench's schemas when done.
struct Schemas<'a> {
    admin: &'a str,
    names: Vec<String>,
}

impl Drop for Schemas<'_> {
    fn drop(&mut self) {
        let mut client = postgres::Client::connect(self.admin, postgres::NoTls).unwrap();
        for s in &self.names {
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"))
                .unwrap();
        }
    }
}

fn postgres(admin: &str) {
    let count = agencies();
    let prefix = format!("nbbench_{}", std::process::id());
    let names: Vec<String> = (0..count)
        .map(|i| format!("{prefix}_a{i:02}"))
        .chain([format!("{prefix}_city")])
        .collect();
    let schemas = Schemas {
        admin,
        names: names.clone(),
    };
    let mut client = postgres::Client::connect(admin, postgres::NoTls).unwrap();
    let started = Instant::now();
    for (i, schema) in names[..count].iter().enumerate() {
        client
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .unwrap();
        agency(&mut client, &url_in_schema(admin, schema), schema, i);
    }
    let city_schema = &names[count];
    client
        .batch_execute(&format!("CREATE SCHEMA \"{city_schema}\""))
        .unwrap();
    let (city, _) = Store::create_city(
        Path::new(&url_in_schema(admin, city_schema)),
        "某某市人民政府",
        YEAR,
    )
    .unwrap();
    client.batch_execute("ANALYZE").unwrap();
    println!(
        "PostgreSQL: built {count} agencies × {DIVISIONS} divisions × {METRICS} metrics × 12 \
         months in {:.1?}",
        started.elapsed()
    );

    let options = CheckOptions::default();
    let (consolidated, (cells, findings)) = median(runs(), || {
        let chosen = Agencies::Server(Some(&names[..count]));
        let c = pipeline::consolidate_year(&city, YEAR, chosen, &options).unwrap();
        assert_eq!(c.agencies.len(), count);
        (c.data.all_values().count(), c.all_findings().len())
    });
    let union: Vec<String> = names[..count]
        .iter()
        .map(|s| format!("SELECT metric, value FROM \"{s}\".monthly_values WHERE year = {YEAR}"))
        .collect();
    let sql = format!(
        "SELECT metric, SUM(value), COUNT(*) FROM ({}) v GROUP BY metric",
        union.join(" UNION ALL ")
    );
    let statement = client.prepare(&sql).unwrap();
    let (group_by, (groups, rows)) = median(runs(), || {
        let result = client.query(&statement, &[]).unwrap();
        let rows: i64 = result.iter().map(|r| r.get::<_, i64>(2)).sum();
        (result.len(), rows)
    });
    println!(
        "PostgreSQL, {count} agencies: consolidated tables + checks {consolidated:.1?} \
         ({cells} agency figures, {findings} findings); GROUP BY over {rows} values \
         {group_by:.1?} ({groups} groups); ratio {:.2}×",
        consolidated.as_secs_f64() / group_by.as_secs_f64()
    );
    drop(city);
    drop(schemas);
}

/// Agency `i`: its store, 40 divisions, 200 monthly metrics owned by all, a year of
/// their values (written in SQL), and its national tables (the demo's, through the store).
fn agency(client: &mut postgres::Client, url: &str, schema: &str, i: usize) {
    let (mut store, _) = Store::create_agency(Path::new(url), &format!("第{i}局"), YEAR).unwrap();
    let setup = Actor::setup();
    let mut codes = vec!["office".to_string()];
    for d in 1..DIVISIONS {
        let code = format!("d{d:03}");
        store
            .put_division(
                &setup,
                &Division {
                    code: code.clone(),
                    name: format!("第{d}处"),
                    sort_order: d as i64 + 1,
                },
            )
            .unwrap();
        codes.push(code);
    }
    let metrics: Vec<Metric> = (0..METRICS)
        .map(|m| Metric {
            code: format!("m.{m:03}"),
            name: format!("指标{m}"),
            unit: "件".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: codes.clone(),
            words: vec![],
            sort_order: m as i64,
        })
        .collect();
    store.put_metrics(&setup, YEAR, &metrics).unwrap();
    client
        .batch_execute(&format!(
            "INSERT INTO \"{schema}\".monthly_values
                 (year, division, metric, month, value, note, updated_by, updated_at)
             SELECT {YEAR}, d.code, 'm.' || lpad(m::text, 3, '0'), mo, (m * 7 + mo + {i}) % 50,
                    '', 'bench', '{YEAR}-12-31 00:00:00'
             FROM \"{schema}\".divisions d, generate_series(0, {}) m, generate_series(1, 12) mo",
            METRICS - 1
        ))
        .unwrap();
    let national: Vec<ValueWrite> = nianbao::demo::data::national_values(YEAR)
        .into_iter()
        .map(|(metric, value)| ValueWrite {
            year: YEAR,
            month: 0,
            division: "office".into(),
            metric,
            value: Some(value),
            note: String::new(),
            seen: None,
        })
        .collect();
    store.write_values(&setup, &national, |_, _| {}).unwrap();
}
