//! Reading table 3's rows whose label names nothing (misprinted, cut short, wrapped) by
//! their place in the national order of the 2021 format.
//!
//! The rows that were recognised are anchors; between two anchors, the rows of the
//! official sequence that lie between them and were not read elsewhere are the gap. A
//! run of unrecognised rows exactly as long as its gap is read in order. Otherwise a
//! row's own numbering (`2.`, `2、`) picks the item of that number in the gap's group
//! when that leaves one choice. Anything else stays unread, naming the rows it could be,
//! so that the import refuses rather than guesses.
//!
//! Hand-written: the alignment is a few lines over a fixed sequence of 25 rows; a
//! general sequence-alignment crate would need the same scoring written for it.

use crate::model::national::T3_ROWS;

use super::labels::group_of;

/// A table-3 row with values, in the order the document has them.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Row {
    /// Recognised as this row code.
    Named(&'static str),
    /// Not recognised; its label text.
    Unnamed(String),
}

/// How an unrecognised row was read.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    /// Its position (and numbering) leave this one row.
    Row(&'static str),
    /// These rows remain possible (none when its place gives no row at all).
    Open(Vec<&'static str>),
}

fn position(code: &str) -> Option<usize> {
    T3_ROWS.iter().position(|(c, _)| *c == code)
}

/// The item number a label starts with: `2.其他…`, `２、…` → 2.
fn numbering(label: &str) -> Option<usize> {
    let label = label.trim_start();
    let digits: String = label
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect();
    let rest = label.chars().nth(digits.chars().count());
    matches!(rest, Some('.' | '、' | '．' | '。')).then(|| digits.parse().ok())?
}

/// The 1-based number of an item within its group (`deny.law` → 2); none for rows.
fn item_number(code: &str) -> Option<usize> {
    if !code.contains('.') {
        return None;
    }
    let group = group_of(code);
    T3_ROWS
        .iter()
        .filter(|(c, _)| c.contains('.') && group_of(c) == group)
        .position(|(c, _)| *c == code)
        .map(|i| i + 1)
}

/// Reads every [`Row::Unnamed`] of `rows` by its place; one answer per unnamed row, in
/// order.
pub(super) fn align(rows: &[Row]) -> Vec<Resolved> {
    let named: Vec<&str> = rows
        .iter()
        .filter_map(|r| match r {
            Row::Named(c) => Some(*c),
            Row::Unnamed(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        if matches!(rows[i], Row::Named(_)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < rows.len() && matches!(rows[i], Row::Unnamed(_)) {
            i += 1;
        }
        let before = rows[..start].iter().rev().find_map(|r| match r {
            Row::Named(c) => position(c),
            Row::Unnamed(_) => None,
        });
        let after = rows[i..].iter().find_map(|r| match r {
            Row::Named(c) => position(c),
            Row::Unnamed(_) => None,
        });
        let from = before.map_or(0, |b| b + 1);
        let to = after.unwrap_or(T3_ROWS.len());
        let gap: Vec<&'static str> = T3_ROWS
            .get(from..to.max(from))
            .unwrap_or_default()
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| !named.contains(c))
            .collect();
        let run: Vec<&str> = rows[start..i]
            .iter()
            .filter_map(|r| match r {
                Row::Unnamed(label) => Some(label.as_str()),
                Row::Named(_) => None,
            })
            .collect();
        out.extend(resolve_run(&run, &gap));
    }
    out
}

/// A run of unrecognised rows against the rows its place leaves.
fn resolve_run(run: &[&str], gap: &[&'static str]) -> Vec<Resolved> {
    if run.len() == gap.len() {
        return gap.iter().map(|c| Resolved::Row(c)).collect();
    }
    let mut taken: Vec<&str> = Vec::new();
    run.iter()
        .map(|label| {
            let free = || gap.iter().copied().filter(|c| !taken.contains(c));
            let by_number: Vec<&'static str> = match numbering(label) {
                Some(n) => free().filter(|c| item_number(c) == Some(n)).collect(),
                None => Vec::new(),
            };
            if let [one] = by_number[..] {
                taken.push(one);
                Resolved::Row(one)
            } else if by_number.is_empty() {
                Resolved::Open(free().collect())
            } else {
                Resolved::Open(by_number)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(code: &'static str) -> Row {
        Row::Named(code)
    }

    fn unnamed(label: &str) -> Row {
        Row::Unnamed(label.into())
    }

    #[test]
    fn one_row_between_its_neighbours_is_read_by_place() {
        let rows = [
            named("deny.secret"),
            unnamed("2.其他法律行"),
            named("deny.safety"),
        ];
        assert_eq!(align(&rows), [Resolved::Row("deny.law")]);
    }

    #[test]
    fn two_adjacent_misprints_fill_a_gap_of_two() {
        let rows = [
            named("deny.law"),
            unnamed("3.危及三安"),
            unnamed("4.保护第三人"),
            named("deny.internal"),
        ];
        assert_eq!(
            align(&rows),
            [
                Resolved::Row("deny.safety"),
                Resolved::Row("deny.third_party")
            ]
        );
    }

    #[test]
    fn numbering_picks_among_a_wider_gap_and_otherwise_both_are_named() {
        // deny.law and deny.safety both missing, one row printed: its number decides.
        let rows = [
            named("deny.secret"),
            unnamed("3.危及"),
            named("deny.third_party"),
        ];
        assert_eq!(align(&rows), [Resolved::Row("deny.safety")]);
        let rows = [
            named("deny.secret"),
            unnamed("危及"),
            named("deny.third_party"),
        ];
        assert_eq!(
            align(&rows),
            [Resolved::Open(vec!["deny.law", "deny.safety"])]
        );
    }

    #[test]
    fn numbers_are_read_half_and_full_width() {
        assert_eq!(numbering("2.其他"), Some(2));
        assert_eq!(numbering("２、其他"), Some(2));
        assert_eq!(numbering("其他"), None);
        assert_eq!(item_number("deny.law"), Some(2));
        assert_eq!(item_number("other.other"), Some(3));
        assert_eq!(item_number("open"), None);
    }
}
