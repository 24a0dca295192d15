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

use std::io::Cursor;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{Block, DocumentError, GridBuilder, tidy};
use crate::input::{MAX_REPORT_BYTES, excerpt, read_capped_from};

/// Deepest XML nesting read (Word nests a dozen deep; tables in tables a few dozen).
const MAX_DEPTH: usize = 1000;
/// Most XML elements read from one part: a long report with many tables has a few
/// hundred thousand; each costs about a hundred bytes in the tree.
const MAX_ELEMENTS: usize = 1_000_000;

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Reads the body of a `.docx` file's main document part.
pub fn read(bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        DocumentError::NotDocx(format!(
            "{}（若是旧版 .doc 文件，请在 Word 或 WPS 中另存为 .docx）",
            zip_reason(&e)
        ))
    })?;
    let main = main_part(&mut zip).unwrap_or_else(|| "word/document.xml".to_string());
    let xml = part(&mut zip, &main)?;
    let root = parse(&xml, &main)?;
    let body = root
        .child("w:body")
        .ok_or_else(|| DocumentError::NotDocx(format!("{main} 中没有正文（w:body）")))?;
    let mut blocks = Vec::new();
    body_blocks(body, &mut blocks);
    Ok(blocks)
}

/// A zip error, in plain Chinese.
fn zip_reason(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    match e {
        ZipError::InvalidArchive(_) | ZipError::Io(_) => "文件已损坏，或不是 zip 压缩包".into(),
        ZipError::UnsupportedArchive(_) | ZipError::InvalidPassword => {
            "文件加了密码或用了不支持的压缩格式（请在 Word 中取消密码后另存）".into()
        }
        ZipError::CompressionMethodNotSupported(_) => "用了不支持的压缩方式".into(),
        ZipError::FileNotFound => "缺少文件".into(),
        _ => "无法解压".into(),
    }
}

/// Part `name`, decompressed, refused past [`MAX_REPORT_BYTES`] whatever the zip says
/// its size is.
fn part(zip: &mut Zip, name: &str) -> Result<String, DocumentError> {
    let file = zip.by_name(name).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => DocumentError::NotDocx(format!("缺少 {name}")),
        e => DocumentError::NotDocx(format!("{name}：{}", zip_reason(&e))),
    })?;
    let bytes = read_capped_from(file, MAX_REPORT_BYTES)
        .map_err(|_| DocumentError::NotDocx(format!("{name} 已损坏，无法解压")))?
        .ok_or_else(|| DocumentError::PartTooLarge {
            part: name.to_string(),
            limit: MAX_REPORT_BYTES,
        })?;
    String::from_utf8(bytes)
        .map_err(|_| DocumentError::NotDocx(format!("{name} 不是 UTF-8 编码的 XML")))
}

/// The main part named by the package relationships (`officeDocument`).
fn main_part(zip: &mut Zip) -> Option<String> {
    let rels = parse(&part(zip, "_rels/.rels").ok()?, "_rels/.rels").ok()?;
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

/// Parses one XML part into a tree, refusing nesting deeper than [`MAX_DEPTH`] and more
/// than [`MAX_ELEMENTS`] elements. Errors name the part and line, in Chinese.
fn parse(xml: &str, part: &str) -> Result<Element, DocumentError> {
    let mut reader = Reader::from_str(xml);
    let mut elements = 0usize;
    let mut stack = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(xml, part, reader.error_position(), &xml_reason(&e)))?;
        let at = |reason: &str| xml_error(xml, part, reader.buffer_position(), reason);
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > MAX_ELEMENTS {
                return Err(DocumentError::NotDocx(format!(
                    "{part} 中的 XML 元素超过 {} 万个，不像是一份报告",
                    MAX_ELEMENTS / 10_000
                )));
            }
        }
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(DocumentError::TooDeep {
                        what: "Word 文档的 XML 元素",
                        limit: MAX_DEPTH,
                    });
                }
                stack.push(element(&reader, &e).map_err(at)?);
            }
            Event::Empty(e) => {
                let e = element(&reader, &e).map_err(at)?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(e);
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| at("多余的结束标记"))?;
                let parent = stack.last_mut().ok_or_else(|| at("多余的结束标记"))?;
                parent.children.push(done);
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|_| at("文字的编码有误"))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let c = entity(&r).map_err(|reason| at(&reason))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack
        .pop()
        .ok_or_else(|| xml_error(xml, part, 0, "空文档"))?;
    if !stack.is_empty() {
        return Err(xml_error(
            xml,
            part,
            xml.len() as u64,
            "XML 不完整（缺少结束标记）",
        ));
    }
    root.children
        .pop()
        .ok_or_else(|| xml_error(xml, part, 0, "没有内容"))
}

/// An element as read from its start tag: name and attributes, no children yet.
fn element(reader: &Reader<&[u8]>, e: &BytesStart) -> Result<Element, &'static str> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|_| "属性写法有误")?;
        let value = a
            .decoded_and_normalized_value(XmlVersion::Implicit1_0, reader.decoder())
            .map_err(|_| "属性值有误")?
            .into_owned();
        attrs.push((String::from_utf8_lossy(a.key.as_ref()).into_owned(), value));
    }
    Ok(Element {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attrs,
        ..Element::default()
    })
}

/// The character an entity or character reference stands for.
fn entity(r: &quick_xml::events::BytesRef) -> Result<char, String> {
    if let Some(c) = r
        .resolve_char_ref()
        .map_err(|_| "字符引用有误".to_string())?
    {
        return Ok(c);
    }
    let name = r.decode().map_err(|_| "实体名有误".to_string())?;
    Ok(match name.as_ref() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        other => return Err(format!("未知的实体 &{};", excerpt(other))),
    })
}

/// A quick-xml error, in plain Chinese (its own messages are English).
fn xml_reason(e: &quick_xml::Error) -> String {
    use quick_xml::errors::IllFormedError as Ill;
    match e {
        quick_xml::Error::Syntax(_) => "标记不完整（缺少 “>” 或引号未闭合）".into(),
        quick_xml::Error::IllFormed(Ill::MismatchedEndTag { expected, found }) => format!(
            "结束标记 </{}> 与开始标记 <{}> 不配对",
            excerpt(found),
            excerpt(expected)
        ),
        quick_xml::Error::IllFormed(Ill::UnmatchedEndTag(name)) => {
            format!("多余的结束标记 </{}>", excerpt(name))
        }
        quick_xml::Error::IllFormed(Ill::MissingEndTag(name)) => {
            format!("缺少结束标记 </{}>", excerpt(name))
        }
        quick_xml::Error::InvalidAttr(_) => "属性写法有误".into(),
        quick_xml::Error::Encoding(_) => "编码有误".into(),
        quick_xml::Error::Escape(_) => "实体（&…;）有误".into(),
        _ => "格式有误".into(),
    }
}

/// "Not a valid docx: `part` line N: reason".
fn xml_error(xml: &str, part: &str, position: u64, reason: &str) -> DocumentError {
    let at = usize::try_from(position)
        .unwrap_or(xml.len())
        .min(xml.len());
    let line = 1 + xml.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
    DocumentError::NotDocx(format!("{part} 第 {line} 行的 XML {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn blocks(body: &str) -> Vec<Block> {
        let xml = format!(
            r#"<?xml version="1.0"?><w:document {NS}><w:body>{body}</w:body></w:document>"#
        );
        let root = parse(&xml, "word/document.xml").unwrap();
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
        assert_eq!(
            e.to_string(),
            "不是有效的 Word 文档（.docx）：文件已损坏，或不是 zip 压缩包（若是旧版 .doc 文件，请在 Word 或 WPS 中另存为 .docx）"
        );
    }

    /// A package holding `document` as `word/document.xml` (written in pieces, so a
    /// part of many megabytes is not one string first).
    fn docx(document: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().large_file(true);
        zip.start_file("word/document.xml", options).unwrap();
        for piece in document {
            zip.write_all(&piece).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_part_that_decompresses_past_the_cap_is_refused_with_the_limit() {
        let head = format!(r#"<w:document {NS}><w:body><w:p><w:r><w:t>"#).into_bytes();
        let filler = (0..17).map(|_| vec![b'a'; 1024 * 1024]);
        let bytes = docx(std::iter::once(head).chain(filler));
        assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
        let e = read(&bytes).unwrap_err();
        assert_eq!(
            e,
            DocumentError::PartTooLarge {
                part: "word/document.xml".into(),
                limit: MAX_REPORT_BYTES
            }
        );
        assert!(e.to_string().contains("超过 16 MB"), "{e}");
    }

    #[test]
    fn broken_xml_and_deep_nesting_are_told_in_chinese_with_the_line() {
        let broken = format!("<w:document {NS}>\n<w:body>\n<w:p></w:r></w:body></w:document>");
        let e = read(&docx([broken.into_bytes()])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "不是有效的 Word 文档（.docx）：word/document.xml 第 3 行的 XML 结束标记 </w:r> 与开始标记 <w:p> 不配对"
        );
        let cut = format!("<w:document {NS}><w:body><w:p a=\"1");
        let e = read(&docx([cut.into_bytes()])).unwrap_err().to_string();
        assert!(e.contains("第 1 行的 XML 标记不完整"), "{e}");
        let entity = format!("<w:document {NS}><w:body><w:p>&nbsp;</w:p></w:body></w:document>");
        let e = read(&docx([entity.into_bytes()])).unwrap_err().to_string();
        assert!(e.ends_with("未知的实体 &nbsp;"), "{e}");
        let deep = format!("<w:document {NS}><w:body>{}", "<w:sdt>".repeat(100_000));
        let e = read(&docx([deep.into_bytes()])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Word 文档的 XML 元素嵌套超过 1000 层，不像是一份报告"
        );
        let wide = format!("<w:document {NS}><w:body>{}", "<w:p/>".repeat(1_000_001));
        let e = read(&docx([wide.into_bytes()])).unwrap_err().to_string();
        assert!(e.contains("XML 元素超过 100 万个"), "{e}");
    }
}
