//! Two versions of a draft compared as the reader sees them (修订对比): text added and
//! removed, character by character (Chinese has no word spaces), and figures marked
//! apart — a chip kept in both versions whose value differs, or one figure put in the
//! place of another. Template logic is not compared: it is not what a leader reads.
//!
//! The diff itself is `similar`'s (Myers) over a sequence of tokens: one per character
//! of prose, one per chip (equal when their source is).

use std::collections::HashMap;

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::Segment;
use super::eval::ChipValue;

/// A stretch of the comparison, in reading order of the newer version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// In both versions, as shown (figures by their newer value).
    Same(String),
    /// Only in the newer version.
    Added(String),
    /// Only in the older version.
    Removed(String),
    /// A figure whose value differs between the versions (same figure, or one figure in
    /// place of another): older and newer value as shown.
    Figure { old: String, new: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Token<'a> {
    Char(char),
    Chip(&'a str),
}

fn tokens(segments: &[Segment]) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for s in segments {
        match s {
            Segment::Text(t) => out.extend(t.chars().map(Token::Char)),
            Segment::Chip(c) => out.push(Token::Chip(c)),
            Segment::Marker(_) => {}
        }
    }
    out
}

/// What `token` shows under `values` (a chip without a value: its source is not shown,
/// so an empty string).
fn shown(token: Token<'_>, values: &HashMap<String, ChipValue>) -> String {
    match token {
        Token::Char(c) => c.to_string(),
        Token::Chip(c) => values.get(c).map(ChipValue::shown).unwrap_or_default(),
    }
}

/// Compares the `old` version (its chips valued by `old_values`) with the `new` one.
pub fn compare(
    old: &[Segment],
    old_values: &HashMap<String, ChipValue>,
    new: &[Segment],
    new_values: &HashMap<String, ChipValue>,
) -> Vec<Piece> {
    let (a, b) = (tokens(old), tokens(new));
    let ops = capture_diff_slices(Algorithm::Myers, &a, &b);
    let mut out: Vec<Piece> = Vec::new();
    let mut push = |p: Piece| match (out.last_mut(), &p) {
        (Some(Piece::Same(x)), Piece::Same(y))
        | (Some(Piece::Added(x)), Piece::Added(y))
        | (Some(Piece::Removed(x)), Piece::Removed(y)) => x.push_str(y),
        _ => out.push(p),
    };
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let olds = &a[old_range];
        let news = &b[new_range];
        match tag {
            DiffTag::Equal => {
                for (o, n) in olds.iter().zip(news) {
                    let (was, now) = (shown(*o, old_values), shown(*n, new_values));
                    if matches!(n, Token::Chip(_)) && was != now {
                        push(Piece::Figure { old: was, new: now });
                    } else {
                        push(Piece::Same(now));
                    }
                }
            }
            DiffTag::Replace if matches!((olds, news), ([Token::Chip(_)], [Token::Chip(_)])) => {
                let (was, now) = (shown(olds[0], old_values), shown(news[0], new_values));
                if was == now {
                    push(Piece::Same(now));
                } else {
                    push(Piece::Figure { old: was, new: now });
                }
            }
            _ => {
                let removed: String = olds.iter().map(|t| shown(*t, old_values)).collect();
                let added: String = news.iter().map(|t| shown(*t, new_values)).collect();
                if !removed.is_empty() {
                    push(Piece::Removed(removed));
                }
                if !added.is_empty() {
                    push(Piece::Added(added));
                }
            }
        }
    }
    out
}
