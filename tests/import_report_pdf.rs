//! `nianbao import-report` and `check --prose` of a `.pdf`, read in-process: the demo's
//! annual report as our exporter writes it (CID fonts, `Identity-H`), and as LibreOffice
//! renders its DOCX (a Word-like producer: simple fonts with `ToUnicode`); a scan (an
//! image, no text), bytes that are no PDF, a truncated PDF, an encrypted one.
//!
//! The tests that need LibreOffice or poppler's `pdftotext` (the yardstick: the PDF must
//! read as its `pdftotext -layout` text does) are `#[ignore]`d; `.ci/run` runs them with
//! `-- --ignored`, and they fail when a tool is missing.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/ooxml.rs"]
mod ooxml;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cli::{check_prose, import_report, national, ok, text};
use lopdf::{Document, Object, Stream, dictionary};
use nianbao::import::report::{Reading, read_blocks};
use nianbao::model::national::national_metrics;

/// The demo file, and its 2019 annual report exported as PDF and DOCX into `dir`.
fn demo_exports(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let demo = dir.join("demo.db");
    ok(&["demo", "--db", demo.to_str().unwrap()]);
    let (pdf, docx) = (dir.join("年报.pdf"), dir.join("年报.docx"));
    ok(&[
        "export",
        "--db",
        demo.to_str().unwrap(),
        "--year",
        "2019",
        "--template",
        "annual-report",
        "--pdf",
        pdf.to_str().unwrap(),
        "--docx",
        docx.to_str().unwrap(),
    ]);
    (demo, pdf, docx)
}

/// Imports `pdf` into a new file for 2019 and asserts it gives the demo's figures.
fn imports_as_the_demo(dir: &Path, demo: &Path, pdf: &Path, name: &str) {
    let expected = national(demo, 2019);
    assert_eq!(expected.len(), national_metrics().len());
    let db = cli::init(dir, name, "某市某局", 2019);
    let out = import_report(&db, 2019, pdf, &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("新增 {} 项", expected.len())),
        "{stdout}"
    );
    assert_eq!(national(&db, 2019), expected, "{}", pdf.display());
}

#[test]
fn the_demo_report_as_our_pdf_reads_back_every_table_value() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, pdf, _) = demo_exports(dir.path());
    imports_as_the_demo(dir.path(), &demo, &pdf, "fresh.db");
}

/// The demo with four table cells left blank: the first value column of a table-3
/// row (right of its label), the first of table 4's row (no label on its line), one in
/// the middle of it, and table 2's one-value row 行政事业性收费 (no number on its line). Returns the file, its PDF and its DOCX of the annual report.
fn demo_with_blanks(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let demo = dir.join("blanks.db");
    ok(&["demo", "--db", demo.to_str().unwrap()]);
    let csv = cli::write_file(
        dir,
        "blanks.csv",
        "year,month,division,metric,value\n\
         2019,,office,t3.open.natural,\n\
         2019,,office,t4.review.upheld,\n\
         2019,,office,t4.review.other,\n\
         2019,,office,t2.fees.amount,\n",
    );
    let db = demo.to_str().unwrap();
    ok(&[
        "import",
        "--db",
        db,
        "--year",
        "2019",
        "--clear-blanks",
        csv.to_str().unwrap(),
    ]);
    let (pdf, docx) = (dir.join("blanks.pdf"), dir.join("blanks.docx"));
    ok(&[
        "export",
        "--db",
        db,
        "--year",
        "2019",
        "--template",
        "annual-report",
        "--pdf",
        pdf.to_str().unwrap(),
        "--docx",
        docx.to_str().unwrap(),
    ]);
    let blank = national(&demo, 2019);
    for code in [
        "t3.open.natural",
        "t4.review.upheld",
        "t4.review.other",
        "t2.fees.amount",
    ] {
        assert_eq!(blank[code], "", "{code} is blank in the demo now");
    }
    (demo, pdf, docx)
}

#[test]
fn blank_cells_of_our_pdf_read_as_blank_not_as_the_next_columns_value() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, pdf, _) = demo_with_blanks(dir.path());
    imports_as_the_demo(dir.path(), &demo, &pdf, "fresh.db");
}

#[test]
#[ignore = "needs LibreOffice (soffice): run by .ci/run"]
fn blank_cells_of_libreoffices_pdf_read_as_blank() {
    let soffice = ooxml::libreoffice();
    let dir = tempfile::tempdir().unwrap();
    let (demo, _, docx) = demo_with_blanks(dir.path());
    let bytes = std::fs::read(&docx).unwrap();
    let pdf = ooxml::convert_to_pdf(&soffice, dir.path(), "lo.docx", &bytes);
    imports_as_the_demo(dir.path(), &demo, &pdf, "fresh.db");
}

#[test]
fn check_prose_reads_the_pdfs_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, pdf, _) = demo_exports(dir.path());
    let out = check_prose(&demo, &pdf, &["--json"]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.code() != Some(2),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let sentences = json["prose"]["sentences"].as_u64().unwrap();
    assert!(sentences > 20, "{stdout}");
}

/// What the report reader makes of blocks: placed cells and what could not be placed.
fn placed(reading: &Reading) -> (Vec<(String, String)>, Vec<String>) {
    (
        reading
            .placed
            .iter()
            .map(|p| (p.code.clone(), p.text.clone()))
            .collect(),
        reading.unplaced.iter().map(ToString::to_string).collect(),
    )
}

/// `pdftotext -layout` of `pdf`.
fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) on the PATH: run scripts/install-test-deps.sh");
    assert!(out.status.success());
    text(&out.stdout)
}

/// Reads `pdf` in-process and as its `pdftotext -layout` text: the report reader must
/// place every cell from ours, and each cell it places from pdftotext's the same. (Ours
/// may read more: for LibreOffice's PDF pdftotext runs two narrow cells of table 3
/// together, `64 11`, and that row is refused from its text.)
fn reads_like_pdftotext(pdf: &Path) {
    let bytes = std::fs::read(pdf).unwrap();
    let started = Instant::now();
    let ours = nianbao::read::pdf::read(&bytes).unwrap();
    eprintln!("{}: read in {:?}", pdf.display(), started.elapsed());
    let theirs = nianbao::read::text::read(pdftotext(pdf).as_bytes()).unwrap();
    let (ours, theirs) = (
        placed(&read_blocks(&ours, true)),
        placed(&read_blocks(&theirs, true)),
    );
    assert_eq!(ours.1, Vec::<String>::new(), "unplaced");
    assert_eq!(ours.0.len(), national_metrics().len());
    for cell in &theirs.0 {
        assert!(ours.0.contains(cell), "{cell:?} from pdftotext's text");
    }
}

#[test]
#[ignore = "needs pdftotext (poppler-utils): run by .ci/run"]
fn our_pdf_reads_as_its_pdftotext_text() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pdf, _) = demo_exports(dir.path());
    reads_like_pdftotext(&pdf);
}

#[test]
#[ignore = "needs LibreOffice (soffice): run by .ci/run"]
fn our_docx_rendered_by_libreoffice_reads_back_every_table_value() {
    let soffice = ooxml::libreoffice();
    let dir = tempfile::tempdir().unwrap();
    let (demo, _, docx) = demo_exports(dir.path());
    let bytes = std::fs::read(&docx).unwrap();
    let pdf = ooxml::convert_to_pdf(&soffice, dir.path(), "lo.docx", &bytes);
    imports_as_the_demo(dir.path(), &demo, &pdf, "fresh.db");
    reads_like_pdftotext(&pdf);
}

/// A one-page PDF written by lopdf: `build` adds what the page needs to the document
/// and returns the page's content and resources.
fn one_page(build: impl FnOnce(&mut Document) -> (Vec<u8>, lopdf::Dictionary)) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let (content, resources) = build(&mut doc);
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let resources_id = doc.add_object(resources);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A page that is one grey image, as a scanner writes it.
fn scanned_pdf() -> Vec<u8> {
    one_page(|doc| {
        let (w, h) = (40, 30);
        let image = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => w,
                "Height" => h,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            vec![0x80; (w * h) as usize],
        ));
        (
            b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec(),
            dictionary! { "XObject" => dictionary! { "Im1" => image } },
        )
    })
}

/// Runs `import-report` and `check --prose` on `bytes` saved as `name`; both must refuse
/// (exit 2) naming the file and saying `says`, and the file's figures must not change.
fn refused(name: &str, bytes: &[u8], says: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = cli::init(dir.path(), "db.db", "某市某局", 2019);
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let before = national(&db, 2019);
    let import = import_report(&db, 2019, &path, &[]);
    let prose = check_prose(&db, &path, &[]);
    for out in [import, prose] {
        let message = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{message}\n{}",
            text(&out.stdout)
        );
        assert!(message.contains(name), "{message}");
        assert!(message.contains(says), "{says:?} in {message}");
        assert!(!message.contains("panicked"), "{message}");
    }
    assert_eq!(national(&db, 2019), before);
}

#[test]
fn a_scan_without_a_text_layer_is_refused_saying_so() {
    refused(
        "扫描件.pdf",
        &scanned_pdf(),
        "该 PDF 没有文字层（可能是扫描件），无法读取；请用原始 Word 文件或复制文字",
    );
}

#[test]
fn bytes_that_are_no_pdf_and_a_truncated_pdf_are_refused() {
    refused(
        "坏.pdf",
        b"PK\x03\x04 not a pdf at all",
        "不是有效的 PDF 文件",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, pdf, _) = demo_exports(dir.path());
    let bytes = std::fs::read(&pdf).unwrap();
    refused("截断.pdf", &bytes[..bytes.len() / 3], "PDF");
    // Every byte flipped in a stretch of the middle: damaged, but never a panic.
    let mut damaged = bytes.clone();
    let mid = damaged.len() / 2;
    for b in &mut damaged[mid..mid + 4000] {
        *b = !*b;
    }
    let path = dir.path().join("损坏.pdf");
    std::fs::write(&path, &damaged).unwrap();
    let db = cli::init(dir.path(), "d.db", "某市某局", 2019);
    let out = import_report(&db, 2019, &path, &[]);
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

/// `qpdf --encrypt USER owner 256` of `pdf` into `out`.
fn encrypted(pdf: &Path, user: &str, out: &Path) {
    let status = Command::new("qpdf")
        .args(["--encrypt", user, "owner", "256", "--extract=n", "--"])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("qpdf on the PATH: run scripts/install-test-deps.sh");
    assert!(status.success());
}

#[test]
#[ignore = "needs qpdf: run by .ci/run"]
fn a_pdf_protected_against_copying_reads_and_one_with_an_open_password_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, pdf, _) = demo_exports(dir.path());
    // An owner password only (no copying, no printing), as many sites publish.
    let protected = dir.path().join("禁止复制.pdf");
    encrypted(&pdf, "", &protected);
    imports_as_the_demo(dir.path(), &demo, &protected, "fresh.db");
    let locked = dir.path().join("有密码.pdf");
    encrypted(&pdf, "secret", &locked);
    refused(
        "有密码.pdf",
        &std::fs::read(&locked).unwrap(),
        "该 PDF 已加密（设有打开密码），无法读取",
    );
}
