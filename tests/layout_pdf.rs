//! Acceptance tests of the page layout (issue #5) on the fixture report: the grid, the
//! 禁则, tables crossing pages, page numbers, and the PDF's text read back with lopdf.
//!
//! Set `NIANBAO_PDF_OUT=/some/file.pdf` to keep the fixture's PDF for a look.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use nianbao::document::{Block, Document};
use nianbao::export::pdf::{PdfMeta, pdf};
use nianbao::layout::{
    BLOCK_HEIGHT, BLOCK_LEFT, BLOCK_TOP, BLOCK_WIDTH, EM_ASCENT, FontSet, Origin, PT_PER_MM, Page,
    TextRun, layout,
};
use nianbao::style::TextRole;

#[path = "support/seed_report.rs"]
mod seed_report;
use seed_report::seed_report;

struct Fixture {
    doc: Document,
    pages: Vec<Page>,
    pdf: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let fonts = FontSet::bundled().expect("bundled fonts");
        let doc = seed_report();
        let pages = layout(&doc, &fonts);
        let meta = PdfMeta {
            title: doc.title.clone(),
            author: "安徽省市场监督管理局".into(),
            subject: String::new(),
        };
        let pdf = pdf(&pages, &fonts, &meta).expect("pdf");
        if let Some(path) = std::env::var_os("NIANBAO_PDF_OUT") {
            std::fs::write(path, &pdf).unwrap();
        }
        Fixture { doc, pages, pdf }
    })
}

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The PDF's text in content order, skipping marked-content `/Artifact` sections, decoded
/// through each font's ToUnicode map.
fn pdf_text(bytes: &[u8]) -> String {
    use lopdf::{Document, Object};
    let doc = Document::load_mem(bytes).expect("lopdf parses the PDF");
    let mut out = String::new();
    for (_, page_id) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page_id).unwrap();
        let encodings: BTreeMap<Vec<u8>, _> = fonts
            .iter()
            .map(|(name, font)| (name.clone(), font.get_font_encoding(&doc).unwrap()))
            .collect();
        let content = doc.get_and_decode_page_content(page_id).unwrap();
        let mut font = None;
        let mut artifact_depth = 0usize;
        let mut depth = 0usize;
        for op in &content.operations {
            match op.operator.as_str() {
                "BMC" | "BDC" => {
                    depth += 1;
                    if op.operands.first().and_then(|o| o.as_name().ok())
                        == Some(b"Artifact".as_slice())
                        && artifact_depth == 0
                    {
                        artifact_depth = depth;
                    }
                }
                "EMC" => {
                    if depth == artifact_depth {
                        artifact_depth = 0;
                    }
                    depth = depth.saturating_sub(1);
                }
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .map(<[u8]>::to_vec)
                }
                "Tj" | "TJ" if artifact_depth == 0 => {
                    let enc = &encodings[font.as_ref().expect("font set before text")];
                    let strings: Vec<&Object> = match &op.operands[0] {
                        Object::Array(items) => items.iter().collect(),
                        o => vec![o],
                    };
                    for s in strings {
                        if let Object::String(b, _) = s {
                            out.push_str(&Document::decode_text(enc, b).unwrap());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn pdf_text_reads_back_as_the_documents_plain_text() {
    let f = fixture();
    let text = pdf_text(&f.pdf);
    let (got, want) = (no_space(&text), no_space(&f.doc.plain_text()));
    if got != want {
        let at = got
            .chars()
            .zip(want.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let ctx = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(20))
                .take(60)
                .collect::<String>()
        };
        panic!(
            "PDF text differs at character {at}:\n got: {}\nwant: {}",
            ctx(&got),
            ctx(&want)
        );
    }
    assert!(f.pdf.len() < 600_000, "PDF is {} bytes", f.pdf.len());
}

/// Lines of running text: runs grouped by page, baseline and origin, in x order.
fn lines(pages: &[Page]) -> Vec<(u32, Origin, Vec<&TextRun>)> {
    let mut out: Vec<(u32, Origin, Vec<&TextRun>)> = Vec::new();
    for page in pages {
        let mut by_line: BTreeMap<(i64, String), Vec<&TextRun>> = BTreeMap::new();
        for run in page.text_runs().filter(|r| !r.artifact) {
            let origin = match run.source.origin {
                // a run-in heading shares its line with its paragraph
                Origin::Block { .. } => "block".to_string(),
                o => format!("{o:?}"),
            };
            by_line
                .entry(((run.baseline * 100.0).round() as i64, origin))
                .or_default()
                .push(run);
        }
        for (_, mut runs) in by_line {
            runs.sort_by(|a, b| a.glyphs[0].x.total_cmp(&b.glyphs[0].x));
            out.push((page.number, runs[0].source.origin, runs));
        }
    }
    out
}

fn line_text(runs: &[&TextRun]) -> String {
    runs.iter().map(|r| r.text()).collect()
}

#[test]
fn every_glyph_is_inside_the_text_block() {
    let tol = 0.5 * PT_PER_MM;
    for page in &fixture().pages {
        for run in page.text_runs().filter(|r| r.role != TextRole::PageNumber) {
            let top = run.baseline - EM_ASCENT * run.size;
            let bottom = run.baseline + (1.0 - EM_ASCENT) * run.size;
            assert!(
                top >= BLOCK_TOP - tol && bottom <= BLOCK_TOP + BLOCK_HEIGHT + tol,
                "{:?} p{}",
                run.text(),
                page.number
            );
            for g in &run.glyphs {
                assert!(
                    g.x >= BLOCK_LEFT - tol && g.x + g.advance <= BLOCK_LEFT + BLOCK_WIDTH + tol,
                    "{} at x {} on page {}",
                    g.ch,
                    g.x,
                    page.number
                );
            }
        }
    }
}

fn is_wide(c: char) -> bool {
    !c.is_ascii()
}

#[test]
fn body_pages_have_22_lines_of_28_characters() {
    let f = fixture();
    let all = lines(&f.pages);
    let body = |o: &Origin, runs: &[&TextRun]| {
        matches!(o, Origin::Block { .. }) && runs.iter().all(|r| r.role != TextRole::Table)
    };
    // Pages 2.. of the seed text hold nothing but running text: 22 lines each.
    let first_table_page = f
        .pages
        .iter()
        .find(|p| p.text_runs().any(|r| r.role == TextRole::Table))
        .map(|p| p.number)
        .unwrap();
    assert!(first_table_page > 4, "the seed text fills several pages");
    for n in 2..first_table_page - 1 {
        let count = all.iter().filter(|(p, o, r)| *p == n && body(o, r)).count();
        assert_eq!(count, 22, "page {n}");
    }
    // Full lines of only Chinese characters hold 28; fewer (26 or 27) only where a 禁则
    // pushed characters out — an unbreakable 街（区） cannot be split.
    let mut full = 0;
    let mut of28 = 0;
    for (_, o, runs) in &all {
        let text = line_text(runs);
        let last = runs.last().unwrap().glyphs.last().unwrap();
        let reaches_end = (last.x + last.advance - (BLOCK_LEFT + BLOCK_WIDTH)).abs() < 1.0;
        let starts_at_margin = (runs[0].glyphs[0].x - BLOCK_LEFT).abs() < 1.0;
        if body(o, runs)
            && runs[0].role == TextRole::Body
            && reaches_end
            && starts_at_margin
            && text.chars().all(is_wide)
        {
            full += 1;
            let n = text.chars().count();
            assert!((26..=28).contains(&n), "{n} characters: {text}");
            of28 += usize::from(n == 28);
        }
    }
    assert!(full > 100, "{full} full lines");
    assert!(
        of28 * 10 >= full * 8,
        "{of28} of {full} full lines have 28 characters"
    );
    // The line pitch is fixed: consecutive body lines are 225 mm / 22 apart.
    let p2: Vec<f32> = all
        .iter()
        .filter(|(p, o, r)| *p == 2 && body(o, r))
        .map(|(_, _, r)| r[0].baseline)
        .collect();
    for w in p2.windows(2) {
        assert!((w[1] - w[0] - BLOCK_HEIGHT / 22.0).abs() < 0.01);
    }
}

#[test]
fn page_numbers_alternate_right_and_left_one_character_in() {
    let pages = &fixture().pages;
    assert!(pages.len() >= 10, "{} pages", pages.len());
    for page in pages {
        let runs: Vec<&TextRun> = page
            .text_runs()
            .filter(|r| r.role == TextRole::PageNumber)
            .collect();
        let text: String = runs.iter().map(|r| r.text()).collect();
        assert_eq!(no_space(&text), format!("—{}—", page.number));
        assert!(runs.iter().all(|r| r.artifact && r.size == 14.0));
        let left = runs[0].glyphs[0].x;
        let last = runs.last().unwrap().glyphs.last().unwrap();
        let right = last.x + last.advance;
        if page.number % 2 == 1 {
            assert!(
                (right - (BLOCK_LEFT + BLOCK_WIDTH - 14.0)).abs() < 0.5,
                "page {} right {right}",
                page.number
            );
        } else {
            assert!(
                (left - (BLOCK_LEFT + 14.0)).abs() < 0.5,
                "page {} left {left}",
                page.number
            );
        }
        let below = runs[0].baseline - BLOCK_TOP - BLOCK_HEIGHT;
        assert!(
            below > 7.0 * PT_PER_MM && below < 12.0 * PT_PER_MM,
            "{below}"
        );
    }
}

const NO_START: &str = "，。、；：？！）》”";
const NO_END: &str = "（《“";

#[test]
fn no_line_starts_or_ends_with_forbidden_punctuation_and_numbers_stay_whole() {
    let all = lines(&fixture().pages);
    let mut checked = 0;
    let f = fixture();
    let vertical = |o: &Origin| match *o {
        Origin::Cell { block, row, cell } => {
            matches!(&f.doc.blocks[block], Block::Table(t) if t.rows[row].cells[cell].vertical)
        }
        _ => false,
    };
    for (i, (page, origin, runs)) in all.iter().enumerate() {
        if vertical(origin) {
            continue;
        }
        let text = line_text(runs);
        let first = text.chars().next().unwrap();
        let last = text.chars().last().unwrap();
        assert!(
            !NO_START.contains(first),
            "page {page}: line starts with {first}: {text}"
        );
        assert!(
            !NO_END.contains(last),
            "page {page}: line ends with {last}: {text}"
        );
        if let Some((_, o2, next)) = all.get(i + 1)
            && *o2 == runs[0].source.origin
            && matches!(o2, Origin::Block { .. })
        {
            let next_first = line_text(next).chars().next().unwrap();
            assert!(
                !(last.is_ascii_alphanumeric() && next_first.is_ascii_alphanumeric()),
                "a word or number is split: {text} / {}",
                line_text(next)
            );
        }
        checked += 1;
    }
    assert!(checked > 250);
    // The engineered paragraphs did reach the rule.
    let joined: Vec<String> = all.iter().map(|(_, _, r)| line_text(r)).collect();
    assert!(
        joined.iter().any(|l| l.contains("1234567890")),
        "the number stays on one line"
    );
    assert!(
        joined.iter().any(|l| l.starts_with("《政府信息公开条例》")),
        "the bracket moved down with its title"
    );
}

#[test]
fn a_long_table_repeats_its_header_rows_on_every_page() {
    let f = fixture();
    let (block, table) = f
        .doc
        .blocks
        .iter()
        .enumerate()
        .find_map(|(i, b)| match b {
            Block::Table(t) if t.columns == 6 => Some((i, t)),
            _ => None,
        })
        .unwrap();
    let pages: Vec<&Page> = f
        .pages
        .iter()
        .filter(|p| {
            p.text_runs()
                .any(|r| matches!(r.source.origin, Origin::Cell { block: b, .. } if b == block))
        })
        .collect();
    assert!(pages.len() >= 2, "the table spans {} pages", pages.len());
    for (k, page) in pages.iter().enumerate() {
        let cells: Vec<&TextRun> = page
            .text_runs()
            .filter(|r| matches!(r.source.origin, Origin::Cell { block: b, .. } if b == block))
            .collect();
        let header: Vec<&&TextRun> = cells
            .iter()
            .filter(
                |r| matches!(r.source.origin, Origin::Cell { row, .. } if row < table.header_rows),
            )
            .collect();
        let header_text: String = header.iter().map(|r| r.text()).collect();
        assert!(
            header_text.contains("序号") && header_text.contains("回应关切"),
            "page {}",
            page.number
        );
        assert!(
            header.iter().all(|r| r.artifact == (k > 0)),
            "repeated headers are artifacts"
        );
        let body_top = cells
            .iter()
            .filter(
                |r| matches!(r.source.origin, Origin::Cell { row, .. } if row >= table.header_rows),
            )
            .map(|r| r.baseline)
            .fold(f32::MAX, f32::min);
        assert!(
            header.iter().all(|r| r.baseline < body_top),
            "header above the body on page {}",
            page.number
        );
    }
}

#[test]
fn table_3_has_a_vertical_label_and_right_aligned_numbers() {
    let f = fixture();
    let block = f
        .doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Table(t) if t.columns == 10))
        .unwrap();
    let runs: Vec<&TextRun> = f
        .pages
        .iter()
        .flat_map(|p| p.text_runs())
        .filter(|r| {
            matches!(r.source.origin, Origin::Cell { block: b, .. } if b == block) && !r.artifact
        })
        .collect();
    // 三、本年度办理结果: one character under the other
    let vertical: Vec<&&TextRun> = runs
        .iter()
        .filter(|r| "三本年度办理结果".contains(&r.text()) && r.glyphs.len() == 1)
        .collect();
    assert!(vertical.len() >= 8, "{}", vertical.len());
    let xs: Vec<f32> = vertical
        .iter()
        .filter(|r| r.text() != "、")
        .map(|r| r.glyphs[0].x)
        .collect();
    assert!(xs.iter().all(|x| (x - xs[0]).abs() < 0.5), "{xs:?}");
    // numbers of one column end at the same x
    let mut right_edges: BTreeMap<usize, Vec<f32>> = BTreeMap::new();
    for r in &runs {
        if let Origin::Cell { row, cell, .. } = r.source.origin
            && let Block::Table(t) = &f.doc.blocks[block]
            && t.rows[row].cells[cell].align == nianbao::document::Align::Right
        {
            let g = r.glyphs.last().unwrap();
            right_edges
                .entry(t.rows[row].cells[cell].col)
                .or_default()
                .push(g.x + g.advance);
        }
    }
    assert_eq!(right_edges.len(), 7);
    for (col, edges) in right_edges {
        assert!(
            edges.iter().all(|e| (e - edges[0]).abs() < 0.5),
            "column {col}: {edges:?}"
        );
        assert!(edges[0] <= BLOCK_LEFT + BLOCK_WIDTH);
    }
}

#[test]
fn every_text_run_points_back_into_the_document() {
    let f = fixture();
    for run in f.pages.iter().flat_map(|p| p.text_runs()) {
        let text = run.text();
        let source: Option<String> = match (run.source.origin, run.source.run) {
            (Origin::Block { block }, Some(r)) => match &f.doc.blocks[block] {
                Block::Heading(h) => Some(h.runs[r].as_str().to_string()),
                Block::Paragraph(p) => Some(p.runs[r].as_str().to_string()),
                Block::Table(_) => None,
            },
            (Origin::Block { block }, None) => match &f.doc.blocks[block] {
                Block::Heading(h) => Some(h.number.clone()),
                _ => None,
            },
            (Origin::Cell { block, row, cell }, Some(r)) => match &f.doc.blocks[block] {
                Block::Table(t) => Some(t.rows[row].cells[cell].runs[r].as_str().to_string()),
                _ => None,
            },
            (Origin::Title, None) => Some(f.doc.title.clone()),
            (Origin::ClosingAgency, None) => f.doc.closing.as_ref().map(|c| c.agency.clone()),
            (Origin::ClosingDate, None) => f.doc.closing.as_ref().map(|c| c.date.clone()),
            (Origin::PageNumber, None) => continue,
            other => panic!("unexpected source {other:?}"),
        };
        let source = source.expect("source exists");
        let at: String = source
            .chars()
            .skip(run.source.offset)
            .take(text.chars().count())
            .collect();
        assert_eq!(at, text, "{:?}", run.source);
    }
}

#[test]
fn pages_serialize_as_plain_data() {
    let json = serde_json::to_string(&fixture().pages[0]).unwrap();
    assert!(json.contains("\"baseline\"") && json.contains("\"origin\""));
}

/// The two built-in reports compiled from the demo data: the PDF reads back as the
/// document's text, and no line of them starts with a closing mark.
#[test]
fn demo_reports_read_back_as_their_text_and_keep_the_line_rules() {
    use nianbao::compile::{CompileOptions, Template, compile};
    let fonts = FontSet::bundled().expect("bundled fonts");
    let data = nianbao::demo::data::year_data(2019);
    for id in ["work-summary", "annual-report"] {
        let template = Template::builtin(id).unwrap();
        let doc = compile(&template, &data, &CompileOptions::default())
            .unwrap()
            .document;
        let pages = layout(&doc, &fonts);
        let bytes = pdf(&pages, &fonts, &PdfMeta::default()).unwrap();
        assert_eq!(
            no_space(&pdf_text(&bytes)),
            no_space(&doc.plain_text()),
            "{id}: PDF text differs from the document"
        );
        let vertical = |o: &Origin| match *o {
            Origin::Cell { block, row, cell } => {
                matches!(&doc.blocks[block], Block::Table(t) if t.rows[row].cells[cell].vertical)
            }
            _ => false,
        };
        for (page, origin, runs) in lines(&pages) {
            if vertical(&origin) {
                continue;
            }
            let text = line_text(&runs);
            let first = text.chars().next().unwrap_or(' ');
            assert!(
                !"，。、；：？！）》”".contains(first),
                "{id} page {page}: line starts with {first}: {text}"
            );
        }
    }
}
