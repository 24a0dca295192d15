//! The report and prose readers (`import-report`, `check --prose`) fed what a hostile or
//! careless user would: pages nested deeper than any report, a Word file that unpacks to
//! gigabytes, a text far larger than a report, bytes that are no text, and arbitrary text
//! and markup (property tests). Each refusal is checked for its message, its speed, and
//! that the database, the audit log and the file handed over are unchanged.

use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::support::{Demo, nianbao, stderr};

/// `import-report` of `path` into the demo's 2019.
fn import_report(demo: &Demo, path: &Path) -> Output {
    let path = path.to_str().unwrap();
    nianbao(&["import-report", "--db", demo.db(), "--year", "2019", path])
}

/// `check --prose` of `path` against the demo's 2019.
fn check_prose(demo: &Demo, path: &Path) -> Output {
    let path = path.to_str().unwrap();
    nianbao(&[
        "check",
        "--db",
        demo.db(),
        "--year",
        "2019",
        "--prose",
        path,
    ])
}

/// Writes `bytes` to `name` in the demo's folder, runs `command` on it, and asserts that
/// it could not run (exit 2), within `limit`, with a message naming the file that
/// contains each of `says`, and that nothing changed. Returns the message.
fn refused(
    demo: &Demo,
    name: &str,
    bytes: &[u8],
    command: fn(&Demo, &Path) -> Output,
    says: &[&str],
) -> String {
    let path = demo.path(name);
    std::fs::write(&path, bytes).unwrap();
    let before = demo.fingerprint();
    let started = Instant::now();
    let out = command(demo, &path);
    let took = started.elapsed();
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(message.contains(name), "the file is named: {message}");
    for s in says {
        assert!(message.contains(s), "{s:?} in {message}");
    }
    // A guard against a reader that hangs or balloons (bombs take minutes or never end),
    // not a performance target: generous, since CI machines are shared.
    assert!(took < Duration::from_secs(60), "{name} took {took:?}");
    assert_eq!(demo.fingerprint(), before, "nothing written");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file is untouched"
    );
    message
}

/// A `.docx` whose `word/document.xml` is `head`, then `filler` repeated `times`, then
/// `tail`, written in pieces (the whole part is never one string).
fn docx(head: &str, filler: &[u8], times: usize, tail: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(head.as_bytes()).unwrap();
    for _ in 0..times {
        zip.write_all(filler).unwrap();
    }
    zip.write_all(tail.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

const DOCUMENT: &str = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#;

#[test]
fn a_page_nested_deeper_than_any_report_fails_fast_and_changes_nothing() {
    let demo = Demo::new();
    // 200,000 nested <div>s (2.2 MB) took over two minutes to parse.
    let page = format!(
        "<html><body>{}正文{}</body></html>",
        "<div>".repeat(200_000),
        "</div>".repeat(200_000)
    );
    let says = ["网页的标签嵌套超过 1000 层，不像是一份报告"];
    refused(&demo, "深.html", page.as_bytes(), import_report, &says);
    refused(&demo, "深.htm", page.as_bytes(), check_prose, &says);
    // A real page saved from a browser still reads.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report-page.html");
    let path = fixture.to_str().unwrap();
    let out = nianbao(&[
        "import-report",
        "--db",
        demo.db(),
        "--year",
        "2019",
        "--dry-run",
        path,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_word_file_that_unpacks_past_the_cap_is_refused_with_the_limit() {
    let demo = Demo::new();
    // 17 MB of text in a 17 KB file.
    let bomb = docx(DOCUMENT, &[b'a'; 1 << 20], 17, "</w:body></w:document>");
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let says = [
        "不是有效的 Word 文档（.docx）",
        "word/document.xml 解压后超过 16 MB",
    ];
    refused(&demo, "炸弹.docx", &bomb, import_report, &says);
    refused(&demo, "炸弹2.docx", &bomb, check_prose, &says);
}

#[test]
fn a_zip_header_that_lies_about_the_size_does_not_help() {
    let demo = Demo::new();
    let mut bomb = docx(DOCUMENT, &[b'a'; 1 << 20], 17, "</w:body></w:document>");
    // Every size field of the part says 1,000 bytes: local header (offset 18 and 22),
    // central directory (20 and 24), and the zip64 extra fields (8-byte sizes).
    let tell = 1000u32.to_le_bytes();
    for (signature, fields) in [(b"PK\x03\x04", [18, 22]), (b"PK\x01\x02", [20, 24])] {
        let at = bomb.windows(4).position(|w| w == signature).unwrap();
        for field in fields {
            bomb[at + field..at + field + 4].copy_from_slice(&tell);
        }
    }
    let message = refused(
        &demo,
        "谎报.docx",
        &bomb,
        import_report,
        &["不是有效的 Word 文档（.docx）", "word/document.xml"],
    );
    assert!(!message.contains("Zip"), "{message}");
}

#[test]
fn a_broken_word_file_is_told_in_chinese() {
    let demo = Demo::new();
    let message = refused(
        &demo,
        "旧版.docx",
        b"\xd0\xcf\x11\xe0 an old .doc",
        import_report,
        &["不是有效的 Word 文档（.docx）：文件已损坏，或不是 zip 压缩包"],
    );
    assert!(!message.contains("invalid"), "{message}");
    let xml = docx(
        DOCUMENT,
        b"<w:p><w:r><w:t>1</w:t></w:p>",
        1,
        "</w:body></w:document>",
    );
    let message = refused(
        &demo,
        "坏.docx",
        &xml,
        import_report,
        &["word/document.xml 第 1 行的 XML 结束标记 </w:p> 与开始标记 <w:r> 不配对"],
    );
    assert!(!message.contains("expected"), "{message}");
}

#[test]
fn a_text_larger_than_any_report_is_refused_before_it_is_read() {
    let demo = Demo::new();
    let text = "全年主动公开政府信息4387条。\n".repeat(17 * 1024 * 1024 / 40);
    assert!(text.len() > 16 * 1024 * 1024);
    let says = ["文件过大", "超过 16 MB"];
    refused(&demo, "大.txt", text.as_bytes(), import_report, &says);
    refused(&demo, "大2.txt", text.as_bytes(), check_prose, &says);
}

#[test]
fn report_text_that_is_neither_utf8_nor_gb18030_is_refused_with_its_line() {
    let demo = Demo::new();
    let mut bytes = "标题\n规章\t1\t0\t2\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xFF\n");
    refused(
        &demo,
        "乱码.txt",
        &bytes,
        import_report,
        &["既不是有效的 UTF-8 也不是 GB18030 编码", "第 3 行"],
    );
}

/// Text made of what report text is made of: table labels, numbers, tabs, runs of
/// spaces, line breaks, and anything else.
fn report_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("一、本年新收政府信息公开申请数量".to_string()),
        Just("（三）不予公开".to_string()),
        Just("3.危及“三安全一稳定”".to_string()),
        Just("行政许可".to_string()),
        Just("表二".to_string()),
        Just("\t".to_string()),
        Just("  ".to_string()),
        Just("\u{3000}".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        "[0-9,.\\-—]{1,8}",
        "\\PC{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any text reads, and any bytes read or are refused, without a panic.
    #[test]
    fn report_text_never_panics(text in report_text(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        for input in [text.as_bytes(), &bytes[..]] {
            if let Ok(blocks) = nianbao::read::text::read(input) {
                let reading = nianbao::import::report::read_blocks(&blocks, true);
                let _ = reading.tables_text();
                let _ = reading.raw_rows(2019);
            }
        }
    }
}

/// Markup from a few tags, nested and closed at random.
fn markup() -> impl Strategy<Value = String> {
    let tag = prop_oneof![
        Just("<table>"),
        Just("</table>"),
        Just("<tr>"),
        Just("</tr>"),
        Just("<td rowspan=3>"),
        Just("<td colspan=2>"),
        Just("<th>"),
        Just("</td>"),
        Just("<div>"),
        Just("</div>"),
        Just("<p>"),
        Just("<br>"),
        Just("<b>"),
        Just("</b>"),
        Just("<tbody>"),
        Just("<script>"),
        Just("</script>"),
        Just("<!--"),
        Just("-->"),
        Just("1"),
        Just("行政许可"),
        Just("&nbsp;"),
        Just("<td rowspan=99999>"),
    ];
    prop::collection::vec(tag, 0..200).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any nesting of those tags reads without a panic, and its tables are rectangles.
    #[test]
    fn web_pages_never_panic(page in markup()) {
        let blocks = nianbao::read::html::read(page.as_bytes()).unwrap();
        for block in &blocks {
            if let nianbao::read::Block::Table(t) = block {
                let width = t.rows.first().map_or(0, Vec::len);
                prop_assert!(t.rows.iter().all(|r| r.len() == width));
            }
        }
        let _ = nianbao::import::report::read_blocks(&blocks, false);
    }
}
