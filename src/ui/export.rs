//! 导出: writing a draft's document as PDF or DOCX in a background job.
//!
//! The screen asks for a file name (rfd's save dialog, on the UI thread like every other
//! dialog of the app) and hands the path to [`spawn`]; laying out, writing and saving run
//! on the job's thread through `pipeline::pdf_bytes` / `pipeline::docx_bytes` — the same
//! calls the command line makes — so the UI never waits. Tests call [`spawn`] with a path.

use std::path::PathBuf;
use std::sync::Arc;

use crate::document::Document;
use crate::jobs::{Job, JobError, Reporter};
use crate::layout::FontSet;
use crate::output::{self, OutputError};
use crate::pipeline::{self, PipelineError};
use crate::style::FontNames;

/// Why an export did not end in a file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// The two formats a draft is exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Docx => "Word 文档（DOCX）",
        }
    }
}

/// Asks where to save (the file's title as the suggested name). `None` when cancelled.
pub fn ask_path(title: &str, format: Format) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title(format!("导出为 {}", format.label()))
        .set_file_name(format!("{title}.{}", format.extension()))
        .add_filter(format.label(), &[format.extension()])
        .save_file()
}

/// Where an export goes: the file, and the open data file it must never replace.
pub struct Target {
    pub path: PathBuf,
    pub database: PathBuf,
}

/// Writes `doc` to the target in the background; the job ends in the path written. It
/// can be cancelled before the file is written (the layout is one step).
pub fn spawn(
    ctx: &egui::Context,
    doc: Document,
    format: Format,
    target: Target,
    fonts: Arc<FontSet>,
    names: FontNames,
) -> Job<PathBuf, ExportError> {
    let ctx = ctx.clone();
    Job::spawn(
        "导出",
        Arc::new(move || ctx.request_repaint()),
        move |r| write(&doc, format, &target, &fonts, &names, r).map(|()| target.path),
    )
}

fn write(
    doc: &Document,
    format: Format,
    target: &Target,
    fonts: &FontSet,
    names: &FontNames,
    r: &Reporter,
) -> Result<(), JobError<ExportError>> {
    r.step(0, 2, "排版")?;
    let bytes = match format {
        Format::Pdf => pipeline::pdf_bytes(doc, fonts),
        Format::Docx => pipeline::docx_bytes(doc, fonts, names),
    }
    .map_err(|e| JobError::Failed(e.into()))?;
    r.step(1, 2, "写入文件")?;
    output::write_file(&target.path, &bytes, Some(&target.database))
        .map_err(|e| JobError::Failed(e.into()))?;
    r.report(2, 2, "完成");
    Ok(())
}
