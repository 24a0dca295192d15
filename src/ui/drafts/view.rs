//! The compile job of a draft and what it hands back: the draft's text compiled over the
//! file's data as it is now, checked and laid out, and for an approved draft the frozen
//! document laid out with the figures that drifted since. Runs off the UI thread, on its
//! own connection to the file.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::source_map;
use crate::approval::{self, DraftError, Drift};
use crate::check::{self, CheckOptions};
use crate::compile::rich::{self, eval::ChipValue, eval::Evaluator};
use crate::compile::{CompileError, CompileOptions};
use crate::layout::FontSet;
use crate::model::{Finding, Severity, YearData};
use crate::prose::ProseKind;
use crate::store::{Draft, Store};
use crate::ui::preview::{FigureRef, PreviewModel, origin_block};

/// The checks a draft is reviewed and approved under: every month up to today is due.
pub fn check_options() -> CheckOptions {
    CheckOptions {
        as_of: Some(chrono::Local::now().date_naive()),
        ..CheckOptions::default()
    }
}

/// A template error in the draft's text.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceError {
    pub message: String,
    /// 0-based line of the text, when known.
    pub line: Option<usize>,
}

/// The approved text of a draft and what has changed since.
#[derive(Debug, Clone)]
pub struct ApprovedView {
    pub approved_by: String,
    pub approved_at: String,
    /// The frozen document, laid out.
    pub model: Arc<PreviewModel>,
    /// Figures of the frozen document whose value is no longer the approved one.
    pub drift: Vec<Drift>,
    /// The same figures as boxes of `model`.
    pub drifted: HashSet<FigureRef>,
}

/// A prose flag as the checks panel lists it, with its one-click fix when there is one.
#[derive(Debug, Clone)]
pub struct ProseFinding {
    pub finding: Finding,
    /// For a number typed by hand that equals a figure: the draft's text with that number
    /// replaced by the live figure (`source_map::link_typed_number`).
    pub linked_source: Option<String>,
}

/// A draft compiled and checked in the background: what the editor shows.
#[derive(Debug, Clone)]
pub struct DraftView {
    /// The text that was compiled.
    pub source: String,
    /// The year's data (for the provenance pop-up: who entered what, when).
    pub data: YearData,
    /// Today's document of the text, laid out; an error when the text does not compile.
    pub current: Result<Arc<PreviewModel>, SourceError>,
    /// The year's data checks, then the compiler's warnings; errors first.
    pub findings: Vec<Finding>,
    /// Prose against data (`approval::prose_report`): typed numbers that contradict or copy
    /// a figure or should be linked, sentences copied from last year's approved report.
    pub prose: Vec<ProseFinding>,
    /// Errors that stand in the way of approval (`approval::Review::blocking`).
    pub blocking: usize,
    pub approval: Option<ApprovedView>,
    /// The value of each chip of the text (the 正文 view's figures), by chip source.
    pub chips: HashMap<String, ChipValue>,
    /// The compiler over the year's data, for chips put in before the next compile
    /// (the figure picker).
    pub evaluator: Arc<Evaluator>,
}

/// Compiles `draft` (with its text as given) over the file's data now, checks it, lays
/// it out with `fonts`, and for an approved draft lays out the frozen document and finds
/// its drift. Opens its own connection: this runs in a job.
pub fn build_view(db: &Path, draft: &Draft, fonts: &FontSet) -> Result<DraftView, DraftError> {
    let store = Store::open(db)?;
    let data = approval::year_data(&store, draft.year)?;
    let options = check_options();
    let last_year = approval::last_year_text(&store, draft)?;
    let mut prose = Vec::new();
    let (current, mut findings, blocking) = match approval::review(&store, draft, &data, &options) {
        Ok(r) => {
            let blocking = r.blocking();
            prose = prose_findings(draft, &r.compiled.document, &data, last_year.as_deref());
            let model = PreviewModel::build(r.compiled.document, fonts);
            (Ok(Arc::new(model)), r.findings, blocking)
        }
        Err(DraftError::Compile(e)) => {
            let findings = check::check(&data, &options);
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            (Err(source_error(&e)), findings, errors + 1)
        }
        Err(e) => return Err(e),
    };
    findings.sort_by_key(|f| f.severity);
    let approval = store.approval(draft.id)?.map(|a| {
        let drift = match &current {
            Ok(now) => approval::drift(&a.document, &now.document),
            Err(_) => Vec::new(),
        };
        let model = PreviewModel::build(a.document, fonts);
        let drifted = drifted_boxes(&model, &drift);
        ApprovedView {
            approved_by: a.approved_by,
            approved_at: a.approved_at,
            model: Arc::new(model),
            drift,
            drifted,
        }
    });
    let evaluator = Evaluator::new(
        &data,
        &CompileOptions {
            date: store.settings()?.report_date(draft.year),
        },
    );
    let chips = evaluator.values(&rich::parse(&draft.source));
    Ok(DraftView {
        chips,
        evaluator: Arc::new(evaluator),
        source: draft.source.clone(),
        data,
        current,
        findings,
        prose,
        blocking,
        approval,
    })
}

/// The prose flags of the compiled draft as findings (warnings), a typed figure with the
/// text that links it while the draft can still be edited.
fn prose_findings(
    draft: &Draft,
    doc: &crate::document::Document,
    data: &YearData,
    last_year: Option<&str>,
) -> Vec<ProseFinding> {
    let report = approval::prose_report(doc, data, last_year);
    let text = doc.plain_text();
    report
        .flags
        .into_iter()
        .map(|flag| {
            let linked_source = match (&flag.kind, &flag.number, &flag.figure) {
                (ProseKind::TypedNotLinked, Some(n), Some(f))
                    if draft.status.editable() && f.year == draft.year =>
                {
                    source_map::link_typed_number(&draft.source, &text, n.range.clone(), &f.metric)
                }
                _ => None,
            };
            let figure = flag.figure.as_ref();
            ProseFinding {
                finding: Finding {
                    severity: Severity::Warning,
                    code: flag.code.to_string(),
                    message: format!("{}（{}）", flag.message, flag.sentence_text),
                    metric: figure.map(|f| f.metric.clone()),
                    metric_name: figure.map(|f| f.metric_name.clone()),
                    division: None,
                    year: figure.map_or(draft.year, |f| f.year),
                    months: Vec::new(),
                    table: None,
                },
                linked_source,
            }
        })
        .collect()
}

fn source_error(e: &CompileError) -> SourceError {
    match e {
        CompileError::Template {
            line,
            column,
            message,
            ..
        } => SourceError {
            message: format!("第 {line} 行第 {column} 列：{message}"),
            line: line.checked_sub(1),
        },
        e => SourceError {
            message: e.to_string(),
            line: None,
        },
    }
}

/// The figure boxes of the approved document that show a drifted value.
fn drifted_boxes(model: &PreviewModel, drift: &[Drift]) -> HashSet<FigureRef> {
    model
        .figure_boxes()
        .filter_map(|(_, _, r)| drift_at(model, drift, r).map(|_| r))
        .collect()
}

/// The drift of the figure at `r`: same block, same metric, the approved text.
pub(super) fn drift_at<'a>(
    model: &PreviewModel,
    drift: &'a [Drift],
    r: FigureRef,
) -> Option<&'a Drift> {
    let f = model.figure(r)?;
    let block = origin_block(r.origin)?;
    drift.iter().find(|d| {
        d.block == block && d.metric_code == f.provenance.metric_code && d.approved == f.text
    })
}
