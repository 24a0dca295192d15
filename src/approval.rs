//! Drafts as the office and the leaders work with them (稿件): starting one from a
//! template, compiling it over today's data, deciding whether it may be approved,
//! freezing it, and — once approved — telling which figures have since drifted.
//!
//! A draft's text is template markup (see `templates/*.jinja`): the office edits the
//! prose freely, and every `figure("…")` stays a live call, so a value corrected by a
//! division shows up in the draft at its next compile. An approved draft is frozen as its
//! compiled [`Document`]; [`drift`] compares that snapshot with the draft compiled today.
//!
//! The store keeps drafts, statuses and permissions (`store::drafts`); this module holds
//! the rules that need the compiler and the checks, so the UI and the CLI share them. The
//! draft editor's map from the compiled document back to the source text is the editor's
//! own (`ui::drafts::source_map`).

use std::collections::HashMap;

use thiserror::Error;

use crate::check::{self, CheckOptions};
use crate::compile::{self, CompileError, CompileOptions, Compiled, Template};
use crate::document::{Block, Document, Provenance, Run};
use crate::model::{Finding, Severity, YearData};
use crate::prose::{self, ProseOptions, ProseReport};
use crate::store::{Actor, Draft, DraftStatus, Store, StoreError};

#[derive(Debug, Error)]
pub enum DraftError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
    #[error("{year}年没有指标目录，不能起草该年度的报告")]
    YearNotOpen { year: i32 },
    #[error("还有 {errors} 个错误未解决，不能审定（见检查面板）")]
    HasErrors { errors: usize },
}

/// A draft compiled over a year's data, with everything that stands in the way of approval.
#[derive(Debug, Clone)]
pub struct Review {
    pub compiled: Compiled,
    /// The data checks of the year, then the compiler's warnings.
    pub findings: Vec<Finding>,
}

impl Review {
    /// Errors that block approval: data errors, and figures the data could not supply
    /// (an approved report must not print `【缺数：…】`).
    pub fn blocking(&self) -> usize {
        let data_errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        data_errors + missing_figures(&self.compiled.document)
    }
}

/// Starts a draft of `year` from template `template_id` (built in, or a user's file in
/// `dir`): the template's source becomes the draft's text, titled as it compiles today.
pub fn start(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    template_id: &str,
    dir: Option<&std::path::Path>,
) -> Result<i64, DraftError> {
    let template = Template::load(template_id, dir)?;
    let data = year_data(store, year)?;
    let compiled = compile::compile(&template, &data, &CompileOptions::default())?;
    Ok(store.create_draft(
        actor,
        year,
        &template.id,
        &compiled.document.title,
        &template.source,
    )?)
}

/// The year's data (a city office's: its agencies' consolidated), refusing a year that was
/// never opened.
pub fn year_data(store: &Store, year: i32) -> Result<YearData, DraftError> {
    let data = crate::pipeline::report_data(store, year)?;
    if data.metrics.is_empty() {
        return Err(DraftError::YearNotOpen { year });
    }
    Ok(data)
}

/// Compiles a draft's text over `data`, dated as the file's report date for the year.
pub fn compile_draft(
    store: &Store,
    draft: &Draft,
    data: &YearData,
) -> Result<Compiled, DraftError> {
    let template = Template::from_source(&format!("{}.jinja", draft.template), &draft.source);
    let options = CompileOptions {
        date: store.settings()?.report_date(draft.year),
    };
    Ok(compile::compile(&template, data, &options)?)
}

/// Compiles a draft and runs the year's checks.
pub fn review(
    store: &Store,
    draft: &Draft,
    data: &YearData,
    options: &CheckOptions,
) -> Result<Review, DraftError> {
    let compiled = compile_draft(store, draft, data)?;
    let mut findings = check::check(data, options);
    findings.extend(compiled.warnings.iter().cloned());
    Ok(Review { compiled, findings })
}

/// 审定: compiles the draft over today's data and, when nothing blocks it, freezes that
/// document. Returns the frozen document.
pub fn approve(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    options: &CheckOptions,
) -> Result<Document, DraftError> {
    let review = approval_review(store, id, options)?;
    freeze(store, actor, id, review)
}

/// The first half of [`approve`]: the draft compiled over today's data and checked,
/// refused when anything blocks approval. The UI runs the halves as steps of one job,
/// so that 取消 can stop between them.
pub fn approval_review(
    store: &Store,
    id: i64,
    options: &CheckOptions,
) -> Result<Review, DraftError> {
    let draft = store.draft(id)?;
    let data = year_data(store, draft.year)?;
    let review = review(store, &draft, &data, options)?;
    let errors = review.blocking();
    if errors > 0 {
        return Err(DraftError::HasErrors { errors });
    }
    Ok(review)
}

/// The second half of [`approve`]: freezes the reviewed document (the store checks that
/// `actor` may). Returns the frozen document.
pub fn freeze(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    review: Review,
) -> Result<Document, DraftError> {
    store.approve_draft(actor, id, &review.compiled.document)?;
    Ok(review.compiled.document)
}

/// Last year's approved report of the same template, as plain text: what a sentence of
/// this year's draft must not simply repeat. The newest approved draft of `year - 1`.
pub fn last_year_text(store: &Store, draft: &Draft) -> Result<Option<String>, DraftError> {
    for d in store.drafts(Some(draft.year - 1))? {
        if d.template == draft.template
            && d.status == DraftStatus::Approved
            && let Some(a) = store.approval(d.id)?
        {
            return Ok(Some(a.document.plain_text()));
        }
    }
    Ok(None)
}

/// The prose checks of a compiled draft: numbers typed into its prose (its linked figures
/// are left out) against the data, its sentences against last year's approved report.
/// Flag ranges refer to `Document::plain_text` of `doc`.
pub fn prose_report(doc: &Document, data: &YearData, last_year: Option<&str>) -> ProseReport {
    let (text, linked) = prose::document_text(doc);
    prose::check_prose(
        &text,
        data,
        &ProseOptions {
            previous: last_year,
            linked: &linked,
        },
    )
}

/// A figure of an approved document whose value is no longer what was approved.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// Block of the approved document the figure stands in.
    pub block: usize,
    pub metric_code: String,
    pub metric_name: String,
    pub approved: String,
    /// What the draft prints today; `None` when today's text no longer has the figure.
    pub now: Option<String>,
}

/// Figures of `approved` that differ in `current` (the same draft compiled today).
///
/// Figures are matched by what they measure (metric, year, months, divisions, rule) and,
/// for a figure printed several times, by occurrence — not by position, since a changed
/// value can switch a template's `{% if %}` and move everything after it.
pub fn drift(approved: &Document, current: &Document) -> Vec<Drift> {
    let mut now: HashMap<String, Vec<&str>> = HashMap::new();
    for (_, figure) in figures(current) {
        now.entry(key(&figure.provenance))
            .or_default()
            .push(&figure.text);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (block, figure) in figures(approved) {
        let k = key(&figure.provenance);
        let n = seen.entry(k.clone()).or_default();
        let today = now.get(&k).and_then(|v| v.get(*n)).copied();
        *n += 1;
        if today != Some(figure.text.as_str()) {
            out.push(Drift {
                block,
                metric_code: figure.provenance.metric_code.clone(),
                metric_name: figure.provenance.metric_name.clone(),
                approved: figure.text.clone(),
                now: today.map(str::to_string),
            });
        }
    }
    out
}

fn key(p: &Provenance) -> String {
    format!(
        "{}|{}|{}-{}|{}|{}",
        p.metric_code,
        p.year,
        p.months.0,
        p.months.1,
        p.divisions.join(","),
        p.rule
    )
}

/// Every figure of a document with the index of its block, in reading order.
pub fn figures(doc: &Document) -> impl Iterator<Item = (usize, &crate::document::Figure)> {
    doc.blocks.iter().enumerate().flat_map(|(i, block)| {
        block_runs(block).filter_map(move |run| match run {
            Run::Figure(f) => Some((i, f)),
            _ => None,
        })
    })
}

pub(crate) fn block_runs(block: &Block) -> Box<dyn Iterator<Item = &Run> + '_> {
    match block {
        Block::Heading(h) => Box::new(h.runs.iter()),
        Block::Paragraph(p) => Box::new(p.runs.iter()),
        Block::Table(t) => Box::new(
            t.rows
                .iter()
                .flat_map(|r| r.cells.iter())
                .flat_map(|c| c.runs.iter()),
        ),
    }
}

fn missing_figures(doc: &Document) -> usize {
    figures(doc).filter(|(_, f)| f.missing).count()
}

/// The text of a block as printed (headings without their generated number).
pub fn block_text(block: &Block) -> String {
    block_runs(block)
        .map(|run| match run {
            Run::Text { text } | Run::Emphasis { text } => text.as_str(),
            Run::Figure(f) => f.text.as_str(),
        })
        .collect()
}

/// The start of a block's text, as a comment quotes it to find the block again.
pub fn quote(doc: &Document, block: usize) -> String {
    let text = doc.blocks.get(block).map(block_text).unwrap_or_default();
    text.chars().take(20).collect()
}

/// The block a comment written on block `block` (quoting `quote`) is about in `doc`,
/// after edits may have moved it: the block at that index if it still starts with the
/// quote, else the block starting with it nearest to that index, else — when only a
/// figure in the quoted start changed — the block at that index if it begins with the
/// quote's first six characters. `None` when the paragraph was rewritten or deleted.
pub fn comment_block(doc: &Document, block: Option<usize>, quote: &str) -> Option<usize> {
    let at = block?;
    if quote.is_empty() {
        return (at < doc.blocks.len()).then_some(at);
    }
    let starts = |b: &Block| block_text(b).starts_with(quote);
    if doc.blocks.get(at).is_some_and(starts) {
        return Some(at);
    }
    let nearest = doc
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| starts(b))
        .min_by_key(|(i, _)| i.abs_diff(at))
        .map(|(i, _)| i);
    nearest.or_else(|| {
        let head: String = quote.chars().take(6).collect();
        let text = block_text(doc.blocks.get(at)?);
        (quote.chars().count() >= 6 && text.starts_with(&head)).then_some(at)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::{Figure, Paragraph, ParagraphStyle};

    pub(crate) fn fig(code: &str, text: &str) -> Run {
        Run::Figure(Figure {
            text: text.into(),
            missing: false,
            provenance: Provenance {
                metric_code: code.into(),
                metric_name: code.into(),
                year: 2019,
                months: (1, 12),
                rule: "sum".into(),
                ..Provenance::default()
            },
        })
    }

    pub(crate) fn para(runs: Vec<Run>) -> Block {
        Block::Paragraph(Paragraph {
            style: ParagraphStyle::Body,
            runs,
        })
    }

    pub(crate) fn doc(blocks: Vec<Block>) -> Document {
        Document {
            title: "t".into(),
            blocks,
            closing: None,
        }
    }

    pub(crate) fn text(t: &str) -> Run {
        Run::Text { text: t.into() }
    }

    #[test]
    fn a_comment_finds_its_paragraph_after_edits() {
        let original = doc(vec![
            para(vec![text("第一段，说明主动公开的总体情况。")]),
            para(vec![
                text("全年受理申请"),
                fig("a", "17"),
                text("件，办结率百分之百。"),
            ]),
        ]);
        let q0 = quote(&original, 0);
        let q1 = quote(&original, 1);
        assert_eq!(q1, "全年受理申请17件，办结率百分之百。");
        assert_eq!(comment_block(&original, Some(1), &q1), Some(1));
        // A paragraph inserted ahead: both comments follow their paragraphs.
        let mut inserted = original.clone();
        inserted.blocks.insert(0, para(vec![text("新加的一段。")]));
        assert_eq!(comment_block(&inserted, Some(0), &q0), Some(1));
        assert_eq!(comment_block(&inserted, Some(1), &q1), Some(2));
        // The figure in the quoted start changed: still the same paragraph.
        let changed = doc(vec![
            para(vec![text("第一段，说明主动公开的总体情况。")]),
            para(vec![
                text("全年受理申请"),
                fig("a", "18"),
                text("件，办结率百分之百。"),
            ]),
        ]);
        assert_eq!(comment_block(&changed, Some(1), &q1), Some(1));
        // Rewritten or deleted: no paragraph, rather than a wrong one.
        let rewritten = doc(vec![
            para(vec![text("第一段，说明主动公开的总体情况。")]),
            para(vec![text("本年度共办理申请"), fig("a", "17"), text("件。")]),
        ]);
        assert_eq!(comment_block(&rewritten, Some(1), &q1), None);
        let deleted = doc(vec![para(vec![text("第一段，说明主动公开的总体情况。")])]);
        assert_eq!(comment_block(&deleted, Some(1), &q1), None);
        assert_eq!(comment_block(&deleted, None, &q1), None);
    }

    #[test]
    fn drift_lists_changed_and_vanished_figures_by_occurrence() {
        let approved = doc(vec![
            para(vec![
                text("受理"),
                fig("a", "17"),
                text("件，其中"),
                fig("b", "5"),
            ]),
            para(vec![fig("a", "17")]),
        ]);
        let same = approved.clone();
        assert!(drift(&approved, &same).is_empty());

        // The second paragraph moved ahead (an {% if %} switched); values unchanged.
        let moved = doc(vec![
            para(vec![fig("a", "17")]),
            para(vec![
                text("受理"),
                fig("a", "17"),
                text("件，其中"),
                fig("b", "5"),
            ]),
        ]);
        assert!(drift(&approved, &moved).is_empty());

        let changed = doc(vec![
            para(vec![text("受理"), fig("a", "18"), text("件")]),
            para(vec![fig("a", "18")]),
        ]);
        let d = drift(&approved, &changed);
        assert_eq!(d.len(), 3);
        assert_eq!(
            (d[0].approved.as_str(), d[0].now.as_deref()),
            ("17", Some("18"))
        );
        assert_eq!(d[1].metric_code, "b");
        assert_eq!(d[1].now, None);
        assert_eq!((d[2].block, d[2].now.as_deref()), (1, Some("18")));
    }
}
