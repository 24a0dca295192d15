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
    /// A new agency's store in the URL's schema, with its roles and policies (one
    /// command: `nianbao server init --db postgres://admin@host/db --agency 某某局`).
    Init {
        #[arg(long)]
        agency: String,
        /// The first year to open (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// The roles and policies for a store already on the server (after `migrate`).
    Secure,
    /// Lets the store's user LOGIN connect to the database with PASSWORD (made or
    /// changed), as a member of their kind's group role.
    Login {
        #[arg(long)]
        login: String,
        #[arg(long)]
        password: String,
    },
}

pub(super) fn run(db: &Path, command: ServerCommand) -> Outcome {
    if crate::store::server_url(db).is_none() {
        return Err(Failure::cannot_run(
            "nianbao server 只用于 PostgreSQL 数据库：--db 应为 postgres://管理员@服务器/数据库",
        ));
    }
    match command {
        ServerCommand::Init { agency, year } => {
            use chrono::Datelike;
            let year = year.unwrap_or_else(|| chrono::Local::now().year());
            let (mut store, _) = Store::create_agency(db, &agency, year)?;
            let roles = store.secure_on_server()?;
            println!("已在 {} 建立{agency}的数据。", crate::store::location(db));
            print_roles(&roles);
        }
        ServerCommand::Secure => {
            let roles = Store::open(db)?.secure_on_server()?;
            print_roles(&roles);
        }
        ServerCommand::Login { login, password } => {
            let role = Store::open(db)?.grant_server_login(&login, &password)?;
            println!("用户 {login} 可用数据库登录名 {role} 连接。");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_roles(r: &ServerRoles) {
    println!(
        "数据库角色：办公室 {}，处室填报员 {}，领导 {}；权限与行级安全策略已设置（模式 {}）。",
        r.office, r.contact, r.leader, r.schema
    );
    println!("请用 nianbao server login --login 用户名 --password 密码 为每位用户建立数据库登录。");
}
