//! The organisation (机构): divisions (处室), users and their roles. Plain data: the
//! store persists it and checks permissions against it; the compiler, the checks and the
//! UI read it.

use serde::{Deserialize, Serialize};

/// The office's division code (办公室). It owns the national table metrics.
pub const OFFICE: &str = "office";

/// 处室: an organisational unit that owns metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub sort_order: i64,
}

/// Who may do what (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 处室填报员: enters their own division's figures and narrative.
    Contact,
    /// 办公室: keeps the catalogue, imports, compiles and exports.
    Office,
    /// 领导: reads, comments, returns or approves.
    Leader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contact => "contact",
            Role::Office => "office",
            Role::Leader => "leader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "contact" => Some(Role::Contact),
            "office" => Some(Role::Office),
            "leader" => Some(Role::Leader),
            _ => None,
        }
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::Contact => "处室填报员",
            Role::Office => "办公室",
            Role::Leader => "领导",
        }
    }
}

/// A user of the file. The password, when set, is an argon2id hash kept in the store
/// only; this struct never carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// The division a contact belongs to; office staff belong to `office`.
    pub division: Option<String>,
    pub phone: String,
    pub has_password: bool,
    /// False once deactivated (停用): kept for the audit log's names, but cannot sign in
    /// or write.
    pub active: bool,
}
