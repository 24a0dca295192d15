//! A draft as office staff read it (正文视图): the template source cut into
//! [`Segment`]s — prose as typed, live figures (`{{ … }}`, shown as one chip with its
//! value), and template logic and line markup (`{% … %}`, `{# … #}`, `# `, `title:`,
//! `**`, shown as quiet markers) — and put back together byte for byte.
//!
//! Owns the mapping between the two views of one draft: [`parse`] then [`serialize`]
//! gives the same bytes for any source (the template source stays the one stored form:
//! the compiler, the checks, the preview, PDF and DOCX read it as before), and an edit
//! of the segments is the same edit of the source, nothing else moves. Chip values come
//! from the compiler itself ([`eval`]), never from a second evaluator; two saved
//! versions are compared by [`diff`].
//!
//! Hand-written because the cut follows our template language exactly (minijinja's own
//! lexer is private and would not keep the bytes between tokens); it only has to find
//! where tags start and end, which minijinja then parses for real.
//!
//! Must never: change a byte it does not own, evaluate a figure on its own, or know
//! anything of the UI.

pub mod diff;
pub mod eval;

use std::ops::Range;

/// One piece of a draft, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Prose as typed. Stored as is, except that a `{` that would open a tag is written
    /// as the canonical escape `{{ "{" }}` (and read back as text).
    Text(String),
    /// `{{ … }}`: a figure, a year, a name, a table — shown as its value, one unit.
    Chip(String),
    /// Template logic or line markup, shown as a quiet marker.
    Marker(Marker),
}

/// A marker: its source bytes and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub source: String,
    pub kind: MarkerKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    If,
    ElseIf,
    Else,
    EndIf,
    For,
    EndFor,
    Set,
    /// Another `{% … %}` tag (`include`, `raw`, …).
    Tag,
    /// `{# … #}`, a note for template authors.
    Comment,
    /// `title:` at a line start.
    Title,
    /// `#`–`####` at a line start.
    Heading(u8),
    /// `closing:` at a line start.
    Closing,
    Center,
    NoIndent,
    /// `**`, switching bold on or off.
    Emphasis,
}

impl MarkerKind {
    /// +1 for a tag that opens a block, −1 for one that closes it.
    pub fn depth_change(self) -> i32 {
        match self {
            MarkerKind::If | MarkerKind::For => 1,
            MarkerKind::EndIf | MarkerKind::EndFor => -1,
            _ => 0,
        }
    }

    /// Template logic (a `{% %}` tag): kept whole, deleted only with its whole block.
    pub fn is_logic(self) -> bool {
        matches!(
            self,
            MarkerKind::If
                | MarkerKind::ElseIf
                | MarkerKind::Else
                | MarkerKind::EndIf
                | MarkerKind::For
                | MarkerKind::EndFor
                | MarkerKind::Set
                | MarkerKind::Tag
        )
    }

    /// Line markup (a heading, the title, the closing, …): styles its line.
    pub fn is_line_markup(self) -> bool {
        matches!(
            self,
            MarkerKind::Title
                | MarkerKind::Heading(_)
                | MarkerKind::Closing
                | MarkerKind::Center
                | MarkerKind::NoIndent
        )
    }
}

impl Marker {
    /// What the marker does, in the office's words (「有数据时才显示」「每个处室重复」).
    /// Headings have no label: the editor shows their number instead.
    pub fn label(&self) -> &'static str {
        let body = tag_body(&self.source);
        match self.kind {
            MarkerKind::If if is_data_condition(body) => "有数据时才显示",
            MarkerKind::If => "满足条件时才显示",
            MarkerKind::ElseIf => "否则，满足条件时显示",
            MarkerKind::Else => "否则显示",
            MarkerKind::EndIf => "条件结束",
            MarkerKind::For if body.contains("metrics") => "每个指标重复",
            MarkerKind::For => "每个处室重复",
            MarkerKind::EndFor => "重复结束",
            MarkerKind::Set => "模板设定",
            MarkerKind::Tag => "模板指令",
            MarkerKind::Comment => "模板说明",
            MarkerKind::Title => "标题",
            MarkerKind::Heading(_) => "",
            MarkerKind::Closing => "落款",
            MarkerKind::Center => "居中",
            MarkerKind::NoIndent => "顶格",
            MarkerKind::Emphasis => "加粗",
        }
    }
}

/// The inside of a tag: `{% if x %}` → `if x`, `{{- y }}` → `y`.
pub fn tag_body(source: &str) -> &str {
    let inner = source
        .get(2..source.len().saturating_sub(2))
        .unwrap_or_default();
    inner
        .trim_start_matches(['-', '+', '~'])
        .trim_end_matches(['-', '+', '~'])
        .trim()
}

/// A condition that only asks whether metrics have data (`has(…)`, `value(…)`, joined
/// by `and`), as most of the templates' sentences do.
fn is_data_condition(body: &str) -> bool {
    let cond = body.trim_start_matches("if").trim_start_matches("elif");
    cond.split(" and ").all(|part| {
        let p = part.trim();
        let call = (p.starts_with("has(") || p.starts_with("value("))
            && p.ends_with(')')
            && !p.contains("==");
        call || p.chars().all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The canonical escapes of the characters that would otherwise open a tag.
const OPEN_BRACE_ESCAPE: &str = "{{ \"{\" }}";

/// Cuts `source` into segments. Never fails: an unterminated tag is text (the compiler
/// reports it with its line).
pub fn parse(source: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let mut line_start = true;
    let flush = |out: &mut Vec<Segment>, text: &mut String| {
        if !text.is_empty() {
            out.push(Segment::Text(std::mem::take(text)));
        }
    };
    while i < source.len() {
        let rest = &source[i..];
        if line_start && let Some((len, kind)) = line_markup(rest) {
            flush(&mut out, &mut text);
            out.push(Segment::Marker(Marker {
                source: rest[..len].to_string(),
                kind,
            }));
            i += len;
            line_start = false;
            continue;
        }
        line_start = false;
        if rest.starts_with(OPEN_BRACE_ESCAPE) {
            text.push('{');
            i += OPEN_BRACE_ESCAPE.len();
            continue;
        }
        if let Some((len, seg)) = tag_at(rest) {
            flush(&mut out, &mut text);
            out.push(seg);
            i += len;
            continue;
        }
        if rest.starts_with("**") {
            flush(&mut out, &mut text);
            out.push(Segment::Marker(Marker {
                source: "**".into(),
                kind: MarkerKind::Emphasis,
            }));
            i += 2;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        text.push(c);
        line_start = c == '\n';
        i += c.len_utf8();
    }
    flush(&mut out, &mut text);
    out
}

/// The source of `segments`: each segment's bytes in order (`parse`'s inverse).
pub fn serialize(segments: &[Segment]) -> String {
    let mut out = String::new();
    for (n, s) in segments.iter().enumerate() {
        match s {
            Segment::Text(t) => {
                let next_is_tag = !matches!(segments.get(n + 1), None | Some(Segment::Text(_)));
                escape_into(&mut out, t, next_is_tag);
            }
            Segment::Chip(source) => out.push_str(source),
            Segment::Marker(m) => out.push_str(&m.source),
        }
    }
    out
}

/// Text as source: a `{` that would open a tag (`{{`, `{%`, `{#`, or a last `{` before
/// a tag) is written as its escape.
fn escape_into(out: &mut String, text: &str, next_is_tag: bool) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let opens = c == '{'
            && match chars.peek() {
                Some('{' | '%' | '#') => true,
                None => next_is_tag,
                _ => false,
            };
        if opens {
            out.push_str(OPEN_BRACE_ESCAPE);
        } else {
            out.push(c);
        }
    }
}

/// Line markup at a line start: its length (with one following space) and kind.
fn line_markup(rest: &str) -> Option<(usize, MarkerKind)> {
    for (prefix, kind) in [
        ("title:", MarkerKind::Title),
        ("closing:", MarkerKind::Closing),
        ("center:", MarkerKind::Center),
        ("noindent:", MarkerKind::NoIndent),
    ] {
        if let Some(after) = rest.strip_prefix(prefix) {
            let spaces = after.chars().take_while(|c| *c == ' ').count();
            return Some((prefix.len() + spaces, kind));
        }
    }
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if (1..=4).contains(&hashes) {
        let after = &rest[hashes..];
        let space = [" ", "\u{3000}"].into_iter().find(|s| after.starts_with(s));
        if let Some(s) = space {
            return Some((hashes + s.len(), MarkerKind::Heading(hashes as u8)));
        }
    }
    None
}

/// A tag at the start of `rest`: its length and segment.
fn tag_at(rest: &str) -> Option<(usize, Segment)> {
    let (close, comment) = if rest.starts_with("{{") {
        ("}}", false)
    } else if rest.starts_with("{%") {
        ("%}", false)
    } else if rest.starts_with("{#") {
        ("#}", true)
    } else {
        return None;
    };
    let len = if comment {
        rest[2..].find(close)? + 4
    } else {
        tag_end(rest, close)?
    };
    let source = &rest[..len];
    let seg = if rest.starts_with("{{") {
        Segment::Chip(source.to_string())
    } else {
        let kind = if comment {
            MarkerKind::Comment
        } else {
            let body = tag_body(source);
            let word = body.split_whitespace().next().unwrap_or_default();
            match word {
                "if" => MarkerKind::If,
                "elif" => MarkerKind::ElseIf,
                "else" => MarkerKind::Else,
                "endif" => MarkerKind::EndIf,
                "for" => MarkerKind::For,
                "endfor" => MarkerKind::EndFor,
                "set" => MarkerKind::Set,
                _ => MarkerKind::Tag,
            }
        };
        Segment::Marker(Marker {
            source: source.to_string(),
            kind,
        })
    };
    Some((len, seg))
}

/// Where a `{{ }}` or `{% %}` tag ends (past `close`), skipping string literals.
fn tag_end(rest: &str, close: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 2;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if rest[i..].starts_with(close) => return Some(i + close.len()),
            None => {}
        }
        i += 1;
    }
    None
}

/// For each marker that opens or closes a block, the index of its partner (the `endif`
/// of an `if`, …); `else`/`elif` belong to their `if`. Unbalanced tags have none.
pub fn partners(segments: &[Segment]) -> Vec<Option<usize>> {
    let mut out = vec![None; segments.len()];
    let mut open: Vec<usize> = Vec::new();
    for (n, s) in segments.iter().enumerate() {
        let Segment::Marker(m) = s else { continue };
        match m.kind.depth_change() {
            1 => open.push(n),
            -1 => {
                if let Some(o) = open.pop() {
                    out[o] = Some(n);
                    out[n] = Some(o);
                }
            }
            _ if matches!(m.kind, MarkerKind::Else | MarkerKind::ElseIf) => {
                out[n] = open.last().copied();
            }
            _ => {}
        }
    }
    out
}

/// The segments in `range` (indices) that may be deleted together: chips, text, line
/// markup and notes always; a logic tag only together with its whole block.
pub fn deletable(segments: &[Segment], range: Range<usize>) -> Vec<bool> {
    let partners = partners(segments);
    segments
        .iter()
        .enumerate()
        .map(|(n, s)| match s {
            Segment::Marker(m) if m.kind.is_logic() => {
                let block = match (m.kind.depth_change(), partners[n]) {
                    (0, _) if m.kind == MarkerKind::Set || m.kind == MarkerKind::Tag => {
                        return range.contains(&n);
                    }
                    (_, Some(p)) => {
                        let open = if m.kind.depth_change() == 1 { n } else { p };
                        let close = match partners[open] {
                            Some(c) if c > open => c,
                            _ => return false,
                        };
                        open..close + 1
                    }
                    _ => return false,
                };
                range.start <= block.start && block.end <= range.end
            }
            _ => range.contains(&n),
        })
        .collect()
}

#[cfg(test)]
mod tests;
