//! The file's settings (`meta` table) as a typed [`FileSettings`]: the only place that
//! knows the keys (`agency`, `agency_short`, `fonts`, `report_date.YEAR`,
//! `city_agencies.YEAR`) and their stored forms. A stored value that does not parse is an error naming the key and the value,
//! never a silent default: a malformed closing date must not turn into today's date in a
//! report. Keys this program does not know (a newer version's) are left alone.

use chrono::NaiveDate;

use super::*;
use crate::model::FileSettings;
use crate::style::FontNames;

pub(super) const AGENCY: &str = "agency";
pub(super) const AGENCY_SHORT: &str = "agency_short";
const FONTS: &str = "fonts";
const REPORT_DATE: &str = "report_date.";
const CITY_AGENCIES: &str = "city_agencies.";
const DATE_FORMAT: &str = "%Y-%m-%d";

impl Store {
    /// The file's settings, each parsed; a malformed one is [`StoreError::BadSetting`].
    pub fn settings(&self) -> Result<FileSettings> {
        parse(
            self.conn
                .query_map("SELECT key, value FROM meta ORDER BY key", params![], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?,
        )
    }

    /// Renames the agency (机关名称, as its reports sign); never to nothing.
    pub fn set_agency(&mut self, actor: &Actor, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("机关名称不能为空".into()));
        }
        self.set_meta(actor, AGENCY, name)
    }

    /// Sets the short name the agency uses of itself in prose.
    pub fn set_agency_short(&mut self, actor: &Actor, short: &str) -> Result<()> {
        self.set_meta(actor, AGENCY_SHORT, short.trim())
    }

    /// Sets the closing date of `year`'s reports.
    pub fn set_report_date(&mut self, actor: &Actor, year: i32, date: NaiveDate) -> Result<()> {
        let value = date.format(DATE_FORMAT).to_string();
        self.set_meta(actor, &format!("{REPORT_DATE}{year}"), &value)
    }

    /// Sets the font families the exports ask for.
    pub fn set_fonts(&mut self, actor: &Actor, fonts: &FontNames) -> Result<()> {
        let json = serde_json::to_string(fonts)
            .map_err(|e| StoreError::Invalid(format!("字体设置无法保存：{e}")))?;
        self.set_meta(actor, FONTS, &json)
    }

    /// Chooses the agencies a city's consolidated report of `year` sums (`None`: every
    /// agency the login may read, as when nothing was chosen). Each must be one the
    /// store's login may read; an empty choice is refused.
    pub fn set_city_agencies(
        &mut self,
        actor: &Actor,
        year: i32,
        chosen: Option<&[String]>,
    ) -> Result<()> {
        let key = format!("{CITY_AGENCIES}{year}");
        let Some(chosen) = chosen else {
            return self.remove_meta(actor, &key);
        };
        if chosen.is_empty() {
            return Err(StoreError::Invalid("汇总报告至少要计入一个单位".into()));
        }
        let readable = self.city_agencies()?;
        if let Some(code) = chosen.iter().find(|c| !readable.contains(c)) {
            return Err(StoreError::UnreadableAgency(code.clone()));
        }
        let mut codes = chosen.to_vec();
        codes.sort();
        codes.dedup();
        let json = serde_json::to_string(&codes)
            .map_err(|e| StoreError::Invalid(format!("单位选择无法保存：{e}")))?;
        self.set_meta(actor, &key, &json)
    }

    /// One stored setting, unparsed (for the store's own readers).
    pub(super) fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_opt("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
    }

    /// Writes one setting in one transaction with its audit row.
    fn set_meta(&mut self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        self.write_meta(actor, key, Some(value))
    }

    /// Removes one setting (back to its default) in one transaction with its audit row;
    /// nothing to remove writes nothing.
    fn remove_meta(&mut self, actor: &Actor, key: &str) -> Result<()> {
        self.write_meta(actor, key, None)
    }

    /// Sets (`Some`) or removes (`None`) one setting, audited, in one transaction.
    fn write_meta(&mut self, actor: &Actor, key: &str, value: Option<&str>) -> Result<()> {
        require_office(actor, "修改设置")?;
        let tx = self.write_tx()?;
        let old: Option<String> =
            tx.query_opt("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })?;
        match value {
            Some(value) => {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?;
                audit(
                    &tx,
                    actor,
                    "set",
                    "meta",
                    key,
                    old.as_deref(),
                    Some(value),
                    "",
                )?;
            }
            None if old.is_some() => {
                tx.execute("DELETE FROM meta WHERE key = ?1", params![key])?;
                audit(&tx, actor, "delete", "meta", key, old.as_deref(), None, "")?;
            }
            None => {}
        }
        tx.commit()?;
        Ok(())
    }
}

/// The typed settings of the stored `(key, value)` rows.
fn parse(rows: Vec<(String, String)>) -> Result<FileSettings> {
    let mut settings = FileSettings::default();
    for (key, value) in rows {
        let bad = |expected: &'static str| StoreError::BadSetting {
            key: key.clone(),
            value: value.clone(),
            expected,
        };
        if key == AGENCY {
            settings.agency = value;
        } else if key == AGENCY_SHORT {
            settings.agency_short = Some(value).filter(|s| !s.trim().is_empty());
        } else if key == FONTS {
            settings.fonts = serde_json::from_str(&value).map_err(|_| bad("字体设置（JSON）"))?;
        } else if let Some(year) = key.strip_prefix(REPORT_DATE) {
            let year: i32 = year.parse().map_err(|_| bad("年份"))?;
            let date = NaiveDate::parse_from_str(&value, DATE_FORMAT)
                .map_err(|_| bad("日期，如 2019-12-24"))?;
            settings.report_dates.insert(year, date);
        } else if let Some(year) = key.strip_prefix(CITY_AGENCIES) {
            let year: i32 = year.parse().map_err(|_| bad("年份"))?;
            let codes: Vec<String> =
                serde_json::from_str(&value).map_err(|_| bad("单位代码的列表（JSON）"))?;
            settings.city_agencies.insert(year, codes);
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn stored_settings_read_typed() {
        let s = parse(rows(&[
            ("agency", "安徽省市场监督管理局"),
            ("agency_short", "省市场监管局"),
            ("report_date.2019", "2019-12-24"),
            ("some_newer_key", "kept"),
        ]))
        .unwrap();
        assert_eq!(s.agency, "安徽省市场监督管理局");
        assert_eq!(s.agency_short.as_deref(), Some("省市场监管局"));
        assert_eq!(s.report_date(2019), NaiveDate::from_ymd_opt(2019, 12, 24));
        assert_eq!(s.report_date(2018), None);
        assert_eq!(s.fonts, FontNames::default());
    }

    #[test]
    fn a_malformed_date_is_an_error_naming_the_setting_not_today() {
        let err = parse(rows(&[("report_date.2019", "2019-12-32")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "数据文件中的设置“report_date.2019”无效：“2019-12-32”不是日期，如 2019-12-24；请在设置中重新填写"
        );
        let err = parse(rows(&[("fonts", "{不是 JSON")])).unwrap_err();
        assert!(matches!(err, StoreError::BadSetting { ref key, .. } if key == "fonts"));
    }

    #[test]
    fn settings_written_typed_read_back_and_are_audited() {
        for db in crate::store::scratch::Scratch::each("settings_written_typed_read_back") {
            written_typed_read_back_and_audited(&db);
        }
    }

    fn written_typed_read_back_and_audited(db: &crate::store::scratch::Scratch) {
        let mut store = Store::create(db.path(), "某局").unwrap();
        let setup = Actor::setup();
        let date = NaiveDate::from_ymd_opt(2020, 1, 15).unwrap();
        store.set_report_date(&setup, 2019, date).unwrap();
        store.set_agency_short(&setup, " 本局 ").unwrap();
        let fonts = FontNames {
            fangsong: "仿宋_GB2312".into(),
            ..FontNames::default()
        };
        store.set_fonts(&setup, &fonts).unwrap();
        let s = store.settings().unwrap();
        assert_eq!(
            (s.report_date(2019), s.agency_short.as_deref()),
            (Some(date), Some("本局"))
        );
        assert_eq!((s.agency.as_str(), s.fonts), ("某局", fonts));
        let audited = store.audit_log(&AuditFilter::default()).unwrap();
        assert!(
            audited.iter().any(|e| e.key == "report_date.2019"),
            "{audited:?}"
        );
        // A date edited by hand into something else is refused, not read as today.
        let sql = "UPDATE meta SET value = '2019年12月' WHERE key = 'report_date.2019'";
        store.conn.execute(sql, params![]).unwrap();
        let err = store.settings().unwrap_err();
        assert!(err.to_string().contains("“report_date.2019”"), "{err}");
    }
}
