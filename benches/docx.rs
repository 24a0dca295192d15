//! DOCX export of a report-sized document (the seed work summary with national tables 2
//! and 3 and a 60-row table): `cargo bench --bench docx`.

#[path = "../tests/support/docx_fixture.rs"]
mod docx_fixture;

use nianbao::export::docx::{DocxOptions, docx};
use nianbao::layout::{FontSet, pagination};

/// The options `pipeline::docx_bytes` passes: our layout's page breaks included (laid
/// out once, outside the measurement: the writer is what is measured here).
fn options(doc: &nianbao::document::Document) -> DocxOptions {
    let fonts = FontSet::bundled().expect("bundled fonts");
    DocxOptions {
        pagination: pagination(doc, &fonts),
        ..DocxOptions::for_document(doc)
    }
}

fn main() {
    let doc = docx_fixture::docx_fixture();
    let bytes = docx(&doc, &options(&doc)).expect("export");
    println!(
        "fixture: {} characters of text, DOCX {} bytes",
        doc.plain_text().chars().count(),
        bytes.len()
    );
    divan::main();
}

#[divan::bench]
fn export_report(bencher: divan::Bencher) {
    let doc = docx_fixture::docx_fixture();
    let options = options(&doc);
    bencher.bench(|| docx(divan::black_box(&doc), &options).expect("export"));
}
