//! `nianbao import-report` end to end, on temporary files: the demo's annual report
//! exported as DOCX and as text and read back into a fresh file; a report as Word writes
//! it (built here as raw WordprocessingML); a browser-saved page; table text with label
//! variants, blank columns and the one-row （六）其他处理; cells that cannot be placed;
//! and the checks that real reports fail, across two imported years.

use std::collections::BTreeMap;
use std::io::Write;
#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};

use cli::{import_report, national, ok, run, text};
use nianbao::model::national::{T3_COLUMNS, T3_ROWS, T4_COLUMNS, T4_GROUPS, national_metrics};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A new file for an agency with `year` open.
fn init(dir: &Path, name: &str, year: i32) -> PathBuf {
    cli::init(dir, name, "某市某局", year)
}

fn check(db: &Path, year: i32) -> (Option<i32>, String) {
    let out = run(&[
        "check",
        "--db",
        db.to_str().unwrap(),
        "--year",
        &year.to_string(),
    ]);
    (out.status.code(), text(&out.stdout))
}

#[test]
fn demo_report_as_docx_and_as_text_reads_back_every_table_value() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.db");
    ok(&["demo", "--db", demo.to_str().unwrap()]);
    let (docx, txt) = (dir.path().join("年报.docx"), dir.path().join("年报.txt"));
    ok(&[
        "export",
        "--db",
        demo.to_str().unwrap(),
        "--year",
        "2019",
        "--template",
        "annual-report",
        "--docx",
        docx.to_str().unwrap(),
        "--text",
        txt.to_str().unwrap(),
    ]);
    let expected = national(&demo, 2019);
    assert_eq!(expected.len(), national_metrics().len());
    for (i, report) in [&docx, &txt].into_iter().enumerate() {
        let db = init(dir.path(), &format!("fresh{i}.db"), 2019);
        let out = import_report(&db, 2019, report, &[]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
        // What was read is shown before the plan.
        let shown = stdout.find("（七）总计").unwrap();
        let done = stdout.find("已导入").unwrap();
        assert!(shown < done, "{stdout}");
        assert!(
            stdout.contains(&format!("新增 {} 项", expected.len())),
            "{stdout}"
        );
        assert_eq!(national(&db, 2019), expected, "{}", report.display());
        // Importing the same report again changes nothing.
        let again = text(&import_report(&db, 2019, report, &[]).stdout);
        assert!(
            again.contains(&format!("不变 {} 项", expected.len())),
            "{again}"
        );
    }
}

/// A value for every national cell, distinct per cell so that a column mix-up shows;
/// 科研机构 left blank in table 3, the fee with six places.
fn word_values() -> BTreeMap<String, String> {
    national_metrics()
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let v = if m.code == "t2.fees.amount" {
                "1234.567891".to_string()
            } else if m.code.starts_with("t3.") && m.code.ends_with(".research") {
                String::new()
            } else {
                (i + 3).to_string()
            };
            (m.code, v)
        })
        .collect()
}

/// WordprocessingML as Word writes it: runs split with proof marks and rsids, labels
/// broken with `w:br`, `w:vMerge` continuations without a value, `w:gridSpan`.
struct WordXml(String);

impl WordXml {
    fn p(&mut self, text: &str) {
        self.0.push_str(&paragraph(text));
    }

    fn table(&mut self, rows: &[Vec<(String, usize, Option<&str>)>]) {
        self.0.push_str(r#"<w:tbl><w:tblPr><w:tblStyle w:val="a3"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid/>"#);
        for row in rows {
            self.0
                .push_str(r#"<w:tr w:rsidR="00D21F5C"><w:trPr><w:jc w:val="center"/></w:trPr>"#);
            for (text, span, merge) in row {
                self.0
                    .push_str("<w:tc><w:tcPr><w:tcW w:w=\"800\" w:type=\"dxa\"/>");
                if *span > 1 {
                    self.0.push_str(&format!(r#"<w:gridSpan w:val="{span}"/>"#));
                }
                match merge {
                    Some("restart") => self.0.push_str(r#"<w:vMerge w:val="restart"/>"#),
                    Some(_) => self.0.push_str("<w:vMerge/>"),
                    None => {}
                }
                self.0.push_str(r#"<w:vAlign w:val="center"/></w:tcPr>"#);
                if matches!(merge, Some("continue")) {
                    self.0.push_str(r#"<w:p w:rsidR="00D21F5C"/>"#);
                } else {
                    self.0.push_str(&paragraph(text));
                }
                self.0.push_str("</w:tc>");
            }
            self.0.push_str("</w:tr>");
        }
        self.0.push_str("</w:tbl>");
    }

    fn docx(&self) -> Vec<u8> {
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{}<w:sectPr/></w:body></w:document>"#,
            self.0
        );
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, content) in [
            ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string()),
            ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string()),
            ("word/document.xml", document),
        ] {
            zip.start_file(name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }
}

/// A paragraph with its text in two runs (Word splits at proofing marks), `\n` as
/// `w:br`, and a bookmark, as Word leaves them.
fn paragraph(text: &str) -> String {
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
    let chars: Vec<char> = escaped.chars().collect();
    let (a, b): (String, String) = (
        chars[..chars.len() / 2].iter().collect(),
        chars[chars.len() / 2..].iter().collect(),
    );
    let run = |t: &str| {
        t.split('\n')
            .map(|piece| {
                format!(r#"<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t xml:space="preserve">{piece}</w:t></w:r>"#)
            })
            .collect::<Vec<_>>()
            .join(r#"<w:r><w:br/></w:r>"#)
    };
    format!(
        r#"<w:p w:rsidR="00D21F5C" w:rsidRDefault="00D21F5C"><w:pPr><w:jc w:val="center"/></w:pPr><w:bookmarkStart w:id="0" w:name="_GoBack"/>{}<w:proofErr w:type="spellStart"/>{}<w:bookmarkEnd w:id="0"/></w:p>"#,
        run(&a),
        run(&b)
    )
}

/// Tables 2–4 laid out as the national format, the way Word writes merged cells.
fn word_report(values: &BTreeMap<String, String>) -> Vec<u8> {
    let v = |code: String| values[&code].clone();
    let cell = |t: &str| (t.to_string(), 1, None);
    let mut w = WordXml(String::new());
    w.p("二、主动公开政府信息情况");
    // Table 2 as one table with sub-headers, values spanning three columns.
    let mut rows = vec![
        vec![("第二十条第（一）项".to_string(), 4, None)],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
            .map(cell)
            .to_vec(),
    ];
    for (code, label) in [("rules", "规章"), ("normative", "行政规范性文件")] {
        let mut row = vec![cell(label)];
        for col in ["issued", "repealed", "effective"] {
            row.push((v(format!("t2.{code}.{col}")), 1, None));
        }
        rows.push(row);
    }
    for (clause, head, items) in [
        (
            "五",
            "本年处理决定数量",
            vec![("license", "行政许可", "decisions")],
        ),
        (
            "六",
            "本年处理决定数量",
            vec![
                ("penalty", "行政处罚", "decisions"),
                ("enforcement", "行政强制", "decisions"),
            ],
        ),
        (
            "八",
            "本年收费金额\n（单位：万元）",
            vec![("fees", "行政事业性收费", "amount")],
        ),
    ] {
        rows.push(vec![(format!("第二十条第（{clause}）项"), 4, None)]);
        rows.push(vec![cell("信息内容"), (head.to_string(), 3, None)]);
        for (code, label, col) in items {
            rows.push(vec![cell(label), (v(format!("t2.{code}.{col}")), 3, None)]);
        }
    }
    w.table(&rows);

    w.p("三、收到和处理政府信息公开申请情况");
    let header = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
    let mut rows = vec![
        vec![
            (header.to_string(), 3, Some("restart")),
            ("申请人情况".to_string(), 7, None),
        ],
        vec![
            (String::new(), 3, Some("continue")),
            ("自然人".to_string(), 1, Some("restart")),
            ("法人或其他组织".to_string(), 5, None),
            ("总计".to_string(), 1, Some("restart")),
        ],
        std::iter::once((String::new(), 3, Some("continue")))
            .chain(std::iter::once((String::new(), 1, Some("continue"))))
            .chain(T3_COLUMNS[1..6].iter().map(|(_, l)| cell(l)))
            .chain(std::iter::once((String::new(), 1, Some("continue"))))
            .collect(),
    ];
    let groups = [
        ("deny", "（三）不予公开"),
        ("unable", "（四）无法提供"),
        ("reject", "（五）不予处理"),
        ("other", "（六）其他处理"),
    ];
    let mut item = 0;
    for (code, label) in T3_ROWS {
        let mut row = Vec::new();
        match code {
            "new" => row.push(("一、本年新收政府信息\n公开申请数量".to_string(), 3, None)),
            "carried_in" => row.push((format!("二、{label}"), 3, None)),
            "carried_out" => row.push((format!("四、{label}"), 3, None)),
            _ => {
                let first = code == "open";
                row.push((
                    "三、本年度办理结果".to_string(),
                    1,
                    Some(if first { "restart" } else { "continue" }),
                ));
                match groups
                    .iter()
                    .find(|(g, _)| code.starts_with(&format!("{g}.")))
                {
                    Some((g, group_label)) => {
                        let start = T3_ROWS
                            .iter()
                            .find(|(c, _)| c.starts_with(&format!("{g}.")))
                            .map(|(c, _)| *c)
                            == Some(code);
                        if start {
                            item = 0;
                        }
                        item += 1;
                        row.push((
                            group_label.to_string(),
                            1,
                            Some(if start { "restart" } else { "continue" }),
                        ));
                        row.push(cell(&format!("{item}.{label}")));
                    }
                    None => {
                        let n = match code {
                            "open" => "（一）",
                            "partial" => "（二）",
                            _ => "（七）",
                        };
                        row.push((format!("{n}{label}"), 2, None));
                    }
                }
            }
        }
        for (col, _) in T3_COLUMNS {
            row.push((v(format!("t3.{code}.{col}")), 1, None));
        }
        rows.push(row);
    }
    w.table(&rows);

    w.p("四、政府信息公开行政复议、行政诉讼情况");
    let mut rows = vec![
        vec![
            ("行政复议".to_string(), 5, Some("restart")),
            ("行政诉讼".to_string(), 10, None),
        ],
        vec![
            (String::new(), 5, Some("continue")),
            ("未经复议直接起诉".to_string(), 5, None),
            ("复议后起诉".to_string(), 5, None),
        ],
        (0..15).map(|i| cell(T4_COLUMNS[i % 5].1)).collect(),
    ];
    rows.push(
        T4_GROUPS
            .iter()
            .flat_map(|(g, _)| T4_COLUMNS.iter().map(move |(c, _)| format!("t4.{g}.{c}")))
            .map(|code| (v(code), 1, None))
            .collect(),
    );
    w.table(&rows);
    w.p("五、存在的主要问题及改进情况");
    w.docx()
}

#[test]
fn a_report_as_word_writes_it_reads_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let values = word_values();
    let path = dir.path().join("2020年报.docx");
    std::fs::write(&path, word_report(&values)).unwrap();
    let db = init(dir.path(), "word.db", 2020);
    let out = import_report(&db, 2020, &path, &[]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(national(&db, 2020), values);
}

#[test]
fn a_browser_saved_page_with_merged_cells_and_nbsp() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "page.db", 2020);
    let out = import_report(&db, 2020, &fixture("report-page.html"), &[]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let got = national(&db, 2020);
    assert_eq!(got.len(), national_metrics().len());
    for (code, value) in [
        ("t2.normative.effective", "31"),
        ("t2.enforcement.decisions", ""),
        ("t2.fees.amount", "0.000352"),
        ("t3.new.natural", "7"),
        ("t3.new.business", "1"),
        ("t3.new.research", ""),
        ("t3.deny.third_party.natural", "1"),
        ("t3.unable.not_held.total", "2"),
        ("t3.results_total.total", "9"),
        ("t4.review.corrected", "1"),
        ("t4.suit_direct.pending", "1"),
        ("t4.suit_direct.total", "1"),
    ] {
        assert_eq!(got[code], value, "{code}");
    }
    // The page balances: no errors.
    let (code, out) = check(&db, 2020);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn text_with_label_variants_blank_columns_and_one_row_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "variants.db", 2020);
    let dbs = db.to_str().unwrap();
    let path = fixture("report-variants.txt");

    // --dry-run shows the tables and the notices and writes nothing.
    let out = import_report(&db, 2020, &path, &["--dry-run"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("未写入"), "{stdout}");
    assert!(national(&db, 2020).is_empty());
    assert!(stdout.contains("t3.other.other"), "{stdout}");
    assert!(stdout.contains("另行制做"), "{stdout}");

    let out = import_report(&db, 2020, &path, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = national(&db, 2020);
    assert_eq!(got["t2.normative.effective"], "17");
    assert_eq!(got["t2.license.decisions"], "1206");
    assert_eq!(got["t2.enforcement.decisions"], "");
    assert_eq!(got["t2.fees.amount"], "24252.311082");
    assert_eq!(got["t3.new.natural"], "12");
    assert_eq!(got["t3.other.other.total"], "1");
    assert!(!got.contains_key("t3.other.overdue_fee.total"));
    // Blank organisation columns are stored blank (未填报), not 0.
    assert_eq!(got["t3.new.business"], "");
    let listing = ok(&[
        "values",
        "--db",
        dbs,
        "--year",
        "2020",
        "--metric",
        "t3.new.business",
    ]);
    assert!(listing.contains("t3.new.business,,未填报"), "{listing}");

    // The report's table 4 has 总计 0 beside 结果维持 1: an error naming the row.
    let (code, out) = check(&db, 2020);
    assert_eq!(code, Some(1), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("t4.identity.total"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains("行政复议") && line.contains("总计为0"),
        "{line}"
    );
    assert!(line.contains("结果维持1"), "{line}");

    // A corrected report: the change is listed, old → new, before anything is written.
    let corrected = dir.path().join("corrected.txt");
    let text_before = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &corrected,
        text_before.replace("规范性文件\t3\t1\t17", "规范性文件\t3\t1\t18"),
    )
    .unwrap();
    let out = import_report(&db, 2020, &corrected, &["--dry-run"]);
    let stdout = text(&out.stdout);
    let change = stdout
        .lines()
        .find(|l| l.starts_with("将修改"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        change.contains("t2.normative.effective") && change.contains("17 → 18"),
        "{change}"
    );
    assert!(stdout.contains("修改 1 项"), "{stdout}");
    assert_eq!(national(&db, 2020)["t2.normative.effective"], "17");
}

#[test]
fn cells_that_cannot_be_placed_are_reported_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "bad.db", 2020);
    let variants = std::fs::read_to_string(fixture("report-variants.txt")).unwrap();
    let bad = variants
        .replace("(七)总计", "(八)其他情形\t1\t\t\t\t\t\t1\n(七)总计")
        .replace("规范性文件\t3\t1\t17", "规范性文件\t3\t17")
        .replace("行政许可\t1,206", "行政许可\t约1206");
    let path = dir.path().join("bad.txt");
    std::fs::write(&path, bad).unwrap();
    let out = import_report(&db, 2020, &path, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.contains("表三") && l.contains("其他情形") && l.contains("第 1 个数")),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.contains("行政规范性文件") && l.contains("应有 3 个数")),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.contains("行政许可")
            && l.contains("本年处理决定数量")
            && l.contains("约1206")),
        "{err}"
    );
    assert!(err.contains("未导入任何数据"), "{err}");
    assert!(national(&db, 2020).is_empty());
}

#[test]
fn checks_across_two_imported_years() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "years.db", 2020);
    let dbs = db.to_str().unwrap();
    ok(&["year", "--db", dbs, "--open", "2019"]);
    let variants = std::fs::read_to_string(fixture("report-variants.txt")).unwrap();
    let last_year = dir.path().join("2019.txt");
    std::fs::write(&last_year, &variants).unwrap();
    assert!(import_report(&db, 2019, &last_year, &[]).status.success());

    // 2020: 现行有效 25, but 17 + 2 − 0 = 19; 上年结转 3, but 2019 结转下年度 1.
    let this_year = variants
        .replace("规范性文件\t3\t1\t17", "规范性文件\t2\t0\t25")
        .replace(
            "本年新收 政府信息公开申请数量\t12\t\t\t\t\t\t12",
            "本年新收 政府信息公开申请数量\t10\t\t\t\t\t\t10",
        )
        .replace(
            "上年结转政府信息公开申请数量\t1\t\t\t\t\t\t1",
            "上年结转政府信息公开申请数量\t3\t\t\t\t\t\t3",
        );
    assert_ne!(this_year, variants);
    let path = dir.path().join("2020.txt");
    std::fs::write(&path, this_year).unwrap();
    assert!(import_report(&db, 2020, &path, &[]).status.success());

    let (_, out) = check(&db, 2020);
    let roll = out
        .lines()
        .find(|l| l.contains("t2.effective.roll"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(roll.starts_with("[提示]"), "{roll}");
    for number in ["25", "17", "2", "0", "19"] {
        assert!(roll.contains(number), "{number}: {roll}");
    }
    let carried: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("t3.carried_in："))
        .collect();
    assert_eq!(carried.len(), 2, "{out}"); // 自然人 and 总计
    assert!(
        carried
            .iter()
            .all(|l| l.starts_with("[错误]") && l.contains("2019"))
    );
    assert!(
        carried[0].contains("自然人") && carried[0].contains('3'),
        "{carried:?}"
    );

    // Last year's report re-imported for 2020 rolls nothing and carries nothing wrong.
    let db2 = init(dir.path(), "clean.db", 2020);
    let dbs2 = db2.to_str().unwrap();
    ok(&["year", "--db", dbs2, "--open", "2019"]);
    assert!(import_report(&db2, 2019, &last_year, &[]).status.success());
    let clean = variants.replace("规范性文件\t3\t1\t17", "规范性文件\t2\t0\t19");
    let path = dir.path().join("2020-clean.txt");
    std::fs::write(&path, clean).unwrap();
    assert!(import_report(&db2, 2020, &path, &[]).status.success());
    let (_, out) = check(&db2, 2020);
    assert!(!out.contains("t2.effective.roll"), "{out}");
    assert!(!out.contains("t3.carried_in："), "{out}");
}

#[test]
fn a_year_not_opened_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "closed.db", 2020);
    let out = import_report(&db, 2019, &fixture("report-variants.txt"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("year --open 2019"),
        "{}",
        text(&out.stderr)
    );
}
