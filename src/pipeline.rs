//! The pipeline as calls: a year's data and a template → the compiled document → the
//! bytes of each output (plain text, PDF, DOCX). The command line and the app both go
//! through here, so they cannot drift apart. Reads the store only for the year's data
//! and the file's settings; the exporters below never see it.

use thiserror::Error;

use crate::city::Consolidated;
use crate::compile::{self, CompileError, CompileOptions, Compiled, Template};
use crate::document::Document;
use crate::export::docx::{self, DocxError, DocxOptions};
use crate::export::pdf::{self, PdfError, PdfMeta};
use crate::layout::{self, fonts::FontError, fonts::FontSet};
use crate::model::YearData;
use crate::model::city::{AgencyFigures, AgencyReport};
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
    #[error(
        "没有可汇总的单位：当前登录无权读取任何单位的数据，或数据库中还没有单位（用 nianbao server init --schema 代码 建立）"
    )]
    NoAgencies,
    #[error("计入汇总的单位有误：{0}（请在“各单位”中重新选择计入汇总的单位）")]
    ChosenAgencyGone(StoreError),
}

/// The font families the file asks for (its settings), or the defaults of a stock
/// Chinese Windows when it sets none.
pub fn font_names(store: &Store) -> Result<FontNames, StoreError> {
    Ok(store.settings()?.fonts)
}

/// The data a store's reports of `year` are compiled over: its own year, or for a city
/// office's store the consolidated year of every agency its login may read.
pub fn report_data(store: &Store, year: i32) -> Result<YearData, PipelineError> {
    if store.is_city()? {
        let options = crate::check::CheckOptions::default();
        return Ok(consolidate_year(store, year, Agencies::Server(None), &options)?.data);
    }
    Ok(store.year_data(year)?)
}

/// Compiles template `id` over `year` of the file.
pub fn compile_year(store: &Store, year: i32, id: &str) -> Result<Compiled, PipelineError> {
    let data = report_data(store, year)?;
    if data.metrics.is_empty() {
        return Err(PipelineError::YearNotOpen { year });
    }
    let template = Template::load(id, None)?;
    let options = CompileOptions {
        date: store.settings()?.report_date(year),
    };
    Ok(compile::compile(&template, &data, &options)?)
}

/// Where a city's agencies are read from.
#[derive(Debug, Clone, Copy)]
pub enum Agencies<'a> {
    /// The agencies on the city store's server: these codes, or (`None`) those the city
    /// office chose for the year (`Store::set_city_agencies`), all its login may read
    /// where it chose none.
    Server(Option<&'a [String]>),
    /// Each agency's own file.
    Files(&'a [std::path::PathBuf]),
}

/// The consolidated `year` of `agencies` for the city whose store is `city`: each agency's
/// national tables read (only those rows), checked, and summed (see `crate::city`).
pub fn consolidate_year(
    city: &Store,
    year: i32,
    agencies: Agencies<'_>,
    options: &crate::check::CheckOptions,
) -> Result<Consolidated, PipelineError> {
    let figures = match agencies {
        Agencies::Server(None) => {
            let settings = city.settings()?;
            city.agencies_figures(settings.city_agencies.get(&year).map(Vec::as_slice), year)?
        }
        Agencies::Server(chosen) => city.agencies_figures(chosen, year)?,
        Agencies::Files(paths) => paths
            .iter()
            .map(|path| Store::open_read_only(path)?.agency_figures(None, year))
            .collect::<Result<Vec<_>, _>>()?,
    };
    if figures.is_empty() {
        return Err(PipelineError::NoAgencies);
    }
    Ok(crate::city::consolidate(
        &city.agency()?,
        year,
        &figures,
        options,
    ))
}

/// A city's year as its office chooses the agencies: every agency its login may read,
/// which of them the year's report sums (`None`: all), and their consolidation.
#[derive(Debug, Clone)]
pub struct CityYear {
    pub readable: Vec<AgencyReport>,
    pub chosen: Option<Vec<String>>,
    pub consolidated: Consolidated,
}

/// Reads every agency the city store's login may read once, and consolidates those the
/// office chose for `year` (see [`Agencies::Server`]).
pub fn city_year(
    city: &Store,
    year: i32,
    options: &crate::check::CheckOptions,
) -> Result<CityYear, PipelineError> {
    let all = city.agencies_figures(None, year)?;
    if all.is_empty() {
        return Err(PipelineError::NoAgencies);
    }
    let chosen = city.settings()?.city_agencies.remove(&year);
    if let Some(code) =
        (chosen.iter().flatten()).find(|c| !all.iter().any(|a| &a.report.code == *c))
    {
        return Err(PipelineError::ChosenAgencyGone(
            StoreError::UnreadableAgency(code.clone()),
        ));
    }
    let readable = all.iter().map(|a| a.report.clone()).collect();
    let summed: Vec<AgencyFigures> = match &chosen {
        None => all,
        Some(codes) => (all.into_iter())
            .filter(|a| codes.contains(&a.report.code))
            .collect(),
    };
    let consolidated = crate::city::consolidate(&city.agency()?, year, &summed, options);
    Ok(CityYear {
        readable,
        chosen,
        consolidated,
    })
}

/// The consolidated report (template `city-annual-report`, or the store's own template
/// directory's) over a [`consolidate_year`]'s sum, dated as the city store says.
pub fn compile_consolidated(
    city: &Store,
    consolidated: &Consolidated,
) -> Result<Compiled, PipelineError> {
    let template = Template::load(crate::city::TEMPLATE, None)?;
    let options = CompileOptions {
        date: city.settings()?.report_date(consolidated.data.year),
    };
    Ok(compile::compile(&template, &consolidated.data, &options)?)
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

/// The document as a DOCX for Word and WPS, paginated as the PDF is: laid out with the
/// same `fonts`, the layout's page starts and table rows go to the writer
/// ([`DocxOptions::pagination`]), so Word, WPS and LibreOffice break pages where we do.
pub fn docx_bytes(
    doc: &Document,
    fonts: &FontSet,
    names: &FontNames,
) -> Result<Vec<u8>, PipelineError> {
    let options = DocxOptions {
        fonts: names.clone(),
        pagination: layout::pagination(doc, fonts),
        ..DocxOptions::for_document(doc)
    };
    Ok(docx::docx(doc, &options)?)
}
