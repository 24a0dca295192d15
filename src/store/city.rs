//! Many agencies in one PostgreSQL database, and the city office that consolidates them.
//!
//! Each agency's store is a schema of its own (`nianbao server init --schema sjj`), so its
//! data is kept apart by the server: an agency's roles are granted on its schema only
//! (`server_roles.rs`). A city office's store is a schema too, marked as a city's (the
//! setting [`KIND`]); its office role is granted reading on every agency's schema, except
//! the users and the applicants' names. Which agencies a city sees is what its login may
//! read: the schemas beside its own that hold a store of ours.
//!
//! An agency is read for the consolidated report in one read-only snapshot, with the
//! connection's schema switched to the agency's for that transaction only
//! (`SET LOCAL search_path`): the store's own queries then run unchanged on the agency's
//! tables, and only its national tables' rows are read ([`Store::national_year_data`]).
//! A file can be an agency too ([`Store::agency_figures`] with no schema): a city that
//! collects files sums them the same way.

use super::engine::{ident, params};
use super::*;
use crate::model::city::{AgencyFigures, AgencyReport};

/// The setting that marks a city office's store: `city`.
pub(super) const KIND: &str = "store.kind";

/// The template an agency's own annual report is written from.
const ANNUAL_REPORT: &str = "annual-report";

/// Whether `name` may be an agency's code (its schema, and the prefix of its roles).
pub fn valid_agency_code(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 40
        && !name.starts_with("pg_");
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "单位代码“{name}”无效：只能由小写英文字母、数字和下划线组成，以字母开头，不超过 40 个字符（例如 sjj）"
        )))
    }
}

impl Store {
    /// A city office's store (`nianbao server city`): like an agency's, with `year`
    /// opened, and marked as a city's.
    pub fn create_city(path: &Path, name: &str, year: i32) -> Result<(Store, OpenedYear)> {
        Store::create_store(path, name, year, Some((KIND, "city")))
    }

    /// Whether this is a city office's store.
    pub fn is_city(&self) -> Result<bool> {
        Ok(self.meta(KIND)?.as_deref() == Some("city"))
    }

    /// The agencies this login may read on the server, by code (schema), in order: every
    /// schema beside this store's that holds a store of ours and is not a city's.
    pub fn city_agencies(&self) -> Result<Vec<String>> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Invalid(
                "一个数据文件只有一个单位的数据：汇总各单位请连接数据库服务器上的市级库，或指定各单位的数据文件".into(),
            ));
        }
        Ok(stores_beside(&self.conn)?
            .into_iter()
            .filter(|(_, city)| !city)
            .map(|(schema, _)| schema)
            .collect())
    }

    /// An agency's national figures for `year` and the state of its own report: the
    /// agency whose schema is `agency` on this server, or with `None` this store itself
    /// (coded `code`). Read in one snapshot.
    pub fn agency_figures(&self, agency: Option<&str>, year: i32) -> Result<AgencyFigures> {
        match agency {
            None => self.figures_of(None, year),
            Some(schema) => Ok(self
                .agencies_figures(Some(&[schema.to_string()]), year)?
                .remove(0)),
        }
    }

    /// [`Store::agency_figures`] of several agencies on this server: those `chosen`, or
    /// with `None` every agency the login may read ([`Store::city_agencies`], asked once).
    /// Each agency is read in a snapshot of its own.
    pub fn agencies_figures(
        &self,
        chosen: Option<&[String]>,
        year: i32,
    ) -> Result<Vec<AgencyFigures>> {
        let readable = self.city_agencies()?;
        let codes = match chosen {
            None => readable.as_slice(),
            Some(codes) => {
                if let Some(schema) = codes.iter().find(|c| !readable.contains(c)) {
                    return Err(StoreError::UnreadableAgency(schema.clone()));
                }
                codes
            }
        };
        codes
            .iter()
            .map(|schema| self.figures_of(Some(schema), year))
            .collect()
    }

    fn figures_of(&self, agency: Option<&str>, year: i32) -> Result<AgencyFigures> {
        let tx = self.conn.begin_read()?;
        let code = match agency {
            None => file_code(&self.path),
            Some(schema) => {
                tx.read_schema(schema)?;
                schema.to_string()
            }
        };
        let data = self.national_year_data(year)?;
        let report = AgencyReport {
            code,
            name: data.agency.clone(),
            ..self.own_report(year)?
        };
        tx.commit()?;
        Ok(AgencyFigures { report, data })
    }

    /// The state of this store's own annual report for `year` (code and name left empty).
    fn own_report(&self, year: i32) -> Result<AgencyReport> {
        let drafts: Vec<Draft> = self
            .drafts(Some(year))?
            .into_iter()
            .filter(|d| d.template == ANNUAL_REPORT)
            .collect();
        let approved = match drafts.iter().find(|d| d.status == DraftStatus::Approved) {
            Some(d) => self.conn.query_opt(
                "SELECT approved_by, approved_at FROM draft_approvals WHERE draft_id = ?1",
                params![d.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?,
            None => None,
        };
        Ok(AgencyReport {
            code: String::new(),
            name: String::new(),
            status: drafts.first().map(|d| d.status.label().to_string()),
            approved,
        })
    }
}

/// A file's code in a city of files: its name without the extension.
fn file_code(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| location(path))
}

/// The other stores of ours in the database, as the connection may see them
/// (information_schema lists only the tables the login has some right on): schema, and
/// whether it is a city office's.
pub(super) fn stores_beside(db: &Db) -> Result<Vec<(String, bool)>> {
    let schemas: Vec<String> = db.query_map(
        "SELECT table_schema FROM information_schema.tables
         WHERE table_name = 'nianbao_schema' AND table_schema <> current_schema()
         ORDER BY table_schema",
        params![],
        |r| r.get(0),
    )?;
    schemas
        .into_iter()
        .map(|schema| {
            let kind: Option<String> = db.query_opt(
                &format!("SELECT value FROM {}.meta WHERE key = ?1", ident(&schema)),
                params![KIND],
                |r| r.get(0),
            )?;
            Ok((schema, kind.as_deref() == Some("city")))
        })
        .collect()
}
