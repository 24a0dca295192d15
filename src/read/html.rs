//! `.html` / `.htm` → blocks: a report page as a browser saved it (or as Word's "save as
//! web page" wrote it). Paragraphs are the text between block elements; `<br>` is a line
//! break; `<table>`s become [`Table`]s with `colspan` / `rowspan` resolved.
//!
//! Real pages are messy — unclosed `<td>` and `<p>`, tables without `<tbody>`, font tags
//! around everything, `&nbsp;` for empty cells, pages whose whole body is a layout table.
//! So the page is parsed by `scraper` (html5ever underneath), which builds the same tree
//! a browser would from any markup, by the HTML5 parsing algorithm; a hand-written or
//! lenient XML-style parser (`tl`, `quick-xml`) would misplace cells exactly where pages
//! are sloppiest. scraper's CSS selectors are not used; its tree is walked directly.
//!
//! A table with another table inside a cell is a layout table: its cells are read as
//! ordinary content (paragraphs and the tables inside). Scripts, styles, the `<head>` and
//! elements hidden with `display:none` (Word's spacer rows) are skipped.
//!
//! Encoding, on evidence: a byte-order mark (UTF-8 or UTF-16), else UTF-8 when the bytes
//! are valid UTF-8, else the `charset` the page declares, else GB18030 (a superset of GBK
//! and GB2312) — as a browser does, except that a page whose bytes are not clean in the
//! encoding chosen is refused with the line and byte of the first bad byte instead of being
//! read with `�` in it: a UTF-8 page with one bad byte read as GB18030 turns every Chinese
//! character into mojibake, and a figure with a lost byte must not be imported.
//!
//! Nesting: html5ever's tree builder checks element scopes over the stack of open
//! elements for every tag, so a page nested N deep costs O(N) a tag (200,000 nested
//! `<div>`s, 2.2 MB, took over two minutes). The page is therefore fed to the parser in
//! small pieces and refused as soon as the tree under construction is deeper than
//! [`MAX_DEPTH`] (a real report page nests a few dozen deep); the walk over the tree is
//! iterative, so no depth can overflow the stack.

use ego_tree::NodeRef;
use html5ever::tendril::{StrTendril, TendrilSink};
use scraper::{Html, HtmlTreeSink, Node};

use super::{Block, DocumentError, GridBuilder, tidy};

/// Deepest element nesting read; deeper pages are refused.
pub const MAX_DEPTH: usize = 1000;
/// Bytes fed to the parser between two depth checks: small enough that a page cannot go
/// much deeper than [`MAX_DEPTH`] and back up unseen between two checks.
const PIECE: usize = 4096;

/// Reads a web page: any markup makes some document (possibly empty); only bytes that
/// are not text in any encoding the page could be in, and nesting no report has, are
/// refused.
pub fn read(bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    let html = parse(&decode(bytes)?)?;
    let mut walker = Walker::default();
    walker.walk(html.tree.root());
    walker.flush();
    Ok(walker.blocks)
}

/// Parses the page piece by piece, checking the depth of the newest node after each.
fn parse(text: &str) -> Result<Html, DocumentError> {
    let sink = HtmlTreeSink::new(Html::new_document());
    let mut parser = html5ever::driver::parse_document(sink, Default::default());
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(PIECE);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, after) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(piece));
        rest = after;
        let depth = {
            let html = parser.tokenizer.sink.sink.0.borrow();
            html.tree
                .nodes()
                .next_back()
                .map_or(0, |newest| newest.ancestors().count())
        };
        if depth > MAX_DEPTH {
            return Err(DocumentError::TooDeep {
                what: "网页的标签",
                limit: MAX_DEPTH,
            });
        }
    }
    Ok(parser.finish())
}

/// The page's text (see the module doc).
fn decode(bytes: &[u8]) -> Result<String, DocumentError> {
    let (encoding, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (encoding, &bytes[bom..]),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => return Ok(text.to_string()),
            Err(_) => (declared_encoding(bytes), bytes),
        },
    };
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::new();
    let mut done = 0;
    loop {
        let left = body.len() - done;
        text.reserve(
            decoder
                .max_utf8_buffer_length_without_replacement(left)
                .unwrap_or(left),
        );
        let (result, read) =
            decoder.decode_to_string_without_replacement(&body[done..], &mut text, true);
        done += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Ok(text),
            encoding_rs::DecoderResult::OutputFull => {}
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                let at = done - usize::from(after) - usize::from(bad);
                return Err(DocumentError::PageEncoding {
                    encoding: encoding.name(),
                    line: 1 + body[..at].iter().filter(|&&b| b == b'\n').count(),
                    offset: bytes.len() - body.len() + at,
                    byte: body[at],
                });
            }
        }
    }
}

/// The `charset` a page declares in its first bytes, or GB18030. A page that declares
/// UTF-16 without a byte-order mark is read as UTF-8, as browsers do.
fn declared_encoding(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    head.find("charset=")
        .map(|i| &head[i + "charset=".len()..])
        .map(|rest| {
            rest.trim_start_matches(['"', '\''])
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .map_or(encoding_rs::GB18030, encoding_rs::Encoding::output_encoding)
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    text: String,
}

const SKIPPED: &[&str] = &[
    "head", "script", "style", "noscript", "template", "iframe", "object", "svg", "select",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "blockquote",
    "pre",
    "center",
    "form",
    "hr",
    "address",
    "figure",
    "figcaption",
    "caption",
    "tr",
    "td",
    "th",
    "table",
    "tbody",
    "thead",
    "tfoot",
];

impl Walker {
    fn flush(&mut self) {
        let text = tidy(&std::mem::take(&mut self.text));
        if !text.is_empty() {
            self.blocks.push(Block::Paragraph(text));
        }
    }

    /// Reads `node` and everything under it, in document order. Iterative: a stack of
    /// what is left to do stands in for recursion (see the module doc).
    fn walk(&mut self, node: NodeRef<'_, Node>) {
        enum Step<'a> {
            Enter(NodeRef<'a, Node>),
            /// The end of a block element.
            Leave,
        }
        let mut todo = vec![Step::Enter(node)];
        while let Some(step) = todo.pop() {
            let node = match step {
                Step::Leave => {
                    self.flush();
                    continue;
                }
                Step::Enter(node) => node,
            };
            match node.value() {
                Node::Text(t) => self.text.push_str(&t.replace(['\n', '\r'], " ")),
                Node::Element(e) => {
                    let name = e.name();
                    if SKIPPED.contains(&name) || is_hidden(e) {
                        continue;
                    }
                    if name == "br" {
                        self.text.push('\n');
                        continue;
                    }
                    if name == "table" && !has_nested_table(node) {
                        self.flush();
                        self.blocks.push(Block::Table(table(node)));
                        continue;
                    }
                    if BLOCKS.contains(&name) {
                        self.flush();
                        todo.push(Step::Leave);
                    }
                    todo.extend(node.children().rev().map(Step::Enter));
                }
                Node::Document | Node::Fragment => {
                    todo.extend(node.children().rev().map(Step::Enter));
                }
                _ => {}
            }
        }
    }
}

fn is_hidden(e: &scraper::node::Element) -> bool {
    e.attr("style").is_some_and(|s| {
        s.to_ascii_lowercase()
            .replace(char::is_whitespace, "")
            .contains("display:none")
    }) || e.attr("hidden").is_some()
}

fn element_children<'a>(
    node: NodeRef<'a, Node>,
    names: &'a [&'a str],
) -> impl Iterator<Item = NodeRef<'a, Node>> + 'a {
    node.children().filter(move |c| {
        c.value()
            .as_element()
            .is_some_and(|e| names.contains(&e.name()) && !is_hidden(e))
    })
}

/// The rows of a table: its own `tr`s, directly or in `thead` / `tbody` / `tfoot`.
fn table_rows(table: NodeRef<'_, Node>) -> Vec<NodeRef<'_, Node>> {
    let mut rows = Vec::new();
    for child in element_children(table, &["tr", "thead", "tbody", "tfoot"]) {
        if child.value().as_element().is_some_and(|e| e.name() == "tr") {
            rows.push(child);
        } else {
            rows.extend(element_children(child, &["tr"]));
        }
    }
    rows
}

fn has_nested_table(table: NodeRef<'_, Node>) -> bool {
    table_rows(table).into_iter().any(|row| {
        element_children(row, &["td", "th"]).any(|cell| {
            cell.descendants()
                .skip(1)
                .any(|d| d.value().as_element().is_some_and(|e| e.name() == "table"))
        })
    })
}

fn table(node: NodeRef<'_, Node>) -> super::Table {
    let mut grid = GridBuilder::default();
    for row in table_rows(node) {
        grid.row();
        for cell in element_children(row, &["td", "th"]) {
            let Some(e) = cell.value().as_element() else {
                continue;
            };
            let span = |name: &str| {
                e.attr(name)
                    .and_then(|v| {
                        let digits: String =
                            v.trim().chars().take_while(char::is_ascii_digit).collect();
                        digits.parse::<usize>().ok()
                    })
                    .filter(|&n| n > 0)
                    .unwrap_or(1)
            };
            let mut inner = Walker::default();
            for child in cell.children() {
                inner.walk(child);
            }
            inner.flush();
            let text: Vec<String> = inner
                .blocks
                .into_iter()
                .filter_map(|b| match b {
                    Block::Paragraph(p) => Some(p),
                    Block::Table(_) => None,
                })
                .collect();
            grid.start(text.join("\n"), span("colspan"), span("rowspan"));
        }
    }
    grid.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messy_page_with_spans_nbsp_and_breaks() {
        let page = "<html><head><title>x</title><style>td{}</style></head><body>
            <div>导航</div><p>一、总体<br>情况</p>
            <table border=1>
              <tr><td rowspan=2>组<td colspan=2>头
              <tr><td>1<td>&nbsp;
              <tr style='display:none'><td>隐藏
            </table>
            <script>var a = '<table>';</script>尾</body></html>";
        let b = read(page.as_bytes()).unwrap();
        assert_eq!(b[0], Block::Paragraph("导航".into()));
        assert_eq!(b[1], Block::Paragraph("一、总体\n情况".into()));
        let Block::Table(t) = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!(t.to_text(), "组\t头\t头\n组\t1\t\n");
        assert!(t.rows[1][0].covered && !t.rows[1][2].covered);
        assert_eq!(b[3], Block::Paragraph("尾".into()));
    }

    #[test]
    fn gbk_page_and_layout_table() {
        let page = "<html><head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"></head>
            <body><table><tr><td>正文<table><tr><td>甲</td><td>乙</td></tr></table></td></tr></table></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(page);
        let b = read(&bytes).unwrap();
        assert_eq!(b[0], Block::Paragraph("正文".into()));
        let Block::Table(t) = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(t.to_text(), "甲\t乙\n");
    }

    #[test]
    fn nesting_deeper_than_a_report_is_refused() {
        let deep = format!("{}正文", "<div>".repeat(200_000));
        let err = read(deep.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "网页的标签嵌套超过 1000 层，不像是一份报告"
        );
        // As deep as a report could plausibly be, and a long flat page, still read.
        let fine = format!("{}正文{}", "<div>".repeat(900), "<p>段落".repeat(20_000));
        let b = read(fine.as_bytes()).unwrap();
        assert_eq!(b.len(), 20_001);
        assert_eq!(b[0], Block::Paragraph("正文".into()));
    }

    #[test]
    fn bytes_unclean_in_every_candidate_encoding_are_refused_with_their_place() {
        // UTF-8 with one byte of a character lost: not UTF-8, and 0xFF is not GB18030.
        let mut page = "<p>一、总体情况</p>\n<p>主动公开".as_bytes().to_vec();
        page.extend_from_slice(b"\xFF</p>");
        let err = read(&page).unwrap_err();
        let offset = page.len() - 5;
        assert_eq!(
            err,
            DocumentError::PageEncoding {
                encoding: "gb18030",
                line: 2,
                offset,
                byte: 0xFF
            }
        );
        assert!(err.to_string().contains("第 2 行"), "{err}");
        // A page declaring UTF-8 but holding GBK bytes is not read as mojibake.
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=utf-8><p>行政许可</p>");
        let err = read(&gbk).unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }
}
