use super::*;

use crate::compile::{CompileOptions, Template, compile};
use crate::layout::FontSet;

/// Our exporter's PDF of the demo's 2019 annual report (CID fonts, `Identity-H`).
fn demo_pdf() -> Vec<u8> {
    let fonts = FontSet::bundled().expect("bundled fonts");
    let data = crate::demo::data::year_data(2019);
    let doc = compile(
        &Template::builtin("annual-report").unwrap(),
        &data,
        &CompileOptions::default(),
    )
    .unwrap()
    .document;
    crate::pipeline::pdf_bytes(&doc, &fonts).unwrap()
}

#[test]
fn bytes_that_are_no_pdf_are_refused() {
    assert!(matches!(read(b"hello"), Err(DocumentError::NotPdf(_))));
}

#[test]
fn dump_demo() {
    let bytes = demo_pdf();
    std::fs::write("/tmp/pdfw/unit-demo.pdf", &bytes).unwrap();
    let t = std::time::Instant::now();
    let text = layout_text(&bytes).unwrap();
    eprintln!("took {:?}", t.elapsed());
    std::fs::write("/tmp/pdfw/ours.txt", &text).unwrap();
}
