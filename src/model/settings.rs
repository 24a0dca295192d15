//! The settings a data file keeps for its agency (设置), typed: the agency's names, the
//! font families of the exports and each year's closing date. Not the app's own settings
//! file (`ui::settings`, the last file opened). The store reads and writes them
//! (`Store::settings`); the pipeline and the compiler only read this struct.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::style::FontNames;

/// Everything the file says about how its reports look and are dated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSettings {
    /// 机关名称, the agency's full name.
    pub agency: String,
    /// The short form the agency uses of itself in prose (e.g. 省市场监管局), when set.
    pub agency_short: Option<String>,
    /// The families the exports ask for; a stock Chinese Windows' when the file sets none.
    pub fonts: FontNames,
    /// The closing date (落款日期) of each year's reports, where one is set.
    pub report_dates: BTreeMap<i32, NaiveDate>,
    /// A city office's store: the agencies (codes) each year's consolidated report sums,
    /// where the office chose some; every agency its login may read otherwise.
    pub city_agencies: BTreeMap<i32, Vec<String>>,
}

impl FileSettings {
    /// The closing date set for `year`, if any.
    pub fn report_date(&self, year: i32) -> Option<NaiveDate> {
        self.report_dates.get(&year).copied()
    }
}
