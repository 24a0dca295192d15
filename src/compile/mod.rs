//! The report compiler (编译): a template plus a year's data ([`YearData`]) → a
//! [`Document`] and warnings.
//!
//! Owns the template language and the two built-in templates (`templates/*.jinja`,
//! compiled into the binary so the exe is self-contained; a directory given by the user
//! is searched first). Never reads the store (it gets plain `YearData`), never lays out
//! pages, never invents a number: a value that is not in the data prints as a visible
//! `【缺数：指标名 月份】` and is listed as a warning.
//!
//! # Template language
//!
//! A template is minijinja (Jinja2) text whose output is read as line-based block
//! markup (see [`markup`]): `title:`, `#`–`####` headings (numbers are generated), a
//! heading directly followed by text runs in, blank-line separated paragraphs,
//! `closing:`. Figures come from functions, so each becomes a figure run with its
//! provenance:
//!
//! | call | gives |
//! | --- | --- |
//! | `figure("news.original")` | the year's figure, formatted by kind (`1725`, `2354.48`, `98.1`) |
//! | `figure(code, upto=11)` / `months=[3, 5]` / `month=6` | a month range (截至11月 → 1–11) |
//! | `figure(code, division="news")` | one division's figure |
//! | `figure(code, prev=true)` / `year=2018` | last year's figure |
//! | `figure(code, places=0, rounding="down", trim=true)` | other formats (`1530多万元`, `164万元`) |
//! | `yoy(code, …)` | `同比增长12.3%` / `同比下降4.0%` / `与上年持平` |
//! | `value(code, …)` | the number, for conditions (`none` when missing) |
//! | `has(code)` | whether this year's catalogue has the metric (for sentences about an agency's own metrics) |
//! | `table("t2")`, `table("t3")`, `table("t4")` | the national tables |
//! | `narrative("news", quarter=0)` | a division's narrative, its own figures resolved for that division |
//! | `divisions()`, `metrics(prefix="news.")`, `division_name(code)` | lists for loops |
//!
//! Globals: `year`, `prev_year`, `agency`, `agency_short` (the name used in prose, e.g.
//! 省市场监管局), `date` (the closing date, `2019年12月24日`).
//! `{% if %}`, `{% for %}`, `{% set %}` work as in Jinja; a block tag alone on its line
//! leaves no blank line (trim_blocks and lstrip_blocks are on).
//!
//! [`rich`] cuts a template into prose, chips and markers for the 正文 editor, values the
//! chips through this compiler and compares two versions.
//!
//! Errors — unknown metric, division or table, bad argument, syntax, type, undefined
//! name — fail the compile with `file:line:column: message` ([`CompileError`]).

mod engine;
mod facts;
mod markup;
pub mod rich;
mod side;
mod tables;
mod token;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use thiserror::Error;

use crate::document::Document;
use crate::model::{Finding, YearData};

/// The built-in templates: (id, source). Their files live in `templates/`.
pub const BUILTIN: [(&str, &str); 3] = [
    (
        "work-summary",
        include_str!("../../templates/work-summary.jinja"),
    ),
    (
        "annual-report",
        include_str!("../../templates/annual-report.jinja"),
    ),
    (
        "city-annual-report",
        include_str!("../../templates/city-annual-report.jinja"),
    ),
];

/// A template's text and the file name errors refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// `work-summary`, or the file stem of a user's template.
    pub id: String,
    /// Shown in errors: `templates/work-summary.jinja` or the user file's path.
    pub file: String,
    pub source: String,
    /// Where `{% include %}` looks first (the user's template directory).
    pub dir: Option<PathBuf>,
}

impl Template {
    /// A built-in template by id.
    pub fn builtin(id: &str) -> Option<Template> {
        BUILTIN
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(i, s)| Template {
                id: i.to_string(),
                file: format!("templates/{i}.jinja"),
                source: s.to_string(),
                dir: None,
            })
    }

    /// `id` from `dir/<id>.jinja` when that file exists, else the built-in one.
    pub fn load(id: &str, dir: Option<&Path>) -> Result<Template, CompileError> {
        if let Some(dir) = dir {
            let path = dir.join(format!("{id}.jinja"));
            if path.is_file() {
                return Template::from_file(&path);
            }
        }
        Template::builtin(id).ok_or_else(|| CompileError::NotFound(id.to_string()))
    }

    /// A template file anywhere (UTF-8).
    pub fn from_file(path: &Path) -> Result<Template, CompileError> {
        let source = std::fs::read_to_string(path).map_err(|source| CompileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Template {
            id: path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            file: path.display().to_string(),
            source,
            dir: path.parent().map(Path::to_path_buf),
        })
    }

    /// A template from text (tests, the UI's editor); `file` names it in errors.
    pub fn from_source(file: &str, source: &str) -> Template {
        Template {
            id: file.trim_end_matches(".jinja").to_string(),
            file: file.to_string(),
            source: source.to_string(),
            dir: None,
        }
    }
}

/// Options of one compile.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// The closing date (落款日期); `None` = today.
    pub date: Option<NaiveDate>,
}

/// A compiled report and what the reader should know about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compiled {
    pub document: Document,
    /// Missing values, blank table cells, … (severity `warning`, codes `compile.*`).
    pub warnings: Vec<Finding>,
}

/// A year's figures computed exactly as the templates compute them (same aggregation,
/// formulas, missing values), for modules that compare numbers with the data — the prose
/// checks. Takes the compiler's snapshot of the data once.
pub struct Figures {
    facts: facts::Facts,
}

impl Figures {
    pub fn new(data: &YearData) -> Figures {
        Figures {
            facts: facts::Facts::new(data),
        }
    }

    /// The figure of `code` for `year` (the data's year or the one before) over months
    /// `first..=last` (ignored for yearly metrics), of all its owners or of one
    /// `division`; `None` when a value is missing or undefined, or the code unknown.
    pub fn value(
        &self,
        code: &str,
        year: i32,
        months: (u8, u8),
        division: Option<&str>,
    ) -> Option<rust_decimal::Decimal> {
        let selection = facts::Selection {
            year,
            months,
            division: division.map(str::to_string),
        };
        self.facts.compute(code, &selection).ok()?.value
    }
}

/// What went wrong in a template, for callers that react differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateErrorKind {
    Syntax,
    UnknownMetric,
    UnknownDivision,
    UnknownTable,
    BadArgument,
    Undefined,
    Type,
    Formula,
    Other,
}

#[derive(Debug, Error)]
pub enum CompileError {
    /// The template could not be rendered; `file:line:column: message`.
    #[error("{file}:{line}:{column}: {message}")]
    Template {
        file: String,
        line: usize,
        column: usize,
        kind: TemplateErrorKind,
        message: String,
    },
    #[error("没有名为“{0}”的模板（内置模板：work-summary、annual-report、city-annual-report）")]
    NotFound(String),
    #[error("无法读取模板文件 {path}：{source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Compiles `template` over `data`.
pub fn compile(
    template: &Template,
    data: &YearData,
    options: &CompileOptions,
) -> Result<Compiled, CompileError> {
    let shared = Arc::new(side::Shared {
        facts: facts::Facts::new(data),
        side: Mutex::new(side::Side::default()),
    });
    let date = options
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let date = format_date(date);
    let dir = template.dir.clone();
    let env = engine::environment(&shared, date.clone(), move |name| {
        include_source(dir.as_deref(), name)
    });
    let text = env
        .render_named_str(&template.file, &template.source, minijinja::context! {})
        .map_err(|e| template_error(&shared, template, &e))?;
    let side = std::mem::take(&mut *shared.side());
    let document = markup::parse(&text, &side, &date);
    Ok(Compiled {
        document,
        warnings: side.warnings,
    })
}

/// `2019年12月24日`.
pub fn format_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn include_source(dir: Option<&Path>, name: &str) -> Option<String> {
    if let Some(dir) = dir
        && let Ok(text) = std::fs::read_to_string(dir.join(name))
    {
        return Some(text);
    }
    let id = name.trim_end_matches(".jinja");
    Template::builtin(id).map(|t| t.source)
}

fn template_error(
    shared: &side::Shared,
    template: &Template,
    e: &minijinja::Error,
) -> CompileError {
    use minijinja::ErrorKind as K;
    // The innermost error carries the location (a narrative's, or an include's).
    let mut inner = e;
    while let Some(next) =
        std::error::Error::source(inner).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        inner = next;
    }
    let ours = shared.side().failure.take();
    let detail = inner.detail().unwrap_or_default().to_string();
    let (kind, message) = match ours {
        Some((kind, message)) => (kind, message),
        None => match inner.kind() {
            K::SyntaxError => (TemplateErrorKind::Syntax, format!("模板语法错误：{detail}")),
            K::UndefinedError => (TemplateErrorKind::Undefined, format!("未定义：{detail}")),
            K::MissingArgument
            | K::TooManyArguments
            | K::InvalidOperation
            | K::CannotUnpack
            | K::NonPrimitive
            | K::NonKey => (TemplateErrorKind::Type, format!("用法或类型错误：{detail}")),
            K::UnknownFunction | K::UnknownFilter | K::UnknownTest | K::UnknownMethod => (
                TemplateErrorKind::Undefined,
                format!("未知的函数或过滤器：{detail}"),
            ),
            K::TemplateNotFound => (
                TemplateErrorKind::Other,
                format!("找不到被引用的模板：{detail}"),
            ),
            _ => (TemplateErrorKind::Other, format!("模板错误：{inner}")),
        },
    };
    let file = inner.name().unwrap_or(&template.file).to_string();
    let line = inner.line().unwrap_or(1);
    let column = match (inner.range(), inner.template_source()) {
        (Some(range), Some(src)) if range.start <= src.len() => {
            let before = &src[..range.start];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            before[line_start..].chars().count() + 1
        }
        _ => 1,
    };
    CompileError::Template {
        file,
        line,
        column,
        kind,
        message,
    }
}

#[cfg(test)]
mod tests;
