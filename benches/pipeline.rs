//! The whole pipeline on real files (divan), run with `cargo bench --bench pipeline`:
//!
//! - the demo `annual-report` and `work-summary`: store → compile → layout → PDF, and
//!   store → compile → DOCX (issue #5: under 200 ms and 400 KB; issue #6: DOCX under
//!   100 ms). The sizes are printed once.
//! - a file of 1,000,000 monthly values (10 years × 100 divisions × 80 metrics × 12
//!   months): reading a year from the store, compiling `annual-report`, and running the
//!   checks (issue #4: under 1 s each), against a plain SQLite `GROUP BY` over that year.

use std::path::PathBuf;
use std::sync::LazyLock;

#[path = "support/million.rs"]
mod million;

use million::million;
use nianbao::check::{CheckOptions, check};
use nianbao::layout::FontSet;
use nianbao::pipeline;
use nianbao::store::Store;

fn main() {
    divan::main();
}

struct Files {
    _dir: tempfile::TempDir,
    demo: PathBuf,
    big: PathBuf,
}

static FILES: LazyLock<Files> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.db");
    drop(nianbao::demo::create(&demo).unwrap());
    let big = dir.path().join("big.db");
    let started = std::time::Instant::now();
    million(&big);
    eprintln!(
        "(built the 1,000,000-value file in {:.1?})",
        started.elapsed()
    );
    Files {
        _dir: dir,
        demo,
        big,
    }
});

static FONTS: LazyLock<FontSet> = LazyLock::new(|| FontSet::bundled().unwrap());

fn export_pdf(id: &str) -> Vec<u8> {
    let store = Store::open(&FILES.demo).unwrap();
    let compiled = pipeline::compile_year(&store, 2019, id).unwrap();
    pipeline::pdf_bytes(&compiled.document, &FONTS).unwrap()
}

fn export_docx(id: &str) -> Vec<u8> {
    let store = Store::open(&FILES.demo).unwrap();
    let compiled = pipeline::compile_year(&store, 2019, id).unwrap();
    pipeline::docx_bytes(&compiled.document, &FONTS, &Default::default()).unwrap()
}

#[divan::bench(args = ["annual-report", "work-summary"], sample_count = 20)]
fn demo_to_pdf(bencher: divan::Bencher, id: &str) {
    LazyLock::force(&FONTS);
    eprintln!("({id}: PDF {} bytes)", export_pdf(id).len());
    bencher.bench(|| export_pdf(id));
}

/// The same with the fonts parsed inside the measurement, as one CLI run pays it.
#[divan::bench(sample_count = 10)]
fn demo_annual_report_to_pdf_with_font_loading() -> usize {
    let fonts = FontSet::bundled().unwrap();
    let store = Store::open(&FILES.demo).unwrap();
    let compiled = pipeline::compile_year(&store, 2019, "annual-report").unwrap();
    pipeline::pdf_bytes(&compiled.document, &fonts)
        .unwrap()
        .len()
}

#[divan::bench(args = ["annual-report", "work-summary"], sample_count = 20)]
fn demo_to_docx(bencher: divan::Bencher, id: &str) {
    eprintln!("({id}: DOCX {} bytes)", export_docx(id).len());
    bencher.bench(|| export_docx(id));
}

#[divan::bench(sample_count = 10)]
fn million_values_read_year(bencher: divan::Bencher) {
    let store = Store::open(&FILES.big).unwrap();
    bencher.bench_local(|| store.year_data(2019).unwrap());
}

#[divan::bench(sample_count = 10)]
fn million_values_compile_annual_report(bencher: divan::Bencher) {
    let store = Store::open(&FILES.big).unwrap();
    bencher.bench_local(|| pipeline::compile_year(&store, 2019, "annual-report").unwrap());
}

#[divan::bench(sample_count = 10)]
fn million_values_check(bencher: divan::Bencher) {
    let store = Store::open(&FILES.big).unwrap();
    bencher.bench_local(|| {
        let data = store.year_data(2019).unwrap();
        check(&data, &CheckOptions::default())
    });
}

/// The floor the three above are held against (FINDINGS.md: 17.7 ms from Python): one
/// `GROUP BY` over the year's values in the same file, through rusqlite.
#[divan::bench(sample_count = 10)]
fn million_values_sqlite_group_by_year(bencher: divan::Bencher) {
    let conn = rusqlite::Connection::open(&FILES.big).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT division, metric, SUM(value), COUNT(*) FROM monthly_values
             WHERE year = 2019 GROUP BY division, metric",
        )
        .unwrap();
    bencher.bench_local(|| {
        let mut rows = stmt.query([]).unwrap();
        let mut n = 0usize;
        while let Some(r) = rows.next().unwrap() {
            n += r.get::<_, Option<i64>>(2).unwrap().is_some() as usize;
        }
        n
    });
}
