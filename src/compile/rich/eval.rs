//! The value each chip of a draft shows, computed by the compiler itself: one
//! environment with the year's facts (the same functions, formats and 【缺数】 rules as
//! a full compile), rendering each chip's own `{{ … }}` with the `{% set %}` lines it
//! depends on. A chip that only has a value inside its loop (`{{ n.name }}` in
//! `{% for n in … %}`) is shown by what it stands for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use minijinja::Environment;

use crate::document::{Figure, Table, chinese_number};
use crate::model::YearData;

use super::super::side::{Shared, Side};
use super::super::token::{FIGURE_START, TABLE_START, TOKEN_END};
use super::super::{CompileOptions, engine, format_date};
use super::{MarkerKind, Segment, tag_body};

/// What a chip shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ChipValue {
    /// A figure run, with its provenance.
    Figure(Figure),
    /// A year, the agency's name, …
    Text(String),
    /// A national table (`table("t3")`): its name (表三) and the tables it prints, which
    /// the editor draws as tables.
    Table { name: String, tables: Vec<Table> },
    /// No value outside the report as a whole: a loop's item, or an expression the
    /// compiler refuses (the compile says why, with its line).
    Unavailable { label: String, reason: String },
}

impl ChipValue {
    /// The chip's text in the editor: the value as printed, 【缺数】 for a missing one.
    pub fn shown(&self) -> String {
        match self {
            ChipValue::Figure(f) if f.missing => "【缺数】".into(),
            ChipValue::Figure(f) => f.text.clone(),
            ChipValue::Text(t) => t.clone(),
            ChipValue::Table { name, .. } => format!("〔{name}〕"),
            ChipValue::Unavailable { label, .. } => format!("〔{label}〕"),
        }
    }

    /// Shown in warning colour: data missing or an expression in error.
    pub fn is_warning(&self) -> bool {
        match self {
            ChipValue::Figure(f) => f.missing,
            ChipValue::Unavailable { reason, .. } => !reason.is_empty(),
            _ => false,
        }
    }

    pub fn figure(&self) -> Option<&Figure> {
        match self {
            ChipValue::Figure(f) => Some(f),
            _ => None,
        }
    }
}

/// The compiler's environment over one year's data, for evaluating chips one by one.
pub struct Evaluator {
    shared: Arc<Shared>,
    env: Environment<'static>,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("year", &self.shared.facts.year)
            .finish_non_exhaustive()
    }
}

impl Evaluator {
    pub fn new(data: &YearData, options: &CompileOptions) -> Evaluator {
        let shared = Arc::new(Shared {
            facts: super::super::facts::Facts::new(data),
            side: Mutex::new(Side::default()),
        });
        let date = format_date(
            options
                .date
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
        );
        let env = engine::environment(&shared, date, |name| {
            super::super::Template::builtin(name.trim_end_matches(".jinja")).map(|t| t.source)
        });
        Evaluator { shared, env }
    }

    /// The value of `chip` (its `{{ … }}` source) after the `{% set %}` tags `prelude`.
    pub fn value(&self, prelude: &str, chip: &str) -> ChipValue {
        let source = format!("{prelude}{chip}");
        let rendered = self
            .env
            .render_named_str("chip", &source, minijinja::context! {});
        let text = match rendered {
            Ok(t) => t,
            Err(e) => {
                let ours = self.shared.side().failure.take();
                let reason = ours.map_or_else(|| e.to_string(), |(_, m)| m);
                return ChipValue::Unavailable {
                    label: "有误".into(),
                    reason,
                };
            }
        };
        let token = |start: char| {
            let at = text.find(start)?;
            let rest = &text[at + start.len_utf8()..];
            rest[..rest.find(TOKEN_END)?].parse::<usize>().ok()
        };
        if let Some(i) = token(FIGURE_START)
            && let Some(f) = self.shared.side().figures.get(i)
        {
            return ChipValue::Figure(f.clone());
        }
        if let Some(i) = token(TABLE_START) {
            return ChipValue::Table {
                name: table_name(tag_body(chip)),
                tables: self
                    .shared
                    .side()
                    .tables
                    .get(i)
                    .cloned()
                    .unwrap_or_default(),
            };
        }
        ChipValue::Text(text.trim().to_string())
    }

    /// Every chip of `segments` by its source (chips with the same source show the same).
    pub fn values(&self, segments: &[Segment]) -> HashMap<String, ChipValue> {
        let mut sets: Vec<(String, &str)> = Vec::new();
        let mut loop_vars: Vec<String> = Vec::new();
        let mut out = HashMap::new();
        for s in segments {
            match s {
                Segment::Marker(m) if m.kind == MarkerKind::Set => {
                    let body = tag_body(&m.source);
                    if let Some(name) = body
                        .strip_prefix("set")
                        .and_then(|r| r.split('=').next())
                        .map(str::trim)
                    {
                        sets.push((name.to_string(), m.source.as_str()));
                    }
                }
                Segment::Marker(m) if m.kind == MarkerKind::For => {
                    let body = tag_body(&m.source);
                    if let Some(vars) = body
                        .strip_prefix("for")
                        .and_then(|r| r.split(" in ").next())
                    {
                        loop_vars.extend(vars.split(',').map(|v| v.trim().to_string()));
                    }
                }
                Segment::Chip(chip) if !out.contains_key(chip) => {
                    let names = identifiers(tag_body(chip));
                    let value = match names.iter().find(|n| loop_vars.contains(&n.0)) {
                        Some((_, attr)) => ChipValue::Unavailable {
                            label: loop_label(attr.as_deref()),
                            reason: String::new(),
                        },
                        None => {
                            let prelude: String = sets
                                .iter()
                                .filter(|(n, _)| names.iter().any(|(i, _)| i == n))
                                .map(|(_, s)| *s)
                                .collect();
                            self.value(&prelude, chip)
                        }
                    };
                    out.insert(chip.clone(), value);
                }
                _ => {}
            }
        }
        out
    }
}

/// The names an expression uses, each with the attribute read from it (`n.name` →
/// (`n`, `name`)); names inside string literals are not names.
fn identifiers(expr: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    let mut quote = None;
    let mut prev_dot = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut name = String::from(c);
            while let Some(&d) = chars.peek().filter(|d| d.is_alphanumeric() || **d == '_') {
                name.push(d);
                chars.next();
            }
            let mut attr = None;
            if chars.peek() == Some(&'.') {
                chars.next();
                let a: String =
                    std::iter::from_fn(|| chars.next_if(|d| d.is_alphanumeric() || *d == '_'))
                        .collect();
                attr = Some(a);
            }
            if !prev_dot {
                out.push((name, attr));
            }
            prev_dot = false;
            continue;
        }
        prev_dot = c == '.';
    }
    out
}

/// What a loop item's field stands for (the fields `divisions()`, `metrics()` and
/// `narratives()` give).
fn loop_label(attr: Option<&str>) -> String {
    match attr {
        Some("name") => "各项名称",
        Some("text") => "各项内容",
        Some("code") => "各项代码",
        Some("unit") => "各项单位",
        _ => "各项",
    }
    .to_string()
}

/// `table("t3")` → 表三.
fn table_name(expr: &str) -> String {
    let n = expr
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse::<u32>()
        .unwrap_or(0);
    if n == 0 {
        "表格".into()
    } else {
        format!("表{}", chinese_number(n))
    }
}
