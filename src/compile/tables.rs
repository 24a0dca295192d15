//! The national tables 2, 3 and 4 (SPEC §2, 2021 format as published), built in Rust for
//! `{{ table("t2") }}` etc.: official labels, merged header cells, table 3's vertical
//! 本年度办理结果 label and group labels merged down their items.
//!
//! The layouts are fixed by the national format, so they live in code next to the codes of
//! `catalog` rather than in a template a clerk could break. Every value cell is a
//! [`Figure`] with provenance. A yearly cell stored blank (or not stored) shows blank —
//! not the 缺数 marker, which would not fit a table — and is named in one warning per
//! table.

use crate::document::{Align, Cell, Figure, Row, Run, Table};
use crate::model::national::{T3_COLUMNS, T3_GROUPS, T3_ROWS, T4_COLUMNS, T4_GROUPS};
use crate::model::{Finding, Severity, ValueKind};

use super::facts::{FactError, Selection};
use super::side::Shared;

/// The tables for `id` (`t2` gives four small tables), or `None` for an unknown id.
pub(crate) fn build(s: &Shared, id: &str) -> Option<Result<Vec<Table>, FactError>> {
    let mut blanks = Vec::new();
    let result = match id {
        "t2" => table2(s, &mut blanks),
        "t3" => table3(s, &mut blanks).map(|t| vec![t]),
        "t4" => table4(s, &mut blanks).map(|t| vec![t]),
        _ => return None,
    };
    if result.is_ok() && !blanks.is_empty() {
        let label = match id {
            "t2" => "表二",
            "t3" => "表三",
            _ => "表四",
        };
        s.warn(Finding {
            severity: Severity::Warning,
            code: "compile.blank_cells".into(),
            message: format!(
                "{label}有 {} 个单元格未填（表中留空）：{}",
                blanks.len(),
                blanks.join("；")
            ),
            metric: None,
            metric_name: None,
            division: None,
            year: s.facts.year,
            months: vec![0],
            table: None,
        });
    }
    Some(result)
}

fn text_cell(col: usize, text: &str, align: Align) -> Cell {
    Cell {
        align,
        ..Cell::new(col, text)
    }
}

fn header(col: usize, text: &str, col_span: usize, row_span: usize) -> Cell {
    Cell {
        col_span,
        row_span,
        ..text_cell(col, text, Align::Center)
    }
}

/// A value cell for yearly metric `code`; blank cells are recorded in `blanks`.
fn value_cell(
    s: &Shared,
    col: usize,
    code: &str,
    blanks: &mut Vec<String>,
) -> Result<Cell, FactError> {
    let sel = Selection {
        year: s.facts.year,
        months: (1, 12),
        division: None,
    };
    let c = s.facts.compute(code, &sel)?;
    let (text, missing) = match c.value {
        Some(v) => (
            match c.kind {
                ValueKind::Count => crate::value::format(v, 0),
                _ => crate::value::format_exact(v),
            },
            false,
        ),
        None => {
            blanks.push(format!("{}（{code}）", c.provenance.metric_name));
            (String::new(), true)
        }
    };
    Ok(Cell {
        align: Align::Right,
        ..Cell {
            runs: vec![Run::Figure(Figure {
                text,
                missing,
                provenance: c.provenance,
            })],
            ..Cell::new(col, "")
        }
    })
}

fn table2(s: &Shared, blanks: &mut Vec<String>) -> Result<Vec<Table>, FactError> {
    let mut out = Vec::new();
    // 第二十条第（一）项: rules and normative documents.
    let mut rows = vec![
        Row {
            cells: vec![header(0, "第二十条第（一）项", 4, 1)],
        },
        Row {
            cells: ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
                .iter()
                .enumerate()
                .map(|(i, t)| header(i, t, 1, 1))
                .collect(),
        },
    ];
    for (group, label) in [("rules", "规章"), ("normative", "行政规范性文件")] {
        let mut cells = vec![text_cell(0, label, Align::Left)];
        for (i, col) in ["issued", "repealed", "effective"].iter().enumerate() {
            cells.push(value_cell(s, i + 1, &format!("t2.{group}.{col}"), blanks)?);
        }
        rows.push(Row { cells });
    }
    out.push(Table {
        columns: 4,
        header_rows: 2,
        rows,
        widths: Some(vec![2.0, 1.0, 1.0, 1.0]),
    });
    let small = [
        (
            "第二十条第（五）项",
            "本年处理决定数量",
            vec![("行政许可", "t2.license.decisions")],
        ),
        (
            "第二十条第（六）项",
            "本年处理决定数量",
            vec![
                ("行政处罚", "t2.penalty.decisions"),
                ("行政强制", "t2.enforcement.decisions"),
            ],
        ),
        (
            "第二十条第（八）项",
            "本年收费金额（单位：万元）",
            vec![("行政事业性收费", "t2.fees.amount")],
        ),
    ];
    for (clause, column, items) in small {
        let mut rows = vec![
            Row {
                cells: vec![header(0, clause, 2, 1)],
            },
            Row {
                cells: vec![header(0, "信息内容", 1, 1), header(1, column, 1, 1)],
            },
        ];
        for (label, code) in items {
            rows.push(Row {
                cells: vec![
                    text_cell(0, label, Align::Left),
                    value_cell(s, 1, code, blanks)?,
                ],
            });
        }
        out.push(Table {
            columns: 2,
            header_rows: 2,
            rows,
            widths: Some(vec![2.0, 3.0]),
        });
    }
    Ok(out)
}

/// Table 3: three label columns (vertical 本年度办理结果, group, item), seven value columns.
fn table3(s: &Shared, blanks: &mut Vec<String>) -> Result<Table, FactError> {
    const V: usize = 3; // first value column
    let mut rows = vec![
        Row {
            cells: vec![
                header(
                    0,
                    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                    3,
                    3,
                ),
                header(V, "申请人情况", 7, 1),
            ],
        },
        Row {
            cells: vec![
                header(V, "自然人", 1, 2),
                header(V + 1, "法人或其他组织", 5, 1),
                header(V + 6, "总计", 1, 2),
            ],
        },
        Row {
            cells: T3_COLUMNS[1..6]
                .iter()
                .enumerate()
                .map(|(i, (_, label))| header(V + 1 + i, label, 1, 1))
                .collect(),
        },
    ];
    let result_rows = T3_ROWS[2..24].len();
    let mut item = 0;
    for (i, (code, label)) in T3_ROWS.iter().enumerate() {
        let mut cells = Vec::new();
        match *code {
            "new" => cells.push(wide_label(0, &format!("一、{label}"), 3)),
            "carried_in" => cells.push(wide_label(0, &format!("二、{label}"), 3)),
            "carried_out" => cells.push(wide_label(0, &format!("四、{label}"), 3)),
            _ => {
                if *code == "open" {
                    cells.push(Cell {
                        row_span: result_rows,
                        vertical: true,
                        ..text_cell(0, "三、本年度办理结果", Align::Center)
                    });
                }
                let group = T3_GROUPS.iter().find(|(_, p)| code.starts_with(p));
                match group {
                    Some((group_label, prefix)) => {
                        let first = T3_ROWS.iter().position(|(c, _)| c.starts_with(prefix));
                        if first == Some(i) {
                            let n = T3_ROWS
                                .iter()
                                .filter(|(c, _)| c.starts_with(prefix))
                                .count();
                            item = 0;
                            cells.push(Cell {
                                row_span: n,
                                ..text_cell(1, group_label, Align::Center)
                            });
                        }
                        item += 1;
                        cells.push(text_cell(2, &format!("{item}.{label}"), Align::Left));
                    }
                    None => {
                        let n = match *code {
                            "open" => "（一）",
                            "partial" => "（二）",
                            _ => "（七）",
                        };
                        cells.push(wide_label(1, &format!("{n}{label}"), 2));
                    }
                }
            }
        }
        for (j, (col, _)) in T3_COLUMNS.iter().enumerate() {
            cells.push(value_cell(s, V + j, &format!("t3.{code}.{col}"), blanks)?);
        }
        rows.push(Row { cells });
    }
    Ok(Table {
        columns: V + 7,
        header_rows: 3,
        rows,
        widths: Some(vec![0.8, 1.6, 4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    })
}

fn wide_label(col: usize, text: &str, span: usize) -> Cell {
    Cell {
        col_span: span,
        ..text_cell(col, text, Align::Left)
    }
}

/// Table 4: 行政复议 (5 columns) and 行政诉讼 (10: 未经复议直接起诉, 复议后起诉), one row.
fn table4(s: &Shared, blanks: &mut Vec<String>) -> Result<Table, FactError> {
    let mut rows = vec![
        Row {
            cells: vec![
                header(0, T4_GROUPS[0].1, 5, 2),
                header(5, "行政诉讼", 10, 1),
            ],
        },
        Row {
            cells: vec![
                header(5, T4_GROUPS[1].1, 5, 1),
                header(10, T4_GROUPS[2].1, 5, 1),
            ],
        },
        Row {
            cells: (0..15)
                .map(|i| header(i, T4_COLUMNS[i % 5].1, 1, 1))
                .collect(),
        },
    ];
    let mut cells = Vec::new();
    for (g, (group, _)) in T4_GROUPS.iter().enumerate() {
        for (c, (col, _)) in T4_COLUMNS.iter().enumerate() {
            cells.push(value_cell(
                s,
                g * 5 + c,
                &format!("t4.{group}.{col}"),
                blanks,
            )?);
        }
    }
    rows.push(Row { cells });
    Ok(Table {
        columns: 15,
        header_rows: 3,
        rows,
        widths: None,
    })
}
