//! Importing last year's published annual report (`nianbao import-report`): tables 2, 3
//! and 4 of the national 2021 format, read out of a `.docx`, `.pdf`, `.html` / `.htm` or
//! `.txt` file, become the office's year figures (`t2.*`, `t3.*`, `t4.*`).
//!
//! The document is read into blocks by [`crate::read`]; [`matcher`] finds the tables and
//! places each value cell on its code, recognising labels as [`labels`] describes; the
//! result is a [`Reading`]: the cells placed, the cells that could not be placed (with
//! their row and column), and notices (labels read as typos, the one-row （六）其他处理,
//! rows or tables not found). Its [`Reading::raw_rows`] go through the same
//! [`super::plan`] / [`super::apply`] as a CSV import — the same checks, the same
//! new / changed / unchanged preview, one transaction with its audit rows.
//!
//! Values are kept as the text printed (`1,725`, `24252.311082`) and parsed exactly by
//! the plan; an empty cell or a dash is blank ("not reported"), never 0. Cells the report
//! does not have (a table or row not found) are not written at all, and the notices say
//! which.

mod align;
mod columns;
mod labels;
mod matcher;

use std::collections::HashMap;
use std::path::Path;

use unicode_width::UnicodeWidthStr;

use super::{ImportError, ImportPlan, PlanOptions, RawRow, RowProblem, Sheet};
use crate::model::OFFICE;
use crate::model::national::{T3_COLUMNS, T3_ROWS, T4_COLUMNS, T4_GROUPS, national_metrics};
use crate::store::Store;

/// The national tables, as this module names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableId {
    T2,
    T3,
    T4,
}

impl TableId {
    pub fn name(self) -> &'static str {
        match self {
            TableId::T2 => "表二",
            TableId::T3 => "表三",
            TableId::T4 => "表四",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            TableId::T2 => "t2.",
            TableId::T3 => "t3.",
            TableId::T4 => "t4.",
        }
    }

    fn title(self) -> &'static str {
        match self {
            TableId::T2 => "主动公开政府信息情况",
            TableId::T3 => "收到和处理政府信息公开申请情况",
            TableId::T4 => "政府信息公开行政复议、行政诉讼情况",
        }
    }
}

/// Where a cell is: table, row label and column label (official labels where the cell
/// was recognised, the labels as read where not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub table: TableId,
    pub row: String,
    pub column: String,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}“{}”行“{}”", self.table.name(), self.row, self.column)
    }
}

/// A cell placed on a metric code. `text` is as printed, empty for a blank cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub code: String,
    pub text: String,
    pub at: Location,
}

/// A value cell that could not be placed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    pub at: Location,
    pub text: String,
    pub reason: String,
}

impl std::fmt::Display for Unplaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：“{}”{}", self.at, self.text, self.reason)
    }
}

/// What was read out of a report.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Placed cells, in catalogue order.
    pub placed: Vec<Placed>,
    /// Non-blank cells that could not be placed: the import refuses while there are any.
    pub unplaced: Vec<Unplaced>,
    /// Things the reader should know and check against the source.
    pub notices: Vec<String>,
}

/// Reads a report file (`.docx`, `.pdf`, `.html`, `.htm`, `.txt`). A PDF is read as
/// its text is (`loose`): its lines are rebuilt as `pdftotext -layout` prints them.
pub fn read_report(path: &Path) -> Result<Reading, ImportError> {
    let blocks = crate::read::read_file(path)?;
    let loose = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("pdf"));
    let reading = read_blocks(&blocks, loose);
    if reading.placed.is_empty() && reading.unplaced.is_empty() {
        return Err(ImportError::NoTables(path.display().to_string()));
    }
    Ok(reading)
}

/// Reads the national tables out of a document's blocks. `loose` for text copied out of
/// a page or PDF: paragraphs ending in numbers are rows, broken labels are joined.
pub fn read_blocks(blocks: &[crate::read::Block], loose: bool) -> Reading {
    let mut reading = matcher::read(blocks, loose);
    reading.finish();
    reading
}

/// Checks what was read against the store, like a CSV import, as `options` say (who
/// will write, whether a blank clears): the preview. Cells that could not be placed are
/// refused rows of the plan too, numbered after the placed cells and described in full
/// by their reason, so that a plan of a report with any of them cannot be applied.
pub fn plan(
    store: &Store,
    year: i32,
    reading: &Reading,
    options: &PlanOptions,
) -> Result<ImportPlan, ImportError> {
    let first = reading.placed.len() + 1;
    let sheet = Sheet {
        rows: reading.raw_rows(year),
        problems: (reading.unplaced.iter().enumerate())
            .map(|(i, u)| RowProblem {
                row: first + i,
                reason: format!("无法对应：{u}"),
            })
            .collect(),
        notices: Vec::new(),
    };
    super::plan_sheet(store, year, &sheet, options)
}

impl Reading {
    /// Records a value for `code`; a second value for the same code is a notice when it
    /// is the same, refused when it differs.
    fn put(&mut self, code: String, text: &str, at: Location) {
        let text = match matcher::classify(text) {
            matcher::Val::Blank => String::new(),
            matcher::Val::Number => text.trim().to_string(),
            matcher::Val::Text => {
                return self.unplaced.push(Unplaced {
                    at,
                    text: text.replace('\n', " "),
                    reason: "不是一个数".into(),
                });
            }
        };
        if let Some(first) = self.placed.iter().find(|p| p.code == code) {
            let same = crate::value::normalize(&first.text) == crate::value::normalize(&text);
            if same {
                let notice = format!("{at}在文中出现不止一次，数值相同");
                if !self.notices.contains(&notice) {
                    self.notices.push(notice);
                }
            } else {
                let first_text = first.text.clone();
                self.unplaced.push(Unplaced {
                    at,
                    text,
                    reason: format!("与前面读到的“{first_text}”不同（同一单元格出现两次）"),
                });
            }
            return;
        }
        self.placed.push(Placed { code, text, at });
    }

    /// Sorts the placed cells into catalogue order and notes what was not found.
    fn finish(&mut self) {
        let order: HashMap<String, usize> = national_metrics()
            .into_iter()
            .enumerate()
            .map(|(i, m)| (m.code, i))
            .collect();
        self.placed
            .sort_by_key(|p| order.get(&p.code).copied().unwrap_or(usize::MAX));
        for table in [TableId::T2, TableId::T3, TableId::T4] {
            let expected: Vec<String> = national_metrics()
                .into_iter()
                .map(|m| m.code)
                .filter(|c| c.starts_with(table.prefix()))
                .collect();
            let missing: Vec<&String> = expected
                .iter()
                .filter(|c| !self.placed.iter().any(|p| &p.code == *c))
                .collect();
            if missing.len() == expected.len() {
                self.notices.push(format!(
                    "没有找到{}（{}），其数值不导入",
                    table.name(),
                    table.title()
                ));
            } else if !missing.is_empty() {
                let mut rows: Vec<String> = Vec::new();
                for code in missing {
                    let row = row_label(code);
                    if !rows.contains(&row) {
                        rows.push(row);
                    }
                }
                self.notices.push(format!(
                    "{}中没有读到这些行（或其中几栏），不导入：{}",
                    table.name(),
                    rows.join("；")
                ));
            }
        }
    }

    /// The placed cells as import rows for `year`, one per code, numbered 1, 2, … in
    /// the order of [`Reading::placed`] (see [`Reading::location`]).
    pub fn raw_rows(&self, year: i32) -> Vec<RawRow> {
        self.placed
            .iter()
            .enumerate()
            .map(|(i, p)| RawRow {
                row: i + 1,
                year: year.to_string(),
                month: String::new(),
                division: OFFICE.to_string(),
                metric: p.code.clone(),
                value: p.text.clone(),
                ..RawRow::default()
            })
            .collect()
    }

    /// The location of import row `row` of [`Reading::raw_rows`].
    pub fn location(&self, row: usize) -> Option<&Location> {
        self.placed.get(row.checked_sub(1)?).map(|p| &p.at)
    }

    /// A problem or notice of this reading's [`plan`], as a line for a person: the
    /// placed cell's location and the reason, or the reason alone for a cell that could
    /// not be placed (its reason names where it is).
    pub fn describe(&self, problem: &RowProblem) -> String {
        match self.location(problem.row) {
            Some(at) => format!("{at}：{}", problem.reason),
            None => problem.reason.clone(),
        }
    }

    fn value(&self, code: &str) -> Option<&str> {
        self.placed
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.text.as_str())
    }

    /// The three tables as read, laid out like the national format, for a person to
    /// compare with the source: blank cells blank, cells not read `·`.
    pub fn tables_text(&self) -> String {
        let cell = |code: String| self.value(&code).unwrap_or("·").to_string();
        let mut out = String::new();
        out.push_str("表二（主动公开政府信息情况）\n");
        let stock = ["issued", "repealed", "effective"];
        let mut rows = vec![vec![
            "本年制发件数".to_string(),
            "本年废止件数".into(),
            "现行有效件数".into(),
            String::new(),
        ]];
        for (code, label) in [("rules", "规章"), ("normative", "行政规范性文件")] {
            let mut row: Vec<String> = stock
                .iter()
                .map(|c| cell(format!("t2.{code}.{c}")))
                .collect();
            row.push(label.into());
            rows.push(row);
        }
        out.push_str(&grid(&rows));
        let mut rows = vec![vec!["本年处理决定数量".to_string(), String::new()]];
        for (code, label) in [
            ("license", "行政许可"),
            ("penalty", "行政处罚"),
            ("enforcement", "行政强制"),
        ] {
            rows.push(vec![cell(format!("t2.{code}.decisions")), label.into()]);
        }
        out.push_str(&grid(&rows));
        out.push_str(&grid(&[
            vec!["本年收费金额（万元）".to_string(), String::new()],
            vec![cell("t2.fees.amount".into()), "行政事业性收费".into()],
        ]));

        out.push_str("表三（收到和处理政府信息公开申请情况）\n");
        let mut rows = vec![
            T3_COLUMNS
                .iter()
                .map(|(_, l)| l.to_string())
                .chain([String::new()])
                .collect::<Vec<_>>(),
        ];
        for (code, _) in T3_ROWS {
            let mut row: Vec<String> = T3_COLUMNS
                .iter()
                .map(|(c, _)| cell(format!("t3.{code}.{c}")))
                .collect();
            row.push(t3_row_label(code));
            rows.push(row);
        }
        out.push_str(&grid(&rows));

        out.push_str("表四（政府信息公开行政复议、行政诉讼情况）\n");
        let mut rows = vec![
            T4_COLUMNS
                .iter()
                .map(|(_, l)| l.to_string())
                .chain([String::new()])
                .collect::<Vec<_>>(),
        ];
        for (group, label) in T4_GROUPS {
            let mut row: Vec<String> = T4_COLUMNS
                .iter()
                .map(|(c, _)| cell(format!("t4.{group}.{c}")))
                .collect();
            row.push(if group == "review" {
                label.to_string()
            } else {
                format!("行政诉讼 {label}")
            });
            rows.push(row);
        }
        out.push_str(&grid(&rows));
        out.push_str("（空白 = 报告中留空，导入为未填报；· = 没有读到，不导入）\n");
        out
    }
}

/// Rows of cells, each column right-aligned to its widest cell (CJK counts double), the
/// last column (the row label) left as is.
fn grid(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (c, text) in row.iter().enumerate() {
            line.push(' ');
            if c + 1 == row.len() {
                line.push_str(text);
            } else {
                line.push_str(&" ".repeat(widths[c].saturating_sub(text.width())));
                line.push_str(text);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Table 3's row label as printed: `一、本年新收…`, `（一）予以公开`, `（三）1.属于国家秘密`.
pub fn t3_row_label(code: &str) -> String {
    let label = T3_ROWS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l);
    let number = match code {
        "new" => "一、",
        "carried_in" => "二、",
        "open" => "（一）",
        "partial" => "（二）",
        "results_total" => "（七）",
        "carried_out" => "四、",
        _ => "",
    };
    if !number.is_empty() {
        return format!("{number}{label}");
    }
    let group = labels::group_of(code);
    let group_number = match group {
        "deny" => "（三）",
        "unable" => "（四）",
        "reject" => "（五）",
        _ => "（六）",
    };
    let item = T3_ROWS
        .iter()
        .filter(|(c, _)| labels::group_of(c) == group && c.contains('.'))
        .position(|(c, _)| *c == code)
        .map_or(0, |i| i + 1);
    format!("{group_number}{item}.{label}")
}

/// The row label of any national code, for messages.
fn row_label(code: &str) -> String {
    if let Some(rest) = code.strip_prefix("t3.")
        && let Some((row, _)) = rest.rsplit_once('.')
    {
        return t3_row_label(row);
    }
    crate::model::national::table_cell(code).map_or_else(
        || code.to_string(),
        |c| {
            if c.table == "t4" {
                c.row_label
            } else {
                format!("{}{}", c.row_label, c.column_label)
            }
        },
    )
}

#[cfg(test)]
mod tests;
