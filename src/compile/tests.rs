//! Compiler tests on the demo data: golden documents, seed sentences, provenance, errors.

use chrono::NaiveDate;

use super::*;
use crate::demo;

fn options() -> CompileOptions {
    CompileOptions {
        date: NaiveDate::from_ymd_opt(2019, 12, 24),
    }
}

fn builtin(id: &str, data: &YearData) -> Compiled {
    compile(&Template::builtin(id).unwrap(), data, &options()).unwrap()
}

#[test]
fn scratch_print() {
    let c = builtin("work-summary", &demo::year_data(2019));
    println!("{}", c.document.plain_text());
    println!("{:?}", c.warnings);
}

#[test]
fn scratch_annual() {
    let c = builtin("annual-report", &demo::year_data(2019));
    println!("{}", c.document.plain_text());
    println!("{:?}", c.warnings);
}
