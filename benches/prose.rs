//! Prose-check benchmark (divan), run with `cargo bench --bench prose`: the demo's work
//! summary as plain text — every figure typed, so every number is looked at and most are
//! flagged "typed, not linked" — against the demo's 2019 data, alone and together with
//! last year's text for identical sentences. Each run includes taking the compiler's
//! snapshot of the data, as the CLI and the app do.

use std::sync::LazyLock;

use nianbao::compile::{CompileOptions, Template, compile};
use nianbao::model::YearData;
use nianbao::prose::{ProseOptions, check_prose};

fn main() {
    divan::main();
}

static DATA: LazyLock<YearData> = LazyLock::new(|| nianbao::demo::data::year_data(2019));

fn work_summary(data: &YearData) -> String {
    let template = Template::builtin("work-summary").expect("built-in template");
    compile(&template, data, &CompileOptions::default())
        .expect("the demo compiles")
        .document
        .plain_text()
}

static TEXT: LazyLock<String> = LazyLock::new(|| work_summary(&DATA));
static LAST_YEAR: LazyLock<String> =
    LazyLock::new(|| work_summary(&nianbao::demo::data::year_data(2018)));

#[divan::bench]
fn demo_work_summary() -> usize {
    check_prose(&TEXT, &DATA, &ProseOptions::default())
        .flags
        .len()
}

#[divan::bench]
fn demo_work_summary_with_last_year() -> usize {
    let options = ProseOptions {
        previous: Some(&LAST_YEAR),
        linked: &[],
    };
    check_prose(&TEXT, &DATA, &options).flags.len()
}
