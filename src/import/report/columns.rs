//! Value columns: what each national table expects ([`ColumnSpec`]) and, where a
//! document's merged cells are known, which grid column holds each one, found by the
//! header texts above the row ([`header_map`]).

use std::collections::HashSet;

use super::labels::{Entry, T2Row, norm};
use super::matcher::has_numbers;
use crate::read::{Cell, Table};

/// An expected value column: the code after the row's prefix, its label, and the header
/// names that find it (each inner list must be matched by some header text).
pub(super) struct ColumnSpec {
    pub code: String,
    pub label: String,
    needs: Vec<Vec<String>>,
}

/// Column specs from one or more levels of entries (table 4: group × column).
pub(super) fn columns(levels: &[Vec<Entry<&'static str>>]) -> Vec<ColumnSpec> {
    let mut specs = vec![ColumnSpec {
        code: String::new(),
        label: String::new(),
        needs: Vec::new(),
    }];
    for level in levels {
        specs = specs
            .iter()
            .flat_map(|s| {
                level.iter().map(move |e| ColumnSpec {
                    code: if s.code.is_empty() {
                        e.key.to_string()
                    } else {
                        format!("{}.{}", s.code, e.key)
                    },
                    label: if s.label.is_empty() {
                        e.label.to_string()
                    } else {
                        format!("{} {}", s.label, e.label)
                    },
                    needs: s
                        .needs
                        .iter()
                        .cloned()
                        .chain(std::iter::once(e.names.clone()))
                        .collect(),
                })
            })
            .collect();
    }
    specs
}

pub(super) fn t2_columns(row: &T2Row) -> Vec<ColumnSpec> {
    columns(std::slice::from_ref(&row.columns))
}

/// Maps each spec to the one grid column among `values` whose header texts (the header
/// rows right above row `r`) satisfy it. Also returns each grid column's header text for
/// messages. `None` unless every spec finds exactly one column, each a different one.
pub(super) fn header_map(
    t: &Table,
    r: usize,
    values: &[(usize, &Cell)],
    specs: &[ColumnSpec],
) -> Option<(Vec<usize>, Vec<String>)> {
    let is_data = |row: &Vec<Cell>| has_numbers(row);
    let mut k = r;
    while k > 0 && is_data(&t.rows[k - 1]) {
        k -= 1;
    }
    let mut top = k;
    while top > 0 && !is_data(&t.rows[top - 1]) {
        top -= 1;
    }
    let header = &t.rows[top..k];
    if header.is_empty() {
        return None;
    }
    let width = t.rows[r].len();
    let names: Vec<HashSet<String>> = (0..width)
        .map(|c| {
            header
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| norm(&cell.text))
                .filter(|n| !n.is_empty())
                .collect()
        })
        .collect();
    let shown: Vec<String> = (0..width)
        .map(|c| {
            let mut parts: Vec<String> = Vec::new();
            for row in header {
                if let Some(cell) = row.get(c) {
                    let text = cell.text.replace('\n', "");
                    if !text.is_empty() && parts.last() != Some(&text) {
                        parts.push(text);
                    }
                }
            }
            if parts.is_empty() {
                format!("第 {} 列", c + 1)
            } else {
                parts.join(" ")
            }
        })
        .collect();
    let mut by_spec = Vec::new();
    for spec in specs {
        let found: Vec<usize> = values
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| {
                spec.needs
                    .iter()
                    .all(|alternatives| alternatives.iter().any(|n| names[*c].contains(n)))
            })
            .collect();
        match found.as_slice() {
            [one] if !by_spec.contains(one) => by_spec.push(*one),
            _ => return None,
        }
    }
    Some((by_spec, shown))
}
