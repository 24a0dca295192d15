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
//! Encoding: a byte-order mark, else UTF-8 when the bytes are valid UTF-8, else the
//! `charset` the page declares, else GB18030 (a superset of GBK and GB2312).

use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::{Block, GridBuilder, tidy};

/// Reads a web page. Never fails: any bytes make some document (possibly empty).
pub fn read(bytes: &[u8]) -> Vec<Block> {
    let html = Html::parse_document(&super::decode(bytes, declared_encoding(bytes)));
    let mut walker = Walker::default();
    walker.walk(html.tree.root());
    walker.flush();
    walker.blocks
}

/// The `charset` a page declares in its first bytes, or GB18030.
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
        .unwrap_or(encoding_rs::GB18030)
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

    fn walk(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.text.push_str(&t.replace(['\n', '\r'], " ")),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) || is_hidden(e) {
                    return;
                }
                if name == "br" {
                    self.text.push('\n');
                    return;
                }
                if name == "table" && !has_nested_table(node) {
                    self.flush();
                    self.blocks.push(Block::Table(table(node)));
                    return;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    self.flush();
                }
                for child in node.children() {
                    self.walk(child);
                }
                if block {
                    self.flush();
                }
            }
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.walk(child);
                }
            }
            _ => {}
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
        let b = read(page.as_bytes());
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
        let b = read(&bytes);
        assert_eq!(b[0], Block::Paragraph("正文".into()));
        let Block::Table(t) = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(t.to_text(), "甲\t乙\n");
    }
}
