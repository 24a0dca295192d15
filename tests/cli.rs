//! End-to-end tests of the `nianbao` binary on temporary files: demo, catalog, import
//! (all or nothing, every bad row reported), values round trip, a kill in the middle of
//! an import, two writers at once, and files that must be refused untouched.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cli::{
    demo, import_expecting, init, nianbao, ok, path_str, run_expecting, text, values, write_file,
};

#[test]
fn demo_then_catalog_lists_divisions_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let listing = ok(&["catalog", "--db", path_str(&db), "--year", "2019"]);
    assert!(listing.contains("office"));
    assert!(listing.contains("新闻宣传处"));
    assert!(listing.contains("food.fines"));
    assert!(listing.contains("t3.new.natural"));
    let out = ok(&["catalog", "--db", path_str(&db), "--year", "2019", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["divisions"].as_array().unwrap().len(), 10);
    // Creating the demo again over an existing file is refused.
    let out = run_expecting(2, &["demo", "--db", path_str(&db)]);
    assert!(text(&out.stderr).contains("已存在"));
}

#[test]
fn import_accepts_normalised_numbers_and_rejects_bad_rows_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = values(&db, 2019);
    // Rows 2–4 are good (credit and registration December is open); rows 5–12 are bad.
    let csv = "year,month,division,metric,value,note\n\
        2019,12,credit,credit.interceptions,\"1,725\",千分位\n\
        2019,12,登记注册处,registration.deregistration,１７２５ ,全角\n\
        2019,12,office,t2.fees.amount, 24252.311082 ,\n\
        2019,12,credit,credit.interceptions,约800,\n\
        2019,12,credit,credit.interceptions,-3,\n\
        2019,12,price,fees.reduced,1.234,\n\
        2019,12,nowhere,credit.interceptions,1,\n\
        2019,12,credit,no.such.metric,1,\n\
        2019,13,credit,credit.interceptions,1,\n\
        2019,0,credit,credit.interceptions,1,\n\
        2019,5,office,t2.fees.amount,1,\n";
    let bad = write_file(dir.path(), "bad.csv", csv);
    let out = import_expecting(1, &db, 2019, &bad);
    let err = text(&out.stderr);
    for (row, reason) in [
        (5, "不是数字"),
        (6, "不能为负数"),
        (7, "小数位数过多"),
        (8, "未知的处室"),
        (9, "没有指标"),
        (10, "月份应为 1–12"),
        (11, "月份应为 1–12"),
        (12, "年度指标"),
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("第 {row} 行")))
            .unwrap_or_else(|| panic!("row {row} not reported:\n{err}"));
        assert!(line.contains(reason), "row {row}: {line}");
    }
    for good in ["第 2 行", "第 3 行", "第 4 行"] {
        assert!(
            !err.lines().any(|l| l.starts_with(good)),
            "{good} refused:\n{err}"
        );
    }
    assert_eq!(values(&db, 2019), before, "nothing may be written");

    // The good rows alone import, normalised.
    let good: String = csv.lines().take(4).map(|l| format!("{l}\n")).collect();
    let good = write_file(dir.path(), "good.csv", good);
    import_expecting(0, &db, 2019, &good);
    let after = values(&db, 2019);
    assert!(after.contains("2019,12,credit,credit.interceptions,1725,千分位"));
    assert!(after.contains("2019,12,registration,registration.deregistration,1725,全角"));
    assert!(after.contains("2019,,office,t2.fees.amount,24252.311082,"));
}

#[test]
fn xlsx_import_reads_the_first_sheet_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let path = dir.path().join("表格.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["year", "month", "division", "metric", "value", "note"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 2019).unwrap();
    sheet.write_number(1, 1, 12).unwrap();
    sheet.write_string(1, 2, "credit").unwrap();
    sheet.write_string(1, 3, "credit.interceptions").unwrap();
    sheet.write_number(1, 4, 812).unwrap();
    sheet.write_number(2, 0, 2019).unwrap();
    sheet.write_string(2, 1, "12").unwrap();
    sheet.write_string(2, 2, "office").unwrap();
    sheet.write_string(2, 3, "t2.fees.amount").unwrap();
    sheet.write_number(2, 4, 2354.48).unwrap();
    book.save(&path).unwrap();
    let out = import_expecting(0, &db, 2019, &path);
    assert!(
        text(&out.stdout).contains("第 3 行"),
        "month 12 of a yearly metric is noted"
    );
    let after = values(&db, 2019);
    assert!(after.contains("2019,12,credit,credit.interceptions,812,"));
    assert!(after.contains("2019,,office,t2.fees.amount,2354.48,"));
}

#[test]
fn values_then_import_into_a_fresh_file_reproduces_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "new.db", "某市人民政府办公室", 2021);
    // Opening the year again is a no-op.
    let out = ok(&["year", "--db", path_str(&db), "--open", "2021"]);
    assert!(out.contains("未作改动"));
    let csv = "year,month,division,metric,value,note\n\
        2021,,office,t3.new.natural,17,\n\
        2021,,office,t3.new.total,17,\n\
        2021,,office,t3.new.business,,未填报\n\
        2021,12,office,t2.fees.amount,24252.311082,\n";
    import_expecting(0, &db, 2021, &write_file(dir.path(), "in.csv", csv));
    let first = values(&db, 2021);
    assert!(first.contains("2021,,office,t3.new.business,,未填报"));
    assert!(first.contains("24252.311082"));

    let copy = init(dir.path(), "copy.db", "某市人民政府办公室", 2021);
    import_expecting(
        0,
        &copy,
        2021,
        &write_file(dir.path(), "exported.csv", &first),
    );
    assert_eq!(values(&copy, 2021), first);

    // The national report compiles for an agency that has only the national catalogue:
    // the blank cell stays blank, and values nobody entered show as missing, not as 0.
    let txt = dir.path().join("report.txt");
    ok(&[
        "export",
        "--db",
        path_str(&db),
        "--year",
        "2021",
        "--template",
        "annual-report",
        "--text",
        path_str(&txt),
    ]);
    let report = std::fs::read_to_string(&txt).unwrap();
    assert!(report.starts_with("某市人民政府办公室2021年政府信息公开工作年度报告\n"));
    assert!(report.contains("全年新收政府信息公开申请17件"), "{report}");
    assert!(
        report.contains("【缺数："),
        "values nobody entered are marked"
    );
    let new_row = report
        .lines()
        .find(|l| l.starts_with("一、本年新收政府信息公开申请数量"))
        .unwrap();
    assert!(
        new_row.starts_with("一、本年新收政府信息公开申请数量\t17\t\t"),
        "{new_row:?}"
    );
}

#[test]
fn refused_files_are_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("垃圾.db");
    std::fs::write(&garbage, b"\x00\x01garbage".repeat(300)).unwrap();
    let out = run_expecting(
        2,
        &["catalog", "--db", path_str(&garbage), "--year", "2019"],
    );
    assert!(
        text(&out.stderr).contains("不是年报数据文件"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&garbage).unwrap(),
        b"\x00\x01garbage".repeat(300)
    );
    let none = dir.path().join("none.db");
    let out = run_expecting(2, &["catalog", "--db", path_str(&none), "--year", "2019"]);
    assert!(text(&out.stderr).contains("文件不存在"));
}

/// A CSV of `n` rows for the demo's open December months (credit, registration) and
/// yearly office metrics — all valid.
fn big_csv(path: &Path, rows: usize, value: u32) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "year,month,division,metric,value,note").unwrap();
    // Valid distinct keys are scarce in the demo; spread over many years' catalogue is
    // not possible, so repeat the same cells in separate files instead: here each row
    // is a distinct (metric, month) of a wide generated catalogue opened by the test.
    for i in 0..rows {
        writeln!(f, "2030,{},office,bulk.m{},{},", i % 12 + 1, i / 12, value).unwrap();
    }
}

/// A file with a 2030 catalogue of `metrics` bulk metrics owned by the office.
fn bulk_file(dir: &Path, metrics: usize) -> PathBuf {
    use nianbao::model::{Aggregation, Metric, Period, ValueKind};
    let db = init(dir, "bulk.db", "测试局", 2030);
    let mut store = nianbao::store::Store::open(&db).unwrap();
    let office = store.actor("office").unwrap();
    let list: Vec<Metric> = (0..metrics)
        .map(|i| Metric {
            code: format!("bulk.m{i}"),
            name: format!("批量指标{i}"),
            unit: "件".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["office".into()],
            words: vec![],
            sort_order: i as i64,
        })
        .collect();
    store.put_metrics(&office, 2030, &list).unwrap();
    db
}

fn count_rows(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    c.query_row(
        "SELECT count(*) FROM monthly_values WHERE year = 2030",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn killing_an_import_leaves_none_or_all_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 60_000;
    let base = bulk_file(dir.path(), rows / 12);
    let csv = dir.path().join("bulk.csv");
    big_csv(&csv, rows, 7);
    let import = |db: &Path| {
        nianbao()
            .args([
                "import",
                "--db",
                path_str(db),
                "--year",
                "2030",
                path_str(&csv),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let copy = |name: &str| {
        let path = dir.path().join(name);
        std::fs::copy(&base, &path).unwrap();
        path
    };
    // How long a whole import takes here; the write transaction is its last part.
    let timing = copy("timing.db");
    let started = Instant::now();
    assert!(import(&timing).wait().unwrap().success());
    let full = started.elapsed();
    assert_eq!(count_rows(&timing), rows as i64);
    let mut killed_mid_write = 0;
    for (i, percent) in [40u32, 55, 70, 80, 88, 94, 97].iter().enumerate() {
        let db = copy(&format!("kill{i}.db"));
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        let mut child = import(&db);
        std::thread::sleep(full * *percent / 100);
        let wal_busy = std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false);
        let running = child.try_wait().unwrap().is_none();
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        let n = count_rows(&db);
        assert!(n == 0 || n == rows as i64, "partial import: {n} rows");
        if wal_busy && running && n == 0 {
            killed_mid_write += 1;
        }
    }
    assert!(
        killed_mid_write > 0,
        "no kill landed inside the write transaction ({full:?} a run)"
    );
}

#[test]
fn a_second_writer_waits_then_gets_a_clear_busy_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = bulk_file(dir.path(), 1);
    let csv = dir.path().join("one.csv");
    big_csv(&csv, 12, 3);
    // Another process (this test) holds the write lock.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let out = import_expecting(4, &db, 2030, &csv);
    let waited = started.elapsed();
    assert!(
        text(&out.stderr).contains("正被其他人写入"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(20),
        "{waited:?}"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    // Once the other writer is done, the same import goes through.
    import_expecting(0, &db, 2030, &csv);
    assert_eq!(count_rows(&db), 12);
}

#[test]
fn export_writes_text_pdf_and_docx_of_both_templates() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for template in ["work-summary", "annual-report"] {
        let (pdf, docx, txt) = (
            dir.path().join(format!("{template}.pdf")),
            dir.path().join(format!("{template}.docx")),
            dir.path().join(format!("{template}.txt")),
        );
        ok(&[
            "export",
            "--db",
            path_str(&db),
            "--year",
            "2019",
            "--template",
            template,
            "--pdf",
            path_str(&pdf),
            "--docx",
            path_str(&docx),
            "--text",
            path_str(&txt),
        ]);
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
        assert!(std::fs::read(&docx).unwrap().starts_with(b"PK"));
        let plain = std::fs::read_to_string(&txt).unwrap();
        if template == "work-summary" {
            assert!(plain.starts_with("2019年省市场监管局政务公开工作总结\n"));
            assert!(plain.contains("省局门户网站发布各类原创新闻信息1725条"));
            assert!(plain.contains("罚没款2354.48万余元"));
            assert!(plain.ends_with("安徽省市场监督管理局\n2019年12月24日\n"));
        } else {
            assert!(plain.contains("六、其他需要报告的事项"));
        }
    }
    let out = run_expecting(
        2,
        &[
            "export",
            "--db",
            path_str(&db),
            "--year",
            "2019",
            "--template",
            "nope",
            "--text",
            "x.txt",
        ],
    );
    assert!(text(&out.stderr).contains("没有名为“nope”的模板"));
}

#[test]
fn check_is_clean_on_the_demo_and_names_a_broken_table_3_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let dbs = path_str(&db);
    run_expecting(0, &["check", "--db", dbs, "--year", "2019"]);
    // Break one cell of table 3: 予以公开（自然人） 32 → 33.
    let csv = write_file(
        dir.path(),
        "break.csv",
        "year,month,division,metric,value\n2019,,office,t3.open.natural,33\n",
    );
    import_expecting(0, &db, 2019, &csv);
    let out = run_expecting(1, &["check", "--db", dbs, "--year", "2019", "--json"]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<&serde_json::Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .any(|f| f["table"]["table"] == "t3" && f["table"]["column"] == "natural"),
        "{errors:?}"
    );
    run_expecting(2, &["check", "--db", dbs, "--year", "1999"]);
}
