//! Excel collection workbooks (issue 14), end to end: made by `sheet::make_sheets`, filled
//! in the way a contact would (sorted, a row inserted, the sheet renamed, formulas), taken
//! back by `sheet::import_returns`; every refusal names file, sheet and cell and writes
//! nothing (values and audit log compared before and after). The board's windows for them
//! are in `sheet/board.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nianbao::model::{Aggregation, Division, Metric, Period, Role, ValueKind};
use nianbao::sheet::read::{self, CellValue};
use nianbao::sheet::{self, BatchReport, Outcome};
use nianbao::store::{AuditFilter, NewUser, Store, ValueWrite};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Formula, Workbook};

#[path = "sheet/board.rs"]
mod board;

const YEAR: i32 = 2026;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn metric(code: &str, name: &str, unit: &str, kind: ValueKind, owner: &str, order: i64) -> Metric {
    Metric {
        code: code.into(),
        name: name.into(),
        unit: unit.into(),
        kind,
        aggregation: Aggregation::Sum,
        period: Period::Monthly,
        owners: vec![owner.into()],
        words: vec![],
        sort_order: order,
    }
}

/// A file with 新闻宣传处 (three metrics, one yearly) and 政策法规处 (one), each with a
/// contact; 新闻宣传处 has February submitted and March locked, and a few stored values.
fn fixture(dir: &Path) -> PathBuf {
    let path = dir.join("data.db");
    let (mut store, _) = Store::create_agency(&path, "测试市市场监管局", YEAR).unwrap();
    let office = store.default_office_actor().unwrap();
    for (i, (code, name, login)) in [
        ("news", "新闻宣传处", "li.zhe"),
        ("policy", "政策法规处", "zhang.kun"),
    ]
    .into_iter()
    .enumerate()
    {
        let division = Division {
            code: code.into(),
            name: name.into(),
            sort_order: 10 + i as i64,
        };
        store.put_division(&office, &division).unwrap();
        let user = NewUser {
            login: login.into(),
            display_name: login.into(),
            role: Role::Contact,
            division: Some(code.into()),
            phone: String::new(),
            password: None,
        };
        store.add_user(&office, &user).unwrap();
    }
    let mut yearly = metric(
        "news.year",
        "全年专题数",
        "个",
        ValueKind::Count,
        "news",
        1003,
    );
    yearly.period = Period::Yearly;
    let metrics = [
        metric(
            "news.release",
            "新闻发布会",
            "次",
            ValueKind::Count,
            "news",
            1000,
        ),
        metric(
            "news.fee",
            "宣传经费",
            "万元",
            ValueKind::Amount { places: 2 },
            "news",
            1001,
        ),
        metric(
            "news.rate",
            "公开率",
            "%",
            ValueKind::Ratio { places: 1 },
            "news",
            1002,
        ),
        yearly,
        metric(
            "policy.docs",
            "规范性文件",
            "件",
            ValueKind::Count,
            "policy",
            1100,
        ),
    ];
    store.put_metrics(&office, YEAR, &metrics).unwrap();
    let li = store.actor("li.zhe").unwrap();
    for (month, code, v) in [
        (1, "news.release", "12"),
        (2, "news.release", "7"),
        (3, "news.fee", "2354.48"),
    ] {
        let write = ValueWrite {
            year: YEAR,
            month,
            division: "news".into(),
            metric: code.into(),
            value: Some(d(v)),
            note: String::new(),
            seen: None,
        };
        store.set_value(&li, &write).unwrap();
    }
    store.submit_month(&li, YEAR, 2, "news").unwrap();
    store.lock_month(&office, YEAR, 3, "news").unwrap();
    path
}

/// The workbooks of every division, into `dir/out`.
fn make_all(db: &Path, dir: &Path) -> PathBuf {
    let store = Store::open(db).unwrap();
    let office = store.default_office_actor().unwrap();
    let out = dir.join("out");
    let files = sheet::make_sheets(
        &store,
        &office,
        YEAR,
        &[],
        &(1..=12).collect::<Vec<_>>(),
        &out,
        |_, _, _| {},
    )
    .unwrap();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("2026年-新闻宣传处-填报表.xlsx")),
        "{files:?}"
    );
    out
}

fn news_book(out: &Path) -> PathBuf {
    out.join("2026年-新闻宣传处-填报表.xlsx")
}

/// A cell of a test workbook: text, number or formula (with its cached result).
#[derive(Debug, Clone)]
enum T {
    Text(String),
    Num(f64),
    Formula(String, Option<String>),
}

/// A workbook as editable cells: (sheet name, cells by (row, col)).
type Grid = Vec<(String, BTreeMap<(u32, u32), T>)>;

fn grid(path: &Path) -> Grid {
    read::cells(path)
        .unwrap()
        .into_iter()
        .map(|s| {
            let cells = s
                .cells
                .into_iter()
                .filter_map(|c| {
                    let v = match c.value {
                        CellValue::Text(t) => T::Text(t),
                        CellValue::Int(n) => T::Num(n as f64),
                        CellValue::Float(n) => T::Num(n),
                        _ => return None,
                    };
                    Some(((c.row, c.col), v))
                })
                .collect();
            (s.name, cells)
        })
        .collect()
}

/// Writes a grid back as an xlsx (the marker sheet very hidden, as made).
fn save(grid: &Grid, path: &Path) {
    let mut book = Workbook::new();
    for (name, cells) in grid {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (&(r, c), v) in cells {
            match v {
                T::Text(t) => sheet.write_string(r, c as u16, t).map(|_| ()),
                T::Num(n) => sheet.write_number(r, c as u16, *n).map(|_| ()),
                T::Formula(f, Some(result)) => sheet
                    .write_formula(r, c as u16, Formula::new(f).set_result(result))
                    .map(|_| ()),
                T::Formula(f, None) => sheet
                    .write_formula(r, c as u16, Formula::new(f))
                    .map(|_| ()),
            }
            .unwrap();
        }
        if name == sheet::MARKER_SHEET {
            sheet.set_very_hidden(true);
        }
    }
    book.save(path).unwrap();
    let uncached = grid
        .iter()
        .flat_map(|(_, cells)| cells.values())
        .any(|v| matches!(v, T::Formula(_, None)));
    if uncached {
        drop_formula_results(path);
    }
}

/// rust_xlsxwriter always stores a result (`<v>0</v>`) with a formula; programs such as
/// openpyxl store none. Rewrites the saved file so formulas carry no cached value.
fn drop_formula_results(path: &Path) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().to_string();
        let mut content = Vec::new();
        part.read_to_end(&mut content).unwrap();
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(content).unwrap();
            content = text.replace("</f><v>0</v>", "</f>").into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// A change a contact makes to a returned workbook.
type Edit = fn(&mut Grid);

/// The data sheet's cells.
fn data(grid: &mut Grid) -> &mut BTreeMap<(u32, u32), T> {
    &mut grid
        .iter_mut()
        .find(|(n, _)| n == sheet::DATA_SHEET)
        .unwrap()
        .1
}

/// The (row, col) of a metric's cell for a month header (`3月`, `全年`).
fn at(cells: &BTreeMap<(u32, u32), T>, code: &str, header: &str) -> (u32, u32) {
    let row = cells
        .iter()
        .find(|((_, c), v)| *c == 0 && matches!(v, T::Text(t) if t == code))
        .map(|((r, _), _)| *r)
        .unwrap_or_else(|| panic!("no row for {code}"));
    let col = cells
        .iter()
        .find(|(_, v)| matches!(v, T::Text(t) if t.starts_with(header)))
        .map(|((_, c), _)| *c)
        .unwrap_or_else(|| panic!("no column {header}"));
    (row, col)
}

fn set(cells: &mut BTreeMap<(u32, u32), T>, code: &str, header: &str, v: T) -> String {
    let (r, c) = at(cells, code, header);
    cells.insert((r, c), v);
    nianbao::input::xlsx::address(r, c)
}

fn text(s: &str) -> T {
    T::Text(s.into())
}

/// The contact's usual return: four values typed in the open months, 1,725 with a
/// thousands separator, the yearly figure in 全年.
fn fill(cells: &mut BTreeMap<(u32, u32), T>) {
    set(cells, "news.release", "1月", T::Num(15.0));
    set(cells, "news.release", "4月", text("1,725"));
    set(cells, "news.fee", "1月", T::Num(2354.48));
    set(cells, "news.rate", "4月", text("９８.５"));
    set(cells, "news.year", "全年", T::Num(6.0));
}

fn expected() -> Vec<(u8, &'static str, Decimal)> {
    vec![
        (1, "news.release", d("15")),
        (4, "news.release", d("1725")),
        (1, "news.fee", d("2354.48")),
        (4, "news.rate", d("98.5")),
        (0, "news.year", d("6")),
    ]
}

fn import(db: &Path, actor: Option<&str>, paths: &[PathBuf]) -> BatchReport {
    let mut store = Store::open(db).unwrap();
    let actor = match actor {
        Some(login) => store.actor(login).unwrap(),
        None => store.default_office_actor().unwrap(),
    };
    sheet::import_returns(&mut store, &actor, YEAR, paths, false).unwrap()
}

/// Everything a refused import must leave alone: every value and the audit log.
fn snapshot(db: &Path) -> (Vec<String>, usize) {
    let store = Store::open(db).unwrap();
    let values = store
        .stored_values(YEAR..=YEAR, None, None)
        .unwrap()
        .iter()
        .map(|v| format!("{}/{}/{}={:?}", v.month, v.division, v.metric, v.value))
        .collect();
    (
        values,
        store.audit_log(&AuditFilter::default()).unwrap().len(),
    )
}

fn value(db: &Path, month: u8, metric: &str) -> Option<Decimal> {
    Store::open(db)
        .unwrap()
        .value(YEAR, month, "news", metric)
        .unwrap()
        .flatten()
}

#[test]
fn round_trip_survives_sorting_an_inserted_row_and_a_renamed_sheet() {
    let variants: [(&str, Edit); 4] = [
        ("as made", |_| {}),
        ("sorted", |g| {
            // Reverse the metric rows (a contact sorting by name, descending).
            let cells = data(g);
            let rows: Vec<u32> = cells.keys().map(|k| k.0).filter(|&r| r > 3).collect();
            let (lo, hi) = (*rows.iter().min().unwrap(), *rows.iter().max().unwrap());
            let moved: BTreeMap<_, _> = std::mem::take(cells)
                .into_iter()
                .map(|((r, c), v)| (if r >= lo { (lo + hi - r, c) } else { (r, c) }, v))
                .collect();
            *cells = moved;
        }),
        ("inserted row", |g| {
            let cells = data(g);
            let moved: BTreeMap<_, _> = std::mem::take(cells)
                .into_iter()
                .map(|((r, c), v)| (if r >= 5 { (r + 1, c) } else { (r, c) }, v))
                .collect();
            *cells = moved;
            cells.insert((5, 1), text("（插入的说明行）"));
        }),
        ("renamed sheet", |g| {
            let sheet = g.iter_mut().find(|(n, _)| n == sheet::DATA_SHEET).unwrap();
            sheet.0 = "新闻处4月".into();
        }),
    ];
    for (name, change) in variants {
        let dir = tempfile::tempdir().unwrap();
        let db = fixture(dir.path());
        let out = make_all(&db, dir.path());
        let mut g = grid(&news_book(&out));
        fill(data(&mut g));
        change(&mut g);
        let back = dir.path().join("return.xlsx");
        save(&g, &back);
        let report = import(&db, None, &[back]);
        assert_eq!(report.refused(), 0, "{name}: {}", report.summary());
        for (month, code, v) in expected() {
            assert_eq!(value(&db, month, code), Some(v), "{name}: {code} {month}月");
        }
        // The submitted and locked months kept what they had.
        assert_eq!(value(&db, 2, "news.release"), Some(d("7")), "{name}");
        assert_eq!(value(&db, 3, "news.fee"), Some(d("2354.48")), "{name}");
    }
}

#[test]
fn an_import_is_written_as_the_contact_and_the_audit_log_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    let back = dir.path().join("2026年-新闻宣传处-填报表.xlsx");
    save(&g, &back);
    let report = import(&db, None, &[back]);
    let summary = report.summary();
    // the submitted and locked months' cells come back as they were: unchanged
    assert!(
        summary.contains("新闻宣传处：已导入（新增 4，修改 1，不变 2）"),
        "{summary}"
    );
    assert!(summary.contains("新闻发布会 1月：12 → 15"), "{summary}");
    let store = Store::open(&db).unwrap();
    let filter = AuditFilter {
        key_prefix: Some("2026/01/news/news.release".into()),
        ..Default::default()
    };
    let last = &store.audit_log(&filter).unwrap()[0];
    assert_eq!(last.actor, "li.zhe");
    assert_eq!(
        (last.old.as_deref(), last.new.as_deref()),
        (Some("12"), Some("15"))
    );
    assert!(
        last.reason
            .contains("导入填报表 2026年-新闻宣传处-填报表.xlsx"),
        "{}",
        last.reason
    );
}

/// Makes the workbooks, applies `edit` to the news return, imports it, and checks that it
/// was refused naming `cell` (and the data sheet) with `reason`, writing nothing.
fn assert_refused(
    edit: impl FnOnce(&mut Grid) -> Option<String>,
    actor: Option<&str>,
    reason: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    let cell = edit(&mut g);
    let back = dir.path().join("return.xlsx");
    save(&g, &back);
    let before = snapshot(&db);
    let report = import(&db, actor, &[back]);
    assert_eq!(report.refused(), 1, "{}", report.summary());
    let refusals: Vec<String> = report.returns[0]
        .plan
        .refused
        .iter()
        .map(ToString::to_string)
        .collect();
    let shown = refusals.join("\n");
    assert!(shown.contains(reason), "{shown}");
    assert!(shown.contains("return.xlsx"), "{shown}");
    if let Some(cell) = cell {
        assert!(
            shown.contains(&format!("工作表“填报表” 单元格 {cell}：")),
            "{shown}"
        );
    }
    assert!(report.summary().contains("未写入任何数据"));
    assert_eq!(snapshot(&db), before, "nothing may be written");
}

#[test]
fn text_in_a_number_cell_is_refused_with_its_cell() {
    assert_refused(
        |g| Some(set(data(g), "news.release", "5月", text("约800"))),
        None,
        "不是数字：“约800”",
    );
}

#[test]
fn a_negative_count_is_refused() {
    assert_refused(
        |g| Some(set(data(g), "news.release", "5月", T::Num(-3.0))),
        None,
        "不能为负数：-3",
    );
}

#[test]
fn too_many_decimals_are_refused() {
    assert_refused(
        |g| Some(set(data(g), "news.fee", "5月", text("12.345"))),
        None,
        "小数位数过多",
    );
}

#[test]
fn a_changed_value_in_a_submitted_or_locked_month_is_refused() {
    assert_refused(
        |g| Some(set(data(g), "news.release", "2月", T::Num(8.0))),
        None,
        "2月已报送，不能修改（已存 7，表中 8）",
    );
    assert_refused(
        |g| Some(set(data(g), "news.fee", "3月", T::Num(1.0))),
        None,
        "3月已锁定",
    );
}

#[test]
fn a_formula_without_a_cached_value_is_refused() {
    assert_refused(
        |g| {
            Some(set(
                data(g),
                "news.release",
                "5月",
                T::Formula("=1+1".into(), None),
            ))
        },
        None,
        "公式没有计算结果",
    );
}

#[test]
fn a_formula_imports_its_cached_value_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let mut g = grid(&news_book(&out));
    let cell = set(
        data(&mut g),
        "news.release",
        "5月",
        T::Formula("=20+1".into(), Some("21".into())),
    );
    let back = dir.path().join("return.xlsx");
    save(&g, &back);
    let report = import(&db, None, &[back]);
    assert_eq!(report.refused(), 0, "{}", report.summary());
    assert_eq!(value(&db, 5, "news.release"), Some(d("21")));
    assert!(
        report
            .summary()
            .contains(&format!("单元格 {cell}：单元格是公式，导入其计算结果 21")),
        "{}",
        report.summary()
    );
}

#[test]
fn a_workbook_for_another_year_or_division_is_refused() {
    let change_marker = |g: &mut Grid, from: &str, to: &str| {
        let marker = &mut g
            .iter_mut()
            .find(|(n, _)| n == sheet::MARKER_SHEET)
            .unwrap()
            .1;
        for v in marker.values_mut() {
            if let T::Text(t) = v {
                *t = t.replace(from, to);
            }
        }
    };
    assert_refused(
        |g| {
            change_marker(g, "\"year\":2026", "\"year\":2025");
            None
        },
        None,
        "这份填报表是2025年的，不能导入2026年",
    );
    assert_refused(
        |_| None,
        Some("zhang.kun"),
        "这份填报表是为新闻宣传处制作的，你只能导入本处室（policy）的填报表",
    );
}

#[test]
fn a_workbook_made_before_the_catalogue_changed_lists_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    {
        let mut store = Store::open(&db).unwrap();
        let office = store.default_office_actor().unwrap();
        let mut metrics = store.metrics(YEAR).unwrap();
        let rate = metrics.iter_mut().find(|m| m.code == "news.rate").unwrap();
        rate.name = "信息公开率".into();
        let added = metric(
            "news.new",
            "新媒体稿件",
            "篇",
            ValueKind::Count,
            "news",
            1004,
        );
        store
            .put_metrics(&office, YEAR, &[rate.clone(), added])
            .unwrap();
    }
    let before = snapshot(&db);
    let report = import(&db, None, &[news_book(&out)]);
    let shown = report.summary();
    assert!(
        shown.contains("指标目录已改变：修改 信息公开率（news.rate）、新增 新媒体稿件（news.new）"),
        "{shown}"
    );
    assert_eq!(snapshot(&db), before);
}

#[test]
fn a_file_that_is_not_ours_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let plain = dir.path().join("别的表.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet().write_string(0, 0, "指标代码").unwrap();
    book.save(&plain).unwrap();
    let not_xlsx = dir.path().join("坏文件.xlsx");
    std::fs::write(&not_xlsx, "这不是 Excel 文件").unwrap();
    let before = snapshot(&db);
    let report = import(&db, None, &[plain, not_xlsx]);
    let shown = report.summary();
    assert_eq!(report.refused(), 2, "{shown}");
    assert!(
        shown.contains("别的表.xlsx：不是本系统生成的填报表"),
        "{shown}"
    );
    assert!(shown.contains("无法打开 Excel 文件"), "{shown}");
    assert_eq!(snapshot(&db), before);
}

#[test]
fn a_folder_imports_the_good_returns_refuses_the_bad_and_lists_the_missing() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    save(&g, &returns.join("2026年-新闻宣传处-填报表.xlsx"));
    let mut g = grid(&out.join("2026年-政策法规处-填报表.xlsx"));
    let cell = set(data(&mut g), "policy.docs", "1月", text("三件"));
    save(&g, &returns.join("2026年-政策法规处-填报表.xlsx"));
    std::fs::write(returns.join("~$2026年-政策法规处-填报表.xlsx"), "lock").unwrap();
    let report = import(&db, None, &[returns]);
    let shown = report.summary();
    assert!(shown.contains("新闻宣传处：已导入"), "{shown}");
    assert!(shown.contains("政策法规处：未导入，1 处问题"), "{shown}");
    assert!(
        shown.contains(&format!("单元格 {cell}：不是数字：“三件”")),
        "{shown}"
    );
    assert!(shown.contains("未交回：办公室"), "{shown}");
    assert!(
        shown.contains("共 2 份：导入 1 份，拒绝 1 份，未交回 1 个处室"),
        "{shown}"
    );
    assert_eq!(value(&db, 4, "news.release"), Some(d("1725")));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.value(YEAR, 1, "policy", "policy.docs").unwrap(), None);
    let news = report
        .returns
        .iter()
        .find(|r| r.plan.file.to_string_lossy().contains("新闻宣传处"))
        .unwrap();
    assert!(matches!(news.outcome, Outcome::Imported(_)));
}

#[test]
fn a_cell_far_out_at_xfd1048576_is_read_without_a_dense_range() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    data(&mut g).insert((1_048_575, 16_383), text("远处的单元格"));
    let back = dir.path().join("return.xlsx");
    save(&g, &back);
    let report = import(&db, None, &[back]);
    assert_eq!(report.refused(), 0, "{}", report.summary());
    assert_eq!(value(&db, 4, "news.release"), Some(d("1725")));
}

#[test]
fn the_made_workbook_hides_the_codes_and_carries_the_marker() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let marker = read::marker(&news_book(&out)).unwrap().unwrap();
    assert_eq!((marker.division.as_str(), marker.year), ("news", YEAR));
    let codes: Vec<&str> = marker.metrics.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(
        codes,
        ["news.release", "news.fee", "news.rate", "news.year"]
    );
    assert!(sheet::is_collection_workbook(&news_book(&out)));
    let g = grid(&news_book(&out));
    let names: Vec<&str> = g.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            sheet::DATA_SHEET,
            sheet::LAST_YEAR_SHEET,
            sheet::MARKER_SHEET
        ]
    );
    let cells = &g[0].1;
    let (r, c) = at(cells, "news.release", "2月");
    assert!(matches!(cells.get(&(r, c)), Some(T::Num(n)) if *n == 7.0));
    assert!(matches!(cells.get(&(3, c)), Some(T::Text(t)) if t == "2月（已报送）"));
    // The xlsx XML: column A hidden, sheets protected, the marker very hidden.
    let xml = |part: &str| {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(news_book(&out)).unwrap()).unwrap();
        std::io::read_to_string(zip.by_name(part).unwrap()).unwrap()
    };
    let sheet1 = xml("xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("<sheetProtection"), "protected");
    assert!(sheet1.contains(r#"hidden="1""#), "code column hidden");
    assert!(sheet1.contains("<dataValidation "), "validation");
    assert!(sheet1.contains(r#"orientation="landscape""#) && sheet1.contains(r#"fitToHeight="0""#));
    assert!(xml("xl/workbook.xml").contains(r#"state="veryHidden""#));
}

#[test]
fn the_sheet_command_and_import_of_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let out = dir.path().join("sheets");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let db_arg = db.to_str().unwrap();
    let made = run(&[
        "sheet",
        "--db",
        db_arg,
        "--year",
        "2026",
        "--all",
        "--months",
        "1-6",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(stdout.contains("共生成 3 份填报表"), "{stdout}");
    let marker = read::marker(&news_book(&out)).unwrap().unwrap();
    assert_eq!(marker.months, [1, 2, 3, 4, 5, 6]);
    let one = dir.path().join("one.xlsx");
    let made = run(&[
        "sheet",
        "--db",
        db_arg,
        "--year",
        "2026",
        "--division",
        "news",
        "--out",
        one.to_str().unwrap(),
    ]);
    assert!(made.status.success() && one.is_file());
    let imported = run(&[
        "import",
        "--db",
        db_arg,
        "--year",
        "2026",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{stdout}");
    assert!(stdout.contains("共 3 份：导入 3 份，拒绝 0 份"), "{stdout}");
}

/// Calc headless, or None when LibreOffice is not installed.
fn soffice(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new("soffice")
        .args([
            "--headless",
            &format!("-env:UserInstallation=file://{}/lo", dir.display()),
        ])
        .args(args)
        .output()
        .expect("soffice (LibreOffice) must be installed: scripts/install-test-deps.sh")
}

#[test]
#[ignore = "needs LibreOffice: run by .ci/run"]
fn a_return_resaved_by_libreoffice_imports_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    let filled = dir.path().join("filled").join("return.xlsx");
    std::fs::create_dir(filled.parent().unwrap()).unwrap();
    save(&g, &filled);
    let resaved = dir.path().join("resaved");
    let done = soffice(
        &[
            "--convert-to",
            "xlsx",
            "--outdir",
            resaved.to_str().unwrap(),
            filled.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let report = import(&db, None, &[resaved.join("return.xlsx")]);
    assert_eq!(report.refused(), 0, "{}", report.summary());
    for (month, code, v) in expected() {
        assert_eq!(value(&db, month, code), Some(v), "{code} {month}月");
    }
    // The workbook as made prints to PDF in Calc.
    let pdf = dir.path().join("pdf");
    let done = soffice(
        &[
            "--convert-to",
            "pdf",
            "--outdir",
            pdf.to_str().unwrap(),
            news_book(&out).to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let bytes = std::fs::read(pdf.join("2026年-新闻宣传处-填报表.pdf")).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
}
