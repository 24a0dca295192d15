//! Importing the 依申请公开台账 an office already keeps (Excel or CSV, its own column names)
//! into the register: headers mapped to fields by synonyms, result wording mapped to
//! table 3's result rows (同意公开 → 予以公开, 信息不存在 → 本机关不掌握相关政府信息), every
//! row that cannot be mapped reported with its row number and reason, and nothing written
//! unless every row maps ([`plan`], then [`Store::add_applications`] in one transaction).
//!
//! Files are read through the capped readers: CSV with [`input::read_capped`] and
//! [`input::decode_text`] (UTF-8 or GB18030), xlsx cell by cell with
//! [`crate::sheet::read::cells`] (its first sheet). A title row above the header (a
//! ledger's "2025年依申请公开台账") is skipped: the header is the first of the first ten
//! rows that names at least a number and a date of receipt.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use thiserror::Error;

use crate::input::{self, excerpt};
use crate::model::Division;
use crate::model::register::{ApplicantType, Application, Channel, ResultRow};
use crate::sheet::read::CellValue;
use crate::store::{Actor, Store, StoreError};

/// Largest ledger file read (a ledger of 10,000 applications is about 2 MB).
pub const MAX_LEDGER_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error(transparent)]
    Input(#[from] input::InputError),
    #[error(transparent)]
    Sheet(#[from] crate::sheet::SheetError),
    #[error("CSV 文件无法读取：{0}")]
    Csv(String),
    #[error("只能导入 .xlsx 或 .csv 台账：{0}")]
    Format(String),
    #[error(
        "没有找到台账的表头：前 10 行中没有一行同时有申请编号列（申请编号、编号、登记号、受理编号等）和收到日期列（收到日期、收到申请日期、申请日期、受理日期、收到时间等）"
    )]
    NoHeader,
    #[error("台账中有 {} 行无法导入，未写入任何内容", .0.len())]
    Rows(Vec<RowProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One refused row: its row number in the file (1-based, as Excel shows it) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub reason: String,
}

/// The fields a ledger column can fill, and the header words that name each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Number,
    Received,
    Channel,
    ApplicantType,
    ApplicantName,
    Request,
    Division,
    CorrectionSent,
    CorrectionAnswered,
    ExtensionDays,
    FeeNotice,
    FeePaid,
    Replied,
    Result,
    Notes,
}

impl Field {
    /// The field's name in Chinese (its first header word).
    pub fn label(self) -> &'static str {
        HEADERS
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, words)| words[0])
    }
}

const HEADERS: &[(Field, &[&str])] = &[
    (
        Field::Number,
        &[
            "申请编号",
            "编号",
            "登记编号",
            "登记号",
            "受理编号",
            "流水号",
        ],
    ),
    (
        Field::Received,
        &[
            "收到日期",
            "收到申请日期",
            "申请日期",
            "受理日期",
            "登记日期",
            "收件日期",
            "收到时间",
        ],
    ),
    (
        Field::Channel,
        &["申请渠道", "渠道", "申请方式", "提交方式", "收到方式"],
    ),
    (
        Field::ApplicantType,
        &["申请人类型", "申请人性质", "申请主体", "申请人类别", "类型"],
    ),
    (
        Field::ApplicantName,
        &["申请人", "申请人姓名", "申请人名称", "姓名", "单位名称"],
    ),
    (
        Field::Request,
        &[
            "申请内容",
            "申请事项",
            "申请公开内容",
            "所需信息",
            "申请信息",
            "内容",
        ],
    ),
    (
        Field::Division,
        &["承办处室", "承办单位", "办理处室", "承办部门", "处室"],
    ),
    (
        Field::CorrectionSent,
        &["补正通知日期", "告知补正日期", "补正告知日期"],
    ),
    (
        Field::CorrectionAnswered,
        &[
            "补正日期",
            "收到补正日期",
            "补正后收到日期",
            "补正材料收到日期",
        ],
    ),
    (
        Field::ExtensionDays,
        &["延期天数", "延期工作日", "延长期限", "延期"],
    ),
    (Field::FeeNotice, &["收费通知日期", "缴费通知日期"]),
    (Field::FeePaid, &["缴费日期", "收费日期"]),
    (
        Field::Replied,
        &["答复日期", "办结日期", "回复日期", "答复时间"],
    ),
    (
        Field::Result,
        &["办理结果", "答复结果", "处理结果", "答复类型", "答复意见"],
    ),
    (Field::Notes, &["备注", "说明"]),
];

/// Result wordings offices use, beyond the table's own labels and codes.
const RESULT_WORDS: &[(&str, &[&str])] = &[
    ("open", &["同意公开", "公开", "全部公开", "予以公开"]),
    ("partial", &["部分公开", "部分同意公开"]),
    ("deny.secret", &["国家秘密", "涉及国家秘密"]),
    ("deny.law", &["法律法规禁止公开"]),
    ("deny.safety", &["危及三安全一稳定", "危及“三安全一稳定”"]),
    (
        "deny.third_party",
        &[
            "涉及第三方",
            "第三方合法权益",
            "涉及商业秘密",
            "涉及个人隐私",
        ],
    ),
    ("deny.internal", &["内部事务信息", "内部事务"]),
    ("deny.process", &["过程性信息"]),
    ("deny.case_file", &["行政执法案卷"]),
    ("deny.query", &["行政查询事项"]),
    (
        "unable.not_held",
        &[
            "信息不存在",
            "不掌握",
            "本机关不掌握",
            "非本机关信息",
            "不属于本机关",
        ],
    ),
    (
        "unable.needs_creation",
        &["需要另行制作", "需另行制作", "没有现成信息"],
    ),
    ("unable.unclear", &["申请内容不明确", "内容不明确"]),
    ("reject.petition", &["信访举报投诉", "信访类"]),
    ("reject.repeat", &["重复申请"]),
    ("reject.publication", &["公开出版物"]),
    ("reject.mass", &["大量反复申请"]),
    ("reject.confirm", &["要求确认或重新出具"]),
    (
        "other.overdue_correction",
        &["逾期不补正", "视为放弃申请", "逾期未补正"],
    ),
    ("other.overdue_fee", &["逾期未缴费", "逾期不缴费"]),
    ("other.other", &["申请人撤回", "撤回申请", "其他处理"]),
];

/// A ledger read and mapped: the columns found, and every row as an application. When a
/// row cannot be mapped, [`plan`] gives [`LedgerError::Rows`] instead.
#[derive(Debug, Clone)]
pub struct LedgerPlan {
    /// Each mapped column: its header as written and the field.
    pub columns: Vec<(String, Field)>,
    /// Headers no field took (shown, not imported).
    pub ignored: Vec<String>,
    pub applications: Vec<Application>,
}

/// Reads and maps a ledger; all rows or an error listing every bad row.
pub fn plan(path: &Path, divisions: &[Division]) -> Result<LedgerPlan, LedgerError> {
    let rows = read_rows(path)?;
    plan_rows(&rows, divisions)
}

/// [`plan`], then every application written in one transaction (or nothing).
pub fn import(store: &mut Store, actor: &Actor, path: &Path) -> Result<LedgerPlan, LedgerError> {
    let plan = plan(path, &store.divisions()?)?;
    let source = format!(
        "导入依申请台账 {}",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    store.add_applications(actor, &plan.applications, &source)?;
    Ok(plan)
}

/// A row of cells as text (dates already as `YYYY-MM-DD`), with its 1-based row number.
type Rows = Vec<(usize, Vec<String>)>;

fn read_rows(path: &Path) -> Result<Rows, LedgerError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => {
            let bytes = input::read_capped(path, MAX_LEDGER_BYTES, "台账")?;
            let text = input::decode_text(&bytes).map_err(input::InputError::from)?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut out = Vec::new();
            for (i, record) in reader.records().enumerate() {
                let record = record.map_err(|e| LedgerError::Csv(e.to_string()))?;
                out.push((i + 1, record.iter().map(|s| s.trim().to_string()).collect()));
            }
            Ok(out)
        }
        "xlsx" => {
            let sheets = crate::sheet::read::cells(path)?;
            let mut grid: BTreeMap<u32, Vec<String>> = BTreeMap::new();
            for cell in sheets
                .into_iter()
                .next()
                .map(|s| s.cells)
                .unwrap_or_default()
            {
                let text = match cell.value {
                    CellValue::Empty => continue,
                    CellValue::Text(t) => t.trim().to_string(),
                    CellValue::Date(d) => d.to_string(),
                    v @ (CellValue::Int(_) | CellValue::Float(_)) => v.text(),
                    v => format!("（{}）", v.describe()),
                };
                let row = grid.entry(cell.row).or_default();
                let col = cell.col as usize;
                if row.len() <= col {
                    row.resize(col + 1, String::new());
                }
                row[col] = text;
            }
            Ok(grid
                .into_iter()
                .map(|(r, cells)| (r as usize + 1, cells))
                .collect())
        }
        _ => Err(LedgerError::Format(path.display().to_string())),
    }
}

fn field_of(header: &str) -> Option<Field> {
    let h: String = header.split_whitespace().collect();
    let h = h.trim_end_matches(['：', ':', '*']);
    HEADERS
        .iter()
        .find(|(_, words)| words.contains(&h))
        .map(|(f, _)| *f)
}

fn plan_rows(rows: &Rows, divisions: &[Division]) -> Result<LedgerPlan, LedgerError> {
    let header_at = rows
        .iter()
        .take(10)
        .position(|(_, cells)| {
            let fields: Vec<Field> = cells.iter().filter_map(|c| field_of(c)).collect();
            fields.contains(&Field::Number) && fields.contains(&Field::Received)
        })
        .ok_or(LedgerError::NoHeader)?;
    let header = &rows[header_at].1;
    let mut columns: Vec<(usize, Field)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, h) in header.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        match field_of(h) {
            Some(f) if !columns.iter().any(|(_, g)| *g == f) => columns.push((i, f)),
            _ => ignored.push(h.clone()),
        }
    }
    let mut applications = Vec::new();
    let mut problems = Vec::new();
    for (row, cells) in &rows[header_at + 1..] {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |f: Field| {
            columns
                .iter()
                .find(|(_, g)| *g == f)
                .and_then(|(i, _)| cells.get(*i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        match map_row(&get, divisions) {
            Ok(app) => {
                if applications
                    .iter()
                    .any(|a: &Application| a.number == app.number)
                {
                    problems.push(RowProblem {
                        row: *row,
                        reason: format!("申请编号重复：{}", app.number),
                    });
                } else {
                    applications.push(app);
                }
            }
            Err(reasons) => problems.push(RowProblem {
                row: *row,
                reason: reasons.join("；"),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(LedgerError::Rows(problems));
    }
    Ok(LedgerPlan {
        columns: columns
            .into_iter()
            .map(|(i, f)| (header[i].clone(), f))
            .collect(),
        ignored,
        applications,
    })
}

/// One row as an application, or every reason it is not one.
fn map_row<'a>(
    get: &impl Fn(Field) -> Option<&'a str>,
    divisions: &[Division],
) -> Result<Application, Vec<String>> {
    let mut why = Vec::new();
    let mut date = |f: Field, what: &str| -> Option<NaiveDate> {
        let text = get(f)?;
        let day = parse_date(text);
        if day.is_none() {
            why.push(format!("{what}不是日期：“{}”", excerpt(text)));
        }
        day
    };
    let received = date(Field::Received, "收到日期");
    let correction_sent = date(Field::CorrectionSent, "补正通知日期");
    let correction_answered = date(Field::CorrectionAnswered, "补正日期");
    let fee_notice = date(Field::FeeNotice, "收费通知日期");
    let fee_paid = date(Field::FeePaid, "缴费日期");
    let replied = date(Field::Replied, "答复日期");
    let number = get(Field::Number).unwrap_or("").to_string();
    if number.is_empty() {
        why.push("没有申请编号".into());
    }
    if get(Field::Received).is_none() {
        why.push("没有收到日期".into());
    }
    let channel = match get(Field::Channel) {
        None => Channel::Other,
        Some(t) => Channel::parse(t).unwrap_or_else(|| {
            why.push(format!(
                "申请渠道无法识别：“{}”（当面、邮寄、网络、传真、其他）",
                excerpt(t)
            ));
            Channel::Other
        }),
    };
    let applicant_type = match get(Field::ApplicantType) {
        None => {
            why.push("没有申请人类型（自然人或五类法人或其他组织之一）".into());
            ApplicantType::NATURAL
        }
        Some(t) => ApplicantType::parse(t).unwrap_or_else(|| {
            why.push(format!(
                "申请人类型无法识别：“{}”（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他）",
                excerpt(t)
            ));
            ApplicantType::NATURAL
        }),
    };
    let result = get(Field::Result).and_then(|t| {
        let r = result_of(t);
        if r.is_none() {
            why.push(format!("办理结果无法对应到表三的结果行：“{}”", excerpt(t)));
        }
        r
    });
    let division = get(Field::Division).and_then(|t| {
        let d = divisions.iter().find(|d| d.code == t || d.name == t);
        if d.is_none() {
            why.push(format!("没有这个处室：“{}”", excerpt(t)));
        }
        d.map(|d| d.code.clone())
    });
    let extension_days = get(Field::ExtensionDays).and_then(|t| {
        let t = t
            .trim_end_matches("个工作日")
            .trim_end_matches("工作日")
            .trim_end_matches('天');
        let n = t.trim().parse::<u32>().ok();
        if n.is_none() {
            why.push(format!("延期天数不是整数：“{}”", excerpt(t)));
        }
        n
    });
    let mut app = Application::received(
        &number,
        received.unwrap_or_default(),
        channel,
        applicant_type,
    );
    app.applicant_name = get(Field::ApplicantName).map(String::from);
    app.request = get(Field::Request).unwrap_or("").to_string();
    app.division = division;
    app.correction_sent = correction_sent;
    app.correction_answered = correction_answered;
    app.extension_days = extension_days;
    app.fee_notice = fee_notice;
    app.fee_paid = fee_paid;
    app.replied = replied;
    app.result = result;
    app.notes = get(Field::Notes).unwrap_or("").to_string();
    if why.is_empty() {
        why.extend(app.problems());
    }
    if why.is_empty() { Ok(app) } else { Err(why) }
}

/// A result as written in a ledger: a row code, the table's label (with or without its
/// group, 不予公开：属于国家秘密), or one of [`RESULT_WORDS`].
pub fn result_of(text: &str) -> Option<ResultRow> {
    let t: String = text.split_whitespace().collect();
    let bare = t.rsplit_once(['：', ':']).map_or(t.as_str(), |(_, b)| b);
    ResultRow::parse(&t)
        .or_else(|| ResultRow::parse(bare))
        .or_else(|| {
            RESULT_WORDS
                .iter()
                .find(|(_, words)| words.contains(&t.as_str()) || words.contains(&bare))
                .and_then(|(code, _)| ResultRow::parse(code))
        })
}

/// 2026-03-02, 2026/3/2, 2026.3.2, 2026年3月2日, 20260302.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t.split_once([' ', 'T']).map_or(t, |(d, _)| d);
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_result_wordings_of_real_ledgers() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2);
        for t in [
            "2026-03-02",
            "2026/3/2",
            "2026.3.2",
            "2026年3月2日",
            "20260302",
            "2026-03-02 10:00",
        ] {
            assert_eq!(parse_date(t), d, "{t}");
        }
        assert_eq!(parse_date("3月2日"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        let code = |t: &str| result_of(t).map(ResultRow::code);
        assert_eq!(code("同意公开"), Some("open"));
        assert_eq!(code("信息不存在"), Some("unable.not_held"));
        assert_eq!(code("不予公开：属于国家秘密"), Some("deny.secret"));
        assert_eq!(
            code("无法提供：本机关不掌握相关政府信息"),
            Some("unable.not_held")
        );
        assert_eq!(code("申请人撤回"), Some("other.other"));
        assert_eq!(code("大概公开"), None);
        assert_eq!(field_of("收到申请日期"), Some(Field::Received));
        assert_eq!(field_of(" 申请人 "), Some(Field::ApplicantName));
    }
}
