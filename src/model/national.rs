//! The built-in national catalogue (全国统一格式): the SPEC §2 codes of tables 2, 3 and 4
//! with their official labels, owned by the office (`office`). These codes are fixed — the
//! import format, the templates and the checks depend on them.

use super::{Aggregation, Metric, OFFICE, Period, TableCell, ValueKind};

/// Table 3's columns: code and official label.
pub const T3_COLUMNS: [(&str, &str); 7] = [
    ("natural", "自然人"),
    ("business", "商业企业"),
    ("research", "科研机构"),
    ("nonprofit", "社会公益组织"),
    ("legal", "法律服务机构"),
    ("other", "其他"),
    ("total", "总计"),
];

/// Table 3's rows: code and official label (without the group numbering).
pub const T3_ROWS: [(&str, &str); 25] = [
    ("new", "本年新收政府信息公开申请数量"),
    ("carried_in", "上年结转政府信息公开申请数量"),
    ("open", "予以公开"),
    (
        "partial",
        "部分公开（区分处理的，只计这一情形，不计其他情形）",
    ),
    ("deny.secret", "属于国家秘密"),
    ("deny.law", "其他法律行政法规禁止公开"),
    ("deny.safety", "危及“三安全一稳定”"),
    ("deny.third_party", "保护第三方合法权益"),
    ("deny.internal", "属于三类内部事务信息"),
    ("deny.process", "属于四类过程性信息"),
    ("deny.case_file", "属于行政执法案卷"),
    ("deny.query", "属于行政查询事项"),
    ("unable.not_held", "本机关不掌握相关政府信息"),
    ("unable.needs_creation", "没有现成信息需要另行制作"),
    ("unable.unclear", "补正后申请内容仍不明确"),
    ("reject.petition", "信访举报投诉类申请"),
    ("reject.repeat", "重复申请"),
    ("reject.publication", "要求提供公开出版物"),
    ("reject.mass", "无正当理由大量反复申请"),
    ("reject.confirm", "要求行政机关确认或重新出具已获取信息"),
    (
        "other.overdue_correction",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "other.overdue_fee",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other.other", "其他"),
    ("results_total", "总计"),
    ("carried_out", "结转下年度继续办理"),
];

/// The result rows of table 3 (those summed into `results_total`).
pub fn t3_result_rows() -> impl Iterator<Item = &'static str> {
    T3_ROWS[2..23].iter().map(|(code, _)| *code)
}

/// Table 3's groups of numbered result items （三）–（六）: label and code prefix.
pub const T3_GROUPS: [(&str, &str); 4] = [
    ("（三）不予公开", "deny."),
    ("（四）无法提供", "unable."),
    ("（五）不予处理", "reject."),
    ("（六）其他处理", "other."),
];

/// The report's sections that hold the national tables: code prefix and official heading.
pub const NATIONAL_TABLES: [(&str, &str); 3] = [
    ("t2.", "二、主动公开政府信息情况"),
    ("t3.", "三、收到和处理政府信息公开申请情况"),
    ("t4.", "四、政府信息公开行政复议、行政诉讼情况"),
];

/// Whether `code` is a cell of the national tables (`t2.`, `t3.`, `t4.`).
pub fn is_national(code: &str) -> bool {
    NATIONAL_TABLES
        .iter()
        .any(|(prefix, _)| code.starts_with(prefix))
}

/// Where a national metric sits in the published tables, for screens that list the codes
/// in the tables' order: the table's heading, the row or clause it belongs to (with the
/// official numbering), and its own short label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalPlace {
    pub table: &'static str,
    pub section: String,
    pub label: String,
}

/// The [`NationalPlace`] of a national code (SPEC §2); `None` for any other code.
pub fn national_place(code: &str) -> Option<NationalPlace> {
    let table = NATIONAL_TABLES
        .iter()
        .find(|(prefix, _)| code.starts_with(prefix))?
        .1;
    let (section, label) = if let Some(rest) = code.strip_prefix("t2.") {
        let (group, col) = rest.split_once('.')?;
        let (clause, what) = match group {
            "rules" => ("第二十条第（一）项", "规章"),
            "normative" => ("第二十条第（一）项", "行政规范性文件"),
            "license" => ("第二十条第（五）项", "行政许可"),
            "penalty" => ("第二十条第（六）项", "行政处罚"),
            "enforcement" => ("第二十条第（六）项", "行政强制"),
            "fees" => ("第二十条第（八）项", "行政事业性收费"),
            _ => return None,
        };
        let column = match col {
            "issued" => "本年制发件数",
            "repealed" => "本年废止件数",
            "effective" => "现行有效件数",
            "decisions" => "本年处理决定数量",
            "amount" => "本年收费金额（万元）",
            _ => return None,
        };
        (clause.to_string(), format!("{what}：{column}"))
    } else if let Some(rest) = code.strip_prefix("t3.") {
        let (row, col) = T3_COLUMNS
            .iter()
            .find_map(|(c, _)| Some((rest.strip_suffix(c)?.strip_suffix('.')?, *c)))?;
        let (_, row_label) = T3_ROWS.iter().find(|(r, _)| *r == row)?;
        let column = T3_COLUMNS.iter().find(|(c, _)| *c == col)?.1;
        let label = match col {
            "natural" | "total" => column.to_string(),
            _ => format!("法人或其他组织：{column}"),
        };
        let section = match row {
            "new" => format!("一、{row_label}"),
            "carried_in" => format!("二、{row_label}"),
            "carried_out" => format!("四、{row_label}"),
            "open" => format!("三、本年度办理结果（一）{row_label}"),
            "partial" => format!("三、本年度办理结果（二）{row_label}"),
            "results_total" => format!("三、本年度办理结果（七）{row_label}"),
            _ => {
                let (group, prefix) = T3_GROUPS.iter().find(|(_, p)| row.starts_with(p))?;
                let item = T3_ROWS
                    .iter()
                    .filter(|(r, _)| r.starts_with(prefix))
                    .position(|(r, _)| *r == row)?
                    + 1;
                format!("三、本年度办理结果{group} {item}.{row_label}")
            }
        };
        (section, label)
    } else {
        let rest = code.strip_prefix("t4.")?;
        let (group, col) = rest.split_once('.')?;
        let section = match group {
            "review" => T4_GROUPS[0].1.to_string(),
            _ => format!(
                "行政诉讼：{}",
                T4_GROUPS.iter().find(|(g, _)| *g == group)?.1
            ),
        };
        let label = T4_COLUMNS.iter().find(|(c, _)| *c == col)?.1.to_string();
        (section, label)
    };
    Some(NationalPlace {
        table,
        section,
        label,
    })
}

/// Table 4's groups and columns.
pub const T4_GROUPS: [(&str, &str); 3] = [
    ("review", "行政复议"),
    ("suit_direct", "未经复议直接起诉"),
    ("suit_after_review", "复议后起诉"),
];
pub const T4_COLUMNS: [(&str, &str); 5] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
];

/// The built-in national catalogue (SPEC §2): every code of tables 2, 3 and 4, yearly,
/// owned by the office, with official labels and the words prose uses for them.
pub fn national_metrics() -> Vec<Metric> {
    let mut out = Vec::new();
    let mut order = 10_000;
    let mut push = |code: String, name: String, unit: &str, kind: ValueKind, words: Vec<String>| {
        order += 1;
        out.push(Metric {
            code,
            name,
            unit: unit.to_string(),
            kind,
            aggregation: Aggregation::Sum,
            period: Period::Yearly,
            owners: vec![OFFICE.to_string()],
            words,
            sort_order: order,
        });
    };
    // Words: the phrasings reports use. `…` lets other words stand between the parts
    // (现行有效的行政规范性文件); see `prose::words`. Bare verbs (废止4件) are left out:
    // they would not say whether rules or normative documents are meant.
    for (group, label, nouns) in [
        ("rules", "规章", vec!["规章"]),
        (
            "normative",
            "行政规范性文件",
            vec!["行政规范性文件", "规范性文件"],
        ),
    ] {
        for (col, col_label, verbs, gapped) in [
            (
                "issued",
                "本年制发件数",
                vec!["制发", "出台", "印发"],
                "制发",
            ),
            ("repealed", "本年废止件数", vec!["废止"], "废止"),
            ("effective", "现行有效件数", vec!["现行有效"], "现行有效"),
        ] {
            let mut w: Vec<String> = Vec::new();
            for noun in &nouns {
                w.extend(verbs.iter().map(|verb| format!("{verb}{noun}")));
                w.push(format!("{gapped}…{noun}"));
            }
            push(
                format!("t2.{group}.{col}"),
                format!("{label}{col_label}"),
                "件",
                ValueKind::Count,
                w,
            );
        }
    }
    // 处理决定: a bare 行政许可 also names applications, items and cases.
    for (code, name, words) in [
        (
            "license",
            "行政许可本年处理决定数量",
            ["行政许可决定", "许可决定"],
        ),
        (
            "penalty",
            "行政处罚本年处理决定数量",
            ["行政处罚决定", "处罚决定"],
        ),
        (
            "enforcement",
            "行政强制本年处理决定数量",
            ["行政强制决定", "强制决定"],
        ),
    ] {
        push(
            format!("t2.{code}.decisions"),
            name.into(),
            "件",
            ValueKind::Count,
            words.into_iter().map(String::from).collect(),
        );
    }
    push(
        "t2.fees.amount".into(),
        "行政事业性收费本年收费金额".into(),
        "万元",
        ValueKind::Amount { places: 6 },
        vec!["行政事业性收费".into()],
    );
    for (row, row_label) in T3_ROWS {
        for (col, col_label) in T3_COLUMNS {
            let words: Vec<&str> = match (row, col) {
                ("new", "total") => vec![
                    "本年新收政府信息公开申请",
                    "新收…信息公开申请",
                    "受理…信息公开申请",
                    "收到…信息公开申请",
                    "接收…信息公开申请",
                    "新收…依申请公开",
                    "受理…依申请公开",
                    "收到…依申请公开",
                ],
                ("carried_in", "total") => vec!["上年结转"],
                ("results_total", "total") => vec![
                    "办理…信息公开申请",
                    "办结…信息公开申请",
                    "答复…信息公开申请",
                    "处理…信息公开申请",
                    "办理…依申请公开",
                    "办结…依申请公开",
                    "答复…依申请公开",
                    "本年度办理完毕",
                ],
                ("open", "total") => vec!["予以公开"],
                ("partial", "total") => vec!["部分公开"],
                ("carried_out", "total") => vec!["结转下年度", "结转下一年度"],
                _ => Vec::new(),
            };
            push(
                format!("t3.{row}.{col}"),
                format!("依申请公开 {row_label}（{col_label}）"),
                "件",
                ValueKind::Count,
                words.into_iter().map(String::from).collect(),
            );
        }
    }
    for (group, group_label) in T4_GROUPS {
        for (col, col_label) in T4_COLUMNS {
            // Only reviews and suits about disclosure count; a bare 行政复议 in a work
            // summary is usually all of the agency's cases.
            let words: Vec<&str> = match (group, col) {
                ("review", "total") => vec!["信息公开…行政复议"],
                ("suit_direct", "total") => vec!["信息公开…行政诉讼", "未经复议直接起诉"],
                ("suit_after_review", "total") => vec!["信息公开…行政诉讼", "复议后起诉"],
                _ => Vec::new(),
            };
            push(
                format!("t4.{group}.{col}"),
                format!("{group_label}{col_label}"),
                "件",
                ValueKind::Count,
                words.into_iter().map(String::from).collect(),
            );
        }
    }
    out
}

/// The national table cell of a metric code, with its official labels.
pub fn table_cell(code: &str) -> Option<TableCell> {
    let cell = |table: &str, row: &str, row_label: &str, column: &str, column_label: &str| {
        Some(TableCell {
            table: table.into(),
            row: row.into(),
            row_label: row_label.into(),
            column: column.into(),
            column_label: column_label.into(),
        })
    };
    if let Some(rest) = code.strip_prefix("t3.") {
        let (row, col) = rest.rsplit_once('.')?;
        let row_label = T3_ROWS.iter().find(|(r, _)| *r == row)?.1;
        let col_label = T3_COLUMNS.iter().find(|(c, _)| *c == col)?.1;
        return cell("t3", row, row_label, col, col_label);
    }
    if let Some(rest) = code.strip_prefix("t4.") {
        let (group, col) = rest.split_once('.')?;
        let group_label = T4_GROUPS.iter().find(|(g, _)| *g == group)?.1;
        let col_label = T4_COLUMNS.iter().find(|(c, _)| *c == col)?.1;
        return cell("t4", group, group_label, col, col_label);
    }
    if let Some(rest) = code.strip_prefix("t2.") {
        let (row, col) = rest.split_once('.')?;
        let row_label = match row {
            "rules" => "规章",
            "normative" => "行政规范性文件",
            "license" => "行政许可",
            "penalty" => "行政处罚",
            "enforcement" => "行政强制",
            "fees" => "行政事业性收费",
            _ => return None,
        };
        let col_label = match col {
            "issued" => "本年制发件数",
            "repealed" => "本年废止件数",
            "effective" => "现行有效件数",
            "decisions" => "本年处理决定数量",
            "amount" => "本年收费金额（单位：万元）",
            _ => return None,
        };
        return cell("t2", row, row_label, col, col_label);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_catalogue_has_every_spec_code_once() {
        let metrics = national_metrics();
        let mut codes: Vec<&str> = metrics.iter().map(|m| m.code.as_str()).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        // 6 + 3 + 1 in table 2, 25 × 7 in table 3, 3 × 5 in table 4.
        assert_eq!(n, 10 + 25 * 7 + 15);
        assert!(codes.contains(&"t3.deny.third_party.business"));
        assert!(codes.contains(&"t4.suit_after_review.pending"));
        let fees = metrics.iter().find(|m| m.code == "t2.fees.amount").unwrap();
        assert_eq!(fees.kind.places(), 6);
        assert!(metrics.iter().all(|m| m.period == Period::Yearly));
    }

    #[test]
    fn every_national_code_has_its_place_in_the_tables() {
        for m in national_metrics() {
            let place = national_place(&m.code).unwrap_or_else(|| panic!("{}", m.code));
            assert!(!place.section.is_empty() && !place.label.is_empty());
        }
        let p = national_place("t3.deny.third_party.business").unwrap();
        assert_eq!(p.table, "三、收到和处理政府信息公开申请情况");
        assert_eq!(
            p.section,
            "三、本年度办理结果（三）不予公开 4.保护第三方合法权益"
        );
        assert_eq!(p.label, "法人或其他组织：商业企业");
        let p = national_place("t3.other.other.total").unwrap();
        assert_eq!(p.section, "三、本年度办理结果（六）其他处理 3.其他");
        assert_eq!(p.label, "总计");
        let p = national_place("t4.suit_after_review.pending").unwrap();
        assert_eq!(
            (p.section.as_str(), p.label.as_str()),
            ("行政诉讼：复议后起诉", "尚未审结")
        );
        assert_eq!(
            national_place("t2.fees.amount").unwrap().section,
            "第二十条第（八）项"
        );
        assert_eq!(national_place("news.original"), None);
        assert_eq!(national_place("t3.nothing.total"), None);
    }
}
