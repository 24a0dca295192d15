//! Report text as the prose checks read it: lines re-joined into paragraphs (undoing the
//! hard wraps and page numbers of text copied out of a PDF), paragraphs cut into sentences,
//! and the numbers typed in a sentence with their units. Every piece keeps the byte
//! offsets of the text as given, so a finding can point at it.
//!
//! A sentence is held *compacted*: whitespace dropped (PDF text puts spaces between
//! numbers and units, `受理申请 17 件`) and full-width forms folded to ASCII (`１７` →
//! `17`, `，` → `,`, `％` → `%`). Full-width folding is written out here rather than
//! done with Unicode NFKC because NFKC also turns list markers such as `①` and `⑴` into
//! digits, which would read as typed numbers.

use std::ops::Range;

use rust_decimal::Decimal;

/// Folds a full-width form to its ASCII counterpart (`１` → `1`, `，` → `,`); the
/// ideographic space becomes a space. Everything else is kept, including `。` and `、`.
pub(crate) fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Ends a sentence (after folding).
fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '!' | '?' | ';')
}

/// Longest run of characters read as one sentence: no report has a sentence this long,
/// and the checks' cost grows with a sentence's length (a text without `。` is otherwise
/// one sentence).
pub(crate) const MAX_SENTENCE_CHARS: usize = 2000;

/// May follow a terminator and still belong to the sentence (`……。”`).
fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | ')' | '」' | '』' | '】' | '"' | '\'')
}

/// A sentence of the text, compacted (see the module doc): `chars[i]` is the folded
/// character that came from bytes `offsets[i]..ends[i]` of the text.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    /// Bytes of the text the sentence spans (from its first to its last visible character).
    pub range: Range<usize>,
    pub chars: Vec<char>,
    pub offsets: Vec<usize>,
    pub ends: Vec<usize>,
}

impl Sentence {
    /// Bytes of the text that characters `from..to` came from.
    pub fn bytes(&self, chars: Range<usize>) -> Range<usize> {
        if chars.is_empty() {
            let at = self
                .offsets
                .get(chars.start)
                .copied()
                .unwrap_or(self.range.end);
            return at..at;
        }
        self.offsets[chars.start]..self.ends[chars.end - 1]
    }

    pub fn text(&self, chars: Range<usize>) -> String {
        self.chars[chars].iter().collect()
    }

    /// The sentence as written, without line breaks and spaces (a space between two
    /// digits stays).
    pub fn display(&self, text: &str) -> String {
        self.offsets
            .iter()
            .zip(&self.ends)
            .map(|(a, b)| &text[*a..*b])
            .collect()
    }

    /// Whether `word` occurs in `chars[range]`.
    pub fn contains(&self, range: Range<usize>, word: &str) -> bool {
        find_last(&self.chars[range], &word.chars().collect::<Vec<_>>()).is_some()
    }
}

/// The last occurrence of `needle` in `hay`, as its start index.
pub(crate) fn find_last(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
}

/// One line of the input, as far as re-joining cares.
#[derive(Debug)]
struct Line {
    /// Content bytes, without the line ending.
    range: Range<usize>,
    blank: bool,
    /// `— 3 —`, `- 3 -`, `第 3 页`: a page number a PDF put between two halves of a
    /// paragraph.
    page_number: bool,
    /// Starts with a form feed (pdftotext's page break).
    page_start: bool,
    /// Starts with two or more spaces or an ideographic space (a paragraph's indent).
    indent: bool,
    tab: bool,
    /// Display width: CJK and full-width characters 1, others ½.
    width: f32,
    /// Ends with `。！？；：`, perhaps followed by closing quotes or brackets.
    ends_sentence: bool,
    text_start: usize,
}

fn read_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let content = piece.trim_end_matches(['\n', '\r']);
        let range = start..start + content.len();
        start += piece.len();
        let trimmed = content.trim_start_matches('\u{c}');
        let visible: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        let leading = trimmed.len() - trimmed.trim_start().len();
        let lead = &trimmed[..leading];
        let width: f32 = visible
            .chars()
            .map(|c| if c.len_utf8() > 1 { 1.0 } else { 0.5 })
            .sum();
        lines.push(Line {
            blank: visible.is_empty(),
            page_number: is_page_number(&visible),
            page_start: content.starts_with('\u{c}'),
            indent: lead.contains('\u{3000}') || lead.chars().filter(|c| *c == ' ').count() >= 2,
            tab: content.contains('\t'),
            width,
            ends_sentence: visible
                .chars()
                .rev()
                .map(fold)
                .find(|c| !is_closer(*c))
                .is_some_and(|c| is_terminator(c) || c == ':'),
            text_start: range.start + (content.len() - trimmed.trim_start().len()),
            range,
        });
    }
    lines
}

/// `—1—`, `- 12 -`, `第3页`, `第 3 页 共 9 页` (whitespace already removed).
fn is_page_number(visible: &str) -> bool {
    let dash = |c: char| matches!(c, '—' | '–' | '-' | '－');
    let digits =
        |s: &str| (1..=4).contains(&s.len()) && s.chars().all(|c| fold(c).is_ascii_digit());
    let folded: String = visible.chars().map(fold).collect();
    let inner = folded.trim_matches(dash);
    let dashed = folded.starts_with(dash) && folded.ends_with(dash) && digits(inner);
    let page = folded
        .strip_prefix('第')
        .and_then(|rest| rest.split_once('页'))
        .is_some_and(|(n, rest)| digits(n) && (rest.is_empty() || rest.starts_with('共')));
    dashed || page
}

/// Starts like a numbered heading or list item: `一、` `（一）` `1.` `1、` `（1）`.
fn starts_heading(text: &str) -> bool {
    let chars: Vec<char> = text.trim_start().chars().map(fold).take(8).collect();
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    let n = chars.iter().take_while(|c| numeral(**c)).count();
    if n > 0 && chars.get(n) == Some(&'、') {
        return true;
    }
    if chars.first() == Some(&'(') {
        let inner = chars[1..]
            .iter()
            .take_while(|c| numeral(**c) || c.is_ascii_digit())
            .count();
        return inner > 0 && chars.get(1 + inner) == Some(&')');
    }
    let d = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    d > 0
        && matches!(chars.get(d), Some('.' | '、'))
        && !chars.get(d + 1).is_some_and(char::is_ascii_digit)
}

/// A paragraph: the byte ranges of its lines (page numbers between them left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paragraph {
    pub lines: Vec<Range<usize>>,
    /// A table row of a plain-text export (cells separated by tabs).
    pub table: bool,
}

/// The paragraphs of `text`. Lines are joined when the text looks hard-wrapped: a line
/// that fills the usual line width, does not end a sentence and is followed by a line
/// that neither is indented nor starts a numbered heading. Page numbers between two
/// halves of a paragraph are dropped. Lines holding tabs (table rows of a plain-text
/// export) are paragraphs of their own, flagged as tables.
pub(crate) fn paragraphs(text: &str) -> Vec<Paragraph> {
    let lines = read_lines(text);
    // Page numbers, and blank lines around them or before a form feed, are not there.
    let mut ignore = vec![false; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        if line.page_number {
            ignore[i] = true;
            for j in (0..i).rev().take_while(|&j| lines[j].blank) {
                ignore[j] = true;
            }
            for j in (i + 1..lines.len()).take_while(|&j| lines[j].blank) {
                ignore[j] = true;
            }
        }
        if line.page_start {
            for j in (0..i).rev().take_while(|&j| lines[j].blank) {
                ignore[j] = true;
            }
        }
    }
    let kept: Vec<&Line> = lines
        .iter()
        .zip(&ignore)
        .filter(|(_, ignored)| !**ignored)
        .map(|(l, _)| l)
        .collect();
    let mut widths: Vec<f32> = kept
        .iter()
        .filter(|l| !l.blank && !l.tab)
        .map(|l| l.width)
        .collect();
    widths.sort_by(f32::total_cmp);
    let full = match widths.len() {
        0 => 0.0,
        n if n < 5 => widths[n - 1],
        n => widths[n * 9 / 10],
    } * 0.85;
    let mut out: Vec<Paragraph> = Vec::new();
    let mut current: Vec<Range<usize>> = Vec::new();
    let flush = |current: &mut Vec<Range<usize>>, out: &mut Vec<Paragraph>| {
        if !current.is_empty() {
            out.push(Paragraph {
                lines: std::mem::take(current),
                table: false,
            });
        }
    };
    for (i, line) in kept.iter().enumerate() {
        if line.blank {
            flush(&mut current, &mut out);
            continue;
        }
        if line.tab {
            flush(&mut current, &mut out);
            out.push(Paragraph {
                lines: std::iter::once(line.text_start..line.range.end).collect(),
                table: true,
            });
            continue;
        }
        current.push(line.text_start..line.range.end);
        let next = kept.get(i + 1);
        let join = next.is_some_and(|next| {
            !next.blank
                && !next.tab
                && !next.indent
                && line.width >= full
                && !line.ends_sentence
                && !starts_heading(&text[next.text_start..next.range.end])
        });
        if !join {
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}

/// Cuts a paragraph into compacted sentences at `。！？；` (a closing quote or bracket
/// right after stays with its sentence) and at the paragraph's end. Whitespace and the
/// breaks between the paragraph's lines are dropped, except that a space between two
/// digits on one line is kept as `' '` so that `3 17` does not read as 317.
///
/// Each sentence is handed to `f` as soon as it ends, so memory holds one sentence, not
/// the text's; a run of [`MAX_SENTENCE_CHARS`] characters without an end is cut there.
pub(crate) fn each_sentence(text: &str, paragraph: &Paragraph, mut f: impl FnMut(Sentence)) {
    let mut cur = Sentence {
        range: 0..0,
        chars: Vec::new(),
        offsets: Vec::new(),
        ends: Vec::new(),
    };
    // The first space seen since the last character (its bytes), and whether a line
    // break came with it.
    let mut pending_space: Option<(Range<usize>, bool)> = None;
    let mut ended = false;
    for line in &paragraph.lines {
        if !cur.chars.is_empty() {
            pending_space = Some((line.start..line.start, true));
        }
        for (i, c) in text[line.clone()].char_indices() {
            let at = line.start + i;
            if c.is_whitespace() {
                if pending_space.is_none() {
                    pending_space = Some((at..at + c.len_utf8(), false));
                }
                continue;
            }
            let folded = fold(c);
            if (ended && !is_closer(folded)) || cur.chars.len() >= MAX_SENTENCE_CHARS {
                push_sentence(&mut cur, &mut f);
                ended = false;
            }
            if let Some((space, newline)) = pending_space.take()
                && folded.is_ascii_digit()
                && !newline
                && cur.chars.last().is_some_and(char::is_ascii_digit)
            {
                cur.chars.push(' ');
                cur.offsets.push(space.start);
                cur.ends.push(space.end);
            }
            cur.chars.push(folded);
            cur.offsets.push(at);
            cur.ends.push(at + c.len_utf8());
            if is_terminator(folded) {
                ended = true;
            }
        }
    }
    push_sentence(&mut cur, &mut f);
}

/// The sentences of a paragraph (see [`each_sentence`]).
#[cfg(test)]
pub(crate) fn sentences(text: &str, paragraph: &Paragraph) -> Vec<Sentence> {
    let mut out = Vec::new();
    each_sentence(text, paragraph, |s| out.push(s));
    out
}

fn push_sentence(cur: &mut Sentence, f: &mut impl FnMut(Sentence)) {
    if cur.chars.is_empty() {
        return;
    }
    let mut s = std::mem::replace(
        cur,
        Sentence {
            range: 0..0,
            chars: Vec::new(),
            offsets: Vec::new(),
            ends: Vec::new(),
        },
    );
    s.range = s.offsets[0]..*s.ends.last().unwrap_or(&s.offsets[0]);
    f(s);
}

/// Why a run of digits is not a typed quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotAQuantity {
    /// `第1条`, `（1）`, `1.` or `1、` opening a sentence.
    Ordinal,
    /// Followed by 年/月/日/号/时, or part of `2019-12-24`, `8:30`, `0551-62356001`.
    DateOrCode,
    /// `3-5件`, `3至5次`.
    Range,
    /// Inside `《…》` or `〔…〕` (a document's title or number).
    Title,
    /// Next to a Latin letter (`GB 9704`, `5G`).
    Code,
    /// A change on another figure: `同比增长20.6%`, `较上年增加3件`.
    Change,
    /// Digits run on after a space (`1 725`): not sure where the number ends.
    Unclear,
}

/// A number typed in a sentence, with the unit after it.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    /// Characters of the digits (in the sentence's `chars`).
    pub chars: Range<usize>,
    pub value: Decimal,
    /// Unit as typed after the number (`件`, `万元` from `万余元`), if one of `units`.
    pub unit: Option<String>,
    /// End of the unit (or of the number when there is none), in `chars`.
    pub unit_end: usize,
    /// `约`, `近`, `余`, `多`, `左右`, `以上`: not meant exactly.
    pub approx: bool,
    pub not_quantity: Option<NotAQuantity>,
}

const CHANGE_WORDS: [&str; 20] = [
    "增长",
    "增加",
    "下降",
    "减少",
    "提高",
    "降低",
    "上升",
    "回落",
    "增幅",
    "降幅",
    "同比",
    "环比",
    "比上年",
    "较上年",
    "比去年",
    "较去年",
    "多出",
    "少了",
    "增多",
    "减幅",
];
const APPROX_BEFORE: [&str; 7] = ["约", "近", "逾", "超过", "超", "大约", "将近"];
const APPROX_AFTER: [&str; 5] = ["左右", "以上", "以下", "上下", "许"];

/// The numbers of a sentence. `units` are the units worth recognising (the catalogue's,
/// longest first); a number followed by anything else has no unit.
pub(crate) fn numbers(s: &Sentence, units: &[Vec<char>]) -> Vec<Number> {
    let c = &s.chars;
    let n = c.len();
    let digit = |i: usize| i < n && c[i].is_ascii_digit();
    let mut out = Vec::new();
    // Depth inside `《…》` / `〔…〕` at `scanned`, kept as the scan moves on.
    let (mut title_depth, mut scanned) = (0i32, 0);
    let mut i = 0;
    while i < n {
        if !digit(i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while digit(j) {
            j += 1;
        }
        // `1.2019年…` opening a sentence is the item number 1, then a year.
        let opens = c[..start]
            .iter()
            .all(|ch| matches!(ch, '(' | ')' | '"' | '“' | '”'));
        if opens && j - start <= 2 && c.get(j) == Some(&'.') && digit(j + 1) {
            out.push(Number {
                chars: start..j,
                value: c[start..j]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap_or_default(),
                unit: None,
                unit_end: j,
                approx: false,
                not_quantity: Some(NotAQuantity::Ordinal),
            });
            i = j + 1;
            continue;
        }
        let mut text: String = c[start..j].iter().collect();
        if j - start <= 3 {
            // Thousands groups: 1,725 / 1，725 / 12,345,678.
            while j + 3 < n + 1 && c[j] == ',' && (1..=3).all(|k| digit(j + k)) && !digit(j + 4) {
                text.extend(&c[j + 1..j + 4]);
                j += 4;
            }
        }
        if j + 1 < n && c[j] == '.' && digit(j + 1) {
            text.push('.');
            j += 1;
            while digit(j) {
                text.push(c[j]);
                j += 1;
            }
        }
        let end = j;
        i = end;
        let Ok(value) = text.parse::<Decimal>() else {
            continue;
        };
        let mut num = Number {
            chars: start..end,
            value,
            unit: None,
            unit_end: end,
            approx: false,
            not_quantity: None,
        };
        read_unit(c, &mut num, units);
        for ch in &c[scanned..start] {
            match ch {
                '《' | '〔' | '[' => title_depth += 1,
                '》' | '〕' | ']' => title_depth -= 1,
                _ => {}
            }
        }
        scanned = start;
        num.not_quantity = classify(c, start, end, title_depth > 0);
        out.push(num);
    }
    out
}

/// Reads the unit after a number: approximate markers (`余`, `多`) may sit before the
/// unit or inside `万余元`; `件次`, `个月`, `个百分点` are not the units `件` and `个`.
fn read_unit(c: &[char], num: &mut Number, units: &[Vec<char>]) {
    let end = num.chars.end;
    let before: String = c[num.chars.start.saturating_sub(2)..num.chars.start]
        .iter()
        .collect();
    if APPROX_BEFORE.iter().any(|w| before.ends_with(w)) {
        num.approx = true;
    }
    // Up to eight characters after the number, without 余/多, remembering where each
    // came from.
    let mut tail: Vec<(char, usize)> = Vec::new();
    let mut k = end;
    while k < c.len() && tail.len() < 8 {
        if matches!(c[k], '余' | '多') && (tail.is_empty() || tail[0].0 == '万') {
            num.approx = true;
        } else if c[k].is_ascii_digit() || matches!(c[k], ',' | '、' | '。' | ';') {
            break;
        } else {
            tail.push((c[k], k));
        }
        k += 1;
    }
    let tail_chars: Vec<char> = tail.iter().map(|(ch, _)| *ch).collect();
    let Some(unit) = units.iter().find(|u| tail_chars.starts_with(u)) else {
        return;
    };
    let after = &tail_chars[unit.len()..];
    let extends = after.first() == Some(&'次')
        || (unit.as_slice() == ['个']
            && ["月", "工作日", "小时", "百分点", "季度", "星期"]
                .iter()
                .any(|w| after.starts_with(&w.chars().collect::<Vec<_>>())));
    if extends {
        return;
    }
    num.unit = Some(unit.iter().collect());
    num.unit_end = tail[unit.len() - 1].1 + 1;
    let rest: String = after.iter().collect();
    if APPROX_AFTER.iter().any(|w| rest.starts_with(w)) {
        num.approx = true;
    }
}

/// Why the digits `c[start..end]` are not a quantity, if they are not; `in_title` when
/// they stand inside `《…》` or `〔…〕`.
fn classify(c: &[char], start: usize, end: usize, in_title: bool) -> Option<NotAQuantity> {
    let n = c.len();
    let at = |i: usize| c.get(i).copied();
    let prev = start.checked_sub(1).and_then(at);
    let prev2 = start.checked_sub(2).and_then(at);
    let next = at(end);
    let next2 = at(end + 1);
    let digit_at = |i: Option<char>| i.is_some_and(|c| c.is_ascii_digit());
    if in_title {
        return Some(NotAQuantity::Title);
    }
    if prev == Some('第') || (prev == Some('(') && next == Some(')')) {
        return Some(NotAQuantity::Ordinal);
    }
    let opens = c[..start]
        .iter()
        .all(|ch| matches!(ch, '(' | ')' | '"' | '“' | '”'));
    if opens && matches!(next, Some('.' | '、')) && !digit_at(next2) {
        return Some(NotAQuantity::Ordinal);
    }
    if matches!(next, Some('年' | '月' | '日' | '号' | '时' | '点' | '秒'))
        && !(next == Some('点') && next2 == Some('击'))
    {
        return Some(NotAQuantity::DateOrCode);
    }
    let joiner = |ch: Option<char>| matches!(ch, Some('-' | '/' | ':' | '.' | '·'));
    if (joiner(next) && digit_at(next2)) || (joiner(prev) && digit_at(prev2)) {
        return Some(NotAQuantity::DateOrCode);
    }
    let range_mark = |ch: Option<char>| matches!(ch, Some('-' | '~' | '—' | '–' | '至' | '到'));
    if (range_mark(next) && digit_at(next2)) || (range_mark(prev) && digit_at(prev2)) {
        return Some(NotAQuantity::Range);
    }
    if prev.is_some_and(|ch| ch.is_ascii_alphabetic())
        || next.is_some_and(|ch| ch.is_ascii_alphabetic())
    {
        return Some(NotAQuantity::Code);
    }
    if prev == Some(' ') || (next == Some(' ') && end + 1 < n) {
        return Some(NotAQuantity::Unclear);
    }
    // A change: the words just before, allowing 了 and 约 in between; 增加至/降为 give a
    // level, not a change.
    let mut k = start;
    while k > 0 && matches!(c[k - 1], '了' | '约' | '近' | '逾') {
        k -= 1;
    }
    if k > 0 && matches!(c[k - 1], '至' | '到' | '为') {
        return None;
    }
    let before: String = c[k.saturating_sub(3)..k].iter().collect();
    if CHANGE_WORDS.iter().any(|w| before.ends_with(w)) {
        return Some(NotAQuantity::Change);
    }
    None
}

/// Clause boundaries of a sentence: `,` (folded `，`) and `、` that are not inside a
/// number, and for `、` not inside quotes, brackets or a title (`“进社区、进校园”`).
/// Returns the clauses as character ranges.
pub(crate) fn clauses(s: &Sentence, numbers: &[Number]) -> Vec<Range<usize>> {
    // Numbers are in order: the first one not ended before `i` is the only one that can
    // hold it.
    let mut next = 0;
    let mut in_number = |i: usize| {
        while numbers.get(next).is_some_and(|n| n.chars.end <= i) {
            next += 1;
        }
        numbers.get(next).is_some_and(|n| n.chars.contains(&i))
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    for (i, ch) in s.chars.iter().enumerate() {
        match ch {
            '“' | '(' | '《' | '「' | '‘' => depth += 1,
            '”' | ')' | '》' | '」' | '’' => depth -= 1,
            _ => {}
        }
        let cut = match ch {
            ',' => !in_number(i),
            '、' => depth <= 0,
            ';' | ':' => true,
            _ => false,
        };
        if cut {
            out.push(start..i);
            start = i + 1;
        }
    }
    out.push(start..s.chars.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<Vec<char>> {
        let mut u: Vec<Vec<char>> = ["万元", "批次", "件", "条", "次", "个", "%", "期"]
            .iter()
            .map(|s| s.chars().collect())
            .collect();
        u.sort_by_key(|u| std::cmp::Reverse(u.len()));
        u
    }

    fn one(text: &str) -> Sentence {
        let paras = paragraphs(text);
        let mut all: Vec<Sentence> = paras.iter().flat_map(|p| sentences(text, p)).collect();
        assert_eq!(all.len(), 1, "{text}");
        all.remove(0)
    }

    fn quantities(text: &str) -> Vec<(String, Option<String>, bool)> {
        let s = one(text);
        numbers(&s, &units())
            .into_iter()
            .filter(|n| n.not_quantity.is_none())
            .map(|n| (n.value.to_string(), n.unit, n.approx))
            .collect()
    }

    #[test]
    fn numbers_with_units_spaces_full_width_and_separators() {
        assert_eq!(
            quantities("受理申请 17 件，收到１７２５条，共1, 234次。"),
            vec![
                ("17".into(), Some("件".into()), false),
                ("1725".into(), Some("条".into()), false),
                ("1234".into(), Some("次".into()), false),
            ]
        );
        assert_eq!(
            quantities("罚没款2354.48万余元，降费1530多万元，约800件。"),
            vec![
                ("2354.48".into(), Some("万元".into()), true),
                ("1530".into(), Some("万元".into()), true),
                ("800".into(), Some("件".into()), true),
            ]
        );
        // 件次 is not 件; 3个工作日 is not a count of 个; 3200万条 has no unit of ours.
        assert_eq!(
            quantities("办理1200件次，3个工作日，3200万条，合格率98.1％。"),
            vec![
                ("1200".into(), None, false),
                ("3".into(), None, false),
                ("3200".into(), None, false),
                ("98.1".into(), Some("%".into()), false),
            ]
        );
    }

    #[test]
    fn dates_ordinals_titles_ranges_and_changes_are_not_quantities() {
        let text = "1.2019年12月31日，依据《2019年全省要点》第3条（1）款，\
                    2020-2022年，3至5件，GB 9704，同比增长20.6%，较上年增加3件，\
                    增加至12件，电话0551-62356001。";
        let s = one(text);
        let found: Vec<(String, Option<NotAQuantity>)> = numbers(&s, &units())
            .into_iter()
            .map(|n| (n.value.to_string(), n.not_quantity))
            .collect();
        use NotAQuantity::*;
        assert_eq!(
            found,
            vec![
                ("1".into(), Some(Ordinal)),
                ("2019".into(), Some(DateOrCode)),
                ("12".into(), Some(DateOrCode)),
                ("31".into(), Some(DateOrCode)),
                ("2019".into(), Some(Title)),
                ("3".into(), Some(Ordinal)),
                ("1".into(), Some(Ordinal)),
                ("2020".into(), Some(DateOrCode)),
                ("2022".into(), Some(DateOrCode)),
                ("3".into(), Some(Range)),
                ("5".into(), Some(Range)),
                ("9704".into(), Some(Code)),
                ("20.6".into(), Some(Change)),
                ("3".into(), Some(Change)),
                ("12".into(), None),
                ("551".into(), Some(DateOrCode)),
                ("62356001".into(), Some(DateOrCode)),
            ]
        );
    }

    #[test]
    fn pdf_hard_wraps_and_page_numbers_are_rejoined() {
        let text = "（二）依申请公开。全年新收政府信息公开申请 82 件，同\n\
                    比增长 20.6%，上年结转 4 件。本年度办理完毕 83 件，同比\n\
                    —1—\n\n\u{c}增长 23.9%，其中予以公开 42 件、部分公开 9 件，结转下\n\
                    年度继续办理 3 件。\n\
                    三、收到和处理政府信息公开申请情况\n\
                    申请人情况\n";
        let paras = paragraphs(text);
        assert_eq!(paras.len(), 3, "{paras:?}");
        let sentences: Vec<Sentence> = sentences(text, &paras[0]);
        let texts: Vec<String> = sentences.iter().map(|s| s.chars.iter().collect()).collect();
        assert_eq!(
            texts,
            [
                "(二)依申请公开。",
                "全年新收政府信息公开申请82件,同比增长20.6%,上年结转4件。",
                "本年度办理完毕83件,同比增长23.9%,其中予以公开42件、部分公开9件,结转下年度继续办理3件。"
            ]
        );
        // Byte ranges point into the original text.
        let s = &sentences[2];
        let n = &numbers(s, &units())[3];
        assert_eq!(&text[s.bytes(n.chars.clone())], "9");
        assert!(text[s.range.clone()].contains("—1—"));
    }

    #[test]
    fn page_numbers() {
        for yes in ["—1—", "-12-", "－3－", "第3页", "第3页共9页"] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in ["1", "2019-2022", "12-24", "第3条", "—", "-12345-"] {
            assert!(!is_page_number(no), "{no}");
        }
    }

    #[test]
    fn one_paragraph_a_line_stays_as_it_is() {
        let text = "标题\n一、总体情况\n全年主动公开政府信息4387条。\n（一）主动公开\n全年新收政府信息公开申请82件。\n";
        assert_eq!(paragraphs(text).len(), 5);
        // Digits split by a space are two numbers, and neither is sure.
        let s = one("受理申请 1 725 件。");
        assert!(
            numbers(&s, &units())
                .iter()
                .all(|n| n.not_quantity.is_some())
        );
    }

    #[test]
    fn clauses_split_on_commas_and_enumeration_commas_outside_quotes() {
        let s = one("开展宣传654次、“进社区、进校园”宣传266次，共1,234次。");
        let nums = numbers(&s, &units());
        let texts: Vec<String> = clauses(&s, &nums).into_iter().map(|r| s.text(r)).collect();
        assert_eq!(
            texts,
            ["开展宣传654次", "“进社区、进校园”宣传266次", "共1,234次。"]
        );
    }
}
