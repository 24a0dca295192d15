//! Changing one of the demo's 2019 office values the way the office would: through the
//! store, as 刘芳, one transaction with its audit row.

use nianbao::store::{Store, ValueWrite};
use rust_decimal::Decimal;

/// Adds `by` to the office's 2019 value of `code` for `month` (0 = a yearly value).
pub fn add_to_office_value(store: &mut Store, month: u8, code: &str, by: i64) {
    let office = store.actor("liu.office").unwrap();
    let old = store
        .value(2019, month, "office", code)
        .unwrap()
        .flatten()
        .unwrap_or_else(|| panic!("the demo has {code} for month {month}"));
    store
        .set_value(
            &office,
            &ValueWrite {
                year: 2019,
                month,
                division: "office".into(),
                metric: code.into(),
                value: Some(old + Decimal::from(by)),
                note: String::new(),
                seen: None,
            },
        )
        .unwrap();
}
