//! The command line (SPEC §5): subcommands → library calls → printed results. Errors from
//! the library are reported here, once, in plain Chinese, with the exit status scripts
//! rely on, chosen per error kind and variant ([`exit`], tabled in the README): 0 success,
//! 1 the data has problems (rejected import rows, check errors), 2 the command could not
//! run (bad arguments, unreadable file), 3 not allowed, 4 the file is busy. `check
//! --prose` keeps `check`'s status: the prose flags are warnings.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::check::CheckOptions;
use crate::import::{self, ImportError, RowChange};
use crate::model::{Period, Severity, has_errors};
use crate::pipeline::PipelineError;
use crate::store::{Actor, OpenedYear, Store, StoreError};
use crate::{demo, pipeline, prose, sheet, value};

mod city;
mod register;
mod server;

#[derive(Debug, Parser)]
#[command(
    name = "nianbao",
    version,
    about = "年报 — 政府信息公开工作年度报告的填报、汇编与导出",
    long_about = None
)]
pub struct Cli {
    /// The data file (.db). Without a subcommand: open the desktop app on it.
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Act as this user (login); default: the file's first office user.
    #[arg(long, global = true, value_name = "LOGIN")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a demo file with the seed's 2019 data (and 2018 for comparisons).
    Demo,
    /// Create a new, empty file for an agency, with the office and the national catalogue.
    Init {
        /// The agency's full name (机关名称).
        #[arg(long)]
        agency: String,
        /// The year to open (default: the current year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Open a year: create its catalogue from the year before's (or the national one).
    Year {
        #[arg(long, value_name = "Y")]
        open: i32,
    },
    /// Import figures from a .csv or .xlsx file, all or nothing.
    Import {
        #[arg(long)]
        year: i32,
        /// Check and show what would change, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// An empty value cell clears a stored value (without it the stored value is kept).
        #[arg(long)]
        clear_blanks: bool,
        path: PathBuf,
    },
    /// Make the Excel collection workbooks (填报表): one division's, or every division's
    /// into a folder.
    Sheet {
        #[arg(long)]
        year: i32,
        /// The division (code or name); without it, --all.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        division: Option<String>,
        /// Every division with figures to fill, one file each.
        #[arg(long)]
        all: bool,
        /// The months to collect, e.g. 1-6 or 3 (default: the whole year).
        #[arg(long)]
        months: Option<String>,
        /// A folder (file names like 2026年-新闻宣传处-填报表.xlsx), or for one division a
        /// file path.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Copy a whole store to a new place, e.g. a file to an empty PostgreSQL database
    /// (`--to postgres://user:password@host/db`) or back, verified table by table.
    Migrate {
        /// The store to copy (a file or a `postgres://` URL); it is only read.
        #[arg(long)]
        from: PathBuf,
        /// The new store: a file that does not exist yet, or an empty database.
        #[arg(long)]
        to: PathBuf,
    },
    /// Import tables 2, 3 and 4 of a published annual report (.docx, .pdf, .html, .htm, .txt)
    /// as the office's figures for a year, all or nothing.
    ImportReport {
        #[arg(long)]
        year: i32,
        /// Read, check and show what would change, but write nothing.
        #[arg(long)]
        dry_run: bool,
        path: PathBuf,
    },
    /// List divisions and metrics with their codes.
    Catalog {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Write a year's stored figures as CSV in the import format to standard output.
    Values {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        division: Option<String>,
        /// Only metrics whose code starts with this.
        #[arg(long)]
        metric: Option<String>,
    },
    /// Check a year's data (identities, missing months, …), and with --prose a report's
    /// text against it.
    Check {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
        /// A report (.docx, .pdf, .html, .txt) to hold against the data: typed numbers that
        /// contradict it, equal it without being linked, or repeat last year's.
        #[arg(long, value_name = "FILE")]
        prose: Option<PathBuf>,
        /// Last year's report text, to find sentences copied unchanged (with --prose).
        #[arg(long, value_name = "FILE", requires = "prose")]
        previous: Option<PathBuf>,
    },
    /// The 依申请公开 register: open applications and due dates, records, ledger import,
    /// tables 3 and 4 from the register, the holiday calendar.
    Register {
        #[command(subcommand)]
        command: register::RegisterCommand,
    },
    /// Set up a PostgreSQL server: a store with the server's roles and row-level
    /// security, and users' database logins (run as the server's administrator).
    Server {
        #[command(subcommand)]
        command: server::ServerCommand,
    },
    /// A city office's consolidated report of its agencies (on a server, or from the
    /// agencies' files): their reports' state, the checks, the export.
    City {
        #[command(subcommand)]
        command: city::CityCommand,
    },
    /// Compile a report from a template and export it.
    Export {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        template: String,
        #[arg(long, value_name = "OUT.pdf")]
        pdf: Option<PathBuf>,
        #[arg(long, value_name = "OUT.docx")]
        docx: Option<PathBuf>,
        #[arg(long, value_name = "OUT.txt")]
        text: Option<PathBuf>,
    },
}

/// A failure to report: the message and the exit status.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    fn cannot_run(message: impl std::fmt::Display) -> Failure {
        Failure::new(exit::CANNOT_RUN, message)
    }
}

/// The exit statuses, by what a script can do about the error. The README's "Command
/// line" section lists them; keep the two in step.
pub mod exit {
    /// The data has problems: rejected import rows, check errors, a value or a code the
    /// file refuses. Fix the data and run again.
    pub const DATA: u8 = 1;
    /// The command could not run: bad arguments, a missing, unreadable or damaged file,
    /// a year not opened, a broken template, a failed export.
    pub const CANNOT_RUN: u8 = 2;
    /// Not allowed: the user may not do this, the month is locked, the user is
    /// deactivated, or the data file is read-only.
    pub const DENIED: u8 = 3;
    /// Someone else is writing the file: the same command may succeed a little later.
    pub const BUSY: u8 = 4;
}

impl Failure {
    fn new(code: u8, message: impl std::fmt::Display) -> Failure {
        Failure {
            message: message.to_string(),
            code,
        }
    }
}

/// The exit status of a store error (see [`exit`]).
fn store_exit(e: &StoreError) -> u8 {
    use StoreError::*;
    match e {
        Busy | Conflict { .. } => exit::BUSY,
        PermissionDenied(_)
        | MonthClosed { .. }
        | Inactive(_)
        | ReadOnly
        | ReadOnlyFile(_)
        | ReadOnlyNeedsUpgrade(_) => exit::DENIED,
        UnknownDivision(_)
        | UnknownMetric { .. }
        | Invalid(_)
        | UnreadableAgency(_)
        | Value { .. } => exit::DATA,
        NotFound(_)
        | AlreadyExists(_)
        | NotADatabase(_)
        | Truncated { .. }
        | NotOurs(_)
        | NewerVersion { .. }
        | UnknownVersion { .. }
        | UnknownUser(_)
        | BadSetting { .. }
        | Corrupt(_)
        | DiskFull
        | DiskIo(_)
        | CannotOpen(_)
        | Sqlite(_)
        | Io(_)
        | BadServerUrl(_)
        | Unreachable { .. }
        | Certificate { .. }
        | TlsHandshake { .. }
        | TlsRefused(_)
        | RootCertificate { .. }
        | TlsSetup(_)
        | NoSuchDatabase(_)
        | NoSchema(_)
        | ServerHasStore(_)
        | ServerNotEmpty { .. }
        | ServerNeedsUpgrade(_)
        | ServerUpgradeNeedsOwner { .. }
        | ConnectionLost(_)
        | Server(_) => exit::CANNOT_RUN,
        ServerLogin(_) => exit::DENIED,
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::new(store_exit(&e), e)
    }
}

impl From<ImportError> for Failure {
    fn from(e: ImportError) -> Self {
        let code = match &e {
            ImportError::Store(s) => store_exit(s),
            ImportError::Rejected(_)
            | ImportError::BadHeader(_)
            | ImportError::Malformed(_)
            | ImportError::NoTables(_)
            | ImportError::NotExcel(_) => exit::DATA,
            ImportError::YearNotOpen(_) | ImportError::Input(_) => exit::CANNOT_RUN,
            ImportError::Io { .. } | ImportError::UnsupportedType(_) | ImportError::Read(_) => {
                exit::CANNOT_RUN
            }
        };
        Failure::new(code, e)
    }
}

impl From<PipelineError> for Failure {
    fn from(e: PipelineError) -> Self {
        let code = match &e {
            PipelineError::Store(s) | PipelineError::ChosenAgencyGone(s) => store_exit(s),
            PipelineError::Compile(_)
            | PipelineError::Fonts(_)
            | PipelineError::Pdf(_)
            | PipelineError::Docx(_)
            | PipelineError::YearNotOpen { .. }
            | PipelineError::NoAgencies => exit::CANNOT_RUN,
        };
        Failure::new(code, e)
    }
}

impl From<crate::sheet::SheetError> for Failure {
    fn from(e: crate::sheet::SheetError) -> Self {
        use crate::sheet::SheetError::*;
        let code = match &e {
            Store(s) => store_exit(s),
            UnknownDivision(_) | BadMonths(_) | YearNotOpen { .. } => exit::CANNOT_RUN,
            TooManyCells { .. } | Unreadable { .. } => exit::DATA,
            Io { .. } | Input(_) | Write(_) | Output(_) => exit::CANNOT_RUN,
        };
        Failure::new(code, e)
    }
}

/// An export refused (the data file itself) or not written.
impl From<crate::output::OutputError> for Failure {
    fn from(e: crate::output::OutputError) -> Self {
        Failure::cannot_run(e)
    }
}

/// The fonts for a PDF cannot be loaded.
impl From<crate::layout::FontError> for Failure {
    fn from(e: crate::layout::FontError) -> Self {
        Failure::cannot_run(format!("字体加载失败：{e}"))
    }
}

/// A report file for `check --prose` that cannot be read.
impl From<prose::ProseError> for Failure {
    fn from(e: prose::ProseError) -> Self {
        Failure::cannot_run(e)
    }
}

/// Writing to standard output failed (other than a closed pipe, see
/// [`quiet_on_broken_pipe`]).
impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::cannot_run(format!("无法输出结果（{e}）"))
    }
}

impl From<csv::Error> for Failure {
    fn from(e: csv::Error) -> Self {
        Failure::cannot_run(format!("无法输出结果（{e}）"))
    }
}

/// Output to a pipe whose reader went away (`nianbao values … | head`) is not an error.
fn quiet_on_broken_pipe(result: Result<(), csv::Error>) -> Outcome {
    match result {
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe) => {
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(e.into()),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

type Outcome = Result<ExitCode, Failure>;

/// Runs a subcommand. `Ok` carries the exit status for commands whose success can still
/// mean "problems found" (check, import with rejected rows).
pub fn run(cli: Cli) -> Outcome {
    let Some(command) = cli.command else {
        return Err(Failure::cannot_run("没有子命令"));
    };
    let db = || {
        cli.db
            .clone()
            .ok_or_else(|| Failure::cannot_run("需要 --db FILE 指定数据文件"))
    };
    match command {
        Command::Demo => {
            let path = db()?;
            demo::create(&path)?;
            println!("已创建演示数据文件：{}", crate::store::location(&path));
            println!(
                "机关：{}；处室 {} 个；2018、2019 年数据。",
                demo::data::AGENCY,
                demo::data::DIVISIONS.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { agency, year } => init(&db()?, &agency, year),
        Command::Year { open } => {
            let mut store = Store::open(&db()?)?;
            let actor = actor(&store, cli.user.as_deref())?;
            match store.open_year(&actor, open)? {
                OpenedYear::AlreadyOpen { metrics } => {
                    println!("{open}年已开启（{metrics} 个指标），未作改动。")
                }
                OpenedYear::CopiedFrom { year, metrics } => {
                    println!("已开启{open}年：从{year}年复制了 {metrics} 个指标。")
                }
                OpenedYear::National { metrics } => {
                    println!("已开启{open}年：建立了国家统计表的 {metrics} 个指标。")
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            year,
            dry_run,
            clear_blanks,
            path,
        } => {
            let mut store = Store::open(&db()?)?;
            let actor = actor(&store, cli.user.as_deref())?;
            let options = import::PlanOptions {
                actor: Some(actor.clone()),
                clear_blanks,
            };
            import_cmd(&mut store, &actor, year, &path, &options, dry_run)
        }
        Command::Sheet {
            year,
            division,
            all: _,
            months,
            out,
        } => {
            let store = Store::open(&db()?)?;
            let actor = actor(&store, cli.user.as_deref())?;
            let months = sheet::parse_months(months.as_deref())?;
            let divisions: Vec<String> = division.into_iter().collect();
            let files = sheet::make_sheets(
                &store,
                &actor,
                year,
                &divisions,
                &months,
                &out,
                |_, _, _| {},
            )?;
            for f in &files {
                println!("已生成：{}", f.display());
            }
            println!("共生成 {} 份填报表。", files.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { from, to } => {
            let copied = crate::store::migrate(&from, &to)?;
            for t in &copied {
                println!("{}\t{} 行\t校验 {:016x}", t.table, t.rows, t.checksum);
            }
            println!(
                "已复制并核对 {} 个表：{} → {}",
                copied.len(),
                crate::store::location(&from),
                crate::store::location(&to)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportReport {
            year,
            dry_run,
            path,
        } => {
            let mut store = Store::open(&db()?)?;
            let actor = actor(&store, cli.user.as_deref())?;
            import_report(&mut store, &actor, year, &path, dry_run)
        }
        Command::Catalog { year, json } => catalog(&reader(&db()?, &cli.user)?, year, json),
        Command::Values {
            year,
            division,
            metric,
        } => values(
            &reader(&db()?, &cli.user)?,
            year,
            division.as_deref(),
            metric.as_deref(),
        ),
        Command::Check {
            year,
            json,
            prose,
            previous,
        } => {
            let texts = match &prose {
                Some(path) => Some((
                    prose::prose_text_from_path(path)?,
                    previous
                        .as_deref()
                        .map(prose::prose_text_from_path)
                        .transpose()?,
                )),
                None => None,
            };
            check(&reader(&db()?, &cli.user)?, year, json, texts)
        }
        Command::Register { command } => register::run(&db()?, &cli.user, command),
        Command::Server { command } => server::run(&db()?, command),
        Command::City { command } => city::run(&reader(&db()?, &cli.user)?, command),
        Command::Export {
            year,
            template,
            pdf,
            docx,
            text,
        } => {
            if pdf.is_none() && docx.is_none() && text.is_none() {
                return Err(Failure::cannot_run(
                    "请至少指定一个输出：--pdf OUT.pdf、--docx OUT.docx 或 --text OUT.txt",
                ));
            }
            let store = reader(&db()?, &cli.user)?;
            export(
                &store,
                year,
                &template,
                pdf.as_deref(),
                docx.as_deref(),
                text.as_deref(),
            )
        }
    }
}

/// `check`: the data checks, and with `prose = Some((text, last year's text))` the
/// prose checks too, whose flags are warnings. With `--json` and `--prose` the output is
/// `{"findings": [...], "prose": {...}}` (see `prose::ProseReport`); without `--prose` the
/// findings array alone, as before.
fn check(store: &Store, year: i32, json: bool, prose: Option<(String, Option<String>)>) -> Outcome {
    let data = store.year_data(year)?;
    if data.metrics.is_empty() {
        return Err(year_not_open(year));
    }
    let options = CheckOptions {
        as_of: Some(chrono::Local::now().date_naive()),
        ..CheckOptions::default()
    };
    let mut findings = crate::check::check(&data, &options);
    if let Some(today) = options.as_of {
        findings.extend(crate::check::register::deadlines(
            &store.register_records()?,
            &store.calendar()?,
            today,
            year,
        ));
    }
    let report = prose.as_ref().map(|(text, previous)| {
        let options = prose::ProseOptions {
            previous: previous.as_deref(),
            linked: &[],
        };
        prose::check_prose(text, &data, &options)
    });
    let mut out = std::io::stdout().lock();
    if json {
        let value = match &report {
            Some(r) => serde_json::json!({ "findings": findings, "prose": r }),
            None => serde_json::json!(findings),
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        )?;
    } else {
        for f in &findings {
            let tag = match f.severity {
                Severity::Error => "错误",
                Severity::Warning => "提示",
            };
            writeln!(out, "[{tag}] {}：{}", f.code, f.message)?;
        }
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        writeln!(
            out,
            "{year}年检查完成：错误 {errors} 项，提示 {} 项。",
            findings.len() - errors
        )?;
        if let Some(r) = &report {
            print_prose(&mut out, r)?;
        }
    }
    Ok(if has_errors(&findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The prose flags as warnings, each with its line and sentence, then a summary.
fn print_prose(out: &mut impl Write, r: &prose::ProseReport) -> std::io::Result<()> {
    use prose::ProseKind::*;
    for f in &r.flags {
        writeln!(out, "[提示] {} 第{}行：{}", f.code, f.line, f.message)?;
        writeln!(out, "    {}", f.sentence_text)?;
    }
    if !r.compared_with_last_year {
        writeln!(
            out,
            "未提供上年报告（--previous），未比对与上年相同的句子。"
        )?;
    }
    writeln!(
        out,
        "文字核对完成：与数据不符 {} 处，疑似沿用上年数字 {} 处，未引用数据 {} 处，与上年相同的句子 {} 句（共 {} 句，手工输入的数字 {} 个）。",
        r.count(Contradiction),
        r.count(CopiedFromLastYear),
        r.count(TypedNotLinked),
        r.count(SameAsLastYear),
        r.sentences,
        r.typed_numbers
    )
}

fn export(
    store: &Store,
    year: i32,
    template: &str,
    pdf: Option<&Path>,
    docx: Option<&Path>,
    text: Option<&Path>,
) -> Outcome {
    // Every output is checked before any is written: `--text a.txt --pdf d.db` writes
    // nothing.
    for path in [text, pdf, docx].into_iter().flatten() {
        crate::output::refuse_database(path, store.path())?;
    }
    let compiled = pipeline::compile_year(store, year, template)?;
    for w in &compiled.warnings {
        eprintln!("提示：{}", w.message);
    }
    write_outputs(store, &compiled.document, pdf, docx, text)
}

/// Writes `doc` to each output asked for (already checked not to be the data file).
fn write_outputs(
    store: &Store,
    doc: &crate::document::Document,
    pdf: Option<&Path>,
    docx: Option<&Path>,
    text: Option<&Path>,
) -> Outcome {
    let names = pipeline::font_names(store)?;
    let write = |path: &Path, bytes: &[u8]| -> Result<(), Failure> {
        crate::output::write_file(path, bytes, Some(store.path()))?;
        println!("已导出：{}", path.display());
        Ok(())
    };
    if let Some(path) = text {
        write(path, doc.plain_text().as_bytes())?;
    }
    // The DOCX is paginated by the same layout as the PDF, so both need the fonts.
    let fonts = if pdf.is_some() || docx.is_some() {
        Some(pipeline::fonts(&names)?)
    } else {
        None
    };
    if let (Some(path), Some(fonts)) = (pdf, &fonts) {
        write(path, &pipeline::pdf_bytes(doc, fonts)?)?;
    }
    if let (Some(path), Some(fonts)) = (docx, &fonts) {
        write(path, &pipeline::docx_bytes(doc, fonts, &names)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The refusal of a command on a year whose catalogue was never opened.
fn year_not_open(year: i32) -> Failure {
    Failure::cannot_run(format!(
        "{year}年没有指标目录（先用 nianbao year --open {year} 开启该年度）"
    ))
}

/// The file opened for a command that only reads (it works in a read-only folder too),
/// after checking that `--user`, when given, names a user of the file.
fn reader(path: &Path, login: &Option<String>) -> Result<Store, Failure> {
    let store = Store::open_read_only(path)?;
    if let Some(login) = login {
        store.actor(login)?;
    }
    Ok(store)
}

fn actor(store: &Store, login: Option<&str>) -> Result<Actor, Failure> {
    Ok(match login {
        Some(l) => store.actor(l)?,
        None => store.default_office_actor()?,
    })
}

fn init(path: &Path, agency: &str, year: Option<i32>) -> Outcome {
    use chrono::Datelike;
    let year = year.unwrap_or_else(|| chrono::Local::now().year());
    let (_, opened) = Store::create_agency(path, agency, year)?;
    println!(
        "已创建数据文件：{}（{agency}）",
        crate::store::location(path)
    );
    println!("办公室用户：office（未设密码）");
    if let OpenedYear::National { metrics } = opened {
        println!("已开启{year}年：国家统计表指标 {metrics} 个。");
    }
    Ok(ExitCode::SUCCESS)
}

/// `import`: the plan's notices and refused rows, then what was written. The written
/// counts are the store's, counted inside the write transaction: another import between
/// this plan and this write cannot make them wrong.
fn import_cmd(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    path: &Path,
    options: &import::PlanOptions,
    dry_run: bool,
) -> Outcome {
    if path.is_dir() || sheet::is_collection_workbook(path) {
        return import_returns(store, actor, year, path, dry_run);
    }
    let sheet = import::read(path)?;
    let plan = import::plan_sheet(store, year, &sheet, options)?;
    for n in &plan.notices {
        match n.row {
            0 => println!("{}", n.reason),
            row => println!("第 {row} 行：{}", n.reason),
        }
    }
    if !plan.rejected.is_empty() {
        for p in &plan.rejected {
            eprintln!("第 {} 行：{}", p.row, p.reason);
        }
        eprintln!(
            "{} 行有错误，未导入任何数据（共 {} 行）。",
            plan.rejected.len(),
            sheet.rows.len() + sheet.problems.len()
        );
        return Ok(ExitCode::from(1));
    }
    if dry_run {
        println!(
            "检查通过（未写入）：新增 {} 行，修改 {} 行，不变 {} 行。",
            plan.count(RowChange::New),
            plan.count(RowChange::Changed),
            plan.count(RowChange::Unchanged)
        );
        return Ok(ExitCode::SUCCESS);
    }
    match import::apply(store, actor, &plan, |_, _| {}) {
        Ok(written) => {
            println!(
                "已导入 {}：新增 {} 行，修改 {} 行，不变 {} 行。",
                path.display(),
                written.inserted,
                written.changed,
                written.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Rejected(_)) => unreachable!("plan had no rejected rows"),
        Err(e) => Err(e.into()),
    }
}

/// `import` of collection workbooks (a file or a folder): the per-division summary; exit
/// 1 when any workbook was refused.
fn import_returns(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    path: &Path,
    dry_run: bool,
) -> Outcome {
    let report = sheet::import_returns(store, actor, year, &[path.to_path_buf()], dry_run)?;
    print!("{}", report.summary());
    Ok(ExitCode::from(u8::from(report.refused() > 0)))
}

/// `import-report`: prints the tables as read, the notices, every cell that could not be
/// placed or was refused, then the plan; writes only when nothing was refused.
fn import_report(
    store: &mut Store,
    actor: &Actor,
    year: i32,
    path: &Path,
    dry_run: bool,
) -> Outcome {
    if store.metrics(year)?.is_empty() {
        return Err(year_not_open(year));
    }
    let reading = import::report::read_report(path)?;
    println!("从 {} 读到：", path.display());
    print!("{}", reading.tables_text());
    for n in &reading.notices {
        println!("说明：{n}");
    }
    let options = import::PlanOptions {
        actor: Some(actor.clone()),
        clear_blanks: false,
    };
    let plan = import::report::plan(store, year, &reading, &options)?;
    for n in &plan.notices {
        println!("说明：{}", reading.describe(n));
    }
    let refused = plan.rejected.len();
    for p in &plan.rejected {
        eprintln!("不能导入：{}", reading.describe(p));
    }
    if refused > 0 {
        eprintln!("{refused} 个单元格有问题，未导入任何数据。");
        return Ok(ExitCode::from(1));
    }
    for row in plan.rows.iter().filter(|r| r.change == RowChange::Changed) {
        let shown =
            |v: Option<rust_decimal::Decimal>| v.map_or("空".to_string(), value::format_exact);
        let at = reading
            .location(row.row)
            .map_or_else(|| row.write.metric.clone(), ToString::to_string);
        println!(
            "将修改：{at}（{}）{} → {}",
            row.write.metric,
            shown(row.old.flatten()),
            shown(row.write.value)
        );
    }
    let (new, changed, unchanged) = (
        plan.count(RowChange::New),
        plan.count(RowChange::Changed),
        plan.count(RowChange::Unchanged),
    );
    if dry_run {
        println!("检查通过（未写入）：新增 {new} 项，修改 {changed} 项，不变 {unchanged} 项。");
        return Ok(ExitCode::SUCCESS);
    }
    import::apply(store, actor, &plan, |_, _| {})?;
    println!("已导入{year}年数据：新增 {new} 项，修改 {changed} 项，不变 {unchanged} 项。");
    Ok(ExitCode::SUCCESS)
}

fn catalog(store: &Store, year: i32, json: bool) -> Outcome {
    let divisions = store.divisions()?;
    let metrics = store.metrics(year)?;
    if metrics.is_empty() {
        return Err(year_not_open(year));
    }
    let mut out = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({ "year": year, "divisions": divisions, "metrics": metrics });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "处室（{}）", divisions.len())?;
    for d in &divisions {
        writeln!(out, "  {:<16} {}", d.code, d.name)?;
    }
    writeln!(out, "{year}年指标（{}）", metrics.len())?;
    for m in &metrics {
        let period = match m.period {
            Period::Monthly => "月",
            Period::Yearly => "年",
        };
        writeln!(
            out,
            "  {:<34} {}（{}，{}，{}）[{}]",
            m.code,
            m.name,
            m.unit,
            period,
            m.aggregation.describe(),
            m.owners.join(",")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn values(store: &Store, year: i32, division: Option<&str>, metric: Option<&str>) -> Outcome {
    if store.metrics(year)?.is_empty() {
        return Err(year_not_open(year));
    }
    let rows = store.stored_values(year..=year, division, metric)?;
    quiet_on_broken_pipe(write_values_csv(rows))
}

/// Writes stored values as CSV in the import format: blank cells as empty values with
/// the note 未填报, yearly metrics without a month, so a re-import reproduces them.
fn write_values_csv(rows: Vec<crate::model::StoredValue>) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    writer.write_record(["year", "month", "division", "metric", "value", "note"])?;
    for v in rows {
        let month = if v.month == 0 {
            String::new()
        } else {
            v.month.to_string()
        };
        let (text, note) = match v.value {
            Some(x) => (value::format_exact(x), v.note),
            None if v.note.is_empty() => (String::new(), "未填报".to_string()),
            None => (String::new(), v.note),
        };
        writer.write_record([
            v.year.to_string(),
            month,
            v.division.to_string(),
            v.metric.to_string(),
            text,
            note,
        ])?;
    }
    writer.flush()?;
    Ok(())
}
