//! The block markup of a rendered template → [`Document`].
//!
//! After minijinja has run, the text is read line by line (each line trimmed):
//!
//! | line | becomes |
//! | --- | --- |
//! | `title: …` | the document title |
//! | `# …` `## …` `### …` `#### …` | a heading of level 1–4, numbered automatically |
//! | a heading directly followed by text (no blank line) | a *run-in* heading: `（一）标题。正文…` |
//! | text lines | one paragraph; lines are joined without a space (Chinese) |
//! | blank line | ends a paragraph |
//! | `center: …` / `noindent: …` | starts a centred / unindented paragraph |
//! | `closing: 机构` | the 落款 with the compile date |
//! | `\…` | the line as text, without the backslash (to start a line with `#`) |
//!
//! Inside text, `**…**` is emphasis. Figure and table tokens left by the template
//! functions (see [`super::engine`]) become figure runs and table blocks.
//!
//! Hand-written because it is this small and the line rules are ours; a Markdown crate
//! would bring lists, links and escaping rules that office staff do not need and that
//! would turn stray characters in their prose into formatting.

use crate::document::{
    Block, Closing, Document, Heading, HeadingNumbers, Paragraph, ParagraphStyle, Run,
};

use super::side::Side;
use super::token::{self, FIGURE_START, TABLE_START, TOKEN_END};

const DIRECTIVES: [&str; 4] = ["title:", "closing:", "center:", "noindent:"];

/// True for a line that the markup would not read as plain text.
pub(crate) fn is_markup_line(line: &str) -> bool {
    heading_level(line).is_some()
        || line.starts_with('\\')
        || DIRECTIVES.iter().any(|d| line.starts_with(d))
}

fn heading_level(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    if !(1..=4).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if rest.is_empty() {
        return Some((hashes as u8, ""));
    }
    rest.strip_prefix([' ', '\u{3000}'])
        .map(|r| (hashes as u8, r.trim()))
}

struct Builder<'a> {
    side: &'a Side,
    doc: Document,
    numbers: HeadingNumbers,
    lines: Vec<String>,
    style: ParagraphStyle,
    /// Index of a heading whose next line may run in.
    open_heading: Option<usize>,
}

/// Builds the document from rendered markup. `date` is the closing date, already
/// formatted (`2019年12月24日`).
pub(crate) fn parse(text: &str, side: &Side, date: &str) -> Document {
    let mut b = Builder {
        side,
        doc: Document {
            title: String::new(),
            blocks: Vec::new(),
            closing: None,
        },
        numbers: HeadingNumbers::default(),
        lines: Vec::new(),
        style: ParagraphStyle::Body,
        open_heading: None,
    };
    for raw in text.lines() {
        let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if line.is_empty() {
            b.flush();
            b.open_heading = None;
            continue;
        }
        if let Some(index) = token::table_index(line) {
            b.flush();
            b.open_heading = None;
            if let Some(tables) = side.tables.get(index) {
                b.doc
                    .blocks
                    .extend(tables.iter().cloned().map(Block::Table));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("title:") {
            b.flush();
            b.doc.title = crate::document::runs_text(&b.runs(rest.trim()));
            continue;
        }
        if let Some(rest) = line.strip_prefix("closing:") {
            b.flush();
            b.doc.closing = Some(Closing {
                agency: crate::document::runs_text(&b.runs(rest.trim())),
                date: date.to_string(),
            });
            continue;
        }
        if let Some((level, rest)) = heading_level(line) {
            b.flush();
            let runs = b.runs(rest);
            b.doc.blocks.push(Block::Heading(Heading {
                level,
                number: b.numbers.next(level),
                runs,
                run_in: false,
            }));
            b.open_heading = Some(b.doc.blocks.len() - 1);
            continue;
        }
        let mut line = line;
        if b.lines.is_empty() {
            for (prefix, style) in [
                ("center:", ParagraphStyle::Centered),
                ("noindent:", ParagraphStyle::NoIndent),
            ] {
                if let Some(rest) = line.strip_prefix(prefix) {
                    b.style = style;
                    line = rest.trim_start();
                }
            }
            if let Some(i) = b.open_heading.take()
                && let Some(Block::Heading(h)) = b.doc.blocks.get_mut(i)
            {
                h.run_in = true;
            }
        }
        let line = line.strip_prefix('\\').unwrap_or(line);
        b.lines.push(line.to_string());
    }
    b.flush();
    b.doc
}

impl Builder<'_> {
    fn flush(&mut self) {
        if self.lines.is_empty() {
            return;
        }
        let mut text = String::new();
        for line in self.lines.drain(..) {
            let ascii_end = text
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            let ascii_start = line
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            if ascii_end && ascii_start {
                text.push(' ');
            }
            text.push_str(&line);
        }
        let runs = self.runs(&text);
        self.doc.blocks.push(Block::Paragraph(Paragraph {
            style: std::mem::take(&mut self.style),
            runs,
        }));
    }

    /// Text with tokens and `**emphasis**` → runs; adjacent text runs merged.
    fn runs(&self, text: &str) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        let mut emphasis = false;
        let mut buf = String::new();
        let push_text = |runs: &mut Vec<Run>, buf: &mut String, emphasis: bool| {
            if buf.is_empty() {
                return;
            }
            let text = std::mem::take(buf);
            match (runs.last_mut(), emphasis) {
                (Some(Run::Text { text: t }), false) | (Some(Run::Emphasis { text: t }), true) => {
                    t.push_str(&text)
                }
                (_, false) => runs.push(Run::Text { text }),
                (_, true) => runs.push(Run::Emphasis { text }),
            }
        };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                FIGURE_START | TABLE_START => {
                    let mut digits = String::new();
                    for d in chars.by_ref() {
                        if d == TOKEN_END {
                            break;
                        }
                        digits.push(d);
                    }
                    let figure = (c == FIGURE_START)
                        .then(|| digits.parse::<usize>().ok())
                        .flatten()
                        .and_then(|i| self.side.figures.get(i));
                    if let Some(f) = figure {
                        push_text(&mut runs, &mut buf, emphasis);
                        runs.push(Run::Figure(f.clone()));
                    }
                }
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    push_text(&mut runs, &mut buf, emphasis);
                    emphasis = !emphasis;
                }
                _ => buf.push(c),
            }
        }
        push_text(&mut runs, &mut buf, emphasis);
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Block;

    #[test]
    fn headings_run_in_paragraphs_and_directives() {
        let text = "title: 标题\n\n# 总体情况\n\n## 小标题。\n正文第一句，\n第二句。\n\n\\# 不是标题\n\ncenter: 居中 **强调**\n\nclosing: 某局\n";
        let doc = parse(text, &Side::default(), "2019年12月24日");
        assert_eq!(doc.title, "标题");
        assert_eq!(
            doc.plain_text(),
            "标题\n一、总体情况\n（一）小标题。正文第一句，第二句。\n# 不是标题\n居中 强调\n某局\n2019年12月24日\n"
        );
        match &doc.blocks[1] {
            Block::Heading(h) => assert!(h.run_in),
            b => panic!("{b:?}"),
        }
        match &doc.blocks[0] {
            Block::Heading(h) => assert!(!h.run_in),
            b => panic!("{b:?}"),
        }
        match &doc.blocks[4] {
            Block::Paragraph(p) => {
                assert_eq!(p.style, ParagraphStyle::Centered);
                assert!(matches!(&p.runs[1], Run::Emphasis { text } if text == "强调"));
            }
            b => panic!("{b:?}"),
        }
    }
}
