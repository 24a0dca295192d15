//! The template engine: a minijinja [`Environment`] with Nianbao's functions
//! (`figure`, `value`, `yoy`, `table`, `narrative`, `divisions`, `metrics`) and globals
//! (`year`, `prev_year`, `agency`, `agency_short`, `date`).
//!
//! minijinja renders text; our functions cannot return structured runs through it. So a
//! figure or table function computes its result in Rust, stores it in the side table
//! ([`super::side`]) and returns a token ([`super::token`]) that [`super::markup`] later
//! swaps back for the figure run or the table blocks.
//!
//! Errors a template author can fix (unknown metric, bad argument) are raised as minijinja
//! errors so that minijinja attaches the template line and span; the typed reason is kept
//! in the side table and put back by [`super::compile`].

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, State, UndefinedBehavior};
use rust_decimal::Decimal;

use super::TemplateErrorKind;
use super::facts::{FormatSpec, Selection};
use super::side::Shared;

/// The context variable that sets the default division while a narrative renders.
const NARRATIVE_DIVISION: &str = "__nianbao_narrative_division";

/// Builds the environment for one compile. `loader` resolves `{% include %}` names.
pub(crate) fn environment(
    shared: &Arc<Shared>,
    date: String,
    loader: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_loader(move |name| Ok(loader(name)));

    let facts = &shared.facts;
    env.add_global("year", facts.year);
    env.add_global("prev_year", facts.year - 1);
    env.add_global("agency", facts.agency.clone());
    env.add_global("agency_short", facts.agency_short.clone());
    env.add_global("date", date);

    add_figure_functions(&mut env, shared);
    add_text_functions(&mut env, shared);
    add_list_functions(&mut env, shared);
    env
}

/// `figure`, `value` and `yoy`: one metric's figure, number or change on last year.
fn add_figure_functions(env: &mut Environment<'static>, shared: &Arc<Shared>) {
    let s = shared.clone();
    env.add_function(
        "figure",
        move |state: &State, code: String, kw: Kwargs| -> Result<String, Error> {
            let sel = selection(&s, state, &kw)?;
            let spec = format_spec(&s, &kw)?;
            kw.assert_all_used()?;
            let computed = s.facts.compute(&code, &sel).map_err(|e| s.fact_error(e))?;
            let figure = s.figure(computed, spec);
            Ok(s.push_figure(figure))
        },
    );

    let s = shared.clone();
    env.add_function(
        "value",
        move |state: &State, code: String, kw: Kwargs| -> Result<Value, Error> {
            let sel = selection(&s, state, &kw)?;
            kw.assert_all_used()?;
            let c = s.facts.compute(&code, &sel).map_err(|e| s.fact_error(e))?;
            Ok(match c.value {
                Some(v) => number_value(v),
                None => {
                    s.warn_gaps(&c.gaps);
                    Value::from(())
                }
            })
        },
    );

    let s = shared.clone();
    env.add_function(
        "yoy",
        move |state: &State, code: String, kw: Kwargs| -> Result<String, Error> {
            let sel = selection(&s, state, &kw)?;
            let places: Option<u32> = kw.get("places")?;
            kw.assert_all_used()?;
            let this = s.facts.compute(&code, &sel).map_err(|e| s.fact_error(e))?;
            let prev_sel = Selection {
                year: sel.year - 1,
                ..sel
            };
            let prev = s
                .facts
                .compute(&code, &prev_sel)
                .map_err(|e| s.fact_error(e))?;
            let figure = s.yoy_figure(this, prev, places.unwrap_or(1));
            Ok(s.push_figure(figure))
        },
    );
}

/// `table`, `narrative` and `narratives`: whole blocks of the report.
fn add_text_functions(env: &mut Environment<'static>, shared: &Arc<Shared>) {
    let s = shared.clone();
    env.add_function("table", move |id: String| -> Result<String, Error> {
        match super::tables::build(&s, &id) {
            None => Err(s.fail(TemplateErrorKind::UnknownTable, unknown_table(&id))),
            Some(Err(e)) => Err(s.fact_error(e)),
            Some(Ok(tables)) => Ok(s.push_tables(tables)),
        }
    });

    let s = shared.clone();
    env.add_function(
        "narrative",
        move |state: &State, division: String, kw: Kwargs| -> Result<String, Error> {
            let quarter: Option<u8> = kw.get("quarter")?;
            kw.assert_all_used()?;
            s.facts
                .check_division(&division)
                .map_err(|e| s.fact_error(e))?;
            render_narrative(&s, state, &division, quarter.unwrap_or(0))
        },
    );

    let s = shared.clone();
    env.add_function(
        "narratives",
        move |state: &State, kw: Kwargs| -> Result<Value, Error> {
            let quarter: Option<u8> = kw.get("quarter")?;
            kw.assert_all_used()?;
            let mut out = Vec::new();
            for d in &s.facts.divisions {
                let text = render_narrative(&s, state, &d.code, quarter.unwrap_or(0))?;
                if text.trim().is_empty() {
                    continue;
                }
                out.push(record([
                    ("code", Value::from(d.code.clone())),
                    ("name", Value::from(d.name.clone())),
                    ("text", Value::from(text)),
                ]));
            }
            Ok(Value::from(out))
        },
    );
}

/// `divisions`, `reports`, `has`, `metrics` and `division_name`: the catalogue (and a
/// city's agencies), for loops and conditions.
fn add_list_functions(env: &mut Environment<'static>, shared: &Arc<Shared>) {
    let s = shared.clone();
    env.add_function("divisions", move || -> Value {
        s.facts
            .divisions
            .iter()
            .map(|d| {
                record([
                    ("code", Value::from(d.code.clone())),
                    ("name", Value::from(d.name.clone())),
                ])
            })
            .collect()
    });

    // A city's consolidated report: the agencies summed, with their own reports.
    let s = shared.clone();
    env.add_function("reports", move || -> Value {
        s.facts
            .reports
            .iter()
            .map(|r| {
                record([
                    ("code", Value::from(r.code.clone())),
                    ("name", Value::from(r.name.clone())),
                    ("state", Value::from(r.describe())),
                    ("approved", Value::from(r.approved.is_some())),
                ])
            })
            .collect()
    });

    let s = shared.clone();
    // `has(code)`: in this year's catalogue; `has(code, year=year - 1)`: in last year's.
    env.add_function(
        "has",
        move |code: String, kw: Kwargs| -> Result<bool, Error> {
            let year: Option<i32> = kw.get("year")?;
            kw.assert_all_used()?;
            Ok(match year {
                None => s.facts.metric(&code).is_some(),
                Some(y) => s.facts.has_in(y, &code),
            })
        },
    );

    let s = shared.clone();
    env.add_function("metrics", move |kw: Kwargs| -> Result<Value, Error> {
        let prefix: Option<String> = kw.get("prefix")?;
        let owner: Option<String> = kw.get("division")?;
        kw.assert_all_used()?;
        let prefix = prefix.unwrap_or_default();
        Ok(s.facts
            .metric_order
            .iter()
            .filter(|c| c.starts_with(&prefix))
            .filter_map(|c| s.facts.metric(c))
            .filter(|m| owner.as_ref().is_none_or(|o| m.owners.contains(o)))
            .map(|m| {
                record([
                    ("code", Value::from(m.code.clone())),
                    ("name", Value::from(m.name.clone())),
                    ("unit", Value::from(m.unit.clone())),
                ])
            })
            .collect())
    });

    let s = shared.clone();
    env.add_function(
        "division_name",
        move |code: String| -> Result<String, Error> {
            s.facts.check_division(&code).map_err(|e| s.fact_error(e))?;
            Ok(s.facts.division_name(&code).to_string())
        },
    );
}

/// A record for templates (`d.code`, `d.name`).
fn record<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let map: BTreeMap<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::from(map)
}

/// A division's narrative for the year (`quarter` 0 = whole year), rendered through the
/// same engine with that division as the default for its figures; empty when none.
fn render_narrative(
    s: &Shared,
    state: &State,
    division: &str,
    quarter: u8,
) -> Result<String, Error> {
    let Some(n) = s
        .facts
        .narratives
        .iter()
        .find(|n| n.division == division && n.quarter == quarter && n.year == s.facts.year)
    else {
        return Ok(String::new());
    };
    let source: String = n.text.chars().filter(|c| !is_private_use(*c)).collect();
    let name = format!("narrative:{division}:{}", s.facts.year);
    let ctx = minijinja::context! { __nianbao_narrative_division => division };
    let text = state.env().render_named_str(&name, &source, ctx)?;
    Ok(escape_markup(&text))
}

fn unknown_table(id: &str) -> String {
    format!("没有表格“{id}”（可用：t2、t3、t4）")
}

/// A number for conditions: an integer when whole, else a float (conditions only compare;
/// figures shown in the text never go through this).
fn number_value(v: Decimal) -> Value {
    if v.fract().is_zero()
        && let Ok(i) = i64::try_from(v)
    {
        return Value::from(i);
    }
    Value::from(f64::try_from(v).unwrap_or(f64::NAN))
}

fn selection(s: &Shared, state: &State, kw: &Kwargs) -> Result<Selection, Error> {
    let this_year = s.facts.year;
    let mut year: i32 = kw.get::<Option<i32>>("year")?.unwrap_or(this_year);
    if kw.get::<Option<bool>>("prev")?.unwrap_or(false) {
        year = this_year - 1;
    }
    if year != this_year && year != this_year - 1 {
        return Err(s.fail(
            TemplateErrorKind::BadArgument,
            format!("year={year}：只能引用本年（{this_year}）或上年的数据"),
        ));
    }
    let bad_month = |m: u8| !(1..=12).contains(&m);
    let mut months = (1, 12);
    if let Some(n) = kw.get::<Option<u8>>("upto")? {
        if bad_month(n) {
            return Err(s.fail(
                TemplateErrorKind::BadArgument,
                format!("upto={n}：月份应为 1–12"),
            ));
        }
        months = (1, n);
    }
    if let Some(n) = kw.get::<Option<u8>>("month")? {
        if bad_month(n) {
            return Err(s.fail(
                TemplateErrorKind::BadArgument,
                format!("month={n}：月份应为 1–12"),
            ));
        }
        months = (n, n);
    }
    if let Some(range) = kw.get::<Option<Vec<u8>>>("months")? {
        match range[..] {
            [a, b] if !bad_month(a) && !bad_month(b) && a <= b => months = (a, b),
            _ => {
                return Err(s.fail(
                    TemplateErrorKind::BadArgument,
                    format!("months={range:?}：应写成 months=[起始月, 截止月]，月份 1–12"),
                ));
            }
        }
    }
    let division = match kw.get::<Option<String>>("division")? {
        Some(d) => Some(d),
        None => state
            .lookup(NARRATIVE_DIVISION)
            .and_then(|v| v.as_str().map(String::from)),
    };
    if let Some(d) = &division {
        s.facts.check_division(d).map_err(|e| s.fact_error(e))?;
    }
    Ok(Selection {
        year,
        months,
        division,
    })
}

fn format_spec(s: &Shared, kw: &Kwargs) -> Result<FormatSpec, Error> {
    let places: Option<u32> = kw.get("places")?;
    let round_down = match kw.get::<Option<String>>("rounding")?.as_deref() {
        None | Some("half_up") => false,
        Some("down") => true,
        Some(other) => {
            return Err(s.fail(
                TemplateErrorKind::BadArgument,
                format!("rounding=\"{other}\"：只能是 \"down\"（舍去）或 \"half_up\"（四舍五入）"),
            ));
        }
    };
    let trim = kw.get::<Option<bool>>("trim")?.unwrap_or(false);
    Ok(FormatSpec {
        places,
        round_down,
        trim,
    })
}

pub(crate) fn is_private_use(c: char) -> bool {
    ('\u{E000}'..='\u{F8FF}').contains(&c)
}

/// Keeps a narrative's lines from being read as markup (headings, directives).
fn escape_markup(text: &str) -> String {
    text.lines()
        .map(|line| {
            let t = line.trim_start();
            if super::markup::is_markup_line(t) {
                format!("\\{t}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
