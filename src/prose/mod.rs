//! Prose against data (文字与数据核对): the numbers typed into a report's text, held
//! against the year's figures.
//!
//! Given a report's text (a draft's, a Word report's, or text copied out of a PDF with
//! hard line breaks and spaces between numbers and units) and the year's [`YearData`],
//! [`check_prose`] flags:
//!
//! | kind | code | when |
//! | --- | --- | --- |
//! | [`ProseKind::TypedNotLinked`] | `prose.typed` | a typed number equals the figure of a metric named next to it — it should be a linked figure, so it follows corrections |
//! | [`ProseKind::Contradiction`] | `prose.contradiction` | a typed number sits with one metric's words and unit (`受理政府信息公开申请17件`) but differs from its figure |
//! | [`ProseKind::CopiedFromLastYear`] | `prose.copied` | as a contradiction, but the number is last year's figure of that metric |
//! | [`ProseKind::SameAsLastYear`] | `prose.same_sentence` | a sentence is identical to one of last year's report (the 2021 national notice names copy-pasted reports as a fault) |
//!
//! All are warnings. Owns the reading of prose and the association of numbers with
//! metrics; never reads the store or files (the CLI hands over the text, see
//! [`prose_text_from_path`]) and never changes anything.
//!
//! # Precision first
//!
//! A wrong flag costs more than a missed one, so a contradiction needs all of:
//! - the number is a quantity (not a date, ordinal, title, code, range or a change such
//!   as `同比增长20.6%`), not approximate (`约`, `余`, `多`), and its unit is the metric's;
//! - exactly one metric's words stand in the same clause before it (clauses end at `，`
//!   `、` `；`), at most eight characters away, with no `其中`-style `中` between and no
//!   channel (`通过门户网站…`) before them, and no other metric is named after it in
//!   the clause;
//! - the clause and those before it speak of no other year (`2018年`, `上年`, `去年`),
//!   and the sentence of no quarter or half-year;
//! - the number differs from every figure the sentence could mean: the year's, the
//!   months to any month the sentence names (`截至11月底` → January–November;
//!   `截至目前` → any months to date), such a single month, and each owning division's.
//!
//! Words after the number (`14次到帮扶联系点走访调研`) or in an earlier clause only
//! support "typed, not linked", which needs the number to equal the figure anyway. A
//! number equal to last year's figure in a sentence that names last year is offered for
//! linking to last year's figure.
//!
//! Numbers are compared at the precision typed: `98.1%` matches 98.127…, `1530多万元`
//! matches 1530.75. Not handled: numbers in Chinese numerals (`十二件`, `一百余条`),
//! scaled units (`1.2万件` against a count in 件), and table rows (lines holding tabs are
//! skipped; the national tables are checked by `check` itself).

mod text;
mod words;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use thiserror::Error;

use crate::compile::Figures;
use crate::document::Document;
use crate::model::{Metric, Period, YearData};

use text::{Number, Sentence};
use words::{Lexicon, Mention, Side};

/// What the prose checks need besides the text and the data.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProseOptions<'a> {
    /// Last year's report text; without it identical sentences are not looked for.
    pub previous: Option<&'a str>,
    /// Byte ranges of the text that are linked figures (a draft's figure runs): numbers
    /// there are not typed by hand and are not checked.
    pub linked: &'a [Range<usize>],
}

/// What a flag says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProseKind {
    TypedNotLinked,
    Contradiction,
    CopiedFromLastYear,
    SameAsLastYear,
}

impl ProseKind {
    /// Stable id, in the style of the data checks' codes.
    pub fn code(self) -> &'static str {
        match self {
            ProseKind::TypedNotLinked => "prose.typed",
            ProseKind::Contradiction => "prose.contradiction",
            ProseKind::CopiedFromLastYear => "prose.copied",
            ProseKind::SameAsLastYear => "prose.same_sentence",
        }
    }
}

/// A number as typed in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypedNumber {
    /// Bytes of the digits in the text as given.
    pub range: Range<usize>,
    /// The exact value (`1234` for `1, 234`).
    pub value: Decimal,
    pub unit: String,
    pub approximate: bool,
}

/// A figure of the data a flag refers to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRef {
    pub metric: String,
    pub metric_name: String,
    pub unit: String,
    pub year: i32,
    /// First and last month (1–12); `(1, 12)` for the year and for yearly metrics.
    pub months: (u8, u8),
    /// The figure as a report prints it (`2354.48`, `98.1`).
    pub text: String,
    pub value: Decimal,
}

/// One flagged place in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProseFlag {
    pub kind: ProseKind,
    /// `kind.code()`, for JSON readers.
    pub code: &'static str,
    /// Plain Chinese for the reader.
    pub message: String,
    /// 1-based line of the text where the number (or the sentence) starts.
    pub line: usize,
    /// Bytes of the sentence in the text as given (it may span hard line breaks).
    pub sentence: Range<usize>,
    /// The sentence with line breaks and spaces taken out.
    pub sentence_text: String,
    pub number: Option<TypedNumber>,
    /// The figure to link (typed, not linked), the one contradicted, or this year's
    /// figure of the metric whose last-year value was copied.
    pub figure: Option<FigureRef>,
    /// Last year's figure, for `CopiedFromLastYear`.
    pub last_year: Option<FigureRef>,
}

/// The result of [`check_prose`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProseReport {
    pub year: i32,
    /// In the order of the text.
    pub flags: Vec<ProseFlag>,
    /// False when no last-year text was given: identical sentences were not looked for.
    pub compared_with_last_year: bool,
    pub sentences: usize,
    /// Numbers with a unit that were typed (not linked) and are quantities.
    pub typed_numbers: usize,
}

impl ProseReport {
    pub fn count(&self, kind: ProseKind) -> usize {
        self.flags.iter().filter(|f| f.kind == kind).count()
    }
}

/// Reading a report file for the prose checks failed.
#[derive(Debug, Error)]
pub enum ProseError {
    /// Unreadable, or larger than any report ([`crate::input::MAX_REPORT_BYTES`]).
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error(transparent)]
    Document(#[from] crate::read::ReadError),
}

/// The text of a report file for [`check_prose`]:
/// - `.txt` in UTF-8 (with or without BOM) or GB18030, as it is (hard line breaks from a
///   PDF are re-joined by the checks themselves);
/// - `.docx` (a report written in Word or WPS), `.pdf` (as published, with a text layer)
///   and `.html` / `.htm` (a saved web page): their paragraphs, one a line, read by
///   [`crate::read`] (a PDF's lines are its paragraphs' lines, re-joined like a `.txt`'s).
///   Tables are left out: their numbers are not prose, and the data checks already
///   cover the national tables.
///
/// Other file types are refused with the reader's message, and so is a file larger than
/// [`crate::input::MAX_REPORT_BYTES`] (a report is well under 1 MB), before any is read.
pub fn prose_text_from_path(path: &Path) -> Result<String, ProseError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if matches!(extension.as_str(), "txt" | "text") {
        let bytes = crate::input::read_capped(path, crate::input::MAX_REPORT_BYTES, "报告")?;
        return Ok(crate::input::decode_text(&bytes).map_err(crate::input::InputError::from)?);
    }
    let mut text = String::new();
    for block in crate::read::read_file(path)? {
        if let crate::read::Block::Paragraph(p) = block {
            text.push_str(&p);
            text.push('\n');
        }
    }
    Ok(text)
}

/// A compiled document's plain text and the byte ranges of its figures, ready for
/// [`check_prose`] as `text` and `linked`.
pub fn document_text(doc: &Document) -> (String, Vec<Range<usize>>) {
    let (text, figures) = doc.plain_text_with_figures();
    (text, figures.into_iter().map(|(r, _)| r).collect())
}

/// Checks the numbers and sentences of `text` against `data` (see the module doc).
pub fn check_prose(text: &str, data: &YearData, options: &ProseOptions) -> ProseReport {
    let checker = Checker::new(data, options);
    let mut report = ProseReport {
        year: data.year,
        flags: Vec::new(),
        compared_with_last_year: options.previous.is_some(),
        sentences: 0,
        typed_numbers: 0,
    };
    let mut last_year: HashSet<String> = HashSet::new();
    if let Some(previous) = options.previous {
        each_sentence(previous, |s| {
            if let Some(key) = sentence_key(&s) {
                last_year.insert(key);
            }
        });
    }
    let lines = LineIndex::new(text);
    each_sentence(text, |s| {
        report.sentences += 1;
        if sentence_key(&s).is_some_and(|k| last_year.contains(&k)) {
            report.flags.push(ProseFlag {
                kind: ProseKind::SameAsLastYear,
                code: ProseKind::SameAsLastYear.code(),
                message: "与上年报告中的句子完全相同".into(),
                line: lines.line(s.range.start),
                sentence: s.range.clone(),
                sentence_text: s.display(text),
                number: None,
                figure: None,
                last_year: None,
            });
        }
        checker.sentence(text, &s, &lines, &mut report);
    });
    report
}

/// Hands each sentence of the text outside tables to `f`, in order, one at a time (a
/// text's sentences together take several times the text's memory).
fn each_sentence(text: &str, mut f: impl FnMut(Sentence)) {
    for paragraph in text::paragraphs(text) {
        if !paragraph.table {
            text::each_sentence(text, &paragraph, &mut f);
        }
    }
}

/// What two sentences must share to be "identical": the characters without whitespace,
/// full-width forms folded and quotes unified. `None` for sentences too short to count
/// (headings, `无。`): fewer than 12 letters, digits or CJK characters.
fn sentence_key(s: &Sentence) -> Option<String> {
    let significant = s.chars.iter().filter(|c| c.is_alphanumeric()).count();
    (significant >= 12).then(|| {
        s.chars
            .iter()
            .filter(|c| **c != ' ')
            .map(|c| match c {
                '“' | '”' | '‘' | '’' | '\'' => '"',
                c => *c,
            })
            .collect()
    })
}

/// Byte offset → 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset)
    }
}

/// The sentence around a number, as far as the checks care.
struct Context {
    /// Months named (`11月`, `8月30日`): the figure may be to that month or of it.
    months: Vec<u8>,
    /// `截至`, `截止`, `目前`, `以来` without a month: any months to date.
    to_date: bool,
    /// A quarter or half-year (`第一季度`, `上半年`): not the year's figure.
    part_of_year: bool,
    /// Per clause: whether it or a clause before it names another year.
    other_year: Vec<bool>,
    /// Per character: just after the last `,` `、` `;` `:` before it (see [`channel`]).
    cut_before: Vec<usize>,
    /// Where `通过` starts, in order.
    via: Vec<usize>,
}

impl Context {
    fn new(s: &Sentence, numbers: &[Number], clauses: &[Range<usize>], year: i32) -> Context {
        let mut months = Vec::new();
        let mut years = Vec::new(); // (char index, year)
        for n in numbers {
            let next = s.chars.get(n.chars.end).copied();
            let whole = n
                .value
                .fract()
                .is_zero()
                .then(|| i64::try_from(n.value).ok())
                .flatten();
            match (next, whole) {
                (Some('月'), Some(m @ 1..=12)) if !months.contains(&(m as u8)) => {
                    months.push(m as u8)
                }
                (Some('年'), Some(y @ 1900..=2100)) => years.push((n.chars.start, y)),
                _ => {}
            }
        }
        let all = 0..s.chars.len();
        let to_date = ["截至", "截止", "目前", "以来"]
            .iter()
            .any(|w| s.contains(all.clone(), w));
        let part_of_year = ["季度", "半年"].iter().any(|w| s.contains(all.clone(), w));
        let mut other_year = Vec::new();
        let mut seen = false;
        // Years and clauses are both in order: walk them together.
        let mut years = years.into_iter().peekable();
        for clause in clauses {
            while let Some((at, y)) = years.next_if(|(at, _)| *at < clause.end) {
                seen = seen || (clause.contains(&at) && y != i64::from(year));
            }
            seen = seen || names_last_year(s, clause.clone());
            other_year.push(seen);
        }
        let mut cut_before = Vec::with_capacity(s.chars.len() + 1);
        let mut via = Vec::new();
        let mut start = 0;
        for (i, c) in s.chars.iter().enumerate() {
            cut_before.push(start);
            if matches!(c, ',' | '、' | ';' | ':') {
                start = i + 1;
            }
            if s.chars[i..].starts_with(&['通', '过']) {
                via.push(i);
            }
        }
        cut_before.push(start);
        Context {
            months,
            to_date,
            part_of_year,
            other_year,
            cut_before,
            via,
        }
    }
}

/// `上年`, `去年`, `上一年` — but not `上年结转` (table 3's row of this year).
fn names_last_year(s: &Sentence, range: Range<usize>) -> bool {
    let c = &s.chars[range];
    (0..c.len()).any(|i| {
        let at = |w: &[char]| c[i..].starts_with(w);
        (at(&['上', '年'])
            && !at(&['上', '年', '结', '转'])
            && !at(&['上', '年', '度', '结', '转']))
            || at(&['去', '年'])
            || at(&['上', '一', '年'])
    })
}

type FigureKey = (usize, i32, (u8, u8), Option<usize>);

/// What to say about one typed number.
struct Verdict {
    kind: ProseKind,
    message: String,
    figure: Option<FigureRef>,
    last_year: Option<FigureRef>,
}

struct Checker<'a> {
    data: &'a YearData,
    figures: Figures,
    lexicon: Lexicon,
    linked: &'a [Range<usize>],
    /// Figures asked for: (metric index, year, months, owner index) → value.
    cache: RefCell<HashMap<FigureKey, Option<Decimal>>>,
}

impl<'a> Checker<'a> {
    fn new(data: &'a YearData, options: &ProseOptions<'a>) -> Checker<'a> {
        Checker {
            data,
            figures: Figures::new(data),
            lexicon: Lexicon::new(&data.metrics),
            linked: options.linked,
            cache: Default::default(),
        }
    }

    fn metric(&self, i: usize) -> &'a Metric {
        &self.data.metrics[i]
    }

    /// A figure of metric `i` (by catalogue index), cached.
    fn value(
        &self,
        i: usize,
        year: i32,
        months: (u8, u8),
        owner: Option<usize>,
    ) -> Option<Decimal> {
        let key = (i, year, months, owner);
        if let Some(v) = self.cache.borrow().get(&key) {
            return *v;
        }
        let m = self.metric(i);
        let division = owner.and_then(|o| m.owners.get(o)).map(String::as_str);
        let v = self.figures.value(&m.code, year, months, division);
        self.cache.borrow_mut().insert(key, v);
        v
    }

    fn figure_ref(&self, i: usize, year: i32, months: (u8, u8), value: Decimal) -> FigureRef {
        let m = self.metric(i);
        let text = if m.is_formula() {
            crate::value::format(value, m.kind.places())
        } else {
            crate::value::format_exact(value)
        };
        FigureRef {
            metric: m.code.clone(),
            metric_name: m.name.clone(),
            unit: m.unit.clone(),
            year,
            months,
            text,
            value,
        }
    }

    /// The figures of metric `i` a sentence could link to, most likely first: the year's,
    /// then to each month named, then of each month named.
    fn linkable(&self, i: usize, year: i32, ctx: &Context) -> Vec<((u8, u8), Decimal)> {
        let mut selections = vec![(1, 12)];
        if self.metric(i).period == Period::Monthly {
            selections.extend(ctx.months.iter().map(|&k| (1, k)));
            selections.extend(ctx.months.iter().map(|&k| (k, k)));
        }
        selections.dedup();
        selections
            .into_iter()
            .filter_map(|months| Some((months, self.value(i, year, months, None)?)))
            .collect()
    }

    /// Every figure of this year the sentence could mean (see the module doc).
    fn plausible(&self, i: usize, ctx: &Context) -> Vec<Decimal> {
        let year = self.data.year;
        let mut out: Vec<Decimal> = self
            .linkable(i, year, ctx)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        let m = self.metric(i);
        if m.period == Period::Monthly && ctx.to_date {
            out.extend((1..12).filter_map(|k| self.value(i, year, (1, k), None)));
        }
        if m.owners.len() > 1 {
            out.extend((0..m.owners.len()).filter_map(|o| self.value(i, year, (1, 12), Some(o))));
        }
        out
    }

    fn sentence(&self, text: &str, s: &Sentence, lines: &LineIndex, report: &mut ProseReport) {
        let numbers = text::numbers(s, &self.lexicon.units);
        if numbers.is_empty() {
            return;
        }
        let clauses = text::clauses(s, &numbers);
        let ctx = Context::new(s, &numbers, &clauses, self.data.year);
        let mut earlier = EarlierClauses::default();
        for (k, num) in numbers.iter().enumerate() {
            let bytes = s.bytes(num.chars.clone());
            let linked = self
                .linked
                .iter()
                .any(|l| l.start < bytes.end && bytes.start < l.end);
            if num.unit.is_none() || num.not_quantity.is_some() || linked {
                continue;
            }
            report.typed_numbers += 1;
            let ci = clauses.partition_point(|c| c.end <= num.chars.start);
            if !clauses
                .get(ci)
                .is_some_and(|c| c.contains(&num.chars.start))
            {
                continue;
            }
            let Some(place) = self.place(s, &numbers, k, &clauses, ci, &ctx, &mut earlier) else {
                continue;
            };
            let Some(verdict) = self.link(&place).or_else(|| self.contradiction(&place)) else {
                continue;
            };
            report.flags.push(ProseFlag {
                kind: verdict.kind,
                code: verdict.kind.code(),
                message: verdict.message,
                line: lines.line(bytes.start),
                sentence: s.range.clone(),
                sentence_text: s.display(text),
                number: Some(TypedNumber {
                    range: bytes,
                    value: num.value,
                    unit: num.unit.clone().unwrap_or_default(),
                    approximate: num.approx,
                }),
                figure: verdict.figure,
                last_year: verdict.last_year,
            });
        }
    }

    /// Number `k` of the sentence (in clause `ci`) with the metrics named next to it and
    /// sharing its unit; `None` when no metric is named. (`earlier` carries what the
    /// sentence's earlier numbers already searched; the other arguments are the sentence.)
    #[allow(clippy::too_many_arguments)]
    fn place<'s>(
        &self,
        s: &'s Sentence,
        numbers: &'s [Number],
        k: usize,
        clauses: &[Range<usize>],
        ci: usize,
        ctx: &'s Context,
        earlier: &mut EarlierClauses,
    ) -> Option<Place<'s>> {
        let num = &numbers[k];
        let clause = clauses[ci].clone();
        // The stretch of the clause that belongs to this number: after the previous
        // number's unit, up to the next number.
        let from = k
            .checked_sub(1)
            .map(|p| &numbers[p])
            .filter(|p| p.chars.start >= clause.start)
            .map_or(clause.start, |p| p.unit_end.max(clause.start));
        let to = numbers
            .get(k + 1)
            .map_or(clause.end, |n| n.chars.start.min(clause.end))
            .max(num.unit_end);
        let unit: Vec<char> = num.unit.as_deref().unwrap_or_default().chars().collect();
        let named = |range: Range<usize>, side: Side| -> Vec<Mention> {
            self.lexicon
                .mentions(&s.chars, range, side)
                .into_iter()
                .filter(|m| self.lexicon.unit_of(m.metric) == unit.as_slice())
                .collect()
        };
        let before = named(from..num.chars.start, Side::Before);
        let after = named(num.unit_end..to, Side::After);
        let (candidates, strong) = if !before.is_empty() {
            (before, true)
        } else if !after.is_empty() {
            (after.clone(), false)
        } else {
            (
                earlier.nearest(&self.lexicon, s, clauses, ci, &unit)?,
                false,
            )
        };
        Some(Place {
            s,
            num,
            ctx,
            other_year: ctx.other_year[ci],
            candidates,
            strong,
            after,
        })
    }

    /// Typed, not linked: the number equals a figure of a metric named nearby (the
    /// nearest such metric; two at the same distance, or this year's and last year's
    /// figure alike in a sentence naming last year, leave it open).
    fn link(&self, p: &Place) -> Option<Verdict> {
        let year = self.data.year;
        let typed = p.num.value;
        let years: &[i32] = if p.other_year {
            &[year, year - 1]
        } else {
            &[year]
        };
        let mut equal: Vec<(usize, FigureRef)> = Vec::new();
        for m in &p.candidates {
            let found: Vec<FigureRef> = years
                .iter()
                .filter_map(|&y| {
                    let (months, v) = self
                        .linkable(m.metric, y, p.ctx)
                        .into_iter()
                        .find(|(_, v)| same(typed, *v))?;
                    Some(self.figure_ref(m.metric, y, months, v))
                })
                .collect();
            match found.len() {
                0 => {}
                1 => equal.extend(found.into_iter().map(|f| (p.distance(m), f))),
                _ => return None,
            }
        }
        let (d, figure) = equal.first()?;
        if equal
            .iter()
            .any(|(e, f)| e == d && f.metric != figure.metric)
        {
            return None;
        }
        Some(Verdict {
            kind: ProseKind::TypedNotLinked,
            message: format!(
                "手工输入的“{}”与数据相同，未引用数据：{}（{}）{}为{}{}",
                p.shown(),
                figure.metric_name,
                figure.metric,
                period(figure.year, figure.months),
                figure.text,
                figure.unit
            ),
            figure: Some(figure.clone()),
            last_year: None,
        })
    }

    /// A contradiction, or last year's figure copied: one metric named close before the
    /// number, nothing else named after it, a sentence about this year's whole figures,
    /// and the number unlike every figure the sentence could mean (see the module doc).
    fn contradiction(&self, p: &Place) -> Option<Verdict> {
        let mention = p.candidates.first()?;
        let one_metric = p.candidates.iter().all(|m| m.metric == mention.metric)
            && p.after.iter().all(|m| m.metric == mention.metric);
        if !p.strong || !one_metric || p.num.approx || p.other_year || p.ctx.part_of_year {
            return None;
        }
        let gap = &p.s.chars[mention.end..p.num.chars.start];
        if gap.len() > 8 || gap.contains(&'中') || channel(p.ctx, mention.start) {
            return None;
        }
        let (i, year, typed) = (mention.metric, self.data.year, p.num.value);
        let this_year = self.value(i, year, (1, 12), None)?;
        if self.plausible(i, p.ctx).iter().any(|v| same(typed, *v)) {
            return None;
        }
        let figure = self.figure_ref(i, year, (1, 12), this_year);
        let metric = self.metric(i);
        let (shown, name, code, unit) = (p.shown(), &metric.name, &metric.code, &metric.unit);
        if let Some(last) = self.value(i, year - 1, (1, 12), None)
            && same(typed, last)
        {
            return Some(Verdict {
                kind: ProseKind::CopiedFromLastYear,
                message: format!(
                    "疑似沿用上年数字：“{shown}”是{name}（{code}）{}年的数据，{year}年为{}{unit}",
                    year - 1,
                    figure.text
                ),
                figure: Some(figure),
                last_year: Some(self.figure_ref(i, year - 1, (1, 12), last)),
            });
        }
        Some(Verdict {
            kind: ProseKind::Contradiction,
            message: format!(
                "文字与数据不符：文中“{shown}”，{name}（{code}）{year}年数据为{}{unit}",
                figure.text
            ),
            figure: Some(figure),
            last_year: None,
        })
    }
}

/// The metrics named in the clauses of one sentence, for numbers whose own stretch names
/// none: each clause is searched once, as the numbers move through the sentence, instead
/// of every earlier clause again for each number.
#[derive(Default)]
struct EarlierClauses {
    /// Clauses `..searched` have been searched.
    searched: usize,
    /// Metrics named in each searched clause.
    mentions: Vec<Vec<Mention>>,
    /// Unit → the last searched clause naming a metric with it.
    last: HashMap<Vec<char>, usize>,
}

impl EarlierClauses {
    /// The metrics with `unit` named in the nearest clause before clause `ci` that names
    /// any (clauses are asked for in order).
    fn nearest(
        &mut self,
        lexicon: &Lexicon,
        s: &Sentence,
        clauses: &[Range<usize>],
        ci: usize,
        unit: &[char],
    ) -> Option<Vec<Mention>> {
        for (j, clause) in clauses.iter().enumerate().take(ci).skip(self.searched) {
            let found = lexicon.mentions(&s.chars, clause.clone(), Side::Before);
            for m in &found {
                self.last.insert(lexicon.unit_of(m.metric).to_vec(), j);
            }
            self.mentions.push(found);
        }
        self.searched = self.searched.max(ci);
        let j = *self.last.get(unit)?;
        Some(
            self.mentions[j]
                .iter()
                .filter(|m| lexicon.unit_of(m.metric) == unit)
                .copied()
                .collect(),
        )
    }
}

/// A typed number and the metrics named next to it.
struct Place<'s> {
    s: &'s Sentence,
    num: &'s Number,
    ctx: &'s Context,
    /// The clause or one before it speaks of another year.
    other_year: bool,
    /// Metrics with the number's unit, nearest first.
    candidates: Vec<Mention>,
    /// Named in the clause before the number (else after it or in an earlier clause).
    strong: bool,
    /// Named after the number in its clause.
    after: Vec<Mention>,
}

impl Place<'_> {
    /// The number and unit as typed (`2354.48万余元`).
    fn shown(&self) -> String {
        self.s.text(self.num.chars.start..self.num.unit_end)
    }

    fn distance(&self, m: &Mention) -> usize {
        if m.end <= self.num.chars.start {
            self.num.chars.start - m.end
        } else {
            m.start.saturating_sub(self.num.unit_end)
        }
    }
}

/// Whether the clause names a channel before the metric's words (`通过门户网站主动公开
/// 信息2000条`): then the number is likely a part of the figure, not the figure.
///
/// Looked up in the marks [`Context::new`] made of the sentence, not by scanning back: a
/// clause holding many numbers would otherwise be scanned once for each.
fn channel(ctx: &Context, mention_start: usize) -> bool {
    let start = ctx.cut_before[mention_start];
    let first = ctx.via.partition_point(|&v| v < start);
    ctx.via.get(first).is_some_and(|&v| v + 2 <= mention_start)
}

/// Whether `typed` is `figure` at the precision typed, rounded or cut (`98.1` for
/// 98.127, `1530` for 1530.75 in `1530多万元`).
fn same(typed: Decimal, figure: Decimal) -> bool {
    let places = typed.scale();
    typed == figure
        || figure.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero) == typed
        || figure.round_dp_with_strategy(places, RoundingStrategy::ToZero) == typed
}

/// `2019年`, `2019年1–11月`, `2019年3月`.
fn period(year: i32, months: (u8, u8)) -> String {
    match months {
        (1, 12) => format!("{year}年"),
        (a, b) if a == b => format!("{year}年{a}月"),
        (a, b) => format!("{year}年{a}–{b}月"),
    }
}

#[cfg(test)]
mod tests;
