//! `nianbao server …`: what the IT department runs on a PostgreSQL server, connected as
//! its administrator — set up a store with the server's roles and row-level security,
//! secure one that was migrated up, and give a user their database login. The rules
//! themselves are `store::server_roles`.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Failure, Outcome};
use crate::store::{ServerRoles, Store};

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// A new agency's store with its roles and policies (one command: `nianbao server
    /// init --db postgres://admin@host/db --agency 某某局 --schema mjj`), in the schema
    /// named (made if missing; one per agency, so many agencies share a database), or
    /// in the URL's schema. A city office that is there already is given reading of it.
    Init {
        #[arg(long)]
        agency: String,
        /// The agency's code: its schema, and the prefix of its roles (lower-case
        /// letters, digits, `_`).
        #[arg(long)]
        schema: Option<String>,
        /// The first year to open (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// A city office's store, which consolidates the agencies of the database: made like
    /// an agency's, and given reading of every agency (those added later too).
    City {
        /// The city office's name as its reports sign (e.g. 某某市人民政府办公室).
        #[arg(long)]
        agency: String,
        #[arg(long)]
        schema: String,
        #[arg(long)]
        year: Option<i32>,
    },
    /// The roles and policies for a store already on the server (after `migrate`).
    Secure,
    /// Lets the store's user LOGIN connect to the database with a password (made or
    /// changed), as a member of their kind's group role. The password is read from the
    /// first line of standard input with --password-stdin (it then stays out of the
    /// shell's history and the process list); --password PW is for test scripts.
    Login {
        #[arg(long)]
        login: String,
        #[arg(
            long,
            required_unless_present = "password_stdin",
            conflicts_with = "password_stdin"
        )]
        password: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
}

pub(super) fn run(db: &Path, command: ServerCommand) -> Outcome {
    if crate::store::server_url(db).is_none() {
        return Err(Failure::cannot_run(
            "nianbao server 只用于 PostgreSQL 数据库：--db 应为 postgres://管理员@服务器/数据库",
        ));
    }
    match command {
        ServerCommand::Init {
            agency,
            schema,
            year,
        } => init(db, schema.as_deref(), &agency, year, false)?,
        ServerCommand::City {
            agency,
            schema,
            year,
        } => init(db, Some(&schema), &agency, year, true)?,
        ServerCommand::Secure => {
            let roles = Store::open(db)?.secure_on_server()?;
            print_roles(&roles);
        }
        ServerCommand::Login {
            login,
            password,
            password_stdin: _,
        } => {
            let password = match password {
                Some(p) => p,
                None => password_from_stdin()?,
            };
            let role = Store::open(db)?.grant_server_login(&login, &password)?;
            println!("用户 {login} 可用数据库登录名 {role} 连接。");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::cannot_run(format!("无法从标准输入读取密码：{e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(Failure::cannot_run(
            "标准输入中没有密码：--password-stdin 读取第一行作为密码",
        ));
    }
    Ok(password)
}

fn init(
    db: &Path,
    schema: Option<&str>,
    agency: &str,
    year: Option<i32>,
    city: bool,
) -> Result<(), Failure> {
    use chrono::Datelike;
    let year = year.unwrap_or_else(|| chrono::Local::now().year());
    if let Some(code) = schema {
        crate::store::valid_agency_code(code).map_err(Failure::cannot_run)?;
    }
    let url = db.to_str().unwrap_or_default();
    let (store, roles) = Store::init_on_server(url, schema, agency, year, city)?;
    let kind = if city { "市级汇总库" } else { "数据" };
    println!("已在 {} 建立{agency}的{kind}。", store.location());
    print_roles(&roles);
    if city {
        println!(
            "可读取的单位（{} 个）：{}",
            roles.shared_with.len(),
            roles.shared_with.join("、")
        );
    } else if !roles.shared_with.is_empty() {
        println!(
            "市级汇总库 {} 可读取本单位的数据。",
            roles.shared_with.join("、")
        );
    }
    Ok(())
}

fn print_roles(r: &ServerRoles) {
    println!(
        "数据库角色：办公室 {}，处室填报员 {}，领导 {}；权限与行级安全策略已设置（模式 {}）。",
        r.office, r.contact, r.leader, r.schema
    );
    println!(
        "请用 nianbao server login --login 用户名 --password-stdin（从标准输入读入密码）为每位用户建立数据库登录。"
    );
}
