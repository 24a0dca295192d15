//! The last step: docx-rs renders the package parts, we patch what it cannot express
//! (listed in the parent module's doc) and zip them.
//!
//! Each patch is an exact string edit on docx-rs's own output, checked to have matched,
//! so that a docx-rs upgrade that changes its XML fails here with
//! [`DocxError::UnexpectedXml`] rather than writing a subtly wrong document.

use std::io::Cursor;

use docx_rs::Docx;

use super::{DocxError, DocxOptions, body_char};
use crate::document::{Block, Document};
use crate::style::FontNames;

/// The empty `Normal` style docx-rs always writes before ours.
const DOCX_RS_NORMAL: &str = r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr /><w:pPr><w:rPr /></w:pPr><w:qFormat /></w:style>"#;
/// docx-rs's empty paragraph defaults.
const DOCX_RS_PPR_DEFAULT: &str = "<w:pPrDefault><w:pPr><w:rPr /></w:pPr></w:pPrDefault>";
/// Ours: no punctuation hanging past the right margin (`w:overflowPunct` off), as our
/// layout pushes the character before a closing mark down instead; docx-rs has no writer
/// for it. Word and LibreOffice let 。，” hang by default, which fits a character more
/// on such lines than our PDF has.
const PPR_DEFAULT: &str =
    r#"<w:pPrDefault><w:pPr><w:overflowPunct w:val="0" /><w:rPr /></w:pPr></w:pPrDefault>"#;
/// The row height rule that marks header rows (see `table::table`).
const HEADER_ROW_MARKER: &str = r#" w:hRule="auto" />"#;

pub(super) fn finish(
    docx: Docx,
    doc: &Document,
    options: &DocxOptions,
) -> Result<Vec<u8>, DocxError> {
    let mut xml = docx.build();
    xml.styles = patch_styles(&xml.styles)?.into_bytes();
    let document = utf8(&xml.document)?;
    let header_rows: usize = doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Table(t) => t.header_rows.min(t.rows.len()),
            _ => 0,
        })
        .sum();
    if document.matches(HEADER_ROW_MARKER).count() != header_rows {
        return Err(DocxError::UnexpectedXml("the header-row marker"));
    }
    xml.document = document
        .replace(HEADER_ROW_MARKER, r#" w:hRule="atLeast" /><w:tblHeader />"#)
        .into_bytes();
    xml.doc_props.core = core_properties(doc, options).into_bytes();
    xml.font_table = font_table(&options.fonts).into_bytes();
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocxError::Package(docx_rs::DocxError::from(e)))?;
    deflate(&out.into_inner()).map_err(|e| DocxError::Package(docx_rs::DocxError::from(e)))
}

/// docx-rs stores its zip entries uncompressed; the same entries, in the same order,
/// deflated (a report's XML shrinks about tenfold). The timestamps stay docx-rs's fixed
/// 1980 date, so the output stays reproducible.
fn deflate(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;

    let mut archive = zip::ZipArchive::new(Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(stored.len() / 4)));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut bytes = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            // An OPC package has parts only; Word neither needs nor writes folders.
            continue;
        }
        bytes.clear();
        entry.read_to_end(&mut bytes)?;
        out.start_file(entry.name(), options)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

fn utf8(bytes: &[u8]) -> Result<&str, DocxError> {
    std::str::from_utf8(bytes).map_err(|_| DocxError::UnexpectedXml("UTF-8 XML"))
}

/// Drops docx-rs's empty `Normal` (ours follows), turns hanging punctuation off in the
/// paragraph defaults ([`PPR_DEFAULT`]), and states the first-line indent in
/// characters: `w:firstLineChars="200"` is two characters of the document grid, which
/// Word and WPS keep right when the grid squeezes characters; the twips beside it are
/// for readers that do not know the attribute.
fn patch_styles(styles: &[u8]) -> Result<String, DocxError> {
    let styles = utf8(styles)?;
    let Some(at) = styles.find(DOCX_RS_NORMAL) else {
        return Err(DocxError::UnexpectedXml("docx-rs's empty Normal style"));
    };
    let styles = format!("{}{}", &styles[..at], &styles[at + DOCX_RS_NORMAL.len()..]);
    if styles.matches(DOCX_RS_PPR_DEFAULT).count() != 1 {
        return Err(DocxError::UnexpectedXml("docx-rs's paragraph defaults"));
    }
    let styles = styles.replace(DOCX_RS_PPR_DEFAULT, PPR_DEFAULT);
    let twips = format!(r#"w:firstLine="{}""#, 2 * body_char());
    if !styles.contains(&twips) {
        return Err(DocxError::UnexpectedXml(
            "the first-line indent of the body style",
        ));
    }
    Ok(styles.replace(&twips, &format!(r#"w:firstLineChars="200" {twips}"#)))
}

/// `docProps/core.xml` with title, author and created date.
fn core_properties(doc: &Document, options: &DocxOptions) -> String {
    let title = if options.title.is_empty() {
        &doc.title
    } else {
        &options.title
    };
    let author = if options.author.is_empty() {
        doc.closing.as_ref().map_or("", |c| c.agency.as_str())
    } else {
        &options.author
    };
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
        r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
    ));
    xml.push_str(&format!("<dc:title>{}</dc:title>", escape(title)));
    xml.push_str(&format!("<dc:creator>{}</dc:creator>", escape(author)));
    xml.push_str(&format!(
        "<cp:lastModifiedBy>{}</cp:lastModifiedBy>",
        escape(author)
    ));
    if let Some(date) = options.created {
        let stamp = date.format("%Y-%m-%dT00:00:00Z");
        xml.push_str(&format!(
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>"#
        ));
    }
    xml.push_str("<cp:revision>1</cp:revision></cp:coreProperties>");
    xml
}

/// `word/fontTable.xml` naming our faces: GB2312 charset (86) and, for the stock
/// Windows faces, the English name Word uses when the Chinese one is unknown.
fn font_table(fonts: &FontNames) -> String {
    let mut families: Vec<&str> = Vec::new();
    for family in [
        &fonts.fangsong,
        &fonts.hei,
        &fonts.kai,
        &fonts.song,
        &fonts.title,
    ] {
        if !families.contains(&family.as_str()) {
            families.push(family);
        }
    }
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
        r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        r#"<w:font w:name="Times New Roman"><w:charset w:val="00" /><w:family w:val="roman" /><w:pitch w:val="variable" /></w:font>"#
    ));
    for family in families {
        xml.push_str(&format!(r#"<w:font w:name="{}">"#, escape(family)));
        if let Some(alt) = english_name(family) {
            xml.push_str(&format!(r#"<w:altName w:val="{alt}" />"#));
        }
        xml.push_str(
            r#"<w:charset w:val="86" /><w:family w:val="auto" /><w:pitch w:val="variable" /></w:font>"#,
        );
    }
    xml.push_str("</w:fonts>");
    xml
}

fn english_name(family: &str) -> Option<&'static str> {
    Some(match family {
        "仿宋" => "FangSong",
        "黑体" => "SimHei",
        "楷体" => "KaiTi",
        "宋体" => "SimSun",
        "方正小标宋简体" => "FZXiaoBiaoSong-B05S",
        _ => return None,
    })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_escaped_and_dated() {
        let doc = Document {
            title: "A & B <年报>".into(),
            blocks: vec![],
            closing: None,
        };
        let options = DocxOptions {
            author: "某局".into(),
            created: chrono::NaiveDate::from_ymd_opt(2019, 12, 24),
            ..DocxOptions::default()
        };
        let xml = core_properties(&doc, &options);
        assert!(xml.contains("<dc:title>A &amp; B &lt;年报&gt;</dc:title>"));
        assert!(xml.contains("<dc:creator>某局</dc:creator>"));
        assert!(xml.contains(">2019-12-24T00:00:00Z</dcterms:created>"));
    }

    #[test]
    fn parts_are_deflated_content_types_first() {
        let doc = Document {
            title: "年报".into(),
            blocks: vec![],
            closing: None,
        };
        let bytes = super::super::docx(&doc, &DocxOptions::default()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(zip.by_index(0).unwrap().name(), "[Content_Types].xml");
        for i in 0..zip.len() {
            let entry = zip.by_index(i).unwrap();
            assert!(!entry.is_dir(), "{}", entry.name());
            assert_eq!(
                entry.compression(),
                zip::CompressionMethod::Deflated,
                "{}",
                entry.name()
            );
        }
        assert!(zip.by_name("word/document.xml").is_ok());
    }
}
