//! Layout + PDF of a report-sized fixture (the seed report and a national table 3, about
//! 11 pages): `cargo bench --bench pdf`. Prints the PDF's size and page count first.

use divan::{Bencher, black_box};
use nianbao::export::pdf::{PdfMeta, pdf};
use nianbao::layout::{FontSet, layout};

#[path = "../tests/support/seed_report.rs"]
mod seed_report;
use seed_report::bench_report;

fn main() {
    let fonts = FontSet::bundled().expect("bundled fonts");
    let doc = bench_report();
    let pages = layout(&doc, &fonts);
    let bytes = pdf(&pages, &fonts, &meta(&doc)).expect("pdf");
    eprintln!(
        "fixture: {} pages, PDF {} bytes ({} KiB)",
        pages.len(),
        bytes.len(),
        bytes.len() / 1024
    );
    divan::main();
}

fn meta(doc: &nianbao::document::Document) -> PdfMeta {
    PdfMeta {
        title: doc.title.clone(),
        author: "安徽省市场监督管理局".into(),
        subject: String::new(),
    }
}

/// What an export costs once the app holds its fonts.
#[divan::bench(sample_count = 20)]
fn layout_and_pdf(bencher: Bencher) {
    let fonts = FontSet::bundled().unwrap();
    let doc = bench_report();
    bencher.bench(|| {
        let pages = layout(black_box(&doc), &fonts);
        pdf(&pages, &fonts, &meta(&doc)).unwrap()
    });
}

#[divan::bench(sample_count = 20)]
fn layout_only(bencher: Bencher) {
    let fonts = FontSet::bundled().unwrap();
    let doc = bench_report();
    bencher.bench(|| layout(black_box(&doc), &fonts));
}

/// Parsing the three bundled faces (paid once per process).
#[divan::bench(sample_count = 10)]
fn load_bundled_fonts() -> FontSet {
    FontSet::bundled().unwrap()
}
