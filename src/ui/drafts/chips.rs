//! The text buffer of the 正文 editor: a draft's [`Segment`]s shown as the reader sees
//! them — prose as typed, each chip as its value, each marker as a quiet label — with
//! the character range of every segment, so that an egui `TextEdit` edits the draft and
//! not a copy of its text.
//!
//! The rules that make a chip one unit live here: typing inside a chip types at its
//! edge; a deletion touching a chip deletes all of it (one Backspace); a template tag
//! (`{% if %}` …) is deleted only together with its whole block, so editing inside a
//! condition keeps the condition. Text pasted from Word or WPS comes in as plain
//! paragraphs. Every change is a change of the segments, and so of the source
//! (`rich::serialize`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use egui::TextBuffer;
use egui::text::{CCursor, CharIndex};

use crate::compile::rich::eval::ChipValue;
use crate::compile::rich::{self, MarkerKind, Segment};
use crate::document::HeadingNumbers;

/// The values chips show, by chip source.
pub type ChipValues = Arc<HashMap<String, ChipValue>>;

/// The empty lines a table chip holds for its tables: one per row, one between two
/// tables, and one that ends the last row's line.
pub fn table_lines(tables: &[crate::document::Table]) -> usize {
    tables.iter().map(|t| t.rows.len()).sum::<usize>() + tables.len()
}

/// How a stretch of the shown text is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Chip {
        warning: bool,
    },
    Marker,
    /// A heading's generated number (`一、`), and its line after it.
    Heading(u8),
    /// The empty lines of a table chip, one per table row, over which the view draws
    /// the table.
    TableRows,
}

/// A drawn stretch: characters of the shown text and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub chars: Range<usize>,
    pub kind: SpanKind,
}

/// What the last change was, for grouping undo steps: typing runs together, anything
/// else is a step of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    Typing,
    Structural,
}

/// See the module doc.
pub struct ChipBuffer {
    segments: Vec<Segment>,
    values: ChipValues,
    text: String,
    /// Per segment, its characters in `text`.
    ranges: Vec<Range<usize>>,
    /// The spans to draw, shared with the layouter (which only sees `&dyn TextBuffer`).
    spans: Rc<RefCell<Vec<Span>>>,
    /// The last change since [`ChipBuffer::take_edit`].
    edit: Option<EditKind>,
}

impl ChipBuffer {
    pub fn new(source: &str, values: ChipValues) -> ChipBuffer {
        let mut b = ChipBuffer {
            segments: rich::parse(source),
            values,
            text: String::new(),
            ranges: Vec::new(),
            spans: Rc::default(),
            edit: None,
        };
        b.rebuild();
        b
    }

    /// The draft's source as the segments are now.
    pub fn source(&self) -> String {
        rich::serialize(&self.segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The shown text (what the `TextEdit` holds).
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn spans(&self) -> Rc<RefCell<Vec<Span>>> {
        self.spans.clone()
    }

    /// New values (a compile finished): chips show them from now on.
    pub fn set_values(&mut self, values: ChipValues) {
        if !Arc::ptr_eq(&self.values, &values) {
            self.values = values;
            self.rebuild();
        }
    }

    /// The change made since the last call, if any.
    pub fn take_edit(&mut self) -> Option<EditKind> {
        self.edit.take()
    }

    /// The table chips: the shown character where each one's rows start (its first
    /// empty line) and the tables it draws there.
    pub fn table_chips(&self) -> Vec<(usize, &[crate::document::Table])> {
        self.segments
            .iter()
            .zip(&self.ranges)
            .filter_map(|(s, r)| match s {
                Segment::Chip(c) => match self.values.get(c) {
                    Some(v @ ChipValue::Table { tables, .. }) => {
                        Some((r.start + v.shown().chars().count(), tables.as_slice()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// The chip whose characters hold `at` (a click on it), with its source.
    pub fn chip_at(&self, at: usize) -> Option<(Range<usize>, &str)> {
        self.segments
            .iter()
            .zip(&self.ranges)
            .find_map(|(s, r)| match s {
                Segment::Chip(c) if r.contains(&at) => Some((r.clone(), c.as_str())),
                _ => None,
            })
    }

    /// The shown characters of source bytes `bytes` (whole segments that overlap them;
    /// an escaped brace counts as its escape).
    pub fn shown_range(&self, bytes: Range<usize>) -> Range<usize> {
        let mut at = 0;
        let mut out: Option<Range<usize>> = None;
        for (n, (s, r)) in self.segments.iter().zip(&self.ranges).enumerate() {
            let len = rich::serialize(&self.segments[n..=n]).len();
            let (a, b) = (at, at + len);
            at = b;
            if (a < bytes.end && bytes.start < b) || (a == b && bytes.contains(&a)) {
                let (from, to) = match s {
                    Segment::Text(t) => {
                        let chars_before =
                            |x: usize| t.char_indices().take_while(|(b, _)| *b < x).count();
                        let from = chars_before(bytes.start.saturating_sub(a));
                        let to = chars_before(bytes.end.saturating_sub(a));
                        (r.start + from, r.start + to)
                    }
                    _ => (r.start, r.end),
                };
                out = Some(out.map_or(from..to, |o| o.start.min(from)..o.end.max(to)));
            }
        }
        out.unwrap_or(0..0)
    }

    /// A chip or marker strictly around `at`: the cursor belongs at one of its edges.
    pub fn unit_around(&self, at: usize) -> Option<Range<usize>> {
        self.segments
            .iter()
            .zip(&self.ranges)
            .find(|(s, r)| !matches!(s, Segment::Text(_)) && r.start < at && at < r.end)
            .map(|(_, r)| r.clone())
    }

    /// Puts a chip (`{{ … }}` source) in at `at`, out of any chip it falls in. Returns
    /// where the chip ends.
    pub fn insert_chip(&mut self, source: &str, at: usize) -> usize {
        let at = self.out_of_units(at, false);
        let (index, split) = self.split_at(at);
        let mut pieces = vec![Segment::Chip(source.to_string())];
        if let Some(after) = split {
            pieces.push(Segment::Text(after));
        }
        self.segments.splice(index..index, pieces);
        self.changed(EditKind::Structural);
        self.ranges
            .iter()
            .zip(&self.segments)
            .find(|(r, s)| r.start >= at && matches!(s, Segment::Chip(c) if c == source))
            .map_or(at, |(r, _)| r.end)
    }

    /// Replaces every `find` in the prose (never in a chip or a tag) by `with`; the count.
    pub fn replace_all(&mut self, find: &str, with: &str) -> usize {
        if find.is_empty() {
            return 0;
        }
        let mut n = 0;
        for s in &mut self.segments {
            if let Segment::Text(t) = s {
                let hits = t.matches(find).count();
                if hits > 0 {
                    n += hits;
                    *t = t.replace(find, with);
                }
            }
        }
        if n > 0 {
            self.changed(EditKind::Structural);
        }
        n
    }

    fn changed(&mut self, kind: EditKind) {
        self.normalize();
        self.rebuild();
        self.edit = Some(match (self.edit, kind) {
            (Some(EditKind::Structural), _) => EditKind::Structural,
            _ => kind,
        });
    }

    /// Merges neighbouring text and drops empty text.
    fn normalize(&mut self) {
        let mut out: Vec<Segment> = Vec::with_capacity(self.segments.len());
        for s in self.segments.drain(..) {
            match (out.last_mut(), s) {
                (_, Segment::Text(t)) if t.is_empty() => {}
                (Some(Segment::Text(a)), Segment::Text(b)) => a.push_str(&b),
                (_, s) => out.push(s),
            }
        }
        self.segments = out;
    }

    /// The shown text and the spans from the segments.
    fn rebuild(&mut self) {
        let mut text = String::with_capacity(self.text.len());
        let mut ranges = Vec::with_capacity(self.segments.len());
        let mut spans = Vec::new();
        let mut numbers = HeadingNumbers::default();
        let mut chars = 0;
        let mut heading: Option<(usize, u8)> = None;
        for s in &self.segments {
            let start = chars;
            let (shown, kind) = match s {
                Segment::Text(t) => (t.clone(), None),
                Segment::Chip(c) => match self.values.get(c) {
                    Some(v @ ChipValue::Table { tables, .. }) => {
                        // The name, then one line per table row (and one between
                        // tables), ending the line the last row is drawn on.
                        let label = v.shown();
                        let label_chars = label.chars().count();
                        let lines = table_lines(tables);
                        spans.push(Span {
                            chars: start + label_chars..start + label_chars + lines,
                            kind: SpanKind::TableRows,
                        });
                        (
                            label + &"\n".repeat(lines),
                            Some(SpanKind::Chip { warning: false }),
                        )
                    }
                    Some(v) => (
                        v.shown(),
                        Some(SpanKind::Chip {
                            warning: v.is_warning(),
                        }),
                    ),
                    None => ("〔…〕".to_string(), Some(SpanKind::Chip { warning: false })),
                },
                Segment::Marker(m) => match m.kind {
                    MarkerKind::Heading(level) => {
                        (numbers.next(level), Some(SpanKind::Heading(level)))
                    }
                    _ => (format!("〔{}〕", m.label()), Some(SpanKind::Marker)),
                },
            };
            chars += shown.chars().count();
            text.push_str(&shown);
            ranges.push(start..chars);
            if let Some(kind) = kind {
                spans.push(Span {
                    chars: start..chars,
                    kind,
                });
            }
            if let Segment::Marker(m) = s
                && let MarkerKind::Heading(level) = m.kind
            {
                heading = Some((chars, level));
            }
            // The rest of a heading's line is drawn as a heading too.
            if let (Some((from, level)), Segment::Text(t)) = (heading, s)
                && let Some(nl) = t.find('\n')
            {
                let end = start + t[..nl].chars().count();
                spans.push(Span {
                    chars: from..end,
                    kind: SpanKind::Heading(level),
                });
                heading = None;
            }
        }
        spans.sort_by_key(|s| s.chars.start);
        self.text = text;
        self.ranges = ranges;
        *self.spans.borrow_mut() = spans;
    }

    /// `at` moved out of a chip or marker it falls strictly inside: to its end, or to
    /// its start when `backwards`.
    fn out_of_units(&self, at: usize, backwards: bool) -> usize {
        match self.unit_around(at) {
            Some(r) if backwards => r.start,
            Some(r) => r.end,
            None => at,
        }
    }

    /// Splits the segments at shown character `at` (on a segment boundary or inside a
    /// text): the index to insert at, and the text after `at` when a text was cut (it
    /// stays in place, shortened; the caller puts the returned rest after its insert).
    fn split_at(&mut self, at: usize) -> (usize, Option<String>) {
        for (i, (s, r)) in self.segments.iter_mut().zip(&self.ranges).enumerate() {
            if r.start >= at {
                return (i, None);
            }
            if let Segment::Text(t) = s
                && at < r.end
            {
                let byte = byte_of(t, at - r.start);
                let rest = t.split_off(byte);
                return (i + 1, Some(rest));
            }
        }
        (self.segments.len(), None)
    }

    /// The segment to type into at `at` and the character offset in it, creating an
    /// empty text where there is none. Text typed at a line's start goes after its
    /// heading or title marker (the line stays a heading) unless it ends a line.
    fn text_at(&mut self, at: usize, ends_line: bool) -> (usize, usize) {
        let mut after_marker = false;
        let mut index = self.segments.len();
        for (i, (s, r)) in self.segments.iter().zip(&self.ranges).enumerate() {
            let line_markup = matches!(s, Segment::Marker(m) if m.kind.is_line_markup());
            match s {
                Segment::Text(_) if after_marker => return (i, 0),
                Segment::Text(_) if r.start <= at && at <= r.end => {
                    let markup_next = matches!(
                        self.segments.get(i + 1),
                        Some(Segment::Marker(m)) if m.kind.is_line_markup()
                    );
                    if !(at == r.end && markup_next && !ends_line) {
                        return (i, at - r.start);
                    }
                }
                _ if r.start == at && line_markup && !ends_line => after_marker = true,
                _ if after_marker || r.start >= at => {
                    index = i;
                    break;
                }
                _ => {}
            }
        }
        self.segments.insert(index, Segment::Text(String::new()));
        (index, 0)
    }
}

/// Text from the clipboard as the draft's paragraphs: Word and WPS put one line per
/// paragraph (CR LF, vertical tab for a manual break) and indent with full-width spaces;
/// the draft separates paragraphs by a blank line and indents by itself.
pub fn paste_as_paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace(['\r', '\u{000B}'], "\n");
    if !text.contains('\n') {
        return text;
    }
    let paragraphs: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_matches(|c: char| c == '\u{3000}' || c.is_whitespace()))
        .filter(|l| !l.is_empty())
        .collect();
    let mut out = paragraphs.join("\n\n");
    if text.ends_with('\n') {
        out.push_str("\n\n");
    }
    out
}

fn byte_of(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(b, _)| b)
}

impl TextBuffer for ChipBuffer {
    fn is_mutable(&self) -> bool {
        true
    }

    fn as_str(&self) -> &str {
        &self.text
    }

    fn insert_text(&mut self, text: &str, char_index: CharIndex) -> usize {
        let typed = if text == "\n" {
            text.to_string()
        } else {
            paste_as_paragraphs(text)
        };
        if typed.is_empty() {
            return 0;
        }
        let at = self.out_of_units(char_index.0, false);
        let (i, offset) = self.text_at(at, typed.ends_with('\n'));
        if let Segment::Text(t) = &mut self.segments[i] {
            let byte = byte_of(t, offset);
            t.insert_str(byte, &typed);
        }
        let kind = if typed.contains('\n') {
            EditKind::Structural
        } else {
            EditKind::Typing
        };
        self.changed(kind);
        // Where the text went (past a heading's number, out of a chip): the cursor
        // follows it.
        let pos = self.ranges.get(i).map_or(at, |r| r.start + offset);
        pos + typed.chars().count() - char_index.0
    }

    fn delete_char_range(&mut self, char_range: Range<CharIndex>) {
        self.delete_units(char_range.start.0..char_range.end.0);
    }

    fn delete_selected_ccursor_range(&mut self, [min, max]: [CCursor; 2]) -> CCursor {
        let start = self.delete_units(min.index.0..max.index.0);
        CCursor {
            index: CharIndex(start),
            prefer_next_row: true,
        }
    }

    fn type_id(&self) -> std::any::TypeId {
        std::any::TypeId::of::<Self>()
    }
}

impl ChipBuffer {
    /// Deletes shown characters `range`, widened to whole chips and markers it touches;
    /// logic tags stay unless their whole block goes. Returns where the deletion starts.
    fn delete_units(&mut self, range: Range<usize>) -> usize {
        if range.is_empty() {
            return range.start;
        }
        let (mut from, mut to) = (range.start, range.end);
        for (s, r) in self.segments.iter().zip(&self.ranges) {
            if !matches!(s, Segment::Text(_)) && r.start < to && from < r.end {
                from = from.min(r.start);
                to = to.max(r.end);
            }
        }
        let covered = self
            .ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| from <= r.start && r.end <= to && !r.is_empty())
            .map(|(i, _)| i);
        let first = covered.clone().next().unwrap_or(0);
        let last = covered.max().map_or(0, |i| i + 1);
        let deletable = rich::deletable(&self.segments, first..last);
        let mut chip = false;
        let mut out = Vec::with_capacity(self.segments.len());
        for (i, (s, r)) in self.segments.drain(..).zip(&self.ranges).enumerate() {
            match s {
                Segment::Text(t) => {
                    let a = from.clamp(r.start, r.end) - r.start;
                    let b = to.clamp(r.start, r.end) - r.start;
                    let (ba, bb) = (byte_of(&t, a), byte_of(&t, b));
                    out.push(Segment::Text(format!("{}{}", &t[..ba], &t[bb..])));
                }
                s if from <= r.start && r.end <= to && deletable[i] => {
                    chip |= matches!(s, Segment::Chip(_));
                }
                s => out.push(s),
            }
        }
        self.segments = out;
        let kind = if chip || to - from > 1 {
            EditKind::Structural
        } else {
            EditKind::Typing
        };
        self.changed(kind);
        from
    }
}

#[cfg(test)]
mod tests;
