//! `nianbao import` fed careless and hostile sheets: each refusal names the row / cell /
//! limit, and the database, the input file and the audit log stay as they were.
//!
//! The demo's 2019 months 1–11 are locked and December is submitted: office staff may
//! write December (and the yearly metrics), contacts nothing. `credit.interceptions` of
//! `credit` in December has a stored value.

use std::path::Path;

use super::support::*;

const HEADER: &str = "year,month,division,metric,value,note\n";
const HEADER_CELLS: [&str; 6] = ["year", "month", "division", "metric", "value", "note"];

/// Asserts the import of `path` is refused with a message containing every `needle`,
/// and that nothing changed (the database, its audit log, the file).
fn refused(demo: &Demo, path: &Path, extra: &[&str], needles: &[&str]) -> String {
    let before = demo.fingerprint();
    let file_before = std::fs::read(path).ok();
    let out = import(demo, "2019", path, extra);
    let err = stderr(&out);
    assert!(!out.status.success(), "accepted:\n{}", stdout(&out));
    for needle in needles {
        assert!(err.contains(needle), "no “{needle}” in:\n{err}");
    }
    assert_eq!(demo.fingerprint(), before, "the import changed the file");
    assert_eq!(
        std::fs::read(path).ok(),
        file_before,
        "the input file changed"
    );
    err
}

fn stored(demo: &Demo, month: u8, division: &str, metric: &str) -> Option<Option<String>> {
    let store = nianbao::store::Store::open(&demo.db).unwrap();
    store
        .value(2019, month, division, metric)
        .unwrap()
        .map(|v| v.map(|d| d.to_string()))
}

fn write(demo: &Demo, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
    let path = demo.path(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn one_sheet(demo: &Demo, rows: &[&[&str]]) -> std::path::PathBuf {
    let mut xml = xlsx_row(1, &HEADER_CELLS);
    for (i, row) in rows.iter().enumerate() {
        xml.push_str(&xlsx_row(i as u32 + 2, row));
    }
    let path = demo.path("表.xlsx");
    write_xlsx(&path, &[("Sheet1", sheet_xml(&xml))], &[]);
    path
}

#[test]
fn a_formula_without_a_result_is_refused_with_its_cell() {
    let demo = Demo::new();
    let stored_before = stored(&demo, 12, "credit", "credit.interceptions");
    assert!(matches!(stored_before, Some(Some(_))));
    let path = one_sheet(
        &demo,
        &[&["2019", "12", "credit", "credit.interceptions", "=1+1"]],
    );
    refused(
        &demo,
        &path,
        &[],
        &["E2 是公式但没有计算结果：请在 Excel/WPS 中打开并保存后再导入"],
    );
}

#[test]
fn a_formula_with_a_result_imports_the_result_and_says_so() {
    let demo = Demo::new();
    let path = one_sheet(
        &demo,
        &[&["2019", "12", "credit", "credit.interceptions", "=1+1|2"]],
    );
    let out = import(&demo, "2019", &path, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("第 2 行：E2 是公式（=1+1），导入的是其计算结果“2”"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stored(&demo, 12, "credit", "credit.interceptions"),
        Some(Some("2".into()))
    );
}

#[test]
fn a_blank_value_keeps_the_stored_value_unless_asked_to_clear() {
    let demo = Demo::new();
    let before = stored(&demo, 12, "credit", "credit.interceptions");
    let csv = write(
        &demo,
        "blank.csv",
        format!("{HEADER}2019,12,credit,credit.interceptions,,\n"),
    );
    let fingerprint = demo.fingerprint();
    let out = import(&demo, "2019", &csv, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("第 2 行：数值为空，保留已有数值"), "{said}");
    assert!(said.contains("新增 0 行，修改 0 行，不变 1 行"), "{said}");
    assert_eq!(
        demo.fingerprint(),
        fingerprint,
        "a blank cell changed the file"
    );

    let out = import(&demo, "2019", &csv, &["--clear-blanks"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("修改 1 行"), "{}", stdout(&out));
    assert_eq!(
        stored(&demo, 12, "credit", "credit.interceptions"),
        Some(None)
    );
    assert_ne!(before, Some(None));
}

#[test]
fn a_formula_in_xlsx_never_clears_through_a_blank() {
    // Even with --clear-blanks, a formula without a result is not a blank.
    let demo = Demo::new();
    let path = one_sheet(
        &demo,
        &[&["2019", "12", "credit", "credit.interceptions", "=A1"]],
    );
    refused(
        &demo,
        &path,
        &["--clear-blanks"],
        &["E2 是公式但没有计算结果"],
    );
}

#[test]
fn one_bad_byte_in_utf8_is_refused_with_row_and_offset() {
    let demo = Demo::new();
    let mut bytes = format!("{HEADER}2019,12,credit,credit.interceptions,5,信用").into_bytes();
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xFF\xFE\xFD");
    bytes.extend_from_slice("备注\n".as_bytes());
    let path = write(&demo, "bad.csv", &bytes);
    refused(
        &demo,
        &path,
        &[],
        &["第 2 行", &format!("第 {offset} 字节"), "未读取任何内容"],
    );
}

#[test]
fn utf16_and_utf32_csv_are_named_with_how_to_save() {
    let demo = Demo::new();
    let text = format!("{HEADER}2019,12,credit,credit.interceptions,5,\n");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf32: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    for (bytes, name) in [(utf16, "UTF-16 LE"), (utf32, "UTF-32 LE")] {
        let path = write(&demo, "wide.csv", &bytes);
        refused(&demo, &path, &[], &[name, "另存为”UTF-8"]);
    }
}

#[test]
fn a_comma_that_is_not_a_thousands_separator_is_refused() {
    let demo = Demo::new();
    let csv = format!(
        "{HEADER}2019,12,credit,credit.interceptions,\"1,5\",\n2019,12,office,t2.fees.amount,\"12,34\",\n"
    );
    let path = write(&demo, "comma.csv", csv);
    let err = refused(&demo, &path, &[], &["第 2 行", "第 3 行"]);
    assert!(err.contains("逗号用法不明确：“1,5”"), "{err}");
    assert!(err.contains("逗号用法不明确：“12,34”"), "{err}");
}

#[test]
fn a_binary_float_with_too_many_places_is_refused_not_rounded() {
    let demo = Demo::new();
    let path = one_sheet(
        &demo,
        &[
            &[
                "2019",
                "",
                "office",
                "t2.fees.amount",
                "0.30000000000000004",
            ],
            &["2019", "12", "credit", "credit.interceptions", "1725.0"],
        ],
    );
    let err = refused(
        &demo,
        &path,
        &[],
        &["第 2 行", "0.30000000000000004 是二进制浮点数"],
    );
    assert!(!err.contains("第 3 行"), "1725.0 is a whole number:\n{err}");
}

#[test]
fn control_characters_are_refused_with_row_and_column() {
    let demo = Demo::new();
    let csv = format!(
        "{HEADER}2019,12,credit,credit.interceptions,5,ok\n2019,12,credit,credit.interceptions,5,a\0b\n"
    );
    let path = write(&demo, "nul.csv", csv);
    refused(
        &demo,
        &path,
        &[],
        &["第 3 行：“备注”列含有控制字符（U+0000）"],
    );
    let tab = format!("{HEADER}2019,12,credit,credit.interceptions,5\t,\n");
    let path = write(&demo, "tab.csv", tab);
    refused(
        &demo,
        &path,
        &[],
        &["第 2 行：“数值”列含有控制字符（U+0009）"],
    );
}

#[test]
fn a_line_break_inside_a_quoted_note_is_kept() {
    let demo = Demo::new();
    let csv = format!("{HEADER}2019,12,credit,credit.interceptions,5,\"两行\r\n备注\"\n");
    let path = write(&demo, "note.csv", csv);
    let out = import(&demo, "2019", &path, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = nianbao::store::Store::open(&demo.db).unwrap();
    let values = store
        .stored_values(2019..=2019, Some("credit"), Some("credit.interceptions"))
        .unwrap();
    let december = values.iter().find(|v| v.month == 12).unwrap();
    assert_eq!(december.note, "两行\n备注");
}

#[test]
fn one_cell_at_xfd1048576_is_refused_without_allocating_the_sheet() {
    let demo = Demo::new();
    let xml = sheet_xml(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
    let path = demo.path("far.xlsx");
    write_xlsx(&path, &[("Sheet1", xml)], &[]);
    refused(
        &demo,
        &path,
        &[],
        &["1048576", "超过导入表的上限 1000000 行"],
    );
    let xml = sheet_xml(&format!(
        "{}{}",
        xlsx_row(1, &HEADER_CELLS),
        r#"<row r="2"><c r="XFD2"><v>1</v></c></row>"#
    ));
    write_xlsx(&path, &[("Sheet1", xml)], &[]);
    refused(&demo, &path, &[], &["XFD2", "上限 50 列"]);
}

#[test]
fn a_shared_formula_with_a_huge_index_is_read_without_allocating_for_it() {
    let demo = Demo::new();
    let anchor = r#"<c r="E2"><f t="shared" ref="E2:E3" si="999999999999">1+1</f><v>2</v></c>"#;
    let derived = r#"<c r="E3"><f t="shared" si="999999999999"/><v>3</v></c>"#;
    let row = |r: u32, metric: &str, value: &str| {
        let mut cells = xlsx_row(r, &["2019", "12", "credit", metric]);
        cells.insert_str(cells.len() - "</row>".len(), value);
        cells
    };
    let xml = sheet_xml(&format!(
        "{}{}{}",
        xlsx_row(1, &HEADER_CELLS),
        row(2, "credit.interceptions", anchor),
        row(3, "credit.interceptions", derived)
    ));
    let path = demo.path("shared.xlsx");
    write_xlsx(&path, &[("Sheet1", xml)], &[]);
    let out = import(&demo, "2019", &path, &["--dry-run"]);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    // Read, not aborted on allocation: both formulas are noticed with their cells.
    assert!(said.contains("E2 是公式（=1+1）"), "{said}");
    assert!(said.contains("E3 是公式（=共享公式）"), "{said}");
}

#[test]
fn a_part_that_expands_past_the_limit_is_refused_with_the_limit() {
    let demo = Demo::new();
    let path = demo.path("bomb.xlsx");
    let zeros = vec![0u8; (nianbao::input::MAX_SHEET_BYTES + 1) as usize];
    let xml = sheet_xml(&xlsx_row(1, &HEADER_CELLS));
    write_xlsx(
        &path,
        &[("Sheet1", xml)],
        &[("xl/media/image1.bin", &zeros)],
    );
    assert!(std::fs::metadata(&path).unwrap().len() < 1024 * 1024);
    refused(
        &demo,
        &path,
        &[],
        &["xl/media/image1.bin", "解压后超过 64 MB"],
    );
}

#[cfg(unix)]
#[test]
fn a_csv_path_to_dev_zero_stops_at_the_cap() {
    let demo = Demo::new();
    let path = demo.path("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let before = demo.fingerprint();
    let out = import(&demo, "2019", &path, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("文件过大"), "{}", stderr(&out));
    assert!(stderr(&out).contains("超过 64 MB"), "{}", stderr(&out));
    assert_eq!(demo.fingerprint(), before);
}

#[test]
fn a_huge_number_is_quoted_back_short() {
    let demo = Demo::new();
    let number = "9".repeat(5_000_000);
    let path = write(
        &demo,
        "long.csv",
        format!("{HEADER}2019,12,credit,credit.interceptions,{number}x,\n"),
    );
    let err = refused(&demo, &path, &[], &["第 2 行", "共 5000001 个字符"]);
    assert!(err.len() < 1000, "{} bytes of message", err.len());
}

#[test]
fn random_bytes_and_a_truncated_xlsx_are_not_excel_files() {
    let demo = Demo::new();
    let path = write(
        &demo,
        "noise.xlsx",
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    );
    let err = refused(&demo, &path, &[], &["不是有效的 Excel 文件（"]);
    assert!(!err.contains("EOCD") && !err.contains("Zip error"), "{err}");
    let good = one_sheet(
        &demo,
        &[&["2019", "12", "credit", "credit.interceptions", "5"]],
    );
    let bytes = std::fs::read(&good).unwrap();
    let cut = write(&demo, "cut.xlsx", &bytes[..bytes.len() / 2]);
    refused(&demo, &cut, &[], &["不是有效的 Excel 文件（"]);
}

#[test]
fn the_first_sheet_with_the_header_is_read_and_named() {
    let demo = Demo::new();
    let path = demo.path("two.xlsx");
    let cover = sheet_xml(&xlsx_row(1, &["说明"]));
    let data = sheet_xml(&format!(
        "{}{}",
        xlsx_row(1, &HEADER_CELLS),
        xlsx_row(2, &["2019", "12", "credit", "credit.interceptions", "7"])
    ));
    write_xlsx(&path, &[("Sheet1", cover.clone()), ("数据", data)], &[]);
    let out = import(&demo, "2019", &path, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("第一个工作表“Sheet1”没有导入表头，读取的是工作表“数据”"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stored(&demo, 12, "credit", "credit.interceptions"),
        Some(Some("7".into()))
    );
    write_xlsx(&path, &[("Sheet1", cover.clone()), ("封面", cover)], &[]);
    refused(
        &demo,
        &path,
        &[],
        &["工作表“Sheet1”没有表头 year,month,division,metric,value；文件中的工作表：Sheet1、封面"],
    );
}

#[test]
fn an_unclosed_quote_names_the_row_it_opened_on() {
    let demo = Demo::new();
    let csv = format!(
        "{HEADER}2019,12,credit,credit.interceptions,5,\"两行\n备注\"\n2019,12,credit,credit.interceptions,\"5,\n2019,12,office,t2.fees.amount,1,\n"
    );
    let path = write(&demo, "quote.csv", csv);
    refused(&demo, &path, &[], &["第 3 行的引号（\"）没有闭合"]);
}

#[test]
fn a_year_that_is_not_open_is_one_message() {
    let demo = Demo::new();
    let csv = format!(
        "{HEADER}2030,12,credit,credit.interceptions,5,\n2030,11,credit,credit.interceptions,5,\n"
    );
    let path = write(&demo, "2030.csv", csv);
    let before = demo.fingerprint();
    let out = import(&demo, "2030", &path, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(
        err.trim(),
        "错误：2030年没有指标目录（先用 nianbao year --open 2030 开启该年度）"
    );
    assert_eq!(demo.fingerprint(), before);
}

#[test]
fn locked_months_and_other_divisions_are_refused_per_row() {
    let demo = Demo::new();
    let csv = format!(
        "{HEADER}2019,12,credit,credit.interceptions,5,\n2019,11,credit,credit.interceptions,5,\n"
    );
    let path = write(&demo, "locked.csv", csv);
    let err = refused(
        &demo,
        &path,
        &[],
        &["第 3 行：2019年11月已锁定，不能修改（处室：credit）"],
    );
    assert!(!err.contains("第 2 行"), "{err}");

    // A contact (news's) may write neither another division nor a submitted month.
    let csv =
        format!("{HEADER}2019,12,credit,credit.interceptions,5,\n2019,12,news,news.weibo,5,\n");
    let path = write(&demo, "contact.csv", csv);
    let err = refused(
        &demo,
        &path,
        &["--user", "li.zhe"],
        &[
            "第 2 行：",
            "只能填报本处室的数据",
            "第 3 行：2019年12月已报送",
        ],
    );
    assert!(err.contains("2 行有错误"), "{err}");
}

#[test]
fn a_short_row_says_how_many_columns_it_has() {
    let demo = Demo::new();
    let csv = format!("{HEADER}2019,12,credit\n2019,12,credit,credit.interceptions,5,\n");
    let path = write(&demo, "short.csv", csv);
    let err = refused(&demo, &path, &[], &["第 2 行：只有 3 列，应为 6 列"]);
    assert!(!err.contains("没有指标"), "{err}");
}

#[test]
fn an_unknown_user_is_refused_cleanly() {
    let demo = Demo::new();
    let path = write(
        &demo,
        "ok.csv",
        format!("{HEADER}2019,12,credit,credit.interceptions,5,\n"),
    );
    let before = demo.fingerprint();
    let out = import(&demo, "2019", &path, &["--user", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim(), "错误：未知的用户：nobody");
    assert_eq!(demo.fingerprint(), before);
}

/// The summary line's (new, changed, unchanged).
fn summary(out: &std::process::Output) -> (usize, usize, usize) {
    let text = stdout(out);
    let line = text
        .lines()
        .find(|l| l.starts_with("已导入"))
        .unwrap_or_else(|| panic!("no summary:\n{text}\n{}", stderr(out)));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let n = numbers.len();
    (numbers[n - 3], numbers[n - 2], numbers[n - 1])
}

#[test]
fn concurrent_imports_each_print_what_they_wrote() {
    let demo = Demo::new();
    assert!(
        nianbao(&["year", "--db", demo.db(), "--open", "2020"])
            .status
            .success()
    );
    let store = nianbao::store::Store::open(&demo.db).unwrap();
    let cells: Vec<(String, String)> = store
        .metrics(2020)
        .unwrap()
        .into_iter()
        .filter(|m| m.period == nianbao::model::Period::Monthly && !m.is_formula())
        .map(|m| (m.owners[0].clone(), m.code))
        .collect();
    drop(store);
    let csv = |value: u32| {
        let mut text = HEADER.to_string();
        for (division, metric) in &cells {
            for month in 1..=12 {
                text.push_str(&format!("2020,{month},{division},{metric},{value},\n"));
            }
        }
        text
    };
    let (a, b) = (write(&demo, "a.csv", csv(1)), write(&demo, "b.csv", csv(2)));
    let rows = cells.len() * 12;
    let run = |path: &Path, user: &str| {
        let args = [
            "import",
            "--db",
            demo.db(),
            "--user",
            user,
            "--year",
            "2020",
        ];
        std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(args)
            .arg(path)
            .output()
            .unwrap()
    };
    let (out_a, out_b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&a, "liu.office"));
        let b = s.spawn(|| run(&b, "wang.jing"));
        (a.join().unwrap(), b.join().unwrap())
    });
    let store = nianbao::store::Store::open(&demo.db).unwrap();
    let mut inserted_total = 0;
    for (out, login) in [(&out_a, "liu.office"), (&out_b, "wang.jing")] {
        let (new, changed, unchanged) = summary(out);
        assert_eq!(new + changed + unchanged, rows, "{login}");
        let audit = store
            .audit_log(&nianbao::store::AuditFilter {
                actor: Some(login.into()),
                entity: Some("value".into()),
                key_prefix: Some("2020/".into()),
                ..Default::default()
            })
            .unwrap();
        let audited_new = audit.iter().filter(|e| e.old.is_none()).count();
        assert_eq!(
            (audited_new, audit.len() - audited_new),
            (new, changed),
            "{login}"
        );
        inserted_total += new;
    }
    // Whichever went first inserted every row; the second changed them all.
    assert_eq!(inserted_total, rows);
}
