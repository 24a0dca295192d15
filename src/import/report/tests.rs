//! Matcher tests on small hand-made documents: label variants, merged cells, blank
//! columns, the one-row （六）其他处理, and cells that cannot be placed.

use super::*;
use crate::read::{self, Block, Cell, Table};

fn text(s: &str) -> Reading {
    read_blocks(&read::text::read(s.as_bytes()).unwrap(), true)
}

fn html(s: &str) -> Reading {
    read_blocks(&read::html::read(s.as_bytes()).unwrap(), false)
}

fn v<'a>(r: &'a Reading, code: &str) -> Option<&'a str> {
    r.value(code)
}

/// Table 3 as text with its official labels and every value 0, one row a line.
fn t3_zeros() -> String {
    let mut out = String::from(
        "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n自然人\t法人或其他组织\t总计\n商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n",
    );
    for (code, _) in crate::model::national::T3_ROWS {
        out.push_str(&format!(
            "{}{}\n",
            super::t3_row_label(code),
            "\t0".repeat(7)
        ));
    }
    out
}

/// Hand-made: a page's table text with label variants, blank organisation columns and
/// the older one-row （六）其他处理 (also used by `tests/import_report.rs`).
const VARIANTS: &str = include_str!("../../../tests/fixtures/report-variants.txt");

#[test]
fn table2_variants_spaces_typo_and_dash() {
    let r = text(VARIANTS);
    assert!(r.unplaced.is_empty(), "{:?}", r.unplaced);
    assert_eq!(v(&r, "t2.rules.effective"), Some("0"));
    // 规范性文件 without 行政, and a typo: 行政事业性收废.
    assert_eq!(v(&r, "t2.normative.issued"), Some("3"));
    assert_eq!(v(&r, "t2.normative.effective"), Some("17"));
    assert_eq!(v(&r, "t2.license.decisions"), Some("1,206"));
    assert_eq!(v(&r, "t2.penalty.decisions"), Some("88"));
    // A dash is blank, not 0.
    assert_eq!(v(&r, "t2.enforcement.decisions"), Some(""));
    assert_eq!(v(&r, "t2.fees.amount"), Some("24252.311082"));

    let typo = text(&VARIANTS.replace("行政事业性收费\t", "行政事业性收废\t"));
    assert_eq!(v(&typo, "t2.fees.amount"), Some("24252.311082"));
    assert!(
        typo.notices
            .iter()
            .any(|n| n.contains("行政事业性收废") && n.contains("行政事业性收费")),
        "{:?}",
        typo.notices
    );
}

#[test]
fn table3_numbering_variants_blank_columns_and_one_row_other() {
    let r = text(VARIANTS);
    assert!(r.unplaced.is_empty(), "{:#?}", r.unplaced);
    assert_eq!(v(&r, "t3.new.natural"), Some("12"));
    assert_eq!(v(&r, "t3.new.total"), Some("12"));
    // Blank organisation columns stay blank.
    assert_eq!(v(&r, "t3.new.business"), Some(""));
    assert_eq!(v(&r, "t3.deny.third_party.legal"), Some(""));
    // (三) 1、… 3、危及"三安全一稳定" (ASCII quotes), 4、…
    assert_eq!(v(&r, "t3.deny.third_party.natural"), Some("1"));
    assert_eq!(v(&r, "t3.deny.safety.total"), Some("0"));
    // 另行制做: a typo, read and said so.
    assert_eq!(v(&r, "t3.unable.needs_creation.natural"), Some("0"));
    assert!(
        r.notices.iter().any(|n| n.contains("另行制做")),
        "{:?}",
        r.notices
    );
    assert_eq!(v(&r, "t3.reject.petition.total"), Some("1"));
    // （六）其他处理 as one row → other.other, said so; its items are not read.
    assert_eq!(v(&r, "t3.other.other.natural"), Some("1"));
    assert_eq!(v(&r, "t3.other.overdue_fee.natural"), None);
    assert!(
        r.notices
            .iter()
            .any(|n| n.contains("其他处理") && n.contains("t3.other.other")),
        "{:?}",
        r.notices
    );
    assert_eq!(v(&r, "t3.carried_out.total"), Some("1"));
    assert_eq!(
        r.placed
            .iter()
            .filter(|p| p.code.starts_with("t3."))
            .count(),
        (crate::model::national::T3_ROWS.len() - 2) * 7
    );
    // Table 4: one row of fifteen.
    assert_eq!(v(&r, "t4.review.upheld"), Some("1"));
    assert_eq!(v(&r, "t4.review.total"), Some("0"));
    assert_eq!(
        r.placed
            .iter()
            .filter(|p| p.code.starts_with("t4."))
            .count(),
        15
    );
}

#[test]
fn cells_that_cannot_be_placed_are_named_by_row_and_column() {
    let mut t3 = t3_zeros();
    // A row the national format does not have, and a row with a number too few.
    t3.push_str("（八）其他情形\t1\t0\t0\t0\t0\t0\t1\n");
    let t3 = t3.replace(
        "（一）予以公开\t0\t0\t0\t0\t0\t0\t0",
        "（一）予以公开\t5  0\t0\t0\t0\t5",
    );
    let r = text(&t3);
    let unknown: Vec<&Unplaced> = r
        .unplaced
        .iter()
        .filter(|u| u.at.row.contains("其他情形"))
        .collect();
    assert_eq!(unknown.len(), 7, "{:#?}", r.unplaced);
    assert_eq!(unknown[0].at.table, TableId::T3);
    assert!(
        unknown[0].to_string().contains("第 1 个数"),
        "{}",
        unknown[0]
    );
    let short: Vec<&Unplaced> = r
        .unplaced
        .iter()
        .filter(|u| u.at.row == "（一）予以公开")
        .collect();
    assert!(!short.is_empty(), "{:#?}", r.unplaced);
    assert!(short[0].reason.contains("应有 7 个数"), "{}", short[0]);
    assert!(short[0].reason.contains("自然人"), "{}", short[0]);
    assert_eq!(v(&r, "t3.open.natural"), None);
}

#[test]
fn html_header_cells_place_columns_even_with_a_spacer_column() {
    // Word's web pages can add an empty spacer column: sixteen cells in the data row, so
    // the national order alone cannot place them, but the headers can.
    let page = "<p>四、政府信息公开行政复议、行政诉讼情况</p><table>
        <tr><td rowspan=3>&nbsp;</td><td colspan=5 rowspan=2>行政复议</td><td colspan=10>行政诉讼</td></tr>
        <tr><td colspan=5>未经复议<br>直接起诉</td><td colspan=5>复议后起诉</td></tr>
        <tr><td>结果维持<td>结果纠正<td>其他结果<td>尚未审结<td>总计
            <td>结果维持<td>结果纠正<td>其他结果<td>尚未审结<td>总计
            <td>结果维持<td>结果纠正<td>其他结果<td>尚未审结<td>总计</tr>
        <tr><td>&nbsp;<td>1<td>0<td>0<td>1<td>2<td>0<td>0<td>0<td>0<td>0<td>3<td>&nbsp;<td>0<td>0<td>3</tr>
        </table>";
    let r = html(page);
    assert!(r.unplaced.is_empty(), "{:#?}", r.unplaced);
    assert_eq!(v(&r, "t4.review.upheld"), Some("1"));
    assert_eq!(v(&r, "t4.review.total"), Some("2"));
    assert_eq!(v(&r, "t4.suit_after_review.upheld"), Some("3"));
    assert_eq!(v(&r, "t4.suit_after_review.corrected"), Some(""));
    assert_eq!(v(&r, "t4.suit_direct.pending"), Some("0"));
    // As text (no spans known) the same sixteen cells are refused, not guessed.
    let as_text = text(
        &read::html::read(page.as_bytes())
            .unwrap()
            .iter()
            .map(|b| match b {
                Block::Table(t) => t
                    .rows
                    .iter()
                    .map(|r| {
                        r.iter()
                            .filter(|c| !c.covered)
                            .map(|c| c.text.replace('\n', ""))
                            .collect::<Vec<_>>()
                            .join("\t")
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                Block::Paragraph(p) => p.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    assert!(as_text.placed.is_empty());
    assert!(!as_text.unplaced.is_empty());
}

#[test]
fn label_split_over_two_cells_and_a_number_with_a_unit() {
    let t3 = t3_zeros().replace(
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t",
        "（二）部分公开\t（区分处理的，只计这一情形，不计其他情形）\t",
    );
    let r = text(&(t3 + "行政许可\t3318件\n"));
    assert_eq!(v(&r, "t3.partial.total"), Some("0"));
    assert!(r.notices.iter().any(|n| n.contains("作为行名的一部分")));
    assert_eq!(v(&r, "t2.license.decisions"), None);
    assert_eq!(r.unplaced.len(), 1, "{:#?}", r.unplaced);
    assert_eq!(r.unplaced[0].text, "3318件");
    assert_eq!(r.unplaced[0].at.row, "行政许可");
}

#[test]
fn a_cell_read_twice_with_two_values_is_refused() {
    let table = |n: &str| {
        Block::Table(Table {
            rows: vec![
                vec![Cell::new("信息内容"), Cell::new("本年处理决定数量")],
                vec![Cell::new("行政许可"), Cell::new(n)],
            ],
            spans_known: true,
        })
    };
    let r = read_blocks(&[table("5"), table("5")], false);
    assert!(r.unplaced.is_empty());
    assert!(r.notices.iter().any(|n| n.contains("不止一次")));
    let r = read_blocks(&[table("5"), table("6")], false);
    assert_eq!(r.unplaced.len(), 1);
    assert!(r.unplaced[0].reason.contains("“5”"), "{}", r.unplaced[0]);
}

#[test]
fn missing_tables_and_rows_are_said() {
    let r = text("行政许可\t12\n");
    assert_eq!(v(&r, "t2.license.decisions"), Some("12"));
    assert!(r.notices.iter().any(|n| n.contains("没有找到表三")));
    assert!(r.notices.iter().any(|n| n.contains("没有找到表四")));
    assert!(
        r.notices
            .iter()
            .any(|n| n.contains("表二中没有读到") && n.contains("规章")),
        "{:?}",
        r.notices
    );
    let rows = r.raw_rows(2020);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].metric, "t2.license.decisions");
    assert_eq!(rows[0].month, "");
    assert_eq!(r.location(1).unwrap().row, "行政许可");
}

#[test]
fn tables_text_shows_blank_and_not_read_apart() {
    let r = text("行政许可\t12\n行政处罚\t-\n");
    let shown = r.tables_text();
    assert!(shown.contains("12 行政许可"), "{shown}");
    let penalty = shown.lines().find(|l| l.ends_with("行政处罚")).unwrap();
    assert_eq!(penalty.trim(), "行政处罚");
    let enforcement = shown.lines().find(|l| l.ends_with("行政强制")).unwrap();
    assert!(enforcement.contains('·'), "{shown}");
}

/// [`t3_zeros`] with row `code`'s line replaced by `line` (its label and values).
fn t3_with(edits: &[(&str, &str)]) -> String {
    let mut out = t3_zeros();
    for (code, line) in edits {
        let official = format!("{}{}\n", super::t3_row_label(code), "\t0".repeat(7));
        assert!(out.contains(&official), "{code}");
        out = out.replace(&official, &format!("{line}\n"));
    }
    out
}

const ONE_TO_SEVEN: &str = "\t1\t2\t3\t4\t5\t6\t7";

fn read_by_place(r: &Reading, code: &str) {
    assert!(r.unplaced.is_empty(), "{:#?}", r.unplaced);
    assert_eq!(v(r, &format!("t3.{code}.natural")), Some("1"), "{code}");
    assert_eq!(v(r, &format!("t3.{code}.total")), Some("7"), "{code}");
    let official = super::t3_row_label(code);
    assert!(
        r.notices
            .iter()
            .any(|n| n.contains("按位置读作") && n.contains(&official)),
        "{:?}",
        r.notices
    );
}

#[test]
fn table3_a_label_with_characters_missing_is_read_by_its_place() {
    let r = text(&t3_with(&[(
        "deny.law",
        &format!("2.其他法{ONE_TO_SEVEN}"),
    )]));
    read_by_place(&r, "deny.law");
}

#[test]
fn table3_a_label_with_wrong_characters_is_read_by_its_place() {
    let r = text(&t3_with(&[(
        "unable.needs_creation",
        &format!("2.投有现存倍息须另外制造{ONE_TO_SEVEN}"),
    )]));
    read_by_place(&r, "unable.needs_creation");
}

#[test]
fn table3_two_adjacent_misprints_are_read_in_order() {
    let r = text(&t3_with(&[
        ("deny.safety", &format!("3.危及三安{ONE_TO_SEVEN}")),
        ("deny.third_party", &format!("4.保户第{ONE_TO_SEVEN}")),
    ]));
    read_by_place(&r, "deny.safety");
    read_by_place(&r, "deny.third_party");
}

#[test]
fn table3_a_group_label_after_its_items_with_a_misprint_between_items_1_and_3() {
    // The real report: （三）'s items printed before its label lines, item 2 cut short.
    let mut doc = t3_with(&[("deny.law", &format!("2.其他法律{ONE_TO_SEVEN}"))]);
    let query = format!("{}{}\n", super::t3_row_label("deny.query"), "\t0".repeat(7));
    doc = doc.replace(&query, &format!("{query}（三）不予公开\n"));
    let r = text(&doc);
    read_by_place(&r, "deny.law");
    assert_eq!(v(&r, "t3.deny.secret.total"), Some("0"));
    assert_eq!(v(&r, "t3.unable.not_held.total"), Some("0"));
}

#[test]
fn table3_a_row_split_across_a_page_break_is_read() {
    let r = text(&t3_with(&[(
        "deny.law",
        &format!("2.其他法律行政法规\n- 3 -\n禁止公开{ONE_TO_SEVEN}"),
    )]));
    assert!(r.unplaced.is_empty(), "{:#?}", r.unplaced);
    assert_eq!(v(&r, "t3.deny.law.natural"), Some("1"));
    assert_eq!(v(&r, "t3.deny.law.total"), Some("7"));
}

#[test]
fn table3_a_misprint_with_two_possible_rows_is_refused_naming_both() {
    let r = text(&t3_with(&[
        ("deny.law", ""),
        ("deny.safety", &format!("危及{ONE_TO_SEVEN}")),
    ]));
    let why: Vec<&str> = r.unplaced.iter().map(|u| u.reason.as_str()).collect();
    assert!(
        why.iter()
            .any(|w| w.contains("其他法律行政法规禁止公开") && w.contains("危及“三安全一稳定”")),
        "{why:?}"
    );
    assert_eq!(v(&r, "t3.deny.safety.total"), None);
}
