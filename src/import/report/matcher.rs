//! Finding tables 2, 3 and 4 among a document's blocks and placing each value cell on
//! its metric code.
//!
//! The blocks are walked as one stream of lines (table rows, and paragraphs), so that a
//! table split by a page break, or copied out of a PDF in pieces, reads as one. Which
//! table a row belongs to comes from words only that table has (申请人情况, 行政复议,
//! 第二十条 …) in the row, else from the section heading above it, else from the row
//! before. Within a table:
//!
//! - a row is named by its label cells, the last one recognised winning (in table 3 the
//!   group label — （三）不予公开 — sets the group its items are looked up in, and stays
//!   set for the rows below, as in text where the merged group cell appears once);
//! - its values are the cells right of that label. Where merged cells are known (DOCX,
//!   HTML), each value column is found by its header text (自然人 … 总计; 行政复议 +
//!   结果维持 …) in the header rows above ([`super::columns`]); otherwise, or when the headers do not name every
//!   column once, the values are taken in the national order, and only when there are
//!   exactly as many as the row has columns.
//!
//! A table-3 row with values whose label names nothing is read by its place in the
//! national order when its recognised neighbours and its numbering leave one row
//! ([`super::align`]), and said so in the notices; when two rows remain possible it is
//! refused naming both.
//!
//! Anything else is reported, not guessed: a row with numbers that names nothing, a row
//! with more or fewer numbers than columns, a group row without its items (except the
//! older one-row （六）其他处理, read as `other.other` and said so), a second value for a
//! cell already read.
//!
//! Text documents (`loose`) get two more tolerances, because copying a table out of a
//! page or PDF breaks long labels: a paragraph ending in numbers (`规章 1 0 1`) is a row,
//! and a row whose label is not recognised is tried with the label pieces on the lines
//! just above and below joined to its label (an exact match on any join before a typo).

use super::align;
use super::columns::{ColumnSpec, columns, header_map, t2_columns};
use super::labels::{self, Entry, Found, T2Row, T3Label, T3Labels, group_of, lookup, norm};
use super::{Location, Reading, TableId};
use crate::read::{Block, Cell, Table};

/// Reads the national tables out of `blocks`. `loose` for text documents (see the
/// module doc).
pub(super) fn read(blocks: &[Block], loose: bool) -> Reading {
    let mut m = Matcher {
        lines: lines(blocks, loose),
        loose,
        kind: None,
        group: None,
        t3: T3Labels::new(),
        t2: labels::t2_rows(),
        t3_columns: columns(&[labels::t3_columns()]),
        t4_columns: columns(&[labels::t4_groups(), labels::t4_columns()]),
        t3_rows: Vec::new(),
        out: Reading::default(),
    };
    for i in 0..m.lines.len() {
        m.line(i);
    }
    m.t3_by_position();
    m.out
}

/// One line of the stream.
struct Line<'a> {
    cells: Vec<Cell>,
    /// The table and row this line is, when the table's merged cells are known (for
    /// header lookups).
    table: Option<(&'a Table, usize)>,
    /// The text of a paragraph that is not a row.
    paragraph: Option<String>,
}

fn lines(blocks: &[Block], loose: bool) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            // One cell a line (as some PDF viewers copy a table): a lone number joins the
            // line before it.
            Block::Paragraph(p)
                if loose
                    && classify(p) != Val::Text
                    && out.last().is_some_and(|l: &Line<'_>| l.table.is_none()) =>
            {
                if let Some(last) = out.last_mut() {
                    if let Some(text) = last.paragraph.take() {
                        last.cells.push(Cell::new(text));
                    }
                    last.cells.push(Cell::new(p.trim()));
                }
            }
            Block::Paragraph(p) => match paragraph_row(p).filter(|_| loose) {
                Some(cells) => out.push(Line {
                    cells,
                    table: None,
                    paragraph: None,
                }),
                None => out.push(Line {
                    cells: Vec::new(),
                    table: None,
                    paragraph: Some(p.clone()),
                }),
            },
            Block::Table(t) => {
                for (r, row) in t.rows.iter().enumerate() {
                    out.push(Line {
                        cells: row.clone(),
                        table: t.spans_known.then_some((t, r)),
                        paragraph: None,
                    });
                }
            }
        }
    }
    out
}

/// A paragraph `label n n n` (single spaces, as PDF viewers copy) as cells: the label,
/// then each trailing number or dash. `None` when it does not end in a number.
fn paragraph_row(p: &str) -> Option<Vec<Cell>> {
    let tokens: Vec<&str> = p.split_whitespace().collect();
    let values = tokens
        .iter()
        .rev()
        .take_while(|t| classify(t) != Val::Text)
        .count();
    if values == 0 || !tokens.iter().any(|t| classify(t) == Val::Number) {
        return None;
    }
    let label = tokens[..tokens.len() - values].join("");
    let numbers = tokens.iter().filter(|t| classify(t) == Val::Number).count();
    if label.is_empty() && numbers < 2 {
        return None; // a page number (`— 3 —`), not a row
    }
    let mut cells = Vec::new();
    if !label.is_empty() {
        cells.push(Cell::new(label));
    }
    cells.extend(
        tokens[tokens.len() - values..]
            .iter()
            .map(|t| Cell::new(*t)),
    );
    Some(cells)
}

/// How a cell's text reads as a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Val {
    /// Empty, or a dash or slash standing for "nothing to report".
    Blank,
    Number,
    Text,
}

pub(super) fn classify(text: &str) -> Val {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.chars().all(|c| "-－—–―‐/／\\".contains(c)) {
        return Val::Blank;
    }
    if text.trim().contains(char::is_whitespace) {
        return Val::Text; // `5  0` is two numbers run together, not 50
    }
    let n = crate::value::normalize(&t);
    let body = n.strip_prefix(['+', '-']).unwrap_or(&n);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = match body.split_once('.') {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(body),
    };
    if number { Val::Number } else { Val::Text }
}

/// Consecutive cells with the same text (a merged label) as one run: (first, last, text).
/// Only text that is not a value.
fn label_runs(cells: &[Cell]) -> Vec<(usize, usize, &str)> {
    let mut runs: Vec<(usize, usize, &str)> = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        if classify(&c.text) != Val::Text {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.1 + 1 == i && run.2 == c.text => run.1 = i,
            _ => runs.push((i, i, &c.text)),
        }
    }
    runs
}

/// The table a row's own words say it belongs to.
fn row_kind(cells: &[Cell]) -> Option<TableId> {
    let t2_names: Vec<String> = labels::t2_rows()
        .into_iter()
        .flat_map(|r| r.row.names)
        .collect();
    for c in cells {
        let n = norm(&c.text);
        if n.is_empty() {
            continue;
        }
        if ["行政复议", "行政诉讼", "复议后起诉", "结果维持"]
            .iter()
            .any(|k| n.contains(k))
        {
            return Some(TableId::T4);
        }
        if n == "自然人"
            || [
                "申请人情况",
                "法人或其他组织",
                "勾稽关系",
                "本年新收政府信息公开申请",
                "本年度办理结果",
            ]
            .iter()
            .any(|k| n.contains(k))
        {
            return Some(TableId::T3);
        }
        if n.contains("第二十条") || n == "信息内容" || t2_names.contains(&n) {
            return Some(TableId::T2);
        }
    }
    None
}

struct Matcher<'a> {
    lines: Vec<Line<'a>>,
    loose: bool,
    kind: Option<TableId>,
    /// Table 3: the group (`deny`, …) the rows are in.
    group: Option<&'static str>,
    t3: T3Labels,
    t2: Vec<T2Row>,
    t3_columns: Vec<ColumnSpec>,
    t4_columns: Vec<ColumnSpec>,
    /// Table 3's rows with values, by line, for reading the unrecognised ones by their
    /// place ([`align`]).
    t3_rows: Vec<(usize, align::Row)>,
    out: Reading,
}

/// A row's recognised label: the grid index of its last cell (values start after it)
/// and the text it was recognised from.
struct Named<T> {
    last: Option<usize>,
    key: T,
}

impl Matcher<'_> {
    fn line(&mut self, i: usize) {
        if let Some(p) = self.lines[i].paragraph.clone() {
            self.paragraph(&p);
            return;
        }
        if let Some(kind) = row_kind(&self.lines[i].cells)
            && self.kind != Some(kind)
        {
            self.kind = Some(kind);
            self.group = None;
        }
        match self.kind {
            Some(TableId::T2) => self.t2_row(i),
            Some(TableId::T3) => self.t3_row(i),
            Some(TableId::T4) => self.t4_row(i),
            None => {}
        }
    }

    /// Section headings switch tables; in text, a lone group label sets table 3's group.
    fn paragraph(&mut self, p: &str) {
        let n = norm(p);
        if n.chars().count() <= 30 {
            let kind = if n.contains("主动公开政府信息情况") {
                Some(Some(TableId::T2))
            } else if n.contains("收到和处理政府信息公开申请情况") {
                Some(Some(TableId::T3))
            } else if n.contains("行政复议") && n.contains("行政诉讼") && n.ends_with("情况")
            {
                Some(Some(TableId::T4))
            } else if ["总体情况", "存在的主要问题", "其他需要报告的事项"]
                .iter()
                .any(|k| n.contains(k))
            {
                Some(None)
            } else {
                None
            };
            if let Some(kind) = kind {
                self.kind = kind;
                self.group = None;
                return;
            }
        }
        if self.loose
            && self.kind == Some(TableId::T3)
            && let Some(found) = self.t3.find(p, self.group)
            && matches!(found.key(), T3Label::Group(_))
        {
            self.enter(found.key());
        }
    }

    /// The text of line `j` when it can be a piece of a broken label: a paragraph, or
    /// the last cell of a row without numbers (the item column; cells left of it hold
    /// pieces of vertical group labels). Text documents only.
    fn fragment(&self, j: usize) -> Option<&str> {
        let line = self.lines.get(j).filter(|_| self.loose)?;
        match &line.paragraph {
            Some(p) => Some(p),
            None if !has_numbers(&line.cells) => line.cells.last().map(|c| c.text.as_str()),
            None => None,
        }
    }

    /// Label texts to try for a row none of whose labels was recognised: its own label
    /// with up to three label pieces above and two below joined to it. (A row with a
    /// label of its own never takes a neighbour's label instead.)
    fn joined_labels(&self, i: usize) -> Vec<String> {
        let own = label_runs(&self.lines[i].cells)
            .last()
            .map_or(String::new(), |r| r.2.to_string());
        let above: Vec<&str> = (1..=3)
            .map_while(|k| i.checked_sub(k).and_then(|j| self.fragment(j)))
            .collect();
        let below: Vec<&str> = (1..=2).map_while(|k| self.fragment(i + k)).collect();
        let mut out: Vec<String> = Vec::new();
        for a in 0..=above.len() {
            for b in 0..=below.len() {
                let mut text: String = above[..a].iter().rev().copied().collect();
                text.push_str(&own);
                text.extend(below[..b].iter().copied());
                if !text.is_empty() && !out.contains(&text) {
                    out.push(text);
                }
            }
        }
        out.retain(|t| *t != own);
        out
    }

    /// Tries [`Matcher::joined_labels`] with `find`, an exact match on any of them before
    /// a typo; the values then start right of the row's last text cell.
    fn joined<T: Copy>(
        &mut self,
        i: usize,
        table: TableId,
        find: impl Fn(&Self, &str) -> Option<Found<T>>,
    ) -> Option<Named<T>> {
        if !has_numbers(&self.lines[i].cells) {
            return None;
        }
        let candidates = self.joined_labels(i);
        let found: Vec<(String, Found<T>)> = candidates
            .into_iter()
            .filter_map(|text| find(self, &text).map(|f| (text, f)))
            .collect();
        let (text, f) = found
            .iter()
            .find(|(_, f)| matches!(f, Found::Exact(_)))
            .or_else(|| found.first())?;
        let joined = format!("{}：断行的行名“{text}”按一行读取", table.name());
        self.notices(typo(table, text, *f).into_iter().chain([joined]));
        let last = label_runs(&self.lines[i].cells).last().map(|r| r.1);
        Some(Named { last, key: f.key() })
    }

    fn t2_row(&mut self, i: usize) {
        let cells = self.lines[i].cells.clone();
        let entries: Vec<Entry<usize>> = self
            .t2
            .iter()
            .enumerate()
            .map(|(k, r)| Entry {
                key: k,
                label: r.row.label,
                names: r.row.names.clone(),
            })
            .collect();
        let mut named = None;
        let mut typos = Vec::new();
        for (_, last, text) in label_runs(&cells) {
            if let Some(found) = lookup(text, &entries) {
                typos.extend(typo(TableId::T2, text, found));
                named = Some(Named {
                    last: Some(last),
                    key: found.key(),
                });
            }
        }
        if named.as_ref().is_some_and(|n| has_values(&cells, n.last)) {
            self.notices(typos);
        }
        if named.is_none() {
            named = self.joined(i, TableId::T2, |_, text| lookup(text, &entries));
        }
        let Some(named) = named else {
            return self.unnamed(i, TableId::T2);
        };
        let row = &self.t2[named.key];
        let (prefix, label) = (format!("t2.{}", row.row.key), row.row.label.to_string());
        let specs = t2_columns(row);
        self.place(i, TableId::T2, named.last, &prefix, &label, &specs);
    }

    fn notices(&mut self, notices: impl IntoIterator<Item = String>) {
        for notice in notices {
            if !self.out.notices.contains(&notice) {
                self.out.notices.push(notice);
            }
        }
    }

    fn t3_row(&mut self, i: usize) {
        let cells = self.lines[i].cells.clone();
        let mut named: Option<Named<T3Label>> = None;
        let mut typos = Vec::new();
        for (_, last, text) in label_runs(&cells) {
            let Some(found) = self.t3.find(text, self.group) else {
                continue;
            };
            typos.extend(typo(TableId::T3, text, found));
            let key = found.key();
            self.enter(key);
            named = Some(Named {
                last: Some(last),
                key,
            });
        }
        if named.as_ref().is_some_and(|n| has_values(&cells, n.last)) {
            self.notices(typos);
        }
        if named.is_none() {
            named = self.joined(i, TableId::T3, |s, text| s.t3.find(text, s.group));
            if let Some(n) = &named {
                self.enter(n.key);
            }
        }
        let Some(named) = named else {
            if has_numbers(&cells) {
                let label = row_label(&cells);
                self.t3_rows.push((i, align::Row::Unnamed(label)));
            }
            return;
        };
        let code = match named.key {
            T3Label::Row(code) | T3Label::Item(code) => code,
            T3Label::Group("other") if has_values(&cells, named.last) => {
                self.out.notices.push(
                    "表三：“（六）其他处理”只有一行、没有分项（旧版格式），按“3.其他”（t3.other.other.*）读取；分项 1、2 不导入".into(),
                );
                "other.other"
            }
            T3Label::Group(g) => {
                let label = labels::T3_GROUPS
                    .iter()
                    .find(|x| x.0 == g)
                    .map_or(g, |x| x.1);
                return self.refuse(
                    i,
                    named.last,
                    TableId::T3,
                    label,
                    "是分组，没有对应到其中的具体项",
                );
            }
            T3Label::Results => {
                return self.refuse(
                    i,
                    named.last,
                    TableId::T3,
                    "本年度办理结果",
                    "是分组，没有对应到具体的办理结果",
                );
            }
        };
        if has_values(&cells, named.last) {
            self.t3_rows.push((i, align::Row::Named(code)));
        }
        self.place_t3(i, named.last, code);
    }

    fn place_t3(&mut self, i: usize, last: Option<usize>, code: &str) {
        let label = super::t3_row_label(code);
        let specs = std::mem::take(&mut self.t3_columns);
        self.place(i, TableId::T3, last, &format!("t3.{code}"), &label, &specs);
        self.t3_columns = specs;
    }

    /// Table 3's unrecognised rows, read by their place in the national order where
    /// that leaves one row (said in the notices), else refused naming what they could be.
    fn t3_by_position(&mut self) {
        let rows: Vec<align::Row> = self.t3_rows.iter().map(|(_, r)| r.clone()).collect();
        let unnamed = self
            .t3_rows
            .iter()
            .filter_map(|(i, r)| match r {
                align::Row::Unnamed(label) => Some((*i, label.clone())),
                align::Row::Named(_) => None,
            })
            .collect::<Vec<_>>();
        for ((i, label), resolved) in unnamed.into_iter().zip(align::align(&rows)) {
            let last = label_runs(&self.lines[i].cells).last().map(|r| r.1);
            match resolved {
                align::Resolved::Row(code) => {
                    self.out.notices.push(format!(
                        "表三：行名“{label}”印错或不全，按位置读作“{}”",
                        super::t3_row_label(code)
                    ));
                    self.place_t3(i, last, code);
                }
                align::Resolved::Open(codes) if codes.len() > 1 => {
                    let could: Vec<String> = codes
                        .iter()
                        .map(|c| format!("“{}”", super::t3_row_label(c)))
                        .collect();
                    let why = format!("行名无法识别，按位置可能是{}", could.join("或"));
                    self.refuse(i, last, TableId::T3, &label, &why);
                }
                align::Resolved::Open(_) => self.unnamed(i, TableId::T3),
            }
        }
    }

    /// Table 3: the group the rows below a label are in.
    fn enter(&mut self, label: T3Label) {
        match label {
            T3Label::Group(g) => self.group = Some(g),
            T3Label::Item(code) => self.group = Some(group_of(code)),
            T3Label::Row(_) => self.group = None,
            T3Label::Results => {}
        }
    }

    fn t4_row(&mut self, i: usize) {
        let cells = &self.lines[i].cells;
        if row_kind(cells) == Some(TableId::T4) {
            return; // a header row
        }
        let last = label_runs(cells).last().map(|r| r.1);
        // Right of the last text cell there are only numbers and blanks.
        if value_cells(cells, last)
            .iter()
            .all(|(_, c)| c.text.trim().is_empty())
        {
            return;
        }
        let specs = std::mem::take(&mut self.t4_columns);
        self.place(i, TableId::T4, last, "t4", "行政复议、行政诉讼", &specs);
        self.t4_columns = specs;
    }

    /// A row with numbers whose label names nothing in the table.
    fn unnamed(&mut self, i: usize, table: TableId) {
        let cells = &self.lines[i].cells;
        if !has_numbers(cells) {
            return;
        }
        let label = row_label(cells);
        let last = label_runs(cells).last().map(|r| r.1);
        self.refuse(i, last, table, &label, "行名无法识别");
    }

    /// Reports every non-blank value cell of a row as not placed.
    fn refuse(&mut self, i: usize, after: Option<usize>, table: TableId, row: &str, why: &str) {
        let values = value_cells(&self.lines[i].cells, after);
        let n = values.len();
        for (k, (_, c)) in values.into_iter().enumerate() {
            if c.text.trim().is_empty() {
                continue;
            }
            self.out.unplaced.push(super::Unplaced {
                at: Location {
                    table,
                    row: row.to_string(),
                    column: format!("第 {} 个数（共 {n} 个）", k + 1),
                },
                text: c.text.clone(),
                reason: why.to_string(),
            });
        }
    }

    /// Places the values of row `i` (right of grid index `after`) on `prefix.column`.
    fn place(
        &mut self,
        i: usize,
        table: TableId,
        after: Option<usize>,
        prefix: &str,
        row_label: &str,
        specs: &[ColumnSpec],
    ) {
        let cells = self.lines[i].cells.clone();
        let values = value_cells(&cells, after);
        if values.is_empty() {
            return; // a label without numbers (a header, or the text put them elsewhere)
        }
        let at = |column: &str| Location {
            table,
            row: row_label.to_string(),
            column: column.to_string(),
        };
        let mapped = self.lines[i]
            .table
            .and_then(|(t, r)| header_map(t, r, &values, specs));
        match mapped {
            Some((by_spec, headers)) => {
                for (spec, col) in specs.iter().zip(&by_spec) {
                    let text = &cells[*col].text;
                    self.out
                        .put(format!("{prefix}.{}", spec.code), text, at(&spec.label));
                }
                for (col, c) in &values {
                    if !by_spec.contains(col) && !c.text.trim().is_empty() {
                        self.out.unplaced.push(super::Unplaced {
                            at: at(&headers[*col]),
                            text: c.text.clone(),
                            reason: "这一列不是表中的栏目".into(),
                        });
                    }
                }
            }
            // More label text after the label recognised (a label split over two
            // cells): the values are the cells after the last text.
            None if values.len() != specs.len()
                && label_runs(&cells)
                    .last()
                    .is_some_and(|r| value_cells(&cells, Some(r.1)).len() == specs.len()) =>
            {
                let last = label_runs(&cells).last().map(|r| r.1);
                let extra: Vec<&str> = values
                    .iter()
                    .filter(|(c, _)| last.is_some_and(|l| *c <= l))
                    .map(|(_, c)| c.text.as_str())
                    .collect();
                self.out.notices.push(format!(
                    "{}：“{row_label}”行名后的“{}”作为行名的一部分",
                    table.name(),
                    extra.join("")
                ));
                for (spec, (_, c)) in specs.iter().zip(value_cells(&cells, last)) {
                    self.out
                        .put(format!("{prefix}.{}", spec.code), &c.text, at(&spec.label));
                }
            }
            None if values.len() == specs.len() => {
                for (spec, (_, c)) in specs.iter().zip(&values) {
                    self.out
                        .put(format!("{prefix}.{}", spec.code), &c.text, at(&spec.label));
                }
            }
            None => {
                let why = format!(
                    "应有 {} 个数（{}），读到 {} 个，无法确定各数属于哪一栏",
                    specs.len(),
                    specs
                        .iter()
                        .map(|s| s.label.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                    values.len()
                );
                self.refuse(i, after, table, row_label, &why);
            }
        }
    }
}

/// A row's label cells as one text, for messages: `（无行名）` when it has none.
fn row_label(cells: &[Cell]) -> String {
    let label: String = label_runs(cells)
        .iter()
        .map(|r| r.2.replace('\n', ""))
        .collect::<Vec<_>>()
        .join(" ");
    if label.is_empty() {
        "（无行名）".to_string()
    } else {
        label
    }
}

/// The notice for a label taken as a typo of an official label.
fn typo<T>(table: TableId, read: &str, found: Found<T>) -> Option<String> {
    match found {
        Found::Typo(_, official) => Some(format!(
            "{}：行名“{}”按“{official}”读取（字面不同，请核对）",
            table.name(),
            read.replace('\n', "")
        )),
        Found::Exact(_) => None,
    }
}

/// The cells right of grid index `after` that start there (not covered by a merge).
fn value_cells(cells: &[Cell], after: Option<usize>) -> Vec<(usize, &Cell)> {
    cells
        .iter()
        .enumerate()
        .filter(|(i, c)| after.is_none_or(|a| *i > a) && !c.covered)
        .collect()
}

pub(super) fn has_numbers(cells: &[Cell]) -> bool {
    cells
        .iter()
        .any(|c| !c.covered && classify(&c.text) == Val::Number)
}

/// Whether a row has a non-empty cell right of its label.
fn has_values(cells: &[Cell], after: Option<usize>) -> bool {
    value_cells(cells, after)
        .iter()
        .any(|(_, c)| !c.text.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_classes() {
        for blank in ["", " ", "-", "—", "／", "--"] {
            assert_eq!(classify(blank), Val::Blank, "{blank:?}");
        }
        for number in ["0", "1,725", "１７２５", "24252.311082", " 3 "] {
            assert_eq!(classify(number), Val::Number, "{number:?}");
        }
        for text in ["约800", "3318件", "1.属于国家秘密", "无", "5  0"] {
            assert_eq!(classify(text), Val::Text, "{text:?}");
        }
    }

    #[test]
    fn paragraphs_ending_in_numbers_are_rows() {
        let cells = |p| paragraph_row(p).map(|c| c.into_iter().map(|c| c.text).collect::<Vec<_>>());
        assert_eq!(cells("规章 1 0 1").unwrap(), ["规章", "1", "0", "1"]);
        assert_eq!(cells("0 0 0").unwrap(), ["0", "0", "0"]);
        assert_eq!(
            cells("1.属于国家秘密 1 - 0").unwrap(),
            ["1.属于国家秘密", "1", "-", "0"]
        );
        assert_eq!(cells("全年共报送10件"), None);
        assert_eq!(cells("— 3 —"), None);
    }
}
