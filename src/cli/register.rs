//! `nianbao register …`: the 依申请公开 register from the command line — list the open
//! applications with their due dates, add and update records, import an office's own
//! ledger, switch a year's tables 3 and 4 to the register, add a year's holiday notice.
//! Applicants' names are printed only for office staff (the store hides them from
//! everyone else).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Failure, Outcome, actor, exit, reader, store_exit};
use crate::ledger::{self, LedgerError};
use crate::model::calendar::{self, Calendar, YearCalendar};
use crate::model::register::{
    Appeal, AppealKind, ApplicantType, Application, Channel, Outcome as CaseOutcome,
};
use crate::store::{Store, TableSource};

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// The applications of a year (received in it, or carried into it) with their due
    /// dates and working days left.
    List {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
        /// Count the days left from this day (default: today), e.g. 2026-03-16.
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
    /// Register an application as received.
    Add {
        #[arg(long)]
        number: String,
        /// 收到申请之日, e.g. 2026-03-02.
        #[arg(long, value_name = "DATE")]
        received: String,
        /// 当面、邮寄、网络、传真、其他.
        #[arg(long)]
        channel: String,
        /// 自然人, or 商业企业、科研机构、社会公益组织、法律服务机构、其他.
        #[arg(long)]
        applicant_type: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "")]
        request: String,
        /// The handling division (code or name).
        #[arg(long)]
        division: Option<String>,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Record what happened to an application: correction, extension, fee, reply.
    Update {
        #[arg(long)]
        number: String,
        #[arg(long, value_name = "DATE")]
        correction_sent: Option<String>,
        #[arg(long, value_name = "DATE")]
        correction_answered: Option<String>,
        #[arg(long, value_name = "DAYS")]
        extension_days: Option<u32>,
        #[arg(long, value_name = "DATE")]
        fee_notice: Option<String>,
        #[arg(long, value_name = "DATE")]
        fee_paid: Option<String>,
        /// The day of the reply (with --result).
        #[arg(long, value_name = "DATE", requires = "result")]
        replied: Option<String>,
        /// Table 3's result row: its code (unable.not_held) or wording (信息不存在).
        #[arg(long, requires = "replied")]
        result: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Withdraw a record from the register (entered by mistake); it is kept, counted nowhere.
    Withdraw {
        #[arg(long)]
        number: String,
        #[arg(long)]
        reason: String,
    },
    /// Register an administrative review or lawsuit about an application, or with --id
    /// record its outcome.
    Appeal {
        #[arg(long)]
        number: String,
        #[arg(long)]
        id: Option<i64>,
        /// review, suit_direct, suit_after_review (or 行政复议、未经复议直接起诉、复议后起诉).
        #[arg(long)]
        kind: String,
        #[arg(long, value_name = "DATE")]
        filed: String,
        /// upheld, corrected, other, pending (or 结果维持 …); default pending.
        #[arg(long, default_value = "pending")]
        outcome: String,
        #[arg(long, value_name = "DATE")]
        decided: Option<String>,
        #[arg(long, default_value = "")]
        case_number: String,
    },
    /// Import an office's ledger (.xlsx or .csv with its own column names), all or nothing.
    Import {
        /// Read and map, print what would be added, write nothing.
        #[arg(long)]
        dry_run: bool,
        path: PathBuf,
    },
    /// Take a year's tables 3 and 4 from the register: shows where the register differs
    /// from the figures entered; --confirm switches. --entered switches back.
    Use {
        #[arg(long)]
        year: i32,
        #[arg(long, conflicts_with = "entered")]
        confirm: bool,
        #[arg(long)]
        entered: bool,
    },
    /// The working-day calendar: the years known, or with --file add a year's notice
    /// (JSON as in assets/calendar/2026.json).
    Calendar {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, requires = "year")]
        file: Option<PathBuf>,
    },
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Self {
        let code = match &e {
            LedgerError::Store(s) => store_exit(s),
            LedgerError::Rows(_) | LedgerError::NoHeader | LedgerError::Csv(_) => exit::DATA,
            LedgerError::Input(_) | LedgerError::Sheet(_) | LedgerError::Format(_) => {
                exit::CANNOT_RUN
            }
        };
        let mut message = e.to_string();
        if let LedgerError::Rows(rows) = &e {
            for r in rows {
                message.push_str(&format!("\n第 {} 行：{}", r.row, r.reason));
            }
        }
        Failure::new(code, message)
    }
}

fn date(text: &str, what: &str) -> Result<NaiveDate, Failure> {
    ledger::parse_date(text).ok_or_else(|| {
        Failure::new(
            exit::DATA,
            format!("{what}不是日期：{text}（如 2026-03-02）"),
        )
    })
}

fn optional_date(text: &Option<String>, what: &str) -> Result<Option<NaiveDate>, Failure> {
    text.as_deref().map(|t| date(t, what)).transpose()
}

fn unknown(what: &str, text: &str) -> Failure {
    Failure::new(exit::DATA, format!("{what}无法识别：{text}"))
}

pub(super) fn run(db: &Path, user: &Option<String>, command: RegisterCommand) -> Outcome {
    match command {
        RegisterCommand::List { year, json, today } => {
            let store = reader(db, user)?;
            let who = match user {
                Some(login) => store.actor(login)?,
                None => store.default_office_actor()?,
            };
            let today = match today {
                Some(t) => date(&t, "--today")?,
                None => chrono::Local::now().date_naive(),
            };
            list(&store, &store.applications(&who)?, year, today, json)
        }
        RegisterCommand::Import { dry_run, path } => {
            let mut store = Store::open(db)?;
            let who = actor(&store, user.as_deref())?;
            let plan = if dry_run {
                ledger::plan(&path, &store.divisions()?)?
            } else {
                ledger::import(&mut store, &who, &path)?
            };
            for (header, field) in &plan.columns {
                println!("列“{header}” → {}", field.label());
            }
            for header in &plan.ignored {
                println!("列“{header}”未使用");
            }
            let verb = if dry_run {
                "可导入（未写入）"
            } else {
                "已导入"
            };
            println!("{verb} {} 件申请。", plan.applications.len());
            Ok(ExitCode::SUCCESS)
        }
        RegisterCommand::Use {
            year,
            confirm,
            entered,
        } => {
            let mut store = Store::open(db)?;
            let who = actor(&store, user.as_deref())?;
            if entered {
                store.set_table_source(&who, year, TableSource::Entered)?;
                println!("{year}年的表三、表四改回录入的数字（台账记录未变）。");
                return Ok(ExitCode::SUCCESS);
            }
            let diffs = store.register_differences(year)?;
            for d in &diffs {
                let entered = d.entered.map_or("（未填）".to_string(), |v| v.to_string());
                println!("{}\t录入 {entered}\t台账 {}", d.metric, d.register);
            }
            println!("台账与录入的数字有 {} 处不同。", diffs.len());
            if confirm {
                store.set_table_source(&who, year, TableSource::Register)?;
                println!("{year}年的表三、表四今后取自依申请台账（录入的数字保留未删）。");
            } else {
                println!("未改动；确认改用台账请加 --confirm。");
            }
            Ok(ExitCode::SUCCESS)
        }
        RegisterCommand::Calendar { year, file } => {
            let mut store = Store::open(db)?;
            if let (Some(year), Some(file)) = (year, file) {
                let who = actor(&store, user.as_deref())?;
                let bytes = crate::input::read_capped(&file, 1024 * 1024, "节假日安排")
                    .map_err(Failure::cannot_run)?;
                let text = String::from_utf8_lossy(&bytes);
                let notice = YearCalendar::parse(&text).map_err(|e| Failure::new(exit::DATA, e))?;
                if notice.year != year {
                    return Err(Failure::new(
                        exit::DATA,
                        format!("文件是{}年的节假日安排，不是{year}年的", notice.year),
                    ));
                }
                store.set_calendar_year(&who, &notice)?;
                println!("已添加{year}年节假日安排：{}", notice.source);
            }
            for y in store.calendar()?.years() {
                println!("{}年\t{}", y.year, y.source);
            }
            Ok(ExitCode::SUCCESS)
        }
        write => {
            let mut store = Store::open(db)?;
            let who = actor(&store, user.as_deref())?;
            edit(&mut store, &who, write)
        }
    }
}

/// The commands that add or change one record.
fn edit(store: &mut Store, who: &crate::store::Actor, command: RegisterCommand) -> Outcome {
    let find = |store: &Store, number: &str| -> Result<Application, Failure> {
        store
            .application(who, number)?
            .ok_or_else(|| Failure::new(exit::DATA, format!("台账中没有申请编号 {number}")))
    };
    match command {
        RegisterCommand::Add {
            number,
            received,
            channel,
            applicant_type,
            name,
            request,
            division,
            notes,
        } => {
            let channel = Channel::parse(&channel).ok_or_else(|| unknown("申请渠道", &channel))?;
            let kind = ApplicantType::parse(&applicant_type)
                .ok_or_else(|| unknown("申请人类型", &applicant_type))?;
            let mut app =
                Application::received(&number, date(&received, "收到日期")?, channel, kind);
            app.applicant_name = name;
            app.request = request;
            app.notes = notes;
            app.division = match division {
                None => None,
                Some(d) => Some(
                    store
                        .divisions()?
                        .into_iter()
                        .find(|x| x.code == d || x.name == d)
                        .ok_or_else(|| unknown("处室", &d))?
                        .code,
                ),
            };
            store.add_application(who, &app)?;
            println!("已登记申请 {}。", app.number);
        }
        RegisterCommand::Update {
            number,
            correction_sent,
            correction_answered,
            extension_days,
            fee_notice,
            fee_paid,
            replied,
            result,
            notes,
        } => {
            let mut app = find(store, &number)?;
            let set = |slot: &mut Option<NaiveDate>, text: &Option<String>, what| {
                if let Some(d) = optional_date(text, what)? {
                    *slot = Some(d);
                }
                Ok::<_, Failure>(())
            };
            set(&mut app.correction_sent, &correction_sent, "补正通知日期")?;
            set(
                &mut app.correction_answered,
                &correction_answered,
                "补正日期",
            )?;
            set(&mut app.fee_notice, &fee_notice, "收费通知日期")?;
            set(&mut app.fee_paid, &fee_paid, "缴费日期")?;
            set(&mut app.replied, &replied, "答复日期")?;
            if let Some(r) = result {
                app.result = Some(ledger::result_of(&r).ok_or_else(|| unknown("办理结果", &r))?);
            }
            if extension_days.is_some() {
                app.extension_days = extension_days;
            }
            if let Some(n) = notes {
                app.notes = n;
            }
            store.update_application(who, &app)?;
            println!("已更新申请 {number}。");
        }
        RegisterCommand::Withdraw { number, reason } => {
            let app = find(store, &number)?;
            store.withdraw_application(who, app.id, &reason)?;
            println!("已撤销申请 {number} 的登记（记录保留）。");
        }
        RegisterCommand::Appeal {
            number,
            id,
            kind,
            filed,
            outcome,
            decided,
            case_number,
        } => {
            let app = find(store, &number)?;
            let appeal = Appeal {
                id: id.unwrap_or(0),
                application_id: app.id,
                kind: AppealKind::parse(&kind).ok_or_else(|| unknown("案件类型", &kind))?,
                case_number,
                filed: date(&filed, "立案日期")?,
                outcome: CaseOutcome::parse(&outcome)
                    .ok_or_else(|| unknown("案件结果", &outcome))?,
                decided: optional_date(&decided, "审结日期")?,
                notes: String::new(),
                withdrawn: None,
            };
            if id.is_some() {
                store.update_appeal(who, &appeal)?;
                println!("已更新申请 {number} 的{}。", appeal.kind.label());
            } else {
                let id = store.add_appeal(who, &appeal)?;
                println!(
                    "已登记申请 {number} 的{}（记录号 {id}）。",
                    appeal.kind.label()
                );
            }
        }
        _ => unreachable!("handled in run"),
    }
    Ok(ExitCode::SUCCESS)
}

/// One application's line of `register list`: state, due date (or why there is none)
/// and working days left.
fn state(app: &Application, cal: &Calendar, today: NaiveDate) -> (String, String, String) {
    let st = calendar::standing(app, cal, today);
    let due = st
        .problem
        .unwrap_or_else(|| st.due.map_or_else(String::new, |d| d.to_string()));
    (
        st.state,
        due,
        st.days_left.map_or_else(String::new, |n| n.to_string()),
    )
}

fn list(store: &Store, apps: &[Application], year: i32, today: NaiveDate, json: bool) -> Outcome {
    let cal = store.calendar()?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let shown: Vec<&Application> = apps
        .iter()
        .filter(|a| {
            use chrono::Datelike;
            a.received.year() == year
                || (a.received < first
                    && a.withdrawn.is_none()
                    && a.replied.is_none_or(|r| r >= first))
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<serde_json::Value> = shown
            .iter()
            .map(|a| {
                let (status, due, left) = state(a, &cal, today);
                let mut v = serde_json::to_value(a).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    if a.applicant_name.is_none() {
                        m.remove("applicant_name");
                    }
                    m.insert("status".into(), status.into());
                    m.insert("due".into(), due.into());
                    m.insert("days_left".into(), left.parse::<i64>().ok().into());
                }
                v
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "编号\t收到日期\t渠道\t申请人类型\t申请人\t状态\t答复期限\t剩余工作日"
    )?;
    for a in &shown {
        let (status, due, left) = state(a, &cal, today);
        let name = a.applicant_name.as_deref().unwrap_or("（不显示）");
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{name}\t{status}\t{due}\t{left}",
            a.number,
            a.received,
            a.channel.label(),
            a.applicant_type.label(),
        )?;
    }
    let open = shown.iter().filter(|a| a.open_on(today)).count();
    writeln!(out, "{year}年：{} 件申请，{open} 件办理中。", shown.len())?;
    Ok(ExitCode::SUCCESS)
}
