//! `.docx` → blocks: the body of the main document part (`word/document.xml`), paragraphs
//! and tables in reading order. Headers, footers, footnotes and comments are not read.
//!
//! Used by `import-report` (the national tables) and meant for the prose checks too:
//! [`read`] is the whole API. A paragraph's text is what Word shows: `w:t` text of its
//! runs, including those inside hyperlinks, content controls, smart tags and tracked
//! insertions; `w:br` / `w:cr` as `\n`, `w:tab` as a space. Not shown, so not read:
//! deleted text (`w:delText`), field instructions (`w:instrText`), hidden runs
//! (`w:vanish`), and the fallback copy of `mc:AlternateContent` (only its first choice is
//! read, so a text box is not read twice).
//!
//! Tables: `w:gridSpan` (columns) and `w:vMerge` (rows; Word writes the continuation as
//! `<w:vMerge/>`, docx-rs — our exporter — as `w:val="continue"`) are resolved into a
//! rectangular grid, as are rows that start late or end early (`w:gridBefore`,
//! `w:gridAfter`). A table with a table inside one of its cells is a layout table: its
//! cells' contents are read as blocks in order instead.
//!
//! The XML is read with `quick-xml` into a small element tree (the body of a report is a
//! few hundred kilobytes); the zip with `zip`, both already used by the project.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{Block, GridBuilder, ReadError, tidy};

/// Reads the body of a `.docx` file's main document part.
pub fn read(bytes: &[u8]) -> Result<Vec<Block>, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ReadError::NotDocx(format!(
            "{e}（若是旧版 .doc 文件，请在 Word 或 WPS 中另存为 .docx）"
        ))
    })?;
    let main = main_part(&mut zip).unwrap_or_else(|| "word/document.xml".to_string());
    let xml = part(&mut zip, &main)?;
    let root = parse(&xml)?;
    let body = root
        .child("w:body")
        .ok_or_else(|| ReadError::Xml(format!("{main} 中没有 w:body")))?;
    let mut blocks = Vec::new();
    body_blocks(body, &mut blocks);
    Ok(blocks)
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, ReadError> {
    let mut file = zip
        .by_name(name)
        .map_err(|e| ReadError::NotDocx(format!("缺少 {name}：{e}")))?;
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| ReadError::Xml(format!("{name}：{e}")))?;
    Ok(text)
}

/// The main part named by the package relationships (`officeDocument`).
fn main_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<String> {
    let rels = parse(&part(zip, "_rels/.rels").ok()?).ok()?;
    rels.children
        .iter()
        .find(|r| {
            r.attr("Type")
                .is_some_and(|t| t.ends_with("/officeDocument"))
        })
        .and_then(|r| r.attr("Target"))
        .map(|t| t.trim_start_matches('/').to_string())
}

/// Block-level content: paragraphs, tables, and containers holding them.
fn body_blocks(parent: &Element, out: &mut Vec<Block>) {
    for e in &parent.children {
        match e.name.as_str() {
            "w:p" => {
                let text = tidy(&paragraph_text(e));
                if !text.is_empty() {
                    out.push(Block::Paragraph(text));
                }
            }
            "w:tbl" => table(e, out),
            "w:sdt" | "w:sdtContent" | "w:customXml" | "w:ins" | "w:smartTag" => {
                body_blocks(e, out)
            }
            _ => {}
        }
    }
}

/// The text a paragraph shows (see the module doc).
fn paragraph_text(p: &Element) -> String {
    let mut out = String::new();
    inline_text(p, &mut out);
    out
}

fn inline_text(e: &Element, out: &mut String) {
    for c in &e.children {
        match c.name.as_str() {
            "w:t" => out.push_str(&c.text),
            "w:br" | "w:cr" => out.push('\n'),
            "w:tab" | "w:ptab" => out.push(' '),
            "w:noBreakHyphen" => out.push('-'),
            "w:r" if hidden(c) => {}
            "w:pPr" | "w:rPr" | "w:del" | "w:instrText" | "w:delText" | "mc:Fallback" => {}
            "mc:AlternateContent" => {
                if let Some(choice) = c.child("mc:Choice") {
                    inline_text(choice, out);
                }
            }
            _ => inline_text(c, out),
        }
    }
}

fn hidden(run: &Element) -> bool {
    run.child("w:rPr")
        .and_then(|p| p.child("w:vanish"))
        .is_some_and(|v| !matches!(v.attr("w:val"), Some("0" | "false" | "off")))
}

/// Cells of a row, looking through content controls and custom XML around them.
fn cells<'a>(row: &'a Element, out: &mut Vec<&'a Element>) {
    for c in &row.children {
        match c.name.as_str() {
            "w:tc" => out.push(c),
            "w:sdt" | "w:sdtContent" | "w:customXml" => cells(c, out),
            _ => {}
        }
    }
}

fn rows<'a>(tbl: &'a Element, out: &mut Vec<&'a Element>) {
    for c in &tbl.children {
        match c.name.as_str() {
            "w:tr" => out.push(c),
            "w:sdt" | "w:sdtContent" | "w:customXml" => rows(c, out),
            _ => {}
        }
    }
}

fn table(tbl: &Element, out: &mut Vec<Block>) {
    let mut trs = Vec::new();
    rows(tbl, &mut trs);
    // Each cell's blocks, by row.
    let read: Vec<Vec<(&Element, Vec<Block>)>> = trs
        .iter()
        .map(|tr| {
            let mut tcs = Vec::new();
            cells(tr, &mut tcs);
            tcs.into_iter()
                .map(|tc| {
                    let mut blocks = Vec::new();
                    body_blocks(tc, &mut blocks);
                    (tc, blocks)
                })
                .collect()
        })
        .collect();
    let nested = read
        .iter()
        .flatten()
        .any(|(_, blocks)| blocks.iter().any(|b| matches!(b, Block::Table(_))));
    if nested {
        // A layout table: its contents are the document.
        out.extend(read.into_iter().flatten().flat_map(|(_, blocks)| blocks));
        return;
    }
    let mut grid = GridBuilder::default();
    for (tr, cells) in trs.iter().zip(read) {
        grid.row();
        let row_pr = tr.child("w:trPr");
        grid.skip(val_usize(row_pr.and_then(|p| p.child("w:gridBefore"))).unwrap_or(0));
        for (tc, blocks) in cells {
            let pr = tc.child("w:tcPr");
            let span = val_usize(pr.and_then(|p| p.child("w:gridSpan"))).unwrap_or(1);
            let continues = pr
                .and_then(|p| p.child("w:vMerge"))
                .is_some_and(|m| m.attr("w:val").is_none_or(|v| v == "continue"));
            if continues {
                grid.cont(span);
            } else {
                let text: Vec<String> = blocks
                    .into_iter()
                    .filter_map(|b| match b {
                        Block::Paragraph(p) => Some(p),
                        Block::Table(_) => None,
                    })
                    .collect();
                grid.start(text.join("\n"), span, 1);
            }
        }
        grid.skip(val_usize(row_pr.and_then(|p| p.child("w:gridAfter"))).unwrap_or(0));
    }
    out.push(Block::Table(grid.finish()));
}

fn val_usize(e: Option<&Element>) -> Option<usize> {
    e?.attr("w:val")?.trim().parse().ok()
}

/// A small element tree: names with their prefix as written (`w:p`), attributes, child
/// elements, and the character data directly inside (kept for `w:t` only matters).
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse(xml: &str) -> Result<Element, ReadError> {
    let mut reader = Reader::from_str(xml);
    let decoder = reader.decoder();
    let bad = |e: &dyn std::fmt::Display| ReadError::Xml(e.to_string());
    let element = |e: &BytesStart| -> Result<Element, ReadError> {
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| bad(&e))?;
            let value = a
                .decoded_and_normalized_value(XmlVersion::Implicit1_0, decoder)
                .map_err(|e| bad(&e))?
                .into_owned();
            attrs.push((String::from_utf8_lossy(a.key.as_ref()).into_owned(), value));
        }
        Ok(Element {
            name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
            attrs,
            ..Element::default()
        })
    };
    let mut stack = vec![Element::default()];
    loop {
        match reader.read_event().map_err(|e| bad(&e))? {
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => {
                let e = element(&e)?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(e);
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| bad(&"多余的结束标记"))?;
                stack
                    .last_mut()
                    .ok_or_else(|| bad(&"多余的结束标记"))?
                    .children
                    .push(done);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| bad(&e))?);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => c,
                    None => match r.decode().map_err(|e| bad(&e))?.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(bad(&format!("未知的实体 &{other};"))),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().ok_or_else(|| bad(&"空文档"))?;
    if !stack.is_empty() {
        return Err(bad(&"XML 不完整"));
    }
    root.children.pop().ok_or_else(|| bad(&"没有根元素"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn blocks(body: &str) -> Vec<Block> {
        let xml = format!(
            r#"<?xml version="1.0"?><w:document {NS}><w:body>{body}</w:body></w:document>"#
        );
        let root = parse(&xml).unwrap();
        let mut out = Vec::new();
        body_blocks(root.child("w:body").unwrap(), &mut out);
        out
    }

    #[test]
    fn paragraph_text_as_word_shows_it() {
        let b = blocks(
            r#"<w:p><w:pPr><w:pStyle w:val="1"/></w:pPr>
                 <w:r><w:t xml:space="preserve">本年 </w:t></w:r><w:proofErr w:type="spellStart"/>
                 <w:hyperlink><w:r><w:t>新收</w:t></w:r></w:hyperlink>
                 <w:del><w:r><w:delText>删掉</w:delText></w:r></w:del>
                 <w:r><w:instrText>PAGE</w:instrText></w:r>
                 <w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>
                 <w:r><w:br/><w:t>A&amp;B</w:t></w:r></w:p>
               <w:p/>"#,
        );
        assert_eq!(b, vec![Block::Paragraph("本年 新收\nA&B".into())]);
    }

    #[test]
    fn merged_cells_resolve_and_layout_tables_flatten() {
        let tc = |pr: &str, text: &str| {
            format!(r#"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"#)
        };
        let table = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
            tc(r#"<w:vMerge w:val="restart"/>"#, "组"),
            tc(r#"<w:gridSpan w:val="2"/>"#, "头"),
            tc("<w:vMerge/>", ""),
            tc("", "1"),
            tc("", "2"),
        );
        let b = blocks(&table);
        let Block::Table(t) = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(t.to_text(), "组\t头\t头\n组\t1\t2\n");
        assert!(t.rows[1][0].covered && t.rows[0][2].covered && !t.rows[1][1].covered);

        let layout = format!(
            "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>前言</w:t></w:r></w:p>{table}</w:tc></w:tr></w:tbl>"
        );
        let b = blocks(&layout);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0], Block::Paragraph("前言".into()));
        assert!(matches!(&b[1], Block::Table(t) if t.rows.len() == 2));
    }

    #[test]
    fn not_a_zip_says_so() {
        let e = read(b"\xd0\xcf\x11\xe0 an old .doc").unwrap_err();
        assert!(e.to_string().contains(".doc"), "{e}");
    }
}
