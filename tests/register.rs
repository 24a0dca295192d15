//! The 依申请公开 register end to end: an office's own ledger (xlsx with its own column
//! names and result wording) imported all or nothing, the list with due dates, and a
//! year's tables 3 and 4 switched to the register and flowing into check and export.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};

use cli::{init, ok, path_str, run_expecting, text};
use nianbao::ledger::{self, LedgerError};
use nianbao::store::{Actor, Store};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A ledger as an office keeps it: a title row, its own headers, dates as Excel dates
/// (and one typed as text), results in its own words. `bad` adds a row whose result
/// cannot be mapped.
fn ledger_xlsx(dir: &Path, bad: bool) -> PathBuf {
    let path = dir.join(if bad {
        "台账-错.xlsx"
    } else {
        "台账.xlsx"
    });
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy年m月d日");
    sheet.write_string(0, 0, "2026年依申请公开台账").unwrap();
    let headers = [
        "登记号",
        "收到时间",
        "申请方式",
        "申请人类别",
        "申请人姓名",
        "申请事项",
        "答复日期",
        "答复结果",
        "备注",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let mut rows: Vec<[&str; 9]> = vec![
        [
            "2026-001",
            "2026-01-05",
            "网络",
            "个人",
            "张三",
            "某路段施工许可",
            "2026-01-20",
            "同意公开",
            "",
        ],
        [
            "2026-002",
            "2026-02-03",
            "信函",
            "企业",
            "某某有限公司",
            "招标文件",
            "",
            "",
            "",
        ],
        [
            "2026-003",
            "2026-02-10",
            "当面",
            "律师事务所",
            "某律师事务所",
            "处罚决定书",
            "2026-03-02",
            "信息不存在",
            "已告知",
        ],
        [
            "2026-004",
            "2026-03-02",
            "网络",
            "自然人",
            "李四",
            "信访件办理情况",
            "2026-03-05",
            "信访举报投诉类申请",
            "",
        ],
    ];
    if bad {
        rows.push([
            "2026-005",
            "2026-03-03",
            "网络",
            "自然人",
            "王五",
            "某事项",
            "2026-03-10",
            "已处理",
            "",
        ]);
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            let is_date = c == 1 || c == 6;
            if is_date && !cell.is_empty() && r != 3 {
                let (y, m, d) = (&cell[..4], &cell[5..7], &cell[8..]);
                let day = ExcelDateTime::from_ymd(
                    y.parse().unwrap(),
                    m.parse().unwrap(),
                    d.parse().unwrap(),
                )
                .unwrap();
                sheet.write_datetime_with_format(r, c, &day, &date).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, *cell).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    path
}

#[test]
fn a_ledger_with_its_own_column_names_and_wording_imports_into_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "r.db", "某局", 2026);
    let mut store = Store::open(&db).unwrap();
    let office = Actor::setup();
    let plan = ledger::import(&mut store, &office, &ledger_xlsx(dir.path(), false)).unwrap();
    assert_eq!(plan.applications.len(), 4);
    let apps = store.applications(&office).unwrap();
    let codes: Vec<(&str, &str, Option<&str>)> = apps
        .iter()
        .map(|a| {
            (
                a.number.as_str(),
                a.applicant_type.code(),
                a.result.map(|r| r.code()),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("2026-001", "natural", Some("open")),
            ("2026-002", "business", None),
            ("2026-003", "legal", Some("unable.not_held")),
            ("2026-004", "natural", Some("reject.petition")),
        ]
    );
    assert_eq!(
        apps[1].received.to_string(),
        "2026-02-03",
        "a date typed as text"
    );
    assert_eq!(apps[2].applicant_name.as_deref(), Some("某律师事务所"));
    assert_eq!(apps[2].notes, "已告知");
    let tables = store.register_tables(2026).unwrap();
    assert_eq!(tables.value("t3.new.total"), Some(4));
    assert_eq!(tables.value("t3.unable.not_held.legal"), Some(1));
    assert_eq!(tables.ids("t3.carried_out.business"), [apps[1].id]);
}

#[test]
fn a_bad_row_is_refused_with_its_row_number_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "r.db", "某局", 2026);
    let path = ledger_xlsx(dir.path(), true);
    let mut store = Store::open(&db).unwrap();
    let err = ledger::import(&mut store, &Actor::setup(), &path).unwrap_err();
    let LedgerError::Rows(rows) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 7, "title, header, then the fifth application");
    assert!(
        rows[0]
            .reason
            .contains("办理结果无法对应到表三的结果行：“已处理”"),
        "{rows:?}"
    );
    assert!(store.applications(&Actor::setup()).unwrap().is_empty());
    drop(store);
    // The command line says the same, with exit status 1, and writes nothing either.
    let out = run_expecting(
        1,
        &["--db", path_str(&db), "register", "import", path_str(&path)],
    );
    assert!(
        text(&out.stderr).contains("第 7 行：办理结果无法对应"),
        "{}",
        text(&out.stderr)
    );
    let listed = ok(&["--db", path_str(&db), "register", "list", "--year", "2026"]);
    assert!(listed.contains("2026年：0 件申请"), "{listed}");
}

#[test]
fn the_register_lists_due_dates_and_feeds_tables_3_and_4_into_check_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path(), "r.db", "某局", 2026);
    let db_s = path_str(&db);
    let path = ledger_xlsx(dir.path(), false);
    ok(&["--db", db_s, "register", "import", path_str(&path)]);
    ok(&[
        "--db",
        db_s,
        "register",
        "appeal",
        "--number",
        "2026-003",
        "--kind",
        "行政复议",
        "--filed",
        "2026-03-20",
    ]);
    // Received Tuesday 2026-02-03 across the Spring Festival: due 2026-03-09.
    let listed = ok(&[
        "--db",
        db_s,
        "register",
        "list",
        "--year",
        "2026",
        "--today",
        "2026-03-05",
    ]);
    let line = listed.lines().find(|l| l.starts_with("2026-002")).unwrap();
    assert!(line.ends_with("办理中\t2026-03-09\t2"), "{line}");
    assert!(
        line.contains("某某有限公司"),
        "the office sees names: {line}"
    );
    // Switching shows the differences and changes nothing without --confirm.
    let shown = ok(&["--db", db_s, "register", "use", "--year", "2026"]);
    assert!(
        shown.contains("t3.new.total\t录入 （未填）\t台账 4"),
        "{shown}"
    );
    assert!(shown.contains("未改动"), "{shown}");
    ok(&[
        "--db",
        db_s,
        "register",
        "use",
        "--year",
        "2026",
        "--confirm",
    ]);
    let out = dir.path().join("report.txt");
    ok(&[
        "--db",
        db_s,
        "export",
        "--year",
        "2026",
        "--template",
        "annual-report",
        "--text",
        path_str(&out),
    ]);
    let report = std::fs::read_to_string(&out).unwrap();
    let row = report
        .lines()
        .find(|l| l.starts_with("一、本年新收政府信息公开申请数量"))
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(
        row, "一、本年新收政府信息公开申请数量\t2\t1\t0\t0\t1\t0\t4",
        "{row}"
    );
    // The prose can draw on the register: replies within the time limit, average days.
    let template = dir.path().join("答复.jinja");
    std::fs::write(
        &template,
        "本年度答复的{{ figure(\"register.replied\") }}件申请中，在法定期限内答复{{ figure(\"register.replied_in_time\") }}件，平均用时{{ figure(\"register.average_reply_days\") }}个工作日。\n",
    )
    .unwrap();
    let data = Store::open(&db).unwrap().year_data(2026).unwrap();
    let template = nianbao::compile::Template::from_file(&template).unwrap();
    let compiled = nianbao::compile::compile(&template, &data, &Default::default()).unwrap();
    let replies: String = nianbao::approval::figures(&compiled.document)
        .map(|(_, f)| f.text.clone())
        .collect::<Vec<_>>()
        .join("/");
    // 2026-001: 1/5 → 1/20, 11 working days; 2026-003: 2/10 → 3/2 across the Spring
    // Festival with its two 调休 Saturdays, 10; 2026-004: 3/2 → 3/5, 3. (11+10+3)/3 = 8.
    assert_eq!(replies, "3/3/8.0");
    let review = report
        .lines()
        .find(|l| l.split('\t').count() == 15 && l.split('\t').all(|c| c.parse::<u64>().is_ok()))
        .unwrap_or("");
    assert!(review.starts_with("0\t0\t0\t1\t1"), "table 4: {review}");
    // The table's identities hold; the overdue application is a warning, the exit 0.
    let out = run_expecting(0, &["--db", db_s, "check", "--year", "2026", "--json"]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        !codes
            .iter()
            .any(|c| c.starts_with("t3.") || c.starts_with("t4.")),
        "{codes:?}"
    );
    assert!(codes.contains(&"register.overdue"), "{codes:?}");
    // Every cell traces to its applications: numbers, dates, results, no names; the
    // review counts in table 4 under its application's number.
    let store = Store::open(&db).unwrap();
    let data = store.year_data(2026).unwrap();
    let numbers = |code: &str| -> Vec<String> {
        data.register_records(2026, code)
            .iter()
            .map(|r| r.number.clone())
            .collect()
    };
    assert_eq!(
        numbers("t3.new.total"),
        ["2026-001", "2026-002", "2026-003", "2026-004"]
    );
    assert_eq!(numbers("t3.new.natural").len(), 2);
    let reviews = data.register_records(2026, "t4.review.pending");
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert!(reviews[0].number.starts_with("2026-003"), "{reviews:?}");
    assert_eq!(reviews[0].received.to_string(), "2026-03-20");
    let shown = format!("{:?}", data.register_records(2026, "t3.new.total"));
    assert!(
        !shown.contains("某某有限公司"),
        "no applicant names: {shown}"
    );
}
