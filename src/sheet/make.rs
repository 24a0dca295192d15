//! Making a division's collection workbook from plain data ([`SheetInput`]): the data
//! sheet (instructions, header, one row per metric with its code in hidden column A, one
//! column per month), last year's values on a second sheet, and the hidden marker.
//!
//! Protection without a password keeps the header, the labels and the cells of submitted
//! or locked months read-only while anyone can still open and print the file; only the
//! entry cells are unlocked, each with data validation and a Chinese input and error
//! message. Excel holds numbers as binary doubles, so a stored value is written as the
//! double of its exact text (shortest round trip on the way back, see [`super::read`]);
//! a value with more than 15 significant digits, which a double cannot hold, is written
//! as text instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, Formula,
    ProtectionOptions, Workbook, Worksheet,
};

use super::*;
use crate::input::xlsx::address;
use crate::model::{Division, MonthStatus, ValueKind, YearData};
use crate::store::{Actor, Store};
use crate::value;

/// The data sheet's header row (0-based); metric rows follow it.
pub const HEADER_ROW: u32 = 3;
/// Columns of the data sheet before the months: code (hidden), name, unit, rule.
const FIRST_MONTH_COL: u16 = 4;

/// Everything one workbook shows, as plain data.
#[derive(Debug, Clone)]
pub struct SheetInput {
    pub agency: String,
    pub division: Division,
    pub year: i32,
    pub months: Vec<u8>,
    /// The division's fillable metrics, in catalogue order.
    pub metrics: Vec<Metric>,
    /// Stored values by (metric, month); month 0 is a yearly metric's value.
    pub values: HashMap<(String, u8), Decimal>,
    /// Last year's values, the same way.
    pub last_year: HashMap<(String, u8), Decimal>,
    /// Months handed in or locked (absent = open).
    pub statuses: HashMap<u8, MonthStatus>,
    pub made_at: String,
    pub made_by: String,
}

impl SheetInput {
    /// The marker this workbook carries.
    pub fn marker(&self) -> Marker {
        Marker {
            agency: self.agency.clone(),
            division: self.division.code.clone(),
            division_name: self.division.name.clone(),
            year: self.year,
            months: self.months.clone(),
            metrics: self.metrics.iter().map(MetricDef::of).collect(),
            made_at: self.made_at.clone(),
            made_by: self.made_by.clone(),
        }
    }

    /// The columns after the labels: the months, then 全年 (month 0) when the division
    /// has a yearly metric.
    fn columns(&self) -> Vec<u8> {
        let mut cols = self.months.clone();
        if self.metrics.iter().any(|m| m.period == Period::Yearly) {
            cols.push(0);
        }
        cols
    }

    /// Whether a metric's cell for `month` (0 = the year) takes entry: the right period,
    /// and the month (December for the year) neither submitted nor locked.
    fn editable(&self, metric: &Metric, month: u8) -> bool {
        let period_fits = (month == 0) == (metric.period == Period::Yearly);
        let status_month = if month == 0 { 12 } else { month };
        period_fits && !self.statuses.contains_key(&status_month)
    }
}

/// The input for `division`'s workbook out of a year's data.
pub fn sheet_input(
    data: &YearData,
    division: &Division,
    months: &[u8],
    made_by: &str,
) -> SheetInput {
    let metrics: Vec<Metric> = fillable(&data.metrics, &division.code)
        .into_iter()
        .cloned()
        .collect();
    let values_of = |year: i32| {
        let mut out = HashMap::new();
        for m in &metrics {
            for v in data.values(year, &m.code) {
                if *v.division == *division.code
                    && let Some(value) = v.value
                {
                    out.insert((m.code.clone(), v.month), value);
                }
            }
        }
        out
    };
    let statuses = (1..=12)
        .filter_map(|m| match data.status(&division.code, m) {
            MonthStatus::Open => None,
            s => Some((m, s)),
        })
        .collect();
    SheetInput {
        agency: data.agency.clone(),
        division: division.clone(),
        year: data.year,
        months: months.to_vec(),
        values: values_of(data.year),
        last_year: values_of(data.year - 1),
        metrics,
        statuses,
        made_at: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        made_by: made_by.to_string(),
    }
}

/// Makes the workbooks of the `divisions` named (codes or names; none = every division
/// with something to fill) into `out`: a folder (created if missing) or, for one
/// division, a file path too. `progress(done, total, division)` is called before each
/// workbook. Returns the files written; each is written whole or not at all.
pub fn make_sheets(
    store: &Store,
    actor: &Actor,
    year: i32,
    divisions: &[String],
    months: &[u8],
    out: &Path,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<Vec<PathBuf>, SheetError> {
    let data = store.year_data(year)?;
    if data.metrics.is_empty() {
        return Err(SheetError::YearNotOpen { year });
    }
    let chosen: Vec<&Division> = if divisions.is_empty() {
        data.divisions
            .iter()
            .filter(|d| !fillable(&data.metrics, &d.code).is_empty())
            .collect()
    } else {
        divisions
            .iter()
            .map(|code| {
                data.divisions
                    .iter()
                    .find(|d| d.code == *code || d.name == *code)
                    .ok_or_else(|| SheetError::UnknownDivision(crate::input::excerpt(code)))
            })
            .collect::<Result<_, _>>()?
    };
    let single_file = chosen.len() == 1 && !out.is_dir() && out.extension().is_some();
    if !single_file {
        std::fs::create_dir_all(out).map_err(|source| SheetError::Io {
            path: out.to_path_buf(),
            source,
        })?;
    }
    let mut written = Vec::new();
    for (i, d) in chosen.iter().enumerate() {
        progress(i, chosen.len(), &d.name);
        let bytes = workbook(&sheet_input(&data, d, months, &actor.login))?;
        let path = if single_file {
            out.to_path_buf()
        } else {
            out.join(file_name(year, &d.name))
        };
        crate::output::write_file(&path, &bytes, Some(store.path()))?;
        written.push(path);
    }
    progress(chosen.len(), chosen.len(), "");
    Ok(written)
}

/// The workbook's bytes.
pub fn workbook(input: &SheetInput) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    data_sheet(book.add_worksheet(), input)?;
    last_year_sheet(book.add_worksheet(), input)?;
    let marker = book.add_worksheet();
    marker.set_name(MARKER_SHEET)?;
    marker.write_string(0, 0, MARKER_TAG)?;
    for (i, chunk) in input.marker().to_cells().iter().enumerate() {
        marker.write_string(1 + i as u32, 0, chunk)?;
    }
    marker.set_very_hidden(true);
    marker.protect();
    Ok(book.save_to_buffer()?)
}

/// The formats of the data sheet.
struct Formats {
    title: Format,
    note: Format,
    header: Format,
    label: Format,
    closed: Format,
    open: HashMap<u32, Format>,
}

impl Formats {
    fn new() -> Formats {
        let boxed = Format::new().set_border(FormatBorder::Thin);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center),
            note: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            header: boxed
                .clone()
                .set_bold()
                .set_background_color("#D9E1F2")
                .set_text_wrap(),
            label: boxed.clone().set_text_wrap(),
            closed: boxed.set_background_color("#E7E6E6"),
            open: HashMap::new(),
        }
    }

    /// An unlocked entry cell showing `places` decimals.
    fn open(&mut self, places: u32) -> &Format {
        self.open.entry(places).or_insert_with(|| {
            let num = if places == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(places as usize))
            };
            Format::new()
                .set_border(FormatBorder::Thin)
                .set_unlocked()
                .set_num_format(num)
                .set_background_color("#FFF2CC")
        })
    }
}

fn column_header(input: &SheetInput, month: u8) -> String {
    if month == 0 {
        return YEAR_HEADER.to_string();
    }
    match input.statuses.get(&month) {
        Some(MonthStatus::Submitted) => format!("{month}月（已报送）"),
        Some(MonthStatus::Locked) => format!("{month}月（已锁定）"),
        _ => format!("{month}月"),
    }
}

/// `整数、≥0`, `两位小数（万元）`: the short rule shown beside a metric.
fn rule_text(metric: &Metric) -> String {
    let places = |n: u32| match n {
        1 => "一位".to_string(),
        2 => "两位".to_string(),
        n => format!("{n} 位"),
    };
    match metric.kind {
        ValueKind::Count => "整数、≥0".into(),
        ValueKind::Amount { places: p } => format!("{}小数、≥0（{}）", places(p), metric.unit),
        ValueKind::Ratio { places: p } => format!("百分数 0–100，最多{}小数", places(p)),
    }
}

fn data_sheet(sheet: &mut Worksheet, input: &SheetInput) -> Result<(), SheetError> {
    let mut f = Formats::new();
    let columns = input.columns();
    let last_col = FIRST_MONTH_COL + columns.len().max(1) as u16 - 1;
    sheet.set_name(DATA_SHEET)?;
    let title = format!(
        "{} {}年 {} 数据填报表",
        input.agency, input.year, input.division.name
    );
    sheet.merge_range(0, 1, 0, last_col, &title, &f.title)?;
    let note = format!(
        "填写说明：请只在黄色单元格中填写{}的数字，灰色单元格为已报送或已锁定月份、不能修改。\
         计数填整数，金额按“填写规则”一栏的小数位数填写；不要填写“约”“余”等文字，也不要写公式。\
         可以排序、插入空行或改工作表名称，但请勿删除或修改隐藏的 A 列（指标代码）和表头。\
         填好后保存为 .xlsx 文件交回办公室。（{} 由 {} 生成）",
        input.division.name, input.made_at, input.made_by
    );
    sheet.merge_range(1, 1, 2, last_col, &note, &f.note)?;
    sheet.set_row_height(1, 36)?;
    sheet.set_row_height(2, 36)?;
    let labels = [CODE_HEADER, "指标", "单位", "填写规则"];
    for (c, text) in labels.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *text, &f.header)?;
    }
    for (i, &month) in columns.iter().enumerate() {
        let text = column_header(input, month);
        sheet.write_string_with_format(HEADER_ROW, FIRST_MONTH_COL + i as u16, text, &f.header)?;
    }
    for (r, metric) in input.metrics.iter().enumerate() {
        let row = HEADER_ROW + 1 + r as u32;
        sheet.write_string_with_format(row, 0, &metric.code, &f.label)?;
        sheet.write_string_with_format(row, 1, &metric.name, &f.label)?;
        sheet.write_string_with_format(row, 2, &metric.unit, &f.label)?;
        sheet.write_string_with_format(row, 3, rule_text(metric), &f.label)?;
        for (i, &month) in columns.iter().enumerate() {
            let col = FIRST_MONTH_COL + i as u16;
            let stored = input.values.get(&(metric.code.clone(), month)).copied();
            let editable = input.editable(metric, month);
            let format = if editable {
                f.open(metric.kind.places()).clone()
            } else {
                f.closed.clone()
            };
            write_value(sheet, row, col, stored, &format)?;
        }
        validate_row(sheet, input, metric, row, &columns)?;
    }
    sheet.set_column_hidden(0)?;
    sheet.set_column_width(1, 36)?;
    sheet.set_column_width(2, 8)?;
    sheet.set_column_width(3, 18)?;
    for i in 0..columns.len() {
        sheet.set_column_width(FIRST_MONTH_COL + i as u16, 11)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, FIRST_MONTH_COL)?;
    print_setup(sheet, HEADER_ROW)?;
    protect(sheet);
    Ok(())
}

/// A4 landscape, one page wide, the header repeated on every page.
fn print_setup(sheet: &mut Worksheet, header_row: u32) -> Result<(), SheetError> {
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header_row, header_row)?;
    Ok(())
}

/// Protection without a password: entry cells stay open, and a contact may still sort,
/// filter, insert rows and resize (the import maps by code and month header).
fn protect(sheet: &mut Worksheet) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
}

fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<Decimal>,
    format: &Format,
) -> Result<(), SheetError> {
    let Some(v) = value else {
        sheet.write_blank(row, col, format)?;
        return Ok(());
    };
    let text = value::format_exact(v);
    let digits = text.trim_start_matches(['-', '0', '.']).chars();
    let significant = digits.filter(char::is_ascii_digit).count();
    match text.parse::<f64>() {
        Ok(n) if significant <= 15 => sheet.write_number_with_format(row, col, n, format)?,
        _ => sheet.write_string_with_format(row, col, text, format)?,
    };
    Ok(())
}

/// Data validation over each run of consecutive entry cells of a metric's row.
fn validate_row(
    sheet: &mut Worksheet,
    input: &SheetInput,
    metric: &Metric,
    row: u32,
    columns: &[u8],
) -> Result<(), SheetError> {
    let mut start = None;
    for i in 0..=columns.len() {
        let open = columns.get(i).is_some_and(|&m| input.editable(metric, m));
        match (open, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let (first, last) = (FIRST_MONTH_COL + s as u16, FIRST_MONTH_COL + i as u16 - 1);
                let rule = validation(metric, &address(row, first as u32))?;
                sheet.add_data_validation(row, first, row, last, &rule)?;
                start = None;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The validation of one metric's entry cells; `first` is the top-left cell, which a
/// custom formula's relative references are relative to.
fn validation(metric: &Metric, first: &str) -> Result<DataValidation, SheetError> {
    let (rule, hint) = match metric.kind {
        ValueKind::Count => (
            DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            "请填写不小于 0 的整数，如 1725".to_string(),
        ),
        ValueKind::Amount { places } => (
            DataValidation::new().allow_custom(Formula::new(format!(
                "=AND(ISNUMBER({first}),{first}>=0,ROUND({first},{places})={first})"
            ))),
            format!(
                "请填写不小于 0 的数，最多 {places} 位小数（单位：{}）",
                metric.unit
            ),
        ),
        ValueKind::Ratio { places } => (
            DataValidation::new().allow_custom(Formula::new(format!(
                "=AND(ISNUMBER({first}),{first}>=0,{first}<=100,ROUND({first},{places})={first})"
            ))),
            format!("请填写 0–100 之间的百分数，最多 {places} 位小数"),
        ),
    };
    Ok(rule
        .set_input_title("填写提示")?
        .set_input_message(&hint)?
        .set_error_title("数值不符合要求")?
        .set_error_message(format!("{}：{hint}。", metric.name))?)
}

fn last_year_sheet(sheet: &mut Worksheet, input: &SheetInput) -> Result<(), SheetError> {
    let f = Formats::new();
    sheet.set_name(LAST_YEAR_SHEET)?;
    let columns: Vec<u8> = (1..=12).chain(std::iter::once(0)).collect();
    let last_col = 2 + columns.len() as u16 - 1;
    let title = format!(
        "{}年 {} 数值（仅供参考，不会导入）",
        input.year - 1,
        input.division.name
    );
    sheet.merge_range(0, 0, 0, last_col, &title, &f.title)?;
    sheet.write_string_with_format(2, 0, "指标", &f.header)?;
    sheet.write_string_with_format(2, 1, "单位", &f.header)?;
    for (i, &month) in columns.iter().enumerate() {
        let text = if month == 0 {
            YEAR_HEADER.to_string()
        } else {
            format!("{month}月")
        };
        sheet.write_string_with_format(2, 2 + i as u16, text, &f.header)?;
    }
    for (r, metric) in input.metrics.iter().enumerate() {
        let row = 3 + r as u32;
        sheet.write_string_with_format(row, 0, &metric.name, &f.label)?;
        sheet.write_string_with_format(row, 1, &metric.unit, &f.label)?;
        for (i, &month) in columns.iter().enumerate() {
            let v = input.last_year.get(&(metric.code.clone(), month)).copied();
            write_value(sheet, row, 2 + i as u16, v, &f.label)?;
        }
    }
    sheet.set_column_width(0, 36)?;
    print_setup(sheet, 2)?;
    sheet.protect();
    Ok(())
}
