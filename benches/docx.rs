//! DOCX export of a report-sized document (the seed work summary with national tables 2
//! and 3 and a 60-row table): `cargo bench --bench docx`.

#[path = "../tests/support/docx_fixture.rs"]
mod docx_fixture;

use nianbao::export::docx::{DocxOptions, docx};

fn main() {
    let doc = docx_fixture::docx_fixture();
    let bytes = docx(&doc, &DocxOptions::for_document(&doc)).expect("export");
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
    let options = DocxOptions::for_document(&doc);
    bencher.bench(|| docx(divan::black_box(&doc), &options).expect("export"));
}
