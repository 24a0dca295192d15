//! `.pdf` → blocks, in-process (no poppler): a report as the agency's web site publishes
//! it, made by WPS, Word, LibreOffice, a PDF editor or our own exporter. The text is read
//! with its positions, rebuilt into lines the way `pdftotext -layout` prints them (cells
//! of a table row apart by runs of two or more spaces), and those lines are read by
//! [`super::text`], so that a PDF gives the same blocks as its `pdftotext -layout` text
//! (and [`crate::import::report`] reads it `loose`, as text).
//!
//! Owns: loading a PDF within limits ([`Limits`]), its text as positioned glyphs
//! ([`content`], [`fonts`]), the glyphs as lines ([`lines`]), and saying in Chinese why a
//! PDF cannot be read: not a PDF or damaged, encrypted with an open password, no text
//! layer (a scan), text without a Unicode map, or larger than any report.
//! Never: renders, runs OCR, reads annotations or form fields, or guesses text it cannot
//! map to Unicode (such glyphs are counted, and a PDF made mostly of them is refused).
//!
//! Which crate, and what is written here by hand:
//! - [`lopdf`] (0.47, maintained, MIT) parses the file: cross-reference repair, object
//!   streams, the standard security handler (a PDF "protected" against copying, with an
//!   empty open password, is read as viewers read it), stream filters with a bound on
//!   what each may inflate to, a content-stream tokenizer that yields one operation at a
//!   time, and fonts' encodings including `ToUnicode` CMaps (how WPS and Word map their
//!   `Identity-H` CID fonts, which nearly every Chinese PDF uses, back to Unicode).
//! - `pdf-extract` (built on an older lopdf) gives positions through its `OutputDev`
//!   trait, but panics on much malformed input (some hundred `unwrap`/`panic!` in its
//!   font and colour-space code) and bounds no work; the `pdf` crate has no text-position
//!   API either. Neither gives what is needed here: glyphs with their box, per code.
//! - So the text-showing operators (`BT`/`ET`, `Tm`/`Td`/`TD`/`T*`, `Tc`/`Tw`/`Tz`/`TL`/
//!   `Ts`, `Tj`/`TJ`/`'`/`"`, `q`/`Q`/`cm`, form XObjects) and glyph widths (`/Widths`,
//!   CID `/W` and `/DW`) are interpreted in [`content`] and [`fonts`] (PDF 32000-1
//!   §9.4, §9.7.4), and glyphs become lines and cells in [`lines`]: grouping glyphs by
//!   baseline and splitting on gaps is what `pdftotext -layout` does, and no crate does it.

mod content;
mod fonts;
mod lines;

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Block, DocumentError};
use crate::input::MAX_REPORT_BYTES;

/// Bounds on the work one PDF may cause: far above a real report (tens of pages, some
/// thousand operations a page), far below what would take minutes or gigabytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub pages: usize,
    /// Objects in the file (a report has some hundreds to a few thousands).
    pub objects: usize,
    /// Content-stream operations over all pages, form XObjects included.
    pub operations: usize,
    /// Glyphs shown over all pages.
    pub glyphs: usize,
    /// Bytes of page content decompressed over all pages.
    pub content_bytes: usize,
    /// Form XObjects inside form XObjects.
    pub form_depth: usize,
}

pub(crate) const LIMITS: Limits = Limits {
    pages: 2_000,
    objects: 500_000,
    operations: 5_000_000,
    glyphs: 2_000_000,
    content_bytes: 4 * MAX_REPORT_BYTES as usize,
    form_depth: 8,
};

/// Reads a PDF's text into blocks (see the module doc).
pub fn read(bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    Ok(super::text::blocks(&layout_text(bytes)?))
}

/// The PDF's text as `pdftotext -layout` would print it, near enough for [`read`]: one
/// line of the page a line, cells apart by two or more spaces, a blank line between pages.
pub fn layout_text(bytes: &[u8]) -> Result<String, DocumentError> {
    // lopdf returns errors for what it can detect; a panic on input it did not foresee
    // must still not take the app down with it.
    catch_unwind(AssertUnwindSafe(|| layout_text_within(bytes, &LIMITS)))
        .unwrap_or_else(|_| Err(DocumentError::NotPdf("文件结构损坏".into())))
}

pub(crate) fn layout_text_within(bytes: &[u8], limits: &Limits) -> Result<String, DocumentError> {
    if !bytes.starts_with(b"%PDF-")
        && !bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Err(DocumentError::NotPdf("文件开头没有 PDF 标记".into()));
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_REPORT_BYTES as usize),
        ..Default::default()
    };
    let doc = lopdf::Document::load_mem_with_options(bytes, options).map_err(load_error)?;
    // lopdf decrypts with the empty password when it opens the file, and then drops
    // `/Encrypt`: what is still encrypted needs a password we do not have.
    if doc.trailer.has(b"Encrypt") {
        return Err(DocumentError::PdfEncrypted);
    }
    if doc.objects.len() > limits.objects {
        return Err(DocumentError::PdfTooLarge {
            what: "对象数",
            limit: limits.objects,
        });
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(DocumentError::NotPdf("没有页面".into()));
    }
    if pages.len() > limits.pages {
        return Err(DocumentError::PdfTooLarge {
            what: "页数",
            limit: limits.pages,
        });
    }
    let mut reader = content::Reader::new(&doc, limits);
    let mut out = String::new();
    for page_id in pages.values() {
        let page = reader.page(*page_id)?;
        if !out.is_empty() {
            out.push('\n');
        }
        for line in lines::lines(page) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    let counts = reader.counts();
    if counts.mapped == 0 && counts.unmapped == 0 {
        return Err(DocumentError::PdfNoText);
    }
    // Most glyphs without Unicode: what could be read would be a fraction of the report.
    if counts.unmapped > counts.mapped {
        return Err(DocumentError::PdfNoUnicode);
    }
    Ok(out)
}

/// lopdf's error, as the user should hear it.
fn load_error(e: lopdf::Error) -> DocumentError {
    use lopdf::Error as E;
    match e {
        E::Decryption(_) | E::InvalidPassword | E::AlreadyEncrypted => DocumentError::PdfEncrypted,
        E::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => {
            DocumentError::PdfTooLarge {
                what: "单个数据流解压后字节数",
                limit,
            }
        }
        _ => DocumentError::NotPdf("文件已损坏或不完整".into()),
    }
}

#[cfg(test)]
mod tests;
