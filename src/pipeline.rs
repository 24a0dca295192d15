//! The pipeline as calls: a year's data and a template → the compiled document → the
//! bytes of each output (plain text, PDF, DOCX). The command line and the app both go
//! through here, so they cannot drift apart. Reads the store only for the year's data
//! and the file's settings; the exporters below never see it.

use thiserror::Error;

use crate::compile::{self, CompileError, CompileOptions, Compiled, Template};
use crate::document::Document;
use crate::export::docx::{self, DocxError, DocxOptions};
use crate::export::pdf::{self, PdfError, PdfMeta};
use crate::layout::{self, fonts::FontError, fonts::FontSet};
use crate::store::{Store, StoreError};
use crate::style::FontNames;

#[derive(Debug, Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error("字体加载失败：{0}")]
    Fonts(#[from] FontError),
    #[error("PDF 生成失败：{0}")]
    Pdf(#[from] PdfError),
    #[error("DOCX 生成失败：{0}")]
    Docx(#[from] DocxError),
    #[error("{year}年没有指标目录（用 nianbao year --open {year} 开启该年度）")]
    YearNotOpen { year: i32 },
}

/// The font families the file asks for (its settings), or the defaults of a stock
/// Chinese Windows when it sets none.
pub fn font_names(store: &Store) -> Result<FontNames, StoreError> {
    Ok(store.settings()?.fonts)
}

/// Compiles template `id` over `year` of the file.
pub fn compile_year(store: &Store, year: i32, id: &str) -> Result<Compiled, PipelineError> {
    let data = store.year_data(year)?;
    if data.metrics.is_empty() {
        return Err(PipelineError::YearNotOpen { year });
    }
    let template = Template::load(id, None)?;
    let options = CompileOptions {
        date: store.settings()?.report_date(year),
    };
    Ok(compile::compile(&template, &data, &options)?)
}

/// The fonts to lay out with: the configured families where the system has them, the
/// bundled faces for everything else. Parse once and keep.
pub fn fonts(names: &FontNames) -> Result<FontSet, FontError> {
    FontSet::system(names)
}

/// The document as a PDF.
pub fn pdf_bytes(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, PipelineError> {
    let pages = layout::layout(doc, fonts);
    let meta = PdfMeta {
        title: doc.title.clone(),
        author: doc
            .closing
            .as_ref()
            .map(|c| c.agency.clone())
            .unwrap_or_default(),
        subject: String::new(),
    };
    Ok(pdf::pdf(&pages, fonts, &meta)?)
}

/// The document as a DOCX for Word and WPS.
pub fn docx_bytes(doc: &Document, names: &FontNames) -> Result<Vec<u8>, PipelineError> {
    let options = DocxOptions {
        fonts: names.clone(),
        ..DocxOptions::for_document(doc)
    };
    Ok(docx::docx(doc, &options)?)
}
