//! `nianbao check --prose` end to end: report texts written for the test against the demo
//! file (a contradiction, a typed figure, a number copied from last year, a sentence
//! identical to last year's, PDF-style hard wraps and spaced numbers), the demo's own
//! exported reports (no contradictions, as text and as text out of its PDF), JSON, and
//! the files that cannot be read. The PDF part needs poppler's `pdftotext`: it is
//! `#[ignore]`d and run by `.ci/run` (`cargo test --test prose -- --ignored`).

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli::{check_prose, demo, run, text};
use rust_decimal::Decimal;

/// The demo's yearly value of a national metric.
fn national(year: i32, code: &str) -> Decimal {
    nianbao::demo::data::national_values(year)
        .into_iter()
        .find(|(c, _)| c == code)
        .map(|(_, v)| v)
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

fn kinds(report: &serde_json::Value) -> Vec<String> {
    report["prose"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_report_text_with_each_kind_of_problem() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let new_2019 = national(2019, "t3.new.total");
    let new_2018 = national(2018, "t3.new.total");
    let open_2019 = national(2019, "t3.open.total");
    let effective_2018 = national(2018, "t2.normative.effective");
    let effective_2019 = national(2019, "t2.normative.effective");
    assert!(new_2019 != Decimal::from(17) && effective_2018 != effective_2019);
    // Last year's report, and this year's: one sentence kept word for word, a
    // contradiction, a typed figure, a copied one, hard-wrapped like a PDF with spaced
    // numbers.
    let previous = "本报告根据《中华人民共和国政府信息公开条例》和年度报告格式要求编制。\n\
                    全年共受理政府信息公开申请68件。\n";
    let report = format!(
        "本报告根据《中华人民共和国政府信息公开条例》和年度报告格式要求编制。\n\
         2019年，本机关全年共受理政府信息公开申请17件，其中予以公开 {open_2019} 件，均\n\
         已按期答复。现行有效的行政规范性文件{effective_2018}件。\n\
         —1—\n\n\u{c}2019年12月31日前，依据第17条办理。\n"
    );
    let prev_path = dir.path().join("2018.txt");
    let path = dir.path().join("2019.txt");
    std::fs::write(&prev_path, previous).unwrap();
    std::fs::write(&path, &report).unwrap();
    let out = check_prose(&db, &path, &["--previous", prev_path.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("prose.same_sentence 第1行"), "{stdout}");
    assert!(
        stdout.contains("“17件”") && stdout.contains(&format!("数据为{new_2019}件")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("“{open_2019}件”与数据相同")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("疑似沿用上年数字：“{effective_2018}件”")),
        "{stdout}"
    );
    assert!(
        stdout.contains("第3行"),
        "the copied figure is on line 3: {stdout}"
    );
    assert!(
        stdout.contains(
            "与数据不符 1 处，疑似沿用上年数字 1 处，未引用数据 1 处，与上年相同的句子 1 句"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("未提供上年报告"));
    assert_ne!(new_2018, new_2019);

    // The same as JSON: byte ranges point at the digits in the file.
    let out = check_prose(
        &db,
        &path,
        &["--previous", prev_path.to_str().unwrap(), "--json"],
    );
    let value = json(&out);
    assert_eq!(
        kinds(&value),
        [
            "same_as_last_year",
            "contradiction",
            "typed_not_linked",
            "copied_from_last_year"
        ]
    );
    let flag = &value["prose"]["flags"][1];
    let range = &flag["number"]["range"];
    let (start, end) = (
        range["start"].as_u64().unwrap() as usize,
        range["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&report[start..end], "17");
    assert_eq!(flag["figure"]["metric"], "t3.new.total");
    assert_eq!(flag["figure"]["value"], new_2019.to_string());
    let copied = &value["prose"]["flags"][3];
    assert_eq!(copied["last_year"]["value"], effective_2018.to_string());
    assert_eq!(copied["figure"]["value"], effective_2019.to_string());
    assert!(value["findings"].is_array());

    // Without last year's text, identical sentences are not looked for — said once.
    let out = check_prose(&db, &path, &[]);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("未提供上年报告（--previous）").count(), 1);
    assert!(!stdout.contains("prose.same_sentence"));
}

/// The demo's report `template` exported as plain text and, with `pdf`, also as text
/// out of its PDF (poppler's `pdftotext`): the files a clerk would hand to `--prose`.
fn exported_texts(dir: &Path, db: &Path, template: &str, pdf: bool) -> Vec<PathBuf> {
    let txt = dir.join(format!("{template}.txt"));
    let pdf_path = dir.join(format!("{template}.pdf"));
    let mut args = vec![
        "export",
        "--db",
        db.to_str().unwrap(),
        "--year",
        "2019",
        "--template",
        template,
        "--text",
        txt.to_str().unwrap(),
    ];
    if pdf {
        args.extend(["--pdf", pdf_path.to_str().unwrap()]);
    }
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut texts = vec![txt.clone()];
    if pdf {
        let from_pdf = dir.join(format!("{template}.pdf.txt"));
        let out = Command::new("pdftotext")
            .args([pdf_path.to_str().unwrap(), from_pdf.to_str().unwrap()])
            .output()
            .expect("pdftotext (poppler-utils) runs: scripts/install-test-deps.sh installs it");
        assert!(out.status.success(), "{}", text(&out.stderr));
        texts.push(from_pdf);
    }
    texts
}

/// How many figures `check --prose` finds typed but not linked in each file; any other
/// flag (a contradiction above all) fails the test.
fn typed_not_linked(db: &Path, files: &[PathBuf], template: &str) -> Vec<usize> {
    files
        .iter()
        .map(|file| {
            let kinds = kinds(&json(&check_prose(db, file, &["--json"])));
            assert!(
                kinds.iter().all(|k| k == "typed_not_linked"),
                "{template} {}: {kinds:?}",
                file.display()
            );
            kinds.len()
        })
        .collect()
}

#[test]
fn the_demos_own_reports_contradict_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for template in ["work-summary", "annual-report"] {
        let files = exported_texts(dir.path(), &db, template, false);
        assert!(typed_not_linked(&db, &files, template)[0] > 0, "{template}");
    }
}

#[test]
#[ignore = "needs poppler (pdftotext): run by .ci/run"]
fn text_out_of_the_demos_pdfs_finds_what_the_plain_text_finds() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for template in ["work-summary", "annual-report"] {
        let files = exported_texts(dir.path(), &db, template, true);
        let typed = typed_not_linked(&db, &files, template);
        assert!(typed[0] > 0, "{template}");
        assert!(
            typed.iter().all(|n| *n == typed[0]),
            "{template}: {typed:?}"
        );
    }
}

#[test]
fn files_that_cannot_be_read_stop_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // A PDF cut short: read in-process, and said to be damaged.
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, b"%PDF-1.7").unwrap();
    let out = check_prose(&db, &pdf, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("不是有效的 PDF 文件"),
        "{}",
        text(&out.stderr)
    );
    let odt = dir.path().join("report.odt");
    std::fs::write(&odt, b"PK").unwrap();
    let out = check_prose(&db, &odt, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("不支持的文件类型"),
        "{}",
        text(&out.stderr)
    );
    let out = check_prose(&db, &dir.path().join("missing.txt"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("无法读取"));
    // GB18030 text is read as well as UTF-8.
    let gb = dir.path().join("gb.txt");
    let (bytes, _, _) = encoding_rs::GB18030.encode("全年共受理政府信息公开申请17件。\n");
    std::fs::write(&gb, &bytes).unwrap();
    let value = json(&check_prose(&db, &gb, &["--json"]));
    assert_eq!(kinds(&value), ["contradiction"]);
    // --previous needs --prose.
    let out = run(&[
        "check",
        "--db",
        db.to_str().unwrap(),
        "--year",
        "2019",
        "--previous",
        gb.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_report_written_in_word_is_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // A report as someone typed it in Word: one contradiction, in the second paragraph.
    let docx = dir.path().join("报告 2019.docx");
    let mut file = std::fs::File::create(&docx).unwrap();
    docx_rs::Docx::new()
        .add_paragraph(
            docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text("一、总体情况")),
        )
        .add_paragraph(docx_rs::Paragraph::new().add_run(
            docx_rs::Run::new().add_text("全年共受理政府信息公开申请17件，均已按期答复。"),
        ))
        .build()
        .pack(&mut file)
        .unwrap();
    let value = json(&check_prose(&db, &docx, &["--json"]));
    assert_eq!(kinds(&value), ["contradiction"]);
    let new_2019 = national(2019, "t3.new.total");
    assert_eq!(
        value["prose"]["flags"][0]["figure"]["value"],
        new_2019.to_string()
    );

    // The demo's own report as DOCX: its figures agree with the data.
    let exported = dir.path().join("annual-report.docx");
    let out = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--year",
        "2019",
        "--template",
        "annual-report",
        "--docx",
        exported.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value = json(&check_prose(&db, &exported, &["--json"]));
    let kinds = kinds(&value);
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| k == "typed_not_linked"),
        "{kinds:?}"
    );
}
