use lopdf::{Dictionary, Document, Object, Stream, dictionary};

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

/// A PDF of `pages` pages, each showing `content` with font `/F1` = `font` (built by
/// `font` in the document, so that it can add streams).
fn pdf(pages: usize, content: &[u8], font: impl FnOnce(&mut Document) -> Dictionary) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = font(&mut doc);
    let font_id = doc.add_object(font);
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content_id,
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A CID font as WPS and Word write them: `Identity-H`, a `ToUnicode` CMap, widths in
/// `/W`. Codes 1–4 are 规 章 1 0; code 5 has no Unicode.
fn cid_font(doc: &mut Document) -> Dictionary {
    let cmap = b"/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfchar
<0001> <89C4>
<0002> <7AE0>
endbfchar
1 beginbfrange
<0003> <0004> [<0031> <0030>]
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
";
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.to_vec()));
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "SimSun",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 1000,
        "W" => vec![3.into(), vec![500.into(), 500.into()].into()],
    });
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "SimSun",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()],
        "ToUnicode" => to_unicode,
    }
}

fn text_of(bytes: &[u8]) -> String {
    layout_text(bytes).unwrap()
}

#[test]
fn a_cid_font_with_to_unicode_reads_in_cells_by_its_gaps() {
    // 规章 at 10 pt from x = 50 (two ems), then 1 and 10 far right: three cells; a
    // TJ adjustment of −1000 (one em) before 0 is a cell gap too.
    let content = b"BT /F1 10 Tf 50 700 Td <00010002> Tj 100 0 Td <0003> Tj 50 0 Td [<0003> -1000 <0004>] TJ ET";
    assert_eq!(text_of(&pdf(1, content, cid_font)), "规章  1  1  0\n");
    let blocks = read(&pdf(1, content, cid_font)).unwrap();
    let Block::Table(t) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(t.to_text(), "规章\t1\t1\t0\n");
}

/// Stroked rules: vertical ones at `xs` from `lo` to `hi`, level ones `(y, from, to)`.
fn rules(xs: &[f64], lo: f64, hi: f64, level: &[(f64, f64, f64)]) -> String {
    let mut out = String::new();
    for x in xs {
        out.push_str(&format!("{x} {lo} m {x} {hi} l S "));
    }
    for (y, from, to) in level {
        out.push_str(&format!("{from} {y} m {to} {y} l S "));
    }
    out
}

#[test]
fn an_empty_cell_of_a_ruled_row_with_numbers_reads_as_a_dash() {
    // 规章 | 1 | (empty) | 1, ruled with stroked lines (our exporter, LibreOffice, WPS)
    // and with thin filled rectangles (Word): the empty cell is `-`, in its column.
    let text = "BT /F1 10 Tf 50 700 Td <00010002> Tj 60 0 Td <0003> Tj 100 0 Td <0003> Tj ET";
    let lines = rules(
        &[40.0, 100.0, 150.0, 200.0, 250.0],
        690.0,
        715.0,
        &[(690.0, 40.0, 250.0), (715.0, 40.0, 250.0)],
    );
    let content = format!("{lines}{text}");
    assert_eq!(
        text_of(&pdf(1, content.as_bytes(), cid_font)),
        "规章  1  -  1\n"
    );
    let mut boxes = String::new();
    for x in [40.0, 100.0, 150.0, 200.0, 250.0] {
        boxes.push_str(&format!("{} 690 0.5 25 re f ", x - 0.25));
    }
    boxes.push_str("40 689.75 210 0.5 re f 40 714.75 210 0.5 re f ");
    let content = format!("{boxes}{text}");
    assert_eq!(
        text_of(&pdf(1, content.as_bytes(), cid_font)),
        "规章  1  -  1\n"
    );
    // Without rules, as pdftotext: the empty cell cannot be seen.
    assert_eq!(text_of(&pdf(1, text.as_bytes(), cid_font)), "规章  1  1\n");
    // A row whose every value is blank: its label's box is the row's.
    let text = "BT /F1 10 Tf 50 700 Td <00010002> Tj ET";
    let content = format!("{lines}{text}");
    assert_eq!(
        text_of(&pdf(1, content.as_bytes(), cid_font)),
        "规章  -  -  -\n"
    );
}

#[test]
fn an_empty_taller_cell_and_a_label_on_another_line_are_not_blanks() {
    // Column 1 is one cell over both rows (a group label continued from the page
    // before, empty here): not a blank of either row. Row 2's last cell is.
    let lines = rules(
        &[40.0, 100.0, 150.0, 200.0],
        665.0,
        715.0,
        &[
            (715.0, 40.0, 200.0),
            (690.0, 100.0, 200.0),
            (665.0, 40.0, 200.0),
        ],
    );
    let text = "BT /F1 10 Tf 110 700 Td <0003> Tj 50 0 Td <0004> Tj ET \
                BT /F1 10 Tf 110 675 Td <0003> Tj ET";
    let content = format!("{lines}{text}");
    assert_eq!(
        text_of(&pdf(1, content.as_bytes(), cid_font)),
        "1  0\n1  -\n"
    );
    // A label cell whose two lines are above and below the row's numbers: its box has
    // text, so the numbers' line leaves it out rather than printing `-`.
    let lines = rules(
        &[40.0, 100.0, 150.0, 200.0],
        680.0,
        715.0,
        &[(715.0, 40.0, 200.0), (680.0, 40.0, 200.0)],
    );
    let text = "BT /F1 10 Tf 50 705 Td <0001> Tj ET BT /F1 10 Tf 50 685 Td <0002> Tj ET \
                BT /F1 10 Tf 110 695 Td <0003> Tj 50 0 Td <0003> Tj ET";
    let content = format!("{lines}{text}");
    assert_eq!(
        text_of(&pdf(1, content.as_bytes(), cid_font)),
        "规\n1  1\n章\n"
    );
}

#[test]
fn lines_go_top_down_whatever_order_they_are_drawn_in() {
    // Drawn bottom line first; a word gap of a third of an em is one space; a glyph
    // drawn again a hair to the right (fake bold) is read once.
    let content = b"BT /F1 10 Tf 50 600 Td <0003> Tj ET BT /F1 10 Tf 50 700 Td <0001> Tj 13.3 0 Td <0002> Tj ET BT /F1 10 Tf 50.3 700 Td <0001> Tj ET";
    assert_eq!(text_of(&pdf(1, content, cid_font)), "规 章\n1\n");
}

#[test]
fn text_matrices_scale_and_move_glyphs() {
    // 1 pt font scaled ×10 by Tm, moved by cm: the same cells as at 10 pt.
    let content =
        b"q 1 0 0 1 50 0 cm BT /F1 1 Tf 10 0 0 10 0 700 Tm <00010002> Tj 10 0 Td <0003> Tj ET Q";
    assert_eq!(text_of(&pdf(1, content, cid_font)), "规章  1\n");
}

#[test]
fn a_page_drawn_sideways_reads_along_its_text() {
    // Text rotated 90° (baseline bottom to top), as a wide table on a portrait page.
    let content = b"BT /F1 10 Tf 0 1 -1 0 300 100 Tm <00010002> Tj 100 0 Td <0003> Tj ET";
    assert_eq!(text_of(&pdf(1, content, cid_font)), "规章  1\n");
}

#[test]
fn pages_are_apart_by_a_blank_line() {
    let content = b"BT /F1 10 Tf 50 700 Td <0001> Tj ET";
    assert_eq!(text_of(&pdf(2, content, cid_font)), "规\n\n规\n");
}

#[test]
fn a_simple_font_with_win_ansi_and_word_spacing() {
    let font = |_: &mut Document| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        }
    };
    // Standard 14 font without /Widths: half an em a glyph; Tw widens only the space.
    let content = b"BT /F1 10 Tf 50 700 Td 20 Tw (ab c) Tj ET";
    assert_eq!(text_of(&pdf(1, content, font)), "ab  c\n");
    let content = b"BT /F1 10 Tf 50 700 Td (ab c) Tj ET";
    assert_eq!(text_of(&pdf(1, content, font)), "ab c\n");
}

#[test]
fn a_gbk_cmap_font_without_to_unicode_decodes_gbk() {
    let font = |_: &mut Document| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "STSong-Light",
            "Encoding" => "GBK-EUC-H",
            "DescendantFonts" => vec![dictionary! {
                "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
            }.into()],
        }
    };
    let (gbk, _, _) = encoding_rs::GBK.encode("规章 12");
    let mut content = b"BT /F1 10 Tf 50 700 Td <".to_vec();
    for b in gbk.iter() {
        content.extend(format!("{b:02X}").bytes());
    }
    content.extend(b"> Tj ET");
    assert_eq!(text_of(&pdf(1, &content, font)), "规章 12\n");
}

#[test]
fn a_font_without_unicode_is_refused_not_guessed() {
    let font = |_: &mut Document| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "Embedded",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2" }.into()],
        }
    };
    let content = b"BT /F1 10 Tf 50 700 Td <00010002> Tj ET";
    assert_eq!(
        read(&pdf(1, content, font)),
        Err(DocumentError::PdfNoUnicode)
    );
}

#[test]
fn a_page_without_text_is_a_scan() {
    let content = b"q 100 0 0 100 0 0 cm 0 0 m 1 1 l S Q";
    assert_eq!(
        read(&pdf(1, content, cid_font)),
        Err(DocumentError::PdfNoText)
    );
}

#[test]
fn work_is_bounded() {
    let small = Limits {
        pages: 3,
        operations: 50,
        glyphs: 10,
        form_depth: 2,
        ..LIMITS
    };
    let text = b"BT /F1 10 Tf 50 700 Td <0001> Tj ET";
    assert!(matches!(
        layout_text_within(&pdf(4, text, cid_font), &small),
        Err(DocumentError::PdfTooLarge { what: "页数", .. })
    ));
    let many_ops = b"q Q ".repeat(60);
    assert!(matches!(
        layout_text_within(&pdf(1, &many_ops, cid_font), &small),
        Err(DocumentError::PdfTooLarge {
            what: "内容操作数",
            ..
        })
    ));
    let many_glyphs =
        b"BT /F1 10 Tf 50 700 Td <00010001000100010001000100010001000100010001> Tj ET";
    assert!(matches!(
        layout_text_within(&pdf(1, many_glyphs, cid_font), &small),
        Err(DocumentError::PdfTooLarge {
            what: "字符数", ..
        })
    ));
}

#[test]
fn broken_bytes_are_refused_never_a_panic() {
    assert!(matches!(read(b"hello"), Err(DocumentError::NotPdf(_))));
    assert!(matches!(read(b""), Err(DocumentError::NotPdf(_))));
    let good = pdf(1, b"BT /F1 10 Tf 50 700 Td <0001> Tj ET", cid_font);
    for cut in [10, good.len() / 4, good.len() / 2, good.len() - 30] {
        // Truncated: refused or (lopdf repairs what it can) read; never a panic.
        let _ = read(&good[..cut]);
    }
    // A broken content stream keeps what came before the break.
    let broken = pdf(
        1,
        b"BT /F1 10 Tf 50 700 Td <0001> Tj ET BT ) ( [ << Tj",
        cid_font,
    );
    assert_eq!(text_of(&broken), "规\n");
}

#[test]
fn the_demo_pdf_has_its_national_tables() {
    let bytes = demo_pdf();
    let blocks = read(&bytes).unwrap();
    let reading = crate::import::report::read_blocks(&blocks, true);
    assert!(reading.unplaced.is_empty(), "{:?}", reading.unplaced);
    assert_eq!(
        reading.placed.len(),
        crate::model::national::national_metrics().len()
    );
    let text = layout_text(&bytes).unwrap();
    assert!(text.contains("全年主动公开政府信息 4387 条"), "{text}");
}

#[test]
fn content_that_inflates_past_the_bound_is_refused() {
    let small = Limits {
        content_bytes: 1 << 20,
        ..LIMITS
    };
    let mut doc = Document::load_mem(&pdf(1, b"", cid_font)).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let mut bomb = Stream::new(dictionary! {}, vec![b' '; 4 << 20]);
    bomb.compress().unwrap();
    assert!(bomb.content.len() < 64 * 1024);
    let bomb = doc.add_object(bomb);
    doc.get_dictionary_mut(page).unwrap().set("Contents", bomb);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    assert!(matches!(
        layout_text_within(&bytes, &small),
        Err(DocumentError::PdfTooLarge { .. })
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Damaged PDFs: bytes overwritten anywhere in a small good one. Read without the
    /// `catch_unwind` guard, so that a panic in lopdf or here shows.
    #[test]
    fn damaged_pdfs_never_panic(
        edits in proptest::collection::vec((0.0f64..1.0, proptest::num::u8::ANY), 1..20),
    ) {
        let content = b"BT /F1 10 Tf 50 700 Td [<00010002> -1000 <0003>] TJ T* (x) ' ET";
        let mut bytes = pdf(2, content, cid_font);
        for (at, byte) in edits {
            let i = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[i] = byte;
        }
        let _ = layout_text_within(&bytes, &LIMITS);
    }
}

/// The exporter's placement, read back by this reader: every glyph of both demo reports
/// but blanks where the layout put it (start, baseline, advance from `/W`), in the
/// layout's order.
#[test]
fn our_pdf_places_every_glyph_where_the_layout_put_it() {
    let fonts = FontSet::bundled().expect("bundled fonts");
    let data = crate::demo::data::year_data(2019);
    for id in ["annual-report", "work-summary"] {
        let doc = compile(
            &Template::builtin(id).unwrap(),
            &data,
            &CompileOptions::default(),
        )
        .unwrap()
        .document;
        let pages = crate::layout::layout(&doc, &fonts);
        let bytes =
            crate::export::pdf::pdf(&pages, &fonts, &crate::export::pdf::PdfMeta::default())
                .unwrap();
        let pdf = Document::load_mem(&bytes).unwrap();
        let mut reader = content::Reader::new(&pdf, &LIMITS);
        let ids = pdf.get_pages();
        assert_eq!(ids.len(), pages.len(), "{id}");
        let mut checked = 0;
        for (laid, page_id) in pages.iter().zip(ids.values()) {
            let read = reader.page(*page_id).unwrap();
            let want: Vec<_> = laid
                .text_runs()
                .flat_map(|r| r.glyphs.iter().map(move |g| (r, g)))
                // the reader keeps no blanks; the glyphs after them show where they ended
                .filter(|(_, g)| !g.ch.is_whitespace())
                .collect();
            assert_eq!(read.glyphs.len(), want.len(), "{id} page {}", laid.number);
            for (got, (run, g)) in read.glyphs.iter().zip(want) {
                let at = format!("{id} page {} {:?}", laid.number, g.ch);
                assert_eq!(got.text, g.ch.to_string(), "{at}");
                assert!(
                    (got.x0 - f64::from(g.x)).abs() < 0.02,
                    "{at}: x {} ≠ {}",
                    got.x0,
                    g.x
                );
                let baseline = f64::from(laid.height - run.baseline);
                assert!(
                    (got.y - baseline).abs() < 0.01,
                    "{at}: y {} ≠ {baseline}",
                    got.y
                );
                let advance = got.x1 - got.x0;
                assert!(
                    (advance - f64::from(g.advance)).abs() < 0.02,
                    "{at}: advance {advance} ≠ {}",
                    g.advance
                );
                checked += 1;
            }
        }
        assert!(checked > 2000, "{id}: {checked} glyphs");
    }
}
