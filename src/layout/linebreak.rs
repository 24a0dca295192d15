//! Line breaking (断行) and justification of one paragraph of styled characters.
//!
//! Break opportunities come from UAX #14 (`unicode-linebreak`), so Latin words and
//! numbers (`12315`, `98.1%`, `GB/T`) are never split. On top of it the Chinese 禁则 of
//! GB/T 15834 / SPEC §4: no line starts with ，。、；：？！）》” (and the like), no line
//! ends with （《“. A line that would break before a forbidden character ends one
//! character earlier instead (推出, "push out"); justification then spreads the slack, so
//! every glyph stays inside the text block (no hanging punctuation).
//!
//! Owns: choosing the lines of a paragraph and the x of every glyph in a line. Must never:
//! decide vertical positions or pages (that is `layout`'s flow), or look at fonts (widths
//! arrive measured in the atoms).

use std::ops::Range;

use super::Source;
use super::fonts::FaceId;
use crate::style::TextRole;

/// Characters that must not start a line (GB/T 15834 标点符号用法 and common 禁则).
const NO_LINE_START: &str = "，。、；：？！）》」』】〕〉”’…—·%‰,.;:?!)]}>·～ー々〃";
/// Characters that must not end a line.
const NO_LINE_END: &str = "（《「『【〔〈“‘([{<";

pub(crate) fn forbidden_at_line_start(c: char) -> bool {
    NO_LINE_START.contains(c)
}

pub(crate) fn forbidden_at_line_end(c: char) -> bool {
    NO_LINE_END.contains(c)
}

/// One character, styled and measured.
#[derive(Debug, Clone)]
pub(crate) struct Atom {
    pub ch: char,
    pub face: FaceId,
    pub gid: u16,
    /// Width on the line in points (for full-width characters: the grid pitch).
    pub width: f32,
    /// The glyph's own advance in points (drawn centred in `width`).
    pub advance: f32,
    pub size: f32,
    pub bold: bool,
    pub role: TextRole,
    pub source: Source,
}

impl Atom {
    pub fn is_space(&self) -> bool {
        self.ch == ' '
    }
}

/// CJK ideographs (for the space between Chinese and Latin text).
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

fn is_latin_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphabetic() && (c as u32) < 0x2000)
}

/// The space Word and WPS put between Chinese and Latin letters or digits
/// (“自动调整中文与西文/数字的间距”), as a fraction of the font size.
pub(crate) const CJK_LATIN_GAP_EM: f32 = 0.25;

/// Extra space before `atoms[i]` when it follows `atoms[i - 1]` on the same line.
fn gap_before(atoms: &[Atom], i: usize) -> f32 {
    if i == 0 {
        return 0.0;
    }
    let (a, b) = (atoms[i - 1].ch, atoms[i].ch);
    if (is_ideograph(a) && is_latin_or_digit(b)) || (is_latin_or_digit(a) && is_ideograph(b)) {
        CJK_LATIN_GAP_EM * atoms[i].size.min(atoms[i - 1].size)
    } else {
        0.0
    }
}

/// `allowed[i]`: a line may break before atom `i` (index 0 and `len` are never asked).
pub(crate) fn break_opportunities(atoms: &[Atom]) -> Vec<bool> {
    let text: String = atoms.iter().map(|a| a.ch).collect();
    let mut byte_to_index = vec![usize::MAX; text.len() + 1];
    for (i, (b, _)) in text.char_indices().enumerate() {
        byte_to_index[b] = i;
    }
    byte_to_index[text.len()] = atoms.len();
    let mut allowed = vec![false; atoms.len() + 1];
    for (b, _) in unicode_linebreak::linebreaks(&text) {
        let i = byte_to_index[b];
        if i < atoms.len() {
            allowed[i] = true;
        }
    }
    for i in 1..atoms.len() {
        let (a, b) = (atoms[i - 1].ch, atoms[i].ch);
        // UAX #14 of Unicode 15.0 glues quotation marks to both neighbours (LB19); Chinese
        // text breaks after a closing and before an opening quote like after 》 and before
        // 《 (Unicode 15.1's LB19a does the same for East Asian text).
        if (matches!(a, '”' | '’') && !b.is_ascii()) || (matches!(b, '“' | '‘') && !a.is_ascii())
        {
            allowed[i] = true;
        }
        if forbidden_at_line_start(b) || forbidden_at_line_end(a) {
            allowed[i] = false;
        }
    }
    allowed
}

const EPS: f32 = 0.01;

/// Greedy line breaking: the ranges of atoms on each line (spaces at the end of a line
/// are kept in the range but take no room; spaces at the start of a continuation line are
/// skipped). `first` is the room on the first line (after the indent), `rest` on the
/// others.
pub(crate) fn break_lines(atoms: &[Atom], first: f32, rest: f32) -> Vec<Range<usize>> {
    let allowed = break_opportunities(atoms);
    let n = atoms.len();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < n {
        if !lines.is_empty() {
            while start < n && atoms[start].is_space() {
                start += 1;
            }
            if start == n {
                break;
            }
        }
        let cap = if lines.is_empty() { first } else { rest };
        let mut w = 0.0;
        let mut last_break = None;
        let mut i = start;
        while i < n {
            let add = atoms[i].width + if i > start { gap_before(atoms, i) } else { 0.0 };
            if !atoms[i].is_space() && i > start && w + add > cap + EPS {
                break;
            }
            w += add;
            i += 1;
            if i < n && allowed[i] {
                last_break = Some(i);
            }
        }
        if i == n {
            lines.push(start..n);
            break;
        }
        let end = match last_break {
            Some(b) if b > start => b,
            // one unbreakable stretch longer than the line: cut it where it overflows
            _ => i.max(start + 1),
        };
        lines.push(start..end);
        start = end;
    }
    lines
}

/// How the glyphs of a line are spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineAlign {
    /// Fill the line (all lines of a body paragraph but the last).
    Justify,
    Left,
    Center,
    Right,
}

/// The x offsets (from the line's start) of the atoms in `range`, and the width used.
/// Trailing spaces get positions but no room.
pub(crate) fn place_line(
    atoms: &[Atom],
    range: Range<usize>,
    room: f32,
    align: LineAlign,
) -> (Vec<f32>, f32) {
    let mut end = range.end;
    while end > range.start && atoms[end - 1].is_space() {
        end -= 1;
    }
    let mut natural = 0.0;
    for i in range.start..end {
        natural += atoms[i].width
            + if i > range.start {
                gap_before(atoms, i)
            } else {
                0.0
            };
    }
    let slack = (room - natural).max(0.0);
    // Gaps that may stretch: all but those inside a Latin word or number.
    let stretchable = |i: usize| {
        let (a, b) = (&atoms[i - 1], &atoms[i]);
        !(is_latin_or_digit(a.ch) && is_latin_or_digit(b.ch)) || a.is_space() || b.is_space()
    };
    let n_stretch = (range.start + 1..end).filter(|&i| stretchable(i)).count();
    let (offset, per_gap) = match align {
        LineAlign::Justify if n_stretch > 0 => (0.0, slack / n_stretch as f32),
        LineAlign::Justify | LineAlign::Left => (0.0, 0.0),
        LineAlign::Center => (slack / 2.0, 0.0),
        LineAlign::Right => (slack, 0.0),
    };
    let mut xs = Vec::with_capacity(range.len());
    let mut x = offset;
    for i in range.clone() {
        if i > range.start {
            x += gap_before(atoms, i);
            if i < end && per_gap > 0.0 && stretchable(i) {
                x += per_gap;
            }
        }
        xs.push(x);
        x += atoms[i].width;
    }
    let used = if align == LineAlign::Justify && n_stretch > 0 {
        room.max(natural)
    } else {
        natural
    };
    (xs, used)
}

/// Natural width of a run of atoms set on one line.
pub(crate) fn natural_width(atoms: &[Atom]) -> f32 {
    (0..atoms.len())
        .map(|i| atoms[i].width + gap_before(atoms, i))
        .sum()
}

/// The widest stretch that can never be broken (the narrowest a box may get).
pub(crate) fn widest_unbreakable(atoms: &[Atom]) -> f32 {
    let allowed = break_opportunities(atoms);
    let mut best: f32 = 0.0;
    let mut w = 0.0;
    for i in 0..atoms.len() {
        if i > 0 && allowed[i] {
            w = 0.0;
        }
        if !atoms[i].is_space() {
            w += atoms[i].width + if w > 0.0 { gap_before(atoms, i) } else { 0.0 };
        }
        best = best.max(w);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Origin;

    fn atoms(s: &str) -> Vec<Atom> {
        s.chars()
            .enumerate()
            .map(|(i, ch)| Atom {
                ch,
                face: FaceId(0),
                gid: 1,
                width: if ch.is_ascii() { 8.0 } else { 16.0 },
                advance: 16.0,
                size: 16.0,
                bold: false,
                role: TextRole::Body,
                source: Source {
                    origin: Origin::Block { block: 0 },
                    run: Some(0),
                    offset: i,
                },
            })
            .collect()
    }

    fn lines(s: &str, chars: usize) -> Vec<String> {
        let a = atoms(s);
        let room = chars as f32 * 16.0;
        break_lines(&a, room, room)
            .into_iter()
            .map(|r| a[r].iter().map(|a| a.ch).collect())
            .collect()
    }

    #[test]
    fn closing_punctuation_is_pushed_out_not_set_at_a_line_start() {
        // 5 characters a line: the comma would start line 2, so 戊 moves down with it.
        assert_eq!(lines("甲乙丙丁戊，己庚", 5), ["甲乙丙丁", "戊，己庚"]);
        assert_eq!(lines("甲乙丙丁戊。”己", 5), ["甲乙丙丁", "戊。”己"]);
    }

    #[test]
    fn opening_brackets_never_end_a_line() {
        assert_eq!(lines("甲乙丙丁《办法》", 5), ["甲乙丙丁", "《办法》"]);
    }

    #[test]
    fn numbers_and_words_stay_whole() {
        let l = lines("甲乙丙12315热线", 5);
        assert_eq!(l[0], "甲乙丙");
        assert!(l[1].starts_with("12315"), "{l:?}");
        let l = lines("合格率为98.1%。", 5);
        assert!(l.iter().any(|x| x.contains("98.1%")), "{l:?}");
    }

    #[test]
    fn justified_lines_fill_the_room_and_last_lines_do_not() {
        let a = atoms("甲乙丙丁戊，己庚");
        let (xs, used) = place_line(&a, 0..4, 80.0, LineAlign::Justify);
        assert_eq!(used, 80.0);
        assert!((xs[3] + 16.0 - 80.0).abs() < 1e-3, "{xs:?}");
        let (xs, used) = place_line(&a, 4..8, 80.0, LineAlign::Left);
        assert_eq!(used, 64.0);
        assert_eq!(xs, [0.0, 16.0, 32.0, 48.0]);
    }
}
